"""GENERATED from book/1_transformer_interp/1.3_indirect_object_identification.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import re
from collections.abc import Sequence

import torch
from einops import einsum
from jaxtyping import Float, Int
from torch import Tensor
from transformer_lens import HookedTransformer
from transformer_lens.hook_points import HookPoint

import arena_check
from arena_check.kit import ioi


def abc_corrupt(text: str, s: str, c: str) -> str:
    """The ABC twin of an IOI prompt: the *second* mention of the subject ``s`` replaced by ``c``.

    Names match as whole words ("Dan" does not match inside "Daniel"). Everything except the
    second mention is kept character for character. Raises ValueError unless ``s`` occurs exactly
    twice as a word.
    """
    matches = list(re.finditer(rf"\b{re.escape(s)}\b", text))
    if len(matches) != 2:
        raise ValueError(f"{s!r} occurs {len(matches)} times as a word in {text!r}; expected 2")
    second = matches[1]
    return text[: second.start()] + c + text[second.end():]


def logit_diff(
    logits: Float[Tensor, "batch pos d_vocab"],
    end: Int[Tensor, " batch"],
    io_ids: Int[Tensor, " batch"],
    s_ids: Int[Tensor, " batch"],
) -> Float[Tensor, " batch"]:
    """logits[b, end[b], io_ids[b]] − logits[b, end[b], s_ids[b]] for each prompt b.

    Positive when the model prefers the indirect object. ``end[b]`` is prompt b's last real
    token (rows are right-padded). Does not modify ``logits``.
    """
    rows = torch.arange(logits.shape[0])
    final = logits[rows, end]
    return final[rows, io_ids] - final[rows, s_ids]


def patching_metric(
    ld_patched: Float[Tensor, "..."], ld_clean: float, ld_corrupted: float
) -> Float[Tensor, "..."]:
    """(ld_patched − ld_corrupted) / (ld_clean − ld_corrupted), elementwise, any shape.

    0 where the patch changes nothing, 1 where it restores the clean logit difference fully;
    negative where it pushes further from clean than the corrupted run. Does not modify inputs.
    """
    return (ld_patched - ld_corrupted) / (ld_clean - ld_corrupted)


def logit_diff_directions(
    W_U: Float[Tensor, "d_model d_vocab"], io_ids: Int[Tensor, " batch"], s_ids: Int[Tensor, " batch"]
) -> Float[Tensor, "batch d_model"]:
    """Row b is W_U[:, io_ids[b]] − W_U[:, s_ids[b]]: dotting a normalised final residual vector
    with it gives that prompt's IO − S logit difference (minus the unembedding bias's share)."""
    return (W_U[:, io_ids] - W_U[:, s_ids]).T


def head_dla(
    z_end: Float[Tensor, "batch layer head d_head"],
    W_O: Float[Tensor, "layer head d_head d_model"],
    final_scale: Float[Tensor, " batch"],
    directions: Float[Tensor, "batch d_model"],
) -> Float[Tensor, "batch layer head"]:
    """Direct logit attribution of each head at the final position, through an RMSNorm.

    Entry [b, l, h] = (z_end[b, l, h] @ W_O[l, h]) · directions[b] / final_scale[b], where
    final_scale is the final RMSNorm's scale recorded in the run (no centring: RMSNorm has none).
    """
    out = einsum(z_end, W_O, "b l h d, l h d m -> b l h m")
    return einsum(out, directions, "b l h m, b m -> b l h") / final_scale[:, None, None]


def patch_resid_hook(
    resid: Float[Tensor, "batch pos d_model"],
    hook: HookPoint,
    clean_resid: Float[Tensor, "batch pos d_model"],
    positions: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos d_model"]:
    """resid with row b, position positions[b] taken from clean_resid; all else unchanged.

    Returns the tensor the model should continue with. Never modifies ``clean_resid`` (the cache
    it comes from is reused for every patch).
    """
    rows = torch.arange(resid.shape[0])
    resid = resid.clone()
    resid[rows, positions] = clean_resid[rows, positions]
    return resid


def patch_head_hook(
    z: Float[Tensor, "batch pos head d_head"],
    hook: HookPoint,
    clean_z: Float[Tensor, "batch pos head d_head"],
    head: int,
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, "batch pos head d_head"]:
    """z with head ``head`` taken from clean_z: at every position if ``positions`` is None, else
    only at (b, positions[b]). Other heads and positions unchanged; ``clean_z`` never modified."""
    z = z.clone()
    if positions is None:
        z[:, :, head] = clean_z[:, :, head]
    else:
        rows = torch.arange(z.shape[0])
        z[rows, positions, head] = clean_z[rows, positions, head]
    return z


def patch_head_logit_diff(
    model: HookedTransformer,
    batch: ioi.IOIBatch,
    clean_z: Float[Tensor, "batch pos head d_head"],
    layer: int,
    head: int,
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, " batch"]:
    """IO − S logit difference of each prompt when the model runs on ``batch.corrupted_tokens``
    with head (layer, head)'s ``hook_z`` patched from ``clean_z`` (the clean run's hook_z of
    that layer) at ``positions`` (all positions if None). Leaves no hook attached."""
    hook = lambda z, hook: patch_head_hook(z, hook, clean_z, head, positions)  # noqa: E731
    resid = model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=model.cfg.n_layers,
                                 fwd_hooks=[(f"blocks.{layer}.attn.hook_z", hook)])
    return ioi.final_logit_diff(model, resid, batch)


def corrupted_z_and_grads(
    model: HookedTransformer, batch: ioi.IOIBatch
) -> tuple[Float[Tensor, "layer batch pos head d_head"], Float[Tensor, "layer batch pos head d_head"]]:
    """hook_z of every layer on ``batch.corrupted_tokens``, and the gradient of the *mean* IO − S
    logit difference (over the batch, at each prompt's END) with respect to each of them.

    Both results are detached (no autograd graph). The model's parameters get no gradient, and no
    hook is left attached. Works with gradients globally off.
    """
    store: dict[str, Tensor] = {}

    def leaf(embed: Tensor, hook: HookPoint) -> Tensor:
        return embed.detach().requires_grad_(True)  # so every later activation is in the graph

    def keep(z: Tensor, hook: HookPoint) -> None:
        store[hook.name] = z

    names = [f"blocks.{layer}.attn.hook_z" for layer in range(model.cfg.n_layers)]
    with torch.enable_grad():
        resid = model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=model.cfg.n_layers,
                                     fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names])
        metric = ioi.final_logit_diff(model, resid, batch).mean()
        grads = torch.autograd.grad(metric, [store[n] for n in names])  # no parameter .grad touched
    z = torch.stack([store[n].detach() for n in names])
    return z, torch.stack(grads).detach()


def attribution_scores(
    clean_z: Float[Tensor, "layer batch pos head d_head"],
    corrupt_z: Float[Tensor, "layer batch pos head d_head"],
    grads: Float[Tensor, "layer batch pos head d_head"],
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, "layer head"]:
    """Estimated change in the metric from patching each head clean → corrupted:
    Σ (clean_z − corrupt_z) · grads, summed over d_head, over the batch, and over every position
    (positions None) or only over (b, positions[b]). ``grads`` are gradients of the metric at the
    corrupted run, so the batch is summed, not averaged."""
    delta = (clean_z - corrupt_z) * grads
    if positions is not None:
        rows = torch.arange(delta.shape[1])
        delta = delta[:, rows, positions]  # [layer, batch, head, d_head]
        return delta.sum(dim=(1, 3))
    return delta.sum(dim=(1, 2, 4))


def pearson(x: Float[Tensor, "..."], y: Float[Tensor, "..."]) -> Float[Tensor, ""]:
    """Pearson correlation of x and y flattened (same number of elements, at least two, neither
    constant): covariance over the product of standard deviations. A 0-dim float tensor."""
    x, y = x.flatten().double(), y.flatten().double()
    x, y = x - x.mean(), y - y.mean()
    return ((x * y).sum() / (x.norm() * y.norm())).float()


def path_patch_inputs(
    model: HookedTransformer,
    batch: ioi.IOIBatch,
    clean_z: Float[Tensor, "layer batch pos head d_head"],
    corrupt_z: Float[Tensor, "layer batch pos head d_head"],
    senders: Sequence[tuple[int, int]],
    receiver_layers: Sequence[int],
    component: str = "q",
) -> dict[int, Float[Tensor, "batch pos slot d_model"]]:
    """Step 1 of path patching: the receivers' ``component`` inputs ("q", "k" or "v") when the model
    runs on the *clean* prompts (``batch.tokens``) with every head's hook_z frozen at ``clean_z``
    except the senders (layer, head), which take ``corrupt_z``; MLPs and norms are recomputed.

    Returns {layer: blocks.{layer}.hook_{component}_input} for each layer in ``receiver_layers``:
    every position and every slot (query heads for "q", key/value groups for "k" and "v"), detached.
    Needs ``model.set_use_split_qkv_input(True)``. Leaves no hook attached.
    """
    by_layer: dict[int, list[int]] = {}
    for layer, head in senders:
        by_layer.setdefault(layer, []).append(head)

    def freeze(z: Tensor, hook: HookPoint) -> Tensor:
        layer = hook.layer()
        out = clean_z[layer].clone()
        heads = by_layer.get(layer, [])
        out[:, :, heads] = corrupt_z[layer][:, :, heads]
        return out

    store: dict[int, Tensor] = {}

    def record(x: Tensor, hook: HookPoint) -> None:
        store[hook.layer()] = x.detach().clone()

    last = max(receiver_layers)
    hooks = [(f"blocks.{layer}.attn.hook_z", freeze) for layer in range(last)]
    hooks += [(f"blocks.{layer}.hook_{component}_input", record) for layer in receiver_layers]
    model.run_with_hooks(batch.tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
    return {layer: store[layer] for layer in receiver_layers}


def patch_receivers_logit_diff(
    model: HookedTransformer,
    batch: ioi.IOIBatch,
    inputs: dict[int, Float[Tensor, "batch pos slot d_model"]],
    receivers: Sequence[tuple[int, int]],
    component: str = "q",
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, " batch"]:
    """Step 2 of path patching: IO − S logit difference of each prompt when the model runs on the
    *clean* prompts with only the receivers' ``component`` inputs taken from ``inputs`` (step 1's
    result, keyed by layer), at (b, positions[b]) — every position if None. Everything else
    runs freely.

    A receiver (layer, head) is a query head. Its slot in hook_q_input is ``head``; in hook_k_input
    and hook_v_input it is its key/value group, head // (n_heads // n_key_value_heads), shared with
    the other query heads of the group. Needs ``model.set_use_split_qkv_input(True)``. Leaves no
    hook attached.
    """
    per_group = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
    slots: dict[int, set[int]] = {}
    for layer, head in receivers:
        slots.setdefault(layer, set()).add(head // per_group)
    rows = torch.arange(batch.tokens.shape[0])

    def patch(x: Tensor, hook: HookPoint) -> Tensor:
        x = x.clone()
        source = inputs[hook.layer()]
        for slot in sorted(slots[hook.layer()]):
            if positions is None:
                x[:, :, slot] = source[:, :, slot]
            else:
                x[rows, positions, slot] = source[rows, positions, slot]
        return x

    hooks = [(f"blocks.{layer}.hook_{component}_input", patch) for layer in slots]
    resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
    return ioi.final_logit_diff(model, resid, batch)


def top_k_heads(scores: Float[Tensor, "layer head"], k: int) -> list[tuple[int, int]]:
    """The k (layer, head) pairs with the largest |score|, largest first, as Python ints; equal
    |score|s in row-major order (layer, then head). Negative effects count by their size: a head
    that hurts the task is part of the mechanism."""
    flat = scores.abs().flatten().argsort(descending=True, stable=True)[:k]
    n_heads = scores.shape[1]
    return [(int(i) // n_heads, int(i) % n_heads) for i in flat]


def reference_means(
    z_ref: Float[Tensor, "n_ref pos head d_head"],
    ref_groups: Int[Tensor, " n_ref"],
    groups: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos head d_head"]:
    """Row b is the mean of z_ref over the reference rows of b's group (ref_groups == groups[b]),
    separately at every position, head and feature. Raises ValueError if a group in ``groups``
    has no reference row. Does not modify its inputs."""
    out = torch.empty((len(groups), *z_ref.shape[1:]), dtype=z_ref.dtype)
    for g in groups.unique():
        mask = ref_groups == g
        if not mask.any():
            raise ValueError(f"group {int(g)} has no reference rows")
        out[groups == g] = z_ref[mask].mean(0)
    return out


def circuit_hook(
    z: Float[Tensor, "batch pos head d_head"],
    hook: HookPoint,
    means: Float[Tensor, "batch pos head d_head"],
    keep: Sequence[int],
) -> Float[Tensor, "batch pos head d_head"]:
    """z with every head *not* in ``keep`` replaced by ``means`` (at all positions); the heads in
    ``keep`` unchanged. ``keep`` may be empty (ablate the whole layer). ``means`` never modified."""
    out = means.clone()
    out[:, :, list(keep)] = z[:, :, list(keep)]
    return out
