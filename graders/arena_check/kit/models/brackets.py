"""``brackets-classifier``: a small bidirectional transformer that says whether a bracket string is balanced.

Trained by ``tools/train_brackets_classifier.py`` (29 min on one thread of a loaded CPU) and shipped in
the package: ``kit/weights/brackets-classifier/`` holds ``model.safetensors`` and ``meta.json``
(config, data recipe, hyperparameters, wall time, held-out accuracy per kind of string).

    from arena_check.kit import zoo
    from arena_check.kit.models import brackets
    model = zoo.load("brackets-classifier")
    tokens = brackets.tokenize(["(())", "())("])      # [START] first, [PAD] after the string
    logits = model(tokens)[:, 0]                        # read at the [START] position
    logits.argmax(-1)                                   # 1 = balanced, 0 = unbalanced

Vocabulary: ``[START]`` = 0, ``[PAD]`` = 1, ``(`` = 2, ``)`` = 3; the unembedding has two outputs
(index 0: unbalanced, index 1: balanced), read at position 0. Attention is bidirectional, so the
padding must be hidden from the keys: TransformerLens applies ``attention_mask`` only in causal
models, so :func:`load` adds a *permanent* hook that remembers which tokens are ``[PAD]`` and a
permanent hook on every layer's attention scores that masks those keys. Permanent hooks survive
``reset_hooks()`` and run under ``run_with_hooks`` / ``run_with_cache`` like any other.

The data generators (:func:`sample`) are the training script's, so tests and pages can draw fresh
held-out strings of every kind from the same recipe with another seed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from jaxtyping import Int
from torch import Tensor

from arena_check.kit import zoo
from arena_check.kit.models import hooked_transformer
from arena_check.kit.paths import weights_dir

NAME = "brackets-classifier"
START, PAD, OPEN, CLOSE = 0, 1, 2, 3
VOCAB = {"[START]": START, "[PAD]": PAD, "(": OPEN, ")": CLOSE}
MAX_LEN = 40  # longest bracket string (the context is MAX_LEN + 1 with [START])
#: The kinds of string in the training mixture, with their probabilities.
KINDS: dict[str, float] = {
    "balanced": 0.35,
    "random": 0.15,
    "too_many_opens": 0.10,
    "negative_dip": 0.25,
    "shuffled": 0.15,
}


# ------------------------------------------------------------------------------ strings


def is_balanced(s: str) -> bool:
    """The reference: the running count of opens minus closes, from the left, never dips below 0
    and ends at 0."""
    level = 0
    for ch in s:
        level += 1 if ch == "(" else -1
        if level < 0:
            return False
    return level == 0


def random_balanced(n_pairs: int, rng: np.random.Generator) -> str:
    """A uniformly random balanced string of ``n_pairs`` pairs (the cycle lemma).

    Shuffle ``n`` opens and ``n + 1`` closes; exactly one rotation of that sequence has every
    proper prefix at elevation >= 0 (the one starting just after the first lowest point), and
    dropping its final ``)`` leaves a balanced string; every balanced string arises from the same
    number of shuffles, so the result is uniform.
    """
    steps = np.array([1] * n_pairs + [-1] * (n_pairs + 1))
    rng.shuffle(steps)
    low = int(np.argmin(np.cumsum(steps)))
    rotated = np.roll(steps, -(low + 1))[:-1]
    return "".join("(" if x == 1 else ")" for x in rotated)


def _split_pairs(n: int, parts: int, rng: np.random.Generator) -> list[int]:
    """``n`` pairs split into ``parts`` non-negative sizes (uniform over the compositions)."""
    cuts = np.sort(rng.integers(0, n + 1, size=parts - 1))
    edges = np.concatenate([[0], cuts, [n]])
    return [int(b - a) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def sample_kind(kind: str, rng: np.random.Generator, max_len: int = MAX_LEN) -> str:
    """One string of the given kind, at most ``max_len`` characters.

    * ``balanced``: uniform balanced string of 1..max_len/2 pairs.
    * ``random``: every character a fair coin, length uniform in 1..max_len (mostly unbalanced).
    * ``too_many_opens``: a balanced string with one ``)`` turned into ``(`` (never dips, ends at +2).
    * ``negative_dip``: ``u + ")" + v + "(" + w`` with ``u, v, w`` balanced: the right count of each
      bracket, and the elevation touches -1 exactly once, anywhere in the string.
    * ``shuffled``: a balanced string with its characters permuted (right count, order random).
    """
    half = max_len // 2
    if kind == "balanced":
        return random_balanced(int(rng.integers(1, half + 1)), rng)
    if kind == "random":
        return "".join(rng.choice(["(", ")"], size=int(rng.integers(1, max_len + 1))))
    if kind == "too_many_opens":
        s = list(random_balanced(int(rng.integers(1, half + 1)), rng))
        closes = [i for i, ch in enumerate(s) if ch == ")"]
        s[int(rng.choice(closes))] = "("
        return "".join(s)
    if kind == "negative_dip":
        u, v, w = (random_balanced(k, rng) for k in _split_pairs(int(rng.integers(0, half)), 3, rng))
        return u + ")" + v + "(" + w
    if kind == "shuffled":
        s = list(random_balanced(int(rng.integers(1, half + 1)), rng))
        rng.shuffle(s)
        return "".join(s)
    raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")


def sample(n: int, seed: int, max_len: int = MAX_LEN) -> tuple[list[str], list[str]]:
    """``n`` strings from the training mixture, and the kind each was drawn as."""
    rng = np.random.default_rng(seed)
    names = list(KINDS)
    kinds = rng.choice(len(names), size=n, p=np.array(list(KINDS.values())))
    kind_names = [names[int(k)] for k in kinds]
    return [sample_kind(k, rng, max_len) for k in kind_names], kind_names


def sample_by_kind(n_per_kind: int, seed: int, max_len: int = MAX_LEN) -> dict[str, list[str]]:
    """``n_per_kind`` fresh strings of every kind (a held-out set with no kind underrepresented)."""
    rng = np.random.default_rng(seed)
    return {kind: [sample_kind(kind, rng, max_len) for _ in range(n_per_kind)] for kind in KINDS}


def tokenize(strings: list[str], length: int | None = None) -> Int[Tensor, "batch pos"]:
    """``[START]`` + one token per bracket, right-padded with ``[PAD]`` to the longest string + 1
    (or to ``length`` positions)."""
    width = length if length is not None else 1 + max((len(s) for s in strings), default=0)
    out = torch.full((len(strings), width), PAD, dtype=torch.long)
    out[:, 0] = START
    for row, s in enumerate(strings):
        if 1 + len(s) > width:
            raise ValueError(f"string of length {len(s)} does not fit in {width} positions")
        out[row, 1 : 1 + len(s)] = torch.tensor([VOCAB[ch] for ch in s], dtype=torch.long)
    return out


# -------------------------------------------------------------------------------- model


def model_config() -> dict[str, Any]:
    """Keyword arguments for ``HookedTransformerConfig`` (the training script records them)."""
    return {
        "n_layers": 3,
        "d_model": 56,
        "n_heads": 2,
        "d_head": 28,
        "d_mlp": 112,
        "act_fn": "relu",
        "normalization_type": "LN",
        "attention_dir": "bidirectional",
        "d_vocab": len(VOCAB),
        "d_vocab_out": 2,
        "n_ctx": MAX_LEN + 1,
        "use_hook_tokens": True,
        "positional_embedding_type": "standard",
        "model_name": NAME,
    }


def add_padding_mask(model) -> None:
    """Permanent hooks that stop every head from attending to ``[PAD]`` keys.

    ``hook_tokens`` runs first in every forward pass and stores which positions are padding;
    each layer's ``hook_attn_scores`` then sets the scores of those keys to -inf-like.
    """
    state: dict[str, Tensor] = {}

    def remember(tokens: Tensor, hook) -> Tensor:
        state["pad"] = tokens == PAD
        return tokens

    def mask(scores: Tensor, hook) -> Tensor:
        pad = state["pad"][:, None, None, :]  # [batch, 1, 1, key_pos]
        return scores.masked_fill(pad, -1e5)

    model.add_perma_hook("hook_tokens", remember)
    for layer in range(model.cfg.n_layers):
        model.add_perma_hook(f"blocks.{layer}.attn.hook_attn_scores", mask)


def build(cfg_kwargs: dict[str, Any] | None = None, seed: int | None = None, device: str = "cpu"):
    """A ``HookedTransformer`` with this architecture and the padding mask installed."""
    kwargs = dict(cfg_kwargs or model_config())
    if seed is not None:
        kwargs["seed"] = seed
    model = hooked_transformer(**kwargs, device=device)
    add_padding_mask(model)
    return model


def folder() -> Path:
    """Where the shipped weights and meta.json live."""
    return weights_dir(NAME)


def meta(path: Path | None = None) -> dict[str, Any]:
    """The training record written by the training script."""
    return json.loads(((Path(path) if path else folder()) / "meta.json").read_text())


@zoo.register(
    NAME,
    summary="3-layer bidirectional transformer classifier (d_model 56, 2 heads per layer, LayerNorm) "
    "that says whether a string of up to 40 brackets is balanced, read at a [START] position",
    source="tools/train_brackets_classifier.py (trained by the project on generated bracket strings)",
    licence="MIT (the project's own weights)",
)
def load(device: str = "cpu", path: Path | None = None):
    """Build the model from ``meta.json``, load the shipped weights, install the padding mask.

    ``path`` loads another folder with the same layout (e.g. a fresh run of the training script).
    """
    from safetensors.torch import load_file

    where = Path(path) if path is not None else folder()
    record = meta(where)
    model = build(record["config"], device=device)
    state = load_file(str(where / "model.safetensors"), device=device)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith(("IGNORE", "mask"))]
    if missing or unexpected:
        raise RuntimeError(f"weights do not match the config: missing {missing}, unexpected {unexpected}")
    model.eval()
    return model


@torch.inference_mode()
def predict_balanced(model, strings: list[str], batch: int = 1024) -> Tensor:
    """The model's verdicts (``True`` = balanced) for ``strings``, in batches."""
    out = []
    for i in range(0, len(strings), batch):
        out.append(model(tokenize(strings[i : i + batch]))[:, 0].argmax(-1) == 1)
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.bool)
