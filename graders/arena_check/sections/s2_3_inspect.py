"""Checks for section 2.3 — Inspect.

Samples, task states and scores are built inside each check. The log checks read one EvalLog made
once (a fixture) by running the reference task with the scripted model, offline.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import math
import random
import statistics
import tempfile
import threading
from typing import Any

from arena_check.reference import s2_3_inspect as ref
from arena_check.registry import check, fixture
from arena_check.testing import Case, CheckFailed, call, check_defaults, expect_equal


def _same_as_reference(fn: Any, reference: Any, cases: list[Case], *, name: str, hint: str) -> None:
    """Defaults as in the stub, then exact equality with the reference on every named case."""
    check_defaults(fn, reference, name=name)
    for case in cases:
        context, args = case[0], case[1]
        kwargs = dict(case[2]) if len(case) == 3 else {}  # type: ignore[misc]
        got = call(fn, *args, name=name, context=context, **kwargs)
        expect_equal(got, reference(*args, **kwargs), context=f"`{name}`, {context}", hint=hint)


def _close(got: Any, expected: float, *, context: str, hint: str, tol: float = 1e-9) -> None:
    if not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isfinite(got):
        raise CheckFailed(f"{context}: expected a number {expected:.6g}, got {got!r}. {hint}")
    if abs(got - expected) > tol:
        raise CheckFailed(f"{context}: expected {expected:.6g}, got {got:.6g}. {hint}")


def _record(i: int, options: list[str], answer: int) -> dict[str, Any]:
    return {"id": f"r{i}", "question": f"Question {i}?", "options": options, "answer": answer}


def _state(choices: list[str], completion: str, question: str = "What is 2 + 3?") -> Any:
    from inspect_ai.model import ChatMessageUser, ModelOutput
    from inspect_ai.solver import TaskState

    return TaskState(
        model="arena/scripted", sample_id=1, epoch=1, input=question,
        messages=[ChatMessageUser(content=question)], choices=choices,
        output=ModelOutput.from_content("arena/scripted", completion),
    )


# ------------------------------------------------------------------------------ format_choices


@check("2.3", "format_choices")
def check_format_choices(format_choices) -> None:
    """Two to eight options, text with spaces kept, one option, none."""
    cases: list[Case] = [
        ("options ['17', '15', '19', '20']", (["17", "15", "19", "20"],)),
        ("two options with inner and trailing spaces", ([" Paris", "Lyon  "],)),
        ("eight options", ([f"opt{i}" for i in range(8)],)),
        ("a single option", (["only"],)),
        ("no options", ([],)),
    ]
    _same_as_reference(
        format_choices, ref.format_choices, cases, name="format_choices",
        hint="one line per option, 'A) text' (letter, ')', one space, the text as given), joined "
        "by '\\n' with no trailing newline.",
    )


# ------------------------------------------------------------------------------ record_to_sample


def _describe_sample(s: Any) -> str:
    return (f"Sample(input={s.input!r}, choices={s.choices!r}, target={s.target!r}, id={s.id!r}, "
            f"metadata={s.metadata!r})")


def _expect_sample(got: Any, expected: Any, *, context: str, hint: str) -> None:
    from inspect_ai.dataset import Sample

    if not isinstance(got, Sample):
        raise CheckFailed(f"{context}: expected an inspect_ai Sample, got {type(got).__name__}. {hint}")
    for field in ("input", "choices", "target", "id", "metadata"):
        if getattr(got, field) != getattr(expected, field):
            raise CheckFailed(
                f"{context}: `{field}` is {getattr(got, field)!r}, expected "
                f"{getattr(expected, field)!r}. {hint}"
            )


@check("2.3", "record_to_sample")
def check_record_to_sample(record_to_sample) -> None:
    """The correct index at every position of 4 options, 2 and 6 options; the record unchanged."""
    hint = ("target is LETTERS[record['answer']] (index 0 → 'A'); choices keep the record's order; "
            "metadata={'answer_text': the correct option's text}.")
    cases = [(f"4 options, answer index {k}", _record(k, ["10", "11", "12", "13"], k)) for k in range(4)]
    cases += [("2 options, answer index 1", _record(7, ["yes", "no"], 1)),
              ("6 options, answer index 5", _record(8, list("uvwxyz"), 5))]
    for context, record in cases:
        kept = copy.deepcopy(record)
        got = call(record_to_sample, record, name="record_to_sample", context=context)
        _expect_sample(got, ref.record_to_sample(kept), context=f"record_to_sample, {context}", hint=hint)
        if record != kept:
            raise CheckFailed(f"record_to_sample, {context}: the record was modified. Build a new "
                              "Sample; leave the record as it was.")


# ------------------------------------------------------------------------------ shuffle_sample


@check("2.3", "shuffle_sample")
def check_shuffle_sample(shuffle_sample) -> None:
    """The target follows its option for many seeds and every target position; same order as the
    docstring's recipe; input, id and metadata kept; the original unchanged."""
    from inspect_ai.dataset import Sample

    hint = ("permute a list of indices with random.Random(seed).shuffle; new choice j is old choice "
            "order[j], and the target is the letter of the position the correct option moved to.")
    for target in "ABCD":
        for seed in range(6):
            context = f"4 options, target {target}, seed {seed}"
            sample = Sample(input="Q?", choices=["w", "x", "y", "z"], target=target, id=f"s{seed}",
                            metadata={"answer_text": "wxyz"["ABCD".index(target)]})
            got = call(shuffle_sample, sample, seed, name="shuffle_sample", context=context)
            if sample.choices != ["w", "x", "y", "z"] or sample.target != target:
                raise CheckFailed(f"shuffle_sample, {context}: the given sample was modified. "
                                  "Return a new Sample.")
            from inspect_ai.dataset import Sample as _S

            if not isinstance(got, _S):
                raise CheckFailed(f"shuffle_sample, {context}: expected a Sample, got {type(got).__name__}.")
            correct = sample.choices["ABCD".index(target)]
            if sorted(got.choices) != sorted(sample.choices):
                raise CheckFailed(f"shuffle_sample, {context}: choices {got.choices!r} are not a "
                                  "permutation of ['w', 'x', 'y', 'z'].")
            if not (isinstance(got.target, str) and got.target in "ABCD" and len(got.target) == 1
                    and got.choices["ABCD".index(got.target)] == correct):
                raise CheckFailed(
                    f"shuffle_sample, {context}: choices became {got.choices!r} and the target "
                    f"{got.target!r}, but the correct option {correct!r} is not at that letter. "
                    "The target must move with its choice.")
            _expect_sample(got, ref.shuffle_sample(sample, seed), context=f"shuffle_sample, {context}",
                           hint=hint)
    big = Sample(input="Q?", choices=list("abcdef"), target="F", id=1)
    moved = {ref.shuffle_sample(big, s).target for s in range(20)}
    got_moved = {call(shuffle_sample, big, s, name="shuffle_sample", context=f"6 options, seed {s}").target
                 for s in range(20)}
    if got_moved != moved:
        raise CheckFailed(f"shuffle_sample, 6 options, target F, seeds 0–19: targets {sorted(got_moved)}, "
                          f"expected {sorted(moved)}. {hint}")


