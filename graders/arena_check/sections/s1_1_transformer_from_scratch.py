"""Checks for section 1.1 — transformer from scratch.

Modules are checked on tiny configurations: the learner's module and the reference are built from
the same config, the parameter names and shapes must match the docstring's (they are what lets a
``HookedTransformer``'s ``state_dict()`` load), the reference's *seeded random* weights — biases
and norm scales included, so that a dropped bias shows — are copied into the learner's module, and
the outputs must agree. A separate check per module looks at the initialisation the docstring
promises. Inputs are chosen so that each classic bug moves the numbers far outside the tolerance:

* norms: inputs far from the origin (centring), tiny inputs where ``eps`` dominates (inside or
  outside the square root), ``d_model = 4`` where biased and unbiased variances differ by a third;
* attention: several heads with ``d_head = 4`` (a missing ``1/sqrt(d_head)`` halves the scores),
  ``pos = 1`` and ``pos = n_ctx``, the mask checked exactly on square and rectangular scores;
* rotary: offsets, several ``d_head`` and bases; repeat_kv exactly, with distinct heads;
* the full GPT-2 once on the zoo's ``gpt2-mini`` weights against TransformerLens (a fixture);
* training: one step's loss, gradients and updated parameters, starting from stale gradients;
* sampling: fixed logits and seeds, with a fresh generator for the learner and the reference.

Inputs are built inside the checks, never at import time.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from arena_check.reference import s1_1_transformer_from_scratch as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    _CASE_ATTR,
    Case,
    CheckFailed,
    call,
    case_of,
    compare_to_reference,
    describe,
    expect_equal,
    expect_tensor,
    randint,
    randn,
    seeded,
)

SECTION = "1.1"


@fixture(SECTION)
def gpt2_mini() -> Any:
    from arena_check.kit import zoo

    return zoo.load("gpt2-mini")


# ------------------------------------------------------------------------------------------
# Helpers for modules
# ------------------------------------------------------------------------------------------
def _cfg(**changes: Any) -> ref.Config:
    sizes = dict(d_model=12, d_vocab=23, n_ctx=7, d_head=4, n_heads=3, d_mlp=20, n_layers=2)
    return ref.Config(**{**sizes, **changes})


def _llama_cfg(**changes: Any) -> ref.LlamaConfig:
    sizes = dict(d_model=12, d_vocab=23, d_head=6, n_heads=6, n_kv_heads=2, d_mlp=20, n_layers=2, rope_base=50.0)
    return ref.LlamaConfig(**{**sizes, **changes})


def _describe_cfg(cfg: Any) -> str:
    fields = ("d_model", "n_heads", "n_kv_heads", "d_head", "d_mlp", "n_layers", "d_vocab", "n_ctx")
    return "config(" + ", ".join(f"{f}={getattr(cfg, f)}" for f in fields if hasattr(cfg, f)) + ")"


def _build(cls: Any, cfg: Any, *, name: str) -> nn.Module:
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise CheckFailed(
            f"`{name}` should be a class that subclasses nn.Module; your file defines it as {describe(cls)}."
        )
    context = f"{name}({_describe_cfg(cfg)})"
    module = call(cls, cfg, name=name, context=context)
    if not isinstance(module, nn.Module):
        raise CheckFailed(f"For {context}: `{name}(cfg)` should build an nn.Module, got {describe(module)}.")
    return module


def _randomised(ref_cls: type, cfg: Any, seed: int) -> nn.Module:
    """The reference module with seeded random parameters: weights ~ N(0, 0.5²), norm scales
    1 + N(0, 0.3²), biases N(0, 0.3²) — every parameter matters, none is at its default."""
    module = ref_cls(cfg)
    gen = seeded(seed)
    with torch.no_grad():
        for pname, p in module.named_parameters():
            last = pname.rsplit(".", 1)[-1]
            noise = torch.randn(p.shape, generator=gen)
            if last == "w":
                p.copy_(1 + 0.3 * noise)
            elif last.startswith("b"):
                p.copy_(0.3 * noise)
            else:
                p.copy_(0.5 * noise)
    return module.eval()


def _same_parameters(module: nn.Module, reference: nn.Module, *, context: str, hint: str) -> None:
    got = {n: tuple(p.shape) for n, p in module.named_parameters()}
    expected = {n: tuple(p.shape) for n, p in reference.named_parameters()}
    if got != expected:
        missing = [f"{n} {s}" for n, s in expected.items() if got.get(n) != s]
        extra = [f"{n} {s}" for n, s in got.items() if expected.get(n) != s]
        raise CheckFailed(
            f"For {context}: the parameters should be named and shaped as the docstring says. "
            f"Expected but not found: {', '.join(missing) or 'none'}; found but not expected: "
            f"{', '.join(extra) or 'none'}. Hint: {hint}"
        )


def _load(module: nn.Module, reference: nn.Module) -> None:
    mine = dict(module.named_parameters())
    with torch.no_grad():
        for n, p in reference.named_parameters():
            mine[n].copy_(p)


def _compare_module(
    cls: Any,
    ref_cls: type,
    cfg: Any,
    inputs: list[tuple[str, Tensor]],
    *,
    name: str,
    hint: str,
    seed: int = 0,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """The learner's module with the reference's random weights gives the reference's outputs."""
    module = _build(cls, cfg, name=name)
    reference = _randomised(ref_cls, cfg, seed)
    context = f"{name}({_describe_cfg(cfg)})"
    _same_parameters(module, reference, context=context, hint=hint)
    _load(module, reference)
    module.eval()
    for label, x in inputs:
        where = f"{context} with random weights (seed {seed}) on {label}"
        with torch.no_grad():
            got = call(module, x, name=name, context=where)
            expected = reference(x)
        expect_tensor(got, expected, context=where, hint=hint, atol=atol, rtol=rtol)


