# %% [markdown]
# *GENERATED from book/4_alignment_science/4.4_reward_models_and_constitutional_ai.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 4.4 <this file>*

# %% [markdown]
# # 4.4 Reward models and Constitutional AI
#
# Section 3.5 trained a reward model from comparisons with the
# Bradley–Terry loss and watched a policy hack it. It took the comparisons as given. This
# section is about where they come from and what they cost: a person clicking in a labelling tool,
# a rule written down in advance, or the model itself asked to judge. Every source is noisy in its
# own way, and the noise does not stay in the labels — it becomes the reward model, and then the
# policy that optimises it.
#
# [Christiano et al. (2017)](https://arxiv.org/abs/1706.03741) showed that a few hundred human
# comparisons are enough to teach an agent a behaviour nobody could write a reward for;
# [Ouyang et al. (2022)](https://arxiv.org/abs/2203.02155) scaled the recipe to InstructGPT, with
# tens of thousands of comparisons from paid labellers. [Bai et al.
# (2022)](https://arxiv.org/abs/2212.08073) replaced most of the human *harmlessness* labels with a
# written constitution: the model critiques and revises its own answers
# against the principles, is fine-tuned on the revisions, and labels comparisons itself. [Gao et
# al. (2022)](https://arxiv.org/abs/2210.10760) measured what happens when a policy optimises a
# learned reward too hard: the learned score keeps rising while the true one peaks and falls.
#
# Everything here runs on SmolLM2-135M-Instruct on a CPU, so the data are small and partly
# written by hand, and the page says at each step what carries over to the published results and
# what does not.
#
# **You will be able to**
#
# - turn a written rubric into a rule reward, simulate labellers with known noise and position
#   bias, and debias a model judge by asking it both ways round;
# - measure agreement between labellers with Cohen's kappa, and score them on
#   gold questions in a real labelling app;
# - fit a Bradley–Terry reward model on pooled, frozen SmolLM2 features with soft labels, and
#   report held-out pairwise accuracy;
# - compute best-of-n curves without bias, and see
#   reward model over-optimisation: the proxy rises, the
#   gold reward peaks and falls;
# - run a critique-and-revise loop from a constitution, by rules and by the model, fine-tune on
#   the revisions, and test the change in harmlessness with an exact paired test.
#
# **Prerequisites.** Section 3.5 (the Bradley–Terry loss, pairwise accuracy, the chat template,
# the masked SFT loss and LoRA: this page imports its reference versions).
#
# **Time.** About 2–3 hours: 12 exercises, most of them short. Executing the page takes one to two
# minutes on a 2-core CPU (one torch thread), most of it SmolLM2 judging, generating and
# fine-tuning; the slow cells print how long they take.
#
# ## Setup
#
# The rubric below is the page's **constitution**, in two forms. `RULES` scores a response: each
# rule is a regular expression with a weight, counted at most `cap` times. `PRINCIPLES` drives the
# critique-and-revise loop of Part 5: each principle names a kind of violation, how to ask the
# model for a critique and a revision, and a fixed sentence that replaces a violating one when the
# revision is done by rule.

# %%
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


# %% [markdown]
# ## Part 1 · Three sources of labels
#
# A preference label says which of two responses to the same prompt is better. On this page the
# responses answer requests a careful assistant should decline ("How do I get into my
# neighbour's wifi?"), and they are assembled from a bank of short sentences of six kinds:
# refusals, safe alternatives, harmful instructions, insults, apologies and filler. A third of each
# kind is held out, so a reward model can be tested on sentences it has never seen.

# %% [markdown]
# ### Exercise 1 · `rule_reward`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Score a text by a rubric: the sum over rules of the rule's weight times its number of matches,
# capped.
#
# A rule reward is the cheapest label there is — no annotator, no model — and the most
# predictable: it says exactly what it measures and nothing else. On this page it is the **gold**
# reward, the stand-in for what people really want, against which every learned reward is judged.
# Two rules share a pattern: the first apology earns a little, every apology costs a little, so
# one apology is good and four are not.
#
# <details><summary>Hint</summary>
#
# `len(re.findall(rule.pattern, text, flags=re.IGNORECASE))` counts the matches; cap it with
# `min(count, rule.cap)` when `rule.cap` is not None.
#
# </details>

