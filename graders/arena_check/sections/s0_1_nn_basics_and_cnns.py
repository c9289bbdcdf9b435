"""Checks for section 0.1 — neural-network basics and CNNs.

Modules are checked the way PyTorch's own layers would be compared: build the learner's module
with given shapes, check its parameters are registered under PyTorch's names and in PyTorch's
layout, copy a torch layer's parameters into it, and compare outputs *and gradients* (autograd
must flow through it) on awkward inputs — batch 1, non-square images and kernels, strides,
padding, non-contiguous views. Initialisation is checked statistically. The training loops are
run on a tiny seeded model and data set next to the reference loop, and a probe layer records
whether the model was in training mode and whether autograd was recording.

The page forbids calling the PyTorch function an exercise re-implements. That rule is enforced
twice: by reading the source (``testing.require``) and, during the learner's call, by replacing
the forbidden torch functions with a trap (so a call through any alias, or through a wrapped
``nn.Conv2d``, is caught too). Expected values are always computed before the trap is set.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from arena_check.reference import s0_1_nn_basics_and_cnns as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    describe,
    expect_equal,
    expect_tensor,
    randint,
    randn,
    require,
)

SECTION = "0.1"

# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
#: (owner, attribute, how the page names it) for each family of forbidden torch functions
_TRAPS: dict[str, list[tuple[Any, str, str]]] = {
    "relu": [(torch, "relu", "torch.relu"), (F, "relu", "F.relu"), (torch.Tensor, "relu", "Tensor.relu")],
    "linear": [(F, "linear", "F.linear")],
    "flatten": [(torch, "flatten", "torch.flatten"), (torch.Tensor, "flatten", "Tensor.flatten")],
    "pad": [(F, "pad", "F.pad"), (torch, "constant_pad_nd", "torch.constant_pad_nd")],
    "conv": [(F, "conv2d", "F.conv2d"), (torch, "conv2d", "torch.conv2d"), (torch, "convolution", "torch.convolution")],
    "maxpool": [
        (F, "max_pool2d", "F.max_pool2d"),
        (F, "max_pool2d_with_indices", "F.max_pool2d_with_indices"),
        (torch, "max_pool2d", "torch.max_pool2d"),
    ],
}


_INHERITED = object()


@contextlib.contextmanager
def _trap(name: str, rule: str, *families: str) -> Iterator[None]:
    """While active, calling a forbidden torch function fails the check with the page's rule.

    Why at run time as well as in the source: an alias imported under another name, or a torch
    layer hidden inside the learner's module, calls the same function object."""
    saved = []

    def make(shown: str) -> Callable[..., Any]:
        def trapped(*args: Any, **kwargs: Any) -> Any:
            raise CheckFailed(f"`{name}` breaks a rule of this exercise: “{rule}” — your code calls `{shown}`.")

        return trapped

    try:
        for family in families:
            for owner, attr, shown in _TRAPS[family]:
                # Tensor methods are inherited: remember whether the attribute was the owner's own.
                saved.append((owner, attr, owner.__dict__.get(attr, _INHERITED)))
                setattr(owner, attr, make(shown))
        yield
    finally:
        for owner, attr, original in reversed(saved):
            if original is _INHERITED:
                delattr(owner, attr)
            else:
                setattr(owner, attr, original)


def _not_torch_layer(cls: Any, name: str, *torch_classes: type) -> None:
    """The learner's class must be their own nn.Module, not a torch layer in disguise."""
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise CheckFailed(
            f"`{name}` should be a class that subclasses nn.Module; your file defines it as {describe(cls)}. "
            "Write `class " + name + "(nn.Module):` and call `super().__init__()` first in `__init__`."
        )
    for torch_cls in torch_classes:
        if issubclass(cls, torch_cls):
            raise CheckFailed(
                f"`{name}` subclasses `nn.{torch_cls.__name__}`, so PyTorch does the work. Subclass "
                "`nn.Module` and write the layer yourself."
            )


def _build(cls: Any, *args: Any, name: str, context: str, **kwargs: Any) -> nn.Module:
    module = call(cls, *args, name=name, context=context, **kwargs)
    if not isinstance(module, nn.Module):
        raise CheckFailed(f"For {context}: `{name}(...)` should build an nn.Module, got {describe(module)}.")
    return module


def _expect_parameters(module: nn.Module, expected: dict[str, tuple[int, ...]], *, context: str, hint: str) -> None:
    """Registered parameters: exactly these names, in PyTorch's layout."""
    got = {n: tuple(p.shape) for n, p in module.named_parameters()}
    if got != expected:
        shown_got = ", ".join(f"{n} {s}" for n, s in got.items()) or "none"
        shown_exp = ", ".join(f"{n} {s}" for n, s in expected.items()) or "none"
        raise CheckFailed(
            f"For {context}: `parameters()` should find {shown_exp}; it finds {shown_got}. Hint: {hint}"
        )


def _copy_into(module: nn.Module, source: nn.Module) -> None:
    """Copy ``source``'s parameters into ``module``'s parameters of the same names."""
    mine = dict(module.named_parameters())
    with torch.no_grad():
        for n, p in source.named_parameters():
            mine[n].copy_(p)


def _expect_grads(
    got: dict[str, Tensor | None], expected: dict[str, Tensor], *, context: str, hint: str
) -> None:
    for what, exp in expected.items():
        g = got.get(what)
        if g is None:
            raise CheckFailed(
                f"For {context}: no gradient reached {what} after backward(). Hint: {hint}"
            )
        expect_tensor(g, exp, context=f"{context}: the gradient of {what}", hint=hint, atol=1e-5, rtol=1e-4)


def _no_bias_attribute(module: nn.Module, *, context: str) -> None:
    if not hasattr(module, "bias") or module.bias is not None:
        raise CheckFailed(
            f"For {context}: with bias=False, `self.bias` should exist and be None (as in PyTorch), "
            f"got {describe(getattr(module, 'bias', 'no attribute'))}."
        )