def _check_init(cls: Any, ref_cls: type, cfg: Any, *, name: str) -> None:
    """Constant-initialised parameters (norm scales, biases) exactly as the reference's; random ones
    with mean ≈ 0 and standard deviation ≈ init_range — set to 0.05, not the default 0.02, so that a
    hard-coded 0.02 shows."""
    cfg = dataclasses.replace(cfg, init_range=0.05)
    torch.manual_seed(0)
    module = _build(cls, cfg, name=name)
    reference = ref_cls(cfg)
    context = f"{name}({_describe_cfg(cfg)}) freshly built"
    _same_parameters(module, reference, context=context, hint="use the names and shapes of the docstring.")
    mine = dict(module.named_parameters())
    for pname, p in reference.named_parameters():
        got = mine[pname].detach()
        if p.detach().std() == 0:  # a constant init
            expect_tensor(got, p.detach(), context=f"{context}: `{pname}`", exact=True,
                          hint=f"`{pname.rsplit('.', 1)[-1]}` starts at {float(p.detach().flatten()[0]):g} "
                               "everywhere (ones for norm scales, zeros for biases).")
            continue
        std, mean = float(got.float().std()), float(got.float().mean())
        if not (0.8 * cfg.init_range < std < 1.2 * cfg.init_range) or abs(mean) > 0.2 * cfg.init_range:
            raise CheckFailed(
                f"For {context}: `{pname}` should be initialised from N(0, init_range²) with "
                f"init_range={cfg.init_range}; its values have mean {mean:.3g} and standard deviation "
                f"{std:.3g}. Hint: nn.init.normal_(param, std=cfg.init_range) (torch.empty leaves garbage, "
                "torch.randn has std 1)."
            )


def _resid(batch: int, pos: int, d_model: int, seed: int, scale: float = 1.0, shift: float = 0.0) -> Tensor:
    return shift + scale * randn(batch, pos, d_model, seed=seed)


# ------------------------------------------------------------------------------------------
# Part 1 · GPT-2
# ------------------------------------------------------------------------------------------
_LN_HINT = (
    "subtract each position's mean over d_model, divide by sqrt(biased variance + eps) — eps inside "
    "the square root, variance dividing by d_model (unbiased=False) — then multiply by w and add b."
)


@check(SECTION, "LayerNorm", points=2)
def check_LayerNorm(LayerNorm) -> None:
    """Offset inputs (centring), d_model = 4 (biased variance), tiny inputs (eps placement)."""
    cfg = _cfg(d_model=4)
    _compare_module(LayerNorm, ref.LayerNorm, cfg, [
        ("x ~ N(0, 1), shape (2, 3, 4)", _resid(2, 3, 4, seed=1)),
        ("x ~ N(50, 1), far from the origin", _resid(1, 5, 4, seed=2, shift=50.0)),
        ("tiny x ~ N(0, 0.003²), where eps matters", _resid(2, 2, 4, seed=3, scale=3e-3)),
    ], name="LayerNorm", hint=_LN_HINT)
    _compare_module(LayerNorm, ref.LayerNorm, _cfg(d_model=12, layer_norm_eps=1e-2), [
        ("x ~ N(0, 0.1²) with eps=1e-2", _resid(1, 3, 12, seed=4, scale=0.1)),
    ], name="LayerNorm", hint=_LN_HINT + " Read eps from cfg.layer_norm_eps.", seed=1)
    _check_init(LayerNorm, ref.LayerNorm, _cfg(), name="LayerNorm")


