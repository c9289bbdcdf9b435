"""The check-writing helpers: their failure messages are what learners read."""

from __future__ import annotations

import linecache
import textwrap

import pytest
import torch

from arena_check.testing import (
    CheckFailed,
    call,
    case_of,
    check_defaults,
    compare_to_reference,
    describe,
    expect_equal,
    expect_tensor,
    randint,
    randn,
    require,
    seeded,
)

X = torch.arange(6, dtype=torch.float32).reshape(2, 3)


def _message(got, expected=X, **kwargs) -> str:
    with pytest.raises(CheckFailed) as exc:
        expect_tensor(got, expected, context="x of shape (2, 3)", **kwargs)
    return str(exc.value)


def test_equal_passes() -> None:
    expect_tensor(X.clone() + 1e-7, X, context="x")
    expect_tensor(torch.tensor([1, 2]), torch.tensor([1, 2]), context="ints")
    expect_tensor(torch.tensor(float("nan")), torch.tensor(float("nan")), context="nan where expected")


def test_not_a_tensor() -> None:
    assert _message([[0.0, 1.0, 2.0]]) == "For x of shape (2, 3): expected a torch.Tensor, got list of length 1."
    assert _message(None, hint="return the tensor") == (
        "For x of shape (2, 3): expected a torch.Tensor, got NoneType. Hint: return the tensor"
    )


def test_shape() -> None:
    assert _message(X.T) == "For x of shape (2, 3): expected shape (2, 3), got (3, 2)."


def test_dtype() -> None:
    assert _message(X.double()) == "For x of shape (2, 3): expected dtype float32, got float64."
    expect_tensor(X.double(), X, context="x", check_dtype=False)


def test_nan() -> None:
    got = X.clone()
    got[1, 2] = float("nan")
    assert _message(got) == (
        "For x of shape (2, 3): your output contains NaN at index (1, 2) (expected 5). "
        "Hint: look for 0/0, log(0) or inf - inf."
    )


def test_first_difference_and_max_error() -> None:
    got = X.clone()
    got[0, 2] += 0.5
    got[1, 1] -= 3
    assert _message(got, hint="check the sign") == (
        "For x of shape (2, 3): 2 of 6 values differ; first at index (0, 2): expected 2, got 2.5 "
        "(max abs error 3). Hint: check the sign"
    )


def test_inf_and_ints_and_scalars() -> None:
    got = X.clone()
    got[0, 0] = float("inf")
    assert "first at index (0, 0): expected 0, got inf (max abs error inf)" in _message(got)
    with pytest.raises(CheckFailed, match=r"1 of 2 values differ; first at index \(1,\): expected 3, got 2\.$"):
        expect_tensor(torch.tensor([1, 2]), torch.tensor([1, 3]), context="ints")
    with pytest.raises(CheckFailed, match=r"1 of 1 values differ; first at index \(\): expected 1, got 2"):
        expect_tensor(torch.tensor(2.0), torch.tensor(1.0), context="a scalar")


def test_call_detects_in_place_edits() -> None:
    def scale(x, *, factor):
        x.mul_(factor)
        return x

    with pytest.raises(CheckFailed) as exc:
        call(scale, X.clone(), factor=2.0, name="scale")
    assert str(exc.value) == (
        "`scale` changed its input argument #1 (float32 tensor of shape (2, 3)) in place. "
        "Return a new tensor instead (avoid `x -= …`, `x[…] = …`, `.add_()` on inputs)."
    )

    def zero_mask(x, mask):
        mask[0] = False
        return x

    with pytest.raises(CheckFailed, match=r"changed its input `mask` in place"):
        call(zero_mask, X, mask=torch.ones(3, dtype=torch.bool), name="zero_mask")
    with pytest.raises(CheckFailed, match=r"changed its input argument #2 \(list of length 3\)"):
        call(lambda x, xs: xs.append(1), X, [X, X], name="f")


def test_call_passes_honest_functions_and_returns_their_value() -> None:
    nan_input = torch.tensor([1.0, float("nan")])
    assert torch.equal(call(lambda x: x * 2, X, name="double"), X * 2)
    call(lambda x: x + 1, nan_input, name="f")  # NaN in an untouched input is not a change
    model = torch.nn.Linear(3, 2)
    call(lambda m, x: m(x), model, X, name="apply")  # a copy of a module is not "equal": no false alarm
    call(lambda g: torch.rand(1, generator=g), seeded(0), name="draw")


