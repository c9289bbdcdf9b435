# %% [markdown]
# *GENERATED from book/0_fundamentals/0.3_optimisation.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 0.3 <this file>*

# %% [markdown]
# # 0.3 Optimisation and experiment tracking
#
# Every model in this curriculum is trained by the same three lines — `zero_grad`, `backward`,
# `step` — and the last of them hides the most decisions. `torch.optim.Adam(model.parameters())`
# keeps two running averages per parameter, corrects them for starting at zero, divides one by the
# square root of the other, and applies weight decay in one of two ways that give different models.
# When a run diverges, plateaus or is merely worse than a paper's, the cause is often in exactly
# these details: a forgotten bias correction, weight decay added to the gradient when it
# should have shrunk the weights, a schedule that is one step off. In this section you write the
# optimisers yourself and hold them to a strict standard: after every one of 20 steps, every
# parameter must equal what `torch.optim` produces, to 1e-5. Then you compare them on small 2-D
# landscapes where their behaviour can be seen, write the learning-rate schedules that go with them, and run a small hyperparameter sweep, logged
# with Weights & Biases entirely offline and read back from the files it wrote.
#
# **You will be able to**
#
# - implement `zero_grad` and SGD with momentum, dampening, Nesterov momentum and
#   weight decay, exactly as `torch.optim.SGD` does;
# - implement RMSprop (with momentum and the centred variant), Adam (with AMSGrad) and AdamW, and
#   explain the difference between L2 regularisation and decoupled weight decay;
# - update parameters in place so that the model sees the change, and keep optimiser state per
#   parameter;
# - predict how each optimiser moves on an ill-conditioned valley, the Rosenbrock function and a
#   saddle;
# - write linear warm-up, step decay and cosine schedules that agree with `torch.optim.lr_scheduler`
#   at every step, boundaries included;
# - sample hyperparameter configurations reproducibly, log runs with `wandb` in offline mode, and
#   read the results back from the run files.
#
# **Prerequisites.** Section 0.0 (tensors). You should know what a gradient is and have called
# `loss.backward()`; section 0.1's training loop helps but is not needed — this page uses the
# shared one in `arena_check.kit.training`.
#
# **Time.** About 3 hours: 12 exercises. The page runs in about half a minute; the sweep at the
# end (10 short training runs) is most of it.
#
# ## Setup

# %%
import math
import random
from collections.abc import Callable, Iterable
from typing import NamedTuple

import torch
from jaxtyping import Float
from torch import Tensor

import arena_check


# %% [markdown]
# ## Part 1 · The optimiser's job
#
# An optimiser holds a list of parameter tensors. After `loss.backward()` each parameter `p`
# has a gradient `p.grad` of the same shape; `step()` moves `p` a little against it, and `zero_grad()`
# clears the gradients so that the next `backward()` does not add to them (autograd *accumulates*
# into `.grad`). Two details decide whether your optimiser works at all:
#
# - **Update the tensors the model holds.** `p = p - lr * p.grad` makes a new tensor and binds a
#   local name to it; the model still holds the old one and never changes. The update must change
#   `p` itself: `p.sub_(lr * p.grad)` or `p -= lr * p.grad`.
# - **Do it outside autograd.** `p` requires a gradient, and autograd refuses an in-place edit of
#   such a leaf tensor (it would have to differentiate through the update). Wrap `step` in
#   `torch.no_grad()` (the decorator `@torch.no_grad()` works on methods), or edit `p.data`.
#
# The size of the move is the learning rate, written `lr` everywhere below.
#
# ### Exercise 1 · `Optimiser`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Write the base class every optimiser below inherits from: it stores the parameters and clears
# their gradients.
#
# `model.parameters()` is a generator: it can be read once. An optimiser that keeps the generator
# finds it empty on its second `step`, and silently trains nothing — so keep a list. `zero_grad`
# has two modes in PyTorch, and both matter: setting `.grad` to `None` (the default since PyTorch
# 2.0) frees memory and lets `step` skip parameters that got no gradient; zeroing in place keeps the
# same gradient tensor alive, which code that holds a reference to it relies on.
#
# <details><summary>Hint</summary>
#
# `list(params)` reads a generator once. For the in-place mode, `p.grad.zero_()` — assigning
# `p.grad = torch.zeros_like(p)` makes a *new* tensor, which is not in place. Skip parameters whose
# `.grad` is `None` in both modes.
#
# </details>

