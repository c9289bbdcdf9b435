"""Train the zoo's ``gpt2-mini``: a small GPT-2 on Python's bundled documentation.

    .venv/bin/python tools/train_gpt2_mini.py                   # writes the shipped weights
    .venv/bin/python tools/train_gpt2_mini.py --out /tmp/g2m    # somewhere else
    .venv/bin/python tools/train_gpt2_mini.py --out /tmp/g2m --steps 5 --eval-windows 8  # smoke

CPU, one thread by default (``--threads``), ≈ 6–7 minutes on an idle machine (up to twice that
when other processes share the two cores), deterministic for a given seed and thread count.
Writes ``model.safetensors`` (fp16, ≈ 5 MB) and ``meta.json`` (config, data fingerprint,
hyperparameters, wall and CPU time, losses, text samples) into ``--out``.

What is trained. GPT-2's architecture at a small size, on
:func:`arena_check.kit.corpora.python_docs_corpus` tokenized with GPT-2's tokenizer; documents
end with ``<|endoftext|>`` and every training window starts with it (the BOS that
``HookedTransformer.to_tokens`` prepends). The unembedding is tied to the embedding, as in GPT-2.

Why the softmax covers only the corpus's tokens. Of GPT-2's 50,257 tokens about 12 k occur in
the corpus; at d_model 128 a full-vocabulary unembedding is three quarters of the compute of a
training step, spent pushing down logits of tokens that never appear. We train over the tokens
that occur (train and validation documents: the vocabulary is a property of the corpus, like
GPT-2's BPE was of WebText) and rebuild the 50,257-token model at load time
(:func:`arena_check.kit.models.gpt2_mini.expand_vocab`).
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from training_common import parse_hyper_args, warmup_cosine_lr  # noqa: E402  (tools/, beside this file)

from arena_check.kit import corpora  # noqa: E402
from arena_check.kit.models import gpt2_mini as g2m  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402
from arena_check.kit.tokenizers import GPT2_EOT_ID, gpt2_tokenizer  # noqa: E402

#: Prompts of the recorded text samples (the corpus's own register).
SAMPLE_PROMPTS = ("The return value of", "def read(self, size=-1)")
SAMPLE_TOKENS = 40
#: Evenly spaced training windows on which the final training loss is measured.
TRAIN_EVAL_WINDOWS = 200


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the trained weights (recorded in meta.json)."""

    seed: int = 0
    n_layers: int = 4
    d_model: int = 128
    n_heads: int = 4
    d_head: int = 32
    d_mlp: int = 512
    n_ctx: int = 128
    steps: int = 1000
    batch: int = 8
    lr: float = 3e-3
    warmup: int = 100
    min_lr_fraction: float = 0.1
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_windows: int = 0  # 0 = the whole validation split; > 0 = only the first N windows


def model_sizes(hp: Hyper) -> dict[str, int]:
    """The HookedTransformerConfig sizes (what meta.json's "config" holds for the loader)."""
    return {k: getattr(hp, k) for k in ("n_layers", "d_model", "n_heads", "d_head", "d_mlp", "n_ctx")}


# ----------------------------------------------------------------------------------------- data


@dataclass
class Data:
    train: Int[Tensor, " n_train"]  # GPT-2 ids, documents separated by <|endoftext|>
    validation: Int[Tensor, " n_val"]
    active_ids: Int[Tensor, " active"]  # sorted GPT-2 ids that occur; compact id = index here
    info: dict[str, Any]


def load_data() -> Data:
    tok = gpt2_tokenizer()
    texts = {s: [d.text for d in corpora.python_docs_documents(s)] for s in ("train", "validation")}
    ids = {s: corpora.encode_documents(tok, t, GPT2_EOT_ID) for s, t in texts.items()}
    active = torch.unique(torch.cat([ids["train"], ids["validation"]]))
    info = {
        "corpus": "arena_check.kit.corpora.python_docs_corpus(): pydoc_data.topics + standard-"
        "library docstrings (PSF-2.0), split by document (corpora.split_of)",
        "python": platform.python_version(),
        **{
            f"{s}_{k}": v
            for s in texts
            for k, v in (
                ("documents", len(texts[s])),
                ("chars", sum(map(len, texts[s]))),
                ("tokens", ids[s].numel()),
                ("sha256", corpora.corpus_sha256(corpora.DOCUMENT_SEPARATOR.join(texts[s]))),
            )
        },
        "active_vocab": active.numel(),
    }
    return Data(ids["train"], ids["validation"], active, info)


