# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.1_transformer_from_scratch.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 1.1 Transformer from scratch
#
# Every later page of this chapter opens a trained transformer and asks what one of its parts does.
# That question only has an answer if you know what every part *computes*: which tensor a head
# reads, where the scale factor sits, what a norm divides by. The surest way to know is to write
# the model yourself and prove it right the hard way — by loading a real model's weights into your
# code and getting the same numbers out, to four decimal places.
#
# This section does that twice. First a GPT-2-style model (Radford et al. 2019), built from layer normalisation, embeddings,
# causal multi-head attention and an MLP, loaded with the weights of the zoo's `gpt2-mini`
# and compared with TransformerLens's HookedTransformer. Then the four changes that modern
# open models made to that recipe — RMSNorm, rotary position embeddings, the gated MLP and grouped-query attention — until your model
# reproduces SmolLM2-135M, a real pretrained Llama-architecture model, token for token. Then you
# train a small model on Python's documentation, turn logits into text with the standard
# sampling methods, and make generation fast with a KV cache.
#
# **You will be able to**
#
# - write each component of a GPT-2-style transformer as an `nn.Module` with shape-annotated
#   signatures, and assemble them into a model that loads real weights;
# - explain, and catch in code, the classic bugs: a missing $1/\sqrt{d_\text{head}}$, a causal
#   mask off by one, the softmax over the wrong axis, a norm without centring or with the wrong
#   variance;
# - implement RMSNorm, rotary embeddings, a gated SiLU MLP and grouped-query attention, and load
#   SmolLM2-135M into your own code;
# - write the next-token loss and a training step, and train a small language model on a CPU;
# - sample with greedy decoding, temperature, a frequency penalty, top-k and top-p, and decode with
#   beam search;
# - cache keys and values so that each new token costs one position's work, not the whole prefix's.
#
# **Prerequisites.** Sections 0.0 (einops, einsum, softmax) and 0.1 (`nn.Module`, a training
# loop). No transformer knowledge is assumed; the attention mechanism is explained below.
#
# **Time.** About 4–5 hours: 22 exercises. The page itself executes in 40–90 s on one CPU thread,
# depending on how busy the machine is (the longest cells are the training run and loading the two
# real models, each 10–30 s).
#
# ## Setup
#
# `Config` holds GPT-2's sizes (defaults: `gpt2-mini`'s) and `LlamaConfig` SmolLM2's. Every module
# below takes one of them. Parameter names and layouts follow TransformerLens, so that a
# `HookedTransformer`'s `state_dict()` loads into your model unchanged.

# %%
import math
from collections.abc import Callable
from dataclasses import dataclass

import einops
import torch
import torch.nn as nn
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor

import arena_check


@dataclass
class Config:
    """Sizes of a GPT-2-style transformer; the defaults are the zoo's gpt2-mini."""

    d_model: int = 128
    d_vocab: int = 50257
    n_ctx: int = 128
    d_head: int = 32
    n_heads: int = 4
    d_mlp: int = 512
    n_layers: int = 4
    layer_norm_eps: float = 1e-5
    init_range: float = 0.02


@dataclass
class LlamaConfig:
    """Sizes of a Llama-style transformer; the defaults are SmolLM2-135M's."""

    d_model: int = 576
    d_vocab: int = 49152
    d_head: int = 64
    n_heads: int = 9
    n_kv_heads: int = 3
    d_mlp: int = 1536
    n_layers: int = 30
    rms_norm_eps: float = 1e-5
    rope_base: float = 100000.0
    init_range: float = 0.02


# %% [markdown]
# ## Part 1 · GPT-2 from its parts
#
# A GPT-2-style model turns a sequence of token ids into one vector of logits per
# position, each a guess at the *next* token. In between, a stream of `d_model`-dimensional vectors,
# one per position, flows through `n_layers` blocks. Each block *adds* to the stream — first the
# output of an attention layer, which moves information between positions, then the output of an
# MLP, which works on each position alone — and each sublayer reads a normalised copy of the stream
# (GPT-2's "pre-norm" layout, Radford et al. 2019). Elhage et al. (2021) call this stream the
# residual stream and read the whole model as sublayers writing into it; the following sections of
# this chapter take that view.
#
# ```text
# tokens ─ embed + pos_embed ─► resid ─┬─► ln1 ─► attention ─┬─(+)─┬─► ln2 ─► MLP ─┬─(+)─► … ─► ln_final ─► unembed ─► logits
#                                      └─────────────────────┘     └───────────────┘
# ```
#
# ### Exercise 1 · `LayerNorm`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Normalise each position's vector to mean 0 and variance 1, then scale by `w` and shift by `b`.
#
# Layer normalisation keeps the scale of the residual stream from
# drifting as blocks add to it. Its details matter for matching real weights: the variance is the
# *biased* one (divide by `d_model`, not `d_model - 1`), and `eps` is added to the variance
# *inside* the square root. Each variation runs and gives plausible numbers — just not GPT-2's.
#
# <details><summary>Hint 1</summary>
#
# `x.mean(dim=-1, keepdim=True)` keeps a trailing axis of size 1, so the result broadcasts back
# against `x`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `torch.var` defaults to the unbiased estimate; `x.var(dim=-1, unbiased=False, keepdim=True)` or
# the mean of the squared centred values is what you want.
#
# </details>

