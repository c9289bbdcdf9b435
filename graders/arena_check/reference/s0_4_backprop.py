"""GENERATED from book/0_fundamentals/0.4_backprop.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import contextlib
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from jaxtyping import Float, Int

import arena_check

Arr = np.ndarray


@dataclass
class Recipe:
    """How a tensor was computed: ``func(*args, **kwargs)`` on plain arrays.

    ``parents`` maps the position of each argument that was a tensor requiring
    gradients to that tensor: the edges of the computational graph.
    """

    func: Callable[..., Arr]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    parents: dict[int, "Tensor"]


@dataclass
class GradMode:
    """Whether operations record their recipes (``no_grad`` switches it off)."""

    enabled: bool = True


GRAD_MODE = GradMode()


class Tensor:
    """A NumPy array, plus what backpropagation needs: a recipe and a gradient."""

    __array_ufunc__ = None  # `array * tensor` calls Tensor.__rmul__, not NumPy

    def __init__(self, array: Any, requires_grad: bool = False) -> None:
        array = np.asarray(array)
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
        self.array: Arr = array
        self.requires_grad = requires_grad
        self.grad: Arr | None = None
        self.recipe: Recipe | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def is_leaf(self) -> bool:
        return self.recipe is None

    def __repr__(self) -> str:
        return f"Tensor({self.array!r}, requires_grad={self.requires_grad})"

    def item(self) -> float:
        return float(self.array)

    def __add__(self, other): return add(self, other)
    def __radd__(self, other): return add(other, self)
    def __sub__(self, other): return subtract(self, other)
    def __rsub__(self, other): return subtract(other, self)
    def __mul__(self, other): return multiply(self, other)
    def __rmul__(self, other): return multiply(other, self)
    def __truediv__(self, other): return divide(self, other)
    def __rtruediv__(self, other): return divide(other, self)
    def __neg__(self): return negative(self)
    def __matmul__(self, other): return matmul(self, other)
    def __rmatmul__(self, other): return matmul(other, self)
    def __getitem__(self, index): return getitem(self, index)

    @property
    def T(self) -> "Tensor":
        return swapaxes(self, -1, -2)

    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        return tensor_sum(self, axis=axis, keepdims=keepdims)

    def exp(self) -> "Tensor":
        return exp(self)

    def log(self) -> "Tensor":
        return log(self)

    def relu(self) -> "Tensor":
        return maximum(self, 0.0)

    def backward(self, end_grad: Arr | None = None) -> None:
        backprop(self, end_grad)


def wrap_forward(numpy_func: Callable[..., Arr]) -> Callable[..., Tensor]:
    """An operation on tensors that computes ``numpy_func`` on their arrays and,
    while ``GRAD_MODE.enabled``, records a ``Recipe`` when any input requires
    gradients."""

    def forward(*args: Any, **kwargs: Any) -> Tensor:
        arrays = tuple(a.array if isinstance(a, Tensor) else a for a in args)
        out = Tensor(numpy_func(*arrays, **kwargs))
        parents = {
            i: a for i, a in enumerate(args)
            if isinstance(a, Tensor) and a.requires_grad
        }
        if parents and GRAD_MODE.enabled:
            out.requires_grad = True
            out.recipe = Recipe(numpy_func, arrays, kwargs, parents)
        return out

    forward.__name__ = getattr(numpy_func, "__name__", "op")
    return forward


add = wrap_forward(np.add)
subtract = wrap_forward(np.subtract)
multiply = wrap_forward(np.multiply)
divide = wrap_forward(np.true_divide)
negative = wrap_forward(np.negative)
matmul = wrap_forward(np.matmul)
exp = wrap_forward(np.exp)
log = wrap_forward(np.log)
maximum = wrap_forward(np.maximum)
tensor_sum = wrap_forward(np.sum)
getitem = wrap_forward(operator.getitem)
swapaxes = wrap_forward(np.swapaxes)

#: BACK_FUNCS[numpy_func][i] computes the gradient for argument i of numpy_func.
BACK_FUNCS: dict[Callable[..., Arr], dict[int, Callable[..., Arr]]] = {}


def log_back(grad_out: Arr, out: Arr, x: Arr) -> Arr:
    """Gradient for the input of ``out = np.log(x)``.

    ``grad_out`` has the shape of ``out`` (and of ``x``); the result has the
    shape of ``x``. Do not modify ``grad_out`` in place: the engine may pass
    the same array to several backward functions.
    """
    return grad_out / x


BACK_FUNCS[np.log] = {0: log_back}


def exp_back(grad_out: Arr, out: Arr, x: Arr) -> Arr:
    """Gradient for the input of ``out = np.exp(x)``: reuse ``out``."""
    return grad_out * out


BACK_FUNCS[np.exp] = {0: exp_back}


def unbroadcast(grad: Arr, shape: tuple[int, ...]) -> Arr:
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting.

    ``shape`` broadcasts to ``grad.shape``. Sum over the leading axes that
    broadcasting prepended, then over every axis where ``shape`` has size 1
    (keeping that axis). Returns an array of exactly ``shape`` (``()`` for a
    scalar); ``grad`` itself is not modified.
    """
    extra = grad.ndim - len(shape)
    out = grad.sum(axis=tuple(range(extra))) if extra else grad
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1)
    if stretched:
        out = out.sum(axis=stretched, keepdims=True)
    return np.asarray(out).reshape(shape)


