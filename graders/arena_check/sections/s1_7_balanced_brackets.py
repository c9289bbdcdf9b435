"""Checks for section 1.7 — balanced brackets.

Two models grade the model exercises, both made once per grading process as fixtures:

* ``brackets-classifier`` from the zoo — the page's model (3 layers × 2 heads, LayerNorm,
  bidirectional attention, padding hidden by permanent hooks);
* a tiny bidirectional model built here with seeded random weights and the same vocabulary:
  2 layers × 3 heads, d_model 12, a final LayerNorm whose weight is far from 1 and an unembedding
  whose two columns are far apart. It catches what the zoo model can hide: a hard-coded head
  count, a forgotten LayerNorm weight, a swapped pair of columns.

Each check aims at a class of mistake: elevation counted from the wrong end or excluding the
current character, balance decided by the count alone or the dip alone, generators whose dip can
only happen in one place or that go below -1, left padding or a missing [START], the padding mask
on the query axis, accuracy read at the last position or labelled by kind, attribution without
the LayerNorm's centring or scale or weight, an open fraction that counts the padding, a fit that
returns r instead of r², a detector mask counted from the wrong end. Inputs are built inside the
checks, seeded.
"""

from __future__ import annotations

import random
import warnings

import torch
from torch import Tensor

from arena_check.reference import s1_7_balanced_brackets as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "1.7"


# ------------------------------------------------------------------------------------------
# Fixtures and input builders
# ------------------------------------------------------------------------------------------
@fixture(SECTION)
def _zoo_model():
    from arena_check.kit import zoo

    return zoo.load("brackets-classifier")


@fixture(SECTION)
def _tiny_model():
    """2 layers × 3 heads, d_model 12, d_head 4, d_mlp 16, LayerNorm, bidirectional, seeded
    weights; ln_final.w in [0.5, 2.5] and an unembedding with distinct columns."""
    from arena_check.kit.models import brackets

    cfg = brackets.model_config() | {
        "n_layers": 2, "d_model": 12, "n_heads": 3, "d_head": 4, "d_mlp": 16, "model_name": "tiny",
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore")
        model = brackets.build(cfg, seed=0)
    gen = seeded(1717)
    with torch.no_grad():
        for name, param in model.named_parameters():
            param.copy_(torch.randn(param.shape, generator=gen) * (1.0 if "embed" in name else 0.5))
        model.ln_final.w.copy_(0.5 + 2 * torch.rand(12, generator=gen))
    model.eval()
    return model


def zoo_model():
    """The zoo model, with its permanent padding hooks and no other hook left attached."""
    model = _zoo_model()
    model.reset_hooks()
    return model


def tiny_model():
    model = _tiny_model()
    model.reset_hooks()
    return model


def _random_strings(n: int, seed: int, low: int = 1, high: int = 12) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice("()") for _ in range(rng.randint(low, high))) for _ in range(n)]


def _describe_string(s: str) -> str:
    return repr(s) if s else "the empty string ''"


# ------------------------------------------------------------------------------------------
# Part 1 · The language
# ------------------------------------------------------------------------------------------
@check(SECTION, "elevation", points=1)
def check_elevation(elevation) -> None:
    """Hand-picked strings (asymmetric, so counting from the right differs), the empty string,
    single brackets, and random strings; int64."""
    cases = ["(()", "())", "(", ")", "", "(()))(", "((()(", "))((", "()()((())"] + _random_strings(20, 1)
    for s in cases:
        context = f"the string {_describe_string(s)}"
        got = call(elevation, s, name="elevation", context=context)
        expect_tensor(
            got, ref.elevation(s), context=context, exact=True,
            hint="elevation[i] is the count of '(' minus ')' in s[0..i], INCLUDING s[i], counted from "
            "the left (from the start of the string) — a cumsum of +1/-1 steps — as an int64 tensor.",
        )


@check(SECTION, "is_balanced", points=1)
def check_is_balanced(is_balanced) -> None:
    """Balanced, dipping, too-high, both, odd-length and empty strings; a Python bool."""
    named = [
        ("", "the empty string"), ("()", None), ("(())()", None), (")(", "right count, wrong order"),
        ("())(()", "a dip below zero in the middle"), ("(()", "ends at +1"), ("((()", "ends at +2"),
        (")", None), ("(", None), ("(()))(()", "dips then recovers to 0"), ("()(()())", None),
    ]
    cases = named + [(s, None) for s in _random_strings(40, 2, 2, 10)]
    for s, why in cases:
        context = f"the string {_describe_string(s)}" + (f" ({why})" if why else "")
        got = call(is_balanced, s, name="is_balanced", context=context)
        if not isinstance(got, bool):
            raise CheckFailed(f"For {context}: return a Python bool (True/False), got {type(got).__name__}. "
                              "Wrap a tensor comparison in bool(...).")
        expect_equal(got, ref.is_balanced(s), context=context,
                     hint="balanced needs BOTH: the elevation never below 0, and ending at exactly 0.")