# %%
class LayerNorm(nn.Module):
    """LayerNorm over the last axis with a learned scale `w` (init ones) and shift `b` (init zeros).

    Parameters: `w` and `b`, each of shape `(d_model,)`. The forward pass is
    `(x - mean) / sqrt(var + eps) * w + b`, with the mean and the *biased*
    variance taken over `d_model` for each position, and
    `eps = cfg.layer_norm_eps` inside the square root.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.eps = cfg.layer_norm_eps
        self.w = nn.Parameter(torch.ones(cfg.d_model))
        self.b = nn.Parameter(torch.zeros(cfg.d_model))

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        centred = x - x.mean(dim=-1, keepdim=True)
        variance = centred.pow(2).mean(dim=-1, keepdim=True)
        return centred / torch.sqrt(variance + self.eps) * self.w + self.b


# %%
arena_check.check("1.1", "LayerNorm", LayerNorm)


# %%
class Embed(nn.Module):
    """Token embedding. Parameter `W_E` of shape `(d_vocab, d_model)`, init N(0, init_range²).

    `forward(tokens)[b, p] == W_E[tokens[b, p]]` exactly.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.W_E = nn.Parameter(torch.empty(cfg.d_vocab, cfg.d_model))
        nn.init.normal_(self.W_E, std=cfg.init_range)

    def forward(self, tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, "batch pos d_model"]:
        return self.W_E[tokens]


# %%
arena_check.check("1.1", "Embed", Embed)


# %% [markdown]
# ### Exercise 3 · `PosEmbed`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Give position `p` its learned vector `W_pos[p]`, the same for every sequence of the batch.
#
# Attention by itself is blind to order: permute the positions and its output permutes with them.
# GPT-2 breaks that symmetry by adding a learned positional embedding to each token's
# embedding. (Part 2 replaces it with rotations.)
#
# <details><summary>Hint</summary>
#
# Only the first `pos` rows of `W_pos` are used; `einops.repeat(..., "pos d -> batch pos d", batch=…)`
# copies them for the batch.
#
# </details>

