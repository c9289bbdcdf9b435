"""Section 4.5's benchmark: two environments, sixteen tasks with checkers and solutions, a runner.

* :class:`ShellEnv` wraps the sandboxed :class:`~arena_check.kit.agentbench.shell.Shell`;
  :class:`ShopEnv` drives the loopback shop (:mod:`~arena_check.kit.agentbench.shop`) with a real
  ``httpx`` client. Both offer a *menu* of currently valid actions, as WebShop's "available
  actions" mode does, so that even a model that cannot write commands can choose one.
* Every :class:`Task` has a programmatic ``check(state, answer)`` on the final state (the shell's
  files, the shop's orders) or the submitted answer, and a ``solution``: a scripted action sequence
  that the tests run through :func:`run_episode` and that passes the check.
* :func:`run_episode` plays one episode: it counts steps and hint requests, injects seeded tool
  failures, and stops at ``answer …``/``submit`` or the step budget.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from arena_check.kit.agentbench.shell import HOME, Shell

FAULT_TEXT = "ERROR: the tool call failed (injected transient fault); nothing was executed."


# ------------------------------------------------------------------------------ observations
@dataclass(frozen=True)
class Observation:
    """What an agent sees before each step."""

    instruction: str
    text: str  # the last tool output, the page, a hint, or an error
    actions: tuple[str, ...]  # the menu of valid actions right now
    error: bool = False  # the last tool call failed (a transient fault)


@dataclass
class Episode:
    """One episode's record: what the KPIs are computed from."""

    task_id: str
    success: bool
    steps: int  # every action the agent took, hints and answers included
    hints: int  # "hint" requests
    faults: int  # injected tool failures
    answer: str | None
    trace: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Task:
    id: str
    suite: str  # "os" or "shop"
    instruction: str
    setup: Mapping[str, Any]
    solution: tuple[str, ...]  # ends with "submit" or "answer …"
    check: Callable[[Any, str | None], bool]
    extras: tuple[str, ...] = ()  # task-specific menu entries (commands, answers, searches)


# ------------------------------------------------------------------------------ HTML helpers
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.actions: list[str] = []
        self.text: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.in_title = self.in_title or tag == "title"
        if tag == "a" and a.get("href", "").startswith("/"):
            self.actions.append(f"go {a['href']}")
        elif tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
            self.actions.append(f"post {a['action']}")

    def handle_endtag(self, tag: str) -> None:
        self.in_title = self.in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if data.strip() and data.strip() != "|" and not self.in_title:
            self.text.append(data.strip())


def page_actions(html: str) -> list[str]:
    """``go PATH`` for every local link and ``post PATH`` for every POST form, in page order,
    without repeats."""
    parser = _Links()
    parser.feed(html)
    return list(dict.fromkeys(parser.actions))


def page_text(html: str) -> str:
    """The page's visible text, one line per text node (what a text-only agent reads)."""
    parser = _Links()
    parser.feed(html)
    return "\n".join(parser.text)


# ------------------------------------------------------------------------------ environments
class ShellEnv:
    """The OS suite's environment: a fresh sandboxed shell per task."""

    def reset(self, task: Task) -> str:
        self.shell = Shell(task.setup["files"], cwd=task.setup.get("cwd", HOME))
        return f"{self.shell.cwd}$"

    def step(self, action: str) -> str:
        return self.shell.run(action) or "(no output)"

    def actions(self) -> list[str]:
        names = self.shell.listing(self.shell.cwd)
        return (["ls", "pwd", "cd .."] + [f"cd {n[:-1]}" for n in names if n.endswith("/")]
                + [f"cat {n}" for n in names if not n.endswith("/")])

    def state(self) -> Shell:
        return self.shell


class ShopEnv:
    """The shop suite's environment, over an ``httpx.Client`` whose base URL is the shop.

    Actions: ``search WORDS`` (GET /search?q=WORDS), ``go PATH`` (GET), ``post PATH`` (POST).
    ``parse`` turns a page into its menu (default: :func:`page_actions`).
    """

    def __init__(self, client: Any, parse: Callable[[str], list[str]] = page_actions) -> None:
        self.client, self.parse = client, parse

    def reset(self, task: Task) -> str:
        self.client.post("/api/reset", json=dict(task.setup)).raise_for_status()
        self.html = self.client.get("/").text
        return page_text(self.html)

    def step(self, action: str) -> str:
        verb, _, arg = action.partition(" ")
        if verb == "search":
            response = self.client.get("/search", params={"q": arg})
        elif verb == "go" and arg.startswith("/") and not arg.startswith("/api"):
            response = self.client.get(arg)
        elif verb == "post" and arg.startswith("/") and not arg.startswith("/api"):
            response = self.client.post(arg)
        else:
            return f"unknown action {action!r}: use search WORDS, go PATH or post PATH"
        self.html = response.text
        return page_text(self.html)

    def actions(self) -> list[str]:
        return self.parse(self.html)

    def state(self) -> dict[str, Any]:
        return self.client.get("/api/state").json()


