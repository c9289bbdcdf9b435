"""Checks for section 0.0 — tensors and einops."""

from __future__ import annotations

import torch

from arena_check.reference import s0_0_tensors_and_einops as ref
from arena_check.registry import check
from arena_check.testing import call, expect_tensor, seeded

SECTION = "0.0"


@check(SECTION, "softmax", points=1)
def check_softmax(softmax) -> None:
    """Matches the reference on random inputs, large values and a single element."""
    cases = [
        ("x of shape (4, 7), seed 0", torch.randn(4, 7, generator=seeded(0))),
        ("x of shape (2, 3, 5) with values near 1000", 1000 + torch.randn(2, 3, 5, generator=seeded(1))),
        ("x of shape (1, 1)", torch.tensor([[3.0]])),
    ]
    for context, x in cases:
        got = call(softmax, x, name="softmax")
        expect_tensor(got, ref.softmax(x), context=context, hint="normalise over the last dimension, after subtracting its max")
