"""Checks for section 3.4 — proximal policy optimisation.

Every check compares deterministic pieces against the reference on seeded inputs, never a
training run. Each aims at a class of PPO bug:

* ``compute_gae``: rollouts with terminations and truncations at chosen rows, so a done mask read
  one row late, a truncation treated as a death, or a sum that runs across an episode end all
  change the numbers; λ = 0 and λ = 1 and the signature's defaults;
* ``collect_rollout``: a probe vector env whose episodes end on known steps (one by termination,
  one by truncation) and a deterministic probe agent, so every buffer entry is known exactly —
  rows shifted by one, the autoreset step counted as valid, flags kept on it, the next
  observation stored instead of the current one, or the wrong bootstrap value all show;
* the losses on fixed tensors where the wrong sign, the wrong ratio (old − new), clipping the
  ratio instead of taking the minimum, per-batch vs per-minibatch normalisation or a biased std
  give different values; the gradient of the clipped loss too;
* ``Agent``/``layer_init``: structure and initialisation statistics (orthogonality and gain per
  layer, zero biases), output shapes and the log-probabilities and entropies of the learner's own
  network, sampling that is really random;
* ``minibatch_indices`` and ``linear_lr``: the exact permutation drawn from the given generator,
  and the first and last learning rate of the schedule.

Inputs are built inside the checks, never at import time.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from arena_check.reference import s3_4_ppo as ref
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

SECTION = "3.4"


# ------------------------------------------------------------------------------------------
# Part 1 · the network
# ------------------------------------------------------------------------------------------
def _orthogonality_error(weight: torch.Tensor, std: float) -> float:
    w = weight.detach().double()
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    return float((gram - std**2 * torch.eye(gram.shape[0], dtype=torch.float64)).abs().max())


def _expect_layer(layer: object, std: float, bias: float, context: str) -> None:
    if not isinstance(layer, nn.Linear):
        raise CheckFailed(f"For {context}: expected an nn.Linear, got {type(layer).__name__}.")
    err = _orthogonality_error(layer.weight, std)
    if err > 1e-4 * max(1.0, std**2):
        shape = tuple(layer.weight.shape)
        raise CheckFailed(
            f"For {context}: the weight of shape {shape} is not orthogonal with gain {std:g} "
            f"(W Wᵀ or Wᵀ W differs from {std:g}² · I by up to {err:.3g}). Hint: use "
            "nn.init.orthogonal_(weight, gain) with the given std as the gain."
        )
    if not torch.allclose(layer.bias.detach(), torch.full_like(layer.bias, bias)):
        raise CheckFailed(
            f"For {context}: every bias entry should be {bias:g}; got values from "
            f"{float(layer.bias.detach().min()):.4g} to {float(layer.bias.detach().max()):.4g}. Hint: nn.init.constant_."
        )


@check(SECTION, "layer_init")
def check_layer_init(layer_init) -> None:
    """Wide, tall and square layers; the default std √2 and bias 0; other stds and biases."""
    check_defaults(layer_init, ref.layer_init, name="layer_init")
    torch.manual_seed(0)
    cases = [
        ("nn.Linear(8, 4) with the defaults", nn.Linear(8, 4), {}, math.sqrt(2), 0.0),
        ("nn.Linear(3, 7) (more outputs than inputs), std 1.0", nn.Linear(3, 7), {"std": 1.0}, 1.0, 0.0),
        ("nn.Linear(16, 16), std 0.01, bias 0.5", nn.Linear(16, 16), {"std": 0.01, "bias": 0.5}, 0.01, 0.5),
    ]
    for context, layer, kwargs, std, bias in cases:
        out = layer_init(layer, **kwargs)
        if out is not layer:
            raise CheckFailed(
                f"For {context}: return the layer you were given (initialised in place), not a new one."
            )
        _expect_layer(layer, std, bias, context)


def _agent_layers(agent: object, head: str) -> list[nn.Module]:
    seq = getattr(agent, head, None)
    if not isinstance(seq, nn.Sequential):
        raise CheckFailed(f"`Agent` should have an attribute `{head}` that is an nn.Sequential; got {type(seq).__name__}.")
    kinds = [type(m).__name__ for m in seq]
    if kinds != ["Linear", "Tanh", "Linear", "Tanh", "Linear"]:
        raise CheckFailed(
            f"`Agent.{head}` should be Linear, Tanh, Linear, Tanh, Linear; got {', '.join(kinds)}."
        )
    return list(seq)


@check(SECTION, "Agent", points=2)
def check_agent(Agent) -> None:
    """Structure, per-layer initialisation, output shapes, log-probabilities, entropies, sampling."""
    torch.manual_seed(0)
    agent = call(Agent, 4, 3, name="Agent", context="Agent(4, 3)")
    hidden_default = call(Agent, 5, 2, name="Agent", context="Agent(5, 2)")
    if _agent_layers(hidden_default, "critic")[0].out_features != 64:
        raise CheckFailed("`Agent(5, 2)` should have hidden width 64 by default (the `hidden` argument).")
    agent = call(Agent, 4, 3, hidden=16, name="Agent", context="Agent(4, 3, hidden=16)")
    for head, out, last_std in (("critic", 1, 1.0), ("actor", 3, 0.01)):
        layers = _agent_layers(agent, head)
        shapes = [tuple(layers[i].weight.shape) for i in (0, 2, 4)]
        if shapes != [(16, 4), (16, 16), (out, 16)]:
            raise CheckFailed(
                f"For Agent(4, 3, hidden=16): `{head}`'s Linear weights should have shapes "
                f"(16, 4), (16, 16), ({out}, 16); got {shapes}."
            )
        _expect_layer(layers[0], math.sqrt(2), 0.0, f"Agent(4, 3, hidden=16).{head}[0]")
        _expect_layer(layers[2], math.sqrt(2), 0.0, f"Agent(4, 3, hidden=16).{head}[2]")
        _expect_layer(layers[4], last_std, 0.0, f"Agent(4, 3, hidden=16).{head}[4] (the output layer)")

    obs = randn(6, 4, seed=1)
    value = call(agent.get_value, obs, name="Agent.get_value", context="6 observations of size 4")
    expect_tensor(value, agent.critic(obs).squeeze(-1), context="Agent.get_value on 6 observations",
                  hint="return critic(obs) with the last axis of size 1 removed: shape (batch,).")

    # Make the policy far from uniform, so that logits-vs-probs mistakes show.
    with torch.no_grad():
        agent.actor[4].weight.mul_(300.0)
    logits = agent.actor(obs)
    dist = torch.distributions.Categorical(logits=logits)
    given = torch.tensor([0, 1, 2, 2, 1, 0])
    out = call(agent.get_action_and_value, obs, given, name="Agent.get_action_and_value",
               context="6 observations with given actions [0, 1, 2, 2, 1, 0]")
    if not (isinstance(out, tuple) and len(out) == 4):
        raise CheckFailed("`get_action_and_value` should return a tuple of 4 tensors (action, logprob, entropy, value).")
    action, logprob, entropy, val = out
    ctx = "get_action_and_value with given actions"
    expect_tensor(action, given, context=ctx + " (the returned action)", exact=True,
                  hint="when `action` is given, return it unchanged.")
    expect_tensor(logprob, dist.log_prob(given), context=ctx + " (log-probabilities)",
                  hint="Categorical(logits=actor(obs)).log_prob(action) — logits, not probs.")
    expect_tensor(entropy, dist.entropy(), context=ctx + " (entropies)",
                  hint="Categorical(...).entropy(): one non-negative value per row, not a mean.")
    expect_tensor(val, agent.critic(obs).squeeze(-1), context=ctx + " (values)",
                  hint="the value is critic(obs) of shape (batch,).")
    if not logprob.requires_grad or not val.requires_grad:
        raise CheckFailed(f"For {ctx}: the log-probabilities and values must carry gradients (do not detach them or use no_grad).")

    # Sampling: a uniform policy over 3 actions, 3000 draws of the same observation.
    with torch.no_grad():
        agent.actor[4].weight.zero_()
    same = obs[:1].expand(3000, 4)
    torch.manual_seed(2)
    sampled, logp_s, _, _ = call(agent.get_action_and_value, same, name="Agent.get_action_and_value",
                                 context="3000 copies of one observation, no action given")
    if not isinstance(sampled, torch.Tensor) or sampled.dtype != torch.int64 or tuple(sampled.shape) != (3000,):
        raise CheckFailed("With no action given, `get_action_and_value` should sample int64 actions of shape (batch,).")
    counts = torch.bincount(sampled, minlength=3)
    if counts.numel() != 3 or int(counts.min()) < 850:
        raise CheckFailed(
            f"With a uniform policy over 3 actions, 3000 sampled actions came out {counts.tolist()}; "
            "expected about 1000 each. Hint: sample with Categorical(logits=...).sample(), not argmax."
        )
    expect_tensor(logp_s, torch.full((3000,), -math.log(3)), context="the log-probabilities of sampled actions under a uniform policy",
                  hint="return the log-probability of the action you sampled.")


# ------------------------------------------------------------------------------------------
# Part 2 · collect_rollout with a probe environment and a probe agent
# ------------------------------------------------------------------------------------------
class _ProbeEnv(gym.Env):
    """Observation (k, s, t, 0.5): env index k, step counter s (0 after reset), reset count t, and a
    constant (4 features for 3 envs, so that a swapped axis cannot hide).

    Reward = 1 + action + s/10. Env 0 terminates when s reaches 3; env 1 truncates when s
    reaches 4; env 2 never ends. Every entry of a rollout is therefore known in advance.
    """

    def __init__(self, k: int):
        self.k = k
        self.observation_space = gym.spaces.Box(-100.0, 100.0, (4,), np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.s = 0
        self.t = -1

    def _obs(self) -> np.ndarray:
        return np.array([self.k, self.s, self.t, 0.5], dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.s, self.t = 0, self.t + 1
        return self._obs(), {}

    def step(self, action):
        reward = 1.0 + float(action) + self.s / 10
        self.s += 1
        term = self.k == 0 and self.s == 3
        trunc = self.k == 1 and self.s == 4
        return self._obs(), reward, term, trunc, {}


class _ProbeAgent(nn.Module):
    """Deterministic: action = (s + k) mod 2; logprob = −(1 + s + 10k + 100t)/1000; value = s + 10k + 100t."""

    def get_value(self, obs: torch.Tensor) -> torch.Tensor:
        return obs[:, 1] + 10 * obs[:, 0] + 100 * obs[:, 2]

    def get_action_and_value(self, obs: torch.Tensor, action: torch.Tensor | None = None):
        if action is None:
            action = (obs[:, 1] + obs[:, 0]).long() % 2
        value = self.get_value(obs)
        logprob = -(1 + value) / 1000
        return action, logprob, torch.zeros_like(value), value


def _probe_envs() -> gym.vector.SyncVectorEnv:
    return gym.vector.SyncVectorEnv([lambda k=k: _ProbeEnv(k) for k in range(3)])


_FIELDS = ("obs", "actions", "logprobs", "rewards", "values", "terminated", "truncated", "valid")
_FIELD_HINTS = {
    "obs": "row t holds the observation the action was chosen FROM, stored before you overwrite obs.",
    "actions": "store the sampled action of row t.",
    "logprobs": "store the log-probability returned with the sampled action.",
    "rewards": "store the reward envs.step returned for row t, as float32.",
    "values": "values[t] = V(obs[t]); the extra last row is V(observation after the last step).",
    "terminated": "store env flags on valid rows only; an autoreset row is never terminated.",
    "truncated": "store env flags on valid rows only; an autoreset row is never truncated.",
    "valid": "valid[t] is False exactly on the step after an episode ended (the autoreset step).",
}


def _compare_rollouts(got: object, want: object, context: str) -> None:
    for name in _FIELDS:
        if not hasattr(got, name):
            raise CheckFailed(f"For {context}: the returned rollout has no field `{name}`; return a `Rollout`.")
        expect_tensor(getattr(got, name), getattr(want, name), context=f"{context}, field `{name}`",
                      hint=_FIELD_HINTS[name])


@check(SECTION, "collect_rollout", points=2)
def check_collect_rollout(collect_rollout) -> None:
    """Two consecutive rollouts from a probe env: 5 then 4 steps, crossing a termination, a
    truncation and their autoreset steps, with the state handed from one call to the next."""
    envs_mine, envs_ref = _probe_envs(), _probe_envs()
    obs0 = torch.as_tensor(envs_mine.reset(seed=0)[0])
    envs_ref.reset(seed=0)
    done0 = torch.zeros(3, dtype=torch.bool)
    agent = _ProbeAgent()
    state_mine = (obs0.clone(), done0.clone())
    state_ref = (obs0.clone(), done0.clone())
    for call_no, n_steps in ((1, 5), (2, 4)):
        context = (f"call {call_no} ({n_steps} steps) on a probe vector env of 3 envs: env 0 terminates "
                   "every 3 steps, env 1 truncates every 4, env 2 never ends")
        out = call(collect_rollout, envs_mine, agent, *state_mine, n_steps, name="collect_rollout", context=context)
        want, *state_ref = ref.collect_rollout(envs_ref, agent, *state_ref, n_steps)
        if not (isinstance(out, tuple) and len(out) == 3):
            raise CheckFailed("`collect_rollout` should return (rollout, next observation, next prev_done).")
        got, *state_mine = out
        _compare_rollouts(got, want, context)
        expect_tensor(state_mine[0], state_ref[0], context=f"{context}: the returned observation",
                      hint="return the observation after the last step.")
        expect_tensor(state_mine[1], state_ref[1], context=f"{context}: the returned prev_done",
                      hint="prev_done[i] is True if env i's last step ended an episode (on a valid row).")
    envs_mine.close()
    envs_ref.close()


# ------------------------------------------------------------------------------------------
# Part 3 · advantages
# ------------------------------------------------------------------------------------------
def _flags(T: int, N: int, where: list[tuple[int, int]]) -> torch.Tensor:
    out = torch.zeros(T, N, dtype=torch.bool)
    for t, n in where:
        out[t, n] = True
    return out


def _gae_cases() -> list[Case]:
    T, N = 7, 3
    r, v = randn(T, N, seed=0), randn(T + 1, N, seed=1)
    term = _flags(T, N, [(2, 0), (5, 1)])
    trunc = _flags(T, N, [(3, 2), (0, 1)])
    none = torch.zeros(T, N, dtype=torch.bool)
    return [
        ("7 steps × 3 envs, terminations at (2, 0), (5, 1), truncations at (3, 2), (0, 1), γ 0.9, λ 0.8",
         (r, v, term, trunc, 0.9, 0.8)),
        ("the same rollout with the default γ and λ", (r, v, term, trunc)),
        ("no episode ends, γ 0.9, λ 1.0 (GAE = discounted return − V)", (r, v, none, none, 0.9, 1.0)),
        ("terminations only, λ 0 (one-step TD errors)", (r, v, term, none, 0.9, 0.0)),
        ("truncations only at rows 1 and 4 of env 0 (must bootstrap), γ 0.95, λ 0.9",
         (r, v, none, _flags(T, N, [(1, 0), (4, 0)]), 0.95, 0.9)),
        ("a single step, terminated", (r[:1, :1], v[:2, :1], torch.ones(1, 1, dtype=torch.bool), torch.zeros(1, 1, dtype=torch.bool))),
        ("float64 rewards and values, terminations", (r.double(), v.double(), term, none, 0.9, 0.8)),
    ]


@check(SECTION, "compute_gae", points=2)
def check_compute_gae(compute_gae) -> None:
    compare_to_reference(
        compute_gae, ref.compute_gae, _gae_cases(), name="compute_gae",
        hint=("δ_t = r_t + γ·V_{t+1}·(1 − terminated_t) − V_t, and A_t = δ_t + γλ·(1 − done_t)·A_{t+1} "
              "with done_t from row t itself (not t + 1); a truncation still bootstraps in δ_t."),
    )


@check(SECTION, "returns_from_advantages")
def check_returns_from_advantages(returns_from_advantages) -> None:
    cases: list[Case] = [
        ("advantages (5, 2) and values (6, 2), seed 0", (randn(5, 2, seed=0), randn(6, 2, seed=1))),
        ("advantages (1, 1) and values (2, 1) with a very different last value",
         (torch.tensor([[0.5]]), torch.tensor([[1.0], [100.0]]))),
    ]
    compare_to_reference(returns_from_advantages, ref.returns_from_advantages, cases,
                         name="returns_from_advantages",
                         hint="add values[:-1] (V of the observations of rows 0..T−1), not values[1:].")


# ------------------------------------------------------------------------------------------
# Part 4 · losses
# ------------------------------------------------------------------------------------------
def _logps(n: int, seed: int, spread: float = 0.4) -> tuple[torch.Tensor, torch.Tensor]:
    old = -randn(n, seed=seed).abs() - 0.1
    new = old + spread * randn(n, seed=seed + 100)
    return new, old


@check(SECTION, "ppo_clip_loss", points=2)
def check_ppo_clip_loss(ppo_clip_loss) -> None:
    """Ratios on both sides of the clip range with advantages of both signs; normalisation on and
    off; a non-default ε; batch of 2; the gradient."""
    new, old = _logps(12, 0)
    adv = randn(12, seed=3) * 3 + 1
    cases: list[Case] = [
        ("12 samples, ratios in about [0.5, 2], advantages of both signs, defaults", (new, old, adv)),
        ("the same samples without normalisation", (new, old, adv), {"normalise": False}),
        ("the same samples, clip_coef 0.1, no normalisation", (new, old, adv, 0.1, False)),
        ("2 samples, clip_coef 0.3", (torch.tensor([-0.2, -1.5]), torch.tensor([-0.9, -1.0]), torch.tensor([2.0, -1.0]), 0.3)),
        ("ratio exactly 1 everywhere (the first epoch), positive advantages", (old, old, adv.abs())),
    ]
    compare_to_reference(
        ppo_clip_loss, ref.ppo_clip_loss, cases, name="ppo_clip_loss",
        hint=("ρ = exp(new − old); loss = −mean(min(ρ·A, clip(ρ, 1−ε, 1+ε)·A)), with A normalised per "
              "minibatch by (A − mean) / (std + 1e-8) using torch's unbiased std."),
    )
    mine = new.clone().requires_grad_()
    theirs = new.clone().requires_grad_()
    call(ppo_clip_loss, mine, old, adv, name="ppo_clip_loss", context="the gradient").backward()
    ref.ppo_clip_loss(theirs, old, adv).backward()
    if mine.grad is None:
        raise CheckFailed("For the gradient of ppo_clip_loss: no gradient reached new_logprobs (do not detach them).")
    expect_tensor(mine.grad, theirs.grad, context="the gradient of ppo_clip_loss with respect to new_logprobs",
                  hint="samples whose ratio is clipped in the direction the advantage favours get zero gradient.")


@check(SECTION, "value_loss")
def check_value_loss(value_loss) -> None:
    old = randn(10, seed=0)
    new = old + 0.5 * randn(10, seed=1)
    ret = old + randn(10, seed=2)
    cases: list[Case] = [
        ("10 values, unclipped (the default)", (new, old, ret)),
        ("10 values, clip_coef 0.2", (new, old, ret, 0.2)),
        ("10 values, clip_coef 0.05", (new, old, ret), {"clip_coef": 0.05}),
        ("1 value, unclipped", (new[:1], old[:1], ret[:1])),
        ("4 hand-picked values where the clipped error is the larger one, clip_coef 0.2",
         (torch.tensor([1.0, -1.0, 0.05, 1.5]), torch.tensor([0.0, 0.0, 0.0, 1.0]), torch.tensor([2.0, -2.0, 0.5, 0.0]), 0.2)),
    ]
    compare_to_reference(value_loss, ref.value_loss, cases, name="value_loss",
                         hint="0.5 · mean of squared errors; clipped: old + clamp(new − old, −c, c), "
                              "then the elementwise MAXIMUM of the two squared errors.")


@check(SECTION, "entropy_bonus")
def check_entropy_bonus(entropy_bonus) -> None:
    cases: list[Case] = [
        ("logits (6, 4), seed 0", (randn(6, 4, seed=0),)),
        ("uniform logits (3, 5): entropy ln 5", (torch.zeros(3, 5),)),
        ("logits (4, 3) scaled to ±1000 (a naive softmax().log() gives NaN)", (1000 * randn(4, 3, seed=1),)),
        ("a single row of 2 logits", (torch.tensor([[2.0, -1.0]]),)),
    ]
    compare_to_reference(entropy_bonus, ref.entropy_bonus, cases, name="entropy_bonus",
                         hint="H = −Σ p log p with log p from log_softmax; mean over the batch; positive.")


# ------------------------------------------------------------------------------------------
# Part 5 · diagnostics and schedule
# ------------------------------------------------------------------------------------------
@check(SECTION, "approx_kl")
def check_approx_kl(approx_kl) -> None:
    new, old = _logps(20, 5, spread=0.6)
    cases: list[Case] = [
        ("20 samples with log-ratios of spread 0.6", (new, old)),
        ("the same with new and old identical (KL 0)", (old, old)),
        ("one sample with a large log-ratio −2", (torch.tensor([-3.0]), torch.tensor([-1.0]))),
    ]
    compare_to_reference(approx_kl, ref.approx_kl, cases, name="approx_kl",
                         hint="log ρ = new − old; mean((ρ − 1) − log ρ). It is never negative.")


@check(SECTION, "clip_fraction")
def check_clip_fraction(clip_fraction) -> None:
    new, old = _logps(40, 7, spread=0.3)
    edge_old = torch.zeros(4)
    edge_new = torch.log(torch.tensor([1.1, 0.85, 1.35, 0.5]))
    cases: list[Case] = [
        ("40 samples, the default clip_coef", (new, old)),
        ("40 samples, clip_coef 0.1", (new, old, 0.1)),
        ("ratios 1.1, 0.85, 1.35, 0.5 with clip_coef 0.3 (two outside)", (edge_new, edge_old, 0.3)),
        ("ratios 1.1, 0.85, 1.35, 0.5 with clip_coef 0.12 (only 1.1 inside: the lower side counts too)",
         (edge_new, edge_old, 0.12)),
        ("new = old (every ratio exactly 1) with clip_coef 0: none is outside", (old, old, 0.0)),
    ]
    compare_to_reference(clip_fraction, ref.clip_fraction, cases, name="clip_fraction",
                         hint="mean of (|ρ − 1| > clip_coef) as float32, over both sides of the range.")


@check(SECTION, "explained_variance")
def check_explained_variance(explained_variance) -> None:
    ret = randn(50, seed=0) * 3 + 2
    cases = [
        ("a good critic (values = returns + small noise)", ret + 0.3 * randn(50, seed=1), ret),
        ("a critic off by a constant 5 (variance is shift-invariant)", ret + 5, ret),
        ("a critic that predicts a constant 0", torch.zeros(50), ret),
        ("a bad critic (pure noise of scale 4)", 4 * randn(50, seed=2), ret),
        ("values of small variance, returns of large variance", 0.1 * randn(50, seed=3), 10 * randn(50, seed=4)),
    ]
    for context, values, returns in cases:
        got = call(explained_variance, values, returns, name="explained_variance", context=context)
        want = ref.explained_variance(values, returns)
        if not isinstance(got, float):
            raise CheckFailed(f"For {context}: return a Python float (float(...)), got {type(got).__name__}.")
        if not math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-5):
            raise CheckFailed(
                f"For {context}: expected {want:.5g}, got {got:.5g}. Hint: 1 − Var(returns − values) / Var(returns); "
                "the denominator is the variance of the returns."
            )
    got = call(explained_variance, randn(5, seed=5), torch.full((5,), 3.0), name="explained_variance",
               context="constant returns (variance 0)")
    if not (isinstance(got, float) and math.isnan(got)):
        raise CheckFailed(f"For constant returns (variance 0): expected NaN, got {got!r}. Hint: test Var(returns) == 0 first.")


@check(SECTION, "minibatch_indices")
def check_minibatch_indices(minibatch_indices) -> None:
    for context, b, m, seed in (
        ("batch 12, minibatch 4, generator seed 0", 12, 4, 0),
        ("batch 10, minibatch 4 (a shorter last chunk), generator seed 1", 10, 4, 1),
        ("batch 5, minibatch 5 (one chunk), generator seed 2", 5, 5, 2),
    ):
        gen_mine, gen_ref = seeded(seed), seeded(seed)
        for rep in (1, 2):
            ctx = f"{context}, call {rep} on the same generator"
            got = call(minibatch_indices, b, m, gen_mine, name="minibatch_indices", context=ctx)
            want = ref.minibatch_indices(b, m, gen_ref)
            if not isinstance(got, list | tuple) or len(got) != len(want):
                raise CheckFailed(f"For {ctx}: expected a list of {len(want)} index tensors, got {describe_len(got)}.")
            for k, (g, w) in enumerate(zip(got, want, strict=True)):
                expect_tensor(g, w, context=f"{ctx}, minibatch {k}", exact=True,
                              hint="draw ONE torch.randperm(batch_size, generator=generator) per call and cut it "
                                   "into consecutive chunks; do not use the global RNG or a new generator.")


def describe_len(x: object) -> str:
    return f"{type(x).__name__} of length {len(x)}" if hasattr(x, "__len__") else type(x).__name__


@check(SECTION, "linear_lr")
def check_linear_lr(linear_lr) -> None:
    for update, n, lr0 in ((0, 10, 1e-3), (9, 10, 1e-3), (5, 10, 2.5e-4), (0, 1, 0.1), (3, 7, 1.0)):
        context = f"update {update} of {n}, lr0 {lr0:g}"
        got = call(linear_lr, update, n, lr0, name="linear_lr", context=context)
        want = ref.linear_lr(update, n, lr0)
        try:
            ok = math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-15)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            expect_equal(got, want, context=context,
                         hint="updates count from 0: update 0 gets lr0, the last update lr0 / n_updates (never 0).")
