"""GENERATED from book/2_llm_evals/2.2_llm_apis_and_question_generation.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import json
import math
import random
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import openai
from pydantic import BaseModel, ValidationError, field_validator, model_validator

import arena_check
from arena_check.kit.chat import ChatModel, ScriptedChat

T = TypeVar("T")
LETTERS = "ABCD"  # every generated item has four options
#: The system prompt SmolLM2's chat template adds when a conversation has none.
SMOLLM2_DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
#: The follow-up message of a re-ask (Exercise 5); {error} is the reason the reply was refused.
REASK = "Your reply could not be used: {error}. Reply with only the corrected JSON object."
#: Rubric criteria, in the order they are reported (Exercise 12).
CRITERIA = ("options", "question", "leak", "implausible")


class WrittenItem(BaseModel):
    """What the writer model must return: a question, its correct answer, three wrong answers."""

    question: str
    answer: str
    distractors: list[str]

    @field_validator("question", "answer")
    @classmethod
    def not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("must not be blank")
        return text

    @field_validator("distractors")
    @classmethod
    def three_distractors(cls, distractors: list[str]) -> list[str]:
        if len(distractors) != 3 or any(not d.strip() for d in distractors):
            raise ValueError(f"needs exactly 3 non-blank distractors, got {distractors!r}")
        return distractors


class McqItem(BaseModel):
    """A finished item, in the shape of section 2.1's schema: options keyed by letter in order,
    the answer a letter among them."""

    question: str
    options: dict[str, str]
    answer: str
    kind: Literal["capability", "propensity"] = "capability"

    @model_validator(mode="after")
    def answer_is_an_option(self) -> "McqItem":
        if list(self.options) != list(LETTERS[: len(self.options)]):
            raise ValueError(f"option letters must be {LETTERS[: len(self.options)]} in order")
        if self.answer not in self.options:
            raise ValueError(f"answer {self.answer!r} is not one of {', '.join(self.options)}")
        return self


def retry_after_seconds(error: BaseException) -> float | None:
    """The ``Retry-After`` header of an HTTP error response, in seconds; None if absent or not a
    number (HTTP also allows a date there; no server in this book sends one)."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def render_chat(messages: Sequence[Mapping[str, str]], add_generation_prompt: bool = True) -> str:
    """SmolLM2-Instruct's chat template, by hand.

    If the first message's role is not ``"system"``, a system message with
    ``SMOLLM2_DEFAULT_SYSTEM`` comes first. Every message is rendered as
    ``"<|im_start|>" + role + "\\n" + content + "<|im_end|>\\n"``, in order. With
    ``add_generation_prompt``, ``"<|im_start|>assistant\\n"`` follows. Contents are used exactly
    as given (no stripping). ``messages`` is not modified and is not empty.
    """
    text = ""
    if messages[0]["role"] != "system":
        text += f"<|im_start|>system\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\n"
    for message in messages:
        text += f"<|im_start|>{message['role']}\n{message['content']}<|im_end|>\n"
    if add_generation_prompt:
        text += "<|im_start|>assistant\n"
    return text


def extract_json(text: str) -> str | None:
    """The text of the first JSON object in ``text``: from the first ``"{"`` to the ``"}"`` that
    closes it, both included, or None if there is no ``"{"`` or it is never closed.

    Braces inside strings do not count. A string starts at a ``"`` or ``'`` met outside any
    string and ends at the next unescaped occurrence of the same quote; inside it, a backslash
    escapes the character after it. The object is returned exactly as written (no repair).
    """
    start = text.find("{")
    if start < 0:
        return None
    depth, quote, i = 0, None, start
    while i < len(text):
        ch = text[i]
        if quote is not None:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return None


