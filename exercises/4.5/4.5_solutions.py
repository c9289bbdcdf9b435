# %% [markdown]
# *GENERATED from book/4_alignment_science/4.5_agent_benchmarks.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 4.5 Agent benchmarks
#
# An agent evaluation is only as good as its tasks and its measurements. A task needs an
# environment the agent can act in without harming anything, a **check** that decides success from
# the final state and not from how the agent's transcript looks, and a proof that it *can* be solved.
# A measurement needs more than one number: whether the agent succeeded, how many steps it took,
# whether it needed help, and whether it survived the tool failures any real deployment has — each
# with an interval, and a comparison that says whether two agents really differ.
#
# This section builds a small agent benchmark in the style of AgentBench (Liu et al. 2023),
# whose operating-system tasks run an agent in a shell, and WebArena (Zhou et al. 2023), whose
# tasks run it on self-hosted web sites and check the site's database afterwards. Both task sets
# here are offline: an **OS set** in a pure-Python shell over an in-memory filesystem, and a
# **shop set** on a web shop served on loopback (FastAPI and uvicorn, as in section 2.2's local
# server) and driven with a real HTTP client (`httpx`). Four scripted agents and a SmolLM2-135M
# agent play all of it.
#
# **You will be able to**
#
# - implement the pieces of a sandboxed shell (path resolution, command parsing) and a checker that
#   says exactly which files an agent changed;
# - turn a server-rendered HTML page into the menu of actions an agent may take, and check a shop
#   task on the server's state;
# - write an episode runner whose step, hint and fault accounting you can trust, and a retrying
#   wrapper for a policy;
# - report task success, steps, autonomy and recovery from fault injection with
#   Wilson and percentile bootstrap intervals;
# - tell two agents apart with a paired bootstrap over tasks, and say what a 135M-parameter
#   agent can and cannot show about a frontier result.
#
# **Prerequisites.** Section 2.4 (agents, the agent loop, the paired bootstrap — this page imports
# 2.4's reference `paired_bootstrap`). Section 2.2's local server helps.
#
# **Time.** About 2 hours: 12 exercises, most of them short.
#
# ## Setup
#
# The benchmark's machinery lives in the book's kit, `arena_check.kit.agentbench`: the sandboxed
# `Shell`, the shop app (`serve_shop`), the sixteen tasks with their checks and solutions, and the
# two environments. The kit has its own reference runner, which its tests use to replay every
# task's solution; this page uses *your* functions instead, wherever an exercise defines one.

# %%
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


# %% [markdown]
# ## Part 1 · A shell that cannot hurt anything
#
# AgentBench's OS tasks run an agent's commands in a Docker container. Here the "machine" is a
# Python dictionary from absolute paths to file contents, plus a set of directories, and each
# command (`ls cd cat grep wc head echo mkdir touch cp mv rm`) is a Python method. Nothing reaches
# the real disk and no process is started, so no command an agent types can do damage — which also
# makes every episode start from exactly the same state.
#
# ### Exercise 1 · `resolve_path`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Turn a path an agent typed into the absolute, normalised path the filesystem dictionary is keyed
# by.
#
# Every command that takes a file name goes through this function, so a bug here is a bug in every
# command — and a sandbox escape if `..` can climb above the root into a path the sandbox never
# meant to expose.
#
# <details><summary>Hint</summary>
#
# Join relative paths to `cwd`, split on `/`, and walk the parts with a stack: skip `""` and `"."`,
# pop on `".."` (unless the stack is empty), push anything else.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "resolve_path", resolve_path)

# %% [markdown]
# ### Exercise 2 · `parse_command`
#
# > difficulty 2/5 · importance 3/5 · 10 min
#
# Split a command line into its words, and find an output redirect (`> file` or `>> file`).
#
# Quoting matters as soon as an agent writes text with spaces into a file (`echo "two words" >
# f`), and a malformed line must become an error message the agent can read, never a crash of the
# harness.
#
# <details><summary>Hint 1</summary>
#
# `shlex.split` handles quotes the way a POSIX shell does (and raises `ValueError` on an unclosed
# quote). Look for `">>"` and `">"` among the tokens.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# A redirect is valid only as the second-to-last token, with at least one word before it.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "parse_command", parse_command)


# %% [markdown]
# The kit's shell uses its own copies of these two functions (the tests of the kit pin them to the
# same behaviour). A session in the sandbox, with the OS suite's starting filesystem:

# %% [markdown]
# ### Exercise 3 · `diff_files`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# List which files an episode added, removed or modified.
#
# A task's check must look at the *whole* final state. "Delete every `.tmp` file" is not done by
# an agent that also deleted `main.o`; a check that only asks "are the `.tmp` files gone?" passes
# it. The OS suite's checks compare the entire filesystem with the expected one; this function says
# what differs, which is what a failure report should show.

