"""Checks for section 2.4 — LLM agents and scaffolding.

Everything is built inside the checks: small link graphs (directed, with shortcuts a depth-first
search misses), scripted policies and tools, and a fake chat model that records its log-prob
calls. No model is loaded: SmolLM2 only appears on the page.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import math
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from arena_check.reference import s2_4_llm_agents as ref
from arena_check.registry import check
from arena_check.testing import CheckFailed, call, check_defaults, expect_equal


def _await(coroutine: Any) -> Any:
    """Run a coroutine from synchronous code, also where a loop already runs (a notebook kernel):
    then on a new loop in a helper thread, with this thread's context variables."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # noqa: BLE001 — re-raised in the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _random_graph(n: int, seed: int, p: float = 0.25) -> dict[str, list[str]]:
    """A directed graph on pages p0 … p{n-1}; links sorted."""
    rng = random.Random(seed)
    pages = [f"p{i}" for i in range(n)]
    return {a: sorted(b for b in pages if b != a and rng.random() < p) for a in pages}


#: a → b → c → d → e and a shortcut a → e listed last; e → a. DFS from a finds the long way first.
SHORTCUT = {"a": ["b", "e"], "b": ["c"], "c": ["d"], "d": ["e"], "e": ["a"]}
#: a small game: every page reaches every other; 'goal' is 3 moves from 'start'.
GAME = {
    "start": ["left", "right"],
    "left": ["start", "mid"],
    "right": ["start", "right2"],
    "right2": ["right"],
    "mid": ["left", "goal", "right2"],
    "goal": ["mid"],
}

# ------------------------------------------------------------------------------ bfs_path


@check("2.4", "bfs_path")
def check_bfs_path(bfs_path) -> None:
    """Valid and shortest on a graph with a shortcut, on one-way random graphs and the game
    graph; [start] when start is the goal; None when unreachable; the graph unchanged."""
    cases: list[tuple[str, dict, str, str]] = [
        ("a 5-cycle with a shortcut a → e listed last, a to e", SHORTCUT, "a", "e"),
        ("a 5-cycle with a shortcut, b to a", SHORTCUT, "b", "a"),
        ("the small game graph, start to goal", GAME, "start", "goal"),
        ("the small game graph, right2 to goal", GAME, "right2", "goal"),
        ("start equal to goal", GAME, "mid", "mid"),
        ("a one-way link a → b, from b to a (unreachable)", {"a": ["b"], "b": []}, "b", "a"),
        ("a goal that is only a link target, not a key", {"a": ["b"]}, "a", "b"),
        ("a start missing from the graph", {"a": ["b"]}, "z", "a"),
        ("start equal to goal, a page missing from the graph (still [start])", {"a": ["b"]}, "z", "z"),
    ]
    for seed in range(4):
        g = _random_graph(12, seed, p=0.18)
        rng = random.Random(100 + seed)
        for _ in range(4):
            s, t = rng.sample(sorted(g), 2)
            cases.append((f"a one-way random graph of 12 pages (seed {seed}), {s} to {t}", g, s, t))
    for context, graph, start, goal in cases:
        kept = copy.deepcopy(graph)
        got = call(bfs_path, graph, start, goal, name="bfs_path", context=context)
        expected = ref.bfs_path(kept, start, goal)
        if graph != kept:
            raise CheckFailed(f"bfs_path, {context}: the graph was modified. Keep your own queue and "
                              "visited set; leave the graph as it was.")
        if expected is None:
            if got is not None:
                raise CheckFailed(f"bfs_path, {context}: {goal!r} cannot be reached from {start!r}, so "
                                  f"the answer is None; got {got!r}.")
            continue
        if not isinstance(got, list) or not got:
            raise CheckFailed(f"bfs_path, {context}: expected a list of pages like {expected!r}, got {got!r}.")
        if got[0] != start or got[-1] != goal:
            raise CheckFailed(f"bfs_path, {context}: the path {got!r} must start at {start!r} and end at "
                              f"{goal!r} (did you return it reversed?).")
        for u, v in zip(got, got[1:], strict=False):
            if v not in graph.get(u, ()):
                raise CheckFailed(f"bfs_path, {context}: {got!r} steps from {u!r} to {v!r}, which is not a "
                                  f"link of {u!r} (links are one-way).")
        if len(got) != len(expected):
            raise CheckFailed(
                f"bfs_path, {context}: your path {got!r} has {len(got) - 1} moves, but a shortest one "
                f"has {len(expected) - 1}, e.g. {expected!r}. Breadth-first: a FIFO queue "
                "(collections.deque.popleft), pages marked when first enqueued.")


# ------------------------------------------------------------------------------ WikiGameEnv


def _describe_step(out: Any) -> str:
    return repr(out)[:300]


def _expect_obs(got: Any, expected: dict, *, context: str) -> None:
    if not isinstance(got, dict) or set(got) != {"page", "links", "goal"}:
        raise CheckFailed(f"WikiGameEnv, {context}: the observation should be a dict with keys "
                          f"'page', 'links', 'goal'; got {got!r}.")
    if (got["page"], list(got["links"]), got["goal"]) != (expected["page"], list(expected["links"]), expected["goal"]):
        raise CheckFailed(f"WikiGameEnv, {context}: observation {got!r}, expected {expected!r}.")