@check(SECTION, "Embed", points=1)
def check_Embed(Embed) -> None:
    cfg = _cfg()
    hint = "W_E has one row per vocabulary entry; forward returns W_E[tokens]."
    _compare_module(Embed, ref.Embed, cfg, [
        ("tokens of shape (2, 5)", randint(23, 2, 5, seed=1)),
        ("a single token, shape (1, 1)", torch.tensor([[22]])),
    ], name="Embed", hint=hint, atol=0, rtol=0)
    _check_init(Embed, ref.Embed, _cfg(d_vocab=200, d_model=32), name="Embed")


@check(SECTION, "PosEmbed", points=1)
def check_PosEmbed(PosEmbed) -> None:
    cfg = _cfg()
    hint = "position p gets W_pos[p] for every sequence of the batch; use the first `pos` rows of W_pos."
    _compare_module(PosEmbed, ref.PosEmbed, cfg, [
        ("tokens of shape (3, 4)", randint(23, 3, 4, seed=1)),
        ("tokens of shape (1, 7) (pos = n_ctx)", randint(23, 1, 7, seed=2)),
        ("tokens of shape (2, 1)", randint(23, 2, 1, seed=3)),
    ], name="PosEmbed", hint=hint, atol=0, rtol=0)
    _check_init(PosEmbed, ref.PosEmbed, _cfg(n_ctx=100, d_model=32), name="PosEmbed")


@check(SECTION, "apply_causal_mask", points=2)
def check_apply_causal_mask(apply_causal_mask) -> None:
    """Square and rectangular scores; masked values exactly -inf, the rest untouched."""
    cases: list[Case] = [
        ("scores of shape (2, 3, 5, 5)", (randn(2, 3, 5, 5, seed=0),)),
        ("scores of shape (1, 1, 1, 1) (one position)", (randn(1, 1, 1, 1, seed=1),)),
        ("scores of shape (1, 2, 2, 6): 2 new queries after 4 cached keys", (randn(1, 2, 2, 6, seed=2),)),
        ("scores of shape (2, 1, 1, 4): 1 new query after 3 cached keys", (randn(2, 1, 1, 4, seed=3),)),
    ]
    compare_to_reference(
        apply_causal_mask, ref.apply_causal_mask, cases, name="apply_causal_mask", exact=True,
        hint="query i may see key j iff j <= i + (k_pos - q_pos): its own position stays visible (not "
        "masked), the next one is hidden. Fill the hidden scores with float('-inf'), keep the others, "
        "and return a new tensor.",
    )


_ATTN_HINT = (
    "q, k, v = x·W + b per head; scores = q·k / sqrt(d_head) of shape (batch, n_heads, q_pos, k_pos); "
    "apply_causal_mask; softmax over the LAST axis (keys); z = pattern·v; output = sum over heads of "
    "z·W_O[h], plus b_O."
)


def _attention_inputs(d_model: int, n_ctx: int) -> list[tuple[str, Tensor]]:
    return [
        ("x of shape (2, 5, 12)", _resid(2, 5, d_model, seed=10)),
        ("x of shape (1, 1, 12) (one position)", _resid(1, 1, d_model, seed=11)),
        (f"x of shape (1, {n_ctx}, 12)", _resid(1, n_ctx, d_model, seed=12)),
    ]


@check(SECTION, "Attention", points=3)
def check_Attention(Attention) -> None:
    cfg = _cfg()
    _compare_module(Attention, ref.Attention, cfg, _attention_inputs(12, 7), name="Attention", hint=_ATTN_HINT)
    _compare_module(Attention, ref.Attention, _cfg(d_head=9, n_heads=2), [
        ("x of shape (2, 4, 12), d_head=9", _resid(2, 4, 12, seed=13)),
    ], name="Attention", hint=_ATTN_HINT + " Divide by sqrt(cfg.d_head), not by a number you chose.", seed=1)


@check(SECTION, "Attention", points=1)
def check_Attention_init(Attention) -> None:
    _check_init(Attention, ref.Attention, _cfg(d_model=32, d_head=16, n_heads=4), name="Attention")


@check(SECTION, "MLP", points=1)
def check_MLP(MLP) -> None:
    hint = "gelu_tanh(x @ W_in + b_in) @ W_out + b_out, with F.gelu(..., approximate='tanh')."
    _compare_module(MLP, ref.MLP, _cfg(), [
        ("x of shape (2, 3, 12)", _resid(2, 3, 12, seed=20)),
        ("x of shape (1, 1, 12)", _resid(1, 1, 12, seed=21, scale=2.0)),
    ], name="MLP", hint=hint)
    _check_init(MLP, ref.MLP, _cfg(d_model=32, d_mlp=64), name="MLP")


