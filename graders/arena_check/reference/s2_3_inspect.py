"""GENERATED from book/2_llm_evals/2.3_inspect.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import math
import random
import re
import statistics
from collections.abc import Sequence

from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, scorer, stderr
from inspect_ai.solver import Generate, TaskState, solver

import arena_check

LETTERS = "ABCDEFGH"  # option letters, in order

MCQ_TEMPLATE = (
    "{question}\n\n{choices}\n\nAnswer with the letter of the correct option only."
)


def format_choices(choices: Sequence[str]) -> str:
    """One line per option, 'A) text', letters from LETTERS in order, joined by '\\n'.

    No trailing newline; the option text is used as given (no stripping). Empty input → ''.
    """
    return "\n".join(f"{LETTERS[i]}) {text}" for i, text in enumerate(choices))


def record_to_sample(record: dict) -> Sample:
    """A Sample with input=record['question'], choices=record['options'] (same order),
    target=the letter of option record['answer'] (an int index), id=record['id'], and
    metadata={'answer_text': the correct option's text}. The record is not modified."""
    index = record["answer"]
    return Sample(
        input=record["question"],
        choices=list(record["options"]),
        target=LETTERS[index],
        id=record["id"],
        metadata={"answer_text": record["options"][index]},
    )


def shuffle_sample(sample: Sample, seed: int) -> Sample:
    """A new Sample: choices permuted by random.Random(seed).shuffle applied to list(range(n)),
    i.e. new choice j = old choice order[j]; target = the letter of the correct option's new
    position; input, id and metadata unchanged. The given sample is not modified."""
    n = len(sample.choices)
    order = list(range(n))
    random.Random(seed).shuffle(order)
    old = LETTERS.index(sample.target)
    return Sample(
        input=sample.input,
        choices=[sample.choices[j] for j in order],
        target=LETTERS[order.index(old)],
        id=sample.id,
        metadata=dict(sample.metadata or {}),
    )


@solver
def mcq_prompt(template: str = MCQ_TEMPLATE):
    """A solver that sets the user prompt to template.format(question=state.input_text,
    choices=format_choices(the choices' values)) and returns the state (it does not generate)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        choices = format_choices([choice.value for choice in state.choices])
        state.user_prompt.text = template.format(question=state.input_text, choices=choices)
        return state

    return solve


def extract_letter(text: str, n_choices: int) -> str | None:
    """The first standalone capital letter among LETTERS[:n_choices] in text, else None.

    Standalone: not preceded or followed by a letter, digit or underscore (regex \\b).
    Lowercase letters do not count."""
    match = re.search(rf"\b([{LETTERS[:n_choices]}])\b", text)
    return match.group(1) if match else None


@scorer(metrics=[accuracy(), stderr()])
def letter_scorer():
    """Score(value=CORRECT if the extracted letter equals target.text else INCORRECT,
    answer=the extracted letter or None). A reply with no letter is INCORRECT."""

    async def score(state: TaskState, target: Target) -> Score:
        letter = extract_letter(state.output.completion, len(state.choices))
        return Score(value=CORRECT if letter == target.text else INCORRECT, answer=letter)

    return score


def sample_rows(log: EvalLog) -> list[dict]:
    """One dict per sample in log.samples order: {'id', 'target' (str), 'answer' (the first
    score's answer, str or None), 'correct' (1.0 if its value is CORRECT else 0.0)}."""
    rows = []
    for sample in log.samples:
        score = next(iter(sample.scores.values()))
        rows.append({
            "id": sample.id,
            "target": sample.target,
            "answer": score.answer,
            "correct": 1.0 if score.value == CORRECT else 0.0,
        })
    return rows


def accuracy_ci(values: Sequence[float], z: float = 1.96) -> tuple[float, float, float]:
    """(mean, mean - z*se, mean + z*se) with se = stdev(values, ddof=1) / sqrt(n).

    Needs n >= 2. Not clipped to [0, 1]. z=1.96 is a 95 % interval."""
    n = len(values)
    mean = sum(values) / n
    se = statistics.stdev(values) / math.sqrt(n)
    return mean, mean - z * se, mean + z * se


def choice_shares(answers: Sequence[str | None], n_choices: int) -> list[float]:
    """shares[i] = (# answers equal to LETTERS[i]) / (# answers in LETTERS[:n_choices]).

    None and other strings are left out of both counts. If no answer is valid, all zeros."""
    valid = [a for a in answers if a is not None and a in LETTERS[:n_choices] and len(a) == 1]
    if not valid:
        return [0.0] * n_choices
    return [valid.count(LETTERS[i]) / len(valid) for i in range(n_choices)]


def position_bias(shares: Sequence[float]) -> float:
    """0.5 * sum(|s - 1/n|) over the n shares (total variation distance from uniform)."""
    n = len(shares)
    return 0.5 * sum(abs(s - 1 / n) for s in shares)


def summarize(log: EvalLog, n_choices: int = 4, z: float = 1.96) -> dict:
    """{'n': samples, 'accuracy', 'lo', 'hi' (from accuracy_ci with z), 'shares'
    (choice_shares of the scorer's answers), 'bias' (position_bias of the shares)}."""
    rows = sample_rows(log)
    mean, lo, hi = accuracy_ci([r["correct"] for r in rows], z)
    shares = choice_shares([r["answer"] for r in rows], n_choices)
    return {"n": len(rows), "accuracy": mean, "lo": lo, "hi": hi, "shares": shares,
            "bias": position_bias(shares)}
