"""The activation-oracle kit (`arena_check.kit.oracles`) and the two shipped adapters.

Fast tests: the question families are balanced where they should be and split by subject; the
injection helpers do what their docstrings say; the shipped adapters are small fp16 LoRA files
with a meta.json; and a fresh measurement on a few held-out `is_city` records agrees with what the
training script recorded (the oracle reads the activation, the control cannot). Slow: the
training script reruns from scratch (both variants, ≈ 10–25 min each) and reproduces meta.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from arena_check.kit import facts
from arena_check.kit import oracles as ao
from arena_check.kit.paths import weights_dir

REPO = Path(__file__).resolve().parents[2]
NAMES = {"oracle": ao.ORACLE_NAME, "control": ao.CONTROL_NAME}


def _meta(folder: Path) -> dict:
    return json.loads((folder / ao.META_FILE).read_text())


def test_nouns_are_not_city_names() -> None:
    cities = {c.name.lower() for c in facts.cities()}
    assert len(set(ao.NOUNS)) == len(ao.NOUNS)
    assert not cities & set(ao.NOUNS)


@pytest.mark.parametrize("family", list(ao.FAMILIES))
def test_families_are_split_by_subject(family: str) -> None:
    train = {e.subject for e in ao.FAMILIES[family]("train")}
    test = ao.FAMILIES[family]("test")
    assert train and test
    assert not train & {e.subject for e in test}
    assert {e.label for e in test} == {True, False}


def test_in_country_and_is_true_are_balanced() -> None:
    for family in ("in_country", "is_true"):
        labels = [e.label for e in ao.FAMILIES[family]("test")]
        assert sum(labels) * 2 == len(labels)


def test_balanced_subset_takes_the_first_of_each_label() -> None:
    examples = ao.is_city_examples("test")
    idx = ao.balanced_subset(examples, 5)
    assert idx == sorted(idx)
    assert sum(examples[i].label for i in idx) == 5 and len(idx) == 10


def test_inject_adds_a_norm_matched_vector_at_the_placeholder_only() -> None:
    g = torch.Generator().manual_seed(0)
    hidden = torch.randn(3, 5, 4, generator=g)
    vectors = 100 * torch.randn(3, 4, generator=g)
    pos = torch.tensor([1, 4, 0])
    out = ao.inject(hidden, vectors, pos)
    rows = torch.arange(3)
    delta = out - hidden
    torch.testing.assert_close(delta[rows, pos].norm(dim=-1), hidden[rows, pos].norm(dim=-1))
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[rows, pos] = False
    assert torch.equal(out[mask], hidden[mask])


def test_placeholder_positions_refuses_missing_or_repeated() -> None:
    assert ao.placeholder_positions(torch.tensor([[1, 7, 2], [7, 0, 0]]), 7).tolist() == [1, 0]
    for bad in ([[1, 2, 3]], [[7, 1, 7]]):
        with pytest.raises(ValueError):
            ao.placeholder_positions(torch.tensor(bad), 7)


def test_balanced_accuracy_scores_a_constant_answer_at_one_half() -> None:
    labels = torch.tensor([True] * 7 + [False] * 3)
    assert ao.balanced_accuracy(torch.ones(10, dtype=torch.bool), labels).balanced_accuracy == 0.5
    assert ao.balanced_accuracy(labels, labels).se == 0.0


@pytest.mark.parametrize("variant", list(NAMES))
def test_adapter_is_a_small_fp16_lora_with_meta(variant: str) -> None:
    folder = weights_dir(NAMES[variant])
    meta = _meta(folder)
    assert meta["variant"] == variant
    assert meta["script"] == "tools/train_activation_oracle_smollm2.py"
    assert (folder / ao.ADAPTER_FILE).stat().st_size < 20_000_000
    assert meta["adapter"]["dtype"] == "float16"
    assert meta["hyperparameters"]["steps"] >= 300
    assert set(meta["metrics"]["test"]) == set(ao.FAMILIES)


def test_both_variants_share_hyperparameters() -> None:
    hp = {v: dict(_meta(weights_dir(n))["hyperparameters"]) for v, n in NAMES.items()}
    for v in hp.values():
        v.pop("variant")
    assert hp["oracle"] == hp["control"]


@pytest.fixture(scope="module")
def reader(smollm2_hf):
    from arena_check.kit.models.smollm2 import load_hf

    base, tokenizer = load_hf()  # a private copy: the adapters are injected into its modules
    return ao.load_oracles(base.eval()), tokenizer


def test_hidden_after_layer_equals_the_full_pass(smollm2_hf) -> None:
    model, tokenizer = smollm2_hf
    enc = tokenizer(["The word: Lima", "The city of Kraków is in Poland."], return_tensors="pt",
                    padding=True)
    with torch.no_grad():
        full = model(**enc, output_hidden_states=True).hidden_states[ao.SOURCE_LAYER + 1]
        part = ao.hidden_after_layer(model, enc)
    torch.testing.assert_close(part, full)


def test_shipped_adapters_reproduce_their_is_city_gap(reader) -> None:
    """The first 12 held-out records of each answer: the oracle separates them, the control
    cannot (one question string: one answer), as the recorded metrics say."""
    model, tokenizer = reader
    examples = ao.is_city_examples("test")
    subset = [examples[i] for i in ao.balanced_subset(examples, 12)]
    labels = torch.tensor([e.label for e in subset])
    questions = [e.question for e in subset]
    with model.disable_adapter():
        acts = ao.extract_activations(model, tokenizer, [e.source for e in subset])
    model.set_adapter("oracle")
    oracle = ao.balanced_accuracy(ao.margins(model, tokenizer, questions, acts) > 0, labels)
    model.set_adapter("control")
    control = ao.balanced_accuracy(ao.margins(model, tokenizer, questions, None) > 0, labels)
    assert control.balanced_accuracy == 0.5
    recorded = _meta(weights_dir(ao.ORACLE_NAME))["metrics"]["test"]["is_city"]["balanced_accuracy"]
    assert oracle.balanced_accuracy >= 0.7
    assert abs(oracle.balanced_accuracy - recorded) <= 0.2


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(NAMES))
def test_retraining_reproduces_the_recorded_metrics(tmp_path: Path, variant: str) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, str(REPO / "tools" / "train_activation_oracle_smollm2.py"),
                    "--variant", variant, "--out", str(tmp_path)],
                   check=True, env=env, timeout=3600, capture_output=True)
    new, old = _meta(tmp_path), _meta(weights_dir(NAMES[variant]))
    assert new["hyperparameters"] == old["hyperparameters"]
    for family, want in old["metrics"]["test"].items():
        got = new["metrics"]["test"][family]
        assert got["balanced_accuracy"] == pytest.approx(want["balanced_accuracy"], abs=0.03), family