# ------------------------------------------------------------------------------ the runner
def next_hint(solution: Sequence[str], done: Sequence[str]) -> str:
    """The first step of ``solution`` not yet matched, in order, by the successful actions ``done``."""
    k = 0
    for action in done:
        if k < len(solution) and action == solution[k]:
            k += 1
    return solution[min(k, len(solution) - 1)]


def run_episode(
    policy: Callable[[Observation], str], env: Any, task: Task, *, max_steps: int = 12,
    fault_rate: float = 0.0, seed: int = 0,
) -> Episode:
    """Play ``task`` with ``policy``. Each action is one step. ``hint`` shows the next solution
    step (a hint, no tool call); ``answer X``/``submit`` end the episode; anything else is a tool
    call, which fails with probability ``fault_rate`` (``random.Random(seed)``, one draw per tool
    call) without running. At the budget the episode ends with no answer. Success is
    ``task.check(env.state(), answer)``."""
    rng = random.Random(seed)
    text, error = env.reset(task), False
    steps = hints = faults = 0
    answer: str | None = None
    done: list[str] = []
    trace: list[str] = []
    while steps < max_steps:
        menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
        action = policy(Observation(task.instruction, text, menu, error)).strip()
        steps += 1
        trace.append(action)
        error = False
        if action == "hint":
            hints += 1
            text = f"HINT: the next step is: {next_hint(task.solution, done)}"
        elif action == "submit":
            break
        elif action.startswith("answer "):
            answer = action[len("answer "):].strip()
            break
        elif rng.random() < fault_rate:
            faults += 1
            text, error = FAULT_TEXT, True
        else:
            text = env.step(action)
            done.append(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)


# ------------------------------------------------------------------------------ the OS tasks
LOG = "\n".join([
    "09:00 INFO start", "09:01 ERROR disk full", "09:02 WARN retrying", "09:03 ERROR disk full",
    "09:04 INFO cleaned", "09:05 ERROR timeout", "09:06 INFO done",
]) + "\n"
FILES: dict[str, str] = {
    f"{HOME}/notes.txt": "buy milk\ncall bob\n",
    f"{HOME}/draft.txt": "first draft\n",
    f"{HOME}/config.ini": "[server]\nhost=localhost\n",
    f"{HOME}/build/main.o": "binary\n",
    f"{HOME}/build/a.tmp": "scratch a\n",
    f"{HOME}/build/b.tmp": "scratch b\n",
    f"{HOME}/build/readme.md": "build output\n",
    "/var/log/app.log": LOG,
    "/etc/owner.conf": "owner=alice\nteam=infra\n",
    "/data/jan.csv": "1\n", "/data/feb.csv": "2\n", "/data/mar.csv": "3\n", "/data/apr.csv": "4\n",
}


def _files_after(changes: Mapping[str, str | None]) -> Callable[[Shell, str | None], bool]:
    """A checker: the shell's files equal FILES with ``changes`` applied (None = deleted)."""
    want = dict(FILES)
    for path, text in changes.items():
        if text is None:
            want.pop(path, None)
        else:
            want[path] = text
    return lambda shell, answer: shell.files == want


def _answer_is(value: str) -> Callable[[Any, str | None], bool]:
    return lambda state, answer: answer is not None and answer.strip().lower() == value.lower()


def _os(id: str, instruction: str, solution: tuple[str, ...], check: Callable, extras: tuple[str, ...]) -> Task:
    return Task(id, "os", instruction, {"files": FILES}, solution, check, extras)


OS_TASKS: tuple[Task, ...] = (
    _os("os-count-errors", "How many lines of /var/log/app.log contain ERROR? Reply with answer N.",
        ("cd /var/log", "grep -c ERROR app.log", "answer 3"), _answer_is("3"),
        ("cd /var/log", "grep -c ERROR app.log", "grep -c WARN app.log", "answer 2", "answer 3", "answer 4")),
    _os("os-backup", "Make a directory backup in your home directory and copy notes.txt into it.",
        ("mkdir backup", "cp notes.txt backup/notes.txt", "submit"),
        _files_after({f"{HOME}/backup/notes.txt": FILES[f"{HOME}/notes.txt"]}),
        ("mkdir backup", "cp notes.txt backup/notes.txt", "mv notes.txt backup/notes.txt", "submit")),
    _os("os-clean-tmp", "Delete every .tmp file in ~/build, and nothing else.",
        ("cd build", "rm a.tmp", "rm b.tmp", "submit"),
        _files_after({f"{HOME}/build/a.tmp": None, f"{HOME}/build/b.tmp": None}),
        ("rm a.tmp", "rm b.tmp", "rm main.o", "rm readme.md", "submit")),
    _os("os-rename", "Rename draft.txt in your home directory to final.txt.",
        ("mv draft.txt final.txt", "submit"),
        _files_after({f"{HOME}/draft.txt": None, f"{HOME}/final.txt": FILES[f"{HOME}/draft.txt"]}),
        ("mv draft.txt final.txt", "cp draft.txt final.txt", "rm draft.txt", "submit")),
    _os("os-status", "Write the single word done into ~/status.txt.",
        ("echo done > status.txt", "submit"), _files_after({f"{HOME}/status.txt": "done\n"}),
        ("echo done > status.txt", "echo done >> notes.txt", "touch status.txt", "submit")),
    _os("os-owner", "Who owns this machine? The owner is in /etc/owner.conf. Reply with answer NAME.",
        ("cat /etc/owner.conf", "answer alice"), _answer_is("alice"),
        ("cat /etc/owner.conf", "answer alice", "answer bob", "answer infra")),
    _os("os-append-port", "Add the line port=8080 at the end of ~/config.ini, keeping what is there.",
        ("echo port=8080 >> config.ini", "submit"),
        _files_after({f"{HOME}/config.ini": FILES[f"{HOME}/config.ini"] + "port=8080\n"}),
        ("echo port=8080 >> config.ini", "echo port=8080 > config.ini", "submit")),
    _os("os-count-data", "How many files are in /data? Reply with answer N.",
        ("ls /data", "answer 4"), _answer_is("4"), ("ls /data", "answer 3", "answer 4", "answer 5")),
)


