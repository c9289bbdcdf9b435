"""Where the kit keeps things: weights shipped in the package, and a per-user cache for conversions."""

from __future__ import annotations

import os
from pathlib import Path

#: Set to move the cache (converted SmolLM2 weights, …) somewhere else.
CACHE_ENV = "ARENA_CHECK_CACHE"

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DATA_DIR = Path(__file__).resolve().parent / "data"


def cache_path() -> Path:
    """Where the cache is: ``$ARENA_CHECK_CACHE`` or ``~/.cache/arena-check``, not created (the
    batch grader needs the path to keep it readable in a sandbox without making it)."""
    root = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "arena-check"
    )
    return Path(root)


def cache_dir() -> Path:
    """:func:`cache_path`, created on first use. Never inside the repo."""
    path = cache_path()
    path.mkdir(parents=True, exist_ok=True)
    return path


def weights_dir(name: str) -> Path:
    """Folder of a model trained by the project and shipped in the package (weights + meta.json)."""
    return WEIGHTS_DIR / name
