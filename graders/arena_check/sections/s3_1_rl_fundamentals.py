"""Checks for section 3.1 — RL fundamentals.

Everything here is deterministic and small: bandit environments and agents are compared with the
reference step by step on seeded generators (same seed, same draws, same actions); planning
functions on random MDPs given as arrays ``P[s, a, s']``, ``R[s, a, s']`` with a terminal mask;
TD updates on fixed Q tables. The inputs are built to expose a class of bug each:

* terminal states whose rows are *not* absorbing and whose ``V`` entries are non-zero, so that
  bootstrapping from a terminal state changes the answer;
* several discount factors (0, 0.5, 0.9, 0.99 and 1 on MDPs where every episode ends), so that a
  discount on the reward instead of the next value is visible;
* a fixed small number of sweeps (``tol=0``), where synchronous and in-place sweeps differ;
* duplicated actions (exact ties), where the lowest index must win;
* UCB states with untried arms and ``t`` = 0 or 1, with NumPy warnings raised as errors;
* RNG consumption compared after the call, so that a skipped or extra draw is caught.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from arena_check.reference import s3_1_rl_fundamentals as ref
from arena_check.registry import check
from arena_check.testing import CheckFailed, call, check_defaults, expect_equal, expect_tensor

SECTION = "3.1"


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _expect_array(got, expected: np.ndarray, *, context: str, hint: str = "", exact: bool = False, atol: float = 1e-9) -> None:
    """Compare NumPy arrays through ``expect_tensor`` (shape, dtype, values, first difference)."""
    suffix = f" Hint: {hint}" if hint else ""
    if not isinstance(got, np.ndarray):
        raise CheckFailed(f"For {context}: expected a NumPy array, got {type(got).__name__}.{suffix}")
    expect_tensor(torch.from_numpy(np.ascontiguousarray(got)), torch.from_numpy(np.ascontiguousarray(expected)),
                  context=context, hint=hint, exact=exact, atol=atol, rtol=0.0)


def _call_unmodified(fn, *args, name: str, context: str, **kwargs):
    """Call ``fn`` and fail if it changed any NumPy array argument in place."""
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    out = call(fn, *args, name=name, context=context, **kwargs)
    for i, (old, new) in enumerate(zip(before, args, strict=True)):
        if old is not None and not np.array_equal(old, new, equal_nan=True):
            raise CheckFailed(
                f"For {context}: `{name}` changed its input argument #{i + 1} in place. "
                "Work on a copy (np.where, arithmetic that returns a new array) instead."
            )
    return out


def _mdp(n_s: int, n_a: int, seed: int, n_terminal: int = 1, ends: bool = False):
    """A random MDP whose last ``n_terminal`` states are terminal but NOT absorbing (their rows
    lead elsewhere), so that only the mask says they end the episode. ``ends=True`` puts at least
    30 % of every row's mass on terminal states, so that every policy ends (gamma = 1 is fine)."""
    g = np.random.default_rng(seed)
    P = g.dirichlet(np.ones(n_s), size=(n_s, n_a))
    terminal = np.zeros(n_s, dtype=bool)
    if n_terminal:
        terminal[n_s - n_terminal:] = True
    if ends and n_terminal:
        P = 0.7 * P + 0.3 * terminal / n_terminal
    R = g.normal(size=(n_s, n_a, n_s)) + 0.5
    return P, R, terminal


def _next_state_reward_mdp(seed: int):
    """Rewards depend only on the state entered (as in a gridworld), so that the greedy action
    depends on the values of next states, not only on the immediate reward."""
    P, R, terminal = _mdp(6, 3, seed, n_terminal=2)
    R = np.broadcast_to(np.random.default_rng(seed).normal(size=6), P.shape).copy()
    return P, R, terminal


def _chain_mdp(n: int = 8, slip: float = 0.0):
    """A corridor: action 0 left, 1 right (the other way with probability ``slip``, 0 by default), -0.1 a step,
    +1 for entering the terminal right end. From "always left", the improvement travels one state
    per iteration, so policy iteration needs many rounds."""
    P = np.zeros((n, 2, n))
    for s in range(n):
        for a, step in ((0, -1), (1, 1)):
            P[s, a, min(max(s + step, 0), n - 1)] += 1 - slip
            P[s, a, min(max(s - step, 0), n - 1)] += slip
    R = np.full((n, 2, n), -0.1)
    R[:, :, n - 1] += 1.0
    terminal = np.zeros(n, dtype=bool)
    terminal[n - 1] = True
    return P, R, terminal