# ------------------------------------------------------------------------------ mcq_prompt


def _await(coroutine: Any) -> Any:
    """Run a coroutine to completion from synchronous code, also inside a notebook.

    Why: in a Jupyter kernel an event loop is already running in this thread, and ``asyncio.run``
    refuses to start a second one there (unless something patched asyncio with nest_asyncio first,
    which a warm machine's kernel may have done and a fresh one had not). A running loop means: run
    the coroutine on a new loop in a helper thread, with this thread's context variables.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # noqa: BLE001 — re-raised in the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _run_solver(solver: Any, state: Any) -> Any:
    calls: list[Any] = []

    async def fake_generate(s: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(s)
        return s

    result = _await(solver(state, fake_generate))
    return result, calls


@check("2.3", "mcq_prompt")
def check_mcq_prompt(mcq_prompt) -> None:
    """The default template and a custom one, 2 and 4 choices; it returns the state, no generate."""
    check_defaults(mcq_prompt, ref.mcq_prompt, name="mcq_prompt")
    cases = [
        ("the default template, 4 choices", {}, ["17", "15", "19", "20"], "What is 12 + 5?"),
        ("a custom template '{choices} || {question}', 2 choices",
         {"template": "{choices} || {question}"}, ["Lyon", "Paris"], "Capital of France?"),
    ]
    for context, kwargs, choices, question in cases:
        solver = call(mcq_prompt, name="mcq_prompt", context=context, **kwargs)
        state = _state(choices, "", question)
        expected = kwargs.get("template", ref.MCQ_TEMPLATE).format(
            question=question, choices=ref.format_choices(choices))
        try:
            result, calls = _run_solver(solver, state)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 — the learner's coroutine raised
            raise CheckFailed(f"mcq_prompt, {context}: running the solver raised "
                              f"{type(error).__name__}: {error}") from None
        if result is not state and getattr(result, "user_prompt", None) is None:
            raise CheckFailed(f"mcq_prompt, {context}: the solver must return the TaskState.")
        got = result.user_prompt.text
        if got != expected:
            raise CheckFailed(f"mcq_prompt, {context}: the user prompt is {got!r}, expected "
                              f"{expected!r}. Use template.format(question=state.input_text, "
                              "choices=format_choices([c.value for c in state.choices])).")
        if calls:
            raise CheckFailed(f"mcq_prompt, {context}: the solver called generate; it should only set "
                              "the prompt (the task chains generate() after it).")


# ------------------------------------------------------------------------------ extract_letter


@check("2.3", "extract_letter")
def check_extract_letter(extract_letter) -> None:
    """Bare letters, wrapped letters, words starting with a capital, lowercase, letters out of range."""
    texts = ["B", " C", "(C) 17", "D) 20", "Answer: D", "The answer is B.", "A", "Answer B", "I think so",
             "a", "b) 15", "E", "E then B", "Because C", "AB", "B2", "x_B", "", "17", "Option C, not A",
             "\nB\n", "ANSWER: C", "Answer:C"]
    cases: list[Case] = [(f"reply {t!r}, 4 choices", (t, 4)) for t in texts]
    cases += [("reply 'E', 5 choices", ("E", 5)), ("reply 'C', 2 choices", ("C", 2)),
              ("reply 'C or B', 2 choices", ("C or B", 2)), ("reply 'H', 8 choices", ("H", 8))]
    _same_as_reference(
        extract_letter, ref.extract_letter, cases, name="extract_letter",
        hint="the first capital among LETTERS[:n_choices] standing alone as a word (regex \\b on both "
        "sides), else None; lowercase does not count.",
    )


# ------------------------------------------------------------------------------ letter_scorer


def _score(scorer_factory: Any, choices: list[str], completion: str, target: str, context: str) -> Any:
    from inspect_ai.scorer import Target

    scorer = call(scorer_factory, name="letter_scorer", context=context)
    try:
        return _await(scorer(_state(choices, completion), Target(target)))
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001
        raise CheckFailed(f"letter_scorer, {context}: scoring raised {type(error).__name__}: "
                          f"{error}") from None


@check("2.3", "letter_scorer")
def check_letter_scorer(letter_scorer) -> None:
    """The same reply against different targets; wrapped letters; no letter; answer recorded."""
    from inspect_ai.scorer import CORRECT, INCORRECT

    four = ["10", "11", "12", "13"]
    cases = [("reply 'B', target B", four, "B", "B", CORRECT, "B"),
             ("reply 'B', target C", four, "B", "C", INCORRECT, "B"),
             ("reply 'Answer: C', target C", four, "Answer: C", "C", CORRECT, "C"),
             ("reply 'Answer: C', target A", four, "Answer: C", "A", INCORRECT, "C"),
             ("reply 'no idea', target A", four, "no idea", "A", INCORRECT, None),
             ("reply 'E', 4 choices, target A", four, "E", "A", INCORRECT, None),
             ("reply 'E', 5 choices, target E", four + ["14"], "E", "E", CORRECT, "E"),
             ("reply 'D) 13', target D", four, "D) 13", "D", CORRECT, "D")]
    for context, choices, completion, target, value, answer in cases:
        got = _score(letter_scorer, choices, completion, target, context)
        if getattr(got, "value", None) != value:
            raise CheckFailed(
                f"letter_scorer, {context}: value {getattr(got, 'value', got)!r}, expected {value!r}. "
                "Compare the extracted letter with target.text: CORRECT if equal, else INCORRECT.")
        if got.answer != answer:
            raise CheckFailed(f"letter_scorer, {context}: answer {got.answer!r}, expected {answer!r}. "
                              "Record extract_letter(completion, len(state.choices)) as the answer.")
    metrics = getattr(letter_scorer, "__registry_info__", None)
    names = repr(getattr(metrics, "metadata", {}).get("metrics")) if metrics else ""
    if "accuracy" not in names or "stderr" not in names:
        raise CheckFailed("letter_scorer: decorate it with @scorer(metrics=[accuracy(), stderr()]) so "
                          "that the log reports accuracy and its standard error.")


# ------------------------------------------------------------------------------ the log fixture


@fixture("2.3")
def scripted_log() -> Any:
    """A real EvalLog: 10 reference samples, the reference solver and scorer, scripted replies
    that are right, wrong, wrapped and unparseable."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.solver import generate

    from arena_check.kit.inspect_provider import scripted_model

    rng = random.Random(3)
    samples = [ref.record_to_sample(_record(i, [str(10 + i + d) for d in range(4)], rng.randrange(4)))
               for i in range(10)]
    replies = ["A", "Answer: B", "C", "no idea", "D", "B", "(A)", "the answer is D", "c", "A"]
    task = Task(dataset=samples, solver=[ref.mcq_prompt(), generate()], scorer=ref.letter_scorer())
    from inspect_ai.log import read_eval_log

    with tempfile.TemporaryDirectory() as log_dir:
        log = inspect_eval(task, model=scripted_model(replies), log_dir=log_dir, display="log")[0]
        return read_eval_log(log.location)  # samples read into memory before the folder goes