# %%
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


# %%
arena_check.check("4.5", "diff_files", diff_files)


# %% [markdown]
# ## Part 2 · A shop on loopback
#
# WebArena's shopping site is a full e-commerce application in a container; its tasks are checked
# by querying the site's database or by comparing the agent's answer with a reference. Ours is a
# FastAPI app with twelve products: a home page with a search form and categories, result lists,
# product pages with an "add to cart" form, a cart, checkout and an order list — server-rendered
# HTML, no JavaScript. It runs in a background thread on `127.0.0.1` with section 2.2's server
# machinery (`ShopServer` subclasses `kit.local_server.LocalServer`) and stops when the `with`
# block ends. Two routes no page links to, `/api/state` and `/api/reset`, are for the checks and
# the set-up.
#
# An agent that reads text cannot click. WebShop (Yao et al. 2022) gave its agents the list of
# *available actions* on each page; we do the same: every local link becomes `go PATH`, every POST
# form `post PATH`, and a task may add a few more (`search cable`, `answer $24.00`, `submit`). This
# **action menu** is what lets a model too small to write commands still act: it only has to choose.

# %% [markdown]
# ### Exercise 4 · `page_actions`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Read a page's HTML and list the actions it offers: `go PATH` for each link to a local path, `post
# PATH` for each form whose method is POST.
#
# This is the agent's view of the web: what is not in the menu, it cannot do. A parser that misses
# the forms leaves an agent that can browse but never buy; one that lists external links lets it
# leave the sandbox.
#
# <details><summary>Hint 1</summary>
#
# Subclass `html.parser.HTMLParser` and override `handle_starttag(self, tag, attrs)`; `dict(attrs)`
# gives the attributes. Regular expressions over HTML break on attribute order and quoting.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# A form's method defaults to GET when the attribute is missing, and may be written in capitals.
# `dict.fromkeys(actions)` removes repeats and keeps the order.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "page_actions", page_actions)


# %% [markdown]
# ### Exercise 5 · `order_placed`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Decide whether a purchase task succeeded, from the shop's state after the episode.
#
# Like τ-bench (Yao et al. 2024), which compares the database at the end of a conversation with
# the goal state, the check looks at what happened, not at what the agent said. "Buy two mugs" is
# done when exactly one new order holds exactly two mugs: an agent that ordered twice, or added a
# cable, or left the mugs in the cart, did not do it.

# %%
def order_placed(state: Mapping[str, Any], want: Mapping[int, int], prior: Sequence[int] = ()) -> bool:
    """True iff state["orders"] holds exactly one order whose "number" is not in prior (the
    orders that existed before the episode), and that order's "items" (product id as a string →
    quantity) equal want (product id as an int → quantity) exactly. The cart is ignored."""
    new = [o for o in state["orders"] if o["number"] not in set(prior)]
    return len(new) == 1 and new[0]["items"] == {str(k): v for k, v in want.items()}


# %%
arena_check.check("4.5", "order_placed", order_placed)


# %% [markdown]
# ## Part 3 · Episodes: steps, hints and faults
#
# An episode is a loop: show the agent an `Observation` (the
# instruction, the last output, the menu), take its action, run it, repeat. Three kinds of action
# are not tool calls. `hint` asks a human for help: the benchmark answers with the next step of the
# task's verified solution, and counts it — an agent that needs hints is not autonomous. `answer X`
# and `submit` end the episode. Everything else goes to the environment, and this is where the
# benchmark injects failures: with probability `fault_rate`, the call fails *before* it runs, as a
# flaky network or a crashed tool would, and the agent sees an error instead.
#
# ### Exercise 6 · `run_episode`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Play one episode and return its record: success, steps, hints, faults, answer and the trace of
# actions.
#
# Every KPI on this page is computed from these records, so the runner's accounting *is* the
# benchmark. The usual slips each bias a KPI: counting hint requests as free makes hint-hungry
# agents look efficient; drawing the fault before checking for `hint` changes which calls fail, so
# two agents no longer face the same faults; checking success before the episode's last action
# loses the answer.
#
# <details><summary>Hint 1</summary>
#
# Build the menu each step as `tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))`, and
# strip the policy's action. Keep a list of the tool actions that ran, for `next_hint`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Order of tests for an action: `hint`, then `submit`, then `answer …`, and only for a tool call
# draw `rng.random() < fault_rate`. One draw per tool call, none for the others.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "run_episode", run_episode)


