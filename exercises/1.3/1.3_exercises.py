# %% [markdown]
# *GENERATED from book/1_transformer_interp/1.3_indirect_object_identification.md by tools/build_exercises.py — do not edit by hand.*
#
# *Fill in every stub, then grade your work offline:  arena-check 1.3 <this file>*

# %% [markdown]
# # 1.3 Indirect object identification (SmolLM2)
#
# "When Mary and John went to the store, John gave a drink to" — a language model that has
# followed the story continues with " Mary". Predicting the name that is *not* repeated is the
# indirect object identification (IOI) task. Wang et al. (2022,
# [arXiv:2211.00593](https://arxiv.org/abs/2211.00593)) traced how GPT-2 small does it to a circuit
# of 26 attention heads in seven classes, and the task became the standard testbed for circuit-finding
# methods. This section runs that investigation on a different, newer model, SmolLM2-135M, with the
# tools the field has built since: activation patching, path patching to the logits
# and between heads, attribution patching, and ablation tests of the circuit on prompts it was not found on.
#
# Section 1.2 asked which heads matter on a toy task and found the answer by reading weights. Here
# the model is real, the task is linguistic, and the method is causal: run the model on a prompt
# and on a minimally different one, swap activations between the two runs, and measure what moves
# the answer.
#
# **You will be able to**
#
# - build IOI prompts and their ABC-corrupted twins, and measure the logit difference with the
#   right sign at the right position;
# - split the logit difference into per-head terms (direct logit attribution) through the
#   final RMSNorm;
# - write patching hooks for the residual stream and for one head's output at chosen positions, and
#   a normalised metric that makes patching results comparable;
# - path-patch from sender heads into receiver heads' queries, keys or values, with every other
#   head frozen, and say what grouped-query attention does to "a head's keys and values";
# - approximate a whole patching sweep with one forward and one backward pass (attribution
#   patching) and measure how well the approximation agrees with the exact sweep;
# - test a candidate circuit with per-position mean ablation over a reference distribution,
#   and show that heads picked by direct effect alone are not a circuit.
#
# **Prerequisites.** Section 1.2 (hooks, caches, direct logit attribution, ablation). Section 1.1's
# attention heads, and grouped-query attention.
#
# **Time.** About 3½ hours: 16 exercises, most of them short.
#
# ## Setup
#
# The model is **SmolLM2-135M** from the book's offline model zoo (Allal et al.
# 2025): 30 layers of 9 query heads sharing 3 key/value heads (grouped-query attention,
# Ainslie et al. 2023), rotary positions, RMSNorm folded into the weights. It is the smallest
# pretrained model the book ships that does IOI well, and it is not GPT-2: where the results differ
# from Wang et al.'s, the page says so. (Where ARENA loads GPT-2 small with
# `HookedTransformer.from_pretrained("gpt2")`, every function you write here works on it unchanged;
# that branch needs the internet and never runs in the book.)

# %%
import re
from collections.abc import Sequence

import torch
from einops import einsum
from jaxtyping import Float, Int
from torch import Tensor
from transformer_lens import HookedTransformer
from transformer_lens.hook_points import HookPoint

import arena_check
from arena_check.kit import ioi


# %% [markdown]
# ## Part 1 · Prompts, corruption and the metric
#
# The kit's `ioi` module has eight sentence templates and twenty names that are single tokens for
# SmolLM2's tokenizer. A prompt names two people, then repeats one of them — the subject, S — and
# asks for the other — the indirect object, IO. In an **ABBA** prompt IO comes first ("Mary and
# John …, John gave … to"); in **BABA**, second. Both orders appear equally often, so "the first
# name" or "the second name" is never the answer on average.
#
# The experiments need a second, *corrupted* prompt for each clean one, as close to it as possible
# but without the information the model uses. This page uses the **ABC** corruption of Wang et al.:
# the second mention of S becomes a third name C ("When Mary and John went to the store, Tom gave
# a drink to"). Nothing in the corrupted sentence says whether Mary or John should receive the
# drink, so a model should be indifferent between them. Every name is one token, so the two
# prompts have the same length, and position *p* in one is the same slot as position *p* in the other.
#
# The names and templates are split. Circuit-finding uses templates 0–5 with the first twelve names;
# the circuit is then tested on all eight templates (two of them never seen) with the other eight
# names.
#
# ### Exercise 1 · `abc_corrupt`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Write the ABC corruption of a prompt's text.
#
# Corrupting the *second* mention of S keeps everything the model needs to parse the sentence and
# removes only the repeated name, the signal IOI depends on. Replacing the first mention, or both,
# makes a different experiment.
#
# <details><summary>Hint</summary>
#
# `re.finditer(rf"\b{re.escape(s)}\b", text)` finds whole-word mentions; splice the text around the
# second match's `start()` and `end()`.
#
# </details>

# %%
def abc_corrupt(text: str, s: str, c: str) -> str:
    """The ABC twin of an IOI prompt: the *second* mention of the subject ``s`` replaced by ``c``.

    Names match as whole words ("Dan" does not match inside "Daniel"). Everything except the
    second mention is kept character for character. Raises ValueError unless ``s`` occurs exactly
    twice as a word.
    """
    raise NotImplementedError("exercise: abc_corrupt")


# %%
arena_check.check("1.3", "abc_corrupt", abc_corrupt)