# %%
def rule_reward(text: str, rules: Sequence[Rule]) -> float:
    """sum over rules of rule.weight * min(count, rule.cap), where count is the number of
    non-overlapping case-insensitive matches of rule.pattern in text (re.findall) and a cap of
    None means no cap. A Python float; 0.0 for a text no rule matches or for no rules."""
    raise NotImplementedError("exercise: rule_reward")


# %%
arena_check.check("4.4", "rule_reward", rule_reward)


# %% [markdown]
# A response is one to three sentences of the bank (Part 4 allows more); the **gold** reward is
# the rubric's score minus 0.75 for every sentence beyond three — the constitution also asks for
# brevity, which no rule of `RULES` can see on its own.

# %% [markdown]
# ### Exercise 2 · `simulate_labels`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Simulate a labeller who prefers the better response with a Bradley–Terry probability, and who
# may lean towards whichever response is shown first.
#
# Real labellers are not the gold reward. A standard model of their noise is the Bradley–Terry
# model itself: the labeller picks A with probability $\sigma(\beta(r_A - r_B) + b)$, where the
# *rationality* $\beta$ sets how often a small difference is missed and the *position bias* $b$
# favours whichever response is on the left. Passing the uniform random numbers in makes the
# simulation exactly reproducible, and lets two labellers share or not share their luck.
#
# <details><summary>Hint</summary>
#
# `uniforms < torch.sigmoid(beta * (reward_a - reward_b) + bias)`.
#
# </details>

# %%
def simulate_labels(
    reward_a: Float[Tensor, " n"], reward_b: Float[Tensor, " n"], uniforms: Float[Tensor, " n"],
    beta: float = 1.0, bias: float = 0.0,
) -> Bool[Tensor, " n"]:
    """True where the simulated labeller prefers A: uniforms[i] < sigmoid(beta * (reward_a[i] -
    reward_b[i]) + bias). uniforms are draws from U[0, 1); bias > 0 favours A (shown first).
    A bool tensor; nothing is modified."""
    raise NotImplementedError("exercise: simulate_labels")


# %%
arena_check.check("4.4", "simulate_labels", simulate_labels)


# %% [markdown]
# ### Exercise 3 · `judge_margin`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Turn a model judge's next-token logits for "A" and "B" into a preference, asked both ways round.
#
# The third source of labels is the model. Ask SmolLM2 which of two responses is more harmless and
# read its logits for the letters; the difference of the log-probabilities is a graded preference.
# Language-model judges have a position bias, preferring one slot regardless of content ([Zheng et al.
# 2023](https://arxiv.org/abs/2306.05685)), so ask twice with the responses swapped and average:
# the position preference cancels, the content preference adds up.
#
# <details><summary>Hint 1</summary>
#
# A difference of log-probabilities of two tokens is the difference of their logits: the
# normalising constant of the softmax cancels.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# In the swapped prompt the first response is behind the letter **B**, so its margin there is
# `logits_ba[:, id_b] - logits_ba[:, id_a]`.
#
# </details>

# %%
def judge_margin(
    logits_ab: Float[Tensor, "n vocab"], logits_ba: Float[Tensor, "n vocab"], id_a: int, id_b: int
) -> Float[Tensor, " n"]:
    """The judge's preference for the FIRST response of each pair, debiased for position.

    logits_ab: next-token logits with the first response shown as A and the second as B;
    logits_ba: the same with the two swapped. Returns the mean of
    (log p(A) - log p(B)) under logits_ab and (log p(B) - log p(A)) under logits_ba,
    where p = softmax(logits). Positive = the first response is preferred."""
    raise NotImplementedError("exercise: judge_margin")


# %%
arena_check.check("4.4", "judge_margin", judge_margin)


# %% [markdown]
# ### Exercise 4 · `cohen_kappa`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Compute Cohen's kappa, the agreement of two labellers corrected for the agreement expected by
# chance.
#
# Raw agreement flatters: two labellers who both pick A 90 % of the time agree on 82 % of items by
# luck alone. Kappa ([Cohen 1960](https://doi.org/10.1177/001316446002000104)) reports
# $(p_o - p_e)/(1 - p_e)$, where $p_o$ is the observed agreement and $p_e$ the agreement two
# independent labellers with the same label frequencies would reach: 0 is chance, 1 is perfect.
#
# <details><summary>Hint</summary>
#
# $p_e = \sum_k P_1(k)\,P_2(k)$ over every category $k$ that either labeller used, with $P_j(k)$
# the fraction of items labeller $j$ put in category $k$. `torch.unique(torch.cat([a, b]))` lists
# the categories.
#
# </details>

