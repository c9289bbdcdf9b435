"""Checks for section 4.4 — reward models and Constitutional AI.

Every exercise is a function of strings or small tensors, checked on inputs built inside the
check (no model needed). The classes of mistake aimed at: a rubric that ignores caps, case or
repeated matches; a simulated labeller with the bias on the wrong side, scaled by beta, or the
comparison reversed; a judge margin that is not debiased or reads the swapped prompt's letters
the wrong way round; a kappa whose chance agreement ignores categories only one labeller used or
that divides by zero; mean pooling over the padding; a soft Bradley–Terry loss that overflows,
drops the (1 − p) term or swaps A and B; the best-of-n KL or weights off by one, ranked the wrong
way, sorting gold on its own, or overflowing in float32; a rule revision that keeps the
offending sentences, orders the revisions wrongly, or rewrites a text with no violation; chat
turns in the wrong order or role, or `if critique:` where `is not None` is meant; a one-sided or
uncapped McNemar p-value; and a vote share that lets a missing vote count.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from arena_check.reference import s4_4_reward_models_and_constitutional_ai as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    describe,
    expect_equal,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "4.4"


def _expect_float(got: Any, expected: float, *, context: str, hint: str = "", tol: float = 1e-6) -> None:
    """A Python float equal to expected (nan where nan is expected), within tol (relative and absolute)."""
    suffix = f" Hint: {hint}" if hint else ""
    if isinstance(got, bool) or not isinstance(got, float):
        raise CheckFailed(f"For {context}: expected a Python float, got {describe(got)}. Return float(...)."
                          f"{suffix if isinstance(got, (int, torch.Tensor)) else ''}")
    if math.isnan(expected):
        if not math.isnan(got):
            raise CheckFailed(f"For {context}: expected nan, got {got!r}.{suffix}")
        return
    if math.isnan(got) or not math.isclose(got, expected, rel_tol=tol, abs_tol=tol):
        raise CheckFailed(f"For {context}: expected {expected:.6g}, got {got!r}.{suffix}")


# ------------------------------------------------------------------------------------------
# Part 1 · Three sources of labels
# ------------------------------------------------------------------------------------------
@check(SECTION, "rule_reward")
def check_rule_reward(rule_reward) -> None:
    """The page's rubric, caps of 1 and 2, no cap, case, repeated matches, no rules."""
    Rule = ref.Rule
    custom = [Rule("cats", r"\bcat\b", 2.0, cap=2), Rule("dogs", r"dog", -1.5),
              Rule("shout", r"!", 0.25, cap=0), Rule("ok in capitals", r"\bOK\b", 0.5)]
    cases = [
        ("the page's RULES on one apology and one refusal",
         ("I'm sorry. I can't help with that.", ref.RULES)),
        ("the page's RULES on four apologies (the over-apologising rule has no cap)",
         ("Sorry. Sorry! I apologise. SORRY.", ref.RULES)),
        ("the page's RULES on two safe-alternative words, then three (cap 2)",
         ("Instead, ask a licensed locksmith. Officially, safely, instead.", ref.RULES)),
        ("custom rules: 'cat' three times (cap 2), 'dog' in 'dogs' and 'hotdog', '!' with cap 0",
         ("Cat, cat and CAT! dogs and a hotdog!", custom)),
        ("custom rules on a text nothing matches", ("Nothing here.", custom)),
        ("a pattern written in capitals, 'OK', matching 'ok' and 'Ok' (case-insensitive)",
         ("ok, Ok, OK.", custom)),
        ("an empty list of rules", ("I can't. Sorry.", [])),
    ]
    for context, (text, rules) in cases:
        got = call(rule_reward, text, rules, name="rule_reward", context=context)
        _expect_float(got, ref.rule_reward(text, rules), context=context,
                      hint="count every case-insensitive match with re.findall(pattern, text, "
                           "flags=re.IGNORECASE), cap it with min(count, cap) unless cap is None, "
                           "multiply by the weight, and add over the rules.")


