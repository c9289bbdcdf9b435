# %% [markdown]
# *GENERATED from book/3_rl/3.1_rl_fundamentals.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 3.1 RL fundamentals
#
# Every algorithm in this chapter — DQN, policy gradients, PPO, the RLHF loop that fine-tunes a
# language model — is an approximation of a handful of exact ideas that fit in a table. An agent
# must trade trying things against using what it knows (exploration); the value of a state
# satisfies a recursive equation (the Bellman equation); a policy improves by acting
# greedily with respect to its own values; and the same updates can be run from sampled
# experience instead of a known model (temporal-difference learning). This section builds
# each of these with NumPy, small enough that every answer can be checked exactly against linear
# algebra, following Sutton & Barto's textbook.
#
# **You will be able to**
#
# - write a multi-armed bandit as a `gymnasium.Env`, and compare ε-greedy, UCB and
#   optimistic initial values by their regret;
# - state a Markov decision process as tensors `P[s, a, s']`, `R[s, a, s']` and a terminal
#   mask, and evaluate a policy both by iterating the Bellman equation and by one linear solve;
# - find an optimal policy by policy iteration and value iteration, on your own
#   gridworld and on gymnasium's FrozenLake and Taxi;
# - learn the same optimum from experience alone with tabular Q-learning, and see how
#   SARSA differs (on-policy against off-policy).
#
# **Prerequisites.** Section 0.0 (array shapes and broadcasting; here the arrays are NumPy's, with
# the same rules). Expected values and a little linear algebra (solving $Ax = b$).
#
# **Time.** About 3 hours: 12 exercises. The page runs in about 15 s on a quiet 2-core CPU (about a minute on a busy one); the longest cell, training
# Q-learning on Taxi, takes 5–15 s.
#
# ## Setup
#
# The `export` cell holds what every exercise shares: two small base classes that store
# constructor arguments (so that the exercises are only the methods that matter), a converter from
# gymnasium's toy-text transition tables to arrays, and a rollout helper.

# %%
import gymnasium as gym
import numpy as np
from gymnasium import spaces
from jaxtyping import Bool, Float, Int

import arena_check


class BanditEnvBase(gym.Env):
    """A k-armed bandit's fixed parts: one dummy observation (0) and k discrete actions.

    Subclasses define `reset` (draw the arms' means) and `step` (pay a reward)."""

    def __init__(self, n_arms: int = 10, reward_std: float = 1.0):
        self.n_arms = n_arms
        self.reward_std = reward_std
        self.action_space = spaces.Discrete(n_arms)
        self.observation_space = spaces.Discrete(1)
        self.means = np.zeros(n_arms)


class BanditAgent:
    """What every bandit agent stores: value estimates `q` (starting at `initial_value`), pull
    counts, the number of updates so far `t`, its RNG and its hyperparameters.

    `step_size=None` means sample averages (step 1/n for the n-th reward of an arm); a float means
    a constant step size. `epsilon` is used by ε-greedy, `c` by UCB."""

    def __init__(
        self,
        n_arms: int,
        rng: np.random.Generator,
        *,
        epsilon: float = 0.1,
        c: float = 2.0,
        initial_value: float = 0.0,
        step_size: float | None = None,
    ):
        self.n_arms = n_arms
        self.rng = rng
        self.epsilon = epsilon
        self.c = c
        self.step_size = step_size
        self.q = np.full(n_arms, float(initial_value))
        self.counts = np.zeros(n_arms, dtype=np.int64)
        self.t = 0


