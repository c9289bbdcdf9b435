"""The shipped ``grokking-mod-53`` run: its checkpoints load, groks as meta.json says, and retrains.

The fast tests recompute every recorded figure from the shipped checkpoints (the loaded model must
reproduce the final accuracies, and checkpoints must reproduce the logged losses at their steps),
and check the issue's target: train accuracy 100 % early, test accuracy >= 99 % only after a
visible delay. The slow test reruns the training script into a temporary folder and compares.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from arena_check.kit.models import grokking

ROOT = Path(__file__).resolve().parents[2]
TRAIN_SCRIPT = ROOT / "tools" / "train_grokking_mod_p.py"

#: The target: generalisation at least this many steps after memorisation.
MIN_DELAY_STEPS = 1000
MAX_SHIPPED_BYTES = 20_000_000


def _accuracies(model, p: int, mask: torch.Tensor) -> tuple[float, float, float, float]:
    tokens = grokking.all_inputs(p)
    labels = (tokens[:, 0] + tokens[:, 1]) % p
    with torch.no_grad():
        logits = model(tokens)[:, -1]
    logp = logits.double().log_softmax(-1).gather(-1, labels[:, None]).squeeze(-1)
    correct = (logits.argmax(-1) == labels).float()
    return (float(correct[mask].mean()), float(correct[~mask].mean()),
            float(-logp[mask].mean()), float(-logp[~mask].mean()))


@pytest.fixture(scope="module")
def meta() -> dict:
    return grokking.meta()


@pytest.fixture(scope="module")
def mask() -> torch.Tensor:
    return grokking.history()["train_mask"].flatten()


def test_shipped_files_are_small_and_only_weights_and_json() -> None:
    files = list(grokking.folder().iterdir())
    assert {f.suffix for f in files} <= {".safetensors", ".json"}, files
    size = sum(f.stat().st_size for f in files)
    assert size <= MAX_SHIPPED_BYTES, f"{size / 1e6:.1f} MB"


def test_meta_describes_the_run(meta) -> None:
    assert meta["script"] == "tools/train_grokking_mod_p.py"
    for key in ("seed", "hyperparameters", "config", "checkpoint_steps", "train_seconds", "metrics"):
        assert key in meta, key
    steps = grokking.checkpoint_steps()
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == meta["hyperparameters"]["steps"]
    assert 20 <= len(steps) <= 60


def test_every_checkpoint_loads_into_the_recorded_config() -> None:
    names = None
    for step in grokking.checkpoint_steps():
        state = grokking.state_dict(step)
        names = names or set(state)
        assert set(state) == names, step
    model = grokking.load(step=grokking.checkpoint_steps()[1])
    assert model.cfg.n_layers == 1 and model.cfg.normalization_type is None
    with pytest.raises(KeyError, match="no checkpoint"):
        grokking.state_dict(step=-5)


def test_final_model_reproduces_the_recorded_accuracy(meta, mask) -> None:
    p = meta["hyperparameters"]["p"]
    train_acc, test_acc, train_loss, test_loss = _accuracies(grokking.load(), p, mask)
    recorded = meta["metrics"]
    assert train_acc == pytest.approx(recorded["final_train_acc"], abs=1e-6)
    assert test_acc == pytest.approx(recorded["final_test_acc"], abs=1e-6)
    assert math.log(test_loss) == pytest.approx(math.log(recorded["final_test_loss"]), abs=0.01)
    assert test_acc >= 0.99 and train_acc == 1.0


def test_checkpoints_reproduce_the_logged_history(meta, mask) -> None:
    """A few checkpoints, re-measured: the history logged at their step is what they compute."""
    hist = grokking.history()
    p = meta["hyperparameters"]["p"]
    steps = grokking.checkpoint_steps()
    for step in (steps[2], steps[len(steps) // 2], steps[-1]):
        row = int((hist["step"] == step).nonzero()[0, 0])
        train_acc, test_acc, _, test_loss = _accuracies(grokking.load(step=step), p, mask)
        assert train_acc == pytest.approx(float(hist["train_acc"][row]), abs=1e-6), step
        assert test_acc == pytest.approx(float(hist["test_acc"][row]), abs=1e-6), step
        assert test_loss == pytest.approx(float(hist["test_loss"][row]), rel=1e-3), step


def test_the_target_memorise_early_generalise_after_a_delay(meta) -> None:
    hist = grokking.history()
    recorded = meta["metrics"]
    first_train = int(hist["step"][(hist["train_acc"] >= 1.0).nonzero()[0, 0]])
    first_test = int(hist["step"][(hist["test_acc"] >= 0.99).nonzero()[0, 0]])
    assert first_train == recorded["first_step_train_acc_100"]
    assert first_test == recorded["first_step_test_acc_99"]
    assert first_test - first_train >= MIN_DELAY_STEPS, (first_train, first_test)
    assert first_train <= 0.1 * meta["hyperparameters"]["steps"]
    at_memorised = int((hist["step"] == first_train).nonzero()[0, 0])
    assert float(hist["test_acc"][at_memorised]) < 0.6  # memorised, not generalised


def test_embedding_is_concentrated_on_a_few_frequencies(meta) -> None:
    p = meta["hyperparameters"]["p"]
    x = torch.arange(p, dtype=torch.float64)
    rows = [torch.ones(p, dtype=torch.float64)]
    for k in range(1, (p - 1) // 2 + 1):
        rows += [torch.cos(2 * math.pi * k * x / p), torch.sin(2 * math.pi * k * x / p)]
    basis = torch.stack(rows)
    basis = basis / basis.norm(dim=1, keepdim=True)
    W_E = grokking.load().W_E[:p].detach().double()
    power = (basis @ W_E).pow(2).sum(-1)
    per_freq = power[1::2] + power[2::2]
    top = per_freq.sort(descending=True).values
    assert float(top[:6].sum() / power.sum()) > 0.8, per_freq


@pytest.mark.slow
def test_retraining_reproduces_the_recorded_metrics(tmp_path: Path) -> None:
    """The training script with its defaults gives the shipped run's figures again."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, str(TRAIN_SCRIPT), "--out", str(tmp_path)],
                   check=True, env=env, timeout=1800, capture_output=True)
    new = json.loads((tmp_path / "meta.json").read_text())
    old = grokking.meta()
    assert new["hyperparameters"] == old["hyperparameters"]
    assert new["checkpoint_steps"] == old["checkpoint_steps"]
    for key in ("first_step_train_acc_100", "first_step_test_acc_99"):
        assert new["metrics"][key] == pytest.approx(old["metrics"][key], rel=0.1, abs=50), key
    assert new["metrics"]["final_test_acc"] >= 0.99
    assert new["metrics"]["final_train_acc"] == 1.0
    retrained = grokking.load(path=tmp_path)
    assert retrained.cfg.d_model == old["config"]["d_model"]
