# %% [markdown]
# *GENERATED from book/3_rl/3.2_dqn.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 3.2 <this file>*

# %% [markdown]
# # 3.2 Deep Q-learning
#
# Tabular Q-learning (section 3.1) keeps one number per state and action. CartPole's state
# is four real numbers, so there is no table to keep: a network has to *generalise* from the states
# it has seen to the ones it has not. Doing that naively — one gradient step on each new transition,
# towards a target computed by the very network being trained — diverges more often than it learns.
# The deep Q-network (DQN) of [Mnih et al. 2015](https://www.nature.com/articles/nature14236)
# made it work with two stabilisers, an experience replay buffer and a target
# network; [van Hasselt et al. 2016](https://arxiv.org/abs/1509.06461) then removed a systematic
# over-estimation with Double DQN. This section builds each part, grades each on its own,
# checks the assembled learner on probe environments whose correct
# values are known in advance, and trains a CartPole-v1 agent.
#
# DQN's bugs are quiet. A target that forgets to stop at the end of an episode, a time limit
# treated as a death, or a gradient that leaks into the target all give code that runs, a loss
# that moves, and an agent that learns a little and then stalls — so each of them is a check below.
#
# **You will be able to**
#
# - store and sample transitions with a ring-buffer experience replay, reproducibly;
# - explore with an ε-greedy policy on a linear ε schedule;
# - write the Q-network, the one-step TD target with the
#   right terminal mask, and its Double DQN variant;
# - train with the Huber loss, and keep a target network by hard copies or by
#   Polyak averaging;
# - debug a value-based agent with probe environments, and read its learning curve.
#
# **Prerequisites.** Section 3.1 (the Bellman equation, tabular Q-learning, ε-greedy exploration);
# PyTorch modules and optimisers (chapter 0).
#
# **Time.** About 2½ hours: 12 exercises, then the probe runs and a training run you read. The
# whole page executes in about a minute on a 2-core CPU, up to two on a busy one (the training
# cells say how long they take).
#
# ## Setup

# %%
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


# %% [markdown]
# ## Part 1 · From Q-learning to DQN
#
# Q-learning moves $Q(s, a)$ towards the one-step target
#
# $$y = r + \gamma \,(1 - d)\, \max_{a'} Q(s', a'),$$
#
# where $d = 1$ if the episode *terminated* at $s'$ (no future, so nothing to bootstrap from). With a
# network $Q_\theta$ in place of the table, the update becomes a gradient step on
# $\big(Q_\theta(s, a) - y\big)^2$ with $y$ held fixed. Two things break when you do that
# directly, and DQN fixes each:
#
# - **Consecutive transitions are strongly correlated** (a CartPole episode is hundreds of almost
#   identical states), and stochastic gradient descent assumes roughly independent samples. The
#   fix is **experience replay**: store every transition in a large buffer and train on
#   minibatches drawn uniformly from it. Each transition is also reused many times.
# - **The target moves with every step**, because $y$ is computed with the same parameters
#   $\theta$ that the step changes — the network chases its own tail. The fix is a **target
#   network** $Q_{\bar\theta}$, a lagging copy of $Q_\theta$ used only to compute $y$: copied over
#   every few thousand steps (a *hard* update), or moved a small fraction $\tau$ towards $\theta$
#   after every step (Polyak averaging).
#
# ### Exercise 1 · `ReplayBuffer`
#
# > difficulty 2/5 · importance 5/5 · 15–20 min
#
# Store transitions in a fixed-size ring buffer and sample minibatches from it with a given
# random generator.
#
# When the buffer is full, the next transition overwrites the *oldest* one, which is the slot the
# write position has wrapped round to. Writing to the wrong slot (one past it, or always the last
# one) keeps the buffer full of stale data, and sampling from the unfilled zeros teaches the network
# transitions that never happened. Drawing indices from the `generator` you are given, not the
# global random state, makes a run repeatable whatever else draws random numbers.
#
# <details><summary>Hint 1 — add</summary>
#
# `self.obs[self.pos] = torch.as_tensor(obs)` and likewise for the other fields; then
# `self.pos = (self.pos + 1) % self.capacity` and `self.size = min(self.size + 1, self.capacity)`.
#
# </details>
#
# <details><summary>Hint 2 — sample</summary>
#
# `idx = torch.randint(0, self.size, (batch_size,), generator=generator)` — `self.size`, not
# `self.capacity` — then index every storage tensor with `idx` (indexing with a tensor copies).
#
# </details>