# %% [markdown]
# The localisation prompts: three name triples per template in both orders, 36 prompts. Your
# function must agree with the kit's ABC twins, which the rest of the page uses.

# %% [markdown]
# ### Exercise 2 · `logit_diff`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Compute the IO − S logit difference for each prompt at its own final position.
#
# The logit difference is the metric of the whole section (Wang et al. use it, and Zhang & Nanda
# 2023, [arXiv:2309.16042](https://arxiv.org/abs/2309.16042), recommend it over probabilities for
# patching: it is linear in the last residual stream and does not saturate). Prompts of different
# templates have different lengths and are right-padded, so `logits[:, -1]` reads padding for the
# short ones.
#
# <details><summary>Hint</summary>
#
# `rows = torch.arange(batch)`; `logits[rows, end]` is `[batch, d_vocab]`; index it again with
# `[rows, io_ids]`.
#
# </details>

# %%
def logit_diff(
    logits: Float[Tensor, "batch pos d_vocab"],
    end: Int[Tensor, " batch"],
    io_ids: Int[Tensor, " batch"],
    s_ids: Int[Tensor, " batch"],
) -> Float[Tensor, " batch"]:
    """logits[b, end[b], io_ids[b]] − logits[b, end[b], s_ids[b]] for each prompt b.

    Positive when the model prefers the indirect object. ``end[b]`` is prompt b's last real
    token (rows are right-padded). Does not modify ``logits``.
    """
    raise NotImplementedError("exercise: logit_diff")


# %%
arena_check.check("1.3", "logit_diff", logit_diff)


# %% [markdown]
# One forward pass with full logits on the clean prompts (the cache keeps every head's output,
# `hook_z`, and the attention patterns for later), and the ABC prompts through the kit's cheaper
# `ioi.final_logit_diff`, which normalises and unembeds only the END rows and only the two names'
# columns. Each pass over the 36 prompts takes about 4 s on this machine.

# %% [markdown]
# The clean logit difference is {glue:text}`ld_clean:.2f` (a factor $e^{3.6}\approx 35$ in
# odds), and the ABC twin brings it to {glue:text}`ld_corrupt:.2f`: about indifferent, as intended.
# GPT-2 small scores about 3.5 on Wang et al.'s own prompts, so the two models are comparably good
# at the task.
#
# ### Exercise 3 · `patching_metric`
#
# > difficulty 1/5 · importance 4/5 · 5 min
#
# Normalise a patched logit difference so that 0 means "as corrupted" and 1 means "as clean".
#
# Every patching experiment below runs the *corrupted* prompts and restores one piece of the clean
# run (*denoising*). The raw logit difference depends on the prompts; the normalised one reads the
# same on any data set and says what fraction of the behaviour one component restores.

# %%
def patching_metric(
    ld_patched: Float[Tensor, "..."], ld_clean: float, ld_corrupted: float
) -> Float[Tensor, "..."]:
    """(ld_patched − ld_corrupted) / (ld_clean − ld_corrupted), elementwise, any shape.

    0 where the patch changes nothing, 1 where it restores the clean logit difference fully;
    negative where it pushes further from clean than the corrupted run. Does not modify inputs.
    """
    raise NotImplementedError("exercise: patching_metric")


# %%
arena_check.check("1.3", "patching_metric", patching_metric)


# %% [markdown]
# ## Part 2 · Direct logit attribution
#
# The logit difference is a dot product. After the last block, the END residual vector $x$ is
# normalised, $x / \text{rms}(x)$ (RMSNorm's weight is folded into $W_U$), and dotted with the
# *logit-difference direction* $W_U[:, \text{IO}] - W_U[:, \text{S}]$. The residual stream is a sum
# of every head's output (plus MLPs and the embedding), and with the recorded scale $\text{rms}(x)$
# held fixed the normalisation is linear, so the logit difference splits into one term per head.
# Unlike GPT-2's LayerNorm, RMSNorm does not subtract the mean: there is no centring step here.
#
# ### Exercise 4 · `logit_diff_directions`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Return each prompt's logit-difference direction in the residual stream.

# %%
def logit_diff_directions(
    W_U: Float[Tensor, "d_model d_vocab"], io_ids: Int[Tensor, " batch"], s_ids: Int[Tensor, " batch"]
) -> Float[Tensor, "batch d_model"]:
    """Row b is W_U[:, io_ids[b]] − W_U[:, s_ids[b]]: dotting a normalised final residual vector
    with it gives that prompt's IO − S logit difference (minus the unembedding bias's share)."""
    raise NotImplementedError("exercise: logit_diff_directions")


# %%
arena_check.check("1.3", "logit_diff_directions", logit_diff_directions)


# %% [markdown]
# ### Exercise 5 · `head_dla`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Compute every head's direct contribution to each prompt's logit difference.
#
# A head's output at END is `z @ W_O` for that head; divide it by the final norm's recorded scale and
# dot it with the prompt's direction. Large positive terms are heads that *write the answer*;
# large negative ones write the wrong name.
#
# <details><summary>Hint 1</summary>
#
# `einsum(z_end, W_O, "b l h d, l h d m -> b l h m")` gives each head's output vector.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The scale is `cache["ln_final.hook_scale"]` at END, one number per prompt: divide by it (do not
# multiply), and do not subtract a mean — RMSNorm has no centring.
#
# </details>

