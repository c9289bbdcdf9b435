"""Checks for section 0.2 — ResNets.

Batch norm is compared with ``torch.nn.BatchNorm2d`` step by step (outputs, running statistics,
counter, gradients), in training and eval mode, with small batches where biased and unbiased
variances differ a lot. Modules are compared with the reference by their ``state_dict`` names and
shapes (a wrong bias, a shortcut where none belongs, a misnamed child) and by their outputs after
both are loaded with the same *randomised* state, so that batch norm is not the identity and a
missing ReLU or a stride on the wrong convolution changes the numbers. The "torchvision" model for
``copy_weights`` is a plain-torch network with torchvision's names, built here: torchvision is not
used. Inputs are built inside the checks, seeded.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch
from torch import Tensor, nn

from arena_check.reference import s0_2_resnets as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "0.2"
RESNET34_PARAMS = 21_797_672  # He et al. 2015, Table 1; torchvision's resnet34 with 1,000 classes


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
def _bn_input(shape: tuple[int, ...], seed: int, shift: float = 2.0, scale: float = 3.0) -> Tensor:
    """Activations with a per-channel offset and scale, so that normalising visibly matters."""
    c = shape[1]
    offsets = shift * randn(1, c, 1, 1, seed=seed + 1000)
    scales = scale * (0.5 + torch.rand(1, c, 1, 1, generator=seeded(seed + 2000)))
    return offsets + scales * randn(*shape, seed=seed)


def _construct(cls: Any, *args: Any, name: str, context: str) -> nn.Module:
    module = call(cls, *args, name=name, context=context)
    if not isinstance(module, nn.Module):
        raise CheckFailed(f"For {context}: `{name}(...)` should create an nn.Module, got {type(module).__name__}.")
    return module


def _structure(module: nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


def _expect_structure(got: nn.Module, expected: nn.Module, *, context: str, hint: str) -> None:
    """Same state_dict names and shapes, in the same order."""
    mine, theirs = _structure(got), _structure(expected)
    if mine == theirs:
        return
    mine_d, theirs_d = dict(mine), dict(theirs)
    missing = [k for k in theirs_d if k not in mine_d]
    extra = [k for k in mine_d if k not in theirs_d]
    wrong = [k for k in theirs_d if k in mine_d and mine_d[k] != theirs_d[k]]
    parts = []
    if missing:
        parts.append(f"missing {_few(missing)}")
    if extra:
        parts.append(f"unexpected {_few(extra)}")
    if wrong:
        k = wrong[0]
        parts.append(f"`{k}` has shape {mine_d[k]}, expected {theirs_d[k]}")
    if not parts:
        parts.append(f"the entries are in a different order (first expected: {theirs[0][0]}, yours: {mine[0][0]})")
    raise CheckFailed(f"For {context}: the state_dict differs from the specification: {'; '.join(parts)}. Hint: {hint}")


def _few(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


@torch.no_grad()
def _randomise(module: nn.Module, seed: int) -> None:
    """Random batch-norm weights, biases and running statistics (the convolutions keep their
    seeded initialisation), so that every batch norm changes its input."""
    gen = seeded(seed)
    for name, tensor in module.state_dict().items():
        if name.endswith("running_var"):
            tensor.copy_(0.5 + 1.5 * torch.rand(tensor.shape, generator=gen))
        elif name.endswith("running_mean"):
            tensor.copy_(0.3 * torch.randn(tensor.shape, generator=gen))
        elif name.endswith("num_batches_tracked"):
            tensor.fill_(int(torch.randint(1, 100, (), generator=gen)))
        elif tensor.dim() == 1 and name.endswith("weight"):
            tensor.copy_(0.5 + torch.rand(tensor.shape, generator=gen))
        elif tensor.dim() == 1 and name.endswith("bias"):
            tensor.copy_(0.3 * torch.randn(tensor.shape, generator=gen))


def _load(module: nn.Module, state: dict[str, Tensor], *, context: str) -> None:
    try:
        module.load_state_dict(state)
    except Exception as e:  # noqa: BLE001 — names or shapes that do not fit: say so in a sentence
        first = str(e).strip().splitlines()
        raise CheckFailed(
            f"For {context}: could not load the reference's weights into your module "
            f"({first[0][:200] if first else type(e).__name__}). Use exactly the submodule names the "
            "docstring gives."
        ) from None


def _outputs_match(
    mine: nn.Module, theirs: nn.Module, x: Tensor, *, name: str, context: str, hint: str, train: bool
) -> None:
    mine.train(train), theirs.train(train)
    mode = "train" if train else "eval"
    got = call(mine, x, name=f"{name}.forward", context=f"{context}, {mode} mode")
    with torch.no_grad():
        expected = theirs(x)
    hint += " (This module uses your BatchNorm2d: if its checks fail, fix those first.)"
    expect_tensor(got, expected, context=f"{context}, {mode} mode", atol=1e-4, rtol=1e-4, hint=hint)


# ------------------------------------------------------------------------------------------
# Part 1 · batch normalisation, functions
# ------------------------------------------------------------------------------------------
def _affine(c: int, seed: int) -> tuple[Tensor, Tensor]:
    return 1 + 0.5 * randn(c, seed=seed), 0.5 * randn(c, seed=seed + 1)


@check(SECTION, "batchnorm_train", points=2)
def check_batchnorm_train(batchnorm_train) -> None:
    """Small batches (where N and N - 1 differ), batch 1, 1×1 spatial, square shapes, eps, float64."""
    cases: list[Case] = [
        ("x (4, 3, 5, 6), seed 0", (_bn_input((4, 3, 5, 6), 0), *_affine(3, 1))),
        ("x (2, 2, 1, 2), only 4 values per channel", (_bn_input((2, 2, 1, 2), 2), *_affine(2, 3))),
        ("x (1, 3, 2, 3), batch 1", (_bn_input((1, 3, 2, 3), 4), *_affine(3, 5))),
        ("x (6, 4, 1, 1), 1×1 spatial", (_bn_input((6, 4, 1, 1), 6), *_affine(4, 7))),
        ("x (3, 3, 3, 3), square: channels = height = width", (_bn_input((3, 3, 3, 3), 8), *_affine(3, 9))),
        (
            "x (2, 2, 3, 2) with a nearly constant channel, eps=0.01",
            (torch.cat([1e-3 * randn(2, 1, 3, 2, seed=10), randn(2, 1, 3, 2, seed=11)], 1), *_affine(2, 12)),
            {"eps": 0.01},
        ),
        (
            "x (2, 3, 2, 2) with a nearly constant channel, default eps",
            (torch.cat([1e-3 * randn(2, 1, 2, 2, seed=13), randn(2, 2, 2, 2, seed=14)], 1), *_affine(3, 15)),
        ),
        (
            "float64 x (3, 2, 4, 4)",
            (_bn_input((3, 2, 4, 4), 16).double(), *(t.double() for t in _affine(2, 17))),
        ),
    ]
    compare_to_reference(
        batchnorm_train, ref.batchnorm_train, cases, name="batchnorm_train", atol=1e-5, rtol=1e-4,
        hint="per channel, reduce over the batch, height and width axes (dim=(0, 2, 3)); use the "
        "*biased* variance (unbiased=False, divide by N); eps goes inside the square root; reshape "
        "weight and bias to (1, channels, 1, 1) so they line up with the channel axis.",
    )


@check(SECTION, "batchnorm_train", points=1)
def check_batchnorm_train_gradients(batchnorm_train) -> None:
    """Gradients with respect to x, weight and bias equal the reference's (nothing detached)."""
    for seed, shape in [(20, (3, 2, 2, 3)), (21, (2, 3, 1, 2))]:
        context = f"the gradient of (out * r).sum() for x {shape}, seed {seed}"
        grads = []
        for fn in (batchnorm_train, ref.batchnorm_train):
            x = _bn_input(shape, seed).requires_grad_()
            w, b = (t.requires_grad_() for t in _affine(shape[1], seed + 1))
            out = call(fn, x, w, b, name="batchnorm_train", context=context)
            if not isinstance(out, Tensor) or not out.requires_grad:
                raise CheckFailed(
                    f"For {context}: the output is not connected to x, weight and bias in the autograd "
                    "graph. Hint: do not compute it under torch.no_grad() or from detached tensors."
                )
            (out * randn(*shape, seed=seed + 2)).sum().backward()
            grads.append((x.grad, w.grad, b.grad))
        for label, got, expected in zip(("x", "weight", "bias"), *grads, strict=True):
            if got is None:
                raise CheckFailed(f"For {context}: `{label}` received no gradient.")
            expect_tensor(
                got, expected, context=f"{context}, gradient of {label}", atol=1e-4, rtol=1e-3,
                hint="the batch mean and variance depend on x, and the gradient must flow through them "
                "too: do not .detach() them or compute them under no_grad.",
            )


