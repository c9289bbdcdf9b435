# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.2_intro_to_mech_interp.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 1.2 Introduction to mechanistic interpretability
#
# In section 1.1 you built a transformer and checked that it computes the same numbers as a
# reference. This section asks the next question: *which* of those numbers do the work, and how?
# Mechanistic interpretability answers it by treating a trained network as a program to
# reverse-engineer. You read its intermediate activations, form a hypothesis about what a component
# computes, and then test the hypothesis two ways: by reading the weights directly, and by
# intervening — removing a component and measuring what breaks.
#
# The worked example is the best-understood circuit in language models, the **induction head**
# (Olsson et al. 2022): a pair of attention heads that lets a model continue a pattern it has seen
# earlier in its context, "… A B … A → B". You will find the pair in a two-layer model the project
# trained for this purpose, then find the same behaviour in a real pretrained model, SmolLM2-135M.
#
# **You will be able to**
#
# - run a model with TransformerLens, read its activation cache, and recompute a cached
#   activation by hand;
# - draw attention patterns and write detectors for current-token, previous-token and first-token
#   heads;
# - measure in-context learning as a drop in per-token loss on repeated random tokens, and score
#   induction heads with a hook;
# - split a logit into the contributions of individual heads (direct logit attribution), and
#   remove heads with zero ablation and mean ablation;
# - read a head's OV circuit and QK circuit from its weights with `FactoredMatrix`, and
#   measure K-composition between heads of different layers.
#
# **Prerequisites.** Section 1.1 (the transformer's forward pass, attention heads, the residual
# stream). Section 0.0's einops and `gather`.
#
# **Time.** About 3–4 hours: 19 exercises, most of them a few lines.
#
# ## Setup
#
# The models come from the book's offline model zoo:
#
# - **`attn-only-2l`** — two layers of two attention heads each, no MLPs, `d_model` 64, a
#   512-token byte-level vocabulary, trained by `tools/train_attn_only_2l.py` on Python
#   documentation plus repeated random segments. It is small enough that every head can be read in
#   full, and its layer-0 head feeds its layer-1 heads exactly as the induction story predicts. It
#   uses *shortformer* positions: the positional embedding is added to the queries' and keys'
#   inputs only, never to the residual stream or the values.
# - **`smollm2-135m`** — a real 30-layer pretrained model (9 heads per layer), used to show that the
#   same detectors find the same mechanism in a model nobody designed for it.
#
# Where ARENA's material loads GPT-2 small from a model hub, this book needs no network. (With
# internet access, `HookedTransformer.from_pretrained("gpt2")` gives you GPT-2 small, and every
# function you write here works on it unchanged; that branch never runs in the book.)

# %%
from collections.abc import Callable, Sequence

import torch
from einops import einsum
from jaxtyping import Float, Int
from torch import Tensor
from transformer_lens import ActivationCache, FactoredMatrix, HookedTransformer
from transformer_lens.hook_points import HookPoint

import arena_check


# %% [markdown]
# Note `attn_scale` = 1.0: this model divides its attention scores by 1, not by
# $\sqrt{d_\text{head}}$ — a choice made in training. Code that hard-codes $\sqrt{d_\text{head}}$
# would be wrong here, so read the scale from the config.
#
# ## Part 1 · TransformerLens essentials
#
# TransformerLens (Nanda and Bloom, [github.com/TransformerLensOrg/TransformerLens](https://github.com/TransformerLensOrg/TransformerLens))
# wraps a transformer so that every intermediate activation passes through a named
# hook point. Three methods cover most of what you need:
#
# - `model.to_tokens(text)` and `model.to_str_tokens(text)` — the token ids (with a BOS token
#   prepended) and the strings they stand for;
# - `model.run_with_cache(tokens)` — the logits and an `ActivationCache`, a dictionary from hook
#   name to activation. `cache["pattern", 0]` is shorthand for
#   `cache["blocks.0.attn.hook_pattern"]`;
# - `model.run_with_hooks(tokens, fwd_hooks=[(name, fn)])` — a forward pass in which `fn(activation,
#   hook)` is called at hook `name`. If `fn` returns a tensor, that tensor replaces the activation.

