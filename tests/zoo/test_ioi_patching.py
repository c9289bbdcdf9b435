"""The IOI kit's ABC twins, name positions and batches, and section 1.3's cached patching sweep.

Fast tests: ``ioi_pairs`` / ``name_positions`` / ``ioi_batch`` / ``final_logit_diff`` behave as
documented (on SmolLM2's tokenizer, where every name is one token), and the shipped sweep in
``kit/weights/ioi-patching-smollm2`` matches its meta.json and is re-measured at a few cells.
The slow test re-runs the cache script on two layers into a temporary folder and compares them
with the shipped numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from arena_check.kit import ioi
from arena_check.kit.paths import weights_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "cache_ioi_patching_smollm2.py"
CACHE = weights_dir("ioi-patching-smollm2")


def test_ioi_pairs_have_abc_twins() -> None:
    prompts = ioi.ioi_pairs(2, seed=5, templates=[0, 7], names=ioi.HELD_OUT_NAMES)
    assert len(prompts) == 2 * 2 * 2
    assert [p.order for p in prompts[:2]] == ["ABBA", "BABA"]
    assert {p.template for p in prompts} == {0, 7}
    for p in prompts:
        assert len({p.io, p.s, p.c}) == 3 and {p.io, p.s, p.c} <= set(ioi.HELD_OUT_NAMES)
        assert p.text.count(p.s) == 2 and p.corrupted.count(p.s) == 1 and p.corrupted.count(p.c) == 1
        assert p.text == ioi.TEMPLATES[p.template].format(
            A=p.io if p.order == "ABBA" else p.s, B=p.s if p.order == "ABBA" else p.io, S=p.s)
    assert prompts == ioi.ioi_pairs(2, seed=5, templates=[0, 7], names=ioi.HELD_OUT_NAMES)
    assert set(ioi.LOCALISATION_NAMES).isdisjoint(ioi.HELD_OUT_NAMES)
    # The old constructor is unchanged: no ABC fields.
    assert ioi.ioi_prompts(1, seed=0)[0].corrupted == ""


def test_name_positions() -> None:
    assert ioi.name_positions([0, 5, 9, 7, 9, 3], io_id=5, s_id=9) == {"IO": 1, "S1": 2, "S2": 4, "END": 5}
    with pytest.raises(ValueError):
        ioi.name_positions([0, 5, 9, 7, 3], io_id=5, s_id=9)


def test_ioi_batch_and_final_logit_diff(smollm2_hooked) -> None:
    model = smollm2_hooked
    prompts = ioi.ioi_pairs(1, seed=3, templates=[0, 3])
    batch = ioi.ioi_batch(model, prompts)
    assert batch.tokens.shape == batch.corrupted_tokens.shape
    differ = (batch.tokens != batch.corrupted_tokens).nonzero()
    assert differ[:, 1].tolist() == batch.positions["S2"].tolist()  # only S2 differs, one per row
    with torch.inference_mode():
        resid = model(batch.tokens, stop_at_layer=model.cfg.n_layers)
        fast = ioi.final_logit_diff(model, resid, batch)
    torch.testing.assert_close(fast, ioi.logit_differences(model, prompts), atol=1e-3, rtol=1e-4)


def test_shipped_sweep_matches_meta_and_model(smollm2_hooked) -> None:
    meta = json.loads((CACHE / "meta.json").read_text())
    sweep = load_file(str(CACHE / "patching.safetensors"))
    assert set(sweep) == {"head_all", "head_end", "resid"}
    assert sweep["head_all"].shape == (30, 9) and not sweep["head_all"].isnan().any()
    assert sweep["resid"].shape == (len(meta["resid_positions"]), 30)
    assert meta["script"] == "tools/cache_ioi_patching_smollm2.py" and meta["seed"] == 0
    top = [[int(i) // 9, int(i) % 9] for i in sweep["head_all"].abs().flatten().argsort(descending=True)[:10]]
    assert top == meta["top_heads_all"]
    # Re-measure: before layer 0 the information is only at S2 (the one token that differs), so
    # patching the residual stream there restores everything and patching END restores nothing.
    assert sweep["resid"][meta["resid_positions"].index("S2"), 0].item() == pytest.approx(1.0, abs=1e-3)
    assert sweep["resid"][meta["resid_positions"].index("END"), 0].item() == pytest.approx(0.0, abs=1e-3)
    prompts = ioi.ioi_pairs(meta["pairs_per_template"], meta["seed"], templates=meta["templates"], names=meta["names"])
    batch = ioi.ioi_batch(smollm2_hooked, prompts)
    with torch.inference_mode():
        clean = ioi.final_logit_diff(smollm2_hooked, smollm2_hooked(batch.tokens, stop_at_layer=30), batch).mean()
    assert clean.item() == pytest.approx(meta["ld_clean"], abs=1e-3)


@pytest.mark.slow
def test_cache_script_reproduces_two_layers(tmp_path: Path) -> None:
    layers = [24, 29]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--layers", *map(str, layers)],
                   check=True, env=env, cwd=ROOT, timeout=900)
    fresh = load_file(str(tmp_path / "patching.safetensors"))
    shipped = load_file(str(CACHE / "patching.safetensors"))
    for key in shipped:
        idx = (slice(None), layers) if key == "resid" else (layers,)
        torch.testing.assert_close(fresh[key][idx], shipped[key][idx], atol=2e-3, rtol=0)
    meta = json.loads((tmp_path / "meta.json").read_text())
    shipped_meta = json.loads((CACHE / "meta.json").read_text())
    assert meta["ld_clean"] == pytest.approx(shipped_meta["ld_clean"], abs=1e-3)
    assert meta["ld_corrupted"] == pytest.approx(shipped_meta["ld_corrupted"], abs=1e-3)