def _expect_info(got: Any, expected: dict, *, context: str) -> None:
    if not isinstance(got, dict):
        raise CheckFailed(f"WikiGameEnv, {context}: info should be a dict, got {got!r}.")
    for key in ("moves", "path", "invalid"):
        if key not in got or got[key] != expected[key]:
            raise CheckFailed(
                f"WikiGameEnv, {context}: info[{key!r}] is {got.get(key, '(missing)')!r}, expected "
                f"{expected[key]!r}. moves counts every step (an invalid one too); path lists the pages "
                "visited, the start included; invalid says whether this step's index was out of range.")


def _play_both(env_cls: Any, graph: dict, start: str, goal: str, actions: Sequence[int], *, context: str,
               max_moves: int | None = None) -> Any:
    kwargs = {} if max_moves is None else {"max_moves": max_moves}
    mine = call(env_cls, graph, name="WikiGameEnv", context=context, **kwargs)
    theirs = ref.WikiGameEnv(graph, **kwargs)
    options = {"start": start, "goal": goal}
    got = mine.reset(options=dict(options))
    expected = theirs.reset(options=dict(options))
    if not isinstance(got, tuple) or len(got) != 2:
        raise CheckFailed(f"WikiGameEnv, {context}: reset must return (observation, info), got {_describe_step(got)}.")
    _expect_obs(got[0], expected[0], context=f"{context}, after reset")
    _expect_info(got[1], expected[1], context=f"{context}, after reset")
    infos = [("after reset", got[1], list(expected[1]["path"]))]
    for k, action in enumerate(actions):
        step = f"{context}, step {k + 1} (action {action})"
        got = mine.step(action)
        expected = theirs.step(action)
        if not isinstance(got, tuple) or len(got) != 5:
            raise CheckFailed(f"WikiGameEnv, {step}: step must return (obs, reward, terminated, truncated, "
                              f"info), got {_describe_step(got)}.")
        obs, reward, terminated, truncated, info = got
        _expect_obs(obs, expected[0], context=step)
        if (float(reward), bool(terminated), bool(truncated)) != (expected[1], expected[2], expected[3]):
            raise CheckFailed(
                f"WikiGameEnv, {step}: (reward, terminated, truncated) = {(reward, terminated, truncated)!r}, "
                f"expected {expected[1:4]!r}. Reward 1.0 and terminated only on reaching the goal; "
                f"truncated when the {theirs.max_moves}th move ends elsewhere; never both.")
        _expect_info(info, expected[4], context=step)
        infos.append((f"step {k + 1}", info, list(expected[4]["path"])))
        if terminated or truncated:
            break
    for when, info, path in infos:
        if list(info["path"]) != path:
            raise CheckFailed(
                f"WikiGameEnv, {context}: the info returned {when} said path {path!r} then, but now says "
                f"{info['path']!r}: it is the env's own list, which later steps extend. Put a copy in info "
                "(list(self.path)), so each step's record keeps the pages visited up to that step.")
    return mine


@check("2.4", "WikiGameEnv")
def check_wiki_game_env(WikiGameEnv) -> None:
    """Reset with options; valid, invalid (too large, negative) and winning moves; truncation at
    exactly max_moves (10 and 3); a win on the last move; no step after the end; seeded resets."""
    import gymnasium as gym

    check_defaults(WikiGameEnv, ref.WikiGameEnv, name="WikiGameEnv")
    env = call(WikiGameEnv, GAME, name="WikiGameEnv", context="the small game graph")
    if not isinstance(env, gym.Env):
        raise CheckFailed("WikiGameEnv: the class must subclass gymnasium.Env.")
    _play_both(WikiGameEnv, GAME, "start", "goal", [0, 1, 1], context="start → left → mid → goal")
    _play_both(WikiGameEnv, GAME, "start", "goal", [5, 0, -1, 1, 1], context="invalid actions 5 and -1 cost moves")
    _play_both(WikiGameEnv, GAME, "start", "goal", [2, 0, 2, 1, 3, 1],
               context="actions equal to the number of links (one past the last) are invalid")
    bounce = [0, 0] * 6
    _play_both(WikiGameEnv, GAME, "start", "goal", bounce, context="bouncing start ↔ left (truncated at 10)")
    _play_both(WikiGameEnv, GAME, "start", "goal", bounce, context="bouncing with max_moves=3", max_moves=3)
    _play_both(WikiGameEnv, GAME, "start", "goal", [9] * 6 + [0, 1, 1, 0], context="reaching the goal on move 9")
    _play_both(WikiGameEnv, GAME, "start", "goal", [9] * 7 + [0, 1, 1, 0],
               context="reaching the goal exactly on move 10")
    _play_both(WikiGameEnv, GAME, "start", "goal", [9] * 8 + [0, 1, 1, 0],
               context="would reach the goal on move 11 (truncated at 10)")
    late = _play_both(WikiGameEnv, GAME, "start", "goal", [0, 0] * 5, context="ten bounces")
    try:
        late.step(0)
    except RuntimeError:
        pass
    except Exception as error:  # noqa: BLE001
        raise CheckFailed(f"WikiGameEnv, a step after truncation: raise RuntimeError, got "
                          f"{type(error).__name__}: {error}") from None
    else:
        raise CheckFailed("WikiGameEnv, a step after truncation at 10 moves: expected RuntimeError. An "
                          "episode that may continue lets a runner count a success on move 11.")
    late.reset(options={"start": "mid", "goal": "goal"})
    out = late.step(1)
    if not (out[2] and out[4]["moves"] == 1 and out[4]["path"] == ["mid", "goal"]):
        raise CheckFailed(f"WikiGameEnv, reset after an episode, then mid → goal: got {_describe_step(out)}; "
                          "reset must clear the move count and the path.")
    # seeded resets without options
    pairs = []
    for seed in range(12):
        env = WikiGameEnv(GAME)
        obs, info = env.reset(seed=seed)
        again = WikiGameEnv(GAME).reset(seed=seed)[0]
        if not isinstance(obs, dict) or obs.get("page") not in GAME or obs.get("goal") not in GAME:
            raise CheckFailed(f"WikiGameEnv, reset(seed={seed}) without options: expected start and goal "
                              f"among the graph's pages, got {obs!r}.")
        if obs["page"] == obs["goal"]:
            raise CheckFailed(f"WikiGameEnv, reset(seed={seed}): start and goal are both {obs['page']!r}; "
                              "draw two different pages.")
        if (again["page"], again["goal"]) != (obs["page"], obs["goal"]):
            raise CheckFailed(f"WikiGameEnv, reset(seed={seed}) twice: different pairs. Draw with "
                              "self.np_random after super().reset(seed=seed).")
        pairs.append((obs["page"], obs["goal"]))
    if len(set(pairs)) < 4:
        raise CheckFailed(f"WikiGameEnv, reset with seeds 0–11: only {len(set(pairs))} different pairs; "
                          "the pair should be random.")


