"""Checks for section 0.3 — optimisation and experiment tracking.

The optimiser checks run the learner's class and ``torch.optim``'s side by side, from identical
parameters, on small seeded problems (a tiny MLP in float32, an ill-conditioned quadratic in
float64, a model with a frozen parameter, gradients written in place), for 20 steps, and compare
every parameter after every step; the message names the setting, the parameter and the first step
where they diverge. Schedules are compared with their closed forms and with
``torch.optim.lr_scheduler`` at every step, boundaries included. Inputs are built inside the
checks, never at import time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import torch

# torch.optim's first step imports torch._dynamo (about 1.6 s of CPU). Importing it here, in the
# parent, before the grader forks a child per check, pays that once instead of once per check.
# It is an import only: no tensor code runs, and it starts no threads.
import torch._dynamo  # noqa: F401, E402  (isort: keep after torch)

from arena_check.reference import s0_3_optimisation as ref
from arena_check.registry import check
from arena_check.testing import CheckFailed, call, check_defaults, expect_tensor, seeded

SECTION = "0.3"
STEPS = 20

Problem = tuple[list[str], list[torch.Tensor], Callable[[list[torch.Tensor]], torch.Tensor], set[int]]


# ------------------------------------------------------------------------------------------
# Problems: (parameter names, initial values, loss, indices of frozen parameters)
# ------------------------------------------------------------------------------------------
def _mlp(seed: int = 0) -> Problem:
    """A 4-5-3 tanh MLP's cross-entropy on 16 fixed examples, float32."""
    gen = seeded(seed)
    init = [
        torch.randn(5, 4, generator=gen) * 0.7,
        torch.randn(5, generator=gen) * 0.1,
        torch.randn(3, 5, generator=gen) * 0.7,
        torch.randn(3, generator=gen) * 0.1,
    ]
    x = torch.randn(16, 4, generator=gen)
    y = torch.randint(0, 3, (16,), generator=gen)

    def loss(ps: list[torch.Tensor]) -> torch.Tensor:
        w1, b1, w2, b2 = ps
        return torch.nn.functional.cross_entropy(torch.tanh(x @ w1.T + b1) @ w2.T + b2, y)

    return ["W1 (5×4)", "b1 (5,)", "W2 (3×5)", "b2 (3,)"], init, loss, set()


def _quadratic(seed: int = 1) -> Problem:
    """An ill-conditioned quadratic (curvatures 0.05 … 5) in float64 over two parameters of the
    same shape (so that state shared between parameters shows)."""
    gen = seeded(seed)
    q, _ = torch.linalg.qr(torch.randn(6, 6, generator=gen, dtype=torch.float64))
    curvatures = torch.tensor([0.05, 0.1, 0.5, 1.0, 2.0, 5.0], dtype=torch.float64)
    hessian = q @ torch.diag(curvatures) @ q.T
    target = torch.randn(6, generator=gen, dtype=torch.float64)
    start = torch.randn(6, generator=gen, dtype=torch.float64) * 0.3 + target
    init = [start[:3].clone(), start[3:].clone()]

    def loss(ps: list[torch.Tensor]) -> torch.Tensor:
        d = torch.cat(ps) - target
        return 0.5 * d @ hessian @ d

    return ["x (3,), float64", "y (3,), float64"], init, loss, set()


def _frozen(seed: int = 2) -> Problem:
    """The MLP with its first bias frozen: it never gets a gradient (grad stays None)."""
    names, init, loss, _ = _mlp(seed)
    return names, init, loss, {1}


PROBLEMS: dict[str, Callable[[], Problem]] = {
    "a tiny MLP (float32, seed 0)": _mlp,
    "an ill-conditioned quadratic (float64, seed 1)": _quadratic,
}


