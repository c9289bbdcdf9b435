"""Section 2.4: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

_ENV_HEAD = '''
            class WikiGameEnv(gym.Env):
                def __init__(self, graph, max_moves=MAX_MOVES):
                    self.graph = {p: tuple(l) for p, l in graph.items()}
                    self.pages = sorted(self.graph)
                    self.max_moves = max_moves
                    self.action_space = spaces.Discrete(max(len(v) for v in self.graph.values()))
                    self.page = self.goal = ""
                    self.path = []
                    self.done = True

                def _obs(self):
                    return {"page": self.page, "links": self.graph.get(self.page, ()), "goal": self.goal}

                def reset(self, *, seed=None, options=None):
                    super().reset(seed=seed)
                    if options is not None:
                        self.page, self.goal = options["start"], options["goal"]
                    else:
                        i, j = self.np_random.choice(len(self.pages), size=2, replace=False)
                        self.page, self.goal = self.pages[int(i)], self.pages[int(j)]
                    self.path = [self.page]
                    self.done = self.page == self.goal
                    return self._obs(), {"moves": 0, "path": list(self.path), "invalid": False}
'''

_LOOP_HEAD = '''
            def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
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
'''

MUTANTS = {
    "bfs_path": [
        ("depth-first search (a stack): a path, not a shortest one", """
            def bfs_path(graph, start, goal):
                parent = {start: None}
                stack = [start]
                while stack:
                    page = stack.pop()
                    if page == goal:
                        path = [page]
                        while parent[path[-1]] is not None:
                            path.append(parent[path[-1]])
                        return path[::-1]
                    for other in graph.get(page, ()):
                        if other not in parent:
                            parent[other] = page
                            stack.append(other)
                return None
        """),
        ("path returned goal-first (not reversed)", """
            def bfs_path(graph, start, goal):
                parent = {start: None}
                queue = deque([start])
                while queue:
                    page = queue.popleft()
                    if page == goal:
                        path = [page]
                        while parent[path[-1]] is not None:
                            path.append(parent[path[-1]])
                        return path
                    for other in graph.get(page, ()):
                        if other not in parent:
                            parent[other] = page
                            queue.append(other)
                return None
        """),
        ("links treated as two-way", """
            def bfs_path(graph, start, goal):
                both = {}
                for a, links in graph.items():
                    for b in links:
                        both.setdefault(a, set()).add(b)
                        both.setdefault(b, set()).add(a)
                parent = {start: None}
                queue = deque([start])
                while queue:
                    page = queue.popleft()
                    if page == goal:
                        path = [page]
                        while parent[path[-1]] is not None:
                            path.append(parent[path[-1]])
                        return path[::-1]
                    for other in sorted(both.get(page, ())):
                        if other not in parent:
                            parent[other] = page
                            queue.append(other)
                return None
        """),
        ("start == goal returns [] (no path needed)", """
            def bfs_path(graph, start, goal):
                if start == goal:
                    return []
                parent = {start: None}
                queue = deque([start])
                while queue:
                    page = queue.popleft()
                    for other in graph.get(page, ()):
                        if other not in parent:
                            parent[other] = page
                            if other == goal:
                                path = [other]
                                while parent[path[-1]] is not None:
                                    path.append(parent[path[-1]])
                                return path[::-1]
                            queue.append(other)
                return None
        """),
        ("crashes on a page that is not a key (graph[page])", """
            def bfs_path(graph, start, goal):
                parent = {start: None}
                queue = deque([start])
                while queue:
                    page = queue.popleft()
                    if page == goal:
                        path = [page]
                        while parent[path[-1]] is not None:
                            path.append(parent[path[-1]])
                        return path[::-1]
                    for other in graph[page]:
                        if other not in parent:
                            parent[other] = page
                            queue.append(other)
                return None
        """),
    ],
    "WikiGameEnv": [
        ("truncates one move late (moves > max_moves)", _ENV_HEAD + """
                def step(self, action):
                    if self.done:
                        raise RuntimeError("ended")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= action < len(links))
                    if not invalid:
                        self.page = links[action]
                    self.path.append(self.page)
                    moves = len(self.path) - 1
                    terminated = self.page == self.goal
                    truncated = not terminated and moves > self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), float(terminated), terminated, truncated, {"moves": moves, "path": list(self.path), "invalid": invalid}
        """),
        ("never truncates", _ENV_HEAD + """
                def step(self, action):
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= action < len(links))
                    if not invalid:
                        self.page = links[action]
                    self.path.append(self.page)
                    terminated = self.page == self.goal
                    return self._obs(), float(terminated), terminated, False, {"moves": len(self.path) - 1, "path": list(self.path), "invalid": invalid}
        """),
        ("negative actions index from the end (links[-1])", _ENV_HEAD + """
                def step(self, action):
                    if self.done:
                        raise RuntimeError("ended")
                    links = self.graph.get(self.page, ())
                    invalid = action >= len(links)
                    if not invalid:
                        self.page = links[action]
                    self.path.append(self.page)
                    moves = len(self.path) - 1
                    terminated = self.page == self.goal
                    truncated = not terminated and moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), float(terminated), terminated, truncated, {"moves": moves, "path": list(self.path), "invalid": invalid}
        """),
        ("an invalid action costs no move", _ENV_HEAD + """
                def step(self, action):
                    if self.done:
                        raise RuntimeError("ended")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= action < len(links))
                    if not invalid:
                        self.page = links[action]
                        self.path.append(self.page)
                    moves = len(self.path) - 1
                    terminated = self.page == self.goal
                    truncated = not terminated and moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), float(terminated), terminated, truncated, {"moves": moves, "path": list(self.path), "invalid": invalid}
        """),
        ("the last move is both terminated and truncated", _ENV_HEAD + """
                def step(self, action):
                    if self.done:
                        raise RuntimeError("ended")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= action < len(links))
                    if not invalid:
                        self.page = links[action]
                    self.path.append(self.page)
                    moves = len(self.path) - 1
                    terminated = self.page == self.goal
                    truncated = moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), float(terminated), terminated, truncated, {"moves": moves, "path": list(self.path), "invalid": invalid}
        """),
        ("steps allowed after the episode ended", _ENV_HEAD + """
                def step(self, action):
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= action < len(links))
                    if not invalid:
                        self.page = links[action]
                    self.path.append(self.page)
                    moves = len(self.path) - 1
                    terminated = self.page == self.goal
                    truncated = not terminated and moves >= self.max_moves
                    return self._obs(), float(terminated), terminated, truncated, {"moves": moves, "path": list(self.path), "invalid": invalid}
        """),
        ("reward 1 on every move that ends the episode", _ENV_HEAD + """
                def step(self, action):
                    if self.done:
                        raise RuntimeError("ended")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= action < len(links))
                    if not invalid:
                        self.page = links[action]
                    self.path.append(self.page)
                    moves = len(self.path) - 1
                    terminated = self.page == self.goal
                    truncated = not terminated and moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), float(self.done), terminated, truncated, {"moves": moves, "path": list(self.path), "invalid": invalid}
        """),
        ("reset with a seed ignored (unseeded random pair)", """
            _Base = WikiGameEnv

            class WikiGameEnv(_Base):
                def reset(self, *, seed=None, options=None):
                    if options is None:
                        import random as _r
                        a, b = _r.sample(self.pages, 2)
                        options = {"start": a, "goal": b}
                    return super().reset(options=options)
        """),
    ],
    "play_episode": [
        ("loops until terminated: counts a success after the budget (with a lenient env)", """
            def play_episode(env, policy, start, goal):
                obs, info = env.reset(options={"start": start, "goal": goal})
                if start == goal:
                    return {"success": True, "moves": 0, "path": [start]}
                terminated = False
                while not terminated:
                    obs, reward, terminated, truncated, info = env.step(policy(obs))
                return {"success": True, "moves": info["moves"], "path": info["path"]}
        """),
        ("success read as 'not truncated' at the end, moves = len(path)", """
            def play_episode(env, policy, start, goal):
                obs, info = env.reset(options={"start": start, "goal": goal})
                path = [start]
                truncated = terminated = start == goal
                while not (terminated or truncated):
                    obs, reward, terminated, truncated, info = env.step(policy(obs))
                    path.append(obs["page"])
                return {"success": not truncated, "moves": len(path), "path": path}
        """),
        ("the policy is called on the first observation every time", """
            def play_episode(env, policy, start, goal):
                first, info = env.reset(options={"start": start, "goal": goal})
                if start == goal:
                    return {"success": True, "moves": 0, "path": [start]}
                while True:
                    obs, reward, terminated, truncated, info = env.step(policy(first))
                    if terminated or truncated:
                        return {"success": bool(terminated), "moves": info["moves"], "path": info["path"]}
        """),
        ("start == goal steps once anyway", """
            def play_episode(env, policy, start, goal):
                obs, info = env.reset(options={"start": start, "goal": goal})
                env.done = False
                while True:
                    obs, reward, terminated, truncated, info = env.step(policy(obs))
                    if terminated or truncated:
                        return {"success": bool(terminated), "moves": info["moves"], "path": info["path"]}
        """),
    ],
    "tool_schema": [
        ("every parameter required", """
            def tool_schema(fn):
                hints = typing.get_type_hints(fn)
                params = inspect.signature(fn).parameters
                props = {n: ({"type": JSON_TYPES[hints[n]]} if hints.get(n) in JSON_TYPES else {}) for n in params}
                doc = inspect.getdoc(fn) or ""
                return {"name": fn.__name__, "description": doc.splitlines()[0].strip() if doc else "",
                        "parameters": {"type": "object", "properties": props, "required": list(params)}}
        """),
        ("the whole docstring as the description", """
            def tool_schema(fn):
                hints = typing.get_type_hints(fn)
                params = inspect.signature(fn).parameters
                props = {n: ({"type": JSON_TYPES[hints[n]]} if hints.get(n) in JSON_TYPES else {}) for n in params}
                req = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
                return {"name": fn.__name__, "description": inspect.getdoc(fn) or "",
                        "parameters": {"type": "object", "properties": props, "required": req}}
        """),
        ("annotations read raw (strings under __future__ annotations)", """
            def tool_schema(fn):
                params = inspect.signature(fn).parameters
                props = {n: ({"type": JSON_TYPES[p.annotation]} if p.annotation in JSON_TYPES else {})
                         for n, p in params.items()}
                req = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
                doc = inspect.getdoc(fn) or ""
                return {"name": fn.__name__, "description": doc.splitlines()[0].strip() if doc else "",
                        "parameters": {"type": "object", "properties": props, "required": req}}
        """),
        ("unknown annotations typed as 'string'", """
            def tool_schema(fn):
                hints = typing.get_type_hints(fn)
                params = inspect.signature(fn).parameters
                props = {n: {"type": JSON_TYPES.get(hints.get(n), "string")} for n in params}
                req = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
                doc = inspect.getdoc(fn) or ""
                return {"name": fn.__name__, "description": doc.splitlines()[0].strip() if doc else "",
                        "parameters": {"type": "object", "properties": props, "required": req}}
        """),
        ("the return annotation listed as a parameter", """
            def tool_schema(fn):
                hints = typing.get_type_hints(fn)
                params = inspect.signature(fn).parameters
                props = {n: ({"type": JSON_TYPES[t]} if t in JSON_TYPES else {}) for n, t in hints.items()}
                for n in params:
                    props.setdefault(n, {})
                req = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
                doc = inspect.getdoc(fn) or ""
                return {"name": fn.__name__, "description": doc.splitlines()[0].strip() if doc else "",
                        "parameters": {"type": "object", "properties": props, "required": req}}
        """),
    ],
    "parse_tool_call": [
        ("the first Action line, not the last", """
            def parse_tool_call(text):
                lines = [l.strip() for l in text.splitlines() if l.strip().startswith("Action:")]
                if not lines:
                    raise ValueError("no Action")
                try:
                    call = json.loads(lines[0][7:])
                except json.JSONDecodeError as e:
                    raise ValueError(str(e)) from None
                if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                    raise ValueError("bad")
                args = call.get("arguments", {})
                if not isinstance(args, dict):
                    raise ValueError("bad")
                return {"name": call["name"], "arguments": args}
        """),
        ("'Action:' found anywhere in a line", """
            def parse_tool_call(text):
                lines = [l for l in text.splitlines() if "Action:" in l]
                if not lines:
                    raise ValueError("no Action")
                try:
                    call = json.loads(lines[-1].split("Action:", 1)[1])
                except json.JSONDecodeError as e:
                    raise ValueError(str(e)) from None
                if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                    raise ValueError("bad")
                args = call.get("arguments", {})
                if not isinstance(args, dict):
                    raise ValueError("bad")
                return {"name": call["name"], "arguments": args}
        """),
        ("a missing name becomes a KeyError", """
            def parse_tool_call(text):
                lines = [l.strip() for l in text.splitlines() if l.strip().startswith("Action:")]
                if not lines:
                    raise ValueError("no Action")
                try:
                    call = json.loads(lines[-1][7:])
                except json.JSONDecodeError as e:
                    raise ValueError(str(e)) from None
                if not isinstance(call, dict):
                    raise ValueError("bad")
                return {"name": call["name"], "arguments": call.get("arguments", {})}
        """),
        ("types not validated", """
            def parse_tool_call(text):
                lines = [l.strip() for l in text.splitlines() if l.strip().startswith("Action:")]
                if not lines:
                    raise ValueError("no Action")
                try:
                    call = json.loads(lines[-1][7:])
                    return {"name": call["name"], "arguments": call.get("arguments", {})}
                except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
                    raise ValueError(str(e)) from None
        """),
        ("no arguments key gives None", """
            def parse_tool_call(text):
                lines = [l.strip() for l in text.splitlines() if l.strip().startswith("Action:")]
                if not lines:
                    raise ValueError("no Action")
                try:
                    call = json.loads(lines[-1][7:])
                except json.JSONDecodeError as e:
                    raise ValueError(str(e)) from None
                if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                    raise ValueError("bad")
                args = call.get("arguments")
                if args is not None and not isinstance(args, dict):
                    raise ValueError("bad")
                return {"name": call["name"], "arguments": args}
        """),
    ],
    "run_tool_call": [
        ("exceptions raised to the caller", """
            def run_tool_call(tools, call):
                if call["name"] not in tools:
                    return f"Error: unknown tool {call['name']!r}; tools: {', '.join(sorted(tools))}", True
                return str(tools[call["name"]](**call.get("arguments", {}))), False
        """),
        ("an unknown tool raises KeyError", """
            def run_tool_call(tools, call):
                fn = tools[call["name"]]
                try:
                    return str(fn(**call.get("arguments", {}))), False
                except Exception as e:
                    return f"Error: {type(e).__name__}: {e}", True
        """),
        ("the result not turned into text", """
            def run_tool_call(tools, call):
                name = call["name"]
                if name not in tools:
                    return f"Error: unknown tool {name!r}; tools: {', '.join(sorted(tools))}", True
                try:
                    return tools[name](**call.get("arguments", {})), False
                except Exception as e:
                    return f"Error: {type(e).__name__}: {e}", True
        """),
        ("errors not flagged", """
            def run_tool_call(tools, call):
                name = call["name"]
                if name not in tools:
                    return f"Error: unknown tool {name!r}; tools: {', '.join(sorted(tools))}", False
                try:
                    return str(tools[name](**call.get("arguments", {}))), False
                except Exception as e:
                    return f"Error: {type(e).__name__}: {e}", False
        """),
        ("the error message without the exception type", """
            def run_tool_call(tools, call):
                name = call["name"]
                if name not in tools:
                    return f"Error: unknown tool {name!r}; tools: {', '.join(sorted(tools))}", True
                try:
                    return str(tools[name](**call.get("arguments", {}))), False
                except Exception as e:
                    return f"Error: {e}", True
        """),
    ],
    "agent_loop": [
        ("tool results dropped from the history", _LOOP_HEAD + """
                    failures = failures + 1 if error else 0
                    if failures > max_retries:
                        break
                return history
        """),
        ("no retry cap: errors never stop the loop", _LOOP_HEAD + """
                    history.append({"role": "tool", "tool_call_id": call_id, "content": content, "error": error})
                return history
        """),
        ("the cap counts all errors, not consecutive ones", _LOOP_HEAD + """
                    history.append({"role": "tool", "tool_call_id": call_id, "content": content, "error": error})
                    failures += error
                    if failures > max_retries:
                        break
                return history
        """),
        ("stops at max_retries errors, one too early", _LOOP_HEAD + """
                    history.append({"role": "tool", "tool_call_id": call_id, "content": content, "error": error})
                    failures = failures + 1 if error else 0
                    if failures >= max_retries:
                        break
                return history
        """),
        ("a parse error ends the run instead of being returned to the model", """
            def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
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
                        call = parse_tool_call(text)
                    except ValueError:
                        break
                    content, error = run_tool_call(tools, call)
                    history.append({"role": "tool", "tool_call_id": call_id, "content": content, "error": error})
                    failures = failures + 1 if error else 0
                    if failures > max_retries:
                        break
                return history
        """),
        ("the caller's list extended in place", """
            def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
                history = messages
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
        """),
        ("the result is given to the policy as a user message", _LOOP_HEAD + """
                    history.append({"role": "user", "tool_call_id": call_id, "content": content, "error": error})
                    failures = failures + 1 if error else 0
                    if failures > max_retries:
                        break
                return history
        """),
    ],
    "truncate_history": [
        ("the last n messages, orphaned tool results kept", """
            def truncate_history(messages, max_messages):
                head = list(messages[:1]) if messages and messages[0]["role"] == "system" else []
                rest = list(messages[len(head):])
                budget = max_messages - len(head)
                return head + (rest[max(0, len(rest) - budget):] if budget > 0 else [])
        """),
        ("the system prompt dropped with the old turns", """
            def truncate_history(messages, max_messages):
                tail = list(messages[-max_messages:])
                while tail and tail[0]["role"] == "tool":
                    tail = tail[1:]
                return tail
        """),
        ("the system prompt not counted in the budget", """
            def truncate_history(messages, max_messages):
                head = list(messages[:1]) if messages and messages[0]["role"] == "system" else []
                rest = list(messages[len(head):])
                tail = rest[-max_messages:]
                while tail and tail[0]["role"] == "tool":
                    tail = tail[1:]
                return head + tail
        """),
        ("an orphan fixed by dropping the assistant call after it too", """
            def truncate_history(messages, max_messages):
                head = list(messages[:1]) if messages and messages[0]["role"] == "system" else []
                rest = list(messages[len(head):])
                budget = max_messages - len(head)
                tail = rest[max(0, len(rest) - budget):] if budget > 0 else []
                if tail and tail[0]["role"] == "tool":
                    tail = tail[2:]
                return head + tail
        """),
        ("budget 0 for the rest keeps everything (rest[-0:])", """
            def truncate_history(messages, max_messages):
                head = list(messages[:1]) if messages and messages[0]["role"] == "system" else []
                rest = list(messages[len(head):])
                tail = rest[-(max_messages - len(head)):]
                while tail and tail[0]["role"] == "tool":
                    tail = tail[1:]
                return head + tail
        """),
    ],
    "wiki_tools": [
        ("a bad page is returned as text, not a ToolError", """
            ref_wiki_tools = wiki_tools

            def wiki_tools(env):
                tools = ref_wiki_tools(env)
                @tool
                def move_to():
                    async def execute(page: str) -> str:
                        '''Follow a link.

                        Args:
                            page: a linked page.
                        '''
                        links = env.graph[env.page]
                        if page not in links:
                            return f"Error: {page!r} is not a link"
                        obs, r, term, trunc, info = env.step(links.index(page))
                        if term:
                            return f"You reached the goal {env.goal} in {info['moves']} moves."
                        if trunc:
                            return f"Out of moves on {env.page}."
                        return f"Moved to {env.page}. Links: {', '.join(obs['links'])}"
                    return execute
                return [tools[0], move_to(), tools[2]]
        """),
        ("a bad page still spends a move", """
            ref_wiki_tools = wiki_tools

            def wiki_tools(env):
                tools = ref_wiki_tools(env)
                @tool
                def move_to():
                    async def execute(page: str) -> str:
                        '''Follow a link.

                        Args:
                            page: a linked page.
                        '''
                        links = env.graph[env.page]
                        if page not in links:
                            env.step(len(links))
                            raise ToolError(f"{page!r} is not a link from {env.page}; links: {', '.join(links)}")
                        obs, r, term, trunc, info = env.step(links.index(page))
                        if term:
                            return f"You reached the goal {env.goal} in {info['moves']} moves."
                        if trunc:
                            return f"Out of moves on {env.page}."
                        return f"Moved to {env.page}. Links: {', '.join(obs['links'])}"
                    return execute
                return [tools[0], move_to(), tools[2]]
        """),
        ("lookahead moves the agent", """
            ref_wiki_tools = wiki_tools

            def wiki_tools(env):
                tools = ref_wiki_tools(env)
                @tool
                def lookahead():
                    async def execute(page: str) -> str:
                        '''Look at a page's links.

                        Args:
                            page: a linked page.
                        '''
                        links = env.graph[env.page]
                        if page not in links:
                            raise ToolError(f"{page!r} is not a link from {env.page}")
                        env.step(links.index(page))
                        return f"Links from {page}: {', '.join(env.graph[page])}"
                    return execute
                return [tools[0], tools[1], lookahead()]
        """),
        ("tools in another order", """
            ref_wiki_tools = wiki_tools

            def wiki_tools(env):
                a, b, c = ref_wiki_tools(env)
                return [b, a, c]
        """),
    ],
    "rank_links": [
        ("one call per link", """
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                messages = [{"role": "user", "content": template.format(goal=goal)}]
                return [float(chat.logprobs(messages, [l], whole_reply=True)[0]) for l in links]
        """),
        ("whole_reply left False", """
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                if not links:
                    return []
                messages = [{"role": "user", "content": template.format(goal=goal)}]
                return [float(x) for x in chat.logprobs(messages, list(links))]
        """),
        ("the template ignored", """
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                if not links:
                    return []
                messages = [{"role": "user", "content": PLAIN_TEMPLATE.format(goal=goal)}]
                return [float(x) for x in chat.logprobs(messages, list(links), whole_reply=True)]
        """),
        ("scores sorted best first", """
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                if not links:
                    return []
                messages = [{"role": "user", "content": template.format(goal=goal)}]
                return sorted((float(x) for x in chat.logprobs(messages, list(links), whole_reply=True)), reverse=True)
        """),
        ("the prompt as a system message", """
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                if not links:
                    return []
                messages = [{"role": "system", "content": template.format(goal=goal)}]
                return [float(x) for x in chat.logprobs(messages, list(links), whole_reply=True)]
        """),
    ],
    "elicited_choice": [
        ("history ignored: the best score overall", """
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                if obs["goal"] in links:
                    return links.index(obs["goal"])
                for i, link in enumerate(links):
                    if obs["goal"] in lookahead(link):
                        return i
                return max(range(len(links)), key=lambda i: (scores[links[i]], -i))
        """),
        ("no lookahead", """
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                if obs["goal"] in links:
                    return links.index(obs["goal"])
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                return max(fresh, key=lambda i: (scores[links[i]], -i))
        """),
        ("ties go to the last link", """
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                if obs["goal"] in links:
                    return links.index(obs["goal"])
                for i, link in enumerate(links):
                    if obs["goal"] in lookahead(link):
                        return i
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                return max(fresh, key=lambda i: (scores[links[i]], i))
        """),
        ("lookahead skips visited links", """
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                if obs["goal"] in links:
                    return links.index(obs["goal"])
                for i, link in enumerate(links):
                    if link not in visited and obs["goal"] in lookahead(link):
                        return i
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                return max(fresh, key=lambda i: (scores[links[i]], -i))
        """),
        ("the lowest score (log-probs read as losses)", """
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                if obs["goal"] in links:
                    return links.index(obs["goal"])
                for i, link in enumerate(links):
                    if obs["goal"] in lookahead(link):
                        return i
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                return min(fresh, key=lambda i: (scores[links[i]], i))
        """),
    ],
    "paired_bootstrap": [
        ("a and b resampled independently (not paired)", """
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                a, b = np.asarray(a, float), np.asarray(b, float)
                rng = np.random.default_rng(seed)
                n = len(a)
                ia = rng.integers(0, n, size=(n_boot, n))
                ib = rng.integers(0, n, size=(n_boot, n))
                means = b[ib].mean(1) - a[ia].mean(1)
                return float((b - a).mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
        """),
        ("alpha not halved (a 90 % interval)", """
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.asarray(b, float) - np.asarray(a, float)
                idx = np.random.default_rng(seed).integers(0, len(d), size=(n_boot, len(d)))
                m = d[idx].mean(1)
                return float(d.mean()), float(np.quantile(m, alpha)), float(np.quantile(m, 1 - alpha))
        """),
        ("a − b instead of b − a", """
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.asarray(a, float) - np.asarray(b, float)
                idx = np.random.default_rng(seed).integers(0, len(d), size=(n_boot, len(d)))
                m = d[idx].mean(1)
                return float(d.mean()), float(np.quantile(m, alpha / 2)), float(np.quantile(m, 1 - alpha / 2))
        """),
        ("a normal interval from the bootstrap's standard deviation", """
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.asarray(b, float) - np.asarray(a, float)
                idx = np.random.default_rng(seed).integers(0, len(d), size=(n_boot, len(d)))
                s = d[idx].mean(1).std()
                return float(d.mean()), float(d.mean() - 1.96 * s), float(d.mean() + 1.96 * s)
        """),
        ("the seed ignored", """
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.asarray(b, float) - np.asarray(a, float)
                idx = np.random.default_rng(0).integers(0, len(d), size=(n_boot, len(d)))
                m = d[idx].mean(1)
                return float(d.mean()), float(np.quantile(m, alpha / 2)), float(np.quantile(m, 1 - alpha / 2))
        """),
    ],
}

ALTERNATIVES = {
    "bfs_path": """
        def bfs_path(graph, start, goal):
            frontier = [[start]]
            seen = {start}
            while frontier:
                nxt = []
                for path in frontier:
                    if path[-1] == goal:
                        return path
                    for other in graph.get(path[-1], []):
                        if other not in seen:
                            seen.add(other)
                            nxt.append(path + [other])
                frontier = nxt
            return None
    """,
    "WikiGameEnv": _ENV_HEAD + """
                def step(self, action):
                    if self.done:
                        raise RuntimeError("the episode is over")
                    links = self.graph.get(self.page, ())
                    ok = isinstance(action, (int, np.integer)) and 0 <= action < len(links)
                    self.page = links[action] if ok else self.page
                    self.path = self.path + [self.page]
                    n = len(self.path) - 1
                    if self.page == self.goal:
                        self.done = True
                        return self._obs(), 1.0, True, False, {"moves": n, "path": list(self.path), "invalid": not ok}
                    self.done = n >= self.max_moves
                    return self._obs(), 0.0, False, self.done, {"moves": n, "path": list(self.path), "invalid": not ok}
    """,
    "play_episode": """
        def play_episode(env, policy, start, goal):
            obs, info = env.reset(options={"start": start, "goal": goal})
            moves, path, success = 0, [start], start == goal
            done = success
            while not done:
                obs, reward, terminated, truncated, info = env.step(policy(obs))
                moves += 1
                path.append(obs["page"])
                success = reward > 0
                done = terminated or truncated
            return {"success": bool(success), "moves": moves, "path": path}
    """,
    "tool_schema": """
        def tool_schema(fn):
            sig = inspect.signature(fn)
            hints = typing.get_type_hints(fn)
            props, required = {}, []
            for name, p in sig.parameters.items():
                t = hints.get(name)
                props[name] = {"type": JSON_TYPES[t]} if t in JSON_TYPES else {}
                if p.default == inspect.Parameter.empty:
                    required.append(name)
            lines = (fn.__doc__ or "").strip().splitlines()
            return {"name": fn.__name__, "description": lines[0].strip() if lines else "",
                    "parameters": {"type": "object", "properties": props, "required": required}}
    """,
    "parse_tool_call": """
        def parse_tool_call(text):
            found = None
            for line in text.split("\\n"):
                if line.lstrip().startswith("Action:"):
                    found = line.lstrip()[len("Action:"):]
            if found is None:
                raise ValueError("expected a line 'Action: {json}'")
            try:
                obj = json.loads(found)
            except ValueError as e:
                raise ValueError(f"bad JSON: {e}")
            if type(obj) is not dict:
                raise ValueError("not an object")
            name, args = obj.get("name"), obj.get("arguments", {})
            if type(name) is not str or type(args) is not dict:
                raise ValueError("name must be a string and arguments an object")
            return {"name": name, "arguments": args}
    """,
    "run_tool_call": """
        def run_tool_call(tools, call):
            fn = tools.get(call["name"])
            if fn is None:
                names = ", ".join(sorted(tools.keys()))
                return "Error: unknown tool '" + call["name"] + "'; tools: " + names, True
            try:
                result = fn(**dict(call.get("arguments") or {}))
            except Exception as e:
                return "Error: " + e.__class__.__name__ + ": " + str(e), True
            return str(result), False
    """,
    "agent_loop": """
        def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
            history = copy_messages = [dict(m) for m in messages]
            streak = 0
            turn = 0
            while turn < max_turns:
                reply = policy(history)
                if "Action:" not in reply:
                    history.append({"role": "assistant", "content": reply})
                    return history
                cid = "call_" + str(turn)
                history.append({"role": "assistant", "content": reply, "tool_call_id": cid})
                try:
                    parsed = parse_tool_call(reply)
                except ValueError as e:
                    result = ("Error: " + str(e), True)
                else:
                    result = run_tool_call(tools, parsed)
                history.append({"role": "tool", "tool_call_id": cid, "content": result[0], "error": result[1]})
                streak = streak + 1 if result[1] else 0
                if streak == max_retries + 1:
                    return history
                turn += 1
            return copy_messages
    """,
    "truncate_history": """
        def truncate_history(messages, max_messages):
            keep_system = bool(messages) and messages[0]["role"] == "system"
            start = 1 if keep_system else 0
            kept = []
            for m in reversed(messages[start:]):
                if len(kept) + start >= max_messages:
                    break
                kept.append(m)
            kept.reverse()
            while kept and kept[0]["role"] == "tool":
                kept.pop(0)
            return ([messages[0]] if keep_system else []) + kept
    """,
    "wiki_tools": """
        def wiki_tools(env):
            def links_text(page):
                return ", ".join(env.graph[page])

            @tool
            def get_links():
                async def execute():
                    '''Where am I, and where can I go?'''
                    return "You are on " + env.page + ". Goal: " + env.goal + ". Links: " + links_text(env.page)
                return execute

            @tool
            def move_to():
                async def execute(page: str):
                    '''Move along a link.

                    Args:
                        page: the page to move to.
                    '''
                    here = env.page
                    if page not in env.graph[here]:
                        raise ToolError(f"{page!r} is not a link from {here}; links: {links_text(here)}")
                    _, _, won, out, info = env.step(list(env.graph[here]).index(page))
                    if won:
                        return f"You reached the goal {env.goal} in {info['moves']} moves."
                    if out:
                        return f"Out of moves on {env.page}."
                    return f"Moved to {env.page}. Links: {links_text(env.page)}"
                return execute

            @tool
            def lookahead():
                async def execute(page: str):
                    '''Peek at a neighbour.

                    Args:
                        page: a page linked from here.
                    '''
                    if page not in env.graph[env.page]:
                        raise ToolError(f"{page!r} is not a link from {env.page}")
                    return f"Links from {page}: {links_text(page)}"
                return execute

            return [get_links(), move_to(), lookahead()]
    """,
    "rank_links": """
        def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
            links = list(links)
            if len(links) == 0:
                return []
            prompt = template.replace("{goal}", goal)
            scores = chat.logprobs([{"role": "user", "content": prompt}], links, whole_reply=True)
            return list(map(float, scores))
    """,
    "elicited_choice": """
        def elicited_choice(obs, scores, visited, lookahead):
            links = obs["links"]
            goal = obs["goal"]
            for i, link in enumerate(links):
                if link == goal:
                    return i
            for i, link in enumerate(links):
                if goal in lookahead(link):
                    return i
            candidates = [i for i in range(len(links)) if links[i] not in visited]
            if not candidates:
                candidates = range(len(links))
            best = None
            for i in candidates:
                if best is None or scores[links[i]] > scores[links[best]]:
                    best = i
            return best
    """,
    "paired_bootstrap": """
        def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
            n = len(a)
            diffs = np.array([y - x for x, y in zip(a, b)], dtype=float)
            rng = np.random.default_rng(seed)
            idx = rng.integers(0, n, size=(n_boot, n))
            boots = np.take(diffs, idx).mean(axis=1)
            lo, hi = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
            return float(np.mean(diffs)), float(lo), float(hi)
    """,
}


# mutants and alternatives from a learner pass over the page
MUTANTS['bfs_path'].append(('learner: goal tested when enqueued, start == goal not handled', """
        def bfs_path(graph, start, goal):
            seen = {start}
            q = deque([[start]])
            while q:
                path = q.popleft()
                for v in graph.get(path[-1], ()):
                    if v == goal:
                        return path + [v]
                    if v not in seen:
                        seen.add(v)
                        q.append(path + [v])
            return None
"""))
MUTANTS['WikiGameEnv'].append(('learner: truncated one move early (max_moves - 1)', """
        _B = WikiGameEnv
        class WikiGameEnv(_B):
            def step(self, action):
                obs, r, term, trunc, info = super().step(action)
                return obs, r, term, (not term) and info["moves"] >= self.max_moves - 1, info
"""))
MUTANTS['play_episode'].append(('learner: success = on the goal or within 10 moves', """
        def play_episode(env, policy, start, goal):
            obs, info = env.reset(options={"start": start, "goal": goal})
            if start == goal:
                return {"success": True, "moves": 0, "path": [start]}
            while True:
                obs, reward, terminated, truncated, info = env.step(policy(obs))
                if terminated or truncated:
                    return {"success": obs["page"] == goal or info["moves"] <= 10, "moves": info["moves"], "path": info["path"]}
"""))
MUTANTS['tool_schema'].append(('learner: first line of the raw __doc__ (empty when it starts on line 2)', """
        def tool_schema(fn):
            hints = typing.get_type_hints(fn)
            params = inspect.signature(fn).parameters
            return {"name": fn.__name__, "description": (fn.__doc__ or "").partition(chr(10))[0].strip(),
                    "parameters": {"type": "object",
                                   "properties": {n: ({"type": JSON_TYPES[hints[n]]} if hints.get(n) in JSON_TYPES else {}) for n in params},
                                   "required": [n for n, p in params.items() if p.default is inspect.Parameter.empty]}}
"""))
MUTANTS['parse_tool_call'].append(("learner: text after the last 'Action:' anywhere", """
        def parse_tool_call(text):
            if "Action:" not in text:
                raise ValueError("no action")
            try:
                obj = json.loads(text.split("Action:")[-1])
            except json.JSONDecodeError as e:
                raise ValueError(str(e))
            if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not isinstance(obj.get("arguments", {}), dict):
                raise ValueError("bad")
            return {"name": obj["name"], "arguments": obj.get("arguments", {})}
"""))
MUTANTS['run_tool_call'].append(('learner: only TypeError caught', """
        def run_tool_call(tools, call):
            name = call["name"]
            if name not in tools:
                return f"Error: unknown tool {name!r}; tools: {', '.join(sorted(tools))}", True
            try:
                return str(tools[name](**call.get("arguments", {}))), False
            except TypeError as e:
                return f"Error: TypeError: {e}", True
"""))
MUTANTS['agent_loop'].append(('learner: failures never reset after a success', """
        def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
            history = [dict(m) for m in messages]
            failures = 0
            for turn in range(max_turns):
                text = policy(history)
                if "Action:" not in text:
                    history.append({"role": "assistant", "content": text})
                    break
                cid = f"call_{turn}"
                history.append({"role": "assistant", "content": text, "tool_call_id": cid})
                try:
                    content, error = run_tool_call(tools, parse_tool_call(text))
                except ValueError as e:
                    content, error = f"Error: {e}", True
                history.append({"role": "tool", "tool_call_id": cid, "content": content, "error": error})
                if error:
                    failures += 1
                if failures > max_retries:
                    break
            return history
"""))
MUTANTS['truncate_history'].append(('learner: the system prompt and the task both pinned', """
        def truncate_history(messages, max_messages):
            head = [m for m in messages[:2] if m["role"] in ("system", "user")]
            rest = list(messages[len(head):])
            budget = max_messages - len(head)
            tail = rest[max(0, len(rest) - budget):] if budget > 0 else []
            while tail and tail[0]["role"] == "tool":
                tail = tail[1:]
            return head + tail
"""))
MUTANTS['rank_links'].append(("learner: log-probs divided by the name's length", """
        def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
            if not links:
                return []
            lp = chat.logprobs([{"role": "user", "content": template.format(goal=goal)}], list(links), whole_reply=True)
            return [float(x) / len(l) for x, l in zip(lp, links)]
"""))
MUTANTS['wiki_tools'].append(("learner: no 'Out of moves' message", """
        _ref_tools = wiki_tools
        def wiki_tools(env):
            g, m, l = _ref_tools(env)
            @tool
            def move_to():
                async def execute(page: str) -> str:
                    '''Follow a link.

                    Args:
                        page: a linked page.
                    '''
                    links = env.graph[env.page]
                    if page not in links:
                        raise ToolError(f"{page!r} is not a link")
                    obs, r, term, trunc, info = env.step(links.index(page))
                    if term:
                        return f"You reached the goal {env.goal} in {info['moves']} moves."
                    return f"Moved to {env.page}. Links: {', '.join(obs['links'])}"
                return execute
            return [g, move_to(), l]
"""))

_LEARNER_ALTERNATIVES = {
    "paired_bootstrap": """
        def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
            d = np.asarray(b, float) - np.asarray(a, float)
            rng = np.random.default_rng(seed)
            means = np.array([d[rng.integers(0, len(d), len(d))].mean() for _ in range(n_boot)])
            return float(d.mean()), float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2))
