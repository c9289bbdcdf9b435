"""Train the DQN CartPole-v1 agent of section 3.2 and ship it (weights + meta.json).

    .venv/bin/python tools/train_dqn_cartpole.py                 # writes the shipped weights
    .venv/bin/python tools/train_dqn_cartpole.py --out /tmp/x    # somewhere else

The training code is the page's own: ``train_dqn``, ``QNetwork`` and every exercise come from the
reference module generated from ``book/3_rl/3.2_dqn.md`` (``arena_check.reference.s3_2_dqn``), so
the shipped weights load into the page's (and the learner's) ``QNetwork``. Deterministic for a
given seed on one torch thread. Writes ``model.safetensors`` (the online network's state dict,
float32) and ``meta.json``: the configuration, seed, steps, wall time, the learning curve, the
periodic greedy evaluations made during training and the script's own 20-episode greedy
evaluation on seeds 10000–10019 (the page recomputes that evaluation). The shipped checkpoint is
the network at the last step, not a selected one. A quiet 2-core machine takes a few minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from arena_check.kit.paths import weights_dir  # noqa: E402
from arena_check.reference import s3_2_dqn as dqn  # noqa: E402

NAME = "dqn-cartpole"
#: The shipped run: the page's defaults, 50,000 steps, a 5-episode greedy evaluation every 5,000.
CONFIG = dqn.DQNConfig(total_steps=50_000, eval_every=5_000)


def _curve(episodes: list[tuple[int, float]], window: int = 20, every: int = 1_000) -> dict[str, list[float]]:
    """The training-episode returns as a running mean of `window`, sampled every `every` steps."""
    steps = np.array([s for s, _ in episodes])
    rets = np.array([r for _, r in episodes])
    out: dict[str, list[float]] = {"steps": [], "returns": []}
    for k in range(every, int(steps[-1]) + 1, every):
        done = rets[steps <= k]
        if len(done):
            out["steps"].append(k)
            out["returns"].append(round(float(done[-window:].mean()), 2))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=weights_dir(NAME))
    args = parser.parse_args()
    torch.set_num_threads(1)
    from safetensors.torch import save_file

    t0 = time.perf_counter()
    q_net, hist = dqn.train_dqn(CONFIG)
    wall = time.perf_counter() - t0
    returns = dqn.evaluate(q_net, CONFIG.env_id, n_episodes=20, seed=10_000)
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in q_net.state_dict().items()}, str(args.out / "model.safetensors"))
    meta = {
        "script": "tools/train_dqn_cartpole.py",
        "config": dataclasses.asdict(CONFIG),
        "steps": CONFIG.total_steps,
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "wall_seconds": round(wall, 1),
        "checkpoint": "the online network after the last step (no checkpoint selection)",
        "eval_seeds": "10000-10019",
        "eval_returns": returns,
        "eval_mean": float(np.mean(returns)),
        "evals": {"steps": [s for s, _ in hist.evals], "means": [round(m, 2) for _, m in hist.evals]},
        "curve": _curve(hist.episodes),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{CONFIG.total_steps:,} steps in {wall:.0f} s; greedy mean over 20 episodes {meta['eval_mean']:.1f}; "
          f"wrote {args.out}")


if __name__ == "__main__":
    main()
