"""Train the zoo's ``grokking-mod-53``: a one-layer transformer that groks (a + b) mod 53.

    .venv/bin/python tools/train_grokking_mod_p.py                 # writes the shipped weights
    .venv/bin/python tools/train_grokking_mod_p.py --out /tmp/x    # somewhere else
    .venv/bin/python tools/train_grokking_mod_p.py --help          # every hyperparameter is a flag

CPU, one thread (``--threads``), a few minutes (meta.json records the time), deterministic for a
given seed and thread count. Writes into ``--out``:

* ``checkpoints.safetensors``: the parameters at each checkpoint step, keys ``step_<NNNNN>.<name>``
  (e.g. ``step_01200.blocks.0.attn.W_Q``), fp32;
* ``history.safetensors``: ``history`` ``[n_logs, 5]`` = (step, train loss, test loss, train
  accuracy, test accuracy) every ``log_every`` steps, and ``train_mask`` ``[p, p]`` (1 where the
  pair ``(a, b)`` is in the training set);
* ``meta.json``: the model config, hyperparameters, checkpoint steps, the time it took and the
  key figures (the first step with 100 % train accuracy, the first with >= 99 % test accuracy,
  the delay between them, the final losses and accuracies).

``arena_check.kit.models.grokking`` loads that folder. The setup follows Nanda et al. 2023
(https://arxiv.org/abs/2301.05217): inputs ``[a, b, =]`` (token ``p`` is ``=``), the model reads
its logits over ``0..p-1`` at the last position; one layer, learned positions, 4 heads, ReLU MLP of
``4 * d_model``, no LayerNorm; full-batch AdamW with betas (0.9, 0.98), lr 3e-3 and weight decay
0.5 on every parameter, a short linear warm-up and then a constant learning rate; 40 % of the
pairs for training.

What was tried on this machine (see the page 1.8 for the figures):

* p = 113, d_model = 128 (Nanda et al.'s size): about 0.3 s a step on one thread, too slow.
* p = 53, d_model = 64, 40 % of pairs for training, lr 1e-3: memorised at once, but only 0.38
  test accuracy after 12 000 steps (the delay grows fast as the training fraction shrinks).
* p = 53, 60 %, lr 3e-3: memorised by step 500 and grokked at about step 2 500 — a short delay.
* p = 53, 40 %, lr 3e-3, wd 0.5 (the defaults): train accuracy 100 % at step 110, test
  accuracy >= 99 % at step 3 490 — a delay of about 3 400 steps. Halving the weight decay
  roughly doubled the delay; 30 % of the pairs had not started to generalise after 2 500 steps.

All runs are listed in meta.json's ``notes``. Time: 7 000 steps took 26 min on this 2-core
machine while it ran about 8 other processes (load average 8); an estimated 3–5 min on a quiet
core (the trial notes measured 24 ms a step).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from jaxtyping import Float, Int
from torch import Tensor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from training_common import parse_hyper_args  # noqa: E402  (tools/, beside this file)

from arena_check.kit.paths import weights_dir  # noqa: E402

NAME = "grokking-mod-53"

#: What the runs on this (shared, 2-core) machine showed; recorded in meta.json and shown on page 1.8.
NOTES = [
    "p = 113, d_model 128 (Nanda et al.'s size): about 0.3 s a step on one thread, too slow to "
    "train to grokking within the budget.",
    "p = 53, 40 % of pairs, lr 1e-3, wd 1.0: memorised at once, but test accuracy only 0.38 after "
    "12 000 steps (an earlier trial).",
    "p = 53, 60 %, lr 3e-3, wd 1.0: memorised by step 500 with test accuracy 0.60, still 0.62 at "
    "step 2 000, 1.00 at 3 000 (an earlier trial).",
    "p = 53, 50 %, lr 3e-3, wd 1.0: test accuracy 0.56 at step 500 and 0.98 at step 1 000: "
    "the delay is short.",
    "p = 53, 40 %, lr 3e-3, wd 1.0: memorised by step 500 (test 0.36); test 0.45 at step 1 000, "
    "0.70 at 1 500, 1.00 at 2 000.",
    "p = 53, 30 %, lr 3e-3, wd 1.0: memorised by step 500, then test accuracy stuck at 0.08 "
    "(test loss 28) through step 2 500: too slow for the budget.",
    "p = 53, 40 %, lr 3e-3, wd 0.5 (the defaults, the shipped run): train accuracy 100 % at step "
    "110; test accuracy 0.32 at step 500, 0.50 at 2 000, 0.65 at 2 500, 0.89 at 3 000, 99 % at "
    "about 3 500: halving the weight decay roughly doubled the delay.",
]


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained weights (recorded in meta.json)."""

    seed: int = 0
    p: int = 53
    d_model: int = 64
    n_heads: int = 4
    frac_train: float = 0.4
    lr: float = 3e-3
    weight_decay: float = 0.5
    warmup: int = 10
    steps: int = 7000
    log_every: int = 10
    ckpt_every: int = 250  # plus the early steps in ``early_ckpts``
    early_ckpts: str = "0,25,50,100,150"
    init_range: float = 0.0  # 0 means TransformerLens's default (1 / sqrt(d_model))

    def ckpt_steps(self) -> list[int]:
        early = {int(s) for s in self.early_ckpts.split(",") if s}
        regular = set(range(0, self.steps + 1, self.ckpt_every)) | {self.steps}
        return sorted(early | regular)


