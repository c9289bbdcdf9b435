"""Checks for section 0.4 — backpropagation.

The answer key is PyTorch's autograd: every backward function is compared with the gradient
torch computes for the same operation on the same seeded inputs (float64), including the shapes
that make wrong answers visible — broadcasting in both directions, square matrices, keepdims sums,
repeated and negative indices, ties of ``maximum``, batch 1. The backward pass is compared with
torch on hand-built and seeded random graphs (nodes used twice, diamonds), and the topological
sort against the properties a valid order must have.

Graphs are built from the reference engine's tensors, so that a check of one exercise does not
depend on the learner's other exercises: ``backprop`` is given the reference's backward
functions, ``cross_entropy`` and ``Linear`` are run on the learner's own ``Tensor`` class (a copy
of the page's setup cell) and differentiated by the reference engine. Inputs are built inside the
checks, never at import time.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from arena_check.reference import s0_4_backprop as ref
from arena_check.registry import check
from arena_check.testing import CheckFailed, call, expect_tensor

SECTION = "0.4"


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _as_tensor(x: Any, context: str, hint: str) -> torch.Tensor:
    """The learner's result as a float64 torch tensor, or a clear failure."""
    if isinstance(x, torch.Tensor):
        raise CheckFailed(f"For {context}: return a NumPy array, not a torch tensor. Hint: {hint}")
    if not isinstance(x, np.ndarray | np.generic | float | int):
        raise CheckFailed(
            f"For {context}: expected a NumPy array, got {type(x).__name__}. Hint: {hint}"
        )
    return torch.from_numpy(np.array(x, dtype=np.float64))


def _call_np(fn: Callable[..., Any], *args: Any, name: str, context: str, **kwargs: Any) -> Any:
    """Call ``fn`` and fail if it modified any of its NumPy array arguments in place."""
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    out = call(fn, *args, name=name, context=context, **kwargs)
    for i, (old, new) in enumerate(zip(before, args, strict=True)):
        if old is not None and not np.array_equal(old, new, equal_nan=True):
            what = "grad_out" if i == 0 else f"argument #{i + 1}"
            raise CheckFailed(
                f"For {context}: `{name}` changed {what} in place. The engine may hand the same "
                "array to several backward functions; return a new array (`g * b`, not `g *= b`)."
            )
    return out


def _torch_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    if isinstance(index, np.ndarray):
        return torch.from_numpy(index)
    return index


def _compare_back(
    back: Callable[..., Any],
    *,
    name: str,
    numpy_fn: Callable[..., np.ndarray],
    torch_fn: Callable[..., torch.Tensor],
    argnum: int,
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any]]],
    hint: str,
    seed: int = 0,
) -> None:
    """For each case, ``back(grad_out, out, *args, **kwargs)`` must equal torch's gradient for
    argument ``argnum`` of ``torch_fn`` (the same function), with a random ``grad_out``."""
    for k, (context, args, kwargs) in enumerate(cases):
        out = np.asarray(numpy_fn(*args, **kwargs))
        grad_out = _rng(seed + 100 + k).normal(size=out.shape)
        leaves = [
            torch.tensor(a, dtype=torch.float64, requires_grad=(i == argnum))
            if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating) else a
            for i, a in enumerate(args)
        ]
        if not isinstance(args[argnum], np.ndarray):
            raise AssertionError("the differentiated argument must be an array")
        # (out * grad_out).sum().backward() is the same vector-Jacobian product as
        # out.backward(grad_out), without torch's slow first-call path for a tensor gradient.
        (torch_fn(*leaves, **kwargs) * torch.from_numpy(grad_out)).sum().backward()
        expected = leaves[argnum].grad
        try:
            got = _call_np(back, grad_out, out, *args, name=name, context=context, **kwargs)
            expect_tensor(_as_tensor(got, context, hint), expected, context=context, hint=hint, check_dtype=False,
                          atol=1e-9, rtol=1e-7)
        except CheckFailed as e:
            note = _broken_unbroadcast(back)
            raise CheckFailed(f"{e} {note}" if note else str(e)) from None


def _broken_unbroadcast(fn: Any) -> str:
    """A note for the learner when ``fn`` relies on their own ``unbroadcast`` and it is wrong: then
    the failure may be unbroadcast's, not ``fn``'s."""
    helper = _namespace(fn).get("unbroadcast")
    uses = "unbroadcast" in getattr(getattr(fn, "__code__", None), "co_names", ())
    if not uses or not callable(helper) or helper is ref.unbroadcast:
        return ""
    grad = np.arange(24.0).reshape(2, 3, 4)
    for shape in [(3, 4), (3, 1), (1, 4), (2, 1, 4), ()]:
        try:
            ok = np.allclose(np.asarray(helper(grad.copy(), shape)), ref.unbroadcast(grad, shape)) and \
                np.shape(helper(grad.copy(), shape)) == shape
        except Exception:  # noqa: BLE001 — any failure of the learner's helper counts as broken
            ok = False
        if not ok:
            return ("(Your `unbroadcast`, which this function calls, is wrong for grad (2, 3, 4) to "
                    f"shape {shape}: make it pass its own check first.)")
    return ""


def _namespace(obj: Any) -> dict[str, Any]:
    """The global namespace the learner's function or class was defined in."""
    if isinstance(obj, type):
        for value in vars(obj).values():
            if hasattr(value, "__globals__"):
                return value.__globals__
        return {}
    return getattr(obj, "__globals__", {})


def _tensor_class(obj: Any) -> type:
    """The learner's ``Tensor`` class (their copy of the setup cell), else the reference's."""
    cls = _namespace(obj).get("Tensor")
    return cls if isinstance(cls, type) else ref.Tensor


# ------------------------------------------------------------------------------------------
# Part 1 · backward functions
# ------------------------------------------------------------------------------------------
@check(SECTION, "log_back")
def check_log_back(log_back) -> None:
    """Positive inputs of several shapes, a scalar, values far from 1 (where 1/x ≠ 1/log x)."""
    r = _rng(0)
    cases = [
        ("x of shape (3, 4) in [0.5, 3], seed 0", (r.uniform(0.5, 3, (3, 4)),), {}),
        ("x of shape (5,) in [0.01, 100], seed 0", (np.exp(r.uniform(-4.6, 4.6, 5)),), {}),
        ("a scalar x = 2.5, shape ()", (np.array(2.5),), {}),
        ("x of shape (1, 1) = [[7.0]] (batch 1)", (np.array([[7.0]]),), {}),
    ]
    _compare_back(
        log_back, name="log_back", numpy_fn=np.log, torch_fn=torch.log, argnum=0, cases=cases,
        hint="d/dx log(x) = 1/x, of the input x — not of the output out = log(x). Multiply "
        "grad_out by it elementwise.",
    )


