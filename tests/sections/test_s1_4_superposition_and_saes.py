"""Section 1.4: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the mistakes the issue names and their relatives: feature probability read as the
probability of being OFF, a ReLU missing (toy model and SAE encoder), the importance weighting
missing or squared, the pre-encoder bias not subtracted, L1 on the wrong tensor, a decoder
normalised along the wrong axis (no unit-norm rows), dead latents counted or resampled wrongly,
plus wrong axes and wrong normalisations in the superposition measures. Alternatives are correct
solutions in another style (loops, torch.nn.functional helpers, explicit masks).
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.4"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "feature_importance": [
        ("starts at decay ** 1", """
            def feature_importance(n_features, decay=0.9):
                return decay ** torch.arange(1, n_features + 1, dtype=torch.float32)
        """),
        ("float64 result", """
            def feature_importance(n_features, decay=0.9):
                return decay ** torch.arange(n_features, dtype=torch.float64)
        """),
        ("default decay 0.7", """
            def feature_importance(n_features, decay=0.7):
                return decay ** torch.arange(n_features, dtype=torch.float32)
        """),
        ("linear decay", """
            def feature_importance(n_features, decay=0.9):
                return 1 - (1 - decay) * torch.arange(n_features, dtype=torch.float32)
        """),
    ],
    "generate_batch": [
        ("NumPy RNG with a fixed seed, generator ignored (learner test)", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                import numpy as np
                rng = np.random.default_rng(0)
                p = feature_probability.numpy()[None, :, None]
                on = rng.random((n_batch, p.shape[1], n_features)) < p
                return torch.tensor(rng.random(on.shape) * on, dtype=torch.float32)
        """),
        ("probability of being OFF instead of ON", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                values = torch.rand(shape, generator=generator)
                off = torch.rand(shape, generator=generator) < feature_probability[:, None]
                return values * ~off
        """),
        ("one on/off draw per row, shared by all features", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                values = torch.rand(shape, generator=generator)
                on = torch.rand(n_batch, feature_probability.shape[0], 1, generator=generator) < feature_probability[:, None]
                return values * on
        """),
        ("one uniform draw shared by all instances", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                values = torch.rand(shape, generator=generator)
                on = torch.rand(n_batch, 1, n_features, generator=generator) < feature_probability[:, None]
                return values * on
        """),
        ("generator ignored", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                values = torch.rand(shape)
                on = torch.rand(shape) < feature_probability[:, None]
                return values * on
        """),
        ("ON value reuses the switching draw (values only below p)", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                u = torch.rand(shape, generator=generator)
                return u * (u < feature_probability[:, None])
        """),
        ("ON features are always 1", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                return (torch.rand(shape, generator=generator) < feature_probability[:, None]).float()
        """),
        ("values uniform in [-1, 1)", """
            def generate_batch(n_batch, n_features, feature_probability, generator=None):
                shape = (n_batch, feature_probability.shape[0], n_features)
                values = 2 * torch.rand(shape, generator=generator) - 1
                on = torch.rand(shape, generator=generator) < feature_probability[:, None]
                return values * on
        """),
    ],
    "toy_forward": [
        ("a ReLU on the hidden layer too (learner test)", """
            def toy_forward(W, b, x):
                h = torch.relu(einsum(W, x, "i h f, b i f -> b i h"))
                return torch.relu(einsum(W, h, "i h f, b i h -> b i f") + b)
        """),
        ("ReLU missing", """
            def toy_forward(W, b, x):
                h = einsum(W, x, "i h f, b i f -> b i h")
                return einsum(W, h, "i h f, b i h -> b i f") + b
        """),
        ("bias added after the ReLU", """
            def toy_forward(W, b, x):
                h = einsum(W, x, "i h f, b i f -> b i h")
                return torch.relu(einsum(W, h, "i h f, b i h -> b i f")) + b
        """),
        ("W W^T instead of W^T W (square shapes)", """
            def toy_forward(W, b, x):
                h = einsum(W, x, "i f h, b i f -> b i h")
                return torch.relu(einsum(W, h, "i f h, b i h -> b i f") + b)
        """),
        ("no bias", """
            def toy_forward(W, b, x):
                h = einsum(W, x, "i h f, b i f -> b i h")
                return torch.relu(einsum(W, h, "i h f, b i h -> b i f"))
        """),
    ],
    "importance_weighted_loss": [
        ("importance weighting missing", """
            def importance_weighted_loss(x, x_hat, importance):
                return ((x - x_hat) ** 2).sum(-1).mean(0)
        """),
        ("importance squared", """
            def importance_weighted_loss(x, x_hat, importance):
                return ((importance * (x - x_hat)) ** 2).sum(-1).mean(0)
        """),
        ("mean over features", """
            def importance_weighted_loss(x, x_hat, importance):
                return (importance * (x - x_hat) ** 2).mean(-1).mean(0)
        """),
        ("sum over the batch", """
            def importance_weighted_loss(x, x_hat, importance):
                return (importance * (x - x_hat) ** 2).sum(-1).sum(0)
        """),
        ("absolute error", """
            def importance_weighted_loss(x, x_hat, importance):
                return (importance * (x - x_hat).abs()).sum(-1).mean(0)
        """),
    ],
    "superposition_interference": [
        ("divides by the norm of W_j instead of W_i (learner test)", """
            def superposition_interference(W):
                n = W.norm(dim=1).clamp(min=1e-8)
                proj = (W.transpose(1, 2) @ W) / n[:, None, :]
                return (proj.square() * (1 - torch.eye(W.shape[2]))).sum(-1)
        """),
        ("W_i not normalised", """
            def superposition_interference(W):
                dots = einsum(W, W, "i h a, i h b -> i a b")
                return dots.pow(2).sum(-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)
        """),
        ("both columns normalised (cosine squared)", """
            def superposition_interference(W):
                W_hat = W / W.norm(dim=1, keepdim=True).clamp_min(1e-8)
                dots = einsum(W_hat, W_hat, "i h a, i h b -> i a b")
                return dots.pow(2).sum(-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)
        """),
        ("diagonal kept", """
            def superposition_interference(W):
                W_hat = W / W.norm(dim=1, keepdim=True).clamp_min(1e-8)
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                return dots.pow(2).sum(-1)
        """),
        ("norm over the feature axis", """
            def superposition_interference(W):
                W_hat = W / W.norm(dim=2, keepdim=True).clamp_min(1e-8)
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                return dots.pow(2).sum(-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)
        """),
        ("NaN for a zero column (no clamp)", """
            def superposition_interference(W):
                W_hat = W / W.norm(dim=1, keepdim=True)
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                return dots.pow(2).sum(-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)
        """),
        ("signed dot products, not squared", """
            def superposition_interference(W):
                W_hat = W / W.norm(dim=1, keepdim=True).clamp_min(1e-8)
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                return dots.sum(-1) - dots.diagonal(dim1=-2, dim2=-1)
        """),
    ],
    "dimensions_per_feature": [
        ("n_features instead of d_hidden", """
            def dimensions_per_feature(W):
                return W.shape[2] / W.pow(2).sum(dim=(1, 2))
        """),
        ("Frobenius norm not squared", """
            def dimensions_per_feature(W):
                return W.shape[1] / W.pow(2).sum(dim=(1, 2)).sqrt()
        """),
        ("inverted", """
            def dimensions_per_feature(W):
                return W.pow(2).sum(dim=(1, 2)) / W.shape[1]
        """),
    ],
    "feature_dimensionality": [
        ("diagonal left out of the denominator", """
            def feature_dimensionality(W):
                norms = W.norm(dim=1)
                W_hat = W / norms[:, None, :].clamp_min(1e-8)
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                denom = dots.pow(2).sum(-1) - dots.diagonal(dim1=-2, dim2=-1).pow(2)
                return torch.nan_to_num(norms.pow(2) / denom, nan=0.0, posinf=0.0)
        """),
        ("NaN for a zero column", """
            def feature_dimensionality(W):
                norms = W.norm(dim=1)
                W_hat = W / norms[:, None, :]
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                return norms.pow(2) / dots.pow(2).sum(-1)
        """),
        ("cosines in the denominator", """
            def feature_dimensionality(W):
                norms = W.norm(dim=1)
                W_hat = W / norms[:, None, :].clamp_min(1e-8)
                dots = einsum(W_hat, W_hat, "i h a, i h b -> i a b")
                return torch.nan_to_num(norms.pow(2) / dots.pow(2).sum(-1), nan=0.0)
        """),
        ("norm not squared in the numerator", """
            def feature_dimensionality(W):
                norms = W.norm(dim=1)
                W_hat = W / norms[:, None, :].clamp_min(1e-8)
                dots = einsum(W_hat, W, "i h a, i h b -> i a b")
                return torch.nan_to_num(norms / dots.pow(2).sum(-1), nan=0.0)
        """),
    ],
    "sae_encode": [
        ("decoder bias subtracted after the projection, summed (learner test)", """
            def sae_encode(x, W_enc, b_enc, b_dec):
                return torch.relu(x @ W_enc + b_enc - b_dec.sum())
        """),
        ("ReLU missing", """
            def sae_encode(x, W_enc, b_enc, b_dec):
                return (x - b_dec) @ W_enc + b_enc
        """),
        ("pre-encoder bias not subtracted", """
            def sae_encode(x, W_enc, b_enc, b_dec):
                return torch.relu(x @ W_enc + b_enc)
        """),
        ("decoder bias added instead of subtracted", """
            def sae_encode(x, W_enc, b_enc, b_dec):
                return torch.relu((x + b_dec) @ W_enc + b_enc)
        """),
        ("W_enc transposed (square shapes)", """
            def sae_encode(x, W_enc, b_enc, b_dec):
                return torch.relu((x - b_dec) @ W_enc.T + b_enc)
        """),
        ("encoder bias outside the ReLU", """
            def sae_encode(x, W_enc, b_enc, b_dec):
                return torch.relu((x - b_dec) @ W_enc) + b_enc
        """),
    ],
    "sae_decode": [
        ("decoder bias missing", """
            def sae_decode(acts, W_dec, b_dec):
                return acts @ W_dec
        """),
        ("W_dec transposed (square shapes)", """
            def sae_decode(acts, W_dec, b_dec):
                return acts @ W_dec.T + b_dec
        """),
        ("ReLU on the reconstruction", """
            def sae_decode(acts, W_dec, b_dec):
                return torch.relu(acts @ W_dec + b_dec)
        """),
    ],
    "sae_loss": [
        ("F.mse_loss: squared error averaged over d_in too (learner test)", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return torch.nn.functional.mse_loss(x_hat, x) + l1_coeff * acts.abs().sum(1).mean()
        """),
        ("L1 on the reconstruction instead of the latents", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return ((x_hat - x).pow(2).sum(-1) + l1_coeff * x_hat.abs().sum(-1)).mean()
        """),
        ("L2 (squared) penalty on the latents", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return ((x_hat - x).pow(2).sum(-1) + l1_coeff * acts.pow(2).sum(-1)).mean()
        """),
        ("L1 averaged over latents", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return ((x_hat - x).pow(2).sum(-1) + l1_coeff * acts.abs().mean(-1)).mean()
        """),
        ("squared error averaged over d_in", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return ((x_hat - x).pow(2).mean(-1) + l1_coeff * acts.abs().sum(-1)).mean()
        """),
        ("l1_coeff ignored", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return ((x_hat - x).pow(2).sum(-1) + acts.abs().sum(-1)).mean()
        """),
        ("detached with .item()", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return torch.tensor(((x_hat - x).pow(2).sum(-1) + l1_coeff * acts.abs().sum(-1)).mean().item())
        """),
        ("reconstruction error not squared", """
            def sae_loss(x, acts, x_hat, l1_coeff):
                return ((x_hat - x).norm(dim=-1) + l1_coeff * acts.abs().sum(-1)).mean()
        """),
    ],
    "normalize_decoder": [
        ("norm plus a large epsilon (learner test)", """
            def normalize_decoder(W_dec):
                return W_dec / (W_dec.norm(dim=1, keepdim=True) + 0.1)
        """),
        ("columns normalised instead of rows", """
            def normalize_decoder(W_dec):
                return W_dec / W_dec.norm(dim=0, keepdim=True)
        """),
        ("normalised in place", """
            def normalize_decoder(W_dec):
                W_dec /= W_dec.norm(dim=-1, keepdim=True)
                return W_dec
        """),
        ("no constraint at all", """
            def normalize_decoder(W_dec):
                return W_dec.clone()
        """),
        ("divided by the whole matrix's norm", """
            def normalize_decoder(W_dec):
                return W_dec / W_dec.norm()
        """),
    ],
    "remove_parallel_grad": [
        ("projection along columns", """
            def remove_parallel_grad(W_dec, grad):
                return grad - (grad * W_dec).sum(0, keepdim=True) * W_dec
        """),
        ("returns the parallel part", """
            def remove_parallel_grad(W_dec, grad):
                return (grad * W_dec).sum(-1, keepdim=True) * W_dec
        """),
        ("subtracts the dot product, not the vector", """
            def remove_parallel_grad(W_dec, grad):
                return grad - (grad * W_dec).sum(-1, keepdim=True)
        """),
        ("edits grad in place", """
            def remove_parallel_grad(W_dec, grad):
                grad -= (grad * W_dec).sum(-1, keepdim=True) * W_dec
                return grad
        """),
    ],
    "dead_latents": [
        ("mean activation below a threshold (learner test)", """
            def dead_latents(acts):
                return acts.mean(0) < 1e-4
        """),
        ("counts a zero activation as firing (>= 0)", """
            def dead_latents(acts):
                return ~(acts >= 0).any(dim=0)
        """),
        ("reduces over the latent axis", """
            def dead_latents(acts):
                return ~(acts > 0).any(dim=-1)
        """),
        ("returns the live latents", """
            def dead_latents(acts):
                return (acts > 0).any(dim=0)
        """),
        ("dead if it is zero on any row", """
            def dead_latents(acts):
                return (acts <= 0).any(dim=0)
        """),
        ("a threshold of 1e-3 instead of 0", """
            def dead_latents(acts):
                return ~(acts > 1e-3).any(dim=0)
        """),
        ("counts as an int tensor", """
            def dead_latents(acts):
                return ((acts > 0).sum(dim=0) == 0).long()
        """),
    ],
    "resample_dead_latents": [
        ("k-th dead latent indexed by its latent id, not its rank (learner test)", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                W_enc, b_enc, W_dec = W_enc.clone(), b_enc.clone(), W_dec.clone()
                order = torch.argsort(losses, descending=True)
                for lat in torch.where(dead)[0].tolist():
                    v = torch.nn.functional.normalize(x[order[lat]] - b_dec, dim=0)
                    W_dec[lat] = v
                    W_enc[:, lat] = enc_scale * v
                    b_enc[lat] = 0
                return W_enc, b_enc, W_dec
        """),
        ("resamples the live latents", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                return ref_resample(W_enc, b_enc, W_dec, b_dec, ~dead, x, losses, enc_scale)
        """),
        ("takes the best-reconstructed inputs", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                return ref_resample(W_enc, b_enc, W_dec, b_dec, dead, x, -losses, enc_scale)
        """),
        ("does not subtract b_dec", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                return ref_resample(W_enc, b_enc, W_dec, torch.zeros_like(b_dec), dead, x, losses, enc_scale)
        """),
        ("encoder column not scaled", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                return ref_resample(W_enc, b_enc, W_dec, b_dec, dead, x, losses, 1.0)
        """),
        ("b_enc not reset", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                new_enc, _, new_dec = ref_resample(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale)
                return new_enc, b_enc.clone(), new_dec
        """),
        ("directions not normalised", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                W_enc, b_enc, W_dec = W_enc.clone(), b_enc.clone(), W_dec.clone()
                idx = dead.nonzero().squeeze(-1)
                chosen = torch.argsort(losses, descending=True, stable=True)[: len(idx)]
                v = x[chosen] - b_dec
                W_dec[idx] = v
                W_enc[:, idx] = enc_scale * v.T
                b_enc[idx] = 0.0
                return W_enc, b_enc, W_dec
        """),
        ("edits the inputs in place", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                idx = dead.nonzero().squeeze(-1)
                chosen = torch.argsort(losses, descending=True, stable=True)[: len(idx)]
                v = x[chosen] - b_dec
                u = v / v.norm(dim=-1, keepdim=True)
                W_dec[idx] = u
                W_enc[:, idx] = enc_scale * u.T
                b_enc[idx] = 0.0
                return W_enc, b_enc, W_dec
        """),
        ("default enc_scale 1.0", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=1.0):
                return ref_resample(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale)
        """),
        ("encoder column set to the row of W_enc (transposed assignment)", """
            def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
                new_enc, new_b, new_dec = ref_resample(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale)
                return W_enc.clone(), new_b, new_dec
        """),
    ],
    "max_cosine_sim": [
        ("max over the true axis", """
            def max_cosine_sim(learned, true):
                learned = learned / learned.norm(dim=-1, keepdim=True)
                true = true / true.norm(dim=-1, keepdim=True)
                return (true @ learned.T).max(dim=0).values
        """),
        ("absolute cosine", """
            def max_cosine_sim(learned, true):
                learned = learned / learned.norm(dim=-1, keepdim=True)
                true = true / true.norm(dim=-1, keepdim=True)
                return (true @ learned.T).abs().max(dim=-1).values
        """),
        ("dot products, not cosines", """
            def max_cosine_sim(learned, true):
                return (true @ learned.T).max(dim=-1).values
        """),
        ("only the learned rows normalised", """
            def max_cosine_sim(learned, true):
                learned = learned / learned.norm(dim=-1, keepdim=True)
                return (true @ learned.T).max(dim=-1).values
        """),
        ("normalised along the wrong axis", """
            def max_cosine_sim(learned, true):
                learned = learned / learned.norm(dim=0, keepdim=True)
                true = true / true.norm(dim=0, keepdim=True)
                return (true @ learned.T).max(dim=-1).values
        """),
    ],
}

