# %% [markdown]
# *GENERATED from book/0_fundamentals/0.0_tensors_and_einops.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 0.0 Tensors and einops
#
# Most of the code you will read in this curriculum — a transformer's forward pass, a sparse
# autoencoder, a probe — is a handful of ideas applied to tensors over and over: move axes around,
# combine them, sum some of them away, line two tensors up so they can be multiplied, pick out
# entries by index. When one of these steps is wrong the code rarely crashes. It returns a tensor of
# a plausible shape that holds the wrong numbers, and you find out hours later from a loss curve
# that will not go down. This section drills those steps until they are boring, with tools that make
# the intent of each line readable: **einops** patterns and **einsum**.
#
# **You will be able to**
#
# - reshape, merge, split and reorder axes with `einops.rearrange`, and read a pattern such as
#   `"b (h d) -> b h d"` at a glance;
# - pool with `einops.reduce` and tile or upsample with `einops.repeat`;
# - write traces, matrix products, outer products and attention scores as
#   `einsum` expressions (contractions);
# - predict what broadcasting will do, including the cases where it silently does the wrong thing;
# - index with integer tensors and gather — the way a model looks up embeddings and the
#   log-probability of the correct token;
# - compute softmax, log-softmax and logsumexp without overflow
#   (numerical stability), and a cross-entropy loss from them;
# - replace a Python loop over pairs with one vectorised expression (vectorisation).
#
# **Prerequisites.** Python, and having created a `torch.tensor` before. Linear algebra at the level
# of "a matrix times a vector" and "a dot product". No machine learning yet.
#
# **Time.** About 2½–3 hours: 18 short exercises, most of them a single line once you see it.
#
# ## Setup
#
# Everything in this section needs only `torch`, `einops` and `jaxtyping`. The annotations such as
# `Float[Tensor, "batch pos d_model"]` are documentation: they name every axis of every argument, so
# that a signature tells you the shapes without reading the body. (jaxtyping can also check them at
# run time; we only use them as documentation here.)

# %%
import torch
from einops import einsum, rearrange, reduce, repeat
from jaxtyping import Bool, Float, Int
from torch import Tensor

import arena_check


# %% [markdown]
# ## Part 1 · Reshaping with einops
#
# A tensor is a flat block of numbers plus a shape that says how to read it. `view`, `reshape`,
# `permute` and `transpose` change that reading, but the code does not say what the axes *mean*:
# `x.permute(0, 2, 3, 1)` is correct or wrong depending on what axis 1 was. einops makes you write
# the meaning down. A pattern names the axes of the input and of the output:
#
# ```python
# rearrange(x, "batch chan height width -> batch height width chan")
# ```
#
# Three rules cover almost everything:
#
# - **Names are matched, not positions.** Axes on the right are the same axes as on the left,
#   in whatever order you write them.
# - **Parentheses merge axes** on the right — `"b c h w -> b (c h w)"` flattens each image — and
#   **split** an axis on the left, where you give the missing sizes as keywords:
#   `rearrange(x, "(rows cols) d -> rows cols d", rows=4)`.
# - **Order inside parentheses is row-major.** In `(a b)` the *first* name varies slowest, like the
#   digits of a two-digit number. `(a b)` and `(b a)` are different tensors with the same shape,
#   and mixing them up is the commonest einops bug.
#
# `reduce` is `rearrange` plus an aggregation (`"sum"`, `"mean"`, `"max"`, …) over the axes that
# disappear, and `repeat` is `rearrange` plus new axes that copy the data.

# %% [markdown]
# ### Exercise 1 · `images_to_grid`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Lay out a batch of images as one big picture, `rows` images tall.
#
# Every time you look at a batch of inputs, a set of attention patterns or the features of a sparse
# autoencoder, you will tile them into one figure. It is a single `rearrange` that splits the batch
# axis in two and merges each half with a spatial axis — and it is the smallest example where the
# order inside parentheses decides whether the picture is right.
#
# <details><summary>Hint 1</summary>
#
# Split the batch axis into `(rows cols)` on the left. Which of the two goes with `height` and
# which with `width` on the right?
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Read the output row by row: moving down the grid you pass through whole images of one grid row
# before the next grid row starts, so the output height is `(rows height)` — grid row first,
# slowest.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "images_to_grid", images_to_grid)


