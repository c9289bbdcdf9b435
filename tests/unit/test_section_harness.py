"""The section harness itself: it must say what is wrong with a section's test list, never
blame the checks for a mistake in the list (a mutant of an exercise with no checks, a mutant
that does not define the function it claims to replace)."""

from __future__ import annotations

import pytest
from section_harness import make_tests

SECTION = "0.0"
NOT_AN_EXERCISE = "def one_hot(x):\n    return x\n"


@pytest.fixture(scope="module")
def harness() -> dict[str, object]:
    return make_tests(SECTION, {"one_hot": [("identity", NOT_AN_EXERCISE)]})


def test_a_mutant_of_an_exercise_without_checks_says_so(harness: dict[str, object]) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"no checks for `one_hot` in section 0\.0") as exc:
        harness["test_mutant_fails"]("one_hot", "identity", NOT_AN_EXERCISE)
    assert "accept" not in str(exc.value)


def test_a_mutant_that_does_not_define_its_exercise_is_a_clear_error(harness: dict[str, object]) -> None:
    """A typo in the mutant's def would otherwise test the reference (which the namespace holds)
    and report that the checks accept a wrong solution."""
    source = "def sofmax(x):\n    return x\n"
    with pytest.raises(pytest.fail.Exception, match=r"does not define `softmax` \(it defines: sofmax\)") as exc:
        harness["test_mutant_fails"]("softmax", "typo", source)
    assert "accept" not in str(exc.value)


def test_the_coverage_test_names_mutants_of_unknown_exercises(harness: dict[str, object]) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"exercises without a mutant: .*images_to_grid.*mutants of names that are not exercises: one_hot"):
        harness["test_every_exercise_has_checks_mutants_and_alternatives"]()
