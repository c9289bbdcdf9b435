"""Train the zoo's ``attn-only-2l``: a 2-layer attention-only transformer with clean induction heads.

    .venv/bin/python tools/train_attn_only_2l.py                 # writes the shipped weights
    .venv/bin/python tools/train_attn_only_2l.py --out /tmp/x    # somewhere else
    .venv/bin/python tools/train_attn_only_2l.py --help          # every hyperparameter is a flag

CPU, one thread by default (``--threads``), about 3–4 minutes, deterministic for a given seed and
thread count. Writes ``model.safetensors`` (fp32, ~0.4 MB), ``tokenizer.json`` and ``meta.json``
(config, data recipe, hyperparameters, wall time, losses and interpretability metrics) into
``--out``; ``arena_check.kit.models.attn_only`` loads that folder.

What makes the circuit appear within minutes (each found by a failed run without it):

* Data. Every row is BOS, then a background of Python-documentation text (``pydoc_data.topics``,
  probability ``p_text``) or uniform random tokens, with one segment of uniform random tokens of
  random length pasted at a random offset and again at a random later offset. Only induction
  predicts the repeat, and neither its length nor its position gives it away (fixed-length
  repeats let a model solve the task by position, with no induction heads). The text makes a
  previous-token head useful on its own, which gets the circuit started. BOS at position 0 gives
  heads a place to park attention when nothing matches.
* A context-length curriculum (33 → 65 → 128 tokens). The time an induction head takes to appear
  grows steeply with the context length: at 128 tokens nothing formed in 3 000 steps, at 33 it
  forms in about 1 200, and the circuit then carries over to longer contexts.
* Sinusoidal initial positional embeddings with frequencies up to pi rad per position
  (shortformer-style: positions enter only queries and keys). With random initial positions no
  sharp previous-token head formed.
* LayerNorm without weights (``LNPre``), small init (std 0.02) and a learning rate of 1e-3: at
  2e-3 or 3e-3 the model settles into an in-context-unigram solution and never finds induction.
* ``attn_scale = 1`` (attention logits not divided by sqrt(d_head)): sharper heads sooner.
* Two heads per layer: with four, several layer-1 heads share the induction work.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from jaxtyping import Float, Int
from torch import Tensor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402  (tools/, beside this file)

from arena_check.kit import interp_metrics as im  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

NAME = "attn-only-2l"
SPECIAL = "<|endoftext|>"  # BOS = EOS = PAD, id 0, as in GPT-2 (where it is the last id)
METRICS_SEED = 1234  # the recorded metrics; tests use other seeds
EVAL_SEED = 4321  # fixed held-out batches for the recorded losses


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained weights (recorded in meta.json)."""

    seed: int = 0
    vocab_size: int = 512
    d_model: int = 64
    n_heads: int = 2
    d_head: int = 32
    n_ctx: int = 128
    normalization: str = "LNPre"  # "LNPre" (no weights) | "LN" | "none"
    init_range: float = 0.02  # std of every weight matrix at init
    attn_scale: float = 1.0  # attention logits are divided by this; 0 means sqrt(d_head)
    pos_scale: float = 1.0  # std of each entry of the sinusoidal W_pos at init
    pos_max_freq: float = math.pi  # highest frequency (rad / position) of W_pos at init
    stages: str = "33x1500,65x600,128x4000"  # context x steps (x p_text), in order
    batch: int = 16
    lr: float = 1e-3
    warmup: int = 100
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    p_text: float = 0.3  # probability that a row's background is corpus text (else random tokens)
    rep_min: int = 4  # shortest repeated segment; the longest fills half the row

    def schedule(self) -> list[tuple[int, int, float]]:
        """``[(context length, steps, p_text), ...]`` parsed from ``stages``.

        Each stage is ``CTXxSTEPS`` or ``CTXxSTEPSxP_TEXT``; without its own ``P_TEXT`` a stage
        uses ``p_text``.
        """
        out = []
        for item in self.stages.split(","):
            parts = item.split("x")
            p_text = float(parts[2]) if len(parts) > 2 else self.p_text
            out.append((int(parts[0]), int(parts[1]), p_text))
        return out

    @property
    def steps(self) -> int:
        return sum(steps for _, steps, _ in self.schedule())


# ----------------------------------------------------------------------------------------- data


def corpus_text() -> list[str]:
    """Python's bundled documentation topics (ships with CPython; PSF licence), in a fixed order."""
    import pydoc_data.topics

    topics = pydoc_data.topics.topics
    return [topics[key] for key in sorted(topics)]


