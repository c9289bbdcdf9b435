"""Every way a learner's file can go wrong yields exactly one clear result, never a grader
traceback or a hang — through ``grade_file`` and through the CLI's ``main``.

Each case's learner file defines ``double`` (the one that misbehaves) and, where it loads at all,
a correct ``add_one``: its check still passing shows that one check's disaster stays in its child.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from unit_helpers import LAUNCH, SECTION, SUBPROCESS_ENV, TIMEOUT, write_learner, write_notebook

from arena_check import grade_file
from arena_check.cli import main
from arena_check.results import Status

ADD_ONE = "\ndef add_one(n):\n    return n + 1\n"


@dataclass
class Case:
    id: str
    source: str | bytes | list[str]  # a list: notebook cells
    #: when the file cannot be graded at all: the exact load_error, or fragments of it
    load_error: str | tuple[str, ...] | None = None
    #: otherwise: status and exact message (or fragments) of the `double` check
    status: Status | None = None
    message: str | tuple[str, ...] = ()
    add_one_passes: bool = True
    output: tuple[str, ...] = ()  # fragments of what `double`'s check printed
    silent: bool = False  # `double`'s check printed nothing at all
    slow: bool = False  # waits for the time limit
    suffix: str = ".py"  # notebook cells always make an .ipynb
    memory_mb: int | None = None  # the --memory-mb to grade with (default: the grader's)

    @property
    def filename(self) -> str:
        return f"{self.id}.ipynb" if isinstance(self.source, list) else f"{self.id}{self.suffix}"


def _bomb(where: str, expr: str) -> str:
    if where == "import":
        return f"import torch\nx = {expr}\ndef double(x):\n    return 2 * x\n"
    return f"import torch\ndef double(x):\n    y = {expr}\n    return 2 * x\n" + ADD_ONE


OOM_IN_CALL = ("For x of shape (3, 4), seed 0: `double` ran out of memory. Avoid materialising huge "
               "intermediate tensors. (The cap is 2048 MB; --memory-mb raises it.)")
FLOOD = "for _ in range(200_000):\n    print('x' * 50)\n"  # 10 MB
CALL_TIMEOUT = (f"`double` did not finish within {TIMEOUT:g} s. Look for an infinite loop, or a Python "
                "loop over elements where one tensor operation would do. (--timeout raises the limit.)")

CASES = [
    Case("syntax_error", "def double(x)\n    return 2 * x\n",
         load_error="could not load your file: SyntaxError in syntax_error.py, line 1: expected ':'\n"
                    "    def double(x)"),
    Case("import_error", "import no_such_module_xyz\n" + ADD_ONE,
         load_error="could not load your file: import_error.py raised ModuleNotFoundError: No module "
                    "named 'no_such_module_xyz' (line 1)"),
    Case("error_in_helper_at_import", "def helper():\n    return 1 / 0\n\nX = helper()\n" + ADD_ONE,
         load_error="could not load your file: error_in_helper_at_import.py raised ZeroDivisionError: "
                    "division by zero (error_in_helper_at_import.py, line 2, in helper)"),
    Case("missing_function", ADD_ONE,
         status=Status.ERROR, message="your file does not define `double`."),
    Case("loop_at_import", "while True:\n    pass\n" + ADD_ONE, slow=True,
         load_error=(f"loading your file did not finish within {TIMEOUT:g} s", "infinite loop",
                     "top level of your file", '`if __name__ == "__main__":`')),
    Case("loop_in_call", "def double(x):\n    while True:\n        pass\n" + ADD_ONE, slow=True,
         status=Status.TIMEOUT, message=CALL_TIMEOUT),
    Case("exit_at_import", "import sys\nsys.exit()\n" + ADD_ONE,
         load_error="could not load your file: exit_at_import.py called sys.exit(None) while being "
                    'loaded. Put script code under `if __name__ == "__main__":`.'),
    Case("exit_in_call", "import sys\ndef double(x):\n    sys.exit(0)\n" + ADD_ONE,
         status=Status.ERROR, message="For x of shape (3, 4), seed 0: `double` called sys.exit(0); return a value instead."),
    Case("os_exit_in_call", "import os\ndef double(x):\n    os._exit(3)\n" + ADD_ONE,
         status=Status.ERROR,
         message="`double` ended the whole process (exit code 3) before it finished. Remove calls "
                 "such as os._exit() or os.kill(), and return a value instead."),
    Case("torch_bomb_at_import", _bomb("import", "torch.zeros(10**11)") + ADD_ONE,
         load_error="could not load your file: torch_bomb_at_import.py ran out of memory while being "
                    "loaded (line 2). Avoid creating huge "
                    "tensors or lists at the top level of your file. (The cap is 2048 MB; --memory-mb raises it.)"),
    Case("list_bomb_at_import", _bomb("import", "[0] * 10**11") + ADD_ONE,
         load_error=("could not load your file: list_bomb_at_import.py ran out of memory while being loaded",
                     "(line 2)", "(The cap is 2048 MB; --memory-mb raises it.)")),
    # Memory that fills up more slowly than the time limit runs out (page faults under load):
    # still reported as memory, naming the cap, not as a timeout.
    Case("python_bomb_in_call", "def double(x):\n    junk = []\n    while True:\n        junk.append(' ' * 10**6)\n"
         + ADD_ONE, memory_mb=256, status=Status.ERROR,
         message=("out of memory", "(The cap is 256 MB; --memory-mb raises it.)")),
    Case("memory_growing_past_the_time_limit",
         "import time\ndef double(x):\n    junk = []\n    while True:\n        junk.append(bytearray(10 * 2**20))\n"
         "        time.sleep(0.1)\n" + ADD_ONE, memory_mb=256, slow=True, status=Status.ERROR,
         message=("`double` was running out of memory: it did not finish within 2 s", "of its 256 MB memory cap",
                  "(The cap is 256 MB; --memory-mb raises it.)")),
    Case("memory_full_then_stuck",
         "import time\ndef double(x):\n    junk = bytearray(240 * 2**20)\n    time.sleep(100)\n" + ADD_ONE,
         memory_mb=256, slow=True, status=Status.ERROR,
         message=("`double` was running out of memory: it did not finish within 2 s", "(The cap is 256 MB; --memory-mb raises it.)")),
    # Holding memory is not running out of it: a stuck loop that does not grow is a timeout.
    Case("memory_held_then_stuck",
         "def double(x):\n    junk = bytearray(100 * 2**20)\n    while True:\n        pass\n" + ADD_ONE,
         memory_mb=256, slow=True, status=Status.TIMEOUT, message=CALL_TIMEOUT),
    Case("loading_fills_memory_past_the_time_limit",
         "import time\njunk = []\nwhile True:\n    junk.append(bytearray(10 * 2**20))\n    time.sleep(0.1)\n",
         memory_mb=256, slow=True,
         load_error=("loading your file was running out of memory: it did not finish within 2 s",
                     "(The cap is 256 MB; --memory-mb raises it.)")),
    Case("torch_bomb_in_call", _bomb("call", "torch.zeros(10**11)"),
         status=Status.ERROR,
         message=OOM_IN_CALL),
    Case("list_bomb_in_call", _bomb("call", "[0] * 10**11"),
         status=Status.ERROR,
         message=OOM_IN_CALL),
    Case("flood_at_import", FLOOD + "def double(x):\n    return 2 * x\n" + ADD_ONE,
         load_error="loading your file printed more than 2 MB, so it was stopped. Remove print "
                    "statements inside loops."),
    Case("flood_in_call", "def double(x):\n" + "\n".join("    " + line for line in FLOOD.splitlines())
         + "\n    return 2 * x\n" + ADD_ONE,
         status=Status.ERROR,
         message="`double` printed more than 2 MB, so it was stopped. Remove print statements inside loops.",
         output=("x" * 50,)),
    Case("nan_output", "def double(x):\n    return x * float('nan')\n" + ADD_ONE,
         status=Status.FAILED,
         message=("For x of shape (3, 4), seed 0: your output contains NaN at index (0, 0)", "Hint:")),
    Case("wrong_shape", "def double(x):\n    return (2 * x).flatten()[None]\n" + ADD_ONE,
         status=Status.FAILED,
         message="For x of shape (3, 4), seed 0: expected shape (3, 4), got (1, 12). Hint: multiply by two"),
    Case("wrong_dtype", "def double(x):\n    return (2 * x).double()\n" + ADD_ONE,
         status=Status.FAILED,
         message="For x of shape (3, 4), seed 0: expected dtype float32, got float64. Hint: multiply by two"),
    Case("mutated_input", "def double(x):\n    x *= 2\n    return x\n" + ADD_ONE,
         status=Status.FAILED,
         message="`double` changed its input argument #1 (float32 tensor of shape (3, 4)) in place. "
                 "Return a new tensor instead (avoid `x -= …`, `x[…] = …`, `.add_()` on inputs)."),
    Case("raises", "def double(x):\n    return helper(x)\n\ndef helper(x):\n    raise ValueError('bad thing')\n" + ADD_ONE,
         status=Status.ERROR,
         message="For x of shape (3, 4), seed 0: your code raised ValueError: bad thing (raises.py, line 5, in helper)"),
    Case("empty_file", "",
         load_error="your file is empty: it defines nothing. Write your solutions in it and try again."),
    Case("comments_only", "# TODO: write double\n",
         load_error="your file is empty: it defines nothing. Write your solutions in it and try again."),
    Case("defines_none", "import torch\n\ndef triple(x):\n    return 3 * x\n",
         load_error="your file defines none of section 9.9's exercises (double, add_one). "
                    "Is it the right file for this section?"),
    Case("notebook_failing_cell",
         ["#md # My solutions", "import torch", "def double(x):\n    return 2 * x", "y = 1\nz = y / 0"],
         load_error="could not load your file: notebook_failing_cell.ipynb cell 4 raised "
                    "ZeroDivisionError: division by zero (line 2)"),
    Case("notebook_raises_in_call",
         ["import torch", "def double(x):\n    bad = x.view(5, 5)\n    return 2 * x", ADD_ONE],
         status=Status.ERROR,
         message=("For x of shape (3, 4), seed 0: your code raised RuntimeError: shape '[5, 5]' is invalid for input of size 12",
                  "(notebook_raises_in_call.ipynb cell 2, line 2, in double)")),
    Case("notebook_invalid_json", b'{"cells": [ this is not json', suffix=".ipynb",
         load_error=("could not load your file: notebook_invalid_json.ipynb is not a valid notebook "
                     "(JSON error: ",)),
    Case("notebook_not_a_notebook", b"[1, 2, 3]", suffix=".ipynb",
         load_error="could not load your file: notebook_not_a_notebook.ipynb is not a valid notebook "
                    "(no list of cells)."),
    Case("notebook_with_magics",
         ["%matplotlib inline\n!pip install einops\nimport torch",
          "%%time\ndef double(x):\n    return 2 * x",
          "%%bash\necho this is not python",
          "if True:\n    %load_ext autoreload\n" + ADD_ONE],
         status=Status.PASSED, message=""),
    Case("little_output", "print('hello from import')\ndef double(x):\n    print('in double', tuple(x.shape))\n"
         "    return 2 * x + 1\n" + ADD_ONE,
         status=Status.FAILED,
         message=("For x of shape (3, 4), seed 0: 12 of 12 values differ; first at index (0, 0): expected ",
                  "(max abs error 1). Hint: multiply by two"),
         output=("hello from import\nin double (3, 4)",)),
    Case("not_utf8", "# café\n".encode("latin-1") + b"def double(x):\n    return 2 * x\n",
         load_error="could not load your file: not_utf8.py is not UTF-8 text (line 1, byte 5). "
                    "Save it as UTF-8 and try again."),
    Case("latin1_with_coding_line", b"# -*- coding: latin-1 -*-\n# caf\xe9\ndef double(x):\n    return 2 * x\n"
         + ADD_ONE.encode(), status=Status.PASSED),
    Case("utf8_bom", b"\xef\xbb\xbfdef double(x):\n    return 2 * x\n" + ADD_ONE.encode(),
         status=Status.PASSED),
    Case("null_bytes", b"def double(x):\n    return 2 * x\n\x00\n",
         load_error="could not load your file: null_bytes.py contains null bytes, so it is not a "
                    "Python source file."),
    Case("recursion", "def double(x):\n    return double(x)\n" + ADD_ONE,
         status=Status.ERROR,
         message="For x of shape (3, 4), seed 0: `double` recursed too deeply (RecursionError). Check your base case."),
    Case("returns_list", "def double(x):\n    return (2 * x).tolist()\n" + ADD_ONE,
         status=Status.FAILED,
         message="For x of shape (3, 4), seed 0: expected a torch.Tensor, got list of length 3. "
                 "Hint: multiply by two"),
    Case("not_a_function", "double = 2\n" + ADD_ONE,
         status=Status.FAILED,
         message="`double` should be a function, but your file defines it as a value of type int."),
    Case("library_function", "import torch\ndouble = torch.softmax\n" + ADD_ONE,
         status=Status.ERROR, message='For x of shape (3, 4), seed 0: your code raised TypeError: softmax() missing 1 required positional arguments: "dim"'),
    Case("grandchild_at_import", "import subprocess\nsubprocess.Popen(['sleep', '100'])\n"
         "def double(x):\n    return 2 * x\n" + ADD_ONE, status=Status.PASSED),
    Case("grandchild_in_call", "import subprocess\ndef double(x):\n    subprocess.Popen(['sleep', '100'])\n"
         "    return 2 * x\n" + ADD_ONE, status=Status.PASSED),
    Case("segfault_in_call", "import ctypes\ndef double(x):\n    return ctypes.string_at(0)\n" + ADD_ONE,
         status=Status.ERROR, message="`double` crashed with a segmentation fault (SIGSEGV)."),
    Case("unprintable_exception", "class Bad(Exception):\n    def __str__(self):\n        raise RuntimeError\n"
         "def double(x):\n    raise Bad()\n" + ADD_ONE,
         status=Status.ERROR,
         message="For x of shape (3, 4), seed 0: your code raised Bad: <Bad whose message cannot be shown> "
                 "(unprintable_exception.py, line 5, in double)"),
    Case("non_utf8_output", "import sys\ndef double(x):\n    sys.stdout.buffer.write(b'\\xff\\xfe odd bytes\\n')\n"
         "    return 2 * x + 1\n" + ADD_ONE,
         status=Status.FAILED, message=("12 of 12 values differ",), output=("\ufffd\ufffd odd bytes",)),
    Case("reads_stdin", "def double(x):\n    return 2 * x * int(input('factor? '))\n" + ADD_ONE,
         status=Status.ERROR,
         message="For x of shape (3, 4), seed 0: your code raised EOFError: EOF when reading a line (reads_stdin.py, line 2, in double)"),
    Case("calls_check_at_import", "import arena_check\ndef double(x):\n    return 2 * x\n"
         "arena_check.check('9.9', 'double', double)\n" + ADD_ONE, status=Status.PASSED, silent=True),
    Case("nbconvert_script", "get_ipython().run_line_magic('matplotlib', 'inline')\n"
         "def double(x):\n    return 2 * x\n" + ADD_ONE, status=Status.PASSED),
]


def _write(tmp_path: Path, case: Case) -> Path:
    if isinstance(case.source, list):
        return write_notebook(tmp_path, case.filename, case.source)
    return write_learner(tmp_path, case.filename, case.source)


def _fragments(expected: str | tuple[str, ...]) -> tuple[str, ...]:
    return (expected,) if isinstance(expected, str) else expected


def _assert_message(got: str, expected: str | tuple[str, ...]) -> None:
    if isinstance(expected, str):
        assert got == expected
    else:
        for fragment in expected:
            assert fragment in got
    assert "Traceback" not in got


def _budget(case: Case) -> float:
    return TIMEOUT + 3.0 if case.slow else 6.0


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_grade_file(case: Case, tmp_path: Path) -> None:
    path = _write(tmp_path, case)
    start = time.monotonic()
    report = grade_file(SECTION, path, timeout=TIMEOUT, memory_mb=case.memory_mb)
    assert time.monotonic() - start < _budget(case)
    assert [r.exercise for r in report.results] == ["double", "add_one"]
    data = json.loads(report.to_json())
    assert data["version"] == 3
    assert all(t["output"] is None or len(t["output"]) <= 500 for t in data["tests"])
    if case.load_error is not None:
        assert report.load_error is not None
        _assert_message(report.load_error, case.load_error)
        assert not report.passed and report.points == 0
        assert json.loads(report.to_json())["status"] == "error"
        return
    assert report.load_error is None
    double, add_one = report.results
    assert double.status is case.status, double.message
    _assert_message(double.message, case.message)
    for fragment in case.output:
        assert fragment in double.output
    if case.silent:
        assert double.output == ""
    assert add_one.passed == case.add_one_passes, add_one.message


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, case)
    memory = ["--memory-mb", str(case.memory_mb)] if case.memory_mb else []
    code = main([SECTION, str(path), "--timeout", str(TIMEOUT), *memory])
    out, err = capsys.readouterr()
    assert err == ""
    assert "Traceback" not in out
    lines = out.splitlines()
    assert lines[0] == f"arena-check {SECTION} · {path}"
    if case.load_error is not None:
        assert code == 1
        assert lines[1].startswith("! ")
        for fragment in _fragments(case.load_error):
            assert fragment.split("\n")[0] in out
        assert lines[-1] == "0/2 checks run; fix the problem above and try again."
        return
    passed = case.status is Status.PASSED and case.add_one_passes
    assert code == (0 if passed else 1)
    symbol = case.status.symbol if case.status else ""
    double_line = next(line for line in lines if line.startswith(f"{symbol} double"))
    if case.status is not Status.PASSED:
        assert f"  {case.status.value}: " in double_line
        for fragment in _fragments(case.message):
            assert fragment in double_line
    for fragment in case.output:  # what failing checks printed is shown, capped
        assert "    your code printed: " + fragment.split("\n")[0] in out
    assert lines[-1].startswith(f"{2 if passed else int(case.add_one_passes)}/2 checks passed")


def test_learners_subprocess_is_killed(tmp_path: Path) -> None:
    """A learner's `sleep 100` is killed with its check's process group, even when the check
    itself finished (and fast: the grader does not wait for the sleeper's copy of the pipes)."""
    pid_file = tmp_path / "pid"
    path = write_learner(tmp_path, "spawner.py", (
        "import subprocess\n"
        "def double(x):\n"
        "    p = subprocess.Popen(['sleep', '100'])\n"
        f"    open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "    return 2 * x\n" + ADD_ONE
    ))
    start = time.monotonic()
    report = grade_file(SECTION, path, timeout=TIMEOUT)
    assert time.monotonic() - start < TIMEOUT  # waiting for the sleeper would end in a timeout
    assert report.passed, report.to_text()
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.02)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_load_timeout_shows_what_the_file_printed(tmp_path: Path) -> None:
    path = write_learner(tmp_path, "chatty_loop.py", "print('starting training', flush=True)\nwhile True:\n    pass\n")
    report = grade_file(SECTION, path, timeout=1)
    assert report.load_error is not None
    assert report.load_error.startswith("loading your file did not finish within 1 s.")
    assert report.load_error.endswith("\nIt printed: starting training")


