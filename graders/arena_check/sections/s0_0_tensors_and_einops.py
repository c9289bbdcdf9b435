"""Checks for section 0.0 — tensors and einops.

Every check compares the learner's function with the reference on several inputs: random seeds,
the smallest sizes (batch 1, length 1, a single element), square shapes (where a wrong axis or a
missing ``keepdim`` runs without error but gives wrong numbers) and other dtypes. Inputs are built
inside the checks, never at import time: the grader imports this module in a parent process that
must not run tensor code before it forks.
"""

from __future__ import annotations

import torch

from arena_check.reference import s0_0_tensors_and_einops as ref
from arena_check.registry import check
from arena_check.testing import Case, CheckFailed, call, compare_to_reference, expect_tensor, seeded

SECTION = "0.0"

def _randn(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=seeded(seed), dtype=dtype)


def _randint(high: int, *shape: int, seed: int) -> torch.Tensor:
    return torch.randint(0, high, shape, generator=seeded(seed))


# ------------------------------------------------------------------------------------------
# Part 1 · einops
# ------------------------------------------------------------------------------------------
@check(SECTION, "images_to_grid", points=2)
def check_images_to_grid(images_to_grid) -> None:
    """Grids of several sizes, including square grids, one image, one column and uint8 images."""
    cases: list[Case] = [
        ("6 images of shape (3, 4, 5), rows=2, seed 0", (_randn(6, 3, 4, 5, seed=0), 2)),
        ("6 images of shape (3, 4, 5), rows=3, seed 1", (_randn(6, 3, 4, 5, seed=1), 3)),
        ("4 images of shape (1, 2, 2), rows=2 (a square 2×2 grid)", (_randn(4, 1, 2, 2, seed=2), 2)),
        ("9 images of shape (2, 3, 3), rows=3 (a square 3×3 grid)", (_randn(9, 2, 3, 3, seed=3), 3)),
        ("a single image of shape (3, 2, 4), rows=1", (_randn(1, 3, 2, 4, seed=4), 1)),
        ("3 images of shape (2, 3, 3), rows=3 (one column)", (_randn(3, 2, 3, 3, seed=5), 3)),
        (
            "4 uint8 images of shape (3, 2, 2), rows=2",
            (torch.randint(0, 256, (4, 3, 2, 2), generator=seeded(6), dtype=torch.uint8), 2),
        ),
    ]
    compare_to_reference(
        images_to_grid, ref.images_to_grid, cases, name="images_to_grid",
        hint="image i belongs in grid row i // cols and grid column i % cols, so split the batch as "
        "(rows cols) — rows first — and put each grid index *before* the pixel index it merges with: "
        "(rows height), (cols width). Channels go last.",
    )


@check(SECTION, "patchify", points=2)
def check_patchify(patchify) -> None:
    """Several patch sizes, including one patch per image and 1×1 patches."""
    cases: list[Case] = [
        ("images of shape (2, 3, 4, 6), patch=2, seed 0", (_randn(2, 3, 4, 6, seed=0), 2)),
        ("images of shape (3, 2, 6, 6), patch=3, seed 1", (_randn(3, 2, 6, 6, seed=1), 3)),
        ("images of shape (1, 2, 4, 4), patch=2, seed 2", (_randn(1, 2, 4, 4, seed=2), 2)),
        ("images of shape (1, 1, 4, 4), patch=4 (one patch per image)", (_randn(1, 1, 4, 4, seed=3), 4)),
        ("images of shape (2, 3, 2, 3), patch=1 (every pixel a patch)", (_randn(2, 3, 2, 3, seed=4), 1)),
    ]
    compare_to_reference(
        patchify, ref.patchify, cases, name="patchify",
        hint="split height into (patch_row p1) and width into (patch_col p2); number the patches "
        "(patch_row patch_col) and flatten each one as (channel p1 p2). A plain reshape cannot do "
        "this: the axes must be reordered, not just regrouped.",
    )


