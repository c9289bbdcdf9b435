# %% [markdown]
# *GENERATED from book/2_llm_evals/2.2_llm_apis_and_question_generation.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 2.2 <this file>*

# %% [markdown]
# # 2.2 LLM APIs and a question-generation pipeline
#
# Most evaluation work is plumbing. Before a single number about a model exists, someone has sent
# thousands of requests to an API that sometimes fails, turned free-text replies into structured
# records, thrown away the broken ones, and written a dataset whose flaws — duplicated items, an
# answer that is always "C", a question that gives its own answer away — would quietly decide the
# result. Perez et al. (2022) showed that language models can *write* evaluations by the thousand
# (model-written evaluations); the quality of such a dataset is decided by the pipeline
# around the model, not by the model alone.
#
# This section builds that pipeline, offline. The model calls go through the official `openai`
# client, pointed at a local OpenAI-compatible server (`arena_check.kit.local_server`) that can be
# switched into a flaky mode injecting server errors, rate limits with `Retry-After`, timeouts and
# malformed JSON. At the end, a pipeline makes a multiple-choice dataset about cities from
# `arena_check.kit.facts`, and we measure it against three targets: at least 300 items, each
# answer letter between 20 % and 30 % of the items, no duplicates — and at least 90 % agreement
# with a gold set of 44 candidate items labelled by hand.
#
# What a 135M model can and cannot do here, said up front: SmolLM2-135M-Instruct follows the chat
# format and its log-probabilities carry real information (it prefers real countries to nonsense
# as answers), but it almost never writes a valid JSON object on request — we measure how rarely.
# So the *writer* of the generated items is a scripted model standing in for a large one, with
# defects of known kinds injected at known rates; SmolLM2 proposes distractors and scores them.
#
# **You will be able to**
#
# - render a conversation with a chat template and set sampling parameters through the
#   `openai` client;
# - turn model text into validated pydantic objects: extract, repair, validate, re-ask once;
# - retry the errors worth retrying — and only those — with capped exponential backoff and
#   full jitter, honouring `Retry-After`;
# - keep a thread pool under a rate limit with a token bucket, and prove no request was lost;
# - filter generated items with a rubric, remove duplicates and near-duplicates, balance answer
#   positions, and measure agreement with a gold set.
#
# **Prerequisites.** Section 2.1 (the multiple-choice item schema, position bias). Python threads
# are used, not taught.
#
# **Time.** About 3 hours: 14 exercises.
#
# ## Setup

# %%
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


# %% [markdown]
# ## Part 1 · Chat messages, templates and sampling
#
# A chat API takes a list of messages, each a role (`system`, `user`, `assistant`) and a text, and
# returns the next assistant message (the [OpenAI chat-completions
# reference](https://platform.openai.com/docs/api-reference/chat/create) is the de-facto standard
# that most servers copy). The model itself never sees the list: it sees one string, made by the
# model's chat template, which wraps each message in special tokens and ends with the
# header of the assistant's turn, so that the most likely continuation is the reply. A prompt
# that differs from the training format — a missing newline, a missing system prompt — is still
# accepted without any error and can make the model worse, which is why evaluation harnesses take
# the template from the tokenizer rather than writing their own.
# Here we write one anyway, to know exactly what it does, and test it against the tokenizer's.
#
# ### Exercise 1 · `render_chat`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Render a conversation the way SmolLM2-Instruct's template does (the ChatML format).
#
# Knowing the exact string lets you count prompt tokens, score a reply's log-probability, and spot
# the silent bugs of hand-made prompts (a missing generation header, a doubled system prompt).
#
# <details><summary>Hint 1 · the format</summary>
#
# Each message becomes `<|im_start|>` + role + `\n` + content + `<|im_end|>` + `\n`. The generation
# prompt is `<|im_start|>assistant\n`, with nothing after it.
#
# </details>
#
# <details><summary>Hint 2 · the default system prompt</summary>
#
# It is added only when the *first* message is not a system message; a system message later in the
# conversation does not count.
#
# </details>