# %% [markdown]
# ### Exercise 2 · `patchify`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# Cut every image into non-overlapping square patches and flatten each patch into a vector.
#
# A vision transformer reads an image as a sequence of such patch vectors, one "token" per patch.
# The same three moves — split an axis in two, reorder, merge — are how a transformer splits
# `d_model` into attention heads, `rearrange(x, "b pos (head d_head) -> b head pos d_head",
# head=n_heads)`, and merges them back afterwards.
#
# <details><summary>Hint 1</summary>
#
# On the left, split `height` into (patch-row index, row within the patch) and `width` likewise.
# Give einops the patch size for the *inner* axes.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The output has two merged axes: the patch index `(patch_row patch_col)` and the vector inside
# a patch `(channel row_in_patch col_in_patch)`. Write them in the order the docstring asks for.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "patchify", patchify)


# %% [markdown]
# ### Exercise 3 · `pool2d`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Shrink images by taking the maximum or the mean over non-overlapping `size × size` windows.
#
# Pooling is the "summarise a neighbourhood" layer of convolutional networks (you will write
# `MaxPool2d` in 0.1), and the same `reduce` pattern averages activations over positions or heads
# in interpretability code. `reduce` takes the name of the aggregation as a string, so both modes
# are the same line.
#
# <details><summary>Hint</summary>
#
# Split each spatial axis into (window index, position within the window) and let `reduce` drop
# the positions within the window. Which of the two split axes is "within the window" depends on
# the order inside the parentheses: in `(h sh)` the name `sh` varies fastest, so `size`
# neighbouring pixels share the same `h`.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "pool2d", pool2d)


# %% [markdown]
# ### Exercise 4 · `upsample_nearest`
#
# > difficulty 1/5 · importance 2/5 · 10 min
#
# Enlarge images by an integer factor, turning each pixel into a `factor × factor` block.
#
# `repeat` makes copies along new axes explicit. Where the new axis sits inside the parentheses
# changes everything: `(h f)` puts the `f` copies of each *row* next to each other (upsampling),
# `(f h)` stacks `f` copies of the *whole image* (tiling). Broadcasting usually makes
# such copies unnecessary, but when you need a real tensor of the larger shape — a positional
# embedding repeated over a batch, a mask repeated over heads — `repeat` says so in one line.
#
# <details><summary>Hint</summary>
#
# Introduce two new axes of size `factor` and merge each with a spatial axis. Which side of the
# spatial axis should the new axis go so that copies of the same pixel end up next to each other?
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "upsample_nearest", upsample_nearest)


# %% [markdown]
# ## Part 2 · Contractions with einsum
#
# Matrix products, dot products, traces, attention scores and the weighted sums inside a
# transformer's heads are all the same operation: multiply entries of several tensors, and sum over
# some indices. Einstein summation writes only the indices. Give every axis of every input a name;
# the names listed after the arrow are kept, in that order, and **every name that does not appear
# after the arrow is summed over**. A name that appears twice in the *same* input picks out the
# diagonal of that input.
#
# There are two spellings. `torch.einsum("ij,jk->ik", a, b)` takes the pattern first and one letter
# per axis. `einops.einsum(a, b, "i j, j k -> i k")` takes the tensors first and allows whole words
# separated by spaces, which is what we use: `"batch head q_pos d_head"` documents itself.
#
# The five exercises below are each one line. Try to write the pattern before reaching for a
# hint, and compare it with the plain-PyTorch version you would otherwise write.
#
# ### Exercise 5 · `matrix_trace`
#
# > difficulty 1/5 · importance 2/5 · 5 min
#
# Return the trace (sum of the diagonal) of a square matrix, using `einsum`.
#
# <details><summary>Hint</summary>
#
# Use the same name for both axes of the input, and keep no names in the output.
#
# </details>

# %%
def matrix_trace(mat: Float[Tensor, "n n"]) -> Float[Tensor, ""]:
    """The trace `sum_i mat[i, i]` of a square matrix, via `einsum`.

    Returns a 0-dimensional tensor (shape `()`) with the dtype of
    `mat`.
    """
    return einsum(mat, "i i ->")


# %%
arena_check.check("0.0", "matrix_trace", matrix_trace)


# %% [markdown]
# ### Exercise 6 · `mat_vec`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Multiply a matrix by a vector with `einsum`.
#
# <details><summary>Hint</summary>
#
# Which index is shared between the matrix and the vector, and which one survives?
#
# </details>

# %%
def mat_vec(
    mat: Float[Tensor, "m n"], vec: Float[Tensor, "n"]
) -> Float[Tensor, "m"]:
    """The matrix-vector product, computed with `einsum`.

    `out[i] = sum_j mat[i, j] * vec[j]`. Returns shape `(m,)`.
    """
    return einsum(mat, vec, "i j, j -> i")


# %%
arena_check.check("0.0", "mat_vec", mat_vec)


