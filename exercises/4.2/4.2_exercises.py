# %% [markdown]
# *GENERATED from book/4_alignment_science/4.2_activation_oracles.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 4.2 <this file>*

# %% [markdown]
# # 4.2 Activation oracles
#
# A probe (sections 1.5 and 4.1) answers one fixed question about an activation — "is this statement
# true?" — with a number. An activation oracle answers questions asked in *words*: it is a
# language model that receives another model's activation as an extra input, at a placeholder in
# its prompt, and replies in text. Pan et al. (2024, *LatentQA*) trained such a decoder on
# activations paired with questions and answers; Karvonen et al. (2025, *Activation Oracles*)
# trained one on a broad mixture — system-prompt questions, seven classification tasks and a
# self-supervised task of predicting the text around an activation — and found that it answered
# questions far outside its training, among them recovering a secret word that a fine-tuned model
# had been trained never to say. Earlier, SelfIE (Chen et al. 2024) and Patchscopes (Ghandeharioun
# et al. 2024) showed that a model can describe its own hidden state *without* training, by
# patching it into a prompt that asks for a description.
#
# This page builds the machinery at the smallest scale that still shows the main effects, and is
# honest about what that scale cannot show. SmolLM2-135M reads its own layer-15 activations. We
# train a narrow oracle — three yes/no question families, one more held out — and, beside it, a
# **control** trained identically with nothing injected. The control is what makes the oracle's
# scores mean something: any question it answers well is answered from the *question text*, not
# from the activation.
#
# **You will be able to**
#
# - read a source activation from a batch of texts, and inject it into a reader model at a
#   placeholder with a forward hook, rescaled to the norm of the reader's residual stream there;
# - write the oracle's training loss and its yes/no readout;
# - score yes/no answers with balanced accuracy and its standard error, and the gap between
#   two systems on the same items with a paired bootstrap;
# - build the controls that tell reading from guessing: a model with nothing injected, the best
#   question-only predictor, and the oracle fed *someone else's* activations;
# - say why an oracle trained on three narrow families does not transfer to a fourth, and what the
#   published oracles did differently;
# - run a small secret-extraction experiment and state exactly what it does and does not show.
#
# **Prerequisites.** Section 4.1 (truth probes on SmolLM2, bootstrap intervals) and 1.5's probes;
# the idea of LoRA from the organisms page.
#
# **Time.** About 2–3 hours: 12 exercises, most of them short.
#
# ## Setup
#
# The oracle and the control are two LoRA adapters (rank 8 on every linear map) for
# SmolLM2-135M-Instruct, trained by `tools/train_activation_oracle_smollm2.py` and shipped in the
# kit (`activation-oracle-smollm2`, `activation-oracle-control-smollm2`). Everything that the
# training script and this page must agree on — the question families, the reader's prompt, the
# injection hook, the readout — lives in one kit module, `arena_check.kit.oracles`, so the two
# cannot drift apart. The page loads the adapters and *re-measures* the figures it states on held-out
# data; only the training-loss curves and times, and one full-split comparison in Part 3 (labelled
# there), are read from the adapters' `meta.json`.

# %%
from collections.abc import Callable, Sequence

import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor

import arena_check
from arena_check.kit import oracles


# %% [markdown]
# ## Part 1 · Moving an activation from one forward pass into another
#
# The source pass runs the base model on a short text — `"The word: Kraków"` — and keeps the
# residual stream after decoder layer 15 (of 30) at the text's last token. The reader's
# prompt is
#
# ```text
# Activation: ?
# Is it a city?
# Answer:
# ```
#
# and the oracle should continue with ` Yes` or ` No`. The token ` ?` is the **placeholder**. A
# forward hook on the reader's decoder layer 1 adds the source activation to the residual stream at
# the placeholder's position, after rescaling it to the norm the residual already has there — the
# injection of Karvonen et al. (2025), $h \leftarrow h + \lVert h\rVert \, v / \lVert v\rVert$. The
# oracle's LoRA adapter then has 28 more layers to learn to *use* what arrived.
#
# ### Exercise 1 · `last_token_activations`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Pick each row's last real token out of a right-padded batch of hidden states.
#
# Extraction is batched — one forward pass for 64 texts instead of 64 passes — so rows have
# different lengths and the shorter ones end in padding. Reading position −1 reads a pad token for
# every row but the longest, silently.
#
# <details><summary>Hint</summary>
#
# With right padding, row b has `attention_mask[b].sum()` real tokens; index
# `hidden[torch.arange(batch), lengths - 1]`.
#
# </details>