def _expect_uniform(values: Tensor, bound: float, *, context: str, what: str, hint: str) -> None:
    """``values`` look like independent draws from U(-bound, bound)."""
    v = values.detach().double().flatten()
    n = v.numel()
    std_err = bound / math.sqrt(3) / math.sqrt(n)  # standard error of the mean
    wanted = f"uniform in ±{bound:.4g}"
    problems = []
    if float(v.abs().max()) > bound * (1 + 1e-6):
        problems.append(f"a value of {float(v.abs().max()):.4g} lies outside ±{bound:.4g}")
    elif float(v.abs().max()) < 0.95 * bound:
        problems.append(f"the largest |value| is {float(v.abs().max()):.4g}, far inside ±{bound:.4g}")
    if abs(float(v.mean())) > 6 * std_err:
        problems.append(f"the mean is {float(v.mean()):.4g}, not about 0")
    expected_std = bound / math.sqrt(3)
    if abs(float(v.std()) / expected_std - 1) > 0.05:
        problems.append(f"the standard deviation is {float(v.std()):.4g}, expected {expected_std:.4g} (= bound / √3)")
    if problems:
        raise CheckFailed(
            f"For {context}: the {n} entries of {what} should be {wanted}, but {problems[0]}. Hint: {hint}"
        )


def _probe_model(features: int = 4, classes: int = 3, dropout: bool = False) -> nn.Module:
    """A tiny classifier whose Probe layer records (training mode, grad enabled) at every call."""

    class Probe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[bool, bool]] = []

        def forward(self, x: Tensor) -> Tensor:
            self.seen.append((self.training, torch.is_grad_enabled()))
            return x

    layers: list[nn.Module] = [nn.Linear(features, 8), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(0.5))
    layers += [Probe(), nn.Linear(8, classes)]
    return nn.Sequential(*layers)


