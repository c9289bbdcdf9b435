# %% [markdown]
# *GENERATED from book/3_rl/3.3_policy_gradients.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 3.3 <this file>*

# %% [markdown]
# # 3.3 Policy gradients
#
# Value-based methods learn how good each action is and act greedily on that estimate. A
# policy gradient method skips the detour: it parameterises the policy itself — a network
# that maps an observation to a distribution over actions — and climbs the gradient of the expected
# return. The idea underlies everything from REINFORCE (Williams, 1992) to PPO and the RLHF
# loop that fine-tunes language models, so its failure modes are worth knowing by heart. They are
# quiet ones: a flipped sign, a reward counted from the wrong step or a baseline that leaks
# gradient into the wrong network all give code that runs, whose loss moves, and whose policy never
# improves.
#
# **You will be able to**
#
# - compute discounted returns and the reward-to-go of every step of an episode;
# - write a policy network that returns a `torch.distributions.Categorical`, and sample episodes
#   from a gymnasium environment reproducibly, stopping at both *terminated* and *truncated*;
# - write the REINFORCE loss whose gradient is the policy-gradient estimate, with the right sign and
#   the right normalisation, and a value network used as a baseline;
# - measure the variance of the gradient estimator and show that reward-to-go and a baseline cut it
#   without biasing it;
# - train a CartPole-v1 policy with REINFORCE and a learned baseline, and watch it balance.
#
# **Prerequisites.** Section 0.1 (`nn.Module`, `nn.Sequential`, optimisers and a training loop).
# The vocabulary of episodes, rewards and policies is introduced here as needed; sections 3.1–3.2
# treat it in depth.
#
# **Time.** About 2½ hours: 12 exercises, then an experiment and a training run you read rather
# than write.
#
# ## Setup

# %%
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


# %% [markdown]
# ## Part 1 · Returns
#
# An agent acts for $T$ steps and receives rewards $r_0, r_1, \dots, r_{T-1}$; $r_t$ is the reward
# for the action taken at step $t$. The discounted return of the episode is
#
# $$G = \sum_{t=0}^{T-1} \gamma^{t} r_t, \qquad 0 \le \gamma \le 1 .$$
#
# The policy-gradient estimator below weighs the log-probability of each action by a number that
# says how good that action turned out to be. The whole return $G$ is one choice, but an action
# cannot influence rewards that came *before* it, so a better weight is the **reward-to-go**
#
# $$G_t = \sum_{k=t}^{T-1} \gamma^{\,k-t} r_k = r_t + \gamma\, G_{t+1},$$
#
# which starts at the current step (it includes $r_t$, the reward of the action at step $t$) and
# discounts from that step, not from the start of the episode.
#
# ### Exercise 1 · `discounted_return`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Compute the discounted return of a whole episode.
#
# Everything else in this section builds on it, and the "total return" estimator of Part 3 weighs
# every step by this single number.
#
# <details><summary>Hint</summary>
#
# `gamma ** torch.arange(T)` is the vector of discounts; multiply and sum.
#
# </details>

# %%
def discounted_return(rewards: Float[Tensor, " T"], gamma: float = 0.99) -> Float[Tensor, ""]:
    """G = sum_t gamma**t * rewards[t], a 0-dim tensor of the rewards' dtype.

    The first reward is not discounted (gamma**0 = 1). An empty episode has return 0.
    """
    raise NotImplementedError("exercise: discounted_return")


# %%
arena_check.check("3.3", "discounted_return", discounted_return)


# %% [markdown]
# ### Exercise 2 · `reward_to_go`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Return the discounted reward-to-go $G_t$ of every step.
#
# This is the weight REINFORCE puts on each action. The two classic bugs — starting the sum one
# step late (leaving out $r_t$) and discounting by $\gamma^k$ from the start of the episode instead
# of $\gamma^{k-t}$ from the current step — both give a plausible vector that trains worse.
#
# <details><summary>Hint 1</summary>
#
# Go backwards: $G_{T-1} = r_{T-1}$ and $G_t = r_t + \gamma G_{t+1}$.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Write into a new tensor (`torch.zeros_like(rewards)`), never into `rewards` itself. A Python loop
# over $T$ is fine here.
#
# </details>

