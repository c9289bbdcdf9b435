# %% [markdown]
# *GENERATED from book/0_fundamentals/0.1_nn_basics_and_cnns.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 0.1 Neural-network basics and CNNs
#
# `torch.nn` is not magic. A layer is a small Python object that owns some tensors — its
# parameters — and says how to compute an output from an input; a network is
# layers called one after another; training is a loop that nudges the parameters downhill on a
# loss. In this section you write each of those pieces yourself, check every one against PyTorch's
# own on awkward inputs, and then train two classifiers on 8 × 8 images of handwritten digits with
# nothing but your own code. Once you have written `Conv2d` with `as_strided` and `einsum`, a
# convolutional network stops being a black box: it is the same contraction as a matrix
# product, applied to every small window of an image.
#
# **You will be able to**
#
# - write an `nn.Module` whose parameters PyTorch can find, save, load and optimise, and initialise
#   them the way `nn.Linear` does;
# - implement `Linear`, `ReLU`, `Flatten` and `Sequential`, and say what shape comes out of each;
# - compute a 2-D convolution with any stride, padding and rectangular
#   kernel by building a view of all the windows with `as_strided` and contracting it with
#   `einsum` — and max pooling with the same view;
# - write a training loop and an evaluation loop, including the two lines (`model.eval()`,
#   `torch.no_grad()`) that are most often forgotten;
# - train a multilayer perceptron and a small convolutional network, and read their loss curves, a
#   confusion matrix and the filters the network learned.
#
# **Prerequisites.** Section 0.0 (einsum, einops, broadcasting, cross-entropy). You should know
# that `loss.backward()` fills every parameter's `.grad` and that an optimiser's `step()` uses it;
# section 0.4 shows how backpropagation does that.
#
# **Time.** About 3 hours: 14 exercises. The two convolution exercises take the longest.
#
# ## Setup
#
# The data are the 1,797 handwritten digits that ship with scikit-learn (8 × 8 pixels, ten classes),
# split once and for all into 1,347 training and 450 test images by `arena_check.kit.digits`, so
# that everyone sees the same numbers. `arena_check.kit.training` draws the plots; the loops
# themselves you write.

# %%
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


# %% [markdown]
# ## Part 1 · Modules, parameters and the dense layers
#
# An `nn.Module` is a container with two jobs. It computes: calling `module(x)` runs its `forward`
# method. And it *keeps track*: every `nn.Parameter` assigned as an attribute in `__init__`, and
# every sub-module assigned as an attribute, is registered by name. That registry is what
# `module.parameters()` walks to hand the tensors to an optimiser, what `state_dict()` saves, what
# `model.eval()` recurses through. A tensor kept in a plain attribute, or a layer kept in a Python
# list, is invisible to all of them — the model still runs, but never learns.
#
# Every class you write below subclasses `nn.Module` and calls `super().__init__()` first.
#
# ### Exercise 1 · `relu`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Write the rectified linear unit, $\mathrm{relu}(x) = \max(x, 0)$, elementwise.
#
# Without a nonlinearity between them, any stack of linear layers collapses into one linear layer.
# ReLU is the simplest nonlinearity that works well, and its gradient (1 where the input is
# positive, 0 elsewhere) is why it trains easily.
#
# <details><summary>Hint</summary>
#
# Multiply by a boolean mask, or use `torch.where` or `torch.maximum`. Do not call `torch.relu`
# or `F.relu` — that is the function you are writing.
#
# </details>