# ------------------------------------------------------------------------------ play_episode


class _LenientEnv(ref.WikiGameEnv):  # type: ignore[misc,valid-type]
    """An env that lets a caller go on stepping after truncation (as a hand-written one might)."""

    def step(self, action: int) -> tuple[dict, float, bool, bool, dict]:
        self.done = False
        return super().step(action)


def _scripted_policy(actions: Sequence[int], calls: list[dict]) -> Callable[[dict], int]:
    queue = list(actions)

    def policy(obs: dict) -> int:
        calls.append(dict(obs))
        return queue.pop(0) if queue else 0

    return policy


@check("2.4", "play_episode")
def check_play_episode(play_episode) -> None:
    """A win, a truncated episode (also with an env that does not stop by itself), start = goal,
    a short budget; the policy sees each new observation."""
    cases = [
        ("start → left → mid → goal", ref.WikiGameEnv(GAME), "start", "goal", [0, 1, 1]),
        ("a policy bouncing start ↔ left", ref.WikiGameEnv(GAME), "start", "goal", [0, 0] * 8),
        ("bouncing, max_moves=3", ref.WikiGameEnv(GAME, max_moves=3), "start", "goal", [0, 0] * 8),
        ("an invalid action first, then the way", ref.WikiGameEnv(GAME), "start", "goal", [7, 0, 1, 1]),
        ("start equal to goal", ref.WikiGameEnv(GAME), "goal", "goal", [0]),
        ("an env that does not refuse steps after truncation; the goal would be reached on move 12",
         _LenientEnv(GAME), "start", "goal", [0, 0] * 5 + [0, 0, 0, 1, 1]),
    ]
    for context, env, start, goal, actions in cases:
        calls: list[dict] = []
        expected_calls: list[dict] = []
        got = call(play_episode, env, _scripted_policy(actions, calls), start, goal, name="play_episode",
                   context=context)
        expected = ref.play_episode(type(env)(GAME, max_moves=env.max_moves),
                                    _scripted_policy(actions, expected_calls), start, goal)
        if not isinstance(got, dict) or set(got) != {"success", "moves", "path"}:
            raise CheckFailed(f"play_episode, {context}: expected a dict with keys success, moves, path; got {got!r}.")
        for key in ("success", "moves", "path"):
            if got[key] != expected[key]:
                raise CheckFailed(
                    f"play_episode, {context}: {key} is {got[key]!r}, expected {expected[key]!r}. Stop at "
                    "terminated OR truncated; success means terminated (the goal within the budget); "
                    "moves is the number of steps.")
        if len(calls) != len(expected_calls) or any(c["page"] != e["page"] for c, e in zip(calls, expected_calls, strict=False)):
            raise CheckFailed(
                f"play_episode, {context}: the policy was called on pages {[c['page'] for c in calls]}, "
                f"expected {[e['page'] for e in expected_calls]}. Call it once per step on the latest "
                "observation (and not at all when start is the goal).")


# ------------------------------------------------------------------------------ tool_schema


def _schema_functions() -> list[tuple[str, Callable[..., Any]]]:
    def move_to(page: str) -> str:
        """  Follow a link from the current page.

        Args:
            page: a page linked from here.
        """
        return page

    def search(query: str, limit: int = 5, fuzzy: bool = False, weight: float = 1.0) -> list:
        """
        Search the pages.

        The docstring starts on its second line.
        """
        return []

    def nodoc(a, b: dict, c: list | None = None, *, d: int, e: tuple = ()):  # noqa: ANN001, ANN202
        return None

    namespace: dict[str, Any] = {}
    exec(  # a function written under `from __future__ import annotations`: string annotations
        "from __future__ import annotations\n"
        "def later(x: int, y: str = 'a', z: float = 0.5) -> str:\n"
        "    '''Annotations are strings here.\n\n    More text.'''\n"
        "    return y\n",
        namespace,
    )
    return [("move_to(page: str), a docstring with Args", move_to),
            ("search(query: str, limit: int = 5, fuzzy: bool = False, weight: float = 1.0), a docstring starting on its second line", search),
            ("nodoc(a, b: dict, c: list | None = None, *, d: int, e: tuple = ()), no docstring", nodoc),
            ("later(x: int, y: str = 'a', z: float = 0.5) under `from __future__ import annotations`",
             namespace["later"])]