# ------------------------------------------------------------------------------ the shop tasks
PRIOR_ORDERS = [
    {"number": 1001, "items": {"4": 1}, "total_cents": 750},
    {"number": 1002, "items": {"7": 2}, "total_cents": 700},
]


def bought(items: Mapping[int, int]) -> Callable[[dict[str, Any], str | None], bool]:
    """A checker: exactly one order was placed in the episode, holding exactly ``items``."""
    want = {str(k): v for k, v in items.items()}

    def check(state: dict[str, Any], answer: str | None, want: dict[str, int] = want) -> bool:
        new = [o for o in state["orders"] if o["number"] not in {p["number"] for p in PRIOR_ORDERS}]
        return len(new) == 1 and new[0]["items"] == want

    return check


def _shop(id: str, instruction: str, solution: tuple[str, ...], check: Callable, extras: tuple[str, ...],
          setup: Mapping[str, Any] | None = None) -> Task:
    return Task(id, "shop", instruction, setup or {}, solution, check, extras)


SHOP_TASKS: tuple[Task, ...] = (
    _shop("shop-cable", "Buy one USB-C cable.",
          ("search cable", "go /product/1", "post /cart/add/1", "post /checkout", "submit"),
          bought({1: 1}), ("search cable", "search lamp", "submit")),
    _shop("shop-two-mugs", "Buy two ceramic mugs in one order.",
          ("search mug", "go /product/4", "post /cart/add/4", "go /product/4", "post /cart/add/4",
           "post /checkout", "submit"), bought({4: 2}), ("search mug", "search teapot", "submit")),
    _shop("shop-cheapest-notebook", "Buy the cheapest notebook.",
          ("search notebook", "go /product/7", "post /cart/add/7", "post /checkout", "submit"),
          bought({7: 1}), ("search notebook", "search pen", "submit")),
    _shop("shop-lamp-price", "What does the desk lamp cost? Reply with answer PRICE, e.g. answer $1.00.",
          ("search lamp", "answer $24.00"), _answer_is("$24.00"),
          ("search lamp", "answer $24.00", "answer $12.00", "answer $59.00")),
    _shop("shop-kettle-teapot", "Buy an electric kettle and a glass teapot in a single order.",
          ("search kettle", "go /product/5", "post /cart/add/5", "search teapot", "go /product/6",
           "post /cart/add/6", "post /checkout", "submit"), bought({5: 1, 6: 1}),
          ("search kettle", "search teapot", "submit")),
    _shop("shop-swap", "Your cart holds a phone stand you no longer want. Remove it and buy a desk lamp instead.",
          ("go /cart", "post /cart/remove/12", "search lamp", "go /product/3", "post /cart/add/3",
           "post /checkout", "submit"), bought({3: 1}), ("search lamp", "search stand", "submit"),
          {"cart": {"12": 1}}),
    _shop("shop-count-orders", "How many orders have you placed so far? Reply with answer N.",
          ("go /orders", "answer 2"), _answer_is("2"), ("answer 1", "answer 2", "answer 3"),
          {"orders": PRIOR_ORDERS}),
    _shop("shop-pen", "Buy a blue pen; if blue pens are out of stock, buy a black pen instead.",
          ("search pen", "go /product/10", "search pen", "go /product/11", "post /cart/add/11",
           "post /checkout", "submit"), bought({11: 1}), ("search pen", "search blue pen", "submit")),
)

TASKS: dict[str, Task] = {t.id: t for t in (*OS_TASKS, *SHOP_TASKS)}

__all__ = [
    "FAULT_TEXT", "OS_TASKS", "SHOP_TASKS", "TASKS", "Episode", "Observation", "ShellEnv",
    "ShopEnv", "Task", "bought", "next_hint", "page_actions", "page_text", "run_episode",
]
