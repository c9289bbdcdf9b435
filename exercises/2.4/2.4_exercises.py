# %% [markdown]
# *GENERATED from book/2_llm_evals/2.4_llm_agents.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 2.4 <this file>*

# %% [markdown]
# # 2.4 LLM agents and scaffolding
#
# A language model on its own maps text to text. An **agent** is a model inside a loop: it reads
# what it has seen so far, asks for a tool to be run, reads the tool's result, and goes on until the
# task is done or a budget runs out. The code around the model — tool definitions, the loop, the
# prompt, what is kept of the history — is the scaffolding. Dangerous-capability
# evaluations of agents (Kinniment et al. 2023) stress that their results hold for a model *with a
# given scaffold*, and that a failure is only a lower bound on what the model could do with a
# better one. An evaluator who under-invests in scaffolding under-estimates a model; the work of
# closing that gap is called elicitation.
#
# This section builds all of it offline, on a small task with a known optimum: a **wiki game** over
# the "related topics" links of Python's own `help()` pages (shipped with every Python, so it is
# licence-clean and needs no download). Start on one page, reach a goal page by following links, in
# at most 10 moves. Breadth-first search gives the shortest path, so every agent's path can be
# compared with the optimum.
#
# **You will be able to**
#
# - expose an environment both as a `gymnasium.Env` and as Inspect tools;
# - write a tool's JSON schema from a Python function, parse a model's tool call, and run it with
#   errors returned to the model;
# - write an agent loop that appends every tool result to the history, caps retries, and
#   truncates the history without separating a tool call from its result;
# - compare random, greedy, oracle and SmolLM2 agents on success rate and path length;
# - measure the gain of an elicited agent over a plain one with a paired bootstrap interval.
#
# **Prerequisites.** Section 2.3 (Inspect tasks, solvers and scorers). Section 3.1's gymnasium
# interface helps but is not required.
#
# **Time.** About 2½ hours: 12 exercises.
#
# ## Setup

# %%
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


# %% [markdown]
# ## Part 1 · The environment
#
# ### Exercise 1 · `bfs_path`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Return a shortest path from `start` to `goal` by breadth-first search.
#
# The oracle agent follows this path; every other agent is measured against its length. A search
# that finds *a* path but not a shortest one (depth-first, say) makes every agent look better than
# it is.
#
# <details><summary>Hint</summary>
#
# Keep a queue of pages and a `parent` dict. Mark a page as seen when you *enqueue* it; when the
# goal is reached, walk the parents back and reverse.
#
# </details>

# %%
def bfs_path(graph: Mapping[str, Sequence[str]], start: str, goal: str) -> list[str] | None:
    """A shortest path [start, ..., goal] following graph's links (they may be one-way), or
    None if goal cannot be reached. [start] when start == goal. Any shortest path is accepted;
    the graph is not modified; a page missing from graph has no links."""
    raise NotImplementedError("exercise: bfs_path")


# %%
arena_check.check("2.4", "bfs_path", bfs_path)


# %% [markdown]
# {glue:text}`share_2_6` of ordered pairs of pages are 2 to 6 links apart, and the farthest are
# {glue:text}`max_distance` apart. The pairs we evaluate on are drawn from distances 2 to 6, which
# the oracle reaches well within the 10-move budget.
#
# ### Exercise 2 · `WikiGameEnv`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Write the game as a `gymnasium.Env`: the observation is the current page, its links and the goal;
# an action is the index of a link; reaching the goal ends the episode (`terminated`, reward 1);
# the tenth move without reaching it ends it too (`truncated`, reward 0).
#
# The same interface serves an RL agent, a scripted baseline and an LLM behind tools, and it is how
# agent evaluations are built: the task lives in an environment with a budget, and success is read
# from the environment's state, not from what the agent says. The budget must be enforced by the
# environment: an agent loop that "forgets" to stop would otherwise count a success on move 14.
#
# `WikiGameBase` (in the setup cell) already holds the state — `graph`, `pages`, `max_moves`,
# `page`, `goal`, `path`, `done` — and builds the observation with `_obs()`; you write `reset` and
# `step`.
#
# <details><summary>Hint 1 · reset</summary>
#
# `super().reset(seed=seed)` seeds `self.np_random`. With `options={"start": s, "goal": g}` use
# them; without, draw two different pages with `self.np_random`.
#
# </details>
#
# <details><summary>Hint 2 · step</summary>
#
# Move (or waste the move, for an index out of range), add one to the move count, then
# `terminated = page == goal`, `truncated = not terminated and moves >= max_moves`.
#
# </details>

