"""Fail a full test run when a folder of tests collects nothing.

pytest's default ``norecursedirs`` contains ``build``, so ``tests/build`` (kit freshness, the book
tests) once never ran while every run was green. This guard turns that kind of silence into a
failure: on a run of the whole suite, every folder under ``tests/`` that holds a ``test_*.py``
file must contribute at least one collected test.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def folders_with_tests(tests_root: Path) -> set[Path]:
    """Folders under ``tests_root`` (itself included) that contain a ``test_*.py`` file."""
    return {p.parent for p in tests_root.rglob("test_*.py") if "__pycache__" not in p.parts}


def uncollected(tests_root: Path, collected_files: Iterable[Path]) -> list[str]:
    """Test folders none of whose files produced a collected test, relative to ``tests_root``'s parent."""
    seen = {Path(f).resolve().parent for f in collected_files}
    missing = {folder.resolve() for folder in folders_with_tests(tests_root)} - seen
    return sorted(str(m.relative_to(tests_root.resolve().parent)) for m in missing)


def is_whole_suite(args: Iterable[str], rootdir: Path, tests_root: Path) -> bool:
    """Whether the run names the whole suite (``pytest``, ``pytest tests``), not a file or folder of it."""
    resolved = {(rootdir / a.split("::")[0]).resolve() for a in args}
    return resolved <= {tests_root.resolve(), rootdir.resolve()}