# %%
def last_token_activations(
    hidden: Float[Tensor, "batch seq d_model"], attention_mask: Int[Tensor, "batch seq"]
) -> Float[Tensor, "batch d_model"]:
    """Row b of the result is hidden[b, L_b - 1], where L_b = attention_mask[b].sum() is the
    number of real tokens of row b (the batch is right-padded; every row has at least one real
    token). Values are copied exactly; hidden is not modified."""
    raise NotImplementedError("exercise: last_token_activations")


# %%
arena_check.check("4.2", "last_token_activations", last_token_activations)


# %% [markdown]
# ### Exercise 2 · `norm_matched`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Rescale each vector to the norm of its reference vector, keeping its direction.
#
# A layer-15 activation has a norm of about 200 here, while the residual stream at the placeholder
# after the reader's layer 1 is about three times smaller (printed below). Added raw, the injected
# vector would drown whatever else is at the placeholder — the reader would see a large foreign
# vector and little else.
# Matching the norm makes the injection a same-sized perturbation, whichever layer it came from.
#
# <details><summary>Hint</summary>
#
# `vectors.norm(dim=-1, keepdim=True)` is a column of row norms; multiply by the ratio of the two
# columns.
#
# </details>

# %%
def norm_matched(
    vectors: Float[Tensor, "batch d_model"], reference: Float[Tensor, "batch d_model"]
) -> Float[Tensor, "batch d_model"]:
    """Row b is vectors[b] · ‖reference[b]‖ / ‖vectors[b]‖ (L2 norms, one per row): the direction
    of vectors[b] with the length of reference[b]. Rows of `vectors` are non-zero."""
    raise NotImplementedError("exercise: norm_matched")


# %%
arena_check.check("4.2", "norm_matched", norm_matched)


# %% [markdown]
# ### Exercise 3 · `placeholder_positions`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# Find the placeholder in each row of a tokenized batch — and refuse a batch where a row has none,
# or more than one.
#
# Get this wrong and the oracle trains on activations injected at the wrong token: it still
# trains, the loss still falls (the question alone gives something away), and nothing tells you.
# That is why this function raises instead of guessing.
#
# <details><summary>Hint</summary>
#
# `(input_ids == token_id)` is a boolean mask; count per row with `.sum(1)`; for rows with exactly
# one hit, `.int().argmax(1)` is its position (`argmax` of a boolean tensor is not supported on every
# PyTorch version).
#
# </details>

# %%
def placeholder_positions(input_ids: Int[Tensor, "batch seq"], token_id: int) -> Int[Tensor, " batch"]:
    """The position (int64) of token_id in each row. Raises ValueError if any row contains it
    zero times or more than once."""
    raise NotImplementedError("exercise: placeholder_positions")


# %%
arena_check.check("4.2", "placeholder_positions", placeholder_positions)


# %% [markdown]
# ### Exercise 4 · `inject`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Add each row's vector, norm-matched, to that row's hidden state at its placeholder position, and
# nowhere else.
#
# This is the whole interface between the two models. The reference norm is the residual *at
# that position in that row* — not the norm over the sequence, not a batch average — and the
# result is a new tensor: a hook that edits its input in place can corrupt tensors that autograd
# saved for the backward pass.
#
# <details><summary>Hint 1</summary>
#
# `hidden[rows, positions]` with `rows = torch.arange(batch)` is a `[batch, d_model]` view of the
# placeholder residuals — the references for `norm_matched`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Build a zero tensor shaped like `hidden`, write the scaled vectors into it at `[rows, positions]`,
# and return `hidden + delta`.
#
# </details>

# %%
def inject(
    hidden: Float[Tensor, "batch seq d_model"],
    vectors: Float[Tensor, "batch d_model"],
    positions: Int[Tensor, " batch"],
) -> Float[Tensor, "batch seq d_model"]:
    """A new tensor equal to hidden, except that at [b, positions[b]] it holds
    hidden[b, positions[b]] + norm_matched(vectors, hidden[rows, positions])[b]. hidden and
    vectors are not modified, and gradients flow back to hidden (the oracle trains through it)."""
    raise NotImplementedError("exercise: inject")