class _SGD:
    """SGD with momentum, with the two methods a training loop calls (``zero_grad``, ``step``).

    Why not ``torch.optim.SGD``: building the first torch optimizer in a process imports
    ``torch._dynamo`` (about 4 s), which would dominate this check's time budget. The update is
    the textbook one, ``v = momentum * v + grad; p -= lr * v``, as in torch's SGD."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float, momentum: float) -> None:
        self.params = list(params)
        self.param_groups = [{"params": self.params, "lr": lr, "momentum": momentum}]
        self.lr, self.momentum = lr, momentum
        self.velocity: list[Tensor | None] = [None] * len(self.params)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            v = self.velocity[i]
            v = p.grad.clone() if v is None else v.mul_(self.momentum).add_(p.grad)
            self.velocity[i] = v
            p.sub_(self.lr * v)


def _probe(model: nn.Module) -> Any:
    return next(m for m in model.modules() if hasattr(m, "seen"))


def _loader(n: int = 10, batch_size: int = 4, seed: int = 0, features: int = 4, classes: int = 3):
    data = torch.utils.data.TensorDataset(randn(n, features, seed=seed), randint(classes, n, seed=seed + 1))
    return torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False)


def _smoothed_loss(logits: Tensor, y: Tensor, reduction: str = "mean") -> Tensor:
    """A loss other than the default, to see that ``loss_fn`` is used (``reduction`` honoured)."""
    return F.cross_entropy(logits, y, label_smoothing=0.3, reduction=reduction)


def _expect_float(value: Any, *, context: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, float | int):
        raise CheckFailed(
            f"For {context}: {what} should be a Python float, got {describe(value)}. "
            "Hint: `.item()` turns a one-element tensor into a float."
        )
    return float(value)


# ------------------------------------------------------------------------------------------
# Part 1 · dense layers
# ------------------------------------------------------------------------------------------
RELU_RULE = "Do not call `torch.relu` / `F.relu`"


@check(SECTION, "relu", points=1)
def check_relu(relu) -> None:
    """Values (exact) on several shapes and dtypes, and gradients."""
    cases: list[Case] = [
        ("x of shape (3, 4), seed 0", (randn(3, 4, seed=0),)),
        ("x of shape (1,)", (torch.tensor([-0.5]),)),
        ("x of shape (2, 3, 5), seed 1", (randn(2, 3, 5, seed=1),)),
        ("float64 x of shape (4, 4), seed 2", (randn(4, 4, seed=2, dtype=torch.float64),)),
        ("x = [-2, 3, -1e-8, 1e-8, 7]", (torch.tensor([-2.0, 3.0, -1e-8, 1e-8, 7.0]),)),
    ]
    expected = [ref.relu(*args) for _, args in cases]
    with _trap("relu", RELU_RULE, "relu"):
        for (context, args), exp in zip(cases, expected, strict=True):
            got = call(relu, *args, name="relu", context=context)
            expect_tensor(got, exp, context=context, exact=True,
                          hint="keep positive entries, replace negative ones by 0; keep the dtype of x.")
        x = randn(5, 6, seed=3).requires_grad_()
        g = randn(5, 6, seed=4)
        out = call(relu, x, name="relu", context="x of shape (5, 6) with requires_grad")
        if not isinstance(out, Tensor) or out.grad_fn is None:
            raise CheckFailed("For x of shape (5, 6) with requires_grad: the output is not connected to x, so "
                              "no gradient can flow. Hint: compute with tensor operations on x; do not "
                              "detach, call .item()/.numpy() or build a new torch.tensor.")
        (out * g).sum().backward()
    expect_tensor(x.grad, g * (x.detach() > 0), context="x of shape (5, 6): the gradient of x",
                  hint="the gradient is 1 where x > 0 and 0 elsewhere.")
    if relu is not ref.relu:
        require(relu, name="relu", rule=RELU_RULE, forbids_calls=["torch.relu", "torch.nn.functional.relu"])


@check(SECTION, "ReLU", points=1)
def check_ReLU(ReLU) -> None:
    """A parameterless nn.Module that applies ReLU, with gradients."""
    _not_torch_layer(ReLU, "ReLU", nn.ReLU)
    module = _build(ReLU, name="ReLU", context="ReLU()")
    _expect_parameters(module, {}, context="ReLU()", hint="ReLU has no parameters.")
    x = randn(2, 3, 4, seed=0).requires_grad_()
    g = randn(2, 3, 4, seed=1)
    expected = torch.relu(x.detach())
    with _trap("ReLU", RELU_RULE, "relu"):
        got = call(module, x, name="ReLU", context="ReLU()(x), x of shape (2, 3, 4)")
        expect_tensor(got, expected, context="ReLU()(x), x of shape (2, 3, 4)", exact=True,
                      hint="forward should return relu(x).")
        (got * g).sum().backward()
    expect_tensor(x.grad, g * (x.detach() > 0), context="ReLU()(x): the gradient of x",
                  hint="compute with tensor operations on x so that autograd can follow.")


LINEAR_RULE = "Do not use `nn.Linear` or `F.linear`"
LINEAR_HINT = ("register `self.weight = nn.Parameter(...)` of shape (out_features, in_features) and, if bias, "
               "`self.bias` of shape (out_features,); forward is x @ weight.T + bias.")


@check(SECTION, "Linear", points=2)
def check_Linear_forward(Linear) -> None:
    """Parameters registered in torch's layout; outputs and gradients equal nn.Linear's with copied weights."""
    _not_torch_layer(Linear, "Linear", nn.Linear)
    check_defaults(Linear, ref.Linear, name="Linear")
    configs = [
        ("Linear(5, 3)", (5, 3, True), [(4, 5), (1, 5), (2, 3, 5)]),
        ("Linear(4, 4) (square weight)", (4, 4, True), [(3, 4), (4, 4)]),
        ("Linear(6, 2, bias=False)", (6, 2, False), [(3, 6), (1, 6)]),
        ("Linear(1, 7)", (1, 7, True), [(2, 1)]),
    ]
    for seed, (context, (fan_in, fan_out, bias), shapes) in enumerate(configs):
        torch.manual_seed(seed)
        theirs = nn.Linear(fan_in, fan_out, bias=bias)
        mine = _build(Linear, fan_in, fan_out, bias=bias, name="Linear", context=context)
        expected = {"weight": (fan_out, fan_in)} | ({"bias": (fan_out,)} if bias else {})
        _expect_parameters(mine, expected, context=context, hint=LINEAR_HINT)
        if not bias:
            _no_bias_attribute(mine, context=context)
        _copy_into(mine, theirs)
        for shape in shapes:
            x = randn(*shape, seed=10 * seed + len(shape)).requires_grad_()
            g = randn(*shape[:-1], fan_out, seed=99 + seed)
            theirs.zero_grad()
            exp = theirs(x)
            (exp * g).sum().backward()
            exp_grads = {"x": x.grad.clone()} | {f"`{n}`": p.grad.clone() for n, p in theirs.named_parameters()}
            x.grad = None
            where = f"{context} on x of shape {shape}, weights copied from nn.Linear"
            with _trap("Linear", LINEAR_RULE, "linear"):
                got = call(mine, x, name="Linear", context=where)
                expect_tensor(got, exp.detach(), context=where, hint=LINEAR_HINT)
                mine.zero_grad()
                (got * g).sum().backward()
            got_grads = {"x": x.grad} | {f"`{n}`": p.grad for n, p in mine.named_parameters()}
            _expect_grads(got_grads, exp_grads, context=where,
                          hint="keep the parameters as nn.Parameter and compute with them directly (no .data, "
                          "no .detach(), no copies made in __init__ used in forward).")
    if Linear is not ref.Linear:
        require(Linear, name="Linear", rule=LINEAR_RULE, forbids_calls=["torch.nn.functional.linear"])


@check(SECTION, "Linear", points=1)
def check_Linear_init(Linear) -> None:
    """Weight and bias drawn uniformly from ±1/sqrt(in_features), independently per layer."""
    torch.manual_seed(0)
    wide = _build(Linear, 400, 250, name="Linear", context="Linear(400, 250)")
    _expect_parameters(wide, {"weight": (250, 400), "bias": (250,)}, context="Linear(400, 250)", hint=LINEAR_HINT)
    _expect_uniform(wide.weight, 1 / math.sqrt(400), context="Linear(400, 250)", what="`weight`",
                    hint="draw from U(-1/sqrt(in_features), 1/sqrt(in_features)) — the fan-in is in_features, "
                    "not out_features; `torch.empty(...).uniform_(-bound, bound)`.")
    many_bias = _build(Linear, 9, 3000, name="Linear", context="Linear(9, 3000)")
    _expect_uniform(many_bias.bias, 1 / 3, context="Linear(9, 3000)", what="`bias`",
                    hint="the bias is drawn from the same U(-1/sqrt(in_features), 1/sqrt(in_features)) as the "
                    "weight, not set to zero.")
    other = _build(Linear, 400, 250, name="Linear", context="a second Linear(400, 250)")
    if torch.equal(other.weight.detach(), wide.weight.detach()):
        raise CheckFailed("Two Linear(400, 250) layers built one after the other have identical weights. "
                          "Hint: do not seed the generator inside __init__; draw fresh random numbers.")


@check(SECTION, "Flatten", points=1)
def check_Flatten(Flatten) -> None:
    """Default and custom start/end dims, negative dims, batch 1, a non-contiguous input; exact."""
    _not_torch_layer(Flatten, "Flatten", nn.Flatten)
    check_defaults(Flatten, ref.Flatten, name="Flatten")
    configs: list[tuple[str, dict[str, int], Tensor]] = [
        ("Flatten() on x of shape (2, 3, 4, 5)", {}, randn(2, 3, 4, 5, seed=0)),
        ("Flatten() on x of shape (1, 2, 3) (batch 1)", {}, randn(1, 2, 3, seed=1)),
        ("Flatten(0) on x of shape (2, 3, 4)", {"start_dim": 0}, randn(2, 3, 4, seed=2)),
        ("Flatten(1, 2) on x of shape (2, 3, 4, 5)", {"start_dim": 1, "end_dim": 2}, randn(2, 3, 4, 5, seed=3)),
        ("Flatten(-3, -2) on x of shape (2, 3, 4, 5)", {"start_dim": -3, "end_dim": -2}, randn(2, 3, 4, 5, seed=4)),
        ("Flatten(2, 2) on x of shape (2, 3, 4) (nothing to merge)", {"start_dim": 2, "end_dim": 2}, randn(2, 3, 4, seed=5)),
        ("Flatten() on a transposed (non-contiguous) x of shape (2, 4, 3)", {}, randn(2, 3, 4, seed=6).transpose(1, 2)),
    ]
    expected = [nn.Flatten(**kw)(x) for _, kw, x in configs]
    with _trap("Flatten", "Do not call `torch.flatten` / `Tensor.flatten` / `nn.Flatten`", "flatten"):
        for (context, kwargs, x), exp in zip(configs, expected, strict=True):
            module = _build(Flatten, name="Flatten", context=context, **kwargs)
            _expect_parameters(module, {}, context=context, hint="Flatten has no parameters.")
            got = call(module, x, name="Flatten", context=context)
            expect_tensor(got, exp, context=context, exact=True,
                          hint="end_dim is included: merge shape[start:end + 1]; turn negative dims into "
                          "positive with `dim % x.ndim`; use reshape (view fails on non-contiguous tensors).")
    if Flatten is not ref.Flatten:
        require(Flatten, name="Flatten", rule="Do not call `torch.flatten` / `Tensor.flatten` / `nn.Flatten`",
                forbids_calls=["torch.flatten"])


@check(SECTION, "Sequential", points=2)
def check_Sequential(Sequential) -> None:
    """Registers modules under "0", "1", …; applies them in order; gradients reach every layer."""
    _not_torch_layer(Sequential, "Sequential", nn.Sequential, nn.ModuleList)
    torch.manual_seed(0)
    layers = [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.Softplus(), nn.Linear(4, 2)]
    theirs = nn.Sequential(*layers)
    x = randn(5, 3, seed=1)
    exp = theirs(x)
    (exp ** 2).sum().backward()
    exp_grads = {f"`{n}`": p.grad.clone() for n, p in theirs.named_parameters()}
    theirs.zero_grad()
    context = "Sequential(Linear(3, 4), Tanh(), Linear(4, 4), Softplus(), Linear(4, 2)) (torch layers)"
    mine = _build(Sequential, *layers, name="Sequential", context=context)
    got_keys = list(mine.state_dict().keys())
    exp_keys = list(theirs.state_dict().keys())
    if got_keys != exp_keys:
        raise CheckFailed(
            f"For {context}: state_dict() keys should be {exp_keys}, got {got_keys}. Hint: register module i "
            "under the name str(i) with self.add_module(str(i), module); a plain Python list hides the layers "
            "from parameters(), and a ModuleList attribute adds its own name in front."
        )
    got = call(mine, x, name="Sequential", context=f"{context} on x of shape (5, 3)")
    expect_tensor(got, exp.detach(), context=f"{context} on x of shape (5, 3)",
                  hint="apply every module, in the order given: the output of one is the input of the next.")
    (got ** 2).sum().backward()
    _expect_grads({f"`{n}`": p.grad for n, p in mine.named_parameters()}, exp_grads, context=context,
                  hint="forward must call the registered modules themselves, so every layer's parameters get "
                  "gradients.")
    mine.eval()
    if any(m.training for m in layers):
        raise CheckFailed(f"For {context}: after .eval() on your Sequential, its layers are still in training "
                          "mode. Hint: register them as sub-modules so that eval() reaches them.")
    single = _build(Sequential, nn.Tanh(), name="Sequential", context="Sequential(Tanh())")
    x1 = randn(1, 4, seed=2)
    expect_tensor(call(single, x1, name="Sequential", context="Sequential(Tanh()) on x of shape (1, 4)"),
                  torch.tanh(x1), context="Sequential(Tanh()) on x of shape (1, 4) (one module)")


# ------------------------------------------------------------------------------------------
# Part 2 · convolutions
# ------------------------------------------------------------------------------------------
PAD_RULE = "Do not call `F.pad`"


@check(SECTION, "pad2d", points=1)
def check_pad2d(pad2d) -> None:
    """Equal (exactly) to F.pad on several shapes, zero widths, -inf, float64; gradients."""
    check_defaults(pad2d, ref.pad2d, name="pad2d")
    cases: list[tuple[str, Tensor, int, int, float | None]] = [
        ("x of shape (2, 3, 4, 5), pad_h=1, pad_w=2", randn(2, 3, 4, 5, seed=0), 1, 2, None),
        ("x of shape (1, 1, 3, 3), pad_h=2, pad_w=0", randn(1, 1, 3, 3, seed=1), 2, 0, None),
        ("x of shape (2, 2, 3), pad_h=0, pad_w=1 (3-D)", randn(2, 2, 3, seed=2), 0, 1, None),
        ("x of shape (4, 3), pad_h=1, pad_w=1 (2-D)", randn(4, 3, seed=3), 1, 1, None),
        ("x of shape (1, 2, 3, 2), pad_h=1, pad_w=3, value=-inf", randn(1, 2, 3, 2, seed=4), 1, 3, float("-inf")),
        ("float64 x of shape (2, 1, 2, 2), pad_h=2, pad_w=1, value=7.5",
         randn(2, 1, 2, 2, seed=5, dtype=torch.float64), 2, 1, 7.5),
        ("a transposed (non-contiguous) x of shape (1, 2, 4, 3), pad_h=1, pad_w=1",
         randn(1, 2, 3, 4, seed=6).transpose(2, 3), 1, 1, None),
    ]
    expected = [F.pad(x, (pw, pw, ph, ph), value=0.0 if v is None else v) for _, x, ph, pw, v in cases]
    with _trap("pad2d", PAD_RULE, "pad"):
        for (context, x, ph, pw, value), exp in zip(cases, expected, strict=True):
            args = (x, ph, pw) if value is None else (x, ph, pw, value)
            got = call(pad2d, *args, name="pad2d", context=context)
            expect_tensor(got, exp, context=context, exact=True,
                          hint="pad_h rows at the top AND the bottom, pad_w columns at the left AND the right, "
                          "of the last two axes only, filled with `value`; keep x's dtype.")
        x = randn(2, 3, 3, seed=7).requires_grad_()
        out = call(pad2d, x, 1, 2, name="pad2d", context="x of shape (2, 3, 3) with requires_grad")
        if not isinstance(out, Tensor) or out.grad_fn is None:
            raise CheckFailed("For x of shape (2, 3, 3) with requires_grad: the output is not connected to x. "
                              "Hint: copy x into the padded tensor with a slice assignment (not x.data / "
                              "x.detach()), so autograd sees it.")
        (out * randn(*out.shape, seed=8)).sum().backward()
    expect_tensor(x.grad, randn(2, 5, 7, seed=8)[:, 1:4, 2:5],
                  context="x of shape (2, 3, 3), pad (1, 2): the gradient of x",
                  hint="each input value appears once in the output, in the middle.")
    if pad2d is not ref.pad2d:
        require(pad2d, name="pad2d", rule=PAD_RULE, forbids_calls=["torch.nn.functional.pad"])


CONV_RULE = "Build the windows with `as_strided` (or `unfold`); do not call `F.conv2d`"
CONV_HINT = ("pad first; output size (H + 2*pad - k) // stride + 1; the window view has strides "
             "(sB, sC, sH*stride_h, sW*stride_w, sH, sW) taken from x.stride() of the padded x; contract "
             "'b c i j u v, o c u v -> b o i j'; add bias[:, None, None].")


def _conv_cases() -> list[tuple[str, Tensor, Tensor, Tensor | None, dict[str, Any]]]:
    return [
        ("x (2, 3, 5, 5), weight (4, 3, 3, 3), no bias", randn(2, 3, 5, 5, seed=0), randn(4, 3, 3, 3, seed=1), None, {}),
        ("x (2, 3, 5, 6), weight (2, 3, 3, 3), bias", randn(2, 3, 5, 6, seed=2), randn(2, 3, 3, 3, seed=3),
         randn(2, seed=4), {}),
        ("x (1, 2, 7, 7), weight (3, 2, 3, 3), stride=2 (batch 1)", randn(1, 2, 7, 7, seed=5),
         randn(3, 2, 3, 3, seed=6), randn(3, seed=7), {"stride": 2}),
        ("x (2, 1, 6, 5), weight (2, 1, 3, 3), padding=1", randn(2, 1, 6, 5, seed=8), randn(2, 1, 3, 3, seed=9),
         randn(2, seed=10), {"padding": 1}),
        ("x (1, 2, 7, 5), weight (3, 2, 2, 3) (non-square kernel), stride=(2, 1), padding=(1, 2)",
         randn(1, 2, 7, 5, seed=11), randn(3, 2, 2, 3, seed=12), randn(3, seed=13), {"stride": (2, 1), "padding": (1, 2)}),
        ("x (2, 3, 8, 6), weight (2, 3, 3, 1), stride=(1, 3), padding=(0, 1)", randn(2, 3, 8, 6, seed=14),
         randn(2, 3, 3, 1, seed=15), None, {"stride": (1, 3), "padding": (0, 1)}),
        ("x (2, 2, 6, 6), weight (2, 2, 2, 2), stride=3 (stride larger than the kernel)", randn(2, 2, 6, 6, seed=16),
         randn(2, 2, 2, 2, seed=17), None, {"stride": 3}),
        ("x (1, 3, 4, 5), weight (2, 3, 1, 1) (1×1 kernel)", randn(1, 3, 4, 5, seed=18), randn(2, 3, 1, 1, seed=19),
         randn(2, seed=20), {}),
        ("x (2, 1, 3, 4), weight (1, 1, 3, 4) (the kernel covers the whole image)", randn(2, 1, 3, 4, seed=21),
         randn(1, 1, 3, 4, seed=22), None, {}),
        ("a transposed (non-contiguous) x (2, 2, 6, 5), weight (3, 2, 3, 2), no padding",
         randn(2, 2, 5, 6, seed=23).transpose(2, 3), randn(3, 2, 3, 2, seed=24), None, {}),
        ("a sliced x[:, 1:] (storage offset) (2, 2, 5, 5), weight (2, 2, 3, 3), stride=2",
         randn(2, 3, 5, 5, seed=25)[:, 1:], randn(2, 2, 3, 3, seed=26), None, {"stride": 2}),
        ("float64 x (2, 2, 5, 4), weight (3, 2, 2, 2), padding=1", randn(2, 2, 5, 4, seed=27, dtype=torch.float64),
         randn(3, 2, 2, 2, seed=28, dtype=torch.float64), randn(3, seed=29, dtype=torch.float64), {"padding": 1}),
    ]


@check(SECTION, "conv2d", points=3)
def check_conv2d(conv2d) -> None:
    """Equal to F.conv2d with bias, strides, padding, non-square kernels, batch 1, strided views, float64."""
    check_defaults(conv2d, ref.conv2d, name="conv2d")
    cases = _conv_cases()
    expected = [F.conv2d(x, w, b, **kw) for _, x, w, b, kw in cases]
    with _trap("conv2d", CONV_RULE, "conv"):
        for (context, x, w, b, kw), exp in zip(cases, expected, strict=True):
            args = (x, w) if b is None else (x, w, b)
            got = call(conv2d, *args, name="conv2d", context=context, **kw)
            expect_tensor(got, exp, context=context, hint=CONV_HINT, atol=1e-5, rtol=1e-4)
    if conv2d is not ref.conv2d:
        require(conv2d, name="conv2d", rule=CONV_RULE, uses=["as_strided", "unfold"],
                forbids_calls=["torch.nn.functional.conv2d", "torch.convolution"])


@check(SECTION, "conv2d", points=1)
def check_conv2d_gradients(conv2d) -> None:
    """Gradients flow to x, weight and bias and equal F.conv2d's."""
    x = randn(2, 2, 6, 5, seed=30).requires_grad_()
    w = randn(3, 2, 3, 2, seed=31).requires_grad_()
    b = randn(3, seed=32).requires_grad_()
    kw = {"stride": (2, 1), "padding": 1}
    exp = F.conv2d(x, w, b, **kw)
    g = randn(*exp.shape, seed=33)
    exp_grads = dict(zip(["x", "weight", "bias"], torch.autograd.grad((exp * g).sum(), [x, w, b]), strict=True))
    context = "x (2, 2, 6, 5), weight (3, 2, 3, 2), bias, stride=(2, 1), padding=1"
    with _trap("conv2d", CONV_RULE, "conv"):
        got = call(conv2d, x, w, b, name="conv2d", context=context, **kw)
        expect_tensor(got, exp.detach(), context=context, hint=CONV_HINT, atol=1e-5, rtol=1e-4)
        if got.grad_fn is None:
            raise CheckFailed(f"For {context}: the output is not connected to the inputs, so no gradient flows. "
                              "Hint: build it from x, weight and bias with tensor operations (no .detach()).")
        (got * g).sum().backward()
    _expect_grads({"x": x.grad, "weight": w.grad, "bias": b.grad}, exp_grads, context=context,
                  hint="as_strided and einsum are differentiable; do not detach or copy through numpy.")


