"""The learner kit runs as a learner would run it, before and after they solve it.

The kit's check cells call ``arena_check.check``, which prints a report and (outside the book
build) never raises: running the untouched kit must work and report the stubs, and running the
solutions file must report every check passed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from build_exercises import section_sources

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [p.name.split("_", 1)[0] for p in section_sources(ROOT)]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_CHECK")}
    env.update(OMP_NUM_THREADS="1", MPLBACKEND="Agg", HF_HUB_OFFLINE="1")
    return env


def _run_script(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True, timeout=300, env=_env()
    )


@pytest.mark.parametrize("section", SECTIONS)
def test_solutions_script_passes_its_own_checks(section: str) -> None:
    proc = _run_script(ROOT / "exercises" / section / f"{section}_solutions.py")
    assert proc.returncode == 0, proc.stderr[-2000:]
    progress = [line for line in proc.stdout.splitlines() if "checks passed" in line]
    assert progress, f"no check ran:\n{proc.stdout[-2000:]}"
    not_all = [line for line in progress if line.split("/")[0] != line.split("/")[1].split()[0]]
    assert not not_all, f"some checks failed on the solutions file:\n{proc.stdout[-3000:]}"


@pytest.mark.parametrize("section", SECTIONS)
def test_untouched_exercises_script_runs_and_reports_stubs(section: str) -> None:
    proc = _run_script(ROOT / "exercises" / section / f"{section}_exercises.py")
    assert proc.returncode == 0, f"the untouched kit crashed:\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "still raises NotImplementedError" in proc.stdout
    assert " 0/" in proc.stdout or "\n0/" in proc.stdout


@pytest.mark.parametrize("section", SECTIONS)
def test_exercises_notebook_executes(section: str) -> None:
    from nbclient import NotebookClient

    path = ROOT / "exercises" / section / f"{section}_exercises.ipynb"
    nb = nbformat.read(path, as_version=4)
    os.environ.update({k: v for k, v in _env().items() if k in ("OMP_NUM_THREADS", "MPLBACKEND")})
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "still raises NotImplementedError" in outputs