def train_tokenizer(texts: list[str], vocab_size: int):
    """A byte-level BPE trained on ``texts``; id 0 is ``<|endoftext|>``, prepended as BOS."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[SPECIAL],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{SPECIAL} $A", pair=f"{SPECIAL} $A {SPECIAL} $B", special_tokens=[(SPECIAL, 0)]
    )
    return tok


def split_corpus(ids: Int[Tensor, " n"], frac_val: float = 0.05) -> tuple[Tensor, Tensor]:
    """Train on the first 95 % of the token stream, report text loss on the rest."""
    cut = int(len(ids) * (1 - frac_val))
    return ids[:cut], ids[cut:]


def make_batch(
    hp: Hyper, n_ctx: int, p_text: float, text_ids: Int[Tensor, " n"], gen: torch.Generator
) -> Int[Tensor, "batch pos"]:
    """``[BOS, background…]`` rows of ``n_ctx`` tokens with a random segment pasted twice.

    Background: a random window of corpus text (probability ``p_text``) or uniform random tokens.
    Segment: uniform random non-special tokens, length uniform in ``rep_min..(n_ctx - 1) // 2``;
    the first copy starts anywhere it fits, the second anywhere after the first ends — so neither
    the length nor the position of a repeat gives it away, and only induction predicts it.
    """
    n = n_ctx - 1  # positions after BOS
    rep_max = n // 2
    rows = torch.randint(1, hp.vocab_size, (hp.batch, n), generator=gen)
    is_text = torch.rand(hp.batch, generator=gen) < p_text
    starts = torch.randint(0, len(text_ids) - n, (hp.batch,), generator=gen)
    lengths = torch.randint(hp.rep_min, rep_max + 1, (hp.batch,), generator=gen)
    u1, u2 = torch.rand(2, hp.batch, generator=gen)
    segments = torch.randint(1, hp.vocab_size, (hp.batch, rep_max), generator=gen)
    for b in range(hp.batch):
        if is_text[b]:
            rows[b] = text_ids[starts[b] : starts[b] + n]
        length = int(lengths[b])
        first = int(u1[b] * (n - 2 * length + 1))
        second = first + length + int(u2[b] * (n - first - 2 * length + 1))
        rows[b, first : first + length] = segments[b, :length]
        rows[b, second : second + length] = segments[b, :length]
    bos = torch.zeros(hp.batch, 1, dtype=torch.long)
    return torch.cat([bos, rows], dim=1)


# ---------------------------------------------------------------------------------------- model


def model_config(hp: Hyper) -> dict:
    """Keyword arguments for ``HookedTransformerConfig`` (stored in meta.json; the loader uses them)."""
    return {
        "n_layers": 2,
        "d_model": hp.d_model,
        "n_heads": hp.n_heads,
        "d_head": hp.d_head,
        "n_ctx": hp.n_ctx,
        "d_vocab": hp.vocab_size,
        "attn_only": True,
        "normalization_type": None if hp.normalization == "none" else hp.normalization,
        "positional_embedding_type": "shortformer",
        "initializer_range": hp.init_range,
        "attn_scale": hp.attn_scale or math.sqrt(hp.d_head),
        "default_prepend_bos": True,
        "model_name": NAME,
        "seed": hp.seed,
    }


def sinusoidal_positions(
    n_ctx: int, d_model: int, std: float, max_freq: float = math.pi, seed: int = 0
) -> Float[Tensor, "pos d_model"]:
    """A sin/cos table with frequencies drawn uniformly in ``(0, max_freq]`` rad per position.

    A learned table starts as random vectors, and "attend to position i-1" then needs a QK map
    sending every random vector to its predecessor, which a rank-``d_head`` head cannot do for
    128 positions. With sin/cos pairs the shift by one is a rotation per frequency, so a head
    needs only a few pairs; frequencies up to pi (rather than Vaswani et al.'s geometric series,
    which tops out at 1 rad) let a handful of pairs make a peak one position wide.
    """
    gen = torch.Generator().manual_seed(seed)
    freq = max_freq * (1.0 - torch.rand(d_model // 2, generator=gen))
    pos = torch.arange(n_ctx, dtype=torch.float32)[:, None]
    table = torch.zeros(n_ctx, d_model)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq)
    return table * std * math.sqrt(2.0)


def lr_at(step: int, hp: Hyper) -> float:
    """Linear warm-up, then cosine decay to 10 % of the peak over all stages."""
    return warmup_cosine_lr(step, peak=hp.lr, warmup=hp.warmup, total=hp.steps, floor_fraction=0.1)


@torch.inference_mode()
def mean_loss(model, batches: list[Tensor]) -> float:
    """Mean next-token loss over ``batches`` (each weighted equally)."""
    return sum(float(model(b, return_type="loss")) for b in batches) / len(batches)


def text_batches(val_ids: Tensor, n_ctx: int, rows: int = 16) -> list[Tensor]:
    """Held-out text as ``[BOS, text…]`` rows (non-overlapping windows)."""
    n = n_ctx - 1
    windows = val_ids[: (len(val_ids) // n) * n].view(-1, n)[:rows]
    return [torch.cat([torch.zeros(len(windows), 1, dtype=torch.long), windows], dim=1)]


def interp_report(model, vocab_size: int, seed: int) -> dict:
    """The metrics the zoo promises, on ``[BOS, r, r]`` with ``L`` in 25..50 (32 rows)."""
    data = im.repeated_random_tokens(32, 25, 50, torch.arange(1, vocab_size), bos=0, seed=seed)
    scores = im.head_scores(model, data)
    prev_head, prev = scores.best("prev_token", 0)
    ind_head, ind = scores.best("induction", 1)
    k_comp = im.composition_scores(model, "K")
    random_scores = im.random_composition_scores(model.cfg.d_model, model.cfg.d_head)
    loss_first, loss_second = im.repeat_losses(model, data)
    ablated = [im.zero_ablation_hook(0, prev_head)]
    abl_scores = im.head_scores(model, data, fwd_hooks=ablated)
    _, abl_second = im.repeat_losses(model, data, fwd_hooks=ablated)
    top = divmod(int(k_comp.argmax()), k_comp.shape[1])
    return {
        "metrics_seed": seed,
        "induction_scores": [[round(float(x), 4) for x in row] for row in scores.induction],
        "prev_token_scores": [[round(float(x), 4) for x in row] for row in scores.prev_token],
        "best_prev_token_head": [0, prev_head],
        "best_prev_token_score": round(prev, 4),
        "best_induction_head": [1, ind_head],
        "best_induction_score": round(ind, 4),
        "k_composition": [[round(float(x), 4) for x in row] for row in k_comp],
        "k_composition_pair": round(float(k_comp[prev_head, ind_head]), 4),
        "k_composition_argmax": list(top),
        "k_composition_random_baseline": round(float(random_scores.mean()), 4),
        "k_composition_random_baseline_std": round(float(random_scores.std()), 4),
        "q_composition": [[round(float(x), 4) for x in row] for row in im.composition_scores(model, "Q")],
        "v_composition": [[round(float(x), 4) for x in row] for row in im.composition_scores(model, "V")],
        "repeat_loss_first_copy": round(loss_first, 4),
        "repeat_loss_second_copy": round(loss_second, 4),
        "ablate_prev_token_head": {
            "best_induction_score": round(float(abl_scores.induction[1].max()), 4),
            "repeat_loss_second_copy": round(abl_second, 4),
        },
    }


# ---------------------------------------------------------------------------------------- train


def build_model(hp: Hyper):
    """A freshly initialised ``HookedTransformer`` with the sinusoidal starting positions."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    torch.manual_seed(hp.seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HookedTransformer is deprecated")
        model = HookedTransformer(HookedTransformerConfig(**model_config(hp)))
    with torch.no_grad():
        model.W_pos.copy_(
            sinusoidal_positions(hp.n_ctx, hp.d_model, hp.pos_scale, hp.pos_max_freq, hp.seed)
        )
    return model