# %%
def cohen_kappa(a: Tensor, b: Tensor) -> float:
    """Cohen's kappa of two labellings of the same n >= 1 items (integer or bool tensors, any
    categories). (p_o - p_e) / (1 - p_e), p_o the fraction of items labelled alike,
    p_e = sum over categories of (fraction of a in it) * (fraction of b in it).
    float('nan') when p_e == 1 (both used one and the same category throughout)."""
    raise NotImplementedError("exercise: cohen_kappa")


# %%
arena_check.check("4.4", "cohen_kappa", cohen_kappa)


# %% [markdown]
# ## Part 2 · A labelling app
#
# Labels from people need a tool. The book's kit has a small one, `arena_check.kit.labelling`:
# a web app served on loopback that shows a prompt and two completions side by side with buttons
# *A is better*, *Tie* and *B is better*, stores every vote in SQLite the moment it is cast (kill
# the server and nothing acknowledged is lost), mixes in **gold questions** whose answer is known
# at fixed positions of a seeded order, and reports each annotator's gold score and the
# inter-annotator agreement (percent and Cohen's kappa) at `/stats`. To label for real, write
# pairs to a JSONL file with `labelling.write_pairs` and run, from the repository root:
#
# ```console
# $ .venv/bin/python -m arena_check.kit.labelling serve --pairs pairs.jsonl --db labels.sqlite --port 8765
# ```
#
# then open <http://127.0.0.1:8765> in a browser (without `--pairs` it serves a built-in demo
# set). The cell below does what a learner would, with scripted annotators: it writes the
# pairs the model judged plus four gold questions, starts the app, takes a
# screenshot in headless Chromium, and lets the three simulated labellers of Exercise 2 click
# through the real HTML form over HTTP — stopping the server halfway and restarting it on the same
# database, as a crash would.

# %% [markdown]
# ## Part 3 · A reward model on frozen SmolLM2 features
#
# Section 3.5 read the final hidden state at the last token. Here each sentence is encoded once:
# the mean of its hidden states over its tokens at layer 8 (an earlier off-page sweep over layers
# 8–30, not recomputed here, found layer 8 generalising best to the held-out sentences), and a
# response is represented by the **sum** of its sentences' vectors. That is a simplification a real
# reward model does not make — it reads the whole response in one pass and can see how sentences
# interact — but it lets the page score thousands of responses in Part 4 without another forward
# pass.
#
# ### Exercise 5 · `mean_pool`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Average each sequence's hidden states over its real tokens only.
#
# Mean pooling is the other common way to turn a sequence of vectors into one. With padding, the
# silent bug is to average over the padding too, which makes a short sentence look like a blend of
# itself and the pad token's state.
#
# <details><summary>Hint</summary>
#
# Multiply by the mask (as float, with a trailing axis), sum over positions, and divide by the
# number of real tokens per row.
#
# </details>

# %%
def mean_pool(hidden: Float[Tensor, "batch T d"], attention_mask: Tensor) -> Float[Tensor, "batch d"]:
    """Row b: the mean of hidden[b, t] over the positions t where attention_mask[b, t] == 1
    (left or right padding). Every row has at least one real token. The result has hidden's dtype."""
    raise NotImplementedError("exercise: mean_pool")


# %%
arena_check.check("4.4", "mean_pool", mean_pool)


# %% [markdown]
# ### Exercise 6 · `soft_bt_loss`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# The Bradley–Terry loss with *soft* labels: a probability that A is better, not a hard choice.
#
# 3.5's loss took a chosen and a rejected response. Labels are often softer than that: three of
# five annotators preferred A; the judge's probability was 0.7; the annotator clicked "tie". With
# $p$ the probability that A is better, the loss is the cross-entropy between $p$ and the model's
# $\sigma(r_A - r_B)$. At $p = 1$ it is 3.5's loss; at $p = 0.5$ it pulls the two rewards together.
#
# <details><summary>Hint</summary>
#
# `F.binary_cross_entropy_with_logits(r_a - r_b, p_a)`, or write it with two `F.logsigmoid`
# terms: $-p \log\sigma(d) - (1-p)\log\sigma(-d)$. Do not compute `log(sigmoid(...))`: it is
# $-\infty$ for large margins.
#
# </details>

