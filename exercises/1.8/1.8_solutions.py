# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.8_grokking_and_modular_arithmetic.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 1.8 Grokking and modular arithmetic
#
# Train a small transformer on a few hundred sums $a + b \bmod p$ and it memorises them quickly:
# training accuracy reaches 100 % while accuracy on the sums it has not seen stays low. Keep
# training, with weight decay, and long after the training loss stopped telling you anything the
# test accuracy suddenly climbs to 100 %. Power et al. (2022) called this delayed generalisation
# **grokking**. It looks like a phase change out of nowhere — which is exactly the kind of
# behaviour AI safety would like to predict rather than be surprised by.
#
# Nanda et al. (2023) reverse-engineered such a network completely. It does modular addition with
# trigonometry: it writes $a$ and $b$ as angles $w a$ and $w b$ for a few *key frequencies* $w$,
# combines them into $\cos(w(a+b))$ and $\sin(w(a+b))$ in its MLP, and reads off the answer $c$
# from $\cos(w(a + b - c))$, which is largest exactly when $c = a + b \bmod p$. Knowing the
# mechanism, they defined **progress measures** that track the circuit
# during training and found that it forms gradually, well before the test loss falls: grokking is
# a slow build-up of a general circuit, followed by the clean-up of the memorised solution, not a
# sudden jump.
#
# This section repeats that analysis on a model the project trained for it (one layer, $p = 53$)
# and its shipped training checkpoints.
#
# **You will be able to**
#
# - build the modular-addition data set, measure train and test accuracy of a checkpoint, and
#   measure a grokking delay from a training history;
# - build the orthonormal Fourier basis over $\mathbb{Z}_p$ and project weights and
#   activation tables onto it, in one and in two dimensions;
# - find a model's key frequencies from its embedding, and show that its
#   neurons and its logits are sums of a few trigonometric terms;
# - fit the logits as a sum of $\cos(w(a+b-c))$ terms and measure the fraction of variance
#   explained;
# - compute restricted loss and excluded loss across checkpoints, and read from them
#   when the circuit forms and when memorisation is cleaned up.
#
# **Prerequisites.** Section 1.1 (a transformer's forward pass) and section 1.2 (TransformerLens
# hooks and caches). A little trigonometry: $\cos(x+y) = \cos x \cos y - \sin x \sin y$.
#
# **Time.** About 3 hours: 15 exercises, most of them a few lines.
#
# ## Setup
#
# The model is `grokking-mod-53`, trained by `tools/train_grokking_mod_p.py` and shipped with
# `arena-check` (`arena_check.kit.models.grokking`): a one-layer transformer with learned
# positional embeddings, 4 attention heads of size 16, `d_model` 64, a ReLU MLP of 256 neurons and
# no LayerNorm, trained on 40 % of the pairs of $(a + b) \bmod 53$ with full-batch AdamW
# (learning rate 3e-3, betas (0.9, 0.98)) and weight decay 0.5. Its input is the three tokens `[a, b, =]` (`=` is token 53), and it
# predicts $c = (a+b) \bmod 53$ from its logits at the last position, over the 53 residues. The
# package ships its parameters at each checkpoint step and its training history (train and test
# loss and accuracy, logged every 10 steps).

# %%
import math

import torch
from einops import einsum
from jaxtyping import Bool, Float, Int
from torch import Tensor
from transformer_lens import HookedTransformer

import arena_check
from arena_check.kit.models import grokking


# %% [markdown]
# ## Part 1 · The task and the grokking delay
#
# ### Exercise 1 · `make_dataset`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Build every input `[a, b, =]` and its label $(a + b) \bmod p$, in a fixed order.
#
# Every analysis on this page runs the model on **all** $p^2$ pairs at once and reshapes results
# into $p \times p$ tables indexed by $(a, b)$, so the order matters: row $a p + b$ holds the pair
# $(a, b)$, the same order as `grokking.all_inputs()` (which you should not call here).
#
# <details><summary>Hint</summary>
#
# `torch.arange(p).repeat_interleave(p)` gives $a$ for every row, `torch.arange(p).repeat(p)` gives
# $b$. The `=` token is `p`, one past the last residue.
#
# </details>

