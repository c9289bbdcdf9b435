"""Section 0.2: each check passes the reference and rejects the stub and plausible mistakes.

The mutants are the batch-norm and ResNet bugs that run without an error: biased and unbiased
variances swapped, PyTorch's momentum convention flipped, eval mode that still uses (or updates)
batch statistics, a ReLU missing after the addition, a shortcut where the shapes already match,
the stride on the wrong convolution, a bias before batch norm. The alternatives are correct
solutions written differently from the reference.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "0.2"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "batchnorm_train": [
        ("unbiased variance for normalising", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=(0, 2, 3), keepdim=True)
                var = x.var(dim=(0, 2, 3), keepdim=True)
                return (x - mean) / torch.sqrt(var + eps) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
        """),
        ("statistics over the batch axis only", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=0, keepdim=True)
                var = x.var(dim=0, unbiased=False, keepdim=True)
                return (x - mean) / torch.sqrt(var + eps) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
        """),
        ("per-example statistics (instance norm)", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=(2, 3), keepdim=True)
                var = x.var(dim=(2, 3), unbiased=False, keepdim=True)
                return (x - mean) / torch.sqrt(var + eps) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
        """),
        ("eps outside the square root", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=(0, 2, 3), keepdim=True)
                var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
                return (x - mean) / (torch.sqrt(var) + eps) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
        """),
        ("weight and bias broadcast along the width axis", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=(0, 2, 3), keepdim=True)
                var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
                return (x - mean) / torch.sqrt(var + eps) * weight + bias
        """),
        ("statistics detached from the graph", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=(0, 2, 3), keepdim=True).detach()
                var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True).detach()
                return (x - mean) / torch.sqrt(var + eps) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
        """),
        ("eps ignored (hard-coded)", """
            def batchnorm_train(x, weight, bias, eps=1e-5):
                mean = x.mean(dim=(0, 2, 3), keepdim=True)
                var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
                return (x - mean) / torch.sqrt(var + 1e-5) * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)
        """),
    ],
    "update_running_stats": [
        ("momentum convention flipped", """
            def update_running_stats(running_mean, running_var, x, momentum=0.1):
                m, v = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
                return momentum * running_mean + (1 - momentum) * m, momentum * running_var + (1 - momentum) * v
        """),
        ("biased variance in the running estimate", """
            def update_running_stats(running_mean, running_var, x, momentum=0.1):
                m, v = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), unbiased=False)
                return (1 - momentum) * running_mean + momentum * m, (1 - momentum) * running_var + momentum * v
        """),
        ("updates the inputs in place", """
            def update_running_stats(running_mean, running_var, x, momentum=0.1):
                m, v = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
                running_mean.mul_(1 - momentum).add_(momentum * m)
                running_var.mul_(1 - momentum).add_(momentum * v)
                return running_mean, running_var
        """),
        ("returns (var, mean)", """
            def update_running_stats(running_mean, running_var, x, momentum=0.1):
                m, v = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
                return (1 - momentum) * running_var + momentum * v, (1 - momentum) * running_mean + momentum * m
        """),
        ("default momentum 0.9 (Keras's convention)", """
            def update_running_stats(running_mean, running_var, x, momentum=0.9):
                m, v = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
                return (1 - momentum) * running_mean + momentum * m, (1 - momentum) * running_var + momentum * v
        """),
        ("variance of the per-example means", """
            def update_running_stats(running_mean, running_var, x, momentum=0.1):
                m, v = x.mean(dim=(0, 2, 3)), x.mean(dim=(2, 3)).var(dim=0)
                return (1 - momentum) * running_mean + momentum * m, (1 - momentum) * running_var + momentum * v
        """),
    ],
    "batchnorm_eval": [
        ("uses the batch statistics", """
            def batchnorm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
                return batchnorm_train(x, weight, bias, eps)
        """),
        ("no eps", """
            def batchnorm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
                s = (1, -1, 1, 1)
                return (x - running_mean.view(s)) / running_var.view(s).sqrt() * weight.view(s) + bias.view(s)
        """),
        ("divides by the variance, not the standard deviation", """
            def batchnorm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
                s = (1, -1, 1, 1)
                return (x - running_mean.view(s)) / (running_var.view(s) + eps) * weight.view(s) + bias.view(s)
        """),
        ("(channels,) tensors broadcast along the width", """
            def batchnorm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
                return (x - running_mean) / torch.sqrt(running_var + eps) * weight + bias
        """),
    ],
    "BatchNorm2d": [
        ("momentum convention flipped in the module", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    with torch.no_grad():
                        self.running_mean, self.running_var = update_running_stats(
                            self.running_mean, self.running_var, x, 1 - self.momentum)
                        self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("biased variance in the running estimate", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    m = self.momentum
                    with torch.no_grad():
                        self.running_mean = (1 - m) * self.running_mean + m * x.mean(dim=(0, 2, 3))
                        self.running_var = (1 - m) * self.running_var + m * x.var(dim=(0, 2, 3), unbiased=False)
                        self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("eval mode uses the batch statistics", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if self.training:
                        with torch.no_grad():
                            self.running_mean, self.running_var = update_running_stats(
                                self.running_mean, self.running_var, x, self.momentum)
                            self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("updates the statistics in eval mode too", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        out = batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    else:
                        out = batchnorm_train(x, self.weight, self.bias, self.eps)
                    with torch.no_grad():
                        self.running_mean, self.running_var = update_running_stats(
                            self.running_mean, self.running_var, x, self.momentum)
                        self.num_batches_tracked += 1
                    return out
        """),
        ("num_batches_tracked never incremented", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    with torch.no_grad():
                        self.running_mean, self.running_var = update_running_stats(
                            self.running_mean, self.running_var, x, self.momentum)
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("running statistics registered as Parameters", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.running_mean = nn.Parameter(torch.zeros(num_features), requires_grad=False)
                    self.running_var = nn.Parameter(torch.ones(num_features), requires_grad=False)
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    with torch.no_grad():
                        m, v = update_running_stats(self.running_mean, self.running_var, x, self.momentum)
                        self.running_mean.copy_(m)
                        self.running_var.copy_(v)
                        self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("running statistics kept in the autograd graph", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    self.running_mean, self.running_var = update_running_stats(
                        self.running_mean, self.running_var, x, self.momentum)
                    self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("weight and bias plain tensors, not Parameters", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.register_buffer("weight", torch.ones(num_features))
                    self.register_buffer("bias", torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    with torch.no_grad():
                        self.running_mean, self.running_var = update_running_stats(
                            self.running_mean, self.running_var, x, self.momentum)
                        self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("momentum argument ignored", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps = eps
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
                    with torch.no_grad():
                        self.running_mean, self.running_var = update_running_stats(
                            self.running_mean, self.running_var, x)
                        self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("eval mode ignores the layer's eps", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if not self.training:
                        return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias)
                    with torch.no_grad():
                        self.running_mean, self.running_var = update_running_stats(
                            self.running_mean, self.running_var, x, self.momentum)
                        self.num_batches_tracked += 1
                    return batchnorm_train(x, self.weight, self.bias, self.eps)
        """),
        ("normalises with the running statistics in training mode too", """
            class BatchNorm2d(nn.Module):
                def __init__(self, num_features, eps=1e-5, momentum=0.1):
                    super().__init__()
                    self.eps, self.momentum = eps, momentum
                    self.weight = nn.Parameter(torch.ones(num_features))
                    self.bias = nn.Parameter(torch.zeros(num_features))
                    self.register_buffer("running_mean", torch.zeros(num_features))
                    self.register_buffer("running_var", torch.ones(num_features))
                    self.register_buffer("num_batches_tracked", torch.tensor(0))
                def forward(self, x):
                    if self.training:
                        with torch.no_grad():
                            self.running_mean, self.running_var = update_running_stats(
                                self.running_mean, self.running_var, x, self.momentum)
                            self.num_batches_tracked += 1
                    return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
        """),
    ],
    "make_shortcut": [
        ("a projection even when the shapes match", """
            def make_shortcut(in_feats, out_feats, stride):
                return nn.Sequential(nn.Conv2d(in_feats, out_feats, 1, stride=stride, bias=False), BatchNorm2d(out_feats))
        """),
        ("identity whenever the channels match, ignoring the stride", """
            def make_shortcut(in_feats, out_feats, stride):
                if in_feats == out_feats:
                    return None
                return nn.Sequential(nn.Conv2d(in_feats, out_feats, 1, stride=stride, bias=False), BatchNorm2d(out_feats))
        """),
        ("conv with a bias", """
            def make_shortcut(in_feats, out_feats, stride):
                if stride == 1 and in_feats == out_feats:
                    return None
                return nn.Sequential(nn.Conv2d(in_feats, out_feats, 1, stride=stride), BatchNorm2d(out_feats))
        """),
        ("stride forgotten on the projection", """
            def make_shortcut(in_feats, out_feats, stride):
                if stride == 1 and in_feats == out_feats:
                    return None
                return nn.Sequential(nn.Conv2d(in_feats, out_feats, 1, bias=False), BatchNorm2d(out_feats))
        """),
        ("no batch norm on the shortcut", """
            def make_shortcut(in_feats, out_feats, stride):
                if stride == 1 and in_feats == out_feats:
                    return None
                return nn.Sequential(nn.Conv2d(in_feats, out_feats, 1, stride=stride, bias=False))
        """),
        ("3×3 projection with padding 1", """
            def make_shortcut(in_feats, out_feats, stride):
                if stride == 1 and in_feats == out_feats:
                    return None
                return nn.Sequential(nn.Conv2d(in_feats, out_feats, 3, stride=stride, padding=1, bias=False),
                                     BatchNorm2d(out_feats))
        """),
    ],
    "ResidualBlock": [
        ("default first_stride 2", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=2):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    return self.relu(out + (x if self.shortcut is None else self.shortcut(x)))
        """),
        ("no ReLU after the addition", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    return out + (x if self.shortcut is None else self.shortcut(x))
        """),
        ("ReLU on the left branch before the addition instead of after", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))
                    return out + (x if self.shortcut is None else self.shortcut(x))
        """),
        ("stride on the second convolution", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    return self.relu(out + (x if self.shortcut is None else self.shortcut(x)))
        """),
        ("convolutions with biases", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    return self.relu(out + (x if self.shortcut is None else self.shortcut(x)))
        """),
        ("always a projection shortcut", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = nn.Sequential(
                        nn.Conv2d(in_feats, out_feats, 1, stride=first_stride, bias=False), BatchNorm2d(out_feats))
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    return self.relu(out + self.shortcut(x))
        """),
        ("no ReLU between the two convolutions", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.bn1(self.conv1(x))))
                    return self.relu(out + (x if self.shortcut is None else self.shortcut(x)))
        """),
        ("in-place addition onto the input (identity += out)", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    identity = x if self.shortcut is None else self.shortcut(x)
                    identity += out
                    return self.relu(identity)
        """),
        ("shortcut applied to the left branch's output", """
            class ResidualBlock(nn.Module):
                def __init__(self, in_feats, out_feats, first_stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_feats, out_feats, 3, stride=first_stride, padding=1, bias=False)
                    self.bn1 = BatchNorm2d(out_feats)
                    self.relu = nn.ReLU()
                    self.conv2 = nn.Conv2d(out_feats, out_feats, 3, padding=1, bias=False)
                    self.bn2 = BatchNorm2d(out_feats)
                    self.shortcut = make_shortcut(in_feats, out_feats, first_stride)
                def forward(self, x):
                    out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
                    return self.relu(out + (x if self.shortcut is None else out))
        """),
    ],
    "BlockGroup": [
        ("every block strided", """
            class BlockGroup(nn.Sequential):
                def __init__(self, n_blocks, in_feats, out_feats, first_stride=1):
                    blocks = [ResidualBlock(in_feats, out_feats, first_stride)]
                    blocks += [ResidualBlock(out_feats, out_feats, first_stride) for _ in range(n_blocks - 1)]
                    super().__init__(*blocks)
        """),
        ("one block too many", """
            class BlockGroup(nn.Sequential):
                def __init__(self, n_blocks, in_feats, out_feats, first_stride=1):
                    blocks = [ResidualBlock(in_feats, out_feats, first_stride)]
                    blocks += [ResidualBlock(out_feats, out_feats) for _ in range(n_blocks)]
                    super().__init__(*blocks)
        """),
        ("stride on the last block instead of the first", """
            class BlockGroup(nn.Sequential):
                def __init__(self, n_blocks, in_feats, out_feats, first_stride=1):
                    if n_blocks == 1:
                        super().__init__(ResidualBlock(in_feats, out_feats, first_stride))
                        return
                    blocks = [ResidualBlock(in_feats, out_feats)]
                    blocks += [ResidualBlock(out_feats, out_feats) for _ in range(n_blocks - 2)]
                    blocks.append(ResidualBlock(out_feats, out_feats, first_stride))
                    super().__init__(*blocks)
        """),
        ("blocks kept in a child Sequential (names blocks.0…)", """
            class BlockGroup(nn.Sequential):
                def __init__(self, n_blocks, in_feats, out_feats, first_stride=1):
                    blocks = [ResidualBlock(in_feats, out_feats, first_stride)]
                    blocks += [ResidualBlock(out_feats, out_feats) for _ in range(n_blocks - 1)]
                    super().__init__()
                    self.blocks = nn.Sequential(*blocks)
        """),
        ("default stride 2", """
            class BlockGroup(nn.Sequential):
                def __init__(self, n_blocks, in_feats, out_feats, first_stride=2):
                    blocks = [ResidualBlock(in_feats, out_feats, first_stride)]
                    blocks += [ResidualBlock(out_feats, out_feats) for _ in range(n_blocks - 1)]
                    super().__init__(*blocks)
        """),
    ],
    "AveragePool": [
        ("keeps the 1×1 spatial axes", """
            class AveragePool(nn.Module):
                def forward(self, x):
                    return x.mean(dim=(2, 3), keepdim=True)
        """),
        ("sum instead of mean", """
            class AveragePool(nn.Module):
                def forward(self, x):
                    return x.sum(dim=(2, 3))
        """),
        ("max instead of mean", """
            class AveragePool(nn.Module):
                def forward(self, x):
                    return x.amax(dim=(2, 3))
        """),
        ("averages over channels and height", """
            class AveragePool(nn.Module):
                def forward(self, x):
                    return x.mean(dim=(1, 2))
        """),
    ],
    "count_parameters": [
        ("counts buffers too (state_dict)", """
            def count_parameters(model):
                return sum(v.numel() for v in model.state_dict().values())
        """),
        ("counts only trainable parameters", """
            def count_parameters(model):
                return sum(p.numel() for p in model.parameters() if p.requires_grad)
        """),
        ("counts a shared parameter twice", """
            def count_parameters(model):
                return sum(p.numel() for m in model.modules() for p in m.parameters(recurse=False))
        """),
        ("counts tensors, not numbers", """
            def count_parameters(model):
                return len(list(model.parameters()))
        """),
        ("returns a tensor", """
            def count_parameters(model):
                return torch.tensor(sum(p.numel() for p in model.parameters()))
        """),
    ],
    "ResNet34": [
        ("biases on every convolution", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2, 1)
                    in_feats = 64
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"layer{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(in_feats, n_classes)
                def forward(self, x):
                    for m in self.children():
                        x = m(x)
                    return x
        """),
        ("no max pool in forward", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2, 1)
                    in_feats = 64
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"layer{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(in_feats, n_classes)
                def forward(self, x):
                    for m in self.children():
                        if not isinstance(m, nn.MaxPool2d):
                            x = m(x)
                    return x
        """),
        ("max pool without padding", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2)
                    in_feats = 64
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"layer{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(in_feats, n_classes)
                def forward(self, x):
                    for m in self.children():
                        x = m(x)
                    return x
        """),
        ("layer1's input taken as its own width (64 hard-coded away)", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2, 1)
                    in_feats = out_features_per_group[0]
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"layer{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(in_feats, n_classes)
                def forward(self, x):
                    for m in self.children():
                        x = m(x)
                    return x
        """),
        ("no ReLU after the stem's batch norm", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2, 1)
                    in_feats = 64
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"layer{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(in_feats, n_classes)
                def forward(self, x):
                    x = self.maxpool(self.bn1(self.conv1(x)))
                    for m in (self.layer1, self.layer2, self.layer3, self.layer4):
                        x = m(x)
                    return self.fc(self.avgpool(x))
        """),
        ("fc hard-coded to 512 inputs", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2, 1)
                    in_feats = 64
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"layer{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(512, n_classes)
                def forward(self, x):
                    for m in self.children():
                        x = m(x)
                    return x
        """),
        ("groups named group1 … group4", """
            class ResNet34(nn.Module):
                def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                             first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                    super().__init__()
                    self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
                    self.bn1 = BatchNorm2d(64)
                    self.relu = nn.ReLU()
                    self.maxpool = nn.MaxPool2d(3, 2, 1)
                    in_feats = 64
                    for i, (n, out, s) in enumerate(zip(n_blocks_per_group, out_features_per_group, first_strides_per_group)):
                        setattr(self, f"group{i + 1}", BlockGroup(n, in_feats, out, s))
                        in_feats = out
                    self.avgpool = AveragePool()
                    self.fc = nn.Linear(in_feats, n_classes)
                def forward(self, x):
                    for m in self.children():
                        x = m(x)
                    return x
        """),
    ],
    "copy_weights": [
        ("parameters only, buffers left behind", """
            def copy_weights(my_model, torch_model):
                with torch.no_grad():
                    for mine, theirs in zip(my_model.parameters(), torch_model.parameters()):
                        mine.copy_(theirs)
                return my_model
        """),
        ("no renaming, strict=False (the shortcuts stay random)", """
            def copy_weights(my_model, torch_model):
                my_model.load_state_dict(torch_model.state_dict(), strict=False)
                return my_model
        """),
        ("shares the tensors instead of copying", """
            def copy_weights(my_model, torch_model):
                renamed = {k.replace(".downsample.", ".shortcut."): v for k, v in torch_model.state_dict().items()}
                my_model.load_state_dict(renamed, assign=True)
                return my_model
        """),
        ("returns nothing", """
            def copy_weights(my_model, torch_model):
                renamed = {k.replace(".downsample.", ".shortcut."): v for k, v in torch_model.state_dict().items()}
                my_model.load_state_dict(renamed)
        """),
        ("copies in the wrong direction", """
            def copy_weights(my_model, torch_model):
                renamed = {k.replace(".shortcut.", ".downsample."): v for k, v in my_model.state_dict().items()}
                torch_model.load_state_dict(renamed)
                return my_model
        """),
    ],
}

ALTERNATIVES: dict[str, list[tuple[str, str]]] = {
    "batchnorm_train": [("einops and an explicit biased variance", """
        def batchnorm_train(x, weight, bias, eps=1e-5):
            from einops import rearrange
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
            w = rearrange(weight, "c -> 1 c 1 1")
            b = rearrange(bias, "c -> 1 c 1 1")
            return w * (x - mean) * torch.rsqrt(var + eps) + b
    """), ("torch.var_mean with correction=0", """
        def batchnorm_train(x, weight, bias, eps=1e-5):
            var, mean = torch.var_mean(x, dim=(0, 2, 3), correction=0, keepdim=True)
            return (x - mean) / (var + eps).sqrt() * weight[:, None, None] + bias[:, None, None]
    """)],
    "update_running_stats": [("lerp and an explicit N - 1", """
        def update_running_stats(running_mean, running_var, x, momentum=0.1):
            n = x.numel() // x.shape[1]
            mean = x.mean(dim=(0, 2, 3))
            var = ((x - mean[None, :, None, None]) ** 2).sum(dim=(0, 2, 3)) / (n - 1)
            return torch.lerp(running_mean, mean, momentum), torch.lerp(running_var, var, momentum)
    """)],
    "batchnorm_eval": [("scale and shift folded first", """
        def batchnorm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
            scale = weight / torch.sqrt(running_var + eps)
            shift = bias - running_mean * scale
            return x * scale[:, None, None] + shift[:, None, None]
    """)],
    "BatchNorm2d": [("in-place buffer updates, formulas inline", """
        class BatchNorm2d(nn.Module):
            def __init__(self, num_features, eps=1e-5, momentum=0.1):
                super().__init__()
                self.eps, self.momentum = eps, momentum
                self.weight = nn.Parameter(torch.ones(num_features))
                self.bias = nn.Parameter(torch.zeros(num_features))
                self.register_buffer("running_mean", torch.zeros(num_features))
                self.register_buffer("running_var", torch.ones(num_features))
                self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

            def forward(self, x):
                if self.training:
                    mean = x.mean(dim=(0, 2, 3))
                    var = x.var(dim=(0, 2, 3), unbiased=False)
                    n = x.numel() / x.shape[1]
                    with torch.no_grad():
                        self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                        self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
                        self.num_batches_tracked.add_(1)
                else:
                    mean, var = self.running_mean, self.running_var
                x_hat = (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
                return x_hat * self.weight[:, None, None] + self.bias[:, None, None]
    """)],
    "make_shortcut": [("or-condition, Sequential built from a list", """
        def make_shortcut(in_feats, out_feats, stride):
            if stride != 1 or in_feats != out_feats:
                layers = [nn.Conv2d(in_feats, out_feats, kernel_size=(1, 1), stride=(stride, stride), padding=0, bias=False)]
                layers.append(BatchNorm2d(out_feats))
                return nn.Sequential(*layers)
            return None
    """)],
    "ResidualBlock": [("functional relu, explicit branches", """
        class ResidualBlock(nn.Module):
            def __init__(self, in_feats, out_feats, first_stride=1):
                super().__init__()
                self.conv1 = nn.Conv2d(in_feats, out_feats, kernel_size=3, stride=first_stride, padding=1, bias=False)
                self.bn1 = BatchNorm2d(out_feats)
                self.relu = nn.ReLU(inplace=False)
                self.conv2 = nn.Conv2d(out_feats, out_feats, kernel_size=3, padding=1, bias=False)
                self.bn2 = BatchNorm2d(out_feats)
                self.shortcut = make_shortcut(in_feats, out_feats, first_stride)

            def forward(self, x):
                left = torch.relu(self.bn1(self.conv1(x)))
                left = self.bn2(self.conv2(left))
                right = self.shortcut(x) if self.shortcut is not None else x
                return torch.relu(left + right)
    """)],
    "BlockGroup": [("add_module in a loop", """
        class BlockGroup(nn.Sequential):
            def __init__(self, n_blocks, in_feats, out_feats, first_stride=1):
                super().__init__()
                for i in range(n_blocks):
                    if i == 0:
                        block = ResidualBlock(in_feats, out_feats, first_stride)
                    else:
                        block = ResidualBlock(out_feats, out_feats, 1)
                    self.add_module(str(i), block)
    """)],
    "AveragePool": [("flatten then mean", """
        class AveragePool(nn.Module):
            def forward(self, x):
                return x.flatten(start_dim=2).mean(dim=-1)
    """), ("einops reduce", """
        class AveragePool(nn.Module):
            def forward(self, x):
                from einops import reduce
                return reduce(x, "b c h w -> b c", "mean")
    """)],
    "count_parameters": [("a loop over named_parameters", """
        def count_parameters(model):
            total = 0
            for _, p in model.named_parameters():
                total += p.numel()
            return total
    """)],
    "ResNet34": [("four explicit groups and an explicit forward", """
        class ResNet34(nn.Module):
            def __init__(self, n_blocks_per_group=(3, 4, 6, 3), out_features_per_group=(64, 128, 256, 512),
                         first_strides_per_group=(1, 2, 2, 2), n_classes=1000):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
                self.bn1 = BatchNorm2d(64)
                self.relu = nn.ReLU()
                self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
                ins = [64, *out_features_per_group[:-1]]
                for i in range(len(n_blocks_per_group)):
                    group = BlockGroup(n_blocks_per_group[i], ins[i], out_features_per_group[i], first_strides_per_group[i])
                    self.add_module(f"layer{i + 1}", group)
                self.avgpool = AveragePool()
                self.fc = nn.Linear(out_features_per_group[-1], n_classes)
                self.n_groups = len(n_blocks_per_group)

            def forward(self, x):
                x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
                for i in range(self.n_groups):
                    x = getattr(self, f"layer{i + 1}")(x)
                return self.fc(self.avgpool(x))
    """)],
    "copy_weights": [("zip of state_dicts in order, with copy_", """
        def copy_weights(my_model, torch_model):
            mine = my_model.state_dict()
            theirs = torch_model.state_dict()
            with torch.no_grad():
                for (k_mine, v_mine), (k_theirs, v_theirs) in zip(mine.items(), theirs.items()):
                    assert k_mine == k_theirs.replace("downsample", "shortcut")
                    v_mine.copy_(v_theirs)
            return my_model
    """)],
}

# Correct solutions found by grading the page as a learner would (written from the page alone).
ALTERNATIVES["batchnorm_eval"].append(("F.batch_norm in eval mode", """
    def batchnorm_eval(x, running_mean, running_var, weight, bias, eps=1e-5):
        return torch.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training=False, eps=eps)
"""))
ALTERNATIVES["ResidualBlock"].append(("in-place ReLU and out += identity, torchvision style", """
    class ResidualBlock(nn.Module):
        def __init__(self, in_feats, out_feats, first_stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_feats, out_feats, 3, first_stride, 1, bias=False)
            self.bn1 = BatchNorm2d(out_feats)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(out_feats, out_feats, 3, 1, 1, bias=False)
            self.bn2 = BatchNorm2d(out_feats)
            self.shortcut = make_shortcut(in_feats, out_feats, first_stride)

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.shortcut is not None:
                identity = self.shortcut(x)
            out += identity
            return self.relu(out)
"""))
ALTERNATIVES["copy_weights"].append(("keys of my model mapped back, cloned, assign=True", """
    def copy_weights(my_model, torch_model):
        theirs = torch_model.state_dict()
        new = {k: theirs[k.replace("shortcut", "downsample")].clone() for k in my_model.state_dict()}
        my_model.load_state_dict(new, assign=True)
        return my_model
"""))
ALTERNATIVES["BatchNorm2d"].append(("x detached, buffers updated with copy_ outside no_grad", """
    class BatchNorm2d(nn.Module):
        def __init__(self, num_features, eps=1e-5, momentum=0.1):
            super().__init__()
            self.eps, self.momentum = eps, momentum
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.int64))

        def forward(self, x):
            if self.training:
                m, v = update_running_stats(self.running_mean, self.running_var, x.detach(), self.momentum)
                self.running_mean.copy_(m)
                self.running_var.copy_(v)
                self.num_batches_tracked += 1
                return batchnorm_train(x, self.weight, self.bias, self.eps)
            return batchnorm_eval(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)
"""))

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
