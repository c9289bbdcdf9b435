"""Retraining reproduces the shipped weights of the chapter-1 SAE and the chapter-3 agents.

The attn-only, gpt2-mini and organism models have their retrain tests beside their other tests;
these three models are loaded by section pages only (no zoo entry), so their retrain tests live
here. Each runs the model's `tools/train_*.py` script with its defaults into a temporary folder on
one thread and compares the new meta.json with the shipped one. Marked slow: minutes each
(``make test-slow``), never part of ``make test``.

Tolerances: on the same torch build and one thread the scripts are deterministic, so the numbers
usually match exactly; the margins allow for another CPU's floating-point kernels, which can send
a long RL run down a different path. They are far tighter than the difference between a trained
and an untrained model, which is what a stale or broken script would show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from arena_check.kit.paths import weights_dir

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def _run(script: str, *args: str, timeout: int) -> None:
    subprocess.run([sys.executable, str(REPO / "tools" / script), *args],
                   check=True, env=ENV, timeout=timeout, capture_output=True)


def _meta(folder: Path) -> dict:
    return json.loads((folder / "meta.json").read_text())


@pytest.mark.slow
def test_dqn_cartpole_retrains_to_the_shipped_agent(tmp_path: Path) -> None:
    """Same configuration, and the new agent is as good as the shipped one on the same seeds."""
    _run("train_dqn_cartpole.py", "--out", str(tmp_path), timeout=1800)
    new, old = _meta(tmp_path), _meta(weights_dir("dqn-cartpole"))
    assert new["config"] == old["config"]
    assert new["eval_mean"] >= 475, f"retrained agent averages {new['eval_mean']} (shipped {old['eval_mean']})"
    assert new["eval_mean"] == pytest.approx(old["eval_mean"], abs=25)
    assert (tmp_path / "model.safetensors").exists()


@pytest.mark.slow
def test_sae_smollm2_retrains_to_the_shipped_metrics(tmp_path: Path) -> None:
    """Same hyperparameters and activation scale; reconstruction, sparsity and dead latents match."""
    _run("train_sae_smollm2.py", "--out", str(tmp_path), timeout=1800)
    new, old = _meta(tmp_path), _meta(weights_dir("sae-smollm2-layer6"))
    assert new["hyperparameters"] == old["hyperparameters"]
    assert new["act_scale"] == pytest.approx(old["act_scale"], rel=1e-3)
    got, want = new["train_metrics_last_4096"], old["train_metrics_last_4096"]
    assert got["fvu"] == pytest.approx(want["fvu"], abs=0.02)
    assert got["l0"] == pytest.approx(want["l0"], abs=3)
    assert got["dead"] == pytest.approx(want["dead"], abs=40)


@pytest.mark.slow
@pytest.mark.parametrize("beta", [0.05, 0.5])
def test_rlhf_adapters_retrain_to_the_shipped_runs(tmp_path: Path, beta: float) -> None:
    """The low-KL-penalty run still ends reward-hacked (score at the cap) and the high-penalty run
    still stays near the base model; the settings are the shipped ones."""
    _run("train_rlhf_smollm2.py", "--beta", str(beta), "--out", str(tmp_path), timeout=3600)
    name = f"rlhf-smollm2-beta-{beta}"
    new, old = _meta(tmp_path / name), _meta(weights_dir(name))
    for key in ("beta", "steps", "lr", "rank", "alpha", "target_modules", "batch", "max_new_tokens"):
        assert new[key] == old[key], key

    def tail(meta: dict, key: str) -> float:
        last = meta["log"][-4:]
        return sum(step[key] for step in last) / len(last)

    assert tail(new, "score") == pytest.approx(tail(old, "score"), abs=0.5)
    assert tail(new, "kl") == pytest.approx(tail(old, "kl"), rel=0.3, abs=2.0)
