"""``arena_check.check(...)`` in a notebook: in this process, printed, with a SIGALRM time limit."""

from __future__ import annotations

import time

import pytest
import torch
from unit_helpers import SECTION

import arena_check
from arena_check.api import ExerciseFailed, UnknownExercise
from arena_check.registry import UnknownSection


def test_prints_a_passing_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert arena_check.check(SECTION, "double", lambda x: 2 * x) is None
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
    assert "! double  error: your code raised RuntimeError: shape '[5, 5]' is invalid for input of size 12" in out
    assert f"(test_inline_check.py, line {line}, in double)" in out


def test_noop_while_grading(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ARENA_CHECK_GRADING", "1")
    called = []
    assert arena_check.check(SECTION, "double", lambda x: called.append(x)) is None
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
    assert "! double  error: your code raised TimeoutError: my own" in capsys.readouterr().out


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
