"""Checks for section 3.3 — policy gradients.

Every check compares deterministic pieces with the reference on seeded inputs: returns on short
and one-step episodes, losses and their gradients on fixed tensors, one update step's parameters.
``sample_episode`` runs against a probe environment written here, whose observations encode the
step number and whose episodes end by truncation or by termination, and which refuses to be
stepped after its episode ended. Inputs are built inside the checks, never at import time.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from arena_check.reference import s3_3_policy_gradients as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    describe,
    expect_equal,
    expect_tensor,
    randint,
    randn,
)

SECTION = "3.3"


# ------------------------------------------------------------------------------------------
# Part 1 · returns
# ------------------------------------------------------------------------------------------
@check(SECTION, "discounted_return", points=1)
def check_discounted_return(discounted_return) -> None:
    """Random rewards, one step, an empty episode, gamma 0 and 1, the default gamma, float64."""
    cases: list[Case] = [
        ("7 random rewards, gamma=0.9, seed 0", (randn(7, seed=0), 0.9)),
        ("rewards [1, 2, 3], gamma=0.5", (torch.tensor([1.0, 2.0, 3.0]), 0.5)),
        ("a single reward 2.5, gamma=0.9", (torch.tensor([2.5]), 0.9)),
        ("5 random rewards, gamma=0 (only the first counts)", (randn(5, seed=1), 0.0)),
        ("5 random rewards, gamma=1 (a plain sum)", (randn(5, seed=2), 1.0)),
        ("40 random rewards, the default gamma", (randn(40, seed=3),)),
        ("6 float64 rewards, gamma=0.8", (randn(6, seed=4, dtype=torch.float64), 0.8)),
        ("an empty episode (no rewards)", (torch.zeros(0), 0.9)),
    ]
    compare_to_reference(
        discounted_return, ref.discounted_return, cases, name="discounted_return",
        hint="the reward at step t is discounted by gamma**t, starting from gamma**0 = 1 for the "
        "first reward; return a 0-dim tensor of the rewards' dtype.",
    )


@check(SECTION, "reward_to_go", points=2)
def check_reward_to_go(reward_to_go) -> None:
    """Random rewards, a one-step episode, gamma 0 and 1, the default gamma, float64."""
    cases: list[Case] = [
        ("rewards [1, 0, 0, 2], gamma=0.5", (torch.tensor([1.0, 0.0, 0.0, 2.0]), 0.5)),
        ("8 random rewards, gamma=0.9, seed 0", (randn(8, seed=0), 0.9)),
        ("a single reward 3.0, gamma=0.9", (torch.tensor([3.0]), 0.9)),
        ("5 random rewards, gamma=0 (each step keeps only its own reward)", (randn(5, seed=1), 0.0)),
        ("6 random rewards, gamma=1 (reversed cumulative sum)", (randn(6, seed=2), 1.0)),
        ("30 random rewards, the default gamma", (randn(30, seed=3),)),
        ("5 float64 rewards, gamma=0.7", (randn(5, seed=4, dtype=torch.float64), 0.7)),
    ]
    compare_to_reference(
        reward_to_go, ref.reward_to_go, cases, name="reward_to_go",
        hint="out[t] = rewards[t] + gamma * out[t + 1]: it includes the current reward undiscounted, "
        "and the discount counts from step t, not from the start of the episode (gamma**(k - t), not "
        "gamma**k). Same dtype as rewards.",
    )


@check(SECTION, "normalise_advantages", points=1)
def check_normalise_advantages(normalise_advantages) -> None:
    """Population std, eps added to the std, one entry, equal entries, a large offset."""
    cases: list[Case] = [
        ("10 random advantages, seed 0", (randn(10, seed=0),)),
        ("two advantages [1, 3] (population vs sample std differ most here)", (torch.tensor([1.0, 3.0]),)),
        ("a single advantage 5.0 (gives 0)", (torch.tensor([5.0]),)),
        ("four equal advantages 2.0 (gives zeros)", (torch.full((4,), 2.0),)),
        ("6 advantages [0, 1, 2, 3, 4, 5] with eps=0.5", (torch.arange(6.0), 0.5)),
        ("50 advantages around 300 (large offset), seed 1", (300 + 20 * randn(50, seed=1),)),
    ]
    compare_to_reference(
        normalise_advantages, ref.normalise_advantages, cases, name="normalise_advantages",
        hint="subtract the mean of all entries, then divide by (population std + eps): the population "
        "std divides by n (`std(correction=0)` or `unbiased=False`), and eps is added to the std, not "
        "to the variance.",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · networks, episodes, losses
# ------------------------------------------------------------------------------------------
def _build(cls: Any, *args: Any, name: str, context: str, **kwargs: Any) -> nn.Module:
    module = call(cls, *args, name=name, context=context, **kwargs)
    if not isinstance(module, nn.Module):
        raise CheckFailed(f"For {context}: `{name}(...)` should build an nn.Module, got {describe(module)}.")
    return module


def _expect_layout(module: nn.Module, reference: nn.Module, *, name: str, context: str, layout: str) -> None:
    """Same parameter names and shapes as the reference, then copy the reference's weights in."""
    got = {n: tuple(p.shape) for n, p in module.named_parameters()}
    want = {n: tuple(p.shape) for n, p in reference.named_parameters()}
    if got != want:
        shown_got = ", ".join(f"{n} {s}" for n, s in got.items()) or "none"
        shown_want = ", ".join(f"{n} {s}" for n, s in want.items())
        raise CheckFailed(
            f"For {context}: expected parameters {shown_want}; yours has {shown_got}. "
            f"Hint: store the layers as `self.net = nn.Sequential({layout})`."
        )
    module.load_state_dict(reference.state_dict())


