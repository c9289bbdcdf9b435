"""Train the zoo's ``othello-gpt``: a small GPT that predicts legal Othello moves from move sequences.

    .venv/bin/python tools/train_othello_gpt.py                 # writes the shipped weights
    .venv/bin/python tools/train_othello_gpt.py --out /tmp/x    # somewhere else
    .venv/bin/python tools/train_othello_gpt.py --help          # every hyperparameter is a flag

CPU, one thread (``--threads``), deterministic for a given seed and thread count; meta.json records
the time it took (about 12 minutes on this shared 2-core machine at moderate load). Writes
``model.safetensors`` (fp32) and ``meta.json`` into ``--out``; ``arena_check.kit.models.othello_gpt``
loads that folder.

Setup, after Li et al. 2023, "Emergent World Representations" (https://arxiv.org/abs/2210.13382):
a decoder-only ``HookedTransformer`` reads ``[PAD, m_1, ..., m_59]`` (move tokens of random legal
games from :mod:`arena_check.kit.othello`, passes skipped) and predicts each next move. Every step
trains on new games (one pass over the data), so no game is seen twice and held-out games (other seeds) are truly new.

One deliberate difference: the loss. The papers train on the move actually played. In a random
game the next move is uniform over the legal moves, so the best possible next-token distribution
is that uniform distribution; we train with it directly as a soft target (cross-entropy against
uniform-over-legal). Same optimum, far less noise per position — which is what lets a model this
size learn the rules within a CPU budget. The model still sees nothing but moves.

What was tried (4 layers, d_model 128, 4 heads, soft targets; ``meta.json`` ``notes`` too):

* lr 3e-3, batch 32, 640 steps (20 480 games): held-out top-1 legal rate 0.816, 10 min under
  load (about 1 s a step with 8 processes on the 2 cores).
* lr 3e-3, batch 16: the same legal rate per second of training as batch 32 (stopped early).
* lr 6e-3, batch 32, 640 steps: 0.834.
* lr 6e-3, batch 32, 1 400 steps (44 800 games): 0.920, 5 min on a quieter machine.
* lr 6e-3, batch 32, 3 000 steps (96 000 games): the defaults, 0.948, 11.7 min with another
  training run beside it (load about 3). Under the heaviest load seen (about 8 processes on the
  2 cores, ~1 s a step) the same run would take far longer than 15 min.

The legal rate was still rising at the end of every run (0.9452 on the monitor games at step
3 000, +0.006 over the last 400 steps): the number of training games, set by the CPU budget, is
what limits it. Li et al. trained on millions of games.

After training the script measures, on held-out games: the top-1 legal-move rate (is the argmax
a legal move?), and linear probes (Nanda et al. 2023, https://arxiv.org/abs/2309.00941) for each
square's state, by layer, with labels relative to the player to move ("empty / mine / theirs")
and absolute ("empty / black / white"), for the trained model and for a randomly initialised model
of the same shape.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from jaxtyping import Bool, Float
from torch import Tensor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402  (tools/, beside this file)

from arena_check.kit import othello  # noqa: E402
from arena_check.kit.models import othello_gpt as og  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

NAME = "othello-gpt"
EVAL_GAMES = 1000  # held-out games for the recorded legal-move rate (seed (seed, 1))
PROBE_GAMES = 300  # held-out games the probes sample rows from (seed (seed, 2))
LEGAL_TARGET = 0.95  # the target for the held-out top-1 legal-move rate


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained weights (recorded in meta.json)."""

    seed: int = 0
    n_layers: int = 4
    d_model: int = 128
    n_heads: int = 4
    d_mlp: int = 512
    steps: int = 3000
    batch: int = 32  # games per step (each game is 60 positions)
    lr: float = 6e-3
    warmup: int = 50
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    log_every: int = 200


def model_config(hp: Hyper) -> dict:
    """Keyword arguments for ``HookedTransformerConfig`` (stored in meta.json; the loader uses them)."""
    return {
        "n_layers": hp.n_layers,
        "d_model": hp.d_model,
        "n_heads": hp.n_heads,
        "d_head": hp.d_model // hp.n_heads,
        "d_mlp": hp.d_mlp,
        "n_ctx": og.N_CTX,
        "d_vocab": othello.VOCAB_SIZE,
        "act_fn": "gelu",
        "normalization_type": "LN",
        "model_name": NAME,
        "seed": hp.seed,
    }


def soft_legal_loss(
    logits: Float[Tensor, "b p v"], legal: Bool[Tensor, "b p v"], valid: Bool[Tensor, "b p"]
) -> Tensor:
    """Cross-entropy against the uniform distribution over legal moves, on positions in play."""
    logp = logits.log_softmax(-1)
    target = legal.float() / legal.sum(-1, keepdim=True).clamp(min=1)
    per_pos = -(target * logp).sum(-1)
    return per_pos[valid].mean()