def _check_generator(fn, name: str, *, want_final: int, want_min: int, n_values=(1, 2, 3, 5, 8)) -> None:
    for n in n_values:
        for seed in range(25):
            context = f"{name}({n}, seed={seed})"
            s = call(fn, n, seed, name=name, context=context)
            if not isinstance(s, str) or set(s) - set("()"):
                raise CheckFailed(f"For {context}: expected a string of '(' and ')', got {s!r}.")
            if len(s) != 2 * n:
                raise CheckFailed(f"For {context}: expected a string of length {2 * n}, got {len(s)}: {s!r}.")
            e = ref.elevation(s)
            if int(e[-1]) != want_final:
                raise CheckFailed(f"For {context}: the elevation should end at {want_final}, but {s!r} "
                                  f"ends at {int(e[-1])}.")
            if int(e.min()) != want_min:
                raise CheckFailed(f"For {context}: the lowest elevation should be {want_min}, but for {s!r} "
                                  f"it is {int(e.min())}.")
            again = call(fn, n, seed, name=name, context=context)
            if again != s:
                raise CheckFailed(f"For {context}: called twice with the same seed it gave {s!r} and then "
                                  f"{again!r}. Seed your own generator (random.Random(seed)) instead of "
                                  "using the global one.")


@check(SECTION, "negative_dip_string", points=2)
def check_negative_dip_string(negative_dip_string) -> None:
    """Lengths, counts, minimum exactly -1, determinism per seed, and every possible first-dip
    position occurring over 200 seeds (n_pairs 4 and 6)."""
    _check_generator(negative_dip_string, "negative_dip_string", want_final=0, want_min=-1)
    for n in (4, 6):
        firsts = set()
        for seed in range(200):
            s = call(negative_dip_string, n, seed, name="negative_dip_string")
            firsts.add(int((ref.elevation(s) < 0).nonzero()[0]))
        missing = sorted(set(range(0, 2 * n - 1, 2)) - firsts)
        if missing:
            raise CheckFailed(
                f"For negative_dip_string({n}, seed) over seeds 0..199: the first dip below zero never "
                f"happened at position(s) {missing} (it did at {sorted(firsts)}). A dip can first happen at "
                "any even position; a model tested only on dips in one place is not tested on order."
            )


@check(SECTION, "too_many_opens_string", points=1)
def check_too_many_opens_string(too_many_opens_string) -> None:
    """Lengths, counts, minimum >= 0, ends at 2, determinism per seed, and variety across seeds."""
    for n in (1, 2, 3, 5, 8):
        for seed in range(25):
            context = f"too_many_opens_string({n}, seed={seed})"
            s = call(too_many_opens_string, n, seed, name="too_many_opens_string", context=context)
            if not isinstance(s, str) or set(s) - set("()") or len(s) != 2 * n:
                raise CheckFailed(f"For {context}: expected a string of {2 * n} brackets, got {s!r}.")
            e = ref.elevation(s)
            if int(e[-1]) != 2 or int(e.min()) < 0:
                raise CheckFailed(f"For {context}: the elevation of {s!r} should never go below 0 and end at "
                                  f"2; it ends at {int(e[-1])} with minimum {int(e.min())}.")
            if call(too_many_opens_string, n, seed, name="too_many_opens_string") != s:
                raise CheckFailed(f"For {context}: the same seed gave two different strings. Seed your own "
                                  "generator (random.Random(seed)).")
    for n in (3, 6):
        distinct = {call(too_many_opens_string, n, seed, name="too_many_opens_string") for seed in range(60)}
        if len(distinct) < 4:
            raise CheckFailed(f"For too_many_opens_string({n}, seed) over 60 seeds: only {len(distinct)} "
                              f"distinct strings ({sorted(distinct)}). Different seeds should give different "
                              "strings: randomise which ')' becomes '('.")
        if not any(s.endswith(")") for s in distinct):
            raise CheckFailed(f"For too_many_opens_string({n}, seed) over 60 seeds: every string ends in '(' "
                              f"(e.g. {sorted(distinct)[0]!r}). The extra '(' should be able to sit anywhere, "
                              "not only at the end: turn a randomly chosen ')' into '('.")


