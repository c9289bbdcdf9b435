"""Train the sparse autoencoder section 1.4 ships for one residual-stream layer of SmolLM2-135M.

    .venv/bin/python tools/train_sae_smollm2.py                 # writes the shipped weights
    .venv/bin/python tools/train_sae_smollm2.py --out /tmp/x    # somewhere else
    .venv/bin/python tools/train_sae_smollm2.py --help          # every hyperparameter is a flag

CPU, one thread, deterministic for a given seed and thread count; a few minutes (most of it the
model's forward passes). Steps:

1. Residual-stream activations ``blocks.<layer>.hook_resid_pre`` (= Hugging Face
   ``hidden_states[layer]``) of SmolLM2-135M-Instruct on windows of the *training* split of the
   book's Python-documentation corpus (:mod:`arena_check.kit.corpora`). The forward pass stops
   after block ``layer - 1``. Position 0 of every window is dropped: its residual norm is an
   outlier (an attention sink) that would dominate the reconstruction loss.
2. Activations are scaled by one constant so that their mean squared norm is ``d_in`` (stored as
   ``act_scale`` in meta.json; the page applies the same scale).
3. The SAE is section 1.4's own: ``train_sae`` from its reference module (ReLU encoder after
   subtracting ``b_dec``, unit-norm decoder rows with the parallel gradient removed, L1 on the
   latents, dead-latent resampling), on random rows of the activation buffer.

Writes ``sae.safetensors`` (float16: W_enc, b_enc, W_dec, b_dec) and ``meta.json`` (the
hyperparameters, the scale, wall time, training metrics) into ``--out``.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import Tensor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from training_common import parse_hyper_args  # noqa: E402  (tools/, beside this file)

from arena_check.kit.paths import weights_dir  # noqa: E402


@dataclass(frozen=True)
class Hyper:
    """Everything that determines the shipped weights."""

    seed: int = 0
    layer: int = 6
    seq_len: int = 128
    n_windows: int = 600
    d_sae: int = 1152
    steps: int = 1000
    batch: int = 512
    lr: float = 3e-3
    l1_coeff: float = 1.0
    resample_every: int = 150


NAME_FMT = "sae-smollm2-layer{layer}"


class _Stop(Exception):
    """Raised by the capture hook to end the forward pass early."""


def collect_activations(hp: Hyper, split: str, n_windows: int, seed: int) -> tuple[Tensor, Tensor]:
    """(activations [n_windows * (seq_len - 1), d_model], tokens [n_windows, seq_len]) at layer `hp.layer`."""
    from arena_check.kit import corpora
    from arena_check.kit.models import smollm2

    model, tok = smollm2.load_hf()
    model.eval()
    docs = [d.text for d in corpora.python_docs_documents(split)]  # type: ignore[arg-type]
    ids = corpora.encode_documents(tok, docs, tok.eos_token_id)
    windows = corpora.token_windows(ids, hp.seq_len, bos_id=None)
    order = torch.randperm(len(windows), generator=torch.Generator().manual_seed(seed))[:n_windows]
    windows = windows[order]
    captured: list[Tensor] = []

    def hook(_module: object, _inp: object, out: object) -> None:
        hidden = out[0] if isinstance(out, tuple) else out
        captured.append(hidden[:, 1:].reshape(-1, hidden.shape[-1]).clone())
        raise _Stop

    handle = model.model.layers[hp.layer - 1].register_forward_hook(hook)
    try:
        with torch.no_grad():
            for start in range(0, len(windows), 16):
                try:
                    model(windows[start : start + 16])
                except _Stop:
                    pass
    finally:
        handle.remove()
    return torch.cat(captured), windows


def main(argv: list[str] | None = None) -> None:
    hp, out, threads = parse_hyper_args(Hyper, weights_dir(NAME_FMT.format(layer=Hyper.layer)), __doc__, argv)
    torch.set_num_threads(threads)
    torch.manual_seed(hp.seed)
    from safetensors.torch import save_file

    from arena_check.reference import s1_4_superposition_and_saes as sae_ref

    start = time.perf_counter()
    acts, _ = collect_activations(hp, "train", hp.n_windows, hp.seed)
    collect_s = time.perf_counter() - start
    scale = float((acts.pow(2).sum(-1).mean() / acts.shape[-1]).rsqrt())
    acts = acts * scale
    print(f"{len(acts)} activations collected in {collect_s:.0f} s; scale {scale:.4f}", flush=True)

    def sample(n: int, gen: torch.Generator) -> Tensor:
        return acts[torch.randint(0, len(acts), (n,), generator=gen)]

    sae = sae_ref.train_sae(sample, d_in=acts.shape[-1], d_sae=hp.d_sae, steps=hp.steps, batch=hp.batch,
                            lr=hp.lr, l1_coeff=hp.l1_coeff, resample_every=hp.resample_every, seed=hp.seed)
    train_s = time.perf_counter() - start - collect_s
    with torch.no_grad():
        x = acts[-4096:]
        latents = sae_ref.sae_encode(x, sae["W_enc"], sae["b_enc"], sae["b_dec"])
        recon = sae_ref.sae_decode(latents, sae["W_dec"], sae["b_dec"])
        fvu = float((recon - x).pow(2).sum() / (x - x.mean(0)).pow(2).sum())
        l0 = float((latents > 0).float().sum(-1).mean())
        dead = int(sae_ref.dead_latents(latents).sum())
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(torch.float16).contiguous() for k, v in sae.items()}, str(out / "sae.safetensors"))
    meta = {
        "name": NAME_FMT.format(layer=hp.layer),
        "script": "tools/train_sae_smollm2.py",
        "licence": "MIT (weights trained by the project)",
        "model": "smollm2-135m",
        "hook": f"blocks.{hp.layer}.hook_resid_pre",
        "threads": threads,
        "hyperparameters": asdict(hp),
        "act_scale": scale,
        "n_activations": len(acts),
        "seconds": {"collect": round(collect_s, 1), "train": round(train_s, 1)},
        "train_metrics_last_4096": {"fvu": fvu, "l0": l0, "dead": dead},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