# %%
def soft_bt_loss(r_a: Float[Tensor, " n"], r_b: Float[Tensor, " n"], p_a: Float[Tensor, " n"]) -> Float[Tensor, ""]:
    """mean_i of -p_a[i] log sigmoid(r_a[i] - r_b[i]) - (1 - p_a[i]) log sigmoid(r_b[i] - r_a[i]).

    p_a in [0, 1] is the probability that A is better (1: A chosen, 0: B chosen, 0.5: a tie).
    A 0-dim tensor, finite for reward differences of any size; gradients flow into r_a and r_b."""
    raise NotImplementedError("exercise: soft_bt_loss")


# %%
arena_check.check("4.4", "soft_bt_loss", soft_bt_loss)


# %% [markdown]
# ## Part 4 · Over-optimisation
#
# A reward model is a proxy. Best-of-$n$ sampling is the simplest optimiser one can point at it:
# draw $n$ responses, keep the one the proxy likes most. Its distance from the original
# distribution has a closed form, which Gao et al. (2022) use as the x-axis for "how hard did we
# optimise" (strictly it is an upper bound, exact when no two candidates tie).
#
# ### Exercise 7 · `kl_best_of_n`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The KL divergence of the best-of-$n$ distribution from the base distribution: $\log n -
# (n-1)/n$.
#
# It is the x-axis of the over-optimisation plot below: a measure of how far the optimiser has
# moved from the base distribution that does not depend on the reward, so different proxies can be
# compared at the same "optimisation budget".
#
# <details><summary>Hint</summary>
#
# Natural logarithm (`math.log`), true division, and a Python float. Best-of-1 *is* the base
# distribution, so the value at $n = 1$ must be exactly 0.
#
# </details>

# %%
def kl_best_of_n(n: int) -> float:
    """KL(best-of-n || base) in nats, log(n) - (n - 1) / n, for n >= 1 (0.0 at n = 1). A Python float."""
    raise NotImplementedError("exercise: kl_best_of_n")


# %%
arena_check.check("4.4", "kl_best_of_n", kl_best_of_n)


# %% [markdown]
# ### Exercise 8 · `expected_best_of_n`
#
# > difficulty 3/5 · importance 4/5 · 20 min
#
# Estimate, without bias and without resampling, the proxy and gold reward of best-of-$n$ from
# one pool of $N \ge n$ candidates per prompt.
#
# Drawing $n$ of the $N$ candidates and taking the proxy's favourite, many times over, is slow and
# noisy. Exactly: sort the pool by proxy reward; the candidate of rank $i$ (1 = lowest) is the best
# of a random $n$-subset exactly when the subset contains it and $n-1$ of the $i-1$ below it, with
# probability $\binom{i-1}{n-1} / \binom{N}{n}$. Weight each candidate by that.
#
# <details><summary>Hint 1</summary>
#
# `order = proxy.argsort(dim=1)`; `gold.gather(1, order)` lines gold up with the sorted proxy.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `math.comb(i - 1, n - 1) / math.comb(N, n)` for `i` in 1..N gives the weights (they sum to 1);
# compute them in float64 — for large `N` the binomials overflow a float32.
#
# </details>

# %%
def expected_best_of_n(
    proxy: Float[Tensor, "prompts N"], gold: Float[Tensor, "prompts N"], n: int
) -> tuple[Float[Tensor, " prompts"], Float[Tensor, " prompts"]]:
    """(proxy, gold) of the proxy-best of n candidates drawn without replacement from each row's
    N, in expectation over the draw: per row, sum_i w_i * value of the rank-i candidate, with
    ranks by proxy ascending (1-based; proxy values within a row are distinct) and
    w_i = C(i - 1, n - 1) / C(N, n). 1 <= n <= N. Two float64 tensors; inputs are not modified."""
    raise NotImplementedError("exercise: expected_best_of_n")


# %%
arena_check.check("4.4", "expected_best_of_n", expected_best_of_n)


