# %% [markdown]
# *GENERATED from book/0_fundamentals/0.0_tensors_and_einops.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 0.0 Tensors and einops
#
# Pilot text.

# %%
import torch
from einops import rearrange
from jaxtyping import Float
from torch import Tensor

import arena_check


# %% [markdown]
# ## Exercise 1 · `softmax`
#
# > 🔴🔴⚪⚪⚪ difficulty · 🔵🔵🔵🔵🔵 importance · ⏱ 10 min
#
# Write a numerically stable softmax over the last dimension.
#
# <details><summary>Hint</summary>
#
# Subtract the maximum before exponentiating.
#
# </details>

# %%
def softmax(x: Float[Tensor, "... n"]) -> Float[Tensor, "... n"]:
    """Softmax over the last dimension, stable for large inputs."""
    shifted = x - x.amax(dim=-1, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=-1, keepdim=True)


# %%
arena_check.check("0.0", "softmax", softmax)