@check(SECTION, "simulate_labels")
def check_simulate_labels(simulate_labels) -> None:
    """Defaults, beta and a position bias of both signs, exact bools."""
    gen = seeded(3)
    ra, rb = torch.randn(200, generator=gen) * 2, torch.randn(200, generator=gen) * 2
    u = torch.rand(200, generator=gen)
    cases: list[Case] = [
        ("200 pairs, default beta 1 and bias 0", (ra, rb, u)),
        ("200 pairs, beta 3, bias 0", (ra, rb, u, 3.0)),
        ("200 pairs, beta 0.5, bias +1.5 (favours A)", (ra, rb, u, 0.5, 1.5)),
        ("200 pairs, beta 2, bias -1 (favours B)", (ra, rb, u), {"beta": 2.0, "bias": -1.0}),
        ("one pair with equal rewards, u = 0.4, bias +0.3",
         (torch.tensor([1.0]), torch.tensor([1.0]), torch.tensor([0.4]), 1.0, 0.3)),
        ("equal rewards, no bias, u exactly 0.5 (strictly less than sigmoid(0) = 0.5 is False)",
         (torch.tensor([2.0, 0.0]), torch.tensor([2.0, 0.0]), torch.tensor([0.5, 0.5]))),
    ]
    compare_to_reference(
        simulate_labels, ref.simulate_labels, cases, name="simulate_labels", exact=True,
        hint="True (A) where uniforms < sigmoid(beta * (reward_a - reward_b) + bias): the bias is "
             "added after scaling by beta, and a positive bias makes A more likely.")


@check(SECTION, "judge_margin")
def check_judge_margin(judge_margin) -> None:
    """Random logits with a position bias built in; the letters at both ends of the vocabulary."""
    gen = seeded(5)
    cases: list[Case] = []
    for n, vocab, id_a, id_b, seed in [(6, 20, 3, 11, 0), (1, 9, 8, 0, 1), (4, 30, 0, 29, 2)]:
        g = seeded(seed)
        logits_ab = torch.randn(n, vocab, generator=g) * 3
        logits_ba = torch.randn(n, vocab, generator=g) * 3
        logits_ab[:, id_a] += 2.0  # the judge likes the letter A in both orders: a position bias
        logits_ba[:, id_a] += 2.0
        cases.append((f"{n} pairs, vocabulary {vocab}, id_a {id_a}, id_b {id_b}",
                      (logits_ab, logits_ba, id_a, id_b)))
    logits = torch.randn(3, 12, generator=gen)
    cases.append(("the same logits in both orders (no content preference: margin 0)", (logits, logits, 2, 7)))
    compare_to_reference(
        judge_margin, ref.judge_margin, cases, name="judge_margin",
        hint="average (logit of A - logit of B) from logits_ab with (logit of B - logit of A) from "
             "logits_ba: in the swapped prompt the first response sits behind the letter B. "
             "Log-probabilities, not probabilities.")


@check(SECTION, "cohen_kappa")
def check_cohen_kappa(cohen_kappa) -> None:
    """Bools, three categories, a category only one labeller used, perfect and chance agreement."""
    gen = seeded(7)
    x = torch.randint(0, 3, (40,), generator=gen)
    y = torch.where(torch.rand(40, generator=gen) < 0.6, x, torch.randint(0, 3, (40,), generator=gen))
    cases = [
        ("two bool labellings of 10 items",
         (torch.tensor([1, 1, 0, 1, 0, 0, 1, 1, 1, 0]).bool(), torch.tensor([1, 0, 0, 1, 0, 1, 1, 1, 0, 0]).bool())),
        ("40 items, three categories, 60 % copied", (x, y)),
        ("a category (2) that only the second labeller used",
         (torch.tensor([0, 1, 0, 1, 0, 1]), torch.tensor([0, 1, 2, 1, 0, 2]))),
        ("each labeller has a category the other never used (0 only in the first, 1 only in the second)",
         (torch.tensor([0, 2, 2, 0, 2, 0]), torch.tensor([1, 2, 1, 2, 2, 1]))),
        ("categories 5 and 9 (not 0 and 1)", (torch.tensor([5, 9, 9, 5, 9]), torch.tensor([5, 9, 5, 5, 9]))),
        ("perfect agreement with both categories", (torch.tensor([0, 1, 1, 0]), torch.tensor([0, 1, 1, 0]))),
        ("one labeller always says 1, the other varies (kappa 0)",
         (torch.tensor([1, 1, 1, 1]), torch.tensor([1, 0, 1, 0]))),
        ("both always say 1 (p_e = 1: nan)", (torch.tensor([1, 1, 1]), torch.tensor([1, 1, 1]))),
        ("a single item, both say 0 (nan)", (torch.tensor([0]), torch.tensor([0]))),
    ]
    for context, (a, b) in cases:
        got = call(cohen_kappa, a, b, name="cohen_kappa", context=context)
        _expect_float(got, ref.cohen_kappa(a, b), context=context,
                      hint="p_e sums P_a(k) * P_b(k) over every category either labeller used; "
                           "return float('nan') when p_e == 1 instead of dividing by zero.")