CONV_MODULE_RULE = "Do not use `nn.Conv2d` or `F.conv2d`"
CONV_MODULE_HINT = ("register `weight` of shape (out_channels, in_channels, kernel_h, kernel_w) and `bias` of shape "
                    "(out_channels,) as nn.Parameters; an int kernel_size means a square kernel.")


@check(SECTION, "Conv2d", points=2)
def check_Conv2d_forward(Conv2d) -> None:
    """Parameters in nn.Conv2d's layout; outputs and gradients equal nn.Conv2d's with copied weights."""
    _not_torch_layer(Conv2d, "Conv2d", nn.Conv2d)
    check_defaults(Conv2d, ref.Conv2d, name="Conv2d")
    configs: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...]]] = [
        ("Conv2d(3, 4, 3)", (3, 4, 3), {}, (2, 3, 6, 5)),
        ("Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0))", (2, 3, (2, 3)), {"stride": (2, 1), "padding": (1, 0)},
         (1, 2, 7, 6)),
        ("Conv2d(1, 2, 3, stride=2, padding=1, bias=False)", (1, 2, 3), {"stride": 2, "padding": 1, "bias": False},
         (3, 1, 5, 5)),
    ]
    for seed, (context, args, kwargs, shape) in enumerate(configs):
        torch.manual_seed(seed)
        theirs = nn.Conv2d(*args, **kwargs)
        mine = _build(Conv2d, *args, name="Conv2d", context=context, **kwargs)
        expected = {"weight": tuple(theirs.weight.shape)} | ({"bias": tuple(theirs.bias.shape)} if theirs.bias is not None else {})
        _expect_parameters(mine, expected, context=context, hint=CONV_MODULE_HINT)
        if theirs.bias is None:
            _no_bias_attribute(mine, context=context)
        _copy_into(mine, theirs)
        x = randn(*shape, seed=40 + seed).requires_grad_()
        exp = theirs(x)
        g = randn(*exp.shape, seed=50 + seed)
        (exp * g).sum().backward()
        exp_grads = {"x": x.grad.clone()} | {f"`{n}`": p.grad for n, p in theirs.named_parameters()}
        x.grad = None
        where = f"{context} on x of shape {shape}, weights copied from nn.Conv2d"
        with _trap("Conv2d", CONV_MODULE_RULE, "conv"):
            got = call(mine, x, name="Conv2d", context=where)
            expect_tensor(got, exp.detach(), context=where, atol=1e-5, rtol=1e-4,
                          hint="forward is conv2d(x, self.weight, self.bias, stride, padding) with the stride and "
                          "padding given to __init__.")
            (got * g).sum().backward()
        _expect_grads({"x": x.grad} | {f"`{n}`": p.grad for n, p in mine.named_parameters()}, exp_grads,
                      context=where, hint="use the registered parameters in forward, not copies.")
    if Conv2d is not ref.Conv2d:
        require(Conv2d, name="Conv2d", rule=CONV_MODULE_RULE, forbids_calls=["torch.nn.functional.conv2d"])


