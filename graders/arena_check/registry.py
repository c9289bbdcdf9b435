"""The registry of checks: sections declare checks with ``@check``; the grader looks them up.

The grader core knows nothing about any particular section. Section modules live in
:mod:`arena_check.sections`, are discovered by name (``s0_0_*.py`` holds section ``0.0``) and
register their checks when imported. Sections defined elsewhere (a test suite, a course fork)
join with :func:`register_section` and then declare their checks with :func:`check` as usual.

Mistakes in a section fail loudly, when its checks are imported, rather than silently at grading
time: a check for an exercise its reference module does not define (a typo would otherwise make
a check no learner's file can ever pass, or one that never runs), a check declared in one
section's module for another section, and a checks module that cannot be imported at all (its
reference not generated yet) — the last one as :class:`SectionUnavailable`, one sentence.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import pkgutil
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

CheckFunction = Callable[[Any], None]
T = TypeVar("T")


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
    #: the module of reference solutions that checks are validated against; None: no validation
    reference: str | None = None


class ExerciseNotInReference(ValueError):
    """A check names an exercise that the section's reference module does not define."""


class SectionUnavailable(RuntimeError):
    """A section's checks module could not be imported. ``str()`` is one sentence fit for a
    terminal or a notebook: which section, why, and what to do."""

    def __init__(self, section_id: str, error: BaseException) -> None:
        super().__init__(section_id, error)
        self.section_id = section_id
        self.error = error

    def __str__(self) -> str:
        e = self.error
        try:
            detail = str(e).strip().split("\n")[0]
        except Exception:  # noqa: BLE001 — an exception whose __str__ raises
            detail = ""
        text = f"{type(e).__name__}: {detail}" if detail else type(e).__name__
        message = f"section {self.section_id} cannot be graded: its checks could not be loaded ({text})."
        # ``from arena_check.reference import s0_0_x as ref`` raises ImportError, naming the package.
        if isinstance(e, ImportError) and (e.name or "").startswith("arena_check.reference"):
            message += " Its reference solutions are missing: run `make exercises` (contributors) or reinstall arena-check."
        return message


_CHECKS: dict[str, list[CheckSpec]] = {}
_FIXTURES: dict[str, list[Callable[[], Any]]] = {}
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
        _refuse_foreign_module(func, section)
        _refuse_unknown_exercise(func, section, exercise)
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


def fixture(section: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Declare something several checks of ``section`` need and that is slow to make (a model,
    a tokenizer, a trained network): ``@fixture("1.1") def model(): return zoo.load(...)``.

    The function runs once per process and its value is kept (``functools.cache``). Why a
    decorator rather than a plain cache: :func:`prepare` makes every fixture of a section in the
    grading process *before* it forks a child per check, so each child inherits the value instead
    of loading it again, and the load does not count against any check's time limit.
    """

    def register(func: Callable[[], T]) -> Callable[[], T]:
        cached = functools.cache(func)
        _FIXTURES.setdefault(section, []).append(cached)
        return cached

    return register


def prepare(section: str) -> None:
    """Make every :func:`fixture` of ``section`` now (importing its checks). A fixture that fails
    is a problem of the installation, not of the learner's file: :class:`SectionUnavailable`."""
    checks_for(section)
    for make in _FIXTURES.get(section, []):
        try:
            make()
        except Exception as e:  # noqa: BLE001 — missing weights, a broken install
            raise SectionUnavailable(section, e) from e


_SECTIONS_PACKAGE = "arena_check.sections."


def _refuse_foreign_module(func: CheckFunction, section: str) -> None:
    """A check in ``arena_check/sections/s0_1_*.py`` must be for section 0.1. Why: a copied
    ``SECTION = "0.0"`` would file the check under 0.0, which imports only its own module, so
    the check would never run for either section."""
    module = getattr(func, "__module__", None) or ""
    if not module.startswith(_SECTIONS_PACKAGE):
        return
    own = _section_id_from_module(module[len(_SECTIONS_PACKAGE):].split(".")[0])
    if own is not None and own != section:
        raise ValueError(
            f"check {getattr(func, '__name__', func)} is declared for section {section!r}, but it is in "
            f"{module} (the module of section {own}). Fix the section id in @check, or move the check."
        )


def _exercise_names(module: types.ModuleType) -> list[str]:
    """The functions and classes a reference module defines itself (not what it imports)."""
    return [
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(v) or inspect.isclass(v))
        and getattr(v, "__module__", None) == module.__name__
    ]


