"""Building blocks for writing checks: call the learner's code safely, compare with clear messages.

Every failure raises :class:`CheckFailed` whose message is a sentence a learner can act on: which
input, what was expected, what was got, and where the first difference is. The helpers enforce,
once for every section, what a docstring or a page promises:

* :func:`compare_to_reference` — values on named cases; the stub's default arguments
  (:func:`check_defaults`); exact equality where the output is data moved around (``exact=True``);
* :func:`require` — a rule the page states about *how* to write it ("use einsum", "no Python
  loops", "do not call torch.logsumexp"), read from the learner's source;
* :func:`call` — in-place edits of inputs, and the input case an exception happened on;
* :func:`randn` / :func:`randint` — seeded inputs, independent of the global RNG.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor


class CheckFailed(AssertionError):
    """The learner's code ran but its answer is wrong. The message is shown to the learner."""


def describe(x: Any) -> str:
    """A short description of a value for messages: ``float32 tensor of shape (2, 3)``."""
    if isinstance(x, Tensor):
        return f"{str(x.dtype).removeprefix('torch.')} tensor of shape {tuple(x.shape)}"
    if isinstance(x, list | tuple):
        return f"{type(x).__name__} of length {len(x)}"
    return type(x).__name__


def _snapshot(value: Any) -> Any:
    """A copy of ``value`` to compare with after the call; None if it cannot be copied."""
    if isinstance(value, Tensor):
        return value.detach().clone()
    if isinstance(value, torch.nn.Module):  # its parameters and buffers are what may be mutated
        return {k: v.detach().clone() for k, v in value.state_dict().items()}
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 — not copyable: cannot be checked for mutation
        return None


def _same(old: Any, new: Any) -> bool:
    """Whether ``new`` still equals the snapshot ``old``. When equality cannot be decided (an
    object without ``__eq__`` compares by identity, and a copy is never identical) say True:
    a false accusation of mutation is worse than a missed one."""
    if isinstance(old, Tensor) and isinstance(new, Tensor):
        if old.shape != new.shape or old.dtype != new.dtype:
            return False
        same = old == new
        if old.is_floating_point() or old.is_complex():
            same |= old.isnan() & new.isnan()
        return bool(same.all())
    if isinstance(new, torch.nn.Module) and isinstance(old, dict):
        return _same(old, {k: v.detach() for k, v in new.state_dict().items()})
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return len(old) == len(new) and all(_same(x, y) for x, y in zip(old, new, strict=True))
    if type(new).__eq__ is object.__eq__:
        return True
    try:
        return bool(old == new)
    except Exception:  # noqa: BLE001 — e.g. numpy arrays: ambiguous truth value
        return True


_CASE_ATTR = "_arena_check_case"


def case_of(exc: BaseException) -> str | None:
    """The input case (as :func:`call` was told it) on which the learner's code raised ``exc``."""
    case = getattr(exc, _CASE_ATTR, None)
    return case if isinstance(case, str) else None


