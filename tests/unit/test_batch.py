"""``arena-check batch``: a cohort graded at once, hostile submissions sandboxed, resumable.

Real processes, a real loopback server and real bubblewrap; nothing is mocked. The batch runs as
a subprocess (as an instructor runs it), grading the unit-test section 9.9 (``--import
section99``): ``double`` (2 points) and ``add_one`` (1 point).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from unit_helpers import SUBPROCESS_ENV

import arena_check
from arena_check import batch

HERE = Path(__file__).resolve().parent
BATCH = "import sys; from arena_check.cli import main; sys.exit(main(sys.argv[1:]))"


def _require_bwrap() -> None:
    """`make test` installs bubblewrap (tools/ensure_bwrap.sh), so a missing one is a failure."""
    problem = batch._bwrap_problem()
    if problem is not None:
        pytest.fail(f"the sandbox tests need bubblewrap, but {problem}: run `sh tools/ensure_bwrap.sh`")

SOLVED = [
    "def double(x):\n    return 2 * x\n\ndef add_one(n):\n    return n + 1\n",
    "def double(x):\n    return x + x\n\ndef add_one(n):\n    return 1 + n\n",
    "import torch\n\ndef double(x):\n    return torch.mul(x, 2)\n\ndef add_one(n):\n    n += 1\n    return n\n",
    "def double(x):\n    return x * 2.0\n\nadd_one = lambda n: n + 1\n",
]
UNSOLVED = "def double(x):\n    raise NotImplementedError\n\ndef add_one(n):\n    raise NotImplementedError\n"
HALF = "def double(x):\n    return 2 * x\n\ndef add_one(n):\n    return n\n"  # double right, add_one wrong
BROKEN = "def double(x:\n    return 2 * x\n"
ADD_ONE = "\ndef add_one(n):\n    return n + 1\n"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on the host's loopback that records what any client sends it."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(100) or b"(connected)")
                except OSError:
                    received.append(b"(connected)")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def _write(folder: Path, learner: str, source: str, *, own_folder: bool = False) -> Path:
    if own_folder:
        (folder / learner).mkdir(parents=True)
        path = folder / learner / "9.9_exercises.py"
    else:
        path = folder / f"{learner}.py"
    path.write_text(source, encoding="utf-8")
    return path


def _run_batch(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**SUBPROCESS_ENV, "HOME": str(home), "PYTHONPATH": str(HERE)}
    return subprocess.run(
        [sys.executable, "-c", BATCH, "batch", "9.9", *args, "--import", "section99"],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=600,
    )


def _gradebook(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return {row["learner"]: row for row in csv.DictReader(f)}


def _orphans(tag: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", tag], capture_output=True, text=True)
    return found.stdout.split()


def test_a_cohort_with_hostile_submissions(tmp_path: Path, listener: tuple[int, list[bytes]]) -> None:
    """22 submissions, six of them hostile, graded two at a time in sandboxes: every grade is what
    the submission earned, and no attack reached the network, the disk or another learner."""
    _require_bwrap()
    port, received = listener
    subs, home = tmp_path / "submissions", tmp_path / "instructor"
    subs.mkdir()
    home.mkdir()
    tag = f"arena-orphan-{uuid.uuid4().hex}"
    package_dir = Path(arena_check.__file__).parent
    expected: dict[str, tuple[str, float]] = {}
    for i in range(10):
        _write(subs, f"solved{i:02d}", SOLVED[i % len(SOLVED)], own_folder=i % 2 == 0)
        expected[f"solved{i:02d}"] = ("pass", 3)
    for i in range(3):
        _write(subs, f"unsolved{i}", UNSOLVED)
        expected[f"unsolved{i}"] = ("fail", 0)
    for i in range(2):
        _write(subs, f"half{i}", HALF, own_folder=True)
        expected[f"half{i}"] = ("fail", 2)
    _write(subs, "broken", BROKEN)
    expected["broken"] = ("error", 0)
    victim = subs / "solved00" / "9.9_exercises.py"

    # Each attack, if it worked, adds 1 to double's answer, so a successful attack costs 2 points.
    hostile = {
        "net": (f"import socket\ndef double(x):\n    try:\n        socket.create_connection(('127.0.0.1', {port}), "
                "timeout=2).sendall(b'leak')\n        return 2 * x + 1\n    except OSError:\n        return 2 * x\n"),
        "writer": ("from pathlib import Path\nWROTE = 0\n"
                   f"for target in [Path({str(package_dir)!r}) / 'pwned.py', Path({str(home)!r}) / 'pwned']:\n"
                   "    try:\n        target.write_text('x')\n        WROTE = 1\n    except OSError:\n        pass\n"
                   "def double(x):\n    return 2 * x + WROTE\n"),
        "reader": (f"try:\n    STOLEN = len(open({str(victim)!r}).read()) > 0\nexcept OSError:\n    STOLEN = False\n"
                   "def double(x):\n    return 2 * x + int(STOLEN)\n"),
        "orphan": ("import subprocess, sys\n"
                   f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', {tag!r}], start_new_session=True)\n"
                   "def double(x):\n    return 2 * x\n"),
        "spinner": "def double(x):\n    while True:\n        pass\n",
        "hog": "def double(x):\n    junk = bytearray(10**10)\n    return 2 * x\n",
    }
    for name, source in hostile.items():
        _write(subs, name, source + ADD_ONE)
    expected |= {"net": ("pass", 3), "writer": ("pass", 3), "reader": ("pass", 3), "orphan": ("pass", 3),
                 "spinner": ("fail", 1), "hog": ("fail", 1)}
    assert len(expected) >= 20

    out = tmp_path / "grades" / "gradebook.csv"
    run = _run_batch(str(subs), "--jobs", "2", "--sandbox", "on", "--memory-mb", "512", "--out", str(out),
                     home=home, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    book = _gradebook(out)
    assert set(book) == set(expected)
    for learner, (status, points) in expected.items():
        row = book[learner]
        assert (row["status"], float(row["points"])) == (status, points), (learner, row)
        assert row["sandbox"] == "on" and float(row["max_points"]) == 3
    assert book["half0"]["double"] == "2" and book["half0"]["add_one"] == "0"
    assert "SyntaxError" in book["broken"]["message"]

    reports = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "grades" / "gradebook_reports").glob("*.json")}
    spin = next(t for t in reports["spinner"]["report"]["tests"] if t["name"] == "double")
    assert spin["outcome"] == "timeout"
    hog = next(t for t in reports["hog"]["report"]["tests"] if t["name"] == "double")
    assert "out of memory" in hog["message"]

    assert received == [], "a sandboxed submission reached the host's loopback server"
    assert not (package_dir / "pwned.py").exists() and not (home / "pwned").exists()
    assert _orphans(tag) == [], "a process a submission started outlived its sandbox"
    assert "22 submissions" in run.stderr and "sandbox on" in run.stderr


def test_the_same_attacks_without_the_sandbox_do_reach_out(tmp_path: Path, listener: tuple[int, list[bytes]]) -> None:
    """The control: with --sandbox off the loopback attack works (so the test above does test the
    sandbox), and the gradebook says which mode ran."""
    port, received = listener
    subs = tmp_path / "submissions"
    subs.mkdir()
    _write(subs, "net", f"import socket\ndef double(x):\n    socket.create_connection(('127.0.0.1', {port})).sendall(b'leak')\n"
           "    return 2 * x\n" + ADD_ONE)
    out = tmp_path / "gradebook.csv"
    run = _run_batch(str(subs), "--sandbox", "off", "--out", str(out), home=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert b"leak" in received
    assert _gradebook(out)["net"]["sandbox"] == "off"


def test_an_interrupted_batch_resumes_without_losing_or_regrading(tmp_path: Path) -> None:
    """Kill a batch (SIGKILL) once some learners are graded; the re-run keeps those reports
    untouched, grades only the rest, and writes the same gradebook as an uninterrupted run."""
    subs = tmp_path / "submissions"
    subs.mkdir()
    sources = [SOLVED[0], UNSOLVED, HALF, SOLVED[1], BROKEN, SOLVED[2]]
    for i, source in enumerate(sources):
        _write(subs, f"learner{i}", source)

    whole = tmp_path / "whole" / "gradebook.csv"
    assert _run_batch(str(subs), "--jobs", "2", "--out", str(whole), home=tmp_path, cwd=tmp_path).returncode == 0

    out = tmp_path / "resumed" / "gradebook.csv"
    reports = out.with_name("gradebook_reports")
    env = {**SUBPROCESS_ENV, "HOME": str(tmp_path), "PYTHONPATH": str(HERE)}
    first = subprocess.Popen(
        [sys.executable, "-c", BATCH, "batch", "9.9", str(subs), "--jobs", "1", "--out", str(out), "--import", "section99"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while len(list(reports.glob("*.json"))) < 3 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    finished = {p.name: p.read_bytes() for p in reports.glob("*.json")}
    assert 3 <= len(finished) < len(sources), "the batch was not interrupted halfway"
    assert not out.exists()

    second = _run_batch(str(subs), "--jobs", "2", "--out", str(out), home=tmp_path, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"graded {len(sources) - len(finished)}, unchanged {len(finished)}" in second.stderr
    for name, content in finished.items():
        assert (reports / name).read_bytes() == content, f"{name} was graded again"

    def comparable(path: Path) -> dict[str, dict[str, str]]:
        return {k: {c: v for c, v in row.items() if c not in ("seconds", "file")} for k, row in _gradebook(path).items()}

    assert comparable(out) == comparable(whole)
    assert list(_gradebook(out)) == [f"learner{i}" for i in range(len(sources))]

    # An edited submission is graded again; the others are not.
    (subs / "learner1.py").write_text(SOLVED[0])
    third = _run_batch(str(subs), "--out", str(out), home=tmp_path, cwd=tmp_path)
    assert f"graded 1, unchanged {len(sources) - 1}" in third.stderr
    assert _gradebook(out)["learner1"]["status"] == "pass"


def test_learners_are_named_from_their_paths(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "9.9_exercises.py").write_text(SOLVED[0])
    (tmp_path / "alice" / "scratch").mkdir()
    (tmp_path / "alice" / "scratch" / "notes.py").write_text("")
    (tmp_path / "bob.ipynb").write_text("{}")
    (tmp_path / "carol").mkdir()
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "a.py").write_text("")
    (tmp_path / "dave" / "b.py").write_text("")
    found = {s.learner: s for s in batch.find_submissions(str(tmp_path), "9.9")}
    assert found["alice"].path == tmp_path / "alice" / "9.9_exercises.py"  # the one named for the section
    assert found["bob"].path == tmp_path / "bob.ipynb"
    assert found["carol"].path is None and "no .py or .ipynb" in found["carol"].problem
    assert found["dave"].path is None and "2 files to choose from (a.py, b.py)" in found["dave"].problem
    by_glob = batch.find_submissions(str(tmp_path / "*" / "9.9_exercises.py"), "9.9")
    assert [(s.learner, s.folder) for s in by_glob] == [("alice", tmp_path / "alice")]


def test_usage_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run = _run_batch(str(empty), home=tmp_path, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == f"arena-check: no submissions found in {empty} (looked for .py and .ipynb files)"
    monkeypatch.setattr(batch, "bwrap_path", lambda: None)
    with pytest.raises(batch.BatchError, match=r"^--sandbox on needs bubblewrap, but bwrap is not installed\. Install"):
        batch.sandbox_mode("on")
    assert batch.sandbox_mode("auto") == "off"
