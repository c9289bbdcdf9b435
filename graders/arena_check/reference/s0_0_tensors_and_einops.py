"""GENERATED from book/0_fundamentals/0.0_tensors_and_einops.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import torch
from einops import einsum, rearrange, reduce, repeat
from jaxtyping import Bool, Float, Int
from torch import Tensor

import arena_check


def images_to_grid(
    images: Float[Tensor, "batch channel height width"], rows: int
) -> Float[Tensor, "rows*height cols*width channel"]:
    """Tile a batch of images into one image, `rows` images tall.

    `batch` must be a multiple of `rows`; the grid has
    `cols = batch // rows` columns. Image `i` goes to grid row
    `i // cols` and grid column `i % cols` (left to right, then
    top to bottom): with `H = height` and `W = width`,

        out[r*H + y, c*W + x, ch] == images[r*cols + c, ch, y, x]

    Returns shape `(rows * height, cols * width, channel)` —
    channel last, the layout `plt.imshow` expects — and the dtype
    of `images`.
    """
    return rearrange(
        images, "(gr gc) c h w -> (gr h) (gc w) c", gr=rows
    )


def patchify(
    images: Float[Tensor, "batch channel height width"], patch: int
) -> Float[Tensor, "batch n_patches channel*patch*patch"]:
    """Cut each image into `patch × patch` squares; flatten each.

    `height` and `width` must be multiples of `patch`. The patches
    of an image are numbered row-major: with `pc = width // patch`
    patches per row, patch `n = i * pc + j` covers rows
    `i*patch : (i+1)*patch` and columns `j*patch : (j+1)*patch`.
    Each patch is flattened in (channel, row within the patch,
    column within the patch) order. With `P = patch`,
    `out[b, i*pc + j]` equals

        images[b, :, i*P:(i+1)*P, j*P:(j+1)*P].flatten()

    Returns shape `(batch, n_patches, channel * patch * patch)`,
    where `n_patches = (height // patch) * (width // patch)`.
    """
    return rearrange(
        images,
        "b c (pr p1) (pc p2) -> b (pr pc) (c p1 p2)",
        p1=patch,
        p2=patch,
    )


def pool2d(
    images: Float[Tensor, "batch channel height width"],
    size: int,
    mode: str = "max",
) -> Float[Tensor, "batch channel height/size width/size"]:
    """Max- or mean-pool over non-overlapping square windows.

    `height` and `width` must be multiples of `size`; `mode` is
    `"max"` or `"mean"`. Each channel is pooled separately, and with
    `S = size`, `out[b, c, i, j]` is the max (or the mean) of

        images[b, c, i*S:(i+1)*S, j*S:(j+1)*S]

    Returns shape `(batch, channel, height // size, width // size)`
    and the dtype of `images`.
    """
    if mode not in ("max", "mean"):
        raise ValueError(f"mode must be 'max' or 'mean': {mode!r}")
    pattern = "b c (h sh) (w sw) -> b c h w"
    return reduce(images, pattern, mode, sh=size, sw=size)


def upsample_nearest(
    images: Float[Tensor, "batch channel height width"], factor: int
) -> Float[Tensor, "batch channel height*factor width*factor"]:
    """Nearest-neighbour upsampling: each pixel becomes a block.

    Every pixel is repeated `factor` times down and `factor` times
    across. With `f = factor`,

        out[b, c, y, x] == images[b, c, y // f, x // f]

    Returns shape `(batch, channel, height * f, width * f)` and the
    dtype of `images` (integer images stay integer).
    """
    return repeat(
        images, "b c h w -> b c (h fh) (w fw)", fh=factor, fw=factor
    )


def matrix_trace(mat: Float[Tensor, "n n"]) -> Float[Tensor, ""]:
    """The trace `sum_i mat[i, i]` of a square matrix, via `einsum`.

    Returns a 0-dimensional tensor (shape `()`) with the dtype of
    `mat`.
    """
    return einsum(mat, "i i ->")


def mat_vec(
    mat: Float[Tensor, "m n"], vec: Float[Tensor, "n"]
) -> Float[Tensor, "m"]:
    """The matrix-vector product, computed with `einsum`.

    `out[i] = sum_j mat[i, j] * vec[j]`. Returns shape `(m,)`.
    """
    return einsum(mat, vec, "i j, j -> i")


def mat_mul(
    a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]
) -> Float[Tensor, "m n"]:
    """The matrix product, computed with `einsum`.

    `out[i, j] = sum_k a[i, k] * b[k, j]`. Returns shape `(m, n)`.
    """
    return einsum(a, b, "i k, k j -> i j")


def outer_product(
    u: Float[Tensor, "m"], v: Float[Tensor, "n"]
) -> Float[Tensor, "m n"]:
    """The outer product `out[i, j] = u[i] * v[j]`, using `einsum`.

    Returns shape `(m, n)`: rows follow `u`, columns follow `v`.
    """
    return einsum(u, v, "i, j -> i j")


def attention_scores(
    q: Float[Tensor, "batch head q_pos d_head"],
    k: Float[Tensor, "batch head k_pos d_head"],
) -> Float[Tensor, "batch head q_pos k_pos"]:
    """Unscaled attention scores, computed with `einsum`:

        out[b, h, i, j] = sum_d q[b, h, i, d] * k[b, h, j, d]

    for every batch element and head independently. Do *not* divide
    by `sqrt(d_head)` here; that scaling is applied elsewhere.
    Returns shape `(batch, head, q_pos, k_pos)`: queries index the
    rows, keys the columns.
    """
    return einsum(
        q,
        k,
        "batch head q_pos d_head, batch head k_pos d_head"
        " -> batch head q_pos k_pos",
    )


def standardize(
    x: Float[Tensor, "... d"], eps: float = 1e-5
) -> Float[Tensor, "... d"]:
    """Shift and scale each vector to mean 0 and variance 1.

    `out = (x - mean) / sqrt(var + eps)`, where `mean` and `var`
    are taken over the last axis and `var` is the mean of squared
    deviations (divide by `d`, not `d - 1`). Any number of leading
    axes is allowed. A constant vector maps to all zeros. Returns
    the shape and dtype of `x`.
    """
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def causal_mask(seq_len: int) -> Bool[Tensor, "q_pos k_pos"]:
    """Boolean attention mask for a sequence of length `seq_len`.

    `out[i, j]` is True when query position `i` may attend to key
    position `j`, that is when `j <= i` (itself and earlier
    positions), and False otherwise. Returns a `torch.bool` tensor
    of shape `(seq_len, seq_len)`: lower-triangular, diagonal
    included.
    """
    positions = torch.arange(seq_len)
    return positions[:, None] >= positions[None, :]


def pairwise_distances_loop(x: Tensor, y: Tensor) -> Tensor:
    """The slow, obviously correct version: one pair at a time."""
    out = torch.empty(x.shape[0], y.shape[0], dtype=x.dtype)
    for i in range(x.shape[0]):
        for j in range(y.shape[0]):
            out[i, j] = ((x[i] - y[j]) ** 2).sum().sqrt()
    return out


def pairwise_distances(
    x: Float[Tensor, "n d"], y: Float[Tensor, "m d"]
) -> Float[Tensor, "n m"]:
    """Euclidean distances between all pairs of rows of `x` and `y`.

    `out[i, j] = ||x[i] - y[j]||_2`, with no Python loops (broadcast
    instead). Identical points have distance exactly 0 (never
    NaN). Returns shape `(n, m)` and the dtype of the inputs.
    """
    diffs = x[:, None, :] - y[None, :, :]
    return diffs.pow(2).sum(dim=-1).sqrt()


def softmax(x: Float[Tensor, "... n"]) -> Float[Tensor, "... n"]:
    """Softmax over the last dimension:

        out[..., i] = exp(x[..., i]) / sum_j exp(x[..., j])

    Numerically stable: inputs as large as 1000 give finite
    results. Entries equal to `-inf` get probability 0, provided the
    row has at least one finite entry (this is how masked attention
    positions are switched off). Each output row sums to 1. Returns
    the shape and dtype of `x`.
    """
    shifted = x - x.amax(dim=-1, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=-1, keepdim=True)


def logsumexp(x: Float[Tensor, "... n"]) -> Float[Tensor, "..."]:
    """`log(sum_j exp(x[..., j]))` over the last dimension, stably.

    Finite for inputs as large as 1000 or as small as -1000, where
    exponentiating directly overflows to `inf` or underflows to 0.
    `-inf` entries contribute nothing, provided the row has at least
    one finite entry. The last dimension is removed: returns shape
    `x.shape[:-1]` and the dtype of `x`. Do not call
    `torch.logsumexp`.
    """
    m = x.amax(dim=-1, keepdim=True)
    return m.squeeze(-1) + (x - m).exp().sum(dim=-1).log()


def log_softmax(
    x: Float[Tensor, "... n"],
) -> Float[Tensor, "... n"]:
    """`log(softmax(x))` over the last dimension, stably.

    It equals `x - logsumexp(x)`. Stays finite where the softmax
    underflows: for the row `[0, -200]` the second entry is `-200`,
    not `-inf`. Stable for large inputs too. Returns the shape and
    dtype of `x`.
    """
    return x - logsumexp(x)[..., None]


def embed(
    tokens: Int[Tensor, "batch pos"],
    W_E: Float[Tensor, "d_vocab d_model"],
) -> Float[Tensor, "batch pos d_model"]:
    """Replace every token id by its row of the embedding matrix.

    `out[b, p] == W_E[tokens[b, p]]`. Token ids lie in
    `[0, d_vocab)`. Returns shape `(batch, pos, d_model)` and the
    dtype of `W_E`.
    """
    return W_E[tokens]


def gather_logprobs(
    logprobs: Float[Tensor, "batch pos d_vocab"],
    tokens: Int[Tensor, "batch pos"],
) -> Float[Tensor, "batch pos"]:
    """The log-probability of a chosen token at every position.

    `out[b, p] == logprobs[b, p, tokens[b, p]]`. Token ids lie in
    `[0, d_vocab)`. Returns shape `(batch, pos)` and the dtype of
    `logprobs`.
    """
    picked = logprobs.gather(dim=-1, index=tokens[..., None])
    return picked.squeeze(-1)


def cross_entropy(
    logits: Float[Tensor, "batch n_classes"],
    targets: Int[Tensor, "batch"],
) -> Float[Tensor, ""]:
    """Mean negative log-likelihood of the correct classes:

        -mean_b log_softmax(logits)[b, targets[b]]

    Targets are class indices in `[0, n_classes)`. Stable for large
    logits (no `inf` or NaN for logits of size 1000). Returns a
    0-dimensional tensor with the dtype of `logits`; equals
    `torch.nn.functional.cross_entropy(logits, targets)`.
    """
    logprobs = log_softmax(logits)
    correct = logprobs.gather(dim=-1, index=targets[:, None])
    return -correct.mean()