# %%
def head_dla(
    z_end: Float[Tensor, "batch layer head d_head"],
    W_O: Float[Tensor, "layer head d_head d_model"],
    final_scale: Float[Tensor, " batch"],
    directions: Float[Tensor, "batch d_model"],
) -> Float[Tensor, "batch layer head"]:
    """Direct logit attribution of each head at the final position, through an RMSNorm.

    Entry [b, l, h] = (z_end[b, l, h] @ W_O[l, h]) · directions[b] / final_scale[b], where
    final_scale is the final RMSNorm's scale recorded in the run (no centring: RMSNorm has none).
    """
    raise NotImplementedError("exercise: head_dla")


# %%
arena_check.check("1.3", "head_dla", head_dla)


# %% [markdown]
# The direct effects are concentrated in a handful of heads in the last third of the network, and
# some are negative — heads that push toward S. GPT-2 small has the same kind of *negative name
# movers* (Wang et al. §3.4; they later became "copy suppression", McDougall et al. 2023,
# [arXiv:2310.04625](https://arxiv.org/abs/2310.04625)). Direct effects say nothing about heads that
# act *through* later heads; the next part measures total effects.
#
# ## Part 3 · Activation patching
#
# Activation patching (also "causal tracing" or "interchange intervention"; Meng et al.
# 2022, Vig et al. 2020) runs the model on the corrupted prompts and overwrites one activation with
# its value from the clean run. If the logit difference comes back, the activation carried the
# information that distinguishes the prompts. Heimersheim & Nanda (2024,
# [arXiv:2404.15255](https://arxiv.org/abs/2404.15255)) discuss how to read the results: denoising
# (clean into corrupted, as here) finds components that are *sufficient* to restore the behaviour;
# noising (corrupted into clean) finds components that are *necessary*; the two differ when
# components are redundant, as name movers are.
#
# ### Exercise 6 · `patch_resid_hook`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write a hook that replaces the residual stream at one position per prompt with the clean run's.

