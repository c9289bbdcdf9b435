"""Checks for section 2.2 — LLM APIs and a question-generation pipeline.

No model and no server are needed: replies come from small recording models written here,
openai's exceptions are built around hand-made ``httpx`` responses, and time is a fake clock, so
every check of the retry and rate-limit code runs instantly and deterministically.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import Counter
from typing import Any

from arena_check.reference import s2_2_llm_apis_and_question_generation as ref
from arena_check.registry import check
from arena_check.testing import Case, CheckFailed, call, check_defaults, expect_equal


def _same_as_reference(fn: Any, reference: Any, cases: list[Case], *, name: str, hint: str) -> None:
    """Defaults as in the stub, then exact equality with the reference on every named case."""
    check_defaults(fn, reference, name=name)
    for case in cases:
        context, args = case[0], case[1]
        kwargs = dict(case[2]) if len(case) == 3 else {}  # type: ignore[misc]
        got = call(fn, *args, name=name, context=context, **kwargs)
        expect_equal(got, reference(*args, **kwargs), context=f"`{name}`, {context}", hint=hint)


# ------------------------------------------------------------------------------ render_chat


@check("2.2", "render_chat")
def check_render_chat(render_chat) -> None:
    """Default system prompt added or not, every role, the generation prompt on and off."""
    user = {"role": "user", "content": "What is the capital of France?"}
    system = {"role": "system", "content": "Answer in one word."}
    cases: list[Case] = [
        ("one user message", ([user],)),
        ("a system message first", ([system, user],)),
        ("user, assistant, user", ([user, {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "And Peru?"}],)),
        ("a system message that is not first (the default one is still added)", ([user, system],)),
        ("an assistant message first (the default system prompt is still added)",
         ([{"role": "assistant", "content": "Hello."}, user],)),
        ("one user message, add_generation_prompt=False", ([user], False)),
        ("a conversation ending with the assistant, add_generation_prompt=False",
         ([system, user, {"role": "assistant", "content": "Paris"}],), {"add_generation_prompt": False}),
        ("contents with spaces and newlines at the ends", ([{"role": "user", "content": "  two\nlines \n"}],)),
        ("an empty user message", ([{"role": "user", "content": ""}],)),
    ]
    _same_as_reference(
        render_chat, ref.render_chat, cases, name="render_chat",
        hint="'<|im_start|>' + role + '\\n' + content + '<|im_end|>\\n' per message; the default "
        "system message only when messages[0] is not a system message; '<|im_start|>assistant\\n' "
        "at the end when add_generation_prompt is true. Contents are not stripped.",
    )


# ------------------------------------------------------------------------------ extract_json


@check("2.2", "extract_json")
def check_extract_json(extract_json) -> None:
    """Prose and fences around an object, two objects, nesting, braces and quotes in strings."""
    cases: list[Case] = [
        ("a bare object", ('{"a": 1}',)),
        ("prose before and after", ('Sure! Here it is: {"a": [1, 2]} Hope this helps.',)),
        ("a ```json fence", ('```json\n{"q": "x",\n "b": {"c": 2}}\n```',)),
        ("two objects (the first one only)", ('{"a": 1} and then {"b": 2}',)),
        ("nested objects", ('x {"a": {"b": {"c": {}}}, "d": 4} y',)),
        ("a '}' inside a double-quoted string", ('{"a": "close } brace", "b": 1} tail }',)),
        ("a '{' inside a single-quoted string", ("{'a': 'open { brace', 'b': 2} and more",)),
        ("an escaped quote before a brace in a string", ('{"a": "say \\"}\\" now", "b": 3}!',)),
        ("an apostrophe inside a double-quoted string", ('{"a": "it\'s {fine}"} end',)),
        ("no brace at all", ("no JSON here",)),
        ("an object that is never closed (cut off)", ('{"a": {"b": 1}',)),
        ("an empty string", ("",)),
        ("a '}' before the first '{'", ('} then {"a": 1}',)),
    ]
    _same_as_reference(
        extract_json, ref.extract_json, cases, name="extract_json",
        hint="start at the first '{' and count depth until it returns to 0, skipping braces "
        "inside strings (opened by \" or ', closed by the same quote; a backslash escapes the next "
        "character). A greedy regex \\{.*\\} reaches the last brace instead; None when never closed.",
    )


# ------------------------------------------------------------------------------ repair_json


def _repair_outcome(fn: Any, text: str, context: str) -> Any:
    try:
        return ("value", call(fn, text, name="repair_json", context=context))
    except json.JSONDecodeError:
        return ("raises json.JSONDecodeError",)
    except (NotImplementedError, CheckFailed):
        raise
    except Exception as error:  # noqa: BLE001 — a learner's repair raised the wrong kind
        raise CheckFailed(
            f"`repair_json`, {context}: raised {type(error).__name__}: {error}. Text that is still "
            "not JSON after the repairs must raise json.JSONDecodeError (what json.loads raises)."
        ) from None


@check("2.2", "repair_json")
def check_repair_json(repair_json) -> None:
    """Valid JSON untouched (even when its strings look broken), each repair, and failures."""
    cases = [
        ("valid JSON whose strings contain ',}', 'True' and an apostrophe",
         '{"a": "x,}", "b": "True or None", "c": "it\'s", "d": [1, 2]}'),
        ("a trailing comma in an object", '{"a": 1, "b": 2,}'),
        ("trailing commas in a list and an object, with newlines", '{"a": [1, 2,\n ],\n "b": {"c": 3 ,\n}\n,}'),
        ("single-quoted keys and values", "{'question': 'Where is Lyon?', 'answer': 'France'}"),
        ("a single-quoted string containing a double quote", "{'a': 'say \"hi\"'}"),
        ("a single-quoted string with an escaped apostrophe", "{'a': 'it\\'s'}"),
        ("a double-quoted string with an apostrophe, next to single-quoted ones",
         "{'a': \"Côte d'Ivoire\", 'b': ['x', 'y',]}"),
        ("Python's True, False and None", '{"a": True, "b": [False, None]}'),
        ("'True' inside a string of a repaired document", "{'a': 'True, False,}', 'b': None,}"),
        ("a Python dict repr with everything", "{'ok': True, 'xs': [1, 'two', None], 'd': {'k': 'v',},}"),
        ("a word that only starts like True (Trueish): not valid", '{"a": Trueish}'),
        ("a bare True (the whole text)", "True"),
        ("a list with None and a trailing comma, no spaces", "[None,]"),
        ("a single-quoted string ending in an escaped backslash", "{'a': 'x\\\\', 'b': False}"),
        ("a single-quoted string with a \\n escape", "{'a': 'line\\nnext'}"),
        ("an escaped double quote in a double-quoted string of a repaired document", '{"a": "x\\"y", \'b\': True}'),
        ("no spaces at all", "{'a':'b','c':[True,False,],}"),
        ("a string never closed: not valid", "{'a': 'unclosed"),
        ("a trailing comma and spaces at the very end: not valid", "[1, 2,  "),
        ("a backslash as the last character: not valid", "{'a': 'x\\"),
        ("a cut-off object: not valid", '{"a": [1, 2'),
        ("prose: not valid", "no idea"),
    ]
    check_defaults(repair_json, ref.repair_json, name="repair_json")
    for context, text in cases:
        got = _repair_outcome(repair_json, text, context)
        expected = _repair_outcome(ref.repair_json, text, context)
        expect_equal(
            got, expected, context=f"`repair_json`, {context} ({text!r})",
            hint="try json.loads first; repair outside strings only: single-quoted strings to "
            "double-quoted (escape \" inside, \\' becomes '), drop a comma before } or ], and the "
            "whole words True/False/None. A global str.replace also changes the strings.",
        )


# ------------------------------------------------------------------------------ parse_into


def _point_schema() -> Any:
    from pydantic import BaseModel

    class Point(BaseModel):
        x: int
        y: int

    return Point


@check("2.2", "parse_into")
def check_parse_into(parse_into) -> None:
    """Each failure's exact reason, a success, a repaired success, and the schema argument used."""
    good = '{"question": "In which country is Lyon?", "answer": "France", "distractors": ["Spain", "Italy", "Belgium"]}'
    point = _point_schema()
    cases = [
        ("a valid item inside prose", ("Here: " + good + " done", ref.WrittenItem)),
        ("an item with trailing commas and single quotes",
         ("{'question': 'Where is Lima?', 'answer': 'Peru', 'distractors': ['Chile', 'Bolivia', 'Ecuador',],}", ref.WrittenItem)),
        ("no JSON object", ("I cannot help with that.", ref.WrittenItem)),
        ("an object that is not JSON even after repairs", ('{"question": what}', ref.WrittenItem)),
        ("two distractors only", ('{"question": "q?", "answer": "a", "distractors": ["b", "c"]}', ref.WrittenItem)),
        ("a missing field and a blank answer", ('{"question": "q?", "answer": " "}', ref.WrittenItem)),
        ("a JSON list inside an object's place", ('[1, 2] {"x": 1, "y": 2}', point)),
        ("another schema (Point), one bad field", ('{"x": 1, "y": "two"}', point)),
        ("another schema (Point), valid", ('{"x": 1, "y": 2}', point)),
        ("a distractor that is a number (a nested location: distractors.0)",
         ('{"question": "q?", "answer": "a", "distractors": [1, "c", "d"]}', ref.WrittenItem)),
        ("an McqItem whose answer is not an option (a whole-object error: empty location → 'item')",
         ('{"question": "q?", "options": {"A": "x", "B": "y"}, "answer": "E"}', ref.McqItem)),
    ]
    check_defaults(parse_into, ref.parse_into, name="parse_into")
    for context, args in cases:
        got = call(parse_into, *args, name="parse_into", context=context)
        expected = ref.parse_into(*args)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"`parse_into`, {context}: expected a pair (object or None, reason or None), got {got!r}.")
        expect_equal(
            got, expected, context=f"`parse_into`, {context}",
            hint="extract_json → repair_json → schema.model_validate; reasons exactly 'no JSON object "
            "found', 'invalid JSON: ' + error.msg, or '; '.join('<loc joined by .>: <msg>') over "
            "error.errors(). Validate with the schema argument, not a fixed class.",
        )