def unigram_baseline(train: Int[Tensor, " n"], validation: Int[Tensor, " m"], vocab: int) -> float:
    """Validation cross-entropy (nats) of the train unigram distribution, add-one smoothed."""
    counts = torch.bincount(train, minlength=vocab).double() + 1.0
    log_p = (counts / counts.sum()).log()
    return float(-log_p[validation].mean())


# ---------------------------------------------------------------------------------------- model


def build_model(hp: Hyper, vocab: int):
    from transformer_lens import HookedTransformer

    model = HookedTransformer(g2m.config(model_sizes(hp), d_vocab=vocab, seed=hp.seed))
    for p in model.unembed.parameters():  # tied: the unembedding is W_E.T (see g2m.tied_logits)
        p.requires_grad_(False)
    return model


def lm_loss(model, tokens: Int[Tensor, "batch pos"]) -> Float[Tensor, ""]:
    resid = model(tokens, stop_at_layer=model.cfg.n_layers)
    # drop the last position before the unembedding: it has no target, and slicing the
    # d_model-wide stream is far cheaper than slicing (and back-propagating into) the logits
    logits = g2m.tied_logits(model, resid[:, :-1])
    return F.cross_entropy(logits.flatten(0, 1), tokens[:, 1:].flatten())


@torch.no_grad()
def mean_loss(model, windows: Int[Tensor, "window pos"], tied: bool, chunk: int = 4) -> float:
    """Mean next-token loss over all predicted tokens of the windows (equal lengths)."""
    total = 0.0
    for i in range(0, len(windows), chunk):
        batch = windows[i : i + chunk]
        loss = lm_loss(model, batch) if tied else model(batch, return_type="loss")
        total += float(loss) * len(batch)
    return total / len(windows)


def lr_at(step: int, hp: Hyper) -> float:
    """Linear warm-up, then cosine decay to ``min_lr_fraction`` of the peak."""
    return warmup_cosine_lr(
        step, peak=hp.lr, warmup=hp.warmup, total=hp.steps, floor_fraction=hp.min_lr_fraction
    )


def optimizer(model, hp: Hyper) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]  # matrices and embeddings, as in GPT-2 / nanoGPT
    no_decay = [p for p in params if p.ndim < 2]  # biases and LayerNorm gains
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": hp.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=hp.lr,
        betas=(0.9, 0.95),
    )


