"""The registry of checks: sections declare checks with ``@check``; the grader looks them up.

The grader core knows nothing about any particular section. Section modules live in
:mod:`arena_check.sections`, are discovered by name (``s0_0_*.py`` holds section ``0.0``) and
register their checks when imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CheckFunction = Callable[[Any], None]


@dataclass(frozen=True)
class CheckSpec:
    """One registered check: ``func(learner_object)`` returns on success, raises ``CheckFailed`` otherwise."""

    section: str
    exercise: str
    name: str
    func: CheckFunction = field(compare=False, repr=False)
    points: float = 1.0
    timeout: float = 10.0
    description: str = ""

    @property
    def task_id(self) -> str:
        return f"{self.section}/{self.exercise}/{self.name}"


@dataclass(frozen=True)
class SectionInfo:
    id: str
    title: str
    module: str


_CHECKS: dict[str, list[CheckSpec]] = {}
_SECTIONS: dict[str, SectionInfo] | None = None


def check(
    section: str,
    exercise: str,
    *,
    points: float = 1.0,
    timeout: float = 10.0,
    name: str | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``func`` as a check of ``exercise`` (the name the learner's file must define)."""

    def register(func: CheckFunction) -> CheckFunction:
        spec = CheckSpec(
            section=section,
            exercise=exercise,
            name=name or func.__name__.removeprefix("check_"),
            func=func,
            points=points,
            timeout=timeout,
            description=(func.__doc__ or "").strip().split("\n")[0],
        )
        existing = _CHECKS.setdefault(section, [])
        if any(s.task_id == spec.task_id for s in existing):
            raise ValueError(f"check {spec.task_id} is registered twice")
        existing.append(spec)
        return func

    return register


def _section_id_from_module(module_name: str) -> str | None:
    """``s0_0_tensors_and_einops`` → ``0.0``; anything else → None."""
    head = module_name.split("_")
    if len(head) < 2 or not head[0].startswith("s") or not head[0][1:].isdigit() or not head[1].isdigit():
        return None
    return f"{head[0][1:]}.{head[1]}"


def sections() -> dict[str, SectionInfo]:
    """All sections that have checks, by id, found without importing them."""
    global _SECTIONS
    if _SECTIONS is None:
        import arena_check.sections as pkg

        found: dict[str, SectionInfo] = {}
        for info in pkgutil.iter_modules(pkg.__path__):
            section_id = _section_id_from_module(info.name)
            if section_id is None:
                continue
            title = info.name.split("_", 2)[2].replace("_", " ") if info.name.count("_") >= 2 else ""
            found[section_id] = SectionInfo(section_id, title, f"{pkg.__name__}.{info.name}")
        _SECTIONS = dict(sorted(found.items(), key=lambda kv: [int(p) for p in kv[0].split(".")]))
    return _SECTIONS


class UnknownSection(KeyError):
    pass


def checks_for(section: str, exercise: str | None = None) -> list[CheckSpec]:
    """The checks of a section (importing its module), optionally only one exercise's."""
    known = sections()
    if section not in known:
        raise UnknownSection(section)
    importlib.import_module(known[section].module)
    specs = list(_CHECKS.get(section, []))
    if exercise is not None:
        specs = [s for s in specs if s.exercise == exercise]
    return specs


def exercises_for(section: str) -> list[str]:
    """Exercise names of a section, in the order their checks were declared."""
    seen: dict[str, None] = {}
    for spec in checks_for(section):
        seen.setdefault(spec.exercise, None)
    return list(seen)
