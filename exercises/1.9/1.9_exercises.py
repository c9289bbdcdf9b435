# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.9_othellogpt_and_world_models.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 1.9 <this file>*

# %% [markdown]
# # 1.9 OthelloGPT and world models
#
# Does a language model only learn surface statistics of its text, or does it build a model of
# the process that produced the text? Li et al. (2023) asked this on a world small enough to know
# completely: they trained a GPT on nothing but the move lists of Othello games — no board, no
# rules, just sequences like `d3 c5 f6 …` — and asked whether the network represents the board.
# It does: probes read the state of every square from its activations, and editing those
# activations changes its predictions the way a changed board should. That is the sense in which a
# sequence model can have a **world model**: an internal state that tracks the hidden
# variables generating its input, and that its outputs depend on.
#
# Li et al. found the board with *non-linear* probes; linear probes for "black / white / empty"
# did poorly. Nanda et al. (2023) saw why: the model does not care about colour, it cares about
# whose turn it is. Described **relative to the player to move** — *mine*, *theirs*, *empty*, a
# relative board — the board is linearly readable, and linear directions can be added to
# the residual stream to edit it.
#
# This section repeats that story on a small OthelloGPT the project trained for you, on CPU.
#
# **You will be able to**
#
# - write Othello's rules as code (flips in one direction, legal moves, playing a move) and test
#   them against the project's engine;
# - explain the model's input and target convention, and measure its legal-move rate;
# - cache the residual stream after every block, label each square mine / theirs / empty
#   from the side of the player to move, and see why "black / white" is the wrong question;
# - train multinomial logistic linear probes, compare them by layer, with a
#   colour-based probe and with the same probe on a randomly initialised model;
# - read the geometry of the probe directions, and edit the residual stream along one to flip a
#   square, then measure how often the model's predicted legal moves change as the rules say.
#
# **Prerequisites.** Section 1.2 (TransformerLens hooks and caches) and section 1.5 (linear probes).
# The rules of Othello are explained below.
#
# **Time.** About 3 hours: 13 exercises.
#
# ## Setup
#
# The model is `othello-gpt`, trained by `tools/train_othello_gpt.py` and shipped with `arena-check`
# (`arena_check.kit.models.othello_gpt`): a GPT of 4 layers, `d_model` 128, 4 heads of 32, a GELU
# MLP of 512 neurons, LayerNorm, learned positions and a vocabulary of 61 tokens — token 0 is a
# start / pad token and tokens 1–60 are the 60 squares a move can be played on (the four centre
# squares start occupied). It was trained for about 12 minutes on one CPU thread, on 96 000 random
# legal games produced by the project's own rules engine, `arena_check.kit.othello` (whose
# hand-checked tests you can read in the repository). The page says which figures it re-measures
# and which it reads from the training record.

# %%
import numpy as np
import torch
import torch.nn.functional as F
from jaxtyping import Bool, Float, Int, Int8
from torch import Tensor
from transformer_lens import HookedTransformer

import arena_check
from arena_check.kit import othello
from arena_check.kit.models import othello_gpt


# %% [markdown]
# ## Part 1 · The rules
#
# Othello is played on an 8 × 8 board by black and white; black moves first from the four centre
# discs. A move places a disc of your colour on an empty square so that, in at least one of the
# eight directions, it closes a straight run of one or more of the opponent's discs with one of
# your own at the far end; every such run, in every direction, is turned over to your colour. A
# player with no legal move passes; the game ends when neither can move.
#
# The engine's conventions, which the whole section uses: a board is a numpy `int8` array of 64
# squares, index `row * 8 + col`, where `col` 0–7 is the file a–h and `row` 0–7 the rank 1–8 (so
# `"d3"` is square 19); a square holds `1` (black), `-1` (white) or `0` (empty), and a player is
# `1` or `-1`. A direction is a step `(dr, dc)` in rows and columns.
#
# ### Exercise 1 · `flips_in_direction`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# The opponent discs that a move on `square` would turn over in one direction.
#
# This is the whole of Othello's difficulty in one loop, and the edge of the board is where it goes
# wrong: stepping by `+1` from the h-file must not wrap around to the a-file of the next rank.
#
# <details><summary>Hint 1</summary>
#
# Keep `row` and `col` separately and check `0 <= row < 8 and 0 <= col < 8` before reading a
# square; never step through the flat index alone.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Collect the run of `-player` discs; the run counts only if the square right after it is inside
# the board and holds `player`. An empty square, the edge, or an empty run means nothing flips.
#
# </details>