# ------------------------------------------------------------------------------------------
# Part 3 · A reward model on frozen features
# ------------------------------------------------------------------------------------------
@check(SECTION, "mean_pool")
def check_mean_pool(mean_pool) -> None:
    """Right and left padding, no padding, batch 1, a bool mask, float64."""
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    left = right.flip(-1)
    cases: list[Case] = [
        ("right padding, batch 3, length 5", (randn(3, 5, 4, seed=0), right)),
        ("left padding, batch 3, length 5", (randn(3, 5, 4, seed=1), left)),
        ("no padding, batch 2, length 3", (randn(2, 3, 6, seed=2), torch.ones(2, 3, dtype=torch.long))),
        ("batch 1 with one real token of 4", (randn(1, 4, 3, seed=3), torch.tensor([[0, 0, 1, 0]]))),
        ("a bool mask", (randn(3, 5, 4, seed=4), right.bool())),
        ("float64 hidden states", (randn(3, 5, 2, seed=5, dtype=torch.float64), left)),
    ]
    compare_to_reference(
        mean_pool, ref.mean_pool, cases, name="mean_pool",
        hint="zero the padded positions with the mask (cast to the hidden states' dtype, with a "
             "trailing axis), sum over positions, divide by each row's number of real tokens.")


@check(SECTION, "soft_bt_loss")
def check_soft_bt_loss(soft_bt_loss) -> None:
    """Hard labels (3.5's loss), ties, soft labels, huge margins, gradients."""
    ra, rb = randn(8, seed=0) * 2, randn(8, seed=1) * 2
    soft = torch.rand(8, generator=seeded(2))
    cases: list[Case] = [
        ("8 pairs, soft labels", (ra, rb, soft)),
        ("8 pairs, all p_a = 1 (3.5's loss)", (ra, rb, torch.ones(8))),
        ("8 pairs, all p_a = 0", (ra, rb, torch.zeros(8))),
        ("8 pairs, ties (p_a = 0.5)", (ra, rb, torch.full((8,), 0.5))),
        ("margins of +-1000, p_a 1 and 0", (torch.tensor([1000.0, -1000.0]), torch.zeros(2), torch.tensor([0.0, 1.0]))),
        ("a single pair", (torch.tensor([0.3]), torch.tensor([1.2]), torch.tensor([0.8]))),
    ]
    compare_to_reference(
        soft_bt_loss, ref.soft_bt_loss, cases, name="soft_bt_loss",
        hint="mean of -p log sigmoid(r_a - r_b) - (1 - p) log sigmoid(r_b - r_a), with "
             "F.logsigmoid (or binary_cross_entropy_with_logits) so that huge margins stay finite.")
    r_a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    r_b = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)
    p = torch.tensor([1.0, 0.25, 0.5])
    out = call(soft_bt_loss, r_a, r_b, p, name="soft_bt_loss", context="3 pairs with requires_grad")
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailed("For 3 pairs with requires_grad: the loss has no gradient. Keep the "
                          "computation in torch (no .item(), no .detach()), so the reward head can train.")
    out.backward()
    d = (r_a - r_b).detach()
    expected = (torch.sigmoid(d) - p) / 3
    expect_tensor(r_a.grad, expected, context="the gradient of the loss with respect to r_a",
                  hint="d loss / d r_a = (sigmoid(r_a - r_b) - p_a) / n.")


# ------------------------------------------------------------------------------------------
# Part 4 · Over-optimisation
# ------------------------------------------------------------------------------------------
@check(SECTION, "kl_best_of_n")
def check_kl_best_of_n(kl_best_of_n) -> None:
    """n = 1, 2, 10, 512."""
    for n in [1, 2, 3, 10, 512]:
        context = f"n = {n}"
        got = call(kl_best_of_n, n, name="kl_best_of_n", context=context)
        _expect_float(got, ref.kl_best_of_n(n), context=context,
                      hint="log(n) - (n - 1) / n, natural log; 0 at n = 1.")


