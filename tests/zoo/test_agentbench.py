"""Section 4.5's benchmark kit (kit/agentbench): the sandboxed shell, the loopback shop, and every
task's verified solution path — each solution passes its task's check, and doing nothing fails it.
"""

from __future__ import annotations

import socket

import httpx
import pytest

from arena_check.kit.agentbench import (
    OS_TASKS,
    SHOP_TASKS,
    Observation,
    Shell,
    ShellEnv,
    ShopEnv,
    next_hint,
    page_actions,
    parse_command,
    resolve_path,
    run_episode,
    serve_shop,
)
from arena_check.kit.agentbench.shell import ShellError
from arena_check.kit.agentbench.tasks import FAULT_TEXT


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1"):  # type: ignore[index]
            raise ConnectionRefusedError(f"test forbids network access (to {address!r})")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="module")
def shop_env():
    with serve_shop() as shop, httpx.Client(base_url=shop.url, timeout=10) as client:
        yield ShopEnv(client)


def scripted(actions):
    it = iter(actions)
    return lambda obs: next(it)


def test_paths_and_parsing() -> None:
    assert resolve_path("/home/user", "../../../etc/./x//y/") == "/etc/x/y"
    assert resolve_path("/a", "~/b") == "/home/user/b"
    assert parse_command("echo 'a b' >> f") == (["echo", "a b"], ">>", "f")
    for bad in ("", "echo a >", "> f", "echo a > f g"):
        with pytest.raises(ShellError):
            parse_command(bad)


def test_shell_commands_and_errors_leave_state_unchanged() -> None:
    sh = Shell({"/home/user/a.txt": "x\ny x\n", "/srv/b": "b\n"})
    assert sh.run("grep -c x a.txt") == "2" and sh.run("wc -l a.txt") == "2"
    assert sh.run("ls /") == "home/  srv/"
    before = dict(sh.files)
    for bad in ("rm a.txt nope", "cat /srv", "mv nope x", "cp a.txt /nowhere/x", "frobnicate", "cd nope"):
        assert sh.run(bad) != "" and sh.files == before and sh.cwd == "/home/user", bad
    assert sh.run("mkdir d") == "" and sh.run("cp a.txt d") == "" and sh.files["/home/user/d/a.txt"] == "x\ny x\n"
    assert sh.run("echo hi >> /srv/b") == "" and sh.files["/srv/b"] == "b\nhi\n"


@pytest.mark.parametrize("task", OS_TASKS, ids=lambda t: t.id)
def test_every_os_task_has_a_verified_solution(task) -> None:
    env = ShellEnv()
    assert run_episode(scripted(task.solution), env, task).success
    assert not run_episode(lambda obs: "submit", env, task).success
    assert not run_episode(lambda obs: "answer 0", env, task).success


@pytest.mark.parametrize("task", SHOP_TASKS, ids=lambda t: t.id)
def test_every_shop_task_has_a_verified_solution(task, shop_env) -> None:
    episode = run_episode(scripted(task.solution), shop_env, task)
    assert episode.success, episode.trace
    assert not run_episode(lambda obs: "submit", shop_env, task).success
    assert not run_episode(lambda obs: "answer 0", shop_env, task).success


def test_shop_pages_menus_and_state(shop_env) -> None:
    task = SHOP_TASKS[0]
    shop_env.reset(task)
    assert "go /cart" in shop_env.actions()
    shop_env.step("search notebook")
    assert [a for a in shop_env.actions() if a.startswith("go /product")] == [
        "go /product/7", "go /product/8", "go /product/9"]
    shop_env.step("go /product/10")  # the blue pen is out of stock: no add form
    assert not [a for a in shop_env.actions() if a.startswith("post")]
    assert shop_env.step("go /api/state").startswith("unknown action")
    assert page_actions('<a href="/x">x</a><a href="/x">y</a><form method="post" action="/p"></form>'
                        '<a href="https://e.com">e</a>') == ["go /x", "post /p"]


def test_runner_counts_steps_hints_and_faults() -> None:
    task = OS_TASKS[0]
    seen: list[Observation] = []

    def policy(obs: Observation) -> str:
        seen.append(obs)
        if obs.error:
            return last[0]
        if obs.text.startswith("HINT"):
            last[0] = obs.text.split("next step is: ")[1]
            return last[0]
        return "hint"

    last = [""]
    episode = run_episode(policy, ShellEnv(), task, fault_rate=0.5, seed=3, max_steps=30)
    assert episode.success and episode.hints == 3 and episode.faults > 0
    assert episode.steps == len(episode.trace) == 3 + 3 + episode.faults
    assert any(o.text == FAULT_TEXT and o.error for o in seen)
    assert next_hint(["a", "b", "c"], ["x", "a", "c", "b"]) == "c"
    budget = run_episode(lambda obs: "ls", ShellEnv(), task, max_steps=4)
    assert budget.steps == 4 and not budget.success and budget.answer is None
