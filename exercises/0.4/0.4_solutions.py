# %% [markdown]
# *GENERATED from book/0_fundamentals/0.4_backprop.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 0.4 Backpropagation
#
# Every model in this curriculum is trained by calling `loss.backward()`, and every
# interpretability method that asks "which input mattered?" reads a gradient. Both rest on
# one algorithm, backpropagation: record how each number was computed, then walk that
# record backwards, applying the chain rule once per operation. PyTorch's autograd does this for
# you, which is exactly why it is worth building once yourself. When a gradient comes out with the
# wrong shape, silently doubled, or zero where it should not be, you will know which of a handful
# of small pieces is to blame.
#
# In this section you write an autograd engine on top of NumPy. It is small — a few hundred lines —
# but it is the real thing: the same graph, the same backward pass, the same broadcasting rules as
# PyTorch, and at the end it trains a multilayer perceptron on handwritten digits to more than 90 %
# test accuracy.
#
# **You will be able to**
#
# - write the backward function of an operation — `log`, `exp`, multiplication, matrix
#   multiplication, sums, indexing, `maximum` — and check it against PyTorch;
# - undo broadcasting in the backward pass (`unbroadcast`), the commonest source of
#   wrongly shaped gradients;
# - order a computational graph with a topological sort and run the backward pass
#   over it, accumulating gradients where a value is used twice;
# - switch recording off with a `no_grad` context manager that survives exceptions;
# - find a model's parameters recursively, write `Linear`, a stable
#   cross-entropy and an SGD step, and train with them.
#
# **Prerequisites.** Section 0.0 (broadcasting, indexing, log-softmax). The chain rule from
# calculus: if $y = f(x)$ and $L$ depends on $y$, then $\partial L/\partial x = \partial L/\partial y
# \cdot f'(x)$.
#
# **Time.** About 3 hours: 15 exercises (19 graded functions and classes), most of them a few lines.
#
# ## Setup
#
# The engine works on NumPy arrays; PyTorch appears only in the checks and demos, as the answer key.
# The setup cell is longer than usual because it holds the engine's skeleton, which you do not
# write: a `Tensor` that wraps an array, a `Recipe` that records how a tensor was computed, and
# `wrap_forward`, which turns a NumPy function into an operation on tensors that records its recipe.
# Read it once; the exercises fill in everything it leaves out.

# %%
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


# %% [markdown]
# ## Part 1 · Backward functions
#
# A backward function answers one question about one operation. If `out = f(x, y)` and we already
# know the gradient of the final loss $L$ with respect to `out` (an array `grad_out` of the same
# shape as `out`), what is the gradient with respect to `x`? The chain rule says: for each entry of
# `x`, add up `grad_out` times how much each entry of `out` moves when that entry of `x` moves. For
# an elementwise operation this is a product; for others it is a sum you must work out.
#
# Every backward function here has the same signature: `back(grad_out, out, *args, **kwargs)`,
# where `args` and `kwargs` are exactly what the forward NumPy function received and `out` is what
# it returned. Having `out` at hand saves recomputation (the derivative of `exp` is `exp` itself).
#
# ### Exercise 1 · `log_back`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Write the backward function of the natural logarithm.
#
# It is the smallest complete example of the pattern: one line of calculus, one line of NumPy. It
# also has the first trap: the derivative is $1/x$, of the *input*, not of the output.
#
# <details><summary>Hint</summary>
#
# $\frac{d}{dx}\log x = 1/x$. Multiply `grad_out` by it, elementwise.
#
# </details>

# %%
def log_back(grad_out: Arr, out: Arr, x: Arr) -> Arr:
    """Gradient for the input of ``out = np.log(x)``.

    ``grad_out`` has the shape of ``out`` (and of ``x``); the result has the
    shape of ``x``. Do not modify ``grad_out`` in place: the engine may pass
    the same array to several backward functions.
    """
    return grad_out / x


# %%
arena_check.check("0.4", "log_back", log_back)

# %%
BACK_FUNCS[np.log] = {0: log_back}


# %% [markdown]
# ### Exercise 2 · `exp_back`
#
# > difficulty 1/5 · importance 2/5 · 5 min
#
# Write the backward function of the exponential.
#
# The derivative of `exp` is `exp` of the same input — which the forward pass has already computed.
# Reusing `out` is the first instance of a trade every autograd engine makes: keep forward results in
# memory so the backward pass is cheap.
#
# <details><summary>Hint</summary>
#
# $\frac{d}{dx}e^x = e^x$, and `out` already holds $e^x$.
#
# </details>

