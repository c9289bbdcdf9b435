"""Section 2.2: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

MUTANTS = {
    "render_chat": [
        ("default system prompt always added", """
            def render_chat(messages, add_generation_prompt=True):
                text = f"<|im_start|>system\\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\\n"
                for m in messages:
                    text += f"<|im_start|>{m['role']}\\n{m['content']}<|im_end|>\\n"
                return text + ("<|im_start|>assistant\\n" if add_generation_prompt else "")
        """),
        ("default added when no system message anywhere (not when the first is not system)", """
            def render_chat(messages, add_generation_prompt=True):
                text = ""
                if not any(m["role"] == "system" for m in messages):
                    text += f"<|im_start|>system\\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\\n"
                for m in messages:
                    text += f"<|im_start|>{m['role']}\\n{m['content']}<|im_end|>\\n"
                return text + ("<|im_start|>assistant\\n" if add_generation_prompt else "")
        """),
        ("contents stripped", """
            def render_chat(messages, add_generation_prompt=True):
                text = ""
                if messages[0]["role"] != "system":
                    text += f"<|im_start|>system\\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\\n"
                for m in messages:
                    text += f"<|im_start|>{m['role']}\\n{m['content'].strip()}<|im_end|>\\n"
                return text + ("<|im_start|>assistant\\n" if add_generation_prompt else "")
        """),
        ("generation prompt always added", """
            def render_chat(messages, add_generation_prompt=True):
                text = ""
                if messages[0]["role"] != "system":
                    text += f"<|im_start|>system\\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\\n"
                for m in messages:
                    text += f"<|im_start|>{m['role']}\\n{m['content']}<|im_end|>\\n"
                return text + "<|im_start|>assistant\\n"
        """),
    ],
    "extract_json": [
        ("greedy regex from the first to the last brace", """
            def extract_json(text):
                match = re.search(r"\\{.*\\}", text, re.DOTALL)
                return match.group(0) if match else None
        """),
        ("braces inside strings counted", """
            def extract_json(text):
                start = text.find("{")
                if start < 0:
                    return None
                depth = 0
                for i in range(start, len(text)):
                    if text[i] == "{":
                        depth += 1
                    elif text[i] == "}":
                        depth -= 1
                        if depth == 0:
                            return text[start:i + 1]
                return None
        """),
        ("escapes ignored inside strings", """
            def extract_json(text):
                start = text.find("{")
                if start < 0:
                    return None
                depth, quote = 0, None
                for i in range(start, len(text)):
                    ch = text[i]
                    if quote:
                        if ch == quote:
                            quote = None
                    elif ch in "\\"'":
                        quote = ch
                    elif ch == "{":
                        depth += 1
                    elif ch == "}":
                        depth -= 1
                        if depth == 0:
                            return text[start:i + 1]
                return None
        """),
        ("an unclosed object returned to the end of the text", """
            def extract_json(text):
                start = text.find("{")
                if start < 0:
                    return None
                depth, quote, i = 0, None, start
                while i < len(text):
                    ch = text[i]
                    if quote:
                        if ch == "\\\\":
                            i += 1
                        elif ch == quote:
                            quote = None
                    elif ch in "\\"'":
                        quote = ch
                    elif ch == "{":
                        depth += 1
                    elif ch == "}":
                        depth -= 1
                        if depth == 0:
                            return text[start:i + 1]
                    i += 1
                return text[start:]
        """),
    ],
    "repair_json": [
        ("global string replacements, also inside strings", """
            def repair_json(text):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    pass
                text = text.replace("'", '"').replace("True", "true").replace("False", "false").replace("None", "null")
                text = re.sub(r",\\s*([}\\]])", r"\\1", text)
                return json.loads(text)
        """),
        ("repairs even valid JSON", """
            def repair_json(text):
                out, i, n = [], 0, len(text)
                lits = {"True": "true", "False": "false", "None": "null"}
                while i < n:
                    ch = text[i]
                    if ch in "\\"'":
                        j, body = i + 1, []
                        while j < n and text[j] != ch:
                            if text[j] == "\\\\" and j + 1 < n:
                                pair = text[j:j + 2]
                                body.append("'" if (ch == "'" and pair == "\\\\'") else pair)
                                j += 2
                                continue
                            body.append('\\\\"' if (ch == "'" and text[j] == '"') else text[j])
                            j += 1
                        out.append('"' + "".join(body) + '"')
                        i = j + 1
                        continue
                    if ch == ",":
                        k = i + 1
                        while k < n and text[k].isspace():
                            k += 1
                        if k < n and text[k] in "}]":
                            i += 1
                            continue
                    m = re.match(r"(True|False|None)", text[i:])
                    if m:
                        out.append(lits[m.group(1)])
                        i += len(m.group(1))
                        continue
                    out.append(ch)
                    i += 1
                return json.loads("".join(out).replace("x,}", "x}"))
        """),
        ("double quotes inside single-quoted strings not escaped", """
            def repair_json(text):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    pass
                out, i, n = [], 0, len(text)
                lits = {"True": "true", "False": "false", "None": "null"}
                while i < n:
                    ch = text[i]
                    if ch in "\\"'":
                        j = i + 1
                        while j < n and text[j] != ch:
                            j += 2 if text[j] == "\\\\" else 1
                        out.append('"' + text[i + 1:j].replace("\\\\'", "'") + '"')
                        i = j + 1
                        continue
                    if ch == ",":
                        k = i + 1
                        while k < n and text[k].isspace():
                            k += 1
                        if k < n and text[k] in "}]":
                            i += 1
                            continue
                    m = re.match(r"(True|False|None)(?!\\w)", text[i:])
                    if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                        out.append(lits[m.group(1)])
                        i += len(m.group(1))
                        continue
                    out.append(ch)
                    i += 1
                return json.loads("".join(out))
        """),
        ("raises ValueError of its own instead of JSONDecodeError", """
            _real_repair = repair_json
            def repair_json(text):
                try:
                    return _real_repair(text)
                except json.JSONDecodeError:
                    raise ValueError("cannot repair")
        """),
    ],
    "parse_into": [
        ("WrittenItem hard-coded instead of the schema argument", """
            def parse_into(text, schema):
                candidate = extract_json(text)
                if candidate is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(candidate)
                except json.JSONDecodeError as error:
                    return None, f"invalid JSON: {error.msg}"
                try:
                    return WrittenItem.model_validate(data), None
                except ValidationError as error:
                    return None, "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in error.errors())
        """),
        ("no repair step", """
            def parse_into(text, schema):
                candidate = extract_json(text)
                if candidate is None:
                    return None, "no JSON object found"
                try:
                    data = json.loads(candidate)
                except json.JSONDecodeError as error:
                    return None, f"invalid JSON: {error.msg}"
                try:
                    return schema.model_validate(data), None
                except ValidationError as error:
                    return None, "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in error.errors())
        """),
        ("the whole ValidationError text as the reason", """
            def parse_into(text, schema):
                candidate = extract_json(text)
                if candidate is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(candidate)
                except json.JSONDecodeError as error:
                    return None, f"invalid JSON: {error.msg}"
                try:
                    return schema.model_validate(data), None
                except ValidationError as error:
                    return None, str(error)
        """),
        ("only the first validation error reported", """
            def parse_into(text, schema):
                candidate = extract_json(text)
                if candidate is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(candidate)
                except json.JSONDecodeError as error:
                    return None, f"invalid JSON: {error.msg}"
                try:
                    return schema.model_validate(data), None
                except ValidationError as error:
                    e = error.errors()[0]
                    return None, f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}"
        """),
    ],
    "ask_structured": [
        ("no re-ask", """
            def ask_structured(model, messages, schema, max_tokens=200):
                reply = model.complete(list(messages), max_tokens=max_tokens, temperature=0.0)
                return parse_into(reply.text, schema)[0], 1
        """),
        ("re-ask without the failed reply", """
            def ask_structured(model, messages, schema, max_tokens=200):
                reply = model.complete(list(messages), max_tokens=max_tokens, temperature=0.0)
                parsed, reason = parse_into(reply.text, schema)
                if parsed is not None:
                    return parsed, 1
                again = list(messages) + [{"role": "user", "content": REASK.format(error=reason)}]
                reply = model.complete(again, max_tokens=max_tokens, temperature=0.0)
                return parse_into(reply.text, schema)[0], 2
        """),
        ("messages extended in place", """
            def ask_structured(model, messages, schema, max_tokens=200):
                reply = model.complete(messages, max_tokens=max_tokens, temperature=0.0)
                parsed, reason = parse_into(reply.text, schema)
                if parsed is not None:
                    return parsed, 1
                messages += [{"role": "assistant", "content": reply.text},
                             {"role": "user", "content": REASK.format(error=reason)}]
                reply = model.complete(messages, max_tokens=max_tokens, temperature=0.0)
                return parse_into(reply.text, schema)[0], 2
        """),
        ("max_tokens not passed on (model default)", """
            def ask_structured(model, messages, schema, max_tokens=200):
                conv = [dict(m) for m in messages]
                reply = model.complete(conv, temperature=0.0)
                parsed, reason = parse_into(reply.text, schema)
                if parsed is not None:
                    return parsed, 1
                conv += [{"role": "assistant", "content": reply.text},
                         {"role": "user", "content": REASK.format(error=reason)}]
                reply = model.complete(conv, temperature=0.0)
                return parse_into(reply.text, schema)[0], 2
        """),
    ],
    "backoff_delay": [
        ("no cap", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                return (rng or random).uniform(0, base * 2 ** min(attempt, 60))
        """),
        ("no jitter: the ceiling itself", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                return min(cap, base * 2.0 ** min(attempt, 64))
        """),
        ("equal jitter (half fixed, half random)", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                ceiling = min(cap, base * 2.0 ** min(attempt, 64))
                return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        """),
        ("attempts counted from 1", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                return (rng or random).uniform(0, min(cap, base * 2.0 ** min(attempt + 1, 64)))
        """),
        ("overflows for huge attempts", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                return (rng or random).uniform(0, min(cap, base * 2 ** attempt))
        """),
        ("jitter added on top of the ceiling", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                ceiling = min(cap, base * 2.0 ** min(attempt, 64))
                return ceiling + (rng or random).uniform(0, ceiling)
        """),
        ("the global random module even when a generator is given", """
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                return random.uniform(0, min(cap, base * 2.0 ** min(attempt, 64)))
        """),
    ],
    "is_retryable": [
        ("every API status error retried (400 too)", """
            def is_retryable(error):
                return isinstance(error, (openai.APIStatusError, openai.APIConnectionError, json.JSONDecodeError))
        """),
        ("every ValueError retried (validation errors too)", """
            def is_retryable(error):
                if isinstance(error, openai.APIStatusError):
                    return error.status_code in (408, 409, 429) or error.status_code >= 500
                return isinstance(error, (openai.APIConnectionError, ValueError))
        """),
        ("only 429 and 5xx classes (408, 409 missed)", """
            def is_retryable(error):
                return isinstance(error, (openai.RateLimitError, openai.InternalServerError,
                                          openai.APIConnectionError, json.JSONDecodeError))
        """),
        ("timeouts only, not dropped connections", """
            def is_retryable(error):
                if isinstance(error, openai.APIStatusError):
                    return error.status_code in (408, 409, 429) or error.status_code >= 500
                return isinstance(error, (openai.APITimeoutError, json.JSONDecodeError))
        """),
        ("cut-off bodies not retried", """
            def is_retryable(error):
                if isinstance(error, openai.APIStatusError):
                    return error.status_code in (408, 409, 429) or error.status_code >= 500
                return isinstance(error, openai.APIConnectionError)
        """),
    ],
    "call_with_retries": [
        ("Retry-After ignored", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        delay = backoff_delay(attempt, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ("every exception retried (a 400 too)", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if attempt == max_attempts - 1:
                            raise
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ("one attempt too many (max_attempts retries after the first call)", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts + 1):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts:
                            raise
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ("backoff counted from attempt 1", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt + 1, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ("sleeps after the last failed attempt too", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                last = None
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error):
                            raise
                        last = error
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
                raise last
        """),
        ("gives up with a new error instead of the last one", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error):
                            raise
                        if attempt == max_attempts - 1:
                            raise RuntimeError("gave up")
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ("on_retry called after the sleep, and Retry-After: 0 read as absent (learner test)", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for a in range(max_attempts):
                    try:
                        return fn()
                    except Exception as e:
                        if not is_retryable(e) or a == max_attempts - 1:
                            raise
                        ra = retry_after_seconds(e)
                        d = ra if ra else backoff_delay(a, base, cap, rng)
                        sleep(d)
                        if on_retry:
                            on_retry(e, d)
        """),
        ("Retry-After capped at cap (learner test)", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for a in range(max_attempts):
                    try:
                        return fn()
                    except Exception as e:
                        if not is_retryable(e) or a == max_attempts - 1:
                            raise
                        ra = retry_after_seconds(e)
                        d = min(ra, cap) if ra is not None else backoff_delay(a, base, cap, rng)
                        if on_retry:
                            on_retry(e, d)
                        sleep(d)
        """),
        ("backoff added to Retry-After", """
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        delay = (retry_after_seconds(error) or 0.0) + backoff_delay(attempt, base, cap, rng)
                        if on_retry:
                            on_retry(error, delay)
                        sleep(delay)
        """),
    ],
    "TokenBucket": [
        ("starts empty", """
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens, self.last, self.lock = 0.0, clock(), threading.Lock()
                def acquire(self):
                    with self.lock:
                        now = self.clock()
                        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                        self.last = now
                        if self.tokens >= 1:
                            self.tokens -= 1
                            return 0.0
                        wait = (1 - self.tokens) / self.rate
                        self.sleep(wait)
                        self.tokens, self.last = 0.0, now + wait
                        return wait
        """),
        ("refill not capped at capacity", """
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens, self.last, self.lock = float(capacity), clock(), threading.Lock()
                def acquire(self):
                    with self.lock:
                        now = self.clock()
                        self.tokens = self.tokens + (now - self.last) * self.rate
                        self.last = now
                        if self.tokens >= 1:
                            self.tokens -= 1
                            return 0.0
                        wait = (1 - self.tokens) / self.rate
                        self.sleep(wait)
                        self.tokens, self.last = 0.0, now + wait
                        return wait
        """),
        ("waits a whole token's time, ignoring the partial refill", """
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens, self.last, self.lock = float(capacity), clock(), threading.Lock()
                def acquire(self):
                    with self.lock:
                        now = self.clock()
                        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                        self.last = now
                        if self.tokens >= 1:
                            self.tokens -= 1
                            return 0.0
                        wait = 1 / self.rate
                        self.sleep(wait)
                        self.tokens, self.last = 0.0, now + wait
                        return wait
        """),
        ("no lock", """
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens, self.last = float(capacity), clock()
                def acquire(self):
                    now = self.clock()
                    tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                    if tokens >= 1:
                        self.tokens, self.last = tokens - 1, now
                        return 0.0
                    wait = (1 - tokens) / self.rate
                    self.sleep(wait)
                    self.tokens, self.last = 0.0, now + wait
                    return wait
        """),
        ("the refill clock not moved after a wait (tokens counted twice)", """
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens, self.last, self.lock = float(capacity), clock(), threading.Lock()
                def acquire(self):
                    with self.lock:
                        now = self.clock()
                        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                        self.last = now
                        if self.tokens >= 1:
                            self.tokens -= 1
                            return 0.0
                        wait = (1 - self.tokens) / self.rate
                        self.sleep(wait)
                        self.tokens = 0.0
                        return wait
        """),
    ],
    "dedupe_key": [
        ("case-sensitive", """
            def dedupe_key(text):
                text = unicodedata.normalize("NFKC", text)
                return " ".join(re.sub(r"[^\\w\\s]", " ", text).split())
        """),
        ("lower() instead of casefold()", """
            def dedupe_key(text):
                text = unicodedata.normalize("NFKC", text).lower()
                return " ".join(re.sub(r"[^\\w\\s]", " ", text).split())
        """),
        ("no Unicode normalisation", """
            def dedupe_key(text):
                return " ".join(re.sub(r"[^\\w\\s]", " ", text.casefold()).split())
        """),
        ("punctuation deleted instead of replaced by a space", """
            def dedupe_key(text):
                text = unicodedata.normalize("NFKC", text).casefold()
                return " ".join(re.sub(r"[^\\w\\s]", "", text).split())
        """),
        ("accents stripped too", """
            def dedupe_key(text):
                text = unicodedata.normalize("NFKD", text).casefold()
                text = "".join(c for c in text if not unicodedata.combining(c))
                return " ".join(re.sub(r"[^\\w\\s]", " ", text).split())
        """),
    ],
    "dedupe": [
        ("compared with every earlier text, dropped ones too", """
            def dedupe(texts, threshold=0.85):
                kept, seen = [], []
                for i, text in enumerate(texts):
                    key = dedupe_key(text)
                    words = set(key.split())
                    dup = any(key == k or (words | w and len(words & w) / len(words | w) >= threshold) for k, w in seen)
                    seen.append((key, words))
                    if not dup:
                        kept.append(i)
                return kept
        """),
        ("threshold exclusive (>)", """
            def dedupe(texts, threshold=0.85):
                kept, seen = [], []
                for i, text in enumerate(texts):
                    key = dedupe_key(text)
                    words = set(key.split())
                    if not any(key == k or (words | w and len(words & w) / len(words | w) > threshold) for k, w in seen):
                        kept.append(i)
                        seen.append((key, words))
                return kept
        """),
        ("exact keys only (no near-duplicates)", """
            def dedupe(texts, threshold=0.85):
                kept, seen = [], set()
                for i, text in enumerate(texts):
                    key = dedupe_key(text)
                    if key not in seen:
                        kept.append(i)
                        seen.add(key)
                return kept
        """),
        ("raw text compared, case-sensitive", """
            def dedupe(texts, threshold=0.85):
                kept, seen = [], []
                for i, text in enumerate(texts):
                    words = set(text.split())
                    if not any(text == k or (words | w and len(words & w) / len(words | w) >= threshold) for k, w in seen):
                        kept.append(i)
                        seen.append((text, words))
                return kept
        """),
        ("overlap divided by the smaller set, not the union", """
            def dedupe(texts, threshold=0.85):
                kept, seen = [], []
                for i, text in enumerate(texts):
                    key = dedupe_key(text)
                    words = set(key.split())
                    if not any(key == k or (words and w and len(words & w) / min(len(words), len(w)) >= threshold) for k, w in seen):
                        kept.append(i)
                        seen.append((key, words))
                return kept
        """),
    ],
    "rubric": [
        ("leak found as a substring (Niger in Nigeria)", """
            def rubric(item, plausibility, floor=-7.8):
                failed = []
                if len({dedupe_key(t) for t in [item.answer, *item.distractors]}) != 4:
                    failed.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    failed.append("question")
                if dedupe_key(item.answer) in dedupe_key(item.question):
                    failed.append("leak")
                if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
                    failed.append("implausible")
                return failed
        """),
        ("options compared case-sensitively", """
            def rubric(item, plausibility, floor=-7.8):
                failed = []
                if len({t.strip() for t in [item.answer, *item.distractors]}) != 4:
                    failed.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    failed.append("question")
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    failed.append("leak")
                if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
                    failed.append("implausible")
                return failed
        """),
        ("missing distractors pass the plausibility rule", """
            def rubric(item, plausibility, floor=-7.8):
                failed = []
                if len({dedupe_key(t) for t in [item.answer, *item.distractors]}) != 4:
                    failed.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    failed.append("question")
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    failed.append("leak")
                if any(plausibility.get(d, 0.0) < floor for d in item.distractors):
                    failed.append("implausible")
                return failed
        """),
        ("at the floor counts as implausible (<=)", """
            def rubric(item, plausibility, floor=-7.8):
                failed = []
                if len({dedupe_key(t) for t in [item.answer, *item.distractors]}) != 4:
                    failed.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    failed.append("question")
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    failed.append("leak")
                if any(plausibility.get(d, -math.inf) <= floor for d in item.distractors):
                    failed.append("implausible")
                return failed
        """),
        ("question not stripped before the '?' test", """
            def rubric(item, plausibility, floor=-7.8):
                failed = []
                if len({dedupe_key(t) for t in [item.answer, *item.distractors]}) != 4:
                    failed.append("options")
                q = item.question
                if not q.endswith("?") or len(q.split()) < 4:
                    failed.append("question")
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    failed.append("leak")
                if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
                    failed.append("implausible")
                return failed
        """),
        ("only the first failed criterion returned", """
            def rubric(item, plausibility, floor=-7.8):
                keys = {dedupe_key(t) for t in [item.answer, *item.distractors]}
                q = item.question.strip()
                if len(keys) != 4:
                    return ["options"]
                if not q.endswith("?") or len(q.split()) < 4:
                    return ["question"]
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    return ["leak"]
                if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
                    return ["implausible"]
                return []
        """),
    ],
    "balance_positions": [
        ("answer letter moved but the options not (the wrong text becomes correct)", """
            def balance_positions(items, seed=0):
                letters = [LETTERS[i % 4] for i in range(len(items))]
                random.Random(seed).shuffle(letters)
                return [McqItem(question=it.question,
                                options=dict(zip(LETTERS, [it.answer, *it.distractors])), answer=L)
                        for it, L in zip(items, letters)]
        """),
        ("a random letter per item (unbalanced)", """
            def balance_positions(items, seed=0):
                rng = random.Random(seed)
                out = []
                for it in items:
                    L = rng.choice(LETTERS)
                    wrong = iter(it.distractors)
                    out.append(McqItem(question=it.question, options={k: it.answer if k == L else next(wrong) for k in LETTERS}, answer=L))
                return out
        """),
        ("letters in a fixed cycle, not shuffled", """
            def balance_positions(items, seed=0):
                out = []
                for i, it in enumerate(items):
                    L = LETTERS[i % 4]
                    wrong = iter(it.distractors)
                    out.append(McqItem(question=it.question, options={k: it.answer if k == L else next(wrong) for k in LETTERS}, answer=L))
                return out
        """),
        ("distractors reversed", """
            def balance_positions(items, seed=0):
                letters = [LETTERS[i % 4] for i in range(len(items))]
                random.Random(seed).shuffle(letters)
                out = []
                for it, L in zip(items, letters):
                    wrong = iter(reversed(it.distractors))
                    out.append(McqItem(question=it.question, options={k: it.answer if k == L else next(wrong) for k in LETTERS}, answer=L))
                return out
        """),
    ],
    "agreement": [
        ("missing predictions skipped", """
            def agreement(predicted, gold):
                keys = [k for k in gold if k in predicted]
                differ = [k for k in keys if predicted[k] != gold[k]]
                return 1 - len(differ) / len(keys) if keys else 1.0, differ
        """),
        ("a missing prediction read as None", """
            def agreement(predicted, gold):
                differ = [k for k in gold if predicted.get(k) != gold[k]]
                return 1 - len(differ) / len(gold), differ
        """),
        ("divided by the number of predictions", """
            def agreement(predicted, gold):
                differ = [k for k in gold if k not in predicted or predicted[k] != gold[k]]
                return (len(gold) - len(differ)) / max(len(predicted), 1), differ
        """),
        ("differing ids in the predictions' order", """
            def agreement(predicted, gold):
                differ = [k for k in predicted if k in gold and predicted[k] != gold[k]]
                differ += [k for k in gold if k not in predicted]
                return 1 - len(differ) / len(gold), differ
        """),
    ],
}

