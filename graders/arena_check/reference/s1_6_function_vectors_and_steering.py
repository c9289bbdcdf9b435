"""GENERATED from book/1_transformer_interp/1.6_function_vectors_and_steering.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import random
from collections.abc import Sequence

import torch
from jaxtyping import Float, Int
from torch import Tensor
from transformer_lens.hook_points import HookPoint

import arena_check
from arena_check.kit import icl


def icl_prompt(demos: Sequence[tuple[str, str]], query: str, sep: str = " ->") -> str:
    """``"x1 -> y1\\nx2 -> y2\\n…\\nquery ->"`` for demos [(x1, y1), (x2, y2), …].

    Each demonstration is ``x + sep + " " + y`` on its own line; the last line is ``query + sep``
    with no trailing space or newline. With no demos the prompt is just ``query + sep``.
    """
    lines = [f"{x}{sep} {y}" for x, y in demos]
    return "\n".join([*lines, f"{query}{sep}"])


def shuffle_outputs(demos: Sequence[tuple[str, str]], seed: int) -> list[tuple[str, str]]:
    """The demos with their outputs permuted: inputs stay in order, each output moves to another
    input (no output stays at its own index), using ``random.Random(seed)``.

    The outputs are assumed distinct. Raises ValueError for fewer than 2 demos (no derangement
    exists). Deterministic for a given seed; ``demos`` is not modified.
    """
    if len(demos) < 2:
        raise ValueError("need at least 2 demonstrations to shuffle their outputs")
    rng = random.Random(seed)
    outputs = [y for _, y in demos]
    while True:
        perm = outputs[:]
        rng.shuffle(perm)
        if all(a != b for a, b in zip(perm, outputs)):
            return [(x, y) for (x, _), y in zip(demos, perm)]


def gather_last(x: Float[Tensor, "batch pos *rest"], lengths: Int[Tensor, " batch"]) -> Float[Tensor, "batch *rest"]:
    """x[b, lengths[b] - 1] for every row b: the last real position of each right-padded row.

    Works for any trailing shape (residual vectors, ``hook_z``'s [head, d_head], logits). Exact.
    """
    return x[torch.arange(x.shape[0]), lengths - 1]


def answer_logprobs(last_logits: Float[Tensor, "batch d_vocab"], answer_ids: Int[Tensor, " batch"]) -> Float[Tensor, " batch"]:
    """log softmax(last_logits[b])[answer_ids[b]] for each row b (natural log, nats)."""
    return last_logits.log_softmax(-1)[torch.arange(len(answer_ids)), answer_ids]


def mean_last_z(z: Float[Tensor, "batch pos head d_head"], lengths: Int[Tensor, " batch"]) -> Float[Tensor, "head d_head"]:
    """The mean over prompts b of z[b, lengths[b] - 1]: every head's average output (before W_O)
    at the last real token. Padding positions never enter the mean."""
    return gather_last(z, lengths).mean(0)


def patch_last_hook(
    z: Float[Tensor, "batch pos head d_head"],
    hook: HookPoint | None,
    mean_z: Float[Tensor, "head d_head"],
    head: int,
    lengths: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos head d_head"]:
    """z with z[b, lengths[b] - 1, head] = mean_z[head] for every row b; every other head and
    position unchanged. Returns a new tensor: neither ``z`` nor ``mean_z`` is modified."""
    out = z.clone()
    out[torch.arange(z.shape[0]), lengths - 1, head] = mean_z[head]
    return out


def top_heads(effects: Float[Tensor, "layer head"], k: int) -> list[tuple[int, int]]:
    """The k (layer, head) pairs with the largest effect (signed: most positive first), as Python
    ints; ties in row-major order (layer, then head)."""
    flat = effects.flatten().argsort(descending=True, stable=True)[:k]
    n_heads = effects.shape[1]
    return [(int(i) // n_heads, int(i) % n_heads) for i in flat]


def function_vector(
    mean_z: Float[Tensor, "layer head d_head"],
    W_O: Float[Tensor, "layer head d_head d_model"],
    heads: Sequence[tuple[int, int]],
) -> Float[Tensor, " d_model"]:
    """sum over (l, h) in heads of mean_z[l, h] @ W_O[l, h]: the heads' mean outputs in the
    residual stream, added. An empty ``heads`` gives the zero vector."""
    out = torch.zeros(W_O.shape[-1], dtype=W_O.dtype)
    for layer, head in heads:
        out = out + mean_z[layer, head] @ W_O[layer, head]
    return out


def add_at_last_hook(
    resid: Float[Tensor, "batch pos d_model"],
    hook: HookPoint | None,
    vector: Float[Tensor, " d_model"],
    lengths: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos d_model"]:
    """resid with ``vector`` added at (b, lengths[b] - 1) for every row b, nothing added elsewhere.
    Returns a new tensor; ``resid`` is not modified."""
    out = resid.clone()
    rows = torch.arange(resid.shape[0])
    out[rows, lengths - 1] = out[rows, lengths - 1] + vector
    return out


def random_vectors_like(vector: Float[Tensor, " d_model"], n: int, seed: int) -> Float[Tensor, "n d_model"]:
    """n vectors in uniformly random directions (normalised standard Gaussians, drawn with
    ``torch.Generator().manual_seed(seed)``), each with exactly the norm of ``vector``, in its dtype."""
    gen = torch.Generator().manual_seed(seed)
    directions = torch.randn(n, vector.shape[0], generator=gen)
    directions = directions / directions.norm(dim=1, keepdim=True)
    return (directions * vector.norm()).to(vector.dtype)


def contrastive_direction(
    positive: Float[Tensor, "n_pairs d_model"], negative: Float[Tensor, "n_pairs d_model"]
) -> Float[Tensor, " d_model"]:
    """mean over pairs i of positive[i] − negative[i] (not normalised: its norm is the size of the
    difference the model actually makes). Raises ValueError if the shapes differ."""
    if positive.shape != negative.shape:
        raise ValueError(f"positive {tuple(positive.shape)} and negative {tuple(negative.shape)} must match")
    return (positive - negative).mean(0)


def sentiment_score(
    last_logits: Float[Tensor, "batch d_vocab"], positive_ids: Sequence[int], negative_ids: Sequence[int]
) -> Float[Tensor, " batch"]:
    """log P(next token in positive_ids) − log P(next token in negative_ids), per row, where each
    P is a *sum* of probabilities over the set (computed stably with logsumexp)."""
    logp = last_logits.log_softmax(-1)
    return (torch.logsumexp(logp[:, list(positive_ids)], -1)
            - torch.logsumexp(logp[:, list(negative_ids)], -1))


def next_token_loss(logits: Float[Tensor, "batch pos d_vocab"], tokens: Int[Tensor, "batch pos"]) -> float:
    """Mean over batch and positions 0 … pos−2 of −log softmax(logits[b, p])[tokens[b, p + 1]],
    as a Python float (nats per token)."""
    logp = logits[:, :-1].log_softmax(-1)
    return -logp.gather(-1, tokens[:, 1:, None]).mean().item()