def fit(model, hp: Hyper, train_ids: Int[Tensor, " n"], log_every: int = 250) -> list[float]:
    """Run every stage of the curriculum; returns the last 100 training losses.

    Every ``log_every`` steps prints the loss and the best previous-token / induction scores on a
    fixed probe batch, so a run shows when the circuit forms.
    """
    opt = torch.optim.AdamW(
        model.parameters(), lr=hp.lr, betas=(0.9, 0.99), weight_decay=hp.weight_decay
    )
    gen = torch.Generator().manual_seed(hp.seed)
    probe = im.repeated_random_tokens(32, 25, 50, torch.arange(1, hp.vocab_size), bos=0, seed=99)
    recent: list[float] = []
    start, step = time.perf_counter(), 0
    for n_ctx, n_steps, p_text in hp.schedule():
        for _ in range(n_steps):
            for group in opt.param_groups:
                group["lr"] = lr_at(step, hp)
            loss = model(make_batch(hp, n_ctx, p_text, train_ids, gen), return_type="loss")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip)
            opt.step()
            step += 1
            recent = (recent + [loss.item()])[-100:]
            if step % log_every == 0:
                scores = im.head_scores(model, probe)
                print(
                    f"step {step:5d}  ctx {n_ctx:3d}  loss {sum(recent) / len(recent):.3f}  "
                    f"prev {scores.prev_token[0].max():.2f}  ind {scores.induction[1].max():.2f}  "
                    f"{time.perf_counter() - start:.0f}s",
                    flush=True,
                )
    model.eval()
    return recent