# %%
arena_check.check("4.2", "inject", inject)


# %% [markdown]
# ### Exercise 5 · `injection_hook`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Wrap `inject` as a PyTorch forward hook for a decoder layer.
#
# A forward hook is called as `hook(module, inputs, output)` after the module runs; whatever it
# returns (if not `None`) replaces the module's output. A Hugging Face decoder layer returns either
# a tensor or a tuple whose first element is the hidden state, depending on the version — handle
# both, and leave the tuple's other elements alone.
#
# <details><summary>Hint</summary>
#
# `if isinstance(output, tuple): return (inject(output[0], …), *output[1:])`.
#
# </details>

# %%
def injection_hook(
    vectors: Float[Tensor, "batch d_model"], positions: Int[Tensor, " batch"]
) -> Callable:
    """A forward hook hook(module, inputs, output) returning `output` with inject(·, vectors,
    positions) applied to the hidden state: to `output` itself if it is a tensor, to output[0] if
    it is a tuple (returning a tuple of the same length, other elements unchanged). It never
    modifies `output` in place."""
    raise NotImplementedError("exercise: injection_hook")


# %%
arena_check.check("4.2", "injection_hook", injection_hook)


# %% [markdown]
# ## Part 2 · What the oracle was trained on
#
# Three **question families**, each a list of (source text, question, answer) records generated
# from data in the kit, are the training set; a fourth is held out entirely. Every family is split
# by *subject* — a city or a noun is either a training subject or a held-out one, never both — and
# every figure below is on held-out subjects.
#
# | family | source text | question | yes | no |
# |---|---|---|---|---|
# | `is_city` | `The word: Kraków` | Is it a city? | 548 well-known cities | 262 common nouns, title-cased (`Garden`) |
# | `in_country` | `The word: Kraków` | Is it in Poland? | the city's country | a wrong country of the same continent |
# | `capitalised` | `The word: garden` | Is it capitalised? | `Garden`, `Kraków` | `garden`, `kraków` |
# | `is_true` (held out) | `The city of Kraków is in Poland.` | Is it true? | true statement | false statement |
#
# Two design choices matter. In `is_city`, the nouns are title-cased, so that "starts with a
# capital" cannot stand in for "is a city". And `in_country` is **leaky** on purpose: its question
# names a country, and a country with many cities in the dataset is more often the true answer than
# one with few — a reader that ignores the activation can learn that much. The issue this page
# answers asks for the oracle to beat the control there too, by less.

# %% [markdown]
# The oracle's training objective is the next-token cross-entropy at the answer position: the
# target is ` Yes` or ` No` out of the full 49,152-token vocabulary. The readout is the difference of
# the two logits.
#
# ### Exercise 6 · `oracle_loss`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The mean cross-entropy of the answer tokens, over the whole vocabulary.
#
# A two-way softmax over only ` Yes` and ` No` would train the same decision but leave the rest of
# the vocabulary free: the model could put most of its mass on, say, ` The`, and greedy decoding
# would not answer at all. The full-vocabulary loss also teaches it to *answer*.
#
# <details><summary>Hint</summary>
#
# Build the target ids with `torch.where(labels, yes_id, no_id)` and call
# `torch.nn.functional.cross_entropy(logits, targets)`.
#
# </details>

# %%
def oracle_loss(
    logits: Float[Tensor, "batch d_vocab"], labels: Bool[Tensor, " batch"], yes_id: int, no_id: int
) -> Float[Tensor, ""]:
    """Mean over the batch of −log softmax(logits[b])[target_b], target_b = yes_id if labels[b]
    else no_id. The softmax is over the whole vocabulary. A 0-dimensional tensor."""
    raise NotImplementedError("exercise: oracle_loss")


# %%
arena_check.check("4.2", "oracle_loss", oracle_loss)


# %% [markdown]
# ### Exercise 7 · `yes_no_margin`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The reader's answer as a number: `logit(" Yes") − logit(" No")`, positive for yes.

# %%
def yes_no_margin(logits: Float[Tensor, "batch d_vocab"], yes_id: int, no_id: int) -> Float[Tensor, " batch"]:
    """logits[:, yes_id] − logits[:, no_id]: positive where the reader prefers " Yes"."""
    raise NotImplementedError("exercise: yes_no_margin")


# %%
arena_check.check("4.2", "yes_no_margin", yes_no_margin)


