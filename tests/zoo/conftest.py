"""Model-zoo tests: offline, one torch thread, and one SmolLM2 load shared by the whole session.

Loading SmolLM2 takes a few seconds (the first time ever, ~30 s more to convert the GGUF into the
cache), so the session-scoped fixtures below load it once for every test that needs it.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def smollm2_hooked():
    """SmolLM2-135M-Instruct as a HookedTransformer; tests must not modify its weights."""
    from arena_check.kit import zoo

    return zoo.load("smollm2-135m")


@pytest.fixture(scope="session")
def smollm2_hf():
    """``(LlamaForCausalLM, tokenizer)`` for SmolLM2-135M-Instruct."""
    from arena_check.kit import zoo

    return zoo.load("smollm2-135m-hf")
