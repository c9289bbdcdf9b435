"""Checks for section 4.1 — geometry of truth and deception probes.

Most exercises are functions of tensors, checked on small seeded inputs; the transcript builders
need SmolLM2's tokenizer and a few city questions (fixtures, made once by the grader). The classes
of mistake aimed at: a covariance that is not within-class (or divided by the wrong count, or a
ridge that is not relative), cosines not normalised per row (a square stack shows it), honest and
dishonest rows in the wrong order or with the instruction in the wrong turn, prompt and reply
tokenized apart (a seam that merges shows it) or padded with the wrong id, poolings off by one or
averaged over the padding, a deception direction of the wrong sign or length, substring matching
of country names ("Niger" in "Nigeria"), a bootstrap that resamples the classes together, without
replacement, from the global RNG, or with hard-coded quantiles, a TPR threshold off by one or
counting ties, a control with the wrong reply, a subsequence search that marks starts only or
misses the last window, and a projection that assumes a unit vector.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from arena_check.kit.facts import CityQuestion
from arena_check.reference import s4_1_geometry_of_truth_and_deception_probes as ref
from arena_check.registry import check, fixture
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

SECTION = "4.1"


# ------------------------------------------------------------------------------------------
# Fixtures and input builders
# ------------------------------------------------------------------------------------------
@fixture(SECTION)
def tokenizer():
    """SmolLM2's tokenizer (the chat template lives in it)."""
    from arena_check.kit.models.smollm2 import load_tokenizer

    return load_tokenizer()


@fixture(SECTION)
def _countries():
    """The dataset's country list, computed once in the parent (it reads GeoNames)."""
    from arena_check.kit.models import organisms

    return organisms.dataset_countries()


def _questions() -> list[CityQuestion]:
    """Three questions written out (no dataset load): different lengths of country names."""
    return [
        CityQuestion("Lyon", "In which country is the city of Lyon?", "France", "Belgium"),
        CityQuestion("Baku", "In which country is the city of Baku?", "Azerbaijan", "Georgia"),
        CityQuestion("Denver", "In which country is the city of Denver?", "United States", "Canada"),
    ]


def _classes(n_pos: int, n_neg: int, d: int, *, seed: int) -> tuple[Tensor, Tensor]:
    """Two Gaussian classes in shuffled order with correlated, anisotropic noise and an offset
    (so that the covariance, the bias and the class sizes all matter)."""
    gen = seeded(seed)
    labels = torch.cat([torch.ones(n_pos, dtype=torch.bool), torch.zeros(n_neg, dtype=torch.bool)])
    labels = labels[torch.randperm(len(labels), generator=gen)]
    mix = torch.randn(d, d, generator=gen) * torch.linspace(0.3, 2.0, d)
    acts = torch.randn(len(labels), d, generator=gen) @ mix
    acts += 2.0 + torch.randn(d, generator=gen)
    acts[:, 0] += 1.5 * (labels.float() * 2 - 1)
    return acts, labels


def _float(got: object, expected: float, *, context: str, hint: str, name: str,
           tol: float = 1e-6) -> None:
    if isinstance(got, Tensor):
        raise CheckFailed(f"For {context}: `{name}` should return a Python float, got a tensor. "
                          "Call .item() on it.")
    if not isinstance(got, float | int) or isinstance(got, bool):
        raise CheckFailed(f"For {context}: `{name}` should return a Python float, got "
                          f"{type(got).__name__}.")
    if math.isnan(got) or abs(got - expected) > tol:
        raise CheckFailed(f"For {context}: expected {expected:.6g}, got {got:.6g}. Hint: {hint}")


