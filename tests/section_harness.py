"""Mutation testing for a section's checks: the reference passes, the stub and wrong answers fail.

A section's test module lists plausible wrong solutions ("mutants") as source code, written the
way a learner might get it wrong (softmax over the wrong dim, a missing scale, an off-by-one),
and calls :func:`make_tests`. Every check must pass the reference, and every exercise must
reject its stub and each of its mutants. A check that accepts a mutant is a check that is too weak.
"""

from __future__ import annotations

import importlib
import textwrap
import types
from pathlib import Path

import pytest

from arena_check import registry
from arena_check.api import _run_spec
from arena_check.loader import load_learner_file
from arena_check.results import Status

ROOT = Path(__file__).resolve().parent.parent


def reference_module(section: str) -> types.ModuleType:
    module_name = registry.sections()[section].module.rsplit(".", 1)[1]
    return importlib.import_module(f"arena_check.reference.{module_name}")


def stub_module(section: str) -> types.ModuleType:
    """The learner's kit as generated (every exercise still a stub), loaded like arena-check does."""
    return load_learner_file(ROOT / "exercises" / section / f"{section}_exercises.py")


def compile_mutant(section: str, exercise: str, source: str) -> object:
    """Define a wrong solution in a namespace that has everything the reference module imports."""
    namespace = dict(vars(reference_module(section)))
    exec(compile(textwrap.dedent(source), f"<mutant of {exercise}>", "exec"), namespace)
    return namespace[exercise]


def outcome(spec: registry.CheckSpec, obj: object) -> tuple[Status, str]:
    return _run_spec(spec, obj, "<test>")


def make_tests(section: str, mutants: dict[str, list[tuple[str, str]]]) -> dict[str, object]:
    """Build the four standard tests of a section; assign the result into the test module's globals."""
    specs = registry.checks_for(section)
    spec_ids = [s.task_id for s in specs]
    mutant_cases = [(ex, label, src) for ex, items in mutants.items() for label, src in items]

    @pytest.mark.parametrize("spec", specs, ids=spec_ids)
    def test_reference_passes(spec: registry.CheckSpec) -> None:
        status, message = outcome(spec, getattr(reference_module(section), spec.exercise))
        assert status is Status.PASSED, message

    @pytest.mark.parametrize("spec", specs, ids=spec_ids)
    def test_stub_fails(spec: registry.CheckSpec) -> None:
        status, message = outcome(spec, getattr(stub_module(section), spec.exercise))
        assert status is Status.FAILED, f"{status}: {message}"
        assert "NotImplementedError" in message

    @pytest.mark.parametrize(
        ("exercise", "label", "source"), mutant_cases, ids=[f"{e}:{label}" for e, label, _ in mutant_cases]
    )
    def test_mutant_fails(exercise: str, label: str, source: str) -> None:
        obj = compile_mutant(section, exercise, source)
        results = [outcome(spec, obj) for spec in registry.checks_for(section, exercise)]
        assert any(status is not Status.PASSED for status, _ in results), (
            f"the checks for {exercise} accept a wrong solution ({label})"
        )
        for status, message in results:
            if status is not Status.PASSED:
                assert message and "Traceback" not in message

    def test_every_exercise_has_checks_and_a_mutant() -> None:
        from authoring import exercise_names, read_section  # tools/ is on sys.path (conftest)

        source = next((ROOT / "book").glob(f"*/{section}_*.md"))
        names = exercise_names(read_section(source))
        checked = set(registry.exercises_for(section))
        assert set(names) == checked, f"exercises without checks: {set(names) - checked}; checks without exercises: {checked - set(names)}"
        assert set(names) <= set(mutants), f"exercises without a mutant: {set(names) - set(mutants)}"

    return {
        "test_reference_passes": test_reference_passes,
        "test_stub_fails": test_stub_fails,
        "test_mutant_fails": test_mutant_fails,
        "test_every_exercise_has_checks_and_a_mutant": test_every_exercise_has_checks_and_a_mutant,
    }
