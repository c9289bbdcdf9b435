"""The guard that fails a full run when a test folder collects nothing (tests/collection_guard.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from collection_guard import folders_with_tests, is_whole_suite, uncollected

ROOT = Path(__file__).resolve().parents[2]


def _layout(tmp_path: Path) -> Path:
    tests = tmp_path / "tests"
    for rel in ("unit/test_a.py", "build/test_b.py", "build/helper.py", "sections/test_c.py", "conftest.py"):
        (tests / rel).parent.mkdir(parents=True, exist_ok=True)
        (tests / rel).write_text("")
    return tests


def test_names_a_folder_whose_tests_were_not_collected(tmp_path):
    tests = _layout(tmp_path)
    assert folders_with_tests(tests) == {tests / "unit", tests / "build", tests / "sections"}
    # What pytest's default norecursedirs did: nothing from tests/build collected.
    assert uncollected(tests, [tests / "unit/test_a.py", tests / "sections/test_c.py"]) == ["tests/build"]
    assert uncollected(tests, [tests / "unit/test_a.py", tests / "build/test_b.py", tests / "sections/test_c.py"]) == []


def test_applies_only_to_a_run_of_the_whole_suite(tmp_path):
    tests = _layout(tmp_path)
    assert is_whole_suite([], tmp_path, tests)
    assert is_whole_suite(["tests"], tmp_path, tests)
    assert is_whole_suite([str(tests)], tmp_path, tests)
    assert not is_whole_suite(["tests/unit"], tmp_path, tests)
    assert not is_whole_suite(["tests/unit/test_a.py::test_x"], tmp_path, tests)


def test_pyproject_does_not_skip_folders_named_build():
    """pytest's default norecursedirs contains `build`; the project's own list must not."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "norecursedirs" in options, "pyproject.toml must set norecursedirs (the default skips tests/build)"
    assert "build" not in options["norecursedirs"]

