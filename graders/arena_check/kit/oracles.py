"""Activation oracles: a reader model answers yes/no questions about an injected activation.

Shared by ``tools/train_activation_oracle_smollm2.py`` (which trains the shipped adapters) and
section 4.2's page (which scores them), so the two cannot drift apart:

* question families (:data:`FAMILIES`): each turns a held-out-by-subject split into balanced
  :class:`Example` records — a *source text* whose activation is read, a question, a yes/no label;
* :func:`extract_activations`: the residual stream after a layer at each text's last token, batched;
* :func:`injecting`: a forward hook on an early decoder layer of the reader that adds an
  activation, rescaled to the norm of the residual it lands on, at the placeholder position;
* :func:`margins`: the reader's ``logit(" Yes") − logit(" No")`` on a batch of questions;
* :func:`balanced_accuracy` with a normal-approximation interval, and :func:`load_oracles`.

The design follows Karvonen et al. 2025, "Activation Oracles" (https://arxiv.org/abs/2512.15674),
much reduced: one 135M model reads its own layer-15 activations, three narrow families are
trained, and a fourth is held out. The *control* adapter is trained identically on the same
prompts with nothing injected, so whatever it gets right is read off the question text alone.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from jaxtyping import Float, Int
from torch import Tensor

from arena_check.kit import facts
from arena_check.kit.paths import weights_dir

#: Shipped adapters (``tools/train_activation_oracle_smollm2.py --variant oracle|control``).
ORACLE_NAME = "activation-oracle-smollm2"
CONTROL_NAME = "activation-oracle-control-smollm2"
ADAPTER_FILE = "adapter_model.safetensors"
META_FILE = "meta.json"

#: The activation is read after this decoder layer (0-based: ``hidden_states[SOURCE_LAYER + 1]``).
SOURCE_LAYER = 15
#: The reader's decoder layer whose output receives the injected vector.
INJECT_LAYER = 1
#: Text in the reader's prompt whose token (``Ġ?``) is the placeholder.
PLACEHOLDER = " ?"
#: Every source text for a single word starts with this, so the word is never at position 0
#: (the first position of a sequence is an attention sink with an outsized norm).
WORD_PREFIX = "The word:"

#: Common concrete English nouns, the non-city words (written for this module; none is the
#: name of a city in :func:`arena_check.kit.facts.cities`, which a test checks).
NOUNS: tuple[str, ...] = tuple(
    """
    apple arrow basket blanket bottle bread bridge bucket butter button candle carpet castle
    chair cheese chimney circle cloud coffee collar copper cotton cradle crayon curtain
    cushion desk diamond dinner doctor donkey drawer dress engine envelope fabric feather fence
    finger flower forest fountain garden garlic ginger glove hammer harbor helmet honey horse
    island jacket kettle kitchen ladder lantern leather lemon letter library lizard magnet
    marble meadow mirror monkey mountain needle noodle ocean onion orange oven paddle painting
    pencil pepper piano pillow planet pocket potato puzzle rabbit ribbon river rocket saddle
    salad sandal scarf school shadow shelf shovel silver sister sofa spider spoon squirrel
    stable statue stone string sugar summer table teacher tiger tomato towel tractor trumpet
    tunnel turtle umbrella valley velvet village violin wagon wallet walnut window winter
    wizard yogurt zebra anchor badge balloon banana barrel beetle bicycle biscuit blossom
    bonnet cabbage camera canoe carrot cereal chapel cherry cliff clock compass cookie cousin
    crystal dragon eagle elbow falcon farmer ferry fiddle gravel guitar hedge insect jelly
    jungle kitten ladle lobster mango meadowlark mitten muffin napkin orchard otter parrot
    peanut pebble pigeon pirate plumber pumpkin quilt radish raisin sailor sausage scissors
    shepherd shoulder sparrow sponge stool sunset sweater thimble thunder tulip vase walrus
    whistle willow worm anvil apron attic bagpipe ballad bamboo banner beacon blender boulder
    bracelet brick broom cabin cactus carriage cattle cellar chalk cobweb coconut cricket
    dolphin doorbell dungeon easel freckle goblin gopher hamster harvest hornet igloo journal
    kayak lagoon lettuce locket mattress mushroom nectar nugget oyster padlock pancake peacock
    pickle pudding quarry robin satchel seashell slipper snail spinach teapot tissue trolley
    """.split()
)

#: The reader's questions, one per family (``{country}`` is filled per example).
QUESTIONS: dict[str, str] = {
    "is_city": "Is it a city?",
    "in_country": "Is it in {country}?",
    "capitalised": "Is it capitalised?",
    "is_true": "Is it true?",
}
#: The families the oracle and the control are trained on; ``is_true`` is held out.
TRAINED_FAMILIES: tuple[str, ...] = ("is_city", "in_country", "capitalised")
HELD_OUT_FAMILY = "is_true"


@dataclass(frozen=True)
class Example:
    """One oracle question: read ``source`` through the source model, ask ``question`` of it."""

    family: str
    subject: str  # the held-out unit (a city or a noun); never in both splits
    source: str  # the text whose last-token activation is injected
    question: str
    label: bool  # the correct answer: True = " Yes"


def word_source(word: str) -> str:
    """``"The word: Kraków"``: the source text for a single word."""
    return f"{WORD_PREFIX} {word}"


def nouns(split: facts.Split) -> list[str]:
    """The nouns of one split (same quarter-held-out rule as the cities)."""
    return facts.split_subjects(list(NOUNS), split)


def city_names(split: facts.Split) -> list[str]:
    return facts.split_subjects([c.name for c in facts.cities()], split)


def is_city_examples(split: facts.Split, seed: int = 0) -> list[Example]:
    """Cities (yes) and title-cased nouns (no): both capitalised, so case is no shortcut."""
    q = QUESTIONS["is_city"]
    out = [Example("is_city", c, word_source(c), q, True) for c in city_names(split)]
    out += [Example("is_city", n, word_source(n.title()), q, False) for n in nouns(split)]
    return _shuffled(out, seed)


def in_country_examples(split: facts.Split, seed: int = 0) -> list[Example]:
    """Every city twice: with its country (yes) and with a wrong one of its continent (no).

    The country is in the question, so this family *leaks*: a reader that ignores the activation
    can still learn which countries tend to be the true one (those with many cities).
    """
    out = []
    for s in facts.city_country_statements(split, seed=seed):
        question = QUESTIONS["in_country"].format(country=facts.in_country_phrase(s.claimed))
        out.append(Example("in_country", s.subject, word_source(s.subject), question, s.label))
    return _shuffled(out, seed)


def capitalised_examples(split: facts.Split, seed: int = 0) -> list[Example]:
    """Nouns in both cases, and each city in one case chosen at random: capital (yes) or not."""
    q = QUESTIONS["capitalised"]
    out = []
    for n in nouns(split):
        out.append(Example("capitalised", n, word_source(n.title()), q, True))
        out.append(Example("capitalised", n, word_source(n), q, False))
    for c in city_names(split):
        upper = random.Random(f"{seed}:{c}").random() < 0.5
        out.append(Example("capitalised", c, word_source(c if upper else c.lower()), q, upper))
    return _shuffled(out, seed)


def is_true_examples(split: facts.Split, seed: int = 0) -> list[Example]:
    """ "The city of X is in Y." read at its final period: is it true? (the held-out family)."""
    q = QUESTIONS["is_true"]
    return [
        Example("is_true", s.subject, s.statement, q, s.label)
        for s in facts.city_country_statements(split, seed=seed)
    ]


FAMILIES: dict[str, Callable[..., list[Example]]] = {
    "is_city": is_city_examples,
    "in_country": in_country_examples,
    "capitalised": capitalised_examples,
    "is_true": is_true_examples,
}


#: The page scores this many held-out examples of each label per family (a balanced subset).
PAGE_PER_LABEL = 30


def balanced_subset(examples: Sequence[Example], per_label: int = PAGE_PER_LABEL) -> list[int]:
    """Indices of the first ``per_label`` yes and the first ``per_label`` no examples, in order."""
    yes = [i for i, e in enumerate(examples) if e.label][:per_label]
    no = [i for i, e in enumerate(examples) if not e.label][:per_label]
    return sorted(yes + no)


def _shuffled(records: list[Example], seed: int) -> list[Example]:
    records = list(records)
    random.Random(seed).shuffle(records)
    return records


def reader_prompt(question: str) -> str:
    """The reader's text: the placeholder first, then the question; the answer follows."""
    return f"Activation:{PLACEHOLDER}\n{question}\nAnswer:"


