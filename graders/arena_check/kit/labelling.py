"""A small preference-labelling web app: two completions side by side, A / B / Tie, stored in SQLite.

Reward models learn from pairwise human judgements; this is the tool that collects them, small
enough to read in one sitting. Start it with the one documented command:

    .venv/bin/python -m arena_check.kit.labelling serve --pairs pairs.jsonl --db labels.sqlite --port 8765

then open http://127.0.0.1:8765, type a name and label. Without ``--pairs`` it serves a small demo
set written for this project (:func:`demo_pairs`), with a few gold questions. It listens on
loopback only and never leaves the machine.

What it does, and why:

* **Crash-safe storage.** Every vote is committed to SQLite (WAL, ``synchronous=FULL``) before the
  reply is sent, so killing the server — even ``kill -9`` — loses no label it acknowledged, and a
  restart on the same database continues where each annotator stopped (the next item is always
  "the first in the order this annotator has not labelled", computed from the database).
* **One vote per (pair, annotator).** A re-vote replaces the old one, so a double click or the
  browser's back button never counts a judgement twice.
* **Gold questions.** Pairs with a known right answer (``Pair.gold``) are mixed in at every
  ``gold_every``-th position of a seeded order, unmarked; :func:`gold_scores` measures each
  annotator's accuracy on them — the usual check that a labeller is paying attention.
* **Agreement.** :func:`agreement` reports raw percent agreement and Cohen's kappa, which corrects
  for the agreement two annotators would reach by chance (mean over pairs of annotators for more
  than two). All annotators see the same order, so their labels overlap early.
* **Plain HTML forms.** The pages are server-rendered and work without JavaScript; every piece of
  text is HTML-escaped (completions are untrusted model output); the CSS follows the reader's
  light or dark ``prefers-color-scheme``.

Routes: ``GET /`` (asks for a name, or ``/?annotator=NAME`` shows that annotator's next pair),
``POST /label`` (form fields ``annotator``, ``pair_id``, ``choice``; redirects back to ``/``),
``GET /stats``, ``GET /api/labels``, ``GET /api/stats``, ``GET /healthz``.

From Python (a page, a test): :func:`serve` runs the command above in a subprocess for a ``with``
block, and :func:`screenshot` photographs a page in headless Chromium::

    with labelling.serve(None, tmp / "labels.sqlite") as server:
        labelling.screenshot(server.base_url + "/?annotator=demo", tmp / "app.png", dark=True)
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import math
import os
import random
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
CHOICES = ("a", "b", "tie")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
MAX_NAME = 40  # annotator names longer than this are refused (they end up in every URL)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Pair:
    """One comparison: a prompt and two completions. ``gold`` ("a" or "b") marks a quality-control
    question whose right answer is known; annotators are not told which pairs are gold."""

    pair_id: str
    prompt: str
    a: str
    b: str
    gold: str | None = None

    def __post_init__(self) -> None:
        if not self.pair_id:
            raise ValueError("a Pair needs a non-empty pair_id")
        if self.gold not in (None, "a", "b"):
            raise ValueError(f"Pair {self.pair_id!r}: gold must be None, 'a' or 'b'; got {self.gold!r}")


@dataclass(frozen=True)
class Label:
    """One annotator's choice on one pair; ``created`` is the Unix time of the (latest) vote."""

    pair_id: str
    annotator: str
    choice: str
    created: float


def write_pairs(pairs: Sequence[Pair], path: Path) -> Path:
    """Write ``pairs`` as JSONL (one object per line), the format ``serve --pairs`` reads."""
    path = Path(path)
    _check_unique(pairs)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for pair in pairs:
            f.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
    return path


def read_pairs(path: Path) -> list[Pair]:
    """Read a JSONL file of pairs (blank lines skipped); a bad line names its line number."""
    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            pairs.append(Pair(**record))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a pair ({error})") from None
    _check_unique(pairs)
    return pairs


def _check_unique(pairs: Iterable[Pair]) -> None:
    seen: set[str] = set()
    for pair in pairs:
        if pair.pair_id in seen:
            raise ValueError(f"duplicate pair_id {pair.pair_id!r}: every pair needs its own id")
        seen.add(pair.pair_id)