# ------------------------------------------------------------------------------ ask_structured


class _Recorder:
    """A chat model that replies from a list and records every call's arguments."""

    name = "recorder"

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def complete(self, messages: Any, *, max_tokens: int = 256, temperature: float | None = None,
                 seed: int | None = None, stop: Any = None) -> Any:
        from arena_check.kit.chat import ChatReply

        self.calls.append({"messages": [dict(m) for m in messages], "max_tokens": max_tokens, "temperature": temperature})
        if not self.replies:
            raise CheckFailed("ask_structured called the model a third time; it may call it at most twice.")
        return ChatReply(self.replies.pop(0), self.name)

    def logprobs(self, messages: Any, continuations: Any, *, whole_reply: bool = False) -> list[float]:
        raise CheckFailed("ask_structured should not need log-probs.")


@check("2.2", "ask_structured")
def check_ask_structured(ask_structured) -> None:
    """First reply good; bad then good (the exact re-ask); bad twice (None after two calls)."""
    good = '{"question": "Where is Lima?", "answer": "Peru", "distractors": ["Chile", "Bolivia", "Ecuador"]}'
    short = '{"question": "Where is Lima?", "answer": "Peru", "distractors": ["Chile"]}'
    conversation = [{"role": "system", "content": "You write JSON."}, {"role": "user", "content": "One item, please."}]
    check_defaults(ask_structured, ref.ask_structured, name="ask_structured")
    for context, replies, kwargs in [
        ("a valid first reply", [good], {}),
        ("a first reply with two distractors too few, then a valid one", [short, good], {"max_tokens": 77}),
        ("prose first, then a valid one", ["Sorry, I can't.", good], {}),
        ("two invalid replies", ["nope", short], {}),
    ]:
        mine, theirs = _Recorder(replies), _Recorder(replies)
        got = call(ask_structured, mine, conversation, ref.WrittenItem, name="ask_structured", context=context, **kwargs)
        expected = ref.ask_structured(theirs, conversation, ref.WrittenItem, **kwargs)
        expect_equal(got, expected, context=f"`ask_structured`, {context}: the returned (object, calls)",
                     hint="return (parsed object or None, number of model calls); at most two calls.")
        for i, (c_got, c_exp) in enumerate(zip(mine.calls, theirs.calls, strict=False)):
            for key in ("temperature", "max_tokens", "messages"):
                expect_equal(
                    c_got[key], c_exp[key], context=f"`ask_structured`, {context}: model call #{i + 1}'s {key}",
                    hint="call model.complete(messages, max_tokens=max_tokens, temperature=0.0) both "
                    "times; the re-ask adds the assistant's failed reply, then a user message "
                    "REASK.format(error=<parse_into's reason>).",
                )
        if len(mine.calls) != len(theirs.calls):
            raise CheckFailed(
                f"`ask_structured`, {context}: called the model {len(mine.calls)} times, expected "
                f"{len(theirs.calls)} (one call, and one re-ask only if the first reply fails to parse)."
            )