# %%
class PosEmbed(nn.Module):
    """Learned positional embedding. Parameter `W_pos` of shape `(n_ctx, d_model)`, init N(0, init_range²).

    `forward(tokens)[b, p] == W_pos[p]` exactly, for every batch entry `b`;
    only the shape of `tokens` matters.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.W_pos = nn.Parameter(torch.empty(cfg.n_ctx, cfg.d_model))
        nn.init.normal_(self.W_pos, std=cfg.init_range)

    def forward(self, tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, "batch pos d_model"]:
        batch, pos = tokens.shape
        return einops.repeat(self.W_pos[:pos], "pos d_model -> batch pos d_model", batch=batch)


# %%
arena_check.check("1.1", "PosEmbed", PosEmbed)


# %% [markdown]
# ### Exercise 4 · `apply_causal_mask`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Hide every key that comes after its query, by setting its attention score to `-inf`.
#
# A language model is trained to predict token `p + 1` from tokens `0 … p`; if position `p` could
# read position `p + 1`, it would copy the answer and learn nothing. The causal mask removes
# those scores before the softmax, so they get weight exactly 0. The position itself stays visible —
# masking the diagonal too is the classic off-by-one, and so is letting one future token through.
#
# The function also handles more keys than queries, which the KV cache of Part 5 needs: then the
# queries are the *last* `q_pos` positions of the sequence.
#
# <details><summary>Hint 1</summary>
#
# Query `i` sits at absolute position `i + (k_pos - q_pos)`. Key `j` is visible if
# `j <= i + (k_pos - q_pos)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Build a boolean `(q_pos, k_pos)` matrix from two `torch.arange`s (a column and a row), then
# `scores.masked_fill(mask, float("-inf"))` — which returns a new tensor and leaves `scores` alone.
#
# </details>

# %%
def apply_causal_mask(
    scores: Float[Tensor, "batch n_heads q_pos k_pos"],
) -> Float[Tensor, "batch n_heads q_pos k_pos"]:
    """Set the scores of keys after their query to -inf; leave the rest exactly as they are.

    The queries are the last `q_pos` of `k_pos` positions: query `i` is at
    position `i + k_pos - q_pos`, and sees key `j` iff `j <= i + k_pos - q_pos`
    (with `q_pos == k_pos`: iff `j <= i`, its own position included).
    Returns a new tensor; `scores` is not modified.
    """
    q_len, k_len = scores.shape[-2:]
    query_at = torch.arange(k_len - q_len, k_len, device=scores.device)[:, None]
    key_at = torch.arange(k_len, device=scores.device)[None, :]
    return scores.masked_fill(key_at > query_at, float("-inf"))


# %%
arena_check.check("1.1", "apply_causal_mask", apply_causal_mask)


# %% [markdown]
# ### Exercise 5 · `Attention`
#
# > difficulty 4/5 · importance 5/5 · 30–40 min
#
# Multi-head causal self-attention, with TransformerLens's weight layout.
#
# Each head `h` projects every position to a query, a key and a value (`W_Q[h]`, `W_K[h]`,
# `W_V[h]`, each `d_model × d_head`, plus biases). The score of query `i` against key `j` is
# their dot product divided by $\sqrt{d_\text{head}}$ — without it, scores grow with `d_head` and
# the softmax saturates to one-hot at initialisation (Vaswani et al. 2017, §3.2.1). After the
# causal mask, a softmax **over the keys** turns each query's row of scores into weights (the
# attention *pattern*); the head's output at `i` is the weighted sum of values, projected back by
# `W_O[h]` (`d_head × d_model`). The heads' outputs are summed, plus one bias `b_O`.
#
# <details><summary>Hint 1</summary>
#
# Write each step as an `einops.einsum` with named axes:
# `"batch pos d_model, n_heads d_model d_head -> batch pos n_heads d_head"` for the queries,
# `"batch q_pos n_heads d_head, batch k_pos n_heads d_head -> batch n_heads q_pos k_pos"` for the
# scores.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The softmax runs over `k_pos`, the last axis of the scores: each *query's* weights sum to 1.
# A softmax over `q_pos` still gives numbers between 0 and 1, and the checks notice.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# Summing over heads and applying `W_O` is one einsum:
# `"batch q_pos n_heads d_head, n_heads d_head d_model -> batch q_pos d_model"`.
#
# </details>

# %%
class Attention(nn.Module):
    """Causal multi-head self-attention.

    Parameters (TransformerLens's names and layouts):
    `W_Q`, `W_K`, `W_V`: `(n_heads, d_model, d_head)`, init N(0, init_range²);
    `W_O`: `(n_heads, d_head, d_model)`, init N(0, init_range²);
    `b_Q`, `b_K`, `b_V`: `(n_heads, d_head)`, init zeros; `b_O`: `(d_model,)`, init zeros.

    Scores are `q · k / sqrt(d_head)`, causally masked (`apply_causal_mask`),
    softmaxed over the keys; the output is `sum_h pattern_h @ v_h @ W_O[h] + b_O`.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        heads, d_model, d_head = cfg.n_heads, cfg.d_model, cfg.d_head
        self.W_Q = nn.Parameter(torch.empty(heads, d_model, d_head))
        self.W_K = nn.Parameter(torch.empty(heads, d_model, d_head))
        self.W_V = nn.Parameter(torch.empty(heads, d_model, d_head))
        self.W_O = nn.Parameter(torch.empty(heads, d_head, d_model))
        self.b_Q = nn.Parameter(torch.zeros(heads, d_head))
        self.b_K = nn.Parameter(torch.zeros(heads, d_head))
        self.b_V = nn.Parameter(torch.zeros(heads, d_head))
        self.b_O = nn.Parameter(torch.zeros(d_model))
        for weight in (self.W_Q, self.W_K, self.W_V, self.W_O):
            nn.init.normal_(weight, std=cfg.init_range)

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        project = "batch pos d_model, n_heads d_model d_head -> batch pos n_heads d_head"
        q = einops.einsum(x, self.W_Q, project) + self.b_Q
        k = einops.einsum(x, self.W_K, project) + self.b_K
        v = einops.einsum(x, self.W_V, project) + self.b_V
        scores = einops.einsum(
            q, k, "batch q_pos n_heads d_head, batch k_pos n_heads d_head -> batch n_heads q_pos k_pos"
        ) / math.sqrt(self.cfg.d_head)
        pattern = apply_causal_mask(scores).softmax(dim=-1)
        z = einops.einsum(
            pattern, v, "batch n_heads q_pos k_pos, batch k_pos n_heads d_head -> batch q_pos n_heads d_head"
        )
        return einops.einsum(z, self.W_O, "batch q_pos n_heads d_head, n_heads d_head d_model -> batch q_pos d_model") + self.b_O


# %%
arena_check.check("1.1", "Attention", Attention)


# %% [markdown]
# ### Exercise 6 · `MLP`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Two linear maps with a GELU between them, applied to each position separately.
#
# GPT-2 uses the tanh approximation of GELU (`F.gelu(x, approximate="tanh")`, TransformerLens's
# `gelu_new`); the exact GELU differs by up to about 1e-3 and would break the 1e-4 match below.

# %%
class MLP(nn.Module):
    """Position-wise MLP: `gelu_tanh(x @ W_in + b_in) @ W_out + b_out`.

    Parameters: `W_in` `(d_model, d_mlp)`, `b_in` `(d_mlp,)`, `W_out` `(d_mlp, d_model)`,
    `b_out` `(d_model,)`. Weights init N(0, init_range²), biases zeros.
    GELU is the tanh approximation, `F.gelu(..., approximate="tanh")`.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.W_in = nn.Parameter(torch.empty(cfg.d_model, cfg.d_mlp))
        self.b_in = nn.Parameter(torch.zeros(cfg.d_mlp))
        self.W_out = nn.Parameter(torch.empty(cfg.d_mlp, cfg.d_model))
        self.b_out = nn.Parameter(torch.zeros(cfg.d_model))
        nn.init.normal_(self.W_in, std=cfg.init_range)
        nn.init.normal_(self.W_out, std=cfg.init_range)

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        hidden = F.gelu(x @ self.W_in + self.b_in, approximate="tanh")
        return hidden @ self.W_out + self.b_out


# %%
arena_check.check("1.1", "MLP", MLP)


# %% [markdown]
# ### Exercise 7 · `TransformerBlock`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# One pre-norm block: attention on a normalised copy of the stream, added back; then the MLP,
# likewise.
#
# The norms sit *inside* the branches. Normalising the stream itself (`resid = ln1(resid)`) is a
# different model — the post-norm of the original Transformer — and would throw away the scale
# information that later layers read.

# %%
class TransformerBlock(nn.Module):
    """Submodules `ln1`, `attn`, `ln2`, `mlp` (your LayerNorm, Attention, LayerNorm, MLP).

    `resid_mid = resid + attn(ln1(resid))`; returns `resid_mid + mlp(ln2(resid_mid))`.
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.ln1 = LayerNorm(cfg)
        self.attn = Attention(cfg)
        self.ln2 = LayerNorm(cfg)
        self.mlp = MLP(cfg)

    def forward(self, resid: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        resid = resid + self.attn(self.ln1(resid))
        return resid + self.mlp(self.ln2(resid))


# %%
arena_check.check("1.1", "TransformerBlock", TransformerBlock)


# %% [markdown]
# ### Exercise 8 · `Unembed`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Map each final vector to one logit per vocabulary entry.
#
# The unembedding `W_U` is the last linear map. (GPT-2 ties it to `W_E.T`; TransformerLens
# stores it separately, and so do we, with a bias `b_U` that `gpt2-mini` uses to silence the tokens
# its training text never contained.)

# %%
class Unembed(nn.Module):
    """`x @ W_U + b_U`. Parameters `W_U` `(d_model, d_vocab)`, init N(0, init_range²), and `b_U` `(d_vocab,)`, init zeros."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.W_U = nn.Parameter(torch.empty(cfg.d_model, cfg.d_vocab))
        self.b_U = nn.Parameter(torch.zeros(cfg.d_vocab))
        nn.init.normal_(self.W_U, std=cfg.init_range)

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_vocab"]:
        return x @ self.W_U + self.b_U


# %%
arena_check.check("1.1", "Unembed", Unembed)


# %% [markdown]
# ### Exercise 9 · `DemoTransformer`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Assemble the model: embeddings, `n_layers` blocks, a final LayerNorm and the unembedding.
#
# Use exactly the attribute names of the docstring: they make your `state_dict()` keys
# (`blocks.0.attn.W_Q`, …) the same as a `HookedTransformer`'s, so real weights load with one call.
#
# <details><summary>Hint</summary>
#
# Hold the blocks in an `nn.ModuleList`, so that their parameters are registered (a plain Python
# list hides them from `parameters()` and `state_dict()`).
#
# </details>

# %%
class DemoTransformer(nn.Module):
    """GPT-2: `embed`, `pos_embed`, `blocks` (an nn.ModuleList of `n_layers` TransformerBlocks),
    `ln_final`, `unembed`. Tokens `(batch, pos)` → logits `(batch, pos, d_vocab)`."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.embed = Embed(cfg)
        self.pos_embed = PosEmbed(cfg)
        self.blocks = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg.n_layers)])
        self.ln_final = LayerNorm(cfg)
        self.unembed = Unembed(cfg)

    def forward(self, tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, "batch pos d_vocab"]:
        resid = self.embed(tokens) + self.pos_embed(tokens)
        for block in self.blocks:
            resid = block(resid)
        return self.unembed(self.ln_final(resid))


