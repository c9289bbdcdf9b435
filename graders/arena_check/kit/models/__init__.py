"""One module per zoo model family; each registers its loaders with :func:`arena_check.kit.zoo.register`."""

from __future__ import annotations

import warnings
from typing import Any


def hooked_transformer(**config: Any):
    """``HookedTransformer(HookedTransformerConfig(**config))`` without TransformerLens 3.x's
    deprecation warning, which would otherwise print into every page and check that builds a
    model (the strict book build refuses warnings in page output). The one place that knows the
    warning's text; TransformerLens is imported only when a model is built."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    cfg = HookedTransformerConfig(**config)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HookedTransformer is deprecated")
        return HookedTransformer(cfg)
