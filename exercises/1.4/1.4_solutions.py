# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.4_superposition_and_saes.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 1.4 Superposition and sparse autoencoders
#
# Section 1.2 read a model one component at a time: this head attends to the previous token, that
# one copies. Neurons are much harder to read that way. A single MLP neuron in a language model
# often fires on several unrelated things — French text, base64, the word "however" — and is then
# called a polysemantic neuron. One explanation is **superposition**: a model that
# needs to represent more features than it has dimensions can still do so, by giving each feature
# a direction and letting the directions overlap, as long as the features are rarely active at the
# same time. The interference between overlapping directions is then a small price.
#
# Elhage et al. (2022) showed this happening in models small enough to look at completely. This
# section rebuilds their **toy models of superposition**, sweeps the two quantities that decide
# whether superposition happens — how *sparse* the features are and how *important* each is — and
# measures the geometry that results. Then it turns the question around: given a model's
# activations, can we find the feature directions? A **sparse autoencoder** (SAE) — an
# overcomplete dictionary trained to reconstruct activations from a few active latents (Bricken et
# al. 2023; Cunningham et al. 2023) — is the field's main tool for that, and you will write one and
# check that it recovers the toy model's features.
#
# **You will be able to**
#
# - build and train the toy model $x' = \mathrm{ReLU}(W^\top W x + b)$ on sparse synthetic
#   features, with an importance-weighted loss;
# - explain from plots when features get dedicated dimensions, when they are dropped, and when they
#   are packed into superposition, and draw the sparsity–importance phase diagram;
# - measure superposition with interference, dimensions per feature and per-feature dimensionality;
# - write a sparse autoencoder — encoder with pre-encoder bias, decoder with unit-norm rows, L1
#   sparsity penalty — and its training tricks: the gradient projection that keeps decoder rows on
#   the sphere, dead latent detection and resampling;
# - score an SAE by how well its decoder directions match known features (maximum cosine
#   similarity), and by reconstruction error and L0;
# - evaluate an SAE on a real model's residual stream — variance explained, L0, dead latents, the
#   loss increase when it is spliced in — and read its latents from their max-activating examples.
#
# **Prerequisites.** Section 1.2 (what a direction in activation space is, reading weights).
# Section 0.0's einsum and broadcasting. The optimisation loop of chapter 0.
#
# **Time.** About 3 hours: 15 exercises, most of them a few lines, and a last part that reads a
# real SAE.
#
# ## Setup
#
# Everything on this page is synthetic and small: the "models" are single matrices, so every
# number here is computed in seconds on one CPU thread. The export cell holds two plain training
# loops, `train_toy_model` and `train_sae`. They are not exercises — they only call the functions
# you write below, in the order a training step needs them — so read them once you have written
# those functions.

# %%
from collections.abc import Callable

import torch
from einops import einsum
from jaxtyping import Bool, Float
from torch import Tensor

import arena_check


def train_toy_model(
    n_instances: int, n_features: int, d_hidden: int,
    feature_probability: Float[Tensor, " instances"], importance: Float[Tensor, "instances features"],
    steps: int = 800, batch: int = 256, lr: float = 1e-2, seed: int = 0,
) -> tuple[Float[Tensor, "instances d_hidden features"], Float[Tensor, "instances features"]]:
    """Train `n_instances` independent toy models at once (one per sparsity/importance setting).

    Adam on the importance-weighted loss of fresh synthetic batches; Xavier-normal W, zero b.
    Returns the trained (W, b), detached. Uses generate_batch, toy_forward and
    importance_weighted_loss from the exercises.
    """
    gen = torch.Generator().manual_seed(seed)
    W = torch.empty(n_instances, d_hidden, n_features)
    for i in range(n_instances):
        torch.nn.init.xavier_normal_(W[i], generator=gen)
    W.requires_grad_(True)
    b = torch.zeros(n_instances, n_features, requires_grad=True)
    opt = torch.optim.Adam([W, b], lr=lr)
    for _ in range(steps):
        x = generate_batch(batch, n_features, feature_probability, generator=gen)
        loss = importance_weighted_loss(x, toy_forward(W, b, x), importance).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return W.detach(), b.detach()


