"""GENERATED from book/3_rl/3.1_rl_fundamentals.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


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


def epsilon_greedy_action(q: Float[np.ndarray, " n_actions"], epsilon: float, rng: np.random.Generator) -> int:
    """Draw `u = rng.random()` exactly once. If `u < epsilon`, return `int(rng.integers(len(q)))`
    (uniform over all actions, the greedy one included); otherwise return the greedy action, the
    lowest index among ties (`np.argmax`). Returns a Python int; does not modify `q`."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q)))
    return int(np.argmax(q))


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


def policy_improvement(
    P: Float[np.ndarray, "s a s2"],
    R: Float[np.ndarray, "s a s2"],
    V: Float[np.ndarray, " s"],
    gamma: float,
    terminal: Bool[np.ndarray, " s"],
) -> Int[np.ndarray, " s"]:
    """argmax_a q(s, a) for every state, the lowest index among exactly equal values; int64."""
    return np.argmax(q_values(P, R, V, gamma, terminal), axis=1)


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