@check("2.3", "sample_rows")
def check_sample_rows(sample_rows) -> None:
    """Rows of a real scripted EvalLog: ids, targets, answers (some None), correctness as floats."""
    log = scripted_log()
    got = call(sample_rows, log, name="sample_rows", context="a 10-sample scripted log")
    expect_equal(got, ref.sample_rows(log), context="`sample_rows`, a 10-sample scripted log",
                 hint="one dict per sample: id, target (sample.target), answer (the score's .answer), "
                 "correct (1.0 if the score's value is CORRECT, else 0.0).")
    kinds = {type(row["correct"]).__name__ for row in got}
    if kinds != {"float"}:
        raise CheckFailed(f"sample_rows, a 10-sample scripted log: 'correct' is of type "
                          f"{sorted(kinds)}, expected float (1.0 or 0.0), so that rows average into "
                          "an accuracy and feed accuracy_ci.")


# ------------------------------------------------------------------------------ accuracy_ci


@check("2.3", "accuracy_ci")
def check_accuracy_ci(accuracy_ci) -> None:
    """0/1 scores of several sizes, z = 1.96 by default and other z, and Inspect's stderr."""
    check_defaults(accuracy_ci, ref.accuracy_ci, name="accuracy_ci")
    rng = random.Random(0)
    cases: list[tuple[str, list[float], dict[str, float]]] = [
        ("[1, 0]", [1.0, 0.0], {}),
        ("[1, 1, 0] (n = 3)", [1.0, 1.0, 0.0], {}),
        ("40 random 0/1 scores, seed 0", [float(rng.random() < 0.7) for _ in range(40)], {}),
        ("40 random 0/1 scores, z = 2.576", [float(rng.random() < 0.3) for _ in range(40)], {"z": 2.576}),
        ("scores [0.5, 1, 0.25, 0], z = 1.0", [0.5, 1.0, 0.25, 0.0], {"z": 1.0}),
        ("all correct (8 ones)", [1.0] * 8, {}),
    ]
    for context, values, kwargs in cases:
        got = call(accuracy_ci, values, name="accuracy_ci", context=context, **kwargs)
        expected = ref.accuracy_ci(values, **kwargs)
        if not isinstance(got, tuple) or len(got) != 3:
            raise CheckFailed(f"accuracy_ci, {context}: expected a tuple (mean, lo, hi), got {got!r}.")
        z = kwargs.get("z", 1.96)
        se = statistics.stdev(values) / math.sqrt(len(values))
        hint = (f"mean ± z·se with z={z} and se = stdev with n − 1 (statistics.stdev) / √n "
                f"= {se:.6g} here; do not clip to [0, 1].")
        for part, g, e in zip(("mean", "lo", "hi"), got, expected, strict=True):
            _close(g, e, context=f"accuracy_ci, {context}, {part}", hint=hint)


