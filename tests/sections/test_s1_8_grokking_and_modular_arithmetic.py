"""Section 1.8: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the mistakes the issue names — the Fourier basis not normalised, off-by-one
frequencies, a * b instead of a + b, the constant term excluded wrongly, train and test swapped —
and their relatives: sine before cosine, basis vectors in columns, the inverse transform, the
wrong position or hook, float32 losses, ``>`` for ``>=``, indices for steps, unnormalised
projections. Alternatives are correct solutions in another style (loops, explicit formulas,
torch.nn.functional, the pseudo-inverse, QR).
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.8"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "make_dataset": [
        ("a * b instead of a + b", """
            def make_dataset(p):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                return torch.stack([a, b, torch.full_like(a, p)], dim=1), (a * b) % p
        """),
        ("a and b swapped in the row order", """
            def make_dataset(p):
                a = torch.arange(p).repeat(p)
                b = torch.arange(p).repeat_interleave(p)
                return torch.stack([a, b, torch.full_like(a, p)], dim=1), (a + b) % p
        """),
        ("'=' token p - 1", """
            def make_dataset(p):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                return torch.stack([a, b, torch.full_like(a, p - 1)], dim=1), (a + b) % p
        """),
        ("labels not reduced mod p", """
            def make_dataset(p):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                return torch.stack([a, b, torch.full_like(a, p)], dim=1), a + b
        """),
    ],
    "last_token_loss": [
        ("float32 log_softmax", """
            def last_token_loss(logits, labels):
                logp = logits[:, -1].log_softmax(dim=-1)
                return -logp.gather(-1, labels[:, None]).mean().double()
        """),
        ("first position", """
            def last_token_loss(logits, labels):
                logp = logits[:, 0].double().log_softmax(dim=-1)
                return -logp.gather(-1, labels[:, None]).mean()
        """),
        ("averaged over every position", """
            def last_token_loss(logits, labels):
                logp = logits.double().log_softmax(dim=-1)
                return -logp.gather(-1, labels[:, None, None].expand(-1, logits.shape[1], 1)).mean()
        """),
        ("summed over the batch", """
            def last_token_loss(logits, labels):
                logp = logits[:, -1].double().log_softmax(dim=-1)
                return -logp.gather(-1, labels[:, None]).sum()
        """),
        ("float32 result", """
            def last_token_loss(logits, labels):
                return torch.nn.functional.cross_entropy(logits[:, -1], labels)
        """),
    ],
    "train_test_accuracy": [
        ("train and test swapped", """
            def train_test_accuracy(logits, labels, train_mask):
                correct = (logits.argmax(dim=-1) == labels).float()
                return float(correct[~train_mask].mean()), float(correct[train_mask].mean())
        """),
        ("test accuracy over all pairs", """
            def train_test_accuracy(logits, labels, train_mask):
                correct = (logits.argmax(dim=-1) == labels).float()
                return float(correct[train_mask].mean()), float(correct.mean())
        """),
        ("argmax over the pairs axis", """
            def train_test_accuracy(logits, labels, train_mask):
                correct = (logits.argmax(dim=0)[labels] == labels).float()
                return float(correct[train_mask].mean()), float(correct[~train_mask].mean())
        """),
        ("returns tensors", """
            def train_test_accuracy(logits, labels, train_mask):
                correct = (logits.argmax(dim=-1) == labels).float()
                return correct[train_mask].mean(), correct[~train_mask].mean()
        """),
    ],
    "first_step_reaching": [
        ("strictly greater than the threshold", """
            def first_step_reaching(steps, values, threshold):
                hits = (values > threshold).nonzero()
                return int(steps[hits[0, 0]]) if len(hits) else None
        """),
        ("the index instead of the step", """
            def first_step_reaching(steps, values, threshold):
                hits = (values >= threshold).nonzero()
                return int(hits[0, 0]) if len(hits) else None
        """),
        ("the last hit", """
            def first_step_reaching(steps, values, threshold):
                hits = (values >= threshold).nonzero()
                return int(steps[hits[-1, 0]]) if len(hits) else None
        """),
        ("the first step after which it stays above", """
            def first_step_reaching(steps, values, threshold):
                below = (values < threshold).nonzero()
                if len(below) == 0:
                    return int(steps[0])
                i = int(below[-1, 0]) + 1
                return int(steps[i]) if i < len(steps) else None
        """),
        ("-1 instead of None", """
            def first_step_reaching(steps, values, threshold):
                hits = (values >= threshold).nonzero()
                return int(steps[hits[0, 0]]) if len(hits) else -1
        """),
        ("a tensor instead of an int", """
            def first_step_reaching(steps, values, threshold):
                hits = (values >= threshold).nonzero()
                return steps[hits[0, 0]] if len(hits) else None
        """),
    ],
    "fourier_basis": [
        ("not normalised (plain cos and sin)", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(2 * math.pi * k * x / p), torch.sin(2 * math.pi * k * x / p)]
                return torch.stack(rows).float()
        """),
        ("the constant row not normalised", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(2 * math.pi * k * x / p) * math.sqrt(2 / p),
                             torch.sin(2 * math.pi * k * x / p) * math.sqrt(2 / p)]
                return torch.stack(rows).float()
        """),
        ("every row scaled by 1/sqrt(p)", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(2 * math.pi * k * x / p), torch.sin(2 * math.pi * k * x / p)]
                return (torch.stack(rows) / math.sqrt(p)).float()
        """),
        ("sine before cosine", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.sin(2 * math.pi * k * x / p), torch.cos(2 * math.pi * k * x / p)]
                basis = torch.stack(rows)
                return (basis / basis.norm(dim=1, keepdim=True)).float()
        """),
        ("frequencies start at 0 (k - 1)", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(0, (p - 1) // 2):
                    rows += [torch.cos(2 * math.pi * (k + 0.5) * x / p), torch.sin(2 * math.pi * (k + 0.5) * x / p)]
                basis = torch.stack(rows)
                return (basis / basis.norm(dim=1, keepdim=True)).float()
        """),
        ("frequency k / p without the 2 pi", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(math.pi * k * x / p), torch.sin(math.pi * k * x / p)]
                basis = torch.stack(rows)
                return (basis / basis.norm(dim=1, keepdim=True)).float()
        """),
        ("basis vectors as columns", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(2 * math.pi * k * x / p), torch.sin(2 * math.pi * k * x / p)]
                basis = torch.stack(rows)
                return (basis / basis.norm(dim=1, keepdim=True)).float().T
        """),
        ("x from linspace(0, 2 pi, p): the endpoint included (learner test)", """
            def fourier_basis(p):
                x = torch.linspace(0, 2 * math.pi, p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(k * x), torch.sin(k * x)]
                basis = torch.stack(rows)
                return (basis / basis.norm(dim=1, keepdim=True)).float()
        """),
        ("float64", """
            def fourier_basis(p):
                x = torch.arange(p, dtype=torch.float64)
                rows = [torch.ones(p, dtype=torch.float64)]
                for k in range(1, (p - 1) // 2 + 1):
                    rows += [torch.cos(2 * math.pi * k * x / p), torch.sin(2 * math.pi * k * x / p)]
                basis = torch.stack(rows)
                return basis / basis.norm(dim=1, keepdim=True)
        """),
    ],
    "fourier_component_norms": [
        ("the transpose of the basis (inverse transform)", """
            def fourier_component_norms(W, basis):
                return (basis.T @ W).norm(dim=-1)
        """),
        ("squared norms", """
            def fourier_component_norms(W, basis):
                return (basis @ W).pow(2).sum(dim=-1)
        """),
        ("norm over the wrong axis", """
            def fourier_component_norms(W, basis):
                return (basis @ W).norm(dim=0)
        """),
        ("rebuilds the Fourier basis instead of using the argument", """
            def fourier_component_norms(W, basis):
                return (fourier_basis(W.shape[0]) @ W).norm(dim=-1)
        """),
        ("sum of absolute coefficients", """
            def fourier_component_norms(W, basis):
                return (basis @ W).abs().sum(dim=-1)
        """),
    ],
    "key_frequencies": [
        ("off by one: indices of norms[1::2] returned as frequencies", """
            def key_frequencies(norms, rel_threshold=0.3):
                strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
                return [int(i) for i in (strength >= rel_threshold * strength.max()).nonzero().flatten()]
        """),
        ("cosine norms only", """
            def key_frequencies(norms, rel_threshold=0.3):
                strength = norms[1::2]
                return [int(i) + 1 for i in (strength >= rel_threshold * strength.max()).nonzero().flatten()]
        """),
        ("the constant included in the maximum", """
            def key_frequencies(norms, rel_threshold=0.3):
                strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
                return [int(i) + 1 for i in (strength >= rel_threshold * norms.max()).nonzero().flatten()]
        """),
        ("strict inequality", """
            def key_frequencies(norms, rel_threshold=0.3):
                strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
                return [int(i) + 1 for i in (strength > rel_threshold * strength.max()).nonzero().flatten()]
        """),
        ("sum of cos and sin norms instead of the root of squares", """
            def key_frequencies(norms, rel_threshold=0.3):
                strength = norms[1::2] + norms[2::2]
                return [int(i) + 1 for i in (strength >= rel_threshold * strength.max()).nonzero().flatten()]
        """),
        ("default threshold 0.5", """
            def key_frequencies(norms, rel_threshold=0.5):
                strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
                return [int(i) + 1 for i in (strength >= rel_threshold * strength.max()).nonzero().flatten()]
        """),
        ("returns a tensor", """
            def key_frequencies(norms, rel_threshold=0.3):
                strength = (norms[1::2] ** 2 + norms[2::2] ** 2).sqrt()
                return (strength >= rel_threshold * strength.max()).nonzero().flatten() + 1
        """),
    ],
    "fourier_2d": [
        ("columns of the basis (inverse transform)", """
            def fourier_2d(table, basis):
                return einsum(basis, basis, table, "a i, b j, a b ... -> i j ...")
        """),
        ("a and b swapped", """
            def fourier_2d(table, basis):
                return einsum(basis, basis, table, "i a, j b, b a ... -> i j ...")
        """),
        ("only the a axis transformed", """
            def fourier_2d(table, basis):
                return einsum(basis, table, "i a, a b ... -> i b ...")
        """),
        ("fourier_basis rebuilt from the shape", """
            def fourier_2d(table, basis):
                B = fourier_basis(table.shape[0])
                return einsum(B, B, table, "i a, j b, a b ... -> i j ...")
        """),
    ],
    "mlp_activation_table": [
        ("before the ReLU (hook_pre)", """
            def mlp_activation_table(model, p):
                tokens, _ = make_dataset(p)
                _, cache = model.run_with_cache(tokens)
                return cache["blocks.0.mlp.hook_pre"][:, -1].reshape(p, p, -1)
        """),
        ("the first position", """
            def mlp_activation_table(model, p):
                tokens, _ = make_dataset(p)
                _, cache = model.run_with_cache(tokens)
                return cache["blocks.0.mlp.hook_post"][:, 0].reshape(p, p, -1)
        """),
        ("a and b swapped", """
            def mlp_activation_table(model, p):
                tokens, _ = make_dataset(p)
                _, cache = model.run_with_cache(tokens)
                return cache["blocks.0.mlp.hook_post"][:, -1].reshape(p, p, -1).transpose(0, 1)
        """),
        ("the attention output instead of the neurons", """
            def mlp_activation_table(model, p):
                tokens, _ = make_dataset(p)
                _, cache = model.run_with_cache(tokens)
                return cache["blocks.0.hook_mlp_out"][:, -1].reshape(p, p, -1)
        """),
    ],
    "cos_features": [
        ("a * b instead of a + b", """
            def cos_features(p, freqs):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                diff = ((a * b)[:, None] - torch.arange(p)[None, :]).double()
                w = 2 * math.pi * torch.tensor(freqs, dtype=torch.float64) / p
                return torch.cos(diff[:, :, None] * w).float()
        """),
        ("a + b + c", """
            def cos_features(p, freqs):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                diff = ((a + b)[:, None] + torch.arange(p)[None, :]).double()
                w = 2 * math.pi * torch.tensor(freqs, dtype=torch.float64) / p
                return torch.cos(diff[:, :, None] * w).float()
        """),
        ("sine instead of cosine", """
            def cos_features(p, freqs):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                diff = ((a + b)[:, None] - torch.arange(p)[None, :]).double()
                w = 2 * math.pi * torch.tensor(freqs, dtype=torch.float64) / p
                return torch.sin(diff[:, :, None] * w).float()
        """),
        ("frequency k + 1", """
            def cos_features(p, freqs):
                a = torch.arange(p).repeat_interleave(p)
                b = torch.arange(p).repeat(p)
                diff = ((a + b)[:, None] - torch.arange(p)[None, :]).double()
                w = 2 * math.pi * (torch.tensor(freqs, dtype=torch.float64) + 1) / p
                return torch.cos(diff[:, :, None] * w).float()
        """),
    ],
    "fit_cos_logits": [
        ("projection without dividing by the squared norm", """
            def fit_cos_logits(logits, freqs):
                p = logits.shape[1]
                X = cos_features(p, freqs).reshape(-1, len(freqs))
                alpha = X.T @ logits.reshape(-1)
                return alpha, (X @ alpha).reshape(p * p, p)
        """),
        ("frequencies sorted (weights in the wrong order)", """
            def fit_cos_logits(logits, freqs):
                p = logits.shape[1]
                X = cos_features(p, sorted(freqs)).double().reshape(-1, len(freqs))
                alpha = torch.linalg.lstsq(X, logits.double().reshape(-1, 1)).solution.flatten()
                return alpha.float(), (X @ alpha).reshape(p * p, p).float()
        """),
        ("an intercept per row subtracted from the fit too", """
            def fit_cos_logits(logits, freqs):
                p = logits.shape[1]
                X = cos_features(p, freqs).double().reshape(-1, len(freqs))
                alpha = torch.linalg.lstsq(X, logits.double().reshape(-1, 1)).solution.flatten()
                fitted = (X @ alpha).reshape(p * p, p) + logits.double().mean(dim=-1, keepdim=True)
                return alpha.float(), fitted.float()
        """),
    ],
    "fraction_variance_explained": [
        ("not centred (1 - SSR / sum of squares)", """
            def fraction_variance_explained(target, fit):
                return float(1 - (target - fit).pow(2).sum() / target.pow(2).sum())
        """),
        ("the fit's variance over the target's", """
            def fraction_variance_explained(target, fit):
                return float((fit - fit.mean()).pow(2).sum() / (target - target.mean()).pow(2).sum())
        """),
        ("centred on the fit's mean", """
            def fraction_variance_explained(target, fit):
                return float(1 - (target - fit).pow(2).sum() / (target - fit.mean()).pow(2).sum())
        """),
        ("unbiased variance in the denominator (learner test)", """
            def fraction_variance_explained(target, fit):
                return float(1 - ((target - fit) ** 2).mean() / target.var())
        """),
        ("the unexplained fraction", """
            def fraction_variance_explained(target, fit):
                return float((target - fit).pow(2).sum() / (target - target.mean()).pow(2).sum())
        """),
    ],
    "sum_frequency_component": [
        ("directions not normalised", """
            def sum_frequency_component(logits, freqs):
                p = logits.shape[1]
                s = (torch.arange(p).repeat_interleave(p) + torch.arange(p).repeat(p)).double()
                cols = []
                for k in freqs:
                    cols += [torch.cos(2 * math.pi * k * s / p), torch.sin(2 * math.pi * k * s / p)]
                U = torch.stack(cols, dim=1)
                return (U @ (U.T @ logits.double())).float()
        """),
        ("a - b instead of a + b", """
            def sum_frequency_component(logits, freqs):
                p = logits.shape[1]
                s = (torch.arange(p).repeat_interleave(p) - torch.arange(p).repeat(p)).double()
                cols = []
                for k in freqs:
                    cols += [torch.cos(2 * math.pi * k * s / p), torch.sin(2 * math.pi * k * s / p)]
                U = torch.stack(cols, dim=1)
                U = U / U.norm(dim=0, keepdim=True)
                return (U @ (U.T @ logits.double())).float()
        """),
        ("cosines only", """
            def sum_frequency_component(logits, freqs):
                p = logits.shape[1]
                s = (torch.arange(p).repeat_interleave(p) + torch.arange(p).repeat(p)).double()
                U = torch.stack([torch.cos(2 * math.pi * k * s / p) for k in freqs], dim=1)
                U = U / U.norm(dim=0, keepdim=True)
                return (U @ (U.T @ logits.double())).float()
        """),
        ("a * b instead of a + b", """
            def sum_frequency_component(logits, freqs):
                p = logits.shape[1]
                s = (torch.arange(p).repeat_interleave(p) * torch.arange(p).repeat(p)).double()
                cols = []
                for k in freqs:
                    cols += [torch.cos(2 * math.pi * k * s / p), torch.sin(2 * math.pi * k * s / p)]
                U = torch.stack(cols, dim=1)
                U = U / U.norm(dim=0, keepdim=True)
                return (U @ (U.T @ logits.double())).float()
        """),
        ("the constant direction projected too", """
            def sum_frequency_component(logits, freqs):
                p = logits.shape[1]
                s = (torch.arange(p).repeat_interleave(p) + torch.arange(p).repeat(p)).double()
                cols = [torch.ones_like(s)]
                for k in freqs:
                    cols += [torch.cos(2 * math.pi * k * s / p), torch.sin(2 * math.pi * k * s / p)]
                U = torch.stack(cols, dim=1)
                U = U / U.norm(dim=0, keepdim=True)
                return (U @ (U.T @ logits.double())).float()
        """),
        ("projection along the output axis c", """
            def sum_frequency_component(logits, freqs):
                p = logits.shape[1]
                c = torch.arange(p).double()
                cols = []
                for k in freqs:
                    cols += [torch.cos(2 * math.pi * k * c / p), torch.sin(2 * math.pi * k * c / p)]
                U = torch.stack(cols, dim=1)
                U = U / U.norm(dim=0, keepdim=True)
                return ((logits.double() @ U) @ U.T).float()
        """),
    ],
    "restricted_loss": [
        ("the constant term dropped", """
            def restricted_loss(logits, labels, freqs):
                restricted = sum_frequency_component(logits, freqs)
                return float(last_token_loss(restricted[:, None], labels))
        """),
        ("the per-row mean instead of the per-c constant", """
            def restricted_loss(logits, labels, freqs):
                restricted = logits.mean(dim=1, keepdim=True) + sum_frequency_component(logits, freqs)
                return float(last_token_loss(restricted[:, None], labels))
        """),
        ("the loss of the excluded logits", """
            def restricted_loss(logits, labels, freqs):
                restricted = logits - sum_frequency_component(logits, freqs)
                return float(last_token_loss(restricted[:, None], labels))
        """),
    ],
    "excluded_loss": [
        ("the constant removed too", """
            def excluded_loss(logits, labels, train_mask, freqs):
                excluded = logits - logits.mean(dim=0) - sum_frequency_component(logits, freqs)
                return float(last_token_loss(excluded[train_mask][:, None], labels[train_mask]))
        """),
        ("on the test pairs", """
            def excluded_loss(logits, labels, train_mask, freqs):
                excluded = logits - sum_frequency_component(logits, freqs)
                return float(last_token_loss(excluded[~train_mask][:, None], labels[~train_mask]))
        """),
        ("on all pairs", """
            def excluded_loss(logits, labels, train_mask, freqs):
                excluded = logits - sum_frequency_component(logits, freqs)
                return float(last_token_loss(excluded[:, None], labels))
        """),
        ("nothing excluded", """
            def excluded_loss(logits, labels, train_mask, freqs):
                return float(last_token_loss(logits[train_mask][:, None], labels[train_mask]))
        """),
    ],
}

