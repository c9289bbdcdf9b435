"""GENERATED from book/0_fundamentals/0.3_optimisation.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
import random
from collections.abc import Callable, Iterable
from typing import NamedTuple

import torch
from jaxtyping import Float
from torch import Tensor

import arena_check


class Optimiser:
    """Base class: holds the parameters, clears their gradients.

    Subclasses add hyperparameters and state and implement `step`.
    """

    def __init__(self, params: Iterable[Tensor]) -> None:
        """Store `params` as a list in `self.params`, in the order given.

        `params` may be a generator such as `model.parameters()`, which
        can be read only once. Raise `ValueError` if it is empty: an
        optimiser with nothing to optimise is always a bug upstream.
        """
        self.params: list[Tensor] = list(params)
        if not self.params:
            raise ValueError("the optimiser got an empty list of parameters")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradient of every parameter.

        With `set_to_none=True` set each `p.grad` to `None`. Otherwise
        zero each existing gradient *in place*: the tensor object stays
        the same, its values become 0. Parameters whose `.grad` is
        already `None` stay `None` in both modes.
        """
        for p in self.params:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()


class SGD(Optimiser):
    """Stochastic gradient descent, as `torch.optim.SGD` computes it."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        """Store the parameters (via `Optimiser.__init__`) and settings.

        Keep the settings as attributes of the same names (`self.lr`,
        ...): a schedule changes `self.lr` between steps, and `step`
        must use the current value.
        """
        super().__init__(params)
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.buffers: list[Tensor | None] = [None] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient.

        With g = p.grad, for each parameter p whose grad is not None:
          d = g + weight_decay * p
          with momentum > 0:
            b = d.clone() on the first step of p, else
            b = momentum * b + (1 - dampening) * d
            d = d + momentum * b if nesterov else b
          p -= lr * d
        Updates each `p` in place (the model holds these tensors),
        never modifies `p.grad`, and leaves parameters whose grad is
        None untouched. Matches torch.optim.SGD to 1e-5 for 20 steps.
        """
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            d = p.grad
            if self.weight_decay != 0:
                d = d + self.weight_decay * p
            if self.momentum != 0:
                buf = self.buffers[i]
                if buf is None:
                    buf = self.buffers[i] = d.clone()
                else:
                    buf.mul_(self.momentum).add_(d, alpha=1 - self.dampening)
                d = d + self.momentum * buf if self.nesterov else buf
            p.add_(d, alpha=-self.lr)


class RMSprop(Optimiser):
    """RMSprop, as `torch.optim.RMSprop` computes it."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        """Store parameters and settings (attributes of the same names)."""
        super().__init__(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.weight_decay, self.momentum, self.centered = weight_decay, momentum, centered
        self.state: list[dict[str, Tensor]] = [{} for _ in self.params]

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient.

        For each parameter p whose grad is not None, with per-parameter
        state v, m, b starting at zero:
          g = p.grad + weight_decay * p
          v = alpha * v + (1 - alpha) * g**2
          if centered: m = alpha * m + (1 - alpha) * g
                       denom = sqrt(v - m**2) + eps
          else:        denom = sqrt(v) + eps
          if momentum > 0: b = momentum * b + g / denom;  p -= lr * b
          else:            p -= lr * g / denom
        In place, `p.grad` unmodified, grad-less parameters untouched.
        Matches torch.optim.RMSprop to 1e-5 for 20 steps.
        """
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            if not state:
                state["v"] = torch.zeros_like(p)
                state["m"] = torch.zeros_like(p)
                state["b"] = torch.zeros_like(p)
            v, m, b = state["v"], state["m"], state["b"]
            v.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)
            if self.centered:
                m.mul_(self.alpha).add_(g, alpha=1 - self.alpha)
                denom = (v - m * m).sqrt() + self.eps
            else:
                denom = v.sqrt() + self.eps
            if self.momentum > 0:
                b.mul_(self.momentum).add_(g / denom)
                p.add_(b, alpha=-self.lr)
            else:
                p.add_(g / denom, alpha=-self.lr)


class Adam(Optimiser):
    """Adam with coupled (L2) weight decay, as `torch.optim.Adam` computes it."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        """Store parameters and settings (attributes of the same names)."""
        super().__init__(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.weight_decay, self.amsgrad = weight_decay, amsgrad
        self.state: list[dict] = [{} for _ in self.params]

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient.

        For each parameter p whose grad is not None, with its own step
        count t (0 before its first update) and m, v, v_max starting at 0:
          t += 1
          g = p.grad + weight_decay * p
          m = beta1 * m + (1 - beta1) * g
          v = beta2 * v + (1 - beta2) * g**2
          if amsgrad: v_max = max(v_max, v), used below in place of v
          m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
          p -= lr * m_hat / (sqrt(v_hat) + eps)
        In place, `p.grad` unmodified, grad-less parameters untouched.
        Matches torch.optim.Adam to 1e-5 for 20 steps.
        """
        beta1, beta2 = self.betas
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            self._adam_update(p, g, state, beta1, beta2)

    def _adam_update(self, p: Tensor, g: Tensor, state: dict, beta1: float, beta2: float) -> None:
        """Adam's update of one parameter `p`, in place; AdamW reuses it.

        `g` is the gradient to use (Adam passes p.grad + weight_decay * p,
        AdamW the raw p.grad); `state` is this parameter's dict, empty
        before its first step. Increments its step count t, updates m,
        v (and v_max with amsgrad) and applies the bias-corrected step.
        """
        if not state:
            state["t"] = 0
            state["m"] = torch.zeros_like(p)
            state["v"] = torch.zeros_like(p)
            state["v_max"] = torch.zeros_like(p)
        state["t"] += 1
        t, m, v = state["t"], state["m"], state["v"]
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        if self.amsgrad:
            torch.maximum(state["v_max"], v, out=state["v_max"])
            v = state["v_max"]
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))


