"""GENERATED from book/3_rl/3.3_policy_gradients.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
import torch
from jaxtyping import Float, Int
from torch import Tensor, nn
from torch.distributions import Categorical

import arena_check


class Episode(NamedTuple):
    """One episode, step by step: `observations[t]` is the observation the policy saw when it
    chose `actions[t]`, and `rewards[t]` is the reward that action earned."""

    observations: Float[Tensor, "T obs_dim"]
    actions: Int[Tensor, " T"]
    rewards: Float[Tensor, " T"]


def discounted_return(rewards: Float[Tensor, " T"], gamma: float = 0.99) -> Float[Tensor, ""]:
    """G = sum_t gamma**t * rewards[t], a 0-dim tensor of the rewards' dtype.

    The first reward is not discounted (gamma**0 = 1). An empty episode has return 0.
    """
    discounts = gamma ** torch.arange(len(rewards), dtype=rewards.dtype)
    return (discounts * rewards).sum()


def reward_to_go(rewards: Float[Tensor, " T"], gamma: float = 0.99) -> Float[Tensor, " T"]:
    """out[t] = sum_{k >= t} gamma**(k - t) * rewards[k]; same shape and dtype as rewards.

    out[t] includes rewards[t] itself, undiscounted. out[0] is the episode's discounted return.
    `rewards` is not modified.
    """
    out = torch.zeros_like(rewards)
    running = torch.zeros((), dtype=rewards.dtype)
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


def normalise_advantages(advantages: Float[Tensor, " n"], eps: float = 1e-8) -> Float[Tensor, " n"]:
    """(advantages - mean) / (population std + eps), over all n entries.

    Population std divides by n, not n - 1. A single entry (or n equal entries) gives zeros.
    The input is not modified.
    """
    return (advantages - advantages.mean()) / (advantages.std(correction=0) + eps)


class Policy(nn.Module):
    """pi(a | s): Linear(obs_dim, hidden) -> Tanh -> Linear(hidden, n_actions), stored as
    `self.net` (an nn.Sequential with exactly these three modules).

    forward(obs) takes one observation (obs_dim,) or a batch (batch, obs_dim) and returns
    Categorical(logits=...) over the last axis, with batch shape () or (batch,).
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))

    def forward(self, obs: Float[Tensor, "*batch obs_dim"]) -> Categorical:
        return Categorical(logits=self.net(obs))


class ValueNet(nn.Module):
    """V(s): Linear(obs_dim, hidden) -> Tanh -> Linear(hidden, 1), stored as `self.net`.

    forward(obs) maps (batch, obs_dim) to (batch,) and (obs_dim,) to a 0-dim tensor: only the
    final size-1 axis is removed.
    """

    def __init__(self, obs_dim: int, hidden: int = 64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, obs: Float[Tensor, "*batch obs_dim"]) -> Float[Tensor, "*batch"]:
        return self.net(obs).squeeze(-1)


def sample_episode(env: Any, policy: nn.Module, generator: torch.Generator, seed: int | None = None) -> Episode:
    """One episode: reset with env.reset(seed=seed), then step until terminated OR truncated.

    At each step the observation becomes a float32 tensor of shape (obs_dim,), the policy is
    called on it (no gradients needed) and one action is drawn with
    torch.multinomial(dist.probs, 1, generator=generator) — exactly one draw per step, so
    the same generator state gives the same actions. Returns an Episode of float32
    observations (T, obs_dim), int64 actions (T,) and float32 rewards (T,).
    """
    obs, _ = env.reset(seed=seed)
    observations, actions, rewards = [], [], []
    done = False
    while not done:
        obs_t = torch.as_tensor(obs, dtype=torch.float32)
        with torch.no_grad():
            probs = policy(obs_t).probs
        action = int(torch.multinomial(probs, 1, generator=generator).item())
        obs_next, reward, terminated, truncated, _ = env.step(action)
        observations.append(obs_t)
        actions.append(action)
        rewards.append(float(reward))
        obs, done = obs_next, terminated or truncated
    return Episode(torch.stack(observations), torch.tensor(actions, dtype=torch.int64),
                   torch.tensor(rewards, dtype=torch.float32))