def _policy(n_s: int, n_a: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(n_a), size=n_s)


def _mdp_cases() -> list[tuple[str, tuple, float]]:
    """(description, (P, R, terminal), gamma) covering the discount factors and shapes."""
    return [
        ("a 5-state 3-action MDP (seed 0, state 4 terminal, not absorbing), gamma=0.9", _mdp(5, 3, 0), 0.9),
        ("a 4-state 4-action MDP (seed 1, 2 terminal states), gamma=0.5", _mdp(4, 4, 1, n_terminal=2), 0.5),
        ("a 6-state 2-action MDP where every episode ends (seed 2), gamma=1.0", _mdp(6, 2, 2, n_terminal=2, ends=True), 1.0),
        ("a 3-state 3-action MDP without terminal states (seed 3), gamma=0.99", _mdp(3, 3, 3, n_terminal=0), 0.99),
        ("a 4-state 2-action MDP (seed 4), gamma=0.0", _mdp(4, 2, 4), 0.0),
    ]


_TERMINAL_HINT = ("The value of a terminal next state is 0 — mask it (np.where(terminal, 0, V)) rather than "
                  "trusting V or P to be zero there; gamma multiplies only the next state's value, not the reward.")


# ------------------------------------------------------------------------------------------
# Part 1 · bandits
# ------------------------------------------------------------------------------------------
def _bandit_pair(cls, n_arms: int, reward_std: float):
    mine = call(cls, n_arms=n_arms, reward_std=reward_std, name="GaussianBandit", context=f"GaussianBandit(n_arms={n_arms})")
    return mine, ref.GaussianBandit(n_arms=n_arms, reward_std=reward_std)


@check(SECTION, "GaussianBandit", points=1)
def check_bandit_reset(GaussianBandit) -> None:
    """reset(seed) draws the means from self.np_random: same seed, same means; info holds a copy."""
    for n_arms, seed in [(10, 0), (3, 1), (1, 7), (10, 123)]:
        context = f"GaussianBandit(n_arms={n_arms}).reset(seed={seed})"
        env, ref_env = _bandit_pair(GaussianBandit, n_arms, 1.0)
        out = call(env.reset, seed=seed, name="reset", context=context)
        ref_out = ref_env.reset(seed=seed)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise CheckFailed(f"For {context}: reset should return (observation, info), got {out!r:.100}.")
        expect_equal(out[0], 0, context=context + ", the observation", hint="a bandit has a single dummy observation, 0.")
        if not isinstance(out[1], dict) or "means" not in out[1]:
            raise CheckFailed(f"For {context}: info should be a dict with the key 'means'.")
        _expect_array(env.means, ref_out[1]["means"], context=context + ", self.means", atol=1e-12,
                      hint="seed with super().reset(seed=seed), then draw self.np_random.normal(0.0, 1.0, size=self.n_arms) — "
                      "one draw of that size, from self.np_random, not np.random.")
        _expect_array(out[1]["means"], ref_out[1]["means"], context=context + ", info['means']", atol=1e-12)
        out[1]["means"][...] = 99.0
        if np.any(env.means == 99.0):
            raise CheckFailed(f"For {context}: info['means'] is self.means itself; return a copy, so that a caller "
                              "cannot change the arms by editing info.")
        again = env.reset(seed=seed)[1]["means"]
        _expect_array(again, ref_out[1]["means"], context=context + " called a second time", atol=1e-12,
                      hint="the same seed must give the same arms every time.")