def _describe(cls_name: str, kwargs: dict[str, Any]) -> str:
    return f"{cls_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def _trajectories(
    cls: Any,
    torch_cls: Any,
    kwargs: dict[str, Any],
    problem_name: str,
    problem: Problem,
    *,
    hint: str,
    grads_in_place: bool = False,
    atol: float = 1e-5,
) -> None:
    """Run the learner's optimiser and torch's side by side for STEPS steps; compare every
    parameter after every step, and the properties every step must keep."""
    cls_name = getattr(cls, "__name__", "optimiser")
    setting = _describe(cls_name, kwargs)
    where = f"{setting} on {problem_name}"
    names, init, loss_fn, frozen = problem
    mine = [p.clone().requires_grad_(True) for p in init]
    theirs = [p.clone().requires_grad_(True) for p in init]
    opt = call(cls, mine, name=cls_name, context=f"creating {where}", **kwargs)
    torch_opt = torch_cls(theirs, **kwargs)
    for step in range(1, STEPS + 1):
        for params in (mine, theirs):
            grads = torch.autograd.grad(loss_fn(params), params, allow_unused=True)
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                if i in frozen:
                    continue
                if grads_in_place and p.grad is not None:
                    p.grad.copy_(g)
                else:
                    p.grad = g.clone()
        before = [p.detach().clone() for p in mine]
        grad_objects = [p.grad for p in mine]
        grad_values = [None if g is None else g.clone() for g in grad_objects]
        call(opt.step, name=f"{cls_name}.step", context=f"{where}, step {step}")
        torch_opt.step()
        for i, p in enumerate(mine):
            if p.grad is not grad_objects[i] or (
                grad_values[i] is not None and not torch.equal(p.grad, grad_values[i])
            ):
                raise CheckFailed(
                    f"For {where}: after step {step}, the gradient of parameter {names[i]} was "
                    "changed or replaced by your step. Hint: leave p.grad alone — compute "
                    "`g = p.grad + weight_decay * p` into a new tensor instead of `p.grad += …` "
                    "or `p.grad.add_(…)`."
                )
            if not p.requires_grad or p.grad_fn is not None:
                raise CheckFailed(
                    f"For {where}: after step {step}, parameter {names[i]} is no longer a leaf "
                    "tensor that requires grad. Hint: update parameters under torch.no_grad() "
                    "(or through p.data), in place."
                )
        if step == 1:
            moved = any(not torch.equal(a, b.detach()) for a, b in zip(before, mine, strict=True))
            should_move = any(not torch.equal(a.detach(), b) for a, b in zip(theirs, init, strict=True))
            if should_move and not moved:
                raise CheckFailed(
                    f"For {where}: after step 1 no parameter tensor had changed — the tensors the "
                    "model holds must be updated in place. Hint: `p = p - lr * g` only rebinds a "
                    "local name (and replacing entries of your list does not change the model's "
                    "tensors); use `p.sub_(lr * g)` or `p -= lr * g` under torch.no_grad()."
                )
        for i, name in enumerate(names):
            if i in frozen and not torch.equal(mine[i].detach(), init[i]):
                raise CheckFailed(
                    f"For {where}: parameter {name} has no gradient (p.grad is None: it is "
                    f"frozen), but your step {step} changed it. Hint: skip parameters whose grad "
                    "is None, as torch does."
                )
            expect_tensor(
                mine[i],
                theirs[i].detach(),
                context=f"{where}: parameter {name} after step {step} of {STEPS} (torch.optim.{torch_cls.__name__} as reference)",
                atol=atol,
                rtol=1e-5,
                hint=hint,
            )


def _run_settings(
    cls: Any,
    torch_cls: Any,
    settings: list[dict[str, Any]],
    *,
    hint: str,
    problems: dict[str, Callable[[], Problem]] | None = None,
) -> None:
    for kwargs in settings:
        for problem_name, make in (problems or PROBLEMS).items():
            _trajectories(cls, torch_cls, kwargs, problem_name, make(), hint=hint)


def _same_defaults(cls: Any, reference: Any) -> None:
    check_defaults(getattr(cls, "__init__", cls), reference.__init__, name=f"{reference.__name__}.__init__")


# ------------------------------------------------------------------------------------------
# Part 1 · Optimiser
# ------------------------------------------------------------------------------------------
@check(SECTION, "Optimiser", points=1)
def check_optimiser_params(Optimiser) -> None:
    """Parameters kept as a list, from a generator too; an empty list refused."""
    ps = [torch.zeros(2, requires_grad=True), torch.ones(3, requires_grad=True)]
    opt = call(Optimiser, (p for p in ps), name="Optimiser", context="a generator of 2 parameters")
    kept = getattr(opt, "params", None)
    if not isinstance(kept, list) or len(kept) != 2 or any(a is not b for a, b in zip(kept, ps, strict=False)):
        raise CheckFailed(
            "For a generator of 2 parameters: `self.params` should be a list holding the same two "
            f"tensor objects, in order; got {type(kept).__name__}"
            f"{' of length ' + str(len(kept)) if isinstance(kept, list) else ''}. Hint: `list(params)` — "
            "a generator such as model.parameters() can be read only once, and copies of the "
            "tensors would not be the model's."
        )
    try:
        Optimiser([])
    except ValueError:
        pass
    except Exception as e:  # noqa: BLE001
        raise CheckFailed(
            f"For an empty parameter list: expected ValueError, got {type(e).__name__}: {e}."
        ) from None
    else:
        raise CheckFailed("For an empty parameter list: expected ValueError, but nothing was raised.")
    try:
        Optimiser(iter([]))
    except ValueError:
        pass
    else:
        raise CheckFailed(
            "For an empty generator: expected ValueError, but nothing was raised. Hint: check the "
            "list you made, not the argument (a generator is always truthy)."
        )