# %%
arena_check.check("1.1", "DemoTransformer", DemoTransformer)


# %%
class RMSNorm(nn.Module):
    """`x / sqrt(mean(x²) + eps) * w`, the mean over `d_model`, `eps = cfg.rms_norm_eps` inside the sqrt.

    Parameter: `w` `(d_model,)`, init ones. No centring, no bias.
    """

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.eps = cfg.rms_norm_eps
        self.w = nn.Parameter(torch.ones(cfg.d_model))

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        rms = torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return x / rms * self.w


# %%
arena_check.check("1.1", "RMSNorm", RMSNorm)


# %% [markdown]
# ### Exercise 11 · `apply_rotary`
#
# > difficulty 3/5 · importance 4/5 · 25 min
#
# Rotate pairs of coordinates of each query or key by an angle proportional to its position.
#
# Rotary position embeddings (Su et al. 2021) replace `W_pos`:
# the vector at position `p` is split into `d_head / 2` pairs, and pair `i` is rotated by the angle
# `p · θ_i`, with `θ_i = base^(-2i / d_head)`. A query at `p` and a key at `p'` then have a dot
# product that depends on `p - p'` only, so attention sees relative positions. Which coordinates
# form a pair is a convention: the Llama family (and Hugging Face's code) pairs coordinate `i` with
# `i + d_head/2` — the two *halves* — not neighbours `2i, 2i+1` as in the paper. Loading SmolLM2
# only works with the halves convention.
#
# <details><summary>Hint 1</summary>
#
# With `x1 = x[..., :d_head//2]`, `x2 = x[..., d_head//2:]`, the rotation of the pair `(x1, x2)` by
# angle `a` is `(x1·cos a − x2·sin a, x2·cos a + x1·sin a)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Angles: `positions[:, None] * theta[None, :]` has shape `(pos, d_head/2)`. Insert a `head` axis
# (`[:, None, :]`) so it broadcasts against `(batch, pos, n_heads, d_head/2)`. Positions start at
# `offset`.
#
# </details>

