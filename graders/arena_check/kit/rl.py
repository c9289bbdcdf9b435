"""Helpers the reinforcement-learning pages share: greedy evaluation, an episode's states, running
means, and CartPole drawn from its state.

Why drawings from the state: gymnasium renders CartPole with pygame, which the book does not
install (a site build has no display, and a learner's laptop need not have SDL). The state already
says everything a picture shows — the cart's position ``x`` and the pole's angle ``theta`` — so
matplotlib draws it, and the figure is a static image that works offline.

    from arena_check.kit.rl import greedy_returns, episode_states, cartpole_strip, running_mean

    act = lambda obs: int(q_net(torch.as_tensor(obs)[None])[0].argmax())
    returns = greedy_returns(act, "CartPole-v1", n_episodes=20, seed=10_000)
    cartpole_strip(episode_states(act, seed=10_000), steps=range(0, 500, 100))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import gymnasium as gym
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: A policy as the helpers see it: an observation in, an action out (greedy, no sampling).
Act = Callable[[np.ndarray], int]

CARTPOLE_X_LIMIT = 2.4  # CartPole-v1 terminates when |x| exceeds this


def greedy_returns(
    act: Act, env_id: str = "CartPole-v1", n_episodes: int = 20, seed: int = 10_000, env: gym.Env | None = None
) -> list[float]:
    """The undiscounted return of ``n_episodes`` episodes, reset with seeds ``seed, seed + 1, …``.

    Fixed, distinct seeds make an evaluation reproducible and comparable between runs; starting
    them far from the training seeds keeps it honest. ``env`` replaces ``gym.make(env_id)``.
    """
    import gymnasium as gym

    own = env is None
    env = gym.make(env_id) if env is None else env
    returns = []
    try:
        for k in range(n_episodes):
            obs, _ = env.reset(seed=seed + k)
            total, done = 0.0, False
            while not done:
                obs, reward, terminated, truncated, _ = env.step(act(obs))
                total += float(reward)
                done = bool(terminated or truncated)
            returns.append(total)
    finally:
        if own:
            env.close()
    return returns


def episode_states(act: Act, env_id: str = "CartPole-v1", seed: int = 10_000, max_steps: int = 500) -> list[np.ndarray]:
    """The observations of one episode, the first one included, until it ends or ``max_steps``."""
    import gymnasium as gym

    env = gym.make(env_id)
    try:
        obs, _ = env.reset(seed=seed)
        states = [obs]
        for _ in range(max_steps):
            obs, _, terminated, truncated, _ = env.step(act(obs))
            states.append(obs)
            if terminated or truncated:
                break
    finally:
        env.close()
    return states


def running_mean(xs: Sequence[float], k: int = 20) -> np.ndarray:
    """The mean of each value and the up to ``k - 1`` before it (a trailing window, so the curve
    at step t uses nothing after t; shorter at the start rather than padded)."""
    values = np.asarray(xs, dtype=float)
    sums = np.concatenate([[0.0], np.cumsum(values)])
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - k)
    return (sums[ends] - sums[starts]) / (ends - starts)


def draw_cartpole(ax: Axes, state: Sequence[float], title: str | None = None) -> None:
    """Draw one CartPole state: the track, the cart at ``x``, the pole at angle ``theta`` (0 is
    upright; drawn at its full length of 1, twice gymnasium's half-length)."""
    from matplotlib.patches import Rectangle

    x, theta = float(state[0]), float(state[2])
    ax.plot([-CARTPOLE_X_LIMIT, CARTPOLE_X_LIMIT], [0, 0], color="black", lw=1)
    ax.add_patch(Rectangle((x - 0.25, -0.08), 0.5, 0.16, color="tab:blue"))
    ax.plot([x, x + np.sin(theta)], [0.05, 0.05 + np.cos(theta)], color="tab:orange", lw=3)
    ax.set(xlim=(-CARTPOLE_X_LIMIT, CARTPOLE_X_LIMIT), ylim=(-0.3, 1.2), aspect="equal", xticks=[], yticks=[])
    if title:
        ax.set_title(title, fontsize=8)


def cartpole_strip(
    states: Sequence[Sequence[float]], steps: Iterable[int], *, ncols: int | None = None, title: str | None = None
) -> Figure:
    """A grid of CartPole frames: ``states[t]`` for each ``t`` in ``steps`` that the episode
    reached, titled with its step. Returns the figure (a notebook shows it)."""
    import matplotlib.pyplot as plt

    shown = [t for t in steps if 0 <= t < len(states)]
    if not shown:
        raise ValueError(f"none of the steps is in the episode (it has {len(states)} states)")
    ncols = ncols or len(shown)
    nrows = -(-len(shown) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2 * ncols, 1.3 * nrows + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, t in zip(axes.flat, shown, strict=False):
        ax.axis("on")
        draw_cartpole(ax, states[t], f"step {t}")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
