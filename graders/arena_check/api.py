"""What the CLI and notebooks call: grade a learner's file, or check one object in place."""

from __future__ import annotations

import inspect
import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena_check import registry, testing
from arena_check.loader import (
    GRADING_ENV,
    LoadError,
    describe_exception,
    is_out_of_memory,
    learner_frame,
    load_learner_file,
    safe_str,
)
from arena_check.registry import CheckSpec
from arena_check.results import CheckResult, Report, Status, cap_output
from arena_check.runner import DEFAULT_OUTPUT_CAP, KEPT_OUTPUT, Limits, Outcome, run_isolated
from arena_check.testing import CheckFailed

#: When set (the book build sets it), a failing in-notebook check raises, so the page fails.
STRICT_ENV = "ARENA_CHECK_STRICT"

#: The files ``grade_file`` accepts.
SUFFIXES = (".py", ".ipynb")


class UnknownExercise(ValueError):
    """The section has no exercise of that name (a ``ValueError``, as before)."""


class _Interrupt(BaseException):
    """Stops a check in a notebook from outside the learner's code. A ``BaseException``, so
    neither the learner's ``except Exception:`` nor :func:`_run_spec`'s error handling can
    swallow it."""


class _CheckTimeout(_Interrupt):
    """Raised by the in-notebook alarm."""


class _OutputFlood(_Interrupt):
    """Raised by the in-notebook output capture when the learner's code prints too much."""


def _memory_note(limits: Limits) -> str:
    """What every out-of-memory message of a capped run ends with: the cap and how to raise it."""
    return f" (The cap is {limits.memory_mb} MB; --memory-mb raises it.)"


def _run_spec(spec: CheckSpec, obj: Any, source_file: str, memory_note: str = "") -> tuple[Status, str]:
    """Run one check on the learner's object, in the current process. Returns (status, message).

    Never raises (except the notebook's interruptions): whatever the learner's code — or a buggy
    check — does becomes a status and one sentence. When the learner's code raised on an input
    case the check named (``testing.call(..., context=...)``), the sentence starts with it, as a
    wrong value's does. ``memory_note`` ends an out-of-memory message (the cap, where there is one).
    """
    if obj is None:
        return Status.ERROR, f"your file does not define `{spec.exercise}`."
    try:
        spec.func(obj)
    except _Interrupt:
        raise
    except CheckFailed as e:
        return Status.FAILED, safe_str(e)
    except NotImplementedError:
        return Status.FAILED, f"`{spec.exercise}` still raises NotImplementedError: replace the stub with your code."
    except KeyboardInterrupt:
        return Status.ERROR, "interrupted."
    except BaseException as e:  # noqa: BLE001 — the learner's, or the check's own, error
        case = testing.case_of(e)
        on_case = f"For {case}: " if case else ""
        if isinstance(e, RecursionError):
            return Status.ERROR, on_case + f"`{spec.exercise}` recursed too deeply (RecursionError). Check your base case."
        if isinstance(e, SystemExit):
            return Status.ERROR, on_case + f"`{spec.exercise}` called sys.exit({e.code!r}); return a value instead."
        if is_out_of_memory(e):
            return Status.ERROR, (
                on_case + f"`{spec.exercise}` ran out of memory. Avoid materialising huge intermediate tensors."
                + memory_note
            )
        check_file = getattr(getattr(spec.func, "__code__", None), "co_filename", "")
        if _is_check_bug(e, source_file, check_file):
            # Not a line of the learner's code ran when it went wrong: the check has a bug.
            return Status.ERROR, (
                f"the check itself failed with {describe_exception(e, '')} — a bug in arena-check, "
                f"not in your code. Please report it, naming {spec.task_id}."
            )
        return Status.ERROR, on_case + f"your code raised {describe_exception(e, source_file, (check_file,))}"
    return Status.PASSED, ""


def _is_check_bug(exc: BaseException, source_file: str, check_file: str) -> bool:
    """Whether ``exc`` is the check's own fault: no learner frame in the traceback, and the
    innermost Python frame is the check's module or arena_check — except :func:`testing.call`
    calling the learner's object, which is how a library function the learner assigned
    (``softmax = torch.softmax``) fails."""
    if learner_frame(exc, source_file, (check_file,)) is not None or exc.__traceback__ is None:
        return False
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if code is testing.call.__code__:
        return False
    return code.co_filename == check_file or code.co_filename.startswith(_PACKAGE_DIR)