# ------------------------------------------------------------------------------ backoff_delay


@check("2.2", "backoff_delay")
def check_backoff_range(backoff_delay) -> None:
    """Every draw within [0, min(cap, base·2^attempt)], spread over the whole range."""
    check_defaults(backoff_delay, ref.backoff_delay, name="backoff_delay")
    rng = random.Random(0)
    for base, cap in [(0.5, 8.0), (1.0, 3.0), (0.1, 100.0)]:
        for attempt in range(10):
            ceiling = min(cap, base * 2**attempt)
            context = f"`backoff_delay`, attempt {attempt}, base {base}, cap {cap} (ceiling {ceiling:g})"
            draws = [call(backoff_delay, attempt, base, cap, rng, name="backoff_delay", context=context)]
            draws += [backoff_delay(attempt, base, cap, rng) for _ in range(199)]  # inputs checked once above
            bad = [d for d in draws if not isinstance(d, float | int) or not 0 <= d <= ceiling]
            if bad:
                raise CheckFailed(
                    f"{context}: got {bad[0]!r}, outside [0, {ceiling:g}]. The ceiling is "
                    "min(cap, base * 2 ** attempt): attempt 0 waits up to base, and no wait exceeds cap."
                )
            if min(draws) > 0.1 * ceiling or max(draws) < 0.9 * ceiling or not 0.4 < sum(draws) / len(draws) / ceiling < 0.6:
                raise CheckFailed(
                    f"{context}: 200 draws range from {min(draws):.3g} to {max(draws):.3g} (mean "
                    f"{sum(draws) / len(draws):.3g}); full jitter draws uniformly from the whole range "
                    f"[0, {ceiling:g}], not a fixed wait or half of it."
                )