def describe(hp: Hyper, tok, corpus_tokens: int) -> dict:
    """The parts of meta.json that say how the model was made."""
    return {
        "name": NAME,
        "script": "tools/train_attn_only_2l.py",
        "licence": "MIT (weights trained by the project)",
        "seed": hp.seed,
        "threads": torch.get_num_threads(),
        "hyperparameters": asdict(hp),
        "steps": hp.steps,
        "config": model_config(hp),
        "tokenizer": {
            "file": "tokenizer.json",
            "kind": "byte-level BPE (tokenizers), trained on the corpus below",
            "vocab_size": tok.get_vocab_size(),
            "special": {"bos_eos_pad": SPECIAL, "id": 0},
        },
        "data": {
            "corpus": "pydoc_data.topics (Python's bundled documentation topics, PSF licence), "
            "topics sorted by key, joined by blank lines; last 5 % of tokens held out",
            "corpus_tokens": corpus_tokens,
            "recipe": "each row: BOS + background of n_ctx-1 tokens (a corpus window with "
            "probability p_text, else uniform random non-special tokens); one segment of uniform "
            "random non-special tokens, length uniform in rep_min..(n_ctx-1)//2, pasted at a "
            "uniformly random offset and again at a uniformly random offset after it; n_ctx "
            "grows by stages (hyperparameters.stages: context x steps)",
            "tokens_seen": sum(ctx * steps for ctx, steps, _ in hp.schedule()) * hp.batch,
        },
        "optimiser": "AdamW betas (0.9, 0.99), linear warm-up then cosine decay to 10 % over all "
        "stages, grad-norm clip",
        "init": "TransformerLens init with std init_range; W_pos = sin/cos table with random "
        "frequencies in (0, pos_max_freq], entries of std pos_scale",
    }


def train(hp: Hyper, out: Path, log_every: int = 250) -> dict:
    """Tokenizer, model, curriculum, metrics; writes the three files into ``out``."""
    from safetensors.torch import save_file

    t_start = time.perf_counter()
    texts = corpus_text()
    tok = train_tokenizer(texts, hp.vocab_size)
    ids = torch.tensor(tok.encode("\n\n".join(texts), add_special_tokens=False).ids)
    train_ids, val_ids = split_corpus(ids)
    eval_gen = torch.Generator().manual_seed(EVAL_SEED)
    eval_batches = [make_batch(hp, hp.n_ctx, hp.p_text, val_ids, eval_gen) for _ in range(4)]

    model = build_model(hp)
    t_train = time.perf_counter()
    recent = fit(model, hp, train_ids, log_every)
    train_seconds = time.perf_counter() - t_train

    meta = describe(hp, tok, len(ids)) | {
        "train_seconds": round(train_seconds, 1),
        "final_train_loss_last100": round(sum(recent) / len(recent), 4),
        "eval_loss": round(mean_loss(model, eval_batches), 4),
        "val_text_loss": round(mean_loss(model, text_batches(val_ids, hp.n_ctx)), 4),
        "metrics": interp_report(model, hp.vocab_size, METRICS_SEED),
    }
    out.mkdir(parents=True, exist_ok=True)
    params = {k: v.detach().contiguous() for k, v in model.named_parameters()}
    save_file(params, str(out / "model.safetensors"), metadata={"name": NAME})
    (out / "tokenizer.json").write_text(tok.to_str(pretty=True) + "\n")
    meta["total_seconds"] = round(time.perf_counter() - t_start, 1)
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(NAME), __doc__, argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("RAYON_NUM_THREADS", "1")  # tokenizers' trainer
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    meta = train(hp, out)
    print(json.dumps({k: meta[k] for k in ("train_seconds", "eval_loss", "val_text_loss")}))
    print(json.dumps(meta["metrics"], indent=1))


if __name__ == "__main__":
    main()
