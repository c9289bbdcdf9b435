"""The zoo's ``attn-only-2l``: it loads fast, and its induction circuit is really there.

Every property is recomputed here from the shipped weights on freshly generated sequences (seeds
different from the one the training script used for the numbers in meta.json), so a bad retrain
or a broken loader fails these tests instead of silently shipping.
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
import transformer_lens  # noqa: F401  (imported up front: the load-time bar excludes it)

from arena_check.kit import interp_metrics as im
from arena_check.kit import zoo
from arena_check.kit.models import attn_only

ROOT = Path(__file__).resolve().parents[2]
TRAIN_SCRIPT = ROOT / "tools" / "train_attn_only_2l.py"

#: The bars the issue sets for this model.
INDUCTION_BAR = 0.6
PREV_TOKEN_BAR = 0.6
LOAD_SECONDS_BAR = 2.0
#: The tokenizer the training script builds by default (``Hyper.vocab_size``).
EXPECTED_VOCAB = 512
#: Test seeds: not the training seed (0) nor the seed of the recorded metrics (1234).
FRESH_SEEDS = (7, 2024)


@pytest.fixture(scope="module")
def model():
    return zoo.load("attn-only-2l")


@pytest.fixture(scope="module")
def fresh_data(model) -> im.RepeatedTokens:
    allowed = torch.arange(1, model.cfg.d_vocab)  # every id but <|endoftext|>
    return im.repeated_random_tokens(32, 25, 50, allowed, bos=0, seed=FRESH_SEEDS[0])


@pytest.fixture(scope="module")
def scores(model, fresh_data) -> im.HeadScores:
    return im.head_scores(model, fresh_data)


# -------------------------------------------------------------------------------- loading


def test_loads_in_under_two_seconds() -> None:
    """The bar is for the zoo loader itself; importing TransformerLens (~5 s) is paid once anyway."""
    start = time.perf_counter()
    loaded = zoo.load("attn-only-2l")
    seconds = time.perf_counter() - start
    assert seconds < LOAD_SECONDS_BAR, f"zoo.load('attn-only-2l') took {seconds:.2f} s"
    assert loaded.cfg.attn_only and loaded.cfg.n_layers == 2
    assert not loaded.training


def test_zoo_entry_and_weights_are_small() -> None:
    entry = zoo.entry("attn-only-2l")
    assert "MIT" in entry.licence and "train_attn_only_2l.py" in entry.source
    shipped = sum(f.stat().st_size for f in attn_only.folder().iterdir())
    assert shipped < 5_000_000, f"weights folder is {shipped / 1e6:.1f} MB"


def test_meta_describes_the_shipped_model(model) -> None:
    meta = attn_only.meta()
    assert meta["script"] == "tools/train_attn_only_2l.py"
    n_params = sum(p.numel() for p in model.parameters())
    assert meta["config"]["d_model"] == model.cfg.d_model and n_params > 0
    for key in ("seed", "hyperparameters", "data", "train_seconds", "eval_loss", "metrics"):
        assert key in meta, f"meta.json lacks {key!r}"


# ------------------------------------------------------------------------------ tokenizer


def test_tokenizer_has_its_vocabulary_and_round_trips(model) -> None:
    tok = model.tokenizer
    assert len(tok) == EXPECTED_VOCAB == model.cfg.d_vocab, f"tokenizer has {len(tok)} tokens"
    assert tok.convert_tokens_to_ids("<|endoftext|>") == 0 == tok.bos_token_id
    for text in ["def f(x):\n    return x + 1", "The assert statement", "naïve café — 日本 ✓"]:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert len(ids) < len(text.encode()) or not text.isascii()
        assert tok.decode(ids) == text
    tokens = model.to_tokens("for x in range(3):")
    assert tokens[0, 0].item() == 0 and (tokens[0, 1:] != 0).all()
    assert model.to_string(tokens[0, 1:]) == "for x in range(3):"


def test_a_tokenizer_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    """The zoo's shared size guard covers this model too: a mismatched tokenizer.json fails loudly."""
    from tokenizers import Tokenizer

    from arena_check.kit.tokenizers import TokenizerSizeError

    for item in attn_only.folder().iterdir():
        (tmp_path / item.name).write_bytes(item.read_bytes())
    bigger = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    bigger.add_tokens(["<an extra token>"])
    bigger.save(str(tmp_path / "tokenizer.json"))
    with pytest.raises(TokenizerSizeError, match="513 tokens but 512 were expected"):
        attn_only.load(path=tmp_path)


