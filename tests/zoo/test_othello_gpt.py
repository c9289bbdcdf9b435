"""The zoo's ``othello-gpt``: it loads, predicts legal moves on fresh games, and its residual stream
holds the board (relative to the player to move) better than a random-init model's does.

Every figure is re-measured from the shipped weights on games from seeds the training script never
used (it used ``0``, ``(0, 1)``, ``(0, 2)``, ``(0, 3)``), so a bad retrain or a broken loader fails
here instead of shipping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from arena_check.kit import othello
from arena_check.kit.models import othello_gpt as og

ROOT = Path(__file__).resolve().parents[2]
TRAIN_SCRIPT = ROOT / "tools" / "train_othello_gpt.py"
FRESH_SEED = (2026, 7)

#: The issue's target for the held-out top-1 legal-move rate.
LEGAL_TARGET = 0.95


@pytest.fixture(scope="module")
def model():
    return og.load()


@pytest.fixture(scope="module")
def games() -> othello.Games:
    return othello.random_games(300, seed=FRESH_SEED, record=True)


def test_shipped_files_and_meta() -> None:
    files = sorted(p.name for p in og.folder().iterdir())
    assert files == ["meta.json", "model.safetensors"]
    size = sum(p.stat().st_size for p in og.folder().iterdir())
    assert size < 20_000_000, f"{size / 1e6:.1f} MB"
    meta = og.meta()
    assert meta["script"] == "tools/train_othello_gpt.py"
    for key in ("seed", "hyperparameters", "config", "data", "train_seconds", "metrics"):
        assert key in meta, key
    assert meta["train_seconds"] < 15 * 60
    assert meta["config"]["d_vocab"] == othello.VOCAB_SIZE and meta["config"]["n_ctx"] == 60


def test_loads_as_configured(model) -> None:
    cfg = og.meta()["config"]
    assert model.cfg.n_layers == cfg["n_layers"] and model.cfg.d_model == cfg["d_model"]
    assert not model.training
    out = model(og.model_input(othello.random_games(2, seed=FRESH_SEED)))
    assert out.shape == (2, 60, othello.VOCAB_SIZE)


def test_inputs_and_targets_line_up(games: othello.Games) -> None:
    """Position p reads the start token and moves 1..p and must predict move p+1, which is legal."""
    inputs = og.model_input(games)
    legal, valid = og.legal_targets(games)
    tokens = torch.from_numpy(games.tokens)
    assert (inputs[:, 0] == othello.PAD).all() and torch.equal(inputs[:, 1:], tokens[:, :-1])
    played = legal.gather(-1, tokens[..., None])[..., 0]
    assert played[valid].all(), "every move played is in its position's legal set"
    assert (valid.sum(1) == torch.from_numpy(games.lengths)).all()
    assert not legal[..., othello.PAD].any()
    opening = {othello.square_to_token(othello.parse_square(s)) for s in ("d3", "c4", "f5", "e6")}
    assert set(legal[0, 0].nonzero()[:, 0].tolist()) == opening


def test_board_targets_describe_the_position_read_so_far(games: othello.Games) -> None:
    labels, valid = og.board_targets(games, "relative")
    absolute, _ = og.board_targets(games, "absolute")
    centre = [othello.parse_square(s) for s in ("d4", "e5")]
    assert (labels[:, 0, centre] == 2).all(), "at the start white's discs are black's (mover's) 'theirs'"
    assert (absolute[:, 0, centre] == 2).all()
    g, p = 0, 10  # after 10 moves: the board recorded after move index 9
    want = games.relative_boards[g, p - 1]
    got = labels[g, p].numpy()
    assert ((want == 0) == (got == 0)).all() and ((want == 1) == (got == 1)).all()
    assert valid[:, 0].all()


def test_legal_move_rate_on_fresh_games(model, games) -> None:
    rate = og.legal_move_rate(model, games)
    recorded = og.meta()["metrics"]["heldout_top1_legal_rate"]
    if recorded >= LEGAL_TARGET:
        assert rate >= LEGAL_TARGET - 0.01, f"top-1 legal rate {rate:.3f} on fresh games"
    assert rate == pytest.approx(recorded, abs=0.02), f"fresh {rate:.3f} vs recorded {recorded:.3f}"
    # far above a model that knows only which squares are still empty
    empties = _empty_square_baseline(games)
    assert rate > empties + 0.3, f"{rate:.3f} vs picking a random empty square {empties:.3f}"


def _empty_square_baseline(games: othello.Games) -> float:
    """Expected legal rate of a uniform pick among the still-empty playable squares."""
    legal, valid = og.legal_targets(games)
    n_legal = legal.sum(-1).float()
    n_empty = (60 - torch.arange(60)).float().expand_as(n_legal)
    return float((n_legal / n_empty)[valid].mean())


def test_probes_find_the_board_better_than_at_random_init(model, games) -> None:
    """Relative ("mine / theirs / empty") board state is linearly decodable from the trained model's
    residual stream clearly better than from a random-init model of the same shape."""
    trained = og.probe_report(model, games, n_rows=9000, seed=1)
    baseline = og.probe_report(og.random_init(seed=5), games, n_rows=9000, seed=1)
    best = max(trained["relative"])
    assert best > max(baseline["relative"]) + 0.05, (trained, baseline)
    recorded = og.meta()["metrics"]
    assert best == pytest.approx(recorded["best_relative_acc"], abs=0.03)
    # later layers hold more of the board than the embeddings do
    assert best > trained["relative"][0] + 0.05


@pytest.mark.slow
def test_retraining_reproduces_the_recorded_metrics(tmp_path: Path) -> None:
    """The training script with its defaults gives the shipped model's figures again."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT), "--out", str(tmp_path)],
        check=True, env=env, timeout=1800, capture_output=True,
    )
    new = json.loads((tmp_path / "meta.json").read_text())
    old = og.meta()
    assert new["hyperparameters"] == old["hyperparameters"]
    assert new["config"] == old["config"]
    for key in ("heldout_top1_legal_rate", "best_relative_acc"):
        assert new["metrics"][key] == pytest.approx(old["metrics"][key], abs=0.02), key
    for layer, (a, b) in enumerate(zip(new["metrics"]["probe_acc_relative"], old["metrics"]["probe_acc_relative"], strict=True)):
        assert a == pytest.approx(b, abs=0.03), f"layer {layer}"
    retrained = og.load(path=tmp_path)
    games = othello.random_games(100, seed=FRESH_SEED, record=True)
    assert og.legal_move_rate(retrained, games) == pytest.approx(new["metrics"]["heldout_top1_legal_rate"], abs=0.03)