@check(SECTION, "Conv2d", points=1)
def check_Conv2d_init(Conv2d) -> None:
    """Weight and bias uniform in ±1/sqrt(in_channels * kernel_h * kernel_w)."""
    torch.manual_seed(0)
    context = "Conv2d(16, 200, (5, 3))"
    wide = _build(Conv2d, 16, 200, (5, 3), name="Conv2d", context=context)
    _expect_parameters(wide, {"weight": (200, 16, 5, 3), "bias": (200,)}, context=context, hint=CONV_MODULE_HINT)
    _expect_uniform(wide.weight, 1 / math.sqrt(16 * 5 * 3), context=context, what="`weight`",
                    hint="the fan-in of a convolution is in_channels * kernel_h * kernel_w; draw from "
                    "U(-1/sqrt(fan_in), 1/sqrt(fan_in)).")
    context = "Conv2d(2, 3000, (1, 4))"
    many_bias = _build(Conv2d, 2, 3000, (1, 4), name="Conv2d", context=context)
    _expect_uniform(many_bias.bias, 1 / math.sqrt(8), context=context, what="`bias`",
                    hint="the bias uses the same bound as the weight, 1/sqrt(in_channels * kernel_h * kernel_w).")


MAXPOOL_RULE = "Do not call `F.max_pool2d` or use `nn.MaxPool2d`"
MAXPOOL_HINT = ("stride=None means stride = kernel_size; pad with -inf (not 0); build the "
                "(B, C, out_h, out_w, kh, kw) window view as in conv2d and take amax over the last two axes.")