# %%
def apply_rotary(
    x: Float[Tensor, "batch pos n_heads d_head"], base: float = 10000.0, offset: int = 0
) -> Float[Tensor, "batch pos n_heads d_head"]:
    """Rotary embedding, halves convention (Llama / Hugging Face).

    With `h = d_head // 2`, `x1 = x[..., :h]`, `x2 = x[..., h:]`, position
    `p = offset + index along pos`, and `angle[p, i] = p * base ** (-2 * i / d_head)`:
    returns `cat(x1 * cos - x2 * sin, x2 * cos + x1 * sin)` on the last axis.
    Angles are computed in float32; the result has `x`'s dtype.
    """
    pos, d_head = x.shape[1], x.shape[-1]
    half = d_head // 2
    theta = base ** (-2 * torch.arange(half, dtype=torch.float32) / d_head)
    angles = torch.arange(offset, offset + pos, dtype=torch.float32)[:, None] * theta
    cos = angles.cos()[:, None, :].to(x.dtype)
    sin = angles.sin()[:, None, :].to(x.dtype)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


# %%
arena_check.check("1.1", "apply_rotary", apply_rotary)


# %% [markdown]
# ### Exercise 12 · `repeat_kv`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Expand `n_kv_heads` key (or value) heads to `n_heads`, each shared by a contiguous group of query
# heads.
#
# In grouped-query attention (Ainslie et al. 2023) several query heads share one key/value
# head, which shrinks the KV cache of Part 5 by the group size (SmolLM2: 9 query heads, 3 KV heads,
# 3× smaller). Query head `h` uses KV head `h // (n_heads // n_kv_heads)`: heads 0–2 share KV
# head 0. Tiling the KV heads instead (`0, 1, 2, 0, 1, 2, …`) has the right shape and loads without
# error — and gives a different model.

