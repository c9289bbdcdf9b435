"""GENERATED from book/1_transformer_interp/1.7_balanced_brackets.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import random
from collections.abc import Callable, Sequence

import torch
from einops import einsum
from jaxtyping import Bool, Float, Int
from torch import Tensor
from transformer_lens import ActivationCache, HookedTransformer
from transformer_lens.hook_points import HookPoint

import arena_check

#: The model's vocabulary: a classification token, padding, and the two brackets.
START, PAD, OPEN, CLOSE = 0, 1, 2, 3


def random_balanced(n_pairs: int, rng: random.Random) -> str:
    """A random balanced string of `n_pairs` pairs, for the generators of Part 1.

    Adds "(" or ")" by a coin flip, but "(" whenever the elevation is 0 and ")" once no
    "(" is left. Not uniform over balanced strings (shallow ones are favoured); fine for
    building test strings.
    """
    out, level, opens = [], 0, n_pairs
    while opens or level:
        if opens and (level == 0 or rng.random() < 0.5):
            out.append("(")
            opens, level = opens - 1, level + 1
        else:
            out.append(")")
            level -= 1
    return "".join(out)


def elevation(s: str) -> Int[Tensor, " n"]:
    """The running count of "(" minus ")" from the left, after each character.

    elevation(s)[i] = number of "(" minus number of ")" among s[0], ..., s[i]
    (inclusive). Returns an int64 tensor of length len(s); the empty string gives
    an empty int64 tensor. `s` contains only "(" and ")".
    """
    steps = torch.tensor([1 if ch == "(" else -1 for ch in s], dtype=torch.long)
    return steps.cumsum(0)


def is_balanced(s: str) -> bool:
    """True iff every prefix of `s` has at least as many "(" as ")" and the whole
    string has equally many of each. The empty string is balanced. Returns a Python
    bool.
    """
    if not s:
        return True
    levels = elevation(s)
    return bool(levels.min() >= 0) and int(levels[-1]) == 0


def negative_dip_string(n_pairs: int, seed: int) -> str:
    """A random string of `n_pairs` "(" and `n_pairs` ")" (n_pairs >= 1) whose elevation
    reaches -1 at least once and never goes below -1.

    The same seed gives the same string. Across seeds every position where such a
    string can first reach -1 (0, 2, 4, ..., 2 * n_pairs - 2) must occur.
    """
    rng = random.Random(seed)
    before = rng.randint(0, n_pairs - 1)
    middle = rng.randint(0, n_pairs - 1 - before)
    after = n_pairs - 1 - before - middle
    return (random_balanced(before, rng) + ")" + random_balanced(middle, rng) + "("
            + random_balanced(after, rng))


def too_many_opens_string(n_pairs: int, seed: int) -> str:
    """A random string of length 2 * n_pairs (n_pairs >= 1) whose elevation is never
    negative and ends at 2: n_pairs + 1 "(" and n_pairs - 1 ")".

    The same seed gives the same string; different seeds give different strings
    whenever more than one exists, and (for n_pairs >= 2) the extra "(" is not always
    at the end: some seeds give strings that end in ")".
    """
    rng = random.Random(seed)
    chars = list(random_balanced(n_pairs, rng))
    closes = [i for i, ch in enumerate(chars) if ch == ")"]
    chars[rng.choice(closes)] = "("
    return "".join(chars)


def tokenize(strings: Sequence[str]) -> Int[Tensor, "batch pos"]:
    """[START], then OPEN for "(" and CLOSE for ")", right-padded with PAD.

    Every row has 1 + (length of the longest string) positions, int64. An empty
    string is the row [START, PAD, ...].
    """
    width = 1 + max((len(s) for s in strings), default=0)
    tokens = torch.full((len(strings), width), PAD, dtype=torch.long)
    tokens[:, 0] = START
    for row, s in enumerate(strings):
        for col, ch in enumerate(s, start=1):
            tokens[row, col] = OPEN if ch == "(" else CLOSE
    return tokens


def mask_padding_keys(
    scores: Float[Tensor, "batch head query key"], tokens: Int[Tensor, "batch key"]
) -> Float[Tensor, "batch head query key"]:
    """The attention scores with every key whose token is PAD set to -inf.

    Scores of non-PAD keys are returned unchanged, for every query (pad queries
    included). Returns a new tensor; `scores` is not modified. (Any value at or below
    -1e4 would do as well after the softmax, and is accepted.)
    """
    pad = (tokens == PAD)[:, None, None, :]
    return scores.masked_fill(pad, float("-inf"))


def accuracy_by_kind(
    model: HookedTransformer, strings_by_kind: dict[str, list[str]]
) -> dict[str, float]:
    """For each kind, the fraction of its strings the model classifies correctly.

    The model's verdict is read at position 0: balanced iff logit[1] > logit[0]. The
    truth is is_balanced(s). Returns {kind: accuracy} with the same keys, as floats.
    """
    out = {}
    for kind, strings in strings_by_kind.items():
        verdict = model(tokenize(strings))[:, 0].argmax(-1) == 1
        truth = torch.tensor([is_balanced(s) for s in strings])
        out[kind] = float((verdict == truth).float().mean())
    return out


def unbalanced_direction(model: HookedTransformer) -> Float[Tensor, " d_model"]:
    """The vector d with, for the residual x at position 0 before the final LayerNorm,

        logit[0] - logit[1] = ((x - x.mean()) / scale) · d + constant,

    where scale is the final LayerNorm's scale for that x: d = ln_final.w * (W_U[:, 0]
    - W_U[:, 1]). Index 0 of the unembedding is "unbalanced", index 1 "balanced".
    """
    return model.ln_final.w * (model.W_U[:, 0] - model.W_U[:, 1])


def start_head_outputs(
    model: HookedTransformer, tokens: Int[Tensor, "batch pos"]
) -> Float[Tensor, "batch layer head d_model"]:
    """Each head's output z @ W_O (without b_O) at position 0, for every layer and head.

    Runs the model once on `tokens` (its padding hooks stay in place) and leaves no
    hook behind.
    """
    stored: dict[int, Tensor] = {}

    def grab(z: Tensor, hook: HookPoint) -> None:
        stored[hook.layer()] = z[:, 0]

    model.run_with_hooks(
        tokens,
        fwd_hooks=[(f"blocks.{layer}.attn.hook_z", grab) for layer in range(model.cfg.n_layers)],
    )
    return torch.stack(
        [einsum(stored[layer], model.W_O[layer], "b h d, h d m -> b h m")
         for layer in range(model.cfg.n_layers)],
        dim=1,
    )


def direct_attribution(
    parts: Float[Tensor, "batch part d_model"],
    scale: Float[Tensor, " batch"],
    direction: Float[Tensor, " d_model"],
) -> Float[Tensor, "batch part"]:
    """Each part's contribution to logit[0] - logit[1] through the final LayerNorm.

    parts[b, i] is one term of the residual stream at position 0 of string b; scale[b]
    is the final LayerNorm's scale there (cache["ln_final.hook_scale"][b, 0, 0]).
    Each part is centred over d_model, divided by scale[b], and dotted with
    `direction`.
    """
    centred = parts - parts.mean(dim=-1, keepdim=True)
    return einsum(centred / scale[:, None, None], direction, "b i m, m -> b i")


def open_fraction(tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, " batch"]:
    """Per row: (number of OPEN tokens) / (number of OPEN or CLOSE tokens), as float32.

    [START] and [PAD] are not brackets and do not count. Every row holds at least one
    bracket.
    """
    opens = (tokens == OPEN).sum(-1).float()
    return opens / ((tokens == OPEN) | (tokens == CLOSE)).sum(-1).float()


def linear_fit(x: Float[Tensor, " n"], y: Float[Tensor, " n"]) -> tuple[float, float, float]:
    """Least-squares slope and intercept of y on x, and r2 = 1 - SS_residual / SS_total
    (the fraction of y's variance the line explains; r squared, not r). Python floats.
    """
    xc, yc = x - x.mean(), y - y.mean()
    slope = (xc * yc).sum() / (xc * xc).sum()
    intercept = y.mean() - slope * x.mean()
    residual = y - (slope * x + intercept)
    return float(slope), float(intercept), float(1 - (residual**2).sum() / (yc**2).sum())


def negative_elevation_mask(tokens: Int[Tensor, "batch pos"]) -> Bool[Tensor, "batch pos"]:
    """True at every bracket position whose elevation (counted from the left, from the
    first bracket up to and including this one) is negative; False at [START], [PAD]
    and every other position. Same layout as `tokens`.
    """
    steps = (tokens == OPEN).long() - (tokens == CLOSE).long()
    is_bracket = (tokens == OPEN) | (tokens == CLOSE)
    return (steps.cumsum(dim=-1) < 0) & is_bracket


def attention_share(
    pattern: Float[Tensor, "batch head query key"], mask: Bool[Tensor, "batch key"]
) -> Float[Tensor, "batch head"]:
    """For each string and head: the total attention weight that query 0 (the
    classification position) puts on keys where `mask` is True.
    """
    return (pattern[:, :, 0] * mask[:, None, :]).sum(dim=-1)


def misclassified(model: HookedTransformer, strings: Sequence[str], batch_size: int = 500) -> list[str]:
    """The strings whose verdict (balanced iff logit[1] > logit[0] at position 0)
    differs from is_balanced, in the order given. Runs the model on batches of at most
    `batch_size` strings.
    """
    wrong = []
    for i in range(0, len(strings), batch_size):
        chunk = list(strings[i : i + batch_size])
        verdict = (model(tokenize(chunk))[:, 0].argmax(-1) == 1).tolist()
        wrong += [s for s, v in zip(chunk, verdict) if v != is_balanced(s)]
    return wrong
