"""CI runs the README's test command as a new machine would: every outside cache starts empty."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "tools" / "with-empty-caches"
#: Caches outside the repository that the book build or the tests write.
CACHE_VARIABLES = (
    "ARENA_CHECK_CACHE", "XDG_CACHE_HOME", "HF_HOME", "MPLCONFIGDIR", "TIKTOKEN_CACHE_DIR",
    "XDG_DATA_HOME", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR",
)


def _readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^make test\b", text, flags=re.M)
    assert m, "README.md no longer shows `make test` as its test command"
    return "make test"


def test_ci_runs_the_readme_test_command_through_the_wrapper():
    lines = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[-1] == f"exec tools/with-empty-caches {_readme_test_command()}", lines[-1]


def test_wrapper_points_every_cache_at_one_new_empty_folder():
    probe = (
        f"import json, os; env = {{k: os.environ.get(k) for k in {CACHE_VARIABLES!r}}};"
        "root = os.environ['ARENA_EMPTY_CACHES']; print(json.dumps([env, root, os.listdir(root)]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in CACHE_VARIABLES}
    env["ARENA_CHECK_CACHE"] = str(Path.home() / ".cache" / "arena-check")  # a warm one to override
    proc = subprocess.run(
        [str(WRAPPER), sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    variables, root, listing = json.loads(proc.stdout.strip().splitlines()[-1])
    assert listing == [], f"the fresh folder was not empty: {listing}"
    for name in CACHE_VARIABLES:
        assert variables[name] and variables[name].startswith(root + "/"), f"{name}={variables[name]!r}"
    assert not Path(root).exists(), "the wrapper left its cache folder behind"


def test_wrapper_passes_on_the_exit_code():
    proc = subprocess.run([str(WRAPPER), "sh", "-c", "exit 3"], capture_output=True, timeout=60)
    assert proc.returncode == 3