def train_sae(
    sample: Callable[[int, torch.Generator], Float[Tensor, "batch d_in"]], d_in: int, d_sae: int,
    steps: int = 1500, batch: int = 256, lr: float = 1e-2, l1_coeff: float = 0.05,
    resample_every: int = 250, seed: int = 0,
) -> dict[str, Tensor]:
    """Train a sparse autoencoder on batches drawn by `sample(batch, generator)`.

    Each step: encode, decode, loss, backward, remove the gradient component parallel to each
    decoder row, Adam step, renormalise the decoder rows. Every `resample_every` steps (in the
    first 80 % of training) latents that never fired since the last check are resampled onto
    badly reconstructed inputs. Returns the parameters, detached.
    """
    gen = torch.Generator().manual_seed(seed)
    W_dec = normalize_decoder(torch.randn(d_sae, d_in, generator=gen))
    params = {"W_enc": W_dec.T.clone(), "b_enc": torch.zeros(d_sae), "W_dec": W_dec,
              "b_dec": torch.zeros(d_in)}
    for p in params.values():
        p.requires_grad_(True)
    opt = torch.optim.Adam(params.values(), lr=lr)
    fired = torch.zeros(d_sae, dtype=torch.bool)
    for step in range(1, steps + 1):
        x = sample(batch, gen)
        acts = sae_encode(x, params["W_enc"], params["b_enc"], params["b_dec"])
        loss = sae_loss(x, acts, sae_decode(acts, params["W_dec"], params["b_dec"]), l1_coeff)
        opt.zero_grad()
        loss.backward()
        with torch.no_grad():
            params["W_dec"].grad = remove_parallel_grad(params["W_dec"], params["W_dec"].grad)
        opt.step()
        with torch.no_grad():
            params["W_dec"].copy_(normalize_decoder(params["W_dec"]))
            fired |= ~dead_latents(acts)
            if step % resample_every == 0 and step < 0.8 * steps:
                if not fired.all():
                    x = sample(4 * batch, gen)
                    acts = sae_encode(x, params["W_enc"], params["b_enc"], params["b_dec"])
                    losses = (sae_decode(acts, params["W_dec"], params["b_dec"]) - x).pow(2).sum(-1)
                    new = resample_dead_latents(params["W_enc"], params["b_enc"], params["W_dec"],
                                                params["b_dec"], ~fired, x, losses)
                    for name, value in zip(["W_enc", "b_enc", "W_dec"], new):
                        params[name].copy_(value)
                fired.zero_()
    return {name: p.detach() for name, p in params.items()}


# %% [markdown]
# ## Part 1 · The toy model
#
# The data are $n$ synthetic **features**. In each example, feature $i$ is *on* with probability
# $p$ — the *feature probability*; Elhage et al. call $S = 1 - p$ the *sparsity* — and then takes a
# value uniform in $[0, 1)$; otherwise it is exactly zero. The model squeezes the $n$ features into
# $m < n$ hidden dimensions with a matrix $W \in \mathbb{R}^{m \times n}$ and reconstructs them with
# the same matrix transposed, a bias and a ReLU:
#
# $$h = W x, \qquad x' = \mathrm{ReLU}(W^\top h + b).$$
#
# Column $W_i$ is the direction feature $i$ gets in the hidden space. The loss weights each
# feature's squared error by an **importance** $I_i$, which stands in for "how much the rest of a
# real model cares about this feature":
#
# $$L = \mathbb{E}_x \sum_i I_i (x_i - x'_i)^2 .$$
#
# To compare settings you will train many toy models at once: every tensor carries an `instances`
# axis, one independent model per setting of sparsity or importance.
#
# ### Exercise 1 · `feature_importance`
#
# > difficulty 1/5 · importance 2/5 · 5 min
#
# Make the geometric importance profile $I_i = \text{decay}^i$.
#
# Elhage et al. give feature 0 importance 1 and each next feature a fixed fraction of the one
# before, so that the model must choose which features to keep when it cannot keep them all.
#
# <details><summary>Hint</summary>
#
# `decay ** torch.arange(n_features)` — and make sure the result is float32.
#
# </details>

# %%
def feature_importance(n_features: int, decay: float = 0.9) -> Float[Tensor, " features"]:
    """I[i] = decay ** i for i = 0 … n_features - 1 (so I[0] = 1), float32."""
    return decay ** torch.arange(n_features, dtype=torch.float32)


# %%
arena_check.check("1.4", "feature_importance", feature_importance)


