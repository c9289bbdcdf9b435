"""GENERATED from book/0_fundamentals/0.2_resnets.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import torch
from jaxtyping import Float
from torch import Tensor, nn

import arena_check


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


class AveragePool(nn.Module):
    """Global average pooling: `out[b, c]` is the mean of `x[b, c]` over
    height and width. Returns shape `(batch, channels)`; no parameters."""

    def forward(
        self, x: Float[Tensor, "batch channels height width"]
    ) -> Float[Tensor, "batch channels"]:
        return x.mean(dim=(2, 3))


def count_parameters(model: nn.Module) -> int:
    """The number of scalar parameters in `model`, as a Python int.

    Counts every `nn.Parameter` once (also frozen ones, with
    `requires_grad=False`, and a parameter shared by two submodules
    only once). Buffers (running statistics, counters) are not
    parameters and are not counted.
    """
    return sum(p.numel() for p in model.parameters())


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