# %% [markdown]
# The shapes carry the conventions: queries, keys, values and `z` (a head's output before its
# output matrix) are `[batch, pos, head, d_head]`; patterns are `[batch, head, query, key]`, each row
# a probability distribution over the positions a query may read.
#
# ### Exercise 1 · `attention_pattern_from_cache`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Recompute one layer's attention pattern from the queries and keys in the cache.
#
# A cache is only useful if you know what its entries mean. Rebuilding an activation from the ones
# before it is the quickest test of that understanding, and it is how you will debug a hook that
# changes the wrong thing.
#
# <details><summary>Hint 1</summary>
#
# `cache["q", layer]` and `cache["k", layer]` are `[batch, pos, head, d_head]`. Contract `d_head`
# with einsum, keeping batch and head, and naming the two positions differently (query, key).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Mask with `masked_fill` *before* the softmax, using `-inf` where key > query
# (`torch.triu(…, diagonal=1)`), so masked positions get exactly zero weight and each row still sums
# to 1.
#
# </details>

# %%
def attention_pattern_from_cache(
    cache: ActivationCache, layer: int, attn_scale: float
) -> Float[Tensor, "batch head query key"]:
    """The attention pattern of every head of `layer`, from the cached queries and keys.

    scores[b, h, i, j] = q[b, i, h] · k[b, j, h] / attn_scale, where q and k are
    cache["q", layer] and cache["k", layer] ([batch, pos, head, d_head]). Keys after the
    query (j > i) are masked out, then each row is softmaxed over the keys, so row i
    sums to 1 and puts exactly 0 on positions j > i. `attn_scale` is the model's
    `cfg.attn_scale` (often sqrt(d_head), but not always): divide by it, do not
    assume it.
    """
    q, k = cache["q", layer], cache["k", layer]
    scores = einsum(q, k, "b i h d, b j h d -> b h i j") / attn_scale
    n = scores.shape[-1]
    future = torch.triu(torch.ones(n, n, dtype=torch.bool, device=scores.device), diagonal=1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1)


# %%
arena_check.check("1.2", "attention_pattern_from_cache", attention_pattern_from_cache)


# %% [markdown]
# ## Part 2 · Attention patterns and what heads attend to
#
# An attention pattern is a picture: one row per query position, one column per key position. The
# helper below draws one head's pattern with the tokens as labels — a static matplotlib image, so
# it needs no JavaScript. (Interactive tools such as CircuitsVis are nicer to explore with on your
# own machine; the book stays static.)

# %% [markdown]
# ### Exercise 2 · `current_token_score`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Score each head by how much it attends to the current token.
#
# <details><summary>Hint</summary>
#
# `pattern.diagonal(dim1=-2, dim2=-1)` gives `[batch, head, pos]`; average everything but `head`.
#
# </details>

# %%
def current_token_score(
    pattern: Float[Tensor, "batch head query key"],
) -> Float[Tensor, " head"]:
    """Mean of pattern[b, h, i, i] over the batch and every query position i.

    One score per head, in [0, 1]: 1.0 for a head that only ever attends to its own
    position.
    """
    return pattern.diagonal(dim1=-2, dim2=-1).mean(dim=(0, 2))


# %%
arena_check.check("1.2", "current_token_score", current_token_score)


# %% [markdown]
# ### Exercise 3 · `prev_token_score`
#
# > difficulty 2/5 · importance 4/5 · 5 min
#
# Score each head by how much it attends to the previous token.
#
# Previous-token heads are half of the induction circuit: they write "the token before me was A"
# into each position, which a later head can search for.
#
# <details><summary>Hint</summary>
#
# The entries $(i, i-1)$ are the diagonal with `offset=-1`. Position 0 has no previous token, so
# that diagonal is one shorter — exactly the positions $i \geq 1$.
#
# </details>

# %%
def prev_token_score(
    pattern: Float[Tensor, "batch head query key"],
) -> Float[Tensor, " head"]:
    """Mean of pattern[b, h, i, i - 1] over the batch and query positions i >= 1.

    Position 0 has no previous token and is left out. One score per head; a perfect
    previous-token head scores 1.0.
    """
    return pattern.diagonal(offset=-1, dim1=-2, dim2=-1).mean(dim=(0, 2))