@check(SECTION, "exp_back")
def check_exp_back(exp_back) -> None:
    """Several shapes, a scalar, negative and positive inputs."""
    r = _rng(1)
    cases = [
        ("x of shape (3, 4), seed 1", (r.normal(size=(3, 4)),), {}),
        ("x of shape (6,) in [-3, 3], seed 1", (r.uniform(-3, 3, 6),), {}),
        ("a scalar x = -1.5, shape ()", (np.array(-1.5),), {}),
    ]
    _compare_back(
        exp_back, name="exp_back", numpy_fn=np.exp, torch_fn=torch.exp, argnum=0, cases=cases,
        hint="d/dx exp(x) = exp(x), which `out` already holds: grad_out * out (not grad_out * x).",
    )


@check(SECTION, "unbroadcast", points=2)
def check_unbroadcast(unbroadcast) -> None:
    """Prepended axes, stretched size-1 axes on either side, both at once, a scalar, no-op, square grads."""
    r = _rng(2)
    cases = [
        ("grad (2, 3, 4) to shape (3, 4) (one prepended axis)", r.normal(size=(2, 3, 4)), (3, 4)),
        ("grad (2, 3, 4) to shape (4,) (two prepended axes)", r.normal(size=(2, 3, 4)), (4,)),
        ("grad (3, 4) to shape (3, 1) (a stretched last axis)", r.normal(size=(3, 4)), (3, 1)),
        ("grad (3, 4) to shape (1, 4) (a stretched first axis)", r.normal(size=(3, 4)), (1, 4)),
        ("square grad (3, 3) to shape (3, 1)", r.normal(size=(3, 3)), (3, 1)),
        ("square grad (3, 3) to shape (1, 3)", r.normal(size=(3, 3)), (1, 3)),
        ("grad (2, 3, 4) to shape (3, 1) (prepended and stretched)", r.normal(size=(2, 3, 4)), (3, 1)),
        ("grad (2, 3, 4) to shape (2, 1, 4) (a stretched middle axis)", r.normal(size=(2, 3, 4)), (2, 1, 4)),
        ("grad (2, 3) to shape () (a scalar)", r.normal(size=(2, 3)), ()),
        ("grad (3, 4) to shape (3, 4) (nothing to undo)", r.normal(size=(3, 4)), (3, 4)),
        ("grad (1, 1) to shape (1, 1) (size-1 axes that were not stretched)", r.normal(size=(1, 1)), (1, 1)),
        ("grad (1, 4) to shape (4,) (a prepended size-1 axis)", r.normal(size=(1, 4)), (4,)),
        ("grad (2, 2) to shape (1, 2) (a stretched axis of size 2)", r.normal(size=(2, 2)), (1, 2)),
    ]
    hint = ("first sum over the grad.ndim - len(shape) leading axes; then sum with keepdims=True over "
            "each axis where shape has a 1 (and grad does not). The result must have exactly `shape`.")
    for context, grad, shape in cases:
        expected = torch.from_numpy(ref.unbroadcast(grad, shape))
        got = _call_np(unbroadcast, grad, shape, name="unbroadcast", context=context)
        expect_tensor(_as_tensor(got, context, hint), expected, context=context, hint=hint, check_dtype=False,
                      atol=1e-9, rtol=1e-7)


_MULTIPLY_HINT = ("the elementwise gradient of a * b for {x} is grad_out * {other}; then sum it back to "
                  "np.shape({x}) with unbroadcast (a Python float has shape ()).")


def _multiply_cases(seed: int, which: int) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    r = _rng(seed)
    pairs = [
        ("a (3, 4) and b (3, 4)", r.normal(size=(3, 4)), r.normal(size=(3, 4))),
        ("a (3, 1) and b (1, 4) (broadcast both ways)", r.normal(size=(3, 1)), r.normal(size=(1, 4))),
        ("a (4,) and b (3, 4)", r.normal(size=4), r.normal(size=(3, 4))),
        ("a (3, 4) and b (4,)", r.normal(size=(3, 4)), r.normal(size=4)),
        ("a (3, 3) and b (3, 1) (square)", r.normal(size=(3, 3)), r.normal(size=(3, 1))),
        ("a (1, 3) and b (3, 3) (square)", r.normal(size=(1, 3)), r.normal(size=(3, 3))),
        ("a of shape () and b (2, 3)", np.array(1.7), r.normal(size=(2, 3))),
    ]
    if which == 0:
        pairs.append(("a (2, 3) and b = 2.5, a Python float", r.normal(size=(2, 3)), 2.5))
    else:
        pairs.append(("a = -1.5, a Python float, and b (2, 3)", -1.5, r.normal(size=(2, 3))))
    return [(context, (a, b), {}) for context, a, b in pairs]


@check(SECTION, "multiply_back0")
def check_multiply_back0(multiply_back0) -> None:
    """Same shapes, broadcasting both ways, square shapes, a 0-d array and a Python float."""
    _compare_back(
        multiply_back0, name="multiply_back0", numpy_fn=np.multiply, torch_fn=operator.mul, argnum=0,
        cases=_multiply_cases(3, 0), hint=_MULTIPLY_HINT.format(x="a", other="b"),
    )


@check(SECTION, "multiply_back1")
def check_multiply_back1(multiply_back1) -> None:
    """The second argument's gradient, on the same kinds of shapes."""
    _compare_back(
        multiply_back1, name="multiply_back1", numpy_fn=np.multiply, torch_fn=operator.mul, argnum=1,
        cases=_multiply_cases(4, 1), hint=_MULTIPLY_HINT.format(x="b", other="a"),
    )