def _running_cases() -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    c = 3
    rm, rv = 0.5 * randn(c, seed=30), 0.5 + torch.rand(c, generator=seeded(31))
    return [
        ("x (4, 3, 2, 3), default momentum", (rm, rv, _bn_input((4, 3, 2, 3), 32)), {}),
        ("x (2, 3, 1, 1): N = 2 values per channel, momentum=0.3", (rm, rv, _bn_input((2, 3, 1, 1), 33)), {"momentum": 0.3}),
        ("x (1, 3, 1, 3), batch 1, momentum=1.0 (only the new batch counts)", (rm, rv, _bn_input((1, 3, 1, 3), 34)), {"momentum": 1.0}),
        ("x (3, 3, 2, 2), momentum=0.0 (nothing changes)", (rm, rv, _bn_input((3, 3, 2, 2), 35)), {"momentum": 0.0}),
        (
            "float64, x (2, 2, 2, 2), momentum=0.25",
            (rm[:2].double(), rv[:2].double(), _bn_input((2, 2, 2, 2), 36).double()),
            {"momentum": 0.25},
        ),
    ]


@check(SECTION, "update_running_stats", points=2)
def check_update_running_stats(update_running_stats) -> None:
    """Several momenta (including 0 and 1), tiny batches, float64; a tuple of new tensors."""
    check_defaults(update_running_stats, ref.update_running_stats, name="update_running_stats")
    for context, args, kwargs in _running_cases():
        got = call(update_running_stats, *args, name="update_running_stats", context=context, **kwargs)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a pair (new_mean, new_var), got {type(got).__name__}.")
        exp_mean, exp_var = ref.update_running_stats(*args, **kwargs)
        expect_tensor(
            got[0], exp_mean, context=f"{context}, new_mean",
            hint="new = (1 - momentum) * old + momentum * batch_mean: momentum is the weight of the *new* "
            "batch (momentum=1 keeps only the batch, 0 keeps only the old value). The mean is per channel, "
            "over dims (0, 2, 3).",
        )
        expect_tensor(
            got[1], exp_var, context=f"{context}, new_var",
            hint="the running variance uses the *unbiased* batch variance (divide by N - 1, "
            "unbiased=True), unlike the normalisation; and momentum weights the new batch.",
        )