@check("2.4", "tool_schema")
def check_tool_schema(tool_schema) -> None:
    """Types of every kind, defaults, no docstring, unknown annotations, string annotations."""
    for context, fn in _schema_functions():
        got = call(tool_schema, fn, name="tool_schema", context=context)
        expect_equal(got, ref.tool_schema(fn), context=f"tool_schema, {context}",
                     hint="name = fn.__name__; description = the docstring's first line, stripped; one "
                     "property per parameter with its JSON type (or {} when unknown); required = the "
                     "parameters without a default, in order. Read annotations with typing.get_type_hints.")


# ------------------------------------------------------------------------------ parse_tool_call


@check("2.4", "parse_tool_call")
def check_parse_tool_call(parse_tool_call) -> None:
    """Valid calls (spaces, several Action lines, no arguments) and every kind of invalid reply."""
    valid = [
        'Thought: go.\nAction: {"name": "move_to", "arguments": {"page": "STRINGS"}}',
        'Action: {"name": "get_links", "arguments": {}}',
        '   Action:{"name": "get_links"}',
        'Action: {"name": "a", "arguments": {"x": 1}}\nThought: no, better:\nAction: {"name": "b", "arguments": {"y": [2]}}',
        'Thought: I will write Action: {"name": "no"} later\nAction: {"name": "yes", "arguments": {}}',
        'Action: {"name": "lookahead", "arguments": {"page": "lambda"}}\n',
        'Action: {"name": "a", "arguments": {}}\nThought: next time Action: {"name": "b", "arguments": {}}',
    ]
    for text in valid:
        got = call(parse_tool_call, text, name="parse_tool_call", context=f"reply {text!r}")
        expect_equal(got, ref.parse_tool_call(text), context=f"parse_tool_call, reply {text!r}",
                     hint='the last line that starts with "Action:" (after stripping); JSON after the colon; '
                     '{"name": ..., "arguments": ... or {}}.')
    invalid = [
        "Thought: I am done.",
        'Thought: I could reply Action: {"name": "x", "arguments": {}}',
        "Action: move_to(page='STRINGS')",
        'Action: {"name": "move_to", "arguments": {"page": "STRINGS"}',
        'Action: ["move_to", {"page": "STRINGS"}]',
        'Action: {"name": 3, "arguments": {}}',
        'Action: {"arguments": {}}',
        'Action: {"name": "move_to", "arguments": ["STRINGS"]}',
        'Action: {"name": "move_to", "arguments": "STRINGS"}',
        'Action: {"name": "move_to", "arguments": null}',
        'Action: {"name": "get_links", "arguments": []}',
        'Action: "move_to"',
        "",
    ]
    for text in invalid:
        try:
            got = parse_tool_call(text)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001
            raise CheckFailed(f"parse_tool_call, reply {text!r}: raised {type(error).__name__}: {error}; "
                              "every bad reply must raise ValueError, so the loop can return the message "
                              "to the model.") from None
        raise CheckFailed(f"parse_tool_call, reply {text!r}: expected ValueError, got {got!r}. Reject a "
                          "missing Action line, invalid JSON, a non-object, a non-string name and "
                          "non-object arguments.")


# ------------------------------------------------------------------------------ run_tool_call


def _tools(log: list[str]) -> dict[str, Callable[..., Any]]:
    def add(a: int, b: int = 1) -> int:
        log.append(f"add {a} {b}")
        return a + b

    def fail(reason: str) -> str:
        raise RuntimeError(reason)

    def where() -> str:
        return "on lambda"

    def checked(page: str) -> str:
        if page != "ok":
            raise ValueError(f"{page!r} is not a link")
        return "moved"

    return {"add": add, "fail": fail, "where": where, "checked": checked}


@check("2.4", "run_tool_call")
def check_run_tool_call(run_tool_call) -> None:
    """Success (ints become text), defaults, unknown tools, wrong arguments, errors the tool raises."""
    cases = [
        ("add(a=2, b=3)", {"name": "add", "arguments": {"a": 2, "b": 3}}),
        ("add(a=2), b defaulted", {"name": "add", "arguments": {"a": 2}}),
        ("where() with no arguments key", {"name": "where"}),
        ("an unknown tool 'jump'", {"name": "jump", "arguments": {"to": "x"}}),
        ("add with an unknown argument c", {"name": "add", "arguments": {"a": 1, "c": 2}}),
        ("add with a missing argument", {"name": "add", "arguments": {}}),
        ("a tool raising RuntimeError('boom')", {"name": "fail", "arguments": {"reason": "boom"}}),
        ("a tool raising ValueError for a bad page", {"name": "checked", "arguments": {"page": "zzz"}}),
        ("checked(page='ok')", {"name": "checked", "arguments": {"page": "ok"}}),
    ]
    for context, tool_call in cases:
        try:
            got = call(run_tool_call, _tools([]), tool_call, name="run_tool_call", context=context)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001
            raise CheckFailed(f"run_tool_call, {context}: raised {type(error).__name__}: {error}. Errors are "
                              "results: return ('Error: …', True) so the model can read them.") from None
        expected = ref.run_tool_call(_tools([]), tool_call)
        expect_equal(got, expected, context=f"run_tool_call, {context}",
                     hint="(str(result), False) on success; (\"Error: unknown tool '<name>'; tools: <sorted "
                     "names>\", True) for an unknown name; (\"Error: <ExceptionType>: <message>\", True) when "
                     "the call raises.")