def _net_pair(cls: Any, ref_cls: Any, args: tuple, *, name: str, layout: str) -> tuple[nn.Module, nn.Module]:
    context = f"{name}{args}"
    torch.manual_seed(0)
    reference = ref_cls(*args)
    module = _build(cls, *args, name=name, context=context)
    _expect_layout(module, reference, name=name, context=context, layout=layout)
    return module, reference


def _grads(module: nn.Module, out: Tensor) -> list[Tensor]:
    params = [p for p in module.parameters()]
    got = torch.autograd.grad(out, params, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, got, strict=True)]


POLICY_LAYOUT = "nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions)"


@check(SECTION, "Policy", points=2)
def check_Policy(Policy) -> None:
    """A Categorical over the last axis for a batch, one observation and a batch of one; tanh."""
    check_defaults(Policy, ref.Policy, name="Policy")
    policy, reference = _net_pair(Policy, ref.Policy, (4, 3, 5), name="Policy", layout=POLICY_LAYOUT)
    inputs = [
        ("a batch of 6 observations of size 4, seed 1", 2 * randn(6, 4, seed=1), (6,)),
        ("a batch of 3 observations (as many as actions), seed 2", 2 * randn(3, 4, seed=2), (3,)),
        ("one observation of shape (4,), seed 3", 2 * randn(4, seed=3), ()),
        ("a batch of 1 observation, shape (1, 4), seed 4", 2 * randn(1, 4, seed=4), (1,)),
    ]
    hint = ("return Categorical(logits=self.net(obs)): the network's outputs are logits (pass "
            "`logits=`, not `probs=`), normalised over the last axis (the actions), after a Tanh.")
    for context, obs, batch_shape in inputs:
        dist = call(policy, obs, name="Policy", context=f"Policy(4, 3, 5)({context})")
        if not isinstance(dist, torch.distributions.Categorical):
            raise CheckFailed(f"For Policy(4, 3, 5) on {context}: forward should return a "
                              f"torch.distributions.Categorical, got {describe(dist)}. Hint: {hint}")
        expect_equal(tuple(dist.batch_shape), batch_shape, context=f"the distribution's batch_shape on {context}",
                     hint="the distribution is over the last axis; the leading axes are the batch.")
        want = reference(obs)
        expect_tensor(dist.probs, want.probs, context=f"the action probabilities on {context}", hint=hint)
    obs = 2 * randn(5, 4, seed=5)
    actions = randint(3, 5, seed=6)
    got_g = _grads(policy, policy(obs).log_prob(actions).sum())
    want_g = _grads(reference, reference(obs).log_prob(actions).sum())
    for (pname, _), g, w in zip(reference.named_parameters(), got_g, want_g, strict=True):
        expect_tensor(g, w, context=f"the gradient of log_prob(actions).sum() with respect to `{pname}`",
                      hint="compute the logits with differentiable tensor operations of self.net.")


