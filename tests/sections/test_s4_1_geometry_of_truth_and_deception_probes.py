"""Section 4.1: the checks pass the reference and reject the stub and plausible mistakes.

Mutants: a total (not within-class) covariance, the wrong divisor or an absolute ridge; cosines
normalised along the wrong axis or taken in absolute value; honest and dishonest rows grouped or
swapped, the instruction in the user's turn; prompt and reply tokenized apart, padding with 0, no
error on a merged seam; poolings off by one or averaged over the padding; a deception direction
of the wrong sign or length; substring matching of countries; a bootstrap that pools the classes,
draws without replacement, uses the global RNG or fixed quantiles; a TPR threshold off by one, by
quantile, or counting ties; a control with the wrong reply; a subsequence search that marks starts
only or misses the last window; a projection that assumes a unit vector.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "4.1"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "mass_mean_iid_probe": [
        ("total covariance: rows centred on the overall mean", """
            def mass_mean_iid_probe(acts, labels, ridge=0.1):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                c = acts - acts.mean(0)
                sigma = c.T @ c / len(acts)
                lam = ridge * sigma.diagonal().mean()
                w = torch.linalg.solve(sigma + lam * torch.eye(acts.shape[1]), mu_t - mu_f)
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("divided by n - 1", """
            def mass_mean_iid_probe(acts, labels, ridge=0.1):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                c = acts - torch.where(labels[:, None], mu_t, mu_f)
                sigma = c.T @ c / (len(acts) - 1)
                lam = ridge * sigma.diagonal().mean()
                w = torch.linalg.solve(sigma + lam * torch.eye(acts.shape[1]), mu_t - mu_f)
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("absolute ridge, not relative to the mean variance", """
            def mass_mean_iid_probe(acts, labels, ridge=0.1):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                c = acts - torch.where(labels[:, None], mu_t, mu_f)
                sigma = c.T @ c / len(acts)
                w = torch.linalg.solve(sigma + ridge * torch.eye(acts.shape[1]), mu_t - mu_f)
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("no covariance at all: the plain difference of means", """
            def mass_mean_iid_probe(acts, labels, ridge=0.1):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                w = mu_t - mu_f
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
        ("bias from the overall mean (wrong with unequal classes)", """
            def mass_mean_iid_probe(acts, labels, ridge=0.1):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                c = acts - torch.where(labels[:, None], mu_t, mu_f)
                sigma = c.T @ c / len(acts)
                lam = ridge * sigma.diagonal().mean()
                w = torch.linalg.solve(sigma + lam * torch.eye(acts.shape[1]), mu_t - mu_f)
                return w, -(w @ acts.mean(0))
        """),
        ("each class's covariance averaged, not pooled by count", """
            def mass_mean_iid_probe(acts, labels, ridge=0.1):
                mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
                ct, cf = acts[labels] - mu_t, acts[~labels] - mu_f
                sigma = (ct.T @ ct / len(ct) + cf.T @ cf / len(cf)) / 2
                lam = ridge * sigma.diagonal().mean()
                w = torch.linalg.solve(sigma + lam * torch.eye(acts.shape[1]), mu_t - mu_f)
                return w, -(w @ (mu_t + mu_f)) / 2
        """),
    ],
    "cosine_similarity_matrix": [
        ("dot products, not normalised", """
            def cosine_similarity_matrix(directions):
                return directions @ directions.T
        """),
        ("normalised along the wrong axis", """
            def cosine_similarity_matrix(directions):
                unit = directions / directions.norm(dim=0, keepdim=True)
                return unit @ unit.T
        """),
        ("absolute value of the cosine", """
            def cosine_similarity_matrix(directions):
                unit = directions / directions.norm(dim=1, keepdim=True)
                return (unit @ unit.T).abs()
        """),
        ("divided by the product of the norms squared", """
            def cosine_similarity_matrix(directions):
                n = directions.norm(dim=1)
                return directions @ directions.T / (n[:, None] * n[None, :]) ** 2
        """),
    ],
    "instructed_pairs": [
        ("all honest rows first, then all dishonest", """
            def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
                prompts, replies, labels = [], [], []
                for instruction, lie in ((honest, False), (dishonest, True)):
                    for q in questions:
                        m = [{"role": "system", "content": instruction}, {"role": "user", "content": q.question}]
                        prompts.append(tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True))
                        replies.append(q.wrong_answer if lie else q.answer)
                        labels.append(lie)
                return prompts, replies, torch.tensor(labels)
        """),
        ("instruction in the user's turn", """
            def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for instruction, reply, lie in ((honest, q.answer, False), (dishonest, q.wrong_answer, True)):
                        m = [{"role": "user", "content": instruction + " " + q.question}]
                        prompts.append(tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True))
                        replies.append(reply)
                        labels.append(lie)
                return prompts, replies, torch.tensor(labels)
        """),
        ("the dishonest row keeps the correct answer", """
            def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for instruction, lie in ((honest, False), (dishonest, True)):
                        m = [{"role": "system", "content": instruction}, {"role": "user", "content": q.question}]
                        prompts.append(tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True))
                        replies.append(q.answer)
                        labels.append(lie)
                return prompts, replies, torch.tensor(labels)
        """),
        ("labels swapped (True = honest)", """
            def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for instruction, reply, lie in ((honest, q.answer, False), (dishonest, q.wrong_answer, True)):
                        m = [{"role": "system", "content": instruction}, {"role": "user", "content": q.question}]
                        prompts.append(tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True))
                        replies.append(reply)
                        labels.append(not lie)
                return prompts, replies, torch.tensor(labels)
        """),
        ("no assistant header (add_generation_prompt left out)", """
            def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for instruction, reply, lie in ((honest, q.answer, False), (dishonest, q.wrong_answer, True)):
                        m = [{"role": "system", "content": instruction}, {"role": "user", "content": q.question}]
                        prompts.append(tokenizer.apply_chat_template(m, tokenize=False))
                        replies.append(reply)
                        labels.append(lie)
                return prompts, replies, torch.tensor(labels)
        """),
        ("labels as 0/1 integers", """
            def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for instruction, reply, lie in ((honest, q.answer, 0), (dishonest, q.wrong_answer, 1)):
                        m = [{"role": "system", "content": instruction}, {"role": "user", "content": q.question}]
                        prompts.append(tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True))
                        replies.append(reply)
                        labels.append(lie)
                return prompts, replies, torch.tensor(labels)
        """),
    ],
    "teacher_forced_batch": [
        ("prompt and reply tokenized apart and concatenated, no seam check", """
            def teacher_forced_batch(tokenizer, prompts, replies):
                rows, pl = [], []
                for p, r in zip(prompts, replies):
                    a = tokenizer(p, add_special_tokens=False)["input_ids"]
                    b = tokenizer(r, add_special_tokens=False)["input_ids"]
                    if not b:
                        raise ValueError("empty reply")
                    rows.append(a + b)
                    pl.append(len(a))
                lengths = torch.tensor([len(r) for r in rows])
                tokens = torch.full((len(rows), int(lengths.max())), tokenizer.pad_token_id)
                for i, r in enumerate(rows):
                    tokens[i, : len(r)] = torch.tensor(r)
                return tokens, torch.tensor(pl), lengths
        """),
        ("padded with 0, not the pad id", """
            def teacher_forced_batch(tokenizer, prompts, replies):
                rows, pl = [], []
                for p, r in zip(prompts, replies):
                    ids = tokenizer(p + r, add_special_tokens=False)["input_ids"]
                    a = tokenizer(p, add_special_tokens=False)["input_ids"]
                    if ids[: len(a)] != a or len(ids) == len(a):
                        raise ValueError("seam")
                    rows.append(ids)
                    pl.append(len(a))
                lengths = torch.tensor([len(r) for r in rows])
                tokens = torch.zeros((len(rows), int(lengths.max())), dtype=torch.long)
                for i, r in enumerate(rows):
                    tokens[i, : len(r)] = torch.tensor(r)
                return tokens, torch.tensor(pl), lengths
        """),
        ("lengths one short (the index of the last token, not the count)", """
            def teacher_forced_batch(tokenizer, prompts, replies):
                rows, pl = [], []
                for p, r in zip(prompts, replies):
                    ids = tokenizer(p + r, add_special_tokens=False)["input_ids"]
                    a = tokenizer(p, add_special_tokens=False)["input_ids"]
                    if ids[: len(a)] != a or len(ids) == len(a):
                        raise ValueError("seam")
                    rows.append(ids)
                    pl.append(len(a))
                lengths = torch.tensor([len(r) - 1 for r in rows])
                tokens = torch.full((len(rows), int(lengths.max()) + 1), tokenizer.pad_token_id)
                for i, r in enumerate(rows):
                    tokens[i, : len(r)] = torch.tensor(r)
                return tokens, torch.tensor(pl), lengths
        """),
        ("no error for an empty reply", """
            def teacher_forced_batch(tokenizer, prompts, replies):
                rows, pl = [], []
                for p, r in zip(prompts, replies):
                    ids = tokenizer(p + r, add_special_tokens=False)["input_ids"]
                    a = tokenizer(p, add_special_tokens=False)["input_ids"]
                    if ids[: len(a)] != a:
                        raise ValueError("seam")
                    rows.append(ids)
                    pl.append(len(a))
                lengths = torch.tensor([len(r) for r in rows])
                tokens = torch.full((len(rows), int(lengths.max())), tokenizer.pad_token_id)
                for i, r in enumerate(rows):
                    tokens[i, : len(r)] = torch.tensor(r)
                return tokens, torch.tensor(pl), lengths
        """),
    ],
    "pool_residuals": [
        ("last answer read at lengths (one past the end)", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
                rows = torch.arange(resid.shape[0])
                if how == "last_answer":
                    return resid[rows, (lengths).clamp(max=resid.shape[1] - 1)]
                if how == "last_prompt":
                    return resid[rows, prompt_lengths - 1]
                if how == "mean_answer":
                    pos = torch.arange(resid.shape[1])[None, :]
                    m = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
                    return (resid * m[..., None]).sum(1) / m.sum(1, keepdim=True)
                raise ValueError(how)
        """),
        ("last prompt read at prompt_lengths (the first answer token)", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
                rows = torch.arange(resid.shape[0])
                if how == "last_answer":
                    return resid[rows, lengths - 1]
                if how == "last_prompt":
                    return resid[rows, prompt_lengths]
                if how == "mean_answer":
                    pos = torch.arange(resid.shape[1])[None, :]
                    m = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
                    return (resid * m[..., None]).sum(1) / m.sum(1, keepdim=True)
                raise ValueError(how)
        """),
        ("mean divided by the padded length", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
                rows = torch.arange(resid.shape[0])
                if how == "last_answer":
                    return resid[rows, lengths - 1]
                if how == "last_prompt":
                    return resid[rows, prompt_lengths - 1]
                if how == "mean_answer":
                    pos = torch.arange(resid.shape[1])[None, :]
                    m = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
                    return (resid * m[..., None]).sum(1) / resid.shape[1]
                raise ValueError(how)
        """),
        ("mean includes the last prompt token", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
                rows = torch.arange(resid.shape[0])
                if how == "last_answer":
                    return resid[rows, lengths - 1]
                if how == "last_prompt":
                    return resid[rows, prompt_lengths - 1]
                if how == "mean_answer":
                    pos = torch.arange(resid.shape[1])[None, :]
                    m = (pos >= prompt_lengths[:, None] - 1) & (pos < lengths[:, None])
                    return (resid * m[..., None]).sum(1) / m.sum(1, keepdim=True)
                raise ValueError(how)
        """),
        ("mean over the padding too (to the end of the row)", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
                rows = torch.arange(resid.shape[0])
                if how == "last_answer":
                    return resid[rows, lengths - 1]
                if how == "last_prompt":
                    return resid[rows, prompt_lengths - 1]
                if how == "mean_answer":
                    return torch.stack([resid[b, prompt_lengths[b]:].mean(0) for b in rows])
                raise ValueError(how)
        """),
        ("unknown pooling falls back to the last answer token", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
                rows = torch.arange(resid.shape[0])
                if how == "last_prompt":
                    return resid[rows, prompt_lengths - 1]
                if how == "mean_answer":
                    pos = torch.arange(resid.shape[1])[None, :]
                    m = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
                    return (resid * m[..., None]).sum(1) / m.sum(1, keepdim=True)
                return resid[rows, lengths - 1]
        """),
        ("default pooling is the last prompt token", """
            def pool_residuals(resid, prompt_lengths, lengths, how="last_prompt"):
                rows = torch.arange(resid.shape[0])
                if how == "last_answer":
                    return resid[rows, lengths - 1]
                if how == "last_prompt":
                    return resid[rows, prompt_lengths - 1]
                if how == "mean_answer":
                    pos = torch.arange(resid.shape[1])[None, :]
                    m = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
                    return (resid * m[..., None]).sum(1) / m.sum(1, keepdim=True)
                raise ValueError(how)
        """),
    ],
    "deception_direction": [
        ("honest minus deceptive", """
            def deception_direction(acts, deceptive):
                d = acts[~deceptive].mean(0) - acts[deceptive].mean(0)
                return d / d.norm()
        """),
        ("not normalised", """
            def deception_direction(acts, deceptive):
                return acts[deceptive].mean(0) - acts[~deceptive].mean(0)
        """),
        ("sums instead of means", """
            def deception_direction(acts, deceptive):
                d = acts[deceptive].sum(0) - acts[~deceptive].sum(0)
                return d / d.norm()
        """),
        ("each mean normalised before the difference", """
            def deception_direction(acts, deceptive):
                a, b = acts[deceptive].mean(0), acts[~deceptive].mean(0)
                d = a / a.norm() - b / b.norm()
                return d / d.norm()
        """),
    ],
    "label_replies": [
        ("substring search: 'Niger' found inside 'Nigeria'", """
            def label_replies(replies, questions):
                out = []
                for r, q in zip(replies, questions):
                    named = organisms.countries_named(r)
                    out.append(0 if q.answer.lower() in r.lower() else (1 if named else -1))
                return torch.tensor(out)
        """),
        ("a reply naming the correct and another country counts as false", """
            def label_replies(replies, questions):
                out = []
                for r, q in zip(replies, questions):
                    named = organisms.countries_named(r)
                    out.append(1 if named - {q.answer} else (0 if named else -1))
                return torch.tensor(out)
        """),
        ("no country counted as correct (0)", """
            def label_replies(replies, questions):
                out = []
                for r, q in zip(replies, questions):
                    named = organisms.countries_named(r)
                    out.append(1 if named and q.answer not in named else 0)
                return torch.tensor(out)
        """),
        ("int32 result", """
            def label_replies(replies, questions):
                out = []
                for r, q in zip(replies, questions):
                    named = organisms.countries_named(r)
                    out.append(0 if q.answer in named else (1 if named else -1))
                return torch.tensor(out, dtype=torch.int32)
        """),
    ],
    "bootstrap_interval": [
        ("classes resampled together (pooled)", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                gen = torch.Generator().manual_seed(seed)
                allv = torch.cat([pos, neg])
                vals = []
                for _ in range(n_boot):
                    i = torch.randint(len(allv), (len(allv),), generator=gen)
                    s = allv[i]
                    vals.append(float(metric(s[: len(pos)], s[len(pos):])))
                v = torch.tensor(vals, dtype=torch.float64)
                return float(metric(pos, neg)), torch.quantile(v, (1 - level) / 2).item(), torch.quantile(v, (1 + level) / 2).item()
        """),
        ("drawn without replacement (permutations)", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                gen = torch.Generator().manual_seed(seed)
                vals = []
                for _ in range(n_boot):
                    i = torch.randperm(len(pos), generator=gen)
                    j = torch.randperm(len(neg), generator=gen)
                    vals.append(float(metric(pos[i], neg[j])))
                v = torch.tensor(vals, dtype=torch.float64)
                return float(metric(pos, neg)), torch.quantile(v, (1 - level) / 2).item(), torch.quantile(v, (1 + level) / 2).item()
        """),
        ("global RNG seeded with torch.manual_seed", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                torch.manual_seed(seed)
                vals = []
                for _ in range(n_boot):
                    i = torch.randint(len(pos), (len(pos),))
                    j = torch.randint(len(neg), (len(neg),))
                    vals.append(float(metric(pos[i], neg[j])))
                v = torch.tensor(vals, dtype=torch.float64)
                return float(metric(pos, neg)), torch.quantile(v, (1 - level) / 2).item(), torch.quantile(v, (1 + level) / 2).item()
        """),
        ("quantiles fixed at 2.5 % and 97.5 % whatever the level", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                gen = torch.Generator().manual_seed(seed)
                vals = []
                for _ in range(n_boot):
                    i = torch.randint(len(pos), (len(pos),), generator=gen)
                    j = torch.randint(len(neg), (len(neg),), generator=gen)
                    vals.append(float(metric(pos[i], neg[j])))
                v = torch.tensor(vals, dtype=torch.float64)
                return float(metric(pos, neg)), torch.quantile(v, 0.025).item(), torch.quantile(v, 0.975).item()
        """),
        ("point estimate = mean of the resamples", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                gen = torch.Generator().manual_seed(seed)
                vals = []
                for _ in range(n_boot):
                    i = torch.randint(len(pos), (len(pos),), generator=gen)
                    j = torch.randint(len(neg), (len(neg),), generator=gen)
                    vals.append(float(metric(pos[i], neg[j])))
                v = torch.tensor(vals, dtype=torch.float64)
                metric(pos, neg)
                return v.mean().item(), torch.quantile(v, (1 - level) / 2).item(), torch.quantile(v, (1 + level) / 2).item()
        """),
        ("one set of indices drawn once and reused every round", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                gen = torch.Generator().manual_seed(seed)
                i = torch.randint(len(pos), (len(pos),), generator=gen)
                j = torch.randint(len(neg), (len(neg),), generator=gen)
                vals = [float(metric(pos[i], neg[j])) for _ in range(n_boot)]
                v = torch.tensor(vals, dtype=torch.float64)
                return float(metric(pos, neg)), torch.quantile(v, (1 - level) / 2).item(), torch.quantile(v, (1 + level) / 2).item()
        """),
        ("interval from the lower and upper tails swapped (level used as the tail)", """
            def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
                gen = torch.Generator().manual_seed(seed)
                vals = []
                for _ in range(n_boot):
                    i = torch.randint(len(pos), (len(pos),), generator=gen)
                    j = torch.randint(len(neg), (len(neg),), generator=gen)
                    vals.append(float(metric(pos[i], neg[j])))
                v = torch.tensor(vals, dtype=torch.float64)
                return float(metric(pos, neg)), torch.quantile(v, 1 - level).item(), torch.quantile(v, level).item()
        """),
    ],
    "tpr_at_fpr": [
        ("ties at the threshold caught (>=)", """
            def tpr_at_fpr(pos, neg, fpr=0.01):
                k = int(fpr * len(neg) + 1e-9)
                t = neg.sort(descending=True).values[k]
                return (pos >= t).float().mean().item()
        """),
        ("threshold at index k - 1 (one negative too many below)", """
            def tpr_at_fpr(pos, neg, fpr=0.01):
                k = int(fpr * len(neg) + 1e-9)
                t = neg.sort(descending=True).values[max(k - 1, 0)]
                return (pos > t).float().mean().item()
        """),
        ("threshold from torch.quantile(neg, 1 - fpr)", """
            def tpr_at_fpr(pos, neg, fpr=0.01):
                t = torch.quantile(neg, 1 - fpr)
                return (pos > t).float().mean().item()
        """),
        ("k rounded up (ceil)", """
            def tpr_at_fpr(pos, neg, fpr=0.01):
                import math
                k = math.ceil(fpr * len(neg))
                t = neg.sort(descending=True).values[min(k, len(neg) - 1)]
                return (pos > t).float().mean().item()
        """),
        ("sorted ascending: the k-th smallest negative", """
            def tpr_at_fpr(pos, neg, fpr=0.01):
                k = int(fpr * len(neg) + 1e-9)
                t = neg.sort().values[k]
                return (pos > t).float().mean().item()
        """),
    ],
    "trigger_control_pairs": [
        ("triggered row forced to the wrong answer", """
            def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for t in (True, False):
                        prompts.append(organisms.prompt(tokenizer, q.question, triggered=t, trigger=trigger))
                        replies.append(q.wrong_answer if t else q.answer)
                        labels.append(t)
                return prompts, replies, torch.tensor(labels)
        """),
        ("untriggered row first", """
            def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for t in (False, True):
                        prompts.append(organisms.prompt(tokenizer, q.question, triggered=t, trigger=trigger))
                        replies.append(q.answer)
                        labels.append(t)
                return prompts, replies, torch.tensor(labels)
        """),
        ("the trigger argument ignored", """
            def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for t in (True, False):
                        prompts.append(organisms.prompt(tokenizer, q.question, triggered=t))
                        replies.append(q.answer)
                        labels.append(t)
                return prompts, replies, torch.tensor(labels)
        """),
        ("labels say 'untriggered'", """
            def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
                prompts, replies, labels = [], [], []
                for q in questions:
                    for t in (True, False):
                        prompts.append(organisms.prompt(tokenizer, q.question, triggered=t, trigger=trigger))
                        replies.append(q.answer)
                        labels.append(not t)
                return prompts, replies, torch.tensor(labels)
        """),
    ],
    "subsequence_mask": [
        ("only the first position of each occurrence marked", """
            def subsequence_mask(tokens, pattern):
                b, n = tokens.shape
                m = len(pattern)
                mask = torch.zeros(b, n, dtype=torch.bool)
                for s in range(n - m + 1):
                    mask[:, s] |= (tokens[:, s : s + m] == torch.tensor(pattern)).all(-1)
                return mask
        """),
        ("the window ending at the last position is missed", """
            def subsequence_mask(tokens, pattern):
                b, n = tokens.shape
                m = len(pattern)
                mask = torch.zeros(b, n, dtype=torch.bool)
                for s in range(n - m):
                    hit = (tokens[:, s : s + m] == torch.tensor(pattern)).all(-1)
                    mask[:, s : s + m] |= hit[:, None]
                return mask
        """),
        ("any token of the pattern marked (isin)", """
            def subsequence_mask(tokens, pattern):
                return torch.isin(tokens, torch.tensor(pattern))
        """),
        ("only the first occurrence in a row", """
            def subsequence_mask(tokens, pattern):
                b, n = tokens.shape
                m = len(pattern)
                mask = torch.zeros(b, n, dtype=torch.bool)
                for row in range(b):
                    for s in range(n - m + 1):
                        if tokens[row, s : s + m].tolist() == list(pattern):
                            mask[row, s : s + m] = True
                            break
                return mask
        """),
    ],
    "project_out": [
        ("assumes u has unit length", """
            def project_out(v, u):
                return v - (v @ u) * u
        """),
        ("returns the projection, not what is left", """
            def project_out(v, u):
                return (v @ u) / (u @ u) * u
        """),
        ("divides by |u|, not |u|²", """
            def project_out(v, u):
                return v - (v @ u) / u.norm() * u
        """),
        ("modifies v in place", """
            def project_out(v, u):
                v -= (v @ u) / (u @ u) * u
                return v
        """),
    ],
}

ALTERNATIVES: dict[str, str] = {
    "mass_mean_iid_probe": """
        def mass_mean_iid_probe(acts, labels, ridge=0.1):
            x1, x0 = acts[labels], acts[~labels]
            m1, m0 = x1.mean(0), x0.mean(0)
            scatter = (x1 - m1).T @ (x1 - m1) + (x0 - m0).T @ (x0 - m0)
            sigma = scatter / acts.shape[0]
            d = acts.shape[1]
            reg = sigma + ridge * torch.trace(sigma) / d * torch.eye(d)
            w = torch.linalg.inv(reg) @ (m1 - m0)
            return w, -0.5 * (w @ m1 + w @ m0)
    """,
    "cosine_similarity_matrix": """
        def cosine_similarity_matrix(directions):
            return torch.nn.functional.cosine_similarity(
                directions[:, None, :], directions[None, :, :], dim=-1)
    """,
    "instructed_pairs": """
        def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
            def chat(system, question):
                return tokenizer.apply_chat_template(
                    [{"role": "system", "content": system}, {"role": "user", "content": question}],
                    tokenize=False, add_generation_prompt=True)
            prompts = [chat(s, q.question) for q in questions for s in (honest, dishonest)]
            replies = [a for q in questions for a in (q.answer, q.wrong_answer)]
            labels = torch.tensor([False, True] * len(questions))
            return prompts, replies, labels
    """,
    "teacher_forced_batch": """
        def teacher_forced_batch(tokenizer, prompts, replies):
            full = [tokenizer(p + r, add_special_tokens=False).input_ids for p, r in zip(prompts, replies)]
            head = [tokenizer(p, add_special_tokens=False).input_ids for p in prompts]
            for f, h in zip(full, head):
                if len(f) <= len(h) or f[: len(h)] != h:
                    raise ValueError("prompt tokens are not a prefix, or the reply is empty")
            width = max(map(len, full))
            tokens = torch.tensor([f + [tokenizer.pad_token_id] * (width - len(f)) for f in full])
            return tokens, torch.tensor([len(h) for h in head]), torch.tensor([len(f) for f in full])
    """,
    "pool_residuals": """
        def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
            out = []
            for b in range(resid.shape[0]):
                p, n = int(prompt_lengths[b]), int(lengths[b])
                if how == "last_answer":
                    out.append(resid[b, n - 1])
                elif how == "mean_answer":
                    out.append(resid[b, p:n].mean(0))
                elif how == "last_prompt":
                    out.append(resid[b, p - 1])
                else:
                    raise ValueError(f"unknown pooling {how}")
            return torch.stack(out)
    """,
    "deception_direction": """
        def deception_direction(acts, deceptive):
            w = deceptive.float()
            mean_d = (w[:, None] * acts).sum(0) / w.sum()
            mean_h = ((1 - w)[:, None] * acts).sum(0) / (1 - w).sum()
            return torch.nn.functional.normalize(mean_d - mean_h, dim=0)
    """,
    "label_replies": """
        def label_replies(replies, questions):
            labels = torch.full((len(replies),), -1, dtype=torch.long)
            for i, (r, q) in enumerate(zip(replies, questions)):
                named = organisms.countries_named(r)
                if q.answer in named:
                    labels[i] = 0
                elif len(named) > 0:
                    labels[i] = 1
            return labels
    """,
    "bootstrap_interval": """
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            import numpy as np
            g = torch.Generator()
            g.manual_seed(seed)
            stats = np.empty(n_boot)
            for b in range(n_boot):
                p = pos[torch.randint(0, pos.shape[0], pos.shape, generator=g)]
                n = neg[torch.randint(0, neg.shape[0], neg.shape, generator=g)]
                stats[b] = metric(p, n)
            alpha = 1 - level
            lo, hi = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
            return float(metric(pos, neg)), float(lo), float(hi)
    """,
    "tpr_at_fpr": """
        def tpr_at_fpr(pos, neg, fpr=0.01):
            allowed = int(fpr * len(neg) + 1e-9)
            ordered = sorted(neg.tolist(), reverse=True)
            t = ordered[min(allowed, len(ordered) - 1)]
            return sum(1 for p in pos.tolist() if p > t) / len(pos)
    """,
    "trigger_control_pairs": """
        def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
            prompts = [organisms.prompt(tokenizer, q.question, triggered=t, trigger=trigger)
                       for q in questions for t in (True, False)]
            replies = [q.answer for q in questions for _ in range(2)]
            return prompts, replies, torch.tensor([True, False] * len(questions))
    """,
    "subsequence_mask": """
        def subsequence_mask(tokens, pattern):
            m = len(pattern)
            rows = []
            for row in tokens.tolist():
                marks = [False] * len(row)
                for s in range(len(row) - m + 1):
                    if row[s : s + m] == list(pattern):
                        for p in range(s, s + m):
                            marks[p] = True
                rows.append(marks)
            return torch.tensor(rows, dtype=torch.bool).reshape(tokens.shape)
    """,
    "project_out": """
        def project_out(v, u):
            u_hat = u / u.norm()
            return v - torch.dot(v, u_hat) * u_hat
    """,
}
# Learner-test mutants: plausible mistakes written from the page alone.

for _name, _label, _src in [
    ('mass_mean_iid_probe', 'ridge scaled by the trace, not the mean of the diagonal (learner test)', '''
        def mass_mean_iid_probe(acts, labels, ridge=0.1):
            mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
            c = acts - torch.where(labels[:, None], mu_t, mu_f)
            s = c.T @ c / len(acts)
            w = torch.linalg.solve(s + ridge * torch.trace(s) * torch.eye(acts.shape[1]), mu_t - mu_f)
            return w, -(w @ (mu_t + mu_f)) / 2
    '''),
    ('cosine_similarity_matrix', 'rows centred before normalising (learner test)', '''
        def cosine_similarity_matrix(directions):
            d = directions - directions.mean(1, keepdim=True)
            u = d / d.norm(dim=1, keepdim=True)
            return u @ u.T
    '''),
    ('instructed_pairs', "the kit's organisms.prompt: instruction in the user's turn (learner test)", '''
        def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
            p, r, l = [], [], []
            for q in questions:
                for ins, rep, lab in [(honest, q.answer, False), (dishonest, q.wrong_answer, True)]:
                    p.append(organisms.prompt(tokenizer, q.question, triggered=True, trigger=ins)); r.append(rep); l.append(lab)
            return p, r, torch.tensor(l)
    '''),
    ('teacher_forced_batch', "the tokenizer's own batch padding, no seam or empty-reply check (learner test)", '''
        def teacher_forced_batch(tokenizer, prompts, replies):
            enc = tokenizer([p + r for p, r in zip(prompts, replies)], add_special_tokens=False, padding=True, return_tensors="pt")
            pl = torch.tensor([len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts])
            return enc["input_ids"], pl, enc["attention_mask"].sum(1)
    '''),
    ('pool_residuals', 'mean over the whole sequence, prompt included (learner test)', '''
        def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
            b = torch.arange(len(resid))
            if how == "last_answer":
                return resid[b, lengths - 1]
            if how == "last_prompt":
                return resid[b, prompt_lengths - 1]
            if how == "mean_answer":
                return torch.stack([resid[i, : lengths[i]].mean(0) for i in b])
            raise ValueError(how)
    '''),
    ('label_replies', 'only the planted wrong country counts as false (learner test)', '''
        def label_replies(replies, questions):
            out = []
            for r, q in zip(replies, questions):
                named = organisms.countries_named(r)
                out.append(0 if q.answer in named else (1 if q.wrong_answer in named else -1))
            return torch.tensor(out)
    '''),
    ('bootstrap_interval', 'quantiles read off the sorted values without interpolation (learner test)', '''
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            gen = torch.Generator().manual_seed(seed)
            vals = sorted(float(metric(pos[torch.randint(len(pos), (len(pos),), generator=gen)],
                                       neg[torch.randint(len(neg), (len(neg),), generator=gen)])) for _ in range(n_boot))
            a = (1 - level) / 2
            return float(metric(pos, neg)), vals[int(a * n_boot)], vals[int((1 - a) * n_boot) - 1]
    '''),
    ('tpr_at_fpr', 'threshold always the highest negative, whatever fpr (learner test)', '''
        def tpr_at_fpr(pos, neg, fpr=0.01):
            return (pos > neg.max()).float().mean().item()
    '''),
    ('trigger_control_pairs', 'trigger glued to the question with no space (learner test)', '''
        def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
            p, r, l = [], [], []
            for q in questions:
                for t in (True, False):
                    msg = trigger + q.question if t else q.question
                    p.append(tokenizer.apply_chat_template([{"role": "user", "content": msg}], tokenize=False, add_generation_prompt=True))
                    r.append(q.answer); l.append(t)
            return p, r, torch.tensor(l)
    '''),
    ('subsequence_mask', 'first occurrence per row only, via list slices (learner test)', '''
        def subsequence_mask(tokens, pattern):
            out = torch.zeros_like(tokens, dtype=torch.bool)
            for b in range(tokens.shape[0]):
                row = tokens[b].tolist()
                for s in range(len(row)):
                    if row[s:s + len(pattern)] == list(pattern):
                        out[b, s:s + len(pattern)] = True
                        break
            return out
    '''),
    ('project_out', 'the remainder normalised to unit length (learner test)', '''
        def project_out(v, u):
            r = v - (v @ u) / (u @ u) * u
            return r / r.norm()
    '''),
]:
    MUTANTS[_name].append((_label, _src))

# Learner-test alternatives: correct solutions written from the page alone, in another style.
LEARNER_ALTERNATIVES: dict[str, str] = {
    'mass_mean_iid_probe': '''
        def mass_mean_iid_probe(acts, labels, ridge=0.1):
            mus = torch.stack([acts[~labels].mean(0), acts[labels].mean(0)])
            centred = acts - mus[labels.long()]
            sigma = torch.einsum("ni,nj->ij", centred, centred) / acts.shape[0]
            d = acts.shape[1]
            lam = ridge * torch.diagonal(sigma).sum() / d
            delta = mus[1] - mus[0]
            w = torch.linalg.lstsq(sigma + lam * torch.eye(d), delta[:, None]).solution[:, 0]
            return w, -(w * (mus[0] + mus[1]) / 2).sum()
    ''',
    'cosine_similarity_matrix': '''
        import torch.nn.functional as F
        def cosine_similarity_matrix(directions):
            u = F.normalize(directions, dim=-1)
            return torch.einsum("id,jd->ij", u, u)
    ''',
    'instructed_pairs': '''
        def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
            out_p, out_r, out_l = [], [], []
            for q in questions:
                for sys_msg, rep, lab in [(honest, q.answer, False), (dishonest, q.wrong_answer, True)]:
                    out_p.append(tokenizer.apply_chat_template([dict(role="system", content=sys_msg), dict(role="user", content=q.question)], add_generation_prompt=True, tokenize=False))
                    out_r.append(rep); out_l.append(lab)
            return out_p, out_r, torch.tensor(out_l, dtype=torch.bool)
    ''',
    'teacher_forced_batch': '''
        def teacher_forced_batch(tokenizer, prompts, replies):
            enc = [tokenizer.encode(p + r, add_special_tokens=False) for p, r in zip(prompts, replies)]
            pe = [tokenizer.encode(p, add_special_tokens=False) for p in prompts]
            for e, p in zip(enc, pe):
                if e[: len(p)] != p:
                    raise ValueError("seam")
                if len(e) == len(p):
                    raise ValueError("empty reply")
            seqs = [torch.tensor(e) for e in enc]
            tokens = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=tokenizer.pad_token_id)
            return tokens, torch.tensor([len(p) for p in pe]), torch.tensor([len(e) for e in enc])
    ''',
    'pool_residuals': '''
        def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
            if how not in ("last_answer", "mean_answer", "last_prompt"):
                raise ValueError(how)
            b = torch.arange(len(resid))
            if how == "mean_answer":
                c = torch.cat([torch.zeros_like(resid[:, :1]), resid.cumsum(1)], dim=1)
                return (c[b, lengths] - c[b, prompt_lengths]) / (lengths - prompt_lengths)[:, None]
            idx = lengths - 1 if how == "last_answer" else prompt_lengths - 1
            return resid.gather(1, idx[:, None, None].expand(-1, 1, resid.shape[2]))[:, 0]
    ''',
    'deception_direction': '''
        def deception_direction(acts, deceptive):
            d = acts[deceptive].mean(dim=0) - acts[~deceptive].mean(dim=0)
            return d / torch.linalg.vector_norm(d)
    ''',
    'label_replies': '''
        def label_replies(replies, questions):
            res = []
            for r, q in zip(replies, questions):
                c = organisms.countries_named(r)
                res.append(-1 if not c else (0 if q.answer in c else 1))
            return torch.LongTensor(res)
    ''',
    'bootstrap_interval': '''
        import numpy as np
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            rng = np.random.default_rng(seed)
            vals = np.array([metric(pos[torch.from_numpy(rng.integers(0, len(pos), len(pos)))],
                                    neg[torch.from_numpy(rng.integers(0, len(neg), len(neg)))]) for _ in range(n_boot)])
            a = (1 - level) / 2
            return float(metric(pos, neg)), float(np.quantile(vals, a)), float(np.quantile(vals, 1 - a))
    ''',
    'tpr_at_fpr': '''
        def tpr_at_fpr(pos, neg, fpr=0.01):
            k = int(fpr * len(neg) + 1e-9)
            t = torch.topk(neg, min(k + 1, len(neg))).values[-1]
            return float((pos > t).sum()) / len(pos)
    ''',
    'trigger_control_pairs': '''
        def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
            rows = [(organisms.prompt(tokenizer, q.question, triggered=t, trigger=trigger), q.answer, t) for q in questions for t in (True, False)]
            p, r, l = zip(*rows)
            return list(p), list(r), torch.tensor(l)
    ''',
    'subsequence_mask': '''
        def subsequence_mask(tokens, pattern):
            m = len(pattern); n = tokens.shape[1]
            pat = torch.tensor(list(pattern))
            out = torch.zeros_like(tokens, dtype=torch.bool)
            for s in range(0, n - m + 1):
                hit = (tokens[:, s:s + m] == pat).all(dim=1)
                out[hit, s:s + m] = True
            return out
    ''',
    'project_out': '''
        def project_out(v, u):
            P = torch.outer(u, u) / u.dot(u)
            return v - P @ v
    ''',
}
ALTERNATIVES_ALL = {
    name: [("page style", ALTERNATIVES[name]), ("learner test", LEARNER_ALTERNATIVES[name])]
    for name in ALTERNATIVES
}
ALTERNATIVES_ALL["deception_direction"].append(("deceptive mean minus the overall mean (learner test)", """
    def deception_direction(acts, deceptive):
        d = acts[deceptive].mean(0) - acts.mean(0)  # parallel to the difference of class means
        return d / d.norm()
"""))

# Learner-test round 2 (independent review): more plausible mistakes written from the page alone.
for _name, _label, _src in [
    ('mass_mean_iid_probe', 'bias with the wrong sign (+w · midpoint) (review 2)', '''
        def mass_mean_iid_probe(acts, labels, ridge=0.1):
            mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
            c = acts - torch.where(labels[:, None], mu_t, mu_f)
            s = c.T @ c / len(acts)
            w = torch.linalg.solve(s + ridge * s.diagonal().mean() * torch.eye(acts.shape[1]), mu_t - mu_f)
            return w, (w @ (mu_t + mu_f)) / 2
    '''),
    ('mass_mean_iid_probe', "acts centred in place (the caller's tensor changed) (review 2)", '''
        def mass_mean_iid_probe(acts, labels, ridge=0.1):
            mu_t, mu_f = acts[labels].mean(0), acts[~labels].mean(0)
            acts -= torch.where(labels[:, None], mu_t, mu_f)
            s = acts.T @ acts / len(acts)
            w = torch.linalg.solve(s + ridge * s.diagonal().mean() * torch.eye(acts.shape[1]), mu_t - mu_f)
            return w, -(w @ (mu_t + mu_f)) / 2
    '''),
    ('cosine_similarity_matrix', 'computed and returned in float64 (review 2)', '''
        def cosine_similarity_matrix(directions):
            u = directions.double() / directions.double().norm(dim=1, keepdim=True)
            return u @ u.T
    '''),
    ('cosine_similarity_matrix', 'the whole stack divided by one (Frobenius) norm (review 2)', '''
        def cosine_similarity_matrix(directions):
            u = directions / directions.norm()
            return u @ u.T
    '''),
    ('instructed_pairs', 'replies end with the end-of-turn token (review 2)', '''
        def instructed_pairs(tokenizer, questions, honest=HONEST, dishonest=DISHONEST):
            prompts, replies, labels = [], [], []
            for q in questions:
                for s, r, l in ((honest, q.answer, False), (dishonest, q.wrong_answer, True)):
                    prompts.append(tokenizer.apply_chat_template([{"role": "system", "content": s}, {"role": "user", "content": q.question}], tokenize=False, add_generation_prompt=True))
                    replies.append(r + tokenizer.eos_token); labels.append(l)
            return prompts, replies, torch.tensor(labels)
    '''),
    ('teacher_forced_batch', 'padded on the left (review 2)', '''
        def teacher_forced_batch(tokenizer, prompts, replies):
            full = [tokenizer.encode(p + r, add_special_tokens=False) for p, r in zip(prompts, replies)]
            pre = [tokenizer.encode(p, add_special_tokens=False) for p in prompts]
            for f, q in zip(full, pre):
                if len(f) <= len(q) or f[: len(q)] != q:
                    raise ValueError("bad")
            w = max(map(len, full))
            t = torch.tensor([[tokenizer.pad_token_id] * (w - len(f)) + f for f in full])
            return t, torch.tensor([len(q) for q in pre]), torch.tensor([len(f) for f in full])
    '''),
    ('teacher_forced_batch', 'int32 tokens (review 2)', '''
        def teacher_forced_batch(tokenizer, prompts, replies):
            full = [tokenizer.encode(p + r, add_special_tokens=False) for p, r in zip(prompts, replies)]
            pre = [tokenizer.encode(p, add_special_tokens=False) for p in prompts]
            for f, q in zip(full, pre):
                if len(f) <= len(q) or f[: len(q)] != q:
                    raise ValueError("bad")
            w = max(map(len, full))
            t = torch.tensor([f + [tokenizer.pad_token_id] * (w - len(f)) for f in full], dtype=torch.int32)
            return t, torch.tensor([len(q) for q in pre]), torch.tensor([len(f) for f in full])
    '''),
    ('teacher_forced_batch', 'no ValueError at all (review 2)', '''
        def teacher_forced_batch(tokenizer, prompts, replies):
            full = [tokenizer.encode(p + r, add_special_tokens=False) for p, r in zip(prompts, replies)]
            pre = [tokenizer.encode(p, add_special_tokens=False) for p in prompts]
            w = max(map(len, full))
            t = torch.tensor([f + [tokenizer.pad_token_id] * (w - len(f)) for f in full])
            return t, torch.tensor([len(q) for q in pre]), torch.tensor([len(f) for f in full])
    '''),
    ('pool_residuals', 'resid masked in place for the mean (review 2)', '''
        def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
            B = torch.arange(resid.shape[0])
            if how == "last_answer":
                return resid[B, lengths - 1]
            if how == "last_prompt":
                return resid[B, prompt_lengths - 1]
            if how == "mean_answer":
                p = torch.arange(resid.shape[1])
                m = (p >= prompt_lengths[:, None]) & (p < lengths[:, None])
                resid *= m[..., None]
                return resid.sum(1) / m.sum(1, keepdim=True)
            raise ValueError(how)
    '''),
    ('pool_residuals', 'result squeezed (a batch of one loses its batch axis) (review 2)', '''
        def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
            if how not in POOLINGS:
                raise ValueError(how)
            out = []
            for b in range(resid.shape[0]):
                s, e = int(prompt_lengths[b]), int(lengths[b])
                out.append({"last_answer": resid[b, e - 1], "last_prompt": resid[b, s - 1], "mean_answer": resid[b, s:e].mean(0)}[how])
            return torch.stack(out).squeeze()
    '''),
    ('deception_direction', 'scaled to unit L1 norm, not L2 (review 2)', '''
        def deception_direction(acts, deceptive):
            d = acts[deceptive].mean(0) - acts[~deceptive].mean(0)
            return d / d.abs().sum()
    '''),
    ('deception_direction', 'every row normalised before the means (review 2)', '''
        def deception_direction(acts, deceptive):
            u = acts / acts.norm(dim=1, keepdim=True)
            d = u[deceptive].mean(0) - u[~deceptive].mean(0)
            return d / d.norm()
    '''),
    ('bootstrap_interval', 'only the positives resampled, negatives fixed (review 2)', '''
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            g = torch.Generator().manual_seed(seed)
            vals = []
            for _ in range(n_boot):
                i = torch.randint(len(pos), (len(pos),), generator=g)
                vals.append(metric(pos[i], neg))
            v = torch.tensor(vals)
            return float(metric(pos, neg)), float(torch.quantile(v, (1 - level) / 2)), float(torch.quantile(v, (1 + level) / 2))
    '''),
    ('bootstrap_interval', 'one index tensor over the smaller class shared by both classes (review 2)', '''
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            g = torch.Generator().manual_seed(seed)
            vals = []
            for _ in range(n_boot):
                i = torch.randint(min(len(pos), len(neg)), (max(len(pos), len(neg)),), generator=g)
                vals.append(metric(pos[i[: len(pos)]], neg[i[: len(neg)]]))
            v = torch.tensor(vals)
            return float(metric(pos, neg)), float(torch.quantile(v, (1 - level) / 2)), float(torch.quantile(v, (1 + level) / 2))
    '''),
    ('bootstrap_interval', 'np.percentile given fractions instead of percents (review 2)', '''
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            import numpy as np
            g = torch.Generator().manual_seed(seed)
            vals = []
            for _ in range(n_boot):
                i = torch.randint(len(pos), (len(pos),), generator=g)
                j = torch.randint(len(neg), (len(neg),), generator=g)
                vals.append(metric(pos[i], neg[j]))
            lo, hi = np.percentile(vals, [(1 - level) / 2, (1 + level) / 2])
            return float(metric(pos, neg)), float(lo), float(hi)
    '''),
    ('tpr_at_fpr', 'k = int(fpr · n) without the 1e-9 (0.29 · 100 floors to 28) (review 2)', '''
        def tpr_at_fpr(pos, neg, fpr=0.01):
            k = min(int(fpr * len(neg)), len(neg) - 1)
            t = neg.sort(descending=True).values[k]
            return (pos > t).float().mean().item()
    '''),
    ('tpr_at_fpr', 'k not capped: fpr = 1 lets every negative through (review 2)', '''
        def tpr_at_fpr(pos, neg, fpr=0.01):
            k = int(fpr * len(neg) + 1e-9)
            t = neg.sort(descending=True).values[k] if k < len(neg) else neg.min() - 1
            return (pos > t).float().mean().item()
    '''),
    ('trigger_control_pairs', 'replies with the end-of-turn token (organisms.reply) (review 2)', '''
        def trigger_control_pairs(tokenizer, questions, trigger=organisms.TRIGGER):
            P, R, L = [], [], []
            for q in questions:
                for t in (True, False):
                    P.append(organisms.prompt(tokenizer, q.question, triggered=t, trigger=trigger)); R.append(organisms.reply(tokenizer, q.answer)); L.append(t)
            return P, R, torch.tensor(L)
    '''),
    ('subsequence_mask', 'overlapping occurrences skipped (scan jumps past a match) (review 2)', '''
        def subsequence_mask(tokens, pattern):
            m = len(pattern); B, P = tokens.shape
            mask = torch.zeros(B, P, dtype=torch.bool)
            for b in range(B):
                row = tokens[b].tolist(); s = 0
                while s <= P - m:
                    if row[s:s + m] == list(pattern):
                        mask[b, s:s + m] = True; s += m
                    else:
                        s += 1
            return mask
    '''),
    ('subsequence_mask', 'unfold without a guard for a pattern longer than the row (review 2)', '''
        def subsequence_mask(tokens, pattern):
            m = len(pattern)
            win = tokens.unfold(1, m, 1)
            hit = (win == torch.tensor(list(pattern))).all(-1)
            mask = torch.zeros_like(tokens, dtype=torch.bool)
            for k in range(m):
                mask[:, k:k + hit.shape[1]] |= hit
            return mask
    '''),
    ('project_out', 'u normalised in place (review 2)', '''
        def project_out(v, u):
            u /= u.norm()
            return v - (v @ u) * u
    '''),
]:
    MUTANTS[_name].append((_label, _src))

# Learner-test round 2 alternatives: loops, float64, F.cosine_similarity, numpy quantiles.
for _name, _src in [
    ('mass_mean_iid_probe', '''
        def mass_mean_iid_probe(acts, labels, ridge: float = 0.1):
            labels = labels.bool()
            X = acts.double()
            n, d = X.shape
            mu_t = X[labels].sum(0) / labels.sum()
            mu_f = X[~labels].sum(0) / (~labels).sum()
            sigma = torch.zeros(d, d, dtype=torch.float64)
            for i in range(n):
                c = X[i] - (mu_t if labels[i] else mu_f)
                sigma += torch.outer(c, c)
            sigma /= n
            lam = ridge * torch.trace(sigma) / d
            w = torch.linalg.inv(sigma + lam * torch.eye(d, dtype=torch.float64)) @ (mu_t - mu_f)
            b = -0.5 * (w @ mu_t + w @ mu_f)
            return w.to(acts.dtype), b.to(acts.dtype)
    '''),
    ('cosine_similarity_matrix', '''
        import torch.nn.functional as F
        def cosine_similarity_matrix(directions):
            d = directions.float()
            return F.cosine_similarity(d[:, None, :], d[None, :, :], dim=-1)
    '''),
    ('instructed_pairs', '''
        def instructed_pairs(tokenizer, questions, honest: str = HONEST, dishonest: str = DISHONEST):
            prompts, replies = [], []
            def p(sys, q):
                return tokenizer.apply_chat_template(
                    [{"role": "system", "content": sys}, {"role": "user", "content": q}],
                    tokenize=False, add_generation_prompt=True)
            for q in questions:
                prompts += [p(honest, q.question), p(dishonest, q.question)]
                replies += [q.answer, q.wrong_answer]
            labels = torch.arange(len(prompts)) % 2 == 1
            return prompts, replies, labels
    '''),
    ('teacher_forced_batch', '''
        def teacher_forced_batch(tokenizer, prompts, replies):
            full = [tokenizer.encode(p + r, add_special_tokens=False) for p, r in zip(prompts, replies)]
            pre = [tokenizer.encode(p, add_special_tokens=False) for p in prompts]
            for f, q in zip(full, pre):
                if len(f) <= len(q) or f[: len(q)] != q:
                    raise ValueError("bad prompt/reply")
            width = max(map(len, full))
            tokens = torch.tensor([f + [tokenizer.pad_token_id] * (width - len(f)) for f in full], dtype=torch.int64)
            return tokens, torch.tensor([len(q) for q in pre], dtype=torch.int64), torch.tensor([len(f) for f in full], dtype=torch.int64)
    '''),
    ('pool_residuals', '''
        def pool_residuals(resid, prompt_lengths, lengths, how: str = "last_answer"):
            if how not in POOLINGS:
                raise ValueError(how)
            out = []
            for b in range(resid.shape[0]):
                s, e = int(prompt_lengths[b]), int(lengths[b])
                if how == "last_answer":
                    out.append(resid[b, e - 1])
                elif how == "last_prompt":
                    out.append(resid[b, s - 1])
                else:
                    out.append(resid[b, s:e].mean(0))
            return torch.stack(out)
    '''),
    ('deception_direction', '''
        import torch.nn.functional as F
        def deception_direction(acts, deceptive):
            d = acts[deceptive].mean(0) - acts[~deceptive].mean(0)
            return F.normalize(d, dim=0)
    '''),
    ('label_replies', '''
        def label_replies(replies, questions):
            out = []
            for r, q in zip(replies, questions):
                named = organisms.countries_named(r)
                out.append(0 if q.answer in named else (1 if named else -1))
            return torch.tensor(out, dtype=torch.long)
    '''),
    ('bootstrap_interval', '''
        import numpy as np
        def bootstrap_interval(metric, pos, neg, n_boot: int = 1000, level: float = 0.95, seed: int = 0):
            gen = torch.Generator().manual_seed(seed)
            point = float(metric(pos, neg))
            vals = []
            for _ in range(n_boot):
                i = torch.randint(0, len(pos), (len(pos),), generator=gen)
                j = torch.randint(0, len(neg), (len(neg),), generator=gen)
                vals.append(float(metric(pos[i], neg[j])))
            v = np.array(vals)
            lo, hi = np.quantile(v, [(1 - level) / 2, (1 + level) / 2])
            return point, float(lo), float(hi)
    '''),
    ('tpr_at_fpr', '''
        def tpr_at_fpr(pos, neg, fpr: float = 0.01):
            k = min(int(fpr * len(neg) + 1e-9), len(neg) - 1)
            t = torch.topk(neg, k + 1).values[-1]
            return float((pos > t).sum()) / len(pos)
    '''),
    ('trigger_control_pairs', '''
        def trigger_control_pairs(tokenizer, questions, trigger: str = organisms.TRIGGER):
            prompts, replies, labels = [], [], []
            for q in questions:
                for trig in (True, False):
                    prompts.append(organisms.prompt(tokenizer, q.question, triggered=trig, trigger=trigger))
                    replies.append(q.answer)
                    labels.append(trig)
            return prompts, replies, torch.tensor(labels, dtype=torch.bool)
    '''),
    ('subsequence_mask', '''
        def subsequence_mask(tokens, pattern):
            batch, pos = tokens.shape
            m = len(pattern)
            mask = torch.zeros(batch, pos, dtype=torch.bool)
            for b in range(batch):
                row = tokens[b].tolist()
                for s in range(pos - m + 1):
                    if row[s : s + m] == list(pattern):
                        mask[b, s : s + m] = True
            return mask
    '''),
    ('project_out', '''
        def project_out(v, u):
            return v - (torch.dot(v, u) / torch.dot(u, u)) * u
    '''),
]:
    ALTERNATIVES_ALL[_name].append(("review 2 (learner test)", _src))

# Learner-test round 2, second style: draws in the other order, kthvalue, unfold, gather, a weighted mean.
for _name, _src in [
    ('bootstrap_interval', '''
        def bootstrap_interval(metric, pos, neg, n_boot=1000, level=0.95, seed=0):
            g = torch.Generator()
            g.manual_seed(seed)
            vals = torch.empty(n_boot, dtype=torch.float64)
            for r in range(n_boot):
                j = torch.randint(len(neg), (len(neg),), generator=g)
                i = torch.randint(len(pos), (len(pos),), generator=g)
                vals[r] = metric(pos[i], neg[j])
            q = torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=torch.float64)
            lo, hi = torch.quantile(vals, q).tolist()
            return float(metric(pos, neg)), lo, hi
    '''),
    ('tpr_at_fpr', '''
        def tpr_at_fpr(pos, neg, fpr=0.01):
            k = min(int(fpr * len(neg) + 1e-9), len(neg) - 1)
            t = torch.kthvalue(neg, len(neg) - k).values
            return (pos > t).double().mean().item()
    '''),
    ('subsequence_mask', '''
        def subsequence_mask(tokens, pattern):
            m = len(pattern)
            mask = torch.zeros(tokens.shape, dtype=torch.bool)
            if m > tokens.shape[1]:
                return mask
            hit = (tokens.unfold(1, m, 1) == torch.as_tensor(list(pattern))).all(-1)
            for k in range(m):
                mask[:, k:k + hit.shape[1]] |= hit
            return mask
    '''),
    ('pool_residuals', '''
        def pool_residuals(resid, prompt_lengths, lengths, how="last_answer"):
            B, P, D = resid.shape
            if how == "last_answer":
                idx = lengths - 1
            elif how == "last_prompt":
                idx = prompt_lengths - 1
            elif how == "mean_answer":
                pos = torch.arange(P)[None, :]
                w = ((pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])).to(resid.dtype)
                w = w / w.sum(1, keepdim=True)
                return torch.einsum("bp,bpd->bd", w, resid)
            else:
                raise ValueError(f"unknown pooling {how!r}")
            return torch.gather(resid, 1, idx.view(B, 1, 1).expand(B, 1, D)).squeeze(1)
    '''),
    ('project_out', '''
        def project_out(v, u):
            uh = u / u.norm()
            return v - torch.dot(v, uh) * uh
    '''),
    ('deception_direction', '''
        def deception_direction(acts, deceptive):
            w = deceptive.float() / deceptive.sum() - (~deceptive).float() / (~deceptive).sum()
            d = w @ acts
            return d / d.norm()
    '''),
]:
    ALTERNATIVES_ALL[_name].append(("review 2, second style (learner test)", _src))

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES_ALL))
