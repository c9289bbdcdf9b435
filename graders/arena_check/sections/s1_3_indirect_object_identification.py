"""Checks for section 1.3 — indirect object identification in SmolLM2.

The exercises that run a model are graded on a *tiny* Llama-style ``HookedTransformer`` built here
with seeded random weights (a fixture): 3 layers, 4 query heads sharing 2 key/value heads
(grouped-query attention), rotary positions, RMSNorm, a gated SiLU MLP, a random unembedding bias
— the same architecture as SmolLM2-135M, small enough that a forward pass takes milliseconds. Its
"IOI batches" are random tokens with chosen IO/S ids and positions (:func:`_batch`), right-padded
rows of different lengths, so a metric read at the last column instead of each prompt's END is
wrong. The other exercises are graded on small seeded tensors.

Each check aims at a class of mistake: the wrong mention replaced or substring matches
(corruption), the wrong sign or position (logit difference), patching the clean run instead of the
corrupted one, a patch applied to every row's positions at once, an axis mix-up on square inputs,
in-place edits of a cache that is reused, zero instead of mean ablation, a mean over the wrong
rows, gradients of the sum instead of the mean, results still attached to the autograd graph,
parameters' ``.grad`` filled as a side effect, hooks left attached.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor

from arena_check.kit import ioi
from arena_check.reference import s1_3_indirect_object_identification as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randint,
    randn,
    seeded,
)

SECTION = "1.3"


# ------------------------------------------------------------------------------------------
# Fixture and input builders
# ------------------------------------------------------------------------------------------
@fixture(SECTION)
def _tiny():
    """3 layers × 4 heads (2 KV heads), d_model 16, d_head 4, RMSPre, rotary, gated SiLU MLP,
    vocabulary 40, seeded weights of std 0.4 (attention far from uniform), a random b_U."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg = HookedTransformerConfig(
        n_layers=3, d_model=16, n_heads=4, d_head=4, n_key_value_heads=2, d_mlp=24, d_vocab=40,
        n_ctx=24, act_fn="silu", gated_mlp=True, normalization_type="RMSPre", final_rms=True,
        positional_embedding_type="rotary", rotary_dim=4, init_weights=False, device="cpu",
        default_prepend_bos=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TransformerLens 3's notice about 4.0
        model = HookedTransformer(cfg)
    gen = seeded(1303)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.4)
    model.eval()
    return model


def tiny():
    """The tiny model with no hook left attached by an earlier call in the same process."""
    model = _tiny()
    model.reset_hooks(including_permanent=True)
    return model


def _batch(lengths: list[int], *, seed: int, vocab: int = 40) -> ioi.IOIBatch:
    """Random clean and corrupted token rows of the given lengths, right-padded with token 0.

    Each row has an IO id and an S id (distinct) and positions IO < S1 < S2 < END = length − 1;
    the corrupted row differs from the clean one at S2 only.
    """
    gen = seeded(seed)
    n, width = len(lengths), max(lengths)
    tokens = torch.zeros(n, width, dtype=torch.long)
    corrupt = torch.zeros(n, width, dtype=torch.long)
    io_ids, s_ids, pos = [], [], {"IO": [], "S1": [], "S2": [], "END": []}
    for b, length in enumerate(lengths):
        row = torch.randint(1, vocab, (length,), generator=gen)
        io, s, c = (torch.randperm(vocab - 1, generator=gen)[:3] + 1).tolist()
        p_io, p_s1, p_s2 = 1, 2 + b % 2, length - 2 - b % 2
        row[p_io], row[p_s1], row[p_s2] = io, s, s
        tokens[b, :length] = row
        corrupt[b, :length] = row
        corrupt[b, p_s2] = c
        io_ids.append(io)
        s_ids.append(s)
        for key, value in zip(("IO", "S1", "S2", "END"), (p_io, p_s1, p_s2, length - 1), strict=True):
            pos[key].append(value)
    return ioi.IOIBatch(
        tokens=tokens, corrupted_tokens=corrupt, io_ids=torch.tensor(io_ids), s_ids=torch.tensor(s_ids),
        positions={k: torch.tensor(v) for k, v in pos.items()}, templates=torch.tensor([n % 2 for n in lengths]),
    )


def _z_cache(model, tokens: Tensor) -> dict[int, Tensor]:
    with torch.no_grad():
        _, cache = model.run_with_cache(tokens, names_filter=lambda n: n.endswith("hook_z"))
    return {layer: cache["z", layer] for layer in range(model.cfg.n_layers)}


