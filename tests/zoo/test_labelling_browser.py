"""The labelling app in a real browser: headless Chromium (Debian's, driven by Playwright) clicks
through the pages as two annotators would, with JavaScript switched off (the app is plain forms).

The server runs as its own process (``labelling.serve``); the test kills it with SIGKILL in the
middle of the session, restarts it on the same database and port, and checks that every
acknowledged click is still there, that each annotator continues where they stopped, and that
``/stats`` shows the gold scores and agreement computed here from the clicks themselves.
The test never skips: without Chromium it fails and says how to install it.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sklearn.metrics import cohen_kappa_score

from arena_check.kit import labelling
from arena_check.kit.labelling import Pair

BUTTONS = {"a": "A is better", "b": "B is better", "tie": "Tie"}
N_REGULAR, N_GOLD, GOLD_EVERY, SEED = 8, 2, 4, 5


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium for this module (nothing is downloaded); fails, never skips."""
    executable = next((c for c in labelling.CHROMIUM_CANDIDATES if os.access(c, os.X_OK)), None)
    if executable is None:
        pytest.fail(
            "Chromium not found at /usr/bin/chromium: run `make browser` "
            "(apt-get install -y chromium) to run the labelling browser test.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: run `make setup` (dev extra).", pytrace=False)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=labelling.CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def make_pairs() -> list[Pair]:
    regular = [Pair(f"r{i}", f"Question {i}?", f"First answer to {i}.", f"Second answer to {i}.")
               for i in range(N_REGULAR)]
    gold = [Pair("gold-1", "What is 2 + 2?", "4", "5", gold="a"),
            Pair("gold-2", "Capital of France?", "Lyon", "Paris", gold="b")]
    return regular + gold


class Annotator:
    """One person at one browser tab: reads the pair on screen, decides, clicks, remembers."""

    def __init__(self, context, name: str, pairs: dict[str, Pair], careful: bool, seed: int) -> None:
        self.page = context.new_page()
        self.name = name
        self.pairs = pairs
        self.careful = careful  # a careful annotator gets gold questions right; a careless one does not
        self.rng = random.Random(seed)
        self.clicks: dict[str, str] = {}  # pair_id -> last choice acknowledged by the server

    def start(self, base_url: str) -> None:
        """Open the front page and type the name into the form, as a person would."""
        self.page.goto(base_url + "/")
        self.page.get_by_label("Your name").fill(self.name)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Start").click()

    def shown_pair(self) -> str:
        return self.page.locator('input[name="pair_id"]').get_attribute("value")

    def progress(self) -> str:
        return self.page.locator("#progress").inner_text()

    def label(self, n: int) -> None:
        for _ in range(n):
            pair = self.pairs[self.shown_pair()]
            assert self.page.get_by_label("completion A").inner_text().endswith(pair.a)
            if pair.gold:
                choice = pair.gold if self.careful else ("tie" if pair.gold == "a" else "a")
            else:
                choice = self.rng.choice(labelling.CHOICES)
            with self.page.expect_navigation():
                self.page.get_by_role("button", name=BUTTONS[choice], exact=True).click()
            self.clicks[pair.pair_id] = choice


def test_two_annotators_label_in_chromium_survive_a_kill_and_stats_are_right(browser, tmp_path: Path) -> None:
    pairs = make_pairs()
    by_id = {p.pair_id: p for p in pairs}
    order = [p.pair_id for p in labelling.labelling_order(pairs, gold_every=GOLD_EVERY, seed=SEED)]
    pairs_path = labelling.write_pairs(pairs, tmp_path / "pairs.jsonl")
    db = tmp_path / "labels.sqlite"
    total = len(pairs)
    contexts = [browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 700})
                for _ in range(2)]
    try:
        ann = Annotator(contexts[0], "ann", by_id, careful=True, seed=1)
        bob = Annotator(contexts[1], "bob", by_id, careful=False, seed=2)

        with labelling.serve(pairs_path, db, gold_every=GOLD_EVERY, seed=SEED) as first:
            port = first.port
            ann.start(first.base_url)
            bob.start(first.base_url)
            assert ann.shown_pair() == order[0] and ann.progress() == f"0 / {total}"
            ann.label(3)
            bob.label(2)
            ann.label(3)  # ann has passed the first gold question (position 4)
            bob.label(3)
            assert ann.progress() == f"6 / {total}" and bob.progress() == f"5 / {total}"
            first.kill()  # SIGKILL: no shutdown handler runs
            assert first.process.returncode == -9

        with labelling.serve(pairs_path, db, port=port, gold_every=GOLD_EVERY, seed=SEED) as second:
            with httpx.Client(base_url=second.base_url, trust_env=False) as http:
                stored = {(x["annotator"], x["pair_id"]): x["choice"] for x in http.get("/api/labels").json()}
            expected = {("ann", k): v for k, v in ann.clicks.items()} | {("bob", k): v for k, v in bob.clicks.items()}
            assert stored == expected, "a label acknowledged before the kill is missing after the restart"
            # ann reloads her tab and continues where she stopped
            ann.page.reload()
            assert ann.progress() == f"6 / {total}" and ann.shown_pair() == order[6]
            # bob's tab still shows the form he had open before the kill: his click goes through
            assert bob.shown_pair() == order[5]
            bob.label(total - 5)
            ann.label(total - 6)
            for person in (ann, bob):
                assert "All done" in person.page.content() and len(person.clicks) == total
                assert person.progress() == f"{total} / {total}"

            # /stats in the browser shows what the clicks imply
            page = ann.page
            page.goto(second.base_url + "/stats")
            gold = [p.pair_id for p in pairs if p.gold]
            for person, right in ((ann, 2), (bob, 0)):
                assert sum(person.clicks[g] == by_id[g].gold for g in gold) == right
                row = page.locator(f'tr[data-annotator="{person.name}"]')
                assert row.locator(".labels").inner_text() == str(total)
                assert row.locator(".gold-answered").inner_text() == str(len(gold))
                assert row.locator(".gold-right").inner_text() == str(right)
                assert row.locator(".gold-score").inner_text() == f"{right / len(gold):.3f}"
            shared = [p.pair_id for p in pairs if not p.gold]
            first_votes = [ann.clicks[i] for i in shared]
            second_votes = [bob.clicks[i] for i in shared]
            percent = 100 * sum(x == y for x, y in zip(first_votes, second_votes, strict=True)) / len(shared)
            kappa = cohen_kappa_score(first_votes, second_votes)
            assert page.locator("#agreement-items").inner_text() == str(len(shared))
            assert page.locator("#agreement-percent").inner_text() == f"{percent:.1f} %"
            assert page.locator("#agreement-kappa").inner_text() == f"{kappa:.3f}"

            shot = labelling.screenshot(second.base_url + "/?annotator=viewer", tmp_path / "app-dark.png", dark=True)
            data = shot.read_bytes()
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
    finally:
        for context in contexts:
            context.close()