""",
    'bfs_path': """
        def bfs_path(graph, start, goal):
            if start == goal:
                return [start]
            prev = {start: None}
            q = deque([start])
            while q:
                u = q.popleft()
                for v in graph.get(u, []):
                    if v in prev:
                        continue
                    prev[v] = u
                    if v == goal:
                        out = []
                        while v is not None:
                            out.insert(0, v)
                            v = prev[v]
                        return out
                    q.append(v)
            return None
""",
    'WikiGameEnv': """
        class WikiGameEnv(gym.Env):
            def __init__(self, graph, max_moves=MAX_MOVES):
                self.graph = {page: tuple(links) for page, links in graph.items()}
                self.pages = sorted(self.graph)
                self.max_moves = max_moves
                self.action_space = spaces.Discrete(max(len(v) for v in self.graph.values()))
                self.page = self.goal = ""
                self.path = []
                self.done = True

            def reset(self, *, seed=None, options=None):
                super().reset(seed=seed)
                if options:
                    start, goal = options["start"], options["goal"]
                else:
                    start = goal = None
                    while start == goal:
                        start = self.pages[self.np_random.integers(len(self.pages))]
                        goal = self.pages[self.np_random.integers(len(self.pages))]
                self.page, self.goal, self.path, self.moves = start, goal, [start], 0
                self.done = start == goal
                return {"page": start, "links": list(self.graph.get(start, [])), "goal": goal}, {"moves": 0, "path": [start], "invalid": False}

            def step(self, action):
                if self.done:
                    raise RuntimeError("episode over")
                links = list(self.graph.get(self.page, []))
                bad = action < 0 or action >= len(links)
                if not bad:
                    self.page = links[action]
                self.moves += 1
                self.path.append(self.page)
                won = self.page == self.goal
                out = (not won) and self.moves >= self.max_moves
                self.done = won or out
                obs = {"page": self.page, "links": list(self.graph.get(self.page, [])), "goal": self.goal}
                return obs, (1.0 if won else 0.0), won, out, {"moves": self.moves, "path": self.path.copy(), "invalid": bad}