# %%
def flips_in_direction(board: Int8[np.ndarray, " squares"], player: int, square: int, dr: int, dc: int) -> list[int]:
    """The squares (ints, nearest first) of the opponent discs that `player` would turn over in
    direction (dr, dc) by playing on `square`: a run of one or more `-player` discs starting next
    to `square`, closed by a `player` disc. [] if the run is empty, reaches the edge or an empty
    square, or if `square` itself is occupied. Does not modify `board`."""
    raise NotImplementedError("exercise: flips_in_direction")


# %%
arena_check.check("1.9", "flips_in_direction", flips_in_direction)


# %% [markdown]
# ### Exercise 2 · `legal_moves_mask`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# A boolean mask of the squares where `player` may move.
#
# The model's whole training signal is this mask: for each position it was taught to spread its
# prediction over the legal moves.
#
# <details><summary>Hint</summary>
#
# `othello.DIRECTIONS` lists the eight `(dr, dc)` steps. A square is legal when some direction
# flips something.
#
# </details>

# %%
def legal_moves_mask(board: Int8[np.ndarray, " squares"], player: int) -> Bool[np.ndarray, " squares"]:
    """mask[s] is True when `player` may play on square s: s is empty and turns over at least one
    opponent disc in some direction. A numpy bool array of 64 entries."""
    raise NotImplementedError("exercise: legal_moves_mask")


# %%
arena_check.check("1.9", "legal_moves_mask", legal_moves_mask)


# %% [markdown]
# ### Exercise 3 · `apply_move`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Play a move: place the disc and turn over every run it closes, in all eight directions.
#
# <details><summary>Hint</summary>
#
# Collect the flips of all eight directions from the board you were given, then write `player`
# on the square and on every flipped disc of a copy of the board. (The eight rays from a square
# share no square, so flipping one direction before looking at the next gives the same board —
# but only if the played square is still empty when `flips_in_direction` looks at it.)
#
# </details>

# %%
def apply_move(board: Int8[np.ndarray, " squares"], player: int, square: int) -> Int8[np.ndarray, " squares"]:
    """The board after `player` plays `square`: a NEW int8 array with `player` on `square` and on
    every disc flipped in any of the eight directions; `board` is left unchanged.
    Raises ValueError if the move is illegal (occupied, or flips nothing)."""
    raise NotImplementedError("exercise: apply_move")


# %%
arena_check.check("1.9", "apply_move", apply_move)


# %% [markdown]
# Replay twenty random games with your rules and compare every position and every legal-move
# set with the engine's record (its fast bitboard implementation, tested against hand-checked
# positions):

# %% [markdown]
# ## Part 2 · The data and the model
#
# The data set is random legal games: at every turn the player to move picks one of its legal moves
# uniformly at random (`othello.random_games`). The model reads the moves played, **passes
# skipped** — so the tokens never say whose turn it is; after a pass the same colour moves twice
# in a row, and only a model that tracks the board can know.
#
# Inputs and targets: a game is up to 60 moves $m_1, \dots, m_{60}$, and the model reads
# `[PAD, m_1, ..., m_59]` — a start token, then every move but the last. The logits at position $p$
# predict move $p + 1$, so they describe the position **after $p$ moves**; position 0, having seen
# only the start token, predicts black's first move. Because random games choose uniformly among
# the legal moves, the right output is a uniform distribution over the legal moves, and that is the
# target the model was trained on. After a game ends the tokens are pads and nothing is scored.
#
# ### Exercise 4 · `shift_input`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Build the model's input from a batch of games' move tokens.
#
# <details><summary>Hint</summary>
#
# `torch.cat` a column of `othello.PAD` in front of `tokens[:, :-1]`.
#
# </details>