# %% [markdown]
# ### Exercise 2 · `generate_batch`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Draw a batch of sparse features: each one on with its instance's probability, uniform when on.
#
# Sparsity is the whole story of this section, so get its direction right: `feature_probability`
# is the probability that a feature is **on** (non-zero), not off.
#
# <details><summary>Hint 1</summary>
#
# Draw two tensors of the output's shape with `torch.rand(shape, generator=generator)`: the
# values, and a second one compared with the probability to decide which entries are on.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The probability has one entry per instance; it must broadcast along the batch and feature axes:
# `feature_probability[:, None]` against a `[batch, instances, features]` tensor.
#
# </details>

# %%
def generate_batch(
    n_batch: int, n_features: int, feature_probability: Float[Tensor, " instances"],
    generator: torch.Generator | None = None,
) -> Float[Tensor, "batch instances features"]:
    """Sparse synthetic features, float32, shape [n_batch, instances, n_features].

    Each entry is independently ON with probability feature_probability[instance] (a
    probability of being on, so 1.0 means dense) and then uniform in [0, 1); otherwise it
    is exactly 0. Draw all randomness from `generator` (the global RNG if None), so that
    the same generator state gives the same batch.
    """
    shape = (n_batch, feature_probability.shape[0], n_features)
    values = torch.rand(shape, generator=generator)
    on = torch.rand(shape, generator=generator) < feature_probability[:, None]
    return values * on


# %%
arena_check.check("1.4", "generate_batch", generate_batch)


# %% [markdown]
# ### Exercise 3 · `toy_forward`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Compute $\mathrm{ReLU}(W^\top W x + b)$ for every instance at once.
#
# <details><summary>Hint 1</summary>
#
# Two einsums: `h = einsum(W, x, "inst hid feat, batch inst feat -> batch inst hid")`, then back
# to features with the same `W`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The bias goes *inside* the ReLU. Without the ReLU the model is linear, and a linear model can do
# no better than keep its $m$ most important features (principal components): no superposition.
#
# </details>

# %%
def toy_forward(
    W: Float[Tensor, "instances d_hidden features"], b: Float[Tensor, "instances features"],
    x: Float[Tensor, "batch instances features"],
) -> Float[Tensor, "batch instances features"]:
    """x' = ReLU(W^T W x + b), separately for each instance.

    h[batch, i] = W[i] @ x[batch, i] (shape d_hidden); x'[batch, i] = ReLU(W[i].T @ h + b[i]).
    """
    h = einsum(W, x, "inst hid feat, batch inst feat -> batch inst hid")
    out = einsum(W, h, "inst hid feat, batch inst hid -> batch inst feat")
    return torch.relu(out + b)


# %%
arena_check.check("1.4", "toy_forward", toy_forward)


# %% [markdown]
# ### Exercise 4 · `importance_weighted_loss`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# The loss of each instance: importance-weighted squared error, summed over features and averaged
# over the batch.
#
# <details><summary>Hint</summary>
#
# `(importance * (x - x_hat) ** 2)` broadcasts `[instances, features]` against
# `[batch, instances, features]`; then sum the last axis and average the first.
#
# </details>

# %%
def importance_weighted_loss(
    x: Float[Tensor, "batch instances features"], x_hat: Float[Tensor, "batch instances features"],
    importance: Float[Tensor, "instances features"],
) -> Float[Tensor, " instances"]:
    """L[i] = mean over the batch of sum_f importance[i, f] * (x - x_hat)[:, i, f] ** 2.

    One loss per instance (train on their sum: the instances share no parameters). The
    importance multiplies the squared error; it is not squared itself.
    """
    return (importance * (x - x_hat) ** 2).sum(dim=-1).mean(dim=0)


# %%
arena_check.check("1.4", "importance_weighted_loss", importance_weighted_loss)


# %% [markdown]
# Now train five toy models with 5 features in 2 hidden dimensions, all features equally
# important, at five feature probabilities from dense ($p = 1$) to sparse ($p = 0.02$), and draw
# each model's five columns $W_i$ as arrows in its 2-dimensional hidden space. (Training takes
# about 5 s on a quiet machine.)

