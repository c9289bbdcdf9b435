"""Section 1.6: the checks pass the reference and reject the stub and plausible mistakes.

The mutants include the bar the issue names — a function vector taken from the wrong token
position (the last column, which is padding for short rows; ``lengths`` instead of
``lengths - 1``; the first token) — and their relatives in every exercise that reads or writes a
position, plus reversed contrasts, sums taken as means, raw logits for log-probs, unseeded or
unnormalised random vectors, shuffles that keep outputs in place, and an off-by-one loss.
Alternatives are correct solutions in another style (loops, gather, index_add, F.cross_entropy).
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.6"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "icl_prompt": [
        ("zero-shot prompt with a space before the separator", """
            def icl_prompt(demos, query, sep=" ->"):
                if not demos:
                    return query + " " + sep.strip()
                return "\\n".join([f"{x}{sep} {y}" for x, y in demos] + [query + sep])
        """),
        ("trailing space after the separator", """
            def icl_prompt(demos, query, sep=" ->"):
                lines = [f"{x}{sep} {y}" for x, y in demos]
                return "\\n".join([*lines, f"{query}{sep} "])
        """),
        ("no space between separator and output", """
            def icl_prompt(demos, query, sep=" ->"):
                lines = [f"{x}{sep}{y}" for x, y in demos]
                return "\\n".join([*lines, f"{query}{sep}"])
        """),
        ("a newline after every line, including the query", """
            def icl_prompt(demos, query, sep=" ->"):
                return "".join(f"{x}{sep} {y}\\n" for x, y in demos) + f"{query}{sep}\\n"
        """),
        ("separator hard-coded", """
            def icl_prompt(demos, query, sep=" ->"):
                lines = [f"{x} -> {y}" for x, y in demos]
                return "\\n".join([*lines, f"{query} ->"])
        """),
    ],
    "shuffle_outputs": [
        ("a plain shuffle: some outputs stay in place", """
            def shuffle_outputs(demos, seed):
                if len(demos) < 2:
                    raise ValueError("too few")
                rng = random.Random(seed)
                outputs = [y for _, y in demos]
                rng.shuffle(outputs)
                return [(x, y) for (x, _), y in zip(demos, outputs)]
        """),
        ("shuffles whole pairs (inputs move too)", """
            def shuffle_outputs(demos, seed):
                if len(demos) < 2:
                    raise ValueError("too few")
                rng = random.Random(seed)
                demos = list(demos)
                while True:
                    out = demos[:]
                    rng.shuffle(out)
                    if all(a != b for a, b in zip(out, demos)):
                        return out
        """),
        ("the global random state, not the seed", """
            def shuffle_outputs(demos, seed):
                if len(demos) < 2:
                    raise ValueError("too few")
                outputs = [y for _, y in demos]
                while True:
                    perm = outputs[:]
                    random.shuffle(perm)
                    if all(a != b for a, b in zip(perm, outputs)):
                        return [(x, y) for (x, _), y in zip(demos, perm)]
        """),
        ("a rotation by one regardless of the seed", """
            def shuffle_outputs(demos, seed):
                if len(demos) < 2:
                    raise ValueError("too few")
                outputs = [y for _, y in demos]
                return [(x, y) for (x, _), y in zip(demos, outputs[1:] + outputs[:1])]
        """),
        ("no error for a single demo", """
            def shuffle_outputs(demos, seed):
                if len(demos) < 2:
                    return list(demos)
                rng = random.Random(seed)
                outputs = [y for _, y in demos]
                while True:
                    perm = outputs[:]
                    rng.shuffle(perm)
                    if all(a != b for a, b in zip(perm, outputs)):
                        return [(x, y) for (x, _), y in zip(demos, perm)]
        """),
    ],
    "gather_last": [
        ("the last column (padding for short rows)", """
            def gather_last(x, lengths):
                return x[:, -1]
        """),
        ("off by one: lengths, not lengths - 1 (clamped)", """
            def gather_last(x, lengths):
                return x[torch.arange(x.shape[0]), (lengths).clamp(max=x.shape[1] - 1)]
        """),
        ("every row's lengths for every row: a batch × batch grid", """
            def gather_last(x, lengths):
                return x[:, lengths - 1].mean(1)
        """),
        ("the first token", """
            def gather_last(x, lengths):
                return x[:, 0]
        """),
    ],
    "answer_logprobs": [
        ("log of softmax: underflows to -inf", """
            def answer_logprobs(last_logits, answer_ids):
                return last_logits.softmax(-1).log()[torch.arange(len(answer_ids)), answer_ids]
        """),
        ("the raw logit", """
            def answer_logprobs(last_logits, answer_ids):
                return last_logits[torch.arange(len(answer_ids)), answer_ids]
        """),
        ("the probability, not its log", """
            def answer_logprobs(last_logits, answer_ids):
                return last_logits.softmax(-1)[torch.arange(len(answer_ids)), answer_ids]
        """),
        ("log-softmax over the batch axis", """
            def answer_logprobs(last_logits, answer_ids):
                return last_logits.log_softmax(0)[torch.arange(len(answer_ids)), answer_ids]
        """),
        ("a batch × batch grid, averaged", """
            def answer_logprobs(last_logits, answer_ids):
                return last_logits.log_softmax(-1)[:, answer_ids].mean(1)
        """),
    ],
    "mean_last_z": [
        ("the function vector from the last column (padding)", """
            def mean_last_z(z, lengths):
                return z[:, -1].mean(0)
        """),
        ("from position lengths (one past the last token, clamped)", """
            def mean_last_z(z, lengths):
                idx = lengths.clamp(max=z.shape[1] - 1)
                return z[torch.arange(z.shape[0]), idx].mean(0)
        """),
        ("the mean over every real position, not the last", """
            def mean_last_z(z, lengths):
                mask = torch.arange(z.shape[1])[None, :] < lengths[:, None]
                return z[mask].mean(0)
        """),
        ("the sum over prompts, not the mean", """
            def mean_last_z(z, lengths):
                return gather_last(z, lengths).sum(0)
        """),
        ("the mean over heads, not prompts", """
            def mean_last_z(z, lengths):
                return gather_last(z, lengths).mean(1)
        """),
    ],
    "patch_last_hook": [
        ("patches the last column", """
            def patch_last_hook(z, hook, mean_z, head, lengths):
                out = z.clone()
                out[:, -1, head] = mean_z[head]
                return out
        """),
        ("patches every position", """
            def patch_last_hook(z, hook, mean_z, head, lengths):
                out = z.clone()
                out[:, :, head] = mean_z[head]
                return out
        """),
        ("patches every head at the last token", """
            def patch_last_hook(z, hook, mean_z, head, lengths):
                out = z.clone()
                rows = torch.arange(z.shape[0])
                out[rows, lengths - 1] = mean_z
                return out
        """),
        ("in place on z", """
            def patch_last_hook(z, hook, mean_z, head, lengths):
                z[torch.arange(z.shape[0]), lengths - 1, head] = mean_z[head]
                return z
        """),
        ("off by one: position lengths (clamped)", """
            def patch_last_hook(z, hook, mean_z, head, lengths):
                out = z.clone()
                out[torch.arange(z.shape[0]), lengths.clamp(max=z.shape[1] - 1), head] = mean_z[head]
                return out
        """),
    ],
    "top_heads": [
        ("topk: ties not in row-major order", """
            def top_heads(effects, k):
                idx = effects.flatten().topk(k).indices
                return [(int(i) // effects.shape[1], int(i) % effects.shape[1]) for i in idx]
        """),
        ("ranks by |effect|", """
            def top_heads(effects, k):
                flat = effects.abs().flatten().argsort(descending=True, stable=True)[:k]
                return [(int(i) // effects.shape[1], int(i) % effects.shape[1]) for i in flat]
        """),
        ("divides by n_layers", """
            def top_heads(effects, k):
                flat = effects.flatten().argsort(descending=True, stable=True)[:k]
                return [(int(i) // effects.shape[0], int(i) % effects.shape[0]) for i in flat]
        """),
        ("smallest first", """
            def top_heads(effects, k):
                flat = effects.flatten().argsort(stable=True)[:k]
                return [(int(i) // effects.shape[1], int(i) % effects.shape[1]) for i in flat]
        """),
        ("unstable sort (ties in any order), tensors not ints", """
            def top_heads(effects, k):
                flat = effects.flatten().topk(k).indices
                return [(i // effects.shape[1], i % effects.shape[1]) for i in flat]
        """),
    ],
    "function_vector": [
        ("the mean of the heads' outputs, not the sum", """
            def function_vector(mean_z, W_O, heads):
                if not heads:
                    return torch.zeros(W_O.shape[-1])
                return torch.stack([mean_z[l, h] @ W_O[l, h] for l, h in heads]).mean(0)
        """),
        ("(head, layer) swapped", """
            def function_vector(mean_z, W_O, heads):
                out = torch.zeros(W_O.shape[-1])
                for l, h in heads:
                    out = out + mean_z[h, l] @ W_O[h, l]
                return out
        """),
        ("z summed before W_O of the first head only", """
            def function_vector(mean_z, W_O, heads):
                if not heads:
                    return torch.zeros(W_O.shape[-1])
                z = sum(mean_z[l, h] for l, h in heads)
                l, h = heads[0]
                return z @ W_O[l, h]
        """),
        ("every head of the chosen layers", """
            def function_vector(mean_z, W_O, heads):
                out = torch.zeros(W_O.shape[-1])
                for l in sorted({l for l, _ in heads}):
                    out = out + (mean_z[l][:, :, None] * W_O[l]).sum((0, 1))
                return out
        """),
    ],
    "add_at_last_hook": [
        ("adds at every position", """
            def add_at_last_hook(resid, hook, vector, lengths):
                return resid + vector
        """),
        ("adds at the last column", """
            def add_at_last_hook(resid, hook, vector, lengths):
                out = resid.clone()
                out[:, -1] += vector
                return out
        """),
        ("in place on resid", """
            def add_at_last_hook(resid, hook, vector, lengths):
                rows = torch.arange(resid.shape[0])
                resid[rows, lengths - 1] += vector
                return resid
        """),
        ("replaces the activation instead of adding", """
            def add_at_last_hook(resid, hook, vector, lengths):
                out = resid.clone()
                out[torch.arange(resid.shape[0]), lengths - 1] = vector
                return out
        """),
        ("adds at every real position", """
            def add_at_last_hook(resid, hook, vector, lengths):
                mask = torch.arange(resid.shape[1])[None, :] < lengths[:, None]
                return resid + mask[..., None] * vector
        """),
    ],
    "random_vectors_like": [
        ("torch.manual_seed: right numbers, global random state changed", """
            def random_vectors_like(vector, n, seed):
                torch.manual_seed(seed)
                d = torch.randn(n, vector.shape[0])
                return (d / d.norm(dim=1, keepdim=True) * vector.norm()).to(vector.dtype)
        """),
        ("unit norm, not the vector's norm", """
            def random_vectors_like(vector, n, seed):
                gen = torch.Generator().manual_seed(seed)
                d = torch.randn(n, vector.shape[0], generator=gen)
                return (d / d.norm(dim=1, keepdim=True)).to(vector.dtype)
        """),
        ("Gaussians not normalised", """
            def random_vectors_like(vector, n, seed):
                gen = torch.Generator().manual_seed(seed)
                return (torch.randn(n, vector.shape[0], generator=gen) * vector.norm()).to(vector.dtype)
        """),
        ("the global generator, not the seed", """
            def random_vectors_like(vector, n, seed):
                d = torch.randn(n, vector.shape[0])
                return (d / d.norm(dim=1, keepdim=True) * vector.norm()).to(vector.dtype)
        """),
        ("normalised over the wrong axis", """
            def random_vectors_like(vector, n, seed):
                gen = torch.Generator().manual_seed(seed)
                d = torch.randn(n, vector.shape[0], generator=gen)
                return (d / d.norm(dim=0, keepdim=True) * vector.norm()).to(vector.dtype)
        """),
        ("uniform in a cube, not Gaussian", """
            def random_vectors_like(vector, n, seed):
                gen = torch.Generator().manual_seed(seed)
                d = torch.rand(n, vector.shape[0], generator=gen) - 0.5
                return (d / d.norm(dim=1, keepdim=True) * vector.norm()).to(vector.dtype)
        """),
        ("float32 always", """
            def random_vectors_like(vector, n, seed):
                gen = torch.Generator().manual_seed(seed)
                d = torch.randn(n, vector.shape[0], generator=gen)
                return d / d.norm(dim=1, keepdim=True) * vector.float().norm()
        """),
    ],
    "contrastive_direction": [
        ("negative − positive", """
            def contrastive_direction(positive, negative):
                if positive.shape != negative.shape:
                    raise ValueError("shapes")
                return (negative - positive).mean(0)
        """),
        ("normalised to unit norm", """
            def contrastive_direction(positive, negative):
                if positive.shape != negative.shape:
                    raise ValueError("shapes")
                d = (positive - negative).mean(0)
                return d / d.norm()
        """),
        ("mean over d_model", """
            def contrastive_direction(positive, negative):
                if positive.shape != negative.shape:
                    raise ValueError("shapes")
                return (positive - negative).mean(1)
        """),
        ("no shape check (broadcasts)", """
            def contrastive_direction(positive, negative):
                return positive.mean(0) - negative.mean(0)
        """),
    ],
    "sentiment_score": [
        ("mean log-prob over each set, not the log of the total", """
            def sentiment_score(last_logits, positive_ids, negative_ids):
                logp = last_logits.log_softmax(-1)
                return logp[:, list(positive_ids)].mean(-1) - logp[:, list(negative_ids)].mean(-1)
        """),
        ("max over each set", """
            def sentiment_score(last_logits, positive_ids, negative_ids):
                logp = last_logits.log_softmax(-1)
                return logp[:, list(positive_ids)].max(-1).values - logp[:, list(negative_ids)].max(-1).values
        """),
        ("unstable: log of summed exp of raw logits", """
            def sentiment_score(last_logits, positive_ids, negative_ids):
                p = last_logits.exp()
                return p[:, list(positive_ids)].sum(-1).log() - p[:, list(negative_ids)].sum(-1).log()
        """),
        ("negative − positive", """
            def sentiment_score(last_logits, positive_ids, negative_ids):
                logp = last_logits.log_softmax(-1)
                return (torch.logsumexp(logp[:, list(negative_ids)], -1)
                        - torch.logsumexp(logp[:, list(positive_ids)], -1))
        """),
    ],
    "next_token_loss": [
        ("no shift: logits at p scored on token p", """
            def next_token_loss(logits, tokens):
                logp = logits.log_softmax(-1)
                return -logp.gather(-1, tokens[..., None]).mean().item()
        """),
        ("shifted the wrong way", """
            def next_token_loss(logits, tokens):
                logp = logits[:, 1:].log_softmax(-1)
                return -logp.gather(-1, tokens[:, :-1, None]).mean().item()
        """),
        ("a tensor, not a float", """
            def next_token_loss(logits, tokens):
                logp = logits[:, :-1].log_softmax(-1)
                return -logp.gather(-1, tokens[:, 1:, None]).mean()
        """),
        ("the sum, not the mean", """
            def next_token_loss(logits, tokens):
                logp = logits[:, :-1].log_softmax(-1)
                return -logp.gather(-1, tokens[:, 1:, None]).sum().item()
        """),
    ],
}

ALTERNATIVES = {
    "icl_prompt": """
        def icl_prompt(demos, query, sep=" ->"):
            text = ""
            for x, y in demos:
                text += x + sep + " " + y + "\\n"
            return text + query + sep
    """,
    "shuffle_outputs": """
        def shuffle_outputs(demos, seed):
            n = len(demos)
            if n < 2:
                raise ValueError("a derangement needs two items")
            rng = random.Random(seed)
            while True:
                order = list(range(n))
                rng.shuffle(order)
                if all(i != j for i, j in enumerate(order)):
                    return [(demos[i][0], demos[j][1]) for i, j in enumerate(order)]
    """,
    "gather_last": """
        def gather_last(x, lengths):
            idx = (lengths - 1).view(-1, *([1] * (x.dim() - 1))).expand(-1, 1, *x.shape[2:])
            return x.gather(1, idx).squeeze(1)
    """,
    "answer_logprobs": """
        def answer_logprobs(last_logits, answer_ids):
            lp = torch.log_softmax(last_logits, dim=1)
            return lp.gather(1, answer_ids[:, None])[:, 0]
    """,
    "mean_last_z": """
        def mean_last_z(z, lengths):
            total = torch.zeros(z.shape[2:])
            for b in range(z.shape[0]):
                total += z[b, lengths[b] - 1]
            return total / z.shape[0]
    """,
    "patch_last_hook": """
        def patch_last_hook(z, hook, mean_z, head, lengths):
            out = z.clone()
            for b in range(z.shape[0]):
                out[b, int(lengths[b]) - 1, head] = mean_z[head]
            return out
    """,
    "top_heads": """
        def top_heads(effects, k):
            n_layers, n_heads = effects.shape
            cells = [(-effects[l, h].item(), l, h) for l in range(n_layers) for h in range(n_heads)]
            return [(l, h) for _, l, h in sorted(cells)[:k]]
    """,
    "function_vector": """
        def function_vector(mean_z, W_O, heads):
            mask = torch.zeros(mean_z.shape[:2])
            for l, h in heads:
                mask[l, h] += 1
            return torch.einsum("lhd,lhdm,lh->m", mean_z, W_O, mask)
    """,
    "add_at_last_hook": """
        def add_at_last_hook(resid, hook, vector, lengths):
            onehot = torch.nn.functional.one_hot(lengths - 1, resid.shape[1]).to(resid.dtype)
            return resid + onehot[:, :, None] * vector
    """,
    "random_vectors_like": """
        def random_vectors_like(vector, n, seed):
            g = torch.Generator()
            g.manual_seed(seed)
            d = torch.randn((n, len(vector)), generator=g)
            return torch.nn.functional.normalize(d, dim=-1).mul(vector.norm()).type(vector.dtype)
    """,
    "contrastive_direction": """
        def contrastive_direction(positive, negative):
            if positive.shape != negative.shape:
                raise ValueError("positive and negative must have the same shape")
            return positive.mean(0) - negative.mean(0)
    """,
    "sentiment_score": """
        def sentiment_score(last_logits, positive_ids, negative_ids):
            pos = torch.logsumexp(last_logits[:, list(positive_ids)], -1)
            neg = torch.logsumexp(last_logits[:, list(negative_ids)], -1)
            return pos - neg
    """,
    "next_token_loss": """
        def next_token_loss(logits, tokens):
            return torch.nn.functional.cross_entropy(
                logits[:, :-1].reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1)).item()
    """,
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