def _hook_result(fn, act: Tensor, *args, name: str, context: str, **kwargs) -> Tensor:
    """Call a hook directly on a copy of ``act``; its result is the returned tensor, or (None) its
    in-place edit. Other arguments are checked for in-place edits (caches are reused)."""
    act = act.clone()
    before = act.clone()
    snap = [a.clone() if isinstance(a, Tensor) else a for a in args]
    try:
        out = fn(act, None, *args, **kwargs)
    except CheckFailed:
        raise
    except Exception as e:  # noqa: BLE001 — the learner's hook: report it with its input
        raise CheckFailed(f"For {context}: `{name}` raised {type(e).__name__}: {e}") from None
    for i, (old, new) in enumerate(zip(snap, args, strict=True)):
        if isinstance(old, Tensor) and not torch.equal(old, new):
            raise CheckFailed(
                f"For {context}: `{name}` changed its argument #{i + 3} ({tuple(new.shape)}) in place. "
                "That tensor comes from a cache that is reused for every patch: index it, never assign into it "
                "(clone the activation you return instead)."
            )
    if out is None and torch.equal(act, before):
        raise CheckFailed(
            f"For {context}: `{name}` returned None and left the activation unchanged, so the model "
            "would run on as if nothing happened. Return the patched tensor."
        )
    return act if out is None else out


# ------------------------------------------------------------------------------------------
# Part 1 · prompts and the metric
# ------------------------------------------------------------------------------------------
@check(SECTION, "abc_corrupt", points=1)
def check_abc_corrupt(abc_corrupt) -> None:
    """Both name orders, names that are substrings of other words, punctuation, a longer C."""
    cases = [
        ("an ABBA prompt", ("When Mary and John went to the store, John gave a drink to", "John", "Tom")),
        ("a BABA prompt", ("When John and Mary went to the store, John gave a drink to", "John", "Tom")),
        ("S = 'Dan', with 'Daniel' and 'Dana' in the text",
         ("Daniel said Dana and Dan met. Later Dan gave a book to", "Dan", "Bob")),
        ("S followed by punctuation, C longer than S", ("Then, Kate and Tom left. Tom, tired, gave a towel to", "Tom", "Alexander")),
        ("S at the very start and right before the end", ("Anna met Paul, and then Anna", "Anna", "Sue")),
    ]
    for context, args in cases:
        got = call(abc_corrupt, *args, name="abc_corrupt", context=context)
        expect_equal(
            got, ref.abc_corrupt(*args), context=context,
            hint="replace only the *second* whole-word mention of s (keep the first; do not touch "
            "words that merely contain s, like 'Daniel' for 'Dan'); keep every other character.",
        )
    for context, args in [
        ("S mentioned three times", ("John met Mary. John saw John", "John", "Tom")),
        ("S mentioned once (only inside 'Johnson')", ("John met Johnson", "John", "Tom")),
    ]:
        try:
            got = abc_corrupt(*args)
        except ValueError:
            continue
        except Exception as e:  # noqa: BLE001
            raise CheckFailed(f"For {context}: expected ValueError, got {type(e).__name__}: {e}") from None
        raise CheckFailed(
            f"For {context} ({args[0]!r}): expected ValueError (the docstring asks for exactly two "
            f"whole-word mentions), got {got!r}."
        )


@check(SECTION, "logit_diff", points=2)
def check_logit_diff(logit_diff) -> None:
    """Right-padded batches where END differs per prompt; a batch of 1; IO and S ids swapped."""
    def case(batch: int, pos: int, vocab: int, seed: int) -> tuple:
        logits = randn(batch, pos, vocab, seed=seed)
        end = randint(pos, batch, seed=seed + 1, low=1)
        end[0] = pos - 2 if pos > 2 else 0  # at least one row whose END is not the last column
        ids = torch.stack([torch.randperm(vocab, generator=seeded(seed + 2 + b))[:2] for b in range(batch)])
        return logits, end, ids[:, 0].clone(), ids[:, 1].clone()

    cases: list[Case] = [
        ("4 prompts, 7 positions, END varies per prompt, vocab 11", case(4, 7, 11, 0)),
        ("5 prompts, 5 positions, vocab 5 (square-ish)", case(5, 5, 5, 10)),
        ("batch 1, END not the last column", case(1, 6, 9, 20)),
    ]
    compare_to_reference(
        logit_diff, ref.logit_diff, cases, name="logit_diff", exact=True,
        hint="per prompt b: logits[b, end[b], io_ids[b]] − logits[b, end[b], s_ids[b]] (IO minus S, "
        "positive when the model prefers IO), read at end[b], not at the last column (rows are "
        "right-padded); one number per prompt, not the mean.",
    )


