"""Section 2.3: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

_SCORER_HEAD = '''
            @scorer(metrics=[accuracy(), stderr()])
            def letter_scorer():
                async def score(state, target):'''

MUTANTS = {
    "format_choices": [
        ("a trailing newline after the last option", """
            def format_choices(choices):
                return "".join(f"{LETTERS[i]}) {c}\\n" for i, c in enumerate(choices))
        """),
        ("a dot instead of a parenthesis", """
            def format_choices(choices):
                return "\\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(choices))
        """),
        ("option text stripped", """
            def format_choices(choices):
                return "\\n".join(f"{LETTERS[i]}) {c.strip()}" for i, c in enumerate(choices))
        """),
        ("letters start at B (enumerate from 1)", """
            def format_choices(choices):
                return "\\n".join(f"{LETTERS[i]}) {c}" for i, c in enumerate(choices, 1))
        """),
    ],
    "record_to_sample": [
        ("target is the index as a string, not the letter", """
            def record_to_sample(record):
                i = record["answer"]
                return Sample(input=record["question"], choices=list(record["options"]), target=str(i),
                              id=record["id"], metadata={"answer_text": record["options"][i]})
        """),
        ("target letter off by one (1-based answers assumed)", """
            def record_to_sample(record):
                i = record["answer"]
                return Sample(input=record["question"], choices=list(record["options"]),
                              target=LETTERS[i - 1], id=record["id"],
                              metadata={"answer_text": record["options"][i - 1]})
        """),
        ("target is the correct option's text", """
            def record_to_sample(record):
                i = record["answer"]
                return Sample(input=record["question"], choices=list(record["options"]),
                              target=record["options"][i], id=record["id"],
                              metadata={"answer_text": record["options"][i]})
        """),
        ("target dropped: always A", """
            def record_to_sample(record):
                i = record["answer"]
                return Sample(input=record["question"], choices=list(record["options"]), target="A",
                              id=record["id"], metadata={"answer_text": record["options"][i]})
        """),
        ("choices sorted", """
            def record_to_sample(record):
                i = record["answer"]
                return Sample(input=record["question"], choices=sorted(record["options"]),
                              target=LETTERS[i], id=record["id"],
                              metadata={"answer_text": record["options"][i]})
        """),
        ("no metadata and no id", """
            def record_to_sample(record):
                return Sample(input=record["question"], choices=list(record["options"]),
                              target=LETTERS[record["answer"]])
        """),
        ("pops the answer from the record", """
            def record_to_sample(record):
                i = record.pop("answer")
                return Sample(input=record["question"], choices=list(record["options"]),
                              target=LETTERS[i], id=record["id"],
                              metadata={"answer_text": record["options"][i]})
        """),
    ],
    "shuffle_sample": [
        ("choices shuffled, target left where it was", """
            def shuffle_sample(sample, seed):
                order = list(range(len(sample.choices)))
                random.Random(seed).shuffle(order)
                return Sample(input=sample.input, choices=[sample.choices[j] for j in order],
                              target=sample.target, id=sample.id, metadata=dict(sample.metadata or {}))
        """),
        ("target taken through the inverse permutation", """
            def shuffle_sample(sample, seed):
                order = list(range(len(sample.choices)))
                random.Random(seed).shuffle(order)
                old = LETTERS.index(sample.target)
                return Sample(input=sample.input, choices=[sample.choices[j] for j in order],
                              target=LETTERS[order[old]], id=sample.id,
                              metadata=dict(sample.metadata or {}))
        """),
        ("the choices shuffled directly (another order than the docstring's recipe)", """
            def shuffle_sample(sample, seed):
                choices = list(sample.choices)
                correct = choices[LETTERS.index(sample.target)]
                random.Random(seed + 1).shuffle(choices)
                return Sample(input=sample.input, choices=choices,
                              target=LETTERS[choices.index(correct)], id=sample.id,
                              metadata=dict(sample.metadata or {}))
        """),
        ("choices shuffled in place on the given sample", """
            def shuffle_sample(sample, seed):
                correct = sample.choices[LETTERS.index(sample.target)]
                order = list(range(len(sample.choices)))
                random.Random(seed).shuffle(order)
                new = [sample.choices[j] for j in order]
                sample.choices[:] = new
                return Sample(input=sample.input, choices=list(new), target=LETTERS[new.index(correct)],
                              id=sample.id, metadata=dict(sample.metadata or {}))
        """),
        ("id and metadata dropped", """
            def shuffle_sample(sample, seed):
                order = list(range(len(sample.choices)))
                random.Random(seed).shuffle(order)
                old = LETTERS.index(sample.target)
                return Sample(input=sample.input, choices=[sample.choices[j] for j in order],
                              target=LETTERS[order.index(old)])
        """),
    ],
    "mcq_prompt": [
        ("calls generate itself", """
            @solver
            def mcq_prompt(template=MCQ_TEMPLATE):
                async def solve(state, generate):
                    choices = format_choices([c.value for c in state.choices])
                    state.user_prompt.text = template.format(question=state.input_text, choices=choices)
                    return await generate(state)
                return solve
        """),
        ("ignores the template argument", """
            @solver
            def mcq_prompt(template=MCQ_TEMPLATE):
                async def solve(state, generate):
                    choices = format_choices([c.value for c in state.choices])
                    state.user_prompt.text = MCQ_TEMPLATE.format(question=state.input_text, choices=choices)
                    return state
                return solve
        """),
        ("question and choices swapped", """
            @solver
            def mcq_prompt(template=MCQ_TEMPLATE):
                async def solve(state, generate):
                    choices = format_choices([c.value for c in state.choices])
                    state.user_prompt.text = template.format(question=choices, choices=state.input_text)
                    return state
                return solve
        """),
        ("choices rendered without letters", """
            @solver
            def mcq_prompt(template=MCQ_TEMPLATE):
                async def solve(state, generate):
                    choices = "\\n".join(c.value for c in state.choices)
                    state.user_prompt.text = template.format(question=state.input_text, choices=choices)
                    return state
                return solve
        """),
    ],
    "extract_letter": [
        ("the first character of the reply", """
            def extract_letter(text, n_choices):
                t = text.strip()
                return t[0] if t and t[0] in LETTERS[:n_choices] else None
        """),
        ("no word boundaries: the A of 'Answer' counts", """
            def extract_letter(text, n_choices):
                m = re.search(f"([{LETTERS[:n_choices]}])", text)
                return m.group(1) if m else None
        """),
        ("lowercase letters accepted", """
            def extract_letter(text, n_choices):
                m = re.search(rf"\\b([{LETTERS[:n_choices]}])\\b", text, re.IGNORECASE)
                return m.group(1).upper() if m else None
        """),
        ("any letter A–H regardless of n_choices", """
            def extract_letter(text, n_choices):
                m = re.search(r"\\b([A-H])\\b", text)
                return m.group(1) if m else None
        """),
        ("the last letter, not the first", """
            def extract_letter(text, n_choices):
                found = re.findall(rf"\\b([{LETTERS[:n_choices]}])\\b", text)
                return found[-1] if found else None
        """),
    ],
    "letter_scorer": [
        ("ignores the target: correct whenever a letter is found", _SCORER_HEAD + """
                    letter = extract_letter(state.output.completion, len(state.choices))
                    return Score(value=CORRECT if letter else INCORRECT, answer=letter)
                return score
        """),
        ("first character compared", _SCORER_HEAD + """
                    letter = state.output.completion.strip()[:1]
                    return Score(value=CORRECT if letter == target.text else INCORRECT, answer=letter)
                return score
        """),
        ("the answer field is not recorded", _SCORER_HEAD + """
                    letter = extract_letter(state.output.completion, len(state.choices))
                    return Score(value=CORRECT if letter == target.text else INCORRECT)
                return score
        """),
        ("the letter range fixed at 4", _SCORER_HEAD + """
                    letter = extract_letter(state.output.completion, 4)
                    return Score(value=CORRECT if letter == target.text else INCORRECT, answer=letter)
                return score
        """),
        ("no stderr metric", """
            @scorer(metrics=[accuracy()])
            def letter_scorer():
                async def score(state, target):
                    letter = extract_letter(state.output.completion, len(state.choices))
                    return Score(value=CORRECT if letter == target.text else INCORRECT, answer=letter)
                return score
        """),
    ],
    "sample_rows": [
        ("correct from the answer's presence, not the score value", """
            def sample_rows(log):
                out = []
                for s in log.samples:
                    sc = next(iter(s.scores.values()))
                    out.append({"id": s.id, "target": s.target, "answer": sc.answer,
                                "correct": 1.0 if sc.answer else 0.0})
                return out
        """),
        ("correct as a bool", """
            def sample_rows(log):
                out = []
                for s in log.samples:
                    sc = next(iter(s.scores.values()))
                    out.append({"id": s.id, "target": s.target, "answer": sc.answer,
                                "correct": sc.value == CORRECT})
                return out
        """),
        ("answer is the score value", """
            def sample_rows(log):
                out = []
                for s in log.samples:
                    sc = next(iter(s.scores.values()))
                    out.append({"id": s.id, "target": s.target, "answer": sc.value,
                                "correct": 1.0 if sc.value == CORRECT else 0.0})
                return out
        """),
    ],
    "accuracy_ci": [
        ("z ignored: always 1.96", """
            def accuracy_ci(values, z=1.96):
                n = len(values); m = sum(values) / n
                se = statistics.stdev(values) / math.sqrt(n)
                return m, m - 1.96 * se, m + 1.96 * se
        """),
        ("default z = 1.645 (a 90 % interval)", """
            def accuracy_ci(values, z=1.645):
                n = len(values); m = sum(values) / n
                se = statistics.stdev(values) / math.sqrt(n)
                return m, m - z * se, m + z * se
        """),
        ("population standard deviation (n, not n − 1)", """
            def accuracy_ci(values, z=1.96):
                n = len(values); m = sum(values) / n
                se = statistics.pstdev(values) / math.sqrt(n)
                return m, m - z * se, m + z * se
        """),
        ("the standard deviation, not the standard error", """
            def accuracy_ci(values, z=1.96):
                n = len(values); m = sum(values) / n
                se = statistics.stdev(values)
                return m, m - z * se, m + z * se
        """),
        ("clipped to [0, 1]", """
            def accuracy_ci(values, z=1.96):
                n = len(values); m = sum(values) / n
                se = statistics.stdev(values) / math.sqrt(n)
                return m, max(0.0, m - z * se), min(1.0, m + z * se)
        """),
    ],
    "choice_shares": [
        ("divided by all answers, None included", """
            def choice_shares(answers, n_choices):
                if not answers:
                    return [0.0] * n_choices
                return [answers.count(LETTERS[i]) / len(answers) for i in range(n_choices)]
        """),
        ("out-of-range letters counted in the denominator", """
            def choice_shares(answers, n_choices):
                valid = [a for a in answers if a is not None]
                if not valid:
                    return [0.0] * n_choices
                return [valid.count(LETTERS[i]) / len(valid) for i in range(n_choices)]
        """),
        ("uniform when no answer is valid", """
            def choice_shares(answers, n_choices):
                valid = [a for a in answers if a in LETTERS[:n_choices] and a and len(a) == 1]
                if not valid:
                    return [1 / n_choices] * n_choices
                return [valid.count(LETTERS[i]) / len(valid) for i in range(n_choices)]
        """),
    ],
    "position_bias": [
        ("without the ½", """
            def position_bias(shares):
                return sum(abs(s - 1 / len(shares)) for s in shares)
        """),
        ("the largest share minus 1/n", """
            def position_bias(shares):
                return max(shares) - 1 / len(shares)
        """),
        ("uniform taken as 1/4 whatever n", """
            def position_bias(shares):
                return 0.5 * sum(abs(s - 0.25) for s in shares)
        """),
    ],
    "summarize": [
        ("z not passed on", """
            def summarize(log, n_choices=4, z=1.96):
                rows = sample_rows(log)
                m, lo, hi = accuracy_ci([r["correct"] for r in rows])
                shares = choice_shares([r["answer"] for r in rows], n_choices)
                return {"n": len(rows), "accuracy": m, "lo": lo, "hi": hi, "shares": shares,
                        "bias": position_bias(shares)}
        """),
        ("n_choices fixed at 4", """
            def summarize(log, n_choices=4, z=1.96):
                rows = sample_rows(log)
                m, lo, hi = accuracy_ci([r["correct"] for r in rows], z)
                shares = choice_shares([r["answer"] for r in rows], 4)
                return {"n": len(rows), "accuracy": m, "lo": lo, "hi": hi, "shares": shares,
                        "bias": position_bias(shares)}
        """),
        ("shares of the targets, not of the answers", """
            def summarize(log, n_choices=4, z=1.96):
                rows = sample_rows(log)
                m, lo, hi = accuracy_ci([r["correct"] for r in rows], z)
                shares = choice_shares([r["target"] for r in rows], n_choices)
                return {"n": len(rows), "accuracy": m, "lo": lo, "hi": hi, "shares": shares,
                        "bias": position_bias(shares)}
        """),
    ],
}

ALTERNATIVES = {
    "format_choices": """
        def format_choices(choices):
            lines = []
            for letter, text in zip(LETTERS, choices):
                lines.append(letter + ") " + text)
            return "\\n".join(lines)
    """,
    "record_to_sample": """
        def record_to_sample(record):
            letter = "ABCDEFGH"[record["answer"]]
            opts = record["options"]
            return Sample(input=record["question"], choices=[o for o in opts], target=letter,
                          id=record["id"], metadata=dict(answer_text=opts[record["answer"]]))
    """,
    "shuffle_sample": """
        def shuffle_sample(sample, seed):
            rng = random.Random(seed)
            order = list(range(len(sample.choices)))
            rng.shuffle(order)
            correct = sample.choices[ord(sample.target) - ord("A")]
            choices = [sample.choices[k] for k in order]
            return Sample(input=sample.input, choices=choices,
                          target=chr(ord("A") + choices.index(correct)),
                          id=sample.id, metadata={**(sample.metadata or {})})
    """,
    "mcq_prompt": """
        @solver
        def mcq_prompt(template=MCQ_TEMPLATE):
            async def solve(state, generate):
                lines = [f"{LETTERS[i]}) {c.value}" for i, c in enumerate(state.choices)]
                state.user_prompt.text = template.format(choices="\\n".join(lines),
                                                         question=state.input_text)
                return state
            return solve
    """,
    "extract_letter": """
        def extract_letter(text, n_choices):
            allowed = set(LETTERS[:n_choices])
            for m in re.finditer(r"(?<![A-Za-z0-9_])([A-Z])(?![A-Za-z0-9_])", text):
                if m.group(1) in allowed:
                    return m.group(1)
            return None
    """,
    "letter_scorer": """
        @scorer(metrics=[accuracy(), stderr()])
        def letter_scorer():
            async def score(state, target):
                got = extract_letter(state.output.completion, len(state.choices))
                if got is not None and got == target.text:
                    return Score(value=CORRECT, answer=got)
                return Score(value=INCORRECT, answer=got)
            return score
    """,
    "sample_rows": """
        def sample_rows(log):
            rows = []
            for s in log.samples:
                (sc,) = s.scores.values()
                rows.append(dict(id=s.id, target=s.target, answer=sc.answer,
                                 correct=float(sc.value == "C")))
            return rows
    """,
    "accuracy_ci": """
        def accuracy_ci(values, z=1.96):
            n = len(values)
            m = sum(values) / n
            var = sum((v - m) ** 2 for v in values) / (n - 1)
            half = z * math.sqrt(var / n)
            return (m, m - half, m + half)
    """,
    "choice_shares": """
        def choice_shares(answers, n_choices):
            counts = {l: 0 for l in LETTERS[:n_choices]}
            for a in answers:
                if a in counts:
                    counts[a] += 1
            total = sum(counts.values())
            return [counts[l] / total if total else 0.0 for l in LETTERS[:n_choices]]
    """,
    "position_bias": """
        def position_bias(shares):
            u = 1.0 / len(shares)
            return sum(max(s - u, 0.0) for s in shares)
    """,
    "summarize": """
        def summarize(log, n_choices=4, z=1.96):
            rows = sample_rows(log)
            acc = accuracy_ci([r["correct"] for r in rows], z=z)
            sh = choice_shares([r["answer"] for r in rows], n_choices=n_choices)
            return dict(n=len(rows), accuracy=acc[0], lo=acc[1], hi=acc[2], shares=sh,
                        bias=position_bias(sh))
    """,
}


# From grading the section as a learner would (written from the page alone).
LEARNER_ALTERNATIVES = {
    "shuffle_sample": ("the global random module seeded with the seed", """
        def shuffle_sample(sample, seed):
            idx = list(range(len(sample.choices)))
            random.seed(seed)
            random.shuffle(idx)
            tgt = idx.index("ABCDEFGH".index(sample.target))
            return Sample(input=sample.input, choices=[sample.choices[i] for i in idx],
                          target="ABCDEFGH"[tgt], id=sample.id, metadata=sample.metadata)
    """),
    "mcq_prompt": ("the first message's content set directly", """
        @solver
        def mcq_prompt(template=MCQ_TEMPLATE):
            async def solve(state, generate):
                opts = format_choices([state.choices[i].value for i in range(len(state.choices))])
                state.messages[0].content = template.format(question=state.input_text, choices=opts)
                return state
            return solve
    """),
    "sample_rows": ("the score looked up by the scorer's name", """
        def sample_rows(log):
            rows = []
            for s in log.samples:
                sc = s.scores["letter_scorer"]
                rows.append({"id": s.id, "target": s.target, "answer": sc.answer,
                             "correct": 1.0 if sc.value == "C" else 0.0})
            return rows
    """),
    "record_to_sample": ("chr arithmetic for the letter", """
        def record_to_sample(record):
            k = record["answer"]
            return Sample(record["question"], choices=record["options"][:], target=chr(65 + k),
                          id=record["id"], metadata={"answer_text": record["options"][k]})
    """),
}
for _name, _alt in LEARNER_ALTERNATIVES.items():
    ALTERNATIVES[_name] = [("alternative", ALTERNATIVES[_name]), _alt]

MUTANTS["letter_scorer"].append(("compares the letter with the Target object, not its text", """
    @scorer(metrics=[accuracy(), stderr()])
    def letter_scorer():
        async def score(state, target):
            letter = extract_letter(state.output.completion, len(state.choices))
            return Score(value=CORRECT if letter == target.target else INCORRECT, answer=letter)
        return score
"""))
MUTANTS["choice_shares"].append(("a Counter over every non-None answer", """
    def choice_shares(answers, n_choices):
        from collections import Counter
        c = Counter(a for a in answers if a)
        total = sum(c.values())
        return [c[LETTERS[i]] / total if total else 0.0 for i in range(n_choices)]
"""))
MUTANTS["accuracy_ci"].append(("z applied to the variance, not the standard error", """
    def accuracy_ci(values, z=1.96):
        n = len(values); m = sum(values) / n
        var = statistics.variance(values) / n
        return m, m - z * var, m + z * var
"""))
MUTANTS["shuffle_sample"].append(("a fresh Random() not seeded: not reproducible", """
    def shuffle_sample(sample, seed):
        order = list(range(len(sample.choices)))
        random.Random().shuffle(order)
        old = LETTERS.index(sample.target)
        return Sample(input=sample.input, choices=[sample.choices[j] for j in order],
                      target=LETTERS[order.index(old)], id=sample.id, metadata=dict(sample.metadata or {}))
"""))

globals().update(make_tests("2.3", MUTANTS, alternatives=ALTERNATIVES))
