"""Section 0.1: each check passes the reference and rejects the stub and plausible mistakes.

Mutants are modules and loops a learner could plausibly write: most run, return the right shape,
and are wrong only in a layout, a default, an initialisation bound, a stride, a padding value or a
missing ``model.eval()`` — the mistakes nothing crashes on. Alternatives are correct solutions in
another style (unfold instead of as_strided, torch.where instead of a mask, a Sequential subclass
for the networks), which every check must accept.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "0.1"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "relu": [
        ("calls torch.relu (the rule)", """
            def relu(x):
                return torch.relu(x)
        """),
        ("in place: clamps the input", """
            def relu(x):
                return x.clamp_(min=0)
        """),
        ("leaky: keeps a bit of the negatives", """
            def relu(x):
                return torch.where(x > 0, x, 0.01 * x)
        """),
        ("no gradient: built from a fresh tensor", """
            def relu(x):
                return torch.tensor((x * (x > 0)).tolist(), dtype=x.dtype)
        """),
        ("returns a float32 mask product (dtype changes for float64)", """
            def relu(x):
                return x.float() * (x > 0)
        """),
    ],
    "ReLU": [
        ("subclasses nn.ReLU", """
            class ReLU(nn.ReLU):
                pass
        """),
        ("absolute value instead of ReLU", """
            class ReLU(nn.Module):
                def forward(self, x):
                    return x.abs()
        """),
        ("calls F.relu", """
            class ReLU(nn.Module):
                def forward(self, x):
                    return F.relu(x)
        """),
    ],
    "Linear": [
        ("weight stored as (in, out)", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight
                    return out + self.bias if self.bias is not None else out
        """),
        ("weight not transposed in forward (square layers only run)", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight
                    return out + self.bias if self.bias is not None else out
        """),
        ("weight kept as a plain tensor (not registered)", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = torch.empty(out_features, in_features).uniform_(-bound, bound)
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("bias initialised to zero", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("init bound from out_features", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(out_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("normal init with std = bound (exceeds the bound)", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.randn(out_features, in_features) * bound)
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("uniform in [0, bound) (torch.rand)", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.rand(out_features, in_features) * bound)
                    self.bias = nn.Parameter(torch.rand(out_features) * bound) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
        ("bias=False registers a zero bias instead of None", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    b = torch.empty(out_features).uniform_(-bound, bound) if bias else torch.zeros(out_features)
                    self.bias = nn.Parameter(b)
                def forward(self, x):
                    return x @ self.weight.T + self.bias
        """),
        ("forward uses a detached copy of the weight", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight.detach().T
                    return out + self.bias if self.bias is not None else out
        """),
        ("forward calls F.linear (the rule)", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    return F.linear(x, self.weight, self.bias)
        """),
        ("subclasses nn.Linear", """
            class Linear(nn.Linear):
                pass
        """),
        ("default bias=False", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=False):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    out = x @ self.weight.T
                    return out + self.bias if self.bias is not None else out
        """),
    ],
    "Flatten": [
        ("end_dim excluded (Python slice habit)", """
            class Flatten(nn.Module):
                def __init__(self, start_dim=1, end_dim=-1):
                    super().__init__()
                    self.start_dim, self.end_dim = start_dim, end_dim
                def forward(self, x):
                    s, e = self.start_dim % x.ndim, self.end_dim % x.ndim
                    shape = tuple(x.shape)
                    return x.reshape(shape[:s] + (math.prod(shape[s:e]),) + shape[e:])
        """),
        ("always flattens everything after the batch axis", """
            class Flatten(nn.Module):
                def __init__(self, start_dim=1, end_dim=-1):
                    super().__init__()
                def forward(self, x):
                    return x.reshape(x.shape[0], -1)
        """),
        ("view (fails on non-contiguous input)", """
            class Flatten(nn.Module):
                def __init__(self, start_dim=1, end_dim=-1):
                    super().__init__()
                    self.start_dim, self.end_dim = start_dim, end_dim
                def forward(self, x):
                    s, e = self.start_dim % x.ndim, self.end_dim % x.ndim
                    shape = tuple(x.shape)
                    return x.view(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])
        """),
        ("default start_dim=0", """
            class Flatten(nn.Module):
                def __init__(self, start_dim=0, end_dim=-1):
                    super().__init__()
                    self.start_dim, self.end_dim = start_dim, end_dim
                def forward(self, x):
                    s, e = self.start_dim % x.ndim, self.end_dim % x.ndim
                    shape = tuple(x.shape)
                    return x.reshape(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])
        """),
        ("calls Tensor.flatten (the rule)", """
            class Flatten(nn.Module):
                def __init__(self, start_dim=1, end_dim=-1):
                    super().__init__()
                    self.start_dim, self.end_dim = start_dim, end_dim
                def forward(self, x):
                    return x.flatten(self.start_dim, self.end_dim)
        """),
    ],
    "Sequential": [
        ("modules kept in a Python list (no parameters)", """
            class Sequential(nn.Module):
                def __init__(self, *modules):
                    super().__init__()
                    self.mods = list(modules)
                def forward(self, x):
                    for m in self.mods:
                        x = m(x)
                    return x
        """),
        ("nn.ModuleList attribute (keys 'layers.0.weight')", """
            class Sequential(nn.Module):
                def __init__(self, *modules):
                    super().__init__()
                    self.layers = nn.ModuleList(modules)
                def forward(self, x):
                    for m in self.layers:
                        x = m(x)
                    return x
        """),
        ("applies the modules in reverse order", """
            class Sequential(nn.Module):
                def __init__(self, *modules):
                    super().__init__()
                    for i, m in enumerate(modules):
                        self.add_module(str(i), m)
                def forward(self, x):
                    for m in reversed(list(self.children())):
                        x = m(x)
                    return x
        """),
        ("skips the last module", """
            class Sequential(nn.Module):
                def __init__(self, *modules):
                    super().__init__()
                    for i, m in enumerate(modules):
                        self.add_module(str(i), m)
                def forward(self, x):
                    for m in list(self.children())[:-1]:
                        x = m(x)
                    return x
        """),
        ("names counted from 1", """
            class Sequential(nn.Module):
                def __init__(self, *modules):
                    super().__init__()
                    for i, m in enumerate(modules):
                        self.add_module(str(i + 1), m)
                def forward(self, x):
                    for m in self.children():
                        x = m(x)
                    return x
        """),
        ("subclasses nn.Sequential", """
            class Sequential(nn.Sequential):
                pass
        """),
    ],
    "pad2d": [
        ("pads only the bottom and right", """
            def pad2d(x, pad_h, pad_w, value=0.0):
                *lead, h, w = x.shape
                out = x.new_full((*lead, h + 2 * pad_h, w + 2 * pad_w), value)
                out[..., :h, :w] = x
                return out
        """),
        ("height and width swapped", """
            def pad2d(x, pad_h, pad_w, value=0.0):
                *lead, h, w = x.shape
                out = x.new_full((*lead, h + 2 * pad_w, w + 2 * pad_h), value)
                out[..., pad_w:pad_w + h, pad_h:pad_h + w] = x
                return out
        """),
        ("ignores value (always zeros)", """
            def pad2d(x, pad_h, pad_w, value=0.0):
                *lead, h, w = x.shape
                out = x.new_zeros((*lead, h + 2 * pad_h, w + 2 * pad_w))
                out[..., pad_h:pad_h + h, pad_w:pad_w + w] = x
                return out
        """),
        ("float32 output whatever the input dtype", """
            def pad2d(x, pad_h, pad_w, value=0.0):
                *lead, h, w = x.shape
                out = torch.full((*lead, h + 2 * pad_h, w + 2 * pad_w), value)
                out[..., pad_h:pad_h + h, pad_w:pad_w + w] = x
                return out
        """),
        ("calls F.pad (the rule)", """
            def pad2d(x, pad_h, pad_w, value=0.0):
                return F.pad(x, (pad_w, pad_w, pad_h, pad_h), value=value)
        """),
        ("copies x.detach() in (no gradient)", """
            def pad2d(x, pad_h, pad_w, value=0.0):
                *lead, h, w = x.shape
                out = x.new_full((*lead, h + 2 * pad_h, w + 2 * pad_w), value)
                out[..., pad_h:pad_h + h, pad_w:pad_w + w] = x.detach()
                return out
        """),
    ],
    "conv2d": [
        ("calls F.conv2d (the rule)", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                return F.conv2d(x, weight, bias, stride, padding)
        """),
        ("pads only when needed, then assumes a contiguous layout (strides computed from the shape)", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                if ph or pw:
                    x = pad2d(x, ph, pw)
                B, C, H, W = x.shape
                O, _, kh, kw = weight.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                win = x.as_strided((B, C, oh, ow, kh, kw), (C * H * W, H * W, W * sh, sw, W, 1))
                out = einsum(win, weight, "b c i j u v, o c u v -> b o i j")
                return out if bias is None else out + bias[:, None, None]
        """),
        ("stride ignored in the window view", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw)
                B, C, H, W = x.shape
                O, _, kh, kw = weight.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b_, c, d = x.stride()
                win = x.as_strided((B, C, oh, ow, kh, kw), (a, b_, c, d, c, d))
                out = einsum(win, weight, "b c i j u v, o c u v -> b o i j")
                return out if bias is None else out + bias[:, None, None]
        """),
        ("kernel flipped (true convolution, not cross-correlation)", """
            ref_conv2d = conv2d
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                return ref_conv2d(x, weight.flip(-1, -2), bias, stride, padding)
        """),
        ("output size off by one (no + 1)", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw)
                B, C, H, W = x.shape
                O, _, kh, kw = weight.shape
                oh, ow = (H - kh) // sh, (W - kw) // sw
                a, b_, c, d = x.stride()
                win = x.as_strided((B, C, oh, ow, kh, kw), (a, b_, c * sh, d * sw, c, d))
                out = einsum(win, weight, "b c i j u v, o c u v -> b o i j")
                return out if bias is None else out + bias[:, None, None]
        """),
        ("bias added along the last axis", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw)
                B, C, H, W = x.shape
                O, _, kh, kw = weight.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b_, c, d = x.stride()
                win = x.as_strided((B, C, oh, ow, kh, kw), (a, b_, c * sh, d * sw, c, d))
                out = einsum(win, weight, "b c i j u v, o c u v -> b o i j")
                return out if bias is None else out + bias
        """),
        ("kernel height and width swapped in the contraction", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw)
                B, C, H, W = x.shape
                O, _, kh, kw = weight.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b_, c, d = x.stride()
                win = x.as_strided((B, C, oh, ow, kh, kw), (a, b_, c * sh, d * sw, c, d))
                out = einsum(win, weight, "b c i j u v, o c v u -> b o i j")
                return out if bias is None else out + bias[:, None, None]
        """),
        ("no gradient: computed on detached inputs", """
            ref_conv2d = conv2d
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                return ref_conv2d(x.detach(), weight.detach(), None if bias is None else bias.detach(), stride, padding)
        """),
    ],
    "Conv2d": [
        ("subclasses nn.Conv2d", """
            class Conv2d(nn.Conv2d):
                pass
        """),
        ("wraps nn.Conv2d (parameter names 'conv.weight')", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias=bias)
                def forward(self, x):
                    return self.conv(x)
        """),
        ("fan-in without the kernel area", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    kh, kw = as_pair(kernel_size)
                    self.stride, self.padding = stride, padding
                    bound = 1 / math.sqrt(in_channels)
                    self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    return conv2d(x, self.weight, self.bias, self.stride, self.padding)
        """),
        ("ignores stride and padding in forward", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    kh, kw = as_pair(kernel_size)
                    bound = 1 / math.sqrt(in_channels * kh * kw)
                    self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    return conv2d(x, self.weight, self.bias)
        """),
        ("weight stored as (in, out, kh, kw)", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    kh, kw = as_pair(kernel_size)
                    self.stride, self.padding = stride, padding
                    bound = 1 / math.sqrt(in_channels * kh * kw)
                    self.weight = nn.Parameter(torch.empty(in_channels, out_channels, kh, kw).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    return conv2d(x, self.weight.transpose(0, 1), self.bias, self.stride, self.padding)
        """),
        ("bias always registered (bias=False ignored)", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    kh, kw = as_pair(kernel_size)
                    self.stride, self.padding = stride, padding
                    bound = 1 / math.sqrt(in_channels * kh * kw)
                    self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound))
                def forward(self, x):
                    return conv2d(x, self.weight, self.bias, self.stride, self.padding)
        """),
        ("zero bias init", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    kh, kw = as_pair(kernel_size)
                    self.stride, self.padding = stride, padding
                    bound = 1 / math.sqrt(in_channels * kh * kw)
                    self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
                def forward(self, x):
                    return conv2d(x, self.weight, self.bias, self.stride, self.padding)
        """),
        ("forward calls F.conv2d (the rule)", """
            class Conv2d(nn.Module):
                def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                    super().__init__()
                    kh, kw = as_pair(kernel_size)
                    self.stride, self.padding = stride, padding
                    bound = 1 / math.sqrt(in_channels * kh * kw)
                    self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
                    self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)
        """),
    ],
    "maxpool2d": [
        ("zero padding instead of -inf", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = as_pair(kernel_size)
                sh, sw = as_pair(kernel_size if stride is None else stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw)
                B, C, H, W = x.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b, c, d = x.stride()
                return x.as_strided((B, C, oh, ow, kh, kw), (a, b, c * sh, d * sw, c, d)).amax(dim=(-2, -1))
        """),
        ("default stride 1", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = as_pair(kernel_size)
                sh, sw = as_pair(1 if stride is None else stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw, value=float("-inf"))
                B, C, H, W = x.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b, c, d = x.stride()
                return x.as_strided((B, C, oh, ow, kh, kw), (a, b, c * sh, d * sw, c, d)).amax(dim=(-2, -1))
        """),
        ("non-overlapping windows only (reshape pooling, stride ignored)", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = as_pair(kernel_size)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw, value=float("-inf"))
                B, C, H, W = x.shape
                x = x[..., : H // kh * kh, : W // kw * kw]
                return x.reshape(B, C, H // kh, kh, W // kw, kw).amax(dim=(3, 5))
        """),
        ("mean instead of max", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = as_pair(kernel_size)
                sh, sw = as_pair(kernel_size if stride is None else stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw, value=float("-inf"))
                B, C, H, W = x.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b, c, d = x.stride()
                return x.as_strided((B, C, oh, ow, kh, kw), (a, b, c * sh, d * sw, c, d)).mean(dim=(-2, -1))
        """),
        ("calls F.max_pool2d (the rule)", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                return F.max_pool2d(x, kernel_size, stride, padding)
        """),
        ("kernel height and width swapped", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kw, kh = as_pair(kernel_size)
                sh, sw = as_pair(kernel_size if stride is None else stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw, value=float("-inf"))
                B, C, H, W = x.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                a, b, c, d = x.stride()
                return x.as_strided((B, C, oh, ow, kh, kw), (a, b, c * sh, d * sw, c, d)).amax(dim=(-2, -1))
        """),
    ],
    "MaxPool2d": [
        ("subclasses nn.MaxPool2d", """
            class MaxPool2d(nn.MaxPool2d):
                pass
        """),
        ("default stride 1", """
            class MaxPool2d(nn.Module):
                def __init__(self, kernel_size, stride=1, padding=0):
                    super().__init__()
                    self.args = (kernel_size, stride, padding)
                def forward(self, x):
                    return maxpool2d(x, *self.args)
        """),
        ("padding ignored", """
            class MaxPool2d(nn.Module):
                def __init__(self, kernel_size, stride=None, padding=0):
                    super().__init__()
                    self.kernel_size, self.stride = kernel_size, stride
                def forward(self, x):
                    return maxpool2d(x, self.kernel_size, self.stride)
        """),
        ("uses F.max_pool2d (the rule)", """
            class MaxPool2d(nn.Module):
                def __init__(self, kernel_size, stride=None, padding=0):
                    super().__init__()
                    self.args = (kernel_size, stride, padding)
                def forward(self, x):
                    return F.max_pool2d(x, *self.args)
        """),
    ],
    "train_epoch": [
        ("no zero_grad: gradients accumulate", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                total, count = 0.0, 0
                for x, y in loader:
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(y)
                    count += len(y)
                return total / count
        """),
        ("mean of the batch means", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                losses = []
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.item())
                return sum(losses) / len(losses)
        """),
        ("never calls model.train()", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                total, count = 0.0, 0
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(y)
                    count += len(y)
                return total / count
        """),
        ("ignores loss_fn", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                total, count = 0.0, 0
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = F.cross_entropy(model(x), y)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(y)
                    count += len(y)
                return total / count
        """),
        ("returns the last batch's loss", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                return loss.item()
        """),
        ("returns a tensor", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                total, count = 0.0, 0
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    total = total + loss.detach() * len(y)
                    count += len(y)
                return total / count
        """),
        ("zero_grad after backward (no update)", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                total, count = 0.0, 0
                for x, y in loader:
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.zero_grad()
                    optimizer.step()
                    total += loss.item() * len(y)
                    count += len(y)
                return total / count
        """),
    ],
    "evaluate": [
        ("restores the previous training mode (the docstring says: leave it in eval mode)", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                was_training = model.training
                model.eval()
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += loss_fn(logits, y).item() * len(y)
                        correct += (logits.argmax(-1) == y).sum().item()
                        count += len(y)
                model.train(was_training)
                return total / count, correct / count
        """),
        ("never calls model.eval()", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += loss_fn(logits, y).item() * len(y)
                        correct += (logits.argmax(-1) == y).sum().item()
                        count += len(y)
                return total / count, correct / count
        """),
        ("no torch.no_grad()", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                total, correct, count = 0.0, 0, 0
                for x, y in loader:
                    logits = model(x)
                    total += loss_fn(logits, y).item() * len(y)
                    correct += (logits.argmax(-1) == y).sum().item()
                    count += len(y)
                return total / count, correct / count
        """),
        ("mean of per-batch accuracies", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                total, count, accs = 0.0, 0, []
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += loss_fn(logits, y).item() * len(y)
                        accs.append((logits.argmax(-1) == y).float().mean().item())
                        count += len(y)
                return total / count, sum(accs) / len(accs)
        """),
        ("mean of per-batch losses", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                losses, correct, count = [], 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        losses.append(loss_fn(logits, y).item())
                        correct += (logits.argmax(-1) == y).sum().item()
                        count += len(y)
                return sum(losses) / len(losses), correct / count
        """),
        ("accuracy as a percentage", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += loss_fn(logits, y).item() * len(y)
                        correct += (logits.argmax(-1) == y).sum().item()
                        count += len(y)
                return total / count, 100 * correct / count
        """),
        ("argmax over the batch axis", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += loss_fn(logits, y).item() * len(y)
                        correct += (logits.argmax(0)[: len(y)] == y).sum().item()
                        count += len(y)
                return total / count, correct / count
        """),
        ("accuracy returned as a tensor", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += loss_fn(logits, y).item() * len(y)
                        correct = correct + (logits.argmax(-1) == y).sum()
                        count += len(y)
                return total / count, correct / count
        """),
        ("ignores loss_fn", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                total, correct, count = 0.0, 0, 0
                with torch.no_grad():
                    for x, y in loader:
                        logits = model(x)
                        total += F.cross_entropy(logits, y).item() * len(y)
                        correct += (logits.argmax(-1) == y).sum().item()
                        count += len(y)
                return total / count, correct / count
        """),
    ],
    "MLP": [
        ("a ReLU on the flattened input as well", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.layers = Sequential(Flatten(), ReLU(), Linear(64, hidden), ReLU(),
                                             Linear(hidden, hidden), ReLU(), Linear(hidden, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("torch layers instead of your own", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.layers = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(),
                                                nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("one ReLU missing", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.layers = Sequential(Flatten(), Linear(64, hidden), ReLU(),
                                             Linear(hidden, hidden), Linear(hidden, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("a ReLU after the output layer", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.layers = Sequential(Flatten(), Linear(64, hidden), ReLU(),
                                             Linear(hidden, hidden), ReLU(), Linear(hidden, 10), ReLU())
                def forward(self, x):
                    return self.layers(x)
        """),
        ("hidden defaults to 128", """
            class MLP(nn.Module):
                def __init__(self, hidden=128):
                    super().__init__()
                    self.layers = Sequential(Flatten(), Linear(64, hidden), ReLU(),
                                             Linear(hidden, hidden), ReLU(), Linear(hidden, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("one hidden layer only", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.layers = Sequential(Flatten(), Linear(64, hidden), ReLU(), Linear(hidden, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
    ],
    "CNN": [
        ("a ReLU before the first convolution", """
            class CNN(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = Sequential(
                        ReLU(), Conv2d(1, 16, 3, padding=1), ReLU(), MaxPool2d(2),
                        Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(2),
                        Flatten(), Linear(128, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("torch layers instead of your own", """
            class CNN(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.Sequential(
                        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(128, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("no ReLU after the second convolution", """
            class CNN(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = Sequential(
                        Conv2d(1, 16, 3, padding=1), ReLU(), MaxPool2d(2),
                        Conv2d(16, 32, 3, padding=1), MaxPool2d(2),
                        Flatten(), Linear(128, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("pools with stride 1 and padding 1 (2×2 windows that overlap)", """
            class CNN(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = Sequential(
                        Conv2d(1, 16, 3, padding=1), ReLU(), MaxPool2d(2),
                        Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(3, stride=2, padding=1),
                        Flatten(), Linear(128, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
        ("8 channels in the first convolution", """
            class CNN(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = Sequential(
                        Conv2d(1, 8, 3, padding=1), ReLU(), MaxPool2d(2),
                        Conv2d(8, 32, 3, padding=1), ReLU(), MaxPool2d(2),
                        Flatten(), Linear(128, 10))
                def forward(self, x):
                    return self.layers(x)
        """),
    ],
}

ALTERNATIVES = {
    "relu": [
        ("torch.where", """
            def relu(x):
                return torch.where(x > 0, x, torch.zeros_like(x))
        """),
        ("clamp", """
            def relu(x):
                return x.clamp(min=0)
        """),
        ("torch.maximum with a 0-d zero", """
            def relu(x):
                return torch.maximum(x, torch.zeros((), dtype=x.dtype))
        """),
    ],
    "ReLU": """
        class ReLU(nn.Module):
            def forward(self, x):
                return torch.where(x > 0, x, torch.zeros_like(x))
    """,
    "Linear": [
        ("matmul, init with nn.init.uniform_ on an empty Parameter", """
            class Linear(nn.Module):
                def __init__(self, in_features: int, out_features: int, bias: bool = True):
                    super().__init__()
                    self.weight = nn.Parameter(torch.empty(out_features, in_features))
                    k = in_features ** -0.5
                    nn.init.uniform_(self.weight, -k, k)
                    if bias:
                        self.bias = nn.Parameter(torch.empty(out_features))
                        nn.init.uniform_(self.bias, -k, k)
                    else:
                        self.register_parameter("bias", None)
                def forward(self, x):
                    y = x @ self.weight.T
                    return y if self.bias is None else y + self.bias
        """),
        ("nn.init.kaiming_uniform_(a=sqrt(5)), as nn.Linear does it", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    self.weight = nn.Parameter(torch.empty(out_features, in_features))
                    nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
                    bound = 1 / math.sqrt(in_features)
                    self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None
                def forward(self, x):
                    y = torch.matmul(x, self.weight.t())
                    return y if self.bias is None else y + self.bias
        """),
        ("torch.rand scaled to ±bound", """
            class Linear(nn.Module):
                def __init__(self, in_features, out_features, bias=True):
                    super().__init__()
                    bound = 1 / math.sqrt(in_features)
                    self.weight = nn.Parameter(bound * (2 * torch.rand(out_features, in_features) - 1))
                    self.bias = nn.Parameter(bound * (2 * torch.rand(out_features) - 1)) if bias else None
                def forward(self, x):
                    out = einsum(x, self.weight, "... i, o i -> ... o")
                    return out if self.bias is None else out + self.bias
        """),
    ],
    "Flatten": """
        class Flatten(nn.Module):
            def __init__(self, start_dim=1, end_dim=-1):
                super().__init__()
                self.start_dim = start_dim
                self.end_dim = end_dim
            def forward(self, x):
                shape = list(x.shape)
                s = self.start_dim if self.start_dim >= 0 else x.ndim + self.start_dim
                e = self.end_dim if self.end_dim >= 0 else x.ndim + self.end_dim
                size = 1
                for d in shape[s:e + 1]:
                    size *= d
                return x.reshape(shape[:s] + [size] + shape[e + 1:])
    """,
    "Sequential": [
        ("self._modules filled directly", """
            class Sequential(nn.Module):
                def __init__(self, *modules):
                    super().__init__()
                    for i, m in enumerate(modules):
                        self._modules[str(i)] = m
                def forward(self, x):
                    for m in self._modules.values():
                        x = m(x)
                    return x
        """),
        ("setattr", """
        class Sequential(nn.Module):
            def __init__(self, *modules):
                super().__init__()
                for i, m in enumerate(modules):
                    setattr(self, str(i), m)
                self.n = len(modules)
            def forward(self, x):
                for i in range(self.n):
                    x = getattr(self, str(i))(x)
                return x
        """),
    ],
    "pad2d": """
        def pad2d(x, pad_h, pad_w, value=0.0):
            *lead, h, w = x.shape
            side = torch.full((*lead, h, pad_w), value, dtype=x.dtype)
            x = torch.cat([side, x, side], dim=-1)
            top = torch.full((*lead, pad_h, w + 2 * pad_w), value, dtype=x.dtype)
            return torch.cat([top, x, top], dim=-2)
    """,
    "conv2d": [
        ("F.unfold and a matrix product", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                B, C, H, W = x.shape
                O, _, kh, kw = weight.shape
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                cols = F.unfold(x, (kh, kw), padding=(ph, pw), stride=(sh, sw))  # (B, C*kh*kw, L)
                oh = (H + 2 * ph - kh) // sh + 1
                ow = (W + 2 * pw - kw) // sw + 1
                out = (weight.reshape(O, -1) @ cols).reshape(B, O, oh, ow)
                if bias is not None:
                    out = out + bias.view(1, O, 1, 1)
                return out
        """),
        ("Tensor.unfold twice and einsum", """
            def conv2d(x, weight, bias=None, stride=1, padding=0):
                sh, sw = as_pair(stride)
                ph, pw = as_pair(padding)
                kh, kw = weight.shape[-2:]
                x = pad2d(x, ph, pw)
                windows = x.unfold(2, kh, sh).unfold(3, kw, sw)  # b c i j u v
                out = torch.einsum("bcijuv,ocuv->boij", windows, weight)
                return out if bias is None else out + bias[None, :, None, None]
        """),
    ],
    "Conv2d": """
        class Conv2d(nn.Module):
            def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
                super().__init__()
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
                self.stride, self.padding = stride, padding
                fan_in = in_channels * kh * kw
                w = torch.empty(out_channels, in_channels, kh, kw)
                nn.init.uniform_(w, -fan_in ** -0.5, fan_in ** -0.5)
                self.weight = nn.Parameter(w)
                if bias:
                    self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-fan_in ** -0.5, fan_in ** -0.5))
                else:
                    self.register_parameter("bias", None)
            def forward(self, x):
                sh, sw = as_pair(self.stride)
                ph, pw = as_pair(self.padding)
                kh, kw = self.weight.shape[-2:]
                x = pad2d(x, ph, pw)
                win = x.unfold(2, kh, sh).unfold(3, kw, sw)
                out = einsum(win, self.weight, "b c i j u v, o c u v -> b o i j")
                return out if self.bias is None else out + self.bias[:, None, None]
    """,
    "maxpool2d": [
        ("Tensor.unfold", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = as_pair(kernel_size)
                sh, sw = as_pair(stride if stride is not None else kernel_size)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw, value=-math.inf)
                return x.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1).values
        """),
        ("as_strided with a helper, reshape and max", """
            def _windows(x, kh, kw, sh, sw):
                B, C, H, W = x.shape
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                sB, sC, sH, sW = x.stride()
                return x.as_strided(size=(B, C, oh, ow, kh, kw), stride=(sB, sC, sH * sh, sW * sw, sH, sW))
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
                if stride is None:
                    stride = (kh, kw)
                sh, sw = (stride, stride) if isinstance(stride, int) else stride
                ph, pw = (padding, padding) if isinstance(padding, int) else padding
                w = _windows(pad2d(x, ph, pw, value=-float("inf")), kh, kw, sh, sw)
                return w.reshape(*w.shape[:4], -1).max(-1).values
        """),
        ("a loop over the kernel offsets with strided slices", """
            def maxpool2d(x, kernel_size, stride=None, padding=0):
                kh, kw = as_pair(kernel_size)
                sh, sw = as_pair(kernel_size if stride is None else stride)
                ph, pw = as_pair(padding)
                x = pad2d(x, ph, pw, value=float("-inf"))
                H, W = x.shape[-2:]
                oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
                out = None
                for u in range(kh):
                    for v in range(kw):
                        part = x[..., u : u + sh * (oh - 1) + 1 : sh, v : v + sw * (ow - 1) + 1 : sw]
                        out = part if out is None else torch.maximum(out, part)
                return out
        """),
    ],
    "MaxPool2d": """
        class MaxPool2d(nn.Module):
            def __init__(self, kernel_size, stride=None, padding=0):
                super().__init__()
                self.kernel_size = kernel_size
                self.stride = kernel_size if stride is None else stride
                self.padding = padding
            def forward(self, x):
                return maxpool2d(x, self.kernel_size, self.stride, self.padding)
    """,
    "train_epoch": [
        ("divides by len(loader.dataset), zero_grad(set_to_none=False) at the end", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train()
                total = 0.0
                for inputs, targets in loader:
                    loss = loss_fn(model(inputs), targets)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    total += loss.item() * inputs.shape[0]
                return total / len(loader.dataset)
        """),
        ("model.zero_grad() and sum-reduced loss via reduction='sum'", """
            def train_epoch(model, loader, optimizer, loss_fn=F.cross_entropy):
                model.train(True)
                losses, sizes = [], []
                for x, y in loader:
                    model.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    losses.append(loss.detach() * len(y))
                    sizes.append(len(y))
                return float(torch.stack(losses).sum() / sum(sizes))
        """),
    ],
    "evaluate": [
        ("decorated with no_grad, loss_fn with reduction='sum'", """
            @torch.no_grad()
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                loss_sum, hits, n = 0.0, 0, 0
                for x, y in loader:
                    out = model(x)
                    loss_sum += loss_fn(out, y, reduction="sum").item()
                    hits += int((out.argmax(dim=1) == y).sum())
                    n += y.numel()
                return loss_sum / n, hits / n
        """),
        ("inference_mode, logits concatenated", """
            def evaluate(model, loader, loss_fn=F.cross_entropy):
                model.eval()
                with torch.inference_mode():
                    pairs = [(model(x), y) for x, y in loader]
                    losses = [loss_fn(lg, y).item() * len(y) for lg, y in pairs]
                    logits = torch.cat([lg for lg, _ in pairs])
                    ys = torch.cat([y for _, y in pairs])
                acc = (logits.argmax(-1) == ys).float().mean().item()
                return sum(losses) / len(ys), acc
        """),
    ],
    "MLP": [
        ("a Sequential subclass", """
            class MLP(Sequential):
                def __init__(self, hidden: int = 64):
                    super().__init__(Flatten(), Linear(64, hidden), ReLU(), Linear(hidden, hidden), ReLU(),
                                     Linear(hidden, 10))
        """),
        ("named layers, one shared ReLU", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.flat = Flatten()
                    self.fc1 = Linear(64, hidden)
                    self.fc2 = Linear(hidden, hidden)
                    self.out = Linear(hidden, 10)
                    self.act = ReLU()
                def forward(self, x):
                    return self.out(self.act(self.fc2(self.act(self.fc1(self.flat(x))))))
        """),
        ("an nn.ModuleList of your own layers", """
            class MLP(nn.Module):
                def __init__(self, hidden=64):
                    super().__init__()
                    self.flat = Flatten()
                    self.linears = nn.ModuleList([Linear(64, hidden), Linear(hidden, hidden), Linear(hidden, 10)])
                def forward(self, x):
                    x = self.flat(x)
                    for i, lin in enumerate(self.linears):
                        x = lin(x)
                        if i < 2:
                            x = relu(x)
                    return x
        """),
    ],
    "CNN": [
        ("a Sequential subclass, ReLU after pooling (they commute)", """
            class CNN(Sequential):
                def __init__(self):
                    super().__init__(
                        Conv2d(1, 16, (3, 3), padding=1), MaxPool2d(2), ReLU(),
                        Conv2d(16, 32, 3, padding=(1, 1)), MaxPool2d(2, 2), ReLU(),
                        Flatten(), Linear(32 * 2 * 2, 10))
        """),
        ("named attributes and an explicit forward", """
            class CNN(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = Conv2d(1, 16, 3, padding=1)
                    self.conv2 = Conv2d(16, 32, 3, padding=1)
                    self.pool = MaxPool2d(2)
                    self.act = ReLU()
                    self.flat = Flatten()
                    self.head = Linear(128, 10)
                def forward(self, x):
                    x = self.pool(self.act(self.conv1(x)))
                    x = self.pool(self.act(self.conv2(x)))
                    return self.head(self.flat(x))
        """),
    ],
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