@check(SECTION, "Optimiser", points=1)
def check_zero_grad(Optimiser) -> None:
    """Both modes of zero_grad, the default, and parameters without a gradient."""
    check_defaults(Optimiser.zero_grad, ref.Optimiser.zero_grad, name="Optimiser.zero_grad")
    for mode in (None, True, False):
        label = "zero_grad()" if mode is None else f"zero_grad(set_to_none={mode})"
        ps = [torch.randn(3, generator=seeded(i), requires_grad=True) for i in range(3)]
        grads = [torch.randn(3, generator=seeded(10 + i)) for i in range(2)]
        ps[0].grad, ps[1].grad = grads[0], grads[1]  # ps[2].grad stays None
        values = [p.detach().clone() for p in ps]
        opt = Optimiser(ps)
        call(opt.zero_grad, name="Optimiser.zero_grad", context=label) if mode is None else call(
            opt.zero_grad, mode, name="Optimiser.zero_grad", context=label
        )
        if ps[2].grad is not None:
            raise CheckFailed(
                f"For {label}: a parameter whose grad was None now has a gradient. Hint: leave it "
                "None in both modes."
            )
        for i in range(2):
            if mode is False:
                if ps[i].grad is not grads[i]:
                    raise CheckFailed(
                        f"For {label}: parameter {i}'s gradient is a different tensor object now. "
                        "Hint: zero it in place, p.grad.zero_(); assigning a new zeros tensor "
                        "breaks code that holds the old one."
                    )
                if not torch.equal(ps[i].grad, torch.zeros(3)):
                    raise CheckFailed(f"For {label}: parameter {i}'s gradient is not all zeros: {ps[i].grad.tolist()}.")
            elif ps[i].grad is not None:
                raise CheckFailed(
                    f"For {label}: parameter {i}'s gradient should be None, got {ps[i].grad!r}. "
                    "Hint: set_to_none defaults to True, as in torch.optim."
                )
            if not torch.equal(ps[i].detach(), values[i]):
                raise CheckFailed(f"For {label}: parameter {i}'s values changed; zero_grad touches only .grad.")


# ------------------------------------------------------------------------------------------
# Part 2 · SGD
# ------------------------------------------------------------------------------------------
SGD_HINT = (
    "d = g + weight_decay * p; with momentum the buffer starts as a copy of d on the first step "
    "(not zero) and is then momentum * b + (1 - dampening) * d; Nesterov steps along "
    "d + momentum * b, plain momentum along b; then p -= lr * direction."
)


@check(SECTION, "SGD", points=1)
def check_sgd_plain(SGD) -> None:
    """Plain SGD at two learning rates, and the constructor's defaults."""
    _same_defaults(SGD, ref.SGD)
    _run_settings(SGD, torch.optim.SGD, [dict(lr=0.1), dict(lr=0.5)], hint=SGD_HINT)
    _run_settings(SGD, torch.optim.SGD, [dict()], hint=SGD_HINT, problems={"a tiny MLP (float32, seed 3)": lambda: _mlp(3)})


@check(SECTION, "SGD", points=2)
def check_sgd_momentum(SGD) -> None:
    """Momentum 0.9 and 0.5, with and without dampening."""
    settings = [dict(lr=0.1, momentum=0.9), dict(lr=0.2, momentum=0.5), dict(lr=0.1, momentum=0.9, dampening=0.3)]
    _run_settings(SGD, torch.optim.SGD, settings, hint=SGD_HINT)


@check(SECTION, "SGD", points=1)
def check_sgd_nesterov(SGD) -> None:
    """Nesterov momentum at two momenta."""
    settings = [dict(lr=0.1, momentum=0.9, nesterov=True), dict(lr=0.2, momentum=0.5, nesterov=True)]
    _run_settings(
        SGD, torch.optim.SGD, settings,
        hint="with nesterov=True the direction is d + momentum * b (the buffer after this step's "
        "update), not b itself. " + SGD_HINT,
    )


