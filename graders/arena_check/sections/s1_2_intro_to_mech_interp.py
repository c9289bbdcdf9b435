"""Checks for section 1.2 — introduction to mechanistic interpretability.

Two models grade the exercises, both made once per grading process as fixtures:

* ``attn-only-2l`` from the zoo — the page's model, 2 layers × 2 heads, ``attn_scale`` 1, LNPre;
* a tiny attention-only ``HookedTransformer`` built here with seeded random weights: 3 layers ×
  3 heads, the usual ``attn_scale`` √d_head = 2, and weights large enough that attention is far
  from uniform. It catches what the zoo model hides: a hard-coded head count of 2, a 2×2 output
  whose transpose has the same shape, a forgotten ``attn_scale`` (a no-op when it is 1).

Each check aims at a class of mistake: the wrong diagonal offset or the wrong axis in a
detector (square shapes, where a wrong axis keeps the shape), a score that includes the first,
non-repeated half, a logit attribution without the final layer norm's scale or centring, a hook
that edits a copy (run inside the real model, where such a hook changes nothing), mean ablation
over the wrong axis, the OV product in the wrong order, a composition score without its
Frobenius normalisation. Inputs are built inside the checks, seeded.
"""

from __future__ import annotations

import functools
import warnings

import torch
from torch import Tensor

from arena_check.reference import s1_2_intro_to_mech_interp as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randint,
    randn,
    require,
    seeded,
)

SECTION = "1.2"


# ------------------------------------------------------------------------------------------
# Fixtures and input builders
# ------------------------------------------------------------------------------------------
@fixture(SECTION)
def _attn_only():
    """The page's model (attn_scale 1, 2 × 2 heads)."""
    from arena_check.kit import zoo

    return zoo.load("attn-only-2l")


def attn_only():
    """The zoo model with no hook left attached by an earlier call in the same process."""
    model = _attn_only()
    model.reset_hooks(including_permanent=True)
    return model


def tiny():
    """The tiny model with no hook left attached by an earlier call in the same process."""
    model = _tiny()
    model.reset_hooks(including_permanent=True)
    return model


