"""What the CLI and notebooks call: grade a learner's file, or check one object in place."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from arena_check import registry
from arena_check.loader import GRADING_ENV, LoadError, describe_exception, load_learner_file
from arena_check.registry import CheckSpec
from arena_check.results import CheckResult, Report, Status, cap_output
from arena_check.runner import Limits, Outcome, run_isolated
from arena_check.testing import CheckFailed

#: When set (the book build sets it), a failing in-notebook check raises, so the page fails.
STRICT_ENV = "ARENA_CHECK_STRICT"

_MEMORY_MARKERS = ("can't allocate memory", "DefaultCPUAllocator", "out of memory")


def _run_spec(spec: CheckSpec, obj: Any, source_file: str) -> tuple[Status, str]:
    """Run one check on the learner's object, in the current process. Returns (status, message)."""
    if obj is None:
        return Status.ERROR, f"your file does not define `{spec.exercise}`."
    try:
        spec.func(obj)
    except CheckFailed as e:
        return Status.FAILED, str(e)
    except NotImplementedError:
        return Status.FAILED, f"`{spec.exercise}` still raises NotImplementedError: replace the stub with your code."
    except RecursionError:
        return Status.ERROR, f"`{spec.exercise}` recursed too deeply (RecursionError). Check your base case."
    except MemoryError:
        return Status.ERROR, f"`{spec.exercise}` ran out of memory. Avoid materialising huge intermediate tensors."
    except SystemExit as e:
        return Status.ERROR, f"`{spec.exercise}` called sys.exit({e.code!r}); return a value instead."
    except KeyboardInterrupt:
        return Status.ERROR, "interrupted."
    except Exception as e:
        text = str(e)
        if isinstance(e, RuntimeError) and any(m in text for m in _MEMORY_MARKERS):
            return Status.ERROR, f"`{spec.exercise}` ran out of memory. Avoid materialising huge intermediate tensors."
        return Status.ERROR, f"your code raised {describe_exception(e, source_file)}"
    return Status.PASSED, ""


# ---------------------------------------------------------------------------------------
# Grading a file: every check in its own forked child
# ---------------------------------------------------------------------------------------
def _probe_load(path: str, exercises: list[str]) -> dict:
    """Child work: load the file once to see whether it loads at all and what it defines."""
    try:
        module = load_learner_file(path)
    except LoadError as e:
        return {"load_error": str(e)}
    return {"defined": [name for name in exercises if getattr(module, name, None) is not None]}


def _check_child(spec: CheckSpec, path: str) -> dict:
    try:
        module = load_learner_file(path)
    except LoadError as e:
        return {"status": Status.ERROR.value, "message": f"could not load your file: {e}"}
    status, message = _run_spec(spec, getattr(module, spec.exercise, None), str(Path(path).resolve()))
    return {"status": status.value, "message": message}


def _outcome_problem(outcome: Outcome, limits: Limits, what: str) -> tuple[Status, str] | None:
    """Turn a timeout / flood / crash into (status, message); None if the child finished."""
    if outcome.kind == "timeout":
        return Status.TIMEOUT, (
            f"{what} did not finish within {limits.timeout:g} s. Look for an infinite loop, or a "
            "Python loop over elements where one tensor operation would do. (--timeout raises the limit.)"
        )
    if outcome.kind == "output_flood":
        return Status.ERROR, (
            f"{what} printed more than {limits.output_cap // (1024 * 1024)} MB, so it was stopped. "
            "Remove print statements inside loops."
        )
    if outcome.kind == "crashed":
        return Status.ERROR, f"{what} {outcome.detail} (memory cap {limits.memory_mb} MB)."
    if outcome.payload and "internal_error" in outcome.payload:
        return Status.ERROR, f"{what} could not be run: {outcome.payload['internal_error']}"
    return None


