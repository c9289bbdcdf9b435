"""What every ``tools/train_<model>.py`` script shares: its command line and its learning-rate schedule.

Each script describes everything that determines its weights in a frozen ``Hyper`` dataclass; the
command line exposes every field as a flag (``min_lr_fraction`` → ``--min-lr-fraction``) next to
``--out`` and ``--threads``, so a run can be reproduced from the hyperparameters in its meta.json.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

HyperT = TypeVar("HyperT")


def warmup_cosine_lr(
    step: int, *, peak: float, warmup: int, total: int, floor_fraction: float
) -> float:
    """Linear warm-up to ``peak`` over ``warmup`` steps, then cosine decay to ``floor_fraction * peak``.

    Warm-up keeps Adam's first, badly estimated updates small; decaying to a floor rather than to
    0 keeps the last steps useful in these short runs.
    """
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (floor_fraction + (1 - floor_fraction) * 0.5 * (1 + math.cos(math.pi * progress)))


def parse_hyper_args(
    hyper: type[HyperT], default_out: Path, description: str | None, argv: list[str] | None
) -> tuple[HyperT, Path, int]:
    """``(hyperparameters, output folder, torch threads)`` from the command line."""
    first_line = next(iter((description or "").strip().splitlines()), None)
    parser = argparse.ArgumentParser(description=first_line)
    parser.add_argument("--out", type=Path, default=default_out, help="output folder")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    hyper_fields: Any = fields(hyper)  # type: ignore[arg-type]
    for field in hyper_fields:
        parser.add_argument(
            f"--{field.name.replace('_', '-')}", type=type(field.default), default=field.default
        )
    args = parser.parse_args(argv)
    hp = hyper(**{f.name: getattr(args, f.name) for f in hyper_fields})
    return hp, args.out, args.threads
