# %% [markdown]
# *GENERATED from book/0_fundamentals/0.2_resnets.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 0.2 ResNets
#
# Before 2015, stacking more convolutional layers made image classifiers *worse* — not because of
# overfitting, but because deep plain networks were harder to optimise: their training error went
# up with depth. Two ideas changed that and are still in almost every deep network you will meet,
# transformers included. **Batch normalisation** (Ioffe & Szegedy,
# 2015) rescales every channel's activations to zero mean and unit variance during training, so that
# each layer sees inputs on a stable scale. **Residual connections**
# (He et al., 2015) let each block *add* a correction to its input instead of replacing it, so that
# a deep network starts out close to a shallow one and the gradient has a short path back to the
# early layers. In this section you build both from scratch and assemble them into a ResNet-34, the
# 34-layer network of the paper, down to the exact number of parameters.
#
# Transformers use the same two ideas: every attention and MLP layer is wrapped in a residual
# connection (the "residual stream" you will study in chapter 1), and each is preceded by a
# normalisation layer. The train/eval distinction you meet here — a layer that behaves differently
# while training — is the one that trips people up most in practice.
#
# **You will be able to**
#
# - write batch normalisation's training-mode forward pass, its running-statistics update and its
#   eval-mode forward pass, and say which variance (biased or unbiased) each one uses;
# - write a `BatchNorm2d` module whose outputs, running statistics and counter match PyTorch's step
#   for step, with learnable parameters and non-learnable buffers;
# - write a residual block with a shortcut that downsamples when the
#   shapes change, groups of blocks, and global average pooling;
# - assemble a ResNet-34 with exactly the published 21,797,672 parameters, copy weights into it
#   from a model with different names, and check that both compute the same function;
# - train a small ResNet and a plain CNN of the same size on handwritten digits and compare them.
#
# **Prerequisites.** Section 0.0 (tensors and einops) and section 0.1, where you write `Linear`,
# `Conv2d` and `MaxPool2d` yourself. Here we use PyTorch's own `nn.Conv2d`, `nn.Linear`,
# `nn.MaxPool2d` and `nn.ReLU`, so this page does not depend on your 0.1 code — only on knowing what
# those layers compute and what an `nn.Module` is.
#
# **Time.** About 2½ hours: 11 exercises. The training comparison at the end takes about 20 s on one
# CPU thread.
#
# ## Setup

# %%
import torch
from jaxtyping import Float
from torch import Tensor, nn

import arena_check


# %% [markdown]
# ## Part 1 · Batch normalisation
#
# A convolutional layer's output has shape `(batch, channels, height, width)`. Batch normalisation
# treats each channel separately. In **training mode**, for channel $c$ it takes every value of that
# channel in the batch — over the batch, height and width axes, $N = B \cdot H \cdot W$ numbers —
# computes their mean $\mu_c$ and variance $\sigma^2_c$, and normalises:
#
# $$
# \hat x_{b,c,h,w} = \frac{x_{b,c,h,w} - \mu_c}{\sqrt{\sigma_c^2 + \varepsilon}}, \qquad
# y_{b,c,h,w} = \gamma_c\, \hat x_{b,c,h,w} + \beta_c .
# $$
#
# The small $\varepsilon$ (default $10^{-5}$) keeps the division finite for a constant channel. The
# learnable scale $\gamma$ (`weight`) and shift $\beta$ (`bias`) let the network undo the
# normalisation where that helps, so nothing is lost in expressiveness. The variance here is the
# **biased** one, dividing by $N$: it describes this batch exactly, which is what normalising this
# batch needs.
#
# A trained network must also classify a *single* image, where there is no batch to take statistics
# from, and its prediction for one image should not depend on which other images happen to share
# its batch. So during training the layer keeps **running estimates** of each channel's mean and
# variance, and in **eval mode** it normalises with those instead. PyTorch updates them after every
# training-mode forward pass as an exponential moving average with `momentum` $m$ (default 0.1):
#
# $$
# \text{running} \leftarrow (1 - m)\cdot \text{running} + m \cdot \text{batch statistic}.
# $$
#
# Note the convention: $m$ is the weight of the *new* batch, the opposite of the "momentum" of an
# optimiser. And the variance that goes into the running estimate is the **unbiased** one, dividing
# by $N - 1$, because the running value estimates the variance of the whole data distribution from
# samples. Mixing up the two variances is the classic batch-norm bug: the difference is a factor
# $N/(N-1)$, invisible for large batches and large for small ones.

