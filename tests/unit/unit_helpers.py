"""Helpers shared by the unit tests: writing learners' files, the test section's constants."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import section99


def write_learner(directory: Path, name: str, source: str | bytes) -> Path:
    """Write a learner's file; ``str`` sources are dedented."""
    path = directory / name
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def write_notebook(directory: Path, name: str, cells: list[str]) -> Path:
    """Write a minimal nbformat-4 notebook of code cells (a cell starting with '#md' is markdown)."""
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": src[3:]}
            if src.startswith("#md")
            else {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": textwrap.dedent(src).splitlines(keepends=True),
            }
            for src in cells
        ],
    }
    path = directory / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


GOOD = """
def double(x):
    return 2 * x

def add_one(n):
    return n + 1
"""

SECTION = section99.SECTION
BROKEN_SECTION = section99.BROKEN_SECTION
TIMEOUT = section99.TIMEOUT
SUBPROCESS_ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONIOENCODING": "utf-8"}

#: ``python -c LAUNCH ARGS…`` runs ``arena-check ARGS…`` with the test section registered (a fresh
#: interpreter does not know it).
LAUNCH = (
    f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); import section99; "
    "from arena_check.cli import main; sys.exit(main(sys.argv[1:]))"
)