# %% [markdown]
# Every task has a **verified solution path**: replaying its scripted solution with your runner
# passes its check, and doing nothing (`submit` at once) fails it. The kit's tests do the same with
# the kit's runner.

# %% [markdown]
# ### Exercise 7 · `retrying`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Wrap a policy so that after a failed tool call it re-issues the same action, up to `max_retries`
# times in a row, before handing control back to the policy.
#
# Transient failures are the commonest failures of real tools — a timeout, a 503, a rate limit —
# and the cheapest to handle. A plan-following agent without this wrapper treats the failed step
# as done and goes on; with it, the same plan survives.
#
# <details><summary>Hint</summary>
#
# Keep the last action the wrapper returned and a count of consecutive retries in the closure
# (`nonlocal`). On `obs.error` with retries left: count one and return the last action, without
# calling the inner policy. Otherwise reset the count and ask the inner policy.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "retrying", retrying)


# %% [markdown]
# ### The scripted agents
#
# Four baselines, each with a fixed seed:
#
# - **random** picks uniformly from the menu (hints included) — the floor;
# - **brittle** follows the task's solution and ignores errors: a failed step counts as done;
# - **careful** is `retrying(brittle)`: the same plan, two retries per failure;
# - **hint-follower** asks for a hint before every action and does what it is told.
#
# The brittle and careful agents know the solution: they are not models of intelligence but
# *instruments* — they show what each KPI registers when one property (retrying, asking for help)
# changes and nothing else does. Every agent plays all 16 tasks with 5 fault seeds, at a 20 % fault
# rate and a budget of 20 steps.

# %% [markdown]
# ## Part 4 · KPIs with intervals
#
# Four KPIs, each a different question about an agent:
#
# | KPI | question | per episode | interval |
# |---|---|---|---|
# | success rate | does it finish the task? | check passed | Wilson |
# | steps | how much does a success cost? | steps, over *solved* episodes | percentile bootstrap |
# | autonomy | does it succeed without help? | solved **and** no hint | Wilson |
# | recovery | does it survive tool failures? | solved, over episodes with ≥ 1 injected fault | Wilson |
#
# A caveat on the intervals: the 80 episodes of an agent are 16 tasks × 5 seeds, and episodes of one
# task are not independent (a task that is hard is hard on every seed). Wilson intervals over
# episodes are therefore too narrow for claims about *tasks in general*; they describe this suite.
# The comparisons in Part 6 resample tasks instead.
#
# ### Exercise 8 · `wilson_interval`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# The Wilson score interval for a proportion of `k` successes in `n` trials.
#
# The textbook interval $\hat p \pm z\sqrt{\hat p(1-\hat p)/n}$ collapses to a single point at 0 or
# $n$ successes — exactly where agent results often sit (the careful agent solves nearly
# everything, the random one nearly nothing). Wilson's interval stays honest there.
#
# <details><summary>Hint</summary>
#
# With $\hat p = k/n$: centre $(\hat p + z^2/2n)/(1 + z^2/n)$, half-width
# $\frac{z}{1 + z^2/n}\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}$. Clip to [0, 1].
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "wilson_interval", wilson_interval)


# %% [markdown]
# ### Exercise 9 · `bootstrap_ci`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# A percentile-bootstrap interval for a mean, for KPIs that are not proportions (steps).
#
# <details><summary>Hint</summary>
#
# `idx = rng.integers(0, n, size=(n_boot, n))`, `values[idx].mean(axis=1)`, `np.quantile` at
# `alpha / 2` and `1 - alpha / 2`.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "bootstrap_ci", bootstrap_ci)


# %% [markdown]
# ### Exercise 10 · `kpis`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# All four KPIs of a list of episodes, each as (value, lo, hi), as in the table above.
#
# The definitions are where benchmarks quietly differ. "Steps" over all episodes rewards an agent
# that gives up at once; "autonomy" as "asked for no hint" rewards one that never asks and never
# succeeds; "recovery" over *all* episodes mixes in episodes that never met a fault.

# %%
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


# %%
arena_check.check("4.5", "kpis", kpis)