# %% [markdown]
# ### Exercise 1 · `batchnorm_train`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Normalise each channel of a batch with the batch's own mean and biased variance, then scale and
# shift it.
#
# This is what batch norm computes while a network trains. Everything that follows builds on these
# few lines, and the one decision that matters is which axes to reduce over.
#
# <details><summary>Hint 1</summary>
#
# Reduce over every axis except the channel axis: `dim=(0, 2, 3)`, with `keepdim=True` so the
# result broadcasts back against `x`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `x.var(dim=…, unbiased=False)` is the biased variance. `weight` has shape `(channels,)`; reshape
# it to `(1, channels, 1, 1)` before multiplying, or broadcasting will line it up with the *width*
# axis.
#
# </details>

# %%
def batchnorm_train(
    x: Float[Tensor, "batch channels height width"],
    weight: Float[Tensor, " channels"],
    bias: Float[Tensor, " channels"],
    eps: float = 1e-5,
) -> Float[Tensor, "batch channels height width"]:
    """Batch normalisation in training mode, with the batch's statistics.

    For each channel c, over all batch × height × width values of
    that channel: `mean[c]` and the *biased* variance `var[c]`
    (divide by N, not N - 1). Then

        out[b, c, h, w] = (x[b, c, h, w] - mean[c])
                          / sqrt(var[c] + eps) * weight[c] + bias[c]

    Differentiable with respect to `x`, `weight` and `bias` (the mean
    and variance are part of the computation graph). Returns a new
    tensor of the shape and dtype of `x`; inputs are not modified.
    """
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return x_hat * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)


# %%
arena_check.check("0.2", "batchnorm_train", batchnorm_train)


# %% [markdown]
# ### Exercise 2 · `update_running_stats`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Return the running mean and variance after one training batch, as PyTorch computes them.
#
# These two tensors are all that a trained batch-norm layer remembers about the data. Get the
# momentum convention or the variance wrong and training looks perfect, while the evaluated model
# is silently worse.
#
# <details><summary>Hint 1</summary>
#
# The new running value keeps $1 - m$ of the old one and takes $m$ of the batch's. For the batch
# variance use `unbiased=True`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Do not update `running_mean` in place (`running_mean.mul_(…)`): the docstring asks for new
# tensors. The module in Exercise 4 decides where to store them.
#
# </details>

# %%
def update_running_stats(
    running_mean: Float[Tensor, " channels"],
    running_var: Float[Tensor, " channels"],
    x: Float[Tensor, "batch channels height width"],
    momentum: float = 0.1,
) -> tuple[Float[Tensor, " channels"], Float[Tensor, " channels"]]:
    """The running statistics after one training batch `x`.

    With the batch's per-channel mean and its *unbiased* variance
    (divide by N - 1, N = batch × height × width):

        new_mean = (1 - momentum) * running_mean + momentum * batch_mean
        new_var  = (1 - momentum) * running_var  + momentum * batch_var

    `momentum` is the weight of the new batch (PyTorch's convention).
    Returns `(new_mean, new_var)` as new tensors of shape `(channels,)`;
    the inputs are not modified.
    """
    batch_mean = x.mean(dim=(0, 2, 3))
    batch_var = x.var(dim=(0, 2, 3), unbiased=True)
    new_mean = (1 - momentum) * running_mean + momentum * batch_mean
    new_var = (1 - momentum) * running_var + momentum * batch_var
    return new_mean, new_var