# ------------------------------------------------------------------------------ choice_shares


@check("2.3", "choice_shares")
def check_choice_shares(choice_shares) -> None:
    """Answers with None and out-of-range letters; all invalid; other n_choices."""
    cases: list[Case] = [
        ("answers A A B None, 4 choices", (["A", "A", "B", None], 4)),
        ("answers A E D None None, 4 choices (E is out of range)", (["A", "E", "D", None, None], 4)),
        ("answers C C C, 3 choices", (["C", "C", "C"], 3)),
        ("only None answers, 4 choices", ([None, None], 4)),
        ("no answers, 2 choices", ([], 2)),
        ("answers B A 'AB' 'b', 2 choices", (["B", "A", "AB", "b"], 2)),
    ]
    for context, (answers, n) in cases:
        got = call(choice_shares, list(answers), n, name="choice_shares", context=context)
        expected = ref.choice_shares(answers, n)
        if not isinstance(got, list) or len(got) != n:
            raise CheckFailed(f"choice_shares, {context}: expected a list of {n} floats, got {got!r}.")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _close(g, e, context=f"choice_shares, {context}, share of {ref.LETTERS[i]}",
                   hint="divide by the number of answers that are one of the first n_choices letters "
                   "(None and other strings count in neither), not by the number of samples; all "
                   "zeros when none is valid.")