@check(SECTION, "SGD", points=1)
def check_sgd_weight_decay(SGD) -> None:
    """Coupled weight decay, alone and with momentum and Nesterov."""
    settings = [
        dict(lr=0.1, weight_decay=0.1),
        dict(lr=0.05, weight_decay=1.0),
        dict(lr=0.1, momentum=0.9, weight_decay=0.05),
        dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    ]
    _run_settings(
        SGD, torch.optim.SGD, settings,
        hint="weight decay is added to the gradient *before* the momentum buffer: "
        "d = g + weight_decay * p (p before this step's update). " + SGD_HINT,
    )


@check(SECTION, "SGD", points=1)
def check_sgd_state_and_in_place(SGD) -> None:
    """A frozen parameter (grad None), gradients written into the same tensor every step, and
    a schedule changing lr between steps."""
    kwargs = dict(lr=0.1, momentum=0.9, weight_decay=0.01)
    _trajectories(SGD, torch.optim.SGD, kwargs, "a tiny MLP whose b1 is frozen (grad None)", _frozen(), hint=SGD_HINT)
    _trajectories(
        SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9), "a tiny MLP whose gradients are zeroed and "
        "refilled in place each step (seed 4)", _mlp(4), grads_in_place=True,
        hint="the momentum buffer must be a copy of the first gradient (d.clone()), not the "
        "gradient tensor itself: code that reuses the .grad tensor overwrites your buffer.",
    )
    _lr_changes(SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9))


def _lr_changes(cls: Any, torch_cls: Any, kwargs: dict[str, Any]) -> None:
    """Change `lr` between steps (as a schedule does): the step must use the current value."""
    names, init, loss_fn, _ = _mlp(5)
    mine = [p.clone().requires_grad_(True) for p in init]
    theirs = [p.clone().requires_grad_(True) for p in init]
    opt, torch_opt = cls(mine, **kwargs), torch_cls(theirs, **kwargs)
    for step in range(1, 9):
        lr = kwargs["lr"] * (0.5 if step % 2 else 1.5)
        opt.lr = lr
        torch_opt.param_groups[0]["lr"] = lr
        for params in (mine, theirs):
            for p, g in zip(params, torch.autograd.grad(loss_fn(params), params), strict=True):
                p.grad = g
        call(opt.step, name=f"{cls.__name__}.step", context=f"step {step} with opt.lr set to {lr}")
        torch_opt.step()
        for i, name in enumerate(names):
            expect_tensor(
                mine[i], theirs[i].detach(),
                context=f"{_describe(cls.__name__, kwargs)} on a tiny MLP (seed 5) with `opt.lr` set to {lr} "
                f"before step {step}: parameter {name}",
                hint="read self.lr in step() each time (a schedule changes it between steps); do not "
                "copy it into other state in __init__.",
            )


# ------------------------------------------------------------------------------------------
# Part 3 · RMSprop, Adam, AdamW
# ------------------------------------------------------------------------------------------
RMS_HINT = (
    "v = alpha * v + (1 - alpha) * g**2 from v = 0; denominator sqrt(v) + eps (eps outside the "
    "root), or sqrt(v - m**2) + eps when centered; a momentum buffer starting at zero, "
    "b = momentum * b + g / denominator; weight decay added to g first."
)


@check(SECTION, "RMSprop", points=1)
def check_rmsprop_basic(RMSprop) -> None:
    """Defaults, other alpha, a large eps (where its place matters), weight decay."""
    _same_defaults(RMSprop, ref.RMSprop)
    settings = [dict(lr=0.01), dict(lr=0.01, alpha=0.9, eps=0.1), dict(lr=0.01, weight_decay=0.1), dict(lr=0.01, weight_decay=1.0)]
    _run_settings(RMSprop, torch.optim.RMSprop, settings, hint=RMS_HINT)
    _run_settings(RMSprop, torch.optim.RMSprop, [dict()], hint=RMS_HINT, problems={"a tiny MLP (float32, seed 3)": lambda: _mlp(3)})


@check(SECTION, "RMSprop", points=1)
def check_rmsprop_momentum_centered(RMSprop) -> None:
    """Momentum, centring, both, and a frozen parameter."""
    settings = [
        dict(lr=0.01, momentum=0.9),
        dict(lr=0.01, centered=True, eps=0.01),
        dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
    ]
    _run_settings(RMSprop, torch.optim.RMSprop, settings, hint=RMS_HINT)
    _trajectories(
        RMSprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.9), "a tiny MLP whose b1 is frozen (grad None)",
        _frozen(), hint=RMS_HINT,
    )