def tables_from_gym(env: gym.Env) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`P[s, a, s']`, `R[s, a, s']` and `terminal[s']` from a toy-text env's `unwrapped.P`.

    gymnasium lists, for each state and action, tuples (prob, next_state, reward, done). A
    transition with done=True ends the episode, so its next state is marked terminal: its value
    is 0 and is never bootstrapped from (in Taxi the table continues past such states, but an
    episode never does)."""
    table = env.unwrapped.P
    n_s, n_a = len(table), len(table[0])
    P = np.zeros((n_s, n_a, n_s))
    R = np.zeros((n_s, n_a, n_s))
    terminal = np.zeros(n_s, dtype=bool)
    for s in range(n_s):
        for a in range(n_a):
            for prob, s2, reward, done in table[s][a]:
                P[s, a, s2] += prob
                R[s, a, s2] = reward
                terminal[s2] |= bool(done)
    return P, R, terminal


def rollout_returns(env: gym.Env, actions: np.ndarray, seeds: list[int], max_steps: int = 200) -> np.ndarray:
    """Undiscounted return of the deterministic policy `actions[s]` from each seeded start state."""
    returns = []
    for seed in seeds:
        s, _ = env.reset(seed=seed)
        total = 0.0
        for _ in range(max_steps):
            s, r, terminated, truncated, _ = env.step(int(actions[s]))
            total += r
            if terminated or truncated:
                break
        returns.append(total)
    return np.array(returns)


# %% [markdown]
# ## Part 1 · Multi-armed bandits
#
# A multi-armed bandit is reinforcement learning with one state: at each step you pull one of
# $k$ arms and receive a noisy reward whose mean $q_*(a)$ you do not know. Pulling the arm that
# looks best so far *exploits*; pulling another to learn about it *explores*. The price of not
# knowing is measured by regret: the sum over steps of $\max_a q_*(a) - q_*(A_t)$, what you
# lost in expectation against always pulling the best arm (Sutton & Barto, ch. 2).
#
# gymnasium's interface is the one every later section uses: `reset(seed=…)` returns
# `(observation, info)` and `step(action)` returns `(observation, reward, terminated, truncated,
# info)`. `self.np_random` is the environment's own generator, seeded by `super().reset(seed=seed)`,
# so that a seed fixes the whole run.
#
# ### Exercise 1 · `GaussianBandit`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Write `reset` and `step` of a bandit whose arms pay Gaussian rewards around means drawn at reset.
#
# Why it matters: every experiment in this chapter is "make an env, reset it with a seed, step it";
# writing one yourself shows what the seeding contract is and where the randomness comes from.
#
# <details><summary>Hint 1</summary>
#
# `super().reset(seed=seed)` (re)creates `self.np_random` from the seed; draw from it, never from
# `np.random`, or the seed controls nothing.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `self.np_random.normal(loc, scale, size=…)` draws the means; a single reward is
# `float(self.np_random.normal(self.means[action], self.reward_std))`. Check the action with
# `self.action_space.contains(action)` — a negative index would otherwise silently pull another arm.
#
# </details>

# %%
class GaussianBandit(BanditEnvBase):
    """k arms with means drawn N(0, 1) at reset, rewards N(means[a], reward_std²)."""

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        """Seed `self.np_random` (via `super().reset(seed=seed)`), then set
        `self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)` (one draw of that size).
        Return `(0, {"means": a copy of self.means})`."""
        super().reset(seed=seed)
        self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)
        return 0, {"means": self.means.copy()}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        """Pay `float(self.np_random.normal(self.means[action], self.reward_std))` (one draw).

        Returns `(0, reward, False, False, {"regret": max(means) - means[action]})`: a bandit
        never terminates or truncates. An action outside 0..n_arms-1 raises ValueError."""
        if not self.action_space.contains(action):
            raise ValueError(f"action {action!r} is not in 0..{self.n_arms - 1}")
        reward = float(self.np_random.normal(self.means[action], self.reward_std))
        regret = float(self.means.max() - self.means[action])
        return 0, reward, False, False, {"regret": regret}


# %%
arena_check.check("3.1", "GaussianBandit", GaussianBandit)


# %% [markdown]
# ### Exercise 2 · `epsilon_greedy_action`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Pick a random action with probability ε and the greedy one otherwise, consuming the generator in
# a fixed way.
#
# Why it matters: this exact rule picks actions in the bandit agents below, in Q-learning and
# SARSA here and in DQN later. Two conventions are easy to get silently wrong, so the docstring
# fixes them: the random action is uniform over **all** actions (the greedy one included, so the
# greedy action has probability $1 - \varepsilon + \varepsilon / k$), and ties go to the **lowest
# index**.
#
# <details><summary>Hint</summary>
#
# `u = rng.random()` first, always — even when ε is 0, so that the number of draws never depends on
# ε. Then `int(rng.integers(len(q)))` or `int(np.argmax(q))` (`np.argmax` returns the first
# maximum).
#
# </details>

# %%
def epsilon_greedy_action(q: Float[np.ndarray, " n_actions"], epsilon: float, rng: np.random.Generator) -> int:
    """Draw `u = rng.random()` exactly once. If `u < epsilon`, return `int(rng.integers(len(q)))`
    (uniform over all actions, the greedy one included); otherwise return the greedy action, the
    lowest index among ties (`np.argmax`). Returns a Python int; does not modify `q`."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q)))
    return int(np.argmax(q))


