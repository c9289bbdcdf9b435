# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.5_linear_probes_and_iti.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 1.5 <this file>*

# %% [markdown]
# # 1.5 Linear probes and inference-time intervention
#
# Does a language model "know" whether a sentence is true? One way to ask is to look inside it: run
# true and false statements through the model, collect the residual stream at some layer,
# and see whether a straight line separates the two classes. A classifier trained on activations
# like this is a linear probe (Alain and Bengio 2016). If a probe trained on one set of
# statements also works on statements it never saw, the model plausibly computes something like
# "this is true" along a fixed direction (Marks and Tegmark 2023).
#
# A probe is only a correlation, though. The second half of this section uses the probe's direction
# as a lever: add it to the residual stream while the model answers "True or False?" and see whether
# the answer moves — and whether a random direction of the same size moves it just as much. This is
# the residual-stream version of a steering experiment; Part 5 repeats it at the level of single
# attention heads, as in inference-time intervention (Li et al. 2023). We will also
# measure something the probe results make easy to forget: what a model represents and what it
# *says* can be very different things.
#
# **You will be able to**
#
# - fit difference-of-means and logistic probes on cached residuals,
#   using only a training split, and score them with accuracy and ROC AUC;
# - read probe accuracy layer by layer, and test generalisation across datasets as a transfer
#   matrix;
# - measure a model's own True/False answers as a logit difference, in a plain and a chat format;
# - build a steering vector from a probe direction, add it with a hook at chosen positions,
#   and compare its effect with random directions of the same norm, layer by layer;
# - probe all 270 attention heads at once, and steer the best ones along their own directions as in
#   inference-time intervention (ITI), asking whether the model becomes more accurate or only
#   differently biased.
#
# **Prerequisites.** Section 1.2 (TransformerLens caches and hooks). Logistic regression and Adam
# from chapter 0.
#
# **Time.** About 3 hours: 15 exercises, most of them a few lines.
#
# ## Setup
#
# The model is **SmolLM2-135M-Instruct** from the book's offline model zoo: 30 layers,
# `d_model` 576, a real pretrained model small enough for a CPU. It is the instruction-tuned variant,
# which gives us a chat template to try in Part 3. The statements come from `arena_check.kit.facts`:
# "The city of Kraków is in Poland." (`cities`), "61 is larger than 24." (`larger_than`) and
# "17 + 25 = 42." (`sums`), each with exactly as many true as false statements and a held-out test
# split by *subject* — no city, number pair or sum appears in both splits.

# %%
from collections.abc import Callable, Sequence

import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor
from transformer_lens.hook_points import HookPoint

import arena_check


# %% [markdown]
# Statements have different lengths, so a batch is padded on the right. Padding on the right is
# harmless for a causal model: no real token can attend to a pad that comes after it. What we must
# remember is where each statement ends, because the probe reads the residual at the last real
# token — the final ".", where the model has read the whole claim.

# %% [markdown]
# ## Part 1 · Probes
#
# Call the residuals at one layer $x_i \in \mathbb{R}^{576}$ and the labels $y_i \in \{0, 1\}$
# (1 = true). Both probes below are a direction $w$ and a bias $b$; a statement is classified as true
# when $w \cdot x + b > 0$.
#
# ### Exercise 1 · `difference_of_means_probe`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# Build the simplest probe: the direction from the mean false residual to the mean true one, with
# the decision boundary halfway between the two means.
#
# It needs no training, cannot overfit the way a high-dimensional classifier can, and Marks and
# Tegmark (2023) found its direction to be more *causal* than a logistic probe's — the one that
# moves the model when added. It is the direction we steer with in Part 4.
#
# <details><summary>Hint 1</summary>
#
# `acts[labels]` selects the true rows (labels is a bool tensor); `acts[~labels]` the false ones.
# Take the mean of each, not the sum: the classes need not have the same size.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The midpoint $m = (\mu_\text{true} + \mu_\text{false})/2$ must score 0: $w \cdot m + b = 0$, so
# $b = -w \cdot m$.
#
# </details>