# %% [markdown]
# ### Exercise 7 · `mat_mul`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Multiply two matrices with `einsum`.

# %%
def mat_mul(
    a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]
) -> Float[Tensor, "m n"]:
    """The matrix product, computed with `einsum`.

    `out[i, j] = sum_k a[i, k] * b[k, j]`. Returns shape `(m, n)`.
    """
    return einsum(a, b, "i k, k j -> i j")


# %%
arena_check.check("0.0", "mat_mul", mat_mul)


# %% [markdown]
# ### Exercise 8 · `outer_product`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Form the outer product of two vectors with `einsum`.
#
# An outer product is a rank-one matrix: it reads along one direction and writes along another.
# Every matrix is a sum of such pieces, which is how you will take apart weight matrices such as an
# attention head's OV circuit in 1.2.
#
# <details><summary>Hint</summary>
#
# Nothing is summed here: every input name appears in the output.
#
# </details>

# %%
def outer_product(
    u: Float[Tensor, "m"], v: Float[Tensor, "n"]
) -> Float[Tensor, "m n"]:
    """The outer product `out[i, j] = u[i] * v[j]`, using `einsum`.

    Returns shape `(m, n)`: rows follow `u`, columns follow `v`.
    """
    return einsum(u, v, "i, j -> i j")


# %%
arena_check.check("0.0", "outer_product", outer_product)


# %% [markdown]
# ### Exercise 9 · `attention_scores`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Compute the dot product of every query with every key, separately for each batch element and
# each attention head.
#
# This is the batched matrix product at the centre of attention. In plain PyTorch it is
# `q @ k.transpose(-2, -1)`, which is correct only if you remember which axes `@` treats as the
# batch and which `transpose` swaps. With named axes the pattern is also the documentation: the
# result is indexed by query position *then* key position, and each row says how much one query
# position attends to every key position.
#
# <details><summary>Hint</summary>
#
# Four names per input. `batch` and `head` appear in both inputs and in the output; `d_head` is
# summed over; the query and key positions need different names even though both are "positions".
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "attention_scores", attention_scores)


# %% [markdown]
# ## Part 3 · Broadcasting
#
# When two tensors of different shapes meet in an elementwise operation, PyTorch lines their shapes
# up **from the right**. Each pair of sizes must be equal, or one of them must be 1 (or missing), in
# which case that tensor is reused along the axis without being copied. So `(4, 3) + (3,)` adds the
# vector to every row, `(4, 3) + (4, 1)` adds a column to every column, and `(4, 3) + (4,)` is an
# error because 3 and 4 do not match.
#
# The dangerous case is the one that is *not* an error. `x - x.mean(dim=1)` is meant to centre
# each row. The mean has shape `(n,)`, which lines up with the *last* axis of `x`, so PyTorch
# subtracts row `j`'s mean from column `j`. For a non-square `x` that raises; for a square one it
# runs and returns garbage. `keepdim=True` keeps the reduced axis with size 1, shape `(n, 1)`, which
# lines up with the rows as intended.

# %% [markdown]
# ### Exercise 10 · `standardize`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Rescale every vector along the last axis to mean 0 and variance 1.
#
# This is the heart of LayerNorm, which every transformer applies before each attention and MLP
# layer (and then follows with a learned scale and shift, left out here). Reductions that keep their
# axis, a variance with the right normalisation, and an epsilon in the right place are all it takes.
#
# <details><summary>Hint 1</summary>
#
# `x.mean(dim=-1, keepdim=True)` and `x.var(dim=-1, keepdim=True, correction=0)` have shape
# `(..., 1)`, which broadcasts against `(..., d)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `torch.var` divides by `d - 1` by default (the unbiased estimate); the docstring asks for the
# plain mean of squared deviations, as LayerNorm uses. `eps` goes inside the square root.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "standardize", standardize)


# %% [markdown]
# ### Exercise 11 · `causal_mask`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Build the boolean causal mask that lets each position attend to itself and to earlier positions only.
#
# A language model predicts token `t + 1` from tokens `0 … t`; if position `t` could look at later
# positions during training, it could simply read the answer. The mask is a comparison between a
# column of query positions and a row of key positions — the simplest example of broadcasting two
# vectors into a matrix. Off-by-one errors here (forbidding a position to see itself, or letting it
# see one step ahead) are easy to make and hard to notice.
#
# <details><summary>Hint</summary>
#
# Compare `positions[:, None]` (shape `(seq_len, 1)`) with `positions[None, :]` (shape
# `(1, seq_len)`). Which one is the query?
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "causal_mask", causal_mask)