ALTERNATIVES = {
    "render_chat": """
        def render_chat(messages, add_generation_prompt=True):
            chat = list(messages)
            if chat[0]["role"] != "system":
                chat = [{"role": "system", "content": SMOLLM2_DEFAULT_SYSTEM}] + chat
            parts = ["<|im_start|>%s\\n%s<|im_end|>\\n" % (m["role"], m["content"]) for m in chat]
            if add_generation_prompt:
                parts.append("<|im_start|>assistant\\n")
            return "".join(parts)
    """,
    "extract_json": """
        def extract_json(text):
            start = text.find("{")
            if start == -1:
                return None
            depth = 0
            in_string = None
            escaped = False
            for end in range(start, len(text)):
                c = text[end]
                if in_string:
                    if escaped:
                        escaped = False
                    elif c == "\\\\":
                        escaped = True
                    elif c == in_string:
                        in_string = None
                    continue
                if c in ("'", '"'):
                    in_string = c
                elif c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return text[start:end + 1]
            return None
    """,
    "repair_json": """
        _TOKEN = re.compile(r'"(?:\\\\.|[^"\\\\])*"|\\'(?:\\\\.|[^\\'\\\\])*\\'|,(?=\\s*[}\\]])|(?<![\\w])(?:True|False|None)(?![\\w])', re.S)

        def repair_json(text):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                pass

            def fix(match):
                token = match.group(0)
                if token.startswith('"'):
                    return token
                if token.startswith("'"):
                    body = token[1:-1]
                    out, i = [], 0
                    while i < len(body):
                        if body[i] == "\\\\" and i + 1 < len(body):
                            out.append("'" if body[i + 1] == "'" else body[i:i + 2])
                            i += 2
                        else:
                            out.append('\\\\"' if body[i] == '"' else body[i])
                            i += 1
                    return '"' + "".join(out) + '"'
                if token == ",":
                    return ""
                return {"True": "true", "False": "false", "None": "null"}[token]

            return json.loads(_TOKEN.sub(fix, text))
    """,
    "parse_into": """
        def parse_into(text, schema):
            blob = extract_json(text)
            if blob is None:
                return (None, "no JSON object found")
            try:
                value = repair_json(blob)
            except json.JSONDecodeError as e:
                return (None, "invalid JSON: " + e.msg)
            try:
                obj = schema(**value) if isinstance(value, dict) else schema.model_validate(value)
            except ValidationError as e:
                lines = []
                for err in e.errors():
                    loc = ".".join(map(str, err["loc"]))
                    lines.append((loc if loc else "item") + ": " + err["msg"])
                return (None, "; ".join(lines))
            return (obj, None)
    """,
    "ask_structured": """
        def ask_structured(model, messages, schema, max_tokens=200):
            history = list(messages)
            for calls in (1, 2):
                text = model.complete(history, max_tokens=max_tokens, temperature=0.0).text
                obj, why = parse_into(text, schema)
                if obj is not None or calls == 2:
                    return obj, calls
                history = history + [{"role": "assistant", "content": text},
                                     {"role": "user", "content": REASK.format(error=why)}]
    """,
    "backoff_delay": [("a loop that stops doubling at the cap", """
        def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
            ceiling = base
            for _ in range(attempt):
                if ceiling >= cap:
                    break
                ceiling *= 2
            ceiling = min(ceiling, cap)
            return rng.uniform(0, ceiling) if rng is not None else random.uniform(0, ceiling)
    """), ("random() times the ceiling, large attempts special-cased (learner test)", """
        def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
            r = rng or random
            c = cap if attempt > 60 else min(cap, base * 2 ** attempt)
            return r.random() * c
    """)],
    "is_retryable": """
        def is_retryable(error):
            if isinstance(error, json.JSONDecodeError):
                return True
            if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError)):
                return True
            status = getattr(error, "status_code", None) if isinstance(error, openai.APIStatusError) else None
            return status is not None and (status >= 500 or status in {408, 409, 429})
    """,
    "call_with_retries": """
        def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
            attempt = 0
            while True:
                try:
                    return fn()
                except Exception as error:
                    attempt += 1
                    if attempt >= max_attempts or not is_retryable(error):
                        raise
                    wait = retry_after_seconds(error)
                    wait = backoff_delay(attempt - 1, base, cap, rng) if wait is None else wait
                    if on_retry is not None:
                        on_retry(error, wait)
                    sleep(wait)
    """,
    "TokenBucket": """
        class TokenBucket:
            def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                self._rate = rate
                self._capacity = capacity
                self._clock = clock
                self._sleep = sleep
                self._level = capacity
                self._stamp = clock()
                self._mutex = threading.RLock()

            def acquire(self):
                with self._mutex:
                    now = self._clock()
                    self._level = min(self._capacity, self._level + self._rate * (now - self._stamp))
                    self._stamp = now
                    waited = 0.0
                    if self._level < 1:
                        waited = (1 - self._level) / self._rate
                        self._sleep(waited)
                        self._level += waited * self._rate
                        self._stamp = now + waited
                    self._level -= 1
                    return waited
    """,
    "dedupe_key": """
        def dedupe_key(text):
            text = unicodedata.normalize("NFKC", text).casefold()
            text = "".join(c if (c.isalnum() or c == "_" or c.isspace()) else " " for c in text)
            return re.sub(r"\\s+", " ", text).strip()
    """,
    "dedupe": """
        def dedupe(texts, threshold=0.85):
            keep = []
            for i, text in enumerate(texts):
                k = dedupe_key(text)
                a = set(k.split())
                for j in keep:
                    k2 = dedupe_key(texts[j])
                    b = set(k2.split())
                    union = a | b
                    if k == k2 or (union and len(a & b) >= threshold * len(union)):
                        break
                else:
                    keep.append(i)
            return keep
    """,
    "rubric": """
        def rubric(item, plausibility, floor=-7.8):
            options = [item.answer] + list(item.distractors)
            checks = {
                "options": len(options) != 4 or len(set(map(dedupe_key, options))) != 4,
                "question": not item.question.strip().endswith("?") or len(item.question.split()) < 4,
                "leak": re.search(r"(?<!\\w)" + re.escape(dedupe_key(item.answer)) + r"(?!\\w)", dedupe_key(item.question)) is not None,
                "implausible": min(plausibility.get(d, float("-inf")) for d in item.distractors) < floor,
            }
            return [name for name in CRITERIA if checks[name]]
    """,
    "balance_positions": """
        def balance_positions(items, seed=0):
            n = len(items)
            letters = (list(LETTERS) * (n // 4 + 1))[:n]
            random.Random(seed).shuffle(letters)
            result = []
            for item, letter in zip(items, letters):
                others = [L for L in LETTERS if L != letter]
                options = dict(zip(others, item.distractors))
                options[letter] = item.answer
                result.append(McqItem(question=item.question, options={L: options[L] for L in LETTERS}, answer=letter))
            return result
    """,
    "agreement": """
        def agreement(predicted, gold):
            missing = object()
            agree, differ = 0, []
            for key in gold:
                if predicted.get(key, missing) == gold[key]:
                    agree += 1
                else:
                    differ.append(key)
            return agree / len(gold), differ
    """,
}

