"""The isolation layer on its own: what a forked child can do, and what the parent gets back."""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import pytest

from arena_check import runner
from arena_check.runner import KEPT_OUTPUT, Limits, _vm_bytes, run_isolated

FAST = Limits(timeout=2.0, memory_mb=512, output_cap=64 * 1024)


def test_done_with_payload_and_output() -> None:
    def work() -> dict:
        print("to stdout")
        print("to stderr", file=sys.stderr)
        return {"answer": 42}

    outcome = run_isolated(work, FAST)
    assert (outcome.kind, outcome.payload) == ("done", {"answer": 42})
    assert outcome.output == "to stdout\nto stderr\n"  # captured even under pytest's own capture


def test_timeout_kills_within_the_limit() -> None:
    start = time.monotonic()
    outcome = run_isolated(lambda: time.sleep(100) or {}, Limits(timeout=0.5))
    assert outcome.kind == "timeout" and outcome.payload is None
    assert time.monotonic() - start < 2.0


def test_output_flood_is_stopped_and_head_kept() -> None:
    def work() -> dict:
        while True:
            sys.stdout.write("y" * 1000 + "\n")

    outcome = run_isolated(work, FAST)
    assert outcome.kind == "output_flood"
    assert outcome.output == ("y" * 1000 + "\n") * 4 + "y" * (KEPT_OUTPUT - 4004)
    assert outcome.output_bytes > FAST.output_cap


def test_non_utf8_output_is_replaced_not_fatal() -> None:
    def work() -> dict:
        sys.stdout.flush()
        os.write(1, b"caf\xe9 \xff\n")
        print("surrogate: \udcff")  # unencodable in UTF-8: escaped by the child's stream
        return {}

    outcome = run_isolated(work, FAST)
    assert outcome.kind == "done"
    assert outcome.output == "caf\ufffd \ufffd\nsurrogate: \\udcff\n"


@pytest.mark.parametrize(
    ("work", "detail"),
    [
        (lambda: os._exit(5), "ended the whole process (exit code 5) before it finished."),
        (lambda: os.kill(os.getpid(), 9), "was killed (SIGKILL), most likely for using too much memory"),
        (lambda: os.kill(os.getpid(), 15), "was stopped by signal SIGTERM"),
    ],
    ids=["exit", "sigkill", "sigterm"],
)
def test_crashes(work, detail: str) -> None:
    outcome = run_isolated(work, FAST)
    assert outcome.kind == "crashed"
    assert outcome.detail.startswith(detail)


def test_work_raising_is_an_internal_error_not_a_crash() -> None:
    outcome = run_isolated(lambda: {}["missing"], FAST)
    assert outcome.kind == "done"
    assert outcome.payload == {"internal_error": "KeyError: 'missing'"}


def test_child_limits() -> None:
    """Address space capped relative to the grader's own mapping; torch single-threaded."""

    def work() -> dict:
        import torch

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        return {"cap": soft, "threads": torch.get_num_threads(), "stdin": sys.stdin.read()}

    mapped = _vm_bytes()
    outcome = run_isolated(work, FAST)
    assert outcome.payload is not None
    assert mapped + 500 * 2**20 < outcome.payload["cap"] < mapped + 600 * 2**20
    assert outcome.payload["threads"] == 1
    assert outcome.payload["stdin"] == ""


def _zombie_children() -> list[int]:
    zombies = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            zombies.append(int(stat.parent.name))
    return zombies


def test_no_zombies_left() -> None:
    before = _zombie_children()
    for work in (lambda: {}, lambda: os._exit(1), lambda: time.sleep(100) or {}):
        run_isolated(work, Limits(timeout=0.3))
    assert _zombie_children() == before


def test_without_pidfd_polling_finds_the_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ``os.pidfd_open`` is missing, the parent polls; a process left holding the pipes
    still does not delay the result, and a loop still times out."""
    monkeypatch.setattr(runner, "_exit_watch", lambda pid: None)

    def work() -> dict:
        import subprocess

        subprocess.Popen(["sleep", "100"])
        print("spawned")
        return {"ok": True}

    start = time.monotonic()
    outcome = run_isolated(work, FAST)
    assert (outcome.kind, outcome.payload, outcome.output) == ("done", {"ok": True}, "spawned\n")
    assert time.monotonic() - start < FAST.timeout  # waiting for the sleeper would end in a timeout
    assert run_isolated(lambda: time.sleep(100) or {}, Limits(timeout=0.3)).kind == "timeout"


def test_a_child_past_its_cpu_time_is_stopped_before_the_wall_clock() -> None:
    """The CPU-time limit (RLIMIT_CPU) stops a spinning child as soon as it has used its CPU
    seconds, whatever the wall clock says: here 1 s of CPU under a 30 s wall-clock limit."""

    def spin() -> dict:
        while True:
            pass

    start = time.monotonic()
    outcome = run_isolated(spin, Limits(timeout=30.0, cpu_seconds=1))
    assert (outcome.kind, outcome.detail) == ("timeout", "cpu")
    assert time.monotonic() - start < 20.0


def test_the_cpu_limit_is_named_in_the_message() -> None:
    from arena_check.api import _outcome_problem
    from arena_check.results import Status

    outcome = runner.Outcome("timeout", None, "", 0, 1.2, detail="cpu")
    status, message = _outcome_problem(outcome, Limits(timeout=5.0), "`double`")
    assert status is Status.TIMEOUT
    assert message.startswith("`double` used more than 6 s of CPU time (its limit, beside the 5 s of wall-clock time)")


def test_a_child_that_sleeps_is_not_stopped_by_the_cpu_limit() -> None:
    def nap() -> dict:
        time.sleep(2.5)
        return {"ok": True}

    outcome = run_isolated(nap, Limits(timeout=10.0, cpu_seconds=1))
    assert outcome.kind == "done" and outcome.payload == {"ok": True}