@check(SECTION, "batchnorm_eval", points=1)
def check_batchnorm_eval(batchnorm_eval) -> None:
    """Running statistics far from the batch's, a zero running variance, batch 1, eps, float64."""
    def stats(c: int, seed: int) -> tuple[Tensor, ...]:
        return (randn(c, seed=seed), 0.2 + 2 * torch.rand(c, generator=seeded(seed + 1)), *_affine(c, seed + 2))

    rm, rv, w, b = stats(3, 40)
    zero_var = rv.clone()
    zero_var[1] = 0.0
    cases: list[Case] = [
        ("x (4, 3, 5, 2), seed 41", (_bn_input((4, 3, 5, 2), 41), *stats(3, 42))),
        ("x (1, 3, 2, 2), batch 1", (_bn_input((1, 3, 2, 2), 43), *stats(3, 44))),
        ("x (3, 3, 3, 3), square: channels = height = width", (_bn_input((3, 3, 3, 3), 45), *stats(3, 46))),
        ("x (2, 3, 2, 3) with running_var 0 in channel 1", (_bn_input((2, 3, 2, 3), 47), rm, zero_var, w, b)),
        ("x (2, 3, 2, 2), eps=0.1", (_bn_input((2, 3, 2, 2), 48), *stats(3, 49)), {"eps": 0.1}),
        ("float64 x (2, 2, 3, 1)", (_bn_input((2, 2, 3, 1), 50).double(), *(t.double() for t in stats(2, 51)))),
    ]
    compare_to_reference(
        batchnorm_eval, ref.batchnorm_eval, cases, name="batchnorm_eval",
        hint="use running_mean and running_var, never the batch's own statistics; divide by "
        "sqrt(running_var + eps); reshape every (channels,) tensor to (1, channels, 1, 1).",
    )


# ------------------------------------------------------------------------------------------
# BatchNorm2d
# ------------------------------------------------------------------------------------------
@check(SECTION, "BatchNorm2d", points=1)
def check_batchnorm_module_state(BatchNorm2d) -> None:
    """Parameters weight/bias, buffers running_mean/running_var/num_batches_tracked, initial values."""
    check_defaults(BatchNorm2d, ref.BatchNorm2d, name="BatchNorm2d")
    context = "BatchNorm2d(5)"
    bn = _construct(BatchNorm2d, 5, name="BatchNorm2d", context=context)
    params = dict(bn.named_parameters())
    buffers = dict(bn.named_buffers())
    expect_equal(
        sorted(params), ["bias", "weight"], context=f"{context}: the names of its parameters",
        hint="weight and bias are nn.Parameter; the running statistics must be buffers (register_buffer), "
        "not parameters, or the optimiser would train them.",
    )
    expect_equal(
        sorted(buffers), ["num_batches_tracked", "running_mean", "running_var"],
        context=f"{context}: the names of its buffers",
        hint="register running_mean, running_var and num_batches_tracked with self.register_buffer(name, tensor).",
    )
    theirs = nn.BatchNorm2d(5)
    for name, expected in theirs.state_dict().items():
        got = params.get(name, buffers.get(name))
        expect_tensor(
            got.detach(), expected, context=f"{context}: initial `{name}`", exact=True,
            hint="weight starts at ones, bias and running_mean at zeros, running_var at ones; "
            "num_batches_tracked is torch.tensor(0, dtype=torch.long), a 0-dimensional int64 tensor.",
        )
    for name in ("weight", "bias"):
        if not params[name].requires_grad:
            raise CheckFailed(f"For {context}: `{name}` should require grad, as a trainable parameter does.")


