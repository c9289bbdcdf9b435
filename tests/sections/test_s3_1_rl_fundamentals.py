"""Section 3.1: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the classes of bug the page warns about: bootstrapping from terminal states, the
discount on the reward instead of the next value, in-place (Gauss–Seidel) sweeps where the
docstring promises synchronous ones, ties broken towards the last index, UCB relying on inf/nan
from log(0) and division by zero, SARSA written as Q-learning, ε-greedy exploring only among the
non-greedy actions, and a sample average confused with a constant step size. The alternatives are
correct solutions in another style (explicit loops, einsum, torch-free linear algebra variants).
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "3.1"

_BANDIT_STEP = """
    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError("bad action")
        reward = float(self.np_random.normal(self.means[action], self.reward_std))
        return 0, reward, False, False, {"regret": float(self.means.max() - self.means[action])}
"""
_BANDIT_RESET = """
    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)
        return 0, {"means": self.means.copy()}
"""
_EG_ACT = """
    def act(self):
        return epsilon_greedy_action(self.q, self.epsilon, self.rng)
"""
_EG_UPDATE = """
    def update(self, action, reward):
        self.t += 1
        self.counts[action] += 1
        alpha = 1.0 / self.counts[action] if self.step_size is None else self.step_size
        self.q[action] += alpha * (reward - self.q[action])
"""


def _cls(header: str, *methods: str) -> str:
    return header + "\n" + "\n".join(methods)


MUTANTS: dict[str, list[tuple[str, str]]] = {
    "GaussianBandit": [
        ("means drawn from the global np.random, not self.np_random", _cls("class GaussianBandit(BanditEnvBase):", """
    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.means = np.random.normal(0.0, 1.0, size=self.n_arms)
        return 0, {"means": self.means.copy()}
""", _BANDIT_STEP)),
        ("reward_std ignored", _cls("class GaussianBandit(BanditEnvBase):", _BANDIT_RESET, """
    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError("bad action")
        reward = float(self.np_random.normal(self.means[action], 1.0))
        return 0, reward, False, False, {"regret": float(self.means.max() - self.means[action])}
""")),
        ("info['means'] is self.means itself, not a copy", _cls("class GaussianBandit(BanditEnvBase):", """
    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)
        return 0, {"means": self.means}
""", _BANDIT_STEP)),
        ("negative actions accepted (numpy index -1)", _cls("class GaussianBandit(BanditEnvBase):", _BANDIT_RESET, """
    def step(self, action):
        reward = float(self.np_random.normal(self.means[action], self.reward_std))
        return 0, reward, False, False, {"regret": float(self.means.max() - self.means[action])}
""")),
        ("regret with the wrong sign", _cls("class GaussianBandit(BanditEnvBase):", _BANDIT_RESET, """
    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError("bad action")
        reward = float(self.np_random.normal(self.means[action], self.reward_std))
        return 0, reward, False, False, {"regret": float(self.means[action] - self.means.max())}
""")),
        ("seed not passed to super().reset: same arms ignore the seed", _cls("class GaussianBandit(BanditEnvBase):", """
    def reset(self, *, seed=None, options=None):
        super().reset()
        self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)
        return 0, {"means": self.means.copy()}
""", _BANDIT_STEP)),
        ("means drawn one arm at a time with a wrong scale", _cls("class GaussianBandit(BanditEnvBase):", """
    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.means = self.np_random.random(self.n_arms)
        return 0, {"means": self.means.copy()}