# %% [markdown]
# ## Part 5 · Constitutional AI: critique, revise, fine-tune
#
# Bai et al.'s supervised stage has four steps: sample a response to a harmful request; ask the
# model to critique it against a principle of the constitution; ask it to revise the response in
# light of the critique; fine-tune the model on the revisions. The principles here are the two in
# `PRINCIPLES`. The critique and the revision can be done by the model — the point of the method
# — or by rule, which is what a 135M model leaves us.
#
# ### Exercise 9 · `revise_by_rules`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Critique and revise a response by rule: find the principles it violates, drop the offending
# sentences, and put each violated principle's revision sentence first.
#
# <details><summary>Hint</summary>
#
# Loop over the principles in order; for each, collect the sentences (from `split_sentences`) that
# match its pattern. A sentence that matches two principles is dropped once and both count as
# violated.
#
# </details>

# %%
def revise_by_rules(text: str, principles: Sequence[Principle]) -> tuple[str, list[str]]:
    """(revised text, names of the violated principles in constitution order).

    A principle is violated when some sentence of split_sentences(text) matches its pattern
    (re.search, case-insensitive). The revision is: the revision sentences of the violated
    principles, in order, then the sentences that violate no principle, in their original
    order, all joined by single spaces. If nothing is violated, the text is returned unchanged."""
    raise NotImplementedError("exercise: revise_by_rules")


# %%
arena_check.check("4.4", "revise_by_rules", revise_by_rules)


# %% [markdown]
# ### Exercise 10 · `cai_messages`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Build the conversation that asks the model for a critique, and, once it has given one, for a
# revision.
#
# In Constitutional AI the critique and the revision are two more turns of the same conversation:
# the model sees the request, its own answer, the principle's question, and later its own critique.
# The revision is the last assistant turn, and it is what the model is fine-tuned on — paired with
# the *original request alone*, so the fine-tuned model answers well without being asked twice.
#
# <details><summary>Hint</summary>
#
# Five messages at most, alternating user / assistant and ending on a user turn. Test
# `critique is not None`, not `if critique:` — an empty critique is still a critique.
#
# </details>

# %%
def cai_messages(prompt: str, response: str, principle: Principle,
                 critique: str | None = None) -> list[dict[str, str]]:
    """Chat messages (dicts with "role" and "content"), no system message:
    user prompt, assistant response, user principle.critique_request; and if critique is not
    None, also assistant critique, user principle.revision_request. The model's next turn is
    the critique (critique None) or the revision."""
    raise NotImplementedError("exercise: cai_messages")


# %%
arena_check.check("4.4", "cai_messages", cai_messages)


# %% [markdown]
# ### Exercise 11 · `mcnemar_exact`
#
# > difficulty 2/5 · importance 3/5 · 15 min
#
# The exact McNemar test: did fine-tuning change the rate of harmless replies, on the same prompts
# before and after?
#
# With a handful of held-out prompts, "3 of 4 before, 4 of 4 after" means little. The paired test
# uses only the prompts that changed: $b$ went from harmless to harmful, $c$ the other way. Under
# no effect each change is a fair coin, so the two-sided p-value is
# $\min\big(1, 2 \sum_{k \le \min(b, c)} \binom{b+c}{k} 2^{-(b+c)}\big)$.
#
# <details><summary>Hint</summary>
#
# The prompts whose outcome did not change (both True or both False) carry no information about
# the *change* and do not enter the formula. `math.comb(b + c, k)` for `k` in `range(min(b, c) + 1)`
# — note the `+ 1` — and double the tail for a two-sided test.
#
# </details>

# %%
def mcnemar_exact(before_ok: Bool[Tensor, " n"], after_ok: Bool[Tensor, " n"]) -> float:
    """Two-sided exact McNemar p-value for paired bool outcomes. b = #(before True, after
    False), c = #(before False, after True); p = min(1, 2 * sum_{k=0}^{min(b,c)} C(b+c, k) / 2^(b+c)),
    and 1.0 when b + c == 0. A Python float."""
    raise NotImplementedError("exercise: mcnemar_exact")


# %%
arena_check.check("4.4", "mcnemar_exact", mcnemar_exact)


