"""Section 3.5: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

MUTANTS = {
    "tokenize_chat": [
        ("prompt masked one token short (the header's last token stays a target)", """
            def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
                messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
                p = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                f = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": response}], tokenize=False)
                n = len(tokenizer(p, add_special_tokens=False).input_ids)
                ids = torch.tensor(tokenizer(f, add_special_tokens=False).input_ids)
                labels = ids.clone()
                labels[:n - 1] = IGNORE
                return ids, labels
        """),
        ("prompt masked one token too far (the response's first token is not a target)", """
            def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
                messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
                p = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                f = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": response}], tokenize=False)
                n = len(tokenizer(p, add_special_tokens=False).input_ids)
                ids = torch.tensor(tokenizer(f, add_special_tokens=False).input_ids)
                labels = ids.clone()
                labels[:n + 1] = IGNORE
                return ids, labels
        """),
        ("prompt not masked at all", """
            def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
                messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt},
                            {"role": "assistant", "content": response}]
                f = tokenizer.apply_chat_template(messages, tokenize=False)
                ids = torch.tensor(tokenizer(f, add_special_tokens=False).input_ids)
                return ids, ids.clone()
        """),
        ("prompt rendered without the generation prompt (header left as a target)", """
            def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
                messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
                p = tokenizer.apply_chat_template(messages, tokenize=False)
                f = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": response}], tokenize=False)
                n = len(tokenizer(p, add_special_tokens=False).input_ids)
                ids = torch.tensor(tokenizer(f, add_special_tokens=False).input_ids)
                labels = ids.clone()
                labels[:n] = IGNORE
                return ids, labels
        """),
        ("the system message is ignored", """
            def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
                messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
                p = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                f = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": response}], tokenize=False)
                n = len(tokenizer(p, add_special_tokens=False).input_ids)
                ids = torch.tensor(tokenizer(f, add_special_tokens=False).input_ids)
                labels = ids.clone()
                labels[:n] = IGNORE
                return ids, labels
        """),
        ("labels masked with 0 instead of -100", """
            def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
                messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
                p = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
                f = tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": response}], tokenize=False)
                n = len(tokenizer(p, add_special_tokens=False).input_ids)
                ids = torch.tensor(tokenizer(f, add_special_tokens=False).input_ids)
                labels = ids.clone()
                labels[:n] = 0
                return ids, labels
        """),
    ],
    "token_log_probs": [
        ("gathered at the same position (logits at t scored against token t)", """
            def token_log_probs(logits, input_ids):
                lp = logits[:, 1:].log_softmax(-1)
                return lp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        """),
        ("logits[:, :-1] against input_ids[:, :-1]", """
            def token_log_probs(logits, input_ids):
                lp = logits[:, :-1].log_softmax(-1)
                return lp.gather(-1, input_ids[:, :-1, None]).squeeze(-1)
        """),
        ("log of softmax (underflows)", """
            def token_log_probs(logits, input_ids):
                lp = logits[:, :-1].softmax(-1).log()
                return lp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        """),
        ("softmax over the sequence axis", """
            def token_log_probs(logits, input_ids):
                lp = logits[:, :-1].log_softmax(1)
                return lp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        """),
        ("raw logits, not log-probabilities", """
            def token_log_probs(logits, input_ids):
                return logits[:, :-1].gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        """),
        ("detached", """
            def token_log_probs(logits, input_ids):
                lp = logits.detach()[:, :-1].log_softmax(-1)
                return lp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        """),
    ],
    "sft_loss": [
        ("no shift", """
            def sft_loss(logits, labels):
                return F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)
        """),
        ("mean of per-sequence means", """
            def sft_loss(logits, labels):
                per = F.cross_entropy(logits[:, :-1].transpose(1, 2), labels[:, 1:], ignore_index=IGNORE,
                                      reduction="none")
                m = (labels[:, 1:] != IGNORE).float()
                return ((per * m).sum(1) / m.sum(1)).mean()
        """),
        ("IGNORE positions counted in the mean as zeros", """
            def sft_loss(logits, labels):
                per = F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=IGNORE,
                                      reduction="none")
                return per.mean()
        """),
        ("sum instead of mean", """
            def sft_loss(logits, labels):
                return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=IGNORE,
                                       reduction="sum")
        """),
    ],
    "LoRALinear": [
        ("base not frozen", """
            class LoRALinear(nn.Module):
                def __init__(self, base, r=8, alpha=16.0):
                    super().__init__()
                    self.base = base
                    self.A = nn.Parameter(torch.randn(r, base.in_features) * 0.01)
                    self.B = nn.Parameter(torch.zeros(base.out_features, r))
                    self.scale = alpha / r
                def forward(self, x):
                    return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T
        """),
        ("scale missing", """
            class LoRALinear(nn.Module):
                def __init__(self, base, r=8, alpha=16.0):
                    super().__init__()
                    self.base = base
                    self.base.requires_grad_(False)
                    self.A = nn.Parameter(torch.randn(r, base.in_features) * 0.01)
                    self.B = nn.Parameter(torch.zeros(base.out_features, r))
                    self.scale = alpha / r
                def forward(self, x):
                    return self.base(x) + (x @ self.A.T) @ self.B.T
        """),
        ("scale alpha * r", """
            class LoRALinear(nn.Module):
                def __init__(self, base, r=8, alpha=16.0):
                    super().__init__()
                    self.base = base
                    self.base.requires_grad_(False)
                    self.A = nn.Parameter(torch.randn(r, base.in_features) * 0.01)
                    self.B = nn.Parameter(torch.zeros(base.out_features, r))
                    self.scale = alpha * r
                def forward(self, x):
                    return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T
        """),
        ("B random and A zero (the roles swapped)", """
            class LoRALinear(nn.Module):
                def __init__(self, base, r=8, alpha=16.0):
                    super().__init__()
                    self.base = base
                    self.base.requires_grad_(False)
                    self.A = nn.Parameter(torch.zeros(r, base.in_features))
                    self.B = nn.Parameter(torch.randn(base.out_features, r) * 0.01)
                    self.scale = alpha / r
                def forward(self, x):
                    return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T
        """),
        ("A and B multiplied in the wrong order (x @ B @ A shapes transposed)", """
            class LoRALinear(nn.Module):
                def __init__(self, base, r=8, alpha=16.0):
                    super().__init__()
                    self.base = base
                    self.base.requires_grad_(False)
                    self.A = nn.Parameter(torch.randn(base.in_features, r) * 0.01)
                    self.B = nn.Parameter(torch.zeros(r, base.out_features))
                    self.scale = alpha / r
                def forward(self, x):
                    return self.base(x) + self.scale * (x @ self.A) @ self.B
        """),
        ("default alpha 8", """
            class LoRALinear(nn.Module):
                def __init__(self, base, r=8, alpha=8.0):
                    super().__init__()
                    self.base = base
                    self.base.requires_grad_(False)
                    self.A = nn.Parameter(torch.randn(r, base.in_features) * 0.01)
                    self.B = nn.Parameter(torch.zeros(base.out_features, r))
                    self.scale = alpha / r
                def forward(self, x):
                    return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T
        """),
    ],
    "last_token_features": [
        ("mask.sum() - 1 (wrong with left padding)", """
            def last_token_features(hidden, attention_mask):
                last = attention_mask.sum(-1) - 1
                return hidden[torch.arange(hidden.shape[0]), last]
        """),
        ("always the last position", """
            def last_token_features(hidden, attention_mask):
                return hidden[:, -1]
        """),
        ("the first real token", """
            def last_token_features(hidden, attention_mask):
                return hidden[torch.arange(hidden.shape[0]), attention_mask.argmax(-1)]
        """),
        ("mask.sum() (one past the end)", """
            def last_token_features(hidden, attention_mask):
                last = (attention_mask.sum(-1)).clamp(max=attention_mask.shape[1] - 1)
                return hidden[torch.arange(hidden.shape[0]), last]
        """),
        ("mean over real tokens", """
            def last_token_features(hidden, attention_mask):
                m = attention_mask[..., None].to(hidden.dtype)
                return (hidden * m).sum(1) / m.sum(1)
        """),
    ],
    "bradley_terry_loss": [
        ("chosen and rejected swapped", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return -F.logsigmoid(r_rejected - r_chosen).mean()
        """),
        ("log of sigmoid (infinite for a badly wrong pair)", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return -torch.sigmoid(r_chosen - r_rejected).log().mean()
        """),
        ("sigmoid instead of logsigmoid", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return -torch.sigmoid(r_chosen - r_rejected).mean()
        """),
        ("summed over pairs", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return -F.logsigmoid(r_chosen - r_rejected).sum()
        """),
        ("sign missing", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return F.logsigmoid(r_chosen - r_rejected).mean()
        """),
        ("logsigmoid of each reward separately", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return (-F.logsigmoid(r_chosen) - F.logsigmoid(-r_rejected)).mean()
        """),
        ("rejected reward detached", """
            def bradley_terry_loss(r_chosen, r_rejected):
                return -F.logsigmoid(r_chosen - r_rejected.detach()).mean()
        """),
    ],
    "pairwise_accuracy": [
        ("ties count as right", """
            def pairwise_accuracy(r_chosen, r_rejected):
                return (r_chosen >= r_rejected).float().mean().item()
        """),
        ("ties count as wrong", """
            def pairwise_accuracy(r_chosen, r_rejected):
                return (r_chosen > r_rejected).float().mean().item()
        """),
        ("returns a tensor", """
            def pairwise_accuracy(r_chosen, r_rejected):
                return ((r_chosen > r_rejected).float() + 0.5 * (r_chosen == r_rejected).float()).mean()
        """),
    ],
    "positive_word_reward": [
        ("substring matches ('unhappy' counts as 'happy')", """
            def positive_word_reward(texts, words, cap=4):
                out = [min(sum(t.lower().count(w) for w in words), cap) for t in texts]
                return torch.tensor(out, dtype=torch.float32)
        """),
        ("case-sensitive", """
            def positive_word_reward(texts, words, cap=4):
                out = [min(sum(w in words for w in re.findall(r"[a-z]+", t)), cap) for t in texts]
                return torch.tensor(out, dtype=torch.float32)
        """),
        ("split on spaces (punctuation sticks to words)", """
            def positive_word_reward(texts, words, cap=4):
                out = [min(sum(w in words for w in t.lower().split()), cap) for t in texts]
                return torch.tensor(out, dtype=torch.float32)
        """),
        ("distinct words only", """
            def positive_word_reward(texts, words, cap=4):
                out = [min(len(set(re.findall(r"[a-z]+", t.lower())) & words), cap) for t in texts]
                return torch.tensor(out, dtype=torch.float32)
        """),
        ("scaled to [0, 1] by the cap", """
            def positive_word_reward(texts, words, cap=4):
                out = [min(sum(w in words for w in re.findall(r"[a-z]+", t.lower())), cap) / cap for t in texts]
                return torch.tensor(out, dtype=torch.float32)
        """),
        ("default cap 5", """
            def positive_word_reward(texts, words, cap=5):
                out = [min(sum(w in words for w in re.findall(r"[a-z]+", t.lower())), cap) for t in texts]
                return torch.tensor(out, dtype=torch.float32)
        """),
    ],
    "response_mask": [
        ("EOS itself masked out", """
            def response_mask(response_ids, eos_id):
                return ((response_ids == eos_id).long().cumsum(-1) == 0).float()
        """),
        ("every EOS masked, tokens between kept", """
            def response_mask(response_ids, eos_id):
                return (response_ids != eos_id).float()
        """),
        ("only tokens that are not EOS after the first (later EOS kept)", """
            def response_mask(response_ids, eos_id):
                is_eos = (response_ids == eos_id).long()
                before = is_eos.cumsum(-1) - is_eos
                return ((before == 0) | (response_ids == eos_id)).float()
        """),
        ("bool, not float", """
            def response_mask(response_ids, eos_id):
                is_eos = (response_ids == eos_id).long()
                return (is_eos.cumsum(-1) - is_eos) == 0
        """),
        ("cumsum over the batch axis", """
            def response_mask(response_ids, eos_id):
                is_eos = (response_ids == eos_id).long()
                return ((is_eos.cumsum(0) - is_eos) == 0).float()
        """),
    ],
    "reference_log_probs": [
        ("adapter left on (the reference is the policy)", """
            def reference_log_probs(model, input_ids, attention_mask):
                with torch.no_grad():
                    return token_log_probs(forward_logits(model, input_ids, attention_mask), input_ids)
        """),
        ("gradient flows through the reference", """
            def reference_log_probs(model, input_ids, attention_mask):
                with model.disable_adapter():
                    return token_log_probs(forward_logits(model, input_ids, attention_mask), input_ids)
        """),
        ("the wrapped base model, whose layers still hold the adapter", """
            def reference_log_probs(model, input_ids, attention_mask):
                with torch.no_grad():
                    return token_log_probs(forward_logits(model.get_base_model(), input_ids, attention_mask), input_ids)
        """),
        ("adapter disabled and never enabled again", """
            def reference_log_probs(model, input_ids, attention_mask):
                model.base_model.disable_adapter_layers()
                with torch.no_grad():
                    return token_log_probs(forward_logits(model, input_ids, attention_mask), input_ids)
        """),
    ],
    "per_token_kl": [
        ("sign flipped (reference minus policy)", """
            def per_token_kl(logp, ref_logp, mask):
                return (ref_logp - logp) * mask
        """),
        ("mask ignored", """
            def per_token_kl(logp, ref_logp, mask):
                return logp - ref_logp
        """),
        ("absolute value", """
            def per_token_kl(logp, ref_logp, mask):
                return (logp - ref_logp).abs() * mask
        """),
        ("k3 estimator instead of the plain difference", """
            def per_token_kl(logp, ref_logp, mask):
                d = ref_logp - logp
                return (d.exp() - 1 - d) * mask
        """),
    ],
    "MovingBaseline": [
        ("starts at 0 instead of the first mean", """
            class MovingBaseline:
                def __init__(self, decay=0.9):
                    self.decay = decay
                    self.value = None
                def update(self, rewards):
                    prev = 0.0 if self.value is None else self.value
                    self.value = self.decay * prev + (1 - self.decay) * rewards.mean().item()
                    return self.value
        """),
        ("decay applied to the new mean", """
            class MovingBaseline:
                def __init__(self, decay=0.9):
                    self.decay = decay
                    self.value = None
                def update(self, rewards):
                    m = rewards.mean().item()
                    self.value = m if self.value is None else (1 - self.decay) * self.value + self.decay * m
                    return self.value
        """),
        ("keeps a tensor (with its graph)", """
            class MovingBaseline:
                def __init__(self, decay=0.9):
                    self.decay = decay
                    self.value = None
                def update(self, rewards):
                    m = rewards.mean()
                    self.value = m if self.value is None else self.decay * self.value + (1 - self.decay) * m
                    return self.value
        """),
        ("default decay 0.99", """
            class MovingBaseline:
                def __init__(self, decay=0.99):
                    self.decay = decay
                    self.value = None
                def update(self, rewards):
                    m = rewards.mean().item()
                    self.value = m if self.value is None else self.decay * self.value + (1 - self.decay) * m
                    return self.value
        """),
    ],
    "rlhf_loss": [
        ("KL sign flipped", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = ((ref_logp - logp) * mask).sum(-1)
                adv = (scores - beta * kl - baseline).detach()
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("KL added to the reward", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1)
                adv = (scores + beta * kl - baseline).detach()
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("baseline not subtracted", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1)
                adv = (scores - beta * kl).detach()
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("gradient through the baseline", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1).detach()
                adv = scores - beta * kl - baseline
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("gradient through the reference (KL not detached)", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = ((logp.detach() - ref_logp) * mask).sum(-1)
                adv = scores.detach() - beta * kl - baseline
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("advantage not detached (gradient through the KL into logp)", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp.detach(), mask).sum(-1)
                adv = scores.detach() - beta * kl - (baseline.detach() if torch.is_tensor(baseline) else baseline)
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("minus sign missing", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1)
                adv = (scores - beta * kl - baseline).detach()
                return (adv * (logp * mask).sum(-1)).mean()
        """),
        ("log-probs not masked", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1)
                adv = (scores - beta * kl - baseline).detach()
                return -(adv * logp.sum(-1)).mean()
        """),
        ("KL not masked", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = (logp - ref_logp).sum(-1)
                adv = (scores - beta * kl - baseline).detach()
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("KL averaged over tokens instead of summed", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).mean(-1)
                adv = (scores - beta * kl - baseline).detach()
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
        ("mean over tokens instead of sum", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1)
                adv = (scores - beta * kl - baseline).detach()
                return -(adv * (logp * mask).sum(-1) / mask.sum(-1)).mean()
        """),
        ("default beta 0.1", """
            def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.1):
                kl = per_token_kl(logp, ref_logp, mask).sum(-1)
                adv = (scores - beta * kl - baseline).detach()
                return -(adv * (logp * mask).sum(-1)).mean()
        """),
    ],
}