# ------------------------------------------------------------------------------ agent_loop


def _policy(script: Sequence[str], seen: list[list[dict]]) -> Callable[[list[dict]], str]:
    queue = list(script)

    def policy(history: list[dict]) -> str:
        seen.append([dict(m) for m in history])
        return queue.pop(0) if queue else "Final answer: done."

    return policy


def _act(name: str, **arguments: Any) -> str:
    import json

    return f"Thought: next.\nAction: {json.dumps({'name': name, 'arguments': arguments})}"


def _normalise(history: list[dict]) -> list[dict]:
    """Error texts come from the learner's own parse_tool_call / run_tool_call, whose wording
    is checked there; here an error result only has to start with 'Error:'."""
    out = []
    for m in history:
        if isinstance(m, dict) and m.get("role") == "tool" and m.get("error") is True \
                and str(m.get("content", "")).startswith("Error:"):
            m = {**m, "content": "Error: …"}
        out.append(m)
    return out


_TASK = [{"role": "system", "content": "Use the tools."}, {"role": "user", "content": "Add things."}]
_BAD = "Action: {not json"


@check("2.4", "agent_loop")
def check_agent_loop(agent_loop) -> None:
    """The history and what the policy saw at every turn, for: calls then an answer; an unknown
    tool and a parse error followed by recovery; retries capped (0, 1, 2); errors interleaved
    with successes; max_turns; the input messages unchanged."""
    check_defaults(agent_loop, ref.agent_loop, name="agent_loop")
    scenarios: list[tuple[str, list[str], dict[str, Any]]] = [
        ("two calls then a final answer", [_act("where"), _act("add", a=1, b=2), "All done: 3."], {}),
        ("an unknown tool, a parse error, then recovery",
         [_act("jump"), _BAD, _act("add", a=5), "Done."], {}),
        ("always a malformed call (default max_retries=2)", [_BAD] * 20, {}),
        ("always a malformed call, max_retries=0", [_BAD] * 20, {"max_retries": 0}),
        ("always a failing tool, max_retries=1", [_act("fail", reason="no")] * 20, {"max_retries": 1}),
        ("errors interleaved with successes, max_retries=1",
         [_BAD, _act("where"), _BAD, _act("where"), _BAD, _BAD, _act("where")], {"max_retries": 1}),
        ("a policy that never stops (default max_turns=10)", [_act("where")] * 30, {}),
        ("a policy that never stops, max_turns=3", [_act("add", a=1)] * 30, {"max_turns": 3}),
        ("an answer on the first turn", ["I need no tools."], {}),
    ]
    for context, script, kwargs in scenarios:
        messages = copy.deepcopy(_TASK)
        seen: list[list[dict]] = []
        ref_seen: list[list[dict]] = []
        got = call(agent_loop, _policy(script, seen), _tools([]), messages, name="agent_loop",
                   context=context, **kwargs)
        expected = ref.agent_loop(_policy(script, ref_seen), _tools([]), copy.deepcopy(_TASK), **kwargs)
        if messages != _TASK:
            raise CheckFailed(f"agent_loop, {context}: the messages passed in were modified; work on a new list.")
        if not isinstance(got, list):
            raise CheckFailed(f"agent_loop, {context}: expected the history as a list, got {type(got).__name__}.")
        seen = [_normalise(h) for h in seen]
        ref_seen = [_normalise(h) for h in ref_seen]
        got, expected = _normalise(got), _normalise(expected)
        for turn, (mine, theirs) in enumerate(zip(seen, ref_seen, strict=False)):
            if mine != theirs:
                last = mine[-1] if mine else None
                raise CheckFailed(
                    f"agent_loop, {context}: on turn {turn} the policy saw {len(mine)} messages ending with "
                    f"{last!r}, expected {len(theirs)} ending with {theirs[-1]!r}. Append the assistant "
                    "message and then its tool result (errors included) before asking the policy again.")
        if len(seen) != len(ref_seen):
            raise CheckFailed(
                f"agent_loop, {context}: the policy was asked {len(seen)} times, expected {len(ref_seen)}. Stop "
                "on a reply without 'Action:', after max_turns replies, or once more than max_retries "
                "tool messages in a row are errors.")
        if len(got) != len(expected):
            raise CheckFailed(f"agent_loop, {context}: the history has {len(got)} messages, expected "
                              f"{len(expected)}: {[m.get('role') for m in expected]}.")
        for i, (g, e) in enumerate(zip(got, expected, strict=False)):
            if g != e:
                raise CheckFailed(f"agent_loop, {context}: message {i} is {g!r}, expected {e!r}. Assistant "
                                  "messages with an action and their tool results share tool_call_id "
                                  "f'call_{turn}'; tool messages carry 'error'.")


# ------------------------------------------------------------------------------ truncate_history


def _long_history(n_turns: int, system: bool = True, dangling: bool = False) -> list[dict]:
    messages: list[dict] = [{"role": "system", "content": "sys"}] if system else []
    messages.append({"role": "user", "content": "task"})
    for t in range(n_turns):
        messages.append({"role": "assistant", "content": f"act {t}", "tool_call_id": f"call_{t}"})
        messages.append({"role": "tool", "tool_call_id": f"call_{t}", "content": f"result {t}", "error": False})
    if dangling:
        messages.append({"role": "assistant", "content": "act last", "tool_call_id": "call_x"})
    else:
        messages.append({"role": "assistant", "content": "done"})
    return messages