""", _BANDIT_STEP)),
    ],
    "epsilon_greedy_action": [
        ("explores only among the non-greedy actions", """
            def epsilon_greedy_action(q, epsilon, rng):
                greedy = int(np.argmax(q))
                if rng.random() < epsilon and len(q) > 1:
                    others = [a for a in range(len(q)) if a != greedy]
                    return int(others[rng.integers(len(others))])
                return greedy
        """),
        ("ties broken to the last index", """
            def epsilon_greedy_action(q, epsilon, rng):
                if rng.random() < epsilon:
                    return int(rng.integers(len(q)))
                return int(len(q) - 1 - np.argmax(q[::-1]))
        """),
        ("no draw when epsilon is 0", """
            def epsilon_greedy_action(q, epsilon, rng):
                if epsilon > 0 and rng.random() < epsilon:
                    return int(rng.integers(len(q)))
                return int(np.argmax(q))
        """),
        ("ties broken at random", """
            def epsilon_greedy_action(q, epsilon, rng):
                if rng.random() < epsilon:
                    return int(rng.integers(len(q)))
                best = np.flatnonzero(q == q.max())
                return int(rng.choice(best))
        """),
        ("explores with probability 1 - epsilon", """
            def epsilon_greedy_action(q, epsilon, rng):
                if rng.random() > epsilon:
                    return int(rng.integers(len(q)))
                return int(np.argmax(q))
        """),
        ("returns a numpy integer", """
            def epsilon_greedy_action(q, epsilon, rng):
                if rng.random() < epsilon:
                    return rng.integers(len(q))
                return np.argmax(q)
        """),
    ],
    "EpsilonGreedy": [
        ("sample average over all updates (1/t), not per arm", _cls("class EpsilonGreedy(BanditAgent):", _EG_ACT, """
    def update(self, action, reward):
        self.t += 1
        self.counts[action] += 1
        alpha = 1.0 / self.t if self.step_size is None else self.step_size
        self.q[action] += alpha * (reward - self.q[action])
""")),
        ("constant step size ignored: always sample averages", _cls("class EpsilonGreedy(BanditAgent):", _EG_ACT, """
    def update(self, action, reward):
        self.t += 1
        self.counts[action] += 1
        self.q[action] += (reward - self.q[action]) / self.counts[action]
""")),
        ("step 1/(n+1): the initial value counted as one sample", _cls("class EpsilonGreedy(BanditAgent):", _EG_ACT, """
    def update(self, action, reward):
        self.t += 1
        self.counts[action] += 1
        alpha = 1.0 / (self.counts[action] + 1) if self.step_size is None else self.step_size
        self.q[action] += alpha * (reward - self.q[action])
""")),
        ("t not incremented", _cls("class EpsilonGreedy(BanditAgent):", _EG_ACT, """
    def update(self, action, reward):
        self.counts[action] += 1
        alpha = 1.0 / self.counts[action] if self.step_size is None else self.step_size
        self.q[action] += alpha * (reward - self.q[action])
""")),
        ("act ignores epsilon (always greedy)", _cls("class EpsilonGreedy(BanditAgent):", """
    def act(self):
        return int(np.argmax(self.q))
""", _EG_UPDATE)),
        ("act uses the global RNG", _cls("class EpsilonGreedy(BanditAgent):", """
    def act(self):
        return epsilon_greedy_action(self.q, self.epsilon, np.random.default_rng())