# %%
arena_check.check("1.2", "prev_token_score", prev_token_score)


# %% [markdown]
# ### Exercise 4 · `first_token_score`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Score each head by how much it attends to position 0.
#
# <details><summary>Hint</summary>
#
# `pattern[..., 1:, 0]` is the weight on key 0 from every query but the first.
#
# </details>

# %%
def first_token_score(
    pattern: Float[Tensor, "batch head query key"],
) -> Float[Tensor, " head"]:
    """Mean of pattern[b, h, i, 0] over the batch and query positions i >= 1.

    Query 0 can see only key 0, so its weight there is always 1 and says nothing about
    the head: leave it out. One score per head.
    """
    return pattern[:, :, 1:, 0].mean(dim=(0, 2))


# %%
arena_check.check("1.2", "first_token_score", first_token_score)


# %% [markdown]
# Run all three detectors on both models. On SmolLM2 a short sentence is enough: the cache of 30
# layers for 20 tokens is small. (This cell loads SmolLM2 from its local cache: a few seconds, up
# to about 10 on a busy machine.)

# %% [markdown]
# ## Part 3 · Induction heads
#
# Take a sequence of random tokens $r_1 \dots r_L$ and repeat it: `[BOS, r_1 … r_L, r_1 … r_L]`.
# The first copy is noise that no model can predict. The second copy is perfectly predictable — but
# only by looking back: at the second $r_k$, find the earlier $r_k$ and predict the token that
# followed it, $r_{k+1}$. That lookup is what an induction head does, and this data is the cleanest
# test for it (Olsson et al. 2022). The circuit needs two layers (Elhage et al. 2021): a layer-0
# previous-token head writes "$r_k$ came before me" into position $k+1$; a layer-1 head's query
# "$r_k$" then matches that key, attends to position $k+1$ and copies $r_{k+1}$ into the output.
#
# ### Exercise 5 · `repeated_tokens`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Build a seeded batch of repeated random tokens.
#
# <details><summary>Hint</summary>
#
# Draw `(batch, seq_len)` ids with `torch.randint(low, high, …, generator=torch.Generator().manual_seed(seed))`,
# then `torch.cat` a column of BOS, the draws and the draws again along the position axis.
#
# </details>

# %%
def repeated_tokens(
    batch: int, seq_len: int, low: int, high: int, bos: int, seed: int
) -> Int[Tensor, "batch 1+2*seq_len"]:
    """`[BOS, r_1 … r_L, r_1 … r_L]` rows with uniform random r_k in [low, high).

    Shape (batch, 1 + 2 * seq_len), int64. Column 0 is `bos`; columns 1..seq_len hold
    the random tokens; the last seq_len columns repeat them exactly. Rows are drawn
    independently, and the result depends only on the arguments: the same `seed`
    gives the same tensor (use a torch.Generator; leave the global random state alone).
    """
    gen = torch.Generator().manual_seed(seed)
    half = torch.randint(low, high, (batch, seq_len), generator=gen)
    first = torch.full((batch, 1), bos, dtype=torch.long)
    return torch.cat([first, half, half], dim=1)


# %%
arena_check.check("1.2", "repeated_tokens", repeated_tokens)


# %% [markdown]
# ### Exercise 6 · `per_token_loss`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The loss at every position of a sequence: how surprised the model was by each next token.
#
# A mean loss hides where a model does well. Per-token losses show the in-context learning
# directly: they should fall off a cliff where the repeat starts.
#
# <details><summary>Hint 1</summary>
#
# The logits at position $p$ predict the token at $p+1$: pair `logits[:, :-1]` with `tokens[:, 1:]`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `log_softmax` over the vocabulary, then `gather` the target's entry (section 0.0), then negate.
#
# </details>

# %%
def per_token_loss(
    logits: Float[Tensor, "batch pos d_vocab"], tokens: Int[Tensor, "batch pos"]
) -> Float[Tensor, "batch pos-1"]:
    """Cross-entropy (nats) of predicting tokens[:, p + 1] from logits[:, p].

    out[b, p] = -log softmax(logits[b, p])[tokens[b, p + 1]] for p = 0 … pos - 2. The last
    position's logits predict nothing in the sequence and are left out.
    """
    logprobs = logits[:, :-1].log_softmax(dim=-1)
    return -logprobs.gather(dim=-1, index=tokens[:, 1:, None]).squeeze(-1)