def repair_json(text: str) -> Any:
    """``json.loads(text)`` if that works; otherwise the value of ``text`` after three repairs,
    applied outside strings only, or ``json.JSONDecodeError`` if it is still not valid JSON.

    Repairs: (1) a single-quoted string becomes a double-quoted one with the same content (a
    ``"`` inside it is escaped as ``\\"``; ``\\'`` becomes ``'``); (2) a comma whose next
    non-whitespace character is ``}`` or ``]`` is dropped; (3) the words ``True``, ``False`` and
    ``None`` (not preceded or followed by a letter, digit or ``_``) become ``true``, ``false``,
    ``null``. Strings are delimited as in ``extract_json``.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    out: list[str] = []
    i, n = 0, len(text)
    literals = {"True": "true", "False": "false", "None": "null"}
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j, body = i + 1, []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n:
                    pair = text[j : j + 2]
                    body.append("'" if (ch == "'" and pair == "\\'") else pair)
                    j += 2
                    continue
                body.append('\\"' if (ch == "'" and text[j] == '"') else text[j])
                j += 1
            out.append('"' + "".join(body) + '"')
            i = j + 1
            continue
        if ch == ",":
            k = i + 1
            while k < n and text[k].isspace():
                k += 1
            if k < n and text[k] in "}]":
                i += 1
                continue
        word = re.match(r"(True|False|None)(?![\w])", text[i:])
        if word and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            out.append(literals[word.group(1)])
            i += len(word.group(1))
            continue
        out.append(ch)
        i += 1
    return json.loads("".join(out))


def parse_into(text: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """``(object, None)`` if ``text`` holds a valid instance of ``schema``, else ``(None, reason)``.

    Steps: ``extract_json(text)``; if None, the reason is exactly ``"no JSON object found"``.
    Then ``repair_json`` on it; if that raises ``json.JSONDecodeError``, the reason is
    ``"invalid JSON: " + the error's msg attribute``. Then ``schema.model_validate``; on a
    ``ValidationError`` the reason is ``"; ".join(f"{loc}: {msg}")`` over ``error.errors()``,
    where ``loc`` is the location's parts joined by ``"."`` (``"item"`` if empty).
    """
    candidate = extract_json(text)
    if candidate is None:
        return None, "no JSON object found"
    try:
        data = repair_json(candidate)
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error.msg}"
    try:
        return schema.model_validate(data), None
    except ValidationError as error:
        parts = []
        for entry in error.errors():
            where = ".".join(str(p) for p in entry["loc"]) or "item"
            parts.append(f"{where}: {entry['msg']}")
        return None, "; ".join(parts)


def ask_structured(
    model: ChatModel,
    messages: Sequence[Mapping[str, str]],
    schema: type[BaseModel],
    max_tokens: int = 200,
) -> tuple[BaseModel | None, int]:
    """``(object or None, number of model calls)``, at most two calls.

    Call ``model.complete(list(messages), max_tokens=max_tokens, temperature=0.0)`` and parse its
    text with ``parse_into``. If that fails, call again with the conversation extended by
    ``{"role": "assistant", "content": <the failed reply's text>}`` and ``{"role": "user",
    "content": REASK.format(error=<the reason>)}``, and parse that reply. ``messages`` is not
    modified.
    """
    conversation = [dict(m) for m in messages]
    reply = model.complete(conversation, max_tokens=max_tokens, temperature=0.0)
    parsed, reason = parse_into(reply.text, schema)
    if parsed is not None:
        return parsed, 1
    conversation += [
        {"role": "assistant", "content": reply.text},
        {"role": "user", "content": REASK.format(error=reason)},
    ]
    reply = model.complete(conversation, max_tokens=max_tokens, temperature=0.0)
    return parse_into(reply.text, schema)[0], 2


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 8.0, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0 for the first retry): one draw
    ``rng.uniform(0, ceiling)`` with ``ceiling = min(cap, base * 2 ** attempt)``.

    ``rng=None`` uses the ``random`` module itself (``random.uniform``). Must work for any
    ``attempt`` ≥ 0, including very large ones (no overflow): the ceiling is then ``cap``.
    """
    ceiling = cap if attempt >= 64 else min(cap, base * 2.0**attempt)
    return (rng or random).uniform(0, ceiling)


def is_retryable(error: BaseException) -> bool:
    """True for transient failures of a request: an ``openai.APIStatusError`` with status 408,
    409, 429 or ≥ 500; an ``openai.APIConnectionError`` (which includes ``APITimeoutError``); a
    ``json.JSONDecodeError`` (a reply's body cut off). False for everything else — other HTTP
    statuses (400, 401, 403, 404, 422 …), a pydantic ``ValidationError``, any other exception."""
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError | json.JSONDecodeError)