def _pool_cases(seed: int, dtype: torch.dtype = torch.float32) -> list[Case]:
    return [
        ("images of shape (2, 3, 4, 6), size=2", (_randn(2, 3, 4, 6, seed=seed, dtype=dtype), 2)),
        ("images of shape (1, 2, 6, 6), size=3", (_randn(1, 2, 6, 6, seed=seed + 1, dtype=dtype), 3)),
        ("images of shape (2, 1, 3, 3), size=1 (no pooling)", (_randn(2, 1, 3, 3, seed=seed + 2, dtype=dtype), 1)),
        ("images of shape (1, 2, 4, 4), size=4 (one window)", (_randn(1, 2, 4, 4, seed=seed + 3, dtype=dtype), 4)),
    ]


@check(SECTION, "pool2d", points=1)
def check_pool2d_max(pool2d) -> None:
    """mode="max" on several window sizes, float32 and float64."""
    cases = _pool_cases(10) + _pool_cases(20, torch.float64)
    for context, (images, size) in cases:
        got = call(pool2d, images, size, "max", name="pool2d")
        expect_tensor(
            got, ref.pool2d(images, size, "max"), context=f"{context}, mode='max', {images.dtype}",
            hint="each output pixel is the max over its own size×size window: split height as "
            "(h size) — the window index first — and reduce the inner axes. Pool each channel "
            "separately and keep the input's dtype.",
        )


@check(SECTION, "pool2d", points=1)
def check_pool2d_mean(pool2d) -> None:
    """mode="mean" on several window sizes, float32 and float64."""
    cases = _pool_cases(30) + _pool_cases(40, torch.float64)
    for context, (images, size) in cases:
        got = call(pool2d, images, size, "mean", name="pool2d")
        expect_tensor(
            got, ref.pool2d(images, size, "mean"), context=f"{context}, mode='mean', {images.dtype}",
            hint="use the `mode` argument: reduce(..., mode) accepts the strings 'max' and 'mean'. "
            "Each window is size×size pixels of one channel.",
        )