def demo_pairs() -> list[Pair]:
    """The built-in demo set: nine ordinary comparisons and three gold questions (one answer is
    plainly wrong or harmful). One completion contains HTML, to show that it is displayed as text."""
    return [
        Pair("demo-01", "Give me one tip for writing clear commit messages.",
             "Start with a short summary line in the imperative mood, such as \"Fix off-by-one in "
             "the batch loop\", then explain why in the body.",
             "Write whatever you like; nobody reads them."),
        Pair("demo-02", "What does a reward model do in RLHF?",
             "It scores a completion with a single number meant to predict which of two completions "
             "a person would prefer; the policy is then trained to raise that score.",
             "It rewards the model with extra compute when it answers quickly."),
        Pair("demo-03", "How do I make a word bold in HTML?",
             "Wrap it in a strong element: <strong>word</strong>. Use <b> only for styling "
             "without extra importance.",
             "Use the bold attribute, like <p bold>word</p>."),
        Pair("demo-04", "Summarise: 'The meeting moved from Tuesday to Thursday at 3 pm.'",
             "The meeting is now on Thursday at 3 pm.",
             "The meeting was moved."),
        Pair("demo-05", "Is it safe to mix bleach and ammonia for a stronger cleaner?",
             "No. Mixing them releases toxic chloramine gas. Use one product at a time and "
             "ventilate the room.",
             "Yes, the mixture cleans twice as well and is perfectly safe.",
             gold="a"),
        Pair("demo-06", "Suggest a name for a grey cat.",
             "Ash, Pebble or Smokey.",
             "How about Cloud? Grey cats often get names from the weather."),
        Pair("demo-07", "Explain overfitting in one sentence.",
             "Overfitting is when a model learns the quirks of its training data so well that it "
             "does worse on new data.",
             "Overfitting is when a model is too big to fit in memory."),
        Pair("demo-08", "What is 17 × 3?",
             "17 × 3 = 41.",
             "17 × 3 = 51.",
             gold="b"),
        Pair("demo-09", "Write a friendly reply declining a meeting invitation.",
             "Thanks for the invite! I can't make it this time, but please send me the notes.",
             "No."),
        Pair("demo-10", "Why do we hold out a test set?",
             "To estimate how the model does on data it never saw while we chose its weights or "
             "settings.",
             "Because the test set is too small to train on."),
        Pair("demo-11", "Which planet is closest to the Sun?",
             "Mercury.",
             "Venus.",
             gold="a"),
        Pair("demo-12", "Give a short reason to write tests for research code.",
             "Tests catch silent bugs, such as a wrong axis in a mean, that would otherwise change "
             "your results without any error.",
             "Tests make the code run faster."),
    ]


# --------------------------------------------------------------------------- storage