# %% [markdown]
# ## Part 2 · Measuring superposition
#
# Pictures stop working past two or three dimensions, so Elhage et al. measure superposition with
# a few numbers computed from $W$ alone. Write $\hat W_i = W_i / \lVert W_i \rVert$ for the unit
# direction of feature $i$.
#
# ### Exercise 5 · `superposition_interference`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# For each feature, how much the *other* features' directions project onto its own:
# $\sum_{j \ne i} (\hat W_i \cdot W_j)^2$.
#
# Zero means feature $i$ has a dimension to itself; a large value means it shares.
#
# <details><summary>Hint 1</summary>
#
# The matrix of dot products $\hat W_i \cdot W_j$ is `einsum(W_hat, W, "inst hid i, inst hid j -> inst i j")`.
# Square it, sum over $j$, then take away the $j = i$ term (the diagonal).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# A column of zeros (a feature the model dropped) has no direction; clamp the norm below at
# `1e-8` before dividing, so its row of dot products is 0 rather than NaN.
#
# </details>

# %%
def superposition_interference(
    W: Float[Tensor, "instances d_hidden features"],
) -> Float[Tensor, "instances features"]:
    """sum over j != i of (W_hat_i . W_j) ** 2, where W_hat_i = W_i / max(|W_i|, 1e-8).

    W_i is column i of W[instance]. A zero column scores 0 (not NaN).
    """
    W_hat = W / W.norm(dim=1, keepdim=True).clamp_min(1e-8)
    dots = einsum(W_hat, W, "inst hid i, inst hid j -> inst i j")
    return dots.pow(2).sum(dim=-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)


# %%
arena_check.check("1.4", "superposition_interference", superposition_interference)


# %% [markdown]
# ### Exercise 6 · `dimensions_per_feature`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# How many hidden dimensions each *learned* feature gets on average: $m / \lVert W \rVert_F^2$.
#
# $\lVert W \rVert_F^2 = \sum_i \lVert W_i \rVert^2$ counts the features the model represents
# (each about unit norm), so this is "dimensions ÷ features stored": 1 with no superposition,
# 2/5 for the pentagon.
#
# <details><summary>Hint</summary>
#
# `W.pow(2).sum(dim=(1, 2))` is the squared Frobenius norm of each instance; `W.shape[1]` is $m$.
#
# </details>

# %%
def dimensions_per_feature(W: Float[Tensor, "instances d_hidden features"]) -> Float[Tensor, " instances"]:
    """d_hidden / ||W[i]||_F^2 for each instance i (d_hidden = W.shape[1])."""
    return W.shape[1] / W.pow(2).sum(dim=(1, 2))


# %%
arena_check.check("1.4", "dimensions_per_feature", dimensions_per_feature)


# %% [markdown]
# ### Exercise 7 · `feature_dimensionality`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# The share of a dimension each feature gets: $D_i = \lVert W_i \rVert^2 / \sum_j (\hat W_i \cdot W_j)^2$.
#
# The sum includes $j = i$, so a feature with a dimension of its own has $D_i = 1$; two features
# sharing one dimension antipodally get $1/2$ each; the pentagon's features get $2/5$.
#
# <details><summary>Hint</summary>
#
# Reuse the matrix of dot products from Exercise 5, now keeping the diagonal. A zero column has
# $0/0$: the docstring asks for 0 there (`torch.where`, or `nan_to_num`).
#
# </details>

# %%
def feature_dimensionality(W: Float[Tensor, "instances d_hidden features"]) -> Float[Tensor, "instances features"]:
    """D_i = |W_i|^2 / sum_j (W_hat_i . W_j)^2, with W_hat_i = W_i / max(|W_i|, 1e-8).

    The sum runs over every j, including i. A zero column (a dropped feature) gets 0.
    """
    norms = W.norm(dim=1)
    W_hat = W / norms[:, None, :].clamp_min(1e-8)
    dots = einsum(W_hat, W, "inst hid i, inst hid j -> inst i j")
    denom = dots.pow(2).sum(dim=-1)
    return torch.where(denom > 0, norms.pow(2) / denom.clamp_min(1e-30), torch.zeros_like(denom))


# %%
arena_check.check("1.4", "feature_dimensionality", feature_dimensionality)


# %% [markdown]
# Now the sweep of Elhage et al.'s first figure: 20 features in 5 dimensions, importance falling
# as $0.7^i$, at six feature probabilities. For each model, the left panel is $W^\top W$ (which
# features' directions overlap) and the right one the norm of each column, coloured by its
# interference — dark for a dedicated dimension, yellow for a feature in superposition. (About
# 10 s.)

