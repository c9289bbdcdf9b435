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
from dataclasses import dataclass

import torch
from jaxtyping import Float
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
