"""Section 1.7: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the mistakes the issue names and their relatives: elevation counted from the wrong
end (from the right) or exclusive of the current character, balance decided by the final count
alone or by the dip alone, hard-negative generators whose dip can only happen in one place, left
padding, the padding mask on the query axis, accuracy read at the last position or labelled by the
kind's name, attribution without the final LayerNorm's weight, centring or scale, an open fraction
diluted by padding, r instead of r². Alternatives are correct solutions in another style.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.7"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "elevation": [
        ("counted from the wrong end (from the right)", """
            def elevation(s):
                steps = torch.tensor([1 if ch == "(" else -1 for ch in s], dtype=torch.long)
                return steps.flip(0).cumsum(0).flip(0)
        """),
        ("counted from the right, in reading order", """
            def elevation(s):
                steps = torch.tensor([1 if ch == "(" else -1 for ch in s[::-1]], dtype=torch.long)
                return steps.cumsum(0)
        """),
        ("exclusive of the current character", """
            def elevation(s):
                steps = torch.tensor([1 if ch == "(" else -1 for ch in s], dtype=torch.long)
                return steps.cumsum(0) - steps
        """),
        ("sign flipped", """
            def elevation(s):
                steps = torch.tensor([-1 if ch == "(" else 1 for ch in s], dtype=torch.long)
                return steps.cumsum(0)
        """),
        ("float tensor", """
            def elevation(s):
                steps = torch.tensor([1.0 if ch == "(" else -1.0 for ch in s])
                return steps.cumsum(0)
        """),
    ],
    "is_balanced": [
        ("count only", """
            def is_balanced(s):
                return s.count("(") == s.count(")")
        """),
        ("never negative only", """
            def is_balanced(s):
                return not s or bool(elevation(s).min() >= 0)
        """),
        ("elevation counted from the right", """
            def is_balanced(s):
                if not s:
                    return True
                e = torch.tensor([1 if c == "(" else -1 for c in s]).flip(0).cumsum(0)
                return bool(e.min() >= 0) and int(e[-1]) == 0
        """),
        ("returns a tensor", """
            def is_balanced(s):
                if not s:
                    return True
                e = elevation(s)
                return (e.min() >= 0) & (e[-1] == 0)
        """),
        ("empty string unbalanced", """
            def is_balanced(s):
                if not s:
                    return False
                e = elevation(s)
                return bool(e.min() >= 0) and int(e[-1]) == 0
        """),
    ],
    "negative_dip_string": [
        ("dip always at the start", """
            def negative_dip_string(n_pairs, seed):
                rng = random.Random(seed)
                return ")(" + random_balanced(n_pairs - 1, rng)
        """),
        ("dip always at the end", """
            def negative_dip_string(n_pairs, seed):
                rng = random.Random(seed)
                return random_balanced(n_pairs - 1, rng) + ")("
        """),
        ("dip can go below -1 (a shuffle)", """
            def negative_dip_string(n_pairs, seed):
                rng = random.Random(seed)
                while True:
                    chars = list("(" * n_pairs + ")" * n_pairs)
                    rng.shuffle(chars)
                    s = "".join(chars)
                    if not is_balanced(s):
                        return s
        """),
        ("global random, not seeded", """
            def negative_dip_string(n_pairs, seed):
                rng = random.Random()
                before = rng.randint(0, n_pairs - 1)
                after = n_pairs - 1 - before
                return random_balanced(before, rng) + ")(" + random_balanced(after, rng)
        """),
        ("u ) v ( w with one pair too many", """
            def negative_dip_string(n_pairs, seed):
                rng = random.Random(seed)
                before = rng.randint(0, n_pairs - 1)
                return random_balanced(before, rng) + ")(" + random_balanced(n_pairs - before, rng)
        """),
    ],
    "too_many_opens_string": [
        ("always the last ')' flipped", """
            def too_many_opens_string(n_pairs, seed):
                s = random_balanced(n_pairs, random.Random(seed))
                i = s.rindex(")")
                return s[:i] + "(" + s[i + 1:]
        """),
        ("a '(' flipped instead (dips)", """
            def too_many_opens_string(n_pairs, seed):
                rng = random.Random(seed)
                chars = list(random_balanced(n_pairs, rng))
                opens = [i for i, ch in enumerate(chars) if ch == "("]
                chars[rng.choice(opens)] = ")"
                return "".join(chars)
        """),
        ("two extra opens appended (too long)", """
            def too_many_opens_string(n_pairs, seed):
                return random_balanced(n_pairs, random.Random(seed)) + "(("
        """),
        ("the same string for every seed", """
            def too_many_opens_string(n_pairs, seed):
                return "(" * (n_pairs + 1) + ")" * (n_pairs - 1)
        """),
    ],
    "tokenize": [
        ("left padding", """
            def tokenize(strings):
                width = 1 + max(len(s) for s in strings)
                out = torch.full((len(strings), width), PAD, dtype=torch.long)
                for r, s in enumerate(strings):
                    row = [START] + [OPEN if c == "(" else CLOSE for c in s]
                    out[r, width - len(row):] = torch.tensor(row)
                return out
        """),
        ("no [START]", """
            def tokenize(strings):
                width = max(len(s) for s in strings) + 1
                out = torch.full((len(strings), width), PAD, dtype=torch.long)
                for r, s in enumerate(strings):
                    for c, ch in enumerate(s):
                        out[r, c] = OPEN if ch == "(" else CLOSE
                return out
        """),
        ("ids swapped", """
            def tokenize(strings):
                width = 1 + max(len(s) for s in strings)
                out = torch.full((len(strings), width), PAD, dtype=torch.long)
                out[:, 0] = START
                for r, s in enumerate(strings):
                    for c, ch in enumerate(s, start=1):
                        out[r, c] = CLOSE if ch == "(" else OPEN
                return out
        """),
        ("width of the longest string (no room for START)", """
            def tokenize(strings):
                width = max(len(s) for s in strings)
                out = torch.full((len(strings), width + 1), PAD, dtype=torch.long)
                out[:, 0] = START
                for r, s in enumerate(strings):
                    for c, ch in enumerate(s[:width - 1], start=1):
                        out[r, c] = OPEN if ch == "(" else CLOSE
                return out
        """),
    ],
    "mask_padding_keys": [
        ("masks the query axis", """
            def mask_padding_keys(scores, tokens):
                return scores.masked_fill((tokens == PAD)[:, None, :, None], float("-inf"))
        """),
        ("masks both axes", """
            def mask_padding_keys(scores, tokens):
                pad = tokens == PAD
                both = pad[:, None, :, None] | pad[:, None, None, :]
                return scores.masked_fill(both, float("-inf"))
        """),
        ("masks START too", """
            def mask_padding_keys(scores, tokens):
                return scores.masked_fill((tokens <= PAD)[:, None, None, :], float("-inf"))
        """),
        ("sets pads to 0", """
            def mask_padding_keys(scores, tokens):
                return scores.masked_fill((tokens == PAD)[:, None, None, :], 0.0)
        """),
        ("mask broadcast over the batch wrongly (head axis)", """
            def mask_padding_keys(scores, tokens):
                return scores.masked_fill((tokens == PAD)[None, :, None, :], float("-inf"))
        """),
    ],
    "accuracy_by_kind": [
        ("read at the last position", """
            def accuracy_by_kind(model, strings_by_kind):
                out = {}
                for kind, strings in strings_by_kind.items():
                    verdict = model(tokenize(strings))[:, -1].argmax(-1) == 1
                    truth = torch.tensor([is_balanced(s) for s in strings])
                    out[kind] = float((verdict == truth).float().mean())
                return out
        """),
        ("labels from the kind's name", """
            def accuracy_by_kind(model, strings_by_kind):
                out = {}
                for kind, strings in strings_by_kind.items():
                    verdict = model(tokenize(strings))[:, 0].argmax(-1) == 1
                    out[kind] = float((verdict == (kind == "balanced")).float().mean())
                return out
        """),
        ("index 0 taken as balanced", """
            def accuracy_by_kind(model, strings_by_kind):
                out = {}
                for kind, strings in strings_by_kind.items():
                    verdict = model(tokenize(strings))[:, 0].argmax(-1) == 0
                    truth = torch.tensor([is_balanced(s) for s in strings])
                    out[kind] = float((verdict == truth).float().mean())
                return out
        """),
        ("one string at a time without the padding but all kinds pooled", """
            def accuracy_by_kind(model, strings_by_kind):
                everything = [s for strings in strings_by_kind.values() for s in strings]
                verdict = model(tokenize(everything))[:, 0].argmax(-1) == 1
                truth = torch.tensor([is_balanced(s) for s in everything])
                acc = float((verdict == truth).float().mean())
                return {kind: acc for kind in strings_by_kind}
        """),
    ],
    "unbalanced_direction": [
        ("LayerNorm weight forgotten", """
            def unbalanced_direction(model):
                return model.W_U[:, 0] - model.W_U[:, 1]
        """),
        ("balanced minus unbalanced", """
            def unbalanced_direction(model):
                return model.ln_final.w * (model.W_U[:, 1] - model.W_U[:, 0])
        """),
        ("LayerNorm weight divided", """
            def unbalanced_direction(model):
                return (model.W_U[:, 0] - model.W_U[:, 1]) / model.ln_final.w
        """),
    ],
    "start_head_outputs": [
        ("last position", """
            def start_head_outputs(model, tokens):
                _, cache = model.run_with_cache(tokens)
                return torch.stack([einsum(cache["z", l][:, -1], model.W_O[l], "b h d, h d m -> b h m")
                                    for l in range(model.cfg.n_layers)], dim=1)
        """),
        ("b_O added to every head", """
            def start_head_outputs(model, tokens):
                _, cache = model.run_with_cache(tokens)
                return torch.stack([einsum(cache["z", l][:, 0], model.W_O[l], "b h d, h d m -> b h m")
                                    + model.b_O[l] for l in range(model.cfg.n_layers)], dim=1)
        """),
        ("layer and head axes swapped", """
            def start_head_outputs(model, tokens):
                _, cache = model.run_with_cache(tokens)
                return torch.stack([einsum(cache["z", l][:, 0], model.W_O[l], "b h d, h d m -> b h m")
                                    for l in range(model.cfg.n_layers)], dim=2)
        """),
        ("hook left attached", """
            def start_head_outputs(model, tokens):
                stored = {}
                def grab(z, hook):
                    stored[hook.layer()] = z[:, 0]
                for l in range(model.cfg.n_layers):
                    model.add_hook(f"blocks.{l}.attn.hook_z", grab)
                model(tokens)
                return torch.stack([einsum(stored[l], model.W_O[l], "b h d, h d m -> b h m")
                                    for l in range(model.cfg.n_layers)], dim=1)
        """),
    ],
    "direct_attribution": [
        ("not centred", """
            def direct_attribution(parts, scale, direction):
                return einsum(parts / scale[:, None, None], direction, "b i m, m -> b i")
        """),
        ("not divided by the scale", """
            def direct_attribution(parts, scale, direction):
                centred = parts - parts.mean(-1, keepdim=True)
                return einsum(centred, direction, "b i m, m -> b i")
        """),
        ("centred over the parts axis", """
            def direct_attribution(parts, scale, direction):
                centred = parts - parts.mean(1, keepdim=True)
                return einsum(centred / scale[:, None, None], direction, "b i m, m -> b i")
        """),
        ("multiplied by the scale", """
            def direct_attribution(parts, scale, direction):
                centred = parts - parts.mean(-1, keepdim=True)
                return einsum(centred * scale[:, None, None], direction, "b i m, m -> b i")
        """),
    ],
}

ALTERNATIVES = {
    "elevation": [
        ("running total in a loop", """
            def elevation(s):
                out, level = [], 0
                for ch in s:
                    level += 1 if ch == "(" else -1
                    out.append(level)
                return torch.tensor(out, dtype=torch.int64)
        """),
        ("counts of each bracket via cumsum of masks", """
            def elevation(s):
                t = torch.tensor([c == "(" for c in s], dtype=torch.bool)
                return t.long().cumsum(0) - (~t).long().cumsum(0)
        """),
    ],
    "is_balanced": """
        def is_balanced(s):
            level = 0
            for ch in s:
                level += 1 if ch == "(" else -1
                if level < 0:
                    return False
            return level == 0
    """,
    "negative_dip_string": [
        ("rejection: shuffles until the minimum is exactly -1", """
            def negative_dip_string(n_pairs, seed):
                rng = random.Random(seed)
                while True:
                    chars = list("(" * n_pairs + ")" * n_pairs)
                    rng.shuffle(chars)
                    s = "".join(chars)
                    if int(elevation(s).min()) == -1:
                        return s
        """),
        ("torch generator, insert ')(' into a balanced string at a boundary", """
            def negative_dip_string(n_pairs, seed):
                g = torch.Generator().manual_seed(seed)
                rng = random.Random(int(torch.randint(0, 10**9, (1,), generator=g)))
                base = random_balanced(n_pairs - 1, rng)
                cuts = [0] + [i + 1 for i, e in enumerate(elevation(base).tolist()) if e == 0]
                cut = cuts[int(torch.randint(0, len(cuts), (1,), generator=g))]
                return base[:cut] + ")(" + base[cut:]
        """),
    ],
    "too_many_opens_string": """
        def too_many_opens_string(n_pairs, seed):
            rng = random.Random(seed * 7919 + 1)
            s = random_balanced(n_pairs, rng)
            idx = [i for i, c in enumerate(s) if c == ")"]
            k = idx[rng.randrange(len(idx))]
            return s[:k] + "(" + s[k + 1:]
    """,
    "tokenize": """
        def tokenize(strings):
            width = 1 + max([len(s) for s in strings] + [0])
            rows = []
            for s in strings:
                ids = [START] + [{"(": OPEN, ")": CLOSE}[c] for c in s]
                rows.append(ids + [PAD] * (width - len(ids)))
            return torch.tensor(rows, dtype=torch.int64)
    """,
    "mask_padding_keys": """
        def mask_padding_keys(scores, tokens):
            pad = (tokens == PAD).float()[:, None, None, :]
            return scores - 1e9 * pad * (scores.abs() + 1) ** 0
    """,
    "accuracy_by_kind": """
        def accuracy_by_kind(model, strings_by_kind):
            result = {}
            for kind in strings_by_kind:
                right = 0
                for s in strings_by_kind[kind]:
                    logits = model(tokenize([s]))[0, 0]
                    right += int((logits[1] > logits[0]).item() == is_balanced(s))
                result[kind] = right / len(strings_by_kind[kind])
            return result
    """,
    "unbalanced_direction": """
        def unbalanced_direction(model):
            return (model.W_U * model.ln_final.w[:, None]) @ torch.tensor([1.0, -1.0])
    """,
    "start_head_outputs": """
        def start_head_outputs(model, tokens):
            _, cache = model.run_with_cache(tokens, names_filter=lambda n: n.endswith("hook_z"))
            outs = []
            for l in range(model.cfg.n_layers):
                z = cache["z", l][:, 0]
                outs.append((z[:, :, :, None] * model.W_O[l][None]).sum(2))
            return torch.stack(outs, 1)
    """,
    "direct_attribution": """
        def direct_attribution(parts, scale, direction):
            d = direction - direction.mean()
            return (parts @ d) / scale[:, None]
    """,
}


MUTANTS.update({
    "open_fraction": [
        ("divided by the padded width", """
            def open_fraction(tokens):
                return (tokens == OPEN).sum(-1).float() / (tokens.shape[1] - 1)
        """),
        ("counts [START] as a bracket", """
            def open_fraction(tokens):
                return (tokens == OPEN).sum(-1).float() / (tokens != PAD).sum(-1).float()
        """),
        ("fraction of closes", """
            def open_fraction(tokens):
                return (tokens == CLOSE).sum(-1).float() / (tokens >= OPEN).sum(-1).float()
        """),
    ],
    "linear_fit": [
        ("r instead of r squared", """
            def linear_fit(x, y):
                slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
                r = torch.corrcoef(torch.stack([x, y]))[0, 1]
                return float(slope), float(y.mean() - slope * x.mean()), float(r)
        """),
        ("no intercept", """
            def linear_fit(x, y):
                slope = (x * y).sum() / (x * x).sum()
                resid = y - slope * x
                return float(slope), 0.0, float(1 - (resid ** 2).sum() / ((y - y.mean()) ** 2).sum())
        """),
        ("x regressed on y", """
            def linear_fit(x, y):
                slope = ((x - x.mean()) * (y - y.mean())).sum() / ((y - y.mean()) ** 2).sum()
                r = torch.corrcoef(torch.stack([x, y]))[0, 1]
                return float(slope), float(y.mean() - slope * x.mean()), float(r ** 2)
        """),
    ],
})

ALTERNATIVES.update({
    "open_fraction": """
        def open_fraction(tokens):
            out = []
            for row in tokens.tolist():
                b = [t for t in row if t in (OPEN, CLOSE)]
                out.append(b.count(OPEN) / len(b))
            return torch.tensor(out)
    """,
    "linear_fit": """
        def linear_fit(x, y):
            A = torch.stack([x, torch.ones_like(x)], 1).double()
            sol = torch.linalg.lstsq(A, y.double()[:, None]).solution[:, 0]
            r = torch.corrcoef(torch.stack([x, y]))[0, 1]
            return sol[0].item(), sol[1].item(), (r ** 2).item()
    """,
})

MUTANTS["misclassified"] = [
    ("returns the correctly classified strings", """
        def misclassified(model, strings, batch_size=500):
            verdict = (model(tokenize(list(strings)))[:, 0].argmax(-1) == 1).tolist()
            return [s for s, v in zip(strings, verdict) if v == is_balanced(s)]
    """),
    ("read at the last position", """
        def misclassified(model, strings, batch_size=500):
            verdict = (model(tokenize(list(strings)))[:, -1].argmax(-1) == 1).tolist()
            return [s for s, v in zip(strings, verdict) if v != is_balanced(s)]
    """),
    ("order lost (sorted, deduplicated)", """
        def misclassified(model, strings, batch_size=500):
            verdict = (model(tokenize(list(strings)))[:, 0].argmax(-1) == 1).tolist()
            return sorted({s for s, v in zip(strings, verdict) if v != is_balanced(s)})
    """),
    ("default batch size changed", """
        def misclassified(model, strings, batch_size=64):
            verdict = (model(tokenize(list(strings)))[:, 0].argmax(-1) == 1).tolist()
            return [s for s, v in zip(strings, verdict) if v != is_balanced(s)]
    """),
]
ALTERNATIVES["misclassified"] = """
    def misclassified(model, strings, batch_size=500):
        out = []
        for s in strings:
            logits = model(tokenize([s]))[0, 0]
            if bool(logits[1] > logits[0]) != is_balanced(s):
                out.append(s)
        return out