# %%
def exp_back(grad_out: Arr, out: Arr, x: Arr) -> Arr:
    """Gradient for the input of ``out = np.exp(x)``: reuse ``out``."""
    return grad_out * out


# %%
arena_check.check("0.4", "exp_back", exp_back)

# %%
BACK_FUNCS[np.exp] = {0: exp_back}


# %% [markdown]
# ### Exercise 3 · `unbroadcast`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Sum a gradient back down to the shape of an input that was broadcast in the forward pass.
#
# If `a` has shape `(3, 1)` and `b` has shape `(1, 4)`, then `a * b` has shape `(3, 4)` and so does
# its `grad_out`. Each entry of `a` was used four times, once per column, so its gradient is the sum
# of four contributions: the gradient must be *summed over every axis that broadcasting stretched*,
# and the result must have `a`'s shape again. Get this wrong and the gradient either has the wrong
# shape (a crash, if you are lucky) or the right shape with the wrong axes summed (a silent bug).
#
# <details><summary>Hint 1</summary>
#
# Broadcasting does two things: it prepends axes (shape `(4,)` against `(3, 4)`), and it stretches
# axes of size 1. Undo them in that order.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Sum away the leading `grad.ndim - len(shape)` axes. Then, for every axis where `shape` has a 1,
# sum with `keepdims=True` so the axis stays, with size 1.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "unbroadcast", unbroadcast)


# %% [markdown]
# ### Exercise 4 · `multiply_back0` and `multiply_back1`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write the gradients of `out = a * b` for each argument, with broadcasting.
#
# Multiplication is where unbroadcasting earns its keep: a bias scaled per feature, a mask applied
# to every row, a scalar learning rate — all broadcast. Either argument may also be a plain Python
# number, in which case the other one is the tensor.
#
# <details><summary>Hint</summary>
#
# The elementwise gradient for `a` is `grad_out * b`; then `unbroadcast` it to `np.shape(a)`
# (`np.shape` works on Python numbers too).
#
# </details>

# %%
def multiply_back0(grad_out: Arr, out: Arr, a: Arr | float, b: Arr | float) -> Arr:
    """Gradient for ``a`` in ``out = np.multiply(a, b)``; shape ``np.shape(a)``.

    ``a`` and ``b`` broadcast against each other; either may be a Python float.
    """
    return unbroadcast(grad_out * b, np.shape(a))


def multiply_back1(grad_out: Arr, out: Arr, a: Arr | float, b: Arr | float) -> Arr:
    """Gradient for ``b`` in ``out = np.multiply(a, b)``; shape ``np.shape(b)``."""
    return unbroadcast(grad_out * a, np.shape(b))


# %%
arena_check.check("0.4", "multiply_back0", multiply_back0)

# %%
arena_check.check("0.4", "multiply_back1", multiply_back1)


# %%
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


# %% [markdown]
# ### Exercise 5 · `sum_back`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write the gradient of a sum over some axes.
#
# A sum copies each input entry's influence into one output entry, so its gradient copies
# `grad_out` back to every entry that was summed: a broadcast, the mirror image of `unbroadcast`.
# The trap is `keepdims=False`: the summed axes are gone from `grad_out` and must be put back as
# size-1 axes before broadcasting, or NumPy will line the axes up from the right — the wrong ones.
#
# <details><summary>Hint 1</summary>
#
# If `keepdims` is false, `np.expand_dims(grad_out, axis)` restores the summed axes (it accepts a
# tuple, and negative axes). `axis=None` means every axis.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Then `np.broadcast_to(grad, x.shape)` — and copy the result (`np.array(...)`), because a
# broadcast view is read-only and shares memory.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "sum_back", sum_back)

# %%
BACK_FUNCS[np.sum] = {0: sum_back}