def placeholder_id(tokenizer: Any) -> int:
    ids = tokenizer(PLACEHOLDER, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise ValueError(f"placeholder {PLACEHOLDER!r} is {len(ids)} tokens, expected 1")
    return int(ids[0])


def yes_no_ids(tokenizer: Any) -> tuple[int, int]:
    """Token ids of ``" Yes"`` and ``" No"`` (one token each in SmolLM2's vocabulary)."""
    yes = tokenizer(" Yes", add_special_tokens=False)["input_ids"]
    no = tokenizer(" No", add_special_tokens=False)["input_ids"]
    if len(yes) != 1 or len(no) != 1:
        raise ValueError("' Yes' and ' No' must be single tokens")
    return int(yes[0]), int(no[0])


def placeholder_positions(input_ids: Int[Tensor, "batch seq"], token_id: int) -> Int[Tensor, " batch"]:
    """The position of the (single) placeholder token in each row; an error if a row has none
    or several (an injection at the wrong place would silently train on noise)."""
    hits = input_ids == token_id
    counts = hits.sum(1)
    if not bool((counts == 1).all()):
        raise ValueError(f"each row needs exactly one placeholder; counts {counts.tolist()}")
    return hits.int().argmax(1)


def norm_matched(
    vectors: Float[Tensor, "batch d_model"], reference: Float[Tensor, "batch d_model"]
) -> Float[Tensor, "batch d_model"]:
    """Each vector rescaled to the norm of the residual it is added to.

    The source activation (layer 15) is many times larger than the reader's residual at layer 1;
    added raw it would swamp everything else at that position.
    """
    return vectors * (reference.norm(dim=-1, keepdim=True) / vectors.norm(dim=-1, keepdim=True))


def inject(
    hidden: Float[Tensor, "batch seq d_model"],
    vectors: Float[Tensor, "batch d_model"],
    positions: Int[Tensor, " batch"],
) -> Float[Tensor, "batch seq d_model"]:
    """``hidden`` with ``norm_matched(vector)`` added at each row's position (a new tensor)."""
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    at = hidden[rows, positions]
    delta = torch.zeros_like(hidden)
    delta[rows, positions] = norm_matched(vectors.to(hidden.dtype), at)
    return hidden + delta


def decoder_layers(model: Any) -> Any:
    """``model.model.layers`` of a Llama model, through a peft wrapper if there is one."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.model.layers


@contextmanager
def injecting(
    model: Any,
    vectors: Float[Tensor, "batch d_model"],
    positions: Int[Tensor, " batch"],
    layer: int = INJECT_LAYER,
) -> Iterator[None]:
    """While active, decoder layer ``layer``'s output gets :func:`inject` applied."""

    def hook(_module: Any, _inputs: Any, output: Any) -> Any:
        if isinstance(output, tuple):
            return (inject(output[0], vectors, positions), *output[1:])
        return inject(output, vectors, positions)

    handle = decoder_layers(model)[layer].register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@torch.no_grad()
def extract_activations(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    layer: int = SOURCE_LAYER,
    batch_size: int = 64,
) -> Float[Tensor, "n d_model"]:
    """The residual stream after decoder layer ``layer`` at each text's last token, batched.

    Right padding with an attention mask: a row's last real token is at ``length − 1``; reading
    position −1 instead would read a pad token of the shorter rows.
    """
    out = []
    for start in range(0, len(texts), batch_size):
        enc = tokenizer(
            list(texts[start : start + batch_size]), return_tensors="pt", padding=True
        )
        hs = hidden_after_layer(model, enc, layer)
        last = enc["attention_mask"].sum(1) - 1
        out.append(hs[torch.arange(hs.shape[0]), last].float())
    return torch.cat(out)


class _Stop(Exception):
    """Raised by a hook to end a forward pass once the wanted layer has run."""


def hidden_after_layer(model: Any, enc: Any, layer: int = SOURCE_LAYER) -> Tensor:
    """``[batch, seq, d_model]``: the output of decoder layer ``layer`` for the tokenized batch
    ``enc`` (``input_ids``, ``attention_mask``), without running the layers after it (half the
    cost for layer 15 of 30); equal to ``hidden_states[layer + 1]`` of a full pass."""
    caught: list[Tensor] = []

    def hook(_module: Any, _inputs: Any, output: Any) -> None:
        caught.append(output[0] if isinstance(output, tuple) else output)
        raise _Stop

    handle = decoder_layers(model)[layer].register_forward_hook(hook)
    try:
        model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    except _Stop:
        pass
    finally:
        handle.remove()
    return caught[0]


def encode_questions(tokenizer: Any, questions: Sequence[str]) -> dict[str, Tensor]:
    """Reader prompts, right-padded, with each row's last position and placeholder position."""
    enc = tokenizer([reader_prompt(q) for q in questions], return_tensors="pt", padding=True)
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "last": enc["attention_mask"].sum(1) - 1,
        "placeholder": placeholder_positions(enc["input_ids"], placeholder_id(tokenizer)),
    }