def test_call_detects_nan_overwritten_and_module_weights_changed() -> None:
    def fill(x):
        x.nan_to_num_(0.0)
        return x

    with pytest.raises(CheckFailed, match="changed its input argument #1"):
        call(fill, torch.tensor([1.0, float("nan")]), name="fill")

    def train_step(model, x):
        with torch.no_grad():
            model.weight.add_(1)
        return model(x)

    with pytest.raises(CheckFailed, match=r"changed its input argument #1 \(Linear\) in place"):
        call(train_step, torch.nn.Linear(3, 2), X, name="train_step")


def test_call_not_callable() -> None:
    with pytest.raises(CheckFailed) as exc:
        call(3, X, name="double")
    assert str(exc.value) == "`double` should be a function, but your file defines it as a value of type int."


def test_expect_equal() -> None:
    expect_equal((2, 3), (2, 3), context="the shape")
    with pytest.raises(CheckFailed) as exc:
        expect_equal(4, 5, context="n=4", hint="add one")
    assert str(exc.value) == "For n=4: expected 5, got 4. Hint: add one"
    with pytest.raises(CheckFailed) as exc:
        expect_equal(torch.tensor([2, 3]), (2, 3), context="the shape")  # ambiguous: unequal, no crash
    assert str(exc.value) == "For the shape: expected (2, 3), got int64 tensor of shape (2,)."
    with pytest.raises(CheckFailed) as exc:
        expect_equal("a" * 1000, "b", context="s")
    assert len(str(exc.value)) < 300


def test_describe_and_seeded() -> None:
    assert describe(X) == "float32 tensor of shape (2, 3)"
    assert describe((1, 2)) == "tuple of length 2"
    assert torch.equal(torch.rand(3, generator=seeded(1)), torch.rand(3, generator=seeded(1)))


def test_compare_to_reference_names_the_failing_case() -> None:
    cases = [("x of shape (2, 3)", (X,)), ("a single row", (X[:1],))]
    compare_to_reference(lambda x: x * 2, lambda x: x * 2, cases, name="double")
    with pytest.raises(CheckFailed, match=r"^For a single row: .*Hint: double it"):
        compare_to_reference(
            lambda x: x * 2 if x.shape[0] > 1 else x, lambda x: x * 2, cases, name="double", hint="double it"
        )
    with pytest.raises(CheckFailed, match="changed its input"):
        compare_to_reference(lambda x: x.mul_(2), lambda x: x * 2, cases, name="double")


# ---- seeded input builders ---------------------------------------------------------------
def test_randn_and_randint_are_seeded_and_typed() -> None:
    assert torch.equal(randn(2, 3, seed=4), randn(2, 3, seed=4))
    assert not torch.equal(randn(2, 3, seed=4), randn(2, 3, seed=5))
    assert randn(2, seed=0, dtype=torch.float64).dtype == torch.float64
    torch.manual_seed(0)
    a = randn(3, seed=1)
    torch.manual_seed(99)
    assert torch.equal(a, randn(3, seed=1))  # independent of the global RNG
    ids = randint(5, 4, 6, seed=2)
    assert ids.shape == (4, 6) and ids.dtype == torch.int64 and 0 <= int(ids.min()) and int(ids.max()) < 5
    small = randint(3, 100, seed=3, low=-2, dtype=torch.int8)
    assert small.dtype == torch.int8 and int(small.min()) == -2 and int(small.max()) == 2


# ---- an exception names the input case -------------------------------------------------------
def test_call_tags_an_exception_with_its_case() -> None:
    def fragile(x):
        return x[5]

    with pytest.raises(IndexError) as exc:
        call(fragile, X, name="fragile", context="x of shape (2, 3)")
    assert case_of(exc.value) == "x of shape (2, 3)"
    with pytest.raises(IndexError) as exc:
        compare_to_reference(fragile, lambda x: x, [("a single row", (X[:1],))], name="fragile")
    assert case_of(exc.value) == "a single row"
    with pytest.raises(IndexError) as exc:
        call(fragile, X, name="fragile")
    assert case_of(exc.value) is None