# %%
def render_chat(messages: Sequence[Mapping[str, str]], add_generation_prompt: bool = True) -> str:
    """SmolLM2-Instruct's chat template, by hand.

    If the first message's role is not ``"system"``, a system message with
    ``SMOLLM2_DEFAULT_SYSTEM`` comes first. Every message is rendered as
    ``"<|im_start|>" + role + "\\n" + content + "<|im_end|>\\n"``, in order. With
    ``add_generation_prompt``, ``"<|im_start|>assistant\\n"`` follows. Contents are used exactly
    as given (no stripping). ``messages`` is not modified and is not empty.
    """
    raise NotImplementedError("exercise: render_chat")


# %%
arena_check.check("2.2", "render_chat", render_chat)


# %% [markdown]
# The tokenizer shipped with the zoo's SmolLM2 has the template as a Jinja program;
# `apply_chat_template` runs it. The two agree on every conversation we try:

# %% [markdown]
# Now the same model behind an API. `serve(model)` starts an OpenAI-compatible server on
# `127.0.0.1` (a free port, no key, never leaving the machine) for the length of a `with` block;
# the official client reaches it through `base_url`. With a hosted API, the only change would be
# the `base_url` and a real key — this book never does that. The sampling parameters:
#
# - `temperature` 0 is greedy decoding: the same prompt gives the same reply. Above 0, replies are
#   sampled from the model's distribution sharpened or flattened by the temperature;
#   `seed` makes a sampled reply reproducible (hosted APIs promise this only on a best-effort basis);
# - `max_tokens` cuts the reply; `finish_reason` then says `"length"` instead of `"stop"`, and a
#   harness that ignores it parses half-sentences;
# - `stop` ends the reply at the first occurrence of any of the given strings (not included).
#
# The next cell takes about 8 s: eight short generations on a CPU.

# %% [markdown]
# `top_p` (nucleus sampling) keeps only the most likely tokens whose probabilities add up
# to `top_p`, and samples among them. The local server does not implement it (it accepts only the
# parameters listed in its module docstring), so we look at what it would do directly, on
# SmolLM2's distribution over the first token of its reply:

# %% [markdown]
# A higher temperature flattens the distribution, so the same `top_p` admits many more tokens. For
# evaluation, greedy decoding (or several seeded samples, reported with their spread) is the rule:
# a single sampled reply is a single draw of a random variable.
#
# ## Part 2 · Structured output
#
# An eval pipeline needs fields, not prose: a question, an answer, a list of distractors. Hosted
# APIs offer structured output modes that constrain decoding to a JSON schema; without one
# (and with small models, and with many providers) a harness must parse free text defensively:
# find the JSON object in the reply, repair the common near-misses, validate it against a schema,
# and, if that fails, ask again once with the reason. Each step is an exercise.
#
# ### Exercise 2 · `extract_json`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Find the first JSON object in a reply that wraps it in prose or code fences.
#
# Models write "Sure! Here is the item: {…} Hope this helps." A regular expression `\{.*\}` grabs
# from the first brace to the *last*, across two objects, and is fooled by a brace inside a string.
#
# <details><summary>Hint 1 · scan, counting depth</summary>
#
# From the first `{`, walk the characters: `{` adds one to the depth, `}` subtracts one; when the
# depth returns to 0 you have the end.
#
# </details>
#
# <details><summary>Hint 2 · strings</summary>
#
# Inside a string (opened by `"` or `'`, closed by the same quote) braces do not count, and a
# backslash escapes the next character.
#
# </details>

# %%
def extract_json(text: str) -> str | None:
    """The text of the first JSON object in ``text``: from the first ``"{"`` to the ``"}"`` that
    closes it, both included, or None if there is no ``"{"`` or it is never closed.

    Braces inside strings do not count. A string starts at a ``"`` or ``'`` met outside any
    string and ends at the next unescaped occurrence of the same quote; inside it, a backslash
    escapes the character after it. The object is returned exactly as written (no repair).
    """
    raise NotImplementedError("exercise: extract_json")