# %%
def make_dataset(p: int) -> tuple[Int[Tensor, "pairs 3"], Int[Tensor, " pairs"]]:
    """(tokens, labels) for every pair (a, b) in 0..p-1, row a * p + b; int64.

    tokens[a * p + b] = [a, b, p] (token p is "="); labels[a * p + b] = (a + b) mod p.
    """
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    tokens = torch.stack([a, b, torch.full_like(a, p)], dim=1)
    return tokens, (a + b) % p


# %%
arena_check.check("1.8", "make_dataset", make_dataset)


# %% [markdown]
# ### Exercise 2 · `last_token_loss`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# The cross-entropy of the prediction at the last position, averaged over the batch, computed in
# float64.
#
# Only the last position (`=`) predicts anything. Float64 matters here: after memorisation the
# training loss goes down to $10^{-7}$ and below, where float32's `log_softmax` rounds every
# correct log-probability to exactly 0 and the loss curve would end in a cliff of zeros.
#
# <details><summary>Hint</summary>
#
# `logits[:, -1].double().log_softmax(-1)`, then pick each row's label with `gather` (or index
# with `torch.arange(batch), labels`), negate and average.
#
# </details>

# %%
def last_token_loss(
    logits: Float[Tensor, "batch pos d_vocab_out"], labels: Int[Tensor, " batch"]
) -> Float[Tensor, ""]:
    """Mean over the batch of -log softmax(logits[:, -1])[label], as a float64 scalar tensor.

    Only the last position is scored. Convert to float64 BEFORE the softmax.
    """
    logp = logits[:, -1].double().log_softmax(dim=-1)
    return -logp.gather(-1, labels[:, None]).mean()


# %%
arena_check.check("1.8", "last_token_loss", last_token_loss)


# %% [markdown]
# ### Exercise 3 · `train_test_accuracy`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Accuracy of the predictions on the training pairs and on the held-out pairs, separately.
#
# <details><summary>Hint</summary>
#
# `correct = logits.argmax(-1) == labels`, then `correct[train_mask]` and `correct[~train_mask]`.
#
# </details>

# %%
def train_test_accuracy(
    logits: Float[Tensor, "pairs d_vocab_out"], labels: Int[Tensor, " pairs"], train_mask: Bool[Tensor, " pairs"]
) -> tuple[float, float]:
    """(train accuracy, test accuracy) as Python floats in [0, 1].

    logits are the last-position logits, one row per pair; a prediction is the argmax of its row.
    Train rows are those where train_mask is True, test rows the others.
    """
    correct = (logits.argmax(dim=-1) == labels).float()
    return float(correct[train_mask].mean()), float(correct[~train_mask].mean())


# %%
arena_check.check("1.8", "train_test_accuracy", train_test_accuracy)


# %% [markdown]
# Re-measure the final checkpoint on all $53^2$ pairs and compare with what the training script
# recorded:

# %% [markdown]
# ### Exercise 4 · `first_step_reaching`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The first logged step at which a metric reaches a threshold, or `None` if it never does.
#
# This is how the delay is measured: the step where training accuracy first reaches 100 %, the
# step where test accuracy first reaches 99 %, and their difference.
#
# <details><summary>Hint</summary>
#
# `(values >= threshold).nonzero()` lists the indices that qualify; the answer is the **step** at
# the first one, not the index.
#
# </details>

# %%
def first_step_reaching(steps: Int[Tensor, " n"], values: Float[Tensor, " n"], threshold: float) -> int | None:
    """steps[i] for the smallest i with values[i] >= threshold, as a Python int; None if none.

    steps is increasing (the logged training steps); values[i] was measured at steps[i].
    """
    hits = (values >= threshold).nonzero()
    return int(steps[hits[0, 0]]) if len(hits) else None