# ---- exactness -----------------------------------------------------------------------------
def test_exact_comparison_rejects_a_rounding_difference() -> None:
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    nudged = x + torch.tensor([[0.0, 0.0, 2.0**-22], [0.0, 0.0, 0.0]])  # one float32 step above 2
    expect_tensor(nudged, x, context="x")  # within the default tolerance
    with pytest.raises(CheckFailed) as exc:
        expect_tensor(nudged, x, context="x of shape (2, 3)", exact=True)
    assert str(exc.value) == (
        "For x of shape (2, 3): 1 of 6 values differ; first at index (0, 2): expected 2, got 2.00000024 "
        "(max abs error 2.38419e-07); these values must be exactly equal, not merely close."
    )
    nan = torch.tensor([1.0, float("nan")])
    expect_tensor(nan.clone(), nan, context="NaN where NaN is expected", exact=True)


# ---- defaults --------------------------------------------------------------------------------
def _pool(images, size, mode="max", *, eps=1e-5):
    return images


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(images, size, mode='mean', *, eps=1e-5): pass",
         "`f`'s parameter `mode` should default to 'max', as in the stub's signature (`mode='max'`); yours defaults to 'mean'."),
        ("def f(images, size, mode, *, eps=1e-5): pass",
         "`f`'s parameter `mode` should default to 'max', as in the stub's signature (`mode='max'`); yours has no "
         "default, so calls that leave it out fail."),
        ("def f(images, size, *, eps=1e-5): pass",
         "`f` should have the parameter `mode='max'`, as the stub's signature does; yours has no `mode`. "
         "Keep the signature you were given."),
        ("def f(images, size, mode='max', *, eps=1e-8): pass",
         "`f`'s parameter `eps` should default to 1e-05, as in the stub's signature (`eps=1e-05`); yours defaults to 1e-08."),
    ],
    ids=["changed", "dropped", "missing", "keyword-only-changed"],
)
def test_check_defaults_refuses_a_changed_or_dropped_default(source: str, message: str) -> None:
    namespace: dict = {}
    exec(source, namespace)
    with pytest.raises(CheckFailed) as exc:
        check_defaults(namespace["f"], _pool, name="f")
    assert str(exc.value) == message


def test_check_defaults_accepts_equal_defaults_in_other_spellings() -> None:
    for source in (
        "def f(images, size, mode: str = 'max', *, eps: float = 0.00001): pass",
        "def f(images, size, mode='max', *, eps=10**-5, extra=3): pass",  # an added parameter is fine
        "def f(images, size, **options): pass",  # defaults handled in the body: left to the cases
    ):
        namespace: dict = {}
        exec(source, namespace)
        check_defaults(namespace["f"], _pool, name="f")
    check_defaults(torch.softmax, _pool, name="f")  # a builtin has no signature to compare: skipped


def test_compare_to_reference_checks_defaults_and_passes_keywords() -> None:
    def ref(x, scale=2.0):
        return x * scale

    def learner(x, scale=3.0):
        return x * scale

    with pytest.raises(CheckFailed, match=r"`scale` should default to 2\.0"):
        compare_to_reference(learner, ref, [("x", (X,))], name="f")
    with pytest.raises(CheckFailed, match=r"^For x with scale left out: "):  # signature not compared
        compare_to_reference(learner, ref, [("x with scale left out", (X,))], name="f", defaults=False)
    compare_to_reference(learner, ref, [("x with scale=5 by keyword", (X,), {"scale": 5.0})], name="f", defaults=False)


# ---- rules about how the code is written -------------------------------------------------------
EINSUM = {"rule": "Multiply two matrices with `einsum`.", "uses": ["einsum"]}


