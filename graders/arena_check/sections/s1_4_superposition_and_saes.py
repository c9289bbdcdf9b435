"""Checks for section 1.4 — superposition and sparse autoencoders.

No model is needed: the toy models and SAEs are small tensors built inside each check, seeded.
Each check aims at a class of mistake:

* toy model: feature probability read as the probability of being OFF, a mask shared across
  features or instances (right marginals, wrong joint law), randomness not drawn from the given
  generator; the ReLU or the bias outside the ReLU, W and W^T confused (square shapes, where a
  swapped product keeps its shape); importance weighting missing or squared, reductions over the
  wrong axis;
* geometry: norms over the wrong axis, the diagonal kept or dropped where it should not be,
  normalising both vectors (cosine instead of projection), NaN on a dropped (zero) feature;
* SAE: the ReLU missing, the pre-encoder bias not subtracted, L1 on the wrong tensor or averaged
  over latents, decoder normalised along columns, the gradient projection along the wrong axis,
  a dead latent counted with ``>= 0``, resampling of the live latents, of the best-reconstructed
  inputs, without centring or scaling, or in place; max cosine similarity over the wrong axis or
  of absolute values.
"""

from __future__ import annotations

import torch
from torch import Tensor

from arena_check.reference import s1_4_superposition_and_saes as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "1.4"


def _scalar(got: object, expected: Tensor, *, context: str, hint: str) -> None:
    if isinstance(got, float | int) and not isinstance(got, bool):
        got = torch.tensor(float(got))
    if isinstance(got, Tensor) and got.numel() == 1:
        got = got.reshape(())
    expect_tensor(got, expected.detach(), context=context, hint=hint, check_dtype=False)


# ------------------------------------------------------------------------------------------
# Part 1 · the toy model
# ------------------------------------------------------------------------------------------
@check(SECTION, "feature_importance", points=1)
def check_feature_importance(feature_importance) -> None:
    """Several lengths and decays, the default decay, a single feature; float32."""
    cases: list[Case] = [
        ("5 features, decay 0.9", (5, 0.9)),
        ("8 features, decay 0.7", (8, 0.7)),
        ("a single feature, decay 0.5", (1, 0.5)),
        ("4 features, the default decay", (4,)),
    ]
    compare_to_reference(
        feature_importance, ref.feature_importance, cases, name="feature_importance",
        hint="I[i] = decay ** i starting from i = 0 (so the first feature has importance 1), "
        "one entry per feature, float32.",
    )


def _shape_dtype(x: object, shape: tuple[int, ...], *, context: str) -> None:
    if not isinstance(x, Tensor):
        raise CheckFailed(f"For {context}: expected a torch.Tensor, got {type(x).__name__}.")
    if tuple(x.shape) != shape or x.dtype != torch.float32:
        raise CheckFailed(
            f"For {context}: expected a float32 tensor of shape {shape}, got {str(x.dtype).removeprefix('torch.')} "
            f"of shape {tuple(x.shape)}. Hint: the output is [n_batch, instances, n_features]."
        )


def _on_fraction_message(got: Tensor, want: Tensor) -> str:
    return (f"the fraction of non-zero entries per instance is {[round(float(g), 3) for g in got]}, "
            f"but feature_probability is {[round(float(w), 3) for w in want]}")


