"""Checks for section 4.5 — agent benchmarks.

Every exercise is plain Python, checked against the reference on inputs written out here: no
model, no server. The runner is checked with a recording environment and scripted policies, the
SmolLM2 agent's choice with a fake chat model that records its calls. The classes of mistake
aimed at: ".." climbing above the root, "~" or "//" mishandled, quotes split, redirects accepted
in the wrong place or with two targets, unchanged files reported or sorted wrongly, external links
or GET forms in the menu, repeats kept or order lost, orders matched loosely (subset, extra
orders, prior orders counted, int keys), steps not counting hints or answers, the fault drawn for
hints or answers, the hint taken from the wrong solution step, the budget off by one, a retry
wrapper that calls the policy anyway or never stops retrying or shares state, the textbook
interval instead of Wilson's or no clipping, a bootstrap with another RNG or fixed quantiles, KPIs
over the wrong episodes, scores without the prior or over taken actions or with "hint", several
model calls, and tasks paired in the wrong order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from arena_check.kit.agentbench import Episode, Observation, Task
from arena_check.kit.agentbench.shell import ShellError
from arena_check.reference import s4_5_agent_benchmarks as ref
from arena_check.registry import check
from arena_check.testing import CheckFailed, call, check_defaults, expect_equal

SECTION = "4.5"


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------
def _same_value(fn: Callable, reference: Callable, cases: Sequence[tuple], *, name: str, hint: str) -> None:
    """Call fn and reference on each (context, args, kwargs) case; require equal plain values."""
    check_defaults(fn, reference, name=name)
    for context, args, kwargs in cases:
        got = call(fn, *args, name=name, context=context, **kwargs)
        expect_equal(got, reference(*args, **kwargs), context=context, hint=hint)


def _close(got: Any, expected: Sequence[float], *, context: str, hint: str, tol: float = 1e-9) -> None:
    """A tuple of Python floats equal to ``expected`` within tol (nan where expected is nan)."""
    if not isinstance(got, tuple) or len(got) != len(expected):
        raise CheckFailed(f"For {context}: expected a tuple of {len(expected)} floats, got {got!r}.")
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        if not isinstance(g, float | int) or isinstance(g, bool):
            raise CheckFailed(f"For {context}: item {i} should be a Python float, got {type(g).__name__}. "
                              "Convert numpy values with float(...).")
        if (math.isnan(e) and not math.isnan(g)) or (not math.isnan(e) and (math.isnan(g) or abs(g - e) > tol)):
            raise CheckFailed(f"For {context}: expected {tuple(round(x, 6) for x in expected)}, got "
                              f"{tuple(round(float(x), 6) for x in got)}. Hint: {hint}")


# ------------------------------------------------------------------------------------------
# Part 1 · the shell
# ------------------------------------------------------------------------------------------
@check(SECTION, "resolve_path")
def check_resolve_path(resolve_path) -> None:
    """Relative and absolute paths, dots, climbing above the root, home, repeated slashes."""
    cases = [
        ("a file in the working directory", "/home/user", "notes.txt"),
        ("an absolute path (cwd ignored)", "/var/log", "/etc/owner.conf"),
        ("'..' twice from /var/log", "/var/log", "../.."),
        ("'..' far above the root", "/home/user", "../../../../etc/owner.conf"),
        ("'.' and a trailing slash", "/data", "./sub/./x/"),
        ("repeated slashes", "/", "//etc///owner.conf"),
        ("'~' alone", "/var/log", "~"),
        ("'~/build/..'", "/", "~/build/../notes.txt"),
        ("a name that starts with '~' but is not home", "/data", "~x"),
        ("'.' in the root", "/", "."),
        ("'..' then a name, from a deep directory", "/a/b/c", "../../d/../e"),
        ("names made of dots ('...', '..x') and a hidden directory", "/data", ".../.env/../..x"),
    ]
    _same_value(resolve_path, ref.resolve_path, [(f"{c} (cwd {w!r}, path {p!r})", (w, p), {}) for c, w, p in cases],
                name="resolve_path",
                hint="join relative paths to cwd; walk the parts with a stack: skip '' and '.', pop on '..' "
                     "unless empty; '~' or '~/…' starts at HOME; return '/' + '/'.join(stack).")


@check(SECTION, "parse_command")
def check_parse_command(parse_command) -> None:
    """Plain commands, quotes, both redirects, and every malformed line."""
    good = [
        ("grep -c ERROR app.log", "a plain command"),
        ("echo 'two words' > f.txt", "a quoted argument and '>'"),
        ('echo "a  b" >> notes.txt', "double quotes keeping two spaces, and '>>'"),
        ("ls", "a single word"),
        ("echo a>b", "'>' inside a word (not a redirect)"),
    ]
    for line, what in good:
        context = f"{what}: {line!r}"
        got = call(parse_command, line, name="parse_command", context=context)
        expect_equal(got, ref.parse_command(line), context=context,
                     hint="return (argv list, redirect or None, target or None); shlex.split keeps quoted words "
                          "together; a redirect is a token of its own.")
    bad = [("", "an empty line"), ("   ", "only spaces"), ("echo a >", "a redirect with no target"),
           ("> f", "a redirect with no command"), ("echo a > f g", "two words after the redirect"),
           ("echo > a > b", "two redirects"), ("cat 'unclosed", "an unclosed quote")]
    for line, what in bad:
        context = f"{what}: {line!r}"
        try:
            got = call(parse_command, line, name="parse_command", context=context)
        except ShellError:
            continue
        except ValueError as error:
            raise CheckFailed(f"For {context}: expected ShellError, got ValueError ({error}). Catch shlex's "
                              "ValueError and raise ShellError, so the shell shows the agent a message.") from None
        except (IndexError, TypeError, KeyError) as error:
            raise CheckFailed(f"For {context}: expected ShellError, got {type(error).__name__}: {error}. "
                              "Test for the malformed line before indexing into the tokens.") from None
        raise CheckFailed(f"For {context}: expected ShellError, got {got!r}. A redirect must be the second-to-last "
                          "token and not the first; an empty line is an error.")


@check(SECTION, "diff_files")
def check_diff_files(diff_files) -> None:
    """Added, removed, modified and unchanged files; empty content; key order."""
    before = {"/b": "x\n", "/a": "1\n", "/c/z": "", "/c/y": "same\n", "/d": "old\n"}
    after = {"/a": "1\n", "/c/y": "same\n", "/d": "new\n", "/e": "", "/0": "top\n", "/c/z": ""}
    cases = [
        ("one file removed, one modified, two added, three unchanged", (before, after)),
        ("identical snapshots", (before, dict(before))),
        ("everything removed", (before, {})),
        ("a file emptied (modified, still present)", ({"/f": "x"}, {"/f": ""})),
        ("a new empty file", ({}, {"/f": ""})),
    ]
    mine_before, mine_after = dict(before), dict(after)
    try:
        diff_files(mine_before, mine_after)
    except Exception:  # noqa: BLE001 — reported with its case by the loop below
        mine_before, mine_after = dict(before), dict(after)
    if mine_before != before or mine_after != after:
        raise CheckFailed("diff_files changed the snapshots it was given (a key popped or a text edited): the "
                          "caller's 'before' is the episode's starting filesystem and must stay intact. Compare "
                          "with set operations or .get(), without pop/del/assignment on the inputs.")
    for context, args in cases:
        got = call(diff_files, *args, name="diff_files", context=context)
        want = ref.diff_files(*args)
        expect_equal(got, want, context=context,
                     hint="'removed' if only in before, 'added' if only in after, 'modified' if the text differs; "
                          "leave unchanged paths out.")
        if list(got) != list(want):
            raise CheckFailed(f"For {context}: right entries, wrong order {list(got)}; the paths should come in "
                              f"sorted order {list(want)}.")


# ------------------------------------------------------------------------------------------
# Part 2 · the shop
# ------------------------------------------------------------------------------------------
@check(SECTION, "page_actions")
def check_page_actions(page_actions) -> None:
    """Links and POST forms in order, repeats, external links, GET forms, attribute spellings."""
    pages = [
        ("the shop's navigation and a product form",
         '<nav><a href="/">Home</a> | <a href="/cart">Cart</a></nav><h1>Lamp</h1>'
         '<form method="post" action="/cart/add/3"><button>Add</button></form>'),
        ("a link repeated, and a form between two links",
         '<a href="/cart">Cart</a><form method="post" action="/checkout"></form><a href="/cart">again</a>'
         '<a href="/orders">o</a>'),
        ("external links, an anchor, mailto, a link with no href and one with an empty href attribute",
         '<a href="https://example.com/x">x</a><a href="#top">t</a><a href="mailto:a@b.c">m</a><a>none</a>'
         '<a href>empty</a><a href="/ok">ok</a>'),
        ("a GET search form, a form without method, one in capitals, one without action",
         '<form method="get" action="/search"><input name="q"></form><form action="/nomethod"></form>'
         '<FORM METHOD="POST" ACTION="/cart/remove/2"></FORM><form method="post"></form>'),
        ("single-quoted attributes and attributes in another order",
         "<form action='/checkout' method='Post'></form><a class='x' href='/product/7'>A5</a>"),
        ("a page with no actions", "<p>Nothing here.</p>"),
        ("an escaped '&amp;' in a link (the parser unescapes attribute values)",
         '<a href="/search?q=usb&amp;sort=price">s</a><form method="post" action="/cart/add/1?n=2&amp;back=1"></form>'),
        ("unquoted attribute values", "<a href=/cart>Cart</a><form method=post action=/checkout></form>"),
        ("a <link> and a <base> in the head (only <a> links are actions)",
         '<head><link rel="stylesheet" href="/static/shop.css"><base href="/"></head><a href="/orders">o</a>'),
    ]
    for context, html in pages:
        got = call(page_actions, html, name="page_actions", context=context)
        expect_equal(got, ref.page_actions(html), context=context,
                     hint="'go ' + href for <a> with href starting with '/', 'post ' + action for <form> whose "
                          "method is POST in any case (missing method = GET), in page order, each once. Let "
                          "html.parser read the tags: it unescapes entities (&amp; → &) and reads unquoted values, "
                          "which a regular expression does not.")


@check(SECTION, "order_placed")
def check_order_placed(order_placed) -> None:
    """Exact items, quantities, extra orders, prior orders, the cart ignored, the default."""
    prior = [{"number": 1001, "items": {"4": 1}, "total_cents": 750}]
    new = {"number": 2001, "items": {"4": 2}, "total_cents": 1500}
    cases = [
        ("one new order with exactly the wanted items", ({"orders": [new], "cart": {}}, {4: 2}), {}),
        ("the right order, something left in the cart", ({"orders": [new], "cart": {"1": 1}}, {4: 2}), {}),
        ("one mug ordered, two wanted", ({"orders": [{**new, "items": {"4": 1}}]}, {4: 2}), {}),
        ("the wanted items and an extra cable", ({"orders": [{**new, "items": {"4": 2, "1": 1}}]}, {4: 2}), {}),
        ("the wanted items split over two orders",
         ({"orders": [{**new, "items": {"4": 1}}, {"number": 2002, "items": {"4": 1}}]}, {4: 2}), {}),
        ("a prior order plus the right new one", ({"orders": [*prior, new]}, {4: 2}), {"prior": [1001]}),
        ("a prior order plus the right new one, prior not given", ({"orders": [*prior, new]}, {4: 2}), {}),
        ("only a prior order matching the wanted items", ({"orders": [{**prior[0], "items": {"4": 2}}]}, {4: 2}),
         {"prior": [1001]}),
        ("no orders at all", ({"orders": [], "cart": {"4": 2}}, {4: 2}), {}),
        ("two products wanted, both ordered", ({"orders": [{**new, "items": {"5": 1, "6": 1}}]}, {6: 1, 5: 1}), {}),
        ("the right products and total count, quantities swapped",
         ({"orders": [{**new, "items": {"4": 1, "1": 2}}]}, {4: 2, 1: 1}), {}),
    ]
    for context, args, kwargs in cases:
        got = call(order_placed, *args, name="order_placed", context=context, **kwargs)
        want = ref.order_placed(*args, **kwargs)
        if not isinstance(got, bool):
            raise CheckFailed(f"For {context}: expected the bool {want}, got {got!r} of type {type(got).__name__}. "
                              "`x and y` returns x when x is falsy (an empty list, 0): wrap the test in bool(...) or "
                              "compare with len(...) == 1.")
        if got != want:
            raise CheckFailed(f"For {context}: expected {want}, got {got!r}. Hint: exactly one order whose number "
                              "is not in prior, with items equal to want (keys as strings), nothing more or less.")
    check_defaults(order_placed, ref.order_placed, name="order_placed")


# ------------------------------------------------------------------------------------------
# Part 3 · the runner
# ------------------------------------------------------------------------------------------
class _RecordingEnv:
    """A fake environment: the menu grows with every tool call; state is the list of calls."""

    def reset(self, task: Task) -> str:
        self.calls: list[str] = []
        return "start screen"

    def step(self, action: str) -> str:
        self.calls.append(action)
        return f"ran {action} (call {len(self.calls)})"

    def actions(self) -> list[str]:
        return ["ls", f"look {len(self.calls)}", "ls"]

    def state(self) -> list[str]:
        return list(self.calls)


def _task(solution: tuple[str, ...]) -> Task:
    return Task("fake", "os", "do the thing", {}, solution,
                lambda calls, answer: "b" in calls and answer in (None, "42"), ("submit", "answer 42", "ls"))


def _script(actions: Sequence[str], seen: list) -> Callable[[Observation], str]:
    it = iter(actions)

    def policy(obs: Observation) -> str:
        seen.append((obs.instruction, obs.text, tuple(obs.actions), obs.error))
        return next(it, "submit")

    return policy


@check(SECTION, "run_episode")
def check_run_episode(run_episode) -> None:
    """Scripted policies against a recording environment: hints, faults, answers, the budget."""
    check_defaults(run_episode, ref.run_episode, name="run_episode")
    cases = [
        ("a plain run ending with submit", ["a", "b", "submit"], {}),
        ("hints before each step", ["hint", "a", "hint", "b", "hint", "submit"], {}),
        ("a hint after an action not in the solution", ["x", "hint", "a", "c", "hint"], {}),
        ("an answer with spaces around it", ["b", "answer   42  "], {}),
        ("whitespace around the actions", [" a ", "b\n", " submit "], {}),
        ("the step budget: 3 steps, never submitting", ["a", "hint", "b", "c", "d"], {"max_steps": 3}),
        ("faults at rate 0.5, seed 3, with hints between", ["a", "hint", "b", "b", "hint", "b", "c", "submit"],
         {"fault_rate": 0.5, "seed": 3}),
        ("faults at rate 0.5, seed 11, answering at the end", ["a", "b", "b", "b", "a", "answer 42"],
         {"fault_rate": 0.5, "seed": 11}),
        ("every tool call fails (rate 1.0)", ["a", "b", "hint", "submit"], {"fault_rate": 1.0}),
        ("the default budget of 12 steps", ["ls"] * 20, {}),
        ("a tool call that merely starts with 'answer' ('answered', no space)", ["answered", "b", "submit"], {}),
    ]
    task = _task(("a", "b", "submit"))
    global_state = random.getstate()
    call(run_episode, _script(["a", "b", "a", "b", "submit"], []), _RecordingEnv(), task, name="run_episode",
         context="faults at rate 0.5, seed 1", fault_rate=0.5, seed=1)
    if random.getstate() != global_state:
        random.setstate(global_state)
        raise CheckFailed("run_episode changed the state of Python's global `random` module (random.seed or "
                          "random.random). A policy that also draws from it would then shift which calls fail, "
                          "and two agents would no longer meet the same faults: draw from rng = "
                          "random.Random(seed) only.")
    for context, actions, kwargs in cases:
        seen: list = []
        got = call(run_episode, _script(actions, seen), _RecordingEnv(), task, name="run_episode",
                   context=context, **kwargs)
        seen_ref: list = []
        want = ref.run_episode(_script(actions, seen_ref), _RecordingEnv(), task, **kwargs)
        if not isinstance(got, Episode):
            raise CheckFailed(f"For {context}: expected an Episode, got {type(got).__name__}.")
        for field in ("steps", "hints", "faults", "answer", "trace", "success", "task_id"):
            if getattr(got, field) != getattr(want, field):
                raise CheckFailed(
                    f"For {context}: Episode.{field} should be {getattr(want, field)!r}, got {getattr(got, field)!r}. "
                    "Hint: every action is a step (hints and answers too); a fault is drawn only for tool "
                    "calls, once each; the hint is the first solution step not yet matched by the tool calls "
                    "that ran.")
        fields = ("instruction", "text", "actions", "error")
        for i, (g, w) in enumerate(zip(seen, seen_ref, strict=False)):
            for part, mine, theirs in zip(fields, g, w, strict=True):
                if mine != theirs:
                    raise CheckFailed(
                        f"For {context}: at step {i + 1} the policy saw {part} {mine!r}, expected {theirs!r}. The "
                        "menu is env.actions() then task.extras then 'hint', without repeats; the text is the last "
                        "output, hint or FAULT_TEXT; error is True only right after a failed tool call.")


@check(SECTION, "retrying")
def check_retrying(retrying) -> None:
    """Errors in a row beyond the limit, errors after a success, zero retries, separate wrappers."""
    check_defaults(retrying, ref.retrying, name="retrying")
    a = call(retrying, lambda obs: "from a", name="retrying")
    b = call(retrying, lambda obs: "from b", name="retrying")
    a(Observation("t", "x", ("a",), False))
    got_b = b(Observation("t", "x", ("a",), True))
    if got_b == "from a":
        raise CheckFailed("Two wrappers share their state: the second one, asked to retry before it ever acted, "
                          "returned the first one's action. Keep the last action in each wrapper's closure (or "
                          "instance), not in a module-level variable or a default argument.")
    if got_b != "from b":
        raise CheckFailed(f"A fresh wrapper whose first observation has error=True returned {got_b!r}: with no "
                          "previous action there is nothing to retry, so call the policy.")

    def run(make: Callable, errors: Sequence[bool], **kw: Any) -> tuple[list[str], int]:
        count = [0]

        def inner(obs: Observation) -> str:
            count[0] += 1
            return f"action {count[0]}"

        policy = make(inner, **kw)
        out = [policy(Observation("t", "x", ("a",), e)) for e in errors]
        return out, count[0]

    cases = [
        ("no errors", [False, False, False], {}),
        ("one error after the first action", [False, True, False], {}),
        ("four errors in a row (default max_retries 2)", [False, True, True, True, True, False], {}),
        ("errors in a row, a success, then errors again", [False, True, True, False, True, True, True], {}),
        ("max_retries=0: never retry", [False, True, True], {"max_retries": 0}),
        ("max_retries=3", [False, True, True, True, True], {"max_retries": 3}),
        ("an error on the very first observation", [True, False], {}),
    ]
    for context, errors, kw in cases:
        got = call(lambda e, kw=kw: run(retrying, e, **kw), errors, name="retrying", context=context)
        want = run(ref.retrying, errors, **kw)
        if got != want:
            raise CheckFailed(f"For {context} (obs.error = {errors}): expected actions {want[0]} with the inner "
                              f"policy called {want[1]} times, got {got[0]} and {got[1]} calls. Hint: retry the last "
                              "action without calling the policy while retries are left; reset the count when you "
                              "call the policy.")


# ------------------------------------------------------------------------------------------
# Part 4 · KPIs
# ------------------------------------------------------------------------------------------
@check(SECTION, "wilson_interval")
def check_wilson_interval(wilson_interval) -> None:
    """Zero and full successes, small n, n = 0, another z, the default z."""
    check_defaults(wilson_interval, ref.wilson_interval, name="wilson_interval")
    for k, n, kw in [(3, 10, {}), (0, 10, {}), (10, 10, {}), (1, 1, {}), (0, 0, {}), (59, 80, {}),
                     (40, 80, {"z": 1.0}), (2, 3, {"z": 2.576})]:
        context = f"k={k}, n={n}" + (f", z={kw['z']}" if kw else "")
        got = call(wilson_interval, k, n, name="wilson_interval", context=context, **kw)
        _close(got, ref.wilson_interval(k, n, **kw), context=context,
               hint="centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·sqrt(p(1−p)/n + z²/4n²), clipped to "
                    "[0, 1]; n = 0 → (0.0, 1.0).")


@check(SECTION, "bootstrap_ci")
def check_bootstrap_ci(bootstrap_ci) -> None:
    """Several sizes and seeds, another alpha, one value, no values."""
    check_defaults(bootstrap_ci, ref.bootstrap_ci, name="bootstrap_ci")
    cases = [
        ("8 step counts, defaults", ([2, 3, 3, 5, 8, 2, 4, 9],), {}),
        ("8 step counts, seed 7, 500 resamples", ([2, 3, 3, 5, 8, 2, 4, 9],), {"seed": 7, "n_boot": 500}),
        ("5 values, alpha 0.2", ([1.0, 0.0, 0.5, 2.5, 4.0],), {"alpha": 0.2}),
        ("a single value", ([4],), {}),
        ("no values", ([],), {}),
    ]
    for context, args, kw in cases:
        got = call(bootstrap_ci, *args, name="bootstrap_ci", context=context, **kw)
        _close(got, ref.bootstrap_ci(*args, **kw), context=context,
               hint="rng = np.random.default_rng(seed); idx = rng.integers(0, n, size=(n_boot, n)) once; means "
                    "along rows; np.quantile at alpha/2 and 1 − alpha/2; empty → three nans.")


def _episodes(spec: Sequence[tuple[str, bool, int, int, int]]) -> list[Episode]:
    return [Episode(t, s, steps, h, f, None) for t, s, steps, h, f in spec]


@check(SECTION, "kpis")
def check_kpis(kpis) -> None:
    """Hints on solved and failed episodes, faults on both, no successes, no faults."""
    check_defaults(kpis, ref.kpis, name="kpis")
    mixed = _episodes([("a", True, 3, 0, 0), ("a", True, 17, 2, 1), ("b", False, 20, 0, 2), ("b", True, 4, 0, 1),
                       ("c", False, 2, 3, 0), ("c", True, 11, 0, 0), ("d", False, 9, 0, 1), ("d", True, 6, 1, 0),
                       ("e", True, 8, 0, 3), ("e", False, 12, 1, 1)])
    cases = [
        ("10 episodes: hints and faults on solved and failed ones", (mixed,), {}),
        ("the same, seed 3 and 300 resamples", (mixed,), {"seed": 3, "n_boot": 300}),
        ("no episode solved", (_episodes([("a", False, 5, 1, 1), ("b", False, 2, 0, 0)]),), {}),
        ("no episode met a fault", (_episodes([("a", True, 2, 0, 0), ("b", False, 4, 1, 0), ("c", True, 3, 1, 0)]),),
         {}),
        ("no episodes at all", ([],), {}),
    ]
    for context, args, kw in cases:
        got = call(kpis, *args, name="kpis", context=context, **kw)
        want = ref.kpis(*args, **kw)
        if not isinstance(got, dict) or set(got) != set(want):
            raise CheckFailed(f"For {context}: expected a dict with keys {sorted(want)}, got "
                              f"{sorted(got) if isinstance(got, dict) else type(got).__name__}.")
        for key in ("success", "steps", "autonomy", "recovery"):
            _close(got[key], want[key], context=f"{context}, KPI {key!r}",
                   hint={"success": "solved / all episodes, with wilson_interval; no episodes → (nan, 0.0, 1.0).",
                         "steps": "bootstrap_ci of the steps of SOLVED episodes only (with n_boot and seed).",
                         "autonomy": "episodes solved with hints == 0, over ALL episodes; a failed episode with no "
                                     "hint is not autonomous success.",
                         "recovery": "among episodes with faults > 0 only, the share solved; none → (nan, 0.0, 1.0)."
                         }[key])


# ------------------------------------------------------------------------------------------
# Part 5 · the SmolLM2 agent
# ------------------------------------------------------------------------------------------
class _FakeChat:
    """Scores each continuation from a table (default −len); records every call."""

    name = "fake"

    def __init__(self, table: dict[str, float]) -> None:
        self.table, self.calls = table, []

    def logprobs(self, messages, continuations, *, whole_reply=False):  # noqa: ANN001
        self.calls.append((messages, list(continuations), whole_reply))
        return [self.table.get(c, -float(len(c))) for c in continuations]

    def complete(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise CheckFailed("choose_action called chat.complete: score the menu with chat.logprobs instead.")


@check(SECTION, "choose_action")
def check_choose_action(choose_action) -> None:
    """The prior subtracted, taken actions skipped (and the fallback), "hint" never chosen, ties, one call."""
    menu = ("go /", "go /cart", "search lamp", "answer $24.00", "submit", "hint")
    obs = Observation("What does the lamp cost?", "Home\nCart", menu, False)
    prior = {"go /": -2.0, "go /cart": -4.0, "search lamp": -9.0, "answer $24.00": -12.0, "submit": -1.0, "hint": 0.0}
    table = {"go /": -3.0, "go /cart": -6.0, "search lamp": -8.0, "answer $24.00": -14.0, "submit": -1.5, "hint": 5.0}
    cases = [
        ("scores minus prior (search lamp gains most)", table, [], prior),
        ("the best action already taken", table, ["search lamp"], prior),
        ("every action taken: fall back to the whole menu except hint", table, list(menu), prior),
        ("a tie between two actions (the first in menu order wins)",
         {**table, "go /cart": -3.0, "search lamp": -11.0}, ["submit"], {**prior, "go /cart": -2.0}),
        ("a prior that makes the raw favourite lose", {**table, "submit": 0.0}, [], {**prior, "submit": 3.0}),
    ]
    for context, tbl, taken, pri in cases:
        fake, fake_ref = _FakeChat(tbl), _FakeChat(tbl)
        got = call(choose_action, fake, obs, taken, pri, name="choose_action", context=context)
        want = ref.choose_action(fake_ref, obs, taken, pri)
        if len(fake.calls) != 1:
            raise CheckFailed(f"For {context}: chat.logprobs was called {len(fake.calls)} times; score all candidates "
                              "in ONE batched call.")
        messages, conts, whole = fake.calls[0]
        if not whole:
            raise CheckFailed(f"For {context}: call chat.logprobs with whole_reply=True, so each action is scored "
                              "as the model's whole reply.")
        if messages != ref.agent_prompt(obs):
            raise CheckFailed(f"For {context}: the conversation should be agent_prompt(obs), got {messages!r}.")
        if conts != fake_ref.calls[0][1]:
            raise CheckFailed(f"For {context}: the candidates scored should be {fake_ref.calls[0][1]}, got {conts}. "
                              "Leave out 'hint' and the actions in taken (all non-hint actions if none is left), "
                              "in menu order.")
        expect_equal(got, want, context=context,
                     hint="take the candidate with the highest score − prior[candidate]; max keeps the first on a tie.")


# ------------------------------------------------------------------------------------------
# Part 6 · comparisons
# ------------------------------------------------------------------------------------------
@check(SECTION, "paired_task_difference")
def check_paired_task_difference(paired_task_difference) -> None:
    """Shuffled episodes, several seeds per task, tasks only one agent played, the defaults."""
    check_defaults(paired_task_difference, ref.paired_task_difference, name="paired_task_difference")
    a = _episodes([("t3", True, 1, 0, 0), ("t1", False, 1, 0, 0), ("t2", True, 1, 0, 0), ("t1", True, 1, 0, 0),
                   ("t4", False, 1, 0, 0), ("t3", True, 1, 0, 0), ("t2", False, 1, 0, 0), ("only_a", True, 1, 0, 0)])
    b = _episodes([("t1", True, 1, 0, 0), ("t2", True, 1, 0, 0), ("t4", True, 1, 0, 0), ("t3", False, 1, 0, 0),
                   ("only_b", False, 1, 0, 0), ("t2", True, 1, 0, 0), ("t4", False, 1, 0, 0), ("t4", True, 1, 0, 0)])
    cases = [
        ("shuffled episodes, 1–3 seeds per task, one task per agent the other never played", (a, b),
         {"n_boot": 400}),
        ("the same with seed 5 and alpha 0.1", (a, b), {"n_boot": 400, "seed": 5, "alpha": 0.1}),
        ("the agents swapped", (b, a), {"n_boot": 400}),
        ("the default 10 000 resamples", (a[:4], b[:4]), {}),
    ]
    for context, args, kw in cases:
        got = call(paired_task_difference, *args, name="paired_task_difference", context=context, **kw)
        _close(got, ref.paired_task_difference(*args, **kw), context=context,
               hint="per task, the mean success over that agent's episodes; only tasks both played, in sorted "
                    "task-id order; then paired_bootstrap(a_values, b_values, n_boot, seed, alpha); last, the "
                    "number of tasks.")