"""

MUTANTS["negative_elevation_mask"] = [
    ("counted from the wrong end (from the right)", """
        def negative_elevation_mask(tokens):
            steps = (tokens == OPEN).long() - (tokens == CLOSE).long()
            return (steps.flip(-1).cumsum(-1).flip(-1) < 0) & (tokens >= OPEN)
    """),
    ("mirror rule: a suffix with more opens", """
        def negative_elevation_mask(tokens):
            steps = (tokens == OPEN).long() - (tokens == CLOSE).long()
            return (steps.flip(-1).cumsum(-1).flip(-1) > 0) & (tokens >= OPEN)
    """),
    ("exclusive of the current bracket", """
        def negative_elevation_mask(tokens):
            steps = (tokens == OPEN).long() - (tokens == CLOSE).long()
            return ((steps.cumsum(-1) - steps) < 0) & (tokens >= OPEN)
    """),
    ("padding not excluded", """
        def negative_elevation_mask(tokens):
            steps = (tokens == OPEN).long() - (tokens == CLOSE).long()
            return steps.cumsum(-1) < 0
    """),
    ("only the first dip", """
        def negative_elevation_mask(tokens):
            steps = (tokens == OPEN).long() - (tokens == CLOSE).long()
            neg = (steps.cumsum(-1) < 0) & (tokens >= OPEN)
            return neg & (neg.long().cumsum(-1) == 1)
    """),
]
ALTERNATIVES["negative_elevation_mask"] = """
    def negative_elevation_mask(tokens):
        out = torch.zeros(tokens.shape, dtype=torch.bool)
        for b in range(tokens.shape[0]):
            level = 0
            for p in range(tokens.shape[1]):
                t = int(tokens[b, p])
                if t in (OPEN, CLOSE):
                    level += 1 if t == OPEN else -1
                    out[b, p] = level < 0
        return out