# %%
def difference_of_means_probe(
    acts: Float[Tensor, "n d"], labels: Bool[Tensor, " n"]
) -> tuple[Float[Tensor, " d"], Float[Tensor, ""]]:
    """The probe (w, b) with w = mean of the true rows - mean of the false rows.

    b places the boundary at the midpoint of the two class means: w · (mu_true + mu_false)/2 + b
    is 0, so a row is scored w · x + b (positive = true). `labels` is a bool tensor with at least
    one True and one False; the classes may have different sizes. w is not normalised.
    """
    raise NotImplementedError("exercise: difference_of_means_probe")


# %%
arena_check.check("1.5", "difference_of_means_probe", difference_of_means_probe)


# %% [markdown]
# ### Exercise 2 · `fit_logistic_probe`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Fit a logistic-regression probe with full-batch Adam, using only the rows the training mask
# selects.
#
# The mask is the point of the exercise. Activations of the test statements usually sit in the same
# tensor as the training ones, and a probe that sees them while fitting reports an accuracy that
# means nothing. The check changes the rows outside the mask — activations and labels — and expects
# exactly the same probe back.
#
# <details><summary>Hint 1</summary>
#
# Select first: `x, y = acts[train_mask], labels[train_mask].float()`. Nothing after that line
# should mention `acts` or `labels`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The page has gradients switched off; wrap the loop in `with torch.enable_grad():`. Make `w` and `b`
# zero tensors with `requires_grad=True`, use
# `torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)` plus
# `weight_decay * (w ** 2).sum()`, and `torch.optim.Adam([w, b], lr=lr)`.
#
# </details>

# %%
def fit_logistic_probe(
    acts: Float[Tensor, "n d"],
    labels: Bool[Tensor, " n"],
    train_mask: Bool[Tensor, " n"],
    steps: int = 200,
    lr: float = 0.01,
    weight_decay: float = 1e-3,
) -> tuple[Float[Tensor, " d"], Float[Tensor, ""]]:
    """A logistic probe (w, b), score w · x + b (positive = true), fitted on the masked rows only.

    Minimises mean binary cross-entropy of sigmoid(x · w + b) against the labels, plus
    weight_decay * ||w||², with `steps` full-batch Adam steps of learning rate `lr` from w = 0,
    b = 0. Rows where train_mask is False must not influence the result in any way. Works
    whether or not gradients are enabled by the caller; returns detached float tensors.
    """
    raise NotImplementedError("exercise: fit_logistic_probe")


# %%
arena_check.check("1.5", "fit_logistic_probe", fit_logistic_probe)


# %% [markdown]
# ### Exercise 3 · `probe_accuracy`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The fraction of rows a probe classifies correctly, from its scores.
#
# <details><summary>Hint</summary>
#
# A row is predicted true when its score is strictly positive. Compare the prediction with the
# label, not with its negation.
#
# </details>

# %%
def probe_accuracy(scores: Float[Tensor, " n"], labels: Bool[Tensor, " n"]) -> float:
    """Fraction of rows with (score > 0) == label, as a Python float in [0, 1]."""
    raise NotImplementedError("exercise: probe_accuracy")


# %%
arena_check.check("1.5", "probe_accuracy", probe_accuracy)


# %% [markdown]
# ### Exercise 4 · `roc_auc`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# The area under the ROC curve: the probability that a random true statement scores higher than a
# random false one.
#
# Accuracy depends on where the threshold sits; ROC AUC does not. That matters in Part 3,
# where the model's own answer has a large bias (it says "False" to almost everything) and accuracy
# would hide whatever signal is left. 0.5 is chance; 1.0 a perfect ranking; below 0.5 a ranking
# that is reversed.
#
# <details><summary>Hint 1</summary>
#
# Compare every true score with every false score by broadcasting: `pos[:, None] > neg[None, :]`
# is a `[n_true, n_false]` table.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# A tie counts as half a win. The mean of `(pos > neg) + 0.5 * (pos == neg)` over the table is the
# AUC.
#
# </details>

# %%
def roc_auc(scores: Float[Tensor, " n"], labels: Bool[Tensor, " n"]) -> float:
    """P(score of a random true row > score of a random false row), ties counted as 1/2.

    A Python float in [0, 1]. `labels` holds at least one True and one False.
    """
    raise NotImplementedError("exercise: roc_auc")


# %%
arena_check.check("1.5", "roc_auc", roc_auc)