""",
    'play_episode': """
        def play_episode(env, policy, start, goal):
            obs, info = env.reset(options={"start": start, "goal": goal})
            result = {"success": start == goal, "moves": 0, "path": [start]}
            if start == goal:
                return result
            for _ in range(10_000):
                obs, r, term, trunc, info = env.step(policy(obs))
                result = {"success": bool(term), "moves": info["moves"], "path": list(info["path"])}
                if term or trunc:
                    break
            return result
""",
    'tool_schema': """
        def tool_schema(fn):
            sig = inspect.signature(fn, eval_str=True)
            props = {}
            for n, p in sig.parameters.items():
                t = JSON_TYPES.get(p.annotation) if p.annotation is not inspect.Parameter.empty else None
                props[n] = {"type": t} if t else {}
            doc = (inspect.getdoc(fn) or "").partition(chr(10))[0].strip()
            return {"name": fn.__name__, "description": doc,
                    "parameters": {"type": "object", "properties": props,
                                   "required": [n for n, p in sig.parameters.items() if p.default is p.empty]}}
""",
    'truncate_history': """
        def truncate_history(messages, max_messages):
            out = []
            sys_msg = messages[0] if messages and messages[0]["role"] == "system" else None
            rest = messages[1:] if sys_msg is not None else messages
            room = max_messages - (sys_msg is not None)
            start = max(0, len(rest) - max(room, 0)) if room > 0 else len(rest)
            while start < len(rest) and rest[start]["role"] == "tool":
                start += 1
            return ([sys_msg] if sys_msg is not None else []) + list(rest[start:])