def model_config(hp: Hyper) -> dict:
    """Keyword arguments for ``HookedTransformerConfig`` (stored in meta.json; the loader uses them)."""
    cfg = {
        "n_layers": 1,
        "d_model": hp.d_model,
        "n_heads": hp.n_heads,
        "d_head": hp.d_model // hp.n_heads,
        "d_mlp": 4 * hp.d_model,
        "act_fn": "relu",
        "normalization_type": None,
        "n_ctx": 3,
        "d_vocab": hp.p + 1,
        "d_vocab_out": hp.p,
        "positional_embedding_type": "standard",
        "model_name": NAME,
        "seed": hp.seed,
    }
    if hp.init_range:
        cfg["initializer_range"] = hp.init_range
    return cfg


def all_pairs(p: int) -> Int[Tensor, "p_sq 3"]:
    """Every input ``[a, b, =]`` in row-major order of ``(a, b)`` (row ``a * p + b``)."""
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    return torch.stack([a, b, torch.full_like(a, p)], dim=1)


def train_mask(p: int, frac: float, seed: int) -> Tensor:
    """``[p, p]`` bool, True for the ``round(frac * p * p)`` pairs of a seeded random split."""
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(p * p, generator=gen)
    mask = torch.zeros(p * p, dtype=torch.bool)
    mask[perm[: round(frac * p * p)]] = True
    return mask.view(p, p)


def loss_and_acc(logits: Float[Tensor, "batch p"], labels: Int[Tensor, " batch"]) -> tuple[Tensor, float]:
    """Cross-entropy computed in float64 (losses near 1e-7 would round away in fp32) and accuracy."""
    logp = logits.double().log_softmax(-1)
    loss = -logp.gather(-1, labels[:, None]).mean()
    return loss, float((logits.argmax(-1) == labels).float().mean())


def build_model(hp: Hyper):
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    torch.manual_seed(hp.seed)
    return HookedTransformer(HookedTransformerConfig(**model_config(hp)))


def first_step(history: Tensor, column: int, threshold: float) -> int | None:
    """The first logged step whose ``column`` is ``>= threshold`` (None if never)."""
    hits = (history[:, column] >= threshold).nonzero()
    return int(history[hits[0, 0], 0]) if len(hits) else None


