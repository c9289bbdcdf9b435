"""The Othello engine (``arena_check.kit.othello``): hand-checked positions, then invariants over
random games, with the vectorised generator replayed through the plain one-position engine."""

from __future__ import annotations

import numpy as np
import pytest

from arena_check.kit import othello as o
from arena_check.kit.othello import BLACK, EMPTY, WHITE


def board_from(rows: list[str]) -> np.ndarray:
    """A board from 8 strings, rank 8 first (as :func:`render` draws it): X black, O white, . empty."""
    assert len(rows) == 8
    board = np.zeros(64, dtype=np.int8)
    for i, row in enumerate(rows):
        cells = row.split()
        assert len(cells) == 8
        for col, cell in enumerate(cells):
            board[(7 - i) * 8 + col] = {"X": BLACK, "O": WHITE, ".": EMPTY}[cell]
    return board


def names(squares) -> set[str]:
    return {o.square_name(s) for s in squares}


# ---------------------------------------------------------------------------------- naming


def test_square_names_and_tokens() -> None:
    assert o.parse_square("a1") == 0 and o.parse_square("h8") == 63 and o.parse_square("d3") == 19
    assert all(o.parse_square(o.square_name(s)) == s for s in range(64))
    assert o.VOCAB_SIZE == 61 and o.PAD == 0
    tokens = [o.square_to_token(s) for s in range(64) if s not in o.CENTRE]
    assert tokens == list(range(1, 61))
    assert all(o.token_to_square(o.square_to_token(s)) == s for s in range(64) if s not in o.CENTRE)
    for centre in ("d4", "e4", "d5", "e5"):
        with pytest.raises(ValueError):
            o.square_to_token(o.parse_square(centre))
    with pytest.raises(ValueError):
        o.token_to_square(0)


# ------------------------------------------------------------------------- hand-checked positions


def test_opening_position_and_legal_moves() -> None:
    board = o.initial_board()
    assert board[o.parse_square("d4")] == WHITE and board[o.parse_square("e5")] == WHITE
    assert board[o.parse_square("d5")] == BLACK and board[o.parse_square("e4")] == BLACK
    assert (board != EMPTY).sum() == 4
    assert names(o.legal_moves(board, BLACK)) == {"d3", "c4", "f5", "e6"}
    assert names(o.legal_moves(board, WHITE)) == {"e3", "f4", "c5", "d6"}
    after = o.play(board, BLACK, o.parse_square("d3"))
    assert names(np.flatnonzero(after == BLACK)) == {"d3", "d4", "d5", "e4"}
    assert board[o.parse_square("d4")] == WHITE, "play must not modify its input"
    # white's replies to d3 (hand-checked)
    assert names(o.legal_moves(after, WHITE)) == {"c3", "e3", "c5"}


def test_a_move_that_flips_in_several_directions() -> None:
    board = board_from([
        ". . . . . . . .",
        ". . . . . . . .",
        ". X . X . X . .",
        ". . O O O . . .",
        ". X O . O O X .",
        ". . O O O . . .",
        ". X . O . X . .",
        ". . . . . . . .",
    ])
    d4 = o.parse_square("d4")
    # west c4 (b4 black closes); east e4 f4 (g4 closes); north d5 (d6 closes);
    # north-west c5 (b6 closes); north-east e5 (f6 closes); south-west c3 (b2 closes);
    # south-east e3 (f2 closes); south d3 then d2 is white and d1 empty: no flip
    expected = {"c4", "e4", "f4", "d5", "c5", "e5", "c3", "e3"}
    assert names(o.flips(board, BLACK, d4)) == expected
    after = o.play(board, BLACK, d4)
    assert names(np.flatnonzero(after == BLACK)) == expected | {"d4", "b6", "d6", "f6", "b4", "g4", "b2", "f2"}
    assert after[o.parse_square("d3")] == WHITE and after[o.parse_square("d2")] == WHITE


def test_illegal_moves() -> None:
    board = o.initial_board()
    assert o.flips(board, BLACK, o.parse_square("d4")) == []  # occupied
    assert o.flips(board, BLACK, o.parse_square("a1")) == []  # nothing to flip
    assert o.flips(board, BLACK, o.parse_square("c3")) == []  # diagonal run ends on empty
    with pytest.raises(ValueError, match="not a legal move"):
        o.play(board, BLACK, o.parse_square("c3"))


def test_no_wrapping_around_the_edge() -> None:
    """h4 is next to a5 in index order (31, 32) but not on the board: runs stop at the edge."""
    board = board_from([
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
        "O X . . . . . .",
        ". . . . . . . O",
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
    ])
    # black at g4 would need h4..a5 to wrap: not legal; white a5 and black b5 only
    assert o.legal_moves(board, BLACK) == []
    assert names(o.legal_moves(board, WHITE)) == {"c5"}


def test_forced_pass() -> None:
    """White has discs but no legal move; black still has one, so white passes and black moves again."""
    board2 = board_from([
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
        ". . . . . . . .",
        "X X O . . . . .",
    ])
    # black to play d1 flipping c1; afterwards white has nothing and black nothing either
    assert names(o.legal_moves(board2, BLACK)) == {"d1"}
    assert o.legal_moves(board2, WHITE) == []
    assert o.next_player(board2, BLACK) == BLACK  # white must pass, black moves again
    after_d3 = o.play(o.initial_board(), BLACK, o.parse_square("d3"))
    assert o.next_player(after_d3, BLACK) == WHITE  # the normal case: the opponent moves


