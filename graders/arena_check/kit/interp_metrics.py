"""Interpretability metrics for any ``HookedTransformer``: induction, previous-token, composition.

These are the numbers the book, the zoo's training scripts and the tests use to say "this model
has induction heads", so they live in one place and are written for any model (the zoo's
``attn-only-2l`` and SmolLM2 alike), not for one checkpoint.

The probe data is the classic one from Olsson et al. (2022), "In-context learning and induction
heads": a BOS token, then a segment ``r`` of uniformly random tokens, then ``r`` again. Nothing but
in-context copying can predict the second copy, so attention that goes to "the token after the
earlier occurrence of my token" is induction, not a memorised pattern.

* :func:`repeated_random_tokens` — seeded ``[BOS, r, r, filler]`` batches with a per-row length
  ``L``; rows are right-filled with random tokens so that different lengths share one tensor
  (attention is causal, so the filler never changes what the scored positions see).
* :func:`induction_scores`, :func:`prev_token_scores` — per-head mean attention to the induction
  target ``i - L + 1`` (positions ``i`` of the second copy) and to ``i - 1``.
* :func:`head_scores` — runs the model once and returns both ``[layer, head]`` tables.
* :func:`repeat_losses` — mean loss on the first and on the second copy (the in-context drop).
* :func:`composition_score`, :func:`composition_scores` — Q-, K- and V-composition between heads
  of two layers (Elhage et al. 2021, "A Mathematical Framework for Transformer Circuits");
  :func:`random_composition_scores` / :func:`random_composition_baseline` — the same score for
  random matrices of the same shapes, the baseline a real score must clear.
* :func:`zero_ablation_hook` — a hook that zeroes one head's output (``hook_z``), for ablations.

Conventions (TransformerLens, row vectors): a head reads the residual stream ``x`` (a row) and writes
``x @ W_OV`` with ``W_OV = W_V @ W_O`` (``d_model × d_model``); its attention score between a query
residual ``q`` and a key residual ``k`` is ``q @ W_QK @ k.T`` with ``W_QK = W_Q @ W_K.T``.
Biases, layer norms and positional terms are left out, as in the paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from jaxtyping import Float, Int
from torch import Tensor

CompositionKind = Literal["Q", "K", "V"]


@dataclass(frozen=True)
class RepeatedTokens:
    """A ``[prefix, r, r, filler]`` batch and what is needed to score it.

    ``tokens[b, prefix_len : prefix_len + L]`` is ``r`` and the next ``L`` positions repeat it,
    where ``L = lengths[b]``; everything after ``prefix_len + 2 L`` is filler.
    """

    tokens: Int[Tensor, "batch pos"]
    lengths: Int[Tensor, " batch"]
    prefix_len: int


def repeated_random_tokens(
    batch: int,
    min_len: int,
    max_len: int,
    vocab: Int[Tensor, " n_tokens"] | int,
    *,
    bos: int | None,
    seed: int,
) -> RepeatedTokens:
    """Seeded ``[BOS, r, r]`` sequences with ``L`` drawn uniformly from ``min_len..max_len`` per row.

    ``vocab`` is either the vocabulary size (every id ``0..vocab-1`` may be drawn) or a 1-D tensor
    of the ids allowed in ``r`` — pass the non-special ids so a BOS or EOS never appears mid-row.
    ``bos=None`` gives sequences without a prefix. Uses its own ``torch.Generator``, so the global
    random state is untouched.
    """
    if not 1 <= min_len <= max_len:
        raise ValueError(f"need 1 <= min_len <= max_len, got {min_len}, {max_len}")
    gen = torch.Generator().manual_seed(seed)
    allowed = torch.arange(vocab) if isinstance(vocab, int) else vocab.to(torch.long)
    lengths = torch.randint(min_len, max_len + 1, (batch,), generator=gen)
    prefix_len = 0 if bos is None else 1
    seq_len = prefix_len + 2 * max_len
    draws = allowed[torch.randint(len(allowed), (batch, seq_len), generator=gen)]
    tokens = draws.clone()
    for b, length in enumerate(lengths.tolist()):
        segment = draws[b, prefix_len : prefix_len + length]
        tokens[b, prefix_len + length : prefix_len + 2 * length] = segment
    if bos is not None:
        tokens[:, 0] = bos
    return RepeatedTokens(tokens, lengths, prefix_len)


def _second_copy_mask(data: RepeatedTokens) -> Float[Tensor, "batch pos"]:
    """1.0 at positions of the second copy of ``r`` (where induction can predict), else 0.0."""
    pos = torch.arange(data.tokens.shape[1])
    start = (data.prefix_len + data.lengths)[:, None]
    return ((pos >= start) & (pos < start + data.lengths[:, None])).float()


def induction_scores(
    pattern: Float[Tensor, "batch head query key"], data: RepeatedTokens
) -> Float[Tensor, " head"]:
    """Mean attention from each second-copy position ``i`` to ``i - L + 1``, per head.

    ``i - L + 1`` is the token that followed the earlier occurrence of token ``i``: an ideal
    induction head puts all its attention there (score 1.0); a head that ignores content scores
    about ``1 / i``.
    """
    batch, _, n_query, _ = pattern.shape
    mask = _second_copy_mask(data)[:, :n_query]
    query = torch.arange(n_query)
    target = (query[None, :] - data.lengths[:, None] + 1).clamp(min=0)  # [batch, query]
    index = target[:, None, :, None].expand(batch, pattern.shape[1], n_query, 1)
    to_target = pattern.gather(-1, index).squeeze(-1)  # [batch, head, query]
    return (to_target * mask[:, None, :]).sum((0, 2)) / mask.sum()


def prev_token_scores(
    pattern: Float[Tensor, "batch head query key"], data: RepeatedTokens | None = None
) -> Float[Tensor, " head"]:
    """Mean attention from position ``i`` to ``i - 1``, per head.

    Averaged over the positions after the prefix up to the end of the second copy when ``data`` is
    given (the random tokens, where only position can tell a head where the previous token is);
    over every position ``i >= 1`` otherwise.
    """
    n_query = pattern.shape[2]
    to_prev = pattern.diagonal(offset=-1, dim1=-2, dim2=-1)  # [batch, head, query - 1]
    if data is None:
        return to_prev.mean((0, 2))
    pos = torch.arange(1, n_query)
    end = (data.prefix_len + 2 * data.lengths)[:, None]
    mask = ((pos[None, :] >= data.prefix_len) & (pos[None, :] < end)).float()
    return (to_prev * mask[:, None, :]).sum((0, 2)) / mask.sum()


@dataclass(frozen=True)
class HeadScores:
    """Per-head scores on one batch, both ``[layer, head]``."""

    induction: Float[Tensor, "layer head"]
    prev_token: Float[Tensor, "layer head"]

    def best(self, table: Literal["induction", "prev_token"], layer: int) -> tuple[int, float]:
        """(head index, score) of the highest-scoring head of ``layer`` in ``table``."""
        row = getattr(self, table)[layer]
        head = int(row.argmax())
        return head, float(row[head])


@torch.inference_mode()
def head_scores(
    model, data: RepeatedTokens, fwd_hooks: list[tuple[str, Callable]] | None = None
) -> HeadScores:
    """Induction and previous-token score of every head of ``model`` on ``data``.

    Only the attention patterns are kept (not the whole cache), so this is cheap even for SmolLM2.
    ``fwd_hooks`` (TransformerLens ``(name, fn)`` pairs) stay active during the run, e.g. an
    ablation from :func:`zero_ablation_hook`.
    """
    patterns: dict[int, Tensor] = {}

    def keep(pattern: Tensor, hook) -> None:
        patterns[hook.layer()] = pattern.detach().float()

    hooks = [(lambda name: name.endswith("attn.hook_pattern"), keep), *(fwd_hooks or [])]
    model.run_with_hooks(data.tokens, return_type=None, fwd_hooks=hooks)
    layers = range(model.cfg.n_layers)
    return HeadScores(
        induction=torch.stack([induction_scores(patterns[layer], data) for layer in layers]),
        prev_token=torch.stack([prev_token_scores(patterns[layer], data) for layer in layers]),
    )


@torch.inference_mode()
def repeat_losses(
    model, data: RepeatedTokens, fwd_hooks: list[tuple[str, Callable]] | None = None
) -> tuple[float, float]:
    """Mean next-token loss (nats) predicting the first copy and predicting the second copy.

    The first copy is unpredictable (about ``ln(#allowed tokens)``); a model with working induction
    heads predicts the second copy far better. The first token of each copy is excluded from both
    (it cannot be predicted from what precedes it in either copy).
    """
    logits = model.run_with_hooks(data.tokens, return_type="logits", fwd_hooks=fwd_hooks or [])
    logprobs = logits[:, :-1].float().log_softmax(-1)
    target = data.tokens[:, 1:]
    loss = -logprobs.gather(-1, target[..., None]).squeeze(-1)  # loss at predicted position p+1
    pos = torch.arange(1, data.tokens.shape[1])[None, :]
    lengths = data.lengths[:, None]
    first = (pos > data.prefix_len) & (pos < data.prefix_len + lengths)
    second = (pos > data.prefix_len + lengths) & (pos < data.prefix_len + 2 * lengths)
    return float(loss[first].mean()), float(loss[second].mean())


def zero_ablation_hook(layer: int, head: int) -> tuple[str, Callable]:
    """A TransformerLens forward hook that sets one head's output ``z`` to zero."""

    def ablate(z: Float[Tensor, "batch pos head d_head"], hook) -> Tensor:
        z = z.clone()
        z[:, :, head] = 0.0
        return z

    return f"blocks.{layer}.attn.hook_z", ablate


def composition_score(
    w_a: Float[Tensor, "d_model d_model"], w_b: Float[Tensor, "d_model d_model"]
) -> float:
    """``||W_A W_B||_F / (||W_A||_F ||W_B||_F)`` — how much of ``W_A``'s output ``W_B`` reads.

    In row-vector convention ``W_A`` is the earlier head's ``W_OV`` and ``W_B`` the later head's
    ``W_QK`` (Q-composition), ``W_QK.T`` (K-composition) or ``W_OV`` (V-composition). The score is
    at most 1 (sub-multiplicativity of the Frobenius norm) and is large when ``W_A``'s output
    space lines up with the directions ``W_B`` reads.
    """
    return float(
        torch.linalg.matrix_norm(w_a @ w_b)
        / (torch.linalg.matrix_norm(w_a) * torch.linalg.matrix_norm(w_b))
    )


def _ov_qk(model, layer: int) -> tuple[Tensor, Tensor]:
    """``W_OV`` and ``W_QK`` of every head of ``layer``, each ``[head, d_model, d_model]``."""
    w_ov = model.W_V[layer] @ model.W_O[layer]
    w_qk = model.W_Q[layer] @ model.W_K[layer].transpose(-1, -2)
    return w_ov.detach().float(), w_qk.detach().float()


def composition_scores(
    model, kind: CompositionKind, src_layer: int = 0, dst_layer: int = 1
) -> Float[Tensor, "src_head dst_head"]:
    """Composition score between every head of ``src_layer`` and every head of ``dst_layer``.

    Following Elhage et al. (2021), with the earlier head's ``W_OV`` as ``W_A``:

    * ``"Q"``: ``W_B = W_QK`` of the later head (the earlier head writes into its queries);
    * ``"K"``: ``W_B = W_QK.T`` (into its keys — a previous-token head feeding an induction head);
    * ``"V"``: ``W_B = W_OV`` (into its values).

    The paper writes column vectors, ``||W_QK^T W_OV|| / (||W_QK|| ||W_OV||)`` for K; with row
    vectors the same product appears transposed, ``W_OV W_QK^T``, and has the same norm.
    Compare the result with :func:`random_composition_baseline`: unrelated low-rank matrices
    already score well above zero.
    """
    ov_src, _ = _ov_qk(model, src_layer)
    ov_dst, qk_dst = _ov_qk(model, dst_layer)
    reader = {"Q": qk_dst, "K": qk_dst.transpose(-1, -2), "V": ov_dst}[kind]
    return torch.tensor(
        [[composition_score(a, b) for b in reader] for a in ov_src], dtype=torch.float32
    )


def random_composition_scores(
    d_model: int, d_head: int, *, n_samples: int = 200, seed: int = 0
) -> Float[Tensor, " sample"]:
    """Composition scores of independent random matrices shaped like a head's ``W_OV`` and ``W_QK``.

    Each matrix is a product of two Gaussian factors (``d_model × d_head`` times
    ``d_head × d_model``), so it has the rank of a real head's matrix. For independent random
    directions the score concentrates around ``1 / sqrt(d_model)`` — well above 0, which is why a
    composition score means something only next to this baseline.
    """
    gen = torch.Generator().manual_seed(seed)

    def low_rank() -> Tensor:
        left = torch.randn(d_model, d_head, generator=gen)
        right = torch.randn(d_head, d_model, generator=gen)
        return left @ right

    return torch.tensor([composition_score(low_rank(), low_rank()) for _ in range(n_samples)])


def random_composition_baseline(
    d_model: int, d_head: int, *, n_samples: int = 200, seed: int = 0
) -> float:
    """Mean of :func:`random_composition_scores` (the number to compare a real pair with)."""
    return float(random_composition_scores(d_model, d_head, n_samples=n_samples, seed=seed).mean())