# %% [markdown]
# ## Part 3 · Scoring against the control
#
# Accuracy would flatter a reader that always says yes on a family with more yes than no records
# (`is_city` has 137 held-out cities and 66 nouns). Balanced accuracy — the mean of the
# true-positive and true-negative rates — scores any constant answer at exactly 0.5.
#
# ### Exercise 8 · `balanced_accuracy`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Balanced accuracy and its standard error.
#
# The two rates come from disjoint groups of records, so their errors are independent, and each is
# a binomial proportion: $\mathrm{se} = \tfrac12\sqrt{\mathrm{tpr}(1-\mathrm{tpr})/n_+ +
# \mathrm{tnr}(1-\mathrm{tnr})/n_-}$.
#
# <details><summary>Hint</summary>
#
# `tpr = (predictions & labels).sum() / labels.sum()`; `tnr` likewise with both negated. Return
# Python floats (`.item()` or `float(...)`).
#
# </details>

# %%
def balanced_accuracy(predictions: Bool[Tensor, " n"], labels: Bool[Tensor, " n"]) -> tuple[float, float]:
    """(balanced accuracy, standard error) as Python floats. Balanced accuracy = (tpr + tnr) / 2
    with tpr = fraction of positive labels predicted True, tnr = fraction of negative labels
    predicted False; se = ½·sqrt(tpr(1 − tpr)/n_pos + tnr(1 − tnr)/n_neg). Raises ValueError if
    either class is empty."""
    raise NotImplementedError("exercise: balanced_accuracy")


# %%
arena_check.check("4.2", "balanced_accuracy", balanced_accuracy)


# %% [markdown]
# ### Exercise 9 · `paired_bootstrap_gap`
#
# > difficulty 3/5 · importance 4/5 · 20 min
#
# The oracle's balanced accuracy minus the control's, with a percentile paired bootstrap
# interval.
#
# The two systems answer the *same* records, so their errors are correlated (a hard city is hard
# for both); resampling records with both systems' answers kept together lets that cancel. Resample
# positives and negatives separately, so that every resample keeps the class sizes that balanced
# accuracy is defined over.
#
# <details><summary>Hint 1</summary>
#
# `pos = labels.nonzero().squeeze(1)`, `neg = (~labels).nonzero().squeeze(1)`. In each round,
# `pos[torch.randint(len(pos), (len(pos),), generator=g)]`, then the same for `neg`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# On a resample of indices `i`, the gap is `balanced_accuracy(a[i], labels[i])[0] −
# balanced_accuracy(b[i], labels[i])[0]`. `torch.quantile(torch.tensor(gaps, dtype=torch.float64),
# torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))`.
#
# </details>

# %%
def paired_bootstrap_gap(
    predictions_a: Bool[Tensor, " n"],
    predictions_b: Bool[Tensor, " n"],
    labels: Bool[Tensor, " n"],
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float, float]:
    """(gap, low, high): gap = balanced accuracy of a − that of b on all records; (low, high) the
    alpha/2 and 1 − alpha/2 quantiles (torch.quantile, float64, linear interpolation) of the gap
    over n_boot resamples. g = torch.Generator().manual_seed(seed); each round draws the
    positives' indices, then the negatives', each with torch.randint(len(group), (len(group),),
    generator=g) — with replacement, within the class — and uses the same indices for a and b.
    Python floats."""
    raise NotImplementedError("exercise: paired_bootstrap_gap")


# %%
arena_check.check("4.2", "paired_bootstrap_gap", paired_bootstrap_gap)


# %% [markdown]
# Now the scoring itself: for each family, a balanced subset of its held-out records
# ({glue:text}`per_label` of each answer), the source activations in one batched pass, and the two
# adapters' margins through *your* hook and readout. The control needs one pass per distinct
# question only: it never sees an activation, so every record with the same question gets the same
# answer from it. This is the page's longest cell ({glue:text}`t_score:.0f` s in this build).

# %% [markdown]
# ## Part 4 · Reading, or guessing?
#
# A gap over the control shows that the oracle uses the activation. Two more controls say *how
# much* of its score is the activation, and how much the question.
#
# ### Exercise 10 · `question_prior`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# The best a reader can do *without* the activation: for each test question, predict the answer
# most training records with that exact question had.
#
# That is the ceiling of the control (it can learn no more than a lookup from question to answer)
# and a direct measurement of how much a family leaks.
#
# <details><summary>Hint</summary>
#
# Count, per question string, the training records and how many of them are labelled True (two
# dictionaries, or a `collections.Counter` each).
#
# </details>