# %% [markdown]
# ### Exercise 6 · `matmul_back0` and `matmul_back1`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Write the gradients of a matrix product `out = a @ b`, including batched products.
#
# Every linear layer and every attention head is a matrix product, so these two lines run more
# often than any others in training. Work them out from one entry: `out[i, j] = Σ_k a[i, k] b[k, j]`,
# so `∂L/∂a[i, k] = Σ_j grad_out[i, j] b[k, j]` — which is itself a matrix product. The check
# uses square matrices, where a transpose on the wrong side still has the right shape.
#
# <details><summary>Hint 1</summary>
#
# `grad_a = grad_out @ bᵀ` and `grad_b = aᵀ @ grad_out`. Check the shapes: `(n, m) @ (m, k)` gives
# `a`'s `(n, k)`. For batches, transpose only the last two axes: `np.swapaxes(b, -1, -2)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# If `a` has shape `(2, n, k)` and `b` has shape `(k, m)`, `b` was broadcast over the batch:
# `aᵀ @ grad_out` has shape `(2, k, m)`, and `unbroadcast` sums it back to `(k, m)`.
#
# </details>

# %%
def matmul_back0(grad_out: Arr, out: Arr, a: Arr, b: Arr) -> Arr:
    """Gradient for ``a`` in ``out = np.matmul(a, b)``.

    ``a`` and ``b`` have at least 2 axes; leading (batch) axes broadcast as in
    ``np.matmul``. Returns an array of ``a.shape``.
    """
    return unbroadcast(grad_out @ np.swapaxes(b, -1, -2), a.shape)


def matmul_back1(grad_out: Arr, out: Arr, a: Arr, b: Arr) -> Arr:
    """Gradient for ``b`` in ``out = np.matmul(a, b)``; an array of ``b.shape``."""
    return unbroadcast(np.swapaxes(a, -1, -2) @ grad_out, b.shape)


# %%
arena_check.check("0.4", "matmul_back0", matmul_back0)

# %%
arena_check.check("0.4", "matmul_back1", matmul_back1)

# %%
BACK_FUNCS[np.matmul] = {0: matmul_back0, 1: matmul_back1}


# %% [markdown]
# ### Exercise 7 · `getitem_back`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# Write the gradient of indexing, `out = x[index]`.
#
# Indexing picks entries, so its gradient puts `grad_out` back where the entries came from, with
# zeros elsewhere. Cross-entropy picks the log-probability of each target this way, and an embedding
# layer is an index into a table. The trap: with an integer array, the same entry can be picked
# twice (`x[[0, 2, 0]]`), and then it must receive *both* gradients. `grad[index] = grad_out` keeps
# only the last; `np.add.at` adds them all.
#
# <details><summary>Hint</summary>
#
# Start from `np.zeros_like(x)` and call `np.add.at(grad, index, grad_out)`. It handles ints,
# negative ints, slices, tuples and integer arrays alike.
#
# </details>

# %%
def getitem_back(grad_out: Arr, out: Arr, x: Arr, index: Any) -> Arr:
    """Gradient for ``x`` in ``out = x[index]``: ``grad_out`` scattered back.

    ``index`` is anything NumPy accepts (int, slice, tuple, integer arrays);
    entries picked several times receive the sum of their gradients.
    Returns an array of ``x.shape``, zero where nothing was picked.
    """
    grad = np.zeros_like(x, dtype=np.result_type(x, grad_out))
    np.add.at(grad, index, grad_out)
    return grad


# %%
arena_check.check("0.4", "getitem_back", getitem_back)

# %%
BACK_FUNCS[operator.getitem] = {0: getitem_back}


# %% [markdown]
# ### Exercise 8 · `maximum_back0` and `maximum_back1`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# Write the gradients of the elementwise maximum, with a convention for ties.
#
# `np.maximum(x, 0.0)` is ReLU, the nonlinearity of most of the networks in this course. Where
# `a > b` the gradient goes to `a`; where `b > a` it goes to `b`. Where they are equal the maximum has
# no derivative, and an engine has to pick. **Our convention, like `torch.maximum`: a tie splits the
# gradient half and half.** So our ReLU passes half the gradient at exactly 0, while `torch.relu`
# passes none; both are valid subgradients, and an input of exactly 0.0 is rare outside tests.
#
# <details><summary>Hint</summary>
#
# For `a`: the weight is `1` where `a > b`, `0.5` where `a == b`, `0` elsewhere — e.g.
# `(a > b) + 0.5 * (a == b)`. Multiply by `grad_out` and unbroadcast to `np.shape(a)`.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "maximum_back0", maximum_back0)

# %%
arena_check.check("0.4", "maximum_back1", maximum_back1)

