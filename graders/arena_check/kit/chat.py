"""One chat-model interface for chapter 2, with three backends: the zoo, a script, a hosted API.

Every model call in the evals chapter goes through :class:`ChatModel`:

    reply = model.complete(messages, max_tokens=64, temperature=0.0, seed=0, stop=None)
    reply.text, reply.finish_reason, reply.prompt_tokens, reply.completion_tokens
    model.logprobs(messages, ["Yes", "No"])      # log P(continuation | conversation), per option

``messages`` is a list of ``{"role": "system" | "user" | "assistant", "content": str}`` dicts, as
the OpenAI chat API takes them (a bare string is one user message). ``temperature=0`` is greedy,
so a reply is a function of the conversation; with a temperature, ``seed`` makes it reproducible.

The backends:

* :class:`ZooChat` — a zoo model on the CPU with SmolLM2-Instruct's chat template:
  ``ZooChat("smollm2-135m")`` or the trigger organism ``ZooChat("organism-false-trigger")``
  (:mod:`arena_check.kit.models.organisms`). It scores given continuations exactly
  (:meth:`ZooChat.logprobs`), which rubric scoring and forced-choice items need.
* :class:`ScriptedChat` — deterministic, for tests and for behaviours a 135M model cannot show.
  Its ``replies`` follow :mod:`arena_check.kit.inspect_provider`'s scripted model: a dict (last
  user message, stripped → reply), a list (replies in call order), a function of the messages, or
  ``None`` (echo the last user message). Its log-probs come from an optional ``logprobs`` dict
  (continuation → log-prob) or function ``(messages, continuation) → log-prob``.
* :class:`HostedChat` — the official ``openai`` client to a hosted API. It refuses to start
  without a key (``$OPENAI_API_KEY`` or ``api_key=``); pages show it only in branches that are not
  executed. Give it ``base_url`` and any ``api_key`` to talk to another OpenAI-compatible server,
  such as :func:`arena_check.kit.local_server.serve`.

:func:`pick_chat` chooses one by name. :mod:`arena_check.kit.local_server` serves any of them
as an OpenAI-compatible ``/v1/chat/completions`` endpoint on loopback, so learners can use the
real ``openai`` client, and inspect_ai reaches the same models through ``arena/...``.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

ROLES = ("system", "user", "assistant")
DEFAULT_MAX_TOKENS = 256
SMOLLM2 = "smollm2-135m"
ORGANISM = "organism-false-trigger"
SCRIPTED = "scripted"
HOSTED_DEFAULT_MODEL = "gpt-4o-mini"

Message = Mapping[str, str]
Messages = Sequence[Message] | str
FinishReason = Literal["stop", "length"]
ScriptedReplies = (
    Mapping[str, str] | Sequence[str] | Callable[[list[dict[str, str]]], str] | None
)
ScriptedLogprobs = (
    Mapping[str, float] | Callable[[list[dict[str, str]], str], float] | None
)


@dataclass(frozen=True)
class ChatReply:
    """One completion: the text, why it ended, and token counts (the backend's own tokenizer)."""

    text: str
    model: str
    finish_reason: FinishReason = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0


@runtime_checkable
class ChatModel(Protocol):
    """What every backend offers; see the module docstring."""

    name: str

    def complete(
        self,
        messages: Messages,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0,
        seed: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> ChatReply: ...

    def logprobs(
        self, messages: Messages, continuations: Sequence[str], *, whole_reply: bool = False
    ) -> list[float]: ...


def normalise_messages(messages: Messages) -> list[dict[str, str]]:
    """``messages`` as a fresh list of ``{"role", "content"}`` dicts, or a ValueError that says
    which message is wrong and why (a learner's typo should not become a template error)."""
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if not isinstance(messages, Sequence) or not messages:
        raise ValueError("messages must be a non-empty list of {'role', 'content'} dicts.")
    out = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or "role" not in message or "content" not in message:
            raise ValueError(f"messages[{i}] must be a dict with 'role' and 'content'; got {message!r}")
        if message["role"] not in ROLES:
            raise ValueError(f"messages[{i}] has role {message['role']!r}; use one of {ROLES}.")
        if not isinstance(message["content"], str):
            raise ValueError(f"messages[{i}]['content'] must be a string, not {type(message['content']).__name__}.")
        out.append({"role": message["role"], "content": message["content"]})
    return out


def last_user_text(messages: Sequence[Message]) -> str:
    for message in reversed(messages):
        if message["role"] == "user":
            return message["content"]
    return ""


def cut_at_stop(text: str, stops: Sequence[str] | None) -> tuple[str, bool]:
    """Drop everything from the first stop sequence on (as hosted APIs do)."""
    cuts = [i for i in (text.find(s) for s in stops or ()) if i >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)


# --------------------------------------------------------------------------- scripted


class ScriptedChat:
    """Deterministic replies (conventions of ``arena/scripted``; module docstring).

    ``calls`` records every conversation it was asked, so a test can see what a harness sent.
    ``max_tokens`` truncates the reply to that many words (finish reason ``"length"``), so code
    that handles truncation can be tested too.
    """

    def __init__(
        self, replies: ScriptedReplies = None, *, logprobs: ScriptedLogprobs = None, name: str = SCRIPTED
    ) -> None:
        self.name = name
        self.replies = replies
        self._logprobs = logprobs
        self._queue: Iterator[str] | None = (
            iter(replies) if isinstance(replies, Sequence) and not isinstance(replies, str) else None
        )
        self.calls: list[list[dict[str, str]]] = []
        self._lock = threading.Lock()  # a list of replies is consumed once, even from a server

    def _reply(self, messages: list[dict[str, str]]) -> str:
        if self.replies is None:
            return last_user_text(messages)
        if callable(self.replies):
            return self.replies(messages)
        if isinstance(self.replies, Mapping):
            key = last_user_text(messages).strip()
            if key not in self.replies:
                known = ", ".join(repr(k) for k in list(self.replies)[:5])
                raise KeyError(
                    f"the scripted model has no reply for {key!r}; its replies are for {known}. "
                    "Add this message to `replies`, or pass a function of the messages."
                )
            return self.replies[key]
        if self._queue is None:
            raise TypeError("replies must be a dict, a list or a function of the messages.")
        try:
            return next(self._queue)
        except StopIteration:
            raise ValueError(
                f"the scripted model ran out of its {len(self.replies)} replies; "  # type: ignore[arg-type]
                "make a new ScriptedChat for a fresh list."
            ) from None

    def complete(
        self,
        messages: Messages,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0,
        seed: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> ChatReply:
        chat = normalise_messages(messages)
        with self._lock:
            self.calls.append(chat)
            text = self._reply(chat)
        if not isinstance(text, str):
            raise TypeError(f"a scripted reply must be a string, got {type(text).__name__}")
        text, stopped = cut_at_stop(text, stop)
        words = text.split()
        finish: FinishReason = "stop"
        if len(words) > max_tokens and not stopped:
            text, finish = " ".join(words[:max_tokens]), "length"
        n_in = sum(len(m["content"].split()) for m in chat)
        return ChatReply(text, self.name, finish, n_in, min(len(words), max_tokens))

    def logprobs(
        self, messages: Messages, continuations: Sequence[str], *, whole_reply: bool = False
    ) -> list[float]:
        chat = normalise_messages(messages)
        if self._logprobs is None:
            raise NotImplementedError(
                "this ScriptedChat has no log-probs: pass logprobs={continuation: value} "
                "or logprobs=lambda messages, continuation: value."
            )
        if callable(self._logprobs):
            return [float(self._logprobs(chat, c)) for c in continuations]
        missing = [c for c in continuations if c not in self._logprobs]
        if missing:
            raise KeyError(f"the scripted model has no log-prob for {missing[0]!r}")
        return [float(self._logprobs[c]) for c in continuations]


# --------------------------------------------------------------------------- zoo


@functools.cache
def _zoo_model(name: str) -> tuple[Any, Any]:
    """(LlamaForCausalLM, tokenizer) for a zoo chat model, loaded once per process."""
    if name == SMOLLM2:
        from arena_check.kit.models.smollm2 import load_hf

        return load_hf()
    if name == ORGANISM:
        from arena_check.kit.models.organisms import load

        organism = load()
        return organism.model, organism.tokenizer
    raise ValueError(f"no zoo chat model {name!r}; choose {SMOLLM2!r} or {ORGANISM!r}.")


class ZooChat:
    """A zoo model behind the chat interface: SmolLM2-135M-Instruct or the trigger organism.

    The conversation is rendered with SmolLM2's chat template (its default system prompt is
    added when there is no system message, as in the organism's training). ``model`` and
    ``tokenizer`` may be passed to reuse ones already loaded (e.g. a grader fixture).
    """

    def __init__(self, name: str = SMOLLM2, *, model: Any = None, tokenizer: Any = None) -> None:
        self.name = name
        if model is None or tokenizer is None:
            model, tokenizer = _zoo_model(name)
        self.model, self.tokenizer = model, tokenizer
        self._lock = threading.Lock()  # one generation at a time: torch already uses the cores
        self._greedy: dict[tuple[str, int], ChatReply] = {}  # filled by prefetch()

    def prefetch(self, conversations: Sequence[Messages], *, max_tokens: int, chunk: int = 32) -> None:
        """Generate the greedy replies to many conversations at once, in batches.

        Later ``complete(conversation, max_tokens=max_tokens, temperature=0)`` calls (without
        ``stop``) return these replies instead of generating one at a time — several times faster
        on a CPU, for code that asks one question per call. Batched decoding computes the same
        greedy replies up to float rounding (a near-tie between two tokens could break the other
        way).
        """
        from arena_check.kit.models._chat_scoring import greedy_continue, run_prompts

        texts = list(dict.fromkeys(self.prompt(c) for c in conversations))
        eos, pad = self.tokenizer.eos_token_id, self.tokenizer.pad_token_id
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            ids = [self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in part]
            with self._lock:
                new = greedy_continue(self.model, run_prompts(self.model, ids, pad), eos, max_tokens)
            for text, prompt_ids, reply_ids in zip(part, ids, new, strict=True):
                finish: FinishReason = "length" if len(reply_ids) >= max_tokens else "stop"
                reply = self.tokenizer.decode(reply_ids, skip_special_tokens=True).strip()
                self._greedy[(text, max_tokens)] = ChatReply(
                    reply, self.name, finish, len(prompt_ids), len(reply_ids) + (finish == "stop")
                )

    def prompt(self, messages: Messages) -> str:
        """The exact text the model reads, up to and including the assistant header."""
        return self.tokenizer.apply_chat_template(
            normalise_messages(messages), tokenize=False, add_generation_prompt=True
        )

    def complete(
        self,
        messages: Messages,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0,
        seed: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> ChatReply:
        import torch

        text = self.prompt(messages)
        if temperature == 0 and not stop and (text, max_tokens) in self._greedy:
            return self._greedy[(text, max_tokens)]
        inputs = self.tokenizer(text, return_tensors="pt", add_special_tokens=False)
        options: dict[str, Any] = {"max_new_tokens": max_tokens, "do_sample": temperature > 0}
        if temperature > 0:
            options.update(temperature=temperature, top_p=None, top_k=None)
        else:
            options.update(temperature=None, top_p=None, top_k=None)
        with self._lock, torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            out = self.model.generate(**inputs, pad_token_id=self.tokenizer.pad_token_id, **options)
        new = out[0, inputs["input_ids"].shape[1] :]
        text, stopped = cut_at_stop(self.tokenizer.decode(new, skip_special_tokens=True), stop)
        ended = stopped or (len(new) > 0 and int(new[-1]) == self.tokenizer.eos_token_id)
        return ChatReply(
            text.strip(),
            self.name,
            "stop" if ended else "length",
            int(inputs["input_ids"].shape[1]),
            len(new),
        )

    def logprobs(
        self, messages: Messages, continuations: Sequence[str], *, whole_reply: bool = False
    ) -> list[float]:
        """``log P(continuation | conversation)`` summed over its tokens, one prompt pass.

        ``whole_reply=True`` appends the end-of-turn token: the continuation is then the *whole*
        reply (``"4"`` and not ``"42"``), the right reading for a forced choice between answers.
        """
        from arena_check.kit.models._chat_scoring import encode, run_prompts, score_candidates

        if not continuations:
            return []
        text = self.prompt(messages)
        end = self.tokenizer.eos_token if whole_reply else ""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        candidates = [[encode(self.tokenizer, text, c + end).reply_ids for c in continuations]]
        with self._lock:
            state = run_prompts(self.model, [ids], self.tokenizer.pad_token_id)
            scores = score_candidates(self.model, state, candidates, self.tokenizer.pad_token_id)
        return [float(s) for s in scores[0]]


# --------------------------------------------------------------------------- hosted


class MissingKeyError(RuntimeError):
    """A hosted model was asked for without an API key."""


class HostedChat:
    """The official ``openai`` client behind the chat interface.

    Needs ``$OPENAI_API_KEY`` (or ``api_key=``); without one it raises :class:`MissingKeyError`
    before any network access. ``base_url`` points it at any OpenAI-compatible server.
    """

    def __init__(
        self,
        model: str = HOSTED_DEFAULT_MODEL,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise MissingKeyError(
                "HostedChat needs an API key: set OPENAI_API_KEY (never in the book's build), or "
                "use ZooChat / ScriptedChat, which run offline."
            )
        import openai

        self.name = model
        self.client = openai.OpenAI(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    def complete(
        self,
        messages: Messages,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0,
        seed: int | None = None,
        stop: Sequence[str] | None = None,
    ) -> ChatReply:
        options: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
        if seed is not None:
            options["seed"] = seed
        if stop:
            options["stop"] = list(stop)
        response = self.client.chat.completions.create(
            model=self.name, messages=normalise_messages(messages), **options
        )
        choice = response.choices[0]
        usage = response.usage
        return ChatReply(
            choice.message.content or "",
            response.model,
            "length" if choice.finish_reason == "length" else "stop",
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
        )

    def logprobs(
        self, messages: Messages, continuations: Sequence[str], *, whole_reply: bool = False
    ) -> list[float]:
        raise NotImplementedError(
            "chat-completions APIs return log-probs of the tokens they generate, not of given "
            "continuations; score continuations with ZooChat, or ask for a graded reply instead."
        )


# --------------------------------------------------------------------------- choosing


def pick_chat(name: str = SMOLLM2, **kwargs: Any) -> ChatModel:
    """A chat model by name: ``"smollm2-135m"``, ``"organism-false-trigger"``, ``"scripted"``
    (keyword arguments go to :class:`ScriptedChat`), ``"hosted"`` or ``"hosted:<model>"`` (needs a
    key), or ``"auto"``: hosted when ``$OPENAI_API_KEY`` is set, SmolLM2 otherwise."""
    if name == "auto":
        name = "hosted" if os.environ.get("OPENAI_API_KEY") else SMOLLM2
    if name == SCRIPTED:
        return ScriptedChat(**kwargs)
    if name == "hosted" or name.startswith("hosted:"):
        model = name.partition(":")[2] or HOSTED_DEFAULT_MODEL
        return HostedChat(model, **kwargs)
    if name in (SMOLLM2, ORGANISM):
        return ZooChat(name, **kwargs)
    raise ValueError(
        f"unknown chat model {name!r}; choose {SMOLLM2!r}, {ORGANISM!r}, {SCRIPTED!r}, "
        "'hosted[:model]' or 'auto'."
    )
