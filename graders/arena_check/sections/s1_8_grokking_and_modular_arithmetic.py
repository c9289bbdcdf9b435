"""Checks for section 1.8 — grokking and modular arithmetic.

Most checks run on tiny moduli (p = 3, 5, 7, 11, 13) with seeded random tables, where every
mistake is visible and cheap; two models come as fixtures: the shipped ``grokking-mod-53`` (final
checkpoint) and a tiny one-layer ``HookedTransformer`` for p = 7 with seeded random weights
(catches a hard-coded 53 and a table whose a and b axes are swapped). Each check aims at a class
of mistake:

* data and metrics: a * b or a - b instead of a + b, the pair order (a, b) swapped, the "="
  token wrong; the loss at the wrong position or over all positions, in float32 (which rounds a
  confident model's loss to 0), summed instead of averaged; train and test swapped; the first
  step taken with ``>`` instead of ``>=``, the index returned instead of the step, the last hit
  instead of the first;
* Fourier basis: rows not normalised (or the constant not normalised), sine before cosine,
  frequencies off by one, basis vectors in columns; projections with the transpose of the basis
  (the inverse transform), squared norms, norms over the wrong axis, a basis rebuilt instead of
  the one passed in; frequencies off by one, from the cosine only, with the constant counted;
* circuits: the activation before the ReLU or at the wrong position; cos features of a * b,
  a + b + c, or sin; an unnormalised projection instead of least squares; the variance
  explained without centring or inverted; the sum-frequency projection unnormalised, for a - b,
  with cosines only; the restricted loss without the constant, the excluded loss with the
  constant removed too, on the test or on all pairs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from numbers import Integral, Real

import torch
from torch import Tensor

from arena_check.reference import s1_8_grokking_and_modular_arithmetic as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "1.8"


# ------------------------------------------------------------------------------------------
# Fixtures and helpers
# ------------------------------------------------------------------------------------------
@fixture(SECTION)
def _grokked():
    """The shipped model's final checkpoint (p = 53)."""
    from arena_check.kit.models import grokking

    return grokking.load()