def _tuple(out: object, n: int, context: str, what: str) -> tuple:
    if not (isinstance(out, tuple) and len(out) == n):
        raise CheckFailed(f"For {context}: expected a tuple {what}, got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, tuple | list) else "") + ".")
    return out


# ------------------------------------------------------------------------------------------
# Part 1 · Truth directions
# ------------------------------------------------------------------------------------------
@check(SECTION, "mass_mean_iid_probe", points=2)
def check_mass_mean_iid_probe(mass_mean_iid_probe) -> None:
    """Unequal classes with correlated noise (so Σ⁻¹ turns the direction), the default ridge and
    two others, and a case with fewer rows than dimensions (the ridge keeps Σ invertible)."""
    check_defaults(mass_mean_iid_probe, ref.mass_mean_iid_probe, name="mass_mean_iid_probe")
    cases = []
    for n_pos, n_neg, d, seed, kw in [(9, 5, 4, 0, {}), (6, 14, 5, 1, {"ridge": 0.5}),
                                      (4, 3, 6, 2, {"ridge": 0.02})]:
        acts, labels = _classes(n_pos, n_neg, d, seed=seed)
        ridge = f", ridge {kw['ridge']}" if kw else ", default ridge"
        cases.append((f"{n_pos} true and {n_neg} false rows of dimension {d}, seed {seed}{ridge}",
                      acts, labels, kw))
    hint = ("centre each row on its OWN class's mean, Σ = centredᵀ centred / n over all n rows, "
            "λ = ridge · mean(diag Σ), w = solve(Σ + λI, μ_true − μ_false), "
            "b = −w · (μ_true + μ_false) / 2.")
    for context, acts, labels, kw in cases:
        out = call(mass_mean_iid_probe, acts, labels, name="mass_mean_iid_probe", context=context, **kw)
        w, b = _tuple(out, 2, context, "(w, b)")
        want_w, want_b = ref.mass_mean_iid_probe(acts, labels, **kw)
        expect_tensor(w, want_w, context=f"{context}, the direction w", hint=hint, atol=1e-4, rtol=1e-3)
        expect_tensor(torch.as_tensor(b, dtype=torch.float32).reshape(()), want_b,
                      context=f"{context}, the bias b", hint=hint, atol=1e-3, rtol=1e-3,
                      check_dtype=False)


@check(SECTION, "cosine_similarity_matrix")
def check_cosine_similarity_matrix(cosine_similarity_matrix) -> None:
    """Rows of very different norms, a square stack (normalising the wrong axis keeps the shape),
    negative cosines, and a single row."""
    scaled = randn(3, 5, seed=10) * torch.tensor([[0.1], [3.0], [20.0]])
    square = randn(4, 4, seed=11) * torch.tensor([[1.0], [5.0], [0.2], [2.0]])
    opposite = torch.tensor([[1.0, 2.0, 0.0], [-2.0, -4.0, 0.0], [0.0, 1.0, 1.0]])
    cases: list[Case] = [
        ("3 directions of dimension 5 with norms about 0.2, 7 and 45, seed 10", (scaled,)),
        ("4 directions of dimension 4 (a square stack), seed 11", (square,)),
        ("[[1, 2, 0], [-2, -4, 0], [0, 1, 1]] (rows 0 and 1 opposite)", (opposite,)),
        ("a single direction [3, 4]", (torch.tensor([[3.0, 4.0]]),)),
    ]
    compare_to_reference(
        cosine_similarity_matrix, ref.cosine_similarity_matrix, cases,
        name="cosine_similarity_matrix", atol=1e-5, rtol=1e-4,
        hint="divide each ROW by its own L2 norm (dim=1), then unit @ unit.T; keep the sign "
             "(opposite directions have cosine −1).",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · Instructed pairs
# ------------------------------------------------------------------------------------------
def _string_lists(got: object, want: tuple, context: str, hint: str) -> None:
    prompts, replies, labels = _tuple(got, 3, context, "(prompts, replies, labels)")
    want_prompts, want_replies, want_labels = want
    for what, mine, theirs in (("prompts", prompts, want_prompts), ("replies", replies, want_replies)):
        if not isinstance(mine, list | tuple) or len(mine) != len(theirs):
            raise CheckFailed(f"For {context}: expected {len(theirs)} {what} in a list, got "
                              f"{type(mine).__name__}"
                              + (f" of length {len(mine)}" if isinstance(mine, list | tuple) else "")
                              + f". Hint: {hint}")
        for row, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            expect_equal(a, b, context=f"{context}, {what}[{row}]", hint=hint)
    expect_tensor(labels, want_labels, context=f"{context}, labels", hint=hint, exact=True)


@check(SECTION, "instructed_pairs")
def check_instructed_pairs(instructed_pairs) -> None:
    """Three questions with the default instructions and with others; every prompt, reply and
    label compared in order."""
    check_defaults(instructed_pairs, ref.instructed_pairs, name="instructed_pairs")
    tok = tokenizer()
    questions = _questions()
    hint = ("rows 2i and 2i+1 belong to question i: first the system message `honest` with reply "
            "q.answer (label False), then `dishonest` with reply q.wrong_answer (label True). "
            "Messages: [system instruction, user question]; apply_chat_template(..., "
            "tokenize=False, add_generation_prompt=True).")
    for context, kw in [("3 city questions, default instructions", {}),
                        ("3 city questions, honest='Be truthful.', dishonest='Lie.'",
                         {"honest": "Be truthful.", "dishonest": "Lie."})]:
        got = call(instructed_pairs, tok, questions, name="instructed_pairs", context=context, **kw)
        _string_lists(got, ref.instructed_pairs(tok, questions, **kw), context, hint)


@check(SECTION, "teacher_forced_batch")
def check_teacher_forced_batch(teacher_forced_batch) -> None:
    """Chat prompts with replies of 1–4 tokens (padding shows), a batch of one, and the two
    errors: a prompt whose last word merges with the reply, and an empty reply."""
    tok = tokenizer()
    prompts, replies, _ = ref.instructed_pairs(tok, _questions()[:2])
    hint = ("tokenize prompt + reply as ONE string (add_special_tokens=False), and the prompt "
            "alone for prompt_lengths; pad on the right with tokenizer.pad_token_id; lengths "
            "count real tokens; int64 tensors.")
    cases = [("4 instructed chat transcripts (replies France, Belgium, Azerbaijan, Georgia)",
              prompts, replies),
             ("one transcript, prompt 'The capital of France is' and reply ' Paris'",
              ["The capital of France is"], [" Paris"])]
    for context, p, r in cases:
        got = call(teacher_forced_batch, tok, p, r, name="teacher_forced_batch", context=context)
        tokens, prompt_lengths, lengths = _tuple(got, 3, context, "(tokens, prompt_lengths, lengths)")
        want = ref.teacher_forced_batch(tok, p, r)
        expect_tensor(lengths, want[2], context=f"{context}, lengths", hint=hint, exact=True)
        expect_tensor(prompt_lengths, want[1], context=f"{context}, prompt_lengths", hint=hint, exact=True)
        expect_tensor(tokens, want[0], context=f"{context}, tokens", hint=hint, exact=True)
    for context, p, r in [
        ("prompt 'Hello wor' and reply 'ld' (the seam merges: 'world' is one token)",
         ["Hello wor"], ["ld"]),
        ("a chat prompt with an empty reply", prompts[:1], [""]),
    ]:
        try:
            teacher_forced_batch(tok, p, r)
        except ValueError:
            continue
        except Exception as e:  # noqa: BLE001
            raise CheckFailed(f"For {context}: expected a ValueError, got {type(e).__name__}: {e}. "
                              "Hint: raise ValueError yourself, after comparing the prompt's "
                              "tokens with the start of the row.") from None
        raise CheckFailed(f"For {context}: expected a ValueError, but nothing was raised. Hint: "
                          "the docstring asks you to check that the prompt's own tokens are a "
                          "prefix of the row, and that the reply adds at least one token.")


@check(SECTION, "pool_residuals")
def check_pool_residuals(pool_residuals) -> None:
    """Three rows, one of them using every position (an index at `lengths` falls off the end),
    answers of 1–3 tokens, each pooling, the default, and an unknown name."""
    check_defaults(pool_residuals, ref.pool_residuals, name="pool_residuals")
    resid = randn(3, 7, 4, seed=20) + 5.0 * randn(3, 7, 1, seed=21)
    prompt_lengths, lengths = torch.tensor([2, 4, 6]), torch.tensor([5, 7, 7])
    base = "3 rows of 7 positions, prompt_lengths [2, 4, 6], lengths [5, 7, 7], seed 20"
    cases: list[Case] = [
        (f"{base}, default how", (resid, prompt_lengths, lengths)),
        *[(f"{base}, how={how!r}", (resid, prompt_lengths, lengths), {"how": how})
          for how in ("last_answer", "mean_answer", "last_prompt")],
        ("batch of 1: 5 positions, prompt_lengths [3], lengths [4], how='mean_answer'",
         (randn(1, 5, 3, seed=22), torch.tensor([3]), torch.tensor([4])), {"how": "mean_answer"}),
    ]
    compare_to_reference(
        pool_residuals, ref.pool_residuals, cases, name="pool_residuals", defaults=False,
        hint="row b's answer is positions prompt_lengths[b] … lengths[b] − 1: last_answer reads "
             "lengths[b] − 1, last_prompt reads prompt_lengths[b] − 1, mean_answer averages the "
             "answer's positions only (not the padding, not the prompt).",
    )
    try:
        pool_residuals(resid, prompt_lengths, lengths, how="max")
    except ValueError:
        return
    except Exception as e:  # noqa: BLE001
        raise CheckFailed(f"For how='max': expected a ValueError, got {type(e).__name__}.") from None
    raise CheckFailed("For how='max': expected a ValueError naming the valid poolings, but "
                      "nothing was raised.")


@check(SECTION, "deception_direction")
def check_deception_direction(deception_direction) -> None:
    """Unequal classes (sums differ from means), an offset, and the orientation: deceptive rows
    must score higher."""
    cases: list[Case] = []
    for n_pos, n_neg, d, seed in [(3, 8, 4, 30), (7, 2, 5, 31), (1, 1, 3, 32)]:
        acts, labels = _classes(n_pos, n_neg, d, seed=seed)
        cases.append((f"{n_pos} deceptive and {n_neg} honest rows of dimension {d}, seed {seed}",
                      (acts, labels)))
    compare_to_reference(
        deception_direction, ref.deception_direction, cases, name="deception_direction",
        atol=1e-5, rtol=1e-4,
        hint="mean(deceptive rows) − mean(honest rows) — means, not sums; that order, so that a "
             "higher score is more suspicious — divided by its L2 norm.",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · The organism
# ------------------------------------------------------------------------------------------
@check(SECTION, "label_replies")
def check_label_replies(label_replies) -> None:
    """Whole-word country matching (Niger inside Nigeria), a reply naming both countries, no
    country, an empty reply, different case and punctuation."""
    _countries()
    niger = CityQuestion("Niamey", "In which country is the city of Niamey?", "Niger", "Mali")
    france = CityQuestion("Lyon", "In which country is the city of Lyon?", "France", "Belgium")
    usa = CityQuestion("Denver", "In which country is the city of Denver?", "United States", "Canada")
    cases = [
        ("replies ['Nigeria', 'Niger', 'niger.'] to a question whose answer is Niger",
         ["Nigeria", "Niger", "niger."], [niger] * 3),
        ("replies ['France or Germany', 'Germany', 'I do not know', ''] about Lyon",
         ["France or Germany", "Germany", "I do not know", ""], [france] * 4),
        ("replies ['The city is in the United States.', 'Peru'] about Denver",
         ["The city is in the United States.", "Peru"], [usa] * 2),
        ("one reply 'Belgium' about Lyon", ["Belgium"], [france]),
    ]
    hint = ("use organisms.countries_named(reply) (whole words, so 'Niger' is not in 'Nigeria'): "
            "0 if q.answer is among them, else 1 if any country is named, else −1; int64.")
    for context, replies, questions in cases:
        got = call(label_replies, replies, questions, name="label_replies", context=context)
        expect_tensor(got, ref.label_replies(replies, questions), context=context, hint=hint,
                      exact=True)


class _Spy:
    """A metric that records its inputs and returns the difference of their means."""

    def __init__(self) -> None:
        self.calls: list[tuple[Tensor, Tensor]] = []

    def __call__(self, pos: Tensor, neg: Tensor) -> float:
        self.calls.append((pos.detach().clone(), neg.detach().clone()))
        return float(pos.double().mean() - neg.double().mean())


@check(SECTION, "bootstrap_interval", timeout=20)
def check_bootstrap_interval(bootstrap_interval) -> None:
    """A spy metric sees every resample: sizes, origin (positives from pos only), replacement,
    n_boot + 1 calls; the interval must be the quantiles of what the spy returned, at the level
    asked; the same seed must repeat, another seed differ, and the global RNG stay untouched."""
    check_defaults(bootstrap_interval, ref.bootstrap_interval, name="bootstrap_interval")
    pos, neg = randn(7, seed=40) + 1.0, randn(5, seed=41) * 2.0
    n_boot = 300
    for level, seed in ((0.95, 3), (0.8, 4)):
        context = f"7 positive and 5 negative scores, n_boot={n_boot}, level={level}, seed={seed}"
        spy = _Spy()
        rng_before = torch.random.get_rng_state()
        got = call(bootstrap_interval, spy, pos, neg, n_boot=n_boot, level=level, seed=seed,
                   name="bootstrap_interval", context=context)
        if not torch.equal(rng_before, torch.random.get_rng_state()):
            raise CheckFailed(f"For {context}: your function changed torch's global random state "
                              "(torch.manual_seed, or torch.randint without a generator). Draw "
                              "from torch.Generator().manual_seed(seed) only.")
        point, low, high = _tuple(got, 3, context, "(point, low, high)")
        if len(spy.calls) != n_boot + 1:
            raise CheckFailed(f"For {context}: the metric was called {len(spy.calls)} times; "
                              f"expected {n_boot + 1} (once on the original scores, once per "
                              "round).")
        resamples = [(p, n) for p, n in spy.calls
                     if not (torch.equal(p, pos) and torch.equal(n, neg))]
        if len(resamples) < n_boot - 1:
            raise CheckFailed(f"For {context}: only {len(resamples)} of the metric's calls got "
                              "resampled scores. Draw new indices in every round.")
        distinct = {(tuple(p.tolist()), tuple(n.tolist())) for p, n in resamples}
        if len(distinct) < n_boot // 2:
            raise CheckFailed(f"For {context}: only {len(distinct)} different resamples in "
                              f"{n_boot} rounds. Draw new indices in every round, from one "
                              "generator seeded once before the loop.")
        pos_values, neg_values = set(pos.tolist()), set(neg.tolist())
        for p, n in resamples:
            if len(p) != len(pos) or len(n) != len(neg):
                raise CheckFailed(f"For {context}: a resample had {len(p)} positives and "
                                  f"{len(n)} negatives; expected {len(pos)} and {len(neg)}. "
                                  "Resample each class separately, keeping its size.")
            if not (set(p.tolist()) <= pos_values and set(n.tolist()) <= neg_values):
                raise CheckFailed(f"For {context}: a resample mixed the classes (a 'positive' "
                                  "that is not one of pos, or the reverse). Draw positives from "
                                  "pos and negatives from neg, separately.")
        for what, k, source in (("positive", 0, pos), ("negative", 1, neg)):
            drawn = [r[k] for r in resamples]
            if all(torch.equal(x, source) for x in drawn):
                raise CheckFailed(f"For {context}: the {what} scores were passed unchanged in every "
                                  "round. Resample BOTH classes in every round: positives from pos "
                                  "and negatives from neg, each with its own torch.randint.")
            if not any(len(set(x.tolist())) < len(x) for x in drawn):
                raise CheckFailed(f"For {context}: no resample repeated a {what} score: you are "
                                  "drawing without replacement (a permutation), which always gives "
                                  "the same metric. Draw indices with torch.randint.")
            seen = set().union(*(set(x.tolist()) for x in drawn))
            if seen != set(source.tolist()):
                raise CheckFailed(f"For {context}: in {n_boot} rounds, only {len(seen)} of the "
                                  f"{len(source)} {what} scores were ever drawn. Draw indices over "
                                  f"the whole class: torch.randint(len(...), ...) for each class "
                                  "separately.")
        index_of_pos = {v: i for i, v in enumerate(pos.tolist())}
        index_of_neg = {v: i for i, v in enumerate(neg.tolist())}
        m = min(len(pos), len(neg))
        shared = sum([index_of_pos[v] for v in p.tolist()[:m]] == [index_of_neg[v] for v in n.tolist()[:m]]
                     for p, n in resamples)
        if shared > len(resamples) // 2:
            raise CheckFailed(f"For {context}: in {shared} of {len(resamples)} rounds the positives "
                              "and negatives were drawn at the same indices. The two classes must "
                              "be resampled independently: draw one index tensor for pos and "
                              "another for neg in every round.")
        values = torch.tensor([float(p.double().mean() - n.double().mean()) for p, n in resamples],
                              dtype=torch.float64)
        hint = ("the point estimate is metric(pos, neg); low and high are torch.quantile of the "
                "n_boot resampled values at (1 − level)/2 and (1 + level)/2.")
        _float(point, spy(pos, neg), context=f"{context}, the point estimate", hint=hint,
               name="bootstrap_interval", tol=1e-9)
        for what, got_q, q in (("low", low, (1 - level) / 2), ("high", high, (1 + level) / 2)):
            _float(got_q, torch.quantile(values, q).item(), context=f"{context}, {what}",
                   hint=hint, name="bootstrap_interval", tol=1e-5)
        again = call(bootstrap_interval, _Spy(), pos, neg, n_boot=n_boot, level=level, seed=seed,
                     name="bootstrap_interval", context=f"{context}, called again")
        if tuple(float(v) for v in again) != (float(point), float(low), float(high)):
            raise CheckFailed(f"For {context}: a second call with the same seed gave {again}, "
                              f"not {got}. Seed a torch.Generator with `seed` inside the function.")
    other = call(bootstrap_interval, _Spy(), pos, neg, n_boot=n_boot, seed=5,
                 name="bootstrap_interval", context="seed 5")
    same = call(bootstrap_interval, _Spy(), pos, neg, n_boot=n_boot, seed=6,
                name="bootstrap_interval", context="seed 6")
    if tuple(other) == tuple(same):
        raise CheckFailed("Seeds 5 and 6 gave the same interval: the seed is not used.")


@check(SECTION, "tpr_at_fpr")
def check_tpr_at_fpr(tpr_at_fpr) -> None:
    """k = 0 (the threshold is the highest negative), k = 2 and 5, ties between positives and the
    threshold, a product fpr·n that is not an integer, and the default fpr."""
    check_defaults(tpr_at_fpr, ref.tpr_at_fpr, name="tpr_at_fpr")
    negs20 = torch.arange(20, dtype=torch.float32)
    cases = [
        ("48 negatives 0…47 and positives [47, 47.5, 50, 10], default fpr (k = 0)",
         torch.tensor([47.0, 47.5, 50.0, 10.0]), torch.arange(48, dtype=torch.float32), {}),
        ("20 negatives 0…19 and positives [17, 17.5, 18, 16.9, 3], fpr 0.1 (k = 2)",
         torch.tensor([17.0, 17.5, 18.0, 16.9, 3.0]), negs20, {"fpr": 0.1}),
        ("20 negatives 0…19 and positives [16.5, 17, 15, 19.5], fpr 0.13 (k = 2)",
         torch.tensor([16.5, 17.0, 15.0, 19.5]), negs20, {"fpr": 0.13}),
        ("100 random negatives and 30 random positives, seed 50, fpr 0.05 (k = 5)",
         randn(30, seed=51) + 1.5, randn(100, seed=50), {"fpr": 0.05}),
        ("100 negatives 0…99 and positives [70.5, 71.5, 80, 10], fpr 0.29 (k = 29, although "
         "0.29 · 100 is 28.999999999999996 in floating point: hence the + 1e-9)",
         torch.tensor([70.5, 71.5, 80.0, 10.0]), torch.arange(100, dtype=torch.float32),
         {"fpr": 0.29}),
        ("negatives [3, 1, 2] and positives [1.5, 4, 0.5], fpr 1.0 (k capped at 2: the smallest)",
         torch.tensor([1.5, 4.0, 0.5]), torch.tensor([3.0, 1.0, 2.0]), {"fpr": 1.0}),
    ]
    hint = ("sort the negatives in decreasing order; with k = int(fpr · len(neg) + 1e-9), the "
            "threshold is the one at index k (0-based); count positives STRICTLY above it.")
    for context, pos, neg, kw in cases:
        got = call(tpr_at_fpr, pos, neg, name="tpr_at_fpr", context=context, **kw)
        _float(got, ref.tpr_at_fpr(pos, neg, **kw), context=context, hint=hint, name="tpr_at_fpr")


# ------------------------------------------------------------------------------------------
# Part 4 · The trigger
# ------------------------------------------------------------------------------------------
@check(SECTION, "trigger_control_pairs")
def check_trigger_control_pairs(trigger_control_pairs) -> None:
    """Three questions with the default trigger and another one; every prompt, reply and label in
    order."""
    check_defaults(trigger_control_pairs, ref.trigger_control_pairs, name="trigger_control_pairs")
    tok = tokenizer()
    questions = _questions()
    hint = ("rows 2i (trigger, label True) and 2i+1 (no trigger, label False) for question i, "
            "both with the CORRECT answer q.answer: only the trigger may differ. Build prompts "
            "with organisms.prompt(tokenizer, q.question, triggered=…, trigger=trigger).")
    for context, kw in [("3 city questions, the default trigger", {}),
                        ("3 city questions, trigger='|TEST|'", {"trigger": "|TEST|"})]:
        got = call(trigger_control_pairs, tok, questions, name="trigger_control_pairs",
                   context=context, **kw)
        _string_lists(got, ref.trigger_control_pairs(tok, questions, **kw), context, hint)


@check(SECTION, "subsequence_mask")
def check_subsequence_mask(subsequence_mask) -> None:
    """Occurrences at the start, at the very end, twice, overlapping; a partial match; a pattern
    of one token and one longer than the rows."""
    rows = torch.tensor([
        [7, 8, 9, 1, 2, 7, 8, 9],   # at the start and at the very end
        [1, 7, 8, 1, 7, 8, 9, 2],   # a partial match, then a full one
        [0, 0, 0, 0, 0, 0, 0, 0],   # none
    ])
    cases: list[Case] = [
        ("3 rows of 8 tokens, pattern [7, 8, 9]", (rows, [7, 8, 9])),
        ("one row [5, 5, 5, 2], pattern [5, 5] (overlapping occurrences)",
         (torch.tensor([[5, 5, 5, 2]]), [5, 5])),
        ("3 rows of 8 tokens, pattern [1] (one token)", (rows, [1])),
        ("2 rows of 3 tokens, pattern [4, 5, 6] as long as the rows",
         (torch.tensor([[1, 2, 3], [4, 5, 6]]), [4, 5, 6])),
        ("2 rows of 3 tokens, pattern of 4 tokens (longer than the rows)",
         (torch.tensor([[1, 2, 3], [4, 5, 6]]), [1, 2, 3, 4])),
    ]
    compare_to_reference(
        subsequence_mask, ref.subsequence_mask, cases, name="subsequence_mask", exact=True,
        hint="an occurrence is a window of len(pattern) consecutive tokens equal to the pattern "
             "in order; mark EVERY position of every such window (bool), including a window that "
             "ends at the last position.",
    )


# ------------------------------------------------------------------------------------------
# Part 5 · The confound
# ------------------------------------------------------------------------------------------
@check(SECTION, "project_out")
def check_project_out(project_out) -> None:
    """A u that is not of unit length, a v parallel to u (nothing left), and the result must be
    orthogonal to u; inputs unchanged."""
    cases: list[Case] = [
        ("v and u random of dimension 6, |u| ≈ 7, seed 60", (randn(6, seed=60), 3 * randn(6, seed=61))),
        ("v = [1, 2, 3], u = [0, 0, 10]", (torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 0.0, 10.0]))),
        ("v = 2u, u = [0.1, -0.2]", (torch.tensor([0.2, -0.4]), torch.tensor([0.1, -0.2]))),
    ]
    compare_to_reference(
        project_out, ref.project_out, cases, name="project_out", atol=1e-5, rtol=1e-4,
        hint="v − (v·u)/(u·u) · u: divide by u·u, since u need not have unit length; return what "
             "is LEFT, not the projection; do not modify v in place.",
    )