@check(SECTION, "GaussianBandit", points=1)
def check_bandit_step(GaussianBandit) -> None:
    """step pays rewards drawn from self.np_random around the arm's mean, with the promised tuple."""
    for n_arms, std, seed in [(10, 1.0, 0), (4, 0.5, 3), (5, 2.0, 9)]:
        env, ref_env = _bandit_pair(GaussianBandit, n_arms, std)
        env.reset(seed=seed)
        ref_env.reset(seed=seed)
        actions = np.random.default_rng(seed).integers(n_arms, size=40)
        for i, a in enumerate(actions):
            context = f"GaussianBandit(n_arms={n_arms}, reward_std={std}), reset(seed={seed}), step {i} with action {int(a)}"
            out = call(env.step, int(a), name="step", context=context)
            exp = ref_env.step(int(a))
            if not (isinstance(out, tuple) and len(out) == 5):
                raise CheckFailed(f"For {context}: step should return (obs, reward, terminated, truncated, info).")
            obs, reward, terminated, truncated, info = out
            expect_equal((obs, terminated, truncated), (0, False, False), context=context + ", (obs, terminated, truncated)",
                         hint="a bandit never terminates or truncates; its observation is always 0.")
            if not isinstance(reward, float) or not math.isclose(reward, exp[1], rel_tol=0, abs_tol=1e-12):
                raise CheckFailed(
                    f"For {context}: expected reward {exp[1]:.6f} (a Python float), got {reward!r:.40}. Hint: one draw "
                    "float(self.np_random.normal(self.means[action], self.reward_std)) per step — the env's own "
                    "generator and this arm's mean, scaled by reward_std."
                )
            got_regret = info.get("regret") if isinstance(info, dict) else None
            if got_regret is None or not math.isclose(float(got_regret), exp[4]["regret"], abs_tol=1e-12):
                raise CheckFailed(f"For {context}: expected info['regret'] = {exp[4]['regret']:.6f}, got {got_regret!r:.40}. "
                                  "Hint: regret is max(means) - means[action], never negative.")
    env = GaussianBandit(n_arms=3)
    env.reset(seed=0)
    for bad in (-1, 3):
        try:
            env.step(bad)
        except ValueError:
            continue
        except Exception as e:  # noqa: BLE001
            raise CheckFailed(f"For action {bad} on a 3-armed bandit: expected ValueError, got {type(e).__name__}.") from None
        raise CheckFailed(f"For action {bad} on a 3-armed bandit: expected ValueError, but step accepted it "
                          "(a negative index silently pulls another arm). Hint: self.action_space.contains(action).")


def _rng_next(rng: np.random.Generator) -> float:
    return float(rng.random())


@check(SECTION, "epsilon_greedy_action", points=2)
def check_epsilon_greedy_action(epsilon_greedy_action) -> None:
    """Sequences of actions on seeded generators equal the reference's, then the generators agree."""
    cases = [
        ("q = [1, 3, 3, 0] (a tie), epsilon=0.3", np.array([1.0, 3.0, 3.0, 0.0]), 0.3),
        ("q = [1, 3, 3, 0] (a tie), epsilon=0.0", np.array([1.0, 3.0, 3.0, 0.0]), 0.0),
        ("q = [-2, -1, -5] (all negative), epsilon=1.0", np.array([-2.0, -1.0, -5.0]), 1.0),
        ("q = [0.5, 0.2] , epsilon=0.5", np.array([0.5, 0.2]), 0.5),
        ("a single action q = [4.0], epsilon=0.2", np.array([4.0]), 0.2),
        ("q = [0, 0, 0, 0, 0] (all tied), epsilon=0.1", np.zeros(5), 0.1),
    ]
    for seed, (desc, q, eps) in enumerate(cases):
        context = f"{desc}, 200 calls with np.random.default_rng({seed})"
        rng, ref_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        got = [_call_unmodified(epsilon_greedy_action, q, eps, rng, name="epsilon_greedy_action", context=context) for _ in range(200)]
        expected = [ref.epsilon_greedy_action(q, eps, ref_rng) for _ in range(200)]
        bad = next((i for i, x in enumerate(got) if not isinstance(x, int) or isinstance(x, bool)), None)
        if bad is not None:
            raise CheckFailed(f"For {context}: expected a Python int, got {type(got[bad]).__name__}. Hint: wrap with int(...).")
        if got != expected:
            i = next(i for i, (x, y) in enumerate(zip(got, expected, strict=True)) if x != y)
            counts = np.bincount(got, minlength=len(q)) / len(got)
            raise CheckFailed(
                f"For {context}: call {i} returned {got[i]}, expected {expected[i]} (your action frequencies "
                f"{np.round(counts, 2).tolist()}). Hint: draw u = rng.random() first on every call; if u < epsilon "
                "return int(rng.integers(len(q))) — uniform over ALL actions, greedy included; otherwise np.argmax(q), "
                "the lowest index among ties."
            )
        if _rng_next(rng) != _rng_next(ref_rng):
            raise CheckFailed(
                f"For {context}: the actions match but your function drew a different number of random numbers "
                "from rng. Hint: exactly one rng.random() per call (even when epsilon is 0), plus one "
                "rng.integers(len(q)) when exploring."
            )