def train(hp: Hyper, out: Path) -> dict:
    from safetensors.torch import save_file

    t_start = time.perf_counter()
    data = all_pairs(hp.p)
    labels = (data[:, 0] + data[:, 1]) % hp.p
    mask = train_mask(hp.p, hp.frac_train, hp.seed).flatten()
    x_tr, y_tr, x_te, y_te = data[mask], labels[mask], data[~mask], labels[~mask]

    model = build_model(hp)
    opt = torch.optim.AdamW(
        model.parameters(), lr=hp.lr, betas=(0.9, 0.98), weight_decay=hp.weight_decay
    )
    ckpts = set(hp.ckpt_steps())
    saved: dict[str, Tensor] = {}
    history: list[list[float]] = []
    for step in range(hp.steps + 1):
        if step in ckpts:
            for name, param in model.named_parameters():
                saved[f"step_{step:05d}.{name}"] = param.detach().clone()
        logits = model(x_tr)[:, -1]
        loss, acc = loss_and_acc(logits, y_tr)
        if step % hp.log_every == 0:
            with torch.inference_mode():
                test_loss, test_acc = loss_and_acc(model(x_te)[:, -1], y_te)
            history.append([step, loss.item(), test_loss.item(), acc, test_acc])
            if step % (hp.log_every * 50) == 0:
                print(
                    f"step {step:5d}  train {loss.item():.4f} ({acc:.3f})  "
                    f"test {test_loss.item():.4f} ({test_acc:.3f})  "
                    f"{time.perf_counter() - t_start:.0f}s",
                    flush=True,
                )
        if step == hp.steps:
            break
        for group in opt.param_groups:
            group["lr"] = hp.lr * min(1.0, (step + 1) / hp.warmup)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    train_seconds = time.perf_counter() - t_start

    hist = torch.tensor(history, dtype=torch.float64)
    train_full = first_step(hist, 3, 1.0)
    test_99 = first_step(hist, 4, 0.99)
    meta = {
        "name": NAME,
        "script": "tools/train_grokking_mod_p.py",
        "licence": "MIT (weights trained by the project)",
        "seed": hp.seed,
        "threads": torch.get_num_threads(),
        "hyperparameters": asdict(hp),
        "config": model_config(hp),
        "task": "inputs [a, b, =] with = the token p; label (a + b) mod p, read at the last position",
        "split": f"seeded random permutation of the p*p pairs (seed {hp.seed}); the first "
        f"round(frac_train * p * p) = {int(mask.sum())} are the training set (train_mask)",
        "optimiser": "full-batch AdamW, betas (0.9, 0.98), weight decay on every parameter, "
        "linear warm-up over `warmup` steps, then constant lr; loss in float64",
        "checkpoint_steps": sorted(ckpts),
        "notes": NOTES,
        "train_seconds": round(train_seconds, 1),
        "metrics": {
            "n_train": int(mask.sum()),
            "n_test": int((~mask).sum()),
            "first_step_train_acc_100": train_full,
            "first_step_test_acc_99": test_99,
            "grokking_delay_steps": None if None in (train_full, test_99) else test_99 - train_full,
            "final_train_loss": float(hist[-1, 1]),
            "final_test_loss": float(hist[-1, 2]),
            "final_train_acc": float(hist[-1, 3]),
            "final_test_acc": float(hist[-1, 4]),
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    save_file(saved, str(out / "checkpoints.safetensors"), metadata={"name": NAME})
    save_file(
        {"history": hist.float(), "train_mask": mask.view(hp.p, hp.p).to(torch.uint8)},
        str(out / "history.safetensors"),
        metadata={"columns": "step,train_loss,test_loss,train_acc,test_acc"},
    )
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    for name in ("checkpoints.safetensors", "history.safetensors", "meta.json"):
        (out / name).chmod(0o644)  # safetensors writes 0600; the package ships these files
    return meta


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(NAME), __doc__, argv)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    meta = train(hp, out)
    print(json.dumps({"train_seconds": meta["train_seconds"]} | meta["metrics"], indent=1))


if __name__ == "__main__":
    main()