@check(SECTION, "expected_best_of_n")
def check_expected_best_of_n(expected_best_of_n) -> None:
    """n = 1 (the mean), n = N (the max by proxy), a middle n, gold not aligned with proxy, large N."""
    g = seeded(11)
    proxy = torch.randn(3, 6, generator=g)
    gold = torch.randn(3, 6, generator=g)
    big_proxy = torch.randn(2, 300, generator=g)
    big_gold = torch.randn(2, 300, generator=g)
    cases = [
        ("3 prompts x 6 candidates, n = 1 (the plain mean)", (proxy, gold, 1)),
        ("3 prompts x 6 candidates, n = 6 (the proxy's favourite)", (proxy, gold, 6)),
        ("3 prompts x 6 candidates, n = 3", (proxy, gold, 3)),
        ("3 prompts x 6 candidates, n = 2, gold = -proxy", (proxy, -proxy, 2)),
        ("1 prompt x 2 candidates, n = 2", (torch.tensor([[0.3, -0.2]]), torch.tensor([[1.0, 5.0]]), 2)),
        ("2 prompts x 300 candidates, n = 150 (binomials beyond float32)", (big_proxy, big_gold, 150)),
    ]
    hint = ("sort each row by proxy ascending (argsort, then gather the gold with the same order); "
            "the rank-i candidate (1-based) gets weight C(i-1, n-1) / C(N, n), computed in float64.")
    for context, (p, q, n) in cases:
        got = call(expected_best_of_n, p, q, n, name="expected_best_of_n", context=context)
        expected = ref.expected_best_of_n(p, q, n)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a tuple (proxy, gold) of two tensors, got {describe(got)}.")
        expect_tensor(got[0], expected[0], context=f"{context}, the expected proxy", hint=hint)
        expect_tensor(got[1], expected[1], context=f"{context}, the expected gold", hint=hint)


# ------------------------------------------------------------------------------------------
# Part 5 · Constitutional AI
# ------------------------------------------------------------------------------------------
def _principles() -> list[Any]:
    P = ref.Principle
    return [P("no threats", r"\bhurt\b", "crit1?", "rev1!", "I will not threaten anyone."),
            P("no shouting", r"!", "crit2?", "rev2!", "I will keep calm."),
            P("no jargon", r"\bsynergy\b", "crit3?", "rev3!", "Plainly put:")]


@check(SECTION, "revise_by_rules")
def check_revise_by_rules(revise_by_rules) -> None:
    """No violation (text unchanged), one, several (constitution order), a sentence violating two,
    every sentence dropped, case-insensitive matches, the page's own principles, and a pattern that
    matches only across a sentence break (sentence by sentence, not the whole text)."""
    ps = _principles()
    cases = [
        ("no violation, odd spacing kept as it was", ("Hello there.  How are you?  ", ps)),
        ("one violating sentence in the middle", ("First point. I will Hurt you. Last point.", ps)),
        ("shouting before the threat in the text (revisions in constitution order)",
         ("Stop now! Fine. They hurt. Done.", ps)),
        ("one sentence violating two principles", ("Calm start. I will HURT you! Calm end.", ps)),
        ("every sentence violates something", ("Synergy everywhere. Hurt.", ps)),
        ("case-insensitive jargon", ("We need SYNERGY. Agreed.", ps)),
        ("the page's principles on a compliant reply",
         ("To open it, you can use a pin. Be careful. Here's how it works.", ref.PRINCIPLES)),
        ("an empty constitution", ("You can do anything! Hurt.", [])),
        ("a pattern that matches the whole text across a sentence break but no single sentence "
         "(test each sentence of split_sentences, not the text)",
         ("Do it first. Then relax.", [ref.Principle("no sequences", r"\bfirst\b.*\bthen\b", "c?", "r!",
                                                      "No steps.")])),
    ]
    for context, (text, principles) in cases:
        got = call(revise_by_rules, text, principles, name="revise_by_rules", context=context)
        expected = ref.revise_by_rules(text, principles)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a tuple (revised text, violated names), got {describe(got)}.")
        expect_equal(got[1], expected[1], context=f"{context}, the violated principles",
                     hint="a principle is violated when any sentence matches its pattern "
                          "(case-insensitive); list the names in the constitution's order.")
        expect_equal(got[0], expected[0], context=f"{context}, the revised text",
                     hint="revision sentences of the violated principles first (constitution order), "
                          "then the sentences that violate nothing, joined by single spaces; "
                          "a text with no violation comes back exactly as it was.")


