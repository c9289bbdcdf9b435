"""Indirect-object identification (IOI) prompts and the logit-difference metric.

Wang et al. (2022), "Interpretability in the Wild: a Circuit for Indirect Object Identification in
GPT-2 small" (https://arxiv.org/abs/2211.00593): in "When Mary and John went to the store, John
gave a drink to", a model that tracks who is who predicts " Mary" (the indirect object, IO) over
" John" (the subject, S). The metric is the logit difference IO − S at the final position.

The templates and names here are the project's own; every name must be a single token for the
model at hand (:func:`name_token_ids` checks), so the difference compares two single logits.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from jaxtyping import Float, Int
from torch import Tensor

TEMPLATES = [
    "When {A} and {B} went to the store, {S} gave a drink to",
    "When {A} and {B} went to the park, {S} gave a ball to",
    "Then, {A} and {B} went to the station. {S} gave a ticket to",
    "Then, {A} and {B} had a lot of fun at the beach. {S} gave a towel to",
    "While {A} and {B} were working at the hospital, {S} gave a book to",
    "After {A} and {B} went to the restaurant, {S} gave the menu to",
    "While {A} and {B} were walking to the office, {S} handed a letter to",
    "When {A} and {B} got a snack at the school, {S} decided to give it to",
]
NAMES = [
    "Mary", "John", "Tom", "James", "Dan", "Sarah", "Anna", "Paul", "Mark", "Lisa",
    "Kate", "Mike", "David", "Emma", "Alice", "Jack", "Laura", "Peter", "Susan", "Bob",
]  # fmt: skip


@dataclass(frozen=True)
class IOIPrompt:
    text: str
    io: str  # the indirect object: the right answer
    s: str  # the subject, named twice
    order: str  # "ABBA" (IO named first) or "BABA"
    template: int = -1  # index into TEMPLATES (-1: unknown)
    c: str = ""  # a third name, for the ABC corruption ("" if none was drawn)
    corrupted: str = ""  # the ABC prompt: the same text with the second S replaced by c


#: A split of :data:`NAMES` for finding a circuit on some names and testing it on others.
LOCALISATION_NAMES = NAMES[:12]
HELD_OUT_NAMES = NAMES[12:]


def ioi_prompts(pairs_per_template: int, seed: int) -> list[IOIPrompt]:
    """Each template with ``pairs_per_template`` random name pairs, each pair in both orders."""
    rng = random.Random(seed)
    prompts = []
    for template in TEMPLATES:
        for _ in range(pairs_per_template):
            io, s = rng.sample(NAMES, 2)
            prompts.append(IOIPrompt(template.format(A=io, B=s, S=s), io, s, "ABBA"))
            prompts.append(IOIPrompt(template.format(A=s, B=io, S=s), io, s, "BABA"))
    return prompts


def ioi_pairs(
    pairs_per_template: int,
    seed: int,
    *,
    templates: Sequence[int] | None = None,
    names: Sequence[str] = NAMES,
) -> list[IOIPrompt]:
    """Like :func:`ioi_prompts`, on chosen templates and names, each prompt with an ABC twin.

    For every template index in ``templates`` (default: all) draw ``pairs_per_template`` triples of
    distinct names (IO, S, C); each gives an ABBA and a BABA prompt, in that order. ``corrupted`` is
    the same sentence with the second mention of S replaced by C ("When Mary and John went …, Tom
    gave a drink to"), so nothing in it says who the indirect object is. ``template`` records the
    template, so prompts of one template have the same token positions when every name is one token.
    """
    if len(names) < 3:
        raise ValueError("ioi_pairs needs at least three names (IO, S and the corrupting C)")
    rng = random.Random(seed)
    chosen = range(len(TEMPLATES)) if templates is None else templates
    prompts = []
    for t in chosen:
        template = TEMPLATES[t]
        for _ in range(pairs_per_template):
            io, s, c = rng.sample(list(names), 3)
            for order, (a, b) in (("ABBA", (io, s)), ("BABA", (s, io))):
                prompts.append(IOIPrompt(
                    template.format(A=a, B=b, S=s), io, s, order, template=t, c=c,
                    corrupted=template.format(A=a, B=b, S=c),
                ))
    return prompts


def name_positions(tokens: Sequence[int], io_id: int, s_id: int) -> dict[str, int]:
    """Indices of IO, S1 (first S), S2 (second S) and END (last token) in one prompt's token ids.

    Raises unless IO occurs once and S exactly twice: positions read from a prompt that breaks the
    IOI pattern would silently point at the wrong tokens.
    """
    tokens = list(tokens)
    io_at = [i for i, t in enumerate(tokens) if t == io_id]
    s_at = [i for i, t in enumerate(tokens) if t == s_id]
    if len(io_at) != 1 or len(s_at) != 2:
        raise ValueError(f"expected IO once and S twice, found IO at {io_at} and S at {s_at}")
    return {"IO": io_at[0], "S1": s_at[0], "S2": s_at[1], "END": len(tokens) - 1}


def name_token_ids(tokenizer, names: list[str] = NAMES) -> dict[str, int]:
    """Token id of ``" " + name`` for each name; raises if a name is not a single token."""
    ids = {}
    for name in names:
        encoded = tokenizer.encode(" " + name, add_special_tokens=False)
        if len(encoded) != 1:
            raise ValueError(f"' {name}' is {len(encoded)} tokens for this tokenizer; IOI needs one")
        ids[name] = encoded[0]
    return ids


@torch.inference_mode()
def logit_differences(model, prompts: list[IOIPrompt], *, prepend_bos: bool = True) -> Float[Tensor, " prompt"]:
    """IO − S logit difference at each prompt's last token, for a ``HookedTransformer``.

    Prompts of different lengths are right-padded into one batch: attention is causal, so padding
    after the last real token cannot change the logits read there.
    """
    name_id = name_token_ids(model.tokenizer)
    rows = [model.to_tokens(p.text, prepend_bos=prepend_bos)[0] for p in prompts]
    last = torch.tensor([len(row) - 1 for row in rows])
    pad = model.tokenizer.pad_token_id if model.tokenizer.pad_token_id is not None else 0
    tokens = torch.nn.utils.rnn.pad_sequence(rows, batch_first=True, padding_value=pad)
    final = model(tokens)[torch.arange(len(rows)), last]
    io_ids = torch.tensor([name_id[p.io] for p in prompts])
    s_ids = torch.tensor([name_id[p.s] for p in prompts])
    return final.gather(1, io_ids[:, None])[:, 0] - final.gather(1, s_ids[:, None])[:, 0]


@dataclass
class IOIBatch:
    """Prompts tokenised for patching: clean and ABC tokens of one shape, and where the names are.

    Rows are right-padded to the longest prompt; with causal attention, padding after a row's END
    cannot change anything read at or before END. The corrupted row has the clean row's positions
    (every name is one token), so an activation at position p of one means the same slot in the other.
    """

    tokens: Int[Tensor, "batch pos"]
    corrupted_tokens: Int[Tensor, "batch pos"]
    io_ids: Int[Tensor, " batch"]
    s_ids: Int[Tensor, " batch"]
    positions: dict[str, Int[Tensor, " batch"]]  # "IO", "S1", "S2", "END"
    templates: Int[Tensor, " batch"]


def ioi_batch(model, prompts: list[IOIPrompt], *, prepend_bos: bool = True) -> IOIBatch:
    """Tokenise prompts made by :func:`ioi_pairs` (each needs its ``corrupted`` text) for ``model``."""
    name_id = name_token_ids(model.tokenizer, sorted({n for p in prompts for n in (p.io, p.s, p.c)}))
    clean = [model.to_tokens(p.text, prepend_bos=prepend_bos)[0] for p in prompts]
    corrupt = [model.to_tokens(p.corrupted, prepend_bos=prepend_bos)[0] for p in prompts]
    for p, a, b in zip(prompts, clean, corrupt, strict=True):
        if a.shape != b.shape:
            raise ValueError(f"clean and corrupted prompts differ in length: {p.text!r} / {p.corrupted!r}")
    found = [name_positions(row.tolist(), name_id[p.io], name_id[p.s]) for p, row in zip(prompts, clean, strict=True)]
    pad = model.tokenizer.pad_token_id if model.tokenizer.pad_token_id is not None else 0
    return IOIBatch(
        tokens=torch.nn.utils.rnn.pad_sequence(clean, batch_first=True, padding_value=pad),
        corrupted_tokens=torch.nn.utils.rnn.pad_sequence(corrupt, batch_first=True, padding_value=pad),
        io_ids=torch.tensor([name_id[p.io] for p in prompts]),
        s_ids=torch.tensor([name_id[p.s] for p in prompts]),
        positions={k: torch.tensor([f[k] for f in found]) for k in ("IO", "S1", "S2", "END")},
        templates=torch.tensor([p.template for p in prompts]),
    )


def final_logit_diff(model, resid_final: Float[Tensor, "batch pos d_model"], batch: IOIBatch) -> Float[Tensor, " batch"]:
    """IO − S logit difference from the residual stream after the last block (before the final norm).

    Normalises only the END rows and unembeds only the two names' columns: the same numbers as the
    full logits, without the 49k-wide unembedding at every position.
    """
    rows = torch.arange(resid_final.shape[0])
    normed = model.ln_final(resid_final[rows, batch.positions["END"]][:, None])[:, 0]
    direction = model.W_U[:, batch.io_ids] - model.W_U[:, batch.s_ids]  # [d_model, batch]
    bias = model.b_U[batch.io_ids] - model.b_U[batch.s_ids]
    return (normed * direction.T).sum(-1) + bias