# Learner tests by an independent reviewer: wrong and correct solutions written from the page alone
# (the docstrings and hints), each run through arena-check before it was added here.
_REVIEW_MUTANTS = {
    "render_chat": [
        ("the default system message inserted into the caller's list (review)", r"""
            def render_chat(messages, add_generation_prompt=True):
                if messages[0]["role"] != "system":
                    messages.insert(0, {"role": "system", "content": SMOLLM2_DEFAULT_SYSTEM})
                text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
                return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")
        """),
        ('default system prompt only before a user message (not before an assistant one) (review)', r"""
            def render_chat(messages, add_generation_prompt=True):
                text = ""
                if messages[0]["role"] == "user":
                    text += f"<|im_start|>system\n{SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\n"
                text += "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
                return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")
        """),
    ],
    "extract_json": [
        ('only double-quoted strings recognised (review)', r"""
            def extract_json(text):
                start = text.find("{")
                if start < 0:
                    return None
                depth, in_str, esc = 0, False, False
                for i in range(start, len(text)):
                    c = text[i]
                    if in_str:
                        if esc:
                            esc = False
                        elif c == "\\":
                            esc = True
                        elif c == '"':
                            in_str = False
                    elif c == '"':
                        in_str = True
                    elif c == "{":
                        depth += 1
                    elif c == "}":
                        depth -= 1
                        if depth == 0:
                            return text[start:i + 1]
                return None
        """),
        ('json raw_decode: almost-JSON objects not found (review)', r"""
            def extract_json(text):
                start = text.find("{")
                if start < 0:
                    return None
                try:
                    _, end = json.JSONDecoder().raw_decode(text, start)
                except json.JSONDecodeError:
                    return None
                return text[start:end]
        """),
        ('any quote toggles the string state (an apostrophe inside "…") (review)', r"""
            def extract_json(text):
                start = text.find("{")
                if start < 0:
                    return None
                depth, in_str, esc = 0, False, False
                for i in range(start, len(text)):
                    c = text[i]
                    if esc:
                        esc = False
                        continue
                    if c == "\\":
                        esc = True
                    elif c in "\"'":
                        in_str = not in_str
                    elif not in_str and c == "{":
                        depth += 1
                    elif not in_str and c == "}":
                        depth -= 1
                        if depth == 0:
                            return text[start:i + 1]
                return None
        """),
    ],
    "repair_json": [
        ('trailing comma dropped only right before the bracket, not across whitespace (review)', r"""
            def repair_json(text):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    pass
                out, i, n = [], 0, len(text)
                while i < n:
                    c = text[i]
                    if c in "\"'":
                        j, buf = i + 1, []
                        while j < n and text[j] != c:
                            if text[j] == "\\" and j + 1 < n:
                                if c == "'" and text[j + 1] == "'":
                                    buf.append("'")
                                else:
                                    buf.append(text[j:j + 2])
                                j += 2
                                continue
                            buf.append('\\"' if (c == "'" and text[j] == '"') else text[j])
                            j += 1
                        out.append('"' + "".join(buf) + ('"' if j < n else ""))
                        i = j + 1
                        continue
                    if c == "," and i + 1 < n and text[i + 1] in "}]":
                        i += 1
                        continue
                    m = re.match(r"(True|False|None)(?![A-Za-z0-9_])", text[i:])
                    if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                        out.append({"True": "true", "False": "false", "None": "null"}[m.group(1)])
                        i += len(m.group(1))
                        continue
                    out.append(c)
                    i += 1
                return json.loads("".join(out))
        """),
        ("\\' inside a single-quoted string kept as an invalid JSON escape (review)", r"""
            def repair_json(text):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    pass
                out, i, n = [], 0, len(text)
                while i < n:
                    c = text[i]
                    if c in "\"'":
                        j, buf = i + 1, []
                        while j < n and text[j] != c:
                            if text[j] == "\\" and j + 1 < n:
                                buf.append(text[j:j + 2])
                                j += 2
                                continue
                            buf.append('\\"' if (c == "'" and text[j] == '"') else text[j])
                            j += 1
                        out.append('"' + "".join(buf) + ('"' if j < n else ""))
                        i = j + 1
                        continue
                    if c == ",":
                        k = i + 1
                        while k < n and text[k].isspace():
                            k += 1
                        if k < n and text[k] in "}]":
                            i += 1
                            continue
                    m = re.match(r"(True|False|None)(?![A-Za-z0-9_])", text[i:])
                    if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                        out.append({"True": "true", "False": "false", "None": "null"}[m.group(1)])
                        i += len(m.group(1))
                        continue
                    out.append(c)
                    i += 1
                return json.loads("".join(out))
        """),
    ],
    "parse_into": [
        ('str(error) instead of error.msg for invalid JSON (review)', r"""
            def parse_into(text, schema):
                raw = extract_json(text)
                if raw is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(raw)
                except json.JSONDecodeError as exc:
                    return None, f"invalid JSON: {exc}"
                try:
                    return schema.model_validate(data), None
                except ValidationError as exc:
                    return None, "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in exc.errors())
        """),
        ("an empty location left empty, not 'item' (review)", r"""
            def parse_into(text, schema):
                raw = extract_json(text)
                if raw is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(raw)
                except json.JSONDecodeError as exc:
                    return None, f"invalid JSON: {exc.msg}"
                try:
                    return schema.model_validate(data), None
                except ValidationError as exc:
                    return None, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        """),
        ('only the first part of a nested location (review)', r"""
            def parse_into(text, schema):
                raw = extract_json(text)
                if raw is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(raw)
                except json.JSONDecodeError as exc:
                    return None, f"invalid JSON: {exc.msg}"
                try:
                    return schema.model_validate(data), None
                except ValidationError as exc:
                    return None, "; ".join(f"{e['loc'][0] if e['loc'] else 'item'}: {e['msg']}" for e in exc.errors())
        """),
    ],
    "ask_structured": [
        ('the re-ask sent without temperature=0.0 (review)', r"""
            def ask_structured(model, messages, schema, max_tokens=200):
                convo = list(messages)
                reply = model.complete(convo, max_tokens=max_tokens, temperature=0.0)
                obj, why = parse_into(reply.text, schema)
                if why is None:
                    return obj, 1
                convo += [{"role": "assistant", "content": reply.text}, {"role": "user", "content": REASK.format(error=why)}]
                second = model.complete(convo, max_tokens=max_tokens)
                return parse_into(second.text, schema)[0], 2
        """),
        ('the re-ask conversation without the original messages (review)', r"""
            def ask_structured(model, messages, schema, max_tokens=200):
                reply = model.complete(list(messages), max_tokens=max_tokens, temperature=0.0)
                obj, why = parse_into(reply.text, schema)
                if why is None:
                    return obj, 1
                convo = [{"role": "assistant", "content": reply.text}, {"role": "user", "content": REASK.format(error=why)}]
                second = model.complete(convo, max_tokens=max_tokens, temperature=0.0)
                return parse_into(second.text, schema)[0], 2
        """),
        ('counts 1 call when both replies fail (review)', r"""
            def ask_structured(model, messages, schema, max_tokens=200):
                convo = list(messages)
                reply = model.complete(convo, max_tokens=max_tokens, temperature=0.0)
                obj, why = parse_into(reply.text, schema)
                if why is None:
                    return obj, 1
                convo += [{"role": "assistant", "content": reply.text}, {"role": "user", "content": REASK.format(error=why)}]
                second = model.complete(convo, max_tokens=max_tokens, temperature=0.0)
                obj = parse_into(second.text, schema)[0]
                return obj, 2 if obj is not None else 1
        """),
    ],
    "backoff_delay": [
        ('rng=None makes a fresh Random(0) each call (review)', r"""
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                rng = rng or random.Random(0)
                ceiling = cap if attempt > 60 else min(cap, base * 2 ** attempt)
                return rng.uniform(0, ceiling)
        """),
        ('jitter drawn from [base, ceiling] (review)', r"""
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                rng = rng or random
                ceiling = cap if attempt > 60 else min(cap, base * 2 ** attempt)
                return rng.uniform(base, ceiling)
        """),
    ],
    "is_retryable": [
        ('a fixed list of 5xx statuses (507 and 529 missed) (review)', r"""
            def is_retryable(error):
                if isinstance(error, openai.APIStatusError):
                    return error.status_code in (408, 409, 429, 500, 502, 503, 504)
                return isinstance(error, (openai.APIConnectionError, json.JSONDecodeError))
        """),
        ('statuses > 500 (500 itself missed) (review)', r"""
            def is_retryable(error):
                if isinstance(error, openai.APIStatusError):
                    return error.status_code in (408, 409, 429) or error.status_code > 500
                return isinstance(error, (openai.APIConnectionError, json.JSONDecodeError))
        """),
    ],
    "call_with_retries": [
        ('Retry-After: 0 read as absent (`or`) (review)', r"""
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        delay = retry_after_seconds(error) or backoff_delay(attempt, base, cap, rng)
                        if on_retry is not None:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ('the generator not passed to backoff_delay (review)', r"""
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt, base, cap)
                        if on_retry is not None:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ('base and cap not passed to backoff_delay (review)', r"""
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        delay = retry_after_seconds(error)
                        if delay is None:
                            delay = backoff_delay(attempt, rng=rng)
                        if on_retry is not None:
                            on_retry(error, delay)
                        sleep(delay)
        """),
        ('on_retry told the backoff while sleeping the Retry-After (review)', r"""
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                for attempt in range(max_attempts):
                    try:
                        return fn()
                    except Exception as error:
                        if not is_retryable(error) or attempt == max_attempts - 1:
                            raise
                        backoff = backoff_delay(attempt, base, cap, rng)
                        server = retry_after_seconds(error)
                        if on_retry is not None:
                            on_retry(error, backoff)
                        sleep(backoff if server is None else server)
        """),
    ],
    "TokenBucket": [
        ('a token taken only when more than one is left (> 1) (review)', r"""
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens = float(capacity)
                    self.last = clock()
                    self.lock = threading.Lock()

                def acquire(self):
                    with self.lock:
                        now = self.clock()
                        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                        self.last = now
                        if self.tokens > 1:
                            self.tokens -= 1
                            return 0.0
                        wait = (1 - self.tokens) / self.rate
                        self.sleep(wait)
                        self.tokens = 0.0
                        self.last = now + wait
                        return wait
        """),
        ('after a wait the bucket is left with a whole token (review)', r"""
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
                    self.tokens = float(capacity)
                    self.last = clock()
                    self.lock = threading.Lock()

                def acquire(self):
                    with self.lock:
                        now = self.clock()
                        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
                        self.last = now
                        if self.tokens >= 1:
                            self.tokens -= 1
                            return 0.0
                        wait = (1 - self.tokens) / self.rate
                        self.sleep(wait)
                        self.tokens = 1.0
                        self.last = now + wait
                        return wait
        """),
    ],
    "dedupe_key": [
        ('ASCII-only [^a-z0-9\\s] drops accented letters (review)', r"""
            def dedupe_key(text):
                t = unicodedata.normalize("NFKC", text).casefold()
                return " ".join(re.sub(r"[^a-z0-9\s]", " ", t).split())
        """),
        ('NFKD instead of NFKC (accents split off) (review)', r"""
            def dedupe_key(text):
                t = unicodedata.normalize("NFKD", text).casefold()
                return " ".join(re.sub(r"[^\w\s]", " ", t).split())
        """),
        ("split(' ') keeps tabs and newlines (review)", r"""
            def dedupe_key(text):
                t = unicodedata.normalize("NFKC", text).casefold()
                t = re.sub(r"[^\w\s]", " ", t)
                return " ".join(w for w in t.split(" ") if w)
        """),
    ],
    "dedupe": [
        ('threshold default 0.8 (review)', r"""
            def dedupe(texts, threshold=0.8):
                kept, seen = [], []
                for i, t in enumerate(texts):
                    k = dedupe_key(t); w = set(k.split())
                    if any(k == k2 or (w | w2 and len(w & w2) / len(w | w2) >= threshold) for k2, w2 in seen):
                        continue
                    kept.append(i); seen.append((k, w))
                return kept
        """),
        ('compared with the last kept text only (review)', r"""
            def dedupe(texts, threshold=0.85):
                kept, last = [], None
                for i, t in enumerate(texts):
                    k = dedupe_key(t); w = set(k.split())
                    if last is not None:
                        k2, w2 = last
                        if k == k2 or (w | w2 and len(w & w2) / len(w | w2) >= threshold):
                            continue
                    kept.append(i); last = (k, w)
                return kept
        """),
    ],
    "rubric": [
        ('leak tested on the raw lower-cased words of the question (review)', r"""
            def rubric(item, plausibility, floor=-7.8):
                out = []
                if len({dedupe_key(o) for o in [item.answer, *item.distractors]}) != 4:
                    out.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    out.append("question")
                if item.answer.lower() in item.question.lower().split():
                    out.append("leak")
                if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
                    out.append("implausible")
                return out
        """),
        ('4-word questions rejected (<= 4) (review)', r"""
            def rubric(item, plausibility, floor=-7.8):
                out = []
                if len({dedupe_key(o) for o in [item.answer, *item.distractors]}) != 4:
                    out.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) <= 4:
                    out.append("question")
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    out.append("leak")
                if any(plausibility.get(d, -math.inf) < floor for d in item.distractors):
                    out.append("implausible")
                return out
        """),
        ("the answer's plausibility checked too (review)", r"""
            def rubric(item, plausibility, floor=-7.8):
                out = []
                if len({dedupe_key(o) for o in [item.answer, *item.distractors]}) != 4:
                    out.append("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    out.append("question")
                if f" {dedupe_key(item.answer)} " in f" {dedupe_key(item.question)} ":
                    out.append("leak")
                if any(plausibility.get(d, -math.inf) < floor for d in [item.answer, *item.distractors]):
                    out.append("implausible")
                return out
        """),
    ],
    "balance_positions": [
        ('letters for n // 4 full rounds only (the remainder items lost) (review)', r"""
            def balance_positions(items, seed=0):
                letters = list(LETTERS) * (len(items) // 4)
                random.Random(seed).shuffle(letters)
                out = []
                for item, letter in zip(items, letters):
                    rest = iter(item.distractors)
                    out.append(McqItem(question=item.question, options={L: item.answer if L == letter else next(rest) for L in LETTERS}, answer=letter))
                return out
        """),
        ("answer inserted into the item's own distractor list (review)", r"""
            def balance_positions(items, seed=0):
                letters = (list(LETTERS) * len(items))[: len(items)]
                random.Random(seed).shuffle(letters)
                out = []
                for item, letter in zip(items, letters):
                    opts = item.distractors
                    opts.insert(LETTERS.index(letter), item.answer)
                    out.append(McqItem(question=item.question, options=dict(zip(LETTERS, opts)), answer=letter))
                return out
        """),
    ],
    "agreement": [
        ('a percentage instead of a fraction (review)', r"""
            def agreement(predicted, gold):
                bad = [k for k in gold if k not in predicted or predicted[k] != gold[k]]
                return 100 * (len(gold) - len(bad)) / len(gold), bad
        """),
        ("differing ids sorted, not in gold's order (review)", r"""
            def agreement(predicted, gold):
                bad = sorted(k for k in gold if k not in predicted or predicted[k] != gold[k])
                return (len(gold) - len(bad)) / len(gold), bad
        """),
    ],
}