""", _EG_UPDATE)),
    ],
    "UCB": [
        ("relies on inf/nan from dividing by zero for untried arms", """
            class UCB(EpsilonGreedy):
                def act(self):
                    return int(np.argmax(self.q + self.c * np.sqrt(np.log(self.t) / self.counts)))
        """),
        ("log(t + 1) instead of log(t)", """
            class UCB(EpsilonGreedy):
                def act(self):
                    untried = np.flatnonzero(self.counts == 0)
                    if len(untried):
                        return int(untried[0])
                    return int(np.argmax(self.q + self.c * np.sqrt(np.log(self.t + 1) / self.counts)))
        """),
        ("the last untried arm first", """
            class UCB(EpsilonGreedy):
                def act(self):
                    untried = np.flatnonzero(self.counts == 0)
                    if len(untried):
                        return int(untried[-1])
                    return int(np.argmax(self.q + self.c * np.sqrt(np.log(self.t) / self.counts)))
        """),
        ("sqrt over the log only", """
            class UCB(EpsilonGreedy):
                def act(self):
                    untried = np.flatnonzero(self.counts == 0)
                    if len(untried):
                        return int(untried[0])
                    return int(np.argmax(self.q + self.c * np.sqrt(np.log(self.t)) / self.counts))
        """),
        ("c ignored (UCB1's sqrt(2))", """
            class UCB(EpsilonGreedy):
                def act(self):
                    untried = np.flatnonzero(self.counts == 0)
                    if len(untried):
                        return int(untried[0])
                    return int(np.argmax(self.q + np.sqrt(2 * np.log(self.t) / self.counts)))
        """),
        ("division by counts + 1 to avoid zero", """
            class UCB(EpsilonGreedy):
                def act(self):
                    t = max(self.t, 1)
                    return int(np.argmax(self.q + self.c * np.sqrt(np.log(t) / (self.counts + 1))))
        """),
    ],
    "q_values": [
        ("terminal next states bootstrapped", """
            def q_values(P, R, V, gamma, terminal):
                return (P * (R + gamma * V)).sum(-1)
        """),
        ("discount on the reward and the value", """
            def q_values(P, R, V, gamma, terminal):
                return (P * gamma * (R + np.where(terminal, 0.0, V))).sum(-1)
        """),
        ("terminal mask on the current state, not the next", """
            def q_values(P, R, V, gamma, terminal):
                q = (P * (R + gamma * V)).sum(-1)
                return np.where(terminal[:, None], 0.0, q)
        """),
        ("sum over the wrong axis", """
            def q_values(P, R, V, gamma, terminal):
                return (P * (R + gamma * np.where(terminal, 0.0, V)[:, None, None])).sum(-1)
        """),
    ],
    "policy_evaluation_iterative": [
        ("in-place (Gauss–Seidel) sweeps", """
            def policy_evaluation_iterative(P, R, policy, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    change = 0.0
                    for s in range(P.shape[0]):
                        new = 0.0 if terminal[s] else float(policy[s] @ q_values(P, R, V, gamma, terminal)[s])
                        change = max(change, abs(new - V[s]))
                        V[s] = new
                    if change < tol:
                        break
                return V
        """),
        ("terminal states bootstrapped", """
            def policy_evaluation_iterative(P, R, policy, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    new = (policy * (P * (R + gamma * V)).sum(-1)).sum(1)
                    done = np.abs(new - V).max() < tol
                    V = new
                    if done:
                        break
                return V
        """),
        ("one sweep too few", """
            def policy_evaluation_iterative(P, R, policy, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters - 1):
                    new = np.where(terminal, 0.0, (policy * q_values(P, R, V, gamma, terminal)).sum(1))
                    done = np.abs(new - V).max() < tol
                    V = new
                    if done:
                        break
                return V
        """),
        ("returns the previous sweep's values at convergence", """
            def policy_evaluation_iterative(P, R, policy, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    new = np.where(terminal, 0.0, (policy * q_values(P, R, V, gamma, terminal)).sum(1))
                    if np.abs(new - V).max() < tol:
                        break
                    V = new
                return V
        """),
        ("different default tolerance", """
            def policy_evaluation_iterative(P, R, policy, gamma, terminal, tol=1e-6, max_iters=10_000):
                return ref_pe(P, R, policy, gamma, terminal, tol, max_iters)
            from arena_check.reference.s3_1_rl_fundamentals import policy_evaluation_iterative as ref_pe
        """),
    ],
    "policy_evaluation_exact": [
        ("terminal states ignored (bootstraps them)", """
            def policy_evaluation_exact(P, R, policy, gamma, terminal):
                r_pi = np.einsum("sa,sat,sat->s", policy, P, R)
                P_pi = np.einsum("sa,sat->st", policy, P)
                return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)
        """),
        ("terminal rows kept: V of terminal states not forced to 0", """
            def policy_evaluation_exact(P, R, policy, gamma, terminal):
                r_pi = np.einsum("sa,sat,sat->s", policy, P, R)
                P_pi = np.einsum("sa,sat->st", policy, P) * ~terminal[None, :]
                return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)
        """),
        ("policy and transition axes mixed up (P_pi transposed)", """
            def policy_evaluation_exact(P, R, policy, gamma, terminal):
                r_pi = np.einsum("sa,sat,sat->s", policy, P, R)
                P_pi = np.einsum("sa,sat->ts", policy, P) * ~terminal[:, None]
                P_pi[terminal] = 0.0
                r_pi[terminal] = 0.0
                return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)
        """),
        ("expected reward without the transition probabilities", """
            def policy_evaluation_exact(P, R, policy, gamma, terminal):
                r_pi = np.einsum("sa,sat->s", policy, R) / P.shape[0]
                P_pi = np.einsum("sa,sat->st", policy, P) * ~terminal[None, :]
                P_pi[terminal] = 0.0
                r_pi[terminal] = 0.0
                return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)
        """),
    ],
    "policy_improvement": [
        ("ties to the last index", """
            def policy_improvement(P, R, V, gamma, terminal):
                q = q_values(P, R, V, gamma, terminal)
                return q.shape[1] - 1 - np.argmax(q[:, ::-1], axis=1)
        """),
        ("argmin", """
            def policy_improvement(P, R, V, gamma, terminal):
                return np.argmin(q_values(P, R, V, gamma, terminal), axis=1)
        """),
        ("greedy with respect to the immediate reward only", """
            def policy_improvement(P, R, V, gamma, terminal):
                return np.argmax((P * R).sum(-1), axis=1)
        """),
        ("int32 actions", """
            def policy_improvement(P, R, V, gamma, terminal):
                return np.argmax(q_values(P, R, V, gamma, terminal), axis=1).astype(np.int32)
        """),
    ],
    "policy_iteration": [
        ("a single improvement step", """
            def policy_iteration(P, R, gamma, terminal, max_iters=1000):
                n_s, n_a = P.shape[:2]
                actions = np.zeros(n_s, dtype=np.int64)
                V = policy_evaluation_exact(P, R, np.eye(n_a)[actions], gamma, terminal)
                actions = policy_improvement(P, R, V, gamma, terminal)
                return actions, V
        """),
        ("a fixed two rounds of evaluation and improvement", """
            def policy_iteration(P, R, gamma, terminal, max_iters=1000):
                n_s, n_a = P.shape[:2]
                actions = np.zeros(n_s, dtype=np.int64)
                for _ in range(2):
                    V = policy_evaluation_exact(P, R, np.eye(n_a)[actions], gamma, terminal)
                    actions = policy_improvement(P, R, V, gamma, terminal)
                return actions, policy_evaluation_exact(P, R, np.eye(n_a)[actions], gamma, terminal)
        """),
        ("evaluation bootstraps terminal states", """
            def policy_iteration(P, R, gamma, terminal, max_iters=1000):
                n_s, n_a = P.shape[:2]
                actions = np.zeros(n_s, dtype=np.int64)
                none = np.zeros_like(terminal)
                for _ in range(max_iters):
                    V = policy_evaluation_exact(P, R, np.eye(n_a)[actions], gamma, none)
                    new = policy_improvement(P, R, V, gamma, none)
                    if np.array_equal(new, actions):
                        break
                    actions = new
                return actions, V
        """),
    ],
    "value_iteration": [
        ("in-place (Gauss–Seidel) sweeps", """
            def value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    change = 0.0
                    for s in range(P.shape[0]):
                        new = 0.0 if terminal[s] else float(q_values(P, R, V, gamma, terminal)[s].max())
                        change = max(change, abs(new - V[s]))
                        V[s] = new
                    if change < tol:
                        break
                return V, policy_improvement(P, R, V, gamma, terminal)
        """),
        ("terminal states bootstrapped", """
            def value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    new = (P * (R + gamma * V)).sum(-1).max(1)
                    done = np.abs(new - V).max() < tol
                    V = new
                    if done:
                        break
                return V, np.argmax((P * (R + gamma * V)).sum(-1), axis=1)
        """),
        ("discount applied to the reward too", """
            def value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    q = (P * gamma * (R + np.where(terminal, 0.0, V))).sum(-1)
                    new = np.where(terminal, 0.0, q.max(1))
                    done = np.abs(new - V).max() < tol
                    V = new
                    if done:
                        break
                return V, policy_improvement(P, R, V, gamma, terminal)
        """),
        ("stops one sweep late: returns the values before the converged sweep", """
            def value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    new = np.where(terminal, 0.0, q_values(P, R, V, gamma, terminal).max(1))
                    if np.abs(new - V).max() < tol:
                        break
                    V = new
                return V, policy_improvement(P, R, V, gamma, terminal)
        """),
        ("policy greedy with respect to the previous sweep's values", """
            def value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):
                V = np.zeros(P.shape[0])
                for _ in range(max_iters):
                    q = q_values(P, R, V, gamma, terminal)
                    new = np.where(terminal, 0.0, q.max(1))
                    done = np.abs(new - V).max() < tol
                    V = new
                    if done:
                        break
                return V, np.argmax(q, axis=1)
        """),
    ],
    "q_learning_update": [
        ("bootstraps on terminal transitions", """
            def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
                delta = float(r + gamma * Q[s_next].max() - Q[s, a])
                Q[s, a] += alpha * delta
                return delta
        """),
        ("discount on the reward", """
            def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
                target = gamma * r if terminated else gamma * (r + Q[s_next].max())
                delta = float(target - Q[s, a])
                Q[s, a] += alpha * delta
                return delta
        """),
        ("max over the current state's actions", """
            def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
                target = r if terminated else r + gamma * Q[s].max()
                delta = float(target - Q[s, a])
                Q[s, a] += alpha * delta
                return delta
        """),
        ("returns the TD error after the update", """
            def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
                target = r if terminated else r + gamma * Q[s_next].max()
                Q[s, a] += alpha * (target - Q[s, a])
                return float(target - Q[s, a])
        """),
        ("Q not changed in place (a new array is made)", """
            def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
                target = r if terminated else r + gamma * Q[s_next].max()
                delta = float(target - Q[s, a])
                Q = Q.copy()
                Q[s, a] += alpha * delta
                return delta
        """),
    ],
    "sarsa_update": [
        ("uses the max (that is Q-learning)", """
            def sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma):
                target = r if terminated else r + gamma * Q[s_next].max()
                delta = float(target - Q[s, a])
                Q[s, a] += alpha * delta
                return delta
        """),
        ("bootstraps on terminal transitions", """
            def sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma):
                delta = float(r + gamma * Q[s_next, a_next] - Q[s, a])
                Q[s, a] += alpha * delta
                return delta
        """),
        ("indices swapped: Q[a_next, s_next]", """
            def sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma):
                target = r if terminated else r + gamma * Q[a_next, s_next]
                delta = float(target - Q[s, a])
                Q[s, a] += alpha * delta
                return delta
        """),
        ("alpha applied to the returned error too", """
            def sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma):
                target = r if terminated else r + gamma * Q[s_next, a_next]
                delta = float(alpha * (target - Q[s, a]))
                Q[s, a] += delta
                return delta
        """),
    ],
}

ALTERNATIVES = {
    "GaussianBandit": """
        class GaussianBandit(BanditEnvBase):
            def reset(self, *, seed=None, options=None):
                super().reset(seed=seed)
                self.means = self.np_random.normal(loc=0.0, scale=1.0, size=(self.n_arms,))
                return 0, {"means": np.array(self.means)}

            def step(self, action):
                if not (isinstance(action, int | np.integer) and 0 <= action < self.n_arms):
                    raise ValueError(action)
                mean = self.means[action]
                reward = mean + self.reward_std * self.np_random.standard_normal()
                info = {"regret": np.max(self.means) - mean}
                return 0, float(reward), False, False, info
    """,
    "epsilon_greedy_action": """
        def epsilon_greedy_action(q, epsilon, rng):
            explore = rng.random() < epsilon
            if explore:
                return int(rng.integers(0, q.shape[0]))
            best, best_value = 0, q[0]
            for i, v in enumerate(q):
                if v > best_value:
                    best, best_value = i, v
            return best
    """,
    "EpsilonGreedy": """
        class EpsilonGreedy(BanditAgent):
            def act(self):
                return epsilon_greedy_action(self.q, self.epsilon, self.rng)

            def update(self, action, reward):
                self.counts[action] = self.counts[action] + 1
                self.t = self.t + 1
                if self.step_size is None:
                    n = self.counts[action]
                    self.q[action] = self.q[action] * (n - 1) / n + reward / n
                else:
                    self.q[action] = (1 - self.step_size) * self.q[action] + self.step_size * reward
    """,
    "UCB": """
        class UCB(EpsilonGreedy):
            def act(self):
                for arm in range(self.n_arms):
                    if self.counts[arm] == 0:
                        return arm
                scores = [self.q[i] + self.c * (np.log(self.t) / self.counts[i]) ** 0.5 for i in range(self.n_arms)]
                return int(np.argmax(scores))
    """,
    "q_values": """
        def q_values(P, R, V, gamma, terminal):
            v_next = V * (~terminal)
            return np.einsum("sat,sat->sa", P, R) + gamma * np.einsum("sat,t->sa", P, v_next)
    """,
    "policy_evaluation_iterative": """
        def policy_evaluation_iterative(P, R, policy, gamma, terminal, tol=1e-10, max_iters=10_000):
            r_pi = np.einsum("sa,sat,sat->s", policy, P, R)
            P_pi = np.einsum("sa,sat->st", policy, P) * ~terminal
            V = np.zeros(len(r_pi))
            it = 0
            while it < max_iters:
                it += 1
                new = r_pi + gamma * P_pi @ V
                new[terminal] = 0.0
                delta = np.max(np.abs(new - V))
                V = new
                if delta < tol:
                    break
            return V
    """,
    "policy_evaluation_exact": """
        def policy_evaluation_exact(P, R, policy, gamma, terminal):
            keep = np.flatnonzero(~terminal)
            r_pi = np.einsum("sa,sat,sat->s", policy, P, R)[keep]
            P_pi = np.einsum("sa,sat->st", policy, P)[np.ix_(keep, keep)]
            V = np.zeros(P.shape[0])
            V[keep] = np.linalg.solve(np.eye(len(keep)) - gamma * P_pi, r_pi)
            return V
    """,
    "policy_improvement": """
        def policy_improvement(P, R, V, gamma, terminal):
            q = q_values(P, R, V, gamma, terminal)
            out = np.zeros(q.shape[0], dtype=np.int64)
            for s in range(q.shape[0]):
                out[s] = next(a for a in range(q.shape[1]) if q[s, a] == q[s].max())
            return out
    """,
    "policy_iteration": """
        def policy_iteration(P, R, gamma, terminal, max_iters=1000):
            n_s, n_a = P.shape[:2]
            actions = np.zeros(n_s, dtype=np.int64)
            for _ in range(max_iters):
                V = policy_evaluation_exact(P, R, np.eye(n_a)[actions], gamma, terminal)
                q = q_values(P, R, V, gamma, terminal)
                better = q.max(1) > q[np.arange(n_s), actions] + 1e-9
                if not better.any():
                    break
                actions = np.where(better, q.argmax(1), actions)
            return actions, V
    """,
    "value_iteration": """
        def value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):
            V = np.zeros(P.shape[0])
            for i in range(max_iters):
                old = V.copy()
                V = np.array([0.0 if terminal[s] else max(
                    sum(P[s, a, t] * (R[s, a, t] + (0.0 if terminal[t] else gamma * old[t])) for t in range(P.shape[0]))
                    for a in range(P.shape[1])) for s in range(P.shape[0])])
                if np.abs(V - old).max() < tol:
                    break
            return V, policy_improvement(P, R, V, gamma, terminal)
    """,
    "q_learning_update": """
        def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
            bootstrap = 0.0 if terminated else gamma * np.max(Q[s_next, :])
            td = r + bootstrap - Q[s, a]
            Q[s, a] = Q[s, a] + alpha * td
            return float(td)
    """,
    "sarsa_update": """
        def sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma):
            td = r - Q[s, a] + (0.0 if terminated else gamma * Q[s_next][a_next])
            Q[s][a] += alpha * td
            return float(td)
    """,
}


# Solutions written from the page alone while grading the section as a learner would.
MUTANTS['q_values'].append(('zeroes V at terminal states in place (learner test)', '\ndef q_values(P, R, V, gamma, terminal):\n    V[terminal] = 0.0\n    return (P * (R + gamma * V)).sum(-1)\n'))
MUTANTS['sarsa_update'].append(('expected SARSA: mean over next actions (learner test)', '\ndef sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma):\n    target = r if terminated else r + gamma * Q[s_next].mean()\n    d = target - Q[s, a]\n    Q[s, a] += alpha * d\n    return float(d)\n'))
MUTANTS['UCB'].append(('a random untried arm from self.rng (learner test)', '\nclass UCB(EpsilonGreedy):\n    def act(self):\n        if (self.counts == 0).any():\n            return int(self.rng.choice(np.flatnonzero(self.counts == 0)))\n        return int(np.argmax(self.q + self.c * np.sqrt(np.log(self.t) / self.counts)))\n'))
MUTANTS['EpsilonGreedy'].append(('step_size None treated as 0.1 (learner test)', '\nclass EpsilonGreedy(BanditAgent):\n    def act(self):\n        return epsilon_greedy_action(self.q, self.epsilon, self.rng)\n    def update(self, action, reward):\n        self.t += 1\n        self.counts[action] += 1\n        alpha = self.step_size or 0.1\n        self.q[action] += alpha * (reward - self.q[action])\n'))
MUTANTS['GaussianBandit'].append(('terminates after every pull (learner test)', '\nclass GaussianBandit(BanditEnvBase):\n    def reset(self, *, seed=None, options=None):\n        super().reset(seed=seed)\n        self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)\n        return 0, {"means": self.means.copy()}\n    def step(self, action):\n        if not self.action_space.contains(action):\n            raise ValueError\n        r = float(self.np_random.normal(self.means[action], self.reward_std))\n        return 0, r, True, False, {"regret": float(self.means.max() - self.means[action])}\n'))
MUTANTS['policy_improvement'].append(('ties broken at random (learner test)', '\ndef policy_improvement(P, R, V, gamma, terminal):\n    q = q_values(P, R, V, gamma, terminal)\n    return np.array([np.random.choice(np.flatnonzero(row == row.max())) for row in q])\n'))

_ALT_EXTRA = {
    'UCB': ('np.where with a safe denominator (learner test)', '\nclass UCB(EpsilonGreedy):\n    def act(self):\n        n = np.maximum(self.counts, 1)\n        bonus = self.c * np.sqrt(np.log(max(self.t, 1)) / n)\n        score = np.where(self.counts > 0, self.q + bonus, np.inf)\n        return int(np.argmax(score))\n'),
    'policy_evaluation_exact': ('matrix inverse, columns and rows masked (learner test)', '\ndef policy_evaluation_exact(P, R, policy, gamma, terminal):\n    n = P.shape[0]\n    Ppi = (policy[:, :, None] * P).sum(1)\n    rpi = (policy * (P * R).sum(-1)).sum(1)\n    Ppi = Ppi.copy(); Ppi[:, terminal] = 0; Ppi[terminal, :] = 0; rpi[terminal] = 0\n    return np.linalg.inv(np.eye(n) - gamma * Ppi) @ rpi\n'),
    'epsilon_greedy_action': ('rng.choice for the random action (learner test)', '\ndef epsilon_greedy_action(q, epsilon, rng):\n    u = rng.random()\n    if u < epsilon:\n        return int(rng.choice(len(q)))\n    return int(q.argmax())\n'),
    'GaussianBandit': ('range membership check (learner test)', '\nclass GaussianBandit(BanditEnvBase):\n    def reset(self, *, seed=None, options=None):\n        super().reset(seed=seed)\n        self.means = self.np_random.normal(0.0, 1.0, size=self.n_arms)\n        return 0, {"means": self.means.copy()}\n    def step(self, action):\n        if action not in range(self.n_arms):\n            raise ValueError("invalid action")\n        r = self.np_random.normal(self.means[action], self.reward_std)\n        return 0, float(r), False, False, {"regret": self.means.max() - self.means[action]}\n'),
    'value_iteration': ('while loop, matmul on the last axis (learner test)', '\ndef value_iteration(P, R, gamma, terminal, tol=1e-10, max_iters=10_000):\n    V = np.zeros(len(P)); it = 0\n    while True:\n        Q = np.einsum("sat,sat->sa", P, R) + gamma * P @ (V * ~terminal)\n        V_new = Q.max(axis=1); V_new[terminal] = 0\n        it += 1\n        diff = abs(V_new - V).max(); V = V_new\n        if diff < tol or it >= max_iters:\n            break\n    return V, policy_improvement(P, R, V, gamma, terminal)\n'),
    'q_learning_update': ('(1 - terminated) factor, .item() (learner test)', '\ndef q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):\n    td = r + (1 - terminated) * gamma * Q[s_next].max() - Q[s, a]\n    Q[s, a] += alpha * td\n    return td.item()\n'),
}
ALTERNATIVES = {ex: [("alternative", src)] + ([_ALT_EXTRA[ex]] if ex in _ALT_EXTRA else []) for ex, src in ALTERNATIVES.items()}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
