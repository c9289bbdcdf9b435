"""Section 1.5: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the mistakes the issue names and their relatives: a difference of means with the
classes swapped, sums instead of means, a bias of the wrong sign; a logistic probe fitted on all
rows (test rows included), with the labels flipped or without a bias; accuracy and AUC against
flipped labels, ties not counted as 1/2; a transposed transfer matrix; a logit difference of the
wrong sign or read at the padded last position; a steering vector not normalised; steering at the
wrong positions; a flip rate with the wrong denominator. Alternatives are correct solutions in
another style (loops, sorting, torch helpers). The head-level mutants: per-head probes fitted
on the validation rows or scored on the training rows, an axis mixed up, an ITI shift without
normalisation or with the wrong sigma, the wrong heads shifted, a hook that ignores the mask.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.5"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "difference_of_means_probe": [
        ("bias from the mean of the true class only (learner test)", """
            def difference_of_means_probe(acts, labels):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                w = mu_t - mu_f
                return w, -(w @ mu_t)
        """),
        ("classes swapped: mean(false) - mean(true)", """
            def difference_of_means_probe(acts, labels):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                w = mu_f - mu_t
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("sums instead of means", """
            def difference_of_means_probe(acts, labels):
                s_t, s_f = acts[labels].sum(0), acts[~labels].sum(0)
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                w = s_t - s_f
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("bias of the wrong sign", """
            def difference_of_means_probe(acts, labels):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                w = mu_t - mu_f
                return w, (w @ (mu_t + mu_f)) / 2
        """),
        ("no bias (boundary through the origin)", """
            def difference_of_means_probe(acts, labels):
                w = acts[labels].mean(0) - acts[~labels].mean(0)
                return w, torch.tensor(0.0)
        """),
        ("direction normalised (the docstring says not)", """
            def difference_of_means_probe(acts, labels):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                w = mu_t - mu_f
                w = w / w.norm()
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("midpoint is the overall mean (wrong with unequal classes)", """
            def difference_of_means_probe(acts, labels):
                w = acts[labels].mean(0) - acts[~labels].mean(0)
                return w, -(w @ acts.mean(0))
        """),
    ],
    "fit_logistic_probe": [
        ("SGD instead of Adam (learner test)", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                x, y = acts[train_mask], labels[train_mask].float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.SGD([w, b], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
                        (loss + weight_decay * (w ** 2).sum()).backward()
                        opt.step()
                return w.detach(), b.detach()
        """),
        ("fitted on every row, held-out rows included", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                x, y = acts, labels.float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.Adam([w, b], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
                        (loss + weight_decay * (w ** 2).sum()).backward()
                        opt.step()
                return w.detach(), b.detach()
        """),
        ("standardised with statistics of all rows (test rows leak in)", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                mu = acts.mean(0)
                x, y = acts[train_mask] - mu, labels[train_mask].float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.Adam([w, b], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
                        (loss + weight_decay * (w ** 2).sum()).backward()
                        opt.step()
                return w.detach(), (b - mu @ w).detach()
        """),
        ("labels flipped (true = 0)", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                x, y = acts[train_mask], (~labels[train_mask]).float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.Adam([w, b], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
                        (loss + weight_decay * (w ** 2).sum()).backward()
                        opt.step()
                return w.detach(), b.detach()
        """),
        ("no bias", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                x, y = acts[train_mask], labels[train_mask].float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                opt = torch.optim.Adam([w], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w, y)
                        (loss + weight_decay * (w ** 2).sum()).backward()
                        opt.step()
                return w.detach(), torch.tensor(0.0)
        """),
        ("default learning rate 0.1", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.1, weight_decay=1e-3):
                x, y = acts[train_mask], labels[train_mask].float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.Adam([w, b], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
                        (loss + weight_decay * (w ** 2).sum()).backward()
                        opt.step()
                return w.detach(), b.detach()
        """),
        ("weight decay left out", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                x, y = acts[train_mask], labels[train_mask].float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.Adam([w, b], lr=lr)
                with torch.enable_grad():
                    for _ in range(steps):
                        opt.zero_grad()
                        torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y).backward()
                        opt.step()
                return w.detach(), b.detach()
        """),
        ("fails when the caller has gradients off (no enable_grad)", """
            def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
                x, y = acts[train_mask], labels[train_mask].float()
                w = torch.zeros(x.shape[1], requires_grad=True)
                b = torch.zeros((), requires_grad=True)
                opt = torch.optim.Adam([w, b], lr=lr)
                for _ in range(steps):
                    opt.zero_grad()
                    loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
                    (loss + weight_decay * (w ** 2).sum()).backward()
                    opt.step()
                return w.detach(), b.detach()
        """),
    ],
    "probe_accuracy": [
        ("labels flipped", """
            def probe_accuracy(scores, labels):
                return ((scores > 0) == ~labels).float().mean().item()
        """),
        ("a score of 0 predicted true (>=)", """
            def probe_accuracy(scores, labels):
                return ((scores >= 0) == labels).float().mean().item()
        """),
        ("returns a tensor, not a float", """
            def probe_accuracy(scores, labels):
                return ((scores > 0) == labels).float().mean()
        """),
    ],
    "roc_auc": [
        ("rank formula without averaging tied ranks (learner test)", """
            def roc_auc(scores, labels):
                ranks = torch.empty(len(scores))
                ranks[scores.argsort()] = torch.arange(1, len(scores) + 1, dtype=torch.float)
                n1 = int(labels.sum()); n0 = len(labels) - n1
                return float((ranks[labels].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
        """),
        ("labels flipped (1 - AUC)", """
            def roc_auc(scores, labels):
                pos, neg = scores[~labels], scores[labels]
                return ((pos[:, None] > neg[None, :]).float()
                        + 0.5 * (pos[:, None] == neg[None, :]).float()).mean().item()
        """),
        ("ties counted as losses", """
            def roc_auc(scores, labels):
                pos, neg = scores[labels], scores[~labels]
                return (pos[:, None] > neg[None, :]).float().mean().item()
        """),
        ("ties counted as wins", """
            def roc_auc(scores, labels):
                pos, neg = scores[labels], scores[~labels]
                return (pos[:, None] >= neg[None, :]).float().mean().item()
        """),
        ("accuracy at threshold 0 instead of AUC", """
            def roc_auc(scores, labels):
                return ((scores > 0) == labels).float().mean().item()
        """),
    ],
    "transfer_matrix": [
        ("transposed: rows = tested on", """
            def transfer_matrix(train, test, fit):
                probes = [fit(a, y) for a, y in train.values()]
                return torch.tensor([[((a @ w + b > 0) == y).float().mean().item() for w, b in probes]
                                     for a, y in test.values()])
        """),
        ("each probe fitted on the test set of the same index", """
            def transfer_matrix(train, test, fit):
                probes = [fit(a, y) for a, y in test.values()]
                return torch.tensor([[((a @ w + b > 0) == y).float().mean().item()
                                      for a, y in test.values()] for w, b in probes])
        """),
        ("bias ignored when scoring", """
            def transfer_matrix(train, test, fit):
                probes = [fit(a, y) for a, y in train.values()]
                return torch.tensor([[((a @ w > 0) == y).float().mean().item()
                                      for a, y in test.values()] for w, b in probes])
        """),
    ],
    "format_prompt": [
        ("trailing space after 'Answer:'", """
            def format_prompt(statement, shots=()):
                blocks = [f"Statement: {s}\\nAnswer: {'True' if l else 'False'}\\n\\n" for s, l in shots]
                return "".join(blocks) + f"Statement: {statement}\\nAnswer: "
        """),
        ("shot labels swapped", """
            def format_prompt(statement, shots=()):
                blocks = [f"Statement: {s}\\nAnswer: {'False' if l else 'True'}\\n\\n" for s, l in shots]
                return "".join(blocks) + f"Statement: {statement}\\nAnswer:"
        """),
        ("one newline between shots", """
            def format_prompt(statement, shots=()):
                blocks = [f"Statement: {s}\\nAnswer: {'True' if l else 'False'}\\n" for s, l in shots]
                return "".join(blocks) + f"Statement: {statement}\\nAnswer:"
        """),
    ],
    "answer_logit_diff": [
        ("difference of probabilities, not logits (learner test)", """
            def answer_logit_diff(logits, lengths, true_id, false_id):
                p = logits[torch.arange(logits.shape[0]), lengths - 1].softmax(-1)
                return p[:, true_id] - p[:, false_id]
        """),
        ("False - True (wrong sign)", """
            def answer_logit_diff(logits, lengths, true_id, false_id):
                last = logits[torch.arange(logits.shape[0]), lengths - 1]
                return last[:, false_id] - last[:, true_id]
        """),
        ("read at the padded last position", """
            def answer_logit_diff(logits, lengths, true_id, false_id):
                return logits[:, -1, true_id] - logits[:, -1, false_id]
        """),
        ("off by one: position lengths[b]", """
            def answer_logit_diff(logits, lengths, true_id, false_id):
                idx = (lengths).clamp(max=logits.shape[1] - 1)
                last = logits[torch.arange(logits.shape[0]), idx]
                return last[:, true_id] - last[:, false_id]
        """),
        ("log-softmax of True only", """
            def answer_logit_diff(logits, lengths, true_id, false_id):
                last = logits[torch.arange(logits.shape[0]), lengths - 1].log_softmax(-1)
                return last[:, true_id]
        """),
    ],
    "median_residual_norm": [
        ("norm over the position axis (learner test)", """
            def median_residual_norm(resid, mask):
                return (resid * mask[..., None]).norm(dim=1).median().item()
        """),
        ("mask ignored (BOS and padding included)", """
            def median_residual_norm(resid, mask):
                return resid.norm(dim=-1).median().item()
        """),
        ("mean instead of median", """
            def median_residual_norm(resid, mask):
                return resid[mask].norm(dim=-1).mean().item()
        """),
        ("squared norm", """
            def median_residual_norm(resid, mask):
                return (resid[mask] ** 2).sum(-1).median().item()
        """),
        ("the upper middle value (quantile 0.5 interpolated)", """
            def median_residual_norm(resid, mask):
                return resid[mask].norm(dim=-1).quantile(0.5).item()
        """),
    ],
    "steering_vector": [
        ("normalised by the median norm instead of the direction's norm (learner test)", """
            def steering_vector(direction, median_norm, alpha):
                return alpha * direction / median_norm
        """),
        ("direction not normalised", """
            def steering_vector(direction, median_norm, alpha):
                return alpha * median_norm * direction
        """),
        ("|alpha| (sign lost)", """
            def steering_vector(direction, median_norm, alpha):
                return abs(alpha) * median_norm * direction / direction.norm()
        """),
        ("divided by the squared norm", """
            def steering_vector(direction, median_norm, alpha):
                return alpha * median_norm * direction / (direction ** 2).sum()
        """),
        ("median norm left out", """
            def steering_vector(direction, median_norm, alpha):
                return alpha * direction / direction.norm()
        """),
    ],
    "steering_mask": [
        ("one past the last real token (<= lengths) (learner test)", """
            def steering_mask(starts, lengths, n_pos):
                pos = torch.arange(n_pos)[None, :]
                return (pos >= starts[:, None]) & (pos <= lengths[:, None])
        """),
        ("the last real token left out (< lengths - 1)", """
            def steering_mask(starts, lengths, n_pos):
                pos = torch.arange(n_pos)[None, :]
                return (pos >= starts[:, None]) & (pos < lengths[:, None] - 1)
        """),
        ("padding steered too (every position from start)", """
            def steering_mask(starts, lengths, n_pos):
                pos = torch.arange(n_pos)[None, :]
                return (pos >= starts[:, None]).expand(len(starts), n_pos)
        """),
        ("starts one late (> starts)", """
            def steering_mask(starts, lengths, n_pos):
                pos = torch.arange(n_pos)[None, :]
                return (pos > starts[:, None]) & (pos < lengths[:, None])
        """),
        ("only the last real token", """
            def steering_mask(starts, lengths, n_pos):
                pos = torch.arange(n_pos)[None, :]
                return pos == lengths[:, None] - 1
        """),
        ("the prefix included (from position 0)", """
            def steering_mask(starts, lengths, n_pos):
                pos = torch.arange(n_pos)[None, :]
                return pos < lengths[:, None]
        """),
    ],
    "add_steering": [
        ("mask ignored (every position steered)", """
            def add_steering(resid, hook, vector, mask):
                if vector.dim() == 1:
                    return resid + vector
                return resid + vector[:, None, :]
        """),
        ("in place", """
            def add_steering(resid, hook, vector, mask):
                if vector.dim() == 1:
                    vector = vector.expand(resid.shape[0], -1)
                resid += mask[:, :, None] * vector[:, None, :]
                return resid
        """),
        ("per-row vectors broadcast along positions instead of rows", """
            def add_steering(resid, hook, vector, mask):
                if vector.dim() == 1:
                    return resid + mask[:, :, None] * vector
                return resid + mask[:, :, None] * vector[None, :, :].sum(1, keepdim=True)
        """),
    ],
    "flip_rate": [
        ("toward False, a steered difference of exactly 0 not counted as False (learner test)", """
            def flip_rate(base, steered, toward_true):
                eligible = (base <= 0) if toward_true else (base > 0)
                flipped = (steered > 0) if toward_true else (steered < 0)
                if not eligible.any():
                    return float("nan")
                return flipped[eligible].float().mean().item()
        """),
        ("denominator is every row", """
            def flip_rate(base, steered, toward_true):
                flipped = (steered > 0) if toward_true else (steered <= 0)
                eligible = (base <= 0) if toward_true else (base > 0)
                return (flipped & eligible).float().mean().item()
        """),
        ("fraction on the pushed side after steering, no eligibility", """
            def flip_rate(base, steered, toward_true):
                flipped = (steered > 0) if toward_true else (steered <= 0)
                return flipped.float().mean().item()
        """),
        ("a logit difference of 0 counted as True", """
            def flip_rate(base, steered, toward_true):
                eligible = (base < 0) if toward_true else (base >= 0)
                flipped = (steered >= 0) if toward_true else (steered < 0)
                if not eligible.any():
                    return float("nan")
                return flipped[eligible].float().mean().item()
        """),
        ("0.0 instead of nan when nothing is eligible", """
            def flip_rate(base, steered, toward_true):
                eligible = (base <= 0) if toward_true else (base > 0)
                flipped = (steered > 0) if toward_true else (steered <= 0)
                if not eligible.any():
                    return 0.0
                return flipped[eligible].float().mean().item()
        """),
    ],
    "head_probe_accuracies": [
        ("fitted on the validation rows", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                mu_t, mu_f = z_val[y_val].mean(0), z_val[~y_val].mean(0)
                w = mu_t - mu_f
                b = -(w * (mu_t + mu_f)).sum(-1) / 2
                scores = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
                return ((scores > 0) == y_val[:, None, None]).float().mean(0), w
        """),
        ("accuracy on the training rows", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                mu_t, mu_f = z_train[y_train].mean(0), z_train[~y_train].mean(0)
                w = mu_t - mu_f
                b = -(w * (mu_t + mu_f)).sum(-1) / 2
                scores = torch.einsum("mlhd,lhd->mlh", z_train, w) + b
                return ((scores > 0) == y_train[:, None, None]).float().mean(0), w
        """),
        ("midpoint from the validation rows (learner test)", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                w = z_train[y_train].mean(0) - z_train[~y_train].mean(0)
                b = -(w * z_val.mean(0)).sum(-1)
                s = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
                return ((s > 0) == y_val[:, None, None]).float().mean(0), w
        """),
        ("no bias", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                w = z_train[y_train].mean(0) - z_train[~y_train].mean(0)
                scores = torch.einsum("mlhd,lhd->mlh", z_val, w)
                return ((scores > 0) == y_val[:, None, None]).float().mean(0), w
        """),
        ("bias summed over every head, not per head", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                mu_t, mu_f = z_train[y_train].mean(0), z_train[~y_train].mean(0)
                w = mu_t - mu_f
                b = -(w * (mu_t + mu_f)).sum() / 2
                scores = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
                return ((scores > 0) == y_val[:, None, None]).float().mean(0), w
        """),
        ("classes swapped", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                mu_t, mu_f = z_train[y_train].mean(0), z_train[~y_train].mean(0)
                w = mu_f - mu_t
                b = -(w * (mu_t + mu_f)).sum(-1) / 2
                scores = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
                return ((scores > 0) == y_val[:, None, None]).float().mean(0), w
        """),
        ("accuracies transposed to [heads, layers]", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                mu_t, mu_f = z_train[y_train].mean(0), z_train[~y_train].mean(0)
                w = mu_t - mu_f
                b = -(w * (mu_t + mu_f)).sum(-1) / 2
                scores = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
                return ((scores > 0) == y_val[:, None, None]).float().mean(0).T, w
        """),
        ("a score of exactly 0 predicted true (learner test)", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                mt, mf = z_train[y_train].mean(0), z_train[~y_train].mean(0)
                w = mt - mf
                s = torch.einsum("mlhd,lhd->mlh", z_val - (mt + mf) / 2, w)
                return ((s >= 0) == y_val[:, None, None]).float().mean(0), w
        """),
        ("midpoint at the mean of all training rows", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                w = z_train[y_train].mean(0) - z_train[~y_train].mean(0)
                b = -(w * z_train.mean(0)).sum(-1)
                scores = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
                return ((scores > 0) == y_val[:, None, None]).float().mean(0), w
        """),
    ],
    "iti_shifts": [
        ("sigma as the variance, not the std (learner test)", """
            def iti_shifts(directions, z_train, heads, alpha):
                out = torch.zeros_like(directions)
                for l, h in heads:
                    u = directions[l, h] / directions[l, h].norm()
                    out[l, h] = alpha * (z_train[:, l, h] @ u).var() * u
                return out
        """),
        ("sigma as the mean absolute deviation (learner test)", """
            def iti_shifts(directions, z_train, heads, alpha):
                out = torch.zeros_like(directions)
                for l, h in heads:
                    u = directions[l, h] / directions[l, h].norm()
                    p = z_train[:, l, h] @ u
                    out[l, h] = alpha * (p - p.mean()).abs().mean() * u
                return out
        """),
        ("direction not normalised", """
            def iti_shifts(directions, z_train, heads, alpha):
                shifts = torch.zeros_like(directions)
                for l, h in heads:
                    d = directions[l, h]
                    shifts[l, h] = alpha * (z_train[:, l, h] @ (d / d.norm())).std() * d
                return shifts
        """),
        ("sigma over the whole head vector, not along the direction", """
            def iti_shifts(directions, z_train, heads, alpha):
                shifts = torch.zeros_like(directions)
                for l, h in heads:
                    unit = directions[l, h] / directions[l, h].norm()
                    shifts[l, h] = alpha * z_train[:, l, h].std() * unit
                return shifts
        """),
        ("biased std (unbiased=False)", """
            def iti_shifts(directions, z_train, heads, alpha):
                shifts = torch.zeros_like(directions)
                for l, h in heads:
                    unit = directions[l, h] / directions[l, h].norm()
                    shifts[l, h] = alpha * (z_train[:, l, h] @ unit).std(unbiased=False) * unit
                return shifts
        """),
        ("sigma left out", """
            def iti_shifts(directions, z_train, heads, alpha):
                shifts = torch.zeros_like(directions)
                for l, h in heads:
                    shifts[l, h] = alpha * directions[l, h] / directions[l, h].norm()
                return shifts
        """),
        ("(head, layer) read as (layer, head)", """
            def iti_shifts(directions, z_train, heads, alpha):
                shifts = torch.zeros_like(directions)
                for h, l in heads:
                    if l < directions.shape[0] and h < directions.shape[1]:
                        unit = directions[l, h] / directions[l, h].norm()
                        shifts[l, h] = alpha * (z_train[:, l, h] @ unit).std() * unit
                return shifts
        """),
        ("every head shifted", """
            def iti_shifts(directions, z_train, heads, alpha):
                unit = directions / directions.norm(dim=-1, keepdim=True)
                sigma = torch.einsum("nlhd,lhd->nlh", z_train, unit).std(0)
                return alpha * sigma[..., None] * unit
        """),
        ("directions modified in place", """
            def iti_shifts(directions, z_train, heads, alpha):
                shifts = torch.zeros_like(directions)
                for l, h in heads:
                    directions[l, h] /= directions[l, h].norm()
                    shifts[l, h] = alpha * (z_train[:, l, h] @ directions[l, h]).std() * directions[l, h]
                return shifts
        """),
    ],
    "iti_hook": [
        ("mask inverted in torch.where (learner test)", """
            def iti_hook(z, hook, shift, mask):
                return torch.where(mask[..., None, None], z, z + shift)
        """),
        ("mask ignored", """
            def iti_hook(z, hook, shift, mask):
                return z + shift
        """),
        ("in place", """
            def iti_hook(z, hook, shift, mask):
                z += mask[:, :, None, None] * shift
                return z
        """),
        ("mask broadcast over heads instead of positions", """
            def iti_hook(z, hook, shift, mask):
                return z + mask[:, None, :, None][..., : z.shape[2], :].float().sum(2, keepdim=True).clamp(max=1) * shift
        """),
        ("only the last masked position", """
            def iti_hook(z, hook, shift, mask):
                out = z.clone()
                last = mask.float().cumsum(1).argmax(1)
                out[torch.arange(z.shape[0]), last] += shift
                return out
        """),
    ],
}

ALTERNATIVES: dict[str, str | list[tuple[str, str]]] = {
    "difference_of_means_probe": """
        def difference_of_means_probe(acts, labels):
            y = labels.float()[:, None]
            mu_t = (acts * y).sum(0) / y.sum()
            mu_f = (acts * (1 - y)).sum(0) / (1 - y).sum()
            w = mu_t - mu_f
            return w, (mu_f @ mu_f - mu_t @ mu_t) / 2
    """,
    "fit_logistic_probe": """
        def fit_logistic_probe(acts, labels, train_mask, steps=200, lr=0.01, weight_decay=1e-3):
            idx = torch.nonzero(train_mask).flatten()
            x = acts.index_select(0, idx)
            y = labels.index_select(0, idx).to(torch.float32)
            params = torch.zeros(x.shape[1] + 1)
            params.requires_grad_(True)
            opt = torch.optim.Adam([params], lr=lr)
            with torch.enable_grad():
                for _ in range(steps):
                    opt.zero_grad()
                    z = x @ params[:-1] + params[-1]
                    loss = (torch.nn.functional.softplus(z) - y * z).mean()
                    loss = loss + weight_decay * params[:-1].pow(2).sum()
                    loss.backward()
                    opt.step()
            return params[:-1].detach().clone(), params[-1].detach().clone()
    """,
    "probe_accuracy": """
        def probe_accuracy(scores, labels):
            right = sum(bool(s > 0) == bool(l) for s, l in zip(scores, labels))
            return right / len(labels)
    """,
    "roc_auc": """
        def roc_auc(scores, labels):
            pos = [float(s) for s, l in zip(scores, labels) if l]
            neg = [float(s) for s, l in zip(scores, labels) if not l]
            total = 0.0
            for p in pos:
                for n in neg:
                    total += 1.0 if p > n else 0.5 if p == n else 0.0
            return total / (len(pos) * len(neg))
    """,
    "transfer_matrix": """
        def transfer_matrix(train, test, fit):
            out = torch.zeros(len(train), len(test))
            for i, (x_tr, y_tr) in enumerate(train.values()):
                w, b = fit(x_tr, y_tr)
                for j, (x_te, y_te) in enumerate(test.values()):
                    pred = torch.sigmoid(x_te @ w + b) > 0.5
                    out[i, j] = (pred == y_te).float().mean()
            return out
    """,
    "format_prompt": """
        def format_prompt(statement, shots=()):
            text = ""
            for s, label in shots:
                text += "Statement: " + s + "\\nAnswer: " + str(bool(label)) + "\\n\\n"
            return text + "Statement: " + statement + "\\nAnswer:"
    """,
    "answer_logit_diff": """
        def answer_logit_diff(logits, lengths, true_id, false_id):
            diff = logits[..., true_id] - logits[..., false_id]
            return diff.gather(1, (lengths - 1)[:, None]).squeeze(1)
    """,
    "median_residual_norm": """
        def median_residual_norm(resid, mask):
            norms = torch.linalg.vector_norm(resid, dim=-1)
            values = norms.masked_select(mask).sort().values
            return float(values[(len(values) - 1) // 2])
    """,
    "steering_vector": """
        def steering_vector(direction, median_norm, alpha):
            return torch.nn.functional.normalize(direction, dim=0) * (alpha * median_norm)
    """,
    "steering_mask": """
        def steering_mask(starts, lengths, n_pos):
            mask = torch.zeros(len(starts), n_pos, dtype=torch.bool)
            for b in range(len(starts)):
                mask[b, int(starts[b]):int(lengths[b])] = True
            return mask
    """,
    "add_steering": """
        def add_steering(resid, hook, vector, mask):
            vec = vector if vector.dim() == 2 else vector[None].repeat(resid.shape[0], 1)
            return torch.where(mask[..., None], resid + vec[:, None, :], resid)
    """,
    "flip_rate": """
        def flip_rate(base, steered, toward_true):
            sign = 1.0 if toward_true else -1.0
            was_pushed = (base > 0) == toward_true
            now_pushed = (steered > 0) == toward_true
            n = int((~was_pushed).sum())
            if n == 0:
                return float("nan")
            return int((now_pushed & ~was_pushed).sum()) / n * (sign * sign)
    """,
    "head_probe_accuracies": [
        ("two loops over the heads", """
        def head_probe_accuracies(z_train, y_train, z_val, y_val):
            n_layers, n_heads = z_train.shape[1], z_train.shape[2]
            acc = torch.zeros(n_layers, n_heads)
            w_all = torch.zeros(z_train.shape[1:])
            for l in range(n_layers):
                for h in range(n_heads):
                    x = z_train[:, l, h]
                    w = x[y_train].mean(0) - x[~y_train].mean(0)
                    b = -(w @ (x[y_train].mean(0) + x[~y_train].mean(0))) / 2
                    acc[l, h] = ((z_val[:, l, h] @ w + b > 0) == y_val).float().mean()
                    w_all[l, h] = w
            return acc, w_all
    """),
        ("heads flattened, means as weighted sums (learner test)", """
            def head_probe_accuracies(z_train, y_train, z_val, y_val):
                n, n_layers, n_heads, d = z_train.shape
                zt = z_train.reshape(n, n_layers * n_heads, d)
                zv = z_val.reshape(len(z_val), n_layers * n_heads, d)
                yt = y_train.float()[:, None, None]
                mt = (zt * yt).sum(0) / yt.sum()
                mf = (zt * (1 - yt)).sum(0) / (1 - yt).sum()
                w = mt - mf
                s = ((zv - (mt + mf) / 2) * w).sum(-1)
                acc = ((s > 0) == y_val[:, None]).float().mean(0)
                return acc.reshape(n_layers, n_heads), w.reshape(n_layers, n_heads, d)
        """),
    ],
    "iti_shifts": [
        ("vectorised with a keep mask", """
        def iti_shifts(directions, z_train, heads, alpha):
            keep = torch.zeros(directions.shape[:2], dtype=torch.bool)
            for l, h in heads:
                keep[l, h] = True
            unit = torch.nn.functional.normalize(directions, dim=-1)
            proj = (z_train * unit).sum(-1)
            sigma = proj.std(dim=0, correction=1)
            return torch.where(keep[..., None], alpha * sigma[..., None] * unit, torch.zeros(()))
    """),
        ("advanced indexing over the selected heads (learner test)", """
            def iti_shifts(directions, z_train, heads, alpha):
                out = torch.zeros(directions.shape)
                if len(heads) == 0:
                    return out
                ls = torch.tensor([l for l, _ in heads])
                hs = torch.tensor([h for _, h in heads])
                d = directions[ls, hs]
                u = d / d.norm(dim=-1, keepdim=True)
                sig = torch.einsum("nkd,kd->nk", z_train[:, ls, hs], u).std(0)
                out[ls, hs] = alpha * sig[:, None] * u
                return out
        """),
    ],
    "iti_hook": [
        ("torch.where", """
        def iti_hook(z, hook, shift, mask):
            return torch.where(mask[..., None, None], z + shift, z)
    """),
        ("einsum of mask and shift (learner test)", """
            def iti_hook(z, hook, shift, mask):
                return z + torch.einsum("bp,hd->bphd", mask.float(), shift)
        """),
    ],
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
