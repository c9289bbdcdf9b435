"""The check-writing helpers: their failure messages are what learners read."""

from __future__ import annotations

import pytest
import torch

from arena_check.testing import (
    CheckFailed,
    call,
    compare_to_reference,
    describe,
    expect_equal,
    expect_tensor,
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