def _train_steps(BatchNorm2d, kwargs: dict[str, float], seed: int) -> tuple[Any, nn.BatchNorm2d, str]:
    """Four training steps of the learner's layer and torch's side by side, compared after each."""
    c = 3
    label = "BatchNorm2d(3" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
    mine = call(BatchNorm2d, c, name="BatchNorm2d", context=label, **kwargs)
    if not isinstance(mine, nn.Module):
        raise CheckFailed(f"For {label}: expected an nn.Module, got {type(mine).__name__}.")
    theirs = nn.BatchNorm2d(c, **kwargs)
    w, b = _affine(c, seed)
    with torch.no_grad():
        for module in (mine, theirs):
            module.weight.copy_(w)
            module.bias.copy_(b)
    shapes = [(4, c, 3, 2), (1, c, 2, 2), (2, c, 1, 1), (3, c, 3, 3)]
    mine.train(), theirs.train()
    for step, shape in enumerate(shapes, 1):
        context = f"{label}, training step {step} on x {shape}"
        x = _bn_input(shape, seed + step)
        got = call(mine, x, name="BatchNorm2d.forward", context=context)
        expected = theirs(x)
        expect_tensor(
            got, expected.detach(), context=f"{context}, the output",
            hint="in training mode normalise with the batch's mean and *biased* variance, then apply "
            "weight and bias.",
        )
        _compare_state(mine, theirs, context)
    return mine, theirs, label


def _compare_state(mine: nn.Module, theirs: nn.BatchNorm2d, context: str) -> None:
    hints = {
        "running_mean": "running_mean = (1 - momentum) * running_mean + momentum * batch_mean, with the "
        "layer's own momentum (weighting the new batch); only in training mode.",
        "running_var": "the running variance uses the *unbiased* batch variance (N - 1), and momentum "
        "weights the new batch; only in training mode.",
        "num_batches_tracked": "add 1 to num_batches_tracked on every training-mode forward, and never in "
        "eval mode; keep it an int64 0-dimensional tensor.",
    }
    for name, hint in hints.items():
        got = getattr(mine, name, None)
        if not isinstance(got, Tensor):
            raise CheckFailed(f"For {context}: `{name}` should be a tensor (a buffer), got {type(got).__name__}.")
        if got.requires_grad or got.grad_fn is not None:
            raise CheckFailed(
                f"For {context}: `{name}` is part of the autograd graph (requires_grad=True). Hint: update the "
                "running statistics under torch.no_grad() or from detached tensors; they are records, not "
                "something to differentiate."
            )
        expect_tensor(got, getattr(theirs, name), context=f"{context}, `{name}` afterwards", hint=hint)


@check(SECTION, "BatchNorm2d", points=2)
def check_batchnorm_module_train(BatchNorm2d) -> None:
    """Four training steps against torch.nn.BatchNorm2d: outputs, running statistics, counter."""
    _train_steps(BatchNorm2d, {}, seed=60)
    _train_steps(BatchNorm2d, {"eps": 0.05, "momentum": 0.3}, seed=70)


@check(SECTION, "BatchNorm2d", points=2)
def check_batchnorm_module_eval(BatchNorm2d) -> None:
    """After training steps, eval mode uses the running statistics and changes no state."""
    mine, theirs, label = _train_steps(BatchNorm2d, {"eps": 0.05, "momentum": 0.2}, seed=80)
    mine.eval(), theirs.eval()
    for i, shape in enumerate([(3, 3, 2, 2), (1, 3, 1, 1)]):
        context = f"{label} in eval mode after 4 training steps, x {shape}"
        x = _bn_input(shape, 90 + i)
        got = call(mine, x, name="BatchNorm2d.forward", context=context)
        expect_tensor(
            got, theirs(x).detach(), context=f"{context}, the output",
            hint="in eval mode (self.training is False) normalise with running_mean and running_var, not "
            "with the batch's statistics, and with the layer's own eps.",
        )
        _compare_state(mine, theirs, f"{context} (eval mode must not change any state)")
    mine.train(), theirs.train()
    x = _bn_input((2, 3, 2, 2), 95)
    context = f"{label} back in training mode after eval"
    got = call(mine, x, name="BatchNorm2d.forward", context=context)
    expect_tensor(got, theirs(x).detach(), context=f"{context}, the output", hint="switch on self.training.")
    _compare_state(mine, theirs, context)


