"""Shared test set-up: offline, single-threaded torch (tests may run beside a book build)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))

import torch  # noqa: E402

torch.set_num_threads(1)


_DESELECTED: list = []  # items that -m/-k deselected: their folder still counts as collected


def pytest_deselected(items) -> None:  # noqa: ANN001 — pytest hook
    _DESELECTED.extend(items)


def pytest_collection_finish(session) -> None:  # noqa: ANN001 — pytest hook
    """On a run of the whole suite, every test folder must collect something (see collection_guard)."""
    import pytest
    from collection_guard import is_whole_suite, uncollected

    config = session.config
    if not is_whole_suite(config.args, Path(config.rootpath), ROOT / "tests"):
        return
    missing = uncollected(ROOT / "tests", [Path(item.path) for item in session.items + _DESELECTED])
    if missing:
        raise pytest.UsageError(
            "these test folders collected no tests, so their tests never run: "
            + ", ".join(missing)
            + " (check norecursedirs in pyproject.toml and the folders' file names)"
        )