# %% [markdown]
# ## Part 2 · Generalisation across datasets
#
# ### Exercise 5 · `transfer_matrix`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Fit a probe on each dataset's training split and measure its accuracy on every dataset's test
# split.
#
# The diagonal says how well each dataset can be probed at all; the off-diagonal entries say whether
# the probe found something shared. Keep the orientation straight: **row = trained on, column =
# tested on**, so the matrix need not be symmetric.
#
# <details><summary>Hint</summary>
#
# `fit(acts, labels)` returns `(w, b)`; a test set's scores are `acts @ w + b`. Loop over the train
# names for rows and the test names for columns, in the order of the dicts.
#
# </details>

# %%
def transfer_matrix(
    train: dict[str, tuple[Float[Tensor, "n d"], Bool[Tensor, " n"]]],
    test: dict[str, tuple[Float[Tensor, "m d"], Bool[Tensor, " m"]]],
    fit: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]],
) -> Float[Tensor, "n_train n_test"]:
    """Entry [i, j]: accuracy on the j-th test set of the probe fitted on the i-th train set.

    Rows follow the order of `train`, columns the order of `test`. `fit(acts, labels)` returns
    (w, b); a row is predicted true when acts @ w + b > 0. float32.
    """
    raise NotImplementedError("exercise: transfer_matrix")


# %%
arena_check.check("1.5", "transfer_matrix", transfer_matrix)


# %% [markdown]
# ## Part 3 · What the model says
#
# The probe reads truth from the residual stream. Does the model *use* it? Ask it. A prompt shows
# the statement and asks for a one-word answer; the model's answer is the sign of the
# logit difference between " True" and " False" at the last position, and its confidence is the size.
# Scored by ROC AUC against the labels, this logit difference is itself a probe — one that reads the
# model's output instead of its residual stream.
#
# ### Exercise 6 · `format_prompt`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# Build a plain (not chat) prompt with optional worked examples ("shots") before the question.
#
# <details><summary>Hint</summary>
#
# Join one block per shot, then the question block with "Answer:" and nothing after it — the
# model's next token is the answer, and it will start with a space.
#
# </details>

# %%
def format_prompt(statement: str, shots: Sequence[tuple[str, bool]] = ()) -> str:
    """The prompt whose next token should be " True" or " False".

    Each shot (s, label) becomes "Statement: {s}\\nAnswer: {True|False}\\n\\n", in the given
    order; then "Statement: {statement}\\nAnswer:" with no trailing space. Exact.
    """
    raise NotImplementedError("exercise: format_prompt")


# %%
arena_check.check("1.5", "format_prompt", format_prompt)


# %% [markdown]
# ### Exercise 7 · `answer_logit_diff`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Read the model's answer from a right-padded batch: the logit of the True token minus the logit of
# the False token, at each prompt's last real position.
#
# The sign convention — **True minus False**, positive means "True" — is used everywhere below, in
# the flip rates and the steering plots; a flipped sign here turns every later conclusion around.
#
# <details><summary>Hint</summary>
#
# `logits[torch.arange(batch), lengths - 1]` picks each row's last real position, giving
# `[batch, vocab]`.
#
# </details>

# %%
def answer_logit_diff(
    logits: Float[Tensor, "batch pos vocab"],
    lengths: Int[Tensor, " batch"],
    true_id: int,
    false_id: int,
) -> Float[Tensor, " batch"]:
    """logits[b, lengths[b] - 1, true_id] - logits[b, lengths[b] - 1, false_id] for each row b.

    Rows are right-padded: lengths[b] is the number of real tokens of row b (≥ 1).
    """
    raise NotImplementedError("exercise: answer_logit_diff")


# %%
arena_check.check("1.5", "answer_logit_diff", answer_logit_diff)


# %% [markdown]
# ## Part 4 · The probe direction as a lever
#
# If the model does not use the truth direction to answer, adding that direction to its residual
# stream might still move the answer — or might do nothing specific. The experiment: add
# $\alpha \cdot \bar{r} \cdot \hat{w}$ at `hook_resid_pre` of layer 12, where $\hat{w}$ is the unit
# difference-of-means direction, $\bar{r}$ the median norm of the residual at that layer (so
# $\alpha$ is a fraction of a typical residual's size), on every position of the statement and the
# answer. Then do the same with random unit directions of the same norm. A steering vector
# deserves the name only if it beats the random ones.
#
# ### Exercise 8 · `median_residual_norm`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# The median L2 norm of the residual vectors at the positions a mask selects.
#
# The first position of a Llama-style model has a residual many times larger than the others, and
# pad positions are not text at all; the mask leaves them out, and the median ignores what outliers
# remain.
#
# <details><summary>Hint</summary>
#
# `resid[mask]` is `[n_selected, d_model]`; `.norm(dim=-1).median()`.
#
# </details>

