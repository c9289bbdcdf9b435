"""Section 1.2: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the mistakes the issue names and their relatives: the wrong diagonal offset in a
previous-token or induction score, averaging over the wrong axis, an induction score that includes
the first (non-repeated) half, a logit attribution without the final LayerNorm's scale (or its
centring), an ablation hook that edits a copy, mean ablation over the wrong axis, the OV product
in the wrong order, a composition score without its Frobenius normalisation. Alternatives are
correct solutions in another style (loops, masks instead of diagonals, TransformerLens helpers).
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.2"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "attention_pattern_from_cache": [
        ("softmax of the cached scores, attn_scale ignored (learner test)", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                return cache["attn_scores", layer].softmax(-1)
        """),
        ("hard-coded sqrt(d_head) instead of attn_scale", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q, k = cache["q", layer], cache["k", layer]
                scores = einsum(q, k, "b i h d, b j h d -> b h i j") / q.shape[-1] ** 0.5
                n = scores.shape[-1]
                future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
                return scores.masked_fill(future, float("-inf")).softmax(-1)
        """),
        ("no causal mask", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q, k = cache["q", layer], cache["k", layer]
                return (einsum(q, k, "b i h d, b j h d -> b h i j") / attn_scale).softmax(-1)
        """),
        ("mask applied after the softmax (rows no longer sum to 1)", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q, k = cache["q", layer], cache["k", layer]
                p = (einsum(q, k, "b i h d, b j h d -> b h i j") / attn_scale).softmax(-1)
                n = p.shape[-1]
                return p * torch.tril(torch.ones(n, n))
        """),
        ("softmax over the query axis", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q, k = cache["q", layer], cache["k", layer]
                scores = einsum(q, k, "b i h d, b j h d -> b h i j") / attn_scale
                n = scores.shape[-1]
                future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
                return scores.masked_fill(future, float("-inf")).softmax(-2).nan_to_num(0.0)
        """),
        ("query and key swapped (pattern transposed)", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q, k = cache["q", layer], cache["k", layer]
                scores = einsum(q, k, "b i h d, b j h d -> b h j i") / attn_scale
                n = scores.shape[-1]
                future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
                return scores.masked_fill(future, float("-inf")).softmax(-1)
        """),
        ("the diagonal masked too (diagonal=0)", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q, k = cache["q", layer], cache["k", layer]
                scores = einsum(q, k, "b i h d, b j h d -> b h i j") / attn_scale
                n = scores.shape[-1]
                future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=0)
                return scores.masked_fill(future, -1e9).softmax(-1)
        """),
    ],
    "current_token_score": [
        ("averaged over the head axis instead of the batch", """
            def current_token_score(pattern):
                return pattern.diagonal(dim1=-2, dim2=-1).mean(dim=(1, 2))
        """),
        ("the previous-token diagonal", """
            def current_token_score(pattern):
                return pattern.diagonal(offset=-1, dim1=-2, dim2=-1).mean(dim=(0, 2))
        """),
        ("skips query 0", """
            def current_token_score(pattern):
                return pattern.diagonal(dim1=-2, dim2=-1)[..., 1:].mean(dim=(0, 2))
        """),
    ],
    "prev_token_score": [
        ("diagonal with dim1 and dim2 swapped (learner test)", """
            def prev_token_score(pattern):
                return pattern.diagonal(offset=-1, dim1=-1, dim2=-2).mean((0, 2))
        """),
        ("offset +1 (the next token: always 0 under the causal mask)", """
            def prev_token_score(pattern):
                return pattern.diagonal(offset=1, dim1=-2, dim2=-1).mean(dim=(0, 2))
        """),
        ("offset -2", """
            def prev_token_score(pattern):
                return pattern.diagonal(offset=-2, dim1=-2, dim2=-1).mean(dim=(0, 2))
        """),
        ("averaged over the head axis", """
            def prev_token_score(pattern):
                return pattern.diagonal(offset=-1, dim1=-2, dim2=-1).mean(dim=(1, 2))
        """),
        ("divides by the number of positions, counting position 0", """
            def prev_token_score(pattern):
                d = pattern.diagonal(offset=-1, dim1=-2, dim2=-1)
                return d.sum(dim=(0, 2)) / (pattern.shape[0] * pattern.shape[2])
        """),
        ("sum over positions, not mean", """
            def prev_token_score(pattern):
                return pattern.diagonal(offset=-1, dim1=-2, dim2=-1).sum(2).mean(0)
        """),
    ],
    "first_token_score": [
        ("includes query 0", """
            def first_token_score(pattern):
                return pattern[..., 0].mean(dim=(0, 2))
        """),
        ("column 0 along the query axis (row 0)", """
            def first_token_score(pattern):
                return pattern[:, :, 0, 1:].mean(dim=(0, 2))
        """),
        ("averaged over the head axis", """
            def first_token_score(pattern):
                return pattern[:, :, 1:, 0].mean(dim=(1, 2))
        """),
    ],
    "repeated_tokens": [
        ("high excluded twice: randint(low, high - 1)", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                gen = torch.Generator().manual_seed(seed)
                half = torch.randint(low, high - 1, (batch, seq_len), generator=gen)
                return torch.cat([torch.full((batch, 1), bos), half, half], dim=1)
        """),
        ("seeds the global RNG", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                torch.manual_seed(seed)
                half = torch.randint(low, high, (batch, seq_len))
                return torch.cat([torch.full((batch, 1), bos), half, half], dim=1)
        """),
        ("no BOS column", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                gen = torch.Generator().manual_seed(seed)
                half = torch.randint(low, high, (batch, seq_len), generator=gen)
                return torch.cat([half, half], dim=1)
        """),
        ("second copy drawn afresh", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                gen = torch.Generator().manual_seed(seed)
                a = torch.randint(low, high, (batch, seq_len), generator=gen)
                b = torch.randint(low, high, (batch, seq_len), generator=gen)
                return torch.cat([torch.full((batch, 1), bos), a, b], dim=1)
        """),
        ("one row repeated for the whole batch", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                gen = torch.Generator().manual_seed(seed)
                half = torch.randint(low, high, (1, seq_len), generator=gen).expand(batch, -1)
                return torch.cat([torch.full((batch, 1), bos), half, half], dim=1)
        """),
        ("ignores the seed", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                gen = torch.Generator().manual_seed(0)
                half = torch.randint(low, high, (batch, seq_len), generator=gen)
                return torch.cat([torch.full((batch, 1), bos), half, half], dim=1)
        """),
        ("float tokens", """
            def repeated_tokens(batch, seq_len, low, high, bos, seed):
                gen = torch.Generator().manual_seed(seed)
                half = torch.randint(low, high, (batch, seq_len), generator=gen).float()
                return torch.cat([torch.full((batch, 1), float(bos)), half, half], dim=1)
        """),
    ],
    "per_token_loss": [
        ("logits and tokens at the same position (cross_entropy) (learner test)", """
            def per_token_loss(logits, tokens):
                return torch.nn.functional.cross_entropy(logits[:, 1:].transpose(1, 2), tokens[:, 1:], reduction="none")
        """),
        ("no shift: logits at p scored against the token at p", """
            def per_token_loss(logits, tokens):
                lp = logits.log_softmax(-1)
                return -lp.gather(-1, tokens[..., None]).squeeze(-1)[:, 1:]
        """),
        ("shifted the wrong way", """
            def per_token_loss(logits, tokens):
                lp = logits[:, 1:].log_softmax(-1)
                return -lp.gather(-1, tokens[:, :-1, None]).squeeze(-1)
        """),
        ("log of softmax (inf when a probability underflows)", """
            def per_token_loss(logits, tokens):
                p = logits[:, :-1].softmax(-1)
                return -p.gather(-1, tokens[:, 1:, None]).squeeze(-1).log()
        """),
        ("raw logits, no log-softmax", """
            def per_token_loss(logits, tokens):
                return -logits[:, :-1].gather(-1, tokens[:, 1:, None]).squeeze(-1)
        """),
        ("log-softmax over the position axis", """
            def per_token_loss(logits, tokens):
                lp = logits[:, :-1].log_softmax(1)
                return -lp.gather(-1, tokens[:, 1:, None]).squeeze(-1)
        """),
    ],
    "induction_score": [
        ("queries start one position early (learner test)", """
            def induction_score(pattern, seq_len):
                qs = torch.arange(seq_len, 2 * seq_len)
                return pattern[:, :, qs, qs - seq_len + 1].mean((0, 2))
        """),
        ("offset -seq_len: the earlier copy of the token itself, not the one after it", """
            def induction_score(pattern, seq_len):
                stripe = pattern.diagonal(offset=-seq_len, dim1=-2, dim2=-1)
                return stripe[..., -seq_len:].mean(dim=(0, 2))
        """),
        ("offset 2 - seq_len", """
            def induction_score(pattern, seq_len):
                stripe = pattern.diagonal(offset=2 - seq_len, dim1=-2, dim2=-1)
                return stripe[..., -seq_len:].mean(dim=(0, 2))
        """),
        ("includes the first half (the whole stripe)", """
            def induction_score(pattern, seq_len):
                return pattern.diagonal(offset=1 - seq_len, dim1=-2, dim2=-1).mean(dim=(0, 2))
        """),
        ("skips the first query of the repeat", """
            def induction_score(pattern, seq_len):
                stripe = pattern.diagonal(offset=1 - seq_len, dim1=-2, dim2=-1)
                return stripe[..., -seq_len + 1:].mean(dim=(0, 2))
        """),
        ("averaged over the head axis", """
            def induction_score(pattern, seq_len):
                stripe = pattern.diagonal(offset=1 - seq_len, dim1=-2, dim2=-1)
                return stripe[..., -seq_len:].mean(dim=(1, 2))
        """),
        ("loop with the target computed as i - seq_len", """
            def induction_score(pattern, seq_len):
                total = 0
                for i in range(seq_len + 1, 2 * seq_len + 1):
                    total = total + pattern[:, :, i, i - seq_len]
                return total.mean(0) / seq_len
        """),
    ],
    "induction_scores_by_hook": [
        ("seq_len re-derived wrongly from the tokens (learner test)", """
            def induction_scores_by_hook(model, tokens, seq_len):
                out = torch.empty(model.cfg.n_layers, model.cfg.n_heads)
                def hook(pattern, hook):
                    out[hook.layer()] = induction_score(pattern, tokens.shape[1] // 2 - 1).detach()
                model.run_with_hooks(tokens, fwd_hooks=[(lambda n: n.endswith("pattern"), hook)])
                return out
        """),
        ("uses run_with_cache", """
            def induction_scores_by_hook(model, tokens, seq_len):
                _, cache = model.run_with_cache(tokens)
                return torch.stack([induction_score(cache["pattern", l], seq_len)
                                    for l in range(model.cfg.n_layers)])
        """),
        ("transposed result [head, layer]", """
            def induction_scores_by_hook(model, tokens, seq_len):
                scores = torch.zeros(model.cfg.n_heads, model.cfg.n_layers)
                def fn(pattern, hook):
                    scores[:, hook.layer()] = induction_score(pattern, seq_len)
                model.run_with_hooks(tokens, return_type=None,
                                     fwd_hooks=[(lambda n: n.endswith("hook_pattern"), fn)])
                return scores
        """),
        ("only layer 0 hooked", """
            def induction_scores_by_hook(model, tokens, seq_len):
                scores = torch.zeros(model.cfg.n_layers, model.cfg.n_heads)
                def fn(pattern, hook):
                    scores[hook.layer()] = induction_score(pattern, seq_len)
                model.run_with_hooks(tokens, return_type=None,
                                     fwd_hooks=[("blocks.0.attn.hook_pattern", fn)])
                return scores
        """),
        ("scores the attention scores (before softmax), not the pattern", """
            def induction_scores_by_hook(model, tokens, seq_len):
                scores = torch.zeros(model.cfg.n_layers, model.cfg.n_heads)
                def fn(att, hook):
                    scores[hook.layer()] = induction_score(att, seq_len)
                model.run_with_hooks(tokens, return_type=None,
                                     fwd_hooks=[(lambda n: n.endswith("hook_attn_scores"), fn)])
                return scores
        """),
        ("leaves its hooks attached (add_hook without reset)", """
            def induction_scores_by_hook(model, tokens, seq_len):
                scores = torch.zeros(model.cfg.n_layers, model.cfg.n_heads)
                def fn(pattern, hook):
                    scores[hook.layer()] = induction_score(pattern, seq_len)
                for l in range(model.cfg.n_layers):
                    model.add_hook(f"blocks.{l}.attn.hook_pattern", fn)
                model(tokens, return_type=None)
                return scores
        """),
    ],
    "head_logit_attribution": [
        ("centred over the head axis, not d_model (learner test)", """
            def head_logit_attribution(model, cache, tokens):
                res = []
                for l in range(model.cfg.n_layers):
                    out = torch.einsum("bphd,hdm->bphm", cache["z", l], model.W_O[l])
                    out = out - out.mean(2, keepdim=True)
                    out = out / cache["ln_final.hook_scale"].unsqueeze(-1)
                    w = model.W_U[:, tokens[:, 1:]]
                    res.append(torch.einsum("bphm,mbp->bph", out[:, :-1], w))
                return torch.stack(res, 2)
        """),
        ("no final LayerNorm scale (the unnormalised residual)", """
            def head_logit_attribution(model, cache, tokens):
                dirs = model.W_U.T[tokens[:, 1:]]
                out = []
                for l in range(model.cfg.n_layers):
                    r = einsum(cache["z", l][:, :-1], model.W_O[l], "b p h d, h d m -> b p h m")
                    r = r - r.mean(-1, keepdim=True)
                    out.append(einsum(r, dirs, "b p h m, b p m -> b p h"))
                return torch.stack(out, dim=2)
        """),
        ("no centring over d_model", """
            def head_logit_attribution(model, cache, tokens):
                dirs = model.W_U.T[tokens[:, 1:]]
                scale = cache["ln_final.hook_scale"][:, :-1]
                out = []
                for l in range(model.cfg.n_layers):
                    r = einsum(cache["z", l][:, :-1], model.W_O[l], "b p h d, h d m -> b p h m")
                    out.append(einsum(r / scale[..., None], dirs, "b p h m, b p m -> b p h"))
                return torch.stack(out, dim=2)
        """),
        ("scored against the current token, not the next", """
            def head_logit_attribution(model, cache, tokens):
                dirs = model.W_U.T[tokens[:, :-1]]
                scale = cache["ln_final.hook_scale"][:, :-1]
                out = []
                for l in range(model.cfg.n_layers):
                    r = einsum(cache["z", l][:, :-1], model.W_O[l], "b p h d, h d m -> b p h m")
                    r = (r - r.mean(-1, keepdim=True)) / scale[..., None]
                    out.append(einsum(r, dirs, "b p h m, b p m -> b p h"))
                return torch.stack(out, dim=2)
        """),
        ("the scale of the next position", """
            def head_logit_attribution(model, cache, tokens):
                dirs = model.W_U.T[tokens[:, 1:]]
                scale = cache["ln_final.hook_scale"][:, 1:]
                out = []
                for l in range(model.cfg.n_layers):
                    r = einsum(cache["z", l][:, :-1], model.W_O[l], "b p h d, h d m -> b p h m")
                    r = (r - r.mean(-1, keepdim=True)) / scale[..., None]
                    out.append(einsum(r, dirs, "b p h m, b p m -> b p h"))
                return torch.stack(out, dim=2)
        """),
        ("one scale for the whole sequence (its mean)", """
            def head_logit_attribution(model, cache, tokens):
                dirs = model.W_U.T[tokens[:, 1:]]
                scale = cache["ln_final.hook_scale"][:, :-1].mean()
                out = []
                for l in range(model.cfg.n_layers):
                    r = einsum(cache["z", l][:, :-1], model.W_O[l], "b p h d, h d m -> b p h m")
                    r = (r - r.mean(-1, keepdim=True)) / scale
                    out.append(einsum(r, dirs, "b p h m, b p m -> b p h"))
                return torch.stack(out, dim=2)
        """),
    ],
    "zero_ablate_head_hook": [
        ("edits a copy and returns nothing", """
            def zero_ablate_head_hook(z, hook, head):
                z = z.clone()
                z[:, :, head] = 0.0
        """),
        ("zeroes a position instead of a head", """
            def zero_ablate_head_hook(z, hook, head):
                z[:, head] = 0.0
                return z
        """),
        ("zeroes every head", """
            def zero_ablate_head_hook(z, hook, head):
                return torch.zeros_like(z)
        """),
        ("zeroes a d_head component", """
            def zero_ablate_head_hook(z, hook, head):
                z[..., head] = 0.0
                return z
        """),
    ],
    "mean_ablate_head_hook": [
        ("one scalar mean for the whole head (learner test)", """
            def mean_ablate_head_hook(z, hook, head):
                z[:, :, head] = z[:, :, head].mean()
                return z
        """),
        ("mean over positions instead of the batch", """
            def mean_ablate_head_hook(z, hook, head):
                z[:, :, head] = z[:, :, head].mean(dim=1, keepdim=True)
                return z
        """),
        ("mean over batch and positions", """
            def mean_ablate_head_hook(z, hook, head):
                z[:, :, head] = z[:, :, head].mean(dim=(0, 1), keepdim=True)
                return z
        """),
        ("mean over heads", """
            def mean_ablate_head_hook(z, hook, head):
                z[:, :, head] = z.mean(dim=2)
                return z
        """),
        ("edits a copy and returns nothing", """
            def mean_ablate_head_hook(z, hook, head):
                z = z.clone()
                z[:, :, head] = z[:, :, head].mean(dim=0, keepdim=True)
        """),
        ("zero ablation instead", """
            def mean_ablate_head_hook(z, hook, head):
                z[:, :, head] = 0.0
                return z
        """),
    ],
    "repeat_loss": [
        ("the repeat's first token in, its last out (learner test)", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
                return per_token_loss(logits, tokens)[:, seq_len:-1].mean()
        """),
        ("includes the repeat's first token", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
                return per_token_loss(logits, tokens)[:, seq_len:].mean()
        """),
        ("includes the first copy", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
                return per_token_loss(logits, tokens).mean()
        """),
        ("ignores the hooks", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                return per_token_loss(model(tokens), tokens)[:, seq_len + 1:].mean()
        """),
        ("one column too late", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
                return per_token_loss(logits, tokens)[:, seq_len + 2:].mean()
        """),
        ("the first copy instead of the second", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
                return per_token_loss(logits, tokens)[:, 1:seq_len].mean()
        """),
    ],
    "ov_circuit": [
        ("the product in the wrong order (W_O W_V, as its transpose)", """
            def ov_circuit(model, layer, head):
                return FactoredMatrix(model.W_O[layer, head].T, model.W_V[layer, head].T)
        """),
        ("the QK circuit", """
            def ov_circuit(model, layer, head):
                return FactoredMatrix(model.W_Q[layer, head], model.W_K[layer, head].T)
        """),
        ("layer and head swapped", """
            def ov_circuit(model, layer, head):
                return FactoredMatrix(model.W_V[head, layer], model.W_O[head, layer])
        """),
        ("a plain tensor, not a FactoredMatrix", """
            def ov_circuit(model, layer, head):
                return model.W_V[layer, head] @ model.W_O[layer, head]
        """),
    ],
    "qk_circuit": [
        ("key side first (the transpose)", """
            def qk_circuit(model, layer, head):
                return FactoredMatrix(model.W_K[layer, head], model.W_Q[layer, head].T)
        """),
        ("the OV circuit", """
            def qk_circuit(model, layer, head):
                return FactoredMatrix(model.W_V[layer, head], model.W_O[layer, head])
        """),
    ],
    "full_ov_circuit": [
        ("OV transposed inside (learner test)", """
            def full_ov_circuit(model, layer, head):
                return model.W_E @ FactoredMatrix(model.W_V[layer, head], model.W_O[layer, head]).T @ model.W_U
        """),
        ("OV in the wrong order", """
            def full_ov_circuit(model, layer, head):
                ov = FactoredMatrix(model.W_O[layer, head].T, model.W_V[layer, head].T)
                return model.W_E @ ov @ model.W_U
        """),
        ("the QK circuit between embedding and unembedding", """
            def full_ov_circuit(model, layer, head):
                return model.W_E @ qk_circuit(model, layer, head) @ model.W_U
        """),
        ("transposed: W_U.T @ W_OV.T @ W_E.T", """
            def full_ov_circuit(model, layer, head):
                return (model.W_E @ ov_circuit(model, layer, head) @ model.W_U).T
        """),
    ],
    "top1_diagonal_fraction": [
        ("diagonal above the row mean, not the top (learner test)", """
            def top1_diagonal_fraction(circuit):
                m = circuit.AB
                return (m.diagonal() >= m.mean(-1)).float().mean()
        """),
        ("argmax over the rows (dim 0)", """
            def top1_diagonal_fraction(circuit):
                m = circuit.AB
                return (m.argmax(0) == torch.arange(m.shape[0])).float().mean()
        """),
        ("a count, not a fraction", """
            def top1_diagonal_fraction(circuit):
                m = circuit.AB
                return (m.argmax(-1) == torch.arange(m.shape[0])).float().sum()
        """),
        ("argmin", """
            def top1_diagonal_fraction(circuit):
                m = circuit.AB
                return (m.argmin(-1) == torch.arange(m.shape[0])).float().mean()
        """),
    ],
    "positional_qk_pattern": [
        ("biases included (learner test)", """
            def positional_qk_pattern(model, layer, head):
                q = model.W_pos @ model.W_Q[layer, head] + model.b_Q[layer, head]
                k = model.W_pos @ model.W_K[layer, head] + model.b_K[layer, head]
                s = q @ k.T / model.cfg.attn_scale
                return s.masked_fill(torch.ones_like(s, dtype=torch.bool).triu(1), -float("inf")).softmax(-1)
        """),
        ("no attn_scale", """
            def positional_qk_pattern(model, layer, head):
                s = (model.W_pos @ qk_circuit(model, layer, head) @ model.W_pos.T).AB
                n = s.shape[-1]
                return s.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        """),
        ("no causal mask", """
            def positional_qk_pattern(model, layer, head):
                s = (model.W_pos @ qk_circuit(model, layer, head) @ model.W_pos.T).AB
                return (s / model.cfg.attn_scale).softmax(-1)
        """),
        ("transposed QK (keys as queries)", """
            def positional_qk_pattern(model, layer, head):
                s = (model.W_pos @ qk_circuit(model, layer, head) @ model.W_pos.T).AB.T
                s = s / model.cfg.attn_scale
                n = s.shape[-1]
                return s.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        """),
        ("softmax over queries", """
            def positional_qk_pattern(model, layer, head):
                s = (model.W_pos @ qk_circuit(model, layer, head) @ model.W_pos.T).AB / model.cfg.attn_scale
                n = s.shape[-1]
                return s.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf")).softmax(0)
        """),
    ],
    "composition_score": [
        ("nuclear norms (learner test)", """
            def composition_score(w_a, w_b):
                n = lambda m: torch.linalg.matrix_norm(m, ord="nuc")
                return n(w_a @ w_b) / (n(w_a) * n(w_b))
        """),
        ("no Frobenius normalisation", """
            def composition_score(w_a, w_b):
                return torch.linalg.matrix_norm(w_a @ w_b)
        """),
        ("normalised by one factor only", """
            def composition_score(w_a, w_b):
                return torch.linalg.matrix_norm(w_a @ w_b) / torch.linalg.matrix_norm(w_a)
        """),
        ("spectral norms", """
            def composition_score(w_a, w_b):
                n = lambda m: torch.linalg.matrix_norm(m, ord=2)
                return n(w_a @ w_b) / (n(w_a) * n(w_b))
        """),
        ("product in the other order", """
            def composition_score(w_a, w_b):
                n = torch.linalg.matrix_norm
                return n(w_b @ w_a) / (n(w_a) * n(w_b))
        """),
        ("w_a's norm squared in the denominator", """
            def composition_score(w_a, w_b):
                n = torch.linalg.matrix_norm
                return n(w_a @ w_b) / (n(w_a) ** 2 * n(w_b))
        """),
    ],
    "k_composition_scores": [
        ("reader and writer swapped in the product (learner test)", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                n = model.cfg.n_heads
                return torch.tensor([[float(composition_score(qk_circuit(model, dst_layer, j).AB.T,
                                                             ov_circuit(model, src_layer, i).AB))
                                      for j in range(n)] for i in range(n)])
        """),
        ("Q-composition (W_QK not transposed)", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                n = model.cfg.n_heads
                out = torch.zeros(n, n)
                for i in range(n):
                    for j in range(n):
                        out[i, j] = composition_score(ov_circuit(model, src_layer, i).AB,
                                                      qk_circuit(model, dst_layer, j).AB)
                return out
        """),
        ("OV in the wrong order (W_O W_V as its transpose)", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                n = model.cfg.n_heads
                out = torch.zeros(n, n)
                for i in range(n):
                    ov = model.W_O[src_layer, i].T @ model.W_V[src_layer, i].T
                    for j in range(n):
                        out[i, j] = composition_score(ov, qk_circuit(model, dst_layer, j).AB.T)
                return out
        """),
        ("without the Frobenius normalisation", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                n = model.cfg.n_heads
                out = torch.zeros(n, n)
                for i in range(n):
                    for j in range(n):
                        out[i, j] = torch.linalg.matrix_norm(
                            ov_circuit(model, src_layer, i).AB @ qk_circuit(model, dst_layer, j).AB.T)
                return out
        """),
        ("transposed result [dst, src]", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                n = model.cfg.n_heads
                out = torch.zeros(n, n)
                for i in range(n):
                    for j in range(n):
                        out[j, i] = composition_score(ov_circuit(model, src_layer, i).AB,
                                                      qk_circuit(model, dst_layer, j).AB.T)
                return out
        """),
        ("hard-coded 2 heads", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                out = torch.zeros(2, 2)
                for i in range(2):
                    for j in range(2):
                        out[i, j] = composition_score(ov_circuit(model, src_layer, i).AB,
                                                      qk_circuit(model, dst_layer, j).AB.T)
                return out
        """),
        ("ignores src_layer / dst_layer", """
            def k_composition_scores(model, src_layer=0, dst_layer=1):
                n = model.cfg.n_heads
                out = torch.zeros(n, n)
                for i in range(n):
                    for j in range(n):
                        out[i, j] = composition_score(ov_circuit(model, 0, i).AB,
                                                      qk_circuit(model, 1, j).AB.T)
                return out
        """),
    ],
}