@check("2.2", "backoff_delay")
def check_backoff_exact(backoff_delay) -> None:
    """Exactly one uniform draw from the given generator, or from the random module; huge attempts."""
    for attempt, base, cap in [(0, 0.5, 8.0), (1, 0.5, 8.0), (3, 0.25, 1.0), (10, 0.5, 8.0)]:
        mine, theirs = random.Random(attempt + 7), random.Random(attempt + 7)
        context = f"`backoff_delay`, attempt {attempt}, base {base}, cap {cap}, twice with one seeded generator"
        got = [call(backoff_delay, attempt, base, cap, mine, name="backoff_delay", context=context) for _ in range(2)]
        expected = [ref.backoff_delay(attempt, base, cap, theirs) for _ in range(2)]
        if any(not isinstance(g, float | int) or not math.isclose(g, e, rel_tol=1e-12, abs_tol=1e-15) for g, e in zip(got, expected, strict=True)):
            raise CheckFailed(
                f"{context}: got {got}, expected {expected}. Draw exactly once per call with "
                "rng.uniform(0, ceiling), and count attempts from 0 (the first retry waits up to base)."
            )
    random.seed(11)
    got = call(backoff_delay, 2, name="backoff_delay", context="rng=None (the random module), seed 11")
    random.seed(11)
    expected = ref.backoff_delay(2)
    if not isinstance(got, float | int) or not math.isclose(got, expected, rel_tol=1e-12):
        raise CheckFailed(
            f"`backoff_delay`, attempt 2 with the defaults and rng=None after random.seed(11): got {got!r}, "
            f"expected {expected!r}. Without a generator, draw with random.uniform (the module's own)."
        )
    for attempt in (64, 1100, 10_000):
        context = f"attempt {attempt} (a very long outage)"
        got = call(backoff_delay, attempt, 0.5, 8.0, random.Random(1), name="backoff_delay", context=context)
        if not isinstance(got, float | int) or not 0 <= got <= 8.0:
            raise CheckFailed(f"`backoff_delay`, {context}: got {got!r}; the wait is capped at 8.0.")


# ------------------------------------------------------------------------------ openai errors


def _request() -> Any:
    import httpx

    return httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def _status_error(status: int, headers: dict[str, str] | None = None) -> Any:
    import httpx
    import openai

    classes = {400: openai.BadRequestError, 401: openai.AuthenticationError, 403: openai.PermissionDeniedError,
               404: openai.NotFoundError, 409: openai.ConflictError, 422: openai.UnprocessableEntityError,
               429: openai.RateLimitError}
    cls = classes.get(status, openai.InternalServerError if status >= 500 else openai.APIStatusError)
    response = httpx.Response(status, headers=headers or {}, request=_request())
    return cls(f"injected {status}", response=response, body=None)


def _timeout() -> Any:
    import openai

    return openai.APITimeoutError(request=_request())


def _connection() -> Any:
    import openai

    return openai.APIConnectionError(request=_request())


def _bad_json() -> json.JSONDecodeError:
    return json.JSONDecodeError("Unterminated string starting at", '{"id": "chatcmpl', 7)


def _validation_error() -> Exception:
    try:
        ref.WrittenItem.model_validate({"question": "q"})
    except Exception as error:  # noqa: BLE001 — pydantic's ValidationError
        return error
    raise AssertionError("unreachable")


@check("2.2", "is_retryable")
def check_is_retryable(is_retryable) -> None:
    """Every HTTP status class, timeouts, dropped connections, cut-off bodies, validation errors."""
    cases: list[tuple[str, Any, bool]] = [
        ("a 500 InternalServerError", _status_error(500), True),
        ("a 503 InternalServerError", _status_error(503), True),
        ("a 502 InternalServerError", _status_error(502), True),
        ("a 507 InternalServerError (every status ≥ 500, not a list of the common ones)", _status_error(507), True),
        ("a 529 (overloaded) InternalServerError", _status_error(529), True),
        ("a 429 RateLimitError", _status_error(429, {"retry-after": "2"}), True),
        ("a 408 (request timeout) APIStatusError", _status_error(408), True),
        ("a 409 ConflictError", _status_error(409), True),
        ("an APITimeoutError", _timeout(), True),
        ("an APIConnectionError", _connection(), True),
        ("a json.JSONDecodeError (a cut-off body)", _bad_json(), True),
        ("a 400 BadRequestError", _status_error(400), False),
        ("a 401 AuthenticationError", _status_error(401), False),
        ("a 403 PermissionDeniedError", _status_error(403), False),
        ("a 404 NotFoundError", _status_error(404), False),
        ("a 422 UnprocessableEntityError", _status_error(422), False),
        ("a 418 APIStatusError", _status_error(418), False),
        ("a pydantic ValidationError (a ValueError)", _validation_error(), False),
        ("a plain ValueError", ValueError("bad"), False),
        ("a KeyError", KeyError("x"), False),
        ("a TimeoutError from the standard library", TimeoutError(), False),
    ]
    for context, error, expected in cases:
        got = call(is_retryable, error, name="is_retryable", context=context)
        if got is not expected and got != expected:
            raise CheckFailed(
                f"`is_retryable`, {context}: got {got!r}, expected {expected}. Retry 408, 409, 429, "
                "≥ 500, openai.APIConnectionError (timeouts included) and json.JSONDecodeError; "
                "never other 4xx (the same request fails the same way) nor other ValueErrors."
            )