# %%
arena_check.check("0.2", "update_running_stats", update_running_stats)


# %% [markdown]
# ### Exercise 3 · `batchnorm_eval`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Normalise with given running statistics instead of the batch's own.
#
# In eval mode each example is processed independently of the rest of its batch: the output for one
# image is the same whether it is alone or among a thousand.
#
# <details><summary>Hint</summary>
#
# The same formula as Exercise 1 with `running_mean` and `running_var` in place of the batch's
# statistics. Reshape every `(channels,)` tensor to `(1, channels, 1, 1)`.
#
# </details>

# %%
def batchnorm_eval(
    x: Float[Tensor, "batch channels height width"],
    running_mean: Float[Tensor, " channels"],
    running_var: Float[Tensor, " channels"],
    weight: Float[Tensor, " channels"],
    bias: Float[Tensor, " channels"],
    eps: float = 1e-5,
) -> Float[Tensor, "batch channels height width"]:
    """Batch normalisation in eval mode, with fixed statistics:

        out[b, c, h, w] = (x[b, c, h, w] - running_mean[c])
                          / sqrt(running_var[c] + eps) * weight[c] + bias[c]

    The batch's own statistics are not used, so each example's output
    does not depend on the others. Returns a new tensor of the shape
    and dtype of `x`; inputs are not modified.
    """
    shape = (1, -1, 1, 1)
    x_hat = (x - running_mean.view(shape)) / torch.sqrt(running_var.view(shape) + eps)
    return x_hat * weight.view(shape) + bias.view(shape)


# %%
arena_check.check("0.2", "batchnorm_eval", batchnorm_eval)


# %% [markdown]
# ### Exercise 4 · `BatchNorm2d`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Package the three functions as an `nn.Module` that behaves exactly like `torch.nn.BatchNorm2d`,
# in training and in eval mode.
#
# Two kinds of state live in a module. **Parameters** (`nn.Parameter`) are trained by the
# optimiser: here `weight` and `bias`. **Buffers** (`register_buffer`) are saved, loaded and moved
# between devices with the model but never receive gradients: here the running statistics and the
# counter `num_batches_tracked`. Both appear in `state_dict()`, which is how weights are saved and
# copied (Exercise 11). `self.training`, switched by `model.train()` and `model.eval()`, tells
# `forward` which mode it is in.
#
# <details><summary>Hint 1</summary>
#
# In `__init__`: `self.weight = nn.Parameter(torch.ones(num_features))`, and
# `self.register_buffer("running_mean", torch.zeros(num_features))`; the counter is
# `torch.tensor(0, dtype=torch.long)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# In training mode, compute the new statistics under `torch.no_grad()` (the running estimates are
# records, not part of the graph that `loss.backward()` walks) and store them, e.g.
# `self.running_mean = new_mean` — assigning a tensor to a buffer's name replaces the buffer. Then
# add 1 to `num_batches_tracked`. In eval mode, touch nothing.
#
# </details>