# %%
BACK_FUNCS[np.maximum] = {0: maximum_back0, 1: maximum_back1}


# %% [markdown]
# ## Part 2 · The backward pass
#
# A forward pass leaves a computational graph behind: each tensor's recipe points at its
# parents. To send gradients backwards we must visit every node *after* all the nodes that use it —
# a node's gradient is complete only once every consumer has contributed. Reversing a
# topological sort (an order in which every node comes after its parents) gives exactly that.
#
# ### Exercise 9 · `topological_sort`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# List every tensor the given one was computed from, each once, parents before children.
#
# Graphs are not trees: in `a * b + a` the leaf `a` is reached by two paths, and in a residual
# network every block's input is reached by two. A naive recursive walk visits it twice; with a
# "seen" set and post-order (emit a node after its parents) each node appears once, in a valid order.
#
# <details><summary>Hint 1</summary>
#
# Depth-first search: to emit a node, first emit each of its parents (`node.recipe.parents.values()`,
# if it has a recipe) unless already emitted, then append the node itself.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Keep the seen set keyed by `id(node)`, or by the node itself: tensors are hashable by identity.
# Recursion is fine here; the graphs in this section are shallow.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "topological_sort", topological_sort)


# %% [markdown]
# ### Exercise 10 · `backprop`
#
# > difficulty 4/5 · importance 5/5 · 25 min
#
# Run the backward pass: from the output's gradient, compute and store the gradient of every leaf.
#
# This is the function `Tensor.backward` calls. It keeps a dictionary of gradients for the nodes in
# flight, walks the topological order in reverse, and for each node hands its gradient to the
# backward function of each parent. Three rules from PyTorch make it correct: a node reached twice
# gets the *sum* of its gradients; a leaf's `.grad` *accumulates* across calls (that is why training
# loops call `zero_grad`); and a scalar output is seeded with a gradient of 1.
#
# <details><summary>Hint 1</summary>
#
# `grads = {id(end_node): end_grad}`. For each node in `reversed(topological_sort(end_node))`:
# take its gradient; if it is a leaf, add it into `node.grad`; otherwise, for each
# `i, parent in node.recipe.parents.items()`, call `back_funcs[node.recipe.func][i](grad, node.array,
# *node.recipe.args, **node.recipe.kwargs)` and add the result into `grads[id(parent)]`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# "Add into" must create a new array (`old + new`), never `old += new`: a backward function may
# return the very array it was given (addition does), and an in-place add would change a gradient
# that another node is still holding.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "backprop", backprop)


# %% [markdown]
# ### Exercise 11 · `no_grad`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Write a context manager that switches graph recording off inside a `with` block.
#
# Evaluating a model, or updating its weights, must not record a graph: it costs memory, and an
# update recorded into the graph would be differentiated next time. The subtle part is leaving the
# block: restore the *previous* state (blocks nest), and restore it even when the block raises —
# otherwise one failed evaluation silently turns off training for the rest of the program.
#
# <details><summary>Hint</summary>
#
# With `@contextlib.contextmanager`: save `mode.enabled`, set it to False, `yield` inside a
# `try`, and restore the saved value in `finally`.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "no_grad", no_grad)


# %% [markdown]
# ## Part 3 · Modules, loss and training
#
# The engine differentiates anything; what remains is the vocabulary of training. A
# parameter is a leaf tensor the optimiser updates. A module groups parameters with the
# function that uses them, and finds them for the optimiser.

# %%
class Parameter(Tensor):
    """A leaf tensor that requires gradients: what an optimiser updates."""

    def __init__(self, array: Any) -> None:
        super().__init__(array, requires_grad=True)


# %% [markdown]
# ### Exercise 12 · `Module`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Write `Module.parameters`, which finds every parameter of a model through its attributes.
#
# A model is a tree of modules — an MLP holds layers, a layer holds a weight and a bias — and the
# optimiser needs a flat list of every parameter in it. PyTorch registers each parameter and
# submodule as it is assigned; we find the same ones by looking at the attributes when asked: a
# `Parameter` is collected, a `Module` is searched recursively. One weight shared by
# two layers (tied embeddings do this) must appear once, or it would be updated twice per step.
#
# <details><summary>Hint</summary>
#
# Loop over `vars(self).values()`: collect `Parameter`s, recurse into `Module`s, skip everything
# else. Keep a set of the `id`s already collected.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "Module", Module)