# %%
def patch_resid_hook(
    resid: Float[Tensor, "batch pos d_model"],
    hook: HookPoint,
    clean_resid: Float[Tensor, "batch pos d_model"],
    positions: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos d_model"]:
    """resid with row b, position positions[b] taken from clean_resid; all else unchanged.

    Returns the tensor the model should continue with. Never modifies ``clean_resid`` (the cache
    it comes from is reused for every patch).
    """
    raise NotImplementedError("exercise: patch_resid_hook")


# %%
arena_check.check("1.3", "patch_resid_hook", patch_resid_hook)


# %% [markdown]
# The full sweep — every layer, at S2 and at END — is cached (below). Here is one cell of it
# recomputed with your hook: patching the residual stream before layer 24 at END.

# %% [markdown]
# The picture is the IOI story in one plot: the information that tells the prompts apart sits at S2
# (the only token that differs) in the early and middle layers, and moves to END around layer
# {glue:text}`resid_cross`; after that, patching END alone restores everything.
#
# ### Exercise 7 · `patch_head_hook`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Write a hook for `hook_z` that patches a single head's output, at one position per prompt or at all
# positions.
#
# `hook_z` is `[batch, pos, head, d_head]`: the head's output before `W_O`. In a grouped-query model
# there are 9 query heads but only 3 key/value heads; `hook_z` has one slot per *query* head, so
# patching it patches one head, not a group.

# %%
def patch_head_hook(
    z: Float[Tensor, "batch pos head d_head"],
    hook: HookPoint,
    clean_z: Float[Tensor, "batch pos head d_head"],
    head: int,
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, "batch pos head d_head"]:
    """z with head ``head`` taken from clean_z: at every position if ``positions`` is None, else
    only at (b, positions[b]). Other heads and positions unchanged; ``clean_z`` never modified."""
    raise NotImplementedError("exercise: patch_head_hook")


# %%
arena_check.check("1.3", "patch_head_hook", patch_head_hook)


# %% [markdown]
# ### Exercise 8 · `patch_head_logit_diff`
#
# > difficulty 3/5 · importance 5/5 · 15 min
#
# Run the corrupted prompts with one head patched from the clean run, and return the logit
# differences.
#
# This is the experiment itself. The run that gets patched is the *corrupted* one: patching clean
# activations into the clean run changes nothing and measures nothing.
#
# <details><summary>Hint</summary>
#
# `model.run_with_hooks(batch.corrupted_tokens, fwd_hooks=[(f"blocks.{layer}.attn.hook_z", fn)])`
# with `fn = lambda z, hook: patch_head_hook(z, hook, clean_z, head, positions)`, then your
# `logit_diff` at `batch.positions["END"]`. (The kit's `ioi.final_logit_diff` does the same from
# `stop_at_layer=model.cfg.n_layers` without computing every position's logits.)
#
# </details>

# %%
def patch_head_logit_diff(
    model: HookedTransformer,
    batch: ioi.IOIBatch,
    clean_z: Float[Tensor, "batch pos head d_head"],
    layer: int,
    head: int,
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, " batch"]:
    """IO − S logit difference of each prompt when the model runs on ``batch.corrupted_tokens``
    with head (layer, head)'s ``hook_z`` patched from ``clean_z`` (the clean run's hook_z of
    that layer) at ``positions`` (all positions if None). Leaves no hook attached."""
    raise NotImplementedError("exercise: patch_head_logit_diff")


# %%
arena_check.check("1.3", "patch_head_logit_diff", patch_head_logit_diff)


# %% [markdown]
# Patching all 270 heads, each at every position and each at END only, is 540 patched forward passes
# — far over this page's budget, even with the tricks the cache script uses (it starts each run at
# the patched layer, and recomputes only the tokens from S2 on: before S2 the clean and ABC prompts
# are identical, so nothing there can change). `tools/cache_ioi_patching_smollm2.py` ran the sweep
# with the same prompts and seed in {glue:text}`cache_minutes:.0f` minutes and shipped the result;
# **the two head heatmaps below and the residual-stream plot above come from that cache.** The page
# recomputes two of its cells with your function, by plain full forward passes (about 4 s each), and
# checks that they agree.

# %% [markdown]
# Single heads restore only part of the effect: the work is spread over several heads, as it is in
# GPT-2 small. Heads in the last third (large at END, and mostly the ones with large direct effects)
# move the answer; heads in the middle layers matter only at positions before END — they can only
# act through later heads.
#
# ## Part 4 · Attribution patching
#
# Attribution patching (Nanda 2023,
# [Attribution Patching: Activation Patching At Industrial Scale](https://www.neelnanda.io/mechanistic-interpretability/attribution-patching);
# Syed et al. 2023, [arXiv:2310.10348](https://arxiv.org/abs/2310.10348)) replaces each patching
# forward pass by a first-order Taylor expansion around the corrupted run:
#
# $$\text{LD}(\text{patched}) - \text{LD}(\text{corrupted}) \approx (z_\text{clean} - z_\text{corrupted}) \cdot \frac{\partial\, \text{LD}}{\partial z}\Big|_\text{corrupted}.$$
#
# One forward and one backward pass on the corrupted prompts give the gradient at every activation,
# so the whole sweep costs about as much as three forward passes.
#
# ### Exercise 9 · `corrupted_z_and_grads`
#
# > difficulty 3/5 · importance 4/5 · 20 min
#
# Run the corrupted prompts, and return every layer's `hook_z` and the gradient of the mean logit
# difference with respect to it.
#
# <details><summary>Hint 1</summary>
#
# A hook that stores its argument (`store[hook.name] = z`) keeps the tensor that is in the graph;
# `torch.autograd.grad(metric, list_of_zs)` returns the gradients without touching any parameter's
# `.grad`. Wrap the whole function in `with torch.enable_grad():` — this page turns gradients off
# globally — and make sure something upstream requires a gradient (the model's parameters may not:
# a hook on `hook_embed` can return `embed.detach().requires_grad_(True)`).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Return `z.detach()` and `z.grad` (or clones): a caller that keeps the results must not keep the
# graph alive, and must not see them change.
#
# </details>

# %%
def corrupted_z_and_grads(
    model: HookedTransformer, batch: ioi.IOIBatch
) -> tuple[Float[Tensor, "layer batch pos head d_head"], Float[Tensor, "layer batch pos head d_head"]]:
    """hook_z of every layer on ``batch.corrupted_tokens``, and the gradient of the *mean* IO − S
    logit difference (over the batch, at each prompt's END) with respect to each of them.

    Both results are detached (no autograd graph). The model's parameters get no gradient, and no
    hook is left attached. Works with gradients globally off.
    """
    raise NotImplementedError("exercise: corrupted_z_and_grads")


# %%
arena_check.check("1.3", "corrupted_z_and_grads", corrupted_z_and_grads)


# %% [markdown]
# ### Exercise 10 · `attribution_scores`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Turn clean activations, corrupted activations and gradients into one estimated patching effect per
# head.

# %%
def attribution_scores(
    clean_z: Float[Tensor, "layer batch pos head d_head"],
    corrupt_z: Float[Tensor, "layer batch pos head d_head"],
    grads: Float[Tensor, "layer batch pos head d_head"],
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, "layer head"]:
    """Estimated change in the metric from patching each head clean → corrupted:
    Σ (clean_z − corrupt_z) · grads, summed over d_head, over the batch, and over every position
    (positions None) or only over (b, positions[b]). ``grads`` are gradients of the metric at the
    corrupted run, so the batch is summed, not averaged."""
    raise NotImplementedError("exercise: attribution_scores")


# %%
arena_check.check("1.3", "attribution_scores", attribution_scores)


# %% [markdown]
# ### Exercise 11 · `pearson`
#
# > difficulty 1/5 · importance 2/5 · 5 min
#
# Compute the Pearson correlation of two equally shaped tensors, flattened.

# %%
def pearson(x: Float[Tensor, "..."], y: Float[Tensor, "..."]) -> Float[Tensor, ""]:
    """Pearson correlation of x and y flattened (same number of elements, at least two, neither
    constant): covariance over the product of standard deviations. A 0-dim float tensor."""
    raise NotImplementedError("exercise: pearson")


# %%
arena_check.check("1.3", "pearson", pearson)


# %% [markdown]
# The whole gradient approximation on the page: one forward-and-backward pass on the 36 corrupted
# prompts (about 12 s here), then a comparison with the cached exact sweep.

# %% [markdown]
# At END the approximation reproduces the exact sweep (r = {glue:text}`r_end:.3f`) in
# {glue:text}`attr_time:.0f` s instead of the cache script's {glue:text}`cache_minutes:.0f` minutes,
# and over all positions it does about as well (r = {glue:text}`r_all:.3f`). It is not always so
# good: the expansion is linear, and a patch that changes where later heads attend (an attention
# pattern saturating or flipping) is not — Syed et al. and Kramár et al. 2024
# ([AtP*](https://arxiv.org/abs/2403.00745)) show where it breaks and how to repair part of it. A
# correlation is dominated by the few large effects, so read it as "the ranking of the important heads
# is right", then confirm the heads that matter with exact patching.
#
# ## Part 5 · Path patching to the logits
#
# Activation patching measures a head's *total* effect, through every later component.
# Path patching (Wang et al. 2022; Goldowsky-Dill et al. 2023,
# [arXiv:2304.05969](https://arxiv.org/abs/2304.05969)) restricts the patch to chosen paths: the
# sender's clean output reaches only the receivers, and everything else stays as in the corrupted
# run. With the logits as the receiver, the path is the direct one, and with the final norm's scale
# frozen at its corrupted value it is linear: the difference between the head's direct
# contributions in the two runs. Your `head_dla` computes it, given the corrupted run's scale.

# %% [markdown]
# Where the direct path and the END patch agree, a head acts on the logits directly; where the patch
# is much larger than the path, the head acts through later heads. Which later heads, and through
# which of their inputs, is path patching into other heads' queries, keys and values: Part 6 first
# reads candidate roles from attention, then tests them that way.
#
# ## Part 6 · The circuit
#
# ### Reading roles from attention
#
# Which heads are these? The clean cache has every head's attention pattern, so each of the most
# important heads (by the cached all-positions effect) gets four numbers, averaged over the
# localisation prompts: how much END attends to IO and to S (both mentions), how much S2 attends to
# S1 (a *duplicate-token* head: "this name was seen before") and to the token after S1 (an
# *induction* head). With its direct effect (Part 2) and its effect at END, that is enough to give it
# a role: a name mover head attends to IO from END and writes IO; a negative name mover does
# the same with the opposite sign; an *S-suppression* head attends to S from END and writes
# *against* S directly (a large positive direct effect); an S-inhibition head attends to S
# from END, has a large effect at END but little direct effect (it acts on the name movers);
# duplicate-token and induction heads work at S2. The thresholds in the code are this page's
# choices; the table shows the numbers they are applied to.

# %% [markdown]
# Attention patterns of one head of each role on the first localisation prompt. Most heads park most
# of their attention on the first token (an "attention sink"); the plots leave that column out and
# scale each head's colours to its largest remaining weight, so the informative entries show.

# %% [markdown]
# ### Path patching into queries, keys and values
#
# The table is a hypothesis: "L20H0 reads S from END, so it must tell the name movers which name to
# avoid". Path patching tests such an arrow directly (Wang et al. 2022 §3; Goldowsky-Dill et
# al. 2023). Pick *sender* heads and *receiver* heads, and one input of the receivers — the query,
# key or value side. Then:
#
# 1. run the **clean** prompts with the senders' outputs taken from the **corrupted** (ABC) run and
#    every other head's output **frozen** at its clean value (MLPs and norms recompute), and record
#    the receivers' chosen input;
# 2. run the clean prompts again, freely, with only those receiver inputs replaced by the recorded
#    ones, and measure the logit difference.
#
# Freezing the other heads is what makes it a *path*: without it, the senders' change also reaches
# the receivers through every head in between, and the experiment measures the senders' total effect
# again. The direction is *noising* (corrupted senders in a clean run), as in Wang et al.: the
# effect is how much of the logit difference is lost, so −1 means "as bad as the corrupted run" and
# 0 means "this path does not matter". Denoising asks the same question from the other side.
#
# TransformerLens exposes the receivers' inputs once `model.set_use_split_qkv_input(True)` is on: each
# block's `hook_q_input`, `hook_k_input` and `hook_v_input` hold the residual stream *before* the
# head's norm, copied once per slot. In SmolLM2's grouped-query attention the slots are not all heads:
# `hook_q_input` has one per query head (`[batch, pos, 9, d_model]`), but `hook_k_input` and
# `hook_v_input` have one per key/value head (`[batch, pos, 3, d_model]`; TransformerLens's
# `cfg.ungroup_grouped_query_attention` would copy them per query head). Query head $h$ reads key/value
# group $h \,//\, 3$, so patching "the values of L20H0" patches the values that L20H0, L20H1 and L20H2
# all read. Path patching into keys and values in a GQA model resolves groups, not heads.
#
# ### Exercise 12 · `path_patch_inputs`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Record the receivers' inputs in the clean run with the senders patched from the corrupted run and
# every other head frozen.
#
# This is the step that turns activation patching into path patching: the receivers see the senders'
# change only through the residual stream and the MLPs, not through any other head.
#
# <details><summary>Hint 1</summary>
#
# One hook function for every layer's `attn.hook_z` that returns `clean_z[layer]` with the senders'
# heads of that layer copied from `corrupt_z[layer]` (`hook.layer()` tells it which layer it is in),
# and one that stores `blocks.{l}.hook_{component}_input` for each receiver layer.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Nothing after the last receiver layer's input matters: `stop_at_layer=max(receiver_layers) + 1`
# saves the rest of the forward pass. Store `.detach().clone()`s — the hook's argument is not yours
# to keep.
#
# </details>

# %%
def path_patch_inputs(
    model: HookedTransformer,
    batch: ioi.IOIBatch,
    clean_z: Float[Tensor, "layer batch pos head d_head"],
    corrupt_z: Float[Tensor, "layer batch pos head d_head"],
    senders: Sequence[tuple[int, int]],
    receiver_layers: Sequence[int],
    component: str = "q",
) -> dict[int, Float[Tensor, "batch pos slot d_model"]]:
    """Step 1 of path patching: the receivers' ``component`` inputs ("q", "k" or "v") when the model
    runs on the *clean* prompts (``batch.tokens``) with every head's hook_z frozen at ``clean_z``
    except the senders (layer, head), which take ``corrupt_z``; MLPs and norms are recomputed.

    Returns {layer: blocks.{layer}.hook_{component}_input} for each layer in ``receiver_layers``:
    every position and every slot (query heads for "q", key/value groups for "k" and "v"), detached.
    Needs ``model.set_use_split_qkv_input(True)``. Leaves no hook attached.
    """
    raise NotImplementedError("exercise: path_patch_inputs")


# %%
arena_check.check("1.3", "path_patch_inputs", path_patch_inputs)


# %% [markdown]
# ### Exercise 13 · `patch_receivers_logit_diff`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Run the clean prompts with only the receivers' inputs replaced, at the chosen positions, and return
# the logit differences.
#
# Every detail is a different experiment: the receiver's *input* rather than its output (its output
# would include everything it reads from unpatched positions and heads), only the receiver's own slot
# (the other heads of the layer read the same residual stream and must not see the change), and only
# the positions where the path is claimed to act — the name movers' queries at END.
#
# <details><summary>Hint</summary>
#
# For "k" and "v" the slot is `head // (model.cfg.n_heads // model.cfg.n_key_value_heads)`. Index a
# slot at one position per prompt with `x[rows, positions, slot]`, `rows = torch.arange(batch)`,
# then read the logit difference at END as in Exercise 8.
#
# </details>

# %%
def patch_receivers_logit_diff(
    model: HookedTransformer,
    batch: ioi.IOIBatch,
    inputs: dict[int, Float[Tensor, "batch pos slot d_model"]],
    receivers: Sequence[tuple[int, int]],
    component: str = "q",
    positions: Int[Tensor, " batch"] | None = None,
) -> Float[Tensor, " batch"]:
    """Step 2 of path patching: IO − S logit difference of each prompt when the model runs on the
    *clean* prompts with only the receivers' ``component`` inputs taken from ``inputs`` (step 1's
    result, keyed by layer), at (b, positions[b]) — every position if None. Everything else
    runs freely.

    A receiver (layer, head) is a query head. Its slot in hook_q_input is ``head``; in hook_k_input
    and hook_v_input it is its key/value group, head // (n_heads // n_key_value_heads), shared with
    the other query heads of the group. Needs ``model.set_use_split_qkv_input(True)``. Leaves no
    hook attached.
    """
    raise NotImplementedError("exercise: patch_receivers_logit_diff")


# %%
arena_check.check("1.3", "patch_receivers_logit_diff", patch_receivers_logit_diff)


# %% [markdown]
# Your two functions on one arrow of the hypothesis: the first S-inhibition head of the table as the
# sender, and every name-mover-like head (name movers, the negative name mover and the S-suppression
# head) as receivers, through their queries at END. Each run goes through the whole model twice, so
# this part uses a third of the localisation prompts — one name triple per template, both orders, 12
# prompts — and takes about 3 s on a quiet machine.

# %% [markdown]
# **A sweep over senders.** Every head in layers 16 to the layer before the first receiver as a
# sender, one at a time, into the same receivers' queries at END: 63 senders. Your functions would
# take 63 × 3 s. The cell below computes the same numbers in a batch, using two facts about this
# particular experiment. With every head frozen, step 1 changes nothing but MLP inputs, and MLPs and
# norms act on each position alone — so the receivers' inputs at END need only the END row of each
# layer, for all senders at once. In step 2, patching queries at END changes nothing before END, so
# each prompt's tokens before END run once into a frozen key/value cache and every sender's run
# recomputes one token from the first receiver layer on. The cell checks its answer against yours
# for the sender above. About 6 s on a quiet machine (the cell prints its time).

# %% [markdown]
# The heads the table labelled S-inhibition (the labels in the heatmap are the table's roles) are the
# two strongest senders by far: one carries almost half of the whole clean-versus-corrupted gap
# ({glue:text}`pp_q_top:.2f`) into the name-mover-like heads' queries alone, the other
# {glue:text}`pp_q_second:.2f`; every other head in these layers is within
# {glue:text}`pp_q_rest:.2f` of zero. Attention and path patching agree here: the heads that attend
# from END to S are the ones whose output the late heads' queries use. The printed comparison with
# Part 3 (a denoising number, so compare sizes only roughly) says that the first head's effect at END
# is about all carried by this path, while the second one's path carries only part of its effect at
# END — the rest reaches the logits some other way (other receivers, or their keys and values at END).
#
# **Second sweep: into the S-inhibition heads' values at S2.** The IOI story continues backwards: the
# S-inhibition heads attend to S2 and read *that S was repeated* from its value, which duplicate-token
# and induction heads wrote there. The receivers are the table's S-inhibition heads, through their
# value input at S2. A key/value group is shared, so this patches the values of the receivers'
# whole groups (three query heads each). The suffix to recompute is now S2 … END and starts at an
# earlier layer, so each sender costs more: the senders are restricted to the 8 heads before the
# S-inhibition layers with the largest total patching effects (Part 3), which include the table's
# induction and duplicate-token heads. One of them is checked against your functions again. About 6 s.

# %% [markdown]
# Here attention and path patching only partly agree. The head the table called induction (it attends
# from S2 to the token after S1) is the one sender that matters, {glue:text}`pp_v_ind:.2f`: it writes
# what the S-inhibition heads read at S2, as in GPT-2. The heads the table called duplicate-token
# (S2 attends to S1) move the logit difference by at most {glue:text}`pp_v_dup:.2f` through this path:
# they do attend to the earlier name, but what the S-inhibition heads' values use does not come from
# them directly. They may act through the induction head, or through the S-inhibition heads' *keys*,
# or not matter much at all (their total effects in Part 3 are small); this page did not sweep keys
# or a second hop. Two cautions for reading both sweeps: each is one sender at a time, so heads that
# back each other up look small; and the value sweep patches whole key/value groups.
#
# ### The circuit as a diagram
#
# Boxes are the heads above, placed by layer and grouped by role; arrows show the flow the IOI
# story predicts between the groups (duplicate-token and induction heads at S2 → S-inhibition →
# name movers → logits, and the S-suppression head straight to the logits). Black arrows were
# measured by the path patching above, labelled with the strongest sender's effect (the S-inhibition
# arrows with the one sweep into all name-mover-like queries together); the dotted one was measured
# and found near zero; grey arrows are still the hypothesis.

# %% [markdown]
# Compared with GPT-2 small (12 layers × 12 heads; Wang et al.), the classes are recognisably the
# same and sit at about the same *relative* depth: GPT-2's duplicate-token and induction heads are in
# layers 0–6, its S-inhibition heads in 7–8, its name movers in 9–10; read the table above for
# SmolLM2's layers out of 30. Two differences stand out. The head with the largest effect here writes
# the answer by attending to the *subject* and pushing it down, where GPT-2's strongest direct heads
# attend to the indirect object and copy it. And grouped-query attention ties heads together: the 9
# query heads of a layer share 3 key/value heads, so heads of one group read the same keys and
# values and differ only in where they look.
#
# ### Exercise 14 · `top_k_heads`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# Pick the k heads with the largest absolute scores.

# %%
def top_k_heads(scores: Float[Tensor, "layer head"], k: int) -> list[tuple[int, int]]:
    """The k (layer, head) pairs with the largest |score|, largest first, as Python ints; equal
    |score|s in row-major order (layer, then head). Negative effects count by their size: a head
    that hurts the task is part of the mechanism."""
    raise NotImplementedError("exercise: top_k_heads")


# %%
arena_check.check("1.3", "top_k_heads", top_k_heads)


# %% [markdown]
# ### Exercise 15 · `reference_means`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# For each prompt, average a reference distribution's activations over the reference prompts of the
# same template, position by position.
#
# Ablating a head by *zero* puts the model somewhere it has never been; its mean over prompts keeps
# everything that does not depend on the particular prompt. Wang et al. take the mean over the ABC
# distribution, where the names carry no IOI information, and per position within a template, so
# that "the token after the first name" keeps its typical value.
#
# <details><summary>Hint</summary>
#
# Loop over the templates present in `groups`; `z_ref[ref_groups == g].mean(0)` is that template's
# mean, to write into every row `b` with `groups[b] == g`.
#
# </details>

# %%
def reference_means(
    z_ref: Float[Tensor, "n_ref pos head d_head"],
    ref_groups: Int[Tensor, " n_ref"],
    groups: Int[Tensor, " batch"],
) -> Float[Tensor, "batch pos head d_head"]:
    """Row b is the mean of z_ref over the reference rows of b's group (ref_groups == groups[b]),
    separately at every position, head and feature. Raises ValueError if a group in ``groups``
    has no reference row. Does not modify its inputs."""
    raise NotImplementedError("exercise: reference_means")


# %%
arena_check.check("1.3", "reference_means", reference_means)


# %% [markdown]
# ### Exercise 16 · `circuit_hook`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Write the `hook_z` hook that keeps some heads of a layer and mean-ablates the others.

# %%
def circuit_hook(
    z: Float[Tensor, "batch pos head d_head"],
    hook: HookPoint,
    means: Float[Tensor, "batch pos head d_head"],
    keep: Sequence[int],
) -> Float[Tensor, "batch pos head d_head"]:
    """z with every head *not* in ``keep`` replaced by ``means`` (at all positions); the heads in
    ``keep`` unchanged. ``keep`` may be empty (ablate the whole layer). ``means`` never modified."""
    raise NotImplementedError("exercise: circuit_hook")


# %%
arena_check.check("1.3", "circuit_hook", circuit_hook)

# %% [markdown]
# ### Testing the circuit on held-out prompts
#
# The test set is new: all eight templates (6 and 7 were never used above) with the eight held-out
# names, 32 prompts; the reference distribution is 48 ABC prompts on the same templates (6 per
# template), drawn with another seed. A *circuit* keeps a set of heads and replaces every other head, in every layer,
# by its reference mean; a circuit is *faithful* if it keeps most of the clean logit difference
# (Wang et al. §4). The heads are ranked by the cached exact patching effect at all positions. Each
# evaluation is one forward pass over the 32 prompts, about 3 s on a quiet machine; the cell takes
# about 30 s.

# %% [markdown]
# Three of the five targets are met: removing only the top 10 heads flips the answer (it removes
# {glue:text}`res_top_10:.0%` of the logit difference), 45 random heads keep nothing, and the 20 heads
# with the largest *direct* effects — every name mover among them — keep only
# {glue:text}`res_DLA_top:.0%`: the late heads can copy or suppress a name only if earlier heads have
# marked which name is repeated. That is the lesson of the IOI paper, reproduced on a different model:
# the direct effect finds where the answer is written, not the circuit that computes it.
#
# Two targets are **missed**: the top 90 heads keep {glue:text}`res_top_90:.0%` (target ≥ 80 %) and
# the top 45 keep {glue:text}`res_top_45:.0%` (target ≥ 60 %). What limits them is the ranking, not
# the ablation. The ABC prompts are identical to the clean ones before S2, so denoising patching gives
# every head *exactly zero* effect at IO, S1 and every other early position — it cannot see heads that
# carry "which name is where" before S2. Mean ablation over the ABC distribution, on the other hand,
# replaces those heads' outputs at IO and S1 by an average over names, which removes exactly that
# information. So the circuit ranked by ABC patching leaves out heads that the ablation test needs. A
# ranking that also measures effects at the early positions (patching from a corruption that changes
# IO and S1, or attribution of the mean ablation itself) is the natural next step; this page stops at
# the ABC ranking the targets ask for, and reports the gap.
#
# ## Summary
#
# - IOI prompts come in ABBA and BABA orders; the ABC corruption replaces the second S by a third
#   name, removing exactly the information the task needs. The metric is the IO − S logit difference
#   at each prompt's own final position, normalised to 0 (corrupted) … 1 (clean) for patching.
# - Direct logit attribution through RMSNorm: divide each head's output by the recorded final scale
#   (no centring) and dot with $W_U[:, IO] - W_U[:, S]$. It finds the heads that write the answer.
# - Activation patching (denoising) of the residual stream shows the information moving from S2 to
#   END; patching single heads at all positions and at END separates heads that act directly from
#   heads that act through others. Path patching to the logits is the linear, direct-path special case.
# - Path patching between heads: corrupted senders, every other head frozen at its clean value, the
#   receivers' query/key/value inputs recorded, then patched alone into a clean run at the positions
#   the path is claimed to act. Into the name-mover-like heads' queries at END it singles out exactly
#   the heads that attention labelled S-inhibition; into those heads' values at S2 it singles out the
#   induction-like head, not the duplicate-token heads. In a grouped-query model, keys and values are
#   patched per key/value group, not per head.
# - Attribution patching approximates the END sweep closely from one backward pass, and is weaker
#   where attention patterns change; use it to rank, exact patching to confirm.
# - A circuit must be tested on held-out prompts with mean ablation over a reference distribution.
#   Heads picked by direct effect alone are not a circuit; heads picked by ABC patching miss what
#   matters before S2, which ABC patching cannot see.
#
# ## Further reading
#
# - Wang et al., [Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2
#   small](https://arxiv.org/abs/2211.00593) (2022) — the task, the ABC distribution, path patching,
#   and the faithfulness, completeness and minimality tests.
# - Heimersheim & Nanda, [How to use and interpret activation patching](https://arxiv.org/abs/2404.15255)
#   (2024) — denoising versus noising, metrics, and common pitfalls.
# - Zhang & Nanda, [Towards Best Practices of Activation Patching in Language Models: Metrics and
#   Methods](https://arxiv.org/abs/2309.16042) (2023) — why logit difference, and why the choice of
#   corruption matters.
# - Nanda, [Attribution Patching: Activation Patching At Industrial
#   Scale](https://www.neelnanda.io/mechanistic-interpretability/attribution-patching) (2023), and
#   Syed et al., [Attribution Patching Outperforms Automated Circuit
#   Discovery](https://arxiv.org/abs/2310.10348) (2023) — the gradient approximation, and its use for
#   circuit discovery.
# - Conmy et al., [Towards Automated Circuit Discovery for Mechanistic
#   Interpretability](https://arxiv.org/abs/2304.14997) (2023) — ACDC, which automates the
#   search done by hand here, evaluated on IOI among other tasks.
# - Goldowsky-Dill et al., [Localizing Model Behavior with Path
#   Patching](https://arxiv.org/abs/2304.05969) (2023) — path patching made precise.
# - McDougall et al., [Copy Suppression: Comprehensively Understanding an Attention
#   Head](https://arxiv.org/abs/2310.04625) (2023) — what negative name movers do.
# - Kramár et al., [AtP\*: An efficient and scalable method for localizing LLM behaviour to
#   components](https://arxiv.org/abs/2403.00745) (2024) — where attribution patching fails and how to fix it.
# - Allal et al., [SmolLM2: When Smol Goes Big](https://arxiv.org/abs/2502.02737) (2025) and
#   Ainslie et al., [GQA](https://arxiv.org/abs/2305.13245) (2023) — the model, and its
#   grouped-query attention.