# %%
def relu(x: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
    """`max(x, 0)` elementwise, exactly. Returns the shape and dtype of
    `x`; does not modify `x`; gradients flow (1 where x > 0, else 0).
    Do not call `torch.relu` / `F.relu`.
    """
    return x * (x > 0)


# %%
arena_check.check("0.1", "relu", relu)


# %% [markdown]
# ### Exercise 2 · `ReLU`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Wrap your `relu` in a module, so that it can sit in a `Sequential` between two layers.
#
# A module with no parameters is still a module: it has a `forward`, it answers `parameters()`
# (with nothing), and it can be switched between training and evaluation mode with the rest of the
# network.

# %%
class ReLU(nn.Module):
    """The ReLU nonlinearity as a module, with no parameters."""

    def forward(self, x: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        """`relu(x)`: same shape and dtype as `x`."""
        return relu(x)


# %%
arena_check.check("0.1", "ReLU", ReLU)


# %% [markdown]
# ### Exercise 3 · `Linear`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Write a fully connected layer, $y = x W^\top + b$, with its parameters registered and initialised
# as `nn.Linear` initialises them.
#
# Every transformer in this curriculum is mostly `Linear` layers. Two details matter beyond the
# formula. *Layout*: PyTorch stores `weight` as `(out_features, in_features)`, so that row `o` is
# the weights feeding output `o`; keeping that layout lets you load any PyTorch checkpoint.
# *Initialisation*: weights drawn uniformly from $[-1/\sqrt{\text{in}}, 1/\sqrt{\text{in}}]$ keep
# the output's scale roughly independent of the layer's width; `nn.Linear` gets this bound from
# `kaiming_uniform_(a=√5)`, which simplifies to exactly that ([He et al., 2015](https://arxiv.org/abs/1502.01852)
# explain the family of rules; the bias uses the same bound).
#
# <details><summary>Hint 1</summary>
#
# `nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))`. Assigning it
# to `self.weight` registers it.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# For `bias=False`, set `self.bias = None`: the attribute exists, so `forward` can test it, but
# there is no parameter. `einsum(x, self.weight, "... i, o i -> ... o")` handles any number of
# leading axes.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "Linear", Linear)


# %% [markdown]
# ### Exercise 4 · `Flatten`
#
# > difficulty 2/5 · importance 2/5 · 10 min
#
# Merge a range of axes into one, as `nn.Flatten(start_dim, end_dim)` does.
#
# A convolutional network ends with images `(batch, channels, height, width)` and a classifier
# that wants vectors `(batch, features)`; `Flatten` is the join. The work is in the shape
# arithmetic: negative dims count from the end, and `end_dim` is *included*.
#
# <details><summary>Hint</summary>
#
# Turn negative dims into positive ones (`dim % x.ndim`), then build the new shape as
# `shape[:start] + (product of shape[start:end + 1],) + shape[end + 1:]` and `reshape`.
# `math.prod` multiplies a tuple.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "Flatten", Flatten)


# %% [markdown]
# ### Exercise 5 · `Sequential`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Chain modules: the output of one is the input of the next.
#
# `Sequential` is where registration matters most. Keeping the layers in a Python list makes a
# model that runs, produces sensible outputs — and has no parameters, so the optimiser has nothing
# to train. Registering each layer under the name `"0"`, `"1"`, … (as `nn.Sequential` does) also
# makes your `state_dict` keys (`"0.weight"`, `"2.bias"`) identical to PyTorch's.
#
# <details><summary>Hint</summary>
#
# `self.add_module(str(i), module)` registers a sub-module under a name chosen at run time.
# `self._modules` is the (ordered) dictionary they end up in; `self.children()` iterates over
# them in order.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "Sequential", Sequential)


# %% [markdown]
# ## Part 2 · Convolutions from scratch
#
# A dense layer connects every input pixel to every output. A convolution makes two
# assumptions about images instead: what matters at a pixel depends mostly on its neighbourhood
# (locality), and a stroke detector useful in one place is useful everywhere (translation
# equivariance). So it slides one small kernel of weights — `kh × kw` pixels deep through
# all input channels — over the image, and at each position takes the dot product of the kernel
# with the window under it. For input channels `c`, output channels `o`, and a stride
# `(sh, sw)`:
#
# $$
# \text{out}[b, o, i, j] = \text{bias}[o] + \sum_{c, u, v} x[b, c,\; i \cdot s_h + u,\; j \cdot s_w + v]\; W[o, c, u, v].
# $$
#
# (Deep-learning "convolution" does not flip the kernel; mathematicians call this
# cross-correlation.) With padding `(ph, pw)`, the input is first surrounded by `ph` rows
# of zeros at the top and bottom and `pw` columns at the left and right, so an output pixel exists
# for windows that overlap the border. The output height is
# $\lfloor (H + 2p_h - k_h) / s_h \rfloor + 1$, and likewise for the width.
#
# Written this way, a convolution is one `einsum` — if we had a tensor of all the windows,
# `windows[b, c, i, j, u, v]`. Building that tensor by copying would cost `kh × kw` times the
# image's memory. `as_strided` builds it for free, as a *view* of the same memory.
#
# ### Strides and `as_strided`
#
# A tensor's `stride()` says how many elements to skip in memory to move one step along each axis.
# A contiguous `(3, 4)` tensor has strides `(4, 1)`. `x.as_strided(size, stride)` makes a new view
# of `x`'s memory with any shape and strides you choose — nothing is copied, and nothing is
# checked, so wrong strides read the wrong numbers (or memory past the end). Here is a 1-D example:
# all windows of length 3 of a length-6 vector are a `(4, 3)` view with strides `(1, 1)` — one
# step along either axis moves one element.

# %% [markdown]
# ### Exercise 6 · `pad2d`
#
# > difficulty 1/5 · importance 2/5 · 10 min
#
# Surround every image with a border of a constant value.
#
# Convolutions pad with zeros; max pooling pads with $-\infty$, so that the border never wins the
# maximum. Both use this function.
#
# <details><summary>Hint</summary>
#
# Make a tensor of the padded shape filled with `value` (`x.new_full(shape, value)` keeps the
# dtype), then copy `x` into the middle with a slice assignment. Writing into the *new* tensor is
# fine; writing into `x` is not. Autograd follows the copy.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "pad2d", pad2d)


# %% [markdown]
# ### Exercise 7 · `conv2d`
#
# > difficulty 4/5 · importance 5/5 · 30–40 min
#
# Compute a 2-D convolution with stride, padding, bias and rectangular kernels, from a strided
# view of the windows and one `einsum`.
#
# This is the function behind every convolutional layer. Doing it with a view and a contraction —
# rather than loops over output pixels — is also how you would make it fast: the work is one big
# matrix product, which is essentially what PyTorch's own CPU implementation does
# ("im2col").
#
# <details><summary>Hint 1</summary>
#
# Pad first (`pad2d`), then read `B, C, H, W = x.shape`, `O, _, kh, kw = weight.shape`, and the
# output size `H_out = (H - kh) // sh + 1` of the *padded* height.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# With `sB, sC, sH, sW = x.stride()`:
# `x.as_strided((B, C, H_out, W_out, kh, kw), (sB, sC, sH * sh, sW * sw, sH, sW))`.
# Then `einsum(windows, weight, "b c i j u v, o c u v -> b o i j")`.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# The bias has one entry per output channel: `bias[:, None, None]` broadcasts it over the two
# spatial axes of a `(B, O, H_out, W_out)` output. `as_pair(stride)` turns an int into a pair.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "conv2d", conv2d)


# %% [markdown]
# ### Exercise 8 · `Conv2d`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Wrap `conv2d` in a module with a registered, `nn.Conv2d`-compatible weight and bias.
#
# <details><summary>Hint</summary>
#
# The fan-in of a convolution — how many inputs feed one output — is
# `in_channels * kernel_h * kernel_w`; the initialisation bound is `1 / sqrt(fan_in)`, exactly
# as for `Linear`.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "Conv2d", Conv2d)


# %% [markdown]
# ### Exercise 9 · `maxpool2d`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# Take the maximum over every (possibly overlapping) window, with the same strided view as the
# convolution.
#
# Max pooling halves the resolution while keeping the strongest response in each
# neighbourhood, so the next convolution's 3 × 3 kernel sees a region twice as wide: each layer's
# receptive field — the patch of the input that can influence one output pixel — grows
# quickly through a conv, pool, conv, pool stack. Section 0.0's `pool2d` handled only
# non-overlapping windows; this one handles any stride, and padding.
#
# <details><summary>Hint 1</summary>
#
# `stride=None` means "the same as the kernel". Pad with `float("-inf")`, so a padded pixel is
# never the maximum — zero padding would beat a window of negative numbers.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Build the `(B, C, H_out, W_out, kh, kw)` view exactly as in `conv2d` and reduce the last two
# axes with `amax(dim=(-2, -1))`.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "maxpool2d", maxpool2d)


# %% [markdown]
# ### Exercise 10 · `MaxPool2d`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Wrap `maxpool2d` in a module.

# %%
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


# %%
arena_check.check("0.1", "MaxPool2d", MaxPool2d)


# %% [markdown]
# ## Part 3 · Training and evaluation loops
#
# One epoch of training is a pass over the training data in mini-batches. For each batch:
#
# 1. `optimizer.zero_grad()` — gradients *accumulate* in `.grad`, so clear the last batch's;
# 2. `logits = model(x)` and `loss = loss_fn(logits, y)`;
# 3. `loss.backward()` — fill every parameter's `.grad`;
# 4. `optimizer.step()` — update the parameters from their gradients.
#
# Evaluation is the same forward pass with two switches. `model.eval()` puts every sub-module into
# evaluation mode — it changes what dropout and batch normalisation (section 0.2) do, and it is a
# no-op for the layers above, which is exactly why forgetting it goes unnoticed until a model has
# such a layer. `torch.no_grad()` stops autograd from recording the computation, which saves memory
# and time; nothing will call `backward` on it.
#
# ### Exercise 11 · `train_epoch`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Train a model for one pass over a data loader; return the mean loss per example.
#
# This loop, with small variations, trains every model in this curriculum. The mean "per example"
# matters when the last batch is smaller than the others: averaging the batch means would give its
# few examples the weight of a full batch.
#
# <details><summary>Hint 1</summary>
#
# Call `model.train()` first: the model may have been left in evaluation mode by the last
# evaluation.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Keep a running `total += loss.item() * len(y)` and `count += len(y)`. `.item()` turns the loss
# into a Python float and lets the batch's graph be freed.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "train_epoch", train_epoch)


# %% [markdown]
# ### Exercise 12 · `evaluate`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Compute the mean loss and the accuracy of a model on a data loader, in evaluation mode and
# without building a graph.
#
# <details><summary>Hint</summary>
#
# Decorate the function with `@torch.no_grad()` or wrap the loop in `with torch.no_grad():`, call
# `model.eval()`, and count correct predictions with `(logits.argmax(dim=-1) == y).sum().item()`.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "evaluate", evaluate)


# %% [markdown]
# ## Part 4 · Training an MLP and a CNN
#
# A multilayer perceptron (MLP) treats an image as a vector of 64 numbers; it could learn
# the same from the pixels in any fixed shuffled order. A convolutional network (CNN) builds in
# locality and weight sharing. Build both from your own modules, with exactly the layers the
# docstrings list, created in that order: the checks copy the reference network's parameters into
# yours in the order `parameters()` returns them, then compare the logits.
#
# ### Exercise 13 · `MLP`
#
# > difficulty 1/5 · importance 3/5 · 10 min

# %%
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


# %%
arena_check.check("0.1", "MLP", MLP)


# %% [markdown]
# ### Exercise 14 · `CNN`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# <details><summary>Hint</summary>
#
# Follow the shapes: `(B, 1, 8, 8)` → conv with padding 1 keeps 8 × 8 → pool halves it to 4 × 4 →
# conv → 4 × 4 → pool → 2 × 2, with 32 channels: 32 × 2 × 2 = 128 features for the last `Linear`.
#
# </details>

# %%
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


# %%
arena_check.check("0.1", "CNN", CNN)

# %% [markdown]
# ## Summary
#
# - An `nn.Module` registers every `nn.Parameter` and sub-module assigned as an attribute;
#   `parameters()`, `state_dict()`, `train()` and `eval()` all walk that registry. A layer in a
#   plain list is invisible to them.
# - `Linear` stores its weight as `(out, in)` and initialises it uniformly within
#   $\pm 1/\sqrt{\text{fan-in}}$, which keeps activations at a stable scale; `Conv2d` does the same
#   with fan-in `in_channels × kh × kw`.
# - A convolution is a contraction over a tensor of windows. `as_strided` builds those windows as a
#   view of the input's memory, with strides `(sB, sC, sH·sh, sW·sw, sH, sW)`; max pooling reduces
#   the same view with `amax`, padding with $-\infty$.
# - The training loop is zero_grad → forward → loss → backward → step; evaluation needs
#   `model.eval()` and `torch.no_grad()`. Average losses per example, not per batch.
# - A small CNN built from these pieces classifies 8 × 8 digits above 95 % test accuracy in a few
#   seconds on a CPU.
#
# ## Further reading
#
# - Yann LeCun, Léon Bottou, Yoshua Bengio and Patrick Haffner,
#   [Gradient-based learning applied to document recognition](http://yann.lecun.com/exdb/publis/pdf/lecun-01a.pdf),
#   Proc. IEEE 1998 — convolutional networks trained end to end on handwritten digits (LeNet-5).
# - Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun,
#   [Delving Deep into Rectifiers](https://arxiv.org/abs/1502.01852), ICCV 2015 — why
#   initialisation scales with the fan-in, and the ReLU-specific version.
# - Vincent Dumoulin and Francesco Visin, [A guide to convolution arithmetic for deep
#   learning](https://arxiv.org/abs/1603.07285) (2016) — output sizes for every combination of
#   kernel, stride and padding, with pictures.
# - Kumar Chellapilla, Sidd Puri and Patrice Simard, [High Performance Convolutional Neural Networks
#   for Document Processing](https://inria.hal.science/inria-00112631) (2006) — convolution as one
#   matrix product over unfolded windows ("im2col").
# - [torch.Tensor.as_strided](https://pytorch.org/docs/stable/generated/torch.as_strided.html) and
#   [nn.Module](https://pytorch.org/docs/stable/generated/torch.nn.Module.html), PyTorch
#   documentation.
