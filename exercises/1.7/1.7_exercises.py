# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.7_balanced_brackets.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 1.7 <this file>*

# %% [markdown]
# # 1.7 Balanced brackets
#
# Section 1.2 took apart a language model's induction circuit. This section takes apart a model
# trained on a task whose *correct algorithm* you know exactly, so every claim about the mechanism
# can be checked against the truth: a transformer that reads a string of brackets such as `(()())`
# or `())(()` and says whether it is **balanced**. Knowing the algorithm does not tell you which
# algorithm the network found; the point of the section is to find out from its activations and
# weights, and then to use what you found to predict where it fails.
#
# A string is balanced when every `)` closes an earlier `(` and no `(` is left open. Equivalently,
# walk along the string keeping a count — one up for `(`, one down for `)` — the string's
# elevation. It is balanced exactly when the elevation never goes below zero and ends at
# zero. A transformer has no loop in which to keep a running count, but a head that attends
# *uniformly* to a set of positions outputs the *average* of what it reads there, and an average of
# ±1 values is a count divided by a length. Weiss et al. (2021) write a balanced-brackets program
# out of exactly such steps in their RASP language, and Yao et al. (2021) construct self-attention
# networks that recognise bracket languages of bounded depth. Whether gradient descent finds that
# program is an empirical question, answered here for one model.
#
# **You will be able to**
#
# - compute a bracket string's elevation and decide balance, and generate the *hard negatives* that
#   separate a model that checks order from one that only counts;
# - tokenize with a classification position and padding, and hide the padding from
#   bidirectional attention;
# - measure accuracy separately for every kind of string — the number that matters is the worst one;
# - attribute the output to every head and MLP through the final LayerNorm (direct logit
#   attribution with the scale frozen);
# - fit a head's output as a linear function of the fraction of `(` in the string, find the
#   component that detects a negative elevation, and confirm both by ablation;
# - turn the mechanism into a prediction — an adversarial example — and test it.
#
# **Prerequisites.** Section 1.2 (hooks, caches, direct logit attribution, ablation).
#
# **Time.** About 3 hours: 15 exercises, most of them a few lines.
#
# ## Setup
#
# The model is the zoo's **`brackets-classifier`**, trained by `tools/train_brackets_classifier.py`
# (half an hour on one thread of a busy shared CPU) and shipped with the kit — in your own
# notebook, `from arena_check.kit import zoo; model = zoo.load("brackets-classifier")`: 3 layers, 2 heads each, `d_model`
# 56, a ReLU MLP of 112 neurons per layer, LayerNorm, learned positions, a 4-token vocabulary
# `[START] [PAD] ( )`, and an unembedding with 2 outputs instead of a vocabulary: index 1 means
# *balanced*, index 0 *unbalanced*. It reads the answer at position 0, the `[START]` token. Its
# attention is **bidirectional**: every position may attend to every other, as in BERT, so there
# is no causal mask — nothing needs to be predicted token by token.

# %%
import random
from collections.abc import Callable, Sequence

import torch
from einops import einsum
from jaxtyping import Bool, Float, Int
from torch import Tensor
from transformer_lens import ActivationCache, HookedTransformer
from transformer_lens.hook_points import HookPoint

import arena_check

#: The model's vocabulary: a classification token, padding, and the two brackets.
START, PAD, OPEN, CLOSE = 0, 1, 2, 3


def random_balanced(n_pairs: int, rng: random.Random) -> str:
    """A random balanced string of `n_pairs` pairs, for the generators of Part 1.

    Adds "(" or ")" by a coin flip, but "(" whenever the elevation is 0 and ")" once no
    "(" is left. Not uniform over balanced strings (shallow ones are favoured); fine for
    building test strings.
    """
    out, level, opens = [], 0, n_pairs
    while opens or level:
        if opens and (level == 0 or rng.random() < 0.5):
            out.append("(")
            opens, level = opens - 1, level + 1
        else:
            out.append(")")
            level -= 1
    return "".join(out)


