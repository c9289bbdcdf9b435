"""The command line: exit codes 0/1/2, flags, and real subprocesses (no traceback on stderr).

Subprocesses import torch (~2 s each), so they are few and started all at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from unit_helpers import GOOD, LAUNCH, SECTION, SUBPROCESS_ENV, write_learner

from arena_check import registry
from arena_check.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main

HERE = Path(__file__).resolve().parent
#: A checks module whose reference was never generated (``make exercises`` not run).
BROKEN_CHECKS = "from arena_check.reference import s9_4_not_generated as ref\n"


# ---- in-process: main() -------------------------------------------------------------------
@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_learner(tmp_path, "good.py", GOOD)


@pytest.fixture
def half(tmp_path: Path) -> Path:
    """`double` right, `add_one` wrong."""
    return write_learner(tmp_path, "half.py", "def double(x):\n    return 2 * x\n\ndef add_one(n):\n    return n\n")


def test_exit_0_when_all_pass(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([SECTION, str(good)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines()[1:] == ["✓ double  (2/2)", "✓ add_one  (1/1)", out.splitlines()[-1]]
    assert out.splitlines()[-1].startswith("2/2 checks passed, 3/3 points (")


def test_exit_1_when_one_fails(half: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([SECTION, str(half)]) == EXIT_FAILED
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "✗ add_one  failed: For n=0: expected 1, got 0."
    assert lines[3].startswith("1/2 checks passed, 2/3 points")


def test_exercise_selects_one(half: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([SECTION, str(half), "--exercise", "double"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "✓ double  (2/2)"
    assert lines[2].startswith("1/1 checks passed, 2/2 points")
    assert main([SECTION, str(half), "-e", "add_one"]) == EXIT_FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["7.7", "{good}"], "arena-check: unknown section '7.7'. Known sections: "),
        ([SECTION, "{good}", "--exercise", "nope"],
         f"arena-check: section {SECTION} has no exercise 'nope'. Exercises: double, add_one."),
        ([SECTION, "{dir}/missing.py"], "arena-check: no such file: {dir}/missing.py"),
        ([SECTION, "{dir}"], "arena-check: {dir} is not a file"),
        ([SECTION, "{dir}/notes.txt"], "arena-check: notes.txt: expected a .py or .ipynb file"),
        ([SECTION], "arena-check: give the file to grade: arena-check SECTION PATH"),
        ([SECTION, "{good}", "--timeout", "0"], "arena-check: --timeout must be a positive number of seconds"),
        ([SECTION, "{good}", "--memory-mb", "-5"], "arena-check: --memory-mb must be a positive number of megabytes"),
        (["list", "7.7"], "arena-check: unknown section '7.7'."),
        ([SECTION, "{good}", "--gradescope", "{dir}/no/such/dir/results.json"],
         "arena-check: could not write {dir}/no/such/dir/results.json: No such file or directory"),
    ],
    ids=["section", "exercise", "missing", "directory", "extension", "no-path", "timeout", "memory",
         "list-section", "gradescope-unwritable"],
)
def test_exit_2_for_usage_errors(
    args: list[str], message: str, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (good.parent / "notes.txt").write_text("def double(x): return 2 * x\n")
    fill = {"good": str(good), "dir": str(good.parent)}
    assert main([a.format(**fill) for a in args]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.startswith(message.format(**fill))
    assert captured.err.count("\n") == 1  # one line
    assert "Traceback" not in captured.err


def test_json_and_gradescope(half: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gradescope = tmp_path / "results.json"
    assert main([SECTION, str(half), "--json", "--gradescope", str(gradescope)]) == EXIT_FAILED
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == 3 and data["status"] == "fail"
    assert [t["status"] for t in data["tests"]] == ["pass", "fail"]
    gs = json.loads(gradescope.read_text())
    assert gs["score"] == 2
    assert [(t["score"], t["max_score"]) for t in gs["tests"]] == [(2, 2), (0, 1)]


def test_verbose_shows_output_of_passing_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_learner(tmp_path, "chatty.py", "print('hi there')\n" + GOOD)
    assert main([SECTION, str(path)]) == EXIT_OK
    assert "hi there" not in capsys.readouterr().out
    assert main([SECTION, str(path), "-v"]) == EXIT_OK
    assert "✓ double  (2/2)\n    your code printed: hi there\n" in capsys.readouterr().out


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == EXIT_USAGE
    assert "usage: arena-check" in capsys.readouterr().err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == EXIT_OK
    assert f"{SECTION}  unit-test section  (2 checks, 3 points)" in capsys.readouterr().out.splitlines()
    assert main(["list", SECTION]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        f"{SECTION}  unit-test section  (2 checks, 3 points)", "    double", "    add_one"
    ]


def test_exit_2_in_one_line_when_a_sections_checks_cannot_be_imported(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference was not generated yet: the checks module's import fails. One line, exit 2."""
    (tmp_path / "checks_9_4.py").write_text(BROKEN_CHECKS)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.register_section("9.4", "reference not generated", module="checks_9_4")
    try:
        for args in (["9.4", str(good)], ["9.4", str(good), "--exercise", "double"]):
            assert main(args) == EXIT_USAGE
            captured = capsys.readouterr()
            assert captured.err.startswith(
                "arena-check: section 9.4 cannot be graded: its checks could not be loaded (ImportError: cannot import name "
            )
            assert "s9_4_not_generated" in captured.err
            assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
        assert main(["list"]) == EXIT_OK  # still tolerant
        assert "9.4  reference not generated  (its checks could not be loaded" in capsys.readouterr().out
    finally:
        registry.unregister_section("9.4")
        sys.modules.pop("checks_9_4", None)