class AdamW(Adam):
    """Adam with decoupled weight decay, as `torch.optim.AdamW` computes it."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        """Store parameters and settings (attributes of the same names)."""
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient.

        For each parameter p whose grad is not None:
          p *= 1 - lr * weight_decay        (decoupled decay, first)
          then Adam's update (bias-corrected, optional AMSGrad) with
          g = p.grad — the decay is NOT added to the gradient.
        In place, `p.grad` unmodified, grad-less parameters untouched.
        Matches torch.optim.AdamW to 1e-5 for 20 steps.
        """
        beta1, beta2 = self.betas
        for p, state in zip(self.params, self.state):
            if p.grad is None:
                continue
            p.mul_(1 - self.lr * self.weight_decay)
            self._adam_update(p, p.grad, state, beta1, beta2)


def linear_warmup(step: int, base_lr: float, warmup_steps: int) -> float:
    """Learning rate at update `step` (0 = the first update).

    base_lr * (step + 1) / warmup_steps for step < warmup_steps,
    base_lr from step warmup_steps - 1 on. warmup_steps >= 1
    (1 = no warm-up). Returns a Python float.
    """
    return base_lr * min(1.0, (step + 1) / warmup_steps)


def step_lr(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """Learning rate at update `step` (0 = the first update).

    base_lr * gamma ** (number of completed periods of `step_size`
    updates): base_lr for steps 0 .. step_size - 1, base_lr * gamma
    from step step_size on, and so on — as torch's StepLR. Returns a
    Python float.
    """
    return base_lr * gamma ** (step // step_size)


def cosine_lr(step: int, base_lr: float, total_steps: int, min_lr: float = 0.0) -> float:
    """Learning rate at update `step` (0 = the first update).

    min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2
    for 0 <= step <= total_steps (base_lr at step 0, min_lr at step
    total_steps, as torch's CosineAnnealingLR with T_max=total_steps);
    min_lr for every step after that. Returns a Python float.
    """
    if step >= total_steps:
        return min_lr
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * step / total_steps)) / 2


def warmup_cosine_lr(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    """Learning rate at update `step` (0 = the first update).

    Steps 0 .. warmup_steps - 1: linear_warmup(step, base_lr,
    warmup_steps). From step warmup_steps: a cosine from base_lr (at
    step warmup_steps) to min_lr (at step total_steps), min_lr after.
    warmup_steps >= 1; total_steps > warmup_steps. Returns a float.
    """
    if step < warmup_steps:
        return linear_warmup(step, base_lr, warmup_steps)
    return cosine_lr(step - warmup_steps, base_lr, total_steps - warmup_steps, min_lr)


def grid_configs(space: dict[str, list]) -> list[dict]:
    """All combinations of the values in `space`, one dict per run.

    Each dict has the keys of `space`, in the same order. The order of
    the runs is that of nested loops over the keys in order, the last
    key varying fastest:
      {"a": [1, 2], "b": ["x", "y"]} ->
      [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"},
       {"a": 2, "b": "y"}]
    An empty `space` gives one empty configuration, [{}].
    """
    configs: list[dict] = [{}]
    for key, values in space.items():
        configs = [{**config, key: value} for config in configs for value in values]
    return configs


class LogUniform(NamedTuple):
    """A range to sample log-uniformly from: log(value) is uniform on [log(low), log(high)]."""

    low: float
    high: float


def sample_config(space: dict[str, list | LogUniform], seed: int) -> dict:
    """One random configuration from `space`, determined by `seed`.

    For a list, one of its elements, each equally likely; for a
    `LogUniform(low, high)`, a float in [low, high] whose log is
    uniform. The dict has the keys of `space` in the same order. The
    same seed gives the same configuration; the global `random` state
    is neither used nor changed.
    """
    rng = random.Random(seed)
    config = {}
    for key, values in space.items():
        if isinstance(values, LogUniform):
            config[key] = math.exp(rng.uniform(math.log(values.low), math.log(values.high)))
        else:
            config[key] = rng.choice(values)
    return config


def best_run(runs: list[dict], metric: str, mode: str = "max") -> dict:
    """The run whose `run["summary"][metric]` is largest (mode="max")
    or smallest (mode="min").

    Each run is a dict with at least a "summary" dict. Runs whose
    summary lacks `metric`, or holds NaN there, are ignored. Ties go
    to the earliest run in the list. Raises ValueError if no run has
    a usable value. Returns the run dict itself (not a copy).
    """
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', not {mode!r}")
    best, best_value = None, None
    for run in runs:
        value = run["summary"].get(metric)
        if value is None or math.isnan(value):
            continue
        better = best_value is None or (value > best_value if mode == "max" else value < best_value)
        if better:
            best, best_value = run, value
    if best is None:
        raise ValueError(f"no run has a usable value for {metric!r}")
    return best