@check("2.4", "truncate_history")
def check_truncate_history(truncate_history) -> None:
    """Every budget from 1 to beyond the length, with and without a system prompt, ending with an
    answer or with a call awaiting its result; no tool result without its call."""
    for system in (True, False):
        for dangling in (False, True):
            history = _long_history(4, system=system, dangling=dangling)
            for budget in range(1, len(history) + 3):
                context = (f"{len(history)} messages ({'with' if system else 'no'} system prompt, ending "
                           f"with {'a call awaiting its result' if dangling else 'an answer'}), "
                           f"max_messages={budget}")
                kept = copy.deepcopy(history)
                got = call(truncate_history, history, budget, name="truncate_history", context=context)
                if history != kept:
                    raise CheckFailed(f"truncate_history, {context}: the input list was modified.")
                expected = ref.truncate_history(kept, budget)
                if not isinstance(got, list):
                    raise CheckFailed(f"truncate_history, {context}: expected a list, got {type(got).__name__}.")
                calls = {m.get("tool_call_id") for m in got if m.get("role") == "assistant"}
                orphans = [m for m in got if m.get("role") == "tool" and m.get("tool_call_id") not in calls]
                if orphans:
                    raise CheckFailed(f"truncate_history, {context}: the tool result {orphans[0]!r} is kept "
                                      "but the assistant message that called it was dropped. Drop leading tool "
                                      "messages of the kept suffix.")
                if len(got) > budget:
                    raise CheckFailed(f"truncate_history, {context}: {len(got)} messages kept, more than "
                                      f"max_messages={budget} (the system prompt counts).")
                if got != expected:
                    raise CheckFailed(
                        f"truncate_history, {context}: kept {[m['content'] for m in got]}, expected "
                        f"{[m['content'] for m in expected]}. Keep messages[0] if it is the system prompt, "
                        "then the longest suffix of the rest that fits and does not start with a tool result.")
                if any(m is not o for m, o in zip(got, ref.truncate_history(history, budget), strict=False)):
                    raise CheckFailed(f"truncate_history, {context}: the kept messages are copies; return the "
                                      "same dict objects, as the docstring says (a caller may match them by identity).")
    # one call answered by two tool messages (parallel tool calls): a cut may land on either
    parallel: list[dict] = [{"role": "system", "content": "sys"}, {"role": "user", "content": "task"}]
    for t in range(3):
        parallel.append({"role": "assistant", "content": f"act {t}", "tool_call_id": f"call_{t}"})
        for part in "ab":
            parallel.append({"role": "tool", "tool_call_id": f"call_{t}", "content": f"result {t}{part}", "error": False})
    parallel.append({"role": "assistant", "content": "done"})
    for budget in range(1, len(parallel) + 1):
        context = f"a call answered by two tool messages (parallel calls), max_messages={budget}"
        got = call(truncate_history, parallel, budget, name="truncate_history", context=context)
        expected = ref.truncate_history(parallel, budget)
        if not isinstance(got, list) or [m.get("content") for m in got] != [m["content"] for m in expected]:
            shown = [m.get("content") for m in got] if isinstance(got, list) else got
            raise CheckFailed(
                f"truncate_history, {context}: kept {shown}, expected {[m['content'] for m in expected]}. "
                "Drop leading tool messages while the first kept one is a tool message (a loop, not a "
                "single check): a call may have several results.")


# ------------------------------------------------------------------------------ wiki_tools


def _tool_name(t: Any) -> str:
    from inspect_ai.tool import ToolDef

    return ToolDef(t).name


