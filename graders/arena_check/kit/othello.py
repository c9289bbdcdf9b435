"""Othello: a small rules engine, and random legal games as a dataset for OthelloGPT.

Li et al. 2023, "Emergent World Representations" (https://arxiv.org/abs/2210.13382), trained a
GPT on nothing but move sequences of random legal Othello games and found the board inside it;
Nanda et al. 2023, "Emergent Linear Representations in World Models of Self-Supervised Sequence
Models" (https://arxiv.org/abs/2309.00941), showed that the board is *linearly* readable once a
square is described relative to the player to move ("mine / theirs / empty") rather than by
colour. This module is the game those experiments need, written from the rules.

Conventions
-----------
* A board is an ``int8`` array of 64 squares, index ``row * 8 + col``; ``col`` 0..7 is the file
  ``a``..``h`` and ``row`` 0..7 the rank ``1``..``8``, so ``"d3"`` is square ``2 * 8 + 3 = 19``.
* Squares hold ``BLACK = 1``, ``WHITE = -1`` or ``EMPTY = 0``. Black moves first; the start
  position has white on d4, e5 and black on d5, e4, so black's first moves are d3, c4, f5, e6.
* A player with no legal move passes; the game ends when neither player can move (at the latest
  after 60 moves, when the board is full).
* Model sequences are the moves played, passes skipped (as in both papers): the player to move is
  not always the opposite of the one who just moved, and :class:`Games` records who it is.
* Tokens: ``0`` is the pad / start token, ``1..60`` are the 60 playable squares in index order
  (the four centre squares are never played). :func:`square_to_token` / :func:`token_to_square`.

Two implementations that check each other: a plain one for one position at a time
(:func:`legal_moves`, :func:`flips`, :func:`play` — read these to learn the rules) and a
vectorised bitboard one that plays many random games at once (:func:`random_games`, tens of
thousands of games a second on one core). The tests replay the fast one's games through the plain
one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from jaxtyping import Bool, Int8, Int64
from numpy.typing import NDArray

BLACK, WHITE, EMPTY = 1, -1, 0
N_SQUARES = 64
MAX_MOVES = 60
PAD = 0  #: the pad / start token
VOCAB_SIZE = 61  #: pad + 60 playable squares
FILES = "abcdefgh"
CENTRE = (27, 28, 35, 36)  # d4, e4, d5, e5
DIRECTIONS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))

#: token -> square (token 0, the pad, maps to -1)
TOKEN_TO_SQUARE: NDArray[np.int64] = np.array(
    [-1] + [s for s in range(N_SQUARES) if s not in CENTRE], dtype=np.int64
)
#: square -> token (the centre squares map to -1)
SQUARE_TO_TOKEN: NDArray[np.int64] = np.full(N_SQUARES, -1, dtype=np.int64)
SQUARE_TO_TOKEN[TOKEN_TO_SQUARE[1:]] = np.arange(1, VOCAB_SIZE)


# ------------------------------------------------------------------------------------- naming


def square_name(square: int) -> str:
    """``19 -> "d3"``."""
    row, col = divmod(int(square), 8)
    return f"{FILES[col]}{row + 1}"


def parse_square(name: str) -> int:
    """``"d3" -> 19`` (file letter, then rank 1..8)."""
    col, row = FILES.index(name[0].lower()), int(name[1:]) - 1
    if not (0 <= row < 8):
        raise ValueError(f"no square {name!r}")
    return row * 8 + col


def square_to_token(square: int) -> int:
    """The token of a playable square (1..60); the centre squares have none."""
    token = int(SQUARE_TO_TOKEN[square])
    if token < 0:
        raise ValueError(f"{square_name(square)} is a centre square, never played")
    return token


def token_to_square(token: int) -> int:
    """The square (0..63) a move token (1..60) stands for."""
    if not 1 <= token < VOCAB_SIZE:
        raise ValueError(f"token {token} is not a move (1..60)")
    return int(TOKEN_TO_SQUARE[token])


# ------------------------------------------------------------------------ one position at a time


def initial_board() -> Int8[np.ndarray, " squares"]:
    """The start position: white on d4 and e5, black on d5 and e4."""
    board = np.zeros(N_SQUARES, dtype=np.int8)
    board[[parse_square("d4"), parse_square("e5")]] = WHITE
    board[[parse_square("d5"), parse_square("e4")]] = BLACK
    return board


def flips(board: Int8[np.ndarray, " squares"], player: int, square: int) -> list[int]:
    """The opponent's discs that ``player`` would turn over by playing ``square`` (sorted).

    In each of the 8 directions, walk from ``square`` over a run of one or more opponent discs;
    if the run ends on one of the player's own discs, the whole run flips. An empty list means the
    move is illegal (an occupied square never flips anything).
    """
    if board[square] != EMPTY:
        return []
    row, col = divmod(square, 8)
    out: list[int] = []
    for dr, dc in DIRECTIONS:
        run: list[int] = []
        r, c = row + dr, col + dc
        while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
            run.append(r * 8 + c)
            r, c = r + dr, c + dc
        if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
            out.extend(run)
    return sorted(out)


def legal_moves(board: Int8[np.ndarray, " squares"], player: int) -> list[int]:
    """Squares where ``player`` may play: empty, and turning over at least one disc (sorted)."""
    return [s for s in range(N_SQUARES) if board[s] == EMPTY and flips(board, player, s)]


def play(board: Int8[np.ndarray, " squares"], player: int, square: int) -> Int8[np.ndarray, " squares"]:
    """The board after ``player`` plays ``square`` (a new array; raises on an illegal move)."""
    turned = flips(board, player, square)
    if not turned:
        raise ValueError(f"{square_name(square)} is not a legal move for {player_name(player)}")
    out = board.copy()
    out[square] = player
    out[turned] = player
    return out


def player_name(player: int) -> str:
    return {BLACK: "black", WHITE: "white"}[player]


def next_player(board: Int8[np.ndarray, " squares"], just_moved: int) -> int | None:
    """Who moves after ``just_moved``: the opponent, or ``just_moved`` again if the opponent must
    pass, or ``None`` when neither can move (game over)."""
    if legal_moves(board, -just_moved):
        return -just_moved
    if legal_moves(board, just_moved):
        return just_moved
    return None


def relative(board: Int8[np.ndarray, "*batch squares"], player: int | np.ndarray) -> np.ndarray:
    """Board(s) from ``player``'s side: ``+1`` mine, ``-1`` theirs, ``0`` empty."""
    return (board * np.asarray(player, dtype=np.int8)[..., None]).astype(np.int8)


