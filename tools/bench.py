#!/usr/bin/env python3
"""Measure the performance budgets of DESIGN §6 and print them as a Markdown table.

    python tools/bench.py                  # also `make bench`
    python tools/bench.py --json bench.json
    python tools/bench.py --skip-build     # only time arena-check

Measures, on this machine:

1. a cold build: ``jupyter-book build`` into a fresh temporary ``--path-output`` (so ``_build``
   is untouched; its execution cache starts empty, so every page executes);
2. a warm rebuild of that same output directory with nothing changed (no page may re-execute);
3. each page's execution time, from the build's jupyter-cache database (falling back to the
   build log, then to the status page);
4. ``arena-check <id> exercises/<id>/<id>_solutions.py`` (must pass) and the same on the stub kit
   ``<id>_exercises.py`` (must not pass) for every section.

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

BUILD_ENV = {
    "ARENA_CHECK_STRICT": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
}
EXECUTED_LOG = re.compile(r"^(?P<path>\S+?): Executed notebook in (?P<s>[\d.]+) seconds", re.M)
EXECUTING_LOG = re.compile(r": Executing notebook ", re.M)


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


def bench_build(rows: list[Row], keep: bool) -> dict[str, object]:
    jupyter_book = BIN / "jupyter-book"
    if not jupyter_book.exists():
        jupyter_book = Path(shutil.which("jupyter-book") or "jupyter-book")
    out = Path(tempfile.mkdtemp(prefix="arena-bench-"))
    cmd = [
        str(jupyter_book),
        "build",
        str(ROOT),
        "-W",
        "-n",
        "--keep-going",
        "--path-output",
        str(out),
    ]
    info: dict[str, object] = {"output_dir": str(out)}
    try:
        cold_log, warm_log = out / "cold.log", out / "warm.log"
        print(f"bench: cold build into {out} …", file=sys.stderr)
        cold_s, cold_rc = _run(cmd, cold_log, timeout=2 * BUDGET_COLD)
        rows.append(
            Row(
                "cold build (fresh output, empty execution cache)",
                cold_s,
                BUDGET_COLD,
                _judge(cold_s, BUDGET_COLD, cold_rc == 0),
                "" if cold_rc == 0 else f"exit {cold_rc}: {_first_problem(cold_log)}",
            )
        )
        if cold_rc != 0:
            print(f"bench: cold build failed (exit {cold_rc}):\n{_tail(cold_log)}", file=sys.stderr)

        print("bench: warm rebuild …", file=sys.stderr)
        warm_s, warm_rc = _run(cmd, warm_log, timeout=10 * BUDGET_WARM)
        reexecuted = len(
            EXECUTING_LOG.findall(warm_log.read_text(encoding="utf-8", errors="replace"))
        )
        note = "" if warm_rc == 0 else f"exit {warm_rc}: {_first_problem(warm_log)}"
        if reexecuted:
            note = (note + "; " if note else "") + f"re-executed {reexecuted} page(s)"
        rows.append(
            Row(
                "warm rebuild (nothing changed)",
                warm_s,
                BUDGET_WARM,
                _judge(warm_s, BUDGET_WARM, warm_rc == 0 and reexecuted == 0),
                note,
            )
        )
        if warm_rc != 0:
            print(
                f"bench: warm rebuild failed (exit {warm_rc}):\n{_tail(warm_log)}", file=sys.stderr
            )

        times, source = page_times(out, cold_log)
        info["page_times_source"] = source
        if not times:
            rows.append(
                Row("page execution times", None, BUDGET_PAGE, "FAIL", "no execution record found")
            )
        for doc, seconds in sorted(times.items()):
            rows.append(
                Row(f"execute page {doc}", seconds, BUDGET_PAGE, _judge(seconds, BUDGET_PAGE))
            )
    finally:
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
                Row(f"arena-check {sid}", None, BUDGET_CHECK, "FAIL", "no kit in exercises/")
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
                        BUDGET_CHECK,
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
                    timeout=max(10 * BUDGET_CHECK, 300),
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
                    BUDGET_CHECK,
                    _judge(seconds, BUDGET_CHECK, ok),
                    note,
                )
            )


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
    parser.add_argument("--keep", action="store_true", help="keep the temporary build directory")
    parser.add_argument(
        "--section", action="append", help="only this section's arena-check (repeatable)"
    )
    args = parser.parse_args(argv)

    rows: list[Row] = []
    info: dict[str, object] = {}
    if not args.skip_build:
        info = bench_build(rows, keep=args.keep)
    bench_checks(rows, args.section)

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