# %% [markdown]
# ### Exercise 13 · `Linear`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Write a fully connected layer, `y = x Wᵀ + b`, with PyTorch's initialisation.
#
# The weight is stored as `(out_features, in_features)`, as in PyTorch, and initialised uniformly
# in $\pm 1/\sqrt{\text{in\_features}}$ so that each output starts with a variance that does not grow
# with the input width. Because the forward pass uses only tensor operations, its gradient needs no
# new code at all.
#
# <details><summary>Hint</summary>
#
# In `__init__`: `k = 1 / np.sqrt(in_features)`, `self.weight = Parameter(rng.uniform(-k, k,
# (out_features, in_features)))`, the bias likewise with shape `(out_features,)` (or None). In
# `forward`: `x @ self.weight.T`, plus the bias if there is one.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "Linear", Linear)


# %% [markdown]
# ### Exercise 14 · `cross_entropy`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Write the mean cross-entropy loss of a batch of logits, from tensor operations, stably.
#
# In section 0.0 you wrote cross-entropy on torch tensors. Here it must be built from our tensor's
# operations, so that its gradient comes for free from the pieces of Part 1 — `exp`, `sum`, `log`,
# subtraction and indexing. Subtracting each row's maximum first keeps `exp` from overflowing; the
# maximum is a constant (a plain array), and a constant shift of a row does not change its softmax,
# so the gradient is still exact.
#
# <details><summary>Hint 1</summary>
#
# `shift = logits.array.max(axis=-1, keepdims=True)` (an array, outside the graph);
# `z = logits - shift`; `log_probs = z - z.exp().sum(axis=-1, keepdims=True).log()`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Pick each row's target with `log_probs[np.arange(n), targets]`, then sum, negate and divide by `n`.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "cross_entropy", cross_entropy)


# %% [markdown]
# ### Exercise 15 · `SGD`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write stochastic gradient descent: `zero_grad` clears gradients, `step` moves each parameter
# against its gradient.
#
# Separating the two is what lets gradients accumulate over several backward calls (a larger
# effective batch) before one update. A generator of parameters can be iterated only once, so store
# them as a list.
#
# <details><summary>Hint</summary>
#
# `step`: for each parameter with a gradient, `p.array = p.array - self.lr * p.grad`. `zero_grad`:
# `p.grad = None`.
#
# </details>

# %%
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


# %%
arena_check.check("0.4", "SGD", SGD)

# %% [markdown]
# ## Summary
#
# - A backward function maps `grad_out` to the gradient of one input; for elementwise operations
#   it is a product with the local derivative, followed by `unbroadcast`.
# - `unbroadcast` sums over the axes broadcasting prepended or stretched, keeping size-1 axes;
#   `sum_back` is its mirror image, and `getitem_back` must *add* at repeated indices.
# - Matrix products have matrix-product gradients: `grad_out @ bᵀ` and `aᵀ @ grad_out`.
# - The backward pass visits a reversed topological order, sums gradients that arrive by several
#   paths, and accumulates into leaves' `.grad` across calls — hence `zero_grad`.
# - `no_grad` must restore the previous state, also after an exception.
# - With `Module`, `Linear`, a stable cross-entropy and SGD on top, a few hundred lines of NumPy
#   train an MLP on digits to {glue:text}`mlp_accuracy:.1%` test accuracy.
#
# ## Further reading
#
# - D. E. Rumelhart, G. E. Hinton and R. J. Williams,
#   [Learning representations by back-propagating errors](https://www.nature.com/articles/323533a0),
#   *Nature* 323 (1986) — the paper that made backpropagation the way neural networks are trained.
# - A. G. Baydin, B. A. Pearlmutter, A. A. Radul and J. M. Siskind,
#   [Automatic differentiation in machine learning: a survey](https://arxiv.org/abs/1502.05767),
#   JMLR 18 (2018) — forward and reverse mode, and how autograd systems are built.
# - A. Paszke et al., [Automatic differentiation in PyTorch](https://openreview.net/forum?id=BJJsrmfCZ)
#   (2017) — the design this section imitates: a graph recorded during the forward pass.
# - A. Karpathy, [micrograd](https://github.com/karpathy/micrograd) — a scalar-valued autograd engine
#   in about a hundred lines, a good companion to this tensor-valued one.