# ------------------------------------------------------------------------------ call_with_retries


def _script(outcomes: list[Any]) -> tuple[Any, list[int]]:
    """A function that raises or returns the outcomes in order, and a counter of its calls."""
    queue = list(outcomes)
    calls = [0]

    def fn() -> Any:
        calls[0] += 1
        if not queue:
            raise CheckFailed("call_with_retries called fn again after it had succeeded or failed for good.")
        outcome = queue.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return fn, calls


def _transcript(impl: Any, outcomes: list[Any], context: str, seed: int, **kwargs: Any) -> dict[str, Any]:
    """What happened: the result or the error raised, the calls, the sleeps, on_retry's arguments."""
    fn, calls = _script(outcomes)
    events: list[tuple[Any, ...]] = []

    def on_retry(error: BaseException, delay: float) -> None:
        events.append(("on_retry", type(error).__name__, round(delay, 12)))

    def sleep(seconds: float) -> None:
        events.append(("sleep", round(seconds, 12)))

    out: dict[str, Any] = {}
    try:
        if impl is ref.call_with_retries:
            out["result"] = impl(fn, sleep=sleep, rng=random.Random(seed), on_retry=on_retry, **kwargs)
        else:
            out["result"] = call(impl, fn, name="call_with_retries", context=context, sleep=sleep,
                                 rng=random.Random(seed), on_retry=on_retry, **kwargs)
    except (NotImplementedError, CheckFailed):
        raise
    except Exception as error:  # noqa: BLE001 — which error escaped is part of the transcript
        out["raised"] = type(error).__name__
        out["same error object"] = any(error is o for o in outcomes)
    out["calls of fn"] = calls[0]
    out["on_retry and sleep calls, in order"] = events
    return out


@check("2.2", "call_with_retries")
def check_call_with_retries(call_with_retries) -> None:
    """Success after faults, Retry-After honoured, 400 not retried, attempts counted exactly."""
    check_defaults(call_with_retries, ref.call_with_retries, name="call_with_retries")
    cases: list[tuple[str, Any, dict[str, Any]]] = [
        ("success at once", lambda: ["ok"], {}),
        ("two 500s then success", lambda: [_status_error(500), _status_error(503), "ok"], {}),
        ("a 429 with Retry-After: 3, then success (wait what the server asks)",
         lambda: [_status_error(429, {"retry-after": "3"}), "ok"], {}),
        ("a 429 with Retry-After: 20, longer than the cap (the server's wait still wins)",
         lambda: [_status_error(429, {"retry-after": "20"}), "ok"], {"cap": 8.0}),
        ("a 429 with Retry-After: 0.25 after a timeout", lambda: [_timeout(), _status_error(429, {"retry-after": "0.25"}), "done"], {}),
        ("a 429 with Retry-After: 0 (retry at once: a wait of 0, not the backoff)",
         lambda: [_status_error(429, {"retry-after": "0"}), "ok"], {}),
        ("a 429 without Retry-After (backoff instead)", lambda: [_status_error(429), "ok"], {}),
        ("a cut-off body, a dropped connection, then success", lambda: [_bad_json(), _connection(), 42], {}),
        ("a 400: raised at once, no retry", lambda: [_status_error(400), "never"], {}),
        ("a 500 then a 404: the 404 is raised, no more retries", lambda: [_status_error(500), _status_error(404), "never"], {}),
        ("a pydantic ValidationError: raised at once", lambda: [_validation_error(), "never"], {}),
        ("500s forever, max_attempts=3: three calls, two waits, the last error raised",
         lambda: [_status_error(500)] * 5, {"max_attempts": 3}),
        ("500s forever, max_attempts=1: one call, no wait", lambda: [_status_error(500)] * 2, {"max_attempts": 1}),
        ("seven timeouts then success, base 1, cap 2 (the cap binds)", lambda: [_timeout()] * 7 + ["ok"],
         {"max_attempts": 8, "base": 1.0, "cap": 2.0}),
        ("five 503s then success with the default max_attempts (5): fails",
         lambda: [_status_error(503)] * 5 + ["ok"], {}),
        ("four 503s then success with the default max_attempts (5): succeeds",
         lambda: [_status_error(503)] * 4 + ["ok"], {}),
    ]
    for seed, (context, outcomes, kwargs) in enumerate(cases):
        got = _transcript(call_with_retries, outcomes(), context, seed, **kwargs)
        expected = _transcript(ref.call_with_retries, outcomes(), context, seed, **kwargs)
        expect_equal(
            got, expected, context=f"`call_with_retries`, {context}",
            hint="at most max_attempts calls of fn in all; re-raise (the same error) when it is not "
            "retryable or on the last attempt; wait retry_after_seconds(error) when it is not None, "
            "else backoff_delay(r, base, cap, rng) with r = 0 before the first retry; call "
            "on_retry(error, delay) then sleep(delay).",
        )


