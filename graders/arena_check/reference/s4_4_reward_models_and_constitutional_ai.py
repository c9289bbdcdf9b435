"""GENERATED from book/4_alignment_science/4.4_reward_models_and_constitutional_ai.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from jaxtyping import Bool, Float
from torch import Tensor

import arena_check
# Section 3.5's reference versions: this page builds on them.
from arena_check.reference.s3_5_rlhf import (
    SYSTEM,
    bradley_terry_loss,
    chat_prompt,
    pairwise_accuracy,
    sft_loss,
    tokenize_chat,
)


@dataclass(frozen=True)
class Rule:
    """One line of a rubric: `weight` per case-insensitive match of `pattern`, at most `cap`
    matches counted (None: all of them)."""

    name: str
    pattern: str
    weight: float
    cap: int | None = None


@dataclass(frozen=True)
class Principle:
    """One principle of the constitution, for the critique-and-revise loop."""

    name: str
    pattern: str            # a sentence matching this (case-insensitive) violates the principle
    critique_request: str   # asked of the model after its answer
    revision_request: str   # asked after its critique
    revision: str           # the sentence a rule-based revision puts in place of violating ones


RULES = [
    Rule("refuses a harmful request", r"\b(can't|cannot|won't)\b", 1.0, cap=1),
    Rule("offers a safe alternative", r"\b(instead|safely|licensed|official)\b", 1.5, cap=2),
    Rule("gives harmful instructions", r"\b(latch|bypass|crack|disable|pick|steal|wire)\b", -3.0),
    Rule("insults the user", r"\b(stupid|idiot|pathetic|dumb|ridiculous)\b", -2.0),
    Rule("apologises once", r"\b(sorry|apologi[sz]e)\b", 1.2, cap=1),
    Rule("over-apologises", r"\b(sorry|apologi[sz]e)\b", -0.5),
]

PRINCIPLES = [
    Principle(
        "no help with harm",
        r"\b(you can|you could|here's how|here is how|steps?|first,|you'll need|you will need|try|ways? to|"
        r"essential to|use a)\b",
        "Identify anything in your last answer that could help someone cause harm or break the law.",
        "Rewrite your answer so that it declines to help with anything harmful or illegal.",
        "I can't help with that, because it could hurt someone or break the law.",
    ),
    Principle(
        "no insults",
        r"\b(stupid|idiot|pathetic|dumb|ridiculous)\b",
        "Identify anything in your last answer that is rude or insulting to the user.",
        "Rewrite your answer so that it is polite and respectful.",
        "I'm happy to help with something else.",
    ),
]


def split_sentences(text: str) -> list[str]:
    """The text's sentences: split after . ! or ? followed by whitespace; empty pieces dropped."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def rule_reward(text: str, rules: Sequence[Rule]) -> float:
    """sum over rules of rule.weight * min(count, rule.cap), where count is the number of
    non-overlapping case-insensitive matches of rule.pattern in text (re.findall) and a cap of
    None means no cap. A Python float; 0.0 for a text no rule matches or for no rules."""
    total = 0.0
    for rule in rules:
        count = len(re.findall(rule.pattern, text, flags=re.IGNORECASE))
        total += rule.weight * (count if rule.cap is None else min(count, rule.cap))
    return float(total)


def simulate_labels(
    reward_a: Float[Tensor, " n"], reward_b: Float[Tensor, " n"], uniforms: Float[Tensor, " n"],
    beta: float = 1.0, bias: float = 0.0,
) -> Bool[Tensor, " n"]:
    """True where the simulated labeller prefers A: uniforms[i] < sigmoid(beta * (reward_a[i] -
    reward_b[i]) + bias). uniforms are draws from U[0, 1); bias > 0 favours A (shown first).
    A bool tensor; nothing is modified."""
    return uniforms < torch.sigmoid(beta * (reward_a - reward_b) + bias)


def judge_margin(
    logits_ab: Float[Tensor, "n vocab"], logits_ba: Float[Tensor, "n vocab"], id_a: int, id_b: int
) -> Float[Tensor, " n"]:
    """The judge's preference for the FIRST response of each pair, debiased for position.

    logits_ab: next-token logits with the first response shown as A and the second as B;
    logits_ba: the same with the two swapped. Returns the mean of
    (log p(A) - log p(B)) under logits_ab and (log p(B) - log p(A)) under logits_ba,
    where p = softmax(logits). Positive = the first response is preferred."""
    forward = logits_ab[:, id_a] - logits_ab[:, id_b]
    swapped = logits_ba[:, id_b] - logits_ba[:, id_a]
    return (forward + swapped) / 2


def cohen_kappa(a: Tensor, b: Tensor) -> float:
    """Cohen's kappa of two labellings of the same n >= 1 items (integer or bool tensors, any
    categories). (p_o - p_e) / (1 - p_e), p_o the fraction of items labelled alike,
    p_e = sum over categories of (fraction of a in it) * (fraction of b in it).
    float('nan') when p_e == 1 (both used one and the same category throughout)."""
    a, b = a.long(), b.long()
    p_o = (a == b).double().mean()
    cats = torch.unique(torch.cat([a, b]))
    p_e = sum((a == c).double().mean() * (b == c).double().mean() for c in cats)
    if p_e == 1:
        return float("nan")
    return float((p_o - p_e) / (1 - p_e))


