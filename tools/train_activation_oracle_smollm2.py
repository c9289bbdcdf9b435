"""Train section 4.2's activation oracle for SmolLM2, or its control (``--variant``).

    .venv/bin/python tools/train_activation_oracle_smollm2.py --variant oracle    # shipped oracle
    .venv/bin/python tools/train_activation_oracle_smollm2.py --variant control   # shipped control
    .venv/bin/python tools/train_activation_oracle_smollm2.py --out /tmp/ao --steps 3   # smoke run

CPU, one thread by default (``--threads``); deterministic for a given seed and thread count.
Time: the shipped oracle took 25 minutes wall (23 of them training, ≈ 3.9 s a step) at a load
average of 3–5 on the shared 2-core machine, the control about as long (both meta.json files
record their time and the load average at start and end). On a quiet machine each variant should
take about 12 minutes (an estimate from the 1.6 s a step measured there for a trial with longer
prompts and batch 16, not a measurement). Writes ``adapter_model.safetensors`` (fp16 LoRA weights,
peft's layout), ``adapter_config.json`` and ``meta.json`` into ``--out`` (default
``kit/weights/activation-oracle-smollm2`` or ``…-control-smollm2``).

What is trained. SmolLM2-135M-Instruct reads its own activations. The source pass runs the base
model on each example's source text (``"The word: Kraków"``) and keeps the residual stream after
decoder layer 15 at the last token — once, batched, before training. The reader is the same base
model with a fresh LoRA adapter (rank 8, all seven linear maps of every block); its prompt is
``"Activation: ?\\n{question}\\nAnswer:"`` (questions such as ``Is it a city?``) and the
target the next token ``" Yes"`` or ``" No"``
(cross-entropy over the whole vocabulary at that one position). For ``--variant oracle`` a forward
hook on decoder layer 1 adds the source activation, rescaled to the norm of the residual there,
at the placeholder ``" ?"`` (:func:`arena_check.kit.oracles.injecting`). ``--variant control`` is
the same run — same seed, same LoRA initialisation, same batches in the same order — with nothing
injected: the control can only learn what the question text gives away.

Data: :data:`arena_check.kit.oracles.TRAINED_FAMILIES` (``is_city``, ``in_country``,
``capitalised``) on the training subjects; the fourth family (``is_true``) is never trained on.
After training, the saved adapter is loaded back as the page loads it and scored (balanced
accuracy with a standard error) on the held-out subjects of all four families; meta.json keeps
those figures.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import random
import sys
import time
import warnings
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402  (tools/, beside this file)

from arena_check.kit import oracles as ao  # noqa: E402
from arena_check.kit.models.smollm2 import load_hf  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
HUB_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"
VARIANTS = ("oracle", "control")


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained adapter (recorded in meta.json)."""

    variant: str = "oracle"
    seed: int = 0
    rank: int = 8
    alpha: float = 16.0
    steps: int = 350
    batch_size: int = 12
    lr: float = 1e-3
    warmup: int = 20
    min_lr_fraction: float = 0.1
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    test_n: int = 0  # 0 = score every held-out example; N > 0 = only the first N (smoke runs)


def batches(n_items: int, per_batch: int, steps: int, seed: int) -> list[list[int]]:
    """Indices for each step: epochs of a seeded shuffle, cut into batches."""
    rng = random.Random(seed)
    order: list[int] = []
    while len(order) < steps * per_batch:
        epoch = list(range(n_items))
        rng.shuffle(epoch)
        order += epoch
    return [order[i * per_batch : (i + 1) * per_batch] for i in range(steps)]


def add_lora(model: Any, hp: Hyper) -> Any:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=hp.rank,
        lora_alpha=hp.alpha,
        lora_dropout=0.0,
        target_modules=list(TARGET_MODULES),
        bias="none",
        task_type="CAUSAL_LM",
    )
    torch.manual_seed(hp.seed)  # LoRA's A matrices: the same for both variants
    return get_peft_model(model, config)


def activations_for(model: Any, tokenizer: Any, examples: list[ao.Example]) -> torch.Tensor:
    """Source activations, one per example, from one batched pass over the distinct texts."""
    texts = sorted({e.source for e in examples})
    acts = ao.extract_activations(model, tokenizer, texts)
    index = {t: i for i, t in enumerate(texts)}
    return acts[torch.tensor([index[e.source] for e in examples])]


def train(
    model: Any, tokenizer: Any, examples: list[ao.Example], acts: torch.Tensor, hp: Hyper
) -> list[dict[str, float]]:
    yes, no = ao.yes_no_ids(tokenizer)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=hp.lr, weight_decay=hp.weight_decay)
    model.train()
    log, start, running = [], time.perf_counter(), []
    for step, idx in enumerate(batches(len(examples), hp.batch_size, hp.steps, hp.seed)):
        lr = warmup_cosine_lr(
            step, peak=hp.lr, warmup=hp.warmup, total=hp.steps, floor_fraction=hp.min_lr_fraction
        )
        for group in opt.param_groups:
            group["lr"] = lr
        chosen = [examples[i] for i in idx]
        batch = ao.encode_questions(tokenizer, [e.question for e in chosen])
        vectors = acts[torch.tensor(idx)] if hp.variant == "oracle" else None
        logits = ao.answer_logits(model, batch, vectors)
        targets = torch.tensor([yes if e.label else no for e in chosen])
        loss = torch.nn.functional.cross_entropy(logits, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, hp.grad_clip)
        opt.step()
        running.append(loss.item())
        if step % 25 == 0 or step == hp.steps - 1:
            entry = {
                "step": step,
                "loss_mean_since_last": round(sum(running) / len(running), 4),
                "seconds": round(time.perf_counter() - start, 1),
            }
            running = []
            log.append(entry)
            print(json.dumps(entry), flush=True)
    model.eval()
    return log