def render(board: Int8[np.ndarray, " squares"], marks: list[int] | None = None) -> str:
    """A text picture, rank 8 at the top: ``X`` black, ``O`` white, ``*`` a marked square."""
    marks = marks or []
    lines = ["  " + " ".join(FILES)]
    for row in range(7, -1, -1):
        cells = []
        for col in range(8):
            s = row * 8 + col
            cells.append("*" if s in marks else {BLACK: "X", WHITE: "O", EMPTY: "."}[int(board[s])])
        lines.append(f"{row + 1} " + " ".join(cells))
    return "\n".join(lines)


# ---------------------------------------------------------------------- many games at once (fast)

_U = np.uint64
_FULL = _U(0xFFFFFFFFFFFFFFFF)
_NOT_A = _U(0xFEFEFEFEFEFEFEFE)  # every square but file a (col 0)
_NOT_H = _U(0x7F7F7F7F7F7F7F7F)  # every square but file h (col 7)
# (shift, left?, mask) per direction: a shift by +1 moves col+1 (must not wrap into file a), by +8
# moves row+1; the mask clears squares that wrapped around the board's edge.
_SHIFTS = (
    (1, True, _NOT_A), (1, False, _NOT_H), (8, True, _FULL), (8, False, _FULL),
    (9, True, _NOT_A), (7, True, _NOT_H), (7, False, _NOT_A), (9, False, _NOT_H),
)


