"""Checks for section 0.0 — tensors and einops.

Every check compares the learner's function with the reference on several inputs: random seeds,
the smallest sizes (batch 1, length 1, a single element), square shapes (where a wrong axis or a
missing ``keepdim`` runs without error but gives wrong numbers) and other dtypes. Beyond values,
each check enforces what its docstring and the page promise:

* exact equality where the output only moves, copies or selects input values (``exact=True``),
  and where a docstring says "exactly" (a zero distance, a masked probability, a constant row);
* the stub's default arguments (``compare_to_reference`` compares signatures; some cases leave
  the defaulted argument out);
* input scales where a careless formula is visibly wrong rather than hidden in the tolerance:
  logits near ±1000, large offsets for a variance, points far from the origin;
* the rules the page states about how to write it (``require``): einsum for the contractions,
  no Python loops for pairwise distances, no ``torch.logsumexp`` in ``logsumexp``.

Inputs are built inside the checks, never at import time: the grader imports this module in a
parent process that must not run tensor code before it forks.
"""

from __future__ import annotations

import torch

from arena_check.reference import s0_0_tensors_and_einops as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    compare_to_reference,
    expect_tensor,
    randint,
    randn,
    require,
)

SECTION = "0.0"


def _einsum_rule(fn: object, name: str, wording: str) -> None:
    """Part 2 of the page teaches einsum, and each of its exercises says to use it."""
    require(fn, name=name, rule=wording, uses=["einsum"])


# ------------------------------------------------------------------------------------------
# Part 1 · einops — pure data movement: compared exactly
# ------------------------------------------------------------------------------------------
@check(SECTION, "images_to_grid", points=2)
def check_images_to_grid(images_to_grid) -> None:
    """Grids of several sizes, including square grids, one image, one column and uint8 images."""
    cases: list[Case] = [
        ("6 images of shape (3, 4, 5), rows=2, seed 0", (randn(6, 3, 4, 5, seed=0), 2)),
        ("6 images of shape (3, 4, 5), rows=3, seed 1", (randn(6, 3, 4, 5, seed=1), 3)),
        ("4 images of shape (1, 2, 2), rows=2 (a square 2×2 grid)", (randn(4, 1, 2, 2, seed=2), 2)),
        ("9 images of shape (2, 3, 3), rows=3 (a square 3×3 grid)", (randn(9, 2, 3, 3, seed=3), 3)),
        ("a single image of shape (3, 2, 4), rows=1", (randn(1, 3, 2, 4, seed=4), 1)),
        ("3 images of shape (2, 3, 3), rows=3 (one column)", (randn(3, 2, 3, 3, seed=5), 3)),
        ("4 uint8 images of shape (3, 2, 2), rows=2", (randint(256, 4, 3, 2, 2, seed=6, dtype=torch.uint8), 2)),
    ]
    compare_to_reference(
        images_to_grid, ref.images_to_grid, cases, name="images_to_grid", exact=True,
        hint="image i belongs in grid row i // cols and grid column i % cols, so split the batch as "
        "(rows cols) — rows first — and put each grid index *before* the pixel index it merges with: "
        "(rows height), (cols width). Channels go last, and the values are only moved, never changed.",
    )


@check(SECTION, "patchify", points=2)
def check_patchify(patchify) -> None:
    """Several patch sizes, including one patch per image and 1×1 patches."""
    cases: list[Case] = [
        ("images of shape (2, 3, 4, 6), patch=2, seed 0", (randn(2, 3, 4, 6, seed=0), 2)),
        ("images of shape (3, 2, 6, 6), patch=3, seed 1", (randn(3, 2, 6, 6, seed=1), 3)),
        ("images of shape (1, 2, 4, 4), patch=2, seed 2", (randn(1, 2, 4, 4, seed=2), 2)),
        ("images of shape (1, 1, 4, 4), patch=4 (one patch per image)", (randn(1, 1, 4, 4, seed=3), 4)),
        ("images of shape (2, 3, 2, 3), patch=1 (every pixel a patch)", (randn(2, 3, 2, 3, seed=4), 1)),
    ]
    compare_to_reference(
        patchify, ref.patchify, cases, name="patchify", exact=True,
        hint="split height into (patch_row p1) and width into (patch_col p2); number the patches "
        "(patch_row patch_col) and flatten each one as (channel p1 p2). A plain reshape cannot do "
        "this: the axes must be reordered, not just regrouped.",
    )


