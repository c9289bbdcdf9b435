"""The registry of checks: sections declare checks with ``@check``; the grader looks them up.

The grader core knows nothing about any particular section. Section modules live in
:mod:`arena_check.sections`, are discovered by name (``s0_0_*.py`` holds section ``0.0``) and
register their checks when imported. Sections defined elsewhere (a test suite, a course fork)
join with :func:`register_section` and then declare their checks with :func:`check` as usual.
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
    module: str | None  # imported on first use so its ``@check`` decorators run; None: nothing to import


_CHECKS: dict[str, list[CheckSpec]] = {}
_SECTIONS: dict[str, SectionInfo] | None = None  # package sections + registered ones, sorted
_EXTRA_SECTIONS: dict[str, SectionInfo] = {}  # added with register_section()


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


def _section_sort_key(section_id: str) -> list[tuple[int, int | str]]:
    """Numeric parts compare as numbers ("0.10" after "0.9"); anything else sorts after, as text."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in section_id.split(".")]


def sections() -> dict[str, SectionInfo]:
    """All sections that have checks, by id: the package's (found without importing them) and
    any added with :func:`register_section`."""
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
        found.update(_EXTRA_SECTIONS)
        _SECTIONS = dict(sorted(found.items(), key=lambda kv: _section_sort_key(kv[0])))
    return _SECTIONS


def register_section(section_id: str, title: str, module: str | None = None) -> SectionInfo:
    """Make a section defined outside :mod:`arena_check.sections` known to the grader.

    Why: tests (and course forks) declare checks with :func:`check` in their own code, without
    adding a module to the package. ``module``, if given, is imported by :func:`checks_for` so its
    ``@check`` decorators run; leave it ``None`` when the checks are registered already.
    """
    info = SectionInfo(section_id, title, module)
    _EXTRA_SECTIONS[section_id] = info
    global _SECTIONS
    _SECTIONS = None  # rebuild the sorted view on next use
    return info


def unregister_section(section_id: str) -> None:
    """Forget a section added with :func:`register_section`, and its checks (for test clean-up)."""
    global _SECTIONS
    _EXTRA_SECTIONS.pop(section_id, None)
    _CHECKS.pop(section_id, None)
    _SECTIONS = None


class UnknownSection(KeyError):
    """The section id is not one of :func:`sections`. ``str()`` is a sentence naming the known ones
    (a plain ``KeyError`` would show only the quoted id)."""

    def __str__(self) -> str:
        known = ", ".join(sections()) or "none"
        return f"unknown section {self.args[0]!r}. Known sections: {known}. (arena-check list shows them.)"


def checks_for(section: str, exercise: str | None = None) -> list[CheckSpec]:
    """The checks of a section (importing its module), optionally only one exercise's."""
    known = sections()
    if section not in known:
        raise UnknownSection(section)
    if known[section].module is not None:
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