# %%
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
        raise NotImplementedError("exercise: Optimiser.__init__")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradient of every parameter.

        With `set_to_none=True` set each `p.grad` to `None`. Otherwise
        zero each existing gradient *in place*: the tensor object stays
        the same, its values become 0. Parameters whose `.grad` is
        already `None` stay `None` in both modes.
        """
        raise NotImplementedError("exercise: Optimiser.zero_grad")


# %%
arena_check.check("0.3", "Optimiser", Optimiser)


# %% [markdown]
# ## Part 2 · SGD, momentum and weight decay
#
# Plain stochastic gradient descent moves each parameter against its gradient $g_t$:
# $p_t = p_{t-1} - \text{lr}\cdot g_t$. Three additions, each one line, are in `torch.optim.SGD`:
#
# - **Weight decay** (L2 regularisation, here *coupled* to the gradient): add $\lambda p_{t-1}$ to
#   the gradient, $g_t \leftarrow g_t + \lambda p_{t-1}$ — the gradient of $\tfrac{\lambda}{2}\|p\|^2$.
# - **Momentum** (Polyak's heavy ball, in the form popularised for deep learning by
#   [Sutskever et al. 2013](https://proceedings.mlr.press/v28/sutskever13.html)): keep a buffer, a
#   running sum of past gradients, $b_t = \mu b_{t-1} + (1 - \tau) g_t$, and step along it,
#   $p_t = p_{t-1} - \text{lr}\cdot b_t$. $\mu$ is the momentum, $\tau$ the *dampening* (usually 0).
#   PyTorch's convention: **the buffer starts as the first gradient itself**, $b_1 = g_1$ (no
#   dampening on the first step), not as zero.
# - **Nesterov momentum**: step along $g_t + \mu b_t$ instead of $b_t$ — a look-ahead that
#   corrects the heavy ball before it overshoots. It is *not* the same as plain momentum with a
#   different constant: the current gradient gets weight $1 + \mu(1-\tau)$, older ones decay
#   as before.
#
# Note what this PyTorch form does with the learning rate: it multiplies the buffer, so changing
# `lr` during training rescales the whole accumulated velocity at once (Sutskever et al. write the
# update with `lr` inside the buffer instead; the two differ only when `lr` changes).
#
# ### Exercise 2 · `SGD`
#
# > difficulty 3/5 · importance 5/5 · 25–35 min
#
# Implement `torch.optim.SGD`'s update exactly: weight decay, momentum with dampening, Nesterov.
#
# This is the optimiser behind most of the classic results in deep learning, and a faithful copy
# of it exercises everything the later ones need: per-parameter state, in-place updates under
# `no_grad`, and skipping parameters without a gradient. The checks run your `SGD` and
# `torch.optim.SGD` side by side on a tiny MLP and an ill-conditioned quadratic for 20 steps and
# compare every parameter after every step.
#
# <details><summary>Hint 1 — the order of operations</summary>
#
# For each parameter with a gradient: (1) `d = g + weight_decay * p`; (2) with momentum, update the
# buffer from `d` (or create it as a *copy* of `d` on the first step); (3) the direction is the
# buffer, or `d + momentum * buffer` with Nesterov; (4) `p -= lr * direction`.
#
# </details>
#
# <details><summary>Hint 2 — state</summary>
#
# Keep one buffer per parameter, e.g. a list `self.buffers = [None] * len(self.params)` or a dict
# keyed by the parameter's index. Copy the first gradient (`.clone()`): if the buffer *is* the
# gradient tensor, the in-place `buffer.mul_(...)` on the next step overwrites a gradient that
# someone else may still be holding — and code that zeroes gradients in place zeroes your buffer.
#
# </details>
#
# <details><summary>Hint 3 — what not to touch</summary>
#
# Do not modify `p.grad` (`g += weight_decay * p` does: it edits the gradient tensor in place;
# `g = g + weight_decay * p` makes a new one).
#
# </details>

# %%
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
        raise NotImplementedError("exercise: SGD.__init__")

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
        raise NotImplementedError("exercise: SGD.step")


# %%
arena_check.check("0.3", "SGD", SGD)


# %% [markdown]
# ## Part 3 · Adaptive methods: RMSprop, Adam, AdamW
#
# SGD uses one learning rate for every parameter. When the loss is much steeper along some
# directions than others (an *ill-conditioned* problem), a learning rate small enough for the steep
# directions crawls along the flat ones. Adaptive methods divide each coordinate's step by a running
# estimate of that coordinate's gradient size, so every coordinate moves at roughly the same rate.
#
# **RMSprop** (Hinton's lecture notes, 2012) keeps $v_t = \alpha v_{t-1} + (1-\alpha) g_t^2$
# (starting from $v_0 = 0$) and steps by $\text{lr}\cdot g_t / (\sqrt{v_t} + \varepsilon)$. PyTorch
# adds coupled weight decay, a momentum buffer over the *normalised* step ($b_t = \mu b_{t-1} +
# g_t/(\sqrt{v_t}+\varepsilon)$, starting from zero), and a *centred* variant that also tracks the
# mean gradient $m_t$ and divides by $\sqrt{v_t - m_t^2} + \varepsilon$, an estimate of the
# gradient's standard deviation rather than its root mean square. Note where $\varepsilon$ sits:
# **outside** the square root.
#
# ### Exercise 3 · `RMSprop`
#
# > difficulty 3/5 · importance 3/5 · 20–30 min
#
# Implement `torch.optim.RMSprop`'s update: the squared-gradient average, optional centring,
# momentum and coupled weight decay.
#
# RMSprop is the simplest adaptive method and Adam's direct ancestor: Adam is RMSprop's denominator
# plus a momentum numerator plus bias correction. Getting the state and $\varepsilon$ right here
# makes Adam a small step.
#
# <details><summary>Hint 1</summary>
#
# Per parameter: `g = p.grad + weight_decay * p`; `v = alpha * v + (1 - alpha) * g * g`; the
# denominator is `v.sqrt() + eps`, or with `centered`, `m = alpha * m + (1 - alpha) * g` and
# `(v - m * m).sqrt() + eps`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Unlike SGD's, this momentum buffer starts at **zero**: `b = momentum * b + g / denominator`, then
# `p -= lr * b`. Without momentum, `p -= lr * g / denominator`.
#
# </details>

# %%
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
        raise NotImplementedError("exercise: RMSprop.__init__")

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
        raise NotImplementedError("exercise: RMSprop.step")


# %%
arena_check.check("0.3", "RMSprop", RMSprop)


# %% [markdown]
# **Adam** ([Kingma & Ba 2014](https://arxiv.org/abs/1412.6980)) keeps two exponential moving
# averages per parameter, of the gradient and of its square:
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,$$
#
# both starting at zero. Because they start at zero they are too small early on: after one step
# $m_1 = (1-\beta_1) g_1$, a tenth of the gradient with $\beta_1 = 0.9$. The bias
# correction divides by the weight the average has accumulated so far, $\hat m_t = m_t /
# (1-\beta_1^t)$ and $\hat v_t = v_t / (1-\beta_2^t)$, with **$t$ counted from 1** — the step
# number *after* incrementing. The update is
#
# $$p_t = p_{t-1} - \text{lr}\cdot \frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon}.$$
#
# With $\beta_2 = 0.999$, skipping the correction of $v$ makes $\sqrt{v_1}$ about 30 times too
# small, so the first steps are about 30 times too large — exactly when the parameters are most
# fragile. *AMSGrad* (an option in PyTorch) divides by the running *maximum* of $v_t$ instead, so the
# effective step size never grows.
#
# `weight_decay` in `torch.optim.Adam` is the coupled kind, added to the gradient as in SGD. In Adam
# that is a strange thing to do: the decay term passes through the adaptive denominator, so weights
# with large gradients are barely decayed at all. **AdamW**
# ([Loshchilov & Hutter 2017](https://arxiv.org/abs/1711.05101)) *decouples* the decay: it shrinks
# each weight directly, $p \leftarrow p\,(1 - \text{lr}\cdot\lambda)$, before the Adam step, and the
# gradient is left alone. The two are the same for SGD (up to a rescaling of $\lambda$) and differ
# for Adam; AdamW generalises better in their experiments and is the default for transformers.
#
# ### Exercise 4 · `Adam`
#
# > difficulty 3/5 · importance 5/5 · 25–35 min
#
# Implement `torch.optim.Adam`: moment estimates, bias correction, coupled weight decay and AMSGrad.
#
# Adam (or AdamW) trains almost every model in the rest of this curriculum. The checks are aimed at
# its classic bugs: no bias correction, the step counted from 0, $\varepsilon$ inside the square
# root, a step counter shared and incremented once per parameter.
#
# <details><summary>Hint 1</summary>
#
# Per parameter: increment its step `t` first; `g = p.grad + weight_decay * p`; update `m` and `v`;
# `m_hat = m / (1 - beta1**t)`, `v_hat = v / (1 - beta2**t)`; `p -= lr * m_hat / (v_hat.sqrt() + eps)`.
#
# </details>
#
# <details><summary>Hint 2 — AMSGrad</summary>
#
# Keep `v_max = max(v_max, v)` (elementwise, `torch.maximum`, starting at zero) and use it in place
# of `v` in the denominator, with the same bias correction `1 - beta2**t`.
#
# </details>

# %%
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
        raise NotImplementedError("exercise: Adam.__init__")

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
        raise NotImplementedError("exercise: Adam.step")

    def _adam_update(self, p: Tensor, g: Tensor, state: dict, beta1: float, beta2: float) -> None:
        """Adam's update of one parameter `p`, in place; AdamW reuses it.

        `g` is the gradient to use (Adam passes p.grad + weight_decay * p,
        AdamW the raw p.grad); `state` is this parameter's dict, empty
        before its first step. Increments its step count t, updates m,
        v (and v_max with amsgrad) and applies the bias-corrected step.
        """
        raise NotImplementedError("exercise: Adam._adam_update")


# %%
arena_check.check("0.3", "Adam", Adam)


# %% [markdown]
# ### Exercise 5 · `AdamW`
#
# > difficulty 2/5 · importance 5/5 · 10–15 min
#
# Implement `torch.optim.AdamW`: Adam whose weight decay shrinks the weights directly instead of
# entering the gradient.
#
# The difference is one line and changes which models you get — and the mix-up is common, because
# both optimisers take an argument called `weight_decay`. Note the different default: AdamW decays
# by default (`weight_decay=0.01`), Adam does not.
#
# <details><summary>Hint</summary>
#
# You may subclass `Adam` and reuse its per-parameter update. Per parameter with a gradient: first
# `p *= 1 - lr * weight_decay` (the *current* lr, and before the Adam step), then the Adam step with
# the raw gradient, `p.grad`, not `p.grad + weight_decay * p`.
#
# </details>

# %%
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
        raise NotImplementedError("exercise: AdamW.__init__")

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
        raise NotImplementedError("exercise: AdamW.step")


# %%
arena_check.check("0.3", "AdamW", AdamW)


# %% [markdown]
# ## Part 4 · Optimisers on 2-D landscapes
#
# Trajectories in two dimensions make the differences visible. Three classic test functions:
#
# - an **ill-conditioned quadratic** $f(x, y) = \tfrac12(x^2 + 25 y^2)$: curvature 25 times larger
#   along $y$ than along $x$. Gradient descent with a learning rate safe for $y$ creeps along $x$;
#   momentum and adaptive methods do not;
# - the **Rosenbrock function** $f(x, y) = (1-x)^2 + 100\,(y - x^2)^2$: a curved, narrow valley whose
#   floor falls gently towards the minimum at $(1, 1)$;
# - a **saddle** $f(x, y) = x^2 - y^2 + \tfrac14 y^4$ (saddle point at the origin, minima at
#   $y = \pm\sqrt 2$), started almost on the ridge ($y = 10^{-3}$), where the gradient along $y$ is
#   tiny.
#
# The next cell runs your optimisers on each (500 steps each; about two seconds in all).

# %% [markdown]
# ## Part 5 · Learning-rate schedules
#
# A fixed learning rate is rarely best. Large steps make fast progress early but keep the
# parameters bouncing around a minimum late; a learning-rate schedule changes `lr` as
# training goes. Three shapes cover most of what you will meet:
#
# - **warm-up**: start small and grow linearly to the base rate over the first steps. Adam's
#   variance estimate $v$ is noisy for the first steps, and a large early step can push a
#   transformer into a region it never recovers from; warm-up avoids both;
# - **step decay**: multiply by $\gamma$ every `step_size` steps (the classic ResNet recipe);
# - **cosine annealing** ([Loshchilov & Hutter 2016, SGDR](https://arxiv.org/abs/1608.03983)):
#   follow half a cosine from the base rate down to a minimum,
#   $\eta_t = \eta_{\min} + \tfrac12(\eta_{\max} - \eta_{\min})(1 + \cos(\pi t / T))$.
#
# Here a schedule is a function of the step number `step`: the number of updates made so far, so
# **the first update uses `step = 0`**. PyTorch's schedulers use the same convention: right after
# you create one, `scheduler.get_last_lr()` is the rate for the first update, and each
# `scheduler.step()` advances `step` by one. Most schedule bugs are at the boundaries — is the
# rate at `step = warmup_steps` the base rate? Is the last cosine step at the minimum? The checks
# compare every step with `torch.optim.lr_scheduler` where it has the schedule.
#
# ### Exercise 6 · `linear_warmup`
#
# > difficulty 1/5 · importance 4/5 · 5–10 min
#
# The learning rate of a linear warm-up: `base_lr / warmup_steps` at the first update, growing by
# the same amount per step, reaching `base_lr` at the last warm-up step and staying there.
#
# <details><summary>Hint</summary>
#
# `(step + 1) / warmup_steps`, capped at 1. The first update should not use a learning rate of 0:
# it would be a wasted step. This equals `torch.optim.lr_scheduler.LinearLR(opt,
# start_factor=1 / warmup_steps, total_iters=warmup_steps - 1)`.
#
# </details>

# %%
def linear_warmup(step: int, base_lr: float, warmup_steps: int) -> float:
    """Learning rate at update `step` (0 = the first update).

    base_lr * (step + 1) / warmup_steps for step < warmup_steps,
    base_lr from step warmup_steps - 1 on. warmup_steps >= 1
    (1 = no warm-up). Returns a Python float.
    """
    raise NotImplementedError("exercise: linear_warmup")


# %%
arena_check.check("0.3", "linear_warmup", linear_warmup)


# %% [markdown]
# ### Exercise 7 · `step_lr`
#
# > difficulty 1/5 · importance 2/5 · 5 min
#
# Step decay: `base_lr`, multiplied by `gamma` once every `step_size` updates.

# %%
def step_lr(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """Learning rate at update `step` (0 = the first update).

    base_lr * gamma ** (number of completed periods of `step_size`
    updates): base_lr for steps 0 .. step_size - 1, base_lr * gamma
    from step step_size on, and so on — as torch's StepLR. Returns a
    Python float.
    """
    raise NotImplementedError("exercise: step_lr")


# %%
arena_check.check("0.3", "step_lr", step_lr)


# %% [markdown]
# ### Exercise 8 · `cosine_lr`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Cosine annealing from `base_lr` at step 0 to `min_lr` at step `total_steps`, and `min_lr` after.
#
# <details><summary>Hint</summary>
#
# $\eta = \eta_{\min} + \tfrac12(\text{base} - \eta_{\min})(1 + \cos(\pi\, t / T))$ for
# $0 \le t \le T$. At $t = T$ the cosine is $-1$: the rate is exactly `min_lr`. PyTorch's
# `CosineAnnealingLR` keeps going past $T$ and climbs back up (it is periodic); this function must
# stay at the minimum.
#
# </details>

# %%
def cosine_lr(step: int, base_lr: float, total_steps: int, min_lr: float = 0.0) -> float:
    """Learning rate at update `step` (0 = the first update).

    min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2
    for 0 <= step <= total_steps (base_lr at step 0, min_lr at step
    total_steps, as torch's CosineAnnealingLR with T_max=total_steps);
    min_lr for every step after that. Returns a Python float.
    """
    raise NotImplementedError("exercise: cosine_lr")


# %%
arena_check.check("0.3", "cosine_lr", cosine_lr)


# %% [markdown]
# ### Exercise 9 · `warmup_cosine_lr`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The schedule most transformers train with: linear warm-up for `warmup_steps` updates, then a
# cosine from `base_lr` down to `min_lr`, which it reaches at step `total_steps`.
#
# <details><summary>Hint</summary>
#
# Reuse your two functions. During warm-up, `linear_warmup(step, ...)`. After it, the cosine starts
# *from its own step 0*: `cosine_lr(step - warmup_steps, base_lr, total_steps - warmup_steps,
# min_lr)`. This equals torch's `SequentialLR` of the two schedulers with `milestones=[warmup_steps]`.
#
# </details>

# %%
def warmup_cosine_lr(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    """Learning rate at update `step` (0 = the first update).

    Steps 0 .. warmup_steps - 1: linear_warmup(step, base_lr,
    warmup_steps). From step warmup_steps: a cosine from base_lr (at
    step warmup_steps) to min_lr (at step total_steps), min_lr after.
    warmup_steps >= 1; total_steps > warmup_steps. Returns a float.
    """
    raise NotImplementedError("exercise: warmup_cosine_lr")


# %%
arena_check.check("0.3", "warmup_cosine_lr", warmup_cosine_lr)


# %% [markdown]
# ## Part 6 · A hyperparameter sweep, tracked offline
#
# Which learning rate, which optimiser? A hyperparameter sweep trains one model per
# configuration and compares them. Two ways to choose the configurations: a **grid** (every
# combination of a few values per hyperparameter) and **random search**, which samples each run's
# configuration independently. [Bergstra & Bengio 2012](https://jmlr.org/papers/v13/bergstra12a.html)
# showed why random search usually wins at equal cost: when only a few hyperparameters matter, a
# grid of $k^2$ runs tries just $k$ values of each, while $k^2$ random runs try $k^2$ distinct
# values of every one. Scale parameters such as the learning rate are sampled **log-uniformly**
# (uniform in $\log \text{lr}$): with a uniform draw between $10^{-4}$ and $10^{-1}$, 90 % of the
# runs would land above $10^{-2}$.
#
# Each run's configuration and results must be recorded somewhere other than the notebook's
# scrollback. [Weights & Biases](https://docs.wandb.ai/) (`wandb`) is the tracker most research
# code uses. It runs here in **offline mode**: no account, nothing is sent; each run is written to
# a folder on disk (which `wandb sync` could upload later).
#
# ### Exercise 10 · `grid_configs`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# Every combination of the listed values, as a list of configuration dicts.
#
# <details><summary>Hint</summary>
#
# `itertools.product(*space.values())` yields the combinations in exactly the required order; zip
# each with the keys.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: grid_configs")


# %%
arena_check.check("0.3", "grid_configs", grid_configs)


# %% [markdown]
# ### Exercise 11 · `sample_config`
#
# > difficulty 2/5 · importance 3/5 · 10–15 min
#
# Draw one random configuration: a uniform choice from each list, and a log-uniform number for each
# `LogUniform` range — reproducibly from a seed.
#
# A sweep that cannot be re-run is a sweep nobody can check. Draw everything from a generator made
# from the seed (`random.Random(seed)`), never from the global `random` module, which any library
# you call may also be drawing from.
#
# <details><summary>Hint</summary>
#
# `rng = random.Random(seed)`. For a list, `rng.choice(values)`. For `LogUniform(low, high)`,
# `math.exp(rng.uniform(math.log(low), math.log(high)))`.
#
# </details>

# %%
class LogUniform(NamedTuple):
    """A range to sample log-uniformly from: log(value) is uniform on [log(low), log(high)]."""

    low: float
    high: float


# %%
def sample_config(space: dict[str, list | LogUniform], seed: int) -> dict:
    """One random configuration from `space`, determined by `seed`.

    For a list, one of its elements, each equally likely; for a
    `LogUniform(low, high)`, a float in [low, high] whose log is
    uniform. The dict has the keys of `space` in the same order. The
    same seed gives the same configuration; the global `random` state
    is neither used nor changed.
    """
    raise NotImplementedError("exercise: sample_config")


# %%
arena_check.check("0.3", "sample_config", sample_config)


# %% [markdown]
# ### Exercise 12 · `best_run`
#
# > difficulty 1/5 · importance 3/5 · 10 min
#
# Pick the best run of a sweep by one summary metric — skipping runs that crashed before logging
# it or logged NaN.
#
# A sweep's runs fail in ordinary ways: a learning rate too large gives a NaN loss, a run is killed
# before its first evaluation. Code that takes `max` over the raw summaries then crashes on the
# missing key, or — worse — returns the NaN run, because every comparison with NaN is False.

# %%
def best_run(runs: list[dict], metric: str, mode: str = "max") -> dict:
    """The run whose `run["summary"][metric]` is largest (mode="max")
    or smallest (mode="min").

    Each run is a dict with at least a "summary" dict. Runs whose
    summary lacks `metric`, or holds NaN there, are ignored. Ties go
    to the earliest run in the list. Raises ValueError if no run has
    a usable value. Returns the run dict itself (not a copy).
    """
    raise NotImplementedError("exercise: best_run")


# %%
arena_check.check("0.3", "best_run", best_run)

# %% [markdown]
# ### The sweep
#
# Ten random configurations — optimiser (your `SGD` with Nesterov momentum, your `Adam` or your
# `AdamW`), peak learning rate (log-uniform) and hidden width — each training a small MLP on the
# 8×8 digits for 6 epochs with your warm-up + cosine schedule applied at every update. Each run is a
# `wandb` run: its configuration goes to `wandb.init(config=...)`, each epoch's losses and accuracy
# to `run.log`, and its final numbers to `run.summary`. This cell takes 10–20 s.

# %% [markdown]
# ## Summary
#
# - An optimiser updates the parameter tensors **in place**, under `torch.no_grad()`, skips
#   parameters without a gradient, and never edits `p.grad`. Its state is per parameter.
# - SGD's momentum buffer starts as the first gradient (PyTorch's convention); Nesterov steps along
#   `g + momentum * buffer`; coupled weight decay adds `weight_decay * p` to the gradient.
# - RMSprop and Adam divide by `sqrt(v) + eps` — eps outside the root. Adam's bias correction uses
#   the step count starting at 1. AdamW shrinks the weights by `1 - lr * weight_decay` *instead of*
#   adding decay to the gradient.
# - A schedule is a function of the number of updates made so far, starting at 0; check it at the
#   boundaries.
# - Sample sweep configurations from a seeded generator, log-uniformly for scales; log every run
#   with its configuration; read the results back from what was written to disk.
#
# ## Further reading
#
# - Sutskever, Martens, Dahl & Hinton (2013), [On the importance of initialization and momentum in
#   deep learning](https://proceedings.mlr.press/v28/sutskever13.html) — momentum and Nesterov's
#   accelerated gradient for deep networks.
# - Kingma & Ba (2014), [Adam: A Method for Stochastic Optimization](https://arxiv.org/abs/1412.6980)
#   — the algorithm and its bias correction.
# - Loshchilov & Hutter (2017), [Decoupled Weight Decay Regularization](https://arxiv.org/abs/1711.05101)
#   — why L2 regularisation and weight decay differ for Adam; AdamW.
# - Loshchilov & Hutter (2016), [SGDR: Stochastic Gradient Descent with Warm
#   Restarts](https://arxiv.org/abs/1608.03983) — cosine annealing.
# - Reddi, Kale & Kumar (2018), [On the Convergence of Adam and Beyond](https://arxiv.org/abs/1904.09237)
#   — AMSGrad.
# - Bergstra & Bengio (2012), [Random Search for Hyper-Parameter
#   Optimization](https://jmlr.org/papers/v13/bergstra12a.html).
# - The [PyTorch `torch.optim` documentation](https://pytorch.org/docs/stable/optim.html) gives each
#   algorithm's exact pseudocode — the specification your classes matched.