def _pool_cases(seed: int, mode: str | None, dtype: torch.dtype = torch.float32) -> list[Case]:
    """Pooling cases; ``mode=None`` leaves the argument out, so the default (max) is used."""
    label = "mode left out (default)" if mode is None else f"mode={mode!r}"
    name = "" if dtype is torch.float32 else f"{str(dtype).removeprefix('torch.')} "
    shapes = [
        ((2, 3, 4, 6), 2, ""), ((1, 2, 6, 6), 3, ""), ((2, 1, 3, 3), 1, " (no pooling)"),
        ((1, 2, 4, 4), 4, " (one window)"),
    ]
    cases: list[Case] = []
    for i, (shape, size, note) in enumerate(shapes):
        args = (randn(*shape, seed=seed + i, dtype=dtype), size) + (() if mode is None else (mode,))
        cases.append((f"{name}images of shape {shape}, size={size}{note}, {label}", args))
    return cases


@check(SECTION, "pool2d", points=1)
def check_pool2d_max(pool2d) -> None:
    """mode="max" on several window sizes, float32 and float64, also with mode left to its default."""
    cases = _pool_cases(10, "max") + _pool_cases(20, "max", torch.float64) + _pool_cases(50, None)
    compare_to_reference(
        pool2d, ref.pool2d, cases, name="pool2d", exact=True,
        hint="each output pixel is the max over its own size×size window: split height as "
        "(h size) — the window index first — and reduce the inner axes. Pool each channel "
        "separately, keep the input's dtype, and keep the default mode=\"max\".",
    )


@check(SECTION, "pool2d", points=1)
def check_pool2d_mean(pool2d) -> None:
    """mode="mean" on several window sizes, float32 and float64."""
    cases = _pool_cases(30, "mean") + _pool_cases(40, "mean", torch.float64)
    compare_to_reference(
        pool2d, ref.pool2d, cases, name="pool2d",
        hint="use the `mode` argument: reduce(..., mode) accepts the strings 'max' and 'mean'. "
        "Each window is size×size pixels of one channel.",
    )


