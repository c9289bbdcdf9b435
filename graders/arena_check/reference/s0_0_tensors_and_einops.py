"""GENERATED from book/0_fundamentals/0.0_tensors_and_einops.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


import torch
from einops import rearrange
from jaxtyping import Float
from torch import Tensor

import arena_check


def softmax(x: Float[Tensor, "... n"]) -> Float[Tensor, "... n"]:
    """Softmax over the last dimension, stable for large inputs."""
    shifted = x - x.amax(dim=-1, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=-1, keepdim=True)