# %% [markdown]
# ### The phase diagram
#
# The simplest case that shows superposition is two features in one dimension. Feature 0 has
# importance 1, feature 1 a *relative importance* $r$; both are on with probability $p$. The model
# can ignore feature 1 (when it matters little), give the one dimension to feature 1 alone (when it
# matters a lot more), or store both, antipodally — $W = (w, -w)$ — in superposition. Train a grid
# of 10 × 10 models at once and colour each by what it chose. (About 10 s.)

# %% [markdown]
# ## Part 3 · Sparse autoencoders
#
# If a model stores features as directions in superposition, its neurons are the wrong basis to
# read. A sparse autoencoder learns a better one. It maps an activation $x \in \mathbb{R}^{d}$ to
# $d_\text{sae} > d$ non-negative **latents**, few of them non-zero, and reconstructs $x$ from them:
#
# $$a = \mathrm{ReLU}\big((x - b_\text{dec}) W_\text{enc} + b_\text{enc}\big), \qquad
# \hat x = a\, W_\text{dec} + b_\text{dec}.$$
#
# Each row of $W_\text{dec}$ is a candidate feature direction. The loss is reconstruction error
# plus an L1 penalty that makes the latents sparse:
# $\lVert x - \hat x \rVert^2 + \lambda \lVert a \rVert_1$. The L1 penalty could be dodged by
# making $a$ tiny and $W_\text{dec}$ huge, so the decoder's rows are kept at unit norm. This is the
# formulation of Bricken et al. (2023); the field's standard library for training and loading SAEs
# on real models is [SAELens](https://github.com/jbloomAus/SAELens) (`sae_lens`). Here you write
# the SAE yourself, which is the point of the exercise; Part 4 then loads the shipped
# SmolLM2 SAE into SAELens's own class and checks that it computes what your functions compute.
#
# Conventions on this page: `W_enc` is `[d_in, d_sae]`, `W_dec` is `[d_sae, d_in]` (one feature
# direction per row), `b_enc` is `[d_sae]`, `b_dec` is `[d_in]`.
#
# ### Exercise 8 · `sae_encode`
#
# > difficulty 1/5 · importance 5/5 · 5 min
#
# The latents: subtract the decoder bias, project, add the encoder bias, ReLU.
#
# Subtracting $b_\text{dec}$ first centres the input on the same point the decoder adds back, so
# the encoder and decoder agree on where the origin is.
#
# <details><summary>Hint</summary>
#
# `torch.relu((x - b_dec) @ W_enc + b_enc)`.
#
# </details>

# %%
def sae_encode(
    x: Float[Tensor, "batch d_in"], W_enc: Float[Tensor, "d_in d_sae"], b_enc: Float[Tensor, " d_sae"],
    b_dec: Float[Tensor, " d_in"],
) -> Float[Tensor, "batch d_sae"]:
    """a = ReLU((x - b_dec) @ W_enc + b_enc): non-negative latents, one row per input."""
    return torch.relu((x - b_dec) @ W_enc + b_enc)


# %%
arena_check.check("1.4", "sae_encode", sae_encode)


# %% [markdown]
# ### Exercise 9 · `sae_decode`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# The reconstruction: a non-negative combination of decoder rows, plus the decoder bias.

# %%
def sae_decode(
    acts: Float[Tensor, "batch d_sae"], W_dec: Float[Tensor, "d_sae d_in"], b_dec: Float[Tensor, " d_in"],
) -> Float[Tensor, "batch d_in"]:
    """x_hat = acts @ W_dec + b_dec."""
    return acts @ W_dec + b_dec


# %%
arena_check.check("1.4", "sae_decode", sae_decode)


# %% [markdown]
# ### Exercise 10 · `sae_loss`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Reconstruction error plus L1 sparsity penalty, averaged over the batch.
#
# The penalty goes on the **latents**, the thing that should be sparse — not on the
# reconstruction, and not on the pre-ReLU values.
#
# <details><summary>Hint</summary>
#
# Sum over the feature axis, then average over the batch, for both terms:
# `(x_hat - x).pow(2).sum(-1).mean()` and `acts.abs().sum(-1).mean()`.
#
# </details>