# %%
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
        raise NotImplementedError("exercise: WikiGameEnv.reset")

    def step(self, action: int) -> tuple[dict, float, bool, bool, dict]:
        raise NotImplementedError("exercise: WikiGameEnv.step")


# %%
arena_check.check("2.4", "WikiGameEnv", WikiGameEnv)


# %% [markdown]
# ### Exercise 3 · `play_episode`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Play one episode with a policy (a function from observation to action) and report whether it
# succeeded, in how many moves, and the path.

# %%
def play_episode(env: gym.Env, policy: Callable[[dict], int], start: str, goal: str) -> dict:
    """Reset env with options {"start", "goal"}, then step policy(obs) until terminated or
    truncated. Returns {"success": bool (the episode terminated, i.e. reached the goal within the
    env's budget), "moves": int (steps taken), "path": list[str] (pages, start included)}.
    start == goal is a success in 0 moves, and the policy is not called."""
    raise NotImplementedError("exercise: play_episode")


# %%
arena_check.check("2.4", "play_episode", play_episode)


# %% [markdown]
# Three agents need no language model. The **random** agent picks any link. The **greedy** agent
# picks the link whose name shares most letter trigrams with the goal's (`STRINGMETHODS` looks like
# `STRINGS`), and the **oracle** follows `bfs_path`.

# %% [markdown]
# ## Part 2 · Tools and the agent loop
#
# An LLM agent does not return an action index: it writes text, and the scaffold turns part of
# that text into a tool call. Models with native tool use are given each tool's **JSON
# schema** (name, description, typed parameters) and reply with a structured call; Toolformer
# (Schick et al. 2023) showed that a model can learn where such calls help. The ReAct format (Yao
# et al. 2022) interleaves a free-text `Thought:` with an `Action:` line and feeds the tool's
# result back as an observation. Here the calls are one JSON object on an `Action:` line.
#
# ### Exercise 4 · `tool_schema`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Build a tool's JSON schema from a Python function: its name, the first line of its docstring, and
# one typed property per parameter, required unless it has a default.
#
# Every agent framework (the OpenAI and Anthropic tool APIs, Inspect's `ToolInfo`) does this
# from the function's signature; writing it once shows what the model actually sees of your tool.
#
# <details><summary>Hint</summary>
#
# `inspect.signature(fn).parameters` gives names and defaults; `typing.get_type_hints(fn)` gives
# annotations as types even under `from __future__ import annotations`.
#
# </details>

# %%
def tool_schema(fn: Callable[..., Any]) -> dict[str, Any]:
    """{"name": fn.__name__, "description": the first line of inspect.getdoc(fn), stripped (""
    if none), "parameters": {"type": "object", "properties": {param: {"type": JSON_TYPES[annotation]}
    for each parameter in signature order}, "required": [params without a default, in order]}}.
    A parameter whose annotation is missing or not in JSON_TYPES gets {} (any type)."""
    raise NotImplementedError("exercise: tool_schema")


# %%
arena_check.check("2.4", "tool_schema", tool_schema)


# %% [markdown]
# The game's tools, as plain Python functions over one environment: `get_links` shows where the
# agent is, `move_to` follows a link, and `lookahead` shows a neighbour's links without spending a
# move.

# %% [markdown]
# ### Exercise 5 · `parse_tool_call`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Read the tool call out of a ReAct-style reply: the JSON object after the last line that starts
# with `Action:`, with a string `name` and a dict `arguments`. Anything else is a `ValueError`
# whose message the model will read.
#
# <details><summary>Hint</summary>
#
# `text.splitlines()`, keep the lines whose `.strip()` starts with `"Action:"`, take the last, and
# `json.loads` what follows the colon. `json.JSONDecodeError` is a `ValueError`; re-raise it with
# a message that says what was expected.
#
# </details>

# %%
def parse_tool_call(text: str) -> dict[str, Any]:
    """{"name": str, "arguments": dict} from the last line of text that starts (after leading
    spaces) with "Action:"; the rest of that line is a JSON object with exactly those two keys'
    meaning ("arguments" may be missing → {}). Raises ValueError (never another exception) if
    there is no Action line, the JSON is invalid or not an object, "name" is not a string, or
    "arguments" is not an object."""
    raise NotImplementedError("exercise: parse_tool_call")


# %%
arena_check.check("2.4", "parse_tool_call", parse_tool_call)


# %% [markdown]
# ### Exercise 6 · `run_tool_call`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Run a parsed call and return its result as text, together with whether it failed. An unknown
# tool, wrong arguments or an exception inside the tool are *results* — an error message the model
# reads and can correct — not crashes of the scaffold.