# %% [markdown]
# ### Exercise 12 · `pairwise_distances`
#
# > difficulty 3/5 · importance 3/5 · 15 min
#
# Compute the Euclidean distance between every point of one set and every point of another,
# without a Python loop.
#
# The loop version below is how you might write it first. It is correct and, for a few thousand
# points, hundreds of times slower than it needs to be: each iteration launches tiny tensor
# operations from Python. Vectorising means expressing *all* pairs at once — here by broadcasting
# `x` and `y` against each other into an `(n, m, d)` tensor of differences. Nearest-neighbour
# search, k-means, and comparing feature directions or steering vectors all start from this matrix.

# %%
def pairwise_distances_loop(x: Tensor, y: Tensor) -> Tensor:
    """The slow, obviously correct version: one pair at a time."""
    out = torch.empty(x.shape[0], y.shape[0], dtype=x.dtype)
    for i in range(x.shape[0]):
        for j in range(y.shape[0]):
            out[i, j] = ((x[i] - y[j]) ** 2).sum().sqrt()
    return out


# %% [markdown]
# <details><summary>Hint 1</summary>
#
# Insert a size-1 axis into each input so that their shapes broadcast to `(n, m, d)`:
# `x[:, None, :]` has shape `(n, 1, d)`. What shape should `y` get?
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Square the differences, sum over the `d` axis, take the square root. The tempting alternative
# `|x|² + |y|² - 2 x·y` saves memory but subtracts nearly equal large numbers: it loses precision
# and can even come out slightly *negative* for identical points, and
# `sqrt` of a negative number is NaN.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "pairwise_distances", pairwise_distances)


# %% [markdown]
# ## Part 4 · Softmax, logsumexp and log-softmax
#
# A model's last layer produces **logits**, unnormalised scores; softmax turns them into
# probabilities, $\mathrm{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}$. Written literally it breaks:
# in float32, `exp` overflows to `inf` above about 88, and `inf / inf` is NaN. The fix rests on one
# identity. For any constant $c$,
#
# $$
# \frac{e^{x_i - c}}{\sum_j e^{x_j - c}} = \frac{e^{-c}\, e^{x_i}}{e^{-c} \sum_j e^{x_j}} = \mathrm{softmax}(x)_i ,
# $$
#
# so we may subtract $c = \max_j x_j$ first. Then the largest exponent is $e^0 = 1$: nothing
# overflows, and the denominator is at least 1.

# %% [markdown]
# ### Exercise 13 · `softmax`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Write a numerically stable softmax over the last dimension.
#
# Softmax turns attention scores into attention patterns and logits into next-token
# probabilities; it is in every transformer layer and at the output.
#
# <details><summary>Hint 1</summary>
#
# Subtract the maximum of each row before exponentiating. Keep the reduced axis so the subtraction
# broadcasts along the row, not across rows.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `x.amax(dim=-1, keepdim=True)` returns only the maximum values; `x.max(dim=-1)` returns a
# `(values, indices)` pair.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "softmax", softmax)


# %% [markdown]
# ### Exercise 14 · `logsumexp`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Compute $\log \sum_j e^{x_j}$ over the last dimension without overflow or underflow (and without
# calling `torch.logsumexp`).
#
# Logsumexp is the log of softmax's denominator, and a smooth maximum: it lies between
# $\max_j x_j$ and $\max_j x_j + \log n$. Most losses need it rather than the softmax itself. The
# same shift works: $\log \sum_j e^{x_j} = m + \log \sum_j e^{x_j - m}$ with $m = \max_j x_j$.
#
# <details><summary>Hint</summary>
#
# Compute `m` with `keepdim=True` for the subtraction, and remember to add `m` back at the end —
# with a shape that matches the output, which has no last axis.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "logsumexp", logsumexp)


# %% [markdown]
# ### Exercise 15 · `log_softmax`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Compute the logarithm of the softmax over the last dimension. Your `logsumexp` does most of the work.
#
# Taking `softmax(x).log()` looks equivalent and is not: a probability of $e^{-200}$ is below the
# smallest float32, rounds to 0, and its log is `-inf` — a loss that should be large but finite
# becomes infinite. Since $\log \mathrm{softmax}(x)_i = x_i - \log \sum_j e^{x_j}$, the
# log-probabilities never need to go through probabilities at all.
#
# <details><summary>Hint</summary>
#
# `logsumexp(x)` has lost the last axis; put it back (`[..., None]` or `unsqueeze(-1)`) before
# subtracting.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "log_softmax", log_softmax)