def answer_logits(
    model: Any,
    batch: dict[str, Tensor],
    vectors: Float[Tensor, "batch d_model"] | None,
) -> Float[Tensor, "batch d_vocab"]:
    """The reader's next-token logits after ``Answer:``, with ``vectors`` injected (or nothing)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model

    def run() -> Tensor:
        # the body, then the unembedding at the last position only (49,152 logits per row)
        hidden = base.model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).last_hidden_state
        return base.lm_head(hidden[torch.arange(hidden.shape[0]), batch["last"]])

    if vectors is None:
        return run()
    with injecting(model, vectors, batch["placeholder"]):
        return run()


@torch.no_grad()
def margins(
    model: Any,
    tokenizer: Any,
    questions: Sequence[str],
    vectors: Float[Tensor, "n d_model"] | None,
    batch_size: int = 64,
) -> Float[Tensor, " n"]:
    """``logit(" Yes") − logit(" No")`` per question (> 0 means the reader answers yes)."""
    yes, no = yes_no_ids(tokenizer)
    out = []
    for start in range(0, len(questions), batch_size):
        batch = encode_questions(tokenizer, questions[start : start + batch_size])
        vec = None if vectors is None else vectors[start : start + batch_size]
        logits = answer_logits(model, batch, vec)
        out.append((logits[:, yes] - logits[:, no]).float())
    return torch.cat(out)


@dataclass(frozen=True)
class Score:
    """Balanced accuracy with its normal-approximation standard error."""

    balanced_accuracy: float
    se: float
    n_pos: int
    n_neg: int

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        return (self.balanced_accuracy - z * self.se, self.balanced_accuracy + z * self.se)


def balanced_accuracy(predictions: Tensor, labels: Tensor) -> Score:
    """Mean of the true-positive and true-negative rates: always answering one way scores 0.5.

    SE: the two rates are independent binomial proportions, so
    ``se = ½·sqrt(tpr(1−tpr)/n_pos + tnr(1−tnr)/n_neg)``.
    """
    predictions, labels = predictions.bool(), labels.bool()
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("balanced accuracy needs both positive and negative labels")
    tpr = float((predictions & labels).sum()) / n_pos
    tnr = float((~predictions & ~labels).sum()) / n_neg
    se = 0.5 * math.sqrt(tpr * (1 - tpr) / n_pos + tnr * (1 - tnr) / n_neg)
    return Score((tpr + tnr) / 2, se, n_pos, n_neg)


def load_oracles(base: Any, directories: dict[str, Path] | None = None) -> Any:
    """``base`` with both shipped adapters loaded (named ``oracle`` and ``control``).

    Switch with ``model.set_adapter("oracle")``; ``with model.disable_adapter():`` is the base.
    """
    from peft import PeftModel

    dirs = directories or {"oracle": weights_dir(ORACLE_NAME), "control": weights_dir(CONTROL_NAME)}
    with warnings.catch_warnings():  # transformers' notice, raised inside peft: not ours to fix
        warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)
        model = PeftModel.from_pretrained(base, str(dirs["oracle"]), adapter_name="oracle")
        model.load_adapter(str(dirs["control"]), adapter_name="control")
    model.eval()
    return model
