"""GENERATED from book/1_transformer_interp/1.4_superposition_and_saes.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


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


def feature_importance(n_features: int, decay: float = 0.9) -> Float[Tensor, " features"]:
    """I[i] = decay ** i for i = 0 … n_features - 1 (so I[0] = 1), float32."""
    return decay ** torch.arange(n_features, dtype=torch.float32)


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


def importance_weighted_loss(
    x: Float[Tensor, "batch instances features"], x_hat: Float[Tensor, "batch instances features"],
    importance: Float[Tensor, "instances features"],
) -> Float[Tensor, " instances"]:
    """L[i] = mean over the batch of sum_f importance[i, f] * (x - x_hat)[:, i, f] ** 2.

    One loss per instance (train on their sum: the instances share no parameters). The
    importance multiplies the squared error; it is not squared itself.
    """
    return (importance * (x - x_hat) ** 2).sum(dim=-1).mean(dim=0)


def superposition_interference(
    W: Float[Tensor, "instances d_hidden features"],
) -> Float[Tensor, "instances features"]:
    """sum over j != i of (W_hat_i . W_j) ** 2, where W_hat_i = W_i / max(|W_i|, 1e-8).

    W_i is column i of W[instance]. A zero column scores 0 (not NaN).
    """
    W_hat = W / W.norm(dim=1, keepdim=True).clamp_min(1e-8)
    dots = einsum(W_hat, W, "inst hid i, inst hid j -> inst i j")
    return dots.pow(2).sum(dim=-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)


def dimensions_per_feature(W: Float[Tensor, "instances d_hidden features"]) -> Float[Tensor, " instances"]:
    """d_hidden / ||W[i]||_F^2 for each instance i (d_hidden = W.shape[1])."""
    return W.shape[1] / W.pow(2).sum(dim=(1, 2))


def feature_dimensionality(W: Float[Tensor, "instances d_hidden features"]) -> Float[Tensor, "instances features"]:
    """D_i = |W_i|^2 / sum_j (W_hat_i . W_j)^2, with W_hat_i = W_i / max(|W_i|, 1e-8).

    The sum runs over every j, including i. A zero column (a dropped feature) gets 0.
    """
    norms = W.norm(dim=1)
    W_hat = W / norms[:, None, :].clamp_min(1e-8)
    dots = einsum(W_hat, W, "inst hid i, inst hid j -> inst i j")
    denom = dots.pow(2).sum(dim=-1)
    return torch.where(denom > 0, norms.pow(2) / denom.clamp_min(1e-30), torch.zeros_like(denom))


def sae_encode(
    x: Float[Tensor, "batch d_in"], W_enc: Float[Tensor, "d_in d_sae"], b_enc: Float[Tensor, " d_sae"],
    b_dec: Float[Tensor, " d_in"],
) -> Float[Tensor, "batch d_sae"]:
    """a = ReLU((x - b_dec) @ W_enc + b_enc): non-negative latents, one row per input."""
    return torch.relu((x - b_dec) @ W_enc + b_enc)


def sae_decode(
    acts: Float[Tensor, "batch d_sae"], W_dec: Float[Tensor, "d_sae d_in"], b_dec: Float[Tensor, " d_in"],
) -> Float[Tensor, "batch d_in"]:
    """x_hat = acts @ W_dec + b_dec."""
    return acts @ W_dec + b_dec


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


def normalize_decoder(W_dec: Float[Tensor, "d_sae d_in"]) -> Float[Tensor, "d_sae d_in"]:
    """W_dec with every row divided by its Euclidean norm (a new tensor; the input is unchanged)."""
    return W_dec / W_dec.norm(dim=-1, keepdim=True)


def remove_parallel_grad(
    W_dec: Float[Tensor, "d_sae d_in"], grad: Float[Tensor, "d_sae d_in"],
) -> Float[Tensor, "d_sae d_in"]:
    """grad minus, for each row r, its projection on W_dec[r]: g_r - (g_r . w_r) w_r.

    Assumes the rows of W_dec have unit norm (the training loop keeps them so). Returns a
    new tensor; neither input is modified.
    """
    parallel = (grad * W_dec).sum(dim=-1, keepdim=True) * W_dec
    return grad - parallel


def dead_latents(acts: Float[Tensor, "batch d_sae"]) -> Bool[Tensor, " d_sae"]:
    """True for each latent whose activation is <= 0 on every row of the batch (never fired)."""
    return ~(acts > 0).any(dim=0)


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


def max_cosine_sim(
    learned: Float[Tensor, "n_learned d"], true: Float[Tensor, "n_true d"],
) -> Float[Tensor, " n_true"]:
    """out[t] = max over learned rows l of cos(true[t], learned[l]). Signed: an antiparallel
    direction scores -1, not 1. Rows are assumed non-zero."""
    learned = learned / learned.norm(dim=-1, keepdim=True)
    true = true / true.norm(dim=-1, keepdim=True)
    return (true @ learned.T).max(dim=-1).values
