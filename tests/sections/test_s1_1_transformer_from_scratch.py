"""Section 1.1: each check passes the reference and rejects the stub and plausible mistakes.

Mutants of modules subclass the reference class and override the one method that goes wrong, so
each states its bug in a few lines. They cover the issue's list: a missing 1/sqrt(d_head), the
mask off by one either way, the softmax over queries, LayerNorm without centring / with the
unbiased variance / with eps outside the square root, rotary on neighbours or rotated the wrong
way, GQA heads tiled instead of grouped, top-p keeping one token too few, temperature applied
after the softmax, a frequency penalty counting the wrong tokens — and more. Alternatives are
correct solutions written another way.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.1"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    # ---------------------------------------------------------------- Part 1
    "LayerNorm": [
        ("no centring", """
            class LayerNorm(LayerNorm):
                def forward(self, x):
                    var = x.var(dim=-1, unbiased=False, keepdim=True)
                    return x / torch.sqrt(var + self.eps) * self.w + self.b
        """),
        ("unbiased variance", """
            class LayerNorm(LayerNorm):
                def forward(self, x):
                    c = x - x.mean(-1, keepdim=True)
                    return c / torch.sqrt(x.var(-1, keepdim=True) + self.eps) * self.w + self.b
        """),
        ("eps outside the square root", """
            class LayerNorm(LayerNorm):
                def forward(self, x):
                    c = x - x.mean(-1, keepdim=True)
                    return c / (x.std(-1, unbiased=False, keepdim=True) + self.eps) * self.w + self.b
        """),
        ("eps hard-coded to 1e-5", """
            class LayerNorm(LayerNorm):
                def forward(self, x):
                    c = x - x.mean(-1, keepdim=True)
                    return c / torch.sqrt(c.pow(2).mean(-1, keepdim=True) + 1e-5) * self.w + self.b
        """),
        ("shift and scale in the wrong order", """
            class LayerNorm(LayerNorm):
                def forward(self, x):
                    c = x - x.mean(-1, keepdim=True)
                    return (c / torch.sqrt(c.pow(2).mean(-1, keepdim=True) + self.eps) + self.b) * self.w
        """),
        ("b initialised to ones", """
            class LayerNorm(LayerNorm):
                def __init__(self, cfg):
                    super().__init__(cfg)
                    self.b = nn.Parameter(torch.ones(cfg.d_model))
        """),
    ],
    "Embed": [
        ("W_E initialised with std 1", """
            class Embed(Embed):
                def __init__(self, cfg):
                    super().__init__(cfg)
                    self.W_E = nn.Parameter(torch.randn(cfg.d_vocab, cfg.d_model))
        """),
        ("init std hard-coded to 0.02 instead of cfg.init_range", """
            class Embed(Embed):
                def __init__(self, cfg):
                    super().__init__(cfg)
                    nn.init.normal_(self.W_E, std=0.02)
        """),
        ("W_E stored transposed", """
            class Embed(nn.Module):
                def __init__(self, cfg):
                    super().__init__()
                    self.W_E = nn.Parameter(torch.randn(cfg.d_model, cfg.d_vocab) * cfg.init_range)
                def forward(self, tokens):
                    return self.W_E[:, tokens].permute(1, 2, 0)
        """),
    ],
    "PosEmbed": [
        ("indexes W_pos by the token ids", """
            class PosEmbed(PosEmbed):
                def forward(self, tokens):
                    return self.W_pos[tokens]
        """),
        ("takes the last rows of W_pos", """
            class PosEmbed(PosEmbed):
                def forward(self, tokens):
                    b, p = tokens.shape
                    return self.W_pos[-p:].expand(b, p, -1)
        """),
    ],
    "apply_causal_mask": [
        ("diagonal masked too", """
            def apply_causal_mask(scores):
                q, k = scores.shape[-2:]
                mask = torch.ones(q, k, dtype=torch.bool).triu(k - q)
                return scores.masked_fill(mask, float("-inf"))
        """),
        ("one future token visible", """
            def apply_causal_mask(scores):
                q, k = scores.shape[-2:]
                mask = torch.ones(q, k, dtype=torch.bool).triu(k - q + 2)
                return scores.masked_fill(mask, float("-inf"))
        """),
        ("queries aligned at the start, not the end", """
            def apply_causal_mask(scores):
                q, k = scores.shape[-2:]
                mask = torch.ones(q, k, dtype=torch.bool).triu(1)
                return scores.masked_fill(mask, float("-inf"))
        """),
        ("-1e5 instead of -inf", """
            def apply_causal_mask(scores):
                q, k = scores.shape[-2:]
                mask = torch.ones(q, k, dtype=torch.bool).triu(k - q + 1)
                return scores.masked_fill(mask, -1e5)
        """),
        ("modifies the scores in place", """
            def apply_causal_mask(scores):
                q, k = scores.shape[-2:]
                mask = torch.ones(q, k, dtype=torch.bool).triu(k - q + 1)
                return scores.masked_fill_(mask, float("-inf"))
        """),
    ],
    "Attention": [
        ("missing 1/sqrt(d_head)", """
            class Attention(Attention):
                def forward(self, x):
                    q = einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d") + self.b_Q
                    k = einops.einsum(x, self.W_K, "b p m, h m d -> b p h d") + self.b_K
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d") + self.b_V
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k")
                    a = apply_causal_mask(s).softmax(-1)
                    z = einops.einsum(a, v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m") + self.b_O
        """),
        ("softmax over the queries", """
            class Attention(Attention):
                def forward(self, x):
                    q = einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d") + self.b_Q
                    k = einops.einsum(x, self.W_K, "b p m, h m d -> b p h d") + self.b_K
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d") + self.b_V
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / self.cfg.d_head ** 0.5
                    a = apply_causal_mask(s).softmax(-2).nan_to_num()
                    z = einops.einsum(a, v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m") + self.b_O
        """),
        ("scaled by sqrt(d_model)", """
            class Attention(Attention):
                def forward(self, x):
                    q = einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d") + self.b_Q
                    k = einops.einsum(x, self.W_K, "b p m, h m d -> b p h d") + self.b_K
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d") + self.b_V
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / self.cfg.d_model ** 0.5
                    a = apply_causal_mask(s).softmax(-1)
                    z = einops.einsum(a, v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m") + self.b_O
        """),
        ("scale hard-coded for d_head = 4", """
            class Attention(Attention):
                def forward(self, x):
                    q = einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d") + self.b_Q
                    k = einops.einsum(x, self.W_K, "b p m, h m d -> b p h d") + self.b_K
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d") + self.b_V
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / 2.0
                    a = apply_causal_mask(s).softmax(-1)
                    z = einops.einsum(a, v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m") + self.b_O
        """),
        ("no causal mask", """
            class Attention(Attention):
                def forward(self, x):
                    q = einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d") + self.b_Q
                    k = einops.einsum(x, self.W_K, "b p m, h m d -> b p h d") + self.b_K
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d") + self.b_V
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / self.cfg.d_head ** 0.5
                    z = einops.einsum(s.softmax(-1), v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m") + self.b_O
        """),
        ("b_O forgotten", """
            class Attention(Attention):
                def forward(self, x):
                    return super().forward(x) - self.b_O
        """),
        ("biases initialised randomly", """
            class Attention(Attention):
                def __init__(self, cfg):
                    super().__init__(cfg)
                    self.b_Q = nn.Parameter(torch.randn(cfg.n_heads, cfg.d_head) * cfg.init_range)
        """),
        ("W_O initialised with std 1", """
            class Attention(Attention):
                def __init__(self, cfg):
                    super().__init__(cfg)
                    self.W_O = nn.Parameter(torch.randn(cfg.n_heads, cfg.d_head, cfg.d_model))
        """),
    ],
    "MLP": [
        ("exact GELU instead of the tanh approximation", """
            class MLP(MLP):
                def forward(self, x):
                    return F.gelu(x @ self.W_in + self.b_in) @ self.W_out + self.b_out
        """),
        ("ReLU", """
            class MLP(MLP):
                def forward(self, x):
                    return F.relu(x @ self.W_in + self.b_in) @ self.W_out + self.b_out
        """),
        ("b_in after the activation", """
            class MLP(MLP):
                def forward(self, x):
                    return (F.gelu(x @ self.W_in, approximate="tanh") + self.b_in) @ self.W_out + self.b_out
        """),
    ],
    "TransformerBlock": [
        ("post-norm: the stream itself normalised", """
            class TransformerBlock(TransformerBlock):
                def forward(self, resid):
                    resid = self.ln1(resid + self.attn(resid))
                    return self.ln2(resid + self.mlp(resid))
        """),
        ("MLP reads the block's input, not the stream after attention", """
            class TransformerBlock(TransformerBlock):
                def forward(self, resid):
                    return resid + self.attn(self.ln1(resid)) + self.mlp(self.ln2(resid))
        """),
        ("ln1 reused before the MLP", """
            class TransformerBlock(TransformerBlock):
                def forward(self, resid):
                    resid = resid + self.attn(self.ln1(resid))
                    return resid + self.mlp(self.ln1(resid))
        """),
    ],
    "Unembed": [
        ("b_U forgotten", """
            class Unembed(Unembed):
                def forward(self, x):
                    return x @ self.W_U
        """),
        ("b_U initialised randomly", """
            class Unembed(Unembed):
                def __init__(self, cfg):
                    super().__init__(cfg)
                    self.b_U = nn.Parameter(torch.randn(cfg.d_vocab) * cfg.init_range)
        """),
    ],
    "DemoTransformer": [
        ("no positional embedding", """
            class DemoTransformer(DemoTransformer):
                def forward(self, tokens):
                    resid = self.embed(tokens)
                    for block in self.blocks:
                        resid = block(resid)
                    return self.unembed(self.ln_final(resid))
        """),
        ("no final LayerNorm", """
            class DemoTransformer(DemoTransformer):
                def forward(self, tokens):
                    resid = self.embed(tokens) + self.pos_embed(tokens)
                    for block in self.blocks:
                        resid = block(resid)
                    return self.unembed(resid)
        """),
        ("blocks in a plain list (parameters not registered)", """
            class DemoTransformer(nn.Module):
                def __init__(self, cfg):
                    super().__init__()
                    self.embed, self.pos_embed = Embed(cfg), PosEmbed(cfg)
                    self.block_list = [TransformerBlock(cfg) for _ in range(cfg.n_layers)]
                    self.ln_final, self.unembed = LayerNorm(cfg), Unembed(cfg)
                def forward(self, tokens):
                    resid = self.embed(tokens) + self.pos_embed(tokens)
                    for block in self.block_list:
                        resid = block(resid)
                    return self.unembed(self.ln_final(resid))
        """),
        ("only the first block applied", """
            class DemoTransformer(DemoTransformer):
                def forward(self, tokens):
                    resid = self.blocks[0](self.embed(tokens) + self.pos_embed(tokens))
                    return self.unembed(self.ln_final(resid))
        """),
    ],
    # ---------------------------------------------------------------- Part 2
    "RMSNorm": [
        ("centred, like LayerNorm", """
            class RMSNorm(RMSNorm):
                def forward(self, x):
                    c = x - x.mean(-1, keepdim=True)
                    return c / torch.sqrt(c.pow(2).mean(-1, keepdim=True) + self.eps) * self.w
        """),
        ("eps outside the square root", """
            class RMSNorm(RMSNorm):
                def forward(self, x):
                    return x / (x.pow(2).mean(-1, keepdim=True).sqrt() + self.eps) * self.w
        """),
        ("sum instead of mean of squares", """
            class RMSNorm(RMSNorm):
                def forward(self, x):
                    return x / torch.sqrt(x.pow(2).sum(-1, keepdim=True) + self.eps) * self.w
        """),
        ("eps hard-coded", """
            class RMSNorm(RMSNorm):
                def forward(self, x):
                    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * self.w
        """),
    ],
    "apply_rotary": [
        ("neighbouring pairs (2i, 2i+1) instead of halves", """
            def apply_rotary(x, base=10000.0, offset=0):
                pos, d = x.shape[1], x.shape[-1]
                theta = base ** (-2 * torch.arange(d // 2, dtype=torch.float32) / d)
                ang = torch.arange(offset, offset + pos, dtype=torch.float32)[:, None] * theta
                cos, sin = ang.cos()[:, None, :], ang.sin()[:, None, :]
                x1, x2 = x[..., 0::2], x[..., 1::2]
                out = torch.stack([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)
                return out.flatten(-2).to(x.dtype)
        """),
        ("rotated the wrong way (rotate_half with the sign swapped)", """
            def apply_rotary(x, base=10000.0, offset=0):
                pos, d = x.shape[1], x.shape[-1]
                theta = base ** (-2 * torch.arange(d // 2, dtype=torch.float32) / d)
                ang = torch.arange(offset, offset + pos, dtype=torch.float32)[:, None] * theta
                cos = torch.cat([ang.cos(), ang.cos()], -1)[:, None, :]
                sin = torch.cat([ang.sin(), ang.sin()], -1)[:, None, :]
                x1, x2 = x[..., : d // 2], x[..., d // 2 :]
                return (x * cos + torch.cat([x2, -x1], -1) * sin).to(x.dtype)
        """),
        ("frequencies base^(-i/d_head)", """
            def apply_rotary(x, base=10000.0, offset=0):
                pos, d = x.shape[1], x.shape[-1]
                theta = base ** (-torch.arange(d // 2, dtype=torch.float32) / d)
                ang = torch.arange(offset, offset + pos, dtype=torch.float32)[:, None] * theta
                cos, sin = ang.cos()[:, None, :], ang.sin()[:, None, :]
                x1, x2 = x[..., : d // 2], x[..., d // 2 :]
                return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1).to(x.dtype)
        """),
        ("offset ignored", """
            _ref_apply_rotary = apply_rotary
            def apply_rotary(x, base=10000.0, offset=0):
                return _ref_apply_rotary(x, base)
        """),
        ("positions start at 1", """
            _ref_apply_rotary = apply_rotary
            def apply_rotary(x, base=10000.0, offset=0):
                return _ref_apply_rotary(x, base, offset + 1)
        """),
        ("default base 100000", """
            _ref_apply_rotary = apply_rotary
            def apply_rotary(x, base=100000.0, offset=0):
                return _ref_apply_rotary(x, base, offset)
        """),
    ],
    "repeat_kv": [
        ("heads tiled (0, 1, 0, 1, …) instead of grouped", """
            def repeat_kv(x, n_heads):
                return x.repeat(1, 1, n_heads // x.shape[2], 1)
        """),
        ("repeated along pos", """
            def repeat_kv(x, n_heads):
                return x.repeat_interleave(n_heads // x.shape[2], dim=1).reshape(x.shape[0], x.shape[1], n_heads, -1)
        """),
    ],
    "GatedMLP": [
        ("SiLU on the W_in branch instead of the gate", """
            class GatedMLP(GatedMLP):
                def forward(self, x):
                    return ((x @ self.W_gate) * F.silu(x @ self.W_in)) @ self.W_out
        """),
        ("GELU instead of SiLU", """
            class GatedMLP(GatedMLP):
                def forward(self, x):
                    return (F.gelu(x @ self.W_gate) * (x @ self.W_in)) @ self.W_out
        """),
        ("gate added, not multiplied", """
            class GatedMLP(GatedMLP):
                def forward(self, x):
                    return (F.silu(x @ self.W_gate) + (x @ self.W_in)) @ self.W_out
        """),
    ],
    "LlamaAttention": [
        ("rotary applied to the values too", """
            class LlamaAttention(LlamaAttention):
                def forward(self, x):
                    c = self.cfg
                    q = apply_rotary(einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d"), c.rope_base)
                    k = apply_rotary(einops.einsum(x, self.W_K, "b p m, h m d -> b p h d"), c.rope_base)
                    v = apply_rotary(einops.einsum(x, self.W_V, "b p m, h m d -> b p h d"), c.rope_base)
                    k, v = repeat_kv(k, c.n_heads), repeat_kv(v, c.n_heads)
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / c.d_head ** 0.5
                    z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m")
        """),
        ("keys not rotated", """
            class LlamaAttention(LlamaAttention):
                def forward(self, x):
                    c = self.cfg
                    q = apply_rotary(einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d"), c.rope_base)
                    k = einops.einsum(x, self.W_K, "b p m, h m d -> b p h d")
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d")
                    k, v = repeat_kv(k, c.n_heads), repeat_kv(v, c.n_heads)
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / c.d_head ** 0.5
                    z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m")
        """),
        ("KV heads tiled instead of grouped", """
            class LlamaAttention(LlamaAttention):
                def forward(self, x):
                    c = self.cfg
                    g = c.n_heads // c.n_kv_heads
                    q = apply_rotary(einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d"), c.rope_base)
                    k = apply_rotary(einops.einsum(x, self.W_K, "b p m, h m d -> b p h d"), c.rope_base)
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d")
                    k, v = k.repeat(1, 1, g, 1), v.repeat(1, 1, g, 1)
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / c.d_head ** 0.5
                    z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m")
        """),
        ("rope_base ignored (default 10000)", """
            class LlamaAttention(LlamaAttention):
                def forward(self, x):
                    c = self.cfg
                    q = apply_rotary(einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d"))
                    k = apply_rotary(einops.einsum(x, self.W_K, "b p m, h m d -> b p h d"))
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d")
                    k, v = repeat_kv(k, c.n_heads), repeat_kv(v, c.n_heads)
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / c.d_head ** 0.5
                    z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m")
        """),
        ("missing 1/sqrt(d_head)", """
            class LlamaAttention(LlamaAttention):
                def forward(self, x):
                    c = self.cfg
                    q = apply_rotary(einops.einsum(x, self.W_Q, "b p m, h m d -> b p h d"), c.rope_base)
                    k = apply_rotary(einops.einsum(x, self.W_K, "b p m, h m d -> b p h d"), c.rope_base)
                    v = einops.einsum(x, self.W_V, "b p m, h m d -> b p h d")
                    k, v = repeat_kv(k, c.n_heads), repeat_kv(v, c.n_heads)
                    s = einops.einsum(q, k, "b q h d, b k h d -> b h q k")
                    z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                    return einops.einsum(z, self.W_O, "b q h d, h d m -> b q m")
        """),
    ],
    # ---------------------------------------------------------------- Part 3
    "next_token_loss": [
        ("no shift: each position predicts itself", """
            def next_token_loss(logits, tokens):
                return -logits.log_softmax(-1).gather(-1, tokens[..., None]).mean()
        """),
        ("shifted the wrong way", """
            def next_token_loss(logits, tokens):
                return -logits[:, 1:].log_softmax(-1).gather(-1, tokens[:, :-1, None]).mean()
        """),
        ("sum instead of mean", """
            def next_token_loss(logits, tokens):
                return -logits[:, :-1].log_softmax(-1).gather(-1, tokens[:, 1:, None]).sum()
        """),
        ("log of softmax (overflows)", """
            def next_token_loss(logits, tokens):
                p = logits[:, :-1].exp() / logits[:, :-1].exp().sum(-1, keepdim=True)
                return -p.log().gather(-1, tokens[:, 1:, None]).mean()
        """),
    ],
    "train_step": [
        ("gradients never zeroed (accumulate)", """
            def train_step(model, optimizer, tokens):
                loss = next_token_loss(model(tokens), tokens)
                loss.backward()
                optimizer.step()
                return loss.item()
        """),
        ("returns the loss tensor", """
            def train_step(model, optimizer, tokens):
                optimizer.zero_grad()
                loss = next_token_loss(model(tokens), tokens)
                loss.backward()
                optimizer.step()
                return loss
        """),
        ("zero_grad between backward and step", """
            def train_step(model, optimizer, tokens):
                loss = next_token_loss(model(tokens), tokens)
                loss.backward()
                optimizer.zero_grad()
                optimizer.step()
                return loss.item()
        """),
        ("step before backward", """
            def train_step(model, optimizer, tokens):
                optimizer.zero_grad()
                loss = next_token_loss(model(tokens), tokens)
                optimizer.step()
                loss.backward()
                return loss.item()
        """),
    ],
    # ---------------------------------------------------------------- Part 4
    "apply_frequency_penalty": [
        ("presence (0 or 1), not count", """
            def apply_frequency_penalty(logits, input_ids, penalty):
                seen = torch.zeros_like(logits).scatter(-1, input_ids, 1.0)
                return logits - penalty * seen
        """),
        ("counts over the whole batch", """
            def apply_frequency_penalty(logits, input_ids, penalty):
                counts = torch.bincount(input_ids.flatten(), minlength=logits.shape[-1]).to(logits.dtype)
                return logits - penalty * counts
        """),
        ("only the last token penalised", """
            def apply_frequency_penalty(logits, input_ids, penalty):
                return logits - penalty * F.one_hot(input_ids[:, -1], logits.shape[-1]).to(logits.dtype)
        """),
        ("penalty added", """
            def apply_frequency_penalty(logits, input_ids, penalty):
                counts = torch.zeros_like(logits).scatter_add(-1, input_ids, torch.ones_like(input_ids, dtype=logits.dtype))
                return logits + penalty * counts
        """),
        ("result in float32 whatever the input", """
            def apply_frequency_penalty(logits, input_ids, penalty):
                counts = torch.zeros(logits.shape).scatter_add(-1, input_ids, torch.ones(input_ids.shape))
                return logits.float() - penalty * counts
        """),
    ],
    "top_k_filter": [
        ("keeps one too few (<= the k-th)", """
            def top_k_filter(logits, k):
                kth = logits.topk(k, dim=-1).values[:, -1:]
                return logits.masked_fill(logits <= kth, float("-inf"))
        """),
        ("keeps k + 1", """
            def top_k_filter(logits, k):
                kth = logits.sort(-1, descending=True).values[:, min(k, logits.shape[-1] - 1)][:, None]
                return logits.masked_fill(logits < kth, float("-inf"))
        """),
        ("returns the values sorted", """
            def top_k_filter(logits, k):
                v = logits.sort(-1, descending=True).values
                return v.masked_fill(torch.arange(v.shape[-1]) >= k, float("-inf"))
        """),
    ],
    "top_p_filter": [
        ("keeps one token too few (cumsum > p dropped)", """
            def top_p_filter(logits, p):
                s, order = logits.sort(-1, descending=True)
                drop_sorted = s.softmax(-1).cumsum(-1) > p
                drop_sorted[:, 0] = False
                drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
                return logits.masked_fill(drop, float("-inf"))
        """),
        ("keeps one token too many", """
            def top_p_filter(logits, p):
                s, order = logits.sort(-1, descending=True)
                probs = s.softmax(-1)
                before = probs.cumsum(-1) - probs
                drop_sorted = torch.zeros_like(before, dtype=torch.bool)
                drop_sorted[:, 1:] = before[:, :-1] >= p
                drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
                return logits.masked_fill(drop, float("-inf"))
        """),
        ("decision left in sorted order", """
            def top_p_filter(logits, p):
                s, order = logits.sort(-1, descending=True)
                probs = s.softmax(-1)
                return logits.masked_fill(probs.cumsum(-1) - probs >= p, float("-inf"))
        """),
        ("sorted ascending", """
            def top_p_filter(logits, p):
                s, order = logits.sort(-1)
                probs = s.softmax(-1)
                drop = torch.zeros_like(probs, dtype=torch.bool).scatter(-1, order, probs.cumsum(-1) - probs >= p)
                return logits.masked_fill(drop, float("-inf"))
        """),
    ],
    "sample_next_token": [
        ("temperature applied to the probabilities (after softmax)", """
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
                if temperature == 0:
                    return logits.argmax(-1)
                if top_k is not None:
                    logits = top_k_filter(logits, top_k)
                if top_p is not None:
                    logits = top_p_filter(logits, top_p)
                probs = logits.softmax(-1) / temperature
                return torch.multinomial(probs, 1, generator=generator)[:, 0]
        """),
        ("logits multiplied by the temperature", """
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
                if temperature == 0:
                    return logits.argmax(-1)
                logits = logits * temperature
                if top_k is not None:
                    logits = top_k_filter(logits, top_k)
                if top_p is not None:
                    logits = top_p_filter(logits, top_p)
                return torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0]
        """),
        ("top-p before temperature", """
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
                if temperature == 0:
                    return logits.argmax(-1)
                if top_k is not None:
                    logits = top_k_filter(logits, top_k)
                if top_p is not None:
                    logits = top_p_filter(logits, top_p)
                logits = logits / temperature
                return torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0]
        """),
        ("greedy ignores the frequency penalty", """
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                if temperature == 0:
                    return logits.argmax(-1)
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty) / temperature
                if top_k is not None:
                    logits = top_k_filter(logits, top_k)
                if top_p is not None:
                    logits = top_p_filter(logits, top_p)
                return torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0]
        """),
        ("keeps a (batch, 1) shape", """
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
                if temperature == 0:
                    return logits.argmax(-1, keepdim=True)
                logits = logits / temperature
                if top_k is not None:
                    logits = top_k_filter(logits, top_k)
                if top_p is not None:
                    logits = top_p_filter(logits, top_p)
                return torch.multinomial(logits.softmax(-1), 1, generator=generator)
        """),
        ("squeezes every axis: a 0-d tensor for batch 1", """
            _ref_sample = sample_next_token
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                return _ref_sample(logits, input_ids, temperature=temperature, top_k=top_k, top_p=top_p,
                                   frequency_penalty=frequency_penalty, generator=generator).squeeze()
        """),
        ("generator ignored (global random state)", """
            def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
                if temperature == 0:
                    return logits.argmax(-1)
                logits = logits / temperature
                if top_k is not None:
                    logits = top_k_filter(logits, top_k)
                if top_p is not None:
                    logits = top_p_filter(logits, top_p)
                return torch.multinomial(logits.softmax(-1), 1)[:, 0]
        """),
        ("default temperature 0.7", """
            _ref_sample = sample_next_token
            def sample_next_token(logits, input_ids, *, temperature=0.7, top_k=None, top_p=None,
                                  frequency_penalty=0.0, generator=None):
                return _ref_sample(logits, input_ids, temperature=temperature, top_k=top_k, top_p=top_p,
                                   frequency_penalty=frequency_penalty, generator=generator)
        """),
    ],
    "beam_search": [
        ("top num_beams per beam, then the first num_beams of those", """
            def beam_search(model, prompt, num_beams, max_new_tokens):
                beams, scores = prompt[None], torch.zeros(1)
                for _ in range(max_new_tokens):
                    lp = model(beams)[:, -1].log_softmax(-1)
                    top = lp.topk(min(num_beams, lp.shape[-1]), dim=-1)
                    cand_s = (scores[:, None] + top.values).flatten()[:num_beams]
                    cand_t = top.indices.flatten()[:num_beams]
                    which = torch.arange(beams.shape[0]).repeat_interleave(top.values.shape[1])[:num_beams]
                    beams = torch.cat([beams[which], cand_t[:, None]], 1)
                    scores = cand_s
                return beams, scores
        """),
        ("greedy (one beam) repeated", """
            def beam_search(model, prompt, num_beams, max_new_tokens):
                beams, score = prompt[None], torch.zeros(())
                for _ in range(max_new_tokens):
                    lp = model(beams)[:, -1].log_softmax(-1)
                    score = score + lp.max()
                    beams = torch.cat([beams, lp.argmax(-1, keepdim=True)], 1)
                return beams.repeat(num_beams, 1), score.repeat(num_beams)
        """),
        ("raw logits instead of log-probabilities", """
            def beam_search(model, prompt, num_beams, max_new_tokens):
                beams, scores = prompt[None], torch.zeros(1)
                for _ in range(max_new_tokens):
                    lp = model(beams)[:, -1]
                    v = lp.shape[-1]
                    scores, flat = (scores[:, None] + lp).flatten().topk(num_beams)
                    beams = torch.cat([beams[flat // v], (flat % v)[:, None]], 1)
                return beams, scores
        """),
        ("product of probabilities as the score", """
            def beam_search(model, prompt, num_beams, max_new_tokens):
                beams, scores = prompt[None], torch.ones(1)
                for _ in range(max_new_tokens):
                    pr = model(beams)[:, -1].softmax(-1)
                    v = pr.shape[-1]
                    scores, flat = (scores[:, None] * pr).flatten().topk(num_beams)
                    beams = torch.cat([beams[flat // v], (flat % v)[:, None]], 1)
                return beams, scores
        """),
    ],
    # ---------------------------------------------------------------- Part 5
    "attention_with_kv_cache": [
        ("mask aligned at the start (new queries see only the first keys)", """
            def attention_with_kv_cache(attn, x, past=None):
                pr = "b p m, h m d -> b p h d"
                q = einops.einsum(x, attn.W_Q, pr) + attn.b_Q
                k = einops.einsum(x, attn.W_K, pr) + attn.b_K
                v = einops.einsum(x, attn.W_V, pr) + attn.b_V
                if past is not None:
                    k, v = torch.cat([past[0], k], 1), torch.cat([past[1], v], 1)
                s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / attn.cfg.d_head ** 0.5
                mask = torch.ones(s.shape[-2:], dtype=torch.bool).triu(1)
                a = s.masked_fill(mask, float("-inf")).softmax(-1)
                z = einops.einsum(a, v, "b h q k, b k h d -> b q h d")
                return einops.einsum(z, attn.W_O, "b q h d, h d m -> b q m") + attn.b_O, (k, v)
        """),
        ("new keys put before the cached ones", """
            def attention_with_kv_cache(attn, x, past=None):
                pr = "b p m, h m d -> b p h d"
                q = einops.einsum(x, attn.W_Q, pr) + attn.b_Q
                k = einops.einsum(x, attn.W_K, pr) + attn.b_K
                v = einops.einsum(x, attn.W_V, pr) + attn.b_V
                if past is not None:
                    k, v = torch.cat([k, past[0]], 1), torch.cat([v, past[1]], 1)
                s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / attn.cfg.d_head ** 0.5
                z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                return einops.einsum(z, attn.W_O, "b q h d, h d m -> b q m") + attn.b_O, (k, v)
        """),
        ("cache ignored: attends to the new positions only", """
            def attention_with_kv_cache(attn, x, past=None):
                pr = "b p m, h m d -> b p h d"
                k = einops.einsum(x, attn.W_K, pr) + attn.b_K
                v = einops.einsum(x, attn.W_V, pr) + attn.b_V
                new_k = k if past is None else torch.cat([past[0], k], 1)
                new_v = v if past is None else torch.cat([past[1], v], 1)
                return attn(x), (new_k, new_v)
        """),
        ("keys cached without their bias", """
            def attention_with_kv_cache(attn, x, past=None):
                pr = "b p m, h m d -> b p h d"
                q = einops.einsum(x, attn.W_Q, pr) + attn.b_Q
                k0 = einops.einsum(x, attn.W_K, pr)
                v = einops.einsum(x, attn.W_V, pr) + attn.b_V
                k = k0 + attn.b_K
                if past is not None:
                    k, v, k0 = torch.cat([past[0], k], 1), torch.cat([past[1], v], 1), torch.cat([past[0], k0], 1)
                s = einops.einsum(q, k, "b q h d, b k h d -> b h q k") / attn.cfg.d_head ** 0.5
                z = einops.einsum(apply_causal_mask(s).softmax(-1), v, "b h q k, b k h d -> b q h d")
                return einops.einsum(z, attn.W_O, "b q h d, h d m -> b q m") + attn.b_O, (k0, v)
        """),
    ],
}

ALTERNATIVES = {
    "LayerNorm": """
        class LayerNorm(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.cfg = cfg
                self.w = nn.Parameter(torch.ones(cfg.d_model))
                self.b = nn.Parameter(torch.zeros(cfg.d_model))
            def forward(self, x):
                var, mean = torch.var_mean(x, dim=-1, unbiased=False, keepdim=True)
                return (x - mean) * torch.rsqrt(var + self.cfg.layer_norm_eps) * self.w + self.b
    """,
    "Embed": """
        class Embed(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.W_E = nn.Parameter(torch.randn(cfg.d_vocab, cfg.d_model) * cfg.init_range)
            def forward(self, tokens):
                return F.embedding(tokens, self.W_E)
    """,
    "PosEmbed": """
        class PosEmbed(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.W_pos = nn.Parameter(torch.randn(cfg.n_ctx, cfg.d_model) * cfg.init_range)
            def forward(self, tokens):
                return self.W_pos[torch.arange(tokens.shape[1])].expand(tokens.shape[0], -1, -1)
    """,
    "apply_causal_mask": """
        def apply_causal_mask(scores):
            q, k = scores.shape[-2:]
            future = torch.triu(torch.ones(q, k, dtype=torch.bool), diagonal=k - q + 1)
            return torch.where(future, torch.tensor(float("-inf")), scores)
    """,
    "Attention": """
        class Attention(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.cfg = cfg
                h, m, d = cfg.n_heads, cfg.d_model, cfg.d_head
                s = cfg.init_range
                self.W_Q = nn.Parameter(torch.randn(h, m, d) * s)
                self.W_K = nn.Parameter(torch.randn(h, m, d) * s)
                self.W_V = nn.Parameter(torch.randn(h, m, d) * s)
                self.W_O = nn.Parameter(torch.randn(h, d, m) * s)
                self.b_Q = nn.Parameter(torch.zeros(h, d))
                self.b_K = nn.Parameter(torch.zeros(h, d))
                self.b_V = nn.Parameter(torch.zeros(h, d))
                self.b_O = nn.Parameter(torch.zeros(m))
            def forward(self, x):
                q = torch.einsum("bpm,hmd->bhpd", x, self.W_Q) + self.b_Q[:, None]
                k = torch.einsum("bpm,hmd->bhpd", x, self.W_K) + self.b_K[:, None]
                v = torch.einsum("bpm,hmd->bhpd", x, self.W_V) + self.b_V[:, None]
                pos = x.shape[1]
                mask = torch.ones(pos, pos, dtype=torch.bool).tril()
                z = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                return torch.einsum("bhpd,hdm->bpm", z, self.W_O) + self.b_O
    """,
    "MLP": """
        class MLP(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.W_in = nn.Parameter(torch.randn(cfg.d_model, cfg.d_mlp) * cfg.init_range)
                self.b_in = nn.Parameter(torch.zeros(cfg.d_mlp))
                self.W_out = nn.Parameter(torch.randn(cfg.d_mlp, cfg.d_model) * cfg.init_range)
                self.b_out = nn.Parameter(torch.zeros(cfg.d_model))
            def forward(self, x):
                h = x @ self.W_in + self.b_in
                h = 0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h ** 3)))
                return h @ self.W_out + self.b_out
    """,
    "TransformerBlock": """
        class TransformerBlock(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.ln1, self.attn, self.ln2, self.mlp = LayerNorm(cfg), Attention(cfg), LayerNorm(cfg), MLP(cfg)
            def forward(self, resid):
                mid = self.attn(self.ln1(resid)) + resid
                return self.mlp(self.ln2(mid)) + mid
    """,
    "Unembed": """
        class Unembed(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.W_U = nn.Parameter(torch.randn(cfg.d_model, cfg.d_vocab) * cfg.init_range)
                self.b_U = nn.Parameter(torch.zeros(cfg.d_vocab))
            def forward(self, x):
                return torch.addmm(self.b_U, x.reshape(-1, x.shape[-1]), self.W_U).reshape(*x.shape[:-1], -1)
    """,
    "DemoTransformer": """
        class DemoTransformer(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.embed = Embed(cfg)
                self.pos_embed = PosEmbed(cfg)
                self.blocks = nn.ModuleList(TransformerBlock(cfg) for _ in range(cfg.n_layers))
                self.ln_final = LayerNorm(cfg)
                self.unembed = Unembed(cfg)
            def forward(self, tokens):
                x = self.embed(tokens) + self.pos_embed(tokens)
                x = nn.Sequential(*self.blocks)(x)
                return self.unembed(self.ln_final(x))
    """,
    "RMSNorm": """
        class RMSNorm(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.cfg = cfg
                self.w = nn.Parameter(torch.ones(cfg.d_model))
            def forward(self, x):
                return self.w * x * torch.rsqrt(x.square().mean(-1, keepdim=True) + self.cfg.rms_norm_eps)
    """,
    "apply_rotary": [
        ("rotate_half with repeated cos and sin (Hugging Face's form)", """
            def apply_rotary(x, base=10000.0, offset=0):
                pos, d = x.shape[1], x.shape[-1]
                inv_freq = 1.0 / base ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
                freqs = torch.outer(torch.arange(offset, offset + pos, dtype=torch.float32), inv_freq)
                emb = torch.cat([freqs, freqs], dim=-1)
                cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
                x1, x2 = x[..., : d // 2], x[..., d // 2 :]
                rotated = torch.cat([-x2, x1], dim=-1)
                return (x * cos + rotated * sin).to(x.dtype)
        """),
        ("complex multiplication, angles in float64", """
            def apply_rotary(x, base=10000.0, offset=0):
                pos, d = x.shape[1], x.shape[-1]
                h = d // 2
                theta = base ** (-2 * torch.arange(h, dtype=torch.float64) / d)
                ang = torch.arange(offset, offset + pos, dtype=torch.float64)[:, None] * theta
                rot = torch.polar(torch.ones_like(ang), ang)[:, None, :]
                z = torch.complex(x[..., :h].double(), x[..., h:].double()) * rot
                return torch.cat([z.real, z.imag], dim=-1).to(x.dtype)
        """),
    ],
    "repeat_kv": """
        def repeat_kv(x, n_heads):
            return einops.repeat(x, "b p kv d -> b p (kv g) d", g=n_heads // x.shape[2])
    """,
    "GatedMLP": """
        class GatedMLP(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                s = cfg.init_range
                self.W_gate = nn.Parameter(torch.randn(cfg.d_model, cfg.d_mlp) * s)
                self.W_in = nn.Parameter(torch.randn(cfg.d_model, cfg.d_mlp) * s)
                self.W_out = nn.Parameter(torch.randn(cfg.d_mlp, cfg.d_model) * s)
            def forward(self, x):
                g = x @ self.W_gate
                return (g * torch.sigmoid(g) * (x @ self.W_in)) @ self.W_out
    """,
    "LlamaAttention": """
        class LlamaAttention(nn.Module):
            def __init__(self, cfg):
                super().__init__()
                self.cfg = cfg
                s = cfg.init_range
                self.W_Q = nn.Parameter(torch.randn(cfg.n_heads, cfg.d_model, cfg.d_head) * s)
                self.W_K = nn.Parameter(torch.randn(cfg.n_kv_heads, cfg.d_model, cfg.d_head) * s)
                self.W_V = nn.Parameter(torch.randn(cfg.n_kv_heads, cfg.d_model, cfg.d_head) * s)
                self.W_O = nn.Parameter(torch.randn(cfg.n_heads, cfg.d_head, cfg.d_model) * s)
            def forward(self, x):
                c = self.cfg
                q = apply_rotary(torch.einsum("bpm,hmd->bphd", x, self.W_Q), c.rope_base).transpose(1, 2)
                k = repeat_kv(apply_rotary(torch.einsum("bpm,hmd->bphd", x, self.W_K), c.rope_base), c.n_heads)
                v = repeat_kv(torch.einsum("bpm,hmd->bphd", x, self.W_V), c.n_heads)
                z = F.scaled_dot_product_attention(q, k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
                return torch.einsum("bhpd,hdm->bpm", z, self.W_O)
    """,
    "next_token_loss": """
        def next_token_loss(logits, tokens):
            return F.cross_entropy(logits[:, :-1].flatten(0, 1), tokens[:, 1:].flatten())
    """,
    "train_step": """
        def train_step(model, optimizer, tokens):
            optimizer.zero_grad(set_to_none=True)
            loss = next_token_loss(model(tokens), tokens)
            loss.backward()
            optimizer.step()
            return float(loss)
    """,
    "apply_frequency_penalty": """
        def apply_frequency_penalty(logits, input_ids, penalty):
            counts = torch.stack([torch.bincount(row, minlength=logits.shape[-1]) for row in input_ids])
            return logits - penalty * counts.to(logits.dtype)
    """,
    "top_k_filter": """
        def top_k_filter(logits, k):
            idx = logits.topk(k, dim=-1).indices
            keep = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, idx, True)
            return torch.where(keep, logits, torch.full_like(logits, float("-inf")))
    """,
    "top_p_filter": """
        def top_p_filter(logits, p):
            probs = logits.softmax(-1)
            s, order = probs.sort(-1, descending=True)
            before = torch.cat([torch.zeros_like(s[:, :1]), s.cumsum(-1)[:, :-1]], -1)
            keep_sorted = before < p
            keep = keep_sorted.gather(-1, order.argsort(-1))
            return logits.masked_fill(~keep, float("-inf"))
    """,
    "sample_next_token": """
        def sample_next_token(logits, input_ids, *, temperature=1.0, top_k=None, top_p=None,
                              frequency_penalty=0.0, generator=None):
            if frequency_penalty:
                logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
            if not temperature:
                return torch.argmax(logits, dim=1)
            scaled = logits / temperature
            scaled = top_k_filter(scaled, top_k) if top_k else scaled
            scaled = top_p_filter(scaled, top_p) if top_p is not None else scaled
            probs = F.softmax(scaled, dim=-1)
            return torch.multinomial(probs, num_samples=1, generator=generator).flatten()
    """,
    "beam_search": """
        def beam_search(model, prompt, num_beams, max_new_tokens):
            beams = [(0.0, prompt.tolist())]
            for _ in range(max_new_tokens):
                batch = torch.tensor([seq for _, seq in beams])
                lp = model(batch)[:, -1].log_softmax(-1)
                cands = [(s + float(lp[i, t]), seq + [t]) for i, (s, seq) in enumerate(beams)
                         for t in range(lp.shape[-1])]
                beams = sorted(cands, key=lambda c: -c[0])[:num_beams]
            return torch.tensor([seq for _, seq in beams]), torch.tensor([s for s, _ in beams])
    """,
    "attention_with_kv_cache": """
        def attention_with_kv_cache(attn, x, past=None):
            k = torch.einsum("bpm,hmd->bphd", x, attn.W_K) + attn.b_K
            v = torch.einsum("bpm,hmd->bphd", x, attn.W_V) + attn.b_V
            if past:
                k = torch.cat((past[0], k), dim=1)
                v = torch.cat((past[1], v), dim=1)
            q = torch.einsum("bpm,hmd->bphd", x, attn.W_Q) + attn.b_Q
            n_new, n_all = x.shape[1], k.shape[1]
            allowed = torch.ones(n_new, n_all, dtype=torch.bool).tril(diagonal=n_all - n_new)
            z = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                               attn_mask=allowed)
            return torch.einsum("bhpd,hdm->bpm", z, attn.W_O) + attn.b_O, (k, v)
    """,
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