# %%
def shift_input(tokens: Int[Tensor, "games 60"]) -> Int[Tensor, "games 60"]:
    """[PAD, m_1, ..., m_59] per row: the pad token (othello.PAD = 0), then every move token but
    the last. int64, a new tensor; `tokens` is not modified."""
    raise NotImplementedError("exercise: shift_input")


# %%
arena_check.check("1.9", "shift_input", shift_input)


# %% [markdown]
# ### Exercise 5 · `top1_legal_rate`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The model's legal-move rate: the fraction of positions, while the game is on, where its
# top-1 predicted move is legal.
#
# The model cannot be asked for *the* right move — every legal move is right in a random game — so
# Li et al. score whether its prediction is *legal*. The pad token is never a move: leave its logit
# out of the argmax.
#
# <details><summary>Hint</summary>
#
# `logits[..., 1:].argmax(-1) + 1` is the best move token. Look it up in `legal` with `gather`,
# keep the entries where `valid` is True, and average.
#
# </details>

# %%
def top1_legal_rate(
    logits: Float[Tensor, "games pos 61"], legal: Bool[Tensor, "games pos 61"], valid: Bool[Tensor, "games pos"]
) -> float:
    """Mean over the (game, position) pairs where valid is True of legal[g, p, best], where best
    is the argmax of logits[g, p, 1:] as a token (1..60; the pad token 0 never counts).
    A Python float."""
    raise NotImplementedError("exercise: top1_legal_rate")


# %%
arena_check.check("1.9", "top1_legal_rate", top1_legal_rate)


# %% [markdown]
# Re-measure the shipped model on held-out games: 500 games from the seed the training script
# evaluated on, `(0, 1)`, which no training game came from (the script used 1000 games of that
# seed; a different count gives different games, so expect the same rate up to a few tenths of a
# point; about 6 s on this shared machine):

# %%
def resid_stack(model: HookedTransformer, inputs: Int[Tensor, "batch pos"]) -> Float[Tensor, "layers batch pos d_model"]:
    """stack[0] = the residual stream after the embedding (blocks.0.hook_resid_pre) and
    stack[l] = after block l - 1 (blocks.{l-1}.hook_resid_post), for l = 1 .. n_layers; so
    n_layers + 1 entries. Runs without gradients; does not change the model."""
    raise NotImplementedError("exercise: resid_stack")


# %%
arena_check.check("1.9", "resid_stack", resid_stack)


# %% [markdown]
# ### Exercise 7 · `relative_labels`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# Label every square *empty*, *mine* or *theirs* from the side of the player to move.
#
# This one line is Nanda et al.'s observation. Move by move, black and white alternate (apart from
# passes), so "this square is black" means "mine" on even moves and "theirs" on odd ones: a colour
# feature would have to be recomputed every move, while "mine / theirs" changes only when a disc
# is placed or turned over — and it is what decides the legal moves.
#
# <details><summary>Hint</summary>
#
# `board * to_move[..., None]` is `+1` on my discs and `-1` on theirs. Then map `0 → 0`,
# `+1 → 1`, `-1 → 2`.
#
# </details>

# %%
def relative_labels(boards: Int8[np.ndarray, "*batch squares"], to_move: Int8[np.ndarray, "*batch"]) -> Int[Tensor, "*batch squares"]:
    """Classes per square as an int64 tensor of the boards' shape: 0 empty, 1 "mine" (a disc of
    the player to move, to_move[...] = 1 black or -1 white), 2 "theirs" (the opponent's)."""
    raise NotImplementedError("exercise: relative_labels")


# %%
arena_check.check("1.9", "relative_labels", relative_labels)