_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _unknown_exercise(section: str, exercise: str) -> UnknownExercise:
    names = ", ".join(registry.exercises_for(section)) or "none"
    return UnknownExercise(f"section {section} has no exercise {exercise!r}. Exercises: {names}.")


# ---------------------------------------------------------------------------------------
# Grading a file: every check in its own forked child
# ---------------------------------------------------------------------------------------
def _load_error_text(e: LoadError, limits: Limits) -> str:
    return str(e) + (_memory_note(limits) if e.out_of_memory else "")


def _probe_load(path: str, exercises: list[str], limits: Limits) -> dict:
    """Child work: load the file once to see whether it loads at all and what it defines."""
    try:
        module = load_learner_file(path)
    except LoadError as e:
        return {"load_error": _load_error_text(e, limits)}
    names = [n for n in vars(module) if not n.startswith("__") and n != "get_ipython"]
    return {"defined": [n for n in exercises if getattr(module, n, None) is not None], "empty": not names}


def _check_child(spec: CheckSpec, path: str, limits: Limits) -> dict:
    try:
        module = load_learner_file(path)
    except LoadError as e:
        return {"status": Status.ERROR.value, "message": f"could not load your file: {_load_error_text(e, limits)}"}
    status, message = _run_spec(spec, getattr(module, spec.exercise, None), path, _memory_note(limits))
    return {"status": status.value, "message": message}


_LOADING = "loading your file"  # the "what" of the load probe's messages


def _outcome_problem(outcome: Outcome, limits: Limits, what: str) -> tuple[Status, str] | None:
    """Turn a timeout / flood / crash into (status, message); None if the child finished."""
    if outcome.kind == "timeout" and outcome.detail == "cpu":
        return Status.TIMEOUT, (
            f"{what} used more than {limits.cpu_limit} s of CPU time (its limit, beside the {limits.timeout:g} s "
            "of wall-clock time), so it was stopped. Look for an infinite loop, or threads or processes that spin. "
            "(--timeout raises the limit.)"
        )
    if outcome.kind == "timeout":
        if what == _LOADING:
            return Status.TIMEOUT, (
                f"{what} did not finish within {limits.timeout:g} s. Look for an infinite loop or a long "
                "computation at the top level of your file; put script code under "
                '`if __name__ == "__main__":`. (--timeout raises the limit.)'
            )
        return Status.TIMEOUT, (
            f"{what} did not finish within {limits.timeout:g} s. Look for an infinite loop, or a "
            "Python loop over elements where one tensor operation would do. (--timeout raises the limit.)"
        )
    if outcome.kind == "output_flood":
        return Status.ERROR, (
            f"{what} printed more than {limits.output_cap / (1024 * 1024):g} MB, so it was stopped. "
            "Remove print statements inside loops."
        )
    if outcome.kind == "memory":
        used = f"{outcome.memory_used_mb:.0f} MB" if outcome.memory_used_mb is not None else "most"
        where = " at the top level of your file" if what == _LOADING else ""
        return Status.ERROR, (
            f"{what} was running out of memory: it did not finish within {limits.timeout:g} s and had taken {used} "
            f"of its {limits.memory_mb} MB memory cap. Look for a list or tensor that keeps growing, or a "
            f"huge intermediate result{where}." + _memory_note(limits)
        )
    if outcome.kind == "crashed":
        message = f"{what} {outcome.detail}."
        if outcome.near_memory_cap and "memory" not in outcome.detail and outcome.memory_used_mb is not None:
            message += (
                f" It had taken {outcome.memory_used_mb:.0f} MB of its {limits.memory_mb} MB memory cap, "
                "so it most likely ran out of memory."
            )
        if "memory" in message:
            message += _memory_note(limits)
        return Status.ERROR, message
    if outcome.payload and "internal_error" in outcome.payload:
        return Status.ERROR, (
            f"{what} could not be run: {outcome.payload['internal_error']} — a bug in arena-check; please report it."
        )
    return None


def _captured(outcome: Outcome) -> str:
    """What the child printed, with a note when only the head of it was kept."""
    if outcome.output_bytes > KEPT_OUTPUT:
        return outcome.output + f"\n… [{outcome.output_bytes} bytes printed in all]"
    return outcome.output