@check(SECTION, "patching_metric", points=1)
def check_patching_metric(patching_metric) -> None:
    """Tensors of several shapes; a negative corrupted baseline; the two endpoints."""
    cases: list[Case] = [
        ("a [30, 9] grid of patched LDs, clean 3.6, corrupted −0.14",
         (randn(30, 9, seed=1) + 1.0, 3.6, -0.14)),
        ("a 0-dim tensor equal to the clean LD (expect 1)", (torch.tensor(2.5), 2.5, 0.5)),
        ("a 0-dim tensor equal to the corrupted LD (expect 0)", (torch.tensor(0.5), 2.5, 0.5)),
        ("a vector, corrupted LD −1.0, clean LD 1.0", (torch.tensor([-1.0, 0.0, 1.0, 3.0]), 1.0, -1.0)),
    ]
    compare_to_reference(
        patching_metric, ref.patching_metric, cases, name="patching_metric",
        hint="(ld_patched − ld_corrupted) / (ld_clean − ld_corrupted): 0 at the corrupted LD, 1 at the clean one.",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · direct logit attribution
# ------------------------------------------------------------------------------------------
@check(SECTION, "logit_diff_directions", points=1)
def check_logit_diff_directions(logit_diff_directions) -> None:
    """Square cases (batch = d_model), where a missing transpose keeps the shape."""
    cases: list[Case] = [
        ("W_U 4×10, batch 4 (square: batch = d_model)",
         (randn(4, 10, seed=3), torch.tensor([1, 7, 2, 9]), torch.tensor([0, 3, 8, 2]))),
        ("W_U 6×20, batch 3", (randn(6, 20, seed=4), torch.tensor([5, 5, 19]), torch.tensor([6, 0, 1]))),
        ("W_U 3×5, batch 1", (randn(3, 5, seed=5), torch.tensor([4]), torch.tensor([2]))),
    ]
    compare_to_reference(
        logit_diff_directions, ref.logit_diff_directions, cases, name="logit_diff_directions", exact=True,
        hint="row b is W_U[:, io_ids[b]] − W_U[:, s_ids[b]] — columns of W_U, IO minus S, shaped [batch, d_model].",
    )


@check(SECTION, "head_dla", points=2)
def check_head_dla(head_dla) -> None:
    """Random inputs with a different scale per prompt and uncentred directions; square sizes."""
    def case(batch: int, layers: int, heads: int, d_head: int, d_model: int, seed: int) -> tuple:
        return (
            randn(batch, layers, heads, d_head, seed=seed),
            randn(layers, heads, d_head, d_model, seed=seed + 1),
            torch.rand(batch, generator=seeded(seed + 2)) * 3 + 0.5,
            randn(batch, d_model, seed=seed + 3) + 0.7,
        )

    cases: list[Case] = [
        ("batch 3, 2 layers × 3 heads, d_head 4, d_model 6", case(3, 2, 3, 4, 6, 0)),
        ("all sizes 3 (square)", case(3, 3, 3, 3, 3, 10)),
        ("batch 1, 4 layers × 2 heads, d_head 5, d_model 8", case(1, 4, 2, 5, 8, 20)),
    ]
    compare_to_reference(
        head_dla, ref.head_dla, cases, name="head_dla", atol=1e-4, rtol=1e-4,
        hint="entry [b, l, h] = (z_end[b, l, h] @ W_O[l, h]) · directions[b], divided by final_scale[b] "
        "(divide, do not multiply; and no mean subtraction — RMSNorm does not centre).",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · activation patching
# ------------------------------------------------------------------------------------------
@check(SECTION, "patch_resid_hook", points=2, timeout=20)
def check_patch_resid_hook(patch_resid_hook) -> None:
    """Direct calls with a different position per row (square sizes), then inside a forward pass."""
    for i, (shape, positions) in enumerate([((3, 3, 3), [0, 2, 1]), ((4, 5, 6), [4, 1, 1, 3]), ((1, 4, 2), [2])]):
        context = f"resid of shape {shape}, positions {positions}"
        resid, clean = randn(*shape, seed=30 + i), randn(*shape, seed=40 + i)
        pos = torch.tensor(positions)
        got = _hook_result(patch_resid_hook, resid, clean, pos, name="patch_resid_hook", context=context)
        expect_tensor(
            got, ref.patch_resid_hook(resid.clone(), None, clean, pos), context=context, exact=True,
            hint="only row b at position positions[b] comes from clean_resid (index with "
            "[torch.arange(batch), positions], not [:, positions], which patches every row at every listed position).",
        )
    model, batch = tiny(), _batch([9, 7, 8], seed=50)
    name = "blocks.1.hook_resid_pre"
    with torch.no_grad():
        _, cache = model.run_with_cache(batch.tokens, names_filter=name)
        clean = cache[name]
        got = model.run_with_hooks(batch.corrupted_tokens, fwd_hooks=[
            (name, lambda r, hook: patch_resid_hook(r, hook, clean, batch.positions["S2"]))])
        expected = model.run_with_hooks(batch.corrupted_tokens, fwd_hooks=[
            (name, lambda r, hook: ref.patch_resid_hook(r, hook, clean, batch.positions["S2"]))])
    expect_tensor(got, expected, context="the tiny Llama-style model, resid before layer 1 patched at S2",
                  atol=1e-4, hint="return the patched tensor; the model continues with what the hook returns.")


@check(SECTION, "patch_head_hook", points=2, timeout=20)
def check_patch_head_hook(patch_head_hook) -> None:
    """Square z (batch = pos = head = d_head), positions given and None, several heads."""
    for i, (shape, head, positions) in enumerate([
        ((3, 3, 3, 3), 1, [2, 0, 1]), ((3, 3, 3, 3), 2, None), ((2, 5, 4, 3), 0, [4, 3]), ((1, 4, 9, 2), 8, None),
    ]):
        context = f"z of shape {shape} (batch, pos, head, d_head), head={head}, positions={positions}"
        z, clean = randn(*shape, seed=60 + i), randn(*shape, seed=70 + i)
        pos = None if positions is None else torch.tensor(positions)
        got = _hook_result(patch_head_hook, z, clean, head, pos, name="patch_head_hook", context=context)
        expect_tensor(
            got, ref.patch_head_hook(z.clone(), None, clean, head, pos), context=context, exact=True,
            hint="z is [batch, pos, head, d_head]: take clean_z[:, :, head] (all positions) or "
            "clean_z[rows, positions, head] with rows = arange(batch); other heads stay as they were.",
        )


@check(SECTION, "patch_head_logit_diff", points=3, timeout=20)
def check_patch_head_logit_diff(patch_head_logit_diff) -> None:
    """The tiny model on padded batches: a head patched at END, at S2 and at every position."""
    model = tiny()
    for label, lengths, layer, head, where, seed in [
        ("3 prompts of lengths 9, 7, 8, layer 2 head 1 at END", [9, 7, 8], 2, 1, "END", 80),
        ("4 prompts of lengths 8, 8, 10, 6, layer 0 head 3 at all positions", [8, 8, 10, 6], 0, 3, None, 81),
        ("2 prompts of lengths 7, 9, layer 1 head 2 at S2", [7, 9], 1, 2, "S2", 82),
    ]:
        batch = _batch(lengths, seed=seed)
        clean_z = _z_cache(model, batch.tokens)[layer]
        pos = None if where is None else batch.positions[where]
        with torch.no_grad():
            got = call(patch_head_logit_diff, model, batch, clean_z, layer, head, pos,
                       name="patch_head_logit_diff", context=label)
            expected = ref.patch_head_logit_diff(model, batch, clean_z, layer, head, pos)
            clean_ld = ioi.final_logit_diff(model, model(batch.tokens, stop_at_layer=model.cfg.n_layers), batch)
        if isinstance(got, Tensor) and got.shape == expected.shape and torch.allclose(got, clean_ld, atol=1e-4) \
                and not torch.allclose(expected, clean_ld, atol=1e-4):
            raise CheckFailed(
                f"For {label}: your logit differences equal the *clean* run's. Patching runs the "
                "corrupted prompts (batch.corrupted_tokens) and puts the clean head output back in."
            )
        expect_tensor(got, expected, context=label, atol=1e-4, rtol=1e-4,
                      hint="run batch.corrupted_tokens with your patch_head_hook at "
                      "blocks.{layer}.attn.hook_z, then IO − S at each prompt's END (not the last column).")
        if any(len(hp.fwd_hooks) for hp in model.hook_dict.values()):
            raise CheckFailed(f"For {label}: a hook was still attached to the model afterwards; use "
                              "run_with_hooks or `with model.hooks(...)`, which remove it.")


# ------------------------------------------------------------------------------------------
# Part 4 · attribution patching
# ------------------------------------------------------------------------------------------
@check(SECTION, "corrupted_z_and_grads", points=3, timeout=20)
def check_corrupted_z_and_grads(corrupted_z_and_grads) -> None:
    """The tiny model on two padded batches, called with gradients globally off."""
    model = tiny()
    for label, lengths, seed in [("3 prompts of lengths 9, 7, 8", [9, 7, 8], 90), ("batch 1, length 6", [6], 91)]:
        batch = _batch(lengths, seed=seed)
        with torch.no_grad():
            got = call(corrupted_z_and_grads, model, batch, name="corrupted_z_and_grads", context=label)
        z_ref, g_ref = ref.corrupted_z_and_grads(model, batch)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise CheckFailed(f"For {label}: expected a tuple (z, grads), got {type(got).__name__}.")
        z, g = got
        clean = torch.stack(list(_z_cache(model, batch.tokens).values()))
        if isinstance(z, Tensor) and z.shape == clean.shape and torch.allclose(z, clean):
            raise CheckFailed(f"For {label}: your z is the *clean* run's; attribution patching "
                              "expands around the corrupted run (batch.corrupted_tokens).")
        expect_tensor(z, z_ref, context=f"{label}, z", atol=1e-5,
                      hint="hook_z of every layer on batch.corrupted_tokens, stacked as [layer, batch, pos, head, d_head].")
        if isinstance(g, Tensor) and g.shape == g_ref.shape and len(lengths) > 1 and \
                torch.allclose(g, g_ref * len(lengths), atol=1e-5):
            raise CheckFailed(f"For {label}: your gradients are {len(lengths)}× too large: differentiate "
                              "the *mean* logit difference over the batch, not the sum.")
        expect_tensor(g, g_ref, context=f"{label}, gradients", atol=1e-5, rtol=1e-3,
                      hint="the gradient of the mean IO − S logit difference (at each prompt's END) "
                      "with respect to each layer's hook_z on the corrupted run.")
        for what, t in (("z", z), ("grads", g)):
            if t.requires_grad or t.grad_fn is not None:
                raise CheckFailed(f"For {label}: the returned {what} is still attached to the autograd "
                                  "graph; return .detach()ed tensors.")
        if any(p.grad is not None for p in model.parameters()):
            for p in model.parameters():
                p.grad = None
            raise CheckFailed(f"For {label}: the model's parameters have .grad set afterwards. Take the "
                              "gradient with respect to the activations only (torch.autograd.grad), "
                              "not loss.backward() into every weight.")
        if any(len(hp.fwd_hooks) or len(hp.bwd_hooks) for hp in model.hook_dict.values()):
            raise CheckFailed(f"For {label}: a hook was still attached to the model afterwards.")


@check(SECTION, "attribution_scores", points=2)
def check_attribution_scores(attribution_scores) -> None:
    """Square sizes; positions given (one per prompt) and None; the batch summed, not averaged."""
    def case(shape: tuple[int, ...], seed: int, positions: list[int] | None) -> tuple:
        return (randn(*shape, seed=seed), randn(*shape, seed=seed + 1), randn(*shape, seed=seed + 2),
                None if positions is None else torch.tensor(positions))

    cases: list[Case] = [
        ("shape (3, 3, 3, 3, 3), positions [2, 0, 1]", case((3, 3, 3, 3, 3), 0, [2, 0, 1])),
        ("shape (3, 3, 3, 3, 3), all positions", case((3, 3, 3, 3, 3), 10, None)),
        ("shape (2, 4, 5, 3, 2), positions [4, 1, 3, 3]", case((2, 4, 5, 3, 2), 20, [4, 1, 3, 3])),
        ("shape (4, 1, 6, 2, 3), batch 1, all positions", case((4, 1, 6, 2, 3), 30, None)),
    ]
    compare_to_reference(
        attribution_scores, ref.attribution_scores, cases, name="attribution_scores", atol=1e-4, rtol=1e-4,
        hint="(clean_z − corrupt_z) * grads, summed over d_head and the batch (the gradient is already "
        "of the mean), and over every position or only at (b, positions[b]); result [layer, head].",
    )


@check(SECTION, "pearson", points=1)
def check_pearson(pearson) -> None:
    """Random and scaled inputs, 2-D inputs, a perfectly anti-correlated pair."""
    x = randn(30, 9, seed=1)
    cases: list[Case] = [
        ("two random [30, 9] tensors", (x, 0.6 * x + randn(30, 9, seed=2))),
        ("y = −3 x + 5 (expect −1)", (randn(12, seed=3), -3 * randn(12, seed=3) + 5)),
        ("x with a large offset", (randn(50, seed=4) + 1000.0, randn(50, seed=4) + 0.3 * randn(50, seed=5))),
        ("two values each", (torch.tensor([1.0, 2.0]), torch.tensor([5.0, 3.0]))),
    ]
    compare_to_reference(
        pearson, ref.pearson, cases, name="pearson", atol=1e-4,
        hint="centre both (subtract each one's mean), then Σ xy / (‖x‖ ‖y‖); return a 0-dim float tensor.",
    )


# ------------------------------------------------------------------------------------------
# Part 6 · the circuit: path patching between heads, then circuits under mean ablation
# ------------------------------------------------------------------------------------------
def _split_tiny():
    """The tiny model with split q/k/v inputs on (hook_q_input has 4 slots, hook_k/v_input 2)."""
    model = tiny()
    model.set_use_split_qkv_input(True)
    return model


def _zs(model, batch: ioi.IOIBatch) -> tuple[Tensor, Tensor]:
    """Every layer's hook_z, stacked [layer, batch, pos, head, d_head], on the clean and corrupted tokens."""
    return (torch.stack(list(_z_cache(model, batch.tokens).values())),
            torch.stack(list(_z_cache(model, batch.corrupted_tokens).values())))


def _recorded_inputs(model, tokens: Tensor, z_for_layer, layers: list[int], component: str) -> dict[int, Tensor]:
    """Run ``tokens`` with every layer's hook_z replaced by ``z_for_layer(layer, z)`` (None: left
    alone), recording hook_{component}_input at ``layers`` — the variants a wrong step 1 computes."""
    store: dict[int, Tensor] = {}

    def z_hook(z: Tensor, hook) -> Tensor:
        out = z_for_layer(hook.layer(), z)
        return z if out is None else out

    def record(x: Tensor, hook) -> None:
        store[hook.layer()] = x.detach().clone()

    hooks = [(f"blocks.{layer}.attn.hook_z", z_hook) for layer in range(max(layers))]
    hooks += [(f"blocks.{layer}.hook_{component}_input", record) for layer in layers]
    with torch.no_grad():
        model.run_with_hooks(tokens, fwd_hooks=hooks)
    return store


def _hooks_left(model) -> bool:
    return any(len(hp.fwd_hooks) or len(hp.bwd_hooks) for hp in model.hook_dict.values())


@check(SECTION, "path_patch_inputs", points=3, timeout=20)
def check_path_patch_inputs(path_patch_inputs) -> None:
    """The tiny GQA model: senders in one or two layers, receivers one or two layers later, q, k
    and v; compared with the reference and with the wrong experiments (no freezing, clean senders,
    corrupted prompts)."""
    model = _split_tiny()
    try:
        for label, lengths, seed, senders, layers, component in [
            ("3 prompts (lengths 9, 7, 8), sender L0H1, receivers' queries in layer 2", [9, 7, 8], 130, [(0, 1)], [2], "q"),
            ("2 prompts (lengths 8, 10), senders L0H3 and L1H0, receivers' values in layers 1 and 2",
             [8, 10], 131, [(0, 3), (1, 0)], [1, 2], "v"),
            ("batch 1 (length 9), sender L0H2, receivers' keys in layer 2", [9], 132, [(0, 2)], [2], "k"),
        ]:
            batch = _batch(lengths, seed=seed)
            clean_z, corrupt_z = _zs(model, batch)
            with torch.no_grad():
                got = call(path_patch_inputs, model, batch, clean_z, corrupt_z, senders, layers, component,
                           name="path_patch_inputs", context=label)
                expected = ref.path_patch_inputs(model, batch, clean_z, corrupt_z, senders, layers, component)
            if _hooks_left(model):
                raise CheckFailed(f"For {label}: a hook was still attached to the model afterwards; use "
                                  "run_with_hooks or `with model.hooks(...)`, which remove them.")
            if not isinstance(got, dict) or sorted(got) != sorted(layers):
                keys = sorted(got) if isinstance(got, dict) else type(got).__name__
                missing = "" if not isinstance(got, dict) else (
                    f" The hook_{component}_input of layer(s) {sorted(set(layers) - set(got))} never fired: run the "
                    "model at least up to stop_at_layer = max(receiver_layers) + 1, with "
                    "model.set_use_split_qkv_input(True) on (the check turns it on).")
                raise CheckFailed(f"For {label}: expected a dict keyed by the receiver layers {sorted(layers)}, "
                                  f"got {keys}.{missing}")
            heads = {ly: [h for sl, h in senders if sl == ly] for ly in range(model.cfg.n_layers)}

            def senders_only(layer: int, z: Tensor, source: Tensor, heads=heads) -> Tensor:
                out = z.clone()
                out[:, :, heads[layer]] = source[layer][:, :, heads[layer]]
                return out

            wrong = {
                "equal the clean run's: the senders must take corrupt_z (patching the clean run's own "
                "values back in changes nothing, so every path would measure zero)":
                    _recorded_inputs(model, batch.tokens, lambda ly, z: None, layers, component),
                "are what you get when only the senders are patched and the other heads run freely. "
                "Freeze every other head at clean_z (that is what makes it a path, not a total effect)":
                    _recorded_inputs(model, batch.tokens, lambda ly, z, c=corrupt_z: senders_only(ly, z, c), layers, component),
                "come from a run on the corrupted prompts. Step 1 runs the *clean* prompts (batch.tokens); "
                "only the senders' outputs come from the corrupted run":
                    _recorded_inputs(model, batch.corrupted_tokens,
                                     lambda ly, z, a=clean_z, c=corrupt_z: senders_only(ly, a[ly], c),
                                     layers, component),
                "are what you get with every head frozen at its *corrupted* output. The other heads keep "
                "their clean outputs (clean_z); only the senders take corrupt_z":
                    _recorded_inputs(model, batch.tokens, lambda ly, z, c=corrupt_z: c[ly], layers, component),
            }
            for layer in layers:
                value = got[layer]
                for what, variant in wrong.items():
                    if isinstance(value, Tensor) and value.shape == variant[layer].shape and \
                            torch.allclose(value, variant[layer], atol=1e-5) and \
                            not torch.allclose(expected[layer], variant[layer], atol=1e-5):
                        raise CheckFailed(f"For {label}: your layer-{layer} inputs {what}.")
                expect_tensor(
                    value, expected[layer], context=f"{label}, layer {layer}", atol=1e-5, rtol=1e-4,
                    hint=f"record blocks.{{layer}}.hook_{component}_input (the block's input before the norm, "
                    "[batch, pos, slot, d_model]) while every layer's attn.hook_z returns clean_z[layer] with "
                    "the senders' heads from corrupt_z[layer].",
                )
    finally:
        model.set_use_split_qkv_input(False)


@check(SECTION, "patch_receivers_logit_diff", points=3, timeout=20)
def check_patch_receivers_logit_diff(patch_receivers_logit_diff) -> None:
    """The tiny GQA model with inputs that differ from the clean run at every position and slot:
    queries at END, keys of a receiver whose group is not its head index, values at every position,
    batch 1."""
    model = _split_tiny()
    try:
        for label, lengths, seed, receivers, component, where in [
            ("3 prompts (lengths 9, 7, 8), receivers L2H1 and L2H3, queries at END", [9, 7, 8], 140,
             [(2, 1), (2, 3)], "q", "END"),
            ("3 prompts (lengths 8, 10, 9), receiver L2H3 (key/value group 1), keys at S2", [8, 10, 9], 141,
             [(2, 3)], "k", "S2"),
            ("2 prompts (lengths 9, 8), receivers L1H1 (group 0) and L2H0, values at every position", [9, 8], 142,
             [(1, 1), (2, 0)], "v", None),
            ("batch 1 (length 7), receiver L1H0, queries at END", [7], 143, [(1, 0)], "q", "END"),
        ]:
            batch = _batch(lengths, seed=seed)
            layers = sorted({ly for ly, _ in receivers})
            clean_in = _recorded_inputs(model, batch.tokens, lambda ly, z: None, layers, component)
            inputs = {ly: x + 0.7 * randn(*x.shape, seed=seed + ly) for ly, x in clean_in.items()}
            pos = None if where is None else batch.positions[where]
            with torch.no_grad():
                got = call(patch_receivers_logit_diff, model, batch, inputs, receivers, component, pos,
                           name="patch_receivers_logit_diff", context=label)
                expected = ref.patch_receivers_logit_diff(model, batch, inputs, receivers, component, pos)
                clean_ld = ioi.final_logit_diff(model, model(batch.tokens, stop_at_layer=model.cfg.n_layers), batch)
                on_corrupt = ref.patch_receivers_logit_diff(
                    model, ioi.IOIBatch(batch.corrupted_tokens, batch.corrupted_tokens, batch.io_ids, batch.s_ids,
                                        batch.positions, batch.templates), inputs, receivers, component, pos)
            if _hooks_left(model):
                raise CheckFailed(f"For {label}: a hook was still attached to the model afterwards; use "
                                  "run_with_hooks or `with model.hooks(...)`, which remove them.")
            if isinstance(got, Tensor) and got.shape == expected.shape:
                for variant, what in [
                    (clean_ld, "equal the clean run's with nothing patched: did the hook at "
                     f"blocks.{{layer}}.hook_{component}_input fire (model.set_use_split_qkv_input(True)) "
                     "and return the patched tensor?"),
                    (on_corrupt, "come from a run on the corrupted prompts; step 2 runs the *clean* prompts "
                     "(batch.tokens) with only the receivers' inputs replaced"),
                ]:
                    if torch.allclose(got, variant, atol=1e-4) and not torch.allclose(expected, variant, atol=1e-4):
                        raise CheckFailed(f"For {label}: your logit differences {what}.")
            expect_tensor(
                got, expected, context=label, atol=1e-4, rtol=1e-4,
                hint=f"run batch.tokens and, at each receiver layer's hook_{component}_input, replace only the "
                "receiver's slot (a query head for q; its key/value group head // (n_heads // n_key_value_heads) "
                "for k and v), only at (b, positions[b]) (every position if None); then IO − S at each END.",
            )
    finally:
        model.set_use_split_qkv_input(False)


@check(SECTION, "top_k_heads", points=1)
def check_top_k_heads(top_k_heads) -> None:
    """Non-square grids, large negative scores, k = 1 and k = every head."""
    scores = randn(5, 3, seed=7)
    scores[4, 2] = -9.0
    scores[1, 0] = 8.0
    for context, args in [
        ("a 5 × 3 grid with a −9 at (4, 2) and an 8 at (1, 0), k = 4", (scores, 4)),
        ("the same grid, k = 1", (scores, 1)),
        ("a 2 × 7 random grid, k = 14 (every head)", (randn(2, 7, seed=8), 14)),
        ("a 3 × 4 grid with ties (|−2| = |2|), k = 5",
         (torch.tensor([[0.5, 2.0, -2.0, 0.1], [2.0, 0.0, 1.0, -1.0], [0.3, -2.0, 0.2, 1.0]]), 5)),
    ]:
        got = call(top_k_heads, *args, name="top_k_heads", context=context)
        expected = ref.top_k_heads(*args)
        if isinstance(got, list):
            for pair in got:
                if isinstance(pair, (tuple, list)) and any(isinstance(v, float) for v in pair):
                    raise CheckFailed(f"For {context}: got {pair!r}: layer and head must be ints "
                                      "(use // and %, or divmod), not floats.")
            got = [tuple(int(v) for v in pair) if isinstance(pair, (tuple, list, Tensor)) else pair for pair in got]
        expect_equal(got, expected, context=context,
                     hint="rank by |score| (negative effects count), largest first, ties in row-major order "
                     "(a stable sort); (layer, head) = "
                     "divmod(flat index, n_heads) with n_heads = scores.shape[1].")


@check(SECTION, "reference_means", points=2)
def check_reference_means(reference_means) -> None:
    """Interleaved groups with different numbers of reference rows; a missing group raises."""
    ref_groups = torch.tensor([0, 1, 1, 0, 2, 1, 0])
    cases: list[Case] = [
        ("7 reference rows in groups [0, 1, 1, 0, 2, 1, 0], batch groups [1, 0, 2, 1]",
         (randn(7, 3, 3, 3, seed=1), ref_groups, torch.tensor([1, 0, 2, 1]))),
        ("a batch of one group only", (randn(7, 4, 2, 3, seed=2), ref_groups, torch.tensor([2, 2]))),
        ("reference rows all one group", (randn(3, 2, 2, 2, seed=3), torch.tensor([5, 5, 5]), torch.tensor([5]))),
    ]
    compare_to_reference(
        reference_means, ref.reference_means, cases, name="reference_means", atol=1e-5,
        hint="row b is the mean of z_ref over the rows with ref_groups == groups[b] (the batch axis "
        "only: every position, head and feature keeps its own mean) — not zeros, not the mean over all rows.",
    )
    context = "batch group 3 with no reference rows"
    try:
        reference_means(randn(4, 2, 2, 2, seed=4), torch.tensor([0, 0, 1, 1]), torch.tensor([0, 3]))
    except ValueError:
        return
    except Exception as e:  # noqa: BLE001
        raise CheckFailed(f"For {context}: expected ValueError, got {type(e).__name__}: {e}") from None
    raise CheckFailed(f"For {context}: expected ValueError (the docstring says so), got a result; "
                      "a mean over no rows is NaN, which would silently poison the ablation.")


@check(SECTION, "circuit_hook", points=2, timeout=20)
def check_circuit_hook(circuit_hook) -> None:
    """Square z, keep lists empty / partial / full / unordered, then inside the tiny model."""
    for i, (shape, keep) in enumerate([((3, 3, 3, 3), [1]), ((3, 3, 3, 3), []), ((2, 4, 5, 2), [4, 0, 2]),
                                       ((2, 2, 4, 3), [0, 1, 2, 3])]):
        context = f"z of shape {shape}, keep={keep}"
        z, means = randn(*shape, seed=100 + i), randn(*shape, seed=110 + i)
        got = _hook_result(circuit_hook, z, means, keep, name="circuit_hook", context=context)
        expect_tensor(
            got, ref.circuit_hook(z.clone(), None, means, keep), context=context, exact=True,
            hint="heads in keep keep z; every other head gets means (not zeros), at every position.",
        )
    model, batch = tiny(), _batch([9, 8, 9], seed=120)
    means = randn(3, 9, 4, 4, seed=121)
    with torch.no_grad():
        got = model.run_with_hooks(batch.tokens, fwd_hooks=[
            ("blocks.1.attn.hook_z", lambda z, hook: circuit_hook(z, hook, means, [0, 3]))])
        expected = model.run_with_hooks(batch.tokens, fwd_hooks=[
            ("blocks.1.attn.hook_z", lambda z, hook: ref.circuit_hook(z, hook, means, [0, 3]))])
    expect_tensor(got, expected, context="the tiny model, layer 1 keeping heads [0, 3]", atol=1e-4,
                  hint="return the tensor the model should continue with.")