def test_game_end_before_sixty_moves() -> None:
    """A real 9-move game (the shortest possible, black wipes white out): after it nobody can
    move, with most of the board still empty."""
    moves = [o.parse_square(m) for m in "e6 f4 e3 f6 g5 d6 e7 f5 c5".split()]
    states = o.replay(moves)
    board, nxt = states[-1]
    assert nxt is None
    assert (board == WHITE).sum() == 0 and (board == BLACK).sum() == 13
    assert all(n is not None for _, n in states[:-1])
    with pytest.raises(ValueError, match="after the game ended"):
        o.replay([*moves, o.parse_square("a1")])


def test_mine_and_theirs_follow_the_player_to_move() -> None:
    board = o.play(o.initial_board(), BLACK, o.parse_square("d3"))
    white_view = o.relative(board, WHITE)  # white is to move: black discs are "theirs"
    assert white_view[o.parse_square("d3")] == -1 and white_view[o.parse_square("e5")] == 1
    black_view = o.relative(board, BLACK)
    assert (black_view == -white_view).all()
    games = o.random_games(50, seed=3, record=True)
    rel = games.relative_boards
    for g in range(5):
        for t in range(int(games.lengths[g])):
            side = games.to_move[g, t] or -games.mover()[g, t]
            assert (rel[g, t] == games.boards[g, t] * side).all()
    # without passes, the player to move alternates, so a square that keeps its colour swaps
    # between mine and theirs from one move to the next
    g = int(np.flatnonzero(games.lengths == 60)[0])
    t = next(t for t in range(1, 59) if games.to_move[g, t] == -games.to_move[g, t - 1])
    stable = (games.boards[g, t] == games.boards[g, t - 1]) & (games.boards[g, t] != 0)
    assert stable.any()
    assert (rel[g, t][stable] == -rel[g, t - 1][stable]).all()


def test_render_draws_rank_eight_on_top() -> None:
    picture = o.render(o.initial_board(), marks=[o.parse_square("d3")])
    lines = picture.splitlines()
    assert lines[0].split() == list("abcdefgh")
    assert lines[4] == "5 . . . X O . . ." and lines[5] == "4 . . . O X . . ."
    assert lines[6] == "3 . . . * . . . ."


# --------------------------------------------------------------------------------- random games


@pytest.fixture(scope="module")
def games() -> o.Games:
    return o.random_games(400, seed=11, record=True)


def test_random_games_replay_through_the_plain_engine(games: o.Games) -> None:
    """Every move is legal, and boards, next player and legal moves agree with the plain engine
    (on 100 games: the plain engine takes ~50 ms a game; the other tests use all 400)."""
    for g in range(100):
        states = o.replay(games.moves[g])
        assert len(states) == games.lengths[g]
        for t, (board, nxt) in enumerate(states):
            assert (board == games.boards[g, t]).all(), (g, t)
            assert (nxt or 0) == games.to_move[g, t], (g, t)
            if nxt is not None:
                assert set(o.legal_moves(board, nxt)) == set(np.flatnonzero(games.legal[g, t]))
        if games.lengths[g] < 60:
            assert states[-1][1] is None  # the game really ended
            assert (games.moves[g, games.lengths[g]:] == -1).all()
            assert not games.boards[g, games.lengths[g]:].any()


def test_invariants(games: o.Games) -> None:
    n = games.lengths
    assert ((n >= 9) & (n <= 60)).all()
    for g in range(len(games)):
        played = games.moves[g, : n[g]]
        assert len(set(played.tolist())) == n[g], "a square played twice"
        assert not set(played.tolist()) & set(o.CENTRE)
        counts = (games.boards[g, : n[g]] != 0).sum(-1)
        assert (counts == np.arange(5, 5 + n[g])).all(), "one new disc per move"
        # the mover's count grows by 1 + flips, the other's falls by the flips
        mover = games.mover()[g]
        for t in range(1, n[g]):
            before, after = games.boards[g, t - 1], games.boards[g, t]
            gained = (after == mover[t]).sum() - (before == mover[t]).sum()
            lost = (before == -mover[t]).sum() - (after == -mover[t]).sum()
            assert gained == lost + 1 and lost >= 1
    tokens = games.tokens
    assert ((tokens >= 0) & (tokens <= 60)).all()
    assert ((tokens == 0) == (games.moves < 0)).all()
    assert names(np.flatnonzero(games.first_legal)) == {"d3", "c4", "f5", "e6"}
    first = {o.square_name(m) for m in games.moves[:, 0]}
    assert first == {"d3", "c4", "f5", "e6"}, "all four openings appear in 400 games"
    assert (games.lengths < 60).any() or len(games) < 1000  # (early ends are rare: ~1 %)


def test_passes_occur_and_are_recorded(games: o.Games) -> None:
    """Somewhere in 400 games a player passes: the same colour moves twice in a row."""
    mover = games.mover()
    same = (mover[:, 1:] == mover[:, :-1]) & (mover[:, 1:] != 0)
    assert same.any()
    g, t = map(int, np.argwhere(same)[0])
    board = games.boards[g, t]  # after the first of the two moves
    assert o.legal_moves(board, -int(mover[g, t])) == []


def test_determinism_by_seed() -> None:
    a = o.random_games(64, seed=5)
    b = o.random_games(64, seed=5)
    c = o.random_games(64, seed=6)
    assert (a.moves == b.moves).all() and (a.lengths == b.lengths).all()
    assert not (a.moves == c.moves).all()
    d = o.random_games(64, seed=(5, 1))
    e = o.random_games(64, seed=5, record=True)
    assert (e.moves == a.moves).all(), "recording does not change the games"
    assert not (d.moves == a.moves).all()