# %%
arena_check.check("3.1", "epsilon_greedy_action", epsilon_greedy_action)


# %% [markdown]
# ### Exercise 3 · `EpsilonGreedy`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# An agent that acts ε-greedily on its estimates and updates them with either sample averages or a
# constant step size.
#
# Why it matters: the update $Q \leftarrow Q + \alpha\,(r - Q)$ is the template of every value
# update in RL. With $\alpha = 1/n$ it is exactly the mean of the rewards seen, and the initial
# value is forgotten after the first pull; with a constant $\alpha$ it is an exponentially weighted
# average that keeps tracking a changing target and remembers its start only as $(1-\alpha)^n$ —
# which is what makes **optimistic initial values** (start every $Q$ high, so that each arm
# disappoints and the agent moves on) a form of exploration (Sutton & Barto, §2.6).
#
# <details><summary>Hint</summary>
#
# `act` is one call of `epsilon_greedy_action` with the agent's own `q`, `epsilon` and `rng`.
# `update` increments `self.t` and `self.counts[action]` first, then uses step
# `1 / self.counts[action]` if `self.step_size is None`, else `self.step_size`.
#
# </details>

# %%
class EpsilonGreedy(BanditAgent):
    """ε-greedy on value estimates; sample averages or a constant step size (see BanditAgent)."""

    def act(self) -> int:
        """`epsilon_greedy_action(self.q, self.epsilon, self.rng)`: the conventions of Exercise 2."""
        return epsilon_greedy_action(self.q, self.epsilon, self.rng)

    def update(self, action: int, reward: float) -> None:
        """Add one to `self.t` and `self.counts[action]`, then move `self.q[action]` towards
        `reward` by the step size: `1 / self.counts[action]` (the new count) when
        `self.step_size is None`, else `self.step_size`. Other arms are unchanged."""
        self.t += 1
        self.counts[action] += 1
        alpha = 1.0 / self.counts[action] if self.step_size is None else self.step_size
        self.q[action] += alpha * (reward - self.q[action])


# %%
arena_check.check("3.1", "EpsilonGreedy", EpsilonGreedy)


# %% [markdown]
# ### Exercise 4 · `UCB`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Act by the upper confidence bound $Q(a) + c\sqrt{\ln t / N(a)}$, trying every arm once first.
#
# Why it matters: instead of exploring blindly, UCB explores the arms whose estimates are still
# uncertain, and its regret grows only logarithmically in the number of steps (Auer, Cesa-Bianchi &
# Fischer, 2002, "UCB1", which is $c = \sqrt 2$). The untried arms are where implementations go
# wrong: $N(a) = 0$ divides by zero and $t = 0$ takes $\log 0$. NumPy only warns and returns `inf`
# or `nan`, which can pick the right arm by accident; the check turns those warnings into errors.
#
# <details><summary>Hint 1</summary>
#
# `np.flatnonzero(self.counts == 0)` lists the untried arms; if there are any, return the first.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Otherwise every count is ≥ 1 and `self.t` ≥ `n_arms` ≥ 1, so
# `self.q + self.c * np.sqrt(np.log(self.t) / self.counts)` is safe; return its `np.argmax`.
#
# </details>

# %%
class UCB(EpsilonGreedy):
    """UCB1-style action selection; `update` is EpsilonGreedy's."""

    def act(self) -> int:
        """If some arm has `counts == 0`, return the lowest such index. Otherwise return the argmax
        (lowest index among ties) of `q + c * sqrt(ln(t) / counts)`, with `t = self.t` the number of
        updates so far. Never divides by zero or takes log(0) (NumPy warnings count as errors).
        Uses no randomness."""
        untried = np.flatnonzero(self.counts == 0)
        if len(untried) > 0:
            return int(untried[0])
        bonus = self.c * np.sqrt(np.log(self.t) / self.counts)
        return int(np.argmax(self.q + bonus))