# %%
def median_residual_norm(
    resid: Float[Tensor, "batch pos d_model"], mask: Bool[Tensor, "batch pos"]
) -> float:
    """Median over the selected positions of ||resid[b, p]||_2, as a Python float.

    Uses torch.median (the lower middle value when the count is even).
    """
    raise NotImplementedError("exercise: median_residual_norm")


# %%
arena_check.check("1.5", "median_residual_norm", median_residual_norm)


# %% [markdown]
# ### Exercise 9 · `steering_vector`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# Scale a direction to a vector of norm $|\alpha| \cdot \bar{r}$, pointing along the direction for
# $\alpha > 0$ and against it for $\alpha < 0$.
#
# Forgetting to normalise is the classic steering bug: the difference of means has whatever norm the
# data gave it, and random directions have another, so "the same α" would mean different sizes and
# the comparison with random directions would be meaningless.

# %%
def steering_vector(
    direction: Float[Tensor, " d_model"], median_norm: float, alpha: float
) -> Float[Tensor, " d_model"]:
    """alpha * median_norm * direction / ||direction||_2 (direction is not modified)."""
    raise NotImplementedError("exercise: steering_vector")


# %%
arena_check.check("1.5", "steering_vector", steering_vector)


# %% [markdown]
# ### Exercise 10 · `steering_mask`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Mark the positions to steer in a right-padded batch: from the first token of the statement to the
# last real token, where the answer is predicted.
#
# Steering the prefix ("Statement:") or the padding would change the experiment: the prefix is
# identical across prompts, and pads do not exist.
#
# <details><summary>Hint</summary>
#
# Compare `torch.arange(n_pos)` as a row with `starts` and `lengths` as columns.
#
# </details>

# %%
def steering_mask(
    starts: Int[Tensor, " batch"], lengths: Int[Tensor, " batch"], n_pos: int
) -> Bool[Tensor, "batch n_pos"]:
    """mask[b, p] is True iff starts[b] <= p < lengths[b].

    starts[b] is the statement's first token, lengths[b] the number of real tokens of row b (so
    the last steered position is the last real token, where the answer is read).
    """
    raise NotImplementedError("exercise: steering_mask")


# %%
arena_check.check("1.5", "steering_mask", steering_mask)


# %% [markdown]
# ### Exercise 11 · `add_steering`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# The hook function: add a vector to the residual stream at the masked positions only.
#
# <details><summary>Hint</summary>
#
# `mask[..., None]` broadcasts over `d_model`. Return a new tensor; the page passes the vector and
# mask in with `functools.partial`.
#
# </details>

# %%
def add_steering(
    resid: Float[Tensor, "batch pos d_model"],
    hook: HookPoint | None,
    vector: Float[Tensor, "batch d_model"] | Float[Tensor, " d_model"],
    mask: Bool[Tensor, "batch pos"],
) -> Float[Tensor, "batch pos d_model"]:
    """resid + vector at every position where mask is True, resid unchanged elsewhere.

    `vector` is one vector for all rows ([d_model]) or one per row ([batch, d_model]). Returns a
    new tensor; resid is not modified. `hook` is unused (TransformerLens passes it).
    """
    raise NotImplementedError("exercise: add_steering")


# %%
arena_check.check("1.5", "add_steering", add_steering)


# %% [markdown]
# ### Exercise 12 · `flip_rate`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Among the statements whose unsteered answer was *not* already on the pushed side, the fraction
# whose steered answer is.
#
# A statement the model already answers "True" cannot be flipped toward True, so it is left out of
# the denominator. The answer is the sign of the True − False logit difference: positive = "True".

# %%
def flip_rate(
    base: Float[Tensor, " n"], steered: Float[Tensor, " n"], toward_true: bool
) -> float:
    """Fraction of eligible rows whose answer moved to the pushed side.

    Answers: "True" iff the logit difference is > 0. Pushing toward True, the eligible rows are
    those with base <= 0, and a row flips if steered > 0; toward False, eligible rows have
    base > 0 and flip if steered <= 0. A Python float; nan if no row is eligible.
    """
    raise NotImplementedError("exercise: flip_rate")


