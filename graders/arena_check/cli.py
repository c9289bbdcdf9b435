"""``arena-check``: thin argument parsing over :mod:`arena_check.api`.

    arena-check list [SECTION]
    arena-check SECTION PATH [--exercise NAME] [--json] [--gradescope FILE] [--timeout S]
                             [--memory-mb MB] [-v]
    arena-check progress [FOLDER] [--grade] [--json]
    arena-check gradescope-bundle SECTION [-o FILE] [--wheel WHEEL] [--constraints FILE]
    arena-check batch SECTION FOLDER_OR_GLOB [--jobs N] [--sandbox auto|on|off] [--out FILE] [--json]

Every grading run also updates the learner's progress record (:mod:`arena_check.progress`);
the subcommands' work lives in :mod:`arena_check.progress`, :mod:`arena_check.gradescope_bundle`
and :mod:`arena_check.batch`.

Exit codes: 0 every selected check passed · 1 some did not · 2 the command itself was wrong
(unknown section or exercise, missing file) or the section cannot be graded (its checks or
reference solutions cannot be imported).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

from arena_check import api, batch, gradescope_bundle, progress, registry
from arena_check.results import Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arena-check",
        description="Grade your arena-book exercises offline.",
        epilog="Examples:  arena-check list   ·   arena-check 0.0 0.0_exercises.py   ·   "
        "arena-check 0.0 my.ipynb --exercise softmax.   Also: arena-check progress [FOLDER] (your points "
        "per kit)   ·   arena-check gradescope-bundle SECTION -o autograder.zip and arena-check batch SECTION "
        "FOLDER (for instructors)",
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
            cause = e.error if isinstance(e, registry.SectionUnavailable) else e
            print(f"{sid}  {info.title}  (its checks could not be loaded: {type(cause).__name__}: {cause})")
            continue
        points = sum(s.points for s in specs)
        print(f"{sid}  {info.title}  ({len(specs)} checks, {points:g} points)")
        if section is not None:
            for name in registry.exercises_for(sid):
                print(f"    {name}")
    return EXIT_OK


def _progress(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="arena-check progress",
        description="Show the points of each kit in FOLDER and when it was last graded. Kits are "
        f"*_exercises.py and .ipynb files that name a section, files listed in {progress.LIST_FILE} "
        "('[SECTION] PATH' per line) and any file graded before.",
    )
    p.add_argument("folder", nargs="?", default=".", help="where your kits are (default: here)")
    p.add_argument("--grade", action="store_true", help="first grade the kits never graded or changed since")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    args = p.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        return _usage(f"no such folder: {folder}" if not folder.exists() else f"{folder} is not a folder")
    log = (lambda line: print(line, file=sys.stderr)) if args.json else print
    rows, notes = progress.collect(folder, grade=args.grade, log=log)
    for note in notes:
        print(f"arena-check: note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(progress.to_json_dict(rows, folder), indent=2))
    else:
        print(progress.to_text(rows, folder))
    return EXIT_OK


def _bundle(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="arena-check gradescope-bundle",
        description="Write a Gradescope autograder archive for SECTION: setup.sh installs the arena-check "
        "wheel and constraints.txt inside it; run_autograder grades the submitted .py/.ipynb.",
    )
    p.add_argument("section", help="the section to grade, such as 0.0")
    p.add_argument("-o", "--output", default="autograder.zip", help="the archive to write (default: autograder.zip)")
    p.add_argument("--wheel", help="the arena_check-*.whl to install (default: built from this checkout)")
    p.add_argument("--constraints", help="the constraints.txt to install under (default: this checkout's)")
    args = p.parse_args(argv)
    try:
        bundle = gradescope_bundle.write_bundle(args.section, Path(args.output), wheel=args.wheel,
                                                constraints=args.constraints)
    except (registry.UnknownSection, gradescope_bundle.BundleError) as e:
        return _usage(str(e))
    print(bundle.summary())
    return EXIT_OK


def _batch(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="arena-check batch",
        description="Grade every learner's submission for SECTION (instructors). Each submission is graded by "
        "its own process, sandboxed with bubblewrap where available: no network, a read-only filesystem "
        "but for a private /tmp, other submissions hidden. Writes a gradebook (CSV) and one JSON report per "
        "learner; a re-run grades only what changed.",
    )
    p.add_argument("section", help="the section to grade, such as 0.0")
    p.add_argument("target", help="a folder (one file or one folder per learner) or a glob pattern (quote it)")
    p.add_argument("--jobs", "-j", type=int, help="gradings at once (default: the number of cores)")
    p.add_argument("--sandbox", choices=["auto", "on", "off"], default="auto",
                   help="auto: use bubblewrap where it works (default) · on: refuse to run without it · off")
    p.add_argument("--out", "-o", default="gradebook.csv", help="the gradebook to write (default: gradebook.csv); "
                   "reports go to <its stem>_reports/ beside it")
    p.add_argument("--json", action="store_true", help="also print the gradebook as JSON on stdout")
    p.add_argument("--timeout", type=float, metavar="S", help="seconds allowed per check")
    p.add_argument("--memory-mb", type=int, metavar="MB", help="memory allowed per check beyond the grader's own")
    p.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                   help="import MODULE first (sections a course fork registers itself)")
    args = p.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        return _usage("--jobs must be at least 1")
    if args.timeout is not None and not args.timeout > 0:
        return _usage("--timeout must be a positive number of seconds")
    if args.memory_mb is not None and args.memory_mb <= 0:
        return _usage("--memory-mb must be a positive number of megabytes")
    bar = _BatchProgress()
    try:
        result = batch.run_batch(
            args.section, args.target, jobs=args.jobs, sandbox=args.sandbox, out=Path(args.out),
            timeout=args.timeout, memory_mb=args.memory_mb, imports=args.imports, log=bar.update,
        )
    except (registry.UnknownSection, registry.SectionUnavailable, batch.BatchError, ImportError) as e:
        bar.end()
        return _usage(str(e))
    except KeyboardInterrupt:
        bar.end()
        print("arena-check: batch interrupted; finished reports are kept, a re-run grades the rest", file=sys.stderr)
        return 130
    bar.end()
    counts = {s: sum(r.status == s for r in result.rows) for s in ("pass", "fail", "error", "grader-error")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    print(
        f"arena-check batch {args.section}: {len(result.rows)} submissions ({summary}); graded {result.graded}, "
        f"unchanged {result.skipped}; sandbox {result.sandbox}; gradebook {result.out}",
        file=sys.stderr,
    )
    if args.json:
        print(json.dumps([r.to_dict() | {"report": None} for r in result.rows], indent=2))
    return EXIT_OK


class _BatchProgress:
    """A one-line bar on a terminal; plain lines, one per submission, anywhere else."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()

    def update(self, done: int, total: int, row: batch.Row, unchanged: bool) -> None:
        result = f"{row.learner}: {row.status}, {row.points:g}/{row.max_points:g}"
        if unchanged:
            if not self.tty:
                print(f"[unchanged] {result}", file=sys.stderr)
            return
        if self.tty:
            width = 30
            filled = int(width * done / total)
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {result[:40]:<40}", end="", file=sys.stderr)
        else:
            print(f"[{done}/{total}] {result} ({row.seconds:.1f} s)", file=sys.stderr)

    def end(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def _remember(report: Report, path: str) -> None:
    """Add this run to the learner's progress record. A failure costs a note, never the grading."""
    try:
        note = progress.update_record(report, path)
    except OSError as e:
        note = f"could not update your progress record: {e.strerror or e}"
    if note:
        print(f"arena-check: note: {note}", file=sys.stderr)


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
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["progress"]:
        return _progress(argv[1:])
    if argv[:1] == ["gradescope-bundle"]:
        return _bundle(argv[1:])
    if argv[:1] == ["batch"]:
        return _batch(argv[1:])
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
    except (registry.UnknownSection, registry.SectionUnavailable, FileNotFoundError, ValueError) as e:
        # unknown section, its checks not importable, no such file, not .py/.ipynb, unknown exercise
        return _usage(str(e))

    if args.json:  # \u-escapes, not backslashreplace's \U…, keep JSON valid on a non-UTF-8 stdout
        utf8 = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
        print(json.dumps(report.to_json_dict(), indent=2, ensure_ascii=not utf8))
    else:
        print(report.to_text(verbose=args.verbose))
    _remember(report, args.path)
    if args.gradescope:
        try:
            Path(args.gradescope).write_text(json.dumps(report.to_gradescope(), indent=2))
        except OSError as e:
            return _usage(f"could not write {args.gradescope}: {e.strerror or e}")
    return EXIT_OK if report.passed else EXIT_FAILED
