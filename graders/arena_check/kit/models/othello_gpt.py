"""``othello-gpt``: a small GPT that reads Othello move sequences and predicts legal next moves.

Trained by ``tools/train_othello_gpt.py`` on random legal games from :mod:`arena_check.kit.othello`
and shipped in ``kit/weights/othello-gpt/``: ``model.safetensors`` (fp32) and ``meta.json``
(config, seed, data sizes, time, the held-out legal-move rate and linear-probe accuracies by
layer). The setup follows Li et al. 2023, "Emergent World Representations"
(https://arxiv.org/abs/2210.13382), and the probes Nanda et al. 2023, "Emergent Linear
Representations in World Models of Self-Supervised Sequence Models"
(https://arxiv.org/abs/2309.00941).

    from arena_check.kit import othello
    from arena_check.kit.models import othello_gpt
    model = othello_gpt.load()
    games = othello.random_games(200, seed=5, record=True)
    othello_gpt.legal_move_rate(model, games)          # top-1 prediction is a legal move

Input: ``[PAD, m_1, ..., m_59]`` (tokens, :func:`model_input`); the logits at position ``p``
predict move ``p + 1``, i.e. they describe the position after ``p`` moves. The helpers here
(inputs, targets, the legal-move rate, residual-stream activations, batched linear probes) are
shared by the training script, the tests and the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor

from arena_check.kit import othello
from arena_check.kit.models import hooked_transformer
from arena_check.kit.paths import weights_dir

NAME = "othello-gpt"
N_CTX = othello.MAX_MOVES  # 60 positions: the start token and the first 59 moves


def folder() -> Path:
    """Where the shipped weights and meta.json live."""
    return weights_dir(NAME)


def _where(path: Path | None) -> Path:
    return Path(path) if path is not None else folder()


def meta(path: Path | None = None) -> dict[str, Any]:
    """The training record written by the training script."""
    return json.loads((_where(path) / "meta.json").read_text())


def build(config: dict[str, Any], device: str = "cpu", init_weights: bool = False):
    """A ``HookedTransformer`` with ``config`` (the dict stored in meta.json)."""
    return hooked_transformer(**config, init_weights=init_weights, device=device)


def load(path: Path | None = None, device: str = "cpu"):
    """The trained model in eval mode, rebuilt from meta.json's config (``path``: another folder)."""
    from safetensors.torch import load_file

    where = _where(path)
    model = build(meta(where)["config"], device)
    state = load_file(str(where / "model.safetensors"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    buffers = {name for name, _ in model.named_buffers()}
    if unexpected or set(missing) - buffers:
        raise RuntimeError(
            f"weights do not match meta.json's config: missing {sorted(set(missing) - buffers)}, "
            f"unexpected {sorted(unexpected)}; re-run tools/train_othello_gpt.py"
        )
    model.eval()
    return model


def random_init(seed: int = 0, path: Path | None = None):
    """A model of the shipped shape with freshly initialised weights: the probes' baseline."""
    torch.manual_seed(seed)
    model = build(meta(path)["config"], init_weights=True)
    model.eval()
    return model


# ----------------------------------------------------------------------------- data to tensors


def model_input(games: othello.Games) -> Int[Tensor, "games 60"]:
    """``[PAD, m_1, ..., m_59]``: the start token, then every move but the last."""
    tokens = torch.from_numpy(games.tokens)
    start = torch.full((len(games), 1), othello.PAD, dtype=torch.long)
    return torch.cat([start, tokens[:, :-1]], dim=1)


def legal_targets(games: othello.Games) -> tuple[Bool[Tensor, "games 60 61"], Bool[Tensor, "games 60"]]:
    """``(legal, valid)``: ``legal[g, p, token]`` is True when ``token`` is a legal move in the
    position after ``p`` moves (which position ``p`` predicts); ``valid`` is False where the game is
    already over (no move follows). Needs ``games`` generated with ``record=True``."""
    assert games.legal is not None and games.to_move is not None, "generate with record=True"
    squares = np.concatenate(
        [np.broadcast_to(games.first_legal, (len(games), 1, 64)), games.legal[:, :-1]], axis=1
    )
    valid = np.concatenate([np.ones((len(games), 1), bool), games.to_move[:, :-1] != 0], axis=1)
    legal = np.zeros((*squares.shape[:2], othello.VOCAB_SIZE), dtype=bool)
    legal[..., 1:] = squares[..., othello.TOKEN_TO_SQUARE[1:]]
    return torch.from_numpy(legal), torch.from_numpy(valid)


def board_targets(
    games: othello.Games, kind: str = "relative"
) -> tuple[Int[Tensor, "games 60 64"], Bool[Tensor, "games 60"]]:
    """``(labels, valid)``: the state of each square in the board after ``p`` moves.

    The token at input position ``p`` is move ``p`` (position 0 is the start token), so the
    residual stream there has seen exactly the moves that make the board after ``p`` moves — the
    position whose legal moves it must predict. Classes: relative (to the player to move in that
    position) ``0`` empty, ``1`` mine, ``2`` theirs; absolute ``0`` empty, ``1`` black, ``2``
    white. ``valid`` is False after the game ended.
    """
    assert games.boards is not None, "generate with record=True"
    boards = games.relative_boards if kind == "relative" else games.boards
    start = othello.initial_board()  # black to move: mine = black
    first = np.broadcast_to(start, (len(games), 1, 64))
    states = np.concatenate([first, boards[:, :-1]], axis=1)
    labels = np.where(states == 0, 0, np.where(states > 0, 1, 2))
    valid = np.concatenate([np.ones((len(games), 1), bool), games.moves[:, :-1] >= 0], axis=1)
    return torch.from_numpy(labels).long(), torch.from_numpy(valid)


# ------------------------------------------------------------------------------------- metrics


@torch.inference_mode()
def logits(model, games: othello.Games, batch: int = 256) -> Float[Tensor, "games 60 61"]:
    """Logits for every position of every game, in batches."""
    inputs = model_input(games)
    return torch.cat([model(inputs[i : i + batch]) for i in range(0, len(inputs), batch)])


def legal_move_rate(model, games: othello.Games, batch: int = 256) -> float:
    """Fraction of (game, position) pairs, while the game is on, whose top-1 predicted move token
    is legal there. The pad token is never a prediction (its logit is ignored)."""
    legal, valid = legal_targets(games)
    out = logits(model, games, batch)
    top = out[..., 1:].argmax(-1) + 1
    hit = legal.gather(-1, top[..., None])[..., 0]
    return float(hit[valid].float().mean())


@torch.inference_mode()
def resid_streams(model, games: othello.Games, batch: int = 256) -> Float[Tensor, "layers games 60 d_model"]:
    """The residual stream after the embedding (index 0) and after each block (1..n_layers)."""
    names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers)]
    inputs = model_input(games)
    chunks = []
    for i in range(0, len(inputs), batch):
        _, cache = model.run_with_cache(inputs[i : i + batch], names_filter=lambda n: n in names)
        chunks.append(torch.stack([cache[n] for n in names]))
    return torch.cat(chunks, dim=1)


