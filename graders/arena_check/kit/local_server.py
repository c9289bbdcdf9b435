"""A local OpenAI-compatible chat-completions server on loopback, with optional injected faults.

Learners call models with the official ``openai`` client, as they would a hosted API; this server
answers it offline from any :class:`arena_check.kit.chat.ChatModel` (the zoo, or a script):

    from arena_check.kit.chat import ScriptedChat
    from arena_check.kit.local_server import Faults, serve
    import openai

    with serve(ScriptedChat({"Hi": "Hello!"})) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="local")   # any key works
        client.chat.completions.create(model=server.model_name,
                                       messages=[{"role": "user", "content": "Hi"}])
    server.counts            # {"requests": 1, "ok": 1, "5xx": 0, "429": 0, "timeout": 0, "bad_json": 0}

Routes: ``POST /v1/chat/completions`` (``messages``, ``max_tokens`` or ``max_completion_tokens``,
``temperature``, ``seed``, ``stop``; ``n`` must be 1 and ``stream`` false), ``GET /v1/models``.
Errors have OpenAI's shape, ``{"error": {"message", "type", "code"}}``: 400 for a bad request,
404 for an unknown model name.

Flaky mode (:class:`Faults`): each request draws one outcome from a seeded generator, so a run is
reproducible when requests arrive in the same order. The outcomes, and what the ``openai`` client
does with them (with ``max_retries=0``; by default it retries the first three itself):

* ``"5xx"`` — 500 with an error body → ``openai.InternalServerError``;
* ``"429"`` — 429 with a ``Retry-After`` header (seconds) → ``openai.RateLimitError``;
* ``"timeout"`` — the reply is held back ``timeout_delay`` seconds → ``openai.APITimeoutError``
  when the client's ``timeout`` is shorter;
* ``"bad_json"`` — 200 with a truncated JSON body → the client cannot parse it (a ``ValueError``,
  ``json.JSONDecodeError``, not an ``openai`` exception — exactly what a robust harness must catch).

``Faults(script=[...])`` injects a fixed sequence of outcomes first (``"ok"`` for none), then the
random rates: a page can show each fault once, in order.

The server is uvicorn running FastAPI in a background thread, bound to ``127.0.0.1`` on a port the
OS picks. Leaving the ``with`` block stops it: held-back replies are released, the thread joins
and the port is closed, so nothing is left behind. It needs no key and never leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from arena_check.kit.chat import ChatModel, normalise_messages

OUTCOMES = ("ok", "5xx", "429", "timeout", "bad_json")
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Faults:
    """Rates of injected faults per request (they must sum to at most 1), and their seed."""

    rate_5xx: float = 0.0
    rate_429: float = 0.0
    rate_timeout: float = 0.0
    rate_bad_json: float = 0.0
    seed: int = 0
    retry_after: float = 1.0  # seconds, sent in the 429's Retry-After header
    timeout_delay: float = 30.0  # how long a "timeout" reply is held back
    script: Sequence[str] = field(default_factory=tuple)  # outcomes injected first, in order

    def __post_init__(self) -> None:
        rates = (self.rate_5xx, self.rate_429, self.rate_timeout, self.rate_bad_json)
        if any(r < 0 for r in rates) or sum(rates) > 1 + 1e-9:
            raise ValueError(f"fault rates must be ≥ 0 and sum to ≤ 1; got {rates}")
        unknown = [o for o in self.script if o not in OUTCOMES]
        if unknown:
            raise ValueError(f"unknown outcome {unknown[0]!r} in script; use {OUTCOMES}")

    def outcomes(self) -> Iterator[str]:
        """The outcome of every request, in arrival order: the script, then seeded draws."""
        yield from self.script
        rng = random.Random(self.seed)
        bounds = []
        total = 0.0
        for name, rate in zip(
            OUTCOMES[1:], (self.rate_5xx, self.rate_429, self.rate_timeout, self.rate_bad_json), strict=True
        ):
            total += rate
            bounds.append((total, name))
        while True:
            u = rng.random()
            yield next((name for bound, name in bounds if u < bound), "ok")


def _error(
    status: int, message: str, kind: str, code: str | None = None, headers: dict | None = None
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


class LocalServer:
    """A running server (made by :func:`serve`): its URL, model name, counts and request log."""

    def __init__(self, model: ChatModel, faults: Faults | None, model_name: str | None) -> None:
        self.model = model
        self.model_name = model_name or model.name
        self.faults = faults or Faults()
        self._outcomes = self.faults.outcomes()
        self._draw_lock = threading.Lock()
        self.counts: Counter[str] = Counter({k: 0 for k in ("requests", *OUTCOMES)})
        self.log: list[str] = []  # outcome of each chat request, in arrival order
        self._stopping = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the server's loop, once it serves
        self.port = 0

    @property
    def base_url(self) -> str:
        """What ``openai.OpenAI(base_url=...)`` takes."""
        return f"http://{HOST}:{self.port}/v1"

    def _next_outcome(self) -> str:
        with self._draw_lock:
            outcome = next(self._outcomes)
            self.counts["requests"] += 1
            self.counts[outcome] += 1
            self.log.append(outcome)
            return outcome

    # ---------------------------------------------------------------- the app

    def app(self) -> Any:
        app = FastAPI(title="arena-book local chat server", docs_url=None, redoc_url=None)

        @app.get("/v1/models")
        def models() -> dict:
            return {
                "object": "list",
                "data": [{"id": self.model_name, "object": "model", "created": 0, "owned_by": "arena-book"}],
            }

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Any:
            self._loop = asyncio.get_running_loop()
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "the request body is not valid JSON", "invalid_request_error")
            if not isinstance(body, dict):
                return _error(400, "the request body must be a JSON object", "invalid_request_error")
            if body.get("model") != self.model_name:
                return _error(
                    404,
                    f"the model {body.get('model')!r} does not exist; this server has {self.model_name!r}",
                    "invalid_request_error",
                    "model_not_found",
                )
            try:
                messages = normalise_messages(body.get("messages") or [])
            except ValueError as error:
                return _error(400, str(error), "invalid_request_error")
            if body.get("stream") or (body.get("n") or 1) != 1:
                return _error(400, "this server supports n=1 and stream=false only", "invalid_request_error")
            stop = body.get("stop")
            options = {
                "max_tokens": int(body.get("max_completion_tokens") or body.get("max_tokens") or 256),
                "temperature": float(body.get("temperature") or 0.0),
                "seed": body.get("seed"),
                "stop": [stop] if isinstance(stop, str) else stop,
            }

            outcome = self._next_outcome()
            if outcome == "5xx":
                return _error(500, "injected fault: internal server error", "server_error")
            if outcome == "429":
                seconds = self.faults.retry_after
                header = str(int(seconds)) if float(seconds).is_integer() else str(seconds)
                return _error(
                    429,
                    "injected fault: rate limit reached, retry later",
                    "rate_limit_error",
                    "rate_limit_exceeded",
                    headers={"Retry-After": header},
                )
            if outcome == "timeout":  # hold the reply back; released at once when the server stops
                await anyio.to_thread.run_sync(self._stopping.wait, self.faults.timeout_delay)
                if self._stopping.is_set():  # nobody waits for it now: do not run the model
                    return _error(503, "the server is shutting down", "server_error")

            try:
                reply = await anyio.to_thread.run_sync(lambda: self.model.complete(messages, **options))
            except (KeyError, ValueError, TypeError) as error:  # a script's own refusal, readable
                return _error(500, f"the model failed: {error}", "server_error")
            payload = {
                "id": f"chatcmpl-local-{self.counts['requests']}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model_name,
                "system_fingerprint": "arena-local",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.text},
                        "finish_reason": reply.finish_reason,
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": reply.prompt_tokens,
                    "completion_tokens": reply.completion_tokens,
                    "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                },
            }
            if outcome == "bad_json":  # cut mid-object: valid headers, unparseable body
                text = json.dumps(payload)
                return Response(text[: len(text) // 2], media_type="application/json")
            return JSONResponse(payload)

        return app

    # ---------------------------------------------------------------- lifecycle

    def start(self, timeout: float = 10.0) -> None:
        import uvicorn

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((HOST, 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            self.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name="arena-local-server"
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the local chat server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():  # graceful shutdown stuck on a connection: force it
                self._server.force_exit = True
                self._thread.join(timeout=5)
        # the event loop's worker threads (model calls run in them) are told to stop when the
        # loop ends, and exit a moment later: wait for them, so that nothing outlives the server
        for thread in threading.enumerate() if self._loop is not None else ():
            if getattr(thread, "loop", None) is self._loop and thread is not threading.current_thread():
                thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def summary(self) -> str:
        """One line for a page: requests and injected faults so far."""
        c = self.counts
        return (
            f"{c['requests']} requests: {c['ok']} ok, {c['5xx']} 5xx, {c['429']} 429, "
            f"{c['timeout']} held back (timeout), {c['bad_json']} malformed JSON"
        )


@contextmanager
def serve(
    model: ChatModel, *, faults: Faults | None = None, model_name: str | None = None
) -> Iterator[LocalServer]:
    """Serve ``model`` on ``127.0.0.1`` (free port) for the ``with`` block; see the module docs.

    ``model_name`` is the name clients must send (default: ``model.name``).
    """
    server = LocalServer(model, faults, model_name)
    server.start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["OUTCOMES", "Faults", "LocalServer", "serve"]