@check("2.4", "wiki_tools")
def check_wiki_tools(wiki_tools) -> None:
    """Three tools in order; their texts on a walk to the goal, on truncation and lookahead; a
    ToolError that spends no move."""
    from inspect_ai.tool import ToolError

    def pair(max_moves: int = 10) -> tuple[Any, Any]:
        envs = []
        for _ in range(2):
            env = ref.WikiGameEnv(GAME, max_moves=max_moves)
            env.reset(options={"start": "start", "goal": "goal"})
            envs.append(env)
        return envs[0], envs[1]

    mine_env, ref_env = pair()
    tools = call(wiki_tools, mine_env, name="wiki_tools", context="the small game, start → goal")
    if not isinstance(tools, list) or len(tools) != 3:
        raise CheckFailed(f"wiki_tools: expected a list of three Inspect tools, got {tools!r}.")
    try:
        names = [_tool_name(t) for t in tools]
    except Exception as error:  # noqa: BLE001
        raise CheckFailed(f"wiki_tools: these are not Inspect tools ({error}). Decorate each factory with "
                          "@tool and call it: [get_links(), move_to(), lookahead()].") from None
    if names != ["get_links", "move_to", "lookahead"]:
        raise CheckFailed(f"wiki_tools: tools named {names}, expected ['get_links', 'move_to', 'lookahead'].")
    theirs = dict(zip(names, ref.wiki_tools(ref_env), strict=False))
    mine = dict(zip(names, tools, strict=False))

    def same(name: str, context: str, **kwargs: Any) -> None:
        expected_error = got_error = None
        try:
            expected = _await(theirs[name](**kwargs))
        except ToolError as error:
            expected, expected_error = None, error
        try:
            got = _await(mine[name](**kwargs))
        except ToolError as error:
            got, got_error = None, error
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001
            raise CheckFailed(f"wiki_tools, {context}: {name} raised {type(error).__name__}: {error}. Raise "
                              "ToolError for a page that is not a link, so Inspect returns it to the model.") from None
        if expected_error is not None:
            if got_error is None:
                raise CheckFailed(f"wiki_tools, {context}: expected ToolError, got {got!r}.")
        elif got_error is not None:
            raise CheckFailed(f"wiki_tools, {context}: raised ToolError({got_error}), expected {expected!r}.")
        elif got != expected:
            raise CheckFailed(f"wiki_tools, {context}: {name} returned {got!r}, expected {expected!r}.")
        if (mine_env.page, mine_env.path) != (ref_env.page, ref_env.path):
            raise CheckFailed(f"wiki_tools, {context}: the env is on {mine_env.page!r} after {mine_env.path!r}, "
                              f"expected {ref_env.page!r} after {ref_env.path!r}.")

    same("get_links", "get_links() at the start")
    same("lookahead", "lookahead('left') from start", page="left")
    same("lookahead", "lookahead('mid') from start (not a link)", page="mid")
    same("move_to", "move_to('goal') from start (not a link, no move spent)", page="goal")
    same("move_to", "move_to('left')", page="left")
    same("get_links", "get_links() on left")
    same("move_to", "move_to('mid')", page="mid")
    same("move_to", "move_to('goal') (reaches it)", page="goal")
    mine_env, ref_env = pair(max_moves=2)
    theirs = dict(zip(names, ref.wiki_tools(ref_env), strict=False))
    mine = dict(zip(names, call(wiki_tools, mine_env, name="wiki_tools", context="max_moves=2"), strict=False))
    same("move_to", "max_moves=2, move_to('right')", page="right")
    same("move_to", "max_moves=2, move_to('right2') (the last move)", page="right2")


# ------------------------------------------------------------------------------ rank_links


class _RecordingChat:
    """A chat model whose log-probs are a fixed function of (prompt, continuation); records calls."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[list[dict], list[str], bool]] = []

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        raise CheckFailed("rank_links: use chat.logprobs, not chat.complete; the agent scores links, it does "
                          "not generate text.")

    def logprobs(self, messages: Any, continuations: Sequence[str], *, whole_reply: bool = False) -> list[float]:
        chat = [{"role": "user", "content": messages}] if isinstance(messages, str) else [dict(m) for m in messages]
        self.calls.append((chat, list(continuations), whole_reply))
        text = "".join(m["content"] for m in chat)
        return [-(sum(map(ord, c + text)) % 97) / 7 - (0.5 if whole_reply else 0.0) for c in continuations]


@check("2.4", "rank_links")
def check_rank_links(rank_links) -> None:
    """One batched call with the formatted prompt and whole replies; scores in link order; the
    default and the ReAct template; no links."""
    check_defaults(rank_links, ref.rank_links, name="rank_links")
    cases = [
        ("goal STRINGS, 4 links, the default template", "STRINGS", ["TYPES", "str", "FORMATTING", "UNICODE"], {}),
        ("goal lambda, 1 link", "lambda", ["FUNCTIONS"], {}),
        ("goal EXCEPTIONS, 3 links, the ReAct template", "EXCEPTIONS", ["try", "raise", "EXECUTION"],
         {"template": ref.REACT_TEMPLATE}),
    ]
    for context, goal, links, kwargs in cases:
        chat, expected_chat = _RecordingChat(), _RecordingChat()
        got = call(rank_links, chat, goal, list(links), name="rank_links", context=context, **kwargs)
        expected = ref.rank_links(expected_chat, goal, list(links), **kwargs)
        if len(chat.calls) != 1:
            raise CheckFailed(f"rank_links, {context}: {len(chat.calls)} calls to chat.logprobs, expected one "
                              "batched call with every link as a continuation.")
        if chat.calls[0] != expected_chat.calls[0]:
            messages, conts, whole = chat.calls[0]
            e_messages, e_conts, e_whole = expected_chat.calls[0]
            raise CheckFailed(
                f"rank_links, {context}: chat.logprobs({messages!r}, {conts!r}, whole_reply={whole}), expected "
                f"chat.logprobs({e_messages!r}, {e_conts!r}, whole_reply={e_whole}). One user message "
                "template.format(goal=goal); the links in order; whole_reply=True (a link's name is the whole "
                "reply, so 'str' does not get the credit of 'STRINGS').")
        if not isinstance(got, list) or len(got) != len(expected) or any(
                not isinstance(g, float) or not math.isclose(g, e) for g, e in zip(got, expected, strict=False)):
            raise CheckFailed(f"rank_links, {context}: returned {got!r}, expected {expected!r}: the log-probs as "
                              "floats, in the links' order (not sorted).")
    chat = _RecordingChat()
    got = call(rank_links, chat, "STRINGS", [], name="rank_links", context="no links")
    if got != [] or chat.calls:
        raise CheckFailed(f"rank_links, no links: expected [] and no model call, got {got!r} after "
                          f"{len(chat.calls)} calls.")


# ------------------------------------------------------------------------------ elicited_choice


@check("2.4", "elicited_choice")
def check_elicited_choice(elicited_choice) -> None:
    """Each rule on its own, the rules' order, ties, every link visited; lookahead only as told."""
    neighbours = {"a": ["x", "y"], "b": ["G", "z"], "c": ["G"], "d": ["w"], "e": []}

    def look(page: str) -> list[str]:
        return list(neighbours.get(page, []))

    cases = [
        ("the goal G is a link (at index 2) though another link scores higher",
         ["a", "d", "G"], {"a": 5.0, "d": 9.0, "G": -9.0}, set()),
        ("no goal among links; 'b' and 'c' both lead to G: the first one, b",
         ["a", "c", "b"], {"a": 1.0, "b": 0.0, "c": -3.0}, set()),
        ("no lookahead hit: the best score, d", ["a", "d", "e"], {"a": -2.0, "d": -1.0, "e": -5.0}, set()),
        ("no lookahead hit, the best-scored link visited: the best unvisited, a",
         ["a", "d", "e"], {"a": -2.0, "d": -1.0, "e": -5.0}, {"d", "here"}),
        ("every link visited: the best overall, d",
         ["a", "d", "e"], {"a": -2.0, "d": -1.0, "e": -5.0}, {"a", "d", "e"}),
        ("a tie in score: the earlier link", ["e", "a", "d"], {"a": 0.5, "d": 0.5, "e": 0.1}, set()),
        ("a lookahead hit that was visited still wins (it ends the game next move)",
         ["a", "c"], {"a": 3.0, "c": -3.0}, {"c"}),
        ("a single link", ["e"], {"e": -1.0}, {"e"}),
        ("the goal G is a link (index 1) and link 0, b, also leads to G: the goal itself (rule 1 before rule 2)",
         ["b", "G"], {"b": 0.0, "G": -1.0}, set()),
    ]
    for context, links, scores, visited in cases:
        obs = {"page": "here", "links": tuple(links), "goal": "G"}
        got = call(elicited_choice, dict(obs), dict(scores), set(visited), look, name="elicited_choice",
                   context=context)
        expected = ref.elicited_choice(obs, scores, visited, look)
        if not isinstance(got, (int, np.integer)) or isinstance(got, bool) or int(got) != expected:
            raise CheckFailed(
                f"elicited_choice, {context}: chose {got!r}, expected {expected} ({links[expected]!r}). Rules in "
                "order: the goal if it is a link; else the first link whose lookahead contains the goal; else "
                "the best score among unvisited links (all links if all were visited), ties to the earliest.")


