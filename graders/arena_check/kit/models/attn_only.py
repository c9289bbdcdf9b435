"""``attn-only-2l``: the project's 2-layer attention-only transformer with clean induction heads.

Trained by ``tools/train_attn_only_2l.py`` (minutes on a CPU) and shipped in the package:
``kit/weights/attn-only-2l/`` holds ``model.safetensors`` (fp32), ``tokenizer.json`` (a byte-level
BPE trained on Python's bundled documentation) and ``meta.json`` (the model config, the data
recipe, hyperparameters and the metrics measured after training). The loader rebuilds the
``HookedTransformer`` from the config in ``meta.json``, so the weights and the architecture cannot
drift apart.

    from arena_check.kit import zoo
    model = zoo.load("attn-only-2l")
    model.to_tokens("def f(x):")          # BOS (<|endoftext|>, id 0) is prepended
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arena_check.kit import zoo
from arena_check.kit.models import hooked_transformer
from arena_check.kit.paths import weights_dir

NAME = "attn-only-2l"


def folder() -> Path:
    """Where the shipped weights, tokenizer and meta.json live."""
    return weights_dir(NAME)


def meta() -> dict[str, Any]:
    """The training record written by the training script (config, data, metrics)."""
    return json.loads((folder() / "meta.json").read_text())


def tokenizer(path: Path | None = None):
    """The model's BPE as a ``PreTrainedTokenizerFast`` that prepends ``<|endoftext|>`` as BOS.

    ``<|endoftext|>`` (id 0) is BOS, EOS and padding, as in GPT-2. Because the tokenizer prepends
    BOS itself, :func:`~arena_check.kit.tokenizers.attach_tokenizer` tells TransformerLens not to
    add a second one.
    """
    from transformers import PreTrainedTokenizerFast

    special = "<|endoftext|>"
    file = Path(path) if path is not None else folder() / "tokenizer.json"
    return PreTrainedTokenizerFast(
        tokenizer_file=str(file),
        name_or_path=str(file.parent),  # TransformerLens reads it (and never reloads from it)
        bos_token=special,
        eos_token=special,
        pad_token=special,
        add_bos_token=True,
    )


@zoo.register(
    NAME,
    summary="2-layer attention-only transformer (d_model 64, 2 heads per layer, byte-level BPE of "
    "512 tokens, context 128) with a layer-0 previous-token head feeding layer-1 induction heads",
    source="tools/train_attn_only_2l.py (trained by the project; data: pydoc_data.topics text "
    "plus repeated random segments)",
    licence="MIT (the project's own weights)",
)
def load(device: str = "cpu", path: Path | None = None):
    """Build the ``HookedTransformer`` from ``meta.json`` and load the shipped weights.

    ``path`` loads another folder with the same layout (e.g. a fresh run of the training script).
    """
    from safetensors.torch import load_file

    from arena_check.kit.tokenizers import attach_tokenizer

    where = Path(path) if path is not None else folder()
    record = json.loads((where / "meta.json").read_text())
    model = hooked_transformer(**record["config"], init_weights=False, device=device)
    attach_tokenizer(model, tokenizer(where / "tokenizer.json"))  # refuses a wrong-sized vocabulary
    state = load_file(str(where / "model.safetensors"), device=device)
    missing, unexpected = model.load_state_dict(state, strict=False)
    buffers = {name for name, _ in model.named_buffers()}
    if unexpected or set(missing) - buffers:
        raise RuntimeError(
            f"{where / 'model.safetensors'} does not match the config in meta.json: "
            f"missing {sorted(set(missing) - buffers)}, unexpected {sorted(unexpected)}. "
            "Re-run tools/train_attn_only_2l.py to regenerate both."
        )
    model.eval()
    return model