# ------------------------------------------------------------------------------ TokenBucket


class _FakeTime:
    """A clock that only moves when someone sleeps; records the sleeps."""

    def __init__(self, start: float = 100.0, yield_threads: bool = False) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.yield_threads = yield_threads

    def clock(self) -> float:
        if self.yield_threads:
            time.sleep(0.0005)  # let another thread run between reading and using the clock
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.yield_threads:
            time.sleep(0.001)  # as a real sleep would, let the other threads run meanwhile

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _bucket_run(cls: Any, rate: float, capacity: int, plan: list[Any], context: str) -> list[Any]:
    fake = _FakeTime()
    try:
        bucket = cls(rate, capacity, clock=fake.clock, sleep=fake.sleep)
    except (NotImplementedError, CheckFailed):
        raise
    except Exception as error:  # noqa: BLE001
        raise CheckFailed(f"`TokenBucket({rate}, {capacity}, clock=…, sleep=…)` raised {type(error).__name__}: {error}") from None
    record: list[Any] = []
    for step in plan:
        if isinstance(step, tuple):  # ("idle", seconds)
            fake.advance(step[1])
            continue
        waited = call(bucket.acquire, name="TokenBucket.acquire", context=context)
        if not isinstance(waited, float | int):
            raise CheckFailed(f"`TokenBucket.acquire`, {context}: returned {waited!r}; it returns the seconds it slept.")
        record.append((round(float(waited), 9), round(fake.now - 100.0, 9)))
    record.append(("sleep calls", [round(s, 9) for s in fake.sleeps]))
    return record


@check("2.2", "TokenBucket")
def check_token_bucket(TokenBucket) -> None:
    """Burst, steady rate, refill after idling (never above capacity), partial refills."""
    cases: list[tuple[str, float, int, list[Any]]] = [
        ("rate 10/s, capacity 5: 15 requests back to back", 10.0, 5, [None] * 15),
        ("rate 10/s, capacity 5: 8 requests, idle 100 s, 8 more (refill stops at 5)", 10.0, 5,
         [None] * 8 + [("idle", 100.0)] + [None] * 8),
        ("rate 2/s, capacity 1: requests 0.2 s apart", 2.0, 1, [None, ("idle", 0.2), None, ("idle", 0.2), None, ("idle", 1.0), None]),
        ("rate 4/s, capacity 3: idle 0.3 s between bursts", 4.0, 3, [None] * 4 + [("idle", 0.3)] + [None] * 3),
    ]
    for context, rate, capacity, plan in cases:
        got = _bucket_run(TokenBucket, rate, capacity, plan, context)
        expected = _bucket_run(ref.TokenBucket, rate, capacity, plan, context)
        expect_equal(
            got, expected, context=f"`TokenBucket`, {context}: (seconds waited, fake time) per request",
            hint="start full; at each acquire add (now − last) · rate tokens, at most capacity; with a "
            "token, take it and return 0.0; else sleep (1 − tokens) / rate once, after which the "
            "bucket is empty and its clock stands at now + wait.",
        )


@check("2.2", "TokenBucket")
def check_token_bucket_threads(TokenBucket) -> None:
    """Four threads share one bucket: no token is taken twice (the waits add up exactly)."""
    fake = _FakeTime(yield_threads=True)
    bucket = TokenBucket(50.0, 4, clock=fake.clock, sleep=fake.sleep)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(25):
                bucket.acquire()
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    if errors:
        raise CheckFailed(f"`TokenBucket.acquire` raised {type(errors[0]).__name__}: {errors[0]} when called from 4 threads.")
    expected = (100 - 4) / 50.0
    if not math.isclose(fake.now - 100.0, expected, abs_tol=1e-6):
        raise CheckFailed(
            f"`TokenBucket`, 4 threads × 25 acquires, rate 50/s, capacity 4: the fake clock advanced "
            f"{fake.now - 100.0:.4f} s in all, expected {expected:.4f} s (96 tokens beyond the burst at "
            "50/s). Hold a threading.Lock for the whole of acquire, sleep included, so two threads "
            "cannot take the same token."
        )


# ------------------------------------------------------------------------------ dedupe_key