# %% [markdown]
# ## Part 1 · The language and its hard negatives
#
# Throughout this page the **elevation** of a string $s$ after its $i$-th character (counting from
# 0) is
#
# $$e_i = \#\{j \le i : s_j = \texttt{(}\} - \#\{j \le i : s_j = \texttt{)}\},$$
#
# the running count *from the left*. $s$ is balanced iff $e_i \ge 0$ for every $i$ and the last
# $e_i$ is 0 (the empty string is balanced). Counting from the right gives a different sequence —
# the mirror-image rule, "every suffix has at least as many `)` as `(`", is an equally valid test,
# and a bidirectional model is free to use either — so the direction matters whenever you compare
# a model's internals with an elevation.
#
# ### Exercise 1 · `elevation`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Compute the elevation after every character of a bracket string.
#
# Every later exercise that asks "where does this string go wrong?" is a question about this
# sequence.
#
# <details><summary>Hint</summary>
#
# Turn the string into a tensor of +1 and −1 and take `cumsum`. Make sure an empty string gives an
# empty `int64` tensor, not a float one.
#
# </details>

# %%
def elevation(s: str) -> Int[Tensor, " n"]:
    """The running count of "(" minus ")" from the left, after each character.

    elevation(s)[i] = number of "(" minus number of ")" among s[0], ..., s[i]
    (inclusive). Returns an int64 tensor of length len(s); the empty string gives
    an empty int64 tensor. `s` contains only "(" and ")".
    """
    raise NotImplementedError("exercise: elevation")


# %%
arena_check.check("1.7", "elevation", elevation)


# %% [markdown]
# ### Exercise 2 · `is_balanced`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Decide whether a string is balanced, from its elevation.
#
# This is the ground truth every label on this page comes from; the training script used the same
# rule.
#
# <details><summary>Hint</summary>
#
# Two conditions: the minimum elevation is at least 0, and the last one is 0. Treat the empty string
# before you call `.min()` on an empty tensor.
#
# </details>

# %%
def is_balanced(s: str) -> bool:
    """True iff every prefix of `s` has at least as many "(" as ")" and the whole
    string has equally many of each. The empty string is balanced. Returns a Python
    bool.
    """
    raise NotImplementedError("exercise: is_balanced")


# %%
arena_check.check("1.7", "is_balanced", is_balanced)


# %% [markdown]
# A model trained only on random strings would learn very little: a random string of length 20 is
# balanced with probability {glue:text}`p_bal20:.1%`, and most unbalanced ones already have the
# wrong number of `(` — "balanced iff the counts are equal" is right on
# {glue:text}`count_only_acc20:.1%` of them without ever looking at the order. To force a model to
# check the *order*, its training data (and any honest test of it) needs **hard negatives**: strings that pass
# the counting test and fail the order test, and strings that never dip but end too high. The model
# on this page was trained on five kinds of string in fixed proportions — balanced, random,
# *too many opens*, *negative dip* and *shuffled* — generated by `arena_check.kit.models.brackets`.
# The next two exercises write the two hard kinds yourself.
#
# ### Exercise 3 · `negative_dip_string`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Generate a string with the right count of each bracket whose elevation dips to exactly −1.
#
# These are the strings that a counting-only model gets wrong, and the dip must be able to happen
# anywhere: a generator that always dips at the start would test only one position.
#
# <details><summary>Hint 1</summary>
#
# If `u`, `v` and `w` are balanced, then `u + ")" + v + "(" + w` has the right counts, its
# elevation is −1 throughout `)v` and never lower, and its first dip is at position `len(u)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Split the remaining `n_pairs - 1` pairs into three sizes at random, and build a random balanced
# string of each size — for example, add `(` or `)` at random, but `(` whenever the elevation is 0
# and `)` when no `(` is left.
#
# </details>

# %%
def negative_dip_string(n_pairs: int, seed: int) -> str:
    """A random string of `n_pairs` "(" and `n_pairs` ")" (n_pairs >= 1) whose elevation
    reaches -1 at least once and never goes below -1.

    The same seed gives the same string. Across seeds every position where such a
    string can first reach -1 (0, 2, 4, ..., 2 * n_pairs - 2) must occur.
    """
    raise NotImplementedError("exercise: negative_dip_string")


# %%
arena_check.check("1.7", "negative_dip_string", negative_dip_string)


# %% [markdown]
# `random_balanced`, defined in the setup cell, is there to use (or not).
#
# ### Exercise 4 · `too_many_opens_string`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Generate a string whose elevation never dips but ends at +2.
#
# <details><summary>Hint</summary>
#
# Take a random balanced string and turn one of its `)` into `(`: every elevation from that point
# on rises by 2, so none can be negative, and the last one is 2.
#
# </details>