EXTRA_ALTERNATIVES = {
    "fit_cos_logits": [("rows centred first (learner test)", """
        def fit_cos_logits(logits, freqs):
            p = logits.shape[1]
            y = (logits - logits.mean(dim=1, keepdim=True)).double().reshape(-1)
            X = cos_features(p, freqs).double().reshape(-1, len(freqs))
            alpha = torch.linalg.solve(X.T @ X, X.T @ y)
            return alpha.float(), (X @ alpha).reshape(p * p, p).float()
    """)],
    "mlp_activation_table": [("a full cache, indexed by the short name ('post', 0) (learner test)", """
        def mlp_activation_table(model, p):
            import einops
            tokens, _ = make_dataset(p)
            _, cache = model.run_with_cache(tokens)
            acts = cache["post", 0]
            return einops.rearrange(acts[:, -1], "(a b) n -> a b n", a=p)
    """)],
    "excluded_loss": [("float32 cross-entropy (learner test)", """
        def excluded_loss(logits, labels, train_mask, freqs):
            rest = logits - sum_frequency_component(logits, freqs)
            return torch.nn.functional.cross_entropy(rest[train_mask], labels[train_mask]).item()
    """)],
}

ALTERNATIVES = {
    "make_dataset": """
        def make_dataset(p):
            rows = [[a, b, p] for a in range(p) for b in range(p)]
            tokens = torch.tensor(rows, dtype=torch.long)
            return tokens, (tokens[:, 0] + tokens[:, 1]) % p
    """,
    "last_token_loss": """
        def last_token_loss(logits, labels):
            return torch.nn.functional.cross_entropy(logits[:, -1, :].to(torch.float64), labels)
    """,
    "train_test_accuracy": """
        def train_test_accuracy(logits, labels, train_mask):
            pred = logits.argmax(-1)
            tr = (pred[train_mask] == labels[train_mask]).sum().item() / int(train_mask.sum())
            te = (pred[~train_mask] == labels[~train_mask]).sum().item() / int((~train_mask).sum())
            return tr, te
    """,
    "first_step_reaching": """
        def first_step_reaching(steps, values, threshold):
            for s, v in zip(steps.tolist(), values.tolist()):
                if v >= threshold:
                    return s
            return None
    """,
    "fourier_basis": """
        def fourier_basis(p):
            x = torch.arange(p) * 2 * torch.pi / p
            basis = torch.zeros(p, p)
            basis[0] = 1 / p ** 0.5
            for k in range(1, p // 2 + 1):
                basis[2 * k - 1] = torch.cos(k * x) * (2 / p) ** 0.5
                basis[2 * k] = torch.sin(k * x) * (2 / p) ** 0.5
            return basis
    """,
    "fourier_component_norms": """
        def fourier_component_norms(W, basis):
            coeffs = einsum(basis, W, "i x, x d -> i d")
            return torch.linalg.vector_norm(coeffs, dim=1)
    """,
    "key_frequencies": """
        def key_frequencies(norms, rel_threshold=0.3):
            p = norms.shape[0]
            strength = {k: float(norms[2 * k - 1] ** 2 + norms[2 * k] ** 2) ** 0.5 for k in range(1, (p - 1) // 2 + 1)}
            top = max(strength.values())
            return sorted(k for k, s in strength.items() if s >= rel_threshold * top)
    """,
    "fourier_2d": """
        def fourier_2d(table, basis):
            p = table.shape[0]
            flat = table.reshape(p, p, -1)
            out = torch.stack([basis @ flat[:, :, n] @ basis.T for n in range(flat.shape[-1])], dim=-1)
            return out.reshape(table.shape)
    """,
    "mlp_activation_table": """
        def mlp_activation_table(model, p):
            tokens, _ = make_dataset(p)
            store = {}
            def keep(act, hook):
                store["post"] = act[:, -1].detach().clone()
            model.run_with_hooks(tokens, fwd_hooks=[("blocks.0.mlp.hook_post", keep)])
            return store["post"].view(p, p, -1)
    """,
    "cos_features": """
        def cos_features(p, freqs):
            out = torch.zeros(p * p, p, len(freqs))
            for a in range(p):
                for b in range(p):
                    for i, k in enumerate(freqs):
                        out[a * p + b, :, i] = torch.cos(2 * torch.pi * k * (a + b - torch.arange(p, dtype=torch.float64)) / p).float()
            return out
    """,
    "fit_cos_logits": """
        def fit_cos_logits(logits, freqs):
            p = logits.shape[1]
            X = cos_features(p, freqs).double().reshape(-1, len(freqs))
            alpha = torch.linalg.pinv(X) @ logits.double().reshape(-1)
            return alpha.float(), (X @ alpha).view(p * p, p).float()
    """,
    "fraction_variance_explained": """
        def fraction_variance_explained(target, fit):
            t, f = target.double().flatten(), fit.double().flatten()
            return 1.0 - float(((t - f) ** 2).mean() / t.var(unbiased=False))
    """,
    "sum_frequency_component": """
        def sum_frequency_component(logits, freqs):
            p = logits.shape[1]
            a = torch.arange(p).repeat_interleave(p)
            b = torch.arange(p).repeat(p)
            cols = []
            for k in freqs:
                angle = 2 * torch.pi * k * ((a + b) % p).double() / p
                cols += [angle.cos(), angle.sin()]
            Q, _ = torch.linalg.qr(torch.stack(cols, dim=1))
            return (Q @ Q.T @ logits.double()).float()
    """,
    "restricted_loss": """
        def restricted_loss(logits, labels, freqs):
            kept = sum_frequency_component(logits, freqs) + logits.mean(0, keepdim=True)
            return torch.nn.functional.cross_entropy(kept.double(), labels).item()
    """,
    "excluded_loss": """
        def excluded_loss(logits, labels, train_mask, freqs):
            rest = (logits - sum_frequency_component(logits, freqs)).double()
            idx = train_mask.nonzero().flatten()
            return torch.nn.functional.cross_entropy(rest[idx], labels[idx]).item()
    """,
}

ALL_ALTERNATIVES = {
    name: [("written differently", source)] + EXTRA_ALTERNATIVES.get(name, [])
    for name, source in ALTERNATIVES.items()
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALL_ALTERNATIVES))