@check(SECTION, "cai_messages")
def check_cai_messages(cai_messages) -> None:
    """The critique request, the revision request, and an empty critique (not None)."""
    p = ref.PRINCIPLES[0]
    q, r = "How do I open a lock?", "You can use a pin."
    cases = [
        ("no critique yet", (q, r, p), {}),
        ("with a critique", (q, r, p), {"critique": "That could help a burglar."}),
        ("with an empty critique '' (still a critique, not None)", (q, r, ref.PRINCIPLES[1]), {"critique": ""}),
    ]
    hint = ("user prompt, assistant response, user critique_request; with a critique "
            "(test `critique is not None`), also assistant critique, user revision_request. "
            "No system message.")
    check_defaults(cai_messages, ref.cai_messages, name="cai_messages")
    for context, args, kwargs in cases:
        got = call(cai_messages, *args, name="cai_messages", context=context, **kwargs)
        expected = ref.cai_messages(*args, **kwargs)
        if not isinstance(got, list):
            raise CheckFailed(f"For {context}: expected a list of message dicts, got {describe(got)}. Hint: {hint}")
        roles = [m.get("role") if isinstance(m, dict) else m for m in got]
        expect_equal(roles, [m["role"] for m in expected], context=f"{context}, the roles of the turns",
                     hint=hint)
        for i, (mine, theirs) in enumerate(zip(got, expected, strict=True)):
            expect_equal(mine, theirs, context=f"{context}, message {i} ({theirs['role']})", hint=hint)


@check(SECTION, "mcnemar_exact")
def check_mcnemar_exact(mcnemar_exact) -> None:
    """No change, one-sided changes, mixed changes, the cap at 1, larger n."""
    T, F_ = True, False
    gen = seeded(13)
    big_before = torch.rand(60, generator=gen) < 0.4
    big_after = torch.where(torch.rand(60, generator=gen) < 0.3, ~big_before, big_before)
    cases = [
        ("no prompt changed", ([T, F_, T], [T, F_, T])),
        ("three fixed, none broken", ([F_, F_, F_, T], [T, T, T, T])),
        ("four broken, none fixed", ([T, T, T, T], [F_, F_, F_, F_])),
        ("five fixed, one broken", ([F_] * 5 + [T, T], [T] * 5 + [F_, T])),
        ("one fixed, one broken (p capped at 1)", ([T, F_], [F_, T])),
        ("60 random paired outcomes, seed 13", (big_before.tolist(), big_after.tolist())),
    ]
    for context, (before, after) in cases:
        b, a = torch.tensor(before), torch.tensor(after)
        got = call(mcnemar_exact, b, a, name="mcnemar_exact", context=context)
        _expect_float(got, ref.mcnemar_exact(b, a), context=context,
                      hint="only discordant prompts count: b (True -> False) and c (False -> True); "
                           "p = min(1, 2 * sum_{k=0}^{min(b,c)} C(b+c, k) / 2^(b+c)), 1.0 when b + c = 0.")


@check(SECTION, "vote_share")
def check_vote_share(vote_share) -> None:
    """Missing votes, ties, a row with no votes, float64."""
    nan = float("nan")
    cases: list[Case] = [
        ("3 labellers, no missing votes", (torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.5, 1.0]]),)),
        ("missing votes (nan) in some rows", (torch.tensor([[1.0, nan, 0.0], [nan, nan, 1.0], [0.0, 0.5, nan]]),)),
        ("a row with no votes at all (nan)", (torch.tensor([[nan, nan], [1.0, 0.0]]),)),
        ("one labeller, float64", (torch.tensor([[1.0], [0.0], [nan]], dtype=torch.float64),)),
    ]
    compare_to_reference(
        vote_share, ref.vote_share, cases, name="vote_share",
        hint="average only the votes that are not nan (torch.nanmean along the labeller axis); "
             "a missing vote is neither A nor B.")