def call_with_retries(
    fn: Callable[[], T],
    max_attempts: int = 5,
    base: float = 0.5,
    cap: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> T:
    """``fn()``'s result, calling it at most ``max_attempts`` times in all.

    When a call raises an exception (``Exception`` subclasses only): if ``is_retryable`` says no,
    or it was the last attempt, re-raise it unchanged. Otherwise wait ``delay`` seconds, where
    ``delay = retry_after_seconds(error)`` if that is not None, else
    ``backoff_delay(r, base, cap, rng)`` with ``r`` = 0 before the first retry, 1 before the
    second, …; call ``on_retry(error, delay)`` (if given) then ``sleep(delay)``, and try again.
    """
    for attempt in range(max_attempts):
        try:
            return fn()
        except Exception as error:
            if not is_retryable(error) or attempt == max_attempts - 1:
                raise
            delay = retry_after_seconds(error)
            if delay is None:
                delay = backoff_delay(attempt, base, cap, rng)
            if on_retry is not None:
                on_retry(error, delay)
            sleep(delay)
    raise ValueError("max_attempts must be at least 1")


class TokenBucket:
    """``acquire()`` takes one token, first sleeping until one is available; thread-safe.

    The bucket starts full with ``capacity`` tokens and refills continuously at ``rate`` tokens
    per second, never above ``capacity``. Time comes from ``clock()`` (seconds) and waiting is
    ``sleep(seconds)``, one call per wait, so a test can use a fake clock; ``acquire`` returns the
    seconds it slept (0.0 when a token was there). Concurrent ``acquire`` calls are serialised
    by a lock, so two threads never take the same token.
    """

    def __init__(
        self,
        rate: float,
        capacity: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate, self.capacity = rate, capacity
        self.clock, self.sleep = clock, sleep
        self.tokens = float(capacity)
        self.last = clock()
        self.lock = threading.Lock()

    def acquire(self) -> float:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            wait = (1 - self.tokens) / self.rate
            self.sleep(wait)
            self.tokens = 0.0
            self.last = now + wait
            return wait


def dedupe_key(text: str) -> str:
    """``text`` in Unicode NFKC form, case-folded (``str.casefold``), every character that is
    neither a word character nor whitespace (regex ``[^\\w\\s]``) replaced by a space, and runs
    of whitespace collapsed to single spaces with none at the ends."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def dedupe(texts: Sequence[str], threshold: float = 0.85) -> list[int]:
    """Indices of the texts to keep, in increasing order.

    Texts are considered in order; text i is dropped if, for some text j already kept, their
    ``dedupe_key``s are equal, or the Jaccard similarity |A ∩ B| / |A ∪ B| of their keys' word
    sets (``set(key.split())``) is ≥ ``threshold``. Two empty word sets count as equal keys.
    """
    kept: list[int] = []
    seen: list[tuple[str, set[str]]] = []
    for i, text in enumerate(texts):
        key = dedupe_key(text)
        words = set(key.split())
        duplicate = any(
            key == other_key or (words | other_words and len(words & other_words) / len(words | other_words) >= threshold)
            for other_key, other_words in seen
        )
        if not duplicate:
            kept.append(i)
            seen.append((key, words))
    return kept


def rubric(item: WrittenItem, plausibility: Mapping[str, float], floor: float = -7.8) -> list[str]:
    """The names of the criteria ``item`` fails, in the order of ``CRITERIA``:

    - ``"options"``: the answer and the distractors do not have 4 distinct ``dedupe_key``s;
    - ``"question"``: the stripped question does not end with ``"?"`` or has fewer than 4 words
      (``str.split``);
    - ``"leak"``: the answer's ``dedupe_key`` appears in the question's ``dedupe_key`` as whole
      words (its words consecutively, not inside longer words);
    - ``"implausible"``: some distractor's ``plausibility[distractor]`` (a score such as a mean
      log-probability per token; a distractor missing from the mapping counts as ``-inf``) is
      below ``floor``.
    An empty list means the item passes.
    """
    failed = []
    keys = {dedupe_key(t) for t in [item.answer, *item.distractors]}
    if len(keys) != 4 or len(item.distractors) != 3:
        failed.append("options")
    question = item.question.strip()
    if not question.endswith("?") or len(question.split()) < 4:
        failed.append("question")
    if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
        failed.append("leak")
    if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
        failed.append("implausible")
    return failed


def balance_positions(items: Sequence[WrittenItem], seed: int = 0) -> list[McqItem]:
    """One ``McqItem`` per item, in order, with options ``A``–``D``.

    The answer letters: ``list(LETTERS)`` repeated to ``len(items)`` letters (``"ABCDABCDAB"``
    for 10), shuffled once with ``random.Random(seed).shuffle``; item i's correct answer goes at
    letter i of that list, and its three distractors fill the other letters in their given order.
    So every letter is correct for ⌊n/4⌋ or ⌈n/4⌉ items. ``question`` is kept; the items are not
    modified.
    """
    letters = [LETTERS[i % len(LETTERS)] for i in range(len(items))]
    random.Random(seed).shuffle(letters)
    out = []
    for item, letter in zip(items, letters):
        wrong = iter(item.distractors)
        options = {L: (item.answer if L == letter else next(wrong)) for L in LETTERS}
        out.append(McqItem(question=item.question, options=options, answer=letter))
    return out


def agreement(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> tuple[float, list[str]]:
    """``(fraction of gold ids whose prediction equals the gold label, the ids that differ)``.

    Every id of ``gold`` counts once; an id missing from ``predicted`` is a disagreement; ids only
    in ``predicted`` are ignored. Labels are compared with ``==``. The ids that differ are listed
    in ``gold``'s order. ``gold`` is not empty.
    """
    differ = [key for key, label in gold.items() if key not in predicted or predicted[key] != label]
    return 1 - len(differ) / len(gold), differ
