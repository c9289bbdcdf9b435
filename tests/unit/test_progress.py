"""``arena-check progress``: the record every grading run keeps, and the table it shows.

The main case grades a solved and an unsolved copy of the real 0.0 kit; the cheaper cases use
the unit-test section 9.9. Every test has its own cache folder (``ARENA_CHECK_CACHE``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from unit_helpers import GOOD, SECTION, write_learner

from arena_check import progress, registry
from arena_check.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "exercises" / "0.0"
HALF = "def double(x):\n    return 2 * x\n\ndef add_one(n):\n    return n\n"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ARENA_CHECK_CACHE", str(folder))
    return folder


def _table(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, list[str]], str, str]:
    """Run ``progress``; return {file column: row cells}, the whole stdout and stderr."""
    assert main(["progress", *args]) == EXIT_OK
    out, err = capsys.readouterr()
    rows = {}
    for line in out.splitlines()[2:]:
        cells = line.split()
        if cells and (registry_id := cells[0]).count(".") == 1 and registry_id[0].isdigit():
            rows[cells[1]] = cells
    return rows, out, err


def _max_points(section: str) -> tuple[float, int]:
    specs = registry.checks_for(section)
    return sum(s.points for s in specs), len(specs)


def test_solved_and_unsolved_0_0_kits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kits = tmp_path / "kits"
    (kits / "solved").mkdir(parents=True)
    (kits / "unsolved").mkdir()
    shutil.copy(KIT / "0.0_solutions.py", kits / "solved" / "0.0_exercises.py")
    shutil.copy(KIT / "0.0_exercises.py", kits / "unsolved" / "0.0_exercises.py")
    total, n_checks = _max_points("0.0")

    rows, out, _ = _table(capsys, str(kits))
    assert rows["solved/0.0_exercises.py"][2:] == [f"-/{total:g}", f"-/{n_checks}", "not", "graded"]
    assert rows["unsolved/0.0_exercises.py"][2:] == [f"-/{total:g}", f"-/{n_checks}", "not", "graded"]
    assert "2 kits are new or changed since grading: add --grade" in out

    assert main(["0.0", str(kits / "solved" / "0.0_exercises.py")]) == EXIT_OK
    assert main(["0.0", str(kits / "unsolved" / "0.0_exercises.py")]) == EXIT_FAILED
    capsys.readouterr()
    rows, out, err = _table(capsys, str(kits))
    assert err == ""
    solved, unsolved = rows["solved/0.0_exercises.py"], rows["unsolved/0.0_exercises.py"]
    assert solved[2:4] == [f"{total:g}/{total:g}", f"{n_checks}/{n_checks}"]
    assert unsolved[2:4] == [f"0/{total:g}", f"0/{n_checks}"]
    assert solved[4].count("-") == 2 and ":" in solved[5]  # a date and a time, not "not graded"
    assert f"Total: {total:g}/{total:g} points over 1 section" in out
    assert "new or changed" not in out

    data = json.loads(_json(capsys, str(kits)))
    by_file = {k["file"]: k for k in data["kits"]}
    assert by_file["solved/0.0_exercises.py"]["points"] == total
    assert by_file["unsolved/0.0_exercises.py"]["points"] == 0
    assert by_file["unsolved/0.0_exercises.py"]["checks_passed"] == 0
    assert by_file["solved/0.0_exercises.py"]["graded_at"].endswith("+00:00")


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["progress", *args, "--json"]) == EXIT_OK
    return capsys.readouterr().out


def test_grade_flag_grades_only_new_or_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_learner(tmp_path, f"{SECTION}_exercises.py", GOOD)
    (tmp_path / "b").mkdir()
    half = write_learner(tmp_path / "b", f"{SECTION}_exercises.py", HALF)
    assert main([SECTION, str(good)]) == EXIT_OK
    capsys.readouterr()

    rows, out, _ = _table(capsys, str(tmp_path), "--grade")
    assert out.count("grading 9.9") == 1 and f"grading 9.9 b/{SECTION}_exercises.py" in out
    assert rows[f"b/{SECTION}_exercises.py"][2:4] == ["2/3", "1/2"]
    assert rows[f"{SECTION}_exercises.py"][2:4] == ["3/3", "2/2"]

    later = half.stat().st_mtime + 10
    os.utime(half, (later, later))
    rows, out, _ = _table(capsys, str(tmp_path))
    assert rows[f"b/{SECTION}_exercises.py"][-1] == "*"
    assert "* changed since it was last graded" in out
    half.write_text(GOOD)
    os.utime(half, (later + 10, later + 10))
    rows, out, _ = _table(capsys, str(tmp_path), "--grade")
    assert out.count("grading 9.9") == 1
    assert rows[f"b/{SECTION}_exercises.py"][2:4] == ["3/3", "2/2"]
    assert rows[f"b/{SECTION}_exercises.py"][-1] != "*"


def test_one_exercise_updates_only_its_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_learner(tmp_path, "mine.py", HALF)
    assert main([SECTION, str(path)]) == EXIT_FAILED  # double right, add_one wrong: 2/3
    path.write_text(GOOD)
    assert main([SECTION, str(path), "-e", "add_one"]) == EXIT_OK
    capsys.readouterr()
    rows, _, _ = _table(capsys, str(tmp_path))
    assert rows["mine.py"][:4] == [SECTION, "mine.py", "3/3", "2/2"]  # found because it was graded


def test_section_from_contents_list_file_and_unknown_sections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = {"cells": [{"cell_type": "code", "source": ['arena_check.check("0.0", "softmax", softmax)\n']}]}
    (tmp_path / "my work.ipynb").write_text(json.dumps(nb))
    (tmp_path / "unrelated.ipynb").write_text(json.dumps({"cells": []}))
    write_learner(tmp_path, "7.7_exercises.py", GOOD)
    (tmp_path / "notes").mkdir()
    write_learner(tmp_path / "notes", "attempt.py", GOOD)
    (tmp_path / progress.LIST_FILE).write_text(f"# my kits\n{SECTION} notes/attempt.py\nnotes/gone.py\n")
    (tmp_path / ".hidden").mkdir()
    write_learner(tmp_path / ".hidden", "0.0_exercises.py", "")

    rows, out, err = _table(capsys, str(tmp_path), "--grade")
    assert err == ""
    assert rows["my"][:3] == ["0.0", "my", "work.ipynb"]
    assert "unrelated.ipynb" not in out and ".hidden" not in out
    assert "unknown section 7.7" in " ".join(rows["7.7_exercises.py"])
    assert rows["notes/attempt.py"][2:4] == ["3/3", "2/2"]  # listed, then graded by --grade
    assert "listed in arena-kits.txt but not found" in out


def test_no_kits_and_bad_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _table(capsys, str(tmp_path))
    assert "No kits found" in out
    assert main(["progress", str(tmp_path / "missing")]) == EXIT_USAGE
    assert capsys.readouterr().err == f"arena-check: no such folder: {tmp_path / 'missing'}\n"
    file = write_learner(tmp_path, "f.py", GOOD)
    assert main(["progress", str(file)]) == EXIT_USAGE
    assert capsys.readouterr().err == f"arena-check: {file} is not a folder\n"


@pytest.mark.parametrize("garbage", ["{not json", '{"version": 1, "files": []}', '{"version": 1, "files": {"a": 3}}'])
def test_corrupt_record_reads_as_empty_with_a_note(
    garbage: str, tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_learner(tmp_path, f"{SECTION}_exercises.py", GOOD)
    cache.mkdir()
    (cache / progress.RECORD_NAME).write_text(garbage)
    rows, _, err = _table(capsys, str(tmp_path))
    assert rows[path.name][-2:] == ["not", "graded"]
    assert err.startswith(f"arena-check: note: your progress record {cache / progress.RECORD_NAME} is ")
    assert "treating it as empty" in err and "Traceback" not in err

    assert main([SECTION, str(path)]) == EXIT_OK
    assert "keeps the old file as progress.json.corrupt" in capsys.readouterr().err
    assert (cache / "progress.json.corrupt").read_text() == garbage
    rows, _, err = _table(capsys, str(tmp_path))
    assert err == "" and rows[path.name][2] == "3/3"


def test_unwritable_record_costs_a_note_not_the_grading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ARENA_CHECK_CACHE", str(blocker / "cache"))  # cannot be created: its parent is a file
    path = write_learner(tmp_path, "good.py", GOOD)
    assert main([SECTION, str(path)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "2/2 checks passed" in out
    assert err.startswith("arena-check: note: could not update your progress record: ")
    assert err.count("\n") == 1
    _, out, err = _table(capsys, str(tmp_path))
    assert "cannot use the cache folder" in err


def test_record_is_written_atomically_and_drops_deleted_files(tmp_path: Path, cache: Path) -> None:
    from arena_check.results import CheckResult, Report, Status

    a, b = write_learner(tmp_path, "a.py", GOOD), write_learner(tmp_path, "b.py", GOOD)
    report = Report(SECTION, "x", [CheckResult(SECTION, "double", "double", Status.PASSED, points=2, max_points=2)])
    record = cache / progress.RECORD_NAME
    cache.mkdir()
    assert progress.update_record(report, a, path=record, now=1.0) is None
    assert progress.update_record(report, b, path=record, now=2.0) is None
    files, note = progress.load_record(record)
    assert note is None and set(files) == {str(a.resolve()), str(b.resolve())}
    assert files[str(a.resolve())][SECTION]["checks"] == {"9.9/double/double": [2, 2, "passed"]}
    b.unlink()
    progress.update_record(report, a, path=record, now=3.0)
    files, _ = progress.load_record(record)
    assert set(files) == {str(a.resolve())}
    assert sorted(p.name for p in cache.iterdir()) == ["progress.json", "progress.json.lock"]  # no temp files left
