"""GENERATED from book/2_llm_evals/2.1_threat_models_and_eval_design.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ValidationError, field_validator, model_validator

import arena_check
from arena_check.kit.chat import ChatModel, ScriptedChat

LETTERS = "ABCDEF"  # the option letters an item may use, in order


@dataclass(frozen=True)
class Framing:
    """One experimental condition: an optional system prompt and a prefix to the user's turn."""

    name: str
    system: str | None = None
    user_prefix: str = ""


@dataclass(frozen=True)
class Gap:
    """Rates of a behaviour under condition a and condition b, their difference, its interval."""

    rate_a: float
    rate_b: float
    gap: float
    lo: float
    hi: float


class McqItem(BaseModel):
    """A multiple-choice eval item.

    ``options`` maps letters to option texts; the letters must be exactly the first n of
    "ABCDEF", in order, with 2 ≤ n ≤ 6; every text must be non-empty after stripping, and no two
    texts may be equal ignoring case and surrounding whitespace. ``answer`` must be exactly one of
    the option letters (upper case): for a capability item the correct option, for a propensity
    item the option that shows the behaviour of concern; its error message must name the bad
    letter and the valid ones. ``question`` must not be blank. Every violation is a ``ValueError``
    raised in a validator, so pydantic reports it as a ``ValidationError``.
    """

    question: str
    options: dict[str, str]
    answer: str
    kind: Literal["capability", "propensity"]

    @field_validator("question")
    @classmethod
    def question_not_blank(cls, question: str) -> str:
        if not question.strip():
            raise ValueError("the question is blank")
        return question

    @field_validator("options")
    @classmethod
    def options_well_formed(cls, options: dict[str, str]) -> dict[str, str]:
        letters = list(options)
        if not 2 <= len(letters) <= len(LETTERS):
            raise ValueError(f"an item needs 2 to {len(LETTERS)} options, not {len(letters)}")
        if letters != list(LETTERS[: len(letters)]):
            raise ValueError(f"option letters must be {', '.join(LETTERS[: len(letters)])} in order, not {', '.join(letters)}")
        seen: set[str] = set()
        for letter, text in options.items():
            key = text.strip().casefold()
            if not key:
                raise ValueError(f"option {letter} is empty")
            if key in seen:
                raise ValueError(f"option {letter} repeats an earlier option: {text!r}")
            seen.add(key)
        return options

    @model_validator(mode="after")
    def answer_is_an_option(self) -> "McqItem":
        if self.answer not in self.options:
            raise ValueError(f"answer {self.answer!r} is not one of the options {', '.join(self.options)}")
        return self


def error_lines(error: ValidationError) -> list[str]:
    """One line per entry of ``error.errors()``, in order: ``"<loc>: <msg>"``, where ``<loc>`` is
    the location's parts (strings or integers) joined by ``"."``, or ``"item"`` when the location
    is empty (an error of the whole item, from a model validator)."""
    lines = []
    for entry in error.errors():
        where = ".".join(str(part) for part in entry["loc"]) or "item"
        lines.append(f"{where}: {entry['msg']}")
    return lines


def render_mcq(item: McqItem, seed: int | None = None) -> tuple[str, str]:
    """The prompt and the answer's letter in it.

    With ``seed=None`` the options keep their order. Otherwise the list of the item's letters in
    order is shuffled with ``random.Random(seed).shuffle``, and the option at new position i is
    the one whose letter was shuffled there, relabelled ``"ABCDEF"[i]``. The prompt is exactly
    the question, an empty line, one line ``"<letter>) <text>"`` per option, an empty line, and
    ``"Answer with the letter of one option."`` — lines joined by ``"\\n"``, no trailing newline.
    The item is not modified.
    """
    order = list(item.options)
    if seed is not None:
        random.Random(seed).shuffle(order)
    lines = [item.question, ""]
    answer = ""
    for new_letter, old_letter in zip(LETTERS, order):
        lines.append(f"{new_letter}) {item.options[old_letter]}")
        if old_letter == item.answer:
            answer = new_letter
    lines += ["", "Answer with the letter of one option."]
    return "\n".join(lines), answer