# %% [markdown]
# The probe data: 600 fresh games (seed `(0, 2)`, which no training game used), the residual stream
# at every position of every game, and 24 000 (game, position) rows sampled from the positions
# where the game is still on — 16 000 to fit, 8 000 to test. The same rows are cached for a model
# of the same shape with random weights (`othello_gpt.random_init`), the baseline that says how much
# of the board any network's activations would reveal just by carrying the move tokens along
# (about 15 s on this shared machine):

# %% [markdown]
# ### Exercise 8 · `fit_probe`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Train a multinomial logistic probe: for each square, a linear map from the residual stream to
# three logits (empty / mine / theirs), all 64 squares at once.
#
# Three things make it fast and well-behaved. Standardise each feature (subtract its mean, divide
# by its standard deviation over the training rows), because the layers differ in scale by a
# factor of {glue:text}`feature_scale_ratio:.0f` (the mean per-feature standard deviation, printed
# above) and the features within a layer differ too. Use full-batch L-BFGS, which converges in a few dozen
# iterations on a convex problem like this one. And return the probe in the *raw* activation
# space, so that it can be applied to — and its directions added to — the residual stream as it
# is.
#
# <details><summary>Hint 1</summary>
#
# With `xs = (acts - mean) / std`, the probe logits are `einsum("nd,dsc->nsc", xs, V) + c` with
# `V` of shape `[d_model, 64, 3]` and `c` of shape `[64, 3]`, both starting at zero.
# `F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1))` averages over rows and squares.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")` and
# one `opt.step(closure)`, where `closure` zeroes the gradients, computes the loss plus
# `weight_decay * (V ** 2).sum()`, calls `backward()` and returns the loss.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# Folding the standardisation back: $x_s V + c = x (V / \sigma) + (c - (\mu / \sigma) V)$, so
# `W = V / std[:, None, None]` and `b = c - einsum(mean / std, V, "d, d s c -> s c")`.
#
# </details>

# %%
def fit_probe(
    acts: Float[Tensor, "n d_model"], labels: Int[Tensor, "n 64"], weight_decay: float = 1e-5, max_iter: int = 30
) -> tuple[Float[Tensor, "d_model 64 3"], Float[Tensor, "64 3"]]:
    """(W, b): a logistic probe whose logits for row x are einsum(x, W, "d, d s c -> s c") + b.

    Fitted on standardised features xs = (acts - mean) / std (per feature, over the rows; std as
    torch.std computes it) by minimising mean cross-entropy over rows and squares plus
    weight_decay * sum(V ** 2) for the standardised weights V, with full-batch L-BFGS
    (max_iter iterations, strong-Wolfe line search) from zero; then folded back into the raw
    space. float32, no gradient attached."""
    raise NotImplementedError("exercise: fit_probe")


# %%
arena_check.check("1.9", "fit_probe", fit_probe)


# %% [markdown]
# ### Exercise 9 · `probe_accuracy`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The accuracy of a probe on each square separately.
#
# <details><summary>Hint</summary>
#
# The prediction is the argmax over the **last** axis (the three classes), not over squares.
#
# </details>

# %%
def probe_accuracy(
    acts: Float[Tensor, "n d_model"], W: Float[Tensor, "d_model 64 3"], b: Float[Tensor, "64 3"], labels: Int[Tensor, "n 64"]
) -> Float[Tensor, " 64"]:
    """acc[s] = fraction of rows whose predicted class for square s (the argmax over the three
    classes of the probe's logits einsum(x, W, "d, d s c -> s c") + b) equals labels[:, s]. float32."""
    raise NotImplementedError("exercise: probe_accuracy")


# %%
arena_check.check("1.9", "probe_accuracy", probe_accuracy)


# %% [markdown]
# Now the comparison. The closed-form ridge probes of `othello_gpt.fit_probes` are cheap enough to
# sweep every layer for three questions at once — relative labels, absolute colour, and relative
# labels on the random model. The logistic probe you wrote is then fitted where it matters, at the
# best layer, for the same three questions (30–40 s on this shared machine, the page's slowest cell):