def multiply_back0(grad_out: Arr, out: Arr, a: Arr | float, b: Arr | float) -> Arr:
    """Gradient for ``a`` in ``out = np.multiply(a, b)``; shape ``np.shape(a)``.

    ``a`` and ``b`` broadcast against each other; either may be a Python float.
    """
    return unbroadcast(grad_out * b, np.shape(a))


def multiply_back1(grad_out: Arr, out: Arr, a: Arr | float, b: Arr | float) -> Arr:
    """Gradient for ``b`` in ``out = np.multiply(a, b)``; shape ``np.shape(b)``."""
    return unbroadcast(grad_out * a, np.shape(b))


def _divide_back1(grad_out, out, a, b):
    return unbroadcast(-grad_out * a / (np.asarray(b) ** 2), np.shape(b))


def _register_elementwise() -> None:
    """Register the backward functions this page gives you (built on unbroadcast)."""
    BACK_FUNCS[np.add] = {
        0: lambda g, out, a, b: unbroadcast(g, np.shape(a)),
        1: lambda g, out, a, b: unbroadcast(g, np.shape(b)),
    }
    BACK_FUNCS[np.subtract] = {
        0: lambda g, out, a, b: unbroadcast(g, np.shape(a)),
        1: lambda g, out, a, b: unbroadcast(-g, np.shape(b)),
    }
    BACK_FUNCS[np.negative] = {0: lambda g, out, x: -g}
    BACK_FUNCS[np.true_divide] = {
        0: lambda g, out, a, b: unbroadcast(g / b, np.shape(a)),
        1: _divide_back1,
    }
    BACK_FUNCS[np.swapaxes] = {0: lambda g, out, x, a1, a2: np.swapaxes(g, a1, a2)}
    BACK_FUNCS[np.multiply] = {0: multiply_back0, 1: multiply_back1}


_register_elementwise()