# %%
def run_tool_call(tools: Mapping[str, Callable[..., Any]], call: Mapping[str, Any]) -> tuple[str, bool]:
    """(content, error). Success: (str(tools[name](**arguments)), False). An unknown name:
    ("Error: unknown tool '<name>'; tools: <names, comma-separated, sorted>", True). Any exception
    raised by the call (wrong arguments included): ("Error: <ExceptionType>: <message>", True)."""
    raise NotImplementedError("exercise: run_tool_call")


# %%
arena_check.check("2.4", "run_tool_call", run_tool_call)


# %% [markdown]
# ### Exercise 7 · `agent_loop`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# The agent loop: ask the policy (the model) for a reply given the history, append it; if it
# contains an action, run it and append the result as a `tool` message; stop when a reply has no
# action, after `max_turns` replies, or when more than `max_retries` tool calls in a row failed.
#
# Every tool result must go back into the history: a loop that drops them leaves the model acting
# blind (it repeats moves that failed, or never learns it has arrived). The retry cap keeps a model
# that is stuck on a malformed call from spending the whole budget.
#
# <details><summary>Hint</summary>
#
# Tag the assistant message and its tool message with the same `tool_call_id`, `f"call_{turn}"`;
# a parse error is a failed call like any other.
#
# </details>

# %%
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
    raise NotImplementedError("exercise: agent_loop")


# %%
arena_check.check("2.4", "agent_loop", agent_loop)


# %% [markdown]
# Here the loop runs the oracle as a scripted "model" that writes ReAct replies. It makes one
# mistake on purpose (a page that is not a link), reads the error, and recovers:

# %% [markdown]
# ### Exercise 8 · `truncate_history`
#
# > difficulty 3/5 · importance 4/5 · 15 min
#
# Shorten a long history to at most `max_messages` messages: keep the system prompt, keep the most
# recent messages, and never keep a tool result whose tool call was dropped.
#
# Long agent runs overflow the context window; the usual fix drops the oldest turns. Cutting between
# a call and its result leaves an orphaned result, which chat APIs reject (a `tool` message must
# follow the assistant message that called it) and which confuses a model that does accept it.
#
# <details><summary>Hint</summary>
#
# Take the system message aside, take the last `max_messages - 1` of the rest, and drop leading
# messages while the first one is a `tool` message.
#
# </details>

# %%
def truncate_history(messages: Sequence[Message], max_messages: int) -> list[Message]:
    """messages[0] if its role is "system" (always kept), followed by the longest suffix of the
    other messages that fits in the remaining max_messages budget and does not begin with a
    "tool" message. Messages are the same dict objects, in order; the input is not modified.
    max_messages >= 1."""
    raise NotImplementedError("exercise: truncate_history")


# %%
arena_check.check("2.4", "truncate_history", truncate_history)


# %% [markdown]
# ## Part 3 · The game as Inspect tools
#
# Inspect runs the same loop for us: `generate(tool_calls="loop")` calls the model, runs every tool
# call it makes, appends each result as a `ChatMessageTool`, and calls the model again until a reply
# makes no call. A tool raising `ToolError` becomes an error message the model reads, as in
# `run_tool_call` (see the [Inspect tools documentation](https://inspect.aisi.org.uk/tools.html)
# and [agents documentation](https://inspect.aisi.org.uk/agents.html)).
#
# ### Exercise 9 · `wiki_tools`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Write the game's three tools for Inspect over one `WikiGameEnv`, with the texts of `game_tools`
# above; a page that is not a link raises `ToolError`.
#
# <details><summary>Hint</summary>
#
# A `@tool` function returns an `async def execute(...)` whose docstring documents each argument
# (`Args:` section): Inspect builds the schema from it, as `tool_schema` did.
#
# </details>

# %%
def wiki_tools(env: WikiGameEnv) -> list[Tool]:
    """[get_links(), move_to(), lookahead()] as Inspect tools over env (already reset).

    get_links() -> "You are on {page}. Goal: {goal}. Links: {links joined by ', '}".
    move_to(page) follows the link (one env.step) and returns "You reached the goal {goal} in
    {moves} moves." / "Out of moves on {page}." / "Moved to {page}. Links: {links}".
    lookahead(page) -> "Links from {page}: {its links}" without moving.
    move_to and lookahead raise ToolError(...) for a page that is not a link of the current page
    (no move is spent)."""
    raise NotImplementedError("exercise: wiki_tools")


# %%
arena_check.check("2.4", "wiki_tools", wiki_tools)