ADAM_HINT = (
    "per parameter: t += 1 first (t = 1 on the first step); m and v from zero; "
    "m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t); p -= lr * m_hat / (sqrt(v_hat) + eps) "
    "— eps outside the root; Adam's weight decay is added to the gradient."
)


@check(SECTION, "Adam", points=2)
def check_adam_basic(Adam) -> None:
    """Defaults, other betas, a large eps."""
    _same_defaults(Adam, ref.Adam)
    settings = [dict(lr=0.01), dict(lr=0.05, betas=(0.8, 0.99)), dict(lr=0.01, eps=0.1), dict(lr=0.01, betas=(0.5, 0.9), eps=1e-3)]
    _run_settings(Adam, torch.optim.Adam, settings, hint=ADAM_HINT)
    _run_settings(Adam, torch.optim.Adam, [dict()], hint=ADAM_HINT, problems={"a tiny MLP (float32, seed 3)": lambda: _mlp(3)})


@check(SECTION, "Adam", points=1)
def check_adam_weight_decay_amsgrad(Adam) -> None:
    """Coupled weight decay, AMSGrad, a frozen parameter, lr changed between steps."""
    settings = [dict(lr=0.01, weight_decay=0.1), dict(lr=0.01, weight_decay=1.0), dict(lr=0.05, amsgrad=True), dict(lr=0.02, betas=(0.8, 0.9), weight_decay=0.2, amsgrad=True)]
    _run_settings(
        Adam, torch.optim.Adam, settings,
        hint="torch.optim.Adam's weight_decay is L2: g = p.grad + weight_decay * p, before the "
        "moments. AMSGrad keeps v_max = max(v_max, v) and uses it (bias-corrected by "
        "1 - beta2**t) in the denominator. " + ADAM_HINT,
    )
    _trajectories(Adam, torch.optim.Adam, dict(lr=0.01), "a tiny MLP whose b1 is frozen (grad None)", _frozen(), hint=ADAM_HINT)
    _lr_changes(Adam, torch.optim.Adam, dict(lr=0.01))


@check(SECTION, "AdamW", points=2)
def check_adamw(AdamW) -> None:
    """Decoupled weight decay at several strengths, the default decay, AMSGrad."""
    _same_defaults(AdamW, ref.AdamW)
    settings = [dict(lr=0.01), dict(lr=0.05, weight_decay=0.5), dict(lr=0.01, weight_decay=0.0), dict(lr=0.02, weight_decay=0.2, amsgrad=True, betas=(0.8, 0.99))]
    _run_settings(
        AdamW, torch.optim.AdamW, settings,
        hint="AdamW first shrinks the weight, p *= 1 - lr * weight_decay, and then takes Adam's step "
        "with the raw gradient (no weight_decay * p added to it). The default weight_decay is 0.01. "
        + ADAM_HINT,
    )
    _trajectories(AdamW, torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1), "a tiny MLP whose b1 is frozen (grad None)", _frozen(), hint=ADAM_HINT)
    _lr_changes(AdamW, torch.optim.AdamW, dict(lr=0.01, weight_decay=0.5))


# ------------------------------------------------------------------------------------------
# Part 5 · schedules
# ------------------------------------------------------------------------------------------
def _torch_rates(make: Callable[[torch.optim.Optimizer], Any], steps: int, base_lr: float) -> list[float]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched, rates = make(opt), []
    for _ in range(steps):
        rates.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return rates


def _compare_rates(fn: Any, name: str, args_for: Callable[[int], tuple], expected: list[float], setting: str, hint: str) -> None:
    for step, want in enumerate(expected):
        got = call(fn, step, *args_for(step)[1:], name=name, context=f"{setting}, step {step}")
        if isinstance(got, torch.Tensor) or not isinstance(got, int | float) or isinstance(got, bool):
            raise CheckFailed(f"For {setting}, step {step}: expected a Python float, got {type(got).__name__}. Hint: use math, not torch, for a scalar.")
        if not math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-12):
            raise CheckFailed(f"For {setting}: at step {step} expected {want:.8g}, got {got:.8g}. Hint: {hint}")