def _check_path(path: str | os.PathLike[str]) -> Path:
    """The learner's file, or a clear ``FileNotFoundError``/``ValueError`` before any forking."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {p}" if not p.exists() else f"{p} is not a file")
    if p.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{p.name}: expected a .py or .ipynb file")
    return p.resolve()


def _none_defined(section: str, exercises: list[str], exercise: str | None, empty: bool) -> str:
    if empty:
        return "your file is empty: it defines nothing. Write your solutions in it and try again."
    if exercise is not None:
        return f"your file does not define `{exercise}`."
    shown = ", ".join(exercises[:6]) + (", …" if len(exercises) > 6 else "")
    return (
        f"your file defines none of section {section}'s exercises ({shown}). "
        "Is it the right file for this section?"
    )


def grade_file(
    section: str,
    path: str | os.PathLike[str],
    *,
    exercise: str | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
) -> Report:
    """Grade the learner's ``.py``/``.ipynb`` file against every check of ``section``.

    Mistakes in the call itself raise, with a message fit to show: :class:`registry.UnknownSection`
    (unknown section), :class:`UnknownExercise` (a ``ValueError``), ``FileNotFoundError`` (no such
    file) and ``ValueError`` (not ``.py``/``.ipynb``). Everything the learner's file does becomes
    part of the returned report: a file that does not load gets one ``load_error``.
    """
    start = time.monotonic()
    specs = registry.checks_for(section, exercise)
    if exercise is not None and not specs:
        raise _unknown_exercise(section, exercise)
    path_str = str(_check_path(path))
    registry.prepare(section)  # models and the like, once, before the children fork
    report = Report(section=section, source=str(path))
    base = Limits() if memory_mb is None else Limits(memory_mb=memory_mb)

    # 1. Load once. A file that does not load gets one clear message, not one per check.
    load_limits = Limits(timeout or 30.0, base.memory_mb, base.output_cap)
    exercises = list(dict.fromkeys(s.exercise for s in specs))
    probe = run_isolated(lambda: _probe_load(path_str, exercises, load_limits), load_limits)
    problem = _outcome_problem(probe, load_limits, _LOADING)
    if problem is None and probe.payload and "load_error" in probe.payload:
        problem = (Status.ERROR, f"could not load your file: {probe.payload['load_error']}")
    if problem is None and probe.payload is not None and not probe.payload.get("defined"):
        problem = (Status.ERROR, _none_defined(section, exercises, exercise, bool(probe.payload.get("empty"))))
    report.results = [
        CheckResult(s.section, s.exercise, s.name, Status.ERROR, "not run", max_points=s.points)
        for s in specs
    ]
    if problem is not None:
        report.load_error = problem[1]
        if probe.output_bytes and probe.kind != "output_flood":
            report.load_error += f"\nIt printed: {cap_output(_captured(probe).rstrip(), 300)}"
        report.seconds = time.monotonic() - start
        return report

    # 2. Each check in its own child.
    for i, spec in enumerate(specs):
        limits = Limits(timeout or spec.timeout, base.memory_mb, base.output_cap)
        outcome = run_isolated(lambda spec=spec, limits=limits: _check_child(spec, path_str, limits), limits)
        problem = _outcome_problem(outcome, limits, f"`{spec.exercise}`")
        if problem is not None:
            status, message = problem
        else:
            assert outcome.payload is not None
            status, message = Status(outcome.payload["status"]), outcome.payload["message"]
        report.results[i] = CheckResult(
            section=spec.section,
            exercise=spec.exercise,
            name=spec.name,
            status=status,
            message=message,
            output=_captured(outcome),
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


@dataclass
class CheckReport(Report):
    """What :func:`check` returns: the report it printed, truthy when every check passed, so a
    script can ``assert arena_check.check(...)``. Jupyter shows nothing more for it (the text is
    printed already); ``skipped`` marks a call made while ``arena-check`` grades the file."""

    skipped: bool = False

    def __bool__(self) -> bool:
        return self.skipped or self.passed

    def __repr__(self) -> str:
        if self.skipped:
            return f"<arena-check {self.section}: skipped while grading>"
        if self.load_error is not None:
            return f"<arena-check {self.section}: {self.load_error}>"
        return f"<arena-check {self.section} · {self.source}: {self.progress_line()}>"

    def _ipython_display_(self) -> None:
        return None


class _CappedOutput(io.TextIOBase):
    """Where the learner's prints go during an in-notebook check: the head is kept, the rest
    only counted, and past ``cap`` characters the check is stopped (:class:`_OutputFlood`), as
    the CLI stops a child that prints too much. Why: a notebook cell fed 10 MB of text freezes
    the browser."""

    def __init__(self, cap: int = DEFAULT_OUTPUT_CAP, keep: int = KEPT_OUTPUT) -> None:
        super().__init__()
        self.cap, self.keep = cap, keep
        self.head: list[str] = []
        self.kept = 0
        self.total = 0
        self.flooded = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        n = len(text)
        self.total += n
        if self.kept < self.keep:
            piece = text[: self.keep - self.kept]
            self.head.append(piece)
            self.kept += len(piece)
        if self.total > self.cap and not self.flooded:
            self.flooded = True  # raise once; later writes (a `finally: print`) are only counted
            raise _OutputFlood
        return n

    def text(self) -> str:
        head = "".join(self.head)
        if self.total > self.kept:
            head += f"\n… [{self.total} characters printed in all]"
        return head


def _flood_message(exercise: str, cap: int) -> str:
    return (
        f"`{exercise}` printed more than {cap / (1024 * 1024):g} MB, so it was stopped. "
        "Remove print statements inside loops."
    )


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`_CheckTimeout` in this thread after ``seconds`` (main thread, Unix only;
    elsewhere there is no limit). A long C-level torch call is interrupted when it returns."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001
        raise _CheckTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _source_file(obj: Any) -> str:
    """The file ``obj`` was defined in (a notebook cell's temporary file, say), or ""."""
    try:
        return inspect.getfile(obj)
    except (TypeError, OSError):
        return ""


def check(section: str, exercise: str, obj: Any, *, timeout: float | None = None) -> CheckReport:
    """Check ``obj`` (your function or class) against the checks for ``exercise``; print the result.

    Meant for notebooks: ``arena_check.check("0.0", "softmax", softmax)``. Runs in this process
    (so it sees the notebook's state) with a SIGALRM time limit; what ``obj`` prints is captured
    and capped, as ``arena-check`` does, and shown with the report. Returns the report, truthy
    when every check passed (``assert arena_check.check(...)`` works in a script).

    Does nothing (and returns a truthy report) while ``arena-check`` itself is grading the file
    that contains this call. A section whose checks cannot be loaded prints one line and returns
    a falsy report. If ``ARENA_CHECK_STRICT`` is set (the book build sets it), a check that does
    not pass raises :class:`ExerciseFailed`, so the page fails to build.
    """
    source_label = f"`{exercise}` in this notebook"
    if os.environ.get(GRADING_ENV):
        return CheckReport(section=section, source=source_label, skipped=True)
    try:
        specs = registry.checks_for(section, exercise)
        # The section's fixtures (models, tokenizers) before any time limit starts: on a new
        # machine the first one may convert SmolLM2 (~30–50 s), which no check's limit allows.
        registry.prepare(section)
    except registry.SectionUnavailable as e:
        print(f"arena-check: {e}")
        if os.environ.get(STRICT_ENV):
            raise ExerciseFailed(str(e)) from None
        return CheckReport(section=section, source=source_label, load_error=str(e))
    if not specs:
        raise _unknown_exercise(section, exercise)
    source = _source_file(obj)
    report = CheckReport(section=section, source=source_label)
    start = time.monotonic()
    for spec in specs:
        t0 = time.monotonic()
        limit = timeout or spec.timeout
        captured = _CappedOutput()
        try:
            with redirect_stdout(captured), redirect_stderr(captured), _alarm(limit):
                status, message = _run_spec(spec, obj, source)
        except _CheckTimeout:
            status, message = Status.TIMEOUT, (
                f"`{exercise}` did not finish within {limit:g} s. Look for an infinite loop, or a "
                "Python loop over elements where one tensor operation would do."
            )
        except _OutputFlood:
            status, message = Status.ERROR, _flood_message(exercise, captured.cap)
        if captured.flooded and status is not Status.ERROR:  # the learner caught the interruption
            status, message = Status.ERROR, _flood_message(exercise, captured.cap)
        report.results.append(
            CheckResult(
                spec.section, spec.exercise, spec.name, status, message, output=captured.text(),
                points=spec.points if status is Status.PASSED else 0.0,
                max_points=spec.points, seconds=time.monotonic() - t0,
            )
        )
    report.seconds = time.monotonic() - start
    print(report.to_text(verbose=True))
    if not report.passed and os.environ.get(STRICT_ENV):
        raise ExerciseFailed(f"{exercise}: " + "; ".join(r.message for r in report.results if not r.passed))
    return report
