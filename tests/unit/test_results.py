"""Rendering a Report: text for people, JSON (Exercism results v3 shape), Gradescope."""

from __future__ import annotations

import json

from arena_check.results import OUTPUT_LIMIT, CheckResult, Report, Status, cap_output


def _report() -> Report:
    return Report(
        section="9.9",
        source="mine.py",
        seconds=1.25,
        results=[
            CheckResult("9.9", "double", "double", Status.PASSED, points=2, max_points=2, output="ok\n"),
            CheckResult("9.9", "double", "edge_cases", Status.FAILED, "For x of shape (1,): wrong.",
                        output="y" * 2000, max_points=1),
            CheckResult("9.9", "add_one", "add_one", Status.ERROR, "your code raised ValueError: no", max_points=1),
            CheckResult("9.9", "slow", "slow", Status.TIMEOUT, "`slow` did not finish within 2 s.", max_points=1),
        ],
    )


def test_text() -> None:
    lines = _report().to_text().splitlines()
    assert lines[0] == "arena-check 9.9 · mine.py"
    assert lines[1] == "✓ double  (2/2)"  # passing output hidden unless verbose
    assert lines[2] == "✗ double [edge_cases]  failed: For x of shape (1,): wrong."
    assert lines[3].startswith("    your code printed: yyyy")
    assert len(lines[3]) < 250 and "more characters not shown" in lines[4]
    assert lines[5] == "! add_one  error: your code raised ValueError: no"
    assert lines[6] == "⏱ slow  timeout: `slow` did not finish within 2 s."
    assert lines[7] == "1/4 checks passed, 2/5 points (1.2 s)"
    assert "    your code printed: ok" in _report().to_text(verbose=True).splitlines()


def test_text_load_error() -> None:
    report = _report()
    report.load_error = "could not load your file: SyntaxError in mine.py, line 3: invalid syntax"
    assert report.to_text().splitlines()[1:] == [
        "! could not load your file: SyntaxError in mine.py, line 3: invalid syntax",
        "0/4 checks run; fix the problem above and try again.",
    ]


def test_json_shape() -> None:
    data = json.loads(_report().to_json())
    assert data["version"] == 3
    assert data["status"] == "fail"
    assert (data["points"], data["max_points"]) == (2, 5)
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "error", "error"]
    assert [t["outcome"] for t in data["tests"]] == ["passed", "failed", "error", "timeout"]
    assert [t["name"] for t in data["tests"]] == ["double", "double [edge_cases]", "add_one", "slow"]
    assert [t["task_id"] for t in data["tests"]] == [
        "9.9/double/double", "9.9/double/edge_cases", "9.9/add_one/add_one", "9.9/slow/slow"
    ]
    assert data["tests"][0]["message"] is None and data["tests"][0]["output"] == "ok\n"
    assert data["tests"][1]["message"] == "For x of shape (1,): wrong."
    assert len(data["tests"][1]["output"]) == OUTPUT_LIMIT
    assert data["tests"][2]["output"] is None
    for test in data["tests"]:
        assert set(test) >= {"name", "status", "message", "output", "task_id"}


def test_json_pass_and_error() -> None:
    report = _report()
    report.results = report.results[:1]
    assert json.loads(report.to_json())["status"] == "pass"
    report.load_error = "your file is empty: it defines nothing."
    assert json.loads(report.to_json()) == {
        "version": 3, "status": "error", "message": "your file is empty: it defines nothing.", "tests": []
    }


def test_no_results_is_not_a_pass() -> None:
    assert not Report(section="9.9", source="x.py").passed


def test_gradescope() -> None:
    gs = _report().to_gradescope()
    assert gs["score"] == 2
    assert gs["execution_time"] == 1.25
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in gs["tests"]] == [
        ("9.9/double/double", 2, 2, "passed"),
        ("9.9/double/edge_cases", 0, 1, "failed"),
        ("9.9/add_one/add_one", 0, 1, "failed"),
        ("9.9/slow/slow", 0, 1, "failed"),
    ]
    assert gs["tests"][1]["output"].startswith("For x of shape (1,): wrong.\nyyy")
    json.dumps(gs)  # serialisable


def test_gradescope_load_error() -> None:
    report = _report()
    report.load_error = "could not load your file: SyntaxError in mine.py, line 3"
    gs = report.to_gradescope()
    assert gs["score"] == 0
    assert gs["output"] == "Could not load your file: SyntaxError in mine.py, line 3"
    assert [(t["score"], t["max_score"]) for t in gs["tests"]] == [(0, 2), (0, 1), (0, 1), (0, 1)]


def test_cap_output() -> None:
    assert cap_output("short") == "short"
    capped = cap_output("z" * 10_000)
    assert len(capped) == OUTPUT_LIMIT
    assert capped.endswith("more characters not shown]")


def test_html_escapes() -> None:
    report = _report()
    report.results[2].message = "<script>"
    assert "&lt;script&gt;" in report._repr_html_()
