"""Section 4.2: the checks pass the reference and reject the stub and plausible mistakes.

Mutants: position −1 of a padded batch or the mask's argmax; norms over the wrong axis, of the
whole batch, squared or inverted; placeholder searches that accept missing or repeated
placeholders; injections that replace, are not norm-matched, match the wrong vector, use one
position for all rows or edit in place; hooks for tuples only or that drop the tuple's tail; a
two-way loss, swapped or summed targets; margins reversed or of probabilities; plain accuracy, a
pooled standard error, tensors; bootstraps pooled, unpaired, on the global RNG or in another draw
order; priors with ties or unseen questions True; permutations with fixed points or no seed;
first occurrences or starts.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "4.2"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "last_token_activations": [
        ("position −1 (a pad token for shorter rows)", """
            def last_token_activations(hidden, attention_mask):
                return hidden[:, -1]
        """),
        ("length instead of length − 1", """
            def last_token_activations(hidden, attention_mask):
                n = attention_mask.sum(1).clamp(max=hidden.shape[1] - 1)
                return hidden[torch.arange(hidden.shape[0]), n]
        """),
        ("one length for the whole batch (the first row's)", """
            def last_token_activations(hidden, attention_mask):
                return hidden[:, attention_mask[0].sum() - 1]
        """),
        ("argmin of the mask (the first pad, or 0 without padding)", """
            def last_token_activations(hidden, attention_mask):
                return hidden[torch.arange(hidden.shape[0]), attention_mask.argmin(1)]
        """),
    ],
    "norm_matched": [
        ("norms over the batch axis", """
            def norm_matched(vectors, reference):
                return vectors * reference.norm(dim=0, keepdim=True) / vectors.norm(dim=0, keepdim=True)
        """),
        ("one norm for the whole batch", """
            def norm_matched(vectors, reference):
                return vectors * reference.norm() / vectors.norm()
        """),
        ("ratio inverted", """
            def norm_matched(vectors, reference):
                return vectors * vectors.norm(dim=-1, keepdim=True) / reference.norm(dim=-1, keepdim=True)
        """),
        ("squared norms", """
            def norm_matched(vectors, reference):
                return vectors * (reference ** 2).sum(-1, keepdim=True) / (vectors ** 2).sum(-1, keepdim=True)
        """),
        ("unit vectors, the reference's norm forgotten", """
            def norm_matched(vectors, reference):
                return vectors / vectors.norm(dim=-1, keepdim=True)
        """),
        ("the reference's direction", """
            def norm_matched(vectors, reference):
                return reference * vectors.norm(dim=-1, keepdim=True) / reference.norm(dim=-1, keepdim=True)
        """),
    ],
    "placeholder_positions": [
        ("no validation: argmax of the hits", """
            def placeholder_positions(input_ids, token_id):
                return (input_ids == token_id).long().argmax(1)
        """),
        ("only rows without a placeholder refused", """
            def placeholder_positions(input_ids, token_id):
                hits = input_ids == token_id
                if not bool(hits.any(1).all()):
                    raise ValueError("missing")
                return hits.long().argmax(1)
        """),
        ("nonzero columns (wrong length when a row has several)", """
            def placeholder_positions(input_ids, token_id):
                return (input_ids == token_id).nonzero()[:, 1]
        """),
        ("total hit count compared with the number of rows (learner test)", """
            def placeholder_positions(input_ids, token_id):
                pos = (input_ids == token_id).nonzero()
                if len(pos) != len(input_ids):
                    raise ValueError("count")
                return pos[:, 1]
        """),
        ("int32 positions", """
            def placeholder_positions(input_ids, token_id):
                hits = input_ids == token_id
                if not bool((hits.sum(1) == 1).all()):
                    raise ValueError("count")
                return hits.int().argmax(1).int()
        """),
    ],
    "inject": [
        ("replaces the residual instead of adding", """
            def inject(hidden, vectors, positions):
                rows = torch.arange(hidden.shape[0])
                out = hidden.clone()
                out[rows, positions] = norm_matched(vectors, hidden[rows, positions])
                return out
        """),
        ("not norm-matched", """
            def inject(hidden, vectors, positions):
                rows = torch.arange(hidden.shape[0])
                out = hidden.clone()
                out[rows, positions] += vectors
                return out
        """),
        ("matched to the norm over the whole sequence", """
            def inject(hidden, vectors, positions):
                rows = torch.arange(hidden.shape[0])
                out = hidden.clone()
                out[rows, positions] += vectors * hidden.norm(dim=(1, 2))[:, None] / vectors.norm(dim=-1, keepdim=True)
                return out
        """),
        ("the first row's position for every row", """
            def inject(hidden, vectors, positions):
                out = hidden.clone()
                p = int(positions[0])
                out[:, p] += norm_matched(vectors, hidden[:, p])
                return out
        """),
        ("in place", """
            def inject(hidden, vectors, positions):
                rows = torch.arange(hidden.shape[0])
                hidden[rows, positions] += norm_matched(vectors, hidden[rows, positions])
                return hidden
        """),
        ("matched to the mean norm over the row's positions (learner test)", """
            def inject(hidden, vectors, positions):
                out = hidden.clone()
                r = torch.arange(len(hidden))
                scale = hidden.norm(dim=-1).mean(1, keepdim=True) / vectors.norm(dim=-1, keepdim=True)
                out[r, positions] = out[r, positions] + vectors * scale
                return out
        """),
        ("added at every position", """
            def inject(hidden, vectors, positions):
                rows = torch.arange(hidden.shape[0])
                return hidden + norm_matched(vectors, hidden[rows, positions])[:, None, :]
        """),
        ("rows and positions crossed (an outer index)", """
            def inject(hidden, vectors, positions):
                rows = torch.arange(hidden.shape[0])
                out = hidden.clone()
                ref_ = hidden[rows, positions]
                out[:, positions] += norm_matched(vectors, ref_)[:, None, :]
                return out
        """),
    ],
    "injection_hook": [
        ("tuples only", """
            def injection_hook(vectors, positions):
                def hook(module, inputs, output):
                    return (inject(output[0], vectors, positions), *output[1:])
                return hook
        """),
        ("tensors only", """
            def injection_hook(vectors, positions):
                def hook(module, inputs, output):
                    return inject(output, vectors, positions)
                return hook
        """),
        ("the tuple's tail dropped", """
            def injection_hook(vectors, positions):
                def hook(module, inputs, output):
                    if isinstance(output, tuple):
                        return (inject(output[0], vectors, positions),)
                    return inject(output, vectors, positions)
                return hook
        """),
        ("edits the output in place and returns None", """
            def injection_hook(vectors, positions):
                def hook(module, inputs, output):
                    h = output[0] if isinstance(output, tuple) else output
                    h.copy_(inject(h, vectors, positions))
                return hook
        """),
        ("injects into the inputs, returns them", """
            def injection_hook(vectors, positions):
                def hook(module, inputs, output):
                    return inject(inputs[0], vectors, positions) * 0 + (output[0] if isinstance(output, tuple) else output)
                return hook
        """),
    ],
    "oracle_loss": [
        ("two-way softmax over yes and no", """
            def oracle_loss(logits, labels, yes_id, no_id):
                two = logits[:, [yes_id, no_id]]
                return torch.nn.functional.cross_entropy(two, (~labels).long())
        """),
        ("targets swapped", """
            def oracle_loss(logits, labels, yes_id, no_id):
                t = torch.where(labels, torch.tensor(no_id), torch.tensor(yes_id))
                return torch.nn.functional.cross_entropy(logits, t)
        """),
        ("summed over the batch", """
            def oracle_loss(logits, labels, yes_id, no_id):
                t = torch.where(labels, torch.tensor(yes_id), torch.tensor(no_id))
                return torch.nn.functional.cross_entropy(logits, t, reduction="sum")
        """),
        ("log-softmax over the batch axis", """
            def oracle_loss(logits, labels, yes_id, no_id):
                t = torch.where(labels, torch.tensor(yes_id), torch.tensor(no_id))
                lp = logits.log_softmax(0)
                return -lp[torch.arange(len(t)), t].mean()
        """),
        ("raw logit, no softmax", """
            def oracle_loss(logits, labels, yes_id, no_id):
                t = torch.where(labels, torch.tensor(yes_id), torch.tensor(no_id))
                return -logits[torch.arange(len(t)), t].mean()
        """),
    ],
    "yes_no_margin": [
        ("no − yes", """
            def yes_no_margin(logits, yes_id, no_id):
                return logits[:, no_id] - logits[:, yes_id]
        """),
        ("difference of probabilities", """
            def yes_no_margin(logits, yes_id, no_id):
                p = logits.softmax(-1)
                return p[:, yes_id] - p[:, no_id]
        """),
        ("the yes logit alone", """
            def yes_no_margin(logits, yes_id, no_id):
                return logits[:, yes_id]
        """),
    ],
    "balanced_accuracy": [
        ("plain accuracy", """
            def balanced_accuracy(predictions, labels):
                n_pos, n_neg = int(labels.sum()), int((~labels).sum())
                if n_pos == 0 or n_neg == 0:
                    raise ValueError("empty")
                acc = float((predictions == labels).float().mean())
                return acc, (acc * (1 - acc) / len(labels)) ** 0.5
        """),
        ("rates over the predictions, not the labels (precision)", """
            def balanced_accuracy(predictions, labels):
                n_pos, n_neg = int(labels.sum()), int((~labels).sum())
                if n_pos == 0 or n_neg == 0:
                    raise ValueError("empty")
                tpr = float((predictions & labels).sum()) / max(1, int(predictions.sum()))
                tnr = float((~predictions & ~labels).sum()) / max(1, int((~predictions).sum()))
                se = 0.5 * (tpr * (1 - tpr) / n_pos + tnr * (1 - tnr) / n_neg) ** 0.5
                return (tpr + tnr) / 2, se
        """),
        ("standard error with the pooled n", """
            def balanced_accuracy(predictions, labels):
                n_pos, n_neg = int(labels.sum()), int((~labels).sum())
                if n_pos == 0 or n_neg == 0:
                    raise ValueError("empty")
                tpr = float((predictions & labels).sum()) / n_pos
                tnr = float((~predictions & ~labels).sum()) / n_neg
                ba = (tpr + tnr) / 2
                return ba, (ba * (1 - ba) / len(labels)) ** 0.5
        """),
        ("standard error from the summed variances over all records (learner test)", """
            def balanced_accuracy(predictions, labels):
                tp = (predictions & labels).sum().item(); fn = (~predictions & labels).sum().item()
                tn = (~predictions & ~labels).sum().item(); fp = (predictions & ~labels).sum().item()
                if tp + fn == 0 or tn + fp == 0:
                    raise ValueError("x")
                tpr, tnr = tp / (tp + fn), tn / (tn + fp)
                return (tpr + tnr) / 2, ((tpr * (1 - tpr) + tnr * (1 - tnr)) / (tp + fn + tn + fp)) ** 0.5
        """),
        ("standard error without the ½", """
            def balanced_accuracy(predictions, labels):
                n_pos, n_neg = int(labels.sum()), int((~labels).sum())
                if n_pos == 0 or n_neg == 0:
                    raise ValueError("empty")
                tpr = float((predictions & labels).sum()) / n_pos
                tnr = float((~predictions & ~labels).sum()) / n_neg
                return (tpr + tnr) / 2, (tpr * (1 - tpr) / n_pos + tnr * (1 - tnr) / n_neg) ** 0.5
        """),
        ("tensors, not floats", """
            def balanced_accuracy(predictions, labels):
                n_pos, n_neg = labels.sum(), (~labels).sum()
                if n_pos == 0 or n_neg == 0:
                    raise ValueError("empty")
                tpr = (predictions & labels).sum() / n_pos
                tnr = (~predictions & ~labels).sum() / n_neg
                return (tpr + tnr) / 2, 0.5 * (tpr * (1 - tpr) / n_pos + tnr * (1 - tnr) / n_neg).sqrt()
        """),
        ("no error on an empty class (nan)", """
            def balanced_accuracy(predictions, labels):
                n_pos, n_neg = int(labels.sum()), int((~labels).sum())
                tpr = float((predictions & labels).sum()) / max(n_pos, 1)
                tnr = float((~predictions & ~labels).sum()) / max(n_neg, 1)
                se = 0.5 * (tpr * (1 - tpr) / max(n_pos, 1) + tnr * (1 - tnr) / max(n_neg, 1)) ** 0.5
                return (tpr + tnr) / 2, se
        """),
    ],
    "paired_bootstrap_gap": [
        ("classes pooled in the resample", """
            def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
                g = torch.Generator().manual_seed(seed)
                n = len(labels)
                gaps = []
                for _ in range(n_boot):
                    i = torch.randint(n, (n,), generator=g)
                    if labels[i].all() or (~labels[i]).all():
                        continue
                    gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
                q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
                gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
                return gap, float(q[0]), float(q[1])
        """),
        ("unpaired: separate draws for a and b", """
            def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
                pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
                g = torch.Generator().manual_seed(seed)
                gaps = []
                for _ in range(n_boot):
                    i = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)], neg[torch.randint(len(neg), (len(neg),), generator=g)]])
                    j = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)], neg[torch.randint(len(neg), (len(neg),), generator=g)]])
                    gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[j], labels[j])[0])
                q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
                gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
                return gap, float(q[0]), float(q[1])
        """),
        ("the global RNG", """
            def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
                pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
                gaps = []
                for _ in range(n_boot):
                    i = torch.cat([pos[torch.randint(len(pos), (len(pos),))], neg[torch.randint(len(neg), (len(neg),))]])
                    gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
                q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
                gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
                return gap, float(q[0]), float(q[1])
        """),
        ("negatives drawn first", """
            def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
                pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
                g = torch.Generator().manual_seed(seed)
                gaps = []
                for _ in range(n_boot):
                    n_ = neg[torch.randint(len(neg), (len(neg),), generator=g)]
                    p_ = pos[torch.randint(len(pos), (len(pos),), generator=g)]
                    i = torch.cat([p_, n_])
                    gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
                q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
                gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
                return gap, float(q[0]), float(q[1])
        """),
        ("quantiles at alpha and 1 − alpha (a 90 % interval)", """
            def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
                pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
                g = torch.Generator().manual_seed(seed)
                gaps = []
                for _ in range(n_boot):
                    i = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)], neg[torch.randint(len(neg), (len(neg),), generator=g)]])
                    gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
                q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha, 1 - alpha], dtype=torch.float64))
                gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
                return gap, float(q[0]), float(q[1])
        """),
        ("the gap reported as the bootstrap mean", """
            def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
                pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
                g = torch.Generator().manual_seed(seed)
                gaps = []
                for _ in range(n_boot):
                    i = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)], neg[torch.randint(len(neg), (len(neg),), generator=g)]])
                    gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
                t = torch.tensor(gaps, dtype=torch.float64)
                q = torch.quantile(t, torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
                return float(t.mean()), float(q[0]), float(q[1])
        """),
    ],
    "question_prior": [
        ("ties go to True", """
            def question_prior(train_questions, train_labels, test_questions):
                tot, yes = {}, {}
                for q, y in zip(train_questions, train_labels.tolist()):
                    tot[q] = tot.get(q, 0) + 1
                    yes[q] = yes.get(q, 0) + int(y)
                return torch.tensor([q in tot and 2 * yes[q] >= tot[q] for q in test_questions])
        """),
        ("unseen questions go to True", """
            def question_prior(train_questions, train_labels, test_questions):
                tot, yes = {}, {}
                for q, y in zip(train_questions, train_labels.tolist()):
                    tot[q] = tot.get(q, 0) + 1
                    yes[q] = yes.get(q, 0) + int(y)
                return torch.tensor([2 * yes[q] > tot[q] if q in tot else True for q in test_questions])
        """),
        ("substring match of questions", """
            def question_prior(train_questions, train_labels, test_questions):
                out = []
                for t in test_questions:
                    ys = [y for q, y in zip(train_questions, train_labels.tolist()) if q.rstrip("?") in t]
                    out.append(len(ys) > 0 and 2 * sum(ys) > len(ys))
                return torch.tensor(out)
        """),
        ("the global majority, not per question", """
            def question_prior(train_questions, train_labels, test_questions):
                v = 2 * int(train_labels.sum()) > len(train_labels)
                return torch.tensor([v] * len(test_questions))
        """),
        ("the last training label of the question", """
            def question_prior(train_questions, train_labels, test_questions):
                last = dict(zip(train_questions, train_labels.tolist()))
                return torch.tensor([bool(last.get(q, False)) for q in test_questions])
        """),
    ],
    "derangement": [
        ("a plain permutation (fixed points allowed)", """
            def derangement(n, seed=0):
                if n < 2:
                    raise ValueError("n")
                return torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        """),
        ("a fixed shift by one (the seed ignored)", """
            def derangement(n, seed=0):
                if n < 2:
                    raise ValueError("n")
                return torch.roll(torch.arange(n), 1)
        """),
        ("the global RNG", """
            def derangement(n, seed=0):
                if n < 2:
                    raise ValueError("n")
                while True:
                    p = torch.randperm(n)
                    if not bool((p == torch.arange(n)).any()):
                        return p
        """),
        ("fixed points swapped with a neighbour (can create new ones)", """
            def derangement(n, seed=0):
                if n < 2:
                    raise ValueError("n")
                p = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
                for i in range(n - 1):
                    if p[i] == i:
                        p[i], p[i + 1] = p[i + 1].clone(), p[i].clone()
                return p
        """),
        ("no error for n = 1", """
            def derangement(n, seed=0):
                g = torch.Generator().manual_seed(seed)
                if n < 2:
                    return torch.zeros(n, dtype=torch.long)
                while True:
                    p = torch.randperm(n, generator=g)
                    if not bool((p == torch.arange(n)).any()):
                        return p
        """),
        ("default seed 1", """
            def derangement(n, seed=1):
                if n < 2:
                    raise ValueError("n")
                g = torch.Generator().manual_seed(seed)
                while True:
                    p = torch.randperm(n, generator=g)
                    if not bool((p == torch.arange(n)).any()):
                        return p
        """),
    ],
    "last_occurrence_end": [
        ("the first occurrence", """
            def last_occurrence_end(ids, pattern):
                ids, pattern = list(ids), list(pattern)
                if not pattern:
                    raise ValueError("empty")
                for s in range(len(ids) - len(pattern) + 1):
                    if ids[s:s + len(pattern)] == pattern:
                        return s + len(pattern) - 1
                raise ValueError("absent")
        """),
        ("the start, not the end", """
            def last_occurrence_end(ids, pattern):
                ids, pattern = list(ids), list(pattern)
                if not pattern:
                    raise ValueError("empty")
                for s in range(len(ids) - len(pattern), -1, -1):
                    if ids[s:s + len(pattern)] == pattern:
                        return s
                raise ValueError("absent")
        """),
        ("the last window missed", """
            def last_occurrence_end(ids, pattern):
                ids, pattern = list(ids), list(pattern)
                if not pattern:
                    raise ValueError("empty")
                for s in range(len(ids) - len(pattern) - 1, -1, -1):
                    if ids[s:s + len(pattern)] == pattern:
                        return s + len(pattern) - 1
                raise ValueError("absent")
        """),
        ("only the last token matched", """
            def last_occurrence_end(ids, pattern):
                ids, pattern = list(ids), list(pattern)
                if not pattern:
                    raise ValueError("empty")
                for s in range(len(ids) - 1, -1, -1):
                    if ids[s] == pattern[-1]:
                        return s
                raise ValueError("absent")
        """),
        ("-1 when absent", """
            def last_occurrence_end(ids, pattern):
                ids, pattern = list(ids), list(pattern)
                if not pattern:
                    raise ValueError("empty")
                for s in range(len(ids) - len(pattern), -1, -1):
                    if ids[s:s + len(pattern)] == pattern:
                        return s + len(pattern) - 1
                return -1
        """),
    ],
}

ALTERNATIVES = {
    "last_token_activations": [
        ("gather", """
            def last_token_activations(hidden, attention_mask):
                idx = (attention_mask.sum(1) - 1)[:, None, None].expand(-1, 1, hidden.shape[-1])
                return hidden.gather(1, idx).squeeze(1)
        """),
        ("first pad − 1, wrapping to −1 for a full row (learner test)", """
            def last_token_activations(hidden, attention_mask):
                return hidden[torch.arange(len(hidden)), attention_mask.argmin(1) - 1]
        """),
        ("argmax of the cumulative sum (learner test)", """
            def last_token_activations(hidden, attention_mask):
                return hidden[torch.arange(len(hidden)), attention_mask.cumsum(1).argmax(1)]
        """),
    ],
    "norm_matched": """
        def norm_matched(vectors, reference):
            unit = torch.nn.functional.normalize(vectors, dim=-1)
            return unit * torch.linalg.vector_norm(reference, dim=-1)[:, None]
    """,
    "placeholder_positions": """
        def placeholder_positions(input_ids, token_id):
            out = []
            for row in input_ids.tolist():
                if row.count(token_id) != 1:
                    raise ValueError("need one placeholder per row")
                out.append(row.index(token_id))
            return torch.tensor(out, dtype=torch.long)
    """,
    "inject": """
        def inject(hidden, vectors, positions):
            out = hidden.clone()
            for b in range(hidden.shape[0]):
                h = hidden[b, positions[b]]
                out[b, positions[b]] = h + vectors[b] / vectors[b].norm() * h.norm()
            return out
    """,
    "injection_hook": """
        def injection_hook(vectors, positions):
            def hook(module, inputs, output):
                if type(output) is tuple:
                    return tuple([inject(output[0], vectors, positions)] + list(output[1:]))
                return inject(output, vectors, positions)
            return hook
    """,
    "oracle_loss": [
        ("where on log-probabilities", """
            def oracle_loss(logits, labels, yes_id, no_id):
                lp = logits.log_softmax(-1)
                picked = torch.where(labels, lp[:, yes_id], lp[:, no_id])
                return -picked.mean()
        """),
        ("nll_loss with arithmetic targets (learner test)", """
            def oracle_loss(logits, labels, yes_id, no_id):
                t = labels.long() * yes_id + (~labels).long() * no_id
                return torch.nn.functional.nll_loss(logits.log_softmax(-1), t)
        """),
    ],
    "yes_no_margin": """
        def yes_no_margin(logits, yes_id, no_id):
            lp = logits.log_softmax(dim=-1)
            return lp[:, yes_id] - lp[:, no_id]
    """,
    "balanced_accuracy": """
        import math
        def balanced_accuracy(predictions, labels):
            pos, neg = predictions[labels], predictions[~labels]
            if len(pos) == 0 or len(neg) == 0:
                raise ValueError("both classes needed")
            tpr, tnr = pos.float().mean().item(), (~neg).float().mean().item()
            return 0.5 * (tpr + tnr), 0.5 * math.sqrt(tpr * (1 - tpr) / len(pos) + tnr * (1 - tnr) / len(neg))
    """,
    "paired_bootstrap_gap": """
        def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
            def ba(p, y):
                return 0.5 * (p[y].float().mean() + (~p[~y]).float().mean()).item()
            pos = torch.where(labels)[0]
            neg = torch.where(~labels)[0]
            gen = torch.Generator()
            gen.manual_seed(seed)
            out = torch.empty(n_boot, dtype=torch.float64)
            for k in range(n_boot):
                ip = pos[torch.randint(len(pos), (len(pos),), generator=gen)]
                ineg = neg[torch.randint(len(neg), (len(neg),), generator=gen)]
                i = torch.cat([ip, ineg])
                out[k] = ba(predictions_a[i], labels[i]) - ba(predictions_b[i], labels[i])
            lo, hi = torch.quantile(out, torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64)).tolist()
            return ba(predictions_a, labels) - ba(predictions_b, labels), lo, hi
    """,
    "question_prior": """
        from collections import Counter
        def question_prior(train_questions, train_labels, test_questions):
            total = Counter(train_questions)
            yes = Counter(q for q, y in zip(train_questions, train_labels.tolist()) if y)
            return torch.tensor([yes[q] > total[q] - yes[q] for q in test_questions], dtype=torch.bool)
    """,
    "derangement": [("Sattolo's algorithm with Python's random (learner test)", """
        def derangement(n, seed=0):
            import random
            if n < 2:
                raise ValueError("n")
            rng = random.Random(seed)
            items = list(range(n))
            for i in range(n - 1, 0, -1):
                j = rng.randrange(i)
                items[i], items[j] = items[j], items[i]
            return torch.tensor(items)
    """), ("one random cycle", """
        def derangement(n, seed=0):
            if n < 2:
                raise ValueError("need n >= 2")
            g = torch.Generator().manual_seed(seed)
            order = torch.randperm(n, generator=g)
            p = torch.empty(n, dtype=torch.long)
            p[order] = torch.roll(order, -1)   # one cycle through a random order: no fixed point
            return p
    """)],
    "last_occurrence_end": """
        def last_occurrence_end(ids, pattern):
            ids, pattern = list(ids), list(pattern)
            k = len(pattern)
            if k == 0:
                raise ValueError("empty pattern")
            hits = [s for s in range(len(ids) - k + 1) if ids[s:s + k] == pattern]
            if not hits:
                raise ValueError("not found")
            return hits[-1] + k - 1
    """,
}


# Second reviewer's learner test (written from the page alone): the wrong ones below marked
# "(was accepted)" passed the checks before the checks were strengthened.
_REVIEW_MUTANTS: list[tuple[str, str, str]] = [
    ('last_token_activations', 'assumes left padding (learner test 2)', """
        def last_token_activations(hidden, attention_mask):
            L = attention_mask.sum(1)
            return hidden[torch.arange(hidden.shape[0]), hidden.shape[1] - L]
    """),
    ('last_token_activations', 'no arange: broadcasts batch x batch (learner test 2)', """
        def last_token_activations(hidden, attention_mask):
            return hidden[:, attention_mask.sum(1) - 1]
    """),
    ('norm_matched', 'in-place mul_ (learner test 2)', """
        def norm_matched(vectors, reference):
            return vectors.mul_(reference.norm(dim=-1, keepdim=True) / vectors.norm(dim=-1, keepdim=True))
    """),
    ('norm_matched', 'L1 norm (learner test 2)', """
        def norm_matched(vectors, reference):
            return vectors * reference.abs().sum(-1, keepdim=True) / vectors.abs().sum(-1, keepdim=True)
    """),
    ('norm_matched', 'dim=1 no keepdim (broadcast bug) (learner test 2)', """
        def norm_matched(vectors, reference):
            return vectors * (reference.norm(dim=1) / vectors.norm(dim=1))
    """),
    ('placeholder_positions', 'assert instead of ValueError (learner test 2)', """
        def placeholder_positions(input_ids, token_id):
            hits = input_ids == token_id
            assert (hits.sum(1) == 1).all()
            return hits.long().argmax(1)
    """),
    ('placeholder_positions', 'cumsum off by one (position+1) (learner test 2)', """
        def placeholder_positions(input_ids, token_id):
            hits = input_ids == token_id
            if not bool((hits.sum(1) == 1).all()):
                raise ValueError("bad")
            return (hits.long().cumsum(1) == 0).sum(1) + 1
    """),
    ('placeholder_positions', 'returns python list (learner test 2)', """
        def placeholder_positions(input_ids, token_id):
            hits = input_ids == token_id
            if not bool((hits.sum(1) == 1).all()):
                raise ValueError("bad")
            return hits.long().argmax(1).tolist()
    """),
    ('inject', 'detach().clone() kills gradient (learner test 2, was accepted)', """
        def inject(hidden, vectors, positions):
            out = hidden.detach().clone()
            rows = torch.arange(hidden.shape[0])
            out[rows, positions] += norm_matched(vectors, hidden[rows, positions].detach())
            return out
    """),
    ('inject', 'reference = norm at position 0 (learner test 2)', """
        def inject(hidden, vectors, positions):
            rows = torch.arange(hidden.shape[0])
            delta = torch.zeros_like(hidden)
            delta[rows, positions] = norm_matched(vectors, hidden[:, 0])
            return hidden + delta
    """),
    ('inject', 'matched to norm of hidden+vectors (learner test 2)', """
        def inject(hidden, vectors, positions):
            rows = torch.arange(hidden.shape[0])
            delta = torch.zeros_like(hidden)
            delta[rows, positions] = norm_matched(vectors, hidden[rows, positions] + vectors)
            return hidden + delta
    """),
    ('inject', 'inject at position + 1 (learner test 2)', """
        def inject(hidden, vectors, positions):
            rows = torch.arange(hidden.shape[0])
            delta = torch.zeros_like(hidden)
            delta[rows, positions + 1] = norm_matched(vectors, hidden[rows, positions + 1])
            return hidden + delta
    """),
    ('injection_hook', 'returns a list for tuples (learner test 2)', """
        def injection_hook(vectors, positions):
            def hook(module, inputs, output):
                if torch.is_tensor(output):
                    return inject(output, vectors, positions)
                parts = list(output)
                parts[0] = inject(parts[0], vectors, positions)
                return parts
            return hook
    """),
    ('injection_hook', 'copy_ into output[0], returns None (learner test 2)', """
        def injection_hook(vectors, positions):
            def hook(module, inputs, output):
                h = output[0] if isinstance(output, tuple) else output
                h.copy_(inject(h, vectors, positions))
            return hook
    """),
    ('injection_hook', 'tensor case returns tuple (learner test 2)', """
        def injection_hook(vectors, positions):
            def hook(module, inputs, output):
                if isinstance(output, tuple):
                    return (inject(output[0], vectors, positions), *output[1:])
                return (inject(output, vectors, positions),)
            return hook
    """),
    ('oracle_loss', 'labels as class indices 0/1 (learner test 2)', """
        def oracle_loss(logits, labels, yes_id, no_id):
            return torch.nn.functional.cross_entropy(logits, labels.long())
    """),
    ('oracle_loss', 'index without rows (batch x batch) (learner test 2)', """
        def oracle_loss(logits, labels, yes_id, no_id):
            t = torch.where(labels, yes_id, no_id)
            return -logits.log_softmax(-1)[:, t].mean()
    """),
    ('oracle_loss', 'log of softmax (unstable) (learner test 2, was accepted)', """
        def oracle_loss(logits, labels, yes_id, no_id):
            t = torch.where(labels, yes_id, no_id)
            return -logits.softmax(-1)[torch.arange(len(t)), t].log().mean()
    """),
    ('yes_no_margin', 'list index keeps dim (learner test 2)', """
        def yes_no_margin(logits, yes_id, no_id):
            return logits[:, [yes_id]] - logits[:, [no_id]]
    """),
    ('yes_no_margin', 'sigmoid of margin (learner test 2)', """
        def yes_no_margin(logits, yes_id, no_id):
            return torch.sigmoid(logits[:, yes_id] - logits[:, no_id])
    """),
    ('yes_no_margin', 'log prob ratio within yes/no minus 0.5 (learner test 2)', """
        def yes_no_margin(logits, yes_id, no_id):
            return logits[:, [yes_id, no_id]].softmax(-1)[:, 0] - 0.5
    """),
    ('balanced_accuracy', 'sample variance n-1 (learner test 2)', """
        def balanced_accuracy(predictions, labels):
            n_pos, n_neg = int(labels.sum()), int((~labels).sum())
            if n_pos == 0 or n_neg == 0:
                raise ValueError("x")
            tpr = float((predictions & labels).sum()) / n_pos
            tnr = float((~predictions & ~labels).sum()) / n_neg
            se = 0.5 * (tpr * (1 - tpr) / max(n_pos - 1, 1) + tnr * (1 - tnr) / max(n_neg - 1, 1)) ** 0.5
            return (tpr + tnr) / 2, se
    """),
    ('balanced_accuracy', 'classes swapped (tpr over negatives) (learner test 2)', """
        def balanced_accuracy(predictions, labels):
            n_pos, n_neg = int(labels.sum()), int((~labels).sum())
            if n_pos == 0 or n_neg == 0:
                raise ValueError("x")
            tpr = float((predictions & ~labels).sum()) / n_neg
            tnr = float((~predictions & labels).sum()) / n_pos
            se = 0.5 * (tpr * (1 - tpr) / n_neg + tnr * (1 - tnr) / n_pos) ** 0.5
            return (tpr + tnr) / 2, se
    """),
    ('balanced_accuracy', 'se from ba as one proportion (learner test 2)', """
        def balanced_accuracy(predictions, labels):
            n_pos, n_neg = int(labels.sum()), int((~labels).sum())
            if n_pos == 0 or n_neg == 0:
                raise ValueError("x")
            tpr = float((predictions & labels).sum()) / n_pos
            tnr = float((~predictions & ~labels).sum()) / n_neg
            ba = (tpr + tnr) / 2
            return ba, (ba * (1 - ba) / len(labels)) ** 0.5
    """),
    ('paired_bootstrap_gap', 'randint values used as indices directly (not through pos/neg) (learner test 2)', """
        def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
            pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
            g = torch.Generator().manual_seed(seed)
            gaps = []
            for _ in range(n_boot):
                i = torch.cat([torch.randint(len(pos), (len(pos),), generator=g),
                               torch.randint(len(neg), (len(neg),), generator=g)])
                if labels[i].all() or (~labels[i]).all():
                    gaps.append(0.0); continue
                gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
            q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
            gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
            return gap, float(q[0]), float(q[1])
    """),
    ('paired_bootstrap_gap', 'nearest-rank quantile, not linear (learner test 2)', """
        def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
            pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
            g = torch.Generator().manual_seed(seed)
            gaps = []
            for _ in range(n_boot):
                i = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)],
                               neg[torch.randint(len(neg), (len(neg),), generator=g)]])
                gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
            s = sorted(gaps)
            gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
            return gap, float(s[int(alpha / 2 * n_boot)]), float(s[int((1 - alpha / 2) * n_boot) - 1])
    """),
    ('paired_bootstrap_gap', 'generator created inside the loop (learner test 2)', """
        def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
            pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
            gaps = []
            for _ in range(n_boot):
                g = torch.Generator().manual_seed(seed)
                i = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)],
                               neg[torch.randint(len(neg), (len(neg),), generator=g)]])
                gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0] - balanced_accuracy(predictions_b[i], labels[i])[0])
            q = torch.quantile(torch.tensor(gaps, dtype=torch.float64), torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
            gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
            return gap, float(q[0]), float(q[1])
    """),
    ('question_prior', 'ties True via mean >= 0.5 (learner test 2)', """
        def question_prior(train_questions, train_labels, test_questions):
            out = []
            for q in test_questions:
                ls = [l for tq, l in zip(train_questions, train_labels.tolist()) if tq == q]
                out.append(bool(ls) and sum(ls) / len(ls) >= 0.5)
            return torch.tensor(out, dtype=torch.bool)
    """),
    ('question_prior', 'stripped/lowercased keys (learner test 2, was accepted)', """
        def question_prior(train_questions, train_labels, test_questions):
            from collections import Counter
            n = Counter(q.lower().strip() for q in train_questions)
            y = Counter(q.lower().strip() for q, l in zip(train_questions, train_labels.tolist()) if l)
            return torch.tensor([2 * y[q.lower().strip()] > n[q.lower().strip()] for q in test_questions], dtype=torch.bool)
    """),
    ('question_prior', 'returns list of bools (learner test 2)', """
        def question_prior(train_questions, train_labels, test_questions):
            from collections import Counter
            n = Counter(train_questions)
            y = Counter(q for q, l in zip(train_questions, train_labels.tolist()) if l)
            return [2 * y[q] > n[q] for q in test_questions]
    """),
    ('derangement', 'torch.manual_seed (global RNG seeded) (learner test 2, was accepted)', """
        def derangement(n, seed=0):
            if n < 2:
                raise ValueError("n >= 2")
            torch.manual_seed(seed)
            while True:
                p = torch.randperm(n)
                if not bool((p == torch.arange(n)).any()):
                    return p
    """),
    ('derangement', 'int32 result (learner test 2)', """
        def derangement(n, seed=0):
            if n < 2:
                raise ValueError("n >= 2")
            g = torch.Generator().manual_seed(seed)
            while True:
                p = torch.randperm(n, generator=g, dtype=torch.int32)
                if not bool((p == torch.arange(n)).any()):
                    return p
    """),
    ('derangement', 'rejects only if p[0]==0 (learner test 2)', """
        def derangement(n, seed=0):
            if n < 2:
                raise ValueError("n >= 2")
            g = torch.Generator().manual_seed(seed)
            while True:
                p = torch.randperm(n, generator=g)
                if p[0] != 0:
                    return p
    """),
    ('last_occurrence_end', 'string rfind on joined ids (learner test 2, was accepted)', """
        def last_occurrence_end(ids, pattern):
            if not pattern:
                raise ValueError("empty")
            s = ",".join(map(str, ids)); p = ",".join(map(str, pattern))
            k = s.rfind(p)
            if k < 0:
                raise ValueError("absent")
            return s[:k].count(",") + len(pattern) - 1
    """),
    ('last_occurrence_end', 'one past the end (learner test 2)', """
        def last_occurrence_end(ids, pattern):
            ids, pattern = list(ids), list(pattern)
            if not pattern:
                raise ValueError("empty")
            for start in range(len(ids) - len(pattern), -1, -1):
                if ids[start:start + len(pattern)] == pattern:
                    return start + len(pattern)
            raise ValueError("absent")
    """),
    ('last_occurrence_end', 'misses occurrence at start 0 (learner test 2)', """
        def last_occurrence_end(ids, pattern):
            ids, pattern = list(ids), list(pattern)
            if not pattern:
                raise ValueError("empty")
            for start in range(len(ids) - len(pattern), 0, -1):
                if ids[start:start + len(pattern)] == pattern:
                    return start + len(pattern) - 1
            raise ValueError("absent")
    """),
]
_REVIEW_ALTERNATIVES: list[tuple[str, str, str]] = [
    ('last_token_activations', 'gather with index (learner test 2)', """
        def last_token_activations(hidden, attention_mask):
            idx = (attention_mask.long().sum(-1) - 1).view(-1, 1, 1).expand(-1, 1, hidden.shape[-1])
            return hidden.gather(1, idx).squeeze(1)
    """),
    ('norm_matched', 'F.normalize (learner test 2)', """
        def norm_matched(vectors, reference):
            return torch.nn.functional.normalize(vectors, dim=-1) * torch.linalg.vector_norm(reference, dim=-1, keepdim=True)
    """),
    ('placeholder_positions', 'python loop (learner test 2)', """
        def placeholder_positions(input_ids, token_id):
            out = []
            for row in input_ids.tolist():
                c = row.count(token_id)
                if c != 1:
                    raise ValueError(f"row has {c} placeholders")
                out.append(row.index(token_id))
            return torch.tensor(out, dtype=torch.int64)
    """),
    ('inject', 'clone and index add (learner test 2)', """
        def inject(hidden, vectors, positions):
            out = hidden.clone()
            rows = torch.arange(hidden.shape[0])
            out[rows, positions] = out[rows, positions] + norm_matched(vectors, hidden[rows, positions])
            return out
    """),
    ('injection_hook', 'list conversion (learner test 2)', """
        def injection_hook(vectors, positions):
            def hook(module, inputs, output):
                if torch.is_tensor(output):
                    return inject(output, vectors, positions)
                parts = list(output)
                parts[0] = inject(parts[0], vectors, positions)
                return tuple(parts)
            return hook
    """),
    ('oracle_loss', 'log_softmax gather (learner test 2)', """
        def oracle_loss(logits, labels, yes_id, no_id):
            t = labels.long() * yes_id + (1 - labels.long()) * no_id
            return -logits.log_softmax(-1).gather(1, t[:, None]).squeeze(1).mean()
    """),
    ('yes_no_margin', 'log_softmax difference (learner test 2)', """
        def yes_no_margin(logits, yes_id, no_id):
            lp = logits.log_softmax(-1)
            return lp[:, yes_id] - lp[:, no_id]
    """),
    ('balanced_accuracy', 'boolean masks mean (learner test 2)', """
        def balanced_accuracy(predictions, labels):
            if labels.all() or not labels.any():
                raise ValueError("need both classes")
            tpr = predictions[labels].float().mean().item()
            tnr = (~predictions[~labels]).float().mean().item()
            n_pos, n_neg = labels.sum().item(), (~labels).sum().item()
            import math
            return (tpr + tnr) / 2, 0.5 * math.sqrt(tpr * (1 - tpr) / n_pos + tnr * (1 - tnr) / n_neg)
    """),
    ('paired_bootstrap_gap', 'numpy percentile (learner test 2)', """
        def paired_bootstrap_gap(predictions_a, predictions_b, labels, n_boot=1000, seed=0, alpha=0.05):
            import numpy as np
            pos, neg = torch.where(labels)[0], torch.where(~labels)[0]
            g = torch.Generator().manual_seed(seed)
            def ba(p, y):
                return ((p & y).sum() / y.sum() + (~p & ~y).sum() / (~y).sum()).item() / 2
            out = []
            for _ in range(n_boot):
                ip = pos[torch.randint(len(pos), (len(pos),), generator=g)]
                ineg = neg[torch.randint(len(neg), (len(neg),), generator=g)]
                i = torch.cat([ip, ineg])
                out.append(ba(predictions_a[i], labels[i]) - ba(predictions_b[i], labels[i]))
            lo, hi = np.percentile(np.array(out, dtype=np.float64), [100 * alpha / 2, 100 * (1 - alpha / 2)])
            return ba(predictions_a, labels) - ba(predictions_b, labels), float(lo), float(hi)
    """),
    ('question_prior', 'Counter (learner test 2)', """
        def question_prior(train_questions, train_labels, test_questions):
            from collections import Counter
            n = Counter(train_questions)
            y = Counter(q for q, l in zip(train_questions, train_labels.tolist()) if l)
            return torch.tensor([y[q] > n[q] - y[q] for q in test_questions], dtype=torch.bool)
    """),
    ('derangement', 'rejection with python check (learner test 2)', """
        def derangement(n, seed=0):
            if n < 2:
                raise ValueError("n >= 2")
            g = torch.Generator()
            g.manual_seed(seed)
            while True:
                p = torch.randperm(n, generator=g)
                if all(int(v) != i for i, v in enumerate(p)):
                    return p.long()
    """),
    ('last_occurrence_end', 'reversed search (learner test 2)', """
        def last_occurrence_end(ids, pattern):
            ids, pattern = list(ids), list(pattern)
            if not pattern:
                raise ValueError("empty")
            r, rp = ids[::-1], pattern[::-1]
            for k in range(len(r) - len(rp) + 1):
                if r[k:k + len(rp)] == rp:
                    return len(ids) - 1 - k
            raise ValueError("absent")
    """),
]
for _name, _label, _src in _REVIEW_MUTANTS:
    MUTANTS[_name].append((_label, _src))
for _name, _label, _src in _REVIEW_ALTERNATIVES:
    _items = ALTERNATIVES[_name]
    if isinstance(_items, str):
        _items = ALTERNATIVES[_name] = [("alternative", _items)]
    _items.append((_label, _src))

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
