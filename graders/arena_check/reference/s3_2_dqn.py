"""GENERATED from book/3_rl/3.2_dqn.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import copy
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from jaxtyping import Bool, Float, Int
from torch import Tensor, nn

import arena_check
from arena_check.kit.rl import greedy_returns


class ReplayBatch(NamedTuple):
    """A minibatch of transitions; row i is one step (obs → action → reward, next_obs)."""

    obs: Float[Tensor, "batch obs_dim"]
    actions: Int[Tensor, " batch"]
    rewards: Float[Tensor, " batch"]
    next_obs: Float[Tensor, "batch obs_dim"]
    terminated: Bool[Tensor, " batch"]


class ReplayBuffer:
    """A ring buffer of the last `capacity` transitions (obs, action, reward, next_obs, terminated).

    Storage, allocated in __init__ and filled with zeros: `obs` and `next_obs` float32 of shape
    (capacity, obs_dim), `actions` int64, `rewards` float32 and `terminated` bool, each of shape
    (capacity,). `pos` is the slot the next `add` writes (0 at first); `size` is how many slots
    hold a transition (0 at first, at most `capacity`).
    """

    def __init__(self, capacity: int, obs_dim: int):
        self.capacity = capacity
        self.obs = torch.zeros(capacity, obs_dim)
        self.actions = torch.zeros(capacity, dtype=torch.int64)
        self.rewards = torch.zeros(capacity)
        self.next_obs = torch.zeros(capacity, obs_dim)
        self.terminated = torch.zeros(capacity, dtype=torch.bool)
        self.pos = 0
        self.size = 0

    def add(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """Write one transition into slot `pos`, then advance `pos` by one, wrapping to 0 after
        the last slot; `size` grows by one until it reaches `capacity`. Once the buffer is full,
        each add overwrites the oldest transition."""
        self.obs[self.pos] = torch.as_tensor(obs, dtype=torch.float32)
        self.actions[self.pos] = action
        self.rewards[self.pos] = reward
        self.next_obs[self.pos] = torch.as_tensor(next_obs, dtype=torch.float32)
        self.terminated[self.pos] = bool(terminated)
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, generator: torch.Generator) -> ReplayBatch:
        """`batch_size` stored transitions drawn uniformly with replacement, by exactly one call
        `idx = torch.randint(0, self.size, (batch_size,), generator=generator)`; the batch's
        fields are the storage rows `idx` (copies: changing the batch leaves the buffer intact)."""
        idx = torch.randint(0, self.size, (batch_size,), generator=generator)
        return ReplayBatch(self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx])


def linear_schedule(step: int, start: float, end: float, duration: int) -> float:
    """start at step 0, end at step `duration` and at every later step, linear in between:
    start + (end − start) · min(step / duration, 1). A Python float."""
    return start + (end - start) * min(step / duration, 1.0)


def epsilon_greedy(q_values: Float[Tensor, " n_actions"], epsilon: float, generator: torch.Generator) -> int:
    """An action index as a Python int. Random draws, in this order, all from `generator`:
    u = torch.rand((), generator=generator) on every call; if u < epsilon, the action is
    int(torch.randint(n_actions, (), generator=generator)) — a uniformly random action, possibly
    the greedy one; otherwise it is the argmax of q_values (the lowest index on ties)."""
    if torch.rand((), generator=generator) < epsilon:
        return int(torch.randint(q_values.shape[0], (), generator=generator))
    return int(q_values.argmax())


class QNetwork(nn.Module):
    """Q(s, ·): `self.net` = nn.Sequential(Linear(obs_dim, hidden), ReLU, Linear(hidden, hidden),
    ReLU, Linear(hidden, n_actions)) in that order, with PyTorch's default initialisation. Its
    state dict keys (net.0.weight, …, net.4.bias) are those of the shipped weights."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(obs_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_actions),
        )

    def forward(self, obs: Float[Tensor, "batch obs_dim"]) -> Float[Tensor, "batch n_actions"]:
        """One row of Q-values per observation."""
        return self.net(obs)


def q_taken(q_net: nn.Module, obs: Float[Tensor, "batch obs_dim"], actions: Int[Tensor, " batch"]) -> Float[Tensor, " batch"]:
    """Q(obs[i], actions[i]) for every row i, shape (batch,), with gradients flowing to q_net."""
    return q_net(obs).gather(1, actions[:, None]).squeeze(1)


def td_target(
    target_net: nn.Module, rewards: Float[Tensor, " batch"], next_obs: Float[Tensor, "batch obs_dim"],
    terminated: Bool[Tensor, " batch"], gamma: float,
) -> Float[Tensor, " batch"]:
    """r + γ · (1 − terminated) · max_a' target_net(next_obs)[a'], shape (batch,), computed
    without gradients (the result does not require grad)."""
    with torch.no_grad():
        next_q = target_net(next_obs).max(dim=1).values
        return rewards + gamma * next_q * (~terminated)


