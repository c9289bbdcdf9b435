"""Loading a learner's file in-process (as the section tests' harness does)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from unit_helpers import write_learner, write_notebook

from arena_check.loader import GRADING_ENV, LoadError, describe_exception, load_learner_file


def test_grading_flag_is_set_while_loading_and_restored_after(tmp_path: Path) -> None:
    path = write_learner(tmp_path, "flag.py", "import os\nSEEN = os.environ.get('ARENA_CHECK_GRADING')\n")
    assert load_learner_file(path).SEEN == "1"
    assert GRADING_ENV not in os.environ  # else every later in-notebook check() would be a no-op


def test_main_guard_does_not_run(tmp_path: Path) -> None:
    path = write_learner(tmp_path, "script.py", "RAN = False\nif __name__ == '__main__':\n    RAN = True\n")
    assert load_learner_file(path).RAN is False


def test_neighbour_import(tmp_path: Path) -> None:
    write_learner(tmp_path, "helpers_for_learner.py", "def two():\n    return 2\n")
    path = write_learner(tmp_path, "uses.py", "from helpers_for_learner import two\nX = two()\n")
    try:
        assert load_learner_file(path).X == 2
    finally:
        sys.modules.pop("helpers_for_learner", None)


def test_notebook_cells_and_magics(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "nb.ipynb", [
        "#md # Title", "%pip install einops\nA = 1", "%%capture\nB = 2", "%%writefile x.txt\nnot python",
        "for i in range(2):\n    !echo hi\nC = 3",
    ])
    module = load_learner_file(path)
    assert (module.A, module.B, module.C) == (1, 2, 3)


def test_notebook_cell_without_text(tmp_path: Path) -> None:
    path = tmp_path / "odd.ipynb"
    path.write_text('{"cells": [{"cell_type": "code", "source": 42}]}')
    with pytest.raises(LoadError, match=r"^odd\.ipynb is not a valid notebook \(cell 1 has no source text\)\.$"):
        load_learner_file(path)


def test_describe_exception_points_at_the_learner_not_the_library(tmp_path: Path) -> None:
    path = write_learner(tmp_path, "shapes.py", "import torch\ndef f():\n    return torch.zeros(2) @ torch.zeros(3)\n")
    module = load_learner_file(path)
    try:
        module.f()
    except RuntimeError as e:
        text = describe_exception(e, str(path))
    assert text.endswith("(shapes.py, line 3, in f)")
    assert text.startswith("RuntimeError: ")