# %%
arena_check.check("1.2", "per_token_loss", per_token_loss)


# %% [markdown]
# ### Exercise 7 · `induction_score`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Score each head by its attention to the induction target on repeated tokens.
#
# In `[BOS, r_1 … r_L, r_1 … r_L]` the query at position $i$ in the second copy holds the same
# token as position $i - L$, and an induction head attends to the position after that, $i - L + 1$.
#
# <details><summary>Hint 1</summary>
#
# The entries $(i, i - L + 1)$ lie on one diagonal of the pattern. Which offset?
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# That diagonal has an entry for every query $i \geq L - 1$; only the last $L$ of them are queries
# in the second copy. Average those, over the batch as well.
#
# </details>

# %%
def induction_score(
    pattern: Float[Tensor, "batch head pos pos"], seq_len: int
) -> Float[Tensor, " head"]:
    """Mean attention to the induction target on `[BOS, r, r]` data with len(r) = seq_len.

    pos = 1 + 2 * seq_len. For every query i in the second copy
    (i = seq_len + 1 … 2 * seq_len) the target key is i - seq_len + 1, the position
    after the earlier occurrence of the same token. Average pattern[b, h, i, target]
    over the batch and those seq_len queries only (the first copy has no earlier
    occurrence to look up). One score per head.
    """
    stripe = pattern.diagonal(offset=1 - seq_len, dim1=-2, dim2=-1)
    return stripe[..., -seq_len:].mean(dim=(0, 2))


# %%
arena_check.check("1.2", "induction_score", induction_score)


# %% [markdown]
# ### Exercise 8 · `induction_scores_by_hook`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# Compute every head's induction score during the forward pass, with a hook, without caching the
# model's activations.
#
# A full cache of SmolLM2 on a long batch holds hundreds of tensors; a hook sees each activation
# as it is made and keeps only what you ask for. This is the pattern for any metric you compute on
# a large model.
#
# <details><summary>Hint 1</summary>
#
# `fwd_hooks=[(lambda name: name.endswith("hook_pattern"), fn)]` calls `fn(pattern, hook)` once per
# layer; `hook.layer()` says which. Write the score into a `[n_layers, n_heads]` tensor that `fn`
# closes over, and return nothing from `fn` (the activation stays as it is).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `model.run_with_hooks(tokens, return_type=None, fwd_hooks=…)` skips the unembedding.
#
# </details>

# %%
def induction_scores_by_hook(
    model: HookedTransformer, tokens: Int[Tensor, "batch pos"], seq_len: int
) -> Float[Tensor, "layer head"]:
    """The induction score (as in `induction_score`) of every head of every layer.

    `tokens` is `[BOS, r, r]` data with len(r) = seq_len. Computed with a forward hook
    on each layer's attention pattern during one `model.run_with_hooks` call — not with
    `run_with_cache`. Returns float32 of shape (n_layers, n_heads).
    """
    scores = torch.zeros(model.cfg.n_layers, model.cfg.n_heads)

    def score_hook(pattern: Float[Tensor, "batch head pos pos"], hook: HookPoint) -> None:
        scores[hook.layer()] = induction_score(pattern.float(), seq_len)

    model.run_with_hooks(
        tokens, return_type=None,
        fwd_hooks=[(lambda name: name.endswith("attn.hook_pattern"), score_hook)],
    )
    return scores


# %%
arena_check.check("1.2", "induction_scores_by_hook", induction_scores_by_hook)


# %% [markdown]
# Now the targets: your functions on fresh data, for both models, next to the same quantities from
# `arena_check.kit.interp_metrics` (written independently) as a cross-check. SmolLM2 gets 4
# sequences of 2 × 50 tokens, drawn from its first 20 000 non-special ids (this cell takes about
# 5–10 s: two forward passes of SmolLM2).

