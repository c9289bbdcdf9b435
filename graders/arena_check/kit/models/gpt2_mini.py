"""``gpt2-mini``: a small GPT-2 trained by the project on Python's documentation.

The architecture is GPT-2's exactly (LayerNorm, learned positional embeddings, GELU (``gelu_new``)
MLPs, the GPT-2 tokenizer, an unembedding tied to the embedding), only smaller; a learner's
from-scratch GPT-2 with the same sizes must reproduce its logits. Trained by
``tools/train_gpt2_mini.py``; hyperparameters, data fingerprint and metrics are in ``meta.json``.

One departure, for CPU speed: only the ≈ 12 k GPT-2 tokens that occur in the corpus were ever
trained. The softmax during training covered just those, and only their embedding rows are
stored. Here the full 50,257-token model is rebuilt: the other rows of ``W_E`` are zero and their
unembedding bias is :data:`ABSENT_LOGIT`, so their probability is ≈ e⁻¹⁰⁰. A full softmax
would only have spent three quarters of the training compute pushing those same logits down.
GPT-2 has no unembedding bias; ours is zero for every trained token, so a from-scratch GPT-2 with
an unembedding bias (as in TransformerLens) loads ``model.state_dict()`` unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from jaxtyping import Float, Int
from torch import Tensor

from arena_check.kit import zoo
from arena_check.kit.paths import weights_dir
from arena_check.kit.tokenizers import GPT2_VOCAB_SIZE, attach_tokenizer, gpt2_tokenizer

NAME = "gpt2-mini"
WEIGHTS_FILE = "model.safetensors"
META_FILE = "meta.json"
#: Logit bias of tokens that never occur in the training corpus (probability ≈ e⁻¹⁰⁰).
ABSENT_LOGIT = -100.0
#: meta.json's ``val_loss_check`` is measured on every CHECK_STRIDE-th validation window (the
#: tests recompute it; the full ``val_loss`` would take them four times as long).
CHECK_STRIDE = 4
#: Key of the stored tensor listing which GPT-2 token ids were trained (row order of ``W_E``).
ACTIVE_IDS_KEY = "active_token_ids"

#: HookedTransformerConfig fields a GPT-2 always has; the sizes come from meta.json's "config".
GPT2_ARCHITECTURE: dict[str, Any] = {
    "act_fn": "gelu_new",
    "normalization_type": "LN",
    "positional_embedding_type": "standard",
    "attn_only": False,
    "original_architecture": "GPT2LMHeadModel",
}


def config(sizes: dict[str, int], d_vocab: int = GPT2_VOCAB_SIZE, **extra: Any):
    """A ``HookedTransformerConfig`` for a GPT-2 of the given sizes (n_layers, d_model, ...)."""
    from transformer_lens import HookedTransformerConfig

    return HookedTransformerConfig(**sizes, d_vocab=d_vocab, **GPT2_ARCHITECTURE, **extra)


def tied_logits(
    model, resid: Float[Tensor, "batch pos d_model"]
) -> Float[Tensor, "batch pos d_vocab"]:
    """Logits through GPT-2's tied unembedding: ``ln_final(resid) @ W_E.T``.

    Used while training so that ``W_E`` gets gradients as both embedding and unembedding.
    """
    return model.ln_final(resid) @ model.embed.W_E.T


def expand_vocab(
    compact: dict[str, Tensor], active_ids: Int[Tensor, " active"], d_vocab: int = GPT2_VOCAB_SIZE
) -> dict[str, Tensor]:
    """Full-vocabulary HookedTransformer state dict from a trained compact one (float32).

    Row ``i`` of the compact ``embed.W_E`` is GPT-2 token ``active_ids[i]``. The unembedding is
    the (tied) transpose; absent tokens get zero rows and :data:`ABSENT_LOGIT` as bias.
    """
    state = {k: v.float() for k, v in compact.items() if not k.startswith("unembed.")}
    small = state.pop("embed.W_E")
    W_E = small.new_zeros(d_vocab, small.shape[1])
    W_E[active_ids.long()] = small
    b_U = torch.full((d_vocab,), ABSENT_LOGIT)
    b_U[active_ids.long()] = 0.0
    state["embed.W_E"] = W_E
    state["unembed.W_U"] = W_E.T.contiguous()
    state["unembed.b_U"] = b_U
    return state


def read_meta(directory: Path | None = None) -> dict[str, Any]:
    """The shipped (or ``directory``'s) meta.json: config, data, hyperparameters, metrics."""
    return json.loads(((directory or weights_dir(NAME)) / META_FILE).read_text())


@zoo.register(
    NAME,
    summary="4-layer GPT-2 (d_model 128) trained on Python's docs; GPT-2 tokenizer",
    source="tools/train_gpt2_mini.py (weights shipped in the package)",
    licence="weights: project licence; training text: PSF-2.0 (Python docs)",
)
def load(device: str = "cpu", directory: Path | None = None):
    """The shipped ``gpt2-mini`` as a float32 ``HookedTransformer`` with ``.tokenizer`` set.

    ``directory`` loads another training run's output (``train_gpt2_mini.py --out DIR``).
    """
    from safetensors.torch import load_file
    from transformer_lens import HookedTransformer

    directory = directory or weights_dir(NAME)
    meta = read_meta(directory)
    stored = load_file(str(directory / WEIGHTS_FILE))
    active_ids = stored.pop(ACTIVE_IDS_KEY)
    model = HookedTransformer(config(meta["config"], init_weights=False, device=device))
    state = expand_vocab(stored, active_ids)
    expected = {name for name, _ in model.named_parameters()}
    if set(state) != expected:  # the masks in the state dict are buffers the model builds itself
        raise ValueError(
            f"{directory / WEIGHTS_FILE} does not match the config in {META_FILE}: missing "
            f"{sorted(expected - set(state))}, unexpected {sorted(set(state) - expected)}"
        )
    model.load_state_dict(state, strict=False)
    attach_tokenizer(model, gpt2_tokenizer())
    return model.eval()