# -------------------------------------------------------------------------------- circuit


def test_previous_token_and_induction_heads(scores: im.HeadScores) -> None:
    prev_head, prev = scores.best("prev_token", 0)
    ind_head, ind = scores.best("induction", 1)
    assert prev >= PREV_TOKEN_BAR, f"best layer-0 previous-token score {prev:.2f}: {scores.prev_token}"
    assert ind >= INDUCTION_BAR, f"best layer-1 induction score {ind:.2f}: {scores.induction}"
    # the heads meta.json names are the ones that pass on these fresh sequences
    recorded = attn_only.meta()["metrics"]
    layer, head = recorded["best_prev_token_head"]
    assert layer == 0 and scores.prev_token[0, head] >= PREV_TOKEN_BAR
    layer, head = recorded["best_induction_head"]
    assert layer == 1 and scores.induction[1, head] >= INDUCTION_BAR


def test_heads_generalise_to_another_seed_and_lengths(model) -> None:
    """Shorter and longer repeats than the recorded metrics used, still one clean circuit."""
    allowed = torch.arange(1, model.cfg.d_vocab)
    data = im.repeated_random_tokens(16, 10, 60, allowed, bos=0, seed=FRESH_SEEDS[1])
    scores = im.head_scores(model, data)
    assert scores.best("induction", 1)[1] >= INDUCTION_BAR
    assert scores.best("prev_token", 0)[1] >= PREV_TOKEN_BAR


def test_in_context_loss_drop(model, fresh_data) -> None:
    first, second = im.repeat_losses(model, fresh_data)
    assert first > 5.0, f"first copy should be unpredictable, loss {first:.2f}"
    assert second < first / 2, f"second copy loss {second:.2f} vs first {first:.2f}"


def test_k_composition_singles_out_the_circuit(model, scores: im.HeadScores) -> None:
    """The previous-token head's output feeds the induction head's keys more than any other pair.

    Random matrices of the same shapes score about ``1/sqrt(d_model)`` with a tiny spread; the
    circuit's pair must stand far outside it, the induction head's keys must read the
    previous-token head more than any other layer-0 head, and no layer-0 head may K-compose more
    strongly with any layer-1 head than the previous-token head does.
    """
    prev_head, _ = scores.best("prev_token", 0)
    ind_head, _ = scores.best("induction", 1)
    k_comp = im.composition_scores(model, "K")  # [layer-0 head, layer-1 head]
    random = im.random_composition_scores(model.cfg.d_model, model.cfg.d_head, seed=11)
    pair = float(k_comp[prev_head, ind_head])
    table = f"K-composition table (rows: layer-0 heads, columns: layer-1 heads):\n{k_comp}"
    assert int(k_comp[:, ind_head].argmax()) == prev_head, table
    assert int(k_comp.max(dim=1).values.argmax()) == prev_head, table
    assert pair > 1.5 * float(random.mean()), f"{pair:.3f} vs random {random.mean():.3f}; {table}"
    assert pair > float(random.mean() + 10 * random.std()), table


def test_ablating_the_previous_token_head_breaks_induction(model, fresh_data, scores) -> None:
    prev_head, _ = scores.best("prev_token", 0)
    ind_head, ind = scores.best("induction", 1)
    hook = [im.zero_ablation_hook(0, prev_head)]
    ablated = im.head_scores(model, fresh_data, fwd_hooks=hook)
    _, second = im.repeat_losses(model, fresh_data)
    _, second_ablated = im.repeat_losses(model, fresh_data, fwd_hooks=hook)
    assert float(ablated.induction[1, ind_head]) < ind / 2
    assert second_ablated > second + 1.0, f"loss {second:.2f} -> {second_ablated:.2f}"