# %% [markdown]
# ## Part 4 · Direct logit attribution and ablation
#
# Scores say where heads *look*. Two more tools say what they *do* to the output.
#
# **Direct logit attribution.** The residual stream at the last layer is a sum: the token
# embedding plus every head's output (plus biases). Each head's output is
# $z_h W_O^h$, with $z_h$ = `cache["z", layer][:, :, h]`. The final layer norm is not linear, but
# once you take the scale it actually used from the cache (`cache["ln_final.hook_scale"]`, one
# number per position) it becomes linear — subtract the mean over `d_model` and divide by that
# scale — so the logit of a token is the sum of each term's normalised contribution, projected on
# that token's unembedding column. Forgetting the scale gives numbers in the wrong units, and
# ranks positions wrongly because the scale differs from position to position.
#
# ### Exercise 9 · `head_logit_attribution`
#
# > difficulty 4/5 · importance 5/5 · 20 min
#
# Attribute the logit of each correct next token to every head.
#
# <details><summary>Hint 1</summary>
#
# Per layer, `einsum(cache["z", layer], model.W_O[layer], "b p h d, h d m -> b p h m")` is every
# head's output in the residual stream.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Centre over `d_model`, divide by `cache["ln_final.hook_scale"]` (`[batch, pos, 1]`), drop the last
# position, and dot each vector with `model.W_U[:, tokens[b, p + 1]]` — index `W_U.T` with
# `tokens[:, 1:]` to get those columns as `[batch, pos-1, d_model]`.
#
# </details>

# %%
def head_logit_attribution(
    model: HookedTransformer, cache: ActivationCache, tokens: Int[Tensor, "batch pos"]
) -> Float[Tensor, "batch pos-1 layer head"]:
    """Each head's direct contribution to the logit of the correct next token.

    For position p (0 … pos - 2) and head (l, h): take the head's output
    z[b, p, h] @ W_O[l, h] (d_model), apply the final LayerNorm with its scale frozen —
    subtract the mean over d_model, divide by cache["ln_final.hook_scale"][b, p] — and
    dot it with W_U[:, tokens[b, p + 1]]. For a model whose final norm is LayerNorm or
    LNPre (centre, then divide by a scale) these numbers, plus the embedding's and the
    biases' terms, add up to the logit exactly.
    """
    target_dirs = model.W_U.T[tokens[:, 1:]]  # [batch, pos-1, d_model]
    scale = cache["ln_final.hook_scale"][:, :-1]  # [batch, pos-1, 1]
    per_layer = []
    for layer in range(model.cfg.n_layers):
        out = einsum(cache["z", layer][:, :-1], model.W_O[layer], "b p h d, h d m -> b p h m")
        out = (out - out.mean(dim=-1, keepdim=True)) / scale[..., None]
        per_layer.append(einsum(out, target_dirs, "b p h m, b p m -> b p h"))
    return torch.stack(per_layer, dim=2)


# %%
arena_check.check("1.2", "head_logit_attribution", head_logit_attribution)


# %% [markdown]
# ### Exercise 10 · `zero_ablate_head_hook`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# A hook that removes one head's output.
#
# <details><summary>Hint</summary>
#
# Index the head axis (the third), not the second. Return the tensor you changed.
#
# </details>

# %%
def zero_ablate_head_hook(
    z: Float[Tensor, "batch pos head d_head"], hook: HookPoint, head: int
) -> Float[Tensor, "batch pos head d_head"]:
    """Forward hook for `blocks.{layer}.attn.hook_z`: head `head`'s z becomes 0.

    Every other head is untouched. Returns the activation the model should use from
    here on (editing `z` in place and returning it is fine).
    """
    z[:, :, head] = 0.0
    return z


# %%
arena_check.check("1.2", "zero_ablate_head_hook", zero_ablate_head_hook)


# %% [markdown]
# ### Exercise 11 · `mean_ablate_head_hook`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# A hook that replaces one head's output by its mean over the batch.
#
# <details><summary>Hint</summary>
#
# `z[:, :, head].mean(dim=0, keepdim=True)` keeps the position axis: position 0's mean is not
# position 30's. Broadcasting writes it into every batch element.
#
# </details>

