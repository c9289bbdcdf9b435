"""``arena_check.check(...)`` in a notebook: in this process, printed, with a SIGALRM time limit."""

from __future__ import annotations

import sys
import time

import pytest
import torch
from unit_helpers import SECTION

import arena_check
from arena_check import registry
from arena_check.api import ExerciseFailed, UnknownExercise
from arena_check.registry import UnknownSection
from arena_check.results import Report


def test_prints_a_passing_report(capsys: pytest.CaptureFixture[str]) -> None:
    result = arena_check.check(SECTION, "double", lambda x: 2 * x)
    assert isinstance(result, Report) and result.passed
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"arena-check {SECTION} · `double` in this notebook"
    assert lines[1] == "✓ double  (2/2)"
    assert lines[2].startswith("1/1 checks passed, 2/2 points")


def test_prints_a_failure_without_raising(capsys: pytest.CaptureFixture[str]) -> None:
    arena_check.check(SECTION, "double", lambda x: x + x.double())
    out = capsys.readouterr().out
    assert "✗ double  failed: For x of shape (3, 4), seed 0: expected dtype float32, got float64." in out


def test_names_the_learners_line(capsys: pytest.CaptureFixture[str]) -> None:
    def double(x):
        return x.view(5, 5)

    line = double.__code__.co_firstlineno + 1
    arena_check.check(SECTION, "double", double)
    out = capsys.readouterr().out
    assert ("! double  error: For x of shape (3, 4), seed 0: your code raised RuntimeError: shape '[5, 5]' "
            "is invalid for input of size 12") in out
    assert f"(test_inline_check.py, line {line}, in double)" in out


def test_noop_while_grading(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """While arena-check grades the file, a check call in it does nothing — and is truthy, so that
    ``assert arena_check.check(...)`` at the top level does not stop the file from loading."""
    monkeypatch.setenv("ARENA_CHECK_GRADING", "1")
    called = []
    assert arena_check.check(SECTION, "double", lambda x: called.append(x))
    assert called == [] and capsys.readouterr().out == ""


def test_strict_raises(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ARENA_CHECK_STRICT", "1")
    with pytest.raises(ExerciseFailed, match=r"^double: For x of shape \(3, 4\), seed 0: expected shape"):
        arena_check.check(SECTION, "double", lambda x: x[0])
    assert "✗ double  failed" in capsys.readouterr().out  # still printed first
    arena_check.check(SECTION, "double", lambda x: 2 * x)  # a pass does not raise


def test_timeout_by_alarm(capsys: pytest.CaptureFixture[str]) -> None:
    def double(x):
        while True:  # a busy loop; even a blanket `except Exception` cannot swallow the alarm
            try:
                sum(range(1000))
            except Exception:
                pass

    start = time.monotonic()
    arena_check.check(SECTION, "double", double, timeout=0.5)
    assert time.monotonic() - start < 2
    assert "⏱ double  timeout: `double` did not finish within 0.5 s." in capsys.readouterr().out
    arena_check.check(SECTION, "double", lambda x: 2 * x)  # the alarm is gone: a normal check passes
    assert "✓ double" in capsys.readouterr().out


def test_learner_raising_timeout_error_is_not_a_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    def double(x):
        raise TimeoutError("my own")

    arena_check.check(SECTION, "double", double)
    assert "! double  error: For x of shape (3, 4), seed 0: your code raised TimeoutError: my own" in capsys.readouterr().out


def test_a_class_instead_of_a_function(capsys: pytest.CaptureFixture[str]) -> None:
    class Double(torch.nn.Module):
        def forward(self, x):
            raise ValueError("not yet")

    arena_check.check(SECTION, "double", Double())
    assert "your code raised ValueError: not yet (test_inline_check.py, line" in capsys.readouterr().out


def test_unknown_names() -> None:
    with pytest.raises(UnknownExercise, match=r"^section 9\.9 has no exercise 'nope'\. Exercises: double, add_one\.$"):
        arena_check.check(SECTION, "nope", print)
    with pytest.raises(UnknownSection) as exc:
        arena_check.check("7.7", "double", print)
    assert str(exc.value).startswith("unknown section '7.7'. Known sections: ")


def test_a_section_whose_checks_cannot_be_imported_is_one_line(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a notebook, a section whose reference was never generated prints one line (no
    traceback) and returns a falsy result; strict mode (the book build) raises."""
    (tmp_path / "checks_9_4b.py").write_text("from arena_check.reference import s9_4_not_generated as ref\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.register_section("9.4", "reference not generated", module="checks_9_4b")
    try:
        result = arena_check.check("9.4", "double", lambda x: 2 * x)
        assert not result
        out = capsys.readouterr().out
        assert out.startswith("arena-check: section 9.4 cannot be graded: its checks could not be loaded (ImportError: cannot import name")
        assert out.count("\n") == 1
        monkeypatch.setenv("ARENA_CHECK_STRICT", "1")
        with pytest.raises(ExerciseFailed, match="section 9.4 cannot be graded"):
            arena_check.check("9.4", "double", lambda x: 2 * x)
    finally:
        registry.unregister_section("9.4")
        sys.modules.pop("checks_9_4b", None)


def test_an_error_names_the_input_it_happened_on(capsys: pytest.CaptureFixture[str]) -> None:
    """Like a wrong value, an exception says which input case caused it (here the second)."""

    def double(x):
        return 2 * x.view(-1, 4)

    line = double.__code__.co_firstlineno + 1
    arena_check.check(SECTION, "double", double)
    assert (
        "! double  error: For x of shape (1,): your code raised RuntimeError: shape '[-1, 4]' is invalid "
        f"for input of size 1 (test_inline_check.py, line {line}, in double)"
    ) in capsys.readouterr().out


def test_the_result_is_truthy_only_when_every_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """So that a plain script can ``assert arena_check.check(...)`` or exit with its status."""
    passed = arena_check.check(SECTION, "double", lambda x: 2 * x)
    failed = arena_check.check(SECTION, "double", lambda x: x)
    assert bool(passed) is True and bool(failed) is False
    assert repr(passed).startswith("<arena-check 9.9 · `double` in this notebook: 1/1 checks passed")
    assert passed._ipython_display_() is None  # Jupyter shows nothing more: the report is printed
    out = capsys.readouterr().out
    assert out.count("arena-check 9.9") == 2


def test_a_flood_of_output_is_stopped_and_capped(capsys: pytest.CaptureFixture[str]) -> None:
    """A function printing 10 MB does not flood the notebook: the head is kept, the rest counted."""

    def double(x):
        for _ in range(200_000):
            print("x" * 50)
        return 2 * x

    start = time.monotonic()
    result = arena_check.check(SECTION, "double", double)
    assert time.monotonic() - start < 5
    out = capsys.readouterr().out
    assert not result
    assert len(out) < 10_000
    assert "! double  error: `double` printed more than 2 MB, so it was stopped. Remove print statements inside loops." in out
    assert "    your code printed: " + "x" * 50 in out


def test_a_little_output_is_shown_with_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    def double(x):
        print("shape", tuple(x.shape))
        print("warning!", file=sys.stderr)
        return 2 * x

    assert arena_check.check(SECTION, "double", double)
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0] == f"arena-check {SECTION} · `double` in this notebook"
    assert lines[1] == "✓ double  (2/2)"
    assert lines[2] == "    your code printed: shape (3, 4)"
    assert lines[3:5] == ["    warning!", "    shape (1,)"]
