"""Checks for section 1.9 — OthelloGPT and world models.

Rules exercises are compared with the reference on boards from seeded random games (both players,
every square, every direction) and on a hand-made board where stepping through the flat index
wraps from the h-file to the a-file. Model exercises run on a tiny seeded three-layer
``HookedTransformer`` with OthelloGPT's vocabulary and context (a fixture), so a hard-coded
4 layers, a hook one block off, an edit at every position or a hook left behind all show. Each
check aims at a class of mistake:

* rules: wrapping round the board's edge, a run not closed by the player's own disc, the closing
  disc or the played square counted as flipped, occupied squares, far-first order, the opponent's
  moves, diagonals forgotten, the input board modified, illegal moves accepted;
* data: the start token missing or at the end, a prediction that counts the pad token or every
  position after the game ended, a shifted layer stack;
* probes: colour ("black / white") instead of mine / theirs, the two swapped, or relative to the
  player who just moved; a probe not standardised, not folded back to raw activations, with the
  wrong weight decay; accuracy with the argmax over squares or the bias dropped; directions not
  normalised or theirs minus mine;
* intervention: an unnormalised direction, a component added rather than replaced, the wrong
  layer or positions, a hook left on the model, the flipped square emptied instead of turned.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import torch
from torch import Tensor

from arena_check.kit import othello
from arena_check.reference import s1_9_othellogpt_and_world_models as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "1.9"
DIRECTION_NAMES = {(-1, -1): "down-left", (-1, 0): "down (towards rank 1)", (-1, 1): "down-right", (0, -1): "left (towards the a-file)",
                   (0, 1): "right (towards the h-file)", (1, -1): "up-left", (1, 0): "up (towards rank 8)", (1, 1): "up-right"}


# ------------------------------------------------------------------------------------------
# Fixtures and helpers
# ------------------------------------------------------------------------------------------
@fixture(SECTION)
def _tiny():
    """Three layers, d_model 16, 2 heads of 8, d_mlp 32, LayerNorm, OthelloGPT's vocabulary (61)
    and context (60); seeded weights of std 0.3, large enough that every edit shows in the logits."""
    from arena_check.kit.models import hooked_transformer

    model = hooked_transformer(
        n_layers=3, d_model=16, n_heads=2, d_head=8, d_mlp=32, n_ctx=60, d_vocab=61, act_fn="gelu",
        normalization_type="LN", init_weights=False, device="cpu",
    )
    gen = seeded(19)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=gen) * 0.3)
    model.eval()
    return model


def _model():
    model = _tiny()
    model.reset_hooks(including_permanent=True)
    return model


def _positions() -> list[tuple[str, np.ndarray, int]]:
    """(name, board, player to move) for the start, an edge-wrap trap and positions of seeded
    random games at several stages, with both colours to move."""
    out: list[tuple[str, np.ndarray, int]] = [("the start position", othello.initial_board(), othello.BLACK)]
    trap = np.zeros(64, dtype=np.int8)
    trap[[othello.parse_square(s) for s in ("h2", "h4", "a6")]] = othello.WHITE
    trap[[othello.parse_square(s) for s in ("a3", "a5", "b6", "h7")]] = othello.BLACK
    out.append(("a hand-made board with discs on the a- and h-files (black on a3, a5, b6, h7; white on h2, h4, a6)",
                trap, othello.BLACK))
    games = othello.random_games(3, seed=7, record=True)
    for g, t in [(0, 7), (1, 22), (2, 38), (0, 50)]:
        t = min(t, int(games.lengths[g]) - 2)
        player = int(games.to_move[g, t]) or othello.BLACK
        out.append((f"random game {g} (seed 7) after {t + 1} moves, {othello.player_name(player)} to move",
                    games.boards[g, t].copy(), player))
    return out


def _after_run(board: np.ndarray, square: int, dr: int, dc: int, k: int) -> int | None:
    """The content of the square k + 1 steps from `square` in direction (dr, dc), None off the board."""
    row, col = divmod(square, 8)
    r, c = row + (k + 1) * dr, col + (k + 1) * dc
    return int(board[r * 8 + c]) if 0 <= r < 8 and 0 <= c < 8 else None


def _as_squares(got: object, *, context: str, name: str) -> list[int]:
    if not isinstance(got, list | tuple) or not all(isinstance(x, Real | np.integer) for x in got):
        raise CheckFailed(f"For {context}: `{name}` should return a list of square indices (ints), got "
                          f"{type(got).__name__}.")
    return [int(x) for x in got]


def _unchanged(before: np.ndarray, after: np.ndarray, *, context: str, name: str) -> None:
    if not np.array_equal(before, after):
        raise CheckFailed(f"For {context}: `{name}` changed the board it was given. Work on a copy "
                          "(board.copy()): callers reuse their boards.")


def _mask(got: object, want: np.ndarray, *, context: str, hint: str) -> None:
    if not isinstance(got, np.ndarray) or got.dtype != np.bool_ or got.shape != want.shape:
        what = f"{got.dtype} array of shape {got.shape}" if isinstance(got, np.ndarray) else type(got).__name__
        raise CheckFailed(f"For {context}: expected a numpy bool array of shape {want.shape}, got {what}.")
    if not np.array_equal(got, want):
        extra = [othello.square_name(s) for s in np.flatnonzero(got & ~want)]
        missing = [othello.square_name(s) for s in np.flatnonzero(want & ~got)]
        raise CheckFailed(f"For {context}: wrong squares — True but should be False: {extra or 'none'}; "
                          f"False but should be True: {missing or 'none'}. Hint: {hint}")


def _float(got: object, want: float, *, context: str, hint: str, tol: float = 1e-6) -> None:
    if isinstance(got, bool) or not isinstance(got, Real):
        raise CheckFailed(f"For {context}: expected a Python float, got {type(got).__name__}. Hint: wrap the result in float(...).")
    if not math.isclose(float(got), want, rel_tol=tol, abs_tol=tol):
        raise CheckFailed(f"For {context}: expected {want:.6f}, got {float(got):.6f}. Hint: {hint}")


# ------------------------------------------------------------------------------------------
# Part 1 · the rules
# ------------------------------------------------------------------------------------------
@check(SECTION, "flips_in_direction", points=2)
def check_flips_in_direction(flips_in_direction) -> None:
    """Every square, direction and player on seven boards, including an edge-wrap trap."""
    for context, board, _ in _positions():
        for player in (othello.BLACK, othello.WHITE):
            for square in range(64):
                for dr, dc in othello.DIRECTIONS:
                    case = (f"{context}, {othello.player_name(player)} playing {othello.square_name(square)}, "
                            f"direction (dr, dc) = ({dr}, {dc}), {DIRECTION_NAMES[(dr, dc)]}")
                    before = board.copy()
                    got = _as_squares(call(flips_in_direction, board, player, square, dr, dc, name="flips_in_direction", context=case),
                                      context=case, name="flips_in_direction")
                    _unchanged(before, board, context=case, name="flips_in_direction")
                    want = ref.flips_in_direction(board, player, square, dr, dc)
                    if got == want:
                        continue
                    names = [othello.square_name(s) for s in got]
                    hint = ("walk square by square with row and col kept apart and stop at the edge — the closing disc "
                            "too must be inside the board (check its row and col, not the flat index) — and flip only a run "
                            "of the opponent's discs closed by your own.")
                    if board[square] != 0:
                        hint = "an occupied square is not a move: it flips nothing."
                    elif sorted(got) == sorted(want):
                        hint = "list the squares nearest first, in the order you walk."
                    elif any(s in (square,) or board[s] == player for s in got):
                        hint = "flip only the opponent's discs — not the played square, not the closing disc."
                    elif got and any(abs(b % 8 - a % 8) > 1 for a, b in zip([square, *got], got, strict=False)):
                        hint = "your walk wrapped round the edge of the board (h-file to a-file): check the column, not just the flat index."
                    elif got and not want and _after_run(board, square, dr, dc, len(got)) != player:
                        hint = ("a run of the opponent's discs flips only when YOUR disc closes it: if the walk ends on an "
                                "empty square or at the edge of the board, nothing flips.")
                    raise CheckFailed(f"For {case}: expected {[othello.square_name(s) for s in want]}, got {names}. Hint: {hint}")


@check(SECTION, "legal_moves_mask", points=1)
def check_legal_moves_mask(legal_moves_mask) -> None:
    """Both players on the start, the edge-wrap trap and random positions."""
    for context, board, _ in _positions():
        for player in (othello.BLACK, othello.WHITE):
            case = f"{context}, moves for {othello.player_name(player)} ({player})"
            before = board.copy()
            got = call(legal_moves_mask, board, player, name="legal_moves_mask", context=case)
            _unchanged(before, board, context=case, name="legal_moves_mask")
            _mask(got, np.asarray(ref.legal_moves_mask(board, player)), context=case,
                  hint="a square is legal for `player` when it is empty and some of the 8 directions (diagonals too) flips something.")


@check(SECTION, "apply_move", points=2)
def check_apply_move(apply_move) -> None:
    """Every legal move of several positions; the board is not modified; illegal moves raise."""
    for context, board, player in _positions()[:1] + _positions()[2:]:
        for square in np.flatnonzero(ref.legal_moves_mask(board, player)):
            case = f"{context}, {othello.player_name(player)} plays {othello.square_name(square)}"
            before = board.copy()
            got = call(apply_move, board, player, int(square), name="apply_move", context=case)
            _unchanged(before, board, context=case, name="apply_move")
            want = ref.apply_move(board, player, int(square))
            if not isinstance(got, np.ndarray) or got.shape != (64,):
                raise CheckFailed(f"For {case}: expected a numpy array of 64 squares, got {type(got).__name__}.")
            if not np.array_equal(got, want):
                wrong = [othello.square_name(s) for s in np.flatnonzero(got != want)]
                raise CheckFailed(f"For {case}: wrong squares {wrong}. Hint: place the disc and turn over the runs of "
                                  "every one of the eight directions that flips something, not just the first.")
            if got.dtype != np.int8:
                raise CheckFailed(f"For {case}: expected dtype int8 (as the boards), got {got.dtype}.")
    board = othello.initial_board()
    for square, why in [(othello.parse_square("d4"), "an occupied square (d4)"), (othello.parse_square("a1"), "an empty square that flips nothing (a1)")]:
        case = f"the start position, black plays {why}"
        try:
            call(apply_move, board, othello.BLACK, square, name="apply_move", context=case)
        except ValueError:
            continue
        raise CheckFailed(f"For {case}: expected ValueError, but the move was played. Hint: a move that turns "
                          "over no disc is illegal; raise ValueError.")


# ------------------------------------------------------------------------------------------
# Part 2 · data and model
# ------------------------------------------------------------------------------------------
@check(SECTION, "shift_input", points=1)
def check_shift_input(shift_input) -> None:
    """Real games (with pads after the end), a single game, int32 tokens."""
    games = othello.random_games(4, seed=3)
    tokens = torch.from_numpy(games.tokens)
    cases: list[Case] = [
        ("the tokens of 4 random games (seed 3)", (tokens,)),
        ("a single game (batch 1)", (tokens[1:2],)),
        ("int32 tokens of 4 games", (tokens.int(),)),
    ]
    compare_to_reference(shift_input, ref.shift_input, cases, name="shift_input", exact=True,
                         hint="the row is the pad token 0, then tokens[:, :-1]: position p holds move p, and the last move is never an input.")


@check(SECTION, "top1_legal_rate", points=2)
def check_top1_legal_rate(top1_legal_rate) -> None:
    """Random logits where the pad token is often the largest, partly invalid positions."""
    for seed in (0, 1, 2):
        legal = torch.rand(3, 7, 61, generator=seeded(seed)) < 0.3
        legal[..., 0] = False
        logits = randn(3, 7, 61, seed=10 + seed)
        logits[..., 0] += torch.where(torch.rand(3, 7, generator=seeded(20 + seed)) < 0.5, 5.0, -5.0)
        logits += legal.float() * 1.0  # legal tokens a little more likely, so the rate is not ~0.3
        valid = torch.ones(3, 7, dtype=torch.bool)
        valid[0, 5:] = False
        valid[2, 3:] = False
        context = f"random logits [3, 7, 61] (seed {10 + seed}), pad logit often largest, 10 positions after the end"
        got = call(top1_legal_rate, logits, legal, valid, name="top1_legal_rate", context=context)
        want = ref.top1_legal_rate(logits, legal, valid)
        _float(got, want, context=context,
               hint="take the argmax over tokens 1..60 only (logits[..., 1:], then + 1), and average over all the valid "
               "(game, position) pairs at once — not per game, then over games.")


@check(SECTION, "resid_stack", points=2)
def check_resid_stack(resid_stack) -> None:
    """A tiny 3-layer model: n_layers + 1 entries, the right hooks, no gradients, no hooks left."""
    model = _model()
    for context, inputs in [("2 random sequences of 60 tokens (seed 4)", torch.randint(1, 61, (2, 60), generator=seeded(4))),
                            ("1 sequence of 9 tokens (seed 5)", torch.randint(0, 61, (1, 9), generator=seeded(5)))]:
        context = f"a tiny 3-layer model, {context}"
        got = call(resid_stack, model, inputs, name="resid_stack", context=context)
        want = ref.resid_stack(model, inputs)
        if isinstance(got, Tensor) and got.shape != want.shape and got.dim() == 4:
            raise CheckFailed(f"For {context}: expected shape {tuple(want.shape)} (n_layers + 1 = 4 entries), got "
                              f"{tuple(got.shape)}. Hint: the embedding, then one entry after each block — read "
                              "the number of blocks from model.cfg.n_layers.")
        expect_tensor(got, want, context=context, atol=1e-6, rtol=1e-5,
                      hint="entry 0 is blocks.0.hook_resid_pre, entry l is blocks.{l-1}.hook_resid_post.")
        if got.requires_grad:
            raise CheckFailed(f"For {context}: the result requires grad. Hint: cache under torch.no_grad().")
        if model.hook_dict and any(h.fwd_hooks or h.bwd_hooks for h in model.hook_dict.values()):
            raise CheckFailed(f"For {context}: a hook was left on the model. Hint: run_with_cache removes its own hooks.")


@check(SECTION, "relative_labels", points=2)
def check_relative_labels(relative_labels) -> None:
    """Boards of random games with both colours to move, batched 2-D and 1-D; colour labels and
    the two classes swapped get their own message."""
    games = othello.random_games(3, seed=9, record=True)
    boards = games.boards[:, :20].copy()
    side = games.to_move[:, :20].copy()
    side[side == 0] = othello.BLACK
    cases = [("boards of 3 random games (seed 9), 20 positions each, [3, 20, 64]", boards, side),
             ("one position, white to move, [64]", boards[0, 0], np.int8(othello.WHITE)),
             ("5 positions, black to move in all, [5, 64]", boards[1, :10:2], np.full(5, othello.BLACK, np.int8))]
    for context, b, s in cases:
        b_before, s_before = b.copy(), np.copy(s)
        got = call(relative_labels, b, s, name="relative_labels", context=context)
        if not (np.array_equal(b_before, b) and np.array_equal(s_before, s)):
            raise CheckFailed(f"For {context}: `relative_labels` changed its inputs in place.")
        want = ref.relative_labels(b, s)
        colour = torch.from_numpy(np.where(b == 0, 0, np.where(b > 0, 1, 2)).astype(np.int64))
        if isinstance(got, Tensor) and got.shape == want.shape and torch.equal(got.long(), colour) and not torch.equal(colour, want):
            raise CheckFailed(f"For {context}: your labels are by colour (1 = black, 2 = white), the labels a probe of "
                              "absolute colour would be fitted to. Hint: the class is relative to the player to move: "
                              "1 where the disc is to_move's colour, 2 where it is the opponent's.")
        if isinstance(got, Tensor) and got.shape == want.shape and torch.equal(got.long(), torch.where(want == 0, 0, 3 - want)):
            raise CheckFailed(f"For {context}: mine and theirs are swapped (1 must be the player to move's discs). Hint: "
                              "to_move is who moves next, not who just moved.")
        expect_tensor(got, want, context=context, exact=True,
                      hint="board * to_move is +1 for mine and -1 for theirs; map 0 -> 0, +1 -> 1, -1 -> 2, as int64.")


# ------------------------------------------------------------------------------------------
# Part 3 · probes
# ------------------------------------------------------------------------------------------
def _probe_data(seed: int, n: int, d: int = 6) -> tuple[Tensor, Tensor]:
    """Features far from standardised (offsets ~40, scales 0.05 .. 30) whose linear functions,
    plus noise, give labels for 64 squares."""
    z = randn(n, d, seed=seed)
    scale = torch.tensor([0.05, 30.0, 1.0, 8.0, 0.5, 3.0])[:d]
    acts = z * scale + 40.0
    coef = randn(d, 64, 3, seed=seed + 1) * 1.5
    logits = torch.einsum("nd,dsc->nsc", z, coef) + randn(n, 64, 3, seed=seed + 2)
    return acts, logits.argmax(-1)


def _objective(W: Tensor, b: Tensor, acts: Tensor, labels: Tensor, wd: float) -> float:
    std = acts.std(0)
    logits = torch.einsum("nd,dsc->nsc", acts.double(), W.double()) + b.double()
    ce = torch.nn.functional.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1))
    return float(ce + wd * ((W.double() * std.double()[:, None, None]) ** 2).sum())


@check(SECTION, "fit_probe", points=3, timeout=20)
def check_fit_probe(fit_probe) -> None:
    """Badly scaled synthetic features: the raw-space probe must reach the reference's objective
    and predictions, with the documented defaults."""
    check_defaults(fit_probe, ref.fit_probe, name="fit_probe")
    for context, seed, n, kwargs in [("400 rows of 6 badly scaled features (seed 0), default arguments", 0, 400, {}),
                                     ("300 rows (seed 5), weight_decay=0.01, max_iter=40", 5, 300, {"weight_decay": 0.01, "max_iter": 40})]:
        acts, labels = _probe_data(seed, n)
        got = call(fit_probe, acts, labels, name="fit_probe", context=context, **kwargs)
        if not isinstance(got, tuple) or len(got) != 2 or not all(isinstance(t, Tensor) for t in got):
            raise CheckFailed(f"For {context}: expected a tuple (W, b) of tensors.")
        W, b = got
        if tuple(W.shape) != (6, 64, 3) or tuple(b.shape) != (64, 3):
            raise CheckFailed(f"For {context}: expected W of shape (6, 64, 3) and b of shape (64, 3), got "
                              f"{tuple(W.shape)} and {tuple(b.shape)}.")
        if W.dtype != torch.float32 or b.dtype != torch.float32 or W.requires_grad or b.requires_grad:
            raise CheckFailed(f"For {context}: expected float32 tensors without gradient (detach them).")
        wd = kwargs.get("weight_decay", 1e-5)
        W_ref, b_ref = ref.fit_probe(acts, labels, **kwargs)
        want, mine = _objective(W_ref, b_ref, acts, labels, wd), _objective(W, b, acts, labels, wd)
        if not math.isfinite(mine) or mine > want + 2e-3:
            passed_through = ("" if not kwargs else " Your probe passed with the default arguments: are the "
                              "weight_decay and max_iter you were given the ones you use?")
            raise CheckFailed(
                f"For {context}: your probe, applied to the RAW activations, has objective {mine:.4f} (mean "
                f"cross-entropy + weight_decay * sum of squared standardised weights); the reference reaches "
                f"{want:.4f}. Hint: standardise the features, run L-BFGS from zero, and fold mean and std back "
                "into W and b (W = V / std, b = c - (mean / std) @ V)." + passed_through
            )
        pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(-1)
        pred_ref = (torch.einsum("nd,dsc->nsc", acts, W_ref) + b_ref).argmax(-1)
        agree = float((pred == pred_ref).float().mean())
        if agree < 0.98:
            raise CheckFailed(f"For {context}: your probe's predictions agree with the reference's on only {agree:.1%} "
                              "of (row, square) pairs. Hint: the logits are einsum(x, W, 'd, d s c -> s c') + b on raw x.")


@check(SECTION, "probe_accuracy", points=1)
def check_probe_accuracy(probe_accuracy) -> None:
    """Random probes with a large bias, labels partly equal to the predictions; 1 row."""
    acts = randn(50, 8, seed=1)
    W = randn(8, 64, 3, seed=2)
    b = randn(64, 3, seed=3) * 3
    pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(-1)
    labels = torch.where(torch.rand(50, 64, generator=seeded(4)) < 0.6, pred, torch.randint(0, 3, (50, 64), generator=seeded(5)))
    cases: list[Case] = [
        ("50 rows, d_model 8, a probe with a large bias (seeds 1-5)", (acts, W, b, labels)),
        ("a single row", (acts[:1], W, b, labels[:1])),
    ]
    compare_to_reference(probe_accuracy, ref.probe_accuracy, cases, name="probe_accuracy",
                         hint="predict with argmax over the last axis (the 3 classes) of x @ W + b, compare with labels, "
                         "average over rows (axis 0) to get one accuracy per square.")


# ------------------------------------------------------------------------------------------
# Part 4 · geometry
# ------------------------------------------------------------------------------------------
@check(SECTION, "probe_directions", points=1)
def check_probe_directions(probe_directions) -> None:
    cases: list[Case] = [
        ("W of shape (8, 64, 3), seed 6", (randn(8, 64, 3, seed=6) * 3,)),
        ("W of shape (64, 64, 3) (d_model = 64, square), seed 7", (randn(64, 64, 3, seed=7),)),
    ]
    compare_to_reference(probe_directions, ref.probe_directions, cases, name="probe_directions",
                         hint="row s is W[:, s, 1] - W[:, s, 2] (mine minus theirs), divided by its own norm; the result is [64, d_model].")


# ------------------------------------------------------------------------------------------
# Part 5 · intervention
# ------------------------------------------------------------------------------------------
@check(SECTION, "set_component", points=2)
def check_set_component(set_component) -> None:
    resid = randn(5, 7, seed=8) * 2
    direction = randn(5, 7, seed=9) * 4
    cases: list[Case] = [
        ("5 vectors of 7, directions of norm ~10, values seed 10", (resid, direction, randn(5, seed=10))),
        ("the same with every value 0 (project out)", (resid, direction, torch.zeros(5))),
        ("1 vector, a unit direction", (resid[:1], torch.eye(7)[2:3], torch.tensor([3.0]))),
    ]
    compare_to_reference(set_component, ref.set_component, cases, name="set_component",
                         hint="normalise the direction, subtract the current coordinate times u and add value times u.")


@check(SECTION, "reflect_along", points=3)
def check_reflect_along(reflect_along) -> None:
    """A tiny 3-layer model: layers 0, 2 and 3 (the last), different positions per sequence,
    unnormalised directions; no hook may remain afterwards."""
    model = _model()
    inputs = torch.randint(1, 61, (3, 12), generator=seeded(11))
    clean = model(inputs).detach()
    for layer, pos in [(0, [4, 0, 11]), (2, [7, 7, 2]), (3, [11, 5, 9])]:
        directions = randn(3, 16, seed=12 + layer) * 5
        context = f"a tiny 3-layer model, 3 sequences of 12, layer {layer}, positions {pos}"
        got = call(reflect_along, model, inputs, layer, torch.tensor(pos), directions, name="reflect_along", context=context)
        want = ref.reflect_along(model, inputs, layer, torch.tensor(pos), directions)
        expect_tensor(got, want, context=context, atol=1e-4, rtol=1e-4,
                      hint="hook blocks.0.hook_resid_pre for layer 0 and blocks.{layer-1}.hook_resid_post after it; "
                      "in sequence i change only position pos[i], reflecting along the UNIT direction.")
        if got.requires_grad:
            raise CheckFailed(f"For {context}: the logits require grad, so the whole forward pass kept its graph. "
                              "Hint: run the hooked model under torch.no_grad() (or torch.inference_mode()), as the "
                              "docstring asks.")
        after = model(inputs).detach()
        if not torch.allclose(after, clean):
            raise CheckFailed(f"For {context}: after your call the model's own output has changed: a hook was left on "
                              "it. Hint: use model.run_with_hooks (or remove the hook in a finally block).")


@check(SECTION, "legality_change", points=2)
def check_legality_change(legality_change) -> None:
    """Relative boards of random games, several occupied squares each."""
    games = othello.random_games(3, seed=13, record=True)
    rel = games.relative_boards
    for g, t in [(0, 12), (1, 25), (2, 40)]:
        board = rel[g, t].copy()
        for square in np.flatnonzero(board)[::3]:
            context = f"relative board of random game {g} (seed 13) after {t + 1} moves, flipping {othello.square_name(square)}"
            before = board.copy()
            got = call(legality_change, board, int(square), name="legality_change", context=context)
            _unchanged(before, board, context=context, name="legality_change")
            if not isinstance(got, tuple) or len(got) != 2:
                raise CheckFailed(f"For {context}: expected a tuple (became_legal, became_illegal).")
            up, down = ref.legality_change(board, int(square))
            _mask(got[0], up, context=f"{context}, became_legal",
                  hint="flip the disc to the other side (negate it, do not empty it); became_legal is legal after and "
                  "not before, for the player to move (+1).")
            _mask(got[1], down, context=f"{context}, became_illegal",
                  hint="became_illegal is legal before and not after, for the player to move (+1).")
