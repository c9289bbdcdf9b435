"""Checks for section 1.6 — function vectors and steering.

Every exercise is a function of small tensors or strings, so the checks need no model: they build
seeded inputs shaped like the page's (right-padded batches whose rows have different lengths, so
an activation read at the last *column*, or at ``lengths`` instead of ``lengths - 1``, is wrong).

Each check aims at a class of mistake: the prompt's separator, spaces or newlines off by one
character; a shuffle that leaves outputs in place or moves the inputs; an activation read from the
wrong token position (the bar the issue names: a function vector taken from the wrong position);
logits instead of log-probabilities; a mean instead of a sum of head outputs, or (head, layer)
swapped; a vector added at every position or edited in place; random vectors of the wrong norm or
not reproducible; the contrast reversed or normalised; a set's probability taken as a mean or max
instead of a sum; the next-token loss off by one position.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from arena_check.reference import s1_6_function_vectors_and_steering as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randn,
    seeded,
)

SECTION = "1.6"


def _lengths(*values: int) -> Tensor:
    return torch.tensor(values, dtype=torch.long)


def _hook(fn, act: Tensor, *args, name: str, context: str) -> Tensor:
    """Call a hook on a copy of ``act``; fail on in-place edits of ``act`` or of any argument."""
    given = act.clone()
    snap = [a.clone() if isinstance(a, Tensor) else a for a in args]
    out = call(fn, given, None, *args, name=name, context=context)
    if not torch.equal(given, act):
        raise CheckFailed(
            f"For {context}: `{name}` modified the activation it was given in place. The docstring "
            "promises a new tensor: clone first (the page reuses cached activations)."
        )
    for i, (old, new) in enumerate(zip(snap, args, strict=True)):
        if isinstance(old, Tensor) and not torch.equal(old, new):
            raise CheckFailed(f"For {context}: `{name}` modified its argument #{i + 3} in place; it must not.")
    if not isinstance(out, Tensor):
        raise CheckFailed(f"For {context}: `{name}` returned {type(out).__name__}, not the edited tensor.")
    return out


# ------------------------------------------------------------------------------------------
# Part 1 · tasks and the metric
# ------------------------------------------------------------------------------------------
@check(SECTION, "icl_prompt", points=1)
def check_icl_prompt(icl_prompt) -> None:
    """Several demos, one demo, none (zero-shot), another separator, multi-word items."""
    cases: list[Case] = [
        ("three antonym demos, query 'rich'", ([("hot", "cold"), ("big", "small"), ("up", "down")], "rich")),
        ("one demo", ([("France", "Paris")], "Spain")),
        ("no demos (zero-shot)", ([], "rich")),
        ("no demos, separator ':'", ([], "wet", ":")),
        ("separator ':'", ([("hot", "HOT"), ("dry", "DRY")], "wet", ":")),
        ("multi-word items", ([("New York", "big city"), ("a b", "c d")], "x y")),
    ]
    for context, args in cases:
        got = call(icl_prompt, *args, name="icl_prompt", context=context)
        expect_equal(
            got, ref.icl_prompt(*args), context=context,
            hint="each demo is x + sep + ' ' + y on its own line, joined by '\\n'; the last line is "
            "query + sep with no trailing space or newline; no demos gives just query + sep.",
        )
    expect_equal(call(icl_prompt, [("a", "b")], "c", name="icl_prompt", context="the default separator"),
                 "a -> b\nc ->", context="the default separator", hint="the default sep is ' ->'.")


@check(SECTION, "shuffle_outputs", points=2)
def check_shuffle_outputs(shuffle_outputs) -> None:
    """Several sizes and seeds: a derangement of the outputs, inputs in place, reproducible."""
    words = [(f"in{i}", f"out{i}") for i in range(12)]
    seen = set()
    for n in (2, 3, 5, 12):
        for seed in (0, 1, 7):
            demos = words[:n]
            before = list(demos)
            context = f"{n} demos, seed {seed}"
            got = call(shuffle_outputs, demos, seed, name="shuffle_outputs", context=context)
            if demos != before:
                raise CheckFailed(f"For {context}: `shuffle_outputs` modified its input list; return a new one.")
            got = list(got)
            if [x for x, _ in got] != [x for x, _ in demos]:
                raise CheckFailed(f"For {context}: the inputs must stay in their order; got {[x for x, _ in got]}.")
            if sorted(y for _, y in got) != sorted(y for _, y in demos):
                raise CheckFailed(f"For {context}: the outputs must be a permutation of the demos' outputs; got "
                                  f"{[y for _, y in got]}.")
            fixed = [x for (x, y), (_, y0) in zip(got, demos, strict=True) if y == y0]
            if fixed:
                raise CheckFailed(f"For {context}: {fixed} kept their own output. A shuffled demonstration must "
                                  "pair every input with another input's output (a derangement): retry the "
                                  "shuffle until no output stays in place.")
            again = call(shuffle_outputs, demos, seed, name="shuffle_outputs", context=context)
            if list(again) != got:
                raise CheckFailed(f"For {context}: two calls with the same seed gave different shuffles; use "
                                  "random.Random(seed), not the global random state.")
            if n == 12:
                seen.add(tuple(y for _, y in got))
    if len(seen) < 2:
        raise CheckFailed("With 12 demos, seeds 0, 1 and 7 all gave the same shuffle: the seed must matter.")
    for n in (0, 1):
        try:
            got = shuffle_outputs(words[:n], 0)
        except ValueError:
            continue
        except Exception as e:  # noqa: BLE001
            raise CheckFailed(f"For {n} demos: expected ValueError, got {type(e).__name__}: {e}") from None
        raise CheckFailed(f"For {n} demos: expected ValueError (no output can move), got {got!r}.")


@check(SECTION, "gather_last", points=2)
def check_gather_last(gather_last) -> None:
    """Right-padded rows of different lengths, a batch of 1, trailing shapes of 1 and 2 dims."""
    cases: list[Case] = [
        ("resid [3, 6, 4], lengths [6, 2, 4]", (randn(3, 6, 4, seed=0), _lengths(6, 2, 4))),
        ("hook_z [4, 5, 3, 2], lengths [1, 5, 3, 2]", (randn(4, 5, 3, 2, seed=1), _lengths(1, 5, 3, 2))),
        ("batch 1, length 3 of 7 positions", (randn(1, 7, 5, seed=2), _lengths(3))),
        ("square [4, 4, 4], lengths [4, 3, 2, 1]", (randn(4, 4, 4, seed=3), _lengths(4, 3, 2, 1))),
    ]
    compare_to_reference(
        gather_last, ref.gather_last, cases, name="gather_last", exact=True,
        hint="row b's last real token is at position lengths[b] - 1 (not lengths[b], not -1: rows are "
        "right-padded); index x[arange(batch), lengths - 1].",
    )


@check(SECTION, "answer_logprobs", points=1)
def check_answer_logprobs(answer_logprobs) -> None:
    """Random logits at several scales, including a large offset and a batch of 1."""
    cases: list[Case] = [
        ("4 rows, vocab 7", (randn(4, 7, seed=0), torch.tensor([0, 6, 3, 3]))),
        ("3 rows, vocab 5, every logit + 40", (randn(3, 5, seed=1) * 3 + 40, torch.tensor([4, 1, 2]))),
        ("batch 1, vocab 9", (randn(1, 9, seed=2), torch.tensor([8]))),
        ("5 rows, vocab 5 (square)", (randn(5, 5, seed=3) * 4, torch.tensor([1, 0, 4, 2, 3]))),
        ("3 rows, vocab 6, logits × 200 (answers far below the top)",
         (randn(3, 6, seed=4) * 200, randn(3, 6, seed=4).argmin(-1))),
    ]
    compare_to_reference(
        answer_logprobs, ref.answer_logprobs, cases, name="answer_logprobs", atol=1e-4, rtol=1e-5,
        hint="take log_softmax over the vocabulary (not the raw logit, not the probability, and not "
        "log(softmax(...)), which underflows to -inf for unlikely tokens), then row b's entry answer_ids[b].",
    )


# ------------------------------------------------------------------------------------------
# Part 2 · heads
# ------------------------------------------------------------------------------------------
@check(SECTION, "mean_last_z", points=2)
def check_mean_last_z(mean_last_z) -> None:
    """Padding filled with large values (so reading it shows), lengths that differ, a batch of 1."""
    def case(lengths: list[int], pos: int, seed: int) -> tuple[Tensor, Tensor]:
        z = randn(len(lengths), pos, 3, 4, seed=seed)
        for b, n in enumerate(lengths):
            z[b, n:] = 50.0  # padding: never part of the mean
        return z, torch.tensor(lengths)

    cases: list[Case] = [
        ("4 prompts, lengths [5, 3, 6, 2] of 6", case([5, 3, 6, 2], 6, 0)),
        ("3 prompts, lengths [4, 4, 1] of 5", case([4, 4, 1], 5, 1)),
        ("batch 1, length 2 of 4", case([2], 4, 2)),
        ("3 prompts all full length 3", case([3, 3, 3], 3, 3)),
    ]
    compare_to_reference(
        mean_last_z, ref.mean_last_z, cases, name="mean_last_z", atol=1e-5, rtol=1e-5,
        hint="average z[b, lengths[b] - 1] over the prompts b (axis 0), keeping [head, d_head]: the "
        "function vector must come from each prompt's own last real token, not the last column.",
    )


@check(SECTION, "patch_last_hook", points=2)
def check_patch_last_hook(patch_last_hook) -> None:
    """Rows of different lengths, several heads; other heads and positions untouched; no in-place edits."""
    for seed, (lengths, head) in enumerate([([5, 2, 4], 1), ([3, 3], 0), ([1, 4, 2, 4], 2), ([4], 2)]):
        z = randn(len(lengths), 5, 3, 4, seed=seed)
        mean_z = randn(3, 4, seed=seed + 10)
        lens = torch.tensor(lengths)
        context = f"z [{len(lengths)}, 5, 3, 4], lengths {lengths}, head {head}"
        got = _hook(patch_last_hook, z, mean_z, head, lens, name="patch_last_hook", context=context)
        expect_tensor(
            got, ref.patch_last_hook(z, None, mean_z, head, lens), context=context, exact=True,
            hint="set z[b, lengths[b] - 1, head] = mean_z[head] for each row b, and nothing else (not "
            "every position, not the last column, not every head).",
        )


@check(SECTION, "top_heads", points=1)
def check_top_heads(top_heads) -> None:
    """Signed effects (a large negative must not rank first), ties, square shapes, k = 1."""
    eff = randn(4, 3, seed=0)
    eff[2, 1] = -9.0
    eff[1, 2] = 5.0
    ties = torch.zeros(3, 3)
    ties[0, 2] = ties[2, 0] = ties[1, 1] = 1.0
    cases: list[Case] = [
        ("4 layers × 3 heads, a large negative effect, k = 4", (eff, 4)),
        ("3 × 3 with three equal effects, k = 3", (ties, 3)),
        ("4 × 3, k = 1", (eff, 1)),
        ("2 layers × 5 heads, k = 10 (all)", (randn(2, 5, seed=1), 10)),
        ("30 × 9 effects taking only the values 0, 1, 2 (many ties), k = 12",
         (torch.randint(0, 3, (30, 9), generator=seeded(5)).float(), 12)),
    ]
    for context, args in cases:
        got = call(top_heads, *args, name="top_heads", context=context)
        expect_equal(
            [tuple(int(v) for v in p) for p in got] if isinstance(got, list) else got,
            ref.top_heads(*args), context=context,
            hint="rank by the signed effect, most positive first (a head that hurts the task is not part "
            "of the function vector); (layer, head) = divmod(flat index, n_heads); ties in row-major order.",
        )
        if isinstance(got, list) and got and not all(type(v) is int for p in got for v in p):
            raise CheckFailed(f"For {context}: return Python ints, not {type(got[0][0]).__name__}.")


# ------------------------------------------------------------------------------------------
# Part 3 · the function vector
# ------------------------------------------------------------------------------------------
@check(SECTION, "function_vector", points=2)
def check_function_vector(function_vector) -> None:
    """Heads in several layers, a repeated layer, one head, none; layer ≠ head counts."""
    mean_z = randn(4, 3, 2, seed=0)
    W_O = randn(4, 3, 2, 5, seed=1)
    sq_z, sq_W = randn(3, 3, 2, seed=2), randn(3, 3, 2, 3, seed=3)
    cases: list[Case] = [
        ("3 heads in 3 layers", (mean_z, W_O, [(0, 1), (3, 2), (2, 0)])),
        ("2 heads of one layer", (mean_z, W_O, [(1, 0), (1, 2)])),
        ("one head", (mean_z, W_O, [(3, 1)])),
        ("3 layers × 3 heads (square), heads (0, 2) and (2, 1)", (sq_z, sq_W, [(0, 2), (2, 1)])),
        ("no heads (the zero vector)", (mean_z, W_O, [])),
    ]
    compare_to_reference(
        function_vector, ref.function_vector, cases, name="function_vector", atol=1e-5, rtol=1e-5,
        hint="for each (layer, head): mean_z[layer, head] @ W_O[layer, head] is a d_model vector; add "
        "them (a sum, not a mean); no heads gives zeros of size d_model.",
    )


@check(SECTION, "add_at_last_hook", points=2)
def check_add_at_last_hook(add_at_last_hook) -> None:
    """Rows of different lengths, batch 1; only the last real token changes; no in-place edits."""
    for seed, lengths in enumerate([[4, 2, 5], [3], [1, 5, 5, 2]]):
        resid = randn(len(lengths), 5, 6, seed=seed)
        vec = randn(6, seed=seed + 20)
        lens = torch.tensor(lengths)
        context = f"resid [{len(lengths)}, 5, 6], lengths {lengths}"
        got = _hook(add_at_last_hook, resid, vec, lens, name="add_at_last_hook", context=context)
        expect_tensor(
            got, ref.add_at_last_hook(resid, None, vec, lens), context=context, atol=1e-6, rtol=1e-6,
            hint="add the vector at (b, lengths[b] - 1) only: not at every position, not at the last "
            "column (padding), not at lengths[b].",
        )


@check(SECTION, "random_vectors_like", points=2)
def check_random_vectors_like(random_vectors_like) -> None:
    """Norms equal to the vector's, reproducible per seed, directions spread, the dtype kept."""
    for seed, (n, d, scale) in enumerate([(5, 8, 3.0), (1, 16, 0.5), (200, 4, 10.0)]):
        vec = randn(d, seed=seed) * scale
        context = f"n = {n}, d_model = {d}, ||vector|| = {vec.norm():.3f}, seed {seed}"
        got = call(random_vectors_like, vec, n, seed, name="random_vectors_like", context=context)
        expect_tensor(got, ref.random_vectors_like(vec, n, seed), context=context, atol=1e-4, rtol=1e-4,
                      hint="draw torch.randn(n, d_model) from torch.Generator().manual_seed(seed), divide "
                      "each row by its own norm, multiply by ||vector||.")
    vec = randn(64, seed=9)
    state = torch.get_rng_state()
    a = random_vectors_like(vec, 100, 3)
    if not torch.equal(state, torch.get_rng_state()):
        raise CheckFailed("`random_vectors_like` changed torch's global random state (torch.manual_seed or an "
                          "unseeded draw): use its own torch.Generator().manual_seed(seed), so that calling it "
                          "does not change what the rest of a program draws.")
    cos = torch.nn.functional.cosine_similarity(a, vec[None], dim=1)
    if cos.mean().abs() > 0.1:
        raise CheckFailed(f"100 random vectors (d 64) have mean cosine {cos.mean():.2f} with the vector: the "
                          "directions must not depend on the vector.")
    half = random_vectors_like(vec.half(), 3, 0)
    if half.dtype != torch.float16:
        raise CheckFailed(f"For a float16 vector: expected float16 vectors, got {half.dtype}.")