def _pool_cases() -> list[tuple[str, Tensor, tuple[Any, ...], dict[str, Any]]]:
    return [
        ("x (2, 3, 4, 6), kernel_size=2", randn(2, 3, 4, 6, seed=0), (2,), {}),
        ("x (1, 2, 7, 7), kernel_size=3, stride=2 (overlapping windows, batch 1)", randn(1, 2, 7, 7, seed=1), (3,),
         {"stride": 2}),
        ("x (2, 1, 5, 6), kernel_size=(2, 3), stride=(1, 2)", randn(2, 1, 5, 6, seed=2), ((2, 3),), {"stride": (1, 2)}),
        ("x (1, 2, 5, 5) of negative values, kernel_size=3, stride=2, padding=1", -randn(1, 2, 5, 5, seed=3).abs() - 1,
         (3,), {"stride": 2, "padding": 1}),
        ("x (2, 2, 6, 5), kernel_size=(4, 2), stride=1, padding=(2, 1)", randn(2, 2, 6, 5, seed=4), ((4, 2),),
         {"stride": 1, "padding": (2, 1)}),
        ("x (1, 1, 5, 7), kernel_size=2 (the last row and column are dropped)", randn(1, 1, 5, 7, seed=5), (2,), {}),
        ("a transposed (non-contiguous) x (2, 3, 6, 4), kernel_size=2", randn(2, 3, 4, 6, seed=6).transpose(2, 3),
         (2,), {}),
        ("float64 x (1, 2, 4, 4), kernel_size=2, stride=1", randn(1, 2, 4, 4, seed=7, dtype=torch.float64), (2,),
         {"stride": 1}),
    ]