@check(SECTION, "BatchNorm2d", points=1)
def check_batchnorm_module_gradients(BatchNorm2d) -> None:
    """Gradients reach x, weight and bias in training mode; the running statistics get none."""
    label = "BatchNorm2d(2)"
    mine = _construct(BatchNorm2d, 2, name="BatchNorm2d", context=label)
    theirs = nn.BatchNorm2d(2)
    grads = []
    for module in (mine, theirs):
        module.train()
        x = _bn_input((3, 2, 2, 2), 100).requires_grad_()
        out = call(module, x, name="BatchNorm2d.forward", context=f"{label}, training mode")
        (out * randn(3, 2, 2, 2, seed=101)).sum().backward()
        grads.append((x.grad, module.weight.grad, module.bias.grad))
        for name in ("running_mean", "running_var"):
            stat = getattr(module, name, None)
            if isinstance(stat, Tensor) and (stat.requires_grad or stat.grad_fn is not None):
                raise CheckFailed(
                    f"For {label}, a training step on an x that requires grad: `{name}` is now part of the "
                    "autograd graph (requires_grad=True), so every step's graph would be kept alive through it. "
                    "Hint: update the running statistics under torch.no_grad() or from detached tensors."
                )
    for what, got, expected in zip(("x", "weight", "bias"), *grads, strict=True):
        context = f"{label}: the gradient of (out * r).sum() with respect to {what}"
        if got is None:
            raise CheckFailed(f"For {context}: no gradient arrived. Hint: weight and bias must be nn.Parameters "
                              "and the output must be computed from them and from x with autograd on.")
        expect_tensor(got, expected, context=context, atol=1e-4, rtol=1e-3,
                      hint="the batch statistics used for normalising must stay in the graph.")


# ------------------------------------------------------------------------------------------
# Part 2 · residual blocks
# ------------------------------------------------------------------------------------------
@check(SECTION, "make_shortcut", points=2)
def check_make_shortcut(make_shortcut) -> None:
    """None exactly when the shape is kept; otherwise conv 1×1 (stride, no bias) then batch norm."""
    for args in [(4, 4, 1), (1, 1, 1)]:
        context = f"make_shortcut{args} (same channels, stride 1)"
        got = call(make_shortcut, *args, name="make_shortcut", context=context)
        if got is not None:
            raise CheckFailed(
                f"For {context}: expected None (the identity shortcut, no parameters), got "
                f"{type(got).__name__}. Hint: a projection is needed only when the shape changes."
            )
    for i, args in enumerate([(4, 8, 2), (4, 8, 1), (6, 6, 2), (3, 5, 2)]):
        context = f"make_shortcut{args}"
        got = call(make_shortcut, *args, name="make_shortcut", context=context)
        if got is None:
            raise CheckFailed(
                f"For {context}: expected a projection (conv 1×1 then BatchNorm2d), got None. Hint: the shape "
                "changes when the channels differ *or* the stride is not 1."
            )
        if not isinstance(got, nn.Module):
            raise CheckFailed(f"For {context}: expected an nn.Sequential, got {type(got).__name__}.")
        torch.manual_seed(110 + i)
        expected = ref.make_shortcut(*args)
        _expect_structure(
            got, expected, context=context,
            hint="nn.Sequential(nn.Conv2d(in_feats, out_feats, kernel_size=1, stride=stride, bias=False), "
            "BatchNorm2d(out_feats)) — no bias on a convolution followed by batch norm.",
        )
        _randomise(expected, 120 + i)
        _load(got, expected.state_dict(), context=context)
        for train in (False, True):
            _outputs_match(
                got, expected, _bn_input((2, args[0], 5, 4), 130 + i), name="make_shortcut",
                context=f"{context} applied to x (2, {args[0]}, 5, 4)", train=train,
                hint="a 1×1 convolution with the given stride and no padding, then your BatchNorm2d.",
            )


_BLOCK_CONFIGS = [(4, 4, 1), (4, 8, 2), (4, 8, 1), (6, 6, 2)]