@check(SECTION, "linear_warmup", points=1)
def check_linear_warmup(linear_warmup) -> None:
    """Against torch's LinearLR for several warm-up lengths, and warmup_steps=1."""
    hint = ("the first update (step 0) uses base_lr / warmup_steps, step warmup_steps - 1 reaches "
            "base_lr, and the rate stays there: base_lr * min(1, (step + 1) / warmup_steps).")
    for base, warm in ((0.1, 5), (3e-4, 10), (1.0, 2)):
        expected = _torch_rates(lambda o, w=warm: torch.optim.lr_scheduler.LinearLR(o, 1 / w, total_iters=w - 1), 3 * warm, base)
        _compare_rates(linear_warmup, "linear_warmup", lambda s, b=base, w=warm: (s, b, w), expected,
                       f"linear_warmup(step, base_lr={base}, warmup_steps={warm})", hint)
    _compare_rates(linear_warmup, "linear_warmup", lambda s: (s, 0.5, 1), [0.5] * 4,
                   "linear_warmup(step, base_lr=0.5, warmup_steps=1) (no warm-up)", hint)


@check(SECTION, "step_lr", points=1)
def check_step_lr(step_lr) -> None:
    """Against torch's StepLR; the default gamma."""
    check_defaults(step_lr, ref.step_lr, name="step_lr")
    hint = "base_lr * gamma ** (step // step_size): the first decay happens at step == step_size."
    for base, size, gamma in ((0.1, 3, 0.1), (1.0, 5, 0.5), (0.2, 1, 0.9)):
        expected = _torch_rates(lambda o, s=size, g=gamma: torch.optim.lr_scheduler.StepLR(o, s, g), 4 * size + 2, base)
        _compare_rates(step_lr, "step_lr", lambda s, b=base, z=size, g=gamma: (s, b, z, g), expected,
                       f"step_lr(step, base_lr={base}, step_size={size}, gamma={gamma})", hint)


@check(SECTION, "cosine_lr", points=1)
def check_cosine_lr(cosine_lr) -> None:
    """Against torch's CosineAnnealingLR up to total_steps; the minimum after; defaults."""
    check_defaults(cosine_lr, ref.cosine_lr, name="cosine_lr")
    hint = ("min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2: base_lr at step 0, "
            "exactly min_lr at step total_steps, and min_lr for every later step (do not climb back up).")
    for base, total, low in ((0.1, 10, 0.0), (1.0, 7, 0.1), (3e-4, 25, 1e-5)):
        expected = _torch_rates(lambda o, t=total, m=low: torch.optim.lr_scheduler.CosineAnnealingLR(o, t, eta_min=m), total + 1, base)
        expected += [low] * 5
        _compare_rates(cosine_lr, "cosine_lr", lambda s, b=base, t=total, m=low: (s, b, t, m), expected,
                       f"cosine_lr(step, base_lr={base}, total_steps={total}, min_lr={low})", hint)
    got = call(cosine_lr, 3, 1.0, 6, name="cosine_lr", context="cosine_lr(3, 1.0, 6) (default min_lr)")
    if not isinstance(got, int | float) or not math.isclose(got, 0.5, rel_tol=1e-9):
        raise CheckFailed(f"For cosine_lr(3, base_lr=1.0, total_steps=6) with the default min_lr=0: expected 0.5, got {got!r}.")


@check(SECTION, "warmup_cosine_lr", points=1)
def check_warmup_cosine_lr(warmup_cosine_lr) -> None:
    """Against torch's SequentialLR(LinearLR, CosineAnnealingLR); the minimum after the end."""
    check_defaults(warmup_cosine_lr, ref.warmup_cosine_lr, name="warmup_cosine_lr")
    hint = ("warm-up as linear_warmup for steps 0 .. warmup_steps - 1; from step warmup_steps the "
            "cosine starts at its own step 0 (base_lr) and reaches min_lr at step total_steps: "
            "cosine_lr(step - warmup_steps, base_lr, total_steps - warmup_steps, min_lr).")
    sched = torch.optim.lr_scheduler
    for base, warm, total, low in ((0.1, 4, 12, 0.0), (1.0, 10, 30, 0.05), (1e-3, 1, 8, 1e-4)):
        def make(o, w=warm, t=total, m=low):
            return sched.SequentialLR(
                o, [sched.LinearLR(o, 1 / w, total_iters=max(w - 1, 0)), sched.CosineAnnealingLR(o, t - w, eta_min=m)],
                milestones=[w],
            )
        expected = _torch_rates(make, total + 1, base) + [low] * 3
        _compare_rates(warmup_cosine_lr, "warmup_cosine_lr", lambda s, b=base, w=warm, t=total, m=low: (s, b, w, t, m), expected,
                       f"warmup_cosine_lr(step, base_lr={base}, warmup_steps={warm}, total_steps={total}, min_lr={low})", hint)


