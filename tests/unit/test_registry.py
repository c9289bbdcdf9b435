"""Registering sections and checks, including sections defined outside the package."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest
from unit_helpers import SECTION

from arena_check import registry


def test_registered_section_is_listed_in_order() -> None:
    sections = registry.sections()
    assert sections[SECTION].title == "unit-test section"
    assert sections[SECTION].module is None
    ids = list(sections)
    assert ids == sorted(ids, key=lambda s: [int(p) for p in s.split(".")])


def test_checks_and_exercises() -> None:
    specs = registry.checks_for(SECTION)
    assert [s.task_id for s in specs] == ["9.9/double/double", "9.9/add_one/add_one"]
    assert specs[0].points == 2 and specs[0].description == "double(x) == 2 * x, float32, same shape, input untouched."
    assert registry.checks_for(SECTION, "add_one") == specs[1:]
    assert registry.checks_for(SECTION, "nope") == []
    assert registry.exercises_for(SECTION) == ["double", "add_one"]


def test_unknown_section() -> None:
    with pytest.raises(registry.UnknownSection) as exc:
        registry.checks_for("7.7")
    assert isinstance(exc.value, KeyError)
    assert str(exc.value).startswith("unknown section '7.7'. Known sections: ")
    assert SECTION in str(exc.value)


def test_register_and_unregister() -> None:
    registry.register_section("10.1", "temporary")
    try:
        @registry.check("10.1", "f", points=3)
        def check_f(f) -> None:
            """First line.

            More."""

        with pytest.raises(ValueError, match="check 10.1/f/f is registered twice"):
            registry.check("10.1", "f")(check_f)
        (spec,) = registry.checks_for("10.1")
        assert (spec.name, spec.points, spec.description) == ("f", 3, "First line.")
        assert list(registry.sections()).index("10.1") > list(registry.sections()).index(SECTION)
    finally:
        registry.unregister_section("10.1")
    assert "10.1" not in registry.sections()


def test_module_name_to_section_id() -> None:
    assert registry._section_id_from_module("s0_0_tensors_and_einops") == "0.0"
    assert registry._section_id_from_module("s12_3_x") == "12.3"
    assert registry._section_id_from_module("helpers") is None
    assert registry._section_id_from_module("sx_1_y") is None


# ---- a check must name an exercise its section's reference defines ------------------------
@pytest.fixture
def section_with_reference(monkeypatch: pytest.MonkeyPatch):
    """Section "9.6", whose reference module defines ``one_hot`` and ``softmax``."""
    ref = types.ModuleType("reference_9_6")
    exec("def one_hot(x):\n    return x\n\ndef softmax(x):\n    return x\n\nLIMIT = 3\n", ref.__dict__)
    monkeypatch.setitem(sys.modules, "reference_9_6", ref)
    registry.register_section("9.6", "with a reference", reference="reference_9_6")
    yield "9.6"
    registry.unregister_section("9.6")


def test_a_check_for_an_exercise_the_reference_lacks_is_refused(section_with_reference: str) -> None:
    def check_one_hot(one_hot) -> None:
        """Never registered."""

    with pytest.raises(registry.ExerciseNotInReference) as exc:
        registry.check(section_with_reference, "one_hott")(check_one_hot)
    message = str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert "check_one_hot" in message and "'one_hott'" in message and "reference_9_6" in message
    assert message.endswith("Did you mean 'one_hot'?")
    assert "\n" not in message
    assert registry.checks_for(section_with_reference) == []  # nothing half-registered

    registry.check(section_with_reference, "one_hot")(check_one_hot)  # the right name is accepted
    assert registry.exercises_for(section_with_reference) == ["one_hot"]


def test_package_sections_know_their_reference() -> None:
    info = registry.sections()["0.0"]
    assert info.reference == "arena_check.reference.s0_0_tensors_and_einops"
    assert callable(registry.reference_module("0.0").softmax)
    assert registry.reference_module(SECTION) is None  # registered without one: nothing to validate


def test_a_check_declared_in_another_sections_module_is_refused() -> None:
    def check_double_again(double) -> None:
        """Declared in the (pretend) module of section 0.1, for section 9.9."""

    check_double_again.__module__ = "arena_check.sections.s0_1_neural_networks"
    with pytest.raises(ValueError, match=r"check_double_again .* section '9\.9', but .*s0_1_neural_networks .* section 0\.1"):
        registry.check(SECTION, "double", name="again")(check_double_again)
    assert [s.name for s in registry.checks_for(SECTION, "double")] == ["double"]


def test_a_section_whose_module_fails_to_import_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks of a section whose reference was not generated: SectionUnavailable, not a raw
    ModuleNotFoundError; and the checks registered before the failure are rolled back."""
    (tmp_path / "checks_9_3.py").write_text(
        "from arena_check.registry import check\n"
        "@check('9.3', 'first')\n"
        "def check_first(first):\n    pass\n"
        "from arena_check.reference import s9_3_not_generated as ref\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.register_section("9.3", "not generated", module="checks_9_3")
    try:
        for _ in range(2):  # the second attempt fails the same way, not with "registered twice"
            with pytest.raises(registry.SectionUnavailable) as exc:
                registry.checks_for("9.3")
            message = str(exc.value)
            assert message.startswith("section 9.3 cannot be graded: its checks could not be loaded (ImportError: cannot import name ")
            assert "s9_3_not_generated" in message and "\n" not in message
            assert message.endswith("Its reference solutions are missing: run `make exercises` (contributors) "
                                    "or reinstall arena-check.")
        assert registry._CHECKS.get("9.3", []) == []
    finally:
        registry.unregister_section("9.3")
        sys.modules.pop("checks_9_3", None)


def test_a_fixture_is_made_once_in_the_grader_before_the_checks_fork(tmp_path) -> None:
    """Two checks use one slow fixture: it is made once, in this process (each forked child
    inherits it), not once per check; and a fixture that fails names the section, not a traceback."""
    from unit_helpers import write_learner

    from arena_check import grade_file

    made = tmp_path / "made.txt"
    registry.register_section("10.2", "with a fixture")
    try:
        @registry.fixture("10.2")
        def table() -> dict[str, int]:
            with made.open("a") as f:
                f.write(f"{os.getpid()}\n")
            return {"a": 1, "b": 2}

        @registry.check("10.2", "look_up")
        def check_a(look_up) -> None:
            assert look_up(table(), "a") == 1

        @registry.check("10.2", "look_up", name="b")
        def check_b(look_up) -> None:
            assert look_up(table(), "b") == 2

        path = write_learner(tmp_path, "mine.py", "def look_up(t, k):\n    return t[k]\n")
        report = grade_file("10.2", path)
        assert report.passed, report.to_text()
        assert made.read_text().split() == [str(os.getpid())]

        @registry.fixture("10.2")
        def broken() -> None:
            raise FileNotFoundError("no weights at /nowhere")

        with pytest.raises(registry.SectionUnavailable, match=r"section 10.2 cannot be graded: .*no weights"):
            grade_file("10.2", path)
    finally:
        registry.unregister_section("10.2")


def test_a_slow_fixture_does_not_count_against_an_in_notebook_check(capsys) -> None:
    """arena_check.check() makes the section's fixtures before its time limit starts: a first
    model load (SmolLM2's conversion on a new machine) takes longer than any check may."""
    import time

    import arena_check

    registry.register_section("10.3", "with a slow fixture")
    try:
        @registry.fixture("10.3")
        def slow() -> int:
            time.sleep(1.5)
            return 41

        @registry.check("10.3", "add_one", timeout=1.0)
        def check_add_one(add_one) -> None:
            assert add_one(slow()) == 42

        report = arena_check.check("10.3", "add_one", lambda n: n + 1)
        assert report.passed, capsys.readouterr().out
    finally:
        registry.unregister_section("10.3")
