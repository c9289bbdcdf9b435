"""Building blocks for writing checks: call the learner's code safely, compare with clear messages.

Every failure raises :class:`CheckFailed` whose message is a sentence a learner can act on: which
input, what was expected, what was got, and where the first difference is.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
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


def call(fn: Any, *args: Any, name: str, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` and fail if it changed any of its inputs in place.

    Inputs are snapshotted before the call and compared after, because an in-place edit
    (``x /= x.sum()``) silently corrupts the caller's tensors.
    """
    if not callable(fn):
        raise CheckFailed(f"`{name}` should be a function, but your file defines it as a value of type {type(fn).__name__}.")
    before = [_snapshot(a) for a in args]
    before_kw = {k: _snapshot(v) for k, v in kwargs.items()}
    out = fn(*args, **kwargs)
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


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def expect_tensor(
    got: Any,
    expected: Tensor,
    *,
    context: str,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    check_dtype: bool = True,
    hint: str = "",
) -> None:
    """Fail unless ``got`` is a tensor equal to ``expected`` (within tolerance for floats).

    ``context`` names the input, e.g. ``"x of shape (2, 5), seed 0"``; it starts every message.
    """
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
        detail = f"at index {where}: expected {_fmt(float(exp_d[where]))}, got {_fmt(float(got_d[where]))}"
        if exp_d.is_floating_point():
            diff = (got_d.double() - exp_d.double()).abs().nan_to_num(nan=math.inf, posinf=math.inf)
            detail += f" (max abs error {_fmt(float(diff.max()))})"
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


#: One input for :func:`compare_to_reference`: (a description naming the input, positional args).
Case = tuple[str, tuple[Any, ...]]


def compare_to_reference(
    fn: Any,
    reference: Callable[..., Any],
    cases: Sequence[Case],
    *,
    name: str,
    hint: str = "",
    **tolerance: Any,
) -> None:
    """Call the learner's ``fn`` and the ``reference`` on every case; require equal tensors.

    The workhorse of most checks: each case is called through :func:`call` (so in-place edits
    of inputs are caught) and compared with :func:`expect_tensor`, whose message names the case.
    """
    for context, args in cases:
        got = call(fn, *args, name=name)
        expect_tensor(got, reference(*args), context=context, hint=hint, **tolerance)
