#!/usr/bin/env python3
"""Measure the performance budgets of DESIGN §6 and print them as a Markdown table.

    python tools/bench.py                  # also `make bench`
    python tools/bench.py --json bench.json
    python tools/bench.py --skip-build     # only time arena-check
    python tools/bench.py --build parallel # only the `make book` way (--jobs N, default 2)

Measures, on this machine:

1. a cold serial build: ``jupyter-book build`` alone (what ``make book JOBS=1`` runs) into a fresh
   temporary ``--path-output`` (so ``_build`` is untouched; its execution cache starts empty, so
   every page executes, one after another);
2. a warm rebuild of that same output directory with nothing changed (no page may re-execute);
3. a cold parallel build, what ``make book`` runs: ``tools/preexecute.py --jobs N`` then
   ``jupyter-book build`` into another fresh folder; the build must execute no page (it finds
   every page in the cache), and the row's note gives the speed-up over the serial build;
4. the warm ``make book`` with nothing changed (pre-execute finds every page cached, then build);
5. each page's execution time, from the build's jupyter-cache database (falling back to the
   build log, then to the status page); in a parallel build pages share the cores, one thread
   each, so their times are noted beside the serial ones;
6. ``arena-check <id> exercises/<id>/<id>_solutions.py`` (must pass) and the same on the stub kit
   ``<id>_exercises.py`` (must not pass) for every section (budget: 15 s for chapter 0, whose
   checks need no model; 60 s for later chapters, whose checks load zoo models once);
7. ``arena-check batch 0.0`` on 20 copies of the 0.0 solutions, at ``--jobs 1`` and ``--jobs 2``,
   with the sandbox off and on (where bubblewrap works); the note gives the sandbox's overhead per
   submission.

Builds run with the environment ``make book`` gives them (``ARENA_CHECK_STRICT=1``, offline).

Exits 1 when a budget is exceeded or a step fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# DESIGN §6 budgets, seconds (2-core CPU).
BUDGET_PAGE = 120.0
BUDGET_COLD = 20 * 60.0
BUDGET_WARM = 60.0
BUDGET_CHECK = 15.0
BUDGET_CHECK_WITH_MODELS = 60.0  # chapters 1 onwards load zoo models in their checks
BATCH_SUBMISSIONS = 20


def check_budget(section: str) -> float:
    return BUDGET_CHECK if section.split(".")[0] == "0" else BUDGET_CHECK_WITH_MODELS

BUILD_ENV = {
    "ARENA_CHECK_STRICT": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "PYTHONHASHSEED": "0",
}
EXECUTED_LOG = re.compile(r"^(?P<path>\S+?): Executed notebook in (?P<s>[\d.]+) seconds", re.M)
EXECUTING_LOG = re.compile(r": Executing notebook ", re.M)
PREEXECUTED_LOG = re.compile(r"^preexecute: \S+: executed in ", re.M)


@dataclass
class Row:
    measure: str
    seconds: float | None
    budget: float | None
    result: str  # PASS | OVER | FAIL
    note: str = ""


def _judge(seconds: float | None, budget: float | None, ok: bool = True) -> str:
    if not ok or seconds is None:
        return "FAIL"
    return "PASS" if budget is None or seconds <= budget else "OVER"


def _run(cmd: list[str], log: Path, timeout: float) -> tuple[float, int]:
    env = {**os.environ, **BUILD_ENV}
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        try:
            rc = subprocess.run(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
            ).returncode
        except subprocess.TimeoutExpired:
            rc = -9
    return time.perf_counter() - start, rc


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_problem(log: Path) -> str:
    """The first Sphinx warning or error of a build log, for the table's note column."""
    for line in ANSI.sub("", log.read_text(encoding="utf-8", errors="replace")).splitlines():
        if re.search(r"WARNING:|ERROR:|Error:", line):
            return line.replace(str(ROOT) + "/", "").replace("|", "\\|").strip()[:160]
    return ""


def _tail(log: Path, n: int = 15) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    interesting = [ln for ln in lines if re.search(r"WARNING|ERROR|Error|Traceback", ln)]
    return "\n".join((interesting or lines)[-n:])


def _docname(path: str) -> str:
    p = Path(path)
    try:
        p = p.resolve().relative_to(ROOT)
    except ValueError:
        pass
    return p.with_suffix("").as_posix()


def page_times_from_cache(build_dir: Path) -> dict[str, float]:
    """Latest execution time per source, from jupyter-cache's records."""
    from jupyter_cache import get_cache

    latest: dict[str, tuple[object, float]] = {}
    for record in get_cache(str(build_dir / ".jupyter_cache")).list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        if seconds is None:
            continue
        doc = _docname(record.uri)
        if doc not in latest or record.created > latest[doc][0]:
            latest[doc] = (record.created, float(seconds))
    return {doc: s for doc, (_, s) in latest.items()}


