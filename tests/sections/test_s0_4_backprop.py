"""Section 0.4: each check passes the reference and rejects the stub and plausible mistakes.

The mutants are the bugs an autograd engine really has: unbroadcast summing the wrong axes or
dropping size-1 axes, a transpose on the wrong side of a matrix gradient, `=` where `+=` belongs
(repeated indices, accumulation across calls), a node visited twice, ReLU's gradient at 0, the
derivative of log taken at the output, no_grad not restored after an exception. The alternatives
are correct solutions written differently from the reference.
"""

from __future__ import annotations

from section_harness import make_tests

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "log_back": [
        ("derivative taken at the output: 1/log(x)", """
            def log_back(grad_out, out, x):
                return grad_out / out
        """),
        ("forgets grad_out", """
            def log_back(grad_out, out, x):
                return 1 / x
        """),
        ("divides grad_out in place", """
            def log_back(grad_out, out, x):
                grad_out /= x
                return grad_out
        """),
    ],
    "exp_back": [
        ("exp of the output: exp(exp(x))", """
            def exp_back(grad_out, out, x):
                return grad_out * np.exp(out)
        """),
        ("multiplies by the input instead of exp(input)", """
            def exp_back(grad_out, out, x):
                return grad_out * x
        """),
        ("returns the local derivative only", """
            def exp_back(grad_out, out, x):
                return out
        """),
    ],
    "unbroadcast": [
        ("keepdims everywhere, then squeeze: drops the size-1 axes of shape", """
            def unbroadcast(grad, shape):
                extra = grad.ndim - len(shape)
                axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1)
                return np.squeeze(grad.sum(axis=axes, keepdims=True)) if axes else grad
        """),
        ("only removes prepended axes", """
            def unbroadcast(grad, shape):
                extra = grad.ndim - len(shape)
                return grad.sum(axis=tuple(range(extra)))
        """),
        ("sums size-1 axes without keepdims", """
            def unbroadcast(grad, shape):
                extra = grad.ndim - len(shape)
                out = grad.sum(axis=tuple(range(extra)))
                axes = tuple(i for i, n in enumerate(shape) if n == 1)
                return out.sum(axis=axes) if axes else out
        """),
        ("sums the trailing axes instead of the leading ones", """
            def unbroadcast(grad, shape):
                extra = grad.ndim - len(shape)
                out = grad.sum(axis=tuple(range(grad.ndim - extra, grad.ndim))) if extra else grad
                axes = tuple(i for i, n in enumerate(shape) if n == 1)
                return out.sum(axis=axes, keepdims=True) if axes else out
        """),
        ("averages instead of summing", """
            def unbroadcast(grad, shape):
                extra = grad.ndim - len(shape)
                out = grad.mean(axis=tuple(range(extra))) if extra else grad
                axes = tuple(i for i, n in enumerate(shape) if n == 1)
                return out.mean(axis=axes, keepdims=True) if axes else out
        """),
        ("stretched axes counted from the left of grad, not of shape", """
            def unbroadcast(grad, shape):
                axes = tuple(i for i, n in enumerate(shape) if n == 1)
                out = grad.sum(axis=axes, keepdims=True) if axes else grad
                extra = out.ndim - len(shape)
                return out.sum(axis=tuple(range(extra))) if extra else out
        """),
    ],
    "multiply_back0": [
        ("forgets to unbroadcast", """
            def multiply_back0(grad_out, out, a, b):
                return grad_out * b
        """),
        ("multiplies by a instead of b", """
            def multiply_back0(grad_out, out, a, b):
                return unbroadcast(grad_out * a, np.shape(a))
        """),
        ("a.shape fails for a Python float; falls back to grad_out's shape", """
            def multiply_back0(grad_out, out, a, b):
                shape = a.shape if hasattr(a, "shape") and a.ndim else grad_out.shape
                return unbroadcast(grad_out * b, shape)
        """),
    ],
    "multiply_back1": [
        ("unbroadcasts to a's shape", """
            def multiply_back1(grad_out, out, a, b):
                return unbroadcast(grad_out * a, np.shape(a))
        """),
        ("uses the output instead of a", """
            def multiply_back1(grad_out, out, a, b):
                return unbroadcast(grad_out * out, np.shape(b))
        """),
    ],
    "sum_back": [
        ("broadcasts without restoring the summed axes", """
            def sum_back(grad_out, out, x, axis=None, keepdims=False):
                return np.array(np.broadcast_to(grad_out, x.shape))
        """),
        ("returns the read-only broadcast view", """
            def sum_back(grad_out, out, x, axis=None, keepdims=False):
                if axis is None:
                    axis = tuple(range(x.ndim))
                if not keepdims:
                    grad_out = np.expand_dims(grad_out, axis)
                return np.broadcast_to(grad_out, x.shape)
        """),
        ("ignores keepdims (expands axes twice)", """
            def sum_back(grad_out, out, x, axis=None, keepdims=False):
                if axis is None:
                    axis = tuple(range(x.ndim))
                return np.array(np.broadcast_to(np.expand_dims(grad_out, axis), x.shape))
        """),
        ("divides by the number of summed entries (mean's gradient)", """
            def sum_back(grad_out, out, x, axis=None, keepdims=False):
                if axis is None:
                    axis = tuple(range(x.ndim))
                if not keepdims:
                    grad_out = np.expand_dims(grad_out, axis)
                return np.broadcast_to(grad_out, x.shape) * (grad_out.size / x.size)
        """),
    ],
    "matmul_back0": [
        ("transpose on the wrong side: bᵀ @ grad_out", """
            def matmul_back0(grad_out, out, a, b):
                return unbroadcast(np.swapaxes(b, -1, -2) @ grad_out, a.shape)
        """),
        ("forgets to transpose b", """
            def matmul_back0(grad_out, out, a, b):
                return unbroadcast(grad_out @ b, a.shape)
        """),
        ("b.T transposes all axes of a batched b", """
            def matmul_back0(grad_out, out, a, b):
                return unbroadcast(grad_out @ b.T, a.shape)
        """),
        ("forgets to unbroadcast over the batch", """
            def matmul_back0(grad_out, out, a, b):
                return grad_out @ np.swapaxes(b, -1, -2)
        """),
    ],
    "matmul_back1": [
        ("transpose on the wrong side: grad_out @ aᵀ", """
            def matmul_back1(grad_out, out, a, b):
                return unbroadcast(grad_out @ np.swapaxes(a, -1, -2), b.shape)
        """),
        ("grad_outᵀ @ a: the transpose of the right answer", """
            def matmul_back1(grad_out, out, a, b):
                return unbroadcast(np.swapaxes(grad_out, -1, -2) @ a, b.shape)
        """),
        ("sums over the batch by taking the first element", """
            def matmul_back1(grad_out, out, a, b):
                g = np.swapaxes(a, -1, -2) @ grad_out
                while g.ndim > b.ndim:
                    g = g[0]
                return g
        """),
    ],
    "getitem_back": [
        ("assignment keeps only the last gradient of a repeated index", """
            def getitem_back(grad_out, out, x, index):
                grad = np.zeros_like(x)
                grad[index] = grad_out
                return grad
        """),
        ("grad[index] += grad_out: buffered, adds a repeated index once", """
            def getitem_back(grad_out, out, x, index):
                grad = np.zeros_like(x)
                grad[index] += grad_out
                return grad
        """),
        ("fills everything with grad_out's sum", """
            def getitem_back(grad_out, out, x, index):
                return np.full_like(x, np.sum(grad_out))
        """),
    ],
    "maximum_back0": [
        ("ties give everything to a (>=)", """
            def maximum_back0(grad_out, out, a, b):
                return unbroadcast(grad_out * (a >= b), np.shape(a))
        """),
        ("ties give nothing to a (ReLU's gradient 0 at 0)", """
            def maximum_back0(grad_out, out, a, b):
                return unbroadcast(grad_out * (a > b), np.shape(a))
        """),
        ("mask from out == a (ties get all of it)", """
            def maximum_back0(grad_out, out, a, b):
                return unbroadcast(grad_out * (out == a), np.shape(a))
        """),
        ("forgets to unbroadcast", """
            def maximum_back0(grad_out, out, a, b):
                return grad_out * ((a > b) + 0.5 * (a == b))
        """),
    ],
    "maximum_back1": [
        ("same mask as for a", """
            def maximum_back1(grad_out, out, a, b):
                return unbroadcast(grad_out * ((a > b) + 0.5 * (a == b)), np.shape(b))
        """),
        ("ties give everything to b", """
            def maximum_back1(grad_out, out, a, b):
                return unbroadcast(grad_out * (b >= a), np.shape(b))
        """),
    ],
    "topological_sort": [
        ("no visited set: a node reached twice appears twice", """
            def topological_sort(node):
                order = []
                def visit(t):
                    if t.recipe is not None:
                        for p in t.recipe.parents.values():
                            visit(p)
                    order.append(t)
                visit(node)
                return order
        """),
        ("pre-order: a node before its parents", """
            def topological_sort(node):
                order, seen = [], set()
                def visit(t):
                    seen.add(id(t))
                    order.append(t)
                    if t.recipe is not None:
                        for p in t.recipe.parents.values():
                            if id(p) not in seen:
                                visit(p)
                visit(node)
                return order
        """),
        ("breadth-first order, reversed (wrong on diamonds of unequal depth)", """
            def topological_sort(node):
                order, seen, queue = [], {id(node)}, [node]
                while queue:
                    t = queue.pop(0)
                    order.append(t)
                    if t.recipe is not None:
                        for p in t.recipe.parents.values():
                            if id(p) not in seen:
                                seen.add(id(p))
                                queue.append(p)
                return order[::-1]
        """),
        ("children first: the reverse of a valid order", """
            def topological_sort(node):
                order, seen = [], set()
                def visit(t):
                    seen.add(id(t))
                    if t.recipe is not None:
                        for p in t.recipe.parents.values():
                            if id(p) not in seen:
                                visit(p)
                    order.append(t)
                visit(node)
                return order[::-1]
        """),
        ("drops the end node", """
            def topological_sort(node):
                order, seen = [], set()
                def visit(t):
                    seen.add(id(t))
                    if t.recipe is not None:
                        for p in t.recipe.parents.values():
                            if id(p) not in seen:
                                visit(p)
                    order.append(t)
                visit(node)
                return order[:-1] if len(order) > 1 else order
        """),
    ],
    "backprop": [
        ("overwrites a node's gradient instead of summing paths", """
            def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
                if end_grad is None:
                    end_grad = np.ones_like(end_node.array)
                grads = {id(end_node): end_grad}
                for node in reversed(topological_sort(end_node)):
                    grad = grads[id(node)]
                    if node.recipe is None:
                        if node.requires_grad:
                            node.grad = grad if node.grad is None else node.grad + grad
                        continue
                    for i, parent in node.recipe.parents.items():
                        grads[id(parent)] = back_funcs[node.recipe.func][i](
                            grad, node.array, *node.recipe.args, **node.recipe.kwargs)
        """),
        ("overwrites leaf.grad instead of accumulating across calls", """
            def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
                if end_grad is None:
                    end_grad = np.ones_like(end_node.array)
                grads = {id(end_node): end_grad}
                for node in reversed(topological_sort(end_node)):
                    grad = grads[id(node)]
                    if node.recipe is None:
                        if node.requires_grad:
                            node.grad = grad
                        continue
                    for i, parent in node.recipe.parents.items():
                        g = back_funcs[node.recipe.func][i](grad, node.array, *node.recipe.args, **node.recipe.kwargs)
                        grads[id(parent)] = grads[id(parent)] + g if id(parent) in grads else g
        """),
        ("adds gradients in place (+=) into arrays that may be shared", """
            def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
                if end_grad is None:
                    end_grad = np.ones(end_node.shape)
                grads = {id(end_node): end_grad}
                for node in reversed(topological_sort(end_node)):
                    g = grads[id(node)]
                    if node.recipe is None:
                        if node.requires_grad:
                            if node.grad is None:
                                node.grad = g
                            else:
                                node.grad += g
                        continue
                    for i, parent in node.recipe.parents.items():
                        pg = back_funcs[node.recipe.func][i](g, node.array, *node.recipe.args, **node.recipe.kwargs)
                        if id(parent) in grads:
                            grads[id(parent)] += pg
                        else:
                            grads[id(parent)] = pg
        """),
        ("walks the order forwards", """
            def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
                if end_grad is None:
                    end_grad = np.ones_like(end_node.array)
                grads = {id(end_node): end_grad}
                for node in topological_sort(end_node):
                    if id(node) not in grads:
                        continue
                    grad = grads[id(node)]
                    if node.recipe is None:
                        if node.requires_grad:
                            node.grad = grad if node.grad is None else node.grad + grad
                        continue
                    for i, parent in node.recipe.parents.items():
                        g = back_funcs[node.recipe.func][i](grad, node.array, *node.recipe.args, **node.recipe.kwargs)
                        grads[id(parent)] = grads[id(parent)] + g if id(parent) in grads else g
        """),
        ("stores every node's gradient in .grad, intermediates too", """
            def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
                if end_grad is None:
                    end_grad = np.ones_like(end_node.array)
                grads = {id(end_node): end_grad}
                for node in reversed(topological_sort(end_node)):
                    grad = grads[id(node)]
                    node.grad = grad if node.grad is None or node.recipe is not None else node.grad + grad
                    if node.recipe is None:
                        continue
                    for i, parent in node.recipe.parents.items():
                        g = back_funcs[node.recipe.func][i](grad, node.array, *node.recipe.args, **node.recipe.kwargs)
                        grads[id(parent)] = grads[id(parent)] + g if id(parent) in grads else g
        """),
        ("ignores an explicit end_grad", """
            def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
                end_grad = np.ones_like(end_node.array)
                grads = {id(end_node): end_grad}
                for node in reversed(topological_sort(end_node)):
                    grad = grads[id(node)]
                    if node.recipe is None:
                        if node.requires_grad:
                            node.grad = grad if node.grad is None else node.grad + grad
                        continue
                    for i, parent in node.recipe.parents.items():
                        g = back_funcs[node.recipe.func][i](grad, node.array, *node.recipe.args, **node.recipe.kwargs)
                        grads[id(parent)] = grads[id(parent)] + g if id(parent) in grads else g
        """),
    ],
    "no_grad": [
        ("not restored after an exception (no finally)", """
            @contextlib.contextmanager
            def no_grad(mode=GRAD_MODE):
                previous = mode.enabled
                mode.enabled = False
                yield
                mode.enabled = previous
        """),
        ("restores True instead of the previous value", """
            @contextlib.contextmanager
            def no_grad(mode=GRAD_MODE):
                mode.enabled = False
                try:
                    yield
                finally:
                    mode.enabled = True
        """),
        ("never switches recording off", """
            @contextlib.contextmanager
            def no_grad(mode=GRAD_MODE):
                previous = mode.enabled
                try:
                    yield
                finally:
                    mode.enabled = previous
        """),
        ("swallows the exception", """
            @contextlib.contextmanager
            def no_grad(mode=GRAD_MODE):
                previous = mode.enabled
                mode.enabled = False
                try:
                    yield
                except Exception:
                    pass
                finally:
                    mode.enabled = previous
        """),
    ],
    "Module": [
        ("attributes in dir() order (alphabetical), not the order they were set", """
            class Module:
                def parameters(self):
                    out = []
                    for name in dir(self):
                        v = getattr(self, name)
                        found = [v] if isinstance(v, Parameter) else v.parameters() if isinstance(v, Module) else []
                        out += [p for p in found if all(p is not q for q in out)]
                    return out
                def __call__(self, *args, **kwargs):
                    return self.forward(*args, **kwargs)
        """),
        ("not recursive", """
            class Module:
                def parameters(self):
                    return [v for v in vars(self).values() if isinstance(v, Parameter)]
                def __call__(self, *args, **kwargs):
                    return self.forward(*args, **kwargs)
        """),
        ("shared parameters listed twice", """
            class Module:
                def parameters(self):
                    out = []
                    for v in vars(self).values():
                        if isinstance(v, Parameter):
                            out.append(v)
                        elif isinstance(v, Module):
                            out += v.parameters()
                    return out
                def __call__(self, *args, **kwargs):
                    return self.forward(*args, **kwargs)
        """),
        ("collects every tensor, parameters or not", """
            class Module:
                def parameters(self):
                    out, seen = [], set()
                    for v in vars(self).values():
                        found = [v] if isinstance(v, Tensor) else v.parameters() if isinstance(v, Module) else []
                        for p in found:
                            if id(p) not in seen:
                                seen.add(id(p))
                                out.append(p)
                    return out
                def __call__(self, *args, **kwargs):
                    return self.forward(*args, **kwargs)
        """),
        ("own parameters first, then submodules' (not attribute order)", """
            class Module:
                def parameters(self):
                    own = [v for v in vars(self).values() if isinstance(v, Parameter)]
                    out, seen = [], set()
                    for p in own + [p for v in vars(self).values() if isinstance(v, Module) for p in v.parameters()]:
                        if id(p) not in seen:
                            seen.add(id(p))
                            out.append(p)
                    return out
                def __call__(self, *args, **kwargs):
                    return self.forward(*args, **kwargs)
        """),
    ],
    "Linear": [
        ("weight stored as (in, out)", """
            class Linear(Module):
                def __init__(self, in_features, out_features, bias=True, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    k = 1 / np.sqrt(in_features)
                    self.weight = Parameter(rng.uniform(-k, k, (in_features, out_features)))
                    self.bias = Parameter(rng.uniform(-k, k, (out_features,))) if bias else None
                def forward(self, x):
                    out = x @ self.weight
                    return out + self.bias if self.bias is not None else out
        """),
        ("no transpose in forward", """
            class Linear(Module):
                def __init__(self, in_features, out_features, bias=True, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    k = 1 / np.sqrt(in_features)
                    self.weight = Parameter(rng.uniform(-k, k, (out_features, in_features)))
                    self.bias = Parameter(rng.uniform(-k, k, (out_features,))) if bias else None
                def forward(self, x):
                    out = x @ self.weight
                    return out + self.bias if self.bias is not None else out
        """),
        ("standard-normal initialisation", """
            class Linear(Module):
                def __init__(self, in_features, out_features, bias=True, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    self.weight = Parameter(rng.normal(size=(out_features, in_features)))
                    self.bias = Parameter(rng.normal(size=(out_features,))) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("uniform in [0, k]", """
            class Linear(Module):
                def __init__(self, in_features, out_features, bias=True, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    k = 1 / np.sqrt(in_features)
                    self.weight = Parameter(rng.uniform(0, k, (out_features, in_features)))
                    self.bias = Parameter(rng.uniform(0, k, (out_features,))) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("ignores rng", """
            class Linear(Module):
                def __init__(self, in_features, out_features, bias=True, rng=None):
                    rng = np.random.default_rng()
                    k = 1 / np.sqrt(in_features)
                    self.weight = Parameter(rng.uniform(-k, k, (out_features, in_features)))
                    self.bias = Parameter(rng.uniform(-k, k, (out_features,))) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("forward on arrays: no graph", """
            class Linear(Module):
                def __init__(self, in_features, out_features, bias=True, rng=None):
                    rng = np.random.default_rng() if rng is None else rng
                    k = 1 / np.sqrt(in_features)
                    self.weight = Parameter(rng.uniform(-k, k, (out_features, in_features)))
                    self.bias = Parameter(rng.uniform(-k, k, (out_features,))) if bias else None
                def forward(self, x):
                    out = x.array @ self.weight.array.T
                    return Tensor(out + self.bias.array if self.bias is not None else out)
        """),
    ],
    "cross_entropy": [
        ("one global max instead of each row's", """
            def cross_entropy(logits, targets):
                n = logits.shape[0]
                z = logits - logits.array.max()
                log_probs = z - z.exp().sum(axis=-1, keepdims=True).log()
                return -log_probs[np.arange(n), targets].sum() / n
        """),
        ("no max shift: overflows on large logits", """
            def cross_entropy(logits, targets):
                n = logits.shape[0]
                log_probs = logits - logits.exp().sum(axis=-1, keepdims=True).log()
                return -log_probs[np.arange(n), targets].sum() / n
        """),
        ("sum over the batch, not the mean", """
            def cross_entropy(logits, targets):
                n = logits.shape[0]
                z = logits - logits.array.max(axis=-1, keepdims=True)
                log_probs = z - z.exp().sum(axis=-1, keepdims=True).log()
                return -log_probs[np.arange(n), targets].sum()
        """),
        ("normalises over the batch axis", """
            def cross_entropy(logits, targets):
                n = logits.shape[0]
                z = logits - logits.array.max(axis=0, keepdims=True)
                log_probs = z - z.exp().sum(axis=0, keepdims=True).log()
                return -log_probs[np.arange(n), targets].sum() / n
        """),
        ("computed on arrays: a loss with no graph", """
            def cross_entropy(logits, targets):
                x = logits.array
                z = x - x.max(axis=-1, keepdims=True)
                log_probs = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
                return Tensor(-log_probs[np.arange(len(targets)), targets].mean())
        """),
        ("picks the target column for every row (a square slice)", """
            def cross_entropy(logits, targets):
                n = logits.shape[0]
                z = logits - logits.array.max(axis=-1, keepdims=True)
                log_probs = z - z.exp().sum(axis=-1, keepdims=True).log()
                return -log_probs[:, targets].sum() / (n * n)
        """),
    ],
    "SGD": [
        ("stores the generator: the second step does nothing", """
            class SGD:
                def __init__(self, params, lr):
                    self.params = params
                    self.lr = lr
                def zero_grad(self):
                    for p in self.params:
                        p.grad = None
                def step(self):
                    for p in self.params:
                        if p.grad is not None:
                            p.array = p.array - self.lr * p.grad
        """),
        ("gradient ascent", """
            class SGD:
                def __init__(self, params, lr):
                    self.params = list(params)
                    self.lr = lr
                def zero_grad(self):
                    for p in self.params:
                        p.grad = None
                def step(self):
                    for p in self.params:
                        if p.grad is not None:
                            p.array = p.array + self.lr * p.grad
        """),
        ("zero_grad fills zeros", """
            class SGD:
                def __init__(self, params, lr):
                    self.params = list(params)
                    self.lr = lr
                def zero_grad(self):
                    for p in self.params:
                        if p.grad is not None:
                            p.grad = np.zeros_like(p.grad)
                def step(self):
                    for p in self.params:
                        if p.grad is not None:
                            p.array = p.array - self.lr * p.grad
        """),
        ("crashes on a parameter without a grad", """
            class SGD:
                def __init__(self, params, lr):
                    self.params = list(params)
                    self.lr = lr
                def zero_grad(self):
                    for p in self.params:
                        p.grad = None
                def step(self):
                    for p in self.params:
                        p.array = p.array - self.lr * p.grad
        """),
    ],
}

ALTERNATIVES: dict[str, list[tuple[str, str]]] = {
    "log_back": [("reciprocal then product", """
        def log_back(grad_out, out, x):
            return np.reciprocal(x) * grad_out
    """)],
    "exp_back": [("recomputes exp", """
        def exp_back(grad_out, out, x):
            return np.multiply(grad_out, np.exp(x))
    """)],
    "unbroadcast": [("a loop from the left, one axis at a time", """
        def unbroadcast(grad, shape):
            while grad.ndim > len(shape):
                grad = grad.sum(axis=0)
            for i, n in enumerate(shape):
                if n == 1 and grad.shape[i] != 1:
                    grad = grad.sum(axis=i, keepdims=True)
            return grad
    """), ("by summing a size-1-padded view", """
        def unbroadcast(grad, shape):
            padded = (1,) * (grad.ndim - len(shape)) + tuple(shape)
            axes = tuple(i for i, (n, m) in enumerate(zip(padded, grad.shape)) if n == 1 and m != 1)
            return grad.sum(axis=axes, keepdims=True).reshape(shape)
    """)],
    "multiply_back0": [("reference-free unbroadcast inline", """
        def multiply_back0(grad_out, out, a, b):
            g = grad_out * b
            shape = np.shape(a)
            while g.ndim > len(shape):
                g = g.sum(axis=0)
            for i, n in enumerate(shape):
                if n == 1:
                    g = g.sum(axis=i, keepdims=True)
            return g
    """)],
    "multiply_back1": [("np.multiply", """
        def multiply_back1(grad_out, out, a, b):
            return unbroadcast(np.multiply(a, grad_out), np.shape(b))
    """)],
    "sum_back": [("reshape to keepdims shape, then multiply by ones", """
        def sum_back(grad_out, out, x, axis=None, keepdims=False):
            axes = range(x.ndim) if axis is None else [axis] if isinstance(axis, int) else axis
            axes = {a % x.ndim for a in axes}
            kept = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
            return np.reshape(grad_out, kept) * np.ones_like(x)
    """)],
    "matmul_back0": [("einsum on the last two axes", """
        def matmul_back0(grad_out, out, a, b):
            return unbroadcast(np.einsum("...ij,...kj->...ik", grad_out, b), a.shape)
    """)],
    "matmul_back1": [("einsum on the last two axes", """
        def matmul_back1(grad_out, out, a, b):
            return unbroadcast(np.einsum("...ki,...kj->...ij", a, grad_out), b.shape)
    """)],
    "getitem_back": [("index a flat array of positions, then bincount", """
        def getitem_back(grad_out, out, x, index):
            positions = np.arange(x.size).reshape(x.shape)[index]
            flat = np.bincount(np.ravel(positions), weights=np.ravel(np.broadcast_to(grad_out, np.shape(positions))),
                               minlength=x.size)
            return flat.reshape(x.shape)
    """)],
    "maximum_back0": [("np.where", """
        def maximum_back0(grad_out, out, a, b):
            weight = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
            return unbroadcast(grad_out * weight, np.shape(a))
    """)],
    "maximum_back1": [("by symmetry", """
        def maximum_back1(grad_out, out, a, b):
            return maximum_back0(grad_out, out, b, a)
    """)],
    "topological_sort": [("iterative depth-first search with an explicit stack", """
        def topological_sort(node):
            order, done, stack = [], set(), [(node, False)]
            while stack:
                t, expanded = stack.pop()
                if id(t) in done:
                    continue
                if expanded:
                    done.add(id(t))
                    order.append(t)
                    continue
                stack.append((t, True))
                if t.recipe is not None:
                    for p in t.recipe.parents.values():
                        if id(p) not in done:
                            stack.append((p, False))
            return order
    """), ("Kahn's algorithm on reversed edges", """
        def topological_sort(node):
            nodes, children, todo = {}, {}, [node]
            while todo:
                t = todo.pop()
                if id(t) in nodes:
                    continue
                nodes[id(t)] = t
                for p in (t.recipe.parents.values() if t.recipe else []):
                    children.setdefault(id(p), set()).add(id(t))
                    todo.append(p)
            pending = {i: len({id(p) for p in (t.recipe.parents.values() if t.recipe else [])})
                       for i, t in nodes.items()}
            ready = [i for i, n in pending.items() if n == 0]
            order = []
            while ready:
                i = ready.pop()
                order.append(nodes[i])
                for c in children.get(i, ()):
                    pending[c] -= 1
                    if pending[c] == 0:
                        ready.append(c)
            return order
    """)],
    "backprop": [("gradients kept on a side dict keyed by the tensor", """
        def backprop(end_node, end_grad=None, back_funcs=BACK_FUNCS):
            grads = {end_node: np.ones(end_node.shape) if end_grad is None else end_grad}
            for node in topological_sort(end_node)[::-1]:
                g = grads.get(node)
                if node.is_leaf:
                    if node.requires_grad:
                        node.grad = g.copy() if node.grad is None else node.grad + g
                    continue
                for i, parent in node.recipe.parents.items():
                    contribution = back_funcs[node.recipe.func][i](g, node.array, *node.recipe.args, **node.recipe.kwargs)
                    grads[parent] = contribution if parent not in grads else grads[parent] + contribution
    """)],
    "no_grad": [("a class-based context manager", """
        class _NoGrad:
            def __init__(self, mode):
                self.mode = mode
            def __enter__(self):
                self.saved = self.mode.enabled
                self.mode.enabled = False
            def __exit__(self, *exc):
                self.mode.enabled = self.saved
                return False

        def no_grad(mode=GRAD_MODE):
            return _NoGrad(mode)
    """)],
    "Module": [("a recursive generator over attributes, collected once", """
        class Module:
            def _walk(self):
                for v in self.__dict__.values():
                    if isinstance(v, Parameter):
                        yield v
                    elif isinstance(v, Module):
                        yield from v._walk()
            def parameters(self):
                return list({id(p): p for p in self._walk()}.values())
            def __call__(self, *args, **kwargs):
                return self.forward(*args, **kwargs)
    """)],
    "Linear": [("weight transposed with swapaxes; bias added by broadcasting", """
        class Linear(Module):
            def __init__(self, in_features, out_features, bias=True, rng=None):
                if rng is None:
                    rng = np.random.default_rng()
                bound = in_features ** -0.5
                self.weight = Parameter(rng.uniform(-bound, bound, size=(out_features, in_features)))
                self.bias = None
                if bias:
                    self.bias = Parameter(rng.uniform(-bound, bound, size=out_features))
            def forward(self, x):
                y = matmul(x, swapaxes(self.weight, 0, 1))
                if self.bias is None:
                    return y
                return y + self.bias
    """)],
    "cross_entropy": [("one-hot mask instead of indexing", """
        def cross_entropy(logits, targets):
            n, c = logits.shape
            z = logits - logits.array.max(axis=1, keepdims=True)
            log_probs = z - z.exp().sum(axis=1, keepdims=True).log()
            one_hot = (np.arange(c) == targets[:, None]).astype(float)
            return (log_probs * one_hot).sum() * (-1.0 / n)
    """)],
    "SGD": [("in-place update of the array", """
        class SGD:
            def __init__(self, params, lr):
                self.params = [*params]
                self.lr = lr
            def zero_grad(self):
                for p in self.params:
                    p.grad = None
            def step(self):
                for p in filter(lambda p: p.grad is not None, self.params):
                    p.array -= self.lr * p.grad
    """)],
}

globals().update(make_tests("0.4", MUTANTS, alternatives=ALTERNATIVES))
