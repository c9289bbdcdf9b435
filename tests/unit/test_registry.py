"""Registering sections and checks, including sections defined outside the package."""

from __future__ import annotations

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
