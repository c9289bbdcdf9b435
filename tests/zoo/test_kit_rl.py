"""arena_check.kit.rl: the RL pages' shared evaluation and drawing helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import gymnasium as gym
import numpy as np
import pytest

from arena_check.kit.rl import cartpole_strip, episode_states, greedy_returns, running_mean


def lean_against(obs: np.ndarray) -> int:
    """Push the cart towards the side the pole leans to: a decent CartPole controller."""
    return int(obs[2] + 0.5 * obs[3] > 0)


def test_greedy_returns_are_seeded_episodes() -> None:
    returns = greedy_returns(lean_against, n_episodes=3, seed=5)
    again = greedy_returns(lean_against, n_episodes=3, seed=5)
    assert returns == again and len(returns) == 3
    # each episode k is the one reset with seed 5 + k
    assert greedy_returns(lean_against, n_episodes=1, seed=6) == returns[1:2]
    assert all(r > 100 for r in returns), returns  # the controller balances for a long time
    always_left = greedy_returns(lambda obs: 0, n_episodes=3, seed=5)
    assert max(always_left) < 20


def test_greedy_returns_leaves_a_given_env_open() -> None:
    env = gym.make("CartPole-v1")
    greedy_returns(lambda obs: 0, env=env, n_episodes=1)
    env.reset(seed=0)  # still usable
    env.close()


def test_episode_states_start_with_the_reset_and_stop_at_the_end() -> None:
    states = episode_states(lambda obs: 0, seed=3)
    first, _ = gym.make("CartPole-v1").reset(seed=3)
    np.testing.assert_array_equal(states[0], first)
    assert len(states) == 1 + int(greedy_returns(lambda obs: 0, n_episodes=1, seed=3)[0])
    assert len(episode_states(lean_against, seed=3, max_steps=10)) == 11


def test_running_mean_is_a_trailing_window() -> None:
    np.testing.assert_allclose(running_mean([1, 2, 3, 4, 5], k=2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(running_mean([2, 4, 6], k=20), [2, 3, 4])


def test_cartpole_strip_draws_the_steps_reached() -> None:
    states = episode_states(lean_against, seed=0, max_steps=30)
    fig = cartpole_strip(states, steps=[0, 10, 20, 400], ncols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == ["step 0", "step 10", "step 20"]
    with pytest.raises(ValueError, match="none of the steps"):
        cartpole_strip(states, steps=[1000])