# ------------------------------------------------------------------------------ position_bias


@check("2.3", "position_bias")
def check_position_bias(position_bias) -> None:
    """Uniform, one-letter, mixed shares of 2, 4 and 5 options."""
    cases = [("uniform over 4", [0.25] * 4), ("always A of 4", [1.0, 0.0, 0.0, 0.0]),
             ("[0.5, 0.3, 0.2, 0.0]", [0.5, 0.3, 0.2, 0.0]), ("[0.9, 0.1] (2 options)", [0.9, 0.1]),
             ("[0.1, 0.1, 0.1, 0.1, 0.6] (5 options)", [0.1, 0.1, 0.1, 0.1, 0.6]),
             ("[0.4, 0.4, 0.1, 0.1]", [0.4, 0.4, 0.1, 0.1])]
    for context, shares in cases:
        got = call(position_bias, list(shares), name="position_bias", context=context)
        _close(got, ref.position_bias(shares), context=f"position_bias, {context}", tol=1e-9,
               hint="0.5 · Σ |share − 1/n| with n = len(shares): 0 when uniform, 1 − 1/n for one letter.")


# ------------------------------------------------------------------------------ summarize


@check("2.3", "summarize")
def check_summarize(summarize) -> None:
    """The scripted log with the defaults, with z = 1.0, and with n_choices = 3."""
    check_defaults(summarize, ref.summarize, name="summarize")
    log = scripted_log()
    for context, kwargs in [("the scripted log, defaults", {}), ("z = 1.0", {"z": 1.0}),
                            ("n_choices = 3", {"n_choices": 3})]:
        got = call(summarize, log, name="summarize", context=context, **kwargs)
        expected = ref.summarize(log, **kwargs)
        if not isinstance(got, dict) or set(got) != set(expected):
            raise CheckFailed(f"summarize, {context}: expected a dict with keys {sorted(expected)}, "
                              f"got {got!r}.")
        for key in ("n", "accuracy", "lo", "hi", "bias"):
            _close(got[key], expected[key], context=f"summarize, {context}, {key!r}",
                   hint="use sample_rows, accuracy_ci(…, z), choice_shares(answers, n_choices) and "
                   "position_bias; pass z and n_choices through.")
        if len(got["shares"]) != len(expected["shares"]) or any(
                abs(g - e) > 1e-9 for g, e in zip(got["shares"], expected["shares"], strict=True)):
            raise CheckFailed(f"summarize, {context}: shares {got['shares']!r}, expected "
                              f"{expected['shares']!r}. Shares come from the scorer's answers.")