# %% [markdown]
# ## Part 5 · Indexing and gather
#
# Slicing (`x[2:5]`, `x[:, 0]`) selects regular blocks. **Integer-array indexing** selects
# arbitrary entries: indexing a tensor with an integer tensor `idx` returns `x[idx[...]]` for every
# entry of `idx`, so the result has the shape of `idx` followed by the remaining axes of `x`. With
# one integer tensor per axis, the tensors are broadcast together and paired up entry by entry:
# `x[rows, cols]` is `[x[rows[0], cols[0]], x[rows[1], cols[1]], …]`, *not* a sub-matrix.
#
# `torch.gather(x, dim, index)` is the same idea along one axis with everything else aligned: the
# output has the shape of `index`, and along `dim` the position comes from `index` while every
# other coordinate is the output's own. For `dim=-1` on a 3-D tensor:
# `out[b, p, j] = x[b, p, index[b, p, j]]`.

# %% [markdown]
# ### Exercise 16 · `embed`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Look up the embedding vector of every token in a batch of token sequences.
#
# A transformer's first operation maps each integer token id to a learned vector: row `token` of
# the embedding matrix `W_E`. It is a single indexing expression, and it is exactly what
# `nn.Embedding` does.
#
# <details><summary>Hint</summary>
#
# Index `W_E` with the whole `tokens` tensor at once. What shape does the result have?
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "embed", embed)


# %% [markdown]
# ### Exercise 17 · `gather_logprobs`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# From a tensor of log-probabilities over the vocabulary at every position, pick out the
# log-probability of one given token at each position.
#
# This is how you score a model on a text: at every position it outputs a distribution over the
# vocabulary, and what matters is the log-probability it gave to the token that actually came
# next. The per-token log-probabilities are the raw material of the training loss, of perplexity,
# and of many interpretability metrics. Here the
# target at position `p` is given directly; in a language model it is the input shifted by one,
# which you will set up in 1.1.
#
# <details><summary>Hint 1</summary>
#
# `gather` needs an index tensor with as many axes as the input. Add a trailing axis of size 1 to
# `tokens`, gather along the vocabulary axis, then remove that axis again.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# An alternative without `gather`: integer-array indexing with one index tensor per axis,
# `logprobs[batch_idx, pos_idx, tokens]`, where `batch_idx` and `pos_idx` are `arange`s shaped to
# broadcast against `tokens`.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "gather_logprobs", gather_logprobs)


# %% [markdown]
# ### Exercise 18 · `cross_entropy`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Compute the mean cross-entropy loss of a batch of logits against the correct classes. Your
# `log_softmax` and an index or `gather` are all it takes.
#
# Cross-entropy is the training loss of every classifier and language model in this curriculum:
# the average, over examples, of the negative log-probability the model gave to the right answer.
# A model that guesses uniformly over `n` classes scores $\log n$; a perfect one scores 0.
#
# <details><summary>Hint</summary>
#
# `log_softmax` over the classes, pick each row's correct entry, average, and flip the sign.
#
# </details>

# %%
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


# %%
arena_check.check("0.0", "cross_entropy", cross_entropy)

# %% [markdown]
# ## Summary
#
# - einops patterns name every axis; parentheses merge (on the right) and split (on the left); the
#   first name inside parentheses varies slowest. `rearrange`, `reduce` and `repeat` cover
#   reshaping, pooling and copying.
# - In an einsum, every index missing from the output is summed over. Traces, matrix products,
#   outer products and attention scores are one pattern each.
# - Broadcasting aligns shapes from the right. Reduce with `keepdim=True` when the result will be
#   combined with the original, and test with square inputs, where the bug hides.
# - Integer-array indexing and `gather` pick entries by position: embeddings, and the
#   log-probability of the correct token.
# - Subtract the maximum before exponentiating; compute log-probabilities as `x - logsumexp(x)`,
#   never as `log(softmax(x))`.
# - A Python loop over pairs of items can usually become one broadcast expression that is orders of
#   magnitude faster.
#
# ## Further reading
#
# - Alex Rogozhnikov, [Einops: Clear and Reliable Tensor Manipulations with Einstein-like
#   Notation](https://openreview.net/forum?id=oapKSVM2bcj), ICLR 2022 — the design of the
#   library and why named patterns prevent bugs.
# - [Broadcasting semantics](https://pytorch.org/docs/stable/notes/broadcasting.html), PyTorch
#   documentation — the exact rules, including in-place operations.
# - Tim Rocktäschel, [Einsum is all you need](https://rockt.github.io/2018/04/30/einsum) (2018) — a
#   tour of einsum from transposes to bilinear forms.
# - [torch.gather](https://pytorch.org/docs/stable/generated/torch.gather.html), PyTorch
#   documentation — the indexing formula for every `dim`.