# %%
arena_check.check("3.1", "UCB", UCB)


# %% [markdown]
# Now run the strategies on the same 20 seeded bandits (1,000 steps each; about 3–6 s):
# ε-greedy with ε = 0.1 and sample averages, a greedy agent (ε = 0) with optimistic initial values
# 5 and step 0.1, UCB with c = 2, and as a baseline a greedy agent with no exploration at all.

# %% [markdown]
# ## Part 2 · Markov decision processes and policy evaluation
#
# A finite Markov decision process has states, actions, a transition probability
# $P(s' \mid s, a)$ and a reward $R(s, a, s')$ for each transition. Here they are arrays
# `P[s, a, s']` (each `P[s, a]` sums to 1) and `R[s, a, s']`, plus a boolean mask `terminal[s']`:
# entering a terminal state ends the episode, so its value is 0 and is never bootstrapped from.
# (gymnasium's tables do not always make terminal states absorbing — Taxi's continue past the
# drop-off — so a mask is what carries this information, not the structure of `P`.)
#
# A policy is an array `policy[s, a]` of action probabilities. Its value $v_\pi(s)$ — the
# expected discounted return $\sum_t \gamma^t r_{t+1}$ from $s$ — satisfies the Bellman
# expectation equation
#
# $$
# v_\pi(s) = \sum_a \pi(a \mid s) \sum_{s'} P(s' \mid s, a)\,\bigl[R(s, a, s') + \gamma\,(1 - \mathrm{terminal}(s'))\,v_\pi(s')\bigr],
# \qquad v_\pi(s) = 0 \text{ for terminal } s.
# $$
#
# The discount multiplies only the *next state's value*, never the reward just received.
#
# ### Exercise 5 · `q_values`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# One-step lookahead: the action values $q(s, a)$ implied by a state-value array $V$.
#
# Why it matters: every planning algorithm below is this backup followed by an average (policy
# evaluation) or a max (value iteration), so getting the terminal mask and the discount right here
# fixes them everywhere.
#
# <details><summary>Hint</summary>
#
# Broadcast: `(~terminal) * V` has shape `(s',)` and lines up with the last axis of `R`; sum
# `P * (R + gamma * that)` over the last axis.
#
# </details>