@check("2.2", "dedupe_key")
def check_dedupe_key(dedupe_key) -> None:
    """Case, punctuation, spacing, Unicode compatibility forms, ß, accents and underscores kept."""
    cases: list[Case] = [
        ("a plain question", ("In which country is Lyon?",)),
        ("upper case and extra spaces", ("  IN WHICH   country is LYON ?  ",)),
        ("punctuation inside and around", ("Lyon, France: where—is it?!",)),
        ("tabs and newlines", ("where\tis\n\nLyon",)),
        ("full-width letters and a ligature (NFKC)", ("ＬＹＯＮ ﬁnal",)),
        ("German ß (casefold, not lower)", ("Straße in GROSS",)),
        ("accents kept", ("Kraków São Paulo",)),
        ("underscores and digits are word characters", ("item_7 of 10",)),
        ("an empty string", ("",)),
        ("only punctuation", ("?!",)),
    ]
    _same_as_reference(
        dedupe_key, ref.dedupe_key, cases, name="dedupe_key",
        hint="unicodedata.normalize('NFKC', text), then .casefold(), then [^\\w\\s] → ' ', then "
        "' '.join(text.split()).",
    )


# ------------------------------------------------------------------------------ dedupe


@check("2.2", "dedupe")
def check_dedupe(dedupe) -> None:
    """Exact and near copies, the threshold's edge, comparisons only with kept texts, empty texts."""
    cases: list[Case] = [
        ("copies up to case and punctuation", (["Where is Lyon?", "where is lyon", "WHERE, is Lyon?!", "Where is Lima?"],)),
        ("template questions about different cities are kept (Jaccard 7/9 < 0.85)",
         (["In which country is the city of Lyon?", "In which country is the city of Paris?",
           "In which country is the city of Lyon today?"],)),
        ("Jaccard exactly at the threshold (4/5 = 0.8, threshold 0.8) is a duplicate",
         (["a b c d", "a b c d e", "v w x y z"], 0.8)),
        ("just under the threshold (4/5 < 0.85) is kept", (["a b c d", "a b c d e"],)),
        ("a text similar only to a dropped one is kept (compare with kept texts)",
         (["a b c d e", "a b c d e f", "b c d e f g"], 0.7)),
        ("two empty texts (equal keys)", (["", "?!", "x"],)),
        ("no texts", ([],)),
        ("word order does not matter for near-duplicates", (["lyon is where", "where is lyon"], 0.9)),
    ]
    _same_as_reference(
        dedupe, ref.dedupe, cases, name="dedupe",
        hint="keep the first of each group, return kept indices in order; drop a text when its "
        "dedupe_key equals a kept one's or the Jaccard similarity of the word sets is ≥ threshold "
        "(inclusive), comparing only with texts already kept.",
    )


# ------------------------------------------------------------------------------ rubric


def _written(question: str, answer: str, distractors: list[str]) -> Any:
    return ref.WrittenItem.model_construct(question=question, answer=answer, distractors=distractors)


@check("2.2", "rubric")
def check_rubric(rubric) -> None:
    """Each criterion alone, several together in order, whole-word leaks, the floor's edge."""
    table = {"Spain": -3.0, "Italy": -4.0, "Belgium": -5.5, "Banana": -9.0, "Niger": -6.0, "Chad": -5.0,
             "Mali": -7.8, "Canada": -2.0, "Mexico": -2.5}
    q = "In which country is the city of Lyon?"
    cases: list[Case] = [
        ("a clean item", (_written(q, "France", ["Spain", "Italy", "Belgium"]), table)),
        ("a distractor equal to the answer up to case and a space", (_written(q, "France", ["Spain", " FRANCE", "Italy"]), table)),
        ("two distractors equal up to punctuation", (_written(q, "France", ["Spain", "Spain.", "Italy"]), table)),
        ("two distractors only", (_written(q, "France", ["Spain", "Italy"]), table)),
        ("no question mark", (_written("In which country is the city of Lyon", "France", ["Spain", "Italy", "Belgium"]), table)),
        ("three words and a question mark", (_written("Where's Lyon, then?", "France", ["Spain", "Italy", "Belgium"]), table)),
        ("four words, trailing spaces after the '?'", (_written("Where is Lyon located?   ", "France", ["Spain", "Italy", "Belgium"]), table)),
        ("the answer in the question, other case, in brackets",
         (_written("In which country is Lyon (hint: FRANCE)?", "France", ["Spain", "Italy", "Belgium"]), table)),
        ("'Niger' inside 'Nigeria' is not a leak",
         (_written("Which country borders Nigeria to the north?", "Niger", ["Chad", "Spain", "Italy"]), table)),
        ("a two-word answer in the question",
         (_written("Is Dallas in the united states, or in which country?", "United States", ["Canada", "Mexico", "Spain"]), table)),
        ("a nonsense distractor below the floor", (_written(q, "France", ["Spain", "Banana", "Italy"]), table)),
        ("a distractor exactly at the floor passes (floor -7.8)", (_written(q, "France", ["Spain", "Mali", "Italy"]), table)),
        ("a distractor missing from the table counts as -inf", (_written(q, "France", ["Spain", "Portugal", "Italy"]), table)),
        ("a higher floor given", (_written(q, "France", ["Spain", "Italy", "Belgium"]), table, -5.0)),
        ("everything wrong at once (order of CRITERIA)",
         (_written("France or Spain", "France", ["Spain", "Banana", "spain"]), table)),
    ]
    _same_as_reference(
        rubric, ref.rubric, cases, name="rubric",
        hint="criteria in the order of CRITERIA: 'options' (4 distinct dedupe_keys), 'question' "
        "(stripped, ends with '?', ≥ 4 words), 'leak' (answer's key as whole words in the question's "
        "key — pad both with spaces), 'implausible' (a distractor's score < floor, missing = -inf).",
    )


