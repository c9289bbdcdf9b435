"""GENERATED from book/0_fundamentals/0.1_nn_basics_and_cnns.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
from collections.abc import Callable, Iterable

import torch
import torch.nn.functional as F
from einops import einsum
from jaxtyping import Float, Int
from torch import Tensor, nn

import arena_check


def as_pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """`3` -> `(3, 3)`; `(3, 5)` -> `(3, 5)`: one size for height and width, or one each."""
    if isinstance(value, int):
        return (value, value)
    height, width = value
    return (int(height), int(width))


def relu(x: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
    """`max(x, 0)` elementwise, exactly. Returns the shape and dtype of
    `x`; does not modify `x`; gradients flow (1 where x > 0, else 0).
    Do not call `torch.relu` / `F.relu`.
    """
    return x * (x > 0)


class ReLU(nn.Module):
    """The ReLU nonlinearity as a module, with no parameters."""

    def forward(self, x: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        """`relu(x)`: same shape and dtype as `x`."""
        return relu(x)


class Linear(nn.Module):
    """`y = x @ weight.T + bias`, like `nn.Linear`.

    Parameters, registered as `nn.Parameter`s with these names:
    `weight` of shape `(out_features, in_features)` and, if `bias`,
    `bias` of shape `(out_features,)`; with `bias=False`, `self.bias`
    is None. Both are drawn independently and uniformly from
    `[-1/sqrt(in_features), 1/sqrt(in_features)]`. Do not use
    `nn.Linear` or `F.linear`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        bound = 1 / math.sqrt(in_features)
        weight = torch.empty(out_features, in_features).uniform_(-bound, bound)
        self.weight = nn.Parameter(weight)
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        else:
            self.bias = None

    def forward(self, x: Float[Tensor, "*batch in_features"]) -> Float[Tensor, "*batch out_features"]:
        """Any number of leading axes; the last one is `in_features`."""
        out = einsum(x, self.weight, "... i, o i -> ... o")
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Flatten(nn.Module):
    """Merge axes `start_dim` to `end_dim` (both included) into one.

    Dims may be negative (counted from the end). With the defaults, a
    `(batch, c, h, w)` input becomes `(batch, c * h * w)`. Values are
    read in row-major order, as `reshape` reads them. No parameters.
    Do not call `torch.flatten` / `Tensor.flatten` / `nn.Flatten`.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        start = self.start_dim % x.ndim
        end = self.end_dim % x.ndim
        shape = tuple(x.shape)
        merged = math.prod(shape[start : end + 1])
        return x.reshape(shape[:start] + (merged,) + shape[end + 1 :])


class Sequential(nn.Module):
    """Apply `modules` in order: `Sequential(a, b, c)(x) == c(b(a(x)))`.

    Module `i` is registered under the name `str(i)`, as in
    `nn.Sequential`, so the parameters of every layer are found by
    `parameters()` and named `"<i>.<name>"` in `state_dict()`.
    Do not use `nn.Sequential` or `nn.ModuleList`.
    """

    def __init__(self, *modules: nn.Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def forward(self, x: Tensor) -> Tensor:
        for module in self.children():
            x = module(x)
        return x


def pad2d(
    x: Float[Tensor, "*batch height width"], pad_h: int, pad_w: int, value: float = 0.0
) -> Float[Tensor, "*batch height+2*pad_h width+2*pad_w"]:
    """Add `pad_h` rows of `value` above and below, and `pad_w`
    columns left and right, of the last two axes.

    Any number of leading axes; the result has `x`'s dtype and
    `out[..., pad_h:pad_h+height, pad_w:pad_w+width] == x` exactly.
    Does not modify `x`; gradients flow back to `x`. Do not call
    `F.pad`.
    """
    *lead, height, width = x.shape
    out = x.new_full((*lead, height + 2 * pad_h, width + 2 * pad_w), value)
    out[..., pad_h : pad_h + height, pad_w : pad_w + width] = x
    return out


def conv2d(
    x: Float[Tensor, "batch in_channels height width"],
    weight: Float[Tensor, "out_channels in_channels kernel_h kernel_w"],
    bias: Float[Tensor, " out_channels"] | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> Float[Tensor, "batch out_channels out_h out_w"]:
    """2-D convolution (cross-correlation), equal to
    `F.conv2d(x, weight, bias, stride, padding)` up to float rounding.

    `stride` and `padding` are an int (same for height and width) or
    a `(height, width)` pair; padding is with zeros. The output
    height is `(height + 2*pad_h - kernel_h) // stride_h + 1`, and
    likewise the width. Works for any `x` layout (transposed or
    sliced views too); does not modify its inputs; gradients flow
    to `x`, `weight` and `bias`. Build the windows with
    `as_strided` (or `unfold`); do not call `F.conv2d`.
    """
    stride_h, stride_w = as_pair(stride)
    pad_h, pad_w = as_pair(padding)
    x = pad2d(x, pad_h, pad_w)
    batch, channels, height, width = x.shape
    _, _, kernel_h, kernel_w = weight.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    s_b, s_c, s_h, s_w = x.stride()
    windows = x.as_strided(
        (batch, channels, out_h, out_w, kernel_h, kernel_w),
        (s_b, s_c, s_h * stride_h, s_w * stride_w, s_h, s_w),
    )
    out = einsum(windows, weight, "b c i j u v, o c u v -> b o i j")
    if bias is not None:
        out = out + bias[:, None, None]
    return out


class Conv2d(nn.Module):
    """A 2-D convolution layer, like `nn.Conv2d` (zero padding,
    no dilation, no groups).

    `kernel_size`, `stride` and `padding` are an int or a
    `(height, width)` pair. Parameters: `weight` of shape
    `(out_channels, in_channels, kernel_h, kernel_w)` and, if `bias`,
    `bias` of shape `(out_channels,)` (else `self.bias` is None), both
    uniform in `[-1/sqrt(fan_in), 1/sqrt(fan_in)]` with
    `fan_in = in_channels * kernel_h * kernel_w`. Do not use
    `nn.Conv2d` or `F.conv2d`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = as_pair(kernel_size)
        self.stride = as_pair(stride)
        self.padding = as_pair(padding)
        kernel_h, kernel_w = self.kernel_size
        bound = 1 / math.sqrt(in_channels * kernel_h * kernel_w)
        shape = (out_channels, in_channels, kernel_h, kernel_w)
        self.weight = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound))
        else:
            self.bias = None

    def forward(self, x: Float[Tensor, "batch in_channels height width"]) -> Float[Tensor, "batch out_channels out_h out_w"]:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