# %%
arena_check.check("1.8", "first_step_reaching", first_step_reaching)


# %% [markdown]
# Now the whole run. The lines are the training script's log (every 10 steps); the dots are
# re-measured here from the shipped checkpoints, one forward pass over all pairs each
# (about 2 s in all).

# %% [markdown]
# ## Part 2 · The Fourier basis
#
# A function $f$ on $\mathbb{Z}_p = \{0, \dots, p-1\}$ is a vector of $p$ numbers. The
# **Fourier basis** rewrites it as a sum of waves that wrap around exactly once, twice, …
# per period: a constant, and for each frequency $k = 1, \dots, (p-1)/2$ (with $w_k = 2\pi k/p$)
# a cosine $\cos(w_k x)$ and a sine $\sin(w_k x)$. That is $1 + 2 \cdot (p-1)/2 = p$ functions for
# odd $p$, and they are orthogonal. Normalised to unit length they form an orthonormal basis, so
# projecting onto them is a rotation: lengths and inner products are preserved, and "the share of
# a vector's squared norm in frequency $k$" means something.
#
# Why waves? Addition mod $p$ is rotation: shifting $x$ by $a$ turns $\cos(w x)$ into
# $\cos(w(x+a))$, a mix of the same frequency's cosine and sine. A network that stores $a$ as the
# angle $w_k a$ can add by composing rotations.
#
# This page orders the basis as: row 0 the constant, row $2k-1$ the cosine of frequency $k$, row
# $2k$ its sine.
#
# ### Exercise 5 · `fourier_basis`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Build the $p \times p$ orthonormal Fourier basis, one basis vector per row, in the order above.
#
# <details><summary>Hint 1</summary>
#
# Row 0 is constant; to have unit length its entries are $1/\sqrt{p}$.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# $\sum_{x=0}^{p-1} \cos^2(w_k x) = p/2$ for $1 \le k \le (p-1)/2$, so the cosine and sine rows
# are scaled by $\sqrt{2/p}$. Check your result: `basis @ basis.T` should be the identity.
#
# </details>

