"""GENERATED from book/1_transformer_interp/1.8_grokking_and_modular_arithmetic.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math

import torch
from einops import einsum
from jaxtyping import Bool, Float, Int
from torch import Tensor
from transformer_lens import HookedTransformer

import arena_check
from arena_check.kit.models import grokking


def make_dataset(p: int) -> tuple[Int[Tensor, "pairs 3"], Int[Tensor, " pairs"]]:
    """(tokens, labels) for every pair (a, b) in 0..p-1, row a * p + b; int64.

    tokens[a * p + b] = [a, b, p] (token p is "="); labels[a * p + b] = (a + b) mod p.
    """
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    tokens = torch.stack([a, b, torch.full_like(a, p)], dim=1)
    return tokens, (a + b) % p


def last_token_loss(
    logits: Float[Tensor, "batch pos d_vocab_out"], labels: Int[Tensor, " batch"]
) -> Float[Tensor, ""]:
    """Mean over the batch of -log softmax(logits[:, -1])[label], as a float64 scalar tensor.

    Only the last position is scored. Convert to float64 BEFORE the softmax.
    """
    logp = logits[:, -1].double().log_softmax(dim=-1)
    return -logp.gather(-1, labels[:, None]).mean()


def train_test_accuracy(
    logits: Float[Tensor, "pairs d_vocab_out"], labels: Int[Tensor, " pairs"], train_mask: Bool[Tensor, " pairs"]
) -> tuple[float, float]:
    """(train accuracy, test accuracy) as Python floats in [0, 1].

    logits are the last-position logits, one row per pair; a prediction is the argmax of its row.
    Train rows are those where train_mask is True, test rows the others.
    """
    correct = (logits.argmax(dim=-1) == labels).float()
    return float(correct[train_mask].mean()), float(correct[~train_mask].mean())


def first_step_reaching(steps: Int[Tensor, " n"], values: Float[Tensor, " n"], threshold: float) -> int | None:
    """steps[i] for the smallest i with values[i] >= threshold, as a Python int; None if none.

    steps is increasing (the logged training steps); values[i] was measured at steps[i].
    """
    hits = (values >= threshold).nonzero()
    return int(steps[hits[0, 0]]) if len(hits) else None


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


def fourier_component_norms(W: Float[Tensor, "p d"], basis: Float[Tensor, "p p"]) -> Float[Tensor, " p"]:
    """norms[i] = Euclidean norm of (basis @ W)[i]: how much of W lies along basis vector i.

    Row x of W belongs to the residue x (so pass W_E[:p], without the "=" token). Because the
    basis is orthonormal, sum(norms ** 2) equals the squared Frobenius norm of W.
    """
    return (basis @ W).norm(dim=-1)


def key_frequencies(norms: Float[Tensor, " p"], rel_threshold: float = 0.3) -> list[int]:
    """Frequencies k in 1 .. (p-1)//2 whose strength sqrt(norms[2k-1]**2 + norms[2k]**2) is
    >= rel_threshold times the largest strength, increasing, as Python ints.

    norms is in the basis order of fourier_basis (norms[0], the constant, is ignored).
    """
    strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
    keep = (strength >= rel_threshold * strength.max()).nonzero().flatten()
    return [int(i) + 1 for i in keep]


def fourier_2d(table: Float[Tensor, "p p *rest"], basis: Float[Tensor, "p p"]) -> Float[Tensor, "p p *rest"]:
    """out[i, j, ...] = sum over a, b of basis[i, a] * basis[j, b] * table[a, b, ...].

    Axis 0 of table is a, axis 1 is b; any trailing axes (neurons, heads) are kept as they are.
    """
    return einsum(basis, basis, table, "i a, j b, a b ... -> i j ...")


def mlp_activation_table(model: HookedTransformer, p: int) -> Float[Tensor, "p p d_mlp"]:
    """table[a, b, n] = neuron n's post-ReLU activation (hook blocks.0.mlp.hook_post) at the
    last position of the input [a, b, p]. Does not change the model."""
    tokens, _ = make_dataset(p)
    _, cache = model.run_with_cache(tokens, names_filter="blocks.0.mlp.hook_post")
    return cache["blocks.0.mlp.hook_post"][:, -1].reshape(p, p, -1)


def cos_features(p: int, freqs: list[int]) -> Float[Tensor, "pairs p n_freqs"]:
    """features[a * p + b, c, i] = cos(2 pi freqs[i] (a + b - c) / p), float32."""
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    diff = ((a + b)[:, None] - torch.arange(p)[None, :]).double()
    w = 2 * math.pi * torch.tensor(freqs, dtype=torch.float64) / p
    return torch.cos(diff[:, :, None] * w).float()


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


def fraction_variance_explained(target: Float[Tensor, "..."], fit: Float[Tensor, "..."]) -> float:
    """1 - sum((target - fit) ** 2) / sum((target - target.mean()) ** 2), over all entries,
    as a Python float (1 for a perfect fit, 0 for the best constant)."""
    residual = (target - fit).pow(2).sum()
    return float(1 - residual / (target - target.mean()).pow(2).sum())


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


def restricted_loss(logits: Float[Tensor, "pairs p"], labels: Int[Tensor, " pairs"], freqs: list[int]) -> float:
    """Mean cross-entropy (float64, as last_token_loss) over ALL pairs of the restricted logits
    logits.mean(dim=0) + sum_frequency_component(logits, freqs), as a Python float."""
    restricted = logits.mean(dim=0) + sum_frequency_component(logits, freqs)
    return float(last_token_loss(restricted[:, None], labels))


def excluded_loss(
    logits: Float[Tensor, "pairs p"], labels: Int[Tensor, " pairs"], train_mask: Bool[Tensor, " pairs"],
    freqs: list[int],
) -> float:
    """Mean cross-entropy (float64) over the TRAINING pairs only of
    logits - sum_frequency_component(logits, freqs), as a Python float."""
    excluded = logits - sum_frequency_component(logits, freqs)
    return float(last_token_loss(excluded[train_mask][:, None], labels[train_mask]))
