"""``arena-check``: thin argument parsing over :mod:`arena_check.api`.

    arena-check list [SECTION]
    arena-check SECTION PATH [--exercise NAME] [--json] [--gradescope FILE] [--timeout S]
                             [--memory-mb MB] [-v]

Exit codes: 0 every selected check passed · 1 some did not · 2 the command itself was wrong
(unknown section or exercise, missing file).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

from arena_check import api, registry

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arena-check",
        description="Grade your arena-book exercises offline.",
        epilog="Examples:  arena-check list   ·   arena-check 0.0 0.0_exercises.py   ·   "
        "arena-check 0.0 my.ipynb --exercise softmax",
    )
    p.add_argument("section", help="a section id such as 0.0, or 'list'")
    p.add_argument("path", nargs="?", help="your .py or .ipynb file (for 'list': optional section)")
    p.add_argument("--exercise", "-e", help="grade only this exercise (a function or class name)")
    p.add_argument("--json", action="store_true", help="print results as JSON (Exercism results v3 shape)")
    p.add_argument("--gradescope", metavar="FILE", help="also write a Gradescope results.json to FILE")
    p.add_argument("--timeout", type=float, metavar="S", help="seconds allowed per check (default: per check, ~10)")
    p.add_argument("--memory-mb", type=int, metavar="MB", help="memory allowed per check beyond the grader's own")
    p.add_argument("--verbose", "-v", action="store_true", help="show what passing checks printed too")
    return p


def _list(section: str | None) -> int:
    known = registry.sections()
    if section is not None and section not in known:
        return _usage(str(registry.UnknownSection(section)))
    for sid, info in known.items():
        if section is not None and sid != section:
            continue
        try:
            specs = registry.checks_for(sid)
        except Exception as e:  # noqa: BLE001 — one broken section must not hide the others
            print(f"{sid}  {info.title}  (its checks could not be loaded: {type(e).__name__}: {e})")
            continue
        points = sum(s.points for s in specs)
        print(f"{sid}  {info.title}  ({len(specs)} checks, {points:g} points)")
        if section is not None:
            for name in registry.exercises_for(sid):
                print(f"    {name}")
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"arena-check: {message}", file=sys.stderr)
    return EXIT_USAGE


def _tolerant_stdout() -> None:
    """Never crash on printing ✓ or a learner's odd output to a terminal that is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, io.UnsupportedOperation):
                pass


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code (0 all passed, 1 some did not, 2 usage error)."""
    _tolerant_stdout()
    args = _parser().parse_args(argv)
    if args.section == "list":
        return _list(args.path)
    if args.path is None:
        return _usage("give the file to grade: arena-check SECTION PATH")
    if args.timeout is not None and not args.timeout > 0:
        return _usage("--timeout must be a positive number of seconds")
    if args.memory_mb is not None and args.memory_mb <= 0:
        return _usage("--memory-mb must be a positive number of megabytes")
    if not hasattr(os, "fork"):
        return _usage(
            "grading a file runs each check in a forked process, which Windows does not offer. "
            "Use WSL, or call arena_check.check(SECTION, NAME, obj) in your notebook."
        )
    try:
        report = api.grade_file(
            args.section, args.path, exercise=args.exercise, timeout=args.timeout, memory_mb=args.memory_mb
        )
    except (registry.UnknownSection, FileNotFoundError, ValueError) as e:  # no such file, not .py/.ipynb, unknown exercise
        return _usage(str(e))

    if args.json:  # \u-escapes, not backslashreplace's \U…, keep JSON valid on a non-UTF-8 stdout
        utf8 = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
        print(json.dumps(report.to_json_dict(), indent=2, ensure_ascii=not utf8))
    else:
        print(report.to_text(verbose=args.verbose))
    if args.gradescope:
        try:
            Path(args.gradescope).write_text(json.dumps(report.to_gradescope(), indent=2))
        except OSError as e:
            return _usage(f"could not write {args.gradescope}: {e.strerror or e}")
    return EXIT_OK if report.passed else EXIT_FAILED
