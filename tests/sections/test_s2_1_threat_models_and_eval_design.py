"""Section 2.1: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

_MCQ_HEAD = '''
class McqItem(BaseModel):
    question: str
    options: dict[str, str]
    answer: str
    kind: Literal["capability", "propensity"]
'''

_QUESTION = '''
    @field_validator("question")
    @classmethod
    def q(cls, question):
        if not question.strip():
            raise ValueError("blank question")
        return question
'''

_OPTIONS = '''
    @field_validator("options")
    @classmethod
    def o(cls, options):
        letters = list(options)
        if not 2 <= len(letters) <= 6 or letters != list("ABCDEF"[: len(letters)]):
            raise ValueError("bad letters")
        keys = [t.strip().casefold() for t in options.values()]
        if "" in keys or len(set(keys)) != len(keys):
            raise ValueError("empty or repeated option")
        return options
'''

_ANSWER = '''
    @model_validator(mode="after")
    def a(self):
        if self.answer not in self.options:
            raise ValueError(f"answer {self.answer!r} not in {', '.join(self.options)}")
        return self
'''


# The harness compiles sources with postponed annotations, in a namespace pydantic cannot find by
# module name: resolve `Literal` explicitly, as a learner's module does by importing it.
_REBUILD = "\nMcqItem.model_rebuild(_types_namespace=globals())\n"


def _mcq(question: str = _QUESTION, options: str = _OPTIONS, answer: str = _ANSWER) -> str:
    return _MCQ_HEAD + question + options + answer + _REBUILD


MUTANTS = {
    "McqItem": [
        ("no answer check", _mcq(answer="")),
        ("answer compared case-insensitively", _mcq(answer='''
    @model_validator(mode="after")
    def a(self):
        if self.answer.upper() not in self.options:
            raise ValueError(f"answer {self.answer!r} not in {', '.join(self.options)}")
        return self
''')),
        ("answer checked against option texts too", _mcq(answer='''
    @model_validator(mode="after")
    def a(self):
        if self.answer not in self.options and self.answer not in self.options.values():
            raise ValueError(f"answer {self.answer!r} not in {', '.join(self.options)}")
        return self
''')),
        ("error message without the valid letters", _mcq(answer='''
    @model_validator(mode="after")
    def a(self):
        if self.answer not in self.options:
            raise ValueError(f"bad answer {self.answer!r}")
        return self
''')),
        ("letters only checked as a set (order ignored)", _mcq(options='''
    @field_validator("options")
    @classmethod
    def o(cls, options):
        letters = set(options)
        if not 2 <= len(letters) <= 6 or letters != set("ABCDEF"[: len(letters)]):
            raise ValueError("bad letters")
        keys = [t.strip().casefold() for t in options.values()]
        if "" in keys or len(set(keys)) != len(keys):
            raise ValueError("empty or repeated option")
        return options
''')),
        ("duplicates compared without normalising case and spaces", _mcq(options='''
    @field_validator("options")
    @classmethod
    def o(cls, options):
        letters = list(options)
        if not 2 <= len(letters) <= 6 or letters != list("ABCDEF"[: len(letters)]):
            raise ValueError("bad letters")
        texts = list(options.values())
        if any(not t.strip() for t in texts) or len(set(texts)) != len(texts):
            raise ValueError("empty or repeated option")
        return options
''')),
        ("blank option text allowed (only empty refused)", _mcq(options='''
    @field_validator("options")
    @classmethod
    def o(cls, options):
        letters = list(options)
        if not 2 <= len(letters) <= 6 or letters != list("ABCDEF"[: len(letters)]):
            raise ValueError("bad letters")
        texts = [t.casefold() for t in options.values()]
        if "" in texts or len(set(texts)) != len(texts):
            raise ValueError("empty or repeated option")
        return options
''')),
        ("up to 7 options allowed", _mcq(options='''
    @field_validator("options")
    @classmethod
    def o(cls, options):
        letters = list(options)
        if not 2 <= len(letters) <= 7 or letters != list("ABCDEFG"[: len(letters)]):
            raise ValueError("bad letters")
        keys = [t.strip().casefold() for t in options.values()]
        if "" in keys or len(set(keys)) != len(keys):
            raise ValueError("empty or repeated option")
        return options
''')),
        ("blank question allowed", _mcq(question="")),
        ("validator returns None (the field becomes None)", _mcq(question='''
    @field_validator("question")
    @classmethod
    def q(cls, question):
        if not question.strip():
            raise ValueError("blank question")
''')),
        ("TypeError instead of ValueError", _mcq(answer='''
    @model_validator(mode="after")
    def a(self):
        if self.answer not in self.options:
            raise TypeError(f"answer {self.answer!r} not in {', '.join(self.options)}")
        return self
''')),
    ],
    "error_lines": [
        ("loc joined with '/'", """
            def error_lines(error):
                return [f"{'/'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in error.errors()]
        """),
        ("only the first part of the location", """
            def error_lines(error):
                return [f"{str(e['loc'][0]) if e['loc'] else 'item'}: {e['msg']}" for e in error.errors()]
        """),
        ("empty location left empty", """
            def error_lines(error):
                return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        """),
        ("the error type instead of the message", """
            def error_lines(error):
                return [f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['type']}" for e in error.errors()]
        """),
        ("only the first error", """
            def error_lines(error):
                e = error.errors()[0]
                return [f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}"]
        """),
    ],
    "render_mcq": [
        ("texts shuffled but the answer letter kept", """
            def render_mcq(item, seed=None):
                order = list(item.options)
                if seed is not None:
                    random.Random(seed).shuffle(order)
                lines = [item.question, ""] + [f"{n}) {item.options[o]}" for n, o in zip(LETTERS, order)]
                return "\\n".join(lines + ["", "Answer with the letter of one option."]), item.answer
        """),
        ("global random.seed instead of a local generator (different permutation API)", """
            def render_mcq(item, seed=None):
                order = list(item.options)
                if seed is not None:
                    order = random.Random(seed).sample(order, len(order))
                lines = [item.question, ""]
                answer = ""
                for n, o in zip(LETTERS, order):
                    lines.append(f"{n}) {item.options[o]}")
                    if o == item.answer:
                        answer = n
                return "\\n".join(lines + ["", "Answer with the letter of one option."]), answer
        """),
        ("no empty line before the instruction", """
            def render_mcq(item, seed=None):
                order = list(item.options)
                if seed is not None:
                    random.Random(seed).shuffle(order)
                lines = [item.question, ""]
                answer = ""
                for n, o in zip(LETTERS, order):
                    lines.append(f"{n}) {item.options[o]}")
                    if o == item.answer:
                        answer = n
                return "\\n".join(lines + ["Answer with the letter of one option."]), answer
        """),
        ("old letters kept next to the shuffled texts", """
            def render_mcq(item, seed=None):
                order = list(item.options)
                if seed is not None:
                    random.Random(seed).shuffle(order)
                lines = [item.question, ""] + [f"{o}) {item.options[o]}" for o in order]
                return "\\n".join(lines + ["", "Answer with the letter of one option."]), item.answer
        """),
        ("seed 0 treated as no seed", """
            def render_mcq(item, seed=None):
                order = list(item.options)
                if seed:
                    random.Random(seed).shuffle(order)
                lines = [item.question, ""]
                answer = ""
                for n, o in zip(LETTERS, order):
                    lines.append(f"{n}) {item.options[o]}")
                    if o == item.answer:
                        answer = n
                return "\\n".join(lines + ["", "Answer with the letter of one option."]), answer
        """),
    ],
    "parse_answer": [
        ('reply not stripped', """
            def parse_answer(reply, letters="ABCD"):
                m = re.match(r"\\(?([A-Z])(?:[).:]|$)", reply)
                if m is None:
                    m = re.search(r"(?i:answer)(?: is |: ?)\\(?([A-Z])(?![A-Za-z0-9])", reply)
                return m.group(1) if m and m.group(1) in letters else None
        """),
        ('rule 2 tried before rule 1', """
            def parse_answer(reply, letters="ABCD"):
                text = reply.strip()
                m = re.search(r"(?i:answer)(?: is |: ?)\\(?([A-Z])(?![A-Za-z0-9])", text) or re.match(r"\\(?([A-Z])(?:[).:]|$)", text)
                return m.group(1) if m and m.group(1) in letters else None
        """),
        ("any first capital letter counts ('A city')", """
            def parse_answer(reply, letters="ABCD"):
                m = re.match(r"\\(?([A-Z])", reply.strip())
                if m is None:
                    m = re.search(r"(?i:answer)(?: is |: ?)\\(?([A-Z])(?![A-Za-z0-9])", reply)
                return m.group(1) if m and m.group(1) in letters else None
        """),
        ("case-insensitive letters", """
            def parse_answer(reply, letters="ABCD"):
                text = reply.strip().upper()
                m = re.match(r"\\(?([A-Z])(?:[).:]|$)", text)
                if m is None:
                    m = re.search(r"ANSWER(?: IS |: ?)\\(?([A-Z])(?![A-Z0-9])", text)
                return m.group(1) if m and m.group(1) in letters else None
        """),
        ("letters outside the options accepted", """
            def parse_answer(reply, letters="ABCD"):
                text = reply.strip()
                m = re.match(r"\\(?([A-Z])(?:[).:]|$)", text)
                if m is None:
                    m = re.search(r"(?i:answer)(?: is |: ?)\\(?([A-Z])(?![A-Za-z0-9])", text)
                return m.group(1) if m else None
        """),
        ("no rule 2", """
            def parse_answer(reply, letters="ABCD"):
                m = re.match(r"\\(?([A-Z])(?:[).:]|$)", reply.strip())
                return m.group(1) if m and m.group(1) in letters else None
        """),
        ("rule 2 accepts 'Bob'", """
            def parse_answer(reply, letters="ABCD"):
                text = reply.strip()
                m = re.match(r"\\(?([A-Z])(?:[).:]|$)", text)
                if m is None:
                    m = re.search(r"(?i:answer)(?: is |: ?)\\(?([A-Z])", text)
                return m.group(1) if m and m.group(1) in letters else None
        """),
        ("default letters ABCDE", """
            def parse_answer(reply, letters="ABCDE"):
                text = reply.strip()
                m = re.match(r"\\(?([A-Z])(?:[).:]|$)", text)
                if m is None:
                    m = re.search(r"(?i:answer)(?: is |: ?)\\(?([A-Z])(?![A-Za-z0-9])", text)
                return m.group(1) if m and m.group(1) in letters else None
        """),
    ],
    "wilson_interval": [
        ("Wald's interval", """
            def wilson_interval(successes, n, z=1.96):
                if not 0 <= successes <= n:
                    raise ValueError("bad counts")
                if n == 0:
                    return 0.0, 1.0
                p = successes / n
                h = z * math.sqrt(p * (1 - p) / n)
                return max(0.0, p - h), min(1.0, p + h)
        """),
        ("z = 1.645 (90 %) by default", """
            def wilson_interval(successes, n, z=1.645):
                if not 0 <= successes <= n:
                    raise ValueError("bad counts")
                if n == 0:
                    return 0.0, 1.0
                p = successes / n
                d = 1 + z * z / n
                c = (p + z * z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
        ("z instead of z² in the centre", """
            def wilson_interval(successes, n, z=1.96):
                if not 0 <= successes <= n:
                    raise ValueError("bad counts")
                if n == 0:
                    return 0.0, 1.0
                p = successes / n
                d = 1 + z * z / n
                c = (p + z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
        ("centre left at p", """
            def wilson_interval(successes, n, z=1.96):
                if not 0 <= successes <= n:
                    raise ValueError("bad counts")
                if n == 0:
                    return 0.0, 1.0
                p = successes / n
                d = 1 + z * z / n
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, p - h), min(1.0, p + h)
        """),
        ("n = 0 returns (0, 0)", """
            def wilson_interval(successes, n, z=1.96):
                if not 0 <= successes <= n:
                    raise ValueError("bad counts")
                if n == 0:
                    return 0.0, 0.0
                p = successes / n
                d = 1 + z * z / n
                c = (p + z * z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
        ("no ValueError on successes > n", """
            def wilson_interval(successes, n, z=1.96):
                if n == 0:
                    return 0.0, 1.0
                p = min(1.0, max(0.0, successes / n))
                d = 1 + z * z / n
                c = (p + z * z / (2 * n)) / d
                h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
                return max(0.0, c - h), min(1.0, c + h)
        """),
    ],
    "newcombe_interval": [
        ("ends crossed: (u1 − p1) in the lower end", """
            def newcombe_interval(k1, n1, k2, n2, z=1.96):
                p1, p2 = k1 / n1, k2 / n2
                l1, u1 = wilson_interval(k1, n1, z)
                l2, u2 = wilson_interval(k2, n2, z)
                d = p1 - p2
                return d - math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), d + math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        """),
        ("Wilson intervals at the default z whatever z is", """
            def newcombe_interval(k1, n1, k2, n2, z=1.96):
                p1, p2 = k1 / n1, k2 / n2
                l1, u1 = wilson_interval(k1, n1)
                l2, u2 = wilson_interval(k2, n2)
                d = p1 - p2
                return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        """),
        ("half-widths added, not combined in quadrature", """
            def newcombe_interval(k1, n1, k2, n2, z=1.96):
                p1, p2 = k1 / n1, k2 / n2
                l1, u1 = wilson_interval(k1, n1, z)
                l2, u2 = wilson_interval(k2, n2, z)
                d = p1 - p2
                return d - ((p1 - l1) + (u2 - p2)), d + ((u1 - p1) + (p2 - l2))
        """),
        ("the difference p2 − p1", """
            def newcombe_interval(k1, n1, k2, n2, z=1.96):
                p1, p2 = k1 / n1, k2 / n2
                l1, u1 = wilson_interval(k1, n1, z)
                l2, u2 = wilson_interval(k2, n2, z)
                d = p2 - p1
                return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        """),
    ],
    "build_messages": [
        ("system message after the user's", """
            def build_messages(request, framing):
                content = f"{framing.user_prefix} {request}" if framing.user_prefix else request
                msgs = [{"role": "user", "content": content}]
                if framing.system is not None:
                    msgs.append({"role": "system", "content": framing.system})
                return msgs
        """),
        ("empty system prompt dropped (truthiness instead of `is not None`)", """
            def build_messages(request, framing):
                messages = [{"role": "system", "content": framing.system}] if framing.system else []
                content = f"{framing.user_prefix} {request}" if framing.user_prefix else request
                return messages + [{"role": "user", "content": content}]
        """),
        ("prefix glued without a space", """
            def build_messages(request, framing):
                messages = [] if framing.system is None else [{"role": "system", "content": framing.system}]
                return messages + [{"role": "user", "content": framing.user_prefix + request}]
        """),
        ("always a space, even without a prefix", """
            def build_messages(request, framing):
                messages = [] if framing.system is None else [{"role": "system", "content": framing.system}]
                return messages + [{"role": "user", "content": f"{framing.user_prefix} {request}"}]
        """),
        ("system prompt put in the user turn", """
            def build_messages(request, framing):
                content = f"{framing.user_prefix} {request}" if framing.user_prefix else request
                if framing.system is not None:
                    content = framing.system + "\\n" + content
                return [{"role": "user", "content": content}]
        """),
    ],
    "names_country": [
        ('\\\\b regex on the raw strings (hyphens and apostrophes break it)', """
            def names_country(reply, country):
                if not country.strip():
                    return False
                return re.search(r"\\b" + re.escape(country) + r"\\b", reply, flags=re.I) is not None
        """),
        ("substring test", """
            def names_country(reply, country):
                return country != "" and country.casefold() in reply.casefold()
        """),
        ("case-sensitive", """
            def names_country(reply, country):
                def words(t):
                    return " " + " ".join(re.sub(r"[^\\w]+", " ", t).split()) + " "
                return words(country).strip() != "" and words(country) in words(reply)
        """),
        ("word boundary at the start only", """
            def names_country(reply, country):
                if not country.strip():
                    return False
                return re.search(r"\\b" + re.escape(country.casefold()), reply.casefold()) is not None
        """),
        ("punctuation kept (split on spaces only)", """
            def names_country(reply, country):
                r, c = reply.casefold().split(), country.casefold().split()
                return bool(c) and any(r[i:i + len(c)] == c for i in range(len(r)))
        """),
        ("empty country names everything", """
            def names_country(reply, country):
                def words(t):
                    return " " + " ".join(re.sub(r"[^\\w]+", " ", t.casefold()).split()) + " "
                return words(country) in words(reply) or not country
        """),
    ],
    "run_condition": [
        ("sampling at temperature 1", """
            def run_condition(model, requests, framing, judge, max_tokens=20):
                return [judge(r, model.complete(build_messages(r, framing), max_tokens=max_tokens, temperature=1.0).text) for r in requests]
        """),
        ("budget ignored (the model's default)", """
            def run_condition(model, requests, framing, judge, max_tokens=20):
                return [judge(r, model.complete(build_messages(r, framing), temperature=0.0).text) for r in requests]
        """),
        ("judge given (reply, request)", """
            def run_condition(model, requests, framing, judge, max_tokens=20):
                return [judge(model.complete(build_messages(r, framing), max_tokens=max_tokens, temperature=0.0).text, r) for r in requests]
        """),
        ("requests deduplicated", """
            def run_condition(model, requests, framing, judge, max_tokens=20):
                return [judge(r, model.complete(build_messages(r, framing), max_tokens=max_tokens, temperature=0.0).text) for r in dict.fromkeys(requests)]
        """),
        ("framing ignored", """
            def run_condition(model, requests, framing, judge, max_tokens=20):
                return [judge(r, model.complete([{"role": "user", "content": r}], max_tokens=max_tokens, temperature=0.0).text) for r in requests]
        """),
        ("default budget 256", """
            def run_condition(model, requests, framing, judge, max_tokens=256):
                return [judge(r, model.complete(build_messages(r, framing), max_tokens=max_tokens, temperature=0.0).text) for r in requests]
        """),
    ],
    "compliance_gap": [
        ('rates rounded to two decimals', """
            def compliance_gap(verdicts_a, verdicts_b, z=1.96):
                ka, kb = sum(verdicts_a), sum(verdicts_b)
                ra, rb = round(ka / len(verdicts_a), 2), round(kb / len(verdicts_b), 2)
                lo, hi = newcombe_interval(ka, len(verdicts_a), kb, len(verdicts_b), z)
                return Gap(ra, rb, ra - rb, lo, hi)
        """),
        ("conditions swapped", """
            def compliance_gap(verdicts_a, verdicts_b, z=1.96):
                ka, kb, na, nb = sum(verdicts_a), sum(verdicts_b), len(verdicts_a), len(verdicts_b)
                lo, hi = newcombe_interval(kb, nb, ka, na, z)
                return Gap(kb / nb, ka / na, kb / nb - ka / na, lo, hi)
        """),
        ("gap as b − a, rates in the right places", """
            def compliance_gap(verdicts_a, verdicts_b, z=1.96):
                ka, kb, na, nb = sum(verdicts_a), sum(verdicts_b), len(verdicts_a), len(verdicts_b)
                lo, hi = newcombe_interval(kb, nb, ka, na, z)
                return Gap(ka / na, kb / nb, kb / nb - ka / na, lo, hi)
        """),
        ("z not passed on", """
            def compliance_gap(verdicts_a, verdicts_b, z=1.96):
                ka, kb, na, nb = sum(verdicts_a), sum(verdicts_b), len(verdicts_a), len(verdicts_b)
                lo, hi = newcombe_interval(ka, na, kb, nb)
                return Gap(ka / na, kb / nb, ka / na - kb / nb, lo, hi)
        """),
        ("n of a used for both", """
            def compliance_gap(verdicts_a, verdicts_b, z=1.96):
                ka, kb, n = sum(verdicts_a), sum(verdicts_b), len(verdicts_a)
                lo, hi = newcombe_interval(ka, n, kb, n, z)
                return Gap(ka / n, kb / n, (ka - kb) / n, lo, hi)
        """),
        ("Wald interval on the difference", """
            def compliance_gap(verdicts_a, verdicts_b, z=1.96):
                ka, kb, na, nb = sum(verdicts_a), sum(verdicts_b), len(verdicts_a), len(verdicts_b)
                pa, pb = ka / na, kb / nb
                se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
                return Gap(pa, pb, pa - pb, pa - pb - z * se, pa - pb + z * se)
        """),
    ],
}

ALTERNATIVES = {
    "McqItem": [
        ("validators written differently, answer checked in a model validator", _mcq()),
        ("everything in one model validator (mode='after')", '''
class McqItem(BaseModel):
    question: str
    options: dict[str, str]
    answer: str
    kind: Literal["capability", "propensity"]

    @model_validator(mode="after")
    def everything(self):
        assert self.question.strip(), "the question is blank"
        n = len(self.options)
        if n < 2 or n > 6 or "".join(self.options) != "ABCDEF"[:n]:
            raise ValueError("need options A, B, … in order (2 to 6)")
        normalised = [t.strip().lower() for t in self.options.values()]
        if min(normalised) == "" or len(set(normalised)) < n:
            raise ValueError("options must be non-empty and distinct")
        if self.answer not in self.options:
            raise ValueError(f"answer {self.answer} must be one of {sorted(self.options)}")
        return self
''' + _REBUILD),
    ],
    "error_lines": """
        def error_lines(error):
            out = []
            for e in error.errors():
                loc = e["loc"]
                out.append(("item" if not loc else ".".join(f"{p}" for p in loc)) + ": " + e["msg"])
            return out
    """,
    "render_mcq": [
        ("the texts shuffled instead of the letters (the same permutation)", """
            def render_mcq(item, seed=None):
                texts = list(item.options.values())
                right = item.options[item.answer]
                if seed is not None:
                    random.Random(seed).shuffle(texts)
                lines = [item.question, ""] + [f"{L}) {t}" for L, t in zip("ABCDEF", texts)]
                lines += ["", "Answer with the letter of one option."]
                return "\\n".join(lines), "ABCDEF"[texts.index(right)]
        """),
        ("letters shuffled, joined piecewise", """
        def render_mcq(item, seed=None):
            letters = [*item.options]
            if seed is not None:
                rng = random.Random(seed)
                rng.shuffle(letters)
            body = "\\n".join(f"{'ABCDEF'[i]}) {item.options[old]}" for i, old in enumerate(letters))
            answer = "ABCDEF"[letters.index(item.answer)]
            return f"{item.question}\\n\\n{body}\\n\\nAnswer with the letter of one option.", answer
    """),
    ],
    "parse_answer": """
        def parse_answer(reply, letters="ABCD"):
            text = reply.strip()
            found = None
            if text:
                i = 1 if text[0] == "(" else 0
                if i < len(text) and "A" <= text[i] <= "Z" and (i + 1 == len(text) or text[i + 1] in ").:"):
                    found = text[i]
            if found is None:
                for m in re.finditer(r"answer( is |: ?)\\(?([A-Z])(?![A-Za-z0-9])", text, flags=re.IGNORECASE):
                    if m.group(2).isupper():
                        found = m.group(2)
                        break
            return found if found is not None and found in letters else None
    """,
    "wilson_interval": """
        def wilson_interval(successes, n, z=1.96):
            if successes < 0 or successes > n:
                raise ValueError("successes must be between 0 and n")
            if not n:
                return (0.0, 1.0)
            z2 = z ** 2
            centre = (successes + z2 / 2) / (n + z2)
            half = z * math.sqrt(successes * (n - successes) / n + z2 / 4) / (n + z2)
            return (max(0.0, centre - half), min(1.0, centre + half))
    """,
    "newcombe_interval": """
        def newcombe_interval(k1, n1, k2, n2, z=1.96):
            (l1, u1), (l2, u2) = wilson_interval(k1, n1, z), wilson_interval(k2, n2, z)
            p1, p2 = k1 / n1, k2 / n2
            delta = math.hypot(p1 - l1, u2 - p2), math.hypot(u1 - p1, p2 - l2)
            return p1 - p2 - delta[0], p1 - p2 + delta[1]
    """,
    "build_messages": """
        def build_messages(request, framing):
            system = [] if framing.system is None else [dict(role="system", content=framing.system)]
            user = " ".join(part for part in (framing.user_prefix, request) if part) if framing.user_prefix else request
            return [*system, dict(role="user", content=user)]
    """,
    "names_country": """
        def names_country(reply, country):
            target = re.sub(r"[^\\w]+", " ", country.casefold()).split()
            if not target:
                return False
            words = re.sub(r"[^\\w]+", " ", reply.casefold()).split()
            return any(words[i:i + len(target)] == target for i in range(len(words) - len(target) + 1))
    """,
    "run_condition": """
        def run_condition(model, requests, framing, judge, max_tokens=20):
            out = []
            for request in list(requests):
                text = model.complete(build_messages(request, framing), temperature=0, max_tokens=max_tokens).text
                out.append(judge(request, text))
            return out
    """,
    "compliance_gap": """
        def compliance_gap(verdicts_a, verdicts_b, z=1.96):
            a, b = list(map(bool, verdicts_a)), list(map(bool, verdicts_b))
            rate_a, rate_b = a.count(True) / len(a), b.count(True) / len(b)
            lo, hi = newcombe_interval(a.count(True), len(a), b.count(True), len(b), z=z)
            return Gap(rate_a=rate_a, rate_b=rate_b, gap=rate_a - rate_b, lo=lo, hi=hi)
    """,
}

globals().update(make_tests("2.1", MUTANTS, alternatives=ALTERNATIVES))