@check(SECTION, "ResidualBlock", points=1)
def check_residual_block_structure(ResidualBlock) -> None:
    """Submodule names and shapes: no conv biases; a shortcut only where the shape changes."""
    check_defaults(ResidualBlock, ref.ResidualBlock, name="ResidualBlock")
    for args in _BLOCK_CONFIGS:
        context = f"ResidualBlock{args}"
        got = _construct(ResidualBlock, *args, name="ResidualBlock", context=context)
        _expect_structure(
            got, ref.ResidualBlock(*args), context=context,
            hint="conv1, bn1, conv2, bn2 and shortcut (from make_shortcut, None when the shape is kept); "
            "both 3×3 convolutions with bias=False, the first from in_feats to out_feats.",
        )


@check(SECTION, "ResidualBlock", points=3)
def check_residual_block_forward(ResidualBlock) -> None:
    """Outputs with randomised batch norms, in eval and train mode, batch 1 and non-square inputs."""
    for i, args in enumerate(_BLOCK_CONFIGS):
        context = f"ResidualBlock{args}"
        torch.manual_seed(140 + i)
        got = _construct(ResidualBlock, *args, name="ResidualBlock", context=context)
        expected = ref.ResidualBlock(*args)
        _randomise(expected, 150 + i)
        _load(got, expected.state_dict(), context=context)
        for j, shape in enumerate([(2, args[0], 6, 6), (1, args[0], 5, 7)]):
            for train in (False, True):
                _outputs_match(
                    got, expected, _bn_input(shape, 160 + 10 * i + j), name="ResidualBlock",
                    context=f"{context} on x {shape}", train=train,
                    hint="relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)): the stride goes on conv1 only, "
                    "the shortcut is the identity when it is None, and a ReLU follows the addition.",
                )


@check(SECTION, "BlockGroup", points=2)
def check_block_group(BlockGroup) -> None:
    """Number of blocks, names, shapes; outputs with randomised batch norms in eval and train mode."""
    for i, args in enumerate([(3, 4, 4, 1), (2, 4, 8, 2), (1, 3, 6, 2), (3, 6, 4, 1)]):
        context = f"BlockGroup{args}"
        torch.manual_seed(170 + i)
        got = _construct(BlockGroup, *args, name="BlockGroup", context=context)
        n_children = len(list(got.children()))
        expect_equal(
            n_children, args[0], context=f"{context}: the number of child modules",
            hint="exactly n_blocks ResidualBlocks, passed to nn.Sequential's __init__.",
        )
        expected = ref.BlockGroup(*args)
        _expect_structure(
            got, expected, context=context,
            hint="block 0 is ResidualBlock(in_feats, out_feats, first_stride); the others are "
            "ResidualBlock(out_feats, out_feats) with stride 1; they are the Sequential's children 0, 1, ….",
        )
        _randomise(expected, 180 + i)
        _load(got, expected.state_dict(), context=context)
        for train in (False, True):
            _outputs_match(
                got, expected, _bn_input((2, args[1], 6, 5), 190 + i), name="BlockGroup",
                context=f"{context} on x (2, {args[1]}, 6, 5)", train=train,
                hint="only the first block has the stride and changes the channels.",
            )
    check_defaults(BlockGroup, ref.BlockGroup, name="BlockGroup")


@check(SECTION, "AveragePool", points=1)
def check_average_pool(AveragePool) -> None:
    """Non-square, 1×1 and square inputs, batch 1, float64; no parameters."""
    pool = _construct(AveragePool, name="AveragePool", context="AveragePool()")
    n = sum(p.numel() for p in pool.parameters())
    expect_equal(n, 0, context="AveragePool(): the number of parameters", hint="pooling learns nothing.")
    cases: list[Case] = [
        ("x (2, 3, 4, 5), seed 0", (randn(2, 3, 4, 5, seed=200),)),
        ("x (1, 4, 1, 1), batch 1 and 1×1 spatial", (randn(1, 4, 1, 1, seed=201),)),
        ("x (3, 3, 3, 3), square", (randn(3, 3, 3, 3, seed=202),)),
        ("x (2, 5, 2, 7)", (randn(2, 5, 2, 7, seed=203),)),
        ("float64 x (2, 2, 3, 2)", (randn(2, 2, 3, 2, seed=204, dtype=torch.float64),)),
    ]
    compare_to_reference(
        pool, ref.AveragePool(), cases, name="AveragePool", defaults=False,
        hint="the mean over height and width (dims 2 and 3), returning shape (batch, channels) — no "
        "trailing 1×1 axes.",
    )


