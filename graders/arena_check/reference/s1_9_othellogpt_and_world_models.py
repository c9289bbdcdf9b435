"""GENERATED from book/1_transformer_interp/1.9_othellogpt_and_world_models.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import numpy as np
import torch
import torch.nn.functional as F
from jaxtyping import Bool, Float, Int, Int8
from torch import Tensor
from transformer_lens import HookedTransformer

import arena_check
from arena_check.kit import othello
from arena_check.kit.models import othello_gpt


def flips_in_direction(board: Int8[np.ndarray, " squares"], player: int, square: int, dr: int, dc: int) -> list[int]:
    """The squares (ints, nearest first) of the opponent discs that `player` would turn over in
    direction (dr, dc) by playing on `square`: a run of one or more `-player` discs starting next
    to `square`, closed by a `player` disc. [] if the run is empty, reaches the edge or an empty
    square, or if `square` itself is occupied. Does not modify `board`."""
    if board[square] != 0:
        return []
    row, col = divmod(square, 8)
    run: list[int] = []
    r, c = row + dr, col + dc
    while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
        run.append(r * 8 + c)
        r, c = r + dr, c + dc
    if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
        return run
    return []


def legal_moves_mask(board: Int8[np.ndarray, " squares"], player: int) -> Bool[np.ndarray, " squares"]:
    """mask[s] is True when `player` may play on square s: s is empty and turns over at least one
    opponent disc in some direction. A numpy bool array of 64 entries."""
    mask = np.zeros(64, dtype=bool)
    for s in range(64):
        mask[s] = any(flips_in_direction(board, player, s, dr, dc) for dr, dc in othello.DIRECTIONS)
    return mask


def apply_move(board: Int8[np.ndarray, " squares"], player: int, square: int) -> Int8[np.ndarray, " squares"]:
    """The board after `player` plays `square`: a NEW int8 array with `player` on `square` and on
    every disc flipped in any of the eight directions; `board` is left unchanged.
    Raises ValueError if the move is illegal (occupied, or flips nothing)."""
    turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
    if not turned:
        raise ValueError(f"{othello.square_name(square)} is not a legal move")
    out = board.copy()
    out[square] = player
    out[turned] = player
    return out


def shift_input(tokens: Int[Tensor, "games 60"]) -> Int[Tensor, "games 60"]:
    """[PAD, m_1, ..., m_59] per row: the pad token (othello.PAD = 0), then every move token but
    the last. int64, a new tensor; `tokens` is not modified."""
    pad = torch.full((tokens.shape[0], 1), othello.PAD, dtype=torch.long)
    return torch.cat([pad, tokens[:, :-1].long()], dim=1)


def top1_legal_rate(
    logits: Float[Tensor, "games pos 61"], legal: Bool[Tensor, "games pos 61"], valid: Bool[Tensor, "games pos"]
) -> float:
    """Mean over the (game, position) pairs where valid is True of legal[g, p, best], where best
    is the argmax of logits[g, p, 1:] as a token (1..60; the pad token 0 never counts).
    A Python float."""
    best = logits[..., 1:].argmax(dim=-1) + 1
    hit = legal.gather(-1, best[..., None])[..., 0]
    return float(hit[valid].float().mean())


def resid_stack(model: HookedTransformer, inputs: Int[Tensor, "batch pos"]) -> Float[Tensor, "layers batch pos d_model"]:
    """stack[0] = the residual stream after the embedding (blocks.0.hook_resid_pre) and
    stack[l] = after block l - 1 (blocks.{l-1}.hook_resid_post), for l = 1 .. n_layers; so
    n_layers + 1 entries. Runs without gradients; does not change the model."""
    names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers)]
    with torch.no_grad():
        _, cache = model.run_with_cache(inputs, names_filter=lambda name: name in names)
    return torch.stack([cache[name] for name in names])


def relative_labels(boards: Int8[np.ndarray, "*batch squares"], to_move: Int8[np.ndarray, "*batch"]) -> Int[Tensor, "*batch squares"]:
    """Classes per square as an int64 tensor of the boards' shape: 0 empty, 1 "mine" (a disc of
    the player to move, to_move[...] = 1 black or -1 white), 2 "theirs" (the opponent's)."""
    rel = boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64)[..., None]
    return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, 2)))


