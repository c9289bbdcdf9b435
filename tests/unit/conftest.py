"""Unit tests of the arena-check core, against a test-only section ("9.9", see section99.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import section99  # noqa: E402, F401  (registers sections 9.9 and 9.8)

from arena_check import loader  # noqa: E402


@pytest.fixture(scope="session")
def _unit_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("arena-check-cache")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, _unit_cache: Path) -> None:
    """No test sees another's ARENA_CHECK_* settings (the book build sets STRICT), and gradings
    (which update the learner's progress record) write to a temporary cache, not the user's."""
    monkeypatch.delenv(loader.GRADING_ENV, raising=False)
    monkeypatch.delenv("ARENA_CHECK_STRICT", raising=False)
    monkeypatch.setenv("ARENA_CHECK_CACHE", str(_unit_cache))