# ------------------------------------------------------------------------------ balance_positions


def _items(n: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    return [
        ref.WrittenItem(question=f"Question {i}?", answer=f"right {i}",
                        distractors=[f"wrong {i}.{k}" for k in rng.sample(range(9), 3)])
        for i in range(n)
    ]


def _layout(items: Any, context: str) -> list[tuple[str, dict[str, str], str]]:
    if not isinstance(items, list):
        raise CheckFailed(f"`balance_positions`, {context}: expected a list of McqItem, got {type(items).__name__}.")
    try:
        return [(m.question, dict(m.options), m.answer) for m in items]
    except AttributeError as error:
        raise CheckFailed(f"`balance_positions`, {context}: the items should be McqItem objects ({error}).") from None


@check("2.2", "balance_positions")
def check_balance_positions(balance_positions) -> None:
    """The correct text stays correct, counts are balanced, the exact seeded layout."""
    check_defaults(balance_positions, ref.balance_positions, name="balance_positions")
    for n, seed in [(10, 0), (13, 5), (1, 0), (4, 2), (101, 3), (0, 0)]:
        items = _items(n, seed)
        context = f"{n} items, seed {seed}"
        got = _layout(call(balance_positions, items, seed, name="balance_positions", context=context), context)
        if len(got) != n:
            raise CheckFailed(f"`balance_positions`, {context}: returned {len(got)} items, expected {n}, in order.")
        for item, (_question, options, answer) in zip(items, got, strict=True):
            if options.get(answer) != item.answer or sorted(options.values()) != sorted([item.answer, *item.distractors]):
                raise CheckFailed(
                    f"`balance_positions`, {context}: {item.question!r} came out as {options} with answer "
                    f"{answer!r}, but its correct answer is {item.answer!r}. Moving the options must "
                    "move the answer letter with them: the option at the answer letter is the answer."
                )
        counts = Counter(answer for _, _, answer in got)
        if n and max(counts[L] for L in "ABCD") - min(counts[L] for L in "ABCD") > 1:
            raise CheckFailed(
                f"`balance_positions`, {context}: correct-letter counts {dict(counts)}; they must differ "
                "by at most one (repeat 'ABCD' to n letters, then shuffle that list)."
            )
        expect_equal(
            got, _layout(ref.balance_positions(items, seed), context),
            context=f"`balance_positions`, {context}: (question, options, answer) per item",
            hint="letters = LETTERS repeated to n, shuffled once with random.Random(seed).shuffle; item "
            "i's answer at letters[i], its distractors in their given order in the other letters.",
        )


# ------------------------------------------------------------------------------ agreement


@check("2.2", "agreement")
def check_agreement(agreement) -> None:
    """Agreeing and disagreeing labels, missing predictions, extra predictions, None as a label."""
    gold = {"g1": "France", "g2": None, "g3": "Peru", "g4": None, "g5": "Japan"}
    cases: list[Case] = [
        ("every prediction agrees", (dict(gold), gold)),
        ("two disagreements", ({**gold, "g1": "Spain", "g4": "Chile"}, gold)),
        ("a missing prediction for a gold None (missing is not None)", ({k: v for k, v in gold.items() if k != "g2"}, gold)),
        ("a missing prediction and extra ids", ({"g1": "France", "g2": None, "g4": None, "g5": "Japan", "x": 1, "y": 2}, gold)),
        ("predicted in another order", ({k: gold[k] for k in reversed(gold)}, gold)),
        ("predicted in another order, three disagreements",
         ({"g5": "Korea", "g4": None, "g3": "Chile", "g2": None, "g1": "Spain"}, gold)),
        ("nothing predicted", ({}, gold)),
        ("boolean labels", ({"a": True, "b": False, "c": True}, {"c": False, "a": True, "b": False})),
        ("gold ids not in sorted order, two disagreements (listed in gold's order, not sorted)",
         ({"item-z": "no", "item-m": "keep", "item-a": "no"}, {"item-z": "keep", "item-m": "keep", "item-a": "keep"})),
    ]
    hint = ("iterate over gold's ids in order: a prediction agrees when the id is in predicted and "
            "its label == the gold label; return (agreeing / len(gold), the differing ids in gold's order).")
    check_defaults(agreement, ref.agreement, name="agreement")
    for context, args in cases:
        got = call(agreement, *args, name="agreement", context=context)
        rate, differ = ref.agreement(*args)
        if (not isinstance(got, tuple) or len(got) != 2 or not isinstance(got[0], float | int)
                or not math.isclose(got[0], rate, abs_tol=1e-12) or list(got[1]) != differ):
            raise CheckFailed(f"`agreement`, {context}: expected ({rate!r}, {differ!r}), got {got!r}. Hint: {hint}")