# %%
def reward_to_go(rewards: Float[Tensor, " T"], gamma: float = 0.99) -> Float[Tensor, " T"]:
    """out[t] = sum_{k >= t} gamma**(k - t) * rewards[k]; same shape and dtype as rewards.

    out[t] includes rewards[t] itself, undiscounted. out[0] is the episode's discounted return.
    `rewards` is not modified.
    """
    raise NotImplementedError("exercise: reward_to_go")


# %%
arena_check.check("3.3", "reward_to_go", reward_to_go)


# %% [markdown]
# ### Exercise 3 · `normalise_advantages`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Shift and scale a batch of weights to mean 0 and standard deviation 1.
#
# Standardising the per-step weights across a batch keeps the step size of the policy update
# roughly constant as returns grow from 10 to 500 during training. We use the **population**
# standard deviation (divide by $n$, `unbiased=False`), which is defined for a single element, and
# normalise over *all* timesteps of the batch at once (the input is one flat vector).
#
# <details><summary>Hint</summary>
#
# `x.std(unbiased=False)` or `x.std(correction=0)`; add `eps` to the standard deviation, not to the
# variance.
#
# </details>

# %%
def normalise_advantages(advantages: Float[Tensor, " n"], eps: float = 1e-8) -> Float[Tensor, " n"]:
    """(advantages - mean) / (population std + eps), over all n entries.

    Population std divides by n, not n - 1. A single entry (or n equal entries) gives zeros.
    The input is not modified.
    """
    raise NotImplementedError("exercise: normalise_advantages")


# %%
arena_check.check("3.3", "normalise_advantages", normalise_advantages)


# %% [markdown]
# ## Part 2 · A policy, episodes and the REINFORCE loss
#
# A stochastic policy $\pi_\theta(a \mid s)$ is a network that maps an observation to a
# distribution over actions. For discrete actions the network outputs one logit per action
# and `torch.distributions.Categorical(logits=...)` turns them into a distribution with `.sample()`,
# `.log_prob(a)` and `.probs`. Returning a distribution object, rather than raw logits, makes the
# training code say what it means: `policy(obs).log_prob(actions)`.
#
# ### Exercise 4 · `Policy`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write a two-layer policy network that returns a `Categorical` over actions.
#
# Every later exercise calls it, and the checks copy weights into it by name, so keep the layout
# the docstring gives.
#
# <details><summary>Hint</summary>
#
# `self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))`,
# and `forward` returns `Categorical(logits=self.net(obs))`. Pass *logits*, not `probs=`: the
# network's outputs are unnormalised scores.
#
# </details>

