"""Section 0.3: each check passes the reference and rejects the stub and plausible mistakes.

Most optimiser mutants are the reference with one line changed (made with :func:`mutate`, which
fails loudly if the line it changes is not in the reference any more), so that each one isolates
one classic bug: no bias correction, steps counted from 0, eps inside the square root, coupled
instead of decoupled decay, a momentum buffer started at zero, Nesterov written as plain momentum,
an update that rebinds a name instead of changing the tensor. The alternatives are correct
solutions written differently (``p.data``, functional updates, dicts keyed by parameter, a global
step counter, explicit formulas).
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from section_harness import make_tests

from arena_check.reference import s0_3_optimisation as ref


def _mask_docstrings(source: str) -> str:
    """``source`` with every docstring blanked out (same length), so edits only hit code."""
    lines = source.split("\n")
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            for i in range(body[0].lineno - 1, body[0].end_lineno):
                lines[i] = " " * len(lines[i])
    return "\n".join(lines)


def mutate(obj: object, *edits: tuple[str, str]) -> str:
    """The reference source of ``obj`` with each ``old`` (in its code, not its docstrings)
    replaced by ``new``; ``old`` must occur exactly once."""
    source = textwrap.dedent(inspect.getsource(obj))
    for old, new in edits:
        masked = _mask_docstrings(source)
        assert masked.count(old) == 1, f"{old!r} is not (exactly once) in the reference {obj.__name__}'s code"
        at = masked.index(old)
        source = source[:at] + new + source[at + len(old):]
    return source


MUTANTS: dict[str, list[tuple[str, str]]] = {
    "Optimiser": [
        ("keeps the generator, not a list", mutate(ref.Optimiser, ("self.params: list[Tensor] = list(params)", "self.params = params"))),
        ("no ValueError on an empty list", mutate(ref.Optimiser, ('raise ValueError("the optimiser got an empty list of parameters")', "pass"))),
        ("checks the argument, not the list (a generator is truthy)", mutate(ref.Optimiser, ("if not self.params:", "if not params:"))),
        ("in-place mode assigns a new zeros tensor", mutate(ref.Optimiser, ("p.grad.zero_()", "p.grad = torch.zeros_like(p)"))),
        ("default set_to_none=False", mutate(ref.Optimiser, ("set_to_none: bool = True", "set_to_none: bool = False"))),
        ("in-place mode gives a None gradient a zeros tensor", """
            class Optimiser:
                def __init__(self, params):
                    self.params = list(params)
                    if not self.params:
                        raise ValueError("empty")
                def zero_grad(self, set_to_none=True):
                    for p in self.params:
                        if set_to_none:
                            p.grad = None
                        elif p.grad is None:
                            p.grad = torch.zeros_like(p)
                        else:
                            p.grad.zero_()
        """),
        ("zeroes the parameters, not the gradients", mutate(ref.Optimiser, ("p.grad.zero_()", "p.data.zero_()"))),
    ],
    "SGD": [
        ("momentum buffer initialised to zero, not to the first gradient", mutate(
            ref.SGD, ("buf = self.buffers[i] = d.clone()", "buf = self.buffers[i] = torch.zeros_like(d)\n                    buf.mul_(self.momentum).add_(d, alpha=1 - self.dampening)"))),
        ("dampening applied on the first step too", mutate(
            ref.SGD, ("buf = self.buffers[i] = d.clone()", "buf = self.buffers[i] = (1 - self.dampening) * d"))),
        ("Nesterov written as plain momentum", mutate(ref.SGD, ("d = d + self.momentum * buf if self.nesterov else buf", "d = buf"))),
        ("Nesterov with the buffer before its update", mutate(
            ref.SGD,
            ("buf = self.buffers[i]\n", "buf = self.buffers[i]\n                old = None if buf is None else buf.clone()\n"),
            ("d = d + self.momentum * buf if self.nesterov else buf", "d = d + self.momentum * (buf if old is None else old) if self.nesterov else buf"))),
        ("dampening ignored", mutate(ref.SGD, ("add_(d, alpha=1 - self.dampening)", "add_(d)"))),
        ("dampening used as the gradient's weight (1 - (1 - dampening))", mutate(ref.SGD, ("add_(d, alpha=1 - self.dampening)", "add_(d, alpha=self.dampening if self.dampening else 1.0)"))),
        ("weight decay ignored", mutate(ref.SGD, ("d = d + self.weight_decay * p", "pass"))),
        ("weight decay subtracted", mutate(ref.SGD, ("d = d + self.weight_decay * p", "d = d - self.weight_decay * p"))),
        ("weight decay decoupled (shrinks p, skips the buffer)", mutate(
            ref.SGD, ("d = d + self.weight_decay * p", "p.mul_(1 - self.lr * self.weight_decay)"))),
        ("weight decay edits p.grad in place", mutate(ref.SGD, ("d = d + self.weight_decay * p", "d = d.add_(self.weight_decay * p)"))),
        ("buffer aliases the gradient tensor (no clone)", mutate(ref.SGD, ("buf = self.buffers[i] = d.clone()", "buf = self.buffers[i] = d"))),
        ("out-of-place update rebinds the name", mutate(ref.SGD, ("p.add_(d, alpha=-self.lr)", "p = p - self.lr * d"))),
        ("replaces the tensor in its own list", mutate(ref.SGD, ("p.add_(d, alpha=-self.lr)", "self.params[i] = (p - self.lr * d).requires_grad_()"))),
        ("update with + instead of -", mutate(ref.SGD, ("p.add_(d, alpha=-self.lr)", "p.add_(d, alpha=self.lr)"))),
        ("crashes on a parameter without a gradient", mutate(ref.SGD, ("if p.grad is None:\n                continue\n", "if p.grad is None:\n                pass\n"))),
        ("lr frozen at construction", mutate(
            ref.SGD, ("self.lr = lr\n", "self.lr = lr\n        self._lr0 = lr\n"), ("alpha=-self.lr)", "alpha=-self._lr0)"))),
        ("default lr 0.01", mutate(ref.SGD, ("lr: float = 1e-3", "lr: float = 1e-2"))),
        ("weight decay skipped when it is 1", mutate(ref.SGD, ("if self.weight_decay != 0:", "if self.weight_decay not in (0, 1):"))),
        ("weight decay after the momentum buffer", mutate(
            ref.SGD, ("d = d + self.weight_decay * p\n", "pass\n"),
            ("p.add_(d, alpha=-self.lr)", "p.add_(d + self.weight_decay * p, alpha=-self.lr)"))),
        ("one buffer shared by all parameters of a shape", """
            class SGD(Optimiser):
                def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
                    super().__init__(params)
                    self.lr, self.momentum, self.dampening = lr, momentum, dampening
                    self.nesterov, self.weight_decay = nesterov, weight_decay
                    self.buffers = {}
                @torch.no_grad()
                def step(self):
                    for p in self.params:
                        if p.grad is None:
                            continue
                        d = p.grad + self.weight_decay * p
                        if self.momentum:
                            key = tuple(p.shape)
                            if key not in self.buffers:
                                self.buffers[key] = d.clone()
                            else:
                                self.buffers[key].mul_(self.momentum).add_(d, alpha=1 - self.dampening)
                            buf = self.buffers[key]
                            d = d + self.momentum * buf if self.nesterov else buf
                        p.add_(d, alpha=-self.lr)
        """),
    ],
    "RMSprop": [
        ("eps inside the square root", mutate(ref.RMSprop, ("denom = v.sqrt() + self.eps", "denom = (v + self.eps).sqrt()"))),
        ("centred: eps inside the root", mutate(ref.RMSprop, ("denom = (v - m * m).sqrt() + self.eps", "denom = (v - m * m + self.eps).sqrt()"))),
        ("centred ignored", mutate(ref.RMSprop, ("if self.centered:", "if False:"))),
        ("alpha and 1 - alpha swapped", mutate(ref.RMSprop, ("v.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)", "v.mul_(1 - self.alpha).addcmul_(g, g, value=self.alpha)"))),
        ("v initialised to the first squared gradient", mutate(ref.RMSprop, ('state["v"] = torch.zeros_like(p)', 'state["v"] = g * g / (1 - self.alpha)'))),
        ("momentum over the raw gradient, divided afterwards", mutate(
            ref.RMSprop, ("b.mul_(self.momentum).add_(g / denom)\n                p.add_(b, alpha=-self.lr)", "b.mul_(self.momentum).add_(g)\n                p.add_(b / denom, alpha=-self.lr)"))),
        ("momentum buffer with dampening (1 - momentum)", mutate(ref.RMSprop, ("b.mul_(self.momentum).add_(g / denom)", "b.mul_(self.momentum).add_(g / denom, alpha=1 - self.momentum)"))),
        ("momentum ignored", mutate(ref.RMSprop, ("if self.momentum > 0:", "if False:"))),
        ("weight decay ignored", mutate(ref.RMSprop, ("g = g + self.weight_decay * p", "pass"))),
        ("default alpha 0.9", mutate(ref.RMSprop, ("alpha: float = 0.99", "alpha: float = 0.9"))),
        ("crashes on a parameter without a gradient", mutate(ref.RMSprop, ("if p.grad is None:\n                continue\n", "if p.grad is None:\n                pass\n"))),
    ],
    "Adam": [
        ("no bias correction", mutate(ref.Adam, ("m_hat = m / (1 - beta1**t)", "m_hat = m"), ("v_hat = v / (1 - beta2**t)", "v_hat = v"))),
        ("only the first moment bias-corrected", mutate(ref.Adam, ("v_hat = v / (1 - beta2**t)", "v_hat = v"))),
        ("step counted from 0 in the correction (t - 1), guarded", mutate(
            ref.Adam, ("m_hat = m / (1 - beta1**t)", "m_hat = m / max(1 - beta1 ** (t - 1), 1e-3)"), ("v_hat = v / (1 - beta2**t)", "v_hat = v / max(1 - beta2 ** (t - 1), 1e-3)"))),
        ("step counted one ahead (t + 1)", mutate(
            ref.Adam, ("m_hat = m / (1 - beta1**t)", "m_hat = m / (1 - beta1 ** (t + 1))"), ("v_hat = v / (1 - beta2**t)", "v_hat = v / (1 - beta2 ** (t + 1))"))),
        ("eps inside the square root", mutate(ref.Adam, ("(v_hat.sqrt() + self.eps)", "(v_hat + self.eps).sqrt()"))),
        ("betas swapped", mutate(ref.Adam, ("beta1, beta2 = self.betas\n", "beta2, beta1 = self.betas\n"))),
        ("weight decay decoupled (this is AdamW's)", mutate(ref.Adam, ("g = g + self.weight_decay * p", "p.mul_(1 - self.lr * self.weight_decay)"))),
        ("weight decay added after the moments (to the update)", """
            class Adam(Optimiser):
                def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
                    super().__init__(params)
                    self.lr, self.betas, self.eps, self.weight_decay, self.amsgrad = lr, betas, eps, weight_decay, amsgrad
                    self.state = [dict(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p), vmax=torch.zeros_like(p)) for p in self.params]
                @torch.no_grad()
                def step(self):
                    b1, b2 = self.betas
                    for p, s in zip(self.params, self.state):
                        if p.grad is None:
                            continue
                        g = p.grad
                        s["t"] += 1
                        s["m"] = b1 * s["m"] + (1 - b1) * g
                        s["v"] = b2 * s["v"] + (1 - b2) * g * g
                        v = s["v"]
                        if self.amsgrad:
                            s["vmax"] = torch.maximum(s["vmax"], v)
                            v = s["vmax"]
                        upd = (s["m"] / (1 - b1 ** s["t"])) / ((v / (1 - b2 ** s["t"])).sqrt() + self.eps)
                        p -= self.lr * (upd + self.weight_decay * p)
        """),
        ("AMSGrad ignored", mutate(ref.Adam, ("if self.amsgrad:", "if False:"))),
        ("AMSGrad keeps the max of the bias-corrected v, uncorrected after", mutate(
            ref.Adam, ('torch.maximum(state["v_max"], v, out=state["v_max"])\n            v = state["v_max"]',
                       'torch.maximum(state["v_max"], v / (1 - beta2**t), out=state["v_max"])\n            v = state["v_max"] * (1 - beta2**t)'))),
        ("one step counter incremented per parameter (shared)", """
            class Adam(Optimiser):
                def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
                    super().__init__(params)
                    self.lr, self.betas, self.eps, self.weight_decay, self.amsgrad = lr, betas, eps, weight_decay, amsgrad
                    self.t = 0
                    self.m = [torch.zeros_like(p) for p in self.params]
                    self.v = [torch.zeros_like(p) for p in self.params]
                    self.vmax = [torch.zeros_like(p) for p in self.params]
                @torch.no_grad()
                def step(self):
                    b1, b2 = self.betas
                    for i, p in enumerate(self.params):
                        if p.grad is None:
                            continue
                        self.t += 1
                        g = p.grad + self.weight_decay * p
                        self.m[i] = b1 * self.m[i] + (1 - b1) * g
                        self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
                        v = self.v[i]
                        if self.amsgrad:
                            self.vmax[i] = torch.maximum(self.vmax[i], v)
                            v = self.vmax[i]
                        p -= self.lr * (self.m[i] / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + self.eps)
        """),
        ("default eps 1e-6", mutate(ref.Adam, ("eps: float = 1e-8", "eps: float = 1e-6"))),
        ("out-of-place update rebinds the name", mutate(ref.Adam, ("p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))", "p = p - self.lr * m_hat / (v_hat.sqrt() + self.eps)"))),
    ],
    "AdamW": [
        ("coupled decay (Adam's L2)", mutate(ref.AdamW, ("p.mul_(1 - self.lr * self.weight_decay)\n            self._adam_update(p, p.grad, state, beta1, beta2)",
                                                        "self._adam_update(p, p.grad + self.weight_decay * p, state, beta1, beta2)"))),
        ("decay without the learning rate", mutate(ref.AdamW, ("p.mul_(1 - self.lr * self.weight_decay)", "p.mul_(1 - self.weight_decay)"))),
        ("decay after the Adam step", mutate(ref.AdamW, ("p.mul_(1 - self.lr * self.weight_decay)\n            self._adam_update(p, p.grad, state, beta1, beta2)",
                                                       "self._adam_update(p, p.grad, state, beta1, beta2)\n            p.mul_(1 - self.lr * self.weight_decay)"))),
        ("both coupled and decoupled decay", mutate(ref.AdamW, ("self._adam_update(p, p.grad, state, beta1, beta2)", "self._adam_update(p, p.grad + self.weight_decay * p, state, beta1, beta2)"))),
        ("default weight_decay 0 (Adam's default)", mutate(ref.AdamW, ("weight_decay: float = 1e-2", "weight_decay: float = 0.0"))),
        ("decays frozen parameters too", mutate(ref.AdamW, ("            if p.grad is None:\n                continue\n            p.mul_(1 - self.lr * self.weight_decay)",
                                                          "            p.mul_(1 - self.lr * self.weight_decay)\n            if p.grad is None:\n                continue"))),
        ("decay applied by a factor lr * weight_decay", mutate(ref.AdamW, ("p.mul_(1 - self.lr * self.weight_decay)", "p.sub_(self.lr * self.weight_decay)"))),
    ],
    "linear_warmup": [
        ("starts at 0 (step / warmup_steps)", "def linear_warmup(step, base_lr, warmup_steps):\n    return base_lr * min(1.0, step / warmup_steps)\n"),
        ("reaches base_lr one step late (step + 1) / (warmup_steps + 1)", "def linear_warmup(step, base_lr, warmup_steps):\n    return base_lr * min(1.0, (step + 1) / (warmup_steps + 1))\n"),
        ("no cap after the warm-up", "def linear_warmup(step, base_lr, warmup_steps):\n    return base_lr * (step + 1) / warmup_steps\n"),
        ("returns a tensor", "def linear_warmup(step, base_lr, warmup_steps):\n    return torch.tensor(base_lr * min(1.0, (step + 1) / warmup_steps))\n"),
    ],
    "step_lr": [
        ("decays one step early ((step + 1) // step_size)", "def step_lr(step, base_lr, step_size, gamma=0.1):\n    return base_lr * gamma ** ((step + 1) // step_size)\n"),
        ("continuous decay (step / step_size)", "def step_lr(step, base_lr, step_size, gamma=0.1):\n    return base_lr * gamma ** (step / step_size)\n"),
        ("default gamma 0.5", "def step_lr(step, base_lr, step_size, gamma=0.5):\n    return base_lr * gamma ** (step // step_size)\n"),
        ("decays at the first step of each period (ceil)", "def step_lr(step, base_lr, step_size, gamma=0.1):\n    return base_lr * gamma ** math.ceil(step / step_size)\n"),
        ("decays only once", "def step_lr(step, base_lr, step_size, gamma=0.1):\n    return base_lr * (gamma if step >= step_size else 1.0)\n"),
    ],
    "cosine_lr": [
        ("climbs back up after total_steps (periodic, like torch's)", "def cosine_lr(step, base_lr, total_steps, min_lr=0.0):\n    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * step / total_steps)) / 2\n"),
        ("reaches the minimum one step early (total_steps - 1)", "def cosine_lr(step, base_lr, total_steps, min_lr=0.0):\n    if step >= total_steps - 1:\n        return min_lr\n    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * step / (total_steps - 1))) / 2\n"),
        ("min_lr ignored in the cosine", "def cosine_lr(step, base_lr, total_steps, min_lr=0.0):\n    if step >= total_steps:\n        return min_lr\n    return base_lr * (1 + math.cos(math.pi * step / total_steps)) / 2\n"),
        ("min_lr added on top", "def cosine_lr(step, base_lr, total_steps, min_lr=0.0):\n    if step >= total_steps:\n        return min_lr\n    return min_lr + base_lr * (1 + math.cos(math.pi * step / total_steps)) / 2\n"),
        ("a full cosine period instead of half", "def cosine_lr(step, base_lr, total_steps, min_lr=0.0):\n    if step >= total_steps:\n        return min_lr\n    return min_lr + (base_lr - min_lr) * (1 + math.cos(2 * math.pi * step / total_steps)) / 2\n"),
    ],
    "warmup_cosine_lr": [
        ("cosine counted from step 0, not from the end of warm-up", "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):\n    if step < warmup_steps:\n        return linear_warmup(step, base_lr, warmup_steps)\n    return cosine_lr(step, base_lr, total_steps, min_lr)\n"),
        ("cosine over total_steps after the warm-up (ends late)", "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):\n    if step < warmup_steps:\n        return linear_warmup(step, base_lr, warmup_steps)\n    return cosine_lr(step - warmup_steps, base_lr, total_steps, min_lr)\n"),
        ("warm-up from 0 (step / warmup_steps)", "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):\n    if step < warmup_steps:\n        return base_lr * step / warmup_steps\n    return cosine_lr(step - warmup_steps, base_lr, total_steps - warmup_steps, min_lr)\n"),
        ("the cosine starts one step early", "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):\n    if step < warmup_steps - 1:\n        return linear_warmup(step, base_lr, warmup_steps)\n    return cosine_lr(step - warmup_steps + 1, base_lr, total_steps - warmup_steps + 1, min_lr)\n"),
        ("cosine shifted by one step (starts below base_lr)", "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):\n    if step < warmup_steps:\n        return base_lr * (step + 1) / warmup_steps\n    return cosine_lr(step - warmup_steps + 1, base_lr, total_steps - warmup_steps + 1, min_lr)\n"),
        ("default min_lr 1e-5", "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=1e-5):\n    if step < warmup_steps:\n        return linear_warmup(step, base_lr, warmup_steps)\n    return cosine_lr(step - warmup_steps, base_lr, total_steps - warmup_steps, min_lr)\n"),
    ],
    "grid_configs": [
        ("first key fastest", """
            import itertools
            def grid_configs(space):
                keys = list(space)
                combos = itertools.product(*[space[k] for k in reversed(keys)])
                return [{k: c[len(keys) - 1 - i] for i, k in enumerate(keys)} for c in combos]
        """),
        ("keys sorted", """
            import itertools
            def grid_configs(space):
                keys = sorted(space)
                return [dict(zip(keys, combo)) for combo in itertools.product(*(space[k] for k in keys))]
        """),
        ("the empty space gives no configuration", """
            import itertools
            def grid_configs(space):
                if not space:
                    return []
                return [dict(zip(space, combo)) for combo in itertools.product(*space.values())]
        """),
    ],
    "sample_config": [
        ("uniform, not log-uniform", """
            def sample_config(space, seed):
                rng = random.Random(seed)
                return {k: rng.uniform(v.low, v.high) if isinstance(v, LogUniform) else rng.choice(v) for k, v in space.items()}
        """),
        ("global random module", """
            def sample_config(space, seed):
                random.seed(seed)
                return {k: math.exp(random.uniform(math.log(v.low), math.log(v.high))) if isinstance(v, LogUniform) else random.choice(v) for k, v in space.items()}
        """),
        ("ignores the seed (unseeded generator)", """
            _rng = random.Random(0)
            def sample_config(space, seed):
                return {k: math.exp(_rng.uniform(math.log(v.low), math.log(v.high))) if isinstance(v, LogUniform) else _rng.choice(v) for k, v in space.items()}
        """),
        ("log10 uniform exponentiated with e", """
            def sample_config(space, seed):
                rng = random.Random(seed)
                return {k: math.exp(rng.uniform(math.log10(v.low), math.log10(v.high))) if isinstance(v, LogUniform) else rng.choice(v) for k, v in space.items()}
        """),
        ("never picks the last choice", """
            def sample_config(space, seed):
                rng = random.Random(seed)
                return {k: math.exp(rng.uniform(math.log(v.low), math.log(v.high))) if isinstance(v, LogUniform) else v[rng.randrange(max(len(v) - 1, 1))] for k, v in space.items()}
        """),
        ("learning rate rounded to one significant digit", """
            def sample_config(space, seed):
                rng = random.Random(seed)
                return {k: float(f"{math.exp(rng.uniform(math.log(v.low), math.log(v.high))):.1g}") if isinstance(v, LogUniform) else rng.choice(v) for k, v in space.items()}
        """),
        ("keys in sorted order", """
            def sample_config(space, seed):
                rng = random.Random(seed)
                return {k: math.exp(rng.uniform(math.log(space[k].low), math.log(space[k].high))) if isinstance(space[k], LogUniform) else rng.choice(space[k]) for k in sorted(space)}
        """),
    ],
    "best_run": [
        ("NaN not skipped", """
            def best_run(runs, metric, mode="max"):
                usable = [r for r in runs if metric in r["summary"]]
                if not usable:
                    raise ValueError("none")
                pick = max if mode == "max" else min
                return pick(usable, key=lambda r: r["summary"][metric])
        """),
        ("missing metric counts as 0", """
            def best_run(runs, metric, mode="max"):
                usable = [r for r in runs if not math.isnan(r["summary"].get(metric, 0.0))]
                if not usable:
                    raise ValueError("none")
                pick = max if mode == "max" else min
                return pick(usable, key=lambda r: r["summary"].get(metric, 0.0))
        """),
        ("ties go to the last run when minimising", """
            def best_run(runs, metric, mode="max"):
                best = None
                for r in runs:
                    v = r["summary"].get(metric)
                    if v is None or math.isnan(v):
                        continue
                    if best is None or (v > best["summary"][metric] if mode == "max" else v <= best["summary"][metric]):
                        best = r
                if best is None:
                    raise ValueError("none")
                return best
        """),
        ("ties go to the last run", """
            def best_run(runs, metric, mode="max"):
                usable = [r for r in runs if metric in r["summary"] and not math.isnan(r["summary"][metric])]
                if not usable:
                    raise ValueError("none")
                sign = 1 if mode == "max" else -1
                best = usable[0]
                for r in usable:
                    if sign * r["summary"][metric] >= sign * best["summary"][metric]:
                        best = r
                return best
        """),
        ("mode ignored (always max)", """
            def best_run(runs, metric, mode="max"):
                usable = [r for r in runs if metric in r["summary"] and not math.isnan(r["summary"][metric])]
                if not usable:
                    raise ValueError("none")
                return max(usable, key=lambda r: r["summary"][metric])
        """),
        ("returns None when nothing is usable", """
            def best_run(runs, metric, mode="max"):
                usable = [r for r in runs if metric in r["summary"] and not math.isnan(r["summary"][metric])]
                if not usable:
                    return None
                pick = max if mode == "max" else min
                return pick(usable, key=lambda r: r["summary"][metric])
        """),
        ("returns a copy", """
            def best_run(runs, metric, mode="max"):
                usable = [r for r in runs if metric in r["summary"] and not math.isnan(r["summary"][metric])]
                if not usable:
                    raise ValueError("none")
                pick = max if mode == "max" else min
                return dict(pick(usable, key=lambda r: r["summary"][metric]))
        """),
    ],
}

ALTERNATIVES = {
    "Optimiser": """
        class Optimiser:
            def __init__(self, params):
                self.params = [p for p in params]
                if len(self.params) == 0:
                    raise ValueError("no parameters")
            def zero_grad(self, set_to_none=True):
                for p in self.params:
                    if p.grad is not None:
                        if set_to_none:
                            p.grad = None
                        else:
                            p.grad.detach_()
                            p.grad.mul_(0)
    """,
    "SGD": [
        ("p.data, dict state, explicit formulas", """
            class SGD(Optimiser):
                def __init__(self, params, lr=0.001, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
                    super().__init__(params)
                    self.lr, self.momentum, self.dampening = lr, momentum, dampening
                    self.nesterov, self.weight_decay = nesterov, weight_decay
                    self.state = {}
                def step(self):
                    for i, p in enumerate(self.params):
                        if p.grad is None:
                            continue
                        g = p.grad.detach() + self.weight_decay * p.data
                        if self.momentum > 0:
                            if i in self.state:
                                self.state[i] = self.momentum * self.state[i] + (1 - self.dampening) * g
                            else:
                                self.state[i] = g.clone()
                            g = g + self.momentum * self.state[i] if self.nesterov else self.state[i]
                        p.data = p.data - self.lr * g
        """),
        ("Nesterov in the reformulated form (1 + momentum) * b_t - momentum * b_{t-1}", """
            class SGD(Optimiser):
                def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
                    super().__init__(params)
                    self.lr, self.momentum, self.dampening, self.nesterov, self.weight_decay = lr, momentum, dampening, nesterov, weight_decay
                    self.state = {}
                def step(self):
                    with torch.no_grad():
                        for p in self.params:
                            if p.grad is None:
                                continue
                            g = p.grad + self.weight_decay * p
                            if self.momentum:
                                k = id(p)
                                prev = self.state.get(k, torch.zeros_like(p))
                                self.state[k] = self.momentum * prev + (1 - self.dampening) * g if k in self.state else g.clone()
                                g = (1 + self.momentum) * self.state[k] - self.momentum * prev if self.nesterov else self.state[k]
                            p.data -= self.lr * g
        """),
        ("torch.no_grad block, -= operator", """
            class SGD(Optimiser):
                def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
                    super().__init__(params)
                    self.lr, self.momentum, self.dampening, self.nesterov, self.weight_decay = lr, momentum, dampening, nesterov, weight_decay
                    self.bufs = [None for _ in self.params]
                def step(self):
                    with torch.no_grad():
                        for i, p in enumerate(self.params):
                            if p.grad is None:
                                continue
                            d = p.grad.add(p, alpha=self.weight_decay)
                            if self.momentum:
                                b = self.bufs[i]
                                b = d.detach().clone() if b is None else self.momentum * b + (1 - self.dampening) * d
                                self.bufs[i] = b
                                d = d.add(b, alpha=self.momentum) if self.nesterov else b
                            p -= self.lr * d
        """),
    ],
    "RMSprop": """
        class RMSprop(Optimiser):
            def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=False):
                super().__init__(params)
                self.lr, self.alpha, self.eps, self.weight_decay, self.momentum, self.centered = lr, alpha, eps, weight_decay, momentum, centered
                self.v = [torch.zeros_like(p) for p in self.params]
                self.m = [torch.zeros_like(p) for p in self.params]
                self.b = [torch.zeros_like(p) for p in self.params]
            @torch.no_grad()
            def step(self):
                for i, p in enumerate(self.params):
                    if p.grad is None:
                        continue
                    g = p.grad + self.weight_decay * p
                    self.v[i] = self.alpha * self.v[i] + (1 - self.alpha) * g ** 2
                    if self.centered:
                        self.m[i] = self.alpha * self.m[i] + (1 - self.alpha) * g
                        denom = torch.sqrt(self.v[i] - self.m[i] ** 2) + self.eps
                    else:
                        denom = torch.sqrt(self.v[i]) + self.eps
                    if self.momentum > 0:
                        self.b[i] = self.momentum * self.b[i] + g / denom
                        p.sub_(self.lr * self.b[i])
                    else:
                        p.sub_(self.lr * g / denom)
    """,
    "Adam": [
        ("one global step counter, step size folded", """
            class Adam(Optimiser):
                def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
                    super().__init__(params)
                    self.lr, self.betas, self.eps, self.weight_decay, self.amsgrad = lr, betas, eps, weight_decay, amsgrad
                    self.t = 0
                    self.m = [torch.zeros_like(p) for p in self.params]
                    self.v = [torch.zeros_like(p) for p in self.params]
                    self.vmax = [torch.zeros_like(p) for p in self.params]
                @torch.no_grad()
                def step(self):
                    b1, b2 = self.betas
                    self.t += 1
                    step_size = self.lr / (1 - b1 ** self.t)
                    for i, p in enumerate(self.params):
                        if p.grad is None:
                            continue
                        g = p.grad + self.weight_decay * p
                        self.m[i] = b1 * self.m[i] + (1 - b1) * g
                        self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
                        v = self.v[i]
                        if self.amsgrad:
                            self.vmax[i] = torch.maximum(self.vmax[i], v)
                            v = self.vmax[i]
                        denom = v.sqrt() / math.sqrt(1 - b2 ** self.t) + self.eps
                        p.addcdiv_(self.m[i], denom, value=-step_size)
        """),
    ],
    "AdamW": [
        ("a standalone class, state keyed by index", """
            class AdamW(Optimiser):
                def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
                    super().__init__(params)
                    self.lr, self.betas, self.eps, self.weight_decay, self.amsgrad = lr, betas, eps, weight_decay, amsgrad
                    self.st = {}
                def step(self):
                    b1, b2 = self.betas
                    for i, p in enumerate(self.params):
                        if p.grad is None:
                            continue
                        s = self.st.setdefault(i, {"t": 0, "m": 0.0, "v": 0.0, "vmax": torch.zeros_like(p)})
                        s["t"] += 1
                        g = p.grad.detach()
                        p.data.mul_(1 - self.lr * self.weight_decay)
                        s["m"] = b1 * s["m"] + (1 - b1) * g
                        s["v"] = b2 * s["v"] + (1 - b2) * g * g
                        v = s["v"]
                        if self.amsgrad:
                            s["vmax"] = torch.maximum(s["vmax"], v)
                            v = s["vmax"]
                        m_hat = s["m"] / (1 - b1 ** s["t"])
                        v_hat = v / (1 - b2 ** s["t"])
                        p.data.add_(-self.lr * m_hat / (v_hat.sqrt() + self.eps))
        """),
    ],
    "linear_warmup": "def linear_warmup(step, base_lr, warmup_steps):\n    if step + 1 >= warmup_steps:\n        return float(base_lr)\n    return base_lr / warmup_steps * (step + 1)\n",
    "step_lr": "def step_lr(step, base_lr, step_size, gamma=0.1):\n    lr = base_lr\n    for _ in range(step // step_size):\n        lr *= gamma\n    return lr\n",
    "cosine_lr": "def cosine_lr(step, base_lr, total_steps, min_lr=0.0):\n    t = min(step, total_steps) / total_steps\n    return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * t))\n",
    "warmup_cosine_lr": "def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):\n    if step < warmup_steps:\n        return base_lr * (step + 1) / warmup_steps\n    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))\n    return min_lr + (base_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))\n",
    "grid_configs": """
        import itertools
        def grid_configs(space):
            keys = list(space)
            return [dict(zip(keys, values)) for values in itertools.product(*space.values())]
    """,
    "sample_config": [
        ("log-uniform through log10 and 10**", """
            def sample_config(space, seed):
                rng = random.Random(seed)
                out = {}
                for key, spec in space.items():
                    if isinstance(spec, LogUniform):
                        out[key] = 10 ** rng.uniform(math.log10(spec.low), math.log10(spec.high))
                    else:
                        out[key] = spec[rng.randrange(len(spec))]
                return out
        """),
        ("a torch generator", """
            def sample_config(space, seed):
                gen = torch.Generator().manual_seed(seed)
                out = {}
                for key, spec in space.items():
                    u = torch.rand((), generator=gen, dtype=torch.float64).item()
                    if isinstance(spec, LogUniform):
                        out[key] = math.exp(math.log(spec.low) + u * (math.log(spec.high) - math.log(spec.low)))
                    else:
                        out[key] = spec[min(int(u * len(spec)), len(spec) - 1)]
                return out
        """),
    ],
    "best_run": """
        def best_run(runs, metric, mode="max"):
            usable = [r for r in runs if metric in r["summary"] and r["summary"][metric] == r["summary"][metric]]
            if not usable:
                raise ValueError(f"no run has {metric}")
            sign = 1.0 if mode == "max" else -1.0
            best = usable[0]
            for r in usable[1:]:
                if sign * r["summary"][metric] > sign * best["summary"][metric]:
                    best = r
            return best
    """,
}

globals().update(make_tests("0.3", MUTANTS, alternatives=ALTERNATIVES))
