"""GENERATED from book/4_alignment_science/4.5_agent_benchmarks.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
import random
from collections.abc import Callable, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

import numpy as np

import arena_check
from arena_check.kit.agentbench import OS_TASKS, SHOP_TASKS, TASKS, Episode, Observation, Task
from arena_check.kit.agentbench.shell import HOME, ShellError
from arena_check.kit.agentbench.tasks import FAULT_TEXT, next_hint
from arena_check.kit.chat import ChatModel

Policy = Callable[[Observation], str]  # an agent: what it sees → the action it takes


def agent_prompt(obs: Observation) -> list[dict[str, str]]:
    """The SmolLM2 agent's conversation: the task and the end of the current screen."""
    return [{"role": "user", "content": f"Task: {obs.instruction}\nScreen:\n{obs.text[-300:]}\n"
                                        "What is the next action?"}]


NULL_PROMPT = [{"role": "user", "content": "What is the next action?"}]  # for the prior of an action


def resolve_path(cwd: str, path: str) -> str:
    """The absolute normalised form of ``path`` typed in directory ``cwd`` (itself absolute and
    normalised). A path starting with "/" ignores cwd; "~" alone or "~/..." starts at HOME.
    Empty parts and "." are dropped, ".." removes the previous part and stays at "/" at the root.
    The result starts with "/" and has no trailing slash (the root is "/")."""
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    joined = path if path.startswith("/") else cwd + "/" + path
    stack: list[str] = []
    for part in joined.split("/"):
        if part == "..":
            if stack:
                stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    return "/" + "/".join(stack)


import shlex


def parse_command(line: str) -> tuple[list[str], str | None, str | None]:
    """(argv, redirect, target). Words are split as a POSIX shell does (shlex.split: quotes
    group words). If a token is ">" or ">>", it must be the second-to-last token and not the
    first: argv is the tokens before it, redirect the operator, target the last token. Without
    one, redirect and target are None. Raises ShellError for an empty line, an unclosed quote, a
    redirect with no command, no target or more than one target."""
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ShellError(f"parse error: {error}") from None
    if not tokens:
        raise ShellError("parse error: empty command")
    ops = [i for i, t in enumerate(tokens) if t in (">", ">>")]
    if not ops:
        return tokens, None, None
    i = ops[0]
    if i == 0 or i != len(tokens) - 2:
        raise ShellError(f"parse error: `{tokens[i]}` needs a command before it and one file after it")
    return tokens[:i], tokens[i], tokens[i + 1]


def diff_files(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str]:
    """{path: "added" | "removed" | "modified"} for every path whose presence or content differs
    between the two snapshots (path → text), in sorted path order; unchanged paths are left out.
    Neither input is modified."""
    changes = {}
    for path in sorted(set(before) | set(after)):
        if path not in after:
            changes[path] = "removed"
        elif path not in before:
            changes[path] = "added"
        elif before[path] != after[path]:
            changes[path] = "modified"
    return changes


def page_actions(html: str) -> list[str]:
    """The page's actions in document order, each once (its first occurrence): "go " + href for
    every <a> whose href starts with "/", and "post " + action for every <form> whose method is
    POST (case-insensitive; a form without a method is GET and is left out) and which has an
    action. Other links (http://..., #anchors, mailto:) and GET forms are left out."""

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "a" and (a.get("href") or "").startswith("/"):
                self.found.append("go " + a["href"])
            if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                self.found.append("post " + a["action"])

    collector = Collector()
    collector.feed(html)
    return list(dict.fromkeys(collector.found))


def order_placed(state: Mapping[str, Any], want: Mapping[int, int], prior: Sequence[int] = ()) -> bool:
    """True iff state["orders"] holds exactly one order whose "number" is not in prior (the
    orders that existed before the episode), and that order's "items" (product id as a string →
    quantity) equal want (product id as an int → quantity) exactly. The cart is ignored."""
    new = [o for o in state["orders"] if o["number"] not in set(prior)]
    return len(new) == 1 and new[0]["items"] == {str(k): v for k, v in want.items()}


def run_episode(policy: Policy, env: Any, task: Task, *, max_steps: int = 12, fault_rate: float = 0.0,
                seed: int = 0) -> Episode:
    """Play task with policy in env (reset(task) → first text, step(action) → text, actions() →
    menu, state() → what task.check reads). rng = random.Random(seed).
    Each turn: menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"])); action =
    policy(Observation(task.instruction, text, menu, error)).strip(); steps += 1; trace gets
    the action; error resets to False. Then:
      "hint" → hints += 1, text = "HINT: the next step is: " + next_hint(task.solution, done);
      "submit" → end; "answer X" → answer = X stripped, end;
      otherwise a tool call: if rng.random() < fault_rate → faults += 1, text = FAULT_TEXT,
      error = True (nothing runs); else text = env.step(action) and the action joins done.
    The loop stops after max_steps actions (answer None). Returns Episode(task.id,
    bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)."""
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
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
            text = "HINT: the next step is: " + next_hint(task.solution, done)
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