@check(SECTION, "upsample_nearest", points=1)
def check_upsample_nearest(upsample_nearest) -> None:
    """Several factors, a single pixel, factor 1 and integer images."""
    cases: list[Case] = [
        ("images of shape (2, 3, 2, 3), factor=2, seed 0", (_randn(2, 3, 2, 3, seed=0), 2)),
        ("images of shape (1, 1, 3, 3), factor=3, seed 1", (_randn(1, 1, 3, 3, seed=1), 3)),
        ("a single pixel, shape (1, 1, 1, 1), factor=4", (_randn(1, 1, 1, 1, seed=2), 4)),
        ("images of shape (2, 2, 2, 2), factor=1 (unchanged)", (_randn(2, 2, 2, 2, seed=3), 1)),
        ("int64 images of shape (1, 2, 2, 3), factor=2", (_randint(10, 1, 2, 2, 3, seed=4), 2)),
    ]
    compare_to_reference(
        upsample_nearest, ref.upsample_nearest, cases, name="upsample_nearest",
        hint="out[y, x] = images[y // factor, x // factor]: the copies of one pixel must be "
        "neighbours, so the new axis goes *after* the spatial axis, (h factor). (factor h) tiles "
        "the whole image instead. Upsample both height and width.",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · einsum
# ------------------------------------------------------------------------------------------
@check(SECTION, "matrix_trace", points=1)
def check_matrix_trace(matrix_trace) -> None:
    """Random square matrices, a 1×1 matrix and float64."""
    cases: list[Case] = [
        ("a (3, 3) matrix, seed 0", (_randn(3, 3, seed=0),)),
        ("a (5, 5) matrix, seed 1", (_randn(5, 5, seed=1),)),
        ("a (1, 1) matrix", (torch.tensor([[2.5]]),)),
        ("a float64 (4, 4) matrix, seed 2", (_randn(4, 4, seed=2, dtype=torch.float64),)),
    ]
    compare_to_reference(
        matrix_trace, ref.matrix_trace, cases, name="matrix_trace",
        hint="the trace sums only the diagonal, mat[i, i]. In einsum a repeated name in one input, "
        "'i i', walks the diagonal; an empty output '-> ' sums it to a scalar of shape ().",
    )


@check(SECTION, "mat_vec", points=1)
def check_mat_vec(mat_vec) -> None:
    """Rectangular and square matrices, 1×1 and float64."""
    cases: list[Case] = [
        ("mat (3, 4) and vec (4,), seed 0", (_randn(3, 4, seed=0), _randn(4, seed=1))),
        ("a square mat (4, 4) and vec (4,), seed 2", (_randn(4, 4, seed=2), _randn(4, seed=3))),
        ("mat (1, 1) and vec (1,)", (torch.tensor([[3.0]]), torch.tensor([-2.0]))),
        ("float64 mat (2, 5) and vec (5,), seed 4", (_randn(2, 5, seed=4, dtype=torch.float64), _randn(5, seed=5, dtype=torch.float64))),
    ]
    compare_to_reference(
        mat_vec, ref.mat_vec, cases, name="mat_vec",
        hint="out[i] = sum_j mat[i, j] * vec[j]: the vector pairs with the matrix's *second* "
        "(column) index, and the first index survives.",
    )


@check(SECTION, "mat_mul", points=1)
def check_mat_mul(mat_mul) -> None:
    """Rectangular and square matrices, inner and outer degenerate shapes, float64."""
    cases: list[Case] = [
        ("a (2, 3) and b (3, 4), seed 0", (_randn(2, 3, seed=0), _randn(3, 4, seed=1))),
        ("square a (3, 3) and b (3, 3), seed 2", (_randn(3, 3, seed=2), _randn(3, 3, seed=3))),
        ("a (1, 5) and b (5, 1)", (_randn(1, 5, seed=4), _randn(5, 1, seed=5))),
        ("a (4, 1) and b (1, 4)", (_randn(4, 1, seed=6), _randn(1, 4, seed=7))),
        ("float64 a (2, 2) and b (2, 3), seed 8", (_randn(2, 2, seed=8, dtype=torch.float64), _randn(2, 3, seed=9, dtype=torch.float64))),
    ]
    compare_to_reference(
        mat_mul, ref.mat_mul, cases, name="mat_mul",
        hint="out[i, j] = sum_k a[i, k] * b[k, j]: the shared name is a's *last* axis and b's "
        "*first*; the output is (rows of a, columns of b), in that order.",
    )


@check(SECTION, "outer_product", points=1)
def check_outer_product(outer_product) -> None:
    """Different and equal lengths, length 1, float64."""
    cases: list[Case] = [
        ("u (3,) and v (4,), seed 0", (_randn(3, seed=0), _randn(4, seed=1))),
        ("u (3,) and v (3,), seed 2", (_randn(3, seed=2), _randn(3, seed=3))),
        ("u (1,) and v (1,)", (torch.tensor([2.0]), torch.tensor([-3.0]))),
        ("float64 u (2,) and v (5,), seed 4", (_randn(2, seed=4, dtype=torch.float64), _randn(5, seed=5, dtype=torch.float64))),
    ]
    compare_to_reference(
        outer_product, ref.outer_product, cases, name="outer_product",
        hint="out[i, j] = u[i] * v[j]: rows follow u, columns follow v, and nothing is summed — "
        "both names appear in the output.",
    )


@check(SECTION, "attention_scores", points=2)
def check_attention_scores(attention_scores) -> None:
    """Different numbers of queries and keys, equal ones, a single position and float64."""
    cases: list[Case] = [
        ("q (2, 3, 4, 5) and k (2, 3, 6, 5), seed 0", (_randn(2, 3, 4, 5, seed=0), _randn(2, 3, 6, 5, seed=1))),
        ("q (1, 2, 4, 4) and k (1, 2, 4, 4) (as many positions as d_head)", (_randn(1, 2, 4, 4, seed=2), _randn(1, 2, 4, 4, seed=3))),
        ("q (2, 2, 5, 3) and k (2, 2, 5, 3), seed 4", (_randn(2, 2, 5, 3, seed=4), _randn(2, 2, 5, 3, seed=5))),
        ("q (1, 1, 1, 4) and k (1, 1, 1, 4) (one position)", (_randn(1, 1, 1, 4, seed=6), _randn(1, 1, 1, 4, seed=7))),
        ("float64 q (1, 3, 2, 6) and k (1, 3, 3, 6), seed 8", (_randn(1, 3, 2, 6, seed=8, dtype=torch.float64), _randn(1, 3, 3, 6, seed=9, dtype=torch.float64))),
    ]
    compare_to_reference(
        attention_scores, ref.attention_scores, cases, name="attention_scores",
        hint="sum over d_head only; keep batch and head; the output is indexed "
        "(batch, head, q_pos, k_pos) — queries are rows. Do not scale by sqrt(d_head) here.",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · broadcasting
# ------------------------------------------------------------------------------------------
@check(SECTION, "standardize", points=2)
def check_standardize(standardize) -> None:
    """Random and square inputs, extra leading axes, tiny variances, a custom eps and constant rows."""
    cases: list[Case] = [
        ("x of shape (4, 6), seed 0", (_randn(4, 6, seed=0),)),
        ("a square x of shape (4, 4), seed 1", (_randn(4, 4, seed=1) * 3 + 2,)),
        ("x of shape (2, 5, 5), seed 2", (_randn(2, 5, 5, seed=2),)),
        ("x of shape (3, 8) with standard deviation 0.001 (eps matters)", (1e-3 * _randn(3, 8, seed=3),)),
        ("x of shape (2, 4), seed 4, with eps=0.5", (_randn(2, 4, seed=4), 0.5)),
        ("constant rows, x of shape (2, 3)", (torch.tensor([[5.0, 5.0, 5.0], [-1.0, -1.0, -1.0]]),)),
        ("x of shape (3, 1) (a single feature)", (_randn(3, 1, seed=5),)),
        ("float64 x of shape (3, 7), seed 6", (_randn(3, 7, seed=6, dtype=torch.float64),)),
    ]
    compare_to_reference(
        standardize, ref.standardize, cases, name="standardize",
        hint="reduce over the last axis with keepdim=True so mean and var broadcast along each row; "
        "use the biased variance (divide by d: correction=0); and put eps inside "
        "the square root, (x - mean) / sqrt(var + eps). Use the eps argument.",
    )


@check(SECTION, "causal_mask", points=1)
def check_causal_mask(causal_mask) -> None:
    """Lengths 1, 2, 5 and 8; must be a bool tensor."""
    for n in (1, 2, 5, 8):
        got = call(causal_mask, n, name="causal_mask")
        expect_tensor(
            got, ref.causal_mask(n), context=f"seq_len={n}",
            hint="out[i, j] is True exactly when j <= i: query i (the row) may see key j (the "
            "column) if it is not in the future — the diagonal included. Return torch.bool "
            "(a comparison gives bool; torch.tril(torch.ones(...)) gives floats).",
        )


@check(SECTION, "pairwise_distances", points=2)
def check_pairwise_distances(pairwise_distances) -> None:
    """Different and equal set sizes, single points, identical points and float64."""
    cases: list[Case] = [
        ("x (5, 3) and y (4, 3), seed 0", (_randn(5, 3, seed=0), _randn(4, 3, seed=1))),
        ("x (4, 2) and y (4, 2), seed 2", (_randn(4, 2, seed=2), _randn(4, 2, seed=3))),
        ("x (1, 3) and y (1, 3)", (torch.tensor([[0.0, 3.0, 0.0]]), torch.tensor([[4.0, 0.0, 0.0]]))),
        ("x (2, 1) and y (3, 1) (one dimension)", (torch.tensor([[0.0], [2.0]]), torch.tensor([[-1.0], [2.5], [7.0]]))),
        ("float64 x (3, 6) and y (5, 6), seed 4", (_randn(3, 6, seed=4, dtype=torch.float64), _randn(5, 6, seed=5, dtype=torch.float64))),
    ]
    compare_to_reference(
        pairwise_distances, ref.pairwise_distances, cases, name="pairwise_distances",
        hint="out[i, j] = sqrt(sum_k (x[i, k] - y[j, k])**2): broadcast x as (n, 1, d) against y "
        "as (1, m, d), square, sum over d, and take the square root — a distance, not its square.",
    )
    # Identical points, far from the origin: the distance to itself must be exactly 0. The
    # expanded formula |x|² + |y|² - 2x·y cancels large numbers here: it is off by about 0.01
    # and can even dip below 0, where sqrt gives NaN.
    x = 10 + _randn(6, 4, seed=8)
    got = call(pairwise_distances, x, x, name="pairwise_distances")
    expect_tensor(
        got, ref.pairwise_distances(x, x), context="x (6, 4) with values near 10, against itself (0 on the diagonal)",
        hint="a point is at distance 0 from itself. Subtract first, (x[:, None] - y[None]), then "
        "square: expanding |x - y|² = |x|² + |y|² - 2x·y subtracts nearly equal large numbers, "
        "which loses precision and can go negative (sqrt of a negative is NaN).",
    )


# ------------------------------------------------------------------------------------------
# Part 4 · softmax, logsumexp, log-softmax
# ------------------------------------------------------------------------------------------
def _masked_row() -> torch.Tensor:
    return torch.tensor([[0.5, float("-inf"), 2.0, float("-inf")], [float("-inf"), 1.0, 1.0, -3.0]])


@check(SECTION, "softmax", points=1)
def check_softmax(softmax) -> None:
    """Random, square and 3-D inputs, a single element, -inf entries and float64."""
    cases: list[Case] = [
        ("x of shape (4, 7), seed 0", (_randn(4, 7, seed=0),)),
        ("a square x of shape (5, 5), seed 1", (3 * _randn(5, 5, seed=1),)),
        ("x of shape (2, 3, 6), seed 2", (_randn(2, 3, 6, seed=2),)),
        ("x of shape (1, 1)", (torch.tensor([[3.0]]),)),
        ("rows with -inf entries (masked positions)", (_masked_row(),)),
        ("float64 x of shape (3, 4), seed 3", (_randn(3, 4, seed=3, dtype=torch.float64),)),
    ]
    compare_to_reference(
        softmax, ref.softmax, cases, name="softmax",
        hint="exponentiate, then divide by the sum over the *last* dimension, with keepdim=True so "
        "each row is divided by its own sum.",
    )
    x = _randn(3, 9, seed=4)
    sums = call(softmax, x, name="softmax").sum(dim=-1)
    expect_tensor(sums, torch.ones(3), context="x of shape (3, 9): the sums of the output rows",
                  hint="every row of a softmax is a probability distribution and sums to 1.")


@check(SECTION, "softmax", points=1)
def check_softmax_is_stable(softmax) -> None:
    """Large inputs (around 1000) must not overflow."""
    cases: list[Case] = [
        ("x of shape (2, 3, 5) with values near 1000", (1000 + _randn(2, 3, 5, seed=5),)),
        ("x of shape (1, 3) = [[1000, 999, 0]]", (torch.tensor([[1000.0, 999.0, 0.0]]),)),
        ("a square x of shape (3, 3) with values near 500", (500 + 10 * _randn(3, 3, seed=6),)),
        ("rows at very different scales, x = [[1000, 999, 998], [0, 1, 2]]", (torch.tensor([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0]]),)),
    ]
    compare_to_reference(
        softmax, ref.softmax, cases, name="softmax",
        hint="exp(1000) overflows to inf and inf / inf is NaN. Subtract each row's *own* maximum "
        "first (x.amax(dim=-1, keepdim=True)) — one global maximum leaves the other rows to "
        "underflow to 0 / 0. The result is mathematically unchanged.",
    )


@check(SECTION, "logsumexp", points=2)
def check_logsumexp(logsumexp) -> None:
    """Random, square and 3-D inputs, huge and tiny values, -inf entries, one element, float64."""
    cases: list[Case] = [
        ("x of shape (4, 7), seed 0", (_randn(4, 7, seed=0),)),
        ("a square x of shape (5, 5), seed 1", (3 * _randn(5, 5, seed=1),)),
        ("x of shape (2, 3, 6), seed 2", (_randn(2, 3, 6, seed=2),)),
        ("x of shape (1, 1)", (torch.tensor([[-4.0]]),)),
        ("x of shape (2, 4) with values near 1000 (exp overflows)", (1000 + _randn(2, 4, seed=3),)),
        ("x of shape (2, 4) with values near -1000 (exp underflows to 0)", (-1000 + _randn(2, 4, seed=4),)),
        ("rows at very different scales, x = [[1000, 999], [-5, 0]]", (torch.tensor([[1000.0, 999.0], [-5.0, 0.0]]),)),
        ("rows with -inf entries (masked positions)", (_masked_row(),)),
        ("float64 x of shape (3, 4), seed 5", (_randn(3, 4, seed=5, dtype=torch.float64),)),
    ]
    compare_to_reference(
        logsumexp, ref.logsumexp, cases, name="logsumexp",
        hint="use log(sum(exp(x))) = m + log(sum(exp(x - m))) with m each row's own maximum: subtract m "
        "(keepdim=True) before exp, and add it back (without the kept axis) after the log. The "
        "output drops the last dimension.",
    )


@check(SECTION, "log_softmax", points=2)
def check_log_softmax(log_softmax) -> None:
    """Random and square inputs, widely spread and huge values, one element, float64."""
    cases: list[Case] = [
        ("x of shape (4, 7), seed 0", (_randn(4, 7, seed=0),)),
        ("a square x of shape (4, 4), seed 1", (3 * _randn(4, 4, seed=1),)),
        ("x of shape (2, 3, 5), seed 2", (_randn(2, 3, 5, seed=2),)),
        ("x of shape (1, 1)", (torch.tensor([[7.0]]),)),
        ("x = [[0, -200], [50, -150]] (softmax underflows to 0)", (torch.tensor([[0.0, -200.0], [50.0, -150.0]]),)),
        ("x of shape (2, 5) with values near 1000", (1000 + _randn(2, 5, seed=3),)),
        ("float64 x of shape (3, 4), seed 4", (_randn(3, 4, seed=4, dtype=torch.float64),)),
    ]
    compare_to_reference(
        log_softmax, ref.log_softmax, cases, name="log_softmax",
        hint="compute x - logsumexp(x) with the logsumexp unsqueezed to (..., 1). Going through "
        "softmax(x).log() turns tiny probabilities into log(0) = -inf.",
    )
    x = _randn(3, 6, seed=5)
    probs = call(log_softmax, x, name="log_softmax").exp().sum(dim=-1)
    expect_tensor(probs, torch.ones(3), context="x of shape (3, 6): the sums of exp(output) over each row",
                  hint="the exponentials of log-probabilities must sum to 1 along the last dimension.")


# ------------------------------------------------------------------------------------------
# Part 5 · indexing and gather
# ------------------------------------------------------------------------------------------
@check(SECTION, "embed", points=1)
def check_embed(embed) -> None:
    """Several batch shapes, one token, a square embedding matrix and float64."""
    cases: list[Case] = [
        ("tokens (2, 3) from a vocabulary of 10, d_model 4, seed 0", (_randint(10, 2, 3, seed=0), _randn(10, 4, seed=1))),
        ("tokens (3, 5) from a vocabulary of 6, d_model 6 (square W_E)", (_randint(6, 3, 5, seed=2), _randn(6, 6, seed=3))),
        ("a single token, tokens (1, 1), d_vocab 5, d_model 3", (torch.tensor([[4]]), _randn(5, 3, seed=4))),
        ("float64 W_E (7, 2) and tokens (2, 4), seed 5", (_randint(7, 2, 4, seed=5), _randn(7, 2, seed=6, dtype=torch.float64))),
    ]
    compare_to_reference(
        embed, ref.embed, cases, name="embed",
        hint="each token id selects a *row* of W_E (shape d_vocab × d_model): indexing W_E with "
        "the whole tokens tensor gives shape tokens.shape + (d_model,).",
    )


@check(SECTION, "gather_logprobs", points=2)
def check_gather_logprobs(gather_logprobs) -> None:
    """Several shapes, as many positions as vocabulary entries, a single position and float64."""

    def case(batch: int, pos: int, vocab: int, seed: int, dtype: torch.dtype = torch.float32):
        logprobs = torch.log_softmax(_randn(batch, pos, vocab, seed=seed, dtype=dtype), dim=-1)
        return logprobs, _randint(vocab, batch, pos, seed=seed + 1)

    cases: list[Case] = [
        ("logprobs (2, 3, 5) and tokens (2, 3), seed 0", case(2, 3, 5, 0)),
        ("logprobs (2, 4, 4) and tokens (2, 4) (pos == d_vocab), seed 2", case(2, 4, 4, 2)),
        ("logprobs (3, 3, 3) and tokens (3, 3), seed 4", case(3, 3, 3, 4)),
        ("logprobs (1, 1, 6) and tokens (1, 1)", case(1, 1, 6, 6)),
        ("float64 logprobs (2, 2, 7) and tokens (2, 2), seed 8", case(2, 2, 7, 8, torch.float64)),
    ]
    compare_to_reference(
        gather_logprobs, ref.gather_logprobs, cases, name="gather_logprobs",
        hint="out[b, p] = logprobs[b, p, tokens[b, p]]: gather along the *last* (vocabulary) axis "
        "with index tokens[..., None], then squeeze that axis so the result is (batch, pos).",
    )


@check(SECTION, "cross_entropy", points=2)
def check_cross_entropy(cross_entropy) -> None:
    """Random and square logits, one example, huge logits, uniform logits and float64."""
    cases: list[Case] = [
        ("logits (4, 5) and targets (4,), seed 0", (_randn(4, 5, seed=0), _randint(5, 4, seed=1))),
        ("square logits (3, 3) and targets (3,), seed 2", (2 * _randn(3, 3, seed=2), _randint(3, 3, seed=3))),
        ("one example, logits (1, 4), target 2", (torch.tensor([[1.0, -1.0, 3.0, 0.0]]), torch.tensor([2]))),
        ("logits (3, 4) of size about 1000, seed 4", (1000 * _randn(3, 4, seed=4), _randint(4, 3, seed=5))),
        ("float64 logits (6, 3), seed 6", (_randn(6, 3, seed=6, dtype=torch.float64), _randint(3, 6, seed=7))),
        ("uniform logits (2, 3), all zero: the loss is log(3)", (torch.zeros(2, 3), torch.tensor([0, 2]))),
    ]
    for context, (logits, targets) in cases:
        got = call(cross_entropy, logits, targets, name="cross_entropy")
        if isinstance(got, torch.Tensor) and got.dim() != 0:
            raise CheckFailed(
                f"For {context}: expected a 0-dimensional tensor (shape ()), got shape {tuple(got.shape)}. "
                "Hint: average the per-example losses with .mean() so the loss is a single number."
            )
        expect_tensor(
            got, ref.cross_entropy(logits, targets), context=context, rtol=1e-4, atol=1e-4,
            hint="the loss is -mean over examples of log_softmax(logits)[b, targets[b]]: log-softmax "
            "over the class axis (the last), the *mean* not the sum, and a minus sign so it is >= 0. "
            "log(softmax(...)) overflows or gives -inf for large logits; use your log_softmax.",
        )