# %%
def question_prior(
    train_questions: Sequence[str], train_labels: Bool[Tensor, " n_train"], test_questions: Sequence[str]
) -> Bool[Tensor, " n_test"]:
    """For each test question, True iff strictly more than half of the training records with the
    identical question string are labelled True. A question absent from training, or a tie,
    gives False."""
    raise NotImplementedError("exercise: question_prior")


# %%
arena_check.check("4.2", "question_prior", question_prior)


# %% [markdown]
# ### Exercise 11 · `derangement`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# A random permutation that moves every element.
#
# Feed the oracle each question with *another record's* activation: if its score falls to the
# control's, the answer really came from the activation it was given, and not from some other
# channel (a bug in the injection, or the prompt). A plain shuffle would leave some records with
# their own activation; a derangement leaves none.
#
# <details><summary>Hint</summary>
#
# Draw `torch.randperm(n, generator=g)` until no position maps to itself (for large n about 37 % of
# draws qualify, so this takes a few tries), or shift a random permutation's cycle by one.
#
# </details>

# %%
def derangement(n: int, seed: int = 0) -> Int[Tensor, " n"]:
    """A permutation p of 0..n-1 (int64) with p[i] != i for every i, from a torch.Generator
    seeded with `seed` (the same seed gives the same p; different seeds usually differ). Raises
    ValueError for n < 2."""
    raise NotImplementedError("exercise: derangement")


# %%
arena_check.check("4.2", "derangement", derangement)


# %%
def last_occurrence_end(ids: Sequence[int], pattern: Sequence[int]) -> int:
    """The index in `ids` of the last element of the last occurrence of `pattern` as a contiguous
    run. Raises ValueError if pattern is empty or does not occur."""
    raise NotImplementedError("exercise: last_occurrence_end")


# %%
arena_check.check("4.2", "last_occurrence_end", last_occurrence_end)

# %% [markdown]
# ## Summary
#
# - An activation oracle is a language model with one extra input: a vector added, norm-matched, to
#   its residual stream at a placeholder by a hook on an early layer, and a LoRA adapter that learns
#   to answer questions about it.
# - A score means nothing without a control that sees the same prompts with nothing injected. On
#   held-out subjects the narrow oracle beats it on each trained family; on the leaky family the
#   control's advantage is the question text, and a question-only lookup table measures it.
# - Balanced accuracy, with its standard error and a paired bootstrap for the gap, makes "always
#   yes" worth 0.5 and two systems on the same items comparable.
# - Deranged activations take the oracle to chance: it reads the activation it is given. A
#   difference-of-means probe on the same activations does about as well on `is_city` and
#   `capitalised` — a narrow oracle is a probe with a language interface.
# - Trained on three fixed questions at one position, the oracle does not transfer to a fourth
#   question, even where a probe shows the information is present. The published oracles were
#   trained on broad, diverse tasks at large scale, and their transfer grew with that diversity.
#
# ## Further reading
#
# - Karvonen et al., [Activation Oracles: Training and Evaluating LLMs as General-Purpose
#   Activation Explainers](https://arxiv.org/abs/2512.15674) (2025) — the recipe this page reduces:
#   norm-matched injection after layer 1, LoRA, broad training, Taboo and other auditing tasks.
# - Pan, Chen and Steinhardt, [LatentQA: Teaching LLMs to Decode Activations Into Natural
#   Language](https://arxiv.org/abs/2412.08686) (2024) — training a decoder to answer open
#   questions about activations.
# - Chen et al., [SelfIE: Self-Interpretation of Large Language Model
#   Embeddings](https://arxiv.org/abs/2403.10949) (2024) — a model describing its own hidden
#   states, patched into a prompt, without training.
# - Ghandeharioun et al., [Patchscopes: A Unifying Framework for Inspecting Hidden Representations
#   of Language Models](https://arxiv.org/abs/2401.06102) (2024) — patching a representation into
#   a target prompt as a general way of reading it.
# - Hewitt and Liang, [Designing and Interpreting Probes with Control
#   Tasks](https://arxiv.org/abs/1909.03368) (2019) — why a probe's accuracy needs a control to mean
#   anything.
