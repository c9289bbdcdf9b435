"""Checks for section 4.2 — activation oracles.

Every exercise is a function of tensors or lists, checked on small seeded inputs; no model is
needed. The classes of mistake aimed at: reading position −1 of a right-padded batch; norms over
the wrong axis or of the whole batch, squared, or ratio inverted; a placeholder search that
accepts rows without or with several placeholders; an injection that replaces instead of adding,
is not norm-matched, is matched to the wrong vector, lands at one position for every row, edits
in place or cuts the gradient (detach); a hook that only handles tuples or drops the tuple's other elements; a loss over two
logits instead of the vocabulary, with swapped targets or summed, or log(softmax) that
underflows; a margin of the wrong sign or of
probabilities; plain accuracy for balanced accuracy, a pooled standard error, tensors for floats;
a bootstrap that pools the classes, is unpaired, uses the global RNG or draws in another order; a
question prior with ties or unseen questions going to True, by substring or on normalised
strings; a permutation with fixed points, that ignores its seed or touches the global RNG; the
first occurrence of a pattern, its start, or a search on joined strings of ids.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from arena_check.reference import s4_2_activation_oracles as ref
from arena_check.registry import check
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

SECTION = "4.2"


def _float(got: object, expected: float, *, context: str, hint: str, name: str,
           tol: float = 1e-6) -> None:
    if isinstance(got, Tensor):
        raise CheckFailed(f"For {context}: `{name}` should return Python floats, got a tensor. "
                          "Call float(...) or .item() on it.")
    if not isinstance(got, float | int) or isinstance(got, bool):
        raise CheckFailed(f"For {context}: `{name}` should return Python floats, got "
                          f"{type(got).__name__}.")
    if math.isnan(got) or abs(got - expected) > tol:
        raise CheckFailed(f"For {context}: expected {expected:.6g}, got {got:.6g}. Hint: {hint}")


def _tuple(out: object, n: int, context: str, what: str) -> tuple:
    if not (isinstance(out, tuple) and len(out) == n):
        raise CheckFailed(f"For {context}: expected a tuple {what}, got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, tuple | list) else "") + ".")
    return out


def _expect_raises(fn, args: tuple, *, name: str, context: str, hint: str) -> None:
    try:
        fn(*args)
    except ValueError:
        return
    except Exception as e:  # noqa: BLE001 — the learner's code raised something else
        raise CheckFailed(f"For {context}: expected ValueError, got {type(e).__name__}: {e}. "
                          f"Hint: {hint}") from None
    raise CheckFailed(f"For {context}: `{name}` should raise ValueError, but returned. Hint: {hint}")


def _padded(lengths: list[int], d: int, seed: int) -> tuple[Tensor, Tensor]:
    """Hidden states [batch, max length, d] (random also at the pads) and a right-padded mask."""
    hidden = randn(len(lengths), max(lengths), d, seed=seed)
    mask = (torch.arange(max(lengths))[None, :] < torch.tensor(lengths)[:, None]).long()
    return hidden, mask


def _bools(n: int, p: float, seed: int) -> Tensor:
    return torch.rand(n, generator=seeded(seed)) < p


# ------------------------------------------------------------------------------------------
# Part 1 · Moving an activation
# ------------------------------------------------------------------------------------------
@check(SECTION, "last_token_activations")
def check_last_token_activations(last_token_activations) -> None:
    """Rows of different lengths (the longest not first), a batch of one, a batch with no padding."""
    cases: list[Case] = []
    for lengths, d, seed in [([3, 5, 1, 4], 6, 0), ([2], 3, 1), ([4, 4, 4], 5, 2), ([1, 2, 6, 2, 5], 4, 3)]:
        hidden, mask = _padded(lengths, d, seed)
        cases.append((f"a right-padded batch with lengths {lengths}, d_model {d}, seed {seed}",
                      (hidden, mask)))
    compare_to_reference(
        last_token_activations, ref.last_token_activations, cases, name="last_token_activations",
        exact=True,
        hint="row b's last real token is at attention_mask[b].sum() − 1; position −1 is a pad "
             "token for every row shorter than the longest.",
    )


@check(SECTION, "norm_matched")
def check_norm_matched(norm_matched) -> None:
    """Rows of very different norms on both sides (so per-row matters), a square batch (so the
    axis matters), a batch of one."""
    v = randn(3, 5, seed=10) * torch.tensor([[0.1], [3.0], [40.0]])
    r = randn(3, 5, seed=11) * torch.tensor([[7.0], [0.2], [1.0]])
    sq_v = randn(4, 4, seed=12) * torch.tensor([[1.0], [9.0], [0.3], [2.0]])
    sq_r = randn(4, 4, seed=13) * torch.tensor([[0.5], [1.0], [6.0], [3.0]])
    cases: list[Case] = [
        ("3 vectors of norms ≈ 0.2, 7, 90 and references of norms ≈ 15, 0.4, 2, seed 10/11", (v, r)),
        ("a square 4×4 batch with row norms from 0.5 to 20, seed 12/13", (sq_v, sq_r)),
        ("a batch of one: vector [3, 4], reference [0, 10]",
         (torch.tensor([[3.0, 4.0]]), torch.tensor([[0.0, 10.0]]))),
    ]
    compare_to_reference(
        norm_matched, ref.norm_matched, cases, name="norm_matched", atol=1e-5, rtol=1e-4,
        hint="per ROW: vectors[b] · ‖reference[b]‖ / ‖vectors[b]‖ with L2 norms over the last "
             "axis (norm(dim=-1, keepdim=True)); the direction is the vector's, the length the "
             "reference's.",
    )


@check(SECTION, "placeholder_positions")
def check_placeholder_positions(placeholder_positions) -> None:
    """Placeholders at different positions (also first and last), a batch of one, and the errors:
    a row without the placeholder, a row with two, and both at once (as many hits as rows)."""
    ids = torch.tensor([[5, 9, 7, 7, 2], [9, 1, 1, 1, 1], [3, 4, 5, 6, 9], [8, 8, 9, 0, 0]])
    cases: list[Case] = [
        ("4 rows with token 9 at positions 1, 0, 4, 2", (ids, 9)),
        ("one row [4, 4, 2, 4] looking for 2", (torch.tensor([[4, 4, 2, 4]]), 2)),
    ]
    compare_to_reference(
        placeholder_positions, ref.placeholder_positions, cases, name="placeholder_positions",
        exact=True, hint="the index of token_id in each row, int64.",
    )
    hint = "count the hits per row and raise ValueError unless every count is exactly 1."
    _expect_raises(placeholder_positions, (torch.tensor([[1, 9, 3], [1, 2, 3]]), 9),
                   name="placeholder_positions", hint=hint,
                   context="rows [1, 9, 3] and [1, 2, 3] looking for 9 (the second row has none)")
    _expect_raises(placeholder_positions, (torch.tensor([[9, 2, 9], [1, 9, 3]]), 9),
                   name="placeholder_positions", hint=hint,
                   context="rows [9, 2, 9] and [1, 9, 3] looking for 9 (the first row has two)")
    _expect_raises(placeholder_positions, (torch.tensor([[9, 9, 1], [1, 2, 3]]), 9),
                   name="placeholder_positions", hint=hint,
                   context="rows [9, 9, 1] and [1, 2, 3] looking for 9 (two hits in all, but the "
                           "first row has both and the second none)")


def _inject_cases() -> list[tuple[str, Tensor, Tensor, Tensor]]:
    """Hidden states whose norms differ by row and by position, placeholders at different
    positions per row (so a single shared position or a sequence-wide norm shows)."""
    out = []
    for b, s, d, pos, seed in [(3, 5, 4, [1, 3, 0], 20), (2, 4, 6, [3, 2], 21), (1, 3, 5, [2], 22)]:
        hidden = randn(b, s, d, seed=seed) * torch.linspace(0.5, 4.0, s)[None, :, None]
        hidden = hidden * torch.linspace(1.0, 3.0, b)[:, None, None]
        vectors = randn(b, d, seed=seed + 100) * 50.0
        out.append((f"batch {b}, length {s}, d_model {d}, placeholders at {pos}, vectors of norm "
                    f"≈ 100, seed {seed}", hidden, vectors, torch.tensor(pos)))
    return out


@check(SECTION, "inject")
def check_inject(inject) -> None:
    """Every position compared, exactly where nothing is injected; inputs must be unchanged."""
    hint = ("add norm_matched(vectors, hidden[rows, positions]) at [rows, positions] only — the "
            "reference norm is the residual at that row's placeholder — and return a new tensor.")
    for context, hidden, vectors, positions in _inject_cases():
        got = call(inject, hidden, vectors, positions, name="inject", context=context)
        want = ref.inject(hidden, vectors, positions)
        expect_tensor(got, want, context=context, hint=hint, atol=1e-4, rtol=1e-4)
        untouched = torch.ones(hidden.shape[:2], dtype=torch.bool)
        untouched[torch.arange(hidden.shape[0]), positions] = False
        expect_tensor(got[untouched], hidden[untouched], exact=True, hint=hint,
                      context=f"{context}, the positions that are not placeholders")
    context, hidden, vectors, positions = _inject_cases()[0]
    # Grad mode on explicitly: a page (or a learner's notebook) may have switched it off globally,
    # and this case is about what the function itself does to the graph.
    with torch.enable_grad():
        leaf = hidden.clone().requires_grad_(True)
        got = call(inject, leaf, vectors, positions, name="inject",
                   context=f"{context}, hidden requiring grad")
    if not isinstance(got, Tensor) or not got.requires_grad:
        raise CheckFailed(f"For {context} with hidden.requires_grad = True: the result carries no "
                          "gradient. Hint: the oracle is trained THROUGH this function — no "
                          "torch.no_grad(), .detach() or .data on hidden; clone or add instead.")
    weight = randn(*hidden.shape, seed=23)
    with torch.enable_grad():
        (got * weight).sum().backward()
    untouched = torch.ones(hidden.shape[:2], dtype=torch.bool)
    untouched[torch.arange(hidden.shape[0]), positions] = False
    if leaf.grad is None or not torch.allclose(leaf.grad[untouched], weight[untouched]):
        raise CheckFailed(f"For {context} with hidden.requires_grad = True: the gradient does not "
                          "pass back unchanged to hidden at the positions that are not "
                          "placeholders. Hint: the oracle is trained THROUGH this function — no "
                          ".detach() or .data on hidden.")


@check(SECTION, "injection_hook")
def check_injection_hook(injection_hook) -> None:
    """The hook called on a tensor output and on a tuple output (its other elements kept), never
    editing the output in place."""
    hint = ("return inject(output, …) for a tensor, and (inject(output[0], …), *output[1:]) for a "
            "tuple; do not modify output.")
    for context, hidden, vectors, positions in _inject_cases()[:2]:
        hook = call(injection_hook, vectors, positions, name="injection_hook", context=context)
        if not callable(hook):
            raise CheckFailed(f"For {context}: `injection_hook` should return a function "
                              f"hook(module, inputs, output), got {type(hook).__name__}.")
        want = ref.inject(hidden, vectors, positions)
        ctx = f"{context}, output a tensor"
        got = call(hook, torch.nn.Identity(), (hidden,), hidden, name="the hook", context=ctx)
        expect_tensor(got, want, context=ctx, hint=hint, atol=1e-4, rtol=1e-4)
        extra = torch.arange(3.0)
        ctx = f"{context}, output a tuple (hidden, a cache tensor, None)"
        got = call(hook, torch.nn.Identity(), (hidden,), (hidden, extra, None), name="the hook",
                   context=ctx)
        if not (isinstance(got, tuple) and len(got) == 3):
            raise CheckFailed(f"For {ctx}: expected a tuple of 3 elements back, got "
                              f"{type(got).__name__}"
                              + (f" of length {len(got)}" if isinstance(got, tuple | list) else "")
                              + f". Hint: {hint}")
        expect_tensor(got[0], want, context=f"{ctx}, element 0", hint=hint, atol=1e-4, rtol=1e-4)
        if got[1] is not extra or got[2] is not None:
            raise CheckFailed(f"For {ctx}: the tuple's other elements should come back unchanged "
                              f"(the same objects). Hint: {hint}")


# ------------------------------------------------------------------------------------------
# Part 2 · Training objective and readout
# ------------------------------------------------------------------------------------------
def _logit_cases() -> list[tuple[str, Tensor, Tensor, int, int]]:
    out = []
    for b, v, yes, no, seed in [(5, 12, 3, 7, 30), (1, 6, 5, 0, 31), (6, 20, 11, 2, 32)]:
        logits = randn(b, v, seed=seed) * 3.0
        logits[:, 4] += 2.0  # a competitor outside the two answers takes mass
        out.append((f"{b} rows over a vocabulary of {v}, yes_id {yes}, no_id {no}, seed {seed}",
                    logits, _bools(b, 0.5, seed) if b > 1 else torch.tensor([False]), yes, no))
    return out


@check(SECTION, "oracle_loss")
def check_oracle_loss(oracle_loss) -> None:
    """Logits where other tokens hold much of the mass (so a two-way softmax shows), mixed labels,
    a batch of one with label False."""
    cases: list[Case] = [(c, (logits, labels, yes, no)) for c, logits, labels, yes, no in _logit_cases()]
    confident = randn(3, 10, seed=33)
    confident[:, 4] += 150.0  # softmax(...)[target] underflows to 0 in float32
    cases.append(("3 rows over a vocabulary of 10, yes_id 1, no_id 2, a confident wrong answer (token "
                  "4 is 150 logits above both; softmax followed by log underflows to −inf here)",
                  (confident, torch.tensor([True, False, True]), 1, 2)))
    compare_to_reference(
        oracle_loss, ref.oracle_loss, cases, name="oracle_loss", atol=1e-5, rtol=1e-4,
        hint="targets = yes_id where labels is True, else no_id; the mean of cross-entropy over "
             "the WHOLE vocabulary (F.cross_entropy(logits, targets), or log_softmax — never "
             "log(softmax), which underflows), a 0-d tensor.",
    )


@check(SECTION, "yes_no_margin")
def check_yes_no_margin(yes_no_margin) -> None:
    cases: list[Case] = [(c, (logits, yes, no)) for c, logits, _, yes, no in _logit_cases()]
    compare_to_reference(
        yes_no_margin, ref.yes_no_margin, cases, name="yes_no_margin", atol=1e-5, rtol=1e-5,
        hint="logits[:, yes_id] − logits[:, no_id]: raw logits (or log-probabilities, which "
             "differ by the same constant), yes first.",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · Scoring
# ------------------------------------------------------------------------------------------
@check(SECTION, "balanced_accuracy")
def check_balanced_accuracy(balanced_accuracy) -> None:
    """Unequal class sizes (so plain accuracy differs), a constant answer (0.5), a perfect reader
    (se 0), and the error when one class is empty."""
    hint = ("(tpr + tnr) / 2 with tpr over the positive LABELS and tnr over the negative ones; "
            "se = ½·sqrt(tpr(1−tpr)/n_pos + tnr(1−tnr)/n_neg); Python floats.")
    labels = torch.tensor([True] * 9 + [False] * 3)
    cases = [
        ("9 positives (6 predicted True) and 3 negatives (1 predicted False)",
         torch.tensor([True] * 6 + [False] * 3 + [False] + [True] * 2), labels),
        ("always True on 9 positives and 3 negatives", torch.ones(12, dtype=torch.bool), labels),
        ("40 random labels and predictions, seed 40", _bools(40, 0.5, 40), _bools(40, 0.3, 41)),
        ("a perfect reader on [True, False, False]", torch.tensor([True, False, False]),
         torch.tensor([True, False, False])),
    ]
    for context, preds, labs in cases:
        got = _tuple(call(balanced_accuracy, preds, labs, name="balanced_accuracy", context=context),
                     2, context, "(balanced accuracy, standard error)")
        want = ref.balanced_accuracy(preds, labs)
        _float(got[0], want[0], context=f"{context}, balanced accuracy", hint=hint, name="balanced_accuracy")
        _float(got[1], want[1], context=f"{context}, standard error", hint=hint, name="balanced_accuracy")
    _expect_raises(balanced_accuracy, (torch.tensor([True, False]), torch.tensor([True, True])),
                   name="balanced_accuracy", context="labels [True, True] (no negatives)",
                   hint="raise ValueError when either class is empty: a rate over no records is undefined.")


@check(SECTION, "paired_bootstrap_gap", timeout=20)
def check_paired_bootstrap_gap(paired_bootstrap_gap) -> None:
    """Correlated predictions with unequal classes, the default and other seeds, n_boot and alpha;
    the exact draw order of the docstring."""
    check_defaults(paired_bootstrap_gap, ref.paired_bootstrap_gap, name="paired_bootstrap_gap")
    hint = ("positives and negatives resampled separately, with replacement, with "
            "torch.randint(len(group), (len(group),), generator=g) — positives first in each "
            "round — the SAME indices for a and b; torch.quantile of the float64 gaps at alpha/2 "
            "and 1 − alpha/2; the gap itself on all records.")
    labels = _bools(30, 0.35, 50)
    a = labels ^ _bools(30, 0.15, 51)
    b = labels ^ _bools(30, 0.4, 52) | (a & _bools(30, 0.3, 53))
    cases = [
        ("30 records (about a third positive), default n_boot/seed/alpha", (a, b, labels), {}),
        ("the same records, n_boot 200, seed 3, alpha 0.2", (a, b, labels),
         {"n_boot": 200, "seed": 3, "alpha": 0.2}),
        ("the same records with a and b swapped, n_boot 300, seed 7", (b, a, labels),
         {"n_boot": 300, "seed": 7}),
    ]
    for context, args, kw in cases:
        got = _tuple(call(paired_bootstrap_gap, *args, name="paired_bootstrap_gap", context=context,
                          **kw), 3, context, "(gap, low, high)")
        want = ref.paired_bootstrap_gap(*args, **kw)
        for part, g, w in zip(("gap", "low", "high"), got, want, strict=True):
            _float(g, w, context=f"{context}, {part}", hint=hint, name="paired_bootstrap_gap", tol=1e-6)


# ------------------------------------------------------------------------------------------
# Part 4 · Controls
# ------------------------------------------------------------------------------------------
@check(SECTION, "question_prior")
def check_question_prior(question_prior) -> None:
    """Majorities both ways, a tie, a question seen only in test, questions that contain one
    another (substring matching shows)."""
    train_q = (["Is it in Peru?"] * 3 + ["Is it in France?"] * 4 + ["Is it in Spain?"] * 2
               + ["Is it in Niger?"] * 2 + ["Is it in Nigeria?"] * 3 + ["Is it in Chad?"] * 2)
    train_y = torch.tensor([True, True, False] + [False, False, True, False] + [True, False]
                           + [True, True] + [False, True, False] + [True, True])
    test_q = ["Is it in France?", "Is it in Peru?", "Is it in Spain?", "Is it in Chile?",
              "Is it in Nigeria?", "Is it in Niger?", "Is it in Peru?", "is it in chad? "]
    got = call(question_prior, train_q, train_y, test_q, name="question_prior",
               context="16 training records over 6 questions, 8 test questions")
    expect_tensor(got, ref.question_prior(train_q, train_y, test_q), exact=True,
                  context="16 training records (Peru 2 of 3 True, France 1 of 4, Spain 1 of 2: a "
                          "tie, Niger 2 of 2, Nigeria 1 of 3, Chad 2 of 2), test on France, Peru, "
                          "Spain, Chile (unseen), Nigeria, Niger, Peru, 'is it in chad? ' (not the "
                          "identical string: unseen)",
                  hint="True only where STRICTLY more than half of the training records with the "
                       "identical question string are True (no lower-casing or stripping); "
                       "ties and unseen questions give False; a bool tensor.")


@check(SECTION, "derangement")
def check_derangement(derangement) -> None:
    """Sizes 2, 3 (twelve seeds each), 7 and 50 with several seeds: a permutation, no fixed point, int64, reproducible,
    and not the same for every seed; the error for n < 2."""
    check_defaults(derangement, ref.derangement, name="derangement")
    hint = ("return a permutation of 0..n−1 with p[i] != i for every i, drawn from "
            "torch.Generator().manual_seed(seed).")
    seen = set()
    for n in (2, 3, 7, 50):
        for seed in range(12) if n <= 3 else (0, 1, 2, 5):
            context = f"n = {n}, seed {seed}"
            state = torch.get_rng_state()
            p = call(derangement, n, seed, name="derangement", context=context)
            if not torch.equal(state, torch.get_rng_state()):
                raise CheckFailed(f"For {context}: the call changed torch's GLOBAL random state "
                                  "(torch.manual_seed or an unseeded draw), so it reseeds or "
                                  "perturbs everyone else's randomness. Hint: draw from your own "
                                  "g = torch.Generator().manual_seed(seed) and pass generator=g.")
            if not isinstance(p, Tensor) or p.dtype != torch.int64 or p.shape != (n,):
                raise CheckFailed(f"For {context}: expected an int64 tensor of shape ({n},), got "
                                  f"{p.dtype if isinstance(p, Tensor) else type(p).__name__}"
                                  f"{' of shape ' + str(tuple(p.shape)) if isinstance(p, Tensor) else ''}. "
                                  f"Hint: {hint}")
            if sorted(p.tolist()) != list(range(n)):
                raise CheckFailed(f"For {context}: {p.tolist()[:12]} is not a permutation of "
                                  f"0..{n - 1}. Hint: {hint}")
            fixed = (p == torch.arange(n)).nonzero().flatten().tolist()
            if fixed:
                raise CheckFailed(f"For {context}: p[i] == i at i = {fixed[:5]}; a derangement moves "
                                  f"every element. Hint: {hint}")
            again = derangement(n, seed)
            if not torch.equal(again, p):
                raise CheckFailed(f"For {context}: a second call gave a different permutation; use a "
                                  "torch.Generator seeded with `seed`, not the global RNG.")
            if n >= 7:
                seen.add((n, tuple(p.tolist())))
    if len({s for s in seen if s[0] == 50}) < 3:
        raise CheckFailed("For n = 50 with seeds 0, 1, 2, 5: the permutations are (nearly) all the "
                          "same; the seed should choose the permutation.")
    p = call(derangement, 40, name="derangement", context="n = 40, default seed")
    if not torch.equal(p, derangement(40, 0)):
        raise CheckFailed("For n = 40: the default seed should be 0 (derangement(40) == "
                          "derangement(40, 0)).")
    _expect_raises(derangement, (1,), name="derangement", context="n = 1",
                   hint="one element cannot move: raise ValueError for n < 2.")


# ------------------------------------------------------------------------------------------
# Part 6 · Secret positions
# ------------------------------------------------------------------------------------------
@check(SECTION, "last_occurrence_end")
def check_last_occurrence_end(last_occurrence_end) -> None:
    """Two occurrences (the last is wanted), an occurrence ending at the last element, a pattern
    of one token, overlapping occurrences, the whole sequence; the errors for an absent or empty
    pattern."""
    hint = ("scan for the LAST contiguous occurrence of pattern and return the index of its LAST "
            "element (start + len(pattern) − 1).")
    cases = [
        ("ids [5, 1, 2, 7, 1, 2, 8], pattern [1, 2]", [5, 1, 2, 7, 1, 2, 8], [1, 2]),
        ("ids [3, 4, 9, 3, 4], pattern [3, 4] (ends at the last element)", [3, 4, 9, 3, 4], [3, 4]),
        ("ids [7, 7, 7], pattern [7]", [7, 7, 7], [7]),
        ("ids [1, 2, 9, 2, 4], pattern [1, 2] (its last token recurs alone)", [1, 2, 9, 2, 4], [1, 2]),
        ("ids [1, 1, 1, 2], pattern [1, 1] (overlapping)", [1, 1, 1, 2], [1, 1]),
        ("ids [4, 5, 6], pattern [4, 5, 6] (the whole sequence)", [4, 5, 6], [4, 5, 6]),
        ("ids as a tuple (2, 6, 2, 6, 3), pattern (2, 6)", (2, 6, 2, 6, 3), (2, 6)),
        ("ids [2, 3, 9, 12, 3], pattern [2, 3] (12 is one token, not 1 then 2)",
         [2, 3, 9, 12, 3], [2, 3]),
    ]
    for context, ids, pattern in cases:
        got = call(last_occurrence_end, ids, pattern, name="last_occurrence_end", context=context)
        want = ref.last_occurrence_end(ids, pattern)
        if isinstance(got, Tensor) or not isinstance(got, int) or isinstance(got, bool) or got != want:
            raise CheckFailed(f"For {context}: expected the int {want}, got {got!r}. Hint: {hint}")
    _expect_raises(last_occurrence_end, ([1, 2, 3], [2, 4]), name="last_occurrence_end",
                   context="ids [1, 2, 3], pattern [2, 4] (absent)",
                   hint="raise ValueError when the pattern does not occur.")
    _expect_raises(last_occurrence_end, ([1, 2, 3], [3, 4]), name="last_occurrence_end",
                   context="ids [1, 2, 3], pattern [3, 4] (would run past the end)",
                   hint="raise ValueError when the pattern does not occur.")
    _expect_raises(last_occurrence_end, ([1, 2], []), name="last_occurrence_end",
                   context="an empty pattern", hint="raise ValueError for an empty pattern.")
