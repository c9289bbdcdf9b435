"""GENERATED from book/1_transformer_interp/1.2_intro_to_mech_interp.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


from collections.abc import Callable, Sequence

import torch
from einops import einsum
from jaxtyping import Float, Int
from torch import Tensor
from transformer_lens import ActivationCache, FactoredMatrix, HookedTransformer
from transformer_lens.hook_points import HookPoint

import arena_check


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


def current_token_score(
    pattern: Float[Tensor, "batch head query key"],
) -> Float[Tensor, " head"]:
    """Mean of pattern[b, h, i, i] over the batch and every query position i.

    One score per head, in [0, 1]: 1.0 for a head that only ever attends to its own
    position.
    """
    return pattern.diagonal(dim1=-2, dim2=-1).mean(dim=(0, 2))


def prev_token_score(
    pattern: Float[Tensor, "batch head query key"],
) -> Float[Tensor, " head"]:
    """Mean of pattern[b, h, i, i - 1] over the batch and query positions i >= 1.

    Position 0 has no previous token and is left out. One score per head; a perfect
    previous-token head scores 1.0.
    """
    return pattern.diagonal(offset=-1, dim1=-2, dim2=-1).mean(dim=(0, 2))


def first_token_score(
    pattern: Float[Tensor, "batch head query key"],
) -> Float[Tensor, " head"]:
    """Mean of pattern[b, h, i, 0] over the batch and query positions i >= 1.

    Query 0 can see only key 0, so its weight there is always 1 and says nothing about
    the head: leave it out. One score per head.
    """
    return pattern[:, :, 1:, 0].mean(dim=(0, 2))


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


def per_token_loss(
    logits: Float[Tensor, "batch pos d_vocab"], tokens: Int[Tensor, "batch pos"]
) -> Float[Tensor, "batch pos-1"]:
    """Cross-entropy (nats) of predicting tokens[:, p + 1] from logits[:, p].

    out[b, p] = -log softmax(logits[b, p])[tokens[b, p + 1]] for p = 0 … pos - 2. The last
    position's logits predict nothing in the sequence and are left out.
    """
    logprobs = logits[:, :-1].log_softmax(dim=-1)
    return -logprobs.gather(dim=-1, index=tokens[:, 1:, None]).squeeze(-1)


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


def zero_ablate_head_hook(
    z: Float[Tensor, "batch pos head d_head"], hook: HookPoint, head: int
) -> Float[Tensor, "batch pos head d_head"]:
    """Forward hook for `blocks.{layer}.attn.hook_z`: head `head`'s z becomes 0.

    Every other head is untouched. Returns the activation the model should use from
    here on (editing `z` in place and returning it is fine).
    """
    z[:, :, head] = 0.0
    return z


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


def ov_circuit(model: HookedTransformer, layer: int, head: int) -> FactoredMatrix:
    """W_OV = W_V[layer, head] @ W_O[layer, head] (d_model × d_model), factored.

    Row-vector convention: a residual row x at a key position contributes x @ W_OV to
    the head's output. Biases are left out.
    """
    return FactoredMatrix(model.W_V[layer, head], model.W_O[layer, head])


def qk_circuit(model: HookedTransformer, layer: int, head: int) -> FactoredMatrix:
    """W_QK = W_Q[layer, head] @ W_K[layer, head].T (d_model × d_model), factored.

    Row-vector convention: the attention score (before scaling) between query residual
    x_q and key residual x_k is x_q @ W_QK @ x_k.T. Biases are left out.
    """
    return FactoredMatrix(model.W_Q[layer, head], model.W_K[layer, head].T)


def full_ov_circuit(model: HookedTransformer, layer: int, head: int) -> FactoredMatrix:
    """W_E @ W_OV @ W_U (d_vocab × d_vocab) for head (layer, head), factored.

    Row t: the change in every output logit when the head attends fully to a position
    holding token t (through the embedding alone; layer norm and biases left out).
    """
    return model.W_E @ ov_circuit(model, layer, head) @ model.W_U


def top1_diagonal_fraction(circuit: FactoredMatrix) -> Float[Tensor, ""]:
    """Fraction of rows t whose largest entry is in column t (ties: argmax's first).

    `circuit` is square, rows = input tokens, columns = output logits. A 0-dim float
    tensor in [0, 1]; 1.0 for a perfect copier.
    """
    product = circuit.AB
    hits = product.argmax(dim=-1) == torch.arange(product.shape[0], device=product.device)
    return hits.float().mean()


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


def composition_score(
    w_a: Float[Tensor, "d_model d_model"], w_b: Float[Tensor, "d_model d_model"]
) -> Float[Tensor, ""]:
    """||w_a @ w_b||_F / (||w_a||_F * ||w_b||_F) as a 0-dim tensor.

    Invariant to rescaling either matrix; at most 1. w_a is the earlier head's output
    map, w_b the later head's reading map (row-vector convention: w_a acts first).
    """
    fro = torch.linalg.matrix_norm
    return fro(w_a @ w_b) / (fro(w_a) * fro(w_b))


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
