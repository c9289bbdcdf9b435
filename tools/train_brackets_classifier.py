"""Train the zoo's ``brackets-classifier``: a bidirectional transformer that tells balanced bracket strings.

    .venv/bin/python tools/train_brackets_classifier.py                 # writes the shipped weights
    .venv/bin/python tools/train_brackets_classifier.py --out /tmp/x    # somewhere else
    .venv/bin/python tools/train_brackets_classifier.py --help          # every hyperparameter is a flag

CPU, one thread by default (``--threads``), deterministic for a given seed and thread count. The
shipped run took 29 minutes on a 2-core machine shared with four other jobs (about 0.13 s per
step when the machine was quiet at the start, 0.45 s per step at its busiest); on an idle core
expect roughly 10 minutes. Writes ``model.safetensors`` (fp32, ~0.3 MB) and ``meta.json`` (config, data recipe,
hyperparameters, wall time, held-out accuracy per kind of string) into ``--out``;
``arena_check.kit.models.brackets`` loads that folder.

The model (``brackets.model_config``): 3 layers, 2 heads of 28 dimensions, d_model 56, a ReLU MLP
of 112 neurons, LayerNorm, learned positions, ``attention_dir="bidirectional"``, a 4-token
vocabulary (``[START] [PAD] ( )``) and a 2-way unembedding read at the ``[START]`` position
(index 1 = balanced). Padding is hidden from the keys by permanent hooks (see the kit module).

Data: every batch is drawn afresh from ``brackets.sample`` — uniform balanced strings, fair-coin
random strings, and three kinds of hard negative: a balanced string with one ``)`` turned into ``(``
(too many opens, never dips), ``u ) v ( w`` for balanced ``u, v, w`` (right counts, elevation
touches -1 exactly once, anywhere), and shuffled balanced strings (right counts, wrong order).
Random strings alone would let a model get away with counting, since almost all of them are
unbalanced for easy reasons; the hard negatives force it to check the order. Labels always come
from ``brackets.is_balanced``, never from the kind.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402  (tools/, beside this file)

from arena_check.kit.models import brackets  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

NAME = brackets.NAME
EVAL_SEED = 4321  # the held-out set behind the recorded accuracies; tests use other seeds
EVAL_PER_KIND = 2000


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained weights (recorded in meta.json)."""

    seed: int = 0
    steps: int = 4000
    batch: int = 128
    lr: float = 2e-3
    warmup: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 1.0


def labels(strings: list[str]) -> torch.Tensor:
    return torch.tensor([int(brackets.is_balanced(s)) for s in strings])


@torch.inference_mode()
def accuracy_by_kind(model, seed: int, n_per_kind: int = EVAL_PER_KIND) -> dict[str, float]:
    """Held-out accuracy on ``n_per_kind`` fresh strings of each kind, plus the overall mixture."""
    out = {}
    for kind, strings in brackets.sample_by_kind(n_per_kind, seed).items():
        pred = brackets.predict_balanced(model, strings)
        out[kind] = round(float((pred == labels(strings).bool()).float().mean()), 4)
    strings, _ = brackets.sample(n_per_kind * 2, seed + 1)
    pred = brackets.predict_balanced(model, strings)
    out["mixture"] = round(float((pred == labels(strings).bool()).float().mean()), 4)
    return out


def fit(model, hp: Hyper, log_every: int = 500) -> list[float]:
    """AdamW on fresh batches from the mixture; returns the last 100 training losses."""
    opt = torch.optim.AdamW(model.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
    recent: list[float] = []
    start = time.perf_counter()
    model.train()
    for step in range(hp.steps):
        for group in opt.param_groups:
            group["lr"] = warmup_cosine_lr(step, peak=hp.lr, warmup=hp.warmup, total=hp.steps, floor_fraction=0.05)
        strings, _ = brackets.sample(hp.batch, seed=hp.seed * 1_000_003 + step)
        logits = model(brackets.tokenize(strings))[:, 0]
        loss = F.cross_entropy(logits, labels(strings))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip)
        opt.step()
        recent = (recent + [loss.item()])[-100:]
        if (step + 1) % log_every == 0:
            model.eval()
            acc = accuracy_by_kind(model, seed=99, n_per_kind=300)
            model.train()
            print(f"step {step + 1:5d}  loss {sum(recent) / len(recent):.4f}  {acc}  "
                  f"{time.perf_counter() - start:.0f}s", flush=True)
    model.eval()
    return recent


def train(hp: Hyper, out: Path) -> dict:
    """Model, training, held-out accuracy; writes ``model.safetensors`` and ``meta.json`` into ``out``."""
    from safetensors.torch import save_file

    t_start = time.perf_counter()
    torch.manual_seed(hp.seed)
    config = brackets.model_config() | {"seed": hp.seed}
    model = brackets.build(config)
    recent = fit(model, hp)
    train_seconds = time.perf_counter() - t_start
    meta = {
        "name": NAME,
        "script": "tools/train_brackets_classifier.py",
        "licence": "MIT (weights trained by the project)",
        "seed": hp.seed,
        "threads": torch.get_num_threads(),
        "hyperparameters": asdict(hp),
        "config": config,
        "vocab": brackets.VOCAB,
        "readout": "logits[:, 0] (the [START] position); index 1 = balanced, 0 = unbalanced",
        "data": {
            "mixture": brackets.KINDS,
            "max_len": brackets.MAX_LEN,
            "recipe": "brackets.sample(batch, seed=seed * 1000003 + step) for every step; labels from "
            "brackets.is_balanced",
            "strings_seen": hp.steps * hp.batch,
        },
        "optimiser": "AdamW (betas 0.9, 0.999), linear warm-up then cosine decay to 5 %, grad-norm clip",
        "train_seconds": round(train_seconds, 1),
        "final_train_loss_last100": round(sum(recent) / len(recent), 5),
        "eval_seed": EVAL_SEED,
        "eval_per_kind": EVAL_PER_KIND,
        "accuracy": accuracy_by_kind(model, EVAL_SEED),
    }
    out.mkdir(parents=True, exist_ok=True)
    params = {k: v.detach().contiguous() for k, v in model.state_dict().items()
              if not k.endswith(("IGNORE", "mask"))}
    save_file(params, str(out / "model.safetensors"), metadata={"name": NAME})
    meta["total_seconds"] = round(time.perf_counter() - t_start, 1)
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(NAME), __doc__, argv)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    meta = train(hp, out)
    print(json.dumps({k: meta[k] for k in ("train_seconds", "final_train_loss_last100", "accuracy")}, indent=1))


if __name__ == "__main__":
    main()