# %%
arena_check.check("2.2", "extract_json", extract_json)


# %% [markdown]
# ### Exercise 3 · `repair_json`
#
# > difficulty 3/5 · importance 3/5 · 20 min
#
# Parse almost-JSON: fix trailing commas, single-quoted strings and Python's `True`/`False`/`None`.
#
# These three near-misses are most of what goes wrong when a model writes JSON (the last two come
# from models that have read more Python than JSON). Repairing them recovers items that would
# otherwise cost a second request — but a repair must never change what a valid document means,
# which is why every fix happens outside strings only.
#
# <details><summary>Hint 1 · valid JSON first</summary>
#
# Try `json.loads(text)` first and return its result if it works: a repair has no business
# touching valid JSON.
#
# </details>
#
# <details><summary>Hint 2 · one pass, copying</summary>
#
# Walk the text once, copying into a list. Copy a string as a whole (from its quote to the closing
# one), converting a single-quoted one to a double-quoted one. Outside strings, skip a comma whose
# next non-space character is `}` or `]`, and replace the words `True`, `False`, `None`.
#
# </details>

# %%
def repair_json(text: str) -> Any:
    """``json.loads(text)`` if that works; otherwise the value of ``text`` after three repairs,
    applied outside strings only, or ``json.JSONDecodeError`` if it is still not valid JSON.

    Repairs: (1) a single-quoted string becomes a double-quoted one with the same content (a
    ``"`` inside it is escaped as ``\\"``; ``\\'`` becomes ``'``); (2) a comma whose next
    non-whitespace character is ``}`` or ``]`` is dropped; (3) the words ``True``, ``False`` and
    ``None`` (not preceded or followed by a letter, digit or ``_``) become ``true``, ``false``,
    ``null``. Strings are delimited as in ``extract_json``.
    """
    raise NotImplementedError("exercise: repair_json")


# %%
arena_check.check("2.2", "repair_json", repair_json)


# %% [markdown]
# ### Exercise 4 · `parse_into`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Turn a reply into a validated pydantic object, or a one-line reason why not.
#
# The reason is not for a log file only: it is what the re-ask of the next exercise sends back to
# the model, so it must say what was wrong in words a model (or a person) can act on.
#
# <details><summary>Hint</summary>
#
# `schema.model_validate(data)` validates a dict; a `ValidationError`'s `.errors()` has `"loc"` and
# `"msg"` for each problem (the `error_lines` of section 2.1).
#
# </details>