def _shift(x: np.ndarray, n: int, left: bool, mask: np.uint64) -> np.ndarray:
    return ((x << _U(n)) if left else (x >> _U(n))) & mask


def _legal_bits(own: np.ndarray, opp: np.ndarray) -> np.ndarray:
    """Bitboards of legal moves for the player owning ``own`` (one uint64 per game)."""
    empty = ~(own | opp)
    moves = np.zeros_like(own)
    for n, left, mask in _SHIFTS:
        run = _shift(own, n, left, mask) & opp
        for _ in range(5):
            run |= _shift(run, n, left, mask) & opp
        moves |= _shift(run, n, left, mask) & empty
    return moves


def _flip_bits(own: np.ndarray, opp: np.ndarray, move: np.ndarray) -> np.ndarray:
    """Bitboards of the discs flipped by playing the single-bit ``move`` (0 where no move)."""
    flipped = np.zeros_like(own)
    for n, left, mask in _SHIFTS:
        run = np.zeros_like(own)
        closed = np.zeros(own.shape, dtype=bool)
        x = _shift(move, n, left, mask)
        for _ in range(6):
            hit = x & opp  # the run of opponent discs, one square further each step
            run |= hit
            x = _shift(hit, n, left, mask)  # the square after the run so far
            closed |= (x & own) != 0  # the run ends on one of the mover's own discs
        flipped |= np.where(closed, run, _U(0))
    return flipped