"""
MUTANTS["attention_share"] = [
    ("key 0 of every query instead of query 0", """
        def attention_share(pattern, mask):
            return (pattern[..., 0] * mask[:, None, :]).sum(-1)
    """),
    ("renormalised by the number of masked keys", """
        def attention_share(pattern, mask):
            return (pattern[:, :, 0] * mask[:, None, :]).sum(-1) / mask.sum(-1, keepdim=True).clamp(min=1)
    """),
    ("averaged over all queries", """
        def attention_share(pattern, mask):
            return (pattern * mask[:, None, None, :]).sum(-1).mean(-1)
    """),
    ("mask broadcast over heads", """
        def attention_share(pattern, mask):
            return (pattern[:, :, 0] * mask[None, :, :]).sum(-1)
    """),
]
ALTERNATIVES["attention_share"] = """
    def attention_share(pattern, mask):
        return einsum(pattern[:, :, 0], mask.float(), "b h k, b k -> b h")
"""

# From a learner pass over the page (solutions written from the docstrings alone).
MUTANTS["tokenize"].append(("padded to the model's full context of 41 (learner test)", """
    def tokenize(strings):
        seqs = [torch.tensor([START] + [OPEN if c == "(" else CLOSE for c in s]) for s in strings]
        out = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD)
        return torch.cat([out, torch.full((len(strings), 41 - out.shape[1]), PAD)], 1)