# %%
def too_many_opens_string(n_pairs: int, seed: int) -> str:
    """A random string of length 2 * n_pairs (n_pairs >= 1) whose elevation is never
    negative and ends at 2: n_pairs + 1 "(" and n_pairs - 1 ")".

    The same seed gives the same string; different seeds give different strings
    whenever more than one exists, and (for n_pairs >= 2) the extra "(" is not always
    at the end: some seeds give strings that end in ")".
    """
    raise NotImplementedError("exercise: too_many_opens_string")


# %%
arena_check.check("1.7", "too_many_opens_string", too_many_opens_string)


# %% [markdown]
# ## Part 2 · The classifier
#
# ### Tokens, the classification position and padding
#
# The model reads `[START]` followed by one token per bracket. Its answer is the output at position
# 0, the **classification position**: `[START]` carries no information of its own, so
# whatever the model writes there it had to gather from the brackets through attention. Strings in a
# batch have different lengths, so shorter ones are filled with `[PAD]` on the right.
#
# ### Exercise 5 · `tokenize`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# Turn a list of bracket strings into one padded batch of token ids.
#
# <details><summary>Hint</summary>
#
# Start from `torch.full((batch, 1 + longest), PAD)`, set column 0 to `START`, and fill each row's
# brackets after it.
#
# </details>

# %%
def tokenize(strings: Sequence[str]) -> Int[Tensor, "batch pos"]:
    """[START], then OPEN for "(" and CLOSE for ")", right-padded with PAD.

    Every row has 1 + (length of the longest string) positions, int64. An empty
    string is the row [START, PAD, ...].
    """
    raise NotImplementedError("exercise: tokenize")


# %%
arena_check.check("1.7", "tokenize", tokenize)


# %% [markdown]
# With a causal mask, right padding is harmless: no real token can see the pads after it. With
# bidirectional attention every query can see every key, pads included, so the pads must be hidden
# explicitly. TransformerLens applies its `attention_mask` argument only in its causal mask, so the
# zoo loader installs *permanent hooks* that do it: one on `hook_tokens` remembers where the pads
# are, and one on every layer's `hook_attn_scores` pushes the scores of pad keys to a huge negative
# number before the softmax. Write that masking function.
#
# ### Exercise 6 · `mask_padding_keys`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Hide every `[PAD]` key from every query.
#
# Masking the wrong axis — queries instead of keys — leaves a model that still reads the pads, and
# gives a different answer for the same string depending on what else is in the batch.
#
# <details><summary>Hint</summary>
#
# `tokens == PAD` is `[batch, key]`; index it as `[:, None, None, :]` so it broadcasts over heads
# and queries, and use `masked_fill`.
#
# </details>

# %%
def mask_padding_keys(
    scores: Float[Tensor, "batch head query key"], tokens: Int[Tensor, "batch key"]
) -> Float[Tensor, "batch head query key"]:
    """The attention scores with every key whose token is PAD set to -inf.

    Scores of non-PAD keys are returned unchanged, for every query (pad queries
    included). Returns a new tensor; `scores` is not modified. (Any value at or below
    -1e4 would do as well after the softmax, and is accepted.)
    """
    raise NotImplementedError("exercise: mask_padding_keys")


# %%
arena_check.check("1.7", "mask_padding_keys", mask_padding_keys)


# %% [markdown]
# ### Exercise 7 · `accuracy_by_kind`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Measure the model's accuracy separately on every kind of string.
#
# An overall accuracy hides the failure that matters: if nine strings in ten are easy, a model that
# gets every hard negative wrong still scores 90 %. Report the worst kind.
#
# <details><summary>Hint</summary>
#
# For each kind: `logits = model(tokenize(strings))[:, 0]`, the verdict is `logits.argmax(-1) == 1`
# (balanced), and the truth is `is_balanced(s)` — not the kind's name: a shuffled balanced string
# is sometimes still balanced.
#
# </details>

# %%
def accuracy_by_kind(
    model: HookedTransformer, strings_by_kind: dict[str, list[str]]
) -> dict[str, float]:
    """For each kind, the fraction of its strings the model classifies correctly.

    The model's verdict is read at position 0: balanced iff logit[1] > logit[0]. The
    truth is is_balanced(s). Returns {kind: accuracy} with the same keys, as floats.
    """
    raise NotImplementedError("exercise: accuracy_by_kind")


