"""GENERATED from book/3_rl/3.4_ppo.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor, nn
from torch.distributions import Categorical

import arena_check
from arena_check.kit.rl import greedy_returns


def layer_init(layer: nn.Linear, std: float = math.sqrt(2), bias: float = 0.0) -> nn.Linear:
    """Set `layer.weight` to a random orthogonal matrix times `std` and every bias entry to `bias`,
    in place; return the same layer object.

    Orthogonal means: for a weight of shape (out, in), W @ W.T = std² · I when out ≤ in, and
    W.T @ W = std² · I when out > in.
    """
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, bias)
    return layer


class Agent(nn.Module):
    """Separate actor and critic MLPs with two tanh hidden layers of width `hidden`.

    Attributes (the checks read them):
    - `critic`: nn.Sequential(Linear(obs_dim, hidden), Tanh, Linear(hidden, hidden), Tanh,
      Linear(hidden, 1)); hidden layers layer_init'ed with std √2, the last with std 1.0.
    - `actor`: the same shape with `n_actions` outputs; the last layer with std 0.01.
    All biases start at 0.
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64):
        super().__init__()
        self.critic = nn.Sequential(
            layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, 1), std=1.0),
        )
        self.actor = nn.Sequential(
            layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
            layer_init(nn.Linear(hidden, n_actions), std=0.01),
        )

    def get_value(self, obs: Float[Tensor, "batch obs_dim"]) -> Float[Tensor, " batch"]:
        """V(obs), one value per row (shape (batch,), not (batch, 1))."""
        return self.critic(obs).squeeze(-1)

    def get_action_and_value(
        self, obs: Float[Tensor, "batch obs_dim"], action: Int[Tensor, " batch"] | None = None
    ) -> tuple[Int[Tensor, " batch"], Float[Tensor, " batch"], Float[Tensor, " batch"], Float[Tensor, " batch"]]:
        """(action, log π(action | obs), entropy of π(· | obs), V(obs)), each of shape (batch,).

        If `action` is None, sample one from the policy (int64); otherwise return it unchanged
        and evaluate its log-probability. Gradients flow through all outputs but the action.
        """
        dist = Categorical(logits=self.actor(obs))
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action), dist.entropy(), self.get_value(obs)


@dataclass
class Rollout:
    """T steps × N environments of experience. Row t holds the step taken from obs[t].

    values has T + 1 rows: values[T] is V of the observation after the last step, the bootstrap
    value for the unfinished episodes. valid[t] is False for the autoreset steps (see the text).
    """

    obs: Float[Tensor, "T N obs_dim"]
    actions: Int[Tensor, "T N"]
    logprobs: Float[Tensor, "T N"]
    rewards: Float[Tensor, "T N"]
    values: Float[Tensor, "T_plus_1 N"]
    terminated: Bool[Tensor, "T N"]
    truncated: Bool[Tensor, "T N"]
    valid: Bool[Tensor, "T N"]