@check(SECTION, "TransformerBlock", points=2)
def check_TransformerBlock(TransformerBlock) -> None:
    hint = ("resid + attn(ln1(resid)), then + mlp(ln2(·)) on the result: the norms are inside the "
            "branches and the residual stream itself is not normalised.")
    _compare_module(TransformerBlock, ref.TransformerBlock, _cfg(), [
        ("resid of shape (2, 5, 12)", _resid(2, 5, 12, seed=30, scale=2.0, shift=1.0)),
        ("resid of shape (1, 1, 12)", _resid(1, 1, 12, seed=31, scale=2.0)),
    ], name="TransformerBlock", hint=hint)


@check(SECTION, "Unembed", points=1)
def check_Unembed(Unembed) -> None:
    _compare_module(Unembed, ref.Unembed, _cfg(), [
        ("x of shape (2, 3, 12)", _resid(2, 3, 12, seed=40)),
    ], name="Unembed", hint="x @ W_U + b_U, W_U of shape (d_model, d_vocab).")
    _check_init(Unembed, ref.Unembed, _cfg(d_model=32, d_vocab=64), name="Unembed")


@check(SECTION, "DemoTransformer", points=2)
def check_DemoTransformer(DemoTransformer) -> None:
    hint = ("embed(tokens) + pos_embed(tokens), each block in order, ln_final, unembed; submodules named "
            "embed, pos_embed, blocks (an nn.ModuleList), ln_final, unembed.")
    _compare_module(DemoTransformer, ref.DemoTransformer, _cfg(), [
        ("tokens of shape (2, 6)", randint(23, 2, 6, seed=50)),
        ("tokens of shape (1, 1)", randint(23, 1, 1, seed=51)),
    ], name="DemoTransformer", hint=hint, atol=1e-4)


@check(SECTION, "DemoTransformer", points=2, timeout=30)
def check_DemoTransformer_gpt2_mini(DemoTransformer) -> None:
    """The target: gpt2-mini's weights, logits equal to the HookedTransformer's within 1e-4."""
    hooked = gpt2_mini()
    model = _build(DemoTransformer, ref.Config(), name="DemoTransformer")
    context = "DemoTransformer(Config()) loaded with gpt2-mini's state_dict()"
    try:
        result = model.load_state_dict(hooked.state_dict(), strict=False)
    except RuntimeError as e:
        raise CheckFailed(f"For {context}: load_state_dict failed: {str(e).splitlines()[0]} Hint: use "
                          "TransformerLens's parameter names and shapes, as the docstrings say.") from None
    if result.missing_keys:
        raise CheckFailed(f"For {context}: these parameters got no weights: {', '.join(result.missing_keys[:6])}.")
    tokens = hooked.to_tokens(["def f(x):\n    return x", "A list is a sequence"])
    where = f"{context}, on two short texts"
    model.eval()
    with torch.no_grad():
        got = call(model, tokens, name="DemoTransformer", context=where)
        expected = hooked(tokens)
    expect_tensor(got, expected, context=where, atol=1e-4, rtol=1e-5,
                  hint="compare each component with its own check first; GELU must be the tanh version.")


# ------------------------------------------------------------------------------------------
# Part 2 · Llama
# ------------------------------------------------------------------------------------------
@check(SECTION, "RMSNorm", points=2)
def check_RMSNorm(RMSNorm) -> None:
    hint = ("x / sqrt(mean(x²) + eps) * w: no mean subtracted, no bias, eps inside the square root, "
            "the mean over d_model.")
    _compare_module(RMSNorm, ref.RMSNorm, _llama_cfg(d_model=4), [
        ("x ~ N(0, 1), shape (2, 3, 4)", _resid(2, 3, 4, seed=60)),
        ("x ~ N(20, 1), far from the origin", _resid(1, 4, 4, seed=61, shift=20.0)),
        ("tiny x ~ N(0, 0.002²), where eps matters", _resid(1, 3, 4, seed=62, scale=2e-3)),
    ], name="RMSNorm", hint=hint)
    _compare_module(RMSNorm, ref.RMSNorm, _llama_cfg(rms_norm_eps=1e-2), [
        ("x ~ N(0, 0.1²) with eps=1e-2", _resid(1, 2, 12, seed=63, scale=0.1)),
    ], name="RMSNorm", hint=hint + " Read eps from cfg.rms_norm_eps.", seed=1)
    _check_init(RMSNorm, ref.RMSNorm, _llama_cfg(), name="RMSNorm")