def test_exercise_not_defined(tmp_path: Path) -> None:
    """--exercise names one exercise the file lacks: one clear sentence about that exercise."""
    path = write_learner(tmp_path, "only_double.py", "def double(x):\n    return 2 * x\n")
    report = grade_file(SECTION, path, exercise="add_one", timeout=TIMEOUT)
    assert report.load_error == "your file does not define `add_one`."
    assert [r.exercise for r in report.results] == ["add_one"]


def test_a_buggy_check_is_not_blamed_on_the_learner(tmp_path: Path) -> None:
    path = write_learner(tmp_path, "fine.py", "def double(x):\n    return 2 * x\n")
    report = grade_file("9.8", path, timeout=TIMEOUT)
    (result,) = report.results
    assert result.status is Status.ERROR
    source = (Path(__file__).parent / "section99.py").read_text().splitlines()
    line = next(i for i, text in enumerate(source, start=1) if 'raise KeyError("oops")' in text)
    assert result.message == (
        f"the check itself failed with KeyError: 'oops' (section99.py, line {line}, in check_buggy) — "
        "a bug in arena-check, not in your code. "
        "Please report it, naming 9.8/double/buggy."
    )


@pytest.mark.parametrize(("megabytes", "ok"), [(100, True), (400, False)])
def test_memory_cap_is_above_what_the_grader_maps(tmp_path: Path, megabytes: int, ok: bool) -> None:
    """The cap is relative: 200 MB more than the grader has mapped is enough for a 100 MB
    tensor and too little for a 400 MB one."""
    path = write_learner(tmp_path, "alloc.py", (
        "import torch\n"
        "def double(x):\n"
        f"    y = torch.ones({megabytes} * 2**20 // 4)\n"
        "    return 2 * x + y[0] * 0\n" + ADD_ONE
    ))
    report = grade_file(SECTION, path, exercise="double", timeout=TIMEOUT, memory_mb=200)
    (result,) = report.results
    assert result.passed is ok, result.message
    if not ok:
        assert result.message == (
            "For x of shape (3, 4), seed 0: `double` ran out of memory. Avoid materialising huge "
            "intermediate tensors. (The cap is 200 MB; --memory-mb raises it.)"
        )