def collect_rollout(
    envs: gym.vector.VectorEnv, agent: Agent, obs: Float[Tensor, "N obs_dim"],
    prev_done: Bool[Tensor, " N"], n_steps: int,
) -> tuple[Rollout, Float[Tensor, "N obs_dim"], Bool[Tensor, " N"]]:
    """Run `n_steps` steps of `envs` (next-step autoreset) from observation `obs`.

    `prev_done[i]` says that env i's last step ended its episode, so its next step is an
    autoreset step. Row t of the rollout holds: obs[t] (the observation the action was chosen
    from), the sampled action, its log-probability and V(obs[t]) (computed without gradients),
    the reward, the terminated/truncated flags (False on invalid rows) and valid[t] = not
    prev_done. values[n_steps] = V(final observation). Rewards are float32.
    Returns (rollout, the observation after the last step, the prev_done after the last step).
    """
    n_envs = obs.shape[0]
    shape = (n_steps, n_envs)
    obs_buf = torch.zeros(*shape, obs.shape[-1])
    actions = torch.zeros(shape, dtype=torch.long)
    logprobs = torch.zeros(shape)
    rewards = torch.zeros(shape)
    values = torch.zeros(n_steps + 1, n_envs)
    terminated = torch.zeros(shape, dtype=torch.bool)
    truncated = torch.zeros(shape, dtype=torch.bool)
    valid = torch.zeros(shape, dtype=torch.bool)
    for t in range(n_steps):
        with torch.no_grad():
            action, logprob, _, value = agent.get_action_and_value(obs)
        next_obs, reward, term, trunc, _ = envs.step(action.numpy())
        obs_buf[t], actions[t], logprobs[t], values[t] = obs, action, logprob, value
        rewards[t] = torch.as_tensor(reward, dtype=torch.float32)
        valid[t] = ~prev_done
        terminated[t] = torch.as_tensor(term) & valid[t]
        truncated[t] = torch.as_tensor(trunc) & valid[t]
        prev_done = terminated[t] | truncated[t]
        obs = torch.as_tensor(next_obs, dtype=torch.float32)
    with torch.no_grad():
        values[n_steps] = agent.get_value(obs)
    rollout = Rollout(obs_buf, actions, logprobs, rewards, values, terminated, truncated, valid)
    return rollout, obs, prev_done


def compute_gae(
    rewards: Float[Tensor, "T N"], values: Float[Tensor, "T_plus_1 N"],
    terminated: Bool[Tensor, "T N"], truncated: Bool[Tensor, "T N"],
    gamma: float = 0.99, lam: float = 0.95,
) -> Float[Tensor, "T N"]:
    """GAE(γ, λ) advantages. values[t] = V(obs[t]); values[T] is the bootstrap value.

    δ_t = r_t + γ·V(s_{t+1})·(1 − terminated_t) − V(s_t)     (truncation still bootstraps)
    A_t = δ_t + γλ·(1 − done_t)·A_{t+1},  done_t = terminated_t or truncated_t,  A_T = 0.
    Same dtype as `rewards`; the inputs are not modified.
    """
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        delta = rewards[t] + gamma * values[t + 1] * (~terminated[t]) - values[t]
        last = delta + gamma * lam * (~(terminated[t] | truncated[t])) * last
        advantages[t] = last
    return advantages


def returns_from_advantages(
    advantages: Float[Tensor, "T N"], values: Float[Tensor, "T_plus_1 N"]
) -> Float[Tensor, "T N"]:
    """The value targets (the λ-returns): advantages + values[:-1]."""
    return advantages + values[:-1]


def ppo_clip_loss(
    new_logprobs: Float[Tensor, " batch"], old_logprobs: Float[Tensor, " batch"],
    advantages: Float[Tensor, " batch"], clip_coef: float = 0.2, normalise: bool = True,
) -> Float[Tensor, ""]:
    """−mean(min(ρ·A, clip(ρ, 1 − clip_coef, 1 + clip_coef)·A)) with ρ = exp(new − old).

    If `normalise`, first replace A by (A − A.mean()) / (A.std() + 1e-8) over this minibatch
    (torch's default, unbiased std). Gradients flow to new_logprobs only.
    """
    if normalise:
        advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    ratio = (new_logprobs - old_logprobs).exp()
    unclipped = ratio * advantages
    clipped = ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages
    return -torch.min(unclipped, clipped).mean()


def value_loss(
    new_values: Float[Tensor, " batch"], old_values: Float[Tensor, " batch"],
    returns: Float[Tensor, " batch"], clip_coef: float | None = None,
) -> Float[Tensor, ""]:
    """0.5 · mean((new_values − returns)²) if clip_coef is None. Otherwise the clipped version:
    0.5 · mean(max((new − R)², (old + clip(new − old, −c, c) − R)²))."""
    err = (new_values - returns) ** 2
    if clip_coef is None:
        return 0.5 * err.mean()
    clipped = old_values + (new_values - old_values).clamp(-clip_coef, clip_coef)
    return 0.5 * torch.max(err, (clipped - returns) ** 2).mean()