def _torch_sum(x: torch.Tensor, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    if axis is None:
        axis = tuple(range(x.dim()))
    return x.sum(dim=axis, keepdim=keepdims) if x.dim() else x


@check(SECTION, "sum_back", points=2)
def check_sum_back(sum_back) -> None:
    """All axes, one axis, several axes, negative axes, keepdims, square inputs, batch 1; a fresh writable array."""
    r = _rng(5)
    cases = [
        ("x (2, 3, 4), axis=None", (r.normal(size=(2, 3, 4)),), {}),
        ("x (2, 3, 4), axis=1", (r.normal(size=(2, 3, 4)),), {"axis": 1}),
        ("x (2, 3, 4), axis=1, keepdims=True", (r.normal(size=(2, 3, 4)),), {"axis": 1, "keepdims": True}),
        ("x (2, 3, 4), axis=(0, 2)", (r.normal(size=(2, 3, 4)),), {"axis": (0, 2)}),
        ("x (2, 3, 4), axis=-1", (r.normal(size=(2, 3, 4)),), {"axis": -1}),
        ("x (2, 3, 4), axis=(0, -1), keepdims=True", (r.normal(size=(2, 3, 4)),), {"axis": (0, -1), "keepdims": True}),
        ("square x (3, 3), axis=0", (r.normal(size=(3, 3)),), {"axis": 0}),
        ("square x (3, 3), axis=1", (r.normal(size=(3, 3)),), {"axis": 1}),
        ("x (1, 4), axis=0 (batch 1)", (r.normal(size=(1, 4)),), {"axis": 0}),
        ("x (5,), axis=0", (r.normal(size=5),), {"axis": 0}),
        ("x (2, 3), axis=None, keepdims=True", (r.normal(size=(2, 3)),), {"keepdims": True}),
    ]
    hint = ("a sum's gradient copies grad_out to every entry that was summed. Without keepdims the "
            "summed axes are missing from grad_out: put them back with np.expand_dims(grad_out, axis) "
            "(axis=None means all axes) before np.broadcast_to(..., x.shape), then copy.")
    _compare_back(sum_back, name="sum_back", numpy_fn=np.sum, torch_fn=_torch_sum, argnum=0, cases=cases,
                  hint=hint)
    x = r.normal(size=(2, 3))
    grad_out = np.ones(3)
    got = _call_np(sum_back, grad_out, x.sum(0), x, name="sum_back", context="x (2, 3), axis=0", axis=0)
    context = "x (2, 3), axis=0, then writing into the result"
    if not isinstance(got, np.ndarray) or not got.flags.writeable:
        raise CheckFailed(
            f"For {context}: the result is read-only — np.broadcast_to returns a read-only view. "
            "Hint: copy it, e.g. np.array(np.broadcast_to(...)), so the engine can add into it."
        )
    if np.shares_memory(got, grad_out):
        raise CheckFailed(
            f"For {context}: the result shares memory with grad_out, so changing one changes the other. "
            "Hint: return a copy."
        )


_MATMUL_CASES = [
    ("a (3, 4) @ b (4, 5)", (3, 4), (4, 5)),
    ("square a (3, 3) @ b (3, 3)", (3, 3), (3, 3)),
    ("a (1, 4) @ b (4, 1) (batch 1)", (1, 4), (4, 1)),
    ("batched a (2, 3, 4) @ b (4, 5) (b broadcast over the batch)", (2, 3, 4), (4, 5)),
    ("batched a (2, 3, 4) @ b (2, 4, 5)", (2, 3, 4), (2, 4, 5)),
    ("a (3, 4) @ batched b (2, 4, 3) (a broadcast over the batch)", (3, 4), (2, 4, 3)),
]


def _matmul_cases(seed: int) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    r = _rng(seed)
    return [(context, (r.normal(size=sa), r.normal(size=sb)), {}) for context, sa, sb in _MATMUL_CASES]


@check(SECTION, "matmul_back0", points=2)
def check_matmul_back0(matmul_back0) -> None:
    """Rectangular, square, batch-1 and batched products with broadcasting."""
    _compare_back(
        matmul_back0, name="matmul_back0", numpy_fn=np.matmul, torch_fn=torch.matmul, argnum=0,
        cases=_matmul_cases(6),
        hint="grad_a = grad_out @ bᵀ, with bᵀ the transpose of b's last two axes (np.swapaxes(b, -1, -2)); "
        "if a was broadcast over a batch, unbroadcast the result to a.shape.",
    )


@check(SECTION, "matmul_back1", points=2)
def check_matmul_back1(matmul_back1) -> None:
    """Rectangular, square, batch-1 and batched products with broadcasting."""
    _compare_back(
        matmul_back1, name="matmul_back1", numpy_fn=np.matmul, torch_fn=torch.matmul, argnum=1,
        cases=_matmul_cases(7),
        hint="grad_b = aᵀ @ grad_out, with aᵀ the transpose of a's last two axes (np.swapaxes(a, -1, -2)); "
        "if b was broadcast over a batch, unbroadcast the result to b.shape.",
    )


@check(SECTION, "getitem_back", points=2)
def check_getitem_back(getitem_back) -> None:
    """Ints, negative ints, slices, tuples, integer arrays with repeats, and pairs of index arrays."""
    r = _rng(8)
    cases = [
        ("x (5,), index 2", (r.normal(size=5), 2), {}),
        ("x (5,), index -1", (r.normal(size=5), -1), {}),
        ("x (5,), index slice(1, 4)", (r.normal(size=5), slice(1, 4)), {}),
        ("x (3, 4), index (slice(None), 2)", (r.normal(size=(3, 4)), (slice(None), 2)), {}),
        ("x (2, 3), index (1, -1)", (r.normal(size=(2, 3)), (1, -1)), {}),
        ("x (3, 4), index np.array([0, 2, 0]) (row 0 picked twice)", (r.normal(size=(3, 4)), np.array([0, 2, 0])), {}),
        ("x (3, 4), index np.array([-1, 0])", (r.normal(size=(3, 4)), np.array([-1, 0])), {}),
        ("x (3, 4), index (np.arange(3), np.array([1, 1, 3]))",
         (r.normal(size=(3, 4)), (np.arange(3), np.array([1, 1, 3]))), {}),
        ("x (4, 3), index (np.array([0, 0, 3]), np.array([2, 2, 0])) (entry (0, 2) picked twice)",
         (r.normal(size=(4, 3)), (np.array([0, 0, 3]), np.array([2, 2, 0]))), {}),
    ]
    _compare_back(
        getitem_back, name="getitem_back", numpy_fn=operator.getitem,
        torch_fn=lambda x, index: x[_torch_index(index)], argnum=0, cases=cases,
        hint="start from zeros of x's shape and *add* grad_out at index: np.add.at(grad, index, grad_out). "
        "`grad[index] = grad_out` keeps only the last gradient of an entry picked twice.",
    )


def _maximum_cases(seed: int, which: int) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    r = _rng(seed)

    def ints(*shape: int) -> np.ndarray:  # small integers: many ties
        return r.integers(-2, 3, shape).astype(np.float64)

    cases = [
        ("a (3, 4) and b (3, 4) of small integers (many ties)", (ints(3, 4), ints(3, 4)), {}),
        ("a (3, 1) and b (1, 4) of small integers (broadcast, ties)", (ints(3, 1), ints(1, 4)), {}),
        ("a (4,) and b (3, 4), seed-random (no ties)", (r.normal(size=4), r.normal(size=(3, 4))), {}),
    ]
    relu_input = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    if which == 0:
        cases.append(("ReLU: a = [[-1, 0, 2], [0, 3, -0.5]] and b = 0.0, a Python float", (relu_input, 0.0), {}))
    else:
        cases.append(("a = 0.0, a Python float, and b = [[-1, 0, 2], [0, 3, -0.5]]", (0.0, relu_input), {}))
    return cases


def _torch_maximum(a: Any, b: Any) -> torch.Tensor:
    a = a if isinstance(a, torch.Tensor) else torch.tensor(a, dtype=torch.float64)
    b = b if isinstance(b, torch.Tensor) else torch.tensor(b, dtype=torch.float64)
    return torch.maximum(a, b)


_MAXIMUM_HINT = ("the gradient goes to {x} where {x} > {other}, and half of it where they are equal "
                 "(the tie convention in the docstring); then unbroadcast to np.shape({x}).")


@check(SECTION, "maximum_back0", points=2)
def check_maximum_back0(maximum_back0) -> None:
    """Ties (split half and half), broadcasting, and ReLU against the float 0.0."""
    _compare_back(
        maximum_back0, name="maximum_back0", numpy_fn=np.maximum, torch_fn=_torch_maximum, argnum=0,
        cases=_maximum_cases(9, 0), hint=_MAXIMUM_HINT.format(x="a", other="b"),
    )


@check(SECTION, "maximum_back1")
def check_maximum_back1(maximum_back1) -> None:
    """The second argument's gradient: ties, broadcasting, a float first argument."""
    _compare_back(
        maximum_back1, name="maximum_back1", numpy_fn=np.maximum, torch_fn=_torch_maximum, argnum=1,
        cases=_maximum_cases(10, 1), hint=_MAXIMUM_HINT.format(x="b", other="a"),
    )


# ------------------------------------------------------------------------------------------
# Part 2 · the backward pass
# ------------------------------------------------------------------------------------------
def _leaf(shape: tuple[int, ...], seed: int) -> ref.Tensor:
    return ref.Tensor(_rng(seed).normal(size=shape), requires_grad=True)


def _random_dag(seed: int, n_ops: int = 12) -> ref.Tensor:
    """A random graph of elementwise ops over three leaves; operands drawn from all earlier nodes,
    so some nodes are used several times (and some twice by one op)."""
    r = _rng(seed)
    nodes = [_leaf((3,), seed * 10 + i) for i in range(3)]
    for _ in range(n_ops):
        i, j = (int(k) for k in r.integers(0, len(nodes), 2))
        op = int(r.integers(0, 3))
        a, b = nodes[i], nodes[j]
        nodes.append(a + b if op == 0 else a * b if op == 1 else ref.maximum(a, b))
    return nodes[-1] + nodes[-2] * nodes[-3]


def _diamonds(levels: int) -> ref.Tensor:
    """x -> (*0.5, *0.25) -> + -> (*0.5, *0.25) -> + ...: 2**levels paths from the end to x."""
    node = _leaf((2,), 11)
    for _ in range(levels):
        node = node * 0.5 + node * 0.25
    return node


def _topo_graphs() -> list[tuple[str, ref.Tensor]]:
    x = _leaf((3,), 1)
    y = _leaf((3,), 2)
    chain = x
    for _ in range(5):
        chain = (chain * 0.5).exp()
    b, c = x.exp(), x * 2.0
    return [
        ("a single leaf", _leaf((2,), 0)),
        ("a chain of 10 operations", chain),
        ("a diamond: b = exp(x), c = x * 2, d = b * c", b * c),
        ("x used twice by one operation: x * x", x * x),
        ("12 stacked diamonds (4096 paths to the leaf)", _diamonds(12)),
        ("a product of two leaves with a constant: (x * y) + 1", x * y + 1.0),
        ("a random graph, seed 0", _random_dag(0)),
        ("a random graph, seed 1", _random_dag(1, n_ops=20)),
    ]


def _reachable(node: ref.Tensor) -> dict[int, ref.Tensor]:
    found: dict[int, ref.Tensor] = {}
    todo = [node]
    while todo:
        t = todo.pop()
        if id(t) in found:
            continue
        found[id(t)] = t
        if t.recipe is not None:
            todo.extend(t.recipe.parents.values())
    return found


@check(SECTION, "topological_sort", points=2)
def check_topological_sort(topological_sort) -> None:
    """Every node once, the given node last, every node after its parents: chains, diamonds, reuse, random graphs."""
    for context, end in _topo_graphs():
        order = call(topological_sort, end, name="topological_sort", context=context)
        if not isinstance(order, list):
            raise CheckFailed(f"For {context}: expected a list of tensors, got {type(order).__name__}.")
        expected = _reachable(end)
        ids = [id(t) for t in order]
        if len(ids) != len(set(ids)):
            raise CheckFailed(
                f"For {context}: a tensor appears {max(ids.count(i) for i in ids)} times in your order "
                f"({len(ids)} entries for {len(expected)} tensors). Hint: keep a set of the tensors already "
                "visited and skip them — a node reached by two paths is still one node."
            )
        if set(ids) != set(expected):
            missing, extra = len(set(expected) - set(ids)), len(set(ids) - set(expected))
            raise CheckFailed(
                f"For {context}: your order should hold exactly the {len(expected)} tensors the end node "
                f"was computed from (itself included); {missing} are missing and {extra} are not in the graph. "
                "Hint: follow node.recipe.parents.values() from the end node, and return the tensors themselves."
            )
        position = {i: k for k, i in enumerate(ids)}
        for t in order:
            for parent in (t.recipe.parents.values() if t.recipe is not None else ()):
                if position[id(parent)] > position[id(t)]:
                    raise CheckFailed(
                        f"For {context}: a tensor at position {position[id(t)]} comes before its parent "
                        f"(at position {position[id(parent)]}). Hint: every tensor must come after all the "
                        "tensors it was computed from — append a node only after visiting its parents "
                        "(post-order), so the end node is last."
                    )
        if order[-1] is not end:
            raise CheckFailed(f"For {context}: the end node should be last in the order.")


def _torch_leaf(t: ref.Tensor) -> torch.Tensor:
    return torch.tensor(t.array, dtype=torch.float64, requires_grad=True)


def _twin_random_graph(seed: int) -> tuple[ref.Tensor, torch.Tensor, list[tuple[ref.Tensor, torch.Tensor]]]:
    """The same random graph in the reference engine and in torch; leaves broadcast both ways."""
    r = _rng(seed)
    shapes = [(3, 4), (4,), (3, 1), (1, 4)]
    leaves = [(_leaf(s, seed * 10 + k), None) for k, s in enumerate(shapes)]
    leaves = [(ours, _torch_leaf(ours)) for ours, _ in leaves]
    nodes = list(leaves)
    for _ in range(10):
        (a, at), (b, bt) = (nodes[int(k)] for k in r.integers(0, len(nodes), 2))
        op = int(r.integers(0, 5))
        if op == 0:
            nodes.append((a + b, at + bt))
        elif op == 1:
            nodes.append((a * b, at * bt))
        elif op == 2:
            nodes.append((a - b, at - bt))
        elif op == 3:
            nodes.append((ref.maximum(a, b), torch.maximum(at, bt)))
        else:
            nodes.append(((a * a + 1.0).log(), (at * at + 1.0).log()))
    (e1, t1), (e2, t2) = nodes[-1], nodes[-2]
    return (e1 * e2).sum(), (t1 * t2).sum(), leaves


def _expect_grads(pairs: list[tuple[ref.Tensor, torch.Tensor]], context: str, hint: str) -> None:
    for k, (ours, theirs) in enumerate(pairs):
        leaf = f"{context}, leaf #{k} of shape {ours.shape}"
        if theirs.grad is None:
            if ours.grad is not None:
                raise CheckFailed(f"For {leaf}: this leaf is not in the graph, so its grad should stay None.")
            continue
        if ours.grad is None:
            raise CheckFailed(f"For {leaf}: grad is None, but the leaf is in the graph. Hint: {hint}")
        expect_tensor(_as_tensor(ours.grad, leaf, hint), theirs.grad, context=leaf, hint=hint,
                      check_dtype=False, atol=1e-8, rtol=1e-6)


_BACKPROP_HINT = ("walk reversed(topological_sort(end_node)); sum the gradients that reach a node by "
                  "several paths; add a leaf's gradient into leaf.grad (leaf.grad + g, not =).")


def _run_backprop(backprop: Any, end: ref.Tensor, end_grad: Any, context: str) -> None:
    saved = None if end_grad is None else np.array(end_grad)
    call(backprop, end, end_grad, back_funcs=ref.BACK_FUNCS, name="backprop", context=context)
    if saved is not None and not np.array_equal(saved, end_grad):
        raise CheckFailed(
            f"For {context}: backprop changed the end_grad array it was given. Hint: add gradients "
            "with `old + new`, never `+=`: an array may be shared (a backward function may return its input)."
        )


@check(SECTION, "backprop", points=3)
def check_backprop(backprop) -> None:
    """Against torch: reuse, diamonds, broadcasting both ways, keepdims sums, indexing, matmul, batch 1, random graphs."""
    # x used twice, a diamond, and broadcasting in both directions
    x = _leaf((3, 4), 20)
    xt = _torch_leaf(x)
    _run_backprop(backprop, (x * x).sum(), None, "sum(x * x), x used twice")
    (xt * xt).sum().backward()
    _expect_grads([(x, xt)], "sum(x * x), x used twice", _BACKPROP_HINT)

    a, b = _leaf((3, 1), 21), _leaf((4,), 22)
    at, bt = _torch_leaf(a), _torch_leaf(b)
    d = (a * 0.5).exp() * (a + b)
    _run_backprop(backprop, d.sum(axis=1, keepdims=True).sum(), None, "a diamond over a (3, 1) and b (4,) with a keepdims sum")
    ((at * 0.5).exp() * (at + bt)).sum(dim=1, keepdim=True).sum().backward()
    _expect_grads([(a, at), (b, bt)], "a diamond over a (3, 1) and b (4,) with a keepdims sum", _BACKPROP_HINT)

    # a one-example MLP layer: matmul, relu, indexing with a repeated index and a negative one
    x1, w = _leaf((1, 4), 23), _leaf((4, 3), 24)
    x1t, wt = _torch_leaf(x1), _torch_leaf(w)
    h = (x1 @ w).relu()
    idx = (np.array([0, 0, 0]), np.array([2, -1, 0]))
    _run_backprop(backprop, h[idx].sum() + (x1 * 2.0).sum(), None, "relu(x @ w)[0, [2, -1, 0]] with batch 1")
    ht = torch.maximum(x1t @ wt, torch.tensor(0.0, dtype=torch.float64))
    (ht[torch.tensor([0, 0, 0]), torch.tensor([2, -1, 0])].sum() + (x1t * 2.0).sum()).backward()
    _expect_grads([(x1, x1t), (w, wt)], "relu(x @ w)[0, [2, -1, 0]] with batch 1", _BACKPROP_HINT)

    # gradient arrays shared between nodes: addition's backward passes its input through
    x2 = _leaf((2, 3), 28)
    x2t = _torch_leaf(x2)
    a2, b2 = x2 * 2.0, x2 * 3.0
    context = "a = x * 2, b = x * 3, c = a + b, d = c + a (gradients that share memory)"
    _run_backprop(backprop, ((a2 + b2) + a2).sum(), None, context)
    a2t, b2t = x2t * 2.0, x2t * 3.0
    ((a2t + b2t) + a2t).sum().backward()
    _expect_grads([(x2, x2t)], context, _BACKPROP_HINT + " Add with `old + new`, never `+=`: the "
                  "arrays in flight may be the same array (addition's backward returns its input).")

    # a non-scalar end node with an explicit end_grad
    p, q = _leaf((2, 3), 25), _leaf((3,), 26)
    pt, qt = _torch_leaf(p), _torch_leaf(q)
    g = _rng(27).normal(size=(2, 3))
    _run_backprop(backprop, p * q - q, g, "p * q - q with an explicit end_grad of shape (2, 3)")
    ((pt * qt - qt) * torch.from_numpy(g)).sum().backward()
    _expect_grads([(p, pt), (q, qt)], "p * q - q with an explicit end_grad of shape (2, 3)", _BACKPROP_HINT)

    # random graphs
    for seed in range(4):
        end, end_t, leaves = _twin_random_graph(seed)
        _run_backprop(backprop, end, None, f"a random graph, seed {seed}")
        end_t.backward()
        _expect_grads(leaves, f"a random graph, seed {seed}", _BACKPROP_HINT)


@check(SECTION, "backprop", points=2)
def check_backprop_accumulates(backprop) -> None:
    """.grad accumulates across calls and onto an existing grad; non-leaves, constants and a scalar seed."""
    x = _leaf((2, 2), 30)
    y = x.exp()
    context = "two calls of backprop on sum(x * 3) and sum(x * x)"
    _run_backprop(backprop, (x * 3.0).sum(), None, context)
    _run_backprop(backprop, (x * x).sum(), None, context)
    expected = 3.0 + 2 * x.array
    hint = ("a leaf's .grad accumulates: the second call adds to the first (that is why training calls "
            "zero_grad). Use leaf.grad = leaf.grad + g when leaf.grad is not None.")
    expect_tensor(_as_tensor(x.grad, context, hint), torch.from_numpy(expected), context=context, hint=hint,
                  check_dtype=False)

    z = _leaf((3,), 31)
    z.grad = np.ones(3)
    context = "sum(z * 2) with z.grad already ones"
    _run_backprop(backprop, (z * 2.0).sum(), None, context)
    expect_tensor(_as_tensor(z.grad, context, hint), torch.full((3,), 3.0, dtype=torch.float64), context=context,
                  hint=hint, check_dtype=False)

    context = "sum(exp(x)): the intermediate exp(x) is not a leaf"
    x.grad = None
    _run_backprop(backprop, y.sum(), None, context)
    if y.grad is not None:
        raise CheckFailed(
            f"For {context}: the intermediate tensor got a .grad. As in PyTorch, only leaves keep "
            "their gradient; keep the gradients in flight in a dictionary of your own."
        )
    expect_tensor(_as_tensor(x.grad, context, hint), torch.from_numpy(np.exp(x.array)), context=context,
                  hint="the end node's gradient is seeded with ones when end_grad is None.", check_dtype=False)

    leaf = _leaf((3,), 33)
    g = np.array([1.0, -2.0, 0.5])
    context = "backprop on a leaf itself, twice, with the same end_grad array"
    _run_backprop(backprop, leaf, g, context)
    _run_backprop(backprop, leaf, g, context)
    expect_tensor(_as_tensor(leaf.grad, context, hint), torch.from_numpy(2 * g), context=context, hint=hint,
                  check_dtype=False)

    c = ref.Tensor(np.array([1.0, 2.0]))  # a constant: requires_grad False
    w = _leaf((2,), 32)
    context = "sum(c * w) with a constant c"
    _run_backprop(backprop, (c * w).sum(), None, context)
    if c.grad is not None:
        raise CheckFailed(f"For {context}: the constant c (requires_grad=False) got a grad; it should stay None.")
    expect_tensor(_as_tensor(w.grad, context, hint), torch.tensor([1.0, 2.0], dtype=torch.float64),
                  context=context, hint=hint, check_dtype=False)


class _Boom(Exception):
    pass


@check(SECTION, "no_grad", points=2)
def check_no_grad(no_grad) -> None:
    """Off inside, restored after; nesting; a block that starts disabled; an exception; real operations."""
    mode = ref.GradMode(True)

    def enter(context: str) -> Any:
        manager = call(no_grad, mode, name="no_grad", context=context)
        if not hasattr(manager, "__enter__") or not hasattr(manager, "__exit__"):
            raise CheckFailed(
                f"For {context}: no_grad(mode) should return a context manager (usable in `with`), got "
                f"{type(manager).__name__}. Hint: decorate a generator with @contextlib.contextmanager."
            )
        return manager

    context = "one `with no_grad(mode)` block, mode.enabled True before"
    with enter(context):
        if mode.enabled:
            raise CheckFailed(f"For {context}: mode.enabled is still True inside the block. Set it to False.")
    if not mode.enabled:
        raise CheckFailed(f"For {context}: mode.enabled is False after the block. Restore it on exit.")

    context = "two nested `with no_grad(mode)` blocks"
    with enter(context):
        with enter(context):
            pass
        if mode.enabled:
            raise CheckFailed(
                f"For {context}: leaving the inner block turned recording back on inside the outer one. "
                "Hint: on exit restore the value mode.enabled had on entry, not True."
            )
    if not mode.enabled:
        raise CheckFailed(f"For {context}: mode.enabled is False after both blocks ended.")

    context = "`with no_grad(mode)` when mode.enabled is already False"
    mode.enabled = False
    with enter(context):
        pass
    if mode.enabled:
        raise CheckFailed(f"For {context}: recording was off before the block and is on after it. "
                          "Hint: restore the saved value, not True.")
    mode.enabled = True

    context = "a `with no_grad(mode)` block that raises an exception"
    raised = False
    try:
        with enter(context):
            raise _Boom
    except _Boom:
        raised = True
    if not raised:
        raise CheckFailed(f"For {context}: the exception did not propagate out of the block; do not swallow it.")
    if not mode.enabled:
        raise CheckFailed(
            f"For {context}: recording stayed off after the exception. Hint: restore the state in a "
            "`finally:` clause around the `yield`, so it runs however the block ends."
        )

    context = "operations inside `with no_grad(GRAD_MODE)`"
    w = _leaf((2,), 40)
    previous = ref.GRAD_MODE.enabled
    try:
        with call(no_grad, ref.GRAD_MODE, name="no_grad", context=context):
            y = w * 3.0
    finally:
        ref.GRAD_MODE.enabled = previous
    if y.recipe is not None:
        raise CheckFailed(f"For {context}: an operation recorded a recipe. Set mode.enabled = False on entry.")


# ------------------------------------------------------------------------------------------
# Part 3 · modules, loss and training
# ------------------------------------------------------------------------------------------
@check(SECTION, "Module", points=2)
def check_module(Module) -> None:
    """Parameters in attribute order, recursively, each once; non-parameters ignored; __call__."""
    ns = _namespace(Module)
    param_cls = ns.get("Parameter", ref.Parameter)
    tensor_cls = ns.get("Tensor", ref.Tensor)

    class Leafy(Module):  # type: ignore[misc, valid-type]
        def __init__(self, seed: int) -> None:
            self.w = param_cls(_rng(seed).normal(size=(2, 3)))
            self.n_features = 3
            self.buffer = tensor_cls(np.ones(3))  # a plain tensor, not a parameter
            self.table = np.zeros(4)
            self.b = param_cls(np.zeros(3))

    class Nested(Module):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.first = Leafy(1)
            self.scale = param_cls(np.ones(1))
            self.second = Leafy(2)

    class Shared(Module):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.encoder = Leafy(3)
            self.decoder = Leafy(4)
            self.decoder.w = self.encoder.w  # tied weights
            self.again = self.encoder  # the same submodule twice

    class Deep(Module):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.inner = Nested()
            self.out = param_cls(np.ones(2))

    class Empty(Module):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            self.rate = 0.5

    def expect(module: Any, expected: list[Any], context: str, hint: str) -> None:
        got = call(module.parameters, name="Module.parameters", context=context)
        if not isinstance(got, list | tuple):
            raise CheckFailed(f"For {context}: parameters() should return a list, got {type(got).__name__}.")
        names = {id(p): n for n, p in expected_names(module)}
        if len(got) != len(expected) or any(g is not e for g, e in zip(got, expected, strict=False)):
            shown = [names.get(id(p), type(p).__name__) for p in got]
            wanted = [names[id(p)] for p in expected]
            raise CheckFailed(f"For {context}: expected the parameters {wanted}, in that order; got {shown}. "
                              f"Hint: {hint}")

    def expected_names(module: Any, prefix: str = "") -> list[tuple[str, Any]]:
        out = []
        for key, value in vars(module).items():
            if isinstance(value, param_cls):
                out.append((prefix + key, value))
            elif isinstance(value, Module):
                out += expected_names(value, prefix + key + ".")
        return out

    leafy = Leafy(0)
    expect(leafy, [leafy.w, leafy.b], "a module with parameters w and b, a number, an array and a plain tensor",
           "collect the attributes that are Parameters, in the order they were set, and nothing else.")
    nested = Nested()
    expect(nested, [nested.first.w, nested.first.b, nested.scale, nested.second.w, nested.second.b],
           "a module holding two submodules and a parameter between them",
           "recurse into Module attributes, depth first, at their position among the attributes.")
    deep = Deep()
    inner = deep.inner
    expect(deep, [inner.first.w, inner.first.b, inner.scale, inner.second.w, inner.second.b, deep.out],
           "three levels of nesting", "recurse at every level, not just one.")
    shared = Shared()
    expect(shared, [shared.encoder.w, shared.encoder.b, shared.decoder.b],
           "a tied weight shared by two submodules, and one submodule held twice",
           "a parameter reached twice must be listed once (else an optimiser updates it twice): "
           "keep a set of the ids already collected.")
    expect(Empty(), [], "a module without parameters", "return an empty list.")

    class Doubler(Module):  # type: ignore[misc, valid-type]
        def forward(self, x: Any) -> Any:
            return 2 * x

    got = call(Doubler(), 21, name="Module.__call__", context="calling a module whose forward doubles")
    if got != 42:
        raise CheckFailed("calling a module should return module.forward(...) — keep `__call__` as given.")


def _weight_class_tensor(layer: Any, context: str) -> type:
    weight = getattr(layer, "weight", None)
    for cls in type(weight).__mro__:
        if cls.__name__ == "Tensor":
            return cls
    raise CheckFailed(f"For {context}: layer.weight should be a Parameter (a Tensor), got {type(weight).__name__}.")


@check(SECTION, "Linear", points=2)
def check_linear(Linear) -> None:
    """Shapes, Parameters, the ±1/√in uniform initialisation, the rng, bias=False, forward on square and batch-1 inputs."""
    context = "Linear(5, 3, rng=np.random.default_rng(0))"
    layer = call(Linear, 5, 3, rng=np.random.default_rng(0), name="Linear", context=context)
    _weight_class_tensor(layer, context)
    for attr, shape in (("weight", (3, 5)), ("bias", (3,))):
        p = getattr(layer, attr, None)
        if p is None or getattr(p, "shape", None) != shape:
            raise CheckFailed(f"For {context}: layer.{attr} should have shape {shape}, got "
                              f"{getattr(p, 'shape', p)}. Hint: the weight is (out_features, in_features), as in PyTorch.")
        if not getattr(p, "requires_grad", False) or getattr(p, "recipe", "x") is not None:
            raise CheckFailed(f"For {context}: layer.{attr} should be a Parameter: a leaf that requires gradients.")

    context = "Linear(200, 100, rng=np.random.default_rng(1)), the weights' distribution"
    big = call(Linear, 200, 100, rng=np.random.default_rng(1), name="Linear", context=context)
    k = 1 / np.sqrt(200)
    for attr in ("weight", "bias"):
        values = np.asarray(getattr(big, attr).array)
        if np.abs(values).max() > k + 1e-12:
            raise CheckFailed(f"For {context}: a {attr} value {np.abs(values).max():.4f} lies outside ±1/sqrt(200) = "
                              f"±{k:.4f}. Hint: draw uniformly from [-k, k] with k = 1 / sqrt(in_features).")
    w = np.asarray(big.weight.array)
    if abs(w.mean()) > 0.1 * k or abs(w.std() - k / np.sqrt(3)) > 0.1 * k / np.sqrt(3):
        raise CheckFailed(
            f"For {context}: the weights have mean {w.mean():.4f} and standard deviation {w.std():.4f}; "
            f"uniform on [-k, k] would give 0 and {k / np.sqrt(3):.4f}. Hint: rng.uniform(-k, k, shape)."
        )

    context = "two layers Linear(4, 3, rng=np.random.default_rng(7))"
    one = call(Linear, 4, 3, rng=np.random.default_rng(7), name="Linear", context=context)
    two = call(Linear, 4, 3, rng=np.random.default_rng(7), name="Linear", context=context)
    if not np.array_equal(one.weight.array, two.weight.array):
        raise CheckFailed(f"For {context}: the same rng seed gave different weights. Hint: draw from `rng`, "
                          "not from np.random's global state.")

    context = "Linear(4, 2, bias=False)"
    nobias = call(Linear, 4, 2, bias=False, rng=np.random.default_rng(2), name="Linear", context=context)
    if getattr(nobias, "bias", "missing") is not None:
        raise CheckFailed(f"For {context}: layer.bias should be None.")

    for context, (n_in, n_out, batch, bias) in {
        "Linear(5, 3) on x (2, 5)": (5, 3, 2, True),
        "a square Linear(4, 4) on x (4, 4)": (4, 4, 4, True),
        "Linear(3, 2) on x (1, 3) (batch 1)": (3, 2, 1, True),
        "Linear(4, 2, bias=False) on x (3, 4)": (4, 2, 3, False),
    }.items():
        layer = call(Linear, n_in, n_out, bias=bias, rng=np.random.default_rng(3), name="Linear", context=context)
        tensor_cls = _weight_class_tensor(layer, context)
        x = _rng(4).normal(size=(batch, n_in))
        out = call(layer.forward, tensor_cls(x), name="Linear.forward", context=context)
        expected = x @ layer.weight.array.T + (layer.bias.array if bias else 0.0)
        if not hasattr(out, "array"):
            raise CheckFailed(f"For {context}: forward should return a Tensor, got {type(out).__name__}.")
        expect_tensor(_as_tensor(out.array, context, ""), torch.from_numpy(expected), context=context,
                      check_dtype=False, hint="y = x @ weight.T + bias: the weight is (out, in), so it is transposed.")
        if out.recipe is None:
            raise CheckFailed(f"For {context}: the output has no recipe, so no gradient can reach the weights. "
                              "Hint: compute it with tensor operations on the Parameters, not on their arrays.")


def _ce_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    r = _rng(50)
    return [
        ("logits (4, 5), seed 50", r.normal(size=(4, 5)), np.array([0, 4, 2, 2])),
        ("logits (1, 3) (batch 1)", r.normal(size=(1, 3)), np.array([1])),
        ("logits (3, 4) of size ~1000 (overflow without the shift)", 1000 * r.normal(size=(3, 4)), np.array([3, 0, 1])),
        ("logits (6, 2), two classes", r.normal(size=(6, 2)), np.array([0, 1, 1, 1, 0, 1])),
    ]


@check(SECTION, "cross_entropy", points=2)
def check_cross_entropy(cross_entropy) -> None:
    """Value and gradient against torch's cross_entropy: batch 1, large logits, two classes."""
    tensor_cls = _tensor_class(cross_entropy)
    hint = ("subtract each row's max (a plain array), then log_probs = z - log(sum(exp(z), axis=-1, "
            "keepdims=True)); pick log_probs[np.arange(n), targets]; return minus their mean.")
    for context, logits, targets in _ce_cases():
        x = tensor_cls(logits, requires_grad=True)
        loss = call(cross_entropy, x, targets, name="cross_entropy", context=context)
        if not hasattr(loss, "array") or not hasattr(loss, "recipe"):
            raise CheckFailed(f"For {context}: expected a Tensor, got {type(loss).__name__}.")
        lt = torch.tensor(logits, requires_grad=True)
        expected = torch.nn.functional.cross_entropy(lt, torch.from_numpy(targets))
        expect_tensor(_as_tensor(loss.array, context, hint), expected.detach(), context=context, hint=hint,
                      check_dtype=False, atol=1e-9, rtol=1e-7)
        if loss.recipe is None:
            raise CheckFailed(f"For {context}: the loss has no recipe, so it cannot be backpropagated. Hint: build "
                              "it from the logits' tensor operations, not from logits.array.")
        ref.backprop(loss, back_funcs=ref.BACK_FUNCS)
        expected.backward()
        grad_context = f"{context}, the gradient of the loss for the logits"
        if x.grad is None:
            raise CheckFailed(f"For {grad_context}: no gradient reached the logits. Hint: {hint}")
        expect_tensor(_as_tensor(x.grad, grad_context, hint), lt.grad, context=grad_context, hint=hint,
                      check_dtype=False, atol=1e-9, rtol=1e-6)


@check(SECTION, "SGD", points=2)
def check_sgd(SGD) -> None:
    """step uses lr and skips missing grads; zero_grad sets None; a generator of params still works twice."""
    def params(seed: int) -> list[ref.Parameter]:
        ps = [ref.Parameter(_rng(seed).normal(size=(2, 3))), ref.Parameter(_rng(seed + 1).normal(size=3)),
              ref.Parameter(_rng(seed + 2).normal(size=2))]
        ps[0].grad = _rng(seed + 3).normal(size=(2, 3))
        ps[1].grad = _rng(seed + 4).normal(size=3)
        return ps  # the last has no gradient

    context = "three parameters (the last without a grad), lr=0.5, one step"
    ps = params(60)
    before = [p.array.copy() for p in ps]
    grads = [None if p.grad is None else p.grad.copy() for p in ps]
    opt = call(SGD, ps, lr=0.5, name="SGD", context=context)
    call(opt.step, name="SGD.step", context=context)
    for k, (p, old, g) in enumerate(zip(ps, before, grads, strict=True)):
        expected = old if g is None else old - 0.5 * g
        expect_tensor(_as_tensor(p.array, context, ""), torch.from_numpy(expected), context=f"{context}, parameter #{k}",
                      check_dtype=False, hint="p.array - lr * p.grad for each parameter with a grad; skip grad None.")
        if g is not None and not np.array_equal(p.grad, g):
            raise CheckFailed(f"For {context}: step changed parameter #{k}'s grad; only p.array should change.")

    context = "parameters given as a generator, lr=0.1, two steps"
    ps = params(70)
    before = [p.array.copy() for p in ps]
    opt = call(SGD, (p for p in ps), 0.1, name="SGD", context=context)
    call(opt.step, name="SGD.step", context=context)
    call(opt.step, name="SGD.step", context=context)
    expected = before[0] - 0.2 * ps[0].grad
    expect_tensor(_as_tensor(ps[0].array, context, ""), torch.from_numpy(expected), context=context,
                  check_dtype=False, hint="a generator can be iterated once: store list(params) in __init__.")

    context = "zero_grad after a step"
    call(opt.zero_grad, name="SGD.zero_grad", context=context)
    if any(p.grad is not None for p in ps):
        raise CheckFailed(f"For {context}: every parameter's grad should be None afterwards (as torch's "
                          "zero_grad does by default), not an array of zeros.")