def double_dqn_target(
    q_net: nn.Module, target_net: nn.Module, rewards: Float[Tensor, " batch"],
    next_obs: Float[Tensor, "batch obs_dim"], terminated: Bool[Tensor, " batch"], gamma: float,
) -> Float[Tensor, " batch"]:
    """r + γ · (1 − terminated) · target_net(next_obs)[a*], with a* = argmax_a q_net(next_obs)[a]
    (the online network selects, the target network evaluates). Shape (batch,), no gradients."""
    with torch.no_grad():
        best = q_net(next_obs).argmax(dim=1)
        next_q = target_net(next_obs).gather(1, best[:, None]).squeeze(1)
        return rewards + gamma * next_q * (~terminated)


def huber_loss(pred: Float[Tensor, " batch"], target: Float[Tensor, " batch"], delta: float = 1.0) -> Float[Tensor, ""]:
    """Mean over the batch of ½x² where |x| ≤ delta and delta·(|x| − ½delta) elsewhere, x = pred − target
    (the same value and gradient as F.huber_loss(pred, target, delta=delta))."""
    err = (pred - target).abs()
    return torch.where(err <= delta, 0.5 * err**2, delta * (err - 0.5 * delta)).mean()


def dqn_loss(
    q_net: nn.Module, target_net: nn.Module, batch: ReplayBatch, gamma: float, double: bool = False
) -> Float[Tensor, ""]:
    """huber_loss(Q_θ(s, a), y) with δ = 1, where y is td_target(target_net, …) or, if `double`,
    double_dqn_target(q_net, target_net, …). Gradients reach q_net only."""
    pred = q_taken(q_net, batch.obs, batch.actions)
    if double:
        target = double_dqn_target(q_net, target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
    else:
        target = td_target(target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
    return huber_loss(pred, target)


def hard_update(target: nn.Module, online: nn.Module) -> None:
    """Copy every parameter and buffer of `online` into `target`'s own tensors (same
    architecture); afterwards they are equal but share no storage. `online` is unchanged."""
    target.load_state_dict(online.state_dict())


def polyak_update(target: nn.Module, online: nn.Module, tau: float) -> None:
    """In place, for every parameter pair: target ← tau · online + (1 − tau) · target.
    tau = 1 is a hard copy, tau = 0 leaves the target unchanged. `online` is unchanged."""
    with torch.no_grad():
        for tp, p in zip(target.parameters(), online.parameters(), strict=True):
            tp.mul_(1 - tau).add_(p, alpha=tau)


def step_and_store(env: gym.Env, obs: np.ndarray, action: int, buffer: ReplayBuffer) -> tuple[np.ndarray, float, bool]:
    """Step `env` with `action` from `obs` and add (obs, action, reward, next_obs, terminated) to
    `buffer`, where next_obs is the observation env.step returned and the flag is `terminated`
    alone (truncation is not termination). If the episode ended (terminated or truncated),
    reset `env` with env.reset() (no seed). Returns (the observation to act from next — the
    reset one if the episode ended —, the reward as a float, whether the episode ended)."""
    next_obs, reward, terminated, truncated, _ = env.step(action)
    buffer.add(obs, action, float(reward), next_obs, bool(terminated))
    ended = bool(terminated or truncated)
    if ended:
        next_obs, _ = env.reset()
    return next_obs, float(reward), ended


@dataclass
class DQNConfig:
    env_id: str = "CartPole-v1"
    seed: int = 0
    total_steps: int = 50_000
    hidden: int = 128
    buffer_size: int = 50_000
    batch_size: int = 128
    lr: float = 1e-3
    gamma: float = 0.99
    eps_start: float = 1.0
    eps_end: float = 0.05
    eps_duration: int = 10_000
    learning_starts: int = 1_000
    train_every: int = 2
    double: bool = True
    tau: float = 1.0             # 1.0: a hard copy every `target_every` updates; < 1: Polyak after every update
    target_every: int = 250
    max_grad_norm: float = 10.0
    eval_every: int = 0          # 0: no evaluation during training
    eval_episodes: int = 5
    eval_seed: int = 50_000      # evaluation seeds during training: eval_seed, eval_seed + 1, …


@dataclass
class History:
    episodes: list[tuple[int, float]] = field(default_factory=list)  # (env steps so far, return)
    losses: list[tuple[int, float]] = field(default_factory=list)    # (env steps so far, loss)
    evals: list[tuple[int, float]] = field(default_factory=list)     # (env steps so far, greedy mean)


def greedy(q_net: nn.Module):
    """The policy that takes the argmax of `q_net`'s values, as a function of one observation."""

    def act(obs: np.ndarray) -> int:
        with torch.no_grad():
            return int(q_net(torch.as_tensor(obs, dtype=torch.float32)[None])[0].argmax())

    return act


def evaluate(q_net: nn.Module, env_id: str = "CartPole-v1", n_episodes: int = 20, seed: int = 10_000) -> list[float]:
    """Returns of `n_episodes` greedy episodes (argmax of the Q-values), reset with seeds seed, seed + 1, …"""
    return greedy_returns(greedy(q_net), env_id, n_episodes, seed)


def train_dqn(cfg: DQNConfig, env: gym.Env | None = None) -> tuple[QNetwork, History]:
    """Train DQN with this section's functions; return the online network and the logs.
    `env` replaces gym.make(cfg.env_id) (the probe environments use it)."""
    torch.manual_seed(cfg.seed)
    env = env if env is not None else gym.make(cfg.env_id)
    obs_dim, n_actions = env.observation_space.shape[0], int(env.action_space.n)
    q_net = QNetwork(obs_dim, n_actions, cfg.hidden)
    target_net = QNetwork(obs_dim, n_actions, cfg.hidden)
    hard_update(target_net, q_net)
    optimiser = torch.optim.Adam(q_net.parameters(), lr=cfg.lr)
    buffer = ReplayBuffer(cfg.buffer_size, obs_dim)
    gen = torch.Generator().manual_seed(cfg.seed)
    hist, episode_return, n_updates = History(), 0.0, 0
    obs, _ = env.reset(seed=cfg.seed)
    for step in range(cfg.total_steps):
        epsilon = linear_schedule(step, cfg.eps_start, cfg.eps_end, cfg.eps_duration)
        with torch.no_grad():
            q_values = q_net(torch.as_tensor(obs, dtype=torch.float32)[None])[0]
        action = epsilon_greedy(q_values, epsilon, gen)
        obs, reward, ended = step_and_store(env, obs, action, buffer)
        episode_return += reward
        if ended:
            hist.episodes.append((step + 1, episode_return))
            episode_return = 0.0
        if step >= cfg.learning_starts and step % cfg.train_every == 0:
            loss = dqn_loss(q_net, target_net, buffer.sample(cfg.batch_size, gen), cfg.gamma, cfg.double)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(q_net.parameters(), cfg.max_grad_norm)
            optimiser.step()
            n_updates += 1
            if cfg.tau == 1.0:
                if n_updates % cfg.target_every == 0:
                    hard_update(target_net, q_net)
            else:
                polyak_update(target_net, q_net, cfg.tau)
            if n_updates % 50 == 0:
                hist.losses.append((step + 1, loss.item()))
        if cfg.eval_every and (step + 1) % cfg.eval_every == 0:
            score = float(np.mean(evaluate(q_net, cfg.env_id, cfg.eval_episodes, cfg.eval_seed)))
            hist.evals.append((step + 1, score))
    return q_net, hist


class ProbeEnv(gym.Env):
    """A one- or two-step environment with known Q-values (see the table above).

    kind: "constant", "observation", "discount" or "action". Observations have shape (1,).
    """

    KINDS = ("constant", "observation", "discount", "action")

    def __init__(self, kind: str):
        assert kind in self.KINDS, kind
        self.kind = kind
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.action_space = gym.spaces.Discrete(2 if kind == "action" else 1)
        self.x = 0.0
        self.t = 0

    def _obs(self) -> np.ndarray:
        return np.array([self.x], dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.t = 0
        self.x = float(self.np_random.choice([-1.0, 1.0])) if self.kind in ("observation", "action") else 0.0
        return self._obs(), {}

    def step(self, action: int):
        self.t += 1
        if self.kind == "constant":
            return self._obs(), 1.0, True, False, {}
        if self.kind == "observation":
            return self._obs(), self.x, True, False, {}
        if self.kind == "action":
            return self._obs(), 1.0 if int(action) == int(self.x > 0) else -1.0, True, False, {}
        if self.t == 1:  # "discount": 0 → 1, then the end
            self.x = 1.0
            return self._obs(), 0.0, False, False, {}
        return self._obs(), 1.0, True, False, {}


def probe_expected(kind: str, gamma: float) -> tuple[Float[Tensor, "n_obs 1"], Float[Tensor, "n_obs n_actions"]]:
    """The probe's observations and their correct Q-values (one row per observation)."""
    if kind == "constant":
        return torch.tensor([[0.0]]), torch.tensor([[1.0]])
    if kind == "observation":
        return torch.tensor([[-1.0], [1.0]]), torch.tensor([[-1.0], [1.0]])
    if kind == "discount":
        return torch.tensor([[0.0], [1.0]]), torch.tensor([[gamma], [1.0]])
    return torch.tensor([[-1.0], [1.0]]), torch.tensor([[1.0, -1.0], [-1.0, 1.0]])


PROBE_CONFIG = DQNConfig(
    total_steps=220, hidden=16, lr=1e-2, gamma=0.9, eps_start=1.0, eps_end=1.0, learning_starts=60,
    batch_size=32, train_every=1, double=False, tau=1.0, target_every=20,
)
