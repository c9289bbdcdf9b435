"""GENERATED from book/2_llm_evals/2.4_llm_agents.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import inspect
import json
import pydoc
import typing
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from inspect_ai.tool import Tool, ToolError, tool

import arena_check
from arena_check.kit.chat import ChatModel

Graph = dict[str, list[str]]  # page → the pages it links to, sorted
Message = dict[str, Any]  # {"role": "system" | "user" | "assistant" | "tool", "content": str, ...}
MAX_MOVES = 10  # the game's move budget
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object"}


def help_link_graph() -> Graph:
    """The wiki game's pages: Python's help() topics, keywords and symbols, linked both ways by
    the "Related help topics" lists in `pydoc.Helper`. Only the largest connected component is kept,
    so every goal is reachable from every start. Deterministic for a given Python version."""
    related: dict[str, set[str]] = {}
    for table in (pydoc.Helper.topics, pydoc.Helper.keywords, pydoc.Helper.symbols):
        for name, entry in table.items():
            words = entry[1] if isinstance(entry, tuple) else entry
            related.setdefault(name, set()).update(words.split())
    links: dict[str, set[str]] = {}
    for page, others in related.items():
        links.setdefault(page, set())
        for other in others:
            links[page].add(other)
            links.setdefault(other, set()).add(page)
    components: list[set[str]] = []
    seen: set[str] = set()
    for page in sorted(links):
        if page in seen:
            continue
        component, frontier = {page}, [page]
        while frontier:
            for other in links[frontier.pop()]:
                if other not in component:
                    component.add(other)
                    frontier.append(other)
        seen |= component
        components.append(component)
    biggest = max(components, key=len)
    return {page: sorted(links[page]) for page in sorted(biggest)}


class WikiGameBase(gym.Env):
    """The wiki game's state, shared by the exercise's env: the graph, the current page, the goal,
    the pages visited (start included) and whether the episode has ended."""

    def __init__(self, graph: Mapping[str, Sequence[str]], max_moves: int = MAX_MOVES) -> None:
        self.graph = {page: tuple(links) for page, links in graph.items()}
        self.pages = sorted(self.graph)
        self.max_moves = max_moves
        self.action_space = spaces.Discrete(max(len(v) for v in self.graph.values()))
        self.page = self.goal = ""
        self.path: list[str] = []
        self.done = True

    def _obs(self) -> dict[str, Any]:
        return {"page": self.page, "links": self.graph.get(self.page, ()), "goal": self.goal}


PLAIN_TEMPLATE = "Name one Python help topic that is closely related to {goal}."
REACT_TEMPLATE = (
    "Goal: reach the Python help page {goal}.\n"
    "Thought: open the page closest in meaning to {goal}.\nAction: move_to"
)


def bfs_path(graph: Mapping[str, Sequence[str]], start: str, goal: str) -> list[str] | None:
    """A shortest path [start, ..., goal] following graph's links (they may be one-way), or
    None if goal cannot be reached. [start] when start == goal. Any shortest path is accepted;
    the graph is not modified; a page missing from graph has no links."""
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        page = queue.popleft()
        if page == goal:
            path = [page]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for other in graph.get(page, ()):
            if other not in parent:
                parent[other] = page
                queue.append(other)
    return None


class WikiGameEnv(WikiGameBase):
    """The wiki game. Observation: {"page": str, "links": tuple of the page's links (graph order),
    "goal": str}. Action: an int index into obs["links"]. Info: {"moves": int, "path": the pages
    visited so far, start included, as a new list each call (a snapshot: later steps must not
    change it), "invalid": bool (this step's action was out of range)}.

    reset(seed=None, options=None) -> (obs, info): options {"start", "goal"} choose the pair;
    without options, start and goal are two different pages drawn with self.np_random.
    step(action) -> (obs, reward, terminated, truncated, info): an index outside
    range(len(links)) leaves the page unchanged but still costs a move (info["invalid"] True).
    terminated: the page is the goal (reward 1.0); truncated: max_moves moves made without
    reaching it (reward 0.0); never both. Stepping after the episode ended raises RuntimeError.
    """

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[dict, dict]:
        super().reset(seed=seed)
        if options is not None:
            self.page, self.goal = options["start"], options["goal"]
        else:
            i, j = self.np_random.choice(len(self.pages), size=2, replace=False)
            self.page, self.goal = self.pages[int(i)], self.pages[int(j)]
        self.path = [self.page]
        self.done = self.page == self.goal
        return self._obs(), {"moves": 0, "path": list(self.path), "invalid": False}

    def step(self, action: int) -> tuple[dict, float, bool, bool, dict]:
        if self.done:
            raise RuntimeError("the episode has ended; call reset()")
        links = self.graph.get(self.page, ())
        invalid = not (0 <= int(action) < len(links))
        if not invalid:
            self.page = links[int(action)]
        self.path.append(self.page)
        moves = len(self.path) - 1
        terminated = self.page == self.goal
        truncated = not terminated and moves >= self.max_moves
        self.done = terminated or truncated
        info = {"moves": moves, "path": list(self.path), "invalid": invalid}
        return self._obs(), 1.0 if terminated else 0.0, terminated, truncated, info


def play_episode(env: gym.Env, policy: Callable[[dict], int], start: str, goal: str) -> dict:
    """Reset env with options {"start", "goal"}, then step policy(obs) until terminated or
    truncated. Returns {"success": bool (the episode terminated, i.e. reached the goal within the
    env's budget), "moves": int (steps taken), "path": list[str] (pages, start included)}.
    start == goal is a success in 0 moves, and the policy is not called."""
    obs, info = env.reset(options={"start": start, "goal": goal})
    if start == goal:
        return {"success": True, "moves": 0, "path": [start]}
    while True:
        obs, reward, terminated, truncated, info = env.step(policy(obs))
        if terminated or truncated:
            return {"success": bool(terminated), "moves": info["moves"], "path": info["path"]}


def tool_schema(fn: Callable[..., Any]) -> dict[str, Any]:
    """{"name": fn.__name__, "description": the first line of inspect.getdoc(fn), stripped (""
    if none), "parameters": {"type": "object", "properties": {param: {"type": JSON_TYPES[annotation]}
    for each parameter in signature order}, "required": [params without a default, in order]}}.
    A parameter whose annotation is missing or not in JSON_TYPES gets {} (any type)."""
    hints = typing.get_type_hints(fn)
    properties: dict[str, Any] = {}
    required = []
    for name, param in inspect.signature(fn).parameters.items():
        kind = JSON_TYPES.get(hints.get(name))  # type: ignore[arg-type]
        properties[name] = {"type": kind} if kind else {}
        if param.default is inspect.Parameter.empty:
            required.append(name)
    doc = inspect.getdoc(fn) or ""
    return {
        "name": fn.__name__,
        "description": doc.splitlines()[0].strip() if doc else "",
        "parameters": {"type": "object", "properties": properties, "required": required},
    }


def parse_tool_call(text: str) -> dict[str, Any]:
    """{"name": str, "arguments": dict} from the last line of text that starts (after leading
    spaces) with "Action:"; the rest of that line is a JSON object with exactly those two keys'
    meaning ("arguments" may be missing → {}). Raises ValueError (never another exception) if
    there is no Action line, the JSON is invalid or not an object, "name" is not a string, or
    "arguments" is not an object."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("Action:")]
    if not lines:
        raise ValueError('no "Action:" line; reply with Action: {"name": ..., "arguments": {...}}')
    try:
        call = json.loads(lines[-1][len("Action:"):])
    except json.JSONDecodeError as error:
        raise ValueError(f"the Action line is not valid JSON: {error}") from None
    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
        raise ValueError('the Action must be a JSON object with a string "name"')
    arguments = call.get("arguments", {})
    if not isinstance(arguments, dict):
        raise ValueError('"arguments" must be a JSON object')
    return {"name": call["name"], "arguments": arguments}


def run_tool_call(tools: Mapping[str, Callable[..., Any]], call: Mapping[str, Any]) -> tuple[str, bool]:
    """(content, error). Success: (str(tools[name](**arguments)), False). An unknown name:
    ("Error: unknown tool '<name>'; tools: <names, comma-separated, sorted>", True). Any exception
    raised by the call (wrong arguments included): ("Error: <ExceptionType>: <message>", True)."""
    name = call["name"]
    if name not in tools:
        return f"Error: unknown tool {name!r}; tools: {', '.join(sorted(tools))}", True
    try:
        return str(tools[name](**call.get("arguments", {}))), False
    except Exception as error:  # noqa: BLE001 — the model reads the error and may correct itself
        return f"Error: {type(error).__name__}: {error}", True


def agent_loop(
    policy: Callable[[list[Message]], str],
    tools: Mapping[str, Callable[..., Any]],
    messages: Sequence[Message],
    max_turns: int = MAX_MOVES,
    max_retries: int = 2,
) -> list[Message]:
    """The history after the run: a new list starting with copies of messages (not modified).

    Each turn t = 0, 1, …: text = policy(history). If text has no "Action:" it is appended as
    {"role": "assistant", "content": text} and the loop ends. Otherwise append
    {"role": "assistant", "content": text, "tool_call_id": f"call_{t}"}, then
    {"role": "tool", "tool_call_id": f"call_{t}", "content": c, "error": e} where (c, e) comes
    from run_tool_call(tools, parse_tool_call(text)), or (f"Error: {message}", True) if parsing
    raised ValueError. Stop after max_turns turns, or once more than max_retries consecutive
    tool messages are errors."""
    history = [dict(m) for m in messages]
    failures = 0
    for turn in range(max_turns):
        text = policy(history)
        if "Action:" not in text:
            history.append({"role": "assistant", "content": text})
            break
        call_id = f"call_{turn}"
        history.append({"role": "assistant", "content": text, "tool_call_id": call_id})
        try:
            content, error = run_tool_call(tools, parse_tool_call(text))
        except ValueError as problem:
            content, error = f"Error: {problem}", True
        history.append({"role": "tool", "tool_call_id": call_id, "content": content, "error": error})
        failures = failures + 1 if error else 0
        if failures > max_retries:
            break
    return history


def truncate_history(messages: Sequence[Message], max_messages: int) -> list[Message]:
    """messages[0] if its role is "system" (always kept), followed by the longest suffix of the
    other messages that fits in the remaining max_messages budget and does not begin with a
    "tool" message. Messages are the same dict objects, in order; the input is not modified.
    max_messages >= 1."""
    head = list(messages[:1]) if messages and messages[0]["role"] == "system" else []
    rest = list(messages[len(head):])
    budget = max_messages - len(head)
    tail = rest[max(0, len(rest) - budget):] if budget > 0 else []
    while tail and tail[0]["role"] == "tool":
        tail = tail[1:]
    return head + tail


def wiki_tools(env: WikiGameEnv) -> list[Tool]:
    """[get_links(), move_to(), lookahead()] as Inspect tools over env (already reset).

    get_links() -> "You are on {page}. Goal: {goal}. Links: {links joined by ', '}".
    move_to(page) follows the link (one env.step) and returns "You reached the goal {goal} in
    {moves} moves." / "Out of moves on {page}." / "Moved to {page}. Links: {links}".
    lookahead(page) -> "Links from {page}: {its links}" without moving.
    move_to and lookahead raise ToolError(...) for a page that is not a link of the current page
    (no move is spent)."""

    @tool
    def get_links() -> Tool:
        async def execute() -> str:
            """Show the current page, the goal and the current page's links."""
            return f"You are on {env.page}. Goal: {env.goal}. Links: {', '.join(env.graph[env.page])}"

        return execute

    @tool
    def move_to() -> Tool:
        async def execute(page: str) -> str:
            """Follow a link from the current page (costs one move).

            Args:
                page: The name of a page linked from the current page.
            """
            links = env.graph[env.page]
            if page not in links:
                raise ToolError(f"{page!r} is not a link from {env.page}; links: {', '.join(links)}")
            obs, reward, terminated, truncated, info = env.step(links.index(page))
            if terminated:
                return f"You reached the goal {env.goal} in {info['moves']} moves."
            if truncated:
                return f"Out of moves on {env.page}."
            return f"Moved to {env.page}. Links: {', '.join(obs['links'])}"

        return execute

    @tool
    def lookahead() -> Tool:
        async def execute(page: str) -> str:
            """Show the links of a page linked from the current page, without moving.

            Args:
                page: The name of a page linked from the current page.
            """
            if page not in env.graph[env.page]:
                raise ToolError(f"{page!r} is not a link from {env.page}")
            return f"Links from {page}: {', '.join(env.graph[page])}"

        return execute

    return [get_links(), move_to(), lookahead()]


def rank_links(chat: ChatModel, goal: str, links: Sequence[str], template: str = PLAIN_TEMPLATE) -> list[float]:
    """log P(link as the whole reply | one user message template.format(goal=goal)), one float
    per link in links order, from a single chat.logprobs(..., whole_reply=True) call.
    No links → [] without calling the model."""
    if not links:
        return []
    messages = [{"role": "user", "content": template.format(goal=goal)}]
    return [float(x) for x in chat.logprobs(messages, list(links), whole_reply=True)]


def elicited_choice(
    obs: Mapping[str, Any], scores: Mapping[str, float], visited: set[str],
    lookahead: Callable[[str], Sequence[str]],
) -> int:
    """An index into obs["links"]: (1) the goal's index if the goal is a link; (2) else the first
    link (in links order) whose lookahead(link) contains the goal; (3) else the link with the
    highest scores[link] among links not in visited; if every link was visited, the highest
    among all links. Ties go to the earliest link. obs["links"] is never empty."""
    links = list(obs["links"])
    if obs["goal"] in links:
        return links.index(obs["goal"])
    for i, link in enumerate(links):
        if obs["goal"] in lookahead(link):
            return i
    fresh = [i for i, link in enumerate(links) if link not in visited] or list(range(len(links)))
    return max(fresh, key=lambda i: (scores[links[i]], -i))


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], n_boot: int = 10_000, seed: int = 0, alpha: float = 0.05
) -> tuple[float, float, float]:
    """(mean of b - a, lo, hi): with rng = np.random.default_rng(seed), draw
    idx = rng.integers(0, n, size=(n_boot, n)) once, take the mean of (b - a)[idx] along each
    row, and return its np.quantile at alpha / 2 and 1 - alpha / 2. len(a) == len(b) = n >= 1."""
    diff = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(n_boot, len(diff)))
    means = diff[idx].mean(axis=1)
    return float(diff.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