def save_adapter(model: Any, out: Path) -> dict[str, Any]:
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.detach().to(torch.float16).contiguous()
        for k, v in get_peft_model_state_dict(model).items()
    }
    path = out / ao.ADAPTER_FILE
    save_file(state, str(path), metadata={"format": "pt"})
    config = model.peft_config["default"]
    config.base_model_name_or_path = HUB_NAME
    config.target_modules = sorted(config.target_modules)
    config.save_pretrained(str(out))
    return {
        "file": ao.ADAPTER_FILE,
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "tensors": len(state),
        "parameters": sum(v.numel() for v in state.values()),
        "dtype": "float16",
    }


def _score(margins: torch.Tensor, examples: list[ao.Example]) -> dict[str, float | int]:
    score = ao.balanced_accuracy(margins > 0, torch.tensor([e.label for e in examples]))
    return {
        "balanced_accuracy": round(score.balanced_accuracy, 4),
        "se": round(score.se, 4),
        "n_pos": score.n_pos,
        "n_neg": score.n_neg,
    }


def evaluate(
    model: Any, tokenizer: Any, source: Any, hp: Hyper
) -> dict[str, Any]:
    """Balanced accuracy on the held-out subjects of every family (trained and held out): all of
    them, and the balanced subset the page scores (:func:`arena_check.kit.oracles.balanced_subset`)."""
    full, page = {}, {}
    for family, make in ao.FAMILIES.items():
        examples = make("test")[: hp.test_n or None]
        acts = activations_for(source, tokenizer, examples) if hp.variant == "oracle" else None
        m = ao.margins(model, tokenizer, [e.question for e in examples], acts)
        full[family] = _score(m, examples)
        idx = ao.balanced_subset(examples)
        page[family] = _score(m[torch.tensor(idx)], [examples[i] for i in idx])
        print(family, full[family], page[family], flush=True)
    return {"test": full, "page_subset": page, "page_subset_per_label": ao.PAGE_PER_LABEL}


def run(hp: Hyper, out: Path) -> dict[str, Any]:
    if hp.variant not in VARIANTS:
        raise SystemExit(f"--variant must be one of {VARIANTS}")
    t0 = time.perf_counter()
    load_start = os.getloadavg()
    random.seed(hp.seed)
    torch.manual_seed(hp.seed)
    base, tokenizer = load_hf()
    base.eval()
    examples = [e for f in ao.TRAINED_FAMILIES for e in ao.FAMILIES[f]("train", seed=hp.seed)]
    t_extract = time.perf_counter()
    acts = activations_for(base, tokenizer, examples)  # base model: before the adapter exists
    extract_seconds = time.perf_counter() - t_extract
    print(f"{len(examples)} examples, activations in {extract_seconds:.1f} s", flush=True)

    model = add_lora(base, hp)
    t_train = time.perf_counter()
    log = train(model, tokenizer, examples, acts, hp)
    train_seconds = time.perf_counter() - t_train
    adapter = save_adapter(model, out)
    del model, base

    from peft import PeftModel

    base, tokenizer = load_hf()
    base.eval()
    source, _ = load_hf()  # a separate base model for the source pass
    source.eval()
    reader = PeftModel.from_pretrained(base, str(out)).eval()  # the saved fp16 adapter
    metrics = evaluate(reader, tokenizer, source, hp)
    counts = {f: sum(e.family == f for e in examples) for f in ao.TRAINED_FAMILIES}
    return {
        "name": ao.ORACLE_NAME if hp.variant == "oracle" else ao.CONTROL_NAME,
        "script": "tools/train_activation_oracle_smollm2.py",
        "variant": hp.variant,
        "base_model": "SmolLM2-135M-Instruct (arena_check.kit.models.smollm2.load_hf)",
        "adapter": {**adapter, "method": "LoRA (peft)", "rank": hp.rank, "alpha": hp.alpha,
                    "target_modules": list(TARGET_MODULES)},
        "setup": {
            "source_layer": ao.SOURCE_LAYER,
            "source_position": "last token of the source text",
            "inject_layer": ao.INJECT_LAYER,
            "injection": "h + ||h|| * v / ||v|| at the placeholder"
            if hp.variant == "oracle" else "nothing injected (control)",
            "reader_prompt": ao.reader_prompt("{question}"),
        },
        "data": {
            "trained_families": list(ao.TRAINED_FAMILIES),
            "held_out_family": ao.HELD_OUT_FAMILY,
            "train_examples": counts,
            "epochs": round(hp.steps * hp.batch_size / len(examples), 2),
            "test": "held-out subjects (arena_check.kit.facts.split_subjects 'test'), seed 0",
        },
        "hyperparameters": {f.name: getattr(hp, f.name) for f in fields(hp)},
        "metrics": metrics,
        "loss_log": log,
        "extract_seconds": round(extract_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "threads": torch.get_num_threads(),
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            **{k: importlib.metadata.version(k) for k in ("torch", "transformers", "peft")},
        },
    }


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, Path(""), __doc__, argv)
    if out == Path(""):
        out = weights_dir(ao.ORACLE_NAME if hp.variant == "oracle" else ao.CONTROL_NAME)
    warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)
    torch.set_num_threads(threads)
    meta = run(hp, out)
    (out / ao.META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: meta[k] for k in ("train_seconds", "wall_seconds", "metrics")}, indent=1))


if __name__ == "__main__":
    main()
