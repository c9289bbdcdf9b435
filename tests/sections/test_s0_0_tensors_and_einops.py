"""Section 0.0: each check passes the reference and rejects the stub and plausible mistakes.

Each mutant is a wrong solution a learner could plausibly write. Most of them return the right
*shape* for some inputs — those are the mistakes that matter, because nothing crashes. Besides
wrong values, mutants cover what the docstrings and the page promise: exact outputs (a float16
round trip), defaults (``mode="mean"``), numerically careless formulas at the scales where they
break (E[x²] - E[x]², the expanded distance, a naive softmax at ±1000), and the page's rules
(``@`` where it says einsum, a loop where it says none, ``torch.logsumexp`` where it says not to).
The other direction is tested too: correct solutions written differently from the reference
(``ALTERNATIVES``) must pass every check.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "0.0"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    # ---------------------------------------------------------------- Part 1 · einops
    "images_to_grid": [
        (
            "grid filled column by column: (cols rows) split of the batch",
            """
            def images_to_grid(images, rows):
                return rearrange(images, "(gc gr) c h w -> (gr h) (gc w) c", gr=rows)
            """,
        ),
        (
            "pixels interleaved: grid index after the pixel index, (h rows)",
            """
            def images_to_grid(images, rows):
                return rearrange(images, "(gr gc) c h w -> (h gr) (w gc) c", gr=rows)
            """,
        ),
        (
            "reshape without moving axes",
            """
            def images_to_grid(images, rows):
                b, c, h, w = images.shape
                return images.reshape(rows * h, (b // rows) * w, c)
            """,
        ),
        (
            "rows and columns confused: `rows` used as the number of columns",
            """
            def images_to_grid(images, rows):
                return rearrange(images, "(gr gc) c h w -> (gr h) (gc w) c", gc=rows)
            """,
        ),
        (
            "rounds through float16",
            """
            def images_to_grid(images, rows):
                return rearrange(images.half(), "(gr gc) c h w -> (gr h) (gc w) c", gr=rows).to(images.dtype)
            """,
        ),
    ],
    "patchify": [
        (
            "plain reshape (horizontal strips, not squares)",
            """
            def patchify(images, patch):
                b, c, h, w = images.shape
                return images.reshape(b, (h // patch) * (w // patch), c * patch * patch)
            """,
        ),
        (
            "patches numbered column by column",
            """
            def patchify(images, patch):
                return rearrange(images, "b c (pr p1) (pc p2) -> b (pc pr) (c p1 p2)", p1=patch, p2=patch)
            """,
        ),
        (
            "each patch flattened channel-last (p1 p2 c)",
            """
            def patchify(images, patch):
                return rearrange(images, "b c (pr p1) (pc p2) -> b (pr pc) (p1 p2 c)", p1=patch, p2=patch)
            """,
        ),
    ],
    "pool2d": [
        (
            "always averages (ignores mode)",
            """
            def pool2d(images, size, mode="max"):
                return reduce(images, "b c (h sh) (w sw) -> b c h w", "mean", sh=size, sw=size)
            """,
        ),
        (
            "strided windows: window index inner, (sh h)",
            """
            def pool2d(images, size, mode="max"):
                return reduce(images, "b c (sh h) (sw w) -> b c h w", mode, sh=size, sw=size)
            """,
        ),
        (
            "pools over channels as well",
            """
            def pool2d(images, size, mode="max"):
                out = reduce(images, "b c (h sh) (w sw) -> b 1 h w", mode, sh=size, sw=size)
                return out.expand(-1, images.shape[1], -1, -1).clone()
            """,
        ),
        (
            "default mode changed to mean",
            """
            def pool2d(images, size, mode="mean"):
                return reduce(images, "b c (h sh) (w sw) -> b c h w", mode, sh=size, sw=size)
            """,
        ),
        (
            "default mode dropped",
            """
            def pool2d(images, size, mode):
                return reduce(images, "b c (h sh) (w sw) -> b c h w", mode, sh=size, sw=size)
            """,
        ),
        (
            "max plus a tiny offset (close, not exact)",
            """
            def pool2d(images, size, mode="max"):
                if mode == "mean":
                    return reduce(images, "b c (h sh) (w sw) -> b c h w", "mean", sh=size, sw=size)
                return reduce(images, "b c (h sh) (w sw) -> b c h w", "max", sh=size, sw=size) + 1e-6
            """,
        ),
    ],
    "upsample_nearest": [
        (
            "tiles the image instead of enlarging pixels, (f h)",
            """
            def upsample_nearest(images, factor):
                return repeat(images, "b c h w -> b c (fh h) (fw w)", fh=factor, fw=factor)
            """,
        ),
        (
            "Tensor.repeat, which tiles (unlike einops.repeat)",
            """
            def upsample_nearest(images, factor):
                return images.repeat(1, 1, factor, factor)
            """,
        ),
        (
            "upsamples the height only",
            """
            def upsample_nearest(images, factor):
                return repeat(images, "b c h w -> b c (h fh) w", fh=factor)
            """,
        ),
    ],
    # ---------------------------------------------------------------- Part 2 · einsum
    "matrix_trace": [
        (
            "sums every entry",
            """
            def matrix_trace(mat):
                return einsum(mat, "i j ->")
            """,
        ),
        (
            "returns the diagonal, not its sum",
            """
            def matrix_trace(mat):
                return einsum(mat, "i i -> i")
            """,
        ),
        (
            "torch.trace",
            """
            def matrix_trace(mat):
                return torch.trace(mat)
            """,
        ),
        (
            "diagonal().sum()",
            """
            def matrix_trace(mat):
                return mat.diagonal().sum()
            """,
        ),
        (
            "einsum on a float copy (int matrices lose their dtype)",
            """
            def matrix_trace(mat):
                return einsum(mat.float(), "i i ->")
            """,
        ),
    ],
    "mat_vec": [
        (
            "contracts the vector with the row index (A.T @ v)",
            """
            def mat_vec(mat, vec):
                return einsum(mat, vec, "i j, i -> j")
            """,
        ),
        (
            "broadcast product summed over the wrong axis",
            """
            def mat_vec(mat, vec):
                return (mat * vec).sum(dim=0)
            """,
        ),
        (
            "the @ operator",
            """
            def mat_vec(mat, vec):
                return mat @ vec
            """,
        ),
        (
            "torch.mv assigned",
            """
            mat_vec = torch.mv
            """,
        ),
    ],
    "mat_mul": [
        (
            "output transposed",
            """
            def mat_mul(a, b):
                return einsum(a, b, "i k, k j -> j i")
            """,
        ),
        (
            "a @ b.T (contracts the wrong axis of b)",
            """
            def mat_mul(a, b):
                return einsum(a, b, "i k, j k -> i j")
            """,
        ),
        (
            "the @ operator",
            """
            def mat_mul(a, b):
                return a @ b
            """,
        ),
        (
            "torch.matmul assigned",
            """
            mat_mul = torch.matmul
            """,
        ),
    ],
    "outer_product": [
        (
            "transposed (v outer u)",
            """
            def outer_product(u, v):
                return einsum(u, v, "i, j -> j i")
            """,
        ),
        (
            "broadcast with the axes the wrong way round",
            """
            def outer_product(u, v):
                return u[None, :] * v[:, None]
            """,
        ),
        (
            "torch.outer",
            """
            def outer_product(u, v):
                return torch.outer(u, v)
            """,
        ),
        (
            "broadcasting",
            """
            def outer_product(u, v):
                return u[:, None] * v[None, :]
            """,
        ),
    ],
    "attention_scores": [
        (
            "keys on the rows (output transposed)",
            """
            def attention_scores(q, k):
                return einsum(q, k, "b h q d, b h k d -> b h k q")
            """,
        ),
        (
            "scaled by 1/sqrt(d_head) although the docstring says unscaled",
            """
            def attention_scores(q, k):
                return einsum(q, k, "b h q d, b h k d -> b h q k") / q.shape[-1] ** 0.5
            """,
        ),
        (
            "head dropped from the output (summed over heads)",
            """
            def attention_scores(q, k):
                return einsum(q, k, "b h q d, b h k d -> b q k")
            """,
        ),
        (
            "@ with a transpose",
            """
            def attention_scores(q, k):
                return q @ k.transpose(-2, -1)
            """,
        ),
    ],
    # ---------------------------------------------------------------- Part 3 · broadcasting
    "standardize": [
        (
            "unbiased variance (divides by d - 1)",
            """
            def standardize(x, eps=1e-5):
                return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps)
            """,
        ),
        (
            "no keepdim: the mean broadcasts across rows",
            """
            def standardize(x, eps=1e-5):
                mean = x.mean(-1)
                var = x.var(-1, correction=0)
                return (x - mean) / torch.sqrt(var + eps)
            """,
        ),
        (
            "eps added outside the square root",
            """
            def standardize(x, eps=1e-5):
                mean = x.mean(-1, keepdim=True)
                return (x - mean) / (x.var(-1, keepdim=True, correction=0).sqrt() + eps)
            """,
        ),
        (
            "ignores the eps argument",
            """
            def standardize(x, eps=1e-5):
                mean = x.mean(-1, keepdim=True)
                return (x - mean) / torch.sqrt(x.var(-1, keepdim=True, correction=0) + 1e-5)
            """,
        ),
        (
            "one-pass variance E[x²] - E[x]²",
            """
            def standardize(x, eps=1e-5):
                m = x.mean(-1, keepdim=True)
                var = (x * x).mean(-1, keepdim=True) - m * m
                return (x - m) / torch.sqrt(var + eps)
            """,
        ),
        (
            "default eps changed to 1e-8",
            """
            def standardize(x, eps=1e-8):
                m = x.mean(-1, keepdim=True)
                return (x - m) / torch.sqrt((x - m).pow(2).mean(-1, keepdim=True) + eps)
            """,
        ),
        (
            "eps renamed to epsilon",
            """
            def standardize(x, epsilon=1e-5):
                m = x.mean(-1, keepdim=True)
                return (x - m) / torch.sqrt((x - m).pow(2).mean(-1, keepdim=True) + epsilon)
            """,
        ),
        (
            "constant rows nudged off zero",
            """
            def standardize(x, eps=1e-5):
                m = x.mean(-1, keepdim=True)
                return (x - m + 1e-9) / torch.sqrt((x - m).pow(2).mean(-1, keepdim=True) + eps)
            """,
        ),
    ],
    "causal_mask": [
        (
            "off by one: a position may not see itself",
            """
            def causal_mask(seq_len):
                positions = torch.arange(seq_len)
                return positions[:, None] > positions[None, :]
            """,
        ),
        (
            "transposed: sees the future instead of the past",
            """
            def causal_mask(seq_len):
                positions = torch.arange(seq_len)
                return positions[:, None] <= positions[None, :]
            """,
        ),
        (
            "float mask instead of bool",
            """
            def causal_mask(seq_len):
                return torch.tril(torch.ones(seq_len, seq_len))
            """,
        ),
    ],
    "pairwise_distances": [
        (
            "squared distances (no square root)",
            """
            def pairwise_distances(x, y):
                return (x[:, None, :] - y[None, :, :]).pow(2).sum(-1)
            """,
        ),
        (
            "L1 (Manhattan) distances",
            """
            def pairwise_distances(x, y):
                return (x[:, None, :] - y[None, :, :]).abs().sum(-1)
            """,
        ),
        (
            "broadcast the wrong way round: (m, n)",
            """
            def pairwise_distances(x, y):
                return (x[None, :, :] - y[:, None, :]).pow(2).sum(-1).sqrt()
            """,
        ),
        (
            "expanded formula without clamping (NaN for identical points)",
            """
            def pairwise_distances(x, y):
                sq = (x**2).sum(-1)[:, None] + (y**2).sum(-1)[None, :] - 2 * x @ y.T
                return sq.sqrt()
            """,
        ),
        (
            "the page's loop",
            """
            def pairwise_distances(x, y):
                out = torch.empty(x.shape[0], y.shape[0], dtype=x.dtype)
                for i in range(x.shape[0]):
                    for j in range(y.shape[0]):
                        out[i, j] = ((x[i] - y[j]) ** 2).sum().sqrt()
                return out
            """,
        ),
        (
            "a comprehension over rows",
            """
            def pairwise_distances(x, y):
                return torch.stack([((xi - y) ** 2).sum(-1).sqrt() for xi in x])
            """,
        ),
        (
            "calls the kit's loop version",
            """
            def pairwise_distances(x, y):
                return pairwise_distances_loop(x, y)
            """,
        ),
        (
            "expanded formula in float64 (identical points not exactly 0)",
            """
            def pairwise_distances(x, y):
                xd, yd = x.double(), y.double()
                sq = (xd**2).sum(-1)[:, None] + (yd**2).sum(-1)[None, :] - 2 * xd @ yd.T
                return sq.clamp_min(0).sqrt().to(x.dtype)
            """,
        ),
        (
            "expanded formula, clamped",
            """
            def pairwise_distances(x, y):
                sq = (x**2).sum(-1)[:, None] + (y**2).sum(-1)[None, :] - 2 * x @ y.T
                return sq.clamp_min(0).sqrt()
            """,
        ),
        (
            "sqrt(d² + 1e-12) to avoid NaN gradients",
            """
            def pairwise_distances(x, y):
                return ((x[:, None] - y[None]) ** 2).sum(-1).add(1e-12).sqrt()
            """,
        ),
    ],
    # ---------------------------------------------------------------- Part 4 · softmax family
    "softmax": [
        (
            "no max subtraction (overflows)",
            """
            def softmax(x):
                e = x.exp()
                return e / e.sum(dim=-1, keepdim=True)
            """,
        ),
        (
            "normalised over the first dimension",
            """
            def softmax(x):
                e = (x - x.amax(dim=0, keepdim=True)).exp()
                return e / e.sum(dim=0, keepdim=True)
            """,
        ),
        (
            "sum without keepdim (each row divided by another row's sum)",
            """
            def softmax(x):
                e = (x - x.amax(dim=-1, keepdim=True)).exp()
                return e / e.sum(dim=-1)
            """,
        ),
        (
            "subtracts one global max (rows far below it underflow to 0/0)",
            """
            def softmax(x):
                e = (x - x.max()).exp()
                return e / e.sum(dim=-1, keepdim=True)
            """,
        ),
        (
            "clamps logits at -100 (masked entries not exactly 0)",
            """
            def softmax(x):
                x = x.clamp(min=-100)
                e = (x - x.amax(-1, keepdim=True)).exp()
                return e / e.sum(-1, keepdim=True)
            """,
        ),
        (
            "subtracts the row mean (overflows)",
            """
            def softmax(x):
                e = (x - x.mean(-1, keepdim=True)).exp()
                return e / e.sum(-1, keepdim=True)
            """,
        ),
        (
            "naive in float64",
            """
            def softmax(x):
                e = x.double().exp()
                return (e / e.sum(-1, keepdim=True)).to(x.dtype)
            """,
        ),
        (
            "subtracts the row minimum",
            """
            def softmax(x):
                e = (x - x.amin(-1, keepdim=True)).exp()
                return e / e.sum(-1, keepdim=True)
            """,
        ),
    ],
    "logsumexp": [
        (
            "naive log(sum(exp(x))) (overflows and underflows)",
            """
            def logsumexp(x):
                return x.exp().sum(-1).log()
            """,
        ),
        (
            "forgets to add the maximum back",
            """
            def logsumexp(x):
                m = x.amax(-1, keepdim=True)
                return (x - m).exp().sum(-1).log()
            """,
        ),
        (
            "keeps the last axis: shape (..., 1)",
            """
            def logsumexp(x):
                m = x.amax(-1, keepdim=True)
                return m + (x - m).exp().sum(-1, keepdim=True).log()
            """,
        ),
        (
            "one global maximum for all rows (other rows underflow to log 0)",
            """
            def logsumexp(x):
                m = x.max()
                return m + (x - m).exp().sum(-1).log()
            """,
        ),
        (
            "the maximum instead of a smooth maximum",
            """
            def logsumexp(x):
                return x.amax(-1)
            """,
        ),
        (
            "torch.logsumexp",
            """
            def logsumexp(x):
                return torch.logsumexp(x, dim=-1)
            """,
        ),
        (
            "the Tensor method",
            """
            def logsumexp(x):
                return x.logsumexp(-1)
            """,
        ),
        (
            "torch.special.logsumexp",
            """
            def logsumexp(x):
                return torch.special.logsumexp(x, -1)
            """,
        ),
        (
            "aliased import",
            """
            from torch import logsumexp as lse
            def logsumexp(x):
                return lse(x, -1)
            """,
        ),
        (
            "naive in float64",
            """
            def logsumexp(x):
                return x.double().exp().sum(-1).log().to(x.dtype)
            """,
        ),
    ],
    "log_softmax": [
        (
            "log of softmax (underflows to -inf)",
            """
            def log_softmax(x):
                return torch.softmax(x, dim=-1).log()
            """,
        ),
        (
            "subtracts the max instead of the logsumexp",
            """
            def log_softmax(x):
                return x - x.amax(-1, keepdim=True)
            """,
        ),
        (
            "logsumexp not unsqueezed (broadcasts across rows)",
            """
            def log_softmax(x):
                return x - logsumexp(x)
            """,
        ),
        (
            "log of softmax in float64",
            """
            def log_softmax(x):
                return torch.softmax(x.double(), -1).log().to(x.dtype)
            """,
        ),
        (
            "log(softmax + 1e-30)",
            """
            def log_softmax(x):
                return (softmax(x) + 1e-30).log()
            """,
        ),
    ],
    # ---------------------------------------------------------------- Part 5 · indexing
    "embed": [
        (
            "indexes the columns of W_E",
            """
            def embed(tokens, W_E):
                return W_E.T[tokens]
            """,
        ),
        (
            "flattens the tokens and forgets to restore (batch, pos)",
            """
            def embed(tokens, W_E):
                return W_E[tokens.flatten()]
            """,
        ),
        (
            "recomputed through float16 matmul",
            """
            def embed(tokens, W_E):
                oh = torch.nn.functional.one_hot(tokens, W_E.shape[0]).half()
                return (oh @ W_E.half()).to(W_E.dtype)
            """,
        ),
    ],
    "gather_logprobs": [
        (
            "gathers along the position axis",
            """
            def gather_logprobs(logprobs, tokens):
                return logprobs.gather(dim=1, index=tokens[..., None]).squeeze(-1)
            """,
        ),
        (
            "forgets to squeeze: shape (batch, pos, 1)",
            """
            def gather_logprobs(logprobs, tokens):
                return logprobs.gather(dim=-1, index=tokens[..., None])
            """,
        ),
        (
            "indexes the last axis with tokens alone (every token at every position)",
            """
            def gather_logprobs(logprobs, tokens):
                return logprobs[..., tokens]
            """,
        ),
        (
            "exp/log round trip through a one-hot",
            """
            def gather_logprobs(logprobs, tokens):
                oh = torch.nn.functional.one_hot(tokens, logprobs.shape[-1]).to(logprobs.dtype)
                return (logprobs.exp() * oh).sum(-1).log()
            """,
        ),
    ],
    "cross_entropy": [
        (
            "sum instead of mean",
            """
            def cross_entropy(logits, targets):
                lp = log_softmax(logits)
                return -lp.gather(-1, targets[:, None]).squeeze(-1).sum()
            """,
        ),
        (
            "missing minus sign",
            """
            def cross_entropy(logits, targets):
                lp = log_softmax(logits)
                return lp.gather(-1, targets[:, None]).squeeze(-1).mean()
            """,
        ),
        (
            "log of softmax (infinite for large logits)",
            """
            def cross_entropy(logits, targets):
                lp = torch.softmax(logits, dim=-1).log()
                return -lp.gather(-1, targets[:, None]).squeeze(-1).mean()
            """,
        ),
        (
            "log-softmax over the batch axis",
            """
            def cross_entropy(logits, targets):
                lp = torch.log_softmax(logits, dim=0)
                return -lp.gather(-1, targets[:, None]).squeeze(-1).mean()
            """,
        ),
        (
            "returns one loss per example",
            """
            def cross_entropy(logits, targets):
                lp = log_softmax(logits)
                return -lp.gather(-1, targets[:, None]).squeeze(-1)
            """,
        ),
        (
            "naive softmax in float64",
            """
            def cross_entropy(logits, targets):
                p = torch.softmax(logits.double(), -1)
                return -p[torch.arange(len(targets)), targets].log().mean().to(logits.dtype)
            """,
        ),
        (
            "log(p + 1e-12)",
            """
            def cross_entropy(logits, targets):
                p = torch.softmax(logits, -1)
                return -(p[torch.arange(len(targets)), targets] + 1e-12).log().mean()
            """,
        ),
    ],
}


# Correct solutions written differently from the reference — plain PyTorch, torch.nn.functional,
# other einops names, helpers, float64 inside — in several styles per exercise. Every check must
# accept them: a check that only passes the reference's own formulation (or compares too tightly,
# or reads a rule too strictly) would fail learners who are right. Each keeps the page's rules
# (einsum in Part 2, no loops in pairwise_distances, no torch.logsumexp in logsumexp).
ALTERNATIVES: dict[str, list[tuple[str, str]]] = {
    "images_to_grid": [
        (
            "reshape and permute",
            """
            def images_to_grid(images, rows):
                b, c, h, w = images.shape
                cols = b // rows
                grid = images.reshape(rows, cols, c, h, w).permute(0, 3, 1, 4, 2)
                return grid.reshape(rows * h, cols * w, c)
            """,
        ),
        (
            "torch.cat of rows",
            """
            def images_to_grid(images, rows):
                cols = images.shape[0] // rows
                grid_rows = [torch.cat(list(images[r * cols:(r + 1) * cols]), dim=-1) for r in range(rows)]
                return torch.cat(grid_rows, dim=-2).permute(1, 2, 0)
            """,
        ),
        (
            "einops with other names",
            """
            def images_to_grid(images, rows):
                return rearrange(images, "(row col) ch y x -> (row y) (col x) ch", row=rows)
            """,
        ),
    ],
    "patchify": [
        (
            "F.unfold",
            """
            def patchify(images, patch):
                return torch.nn.functional.unfold(images, kernel_size=patch, stride=patch).transpose(1, 2)
            """,
        ),
        (
            "reshape and permute",
            """
            def patchify(images, patch):
                b, c, h, w = images.shape
                p = patch
                x = images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
                return x.reshape(b, (h // p) * (w // p), c * p * p)
            """,
        ),
    ],
    "pool2d": [
        (
            "F.max_pool2d and F.avg_pool2d",
            """
            def pool2d(images, size, mode="max"):
                F = torch.nn.functional
                return F.max_pool2d(images, size) if mode == "max" else F.avg_pool2d(images, size)
            """,
        ),
        (
            "reshape with amax/mean",
            """
            def pool2d(images, size, mode: str = "max"):
                if mode not in ("max", "mean"):
                    raise ValueError(mode)
                b, c, h, w = images.shape
                x = images.reshape(b, c, h // size, size, w // size, size)
                return x.amax(dim=(3, 5)) if mode == "max" else x.mean(dim=(3, 5))
            """,
        ),
    ],
    "upsample_nearest": [
        (
            "repeat_interleave",
            """
            def upsample_nearest(images, factor):
                return images.repeat_interleave(factor, dim=-2).repeat_interleave(factor, dim=-1)
            """,
        ),
        (
            "einops.repeat with other names",
            """
            def upsample_nearest(images, factor):
                return repeat(images, "b c h w -> b c (h f1) (w f2)", f1=factor, f2=factor)
            """,
        ),
        (
            "integer-array indexing",
            """
            def upsample_nearest(images, factor):
                h, w = images.shape[-2:]
                rows = torch.arange(h * factor) // factor
                cols = torch.arange(w * factor) // factor
                return images[..., rows[:, None], cols[None, :]]
            """,
        ),
    ],
    "matrix_trace": [
        (
            "torch.einsum",
            """
            def matrix_trace(mat):
                return torch.einsum("ii->", mat)
            """,
        ),
        (
            "einops module attribute",
            """
            import einops
            def matrix_trace(mat):
                return einops.einsum(mat, "a a ->")
            """,
        ),
        (
            "an einsum helper",
            """
            def _contract(pattern, *tensors):
                return einsum(*tensors, pattern)
            def matrix_trace(mat):
                return _contract("i i ->", mat)
            """,
        ),
        (
            "aliased einsum",
            """
            from einops import einsum as es
            def matrix_trace(mat):
                return es(mat, "i i ->")
            """,
        ),
    ],
    "mat_vec": [
        (
            "torch.einsum",
            """
            def mat_vec(mat, vec):
                return torch.einsum("ij,j->i", mat, vec)
            """,
        ),
        (
            "einops with words",
            """
            def mat_vec(mat, vec):
                return einsum(mat, vec, "row col, col -> row")
            """,
        ),
    ],
    "mat_mul": [
        (
            "torch.einsum",
            """
            def mat_mul(a, b):
                return torch.einsum("ik,kj->ij", a, b)
            """,
        ),
        (
            "einops with words",
            """
            def mat_mul(a, b):
                return einsum(a, b, "rows inner, inner cols -> rows cols")
            """,
        ),
    ],
    "outer_product": [
        (
            "einops with words",
            """
            def outer_product(u, v):
                return einsum(u, v, "row, col -> row col")
            """,
        ),
        (
            "torch.einsum",
            """
            def outer_product(u, v):
                return torch.einsum("i,j->ij", u, v)
            """,
        ),
    ],
    "attention_scores": [
        (
            "torch.einsum",
            """
            def attention_scores(q, k):
                return torch.einsum("bhqd,bhkd->bhqk", q, k)
            """,
        ),
        (
            "einops with an ellipsis",
            """
            def attention_scores(q, k):
                return einsum(q, k, "... q d, ... k d -> ... q k")
            """,
        ),
    ],
    "standardize": [
        (
            "F.layer_norm",
            """
            def standardize(x, eps=1e-5):
                return torch.nn.functional.layer_norm(x, (x.shape[-1],), eps=eps)
            """,
        ),
        (
            "var(correction=0) and rsqrt",
            """
            def standardize(x, eps: float = 0.00001):
                centred = x - x.mean(dim=-1, keepdim=True)
                return centred * torch.rsqrt(x.var(dim=-1, keepdim=True, correction=0) + eps)
            """,
        ),
        (
            "in float64, cast back",
            """
            def standardize(x, eps=1e-5):
                xd = x.double()
                m = xd.mean(-1, keepdim=True)
                v = ((xd - m) ** 2).mean(-1, keepdim=True)
                return ((xd - m) / (v + eps).sqrt()).to(x.dtype)
            """,
        ),
        (
            "std with correction=0, squared",
            """
            def standardize(x, eps=1e-5):
                mean = x.mean(-1, keepdim=True)
                std = x.std(-1, keepdim=True, correction=0)
                return (x - mean) / (std ** 2 + eps) ** 0.5
            """,
        ),
    ],
    "causal_mask": [
        (
            "ones(bool).tril()",
            """
            def causal_mask(seq_len):
                return torch.ones(seq_len, seq_len, dtype=torch.bool).tril()
            """,
        ),
        (
            "triu complement",
            """
            def causal_mask(seq_len):
                return ~torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1)
            """,
        ),
        (
            "arange comparison",
            """
            def causal_mask(seq_len):
                i = torch.arange(seq_len)
                return i.unsqueeze(1) >= i.unsqueeze(0)
            """,
        ),
    ],
    "pairwise_distances": [
        (
            "torch.cdist",
            """
            def pairwise_distances(x, y):
                return torch.cdist(x, y)
            """,
        ),
        (
            "norm of broadcast differences",
            """
            def pairwise_distances(x, y):
                return (x[:, None, :] - y[None, :, :]).norm(dim=-1)
            """,
        ),
        (
            "einops rearrange and linalg.vector_norm",
            """
            def pairwise_distances(x, y):
                diff = rearrange(x, "n d -> n 1 d") - rearrange(y, "m d -> 1 m d")
                return torch.linalg.vector_norm(diff, dim=-1)
            """,
        ),
        (
            "squared differences via einsum",
            """
            def pairwise_distances(x, y):
                diff = x.unsqueeze(1) - y.unsqueeze(0)
                return einsum(diff, diff, "n m d, n m d -> n m").sqrt()
            """,
        ),
    ],
    "softmax": [
        (
            "torch.softmax",
            """
            def softmax(x):
                return torch.softmax(x, dim=-1)
            """,
        ),
        (
            "F.softmax",
            """
            def softmax(x):
                return torch.nn.functional.softmax(x, dim=-1)
            """,
        ),
        (
            "exp(x - logsumexp)",
            """
            def softmax(x):
                return torch.exp(x - torch.logsumexp(x, dim=-1, keepdim=True))
            """,
        ),
        (
            "max(...).values",
            """
            def softmax(x):
                m = x.max(dim=-1, keepdim=True).values
                e = torch.exp(x - m)
                return e / torch.sum(e, dim=-1, keepdim=True)
            """,
        ),
    ],
    "logsumexp": [
        (
            "max(...).values and torch.log",
            """
            def logsumexp(x):
                m = x.max(dim=-1).values
                return m + torch.log(torch.sum(torch.exp(x - m.unsqueeze(-1)), dim=-1))
            """,
        ),
        (
            "a helper for the shift",
            """
            def _shifted(x):
                m = x.amax(-1, keepdim=True)
                return x - m, m
            def logsumexp(x):
                s, m = _shifted(x)
                return (m + s.exp().sum(-1, keepdim=True).log()).squeeze(-1)
            """,
        ),
        (
            "einops reduce",
            """
            def logsumexp(x):
                m = reduce(x, "... n -> ... 1", "max")
                return reduce((x - m).exp(), "... n -> ...", "sum").log() + m[..., 0]
            """,
        ),
    ],
    "log_softmax": [
        (
            "torch.log_softmax",
            """
            def log_softmax(x):
                return torch.log_softmax(x, dim=-1)
            """,
        ),
        (
            "x - torch.logsumexp",
            """
            def log_softmax(x):
                return x - torch.logsumexp(x, -1, keepdim=True)
            """,
        ),
        (
            "shift by the max by hand",
            """
            def log_softmax(x):
                s = x - x.amax(-1, keepdim=True)
                return s - s.exp().sum(-1, keepdim=True).log()
            """,
        ),
        (
            "with the section's logsumexp",
            """
            def log_softmax(x):
                return x - logsumexp(x).unsqueeze(-1)
            """,
        ),
    ],
    "embed": [
        (
            "F.embedding",
            """
            def embed(tokens, W_E):
                return torch.nn.functional.embedding(tokens, W_E)
            """,
        ),
        (
            "index_select",
            """
            def embed(tokens, W_E):
                return W_E.index_select(0, tokens.flatten()).reshape(*tokens.shape, W_E.shape[-1])
            """,
        ),
        (
            "one-hot matmul in W_E's dtype",
            """
            def embed(tokens, W_E):
                return torch.nn.functional.one_hot(tokens, W_E.shape[0]).to(W_E.dtype) @ W_E
            """,
        ),
    ],
    "gather_logprobs": [
        (
            "integer-array indexing with aranges",
            """
            def gather_logprobs(logprobs, tokens):
                b, p = tokens.shape
                return logprobs[torch.arange(b)[:, None], torch.arange(p)[None, :], tokens]
            """,
        ),
        (
            "take_along_dim",
            """
            def gather_logprobs(logprobs, tokens):
                return torch.take_along_dim(logprobs, tokens.unsqueeze(-1), dim=-1).squeeze(-1)
            """,
        ),
    ],
    "cross_entropy": [
        (
            "F.cross_entropy",
            """
            def cross_entropy(logits, targets):
                return torch.nn.functional.cross_entropy(logits, targets)
            """,
        ),
        (
            "nll_loss of log_softmax",
            """
            def cross_entropy(logits, targets):
                F = torch.nn.functional
                return F.nll_loss(F.log_softmax(logits, dim=-1), targets)
            """,
        ),
        (
            "logsumexp minus the correct logit",
            """
            def cross_entropy(logits, targets):
                correct = logits.gather(-1, targets[:, None]).squeeze(-1)
                return (torch.logsumexp(logits, dim=-1) - correct).mean()
            """,
        ),
        (
            "the section's log_softmax and indexing",
            """
            def cross_entropy(logits, targets):
                lp = log_softmax(logits)
                return -lp[torch.arange(logits.shape[0]), targets].mean()
            """,
        ),
    ],
}


globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
