# %% [markdown]
# *GENERATED from book/2_llm_evals/2.3_inspect.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 2.3 Inspect
#
# [Inspect](https://inspect.aisi.org.uk/) is the UK AI Security Institute's framework for
# evaluations. It splits an eval into four pieces that this section writes one by one: a
# **dataset** of `Sample`s, a chain of **solvers** that turn a sample into a conversation and call
# the model, a **scorer** that compares the model's output with the sample's target, and the
# **log** (`EvalLog`) in which Inspect records every message, score and metric. The logs are files
# that Inspect's viewer (`inspect view`) reads, so every run here is inspectable after the fact.
#
# All runs are offline: `arena/smollm2-135m` is SmolLM2-135M-Instruct on the CPU (see the
# model zoo), and `arena/scripted` is a model whose replies we write ourselves — for
# behaviours a 135M model cannot show on demand, such as a clean, planted position bias.
#
# **You will be able to**
#
# - turn raw records into Inspect `Sample`s with choices and a target letter;
# - write a solver that renders a multiple-choice prompt, and a scorer that reads a letter;
# - shuffle options so that the target moves with its choice;
# - read an `EvalLog` into rows, and put a confidence interval on accuracy;
# - measure position bias, and show how shuffling exposes an accuracy inflated by it.
#
# **Prerequisites.** Section 2.1 (multiple-choice items, intervals on rates). Python's `async def`
# is used but not taught: a solver and a scorer are coroutines that Inspect awaits.
#
# **Time.** About 2 hours: 11 exercises.
#
# ## Setup

# %%
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


# %% [markdown]
# ## Part 1 · Datasets and solvers
#
# Our raw data are arithmetic questions with four numeric options, generated here with a fixed
# seed. As in many hand-written datasets, the correct option is listed **first** in every record —
# a habit that costs nothing until a model prefers the first option.

# %% [markdown]
# ### Exercise 1 · `format_choices`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Render options as lettered lines, `A) …` then `B) …`, one per line.
#
# The model only ever sees text; how options are labelled is part of the eval, and the scorer must
# parse the same labels back.

# %%
def format_choices(choices: Sequence[str]) -> str:
    """One line per option, 'A) text', letters from LETTERS in order, joined by '\\n'.

    No trailing newline; the option text is used as given (no stripping). Empty input → ''.
    """
    return "\n".join(f"{LETTERS[i]}) {text}" for i, text in enumerate(choices))


# %%
arena_check.check("2.3", "format_choices", format_choices)


# %% [markdown]
# ### Exercise 2 · `record_to_sample`
#
# > difficulty 1/5 · importance 4/5 · 10 min
#
# Turn one raw record into an Inspect `Sample` whose `target` is the letter of the correct option.
#
# Inspect's `json_dataset`, `csv_dataset` and `hf_dataset` all take a `sample_fields` function of
# exactly this kind; it is the one place where a dataset's answer convention (an index, a letter, a
# text) becomes Inspect's (a letter for multiple choice). A mistake here mislabels every item.
#
# <details><summary>Hint</summary>
#
# The record's `answer` is an index into `options`; `LETTERS[index]` is the letter.
#
# </details>

# %%
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


# %%
arena_check.check("2.3", "record_to_sample", record_to_sample)


# %% [markdown]
# ### Exercise 3 · `shuffle_sample`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Return a copy of a sample with its choices in a seeded random order, and the target letter moved
# to wherever the correct option went.
#
# Shuffling options is the standard control for position bias. Inspect can do it for you
# (`Sample`s' `choices` are shuffled by `dataset.shuffle_choices()`); writing it once shows the
# invariant that matters: the target follows its text, not its slot.
#
# <details><summary>Hint</summary>
#
# Shuffle the list of indices `0..n-1` with `random.Random(seed)`; the new position of the old
# correct index gives the new letter.
#
# </details>

# %%
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