@check(SECTION, "ValueNet", points=1)
def check_ValueNet(ValueNet) -> None:
    """Output shape (batch,) — also for a batch of one — and () for one observation."""
    check_defaults(ValueNet, ref.ValueNet, name="ValueNet")
    net, reference = _net_pair(ValueNet, ref.ValueNet, (4, 6), name="ValueNet",
                               layout="nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1)")
    for context, obs in [
        ("a batch of 5 observations, seed 1", randn(5, 4, seed=1)),
        ("a batch of 1 observation, shape (1, 4)", randn(1, 4, seed=2)),
        ("one observation of shape (4,)", randn(4, seed=3)),
    ]:
        got = call(net, obs, name="ValueNet", context=f"ValueNet(4, 6)({context})")
        expect_tensor(got, reference(obs), context=f"ValueNet(4, 6) on {context}",
                      hint="remove only the final size-1 axis with `.squeeze(-1)`; `.squeeze()` would also "
                      "remove a batch axis of size 1. Tanh between the layers.")


class _ProbeEnv:
    """A gymnasium-like environment for checks. The observation at step t is
    [t, a seed-dependent number, t * 0.1] as float64 numpy; the reward of action a at step t is
    t + 1 + 10 * a; the episode ends after `length` steps, by `how` ("terminated" or
    "truncated"). Stepping after the end raises CheckFailed."""

    def __init__(self, length: int, how: str):
        self.length, self.how = length, how
        self.t, self.offset, self.ended = 0, 0.0, True

    def _obs(self) -> np.ndarray:
        return np.array([self.t, self.offset, 0.1 * self.t], dtype=np.float64)

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple[np.ndarray, dict]:
        self.t, self.ended = 0, False
        self.offset = float(np.random.default_rng(seed).normal()) if seed is not None else 0.0
        return self._obs(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if self.ended:
            raise CheckFailed(
                f"`sample_episode` called env.step after the episode had ended ({self.how}=True at step "
                f"{self.length}). Hint: stop when `terminated or truncated` — a time limit ends an "
                "episode too."
            )
        a = int(action)
        reward = float(self.t + 1 + 10 * a)
        self.t += 1
        end = self.t >= self.length
        self.ended = end
        return self._obs(), reward, end and self.how == "terminated", end and self.how == "truncated", {}


def _episode_parts(got: Any, context: str) -> tuple[Any, Any, Any]:
    if not isinstance(got, tuple) or len(got) != 3:
        raise CheckFailed(f"For {context}: expected an Episode(observations, actions, rewards), got {describe(got)}.")
    return got[0], got[1], got[2]


@check(SECTION, "sample_episode", points=2)
def check_sample_episode(sample_episode) -> None:
    """Truncated and terminated probe episodes, two episodes from one generator, the seed passed on."""
    check_defaults(sample_episode, ref.sample_episode, name="sample_episode")
    torch.manual_seed(0)
    policy = ref.Policy(3, 3, hidden=8)
    hint = ("observations[t] is the observation the action at step t was chosen from (not the one step "
            "returned); draw one action per step with torch.multinomial(dist.probs, 1, generator=generator); "
            "reset with env.reset(seed=seed); stop at terminated or truncated.")
    runs = [
        ("a probe env truncated after 6 steps, seed 3", 6, "truncated", [3]),
        ("a probe env terminated after 4 steps, seed 11", 4, "terminated", [11]),
        ("a probe env ending after 1 step, seed 0", 1, "truncated", [0]),
        ("two episodes of a probe env (5 steps, truncated) from one generator, seeds 1 then 2", 5, "truncated", [1, 2]),
    ]
    for i, (context, length, how, seeds) in enumerate(runs):
        gen_got, gen_want = torch.Generator().manual_seed(100 + i), torch.Generator().manual_seed(100 + i)
        env_got, env_want = _ProbeEnv(length, how), _ProbeEnv(length, how)
        for n, seed in enumerate(seeds):
            where = context if len(seeds) == 1 else f"{context}, episode {n + 1}"
            got = call(sample_episode, env_got, policy, gen_got, seed, name="sample_episode", context=where)
            want = ref.sample_episode(env_want, policy, gen_want, seed)
            obs, acts, rews = _episode_parts(got, where)
            expect_tensor(obs, want.observations, context=f"{where}: observations", exact=True, hint=hint)
            expect_tensor(acts, want.actions, context=f"{where}: actions", exact=True, hint=hint)
            expect_tensor(rews, want.rewards, context=f"{where}: rewards", exact=True, hint=hint)


def _policy_batch(seed: int, total: int, n_actions: int = 3) -> tuple[nn.Module, Tensor, Tensor, Tensor]:
    torch.manual_seed(seed)
    policy = ref.Policy(4, n_actions, hidden=8)
    obs = 2 * randn(total, 4, seed=seed + 1)
    actions = randint(n_actions, total, seed=seed + 2)
    weights = 3 * randn(total, seed=seed + 3)
    return policy, obs, actions, weights


REINFORCE_HINT = ("loss = -(policy(obs).log_prob(actions) * weights.detach()).sum() / n_episodes: the log-"
                  "probabilities of the actions taken, a minus sign (optimisers descend), summed over "
                  "timesteps and divided by the number of episodes.")


@check(SECTION, "reinforce_loss", points=2)
def check_reinforce_loss(reinforce_loss) -> None:
    """Value and gradient on several batches; constant weights."""
    for context, seed, total, n_eps, n_actions in [
        ("10 steps from 3 episodes, 3 actions, seed 0", 0, 10, 3, 3),
        ("3 steps from 3 one-step episodes, 3 actions (as many steps as actions), seed 10", 10, 3, 3, 3),
        ("7 steps from 1 episode, 2 actions, seed 20", 20, 7, 1, 2),
    ]:
        policy, obs, actions, weights = _policy_batch(seed, total, n_actions)
        weights.requires_grad_()
        got = call(reinforce_loss, policy, obs, actions, weights, n_eps, name="reinforce_loss", context=context)
        want = ref.reinforce_loss(policy, obs, actions, weights, n_eps)
        expect_tensor(got, want, context=context, hint=REINFORCE_HINT)
        if got.grad_fn is None:
            raise CheckFailed(f"For {context}: the loss has no gradient with respect to the policy. "
                              "Hint: compute it from policy(obs) with tensor operations, without .item() or no_grad.")
        (leak,) = torch.autograd.grad(got, [weights], retain_graph=True, allow_unused=True)
        if leak is not None and bool(leak.abs().sum() > 0):
            raise CheckFailed(f"For {context}: gradient flows from your loss into `weights`. The weights are "
                              "constants in the estimator; use `weights.detach()`.")
        for (pname, _), g, w in zip(policy.named_parameters(), _grads(policy, got), _grads(policy, want), strict=True):
            expect_tensor(g, w, context=f"{context}: the gradient with respect to `{pname}`", hint=REINFORCE_HINT)


@check(SECTION, "baseline_loss", points=1)
def check_baseline_loss(baseline_loss) -> None:
    """Value and gradient; a single step; constant targets."""
    for context, seed, total in [("8 steps, seed 0", 0, 8), ("a single step, seed 5", 5, 1), ("4 steps, seed 9", 9, 4)]:
        torch.manual_seed(seed)
        value_net = ref.ValueNet(4, hidden=8)
        obs = randn(total, 4, seed=seed + 1)
        returns = (5 * randn(total, seed=seed + 2)).requires_grad_()
        got = call(baseline_loss, value_net, obs, returns, name="baseline_loss", context=context)
        want = ref.baseline_loss(value_net, obs, returns)
        hint = ("the mean over steps of (value_net(observations) - returns)**2, no factor 1/2; both sides have "
                "shape (total_T,) — a (total_T, 1) value would broadcast to a (total_T, total_T) matrix.")
        expect_tensor(got, want, context=context, hint=hint)
        if got.grad_fn is None:
            raise CheckFailed(f"For {context}: the loss has no gradient with respect to the value network.")
        (leak,) = torch.autograd.grad(got, [returns], retain_graph=True, allow_unused=True)
        if leak is not None and bool(leak.abs().sum() > 0):
            raise CheckFailed(f"For {context}: gradient flows from your loss into `returns`, which are "
                              "regression targets. Use `returns.detach()`.")
        for (pname, _), g, w in zip(value_net.named_parameters(), _grads(value_net, got), _grads(value_net, want), strict=True):
            expect_tensor(g, w, context=f"{context}: the gradient with respect to `{pname}`", hint=hint)


@check(SECTION, "advantages", points=2)
def check_advantages(advantages) -> None:
    """Values, and no gradient path back into the value network."""
    for context, seed, total in [("6 steps, seed 0", 0, 6), ("a single step, seed 3", 3, 1)]:
        torch.manual_seed(seed)
        value_net = ref.ValueNet(4, hidden=8)
        obs = randn(total, 4, seed=seed + 1)
        returns = 5 * randn(total, seed=seed + 2)
        got = call(advantages, value_net, obs, returns, name="advantages", context=context)
        expect_tensor(got, ref.advantages(value_net, obs, returns), context=context,
                      hint="returns minus the value of each observation (not the other way round), not normalised.")
        if got.requires_grad:
            raise CheckFailed(
                f"For {context}: your advantages require grad, so the policy loss would send gradient into "
                "the value network through them. Hint: compute the values under torch.no_grad() or .detach() them."
            )


@check(SECTION, "policy_gradient_estimate", points=2)
def check_policy_gradient_estimate(policy_gradient_estimate) -> None:
    """The ascent direction, flattened in parameter order; .grad left untouched."""
    for context, seed, total, n_eps in [
        ("10 steps from 4 episodes, seed 0", 0, 10, 4),
        ("3 steps from 1 episode, seed 7", 7, 3, 1),
    ]:
        policy, obs, actions, weights = _policy_batch(seed, total)
        got = call(policy_gradient_estimate, policy, obs, actions, weights, n_eps,
                   name="policy_gradient_estimate", context=context)
        touched = [n for n, p in policy.named_parameters() if p.grad is not None]
        want = ref.policy_gradient_estimate(policy, obs, actions, weights, n_eps)
        expect_tensor(got, want, context=context,
                      hint="minus the gradient of reinforce_loss (the direction that increases the return), each "
                      "parameter's gradient flattened and concatenated in the order of policy.parameters().")
        if touched:
            raise CheckFailed(f"For {context}: your function left gradients in `.grad` of {', '.join(touched)}. "
                              "Hint: use torch.autograd.grad(loss, list(policy.parameters())) instead of backward().")


@check(SECTION, "estimator_variance", points=1)
def check_estimator_variance(estimator_variance) -> None:
    """Several shapes, two batches, one parameter, a large common offset."""
    cases: list[Case] = [
        ("6 estimates of 5 parameters, seed 0", (randn(6, 5, seed=0),)),
        ("2 estimates of 3 parameters", (torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 0.0]]),)),
        ("4 estimates of 4 parameters (square), seed 1", (randn(4, 4, seed=1),)),
        ("5 estimates of 1 parameter, seed 2", (randn(5, 1, seed=2),)),
        ("8 estimates of 3 parameters around 100, seed 3", (100 + randn(8, 3, seed=3),)),
    ]
    compare_to_reference(
        estimator_variance, ref.estimator_variance, cases, name="estimator_variance",
        hint="centre each column (parameter) on its mean across batches (dim 0), square, sum over everything "
        "and divide by n_batches - 1: the trace of the sample covariance, a 0-dim tensor.",
    )


