"""Building blocks for writing checks: call the learner's code safely, compare with clear messages.

Every failure raises :class:`CheckFailed` whose message is a sentence a learner can act on: which
input, what was expected, what was got, and where the first difference is.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
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
    if isinstance(value, Tensor):
        return value.detach().clone()
    try:
        return copy.deepcopy(value)
    except Exception:  # not copyable: cannot be checked for mutation
        return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and bool(torch.equal(a.nan_to_num(), b.nan_to_num()))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:
        return True


def call(fn: Any, *args: Any, name: str, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` and fail if it changed any of its inputs in place.

    Inputs are snapshotted before the call and compared after, because an in-place edit
    (``x /= x.sum()``) silently corrupts the caller's tensors.
    """
    if not callable(fn):
        raise CheckFailed(f"`{name}` should be a function, but your file defines it as a {type(fn).__name__}.")
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
            diff = (got_d.double() - exp_d.double()).abs().nan_to_num(nan=math.inf)
            detail += f" (max abs error {_fmt(float(diff.max()))})"
        raise CheckFailed(
            f"For {context}: {n_bad} of {got.numel()} values differ; first {detail}.{suffix}"
        )


def expect_equal(got: Any, expected: Any, *, context: str, hint: str = "") -> None:
    """Fail unless ``got == expected`` for plain Python values (ints, tuples, strings)."""
    if got != expected:
        suffix = f" Hint: {hint}" if hint else ""
        raise CheckFailed(f"For {context}: expected {expected!r}, got {got!r}.{suffix}")


def seeded(seed: int) -> torch.Generator:
    """A generator for reproducible check inputs, independent of the global RNG."""
    return torch.Generator().manual_seed(seed)


def with_context(fn: Callable[[], None], context: str) -> None:
    """Run ``fn`` and prefix any ``CheckFailed`` with ``context``."""
    try:
        fn()
    except CheckFailed as e:
        raise CheckFailed(f"{context}: {e}") from None