# %%
def q_values(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    V: Float[np.ndarray, " s"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
) -> Float[np.ndarray, "s a"]:
    """q[s, a] = Σ_s' P[s, a, s'] · (R[s, a, s'] + gamma · V[s'] · (not terminal[s'])).

    V of a terminal next state is never used (whatever V holds there). float64; inputs unchanged."""
    next_value = np.where(terminal, 0.0, V)
    return (P * (R + gamma * next_value)).sum(axis=-1)


# %%
arena_check.check("3.1", "q_values", q_values)


# %% [markdown]
# ### Exercise 6 · `policy_evaluation_iterative`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Evaluate a policy by repeating the Bellman expectation backup until the values stop changing.
#
# Why it matters: this is the contraction at the heart of dynamic programming; each sweep shrinks
# the error by a factor $\gamma$. The docstring promises **synchronous** sweeps (every new value is
# computed from the previous sweep's values, as in Jacobi iteration). Updating the array in place
# state by state (Gauss–Seidel) also converges, often faster, but gives different values after any
# fixed number of sweeps — and the check looks at a fixed number of sweeps.
#
# <details><summary>Hint</summary>
#
# Start from zeros. Each sweep: `new = (policy * q_values(P, R, V, gamma, terminal)).sum(1)`, set
# to 0 at terminal states; stop when `np.abs(new - V).max() < tol`, returning `new`.
#
# </details>

# %%
def policy_evaluation_iterative(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    policy: Float[np.ndarray, "s a"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
    tol: float = 1e-10,
    max_iters: int = 10_000,
) -> Float[np.ndarray, " s"]:
    """v_π by synchronous sweeps from V = 0: each sweep computes every new value from the previous
    sweep's V (V_new[s] = Σ_a policy[s, a] q(s, a)), with V_new = 0 at terminal states. Stops after
    the first sweep whose largest change max|V_new - V| is < tol, or after max_iters sweeps, and
    returns that sweep's V_new. float64; inputs unchanged."""
    V = np.zeros(P.shape[0])
    for _ in range(max_iters):
        new = np.where(terminal, 0.0, (policy * q_values(P, R, V, gamma, terminal)).sum(axis=1))
        converged = np.abs(new - V).max() < tol
        V = new
        if converged:
            break
    return V


# %%
arena_check.check("3.1", "policy_evaluation_iterative", policy_evaluation_iterative)


# %% [markdown]
# ### Exercise 7 · `policy_evaluation_exact`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# Solve the Bellman expectation equation directly: it is linear in $v_\pi$.
#
# Why it matters: $v = r_\pi + \gamma P_\pi v$ gives $v = (I - \gamma P_\pi)^{-1} r_\pi$, an exact
# answer to test the iterative one against, and the reason policy iteration needs only a handful of
# iterations. With $\gamma = 1$ the system is still solvable when every episode ends — because the
# columns of terminal states are zeroed, not because of discounting.
#
# <details><summary>Hint 1</summary>
#
# `r_pi[s] = Σ_a policy[s, a] Σ_s' P[s, a, s'] R[s, a, s']` and
# `P_pi[s, s'] = Σ_a policy[s, a] P[s, a, s']` — two `np.einsum` calls.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Zero the columns of terminal next states in `P_pi` (no bootstrapping) and replace the rows of
# terminal states by the equation `v[s] = 0` (row of the identity, right-hand side 0). Then
# `np.linalg.solve(np.eye(n) - gamma * P_pi, r_pi)`.
#
# </details>

# %%
def policy_evaluation_exact(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    policy: Float[np.ndarray, "s a"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
) -> Float[np.ndarray, " s"]:
    """v_π from one linear solve of (I - gamma P_π) v = r_π, where P_π has the columns of terminal
    next states zeroed and v = 0 is imposed at terminal states. Valid for gamma = 1 when every
    episode ends. float64; inputs unchanged."""
    r_pi = np.einsum("sa,sat,sat->s", policy, P, R)
    P_pi = np.einsum("sa,sat->st", policy, P) * ~terminal[None, :]
    P_pi[terminal] = 0.0
    r_pi[terminal] = 0.0
    return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)


# %%
arena_check.check("3.1", "policy_evaluation_exact", policy_evaluation_exact)


# %% [markdown]
# ## Part 3 · Policy iteration and value iteration
#
# Acting greedily with respect to $v_\pi$ gives a policy at least as good as $\pi$ everywhere (the
# policy improvement theorem). Alternating exact evaluation and greedy improvement is
# policy iteration; it ends, after finitely many steps, at a policy that is greedy with
# respect to its own values — an optimal one. Value iteration folds the two into a single
# backup, $V(s) \leftarrow \max_a q(s, a)$, the Bellman *optimality* equation used as an update.
#
# Deterministic policies are arrays of actions `actions[s]`; turn one into `policy[s, a]` with
# `np.eye(n_actions)[actions]`. Ties between actions go to the lowest index, everywhere.
#
# ### Exercise 8 · `policy_improvement`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# The greedy action in every state with respect to $V$.
#
# Why it matters: ties are common (two equally short paths in a grid); a rule that breaks them
# differently from call to call makes policy iteration flip forever between equally good policies.

# %%
def policy_improvement(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    V: Float[np.ndarray, " s"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
) -> Int[np.ndarray, " s"]:
    """argmax_a q(s, a) for every state, the lowest index among exactly equal values; int64."""
    return np.argmax(q_values(P, R, V, gamma, terminal), axis=1)


# %%
arena_check.check("3.1", "policy_improvement", policy_improvement)


# %% [markdown]
# ### Exercise 9 · `policy_iteration`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Alternate exact evaluation and greedy improvement, starting from "always action 0", until the
# policy is stable.
#
# <details><summary>Hint</summary>
#
# Floating-point noise can make two equal actions differ in the last bit and the loop flip between
# them. Stop when no state's greedy action beats its current action by more than 1e-9:
# `(q[np.arange(n), new] - q[np.arange(n), actions]).max() <= 1e-9`.
#
# </details>

# %%
def policy_iteration(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
    max_iters: int = 1000,
) -> tuple[Int[np.ndarray, " s"], Float[np.ndarray, " s"]]:
    """(actions, V): an optimal deterministic policy and its exact value.

    Starts from action 0 everywhere; each iteration evaluates the current policy exactly and
    improves it greedily; stops when no state's greedy action improves on its current action by
    more than 1e-9 (or after max_iters iterations). Needs gamma < 1 unless the initial policy ends
    every episode."""
    n_s, n_a = P.shape[:2]
    actions = np.zeros(n_s, dtype=np.int64)
    for _ in range(max_iters):
        V = policy_evaluation_exact(P, R, np.eye(n_a)[actions], gamma, terminal)
        q = q_values(P, R, V, gamma, terminal)
        new = np.argmax(q, axis=1)
        gain = q[np.arange(n_s), new] - q[np.arange(n_s), actions]
        if gain.max() <= 1e-9:
            break
        actions = new
    return actions, V


# %%
arena_check.check("3.1", "policy_iteration", policy_iteration)


# %% [markdown]
# ### Exercise 10 · `value_iteration`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Iterate the Bellman optimality backup synchronously, then read off the greedy policy.
#
# Why it matters: value iteration is the template of Q-learning (a sampled version of the same max
# backup) and of DQN's target. As in Exercise 6 the sweeps are synchronous, and the check compares
# values after a fixed small number of sweeps.

# %%
def value_iteration(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
    tol: float = 1e-10,
    max_iters: int = 10_000,
) -> tuple[Float[np.ndarray, " s"], Int[np.ndarray, " s"]]:
    """(V, actions) by synchronous sweeps from V = 0: V_new[s] = max_a q(s, a) computed from the
    previous sweep's V, V_new = 0 at terminal states. Stops after the first sweep whose largest
    change is < tol, or after max_iters sweeps; V is that sweep's V_new and actions is
    policy_improvement of it (lowest index among ties)."""
    V = np.zeros(P.shape[0])
    for _ in range(max_iters):
        new = np.where(terminal, 0.0, q_values(P, R, V, gamma, terminal).max(axis=1))
        converged = np.abs(new - V).max() < tol
        V = new
        if converged:
            break
    return V, policy_improvement(P, R, V, gamma, terminal)


# %%
arena_check.check("3.1", "value_iteration", value_iteration)


# %% [markdown]
# ### A gridworld
#
# A 6×6 grid of my own: walls (grey), a goal worth +1 and a pit worth −1 (both terminal), −0.04 per
# step, and slippery moves: the intended direction with probability 0.8, each perpendicular one
# with 0.1; bumping into a wall or the edge leaves you in place. γ = 0.95.

# %% [markdown]
# ### FrozenLake and Taxi
#
# gymnasium's toy-text environments expose their model as `env.unwrapped.P`; `tables_from_gym`
# turns it into the arrays used above. Three properties must hold for the exact optimum: value
# iteration and policy iteration find the same values; the linear-solve value of value iteration's
# greedy policy equals the fixed point; and no action improves on the policy anywhere
# (the Bellman optimality residual is zero).

# %% [markdown]
# ## Part 4 · Learning from experience: Q-learning and SARSA
#
# Planning needs `P` and `R`. Temporal-difference learning needs only transitions
# $(s, a, r, s')$: it nudges $Q(s, a)$ towards a one-sample estimate of the backup. The two classic
# versions differ only in the next action's value:
#
# - Q-learning uses $\max_{a'} Q(s', a')$ — the greedy action, whatever the agent does next,
#   so it learns $q_*$ while behaving any way that keeps exploring (**off-policy**; Watkins, 1989);
# - SARSA uses $Q(s', a')$ for the action $a'$ the agent actually takes next, so it learns
#   the value of the policy it follows, exploration included (**on-policy**).
#
# When the episode *terminates* at $s'$ the target is just $r$. When it is merely *truncated* (a
# time limit), $s'$ still has a future and the target bootstraps as usual — which is why gymnasium
# returns the two flags separately.
#
# ### Exercise 11 · `q_learning_update`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# One Q-learning update, in place.

# %%
def q_learning_update(
    Q: Float[np.ndarray, "s a"],
    s: int,
    a: int,
    r: float,
    s_next: int,
    terminated: bool,
    alpha: float,
    gamma: float,
) -> float:
    """Q[s, a] += alpha · δ with δ = r + gamma · max_a' Q[s_next, a'] − Q[s, a], or r − Q[s, a]
    when `terminated`. Modifies only Q[s, a], in place; returns the TD error δ (before the update)
    as a float."""
    target = r if terminated else r + gamma * Q[s_next].max()
    delta = float(target - Q[s, a])
    Q[s, a] += alpha * delta
    return delta


# %%
arena_check.check("3.1", "q_learning_update", q_learning_update)


# %% [markdown]
# ### Exercise 12 · `sarsa_update`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# One SARSA update, in place: the same as Q-learning except for the next action's value.

# %%
def sarsa_update(
    Q: Float[np.ndarray, "s a"],
    s: int,
    a: int,
    r: float,
    s_next: int,
    a_next: int,
    terminated: bool,
    alpha: float,
    gamma: float,
) -> float:
    """Q[s, a] += alpha · δ with δ = r + gamma · Q[s_next, a_next] − Q[s, a], or r − Q[s, a] when
    `terminated` (then a_next is ignored). Modifies only Q[s, a], in place; returns δ as a float."""
    target = r if terminated else r + gamma * Q[s_next, a_next]
    delta = float(target - Q[s, a])
    Q[s, a] += alpha * delta
    return delta


# %%
arena_check.check("3.1", "sarsa_update", sarsa_update)

# %% [markdown]
# First, both methods the usual way on Taxi: ε-greedy behaviour (ε = 0.1), step size 0.5, γ = 0.99,
# 800 episodes each from the same seeds (about 2–5 s in total).

# %% [markdown]
# ## Summary
#
# - A bandit is RL with one state. ε-greedy explores blindly at a constant rate; optimistic initial
#   values explore early through disappointment (with a constant step size); UCB explores where
#   estimates are uncertain and has logarithmic regret.
# - The incremental update $Q \leftarrow Q + \alpha (r - Q)$ is a sample average with
#   $\alpha = 1/n$ and a recency-weighted average with constant $\alpha$.
# - A finite MDP is `P[s, a, s']`, `R[s, a, s']` and a terminal mask. A policy's value solves a
#   linear system; iterating the backup converges to the same answer geometrically.
# - The discount multiplies the next state's value, never the reward; terminal next states
#   contribute no value; synchronous and in-place sweeps are different algorithms.
# - Policy iteration alternates exact evaluation and greedy improvement; value iteration iterates
#   the optimality backup. Both reach the same $v_*$, on a gridworld, FrozenLake and Taxi.
# - Q-learning (max over next actions) learns $q_*$ off-policy from any exploring behaviour; SARSA
#   (the next action taken) learns the value of the policy it follows.
#
# ## Further reading
#
# - Richard S. Sutton and Andrew G. Barto, [Reinforcement Learning: An
#   Introduction](http://incompleteideas.net/book/the-book-2nd.html), 2nd edition, MIT Press, 2018 —
#   chapter 2 (bandits), 3–4 (MDPs, dynamic programming) and 6 (TD learning, Q-learning, SARSA)
#   cover this section in depth.
# - Peter Auer, Nicolò Cesa-Bianchi and Paul Fischer, [Finite-time Analysis of the Multiarmed
#   Bandit Problem](https://doi.org/10.1023/A:1013689704352), Machine Learning 47, 2002 — UCB1 and
#   its logarithmic regret bound.
# - Christopher J. C. H. Watkins and Peter Dayan, [Q-learning](https://doi.org/10.1007/BF00992698),
#   Machine Learning 8, 1992 — the convergence proof of tabular Q-learning.
# - Gavin A. Rummery and Mahesan Niranjan, [On-line Q-learning using connectionist
#   systems](https://www.researchgate.net/publication/2500611_On-Line_Q-Learning_Using_Connectionist_Systems),
#   1994 — the origin of SARSA.
# - [Gymnasium documentation](https://gymnasium.farama.org/) — the `Env` API, toy-text environments
#   and the terminated/truncated distinction.