# ------------------------------------------------------------------------------ paired_bootstrap


@check("2.4", "paired_bootstrap")
def check_paired_bootstrap(paired_bootstrap) -> None:
    """The docstring's recipe exactly, for several seeds, sizes, alpha and n_boot; constant
    differences give a zero-width interval (only a paired bootstrap does that)."""
    check_defaults(paired_bootstrap, ref.paired_bootstrap, name="paired_bootstrap")
    rng = np.random.default_rng(7)
    easy = (rng.random(32) < 0.6).astype(float)
    cases: list[tuple[str, tuple, dict]] = [
        ("32 pairs of 0/1 successes, defaults", (list((rng.random(32) < 0.3).astype(float)), list(easy)), {}),
        ("32 pairs, seed 3, n_boot 500", (list(easy), list(np.maximum(easy, rng.random(32) < 0.3))),
         {"seed": 3, "n_boot": 500}),
        ("10 pairs of real numbers, alpha 0.1", (list(rng.normal(size=10)), list(rng.normal(1, 1, size=10))),
         {"alpha": 0.1, "n_boot": 2000}),
        ("10 pairs of real numbers, seed 5", (list(rng.normal(size=10)), list(rng.normal(0.5, 1, size=10))),
         {"seed": 5, "n_boot": 1000}),
        ("a single pair", ([0.0], [1.0]), {"n_boot": 100}),
    ]
    for context, args, kwargs in cases:
        got = call(paired_bootstrap, *args, name="paired_bootstrap", context=context, **kwargs)
        expected = ref.paired_bootstrap(*args, **kwargs)
        if not isinstance(got, tuple) or len(got) != 3:
            raise CheckFailed(f"paired_bootstrap, {context}: expected (mean, lo, hi), got {got!r}.")
        for part, g, e in zip(("mean", "lo", "hi"), got, expected, strict=False):
            if not isinstance(g, (float, int, np.floating)) or not math.isclose(float(g), e, abs_tol=1e-12):
                raise CheckFailed(
                    f"paired_bootstrap, {context}: {part} is {g!r}, expected {e:.6g}. Draw idx = "
                    "rng.integers(0, n, size=(n_boot, n)) once with rng = np.random.default_rng(seed), "
                    "average (b - a)[idx] along each row, and take np.quantile at alpha/2 and 1 - alpha/2.")
    a = list((rng.random(30) < 0.5).astype(float))
    b = [x + 0.25 for x in a]
    got = call(paired_bootstrap, a, b, name="paired_bootstrap", context="b = a + 0.25 on 30 pairs")
    if not all(isinstance(x, (float, int, np.floating)) and abs(float(x) - 0.25) < 1e-9 for x in got):
        raise CheckFailed(
            f"paired_bootstrap, b = a + 0.25 on 30 pairs: got {got!r}, expected (0.25, 0.25, 0.25). Every pair "
            "differs by exactly 0.25, so a bootstrap that resamples pairs has no spread; resampling a and b "
            "independently does, because it mixes easy and hard pairs.")