def test_list_survives_a_broken_section(capsys: pytest.CaptureFixture[str]) -> None:
    registry.register_section("9.7", "broken", module="no_such_module_for_9_7")
    try:
        assert main(["list"]) == EXIT_OK
        out = capsys.readouterr().out
        assert "9.7  broken  (its checks could not be loaded: ModuleNotFoundError" in out
        assert f"{SECTION}  unit-test section" in out
    finally:
        registry.unregister_section("9.7")


# ---- subprocesses: the real exit code, stderr without a traceback -----------------------------
SUBPROCESS_CASES = {
    # id: (command after python, files to write, expected code, expected in stdout, expected in stderr)
    "pass-json-gradescope": (["-c", LAUNCH, SECTION, "{good}", "--json", "--gradescope", "{dir}/gs.json"],
                             EXIT_OK, '"status": "pass"', ""),
    "syntax-error": (["-c", LAUNCH, SECTION, "{syntax}"],
                     EXIT_FAILED, "! could not load your file: SyntaxError in syntax.py, line 1: expected ':'", ""),
    "loop-at-import": (["-c", LAUNCH, SECTION, "{loop}", "--timeout", "1"],
                       EXIT_FAILED, "! loading your file did not finish within 1 s.", ""),
    "grandchild-and-os-exit": (["-c", LAUNCH, SECTION, "{spawn}"], EXIT_FAILED,
                               "! double  error: `double` ended the whole process (exit code 3)", ""),
    "ascii-terminal": (["-c", LAUNCH, SECTION, "{good}"], EXIT_OK, "\\u2713 double  (2/2)", ""),
    "module-unknown-section": (["-m", "arena_check", "7.7", "{good}"], EXIT_USAGE, "",
                               "arena-check: unknown section '7.7'."),
}


@pytest.fixture(scope="module")
def subprocess_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str, float]]:
    """Start every subprocess case at once; return {id: (code, stdout, stderr, seconds)}."""
    d = tmp_path_factory.mktemp("cli")
    files = {
        "good": write_learner(d, "good.py", GOOD),
        "syntax": write_learner(d, "syntax.py", "def double(x)\n    return x\n"),
        "loop": write_learner(d, "loop.py", "while True:\n    pass\n"),
        "spawn": write_learner(d, "spawn.py", "import os, subprocess\nsubprocess.Popen(['sleep', '100'])\n"
                               "def double(x):\n    os._exit(3)\n\ndef add_one(n):\n    return n + 1\n"),
    }
    fill = {k: str(v) for k, v in files.items()} | {"dir": str(d)}
    procs = {}
    for case_id, (args, *_) in SUBPROCESS_CASES.items():
        env = dict(SUBPROCESS_ENV)
        if case_id == "ascii-terminal":
            env["PYTHONIOENCODING"] = "ascii"
        procs[case_id] = (time.monotonic(), subprocess.Popen(
            [sys.executable, *[a.format(**fill) for a in args]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=d,
        ))
    runs = {}
    for case_id, (start, proc) in procs.items():
        out, err = proc.communicate(timeout=60)
        runs[case_id] = (proc.returncode, out, err, time.monotonic() - start)
    return runs


@pytest.mark.parametrize("case_id", list(SUBPROCESS_CASES))
def test_subprocess(case_id: str, subprocess_runs: dict[str, tuple[int, str, str, float]]) -> None:
    _, expected_code, in_stdout, in_stderr = SUBPROCESS_CASES[case_id]
    code, out, err, seconds = subprocess_runs[case_id]
    assert code == expected_code, (out, err)
    assert in_stdout in out
    assert in_stderr in err
    if not in_stderr:
        assert err == ""
    else:
        assert err.count("\n") == 1  # one line
    assert "Traceback" not in out + err
    assert seconds < 90  # a leftover `sleep 100` holding a pipe would show here (loose: CI machines are shared)