# %%
def sae_loss(
    x: Float[Tensor, "batch d_in"], acts: Float[Tensor, "batch d_sae"], x_hat: Float[Tensor, "batch d_in"],
    l1_coeff: float,
) -> Float[Tensor, ""]:
    """Scalar: mean over the batch of ( ||x - x_hat||^2 + l1_coeff * ||acts||_1 ).

    Both norms are sums over their feature axis (squared error summed over d_in, absolute
    latents summed over d_sae), then the batch is averaged.
    """
    reconstruction = (x_hat - x).pow(2).sum(dim=-1)
    sparsity = acts.abs().sum(dim=-1)
    return (reconstruction + l1_coeff * sparsity).mean()


# %%
arena_check.check("1.4", "sae_loss", sae_loss)


# %% [markdown]
# ### Exercise 11 · `normalize_decoder`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Scale every decoder row to unit length.
#
# Without it the L1 penalty means nothing: the SAE would shrink its latents and grow its decoder
# rows to reconstruct just as well at a fraction of the penalty.
#
# <details><summary>Hint</summary>
#
# Each **row** is a feature direction, so the norm is over the last axis: `dim=-1, keepdim=True`.
#
# </details>

# %%
def normalize_decoder(W_dec: Float[Tensor, "d_sae d_in"]) -> Float[Tensor, "d_sae d_in"]:
    """W_dec with every row divided by its Euclidean norm (a new tensor; the input is unchanged)."""
    return W_dec / W_dec.norm(dim=-1, keepdim=True)


# %%
arena_check.check("1.4", "normalize_decoder", normalize_decoder)


# %% [markdown]
# ### Exercise 12 · `remove_parallel_grad`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Remove from each decoder row's gradient its component along that row.
#
# Renormalising after every step undoes any change to a row's length, so a gradient component
# along the row is wasted, and it interacts badly with Adam's per-parameter step sizes. Projecting
# it out first keeps the update tangent to the unit sphere (Bricken et al. 2023).
#
# <details><summary>Hint</summary>
#
# For a unit row $w$ and gradient $g$: $g - (g \cdot w)\, w$, row by row:
# `(grad * W_dec).sum(-1, keepdim=True) * W_dec`.
#
# </details>

# %%
def remove_parallel_grad(
    W_dec: Float[Tensor, "d_sae d_in"], grad: Float[Tensor, "d_sae d_in"],
) -> Float[Tensor, "d_sae d_in"]:
    """grad minus, for each row r, its projection on W_dec[r]: g_r - (g_r . w_r) w_r.

    Assumes the rows of W_dec have unit norm (the training loop keeps them so). Returns a
    new tensor; neither input is modified.
    """
    parallel = (grad * W_dec).sum(dim=-1, keepdim=True) * W_dec
    return grad - parallel


# %%
arena_check.check("1.4", "remove_parallel_grad", remove_parallel_grad)


# %% [markdown]
# ### Exercise 13 · `dead_latents`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Which latents never fired on a batch.
#
# A dead latent is one that is zero on every input: it costs parameters and explains
# nothing, and with L1 pushing every latent down, many die early in training.
#
# <details><summary>Hint</summary>
#
# A latent fired on an example if its activation is strictly positive. Dead = fired on no example:
# reduce over the batch axis.
#
# </details>

# %%
def dead_latents(acts: Float[Tensor, "batch d_sae"]) -> Bool[Tensor, " d_sae"]:
    """True for each latent whose activation is <= 0 on every row of the batch (never fired)."""
    return ~(acts > 0).any(dim=0)


# %%
arena_check.check("1.4", "dead_latents", dead_latents)


# %% [markdown]
# ### Exercise 14 · `resample_dead_latents`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# Give each dead latent a new life, pointing at an input the SAE reconstructs badly.
#
# Bricken et al. resample dead latents onto inputs drawn with probability proportional to their
# squared reconstruction loss. The version here is deterministic, so it can be graded exactly: the
# worst-reconstructed inputs go to the dead latents in index order.
#
# <details><summary>Hint 1</summary>
#
# `dead.nonzero().squeeze(-1)` lists the dead latents in increasing order;
# `torch.argsort(losses, descending=True, stable=True)[:n_dead]` the inputs to give them.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Centre the chosen inputs exactly as the encoder does (subtract `b_dec`) before normalising.
# Clone the three tensors first: the inputs must not change. `W_enc[:, idx] = …` sets columns.
#
# </details>