# %%
arena_check.check("1.5", "flip_rate", flip_rate)


# %% [markdown]
# ## Part 5 · Head-level intervention
#
# Li et al. (2023) steer more surgically. Their inference-time intervention (ITI) probes the
# output of every attention head separately — the vector `hook_z` a head writes before its output
# matrix $W_O$ mixes it into the residual stream — keeps the few heads whose probes are most
# accurate on held-out data, and at inference adds to each of those heads' outputs a shift of
# $\alpha\,\sigma\,\hat\theta$: $\hat\theta$ the head's own unit probe direction (they found the
# difference of means, their "mass mean shift", worked best), $\sigma$ the standard deviation of the
# head's training activations along it, so that $\alpha$ counts in units of that head's natural
# spread. SmolLM2 has 30 × 9 = 270 heads of `d_head` 64 (grouped-query attention shares keys and
# values between heads, but each head's `hook_z` is its own).
#
# Part 1's forward pass already kept every head's output at the final "." of the cities
# statements: `head_z["train"]` for the 160 training statements and `head_z["test"]` for the 80 test
# ones. The heads are ranked on test statements 40–79, which we call the *validation* statements
# here: the steering below is measured on prompts made from test statements 0–39 (Part 3's), so the
# statements that choose the heads play no part in judging them. (The two halves are disjoint as
# statements but not quite as cities: a few cities have their true statement in one half and their
# false one in the other. The heads' probes are still fitted on training cities only.)

# %% [markdown]
# ### Exercise 13 · `head_probe_accuracies`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Fit a difference-of-means probe to every head at once, and score each on the validation rows.
#
# Two hundred and seventy probes in a Python loop are slow and easy to get subtly wrong (one head's
# bias computed with another's mean); as one batched computation over the `layers` and `heads` axes
# they are a few lines. The ranking this produces chooses the heads to steer, so it must come from
# held-out rows: a probe scored on its own training rows ranks heads by how well they memorise.
#
# <details><summary>Hint 1</summary>
#
# `z_train[y_train].mean(0)` is `[layers, heads, d_head]`: every head's mean over the true rows.
# The bias is a sum over `d_head` only: `-(w * (mu_true + mu_false)).sum(-1) / 2`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `torch.einsum("mlhd,lhd->mlh", z_val, w)` scores every validation row on every head's probe.
# Compare `scores > 0` with `y_val[:, None, None]` and average over the rows.
#
# </details>

# %%
def head_probe_accuracies(
    z_train: Float[Tensor, "n layers heads d_head"],
    y_train: Bool[Tensor, " n"],
    z_val: Float[Tensor, "m layers heads d_head"],
    y_val: Bool[Tensor, " m"],
) -> tuple[Float[Tensor, "layers heads"], Float[Tensor, "layers heads d_head"]]:
    """A difference-of-means probe for every head at once, and its accuracy on the validation rows.

    For each (layer, head): w = mean of the true training rows - mean of the false ones, the bias
    at the midpoint of the two means (as in difference_of_means_probe); a validation row is
    predicted true iff w · z + b > 0. Returns (accuracy [layers, heads], w [layers, heads,
    d_head]). Only the training rows shape w and b.
    """
    raise NotImplementedError("exercise: head_probe_accuracies")


# %%
arena_check.check("1.5", "head_probe_accuracies", head_probe_accuracies)


# %% [markdown]
# ### Exercise 14 · `iti_shifts`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Build the shift ITI adds to each head's output: $\alpha\,\sigma\,\hat\theta$ for the selected heads,
# zero for the rest.
#
# The $\sigma$ is what makes one $\alpha$ fit all heads: head outputs differ in scale by an order of
# magnitude, and a fixed-norm shift would be a whisper to one head and a shout to another. Li et al.
# measure it along the probe direction, not over the whole vector — how much this head *normally*
# varies in the direction we push.
#
# <details><summary>Hint</summary>
#
# For each `(layer, head)` in `heads`: `unit = directions[layer, head] / directions[layer, head].norm()`,
# `sigma = (z_train[:, layer, head] @ unit).std()`. Start from `torch.zeros_like(directions)`.
#
# </details>