def train_loop(model, data: Data, compact: Int[Tensor, " vocab"], hp: Hyper) -> list[dict[str, float]]:
    bos = int(compact[GPT2_EOT_ID])
    batches = corpora.token_batches(compact[data.train], hp.n_ctx, hp.batch, hp.seed, bos_id=bos)
    curve_windows = corpora.token_windows(compact[data.validation], hp.n_ctx, bos)[:64]
    opt = optimizer(model, hp)
    curve = []
    start = time.time()
    for step in range(hp.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, hp)
        loss = lm_loss(model, next(batches))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), hp.grad_clip)
        opt.step()
        if (step + 1) % max(1, hp.steps // 8) == 0 or step + 1 == hp.steps:
            model.eval()
            val = mean_loss(model, curve_windows, tied=True)
            model.train()
            curve.append({"step": step + 1, "train_batch_loss": round(float(loss), 4), "val_loss_64": round(val, 4)})
            print(f"step {step + 1:5d}  loss {float(loss):.3f}  val(64 windows) {val:.3f}  "
                  f"{time.time() - start:.0f}s", flush=True)
    return curve


# ---------------------------------------------------------------------------------------- export


def compact_state(model) -> dict[str, Tensor]:
    """Trained parameters in fp16, without the (tied, hence redundant) unembedding."""
    return {
        name: p.detach().to(torch.float16).contiguous()
        for name, p in model.named_parameters()
        if not name.startswith("unembed.")
    }


def samples(model, seed: int) -> dict[str, dict[str, str]]:
    out = {}
    for prompt in SAMPLE_PROMPTS:
        greedy = model.generate(prompt, max_new_tokens=SAMPLE_TOKENS, do_sample=False, verbose=False)
        torch.manual_seed(seed)
        sampled = model.generate(
            prompt, max_new_tokens=SAMPLE_TOKENS, do_sample=True, temperature=0.8, verbose=False
        )
        out[prompt] = {"greedy": greedy, "sampled_t0.8": sampled}
    return out


def train(hp: Hyper, out: Path) -> dict[str, Any]:
    t0 = time.time()
    data = load_data()
    compact = torch.full((int(data.active_ids.max()) + 1,), -1, dtype=torch.long)
    compact[data.active_ids] = torch.arange(data.active_ids.numel())
    data_seconds = time.time() - t0

    model = build_model(hp, data.active_ids.numel())
    t1, c1 = time.time(), time.process_time()
    curve = train_loop(model, data, compact, hp)
    train_seconds, train_cpu_seconds = time.time() - t1, time.process_time() - c1

    state = compact_state(model)
    out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file

    save_file(
        {**state, g2m.ACTIVE_IDS_KEY: data.active_ids.to(torch.int32)},
        str(out / g2m.WEIGHTS_FILE),
        metadata={"format": "pt", "model": g2m.NAME},
    )
    os.chmod(out / g2m.WEIGHTS_FILE, 0o644)  # safetensors writes owner-only; the file is shipped
    # Metrics of the model as shipped: fp16 weights, full 50,257-token vocabulary.
    meta: dict[str, Any] = {"name": g2m.NAME, "config": model_sizes(hp)}
    (out / g2m.META_FILE).write_text(json.dumps(meta))  # the loader needs the config
    shipped = g2m.load(directory=out)
    val_windows = corpora.token_windows(data.validation, hp.n_ctx, GPT2_EOT_ID)
    if hp.eval_windows:
        val_windows = val_windows[: hp.eval_windows]
    train_windows = corpora.token_windows(data.train, hp.n_ctx, GPT2_EOT_ID)
    pick = torch.linspace(0, len(train_windows) - 1, TRAIN_EVAL_WINDOWS).long()
    train_windows = train_windows[pick][: hp.eval_windows or None]
    check_windows = val_windows[:: g2m.CHECK_STRIDE]
    metrics = {
        "val_loss": round(mean_loss(shipped, val_windows, tied=False), 4),
        "val_windows": len(val_windows),
        "val_loss_check": round(mean_loss(shipped, check_windows, tied=False), 4),
        "val_check_windows": len(check_windows),
        "train_loss": round(mean_loss(shipped, train_windows, tied=False), 4),
        "train_windows": len(train_windows),
        "fp32_val_loss": round(mean_loss(model.eval(), compact[val_windows], tied=True), 4),
        "unigram_val_cross_entropy": round(
            unigram_baseline(data.train, data.validation, int(data.active_ids.max()) + 1), 4
        ),
    }
    meta.update(
        {
            "script": "tools/train_gpt2_mini.py",
            "seed": hp.seed,
            "hyperparameters": asdict(hp),
            "tokenizer": "GPT-2 (arena_check.kit.tokenizers.gpt2_tokenizer)",
            "tied_embedding": True,
            "absent_token_logit": g2m.ABSENT_LOGIT,
            "data": data.info,
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "steps": hp.steps,
            "tokens_seen": hp.steps * hp.batch * (hp.n_ctx - 1),
            "data_seconds": round(data_seconds, 1),
            "train_seconds": round(train_seconds, 1),
            "train_cpu_seconds": round(train_cpu_seconds, 1),  # unaffected by other processes
            "curve": curve,
            "metrics": metrics,
            "samples": samples(shipped, hp.seed),
            "weights_bytes": (out / g2m.WEIGHTS_FILE).stat().st_size,
        }
    )
    meta["wall_seconds"] = round(time.time() - t0, 1)
    (out / g2m.META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return meta


def keep_freed_memory() -> None:
    """Ask glibc to reuse freed blocks instead of returning them to the OS.

    Every step allocates logits-sized tensors (tens of MB); by default glibc maps each one fresh
    from the kernel and zero-fills its pages, which cost a quarter of a step's time here. Raising
    the mmap and trim thresholds keeps them in the heap. No effect on results; skipped off glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    libc.mallopt(m_mmap_threshold, 1 << 30)
    libc.mallopt(m_trim_threshold, 1 << 30)


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(g2m.NAME), __doc__, argv)
    keep_freed_memory()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("RAYON_NUM_THREADS", "1")  # the tokenizers library's thread pool
    torch.set_num_threads(threads)
    meta = train(hp, out)
    print(json.dumps({k: meta[k] for k in ("train_seconds", "wall_seconds", "metrics")}, indent=1))
    print(json.dumps(meta["samples"], indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