# %% [markdown]
# ## Part 6 · Synthetic against human labels
#
# The "human" labels this page honestly has are simulated: the three scripted labellers of Part 2,
# who clicked through the real app with the noise profiles of Exercise 2. A learner who starts the
# app and labels the pairs adds real ones. Here the sources are compared on the same
# pairs — the ones the model judged — by cost, by agreement with the gold rule, and by the held-out
# accuracy of a reward head fitted on their labels alone.
#
# ### Exercise 12 · `vote_share`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Pool several labellers' votes on each pair into a soft label: the share of votes for A.
#
# Several labels per pair are the usual defence against a noisy labeller. Majority vote throws
# away how split the vote was; the share of votes keeps it, and the soft Bradley–Terry loss of
# Exercise 6 can use it directly. Some labellers skip some pairs, and a tie is half a vote.
#
# <details><summary>Hint</summary>
#
# `torch.nanmean(votes, dim=1)` ignores the missing votes; a row with no vote at all gives nan.
#
# </details>

# %%
def vote_share(votes: Float[Tensor, "items labellers"]) -> Float[Tensor, " items"]:
    """Per row, the mean of the votes that are not nan: 1.0 = A, 0.0 = B, 0.5 = a tie,
    nan = this labeller did not label this pair. nan for a row with no votes. Same dtype as votes;
    votes is not modified."""
    raise NotImplementedError("exercise: vote_share")


# %%
arena_check.check("4.4", "vote_share", vote_share)

# %% [markdown]
# ## Summary
#
# - Labels come from rules, from people and from models. Rules are free and exactly as good as
#   the rule; simulated people with a Bradley–Terry noise model are noisy in ways the fit averages
#   out; a 135M model judge asked once answers by position alone, and only asked both ways round
#   shows a (small-sample) content preference.
# - Cohen's kappa corrects agreement for chance; gold questions score a labeller against a known
#   answer. Agreement between labellers is not accuracy when their biases are shared.
# - A linear Bradley–Terry head on pooled layer-8 SmolLM2 features, fitted on 600 rule labels,
#   ranks held-out pairs of unseen sentences at the 0.9 target or above.
# - Best-of-$n$ against a proxy fitted on short responses raises the proxy without limit, and the
#   gold reward peaks and falls: more labels delay over-optimisation, they do not remove a
#   distribution shift.
# - A constitution can drive critique and revision by rule or by the model; at 135M the model's
#   part is weak, and fine-tuning on rule revisions teaches a refusal sentence that reaches held-out harmful
#   prompts and, with no benign examples in its data, benign ones it should not refuse: both sides
#   must be measured.
#
# ## Further reading
#
# - Christiano et al., [Deep reinforcement learning from human
#   preferences](https://arxiv.org/abs/1706.03741) (2017) — reward models from pairwise human
#   comparisons, with the Bradley–Terry model.
# - Ouyang et al., [Training language models to follow instructions with human
#   feedback](https://arxiv.org/abs/2203.02155) (2022) — InstructGPT: labeller comparisons, reward
#   model, PPO; labeller agreement reported.
# - Bai et al., [Constitutional AI: Harmlessness from AI Feedback](https://arxiv.org/abs/2212.08073)
#   (2022) — critique and revision against written principles, supervised fine-tuning on the
#   revisions, and preference labels from the model.
# - Gao, Schulman and Hilton, [Scaling Laws for Reward Model
#   Overoptimization](https://arxiv.org/abs/2210.10760) (2022) — gold and proxy reward against KL
#   for best-of-n and RL; the analytic best-of-n KL.
# - Bradley and Terry, [Rank Analysis of Incomplete Block Designs: I. The Method of Paired
#   Comparisons](https://doi.org/10.2307/2334029) (Biometrika, 1952) — the paired-comparison model.
# - Zheng et al., [Judging LLM-as-a-Judge with MT-Bench and Chatbot
#   Arena](https://arxiv.org/abs/2306.05685) (2023) — position bias of model judges and swapping
#   as its remedy.
# - Stiennon et al., [Learning to summarize from human
#   feedback](https://arxiv.org/abs/2009.01325) (2020) — best-of-n against a reward model, and
#   over-optimisation of a learned reward under RL.
# - Cohen, [A Coefficient of Agreement for Nominal
#   Scales](https://doi.org/10.1177/001316446002000104) (1960) — kappa.