# %%
def parse_into(text: str, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """``(object, None)`` if ``text`` holds a valid instance of ``schema``, else ``(None, reason)``.

    Steps: ``extract_json(text)``; if None, the reason is exactly ``"no JSON object found"``.
    Then ``repair_json`` on it; if that raises ``json.JSONDecodeError``, the reason is
    ``"invalid JSON: " + the error's msg attribute``. Then ``schema.model_validate``; on a
    ``ValidationError`` the reason is ``"; ".join(f"{loc}: {msg}")`` over ``error.errors()``,
    where ``loc`` is the location's parts joined by ``"."`` (``"item"`` if empty).
    """
    raise NotImplementedError("exercise: parse_into")


# %%
arena_check.check("2.2", "parse_into", parse_into)


# %% [markdown]
# ### Exercise 5 · `ask_structured`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Ask for a structured reply; if it does not parse, show the model its reply and the reason, and ask
# once more.
#
# One re-ask recovers most failures of a capable model at the cost of one request; asking
# *forever* turns a systematic failure (a schema the model cannot satisfy) into an infinite bill.
#
# <details><summary>Hint</summary>
#
# The second conversation is the first one plus two messages: the assistant's failed reply, then a
# user message `REASK.format(error=reason)`.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: ask_structured")


# %%
arena_check.check("2.2", "ask_structured", ask_structured)


# %% [markdown]
# How often does SmolLM2-135M produce a usable object when asked for one? Six requests, greedy,
# up to 32 tokens each, generated in one batch by `ZooChat.prefetch` (about 8 s; more on a loaded
# machine):

# %% [markdown]
# SmolLM2-135M produced {glue:text}`smol_valid` valid items out of {glue:text}`smol_n`: it imitates
# the *look* of JSON (keys in quotes, braces) without keeping to the requested fields. That is the
# honest reason the writer in Part 4 is scripted. The parsing code does not change when the writer
# is a capable hosted model — only the failure rate does.
#
# ## Part 3 · Retries, backoff and rate limits
#
# A hosted API fails in a handful of ways, and they call for different responses:
#
# | what happened | HTTP | retry? |
# |---|---|---|
# | server error, overloaded | 500, 502, 503 … | yes, after a delay |
# | rate limit | 429, often with `Retry-After` | yes, after the delay the server asks for |
# | request timeout, conflict | 408, 409 | yes |
# | no reply in time, connection dropped | — | yes |
# | reply cut off: body is not valid JSON | 200 | yes |
# | bad request, no such model, bad key, forbidden | 400, 404, 401, 403, 422 | **no**: the same request fails the same way |
#
# Retrying at once, in lockstep with every other client, is how a brief overload becomes a long
# one. Exponential backoff doubles the wait after each failure, up to a cap; full
# jitter draws the actual wait uniformly between 0 and that ceiling, so that clients which
# failed together do not retry together (Brooker, [Exponential Backoff And
# Jitter](https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), AWS
# Architecture Blog, 2015). The official `openai` client has a retry loop of its own (two retries
# by default); every client on this page is made with `max_retries=0`, so that our loop sees, and
# counts, every fault. All the code below takes its `sleep`, clock and random generator as
# arguments: the checks run it with a fake clock, instantly and deterministically.
#
# ### Exercise 6 · `backoff_delay`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# The wait before retry number `attempt`: capped exponential backoff with full jitter.
#
# Both halves matter: without the cap a long outage leads to waits of hours; without the jitter,
# every client that failed at the same moment retries at the same moment.
#
# <details><summary>Hint 1 · the ceiling</summary>
#
# `min(cap, base * 2 ** attempt)` — but `2 ** 2000` times a float overflows. Stop doubling once the
# ceiling has reached the cap (or compare exponents first).
#
# </details>
#
# <details><summary>Hint 2 · the jitter</summary>
#
# `rng.uniform(0, ceiling)` draws once from the whole range.
#
# </details>

# %%
def backoff_delay(attempt: int, base: float = 0.5, cap: float = 8.0, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0 for the first retry): one draw
    ``rng.uniform(0, ceiling)`` with ``ceiling = min(cap, base * 2 ** attempt)``.

    ``rng=None`` uses the ``random`` module itself (``random.uniform``). Must work for any
    ``attempt`` ≥ 0, including very large ones (no overflow): the ceiling is then ``cap``.
    """
    raise NotImplementedError("exercise: backoff_delay")


# %%
arena_check.check("2.2", "backoff_delay", backoff_delay)


# %% [markdown]
# ### Exercise 7 · `is_retryable`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Decide whether an error is worth another attempt.
#
# Retrying a 400 wastes the rate limit on a request that cannot succeed, and hides the bug that
# made it; not retrying a 503 turns a blip into a missing item.
#
# <details><summary>Hint 1 · the openai exceptions</summary>
#
# `openai.APIStatusError` has `.status_code`; `openai.APIConnectionError` (its subclass
# `APITimeoutError` included) means no usable reply arrived.
#
# </details>
#
# <details><summary>Hint 2 · the trap</summary>
#
# `json.JSONDecodeError` is a `ValueError`, and so is pydantic's `ValidationError`. Test for the
# class you mean.
#
# </details>

# %%
def is_retryable(error: BaseException) -> bool:
    """True for transient failures of a request: an ``openai.APIStatusError`` with status 408,
    409, 429 or ≥ 500; an ``openai.APIConnectionError`` (which includes ``APITimeoutError``); a
    ``json.JSONDecodeError`` (a reply's body cut off). False for everything else — other HTTP
    statuses (400, 401, 403, 404, 422 …), a pydantic ``ValidationError``, any other exception."""
    raise NotImplementedError("exercise: is_retryable")


# %%
arena_check.check("2.2", "is_retryable", is_retryable)


# %% [markdown]
# ### Exercise 8 · `call_with_retries`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Call a function until it succeeds, waiting between attempts as the server and the backoff say.
#
# This loop wraps every request of an eval run. Its bugs are silent: one attempt too many or too
# few, a `Retry-After` ignored (the server then rate-limits harder), a non-retryable error retried.
#
# <details><summary>Hint 1 · the shape</summary>
#
# `for attempt in range(max_attempts): try: return fn() except Exception as error: …` — re-raise when
# the error is not retryable or when this was the last attempt.
#
# </details>
#
# <details><summary>Hint 2 · which wait</summary>
#
# `retry_after_seconds(error)` (given in the setup) is the server's request; use it when it is not
# None, else `backoff_delay(attempt, base, cap, rng)` with `attempt` counting retries from 0.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: call_with_retries")


# %%
arena_check.check("2.2", "call_with_retries", call_with_retries)


# %% [markdown]
# Each fault once, in order, through the real client and the real clock — a 429 asking for 0.3 s, a
# server error, a reply held back longer than the client's timeout of 0.5 s, a cut-off body, then
# success:

# %% [markdown]
# ### Exercise 9 · `TokenBucket`
#
# > difficulty 3/5 · importance 4/5 · 20 min
#
# A thread-safe token bucket: at most `capacity` requests at once, `rate` per second on average.
#
# Hosted APIs enforce a rate limit per minute; a client that stays under it never sees a
# 429, and so never pays the retry. The bucket holds up to `capacity` tokens, refills at `rate`
# tokens per second, and each request takes one — waiting if none is left.
#
# <details><summary>Hint 1 · lazy refill</summary>
#
# No timer thread is needed: at each `acquire`, add `(now - last) * rate` tokens (at most up to
# `capacity`), remember `now`.
#
# </details>
#
# <details><summary>Hint 2 · waiting</summary>
#
# With fewer than one token, the wait is `(1 - tokens) / rate`. After it the bucket is empty, and
# the refill clock stands at `now + wait`.
#
# </details>

# %%
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
        raise NotImplementedError("exercise: TokenBucket.__init__")

    def acquire(self) -> float:
        raise NotImplementedError("exercise: TokenBucket.acquire")


# %%
arena_check.check("2.2", "TokenBucket", TokenBucket)


# %% [markdown]
# Three requests go at once (the burst), then one every 0.2 s: 12 requests take 1.8 s of fake time,
# and no real time.
#
# ## Part 4 · A question-generation pipeline
#
# The plan, for a dataset of four-option questions "In which country is the city of X?":
#
# 1. **Seeds** from `arena_check.kit.facts`: well-known cities with their country (GeoNames data),
#    so every correct answer is known before any model is asked.
# 2. **Distractors proposed by the model**: SmolLM2 scores every country of the city's continent
#    as the reply to "Name a country in <continent>."; three distractors are drawn with
#    probability proportional to those probabilities. Well-known neighbours make harder, more
#    plausible wrong answers than a uniform draw.
# 3. **Writing**: a writer model turns each seed into a JSON item, through the `openai` client, the
#    flaky server, a thread pool, the token bucket and the retry loop. The writer is scripted (Part
#    2 showed why) and makes the mistakes real writers make at fixed, seeded rates: prose around
#    the JSON, trailing commas, Python-style quotes, truncation, a missing field, an answer
#    leaked into the question, a distractor equal to the answer, a nonsense distractor, a wrong
#    answer, and the same question twice in slightly different words.
# 4. **Parsing** with repair and one re-ask; **scoring** by a rubric of rules plus SmolLM2's
#    log-probabilities; **verification** of the answer against the facts.
# 5. **De-duplication** by normalised text and near-duplicates; **position balancing**.
#
# ### Exercise 10 · `dedupe_key`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Normalise a question so that copies differing only in case, accents' encoding, punctuation or
# spacing get the same key.
#
# Two copies of an item in a test set count twice; when the copies differ only in a capital letter
# or a question mark, an exact-match check misses them.
#
# <details><summary>Hint</summary>
#
# `unicodedata.normalize("NFKC", text)`, then `.casefold()`, then `re.sub(r"[^\w\s]", " ", …)`,
# then `" ".join(….split())`.
#
# </details>

# %%
def dedupe_key(text: str) -> str:
    """``text`` in Unicode NFKC form, case-folded (``str.casefold``), every character that is
    neither a word character nor whitespace (regex ``[^\\w\\s]``) replaced by a space, and runs
    of whitespace collapsed to single spaces with none at the ends."""
    raise NotImplementedError("exercise: dedupe_key")


# %%
arena_check.check("2.2", "dedupe_key", dedupe_key)


# %% [markdown]
# ### Exercise 11 · `dedupe`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Keep the first of every group of duplicates and near-duplicates.
#
# Generated datasets are full of near-duplicates: the same fact asked with one word added. A
# word-set similarity (Jaccard) catches them; its threshold decides between merging true
# duplicates and merging different questions that share a template, so it is a parameter, and the
# page prints what it removed.
#
# <details><summary>Hint</summary>
#
# Keep a list of the kept items' keys and word sets; for each new text, compare with all of them
# (quadratic is fine for a few thousand items).
#
# </details>

# %%
def dedupe(texts: Sequence[str], threshold: float = 0.85) -> list[int]:
    """Indices of the texts to keep, in increasing order.

    Texts are considered in order; text i is dropped if, for some text j already kept, their
    ``dedupe_key``s are equal, or the Jaccard similarity |A ∩ B| / |A ∪ B| of their keys' word
    sets (``set(key.split())``) is ≥ ``threshold``. Two empty word sets count as equal keys.
    """
    raise NotImplementedError("exercise: dedupe")


# %%
arena_check.check("2.2", "dedupe", dedupe)


# %% [markdown]
# ### Exercise 12 · `rubric`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Score a written item against four rules and return the ones it fails.
#
# A rubric makes "is this a good item?" a function you can test, and turns its verdicts into counts
# per rule — which tell you whether to fix the writer's prompt or the filter. One rule uses the
# model: a distractor that SmolLM2 finds far less likely than any real country ("Banana") is not a
# plausible wrong answer, and gives the question away.
#
# <details><summary>Hint 1 · options</summary>
#
# Compare `dedupe_key`s of the answer and the three distractors: four options, four distinct keys.
#
# </details>
#
# <details><summary>Hint 2 · leak</summary>
#
# Pad with spaces: `f" {dedupe_key(answer)} " in f" {dedupe_key(question)} "` finds whole words
# only ("Niger" is not in "Nigeria").
#
# </details>

# %%
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
    raise NotImplementedError("exercise: rubric")


# %%
arena_check.check("2.2", "rubric", rubric)


# %% [markdown]
# ### Exercise 13 · `balance_positions`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Lay out items so that the correct answer is at each letter equally often, without changing which
# answer is correct.
#
# Models have position preferences (Zheng et al. 2023; section 2.3): if "A" is right 40 % of the
# time, a model that likes "A" scores well for the wrong reason. A generator left alone is rarely
# balanced — a writer that always lists the answer first makes "A" right every time.
#
# <details><summary>Hint 1 · the letters</summary>
#
# Repeat `"ABCD"` until there are `len(items)` letters, then shuffle that list with
# `random.Random(seed)`: counts differ by at most one, and positions are not predictable from the
# item's index.
#
# </details>
#
# <details><summary>Hint 2 · one item</summary>
#
# Put the distractors in their given order into the other three letters, in order.
#
# </details>

# %%
def balance_positions(items: Sequence[WrittenItem], seed: int = 0) -> list[McqItem]:
    """One ``McqItem`` per item, in order, with options ``A``–``D``.

    The answer letters: ``list(LETTERS)`` repeated to ``len(items)`` letters (``"ABCDABCDAB"``
    for 10), shuffled once with ``random.Random(seed).shuffle``; item i's correct answer goes at
    letter i of that list, and its three distractors fill the other letters in their given order.
    So every letter is correct for ⌊n/4⌋ or ⌈n/4⌉ items. ``question`` is kept; the items are not
    modified.
    """
    raise NotImplementedError("exercise: balance_positions")


# %%
arena_check.check("2.2", "balance_positions", balance_positions)


# %% [markdown]
# ### Exercise 14 · `agreement`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Measure how often the pipeline's decisions match a hand-labelled gold set, and list where not.
#
# A filter is a classifier, and needs a test set like any other: without one, "the rubric works"
# is a belief. Reporting the disagreements, not just the rate, is what lets a reader judge them.
#
# <details><summary>Hint</summary>
#
# Iterate over the *gold* ids; a missing prediction is a disagreement, not a skip.
#
# </details>

# %%
def agreement(predicted: Mapping[str, Any], gold: Mapping[str, Any]) -> tuple[float, list[str]]:
    """``(fraction of gold ids whose prediction equals the gold label, the ids that differ)``.

    Every id of ``gold`` counts once; an id missing from ``predicted`` is a disagreement; ids only
    in ``predicted`` are ignored. Labels are compared with ``==``. The ids that differ are listed
    in ``gold``'s order. ``gold`` is not empty.
    """
    raise NotImplementedError("exercise: agreement")


# %%
arena_check.check("2.2", "agreement", agreement)

# %% [markdown]
# ### The pipeline, run
#
# First the model's part: the log-probability of every country of a continent (and of the
# writer's nonsense words) as the whole reply to "Name a country in <continent>.", divided by its
# number of tokens — a summed log-prob favours short words, and "Blue" is one token while "North
# Macedonia" is several. Five prompts, about 10 s.

# %% [markdown]
# The floor sits in the gap between the two groups, and the gap is narrow: a 135M model's sense of
# what names a country is a weak signal, good enough to catch "Blue" and "Banana", not a judge of
# subtle implausibility. The rubric's rules do most of the work.
#
# Seeds and model-proposed distractors. 380 cities, drawn with a fixed seed; for each, three other
# countries of its continent sampled without replacement with probability ∝ exp(score):

# %% [markdown]
# The scripted writer. It reads the seed from the request and answers with a JSON item, making each
# kind of mistake at the rate written below; asked again after a failed parse, it answers cleanly.
# Its rates are the ground truth the filter's counts can be compared with.

# %% [markdown]
# Now the run. The client talks to the server in flaky mode — 8 % server errors, 6 % rate limits
# asking for 0.1 s, 3 % replies held back past the client's 0.5 s timeout, 5 % bodies cut off —
# from a pool of 4 threads sharing one token bucket of 100 requests per second (burst 10). Every
# request goes through `call_with_retries` (at most 10 attempts, base 0.02 s, cap 0.5 s); the
# parse step may re-ask once, through the same loop. This cell takes about 10 s.

# %% [markdown]
# The retry counts are not estimates: each equals the number of faults of that kind the server
# injected, so no failure went unretried and none was retried twice. In numbers:
# {glue:text}`n_http` HTTP requests, {glue:text}`n_retries` of them retries, in
# {glue:text}`run_seconds` s, {glue:text}`throughput` items per second. The bucket's 100 requests
# per second is a ceiling, not a promise: on a shared two-core CPU the client and the server
# themselves are slower than that, and the measured rate says so.
#
# Then the filters, in order, with what each removed:

# %% [markdown]
# ### The gold set
#
# Forty-four candidate replies, written and labelled by hand before the filter was run on them:
# for each, whether a careful reviewer would keep the item, and a one-line reason. They include
# the writer's kinds of mistake but also ones it never makes — a question about a different fact,
# a country spelled differently, an option that is also correct — so they test the filter beyond
# what it was built against. **Agreement** is the fraction of gold items on which the pipeline's
# keep/reject decision equals the gold label; for items both keep, the answer must also be the
# gold answer (a kept item with the wrong answer counts as a disagreement).

# %% [markdown]
# The targets, all computed above: {glue:text}`n_final` items; the correct letter is at each
# position for between {glue:text}`share_min` % and {glue:text}`share_max` % of them; no two
# questions share a normalised key or pass the near-duplicate test; and the pipeline agrees with the
# hand-labelled gold set on {glue:text}`gold_agreement` % of its {glue:text}`gold_n` items. In
# every disagreement listed, the gold set keeps an item that a rule rejects — an answer spelled
# differently from the facts, a question ending in an instruction rather than a question mark: the
# filter errs towards rejecting, which costs items, not correctness. Finding that out is what the
# gold set is for.
#
# What this does and does not show. The filter was written by the same person who wrote the gold
# set, so agreement is an upper bound on what a second reviewer would find; a real project has the
# gold set labelled by someone else, before the filter is tuned. The writer's mistakes here are
# injected, so the filter's counts can be compared with known rates; a real writer's mistakes are
# unknown, and the gold set is the only evidence. And the items are easy facts: the machinery —
# parsing, retries, rate limits, rubric, de-duplication, balancing, a gold set — is what carries
# over to model-written evaluations of behaviours, as in Perez et al. (2022).

# %% [markdown]
# ## Summary
#
# - The model reads one string, made by its chat template; take the template from the tokenizer,
#   and know what it adds (SmolLM2 adds a default system prompt).
# - Greedy decoding for evaluation; a sampled reply is one draw. `max_tokens` truncation shows up
#   as `finish_reason == "length"`.
# - Structured output without constrained decoding: extract, repair outside strings, validate with
#   pydantic, re-ask once with the reason. Measure the failure rate; a 135M model rarely succeeds.
# - Retry 429, 408/409, 5xx, timeouts and cut-off bodies; never 400/401/403/404/422 or validation
#   errors. Wait `Retry-After` when given, else capped exponential backoff with full jitter.
# - A token bucket keeps a pool of workers under a rate limit; count retries by kind and check that
#   every request was answered exactly once.
# - A generation pipeline is seeds → model → parse → rubric → verify → de-duplicate → balance, and
#   a hand-labelled gold set is how you know the filters work.
#
# ## Further reading
#
# - OpenAI, [Chat completions API reference](https://platform.openai.com/docs/api-reference/chat/create)
#   — messages, `temperature`, `top_p`, `max_tokens`, `stop`, `seed`, `finish_reason`.
# - Brooker, [Exponential Backoff And
#   Jitter](https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), AWS
#   Architecture Blog (2015) — why full jitter, simulated.
# - Perez et al., [Discovering Language Model Behaviors with Model-Written
#   Evaluations](https://arxiv.org/abs/2212.09251) (2022) — generating evaluation datasets with
#   models, and filtering them with a preference model and human checks.
# - Zheng et al., [Large Language Models Are Not Robust Multiple Choice
#   Selectors](https://arxiv.org/abs/2309.03882) (2023) — position and letter biases, the reason
#   for balancing.
# - Lee et al., [Deduplicating Training Data Makes Language Models
#   Better](https://arxiv.org/abs/2107.06499) (2022) — exact and near-duplicate detection at scale.