def limits_note(legal_rate: float, history: list[dict]) -> str:
    """What limited the run, in words (recorded in meta.json)."""
    if legal_rate >= LEGAL_TARGET:
        return f"held-out top-1 legal rate {legal_rate:.3f} meets the {LEGAL_TARGET} target"
    rise = history[-1]["monitor_legal_rate"] - history[len(history) // 2]["monitor_legal_rate"]
    return (
        f"held-out top-1 legal rate {legal_rate:.3f} is below the {LEGAL_TARGET} target; it was "
        f"still rising ({rise:+.3f} on the monitor games over the second half of training): the "
        "limit is the number of training games (steps x batch), set so a run fits the one-thread "
        "15-minute budget on this shared machine; more games would raise it (Li et al. trained "
        "on millions)"
    )


def train(hp: Hyper, out: Path) -> dict:
    from safetensors.torch import save_file

    t_start = time.perf_counter()
    torch.manual_seed(hp.seed)
    model = og.build(model_config(hp), init_weights=True)
    model.train()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "W_" in n]
    other = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "W_" in n)]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": hp.weight_decay}, {"params": other, "weight_decay": 0.0}],
        lr=hp.lr, betas=(0.9, 0.99),
    )
    eval_games = othello.random_games(EVAL_GAMES, seed=(hp.seed, 1), record=True)
    monitor = othello.random_games(200, seed=(hp.seed, 3), record=True)
    history: list[dict] = []
    t0 = time.perf_counter()
    train_games = othello.random_games(hp.steps * hp.batch, seed=(hp.seed, 0), record=True)
    all_inputs = og.model_input(train_games)
    all_legal, all_valid = og.legal_targets(train_games)
    del train_games
    data_seconds = time.perf_counter() - t0
    recent: list[float] = []
    t_train = time.perf_counter()
    for step in range(hp.steps):
        rows = slice(step * hp.batch, (step + 1) * hp.batch)
        inputs, legal, valid = all_inputs[rows], all_legal[rows], all_valid[rows]
        for group in opt.param_groups:
            group["lr"] = warmup_cosine_lr(step, peak=hp.lr, warmup=hp.warmup, total=hp.steps, floor_fraction=0.1)
        loss = soft_legal_loss(model(inputs), legal, valid)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip)
        opt.step()
        recent = (recent + [float(loss)])[-50:]
        if (step + 1) % hp.log_every == 0 or step + 1 == hp.steps:
            model.eval()
            rate = og.legal_move_rate(model, monitor)
            model.train()
            row = {"step": step + 1, "train_loss": round(sum(recent) / len(recent), 4),
                   "monitor_legal_rate": round(rate, 4), "seconds": round(time.perf_counter() - t_train, 1)}
            history.append(row)
            print(json.dumps(row), flush=True)
    train_seconds = time.perf_counter() - t_train
    model.eval()

    t_eval = time.perf_counter()
    legal_rate = og.legal_move_rate(model, eval_games)
    probe_games = othello.random_games(PROBE_GAMES, seed=(hp.seed, 2), record=True)
    probes = og.probe_report(model, probe_games, seed=hp.seed)
    torch.manual_seed(hp.seed + 1)
    baseline = og.build(model_config(hp), init_weights=True).eval()
    probes_random = og.probe_report(baseline, probe_games, seed=hp.seed)
    eval_seconds = time.perf_counter() - t_eval

    best_layer = max(range(len(probes["relative"])), key=lambda i: probes["relative"][i])
    meta = {
        "name": NAME,
        "script": "tools/train_othello_gpt.py",
        "seed": hp.seed,
        "hyperparameters": asdict(hp),
        "config": model_config(hp),
        "n_params": sum(p.numel() for p in model.parameters()),
        "papers": [
            "Li et al. 2023, Emergent World Representations, https://arxiv.org/abs/2210.13382",
            "Nanda et al. 2023, Emergent Linear Representations in World Models of "
            "Self-Supervised Sequence Models, https://arxiv.org/abs/2309.00941",
        ],
        "data": {
            "generator": "arena_check.kit.othello.random_games: uniform random legal moves, passes "
            "skipped, until neither player can move; one pass, each game trained on once",
            "train_games": hp.steps * hp.batch,
            "train_seed": f"({hp.seed}, 0): one call, step s trains on games s*batch..(s+1)*batch-1",
            "eval_games": EVAL_GAMES,
            "eval_seed": f"({hp.seed}, 1)",
            "probe_games": PROBE_GAMES,
            "probe_seed": f"({hp.seed}, 2)",
            "input": "[PAD, m_1, ..., m_59]; logits at position p predict move p+1",
        },
        "loss": "cross-entropy against the uniform distribution over the legal moves (the true "
        "next-move distribution of random games), on positions where the game is still on",
        "optimiser": "AdamW betas (0.9, 0.99), weight decay on weight matrices only, linear warm-up "
        "then cosine decay to 10 %, grad-norm clip",
        "train_seconds": round(train_seconds, 1),
        "data_seconds": round(data_seconds, 1),
        "eval_seconds": round(eval_seconds, 1),
        "history": history,
        "metrics": {
            "heldout_top1_legal_rate": round(legal_rate, 4),
            "probe_rows": "12000 (game, position) rows from the probe games, 8000 to fit, 4000 to "
            "test; ridge least-squares one-hot probes per square and layer (layer 0 = embeddings), "
            "othello_gpt.fit_probes",
            "probe_acc_relative": probes["relative"],
            "probe_acc_absolute": probes["absolute"],
            "probe_acc_relative_random_init": probes_random["relative"],
            "probe_acc_absolute_random_init": probes_random["absolute"],
            "best_relative_layer": best_layer,
            "best_relative_acc": probes["relative"][best_layer],
        },
    }
    meta["limits"] = limits_note(legal_rate, history)
    out.mkdir(parents=True, exist_ok=True)
    params = {k: v.detach().contiguous() for k, v in model.named_parameters()}
    save_file(params, str(out / "model.safetensors"), metadata={"name": NAME})
    meta["total_seconds"] = round(time.perf_counter() - t_start, 1)
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(NAME), __doc__, argv)
    torch.set_num_threads(threads)
    meta = train(hp, out)
    print(json.dumps({"train_seconds": meta["train_seconds"]} | meta["metrics"], indent=1))


if __name__ == "__main__":
    main()