# `ref_resample` above: the reference's own function, bound under another name so a mutant can
# wrap it (the harness runs mutant source in the reference module's namespace).
for _name, _variants in MUTANTS.items():
    if _name == "resample_dead_latents":
        MUTANTS[_name] = [
            (label, src.replace("\n            def ", "\n            ref_resample = resample_dead_latents\n            def ", 1)
             if "ref_resample(" in src else src)
            for label, src in _variants
        ]

ALTERNATIVES: dict[str, str] = {
    "feature_importance": """
        def feature_importance(n_features, decay=0.9):
            return torch.tensor([decay ** i for i in range(n_features)], dtype=torch.float32)
    """,
    "generate_batch": """
        def generate_batch(n_batch, n_features, feature_probability, generator=None):
            n_inst = len(feature_probability)
            on = torch.rand(n_batch, n_inst, n_features, generator=generator) <= feature_probability.view(1, -1, 1)
            values = torch.rand(n_batch, n_inst, n_features, generator=generator)
            return torch.where(on, values, torch.zeros(()))
    """,
    "toy_forward": """
        def toy_forward(W, b, x):
            h = torch.bmm(x.transpose(0, 1), W.transpose(1, 2))
            out = torch.bmm(h, W).transpose(0, 1)
            return torch.nn.functional.relu(out + b)
    """,
    "importance_weighted_loss": """
        def importance_weighted_loss(x, x_hat, importance):
            err = (x - x_hat) ** 2
            return einsum(err, importance, "b i f, i f -> i") / x.shape[0]
    """,
    "superposition_interference": """
        def superposition_interference(W):
            out = torch.zeros(W.shape[0], W.shape[2])
            for inst in range(W.shape[0]):
                cols = W[inst].T
                unit = torch.nn.functional.normalize(cols, dim=-1, eps=1e-8)
                dots = unit @ cols.T
                dots.fill_diagonal_(0.0)
                out[inst] = dots.pow(2).sum(-1)
            return out
    """,
    "dimensions_per_feature": """
        def dimensions_per_feature(W):
            return torch.stack([W.shape[1] / torch.linalg.matrix_norm(w) ** 2 for w in W])
    """,
    "feature_dimensionality": """
        def feature_dimensionality(W):
            unit = torch.nn.functional.normalize(W, dim=1, eps=1e-8)
            dots = unit.transpose(1, 2) @ W
            out = W.pow(2).sum(1) / dots.pow(2).sum(-1)
            return out.nan_to_num(0.0)
    """,
    "sae_encode": """
        def sae_encode(x, W_enc, b_enc, b_dec):
            pre = einsum(x - b_dec, W_enc, "batch d, d s -> batch s") + b_enc
            return pre.clamp(min=0)
    """,
    "sae_decode": """
        def sae_decode(acts, W_dec, b_dec):
            return einsum(acts, W_dec, "batch s, s d -> batch d") + b_dec
    """,
    "sae_loss": """
        def sae_loss(x, acts, x_hat, l1_coeff):
            mse = torch.nn.functional.mse_loss(x_hat, x, reduction="sum") / x.shape[0]
            return mse + l1_coeff * acts.norm(p=1, dim=-1).mean()
    """,
    "normalize_decoder": """
        def normalize_decoder(W_dec):
            return torch.nn.functional.normalize(W_dec, dim=1)
    """,
    "remove_parallel_grad": """
        def remove_parallel_grad(W_dec, grad):
            coef = einsum(grad, W_dec, "s d, s d -> s")
            return grad - coef[:, None] * W_dec
    """,
    "dead_latents": """
        def dead_latents(acts):
            return (acts.clamp(min=0).sum(dim=0) == 0)
    """,
    "resample_dead_latents": """
        def resample_dead_latents(W_enc, b_enc, W_dec, b_dec, dead, x, losses, enc_scale=0.2):
            W_enc, b_enc, W_dec = W_enc.clone(), b_enc.clone(), W_dec.clone()
            order = sorted(range(len(losses)), key=lambda i: (-float(losses[i]), i))
            k = 0
            for latent in range(len(dead)):
                if dead[latent]:
                    v = x[order[k]] - b_dec
                    u = v / v.norm()
                    W_dec[latent] = u
                    W_enc[:, latent] = enc_scale * u
                    b_enc[latent] = 0.0
                    k += 1
            return W_enc, b_enc, W_dec
    """,
    "max_cosine_sim": """
        def max_cosine_sim(learned, true):
            cos = torch.nn.functional.cosine_similarity(true[:, None, :], learned[None, :, :], dim=-1)
            return cos.amax(dim=1)
    """,
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))


def test_smollm2_sae_meta_matches_script() -> None:
    """The shipped SmolLM2 SAE was made by tools/train_sae_smollm2.py with its current defaults,
    and is small enough to ship (≤ 20 MB)."""
    import dataclasses
    import importlib.util
    import json
    import sys
    from pathlib import Path

    from arena_check.kit.paths import weights_dir

    script = Path(__file__).resolve().parents[2] / "tools" / "train_sae_smollm2.py"
    spec = importlib.util.spec_from_file_location("train_sae_smollm2", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the script's annotations through it
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    hyper = module.Hyper()
    folder = weights_dir(module.NAME_FMT.format(layer=hyper.layer))
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["hyperparameters"] == dataclasses.asdict(hyper), "meta.json is stale: retrain with the script"
    assert meta["script"] == "tools/train_sae_smollm2.py"
    assert meta["threads"] == 1
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size <= 20 * 2**20, f"{folder} is {size / 2**20:.1f} MB (limit 20 MB)"