def _agent_pair(cls, ref_cls, n_arms: int, seed: int, **kwargs):
    mine = call(cls, n_arms, np.random.default_rng(seed), name=cls.__name__, context=f"{ref_cls.__name__}({n_arms}, rng, {kwargs})", **kwargs)
    return mine, ref_cls(n_arms, np.random.default_rng(seed), **kwargs)


@check(SECTION, "EpsilonGreedy", points=1)
def check_epsilon_greedy_act(EpsilonGreedy) -> None:
    """act follows epsilon_greedy_action's conventions on the agent's own q, epsilon and rng."""
    for seed, (n, eps, q) in enumerate([(4, 0.25, [0.0, 2.0, 2.0, 1.0]), (3, 0.0, [-1.0, -0.5, -0.5]), (5, 1.0, [0.0] * 5)]):
        agent, ref_agent = _agent_pair(EpsilonGreedy, ref.EpsilonGreedy, n, seed, epsilon=eps)
        agent.q[:] = q
        ref_agent.q[:] = q
        context = f"EpsilonGreedy({n} arms, epsilon={eps}) with q = {q}, 100 calls of act()"
        got = [call(agent.act, name="act", context=context) for _ in range(100)]
        expected = [ref_agent.act() for _ in range(100)]
        if got != expected or agent.rng.random() != ref_agent.rng.random():
            raise CheckFailed(f"For {context}: your actions (or your use of self.rng) differ from the reference's. "
                              "Hint: return epsilon_greedy_action(self.q, self.epsilon, self.rng).")


@check(SECTION, "EpsilonGreedy", points=2)
def check_epsilon_greedy_update(EpsilonGreedy) -> None:
    """update: sample averages (step 1/n per arm) or a constant step; counts and t; optimistic start."""
    rewards = np.random.default_rng(5).normal(1.0, 2.0, size=30)
    arms = np.random.default_rng(6).integers(3, size=30)
    for kwargs in [{}, {"step_size": 0.1}, {"initial_value": 5.0}, {"initial_value": 5.0, "step_size": 0.3}]:
        agent, ref_agent = _agent_pair(EpsilonGreedy, ref.EpsilonGreedy, 3, 0, **kwargs)
        for i, (a, r) in enumerate(zip(arms, rewards, strict=True)):
            context = f"EpsilonGreedy(3 arms, {kwargs or 'defaults'}), after update {i} (arm {int(a)}, reward {r:.3f})"
            out = call(agent.update, int(a), float(r), name="update", context=context)
            ref_agent.update(int(a), float(r))
            if out is not None:
                raise CheckFailed(f"For {context}: update should return None (it changes the agent).")
            expect_equal(int(agent.t), ref_agent.t, context=context + ", self.t", hint="add one to self.t per update.")
            _expect_array(agent.counts, ref_agent.counts, context=context + ", self.counts", exact=True,
                          hint="add one to self.counts[action] per update (int64).")
            _expect_array(agent.q, ref_agent.q, context=context + ", self.q", atol=1e-12,
                          hint="q[a] += step * (reward - q[a]) with step 1 / counts[a] — the count *including* this "
                          "reward, per arm, not per agent — when step_size is None, else the constant step_size. "
                          "With sample averages the first reward replaces the initial value entirely.")