def call(fn: Any, *args: Any, name: str, context: str | None = None, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` and fail if it changed any of its inputs in place.

    Inputs are snapshotted before the call and compared after, because an in-place edit
    (``x /= x.sum()``) silently corrupts the caller's tensors. ``context`` names the input case
    (``"x of shape (1, 4)"``); if ``fn`` raises, the exception carries it (:func:`case_of`), so
    that the report says which input made the learner's code fail, as it does for a wrong value.
    """
    if not callable(fn):
        raise CheckFailed(f"`{name}` should be a function, but your file defines it as a value of type {type(fn).__name__}.")
    before = [_snapshot(a) for a in args]
    before_kw = {k: _snapshot(v) for k, v in kwargs.items()}
    try:
        out = fn(*args, **kwargs)
    except CheckFailed:
        raise
    except BaseException as e:
        if context is not None and case_of(e) is None:
            try:
                setattr(e, _CASE_ATTR, context)
            except Exception:  # noqa: BLE001 — an exception object that refuses attributes
                pass
        raise
    for i, (old, new) in enumerate(zip(before, args, strict=True)):
        if old is not None and not _same(old, new):
            raise CheckFailed(
                f"`{name}` changed its input argument #{i + 1} ({describe(new)}) in place. "
                "Return a new tensor instead (avoid `x -= …`, `x[…] = …`, `.add_()` on inputs)."
            )
    for k, old in before_kw.items():
        if old is not None and not _same(old, kwargs[k]):
            raise CheckFailed(f"`{name}` changed its input `{k}` in place. Return a new value instead.")
    return out


def _index(flat_index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    idx = []
    for dim in reversed(shape):
        idx.append(flat_index % dim)
        flat_index //= dim
    return tuple(reversed(idx))


def _fmt(v: float, digits: int = 6) -> str:
    return f"{v:.{digits}g}"


def expect_tensor(
    got: Any,
    expected: Tensor,
    *,
    context: str,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    check_dtype: bool = True,
    exact: bool = False,
    hint: str = "",
) -> None:
    """Fail unless ``got`` is a tensor equal to ``expected`` (within tolerance for floats).

    ``context`` names the input, e.g. ``"x of shape (2, 5), seed 0"``; it starts every message.
    ``exact=True`` compares floats exactly too (NaN only where NaN is expected): for outputs that
    only move, copy or select input values, where any difference is a bug, not rounding.
    """
    if exact:
        atol = rtol = 0.0
    suffix = f" Hint: {hint}" if hint else ""
    if not isinstance(got, Tensor):
        raise CheckFailed(f"For {context}: expected a torch.Tensor, got {describe(got)}.{suffix}")
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailed(
            f"For {context}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}.{suffix}"
        )
    if check_dtype and got.dtype != expected.dtype:
        raise CheckFailed(
            f"For {context}: expected dtype {str(expected.dtype).removeprefix('torch.')}, "
            f"got {str(got.dtype).removeprefix('torch.')}.{suffix}"
        )
    got_d = got.detach()
    exp_d = expected.detach()
    if exp_d.is_floating_point() or got_d.is_floating_point():
        got_f, exp_f = got_d.double(), exp_d.double()
        bad_nan = torch.isnan(got_f) & ~torch.isnan(exp_f)
        if bad_nan.any():
            where = _index(int(bad_nan.flatten().nonzero()[0]), tuple(got.shape))
            raise CheckFailed(
                f"For {context}: your output contains NaN at index {where} "
                f"(expected {_fmt(float(exp_f[where]))}).{suffix or ' Hint: look for 0/0, log(0) or inf - inf.'}"
            )
        close = torch.isclose(got_f, exp_f, atol=atol, rtol=rtol, equal_nan=True)
    else:
        close = got_d == exp_d
    if not bool(close.all()):
        first = int((~close).flatten().nonzero()[0])
        where = _index(first, tuple(got.shape)) if got.dim() else ()
        n_bad = int((~close).sum())
        digits = 9 if exact else 6  # enough to show a difference of one float32 rounding step
        detail = (
            f"at index {where}: expected {_fmt(float(exp_d[where]), digits)}, "
            f"got {_fmt(float(got_d[where]), digits)}"
        )
        if exp_d.is_floating_point():
            diff = (got_d.double() - exp_d.double()).abs().nan_to_num(nan=math.inf, posinf=math.inf)
            detail += f" (max abs error {_fmt(float(diff.max()))})"
            if exact:
                detail += "; these values must be exactly equal, not merely close"
        raise CheckFailed(
            f"For {context}: {n_bad} of {got.numel()} values differ; first {detail}.{suffix}"
        )


def _short_repr(value: Any, limit: int = 200) -> str:
    """``repr`` for a message: capped, and safe for a learner's object whose ``__repr__`` raises."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def expect_equal(got: Any, expected: Any, *, context: str, hint: str = "") -> None:
    """Fail unless ``got == expected`` for plain Python values (ints, tuples, strings).

    A comparison that raises or is ambiguous (a tensor compared with a tuple) counts as unequal.
    """
    try:
        same = bool(got == expected)
    except Exception:  # noqa: BLE001
        same = False
    if not same:
        suffix = f" Hint: {hint}" if hint else ""
        got_text = describe(got) if isinstance(got, Tensor) else _short_repr(got)
        raise CheckFailed(f"For {context}: expected {_short_repr(expected)}, got {got_text}.{suffix}")


def seeded(seed: int) -> torch.Generator:
    """A generator for reproducible check inputs, independent of the global RNG."""
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """Standard-normal values of ``shape``, the same for the same seed on every run and machine.

    Why a helper: every section builds its inputs this way; one definition keeps them seeded
    (never the global RNG, which a learner's code may also draw from) and short to write.
    """
    return torch.randn(*shape, generator=seeded(seed), dtype=dtype)


def randint(high: int, *shape: int, seed: int, low: int = 0, dtype: torch.dtype = torch.int64) -> Tensor:
    """Integers in ``[low, high)`` of ``shape`` (token ids, class labels, indices), seeded."""
    return torch.randint(low, high, shape, generator=seeded(seed), dtype=dtype)


#: One input for :func:`compare_to_reference`: (a description naming the input, positional args)
#: or (description, positional args, keyword args). A case that leaves out an argument with a
#: default tests the learner's default against the reference's.
Case = tuple[str, tuple[Any, ...]] | tuple[str, tuple[Any, ...], dict[str, Any]]


def _same_default(mine: Any, theirs: Any) -> bool:
    """Equal defaults; numbers within float rounding (``1e-5`` and ``10**-5`` are the same)."""
    numbers = all(isinstance(v, float | int) and not isinstance(v, bool) for v in (mine, theirs))
    if numbers:
        return math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=0.0)
    try:
        return bool(mine == theirs)
    except Exception:  # noqa: BLE001 — e.g. tensors: ambiguous truth value
        return mine is theirs


def check_defaults(fn: Any, reference: Callable[..., Any], *, name: str) -> None:
    """Fail unless every parameter with a default in the reference's signature (which the stub
    shows the learner) has the same default in ``fn``'s.

    Why: checks usually pass every argument, so a dropped or changed default (``mode="mean"``
    instead of ``"max"``) would go unnoticed until someone calls the function the documented way.
    Parameters the learner added are fine, and so is one left to ``**kwargs``; where a signature
    cannot be read (a builtin such as ``torch.softmax``), nothing is checked.
    """
    try:
        theirs = inspect.signature(reference)
        mine = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in mine.parameters.values())
    for param in theirs.parameters.values():
        if param.default is inspect.Parameter.empty:
            continue
        wanted = f"`{param.name}={param.default!r}`"
        own = mine.parameters.get(param.name)
        if own is None:
            if takes_kwargs:
                continue
            raise CheckFailed(
                f"`{name}` should have the parameter {wanted}, as the stub's signature does; yours has "
                f"no `{param.name}`. Keep the signature you were given."
            )
        if own.default is inspect.Parameter.empty:
            raise CheckFailed(
                f"`{name}`'s parameter `{param.name}` should default to {param.default!r}, as in the stub's "
                f"signature ({wanted}); yours has no default, so calls that leave it out fail."
            )
        if not _same_default(own.default, param.default):
            raise CheckFailed(
                f"`{name}`'s parameter `{param.name}` should default to {param.default!r}, as in the stub's "
                f"signature ({wanted}); yours defaults to {_short_repr(own.default)}."
            )


def _unpack(case: Case) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    if len(case) == 3:
        return case[0], case[1], dict(case[2])  # type: ignore[misc]
    return case[0], case[1], {}


def compare_to_reference(
    fn: Any,
    reference: Callable[..., Any],
    cases: Sequence[Case],
    *,
    name: str,
    hint: str = "",
    exact: bool = False,
    defaults: bool = True,
    **tolerance: Any,
) -> None:
    """Call the learner's ``fn`` and the ``reference`` on every case; require equal tensors.

    The workhorse of most checks: first the signature's defaults are compared
    (:func:`check_defaults`; ``defaults=False`` skips it), then each case is called through
    :func:`call` (so in-place edits of inputs are caught, and an exception names its case) and
    compared with :func:`expect_tensor`, whose message names the case. ``exact=True`` for outputs
    that only rearrange, copy or select input values.
    """
    if defaults:
        check_defaults(fn, reference, name=name)
    for case in cases:
        context, args, kwargs = _unpack(case)
        got = call(fn, *args, name=name, context=context, **kwargs)
        expect_tensor(got, reference(*args, **kwargs), context=context, hint=hint, exact=exact, **tolerance)


# ---------------------------------------------------------------------------------------
# Rules about how the code is written, read from its source
# ---------------------------------------------------------------------------------------
_LOOPS: dict[type, str] = {
    ast.For: "a `for` loop",
    ast.AsyncFor: "an `async for` loop",
    ast.While: "a `while` loop",
    ast.ListComp: "a list comprehension (a loop)",
    ast.SetComp: "a set comprehension (a loop)",
    ast.DictComp: "a dict comprehension (a loop)",
    ast.GeneratorExp: "a generator expression (a loop)",
}


@dataclass
class _Source:
    """The parsed source of one function or class of the learner's."""

    tree: ast.AST
    filename: str
    first_line: int  # line of the file where the parsed text starts
    namespace: dict[str, Any]


def _dotted(node: ast.AST) -> str | None:
    """``torch.special.logsumexp`` for an attribute chain on a name; ``.logsumexp`` on any other
    expression (a method call such as ``x.logsumexp(-1)``); None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return "." + ".".join(reversed(parts)) if parts else None


def _resolve(dotted: str, namespace: dict[str, Any]) -> Any:
    """The object a dotted name refers to in ``namespace`` (or builtins), else None."""
    if dotted.startswith("."):
        return None
    head, *rest = dotted.split(".")
    obj = namespace[head] if head in namespace else getattr(builtins, head, None)
    for part in rest:
        try:
            obj = getattr(obj, part)
        except Exception:  # noqa: BLE001 — a learner's object whose attribute lookup raises
            return None
    return obj


@functools.cache
def _library_prefixes() -> tuple[str, ...]:
    """Where third-party and standard-library code lives. Not arena_check itself: its reference
    solutions are judged by the same rules as the learner's (the section tests run them)."""
    from arena_check.loader import _library_dirs

    own = str(Path(__file__).resolve().parent)
    return tuple(d for d in _library_dirs() if d.rstrip("/") != own)


def _is_learners(obj: Any) -> bool:
    """Whether ``obj`` is a function or class whose source is the learner's (or the reference's),
    not a library's."""
    try:
        obj = inspect.unwrap(obj) if inspect.isfunction(obj) else obj
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            return False
        filename = inspect.getsourcefile(obj) or inspect.getfile(obj)
    except Exception:  # noqa: BLE001 — builtins, odd objects whose attributes raise
        return False
    own = str(Path(__file__).resolve().parent)
    if filename.startswith(own):
        return True
    return not filename.startswith(_library_prefixes()) and not filename.startswith("<frozen")


def _parse(obj: Any) -> _Source | None:
    """The learner's function or class as a syntax tree; None if its source cannot be read."""
    try:
        lines, first_line = inspect.getsourcelines(obj)
        filename = inspect.getsourcefile(obj) or inspect.getfile(obj)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    if inspect.isclass(obj):
        module = inspect.getmodule(obj)
        namespace = dict(vars(module)) if module is not None else {}
    else:
        namespace = dict(getattr(obj, "__globals__", {}))
        code = getattr(obj, "__code__", None)
        closure = getattr(obj, "__closure__", None) or ()
        for var, cell in zip(getattr(code, "co_freevars", ()), closure, strict=False):
            try:
                namespace[var] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
    return _Source(tree, filename, max(first_line, 1), namespace)


def _learner_sources(fn: Any) -> list[_Source] | None:
    """``fn``'s source and that of every function or class of the learner's it refers to, at any
    depth (a helper that does the work counts as the work). None if ``fn``'s own source cannot be
    read."""
    if isinstance(fn, functools.partial):
        fn = fn.func
    root = _parse(inspect.unwrap(fn) if inspect.isfunction(fn) else fn)
    if root is None:
        return None
    sources, seen, todo = [], {id(fn)}, [root]
    while todo:
        src = todo.pop()
        sources.append(src)
        for node in ast.walk(src.tree):
            if not isinstance(node, ast.Name):
                continue
            obj = src.namespace.get(node.id)
            if obj is None or id(obj) in seen or not _is_learners(obj):
                continue
            seen.add(id(obj))
            parsed = _parse(inspect.unwrap(obj))
            if parsed is not None:
                todo.append(parsed)
    return sources


def _where(src: _Source, node: ast.AST) -> str:
    line = src.first_line + getattr(node, "lineno", 1) - 1
    name = Path(src.filename).name
    if name.endswith("]") and "[cell " in name:  # a notebook cell, as the loader names it
        name = name.replace("[cell ", " cell ")[:-1]
    return f"{name}, line {line}"


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def require(
    fn: Any,
    *,
    name: str,
    rule: str,
    uses: Iterable[str] = (),
    forbids_calls: Iterable[str] = (),
    no_loops: bool = False,
) -> None:
    """Fail unless the learner's ``fn`` keeps a rule the page states about how to write it.

    ``rule`` quotes the page ("Do not call `torch.logsumexp`"); the message repeats it and says
    where the code breaks it. Read from ``fn``'s source and from the source of every function of
    the learner's that it calls:

    * ``uses``: names one of which must appear (``["einsum"]`` is met by ``einsum``,
      ``torch.einsum``, ``einops.einsum`` or an alias of either);
    * ``forbids_calls``: calls that must not appear, matched by their last name, so
      ``"torch.logsumexp"`` also forbids ``x.logsumexp(-1)`` and ``torch.special.logsumexp``
      (but not a function of the learner's own of that name);
    * ``no_loops``: no ``for``/``while`` loops and no comprehensions.

    Where the source cannot be read (code typed into a plain interpreter), nothing is checked:
    a false accusation is worse than a missed rule. A library function assigned directly
    (``outer_product = torch.outer``) is judged by its name.
    """
    uses = [_last(u) for u in uses]
    forbidden = {_last(f): f for f in forbids_calls}

    def broken(problem: str) -> CheckFailed:
        return CheckFailed(f"`{name}` breaks a rule of this exercise: “{rule}” — {problem}.")

    target = fn.func if isinstance(fn, functools.partial) else fn
    target = target.__func__ if inspect.ismethod(target) else target
    if not _is_learners(target):
        own_name = getattr(target, "__name__", None)
        if not isinstance(own_name, str):
            return  # an instance of some class: cannot tell
        if own_name in forbidden:
            raise broken(f"your `{name}` is `{own_name}` itself")
        if uses and own_name not in uses:
            raise broken(f"your `{name}` is the library function `{own_name}`, which is not {' or '.join(uses)}")
        return

    try:
        problem = _first_violation(target, uses, forbidden, no_loops)
    except Exception:  # noqa: BLE001 — odd code the analysis does not understand: no accusation
        return
    if problem is not None:
        raise broken(problem)


def _first_violation(fn: Any, uses: list[str], forbidden: dict[str, str], no_loops: bool) -> str | None:
    """What in ``fn``'s source (and its helpers') breaks the rule, as the end of a sentence; None
    if nothing does or the source cannot be read."""
    sources = _learner_sources(fn)
    if sources is None:
        return None
    used = False
    for src in sources:
        for node in ast.walk(src.tree):
            if no_loops and type(node) in _LOOPS:
                return f"your code has {_LOOPS[type(node)]} ({_where(src, node)})"
            if isinstance(node, ast.Name | ast.Attribute):
                dotted = _dotted(node)
                if dotted is None:
                    continue
                obj = _resolve(dotted, src.namespace)
                if uses and {_last(dotted), getattr(obj, "__name__", None)} & set(uses):
                    used = True
            if isinstance(node, ast.Call) and forbidden:
                dotted = _dotted(node.func)
                if dotted is None:
                    continue
                obj = _resolve(dotted, src.namespace)
                if obj is not None and _is_learners(obj):
                    continue  # the learner's own function of that name
                hit = _last(dotted) if _last(dotted) in forbidden else getattr(obj, "__name__", None)
                if hit in forbidden:
                    shown = f"…{dotted}" if dotted.startswith(".") else dotted
                    return f"your code calls `{shown}` ({_where(src, node)})"
    if uses and not used:
        return f"your code never calls {' or '.join(f'`{u}`' for u in uses)}"
    return None