@check(SECTION, "maxpool2d", points=2)
def check_maxpool2d(maxpool2d) -> None:
    """Equal (exactly) to F.max_pool2d: default stride, overlap, rectangular windows, -inf padding; gradients."""
    check_defaults(maxpool2d, ref.maxpool2d, name="maxpool2d")
    cases = _pool_cases()
    expected = [F.max_pool2d(x, *args, **kw) for _, x, args, kw in cases]
    x = randn(2, 2, 5, 5, seed=8).requires_grad_()
    exp_pooled = F.max_pool2d(x, 3, 2, 1)
    g = randn(*exp_pooled.shape, seed=9)
    (exp_grad,) = torch.autograd.grad((exp_pooled * g).sum(), [x])
    with _trap("maxpool2d", MAXPOOL_RULE, "maxpool"):
        for (context, inp, args, kw), exp in zip(cases, expected, strict=True):
            got = call(maxpool2d, inp, *args, name="maxpool2d", context=context, **kw)
            expect_tensor(got, exp, context=context, exact=True, hint=MAXPOOL_HINT)
        context = "x (2, 2, 5, 5), kernel_size=3, stride=2, padding=1, with requires_grad"
        got = call(maxpool2d, x, 3, 2, 1, name="maxpool2d", context=context)
        if not isinstance(got, Tensor) or got.grad_fn is None:
            raise CheckFailed(f"For {context}: the output is not connected to x, so no gradient flows.")
        (got * g).sum().backward()
    expect_tensor(x.grad, exp_grad, context=f"{context}: the gradient of x",
                  hint="each window's gradient goes to its largest entry; amax and as_strided are differentiable.")


@check(SECTION, "MaxPool2d", points=1)
def check_MaxPool2d(MaxPool2d) -> None:
    """No parameters; equal to nn.MaxPool2d, including the default stride."""
    _not_torch_layer(MaxPool2d, "MaxPool2d", nn.MaxPool2d)
    check_defaults(MaxPool2d, ref.MaxPool2d, name="MaxPool2d")
    configs: list[tuple[str, tuple[Any, ...], dict[str, Any], Tensor]] = [
        ("MaxPool2d(2) on x (2, 3, 4, 4)", (2,), {}, randn(2, 3, 4, 4, seed=0)),
        ("MaxPool2d(3, stride=2, padding=1) on x (1, 2, 5, 6)", (3,), {"stride": 2, "padding": 1}, randn(1, 2, 5, 6, seed=1)),
        ("MaxPool2d((2, 3), stride=(2, 1)) on x (2, 1, 6, 5)", ((2, 3),), {"stride": (2, 1)}, randn(2, 1, 6, 5, seed=2)),
    ]
    expected = [nn.MaxPool2d(*args, **kw)(x) for _, args, kw, x in configs]
    with _trap("MaxPool2d", MAXPOOL_RULE, "maxpool"):
        for (context, args, kw, x), exp in zip(configs, expected, strict=True):
            module = _build(MaxPool2d, *args, name="MaxPool2d", context=context, **kw)
            _expect_parameters(module, {}, context=context, hint="max pooling has no parameters.")
            got = call(module, x, name="MaxPool2d", context=context)
            expect_tensor(got, exp, context=context, exact=True,
                          hint="forward is maxpool2d(x, kernel_size, stride, padding) with the arguments given to "
                          "__init__; stride=None means stride = kernel_size.")


# ------------------------------------------------------------------------------------------
# Part 3 · loops
# ------------------------------------------------------------------------------------------
@check(SECTION, "train_epoch", points=2)
def check_train_epoch(train_epoch) -> None:
    """One epoch on a tiny model with SGD + momentum: same returned loss and parameters as the reference."""
    check_defaults(train_epoch, ref.train_epoch, name="train_epoch")
    for context, loss_fn in [
        ("10 examples in batches of 4, 4 and 2, SGD(lr=0.5, momentum=0.9), default loss_fn", None),
        ("the same data with loss_fn = cross-entropy with label smoothing 0.3", _smoothed_loss),
    ]:
        torch.manual_seed(0)
        model = _probe_model()
        reference = _probe_model()
        reference.load_state_dict(model.state_dict())
        extra = {} if loss_fn is None else {"loss_fn": loss_fn}
        exp = ref.train_epoch(reference, _loader(), _SGD(reference.parameters(), lr=0.5, momentum=0.9), **extra)
        model.eval()  # the loop must switch it back to training mode
        optimizer = _SGD(model.parameters(), lr=0.5, momentum=0.9)
        # Not through `call`: training changes the model and the optimizer in place, by design.
        got = train_epoch(model, _loader(), optimizer, **extra)
        for (n, p), (_, q) in zip(model.named_parameters(), reference.named_parameters(), strict=True):
            expect_tensor(p.detach(), q.detach(), context=f"{context}: parameter `{n}` after one epoch",
                          atol=1e-6, rtol=1e-5,
                          hint="for every batch: optimizer.zero_grad(), loss = loss_fn(model(x), y), "
                          "loss.backward(), optimizer.step() — in that order, once per batch (gradients "
                          "accumulate if you do not zero them).")
        got = _expect_float(got, context=context, what="the returned loss")
        if not math.isclose(got, exp, rel_tol=1e-5, abs_tol=1e-6):
            raise CheckFailed(
                f"For {context}: expected a mean loss of {exp:.6f}, got {got:.6f}. Hint: return the loss per "
                "example — weight each batch's loss by its size (the last batch has 2 examples, not 4) — "
                "computed before each step, with the loss_fn you were given."
            )
        seen = _probe(model).seen
        expect_equal(len(seen), 3, context=f"{context}: the number of forward passes",
                     hint="one forward pass per batch, every batch once.")
        if not all(training for training, _ in seen):
            raise CheckFailed(f"For {context}: the model was given to train_epoch in evaluation mode and stayed in it. "
                              "Hint: call model.train() at the start (evaluation leaves models in eval mode).")