def entropy_bonus(logits: Float[Tensor, "batch n_actions"]) -> Float[Tensor, ""]:
    """Mean over the batch of H(softmax(logits)) = −Σ p log p, in nats; ≥ 0.
    Finite for any finite logits, however large (use log_softmax)."""
    log_p = logits.log_softmax(dim=-1)
    return -(log_p.exp() * log_p).sum(dim=-1).mean()


def approx_kl(new_logprobs: Float[Tensor, " batch"], old_logprobs: Float[Tensor, " batch"]) -> Float[Tensor, ""]:
    """mean((ρ − 1) − log ρ) with log ρ = new − old: the k3 estimator of KL(π_old ‖ π_new)."""
    log_ratio = new_logprobs - old_logprobs
    return ((log_ratio.exp() - 1) - log_ratio).mean()


def clip_fraction(
    new_logprobs: Float[Tensor, " batch"], old_logprobs: Float[Tensor, " batch"], clip_coef: float = 0.2
) -> Float[Tensor, ""]:
    """Share (float32, in [0, 1]) of samples with |ρ − 1| > clip_coef, ρ = exp(new − old)."""
    ratio = (new_logprobs - old_logprobs).exp()
    return ((ratio - 1).abs() > clip_coef).float().mean()


def explained_variance(values: Float[Tensor, " batch"], returns: Float[Tensor, " batch"]) -> float:
    """1 − Var(returns − values) / Var(returns) as a Python float; NaN if Var(returns) is 0."""
    var_returns = returns.var()
    if var_returns == 0:
        return float("nan")
    return float(1 - (returns - values).var() / var_returns)


def minibatch_indices(batch_size: int, minibatch_size: int, generator: torch.Generator) -> list[Int[Tensor, " mb"]]:
    """One random permutation of range(batch_size), drawn with
    torch.randperm(batch_size, generator=generator), cut into consecutive chunks of
    minibatch_size (the last one shorter if it does not divide). int64 tensors."""
    return list(torch.randperm(batch_size, generator=generator).split(minibatch_size))


def linear_lr(update: int, n_updates: int, lr0: float) -> float:
    """lr0 · (1 − update / n_updates): lr0 at update 0, lr0 / n_updates at the last update."""
    return lr0 * (1 - update / n_updates)


@dataclass
class PPOConfig:
    env_id: str = "CartPole-v1"
    seed: int = 0
    n_envs: int = 16
    n_steps: int = 32
    total_steps: int = 49_152
    lr: float = 1e-3
    n_epochs: int = 4
    n_minibatches: int = 4
    clip_coef: float = 0.2
    ent_coef: float = 0.01
    vf_coef: float = 0.5
    gamma: float = 0.99
    lam: float = 0.95
    max_grad_norm: float = 0.5


@dataclass
class History:
    episodes: list[tuple[int, float]] = field(default_factory=list)  # (env steps so far, return)
    approx_kl: list[float] = field(default_factory=list)
    clip_fraction: list[float] = field(default_factory=list)
    explained_variance: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