# %%
def mean_ablate_head_hook(
    z: Float[Tensor, "batch pos head d_head"], hook: HookPoint, head: int
) -> Float[Tensor, "batch pos head d_head"]:
    """Forward hook for `hook_z`: head `head`'s z becomes its mean over the batch.

    The mean is taken over the batch axis only, separately for every position and
    every d_head component, and the same mean is used for every batch element. Other
    heads are untouched. Returns the activation the model should use.
    """
    z[:, :, head] = z[:, :, head].mean(dim=0, keepdim=True)
    return z


# %%
arena_check.check("1.2", "mean_ablate_head_hook", mean_ablate_head_hook)


# %% [markdown]
# ### Exercise 12 · `repeat_loss`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The model's mean loss on the repeated half, optionally with hooks applied.
#
# <details><summary>Hint</summary>
#
# `per_token_loss(model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks)), tokens)` is
# `[batch, 2 * seq_len]`; its column $p$ scores the prediction of token $p + 1$. Which columns predict
# tokens $r_2 … r_L$ of the second copy?
#
# </details>

# %%
def repeat_loss(
    model: HookedTransformer,
    tokens: Int[Tensor, "batch pos"],
    seq_len: int,
    fwd_hooks: Sequence[tuple[str | Callable, Callable]] = (),
) -> Float[Tensor, ""]:
    """Mean next-token loss (nats) on the second copy of `[BOS, r, r]` data.

    Averages the losses of predicting the tokens at positions seq_len + 2 … 2 * seq_len
    (r_2 … r_L of the repeat) over the batch: the repeat's first token is left out,
    since nothing before it says the sequence will start over. `fwd_hooks` (TransformerLens
    (name, fn) pairs) are active during the forward pass. Returns a 0-dim tensor.
    """
    logits = model.run_with_hooks(tokens, fwd_hooks=list(fwd_hooks))
    return per_token_loss(logits, tokens)[:, seq_len + 1:].mean()


# %%
arena_check.check("1.2", "repeat_loss", repeat_loss)


# %% [markdown]
# The next cell runs attn-only-2l nine times and SmolLM2 three times (about 5 s, more on a busy
# machine).

# %% [markdown]
# ## Part 5 · Circuits in the weights
#
# Everything so far needed inputs. Elhage et al. (2021) showed that an attention head can also be
# read from its weights alone, as two independent bilinear maps (in TransformerLens's row-vector
# convention, where a residual vector $x$ is a row):
#
# - the **QK circuit** $W_{QK} = W_Q W_K^\top$ (`d_model × d_model`): the attention score
#   between a query residual $x_q$ and a key residual $x_k$ is $x_q W_{QK} x_k^\top$ — *where* the
#   head looks;
# - the **OV circuit** $W_{OV} = W_V W_O$ (`d_model × d_model`): a key position's residual
#   $x_k$ contributes $x_k W_{OV}$ to the output, weighted by attention — *what* the head moves.
#
# Each is a product of two thin matrices (through `d_head`). `FactoredMatrix(A, B)` keeps the
# factors and does the algebra on them: `.AB` gives the product, `@` with another matrix multiplies
# on the small side, and norms and eigenvalues come out cheaply.
#
# ### Exercise 13 · `ov_circuit`
#
# > difficulty 2/5 · importance 4/5 · 5 min
#
# A head's OV matrix as a `FactoredMatrix`.
#
# <details><summary>Hint</summary>
#
# The value of a row vector is $x W_V$; the head writes $z W_O$. Which factor comes first?
#
# </details>

# %%
def ov_circuit(model: HookedTransformer, layer: int, head: int) -> FactoredMatrix:
    """W_OV = W_V[layer, head] @ W_O[layer, head] (d_model × d_model), factored.

    Row-vector convention: a residual row x at a key position contributes x @ W_OV to
    the head's output. Biases are left out.
    """
    return FactoredMatrix(model.W_V[layer, head], model.W_O[layer, head])


# %%
arena_check.check("1.2", "ov_circuit", ov_circuit)


# %% [markdown]
# ### Exercise 14 · `qk_circuit`
#
# > difficulty 2/5 · importance 4/5 · 5 min
#
# A head's QK matrix as a `FactoredMatrix`.
#
# <details><summary>Hint</summary>
#
# The score is $q \cdot k = (x_q W_Q)(x_k W_K)^\top$.
#
# </details>