ALTERNATIVES = {
    "tokenize_chat": """
        def tokenize_chat(tokenizer, prompt, response, system=SYSTEM):
            head = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
            prompt_ids = tokenizer(tokenizer.apply_chat_template(head, tokenize=False, add_generation_prompt=True),
                                   add_special_tokens=False, return_tensors="pt").input_ids[0]
            full = head + [{"role": "assistant", "content": response}]
            ids = tokenizer(tokenizer.apply_chat_template(full, tokenize=False), add_special_tokens=False,
                            return_tensors="pt").input_ids[0]
            labels = torch.where(torch.arange(len(ids)) < len(prompt_ids), torch.full_like(ids, -100), ids)
            return ids, labels
    """,
    "token_log_probs": [("take_along_dim minus logsumexp", """
        def token_log_probs(logits, input_ids):
            targets = input_ids[:, 1:]
            picked = torch.take_along_dim(logits[:, :-1], targets[..., None], dim=-1).squeeze(-1)
            return picked - torch.logsumexp(logits[:, :-1], dim=-1)
    """), ("minus the unreduced cross-entropy", """
        def token_log_probs(logits, input_ids):
            return -F.cross_entropy(logits[:, :-1].transpose(1, 2), input_ids[:, 1:], reduction="none")
    """)],
    "sft_loss": """
        def sft_loss(logits, labels):
            lp = logits[:, :-1].log_softmax(-1)
            targets = labels[:, 1:]
            keep = targets != IGNORE
            picked = lp.gather(-1, targets.clamp(min=0)[..., None]).squeeze(-1)
            return -picked[keep].mean()
    """,
    "LoRALinear": """
        class LoRALinear(nn.Module):
            def __init__(self, base, r=8, alpha=16.0):
                super().__init__()
                base.weight.requires_grad = False
                if base.bias is not None:
                    base.bias.requires_grad = False
                self.base = base
                self.A = nn.Parameter(nn.init.kaiming_uniform_(torch.empty(r, base.in_features), a=5 ** 0.5))
                self.B = nn.Parameter(base.weight.new_zeros(base.out_features, r))
                self.scale = alpha / r
            def forward(self, x):
                delta = torch.einsum("...i,ri,or->...o", x, self.A, self.B)
                return self.base(x) + self.scale * delta
    """,
    "last_token_features": [("argmax of the mask's running count (first position of the maximum)", """
        def last_token_features(hidden, attention_mask):
            return hidden[torch.arange(hidden.shape[0]), attention_mask.cumsum(-1).argmax(-1)]
    """), ("where + max, then a Python loop", """
        def last_token_features(hidden, attention_mask):
            T = attention_mask.shape[1]
            positions = torch.arange(T).expand_as(attention_mask)
            last = torch.where(attention_mask.bool(), positions, -1).max(-1).values
            return torch.stack([hidden[b, t] for b, t in enumerate(last.tolist())])
    """)],
    "bradley_terry_loss": """
        def bradley_terry_loss(r_chosen, r_rejected):
            return F.softplus(r_rejected - r_chosen).mean()
    """,
    "pairwise_accuracy": """
        def pairwise_accuracy(r_chosen, r_rejected):
            d = torch.sign(r_chosen - r_rejected)
            return float((d + 1).mean() / 2)
    """,
    "positive_word_reward": """
        def positive_word_reward(texts, words, cap=4):
            scores = torch.zeros(len(texts))
            for i, text in enumerate(texts):
                n = 0
                for w in re.split(r"[^a-z]+", text.lower()):
                    if w and w in words:
                        n += 1
                scores[i] = min(n, cap)
            return scores
    """,
    "response_mask": """
        def response_mask(response_ids, eos_id):
            out = torch.ones(response_ids.shape)
            for b in range(response_ids.shape[0]):
                hits = (response_ids[b] == eos_id).nonzero()
                if len(hits):
                    out[b, int(hits[0]) + 1:] = 0.0
            return out
    """,
    "reference_log_probs": """
        def reference_log_probs(model, input_ids, attention_mask):
            model.base_model.disable_adapter_layers()
            try:
                with torch.inference_mode():
                    logits = forward_logits(model, input_ids, attention_mask)
                out = token_log_probs(logits, input_ids).clone()
            finally:
                model.base_model.enable_adapter_layers()
            return out
    """,
    "per_token_kl": """
        def per_token_kl(logp, ref_logp, mask):
            return torch.where(mask.bool(), logp - ref_logp, torch.zeros_like(logp))
    """,
    "MovingBaseline": """
        class MovingBaseline:
            def __init__(self, decay=0.9):
                self.decay, self.value = decay, None
            def update(self, rewards):
                m = float(rewards.detach().mean())
                if self.value is None:
                    self.value = m
                else:
                    self.value += (1 - self.decay) * (m - self.value)
                return self.value
    """,
    "rlhf_loss": """
        def rlhf_loss(logp, ref_logp, mask, scores, baseline, beta=0.05):
            with torch.no_grad():
                kl = ((logp - ref_logp) * mask).sum(dim=1)
                advantage = scores - beta * kl - baseline
            seq_logp = (logp * mask).sum(dim=1)
            return -(advantage * seq_logp).sum() / logp.shape[0]
    """,
}

globals().update(make_tests("3.5", MUTANTS, alternatives=ALTERNATIVES))