@check(SECTION, "UCB", points=2)
def check_ucb(UCB) -> None:
    """act on set states: untried arms first (lowest index), then the UCB argmax; no log(0), no /0."""
    states = [
        ("no arm tried yet (t=0)", [0, 0, 0, 0], [0.0, 0.0, 0.0, 0.0], 0, 2.0),
        ("arm 0 tried once (t=1), arms 1–3 untried, q[0] = 10", [1, 0, 0, 0], [10.0, 0.0, 0.0, 0.0], 1, 2.0),
        ("arms 1 and 3 untried, the others with large q", [3, 0, 2, 0], [9.0, 0.0, 8.0, 0.0], 5, 2.0),
        ("every arm tried, counts [5, 1, 3], q [1.0, 0.2, 0.9], t=9, c=2", [5, 1, 3], [1.0, 0.2, 0.9], 9, 2.0),
        ("every arm tried, counts [5, 1, 3], q [1.0, 0.2, 0.9], t=9, c=0.5", [5, 1, 3], [1.0, 0.2, 0.9], 9, 0.5),
        ("every arm tried, counts [5, 1, 3], q [1.0, 0.2, 0.9], t=9, c=0 (greedy)", [5, 1, 3], [1.0, 0.2, 0.9], 9, 0.0),
        ("every arm tried once (t=3): ln(3)/1 bonus for all", [1, 1, 1], [0.1, 0.4, 0.3], 3, 1.0),
        ("counts [1, 4], q [0, 0.66], t=5, c=1 (a close call between the bonus and the estimate)", [1, 4], [0.0, 0.66], 5, 1.0),
        ("an exact tie: counts [2, 2, 2], q [0.5, 0.5, 0.5], t=6", [2, 2, 2], [0.5, 0.5, 0.5], 6, 2.0),
        ("counts [40, 2, 10, 8], q [0.6, 0.1, 0.5, 0.55], t=60, c=1", [40, 2, 10, 8], [0.6, 0.1, 0.5, 0.55], 60, 1.0),
        ("counts [100, 3], q [0.9, 0.0], t=103, c=0.3", [100, 3], [0.9, 0.0], 103, 0.3),
    ]
    for desc, counts, q, t, c in states:
        n = len(counts)
        agent, ref_agent = _agent_pair(UCB, ref.UCB, n, 0, c=c)
        for a in (agent, ref_agent):
            a.counts[:] = counts
            a.q[:] = q
            a.t = t
        context = f"UCB with {desc}"
        before = agent.rng.bit_generator.state
        try:
            with np.errstate(divide="raise", invalid="raise", over="raise"):
                got = call(agent.act, name="act", context=context)
        except FloatingPointError as e:
            raise CheckFailed(
                f"For {context}: your act() divided by zero or took log(0) ({e}). NumPy would only warn and "
                "return inf or nan, which can pick the right arm by accident. Hint: return the first untried "
                "arm before computing any bonus."
            ) from None
        expected = ref_agent.act()
        if not isinstance(got, int | np.integer) or int(got) != expected:
            raise CheckFailed(
                f"For {context}: expected arm {expected}, got {got!r:.40}. Hint: any untried arm first (the lowest "
                "index); otherwise argmax of q + c * sqrt(ln(t) / counts) with t = self.t, ties to the lowest index."
            )
        if agent.rng.bit_generator.state != before:
            raise CheckFailed(f"For {context}: act() drew from self.rng; UCB uses no randomness.")


@check(SECTION, "UCB", points=1)
def check_ucb_run(UCB) -> None:
    """A 60-step run (act, then the inherited update) matches the reference's actions."""
    rewards = np.random.default_rng(3).normal(size=(60, 5)) + np.array([0.0, 0.5, 1.0, 0.2, 0.8])
    agent, ref_agent = _agent_pair(UCB, ref.UCB, 5, 0, c=1.5)
    for i in range(60):
        context = f"UCB(5 arms, c=1.5) on a fixed reward sequence, step {i}"
        with np.errstate(divide="raise", invalid="raise"):
            try:
                a = call(agent.act, name="act", context=context)
            except FloatingPointError as e:
                raise CheckFailed(f"For {context}: division by zero or log(0) ({e}). Hint: untried arms first.") from None
        b = ref_agent.act()
        expect_equal(int(a), b, context=context, hint="pull each arm once in index order, then use the UCB score with t = self.t.")
        agent.update(int(a), float(rewards[i, int(a)]))
        ref_agent.update(b, float(rewards[i, b]))


# ------------------------------------------------------------------------------------------
# Part 2 · policy evaluation
# ------------------------------------------------------------------------------------------
@check(SECTION, "q_values", points=1)
def check_q_values(q_values) -> None:
    """Random MDPs with non-absorbing terminal states, V non-zero there, several gammas."""
    for i, (desc, (P, R, terminal), gamma) in enumerate(_mdp_cases()):
        V = np.random.default_rng(100 + i).normal(size=P.shape[0]) * 3.0
        context = f"{desc}, V random (non-zero at terminal states)"
        got = _call_unmodified(q_values, P, R, V, gamma, terminal, name="q_values", context=context)
        _expect_array(got, ref.q_values(P, R, V, gamma, terminal), context=context, atol=1e-10, hint=_TERMINAL_HINT)