def _define(source: str, name: str = "f", **extra: object) -> object:
    """Define ``name`` from ``source`` with a readable source (as a file or notebook cell has)."""
    import einops

    filename = f"<learner {abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"torch": torch, "einops": einops, "einsum": einops.einsum, **extra}
    exec(compile(textwrap.dedent(source), filename, "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize(
    "source",
    [
        "def f(a, b):\n    return einsum(a, b, 'i k, k j -> i j')\n",
        "def f(a, b):\n    return torch.einsum('ik,kj->ij', a, b)\n",
        "def f(a, b):\n    return einops.einsum(a, b, 'i k, k j -> i j')\n",
        "from einops import einsum as es\ndef f(a, b):\n    return es(a, b, 'i k, k j -> i j')\n",
        "def helper(a, b):\n    return einsum(a, b, 'i k, k j -> i j')\n\ndef f(a, b):\n    return helper(a, b)\n",
        "f = lambda a, b: torch.einsum('ik,kj->ij', a, b)\n",
    ],
    ids=["einops-name", "torch", "module-attribute", "alias", "helper", "lambda"],
)
def test_require_uses_is_met_by_any_spelling(source: str) -> None:
    require(_define(source), name="f", **EINSUM)


def test_require_uses_names_the_rule_when_broken() -> None:
    with pytest.raises(CheckFailed) as exc:
        require(_define("def f(a, b):\n    return a @ b\n"), name="mat_mul", **EINSUM)
    assert str(exc.value) == (
        "`mat_mul` breaks a rule of this exercise: “Multiply two matrices with `einsum`.” — your code "
        "never calls `einsum`."
    )
    with pytest.raises(CheckFailed, match=r"your `mat_mul` is the library function `matmul`, which is not einsum\.$"):
        require(torch.matmul, name="mat_mul", **EINSUM)


def test_require_forbids_calls_in_every_spelling_but_the_learners_own_function() -> None:
    rule = {"rule": "Do not call `torch.logsumexp`.", "forbids_calls": ["torch.logsumexp"]}
    for body, shown in [
        ("torch.logsumexp(x, -1)", "torch.logsumexp"),
        ("x.logsumexp(-1)", "x.logsumexp"),
        ("torch.special.logsumexp(x, -1)", "torch.special.logsumexp"),
        ("(x * 1).logsumexp(-1)", "….logsumexp"),
    ]:
        with pytest.raises(CheckFailed) as exc:
            require(_define(f"def f(x):\n    return {body}\n"), name="logsumexp", **rule)
        assert f"— your code calls `{shown}` (<learner " in str(exc.value) and str(exc.value).endswith(", line 2).")
    own = "def logsumexp(x):\n    return x.amax(-1)\n\ndef f(x):\n    return x - logsumexp(x)[..., None]\n"
    require(_define(own), name="log_softmax", **rule)


@pytest.mark.parametrize(
    ("source", "what", "line"),
    [
        ("def f(x, y):\n    out = []\n    for a in x:\n        out.append(a)\n    return out\n", "a `for` loop", 3),
        ("def f(x, y):\n    while False:\n        pass\n    return x\n", "a `while` loop", 2),
        ("def f(x, y):\n    return torch.stack([a - y for a in x])\n", "a list comprehension (a loop)", 2),
        ("def helper(x):\n    return sum(a for a in x)\n\ndef f(x, y):\n    return helper(x)\n",
         "a generator expression (a loop)", 2),
    ],
    ids=["for", "while", "comprehension", "in-a-helper"],
)
def test_require_no_loops(source: str, what: str, line: int) -> None:
    with pytest.raises(CheckFailed) as exc:
        require(_define(source), name="pairwise_distances", no_loops=True, rule="No Python loops.")
    assert f"“No Python loops.” — your code has {what} (<learner " in str(exc.value)
    assert str(exc.value).endswith(f", line {line}).")
    require(_define("def f(x, y):\n    return (x[:, None] - y[None]).norm(dim=-1)\n"),
            name="pairwise_distances", no_loops=True, rule="No Python loops.")


def test_require_without_source_checks_nothing() -> None:
    """Code typed into a plain interpreter has no source to read: no false accusation."""
    namespace: dict = {}
    exec("def f(x, y):\n    return [a for a in x]\n", namespace)
    require(namespace["f"], name="f", no_loops=True, uses=["einsum"], rule="anything")


def test_require_reads_notebook_cells(tmp_path) -> None:
    """A notebook cell is not a file: the loader keeps its text where inspect finds it."""
    from unit_helpers import write_notebook

    from arena_check.loader import load_learner_file

    path = write_notebook(tmp_path, "nb.ipynb", ["import torch", "def f(x, y):\n    return [a for a in x]\n"])
    module = load_learner_file(path)
    with pytest.raises(CheckFailed, match=r"your code has a list comprehension \(a loop\) \(nb\.ipynb cell 2, line 2\)"):
        require(module.f, name="f", no_loops=True, rule="No Python loops.")