def mean_pool(hidden: Float[Tensor, "batch T d"], attention_mask: Tensor) -> Float[Tensor, "batch d"]:
    """Row b: the mean of hidden[b, t] over the positions t where attention_mask[b, t] == 1
    (left or right padding). Every row has at least one real token. The result has hidden's dtype."""
    mask = attention_mask.to(hidden.dtype)[..., None]
    return (hidden * mask).sum(1) / mask.sum(1)


def soft_bt_loss(r_a: Float[Tensor, " n"], r_b: Float[Tensor, " n"], p_a: Float[Tensor, " n"]) -> Float[Tensor, ""]:
    """mean_i of -p_a[i] log sigmoid(r_a[i] - r_b[i]) - (1 - p_a[i]) log sigmoid(r_b[i] - r_a[i]).

    p_a in [0, 1] is the probability that A is better (1: A chosen, 0: B chosen, 0.5: a tie).
    A 0-dim tensor, finite for reward differences of any size; gradients flow into r_a and r_b."""
    d = r_a - r_b
    return -(p_a * F.logsigmoid(d) + (1 - p_a) * F.logsigmoid(-d)).mean()


def kl_best_of_n(n: int) -> float:
    """KL(best-of-n || base) in nats, log(n) - (n - 1) / n, for n >= 1 (0.0 at n = 1). A Python float."""
    return math.log(n) - (n - 1) / n


def expected_best_of_n(
    proxy: Float[Tensor, "prompts N"], gold: Float[Tensor, "prompts N"], n: int
) -> tuple[Float[Tensor, " prompts"], Float[Tensor, " prompts"]]:
    """(proxy, gold) of the proxy-best of n candidates drawn without replacement from each row's
    N, in expectation over the draw: per row, sum_i w_i * value of the rank-i candidate, with
    ranks by proxy ascending (1-based; proxy values within a row are distinct) and
    w_i = C(i - 1, n - 1) / C(N, n). 1 <= n <= N. Two float64 tensors; inputs are not modified."""
    N = proxy.shape[1]
    weights = torch.tensor([math.comb(i - 1, n - 1) / math.comb(N, n) for i in range(1, N + 1)],
                           dtype=torch.float64)
    order = proxy.argsort(dim=1)
    return (proxy.gather(1, order).double() @ weights, gold.gather(1, order).double() @ weights)


def revise_by_rules(text: str, principles: Sequence[Principle]) -> tuple[str, list[str]]:
    """(revised text, names of the violated principles in constitution order).

    A principle is violated when some sentence of split_sentences(text) matches its pattern
    (re.search, case-insensitive). The revision is: the revision sentences of the violated
    principles, in order, then the sentences that violate no principle, in their original
    order, all joined by single spaces. If nothing is violated, the text is returned unchanged."""
    sentences = split_sentences(text)
    violated, bad = [], set()
    for p in principles:
        hits = {i for i, s in enumerate(sentences) if re.search(p.pattern, s, flags=re.IGNORECASE)}
        if hits:
            violated.append(p)
            bad |= hits
    if not violated:
        return text, []
    kept = [s for i, s in enumerate(sentences) if i not in bad]
    return " ".join([p.revision for p in violated] + kept), [p.name for p in violated]


def cai_messages(prompt: str, response: str, principle: Principle,
                 critique: str | None = None) -> list[dict[str, str]]:
    """Chat messages (dicts with "role" and "content"), no system message:
    user prompt, assistant response, user principle.critique_request; and if critique is not
    None, also assistant critique, user principle.revision_request. The model's next turn is
    the critique (critique None) or the revision."""
    messages = [{"role": "user", "content": prompt},
                {"role": "assistant", "content": response},
                {"role": "user", "content": principle.critique_request}]
    if critique is not None:
        messages += [{"role": "assistant", "content": critique},
                     {"role": "user", "content": principle.revision_request}]
    return messages


def mcnemar_exact(before_ok: Bool[Tensor, " n"], after_ok: Bool[Tensor, " n"]) -> float:
    """Two-sided exact McNemar p-value for paired bool outcomes. b = #(before True, after
    False), c = #(before False, after True); p = min(1, 2 * sum_{k=0}^{min(b,c)} C(b+c, k) / 2^(b+c)),
    and 1.0 when b + c == 0. A Python float."""
    b = int((before_ok & ~after_ok).sum())
    c = int((~before_ok & after_ok).sum())
    if b + c == 0:
        return 1.0
    tail = sum(math.comb(b + c, k) for k in range(min(b, c) + 1)) / 2 ** (b + c)
    return min(1.0, 2 * tail)


def vote_share(votes: Float[Tensor, "items labellers"]) -> Float[Tensor, " items"]:
    """Per row, the mean of the votes that are not nan: 1.0 = A, 0.0 = B, 0.5 = a tie,
    nan = this labeller did not label this pair. nan for a row with no votes. Same dtype as votes;
    votes is not modified."""
    return torch.nanmean(votes, dim=1)