# ------------------------------------------------------------------------------------------
# Part 6 · sweeps
# ------------------------------------------------------------------------------------------
def _expect_configs(got: Any, expected: list[dict], context: str, hint: str) -> None:
    if not isinstance(got, list) or not all(isinstance(c, dict) for c in got):
        raise CheckFailed(f"For {context}: expected a list of dicts, got {type(got).__name__}. Hint: {hint}")
    if len(got) != len(expected):
        raise CheckFailed(f"For {context}: expected {len(expected)} configurations, got {len(got)}. Hint: {hint}")
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        if g != e or list(g) != list(e):
            raise CheckFailed(f"For {context}: configuration {i} should be {e}, got {g}. Hint: {hint}")


@check(SECTION, "grid_configs", points=1)
def check_grid_configs(grid_configs) -> None:
    """Order (last key fastest), key order, one key, a single value, the empty space."""
    hint = ("nested loops over the keys in order, the last key varying fastest "
            "(itertools.product order); each dict keeps the keys in the order of `space`.")
    cases = [
        ("{'a': [1, 2], 'b': ['x', 'y']}", {"a": [1, 2], "b": ["x", "y"]}),
        ("{'lr': [0.1, 0.01, 0.001], 'opt': ['sgd', 'adam'], 'width': [32]}", {"lr": [0.1, 0.01, 0.001], "opt": ["sgd", "adam"], "width": [32]}),
        ("{'z': [3, 1], 'a': [2, 0, 5]} (keys not in sorted order)", {"z": [3, 1], "a": [2, 0, 5]}),
        ("{'seed': [0, 1, 2]} (one key)", {"seed": [0, 1, 2]}),
        ("{} (the empty space)", {}),
    ]
    for context, space in cases:
        got = call(grid_configs, space, name="grid_configs", context=context)
        _expect_configs(got, ref.grid_configs(space), context, hint)


@check(SECTION, "sample_config", points=1)
def check_sample_config(sample_config) -> None:
    """Reproducible, seed-dependent, independent of the global RNG; values from the space."""
    # The learner's file defines its own LogUniform (the page's export cell); use that one, so
    # that its `isinstance` test recognises the ranges.
    log_uniform = getattr(sample_config, "__globals__", {}).get("LogUniform", ref.LogUniform)
    space = {"optimiser": ["sgd", "adam", "adamw"], "lr": log_uniform(1e-4, 1e-1), "width": [32, 64]}
    random.seed(12345)
    state = random.getstate()
    first = call(sample_config, space, 0, name="sample_config", context="the space {optimiser: 3 choices, lr: LogUniform(1e-4, 1e-1), width: [32, 64]}, seed 0")
    if random.getstate() != state:
        raise CheckFailed(
            "For seed 0: your sample_config changed the global `random` state. Hint: draw from "
            "`random.Random(seed)`, your own generator, not from the `random` module's functions."
        )
    if not isinstance(first, dict) or list(first) != list(space):
        raise CheckFailed(f"For seed 0: expected a dict with the keys {list(space)} in that order, got {first!r}.")
    random.seed(999)
    again = sample_config(space, 0)
    if again != first:
        raise CheckFailed(
            f"For seed 0 twice: got {first} and then {again}. Hint: the result must depend on the "
            "seed only — make the generator from the seed inside the function."
        )
    draws = [sample_config(space, seed) for seed in range(400)]
    distinct = len({d["lr"] for d in draws})
    if distinct < 350:
        raise CheckFailed(
            f"For seeds 0..399: only {distinct} distinct learning rates in 400 draws. Hint: make the "
            "generator from `seed` (random.Random(seed)) and return the continuous value you drew, "
            "unrounded."
        )
    for d in draws:
        if d["optimiser"] not in space["optimiser"] or d["width"] not in (32, 64) or not isinstance(d["width"], int):
            raise CheckFailed(f"For seeds 0..399: a configuration has a value not in its list: {d}.")
        if not isinstance(d["lr"], float) or not 1e-4 <= d["lr"] <= 1e-1:
            raise CheckFailed(f"For seeds 0..399: lr should be a float in [1e-4, 1e-1], got {d['lr']!r}.")
    for key, choices in (("optimiser", space["optimiser"]), ("width", space["width"])):
        counts = {c: sum(d[key] == c for d in draws) for c in choices}
        if min(counts.values()) < 400 / len(choices) * 0.7:
            raise CheckFailed(f"For seeds 0..399: the choices for {key!r} are not equally likely: counts {counts}.")
    below = sum(d["lr"] < 1e-2 for d in draws) / len(draws)  # log-uniform: 2/3; uniform: ~0.1
    if not 0.58 < below < 0.75:
        raise CheckFailed(
            f"For seeds 0..399 and LogUniform(1e-4, 1e-1): {below:.0%} of the learning rates are below "
            "1e-2; a log-uniform draw puts two thirds there. Hint: draw log(lr) uniformly between "
            "log(low) and log(high), then exponentiate — a uniform draw between low and high "
            "almost never gives small values."
        )
    first_key = [sample_config({"lr": log_uniform(1.0, 1000.0)}, s)["lr"] for s in range(50)]
    if any(not 1.0 <= v <= 1000.0 for v in first_key):
        raise CheckFailed("For LogUniform(1.0, 1000.0): a value fell outside [1, 1000].")