# ------------------------------------------------------------------------------------------
# Part 2 · The classifier
# ------------------------------------------------------------------------------------------
@check(SECTION, "tokenize", points=1)
def check_tokenize(tokenize) -> None:
    """Mixed lengths (the longest not first), one string, an empty string in a batch."""
    cases = [
        ("3 strings of lengths 2, 5, 1", (["()", "(()))", ")"],)),
        ("a single string '(())'", (["(())"],)),
        ("['', '()(']: an empty string in the batch", (["", "()("],)),
        ("8 random strings", (_random_strings(8, 3),)),
    ]
    compare_to_reference(
        tokenize, ref.tokenize, cases, name="tokenize", exact=True,
        hint="row = [START, one id per bracket (OPEN=2 for '(', CLOSE=3 for ')'), then PAD=1 up to "
        "1 + the longest string's length]; the padding goes on the RIGHT.",
    )


@check(SECTION, "mask_padding_keys", points=2)
def check_mask_padding_keys(mask_padding_keys) -> None:
    """Square scores (batch = head = query = key) so a mask on the wrong axis keeps the shape;
    pads in different places per row; the input must not change."""
    tokens = ref.tokenize(["(()", ")", "()()", "("])  # 4 rows, 5 positions
    scores = randn(4, 3, 5, 5, seed=5) * 3
    for context, sc, tk in [
        ("scores (4, 3, 5, 5) for ['(()', ')', '()()', '(']", scores, tokens),
        ("square scores (5, 5, 5, 5)", randn(5, 5, 5, 5, seed=6), ref.tokenize(["((((", "", "()", ")))", "(()"])),
    ]:
        got = call(mask_padding_keys, sc, tk, name="mask_padding_keys", context=context)
        expected = ref.mask_padding_keys(sc, tk)
        if not isinstance(got, Tensor) or got.shape != expected.shape:
            expect_tensor(got, expected, context=context)
        pad = torch.isinf(expected)
        if not bool((got[pad] <= -1e4).all()):
            raise CheckFailed(f"For {context}: some scores of PAD keys were not masked. Mask the KEY axis "
                              "(the last one): (tokens == PAD)[:, None, None, :].")
        expect_tensor(got[~pad], expected[~pad], context=f"{context}, the scores of non-PAD keys",
                      exact=True, hint="leave every score whose key is a real token (or [START]) unchanged, "
                      "for every query — including queries at PAD positions.")


@check(SECTION, "accuracy_by_kind", points=2, timeout=20)
def check_accuracy_by_kind(accuracy_by_kind) -> None:
    """The zoo model on a tiny held-out set per kind (padded batches, a shuffled kind with some
    balanced strings), and the tiny random model whose answers are far from right."""
    from arena_check.kit.models import brackets

    sets = brackets.sample_by_kind(40, seed=77)
    sets["short"] = ["()", ")(", "(", "(())", "())("]
    for label, model in [("the zoo model", zoo_model()), ("a tiny random model", tiny_model())]:
        context = f"{label} on 40 strings of each kind + 5 short ones"
        got = call(accuracy_by_kind, model, sets, name="accuracy_by_kind", context=context)
        expected = ref.accuracy_by_kind(model, sets)
        if not isinstance(got, dict) or set(got) != set(expected):
            raise CheckFailed(f"For {context}: expected a dict with keys {sorted(expected)}, got "
                              f"{got if not isinstance(got, dict) else sorted(got)}.")
        for kind in expected:
            if not isinstance(got[kind], float | int) or abs(float(got[kind]) - expected[kind]) > 1e-6:
                raise CheckFailed(
                    f"For {context}, kind {kind!r}: expected accuracy {expected[kind]:.4f}, got {got[kind]!r}. "
                    "Read the logits at position 0 ([START], the classification position — not the last "
                    "position, which is padding for shorter strings); index 1 means balanced; the truth is "
                    "is_balanced(s), not the kind's name."
                )