# %%
class ReplayBatch(NamedTuple):
    """A minibatch of transitions; row i is one step (obs → action → reward, next_obs)."""

    obs: Float[Tensor, "batch obs_dim"]
    actions: Int[Tensor, " batch"]
    rewards: Float[Tensor, " batch"]
    next_obs: Float[Tensor, "batch obs_dim"]
    terminated: Bool[Tensor, " batch"]


# %%
class ReplayBuffer:
    """A ring buffer of the last `capacity` transitions (obs, action, reward, next_obs, terminated).

    Storage, allocated in __init__ and filled with zeros: `obs` and `next_obs` float32 of shape
    (capacity, obs_dim), `actions` int64, `rewards` float32 and `terminated` bool, each of shape
    (capacity,). `pos` is the slot the next `add` writes (0 at first); `size` is how many slots
    hold a transition (0 at first, at most `capacity`).
    """

    def __init__(self, capacity: int, obs_dim: int):
        raise NotImplementedError("exercise: ReplayBuffer.__init__")

    def add(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """Write one transition into slot `pos`, then advance `pos` by one, wrapping to 0 after
        the last slot; `size` grows by one until it reaches `capacity`. Once the buffer is full,
        each add overwrites the oldest transition."""
        raise NotImplementedError("exercise: ReplayBuffer.add")

    def sample(self, batch_size: int, generator: torch.Generator) -> ReplayBatch:
        """`batch_size` stored transitions drawn uniformly with replacement, by exactly one call
        `idx = torch.randint(0, self.size, (batch_size,), generator=generator)`; the batch's
        fields are the storage rows `idx` (copies: changing the batch leaves the buffer intact)."""
        raise NotImplementedError("exercise: ReplayBuffer.sample")


# %%
arena_check.check("3.2", "ReplayBuffer", ReplayBuffer)


# %% [markdown]
# Steps 5 and 6 overwrote steps 0 and 1, the oldest; the next write goes to slot 2, which holds the
# oldest remaining step.
#
# ### Exercise 2 · `linear_schedule`
#
# > difficulty 1/5 · importance 3/5 · 5–10 min
#
# Compute ε at a given step: a straight line from `start` at step 0 to `end` at step `duration`,
# then constant.
#
# DQN explores almost at random at first (its Q-values mean nothing yet) and becomes greedier as
# they improve. A schedule that never reaches its end value, or reaches it a step late, costs little
# on its own — but it is exactly the kind of silent difference that makes two "identical" runs
# disagree.
#
# <details><summary>Hint</summary>
#
# `start + (end - start) * min(step / duration, 1.0)`.
#
# </details>

# %%
def linear_schedule(step: int, start: float, end: float, duration: int) -> float:
    """start at step 0, end at step `duration` and at every later step, linear in between:
    start + (end − start) · min(step / duration, 1). A Python float."""
    raise NotImplementedError("exercise: linear_schedule")


# %%
arena_check.check("3.2", "linear_schedule", linear_schedule)


# %% [markdown]
# ### Exercise 3 · `epsilon_greedy`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# With probability ε take a uniformly random action, otherwise the action with the largest Q-value.
#
# <details><summary>Hint</summary>
#
# Draw `u = torch.rand((), generator=generator)` first, on every call. If `u < epsilon`, return
# `int(torch.randint(n_actions, (), generator=generator))`; else `int(q_values.argmax())`.
#
# </details>

# %%
def epsilon_greedy(q_values: Float[Tensor, " n_actions"], epsilon: float, generator: torch.Generator) -> int:
    """An action index as a Python int. Random draws, in this order, all from `generator`:
    u = torch.rand((), generator=generator) on every call; if u < epsilon, the action is
    int(torch.randint(n_actions, (), generator=generator)) — a uniformly random action, possibly
    the greedy one; otherwise it is the argmax of q_values (the lowest index on ties)."""
    raise NotImplementedError("exercise: epsilon_greedy")


# %%
arena_check.check("3.2", "epsilon_greedy", epsilon_greedy)


# %% [markdown]
# The greedy action is chosen with probability $1 - \varepsilon + \varepsilon / |A|$: a random action
# can be the greedy one too.
#
# ## Part 2 · The Q-network and its targets
#
# ### Exercise 4 · `QNetwork`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# An MLP that maps a batch of observations to one Q-value per action.
#
# One forward pass gives the values of *every* action, so acting greedily and computing
# $\max_{a'} Q(s', a')$ each take one pass, whatever the number of actions. The layer layout is
# fixed (the checks, and the trained weights loaded at the end of the page, read `self.net`).
#
# <details><summary>Hint</summary>
#
# `nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))`.
#
# </details>

# %%
class QNetwork(nn.Module):
    """Q(s, ·): `self.net` = nn.Sequential(Linear(obs_dim, hidden), ReLU, Linear(hidden, hidden),
    ReLU, Linear(hidden, n_actions)) in that order, with PyTorch's default initialisation. Its
    state dict keys (net.0.weight, …, net.4.bias) are those of the shipped weights."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64):
        raise NotImplementedError("exercise: QNetwork.__init__")

    def forward(self, obs: Float[Tensor, "batch obs_dim"]) -> Float[Tensor, "batch n_actions"]:
        """One row of Q-values per observation."""
        raise NotImplementedError("exercise: QNetwork.forward")


# %%
arena_check.check("3.2", "QNetwork", QNetwork)


# %% [markdown]
# An untrained network's values are small and arbitrary: the greedy policy it defines is a fixed but
# meaningless rule, which is why the first steps explore with ε = 1.
#
# ### Exercise 5 · `q_taken`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Pick, for each row of a batch, the Q-value of the action that was actually taken.
#
# The loss compares $Q_\theta(s_i, a_i)$ — one number per row — with the target $y_i$. The classic
# bug leaves a trailing axis of size 1: a `(batch, 1)` tensor minus a `(batch,)` tensor broadcasts
# to `(batch, batch)`, and the loss then averages every prediction against every target, silently.
#
# <details><summary>Hint</summary>
#
# `q_net(obs).gather(1, actions[:, None]).squeeze(1)`, or index with
# `q[torch.arange(len(actions)), actions]`.
#
# </details>

# %%
def q_taken(q_net: nn.Module, obs: Float[Tensor, "batch obs_dim"], actions: Int[Tensor, " batch"]) -> Float[Tensor, " batch"]:
    """Q(obs[i], actions[i]) for every row i, shape (batch,), with gradients flowing to q_net."""
    raise NotImplementedError("exercise: q_taken")


# %%
arena_check.check("3.2", "q_taken", q_taken)


# %% [markdown]
# ### Exercise 6 · `td_target`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Compute the one-step target $y = r + \gamma (1 - d) \max_{a'} Q_{\bar\theta}(s', a')$ with the
# target network, without gradients.
#
# Two details carry the whole algorithm here. **The terminal mask:** when the pole falls, the next
# state has no future; bootstrapping from it anyway adds $\gamma \max Q$ of a state the agent never
# acts from, and every value drifts upwards by roughly what the network happens to say there.
# **No gradient through the target:** $y$ is a label. If gradients flow through it, the loss also
# pulls the target towards the prediction — a different (and worse-behaved) objective, the
# "residual gradient" one.
#
# Only *termination* zeroes the bootstrap. A CartPole episode also ends when it hits the 500-step
# time limit (*truncation*); the pole was still up, the state still had a future, and its target
# must bootstrap as usual. The replay buffer therefore stores `terminated`, never `terminated or
# truncated` (exercise 12 is where that choice is made).
#
# <details><summary>Hint</summary>
#
# Under `torch.no_grad()`: `next_q = target_net(next_obs).max(dim=1).values`, then
# `rewards + gamma * next_q * (~terminated)` (or `* (1 - terminated.float())`).
#
# </details>

# %%
def td_target(
    target_net: nn.Module, rewards: Float[Tensor, " batch"], next_obs: Float[Tensor, "batch obs_dim"],
    terminated: Bool[Tensor, " batch"], gamma: float,
) -> Float[Tensor, " batch"]:
    """r + γ · (1 − terminated) · max_a' target_net(next_obs)[a'], shape (batch,), computed
    without gradients (the result does not require grad)."""
    raise NotImplementedError("exercise: td_target")


# %%
arena_check.check("3.2", "td_target", td_target)


# %% [markdown]
# The two terminated rows get exactly their reward, 1; the others add the discounted value of the
# next state.
#
# ### Exercise 7 · `double_dqn_target`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Compute the Double DQN target: the *online* network chooses the next action, the *target*
# network says how good it is.
#
# $\max_{a'} Q(s', a')$ is biased upwards whenever the estimates are noisy: the maximum of noisy
# estimates picks the action whose noise happened to be largest, and the error is then bootstrapped
# into every earlier state. Van Hasselt et al. decouple choosing from evaluating,
# $y = r + \gamma (1 - d)\, Q_{\bar\theta}\big(s', \arg\max_{a'} Q_\theta(s', a')\big)$: an action
# whose online value is inflated by noise is unlikely to be inflated in the target network too. Using
# the same network for both halves silently turns it back into plain DQN.
#
# <details><summary>Hint</summary>
#
# `best = q_net(next_obs).argmax(dim=1)`; then
# `target_net(next_obs).gather(1, best[:, None]).squeeze(1)`; mask and discount as before, all under
# `torch.no_grad()`.
#
# </details>

# %%
def double_dqn_target(
    q_net: nn.Module, target_net: nn.Module, rewards: Float[Tensor, " batch"],
    next_obs: Float[Tensor, "batch obs_dim"], terminated: Bool[Tensor, " batch"], gamma: float,
) -> Float[Tensor, " batch"]:
    """r + γ · (1 − terminated) · target_net(next_obs)[a*], with a* = argmax_a q_net(next_obs)[a]
    (the online network selects, the target network evaluates). Shape (batch,), no gradients."""
    raise NotImplementedError("exercise: double_dqn_target")


# %%
arena_check.check("3.2", "double_dqn_target", double_dqn_target)


# %% [markdown]
# With independent noise in the two networks the Double estimate is unbiased, while the plain
# maximum grows with the number of actions (the expected maximum of $n$ standard normals). In
# training the two networks are correlated — the target is a lagging copy — so Double DQN reduces
# the bias rather than removing it.
#
# ### Exercise 8 · `huber_loss`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# The Huber loss: quadratic for small errors, linear for large ones, averaged over the batch.
#
# Early in training some TD errors are huge (a target bootstrapped from a poorly fitted state).
# Under a squared loss their gradient is proportional to the error, and one bad minibatch can wreck
# the network; the Huber loss caps each sample's gradient at $\pm\delta$. Mnih et al. describe it as
# clipping the error term to $[-1, 1]$. Write it yourself: do not call `F.huber_loss`,
# `F.smooth_l1_loss` or `nn.HuberLoss`.
#
# <details><summary>Hint</summary>
#
# With `err = (pred - target).abs()`: `torch.where(err <= delta, 0.5 * err ** 2, delta * (err - 0.5 * delta)).mean()`.
#
# </details>

# %%
def huber_loss(pred: Float[Tensor, " batch"], target: Float[Tensor, " batch"], delta: float = 1.0) -> Float[Tensor, ""]:
    """Mean over the batch of ½x² where |x| ≤ delta and delta·(|x| − ½delta) elsewhere, x = pred − target
    (the same value and gradient as F.huber_loss(pred, target, delta=delta))."""
    raise NotImplementedError("exercise: huber_loss")


# %%
arena_check.check("3.2", "huber_loss", huber_loss)


# %% [markdown]
# ### Exercise 9 · `dqn_loss`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# The loss of one DQN update: the Huber loss between $Q_\theta(s, a)$ and the (plain or Double) target.
#
# Put your pieces together. The gradient must reach the online network's parameters and nothing
# else: not the target network's, and not through the target.
#
# <details><summary>Hint</summary>
#
# `pred = q_taken(q_net, batch.obs, batch.actions)`; the target from `double_dqn_target(...)` if
# `double` else `td_target(target_net, ...)`; return `huber_loss(pred, target)`.
#
# </details>

# %%
def dqn_loss(
    q_net: nn.Module, target_net: nn.Module, batch: ReplayBatch, gamma: float, double: bool = False
) -> Float[Tensor, ""]:
    """huber_loss(Q_θ(s, a), y) with δ = 1, where y is td_target(target_net, …) or, if `double`,
    double_dqn_target(q_net, target_net, …). Gradients reach q_net only."""
    raise NotImplementedError("exercise: dqn_loss")


# %%
arena_check.check("3.2", "dqn_loss", dqn_loss)


# %% [markdown]
# ## Part 3 · Keeping a target network
#
# ### Exercise 10 · `hard_update`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Copy the online network's parameters into the target network, in place.
#
# The target must be a *copy*: if the two networks share tensors, every optimiser step moves the
# target too, and it no longer lags. Rebinding a name (`target_net = q_net`) inside the function
# changes nothing outside it.
#
# <details><summary>Hint</summary>
#
# `target.load_state_dict(online.state_dict())` copies values into the target's own tensors.
#
# </details>

# %%
def hard_update(target: nn.Module, online: nn.Module) -> None:
    """Copy every parameter and buffer of `online` into `target`'s own tensors (same
    architecture); afterwards they are equal but share no storage. `online` is unchanged."""
    raise NotImplementedError("exercise: hard_update")


# %%
arena_check.check("3.2", "hard_update", hard_update)


# %% [markdown]
# ### Exercise 11 · `polyak_update`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Move every target parameter a fraction τ of the way towards the online one:
# $\bar\theta \leftarrow \tau\,\theta + (1 - \tau)\,\bar\theta$.
#
# With a small τ (0.005 is common) the target is an exponential moving average of recent online networks,
# which changes smoothly instead of jumping every few thousand steps. Swapping τ and 1 − τ makes the
# "target" a near-copy of the online network — the moving target DQN was built to avoid.
#
# <details><summary>Hint</summary>
#
# Under `torch.no_grad()`, for each pair of parameters: `tp.mul_(1 - tau).add_(p, alpha=tau)`, or
# `tp.lerp_(p, tau)`.
#
# </details>

# %%
def polyak_update(target: nn.Module, online: nn.Module, tau: float) -> None:
    """In place, for every parameter pair: target ← tau · online + (1 − tau) · target.
    tau = 1 is a hard copy, tau = 0 leaves the target unchanged. `online` is unchanged."""
    raise NotImplementedError("exercise: polyak_update")


# %%
arena_check.check("3.2", "polyak_update", polyak_update)


# %% [markdown]
# The target follows a jump in the online weights with a time constant of about $1/\tau = 200$
# updates.
#
# ## Part 4 · Acting and storing
#
# ### Exercise 12 · `step_and_store`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Take one step in the environment, store the transition, and reset when the episode ends.
#
# Three things must be right here, and none raises an error when wrong:
#
# - the stored `next_obs` is the observation the step returned — the true last state of an episode
#   that just ended, never the first state of the next one (that would teach the network that
#   falling over leads back to an upright pole);
# - the stored flag is `terminated` only, so that a time-limit truncation still bootstraps;
# - the episode is reset when it *either* terminates or is truncated.
#
# <details><summary>Hint</summary>
#
# `next_obs, reward, terminated, truncated, _ = env.step(action)`;
# `buffer.add(obs, action, float(reward), next_obs, terminated)`; if `terminated or truncated`,
# `next_obs, _ = env.reset()`; return `(next_obs, float(reward), bool(terminated or truncated))`.
#
# </details>

# %%
def step_and_store(env: gym.Env, obs: np.ndarray, action: int, buffer: ReplayBuffer) -> tuple[np.ndarray, float, bool]:
    """Step `env` with `action` from `obs` and add (obs, action, reward, next_obs, terminated) to
    `buffer`, where next_obs is the observation env.step returned and the flag is `terminated`
    alone (truncation is not termination). If the episode ended (terminated or truncated),
    reset `env` with env.reset() (no seed). Returns (the observation to act from next — the
    reset one if the episode ended —, the reward as a float, whether the episode ended)."""
    raise NotImplementedError("exercise: step_and_store")


# %%
arena_check.check("3.2", "step_and_store", step_and_store)


# %% [markdown]
# ## Part 5 · The training loop, and probe environments
#
# The loop below is given; it wires your functions together. Each step it computes ε, acts
# ε-greedily with the online network, stores the transition; once `learning_starts` transitions are
# stored, every `train_every` steps it samples a minibatch, takes one Adam step on `dqn_loss` (with
# the global gradient norm clipped at 10), and updates the target network — a hard copy every
# `target_every` updates if `tau` is 1, otherwise a Polyak update after every update. It records
# each episode's return and, every `eval_every` steps, the mean return of a few greedy evaluation
# episodes. In your kit, `train_dqn(DQNConfig())` trains with your own functions.

# %%
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


# %% [markdown]
# ### Probe environments
#
# A DQN that does not learn CartPole could be broken in a dozen places, and CartPole's learning curve
# does not say which. Probe environments (an idea popularised by
# [Andy Jones's debugging notes](https://andyljones.com/posts/rl-debugging.html)) are tiny tasks
# whose correct Q-values are known in closed form, each built so that one kind of bug gives a
# visibly wrong value:
#
# | probe | what happens | correct Q | the bug it isolates |
# |---|---|---|---|
# | `constant` | one observation (0), one action, reward +1, episode ends | Q = 1 | the loss or optimiser cannot fit even a constant; a missing terminal mask drives Q towards 1/(1 − γ) |
# | `observation` | observation ±1 at random, one action, reward = observation, episode ends | Q(±1) = ±1 | the network does not use its input (wrong batching, observations mixed up) |
# | `discount` | observation 0, then 1, reward +1 on the second step, episode ends | Q(0) = γ, Q(1) = 1 | discounting and bootstrapping: the target of step 1 must reach step 0, the last step's must not bootstrap |
# | `action` | observation ±1, two actions, reward +1 if the action matches the sign (action 1 for +1), else −1 | Q(+1) = (−1, +1), Q(−1) = (+1, −1) | credit assignment to the action taken: `q_taken` gathering the wrong column |

# %%
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

# %% [markdown]
# `PROBE_CONFIG` trains a 16-unit network for 220 steps (160 updates with plain targets, a hard
# target copy every 20) on a probe, acting at random
# (ε = 1: Q-learning learns the greedy values off-policy whatever the behaviour) with γ = 0.9. The
# cell below runs your functions on all four probes, then again with a deliberately broken
# `td_target` that forgets the terminal mask, and draws both. It takes 5–20 s.

# %% [markdown]
# With your functions every probe value is within {glue:text}`probe_worst` of the correct one.
# Without the terminal mask every target adds the discounted value of a "next state" that does not
# exist — here the same observation again — so each hard copy of the target network moves the values
# one more term along the geometric series $r(1 + \gamma + \gamma^2 + \dots)$, towards $r/(1 - \gamma)$,
# ten times the reward at γ = 0.9 (negative rewards drift just as far the other way). The same probes
# grade your `dqn_loss`: its check trains on each of them.
#
# ## Part 6 · CartPole-v1
#
# CartPole-v1 pays +1 per step while the pole is up and the cart on the track, and cuts the episode
# at 500 steps; it counts as solved at a mean return of 475. The configuration in `DQNConfig`'s
# defaults: two hidden layers of 128, Adam at 1e-3, one update on a minibatch of 128 every 2
# environment steps from step 1,000 on, a buffer of the last 50,000 transitions, γ = 0.99, ε from 1
# to 0.05 over the first 10,000 steps, Double DQN targets, the Huber loss, and a hard copy of the
# target network every 250 updates.
#
# ### A short run, live
#
# This run is short enough for the page's time budget: 6,000 environment steps (2,500 updates),
# with a greedy evaluation of 5 episodes every 1,000 steps. The cell takes 15–50 s depending on how
# busy the machine is.

# %% [markdown]
# ### A longer run, trained offline and shipped
#
# Solving CartPole takes DQN longer than the page can spend. `tools/train_dqn_cartpole.py` runs
# *this page's* `train_dqn` (imported from the reference solutions generated from it) for longer,
# with one torch thread and a fixed seed, and ships the network's weights with a `meta.json` that
# records the configuration, the seed, the number of steps, the wall time and the script's own
# evaluation. The cell below loads those weights into your `QNetwork` and **recomputes the
# evaluation here**, on the same 20 seeds as the live run.

# %% [markdown]
# **Which result is which.** The *live* run above, trained on this page for
# {glue:text}`live_steps` steps in {glue:text}`live_seconds` s, scores a greedy mean of
# {glue:text}`live_eval_mean` over 20 evaluation episodes. The *shipped* run — the same code and
# configuration, trained offline for {glue:text}`shipped_steps` steps ({glue:text}`shipped_seconds` s
# on one thread) — scores {glue:text}`shipped_eval_mean` (worst episode {glue:text}`shipped_eval_min`)
# on the same 20 episodes, evaluated on this page; CartPole-v1 counts as solved at 475. The shipped
# network is the one at the last step of its run, not a checkpoint picked for its score — but the
# run's own greedy evaluations of 5 episodes near its end ({glue:text}`shipped_swing`, recorded in
# `meta.json`) show how much a single DQN run swings: stopping a few thousand steps earlier, or
# another seed, could land in a dip. Judge an RL method on several seeds, never one run
# ([Henderson et al. 2018](https://arxiv.org/abs/1709.06560)).

# %% [markdown]
# Reading the curves: the returns stay near the random policy's ~20 while ε is high, climb once the
# network's values start to mean something, and then — typical of DQN on CartPole — wobble: a
# policy that balances for 500 steps fills the buffer with near-identical upright states, forgets
# what failure looks like, and dips before recovering. The loss is not a progress measure in RL: its
# targets move as the values grow, so it can rise while the agent improves. The greedy evaluation
# (no ε) lies above the training curve because it removes the exploration noise.
#
# What the shipped policy does, drawn from the state (cart position, pole angle) of one evaluation
# episode:

# %% [markdown]
# ## Summary
#
# - DQN fits $Q_\theta(s, a)$ by regression on one-step targets
#   $r + \gamma(1 - d)\max_{a'} Q_{\bar\theta}(s', a')$, with minibatches from an experience-replay
#   buffer and a lagging target network.
# - The target is a label: compute it without gradients, with the target network, and zero the
#   bootstrap only on *termination* — a time-limit truncation still bootstraps.
# - Double DQN selects the next action with the online network and evaluates it with the target
#   network, reducing the over-estimation of a max over noisy values.
# - The Huber loss caps each sample's gradient; Polyak averaging with a small τ moves the target
#   smoothly, a hard copy every few thousand updates does it in jumps — and τ is the weight of the
#   *online* network.
# - Debug value-based agents on probe environments with known Q-values before a real task: each
#   isolates one class of bug.
# - On CartPole DQN learns quickly but unstably; a solved policy needs more steps than this page
#   spends live, so the page evaluates a shipped longer run and says which result is which.
#
# ## Further reading
#
# - V. Mnih et al., [Human-level control through deep reinforcement
#   learning](https://www.nature.com/articles/nature14236) (Nature, 2015) — DQN: experience replay,
#   the target network, error clipping.
# - H. van Hasselt, A. Guez, D. Silver, [Deep Reinforcement Learning with Double
#   Q-learning](https://arxiv.org/abs/1509.06461) (AAAI 2016) — the over-estimation of the max and the
#   Double DQN target.
# - T. Lillicrap et al., [Continuous control with deep reinforcement
#   learning](https://arxiv.org/abs/1509.02971) (2015) — "soft" (Polyak) target updates with a small τ.
# - R. S. Sutton, A. G. Barto, [Reinforcement Learning: An Introduction](http://incompleteideas.net/book/the-book-2nd.html),
#   2nd ed. (2018), chapters 6 and 11 — Q-learning, and why bootstrapping, function approximation and
#   off-policy learning together can diverge (the "deadly triad").
# - A. Jones, [Debugging reinforcement learning systems](https://andyljones.com/posts/rl-debugging.html)
#   (2021) — probe environments and other debugging practice.
# - P. Henderson, R. Islam, P. Bachman, J. Pineau, D. Precup, D. Meger, [Deep Reinforcement Learning
#   that Matters](https://arxiv.org/abs/1709.06560) (AAAI 2018) — how much results vary across seeds
#   and implementations, and how to report them.
# - J. Obando-Ceron, P. S. Castro, [Revisiting Rainbow](https://arxiv.org/abs/2011.14826) (ICML 2021) —
#   which DQN extensions matter, measured on small environments.
