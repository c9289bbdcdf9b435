"""SmolLM2-135M-Instruct in the zoo: a faithful conversion, a fast cached load, its real tokenizer,
and the two classic circuits the book relies on (induction heads, indirect-object identification),
each recomputed here on inputs these tests generate.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from arena_check.kit import interp_metrics, ioi
from arena_check.kit.models import _cache, smollm2

ENGLISH = (
    "The old lighthouse keeper climbed the spiral stairs every evening, lit the lamp, "
    "and watched the ships pass safely along the rocky coast."
)


# --------------------------------------------------------------------------- tokenizer


def test_tokenizer_is_smollm2s_real_vocabulary(smollm2_hf, smollm2_hooked) -> None:
    """Guard against a tokenizer that loads silently empty or half-built offline."""
    _, tokenizer = smollm2_hf
    assert len(tokenizer) == 49152
    assert len(smollm2_hooked.tokenizer) == 49152
    assert smollm2_hooked.cfg.d_vocab == 49152
    ids = tokenizer.encode(ENGLISH, add_special_tokens=False)
    assert tokenizer.decode(ids) == ENGLISH
    assert len(ids) < len(ENGLISH.split()) * 2, "a real BPE needs few tokens per English word"
    mary = tokenizer.encode(" Mary", add_special_tokens=False)
    assert tokenizer.convert_ids_to_tokens(mary) == ["ĠMary"], "names are single tokens"
    assert tokenizer.bos_token == "<|im_start|>" and tokenizer.eos_token == "<|im_end|>"
    for tok in (tokenizer, smollm2_hooked.tokenizer):
        assert "<|im_start|>assistant" in tok.apply_chat_template(
            [{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True
        )
    # the HookedTransformer prepends BOS itself, like TransformerLens does for GPT-2
    assert smollm2_hooked.to_tokens("Hi")[0, 0].item() == tokenizer.bos_token_id


# --------------------------------------------------------------------------- conversion


@pytest.mark.parametrize("fold_ln", [True, False])
def test_llama_conversion_is_exact_on_a_small_random_llama(fold_ln: bool) -> None:
    """The converter on its own: GQA, tied embeddings, non-trivial norm weights, both fold settings."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from arena_check.kit.models._llama_hooked import hooked_from_llama

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=97, hidden_size=48, intermediate_size=80, num_hidden_layers=2,
        num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=64,
        rms_norm_eps=1e-5, tie_word_embeddings=True, rope_parameters={"rope_theta": 500.0, "rope_type": "default"},
    )  # fmt: skip
    hf_model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # random norm weights, so folding them is actually exercised
        for name, param in hf_model.named_parameters():
            if "norm" in name:
                param.uniform_(0.5, 1.5)
    model = hooked_from_llama(hf_model, tokenizer=None, fold_ln=fold_ln)
    assert model.cfg.normalization_type == ("RMSPre" if fold_ln else "RMS")
    tokens = torch.randint(0, 97, (3, 20), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        diff = (model(tokens) - hf_model(tokens).logits).abs().max().item()
    assert diff < 1e-4, f"logits differ by {diff:.2e}"


def test_hooked_transformer_matches_hugging_face(smollm2_hooked, smollm2_hf) -> None:
    hf_model, _ = smollm2_hf
    tokens = smollm2_hooked.to_tokens(ENGLISH)
    with torch.no_grad():
        tl_logits = smollm2_hooked(tokens)
        hf_logits = hf_model(tokens).logits
    logprob_diff = (tl_logits.log_softmax(-1) - hf_logits.log_softmax(-1)).abs().max().item()
    assert logprob_diff <= 1e-3, f"log-probs differ by {logprob_diff:.2e}"
    # nothing is centred, so even the raw logits agree (pages compare logit differences)
    assert (tl_logits - hf_logits).abs().max().item() <= 1e-3
    # and it is a language model, not noise: a broken conversion predicts English no better than
    # chance, ln(49152) ≈ 10.8 nats a token; SmolLM2 is near 5 on this short sentence
    loss = smollm2_hooked(tokens, return_type="loss").item()
    assert loss < 6.0, f"loss {loss:.2f} on plain English"


def test_cached_load_is_fast_and_does_not_convert_again(smollm2_hooked) -> None:
    """A fresh process loads from the cache the fixture made, within the 10 s bar.

    The bar is for ``zoo.load`` itself, after TransformerLens is imported: that import (about 5 s,
    transformers included) is paid once per process whatever model is loaded, as for
    ``attn-only-2l``'s bar. It is checked on CPU time: with one torch thread that is the wall time
    on an idle core, and unlike wall time it does not grow when the suite shares the machine's two
    cores with other work. The import plus the load must still stay well under a learner's
    patience, and wall time only has to stay sane (no hang, no download).
    """
    folder = smollm2.cache_path()
    before = (folder.stat().st_ino, (folder / _cache.META_NAME).stat().st_mtime_ns)
    code = textwrap.dedent(
        """
        import time, torch
        torch.set_num_threads(1)
        start_cpu = time.process_time()
        import transformer_lens
        from arena_check.kit import zoo
        wall, cpu = time.perf_counter(), time.process_time()
        model = zoo.load("smollm2-135m")
        print(time.perf_counter() - wall, time.process_time() - cpu, time.process_time() - start_cpu)
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    wall, cpu, with_import = map(float, run.stdout.strip().splitlines()[-1].split())
    assert cpu <= 10.0, f"cached load took {cpu:.1f} s of CPU ({wall:.1f} s wall)"
    assert with_import <= 20.0, f"importing TransformerLens and loading took {with_import:.1f} s of CPU"
    assert wall <= 60.0, f"cached load took {wall:.1f} s wall ({cpu:.1f} s CPU)"
    after = (folder.stat().st_ino, (folder / _cache.META_NAME).stat().st_mtime_ns)
    assert after == before, "the cached load rebuilt the cache"


def test_chat_template_and_generate_answer_a_question(smollm2_hf) -> None:
    model, tokenizer = smollm2_hf
    chat = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tokenizer.apply_chat_template(
        chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=20, do_sample=False)
    answer = tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert answer.strip(), "empty answer"
    printable = sum(ch.isprintable() or ch.isspace() for ch in answer) / len(answer)
    assert printable >= 0.9, f"garbled answer {answer!r}"
    assert "Paris" in answer, f"unexpected answer {answer!r}"


# --------------------------------------------------------------------------- induction

INDUCTION_BATCH, INDUCTION_HALF = 4, 50
#: Random tokens are drawn from the ids below this bound. BPE ids follow merge order, so low ids are
#: frequent words and word pieces; the rarest byte fragments are harder to copy and only add noise.
INDUCTION_HIGH_ID = 20_000


def test_induction_heads_and_in_context_copying(smollm2_hooked) -> None:
    model = smollm2_hooked
    low = 1 + max(model.tokenizer.added_tokens_decoder)  # skip the special tokens
    data = interp_metrics.repeated_random_tokens(
        INDUCTION_BATCH, INDUCTION_HALF, INDUCTION_HALF, torch.arange(low, INDUCTION_HIGH_ID),
        bos=model.tokenizer.bos_token_id, seed=0,
    )
    scores = interp_metrics.head_scores(model, data).induction
    best = scores.max().item()
    layer, head = divmod(scores.argmax().item(), model.cfg.n_heads)
    assert best >= 0.8, f"best induction score {best:.2f} (layer {layer}, head {head})"

    first_half, repeated = interp_metrics.repeat_losses(model, data)
    # Any predictor's expected loss on uniformly random tokens is at least ln(#choices) ≈ 9.9 nats.
    # Below 4 nats the model puts on average ≥ e^-4 ≈ 1/55 on the right token among ~20,000,
    # a thousand times chance: it is copying from the first half.
    assert first_half > math.log(INDUCTION_HIGH_ID - low) - 1.0, first_half
    assert repeated < 4.0, f"repeated half loss {repeated:.2f} (first half {first_half:.2f})"


# --------------------------------------------------------------------------- IOI


def test_indirect_object_identification(smollm2_hooked) -> None:
    model = smollm2_hooked
    ioi.name_token_ids(model.tokenizer)  # raises unless every name is a single token
    prompts = ioi.ioi_prompts(pairs_per_template=3, seed=0)
    assert len(prompts) >= 30
    assert {p.order for p in prompts} == {"ABBA", "BABA"}
    logit_diff = ioi.logit_differences(model, prompts)
    correct = (logit_diff > 0).float().mean().item()
    assert logit_diff.mean().item() >= 3.0, f"mean IO − S logit difference {logit_diff.mean():.2f}"
    assert correct >= 0.9, f"only {correct:.0%} of prompts prefer the indirect object"


# --------------------------------------------------------------------------- cache mechanics


def _fake_source(tmp_path: Path, content: bytes = b"weights v1") -> Path:
    source = tmp_path / "model.gguf"
    source.write_bytes(content)
    return source


def test_interrupted_conversion_leaves_no_cache(tmp_path: Path) -> None:
    final = tmp_path / "cache" / "model"

    def crash(out: Path) -> dict:
        (out / "model.safetensors").write_bytes(b"half written")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _cache.build_atomically(final, crash)
    assert not final.exists()
    assert list(final.parent.iterdir()) == [], "a temporary folder was left behind"

    def ok(out: Path) -> dict:
        (out / "model.safetensors").write_bytes(b"complete")
        return {"format": 1}

    _cache.build_atomically(final, ok)
    assert (final / "model.safetensors").read_bytes() == b"complete"
    assert json.loads((final / _cache.META_NAME).read_text()) == {"format": 1}
    _cache.build_atomically(final, lambda out: {"format": 2})  # a rebuild replaces the old cache
    assert _cache.read_meta(final) == {"format": 2} and not (final / "model.safetensors").exists()
    assert sorted(p.name for p in final.parent.iterdir()) == ["model"]


def test_stale_source_is_detected(tmp_path: Path) -> None:
    source = _fake_source(tmp_path)
    recorded = _cache.fingerprint(source)
    assert _cache.source_matches(recorded, source)
    os.utime(source, ns=(recorded["mtime_ns"] + 10**9,) * 2)  # same bytes, new mtime: still fresh
    assert _cache.source_matches(recorded, source)
    source.write_bytes(b"weights v2")  # same size, different bytes: stale
    assert not _cache.source_matches(recorded, source)
    source.write_bytes(b"weights v2 longer")
    assert not _cache.source_matches(recorded, source)


def test_smollm2_cache_freshness_follows_meta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ensure_cache`` trusts a cache only if its format, package version and source all match."""
    source = _fake_source(tmp_path)
    folder = tmp_path / "converted"
    folder.mkdir()
    for name in (smollm2.WEIGHTS_FILE, "config.json", "tokenizer.json", "tokenizer_config.json"):
        (folder / name).write_text("{}")
    meta = {**smollm2._expected_meta(), "source": _cache.fingerprint(source)}
    _cache.write_meta(folder, meta)
    assert smollm2._cache_is_fresh(folder, source)
    _cache.write_meta(folder, {**meta, "format": smollm2.CACHE_FORMAT - 1})
    assert not smollm2._cache_is_fresh(folder, source)
    _cache.write_meta(folder, meta)
    (folder / "tokenizer.json").unlink()
    assert not smollm2._cache_is_fresh(folder, source)


def test_conversion_shows_no_progress_bar():
    """The GGUF reader's tqdm bar is a widget in a Jupyter kernel: on a new machine's first build it
    was published on the zoo page. Inside the conversion's quiet block it must be disabled."""
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    from arena_check.kit.models.smollm2 import _quiet_progress

    assert hasattr(gguf_utils, "tqdm"), "transformers' GGUF reader no longer uses tqdm: revisit _quiet_progress"
    original = gguf_utils.tqdm
    with _quiet_progress():
        bar = gguf_utils.tqdm(range(3), desc="probe")
        assert bar.disable, "the GGUF reader's progress bar is still on during the conversion"
        bar.close()
    assert gguf_utils.tqdm is original, "_quiet_progress did not restore the reader's tqdm"