# ------------------------------------------------------------------------------------------
# Part 3 · Attribution
# ------------------------------------------------------------------------------------------
@check(SECTION, "unbalanced_direction", points=1)
def check_unbalanced_direction(unbalanced_direction) -> None:
    """Both models; the tiny one has a LayerNorm weight far from 1."""
    for label, model in [("the zoo model", zoo_model()), ("a tiny model with ln_final.w far from 1", tiny_model())]:
        with torch.no_grad():
            got = call(unbalanced_direction, model, name="unbalanced_direction", context=label)
        expect_tensor(
            got, ref.unbalanced_direction(model).detach(), context=label, atol=1e-5,
            hint="ln_final.w * (W_U[:, 0] - W_U[:, 1]): index 0 is 'unbalanced', and the LayerNorm's "
            "weight multiplies every coordinate before the unembedding reads it.",
        )


@check(SECTION, "start_head_outputs", points=2, timeout=20)
def check_start_head_outputs(start_head_outputs) -> None:
    """Both models on padded batches; no hook may be left behind."""
    for label, model, strings in [
        ("the zoo model on 3 strings", zoo_model(), ["(()", "())(()", ")"]),
        ("a tiny 3-head model on 4 strings", tiny_model(), ["()", "((", "())(", "("]),
    ]:
        tokens = ref.tokenize(strings)
        with torch.no_grad():
            got = call(start_head_outputs, model, tokens, name="start_head_outputs", context=label)
            expected = ref.start_head_outputs(model, tokens)
        expect_tensor(
            got, expected, context=label, atol=1e-5, rtol=1e-4,
            hint="z[:, 0] (position 0, the classification position) times W_O of each layer, per head, "
            "WITHOUT b_O; shape (batch, layer, head, d_model).",
        )
        left = [name for name, hp in model.hook_dict.items()
                if any(not handle.is_permanent for handle in hp.fwd_hooks)]
        if left:
            raise CheckFailed(f"For {label}: your function left hook(s) attached at {left}. Use "
                              "run_with_hooks (it removes them) or model.reset_hooks() afterwards.")


@check(SECTION, "direct_attribution", points=2)
def check_direct_attribution(direct_attribution) -> None:
    """Random parts with large means (centring matters), scales far from 1 and different per row."""
    cases = [
        ("parts (3, 4, 6) with offsets, scales (0.5, 2, 7)",
         (randn(3, 4, 6, seed=8) + torch.arange(6.0), torch.tensor([0.5, 2.0, 7.0]), randn(6, seed=9))),
        ("batch 1, one part", (randn(1, 1, 5, seed=10) + 3, torch.tensor([3.0]), randn(5, seed=11))),
    ]
    compare_to_reference(
        direct_attribution, ref.direct_attribution, cases, name="direct_attribution", atol=1e-5,
        hint="for each part: subtract ITS OWN mean over d_model (LayerNorm centres the sum, and centring "
        "is linear), divide by that row's scale, then dot with the direction.",
    )
    parts, scale, direction = cases[0][1]
    got = call(direct_attribution, parts, scale, direction, name="direct_attribution")
    total = ref.direct_attribution(parts.sum(1, keepdim=True), scale, direction)[:, 0]
    expect_tensor(got.sum(1), total, context="the sum over parts", atol=1e-4,
                  hint="the parts' attributions must add up to the attribution of their sum.")


# ------------------------------------------------------------------------------------------
# Part 4 · The mechanism
# ------------------------------------------------------------------------------------------
@check(SECTION, "open_fraction", points=1)
def check_open_fraction(open_fraction) -> None:
    """Padded batches (the padding must not count), [START] not counted, a single bracket."""
    cases = [
        ("3 strings of different lengths (padded)", (ref.tokenize(["(()", "((((((", ")"]),)),
        ("a single string '()'", (ref.tokenize(["()"]),)),
        ("10 random strings", (ref.tokenize(_random_strings(10, 12)),)),
    ]
    compare_to_reference(
        open_fraction, ref.open_fraction, cases, name="open_fraction", atol=1e-6,
        hint="count OPEN tokens per row and divide by the number of BRACKETS in that row — not by the "
        "padded width, and not counting [START] or [PAD]; return a float tensor.",
    )