@check(SECTION, "generate_batch", points=2, timeout=15)
def check_generate_batch(generate_batch) -> None:
    """Shape and dtype; determinism given a generator; the on-fraction per instance; uniform
    values when on; independence across features and across instances; the default generator."""
    probs = torch.tensor([0.9, 0.3, 0.02])
    context = "n_batch 20000, 6 features, feature_probability [0.9, 0.3, 0.02], generator seed 0"
    x = call(generate_batch, 20_000, 6, probs, generator=seeded(0), name="generate_batch", context=context)
    _shape_dtype(x, (20_000, 3, 6), context=context)
    again = call(generate_batch, 20_000, 6, probs, generator=seeded(0), name="generate_batch", context=context)
    if not torch.equal(x, again):
        raise CheckFailed(
            f"For {context}: two calls with generators in the same state gave different batches. "
            "Hint: pass `generator=generator` to every torch.rand call, so the caller controls the "
            "randomness."
        )
    other = call(generate_batch, 20_000, 6, probs, generator=seeded(1), name="generate_batch", context=context)
    if torch.equal(x, other):
        raise CheckFailed(f"For {context}: generators with different seeds gave the same batch. "
                          "Hint: draw the randomness from `generator`.")
    if bool((x < 0).any()) or bool((x >= 1).any()):
        raise CheckFailed(f"For {context}: values must lie in [0, 1); got min {float(x.min()):.3g}, "
                          f"max {float(x.max()):.3g}. Hint: an ON feature is uniform in [0, 1).")
    on = x > 0
    frac = on.float().mean(dim=(0, 2))
    if not torch.allclose(frac, probs, atol=0.01):
        swapped = torch.allclose(frac, 1 - probs, atol=0.01)
        raise CheckFailed(
            f"For {context}: {_on_fraction_message(frac, probs)}."
            + (" That is 1 - p: feature_probability is the probability of being ON, not OFF."
               if swapped else " Hint: an entry is on when a uniform draw is < its instance's "
               "probability; broadcast the probability along the batch and feature axes.")
        )
    values = x[on]
    if abs(float(values.mean()) - 0.5) > 0.01 or abs(float(values.std()) - 12 ** -0.5) > 0.01:
        raise CheckFailed(
            f"For {context}: the non-zero values have mean {float(values.mean()):.3f} and std "
            f"{float(values.std()):.3f}; uniform on [0, 1) has 0.5 and 0.289. Hint: an ON feature "
            "takes a fresh torch.rand value, independent of the draw that switched it on."
        )
    # independence: two features of one instance, and one feature in two instances
    both_features = (on[:, 1, 0] & on[:, 1, 1]).float().mean()
    if abs(float(both_features) - 0.09) > 0.015:
        raise CheckFailed(
            f"For {context}: features 0 and 1 of the p = 0.3 instance are on together in "
            f"{float(both_features):.3f} of the batch; independent features give 0.3² = 0.09. "
            "Hint: draw one on/off decision per entry, not one per row."
        )
    both_instances = (on[:, 0, :] & on[:, 1, :]).float().mean()
    if abs(float(both_instances) - 0.27) > 0.01:
        raise CheckFailed(
            f"For {context}: a feature is on in both the p = 0.9 and the p = 0.3 instance in "
            f"{float(both_instances):.3f} of cases; independent draws give 0.9 × 0.3 = 0.27. "
            "Hint: draw a separate uniform number for every (batch, instance, feature) entry."
        )
    extreme = call(generate_batch, 50, 4, torch.tensor([1.0, 0.0]), generator=seeded(2),
                   name="generate_batch", context="feature_probability [1.0, 0.0]")
    if not bool((extreme[:, 0] > 0).all()) or bool((extreme[:, 1] != 0).any()):
        raise CheckFailed("For feature_probability [1.0, 0.0]: probability 1 must switch every "
                          "feature on and probability 0 none. Hint: compare the draw with `<`.")
    torch.manual_seed(0)
    plain = call(generate_batch, 3, 2, torch.tensor([0.5]), name="generate_batch",
                 context="n_batch 3, 2 features, no generator given")
    _shape_dtype(plain, (3, 1, 2), context="n_batch 3, 2 features, no generator given")
    check_defaults(generate_batch, ref.generate_batch, name="generate_batch")