def fit_probes(
    acts: Float[Tensor, "layers n d_model"],
    labels: Int[Tensor, "n 64"],
    n_train: int,
    ridge: float = 1e-2,
) -> tuple[Float[Tensor, "layers d_in 192"], list[float]]:
    """Quick linear probes: for every layer at once, a ridge least-squares fit of one-hot labels
    (3 classes for each of the 64 squares) from the standardised residual stream plus a bias, on
    the first ``n_train`` rows; the predicted class is the argmax of a square's three outputs.
    Returns the weights ``[layers, d_model + 1, 64 * 3]`` and each layer's accuracy, averaged over
    squares, on the remaining rows.

    Closed form, so it costs one ``d x d`` solve per layer — fast enough for tests and the
    training script. A logistic-regression probe (what the papers fit) does a little better; this
    one is a lower bound on what is linearly decodable."""
    x = acts.float()
    mean, std = x[:, :n_train].mean(1, keepdim=True), x[:, :n_train].std(1, keepdim=True) + 1e-6
    x = torch.cat([(x - mean) / std, torch.ones(*x.shape[:2], 1)], dim=-1)
    y = torch.nn.functional.one_hot(labels, 3).float().reshape(len(labels), -1)
    xtr, ytr = x[:, :n_train], y[:n_train]
    gram = xtr.transpose(1, 2) @ xtr + ridge * n_train * torch.eye(x.shape[-1])
    w = torch.linalg.solve(gram, xtr.transpose(1, 2) @ ytr)
    pred = (x[:, n_train:] @ w).reshape(x.shape[0], -1, 64, 3).argmax(-1)
    acc = (pred == labels[n_train:]).float().mean(dim=(1, 2))
    return w, [round(float(a), 4) for a in acc]


def probe_report(model, games: othello.Games, n_rows: int = 12000, seed: int = 0) -> dict[str, list[float]]:
    """Held-out probe accuracy by layer (0 = embedding) for relative and absolute board labels,
    on ``n_rows`` (game, position) rows sampled from ``games`` (two thirds to fit, a third to test)."""
    acts = resid_streams(model, games)
    out: dict[str, list[float]] = {}
    gen = torch.Generator().manual_seed(seed)
    for kind in ("relative", "absolute"):
        labels, valid = board_targets(games, kind)
        rows = valid.reshape(-1).nonzero()[:, 0]
        rows = rows[torch.randperm(len(rows), generator=gen)[:n_rows]]
        flat = acts.reshape(acts.shape[0], -1, acts.shape[-1])[:, rows]
        _, acc = fit_probes(flat, labels.reshape(-1, 64)[rows], n_train=2 * len(rows) // 3)
        out[kind] = acc
    return out