@check(SECTION, "apply_rotary", points=3)
def check_apply_rotary(apply_rotary) -> None:
    cases: list[Case] = [
        ("x of shape (2, 5, 3, 8), base left out (default 10000)", (randn(2, 5, 3, 8, seed=70),)),
        ("x of shape (1, 6, 2, 6), base=50", (randn(1, 6, 2, 6, seed=71), 50.0)),
        ("x of shape (1, 3, 1, 4), base=10, offset=5", (randn(1, 3, 1, 4, seed=72), 10.0, 5)),
        ("x of shape (2, 1, 2, 8), offset=7 left as keyword", (randn(2, 1, 2, 8, seed=73),), {"offset": 7}),
        ("float64 x of shape (1, 4, 1, 2), base=3", (randn(1, 4, 1, 2, seed=74, dtype=torch.float64), 3.0)),
    ]
    compare_to_reference(
        apply_rotary, ref.apply_rotary, cases, name="apply_rotary", atol=1e-5, rtol=1e-4,
        hint="pair coordinate i with i + d_head/2 (the halves, not neighbours); rotate (x1, x2) to "
        "(x1·cos − x2·sin, x2·cos + x1·sin) with angle (offset + p)·base^(−2i/d_head); return x's dtype.",
    )


@check(SECTION, "repeat_kv", points=2)
def check_repeat_kv(repeat_kv) -> None:
    cases: list[Case] = [
        ("x with 3 KV heads of shape (2, 4, 3, 5), n_heads=6", (randn(2, 4, 3, 5, seed=80), 6)),
        ("x with 2 KV heads of shape (1, 3, 2, 4), n_heads=8", (randn(1, 3, 2, 4, seed=81), 8)),
        ("x with 1 KV head of shape (1, 2, 1, 3), n_heads=4", (randn(1, 2, 1, 3, seed=82), 4)),
        ("x with 3 KV heads, n_heads=3 (no grouping)", (randn(2, 2, 3, 2, seed=83), 3)),
    ]
    compare_to_reference(
        repeat_kv, ref.repeat_kv, cases, name="repeat_kv", exact=True,
        hint="output head h is KV head h // (n_heads // n_kv_heads): with 2 KV heads and 6 query heads the "
        "order is 0, 0, 0, 1, 1, 1 (repeat_interleave), not 0, 1, 0, 1, 0, 1 (repeat/tile).",
    )


@check(SECTION, "GatedMLP", points=1)
def check_GatedMLP(GatedMLP) -> None:
    hint = "(silu(x @ W_gate) * (x @ W_in)) @ W_out: the SiLU on the gate branch only, no biases."
    _compare_module(GatedMLP, ref.GatedMLP, _llama_cfg(), [
        ("x of shape (2, 3, 12)", _resid(2, 3, 12, seed=90)),
        ("x of shape (1, 1, 12)", _resid(1, 1, 12, seed=91, scale=2.0)),
    ], name="GatedMLP", hint=hint)
    _check_init(GatedMLP, ref.GatedMLP, _llama_cfg(d_model=32, d_mlp=64), name="GatedMLP")


@check(SECTION, "LlamaAttention", points=3)
def check_LlamaAttention(LlamaAttention) -> None:
    hint = ("rotate q and k (not v) with apply_rotary(·, cfg.rope_base), expand k and v with repeat_kv "
            "(contiguous groups), divide scores by sqrt(d_head), causal mask, softmax over keys, sum heads "
            "through W_O; no biases.")
    _compare_module(LlamaAttention, ref.LlamaAttention, _llama_cfg(), [
        ("x of shape (2, 5, 12)", _resid(2, 5, 12, seed=100)),
        ("x of shape (1, 1, 12)", _resid(1, 1, 12, seed=101)),
        ("x of shape (1, 8, 12)", _resid(1, 8, 12, seed=102)),
    ], name="LlamaAttention", hint=hint)
    _compare_module(LlamaAttention, ref.LlamaAttention, _llama_cfg(n_heads=4, n_kv_heads=4, d_head=8, rope_base=20.0), [
        ("x of shape (1, 6, 12), n_kv_heads == n_heads, rope_base=20", _resid(1, 6, 12, seed=103)),
    ], name="LlamaAttention", hint=hint, seed=1)
    _check_init(LlamaAttention, ref.LlamaAttention, _llama_cfg(d_model=32, d_head=8, n_heads=4, n_kv_heads=2),
                name="LlamaAttention")