# %%
def resample_dead_latents(
    W_enc: Float[Tensor, "d_in d_sae"], b_enc: Float[Tensor, " d_sae"], W_dec: Float[Tensor, "d_sae d_in"],
    b_dec: Float[Tensor, " d_in"], dead: Bool[Tensor, " d_sae"], x: Float[Tensor, "batch d_in"],
    losses: Float[Tensor, " batch"], enc_scale: float = 0.2,
) -> tuple[Float[Tensor, "d_in d_sae"], Float[Tensor, " d_sae"], Float[Tensor, "d_sae d_in"]]:
    """New (W_enc, b_enc, W_dec) in which only the dead latents have changed.

    The k-th dead latent (in increasing index order) gets the input with the k-th largest
    loss (ties: lower index first). With v = x[that input] - b_dec and u = v / |v|:
    W_dec[latent] = u, W_enc[:, latent] = enc_scale * u, b_enc[latent] = 0. Live latents
    are untouched. Assumes no more dead latents than inputs. Returns new tensors; the
    inputs are not modified.
    """
    W_enc, b_enc, W_dec = W_enc.clone(), b_enc.clone(), W_dec.clone()
    idx = dead.nonzero().squeeze(-1)
    chosen = torch.argsort(losses, descending=True, stable=True)[: len(idx)]
    v = x[chosen] - b_dec
    u = v / v.norm(dim=-1, keepdim=True)
    W_dec[idx] = u
    W_enc[:, idx] = enc_scale * u.T
    b_enc[idx] = 0.0
    return W_enc, b_enc, W_dec


# %%
arena_check.check("1.4", "resample_dead_latents", resample_dead_latents)


# %% [markdown]
# ### Exercise 15 · `max_cosine_sim`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# For each true feature, the cosine similarity of the learned direction that matches it best.
#
# This is how an SAE is scored when the true features are known: a value near 1 for every feature
# means each one has a latent pointing its way.
#
# <details><summary>Hint</summary>
#
# Normalise both sets of rows, take the `[n_true, n_learned]` matrix of dot products, and reduce
# over the *learned* axis.
#
# </details>

# %%
def max_cosine_sim(
    learned: Float[Tensor, "n_learned d"], true: Float[Tensor, "n_true d"],
) -> Float[Tensor, " n_true"]:
    """out[t] = max over learned rows l of cos(true[t], learned[l]). Signed: an antiparallel
    direction scores -1, not 1. Rows are assumed non-zero."""
    learned = learned / learned.norm(dim=-1, keepdim=True)
    true = true / true.norm(dim=-1, keepdim=True)
    return (true @ learned.T).max(dim=-1).values


# %%
arena_check.check("1.4", "max_cosine_sim", max_cosine_sim)

# %% [markdown]
# ### An SAE recovers the toy model's features
#
# Take the pentagon model from Part 1 (5 features in 2 dimensions, $p = 0.05$), and collect its
# hidden activations $h = W x$. An SAE with 10 latents, trained on $h$ alone, has never seen $W$:
# if its decoder rows line up with the five columns of $W$, it has found the features from the
# activations. (About 5 s.)

# %% [markdown]
# ## Part 4 · An SAE on SmolLM2
#
# The same SAE, at scale: {glue:text}`smol_d_sae` latents on SmolLM2-135M's residual stream before
# block {glue:text}`smol_layer` (`blocks.6.hook_resid_pre`, 576 dimensions). It was trained by
# `tools/train_sae_smollm2.py` — with the `train_sae` loop and the functions of this section's
# reference solutions — on activations from the training split of the book's Python-documentation
# corpus, and ships with the book (float16). Its `meta.json` records the recipe. Below it is
# evaluated on held-out text (the corpus's validation split) with four numbers:
#
# - **reconstruction**: the fraction of variance it leaves unexplained (FVU, 0 is perfect);
# - **L0**: active latents per token;
# - **dead latents** on this text;
# - **spliced-in loss**: the model's next-token loss when the residual stream at that layer is
#   replaced by the SAE's reconstruction, against the clean loss and against replacing it with its
#   mean (a floor any useful SAE must beat by far).
#
# (This cell loads SmolLM2 and runs 4 windows of 128 tokens through it three times: 20–50 s, depending on the machine's load.)
