"""Section 0.0: each check passes the reference and rejects the stub and plausible mistakes.

Each mutant is a wrong solution a learner could plausibly write. Most of them return the right
*shape* for some inputs — those are the mistakes that matter, because nothing crashes. The other
direction is tested too: correct solutions written differently from the reference (``ALTERNATIVES``)
must pass every check.
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
    ],
}


# Correct solutions written differently from the reference (plain PyTorch, torch.nn.functional).
# The checks must accept them: a check that only passes the reference's own formulation (or that
# compares too tightly) would fail learners who are right.
ALTERNATIVES: dict[str, str] = {
    "images_to_grid": """
        def images_to_grid(images, rows):
            b, c, h, w = images.shape
            cols = b // rows
            grid = images.reshape(rows, cols, c, h, w).permute(0, 3, 1, 4, 2)
            return grid.reshape(rows * h, cols * w, c)
        """,
    "patchify": """
        def patchify(images, patch):
            return torch.nn.functional.unfold(images, kernel_size=patch, stride=patch).transpose(1, 2)
        """,
    "pool2d": """
        def pool2d(images, size, mode="max"):
            F = torch.nn.functional
            return F.max_pool2d(images, size) if mode == "max" else F.avg_pool2d(images, size)
        """,
    "upsample_nearest": """
        def upsample_nearest(images, factor):
            return images.repeat_interleave(factor, dim=-2).repeat_interleave(factor, dim=-1)
        """,
    "matrix_trace": """
        def matrix_trace(mat):
            return torch.trace(mat)
        """,
    "mat_vec": """
        def mat_vec(mat, vec):
            return mat @ vec
        """,
    "mat_mul": """
        def mat_mul(a, b):
            return torch.einsum("ik,kj->ij", a, b)
        """,
    "outer_product": """
        def outer_product(u, v):
            return u[:, None] * v[None, :]
        """,
    "attention_scores": """
        def attention_scores(q, k):
            return q @ k.transpose(-2, -1)
        """,
    "standardize": """
        def standardize(x, eps=1e-5):
            return torch.nn.functional.layer_norm(x, (x.shape[-1],), eps=eps)
        """,
    "causal_mask": """
        def causal_mask(seq_len):
            return torch.ones(seq_len, seq_len, dtype=torch.bool).tril()
        """,
    "pairwise_distances": """
        def pairwise_distances(x, y):
            return torch.cdist(x, y)
        """,
    "softmax": """
        def softmax(x):
            return torch.softmax(x, dim=-1)
        """,
    "logsumexp": """
        def logsumexp(x):
            return torch.logsumexp(x, dim=-1)
        """,
    "log_softmax": """
        def log_softmax(x):
            return torch.log_softmax(x, dim=-1)
        """,
    "embed": """
        def embed(tokens, W_E):
            return torch.nn.functional.embedding(tokens, W_E)
        """,
    "gather_logprobs": """
        def gather_logprobs(logprobs, tokens):
            b, p = tokens.shape
            return logprobs[torch.arange(b)[:, None], torch.arange(p)[None, :], tokens]
        """,
    "cross_entropy": """
        def cross_entropy(logits, targets):
            return torch.nn.functional.cross_entropy(logits, targets)
        """,
}


globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