# ------------------------------------------------------------------------------------------
# Part 4 · steering
# ------------------------------------------------------------------------------------------
@check(SECTION, "contrastive_direction", points=1)
def check_contrastive_direction(contrastive_direction) -> None:
    """Several pair counts (one pair; square), and mismatched shapes rejected."""
    cases: list[Case] = [
        ("5 pairs, d_model 3", (randn(5, 3, seed=0) + 2, randn(5, 3, seed=1))),
        ("1 pair, d_model 4", (randn(1, 4, seed=2), randn(1, 4, seed=3) * 5)),
        ("4 pairs, d_model 4 (square)", (randn(4, 4, seed=4), randn(4, 4, seed=5))),
    ]
    compare_to_reference(
        contrastive_direction, ref.contrastive_direction, cases, name="contrastive_direction",
        atol=1e-5, rtol=1e-5,
        hint="mean over pairs (axis 0) of positive − negative; positive minus negative, not the reverse, "
        "and not normalised.",
    )
    try:
        got = contrastive_direction(randn(3, 4, seed=0), randn(2, 4, seed=1))
    except ValueError:
        return
    except Exception as e:  # noqa: BLE001
        raise CheckFailed(f"For 3 positive and 2 negative rows: expected ValueError, got {type(e).__name__}: {e}") from None
    raise CheckFailed(f"For 3 positive and 2 negative rows: expected ValueError, got {got!r}.")