# ------------------------------------------------------------------------------------------
# Part 3 · Training
# ------------------------------------------------------------------------------------------
@check(SECTION, "next_token_loss", points=2)
def check_next_token_loss(next_token_loss) -> None:
    cases: list[Case] = [
        ("logits (2, 5, 7), tokens (2, 5)", (randn(2, 5, 7, seed=110), randint(7, 2, 5, seed=111))),
        ("logits (1, 2, 4), tokens (1, 2) (one prediction)", (randn(1, 2, 4, seed=112), randint(4, 1, 2, seed=113))),
        ("logits (3, 4, 5) near ±1000", (1000 * randn(3, 4, 5, seed=114), randint(5, 3, 4, seed=115))),
        ("square: logits (3, 3, 3), tokens (3, 3)", (randn(3, 3, 3, seed=116), randint(3, 3, 3, seed=117))),
    ]
    compare_to_reference(
        next_token_loss, ref.next_token_loss, cases, name="next_token_loss", atol=1e-4, rtol=1e-5,
        hint="logits[:, :-1] predict tokens[:, 1:]; average -log_softmax(...) of the right token over batch "
        "and positions; log_softmax (not log(softmax)) stays finite for huge logits.",
    )


def _run(fn: Callable[..., Any], *args: Any, context: str) -> Any:
    """Call ``fn``, which is meant to change its arguments (a training step updates the model), so
    not through :func:`call`; an exception still names the input case."""
    try:
        return fn(*args)
    except CheckFailed:
        raise
    except BaseException as e:
        if case_of(e) is None:
            try:
                setattr(e, _CASE_ATTR, context)
            except Exception:  # noqa: BLE001
                pass
        raise


def _tiny_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return ref.DemoTransformer(_cfg(d_vocab=11, n_ctx=6, n_layers=1))


@check(SECTION, "train_step", points=2)
def check_train_step(train_step) -> None:
    """One SGD step from stale gradients: loss, gradients and new parameters equal the reference's."""
    for seed, batch in [(0, 3), (1, 1)]:
        base = _tiny_model(seed)
        tokens = randint(11, batch, 6, seed=120 + seed)
        context = f"one train_step with SGD(lr=0.5) on a 1-layer model, tokens {tuple(tokens.shape)}, starting " \
                  "with stale gradients in .grad"
        models = []
        for _ in range(2):
            model = ref.DemoTransformer(_cfg(d_vocab=11, n_ctx=6, n_layers=1))
            model.load_state_dict(base.state_dict())
            for p in model.parameters():
                p.grad = torch.ones_like(p)  # left over from an earlier batch
            models.append(model)
        mine, theirs = models
        loss = _run(train_step, mine, torch.optim.SGD(mine.parameters(), lr=0.5), tokens, context=context)
        expected = ref.train_step(theirs, torch.optim.SGD(theirs.parameters(), lr=0.5), tokens)
        if not isinstance(loss, float):
            raise CheckFailed(f"For {context}: expected the loss as a Python float, got {describe(loss)}. "
                              "Hint: loss.item().")
        if not math.isclose(loss, expected, rel_tol=1e-5, abs_tol=1e-6):
            raise CheckFailed(f"For {context}: expected loss {expected:.6f}, got {loss:.6f}. Hint: "
                              "next_token_loss(model(tokens), tokens), computed before the update.")
        hint = ("zero the gradients first (optimizer.zero_grad()), then loss.backward(), then optimizer.step() "
                "— in that order, once each.")
        for (n, p), q in zip(mine.named_parameters(), theirs.parameters(), strict=True):
            expect_tensor(p.grad, q.grad, context=f"{context}: the gradient of {n}", hint=hint)
            expect_tensor(p.detach(), q.detach(), context=f"{context}: {n} after the step", hint=hint)


# ------------------------------------------------------------------------------------------
# Part 4 · Sampling
# ------------------------------------------------------------------------------------------
@check(SECTION, "apply_frequency_penalty", points=2)
def check_apply_frequency_penalty(apply_frequency_penalty) -> None:
    cases: list[Case] = [
        ("2 rows with repeated tokens, penalty 0.5",
         (randn(2, 6, seed=130), torch.tensor([[1, 1, 1, 4], [0, 5, 5, 2]]), 0.5)),
        ("3 rows of 8 random tokens of 5, penalty 1.5", (randn(3, 5, seed=131), randint(5, 3, 8, seed=132), 1.5)),
        ("1 row, one token seen once, penalty 2", (randn(1, 4, seed=133), torch.tensor([[3]]), 2.0)),
        ("float64 logits, penalty 0.25", (randn(2, 4, seed=134, dtype=torch.float64), randint(4, 2, 6, seed=135), 0.25)),
    ]
    compare_to_reference(
        apply_frequency_penalty, ref.apply_frequency_penalty, cases, name="apply_frequency_penalty",
        hint="count each token in its OWN row's input_ids, with repeats (a token seen 3 times loses 3 × "
        "penalty); subtract from the logits; keep the logits' dtype.",
    )