def _refuse_unknown_exercise(func: CheckFunction, section: str, exercise: str) -> None:
    """Refuse a check whose exercise the section's reference does not define, naming the
    nearest name it does define (a typo is the usual cause)."""
    reference = reference_module(section)
    if reference is None or hasattr(reference, exercise):
        return
    names = _exercise_names(reference)
    nearest = difflib.get_close_matches(exercise, names, n=1, cutoff=0.0)
    hint = f"Did you mean {nearest[0]!r}?" if nearest else "It defines no functions or classes."
    raise ExerciseNotInReference(
        f"check {getattr(func, '__name__', func)} (section {section}) is for exercise {exercise!r}, "
        f"which the reference module {reference.__name__} does not define. {hint}"
    )


def reference_module(section: str) -> types.ModuleType | None:
    """The section's module of reference solutions (imported), or None if it declares none.

    Package sections use ``arena_check.reference.<name of their checks module>``; sections added
    with :func:`register_section` use the ``reference`` they were given.
    """
    info = sections().get(section)
    if info is None or info.reference is None:
        return None
    return importlib.import_module(info.reference)


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
            found[section_id] = SectionInfo(
                section_id, title, f"{pkg.__name__}.{info.name}", reference=f"arena_check.reference.{info.name}"
            )
        found.update(_EXTRA_SECTIONS)
        _SECTIONS = dict(sorted(found.items(), key=lambda kv: _section_sort_key(kv[0])))
    return _SECTIONS


def register_section(
    section_id: str,
    title: str,
    module: str | None = None,
    *,
    reference: str | types.ModuleType | None = None,
) -> SectionInfo:
    """Make a section defined outside :mod:`arena_check.sections` known to the grader.

    Why: tests (and course forks) declare checks with :func:`check` in their own code, without
    adding a module to the package. ``module``, if given, is imported by :func:`checks_for` so its
    ``@check`` decorators run; leave it ``None`` when the checks are registered already.
    ``reference`` (a module or its importable name), if given, holds the reference solutions:
    a check for an exercise it does not define is then refused, as for package sections.
    """
    if isinstance(reference, types.ModuleType):
        reference = reference.__name__
    info = SectionInfo(section_id, title, module, reference)
    _EXTRA_SECTIONS[section_id] = info
    global _SECTIONS
    _SECTIONS = None  # rebuild the sorted view on next use
    return info


def unregister_section(section_id: str) -> None:
    """Forget a section added with :func:`register_section`, and its checks (for test clean-up)."""
    global _SECTIONS
    _EXTRA_SECTIONS.pop(section_id, None)
    _CHECKS.pop(section_id, None)
    _FIXTURES.pop(section_id, None)
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
        _import_checks(known[section])
    specs = list(_CHECKS.get(section, []))
    if exercise is not None:
        specs = [s for s in specs if s.exercise == exercise]
    return specs


def _import_checks(info: SectionInfo) -> None:
    """Import a section's checks module; any failure becomes :class:`SectionUnavailable`.

    The checks it registered before failing are dropped, so that a second attempt fails for the
    same reason rather than with "registered twice".
    """
    assert info.module is not None
    before = list(_CHECKS.get(info.id, []))
    try:
        importlib.import_module(info.module)
    except Exception as e:  # noqa: BLE001 — whatever the module raises: a missing reference, a typo
        if before:
            _CHECKS[info.id] = before
        else:
            _CHECKS.pop(info.id, None)
        raise SectionUnavailable(info.id, e) from e


def exercises_for(section: str) -> list[str]:
    """Exercise names of a section, in the order their checks were declared."""
    seen: dict[str, None] = {}
    for spec in checks_for(section):
        seen.setdefault(spec.exercise, None)
    return list(seen)