def _runs() -> list[dict]:
    return [
        {"name": "a", "config": {"lr": 0.1}, "summary": {"acc": 0.80, "loss": 0.50}},
        {"name": "b", "config": {"lr": 1.0}, "summary": {"acc": float("nan"), "loss": float("nan")}},
        {"name": "c", "config": {"lr": 0.3}, "summary": {"acc": 0.91, "loss": 0.30}},
        {"name": "d", "config": {"lr": 3.0}, "summary": {}},
        {"name": "e", "config": {"lr": 0.2}, "summary": {"acc": 0.91, "loss": 0.30}},
        {"name": "f", "config": {"lr": 0.01}, "summary": {"acc": 0.20, "loss": 2.0}},
    ]


@check(SECTION, "best_run", points=1)
def check_best_run(best_run) -> None:
    """max and min, the default mode, NaN and missing metrics skipped, ties, no usable run."""
    check_defaults(best_run, ref.best_run, name="best_run")
    cases = [
        ("acc, mode='max' (a NaN run, a run with no summary, a tie between c and e)", ("acc", "max"), "c"),
        ("acc with the default mode", ("acc",), "c"),
        ("loss, mode='min' (a NaN run, a run with no summary, a tie between c and e)", ("loss", "min"), "c"),
    ]
    for context, args, want in cases:
        runs = _runs()
        before = repr(runs)  # NaN != NaN, so compare the text of the runs for in-place edits
        got = call(lambda runs=runs, args=args: best_run(runs, *args), name="best_run", context=context)
        if repr(runs) != before:
            raise CheckFailed(f"For {context}: your best_run changed the list of runs or a run in place. Hint: only read them.")
        if not any(got is r for r in runs):
            name = got.get("name") if isinstance(got, dict) else None
            raise CheckFailed(f"For {context}: expected the run dict itself (run {want!r}), got {name or type(got).__name__!r}"
                              " — return one of the runs you were given, not a copy or a name.")
        if got["name"] != want:
            raise CheckFailed(
                f"For {context}: expected run {want!r}, got run {got['name']!r}. Hint: skip runs whose "
                "summary lacks the metric or holds NaN (every comparison with NaN is False); ties go "
                "to the earliest run; mode='min' picks the smallest value."
            )
    nan_first = [{"name": "x", "summary": {"acc": float("nan")}}, {"name": "y", "summary": {"acc": 0.1}}]
    got = call(lambda: best_run(nan_first, "acc"), name="best_run", context="a NaN run first, then a run with acc 0.1")
    if not isinstance(got, dict) or got.get("name") != "y":
        raise CheckFailed("For a NaN run first, then a run with acc 0.1: expected run 'y'. Hint: a NaN must never become the best value.")
    for context, runs in (
        ("runs that all lack the metric", [{"name": "p", "summary": {}}, {"name": "q", "summary": {"other": 1.0}}]),
        ("runs that all have NaN", [{"name": "p", "summary": {"acc": float("nan")}}]),
        ("an empty list of runs", []),
    ):
        try:
            best_run(runs, "acc")
        except ValueError:
            continue
        except Exception as e:  # noqa: BLE001
            raise CheckFailed(f"For {context}: expected ValueError, got {type(e).__name__}: {e}.") from None
        raise CheckFailed(f"For {context}: expected ValueError (no run has a usable value), but nothing was raised.")

