"""``arena-check``: thin argument parsing over :mod:`arena_check.api`.

    arena-check list [SECTION]
    arena-check SECTION PATH [--exercise NAME] [--json] [--gradescope FILE] [--timeout S]

Exit codes: 0 every selected check passed · 1 some did not · 2 the command itself was wrong
(unknown section or exercise, missing file).
"""

from __future__ import annotations

import argparse
import json
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
        return _usage(f"unknown section {section!r}. Known sections: {', '.join(known) or 'none'}.")
    for sid, info in known.items():
        if section is not None and sid != section:
            continue
        specs = registry.checks_for(sid)
        points = sum(s.points for s in specs)
        print(f"{sid}  {info.title}  ({len(specs)} checks, {points:g} points)")
        if section is not None:
            for name in registry.exercises_for(sid):
                print(f"    {name}")
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"arena-check: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.section == "list":
        return _list(args.path)
    if args.path is None:
        return _usage("give the file to grade: arena-check SECTION PATH")
    path = Path(args.path)
    if not path.is_file():
        return _usage(f"no such file: {path}")
    if path.suffix not in (".py", ".ipynb"):
        return _usage(f"{path.name}: expected a .py or .ipynb file")
    if args.timeout is not None and args.timeout <= 0:
        return _usage("--timeout must be positive")
    try:
        report = api.grade_file(
            args.section, path, exercise=args.exercise, timeout=args.timeout, memory_mb=args.memory_mb
        )
    except registry.UnknownSection:
        known = ", ".join(registry.sections()) or "none"
        return _usage(f"unknown section {args.section!r}. Known sections: {known}.")
    except ValueError:
        names = ", ".join(registry.exercises_for(args.section))
        return _usage(f"section {args.section} has no exercise {args.exercise!r}. Exercises: {names}.")

    print(report.to_json() if args.json else report.to_text(verbose=args.verbose))
    if args.gradescope:
        Path(args.gradescope).write_text(json.dumps(report.to_gradescope(), indent=2))
    return EXIT_OK if report.passed else EXIT_FAILED


if __name__ == "__main__":  # python -m arena_check.cli
    sys.exit(main())