"""))
MUTANTS["mask_padding_keys"].append(("masked_fill_ edits the scores in place (learner test)", """
    def mask_padding_keys(scores, tokens):
        return scores.masked_fill_((tokens == PAD)[:, None, None, :], -1e9)
"""))
MUTANTS["unbalanced_direction"].append(("LayerNorm bias added to the direction (learner test)", """
    def unbalanced_direction(model):
        return model.ln_final.w * (model.W_U[:, 0] - model.W_U[:, 1]) + model.ln_final.b
"""))
MUTANTS["start_head_outputs"].append(("b_O shared out among the heads (learner test)", """
    def start_head_outputs(model, tokens):
        _, cache = model.run_with_cache(tokens)
        return torch.stack([einsum(cache["z", l][:, 0], model.W_O[l], "b h d, h d m -> b h m")
                            + model.b_O[l] / model.cfg.n_heads for l in range(model.cfg.n_layers)], dim=1)
"""))
MUTANTS["direct_attribution"].append(("each part divided by its own std, not the frozen scale (learner test)", """
    def direct_attribution(parts, scale, direction):
        normed = (parts - parts.mean(-1, keepdim=True)) / parts.std(-1, keepdim=True)
        return (normed * direction).sum(-1)
"""))
MUTANTS["attention_share"].append(("renormalised over the bracket keys (learner test)", """
    def attention_share(pattern, mask):
        p = pattern[:, :, 0, 1:]
        return (p * mask[:, None, 1:]).sum(-1) / p.sum(-1)
