"""The schedule and command line the training scripts share (tools/training_common.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402


def test_warmup_then_cosine_to_the_floor() -> None:
    lr = [warmup_cosine_lr(s, peak=1.0, warmup=10, total=110, floor_fraction=0.1) for s in range(111)]
    assert lr[0] == pytest.approx(0.1) and lr[9] == pytest.approx(1.0)  # linear warm-up
    assert lr[10] == pytest.approx(1.0)  # decay starts at the peak
    assert lr[60] == pytest.approx(0.55)  # half-way: the mean of peak and floor
    assert lr[110] == pytest.approx(0.1)  # ends at the floor, not at 0
    assert all(a >= b for a, b in zip(lr[10:], lr[11:], strict=False))


@dataclass(frozen=True)
class _Hyper:
    seed: int = 0
    min_lr_fraction: float = 0.1
    stages: str = "33x10"


def test_every_field_is_a_flag_with_its_default() -> None:
    hp, out, threads = parse_hyper_args(_Hyper, Path("/default"), "Train.\n\nMore.", [])
    assert (hp, out, threads) == (_Hyper(), Path("/default"), 1)
    argv = ["--min-lr-fraction", "0.2", "--stages", "65x5", "--out", "/x", "--threads", "2"]
    hp, out, threads = parse_hyper_args(_Hyper, Path("/default"), None, argv)
    assert hp == _Hyper(min_lr_fraction=0.2, stages="65x5") and out == Path("/x") and threads == 2
    with pytest.raises(SystemExit):
        parse_hyper_args(_Hyper, Path("/default"), None, ["--seed", "one"])