@check(SECTION, "toy_forward", points=2)
def check_toy_forward(toy_forward) -> None:
    """Several instances; a square model (d_hidden = features) where W and W^T are
    interchangeable in shape; negative biases so that the ReLU matters; batch 1."""
    cases: list[Case] = [
        ("3 instances, d_hidden 2, 5 features, batch 4, seed 0",
         (randn(3, 2, 5, seed=0), randn(3, 5, seed=1) - 0.3, torch.rand(4, 3, 5, generator=seeded(2)))),
        ("a square model: 2 instances, d_hidden 4 = features 4, batch 3",
         (randn(2, 4, 4, seed=3), randn(2, 4, seed=4) - 0.5, torch.rand(3, 2, 4, generator=seeded(5)))),
        ("batch 1, one instance, d_hidden 1, 2 features",
         (randn(1, 1, 2, seed=6), torch.tensor([[-0.2, 0.1]]), torch.rand(1, 1, 2, generator=seeded(7)))),
    ]
    compare_to_reference(
        toy_forward, ref.toy_forward, cases, name="toy_forward",
        hint="h = W x (contract the feature axis of W with x), then W^T h (contract the hidden "
        "axis), add b, and apply the ReLU last: ReLU(W^T W x + b).",
    )


@check(SECTION, "importance_weighted_loss", points=2)
def check_importance_weighted_loss(importance_weighted_loss) -> None:
    """Unequal importances and batch, instance and feature sizes all different; a square case."""
    cases: list[Case] = [
        ("batch 6, 3 instances, 4 features, importance 0.7 ** i",
         (torch.rand(6, 3, 4, generator=seeded(0)), torch.rand(6, 3, 4, generator=seeded(1)),
          (0.7 ** torch.arange(4.0)).expand(3, 4).clone())),
        ("batch 3 = instances 3 = features 3, random importance",
         (randn(3, 3, 3, seed=2), randn(3, 3, 3, seed=3), torch.rand(3, 3, generator=seeded(4)) * 2)),
        ("batch 1, one instance, 5 features",
         (torch.rand(1, 1, 5, generator=seeded(5)), torch.zeros(1, 1, 5), torch.rand(1, 5, generator=seeded(6)))),
    ]
    compare_to_reference(
        importance_weighted_loss, ref.importance_weighted_loss, cases, name="importance_weighted_loss",
        hint="importance * (x - x_hat) ** 2 (the importance itself is not squared), summed over "
        "the feature axis and averaged over the batch axis, leaving one number per instance.",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · measuring superposition
# ------------------------------------------------------------------------------------------
def _geometry_cases() -> list[Case]:
    dropped = randn(2, 3, 5, seed=12)
    dropped[0, :, 2] = 0.0
    dropped[1, :, 4] = 0.0
    return [
        ("random W, 3 instances, d_hidden 4, 6 features, seed 10", (randn(3, 4, 6, seed=10),)),
        ("a square W, 2 instances, d_hidden 3 = features 3", (randn(2, 3, 3, seed=11) * 1.7,)),
        ("W with a zero column (a dropped feature) in each instance", (dropped,)),
        ("an antipodal pair in one dimension, W = [[1.2, -0.8]]", (torch.tensor([[[1.2, -0.8]]]),)),
    ]


@check(SECTION, "superposition_interference", points=2)
def check_superposition_interference(superposition_interference) -> None:
    """Random and square W, a zero column, an antipodal pair."""
    compare_to_reference(
        superposition_interference, ref.superposition_interference, _geometry_cases(),
        name="superposition_interference",
        hint="normalise only W_i (the column whose interference you measure, norm over the hidden "
        "axis, clamped at 1e-8), dot it with every unnormalised W_j, square, sum over j and leave "
        "out j = i.",
    )


@check(SECTION, "dimensions_per_feature", points=1)
def check_dimensions_per_feature(dimensions_per_feature) -> None:
    """Random, square and rectangular W."""
    cases: list[Case] = [
        ("random W, 3 instances, d_hidden 4, 6 features", (randn(3, 4, 6, seed=20),)),
        ("random W, 2 instances, d_hidden 2, 5 features, scaled by 0.6", (randn(2, 2, 5, seed=21) * 0.6,)),
        ("an antipodal pair in one dimension, W = [[1.2, -0.8]]", (torch.tensor([[[1.2, -0.8]]]),)),
    ]
    compare_to_reference(
        dimensions_per_feature, ref.dimensions_per_feature, cases, name="dimensions_per_feature",
        hint="d_hidden (W.shape[1], not the number of features) divided by the *squared* Frobenius "
        "norm of each instance's W.",
    )


@check(SECTION, "feature_dimensionality", points=2)
def check_feature_dimensionality(feature_dimensionality) -> None:
    """Random and square W, a zero column (must give 0, not NaN), an antipodal pair (1/2 each)."""
    compare_to_reference(
        feature_dimensionality, ref.feature_dimensionality, _geometry_cases(),
        name="feature_dimensionality",
        hint="|W_i|^2 divided by the sum over *all* j (including j = i) of (W_hat_i · W_j)^2, with "
        "only W_i normalised; a zero column gets 0.",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · sparse autoencoders
# ------------------------------------------------------------------------------------------
@check(SECTION, "sae_encode", points=2)
def check_sae_encode(sae_encode) -> None:
    """A large decoder bias (so forgetting to subtract it shows), pre-activations of both signs,
    a square SAE (d_in = d_sae) where W_enc and W_enc^T have the same shape, batch 1."""
    cases: list[Case] = [
        ("batch 5, d_in 3, d_sae 7, b_dec of size ~2",
         (randn(5, 3, seed=30), randn(3, 7, seed=31), randn(7, seed=32) * 0.5, randn(3, seed=33) * 2)),
        ("a square SAE, d_in = d_sae = 4, batch 4",
         (randn(4, 4, seed=34), randn(4, 4, seed=35), randn(4, seed=36), randn(4, seed=37))),
        ("batch 1, d_in 2, d_sae 3",
         (randn(1, 2, seed=38), randn(2, 3, seed=39), torch.tensor([-0.5, 0.0, 0.5]), torch.tensor([1.0, -1.0]))),
    ]
    compare_to_reference(
        sae_encode, ref.sae_encode, cases, name="sae_encode",
        hint="subtract b_dec from x first, multiply by W_enc ([d_in, d_sae], so x @ W_enc), add "
        "b_enc, and apply the ReLU: latents are never negative.",
    )


@check(SECTION, "sae_decode", points=1)
def check_sae_decode(sae_decode) -> None:
    """Rectangular and square decoders, batch 1."""
    cases: list[Case] = [
        ("batch 5, d_sae 7, d_in 3", (torch.rand(5, 7, generator=seeded(40)), randn(7, 3, seed=41), randn(3, seed=42))),
        ("a square SAE, d_sae = d_in = 4", (torch.rand(4, 4, generator=seeded(43)), randn(4, 4, seed=44), randn(4, seed=45))),
        ("batch 1, d_sae 3, d_in 2", (torch.rand(1, 3, generator=seeded(46)), randn(3, 2, seed=47), randn(2, seed=48))),
    ]
    compare_to_reference(
        sae_decode, ref.sae_decode, cases, name="sae_decode",
        hint="acts @ W_dec (each row of W_dec is one latent's direction) plus b_dec; no ReLU on "
        "the reconstruction.",
    )


@check(SECTION, "sae_loss", points=2)
def check_sae_loss(sae_loss) -> None:
    """Several batches and coefficients, l1_coeff 0; the result must stay differentiable."""
    x, x_hat = randn(6, 3, seed=50), randn(6, 3, seed=51)
    acts = torch.relu(randn(6, 8, seed=52)) * 2
    cases = [
        ("batch 6, d_in 3, d_sae 8, l1_coeff 0.1", (x, acts, x_hat, 0.1)),
        ("the same with l1_coeff 0 (reconstruction only)", (x, acts, x_hat, 0.0)),
        ("batch 4, d_in 5, d_sae 5, l1_coeff 1.0",
         (randn(4, 5, seed=53), torch.relu(randn(4, 5, seed=54)), randn(4, 5, seed=55), 1.0)),
        ("batch 1, d_in 2, d_sae 6, l1_coeff 0.03",
         (randn(1, 2, seed=56), torch.relu(randn(1, 6, seed=57)) * 3, randn(1, 2, seed=58), 0.03)),
    ]
    hint = ("mean over the batch of the squared error *summed* over d_in plus l1_coeff times the "
            "latents' absolute values *summed* over d_sae. The penalty is on `acts`, not on x_hat.")
    for context, args in cases:
        got = call(sae_loss, *args, name="sae_loss", context=context)
        _scalar(got, ref.sae_loss(*args), context=context, hint=hint)
    acts_g = acts.clone().requires_grad_(True)
    x_hat_g = x_hat.clone().requires_grad_(True)
    got = call(sae_loss, x, acts_g, x_hat_g, 0.1, name="sae_loss", context="inputs that require grad")
    if not isinstance(got, Tensor) or not got.requires_grad:
        raise CheckFailed("For inputs that require grad: the loss must be a tensor that stays in the "
                          "autograd graph (no .item() or .detach()), or training cannot use it.")


@check(SECTION, "normalize_decoder", points=1)
def check_normalize_decoder(normalize_decoder) -> None:
    """Rectangular and square decoders; rows of very different lengths."""
    scaled = randn(5, 5, seed=61) * torch.tensor([0.1, 1.0, 3.0, 10.0, 0.5])[:, None]
    cases: list[Case] = [
        ("W_dec of shape (8, 3), seed 60", (randn(8, 3, seed=60) * 3,)),
        ("a square W_dec (5, 5) whose rows have lengths from 0.1 to 10", (scaled,)),
        ("a single latent, d_in 4", (randn(1, 4, seed=62),)),
    ]
    compare_to_reference(
        normalize_decoder, ref.normalize_decoder, cases, name="normalize_decoder",
        hint="each ROW of W_dec is a latent's direction: divide by W_dec.norm(dim=-1, keepdim=True). "
        "Return a new tensor; do not change W_dec in place.",
    )


def _unit_rows(*shape: int, seed: int) -> Tensor:
    w = randn(*shape, seed=seed)
    return w / w.norm(dim=-1, keepdim=True)


@check(SECTION, "remove_parallel_grad", points=2)
def check_remove_parallel_grad(remove_parallel_grad) -> None:
    """Rectangular and square decoders with unit rows; the result is orthogonal to each row."""
    cases: list[Case] = [
        ("W_dec (6, 3) with unit rows, a random gradient", (_unit_rows(6, 3, seed=70), randn(6, 3, seed=71))),
        ("a square W_dec (4, 4) with unit rows", (_unit_rows(4, 4, seed=72), randn(4, 4, seed=73) * 5)),
        ("a gradient exactly parallel to the rows (the result is zero)",
         (_unit_rows(3, 5, seed=74), _unit_rows(3, 5, seed=74) * torch.tensor([[2.0], [-1.0], [0.5]]))),
    ]
    compare_to_reference(
        remove_parallel_grad, ref.remove_parallel_grad, cases, name="remove_parallel_grad",
        hint="for each row r: g_r - (g_r · w_r) w_r, with the dot product over the last axis "
        "(keepdim=True) so it scales that row's w_r. What is left is orthogonal to w_r.",
    )


@check(SECTION, "dead_latents", points=2)
def check_dead_latents(dead_latents) -> None:
    """Exact zeros, a latent that fires once, a tiny positive value, a square batch, batch 1."""
    acts = torch.relu(randn(6, 8, seed=80))
    acts[:, [1, 5]] = 0.0
    acts[:, 3] = 0.0
    acts[4, 3] = 1e-6
    square = torch.relu(randn(4, 4, seed=81) - 0.8)
    cases: list[Case] = [
        ("batch 6, 8 latents, latents 1 and 5 never fire, latent 3 fires once (1e-6)", (acts,)),
        ("a square batch 4 × 4 latents, sparse", (square,)),
        ("batch 1, 5 latents", (torch.tensor([[0.0, 2.0, 0.0, 0.3, 0.0]]),)),
        ("all latents zero", (torch.zeros(3, 4),)),
    ]
    compare_to_reference(
        dead_latents, ref.dead_latents, cases, name="dead_latents", exact=True,
        hint="a latent fired if its activation is strictly positive on some row; it is dead if "
        "it fired on no row of the batch (reduce over the batch axis, dim 0). Return a bool "
        "tensor with one entry per latent.",
    )


@check(SECTION, "resample_dead_latents", points=3)
def check_resample_dead_latents(resample_dead_latents) -> None:
    """Several dead latents and a non-zero decoder bias; a tie in the losses; no dead latent;
    the default enc_scale; live latents exactly unchanged; inputs not modified."""
    d_in, d_sae = 3, 6
    W_dec = _unit_rows(d_sae, d_in, seed=90)
    W_enc, b_enc, b_dec = randn(d_in, d_sae, seed=91), randn(d_sae, seed=92), randn(d_in, seed=93)
    x = randn(8, d_in, seed=94)
    losses = torch.tensor([0.5, 2.0, 0.1, 3.0, 2.0, 0.7, 0.2, 1.5])
    dead = torch.tensor([False, True, False, True, True, False])
    cases = [
        ("6 latents, latents 1, 3, 4 dead, 8 inputs (losses tie at 2.0), enc_scale 0.5",
         (W_enc, b_enc, W_dec, b_dec, dead, x, losses, 0.5)),
        ("the same with the default enc_scale", (W_enc, b_enc, W_dec, b_dec, dead, x, losses)),
        ("only latent 0 dead, losses in increasing order",
         (W_enc, b_enc, W_dec, b_dec, torch.tensor([True] + [False] * 5), x, torch.arange(8.0))),
        ("no dead latent: nothing changes",
         (W_enc, b_enc, W_dec, b_dec, torch.zeros(d_sae, dtype=torch.bool), x, losses)),
    ]
    check_defaults(resample_dead_latents, ref.resample_dead_latents, name="resample_dead_latents")
    names = ["W_enc", "b_enc", "W_dec"]
    hint = ("only dead latents change; the k-th dead latent (in index order) takes the input with "
            "the k-th LARGEST loss; u = (x - b_dec) / |x - b_dec|; W_dec row = u, W_enc column = "
            "enc_scale * u, b_enc = 0. Clone before editing.")
    for context, args in cases:
        got = call(resample_dead_latents, *args, name="resample_dead_latents", context=context)
        want = ref.resample_dead_latents(*args)
        if not isinstance(got, tuple | list) or len(got) != 3:
            raise CheckFailed(f"For {context}: expected a tuple (W_enc, b_enc, W_dec), got "
                              f"{type(got).__name__}.")
        for name, g, w in zip(names, got, want, strict=True):
            expect_tensor(g, w, context=f"{context}, returned {name}", hint=hint)


@check(SECTION, "max_cosine_sim", points=2)
def check_max_cosine_sim(max_cosine_sim) -> None:
    """More learned than true rows, a square case, rows of different lengths, an antiparallel
    match (signed, so it scores -1 not 1)."""
    learned = randn(7, 3, seed=100) * torch.linspace(0.2, 4.0, 7)[:, None]
    true = randn(4, 3, seed=101) * torch.tensor([[0.5], [2.0], [1.0], [3.0]])
    base = randn(3, 5, seed=102)
    cases: list[Case] = [
        ("7 learned rows of lengths 0.2–4, 4 true rows, d 3", (learned, true)),
        ("a square case: 4 learned, 4 true, d 4", (randn(4, 4, seed=103) * 2, randn(4, 4, seed=104))),
        ("learned = minus the true rows, scaled (every best match is antiparallel)", (-2.0 * base, base)),
        ("one learned row, 2 true rows", (randn(1, 2, seed=105), randn(2, 2, seed=106))),
    ]
    compare_to_reference(
        max_cosine_sim, ref.max_cosine_sim, cases, name="max_cosine_sim",
        hint="normalise the rows of both matrices, take the [n_true, n_learned] dot products and "
        "the max over the learned axis; keep the sign (no abs).",
    )
