"""Section 4.4: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

MUTANTS = {
    "rule_reward": [
        ("learner: lower-cased text instead of a case-insensitive pattern", """
            def rule_reward(text, rules):
                return float(sum(r.weight * min(len(re.findall(r.pattern, text.lower())), r.cap if r.cap is not None else 10**9) for r in rules))
        """),
        ("cap ignored", """
            def rule_reward(text, rules):
                return float(sum(r.weight * len(re.findall(r.pattern, text, flags=re.IGNORECASE)) for r in rules))
        """),
        ("case-sensitive matching", """
            def rule_reward(text, rules):
                total = 0.0
                for r in rules:
                    c = len(re.findall(r.pattern, text))
                    total += r.weight * (c if r.cap is None else min(c, r.cap))
                return total
        """),
        ("one hit per rule (re.search), not a count", """
            def rule_reward(text, rules):
                total = 0.0
                for r in rules:
                    c = 1 if re.search(r.pattern, text, flags=re.IGNORECASE) else 0
                    total += r.weight * (c if r.cap is None else min(c, r.cap))
                return total
        """),
        ("a cap of 0 treated as no cap (truthiness)", """
            def rule_reward(text, rules):
                total = 0.0
                for r in rules:
                    c = len(re.findall(r.pattern, text, flags=re.IGNORECASE))
                    total += r.weight * (min(c, r.cap) if r.cap else c)
                return total
        """),
        ("returns an int 0 for no rules", """
            def rule_reward(text, rules):
                total = 0
                for r in rules:
                    c = len(re.findall(r.pattern, text, flags=re.IGNORECASE))
                    total += r.weight * (c if r.cap is None else min(c, r.cap))
                return total
        """),
    ],
    "simulate_labels": [
        ("learner: samples with the global RNG instead of the given uniforms", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return torch.bernoulli(torch.sigmoid(beta * (reward_a - reward_b) + bias)).bool()
        """),
        ("learner: <= where the docstring says <", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return uniforms <= torch.sigmoid(beta * (reward_a - reward_b) + bias)
        """),
        ("bias subtracted (favours B)", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return uniforms < torch.sigmoid(beta * (reward_a - reward_b) - bias)
        """),
        ("bias scaled by beta", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return uniforms < torch.sigmoid(beta * (reward_a - reward_b + bias))
        """),
        ("comparison reversed", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return uniforms > torch.sigmoid(beta * (reward_a - reward_b) + bias)
        """),
        ("rewards swapped", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return uniforms < torch.sigmoid(beta * (reward_b - reward_a) + bias)
        """),
        ("beta divides", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return uniforms < torch.sigmoid((reward_a - reward_b) / beta + bias)
        """),
        ("float labels", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
                return (uniforms < torch.sigmoid(beta * (reward_a - reward_b) + bias)).float()
        """),
        ("default beta 2", """
            def simulate_labels(reward_a, reward_b, uniforms, beta=2.0, bias=0.0):
                return uniforms < torch.sigmoid(beta * (reward_a - reward_b) + bias)
        """),
    ],
    "judge_margin": [
        ("learner: subtracts the swapped margin after flipping it", """
            def judge_margin(logits_ab, logits_ba, id_a, id_b):
                p = logits_ab.log_softmax(-1); q = logits_ba.log_softmax(-1)
                return ((p[:, id_a] - p[:, id_b]) - (q[:, id_b] - q[:, id_a])) / 2
        """),
        ("not debiased: the first prompt only", """
            def judge_margin(logits_ab, logits_ba, id_a, id_b):
                return logits_ab[:, id_a] - logits_ab[:, id_b]
        """),
        ("swapped prompt read with the letters the same way round", """
            def judge_margin(logits_ab, logits_ba, id_a, id_b):
                return ((logits_ab[:, id_a] - logits_ab[:, id_b]) + (logits_ba[:, id_a] - logits_ba[:, id_b])) / 2
        """),
        ("sum, not mean", """
            def judge_margin(logits_ab, logits_ba, id_a, id_b):
                return (logits_ab[:, id_a] - logits_ab[:, id_b]) + (logits_ba[:, id_b] - logits_ba[:, id_a])
        """),
        ("probabilities, not log-probabilities", """
            def judge_margin(logits_ab, logits_ba, id_a, id_b):
                p, q = logits_ab.softmax(-1), logits_ba.softmax(-1)
                return ((p[:, id_a] - p[:, id_b]) + (q[:, id_b] - q[:, id_a])) / 2
        """),
        ("sign flipped (prefers the second)", """
            def judge_margin(logits_ab, logits_ba, id_a, id_b):
                return ((logits_ab[:, id_b] - logits_ab[:, id_a]) + (logits_ba[:, id_a] - logits_ba[:, id_b])) / 2
        """),
    ],
    "cohen_kappa": [
        ("learner: category counts paired by sorted position (zip of two torch.unique)", """
            def cohen_kappa(a, b):
                ua, ca = torch.unique(a.long(), return_counts=True)
                ub, cb = torch.unique(b.long(), return_counts=True)
                n = len(a)
                p_e = sum((x / n) * (y / n) for x, y in zip(ca.tolist(), cb.tolist()))
                p_o = (a.long() == b.long()).double().mean().item()
                if p_e == 1:
                    return float("nan")
                return (p_o - p_e) / (1 - p_e)
        """),
        ("learner: chance agreement fixed at 0.5", """
            def cohen_kappa(a, b):
                p_o = (a == b).float().mean()
                return float((p_o - 0.5) / 0.5)
        """),
        ("raw agreement, not chance-corrected", """
            def cohen_kappa(a, b):
                return float((a.long() == b.long()).double().mean())
        """),
        ("chance agreement from pooled frequencies (Scott's pi)", """
            def cohen_kappa(a, b):
                a, b = a.long(), b.long()
                p_o = (a == b).double().mean()
                p_e = sum((((a == c).double().mean() + (b == c).double().mean()) / 2) ** 2 for c in torch.unique(torch.cat([a, b])))
                if p_e == 1:
                    return float("nan")
                return float((p_o - p_e) / (1 - p_e))
        """),
        ("binary formula assuming categories 0 and 1", """
            def cohen_kappa(a, b):
                a, b = a.double(), b.double()
                p_o = (a == b).double().mean()
                pa, pb = a.mean(), b.mean()
                p_e = pa * pb + (1 - pa) * (1 - pb)
                if p_e == 1:
                    return float("nan")
                return float((p_o - p_e) / (1 - p_e))
        """),
        ("1.0 instead of nan when p_e = 1", """
            def cohen_kappa(a, b):
                a, b = a.long(), b.long()
                p_o = (a == b).double().mean()
                p_e = sum((a == c).double().mean() * (b == c).double().mean() for c in torch.unique(torch.cat([a, b])))
                if p_e == 1:
                    return 1.0
                return float((p_o - p_e) / (1 - p_e))
        """),
        ("divides by zero when p_e = 1", """
            def cohen_kappa(a, b):
                a, b = a.long(), b.long()
                p_o = (a == b).double().mean().item()
                p_e = sum(((a == c).double().mean() * (b == c).double().mean()).item() for c in torch.unique(torch.cat([a, b])))
                return (p_o - p_e) / (1 - p_e)
        """),
        ("returns a tensor", """
            def cohen_kappa(a, b):
                a, b = a.long(), b.long()
                p_o = (a == b).double().mean()
                p_e = sum((a == c).double().mean() * (b == c).double().mean() for c in torch.unique(torch.cat([a, b])))
                if p_e == 1:
                    return float("nan")
                return (p_o - p_e) / (1 - p_e)
        """),
    ],
    "mean_pool": [
        ("mean over every position, padding included", """
            def mean_pool(hidden, attention_mask):
                return hidden.mean(1)
        """),
        ("masked sum divided by the full length", """
            def mean_pool(hidden, attention_mask):
                m = attention_mask.to(hidden.dtype)[..., None]
                return (hidden * m).sum(1) / hidden.shape[1]
        """),
        ("the last real token (3.5's pooling)", """
            def mean_pool(hidden, attention_mask):
                T = attention_mask.shape[1]
                last = T - 1 - attention_mask.long().flip(-1).argmax(-1)
                return hidden[torch.arange(hidden.shape[0]), last]
        """),
        ("float32 result for float64 input", """
            def mean_pool(hidden, attention_mask):
                m = attention_mask.float()[..., None]
                return ((hidden * m).sum(1) / m.sum(1)).float()
        """),
        ("the first real tokens by count (assumes right padding)", """
            def mean_pool(hidden, attention_mask):
                lengths = attention_mask.long().sum(1)
                return torch.stack([hidden[i, : int(n)].mean(0) for i, n in enumerate(lengths)])
        """),
    ],
    "soft_bt_loss": [
        ("learner: binary_cross_entropy on sigmoid (clamps at 100)", """
            def soft_bt_loss(r_a, r_b, p_a):
                return F.binary_cross_entropy(torch.sigmoid(r_a - r_b), p_a)
        """),
        ("log of sigmoid (overflows at large margins)", """
            def soft_bt_loss(r_a, r_b, p_a):
                d = r_a - r_b
                return -(p_a * torch.log(torch.sigmoid(d)) + (1 - p_a) * torch.log(torch.sigmoid(-d))).mean()
        """),
        ("the (1 - p) term dropped", """
            def soft_bt_loss(r_a, r_b, p_a):
                return -(p_a * F.logsigmoid(r_a - r_b)).mean()
        """),
        ("A and B swapped", """
            def soft_bt_loss(r_a, r_b, p_a):
                d = r_b - r_a
                return -(p_a * F.logsigmoid(d) + (1 - p_a) * F.logsigmoid(-d)).mean()
        """),
        ("sum, not mean", """
            def soft_bt_loss(r_a, r_b, p_a):
                d = r_a - r_b
                return -(p_a * F.logsigmoid(d) + (1 - p_a) * F.logsigmoid(-d)).sum()
        """),
        ("hard labels: p rounded", """
            def soft_bt_loss(r_a, r_b, p_a):
                d = r_a - r_b
                p = (p_a > 0.5).float()
                return -(p * F.logsigmoid(d) + (1 - p) * F.logsigmoid(-d)).mean()
        """),
        ("a Python float (no gradient)", """
            def soft_bt_loss(r_a, r_b, p_a):
                d = r_a - r_b
                return torch.tensor(-(p_a * F.logsigmoid(d) + (1 - p_a) * F.logsigmoid(-d)).mean().item())
        """),
    ],
    "kl_best_of_n": [
        ("learner: integer division (n - 1) // n", """
            def kl_best_of_n(n):
                return math.log(n) - (n - 1) // n
        """),
        ("the (n - 1) / n term without / n", """
            def kl_best_of_n(n):
                return math.log(n) - (n - 1)
        """),
        ("log base 2", """
            def kl_best_of_n(n):
                return math.log2(n) - (n - 1) / n
        """),
        ("log n alone", """
            def kl_best_of_n(n):
                return math.log(n)
        """),
        ("(n - 1) / n with n + 1", """
            def kl_best_of_n(n):
                return math.log(n) - n / (n + 1)
        """),
    ],
    "expected_best_of_n": [
        ("ranks by proxy descending", """
            def expected_best_of_n(proxy, gold, n):
                N = proxy.shape[1]
                w = torch.tensor([math.comb(i - 1, n - 1) / math.comb(N, n) for i in range(1, N + 1)], dtype=torch.float64)
                order = proxy.argsort(dim=1, descending=True)
                return proxy.gather(1, order).double() @ w, gold.gather(1, order).double() @ w
        """),
        ("gold sorted on its own", """
            def expected_best_of_n(proxy, gold, n):
                N = proxy.shape[1]
                w = torch.tensor([math.comb(i - 1, n - 1) / math.comb(N, n) for i in range(1, N + 1)], dtype=torch.float64)
                return proxy.sort(1).values.double() @ w, gold.sort(1).values.double() @ w
        """),
        ("weights C(i, n - 1), off by one", """
            def expected_best_of_n(proxy, gold, n):
                N = proxy.shape[1]
                w = torch.tensor([math.comb(i, n - 1) / math.comb(N, n) for i in range(1, N + 1)], dtype=torch.float64)
                order = proxy.argsort(dim=1)
                return proxy.gather(1, order).double() @ w, gold.gather(1, order).double() @ w
        """),
        ("weights in float32 (overflow for large N)", """
            def expected_best_of_n(proxy, gold, n):
                N = proxy.shape[1]
                num = torch.tensor([float(math.comb(i - 1, n - 1)) for i in range(1, N + 1)], dtype=torch.float32)
                w = (num / float(math.comb(N, n))).double()
                order = proxy.argsort(dim=1)
                return proxy.gather(1, order).double() @ w, gold.gather(1, order).double() @ w
        """),
        ("always the proxy's favourite (ignores n)", """
            def expected_best_of_n(proxy, gold, n):
                best = proxy.argmax(1, keepdim=True)
                return proxy.gather(1, best).squeeze(1).double(), gold.gather(1, best).squeeze(1).double()
        """),
        ("float32 results", """
            def expected_best_of_n(proxy, gold, n):
                N = proxy.shape[1]
                w = torch.tensor([math.comb(i - 1, n - 1) / math.comb(N, n) for i in range(1, N + 1)])
                order = proxy.argsort(dim=1)
                return proxy.gather(1, order) @ w, gold.gather(1, order) @ w
        """),
    ],
    "revise_by_rules": [
        ("learner: a sentence counts for its first principle only", """
            def revise_by_rules(text, principles):
                sents = split_sentences(text)
                names, heads, kept = [], [], []
                for s in sents:
                    bad = False
                    for p in principles:
                        if re.search(p.pattern, s, re.IGNORECASE):
                            bad = True
                            if p.name not in names:
                                names.append(p.name); heads.append(p.revision)
                            break
                    if not bad:
                        kept.append(s)
                if not names:
                    return text, []
                return " ".join(heads + kept), names
        """),
        ("keeps the violating sentences", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                violated = [p for p in principles if any(re.search(p.pattern, s, flags=re.IGNORECASE) for s in sentences)]
                if not violated:
                    return text, []
                return " ".join([p.revision for p in violated] + sentences), [p.name for p in violated]
        """),
        ("revisions after the kept sentences", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                violated, bad = [], set()
                for p in principles:
                    hits = {i for i, s in enumerate(sentences) if re.search(p.pattern, s, flags=re.IGNORECASE)}
                    if hits:
                        violated.append(p)
                        bad |= hits
                if not violated:
                    return text, []
                kept = [s for i, s in enumerate(sentences) if i not in bad]
                return " ".join(kept + [p.revision for p in violated]), [p.name for p in violated]
        """),
        ("violations listed in the order of the text", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                violated, kept = [], []
                for s in sentences:
                    hit = [p for p in principles if re.search(p.pattern, s, flags=re.IGNORECASE)]
                    for p in hit:
                        if p not in violated:
                            violated.append(p)
                    if not hit:
                        kept.append(s)
                if not violated:
                    return text, []
                return " ".join([p.revision for p in violated] + kept), [p.name for p in violated]
        """),
        ("text re-joined even with no violation", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                violated, bad = [], set()
                for p in principles:
                    hits = {i for i, s in enumerate(sentences) if re.search(p.pattern, s, flags=re.IGNORECASE)}
                    if hits:
                        violated.append(p)
                        bad |= hits
                kept = [s for i, s in enumerate(sentences) if i not in bad]
                return " ".join([p.revision for p in violated] + kept), [p.name for p in violated]
        """),
        ("case-sensitive", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                violated, bad = [], set()
                for p in principles:
                    hits = {i for i, s in enumerate(sentences) if re.search(p.pattern, s)}
                    if hits:
                        violated.append(p)
                        bad |= hits
                if not violated:
                    return text, []
                kept = [s for i, s in enumerate(sentences) if i not in bad]
                return " ".join([p.revision for p in violated] + kept), [p.name for p in violated]
        """),
        ("one revision per violating sentence", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                revisions, names, kept = [], [], []
                for s in sentences:
                    hit = [p for p in principles if re.search(p.pattern, s, flags=re.IGNORECASE)]
                    revisions += [p.revision for p in hit]
                    names += [p.name for p in hit if p.name not in names]
                    if not hit:
                        kept.append(s)
                if not names:
                    return text, []
                order = [p.name for p in principles if p.name in names]
                return " ".join(revisions + kept), order
        """),
        ("reviewer: violation tested on the whole text, not sentence by sentence", """
            def revise_by_rules(text, principles):
                violated = [p for p in principles if re.search(p.pattern, text, flags=re.IGNORECASE)]
                if not violated:
                    return text, []
                kept = [s for s in split_sentences(text)
                        if not any(re.search(p.pattern, s, flags=re.IGNORECASE) for p in violated)]
                return " ".join([p.revision for p in violated] + kept), [p.name for p in violated]
        """),
        ("only the first violated principle", """
            def revise_by_rules(text, principles):
                sentences = split_sentences(text)
                for p in principles:
                    hits = [s for s in sentences if re.search(p.pattern, s, flags=re.IGNORECASE)]
                    if hits:
                        kept = [s for s in sentences if s not in hits]
                        return " ".join([p.revision] + kept), [p.name]
                return text, []
        """),
    ],
    "cai_messages": [
        ("learner: the critique pasted into the revision request", """
            def cai_messages(prompt, response, principle, critique=None):
                msgs = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response},
                        {"role": "user", "content": principle.critique_request}]
                if critique is not None:
                    msgs += [{"role": "assistant", "content": critique},
                             {"role": "user", "content": principle.revision_request + " " + critique}]
                return msgs
        """),
        ("`if critique:` (an empty critique is dropped)", """
            def cai_messages(prompt, response, principle, critique=None):
                m = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response},
                     {"role": "user", "content": principle.critique_request}]
                if critique:
                    m += [{"role": "assistant", "content": critique}, {"role": "user", "content": principle.revision_request}]
                return m
        """),
        ("a system message first", """
            def cai_messages(prompt, response, principle, critique=None):
                m = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt},
                     {"role": "assistant", "content": response}, {"role": "user", "content": principle.critique_request}]
                if critique is not None:
                    m += [{"role": "assistant", "content": critique}, {"role": "user", "content": principle.revision_request}]
                return m
        """),
        ("the revision request replaces the critique request", """
            def cai_messages(prompt, response, principle, critique=None):
                m = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]
                if critique is None:
                    return m + [{"role": "user", "content": principle.critique_request}]
                return m + [{"role": "assistant", "content": critique}, {"role": "user", "content": principle.revision_request}]
        """),
        ("the critique as a user turn", """
            def cai_messages(prompt, response, principle, critique=None):
                m = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response},
                     {"role": "user", "content": principle.critique_request}]
                if critique is not None:
                    m += [{"role": "user", "content": critique}, {"role": "user", "content": principle.revision_request}]
                return m
        """),
        ("critique and revision requests swapped", """
            def cai_messages(prompt, response, principle, critique=None):
                m = [{"role": "user", "content": prompt}, {"role": "assistant", "content": response},
                     {"role": "user", "content": principle.revision_request}]
                if critique is not None:
                    m += [{"role": "assistant", "content": critique}, {"role": "user", "content": principle.critique_request}]
                return m
        """),
    ],
    "mcnemar_exact": [
        ("learner: the point probability of min(b, c), not the tail", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                if b + c == 0:
                    return 1.0
                return min(1.0, 2 * math.comb(b + c, min(b, c)) / 2 ** (b + c))
        """),
        ("one-sided (no factor 2)", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                if b + c == 0:
                    return 1.0
                return min(1.0, sum(math.comb(b + c, k) for k in range(min(b, c) + 1)) / 2 ** (b + c))
        """),
        ("not capped at 1", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                if b + c == 0:
                    return 1.0
                return 2 * sum(math.comb(b + c, k) for k in range(min(b, c) + 1)) / 2 ** (b + c)
        """),
        ("k < min(b, c): off by one", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                if b + c == 0:
                    return 1.0
                return min(1.0, 2 * sum(math.comb(b + c, k) for k in range(min(b, c))) / 2 ** (b + c))
        """),
        ("nan when nothing changed", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                if b + c == 0:
                    return float("nan")
                return min(1.0, 2 * sum(math.comb(b + c, k) for k in range(min(b, c) + 1)) / 2 ** (b + c))
        """),
        ("counts every prompt, not only the discordant ones", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                n = len(before_ok)
                return min(1.0, 2 * sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2 ** n)
        """),
        ("chi-squared approximation", """
            def mcnemar_exact(before_ok, after_ok):
                b = int((before_ok & ~after_ok).sum()); c = int((~before_ok & after_ok).sum())
                if b + c == 0:
                    return 1.0
                stat = (b - c) ** 2 / (b + c)
                return math.erfc(math.sqrt(stat / 2))
        """),
    ],
    "vote_share": [
        ("learner: a missing vote counted as a tie", """
            def vote_share(votes):
                v = votes.clone(); v[v.isnan()] = 0.5
                return v.mean(1)
        """),
        ("plain mean (a missing vote makes the row nan)", """
            def vote_share(votes):
                return votes.mean(1)
        """),
        ("missing votes counted as B", """
            def vote_share(votes):
                return torch.nan_to_num(votes, nan=0.0).mean(1)
        """),
        ("divides by every labeller", """
            def vote_share(votes):
                return torch.nansum(votes, 1) / votes.shape[1]
        """),
        ("nan replaced in place", """
            def vote_share(votes):
                n = (~votes.isnan()).sum(1)
                votes.nan_to_num_(0.0)
                return votes.sum(1) / n
        """),
        ("float32 result for float64 votes", """
            def vote_share(votes):
                return torch.nanmean(votes.float(), dim=1)
        """),
        ("majority vote, not the share", """
            def vote_share(votes):
                s = torch.nanmean(votes, dim=1)
                return torch.where(s.isnan(), s, (s > 0.5).to(votes.dtype))
        """),
    ],
}

ALTERNATIVES = {
    "rule_reward": """
        def rule_reward(text, rules):
            def count(rule):
                n = sum(1 for _ in re.finditer(rule.pattern, text, re.I))
                return n if rule.cap is None else min(n, rule.cap)
            return float(sum(rule.weight * count(rule) for rule in rules)) if rules else 0.0
    """,
    "simulate_labels": """
        def simulate_labels(reward_a, reward_b, uniforms, beta=1.0, bias=0.0):
            logit = beta * reward_a - beta * reward_b + bias
            return torch.log(uniforms) - torch.log1p(-uniforms) < logit
    """,
    "judge_margin": """
        def judge_margin(logits_ab, logits_ba, id_a, id_b):
            la, lb = logits_ab.log_softmax(-1), logits_ba.log_softmax(-1)
            return 0.5 * (la[:, id_a] - la[:, id_b]) - 0.5 * (lb[:, id_a] - lb[:, id_b])
    """,
    "cohen_kappa": """
        def cohen_kappa(a, b):
            xs, ys = a.tolist(), b.tolist()
            n = len(xs)
            p_o = sum(x == y for x, y in zip(xs, ys)) / n
            p_e = sum(xs.count(k) * ys.count(k) for k in set(xs) | set(ys)) / n ** 2
            return float("nan") if p_e >= 1 else (p_o - p_e) / (1 - p_e)
    """,
    "mean_pool": """
        def mean_pool(hidden, attention_mask):
            w = attention_mask.to(hidden.dtype)
            w = w / w.sum(1, keepdim=True)
            return torch.einsum("bt,btd->bd", w, hidden)
    """,
    "soft_bt_loss": """
        def soft_bt_loss(r_a, r_b, p_a):
            return F.binary_cross_entropy_with_logits(r_a - r_b, p_a)
    """,
    "kl_best_of_n": """
        def kl_best_of_n(n):
            return float(math.log(n) - 1 + 1 / n)
    """,
    "expected_best_of_n": """
        def expected_best_of_n(proxy, gold, n):
            N = proxy.shape[1]
            ranks = torch.arange(1, N + 1, dtype=torch.float64)
            log_w = (torch.lgamma(ranks) - torch.lgamma(ranks - n + 1) - math.lgamma(n)
                     - (math.lgamma(N + 1) - math.lgamma(n + 1) - math.lgamma(N - n + 1)))
            w = torch.where(ranks >= n, log_w.exp(), torch.zeros_like(ranks))
            p_out, g_out = [], []
            for p_row, g_row in zip(proxy, gold):
                idx = torch.sort(p_row).indices
                p_out.append((p_row[idx].double() * w).sum())
                g_out.append((g_row[idx].double() * w).sum())
            return torch.stack(p_out), torch.stack(g_out)
    """,
    "revise_by_rules": """
        def revise_by_rules(text, principles):
            sentences = split_sentences(text)
            flags = [[re.search(p.pattern, s, re.I) is not None for s in sentences] for p in principles]
            names = [p.name for p, f in zip(principles, flags) if any(f)]
            if not names:
                return text, []
            keep = [s for j, s in enumerate(sentences) if not any(f[j] for f in flags)]
            heads = [p.revision for p, f in zip(principles, flags) if any(f)]
            return " ".join(heads + keep), names
    """,
    "cai_messages": """
        def cai_messages(prompt, response, principle, critique=None):
            turns = [("user", prompt), ("assistant", response), ("user", principle.critique_request)]
            if critique is not None:
                turns += [("assistant", critique), ("user", principle.revision_request)]
            return [dict(role=r, content=c) for r, c in turns]
    """,
    "mcnemar_exact": """
        def mcnemar_exact(before_ok, after_ok):
            b = int(torch.logical_and(before_ok, torch.logical_not(after_ok)).sum())
            c = int(torch.logical_and(torch.logical_not(before_ok), after_ok).sum())
            n = b + c
            if n == 0:
                return 1.0
            k = min(b, c)
            cdf = sum(math.comb(n, i) * 0.5 ** n for i in range(k + 1))
            return float(min(1.0, 2.0 * cdf))
    """,
    "vote_share": """
        def vote_share(votes):
            present = ~torch.isnan(votes)
            total = torch.where(present, votes, torch.zeros_like(votes)).sum(dim=1)
            return total / present.sum(dim=1).to(votes.dtype)
    """,
}

# A second alternative for some exercises: learner-style solutions written from the page alone.
EXTRA_ALTERNATIVES = {
    "judge_margin": """
        def judge_margin(logits_ab, logits_ba, id_a, id_b):
            two = logits_ab[:, [id_a, id_b]].log_softmax(-1)
            two_b = logits_ba[:, [id_a, id_b]].log_softmax(-1)
            return ((two[:, 0] - two[:, 1]) + (two_b[:, 1] - two_b[:, 0])) / 2
    """,
    "kl_best_of_n": """
        def kl_best_of_n(n):
            import numpy as np
            return float(np.log(n) - (n - 1) / n)
    """,
    "mean_pool": """
        def mean_pool(hidden, attention_mask):
            return (hidden * attention_mask[..., None]).sum(1) / attention_mask.sum(1, keepdim=True)
    """,
    "expected_best_of_n": """
        def expected_best_of_n(proxy, gold, n):
            N = proxy.shape[1]
            w = torch.tensor([math.comb(i - 1, n - 1) for i in range(1, N + 1)], dtype=torch.float64)
            w = w / w.sum()
            order = proxy.argsort(1)
            return (proxy.gather(1, order) * w).sum(1), (gold.gather(1, order) * w).sum(1)
    """,
    "soft_bt_loss": """
        def soft_bt_loss(r_a, r_b, p_a):
            d = r_a - r_b
            return (p_a * F.softplus(-d) + (1 - p_a) * F.softplus(d)).mean()
    """,
}

# An independent reviewer's solutions, written from the page alone.
REVIEW_ALTERNATIVES = {
    "cohen_kappa": [
        ("reviewer: categories of the first labeller only (the others add 0 to p_e)", """
            def cohen_kappa(a, b):
                a, b = a.long(), b.long()
                p_o = (a == b).double().mean()
                p_e = sum((a == c).double().mean() * (b == c).double().mean() for c in torch.unique(a))
                if p_e == 1:
                    return float("nan")
                return float((p_o - p_e) / (1 - p_e))
        """),
        ("reviewer: confusion matrix", """
            def cohen_kappa(a, b):
                cats, inv = torch.unique(torch.cat([a.long(), b.long()]), return_inverse=True)
                n, k = len(a), len(cats)
                m = torch.zeros(k, k, dtype=torch.float64)
                m.index_put_((inv[:n], inv[n:]), torch.ones(n, dtype=torch.float64), accumulate=True)
                m /= n
                po, pe = m.trace(), (m.sum(1) * m.sum(0)).sum()
                return float("nan") if pe == 1 else float((po - pe) / (1 - pe))
        """),
    ],
    "expected_best_of_n": [
        ("reviewer: weights as differences of the CDF C(i, n) / C(N, n)", """
            def expected_best_of_n(proxy, gold, n):
                N = proxy.shape[1]
                cdf = torch.tensor([math.comb(i, n) / math.comb(N, n) for i in range(N + 1)], dtype=torch.float64)
                w = cdf[1:] - cdf[:-1]
                order = torch.argsort(proxy, dim=-1)
                return (proxy.double().gather(1, order) * w).sum(-1), (gold.double().gather(1, order) * w).sum(-1)
        """),
    ],
    "mcnemar_exact": [
        ("reviewer: discordant count and the smaller tail", """
            def mcnemar_exact(before_ok, after_ok):
                changed = before_ok != after_ok
                m = int(changed.sum())
                if m == 0:
                    return 1.0
                c = int((after_ok & changed).sum())
                return min(1.0, 2 * sum(math.comb(m, j) for j in range(min(c, m - c) + 1)) / 2 ** m)
        """),
    ],
    "rule_reward": [
        ("reviewer: slicing the match list by the cap", """
            def rule_reward(text, rules):
                out = 0.0
                for r in rules:
                    hits = re.findall(r.pattern, text, flags=re.IGNORECASE)
                    out += r.weight * len(hits[: r.cap] if r.cap is not None else hits)
                return out
        """),
    ],
}

ALL_ALTERNATIVES = {
    name: [("alternative", src)] + ([("learner-style alternative", EXTRA_ALTERNATIVES[name])]
                                    if name in EXTRA_ALTERNATIVES else []) + REVIEW_ALTERNATIVES.get(name, [])
    for name, src in ALTERNATIVES.items()
}

globals().update(make_tests("4.4", MUTANTS, alternatives=ALL_ALTERNATIVES))