def retrying(policy: Policy, max_retries: int = 2) -> Policy:
    """A policy that, when obs.error is True, it has already returned an action, and it has
    retried fewer than max_retries times in a row, returns that previous action again WITHOUT
    calling policy; otherwise it resets its retry count and returns policy(obs). Each wrapper has
    its own state."""
    last: str | None = None
    retries = 0

    def act(obs: Observation) -> str:
        nonlocal last, retries
        if obs.error and last is not None and retries < max_retries:
            retries += 1
            return last
        retries = 0
        last = policy(obs)
        return last

    return act


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """(lo, hi) of the Wilson score interval for k successes in n trials, as Python floats,
    clipped to [0, 1]. n == 0 gives (0.0, 1.0): no data, no information."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_ci(values: Sequence[float], n_boot: int = 2000, seed: int = 0,
                 alpha: float = 0.05) -> tuple[float, float, float]:
    """(mean, lo, hi) as Python floats: rng = np.random.default_rng(seed), draw
    idx = rng.integers(0, n, size=(n_boot, n)) once, average values[idx] along each row, and take
    np.quantile of those means at alpha / 2 and 1 - alpha / 2. No values → (nan, nan, nan)."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))


def kpis(episodes: Sequence[Episode], n_boot: int = 2000, seed: int = 0) -> dict[str, tuple[float, float, float]]:
    """{"success", "steps", "autonomy", "recovery"} → (value, lo, hi):
    success: share of episodes solved, Wilson interval; steps: bootstrap_ci(n_boot, seed) of the
    steps of the SOLVED episodes; autonomy: share of all episodes solved with hints == 0, Wilson;
    recovery: share solved among episodes with faults > 0, Wilson. A proportion with no episodes
    to count is (nan, 0.0, 1.0). Intervals at 95 % (z = 1.96, alpha = 0.05)."""
    def share(hits: int, n: int) -> tuple[float, float, float]:
        return (hits / n if n else math.nan, *wilson_interval(hits, n))

    solved = [e for e in episodes if e.success]
    faulted = [e for e in episodes if e.faults > 0]
    return {
        "success": share(len(solved), len(episodes)),
        "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
        "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
        "recovery": share(sum(e.success for e in faulted), len(faulted)),
    }


def choose_action(chat: ChatModel, obs: Observation, taken: Sequence[str], prior: Mapping[str, float]) -> str:
    """The candidates are the actions of obs.actions, in menu order, other than "hint" and not in
    taken; if none is left, every action other than "hint". One call
    chat.logprobs(agent_prompt(obs), candidates, whole_reply=True) gives their scores; the
    result is the candidate with the highest score - prior[candidate] (the first one on a tie).
    The menu always holds at least one action other than "hint"; prior has every candidate."""
    candidates = [a for a in obs.actions if a != "hint" and a not in taken]
    candidates = candidates or [a for a in obs.actions if a != "hint"]
    scores = chat.logprobs(agent_prompt(obs), candidates, whole_reply=True)
    best = max(range(len(candidates)), key=lambda i: scores[i] - prior[candidates[i]])
    return candidates[best]


from arena_check.reference.s2_4_llm_agents import paired_bootstrap  # section 2.4's, as the book wrote it


def paired_task_difference(a: Sequence[Episode], b: Sequence[Episode], n_boot: int = 10_000, seed: int = 0,
                           alpha: float = 0.05) -> tuple[float, float, float, int]:
    """(mean of b − a, lo, hi, number of tasks). For each agent, a task's value is the mean of
    success over that agent's episodes of the task. Only tasks both agents played count, in
    sorted task-id order; the interval is paired_bootstrap(a_values, b_values, n_boot, seed,
    alpha) of section 2.4. Episodes may come in any order."""
    def per_task(episodes: Sequence[Episode]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for e in episodes:
            out.setdefault(e.task_id, []).append(float(e.success))
        return out

    pa, pb = per_task(a), per_task(b)
    ids = sorted(set(pa) & set(pb))
    va = [sum(pa[i]) / len(pa[i]) for i in ids]
    vb = [sum(pb[i]) / len(pb[i]) for i in ids]
    diff, lo, hi = paired_bootstrap(va, vb, n_boot=n_boot, seed=seed, alpha=alpha)
    return diff, lo, hi, len(ids)