@check(SECTION, "policy_evaluation_iterative", points=2)
def check_policy_evaluation_iterative(policy_evaluation_iterative) -> None:
    """1, 2 and 3 synchronous sweeps exactly (tol=0), a loose tol, then convergence with defaults."""
    check_defaults(policy_evaluation_iterative, ref.policy_evaluation_iterative, name="policy_evaluation_iterative")
    name = "policy_evaluation_iterative"
    for i, (desc, (P, R, terminal), gamma) in enumerate(_mdp_cases()[:3]):
        pi = _policy(P.shape[0], P.shape[1], 200 + i)
        for k in (1, 2, 3):
            context = f"{desc}, a random stochastic policy, tol=0, max_iters={k} (exactly {k} sweep{'s' if k > 1 else ''})"
            got = _call_unmodified(policy_evaluation_iterative, P, R, pi, gamma, terminal, tol=0.0, max_iters=k, name=name, context=context)
            _expect_array(got, ref.policy_evaluation_iterative(P, R, pi, gamma, terminal, tol=0.0, max_iters=k), context=context, atol=1e-10,
                          hint="start from V = 0 and do exactly max_iters synchronous sweeps: compute the whole new array from the "
                          "previous one (no in-place, state-by-state updates), set terminal states to 0. " + _TERMINAL_HINT)
    P, R, terminal = _mdp(5, 3, 0)
    pi = _policy(5, 3, 210)
    context = "a 5-state MDP (seed 0), gamma=0.9, tol=0.05 (stops after a few sweeps)"
    got = _call_unmodified(policy_evaluation_iterative, P, R, pi, 0.9, terminal, tol=0.05, name=name, context=context)
    _expect_array(got, ref.policy_evaluation_iterative(P, R, pi, 0.9, terminal, tol=0.05), context=context, atol=1e-10,
                  hint="stop after the first sweep whose largest change is < tol, and return that sweep's new values.")
    for i, (desc, (P, R, terminal), gamma) in enumerate(_mdp_cases()):
        pi = _policy(P.shape[0], P.shape[1], 220 + i)
        context = f"{desc}, a random stochastic policy, default tol and max_iters"
        got = _call_unmodified(policy_evaluation_iterative, P, R, pi, gamma, terminal, name=name, context=context)
        _expect_array(got, ref.policy_evaluation_exact(P, R, pi, gamma, terminal), context=context, atol=1e-7, hint=_TERMINAL_HINT)


@check(SECTION, "policy_evaluation_exact", points=2)
def check_policy_evaluation_exact(policy_evaluation_exact) -> None:
    """Stochastic and deterministic policies on the MDP cases, including gamma = 1 and gamma = 0."""
    name = "policy_evaluation_exact"
    for i, (desc, (P, R, terminal), gamma) in enumerate(_mdp_cases()):
        n_s, n_a = P.shape[:2]
        for kind, pi in [("a random stochastic policy", _policy(n_s, n_a, 300 + i)),
                         ("a deterministic policy", np.eye(n_a)[np.random.default_rng(310 + i).integers(n_a, size=n_s)])]:
            context = f"{desc}, {kind}"
            got = _call_unmodified(policy_evaluation_exact, P, R, pi, gamma, terminal, name=name, context=context)
            _expect_array(got, ref.policy_evaluation_exact(P, R, pi, gamma, terminal), context=context, atol=1e-8,
                          hint="solve (I - gamma P_pi) v = r_pi with P_pi[s, s'] = Σ_a π(a|s) P[s, a, s'] and "
                          "r_pi[s] = Σ_a π(a|s) Σ_s' P[s, a, s'] R[s, a, s']; zero the columns of terminal next states "
                          "and impose v = 0 on terminal states' rows.")


# ------------------------------------------------------------------------------------------
# Part 3 · policy iteration and value iteration
# ------------------------------------------------------------------------------------------
def _tied_mdp(seed: int):
    """Actions 1 and 2 duplicate action 0 exactly, and action 3 is random: exact ties."""
    P, R, terminal = _mdp(5, 4, seed)
    P[:, 1] = P[:, 2] = P[:, 0]
    R[:, 1] = R[:, 2] = R[:, 0]
    return P, R, terminal