# %% [markdown]
# The Inspect task: each sample is a start/goal pair; a solver makes a fresh environment and its
# tools for the sample, `generate(tool_calls="loop")` is the agent loop, and the scorer asks the
# environment whether the goal was reached. SmolLM2 cannot emit tool calls (the `arena/smollm2-135m`
# provider ignores tools), so the model here is `arena/scripted` playing the oracle, with one
# deliberate bad call on the first sample; a hosted model with native tool use would run unchanged
# (`model="openai/gpt-4o-mini"`, not executed here).

# %% [markdown]
# ## Part 4 · A SmolLM2 agent
#
# A 135M model does not follow tool schemas or write reliable JSON; what it *can* give us is a
# probability for every candidate answer. The SmolLM2 agent therefore scores each link by
# $\log P(\text{link} \mid \text{prompt about the goal})$ — the link's name as the model's whole
# reply — and the scaffold moves to the best one. This is the model as a *ranker* inside a
# scaffold, a common design when a model's free-form output is unreliable.
#
# ### Exercise 10 · `rank_links`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Score a page's links with **one** batched `chat.logprobs` call: the conversation is a single user
# message, `template.format(goal=goal)`, and each link's name is a whole reply.
#
# <details><summary>Hint</summary>
#
# `chat.logprobs([{"role": "user", "content": ...}], list(links), whole_reply=True)`.
#
# </details>

# %%
def rank_links(chat: ChatModel, goal: str, links: Sequence[str], template: str = PLAIN_TEMPLATE) -> list[float]:
    """log P(link as the whole reply | one user message template.format(goal=goal)), one float
    per link in links order, from a single chat.logprobs(..., whole_reply=True) call.
    No links → [] without calling the model."""
    raise NotImplementedError("exercise: rank_links")


# %%
arena_check.check("2.4", "rank_links", rank_links)


# %% [markdown]
# ### Exercise 11 · `elicited_choice`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# The elicited agent's decision: take the goal if it is a link; else use the lookahead tool and take
# the first link whose own links contain the goal; else take the best-scored link not yet visited
# (the best overall if all were visited).
#
# Each rule is one piece of elicitation that costs the model nothing: **history** (pages
# already visited) stops the two-page loops a memoryless ranker falls into; **lookahead** turns a
# two-move problem into a one-move one.

# %%
def elicited_choice(
    obs: Mapping[str, Any], scores: Mapping[str, float], visited: set[str],
    lookahead: Callable[[str], Sequence[str]],
) -> int:
    """An index into obs["links"]: (1) the goal's index if the goal is a link; (2) else the first
    link (in links order) whose lookahead(link) contains the goal; (3) else the link with the
    highest scores[link] among links not in visited; if every link was visited, the highest
    among all links. Ties go to the earliest link. obs["links"] is never empty."""
    raise NotImplementedError("exercise: elicited_choice")


# %%
arena_check.check("2.4", "elicited_choice", elicited_choice)


# %% [markdown]
# ### The run
#
# Both SmolLM2 agents score links with a prompt that depends only on the goal, so each prompt is
# run through the model once for the whole page (its key/value cache kept) and a link's score for a
# goal is computed once and reused. To keep the model calls few, the episodes of both agents are
# replayed together: whenever an episode needs scores it does not have, it stops; all missing
# scores of all episodes are then computed, one batch per prompt (the same numbers `rank_links`
# gives, checked below), and the episodes are replayed, until none is missing. Scoring is the
# page's only expensive step: the cell takes {glue:text}`smol_seconds` s on the build's CPU, loading
# the model included, for {glue:text}`n_scores` link scores. That cost is why the pairs share three
# goals: scores are reused across the episodes of a goal.

# %% [markdown]
# The same agent runs through Inspect's tool loop unchanged: a scripted model whose reply is the
# elicited agent's `move_to` call (the scores come from the run above), against the Inspect tools of
# Exercise 9. Its outcomes on the first pairs match the gymnasium runs:

# %% [markdown]
# ## Part 5 · Results and the elicitation gain
#
# ### Exercise 12 · `paired_bootstrap`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# A confidence interval for the mean of `b − a`, where `a[i]` and `b[i]` are two agents' scores on
# the same start/goal pair: resample **pairs** with replacement, and take percentiles of the
# resampled mean differences.
#
# Both agents play the same {glue:text}`n_pairs` pairs, and pairs differ a lot in difficulty. The
# paired bootstrap keeps each pair's two results together, so that difficulty cancels in the difference;
# resampling the two agents' results independently throws that away, and gives a wider interval
# whenever the two agents tend to succeed on the same pairs.
#
# <details><summary>Hint</summary>
#
# `idx = rng.integers(0, n, size=(n_boot, n))`; `diff[idx].mean(axis=1)`; `np.quantile` at
# `alpha / 2` and `1 - alpha / 2`.
#
# </details>