# ------------------------------------------------------------------------------------------
# Part 3 · ResNet-34
# ------------------------------------------------------------------------------------------
@check(SECTION, "count_parameters", points=1)
def check_count_parameters(count_parameters) -> None:
    """Linear, batch norm (buffers not counted), a shared weight, a frozen weight; a Python int."""
    torch.manual_seed(210)
    shared = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
    shared[2].weight = shared[0].weight
    frozen = nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2))
    frozen[0].weight.requires_grad_(False)
    cases = [
        ("nn.Linear(3, 4)", nn.Linear(3, 4), 16),
        ("nn.BatchNorm2d(5) (running statistics are buffers, not parameters)", nn.BatchNorm2d(5), 10),
        ("two Linear(4, 4) sharing one weight (count it once)", shared, 24),
        ("Linear(3, 5) with a frozen weight, then Linear(5, 2) (frozen still counts)", frozen, 32),
        ("nn.Conv2d(3, 8, 3, bias=False) then nn.BatchNorm2d(8)", nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8)), 232),
    ]
    for context, model, expected in cases:
        got = call(count_parameters, model, name="count_parameters", context=context)
        if isinstance(got, bool) or not isinstance(got, int):
            raise CheckFailed(f"For {context}: expected a Python int, got {type(got).__name__}. Hint: .numel() "
                              "is an int; sum() of ints is an int; avoid returning a tensor.")
        expect_equal(
            got, expected, context=context,
            hint="sum p.numel() over model.parameters(), which lists each parameter once, frozen or not, "
            "and no buffers.",
        )


_CHILDREN = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]


@check(SECTION, "ResNet34", points=2)
def check_resnet34_structure(ResNet34) -> None:
    """The published parameter count, the child names in order, torchvision's state_dict layout."""
    check_defaults(ResNet34, ref.ResNet34, name="ResNet34")
    context = "ResNet34()"
    model = _construct(ResNet34, name="ResNet34", context=context)
    names = [name for name, _ in model.named_children()]
    expect_equal(
        names, _CHILDREN, context=f"{context}: the names of its children, in order",
        hint="assign conv1, bn1, relu, maxpool, layer1 … layer4, avgpool, fc in this order in __init__.",
    )
    n = sum(p.numel() for p in model.parameters())
    expect_equal(
        n, RESNET34_PARAMS, context=f"{context}: the number of parameters (published: 21,797,672)",
        hint="8,512 too many means every convolution has a bias (use bias=False before batch norm); other "
        "differences point to a wrong number of blocks, channels or a shortcut where none belongs.",
    )
    with torch.device("meta"):
        expected = ref.ResNet34()
    _expect_structure(
        model, expected, context=context,
        hint="the structure of the table: layer1 … layer4 are BlockGroups of 3, 4, 6, 3 blocks with 64, 128, "
        "256, 512 channels.",
    )


@check(SECTION, "ResNet34", points=3)
def check_resnet34_forward(ResNet34) -> None:
    """Outputs equal the reference's after loading the same randomised weights: the full network in
    eval mode on a 1×3×32×32 image, and two small configurations in train and eval mode."""
    configs: list[tuple[str, tuple[Any, ...], tuple[int, ...]]] = [
        ("ResNet34()", (), (1, 3, 32, 32)),
        ("ResNet34((1, 1), (8, 16), (1, 2), n_classes=5)", ((1, 1), (8, 16), (1, 2), 5), (2, 3, 16, 16)),
        ("ResNet34((2, 1, 1), (8, 8, 16), (1, 2, 1), n_classes=3)", ((2, 1, 1), (8, 8, 16), (1, 2, 1), 3), (2, 3, 20, 12)),
    ]
    for i, (context, args, shape) in enumerate(configs):
        torch.manual_seed(220 + i)
        model = _construct(ResNet34, *args, name="ResNet34", context=context)
        expected = ref.ResNet34(*args)
        _randomise(expected, 230 + i)
        _load(model, expected.state_dict(), context=context)
        modes = (False,) if not args else (False, True)
        for train in modes:
            _outputs_match(
                model, expected, randn(*shape, seed=240 + i), name="ResNet34",
                context=f"{context} on images {shape}", train=train,
                hint="forward runs conv1, bn1, relu, maxpool, layer1 … layer4, avgpool and fc in order; "
                "layer1's input has 64 channels, each later group's input is the previous group's output, and "
                "each group uses its own entry of first_strides_per_group.",
            )