# %%
def repeat_kv(
    x: Float[Tensor, "batch pos n_kv_heads d_head"], n_heads: int
) -> Float[Tensor, "batch pos n_heads d_head"]:
    """Output head `h` is input head `h // (n_heads // n_kv_heads)` (contiguous groups), exactly.

    `n_heads` is a multiple of `n_kv_heads`; with `n_heads == n_kv_heads` the values are unchanged.
    """
    return x.repeat_interleave(n_heads // x.shape[2], dim=2)


# %%
arena_check.check("1.1", "repeat_kv", repeat_kv)


# %% [markdown]
# ### Exercise 13 · `GatedMLP`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# The Llama MLP: a SiLU-activated gate multiplies a second linear map, elementwise, before the
# output map.
#
# The gated MLP (SwiGLU, Shazeer 2020) has three matrices instead of two and no biases:
# `(silu(x @ W_gate) * (x @ W_in)) @ W_out`. Only the gate branch goes through the SiLU.

# %%
class GatedMLP(nn.Module):
    """`(silu(x @ W_gate) * (x @ W_in)) @ W_out`, no biases.

    Parameters: `W_gate`, `W_in` `(d_model, d_mlp)`; `W_out` `(d_mlp, d_model)`; init N(0, init_range²).
    """

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.W_gate = nn.Parameter(torch.empty(cfg.d_model, cfg.d_mlp))
        self.W_in = nn.Parameter(torch.empty(cfg.d_model, cfg.d_mlp))
        self.W_out = nn.Parameter(torch.empty(cfg.d_mlp, cfg.d_model))
        for weight in (self.W_gate, self.W_in, self.W_out):
            nn.init.normal_(weight, std=cfg.init_range)

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        return (F.silu(x @ self.W_gate) * (x @ self.W_in)) @ self.W_out


# %%
arena_check.check("1.1", "GatedMLP", GatedMLP)


# %% [markdown]
# ### Exercise 14 · `LlamaAttention`
#
# > difficulty 3/5 · importance 4/5 · 20 min
#
# Attention as in Exercise 5, with three changes: no biases, rotary embeddings on queries and keys
# (not values), and `n_kv_heads` key/value heads expanded with `repeat_kv`.
#
# <details><summary>Hint</summary>
#
# Rotate `q` and `k` right after projecting them (positions from 0), *before* `repeat_kv` or after —
# the rotation acts on each head separately, so both orders give the same result. The values are
# never rotated.
#
# </details>

# %%
class LlamaAttention(nn.Module):
    """Causal grouped-query attention with rotary embeddings and no biases.

    Parameters: `W_Q` `(n_heads, d_model, d_head)`; `W_K`, `W_V` `(n_kv_heads, d_model, d_head)`;
    `W_O` `(n_heads, d_head, d_model)`; init N(0, init_range²).
    q and k are rotated with `apply_rotary(·, cfg.rope_base)` (positions 0, 1, …);
    k and v are expanded to `n_heads` with `repeat_kv`; scores `q · k / sqrt(d_head)`,
    causal mask, softmax over keys, output `sum_h pattern_h @ v_h @ W_O[h]`.
    """

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.cfg = cfg
        self.W_Q = nn.Parameter(torch.empty(cfg.n_heads, cfg.d_model, cfg.d_head))
        self.W_K = nn.Parameter(torch.empty(cfg.n_kv_heads, cfg.d_model, cfg.d_head))
        self.W_V = nn.Parameter(torch.empty(cfg.n_kv_heads, cfg.d_model, cfg.d_head))
        self.W_O = nn.Parameter(torch.empty(cfg.n_heads, cfg.d_head, cfg.d_model))
        for weight in (self.W_Q, self.W_K, self.W_V, self.W_O):
            nn.init.normal_(weight, std=cfg.init_range)

    def forward(self, x: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        cfg = self.cfg
        project = "batch pos d_model, n_heads d_model d_head -> batch pos n_heads d_head"
        q = apply_rotary(einops.einsum(x, self.W_Q, project), cfg.rope_base)
        k = apply_rotary(einops.einsum(x, self.W_K, project), cfg.rope_base)
        v = einops.einsum(x, self.W_V, project)
        k, v = repeat_kv(k, cfg.n_heads), repeat_kv(v, cfg.n_heads)
        scores = einops.einsum(
            q, k, "batch q_pos n_heads d_head, batch k_pos n_heads d_head -> batch n_heads q_pos k_pos"
        ) / math.sqrt(cfg.d_head)
        pattern = apply_causal_mask(scores).softmax(dim=-1)
        z = einops.einsum(
            pattern, v, "batch n_heads q_pos k_pos, batch k_pos n_heads d_head -> batch q_pos n_heads d_head"
        )
        return einops.einsum(z, self.W_O, "batch q_pos n_heads d_head, n_heads d_head d_model -> batch q_pos d_model")


# %%
arena_check.check("1.1", "LlamaAttention", LlamaAttention)


# %% [markdown]
# The block and the model are the same as GPT-2's with the new parts swapped in (and no
# positional embedding: the rotations do that job), so they are given. So is the function that
# renames Hugging Face's weights to ours: HF stores each projection as `nn.Linear` weights of shape
# `(out, in)` with the heads merged, `(n_heads · d_head, d_model)`.

# %%
class LlamaBlock(nn.Module):
    """Pre-norm block with RMSNorm, grouped-query rotary attention and the gated MLP."""

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.ln1 = RMSNorm(cfg)
        self.attn = LlamaAttention(cfg)
        self.ln2 = RMSNorm(cfg)
        self.mlp = GatedMLP(cfg)

    def forward(self, resid: Float[Tensor, "batch pos d_model"]) -> Float[Tensor, "batch pos d_model"]:
        resid = resid + self.attn(self.ln1(resid))
        return resid + self.mlp(self.ln2(resid))


class LlamaTransformer(nn.Module):
    """Embedding, `n_layers` LlamaBlocks, a final RMSNorm and an unembedding `W_U` (no bias)."""

    def __init__(self, cfg: LlamaConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = Embed(cfg)
        self.blocks = nn.ModuleList([LlamaBlock(cfg) for _ in range(cfg.n_layers)])
        self.ln_final = RMSNorm(cfg)
        self.W_U = nn.Parameter(torch.empty(cfg.d_model, cfg.d_vocab))
        nn.init.normal_(self.W_U, std=cfg.init_range)

    def forward(self, tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, "batch pos d_vocab"]:
        resid = self.embed(tokens)
        for block in self.blocks:
            resid = block(resid)
        return self.ln_final(resid) @ self.W_U


def llama_state_from_hf(hf_model: nn.Module) -> dict[str, Tensor]:
    """A Hugging Face LlamaForCausalLM's weights under LlamaTransformer's names and layouts."""
    hf, c = hf_model.state_dict(), hf_model.config
    heads = lambda w, n: einops.rearrange(w, "(n d) m -> n m d", n=n)  # noqa: E731
    state = {"embed.W_E": hf["model.embed_tokens.weight"], "ln_final.w": hf["model.norm.weight"]}
    state["W_U"] = hf.get("lm_head.weight", hf["model.embed_tokens.weight"]).T  # tied in SmolLM2
    for i in range(c.num_hidden_layers):
        p, b = f"model.layers.{i}.", f"blocks.{i}."
        state[b + "ln1.w"] = hf[p + "input_layernorm.weight"]
        state[b + "ln2.w"] = hf[p + "post_attention_layernorm.weight"]
        state[b + "attn.W_Q"] = heads(hf[p + "self_attn.q_proj.weight"], c.num_attention_heads)
        state[b + "attn.W_K"] = heads(hf[p + "self_attn.k_proj.weight"], c.num_key_value_heads)
        state[b + "attn.W_V"] = heads(hf[p + "self_attn.v_proj.weight"], c.num_key_value_heads)
        state[b + "attn.W_O"] = einops.rearrange(
            hf[p + "self_attn.o_proj.weight"], "m (n d) -> n d m", n=c.num_attention_heads
        )
        state[b + "mlp.W_gate"] = hf[p + "mlp.gate_proj.weight"].T
        state[b + "mlp.W_in"] = hf[p + "mlp.up_proj.weight"].T
        state[b + "mlp.W_out"] = hf[p + "mlp.down_proj.weight"].T
    return state


# %%
def next_token_loss(
    logits: Float[Tensor, "batch pos d_vocab"], tokens: Int[Tensor, "batch pos"]
) -> Float[Tensor, ""]:
    """Mean over batch and positions 0 … pos-2 of -log softmax(logits[b, p])[tokens[b, p + 1]].

    Numerically stable for logits of any size (use log_softmax, not log of softmax).
    """
    log_probs = logits[:, :-1].log_softmax(dim=-1)
    return -log_probs.gather(-1, tokens[:, 1:, None]).mean()


# %%
arena_check.check("1.1", "next_token_loss", next_token_loss)


# %% [markdown]
# ### Exercise 16 · `train_step`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# One step of the training loop: clear the old gradients, compute the loss on a batch,
# backpropagate, update.

# %%
def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, tokens: Int[Tensor, "batch pos"]) -> float:
    """Zero the gradients, `next_token_loss(model(tokens), tokens)`, backward, `optimizer.step()`.

    Returns the loss as a Python float. Afterwards every parameter's `.grad` holds
    exactly this batch's gradient (not accumulated onto older ones).
    """
    optimizer.zero_grad()
    loss = next_token_loss(model(tokens), tokens)
    loss.backward()
    optimizer.step()
    return loss.item()


# %%
arena_check.check("1.1", "train_step", train_step)


# %%
def apply_frequency_penalty(
    logits: Float[Tensor, "batch d_vocab"], input_ids: Int[Tensor, "batch seq"], penalty: float
) -> Float[Tensor, "batch d_vocab"]:
    """`logits[b, t] - penalty * (number of positions s with input_ids[b, s] == t)`. New tensor."""
    ones = torch.ones_like(input_ids, dtype=logits.dtype)
    counts = torch.zeros_like(logits).scatter_add(-1, input_ids, ones)
    return logits - penalty * counts


# %%
arena_check.check("1.1", "apply_frequency_penalty", apply_frequency_penalty)


# %% [markdown]
# ### Exercise 18 · `top_k_filter`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# Keep the `k` largest logits of each row; set the others to `-inf`.
#
# Top-k sampling cuts off the long tail of unlikely tokens, each of which is
# individually rare but which together are drawn often enough to derail a text.

# %%
def top_k_filter(logits: Float[Tensor, "batch d_vocab"], k: int) -> Float[Tensor, "batch d_vocab"]:
    """Entries smaller than their row's k-th largest become -inf; the rest are unchanged (exact)."""
    kth_largest = logits.topk(k, dim=-1).values[:, -1:]
    return logits.masked_fill(logits < kth_largest, float("-inf"))


# %%
arena_check.check("1.1", "top_k_filter", top_k_filter)


# %% [markdown]
# ### Exercise 19 · `top_p_filter`
#
# > difficulty 3/5 · importance 3/5 · 20 min
#
# Keep the smallest set of most probable tokens whose total probability reaches `p`; set the rest
# to `-inf`.
#
# Nucleus sampling (Holtzman et al. 2019) adapts the cut-off to the model's confidence: a
# confident row keeps two tokens, an uncertain one keeps hundreds. The boundary is the usual bug:
# the token whose probability *crosses* `p` belongs to the nucleus.
#
# <details><summary>Hint 1</summary>
#
# Sort each row in descending order and take the cumulative sum of the probabilities. A token is
# dropped if the tokens *before* it already reach `p`: `cumsum - prob >= p`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The decision was made in sorted order; `scatter` it back to vocabulary order with the indices
# `sort` returned.
#
# </details>

# %%
def top_p_filter(logits: Float[Tensor, "batch d_vocab"], p: float) -> Float[Tensor, "batch d_vocab"]:
    """Keep, per row, the most probable tokens until their softmax mass first reaches `p`
    (the token that crosses `p` is kept; the top token always is); the rest become -inf.
    Kept entries are unchanged (exact)."""
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    probs = sorted_logits.softmax(dim=-1)
    mass_before = probs.cumsum(dim=-1) - probs
    drop = torch.zeros_like(mass_before, dtype=torch.bool).scatter(-1, order, mass_before >= p)
    return logits.masked_fill(drop, float("-inf"))


# %%
arena_check.check("1.1", "top_p_filter", top_p_filter)


# %% [markdown]
# ### Exercise 20 · `sample_next_token`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Put the pieces together: penalty, then greedy decoding if `temperature == 0`, otherwise
# divide by the temperature, filter, and draw.
#
# Temperature divides the *logits*: `T < 1` sharpens the distribution, `T > 1` flattens it.
# Dividing the probabilities instead changes nothing once they are renormalised — the classic
# silent bug. To make draws reproducible, use `torch.multinomial(probs, 1, generator=generator)`
# exactly once per call, so that your draws match the reference's for the same seed.

# %%
def sample_next_token(
    logits: Float[Tensor, "batch d_vocab"],
    input_ids: Int[Tensor, "batch seq"],
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    frequency_penalty: float = 0.0,
    generator: torch.Generator | None = None,
) -> Int[Tensor, " batch"]:
    """One token id per row (int64).

    1. `apply_frequency_penalty(logits, input_ids, frequency_penalty)`;
    2. if `temperature == 0`: return the argmax (greedy; nothing is drawn);
    3. divide the logits by `temperature`; 4. `top_k_filter` if `top_k` is set;
    5. `top_p_filter` if `top_p` is set;
    6. `torch.multinomial(softmax, num_samples=1, generator=generator)`, squeezed to `(batch,)`.
    """
    logits = apply_frequency_penalty(logits, input_ids, frequency_penalty)
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits / temperature
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    return torch.multinomial(logits.softmax(dim=-1), num_samples=1, generator=generator)[:, 0]


# %%
arena_check.check("1.1", "sample_next_token", sample_next_token)


# %% [markdown]
# ### Exercise 21 · `beam_search`
#
# > difficulty 3/5 · importance 2/5 · 25 min
#
# Keep the `num_beams` continuations with the highest total log-probability, extending each by
# every possible token at each step.
#
# Greedy decoding commits to the best token now; beam search keeps several candidates in
# case a slightly worse token leads to a much better continuation. It suits tasks with one right
# answer (translation); for open-ended text it produces bland, repetitive output (Holtzman et al.
# 2019), which is why chat models sample instead.
#
# <details><summary>Hint</summary>
#
# Per step: `scores[:, None] + log_probs` is `(beams, d_vocab)`; flatten it, `topk(num_beams)`, and
# recover the beam (`index // d_vocab`) and the token (`index % d_vocab`) of each winner. At the
# first step there is a single beam, the prompt.
#
# </details>

# %%
def beam_search(
    model: Callable[[Int[Tensor, "beams pos"]], Float[Tensor, "beams pos d_vocab"]],
    prompt: Int[Tensor, " pos"],
    num_beams: int,
    max_new_tokens: int,
) -> tuple[Int[Tensor, "num_beams pos_out"], Float[Tensor, " num_beams"]]:
    """Beam search without end-of-sequence handling.

    Starts from the single beam `prompt` (score 0). Each step, every beam is
    extended by every token, scored by its beam's score plus the token's
    log-probability (log_softmax of `model(beams)[:, -1]`), and the `num_beams`
    best candidates over all beams are kept. Returns the final beams
    (prompt + `max_new_tokens` tokens each) and their scores, best first.
    """
    beams = prompt[None, :]
    scores = torch.zeros(1)
    for _ in range(max_new_tokens):
        with torch.no_grad():
            log_probs = model(beams)[:, -1].log_softmax(dim=-1)
        d_vocab = log_probs.shape[-1]
        scores, flat = (scores[:, None] + log_probs).flatten().topk(num_beams)
        beams = torch.cat([beams[flat // d_vocab], (flat % d_vocab)[:, None]], dim=1)
    return beams, scores


# %%
arena_check.check("1.1", "beam_search", beam_search)


# %%
def attention_with_kv_cache(
    attn: Attention,
    x: Float[Tensor, "batch new d_model"],
    past: tuple[Float[Tensor, "batch past n_heads d_head"], Float[Tensor, "batch past n_heads d_head"]] | None = None,
) -> tuple[
    Float[Tensor, "batch new d_model"],
    tuple[Float[Tensor, "batch all n_heads d_head"], Float[Tensor, "batch all n_heads d_head"]],
]:
    """`attn`'s output at the new positions, as if the whole sequence had been run at once.

    `past` holds the keys and values (biases included) of the earlier positions,
    or None at the start. Returns the output for the `new` positions and the keys
    and values of all `past + new` positions, the new ones after the old.
    Uses `attn.W_Q, W_K, W_V, W_O, b_Q, b_K, b_V, b_O` and `attn.cfg.d_head`.
    """
    project = "batch pos d_model, n_heads d_model d_head -> batch pos n_heads d_head"
    q = einops.einsum(x, attn.W_Q, project) + attn.b_Q
    k = einops.einsum(x, attn.W_K, project) + attn.b_K
    v = einops.einsum(x, attn.W_V, project) + attn.b_V
    if past is not None:
        k, v = torch.cat([past[0], k], dim=1), torch.cat([past[1], v], dim=1)
    scores = einops.einsum(
        q, k, "batch q_pos n_heads d_head, batch k_pos n_heads d_head -> batch n_heads q_pos k_pos"
    ) / math.sqrt(attn.cfg.d_head)
    pattern = apply_causal_mask(scores).softmax(dim=-1)
    z = einops.einsum(
        pattern, v, "batch n_heads q_pos k_pos, batch k_pos n_heads d_head -> batch q_pos n_heads d_head"
    )
    out = einops.einsum(z, attn.W_O, "batch q_pos n_heads d_head, n_heads d_head d_model -> batch q_pos d_model")
    return out + attn.b_O, (k, v)

# %%
arena_check.check("1.1", "attention_with_kv_cache", attention_with_kv_cache)