def test_recorded_metrics_match_the_shipped_weights(model) -> None:
    """meta.json's numbers are what these weights give on the recorded seed (no stale record)."""
    recorded = attn_only.meta()["metrics"]
    allowed = torch.arange(1, model.cfg.d_vocab)
    data = im.repeated_random_tokens(32, 25, 50, allowed, bos=0, seed=recorded["metrics_seed"])
    scores = im.head_scores(model, data)
    assert torch.allclose(scores.induction, torch.tensor(recorded["induction_scores"]), atol=1e-3)
    assert torch.allclose(scores.prev_token, torch.tensor(recorded["prev_token_scores"]), atol=1e-3)


# ------------------------------------------------------------------------- metric helpers


def _ideal_patterns(data: im.RepeatedTokens) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention patterns of a perfect previous-token head and a perfect induction head."""
    batch, n = data.tokens.shape
    prev = torch.zeros(batch, 1, n, n)
    ind = torch.zeros(batch, 1, n, n)
    for b, length in enumerate(data.lengths.tolist()):
        for i in range(n):
            prev[b, 0, i, max(i - 1, 0)] = 1.0
            start = data.prefix_len + length
            ind[b, 0, i, i - length + 1 if start <= i < start + length else 0] = 1.0
    return prev, ind


def test_metric_helpers_score_ideal_heads_one_and_each_other_low() -> None:
    data = im.repeated_random_tokens(4, 3, 9, 50, bos=0, seed=0)
    prev, ind = _ideal_patterns(data)
    assert im.prev_token_scores(prev, data).item() == pytest.approx(1.0)
    assert im.induction_scores(ind, data).item() == pytest.approx(1.0)
    assert im.induction_scores(prev, data).item() < 0.2
    assert im.prev_token_scores(ind, data).item() < 0.5


def test_repeated_tokens_really_repeat() -> None:
    data = im.repeated_random_tokens(8, 2, 20, torch.arange(5, 60), bos=1, seed=3)
    assert (data.tokens[:, 0] == 1).all() and (data.tokens[:, 1:] >= 5).all()
    for row, length in zip(data.tokens, data.lengths.tolist(), strict=True):
        assert torch.equal(row[1 : 1 + length], row[1 + length : 1 + 2 * length])


def test_composition_score_extremes() -> None:
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(16, 4, generator=gen) @ torch.randn(4, 16, generator=gen)
    orth = torch.linalg.qr(a)[0][:, :4]
    aligned = orth @ orth.T  # rank-4 projection onto a's column space
    assert im.composition_score(aligned, aligned) == pytest.approx(0.5, abs=1e-5)  # 1/sqrt(rank)
    null = torch.eye(16) - aligned
    assert im.composition_score(aligned, null) == pytest.approx(0.0, abs=1e-5)
    base = im.random_composition_baseline(16, 4, n_samples=50)
    assert 0.0 < base < 0.5


# ---------------------------------------------------------------------------- retraining


@pytest.mark.slow
def test_retraining_reproduces_the_recorded_metrics(tmp_path: Path) -> None:
    """The training script with its default seed gives the shipped model's numbers again."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT), "--out", str(tmp_path)],
        check=True, env=env, timeout=900, capture_output=True,
    )
    new = json.loads((tmp_path / "meta.json").read_text())
    old = attn_only.meta()
    for key in ("best_induction_score", "best_prev_token_score"):
        assert new["metrics"][key] == pytest.approx(old["metrics"][key], abs=0.05), key
    assert new["eval_loss"] == pytest.approx(old["eval_loss"], abs=0.05)
    assert new["metrics"]["best_induction_head"] == old["metrics"]["best_induction_head"]
    assert new["metrics"]["best_prev_token_head"] == old["metrics"]["best_prev_token_head"]
    assert (tmp_path / "tokenizer.json").read_text() == (attn_only.folder() / "tokenizer.json").read_text()
    retrained = attn_only.load(path=tmp_path)
    assert retrained.cfg.d_vocab == EXPECTED_VOCAB