# %%
def qk_circuit(model: HookedTransformer, layer: int, head: int) -> FactoredMatrix:
    """W_QK = W_Q[layer, head] @ W_K[layer, head].T (d_model × d_model), factored.

    Row-vector convention: the attention score (before scaling) between query residual
    x_q and key residual x_k is x_q @ W_QK @ x_k.T. Biases are left out.
    """
    return FactoredMatrix(model.W_Q[layer, head], model.W_K[layer, head].T)


# %%
arena_check.check("1.2", "qk_circuit", qk_circuit)


# %% [markdown]
# ### Exercise 15 · `full_ov_circuit`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The full OV circuit of a head that reads the token embedding: which token, if attended to, raises
# which output logit.
#
# In attn-only-2l the residual stream at a layer-1 key position contains the token embedding
# $W_E$ directly. An induction head that copies should map each token to its own logit:
# $W_E W_{OV} W_U$ (`d_vocab × d_vocab`) should be large on the diagonal.
#
# <details><summary>Hint</summary>
#
# Multiply a `FactoredMatrix` by plain matrices on either side with `@`; it stays factored.
#
# </details>

# %%
def full_ov_circuit(model: HookedTransformer, layer: int, head: int) -> FactoredMatrix:
    """W_E @ W_OV @ W_U (d_vocab × d_vocab) for head (layer, head), factored.

    Row t: the change in every output logit when the head attends fully to a position
    holding token t (through the embedding alone; layer norm and biases left out).
    """
    return model.W_E @ ov_circuit(model, layer, head) @ model.W_U


# %%
arena_check.check("1.2", "full_ov_circuit", full_ov_circuit)


# %% [markdown]
# ### Exercise 16 · `top1_diagonal_fraction`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# How often a token's own logit is the one a `d_vocab × d_vocab` circuit raises most.
#
# <details><summary>Hint</summary>
#
# `argmax` over the output axis (the last), compared with `torch.arange`. A `FactoredMatrix`'s
# product is `.AB`.
#
# </details>

# %%
def top1_diagonal_fraction(circuit: FactoredMatrix) -> Float[Tensor, ""]:
    """Fraction of rows t whose largest entry is in column t (ties: argmax's first).

    `circuit` is square, rows = input tokens, columns = output logits. A 0-dim float
    tensor in [0, 1]; 1.0 for a perfect copier.
    """
    product = circuit.AB
    hits = product.argmax(dim=-1) == torch.arange(product.shape[0], device=product.device)
    return hits.float().mean()


# %%
arena_check.check("1.2", "top1_diagonal_fraction", top1_diagonal_fraction)


# %% [markdown]
# ### Exercise 17 · `positional_qk_pattern`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# The attention pattern a head would have if queries and keys came from positional embeddings only.
#
# <details><summary>Hint</summary>
#
# `W_pos @ qk_circuit(…) @ W_pos.T` is `[n_ctx, n_ctx]` (multiply a `FactoredMatrix` and take
# `.AB`). Then scale, mask and softmax as in Exercise 1.
#
# </details>

# %%
def positional_qk_pattern(
    model: HookedTransformer, layer: int, head: int
) -> Float[Tensor, "n_ctx n_ctx"]:
    """softmax over keys of W_pos @ W_QK @ W_pos.T / cfg.attn_scale, causally masked.

    Row i is query position i, column j key position j; entries with j > i are exactly
    0 and each row sums to 1. Biases and layer norm are left out.
    """
    scores = (model.W_pos @ qk_circuit(model, layer, head) @ model.W_pos.T).AB
    scores = scores / model.cfg.attn_scale
    n = scores.shape[-1]
    future = torch.triu(torch.ones(n, n, dtype=torch.bool, device=scores.device), diagonal=1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1)


# %%
arena_check.check("1.2", "positional_qk_pattern", positional_qk_pattern)


# %% [markdown]
# ### Exercise 18 · `composition_score`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The composition score of two matrices.
#
# <details><summary>Hint</summary>
#
# `torch.linalg.matrix_norm` is the Frobenius norm by default. Normalise by *both* factors' norms.
#
# </details>