def maxpool2d(
    x: Float[Tensor, "batch channels height width"],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Float[Tensor, "batch channels out_h out_w"]:
    """Max over `kernel_h × kernel_w` windows, each channel separately.

    Equal (exactly) to `F.max_pool2d(x, kernel_size, stride, padding)`.
    `stride=None` means `stride = kernel_size`. Padding is with
    `-inf` (a padded pixel never wins). Output height
    `(height + 2*pad_h - kernel_h) // stride_h + 1`; likewise width.
    Works for any `x` layout; gradients flow to `x`. Do not call
    `F.max_pool2d` or `nn.MaxPool2d`.
    """
    kernel_h, kernel_w = as_pair(kernel_size)
    stride_h, stride_w = as_pair(kernel_size if stride is None else stride)
    pad_h, pad_w = as_pair(padding)
    x = pad2d(x, pad_h, pad_w, value=float("-inf"))
    batch, channels, height, width = x.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    s_b, s_c, s_h, s_w = x.stride()
    windows = x.as_strided(
        (batch, channels, out_h, out_w, kernel_h, kernel_w),
        (s_b, s_c, s_h * stride_h, s_w * stride_w, s_h, s_w),
    )
    return windows.amax(dim=(-2, -1))


class MaxPool2d(nn.Module):
    """Max pooling as a module, like `nn.MaxPool2d`: no parameters;
    `stride=None` means the stride equals `kernel_size`."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding

    def forward(self, x: Float[Tensor, "batch channels height width"]) -> Float[Tensor, "batch channels out_h out_w"]:
        return maxpool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def train_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Tensor, Tensor], Tensor] = F.cross_entropy,
) -> float:
    """One pass over `loader` in training mode (`model.train()`).

    For every batch `(x, y)`, in order: zero the gradients, compute
    `loss_fn(model(x), y)` (a batch mean), backpropagate, step the
    optimizer. Returns the mean of the losses *per example* (each
    batch's loss weighted by its number of examples), as a Python
    float.
    """
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        count += len(y)
    return total / count


def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor] = F.cross_entropy,
) -> tuple[float, float]:
    """`(mean loss per example, accuracy)` of `model` over `loader`.

    Runs in evaluation mode (`model.eval()`) and under
    `torch.no_grad()`; leaves the model in evaluation mode and its
    parameters unchanged. `loss_fn` returns a batch mean, so weight it
    by the batch size. The accuracy is the fraction (in [0, 1]) of
    examples whose largest logit is the true class. Both are Python
    floats.
    """
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(dim=-1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count


class MLP(nn.Module):
    """An MLP for 8×8 digit images, from your own modules only:

        Flatten() -> Linear(64, hidden) -> ReLU() -> Linear(hidden, hidden)
        -> ReLU() -> Linear(hidden, 10)

    Input `(batch, 1, 8, 8)`, output `(batch, 10)` logits. Create the
    layers in this order, so that `parameters()` lists them in it.
    """

    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.layers = Sequential(
            Flatten(),
            Linear(64, hidden), ReLU(),
            Linear(hidden, hidden), ReLU(),
            Linear(hidden, 10),
        )

    def forward(self, x: Float[Tensor, "batch 1 8 8"]) -> Float[Tensor, "batch 10"]:
        return self.layers(x)


class CNN(nn.Module):
    """A small CNN for 8×8 digit images, from your own modules only:

        Conv2d(1, 16, 3, padding=1) -> ReLU() -> MaxPool2d(2)
        -> Conv2d(16, 32, 3, padding=1) -> ReLU() -> MaxPool2d(2)
        -> Flatten() -> Linear(128, 10)

    Input `(batch, 1, 8, 8)`, output `(batch, 10)` logits. Create the
    layers in this order, so that `parameters()` lists them in it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.layers = Sequential(
            Conv2d(1, 16, 3, padding=1), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(2),
            Flatten(), Linear(32 * 2 * 2, 10),
        )

    def forward(self, x: Float[Tensor, "batch 1 8 8"]) -> Float[Tensor, "batch 10"]:
        return self.layers(x)