@check(SECTION, "evaluate", points=2)
def check_evaluate(evaluate) -> None:
    """Loss per example and accuracy on uneven batches; eval mode, no_grad, parameters untouched."""
    check_defaults(evaluate, ref.evaluate, name="evaluate")
    for context, loss_fn, n, batch_size in [
        ("13 examples in batches of 4, 4, 4 and 1, default loss_fn", None, 13, 4),
        ("10 examples in batches of 3, 3, 3 and 1, loss_fn = cross-entropy with label smoothing 0.3",
         _smoothed_loss, 10, 3),
    ]:
        torch.manual_seed(1)
        model = _probe_model(dropout=True)
        extra = {} if loss_fn is None else {"loss_fn": loss_fn}
        exp_loss, exp_acc = ref.evaluate(model, _loader(n, batch_size, seed=5), **extra)
        model.train()  # left in training mode, with dropout: evaluate must switch it off
        _probe(model).seen.clear()
        got = call(evaluate, model, _loader(n, batch_size, seed=5), name="evaluate", context=context, **extra)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a pair (loss, accuracy), got {describe(got)}.")
        loss = _expect_float(got[0], context=context, what="the loss")
        acc = _expect_float(got[1], context=context, what="the accuracy")
        seen = _probe(model).seen
        if any(training for training, _ in seen):
            raise CheckFailed(f"For {context}: the model (which has dropout) was in training mode during evaluation. "
                              "Hint: call model.eval() first; dropout and batch norm behave differently in eval mode.")
        if model.training:
            raise CheckFailed(f"For {context}: evaluate should leave the model in evaluation mode, as its docstring "
                              "says; yours switched it back to training mode. Hint: the next train_epoch calls "
                              "model.train() itself, so evaluate need not restore anything.")
        if any(grad for _, grad in seen):
            raise CheckFailed(f"For {context}: autograd was recording during evaluation. Hint: run the loop under "
                              "`with torch.no_grad():` (or decorate the function with @torch.no_grad()).")
        if not math.isclose(acc, exp_acc, abs_tol=1e-6):
            raise CheckFailed(
                f"For {context}: expected accuracy {exp_acc:.6f}, got {acc:.6f}. Hint: the fraction (0 to 1) of all "
                "examples whose argmax logit (over the class axis, dim=-1) is the label — count correct examples "
                "over the whole loader, not the mean of per-batch accuracies."
            )
        if not math.isclose(loss, exp_loss, rel_tol=1e-5, abs_tol=1e-6):
            raise CheckFailed(
                f"For {context}: expected a mean loss of {exp_loss:.6f}, got {loss:.6f}. Hint: weight each batch's "
                "loss by its size and divide by the number of examples; use the loss_fn you were given."
            )


# ------------------------------------------------------------------------------------------
# Part 4 · networks
# ------------------------------------------------------------------------------------------
def _check_network(cls: Any, name: str, reference: nn.Module, args: tuple[Any, ...], hint: str) -> None:
    """Own modules only; parameter shapes in the reference's order; same logits with copied parameters."""
    _not_torch_layer(cls, name)
    context = f"{name}({', '.join(map(repr, args))})"
    model = _build(cls, *args, name=name, context=context)
    containers = (nn.ModuleList, nn.ModuleDict)  # holding your own layers in these is fine
    torch_layers = sorted({type(m).__name__ for m in model.modules()
                           if type(m).__module__.startswith("torch.nn") and not isinstance(m, containers)})
    if torch_layers:
        raise CheckFailed(f"For {context}: your model contains torch layers ({', '.join(torch_layers)}). Hint: "
                          "build it from your own Linear, ReLU, Flatten, Conv2d, MaxPool2d and Sequential.")
    got_shapes = [tuple(p.shape) for p in model.parameters()]
    exp_shapes = [tuple(p.shape) for p in reference.parameters()]
    if got_shapes != exp_shapes:
        raise CheckFailed(f"For {context}: the parameter shapes, in order, should be {exp_shapes}; yours are "
                          f"{got_shapes}. Hint: {hint}")
    with torch.no_grad():
        for p, q in zip(model.parameters(), reference.parameters(), strict=True):
            p.copy_(q)
    model.eval()
    for batch, seed in [(5, 0), (1, 1)]:
        x = randn(batch, 1, 8, 8, seed=seed)  # negative values too: an extra ReLU on the input shows
        where = f"{context} on {batch} random 8×8 image{'s' if batch > 1 else ''}, parameters copied in order"
        with _trap(name, "Use your own modules, not torch's layers", "conv", "maxpool", "linear", "relu", "flatten"):
            got = call(model, x, name=name, context=where)
        with torch.no_grad():
            expect_tensor(got, reference(x), context=where, atol=1e-5, rtol=1e-4, hint=hint)


@check(SECTION, "MLP", points=1)
def check_MLP(MLP) -> None:
    """Built from the learner's modules; layer shapes and order as specified; default hidden=64."""
    check_defaults(MLP, ref.MLP, name="MLP")
    hint = ("Flatten, Linear(64, hidden), ReLU, Linear(hidden, hidden), ReLU, Linear(hidden, 10) — a ReLU after "
            "each hidden Linear and none after the last.")
    for args, seed in [((), 0), ((24,), 1)]:
        torch.manual_seed(seed)
        _check_network(MLP, "MLP", ref.MLP(*args), args, hint)


@check(SECTION, "CNN", points=1)
def check_CNN(CNN) -> None:
    """Built from the learner's modules; layer shapes and order as specified."""
    torch.manual_seed(0)
    _check_network(
        CNN, "CNN", ref.CNN(), (),
        "Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2), "
        "Flatten, Linear(128, 10).",
    )