# %%
class Policy(nn.Module):
    """pi(a | s): Linear(obs_dim, hidden) -> Tanh -> Linear(hidden, n_actions), stored as
    `self.net` (an nn.Sequential with exactly these three modules).

    forward(obs) takes one observation (obs_dim,) or a batch (batch, obs_dim) and returns
    Categorical(logits=...) over the last axis, with batch shape () or (batch,).
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64):
        raise NotImplementedError("exercise: Policy.__init__")

    def forward(self, obs: Float[Tensor, "*batch obs_dim"]) -> Categorical:
        raise NotImplementedError("exercise: Policy.forward")


# %%
arena_check.check("3.3", "Policy", Policy)


# %% [markdown]
# ### Exercise 5 · `ValueNet`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Write the value network $V_\phi(s)$, the baseline of Part 3, with one output squeezed away.
#
# A value network that returns shape `(batch, 1)` instead of `(batch,)` is the commonest silent
# bug in this section: subtracting it from returns of shape `(batch,)` broadcasts to a
# `(batch, batch)` matrix, and the mean of that matrix is a loss that trains nothing useful.
#
# <details><summary>Hint</summary>
#
# `self.net(obs).squeeze(-1)` — squeeze only the last axis, so that a batch of one stays a batch.
#
# </details>

# %%
class ValueNet(nn.Module):
    """V(s): Linear(obs_dim, hidden) -> Tanh -> Linear(hidden, 1), stored as `self.net`.

    forward(obs) maps (batch, obs_dim) to (batch,) and (obs_dim,) to a 0-dim tensor: only the
    final size-1 axis is removed.
    """

    def __init__(self, obs_dim: int, hidden: int = 64):
        raise NotImplementedError("exercise: ValueNet.__init__")

    def forward(self, obs: Float[Tensor, "*batch obs_dim"]) -> Float[Tensor, "*batch"]:
        raise NotImplementedError("exercise: ValueNet.forward")


# %%
arena_check.check("3.3", "ValueNet", ValueNet)


# %% [markdown]
# A gymnasium episode ends in one of two ways. `terminated` means the task itself ended (the pole
# fell); `truncated` means a time limit cut it short (CartPole-v1 stops at 500 steps). A rollout
# must stop at *either*: stepping an environment after it has ended is undefined, and with vector
# environments it silently starts a new episode whose first transition is glued onto the old one.
# (The distinction matters again for bootstrapped value targets in 3.4; for Monte-Carlo returns we
# only need to stop.)
#
# ### Exercise 6 · `sample_episode`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Run one episode of `policy` in `env`, reproducibly, and return what happened.
#
# Reproducible sampling is what makes the variance experiment of Part 3 and the checks possible:
# the environment is seeded through `reset(seed=...)` and the actions through a
# `torch.Generator`, so the same seeds give the same episode.
#
# <details><summary>Hint 1</summary>
#
# Keep the observation you acted on, not the one `step` returns: `observations[t]` and `actions[t]`
# belong together. Convert each observation with `torch.as_tensor(obs, dtype=torch.float32)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `Categorical.sample()` takes no generator, so sample with
# `torch.multinomial(dist.probs, 1, generator=generator).item()`. Loop until
# `terminated or truncated`.
#
# </details>

# %%
def sample_episode(env: Any, policy: nn.Module, generator: torch.Generator, seed: int | None = None) -> Episode:
    """One episode: reset with env.reset(seed=seed), then step until terminated OR truncated.

    At each step the observation becomes a float32 tensor of shape (obs_dim,), the policy is
    called on it (no gradients needed) and one action is drawn with
    torch.multinomial(dist.probs, 1, generator=generator) — exactly one draw per step, so
    the same generator state gives the same actions. Returns an Episode of float32
    observations (T, obs_dim), int64 actions (T,) and float32 rewards (T,).
    """
    raise NotImplementedError("exercise: sample_episode")


# %%
arena_check.check("3.3", "sample_episode", sample_episode)


# %% [markdown]
# ### The policy-gradient theorem
#
# We want to climb $J(\theta) = \mathbb{E}_{\tau \sim \pi_\theta}[G(\tau)]$, the expected return of
# episodes $\tau$ drawn by running the policy. The reward function and the environment's dynamics
# are not differentiable (we cannot even see them), but the *probability of an episode* is, through
# the policy. The log-derivative trick, $\nabla_\theta p = p \, \nabla_\theta \log p$, gives
#
# $$\nabla_\theta J = \mathbb{E}_\tau\Big[\sum_{t} \nabla_\theta \log \pi_\theta(a_t \mid s_t)\, G(\tau)\Big]
# = \mathbb{E}_\tau\Big[\sum_{t} \nabla_\theta \log \pi_\theta(a_t \mid s_t)\, \big(G_t - b(s_t)\big)\Big],$$
#
# where the dynamics' terms dropped out of $\nabla_\theta \log p(\tau)$ because they do not depend on
# $\theta$ ([Williams, 1992](https://doi.org/10.1007/BF00992696); [Sutton et al.,
# 1999](https://proceedings.neurips.cc/paper/1999/hash/464d828b85b0bed98e80ade0a5c43b0f-Abstract.html)).
# The second form holds because the rewards before step $t$ are independent of $a_t$ given the past
# (their product with the score has mean zero), and because any baseline $b(s_t)$ that does not
# depend on $a_t$ has $\mathbb{E}_{a_t}[\nabla \log \pi(a_t \mid s_t)]\, b(s_t) = 0$. Both changes
# leave the expectation alone (exactly so for $\gamma = 1$; Part 3 says what discounting changes)
# and only change the variance. Their difference, the
# advantage $G_t - b(s_t)$, says whether the action did better or worse than usual from
# that state.
#
# An estimate from $N$ sampled episodes is the gradient of a surrogate **loss** that autograd can
# differentiate:
#
# $$L(\theta) = -\frac{1}{N} \sum_{i=1}^{N} \sum_{t} \log \pi_\theta(a^i_t \mid s^i_t)\, w^i_t .$$
#
# Three conventions here, each a bug when forgotten. The minus sign: optimisers *descend*, and we
# want to *ascend* $J$. The weights $w_t$ are constants: no gradient may flow through them. And the
# normalisation is a mean over **episodes** (divide by $N$) with a sum over the timesteps inside
# each episode, which is what the theorem's expectation says; dividing by the total number of
# timesteps instead rescales the gradient by a random factor.
#
# ### Exercise 7 · `reinforce_loss`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Write the surrogate loss $L(\theta)$ whose gradient is minus the policy-gradient estimate.
#
# This one line is REINFORCE. Its value means nothing (it is not the return, and it can go up
# while the policy improves); only its gradient does.
#
# <details><summary>Hint 1</summary>
#
# `policy(observations).log_prob(actions)` gives $\log \pi(a_t \mid s_t)$ of the actions that were
# actually taken, shape `(total_T,)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `-(log_probs * weights.detach()).sum() / n_episodes`.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: reinforce_loss")


# %%
arena_check.check("3.3", "reinforce_loss", reinforce_loss)


# %% [markdown]
# ### Exercise 8 · `baseline_loss`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Write the value network's regression loss: the mean squared error between $V_\phi(s_t)$ and the
# reward-to-go $G_t$.
#
# The best constant-in-action baseline is close to the state's expected return, which is what
# this regression estimates. It is an ordinary supervised loss, averaged over timesteps.
#
# <details><summary>Hint</summary>
#
# Check the shapes: `value_net(observations)` should be `(total_T,)`, like `returns`. Use a plain
# mean of squared errors, without a factor of ½.
#
# </details>

# %%
def baseline_loss(
    value_net: nn.Module,
    observations: Float[Tensor, "total_T obs_dim"],
    returns: Float[Tensor, " total_T"],
) -> Float[Tensor, ""]:
    """mean_t (value_net(observations)[t] - returns[t])**2, over all total_T steps (no 1/2).

    The targets are constants: no gradient flows into `returns`.
    """
    raise NotImplementedError("exercise: baseline_loss")


# %%
arena_check.check("3.3", "baseline_loss", baseline_loss)


# %% [markdown]
# ### Exercise 9 · `advantages`
#
# > difficulty 1/5 · importance 5/5 · 5 min
#
# Compute the advantages $G_t - V_\phi(s_t)$ as constants.
#
# If the baseline is not detached, the policy loss's gradient also flows into the value network,
# pushing $V_\phi$ to whatever makes the *policy* loss small rather than towards the returns. The
# code runs, the value loss looks fine for a while, and the baseline stops being a baseline.
#
# <details><summary>Hint</summary>
#
# Compute the values under `torch.no_grad()`, or call `.detach()` on them.
#
# </details>

# %%
def advantages(
    value_net: nn.Module,
    observations: Float[Tensor, "total_T obs_dim"],
    returns: Float[Tensor, " total_T"],
) -> Float[Tensor, " total_T"]:
    """returns - value_net(observations), detached: the result does not require grad, so no
    gradient can reach the value network through it. Not normalised."""
    raise NotImplementedError("exercise: advantages")


# %%
arena_check.check("3.3", "advantages", advantages)


# %% [markdown]
# ## Part 3 · How much variance does each trick remove?
#
# The policy-gradient theorem gives three unbiased estimators of the same gradient, weighting each
# $\nabla \log \pi(a_t \mid s_t)$ by (a) the total return $G$, (b) the reward-to-go $G_t$, or (c)
# the reward-to-go minus a learned baseline, $G_t - V_\phi(s_t)$. Unbiased is not the same as
# useful: an estimator whose variance is large needs many more episodes per step for the same
# progress. Here we measure it. The variance of a vector-valued estimator $\hat g$ is the
# **trace of its covariance**, $\mathbb{E}\,\|\hat g - \mathbb{E}\hat g\|^2$, the sum of the
# variances of its coordinates.
#
# ### Exercise 10 · `policy_gradient_estimate`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Return the policy-gradient estimate of one batch as a single flat vector.
#
# Flattening all parameters' gradients into one vector lets us treat an estimate as a point in
# $\mathbb{R}^{n}$ and compute its variance across batches.
#
# <details><summary>Hint 1</summary>
#
# `torch.autograd.grad(loss, list(policy.parameters()))` returns the gradients without touching
# `.grad`; `torch.cat([g.flatten() for g in grads])` flattens them.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The *ascent* direction is minus the gradient of `reinforce_loss`.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: policy_gradient_estimate")


# %%
arena_check.check("3.3", "policy_gradient_estimate", policy_gradient_estimate)


# %% [markdown]
# ### Exercise 11 · `estimator_variance`
#
# > difficulty 2/5 · importance 4/5 · 5 min
#
# Given one gradient estimate per batch (one per row), return the trace of their sample covariance.
#
# This is the number the bar chart below compares, so it has to be the total variance across
# parameters, not the variance of one coordinate or across parameters within a batch.
#
# <details><summary>Hint</summary>
#
# `((grads - grads.mean(0)) ** 2).sum() / (n_batches - 1)` — the sample (unbiased, $n-1$)
# estimate of $\mathbb{E}\,\|\hat g - \bar g\|^2$.
#
# </details>

# %%
def estimator_variance(grads: Float[Tensor, "n_batches n_params"]) -> Float[Tensor, ""]:
    """Trace of the sample covariance of the rows: sum over parameters of the unbiased (n - 1)
    variance across batches. Needs n_batches >= 2."""
    raise NotImplementedError("exercise: estimator_variance")


# %%
arena_check.check("3.3", "estimator_variance", estimator_variance)


# %% [markdown]
# ## Part 4 · Training on CartPole
#
# ### Exercise 12 · `train_step`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Do one update of both networks from a batch of episodes.
#
# This ties the section together, and it is where the detach, sign and shape bugs meet: the
# checks compare your parameters after one step with the reference's.
#
# <details><summary>Hint 1</summary>
#
# Per episode, `reward_to_go(e.rewards, gamma)`; concatenate the returns, observations and actions
# of all episodes. Advantages come from the value network *before* its update.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Zero both optimisers' gradients first — the caller may have left gradients in `.grad`. Then
# `reinforce_loss(..., normalise_advantages(adv), len(episodes))`, backward, step; and
# `baseline_loss` on the reward-to-go, backward, step.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: train_step")


# %%
arena_check.check("3.3", "train_step", train_step)

# %% [markdown]
# ## Summary
#
# - The policy gradient is $\mathbb{E}[\sum_t \nabla \log \pi(a_t \mid s_t)\, w_t]$; autograd
#   computes it as the gradient of the surrogate loss $-\frac{1}{N}\sum_{i,t} \log \pi \cdot w$,
#   with a minus sign (optimisers descend), constant weights, and a mean over episodes.
# - Reward-to-go counts only the rewards from the current step on, discounted from that step.
#   Subtracting a state-dependent baseline gives the advantage. Neither changes the expected
#   gradient; both cut its variance, here by a large factor.
# - The baseline is a regression target's fit: detach it when it weighs the policy's
#   log-probabilities, or the policy loss trains the value network.
# - Episodes end at `terminated` *or* `truncated`; observations and actions must stay aligned.
# - REINFORCE learns CartPole within 140 episodes on a CPU here, but its updates are noisy and
#   unbounded; the next section's PPO constrains them.
#
# ## Further reading
#
# - Ronald J. Williams, [Simple statistical gradient-following algorithms for connectionist
#   reinforcement learning](https://doi.org/10.1007/BF00992696), Machine Learning 8, 1992 — REINFORCE,
#   including baselines ("reinforcement comparison").
# - Richard S. Sutton, David McAllester, Satinder Singh and Yishay Mansour, [Policy gradient methods
#   for reinforcement learning with function
#   approximation](https://proceedings.neurips.cc/paper/1999/hash/464d828b85b0bed98e80ade0a5c43b0f-Abstract.html),
#   NeurIPS 1999 — the policy-gradient theorem.
# - Evan Greensmith, Peter L. Bartlett and Jonathan Baxter, [Variance reduction techniques for
#   gradient estimates in reinforcement learning](https://jmlr.org/papers/v5/greensmith04a.html),
#   JMLR 5, 2004 — baselines and their optimal choice.
# - John Schulman, Philipp Moritz, Sergey Levine, Michael Jordan and Pieter Abbeel,
#   [High-dimensional continuous control using generalized advantage
#   estimation](https://arxiv.org/abs/1506.02438), 2015 — GAE, the bias–variance dial between
#   Monte-Carlo reward-to-go and bootstrapped values.
# - Richard S. Sutton and Andrew G. Barto, [Reinforcement Learning: An
#   Introduction](http://incompleteideas.net/book/the-book-2nd.html), 2nd ed., 2018 — chapter 13,
#   policy-gradient methods.