def train_ppo(cfg: PPOConfig) -> tuple[Agent, History]:
    """Train PPO on `cfg.env_id` with the functions of this section; return the agent and logs."""
    torch.manual_seed(cfg.seed)
    envs = gym.vector.SyncVectorEnv([lambda: gym.make(cfg.env_id) for _ in range(cfg.n_envs)])
    obs_np, _ = envs.reset(seed=cfg.seed)
    obs = torch.as_tensor(obs_np, dtype=torch.float32)
    prev_done = torch.zeros(cfg.n_envs, dtype=torch.bool)
    agent = Agent(obs.shape[-1], int(envs.single_action_space.n))
    optimiser = torch.optim.Adam(agent.parameters(), lr=cfg.lr, eps=1e-5)
    gen = torch.Generator().manual_seed(cfg.seed)
    n_updates = cfg.total_steps // (cfg.n_envs * cfg.n_steps)
    hist, running = History(), torch.zeros(cfg.n_envs)
    for update in range(n_updates):
        for group in optimiser.param_groups:
            group["lr"] = linear_lr(update, n_updates, cfg.lr)
        ro, obs, prev_done = collect_rollout(envs, agent, obs, prev_done, cfg.n_steps)
        for t in range(cfg.n_steps):  # episode returns, for the learning curve
            running += ro.rewards[t] * ro.valid[t]
            for i in (ro.terminated[t] | ro.truncated[t]).nonzero().flatten().tolist():
                hist.episodes.append(((update * cfg.n_steps + t + 1) * cfg.n_envs, running[i].item()))
                running[i] = 0.0
        adv = compute_gae(ro.rewards, ro.values, ro.terminated, ro.truncated, cfg.gamma, cfg.lam)
        ret = returns_from_advantages(adv, ro.values)
        keep = ro.valid.flatten()
        b_obs, b_act = ro.obs.flatten(0, 1)[keep], ro.actions.flatten()[keep]
        b_logp, b_adv = ro.logprobs.flatten()[keep], adv.flatten()[keep]
        b_ret, b_val = ret.flatten()[keep], ro.values[:-1].flatten()[keep]
        kls, fracs = [], []
        for _ in range(cfg.n_epochs):
            for idx in minibatch_indices(len(b_obs), math.ceil(len(b_obs) / cfg.n_minibatches), gen):
                _, new_logp, ent, new_val = agent.get_action_and_value(b_obs[idx], b_act[idx])
                loss = (ppo_clip_loss(new_logp, b_logp[idx], b_adv[idx], cfg.clip_coef)
                        + cfg.vf_coef * value_loss(new_val, b_val[idx], b_ret[idx])
                        - cfg.ent_coef * ent.mean())
                optimiser.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), cfg.max_grad_norm)
                optimiser.step()
                kls.append(approx_kl(new_logp.detach(), b_logp[idx]).item())
                fracs.append(clip_fraction(new_logp.detach(), b_logp[idx], cfg.clip_coef).item())
        hist.approx_kl.append(float(np.mean(kls)))
        hist.clip_fraction.append(float(np.mean(fracs)))
        hist.explained_variance.append(explained_variance(b_val, b_ret))
        hist.lr.append(optimiser.param_groups[0]["lr"])
    envs.close()
    return agent, hist


def evaluate(agent: Agent, env_id: str, n_episodes: int = 20, seed: int = 10_000, env: gym.Env | None = None) -> list[float]:
    """Returns of `n_episodes` greedy episodes (argmax of the logits), reset with seeds seed, seed + 1, …"""

    def act(obs: np.ndarray) -> int:
        with torch.no_grad():
            return int(agent.actor(torch.as_tensor(obs, dtype=torch.float32)).argmax())

    return greedy_returns(act, env_id, n_episodes, seed, env=env)


class EnergyShaping(gym.Wrapper):
    """MountainCar with the potential-based bonus γΦ(s') − Φ(s), Φ = scale × mechanical energy.

    Φ of a terminal state is 0, so the bonus over a whole episode telescopes to −Φ(s_0) plus
    discounting terms: it cannot be farmed.
    """

    def __init__(self, env: gym.Env, gamma: float = 0.99, scale: float = 1e5):
        super().__init__(env)
        self.gamma, self.scale, self.last = gamma, scale, 0.0

    def potential(self, obs: np.ndarray) -> float:
        x, v = float(obs[0]), float(obs[1])
        return self.scale * (0.5 * v * v + 0.0025 * math.sin(3 * x) / 3)

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self.last = self.potential(obs)
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        phi = 0.0 if terminated else self.potential(obs)
        shaped = float(reward) + self.gamma * phi - self.last
        self.last = phi
        return obs, shaped, terminated, truncated, info


if "ShapedMountainCar-v0" not in gym.registry:
    gym.register("ShapedMountainCar-v0", entry_point=lambda **kwargs: EnergyShaping(gym.make("MountainCar-v0")))