@check(SECTION, "sentiment_score", points=2)
def check_sentiment_score(sentiment_score) -> None:
    """Sets of different sizes (a mean or max shows), large logits (stability), a batch of 1."""
    cases: list[Case] = [
        ("3 rows, vocab 10, 3 positive and 2 negative ids", (randn(3, 10, seed=0), [1, 4, 7], [2, 9])),
        ("2 rows, vocab 8, logits × 30 + 500", (randn(2, 8, seed=1) * 30 + 500, [0, 3], [5, 6, 7])),
        ("batch 1, one id each", (randn(1, 6, seed=2), [5], [0])),
        ("4 rows, vocab 12, ids given as a tuple", (randn(4, 12, seed=3) * 2, (2, 3, 4, 5), (8, 9))),
        ("2 rows, vocab 6, token 0's logit 300 above the sets (their probabilities underflow)",
         (torch.cat([torch.full((2, 1), 300.0), randn(2, 5, seed=4)], 1), [1, 2], [3, 4, 5])),
    ]
    compare_to_reference(
        sentiment_score, ref.sentiment_score, cases, name="sentiment_score", atol=1e-4, rtol=1e-4,
        hint="log-softmax the logits, then logsumexp over each set's ids (the log of the set's *total* "
        "probability, not a mean or max), positive minus negative, one number per row.",
    )


