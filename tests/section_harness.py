"""Mutation testing for a section's checks: the reference passes, the stub and wrong answers fail,
and correct answers written differently pass.

A section's test module lists, per exercise, plausible wrong solutions ("mutants") and correct
alternatives, both as source code, and calls :func:`make_tests`:

* every check passes the reference and rejects the stub (``NotImplementedError``);
* every mutant is rejected by at least one check of its exercise, with a short message (a check
  that accepts a mutant is too weak);
* every alternative passes every check of its exercise (a check that rejects one is too strict:
  it would fail learners who are right);
* every exercise of the page has checks, at least one mutant and at least one alternative.

Mistakes in the lists themselves are reported as such, not blamed on the checks: a mutant for an
exercise with no checks, or a source that does not define the function it claims to replace.
"""

from __future__ import annotations

import ast
import itertools
import linecache
import textwrap
import types
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from arena_check import registry
from arena_check.api import _run_spec
from arena_check.loader import load_learner_file
from arena_check.results import Status

ROOT = Path(__file__).resolve().parent.parent

#: (a label saying what is wrong or how it differs, the source code of the solution)
Solution = tuple[str, str]
#: One correct alternative per exercise as a bare source, or several labelled ones.
Alternatives = Mapping[str, str | Sequence[Solution]]

_COUNTER = itertools.count()


def reference_module(section: str) -> types.ModuleType:
    module = registry.reference_module(section)
    if module is None:
        pytest.fail(f"section {section} has no reference module to test against", pytrace=False)
    return module


def stub_module(section: str) -> types.ModuleType:
    """The learner's kit as generated (every exercise still a stub), loaded like arena-check does."""
    return load_learner_file(ROOT / "exercises" / section / f"{section}_exercises.py")


def _top_level_names(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
    return names


def compile_mutant(section: str, exercise: str, source: str, *, label: str = "", kind: str = "mutant") -> object:
    """Define a solution in a namespace that has everything the reference module imports.

    The source must itself define ``exercise`` (the namespace already holds the reference's, so a
    typo would silently test the reference). Its text is registered with :mod:`linecache` under a
    unique file name, as a notebook cell's is, so that checks reading the source
    (``testing.require``) see it.
    """
    code = textwrap.dedent(source)
    shown = f" {label!r}" if label else ""
    try:
        tree = ast.parse(code)
    except SyntaxError as e:
        pytest.fail(f"the {kind}{shown} for `{exercise}` is not valid Python: {e}", pytrace=False)
    defined = _top_level_names(tree)
    if exercise not in defined:
        pytest.fail(
            f"the {kind}{shown} for `{exercise}` does not define `{exercise}` "
            f"(it defines: {', '.join(defined) or 'nothing'}). Fix its name in the test list.",
            pytrace=False,
        )
    filename = f"<{kind} {next(_COUNTER)} of {exercise}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    namespace = dict(vars(reference_module(section)))
    namespace["__name__"] = f"{kind}_of_{exercise}"
    exec(compile(code, filename, "exec"), namespace)
    return namespace[exercise]


def outcome(spec: registry.CheckSpec, obj: object) -> tuple[Status, str]:
    return _run_spec(spec, obj, "<test>")


def _labelled(alternatives: Alternatives | None) -> list[tuple[str, str, str]]:
    """(exercise, label, source) for every alternative."""
    out = []
    for exercise, items in (alternatives or {}).items():
        if isinstance(items, str):
            items = [("alternative", items)]
        out += [(exercise, label, src) for label, src in items]
    return out


def make_tests(
    section: str,
    mutants: Mapping[str, Sequence[Solution]],
    *,
    alternatives: Alternatives | None = None,
) -> dict[str, object]:
    """Build the standard tests of a section; assign the result into the test module's globals:
    ``globals().update(make_tests("0.0", MUTANTS, alternatives=ALTERNATIVES))``."""
    specs = registry.checks_for(section)
    spec_ids = [s.task_id for s in specs]
    mutant_cases = [(ex, label, src) for ex, items in mutants.items() for label, src in items]
    alternative_cases = _labelled(alternatives)

    def checks_of(exercise: str, what: str) -> list[registry.CheckSpec]:
        found = registry.checks_for(section, exercise)
        if not found:
            known = ", ".join(registry.exercises_for(section))
            pytest.fail(
                f"no checks for `{exercise}` in section {section}, so {what} proves nothing. "
                f"Is the exercise name right? Exercises with checks: {known}.",
                pytrace=False,
            )
        return found

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
        exercise_specs = checks_of(exercise, f"the mutant {label!r}")
        obj = compile_mutant(section, exercise, source, label=label)
        results = [outcome(spec, obj) for spec in exercise_specs]
        assert any(status is not Status.PASSED for status, _ in results), (
            f"the checks for {exercise} accept a wrong solution ({label})"
        )
        for status, message in results:
            if status is not Status.PASSED:
                assert message and "Traceback" not in message
                assert "a bug in arena-check" not in message, message

    @pytest.mark.parametrize(
        ("exercise", "label", "source"),
        alternative_cases,
        ids=[f"{e}:{label}" for e, label, _ in alternative_cases],
    )
    def test_alternative_passes(exercise: str, label: str, source: str) -> None:
        exercise_specs = checks_of(exercise, f"the alternative {label!r}")
        obj = compile_mutant(section, exercise, source, label=label, kind="alternative")
        for spec in exercise_specs:
            status, message = outcome(spec, obj)
            assert status is Status.PASSED, f"{spec.task_id} rejects a correct solution ({label}): {message}"

    def test_every_exercise_has_checks_mutants_and_alternatives() -> None:
        from authoring import exercise_names, read_section  # tools/ is on sys.path (conftest)

        source = next((ROOT / "book").glob(f"*/{section}_*.md"))
        names = set(exercise_names(read_section(source)))
        checked = set(registry.exercises_for(section))
        with_alternative = {ex for ex, _, _ in alternative_cases}
        problems = [
            f"{what}: {', '.join(sorted(found))}"
            for what, found in [
                ("exercises without checks", names - checked),
                ("checks without exercises", checked - names),
                ("exercises without a mutant", names - set(mutants)),
                ("mutants of names that are not exercises", set(mutants) - names),
                ("exercises without a correct alternative", names - with_alternative),
                ("alternatives of names that are not exercises", with_alternative - names),
            ]
            if found
        ]
        if problems:
            pytest.fail(f"section {section}: " + "; ".join(problems), pytrace=False)

    return {
        "test_reference_passes": test_reference_passes,
        "test_stub_fails": test_stub_fails,
        "test_mutant_fails": test_mutant_fails,
        "test_alternative_passes": test_alternative_passes,
        "test_every_exercise_has_checks_mutants_and_alternatives": test_every_exercise_has_checks_mutants_and_alternatives,
    }