# %%
def probe_directions(W: Float[Tensor, "d_model 64 3"]) -> Float[Tensor, "64 d_model"]:
    """Row s = W[:, s, 1] - W[:, s, 2] (class 1 "mine" minus class 2 "theirs"), scaled to unit
    Euclidean norm."""
    raise NotImplementedError("exercise: probe_directions")


# %%
arena_check.check("1.9", "probe_directions", probe_directions)


# %%
def set_component(
    resid: Float[Tensor, "n d_model"], direction: Float[Tensor, "n d_model"], value: Float[Tensor, " n"]
) -> Float[Tensor, "n d_model"]:
    """Row i: resid[i] with its coordinate along the unit vector direction[i] / |direction[i]|
    replaced by value[i]; the part orthogonal to the direction is unchanged. A new tensor."""
    raise NotImplementedError("exercise: set_component")


# %%
arena_check.check("1.9", "set_component", set_component)


# %% [markdown]
# ### Exercise 12 · `reflect_along`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Run the model with sequence $i$'s residual stream, after `layer` blocks and at position
# `pos[i]` only, reflected along `directions[i]`; return the logits.
#
# <details><summary>Hint 1</summary>
#
# The hook point for stack index `layer` is the one `resid_stack` used: `blocks.0.hook_resid_pre`
# for 0, `blocks.{layer - 1}.hook_resid_post` after that.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# In the hook, `rows = torch.arange(batch)`; `resid[rows, pos]` is `[batch, d_model]`. Reflecting is
# `set_component(r, d, -coordinate)`. Write the result into a clone and return it, and use
# `model.run_with_hooks`, which removes the hook afterwards.
#
# </details>

# %%
def reflect_along(
    model: HookedTransformer,
    inputs: Int[Tensor, "batch pos"],
    layer: int,
    pos: Int[Tensor, " batch"],
    directions: Float[Tensor, "batch d_model"],
) -> Float[Tensor, "batch pos d_vocab"]:
    """Logits of `inputs` with one edit per sequence: the residual stream at stack index `layer`
    (0 = after the embedding, l = after block l - 1, as in resid_stack) and position pos[i] is
    reflected along directions[i] (its coordinate along the unit direction changes sign).
    Other positions and sequences are untouched; no hook is left on the model; no gradients."""
    raise NotImplementedError("exercise: reflect_along")


# %%
arena_check.check("1.9", "reflect_along", reflect_along)


# %% [markdown]
# What should happen, by the rules? Take the position the model is looking at, from the side of the
# player to move, turn one disc over, and recompute the legal moves. Some squares become legal,
# some stop being legal.
#
# ### Exercise 13 · `legality_change`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Which squares become legal and which stop being legal for the player to move when one disc on a
# relative board changes sides.
#
# <details><summary>Hint</summary>
#
# On a relative board the player to move is `1`. Copy the board, negate the square, and compare
# `legal_moves_mask(..., 1)` before and after.
#
# </details>

# %%
def legality_change(
    rel_board: Int8[np.ndarray, " squares"], square: int
) -> tuple[Bool[np.ndarray, " squares"], Bool[np.ndarray, " squares"]]:
    """(became_legal, became_illegal) for the player to move (+1 on a relative board: +1 mine,
    -1 theirs, 0 empty) when the disc on `square` (occupied) is turned to the other side.
    Two numpy bool arrays of 64; rel_board is not modified."""
    raise NotImplementedError("exercise: legality_change")


# %%
arena_check.check("1.9", "legality_change", legality_change)

# %% [markdown]
# The experiment: 200 fresh games (seed `(0, 3)`), one position per game between moves 5 and 50,
# and in it one occupied square, chosen at random among those whose flip changes the legal moves.
# For every square whose legality changes, the edit should raise its logit if it became legal and
# lower it if it became illegal. The control reflects along a random direction instead, with the
# same edit at the same place. The edit is made after {glue:text}`probe_layer` blocks, so the
# model's remaining block has to turn the edited board into legal moves (about 7 s):