# ------------------------------------------------------------------------------------------
# Part 4 · one update
# ------------------------------------------------------------------------------------------
def _episodes(seed: int, lengths: list[int]) -> list[Any]:
    out = []
    for i, n in enumerate(lengths):
        out.append(ref.Episode(randn(n, 4, seed=seed + 3 * i), randint(2, n, seed=seed + 3 * i + 1),
                               1 + randn(n, seed=seed + 3 * i + 2)))
    return out


@check(SECTION, "train_step", points=3)
def check_train_step(train_step) -> None:
    """Parameters after one SGD step of each network, from stale .grad, over episodes of 5, 1 and 7 steps."""
    check_defaults(train_step, ref.train_step, name="train_step")
    for context, seed, lengths, gamma in [
        ("3 episodes of 5, 1 and 7 steps, gamma=0.9, seed 0", 0, [5, 1, 7], 0.9),
        ("2 episodes of 4 and 6 steps, the default gamma, seed 40", 40, [4, 6], None),
    ]:
        torch.manual_seed(seed)
        nets = (ref.Policy(4, 2, hidden=8), ref.ValueNet(4, hidden=8))
        runs = []
        for _ in range(2):
            policy, value_net = copy.deepcopy(nets[0]), copy.deepcopy(nets[1])
            for j, p in enumerate(list(policy.parameters()) + list(value_net.parameters())):
                p.grad = 10 * randn(*p.shape, seed=500 + j)  # stale gradients the step must clear
            popt = torch.optim.SGD(policy.parameters(), lr=0.5)
            vopt = torch.optim.SGD(value_net.parameters(), lr=0.05)
            runs.append((policy, value_net, popt, vopt))
        episodes = _episodes(seed + 1, lengths)
        extra = () if gamma is None else (gamma,)
        # Not through `call`: updating the networks in place is the point of a training step.
        got = train_step(*runs[0], episodes, *extra)
        want = ref.train_step(*runs[1], episodes, *extra)
        for which, mine, theirs, hint in [
            ("policy", runs[0][0], runs[1][0],
             "weights are the per-episode reward-to-go (never across an episode boundary) minus the detached "
             "values from before the value update, normalised over the batch; the loss is reinforce_loss "
             "divided by the number of episodes; zero the optimiser's gradients before backward."),
            ("value network", runs[0][1], runs[1][1],
             "one step of value_opt on baseline_loss against the reward-to-go; zero its gradients first, and "
             "make sure the policy loss sends no gradient into the value network (detach the baseline)."),
        ]:
            for (pname, p), q in zip(mine.named_parameters(), theirs.parameters(), strict=True):
                expect_tensor(p.detach(), q.detach(), context=f"{context}: the {which}'s `{pname}` after the step",
                              hint=hint)
        if not isinstance(got, dict) or set(got) != {"policy_loss", "value_loss"}:
            raise CheckFailed(f"For {context}: expected a dict with keys 'policy_loss' and 'value_loss', "
                              f"got {describe(got)}{' with keys ' + str(sorted(got)) if isinstance(got, dict) else ''}.")
        for key in ("policy_loss", "value_loss"):
            expect_tensor(torch.tensor(float(got[key]), dtype=torch.float64),
                          torch.tensor(want[key], dtype=torch.float64),
                          context=f"{context}: the returned {key!r} (before the update)",
                          hint="return the losses as floats (loss.item()), computed before the optimiser steps.")