def grade_file(
    section: str,
    path: str | os.PathLike[str],
    *,
    exercise: str | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
) -> Report:
    """Grade the learner's ``.py``/``.ipynb`` file against every check of ``section``.

    Raises :class:`registry.UnknownSection` for an unknown section and ``ValueError`` for an
    unknown exercise; everything the learner's file does becomes part of the returned report.
    """
    start = time.monotonic()
    specs = registry.checks_for(section, exercise)
    if exercise is not None and not specs:
        raise ValueError(exercise)
    path_str = str(Path(path).resolve())
    report = Report(section=section, source=str(path))
    base = Limits()
    if memory_mb is not None:
        base = Limits(timeout=base.timeout, memory_mb=memory_mb, output_cap=base.output_cap)

    # 1. Load once. A file that does not load gets one clear message, not one per check.
    load_limits = Limits(timeout or 30.0, base.memory_mb, base.output_cap)
    exercises = list(dict.fromkeys(s.exercise for s in specs))
    probe = run_isolated(lambda: _probe_load(path_str, exercises), load_limits)
    problem = _outcome_problem(probe, load_limits, "loading your file")
    if problem is None and probe.payload and "load_error" in probe.payload:
        problem = (Status.ERROR, probe.payload["load_error"])
    if problem is None and probe.payload is not None and not probe.payload.get("defined"):
        problem = (
            Status.ERROR,
            f"your file defines none of this section's exercises ({', '.join(exercises[:6])}"
            f"{', …' if len(exercises) > 6 else ''}). Is it the right file for section {section}?",
        )
    report.results = [
        CheckResult(s.section, s.exercise, s.name, Status.ERROR, "not run", max_points=s.points)
        for s in specs
    ]
    if problem is not None:
        report.load_error = problem[1]
        if probe.output_bytes and probe.kind != "output_flood":
            report.load_error += f"\nIt printed: {cap_output(probe.output, 300)}"
        report.seconds = time.monotonic() - start
        return report

    # 2. Each check in its own child.
    for i, spec in enumerate(specs):
        limits = Limits(timeout or spec.timeout, base.memory_mb, base.output_cap)
        outcome = run_isolated(lambda spec=spec: _check_child(spec, path_str), limits)
        problem = _outcome_problem(outcome, limits, f"`{spec.exercise}`")
        if problem is not None:
            status, message = problem
        else:
            assert outcome.payload is not None
            status, message = Status(outcome.payload["status"]), outcome.payload["message"]
        output = outcome.output
        if outcome.output_bytes > len(outcome.output.encode()):
            output += f"\n… [{outcome.output_bytes} bytes printed in all]"
        report.results[i] = CheckResult(
            section=spec.section,
            exercise=spec.exercise,
            name=spec.name,
            status=status,
            message=message,
            output=output,
            points=spec.points if status is Status.PASSED else 0.0,
            max_points=spec.points,
            seconds=outcome.seconds,
        )
    report.seconds = time.monotonic() - start
    return report


# ---------------------------------------------------------------------------------------
# Checking an object in a notebook: in this process, with a timeout where signals allow
# ---------------------------------------------------------------------------------------
class ExerciseFailed(AssertionError):
    """Raised by :func:`check` in strict mode (the book build) when a check does not pass."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check(section: str, exercise: str, obj: Any, *, timeout: float | None = None) -> Report | None:
    """Check ``obj`` (your function or class) against the checks for ``exercise`` and show the result.

    Meant for notebooks: ``arena_check.check("0.0", "softmax", softmax)``. Does nothing while
    ``arena-check`` itself is grading the file that contains this call.
    """
    if os.environ.get(GRADING_ENV):
        return None
    specs = registry.checks_for(section, exercise)
    if not specs:
        raise ValueError(f"section {section} has no exercise named {exercise!r}")
    source = getattr(getattr(obj, "__code__", None), "co_filename", "") or ""
    report = Report(section=section, source=f"`{exercise}` in this notebook")
    start = time.monotonic()
    for spec in specs:
        t0 = time.monotonic()
        limit = timeout or spec.timeout
        try:
            with _alarm(limit):
                status, message = _run_spec(spec, obj, source)
        except TimeoutError:
            status, message = Status.TIMEOUT, f"`{exercise}` did not finish within {limit:g} s."
        report.results.append(
            CheckResult(
                spec.section, spec.exercise, spec.name, status, message,
                points=spec.points if status is Status.PASSED else 0.0,
                max_points=spec.points, seconds=time.monotonic() - t0,
            )
        )
    report.seconds = time.monotonic() - start
    print(report.to_text())
    if not report.passed and os.environ.get(STRICT_ENV):
        raise ExerciseFailed(f"{exercise}: " + "; ".join(r.message for r in report.results if not r.passed))
    return None