# %%
def fourier_basis(p: int) -> Float[Tensor, "p p"]:
    """Orthonormal Fourier basis over Z_p for odd p, float32, one basis vector per ROW.

    Row 0: the constant 1 / sqrt(p). For k = 1 .. (p - 1) // 2, with w_k = 2 pi k / p:
    row 2k - 1 is cos(w_k x) and row 2k is sin(w_k x) (x = 0 .. p-1, the columns), each scaled
    to unit norm. basis @ basis.T is the identity.
    """
    x = torch.arange(p, dtype=torch.float64)
    rows = [torch.ones(p, dtype=torch.float64)]
    for k in range(1, (p - 1) // 2 + 1):
        rows += [torch.cos(2 * math.pi * k * x / p), torch.sin(2 * math.pi * k * x / p)]
    basis = torch.stack(rows)
    return (basis / basis.norm(dim=1, keepdim=True)).float()


# %%
arena_check.check("1.8", "fourier_basis", fourier_basis)


# %% [markdown]
# ### Exercise 6 · `fourier_component_norms`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Project a matrix whose rows are indexed by $x \in \mathbb{Z}_p$ (such as the embedding $W_E$,
# one row per token) onto the Fourier basis, and return the norm of each Fourier component.
#
# Entry $i$ of the result says how much of the matrix lies along basis function $i$. For a
# generic matrix the norms are spread over all $p$ components; a model that computes with a few
# frequencies concentrates them.
#
# <details><summary>Hint</summary>
#
# The coefficients are `basis @ W` (`[p, d]`: row $i$ is the component along basis vector $i$);
# take the norm of each row.
#
# </details>

# %%
def fourier_component_norms(W: Float[Tensor, "p d"], basis: Float[Tensor, "p p"]) -> Float[Tensor, " p"]:
    """norms[i] = Euclidean norm of (basis @ W)[i]: how much of W lies along basis vector i.

    Row x of W belongs to the residue x (so pass W_E[:p], without the "=" token). Because the
    basis is orthonormal, sum(norms ** 2) equals the squared Frobenius norm of W.
    """
    return (basis @ W).norm(dim=-1)


# %%
arena_check.check("1.8", "fourier_component_norms", fourier_component_norms)


# %% [markdown]
# ### Exercise 7 · `key_frequencies`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Combine each frequency's cosine and sine norms into one number and return the frequencies that
# stand out.
#
# A cosine and a sine of the same frequency are one circle seen along two axes (a phase shift
# moves weight from one to the other), so a frequency's strength is
# $\sqrt{n_{2k-1}^2 + n_{2k}^2}$.
#
# <details><summary>Hint</summary>
#
# `norms[1::2]` are the cosines of $k = 1, 2, \dots$ and `norms[2::2]` the sines. Frequency $k$
# sits at index $k - 1$ of those slices: add 1 when you return frequencies.
#
# </details>

# %%
def key_frequencies(norms: Float[Tensor, " p"], rel_threshold: float = 0.3) -> list[int]:
    """Frequencies k in 1 .. (p-1)//2 whose strength sqrt(norms[2k-1]**2 + norms[2k]**2) is
    >= rel_threshold times the largest strength, increasing, as Python ints.

    norms is in the basis order of fourier_basis (norms[0], the constant, is ignored).
    """
    strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
    keep = (strength >= rel_threshold * strength.max()).nonzero().flatten()
    return [int(i) + 1 for i in keep]


# %%
arena_check.check("1.8", "key_frequencies", key_frequencies)


# %% [markdown]
# ### Two-dimensional Fourier transforms
#
# Activations deeper in the model depend on both inputs, so they are $p \times p$ tables
# $T[a, b]$ (per neuron or per head). The 2-D Fourier basis is the products $B_i(a) B_j(b)$ of one
# basis function of $a$ and one of $b$; it is orthonormal too, and $T$'s coefficients are
# $\hat T = B\, T\, B^\top$. Coefficient $(i, j)$ with $i = 0$ or $j = 0$ is a function of one
# input alone; $(2k-1, 2k-1)$, for instance, is $\cos(w_k a) \cos(w_k b)$ — a product term that
# the identity $\cos(w(a+b)) = \cos wa \cos wb - \sin wa \sin wb$ needs.
#
# ### Exercise 8 · `fourier_2d`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Transform a stack of $p \times p$ tables (any number of trailing axes) into the 2-D Fourier
# basis.
#
# <details><summary>Hint</summary>
#
# One einsum: `einsum(basis, basis, table, "i a, j b, a b ... -> i j ...")`. Both axes use the rows
# of the basis as the basis functions.
#
# </details>

# %%
def fourier_2d(table: Float[Tensor, "p p *rest"], basis: Float[Tensor, "p p"]) -> Float[Tensor, "p p *rest"]:
    """out[i, j, ...] = sum over a, b of basis[i, a] * basis[j, b] * table[a, b, ...].

    Axis 0 of table is a, axis 1 is b; any trailing axes (neurons, heads) are kept as they are.
    """
    return einsum(basis, basis, table, "i a, j b, a b ... -> i j ...")


# %%
arena_check.check("1.8", "fourier_2d", fourier_2d)


# %% [markdown]
# ### Exercise 9 · `mlp_activation_table`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Run a model on every pair and return each MLP neuron's activation (after the ReLU) at the last
# position, as a $p \times p$ table per neuron.
#
# <details><summary>Hint 1</summary>
#
# `model.run_with_cache(tokens, names_filter="blocks.0.mlp.hook_post")`, with tokens from
# `make_dataset(p)`. The cached tensor is `[pairs, pos, d_mlp]`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Keep position `-1` (the `=` token), then `.reshape(p, p, -1)`: row $a p + b$ becomes entry
# $[a, b]$.
#
# </details>

# %%
def mlp_activation_table(model: HookedTransformer, p: int) -> Float[Tensor, "p p d_mlp"]:
    """table[a, b, n] = neuron n's post-ReLU activation (hook blocks.0.mlp.hook_post) at the
    last position of the input [a, b, p]. Does not change the model."""
    tokens, _ = make_dataset(p)
    _, cache = model.run_with_cache(tokens, names_filter="blocks.0.mlp.hook_post")
    return cache["blocks.0.mlp.hook_post"][:, -1].reshape(p, p, -1)


# %%
arena_check.check("1.8", "mlp_activation_table", mlp_activation_table)


# %% [markdown]
# ## Part 3 · The logits are a sum of cosines
#
# If the MLP has computed $\cos(w_k(a+b))$ and $\sin(w_k(a+b))$, the unembedding can combine them
# with $\cos(w_k c)$ and $\sin(w_k c)$ into
#
# $$\text{logit}(c \mid a, b) \approx \sum_{k \in \text{key}} \alpha_k \cos\big(w_k (a + b - c)\big),$$
#
# which is maximal at $c = (a + b) \bmod p$ for every $k$ at once and lower elsewhere — the
# frequencies agree only at the right answer. Test it: fit the $\alpha_k$ by least squares and ask
# how much of the logits' variance the fit explains.
#
# ### Exercise 10 · `cos_features`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The regressors $\cos(w_k(a + b - c))$, one per frequency, for every pair and every output $c$.
#
# <details><summary>Hint</summary>
#
# Build $a$, $b$ per row as in `make_dataset`, broadcast `(a + b)[:, None, None] - c[None, :, None]`
# against `w[None, None, :]` with `w = 2 pi k / p`.
#
# </details>

# %%
def cos_features(p: int, freqs: list[int]) -> Float[Tensor, "pairs p n_freqs"]:
    """features[a * p + b, c, i] = cos(2 pi freqs[i] (a + b - c) / p), float32."""
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    diff = ((a + b)[:, None] - torch.arange(p)[None, :]).double()
    w = 2 * math.pi * torch.tensor(freqs, dtype=torch.float64) / p
    return torch.cos(diff[:, :, None] * w).float()


# %%
arena_check.check("1.8", "cos_features", cos_features)


# %% [markdown]
# ### Exercise 11 · `fit_cos_logits`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# Fit the logits as a weighted sum of the `cos_features`, by least squares, and return the
# weights and the fitted logits.
#
# <details><summary>Hint 1</summary>
#
# Flatten the features to `[pairs * p, n_freqs]` and the logits to `[pairs * p, 1]`;
# `torch.linalg.lstsq(X, y).solution` gives the weights.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Do not add an intercept: the softmax ignores a constant added to every logit of a row, and
# every feature already sums to 0 over $c$, so an intercept would not change the weights.
#
# </details>

# %%
def fit_cos_logits(
    logits: Float[Tensor, "pairs p"], freqs: list[int]
) -> tuple[Float[Tensor, " n_freqs"], Float[Tensor, "pairs p"]]:
    """(alpha, fitted): least-squares weights alpha minimising
    sum over pairs and c of (logits - sum_i alpha_i * cos_features(p, freqs)[..., i]) ** 2,
    and fitted = that weighted sum. p is logits.shape[1]. float32 results."""
    p = logits.shape[1]
    X = cos_features(p, freqs).double().reshape(-1, len(freqs))
    alpha = torch.linalg.lstsq(X, logits.double().reshape(-1, 1)).solution.flatten()
    return alpha.float(), (X @ alpha).reshape(p * p, p).float()


# %%
arena_check.check("1.8", "fit_cos_logits", fit_cos_logits)


# %% [markdown]
# ### Exercise 12 · `fraction_variance_explained`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# How much of a target's variance a fit explains: $1 - \sum (y - \hat y)^2 / \sum (y - \bar y)^2$,
# sums over every entry.
#
# <details><summary>Hint</summary>
#
# $\bar y$ is the mean of all the target's entries (one number), not of the fit.
#
# </details>

# %%
def fraction_variance_explained(target: Float[Tensor, "..."], fit: Float[Tensor, "..."]) -> float:
    """1 - sum((target - fit) ** 2) / sum((target - target.mean()) ** 2), over all entries,
    as a Python float (1 for a perfect fit, 0 for the best constant)."""
    residual = (target - fit).pow(2).sum()
    return float(1 - residual / (target - target.mean()).pow(2).sum())


# %%
arena_check.check("1.8", "fraction_variance_explained", fraction_variance_explained)


# %% [markdown]
# ## Part 4 · Progress measures
#
# Knowing the mechanism, you can ask at every checkpoint how much of the model's behaviour it
# explains. Nanda et al. used two measures, both on the logits as functions of $(a, b)$ for each
# output $c$:
#
# - **restricted loss**: keep only the logits' components along $\cos(w_k(a+b))$ and
#   $\sin(w_k(a+b))$ for the key frequencies (plus the constant, a per-$c$ bias), and measure the
#   loss on all pairs. It is low only once the trigonometric circuit alone does the task.
# - **excluded loss**: remove exactly those components and measure the loss on the
#   *training* pairs. While the model memorises, removing them costs nothing; as the circuit takes
#   over, the training pairs come to rely on it and the excluded loss rises.
#
# For a fixed $c$, the functions $\cos(w_k(a+b))$ and $\sin(w_k(a+b))$ over the $p^2$ pairs are
# orthogonal to each other and to the constant, each with squared norm $p^2/2$, so the component is
# an orthogonal projection.
#
# ### Exercise 13 · `sum_frequency_component`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# The part of the logits that lies in the span of $\cos(w_k(a+b))$ and $\sin(w_k(a+b))$ for the
# given frequencies, for each output $c$ separately.
#
# <details><summary>Hint 1</summary>
#
# Stack the $2 \times$ `len(freqs)` directions as columns of a `[pairs, 2F]` matrix $U$ and
# normalise each column to unit length. The projection is $U (U^\top L)$ for the `[pairs, p]`
# logits $L$.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# $a + b$ per row comes from `make_dataset`-style indexing; the directions depend on $a + b$ only,
# not on $c$ — the projection works column by column.
#
# </details>

# %%
def sum_frequency_component(logits: Float[Tensor, "pairs p"], freqs: list[int]) -> Float[Tensor, "pairs p"]:
    """Orthogonal projection of each column logits[:, c] (a function of the pair (a, b), row
    a * p + b) onto the span of cos(w_k (a + b)) and sin(w_k (a + b)), w_k = 2 pi k / p, for k in
    freqs (distinct, 1 <= k <= (p - 1) // 2). p is logits.shape[1]. float32."""
    p = logits.shape[1]
    s = (torch.arange(p).repeat_interleave(p) + torch.arange(p).repeat(p)).double()
    cols = []
    for k in freqs:
        cols += [torch.cos(2 * math.pi * k * s / p), torch.sin(2 * math.pi * k * s / p)]
    U = torch.stack(cols, dim=1)
    U = U / U.norm(dim=0, keepdim=True)
    return (U @ (U.T @ logits.double())).float()


# %%
arena_check.check("1.8", "sum_frequency_component", sum_frequency_component)


# %% [markdown]
# ### Exercise 14 · `restricted_loss`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The loss on all pairs of the logits restricted to the key frequencies and the constant.
#
# <details><summary>Hint</summary>
#
# The constant component of column $c$ is its mean over the pairs: `logits.mean(dim=0)`. Add the
# `sum_frequency_component`, then reuse `last_token_loss` (it wants a position axis:
# `restricted[:, None]`).
#
# </details>

# %%
def restricted_loss(logits: Float[Tensor, "pairs p"], labels: Int[Tensor, " pairs"], freqs: list[int]) -> float:
    """Mean cross-entropy (float64, as last_token_loss) over ALL pairs of the restricted logits
    logits.mean(dim=0) + sum_frequency_component(logits, freqs), as a Python float."""
    restricted = logits.mean(dim=0) + sum_frequency_component(logits, freqs)
    return float(last_token_loss(restricted[:, None], labels))


# %%
arena_check.check("1.8", "restricted_loss", restricted_loss)


# %% [markdown]
# ### Exercise 15 · `excluded_loss`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The loss on the training pairs of the logits with the key frequencies' components removed.
#
# <details><summary>Hint</summary>
#
# Subtract `sum_frequency_component(logits, freqs)` from the logits (the constant stays), keep the
# rows where `train_mask` is True, and score them with `last_token_loss`.
#
# </details>

# %%
def excluded_loss(
    logits: Float[Tensor, "pairs p"], labels: Int[Tensor, " pairs"], train_mask: Bool[Tensor, " pairs"],
    freqs: list[int],
) -> float:
    """Mean cross-entropy (float64) over the TRAINING pairs only of
    logits - sum_frequency_component(logits, freqs), as a Python float."""
    excluded = logits - sum_frequency_component(logits, freqs)
    return float(last_token_loss(excluded[train_mask][:, None], labels[train_mask]))


# %%
arena_check.check("1.8", "excluded_loss", excluded_loss)

# %% [markdown]
# Now compute both over all checkpoints, with the final model's key frequencies (about 2 s),
# next to the train and test loss re-measured in Part 1 and the total squared norm of the
# parameters, which weight decay pulls down:

# %% [markdown]
# ## Summary
#
# - A one-layer transformer trained on $(a + b) \bmod 53$ with a 40 % training split and weight
#   decay memorises by step {glue:text}`step_train` and reaches 99 % test accuracy only at step
#   {glue:text}`step_test`; the delay is measured from the shipped training history and
#   re-measured from its checkpoints.
# - In the orthonormal Fourier basis over $\mathbb{Z}_p$, the embedding uses a handful of key
#   frequencies, the MLP neurons cluster by frequency and respond to $a + b$, and the logits are a
#   weighted sum of $\cos(w_k(a + b - c))$ with one weight per key frequency.
# - Progress measures built from that mechanism — restricted and excluded loss — move during the
#   plateau, long before the test loss does (restricted loss below 0.1 at step
#   {glue:text}`restricted_cross`, test loss at step {glue:text}`test_cross`): the circuit forms
#   gradually, and "sudden" generalisation is the memorised solution being removed.
#
# ## Further reading
#
# - Power et al., [Grokking: Generalization Beyond Overfitting on Small Algorithmic
#   Datasets](https://arxiv.org/abs/2201.02177) (2022) — the phenomenon, on modular arithmetic and
#   permutation groups, and the role of weight decay and the training fraction.
# - Nanda, Chan, Lieberum, Smith and Steinhardt, [Progress measures for grokking via mechanistic
#   interpretability](https://arxiv.org/abs/2301.05217) (2023) — the Fourier-multiplication
#   algorithm, the key frequencies, restricted and excluded loss, and the three phases, on a
#   $p = 113$ one-layer model; this page follows its analysis at a CPU-friendly size.
# - Liu, Kitouni, Nolte, Michaud, Tegmark and Williams, [Towards Understanding Grokking: An
#   Effective Theory of Representation Learning](https://arxiv.org/abs/2205.10343) (2022), and
#   Liu, Michaud and Tegmark, [Omnigrok: Grokking Beyond Algorithmic
#   Data](https://arxiv.org/abs/2210.01117) (2022) — grokking as a race between representation
#   learning and memorisation, and as a consequence of the weight norm at initialisation versus
#   the norm of a generalising solution.
# - Zhong, Liu, Tegmark and Andreas, [The Clock and the Pizza: Two Stories in Mechanistic
#   Explanation of Neural Networks](https://arxiv.org/abs/2306.17844) (2023) — small changes to the
#   architecture (attention versus constant attention) give a different modular-addition algorithm
#   with the same embeddings: a Fourier-looking embedding alone does not prove the "clock"
#   mechanism.
