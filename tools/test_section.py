#!/usr/bin/env python3
"""One section end to end, for the contributor's loop:  make test-section S=0.0

    1. its generated files (kit, reference) are fresh;
    2. its page executes as the book build executes it (into the build's execution cache, so a
       later `make book` does not run it again), every check cell passing;
    3. its mutation tests pass (tests/sections/test_s<…>.py);
    4. arena-check grades the generated solutions as passing and the untouched kit as failing.

Each step prints one line; the exit status is 0 only if all four hold. The repository is the one
this file lives in, so the same command works in a copy of it (the CONTRIBUTING example test).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_exercises  # noqa: E402
import preexecute  # noqa: E402
from authoring import AuthoringError, read_section  # noqa: E402


def _env() -> dict[str, str]:
    """This repository's package first on the path (a copy of the repo tests its own code)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "graders"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def _step(name: str, ok: bool, seconds: float, detail: str = "") -> bool:
    mark = "ok  " if ok else "FAIL"
    print(f"[{mark}] {name} ({seconds:.1f} s){': ' + detail if detail else ''}", flush=True)
    return ok


def _source(section_id: str) -> Path:
    found = [p for p in build_exercises.section_sources(ROOT) if p.name.startswith(section_id + "_")]
    if not found:
        known = ", ".join(p.name.split("_", 1)[0] for p in build_exercises.section_sources(ROOT))
        raise SystemExit(f"test-section: no page for section {section_id!r} under book/ (sections: {known})")
    return found[0]


def check_fresh(source: Path) -> tuple[bool, str]:
    files = build_exercises.outputs(ROOT, only=source)
    stale = [p.relative_to(ROOT).as_posix() for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    return not stale, ("stale: " + ", ".join(stale) + " — run `make exercises`") if stale else f"{len(files)} generated files"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("section", help="section id, e.g. 0.0")
    args = parser.parse_args(argv)
    source = _source(args.section)
    try:
        section = read_section(source)
    except AuthoringError as e:
        return not _step("page format", False, 0.0, str(e))
    env = _env()
    results = []

    t = time.perf_counter()
    ok, detail = check_fresh(source)
    results.append(_step("generated files fresh", ok, time.perf_counter() - t, detail))
    if not ok:
        return 1

    t = time.perf_counter()
    docname = source.relative_to(ROOT).with_suffix("").as_posix()
    # As `make book` runs it: a check cell that fails on the page's own reference solution raises
    # (ARENA_CHECK_STRICT) instead of printing a ✗ into the cached output and passing here.
    os.environ.setdefault("ARENA_CHECK_STRICT", "1")
    code = preexecute.run(ROOT, only=[docname])
    results.append(_step(f"page {docname} executes", code == 0, time.perf_counter() - t,
                         "into _build/.jupyter_cache" if code == 0 else "see the traceback above"))

    t = time.perf_counter()
    tests = ROOT / "tests" / "sections" / f"test_{section.module_name}.py"
    if tests.is_file():
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        last = (proc.stdout.strip().splitlines() or ["no output"])[-1]
        if proc.returncode != 0:
            print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n")
        results.append(_step(f"tests {tests.relative_to(ROOT)}", proc.returncode == 0, time.perf_counter() - t, last))
    else:
        results.append(_step("tests", False, 0.0, f"no {tests.relative_to(ROOT)}: every section has one"))

    grader = Path(sys.executable).parent / "arena-check"
    kit = ROOT / "exercises" / section.id
    for name, expected in ((f"{section.id}_solutions.py", 0), (f"{section.id}_exercises.py", 1)):
        t = time.perf_counter()
        proc = subprocess.run([str(grader), section.id, str(kit / name)], cwd=ROOT, env=env, capture_output=True, text=True)
        summary = next((line for line in reversed(proc.stdout.splitlines()) if "checks passed" in line), proc.stderr.strip()[-200:])
        if proc.returncode != expected:
            print(proc.stdout[-3000:], proc.stderr[-1000:], sep="\n")
        results.append(_step(f"arena-check {section.id} {name} exits {expected}", proc.returncode == expected,
                             time.perf_counter() - t, summary))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