def sum_back(
    grad_out: Arr, out: Arr, x: Arr, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Arr:
    """Gradient for ``x`` in ``out = np.sum(x, axis=axis, keepdims=keepdims)``.

    ``axis`` is None (all axes), an int or a tuple of ints, possibly negative.
    Returns a new, writable array of ``x.shape``.
    """
    if axis is None:
        axis = tuple(range(x.ndim))
    if not keepdims:
        grad_out = np.expand_dims(grad_out, axis)
    return np.array(np.broadcast_to(grad_out, x.shape))


BACK_FUNCS[np.sum] = {0: sum_back}


def matmul_back0(grad_out: Arr, out: Arr, a: Arr, b: Arr) -> Arr:
    """Gradient for ``a`` in ``out = np.matmul(a, b)``.

    ``a`` and ``b`` have at least 2 axes; leading (batch) axes broadcast as in
    ``np.matmul``. Returns an array of ``a.shape``.
    """
    return unbroadcast(grad_out @ np.swapaxes(b, -1, -2), a.shape)


def matmul_back1(grad_out: Arr, out: Arr, a: Arr, b: Arr) -> Arr:
    """Gradient for ``b`` in ``out = np.matmul(a, b)``; an array of ``b.shape``."""
    return unbroadcast(np.swapaxes(a, -1, -2) @ grad_out, b.shape)


BACK_FUNCS[np.matmul] = {0: matmul_back0, 1: matmul_back1}


def getitem_back(grad_out: Arr, out: Arr, x: Arr, index: Any) -> Arr:
    """Gradient for ``x`` in ``out = x[index]``: ``grad_out`` scattered back.

    ``index`` is anything NumPy accepts (int, slice, tuple, integer arrays);
    entries picked several times receive the sum of their gradients.
    Returns an array of ``x.shape``, zero where nothing was picked.
    """
    grad = np.zeros_like(x, dtype=np.result_type(x, grad_out))
    np.add.at(grad, index, grad_out)
    return grad


BACK_FUNCS[operator.getitem] = {0: getitem_back}


def maximum_back0(grad_out: Arr, out: Arr, a: Arr | float, b: Arr | float) -> Arr:
    """Gradient for ``a`` in ``out = np.maximum(a, b)``; shape ``np.shape(a)``.

    All of ``grad_out`` where ``a > b``, none where ``a < b``, and half where
    ``a == b`` (a tie splits the gradient equally, as in ``torch.maximum``).
    ``a`` and ``b`` broadcast; either may be a Python float.
    """
    weight = (a > b) + 0.5 * (a == b)
    return unbroadcast(grad_out * weight, np.shape(a))


def maximum_back1(grad_out: Arr, out: Arr, a: Arr | float, b: Arr | float) -> Arr:
    """Gradient for ``b`` in ``out = np.maximum(a, b)``: the mirror image of
    ``maximum_back0`` (half of ``grad_out`` at ties); shape ``np.shape(b)``."""
    weight = (b > a) + 0.5 * (a == b)
    return unbroadcast(grad_out * weight, np.shape(b))


BACK_FUNCS[np.maximum] = {0: maximum_back0, 1: maximum_back1}


def topological_sort(node: Tensor) -> list[Tensor]:
    """Every tensor ``node`` was computed from, and ``node`` itself, each once.

    Follows ``recipe.parents`` (leaves have no recipe). Each tensor comes after
    all of its parents, so ``node`` is last. Returns a list of the tensors
    themselves (not copies).
    """
    order: list[Tensor] = []
    seen: set[int] = set()

    def visit(t: Tensor) -> None:
        seen.add(id(t))
        if t.recipe is not None:
            for parent in t.recipe.parents.values():
                if id(parent) not in seen:
                    visit(parent)
        order.append(t)

    visit(node)
    return order


def backprop(
    end_node: Tensor,
    end_grad: Arr | None = None,
    back_funcs: dict[Callable[..., Arr], dict[int, Callable[..., Arr]]] = BACK_FUNCS,
) -> None:
    """Accumulate d(end_node)/d(leaf), weighted by ``end_grad``, into ``leaf.grad``.

    ``end_grad`` has ``end_node``'s shape; None means ones, and is allowed only
    when ``end_node`` holds a single number. Every leaf with
    ``requires_grad`` in the graph gets ``leaf.grad = leaf.grad + gradient``
    (or the gradient itself when ``leaf.grad`` is None); gradients from several
    paths are summed. ``back_funcs[func][i]`` is the backward function for
    argument ``i`` of ``func``. Non-leaf tensors keep ``grad = None``.
    """
    if end_grad is None:
        if end_node.array.size != 1:
            raise ValueError("end_grad may be omitted only for a single-number output")
        end_grad = np.ones_like(end_node.array)
    grads: dict[int, Arr] = {id(end_node): np.asarray(end_grad, dtype=end_node.array.dtype)}
    for node in reversed(topological_sort(end_node)):
        grad = grads.pop(id(node))
        if node.recipe is None:
            if node.requires_grad:
                node.grad = grad if node.grad is None else node.grad + grad
            continue
        recipe = node.recipe
        for i, parent in recipe.parents.items():
            back = back_funcs[recipe.func][i]
            g = back(grad, node.array, *recipe.args, **recipe.kwargs)
            grads[id(parent)] = grads[id(parent)] + g if id(parent) in grads else g


@contextlib.contextmanager
def no_grad(mode: GradMode = GRAD_MODE) -> Iterator[None]:
    """Inside ``with no_grad():`` operations record no recipes.

    Sets ``mode.enabled = False`` on entry; on exit — also when the block
    raises — restores the value it had on entry (so blocks nest). ``mode`` is a
    parameter only so it can be tested on its own; call it as ``no_grad()``.
    """
    previous = mode.enabled
    mode.enabled = False
    try:
        yield
    finally:
        mode.enabled = previous


class Parameter(Tensor):
    """A leaf tensor that requires gradients: what an optimiser updates."""

    def __init__(self, array: Any) -> None:
        super().__init__(array, requires_grad=True)


class Module:
    """Base class of models: ``module(x)`` calls ``module.forward(x)``."""

    def parameters(self) -> list[Parameter]:
        """Every ``Parameter`` reachable through attributes, each once.

        Attributes are searched in the order they were set; a ``Module``
        attribute is searched recursively, depth first, at its position. Other
        attributes (numbers, arrays, lists) are ignored, as in PyTorch.
        """
        found: list[Parameter] = []
        seen: set[int] = set()
        for value in vars(self).values():
            if isinstance(value, Parameter):
                candidates = [value]
            elif isinstance(value, Module):
                candidates = value.parameters()
            else:
                continue
            for p in candidates:
                if id(p) not in seen:
                    seen.add(id(p))
                    found.append(p)
        return found

    # Given, not an exercise: calling a module runs its `forward` method.
    __call__ = lambda self, *args, **kwargs: self.forward(*args, **kwargs)  # noqa: E731


class Linear(Module):
    """``y = x @ weight.T + bias`` for inputs of shape ``(batch, in_features)``."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True,
        rng: np.random.Generator | None = None,
    ) -> None:
        """``weight``: a ``Parameter`` of shape ``(out_features, in_features)``;
        ``bias``: a ``Parameter`` of shape ``(out_features,)``, or None when
        ``bias=False``. Both drawn uniformly from ``[-k, k]``,
        ``k = 1 / sqrt(in_features)``, with ``rng`` (a fresh default_rng if None).
        """
        rng = np.random.default_rng() if rng is None else rng
        k = 1.0 / np.sqrt(in_features)
        self.weight = Parameter(rng.uniform(-k, k, (out_features, in_features)))
        self.bias = Parameter(rng.uniform(-k, k, (out_features,))) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        """``x`` of shape ``(batch, in_features)`` -> ``(batch, out_features)``."""
        out = x @ self.weight.T
        return out + self.bias if self.bias is not None else out


def cross_entropy(logits: Tensor, targets: Int[Arr, " batch"]) -> Tensor:
    """Mean over the batch of ``-log softmax(logits)[i, targets[i]]``.

    ``logits`` has shape ``(batch, classes)``; ``targets`` is an integer
    array. Returns a scalar tensor (shape ``()``) built only from ``logits``'s
    operators and methods (``-``, ``.exp()``, ``.sum()``, ``.log()``,
    indexing) and plain NumPy constants, so that it can be backpropagated. Must
    not overflow for logits of size 1000.
    """
    n = logits.shape[0]
    shift = logits.array.max(axis=-1, keepdims=True)
    z = logits - shift
    log_probs = z - z.exp().sum(axis=-1, keepdims=True).log()
    return -log_probs[np.arange(n), targets].sum() / n


class SGD:
    """Plain stochastic gradient descent, ``p <- p - lr * p.grad``."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        """``params`` may be any iterable, a generator included: keep a list."""
        self.params = list(params)
        self.lr = lr

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to None."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient; skip those whose ``grad``
        is None. Only ``p.array`` changes."""
        for p in self.params:
            if p.grad is not None:
                p.array = p.array - self.lr * p.grad
