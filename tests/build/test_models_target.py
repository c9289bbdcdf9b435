"""Every shipped model is retrained by `make models` and checked by a slow retrain test.

A training (or cache) script that `make models` does not run goes stale silently, and one that no
slow test reruns can drift from the weights it shipped without anyone noticing.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p.name for p in (REPO / "tools").glob("*.py") if re.match(r"(train|cache)_", p.name)
                 and p.name != "training_common.py")


def _models_recipe() -> str:
    text = (REPO / "Makefile").read_text()
    match = re.search(r"^models:.*?\n((?:\t.*\n)+)", text, flags=re.M)
    assert match, "the Makefile has no models: target"
    return match.group(1)


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) >= 5, SCRIPTS


def test_make_models_runs_every_training_script() -> None:
    recipe = _models_recipe()
    missing = [s for s in SCRIPTS if f"tools/{s}" not in recipe]
    assert not missing, f"`make models` does not run {missing}: add them under models: in the Makefile"


def test_every_training_script_has_a_slow_retrain_test() -> None:
    slow_tests = [p.read_text() for p in (REPO / "tests").rglob("test_*.py")
                  if "mark.slow" in p.read_text()]
    missing = [s for s in SCRIPTS if not any(s in text or s.removesuffix(".py") in text for text in slow_tests)]
    assert not missing, f"no slow test reruns {missing}"