""",
    'rank_links': """
        def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
            if len(links) == 0:
                return []
            return [float(v) for v in chat.logprobs(template.format(goal=goal), tuple(links), whole_reply=True)]
""",
    'elicited_choice': """
        def elicited_choice(obs, scores, visited, lookahead):
            links = list(obs["links"])
            goal = obs["goal"]
            if goal in links:
                return links.index(goal)
            hits = [i for i, l in enumerate(links) if goal in lookahead(l)]
            if hits:
                return hits[0]
            pool = [l for l in links if l not in visited] or links
            best = max(scores[l] for l in pool)
            return next(i for i, l in enumerate(links) if l in pool and scores[l] == best)
""",
    "parse_tool_call": """
        import re as _re
        def parse_tool_call(text):
            found = _re.findall(r"^[ \t]*Action:(.*)$", text, flags=_re.M)
            if not found:
                raise ValueError("no Action line")
            try:
                obj = json.loads(found[-1])
            except Exception as e:
                raise ValueError(f"bad JSON {e}")
            if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not isinstance(obj.get("arguments", {}), dict):
                raise ValueError("bad call")
            return {"name": obj["name"], "arguments": obj.get("arguments", {})}
""",
}
for _name, _source in _LEARNER_ALTERNATIVES.items():
    _first = ALTERNATIVES[_name]
    ALTERNATIVES[_name] = [("another style", _first), ("learner", _source)]

# Learner tests by an independent reviewer: wrong and correct solutions written from the page alone
# (the docstrings and hints), each run through arena-check before it was added here.
_REVIEW_MUTANTS = {
    "bfs_path": [
        ('a start missing from the graph gives None even when it is the goal (review)', r"""
            def bfs_path(graph, start, goal):
                if start not in graph:
                    return None
                if start == goal:
                    return [start]
                parent, queue = {start: None}, deque([start])
                while queue:
                    page = queue.popleft()
                    for other in graph[page] if page in graph else ():
                        if other not in parent:
                            parent[other] = page
                            if other == goal:
                                path = [other]
                                while parent[path[-1]] is not None:
                                    path.append(parent[path[-1]])
                                return path[::-1]
                            queue.append(other)
                return None
        """),
        ("graph.setdefault adds missing pages to the caller's graph (review)", r"""
            def bfs_path(graph, start, goal):
                if start == goal:
                    return [start]
                parent, queue = {start: None}, deque([start])
                while queue:
                    page = queue.popleft()
                    for other in graph.setdefault(page, []):
                        if other not in parent:
                            parent[other] = page
                            if other == goal:
                                path = [other]
                                while parent[path[-1]] is not None:
                                    path.append(parent[path[-1]])
                                return path[::-1]
                            queue.append(other)
                return None
        """),
        ('the parent walk stops before the start (start left out) (review)', r"""
            def bfs_path(graph, start, goal):
                if start == goal:
                    return [start]
                parent, queue = {start: None}, deque([start])
                while queue:
                    page = queue.popleft()
                    for other in graph.get(page, ()):
                        if other not in parent:
                            parent[other] = page
                            if other == goal:
                                path = [other]
                                while parent[path[-1]] != start:
                                    path.append(parent[path[-1]])
                                return path[::-1]
                            queue.append(other)
                return None
        """),
    ],
    "WikiGameEnv": [
        ('reset draws start and goal independently (they can coincide) (review)', r"""
            class WikiGameEnv(WikiGameBase):
                def reset(self, *, seed=None, options=None):
                    super().reset(seed=seed)
                    if options:
                        self.page, self.goal = options["start"], options["goal"]
                    else:
                        i, j = self.np_random.integers(0, len(self.pages), size=2)
                        self.page, self.goal = self.pages[int(i)], self.pages[int(j)]
                    self.path = [self.page]
                    self.moves = 0
                    self.done = self.page == self.goal
                    return self._obs(), {"moves": 0, "path": list(self.path), "invalid": False}

                def step(self, action):
                    if self.done:
                        raise RuntimeError("episode is over; call reset()")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= int(action) < len(links))
                    if not invalid:
                        self.page = links[int(action)]
                    self.path.append(self.page)
                    self.moves += 1
                    terminated = self.page == self.goal
                    truncated = (not terminated) and self.moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), (1.0 if terminated else 0.0), terminated, truncated, {
                        "moves": self.moves, "path": list(self.path), "invalid": invalid}
        """),
        ("info['path'] is the env's own list (earlier infos change later) (review)", r"""
            class WikiGameEnv(WikiGameBase):
                def reset(self, *, seed=None, options=None):
                    super().reset(seed=seed)
                    if options:
                        self.page, self.goal = options["start"], options["goal"]
                    else:
                        i, j = self.np_random.choice(len(self.pages), size=2, replace=False)
                        self.page, self.goal = self.pages[int(i)], self.pages[int(j)]
                    self.path = [self.page]
                    self.moves = 0
                    self.done = self.page == self.goal
                    return self._obs(), {"moves": 0, "path": self.path, "invalid": False}

                def step(self, action):
                    if self.done:
                        raise RuntimeError("episode is over; call reset()")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= int(action) < len(links))
                    if not invalid:
                        self.page = links[int(action)]
                    self.path.append(self.page)
                    self.moves += 1
                    self._info_path = self.path
                    terminated = self.page == self.goal
                    truncated = (not terminated) and self.moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), (1.0 if terminated else 0.0), terminated, truncated, {
                        "moves": self.moves, "path": self.path, "invalid": invalid}
        """),
        ('truncation at the global MAX_MOVES, not self.max_moves (review)', r"""
            class WikiGameEnv(WikiGameBase):
                def reset(self, *, seed=None, options=None):
                    super().reset(seed=seed)
                    if options:
                        self.page, self.goal = options["start"], options["goal"]
                    else:
                        i, j = self.np_random.choice(len(self.pages), size=2, replace=False)
                        self.page, self.goal = self.pages[int(i)], self.pages[int(j)]
                    self.path = [self.page]
                    self.moves = 0
                    self.done = self.page == self.goal
                    return self._obs(), {"moves": 0, "path": list(self.path), "invalid": False}

                def step(self, action):
                    if self.done:
                        raise RuntimeError("episode is over; call reset()")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= int(action) < len(links))
                    if not invalid:
                        self.page = links[int(action)]
                    self.path.append(self.page)
                    self.moves += 1
                    terminated = self.page == self.goal
                    truncated = (not terminated) and self.moves >= MAX_MOVES
                    self.done = terminated or truncated
                    return self._obs(), (1.0 if terminated else 0.0), terminated, truncated, {
                        "moves": self.moves, "path": list(self.path), "invalid": invalid}
        """),
    ],
    "play_episode": [
        ("path built from obs['links'][action] (an invalid action crashes) (review)", r"""
            def play_episode(env, policy, start, goal):
                obs, info = env.reset(options={"start": start, "goal": goal})
                path, moves = [start], 0
                if start == goal:
                    return {"success": True, "moves": 0, "path": path}
                while True:
                    action = policy(obs)
                    path.append(obs["links"][action])
                    obs, reward, terminated, truncated, info = env.step(action)
                    moves += 1
                    if terminated or truncated:
                        return {"success": bool(terminated), "moves": moves, "path": path}
        """),
    ],
    "tool_schema": [
        ("the first sentence (up to '.') instead of the first line (review)", r"""
            def tool_schema(fn):
                hints = typing.get_type_hints(fn)
                params = inspect.signature(fn).parameters
                doc = inspect.getdoc(fn) or ""
                return {"name": fn.__name__, "description": doc.split(".")[0].strip(),
                        "parameters": {"type": "object",
                                       "properties": {n: ({"type": JSON_TYPES[hints[n]]} if hints.get(n) in JSON_TYPES else {}) for n in params},
                                       "required": [n for n, p in params.items() if p.default is inspect.Parameter.empty]}}
        """),
    ],
    "parse_tool_call": [
        ('"arguments": null or [] read as {} (review)', r"""
            def parse_tool_call(text):
                found = None
                for line in text.splitlines():
                    s = line.lstrip()
                    if s.startswith("Action:"):
                        found = s[len("Action:"):]
                if found is None:
                    raise ValueError("no line starting with 'Action:'")
                try:
                    obj = json.loads(found)
                except json.JSONDecodeError as e:
                    raise ValueError(f"the Action line is not valid JSON: {e}") from None
                if not isinstance(obj, dict):
                    raise ValueError("the Action must be a JSON object")
                name = obj.get("name")
                args = obj.get("arguments") or {}
                if not isinstance(name, str):
                    raise ValueError("'name' must be a string")
                if not isinstance(args, dict):
                    raise ValueError("'arguments' must be an object")
                return {"name": name, "arguments": args}
        """),
        ('leading spaces before Action: not allowed (review)', r"""
            def parse_tool_call(text):
                found = None
                for line in text.splitlines():
                    s = line
                    if s.startswith("Action:"):
                        found = s[len("Action:"):]
                if found is None:
                    raise ValueError("no line starting with 'Action:'")
                try:
                    obj = json.loads(found)
                except json.JSONDecodeError as e:
                    raise ValueError(f"the Action line is not valid JSON: {e}") from None
                if not isinstance(obj, dict):
                    raise ValueError("the Action must be a JSON object")
                name = obj.get("name")
                args = obj.get("arguments", {})
                if not isinstance(name, str):
                    raise ValueError("'name' must be a string")
                if not isinstance(args, dict):
                    raise ValueError("'arguments' must be an object")
                return {"name": name, "arguments": args}
        """),
    ],
    "run_tool_call": [
        ('tool names listed in dict order, not sorted (review)', r"""
            def run_tool_call(tools, call):
                name = call["name"]
                fn = tools.get(name)
                if fn is None:
                    return "Error: unknown tool '%s'; tools: %s" % (name, ", ".join(tools)), True
                try:
                    result = fn(**call.get("arguments", {}))
                except Exception as exc:
                    return "Error: %s: %s" % (type(exc).__name__, exc), True
                return str(result), False
        """),
        ("repr(exception) instead of 'Type: message' (review)", r"""
            def run_tool_call(tools, call):
                name = call["name"]
                fn = tools.get(name)
                if fn is None:
                    return "Error: unknown tool '%s'; tools: %s" % (name, ", ".join(sorted(tools))), True
                try:
                    result = fn(**call.get("arguments", {}))
                except Exception as exc:
                    return "Error: %r" % (exc,), True
                return str(result), False
        """),
    ],
    "agent_loop": [
        ("an action only when the reply starts with 'Action:' (ReAct thoughts end the run) (review)", r"""
            def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
                history = [dict(m) for m in messages]
                failures = 0
                for t in range(max_turns):
                    text = policy(history)
                    if not text.lstrip().startswith("Action:"):
                        history.append({"role": "assistant", "content": text})
                        break
                    cid = "call_%d" % t
                    history.append({"role": "assistant", "content": text, "tool_call_id": cid})
                    try:
                        content, err = run_tool_call(tools, parse_tool_call(text))
                    except ValueError as exc:
                        content, err = "Error: %s" % exc, True
                    history.append({"role": "tool", "tool_call_id": cid, "content": content, "error": err})
                    failures = failures + 1 if err else 0
                    if failures > max_retries:
                        break
                return history
        """),
        ('tool_call_ids counted from 1 (review)', r"""
            def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
                history = [dict(m) for m in messages]
                failures = 0
                for t in range(max_turns):
                    text = policy(history)
                    if "Action:" not in text:
                        history.append({"role": "assistant", "content": text})
                        break
                    cid = "call_%d" % (t + 1)
                    history.append({"role": "assistant", "content": text, "tool_call_id": cid})
                    try:
                        content, err = run_tool_call(tools, parse_tool_call(text))
                    except ValueError as exc:
                        content, err = "Error: %s" % exc, True
                    history.append({"role": "tool", "tool_call_id": cid, "content": content, "error": err})
                    failures = failures + 1 if err else 0
                    if failures > max_retries:
                        break
                return history
        """),
    ],
    "truncate_history": [
        ('messages[0] always pinned, system prompt or not (review)', r"""
            def truncate_history(messages, max_messages):
                msgs = list(messages)
                head = msgs[:1]
                rest = msgs[len(head):]
                budget = max_messages - len(head)
                start = max(0, len(rest) - budget) if budget > 0 else len(rest)
                while start < len(rest) and rest[start].get("role") == "tool":
                    start += 1
                return head + rest[start:]
        """),
        ('copies of the messages, not the same objects (review)', r"""
            def truncate_history(messages, max_messages):
                msgs = list(messages)
                head = msgs[:1] if msgs and msgs[0].get("role") == "system" else []
                rest = msgs[len(head):]
                budget = max_messages - len(head)
                start = max(0, len(rest) - budget) if budget > 0 else len(rest)
                while start < len(rest) and rest[start].get("role") == "tool":
                    start += 1
                return [dict(m) for m in head + rest[start:]]
        """),
        ('one leading tool message dropped (if, not while) (review)', r"""
            def truncate_history(messages, max_messages):
                msgs = list(messages)
                head = msgs[:1] if msgs and msgs[0].get("role") == "system" else []
                rest = msgs[len(head):]
                budget = max_messages - len(head)
                start = max(0, len(rest) - budget) if budget > 0 else len(rest)
                if start < len(rest) and rest[start].get("role") == "tool":
                    start += 1
                return head + rest[start:]
        """),
    ],
    "rank_links": [
        ('the model called even with no links (review)', r"""
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                links = list(links)
                prompt = [{"role": "user", "content": template.format(goal=goal)}]
                return [float(x) for x in chat.logprobs(prompt, links, whole_reply=True)]
        """),
    ],
    "wiki_tools": [
        ('reaching the goal reported as an ordinary move (review)', r"""
            def wiki_tools(env):
                def links_of(p):
                    return ", ".join(env.graph[p])

                @tool
                def get_links():
                    async def execute() -> str:
                        '''Show the current page, the goal and the current page's links.'''
                        return "You are on %s. Goal: %s. Links: %s" % (env.page, env.goal, links_of(env.page))
                    return execute

                @tool
                def move_to():
                    async def execute(page: str) -> str:
                        '''Follow a link from the current page (costs one move).

                        Args:
                            page: The linked page to move to.
                        '''
                        here = env.graph[env.page]
                        if page not in here:
                            raise ToolError("%r is not a link from %s; links: %s" % (page, env.page, links_of(env.page)))
                        _, _, term, trunc, info = env.step(list(here).index(page))
                        if trunc:
                            return "Out of moves on %s." % env.page
                        return "Moved to %s. Links: %s" % (env.page, links_of(env.page))
                    return execute

                @tool
                def lookahead():
                    async def execute(page: str) -> str:
                        '''Show a linked page's links without moving.

                        Args:
                            page: A page linked from the current page.
                        '''
                        if page not in env.graph[env.page]:
                            raise ToolError("%r is not a link from %s" % (page, env.page))
                        return "Links from %s: %s" % (page, links_of(page))
                    return execute

                return [get_links(), move_to(), lookahead()]
        """),
        ('lookahead accepts any page of the graph, not only links (review)', r"""
            def wiki_tools(env):
                def links_of(p):
                    return ", ".join(env.graph[p])

                @tool
                def get_links():
                    async def execute() -> str:
                        '''Show the current page, the goal and the current page's links.'''
                        return "You are on %s. Goal: %s. Links: %s" % (env.page, env.goal, links_of(env.page))
                    return execute

                @tool
                def move_to():
                    async def execute(page: str) -> str:
                        '''Follow a link from the current page (costs one move).

                        Args:
                            page: The linked page to move to.
                        '''
                        here = env.graph[env.page]
                        if page not in here:
                            raise ToolError("%r is not a link from %s; links: %s" % (page, env.page, links_of(env.page)))
                        _, _, term, trunc, info = env.step(list(here).index(page))
                        if term:
                            return "You reached the goal %s in %d moves." % (env.goal, info["moves"])
                        if trunc:
                            return "Out of moves on %s." % env.page
                        return "Moved to %s. Links: %s" % (env.page, links_of(env.page))
                    return execute

                @tool
                def lookahead():
                    async def execute(page: str) -> str:
                        '''Show a linked page's links without moving.

                        Args:
                            page: A page linked from the current page.
                        '''
                        if page not in env.graph:
                            raise ToolError("%r is not a page" % (page,))
                        return "Links from %s: %s" % (page, links_of(page))
                    return execute

                return [get_links(), move_to(), lookahead()]
        """),
    ],
    "elicited_choice": [
        ('among lookahead hits, the best-scored rather than the first (review)', r"""
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                goal = obs["goal"]
                for i, link in enumerate(links):
                    if link == goal:
                        return i
                near = [i for i, link in enumerate(links) if goal in lookahead(link)]
                if near:
                    return max(near, key=lambda i: scores[links[i]])
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                best = fresh[0]
                for i in fresh[1:]:
                    if scores[links[i]] > scores[links[best]]:
                        best = i
                return best
        """),
        ('every link visited: the first link, not the best (review)', r"""
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                goal = obs["goal"]
                for i, link in enumerate(links):
                    if link == goal:
                        return i
                for i, link in enumerate(links):
                    if goal in lookahead(link):
                        return i
                fresh = [i for i, l in enumerate(links) if l not in visited] or [0]
                best = fresh[0]
                for i in fresh[1:]:
                    if scores[links[i]] > scores[links[best]]:
                        best = i
                return best
        """),
        ('goal-as-link and lookahead tested in one pass (an earlier lookahead hit wins) (review)', r"""
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                goal = obs["goal"]
                for i, link in enumerate(links):
                    if link == goal or goal in lookahead(link):
                        return i
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                best = fresh[0]
                for i in fresh[1:]:
                    if scores[links[i]] > scores[links[best]]:
                        best = i
                return best
        """),
    ],
    "paired_bootstrap": [
        ('the mean of the bootstrap means as the estimate (review)', r"""
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.subtract(np.asarray(b, dtype=float), np.asarray(a, dtype=float))
                n = d.shape[0]
                rng = np.random.default_rng(seed)
                idx = rng.integers(0, n, size=(n_boot, n))
                means = np.take(d, idx).mean(axis=1)
                lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
                return float(means.mean()), float(lo), float(hi)
        """),
        ('2.5 and 97.5 percentiles hard-coded (alpha ignored) (review)', r"""
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.subtract(np.asarray(b, dtype=float), np.asarray(a, dtype=float))
                n = d.shape[0]
                rng = np.random.default_rng(seed)
                idx = rng.integers(0, n, size=(n_boot, n))
                means = np.take(d, idx).mean(axis=1)
                lo, hi = np.percentile(means, [2.5, 97.5])
                return float(d.mean()), float(lo), float(hi)
        """),
    ],
}

_REVIEW_ALTERNATIVES = {
    "bfs_path": [
        ('level-by-level frontier lists, goal tested on discovery (review)', r"""
            def bfs_path(graph, start, goal):
                if start == goal:
                    return [start]
                frontier = [start]
                parent = {start: None}
                while frontier:
                    nxt = []
                    for page in frontier:
                        for other in graph.get(page, ()):
                            if other in parent:
                                continue
                            parent[other] = page
                            if other == goal:
                                path = [goal]
                                while parent[path[-1]] is not None:
                                    path.append(parent[path[-1]])
                                return path[::-1]
                            nxt.append(other)
                    frontier = nxt
                return None
        """),
    ],
    "WikiGameEnv": [
        ('np_random.choice without replacement, a done flag (review)', r"""
            class WikiGameEnv(WikiGameBase):
                def reset(self, *, seed=None, options=None):
                    super().reset(seed=seed)
                    if options:
                        self.page, self.goal = options["start"], options["goal"]
                    else:
                        i, j = self.np_random.choice(len(self.pages), size=2, replace=False)
                        self.page, self.goal = self.pages[int(i)], self.pages[int(j)]
                    self.path = [self.page]
                    self.moves = 0
                    self.done = self.page == self.goal
                    return self._obs(), {"moves": 0, "path": list(self.path), "invalid": False}

                def step(self, action):
                    if self.done:
                        raise RuntimeError("episode is over; call reset()")
                    links = self.graph.get(self.page, ())
                    invalid = not (0 <= int(action) < len(links))
                    if not invalid:
                        self.page = links[int(action)]
                    self.path.append(self.page)
                    self.moves += 1
                    terminated = self.page == self.goal
                    truncated = (not terminated) and self.moves >= self.max_moves
                    self.done = terminated or truncated
                    return self._obs(), (1.0 if terminated else 0.0), terminated, truncated, {
                        "moves": self.moves, "path": list(self.path), "invalid": invalid}
        """),
    ],
    "play_episode": [
        ('a while-True loop with its own path list (review)', r"""
            def play_episode(env, policy, start, goal):
                obs, info = env.reset(options={"start": start, "goal": goal})
                path = [start]
                if start == goal:
                    return {"success": True, "moves": 0, "path": path}
                moves = 0
                while True:
                    obs, reward, terminated, truncated, info = env.step(policy(obs))
                    moves += 1
                    path.append(obs["page"])
                    if terminated or truncated:
                        return {"success": bool(terminated), "moves": moves, "path": path}
        """),
    ],
    "tool_schema": [
        ('a loop over the signature with a hints dict (review)', r"""
            def tool_schema(fn):
                doc = inspect.getdoc(fn) or ""
                first = doc.splitlines()[0].strip() if doc.strip() else ""
                hints = typing.get_type_hints(fn)
                props, required = {}, []
                for name, p in inspect.signature(fn).parameters.items():
                    t = hints.get(name)
                    props[name] = {"type": JSON_TYPES[t]} if t in JSON_TYPES else {}
                    if p.default is inspect.Parameter.empty:
                        required.append(name)
                return {"name": fn.__name__, "description": first,
                        "parameters": {"type": "object", "properties": props, "required": required}}
        """),
    ],
    "parse_tool_call": [
        ('lstrip and slicing, explicit type checks (review)', r"""
            def parse_tool_call(text):
                found = None
                for line in text.splitlines():
                    s = line.lstrip()
                    if s.startswith("Action:"):
                        found = s[len("Action:"):]
                if found is None:
                    raise ValueError("no line starting with 'Action:'")
                try:
                    obj = json.loads(found)
                except json.JSONDecodeError as e:
                    raise ValueError(f"the Action line is not valid JSON: {e}") from None
                if not isinstance(obj, dict):
                    raise ValueError("the Action must be a JSON object")
                name = obj.get("name")
                args = obj.get("arguments", {})
                if not isinstance(name, str):
                    raise ValueError("'name' must be a string")
                if not isinstance(args, dict):
                    raise ValueError("'arguments' must be an object")
                return {"name": name, "arguments": args}
        """),
    ],
    "run_tool_call": [
        ('tools.get and %-formatting (review)', r"""
            def run_tool_call(tools, call):
                name = call["name"]
                fn = tools.get(name)
                if fn is None:
                    return "Error: unknown tool '%s'; tools: %s" % (name, ", ".join(sorted(tools))), True
                try:
                    result = fn(**call.get("arguments", {}))
                except Exception as exc:
                    return "Error: %s: %s" % (type(exc).__name__, exc), True
                return str(result), False
        """),
    ],
    "agent_loop": [
        ('a failure counter reset on success (review)', r"""
            def agent_loop(policy, tools, messages, max_turns=MAX_MOVES, max_retries=2):
                history = [dict(m) for m in messages]
                failures = 0
                for t in range(max_turns):
                    text = policy(history)
                    if "Action:" not in text:
                        history.append({"role": "assistant", "content": text})
                        break
                    cid = "call_%d" % t
                    history.append({"role": "assistant", "content": text, "tool_call_id": cid})
                    try:
                        content, err = run_tool_call(tools, parse_tool_call(text))
                    except ValueError as exc:
                        content, err = "Error: %s" % exc, True
                    history.append({"role": "tool", "tool_call_id": cid, "content": content, "error": err})
                    failures = failures + 1 if err else 0
                    if failures > max_retries:
                        break
                return history
        """),
    ],
    "truncate_history": [
        ('an index walked past leading tool messages (review)', r"""
            def truncate_history(messages, max_messages):
                msgs = list(messages)
                head = msgs[:1] if msgs and msgs[0].get("role") == "system" else []
                rest = msgs[len(head):]
                budget = max_messages - len(head)
                start = max(0, len(rest) - budget) if budget > 0 else len(rest)
                while start < len(rest) and rest[start].get("role") == "tool":
                    start += 1
                return head + rest[start:]
        """),
    ],
    "wiki_tools": [
        ('%-formatted texts, a helper for link lists (review)', r"""
            def wiki_tools(env):
                def links_of(p):
                    return ", ".join(env.graph[p])

                @tool
                def get_links():
                    async def execute() -> str:
                        '''Show the current page, the goal and the current page's links.'''
                        return "You are on %s. Goal: %s. Links: %s" % (env.page, env.goal, links_of(env.page))
                    return execute

                @tool
                def move_to():
                    async def execute(page: str) -> str:
                        '''Follow a link from the current page (costs one move).

                        Args:
                            page: The linked page to move to.
                        '''
                        here = env.graph[env.page]
                        if page not in here:
                            raise ToolError("%r is not a link from %s; links: %s" % (page, env.page, links_of(env.page)))
                        _, _, term, trunc, info = env.step(list(here).index(page))
                        if term:
                            return "You reached the goal %s in %d moves." % (env.goal, info["moves"])
                        if trunc:
                            return "Out of moves on %s." % env.page
                        return "Moved to %s. Links: %s" % (env.page, links_of(env.page))
                    return execute

                @tool
                def lookahead():
                    async def execute(page: str) -> str:
                        '''Show a linked page's links without moving.

                        Args:
                            page: A page linked from the current page.
                        '''
                        if page not in env.graph[env.page]:
                            raise ToolError("%r is not a link from %s" % (page, env.page))
                        return "Links from %s: %s" % (page, links_of(page))
                    return execute

                return [get_links(), move_to(), lookahead()]
        """),
    ],
    "rank_links": [
        ('floats of the logprobs result (review)', r"""
            def rank_links(chat, goal, links, template=PLAIN_TEMPLATE):
                links = list(links)
                if len(links) == 0:
                    return []
                prompt = [{"role": "user", "content": template.format(goal=goal)}]
                return [float(x) for x in chat.logprobs(prompt, links, whole_reply=True)]
        """),
    ],
    "elicited_choice": [
        ('three explicit loops, a manual argmax (review)', r"""
            def elicited_choice(obs, scores, visited, lookahead):
                links = list(obs["links"])
                goal = obs["goal"]
                for i, link in enumerate(links):
                    if link == goal:
                        return i
                for i, link in enumerate(links):
                    if goal in lookahead(link):
                        return i
                fresh = [i for i, l in enumerate(links) if l not in visited] or list(range(len(links)))
                best = fresh[0]
                for i in fresh[1:]:
                    if scores[links[i]] > scores[links[best]]:
                        best = i
                return best
        """),
    ],
    "paired_bootstrap": [
        ('np.subtract and np.take (review)', r"""
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                d = np.subtract(np.asarray(b, dtype=float), np.asarray(a, dtype=float))
                n = d.shape[0]
                rng = np.random.default_rng(seed)
                idx = rng.integers(0, n, size=(n_boot, n))
                means = np.take(d, idx).mean(axis=1)
                lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
                return float(d.mean()), float(lo), float(hi)
        """),
        ('pure-Python means over the drawn index rows (review)', r"""
            def paired_bootstrap(a, b, n_boot=10_000, seed=0, alpha=0.05):
                diffs = [y - x for x, y in zip(a, b)]
                n = len(diffs)
                rng = np.random.default_rng(seed)
                idx = rng.integers(0, n, size=(n_boot, n))
                boot = sorted(sum(diffs[j] for j in row) / n for row in idx.tolist())
                lo, hi = np.quantile(np.array(boot), [alpha / 2, 1 - alpha / 2])
                return sum(diffs) / n, float(lo), float(hi)
        """),
    ],
}

for _name, _extra in _REVIEW_MUTANTS.items():
    MUTANTS[_name] = [*MUTANTS[_name], *_extra]
for _name, _extra in _REVIEW_ALTERNATIVES.items():
    _have = ALTERNATIVES[_name]
    ALTERNATIVES[_name] = [*([("the reference's alternative", _have)] if isinstance(_have, str) else _have), *_extra]

globals().update(make_tests("2.4", MUTANTS, alternatives=ALTERNATIVES))