ALTERNATIVES = {
    "attention_pattern_from_cache": [
        ("rearrange, finfo.min mask, F.softmax (learner test)", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                from einops import rearrange
                q = rearrange(cache["q", layer], "b p h d -> b h p d")
                k = rearrange(cache["k", layer], "b p h d -> b h p d")
                s = q @ k.transpose(-1, -2) / attn_scale
                n = s.shape[-1]
                mask = torch.arange(n)[None, :] > torch.arange(n)[:, None]
                s = torch.where(mask, torch.finfo(s.dtype).min, s)
                return torch.nn.functional.softmax(s, dim=-1)
        """),
        ("matmul on permuted tensors and a -1e9 mask", """
            def attention_pattern_from_cache(cache, layer, attn_scale):
                q = cache["q", layer].permute(0, 2, 1, 3)
                k = cache["k", layer].permute(0, 2, 3, 1)
                scores = (q @ k) / attn_scale
                n = scores.shape[-1]
                keep = torch.tril(torch.ones(n, n)).bool()
                return torch.where(keep, scores, torch.tensor(-1e30)).softmax(dim=-1)
        """),
    ],
    "current_token_score": """
        def current_token_score(pattern):
            n = pattern.shape[-1]
            eye = torch.eye(n, dtype=pattern.dtype)
            return (pattern * eye).sum(-1).mean(dim=(0, 2))
    """,
    "prev_token_score": """
        def prev_token_score(pattern):
            n = pattern.shape[-1]
            idx = torch.arange(1, n)
            return pattern[:, :, idx, idx - 1].mean(dim=0).mean(dim=-1)
    """,
    "first_token_score": """
        def first_token_score(pattern):
            b, h, n, _ = pattern.shape
            return pattern[..., 0].sum(dim=(0, 2)).sub(pattern[:, :, 0, 0].sum(0)) / (b * (n - 1))
    """,
    "repeated_tokens": """
        def repeated_tokens(batch, seq_len, low, high, bos, seed):
            g = torch.Generator()
            g.manual_seed(seed)
            r = torch.randint(high - low, (batch, seq_len), generator=g) + low
            out = torch.empty(batch, 1 + 2 * seq_len, dtype=torch.int64)
            out[:, 0] = bos
            out[:, 1:1 + seq_len] = r
            out[:, 1 + seq_len:] = r
            return out
    """,
    "per_token_loss": [
        ("alternative", """
        def per_token_loss(logits, tokens):
            b, p, v = logits.shape
            flat = torch.nn.functional.cross_entropy(
                logits[:, :-1].reshape(-1, v), tokens[:, 1:].reshape(-1), reduction="none")
            return flat.reshape(b, p - 1)
    """),
        ("cross_entropy over a transposed class axis (learner test)", """
            def per_token_loss(logits, tokens):
                return torch.nn.functional.cross_entropy(logits[:, :-1].transpose(1, 2), tokens[:, 1:], reduction="none")
        """),
    ],
    "induction_score": [
        ("alternative", """
        def induction_score(pattern, seq_len):
            queries = torch.arange(seq_len + 1, 2 * seq_len + 1)
            return pattern[:, :, queries, queries - seq_len + 1].mean(dim=(0, 2))
    """),
        ("a loop over the second copy (learner test)", """
            def induction_score(pattern, seq_len):
                total = torch.zeros(pattern.shape[1])
                for i in range(seq_len + 1, 2 * seq_len + 1):
                    total += pattern[:, :, i, i - seq_len + 1].mean(0)
                return total / seq_len
        """),
    ],
    "induction_scores_by_hook": """
        def induction_scores_by_hook(model, tokens, seq_len):
            rows = {}
            def keep(pattern, hook):
                rows[hook.layer()] = induction_score(pattern.detach(), seq_len)
            names = [f"blocks.{l}.attn.hook_pattern" for l in range(model.cfg.n_layers)]
            model.run_with_hooks(tokens, fwd_hooks=[(n, keep) for n in names])
            return torch.stack([rows[l] for l in range(model.cfg.n_layers)]).float()
    """,
    "head_logit_attribution": [
        ("TransformerLens's stack_head_results and apply_ln_to_stack", """
            def head_logit_attribution(model, cache, tokens):
                stack = cache.stack_head_results(layer=-1, pos_slice=None)  # [comp, batch, pos, d_model]
                stack = cache.apply_ln_to_stack(stack, layer=None)
                dirs = model.W_U.T[tokens[:, 1:]]
                per = einsum(stack[:, :, :-1], dirs, "c b p m, b p m -> b p c")
                return per.reshape(*per.shape[:2], model.cfg.n_layers, model.cfg.n_heads)
        """),
    ],
    "zero_ablate_head_hook": [
        ("*= 0 in place, returns nothing (learner test)", """
            def zero_ablate_head_hook(z, hook, head):
                z[:, :, head] *= 0
        """),
        ("returns a new tensor built with a mask", """
            def zero_ablate_head_hook(z, hook, head):
                keep = torch.ones(z.shape[2], dtype=z.dtype)
                keep[head] = 0.0
                return z * keep[None, None, :, None]
        """),
        ("edits in place, returns nothing", """
            def zero_ablate_head_hook(z, hook, head):
                z[:, :, head].zero_()
        """),
    ],
    "mean_ablate_head_hook": """
        def mean_ablate_head_hook(z, hook, head):
            out = z.clone()
            out[:, :, head] = z[:, :, head].mean(0)
            return out
    """,
    "repeat_loss": [
        ("alternative", """
        def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
            with model.hooks(fwd_hooks=list(fwd_hooks)):
                logits = model(tokens)
            lp = logits.log_softmax(-1)
            pos = torch.arange(seq_len + 1, 2 * seq_len)
            return -lp[:, pos].gather(-1, tokens[:, pos + 1, None]).mean()
    """),
        ("the last seq_len - 1 columns (learner test)", """
            def repeat_loss(model, tokens, seq_len, fwd_hooks=()):
                logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
                return per_token_loss(logits, tokens)[:, -(seq_len - 1):].mean()
        """),
    ],
    "ov_circuit": """
        def ov_circuit(model, layer, head):
            return FactoredMatrix(model.W_V, model.W_O)[layer, head]
    """,
    "qk_circuit": """
        def qk_circuit(model, layer, head):
            return FactoredMatrix(model.W_Q[layer], model.W_K[layer].transpose(-1, -2))[head]
    """,
    "full_ov_circuit": [
        ("alternative", """
        def full_ov_circuit(model, layer, head):
            return FactoredMatrix(model.W_E @ model.W_V[layer, head], model.W_O[layer, head] @ model.W_U)
    """),
        ("factored as (W_E, W_OV) then @ W_U (learner test)", """
            def full_ov_circuit(model, layer, head):
                return FactoredMatrix(model.W_E, ov_circuit(model, layer, head).AB) @ model.W_U
        """),
    ],
    "top1_diagonal_fraction": [
        ("alternative", """
        def top1_diagonal_fraction(circuit):
            m = circuit.AB
            hits = sum(int(m[t].argmax()) == t for t in range(m.shape[0]))
            return torch.tensor(hits / m.shape[0])
    """),
        ("a Python float via .item() (learner test)", """
            def top1_diagonal_fraction(circuit):
                m = circuit.AB
                return (m.argmax(dim=1) == torch.arange(len(m))).float().mean().item()
        """),
    ],
    "positional_qk_pattern": [
        ("alternative", """
        def positional_qk_pattern(model, layer, head):
            q = model.W_pos @ model.W_Q[layer, head]
            k = model.W_pos @ model.W_K[layer, head]
            s = q @ k.T / model.cfg.attn_scale
            s = s + torch.full_like(s, float("-inf")).triu(1)
            return torch.softmax(s, dim=1)
    """),
        ("through the factors A and B (learner test)", """
            def positional_qk_pattern(model, layer, head):
                qk = qk_circuit(model, layer, head)
                s = model.W_pos @ qk.A @ (qk.B @ model.W_pos.T) / model.cfg.attn_scale
                s = s.masked_fill(torch.ones_like(s, dtype=torch.bool).triu(1), -float("inf"))
                return s.softmax(-1)
        """),
    ],
    "composition_score": """
        def composition_score(w_a, w_b):
            return (w_a @ w_b).pow(2).sum().sqrt() / (w_a.pow(2).sum().sqrt() * w_b.pow(2).sum().sqrt())
    """,
    "k_composition_scores": """
        def k_composition_scores(model, src_layer=0, dst_layer=1):
            ov = model.W_V[src_layer] @ model.W_O[src_layer]
            qk = model.W_Q[dst_layer] @ model.W_K[dst_layer].transpose(-1, -2)
            prod = einsum(ov, qk, "i a m, j b m -> i j a b")   # W_OV^i @ W_QK^j.T
            num = prod.pow(2).sum((-1, -2)).sqrt()
            return num / (ov.pow(2).sum((-1, -2)).sqrt()[:, None] * qk.pow(2).sum((-1, -2)).sqrt()[None, :])
    """,
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
