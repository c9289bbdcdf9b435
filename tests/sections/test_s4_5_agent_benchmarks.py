"""Section 4.5: the checks pass the reference and reject the stub and plausible mistakes.

Mutants: paths that climb above the root or ignore "~"; command parsers that split quotes, accept
misplaced redirects or leak ValueError; diffs that report unchanged files or lose the order; menus
with external links, GET forms or repeats; loose order checks; runners that skip hints in the step
count, draw faults for hints, take the wrong hint, or stop a step early; retry wrappers that call
the policy anyway or never stop; textbook intervals; bootstraps with other RNGs; KPIs over the
wrong episodes; action choices without the prior or with "hint"; tasks paired out of order.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "4.5"

RUN_EPISODE_HEAD = '''
            def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
                rng = random.Random(seed)
                text, error = env.reset(task), False
                steps = hints = faults = 0
                answer, done, trace = None, [], []
'''

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "resolve_path": [
        ("'..' at the root raises or goes nowhere: pops an empty list", """
            def resolve_path(cwd, path):
                joined = path if path.startswith("/") else cwd + "/" + path
                stack = []
                for part in joined.split("/"):
                    if part == "..":
                        stack.pop()
                    elif part not in ("", "."):
                        stack.append(part)
                return "/" + "/".join(stack)
        """),
        ("posixpath.normpath without home", """
            import posixpath
            def resolve_path(cwd, path):
                p = posixpath.normpath(posixpath.join(cwd, path))
                return "/" + p.lstrip("/")
        """),
        ("'~x' taken as home", """
            def resolve_path(cwd, path):
                if path.startswith("~"):
                    path = HOME + path[1:]
                joined = path if path.startswith("/") else cwd + "/" + path
                stack = []
                for part in joined.split("/"):
                    if part == "..":
                        if stack:
                            stack.pop()
                    elif part not in ("", "."):
                        stack.append(part)
                return "/" + "/".join(stack)
        """),
        ("keeps the trailing slash", """
            def resolve_path(cwd, path):
                if path == "~" or path.startswith("~/"):
                    path = HOME + path[1:]
                joined = path if path.startswith("/") else cwd + "/" + path
                stack = []
                for part in joined.split("/"):
                    if part == "..":
                        if stack:
                            stack.pop()
                    elif part not in ("", "."):
                        stack.append(part)
                return "/" + "/".join(stack) + ("/" if path.endswith("/") and stack else "")
        """),
    ],
    "parse_command": [
        ("str.split: quotes not grouped", """
            def parse_command(line):
                tokens = line.split()
                if not tokens:
                    raise ShellError("empty")
                for op in (">>", ">"):
                    if op in tokens:
                        i = tokens.index(op)
                        if i == 0 or i != len(tokens) - 2:
                            raise ShellError("bad")
                        return tokens[:i], op, tokens[i + 1]
                return tokens, None, None
        """),
        ("ValueError from shlex not converted", """
            import shlex
            def parse_command(line):
                tokens = shlex.split(line)
                if not tokens:
                    raise ShellError("empty")
                for op in (">>", ">"):
                    if op in tokens:
                        i = tokens.index(op)
                        if i == 0 or i != len(tokens) - 2:
                            raise ShellError("bad")
                        return tokens[:i], op, tokens[i + 1]
                return tokens, None, None
        """),
        ("everything after the redirect joined into the target", """
            import shlex
            def parse_command(line):
                try:
                    tokens = shlex.split(line)
                except ValueError as e:
                    raise ShellError(str(e))
                if not tokens:
                    raise ShellError("empty")
                for op in (">>", ">"):
                    if op in tokens:
                        i = tokens.index(op)
                        if i == 0 or i == len(tokens) - 1:
                            raise ShellError("bad")
                        return tokens[:i], op, " ".join(tokens[i + 1:])
                return tokens, None, None
        """),
        ("a redirect with no command accepted", """
            import shlex
            def parse_command(line):
                try:
                    tokens = shlex.split(line)
                except ValueError as e:
                    raise ShellError(str(e))
                if not tokens:
                    raise ShellError("empty")
                for op in (">>", ">"):
                    if op in tokens:
                        i = tokens.index(op)
                        if i != len(tokens) - 2:
                            raise ShellError("bad")
                        return tokens[:i], op, tokens[i + 1]
                return tokens, None, None
        """),
        ("argv returned as a tuple", """
            import shlex
            def parse_command(line):
                try:
                    tokens = shlex.split(line)
                except ValueError as e:
                    raise ShellError(str(e))
                if not tokens:
                    raise ShellError("empty")
                for op in (">>", ">"):
                    if op in tokens:
                        i = tokens.index(op)
                        if i == 0 or i != len(tokens) - 2:
                            raise ShellError("bad")
                        return tuple(tokens[:i]), op, tokens[i + 1]
                return tuple(tokens), None, None
        """),
    ],
    "diff_files": [
        ("unchanged files reported as modified", """
            def diff_files(before, after):
                out = {}
                for p in sorted(set(before) | set(after)):
                    out[p] = "removed" if p not in after else "added" if p not in before else "modified"
                return out
        """),
        ("not sorted", """
            def diff_files(before, after):
                out = {}
                for p in list(before) + [q for q in after if q not in before]:
                    if p not in after:
                        out[p] = "removed"
                    elif p not in before:
                        out[p] = "added"
                    elif before[p] != after[p]:
                        out[p] = "modified"
                return out
        """),
        ("an emptied file counted as removed (truthiness)", """
            def diff_files(before, after):
                out = {}
                for p in sorted(set(before) | set(after)):
                    if not after.get(p):
                        if before.get(p) or p in before and p not in after:
                            out[p] = "removed"
                    elif p not in before:
                        out[p] = "added"
                    elif before[p] != after[p]:
                        out[p] = "modified"
                return out
        """),
        ("added and removed swapped", """
            def diff_files(before, after):
                out = {}
                for p in sorted(set(before) | set(after)):
                    if p not in after:
                        out[p] = "added"
                    elif p not in before:
                        out[p] = "removed"
                    elif before[p] != after[p]:
                        out[p] = "modified"
                return out
        """),
    ],
    "page_actions": [
        ("regular expression that needs double quotes and method first", """
            import re
            def page_actions(html):
                found = ["go " + h for h in re.findall(r'<a href="(/[^"]*)"', html)]
                found += ["post " + a for a in re.findall(r'<form method="post" action="([^"]*)"', html)]
                return list(dict.fromkeys(found))
        """),
        ("all links, external ones too", """
            def page_actions(html):
                class P(HTMLParser):
                    def __init__(self):
                        super().__init__(); self.found = []
                    def handle_starttag(self, tag, attrs):
                        a = dict(attrs)
                        if tag == "a" and a.get("href"):
                            self.found.append("go " + a["href"])
                        if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                            self.found.append("post " + a["action"])
                p = P(); p.feed(html)
                return list(dict.fromkeys(p.found))
        """),
        ("GET forms included", """
            def page_actions(html):
                class P(HTMLParser):
                    def __init__(self):
                        super().__init__(); self.found = []
                    def handle_starttag(self, tag, attrs):
                        a = dict(attrs)
                        if tag == "a" and (a.get("href") or "").startswith("/"):
                            self.found.append("go " + a["href"])
                        if tag == "form" and a.get("action"):
                            self.found.append("post " + a["action"])
                p = P(); p.feed(html)
                return list(dict.fromkeys(p.found))
        """),
        ("method compared case-sensitively", """
            def page_actions(html):
                class P(HTMLParser):
                    def __init__(self):
                        super().__init__(); self.found = []
                    def handle_starttag(self, tag, attrs):
                        a = dict(attrs)
                        if tag == "a" and (a.get("href") or "").startswith("/"):
                            self.found.append("go " + a["href"])
                        if tag == "form" and a.get("method") == "post" and a.get("action"):
                            self.found.append("post " + a["action"])
                p = P(); p.feed(html)
                return list(dict.fromkeys(p.found))
        """),
        ("repeats removed with a set (order lost)", """
            def page_actions(html):
                class P(HTMLParser):
                    def __init__(self):
                        super().__init__(); self.found = []
                    def handle_starttag(self, tag, attrs):
                        a = dict(attrs)
                        if tag == "a" and (a.get("href") or "").startswith("/"):
                            self.found.append("go " + a["href"])
                        if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                            self.found.append("post " + a["action"])
                p = P(); p.feed(html)
                return sorted(set(p.found))
        """),
        ("links first, then forms", """
            def page_actions(html):
                class P(HTMLParser):
                    def __init__(self):
                        super().__init__(); self.links = []; self.forms = []
                    def handle_starttag(self, tag, attrs):
                        a = dict(attrs)
                        if tag == "a" and (a.get("href") or "").startswith("/"):
                            self.links.append("go " + a["href"])
                        if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                            self.forms.append("post " + a["action"])
                p = P(); p.feed(html)
                return list(dict.fromkeys(p.links + p.forms))
        """),
    ],
    "order_placed": [
        ("wanted items a subset of the order", """
            def order_placed(state, want, prior=()):
                new = [o for o in state["orders"] if o["number"] not in prior]
                return len(new) == 1 and all(new[0]["items"].get(str(k)) == v for k, v in want.items())
        """),
        ("any new order matching, however many", """
            def order_placed(state, want, prior=()):
                w = {str(k): v for k, v in want.items()}
                return any(o["items"] == w for o in state["orders"] if o["number"] not in prior)
        """),
        ("prior orders not excluded", """
            def order_placed(state, want, prior=()):
                orders = state["orders"]
                return len(orders) == 1 and orders[0]["items"] == {str(k): v for k, v in want.items()}
        """),
        ("int keys compared with string keys", """
            def order_placed(state, want, prior=()):
                new = [o for o in state["orders"] if o["number"] not in prior]
                return len(new) == 1 and new[0]["items"] == dict(want)
        """),
        ("the products right, quantities ignored", """
            def order_placed(state, want, prior=()):
                new = [o for o in state["orders"] if o["number"] not in prior]
                return len(new) == 1 and set(new[0]["items"]) == {str(k) for k in want}
        """),
    ],
    "run_episode": [
        ("hints do not count as steps", RUN_EPISODE_HEAD + """
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    trace.append(action); error = False
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                        continue
                    steps += 1
                    if action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    elif rng.random() < fault_rate:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action); done.append(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
        ("the fault drawn before looking at the action (hints and answers consume draws)", RUN_EPISODE_HEAD + """
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    steps += 1; trace.append(action); error = False
                    fail = rng.random() < fault_rate
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    elif fail:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action); done.append(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
        ("failed calls recorded as done (the hint skips them)", RUN_EPISODE_HEAD + """
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    steps += 1; trace.append(action); error = False
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    else:
                        done.append(action)
                        if rng.random() < fault_rate:
                            faults += 1; text, error = FAULT_TEXT, True
                        else:
                            text = env.step(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
        ("the budget stops one step early", RUN_EPISODE_HEAD + """
                while steps < max_steps - 1:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    steps += 1; trace.append(action); error = False
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    elif rng.random() < fault_rate:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action); done.append(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
        ("the error flag never reset after a fault", RUN_EPISODE_HEAD + """
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    steps += 1; trace.append(action)
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    elif rng.random() < fault_rate:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action); done.append(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
        ("the menu without the task's extras", RUN_EPISODE_HEAD + """
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    steps += 1; trace.append(action); error = False
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    elif rng.random() < fault_rate:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action); done.append(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
        ("the answer not stripped, action not stripped", RUN_EPISODE_HEAD + """
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error))
                    steps += 1; trace.append(action); error = False
                    if action == "hint":
                        hints += 1
                        text = "HINT: the next step is: " + next_hint(task.solution, done)
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:]; break
                    elif rng.random() < fault_rate:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action); done.append(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
        """),
    ],
    "retrying": [
        ("calls the policy on every step, then discards its answer", """
            def retrying(policy, max_retries=2):
                last, retries = None, 0
                def act(obs):
                    nonlocal last, retries
                    fresh = policy(obs)
                    if obs.error and last is not None and retries < max_retries:
                        retries += 1
                        return last
                    retries = 0
                    last = fresh
                    return last
                return act
        """),
        ("never stops retrying", """
            def retrying(policy, max_retries=2):
                last = None
                def act(obs):
                    nonlocal last
                    if obs.error and last is not None:
                        return last
                    last = policy(obs)
                    return last
                return act
        """),
        ("the retry count never reset", """
            def retrying(policy, max_retries=2):
                last, retries = None, 0
                def act(obs):
                    nonlocal last, retries
                    if obs.error and last is not None and retries < max_retries:
                        retries += 1
                        return last
                    last = policy(obs)
                    return last
                return act
        """),
        ("one retry too many (<=)", """
            def retrying(policy, max_retries=2):
                last, retries = None, 0
                def act(obs):
                    nonlocal last, retries
                    if obs.error and last is not None and retries <= max_retries:
                        retries += 1
                        return last
                    retries = 0
                    last = policy(obs)
                    return last
                return act
        """),
        ("state shared between wrappers (a module-level memory)", """
            _memory = {"last": None, "retries": 0}
            def retrying(policy, max_retries=2):
                def act(obs):
                    if obs.error and _memory["last"] is not None and _memory["retries"] < max_retries:
                        _memory["retries"] += 1
                        return _memory["last"]
                    _memory["retries"] = 0
                    _memory["last"] = policy(obs)
                    return _memory["last"]
                return act
        """),
    ],
    "wilson_interval": [
        ("the textbook (Wald) interval", """
            def wilson_interval(k, n, z=1.96):
                if n == 0:
                    return 0.0, 1.0
                p = k / n
                h = z * math.sqrt(p * (1 - p) / n)
                return max(0.0, p - h), min(1.0, p + h)
        """),
        ("z² / 4n instead of z² / 4n²", """
            def wilson_interval(k, n, z=1.96):
                if n == 0:
                    return 0.0, 1.0
                p = k / n
                d = 1 + z * z / n
                c = (p + z * z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
        ("centre at p, not shrunk towards 1/2", """
            def wilson_interval(k, n, z=1.96):
                if n == 0:
                    return 0.0, 1.0
                p = k / n
                d = 1 + z * z / n
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, p - h), min(1.0, p + h)
        """),
        ("n = 0 gives (0, 0)", """
            def wilson_interval(k, n, z=1.96):
                if n == 0:
                    return 0.0, 0.0
                p = k / n
                d = 1 + z * z / n
                c = (p + z * z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
        ("z ignored (always 1.96)", """
            def wilson_interval(k, n, z=1.96):
                z = 1.96
                if n == 0:
                    return 0.0, 1.0
                p = k / n
                d = 1 + z * z / n
                c = (p + z * z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
    ],
    "bootstrap_ci": [
        ("the global numpy RNG", """
            def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
                x = np.asarray(values, dtype=float)
                if len(x) == 0:
                    return math.nan, math.nan, math.nan
                np.random.seed(seed)
                m = x[np.random.randint(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
                return float(x.mean()), float(np.quantile(m, alpha / 2)), float(np.quantile(m, 1 - alpha / 2))
        """),
        ("fixed 2.5 % and 97.5 % quantiles", """
            def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
                x = np.asarray(values, dtype=float)
                if len(x) == 0:
                    return math.nan, math.nan, math.nan
                rng = np.random.default_rng(seed)
                m = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
                return float(x.mean()), float(np.quantile(m, 0.025)), float(np.quantile(m, 0.975))
        """),
        ("the quantiles of the values, not of the resampled means", """
            def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
                x = np.asarray(values, dtype=float)
                if len(x) == 0:
                    return math.nan, math.nan, math.nan
                return float(x.mean()), float(np.quantile(x, alpha / 2)), float(np.quantile(x, 1 - alpha / 2))
        """),
    ],
    "kpis": [
        ("steps over all episodes", """
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else math.nan, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                faulted = [e for e in episodes if e.faults > 0]
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in episodes], n_boot=n_boot, seed=seed),
                        "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
                        "recovery": share(sum(e.success for e in faulted), len(faulted))}
        """),
        ("autonomy = no hints, solved or not", """
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else math.nan, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                faulted = [e for e in episodes if e.faults > 0]
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
                        "autonomy": share(sum(e.hints == 0 for e in episodes), len(episodes)),
                        "recovery": share(sum(e.success for e in faulted), len(faulted))}
        """),
        ("autonomy over solved episodes only", """
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else math.nan, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                faulted = [e for e in episodes if e.faults > 0]
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
                        "autonomy": share(sum(e.hints == 0 for e in solved), len(solved)),
                        "recovery": share(sum(e.success for e in faulted), len(faulted))}
        """),
        ("recovery over all episodes", """
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else math.nan, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                faulted = [e for e in episodes if e.faults > 0]
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
                        "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
                        "recovery": share(sum(e.success for e in faulted), len(episodes))}
        """),
        ("n_boot and seed not passed on", """
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else math.nan, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                faulted = [e for e in episodes if e.faults > 0]
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in solved]),
                        "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
                        "recovery": share(sum(e.success for e in faulted), len(faulted))}
        """),
        ("no faulted episodes gives 0.0, not nan", """
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else 0.0, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                faulted = [e for e in episodes if e.faults > 0]
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
                        "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
                        "recovery": share(sum(e.success for e in faulted), len(faulted))}
        """),
    ],
    "choose_action": [
        ("raw log-likelihood, no prior", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
                s = chat.logprobs(agent_prompt(obs), c, whole_reply=True)
                return c[max(range(len(c)), key=lambda i: s[i])]
        """),
        ("taken actions not skipped", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a != "hint"]
                s = chat.logprobs(agent_prompt(obs), c, whole_reply=True)
                return c[max(range(len(c)), key=lambda i: s[i] - prior[c[i]])]
        """),
        ("'hint' among the candidates", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a not in taken] or list(obs.actions)
                s = chat.logprobs(agent_prompt(obs), c, whole_reply=True)
                return c[max(range(len(c)), key=lambda i: s[i] - prior[c[i]])]
        """),
        ("one call per action", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
                s = [chat.logprobs(agent_prompt(obs), [a], whole_reply=True)[0] for a in c]
                return c[max(range(len(c)), key=lambda i: s[i] - prior[c[i]])]
        """),
        ("whole_reply left at its default", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
                s = chat.logprobs(agent_prompt(obs), c)
                return c[max(range(len(c)), key=lambda i: s[i] - prior[c[i]])]
        """),
        ("ties go to the last action", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
                s = chat.logprobs(agent_prompt(obs), c, whole_reply=True)
                best = 0
                for i in range(len(c)):
                    if s[i] - prior[c[i]] >= s[best] - prior[c[best]]:
                        best = i
                return c[best]
        """),
        ("prior added instead of subtracted", """
            def choose_action(chat, obs, taken, prior):
                c = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
                s = chat.logprobs(agent_prompt(obs), c, whole_reply=True)
                return c[max(range(len(c)), key=lambda i: s[i] + prior[c[i]])]
        """),
    ],
    "paired_task_difference": [
        ("tasks in first-seen order, not sorted", """
            def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
                def per(eps):
                    out = {}
                    for e in eps:
                        out.setdefault(e.task_id, []).append(float(e.success))
                    return out
                pa, pb = per(a), per(b)
                ids = [i for i in pa if i in pb]
                va = [sum(pa[i]) / len(pa[i]) for i in ids]
                vb = [sum(pb[i]) / len(pb[i]) for i in ids]
                return (*paired_bootstrap(va, vb, n_boot=n_boot, seed=seed, alpha=alpha), len(ids))
        """),
        ("a − b instead of b − a", """
            def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
                def per(eps):
                    out = {}
                    for e in eps:
                        out.setdefault(e.task_id, []).append(float(e.success))
                    return out
                pa, pb = per(a), per(b)
                ids = sorted(set(pa) & set(pb))
                va = [sum(pa[i]) / len(pa[i]) for i in ids]
                vb = [sum(pb[i]) / len(pb[i]) for i in ids]
                return (*paired_bootstrap(vb, va, n_boot=n_boot, seed=seed, alpha=alpha), len(ids))
        """),
        ("a task's value is its last episode, not the mean", """
            def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
                pa = {e.task_id: float(e.success) for e in a}
                pb = {e.task_id: float(e.success) for e in b}
                ids = sorted(set(pa) & set(pb))
                return (*paired_bootstrap([pa[i] for i in ids], [pb[i] for i in ids], n_boot=n_boot, seed=seed,
                                          alpha=alpha), len(ids))
        """),
        ("tasks only one agent played filled with 0", """
            def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
                def per(eps):
                    out = {}
                    for e in eps:
                        out.setdefault(e.task_id, []).append(float(e.success))
                    return out
                pa, pb = per(a), per(b)
                ids = sorted(set(pa) | set(pb))
                va = [sum(pa[i]) / len(pa[i]) if i in pa else 0.0 for i in ids]
                vb = [sum(pb[i]) / len(pb[i]) if i in pb else 0.0 for i in ids]
                return (*paired_bootstrap(va, vb, n_boot=n_boot, seed=seed, alpha=alpha), len(ids))
        """),
        ("seed and alpha not passed on", """
            def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
                def per(eps):
                    out = {}
                    for e in eps:
                        out.setdefault(e.task_id, []).append(float(e.success))
                    return out
                pa, pb = per(a), per(b)
                ids = sorted(set(pa) & set(pb))
                va = [sum(pa[i]) / len(pa[i]) for i in ids]
                vb = [sum(pb[i]) / len(pb[i]) for i in ids]
                return (*paired_bootstrap(va, vb, n_boot=n_boot), len(ids))
        """),
    ],
}

ALTERNATIVES = {
    "resolve_path": """
        import posixpath
        def resolve_path(cwd, path):
            if path == "~" or path.startswith("~/"):
                path = HOME + path[1:]
            full = posixpath.normpath(posixpath.join(cwd, path))
            return "/" + full.lstrip("/")
    """,
    "parse_command": """
        import shlex
        def parse_command(line):
            try:
                words = shlex.split(line)
            except ValueError:
                raise ShellError("unbalanced quotes")
            if len(words) == 0:
                raise ShellError("nothing to run")
            redirects = [w for w in words if w in (">", ">>")]
            if not redirects:
                return words, None, None
            if len(redirects) > 1 or len(words) < 3 or words[-2] not in (">", ">>"):
                raise ShellError("bad redirect")
            return words[:-2], words[-2], words[-1]
    """,
    "diff_files": """
        def diff_files(before, after):
            removed = {p: "removed" for p in before.keys() - after.keys()}
            added = {p: "added" for p in after.keys() - before.keys()}
            modified = {p: "modified" for p in before.keys() & after.keys() if before[p] != after[p]}
            merged = {**removed, **added, **modified}
            return {p: merged[p] for p in sorted(merged)}
    """,
    "page_actions": """
        def page_actions(html):
            seen = []
            class Walker(HTMLParser):
                def handle_starttag(self, tag, attrs):
                    attrs = {k: v or "" for k, v in attrs}
                    if tag == "a" and attrs.get("href", "").startswith("/"):
                        item = "go " + attrs["href"]
                    elif tag == "form" and attrs.get("method", "GET").upper() == "POST" and attrs.get("action"):
                        item = "post " + attrs["action"]
                    else:
                        return
                    if item not in seen:
                        seen.append(item)
            Walker().feed(html)
            return seen
    """,
    "order_placed": """
        def order_placed(state, want, prior=()):
            fresh = [order for order in state["orders"] if order["number"] not in prior]
            if len(fresh) != 1:
                return False
            items = {int(k): v for k, v in fresh[0]["items"].items()}
            return items == dict(want)
    """,
    "run_episode": """
        def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
            draws = random.Random(seed)
            text = env.reset(task)
            record = dict(steps=0, hints=0, faults=0)
            answer, ran, trace, failed = None, [], [], False
            for _ in range(max_steps):
                options = []
                for a in [*env.actions(), *task.extras, "hint"]:
                    if a not in options:
                        options.append(a)
                act = policy(Observation(task.instruction, text, tuple(options), failed)).strip()
                record["steps"] += 1
                trace.append(act)
                failed = False
                if act == "submit":
                    break
                if act.startswith("answer "):
                    answer = act.removeprefix("answer ").strip()
                    break
                if act == "hint":
                    record["hints"] += 1
                    text = f"HINT: the next step is: {next_hint(task.solution, ran)}"
                    continue
                if draws.random() < fault_rate:
                    record["faults"] += 1
                    text, failed = FAULT_TEXT, True
                    continue
                text = env.step(act)
                ran.append(act)
            ok = bool(task.check(env.state(), answer))
            return Episode(task.id, ok, record["steps"], record["hints"], record["faults"], answer, trace)
    """,
    "retrying": """
        class _Retry:
            def __init__(self, policy, max_retries):
                self.policy, self.max_retries = policy, max_retries
                self.last, self.used = None, 0
            def __call__(self, obs):
                if obs.error and self.last is not None and self.used < self.max_retries:
                    self.used += 1
                    return self.last
                self.used = 0
                self.last = self.policy(obs)
                return self.last
        def retrying(policy, max_retries=2):
            return _Retry(policy, max_retries)
    """,
    "wilson_interval": """
        def wilson_interval(k, n, z=1.96):
            if not n:
                return (0.0, 1.0)
            p = k / n
            a = 2 * n * p + z ** 2
            b = z * math.sqrt(z ** 2 + 4 * n * p * (1 - p))
            c = 2 * (n + z ** 2)
            return (float(max((a - b) / c, 0.0)), float(min((a + b) / c, 1.0)))
    """,
    "bootstrap_ci": """
        def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
            if len(values) == 0:
                return (float("nan"),) * 3
            data = np.array(values, dtype=np.float64)
            gen = np.random.default_rng(seed)
            picks = gen.integers(0, data.size, size=(n_boot, data.size))
            boot = np.take(data, picks).mean(1)
            lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
            return float(np.mean(data)), float(lo), float(hi)
    """,
    "kpis": """
        def kpis(episodes, n_boot=2000, seed=0):
            def prop(k, n):
                lo, hi = wilson_interval(k, n)
                return (k / n, lo, hi) if n else (float("nan"), lo, hi)
            n = len(episodes)
            wins = sum(1 for e in episodes if e.success)
            alone = sum(1 for e in episodes if e.success and not e.hints)
            hit = [e for e in episodes if e.faults]
            return {
                "recovery": prop(sum(1 for e in hit if e.success), len(hit)),
                "autonomy": prop(alone, n),
                "success": prop(wins, n),
                "steps": bootstrap_ci([e.steps for e in episodes if e.success], n_boot, seed),
            }
    """,
    "choose_action": """
        def choose_action(chat, obs, taken, prior):
            usable = [a for a in obs.actions if a != "hint"]
            fresh = [a for a in usable if a not in set(taken)] or usable
            raw = chat.logprobs(agent_prompt(obs), fresh, whole_reply=True)
            pmi = np.array(raw) - np.array([prior[a] for a in fresh])
            return fresh[int(np.argmax(pmi))]
    """,
    "paired_task_difference": """
        from collections import defaultdict
        def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
            sa, sb = defaultdict(list), defaultdict(list)
            for e in a:
                sa[e.task_id].append(e.success)
            for e in b:
                sb[e.task_id].append(e.success)
            common = sorted(sa.keys() & sb.keys())
            xa = [float(np.mean(sa[t])) for t in common]
            xb = [float(np.mean(sb[t])) for t in common]
            d, lo, hi = paired_bootstrap(xa, xb, n_boot, seed, alpha)
            return d, lo, hi, len(common)
    """,
}



# Learner tests: solutions written from the page alone, graded with arena-check.
LEARNER_MUTANTS = {
    'run_episode': ('the hint is solution[number of hints so far], not the next unmatched step', '''
            def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
                rng = random.Random(seed)
                text, error = env.reset(task), False
                steps = hints = faults = 0
                answer, trace = None, []
                while steps < max_steps:
                    menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
                    action = policy(Observation(task.instruction, text, menu, error)).strip()
                    steps += 1; trace.append(action); error = False
                    if action == "hint":
                        text = "HINT: the next step is: " + task.solution[min(hints, len(task.solution) - 1)]
                        hints += 1
                    elif action == "submit":
                        break
                    elif action.startswith("answer "):
                        answer = action[7:].strip(); break
                    elif rng.random() < fault_rate:
                        faults += 1; text, error = FAULT_TEXT, True
                    else:
                        text = env.step(action)
                return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    'retrying': ('retries on an error before any action (returns None)', '''
            def retrying(policy, max_retries=2):
                last, n = None, 0
                def act(obs):
                    nonlocal last, n
                    if obs.error and n < max_retries:
                        n += 1
                        return last
                    n = 0
                    last = policy(obs)
                    return last
                return act
'''),
    'parse_command': ("splits the raw line at '>' (a>b taken as a redirect)", '''
            def parse_command(line):
                import shlex
                for op in (">>", ">"):
                    if op in line:
                        left, right = line.split(op, 1)
                        try:
                            argv, target = shlex.split(left), shlex.split(right)
                        except ValueError as e:
                            raise ShellError(str(e))
                        if not argv or len(target) != 1:
                            raise ShellError("bad redirect")
                        return argv, op, target[0]
                try:
                    argv = shlex.split(line)
                except ValueError as e:
                    raise ShellError(str(e))
                if not argv:
                    raise ShellError("empty")
                return argv, None, None
'''),
    'choose_action': ('candidates sorted alphabetically', '''
            def choose_action(chat, obs, taken, prior):
                c = sorted(a for a in obs.actions if a != "hint" and a not in taken) or sorted(a for a in obs.actions if a != "hint")
                s = chat.logprobs(agent_prompt(obs), c, whole_reply=True)
                return c[max(range(len(c)), key=lambda i: s[i] - prior[c[i]])]
'''),
    'kpis': ('recovery counted per fault, not per episode', '''
            def kpis(episodes, n_boot=2000, seed=0):
                def share(h, n):
                    return (h / n if n else math.nan, *wilson_interval(h, n))
                solved = [e for e in episodes if e.success]
                n_faults = sum(e.faults for e in episodes)
                return {"success": share(len(solved), len(episodes)),
                        "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
                        "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
                        "recovery": share(sum(e.faults for e in solved), n_faults)}
'''),
    'order_placed': ('the last new order checked, however many were placed', '''
            def order_placed(state, want, prior=()):
                new = [o for o in state["orders"] if o["number"] not in prior]
                return bool(new) and new[-1]["items"] == {str(k): v for k, v in want.items()}
'''),
    'page_actions': ('BeautifulSoup with method compared case-sensitively and forms without action kept', '''
            def page_actions(html):
                from bs4 import BeautifulSoup
                soup = BeautifulSoup(html, "html.parser")
                out = []
                for tag in soup.find_all(["a", "form"]):
                    if tag.name == "a" and tag.get("href", "").startswith("/"):
                        out.append("go " + tag["href"])
                    elif tag.name == "form" and tag.get("method") == "post":
                        out.append("post " + tag.get("action", ""))
                return list(dict.fromkeys(out))
'''),
}
LEARNER_ALTERNATIVES = {
    'wilson_interval': '''
        def wilson_interval(k, n, z=1.96):
            if n == 0:
                return 0.0, 1.0
            centre = (k + z * z / 2) / (n + z * z)
            half = z * math.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
            return max(0.0, centre - half), min(1.0, centre + half)
''',
    'diff_files': '''
        def diff_files(before, after):
            out = {}
            for p in sorted({*before, *after}):
                b, a = before.get(p), after.get(p)
                if b == a:
                    continue
                out[p] = "added" if b is None else "removed" if a is None else "modified"
            return out
''',
    'resolve_path': '''
        def resolve_path(cwd, path):
            if path.startswith("~/") or path == "~":
                path = path.replace("~", HOME, 1)
            if not path.startswith("/"):
                path = cwd.rstrip("/") + "/" + path
            out = []
            for piece in path.split("/"):
                if piece == "..":
                    out = out[:-1]
                elif piece and piece != ".":
                    out += [piece]
            return "/" + "/".join(out)
''',
    'retrying': '''
        def retrying(policy, max_retries=2):
            state = {"last": None, "left": max_retries}
            def act(obs):
                if obs.error and state["last"] is not None and state["left"] > 0:
                    state["left"] -= 1
                    return state["last"]
                state["left"] = max_retries
                state["last"] = policy(obs)
                return state["last"]
            return act
''',
    'page_actions': '''
        def page_actions(html):
            from bs4 import BeautifulSoup
            soup = BeautifulSoup(html, "html.parser")
            out = []
            for tag in soup.find_all(["a", "form"]):
                if tag.name == "a" and tag.get("href", "").startswith("/"):
                    out.append("go " + tag["href"])
                elif tag.name == "form" and (tag.get("method") or "get").lower() == "post" and tag.get("action"):
                    out.append("post " + tag["action"])
            return list(dict.fromkeys(out))
''',
}
for _name, _item in LEARNER_MUTANTS.items():
    MUTANTS[_name].append(_item)
ALTERNATIVES_ALL: dict[str, list[tuple[str, str]]] = {k: [("alternative", v)] for k, v in ALTERNATIVES.items()}
for _name, _src in LEARNER_ALTERNATIVES.items():
    ALTERNATIVES_ALL[_name].append(("learner test", _src))

# Independent review (learner-style, written from the page alone): more wrong and right solutions.
REVIEW_MUTANTS: list[tuple[str, str, str]] = [
    ('resolve_path', "review: '~' alone not expanded (only '~/')", r'''
def resolve_path(cwd, path):
    if path.startswith("~/"):
        path = HOME + path[1:]
    joined = path if path.startswith("/") else cwd + "/" + path
    stack = []
    for part in joined.split("/"):
        if part == "..":
            if stack:
                stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    return "/" + "/".join(stack)
'''),
    ('resolve_path', "review: posixpath.normpath keeps a leading '//'", r'''
def resolve_path(cwd, path):
    import posixpath
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    return posixpath.normpath(posixpath.join(cwd, path))
'''),
    ('resolve_path', "review: str.replace('~', HOME) anywhere", r'''
def resolve_path(cwd, path):
    path = path.replace("~", HOME)
    joined = path if path.startswith("/") else cwd + "/" + path
    stack = []
    for part in joined.split("/"):
        if part == "..":
            if stack:
                stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    return "/" + "/".join(stack)
'''),
    ('resolve_path', "review: rstrip('/') turns the root into ''", r'''
def resolve_path(cwd, path):
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    joined = path if path.startswith("/") else cwd + "/" + path
    stack = []
    for part in joined.split("/"):
        if part == "..":
            if stack:
                stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    return ("/" + "/".join(stack)).rstrip("/")
'''),
    ('resolve_path', "review: '..' resolved only within the typed path (cwd not popped)", r'''
def resolve_path(cwd, path):
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    stack = []
    for part in path.split("/"):
        if part == "..":
            if stack:
                stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    rel = "/".join(stack)
    if path.startswith("/"):
        return "/" + rel
    return (cwd.rstrip("/") + "/" + rel).rstrip("/") or "/"
'''),
    ('resolve_path', "review: '...' treated like '..' (startswith check)", r'''
def resolve_path(cwd, path):
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    joined = path if path.startswith("/") else cwd + "/" + path
    stack = []
    for part in joined.split("/"):
        if part.startswith(".."):
            if stack:
                stack.pop()
        elif part not in ("", "."):
            stack.append(part)
    return "/" + "/".join(stack)
'''),
    ('parse_command', "review: '>' searched in the raw line, not the tokens", r'''
def parse_command(line):
    import shlex
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ShellError(str(error))
    if not tokens:
        raise ShellError("empty")
    if ">" not in line:
        return tokens, None, None
    op = ">>" if ">>" in line else ">"
    left, _, right = line.partition(op)
    argv, target = shlex.split(left), shlex.split(right)
    if not argv or len(target) != 1:
        raise ShellError("bad redirect")
    return argv, op, target[0]
'''),
    ('parse_command', 'review: takes the LAST redirect, ignores earlier ones', r'''
def parse_command(line):
    import shlex
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ShellError(str(error))
    if not tokens:
        raise ShellError("empty")
    if len(tokens) >= 3 and tokens[-2] in (">", ">>"):
        return tokens[:-2], tokens[-2], tokens[-1]
    if tokens[-1] in (">", ">>") or tokens[0] in (">", ">>"):
        raise ShellError("bad redirect")
    return tokens, None, None
'''),
    ('parse_command', 'review: posix=False keeps the quotes', r'''
def parse_command(line):
    import shlex
    try:
        tokens = shlex.split(line, posix=False)
    except ValueError as error:
        raise ShellError(str(error))
    if not tokens:
        raise ShellError("empty")
    ops = [i for i, t in enumerate(tokens) if t in (">", ">>")]
    if not ops:
        return tokens, None, None
    i = ops[0]
    if i == 0 or i != len(tokens) - 2:
        raise ShellError("bad")
    return tokens[:i], tokens[i], tokens[i + 1]
'''),
    ('parse_command', 'review: empty test on the raw string: spaces slip through', r'''
def parse_command(line):
    import shlex
    if line == "":
        raise ShellError("empty")
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ShellError(str(error))
    ops = [i for i, t in enumerate(tokens) if t in (">", ">>")]
    if not ops:
        return tokens, None, None
    i = ops[0]
    if i == 0 or i != len(tokens) - 2:
        raise ShellError("bad")
    return tokens[:i], tokens[i], tokens[i + 1]
'''),
    ('parse_command', "review: '>' as the first token accepted (empty argv)", r'''
def parse_command(line):
    import shlex
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ShellError(str(error))
    if not tokens:
        raise ShellError("empty")
    ops = [i for i, t in enumerate(tokens) if t in (">", ">>")]
    if not ops:
        return tokens, None, None
    i = ops[0]
    if len(ops) > 1 or i != len(tokens) - 2:
        raise ShellError("bad")
    return tokens[:i], tokens[i], tokens[i + 1]
'''),
    ('diff_files', 'review: pops from before (mutates the input)', r'''
def diff_files(before, after):
    out = {}
    for p in sorted(after):
        if p not in before:
            out[p] = "added"
        elif before.pop(p) != after[p]:
            out[p] = "modified"
    for p in before:
        out[p] = "removed"
    return dict(sorted(out.items()))
'''),
    ('diff_files', 'review: empty content treated as a missing file', r'''
def diff_files(before, after):
    out = {}
    for p in sorted(set(before) | set(after)):
        b, a = before.get(p), after.get(p)
        if b and not a:
            out[p] = "removed"
        elif a and not b:
            out[p] = "added"
        elif a != b:
            out[p] = "modified"
    return out
'''),
    ('diff_files', 'review: grouped by status, not sorted by path', r'''
def diff_files(before, after):
    out = {}
    for p in sorted(before):
        if p not in after:
            out[p] = "removed"
    for p in sorted(after):
        if p not in before:
            out[p] = "added"
    for p in sorted(before):
        if p in after and before[p] != after[p]:
            out[p] = "modified"
    return out
'''),
    ('page_actions', 'review: regex over tags: handles quotes and attribute order, not entities or unquoted values', r'''
def page_actions(html):
    import re
    out = []
    for m in re.finditer(r"<(a|form)\b([^>]*)>", html, re.I):
        tag = m.group(1).lower()
        attrs = {k.lower(): v for k, _, v in re.findall(r"""([\w-]+)\s*=\s*(["'])(.*?)\2""", m.group(2))}
        if tag == "a" and attrs.get("href", "").startswith("/"):
            out.append("go " + attrs["href"])
        if tag == "form" and attrs.get("method", "get").lower() == "post" and attrs.get("action"):
            out.append("post " + attrs["action"])
    return list(dict.fromkeys(out))
'''),
    ('page_actions', "review: any tag with an href (link, base) becomes 'go'", r'''
def page_actions(html):
    class C(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if (a.get("href") or "").startswith("/"):
                self.found.append("go " + a["href"])
            if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                self.found.append("post " + a["action"])
    c = C()
    c.feed(html)
    return list(dict.fromkeys(c.found))
'''),
    ('page_actions', 'review: method compared case-sensitively', r'''
def page_actions(html):
    class C(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and (a.get("href") or "").startswith("/"):
                self.found.append("go " + a["href"])
            if tag == "form" and a.get("method") == "post" and a.get("action"):
                self.found.append("post " + a["action"])
    c = C()
    c.feed(html)
    return list(dict.fromkeys(c.found))
'''),
    ('page_actions', 'review: set() for repeats: order lost', r'''
def page_actions(html):
    class C(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and (a.get("href") or "").startswith("/"):
                self.found.append("go " + a["href"])
            if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                self.found.append("post " + a["action"])
    c = C()
    c.feed(html)
    return sorted(set(c.found))
'''),
    ('page_actions', 'review: a form without method taken as POST', r'''
def page_actions(html):
    class C(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and (a.get("href") or "").startswith("/"):
                self.found.append("go " + a["href"])
            if tag == "form" and (a.get("method") or "post").lower() == "post" and a.get("action"):
                self.found.append("post " + a["action"])
    c = C()
    c.feed(html)
    return list(dict.fromkeys(c.found))
'''),
    ('page_actions', 'review: href.startswith on a missing href (None) crashes', r'''
def page_actions(html):
    class C(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and a.get("href", "").startswith("/"):
                self.found.append("go " + a["href"])
            if tag == "form" and (a.get("method") or "get").lower() == "post" and a.get("action"):
                self.found.append("post " + a["action"])
    c = C()
    c.feed(html)
    return list(dict.fromkeys(c.found))
'''),
    ('order_placed', 'review: subset match: extras accepted', r'''
def order_placed(state, want, prior=()):
    new = [o for o in state["orders"] if o["number"] not in prior]
    return len(new) == 1 and all(new[0]["items"].get(str(k)) == v for k, v in want.items())
'''),
    ('order_placed', 'review: any new order matching (several orders allowed)', r'''
def order_placed(state, want, prior=()):
    target = {str(k): v for k, v in want.items()}
    return any(o["items"] == target for o in state["orders"] if o["number"] not in prior)
'''),
    ('order_placed', 'review: the last order only', r'''
def order_placed(state, want, prior=()):
    if not state["orders"]:
        return False
    last = state["orders"][-1]
    return last["number"] not in prior and last["items"] == {str(k): v for k, v in want.items()}
'''),
    ('order_placed', 'review: returns the list when empty (not a bool)', r'''
def order_placed(state, want, prior=()):
    new = [o for o in state["orders"] if o["number"] not in prior]
    return new and len(new) == 1 and new[0]["items"] == {str(k): v for k, v in want.items()}
'''),
    ('order_placed', 'review: total quantity only', r'''
def order_placed(state, want, prior=()):
    new = [o for o in state["orders"] if o["number"] not in prior]
    return len(new) == 1 and sum(new[0]["items"].values()) == sum(want.values()) and set(new[0]["items"]) == {str(k) for k in want}
'''),
    ('run_episode', 'review: global random.seed/random.random', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    random.seed(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    done, trace = [], []
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
        elif random.random() < fault_rate:
            faults += 1
            text, error = FAULT_TEXT, True
        else:
            text = env.step(action)
            done.append(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    ('run_episode', 'review: failed calls join done (hint skips the failed step)', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    done, trace = [], []
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
        else:
            done.append(action)
            if rng.random() < fault_rate:
                faults += 1
                text, error = FAULT_TEXT, True
            else:
                text = env.step(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    ('run_episode', 'review: hint from the trace (hints and failed calls included)', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    trace = []
    while steps < max_steps:
        menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
        action = policy(Observation(task.instruction, text, menu, error)).strip()
        steps += 1
        trace.append(action)
        error = False
        if action == "hint":
            hints += 1
            text = "HINT: the next step is: " + next_hint(task.solution, trace)
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
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    ('run_episode', 'review: error flag only cleared by a successful tool call', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    done, trace = [], []
    while steps < max_steps:
        menu = tuple(dict.fromkeys([*env.actions(), *task.extras, "hint"]))
        action = policy(Observation(task.instruction, text, menu, error)).strip()
        steps += 1
        trace.append(action)
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
            text, error = env.step(action), False
            done.append(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    ('run_episode', 'review: answer split on the first space, not stripped', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    done, trace = [], []
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
            answer = action.split(" ", 1)[1]
            break
        elif rng.random() < fault_rate:
            faults += 1
            text, error = FAULT_TEXT, True
        else:
            text = env.step(action)
            done.append(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    ('run_episode', 'review: budget: max_steps tool calls (hints free)', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    done, trace = [], []
    while steps - hints < max_steps:
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
'''),
    ('run_episode', "review: 'answer' prefix without the space (answerX is an answer)", r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    text = env.reset(task)
    error = False
    steps = hints = faults = 0
    answer = None
    done, trace = [], []
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
        elif action.startswith("answer"):
            answer = action[6:].strip()
            break
        elif rng.random() < fault_rate:
            faults += 1
            text, error = FAULT_TEXT, True
        else:
            text = env.step(action)
            done.append(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), steps, hints, faults, answer, trace)
'''),
    ('retrying', 'review: count reset only on a non-error observation', r'''
def retrying(policy, max_retries=2):
    last, retries = None, 0
    def act(obs):
        nonlocal last, retries
        if not obs.error:
            retries = 0
        elif last is not None and retries < max_retries:
            retries += 1
            return last
        last = policy(obs)
        return last
    return act
'''),
    ('retrying', 'review: retries on the fault TEXT, not obs.error', r'''
def retrying(policy, max_retries=2):
    last, retries = None, 0
    def act(obs):
        nonlocal last, retries
        if obs.text == FAULT_TEXT and last is not None and retries < max_retries:
            retries += 1
            return last
        retries = 0
        last = policy(obs)
        return last
    return act
'''),
    ('retrying', 'review: calls the policy anyway to keep it in sync', r'''
def retrying(policy, max_retries=2):
    last, retries = None, 0
    def act(obs):
        nonlocal last, retries
        new = policy(obs)
        if obs.error and last is not None and retries < max_retries:
            retries += 1
            return last
        retries = 0
        last = new
        return last
    return act
'''),
    ('retrying', 'review: module-level state shared by wrappers', r'''
_RETRY_STATE = {"last": None, "n": 0}
def retrying(policy, max_retries=2):
    st = _RETRY_STATE
    def act(obs):
        if obs.error and st["last"] is not None and st["n"] < max_retries:
            st["n"] += 1
            return st["last"]
        st["n"] = 0
        st["last"] = policy(obs)
        return st["last"]
    return act
'''),
    ('retrying', 'review: the last action not updated on a retry-less call after errors', r'''
def retrying(policy, max_retries=2):
    state = {"last": None, "n": 0}
    def act(obs):
        if obs.error and state["last"] is not None and state["n"] < max_retries:
            state["n"] += 1
            return state["last"]
        state["n"] = 0
        out = policy(obs)
        if state["last"] is None:
            state["last"] = out
        return out
    return act
'''),
    ('wilson_interval', 'review: z instead of z^2 in the centre', r'''
def wilson_interval(k, n, z=1.96):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
'''),
    ('wilson_interval', 'review: z^2/(4n) instead of z^2/(4n^2)', r'''
def wilson_interval(k, n, z=1.96):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n))
    return max(0.0, centre - half), min(1.0, centre + half)
'''),
    ('wilson_interval', 'review: Agresti-Coull instead of Wilson', r'''
def wilson_interval(k, n, z=1.96):
    if n == 0:
        return 0.0, 1.0
    nt = n + z * z
    pt = (k + z * z / 2) / nt
    half = z * math.sqrt(pt * (1 - pt) / nt)
    return max(0.0, pt - half), min(1.0, pt + half)
'''),
    ('wilson_interval', 'review: no denominator on the half-width', r'''
def wilson_interval(k, n, z=1.96):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
'''),
    ('wilson_interval', 'review: n == 0 gives (nan, nan)', r'''
def wilson_interval(k, n, z=1.96):
    if n == 0:
        return math.nan, math.nan
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
'''),
    ('bootstrap_ci', 'review: legacy global np.random.seed', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    np.random.seed(seed)
    means = x[np.random.randint(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
'''),
    ('bootstrap_ci', 'review: percentiles swapped', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.quantile(means, 1 - alpha / 2)), float(np.quantile(means, alpha / 2))
'''),
    ('bootstrap_ci', 'review: np.percentile with alpha as a percent', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.percentile(means, alpha / 2)), float(np.percentile(means, 1 - alpha / 2))
'''),
    ('bootstrap_ci', 'review: indices shaped (n, n_boot), mean over axis 0', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(len(x), n_boot))].mean(axis=0)
    return float(x.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
'''),
    ('bootstrap_ci', 'review: value = mean of the bootstrap means', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    return float(means.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
'''),
    ('kpis', 'review: steps over all episodes', r'''
def kpis(episodes, n_boot=2000, seed=0):
    def share(h, n):
        return (h / n if n else math.nan, *wilson_interval(h, n))
    solved = [e for e in episodes if e.success]
    faulted = [e for e in episodes if e.faults > 0]
    return {"success": share(len(solved), len(episodes)),
            "steps": bootstrap_ci([e.steps for e in episodes], n_boot=n_boot, seed=seed),
            "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
            "recovery": share(sum(e.success for e in faulted), len(faulted))}
'''),
    ('kpis', 'review: autonomy among solved episodes', r'''
def kpis(episodes, n_boot=2000, seed=0):
    def share(h, n):
        return (h / n if n else math.nan, *wilson_interval(h, n))
    solved = [e for e in episodes if e.success]
    faulted = [e for e in episodes if e.faults > 0]
    return {"success": share(len(solved), len(episodes)),
            "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
            "autonomy": share(sum(e.hints == 0 for e in solved), len(solved)),
            "recovery": share(sum(e.success for e in faulted), len(faulted))}
'''),
    ('kpis', 'review: max(1, n): empty proportions are 0.0', r'''
def kpis(episodes, n_boot=2000, seed=0):
    def share(h, n):
        return (h / max(1, n), *wilson_interval(h, n))
    solved = [e for e in episodes if e.success]
    faulted = [e for e in episodes if e.faults > 0]
    return {"success": share(len(solved), len(episodes)),
            "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
            "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
            "recovery": share(sum(e.success for e in faulted), len(faulted))}
'''),
    ('kpis', 'review: success guarded by max(1, n) only (empty list → 0.0)', r'''
def kpis(episodes, n_boot=2000, seed=0):
    def share(h, n):
        return (h / n if n else math.nan, *wilson_interval(h, n))
    solved = [e for e in episodes if e.success]
    faulted = [e for e in episodes if e.faults > 0]
    n = len(episodes)
    return {"success": (len(solved) / max(n, 1), *wilson_interval(len(solved), n)),
            "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
            "autonomy": (sum(e.hints == 0 for e in solved) / max(n, 1), *wilson_interval(sum(e.hints == 0 for e in solved), n)),
            "recovery": share(sum(e.success for e in faulted), len(faulted))}
'''),
    ('kpis', 'review: recovery = solved with faults over ALL episodes', r'''
def kpis(episodes, n_boot=2000, seed=0):
    def share(h, n):
        return (h / n if n else math.nan, *wilson_interval(h, n))
    solved = [e for e in episodes if e.success]
    return {"success": share(len(solved), len(episodes)),
            "steps": bootstrap_ci([e.steps for e in solved], n_boot=n_boot, seed=seed),
            "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
            "recovery": share(sum(e.faults > 0 for e in solved), len(episodes))}
'''),
    ('kpis', 'review: bootstrap without n_boot/seed', r'''
def kpis(episodes, n_boot=2000, seed=0):
    def share(h, n):
        return (h / n if n else math.nan, *wilson_interval(h, n))
    solved = [e for e in episodes if e.success]
    faulted = [e for e in episodes if e.faults > 0]
    return {"success": share(len(solved), len(episodes)),
            "steps": bootstrap_ci([e.steps for e in solved]),
            "autonomy": share(sum(e.hints == 0 for e in solved), len(episodes)),
            "recovery": share(sum(e.success for e in faulted), len(faulted))}
'''),
    ('choose_action', 'review: loop with >= (last of equal scores wins)', r'''
def choose_action(chat, obs, taken, prior):
    cands = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
    scores = chat.logprobs(agent_prompt(obs), cands, whole_reply=True)
    best, best_s = None, -float("inf")
    for c, s in zip(cands, scores):
        if s - prior[c] >= best_s:
            best, best_s = c, s - prior[c]
    return best
'''),
    ('choose_action', 'review: prior added instead of subtracted', r'''
def choose_action(chat, obs, taken, prior):
    cands = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
    scores = chat.logprobs(agent_prompt(obs), cands, whole_reply=True)
    return max(zip(cands, scores), key=lambda cs: cs[1] + prior[cs[0]])[0]
'''),
    ('choose_action', 'review: set difference: candidates in arbitrary order', r'''
def choose_action(chat, obs, taken, prior):
    cands = sorted(set(obs.actions) - set(taken) - {"hint"}) or sorted(set(obs.actions) - {"hint"})
    scores = chat.logprobs(agent_prompt(obs), cands, whole_reply=True)
    return max(zip(cands, scores), key=lambda cs: cs[1] - prior[cs[0]])[0]
'''),
    ('choose_action', 'review: fallback to the whole menu including hint', r'''
def choose_action(chat, obs, taken, prior):
    cands = [a for a in obs.actions if a != "hint" and a not in taken] or list(obs.actions)
    scores = chat.logprobs(agent_prompt(obs), cands, whole_reply=True)
    return max(zip(cands, scores), key=lambda cs: cs[1] - prior[cs[0]])[0]
'''),
    ('choose_action', 'review: scores the whole menu, filters at the argmax', r'''
def choose_action(chat, obs, taken, prior):
    scores = chat.logprobs(agent_prompt(obs), list(obs.actions), whole_reply=True)
    ok = [i for i, a in enumerate(obs.actions) if a != "hint" and a not in taken] or          [i for i, a in enumerate(obs.actions) if a != "hint"]
    i = max(ok, key=lambda i: scores[i] - prior[obs.actions[i]])
    return obs.actions[i]
'''),
    ('choose_action', 'review: length-normalised score', r'''
def choose_action(chat, obs, taken, prior):
    cands = [a for a in obs.actions if a != "hint" and a not in taken] or [a for a in obs.actions if a != "hint"]
    scores = chat.logprobs(agent_prompt(obs), cands, whole_reply=True)
    return max(zip(cands, scores), key=lambda cs: (cs[1] - prior[cs[0]]) / len(cs[0]))[0]
'''),
    ('paired_task_difference', 'review: tasks in first-seen order', r'''
def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
    from arena_check.reference.s2_4_llm_agents import paired_bootstrap
    ga, gb = {}, {}
    for e in a:
        ga.setdefault(e.task_id, []).append(float(e.success))
    for e in b:
        gb.setdefault(e.task_id, []).append(float(e.success))
    ids = [t for t in ga if t in gb]
    d, lo, hi = paired_bootstrap([sum(ga[t]) / len(ga[t]) for t in ids], [sum(gb[t]) / len(gb[t]) for t in ids],
                                 n_boot=n_boot, seed=seed, alpha=alpha)
    return d, lo, hi, len(ids)
'''),
    ('paired_task_difference', 'review: solved at least once (pass@k) per task', r'''
def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
    from arena_check.reference.s2_4_llm_agents import paired_bootstrap
    ga, gb = {}, {}
    for e in a:
        ga[e.task_id] = ga.get(e.task_id, False) or e.success
    for e in b:
        gb[e.task_id] = gb.get(e.task_id, False) or e.success
    ids = sorted(set(ga) & set(gb))
    d, lo, hi = paired_bootstrap([float(ga[t]) for t in ids], [float(gb[t]) for t in ids],
                                 n_boot=n_boot, seed=seed, alpha=alpha)
    return d, lo, hi, len(ids)
'''),
    ('paired_task_difference', 'review: the last episode of a task overwrites the others', r'''
def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
    from arena_check.reference.s2_4_llm_agents import paired_bootstrap
    ga = {e.task_id: float(e.success) for e in a}
    gb = {e.task_id: float(e.success) for e in b}
    ids = sorted(set(ga) & set(gb))
    d, lo, hi = paired_bootstrap([ga[t] for t in ids], [gb[t] for t in ids], n_boot=n_boot, seed=seed, alpha=alpha)
    return d, lo, hi, len(ids)
'''),
    ('paired_task_difference', 'review: a tasks missing in b counted as 0', r'''
def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
    from arena_check.reference.s2_4_llm_agents import paired_bootstrap
    ga, gb = {}, {}
    for e in a:
        ga.setdefault(e.task_id, []).append(float(e.success))
    for e in b:
        gb.setdefault(e.task_id, []).append(float(e.success))
    ids = sorted(set(ga) | set(gb))
    m = lambda g, t: sum(g[t]) / len(g[t]) if t in g else 0.0
    d, lo, hi = paired_bootstrap([m(ga, t) for t in ids], [m(gb, t) for t in ids], n_boot=n_boot, seed=seed, alpha=alpha)
    return d, lo, hi, len(ids)
'''),
    ('paired_task_difference', 'review: a − b instead of b − a', r'''
def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
    from arena_check.reference.s2_4_llm_agents import paired_bootstrap
    ga, gb = {}, {}
    for e in a:
        ga.setdefault(e.task_id, []).append(float(e.success))
    for e in b:
        gb.setdefault(e.task_id, []).append(float(e.success))
    ids = sorted(set(ga) & set(gb))
    d, lo, hi = paired_bootstrap([sum(gb[t]) / len(gb[t]) for t in ids], [sum(ga[t]) / len(ga[t]) for t in ids],
                                 n_boot=n_boot, seed=seed, alpha=alpha)
    return d, lo, hi, len(ids)
'''),
]
REVIEW_ALTERNATIVES: list[tuple[str, str, str]] = [
    ('resolve_path', 'review: functools.reduce over parts', r'''
def resolve_path(cwd, path):
    from functools import reduce
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    if not path.startswith("/"):
        path = cwd.rstrip("/") + "/" + path
    parts = reduce(lambda acc, p: acc[:-1] if p == ".." else acc if p in ("", ".") else acc + [p],
                   path.split("/"), [])
    return "/" + "/".join(parts)
'''),
    ('resolve_path', 'review: recursion on os.path-free strings with regex split', r'''
def resolve_path(cwd, path):
    import re
    if path == "~" or path[:2] == "~/":
        base, rest = HOME, path[2:]
    elif path.startswith("/"):
        base, rest = "/", path
    else:
        base, rest = cwd, path
    out = [p for p in base.split("/") if p]
    for part in re.split("/+", rest):
        if part in ("", "."):
            continue
        if part == "..":
            out = out[:-1]
        else:
            out.append(part)
    return "/" + "/".join(out)
'''),
    ('parse_command', 'review: explicit index search', r'''
def parse_command(line):
    import shlex
    try:
        toks = shlex.split(line)
    except ValueError as e:
        raise ShellError(str(e))
    if len(toks) == 0:
        raise ShellError("empty")
    n_ops = sum(t in (">", ">>") for t in toks)
    if n_ops == 0:
        return toks, None, None
    if n_ops == 1 and len(toks) >= 3 and toks[-2] in (">", ">>"):
        return toks[:-2], toks[-2], toks[-1]
    raise ShellError("bad redirect")
'''),
    ('diff_files', 'review: set algebra then sorted', r'''
def diff_files(before, after):
    status = {}
    for p in before.keys() - after.keys():
        status[p] = "removed"
    for p in after.keys() - before.keys():
        status[p] = "added"
    for p in before.keys() & after.keys():
        if before[p] != after[p]:
            status[p] = "modified"
    return dict(sorted(status.items()))
'''),
    ('page_actions', 'review: HTMLParser with a seen set and startendtag', r'''
def page_actions(html):
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.out, self.seen = [], set()
        def add(self, item):
            if item not in self.seen:
                self.seen.add(item)
                self.out.append(item)
        def handle_starttag(self, tag, attrs):
            d = {k: (v or "") for k, v in attrs}
            if tag == "a" and d.get("href", "")[:1] == "/":
                self.add("go " + d["href"])
            elif tag == "form" and d.get("method", "").upper() == "POST" and d.get("action"):
                self.add("post " + d["action"])
    p = P()
    p.feed(html)
    p.close()
    return p.out
'''),
    ('order_placed', 'review: Counter and normalised keys', r'''
def order_placed(state, want, prior=()):
    from collections import Counter
    old = set(prior)
    fresh = [o for o in state["orders"] if o["number"] not in old]
    if len(fresh) != 1:
        return False
    got = Counter({int(k): v for k, v in fresh[0]["items"].items()})
    return got == Counter(dict(want))
'''),
    ('run_episode', 'review: for-loop over the budget with a dispatch', r'''
def run_episode(policy, env, task, *, max_steps=12, fault_rate=0.0, seed=0):
    rng = random.Random(seed)
    rec = {"steps": 0, "hints": 0, "faults": 0}
    text, error, answer, done, trace = env.reset(task), False, None, [], []
    for _ in range(max_steps):
        menu = []
        for a in [*env.actions(), *task.extras, "hint"]:
            if a not in menu:
                menu.append(a)
        action = policy(Observation(task.instruction, text, tuple(menu), error)).strip()
        rec["steps"] += 1
        trace.append(action)
        error = False
        if action == "submit":
            break
        if action.startswith("answer "):
            answer = action.split(" ", 1)[1].strip()
            break
        if action == "hint":
            rec["hints"] += 1
            text = "HINT: the next step is: " + next_hint(task.solution, done)
            continue
        if rng.random() < fault_rate:
            rec["faults"] += 1
            text, error = FAULT_TEXT, True
            continue
        text = env.step(action)
        done.append(action)
    return Episode(task.id, bool(task.check(env.state(), answer)), rec["steps"], rec["hints"], rec["faults"], answer, trace)
'''),
    ('retrying', 'review: a class with __call__', r'''
def retrying(policy, max_retries=2):
    class Retry:
        def __init__(self):
            self.last, self.left = None, max_retries
        def __call__(self, obs):
            if obs.error and self.last is not None and self.left > 0:
                self.left -= 1
                return self.last
            self.left = max_retries
            self.last = policy(obs)
            return self.last
    return Retry()
'''),
    ('wilson_interval', 'review: closed form over n + z^2', r'''
def wilson_interval(k, n, z=1.96):
    if n == 0:
        return 0.0, 1.0
    z2 = z * z
    root = z * math.sqrt(z2 + 4 * k * (n - k) / n)
    lo = (2 * k + z2 - root) / (2 * (n + z2))
    hi = (2 * k + z2 + root) / (2 * (n + z2))
    return float(min(1.0, max(0.0, lo))), float(max(0.0, min(1.0, hi)))
'''),
    ('bootstrap_ci', 'review: a loop drawing one row at a time from the same generator', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    vals = np.array(list(values), dtype=float)
    n = vals.size
    if n == 0:
        return (math.nan,) * 3
    g = np.random.default_rng(seed)
    means = np.empty(n_boot)
    for b in range(n_boot):
        means[b] = vals[g.integers(0, n, size=n)].mean()
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(vals.mean()), float(lo), float(hi)
'''),
    ('bootstrap_ci', 'review: rng.choice row by row (the same draws as integers)', r'''
def bootstrap_ci(values, n_boot=2000, seed=0, alpha=0.05):
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = np.array([rng.choice(x, size=len(x), replace=True).mean() for _ in range(n_boot)])
    return float(x.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
'''),
    ('kpis', 'review: one pass with counters', r'''
def kpis(episodes, n_boot=2000, seed=0):
    n = k = auto = nf = kf = 0
    solved_steps = []
    for e in episodes:
        n += 1
        if e.faults > 0:
            nf += 1
        if e.success:
            k += 1
            solved_steps.append(e.steps)
            auto += e.hints == 0
            kf += e.faults > 0
    def prop(h, m):
        lo, hi = wilson_interval(h, m)
        return (h / m if m else float("nan"), lo, hi)
    return {"success": prop(k, n), "steps": bootstrap_ci(solved_steps, n_boot, seed),
            "autonomy": prop(auto, n), "recovery": prop(kf, nf)}
'''),
    ('choose_action', 'review: np.argmax over an array of PMI scores', r'''
def choose_action(chat, obs, taken, prior):
    pool = [a for a in obs.actions if a != "hint"]
    cands = [a for a in pool if a not in set(taken)] or pool
    s = np.asarray(chat.logprobs(agent_prompt(obs), cands, whole_reply=True), dtype=float)
    s = s - np.array([prior[c] for c in cands])
    return cands[int(np.argmax(s))]
'''),
    ('paired_task_difference', 'review: defaultdict and np.mean', r'''
def paired_task_difference(a, b, n_boot=10_000, seed=0, alpha=0.05):
    from collections import defaultdict
    from arena_check.reference.s2_4_llm_agents import paired_bootstrap
    ga, gb = defaultdict(list), defaultdict(list)
    for e in a:
        ga[e.task_id].append(e.success)
    for e in b:
        gb[e.task_id].append(e.success)
    common = sorted(ga.keys() & gb.keys())
    diff, lo, hi = paired_bootstrap([float(np.mean(ga[t])) for t in common], [float(np.mean(gb[t])) for t in common],
                                    n_boot=n_boot, seed=seed, alpha=alpha)
    return diff, lo, hi, len(common)
'''),
]
for _name, _label, _src in REVIEW_MUTANTS:
    MUTANTS[_name].append((_label, _src))
for _name, _label, _src in REVIEW_ALTERNATIVES:
    ALTERNATIVES_ALL[_name].append((_label, _src))

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES_ALL))