def page_times_from_log(log: Path) -> dict[str, float]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return {_docname(m["path"]): float(m["s"]) for m in EXECUTED_LOG.finditer(text)}


class _StatusTable(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_times_from_status(html_dir: Path) -> dict[str, float]:
    status = html_dir / "book" / "status.html"
    if not status.is_file():
        return {}
    parser = _StatusTable()
    parser.feed(status.read_text(encoding="utf-8"))
    header = next((r for r in parser.rows if "Run Time (s)" in r), None)
    if header is None:
        return {}
    doc_i, time_i = header.index("Document"), header.index("Run Time (s)")
    times = {}
    for row in parser.rows:
        if row is not header and len(row) == len(header):
            try:
                times[row[doc_i]] = float(row[time_i])
            except ValueError:
                pass
    return times


def page_times(out: Path, cold_log: Path) -> tuple[dict[str, float], str]:
    build_dir = out / "_build"
    for source, get in (
        ("jupyter-cache", lambda: page_times_from_cache(build_dir)),
        ("build log", lambda: page_times_from_log(cold_log)),
        ("status page", lambda: page_times_from_status(build_dir / "html")),
    ):
        try:
            times = get()
        except Exception as e:  # noqa: BLE001 - a broken source falls through to the next one
            print(f"bench: page times from {source} failed: {e}", file=sys.stderr)
            continue
        if times:
            return times, source
    return {}, "none"


def _jupyter_book_cmd(out: Path) -> list[str]:
    jupyter_book = BIN / "jupyter-book"
    if not jupyter_book.exists():
        jupyter_book = Path(shutil.which("jupyter-book") or "jupyter-book")
    return [
        str(jupyter_book),
        "build",
        str(ROOT),
        "-W",
        "-n",
        "--keep-going",
        "--path-output",
        str(out),
    ]


def _count(pattern: re.Pattern[str], *logs: Path) -> int:
    return sum(
        len(pattern.findall(log.read_text(encoding="utf-8", errors="replace"))) for log in logs
    )


def _build_row(measure: str, seconds: float, budget: float, rcs: dict[Path, int], note: str) -> Row:
    """One build row: FAIL (with the first warning of the failing log) when a step failed."""
    failed = {log: rc for log, rc in rcs.items() if rc != 0}
    problems = [f"{log.stem} exit {rc}: {_first_problem(log)}" for log, rc in failed.items()]
    for log, rc in failed.items():
        print(f"bench: {measure}: {log.name} failed (exit {rc}):\n{_tail(log)}", file=sys.stderr)
    return Row(
        measure,
        seconds,
        budget,
        _judge(seconds, budget, not failed and "re-executed" not in note),
        "; ".join([*problems, *([note] if note else [])]),
    )


def bench_serial(rows: list[Row], out: Path) -> float | None:
    """Cold then warm ``jupyter-book build`` alone (``make book JOBS=1``); the cold time."""
    cmd = _jupyter_book_cmd(out)
    cold_log, warm_log = out / "cold.log", out / "warm.log"
    print(f"bench: cold serial build into {out} …", file=sys.stderr)
    cold_s, cold_rc = _run(cmd, cold_log, timeout=2 * BUDGET_COLD)
    rows.append(
        _build_row(
            "cold build, serial (jupyter-book build alone = make book JOBS=1)",
            cold_s,
            BUDGET_COLD,
            {cold_log: cold_rc},
            f"executed {_count(EXECUTED_LOG, cold_log)} page(s) one after another",
        )
    )
    print("bench: warm serial rebuild …", file=sys.stderr)
    warm_s, warm_rc = _run(cmd, warm_log, timeout=10 * BUDGET_WARM)
    reexecuted = _count(EXECUTING_LOG, warm_log)
    rows.append(
        _build_row(
            "warm rebuild, serial (nothing changed)",
            warm_s,
            BUDGET_WARM,
            {warm_log: warm_rc},
            f"re-executed {reexecuted} page(s)" if reexecuted else "",
        )
    )
    return cold_s if cold_rc == 0 else None


def bench_parallel(rows: list[Row], out: Path, jobs: int, serial_s: float | None) -> None:
    """Cold then warm ``make book``: pre-execute in ``jobs`` processes, then build."""
    pre = [sys.executable, str(ROOT / "tools" / "preexecute.py"), "--jobs", str(jobs)]
    pre += ["--path-output", str(out)]
    build = _jupyter_book_cmd(out)
    for kind, budget in (("cold", BUDGET_COLD), ("warm", BUDGET_WARM)):
        pre_log, build_log = out / f"{kind}-preexecute.log", out / f"{kind}-parallel.log"
        print(f"bench: {kind} parallel build (--jobs {jobs}) into {out} …", file=sys.stderr)
        pre_s, pre_rc = _run(pre, pre_log, timeout=2 * BUDGET_COLD)
        build_s, build_rc = _run(build, build_log, timeout=2 * BUDGET_COLD)
        by_build = _count(EXECUTING_LOG, build_log)
        by_pre = _count(PREEXECUTED_LOG, pre_log)
        notes = [f"pre-execute {_fmt(pre_s)} ({by_pre} page(s)) + build {_fmt(build_s)}"]
        if kind == "cold" and serial_s:
            notes.append(f"{serial_s / (pre_s + build_s):.2f}× the serial build's speed")
        if by_build:
            notes.append(f"re-executed {by_build} page(s) in the build")
        if kind == "warm" and by_pre:
            notes.append(f"re-executed {by_pre} page(s) in pre-execute")
        rows.append(
            _build_row(
                f"{kind} build, parallel (make book: pre-execute --jobs {jobs} + build)"
                if kind == "cold"
                else "warm rebuild, parallel (make book, nothing changed)",
                pre_s + build_s,
                budget,
                {pre_log: pre_rc, build_log: build_rc},
                "; ".join(notes),
            )
        )


def bench_build(
    rows: list[Row], keep: bool, mode: str = "both", jobs: int = 2
) -> dict[str, object]:
    """Build rows for ``mode`` (serial, parallel or both) and one row per page's run time."""
    serial_out = Path(tempfile.mkdtemp(prefix="arena-bench-serial-"))
    parallel_out = Path(tempfile.mkdtemp(prefix="arena-bench-parallel-"))
    info: dict[str, object] = {"output_dirs": [str(serial_out), str(parallel_out)], "jobs": jobs}
    try:
        serial_s = bench_serial(rows, serial_out) if mode in ("serial", "both") else None
        if mode in ("parallel", "both"):
            bench_parallel(rows, parallel_out, jobs, serial_s)
        serial_times, source = (
            page_times(serial_out, serial_out / "cold.log") if mode != "parallel" else ({}, "none")
        )
        parallel_times, parallel_source = (
            page_times(parallel_out, parallel_out / "cold-parallel.log")
            if mode != "serial"
            else ({}, "none")
        )
        info["page_times_source"] = source if mode != "parallel" else parallel_source
        times = serial_times or parallel_times
        if not times:
            rows.append(
                Row("page execution times", None, BUDGET_PAGE, "FAIL", "no execution record found")
            )
        label = "" if serial_times or mode == "serial" else f" (parallel, {jobs} at a time)"
        for doc, seconds in sorted(times.items()):
            note = ""
            if serial_times and doc in parallel_times:
                note = f"{_fmt(parallel_times[doc])} in the parallel build ({jobs} at a time)"
            rows.append(
                Row(
                    f"execute page {doc}{label}",
                    seconds,
                    BUDGET_PAGE,
                    _judge(seconds, BUDGET_PAGE),
                    note,
                )
            )
    finally:
        for out in (serial_out, parallel_out):
            if keep:
                print(f"bench: kept {out}", file=sys.stderr)
            else:
                shutil.rmtree(out, ignore_errors=True)
    return info


def bench_checks(rows: list[Row], sections: list[str] | None) -> None:
    arena_check = BIN / "arena-check"
    base = [str(arena_check)] if arena_check.exists() else [sys.executable, "-m", "arena_check"]
    kits = sorted(p for p in (ROOT / "exercises").iterdir() if p.is_dir())
    if sections:
        kits = [k for k in kits if k.name in sections]
        missing = set(sections) - {k.name for k in kits}
        for sid in sorted(missing):
            rows.append(
                Row(f"arena-check {sid}", None, check_budget(sid), "FAIL", "no kit in exercises/")
            )
    for kit in kits:
        sid = kit.name
        for kind, must_pass in (("solutions", True), ("exercises", False)):
            target = kit / f"{sid}_{kind}.py"
            if not target.is_file():
                rows.append(
                    Row(
                        f"arena-check {sid} {target.relative_to(ROOT)}",
                        None,
                        check_budget(sid),
                        "FAIL",
                        "missing",
                    )
                )
                continue
            log = Path(tempfile.mkstemp(prefix="arena-bench-check-", suffix=".log")[1])
            try:
                seconds, rc = _run(
                    [*base, sid, str(target.relative_to(ROOT))],
                    log,
                    timeout=max(10 * check_budget(sid), 300),
                )
                ok = (rc == 0) if must_pass else (rc not in (0, -9))
                note = f"exit {rc}" + (
                    "" if ok else (" (should pass)" if must_pass else " (stubs should fail)")
                )
                if not ok:
                    print(f"bench: arena-check {sid} {target.name}:\n{_tail(log)}", file=sys.stderr)
            finally:
                log.unlink(missing_ok=True)
            label = "reference" if must_pass else "stubs"
            rows.append(
                Row(
                    f"arena-check {sid} {target.relative_to(ROOT)} ({label})",
                    seconds,
                    check_budget(sid),
                    _judge(seconds, check_budget(sid), ok),
                    note,
                )
            )


def bench_batch(rows: list[Row]) -> None:
    """``arena-check batch`` on BATCH_SUBMISSIONS solved 0.0 kits: jobs 1 and 2, sandbox off and on."""
    solutions = ROOT / "exercises" / "0.0" / "0.0_solutions.py"
    arena_check = BIN / "arena-check"
    base = [str(arena_check)] if arena_check.exists() else [sys.executable, "-m", "arena_check"]
    sandboxes = ["off"]
    if shutil.which("bwrap"):
        sandboxes.append("on")
    else:
        rows.append(Row("arena-check batch, sandbox on", None, None, "FAIL", "bwrap missing: sh tools/ensure_bwrap.sh"))
    times: dict[tuple[int, str], float] = {}
    with tempfile.TemporaryDirectory(prefix="arena-bench-batch-") as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        for i in range(BATCH_SUBMISSIONS):
            shutil.copyfile(solutions, folder / f"learner{i:02d}.py")
        for jobs in (1, 2):
            for sandbox in sandboxes:
                out = Path(tmp) / f"gradebook-{jobs}-{sandbox}.csv"
                log = Path(tmp) / f"batch-{jobs}-{sandbox}.log"
                cmd = [*base, "batch", "0.0", str(folder), "--jobs", str(jobs), "--sandbox", sandbox, "--out", str(out)]
                seconds, rc = _run(cmd, log, timeout=1800)
                passed = rc == 0 and out.is_file() and out.read_text().count(",pass,") == BATCH_SUBMISSIONS
                if not passed:
                    print(f"bench: {' '.join(cmd)}:\n{_tail(log)}", file=sys.stderr)
                times[(jobs, sandbox)] = seconds
                note = f"{seconds / BATCH_SUBMISSIONS:.2f} s per submission"
                if sandbox == "on" and (jobs, "off") in times:
                    overhead = (seconds - times[(jobs, "off")]) / BATCH_SUBMISSIONS
                    note += f"; sandbox overhead {overhead:+.2f} s per submission"
                rows.append(Row(
                    f"arena-check batch 0.0, {BATCH_SUBMISSIONS} solved submissions, --jobs {jobs}, sandbox {sandbox}",
                    seconds, None, "PASS" if passed else "FAIL", note if passed else f"exit {rc}; not all graded pass",
                ))


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def table(rows: list[Row]) -> str:
    lines = ["| measure | time | budget | result | note |", "|---|---:|---:|---|---|"]
    for r in rows:
        budget = "—" if r.budget is None else f"≤ {_fmt(r.budget)}"
        lines.append(f"| {r.measure} | {_fmt(r.seconds)} | {budget} | {r.result} | {r.note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the numbers as JSON")
    parser.add_argument("--skip-build", action="store_true", help="only time arena-check")
    parser.add_argument(
        "--build",
        choices=("both", "serial", "parallel"),
        default="both",
        help="which cold/warm builds to time (default both: serial, then make book's parallel way)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="pre-execute processes for the parallel build"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary build directory")
    parser.add_argument("--skip-batch", action="store_true", help="do not time arena-check batch")
    parser.add_argument("--only-batch", action="store_true", help="only time arena-check batch")
    parser.add_argument(
        "--section", action="append", help="only this section's arena-check (repeatable)"
    )
    args = parser.parse_args(argv)

    rows: list[Row] = []
    info: dict[str, object] = {}
    if not args.skip_build and not args.only_batch:
        info = bench_build(rows, keep=args.keep, mode=args.build, jobs=args.jobs)
    if not args.only_batch:
        bench_checks(rows, args.section)
    if not args.skip_batch:
        bench_batch(rows)

    print(f"### arena-book bench ({os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')})\n")
    print(table(rows))
    failed = [r for r in rows if r.result != "PASS"]
    print(
        f"\n{len(rows) - len(failed)}/{len(rows)} within budget"
        + (": " + ", ".join(f"{r.measure} {r.result}" for r in failed) if failed else "")
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "cpus": os.cpu_count(),
                    **info,
                    "rows": [asdict(r) for r in rows],
                    "ok": not failed,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