_REVIEW_ALTERNATIVES = {
    "render_chat": [
        ('a list of %-formatted parts (review)', r"""
            def render_chat(messages, add_generation_prompt=True):
                msgs = list(messages)
                if msgs[0].get("role") != "system":
                    msgs = [{"role": "system", "content": SMOLLM2_DEFAULT_SYSTEM}] + msgs
                parts = ["<|im_start|>%s\n%s<|im_end|>\n" % (m["role"], m["content"]) for m in msgs]
                if add_generation_prompt:
                    parts.append("<|im_start|>assistant\n")
                return "".join(parts)
        """),
    ],
    "extract_json": [
        ('a while loop with an index that jumps over escapes (review)', r"""
            def extract_json(text):
                start = text.find("{")
                if start == -1:
                    return None
                depth, quote, i = 0, None, start
                while i < len(text):
                    ch = text[i]
                    if quote is not None:
                        if ch == "\\":
                            i += 2
                            continue
                        if ch == quote:
                            quote = None
                    elif ch in "\"'":
                        quote = ch
                    elif ch == "{":
                        depth += 1
                    elif ch == "}":
                        depth -= 1
                        if depth == 0:
                            return text[start:i + 1]
                    i += 1
                return None
        """),
    ],
    "repair_json": [
        ('one copying pass with a regex for the words (review)', r"""
            def repair_json(text):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    pass
                out = []
                i, n = 0, len(text)
                while i < n:
                    ch = text[i]
                    if ch in "\"'":
                        q = ch
                        j = i + 1
                        buf = []
                        while j < n and text[j] != q:
                            if text[j] == "\\" and j + 1 < n:
                                if q == "'" and text[j + 1] == "'":
                                    buf.append("'")
                                else:
                                    buf.append(text[j:j + 2])
                                j += 2
                                continue
                            if q == "'" and text[j] == '"':
                                buf.append('\\"')
                            else:
                                buf.append(text[j])
                            j += 1
                        out.append('"' + "".join(buf) + ('"' if j < n else ""))
                        i = j + 1
                        continue
                    if ch == ",":
                        k = i + 1
                        while k < n and text[k].isspace():
                            k += 1
                        if k < n and text[k] in "}]":
                            i += 1
                            continue
                    m = re.match(r"(True|False|None)(?![A-Za-z0-9_])", text[i:])
                    if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                        out.append({"True": "true", "False": "false", "None": "null"}[m.group(1)])
                        i += len(m.group(1))
                        continue
                    out.append(ch)
                    i += 1
                return json.loads("".join(out))
        """),
    ],
    "parse_into": [
        ('an explicit loop over the errors (review)', r"""
            def parse_into(text, schema):
                raw = extract_json(text)
                if raw is None:
                    return None, "no JSON object found"
                try:
                    data = repair_json(raw)
                except json.JSONDecodeError as exc:
                    return None, f"invalid JSON: {exc.msg}"
                try:
                    obj = schema.model_validate(data)
                except ValidationError as exc:
                    reasons = []
                    for err in exc.errors():
                        loc = ".".join(map(str, err["loc"])) or "item"
                        reasons.append(loc + ": " + err["msg"])
                    return None, "; ".join(reasons)
                return obj, None
        """),
    ],
    "ask_structured": [
        ('copies of the messages, explicit second call (review)', r"""
            def ask_structured(model, messages, schema, max_tokens=200):
                convo = [dict(m) for m in messages]
                reply = model.complete(convo, max_tokens=max_tokens, temperature=0.0)
                obj, why = parse_into(reply.text, schema)
                if why is None:
                    return obj, 1
                convo = convo + [{"role": "assistant", "content": reply.text},
                                 {"role": "user", "content": REASK.format(error=why)}]
                second = model.complete(convo, max_tokens=max_tokens, temperature=0.0)
                obj, _ = parse_into(second.text, schema)
                return obj, 2
        """),
    ],
    "backoff_delay": [
        ('math.pow with the exponent clamped (review)', r"""
            def backoff_delay(attempt, base=0.5, cap=8.0, rng=None):
                draw = random.uniform if rng is None else rng.uniform
                if attempt > 1000 or base * math.pow(2.0, min(attempt, 1000)) >= cap:
                    ceiling = cap
                else:
                    ceiling = base * (2 ** attempt)
                return draw(0, ceiling)
        """),
    ],
    "is_retryable": [
        ('connection errors first, then the status (review)', r"""
            def is_retryable(error):
                if isinstance(error, openai.APIConnectionError):
                    return True
                if isinstance(error, openai.APIStatusError):
                    code = error.status_code
                    return code in (408, 409, 429) or code >= 500
                return type(error) is json.JSONDecodeError or isinstance(error, json.JSONDecodeError)
        """),
    ],
    "call_with_retries": [
        ('a while loop counting failures (review)', r"""
            def call_with_retries(fn, max_attempts=5, base=0.5, cap=8.0, sleep=time.sleep, rng=None, on_retry=None):
                attempt = 0
                while True:
                    try:
                        return fn()
                    except Exception as err:
                        attempt += 1
                        if attempt >= max_attempts or not is_retryable(err):
                            raise
                        wait = retry_after_seconds(err)
                        if wait is None:
                            wait = backoff_delay(attempt - 1, base, cap, rng)
                        if on_retry:
                            on_retry(err, wait)
                        sleep(wait)
        """),
    ],
    "TokenBucket": [
        ('an RLock and private attributes (review)', r"""
            class TokenBucket:
                def __init__(self, rate, capacity, clock=time.monotonic, sleep=time.sleep):
                    self._rate = float(rate)
                    self._cap = float(capacity)
                    self._clock = clock
                    self._sleep = sleep
                    self._level = float(capacity)
                    self._stamp = clock()
                    self._mutex = threading.RLock()

                def acquire(self):
                    with self._mutex:
                        t = self._clock()
                        self._level = min(self._cap, self._level + (t - self._stamp) * self._rate)
                        self._stamp = t
                        if self._level >= 1:
                            self._level -= 1
                            return 0.0
                        need = (1 - self._level) / self._rate
                        self._sleep(need)
                        self._level = 0.0
                        self._stamp = t + need
                        return need
        """),
    ],
    "dedupe_key": [
        ('per-character regex test, whitespace regex (review)', r"""
            def dedupe_key(text):
                t = unicodedata.normalize("NFKC", text).casefold()
                t = "".join(c if (c.isspace() or re.match(r"\w", c)) else " " for c in t)
                return re.sub(r"\s+", " ", t).strip()
        """),
    ],
    "dedupe": [
        ('frozensets, an explicit flag (review)', r"""
            def dedupe(texts, threshold=0.85):
                kept = []
                seen = []
                for i, t in enumerate(texts):
                    k = dedupe_key(t)
                    w = frozenset(k.split())
                    dup = False
                    for k2, w2 in seen:
                        if k == k2 or (not w and not w2):
                            dup = True
                            break
                        union = w | w2
                        if union and len(w & w2) / len(union) >= threshold:
                            dup = True
                            break
                    if not dup:
                        kept.append(i)
                        seen.append((k, w))
                return kept
        """),
    ],
    "rubric": [
        ('a set of failures, leak by word-list slices (review)', r"""
            def rubric(item, plausibility, floor=-7.8):
                failed = set()
                keys = {dedupe_key(o) for o in [item.answer, *item.distractors]}
                if len(keys) != 4:
                    failed.add("options")
                q = item.question.strip()
                if not q.endswith("?") or len(q.split()) < 4:
                    failed.add("question")
                a_words = dedupe_key(item.answer).split()
                q_words = dedupe_key(item.question).split()
                L = len(a_words)
                if L and any(q_words[i:i + L] == a_words for i in range(len(q_words) - L + 1)):
                    failed.add("leak")
                if any(plausibility.get(d, float("-inf")) < floor for d in item.distractors):
                    failed.add("implausible")
                return [c for c in CRITERIA if c in failed]
        """),
    ],
    "balance_positions": [
        ('letters by i % 4, options by a dict comprehension (review)', r"""
            def balance_positions(items, seed=0):
                n = len(items)
                letters = [LETTERS[i % 4] for i in range(n)]
                random.Random(seed).shuffle(letters)
                result = []
                for item, letter in zip(items, letters):
                    others = iter(item.distractors)
                    options = {L: (item.answer if L == letter else next(others)) for L in LETTERS}
                    result.append(McqItem(question=item.question, options=options, answer=letter))
                return result
        """),
    ],
    "agreement": [
        ('a sentinel for missing predictions (review)', r"""
            def agreement(predicted, gold):
                missing = object()
                bad = [k for k in gold if predicted.get(k, missing) is missing or not (predicted[k] == gold[k])]
                return (len(gold) - len(bad)) / len(gold), bad
        """),
    ],
}

for _name, _extra in _REVIEW_MUTANTS.items():
    MUTANTS[_name] = [*MUTANTS[_name], *_extra]
for _name, _extra in _REVIEW_ALTERNATIVES.items():
    _have = ALTERNATIVES[_name]
    ALTERNATIVES[_name] = [*([("the reference's alternative", _have)] if isinstance(_have, str) else _have), *_extra]

globals().update(make_tests("2.2", MUTANTS, alternatives=ALTERNATIVES))