@check(SECTION, "policy_improvement", points=1)
def check_policy_improvement(policy_improvement) -> None:
    """Greedy actions, int64, lowest index on exact ties (duplicated actions)."""
    cases = [(desc, mdp, gamma) for desc, mdp, gamma in _mdp_cases()]
    cases.append(("a 5-state MDP whose actions 0, 1, 2 are identical (exact ties), gamma=0.9", _tied_mdp(7), 0.9))
    cases.append(("a 5-state MDP whose actions 0, 1, 2 are identical (exact ties), gamma=0.5", _tied_mdp(8), 0.5))
    for i, (desc, (P, R, terminal), gamma) in enumerate(cases):
        V = np.random.default_rng(400 + i).normal(size=P.shape[0])
        context = f"{desc}, V random"
        got = _call_unmodified(policy_improvement, P, R, V, gamma, terminal, name="policy_improvement", context=context)
        _expect_array(got, ref.policy_improvement(P, R, V, gamma, terminal), context=context, exact=True,
                      hint="argmax over actions of the one-step lookahead q(s, a), as int64; np.argmax keeps the lowest index "
                      "among equal values. " + _TERMINAL_HINT)


@check(SECTION, "policy_iteration", points=2)
def check_policy_iteration(policy_iteration) -> None:
    """V equals the reference optimum; the returned actions achieve it; V is their exact value."""
    cases = [c for c in _mdp_cases() if c[2] < 1.0] + [
        ("a 5-state MDP with exact ties between actions 0, 1, 2, gamma=0.9", _tied_mdp(9), 0.9),
        ("a 12-state 3-action MDP (seed 11), gamma=0.95", _mdp(12, 3, 11, n_terminal=3), 0.95),
        ("an 8-state corridor with the goal at the right end (needs several improvement rounds), gamma=0.9", _chain_mdp(), 0.9),
    ]
    for desc, (P, R, terminal), gamma in cases:
        context = desc
        out = _call_unmodified(policy_iteration, P, R, gamma, terminal, name="policy_iteration", context=context)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise CheckFailed(f"For {context}: expected a tuple (actions, V).")
        actions, V = out
        ref_actions, ref_V = ref.policy_iteration(P, R, gamma, terminal)
        _expect_array(V, ref_V, context=context + ", V", atol=1e-8,
                      hint="evaluate each policy exactly, improve greedily, repeat until no action improves by more than 1e-9. " + _TERMINAL_HINT)
        if not isinstance(actions, np.ndarray) or actions.shape != (P.shape[0],) or not np.issubdtype(actions.dtype, np.integer):
            raise CheckFailed(f"For {context}: actions should be an integer array of shape ({P.shape[0]},).")
        achieved = ref.policy_evaluation_exact(P, R, np.eye(P.shape[1])[actions], gamma, terminal)
        _expect_array(achieved, ref_V, context=context + ", the exact value of your returned actions", atol=1e-8,
                      hint="return the final (stable) policy together with its own value.")


@check(SECTION, "value_iteration", points=2)
def check_value_iteration(value_iteration) -> None:
    """1, 2 and 3 synchronous sweeps exactly (tol=0), then convergence with the defaults."""
    check_defaults(value_iteration, ref.value_iteration, name="value_iteration")
    name = "value_iteration"
    fixed = _mdp_cases()[:3] + [("a 6-state MDP whose rewards depend only on the state entered (seed 12), gamma=0.9",
                                 _next_state_reward_mdp(12), 0.9)]
    for desc, (P, R, terminal), gamma in fixed:
        for k in (1, 2, 3):
            context = f"{desc}, tol=0, max_iters={k} (exactly {k} sweep{'s' if k > 1 else ''})"
            out = _call_unmodified(value_iteration, P, R, gamma, terminal, tol=0.0, max_iters=k, name=name, context=context)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise CheckFailed(f"For {context}: expected a tuple (V, actions).")
            ref_V, ref_actions = ref.value_iteration(P, R, gamma, terminal, tol=0.0, max_iters=k)
            _expect_array(out[0], ref_V, context=context + ", V", atol=1e-10,
                          hint="exactly max_iters synchronous sweeps from V = 0: the new array is computed from the previous "
                          "sweep's values only (no in-place updates during a sweep); terminal states stay 0. " + _TERMINAL_HINT)
            _expect_array(out[1], ref_actions, context=context + ", actions", exact=True,
                          hint="the greedy actions (lowest index on ties) with respect to the returned V.")
    P, R, terminal = _mdp(5, 3, 0)
    context = "a 5-state MDP (seed 0), gamma=0.9, tol=0.05 (stops after a few sweeps)"
    out = _call_unmodified(value_iteration, P, R, 0.9, terminal, tol=0.05, name=name, context=context)
    _expect_array(out[0], ref.value_iteration(P, R, 0.9, terminal, tol=0.05)[0], context=context + ", V", atol=1e-10,
                  hint="stop after the first sweep whose largest change max|V_new - V| is < tol, and return that sweep's V_new.")
    for desc, (P, R, terminal), gamma in _mdp_cases() + [("exact ties, gamma=0.9", _tied_mdp(10), 0.9)]:
        context = f"{desc}, default tol and max_iters"
        V, actions = _call_unmodified(value_iteration, P, R, gamma, terminal, name=name, context=context)
        ref_V, ref_actions = ref.value_iteration(P, R, gamma, terminal)
        _expect_array(V, ref_V, context=context + ", V", atol=1e-8, hint=_TERMINAL_HINT)
        _expect_array(actions, ref_actions, context=context + ", actions", exact=True,
                      hint="the greedy actions with respect to the final V, the lowest index among ties.")