# %% [markdown]
# ## Part 5 · A SmolLM2 agent
#
# SmolLM2-135M-Instruct cannot write reliable free-form commands or tool calls; section 2.4 found
# the same. What it can do is assign a probability to any string. So the agent **chooses among the
# menu's actions by log-likelihood**: each action is scored as the model's whole reply to a prompt
# holding the task and the screen, and the best one is taken. This is the model as a ranker inside
# a scaffold, and it is a much easier job than the one AgentBench and WebArena give GPT-4: no
# syntax to get right, a dozen options instead of an open action space. What it measures is whether
# the model's probabilities point at the right option, not whether it can act on its own.
#
# Raw log-likelihood has a bias: short strings win. In a first trial (off the page, not recomputed
# here) the agent chose `submit` — two tokens — at almost every first step. Holtzman et al. (2021)
# call this surface-form competition and correct it with
# domain-conditional PMI: subtract from each option's score its
# log-likelihood under a prompt that says nothing about the task, so that what counts is how much
# *the task* raises an action's probability. Two scaffold rules cost the model nothing: after an
# error, retry (the `retrying` wrapper); and do not take an action already taken in this episode
# (which breaks the loops of a memoryless ranker).
#
# ### Exercise 11 · `choose_action`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Pick the next action: score the menu's untaken actions with one batched `chat.logprobs` call,
# subtract each action's prior score, and take the best.
#
# <details><summary>Hint</summary>
#
# `candidates = [a for a in obs.actions if a != "hint" and a not in taken]`, falling back to all
# non-hint actions; `chat.logprobs(agent_prompt(obs), candidates, whole_reply=True)`; then
# `max(range(len(candidates)), key=...)` — `max` keeps the first of equal scores.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "choose_action", choose_action)

# %% [markdown]
# ### The run
#
# The model is the page's expensive part: scoring a dozen actions costs SmolLM2 about a second on
# this CPU. So the SmolLM2 agent plays a subset — the three shortest tasks of each suite, one fault
# seed, at most 4 steps — and the scripted agents' figures on the same subset are shown beside it.
# The prior scores are computed once per action string and reused. The cell took
# {glue:text}`t_smol:.0f` s in this build, loading the model included.

# %% [markdown]
# ## Part 6 · Telling agents apart
#
# A KPI table invites reading differences into overlapping intervals, and ignoring that two agents
# faced the *same* tasks. The paired bootstrap of section 2.4 uses the pairing: take each
# task's success rate for agent A and for agent B (over its seeds), resample **tasks** with both
# values kept together, and look at the interval of the mean difference. Task difficulty cancels,
# and resampling tasks rather than episodes answers the question "would this hold on other tasks
# like these?".
#
# ### Exercise 12 · `paired_task_difference`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Per-task success rates of two agents, aligned by task, and the paired-bootstrap interval of their
# mean difference.
#
# <details><summary>Hint</summary>
#
# Build `{task_id: [successes]}` for each agent; keep the ids present in both, **sorted**; the two
# arrays of per-task means go to 2.4's `paired_bootstrap(a, b, n_boot, seed, alpha)`.
#
# </details>

# %%
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


# %%
arena_check.check("4.5", "paired_task_difference", paired_task_difference)

# %% [markdown]
# ## Summary
#
# - An agent benchmark needs three things per task: a sandboxed environment that starts from the
#   same state every time, a programmatic check on the final state (all of it) or the answer, and a
#   solution path that is replayed and checked, so that a failure is the agent's and not the task's.
# - The episode runner's accounting is the benchmark: steps include hints and retries, faults are
#   drawn only for tool calls and from a seeded generator, so every agent meets the same failures.
# - Report separate KPIs — success, steps on solved episodes, autonomous success, recovery among
#   episodes that met a fault — each with an interval; Wilson's for proportions.
# - Compare agents with a paired bootstrap over tasks, which cancels task difficulty and answers
#   for tasks like these rather than for these episodes.
# - A 135M model can act only as a ranker over a menu, helped by PMI scoring and scaffold rules; on
#   this budget it is not distinguishable from chance, and its results say nothing about what
#   frontier agents do in open environments.
#
# ## Further reading
#
# - Liu et al., [AgentBench: Evaluating LLMs as Agents](https://arxiv.org/abs/2308.03688) (2023) —
#   eight environments, including an operating-system shell, with success checked programmatically.
# - Zhou et al., [WebArena: A Realistic Web Environment for Building Autonomous
#   Agents](https://arxiv.org/abs/2307.13854) (2023) — self-hosted sites (a shop among them) and
#   checks on the site's state; GPT-4 at 14 % against humans at 78 %.
# - Yao et al., [WebShop: Towards Scalable Real-World Web Interaction with Grounded Language
#   Agents](https://arxiv.org/abs/2207.01206) (2022) — a simulated shop with an "available actions"
#   interface.
# - Yao et al., [τ-bench: A Benchmark for Tool-Agent-User Interaction in Real-World
#   Domains](https://arxiv.org/abs/2406.12045) (2024) — success as the final database state matching
#   the goal, and pass^k for reliability over repeated trials.
# - Holtzman et al., [Surface Form Competition: Why the Highest Probability Answer Isn't Always
#   Right](https://arxiv.org/abs/2104.08315) (2021) — domain-conditional PMI scoring for
#   multiple-choice answers.