# %%
class BatchNorm2d(nn.Module):
    """Batch normalisation over the channel axis of `(batch, channels, height, width)` inputs.

    Matches `torch.nn.BatchNorm2d(num_features, eps, momentum)`:

    - parameters `weight` (initialised to ones) and `bias` (zeros),
      shape `(num_features,)`;
    - buffers `running_mean` (zeros), `running_var` (ones), both
      `(num_features,)` float32, and `num_batches_tracked`, a 0-dim
      int64 tensor starting at 0 — and no other parameters or buffers;
    - training mode: normalise with the batch's statistics (biased
      variance), then update the running statistics (unbiased
      variance, `momentum` weighting the new batch) and add 1 to
      `num_batches_tracked`. The running statistics never require
      grad and are not part of the autograd graph;
    - eval mode: normalise with the running statistics and change no
      state at all.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(
        self, x: Float[Tensor, "batch channels height width"]
    ) -> Float[Tensor, "batch channels height width"]:
        if not self.training:
            return batchnorm_eval(
                x, self.running_mean, self.running_var, self.weight, self.bias, self.eps
            )
        with torch.no_grad():
            self.running_mean, self.running_var = update_running_stats(
                self.running_mean, self.running_var, x, self.momentum
            )
            self.num_batches_tracked += 1
        return batchnorm_train(x, self.weight, self.bias, self.eps)


# %%
arena_check.check("0.2", "BatchNorm2d", BatchNorm2d)


# %% [markdown]
# ## Part 2 · Residual blocks
#
# A **residual block** computes $\text{out} = \mathrm{ReLU}(F(x) + x)$, where $F$ is a small stack
# of layers and $+ x$ is the **shortcut**. If the best thing a block can do is nothing, it only has
# to drive $F$ to zero — much easier than making a stack of convolutions and ReLUs compute the
# identity. He et al. showed that with these shortcuts a 34-layer network trains to *lower* error
# than an 18-layer one, while without them the deeper plain network was worse.
#
# The **basic block** of ResNet-34 is, on the left branch, a 3×3 convolution, batch norm, ReLU,
# another 3×3 convolution and batch norm; the two branches are added, and a ReLU follows the
# addition:
#
# ```text
# x ──► conv 3×3 (stride s) ─► BN ─► ReLU ─► conv 3×3 ─► BN ──► (+) ─► ReLU ─► out
#   │                                                            ▲
#   └──────────────── shortcut: identity, or conv 1×1 (stride s) ─► BN ──┘
# ```
#
# The convolutions have **no bias**: a batch norm follows each one and subtracts the channel mean,
# so a bias would be cancelled exactly — a wasted parameter (and the wrong parameter count).
#
# When a block changes the shape — more channels, or a stride of 2 that halves height and width —
# $x$ can no longer be added as it is. The shortcut then becomes a **projection**: a 1×1 convolution
# with the same stride, followed by batch norm. When the shapes already match, the shortcut is the
# identity and has no parameters at all.
#
# ### Exercise 5 · `make_shortcut`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Build a block's shortcut: nothing (`None`) when input and output shapes match, otherwise a strided
# 1×1 convolution followed by batch norm.
#
# <details><summary>Hint</summary>
#
# The shapes match exactly when `stride == 1` and `in_feats == out_feats`. Otherwise return
# `nn.Sequential(nn.Conv2d(in_feats, out_feats, kernel_size=1, stride=stride, bias=False),
# BatchNorm2d(out_feats))`, in that order so that the names are `0.weight`, `1.weight`, ….
#
# </details>

# %%
def make_shortcut(in_feats: int, out_feats: int, stride: int) -> nn.Sequential | None:
    """The shortcut branch of a residual block.

    Returns None when the block keeps the shape of its input
    (`stride == 1` and `in_feats == out_feats`): the shortcut is then
    the identity, with no parameters. Otherwise returns
    `nn.Sequential(conv, bn)` where `conv` is a 1×1 `nn.Conv2d` from
    `in_feats` to `out_feats` channels with this `stride` and no bias,
    and `bn` is your `BatchNorm2d(out_feats)`.
    """
    if stride == 1 and in_feats == out_feats:
        return None
    return nn.Sequential(
        nn.Conv2d(in_feats, out_feats, kernel_size=1, stride=stride, bias=False),
        BatchNorm2d(out_feats),
    )


# %%
arena_check.check("0.2", "make_shortcut", make_shortcut)


# %% [markdown]
# ### Exercise 6 · `ResidualBlock`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Write the basic residual block: two 3×3 convolutions with batch norm on the left branch, your
# shortcut on the right, a ReLU after the sum.
#
# Write `forward` out step by step rather than wrapping the left branch in an `nn.Sequential`: the
# names of the submodules (`conv1`, `bn1`, `conv2`, `bn2`, `shortcut`) are part of the
# specification, because Exercise 11 copies weights by name.
#
# <details><summary>Hint 1</summary>
#
# Only the *first* convolution has the stride; both have `padding=1`, so that a 3×3 convolution
# keeps the height and width (or halves them with stride 2).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `identity = x if self.shortcut is None else self.shortcut(x)`, then
# `return self.relu(out + identity)`. The ReLU comes after the addition: without it the block's
# output can be negative and the next block's input is not what the architecture specifies.
#
# </details>

# %%
class ResidualBlock(nn.Module):
    """ResNet's basic block: relu(left(x) + shortcut(x)).

    Submodules, with exactly these names:
      conv1: nn.Conv2d(in_feats, out_feats, 3, stride=first_stride,
             padding=1, bias=False)
      bn1:   BatchNorm2d(out_feats)
      relu:  nn.ReLU()
      conv2: nn.Conv2d(out_feats, out_feats, 3, stride=1, padding=1,
             bias=False)
      bn2:   BatchNorm2d(out_feats)
      shortcut: make_shortcut(in_feats, out_feats, first_stride)
             (None when the shapes match)

    left(x) = bn2(conv2(relu(bn1(conv1(x))))). The output has
    `out_feats` channels and the height and width of `conv1`'s output
    (halved, rounding up, when `first_stride` is 2).
    """

    def __init__(self, in_feats: int, out_feats: int, first_stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(
            in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False
        )
        self.bn1 = BatchNorm2d(out_feats)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_feats, out_feats, 3, stride=1, padding=1, bias=False)
        self.bn2 = BatchNorm2d(out_feats)
        self.shortcut = make_shortcut(in_feats, out_feats, first_stride)

    def forward(
        self, x: Float[Tensor, "batch in_feats height width"]
    ) -> Float[Tensor, "batch out_feats out_height out_width"]:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.shortcut is None else self.shortcut(x)
        return self.relu(out + identity)


# %%
arena_check.check("0.2", "ResidualBlock", ResidualBlock)


# %% [markdown]
# ### Exercise 7 · `BlockGroup`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Chain `n_blocks` residual blocks into one stage of the network; only the first block changes the
# number of channels and the resolution.
#
# ResNet-34 has four such groups (`layer1` … `layer4`) of 3, 4, 6 and 3 blocks. Each group after the
# first halves the height and width and doubles the channels, so the amount of computation per
# block stays roughly constant across the network.
#
# <details><summary>Hint</summary>
#
# Build a list: `ResidualBlock(in_feats, out_feats, first_stride)`, then `n_blocks - 1` blocks
# `ResidualBlock(out_feats, out_feats)`. Pass them to `super().__init__(*blocks)`; `nn.Sequential`
# names them `0`, `1`, … and its `forward` calls them in order.
#
# </details>

# %%
class BlockGroup(nn.Sequential):
    """`n_blocks` residual blocks in sequence, as an `nn.Sequential`.

    Block 0 is `ResidualBlock(in_feats, out_feats, first_stride)`;
    blocks 1 … n_blocks - 1 are `ResidualBlock(out_feats, out_feats)`
    with stride 1. The blocks are this module's children, named
    "0", "1", … (so parameter names look like `1.conv2.weight`).
    `forward` is nn.Sequential's.
    """

    def __init__(self, n_blocks: int, in_feats: int, out_feats: int, first_stride: int = 1):
        blocks = [ResidualBlock(in_feats, out_feats, first_stride)]
        blocks += [ResidualBlock(out_feats, out_feats) for _ in range(n_blocks - 1)]
        super().__init__(*blocks)


# %%
arena_check.check("0.2", "BlockGroup", BlockGroup)


# %% [markdown]
# ### Exercise 8 · `AveragePool`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Average each channel over all spatial positions, turning a `(batch, channels, height, width)`
# activation into a `(batch, channels)` feature vector.
#
# Global average pooling is how ResNet goes from feature maps to the classifier: instead of
# flattening (which ties the classifier to one input size and costs many parameters), each channel
# is summarised by one number. The same network then accepts images of any size.
#
# <details><summary>Hint</summary>
#
# A mean over `dim=(2, 3)`.
#
# </details>

# %%
class AveragePool(nn.Module):
    """Global average pooling: `out[b, c]` is the mean of `x[b, c]` over
    height and width. Returns shape `(batch, channels)`; no parameters."""

    def forward(
        self, x: Float[Tensor, "batch channels height width"]
    ) -> Float[Tensor, "batch channels"]:
        return x.mean(dim=(2, 3))


# %%
arena_check.check("0.2", "AveragePool", AveragePool)


# %% [markdown]
# ## Part 3 · ResNet-34
#
# The whole network, in the order of the paper's Table 1 and with the module names torchvision
# uses:
#
# | name | what | output for a 224×224 image |
# |---|---|---|
# | `conv1` | 7×7 conv, 3 → 64 channels, stride 2, padding 3, no bias | 64 × 112 × 112 |
# | `bn1`, `relu` | batch norm, ReLU | |
# | `maxpool` | 3×3 max pool, stride 2, padding 1 | 64 × 56 × 56 |
# | `layer1` | 3 blocks, 64 channels, stride 1 | 64 × 56 × 56 |
# | `layer2` | 4 blocks, 128 channels, first stride 2 | 128 × 28 × 28 |
# | `layer3` | 6 blocks, 256 channels, first stride 2 | 256 × 14 × 14 |
# | `layer4` | 3 blocks, 512 channels, first stride 2 | 512 × 7 × 7 |
# | `avgpool` | global average pooling | 512 |
# | `fc` | linear, 512 → 1000 classes | 1000 |
#
# Counting the weighted layers — 1 convolution, 2 × (3 + 4 + 6 + 3) = 32 in the blocks, and the
# final linear layer — gives the 34 of the name (the 1×1 shortcut convolutions are not counted).
#
# ### Exercise 9 · `count_parameters`
#
# > difficulty 1/5 · importance 2/5 · 5 min
#
# Count a model's learnable numbers.
#
# "Parameter count" is how models are compared and described, and it is a quick test that an
# architecture is what you think it is: a missing bias or an extra layer shows up immediately.
#
# <details><summary>Hint</summary>
#
# `model.parameters()` yields each parameter once, even if two submodules share it. Buffers such as
# running statistics are not parameters; `state_dict()` contains both.
#
# </details>

# %%
def count_parameters(model: nn.Module) -> int:
    """The number of scalar parameters in `model`, as a Python int.

    Counts every `nn.Parameter` once (also frozen ones, with
    `requires_grad=False`, and a parameter shared by two submodules
    only once). Buffers (running statistics, counters) are not
    parameters and are not counted.
    """
    return sum(p.numel() for p in model.parameters())


# %%
arena_check.check("0.2", "count_parameters", count_parameters)


# %% [markdown]
# ### Exercise 10 · `ResNet34`
#
# > difficulty 3/5 · importance 5/5 · 25 min
#
# Assemble the network of the table above from your pieces, with the same child names in the same
# order, so that it has exactly the 21,797,672 parameters of the published ResNet-34 (with 1,000
# classes).
#
# <details><summary>Hint 1</summary>
#
# The input to `layer1` has 64 channels (from `conv1`); group `i` goes from the previous group's
# `out_features` to its own. Use `nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)` and
# `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Name the groups `layer1` … `layer4`; assign them in a loop with
# `setattr(self, f"layer{i + 1}", BlockGroup(...))`, or write four lines. `forward` runs the children
# in order; `fc` gets the `(batch, 512)` output of `avgpool`.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# If your count is too high by exactly 8,512, every convolution has a bias (one number per output
# channel) that it should not have: pass `bias=False`.
#
# </details>

# %%
class ResNet34(nn.Module):
    """ResNet-34 (He et al. 2015, Table 1), with torchvision's module names.

    Children, in this order:
      conv1:   nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
      bn1:     BatchNorm2d(64)
      relu:    nn.ReLU()
      maxpool: nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
      layer1 … layer4: BlockGroup(n_blocks_per_group[i], in, out,
               first_strides_per_group[i]) with out =
               out_features_per_group[i] and in = 64 for layer1, the
               previous group's out otherwise
      avgpool: AveragePool()
      fc:      nn.Linear(out_features_per_group[-1], n_classes)

    The defaults give the published network: 21,797,672 parameters
    for 1,000 classes. forward maps `(batch, 3, height, width)` images
    to `(batch, n_classes)` logits.
    """

    def __init__(
        self,
        n_blocks_per_group: tuple[int, ...] = (3, 4, 6, 3),
        out_features_per_group: tuple[int, ...] = (64, 128, 256, 512),
        first_strides_per_group: tuple[int, ...] = (1, 2, 2, 2),
        n_classes: int = 1000,
    ):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        in_feats = 64
        groups = zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)
        for i, (n_blocks, out_feats, stride) in enumerate(groups):
            setattr(self, f"layer{i + 1}", BlockGroup(n_blocks, in_feats, out_feats, stride))
            in_feats = out_feats
        self.avgpool = AveragePool()
        self.fc = nn.Linear(in_feats, n_classes)

    def forward(
        self, x: Float[Tensor, "batch 3 height width"]
    ) -> Float[Tensor, "batch n_classes"]:
        for module in self.children():
            x = module(x)
        return x


# %%
arena_check.check("0.2", "ResNet34", ResNet34)


# %% [markdown]
# ## Part 4 · Copying weights across
#
# A checkpoint is a `state_dict`: a dictionary from dotted names (`layer2.0.conv1.weight`) to
# tensors. To use weights trained by someone else, your module tree must produce the same names —
# or you translate names. Our blocks call the projection `shortcut`, the paper's word, while
# torchvision calls it `downsample`; everything else is named the same. The cell below builds a
# stand-in for torchvision's `resnet34` from plain PyTorch layers, with torchvision's names (we
# cannot import torchvision here, and do not need to), and shows where the names differ.

# %% [markdown]
# ### Exercise 11 · `copy_weights`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Load every parameter and buffer of a torchvision-named ResNet-34 into yours, translating the
# names, and return your model.
#
# This is the everyday job of porting a checkpoint between two implementations of the same model;
# you will do it again with transformers in chapter 1. Doing it by name, strictly, means a mistake
# in either architecture raises an error instead of leaving some weights at their random
# initialisation.
#
# <details><summary>Hint 1</summary>
#
# Build a new dictionary from `torch_model.state_dict()`, replacing `".downsample."` by
# `".shortcut."` in each key, and pass it to `my_model.load_state_dict(...)`. Its default
# `strict=True` complains about any missing or unexpected name.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Copy the buffers too: a model whose running statistics are left at their initial values gives
# different outputs in eval mode. `state_dict()` includes them; `parameters()` does not.
#
# </details>

# %%
def copy_weights(my_model: nn.Module, torch_model: nn.Module) -> nn.Module:
    """Copy all of `torch_model`'s parameters and buffers into `my_model`.

    `torch_model` has torchvision's names; `my_model` has the same
    architecture with each `downsample` submodule named `shortcut`
    (`layer2.0.downsample.1.running_var` becomes
    `layer2.0.shortcut.1.running_var`). Every tensor of `my_model` is
    overwritten with a copy (not a shared view) of its counterpart; a
    name that has no counterpart is an error. `torch_model` is not
    modified. Returns `my_model`.
    """
    renamed = {
        name.replace(".downsample.", ".shortcut."): value
        for name, value in torch_model.state_dict().items()
    }
    my_model.load_state_dict(renamed)
    return my_model


# %%
arena_check.check("0.2", "copy_weights", copy_weights)

# %% [markdown]
# **Why this book does not load pretrained weights.** Every page runs offline in the build, and
# ImageNet-trained ResNet-34 weights are an 83 MB download from PyTorch's servers, so the networks on
# this page are randomly initialised. If you have internet access and torchvision, you can load the
# real weights yourself — an optional detour, never run here:
#
# ```python
# # Optional, needs internet and `pip install torchvision`; not executed in this book.
# from torchvision.models import ResNet34_Weights, resnet34
#
# weights = ResNet34_Weights.IMAGENET1K_V1
# pretrained = copy_weights(ResNet34(), resnet34(weights=weights)).eval()
# preprocess = weights.transforms()          # resize, crop, normalise as in training
# # logits = pretrained(preprocess(image)[None])  # image: a PIL image
# # print(weights.meta["categories"][logits.argmax()])
# ```
#
# ## Part 5 · A small ResNet on handwritten digits
#
# ResNet-34 is built for 224 × 224 photographs; our digits are 8 × 8, and its first convolution and
# max pool alone would shrink them to 2 × 2. So we build a small ResNet from the same parts: a 3×3
# stem convolution to 16 channels, a group of 3 blocks at 16 channels and 8 × 8, a group of 3 blocks
# at 32 channels and 4 × 4, average pooling and a linear classifier — 14 weighted layers. The
# comparison network is the same stack with the shortcuts removed: a plain CNN with the same
# convolutions, batch norms and nearly the same number of parameters (it lacks only the one
# projection shortcut). Both are trained identically with `arena_check.kit.training.fit` on
# `arena_check.kit.digits`, from the same seed: 8 epochs of Adam (learning rate $2 \cdot 10^{-3}$,
# batches of 128), about 10 s per network on one idle CPU thread.

# %% [markdown]
# ## Summary
#
# - Batch norm normalises each channel with the batch's mean and **biased** variance in training,
#   and with running estimates in eval. The running estimates are updated as
#   `(1 - momentum) · old + momentum · batch`, with the **unbiased** variance; eval mode changes no
#   state.
# - Learnable tensors are `nn.Parameter`s; saved-but-not-trained state is a buffer. Both are in the
#   `state_dict`, which is what copying weights works with.
# - A residual block adds a shortcut to two conv–BN layers and applies ReLU *after* the sum. The
#   shortcut is the identity when shapes match and a strided 1×1 conv with BN when they do not;
#   convolutions followed by BN have no bias.
# - ResNet-34 is a stem, four groups of [3, 4, 6, 3] basic blocks, global average pooling and a
#   linear layer: 21,797,672 parameters. Matching names and a parameter count are a fast, strong
#   check that an architecture is the published one; equal outputs after copying weights are the
#   final one.
#
# ## Further reading
#
# - Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun, [Deep Residual Learning for Image
#   Recognition](https://arxiv.org/abs/1512.03385), CVPR 2016 (arXiv:1512.03385) — the ResNet paper;
#   Table 1 is the architecture of this page, Figure 4 the plain-versus-residual comparison.
# - Sergey Ioffe, Christian Szegedy, [Batch Normalization: Accelerating Deep Network Training by
#   Reducing Internal Covariate Shift](https://arxiv.org/abs/1502.03167), ICML 2015
#   (arXiv:1502.03167) — batch norm, including the unbiased running variance for inference.
# - Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun, [Identity Mappings in Deep Residual
#   Networks](https://arxiv.org/abs/1603.05027), ECCV 2016 — why a clean identity path matters, and
#   the "pre-activation" block that transformers' pre-norm layers resemble.
# - [torch.nn.BatchNorm2d](https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html),
#   PyTorch documentation — the momentum convention and the biased/unbiased variances, stated
#   exactly.
