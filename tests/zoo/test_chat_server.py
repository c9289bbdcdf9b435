"""The chat interface (kit/chat.py) and the local OpenAI-compatible server (kit/local_server.py),
tested with the official ``openai`` client: normal mode, every fault mode, and a clean shutdown.

Connections are allowed to loopback only, so a test that reached for a hosted API would fail.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import openai
import pytest
import torch

from arena_check.kit.chat import (
    ChatModel,
    HostedChat,
    MissingKeyError,
    ScriptedChat,
    ZooChat,
    pick_chat,
)
from arena_check.kit.local_server import Faults, serve

HI = [{"role": "user", "content": "Hi"}]


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1"):  # type: ignore[index]
            raise ConnectionRefusedError(f"test forbids network access (to {address!r})")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def client(server, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="local", **{"max_retries": 0, **kwargs})


def ask(c: openai.OpenAI, content: str = "Hi", model: str = "scripted", **kwargs):
    return c.chat.completions.create(
        model=model, messages=[{"role": "user", "content": content}], **kwargs
    )


# --------------------------------------------------------------------------- the interface


def test_scripted_backend_is_deterministic_and_follows_the_inspect_conventions() -> None:
    table = ScriptedChat({"What is 2+2?": "4"})
    assert [table.complete(" What is 2+2? ").text for _ in range(3)] == ["4"] * 3
    with pytest.raises(KeyError, match="no reply for 'unknown'"):
        table.complete("unknown")
    listed = ScriptedChat(["a", "b"])
    assert [listed.complete("q").text for _ in range(2)] == ["a", "b"]
    with pytest.raises(ValueError, match="ran out"):
        listed.complete("q")
    shout = ScriptedChat(lambda messages: messages[-1]["content"].upper())
    assert shout.complete(HI).text == "HI" and ScriptedChat().complete("echo").text == "echo"
    long = ScriptedChat(["one two three four. five"])
    reply = long.complete("q", max_tokens=2)
    assert (reply.text, reply.finish_reason) == ("one two", "length")
    assert ScriptedChat(["yes. no"]).complete("q", stop=["."]).text == "yes"
    assert table.calls == [[{"role": "user", "content": " What is 2+2? "}]] * 3 + [
        [{"role": "user", "content": "unknown"}]
    ]
    scored = ScriptedChat(logprobs={"A": -0.1, "B": -2.0})
    assert scored.logprobs("q", ["B", "A"]) == [-2.0, -0.1]
    with pytest.raises(NotImplementedError, match="logprobs="):
        ScriptedChat().logprobs("q", ["A"])
    assert isinstance(table, ChatModel)


def test_messages_are_validated_with_readable_errors() -> None:
    model = ScriptedChat()
    with pytest.raises(ValueError, match=r"messages\[0\] has role 'human'"):
        model.complete([{"role": "human", "content": "hi"}])
    with pytest.raises(ValueError, match=r"messages\[1\] must be a dict"):
        model.complete([{"role": "user", "content": "hi"}, "oops"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="non-empty"):
        model.complete([])


def test_hosted_backend_refuses_without_a_key_and_pick_chat_stays_offline() -> None:
    with pytest.raises(MissingKeyError, match="OPENAI_API_KEY"):
        HostedChat()
    with pytest.raises(MissingKeyError):
        pick_chat("hosted")
    assert isinstance(pick_chat("scripted", replies=["x"]), ScriptedChat)
    with pytest.raises(ValueError, match="unknown chat model"):
        pick_chat("gpt-5")


# --------------------------------------------------------------------------- normal mode


def test_openai_client_gets_scripted_replies_and_the_model_list() -> None:
    model = ScriptedChat({"Hi": "Hello there, friend.", "Count": "one two three four"})
    with serve(model) as server:
        c = client(server)
        response = ask(c, "Hi")
        assert response.choices[0].message.content == "Hello there, friend."
        assert response.choices[0].finish_reason == "stop" and response.model == "scripted"
        assert response.usage.completion_tokens == 3 and response.usage.prompt_tokens == 1
        cut = ask(c, "Count", max_tokens=2)
        assert (cut.choices[0].message.content, cut.choices[0].finish_reason) == ("one two", "length")
        assert [m.id for m in c.models.list()] == ["scripted"]
        with pytest.raises(openai.NotFoundError, match="does not exist"):
            ask(c, model="gpt-4o")
        with pytest.raises(openai.BadRequestError, match="role"):
            c.chat.completions.create(model="scripted", messages=[{"role": "robot", "content": "x"}])
        assert server.counts["requests"] == 2 and server.counts["ok"] == 2
    assert model.calls[0] == [{"role": "user", "content": "Hi"}]


def test_hosted_backend_speaks_to_the_local_server_with_any_key() -> None:
    """HostedChat is only the openai client: pointed at loopback it needs no real key."""
    with serve(ScriptedChat({"Hi": "Hello"})) as server:
        reply = HostedChat("scripted", api_key="local", base_url=server.base_url).complete(HI)
    assert (reply.text, reply.model, reply.finish_reason) == ("Hello", "scripted", "stop")


# --------------------------------------------------------------------------- fault modes


def test_each_fault_as_the_client_sees_it() -> None:
    faults = Faults(script=["5xx", "429", "timeout", "bad_json", "ok"], retry_after=2, timeout_delay=5)
    with serve(ScriptedChat(lambda m: "fine"), faults=faults) as server:
        c = client(server, timeout=0.5)
        with pytest.raises(openai.InternalServerError) as error:
            ask(c)
        assert error.value.status_code == 500
        with pytest.raises(openai.RateLimitError) as error:
            ask(c)
        assert error.value.response.headers["retry-after"] == "2"
        assert error.value.body["code"] == "rate_limit_exceeded"
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            ask(c)
        assert time.monotonic() - start < 3
        with pytest.raises(json.JSONDecodeError):  # not an openai error: a harness must catch it
            ask(c)
        assert ask(c).choices[0].message.content == "fine"
        assert server.log == ["5xx", "429", "timeout", "bad_json", "ok"]
        assert "5 requests: 1 ok, 1 5xx, 1 429, 1 held back (timeout), 1 malformed JSON" == server.summary()


def test_the_client_retries_through_429_and_5xx_honouring_retry_after() -> None:
    with serve(ScriptedChat(lambda m: "done"), faults=Faults(script=["429", "5xx"], retry_after=0.2)) as server:
        start = time.monotonic()
        response = ask(client(server, max_retries=2))
        assert response.choices[0].message.content == "done"
        assert server.log == ["429", "5xx", "ok"]
        assert time.monotonic() - start >= 0.2  # it waited as the header asked


def test_fault_rates_are_seeded_and_reproducible() -> None:
    faults = Faults(rate_5xx=0.2, rate_429=0.2, rate_timeout=0.1, rate_bad_json=0.1, seed=3)
    draws = [o for o, _ in zip(faults.outcomes(), range(2000), strict=False)]
    again = [o for o, _ in zip(faults.outcomes(), range(2000), strict=False)]
    assert draws == again
    share = {o: draws.count(o) / len(draws) for o in set(draws)}
    for outcome, rate in [("5xx", 0.2), ("429", 0.2), ("timeout", 0.1), ("bad_json", 0.1), ("ok", 0.4)]:
        assert abs(share[outcome] - rate) < 0.04, (outcome, share)
    other = [o for o, _ in zip(Faults(rate_5xx=0.2, seed=4).outcomes(), range(50), strict=False)]
    assert other != draws[:50]
    with pytest.raises(ValueError, match="sum to"):
        Faults(rate_5xx=0.7, rate_429=0.5)
    with pytest.raises(ValueError, match="unknown outcome"):
        Faults(script=["503"])
    with serve(ScriptedChat(lambda m: "x"), faults=Faults(rate_5xx=0.5, seed=1)) as server:
        c = client(server)
        for _ in range(12):
            try:
                ask(c)
            except openai.InternalServerError:
                pass
        assert server.log == [o for o, _ in zip(Faults(rate_5xx=0.5, seed=1).outcomes(), range(12), strict=False)]


# --------------------------------------------------------------------------- shutdown


def test_shutdown_leaves_no_thread_and_no_open_port() -> None:
    threads_before = set(threading.enumerate())
    tasks_before = set(os.listdir("/proc/self/task"))
    with serve(ScriptedChat(lambda m: "x"), faults=Faults(script=["timeout"], timeout_delay=60)) as server:
        port = server.port
        with pytest.raises(openai.APITimeoutError):
            ask(client(server, timeout=0.3))  # a reply is still held back when the block ends
        ask(client(server))
        assert server.running
        start = time.monotonic()
    assert time.monotonic() - start < 5, "stopping waited for the held-back reply"
    assert not server.running
    assert set(threading.enumerate()) <= threads_before
    deadline = time.monotonic() + 5  # an OS thread may take a moment to be reaped after join()
    while not set(os.listdir("/proc/self/task")) <= tasks_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(os.listdir("/proc/self/task")) <= tasks_before, "an OS thread outlived the server"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_server_error_on_an_exhausted_script_is_readable() -> None:
    with serve(ScriptedChat(["only one"])) as server:
        c = client(server)
        assert ask(c).choices[0].message.content == "only one"
        with pytest.raises(openai.InternalServerError, match="ran out"):
            ask(c)


# --------------------------------------------------------------------------- the zoo backend


def test_zoo_backend_generates_through_the_server_and_scores_continuations(smollm2_hf) -> None:
    model, tokenizer = smollm2_hf
    zoo = ZooChat(model=model, tokenizer=tokenizer)
    question = [{"role": "user", "content": "What is the capital of France?"}]
    with serve(zoo) as server:
        response = ask(client(server), question[0]["content"], model="smollm2-135m", max_tokens=8)
    direct = zoo.complete(question, max_tokens=8)
    assert response.choices[0].message.content == direct.text and direct.text
    assert response.usage.completion_tokens == direct.completion_tokens <= 8

    batched = ZooChat(model=model, tokenizer=tokenizer)
    batched.prefetch([question, "Say hi."], max_tokens=8)  # greedy replies decoded in one batch
    assert batched.complete(question, max_tokens=8) == direct

    paris, london = zoo.logprobs(question, ["Paris", "London"], whole_reply=True)
    assert paris > london
    # the same number from one plain forward pass over prompt + reply
    text = zoo.prompt(question)
    ids = tokenizer(text + "Paris" + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    n = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    with torch.no_grad():
        logp = model(torch.tensor([ids])).logits[0].log_softmax(-1)
    expected = sum(logp[i - 1, ids[i]].item() for i in range(n, len(ids)))
    assert paris == pytest.approx(expected, abs=1e-3)