@fixture(SECTION)
def _tiny():
    """3 layers × 3 heads, d_model 12, d_head 4 (attn_scale 2), LNPre, standard positions,
    vocabulary 20, context 16; seeded weights scaled so that attention is sharp."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg = HookedTransformerConfig(
        n_layers=3, d_model=12, n_heads=3, d_head=4, n_ctx=16, d_vocab=20, attn_only=True,
        normalization_type="LNPre", positional_embedding_type="standard", act_fn=None,
        init_weights=False, device="cpu",
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HookedTransformer is deprecated")
        model = HookedTransformer(cfg)
    gen = seeded(1234)
    with torch.no_grad():
        for name, param in model.named_parameters():
            scale = 1.0 if name.startswith(("embed", "pos_embed", "unembed")) else 0.6
            param.copy_(torch.randn(param.shape, generator=gen) * scale)
    model.eval()
    return model


def _with_bos(batch: int, pos: int, vocab: int, seed: int) -> Tensor:
    tokens = randint(vocab, batch, pos, seed=seed, low=1)
    tokens[:, 0] = 0
    return tokens


def _causal_pattern(batch: int, head: int, pos: int, *, seed: int, sharp: float = 1.0) -> Tensor:
    """A random attention pattern: softmax over keys of seeded scores, future masked."""
    scores = randn(batch, head, pos, pos, seed=seed) * sharp
    future = torch.triu(torch.ones(pos, pos, dtype=torch.bool), diagonal=1)
    return scores.masked_fill(future, float("-inf")).softmax(-1)


def _matrix(fm: object, *, name: str, context: str) -> Tensor:
    """The product of a FactoredMatrix, or fail with a message if it is not one."""
    from transformer_lens import FactoredMatrix

    if not isinstance(fm, FactoredMatrix):
        raise CheckFailed(
            f"For {context}: `{name}` should return a transformer_lens.FactoredMatrix, got "
            f"{type(fm).__name__}. Wrap the two factors: FactoredMatrix(A, B)."
        )
    return fm.AB.detach()


def _scalar(got: object, expected: Tensor, *, context: str, hint: str, **tol: float) -> None:
    if isinstance(got, float | int) and not isinstance(got, bool):
        got = torch.tensor(float(got))
    expect_tensor(got, expected.detach(), context=context, hint=hint, check_dtype=False, **tol)


# ------------------------------------------------------------------------------------------
# Part 1 · TransformerLens essentials
# ------------------------------------------------------------------------------------------
@check(SECTION, "attention_pattern_from_cache", points=2, timeout=20)
def check_attention_pattern_from_cache(attention_pattern_from_cache) -> None:
    """Both zoo layers at attn_scale 1 and 5.66; the tiny model at its own scale 2 and at 0.5;
    a synthetic square cache (batch = pos = head = 3); a single token."""
    from transformer_lens import ActivationCache

    model, small = attn_only(), tiny()
    with torch.no_grad():
        _, cache = model.run_with_cache(_with_bos(2, 9, 512, seed=0))
        _, small_cache = small.run_with_cache(_with_bos(2, 7, 20, seed=1))
        _, one_cache = model.run_with_cache(torch.zeros(1, 1, dtype=torch.long))
    square = ActivationCache(
        {"blocks.0.attn.hook_q": randn(3, 3, 3, 4, seed=2) * 2, "blocks.0.attn.hook_k": randn(3, 3, 3, 4, seed=3) * 2},
        model,
    )
    cases: list[Case] = [
        ("attn-only-2l on 2 × 9 tokens, layer 0, attn_scale 1.0", (cache, 0, 1.0)),
        ("attn-only-2l on 2 × 9 tokens, layer 1, attn_scale 1.0", (cache, 1, 1.0)),
        ("attn-only-2l on 2 × 9 tokens, layer 1, attn_scale 5.657", (cache, 1, 32**0.5)),
        ("the tiny model (d_head 4) on 2 × 7 tokens, layer 2, attn_scale 2.0", (small_cache, 2, 2.0)),
        ("the tiny model on 2 × 7 tokens, layer 0, attn_scale 0.5", (small_cache, 0, 0.5)),
        ("a synthetic cache with batch = pos = head = 3, layer 0, attn_scale 2.0", (square, 0, 2.0)),
        ("a single token (batch 1, pos 1), layer 0", (one_cache, 0, 1.0)),
    ]
    compare_to_reference(
        attention_pattern_from_cache, ref.attention_pattern_from_cache, cases,
        name="attention_pattern_from_cache", atol=1e-5,
        hint="scores[b, h, i, j] = q[b, i, h]·k[b, j, h] / attn_scale (divide by the argument, "
        "do not assume sqrt(d_head)); set scores with j > i to -inf *before* the softmax, and "
        "softmax over the key axis (the last), so every row sums to 1.",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · detectors
# ------------------------------------------------------------------------------------------
def _detector_cases() -> list[Case]:
    model = attn_only()
    with torch.no_grad():
        _, cache = model.run_with_cache(_with_bos(2, 12, 512, seed=5))
    return [
        ("random patterns of shape (2, 3, 5, 5), seed 0", (_causal_pattern(2, 3, 5, seed=0),)),
        ("square patterns (3, 3, 3, 3): batch = head = query = key", (_causal_pattern(3, 3, 3, seed=1, sharp=3.0),)),
        ("sharp patterns of shape (4, 2, 6, 6), seed 2", (_causal_pattern(4, 2, 6, seed=2, sharp=6.0),)),
        ("batch 1, one head, 2 positions", (_causal_pattern(1, 1, 2, seed=3, sharp=2.0),)),
        ("attn-only-2l's layer-0 pattern on 2 × 12 tokens", (cache["pattern", 0],)),
        ("attn-only-2l's layer-1 pattern on 2 × 12 tokens", (cache["pattern", 1],)),
    ]


@check(SECTION, "current_token_score", points=1, timeout=20)
def check_current_token_score(current_token_score) -> None:
    """Random, square, sharp and real patterns."""
    compare_to_reference(
        current_token_score, ref.current_token_score, _detector_cases(), name="current_token_score",
        hint="average pattern[b, h, i, i] — the main diagonal, offset 0 — over the batch and every "
        "query; keep only the head axis.",
    )


@check(SECTION, "prev_token_score", points=1, timeout=20)
def check_prev_token_score(prev_token_score) -> None:
    """Random, square, sharp and real patterns."""
    compare_to_reference(
        prev_token_score, ref.prev_token_score, _detector_cases(), name="prev_token_score",
        hint="the previous token of query i is key i - 1: the diagonal *below* the main one "
        "(offset -1), which has an entry for every query i >= 1. Average it over the batch and "
        "those queries; keep the head axis.",
    )


@check(SECTION, "first_token_score", points=1, timeout=20)
def check_first_token_score(first_token_score) -> None:
    """Random, square, sharp and real patterns."""
    compare_to_reference(
        first_token_score, ref.first_token_score, _detector_cases(), name="first_token_score",
        hint="average pattern[b, h, i, 0] (key axis = the last) over the batch and queries i >= 1 — "
        "query 0 always puts 1.0 on key 0 and is left out; keep the head axis.",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · induction
# ------------------------------------------------------------------------------------------
@check(SECTION, "repeated_tokens", points=2)
def check_repeated_tokens(repeated_tokens) -> None:
    """Layout, dtype, range (both ends reached, `high` never), independent rows, seeding, and
    the global random state left alone."""
    context = "repeated_tokens(4, 6, low=5, high=50, bos=1, seed=0)"
    state = torch.get_rng_state()
    got = call(repeated_tokens, 4, 6, 5, 50, 1, 0, name="repeated_tokens", context=context)
    if not torch.equal(state, torch.get_rng_state()):
        raise CheckFailed(
            f"For {context}: the global random state changed. Draw with your own "
            "torch.Generator().manual_seed(seed) instead of torch.manual_seed / the global RNG."
        )
    if not isinstance(got, Tensor):
        raise CheckFailed(f"For {context}: expected a tensor, got {type(got).__name__}.")
    expect_equal(tuple(got.shape), (4, 13), context=context, hint="shape (batch, 1 + 2 * seq_len).")
    expect_equal(got.dtype, torch.int64, context=context, hint="token ids are int64 (torch.long).")
    expect_tensor(got[:, 0], torch.full((4,), 1), context=f"{context}, column 0", hint="column 0 is `bos`.")
    expect_tensor(got[:, 7:], got[:, 1:7], context=f"{context}, the second copy",
                  hint="the last seq_len columns repeat columns 1 … seq_len exactly.")
    body = got[:, 1:7]
    if bool((body < 5).any() or (body >= 50).any()):
        raise CheckFailed(f"For {context}: some random tokens lie outside [low, high) = [5, 50).")
    if all(torch.equal(body[0], body[b]) for b in range(1, 4)):
        raise CheckFailed(f"For {context}: every row holds the same tokens; draw each row independently.")
    again = call(repeated_tokens, 4, 6, 5, 50, 1, 0, name="repeated_tokens", context=context)
    expect_tensor(again, got, context=f"{context}, called twice",
                  hint="the same seed must give the same tokens: seed a torch.Generator with it.")
    other = call(repeated_tokens, 4, 6, 5, 50, 1, 1, name="repeated_tokens", context="seed=1")
    if torch.equal(other, got):
        raise CheckFailed("repeated_tokens(…, seed=0) and (…, seed=1) gave the same tokens; use `seed`.")
    context = "repeated_tokens(64, 10, low=3, high=6, bos=0, seed=2)"
    wide = call(repeated_tokens, 64, 10, 3, 6, 0, 2, name="repeated_tokens", context=context)
    values = set(wide[:, 1:].unique().tolist())
    expect_equal(values, {3, 4, 5}, context=f"{context}, the set of random tokens",
                 hint="draw uniformly from low … high - 1: torch.randint(low, high, …) excludes "
                 "`high` and includes `low`.")
    context = "repeated_tokens(1, 1, low=7, high=8, bos=2, seed=3) (batch 1, seq_len 1)"
    tiny_out = call(repeated_tokens, 1, 1, 7, 8, 2, 3, name="repeated_tokens", context=context)
    expect_tensor(tiny_out, torch.tensor([[2, 7, 7]]), context=context)


@check(SECTION, "per_token_loss", points=2)
def check_per_token_loss(per_token_loss) -> None:
    """Several shapes (one square), logits of scale 100 (log(softmax) underflows), batch 1."""
    cases: list[Case] = [
        ("logits (2, 5, 7) and tokens (2, 5), seed 0", (randn(2, 5, 7, seed=0), randint(7, 2, 5, seed=1))),
        ("square: logits (3, 3, 3), tokens (3, 3)", (randn(3, 3, 3, seed=2) * 3, randint(3, 3, 3, seed=3))),
        ("logits of scale 100, (2, 4, 6)", (randn(2, 4, 6, seed=4) * 100, randint(6, 2, 4, seed=5))),
        ("batch 1, 2 positions, 4 tokens", (randn(1, 2, 4, seed=6), randint(4, 1, 2, seed=7))),
    ]
    compare_to_reference(
        per_token_loss, ref.per_token_loss, cases, name="per_token_loss", atol=1e-4,
        hint="out[b, p] = -log_softmax(logits[b, p])[tokens[b, p + 1]]: the logits at p predict the "
        "*next* token, so pair logits[:, :-1] with tokens[:, 1:]. Use log_softmax, not "
        "log(softmax(…)), which gives inf when a probability underflows.",
    )


def _induction_cases() -> list[Case]:
    model = attn_only()
    data = ref.repeated_tokens(2, 6, 1, 512, 0, seed=7)
    with torch.no_grad():
        _, cache = model.run_with_cache(data)
    cases: list[Case] = []
    for i, (batch, head, length, sharp) in enumerate([(2, 3, 4, 3.0), (3, 3, 3, 1.0), (1, 2, 5, 6.0), (2, 1, 2, 4.0)]):
        pattern = _causal_pattern(batch, head, 1 + 2 * length, seed=20 + i, sharp=sharp)
        cases.append((f"random patterns, batch {batch}, {head} heads, seq_len {length}", (pattern, length)))
    cases.append(("attn-only-2l's layer-1 pattern on 2 × [BOS, r, r], seq_len 6", (cache["pattern", 1], 6)))
    cases.append(("attn-only-2l's layer-0 pattern on 2 × [BOS, r, r], seq_len 6", (cache["pattern", 0], 6)))
    return cases


@check(SECTION, "induction_score", points=2, timeout=20)
def check_induction_score(induction_score) -> None:
    """Random and real patterns; several lengths (down to 2) and shapes."""
    compare_to_reference(
        induction_score, ref.induction_score, _induction_cases(), name="induction_score",
        hint="query i of the second copy (i = L + 1 … 2L) holds the token at i - L, so its target is "
        "the key i - L + 1: the diagonal with offset 1 - L. Average only the last L entries of that "
        "diagonal (the second copy, not the first half) over the batch; keep the head axis.",
    )


@check(SECTION, "induction_scores_by_hook", points=2, timeout=20)
def check_induction_scores_by_hook(induction_scores_by_hook) -> None:
    """attn-only-2l and the tiny model (3 × 3: a transposed result shows); with a hook, not a cache."""
    for label, model, data, length in [
        ("attn-only-2l on 2 × [BOS, r, r], seq_len 7", attn_only(), ref.repeated_tokens(2, 7, 1, 512, 0, seed=3), 7),
        ("the tiny 3-layer model on 3 × [BOS, r, r], seq_len 5", tiny(), ref.repeated_tokens(3, 5, 1, 20, 0, seed=4), 5),
    ]:
        got = call(induction_scores_by_hook, model, data, length, name="induction_scores_by_hook", context=label)
        expected = ref.induction_scores_by_hook(model, data, length)
        expect_tensor(
            got, expected, context=label, atol=1e-5,
            hint="one row per layer, one column per head: score every layer's pattern with "
            "induction_score inside a hook on 'blocks.{layer}.attn.hook_pattern', and write it to "
            "row hook.layer(). Return float32.",
        )
        if model.hook_dict["blocks.0.attn.hook_pattern"].fwd_hooks:
            model.reset_hooks(including_permanent=True)
            raise CheckFailed(f"For {label}: a hook is still attached to the model after the call; "
                              "pass hooks to run_with_hooks (which removes them) instead of add_hook.")
    require(
        induction_scores_by_hook, name="induction_scores_by_hook",
        rule="Computed with a forward hook during `model.run_with_hooks` — not with `run_with_cache`.",
        forbids_calls=["run_with_cache"],
    )


# ------------------------------------------------------------------------------------------
# Part 4 · direct logit attribution and ablation
# ------------------------------------------------------------------------------------------
@check(SECTION, "head_logit_attribution", points=3, timeout=20)
def check_head_logit_attribution(head_logit_attribution) -> None:
    """attn-only-2l on random and on repeated tokens; the tiny 3 × 3 model (a different scale at
    every position, an uncentred unembedding)."""
    for label, model, tokens in [
        ("attn-only-2l on 2 × 10 random tokens", attn_only(), _with_bos(2, 10, 512, seed=11)),
        ("attn-only-2l on 2 × [BOS, r, r], seq_len 8", attn_only(), ref.repeated_tokens(2, 8, 1, 512, 0, seed=12)),
        ("the tiny 3-layer, 3-head model on 3 × 9 tokens", tiny(), _with_bos(3, 9, 20, seed=13)),
    ]:
        with torch.no_grad():
            _, cache = model.run_with_cache(tokens)
        got = call(head_logit_attribution, model, cache, tokens, name="head_logit_attribution", context=label)
        expect_tensor(
            got, ref.head_logit_attribution(model, cache, tokens), context=label, atol=1e-4, rtol=1e-4,
            hint="per head: z[:, p, h] @ W_O[l, h]; subtract its mean over d_model and divide by "
            "cache['ln_final.hook_scale'][:, p] (the final LayerNorm with its scale frozen — without "
            "it the numbers are in the wrong units); then dot with W_U[:, tokens[:, p + 1]], the "
            "*next* token. Shape (batch, pos - 1, layer, head).",
        )


def _hook_output(hook_fn, z: Tensor, head: int, *, name: str, context: str) -> Tensor:
    """Call a hook directly; its effect is the returned tensor, or (None) its in-place edit."""
    z = z.clone()
    before = z.clone()
    try:
        out = hook_fn(z, None, head=head)
    except Exception as e:  # noqa: BLE001 — the learner's hook: report it with its input
        raise CheckFailed(f"For {context}: `{name}` raised {type(e).__name__}: {e}") from None
    if out is None and torch.equal(z, before):
        raise CheckFailed(
            f"For {context}: `{name}` returned None and left the activation z unchanged, so the "
            "model would run on as if nothing happened. If you edited a copy (z.clone()), return it; "
            "or edit z itself in place."
        )
    return z if out is None else out


def _check_ablation_hook(fn, reference, *, name: str, hint: str) -> None:
    """Direct calls on square activations, then the hook inside real forward passes."""
    for i, (shape, head) in enumerate([((3, 3, 3, 3), 1), ((2, 4, 3, 5), 2), ((4, 2, 2, 3), 0)]):
        context = f"a z of shape {shape} (batch, pos, head, d_head), head={head}"
        z = randn(*shape, seed=40 + i)
        got = _hook_output(fn, z, head, name=name, context=context)
        expected = _hook_output(reference, z, head, name=name, context=context)
        expect_tensor(got, expected, context=context, hint=hint)
    for label, model, tokens, layer, head in [
        ("attn-only-2l on 3 × 10 tokens, head 0 of layer 0", attn_only(), _with_bos(3, 10, 512, seed=14), 0, 0),
        ("attn-only-2l on 3 × 10 tokens, head 1 of layer 1", attn_only(), _with_bos(3, 10, 512, seed=15), 1, 1),
        ("the tiny model on 4 × 8 tokens, head 2 of layer 1", tiny(), _with_bos(4, 8, 20, seed=16), 1, 2),
    ]:
        hook_name = f"blocks.{layer}.attn.hook_z"
        with torch.no_grad():
            got = model.run_with_hooks(tokens, fwd_hooks=[(hook_name, functools.partial(fn, head=head))])
            expected = model.run_with_hooks(tokens, fwd_hooks=[(hook_name, functools.partial(reference, head=head))])
            clean = model(tokens)
        if torch.allclose(got, clean) and not torch.allclose(expected, clean):
            raise CheckFailed(
                f"For {label}: the model's logits did not change with your hook attached. A hook "
                "changes the forward pass only through the tensor it returns or by editing the "
                "activation in place; editing a copy (z.clone()) and returning nothing is a no-op."
            )
        expect_tensor(got, expected, context=f"{label}, the logits with your hook", atol=1e-4, hint=hint)


@check(SECTION, "zero_ablate_head_hook", points=2, timeout=20)
def check_zero_ablate_head_hook(zero_ablate_head_hook) -> None:
    """Direct calls on square activations; inside forward passes of both models."""
    _check_ablation_hook(
        zero_ablate_head_hook, ref.zero_ablate_head_hook, name="zero_ablate_head_hook",
        hint="z is [batch, pos, head, d_head]: set z[:, :, head] (the third axis) to 0 and leave the "
        "other heads alone; return the tensor the model should use.",
    )


@check(SECTION, "mean_ablate_head_hook", points=2, timeout=20)
def check_mean_ablate_head_hook(mean_ablate_head_hook) -> None:
    """Direct calls on square activations; inside forward passes with batch 3 and 4."""
    _check_ablation_hook(
        mean_ablate_head_hook, ref.mean_ablate_head_hook, name="mean_ablate_head_hook",
        hint="replace z[:, :, head] by its mean over the *batch* axis only (dim 0, keepdim), so each "
        "position keeps its own mean; every batch element gets the same values. Other heads stay.",
    )


@check(SECTION, "repeat_loss", points=2, timeout=20)
def check_repeat_loss(repeat_loss) -> None:
    """Without hooks (the default), with an ablation hook, on two models and lengths."""
    model, small = attn_only(), tiny()
    data = ref.repeated_tokens(3, 6, 1, 512, 0, seed=21)
    small_data = ref.repeated_tokens(2, 5, 1, 20, 0, seed=22)
    ablate = [("blocks.0.attn.hook_z", functools.partial(ref.zero_ablate_head_hook, head=0))]
    cases: list[Case] = [
        ("attn-only-2l on 3 × [BOS, r, r], seq_len 6, fwd_hooks left out", (model, data, 6)),
        ("attn-only-2l, same data, L0H0 zero-ablated", (model, data, 6, ablate)),
        ("the tiny model on 2 × [BOS, r, r], seq_len 5", (small, small_data, 5), {"fwd_hooks": ()}),
    ]
    for case in cases:
        label, args = case[0], case[1]
        kwargs = case[2] if len(case) == 3 else {}
        got = call(repeat_loss, *args, name="repeat_loss", context=label, **kwargs)
        with torch.no_grad():
            expected = ref.repeat_loss(*args, **kwargs)
        _scalar(
            got, expected, context=label, atol=1e-4,
            hint="average per_token_loss over the columns that predict r_2 … r_L of the repeat "
            "(positions seq_len + 2 … 2 * seq_len, i.e. columns seq_len + 1 onwards): not the first "
            "copy, not the repeat's first token. Pass fwd_hooks to run_with_hooks.",
        )
    check_defaults(repeat_loss, ref.repeat_loss, name="repeat_loss")


# ------------------------------------------------------------------------------------------
# Part 5 · circuits
# ------------------------------------------------------------------------------------------
@torch.no_grad()
def _circuit_check(fn, reference, *, name: str, hint: str, heads) -> None:
    for label, model, layer, head in heads:
        got = call(fn, model, layer, head, name=name, context=label)
        expect_tensor(_matrix(got, name=name, context=label), reference(model, layer, head).AB.detach(),
                      context=label, atol=1e-5, hint=hint)


_HEADS = [
    ("attn-only-2l, layer 0, head 0", "ao", 0, 0),
    ("attn-only-2l, layer 1, head 1", "ao", 1, 1),
    ("the tiny model, layer 1, head 2", "tiny", 1, 2),
    ("the tiny model, layer 2, head 0", "tiny", 2, 0),
]


def _heads():
    return [(label, attn_only() if which == "ao" else tiny(), layer, head) for label, which, layer, head in _HEADS]


@check(SECTION, "ov_circuit", points=1, timeout=20)
def check_ov_circuit(ov_circuit) -> None:
    """Heads of both models; the product must be W_V W_O, not its transpose."""
    _circuit_check(
        ov_circuit, ref.ov_circuit, name="ov_circuit", heads=_heads(),
        hint="with row vectors a value is x @ W_V and the head writes z @ W_O, so W_OV = W_V @ W_O: "
        "FactoredMatrix(W_V[layer, head], W_O[layer, head]) — W_V first.",
    )


@check(SECTION, "qk_circuit", points=1, timeout=20)
def check_qk_circuit(qk_circuit) -> None:
    """Heads of both models; the product must be W_Q W_K^T, not its transpose."""
    _circuit_check(
        qk_circuit, ref.qk_circuit, name="qk_circuit", heads=_heads(),
        hint="the score is (x_q W_Q)(x_k W_K)^T = x_q (W_Q W_K^T) x_k^T: "
        "FactoredMatrix(W_Q[layer, head], W_K[layer, head].T) — the query side first.",
    )


@check(SECTION, "full_ov_circuit", points=2, timeout=20)
def check_full_ov_circuit(full_ov_circuit) -> None:
    """Heads of both models (d_vocab × d_vocab)."""
    _circuit_check(
        full_ov_circuit, ref.full_ov_circuit, name="full_ov_circuit", heads=_heads(),
        hint="W_E @ W_OV @ W_U with W_OV = W_V @ W_O of that head: rows are attended tokens, "
        "columns output logits. Multiply the FactoredMatrix by W_E on the left and W_U on the right.",
    )


@check(SECTION, "top1_diagonal_fraction", points=1)
def check_top1_diagonal_fraction(top1_diagonal_fraction) -> None:
    """Random square circuits with planted diagonals (asymmetric, so rows and columns differ)."""
    from transformer_lens import FactoredMatrix

    for i, (n, k, boost) in enumerate([(8, 3, 2.5), (12, 5, 1.5), (6, 6, 4.0), (5, 2, 0.0)]):
        a, b = randn(n, k, seed=60 + i), randn(k, n, seed=70 + i)
        if boost:
            rows = torch.arange(0, n, 2)
            extra = torch.zeros(n, n)
            extra[rows, rows] = boost * 3
            a = torch.cat([a, extra], dim=1)
            b = torch.cat([b, torch.eye(n)], dim=0)
        label = f"a {n} × {n} FactoredMatrix (inner size {a.shape[1]}), seed {60 + i}"
        fm = FactoredMatrix(a, b)
        got = call(top1_diagonal_fraction, fm, name="top1_diagonal_fraction", context=label)
        _scalar(got, ref.top1_diagonal_fraction(fm), context=label, atol=1e-6,
                hint="for each row t (input token), take argmax over the *columns* (output logits, the "
                "last axis) and compare with t; return the fraction of rows where they agree, as a float.")


@check(SECTION, "positional_qk_pattern", points=2, timeout=20)
def check_positional_qk_pattern(positional_qk_pattern) -> None:
    """attn-only-2l (attn_scale 1) and the tiny model (attn_scale 2: a forgotten scale shows)."""
    for label, model, layer, head in _heads():
        got = call(positional_qk_pattern, model, layer, head, name="positional_qk_pattern", context=label)
        expect_tensor(
            got, ref.positional_qk_pattern(model, layer, head).detach(), context=label, atol=1e-5,
            hint="scores = W_pos @ W_Q W_K^T @ W_pos.T divided by model.cfg.attn_scale; -inf above the "
            "diagonal (keys after the query) before a softmax over keys (the last axis).",
        )


@check(SECTION, "composition_score", points=2)
def check_composition_score(composition_score) -> None:
    """Random square matrices at scales 1 and 100 (the score must not change), low rank, identity."""
    cases: list[Case] = [
        ("two random 6 × 6 matrices, seed 0", (randn(6, 6, seed=0), randn(6, 6, seed=1))),
        ("the same matrices times 100 and 0.01", (randn(6, 6, seed=0) * 100, randn(6, 6, seed=1) * 0.01)),
        ("rank-2 8 × 8 matrices", (randn(8, 2, seed=2) @ randn(2, 8, seed=3), randn(8, 2, seed=4) @ randn(2, 8, seed=5))),
        ("w_a = identity (4 × 4), w_b random", (torch.eye(4), randn(4, 4, seed=6))),
    ]
    for label, args in cases:
        got = call(composition_score, *args, name="composition_score", context=label)
        _scalar(got, ref.composition_score(*args), context=label, atol=1e-5, rtol=1e-4,
                hint="||w_a @ w_b||_F / (||w_a||_F · ||w_b||_F): Frobenius norms (not spectral), the "
                "product in the order w_a @ w_b, divided by *both* norms so that rescaling either "
                "matrix leaves the score unchanged.")


@check(SECTION, "k_composition_scores", points=2, timeout=20)
def check_k_composition_scores(k_composition_scores) -> None:
    """attn-only-2l with the default layers; the tiny model's 3 × 3 heads, layers (0, 1) and (1, 2)."""
    cases: list[Case] = [
        ("attn-only-2l, default layers (0 → 1)", (attn_only(),)),
        ("the tiny model, default layers (0 → 1)", (tiny(),)),
        ("the tiny model, src_layer=1, dst_layer=2", (tiny(), 1, 2)),
    ]
    with torch.no_grad():  # weights only: no graph, and no autograd warning for float(tensor)
        compare_to_reference(
            k_composition_scores, ref.k_composition_scores, cases, name="k_composition_scores", atol=1e-4,
            hint="out[i, j] = composition_score(W_OV of src head i, (W_QK of dst head j).T), with "
            "W_OV = W_V W_O and W_QK = W_Q W_K^T: rows are source heads, columns destination heads.",
        )
