"""``grokking-mod-53``: a one-layer transformer that groks (a + b) mod 53, with its training run.

Trained by ``tools/train_grokking_mod_p.py`` (minutes on a CPU) and shipped in the package:
``kit/weights/grokking-mod-53/`` holds

* ``checkpoints.safetensors`` — the parameters at every checkpoint step, keys
  ``step_<NNNNN>.<parameter name>`` (fp32);
* ``history.safetensors`` — ``history`` ``[n_logs, 5]`` (step, train loss, test loss, train
  accuracy, test accuracy), logged every few steps, and ``train_mask`` ``[p, p]`` (1 where the
  pair ``(a, b)`` was trained on);
* ``meta.json`` — config, hyperparameters, checkpoint steps, time, key figures.

    from arena_check.kit.models import grokking
    model = grokking.load()              # the final checkpoint, a HookedTransformer
    early = grokking.load(step=500)      # any step in grokking.checkpoint_steps()
    tokens = grokking.all_inputs()       # [p*p, 3]: every [a, b, =], row a*p + b

The model reads ``[a, b, =]`` (``=`` is token ``p``) and predicts ``(a + b) mod p`` from its
logits at the last position (``d_vocab_out = p``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from arena_check.kit import zoo
from arena_check.kit.models import hooked_transformer
from arena_check.kit.paths import weights_dir

NAME = "grokking-mod-53"
HISTORY_COLUMNS = ("step", "train_loss", "test_loss", "train_acc", "test_acc")


def folder() -> Path:
    """Where the shipped checkpoints, history and meta.json live."""
    return weights_dir(NAME)


def _where(path: Path | None) -> Path:
    return Path(path) if path is not None else folder()


def meta(path: Path | None = None) -> dict[str, Any]:
    """The training record written by the training script (config, hyperparameters, metrics)."""
    return json.loads((_where(path) / "meta.json").read_text())


def checkpoint_steps(path: Path | None = None) -> list[int]:
    """The steps at which parameters were saved, increasing (the last is the final model)."""
    return list(meta(path)["checkpoint_steps"])


@functools.lru_cache(maxsize=4)
def _checkpoints(where: Path) -> dict[str, Tensor]:
    from safetensors.torch import load_file

    return load_file(str(where / "checkpoints.safetensors"))


def state_dict(step: int | None = None, path: Path | None = None) -> dict[str, Tensor]:
    """The parameters at ``step`` (default: the last checkpoint), as fresh tensors."""
    where = _where(path)
    steps = checkpoint_steps(where)
    step = steps[-1] if step is None else int(step)
    if step not in steps:
        raise KeyError(f"no checkpoint at step {step}; saved steps: {steps}")
    prefix = f"step_{step:05d}."
    return {k.removeprefix(prefix): v.clone() for k, v in _checkpoints(where).items() if k.startswith(prefix)}


def history(path: Path | None = None) -> dict[str, Tensor]:
    """``{"step", "train_loss", "test_loss", "train_acc", "test_acc"}`` (1-D, one entry per log)
    and ``"train_mask"`` (``[p, p]`` bool) from ``history.safetensors``."""
    from safetensors.torch import load_file

    raw = load_file(str(_where(path) / "history.safetensors"))
    out = {name: raw["history"][:, i] for i, name in enumerate(HISTORY_COLUMNS)}
    out["step"] = out["step"].long()
    out["train_mask"] = raw["train_mask"].bool()
    return out


def all_inputs(p: int | None = None) -> Tensor:
    """Every input ``[a, b, =]`` (``=`` is token ``p``), row ``a * p + b``, int64 ``[p*p, 3]``."""
    p = int(meta()["hyperparameters"]["p"]) if p is None else p
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    return torch.stack([a, b, torch.full_like(a, p)], dim=1)


def build(path: Path | None = None, device: str = "cpu"):
    """An uninitialised ``HookedTransformer`` with the config recorded in meta.json."""
    return hooked_transformer(**meta(path)["config"], init_weights=False, device=device)


@zoo.register(
    NAME,
    summary="one-layer transformer (d_model 64, 4 heads, no LayerNorm) that groks (a + b) mod 53, "
    "with 33 checkpoints of its training run",
    source="tools/train_grokking_mod_p.py (trained by the project, full-batch AdamW)",
    licence="MIT (the project's own weights)",
)
def load(step: int | None = None, path: Path | None = None, device: str = "cpu"):
    """The ``HookedTransformer`` at checkpoint ``step`` (default: the final one), in eval mode.

    ``path`` loads another folder with the same layout (e.g. a fresh run of the training script).
    """
    model = build(path, device)
    state = state_dict(step, path)
    missing, unexpected = model.load_state_dict(state, strict=False)
    buffers = {name for name, _ in model.named_buffers()}
    if unexpected or set(missing) - buffers:
        raise RuntimeError(
            f"checkpoint does not match the config in meta.json: missing "
            f"{sorted(set(missing) - buffers)}, unexpected {sorted(unexpected)}. Re-run "
            "tools/train_grokking_mod_p.py to regenerate both."
        )
    model.eval()
    return model