# %%
def iti_shifts(
    directions: Float[Tensor, "layers heads d_head"],
    z_train: Float[Tensor, "n layers heads d_head"],
    heads: Sequence[tuple[int, int]],
    alpha: float,
) -> Float[Tensor, "layers heads d_head"]:
    """alpha * sigma * unit direction for each selected head, zeros for all others.

    For a selected (layer, head), the unit direction is directions[layer, head] divided by its L2
    norm, and sigma is the standard deviation (torch.std, unbiased) over the training rows of
    z_train[:, layer, head] projected onto it. `heads` lists (layer, head) pairs. The inputs
    are not modified.
    """
    raise NotImplementedError("exercise: iti_shifts")


# %%
arena_check.check("1.5", "iti_shifts", iti_shifts)


# %% [markdown]
# ### Exercise 15 · `iti_hook`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# The hook function on `blocks.{layer}.attn.hook_z`: add one layer's shifts to every head's output at
# the masked positions.
#
# <details><summary>Hint</summary>
#
# `z` is `[batch, pos, heads, d_head]` and `shift` is `[heads, d_head]`: `mask[:, :, None, None]`
# lines the mask up with both.
#
# </details>

# %%
def iti_hook(
    z: Float[Tensor, "batch pos heads d_head"],
    hook: HookPoint | None,
    shift: Float[Tensor, "heads d_head"],
    mask: Bool[Tensor, "batch pos"],
) -> Float[Tensor, "batch pos heads d_head"]:
    """z + shift (the same for every row and position) where mask is True, z elsewhere.

    `shift` is one layer's slice of iti_shifts (zero rows for heads left alone). Returns a new
    tensor; z is not modified. `hook` is unused (TransformerLens passes it).
    """
    raise NotImplementedError("exercise: iti_hook")


# %%
arena_check.check("1.5", "iti_hook", iti_hook)

# %% [markdown]
# ## Summary
#
# - A linear probe on the residual stream is a direction and a bias. The difference of means needs
#   no fitting; a logistic probe must be fitted on the training split only — check it by changing
#   the held-out rows and getting the same probe back.
# - In SmolLM2-135M, truth about cities becomes linearly readable around layer 12 — and does not
#   transfer to number comparisons or sums. Transfer, not accuracy on one dataset, is the evidence
#   for a general truth direction.
# - The model's own True/False answer barely tracks truth (AUC near 0.5 in the plain format, a
#   strong bias toward "False"); the chat template improves the ranking but not the answers:
#   represented is not the same as said.
# - Adding the probe direction at layer 12 pushes answers toward "False" more than random
#   directions of the same norm do, but hardly toward "True"; at layers 8–10 the direction even
#   works backwards. The section's target (≥ 80 % flips both ways) is not reached on this model, with
#   any layer, α or prompt wording we tried on validation statements.
# - Truth is readable from single attention heads too. Steering the best heads along their own
#   probe directions (ITI) is a different lever from the residual vector, but neither makes the
#   answers track truth better (AUC stays near chance): a constant shift moves the bias, not the
#   accuracy, and steering an answer is not making a model truthful.
#
# ## Further reading
#
# - Alain and Bengio, [Understanding intermediate layers using linear classifier
#   probes](https://arxiv.org/abs/1610.01644) (2016) — linear probes on a network's layers.
# - Marks and Tegmark, [The Geometry of Truth: Emergent Linear Structure in Large Language Model
#   Representations of True/False Datasets](https://arxiv.org/abs/2310.06824) (2023) — truth
#   directions, their transfer across datasets, and difference-of-means probes as causal
#   directions; the datasets here follow their design.
# - Li et al., [Inference-Time Intervention: Eliciting Truthful Answers from a Language
#   Model](https://arxiv.org/abs/2306.03341) (2023) — ITI: probe every attention head, steer the most
#   truth-readable ones along their own difference-of-means directions scaled by their activations'
#   spread; Part 5 replicates the method at small scale.
# - Burns et al., [Discovering Latent Knowledge in Language Models Without
#   Supervision](https://arxiv.org/abs/2212.03827) (2022) — Contrast-Consistent Search, an
#   unsupervised probe for what a model knows as distinct from what it says.
# - Allal et al., [SmolLM2: When Smol Goes Big](https://arxiv.org/abs/2502.02737) (2025) — the
#   model used on this page.
# - Nanda and Bloom, [TransformerLens](https://github.com/TransformerLensOrg/TransformerLens) — the
#   library used for caching and hooks.
