"""Results of a grading run, and how they render: text for people, JSON for tools, Gradescope.

The JSON follows the shape of Exercism's test-runner ``results.json`` (version 3): a top-level
``status`` of ``pass``/``fail``/``error``, a top-level ``message`` when the file could not be
graded at all, and one entry per test with ``name``, ``status``, ``message``, ``output`` (capped
at 500 characters) and ``task_id``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum

OUTPUT_LIMIT = 500


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # the learner's code ran and gave a wrong answer
    ERROR = "error"  # the learner's code raised, or could not be loaded
    TIMEOUT = "timeout"  # the learner's code did not finish in time

    @property
    def symbol(self) -> str:
        return {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱"}[self.value]


def cap_output(text: str, limit: int = OUTPUT_LIMIT) -> str:
    """Keep the head of long output and say how much was dropped."""
    if len(text) <= limit:
        return text
    note = f"\n… [{len(text) - limit} more characters not shown]"
    return text[: max(0, limit - len(note))] + note


@dataclass
class CheckResult:
    section: str
    exercise: str
    name: str
    status: Status
    message: str = ""
    output: str = ""
    points: float = 0.0
    max_points: float = 1.0
    seconds: float = 0.0

    @property
    def task_id(self) -> str:
        return f"{self.section}/{self.exercise}/{self.name}"

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass
class Report:
    section: str
    source: str
    results: list[CheckResult] = field(default_factory=list)
    load_error: str | None = None  # a sentence, when the file could not be graded at all (no check ran)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.load_error is None and bool(self.results) and all(r.passed for r in self.results)

    @property
    def points(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> float:
        return sum(r.max_points for r in self.results)

    def progress_line(self) -> str:
        n_pass = sum(r.passed for r in self.results)
        return (
            f"{n_pass}/{len(self.results)} checks passed, "
            f"{self.points:g}/{self.max_points:g} points ({self.seconds:.1f} s)"
        )

    # ---- renderings -------------------------------------------------------------------
    def to_text(self, verbose: bool = False) -> str:
        lines = [f"arena-check {self.section} · {self.source}"]
        if self.load_error is not None:
            lines.append(f"! {self.load_error}")
            lines.append(f"0/{len(self.results)} checks run; fix the problem above and try again.")
            return "\n".join(lines)
        for r in self.results:
            head = f"{r.status.symbol} {r.exercise}"
            if r.name != r.exercise:
                head += f" [{r.name}]"
            if r.passed:
                lines.append(f"{head}  ({r.points:g}/{r.max_points:g})")
            else:
                lines.append(f"{head}  {r.status.value}: {r.message}")
            output = r.output.rstrip()
            if output and (verbose or not r.passed):
                lines.append("    your code printed: " + cap_output(output, 200).replace("\n", "\n    "))
        lines.append(self.progress_line())
        return "\n".join(lines)

    def to_json_dict(self) -> dict:
        if self.load_error is not None:
            return {"version": 3, "status": "error", "message": self.load_error, "tests": []}
        return {
            "version": 3,
            "status": "pass" if self.passed else "fail",
            "section": self.section,
            "points": self.points,
            "max_points": self.max_points,
            "tests": [
                {
                    "name": r.name if r.name == r.exercise else f"{r.exercise} [{r.name}]",
                    "task_id": r.task_id,
                    "status": {"passed": "pass", "failed": "fail"}.get(r.status.value, "error"),
                    "outcome": r.status.value,
                    "message": r.message or None,
                    "output": cap_output(r.output) or None,
                    "points": r.points,
                    "max_points": r.max_points,
                }
                for r in self.results
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False)

    def to_gradescope(self) -> dict:
        """Gradescope's autograder ``results.json``."""
        if self.load_error is not None:
            return {
                "score": 0,
                "output": self.load_error[:1].upper() + self.load_error[1:],
                "tests": [
                    {"name": r.task_id, "score": 0, "max_score": r.max_points, "status": "failed"}
                    for r in self.results
                ],
            }
        return {
            "score": self.points,
            "execution_time": round(self.seconds, 2),
            "tests": [
                {
                    "name": r.task_id,
                    "score": r.points,
                    "max_score": r.max_points,
                    "status": "passed" if r.passed else "failed",
                    "output": (r.message + ("\n" + cap_output(r.output) if r.output else "")).strip(),
                }
                for r in self.results
            ],
        }

    def to_dict(self) -> dict:
        d = asdict(self)
        for r in d["results"]:
            r["status"] = r["status"].value if isinstance(r["status"], Status) else r["status"]
        return d

    def _repr_html_(self) -> str:  # shown by Jupyter when a Report is the last value of a cell
        import html

        return "<pre class='arena-check-report'>" + html.escape(self.to_text()) + "</pre>"
