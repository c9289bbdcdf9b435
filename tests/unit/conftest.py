"""Unit tests of the arena-check core, against a test-only section ("9.9", see section99.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import section99  # noqa: E402, F401  (registers sections 9.9 and 9.8)

from arena_check import loader  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees another's ARENA_CHECK_* settings (the book build sets STRICT)."""
    monkeypatch.delenv(loader.GRADING_ENV, raising=False)
    monkeypatch.delenv("ARENA_CHECK_STRICT", raising=False)