def _to_bool(bits: np.ndarray) -> np.ndarray:
    """uint64 ``[n]`` -> bool ``[n, 64]`` (bit ``i`` is square ``i``)."""
    as_bytes = bits.astype("<u8").view(np.uint8).reshape(-1, 8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little").astype(bool)


def _board_bits(board: np.ndarray, player: int) -> np.uint64:
    return _U(sum(1 << int(s) for s in np.flatnonzero(board == player)))


@dataclass
class Games:
    """A batch of games. ``moves[g, t]`` is the square of the ``t``-th move played (passes skipped),
    ``-1`` after the game ended; the state arrays describe the position *after* move ``t``.

    ``boards`` / ``legal`` / ``to_move`` are filled only when the games were generated with
    ``record=True`` (they take 64 bytes per move each)."""

    moves: Int64[np.ndarray, "games 60"]
    lengths: Int64[np.ndarray, " games"]
    boards: Int8[np.ndarray, "games 60 64"] | None = None  #: absolute colour after each move
    to_move: Int8[np.ndarray, "games 60"] | None = None  #: who moves next (0 once the game is over)
    legal: Bool[np.ndarray, "games 60 64"] | None = None  #: legal squares for ``to_move``
    first_legal: Bool[np.ndarray, " squares"] | None = None  #: legal before move 0 (black's openers)

    def __len__(self) -> int:
        return len(self.moves)

    @property
    def tokens(self) -> Int64[np.ndarray, "games 60"]:
        """Move tokens (1..60), ``PAD`` (0) after the game ended."""
        return np.where(self.moves >= 0, SQUARE_TO_TOKEN[np.maximum(self.moves, 0)], PAD)

    @property
    def relative_boards(self) -> Int8[np.ndarray, "games 60 64"]:
        """``+1`` mine, ``-1`` theirs, ``0`` empty, from the side of the player to move next.

        Once a game is over nobody moves; there we keep alternating (the opponent of the player
        who moved last), so every position has a defined view."""
        assert self.boards is not None and self.to_move is not None, "generate with record=True"
        side = np.where(self.to_move != 0, self.to_move, -self.mover()).astype(np.int8)
        return relative(self.boards, side)

    def mover(self) -> Int8[np.ndarray, "games 60"]:
        """Who played move ``t`` (0 after the end)."""
        assert self.to_move is not None, "generate with record=True"
        who = np.zeros_like(self.to_move)
        who[:, 0] = np.where(self.lengths > 0, BLACK, 0)
        who[:, 1:] = self.to_move[:, :-1]
        return who


def random_games(n: int, seed: int | Sequence[int], record: bool = False) -> Games:
    """``n`` random legal games: at each turn the player to move picks uniformly among its legal
    moves (passing when it has none), until neither can move. Deterministic for a given
    ``seed`` (numpy's PCG64; a tuple seed goes through ``SeedSequence``, which pads with zeros,
    so ``(5, 0)`` is the same seed as ``5``); game ``g`` depends on ``n`` as well, so fix both.

    The ``record=True`` arrays (absolute boards, next player, its legal moves) cost
    ``n * 60 * 129`` bytes; training data needs only the moves.
    """
    rng = np.random.default_rng(seed)
    start = initial_board()
    black = np.full(n, _board_bits(start, BLACK), dtype=np.uint64)
    white = np.full(n, _board_bits(start, WHITE), dtype=np.uint64)
    side = np.full(n, BLACK, dtype=np.int8)
    alive = np.ones(n, dtype=bool)
    moves = np.full((n, MAX_MOVES), -1, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    if record:
        boards = np.zeros((n, MAX_MOVES, N_SQUARES), dtype=np.int8)
        to_move = np.zeros((n, MAX_MOVES), dtype=np.int8)
        legal_rec = np.zeros((n, MAX_MOVES, N_SQUARES), dtype=bool)
    first_legal = _to_bool(_legal_bits(black[:1], white[:1]))[0]

    for t in range(MAX_MOVES):
        own = np.where(side == BLACK, black, white)
        opp = np.where(side == BLACK, white, black)
        legal = _legal_bits(own, opp)
        # pick uniformly among legal squares: argmax of uniform noise on the legal ones
        noise = rng.random((n, N_SQUARES))
        legal_b = _to_bool(legal)
        choice = np.where(legal_b, noise, -1.0).argmax(axis=1)
        playing = alive & (legal != 0)
        move = np.where(playing, _U(1) << choice.astype(np.uint64), _U(0))
        turned = _flip_bits(own, opp, move)
        own = own | move | turned
        opp = opp & ~turned
        black = np.where(side == BLACK, own, opp)
        white = np.where(side == BLACK, opp, own)
        moves[playing, t] = choice[playing]
        lengths += playing
        # who moves next: the opponent, else (a pass) the same player, else nobody
        opp_can = _legal_bits(opp, own) != 0
        own_can = _legal_bits(own, opp) != 0
        nxt = np.where(opp_can, -side, np.where(own_can, side, 0)).astype(np.int8)
        alive = playing & (nxt != 0)
        side = np.where(alive, nxt, side).astype(np.int8)
        if record:
            boards[:, t] = np.where(playing[:, None], _to_bool(black).astype(np.int8)
                                    - _to_bool(white).astype(np.int8), 0)
            to_move[:, t] = np.where(alive, nxt, 0)
            nxt_own = np.where(side == BLACK, black, white)
            nxt_opp = np.where(side == BLACK, white, black)
            legal_rec[:, t] = _to_bool(np.where(alive, _legal_bits(nxt_own, nxt_opp), _U(0)))
        if not alive.any():
            break
    if record:
        return Games(moves, lengths, boards, to_move, legal_rec, first_legal)
    return Games(moves, lengths, first_legal=first_legal)


def replay(moves: list[int] | np.ndarray) -> list[tuple[Int8[np.ndarray, " squares"], int | None]]:
    """Play a move list (squares, passes skipped) with the plain engine: ``[(board after move t,
    player to move next or None), ...]``. Raises on an illegal move."""
    board, player = initial_board(), BLACK
    out: list[tuple[np.ndarray, int | None]] = []
    for square in moves:
        if square < 0:
            break
        if player is None:
            raise ValueError("a move after the game ended")
        board = play(board, player, int(square))
        nxt = next_player(board, player)
        out.append((board, nxt))
        player = nxt  # type: ignore[assignment]
    return out