def reinforce_loss(
    policy: nn.Module,
    observations: Float[Tensor, "total_T obs_dim"],
    actions: Int[Tensor, " total_T"],
    weights: Float[Tensor, " total_T"],
    n_episodes: int,
) -> Float[Tensor, ""]:
    """-(1 / n_episodes) * sum_t log pi(actions[t] | observations[t]) * weights[t].

    The steps of all episodes are concatenated along total_T. Summed over timesteps and divided
    by the number of EPISODES (not timesteps). The weights are treated as constants: no gradient
    flows into them even if they require grad. Minimising this ascends the expected return.
    """
    log_probs = policy(observations).log_prob(actions)
    return -(log_probs * weights.detach()).sum() / n_episodes


def baseline_loss(
    value_net: nn.Module,
    observations: Float[Tensor, "total_T obs_dim"],
    returns: Float[Tensor, " total_T"],
) -> Float[Tensor, ""]:
    """mean_t (value_net(observations)[t] - returns[t])**2, over all total_T steps (no 1/2).

    The targets are constants: no gradient flows into `returns`.
    """
    return ((value_net(observations) - returns.detach()) ** 2).mean()


def advantages(
    value_net: nn.Module,
    observations: Float[Tensor, "total_T obs_dim"],
    returns: Float[Tensor, " total_T"],
) -> Float[Tensor, " total_T"]:
    """returns - value_net(observations), detached: the result does not require grad, so no
    gradient can reach the value network through it. Not normalised."""
    with torch.no_grad():
        values = value_net(observations)
    return returns.detach() - values


def policy_gradient_estimate(
    policy: nn.Module,
    observations: Float[Tensor, "total_T obs_dim"],
    actions: Int[Tensor, " total_T"],
    weights: Float[Tensor, " total_T"],
    n_episodes: int,
) -> Float[Tensor, " n_params"]:
    """The estimate of grad J (the ascent direction, i.e. minus the gradient of reinforce_loss),
    flattened over policy.parameters() in their order and concatenated.

    Does not modify the parameters' `.grad` (use torch.autograd.grad, not backward).
    """
    loss = reinforce_loss(policy, observations, actions, weights, n_episodes)
    grads = torch.autograd.grad(loss, list(policy.parameters()))
    return -torch.cat([g.flatten() for g in grads])


def estimator_variance(grads: Float[Tensor, "n_batches n_params"]) -> Float[Tensor, ""]:
    """Trace of the sample covariance of the rows: sum over parameters of the unbiased (n - 1)
    variance across batches. Needs n_batches >= 2."""
    centred = grads - grads.mean(dim=0, keepdim=True)
    return (centred**2).sum() / (grads.shape[0] - 1)


def train_step(
    policy: nn.Module,
    value_net: nn.Module,
    policy_opt: torch.optim.Optimizer,
    value_opt: torch.optim.Optimizer,
    episodes: list[Episode],
    gamma: float = 0.99,
) -> dict[str, float]:
    """One REINFORCE-with-baseline update from `episodes`.

    Weights: reward-to-go minus the (detached) value of each step, computed before the value
    network is updated, then normalise_advantages over all steps of the batch. One step of
    policy_opt on reinforce_loss (divided by the number of episodes) and one step of value_opt on
    baseline_loss against the reward-to-go. Gradients left in `.grad` by the caller are cleared
    first. Returns {"policy_loss": ..., "value_loss": ...} as floats (before the update).
    """
    obs = torch.cat([e.observations for e in episodes])
    acts = torch.cat([e.actions for e in episodes])
    rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
    adv = normalise_advantages(advantages(value_net, obs, rtg))

    policy_opt.zero_grad()
    p_loss = reinforce_loss(policy, obs, acts, adv, len(episodes))
    p_loss.backward()
    policy_opt.step()

    value_opt.zero_grad()
    v_loss = baseline_loss(value_net, obs, rtg)
    v_loss.backward()
    value_opt.step()
    return {"policy_loss": p_loss.item(), "value_loss": v_loss.item()}
