"""CONTRIBUTING.md's worked example, followed mechanically in a copy of the repository.

The document marks each file of its example with ``<!-- worked-example: PATH -->`` before a fenced
block, and the commands to run with ``<!-- worked-example: run -->``. This test writes those files
into a fresh copy of the repository (never into this one), runs the commands there exactly as
written (``make`` with this checkout's virtual environment), and checks the outcome the document
promises: the section's page executes, its tests pass, its solutions pass and its kit fails — and
that the only files a contributor touched are the three the document lists. The copy is removed
afterwards. If the tools change and the document does not, this fails.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = re.compile(r"<!-- worked-example: (?P<what>\S+) -->\n(?P<fence>`{3,})[^\n]*\n(?P<body>.*?)\n(?P=fence)\n", re.S)
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info")


def _example() -> tuple[dict[str, str], list[str]]:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    files, commands = {}, []
    for m in MARK.finditer(text):
        if m["what"] == "run":
            commands += [line[2:].split("#")[0].strip() for line in m["body"].splitlines() if line.startswith("$ ")]
        else:
            files[m["what"]] = m["body"] + "\n"
    return files, commands


def test_the_document_has_a_complete_example():
    files, commands = _example()
    kinds = {Path(p).parts[0] for p in files}
    assert kinds == {"book", "graders", "tests"}, f"the example should write a page, checks and tests: {sorted(files)}"
    assert commands, "the example lists no commands to run"


def test_following_the_worked_example_adds_a_working_section(tmp_path):
    files, commands = _example()
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)  # copy2 keeps mtimes: make's setup stamp stays valid
    for rel, body in files.items():
        assert not (repo / rel).exists(), f"the example overwrites an existing file: {rel}"
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(body, encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(repo / "graders")  # the copy's package, not this checkout's
    env["ARENA_CHECK_CACHE"] = str(tmp_path / "cache")  # its gradings leave no record in the user's cache
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "make":  # this checkout's environment; never install into it from the copy
            venv = ROOT / ".venv"
            argv += [f"VENV={venv}", "-o", str(venv / ".installed-stamp")]
        proc = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"`{command}` failed (exit {proc.returncode}):\n{output[-5000:]}"
        if "test-section" in command:
            for step in ("generated files fresh", "executes", "tests tests/sections/test_s0_9_one_hot.py",
                         "0.9_solutions.py exits 0", "0.9_exercises.py exits 1"):
                assert re.search(rf"\[ok  \] .*{re.escape(step)}", output), f"step {step!r} missing:\n{output[-3000:]}"

    new = {
        rel for p in repo.rglob("*")
        if p.is_file() and not (ROOT / (rel := p.relative_to(repo).as_posix())).exists()
        and not rel.startswith(("_build/", "exercises/0.9/", "graders/arena_check/reference/s0_9"))
        and "__pycache__" not in rel and ".pytest_cache" not in rel
    }
    assert new == set(files), f"files besides the three the document lists: {sorted(new - set(files))}"