# %%
def composition_score(
    w_a: Float[Tensor, "d_model d_model"], w_b: Float[Tensor, "d_model d_model"]
) -> Float[Tensor, ""]:
    """||w_a @ w_b||_F / (||w_a||_F * ||w_b||_F) as a 0-dim tensor.

    Invariant to rescaling either matrix; at most 1. w_a is the earlier head's output
    map, w_b the later head's reading map (row-vector convention: w_a acts first).
    """
    fro = torch.linalg.matrix_norm
    return fro(w_a @ w_b) / (fro(w_a) * fro(w_b))


# %%
arena_check.check("1.2", "composition_score", composition_score)


# %% [markdown]
# ### Exercise 19 · `k_composition_scores`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# K-composition between every layer-0 head and every layer-1 head.
#
# <details><summary>Hint</summary>
#
# `w_a` is the layer-0 head's OV circuit, `w_b` the layer-1 head's QK circuit *transposed*. Take
# `.AB` of each `FactoredMatrix` to get plain matrices.
#
# </details>

# %%
def k_composition_scores(
    model: HookedTransformer, src_layer: int = 0, dst_layer: int = 1
) -> Float[Tensor, "src_head dst_head"]:
    """out[i, j] = composition_score(W_OV of (src_layer, i), W_QK of (dst_layer, j), transposed).

    How strongly the keys of head j in dst_layer read what head i in src_layer writes.
    float32, shape (n_heads, n_heads).
    """
    n = model.cfg.n_heads
    out = torch.zeros(n, n)
    for i in range(n):
        w_ov = ov_circuit(model, src_layer, i).AB
        for j in range(n):
            w_qk = qk_circuit(model, dst_layer, j).AB
            out[i, j] = composition_score(w_ov, w_qk.T)
    return out


# %%
arena_check.check("1.2", "k_composition_scores", k_composition_scores)

# %% [markdown]
# ## Summary
#
# - `run_with_cache` returns every activation by hook name; `run_with_hooks` runs functions at
#   chosen hooks, which either observe (return nothing) or replace (return a tensor, or edit in
#   place). Rebuilding a cached activation by hand checks that you know what it means.
# - Attention detectors average the weight on one target position per query: the diagonal
#   (current token), the first sub-diagonal (previous token), column 0 (first token), and, on
#   `[BOS, r, r]` data, the stripe $L - 1$ below the diagonal in the second copy (induction).
# - Direct logit attribution splits a logit into per-head terms once the final layer norm's scale
#   is frozen; ablation measures total (direct and indirect) effects. Heads with a small direct
#   effect can be essential.
# - A head is two low-rank maps: QK (where it looks) and OV (what it moves). `FactoredMatrix` keeps
#   them factored. The full OV circuit shows copying; positional QK shows a previous-token head;
#   composition scores, read against a random baseline, show which heads feed which.
#
# ## Further reading
#
# - Elhage et al., [A Mathematical Framework for Transformer
#   Circuits](https://transformer-circuits.pub/2021/framework/index.html) (2021) — QK and OV
#   circuits, composition, and the two-layer attention-only model this section imitates.
# - Olsson et al., [In-context Learning and Induction
#   Heads](https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html)
#   (2022) — induction heads in models of every size, and the phase change in which they form.
# - Vaswani et al., [Attention Is All You Need](https://arxiv.org/abs/1706.03762) (2017) — the
#   transformer and scaled dot-product attention.
# - Radford et al., [Language Models are Unsupervised Multitask
#   Learners](https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf)
#   (2019) — GPT-2, the model most of this literature studies.
# - Nanda and Bloom, [TransformerLens](https://github.com/TransformerLensOrg/TransformerLens) — the
#   library used here; its documentation explains hooks, caches and `FactoredMatrix`.
# - Allal et al., [SmolLM2: When Smol Goes Big](https://arxiv.org/abs/2502.02737) (2025) — the
#   pretrained model used on this page.
# - Press et al., [Shortformer: Better Language Modeling using Shorter
#   Inputs](https://arxiv.org/abs/2012.15832) (2021) — positional embeddings added to queries and
#   keys only, as in attn-only-2l.
