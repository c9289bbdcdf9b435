"""Section 1.6's cached head-patching sweep (``kit/weights/function-vectors-smollm2``).

Fast tests: the shipped effects match meta.json, and the clean / shuffled log-probs and one head's
effect are re-measured with plain forward passes. The slow test re-runs the cache script on the
antonym task into a temporary folder and compares it with the shipped numbers.
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

from arena_check.kit.paths import weights_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "cache_function_vectors_smollm2.py"
CACHE = weights_dir("function-vectors-smollm2")


def _script():
    sys.path.insert(0, str(ROOT / "tools"))
    import cache_function_vectors_smollm2 as script

    return script


def test_shipped_effects_match_meta() -> None:
    meta = json.loads((CACHE / "meta.json").read_text())
    effects = load_file(str(CACHE / "effects.safetensors"))
    assert set(effects) == {"antonym", "uppercase", "capital"} == set(meta["tasks"])
    assert meta["script"] == "tools/cache_function_vectors_smollm2.py" and meta["seed"] == 0
    for task, value in effects.items():
        assert value.shape == (30, 9) and not value.isnan().any()
        top = [[int(i) // 9, int(i) % 9] for i in value.flatten().argsort(descending=True)[:10]]
        assert top == meta["tasks"][task]["top_heads"]
        stats = meta["tasks"][task]
        assert stats["clean_accuracy"] >= stats["shuffled_accuracy"]
    # antonyms: the task is in the demonstrations; capitals: it survives shuffling (the failure case)
    assert meta["tasks"]["antonym"]["clean_accuracy"] - meta["tasks"]["antonym"]["shuffled_accuracy"] > 0.3
    assert effects["antonym"].max() > 2 * effects["capital"].max()


def test_remeasure_logprobs_and_one_head(smollm2_hooked) -> None:
    model, script = smollm2_hooked, _script()
    meta = json.loads((CACHE / "meta.json").read_text())
    effects = load_file(str(CACHE / "effects.safetensors"))
    clean, shuffled = script.task_batches(model, "antonym")
    mean_z, clean_logp, _ = script.clean_stats(model, clean)
    assert clean_logp.mean().item() == pytest.approx(meta["tasks"]["antonym"]["clean_logprob"], abs=1e-3)
    layer, head = meta["tasks"]["antonym"]["top_heads"][0]
    rows, last = torch.arange(len(shuffled.lengths)), shuffled.lengths - 1

    def patch(z, hook):
        z = z.clone()
        z[rows, last, head] = mean_z[layer, head]
        return z

    def logp(hooks):
        with torch.inference_mode(), model.hooks(fwd_hooks=hooks):
            resid = model(shuffled.tokens, stop_at_layer=model.cfg.n_layers)
        return script.last_logprobs(model, resid[rows, last], shuffled.answer_ids).mean().item()

    base = logp([])
    assert base == pytest.approx(meta["tasks"]["antonym"]["shuffled_logprob"], abs=1e-3)
    gain = logp([(f"blocks.{layer}.attn.hook_z", patch)]) - base
    assert gain == pytest.approx(effects["antonym"][layer, head].item(), abs=2e-3)


@pytest.mark.slow
def test_cache_script_reproduces_antonyms(tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--tasks", "antonym"],
                   check=True, env=env, cwd=ROOT, timeout=900)
    fresh = load_file(str(tmp_path / "effects.safetensors"))["antonym"]
    shipped = load_file(str(CACHE / "effects.safetensors"))["antonym"]
    torch.testing.assert_close(fresh, shipped, atol=2e-3, rtol=0)
    meta = json.loads((tmp_path / "meta.json").read_text())["tasks"]["antonym"]
    shipped_meta = json.loads((CACHE / "meta.json").read_text())["tasks"]["antonym"]
    for key in ("clean_logprob", "shuffled_logprob", "clean_accuracy", "shuffled_accuracy"):
        assert meta[key] == pytest.approx(shipped_meta[key], abs=1e-3)