# %%
arena_check.check("1.7", "accuracy_by_kind", accuracy_by_kind)


# %% [markdown]
# ## Part 3 · Attribution through the final LayerNorm
#
# The logit difference $\ell_0 - \ell_1$ ("unbalanced minus balanced") at position 0 is what the
# model decides with. Just before the unembedding, the residual stream at position 0 is a sum of
# parts — the token and position embeddings, every head's output, every MLP's output, biases — and
# then the final LayerNorm:
#
# $$\mathrm{LN}(x) = \frac{x - \bar{x}}{\sigma(x)} \odot w + b, \qquad
# \ell_0 - \ell_1 = \mathrm{LN}(x) \cdot (W_U[:, 0] - W_U[:, 1]) + b_U[0] - b_U[1].$$
#
# $\sigma(x)$ depends on the whole sum, so LayerNorm is not linear. Freeze it at the value the
# forward pass actually used — TransformerLens caches it as `ln_final.hook_scale` — and what remains
# *is* linear in $x$: centre each part over `d_model`, divide by the frozen scale, and dot it with one
# fixed vector, the **unbalanced direction** $w \odot (W_U[:, 0] - W_U[:, 1])$. The parts then add
# up exactly to $\ell_0 - \ell_1$ minus a constant from the biases. This is direct logit
# attribution as in section 1.2, with a LayerNorm weight folded into the direction.
#
# ### Exercise 8 · `unbalanced_direction`
#
# > difficulty 2/5 · importance 4/5 · 5 min
#
# The direction in the residual stream (before the final LayerNorm) that pushes the model towards
# "unbalanced".
#
# <details><summary>Hint</summary>
#
# `model.ln_final.w` is the LayerNorm's weight; `model.W_U` is `[d_model, 2]`. Multiply elementwise.
#
# </details>

# %%
def unbalanced_direction(model: HookedTransformer) -> Float[Tensor, " d_model"]:
    """The vector d with, for the residual x at position 0 before the final LayerNorm,

        logit[0] - logit[1] = ((x - x.mean()) / scale) · d + constant,

    where scale is the final LayerNorm's scale for that x: d = ln_final.w * (W_U[:, 0]
    - W_U[:, 1]). Index 0 of the unembedding is "unbalanced", index 1 "balanced".
    """
    raise NotImplementedError("exercise: unbalanced_direction")


# %%
arena_check.check("1.7", "unbalanced_direction", unbalanced_direction)


# %% [markdown]
# ### Exercise 9 · `start_head_outputs`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# Read what every head writes into the residual stream at the classification position, with a hook.
#
# A head's output is $z W_O$ (no bias: `b_O` belongs to the layer, not to a head). Reading it only
# at position 0 is all the attribution needs, and a hook that slices as it goes never stores the
# rest.
#
# <details><summary>Hint 1</summary>
#
# A hook on `blocks.{layer}.attn.hook_z` sees `z` as `[batch, pos, head, d_head]`. Store
# `z[:, 0]` in a dictionary from inside the hook (return nothing, so the activation is unchanged).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Then `einsum(z0, model.W_O[layer], "b h d, h d m -> b h m")` per layer, and `torch.stack(…, dim=1)`.
#
# </details>

# %%
def start_head_outputs(
    model: HookedTransformer, tokens: Int[Tensor, "batch pos"]
) -> Float[Tensor, "batch layer head d_model"]:
    """Each head's output z @ W_O (without b_O) at position 0, for every layer and head.

    Runs the model once on `tokens` (its padding hooks stay in place) and leaves no
    hook behind.
    """
    raise NotImplementedError("exercise: start_head_outputs")


# %%
arena_check.check("1.7", "start_head_outputs", start_head_outputs)


# %% [markdown]
# ### Exercise 10 · `direct_attribution`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Project residual-stream parts onto the unbalanced direction through the frozen LayerNorm.
#
# <details><summary>Hint</summary>
#
# Three steps, in this order: subtract each vector's own mean over `d_model`; divide by the scale
# of its batch row (`scale[:, None, None]`); dot with the direction.
#
# </details>