"""))
ALTERNATIVES["tokenize"] = [
    ("lists padded by hand", ALTERNATIVES["tokenize"]),
    ("pad_sequence (learner test)", """
        def tokenize(strings):
            seqs = [torch.tensor([START] + [OPEN if c == "(" else CLOSE for c in s], dtype=torch.long)
                    for s in strings]
            return torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD)
    """),
]
ALTERNATIVES["mask_padding_keys"] = [
    ("a large negative multiple", ALTERNATIVES["mask_padding_keys"]),
    ("torch.where with finfo.min (learner test)", """
        def mask_padding_keys(scores, tokens):
            keep = (tokens != PAD)[:, None, None, :]
            return torch.where(keep, scores, torch.finfo(scores.dtype).min)
    """),
]
ALTERNATIVES["open_fraction"] = [
    ("a loop over rows", ALTERNATIVES["open_fraction"]),
    ("non-pad tokens minus [START] (learner test)", """
        def open_fraction(tokens):
            return (tokens == OPEN).float().sum(1) / ((tokens != PAD).float().sum(1) - 1)
    """),
]
ALTERNATIVES["linear_fit"] = [
    ("lstsq", ALTERNATIVES["linear_fit"]),
    ("numpy polyfit and corrcoef squared (learner test)", """
        def linear_fit(x, y):
            import numpy as np
            a, b = np.polyfit(x.double().numpy(), y.double().numpy(), 1)
            r = np.corrcoef(x.numpy(), y.numpy())[0, 1]
            return float(a), float(b), float(r ** 2)
    """),
]
ALTERNATIVES["elevation"].append(("itertools.accumulate (learner test)", """
    def elevation(s):
        from itertools import accumulate
        return torch.tensor(list(accumulate(1 if c == "(" else -1 for c in s)), dtype=torch.long)
"""))

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