@check(SECTION, "top_k_filter", points=2)
def check_top_k_filter(top_k_filter) -> None:
    cases: list[Case] = [
        ("3 rows of 8 logits, k=3", (randn(3, 8, seed=140), 3)),
        ("2 rows of 5 logits, k=1", (randn(2, 5, seed=141), 1)),
        ("1 row of 4 logits, k=4 (keep all)", (randn(1, 4, seed=142), 4)),
    ]
    compare_to_reference(
        top_k_filter, ref.top_k_filter, cases, name="top_k_filter", exact=True,
        hint="per row, keep the k largest logits (the k-th largest included) and set the rest to "
        "float('-inf'); kept values are unchanged.",
    )


@check(SECTION, "top_p_filter", points=3)
def check_top_p_filter(top_p_filter) -> None:
    logits = torch.tensor([[2.0, 0.5, 1.0, -1.0, 0.0], [0.1, 0.3, -0.2, 0.25, 0.0]])
    cases: list[Case] = [
        ("2 rows of 5 known logits, p=0.6", (logits, 0.6)),
        ("2 rows of 5 known logits, p=0.9", (logits, 0.9)),
        ("4 rows of 10 random logits, p=0.5", (randn(4, 10, seed=150), 0.5)),
        ("3 rows of 7 random logits, p=0.05 (top token only)", (randn(3, 7, seed=151), 0.05)),
        ("2 rows of 6 random logits, p=1.0 (keep all)", (randn(2, 6, seed=152), 1.0)),
        ("1 row of 9 random logits (batch 1), p=0.7", (randn(1, 9, seed=153), 0.7)),
    ]
    compare_to_reference(
        top_p_filter, ref.top_p_filter, cases, name="top_p_filter", exact=True,
        hint="sort each row's probabilities in descending order and keep tokens while the mass BEFORE them is "
        "below p — the token whose probability crosses p is kept — then map the decision back to vocabulary "
        "order; dropped logits become float('-inf'), kept ones are unchanged.",
    )


def _compare_sampler(fn: Callable[..., Any], cases: list[tuple[str, tuple[Any, ...], dict[str, Any], int]], hint: str) -> None:
    from arena_check.testing import check_defaults

    check_defaults(fn, ref.sample_next_token, name="sample_next_token")
    for context, args, kwargs, seed in cases:
        got = call(fn, *args, name="sample_next_token", context=context, generator=seeded(seed), **kwargs)
        expected = ref.sample_next_token(*args, generator=seeded(seed), **kwargs)
        expect_tensor(got, expected, context=context, exact=True, hint=hint)
    # Two calls sharing one generator: the second draw matches only if the first drew exactly once.
    context, args, kwargs, seed = cases[0]
    context = f"{context}, called twice with the same generator (the second call's tokens)"
    mine, theirs = seeded(seed), seeded(seed)
    call(fn, *args, name="sample_next_token", context=context, generator=mine, **kwargs)
    got = call(fn, *args, name="sample_next_token", context=context, generator=mine, **kwargs)
    ref.sample_next_token(*args, generator=theirs, **kwargs)
    expected = ref.sample_next_token(*args, generator=theirs, **kwargs)
    expect_tensor(got, expected, context=context, exact=True,
                  hint="draw with exactly one torch.multinomial(probs, num_samples=1, generator=generator) per call, "
                  "so that the generator advances as the reference's does.")