@fixture(SECTION)
def _tiny():
    """One layer, p = 7 (d_vocab 8, d_vocab_out 7), d_model 12, 3 heads of 4, d_mlp 20, ReLU,
    no LayerNorm; seeded weights large enough that the MLP activations vary a lot."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg = HookedTransformerConfig(
        n_layers=1, d_model=12, n_heads=3, d_head=4, d_mlp=20, act_fn="relu", n_ctx=3,
        d_vocab=8, d_vocab_out=7, normalization_type=None, init_weights=False, device="cpu",
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HookedTransformer is deprecated")
        model = HookedTransformer(cfg)
    gen = seeded(88)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=gen) * 0.7)
    model.eval()
    return model


def _model(make):
    model = make()
    model.reset_hooks(including_permanent=True)
    return model


def _float(got: object, expected: float, *, context: str, hint: str, rtol: float = 1e-5, atol: float = 1e-7) -> None:
    """A Python number close to ``expected`` (a 0-d tensor is refused: the docstring says float)."""
    if isinstance(got, bool) or not isinstance(got, Real):
        raise CheckFailed(
            f"For {context}: expected a Python float, got {type(got).__name__}. Hint: wrap the "
            "result in float(...)."
        )
    if not math.isclose(float(got), expected, rel_tol=rtol, abs_tol=atol):
        raise CheckFailed(f"For {context}: expected {expected:.6g}, got {float(got):.6g}. Hint: {hint}")


def _pairs(p: int) -> tuple[Tensor, Tensor]:
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    return a, b


def _random_orthogonal(p: int, seed: int) -> Tensor:
    """A p × p orthogonal matrix that is not the Fourier basis (a basis argument must be used)."""
    q, _ = torch.linalg.qr(randn(p, p, seed=seed).double())
    return q.float()


def _circuit_logits(p: int, freqs: Sequence[int], weights: Sequence[float], *, seed: int, noise: float) -> Tensor:
    """[p*p, p] logits = sum_k weight_k cos(w_k(a+b-c)) + per-c bias + per-row constant + noise."""
    a, b = _pairs(p)
    c = torch.arange(p)
    out = torch.zeros(p * p, p, dtype=torch.float64)
    for k, wt in zip(freqs, weights, strict=True):
        out += wt * torch.cos(2 * math.pi * k * ((a + b)[:, None] - c[None, :]).double() / p)
    out += randn(p, seed=seed).double()[None, :] * 2  # a per-c bias (the constant term in (a, b))
    out += randn(p * p, 1, seed=seed + 1).double()  # a per-row constant (softmax ignores it)
    out += noise * randn(p * p, p, seed=seed + 2).double()
    return out.float()


def _mask(p: int, frac: float, seed: int) -> Tensor:
    perm = torch.randperm(p * p, generator=seeded(seed))
    mask = torch.zeros(p * p, dtype=torch.bool)
    mask[perm[: round(frac * p * p)]] = True
    return mask


# ------------------------------------------------------------------------------------------
# Part 1 · the task and the grokking delay
# ------------------------------------------------------------------------------------------
@check(SECTION, "make_dataset", points=1)
def check_make_dataset(make_dataset) -> None:
    """p = 5, 7 and 2: the order of rows, the "=" token, the labels, int64."""
    for p in (5, 7, 2):
        context = f"p = {p}"
        got = call(make_dataset, p, name="make_dataset", context=context)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a tuple (tokens, labels), got {type(got).__name__}.")
        tokens, labels = got
        want_tokens, want_labels = ref.make_dataset(p)
        if isinstance(tokens, Tensor) and tokens.shape == want_tokens.shape and torch.equal(tokens[:, [1, 0, 2]], want_tokens) and p > 2:
            raise CheckFailed(f"For {context}: row a * p + b holds [b, a, p]; a and b are swapped. "
                              "Hint: a changes slowest (repeat_interleave), b fastest (repeat).")
        expect_tensor(tokens, want_tokens, context=f"{context}, tokens", exact=True,
                      hint="row a * p + b is [a, b, p]: a = row // p, b = row % p, and the '=' token is p.")
        a, b = want_tokens[:, 0], want_tokens[:, 1]
        if isinstance(labels, Tensor) and labels.shape == want_labels.shape and p > 2:
            for wrong, what in [((a * b) % p, "(a * b) mod p"), ((a - b) % p, "(a - b) mod p"), (a + b, "a + b without mod p")]:
                if torch.equal(labels, wrong):
                    raise CheckFailed(f"For {context}: your labels are {what}; the task is (a + b) mod p.")
        expect_tensor(labels, want_labels, context=f"{context}, labels", exact=True,
                      hint="labels are (a + b) mod p, int64, in the same row order as tokens.")


@check(SECTION, "last_token_loss", points=2)
def check_last_token_loss(last_token_loss) -> None:
    """Random logits over 3 positions; a batch of 1; a confident model whose loss (~1e-9) float32
    rounds to 0; the result must be a float64 scalar."""
    p = 7
    confident = randn(6, 3, p, seed=3)
    labels_c = torch.tensor([0, 3, 6, 2, 5, 1])
    confident[torch.arange(6), -1, labels_c] += 22.0
    cases: list[Case] = [
        ("logits [5, 3, 7] (random, seed 0), labels seed 1", (randn(5, 3, p, seed=0) * 2, torch.randint(0, p, (5,), generator=seeded(1)))),
        ("a batch of 1, logits [1, 3, 7] (seed 2)", (randn(1, 3, p, seed=2), torch.tensor([4]))),
        ("a confident model: the right logit 22 above the others (loss about 1e-9)", (confident, labels_c)),
    ]
    for context, args in cases:
        got = call(last_token_loss, *args, name="last_token_loss", context=context)
        want = ref.last_token_loss(*args)
        if isinstance(got, Tensor) and got.dtype != torch.float64:
            raise CheckFailed(f"For {context}: expected a float64 scalar, got {str(got.dtype).removeprefix('torch.')}. "
                              "Hint: convert the logits with .double() before log_softmax — float32 rounds a loss "
                              "of 1e-9 to exactly 0.")
        expect_tensor(got, want, context=context, atol=0.0, rtol=1e-4,
                      hint="score only position -1, log_softmax in float64, minus the label's log-probability, "
                      "averaged over the batch.")


@check(SECTION, "train_test_accuracy", points=1)
def check_train_test_accuracy(train_test_accuracy) -> None:
    """p = 7 logits with different train and test accuracies; masks of 20 %, 50 % and 90 %."""
    p = 7
    _, labels = ref.make_dataset(p)
    for seed, frac in [(0, 0.5), (1, 0.2), (2, 0.9)]:
        mask = _mask(p, frac, seed)
        logits = randn(p * p, p, seed=10 + seed)
        good = mask & (torch.rand(p * p, generator=seeded(20 + seed)) < 0.8)  # mostly right on train
        logits[good, labels[good]] += 10.0
        context = f"p = 7, {int(mask.sum())} training pairs (mask seed {seed})"
        got = call(train_test_accuracy, logits, labels, mask, name="train_test_accuracy", context=context)
        want = ref.train_test_accuracy(logits, labels, mask)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a tuple (train accuracy, test accuracy), got {type(got).__name__}.")
        if all(isinstance(g, Real) for g in got) and math.isclose(float(got[0]), want[1]) and math.isclose(float(got[1]), want[0]):
            raise CheckFailed(f"For {context}: expected (train, test) = ({want[0]:.4f}, {want[1]:.4f}), got them swapped. "
                              "Hint: training rows are where train_mask is True.")
        for g, w, what in zip(got, want, ("train accuracy", "test accuracy"), strict=True):
            _float(g, w, context=f"{context}, {what}",
                   hint="the fraction of rows whose argmax equals the label, among train rows (mask True) "
                   "and among test rows (mask False).")


@check(SECTION, "first_step_reaching", points=1)
def check_first_step_reaching(first_step_reaching) -> None:
    """Steps that are not indices, equality at the threshold, a metric that dips again, never."""
    steps = torch.tensor([0, 50, 100, 150, 200, 250])
    cases = [
        ("values [0.1, 0.5, 0.99, 0.98, 1.0, 1.0], threshold 0.99 (reached with equality)",
         (steps, torch.tensor([0.1, 0.5, 0.99, 0.98, 1.0, 1.0]), 0.99), 100),
        ("the same values, threshold 1.0", (steps, torch.tensor([0.1, 0.5, 0.99, 0.98, 1.0, 1.0]), 1.0), 200),
        ("values [0.2, 1.0, 0.3, 1.0, 0.4, 1.0], threshold 0.9 (first of several hits)",
         (steps, torch.tensor([0.2, 1.0, 0.3, 1.0, 0.4, 1.0]), 0.9), 50),
        ("values that never reach 0.99", (steps, torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), 0.99), None),
        ("the threshold met at the first step (steps start at 10)",
         (torch.tensor([10, 20, 30]), torch.tensor([0.995, 0.5, 1.0]), 0.99), 10),
    ]
    for context, args, want in cases:
        got = call(first_step_reaching, *args, name="first_step_reaching", context=context)
        if want is None:
            if got is not None:
                raise CheckFailed(f"For {context}: expected None, got {got!r}. Hint: return None when no value qualifies.")
            continue
        if isinstance(got, bool) or not isinstance(got, Integral):
            raise CheckFailed(f"For {context}: expected the Python int {want}, got {got!r} ({type(got).__name__}). "
                              "Hint: int(...) of the step.")
        if got != want:
            raise CheckFailed(f"For {context}: expected step {want}, got {got}. Hint: the first i with "
                              "values[i] >= threshold (>=, not >), and return steps[i], not i.")


# ------------------------------------------------------------------------------------------
# Part 2 · the Fourier basis
# ------------------------------------------------------------------------------------------
@check(SECTION, "fourier_basis", points=3)
def check_fourier_basis(fourier_basis) -> None:
    """p = 3, 5, 7, 13 and 53: orthonormal rows, in the order const, cos 1, sin 1, cos 2, …"""
    for p in (3, 5, 7, 13, 53):
        context = f"p = {p}"
        got = call(fourier_basis, p, name="fourier_basis", context=context)
        want = ref.fourier_basis(p)
        if isinstance(got, Tensor) and got.shape == (p, p) and got.is_floating_point():
            g = got.double()
            gram = g @ g.T
            if not torch.allclose(gram, torch.eye(p, dtype=torch.float64), atol=1e-4):
                norms = g.norm(dim=1)
                off = (gram - torch.diag(gram.diagonal())).abs().max()
                if off < 1e-4:
                    raise CheckFailed(
                        f"For {context}: the rows are orthogonal but not normalised: their norms are "
                        f"{[round(float(n), 3) for n in norms[:3]]}… (all must be 1). Hint: the constant row is "
                        "1/sqrt(p); the cos and sin rows are scaled by sqrt(2/p).")
                if torch.allclose(g.T @ g, torch.eye(p, dtype=torch.float64), atol=1e-4):
                    raise CheckFailed(f"For {context}: your basis vectors are the COLUMNS; the docstring asks for rows "
                                      "(transpose your result).")
                raise CheckFailed(f"For {context}: basis @ basis.T is not the identity (largest error "
                                  f"{float((gram - torch.eye(p, dtype=torch.float64)).abs().max()):.3g}). Hint: frequencies "
                                  "k = 1 .. (p-1)//2 only, one cos and one sin row each, plus the constant.")
        expect_tensor(got, want, context=context, atol=1e-5,
                      hint="row 0 constant; row 2k-1 = cos(2 pi k x / p), row 2k = sin(2 pi k x / p), "
                      "k counted from 1, each row of unit norm; float32.")


@check(SECTION, "fourier_component_norms", points=2)
def check_fourier_component_norms(fourier_component_norms) -> None:
    """Random W with the Fourier basis (p = 7 and 11), a W with one column, and another
    orthonormal basis (the argument must be the basis used)."""
    cases: list[Case] = [
        ("W [7, 5] (seed 0), fourier_basis(7)", (randn(7, 5, seed=0), ref.fourier_basis(7))),
        ("W [11, 11] (square, seed 1), fourier_basis(11)", (randn(11, 11, seed=1), ref.fourier_basis(11))),
        ("W [5, 1] (a single column), fourier_basis(5)", (randn(5, 1, seed=2), ref.fourier_basis(5))),
        ("W [7, 3] (seed 3) with a random orthonormal basis (use the basis you are given)",
         (randn(7, 3, seed=3), _random_orthogonal(7, seed=4))),
    ]
    compare_to_reference(
        fourier_component_norms, ref.fourier_component_norms, cases, name="fourier_component_norms",
        hint="the coefficients are basis @ W (rows of the basis are the basis vectors); norms[i] is the "
        "Euclidean norm of row i of that product (not squared).",
    )


@check(SECTION, "key_frequencies", points=2)
def check_key_frequencies(key_frequencies) -> None:
    """Norms built for p = 11 and 13 with a large constant, strength split between cos and sin,
    strengths right at the threshold, and the default threshold."""
    check_defaults(key_frequencies, ref.key_frequencies, name="key_frequencies")

    def norms(p: int, strengths: dict[int, tuple[float, float]], const: float) -> Tensor:
        out = torch.full((p,), 0.05)
        out[0] = const
        for k, (c, s) in strengths.items():
            out[2 * k - 1], out[2 * k] = c, s
        return out

    cases = [
        ("p = 11: frequency 2 in cos, 4 split between cos and sin, a large constant, threshold 0.5",
         (3.0 * norms(11, {2: (1.0, 0.0), 4: (0.6, 0.6)}, 5.0), 0.5)),
        ("p = 13: frequencies 1 (sin only), 3 (0.3, 0.4) and 6 (1, 0), threshold 0.45",
         (norms(13, {1: (0.0, 0.8), 3: (0.3, 0.4), 6: (1.0, 0.0)}, 0.0), 0.45)),
        ("p = 13: strength 0.25 exactly at threshold 0.5 of the largest (0.5)",
         (0.5 * norms(13, {2: (0.3, 0.4), 5: (0.6, 0.8)}, 0.2), 0.5)),
        ("p = 7, the default threshold (largest strength 4)", (4 * torch.tensor([3.0, 0.2, 0.1, 1.0, 0.0, 0.35, 0.0]),)),
    ]
    for context, args in cases:
        got = call(key_frequencies, *args, name="key_frequencies", context=context)
        want = ref.key_frequencies(*args)
        if not isinstance(got, list | tuple) or not all(isinstance(g, Integral) and not isinstance(g, bool) for g in got):
            raise CheckFailed(f"For {context}: expected a list of Python ints {want}, got {got!r}. Hint: [int(k) for k in …].")
        if list(got) != want:
            shifted = [k - 1 for k in want]
            hint = ("your frequencies are one too low: index i of norms[1::2] is frequency i + 1."
                    if list(got) == shifted else
                    "strength of k = sqrt(norms[2k-1]**2 + norms[2k]**2) for k >= 1 (ignore the constant); keep "
                    "those >= rel_threshold * the largest strength, in increasing order.")
            raise CheckFailed(f"For {context}: expected {want}, got {list(got)}. Hint: {hint}")


@check(SECTION, "fourier_2d", points=2)
def check_fourier_2d(fourier_2d) -> None:
    """A single table (p = 5), tables with one and two trailing axes (p = 7), a non-symmetric
    table (a and b must not be swapped), and another orthonormal basis."""
    cases: list[Case] = [
        ("a 5 × 5 table (seed 0), fourier_basis(5)", (randn(5, 5, seed=0), ref.fourier_basis(5))),
        ("a 7 × 7 × 3 stack (seed 1), fourier_basis(7)", (randn(7, 7, 3, seed=1), ref.fourier_basis(7))),
        ("a 5 × 5 × 2 × 3 stack (seed 2), fourier_basis(5)", (randn(5, 5, 2, 3, seed=2), ref.fourier_basis(5))),
        ("the table T[a, b] = a (depends on a only), fourier_basis(7)",
         (torch.arange(7.0)[:, None].expand(7, 7).contiguous(), ref.fourier_basis(7))),
        ("a 7 × 7 × 2 stack (seed 3) with a random orthonormal basis",
         (randn(7, 7, 2, seed=3), _random_orthogonal(7, seed=5))),
    ]
    compare_to_reference(
        fourier_2d, ref.fourier_2d, cases, name="fourier_2d", atol=1e-4,
        hint="out[i, j] = sum over a, b of basis[i, a] basis[j, b] table[a, b]: the rows of the basis are "
        "the basis functions, axis 0 of the table is a, axis 1 is b.",
    )


@check(SECTION, "mlp_activation_table", points=2, timeout=20)
def check_mlp_activation_table(mlp_activation_table) -> None:
    """A tiny random one-layer model (p = 7), then the shipped grokking model (p = 53)."""
    for make, p, context in [(_tiny, 7, "a tiny random model, p = 7"), (_grokked, 53, "the shipped model, p = 53")]:
        model = _model(make)
        with torch.no_grad():
            got = call(mlp_activation_table, model, p, name="mlp_activation_table", context=context)
            want = ref.mlp_activation_table(_model(make), p)
        if isinstance(got, Tensor) and got.shape == want.shape and p == 7:
            if torch.allclose(got.detach(), want.transpose(0, 1), atol=1e-5):
                raise CheckFailed(f"For {context}: your table is transposed: entry [a, b] must be the input [a, b, =]. "
                                  "Hint: reshape(p, p, -1) of rows a * p + b.")
        expect_tensor(got, want, context=context, atol=1e-4,
                      hint="the hook blocks.0.mlp.hook_post (after the ReLU), position -1 (the '=' token), "
                      "reshaped so that [a, b] is the pair (a, b).")


# ------------------------------------------------------------------------------------------
# Part 3 · the logits
# ------------------------------------------------------------------------------------------
@check(SECTION, "cos_features", points=2)
def check_cos_features(cos_features) -> None:
    """p = 5, 7, 11 with one or several frequencies, in the order given."""
    cases: list[Case] = [
        ("p = 5, freqs [1, 2]", (5, [1, 2])),
        ("p = 7, freqs [3]", (7, [3])),
        ("p = 11, freqs [5, 1, 4] (not sorted)", (11, [5, 1, 4])),
    ]
    compare_to_reference(
        cos_features, ref.cos_features, cases, name="cos_features", atol=1e-5,
        hint="features[a * p + b, c, i] = cos(2 pi freqs[i] (a + b - c) / p): a + b (not a * b), minus c, "
        "a cosine; float32.",
    )


@check(SECTION, "fit_cos_logits", points=3)
def check_fit_cos_logits(fit_cos_logits) -> None:
    """Logits made of known cosine terms plus biases and noise (p = 7 and 11), and a random table
    (p = 5): the weights and the fitted logits."""
    cases = [
        ("p = 7 logits = 2 cos(w_1 (a+b-c)) - 0.5 cos(w_3 (a+b-c)) + biases + noise, freqs [1, 3]",
         (_circuit_logits(7, [1, 3], [2.0, -0.5], seed=0, noise=0.3), [1, 3])),
        ("p = 11 circuit logits with frequencies 2, 5; fitted with freqs [5, 2, 4]",
         (_circuit_logits(11, [2, 5], [1.5, 3.0], seed=3, noise=0.5), [5, 2, 4])),
        ("p = 5 random logits (seed 7), freqs [2]", (randn(25, 5, seed=7) * 3, [2])),
    ]
    for context, args in cases:
        got = call(fit_cos_logits, *args, name="fit_cos_logits", context=context)
        alpha, fitted = ref.fit_cos_logits(*args)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a tuple (alpha, fitted), got {type(got).__name__}.")
        hint = ("least squares of all logits on the cos_features flattened to [pairs * p, n_freqs] "
                "(torch.linalg.lstsq); a plain projection needs dividing by each feature's squared norm.")
        expect_tensor(got[0], alpha, context=f"{context}, alpha", atol=1e-4, rtol=1e-4, hint=hint)
        expect_tensor(got[1], fitted, context=f"{context}, fitted", atol=1e-4, rtol=1e-4,
                      hint="fitted = sum over i of alpha[i] * cos_features(p, freqs)[..., i], shape [pairs, p].")


@check(SECTION, "fraction_variance_explained", points=1)
def check_fraction_variance_explained(fraction_variance_explained) -> None:
    """A noisy fit, a perfect fit, the mean as the fit, a target with a large offset."""
    y = randn(6, 5, seed=0) * 2
    cases = [
        ("target [6, 5] (seed 0), fit = target + noise", (y, y + 0.5 * randn(6, 5, seed=1))),
        ("a perfect fit", (y, y.clone())),
        ("the fit is the target's mean everywhere", (y, torch.full_like(y, float(y.mean())))),
        ("target with offset 10 (seed 2), fit = 0.8 * (target - 10) + 10",
         (randn(40, seed=2) + 10, 0.8 * randn(40, seed=2) + 10)),
    ]
    for context, args in cases:
        got = call(fraction_variance_explained, *args, name="fraction_variance_explained", context=context)
        _float(got, ref.fraction_variance_explained(*args), context=context, atol=1e-6,
               hint="1 - sum of squared residuals / sum of squared deviations of the TARGET from its own mean.")


# ------------------------------------------------------------------------------------------
# Part 4 · progress measures
# ------------------------------------------------------------------------------------------
@check(SECTION, "sum_frequency_component", points=3)
def check_sum_frequency_component(sum_frequency_component) -> None:
    """Random logits for p = 5, 7, 11 with one or several frequencies; circuit logits whose
    component is known."""
    cases: list[Case] = [
        ("p = 7 random logits (seed 0), freqs [1, 3]", (randn(49, 7, seed=0), [1, 3])),
        ("p = 5 random logits (seed 1), freqs [2]", (randn(25, 5, seed=1) * 2, [2])),
        ("p = 11 circuit logits, freqs [2, 5, 1]", (_circuit_logits(11, [2, 5], [1.0, 2.0], seed=2, noise=0.2), [2, 5, 1])),
    ]
    compare_to_reference(
        sum_frequency_component, ref.sum_frequency_component, cases, name="sum_frequency_component",
        atol=1e-4, rtol=1e-4,
        hint="for each c, project the column logits[:, c] onto cos(w_k (a + b)) and sin(w_k (a + b)) "
        "(w_k = 2 pi k / p) for each k, each direction normalised to unit length over the p * p pairs.",
    )


@check(SECTION, "restricted_loss", points=2)
def check_restricted_loss(restricted_loss) -> None:
    """Circuit logits with a per-c bias (the constant matters), random logits; all pairs."""
    p = 7
    _, labels = ref.make_dataset(p)
    cases = [
        ("p = 7 circuit logits with a per-c bias, freqs [1, 3]",
         (_circuit_logits(p, [1, 3], [4.0, 3.0], seed=0, noise=0.5) * 1.5, labels, [1, 3])),
        ("p = 7 random logits (seed 5) times 3, freqs [2]", (randn(49, p, seed=5) * 3, labels, [2])),
        ("p = 5 circuit logits, freqs [2, 1]", (_circuit_logits(5, [1, 2], [3.0, 2.0], seed=6, noise=0.3),
                                                ref.make_dataset(5)[1], [2, 1])),
    ]
    for context, args in cases:
        got = call(restricted_loss, *args, name="restricted_loss", context=context)
        _float(got, ref.restricted_loss(*args), context=context, rtol=1e-4,
               hint="restricted logits = logits.mean(dim=0) (the constant, kept) + sum_frequency_component; "
               "mean cross-entropy over ALL pairs.")


@check(SECTION, "excluded_loss", points=2)
def check_excluded_loss(excluded_loss) -> None:
    """Circuit logits with a per-c bias (the constant must stay), different masks."""
    p = 7
    _, labels = ref.make_dataset(p)
    cases = [
        ("p = 7 circuit logits with a per-c bias, freqs [1, 3], 40 % training mask (seed 0)",
         (_circuit_logits(p, [1, 3], [4.0, 3.0], seed=0, noise=0.5), labels, _mask(p, 0.4, 0), [1, 3])),
        ("p = 7 random logits (seed 5) times 3, freqs [2], 70 % mask (seed 1)",
         (randn(49, p, seed=5) * 3, labels, _mask(p, 0.7, 1), [2])),
    ]
    for context, args in cases:
        got = call(excluded_loss, *args, name="excluded_loss", context=context)
        _float(got, ref.excluded_loss(*args), context=context, rtol=1e-4,
               hint="subtract sum_frequency_component (keep the constant), then the mean cross-entropy over "
               "the TRAINING pairs only (train_mask True).")