# ------------------------------------------------------------------------------------------
# Part 4 · copying weights
# ------------------------------------------------------------------------------------------
class _TorchBlock(nn.Module):
    """torchvision's BasicBlock layout (names included), from torch's own layers."""

    def __init__(self, in_feats: int, out_feats: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_feats)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_feats, out_feats, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_feats)
        self.downsample = None
        if stride != 1 or in_feats != out_feats:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_feats, out_feats, 1, stride, bias=False), nn.BatchNorm2d(out_feats)
            )

    def forward(self, x: Tensor) -> Tensor:
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def _torch_resnet(blocks: tuple[int, ...], feats: tuple[int, ...], strides: tuple[int, ...], n_classes: int) -> nn.Module:
    layers: dict[str, nn.Module] = {
        "conv1": nn.Conv2d(3, 64, 7, 2, 3, bias=False), "bn1": nn.BatchNorm2d(64),
        "relu": nn.ReLU(), "maxpool": nn.MaxPool2d(3, 2, 1),
    }
    in_feats = 64
    for i, (n, out_feats, stride) in enumerate(zip(blocks, feats, strides, strict=True)):
        group = [_TorchBlock(in_feats, out_feats, stride)]
        group += [_TorchBlock(out_feats, out_feats, 1) for _ in range(n - 1)]
        layers[f"layer{i + 1}"] = nn.Sequential(*group)
        in_feats = out_feats
    layers["avgpool"] = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    layers["fc"] = nn.Linear(in_feats, n_classes)
    return nn.Sequential(OrderedDict(layers))


@check(SECTION, "copy_weights", points=3)
def check_copy_weights(copy_weights) -> None:
    """Every parameter and buffer copied by name (downsample → shortcut), as copies; the source is
    untouched; the two networks then compute the same logits in eval mode."""
    configs = [
        ("a small ResNet: blocks (1, 1), channels (8, 16), strides (1, 2), 5 classes", ((1, 1), (8, 16), (1, 2), 5)),
        ("a ResNet with blocks (2, 2, 1), channels (16, 16, 32), strides (1, 2, 2), 4 classes",
         ((2, 2, 1), (16, 16, 32), (1, 2, 2), 4)),
    ]
    for i, (context, args) in enumerate(configs):
        torch.manual_seed(250 + i)
        theirs = _torch_resnet(*args)
        _randomise(theirs, 260 + i)
        with torch.no_grad():  # make the convolutions and fc differ from any fresh initialisation too
            for name, p in theirs.named_parameters():
                if p.dim() > 1 or name.startswith("fc"):
                    p.mul_(1.5)
        before = {k: v.clone() for k, v in theirs.state_dict().items()}
        torch.manual_seed(270 + i)
        mine = ref.ResNet34(*args)
        try:
            returned = copy_weights(mine, theirs)
        except CheckFailed:
            raise
        except Exception as e:  # noqa: BLE001 — the learner's error, named with its input
            raise CheckFailed(
                f"For {context}: copy_weights raised {type(e).__name__}: {str(e).strip()[:240]}. Hint: rename "
                "each key of torch_model.state_dict() ('.downsample.' → '.shortcut.') and load the result with "
                "my_model.load_state_dict(...)."
            ) from None
        if returned is not mine:
            raise CheckFailed(f"For {context}: copy_weights should return my_model itself, got {type(returned).__name__}.")
        for k, v in theirs.state_dict().items():
            expect_tensor(v, before[k], context=f"{context}: torch_model's `{k}` after the copy", exact=True,
                          hint="copy_weights must not modify torch_model.")
        mine_state = mine.state_dict()
        for k, v in before.items():
            key = k.replace(".downsample.", ".shortcut.")
            expect_tensor(
                mine_state[key], v, context=f"{context}: your model's `{key}` after the copy", exact=True,
                hint="copy every entry of torch_model.state_dict() — buffers (running statistics, counters) "
                "too, not only parameters — renaming '.downsample.' to '.shortcut.'.",
            )
        with torch.no_grad():
            for p in theirs.parameters():
                p.add_(1.0)
        for k, v in mine.state_dict().items():
            src = k.replace(".shortcut.", ".downsample.")
            if v.is_floating_point() and not torch.equal(v, before[src]):
                raise CheckFailed(
                    f"For {context}: after the copy, changing torch_model also changed your model's `{k}`: the "
                    "two share memory. Hint: copy the values (load_state_dict or .copy_()) instead of assigning "
                    "the same tensors."
                )
        with torch.no_grad():
            for p in theirs.parameters():
                p.sub_(1.0)
        theirs.load_state_dict(before)
        mine.eval(), theirs.eval()
        x = randn(2, 3, 16, 16, seed=280 + i)
        with torch.no_grad():
            expect_tensor(mine(x), theirs(x), context=f"{context}: logits of both networks in eval mode",
                          atol=1e-5, rtol=1e-4, hint="every tensor must be copied.")