def fit_probe(
    acts: Float[Tensor, "n d_model"], labels: Int[Tensor, "n 64"], weight_decay: float = 1e-5, max_iter: int = 30
) -> tuple[Float[Tensor, "d_model 64 3"], Float[Tensor, "64 3"]]:
    """(W, b): a logistic probe whose logits for row x are einsum(x, W, "d, d s c -> s c") + b.

    Fitted on standardised features xs = (acts - mean) / std (per feature, over the rows; std as
    torch.std computes it) by minimising mean cross-entropy over rows and squares plus
    weight_decay * sum(V ** 2) for the standardised weights V, with full-batch L-BFGS
    (max_iter iterations, strong-Wolfe line search) from zero; then folded back into the raw
    space. float32, no gradient attached."""
    acts = acts.detach().float()
    mean, std = acts.mean(0), acts.std(0)
    xs = (acts - mean) / std
    V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
    c = torch.zeros(64, 3, requires_grad=True)
    opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        opt.zero_grad()
        logits = torch.einsum("nd,dsc->nsc", xs, V) + c
        loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V**2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    V, c = V.detach(), c.detach()
    return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean / std, V)


def probe_accuracy(
    acts: Float[Tensor, "n d_model"], W: Float[Tensor, "d_model 64 3"], b: Float[Tensor, "64 3"], labels: Int[Tensor, "n 64"]
) -> Float[Tensor, " 64"]:
    """acc[s] = fraction of rows whose predicted class for square s (the argmax over the three
    classes of the probe's logits einsum(x, W, "d, d s c -> s c") + b) equals labels[:, s]. float32."""
    pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(dim=-1)
    return (pred == labels).float().mean(dim=0)


def probe_directions(W: Float[Tensor, "d_model 64 3"]) -> Float[Tensor, "64 d_model"]:
    """Row s = W[:, s, 1] - W[:, s, 2] (class 1 "mine" minus class 2 "theirs"), scaled to unit
    Euclidean norm."""
    diff = (W[:, :, 1] - W[:, :, 2]).T
    return diff / diff.norm(dim=-1, keepdim=True)


def set_component(
    resid: Float[Tensor, "n d_model"], direction: Float[Tensor, "n d_model"], value: Float[Tensor, " n"]
) -> Float[Tensor, "n d_model"]:
    """Row i: resid[i] with its coordinate along the unit vector direction[i] / |direction[i]|
    replaced by value[i]; the part orthogonal to the direction is unchanged. A new tensor."""
    u = direction / direction.norm(dim=-1, keepdim=True)
    coord = (resid * u).sum(dim=-1, keepdim=True)
    return resid + (value[:, None] - coord) * u


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
    name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
    rows = torch.arange(inputs.shape[0])

    def hook(resid: Tensor, hook) -> Tensor:
        edited = resid.clone()
        r = resid[rows, pos]
        coord = (r * directions).sum(-1) / directions.norm(dim=-1)
        edited[rows, pos] = set_component(r, directions, -coord)
        return edited

    with torch.no_grad():
        return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])


def legality_change(
    rel_board: Int8[np.ndarray, " squares"], square: int
) -> tuple[Bool[np.ndarray, " squares"], Bool[np.ndarray, " squares"]]:
    """(became_legal, became_illegal) for the player to move (+1 on a relative board: +1 mine,
    -1 theirs, 0 empty) when the disc on `square` (occupied) is turned to the other side.
    Two numpy bool arrays of 64; rel_board is not modified."""
    flipped = rel_board.copy()
    flipped[square] = -flipped[square]
    before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
    return after & ~before, before & ~after
