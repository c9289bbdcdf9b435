"""Train the LoRA adapters that section 3.5 loads: KL-regularised REINFORCE of SmolLM2-135M-Instruct.

Why a script: a run long enough to show the reward rise and the reward hacking takes minutes on one
CPU thread, more than the page's budget. The page runs a few live steps of the same loop and then
loads these adapters, re-samples and re-scores them itself (reward and KL recomputed on the page).

Every piece of the loop comes from section 3.5's reference module (generated from the page), so the
script and the page cannot drift apart. Deterministic: seeds fixed, one torch thread.

    .venv/bin/python tools/train_rlhf_smollm2.py            # both runs, about 5-30 min, depending on the machine's load
    .venv/bin/python tools/train_rlhf_smollm2.py --beta 0.05 # one run
    .venv/bin/python tools/train_rlhf_smollm2.py --out /tmp/x # into /tmp/x/rlhf-smollm2-beta-<beta>/

Writes graders/arena_check/kit/weights/rlhf-smollm2-beta-<beta>/: adapter_model.safetensors
(float16), adapter_config.json, and meta.json with the settings and the per-step reward and KL.
One folder per run, so runs of several betas may train in parallel processes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from functools import partial
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import load_file, save_file

from arena_check.kit.models.smollm2 import load_hf
from arena_check.kit.paths import weights_dir
from arena_check.reference import s3_5_rlhf as rl

STEPS = 36
LR = 6e-3
MAX_NEW_TOKENS = 16
RANK, ALPHA = 4, 8.0
BETAS = (0.05, 0.5)


def train(beta: float, out_root: Path | None = None) -> None:
    """One run; its folder goes under ``out_root`` (the package's weights folder by default)."""
    torch.manual_seed(0)
    model, tokenizer = load_hf()
    config = LoraConfig(r=RANK, lora_alpha=ALPHA, target_modules=rl.LORA_TARGETS, lora_dropout=0.0)
    policy = get_peft_model(model, config)
    optimizer = torch.optim.Adam([p for p in policy.parameters() if p.requires_grad], lr=LR)
    baseline = rl.MovingBaseline(decay=0.9)
    reward = partial(rl.positive_word_reward, words=rl.POSITIVE_WORDS)
    log = []
    start = time.perf_counter()
    for step in range(STEPS):
        t0 = time.perf_counter()
        stats = rl.rl_step(policy, tokenizer, optimizer, baseline, reward, beta, MAX_NEW_TOKENS, seed=step)
        log.append({"step": step, "score": round(stats["score"], 4), "kl": round(stats["kl"], 3),
                    "seconds": round(time.perf_counter() - t0, 1), "sample": stats["texts"][0]})
        print(f"beta {beta} step {step:2d}  score {stats['score']:.3f}  kl {stats['kl']:6.2f}  "
              f"{time.perf_counter() - t0:5.1f}s  {stats['texts'][0]!r}", flush=True)
    name = f"rlhf-smollm2-beta-{beta}"
    folder = out_root / name if out_root is not None else weights_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    policy.save_pretrained(str(folder))
    weights = folder / "adapter_model.safetensors"
    save_file({k: v.half() for k, v in load_file(str(weights)).items()}, str(weights), metadata={"format": "pt"})
    weights.chmod(0o644)
    (folder / "README.md").unlink(missing_ok=True)  # peft's empty model card
    config_path = folder / "adapter_config.json"  # no local cache path in a shipped file
    saved = json.loads(config_path.read_text())
    saved["base_model_name_or_path"] = "HuggingFaceTB/SmolLM2-135M-Instruct"
    config_path.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
    meta = {
        "name": folder.name, "script": "tools/train_rlhf_smollm2.py",
        "base_model": "SmolLM2-135M-Instruct (arena_check.kit.models.smollm2.load_hf)",
        "beta": beta, "steps": STEPS, "lr": LR, "optimizer": "Adam", "rank": RANK, "alpha": ALPHA,
        "target_modules": rl.LORA_TARGETS, "batch": len(rl.RL_PROMPTS), "max_new_tokens": MAX_NEW_TOKENS,
        "baseline_decay": 0.9, "seed_of_step": "step index", "reward": "positive_word_reward, cap 4 (0 to 4)",
        "seconds": round(time.perf_counter() - start, 1),
        "adapter_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(), "adapter_bytes": weights.stat().st_size,
        "log": log,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")


def main() -> None:
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beta", type=float, action="append", help="train only these betas")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the run folders here instead of the package's weights folder")
    args = parser.parse_args()
    for beta in args.beta or list(BETAS):
        train(beta, args.out)


if __name__ == "__main__":
    main()