@check(SECTION, "linear_fit", points=1)
def check_linear_fit(linear_fit) -> None:
    """A noisy line with a large offset (r² well below r), an exact line, a negative slope."""
    x = randn(50, seed=13)
    cases = [
        ("y = 3x + 10 plus noise", (x, 3 * x + 10 + 2 * randn(50, seed=14))),
        ("an exact line y = -0.5x + 2", (x, -0.5 * x + 2)),
        ("x offset far from 0", (x + 20, 2 * x + randn(50, seed=15))),
    ]
    for context, (xs, ys) in cases:
        got = call(linear_fit, xs, ys, name="linear_fit", context=context)
        want = ref.linear_fit(xs, ys)
        if not isinstance(got, tuple | list) or len(got) != 3:
            raise CheckFailed(f"For {context}: return a tuple (slope, intercept, r2), got {got!r}.")
        for label, g, w in zip(("slope", "intercept", "r2"), got, want, strict=True):
            if abs(float(g) - w) > 1e-4 * max(1.0, abs(w)):
                raise CheckFailed(
                    f"For {context}: expected {label} {w:.5f}, got {float(g):.5f}. Least squares of y on x with "
                    "an intercept: slope = cov(x, y) / var(x); r2 = 1 - (residual sum of squares) / (total "
                    "sum of squares), which is r SQUARED."
                )



@check(SECTION, "negative_elevation_mask", points=2)
def check_negative_elevation_mask(negative_elevation_mask) -> None:
    """Asymmetric strings (counting from the right marks other positions), padding after a dip
    (still negative from the left), a string that dips and recovers; exact booleans."""
    cases = [
        ("['())', '(()'] (from the right, the marks would differ)", (ref.tokenize(["())", "(()"]),)),
        ("[')', ')(()', '())(()'] with padding after the dips", (ref.tokenize([")", ")(()", "())(()"]),)),
        ("['(()))(', '))(((('] ", (ref.tokenize(["(()))(", "))(((("]),)),
        ("12 random strings", (ref.tokenize(_random_strings(12, 31)),)),
    ]
    for context, (tokens,) in cases:
        got = call(negative_elevation_mask, tokens, name="negative_elevation_mask", context=context)
        expected = ref.negative_elevation_mask(tokens)
        if isinstance(got, Tensor) and got.shape == expected.shape and got.dtype != torch.bool:
            raise CheckFailed(f"For {context}: return a bool tensor, got {got.dtype}.")
        expect_tensor(
            got, expected, context=context, exact=True,
            hint="the elevation counted from the LEFT (cumsum of +1 for OPEN, -1 for CLOSE from position 1 "
            "onwards, including the current bracket) below zero, and only at bracket positions: "
            "[START] and [PAD] are always False.",
        )


@check(SECTION, "attention_share", points=1)
def check_attention_share(attention_share) -> None:
    """Square patterns (batch = head = query = key) so a wrong axis keeps the shape; several
    masks; rows of the pattern sum to 1."""
    for context, shape, seed in [("a square pattern (4, 4, 4, 4)", (4, 4, 4, 4), 40),
                                 ("a pattern (3, 2, 5, 5)", (3, 2, 5, 5), 41)]:
        pattern = (randn(*shape, seed=seed) * 2).softmax(-1)
        mask = randn(shape[0], shape[-1], seed=seed + 1) > 0
        mask[0] = False
        got = call(attention_share, pattern, mask, name="attention_share", context=context)
        expect_tensor(
            got, ref.attention_share(pattern, mask), context=context, atol=1e-6,
            hint="query 0 is pattern[:, :, 0] -> [batch, head, key]; multiply by mask[:, None, :] and "
            "sum over the KEY axis. Do not renormalise: the rows already sum to 1.",
        )


# ------------------------------------------------------------------------------------------
# Part 5 · Adversarial strings
# ------------------------------------------------------------------------------------------
@check(SECTION, "misclassified", points=1, timeout=20)
def check_misclassified(misclassified) -> None:
    """The tiny random model (many errors, in a known order), the zoo model, batch_size 1 and 7."""
    strings = _random_strings(30, 21, 1, 10) + ["()", "(())", ")(", "((()"]
    first_wrong = ref.misclassified(tiny_model(), strings)[:1]
    strings = first_wrong + strings  # a miss in first place: a loop that skips it shows
    for label, model, kwargs in [
        ("a tiny random model on 34 strings", tiny_model(), {}),
        ("a tiny random model on 34 strings, batch_size=7", tiny_model(), {"batch_size": 7}),
        ("the zoo model on 34 strings, batch_size=1", zoo_model(), {"batch_size": 1}),
    ]:
        got = call(misclassified, model, strings, name="misclassified", context=label, **kwargs)
        expect_equal(
            list(got) if isinstance(got, tuple | list) else got, ref.misclassified(model, strings), context=label,
            hint="keep the strings whose verdict (logit[1] > logit[0] at position 0) differs from "
            "is_balanced(s), as a list in the order given.",
        )
    check_defaults(misclassified, ref.misclassified, name="misclassified")