# %%
def direct_attribution(
    parts: Float[Tensor, "batch part d_model"],
    scale: Float[Tensor, " batch"],
    direction: Float[Tensor, " d_model"],
) -> Float[Tensor, "batch part"]:
    """Each part's contribution to logit[0] - logit[1] through the final LayerNorm.

    parts[b, i] is one term of the residual stream at position 0 of string b; scale[b]
    is the final LayerNorm's scale there (cache["ln_final.hook_scale"][b, 0, 0]).
    Each part is centred over d_model, divided by scale[b], and dotted with
    `direction`.
    """
    raise NotImplementedError("exercise: direct_attribution")


# %%
arena_check.check("1.7", "direct_attribution", direct_attribution)


# %% [markdown]
# ## Part 4 · The mechanism
#
# The bar chart says *where* the decision is written: the last layer's heads and MLPs write most of
# the logit difference at position 0. It does not say where the information comes from — those
# components read what earlier layers wrote. To find that, look at the first layer, where the only
# inputs are the brackets and their positions.

# %% [markdown]
# ### Exercise 11 · `open_fraction`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The fraction of a string's brackets that are `(`, from its tokens.
#
# A head that attends uniformly to the brackets and reads a value $v_($ from each `(` and $v_)$ from
# each `)` outputs $f\,v_( + (1 - f)\,v_)$, where $f$ is exactly this fraction: linear in $f$. A
# string can only be balanced if $f = 1/2$.
#
# <details><summary>Hint</summary>
#
# `(tokens == OPEN).sum(-1)` counts the opens; divide by the number of OPEN *or* CLOSE tokens, not by
# the row's width.
#
# </details>

# %%
def open_fraction(tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, " batch"]:
    """Per row: (number of OPEN tokens) / (number of OPEN or CLOSE tokens), as float32.

    [START] and [PAD] are not brackets and do not count. Every row holds at least one
    bracket.
    """
    raise NotImplementedError("exercise: open_fraction")


# %%
arena_check.check("1.7", "open_fraction", open_fraction)


# %% [markdown]
# ### Exercise 12 · `linear_fit`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Fit $y \approx a x + b$ by least squares and report how much of $y$'s variance the line explains.
#
# <details><summary>Hint</summary>
#
# With $x_c = x - \bar x$ and $y_c = y - \bar y$: $a = \sum x_c y_c / \sum x_c^2$, $b = \bar y - a \bar x$,
# and $r^2 = 1 - \sum (y - a x - b)^2 / \sum y_c^2$.
#
# </details>

# %%
def linear_fit(x: Float[Tensor, " n"], y: Float[Tensor, " n"]) -> tuple[float, float, float]:
    """Least-squares slope and intercept of y on x, and r2 = 1 - SS_residual / SS_total
    (the fraction of y's variance the line explains; r squared, not r). Python floats.
    """
    raise NotImplementedError("exercise: linear_fit")


# %%
arena_check.check("1.7", "linear_fit", linear_fit)


# %% [markdown]
# ### Exercise 13 · `negative_elevation_mask`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Mark every bracket position where the elevation, counted from the left, is below zero.
#
# This is the per-position fact the model must detect to reject a negative dip. Counted from the
# right, the mask would mark different positions (the mirror-image rule), and a component that
# tracks one will look weak against the other.
#
# <details><summary>Hint</summary>
#
# Steps: +1 at OPEN, −1 at CLOSE, 0 at START and PAD; `cumsum` along positions; below zero *and* a
# bracket. Right padding after the string does not change any bracket's prefix.
#
# </details>

# %%
def negative_elevation_mask(tokens: Int[Tensor, "batch pos"]) -> Bool[Tensor, "batch pos"]:
    """True at every bracket position whose elevation (counted from the left, from the
    first bracket up to and including this one) is negative; False at [START], [PAD]
    and every other position. Same layout as `tokens`.
    """
    raise NotImplementedError("exercise: negative_elevation_mask")


# %%
arena_check.check("1.7", "negative_elevation_mask", negative_elevation_mask)


# %% [markdown]
# ### Exercise 14 · `attention_share`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# The share of the classification position's attention that lands on a given set of keys.
#
# <details><summary>Hint</summary>
#
# Query 0 is `pattern[:, :, 0]`, `[batch, head, key]`; multiply by the mask (as `[batch, 1, key]`)
# and sum over keys. Rows of a pattern already sum to 1.
#
# </details>

