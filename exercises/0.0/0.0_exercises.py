# %% [markdown]
# *GENERATED from book/0_fundamentals/0.0_tensors_and_einops.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 0.0 <this file>*

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
    raise NotImplementedError("exercise: softmax")


# %%
arena_check.check("0.0", "softmax", softmax)