@check(SECTION, "sample_next_token", points=3)
def check_sample_next_token(sample_next_token) -> None:
    logits = 2 * randn(64, 8, seed=160)
    ids = randint(8, 64, 5, seed=161)
    cases = [
        ("64 rows of 8 logits, defaults, seed 0", (logits, ids), {}, 0),
        ("64 rows, temperature=0 (greedy)", (logits, ids), {"temperature": 0.0}, 1),
        ("64 rows, temperature=0, frequency_penalty=2", (logits, ids), {"temperature": 0.0, "frequency_penalty": 2.0}, 1),
        ("64 rows, temperature=0.5, seed 2", (logits, ids), {"temperature": 0.5}, 2),
        ("64 rows, temperature=3, seed 3", (logits, ids), {"temperature": 3.0}, 3),
        ("64 rows, top_k=2, seed 4", (logits, ids), {"top_k": 2}, 4),
        ("64 rows, top_p=0.5, seed 5", (logits, ids), {"top_p": 0.5}, 5),
        ("64 rows, temperature=2, top_p=0.6, seed 6", (logits, ids), {"temperature": 2.0, "top_p": 0.6}, 6),
        ("64 rows, temperature=0.7, top_k=4, top_p=0.8, frequency_penalty=1, seed 7",
         (logits, ids), {"temperature": 0.7, "top_k": 4, "top_p": 0.8, "frequency_penalty": 1.0}, 7),
        ("1 row of 8 logits (batch 1), temperature=0.8, seed 8", (logits[:1], ids[:1]), {"temperature": 0.8}, 8),
        ("1 row of 8 logits (batch 1), temperature=0", (logits[1:2], ids[1:2]), {"temperature": 0.0}, 9),
    ]
    _compare_sampler(sample_next_token, cases, hint=(
        "penalty first; temperature 0 → argmax; otherwise divide the LOGITS (not the probabilities) by the "
        "temperature, then top-k, then top-p, then one torch.multinomial(softmax, 1, generator=generator); "
        "return shape (batch,), int64."))


def _bigram(seed: int, vocab: int) -> Callable[[Tensor], Tensor]:
    table = 2 * randn(vocab, vocab, seed=seed)

    def model(tokens: Tensor) -> Tensor:
        return table[tokens]

    return model


@check(SECTION, "beam_search", points=3)
def check_beam_search(beam_search) -> None:
    hint = ("keep the num_beams best candidates over ALL beams × tokens by total log-probability "
            "(log_softmax of the last position's logits, added to the beam's score), sorted best first.")
    for seed, vocab, prompt, beams, steps in [
        (170, 6, torch.tensor([0, 3]), 3, 4),
        (171, 5, torch.tensor([2]), 2, 5),
        (172, 7, torch.tensor([1, 4, 6]), 4, 3),
        (173, 4, torch.tensor([0]), 1, 3),
    ]:
        context = (f"beam_search on a random bigram model (vocab {vocab}, seed {seed}), prompt {prompt.tolist()}, "
                   f"num_beams={beams}, max_new_tokens={steps}")
        got = call(beam_search, _bigram(seed, vocab), prompt, beams, steps, name="beam_search", context=context)
        exp_beams, exp_scores = ref.beam_search(_bigram(seed, vocab), prompt, beams, steps)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise CheckFailed(f"For {context}: expected a tuple (beams, scores), got {describe(got)}.")
        expect_tensor(got[0], exp_beams, context=f"{context}: the beams", exact=True, hint=hint)
        expect_tensor(got[1], exp_scores, context=f"{context}: the scores", hint=hint)


# ------------------------------------------------------------------------------------------
# Part 5 · KV cache
# ------------------------------------------------------------------------------------------
@check(SECTION, "attention_with_kv_cache", points=3)
def check_attention_with_kv_cache(attention_with_kv_cache) -> None:
    """Chunks of 3, 1 and 2 positions through the cache equal one full pass, outputs and caches."""
    cfg = _cfg()
    attn = _randomised(ref.Attention, cfg, seed=3)
    x = _resid(2, 6, 12, seed=180)
    with torch.no_grad():
        full = attn(x)
        hint = ("project only the new positions, append their keys and values (biases included) AFTER the cached "
                "ones along pos, let the new queries see every cached key and the new keys up to their own "
                "position (apply_causal_mask), scale by sqrt(d_head).")
        past = None
        start = 0
        for size in (3, 1, 2):
            label = "no cache" if past is None else f"a cache of {start} positions"
            context = f"attention_with_kv_cache on {size} new position(s) of x (2, 6, 12) with {label}"
            got = call(attention_with_kv_cache, attn, x[:, start:start + size], past,
                       name="attention_with_kv_cache", context=context)
            _, exp_cache = ref.attention_with_kv_cache(attn, x[:, start:start + size], past)
            if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], tuple) and len(got[1]) == 2):
                raise CheckFailed(f"For {context}: expected (output, (keys, values)), got {describe(got)}.")
            out, cache = got
            expect_tensor(out, full[:, start:start + size], context=f"{context}: the output, vs the full pass",
                          hint=hint)
            expect_tensor(cache[0], exp_cache[0], context=f"{context}: the keys returned", hint=hint)
            expect_tensor(cache[1], exp_cache[1], context=f"{context}: the values returned", hint=hint)
            past = exp_cache
            start += size
        expect_equal(start, 6, context="the chunks")