# %%
def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], n_boot: int = 10_000, seed: int = 0, alpha: float = 0.05
) -> tuple[float, float, float]:
    """(mean of b - a, lo, hi): with rng = np.random.default_rng(seed), draw
    idx = rng.integers(0, n, size=(n_boot, n)) once, take the mean of (b - a)[idx] along each
    row, and return its np.quantile at alpha / 2 and 1 - alpha / 2. len(a) == len(b) = n >= 1."""
    raise NotImplementedError("exercise: paired_bootstrap")


# %%
arena_check.check("2.4", "paired_bootstrap", paired_bootstrap)

# %% [markdown]
# Over {glue:text}`n_pairs` start/goal pairs ({glue:text}`n_goals` goals) on the
# {glue:text}`n_pages`-page graph, the success rates within 10 moves are: random
# {glue:text}`succ_random`, greedy trigram overlap {glue:text}`succ_greedy`, the BFS oracle
# {glue:text}`succ_oracle`, SmolLM2 with the plain prompt {glue:text}`succ_plain`, the elicited
# scaffold with no model at all (every link scored the same) {glue:text}`succ_scaffold`, and SmolLM2
# elicited (ReAct-style prompt, history, lookahead) {glue:text}`succ_elicited`. On the pairs it
# solves, the elicited agent takes {glue:text}`elicited_moves` moves on average where the optimum is
# {glue:text}`elicited_opt`.
#
# The elicitation gain — elicited SmolLM2 against plain SmolLM2 on the same pairs — is
# {glue:text}`gain` in success rate, paired 95 % bootstrap interval {glue:text}`gain_lo` to
# {glue:text}`gain_hi` (unpaired: {glue:text}`gain_ulo` to {glue:text}`gain_uhi`; the two agree
# when one agent fails everywhere, as there is then no shared difficulty to cancel). The model's own
# share of it — elicited SmolLM2 against the same scaffold with no model — is {glue:text}`model`,
# paired interval {glue:text}`model_lo` to {glue:text}`model_hi` (unpaired {glue:text}`model_ulo`
# to {glue:text}`model_uhi`): here both agents succeed on the same easy pairs, and pairing narrows
# the interval.
#
# **What a 135M model can and cannot do here.** SmolLM2-135M cannot write tool calls or follow the
# ReAct format; it is used only to score link names given the goal, and those preferences are
# weak. Without memory, the plain agent revisits a page in {glue:text}`bounced` of its failed
# episodes — it bounces between two pages it likes until its moves run out. Compare the two
# intervals above: most of the elicitation gain is the scaffold's (history and lookahead, which any
# model would get), and the model's own contribution inside the scaffold is what the second interval
# says it is. That is the lesson METR's evaluations drew at a much larger scale: an agent's measured
# capability belongs to model *and* scaffold, so a report of "the model's" success rate must say
# which scaffold, and how much effort went into eliciting it.
#
# ## Summary
#
# - An environment with a budget and a success signal (here a `gymnasium.Env`) is what makes agent
#   runs comparable; the same game exposed as tools lets an LLM play it through Inspect.
# - Tools are functions plus a schema the model reads; calls are parsed from the model's text, and
#   errors are returned to the model as tool results, with a cap on retries.
# - The agent loop must append every tool result; history truncation must keep the system prompt
#   and never separate a tool call from its result.
# - A known optimum (BFS) turns "the agent got there" into "it got there in k moves against an
#   optimum of m"; success counts only within the budget.
# - Elicitation — prompt, history, tools — can change measured capability by more than swapping
#   models; compare agents on the same tasks with a paired interval.
#
# ## Further reading
#
# - Yao et al. (2022), [ReAct: Synergizing Reasoning and Acting in Language Models](https://arxiv.org/abs/2210.03629)
#   — interleaved thoughts, actions and observations.
# - Schick et al. (2023), [Toolformer: Language Models Can Teach Themselves to Use Tools](https://arxiv.org/abs/2302.04761).
# - Kinniment et al. (2023), [Evaluating Language-Model Agents on Realistic Autonomous Tasks](https://arxiv.org/abs/2312.11671)
#   — METR's agent tasks, scaffolds and elicitation.
# - UK AI Security Institute, Inspect documentation on [tools](https://inspect.aisi.org.uk/tools.html)
#   and [agents](https://inspect.aisi.org.uk/agents.html).
# - Efron & Tibshirani (1993), *An Introduction to the Bootstrap* — resampling intervals, paired designs.