# ------------------------------------------------------------------------------------------
# Part 4 · TD updates
# ------------------------------------------------------------------------------------------
def _q_table(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(4, 3)) * 2.0


_TD_CASES = [
    ("Q 4×3 (seed 0): s=0, a=1, r=1.0, s_next=2, not terminated, alpha=0.5, gamma=0.9", 0, (0, 1, 1.0, 2, False, 0.5, 0.9)),
    ("Q 4×3 (seed 1): s=3, a=0, r=-2.0, s_next=1, terminated, alpha=0.3, gamma=0.9", 1, (3, 0, -2.0, 1, True, 0.3, 0.9)),
    ("Q 4×3 (seed 2): s=2, a=2, r=0.5, s_next=2 (a self-loop), not terminated, alpha=1.0, gamma=0.5", 2, (2, 2, 0.5, 2, False, 1.0, 0.5)),
    ("Q 4×3 (seed 3): s=1, a=0, r=0.0, s_next=0, not terminated, alpha=0.1, gamma=1.0", 3, (1, 0, 0.0, 0, False, 0.1, 1.0)),
    ("Q 4×3 (seed 4): s=0, a=2, r=3.0, s_next=3, not terminated, alpha=0.7, gamma=0.0", 4, (0, 2, 3.0, 3, False, 0.7, 0.0)),
]


def _check_td(fn, ref_fn, name: str, with_next_action: bool, hint: str) -> None:
    for desc, seed, (s, a, r, s2, done, alpha, gamma) in _TD_CASES:
        a2 = int(np.argmin(_q_table(seed)[s2]))  # not the greedy action: SARSA and Q-learning differ
        args = (s, a, r, s2, a2, done, alpha, gamma) if with_next_action else (s, a, r, s2, done, alpha, gamma)
        context = desc + (f", a_next={a2} (not the greedy action)" if with_next_action else "")
        Q, Q_ref = _q_table(seed), _q_table(seed)
        out = call(fn, Q, *args, name=name, context=context)
        expected = ref_fn(Q_ref, *args)
        if not isinstance(out, float):
            raise CheckFailed(f"For {context}: expected the TD error as a Python float, got {type(out).__name__}. "
                              "Hint: return float(delta), computed before the update.")
        if not math.isclose(out, expected, abs_tol=1e-10):
            raise CheckFailed(f"For {context}: expected TD error {expected:.6f}, got {out:.6f}. Hint: {hint}")
        _expect_array(Q, Q_ref, context=context + ", Q after the update (in place)", atol=1e-10,
                      hint="change Q[s, a] in place (Q[s, a] += alpha * delta) and nothing else. " + hint)


@check(SECTION, "q_learning_update", points=2)
def check_q_learning_update(q_learning_update) -> None:
    """Fixed Q tables: terminal targets, a self-loop, gamma 0 and 1; Q changed in place."""
    _check_td(q_learning_update, ref.q_learning_update, "q_learning_update", False,
              "target = r + gamma * max(Q[s_next]) (the max over next actions, of the NEXT state), or just r when "
              "terminated; delta = target - Q[s, a].")


@check(SECTION, "sarsa_update", points=2)
def check_sarsa_update(sarsa_update) -> None:
    """Fixed Q tables with a non-greedy next action; terminal targets; Q changed in place."""
    _check_td(sarsa_update, ref.sarsa_update, "sarsa_update", True,
              "target = r + gamma * Q[s_next, a_next] — the action actually taken next, not the max (that is "
              "Q-learning) — or just r when terminated.")