def test_a_pure_python_memory_bomb_under_load_is_reported_as_memory(tmp_path: Path) -> None:
    """``junk.append(" " * 10**6)`` for ever, while two busy processes hog both cores and three
    such gradings run at once: page faults are then too slow to fill the cap before the time
    limit, which used to be reported as a timeout. Every run must say memory, and name the cap."""
    path = write_learner(tmp_path, "bomb.py", (
        "def double(x):\n    junk = []\n    while True:\n        junk.append(' ' * 10**6)\n" + ADD_ONE
    ))
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", LAUNCH, SECTION, str(path), "-e", "double", "--json",
                 "--timeout", "4", "--memory-mb", "1024"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=SUBPROCESS_ENV,
            )
            for _ in range(3)
        ]
        outputs = [run.communicate(timeout=120) for run in runs]
    finally:
        for process in busy:
            process.kill()
            process.wait()
    for out, err in outputs:
        assert err == ""
        (test,) = json.loads(out)["tests"]
        assert test["outcome"] == "error", test["message"]
        assert "`double` ran out of memory" in test["message"] or "`double` was running out of memory" in test["message"]
        assert test["message"].endswith("(The cap is 1024 MB; --memory-mb raises it.)")


#: Leaves about 300 MB of heap freed but still mapped in the grader's process, as a long pytest
#: run or a notebook kernel does: a 20 MB block raises glibc's mmap threshold past 10 MB, so the
#: 10 MB blocks come from the heap, and the small blocks between them stop it being trimmed.
FREED_HEAP = (
    "x = bytearray(20 * 2**20); del x\n"
    "chunks, pins = [], []\n"
    "for _ in range(30):\n"
    "    chunks.append(bytearray(10 * 2**20)); pins.append(bytearray(1000))\n"
    "del chunks\n"
)


@pytest.mark.parametrize("case_id", ["memory_growing_past_the_time_limit", "loading_fills_memory_past_the_time_limit"])
def test_a_bomb_reusing_the_graders_freed_heap_is_reported_as_memory(case_id: str, tmp_path: Path) -> None:
    """A forked child first fills heap its parent freed, so its address space does not grow at
    all; CI once labelled these bombs timeouts for that reason. The child's private memory grows."""
    (case,) = [c for c in CASES if c.id == case_id]
    path = _write(tmp_path, case)
    launch = FREED_HEAP + LAUNCH
    run = subprocess.run(
        [sys.executable, "-c", launch, SECTION, str(path), "-e", "double", "--json",
         "--timeout", str(TIMEOUT), "--memory-mb", str(case.memory_mb)],
        capture_output=True, text=True, env=SUBPROCESS_ENV, timeout=120,
    )
    assert run.stderr == ""
    report = json.loads(run.stdout)
    if case.load_error is not None:
        _assert_message(report["message"], case.load_error)
    else:
        (test,) = report["tests"]
        assert test["outcome"] == "error", test["message"]
        _assert_message(test["message"], case.message)