@check(SECTION, "upsample_nearest", points=1)
def check_upsample_nearest(upsample_nearest) -> None:
    """Several factors, a single pixel, factor 1 and integer images."""
    cases: list[Case] = [
        ("images of shape (2, 3, 2, 3), factor=2, seed 0", (randn(2, 3, 2, 3, seed=0), 2)),
        ("images of shape (1, 1, 3, 3), factor=3, seed 1", (randn(1, 1, 3, 3, seed=1), 3)),
        ("a single pixel, shape (1, 1, 1, 1), factor=4", (randn(1, 1, 1, 1, seed=2), 4)),
        ("images of shape (2, 2, 2, 2), factor=1 (unchanged)", (randn(2, 2, 2, 2, seed=3), 1)),
        ("int64 images of shape (1, 2, 2, 3), factor=2", (randint(10, 1, 2, 2, 3, seed=4), 2)),
    ]
    compare_to_reference(
        upsample_nearest, ref.upsample_nearest, cases, name="upsample_nearest", exact=True,
        hint="out[y, x] = images[y // factor, x // factor]: the copies of one pixel must be "
        "neighbours, so the new axis goes *after* the spatial axis, (h factor). (factor h) tiles "
        "the whole image instead. Upsample both height and width.",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · einsum — the page says to use it
# ------------------------------------------------------------------------------------------
@check(SECTION, "matrix_trace", points=1)
def check_matrix_trace(matrix_trace) -> None:
    """Random square matrices, a 1×1 matrix, float64 and int64 (the dtype of mat); via einsum."""
    cases: list[Case] = [
        ("a (3, 3) matrix, seed 0", (randn(3, 3, seed=0),)),
        ("a (5, 5) matrix, seed 1", (randn(5, 5, seed=1),)),
        ("a (1, 1) matrix", (torch.tensor([[2.5]]),)),
        ("a float64 (4, 4) matrix, seed 2", (randn(4, 4, seed=2, dtype=torch.float64),)),
        ("an int64 (3, 3) matrix, seed 3 (the trace is an exact int64)", (randint(10, 3, 3, seed=3, low=-9),)),
    ]
    compare_to_reference(
        matrix_trace, ref.matrix_trace, cases, name="matrix_trace",
        hint="the trace sums only the diagonal, mat[i, i]. In einsum a repeated name in one input, "
        "'i i', walks the diagonal; an empty output '-> ' sums it to a scalar of shape (). Keep the "
        "dtype of mat (an integer matrix has an integer trace).",
    )
    _einsum_rule(matrix_trace, "matrix_trace", "Return the trace (sum of the diagonal) of a square matrix, using `einsum`.")


@check(SECTION, "mat_vec", points=1)
def check_mat_vec(mat_vec) -> None:
    """Rectangular and square matrices, 1×1 and float64; via einsum."""
    cases: list[Case] = [
        ("mat (3, 4) and vec (4,), seed 0", (randn(3, 4, seed=0), randn(4, seed=1))),
        ("a square mat (4, 4) and vec (4,), seed 2", (randn(4, 4, seed=2), randn(4, seed=3))),
        ("mat (1, 1) and vec (1,)", (torch.tensor([[3.0]]), torch.tensor([-2.0]))),
        ("float64 mat (2, 5) and vec (5,), seed 4", (randn(2, 5, seed=4, dtype=torch.float64), randn(5, seed=5, dtype=torch.float64))),
    ]
    compare_to_reference(
        mat_vec, ref.mat_vec, cases, name="mat_vec",
        hint="out[i] = sum_j mat[i, j] * vec[j]: the vector pairs with the matrix's *second* "
        "(column) index, and the first index survives.",
    )
    _einsum_rule(mat_vec, "mat_vec", "Multiply a matrix by a vector with `einsum`.")


@check(SECTION, "mat_mul", points=1)
def check_mat_mul(mat_mul) -> None:
    """Rectangular and square matrices, inner and outer degenerate shapes, float64; via einsum."""
    cases: list[Case] = [
        ("a (2, 3) and b (3, 4), seed 0", (randn(2, 3, seed=0), randn(3, 4, seed=1))),
        ("square a (3, 3) and b (3, 3), seed 2", (randn(3, 3, seed=2), randn(3, 3, seed=3))),
        ("a (1, 5) and b (5, 1)", (randn(1, 5, seed=4), randn(5, 1, seed=5))),
        ("a (4, 1) and b (1, 4)", (randn(4, 1, seed=6), randn(1, 4, seed=7))),
        ("float64 a (2, 2) and b (2, 3), seed 8", (randn(2, 2, seed=8, dtype=torch.float64), randn(2, 3, seed=9, dtype=torch.float64))),
    ]
    compare_to_reference(
        mat_mul, ref.mat_mul, cases, name="mat_mul",
        hint="out[i, j] = sum_k a[i, k] * b[k, j]: the shared name is a's *last* axis and b's "
        "*first*; the output is (rows of a, columns of b), in that order.",
    )
    _einsum_rule(mat_mul, "mat_mul", "Multiply two matrices with `einsum`.")


@check(SECTION, "outer_product", points=1)
def check_outer_product(outer_product) -> None:
    """Different and equal lengths, length 1, float64; via einsum."""
    cases: list[Case] = [
        ("u (3,) and v (4,), seed 0", (randn(3, seed=0), randn(4, seed=1))),
        ("u (3,) and v (3,), seed 2", (randn(3, seed=2), randn(3, seed=3))),
        ("u (1,) and v (1,)", (torch.tensor([2.0]), torch.tensor([-3.0]))),
        ("float64 u (2,) and v (5,), seed 4", (randn(2, seed=4, dtype=torch.float64), randn(5, seed=5, dtype=torch.float64))),
    ]
    compare_to_reference(
        outer_product, ref.outer_product, cases, name="outer_product",
        hint="out[i, j] = u[i] * v[j]: rows follow u, columns follow v, and nothing is summed — "
        "both names appear in the output.",
    )
    _einsum_rule(outer_product, "outer_product", "Form the outer product of two vectors with `einsum`.")


@check(SECTION, "attention_scores", points=2)
def check_attention_scores(attention_scores) -> None:
    """Different numbers of queries and keys, equal ones, a single position and float64; via einsum."""
    cases: list[Case] = [
        ("q (2, 3, 4, 5) and k (2, 3, 6, 5), seed 0", (randn(2, 3, 4, 5, seed=0), randn(2, 3, 6, 5, seed=1))),
        ("q (1, 2, 4, 4) and k (1, 2, 4, 4) (as many positions as d_head)", (randn(1, 2, 4, 4, seed=2), randn(1, 2, 4, 4, seed=3))),
        ("q (2, 2, 5, 3) and k (2, 2, 5, 3), seed 4", (randn(2, 2, 5, 3, seed=4), randn(2, 2, 5, 3, seed=5))),
        ("q (1, 1, 1, 4) and k (1, 1, 1, 4) (one position)", (randn(1, 1, 1, 4, seed=6), randn(1, 1, 1, 4, seed=7))),
        ("float64 q (1, 3, 2, 6) and k (1, 3, 3, 6), seed 8", (randn(1, 3, 2, 6, seed=8, dtype=torch.float64), randn(1, 3, 3, 6, seed=9, dtype=torch.float64))),
    ]
    compare_to_reference(
        attention_scores, ref.attention_scores, cases, name="attention_scores",
        hint="sum over d_head only; keep batch and head; the output is indexed "
        "(batch, head, q_pos, k_pos) — queries are rows. Do not scale by sqrt(d_head) here.",
    )
    _einsum_rule(attention_scores, "attention_scores", "Unscaled attention scores, computed with `einsum`.")


# ------------------------------------------------------------------------------------------
# Part 3 · broadcasting
# ------------------------------------------------------------------------------------------
@check(SECTION, "standardize", points=2)
def check_standardize(standardize) -> None:
    """Random and square inputs, extra leading axes, tiny variances, large offsets, eps given and
    left to its default, and constant rows (exactly zero)."""
    cases: list[Case] = [
        ("x of shape (4, 6), seed 0", (randn(4, 6, seed=0),)),
        ("a square x of shape (4, 4), seed 1", (randn(4, 4, seed=1) * 3 + 2,)),
        ("x of shape (2, 5, 5), seed 2", (randn(2, 5, 5, seed=2),)),
        ("x of shape (3, 8) with standard deviation 0.001 (eps, left to its default, matters)", (1e-3 * randn(3, 8, seed=3),)),
        ("x of shape (2, 4), seed 4, with eps=0.5", (randn(2, 4, seed=4), 0.5)),
        ("x of shape (3, 5), seed 7, with eps=0.1 given by keyword", (randn(3, 5, seed=7),), {"eps": 0.1}),
        ("x of shape (3, 1) (a single feature)", (randn(3, 1, seed=5),)),
        ("float64 x of shape (3, 7), seed 6", (randn(3, 7, seed=6, dtype=torch.float64),)),
        ("float64 x of shape (3, 8) near 1e8 (1e8 + noise of std 1), seed 9", (1e8 + randn(3, 8, seed=9, dtype=torch.float64),)),
    ]
    # Far from zero, E[x²] - E[x]² cancels two numbers near 10⁶ (float32; above, 10¹⁶ in float64)
    # and is off by several percent. Correct float32 formulas differ by rounding, up to ~1e-4.
    far: list[Case] = [
        ("x of shape (4, 8) near 1000 (1000 + noise of std 1), seed 8", (1000 + randn(4, 8, seed=8),)),
        ("x of shape (3, 16) near -3000 (-3000 + noise of std 2), seed 10", (-3000 + 2 * randn(3, 16, seed=10),)),
    ]
    hint = (
        "reduce over the last axis with keepdim=True so mean and var broadcast along each row; "
        "use the biased variance (divide by d: correction=0) computed as the mean of squared "
        "deviations — E[x²] - E[x]² loses all precision when the values are far from 0; and put "
        "eps inside the square root, (x - mean) / sqrt(var + eps). Keep the default eps=1e-5."
    )
    compare_to_reference(standardize, ref.standardize, cases, name="standardize", hint=hint)
    compare_to_reference(standardize, ref.standardize, far, name="standardize", hint=hint, atol=1e-3, rtol=1e-3)
    constant = torch.tensor([[5.0, 5.0, 5.0, 5.0], [-1.0, -1.0, -1.0, -1.0], [2.5, 2.5, 2.5, 2.5]])
    context = "constant rows [5, 5, 5, 5], [-1, …], [2.5, …] (each must map to exactly 0)"
    got = call(standardize, constant, name="standardize", context=context)
    expect_tensor(got, torch.zeros_like(constant), context=context, exact=True, hint=hint)


@check(SECTION, "causal_mask", points=1)
def check_causal_mask(causal_mask) -> None:
    """Lengths 1, 2, 5 and 8; must be a bool tensor."""
    cases: list[Case] = [(f"seq_len={n}", (n,)) for n in (1, 2, 5, 8)]
    compare_to_reference(
        causal_mask, ref.causal_mask, cases, name="causal_mask",
        hint="out[i, j] is True exactly when j <= i: query i (the row) may see key j (the "
        "column) if it is not in the future — the diagonal included. Return torch.bool "
        "(a comparison gives bool; torch.tril(torch.ones(...)) gives floats).",
    )


@check(SECTION, "pairwise_distances", points=2)
def check_pairwise_distances(pairwise_distances) -> None:
    """Different and equal set sizes, single points, far-from-origin points, float64; identical
    points exactly 0; no Python loops."""
    hint = (
        "out[i, j] = sqrt(sum_k (x[i, k] - y[j, k])**2): broadcast x as (n, 1, d) against y as "
        "(1, m, d), subtract, square, sum over d, and take the square root — a distance, not its "
        "square. Expanding |x - y|² = |x|² + |y|² - 2x·y subtracts nearly equal large numbers, "
        "which loses precision far from the origin and can go negative (sqrt of a negative is NaN)."
    )
    cases: list[Case] = [
        ("x (5, 3) and y (4, 3), seed 0", (randn(5, 3, seed=0), randn(4, 3, seed=1))),
        ("x (4, 2) and y (4, 2), seed 2", (randn(4, 2, seed=2), randn(4, 2, seed=3))),
        ("x (1, 3) and y (1, 3)", (torch.tensor([[0.0, 3.0, 0.0]]), torch.tensor([[4.0, 0.0, 0.0]]))),
        ("x (2, 1) and y (3, 1) (one dimension)", (torch.tensor([[0.0], [2.0]]), torch.tensor([[-1.0], [2.5], [7.0]]))),
        ("float64 x (3, 6) and y (5, 6), seed 4", (randn(3, 6, seed=4, dtype=torch.float64), randn(5, 6, seed=5, dtype=torch.float64))),
        ("x (5, 4) and y (3, 4) near 1000 (distances about 3), seed 6", (1000 + randn(5, 4, seed=6), 1000 + randn(3, 4, seed=7))),
        ("float64 x (4, 3) and y (3, 3) near 1e7 (distances about 2), seed 9",
         (1e7 + randn(4, 3, seed=9, dtype=torch.float64), 1e7 + randn(3, 3, seed=10, dtype=torch.float64))),
    ]
    compare_to_reference(pairwise_distances, ref.pairwise_distances, cases, name="pairwise_distances", hint=hint)
    # Identical points, far from the origin: "Identical points have distance exactly 0 (never NaN)".
    x = 10 + randn(6, 4, seed=8)
    context = "x (6, 4) with values near 10, against itself (the diagonal must be exactly 0)"
    got = call(pairwise_distances, x, x, name="pairwise_distances", context=context)
    expect_tensor(got, ref.pairwise_distances(x, x), context=context, hint=hint)
    expect_tensor(got.diagonal(), torch.zeros(6), context=context + ", its diagonal", exact=True, hint=hint)
    require(
        pairwise_distances, name="pairwise_distances", no_loops=True,
        rule="Compute the Euclidean distance between every point of one set and every point of "
        "another, without a Python loop.",
    )


# ------------------------------------------------------------------------------------------
# Part 4 · softmax, logsumexp, log-softmax — at scales where a careless formula breaks
# ------------------------------------------------------------------------------------------
def _masked_row() -> torch.Tensor:
    return torch.tensor([[0.5, float("-inf"), 2.0, float("-inf")], [float("-inf"), 1.0, 1.0, -3.0]])


@check(SECTION, "softmax", points=1)
def check_softmax(softmax) -> None:
    """Random, square and 3-D inputs, a single element, -inf entries (exactly 0) and float64."""
    hint = (
        "exponentiate, then divide by the sum over the *last* dimension, with keepdim=True so "
        "each row is divided by its own sum."
    )
    cases: list[Case] = [
        ("x of shape (4, 7), seed 0", (randn(4, 7, seed=0),)),
        ("a square x of shape (5, 5), seed 1", (3 * randn(5, 5, seed=1),)),
        ("x of shape (2, 3, 6), seed 2", (randn(2, 3, 6, seed=2),)),
        ("x of shape (1, 1)", (torch.tensor([[3.0]]),)),
        ("rows with -inf entries (masked positions)", (_masked_row(),)),
        ("float64 x of shape (3, 4), seed 3", (randn(3, 4, seed=3, dtype=torch.float64),)),
    ]
    compare_to_reference(softmax, ref.softmax, cases, name="softmax", hint=hint)
    masked = _masked_row()
    context = "rows with -inf entries (masked positions must get probability exactly 0)"
    got = call(softmax, masked, name="softmax", context=context)
    expect_tensor(
        got[masked.isinf()], torch.zeros(int(masked.isinf().sum())), context=context + ", the masked entries",
        exact=True, hint="exp(-inf) is exactly 0; do not replace -inf by a finite number first.",
    )
    x = randn(3, 9, seed=4)
    sums = call(softmax, x, name="softmax", context="x of shape (3, 9)").sum(dim=-1)
    expect_tensor(sums, torch.ones(3), context="x of shape (3, 9): the sums of the output rows",
                  hint="every row of a softmax is a probability distribution and sums to 1.")


@check(SECTION, "softmax", points=1)
def check_softmax_is_stable(softmax) -> None:
    """Large inputs (around 1000) must not overflow, very negative ones (around -1000) not underflow."""
    cases: list[Case] = [
        ("x of shape (2, 3, 5) with values near 1000", (1000 + randn(2, 3, 5, seed=5),)),
        ("x of shape (1, 3) = [[1000, 999, 0]]", (torch.tensor([[1000.0, 999.0, 0.0]]),)),
        ("a square x of shape (3, 3) with values near 500", (500 + 10 * randn(3, 3, seed=6),)),
        ("rows at very different scales, x = [[1000, 999, 998], [0, 1, 2]]", (torch.tensor([[1000.0, 999.0, 998.0], [0.0, 1.0, 2.0]]),)),
        ("x of shape (2, 4) with values near -1000 (exp underflows to 0)", (-1000 + randn(2, 4, seed=7),)),
    ]
    compare_to_reference(
        softmax, ref.softmax, cases, name="softmax",
        hint="exp(1000) overflows to inf and inf / inf is NaN; exp(-1000) underflows to 0 and 0 / 0 "
        "is NaN. Subtract each row's *own* maximum first (x.amax(dim=-1, keepdim=True)) — one global "
        "maximum leaves the other rows to underflow. The result is mathematically unchanged.",
    )


@check(SECTION, "logsumexp", points=2)
def check_logsumexp(logsumexp) -> None:
    """Random, square and 3-D inputs, huge and tiny values, -inf entries, one element, float64;
    without torch.logsumexp."""
    cases: list[Case] = [
        ("x of shape (4, 7), seed 0", (randn(4, 7, seed=0),)),
        ("a square x of shape (5, 5), seed 1", (3 * randn(5, 5, seed=1),)),
        ("x of shape (2, 3, 6), seed 2", (randn(2, 3, 6, seed=2),)),
        ("x of shape (1, 1)", (torch.tensor([[-4.0]]),)),
        ("x of shape (2, 4) with values near 1000 (exp overflows)", (1000 + randn(2, 4, seed=3),)),
        ("x of shape (2, 4) with values near -1000 (exp underflows to 0)", (-1000 + randn(2, 4, seed=4),)),
        ("rows at very different scales, x = [[1000, 999], [-5, 0]]", (torch.tensor([[1000.0, 999.0], [-5.0, 0.0]]),)),
        ("rows with -inf entries (masked positions)", (_masked_row(),)),
        ("float64 x of shape (3, 4), seed 5", (randn(3, 4, seed=5, dtype=torch.float64),)),
        ("float64 x = [[2000, 0], [-2000, -2001]] (beyond float64's exp range too)",
         (torch.tensor([[2000.0, 0.0], [-2000.0, -2001.0]], dtype=torch.float64),)),
    ]
    compare_to_reference(
        logsumexp, ref.logsumexp, cases, name="logsumexp",
        hint="use log(sum(exp(x))) = m + log(sum(exp(x - m))) with m each row's own maximum: subtract m "
        "(keepdim=True) before exp, and add it back (without the kept axis) after the log. The "
        "output drops the last dimension.",
    )
    require(logsumexp, name="logsumexp", forbids_calls=["torch.logsumexp"], rule="Do not call `torch.logsumexp`.")


@check(SECTION, "log_softmax", points=2)
def check_log_softmax(log_softmax) -> None:
    """Random and square inputs, widely spread and huge values, one element, float64."""
    cases: list[Case] = [
        ("x of shape (4, 7), seed 0", (randn(4, 7, seed=0),)),
        ("a square x of shape (4, 4), seed 1", (3 * randn(4, 4, seed=1),)),
        ("x of shape (2, 3, 5), seed 2", (randn(2, 3, 5, seed=2),)),
        ("x of shape (1, 1)", (torch.tensor([[7.0]]),)),
        ("x = [[0, -200], [50, -150]] (softmax underflows to 0)", (torch.tensor([[0.0, -200.0], [50.0, -150.0]]),)),
        ("x of shape (2, 5) with values near 1000", (1000 + randn(2, 5, seed=3),)),
        ("x = [[0, -1000], [1000, 0]] (softmax underflows even in float64)", (torch.tensor([[0.0, -1000.0], [1000.0, 0.0]]),)),
        ("float64 x of shape (3, 4), seed 4", (randn(3, 4, seed=4, dtype=torch.float64),)),
    ]
    compare_to_reference(
        log_softmax, ref.log_softmax, cases, name="log_softmax",
        hint="compute x - logsumexp(x) with the logsumexp unsqueezed to (..., 1). Going through "
        "softmax(x).log() turns tiny probabilities into log(0) = -inf.",
    )
    x = randn(3, 6, seed=5)
    probs = call(log_softmax, x, name="log_softmax", context="x of shape (3, 6)").exp().sum(dim=-1)
    expect_tensor(probs, torch.ones(3), context="x of shape (3, 6): the sums of exp(output) over each row",
                  hint="the exponentials of log-probabilities must sum to 1 along the last dimension.")


# ------------------------------------------------------------------------------------------
# Part 5 · indexing and gather — selection: compared exactly
# ------------------------------------------------------------------------------------------
@check(SECTION, "embed", points=1)
def check_embed(embed) -> None:
    """Several batch shapes, one token, a square embedding matrix and float64."""
    cases: list[Case] = [
        ("tokens (2, 3) from a vocabulary of 10, d_model 4, seed 0", (randint(10, 2, 3, seed=0), randn(10, 4, seed=1))),
        ("tokens (3, 5) from a vocabulary of 6, d_model 6 (square W_E)", (randint(6, 3, 5, seed=2), randn(6, 6, seed=3))),
        ("a single token, tokens (1, 1), d_vocab 5, d_model 3", (torch.tensor([[4]]), randn(5, 3, seed=4))),
        ("float64 W_E (7, 2) and tokens (2, 4), seed 5", (randint(7, 2, 4, seed=5), randn(7, 2, seed=6, dtype=torch.float64))),
    ]
    compare_to_reference(
        embed, ref.embed, cases, name="embed", exact=True,
        hint="each token id selects a *row* of W_E (shape d_vocab × d_model): indexing W_E with "
        "the whole tokens tensor gives shape tokens.shape + (d_model,), the rows copied unchanged.",
    )


@check(SECTION, "gather_logprobs", points=2)
def check_gather_logprobs(gather_logprobs) -> None:
    """Several shapes, as many positions as vocabulary entries, a single position, very negative
    log-probabilities and float64; the picked values exactly."""

    def case(batch: int, pos: int, vocab: int, seed: int, dtype: torch.dtype = torch.float32, scale: float = 1.0):
        logprobs = torch.log_softmax(scale * randn(batch, pos, vocab, seed=seed, dtype=dtype), dim=-1)
        return logprobs, randint(vocab, batch, pos, seed=seed + 1)

    cases: list[Case] = [
        ("logprobs (2, 3, 5) and tokens (2, 3), seed 0", case(2, 3, 5, 0)),
        ("logprobs (2, 4, 4) and tokens (2, 4) (pos == d_vocab), seed 2", case(2, 4, 4, 2)),
        ("logprobs (3, 3, 3) and tokens (3, 3), seed 4", case(3, 3, 3, 4)),
        ("logprobs (1, 1, 6) and tokens (1, 1)", case(1, 1, 6, 6)),
        ("float64 logprobs (2, 2, 7) and tokens (2, 2), seed 8", case(2, 2, 7, 8, torch.float64)),
        ("logprobs (2, 3, 4) down to about -300 and tokens (2, 3), seed 10", case(2, 3, 4, 10, scale=100.0)),
    ]
    compare_to_reference(
        gather_logprobs, ref.gather_logprobs, cases, name="gather_logprobs", exact=True,
        hint="out[b, p] = logprobs[b, p, tokens[b, p]]: gather along the *last* (vocabulary) axis "
        "with index tokens[..., None], then squeeze that axis so the result is (batch, pos). The "
        "values are picked, not recomputed (no exp/log round trip).",
    )


@check(SECTION, "cross_entropy", points=2)
def check_cross_entropy(cross_entropy) -> None:
    """Random and square logits, one example, huge logits, uniform logits and float64."""
    cases: list[Case] = [
        ("logits (4, 5) and targets (4,), seed 0", (randn(4, 5, seed=0), randint(5, 4, seed=1))),
        ("square logits (3, 3) and targets (3,), seed 2", (2 * randn(3, 3, seed=2), randint(3, 3, seed=3))),
        ("one example, logits (1, 4), target 2", (torch.tensor([[1.0, -1.0, 3.0, 0.0]]), torch.tensor([2]))),
        ("logits (3, 4) of size about 1000, seed 4", (1000 * randn(3, 4, seed=4), randint(4, 3, seed=5))),
        ("logits [[0, 1000]] with target 0: the loss is 1000, not inf",
         (torch.tensor([[0.0, 1000.0]]), torch.tensor([0]))),
        ("float64 logits (6, 3), seed 6", (randn(6, 3, seed=6, dtype=torch.float64), randint(3, 6, seed=7))),
        ("uniform logits (2, 3), all zero: the loss is log(3)", (torch.zeros(2, 3), torch.tensor([0, 2]))),
    ]
    for context, (logits, targets) in cases:
        got = call(cross_entropy, logits, targets, name="cross_entropy", context=context)
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