@check(SECTION, "next_token_loss", points=2)
def check_next_token_loss(next_token_loss) -> None:
    """Logits that predict the next token well (an off-by-one position shows), batch 1, a float."""
    def case(batch: int, pos: int, vocab: int, seed: int) -> tuple[Tensor, Tensor]:
        gen = seeded(seed)
        tokens = torch.randint(0, vocab, (batch, pos), generator=gen)
        logits = torch.randn(batch, pos, vocab, generator=gen)
        logits[:, :-1].scatter_add_(-1, tokens[:, 1:, None], torch.full((batch, pos - 1, 1), 4.0))
        return logits, tokens

    cases: list[Case] = [
        ("2 rows of 6 tokens, vocab 5", case(2, 6, 5, 0)),
        ("batch 1, 4 tokens, vocab 7", case(1, 4, 7, 1)),
        ("3 rows of 3 tokens, vocab 3 (square)", case(3, 3, 3, 2)),
    ]
    for context, (logits, tokens) in cases:
        got = call(next_token_loss, logits, tokens, name="next_token_loss", context=context)
        if not isinstance(got, float):
            raise CheckFailed(f"For {context}: return a Python float (use .item()), not {type(got).__name__}.")
        want = ref.next_token_loss(logits, tokens)
        if not math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-5):
            raise CheckFailed(
                f"For {context}: expected {want:.5f} nats per token, got {got:.5f}. The logits at position p "
                "predict token p + 1: pair logits[:, :-1] with tokens[:, 1:], take −log-softmax at the true "
                "token, and average over every predicted token."
            )