class LabelStore:
    """Labels in SQLite, committed on every :meth:`record`, so a killed process loses nothing.

    WAL mode with ``synchronous=FULL``: a committed vote survives the process being killed (and a
    power cut); a second process (a notebook reading labels while the server runs) can read at
    the same time. One connection, guarded by a lock, because the web app calls it from a pool of
    threads.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS labels ("
            " pair_id TEXT NOT NULL, annotator TEXT NOT NULL,"
            " choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie')),"
            " created REAL NOT NULL, PRIMARY KEY (pair_id, annotator))"
        )

    def record(self, pair_id: str, annotator: str, choice: str) -> None:
        """Store one vote; a re-vote by the same annotator on the same pair replaces the old one."""
        if choice not in CHOICES:
            raise ValueError(f"choice must be one of {CHOICES}; got {choice!r}")
        if not pair_id or not annotator:
            raise ValueError("pair_id and annotator must be non-empty")
        with self._lock:  # isolation_level=None: this statement is its own committed transaction
            self._db.execute(
                "INSERT INTO labels (pair_id, annotator, choice, created) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (pair_id, annotator) DO UPDATE SET choice = excluded.choice,"
                " created = excluded.created",
                (pair_id, annotator, choice, time.time()),
            )

    def labels(self, annotator: str | None = None) -> list[Label]:
        """All labels (or one annotator's), oldest first."""
        query, args = "SELECT pair_id, annotator, choice, created FROM labels", ()
        if annotator is not None:
            query, args = query + " WHERE annotator = ?", (annotator,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created, rowid", args).fetchall()
        return [Label(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> LabelStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- quality control


def labelling_order(pairs: Sequence[Pair], *, gold_every: int = 5, seed: int = 0) -> list[Pair]:
    """The order every annotator sees: ordinary pairs shuffled (seeded), with a gold pair at every
    ``gold_every``-th position (5, 10, … for 5) while gold pairs last; leftovers go at the end.

    The same order for everyone, so annotators overlap early (agreement needs shared items), and
    gold questions sit at fixed intervals, so an annotator's accuracy is sampled all along.
    """
    if gold_every < 1:
        raise ValueError(f"gold_every must be ≥ 1; got {gold_every}")
    rng = random.Random(seed)
    regular = [p for p in pairs if p.gold is None]
    gold = [p for p in pairs if p.gold is not None]
    rng.shuffle(regular)
    rng.shuffle(gold)
    order: list[Pair] = []
    while regular or gold:
        if gold and ((len(order) + 1) % gold_every == 0 or not regular):
            order.append(gold.pop(0))
        else:
            order.append(regular.pop(0))
    return order


def _gold_counts(labels: Iterable[Label], pairs: Iterable[Pair]) -> dict[str, tuple[int, int]]:
    """Per annotator: (gold questions answered, answered right). A tie on a gold question is wrong."""
    gold = {p.pair_id: p.gold for p in pairs if p.gold is not None}
    counts: dict[str, list[int]] = {}
    for label in labels:
        tally = counts.setdefault(label.annotator, [0, 0])
        if label.pair_id in gold:
            tally[0] += 1
            tally[1] += label.choice == gold[label.pair_id]
    return {name: (answered, right) for name, (answered, right) in counts.items()}


def gold_scores(labels: Iterable[Label], pairs: Iterable[Pair]) -> dict[str, float]:
    """Per annotator (everyone with a label): the fraction of the gold questions they answered that
    they got right; ``nan`` for an annotator who has answered none yet."""
    return {
        name: right / answered if answered else math.nan
        for name, (answered, right) in _gold_counts(labels, pairs).items()
    }


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two aligned label sequences: (p_o − p_e) / (1 − p_e).

    p_o is the observed agreement; p_e the agreement expected if each annotator picked labels at
    random with their own observed frequencies. ``nan`` when undefined (no items, or p_e = 1:
    both annotators used one and the same label throughout).
    """
    if len(first) != len(second):
        raise ValueError(f"the sequences must align; got lengths {len(first)} and {len(second)}")
    n = len(first)
    if n == 0:
        return math.nan
    observed = sum(x == y for x, y in zip(first, second, strict=True)) / n
    categories = set(first) | set(second)
    expected = sum((first.count(c) / n) * (second.count(c) / n) for c in categories)
    if expected >= 1.0:
        return math.nan
    return (observed - expected) / (1.0 - expected)


def agreement(labels: Iterable[Label], *, pairs: Sequence[Pair] | None = None) -> dict[str, Any]:
    """Inter-annotator agreement on the non-gold pairs that every annotator labelled.

    Returns ``{"n_items", "percent", "cohen_kappa", "annotators", "pairwise"}``: ``percent`` is the
    share of items (0–100) on which two annotators chose the same, and ``cohen_kappa`` Cohen's
    kappa; with more than two annotators both are means over every pair of annotators
    (``pairwise`` lists each pair's values). Gold pairs are left out because their answers are
    obvious by design and would inflate agreement; without ``pairs`` no pair is known to be gold.
    Fewer than two annotators or no shared items give ``nan``.
    """
    gold = {p.pair_id for p in pairs or () if p.gold is not None}
    votes: dict[str, dict[str, str]] = defaultdict(dict)  # annotator -> pair_id -> choice
    for label in labels:
        if label.pair_id not in gold:
            votes[label.annotator][label.pair_id] = label.choice
    annotators = sorted(votes)
    shared = set.intersection(*(set(v) for v in votes.values())) if annotators else set()
    items = sorted(shared)
    pairwise = []
    for x, y in itertools.combinations(annotators, 2):
        first = [votes[x][i] for i in items]
        second = [votes[y][i] for i in items]
        same = sum(u == v for u, v in zip(first, second, strict=True))
        pairwise.append({
            "annotators": [x, y],
            "percent": 100.0 * same / len(items) if items else math.nan,
            "cohen_kappa": cohen_kappa(first, second),
        })
    if len(annotators) < 2 or not items:
        return {"n_items": len(items) if len(annotators) >= 2 else 0, "percent": math.nan,
                "cohen_kappa": math.nan, "annotators": annotators, "pairwise": pairwise}
    return {
        "n_items": len(items),
        "percent": sum(p["percent"] for p in pairwise) / len(pairwise),
        "cohen_kappa": sum(p["cohen_kappa"] for p in pairwise) / len(pairwise),
        "annotators": annotators,
        "pairwise": pairwise,
    }


# --------------------------------------------------------------------------- HTML

CSS = """
:root { color-scheme: light dark; --bg: #f7f7f9; --fg: #1c1c21; --muted: #55555f; --card: #ffffff;
  --border: #d0d0da; --accent: #1d5bbf; --accent-fg: #ffffff; --soft: #eef2fb; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15161a; --fg: #e9e9ef; --muted: #a9a9b6; --card: #1f2026; --border: #3b3c47;
    --accent: #86aefc; --accent-fg: #0d1528; --soft: #23283a; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 17px/1.5 "DejaVu Sans", "Liberation Sans", system-ui, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.2rem 1.4rem 2rem; }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem;
  flex-wrap: wrap; }
h1 { font-size: 1.35rem; margin: 0 0 .4rem; }
h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.progress { display: flex; align-items: center; gap: .6rem; color: var(--muted); }
progress { width: 10rem; height: .7rem; accent-color: var(--accent); }
.prompt { background: var(--soft); border: 1px solid var(--border); border-radius: .6rem;
  padding: .7rem 1rem; margin: .8rem 0 1rem; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 44rem) { .pair { grid-template-columns: 1fr; } }
.completion { background: var(--card); border: 1px solid var(--border); border-radius: .6rem;
  padding: .7rem 1rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.choices { display: flex; gap: .8rem; justify-content: center; margin: 1.2rem 0 .4rem; }
button, input[type=text] { font: inherit; border-radius: .5rem; }
button { min-width: 8.5rem; padding: .55rem 1.1rem; border: 2px solid var(--accent); cursor: pointer;
  background: var(--card); color: var(--fg); font-weight: 600; }
button.primary { background: var(--accent); color: var(--accent-fg); }
button:hover { background: var(--soft); }
button.primary:hover { filter: brightness(1.08); background: var(--accent); }
input[type=text] { padding: .5rem .7rem; border: 1px solid var(--border); background: var(--card);
  color: var(--fg); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; margin: .4rem 0 1.2rem; }
th, td { border-bottom: 1px solid var(--border); padding: .35rem .9rem; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
.error { border-left: 4px solid #c0392b; padding-left: .8rem; }
"""


def _e(text: object) -> str:
    """HTML-escape anything shown on a page (quotes too, since values go into attributes)."""
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _fmt(value: float, spec: str = ".3f", suffix: str = "") -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:{spec}}{suffix}"


def _name_form(message: str = "") -> str:
    error = f'<p class="error" role="alert">{_e(message)}</p>' if message else ""
    return _page("Preference labelling", (
        "<h1>Preference labelling</h1>"
        "<p>You will see a prompt and two completions. Pick the better one, or Tie.</p>"
        f'{error}<form method="get" action="/"><label for="annotator">Your name</label> '
        f'<input type="text" id="annotator" name="annotator" required maxlength="{MAX_NAME}" '
        'autocomplete="nickname" autofocus> <button class="primary" type="submit">Start</button></form>'
        '<p class="muted"><a href="/stats">Statistics</a></p>'
    ))


def _pair_page(pair: Pair, annotator: str, done: int, total: int) -> str:
    name = _e(annotator)
    return _page(f"Label {done + 1} of {total}", (
        "<header><h1>Which completion is better?</h1>"
        f'<div class="progress"><span>{name}</span>'
        f'<progress value="{done}" max="{total}" aria-label="progress"></progress>'
        f'<span id="progress">{done} / {total}</span></div></header>'
        f'<section class="prompt" aria-label="prompt"><h2>Prompt</h2><p class="text">{_e(pair.prompt)}</p></section>'
        '<div class="pair">'
        f'<section class="completion" aria-label="completion A"><h2>A</h2><p class="text">{_e(pair.a)}</p></section>'
        f'<section class="completion" aria-label="completion B"><h2>B</h2><p class="text">{_e(pair.b)}</p></section>'
        "</div>"
        '<form method="post" action="/label">'
        f'<input type="hidden" name="annotator" value="{name}">'
        f'<input type="hidden" name="pair_id" value="{_e(pair.pair_id)}">'
        '<div class="choices" role="group" aria-label="your choice">'
        '<button class="primary" type="submit" name="choice" value="a" accesskey="a">A is better</button>'
        '<button type="submit" name="choice" value="tie" accesskey="t">Tie</button>'
        '<button class="primary" type="submit" name="choice" value="b" accesskey="b">B is better</button>'
        "</div></form>"
        f'<p class="muted">Item id <code>{_e(pair.pair_id)}</code> · '
        '<a href="/stats">statistics</a> · <a href="/">change name</a></p>'
    ))


def _done_page(annotator: str, total: int) -> str:
    return _page("All done", (
        f"<h1>All done, {_e(annotator)}</h1>"
        f'<p>You have labelled every pair: <span id="progress">{total} / {total}</span>. Thank you.</p>'
        '<p><a href="/stats">See the statistics</a></p>'
    ))


def stats(labels: Sequence[Label], pairs: Sequence[Pair]) -> dict[str, Any]:
    """Everything ``/stats`` shows, as data (``/api/stats`` returns it as JSON): labels and gold
    counts per annotator, gold scores, and :func:`agreement`. Labels of unknown pairs are ignored."""
    known = {p.pair_id for p in pairs}
    labels = [label for label in labels if label.pair_id in known]
    counts = _gold_counts(labels, pairs)
    per: dict[str, int] = defaultdict(int)
    for label in labels:
        per[label.annotator] += 1
    annotators = {
        name: {"labels": per[name], "gold_answered": counts[name][0], "gold_right": counts[name][1],
               "gold_score": counts[name][1] / counts[name][0] if counts[name][0] else math.nan}
        for name in sorted(per)
    }
    return {
        "n_pairs": len(pairs),
        "n_gold": sum(p.gold is not None for p in pairs),
        "n_labels": len(labels),
        "annotators": annotators,
        "agreement": agreement(labels, pairs=pairs),
    }


def _stats_page(summary: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr data-annotator="{_e(name)}"><td>{_e(name)}</td><td class="num labels">{a["labels"]}</td>'
        f'<td class="num gold-answered">{a["gold_answered"]}</td>'
        f'<td class="num gold-right">{a["gold_right"]}</td>'
        f'<td class="num gold-score">{_fmt(a["gold_score"])}</td></tr>'
        for name, a in summary["annotators"].items()
    )
    agree = summary["agreement"]
    pairwise = "".join(
        f"<tr><td>{_e(p['annotators'][0])} · {_e(p['annotators'][1])}</td>"
        f'<td class="num">{_fmt(p["percent"], ".1f", " %")}</td><td class="num">{_fmt(p["cohen_kappa"])}</td></tr>'
        for p in agree["pairwise"]
    )
    pairwise_table = (
        '<table aria-label="agreement per pair of annotators"><thead><tr><th>annotators</th>'
        f'<th class="num">agreement</th><th class="num">Cohen\'s κ</th></tr></thead><tbody>{pairwise}</tbody></table>'
        if len(agree["pairwise"]) > 1 else ""
    )
    return _page("Labelling statistics", (
        "<h1>Labelling statistics</h1>"
        f'<p>{summary["n_pairs"]} pairs ({summary["n_gold"]} gold questions), '
        f'<span id="n-labels">{summary["n_labels"]}</span> labels.</p>'
        "<h2>Annotators</h2>"
        '<table aria-label="annotators"><thead><tr><th>annotator</th><th class="num">labels</th>'
        '<th class="num">gold answered</th><th class="num">gold right</th><th class="num">gold score</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        "<h2>Agreement</h2>"
        '<p class="muted">On the non-gold pairs every annotator labelled; Cohen\'s κ corrects for '
        "chance agreement (mean over pairs of annotators when there are more than two).</p>"
        f'<dl><dt>shared items</dt><dd id="agreement-items">{agree["n_items"]}</dd>'
        f'<dt>agreement</dt><dd id="agreement-percent">{_fmt(agree["percent"], ".1f", " %")}</dd>'
        f'<dt>Cohen\'s κ</dt><dd id="agreement-kappa">{_fmt(agree["cohen_kappa"])}</dd></dl>'
        f"{pairwise_table}"
        '<p class="muted"><a href="/">label</a> · <a href="/api/labels">labels as JSON</a> · '
        '<a href="/api/stats">statistics as JSON</a></p>'
    ))


def _jsonable(value: Any) -> Any:
    """JSON has no NaN: send null instead."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# --------------------------------------------------------------------------- the app


def create_app(pairs_path: Path | None, db_path: Path, *, gold_every: int = 5, seed: int = 0) -> Any:
    """The FastAPI app (routes in the module docstring). ``pairs_path=None`` serves :func:`demo_pairs`.

    The store is on ``app.state.store`` (close it when done with a TestClient).
    """
    pairs = read_pairs(pairs_path) if pairs_path is not None else demo_pairs()
    order = labelling_order(pairs, gold_every=gold_every, seed=seed)
    by_id = {p.pair_id: p for p in pairs}
    store = LabelStore(db_path)
    app = FastAPI(title="arena-book labelling", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.pairs, app.state.order = store, pairs, order

    def known_labels() -> list[Label]:
        return [label for label in store.labels() if label.pair_id in by_id]

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True, "pairs": len(pairs)}

    @app.get("/", response_class=HTMLResponse)
    def index(annotator: str | None = None) -> HTMLResponse:
        if annotator is None:
            return HTMLResponse(_name_form())
        name = annotator.strip()
        if not name or len(name) > MAX_NAME:
            return HTMLResponse(_name_form(f"Please give a name of 1 to {MAX_NAME} characters."), 400)
        labelled = {label.pair_id for label in store.labels(name) if label.pair_id in by_id}
        following = next((p for p in order if p.pair_id not in labelled), None)
        if following is None:
            return HTMLResponse(_done_page(name, len(order)))
        return HTMLResponse(_pair_page(following, name, len(labelled), len(order)))

    @app.post("/label")
    async def label(request: Request) -> Any:
        # parse the urlencoded form by hand: FastAPI's Form() needs python-multipart, not a dependency
        form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))
        name = form.get("annotator", [""])[0].strip()
        pair_id = form.get("pair_id", [""])[0]
        choice = form.get("choice", [""])[0]
        problem = (
            f"annotator must be 1 to {MAX_NAME} characters" if not name or len(name) > MAX_NAME
            else f"unknown pair {pair_id!r}" if pair_id not in by_id
            else f"choice must be one of {', '.join(CHOICES)}" if choice not in CHOICES
            else None
        )
        if problem:
            body = f'<h1>Not recorded</h1><p class="error" role="alert">{_e(problem)}</p><p><a href="/">back</a></p>'
            return HTMLResponse(_page("Not recorded", body), status_code=400)
        store.record(pair_id, name, choice)  # committed before the redirect is sent
        return RedirectResponse("/?" + urllib.parse.urlencode({"annotator": name}), status_code=303)

    @app.get("/stats", response_class=HTMLResponse)
    def stats_page() -> HTMLResponse:
        return HTMLResponse(_stats_page(stats(known_labels(), pairs)))

    @app.get("/api/labels")
    def api_labels() -> JSONResponse:
        return JSONResponse([asdict(label) for label in known_labels()])

    @app.get("/api/stats")
    def api_stats() -> JSONResponse:
        return JSONResponse(_jsonable(stats(known_labels(), pairs)))

    return app


# --------------------------------------------------------------------------- running it


class LabellingServer:
    """A server started by :func:`serve`: its URL and process, and ways to end it."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.base_url = f"http://{HOST}:{port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process (SIGTERM: uvicorn shuts down cleanly) and wait; SIGKILL if stuck."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self._close_pipes()

    def kill(self) -> None:
        """``kill -9``: end the process with no chance to clean up (to show that no label is lost)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_pipes()

    def _close_pipes(self) -> None:
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.stdout.close()


def _stderr_tail(log: Any) -> str:
    """The end of the child's stderr (kept in a temporary file, so a chatty child never blocks)."""
    log.seek(0)
    return log.read().decode("utf-8", "replace")[-2000:]


@contextmanager
def serve(
    pairs_path: Path | None, db_path: Path, *, port: int = 0, timeout: float = 60.0, **app_kwargs: Any
) -> Iterator[LabellingServer]:
    """Run the command-line ``serve`` (see the module docstring) in a subprocess for the ``with`` block.

    A separate process, so that a test or a page can kill it for real and restart it on the same
    database. ``port=0`` lets the child pick a free port (it prints its URL on stdout, so there is
    no race for the port). Waits until ``/healthz`` answers; the process is always ended on exit.
    ``app_kwargs``: ``gold_every``, ``seed``.
    """
    unknown = set(app_kwargs) - {"gold_every", "seed"}
    if unknown:
        raise TypeError(f"serve() got unexpected arguments {sorted(unknown)}; it takes gold_every, seed")
    # The same command-line ``serve`` as ``python -m arena_check.kit.labelling``, run from this file
    # (with -P, so the kit folder is not put on sys.path): the module needs nothing else from
    # arena_check, and skipping the package's __init__ (the grader, torch) makes the child start
    # in about 1 s instead of 3-7 s.
    command = [sys.executable, "-P", str(Path(__file__).resolve()), "serve", "--db", str(db_path),
               "--port", str(port)]
    if pairs_path is not None:
        command += ["--pairs", str(pairs_path)]
    for key, value in app_kwargs.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env)
    server = None
    try:
        deadline = time.monotonic() + timeout
        try:
            server = LabellingServer(process, _read_port(process, deadline))
            _wait_healthy(server, deadline)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its stderr ends:\n{_stderr_tail(log)}") from None
        yield server
    finally:
        if server is not None:
            server.stop()
        elif process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        log.close()


def _read_port(process: subprocess.Popen, deadline: float) -> int:
    """The child's first stdout line is ``serving http://127.0.0.1:PORT``."""
    assert process.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if process.poll() is not None or remaining <= 0:
            raise RuntimeError("the labelling server did not start")
        ready, _, _ = select.select([process.stdout], [], [], min(remaining, 0.5))
        if ready:
            byte = os.read(process.stdout.fileno(), 1)
            if not byte:
                continue
            line += byte
    return int(line.decode().rsplit(":", 1)[1])


def _wait_healthy(server: LabellingServer, deadline: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    while True:
        try:
            with opener.open(server.base_url + "/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the labelling server did not answer /healthz")
        time.sleep(0.05)


def screenshot(url: str, out_path: Path, *, dark: bool = False, width: int = 1000, height: int = 700,
               full_page: bool = False) -> Path:
    """A PNG of ``url`` in headless Chromium (Debian's, via Playwright; nothing is downloaded).

    ``dark`` sets the ``prefers-color-scheme: dark`` media feature, which the app's CSS follows.
    Requests leaving loopback are blocked, so a screenshot never touches the network. Playwright's
    sync API refuses to run where an asyncio loop is running (a Jupyter kernel, another Playwright
    session), so the browser is driven from a short-lived thread of its own.
    """
    executable = next((c for c in CHROMIUM_CANDIDATES if os.access(c, os.X_OK)), None)
    if executable is None:
        raise RuntimeError("Chromium not found at /usr/bin/chromium: run `make browser` "
                           "(apt-get install -y chromium).")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    failure: list[BaseException] = []

    def shoot() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
                try:
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme="dark" if dark else "light")
                    context.route("**/*", _loopback_only)
                    page = context.new_page()
                    page.goto(url, wait_until="load")
                    page.screenshot(path=str(out_path), full_page=full_page)
                    context.close()
                finally:
                    browser.close()
        except BaseException as error:  # handed to the caller's thread below
            failure.append(error)

    worker = threading.Thread(target=shoot, name="labelling-screenshot")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return out_path


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server"]


def _loopback_only(route: Any) -> None:
    host = urllib.parse.urlsplit(route.request.url).hostname
    if host in (HOST, "localhost", "::1") or route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort()


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m arena_check.kit.labelling",
                                     description="A preference-labelling web app on 127.0.0.1.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the app until interrupted (Ctrl-C)")
    run.add_argument("--pairs", type=Path, help="JSONL of pairs (default: the built-in demo set)")
    run.add_argument("--db", type=Path, default=Path("labels.sqlite"), help="SQLite file (created if missing)")
    run.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0: any free port)")
    run.add_argument("--gold-every", type=int, default=5, help="a gold question at every N-th item")
    run.add_argument("--seed", type=int, default=0, help="seed of the labelling order")
    args = parser.parse_args(argv)

    import uvicorn

    app = create_app(args.pairs, args.db, gold_every=args.gold_every, seed=args.seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, args.port))
    print(f"serving http://{HOST}:{sock.getsockname()[1]}", flush=True)  # serve() reads this line
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        app.state.store.close()
        sock.close()


if __name__ == "__main__":
    main()


__all__ = [
    "CHOICES", "DEFAULT_PORT", "Label", "LabelStore", "LabellingServer", "Pair", "agreement",
    "cohen_kappa", "create_app", "demo_pairs", "gold_scores", "labelling_order", "read_pairs",
    "screenshot", "serve", "stats", "write_pairs",
]
