"""Checks for section 1.5 — linear probes and inference-time intervention.

No model is needed: every exercise is a function of tensors (activations, logits, logit
differences) or strings, so the checks build small synthetic inputs, seeded, inside each check.
The classes of mistake they aim at: a probe whose classes are swapped (the sign of the direction
or of the bias), means replaced by sums (visible only with classes of different sizes), a logistic
probe that looks at rows outside its training mask (the check changes those rows and expects the
same probe back), AUC or accuracy computed against flipped labels, ties not counted as one half,
a transfer matrix transposed (a 3 × 2 case, where the transpose has the wrong shape), a logit
difference of the wrong sign or read at the padded last position, a steering vector not
normalised before scaling, steering at the wrong positions (off by one at either end, or over the
padding), a flip rate with the wrong denominator or the wrong treatment of a logit difference of 0; and
for the head-level intervention: per-head probes with an axis mixed up or fitted on the validation
rows, an ITI shift whose direction is not normalised or whose sigma is taken over the whole head
vector (or biased), shifts on the wrong heads, a hook that ignores the mask or edits in place.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from arena_check.reference import s1_5_linear_probes_and_iti as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "1.5"


# ------------------------------------------------------------------------------------------
# Input builders
# ------------------------------------------------------------------------------------------
def _classes(n_true: int, n_false: int, d: int, *, seed: int, offset: float = 3.0,
             gap: float = 2.0) -> tuple[Tensor, Tensor]:
    """Rows of two Gaussian classes in shuffled order: true rows centred at offset + gap along
    coordinate 0, false rows at offset - gap; offset makes a bias necessary."""
    gen = seeded(seed)
    labels = torch.cat([torch.ones(n_true, dtype=torch.bool), torch.zeros(n_false, dtype=torch.bool)])
    labels = labels[torch.randperm(len(labels), generator=gen)]
    acts = torch.randn(len(labels), d, generator=gen)
    acts[:, 0] += offset + gap * (labels.float() * 2 - 1)
    acts[:, 1:] += torch.randn(d - 1, generator=gen)  # a common offset in the other coordinates
    return acts, labels


def _float(got: object, expected: float, *, context: str, hint: str, tol: float = 1e-5,
           name: str) -> None:
    """Fail unless `got` is a real number equal to `expected` (nan matches nan)."""
    if isinstance(got, Tensor) and got.numel() == 1:
        raise CheckFailed(f"For {context}: `{name}` should return a Python float, got a tensor "
                          f"{got!r}. Call .item() on it.")
    if not isinstance(got, float | int) or isinstance(got, bool):
        raise CheckFailed(f"For {context}: `{name}` should return a Python float, got "
                          f"{type(got).__name__}.")
    if math.isnan(expected):
        if not math.isnan(got):
            raise CheckFailed(f"For {context}: expected nan, got {got:.6g}. Hint: {hint}")
        return
    if math.isnan(got) or abs(got - expected) > tol:
        raise CheckFailed(f"For {context}: expected {expected:.6g}, got {got:.6g}. Hint: {hint}")


# ------------------------------------------------------------------------------------------
# Part 1 · Probes
# ------------------------------------------------------------------------------------------
@check(SECTION, "difference_of_means_probe", points=2)
def check_difference_of_means_probe(difference_of_means_probe) -> None:
    """Unbalanced classes (so sums differ from means), a non-zero offset (so the bias matters),
    the first row false and the first row true; and the true class must score positive."""
    cases: list[Case] = []
    for n_true, n_false, seed in [(3, 9, 0), (8, 2, 1), (5, 5, 2)]:
        acts, labels = _classes(n_true, n_false, 4, seed=seed)
        cases.append((f"{n_true} true and {n_false} false rows of dimension 4, seed {seed}",
                      (acts, labels)))
    hint = ("w is mean(true rows) - mean(false rows) (means, not sums: the classes have different "
            "sizes), and b = -w · (mu_true + mu_false) / 2, so that the midpoint scores 0 and the "
            "true class scores positive.")
    for context, (acts, labels) in cases:
        out = call(difference_of_means_probe, acts, labels, name="difference_of_means_probe",
                   context=context)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise CheckFailed(f"For {context}: expected a tuple (w, b), got {type(out).__name__}.")
        w, b = out
        want_w, want_b = ref.difference_of_means_probe(acts, labels)
        expect_tensor(w, want_w, context=f"{context}, the direction w", hint=hint)
        expect_tensor(torch.as_tensor(b, dtype=torch.float32).reshape(()), want_b,
                      context=f"{context}, the bias b", hint=hint, check_dtype=False)


@check(SECTION, "fit_logistic_probe", points=3, timeout=20)
def check_fit_logistic_probe(fit_logistic_probe) -> None:
    """Only the training rows matter: held-out rows are replaced (activations and flipped labels)
    and the probe must not change. Then the values match the specified Adam fit (defaults
    included), with gradients disabled by the caller, on classes offset from the origin (so a
    missing bias shows)."""
    check_defaults(fit_logistic_probe, ref.fit_logistic_probe, name="fit_logistic_probe")
    acts, labels = _classes(14, 10, 5, seed=3)
    train_mask = torch.zeros(24, dtype=torch.bool)
    train_mask[torch.randperm(24, generator=seeded(4))[:16]] = True
    context = "24 rows of dimension 5, 16 of them in train_mask, seed 3"

    def fit(a: Tensor, y: Tensor, what: str, **kw: object) -> tuple[Tensor, Tensor]:
        with torch.no_grad():  # the page calls it with gradients off
            out = call(fit_logistic_probe, a, y, train_mask, name="fit_logistic_probe",
                       context=what, **kw)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise CheckFailed(f"For {what}: expected a tuple (w, b), got {type(out).__name__}.")
        w, b = out
        if not (isinstance(w, Tensor) and isinstance(b, Tensor)):
            raise CheckFailed(f"For {what}: w and b should be tensors.")
        if w.requires_grad or b.requires_grad:
            raise CheckFailed(f"For {what}: return detached tensors (w.detach(), b.detach()).")
        return w, b.reshape(())

    w, b = fit(acts, labels, context, steps=60, lr=0.05)
    held_out = ~train_mask
    other_acts, other_labels = acts.clone(), labels.clone()
    other_acts[held_out] = randn(int(held_out.sum()), 5, seed=5) * 10
    other_labels[held_out] = ~labels[held_out]
    w2, b2 = fit(other_acts, other_labels, f"{context}, held-out rows replaced", steps=60, lr=0.05)
    if not (torch.allclose(w, w2, atol=1e-6) and torch.allclose(b, b2, atol=1e-6)):
        raise CheckFailed(
            "The probe changed when only the rows OUTSIDE train_mask changed (their activations "
            "and labels were replaced): your fit uses held-out rows. Select the training rows "
            "first — x, y = acts[train_mask], labels[train_mask] — and use only those.")
    want = ref.fit_logistic_probe(acts, labels, train_mask, steps=60, lr=0.05)
    hint = ("full-batch Adam from w = 0, b = 0 on mean binary cross-entropy with logits "
            "x @ w + b, plus weight_decay * (w ** 2).sum(); labels as 1.0 for true.")
    expect_tensor(w, want[0], context=f"{context}, 60 steps of lr 0.05: w", hint=hint,
                  atol=1e-4, rtol=1e-3)
    expect_tensor(b, want[1], context=f"{context}, 60 steps of lr 0.05: b", hint=hint,
                  atol=1e-4, rtol=1e-3, check_dtype=False)
    wd, bd = fit(acts, labels, f"{context}, default steps, lr and weight_decay")
    want = ref.fit_logistic_probe(acts, labels, train_mask)
    expect_tensor(wd, want[0], context=f"{context}, defaults: w", hint=hint, atol=1e-4, rtol=1e-3)
    expect_tensor(bd, want[1], context=f"{context}, defaults: b", hint=hint, atol=1e-4, rtol=1e-3,
                  check_dtype=False)


@check(SECTION, "probe_accuracy")
def check_probe_accuracy(probe_accuracy) -> None:
    """Scores exactly 0 (predicted false), unequal classes, a perfect and a reversed probe."""
    cases = [
        ("scores [2, -1, 0, 3, -0.5] with labels [T, F, T, F, F]",
         torch.tensor([2.0, -1.0, 0.0, 3.0, -0.5]), torch.tensor([True, False, True, False, False])),
        ("scores [0, 0, 1] with labels [F, F, T] (0 is predicted false)",
         torch.tensor([0.0, 0.0, 1.0]), torch.tensor([False, False, True])),
        ("7 random scores, seed 6, labels mostly true",
         randn(7, seed=6), torch.tensor([True, True, False, True, True, True, False])),
    ]
    hint = ("a row is predicted true iff its score is > 0 (strictly); the accuracy is the "
            "fraction of rows where that prediction equals the label.")
    for context, scores, labels in cases:
        got = call(probe_accuracy, scores, labels, name="probe_accuracy", context=context)
        _float(got, ref.probe_accuracy(scores, labels), context=context, hint=hint,
               name="probe_accuracy")


@check(SECTION, "roc_auc")
def check_roc_auc(roc_auc) -> None:
    """A partly reversed ranking (so flipped labels give 1 - AUC, not the same), ties between the
    classes (each worth 1/2), unequal class sizes, and a perfect ranking."""
    cases = [
        ("scores [0.9, 0.1, 0.4, 0.8, 0.3] with labels [T, F, F, T, T]",
         torch.tensor([0.9, 0.1, 0.4, 0.8, 0.3]), torch.tensor([True, False, False, True, True])),
        ("tied scores [1, 1, 2, 0, 1] with labels [T, F, T, F, F]",
         torch.tensor([1.0, 1.0, 2.0, 0.0, 1.0]), torch.tensor([True, False, True, False, False])),
        ("9 random scores, seed 7, 3 true",
         randn(9, seed=7), torch.tensor([False, True, False, False, True, False, False, True, False])),
        ("a perfect ranking, 2 true above 3 false",
         torch.tensor([-1.0, 5.0, -2.0, 4.0, -3.0]), torch.tensor([False, True, False, True, False])),
    ]
    hint = ("the AUC is the fraction of (true, false) pairs in which the true row scores higher; "
            "a tie counts 1/2. A value of 1 - the right one means the labels are flipped.")
    for context, scores, labels in cases:
        got = call(roc_auc, scores, labels, name="roc_auc", context=context)
        _float(got, ref.roc_auc(scores, labels), context=context, hint=hint, name="roc_auc")


# ------------------------------------------------------------------------------------------
# Part 2 · Transfer
# ------------------------------------------------------------------------------------------
@check(SECTION, "transfer_matrix")
def check_transfer_matrix(transfer_matrix) -> None:
    """3 train sets × 2 test sets (a transposed matrix has the wrong shape) and a 2 × 2 case whose
    matrix is not symmetric; the fit must see the train sets only."""
    def sets(specs: list[tuple[str, int, int, float]]) -> dict[str, tuple[Tensor, Tensor]]:
        out = {}
        for name, n, seed, flip in specs:
            acts, labels = _classes(n, n, 3, seed=seed, offset=0.0, gap=1.0)
            acts[:, 0] *= flip  # a dataset whose truth points the other way
            out[name] = (acts, labels)
        return out

    seen: list[int] = []

    def fit(acts: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        seen.append(id(acts))
        return ref.difference_of_means_probe(acts, labels)

    hint = ("entry [i, j] is the accuracy on the j-th TEST set of the probe fitted on the i-th "
            "TRAIN set: rows = trained on, columns = tested on, in dict order; predicted true iff "
            "acts @ w + b > 0.")
    train = sets([("a", 6, 10, 1.0), ("b", 5, 11, -1.0), ("c", 4, 12, 0.3)])
    test = sets([("a", 7, 13, 1.0), ("b", 6, 14, -1.0)])
    context = "3 train sets, 2 test sets (dimension 3), fit = difference of means"
    got = call(transfer_matrix, train, test, fit, name="transfer_matrix", context=context)
    train_ids = {id(acts) for acts, _ in train.values()}
    if any(i not in train_ids for i in seen):
        raise CheckFailed(f"For {context}: `fit` was called on a test set. Fit one probe per TRAIN "
                          "set and only evaluate it on the test sets.")
    expect_tensor(got, ref.transfer_matrix(train, test, ref.difference_of_means_probe),
                  context=context, hint=hint, check_dtype=False)
    train2 = sets([("x", 5, 20, 1.0), ("y", 5, 21, 0.2)])
    test2 = sets([("x", 6, 22, -1.0), ("y", 6, 23, 1.0)])
    context = "2 train sets, 2 test sets, a matrix that is not symmetric"
    got = call(transfer_matrix, train2, test2, ref.difference_of_means_probe,
               name="transfer_matrix", context=context)
    expect_tensor(got, ref.transfer_matrix(train2, test2, ref.difference_of_means_probe),
                  context=context, hint=hint, check_dtype=False)

    def zero_probe(acts: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        return torch.zeros(acts.shape[1]), torch.tensor(0.0)

    test3 = {"u": (test2["x"][0], test2["x"][1][:12] & (torch.arange(12) < 4))}
    context = "a fit that returns w = 0, b = 0 (every score exactly 0, so every row predicted false)"
    got = call(transfer_matrix, train2, test3, zero_probe, name="transfer_matrix", context=context)
    expect_tensor(got, ref.transfer_matrix(train2, test3, zero_probe), context=context,
                  hint=hint + " A score of exactly 0 is predicted false.", check_dtype=False)


# ------------------------------------------------------------------------------------------
# Part 3 · What the model says
# ------------------------------------------------------------------------------------------
@check(SECTION, "format_prompt")
def check_format_prompt(format_prompt) -> None:
    """No shots (the default), two shots with both labels in order, one false shot."""
    check_defaults(format_prompt, ref.format_prompt, name="format_prompt")
    cases: list[tuple[str, tuple, dict]] = [
        ("a statement and no shots (the default)", ("2 + 2 = 4.",), {}),
        ("two shots (true, then false)",
         ("The city of Lyon is in France.",),
         {"shots": [("12 is larger than 7.", True), ("3 + 4 = 9.", False)]}),
        ("one false shot", ("Oslo is in Norway.",), {"shots": [("1 + 1 = 3.", False)]}),
    ]
    hint = ('each shot is "Statement: {s}\\nAnswer: True\\n\\n" (or False); then '
            '"Statement: {statement}\\nAnswer:" with no space at the end, so the model\'s next token '
            'is " True" or " False".')
    for context, args, kwargs in cases:
        got = call(format_prompt, *args, name="format_prompt", context=context, **kwargs)
        expect_equal(got, ref.format_prompt(*args, **kwargs), context=context, hint=hint)


@check(SECTION, "answer_logit_diff")
def check_answer_logit_diff(answer_logit_diff) -> None:
    """Rows of different lengths in a right-padded batch (the padded last position is wrong),
    a row of length 1, and a batch of one full-length row."""
    logits = randn(3, 5, 11, seed=8) * 3
    hint = ("for each row read position lengths[b] - 1 (the last real token, not the padded last "
            "position) and return logit[true_id] - logit[false_id]: positive means 'True'.")
    cases: list[Case] = [
        ("batch 3, 5 positions, lengths [5, 1, 3], true_id 4, false_id 9",
         (logits, torch.tensor([5, 1, 3]), 4, 9)),
        ("batch 3, lengths [2, 4, 4], true_id 0, false_id 10",
         (logits, torch.tensor([2, 4, 4]), 0, 10)),
        ("batch 1, length 5 (no padding)", (logits[:1], torch.tensor([5]), 7, 2)),
    ]
    compare_to_reference(answer_logit_diff, ref.answer_logit_diff, cases, name="answer_logit_diff",
                         hint=hint)


# ------------------------------------------------------------------------------------------
# Part 4 · Steering
# ------------------------------------------------------------------------------------------
@check(SECTION, "median_residual_norm")
def check_median_residual_norm(median_residual_norm) -> None:
    """A huge first position and padding left out by the mask; an even count (the lower middle
    value, as torch.median); a single selected position."""
    resid = randn(2, 4, 6, seed=9)
    resid[:, 0] *= 50  # a BOS-like outlier
    mask = torch.tensor([[False, True, True, True], [False, True, True, False]])
    one = torch.zeros(2, 4, dtype=torch.bool)
    one[1, 2] = True
    even = torch.tensor([[False, True, True, False], [False, True, True, False]])
    hint = ("take the L2 norm of each selected position's vector (over d_model) and return "
            "torch.median of those norms (the lower middle value for an even count), as a float.")
    for context, m in [("batch 2, 4 positions, 5 selected (not position 0, not the pad)", mask),
                       ("4 selected positions (an even count)", even),
                       ("a single selected position", one)]:
        got = call(median_residual_norm, resid, m, name="median_residual_norm", context=context)
        _float(got, ref.median_residual_norm(resid, m), context=context, hint=hint,
               name="median_residual_norm", tol=1e-4)


@check(SECTION, "steering_vector")
def check_steering_vector(steering_vector) -> None:
    """A direction of norm far from 1 (so a missing normalisation shows), a negative alpha."""
    direction = randn(6, seed=10) * 7
    cases: list[Case] = [
        ("a direction of norm ~17, median_norm 30, alpha 0.1", (direction, 30.0, 0.1)),
        ("the same direction, alpha -0.25", (direction, 30.0, -0.25)),
        ("a direction of norm ~0.3, median_norm 2, alpha 1", (randn(4, seed=11) * 0.15, 2.0, 1.0)),
    ]
    compare_to_reference(
        steering_vector, ref.steering_vector, cases, name="steering_vector",
        hint="divide the direction by its L2 norm first, so the result has norm "
             "|alpha| * median_norm whatever the direction's own norm; a negative alpha points "
             "against it.")


@check(SECTION, "steering_mask")
def check_steering_mask(steering_mask) -> None:
    """Different starts and lengths per row, a row with no padding, a statement starting at 0."""
    cases: list[Case] = [
        ("starts [2, 3, 0], lengths [6, 4, 7], 7 positions",
         (torch.tensor([2, 3, 0]), torch.tensor([6, 4, 7]), 7)),
        ("batch 1, starts [1], lengths [3], 5 positions", (torch.tensor([1]), torch.tensor([3]), 5)),
    ]
    compare_to_reference(
        steering_mask, ref.steering_mask, cases, name="steering_mask", exact=True,
        hint="True exactly for starts[b] <= p < lengths[b]: the statement's first token up to and "
             "including the last real token, never the prefix or the padding; a bool tensor.")


@check(SECTION, "add_steering")
def check_add_steering(add_steering) -> None:
    """One vector for all rows and one per row; masks that differ per row; resid not modified."""
    resid = randn(2, 4, 5, seed=12)
    mask = torch.tensor([[False, True, True, False], [False, False, True, True]])
    hint = ("return resid + vector at the positions where mask is True (mask[..., None] broadcasts "
            "over d_model); a [d_model] vector is the same for every row, a [batch, d_model] one "
            "is per row.")
    cases: list[Case] = [
        ("batch 2, 4 positions, one [d_model] vector", (resid, None, randn(5, seed=13), mask)),
        ("batch 2, one vector per row [2, d_model]", (resid, None, randn(2, 5, seed=14), mask)),
        ("batch 1, every position masked", (resid[:1], None, randn(5, seed=15),
                                            torch.ones(1, 4, dtype=torch.bool))),
    ]
    compare_to_reference(add_steering, ref.add_steering, cases, name="add_steering", hint=hint)


@check(SECTION, "flip_rate")
def check_flip_rate(flip_rate) -> None:
    """Both directions, a logit difference of exactly 0 (an answer of 'False'), rows already on
    the pushed side left out of the denominator, and no eligible row (nan)."""
    base = torch.tensor([-1.0, 0.0, 2.0, -0.5, 1.0, -3.0])
    steered = torch.tensor([0.5, 0.0, 3.0, -0.2, -1.0, 1.0])
    cases = [
        ("6 rows pushed toward True", (base, steered, True)),
        ("the same rows pushed toward False", (base, steered, False)),
        ("toward False where steered is exactly 0",
         (torch.tensor([1.0, 2.0, -1.0]), torch.tensor([0.0, 1.0, -2.0]), False)),
        ("toward True with every base already True (nothing eligible)",
         (torch.tensor([1.0, 2.0]), torch.tensor([3.0, -1.0]), True)),
        ("toward False, 8 random rows, seed 16", (randn(8, seed=16), randn(8, seed=17), False)),
    ]
    hint = ('an answer is "True" iff its logit difference is > 0. Only rows NOT already on the '
            "pushed side count (the denominator); a row flips if its steered answer is on the "
            "pushed side. nan if no row is eligible.")
    for context, args in cases:
        got = call(flip_rate, *args, name="flip_rate", context=context)
        _float(got, ref.flip_rate(*args), context=context, hint=hint, name="flip_rate")




# ------------------------------------------------------------------------------------------
# Part 5 · Head-level intervention (ITI)
# ------------------------------------------------------------------------------------------
def _head_acts(n_true: int, n_false: int, *, seed: int, layers: int = 3, heads: int = 2,
               d_head: int = 4) -> tuple[Tensor, Tensor]:
    """[n, layers, heads, d_head] activations in which each head separates the classes along its
    own random direction by its own margin (some heads well, some hardly), with a common offset
    (so the bias matters), rows in shuffled order."""
    gen = seeded(seed)
    labels = torch.cat([torch.ones(n_true, dtype=torch.bool), torch.zeros(n_false, dtype=torch.bool)])
    labels = labels[torch.randperm(len(labels), generator=gen)]
    z = torch.randn(len(labels), layers, heads, d_head, generator=gen)
    direction = torch.randn(layers, heads, d_head, generator=gen)
    margin = torch.rand(layers, heads, 1, generator=gen) * 1.5
    offset = torch.randn(layers, heads, d_head, generator=gen) * 2
    sign = labels.float()[:, None, None, None] * 2 - 1
    return z + offset + sign * margin * direction / direction.norm(dim=-1, keepdim=True), labels


@check(SECTION, "head_probe_accuracies", points=2)
def check_head_probe_accuracies(head_probe_accuracies) -> None:
    """Per-head directions and validation accuracies against the per-head reference probe, with
    unbalanced training classes (sums ≠ means) and more layers than heads (a swapped axis shows);
    the validation rows must not shape the directions."""
    hint = ("for every (layer, head) separately: w = mean over the TRUE training rows - mean over "
            "the false ones (dim 0 of z_train), b = -w · (mu_true + mu_false) / 2, and the "
            "accuracy of (w · z + b > 0) on the validation rows; shapes [layers, heads] and "
            "[layers, heads, d_head].")
    for n_true, n_false, m, seed in [(7, 4, 9, 30), (5, 9, 6, 31)]:
        z_train, y_train = _head_acts(n_true, n_false, seed=seed)
        z_val, y_val = _head_acts(m - m // 3, m // 3, seed=seed + 100)
        context = (f"{n_true} true and {n_false} false training rows, {m} validation rows, "
                   "3 layers × 2 heads × d_head 4")
        out = call(head_probe_accuracies, z_train, y_train, z_val, y_val,
                   name="head_probe_accuracies", context=context)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise CheckFailed(f"For {context}: expected a tuple (accuracy, directions), got "
                              f"{type(out).__name__}.")
        want_acc, want_w = ref.head_probe_accuracies(z_train, y_train, z_val, y_val)
        expect_tensor(out[1], want_w, context=f"{context}: the directions", hint=hint,
                      atol=1e-5, check_dtype=False)
        expect_tensor(out[0], want_acc, context=f"{context}: the accuracies", hint=hint,
                      check_dtype=False)
        other = call(head_probe_accuracies, z_train, y_train, z_val * 3 + 1, ~y_val,
                     name="head_probe_accuracies", context=f"{context}, validation rows changed")
        if not torch.allclose(torch.as_tensor(other[1]).float(), want_w, atol=1e-5):
            raise CheckFailed(f"For {context}: the directions changed when only the validation "
                              "rows changed. Fit on z_train and y_train only.")
    # small integers, so that a validation row at the midpoint of the means scores exactly 0
    z_train = torch.tensor([[1.0, 3.0], [3.0, 1.0], [-1.0, 1.0], [1.0, -3.0]]).reshape(4, 2, 1, 1)
    z_train = z_train.expand(4, 2, 1, 2).contiguous()
    y_train = torch.tensor([True, True, False, False])
    z_val = torch.tensor([[1.0, 0.5], [4.0, 2.0], [-2.0, -5.0]]).reshape(3, 2, 1, 1)
    z_val = z_val.expand(3, 2, 1, 2).contiguous()
    y_val = torch.tensor([True, True, False])
    context = ("2 layers × 1 head, integer activations; the first validation row sits exactly at "
               "the midpoint of the class means (score 0)")
    out = call(head_probe_accuracies, z_train, y_train, z_val, y_val,
               name="head_probe_accuracies", context=context)
    want_acc, _ = ref.head_probe_accuracies(z_train, y_train, z_val, y_val)
    expect_tensor(torch.as_tensor(out[0]), want_acc, context=f"{context}: the accuracies",
                  hint=hint + " A score of exactly 0 is predicted false (> 0, not >= 0).",
                  check_dtype=False)


@check(SECTION, "iti_shifts")
def check_iti_shifts(iti_shifts) -> None:
    """Directions of norm far from 1 (so a missing normalisation shows), heads with different
    spreads (sigma is per head, along the direction), few rows (the unbiased std differs from the
    biased one), an asymmetric (layer, head) choice, a negative alpha; and inputs not modified."""
    z_train, _ = _head_acts(4, 3, seed=40, layers=3, heads=2, d_head=4)
    z_train = z_train * torch.tensor([0.5, 1.0, 3.0])[None, :, None, None]
    directions = randn(3, 2, 4, seed=41) * 5
    hint = ("for each selected (layer, head): unit = directions[layer, head] / its norm; "
            "sigma = (z_train[:, layer, head] @ unit).std() (unbiased, over the training rows); "
            "shift = alpha * sigma * unit; every other head gets zeros.")
    cases: list[Case] = [
        ("7 rows, heads [(2, 1), (0, 0)] (layer, head), alpha 5",
         (directions, z_train, [(2, 1), (0, 0)], 5.0)),
        ("heads [(1, 0)] only, alpha -2", (directions, z_train, [(1, 0)], -2.0)),
        ("no heads selected", (directions, z_train, [], 3.0)),
    ]
    compare_to_reference(iti_shifts, ref.iti_shifts, cases, name="iti_shifts", hint=hint,
                         atol=1e-5)


@check(SECTION, "iti_hook")
def check_iti_hook(iti_hook) -> None:
    """Masks that differ per row, a shift that is zero for some heads, batch 1; z not modified."""
    z = randn(2, 4, 3, 5, seed=50)
    shift = randn(3, 5, seed=51)
    shift[1] = 0.0
    mask = torch.tensor([[False, True, True, False], [True, False, False, True]])
    hint = ("return z + shift at the masked positions only: mask[:, :, None, None] broadcasts over "
            "heads and d_head, shift [heads, d_head] over batch and positions.")
    cases: list[Case] = [
        ("batch 2, 4 positions, 3 heads (head 1 not shifted)", (z, None, shift, mask)),
        ("batch 1, only position 2 masked",
         (z[:1], None, randn(3, 5, seed=52), torch.tensor([[False, False, True, False]]))),
    ]
    compare_to_reference(iti_hook, ref.iti_hook, cases, name="iti_hook", hint=hint)
