"""The labelling app (kit/labelling.py) without a browser: storage, gold questions, agreement,
escaping, the HTTP flow, and a real ``kill -9`` of the server process.

The browser test (clicking in headless Chromium) is tests/zoo/test_labelling_browser.py.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from arena_check.kit import labelling
from arena_check.kit.labelling import Label, LabelStore, Pair


def make_pairs(n_regular: int = 8, n_gold: int = 3) -> list[Pair]:
    regular = [Pair(f"p{i:02d}", f"prompt {i}", f"answer A{i}", f"answer B{i}") for i in range(n_regular)]
    gold = [Pair(f"g{i}", f"gold {i}", "right", "wrong", gold="a") for i in range(n_gold)]
    return regular + gold


def lab(pair_id: str, annotator: str, choice: str) -> Label:
    return Label(pair_id, annotator, choice, 0.0)


# --------------------------------------------------------------------------- data and storage


def test_pairs_round_trip_through_jsonl_and_bad_files_are_named(tmp_path: Path) -> None:
    pairs = make_pairs() + [Pair("u", "ünïcode «quotes»", 'a "b"\nline two', "<b>x</b>", gold="b")]
    path = labelling.write_pairs(pairs, tmp_path / "sub" / "pairs.jsonl")
    assert labelling.read_pairs(path) == pairs
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(pairs)
    with pytest.raises(ValueError, match="duplicate pair_id 'p00'"):
        labelling.write_pairs(pairs + [pairs[0]], tmp_path / "dup.jsonl")
    with pytest.raises(ValueError, match="gold must be"):
        Pair("x", "p", "a", "b", gold="tie")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(pairs[0].__dict__) + "\n\n{not json}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:3"):
        labelling.read_pairs(bad)


def test_store_round_trip_revote_replaces_and_survives_reopening(tmp_path: Path) -> None:
    db = tmp_path / "labels.sqlite"
    with LabelStore(db) as store:
        store.record("p1", "ann", "a")
        store.record("p2", "ann", "tie")
        store.record("p1", "bob", "b")
        store.record("p1", "ann", "b")  # re-vote: replaces, and becomes the newest
        with pytest.raises(ValueError, match="choice must be one of"):
            store.record("p3", "ann", "A")
        got = store.labels()
        assert [(x.pair_id, x.annotator, x.choice) for x in got] == [
            ("p2", "ann", "tie"), ("p1", "bob", "b"), ("p1", "ann", "b")
        ]
        assert [x.created for x in got] == sorted(x.created for x in got)
        assert [x.pair_id for x in store.labels("ann")] == ["p2", "p1"]
    with LabelStore(db) as again:  # a fresh connection sees every committed vote
        assert again.labels() == got


# --------------------------------------------------------------------------- quality control


def test_labelling_order_puts_gold_at_every_nth_position_in_a_seeded_order() -> None:
    pairs = make_pairs(n_regular=10, n_gold=4)
    order = labelling.labelling_order(pairs, gold_every=4, seed=3)
    assert sorted(p.pair_id for p in order) == sorted(p.pair_id for p in pairs)
    gold_positions = [i + 1 for i, p in enumerate(order) if p.gold]
    assert gold_positions == [4, 8, 12, 14]  # 4, 8, 12 by the rule; the last gold after the 10 regular
    assert order == labelling.labelling_order(pairs, gold_every=4, seed=3)
    assert order != labelling.labelling_order(pairs, gold_every=4, seed=4)
    assert [p.pair_id for p in order if not p.gold] != [p.pair_id for p in pairs if not p.gold]
    assert [i + 1 for i, p in enumerate(labelling.labelling_order(make_pairs(8, 3), gold_every=5)) if p.gold] == [5, 10, 11]
    with pytest.raises(ValueError, match="gold_every"):
        labelling.labelling_order(pairs, gold_every=0)


def test_gold_scores_count_right_answers_and_a_tie_is_wrong() -> None:
    pairs = [Pair("g1", "q", "r", "w", gold="a"), Pair("g2", "q", "w", "r", gold="b"),
             Pair("g3", "q", "r", "w", gold="a"), Pair("n1", "q", "x", "y")]
    labels = [
        lab("g1", "ann", "a"), lab("g2", "ann", "b"), lab("g3", "ann", "b"), lab("n1", "ann", "a"),
        lab("g1", "bob", "tie"), lab("g2", "bob", "b"),
        lab("n1", "cat", "b"),
    ]
    scores = labelling.gold_scores(labels, pairs)
    assert scores["ann"] == pytest.approx(2 / 3) and scores["bob"] == pytest.approx(1 / 2)
    assert math.isnan(scores["cat"]) and set(scores) == {"ann", "bob", "cat"}


def test_cohen_kappa_on_hand_computed_cases() -> None:
    same = ["a", "b", "tie", "a"]
    assert labelling.cohen_kappa(same, same) == pytest.approx(1.0)
    # agreement 1/2, each annotator half "a" half "b": chance agreement is also 1/2, kappa 0
    assert labelling.cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == pytest.approx(0.0)
    # the textbook table (50 items): yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5, kappa 0.4
    first = ["a"] * 25 + ["b"] * 25
    second = ["a"] * 20 + ["b"] * 5 + ["a"] * 10 + ["b"] * 15
    assert labelling.cohen_kappa(first, second) == pytest.approx(0.4)
    # complete disagreement on a balanced two-class set: kappa -1
    assert labelling.cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)
    # symmetric, and it agrees with scikit-learn's on random three-way labels
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(0)
    x = [rng.choice(labelling.CHOICES) for _ in range(60)]
    y = [c if rng.random() < 0.6 else rng.choice(labelling.CHOICES) for c in x]
    assert labelling.cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y))
    assert labelling.cohen_kappa(x, y) == pytest.approx(labelling.cohen_kappa(y, x))
    assert math.isnan(labelling.cohen_kappa([], []))
    assert math.isnan(labelling.cohen_kappa(["a", "a"], ["a", "a"]))  # p_e = 1: undefined
    with pytest.raises(ValueError, match="align"):
        labelling.cohen_kappa(["a"], ["a", "b"])


def test_agreement_uses_shared_non_gold_items_and_averages_pairs_of_annotators() -> None:
    pairs = [Pair(f"n{i}", "q", "x", "y") for i in range(5)] + [Pair("g", "q", "r", "w", gold="a")]
    labels = [lab(f"n{i}", "ann", c) for i, c in enumerate("aabba")]
    labels += [lab(f"n{i}", "bob", c) for i, c in enumerate("abab")]  # n4 not labelled by bob
    labels += [lab("g", "ann", "a"), lab("g", "bob", "b")]  # gold: left out
    two = labelling.agreement(labels, pairs=pairs)
    # shared n0..n3: ann aabb, bob abab -> agreement 2/4, kappa 0
    assert two["n_items"] == 4 and two["percent"] == pytest.approx(50.0)
    assert two["cohen_kappa"] == pytest.approx(0.0) and two["annotators"] == ["ann", "bob"]
    # without pairs nothing is known to be gold: g is shared too (a disagreement)
    assert labelling.agreement(labels)["n_items"] == 5
    assert labelling.agreement(labels)["percent"] == pytest.approx(40.0)
    three = labels + [lab(f"n{i}", "cat", c) for i, c in enumerate("aabb")]
    got = labelling.agreement(three, pairs=pairs)
    # ann-bob: 50 %, kappa 0; ann-cat: 100 %, kappa 1; bob-cat: 50 %, kappa 0
    assert got["n_items"] == 4 and got["percent"] == pytest.approx(200 / 3)
    assert got["cohen_kappa"] == pytest.approx(1 / 3) and len(got["pairwise"]) == 3
    alone = labelling.agreement(labels[:5], pairs=pairs)
    assert alone["n_items"] == 0 and math.isnan(alone["percent"]) and math.isnan(alone["cohen_kappa"])


# --------------------------------------------------------------------------- the web app


@pytest.fixture
def app_client(tmp_path: Path):
    pairs_path = labelling.write_pairs(make_pairs(n_regular=6, n_gold=2), tmp_path / "pairs.jsonl")
    app = labelling.create_app(pairs_path, tmp_path / "labels.sqlite", gold_every=3, seed=1)
    with TestClient(app, follow_redirects=False) as client:
        yield client, app
    app.state.store.close()


def vote(client: TestClient, annotator: str, pair_id: str, choice: str) -> httpx.Response:
    return client.post("/label", data={"annotator": annotator, "pair_id": pair_id, "choice": choice})


def test_app_flow_follows_the_order_records_votes_and_reports_stats(app_client) -> None:
    client, app = app_client
    order = app.state.order
    assert client.get("/healthz").json() == {"ok": True, "pairs": 8}
    assert 'name="annotator"' in client.get("/").text
    assert [i + 1 for i, p in enumerate(order) if p.gold] == [3, 6]
    for step, pair in enumerate(order):
        page = client.get("/", params={"annotator": "ann"}).text
        assert f'name="pair_id" value="{pair.pair_id}"' in page and f"{step} / 8" in page
        assert pair.prompt in page and pair.a in page and pair.b in page
        reply = vote(client, "ann", pair.pair_id, "a" if step % 2 == 0 else "b")
        assert reply.status_code == 303 and reply.headers["location"] == "/?annotator=ann"
    assert "All done" in client.get("/", params={"annotator": "ann"}).text
    assert vote(client, "ann", order[0].pair_id, "tie").status_code == 303  # a re-vote replaces
    labels = client.get("/api/labels").json()
    assert len(labels) == 8 and {x["choice"] for x in labels if x["pair_id"] == order[0].pair_id} == {"tie"}
    # gold at positions 3 and 6 (steps 2 and 5): "a" (right), "b" (wrong)
    stats = client.get("/api/stats").json()
    assert stats["annotators"]["ann"] == {"labels": 8, "gold_answered": 2, "gold_right": 1, "gold_score": 0.5}
    assert stats["agreement"]["percent"] is None  # one annotator: no agreement yet (JSON null, not NaN)
    page = client.get("/stats").text
    assert '<tr data-annotator="ann">' in page and '<td class="num gold-score">0.500</td>' in page
    # bad input is refused with a readable page and nothing is stored
    assert vote(client, "ann", "nope", "a").status_code == 400
    assert vote(client, "ann", order[0].pair_id, "A").status_code == 400
    assert vote(client, "  ", order[0].pair_id, "a").status_code == 400
    assert "Not recorded" in vote(client, "x" * 41, order[0].pair_id, "a").text
    assert client.get("/", params={"annotator": ""}).status_code == 400
    assert len(client.get("/api/labels").json()) == 8


def test_every_text_is_html_escaped(tmp_path: Path) -> None:
    evil = Pair("x\"'<id>", "<script>alert('p')</script>", "<img src=x onerror=alert(1)>", 'B & "quotes"')
    pairs_path = labelling.write_pairs([evil], tmp_path / "pairs.jsonl")
    app = labelling.create_app(pairs_path, tmp_path / "labels.sqlite")
    name = '<b onclick="x">mallory</b>'
    with TestClient(app) as client:
        page = client.get("/", params={"annotator": name}).text
        for raw in ("<script>", "<img", '<b onclick', "<id>"):
            assert raw not in page
        for escaped in ("&lt;script&gt;alert(&#x27;p&#x27;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;",
                        "B &amp; &quot;quotes&quot;", "&lt;b onclick=&quot;x&quot;&gt;mallory&lt;/b&gt;"):
            assert escaped in page
        assert client.post("/label", data={"annotator": name, "pair_id": evil.pair_id, "choice": "a"}).status_code == 200
        stats = client.get("/stats").text
        assert "<b onclick" not in stats and "&lt;b onclick=&quot;x&quot;&gt;mallory&lt;/b&gt;" in stats
        assert client.get("/api/labels").json()[0]["annotator"] == name
    app.state.store.close()


def test_the_page_css_follows_the_colour_scheme() -> None:
    assert "@media (prefers-color-scheme: dark)" in labelling.CSS
    assert '<meta name="color-scheme" content="light dark">' in labelling._page("t", "")


def test_demo_set_has_gold_questions_and_html_to_escape() -> None:
    demo = labelling.demo_pairs()
    assert len(demo) >= 10 and sum(p.gold is not None for p in demo) >= 3
    assert any("<" in p.a or "<" in p.b for p in demo)


# --------------------------------------------------------------------------- the real process


def test_kill_9_mid_session_then_restart_loses_no_label(tmp_path: Path) -> None:
    pairs = make_pairs(n_regular=6, n_gold=2)
    pairs_path = labelling.write_pairs(pairs, tmp_path / "pairs.jsonl")
    db = tmp_path / "labels.sqlite"
    order = labelling.labelling_order(pairs, gold_every=3, seed=2)
    sent = {}
    with labelling.serve(pairs_path, db, gold_every=3, seed=2) as server:
        with httpx.Client(base_url=server.base_url, trust_env=False) as http:
            for annotator, n in (("ann", 5), ("bob", 3)):
                for pair in order[:n]:
                    reply = http.post("/label", data={"annotator": annotator, "pair_id": pair.pair_id, "choice": "b"})
                    assert reply.status_code == 303  # acknowledged: it must survive
                    sent[(pair.pair_id, annotator)] = "b"
        process = server.process
        server.kill()
        assert process.returncode == -9
    with labelling.serve(pairs_path, db, gold_every=3, seed=2) as again:
        with httpx.Client(base_url=again.base_url, trust_env=False) as http:
            got = {(x["pair_id"], x["annotator"]): x["choice"] for x in http.get("/api/labels").json()}
            assert got == sent
            page = http.get("/", params={"annotator": "ann"}).text  # continues where ann stopped
            assert f'value="{order[5].pair_id}"' in page and "5 / 8" in page
        process = again.process
    assert process.poll() is not None  # the with block always ends the process


def test_serve_reports_a_child_that_cannot_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="did not start"):
        with labelling.serve(tmp_path / "missing.jsonl", tmp_path / "labels.sqlite"):
            pass


def test_the_documented_command_serves_the_demo_set(tmp_path: Path) -> None:
    """``python -m arena_check.kit.labelling serve`` (what learners type; serve() runs the same
    main() from the file) with no --pairs serves the demo set on loopback and stops on SIGTERM."""
    command = [sys.executable, "-m", "arena_check.kit.labelling", "serve", "--db", str(tmp_path / "l.sqlite"),
               "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        line = process.stdout.readline().decode()
        assert line.startswith("serving http://127.0.0.1:"), line + process.stderr.read().decode()
        base = line.split()[1]
        with httpx.Client(base_url=base, trust_env=False) as http:
            for _ in range(100):
                try:
                    health = http.get("/healthz")
                    break
                except httpx.ConnectError:
                    pass
            assert health.json() == {"ok": True, "pairs": len(labelling.demo_pairs())}
    finally:
        process.terminate()
        assert process.wait(timeout=20) in (0, -15)  # uvicorn shuts down, then re-raises SIGTERM
        process.stdout.close()
        process.stderr.close()