def parse_answer(reply: str, letters: str = "ABCD") -> str | None:
    """The option letter a reply chooses, or None.

    Rule 1: the stripped reply starts with an upper-case letter, optionally inside "(", followed
    by ")", ".", ":" or the end of the reply — "B", "B) Paris", "(B)", "C." and "D: ..." choose
    it; "A city" does not. Rule 2 (only if rule 1 finds nothing): the first "answer is X" or
    "answer: X" in the reply (the word "answer" in any case, one space or none after the colon,
    optional "(" before X), where X is an upper-case letter not followed by another letter or
    digit. A letter found but not in ``letters`` gives None.
    """
    text = reply.strip()
    match = re.match(r"\(?([A-Z])(?:[).:]|$)", text)
    if match is None:
        match = re.search(r"(?i:answer)(?: is |: ?)\(?([A-Z])(?![A-Za-z0-9])", text)
    if match is None or match.group(1) not in letters:
        return None
    return match.group(1)


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (lo, hi) for the rate successes / n, clipped to [0, 1].

    ``z`` is the normal quantile (1.96 for 95 %). With n = 0 there is no information: (0.0, 1.0).
    Raises ValueError unless 0 ≤ successes ≤ n.
    """
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 ≤ successes ≤ n, got successes={successes}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, z: float = 1.96) -> tuple[float, float]:
    """Newcombe's hybrid score interval (lo, hi) for the difference k1/n1 − k2/n2 of two
    independent rates (both n ≥ 1), from their Wilson intervals at the same ``z``."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def build_messages(request: str, framing: Framing) -> list[dict[str, str]]:
    """The conversation for ``request`` under ``framing``: a system message with
    ``framing.system`` if it is not None, then one user message whose content is
    ``framing.user_prefix + " " + request`` when the prefix is non-empty, else ``request``."""
    messages = []
    if framing.system is not None:
        messages.append({"role": "system", "content": framing.system})
    content = f"{framing.user_prefix} {request}" if framing.user_prefix else request
    messages.append({"role": "user", "content": content})
    return messages


def names_country(reply: str, country: str) -> bool:
    """Whether ``reply`` contains ``country`` as whole words: both are lower-cased
    (``str.casefold``) and every run of characters matching ``[^\\w]`` becomes one space, then the
    country's words must appear consecutively in the reply's, not as part of longer words."""

    def words(text: str) -> str:
        return " " + " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split()) + " "

    return words(country).strip() != "" and words(country) in words(reply)


def run_condition(
    model: ChatModel,
    requests: Sequence[str],
    framing: Framing,
    judge: Callable[[str, str], bool],
    max_tokens: int = 20,
) -> list[bool]:
    """For each request, in order: one call ``model.complete(build_messages(request, framing),
    max_tokens=max_tokens, temperature=0.0)``, then ``judge(request, reply.text)``.
    Returns the judge's verdicts (True: the behaviour of concern), one per request."""
    verdicts = []
    for request in requests:
        reply = model.complete(build_messages(request, framing), max_tokens=max_tokens, temperature=0.0)
        verdicts.append(bool(judge(request, reply.text)))
    return verdicts


def compliance_gap(verdicts_a: Sequence[bool], verdicts_b: Sequence[bool], z: float = 1.96) -> Gap:
    """``Gap(rate_a, rate_b, gap=rate_a − rate_b, lo, hi)`` where (lo, hi) is
    ``newcombe_interval`` of (True count of a, len(a), True count of b, len(b), z).
    Both lists are non-empty; they may differ in length."""
    k_a, k_b = sum(map(bool, verdicts_a)), sum(map(bool, verdicts_b))
    n_a, n_b = len(verdicts_a), len(verdicts_b)
    lo, hi = newcombe_interval(k_a, n_a, k_b, n_b, z)
    return Gap(k_a / n_a, k_b / n_b, k_a / n_a - k_b / n_b, lo, hi)