# %%
def attention_share(
    pattern: Float[Tensor, "batch head query key"], mask: Bool[Tensor, "batch key"]
) -> Float[Tensor, "batch head"]:
    """For each string and head: the total attention weight that query 0 (the
    classification position) puts on keys where `mask` is True.
    """
    raise NotImplementedError("exercise: attention_share")


# %%
arena_check.check("1.7", "attention_share", attention_share)


# %% [markdown]
# ### Exercise 15 · `misclassified`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Return the strings the model gets wrong.
#
# <details><summary>Hint</summary>
#
# Batch the strings (a few hundred at a time keeps memory small), read `[:, 0]`, compare with
# `is_balanced`, and keep the input order.
#
# </details>

# %%
def misclassified(model: HookedTransformer, strings: Sequence[str], batch_size: int = 500) -> list[str]:
    """The strings whose verdict (balanced iff logit[1] > logit[0] at position 0)
    differs from is_balanced, in the order given. Runs the model on batches of at most
    `batch_size` strings.
    """
    raise NotImplementedError("exercise: misclassified")


# %%
arena_check.check("1.7", "misclassified", misclassified)

# %% [markdown]
# ## Summary
#
# - A bracket string is balanced iff its elevation — the running count of `(` minus `)`, from the
#   left — never goes below zero and ends at zero. Counting from the right gives the mirror-image
#   rule; whichever you use, compare like with like.
# - Random strings are mostly unbalanced for easy reasons. A test of order needs hard negatives:
#   right counts with a dip, no dip but a wrong count, shuffles. Report accuracy per kind.
# - A bidirectional classifier reads its answer at a classification position and must hide its
#   padding from the keys; TransformerLens's causal-only `attention_mask` does not do it, so the
#   zoo model uses permanent hooks.
# - With the final LayerNorm's scale frozen, the logit difference at position 0 splits exactly into
#   the parts of the residual stream, each centred, scaled and dotted with
#   $w \odot (W_U[:,0] - W_U[:,1])$.
# - In this model a flat layer-0 head computes the count (its output is linear in the fraction of
#   opens); a backward-looking layer-0 head and distributed MLP neurons signal negative elevation
#   from the left; later heads gather it. Mean ablations confirm the division of labour.
# - The mechanism predicts its own weak spot — single-position dips in long strings — and running
#   those strings confirms it, even though the held-out accuracy is above 99 % on every kind.
#
# ## Further reading
#
# - Weiss, Goldberg and Yahav, [Thinking Like Transformers](https://arxiv.org/abs/2106.06981)
#   (2021) — RASP, a programming language whose primitives (select, aggregate) are what attention
#   heads can do; its balanced-parentheses program computes running balances with uniform
#   attention, as some of the heads on this page roughly do.
# - Yao, Peng, Papadimitriou and Narasimhan, [Self-Attention Networks Can Process Bounded
#   Hierarchical Languages](https://arxiv.org/abs/2105.11115) (2021) — constructions and
#   experiments for Dyck languages of bounded depth with self-attention.
# - Bhattamishra, Ahuja and Goyal, [On the Ability and Limitations of Transformers to Recognize
#   Formal Languages](https://arxiv.org/abs/2009.11264) (2020) — transformers learn Dyck-1 (one
#   kind of bracket) by counting, and where that generalises.
# - Hahn, [Theoretical Limitations of Self-Attention in Neural Sequence
#   Models](https://arxiv.org/abs/1906.06755) (2020) — why soft attention struggles with signals that
#   depend on a single position in a long input, the reason a dip far from where a head looks is
#   hard to see.
# - Elhage et al., [A Mathematical Framework for Transformer
#   Circuits](https://transformer-circuits.pub/2021/framework/index.html) (2021) — the residual
#   stream as a sum of parts, and direct attribution.
# - Devlin et al., [BERT](https://arxiv.org/abs/1810.04805) (2019) — bidirectional encoders and a
#   classification token read at position 0.
# - Szegedy et al., [Intriguing properties of neural networks](https://arxiv.org/abs/1312.6199)
#   (2013) — adversarial examples.
# - Nanda and Bloom, [TransformerLens](https://github.com/TransformerLensOrg/TransformerLens) — hooks,
#   caches and permanent hooks.
