"""``gpt2-mini``: loads fast, is GPT-2-shaped, and its recorded losses hold when recomputed.

The validation loss is recomputed over every held-out document of the corpus and compared with
meta.json (same computation, so only float summation order can differ: tolerance 0.01 nats), and
with the best unigram model of the same text (the model must beat it by a wide margin).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from arena_check.kit import corpora, zoo
from arena_check.kit.models import gpt2_mini as g2m
from arena_check.kit.paths import weights_dir
from arena_check.kit.tokenizers import GPT2_EOT_ID, GPT2_VOCAB_SIZE, gpt2_tokenizer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "train_gpt2_mini.py"
#: Recomputing a recorded loss on the same machine differs only by float summation order.
SAME_RUN_TOL = 0.01
#: Retraining from scratch: identical on one machine with one thread; other CPUs' kernels may
#: round differently and the differences compound over training steps.
RETRAIN_TOL = 0.05
#: "Well below the unigram baseline": beat the best unigram model by 1 nat (perplexity ÷ e).
UNIGRAM_MARGIN = 1.0


@pytest.fixture(scope="module")
def model():
    return zoo.load("gpt2-mini")


@pytest.fixture(scope="module")
def meta():
    return g2m.read_meta()


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def test_loads_in_a_few_seconds(model):
    """Timed after the fixture's first load, so library imports are not counted."""
    start = time.perf_counter()
    again = zoo.load("gpt2-mini")
    assert time.perf_counter() - start < 5.0
    assert again is not model and torch.equal(again.embed.W_E, model.embed.W_E)


def test_is_a_gpt2_with_the_gpt2_tokenizer(model, meta):
    cfg = model.cfg
    assert (cfg.normalization_type, cfg.positional_embedding_type, cfg.act_fn) == ("LN", "standard", "gelu_new")
    assert not cfg.attn_only
    assert cfg.d_vocab == len(model.tokenizer) == GPT2_VOCAB_SIZE
    assert model.tokenizer is gpt2_tokenizer()
    for key, value in meta["config"].items():
        assert getattr(cfg, key) == value


def test_unembedding_is_tied_and_absent_tokens_are_silenced(model):
    active = model.unembed.b_U == 0
    assert torch.equal(model.unembed.W_U, model.embed.W_E.T)
    assert torch.all(model.unembed.b_U[~active] == g2m.ABSENT_LOGIT)
    assert torch.all(model.embed.W_E[~active] == 0)
    assert 5_000 < int(active.sum()) < 20_000  # the corpus's vocabulary
    assert model.tokenizer.encode(" return")[0] in active.nonzero().flatten().tolist()


def test_weights_are_small_fp16():
    from safetensors import safe_open

    path = weights_dir(g2m.NAME) / g2m.WEIGHTS_FILE
    assert path.stat().st_size < 25e6
    with safe_open(str(path), "pt") as f:
        dtypes = {f.get_slice(k).get_dtype() for k in f.keys() if k != g2m.ACTIVE_IDS_KEY}
    assert dtypes == {"F16"}


@pytest.fixture(scope="module")
def check_windows(model) -> torch.Tensor:
    """The validation windows on which meta.json records ``val_loss_check`` (every 4th one)."""
    docs = [d.text for d in corpora.python_docs_documents("validation")]
    tokens = corpora.encode_documents(gpt2_tokenizer(), docs, GPT2_EOT_ID)
    windows = corpora.token_windows(tokens, model.cfg.n_ctx, GPT2_EOT_ID)
    return windows[:: g2m.CHECK_STRIDE]


def _unigram_entropy(tokens: torch.Tensor) -> float:
    """Entropy (nats) of the text's own token frequencies: no unigram model does better on it."""
    p = torch.bincount(tokens.flatten()).double()
    p = p[p > 0] / p.sum()
    return float(-(p * p.log()).sum())


def test_validation_loss_matches_meta_and_beats_unigram(model, meta, check_windows):
    """Recomputed through the full 50,257-token model on held-out documents.

    A quarter of the validation windows (evenly spread) keeps this test ≈ 10 s; meta.json has
    the loss on all of them too (``val_loss``), computed the same way.
    """
    metrics = meta["metrics"]
    assert len(check_windows) == metrics["val_check_windows"]
    with torch.no_grad():
        total = sum(float(model(b, return_type="loss")) * len(b) for b in check_windows.split(4))
    val_loss = total / len(check_windows)
    assert abs(val_loss - metrics["val_loss_check"]) < SAME_RUN_TOL
    assert abs(val_loss - metrics["val_loss"]) < 0.2  # the subset is representative
    baseline = _unigram_entropy(check_windows[:, 1:])
    assert val_loss < baseline - UNIGRAM_MARGIN, (val_loss, baseline)


def test_generates_text(model):
    prompt = "The return value of"
    torch.manual_seed(0)
    greedy = model.generate(prompt, max_new_tokens=30, do_sample=False, verbose=False)
    sampled = model.generate(prompt, max_new_tokens=30, do_sample=True, verbose=False)
    for text in (greedy, sampled):
        assert text.startswith(prompt) and len(text) > len(prompt)
    assert sum(ch.isalpha() for ch in sampled[len(prompt) :]) >= 20, sampled
    assert greedy != sampled


@pytest.mark.slow
def test_training_script_smoke_run_loads(tmp_path):
    """A 3-step run end to end: the script's output is loadable by the zoo loader."""
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--steps", "3", "--eval-windows", "4"],
        env=_env(), check=True, capture_output=True, timeout=600,
    )
    meta = json.loads((tmp_path / g2m.META_FILE).read_text())
    assert meta["steps"] == 3 and meta["metrics"]["val_windows"] == 4
    small = g2m.load(directory=tmp_path)
    assert small.cfg.d_vocab == GPT2_VOCAB_SIZE
    # barely trained: far worse than the shipped model
    assert meta["metrics"]["val_loss"] > g2m.read_meta()["metrics"]["val_loss"] + 2


@pytest.mark.slow
def test_retraining_reproduces_the_recorded_metrics(tmp_path, meta):
    threads = str(meta["threads"])
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--threads", threads],
        env=_env(), check=True, capture_output=True, timeout=1800,
    )
    again = json.loads((tmp_path / g2m.META_FILE).read_text())
    assert again["hyperparameters"] == meta["hyperparameters"]
    assert again["data"] == meta["data"]
    for key in ("val_loss", "train_loss", "fp32_val_loss"):
        assert abs(again["metrics"][key] - meta["metrics"][key]) < RETRAIN_TOL, key