# %%
arena_check.check("2.3", "shuffle_sample", shuffle_sample)


# %% [markdown]
# ### Exercise 4 · `mcq_prompt`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write a solver that replaces the user's prompt with the multiple-choice template, filled
# with the sample's question and lettered choices.
#
# A solver receives the `TaskState` (messages, choices, the output so far) and a `generate`
# function; it returns the state. Built-in solvers such as `prompt_template`, `multiple_choice`,
# `chain_of_thought` and `self_critique` have this shape; yours does one thing, so that
# `[mcq_prompt(), generate()]` is a complete multiple-choice solver chain.
#
# <details><summary>Hint</summary>
#
# `state.input_text` is the question; `state.choices` iterates over choices with a `.value`;
# `state.user_prompt.text = ...` rewrites the user's message.
#
# </details>

# %%
@solver
def mcq_prompt(template: str = MCQ_TEMPLATE):
    """A solver that sets the user prompt to template.format(question=state.input_text,
    choices=format_choices(the choices' values)) and returns the state (it does not generate)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        choices = format_choices([choice.value for choice in state.choices])
        state.user_prompt.text = template.format(question=state.input_text, choices=choices)
        return state

    return solve


# %%
arena_check.check("2.3", "mcq_prompt", mcq_prompt)


# %% [markdown]
# ## Part 2 · Scoring
#
# ### Exercise 5 · `extract_letter`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Find the letter a reply chose: the first capital letter among the first `n_choices` letters that
# stands alone as a word (`"B"`, `"B)"`, `"(C)"`, `"The answer is D."`), or `None`.
#
# Small models and large ones alike wrap their answer in words; a parser that takes the first
# character misreads `"Answer: C"` as `A`.
#
# <details><summary>Hint</summary>
#
# `re.search(rf"\b([{LETTERS[:n_choices]}])\b", text)`: `\b` refuses the `A` inside `Answer`.
#
# </details>

# %%
def extract_letter(text: str, n_choices: int) -> str | None:
    """The first standalone capital letter among LETTERS[:n_choices] in text, else None.

    Standalone: not preceded or followed by a letter, digit or underscore (regex \\b).
    Lowercase letters do not count."""
    match = re.search(rf"\b([{LETTERS[:n_choices]}])\b", text)
    return match.group(1) if match else None


# %%
arena_check.check("2.3", "extract_letter", extract_letter)


# %% [markdown]
# ### Exercise 6 · `letter_scorer`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Write a scorer that reads the letter from the model's completion and scores it against
# the target: `CORRECT` or `INCORRECT`, with the letter (or `None`) as the score's `answer`.
#
# The scorer's `answer` field is what makes position bias measurable later: accuracy alone throws
# away *which* wrong option was picked.
#
# <details><summary>Hint</summary>
#
# `state.output.completion` is the reply; `len(state.choices)` the number of options;
# `target.text` the correct letter.
#
# </details>

# %%
@scorer(metrics=[accuracy(), stderr()])
def letter_scorer():
    """Score(value=CORRECT if the extracted letter equals target.text else INCORRECT,
    answer=the extracted letter or None). A reply with no letter is INCORRECT."""

    async def score(state: TaskState, target: Target) -> Score:
        letter = extract_letter(state.output.completion, len(state.choices))
        return Score(value=CORRECT if letter == target.text else INCORRECT, answer=letter)

    return score


# %%
arena_check.check("2.3", "letter_scorer", letter_scorer)


# %% [markdown]
# ### A first eval
#
# A `Task` is the dataset, the solver chain and the scorer. Here it runs with SmolLM2 on the 32
# questions, in their original order and shuffled, in one `eval` call. A letter is one token, so
# `max_tokens=2` keeps the run short: this cell takes {glue:text}`smol_seconds` s on the build's CPU
# (loading the model included).

# %% [markdown]
# ## Part 3 · Reading logs
#
# `inspect_eval` returns `EvalLog`s; the same objects come back from `read_eval_log(path)` on the
# files in `log_dir`, which `inspect view --log-dir …` displays. Each `log.samples[i]` holds the
# sample's `target`, `output` and `scores` (a dict from scorer name to `Score`).
#
# ### Exercise 7 · `sample_rows`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Flatten a log into one row per sample: its id, target letter, the letter the scorer read, and
# whether it was correct.
#
# <details><summary>Hint</summary>
#
# Each sample has one score here: `next(iter(sample.scores.values()))`. Its `.value` is `"C"` or
# `"I"` (`CORRECT`, `INCORRECT`), its `.answer` the letter.
#
# </details>

# %%
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


# %%
arena_check.check("2.3", "sample_rows", sample_rows)


# %% [markdown]
# ### Exercise 8 · `accuracy_ci`
#
# > difficulty 1/5 · importance 5/5 · 10 min
#
# Mean of per-sample scores with a normal-approximation confidence interval,
# mean ± z · standard error, where the standard error is the sample standard deviation (n − 1 in
# the denominator) over √n — the same number as Inspect's `stderr()` metric.
#
# A reported accuracy without an interval cannot be compared with another one; with 32 items the
# interval is ±10–17 points (Miller 2024).

# %%
def accuracy_ci(values: Sequence[float], z: float = 1.96) -> tuple[float, float, float]:
    """(mean, mean - z*se, mean + z*se) with se = stdev(values, ddof=1) / sqrt(n).

    Needs n >= 2. Not clipped to [0, 1]. z=1.96 is a 95 % interval."""
    n = len(values)
    mean = sum(values) / n
    se = statistics.stdev(values) / math.sqrt(n)
    return mean, mean - z * se, mean + z * se


# %%
arena_check.check("2.3", "accuracy_ci", accuracy_ci)


# %% [markdown]
# ## Part 4 · Position bias
#
# A model has a position bias when the slot of an option, not its content, moves its choice.
# We measure it from the answers alone: the share of parsed answers that name each letter, and how
# far those shares are from uniform.
#
# ### Exercise 9 · `choice_shares`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# The fraction of *parsed* answers that are each letter `A…` (over `n_choices` letters).
#
# <details><summary>Hint</summary>
#
# The denominator is the number of answers that are one of the letters — not the number of
# samples: an unparseable reply says nothing about positions.
#
# </details>

# %%
def choice_shares(answers: Sequence[str | None], n_choices: int) -> list[float]:
    """shares[i] = (# answers equal to LETTERS[i]) / (# answers in LETTERS[:n_choices]).

    None and other strings are left out of both counts. If no answer is valid, all zeros."""
    valid = [a for a in answers if a is not None and a in LETTERS[:n_choices] and len(a) == 1]
    if not valid:
        return [0.0] * n_choices
    return [valid.count(LETTERS[i]) / len(valid) for i in range(n_choices)]


# %%
arena_check.check("2.3", "choice_shares", choice_shares)


# %% [markdown]
# ### Exercise 10 · `position_bias`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Summarise the shares in one number: the total variation distance from the uniform distribution,
# ½ Σᵢ |shareᵢ − 1/n|. It is 0 for a model that spreads its answers evenly and 1 − 1/n for one that
# always picks the same letter.

# %%
def position_bias(shares: Sequence[float]) -> float:
    """0.5 * sum(|s - 1/n|) over the n shares (total variation distance from uniform)."""
    n = len(shares)
    return 0.5 * sum(abs(s - 1 / n) for s in shares)


# %%
arena_check.check("2.3", "position_bias", position_bias)


# %% [markdown]
# ### Exercise 11 · `summarize`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Put it together: one dictionary per log, so that a sweep over conditions is one table.

# %%
def summarize(log: EvalLog, n_choices: int = 4, z: float = 1.96) -> dict:
    """{'n': samples, 'accuracy', 'lo', 'hi' (from accuracy_ci with z), 'shares'
    (choice_shares of the scorer's answers), 'bias' (position_bias of the shares)}."""
    rows = sample_rows(log)
    mean, lo, hi = accuracy_ci([r["correct"] for r in rows], z)
    shares = choice_shares([r["answer"] for r in rows], n_choices)
    return {"n": len(rows), "accuracy": mean, "lo": lo, "hi": hi, "shares": shares,
            "bias": position_bias(shares)}


# %%
arena_check.check("2.3", "summarize", summarize)

# %% [markdown]
# ### A sweep: a planted position bias, before and after shuffling
#
# SmolLM2-135M cannot do two-digit arithmetic reliably, and whatever bias it has is not under our
# control. To see the effect of shuffling clearly we plant one: a scripted model that knows the
# answer to half the questions (chosen by a hash of the question) and answers `A` to the rest.
# On the original records, where the correct option is always `A`, its guesses are always right.

# %% [markdown]
# The planted bias is invisible in the original order: the scripted model scores
# {glue:text}`planted_acc_orig`, because its guesses land on the slot where every answer sits.
# Shuffled, the same model scores {glue:text}`planted_acc_shuf` (95 % interval
# {glue:text}`planted_lo_shuf` to {glue:text}`planted_hi_shuf`) — what knowing half the answers and
# guessing the rest is worth. Its choice shares stay skewed toward `A` in both orders, so the
# position-bias number measures the model, while the accuracy gap between orders measures how much
# the *dataset's* ordering flattered it.
#
# What does SmolLM2-135M do? Its share of `A` among the replies that contain a letter is
# {glue:text}`smol_share_a_orig` in the original order and {glue:text}`smol_share_a_shuf` shuffled,
# and {glue:text}`smol_unparsed` of its {glue:text}`smol_n` replies in the original order contain no
# letter at all (the table's cell prints a few). Its accuracy of {glue:text}`smol_acc_orig` on the
# original order therefore says where the answers sit, not whether it can add, and it becomes
# {glue:text}`smol_acc_shuf` once the options are shuffled. That is what a 135M model can tell us
# here: it follows the answer format only part of the time and does not do two-digit sums; the
# point of this section is the machinery, not the model.
#
# ## Other solvers
#
# Inspect's built-in solvers compose with ours. `chain_of_thought()` rewrites the prompt to ask for
# reasoning before the answer, and `self_critique()` asks the model to critique its answer and then
# revise it (two more model calls). The scripted model below shows the conversation they build,
# without spending SmolLM2's time on reasoning it cannot do.

# %% [markdown]
# The logs of every run on this page are Inspect log files, the format `inspect view` reads:

# %% [markdown]
# ## Summary
#
# - A `Sample` carries input, choices and a target letter; `record_to_sample` is where a dataset's
#   convention becomes Inspect's, and where a mislabelled target would poison every number.
# - Solvers build the conversation; scorers turn an output into a `Score` with a value *and* the
#   parsed answer, which later analyses need.
# - `EvalLog`s hold everything; reading them into rows gives accuracy with an interval and the
#   answers' distribution over positions.
# - Shuffling options with the target moving alongside separates what a model knows from where the
#   right answer happened to sit.
#
# ## Further reading
#
# - UK AI Security Institute, [Inspect documentation](https://inspect.aisi.org.uk/) — tasks,
#   solvers, scorers, logs and the log viewer.
# - Zheng et al. (2023), [Large Language Models Are Not Robust Multiple Choice Selectors](https://arxiv.org/abs/2309.03882)
#   — selection bias toward option IDs, and how permuting options measures it.
# - Pezeshkpour & Hruschka (2023), [Large Language Models Sensitivity to The Order of Options in Multiple-Choice Questions](https://arxiv.org/abs/2308.11483).
# - Miller (2024), [Adding Error Bars to Evals](https://arxiv.org/abs/2411.00640) — standard errors and
#   intervals for eval scores.
