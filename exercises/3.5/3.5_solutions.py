# %% [markdown]
# *GENERATED from book/3_rl/3.5_rlhf.md by tools/build_exercises.py — do not edit by hand.*
#
# *Reference solutions. Try the exercises first: reading a solution teaches less than writing one.*

# %% [markdown]
# # 3.5 RLHF and fine-tuning language models
#
# A pretrained language model continues text; a chat assistant answers questions the way people
# prefer. The recipe that turns one into the other — supervised fine-tuning on example
# answers, a reward model learned from human comparisons, then reinforcement learning
# against that reward with a leash to the original model — is called RLHF, reinforcement
# learning from human feedback ([Ziegler et al. 2019](https://arxiv.org/abs/1909.08593); [Stiennon
# et al. 2020](https://arxiv.org/abs/2009.01325); [Ouyang et al. 2022](https://arxiv.org/abs/2203.02155)).
# Every stage is a small piece of code with a classic silent bug: a loss that also trains on the
# prompt, a log-probability read one position off, a preference loss with the pair swapped, a KL
# penalty with the wrong sign. This section builds each piece, grades it on its own, and runs the
# whole loop on a real 135M-parameter chat model on a CPU — until the policy finds out how to
# game its reward.
#
# We use **SmolLM2-135M-Instruct** from the book's offline zoo (a 30-layer Llama-architecture chat
# model, see the [zoo page](../zoo.md)): a real instruction-tuned model that answers in sentences,
# yet small enough that one step of RL on it (sample 8 answers, two forward passes, one
# backward pass) takes seconds on a CPU rather than minutes.
#
# **You will be able to**
#
# - turn a (prompt, response) pair into token ids with the model's chat template, and
#   build labels that train on the response only;
# - read per-token log-probabilities out of a causal model's logits at the right positions, and
#   write the supervised fine-tuning loss;
# - write a LoRA layer and use `peft` to fine-tune SmolLM2 with it;
# - train a reward model from pairwise preferences with the Bradley–Terry
#   loss and measure its held-out pairwise accuracy;
# - write the pieces of KL-regularised policy optimisation — response masks, reference
#   log-probabilities, the per-token KL penalty, a moving baseline and the REINFORCE loss —
#   and watch the reward rise, the KL grow, and the text degrade into reward hacking;
# - map this loop onto the trainers of Hugging Face's `trl` library.
#
# **Prerequisites.** Section 3.3 (REINFORCE, baselines, the score-function gradient). Tokenisers
# and logits of a causal language model (chapter 1 goes deeper; what we need is introduced here).
#
# **Time.** About 3 hours: 13 exercises, then reading the runs. Executing the whole page takes
# about two minutes on a busy 2-core CPU (one torch thread); the slow cells print how long they
# take.
#
# ## Setup

# %%
import re
from typing import Any

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor, nn

import arena_check

#: The system message of every conversation on this page (SmolLM2's default one is longer).
SYSTEM = "You are a helpful assistant."
#: The label value that cross-entropy skips (PyTorch's and Hugging Face's convention).
IGNORE = -100


def position_ids_from_mask(attention_mask: Int[Tensor, "batch T"]) -> Int[Tensor, "batch T"]:
    """Positions counted from each row's first real token, so that left padding does not shift
    them (generation pads prompts on the left)."""
    return (attention_mask.cumsum(-1) - 1).clamp(min=0)


def forward_logits(model: nn.Module, input_ids: Int[Tensor, "batch T"],
                   attention_mask: Int[Tensor, "batch T"]) -> Float[Tensor, "batch T vocab"]:
    """The model's logits for a (left-)padded batch, with positions that ignore the padding."""
    return model(input_ids=input_ids, attention_mask=attention_mask,
                 position_ids=position_ids_from_mask(attention_mask)).logits


# %% [markdown]
# ## Part 1 · Supervised fine-tuning
#
# A chat model never sees raw questions. Its chat template wraps every message in special
# tokens — for SmolLM2, `<|im_start|>role\n … <|im_end|>\n` — and generation starts after the
# header of an assistant turn. Fine-tuning data must be wrapped the same way, or the model learns
# a format it will never be prompted with.

# %% [markdown]
# Supervised fine-tuning (SFT) maximises the likelihood of the *response* given the prompt.
# The prompt's tokens are in the input — the model must read them — but they are not targets: the
# model should not spend capacity learning to produce users' questions or the system message. The
# convention shared by PyTorch and Hugging Face is a `labels` tensor the same length as the input,
# with the prompt's positions set to `-100`, which `cross_entropy(..., ignore_index=-100)` skips.
#
# ### Exercise 1 · `tokenize_chat`
#
# > difficulty 2/5 · importance 5/5 · 15 min
#
# Turn a (prompt, response) pair into `input_ids` and `labels` that train on the response only.
#
# Every SFT dataset goes through a function like this. The bug it invites is masking one token too
# few or too many: leaving the assistant header's last token as a target, or masking the response's
# first token, gives a loss that still goes down.
#
# <details><summary>Hint 1</summary>
#
# Render the conversation twice with `tokenizer.apply_chat_template(..., tokenize=False)`: once
# without the response and with `add_generation_prompt=True` (this ends with the assistant's
# header), once with the assistant's message. The first is a prefix of the second.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Tokenise both with `tokenizer(text, add_special_tokens=False)`; the template already contains
# every special token. Copy the ids into labels and set the first `len(prompt_ids)` entries to `IGNORE`.
#
# </details>

# %%
def tokenize_chat(tokenizer: Any, prompt: str, response: str,
                  system: str = SYSTEM) -> tuple[Int[Tensor, " T"], Int[Tensor, " T"]]:
    """(input_ids, labels), two int64 tensors of the same length T.

    input_ids: the chat template applied to [system, user prompt, assistant response], tokenised
    with add_special_tokens=False (the template has its own special tokens). labels: a copy of
    input_ids where every token of the prompt part — the template applied to [system, user] with
    add_generation_prompt=True, i.e. everything up to and including the assistant's header — is
    IGNORE (-100). The response's tokens and the template's closing tokens after it stay targets.
    """
    messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
    prompt_text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    full_text = tokenizer.apply_chat_template(
        messages + [{"role": "assistant", "content": response}], tokenize=False)
    n_prompt = len(tokenizer(prompt_text, add_special_tokens=False).input_ids)
    input_ids = torch.tensor(tokenizer(full_text, add_special_tokens=False).input_ids, dtype=torch.int64)
    labels = input_ids.clone()
    labels[:n_prompt] = IGNORE
    return input_ids, labels


# %%
arena_check.check("3.5", "tokenize_chat", tokenize_chat)


# %% [markdown]
# A causal model's logits at position $t$ are its prediction for the token at position $t+1$. So
# the log-probability of token $x_{t+1}$ is read from `logits[:, t]`, and a sequence of length $T$
# has $T-1$ predicted tokens: the first token has no prediction. Almost every function below needs
# this, and "gathered at the wrong position" is the most common RLHF bug: the code runs, the shapes
# agree, and every number is the probability of the wrong token.
#
# ### Exercise 2 · `token_log_probs`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Return $\log p(x_{t+1} \mid x_{\le t})$ for every position of every sequence.
#
# The SFT loss, the policy's log-probabilities and the reference's log-probabilities in Part 3 are
# all this one function.
#
# <details><summary>Hint 1</summary>
#
# Take `log_softmax` of `logits[:, :-1]` over the vocabulary and `gather` the entries named by
# `input_ids[:, 1:]` (add a trailing axis of size 1 for `gather`, then squeeze it).
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `log_softmax` before indexing, not `log(softmax(...))`: the latter underflows to `-inf` for
# tokens with tiny probability.
#
# </details>

# %%
def token_log_probs(logits: Float[Tensor, "batch T vocab"],
                    input_ids: Int[Tensor, "batch T"]) -> Float[Tensor, "batch T_minus_1"]:
    """out[b, t] = log softmax(logits[b, t])[input_ids[b, t + 1]], for t = 0 .. T-2.

    Entry t is the log-probability of token t+1 given tokens 0..t. Shape (batch, T-1), the
    logits' dtype; numerically stable for logits of any scale. Gradients flow into `logits`.
    """
    log_probs = logits[:, :-1].log_softmax(dim=-1)
    return log_probs.gather(-1, input_ids[:, 1:, None]).squeeze(-1)


# %%
arena_check.check("3.5", "token_log_probs", token_log_probs)


# %% [markdown]
# ### Exercise 3 · `sft_loss`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Write the SFT loss: the mean cross-entropy of the target tokens, skipping `IGNORE` labels.
#
# This is what Hugging Face's `LlamaForCausalLM` computes when you pass `labels=`, and what
# `trl`'s `SFTTrainer` minimises. Writing it once shows where the shift by one happens.
#
# <details><summary>Hint</summary>
#
# `F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=IGNORE)`:
# the logits at $t$ are scored against the label at $t+1$, and the mean runs over the target tokens
# of the whole batch (not a mean of per-sequence means).
#
# </details>

# %%
def sft_loss(logits: Float[Tensor, "batch T vocab"], labels: Int[Tensor, "batch T"]) -> Float[Tensor, ""]:
    """Mean over all target positions of -log p(labels[b, t+1] | tokens <= t).

    logits[b, t] predicts labels[b, t+1]; positions whose label is IGNORE (-100) are skipped, and
    the mean is over the remaining targets of the whole batch, pooled. A 0-dim tensor.
    """
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=IGNORE)


# %%
arena_check.check("3.5", "sft_loss", sft_loss)


# %% [markdown]
# ### Low-rank adaptation
#
# Fine-tuning all 135M parameters needs an optimiser state three times the model's size and a copy
# of the model per task. LoRA ([Hu et al. 2021](https://arxiv.org/abs/2106.09685)) freezes
# every pretrained weight $W$ and learns a low-rank correction: a linear layer becomes
#
# $$y = W x + \frac{\alpha}{r}\, B A x, \qquad A \in \mathbb{R}^{r \times d_\text{in}},\ B \in \mathbb{R}^{d_\text{out} \times r},$$
#
# with $r$ a few units. $B$ starts at zero, so the adapted model starts *exactly* at the pretrained
# one — which Part 3 uses: switching the adapter off gives back the frozen reference model for
# free.
#
# ### Exercise 4 · `LoRALinear`
#
# > difficulty 2/5 · importance 4/5 · 15 min
#
# Wrap an `nn.Linear` with a trainable low-rank update and freeze the original.
#
# `peft` does this to every targeted projection of the model; writing one layer makes clear what
# is trained, what is frozen, and why the fine-tuned model starts where the pretrained one was.
#
# <details><summary>Hint 1</summary>
#
# Freeze with `p.requires_grad_(False)` on `base`'s parameters. `A` and `B` are `nn.Parameter`s;
# `B = torch.zeros(out_features, r)`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `forward`: `self.base(x) + self.scale * (x @ self.A.T) @ self.B.T`. Multiplying by `A` first
# keeps the cost at $r (d_\text{in} + d_\text{out})$ per token instead of forming $BA$.
#
# </details>

# %%
class LoRALinear(nn.Module):
    """y = base(x) + (alpha / r) * x @ A.T @ B.T, with `base` frozen.

    Attributes: `base` (the given nn.Linear, all its parameters with requires_grad False),
    `A` (nn.Parameter (r, in_features), random: normal with std 0.01 / r**0.5 is fine),
    `B` (nn.Parameter (out_features, r), zeros) and `scale` = alpha / r (a float). The only
    trainable parameters are A and B, so a fresh layer computes exactly base(x).
    """

    def __init__(self, base: nn.Linear, r: int = 8, alpha: float = 16.0):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.A = nn.Parameter(torch.randn(r, base.in_features) * 0.01 / r**0.5)
        self.B = nn.Parameter(torch.zeros(base.out_features, r))
        self.scale = alpha / r

    def forward(self, x: Float[Tensor, "*batch d_in"]) -> Float[Tensor, "*batch d_out"]:
        return self.base(x) + self.scale * (x @ self.A.T) @ self.B.T


# %%
arena_check.check("3.5", "LoRALinear", LoRALinear)


# %% [markdown]
# ## Part 2 · A reward model from pairwise preferences
#
# People find it much easier to say which of two answers is better than to give an answer a score.
# A reward model turns such comparisons into a score. The Bradley–Terry model
# ([Bradley & Terry, 1952](https://doi.org/10.2307/2334029)) says that a labeller prefers answer
# $y_w$ ("chosen") over $y_l$ ("rejected") with probability
#
# $$P(y_w \succ y_l) = \sigma\big(r(y_w) - r(y_l)\big),$$
#
# where $\sigma$ is the logistic sigmoid and $r$ the reward. Fitting $r$ by maximum likelihood
# means minimising $-\log \sigma(r(y_w) - r(y_l))$ averaged over the pairs. Only differences of
# rewards are identified: adding a constant to every reward changes nothing.
#
# In practice $r$ is the language model itself with its unembedding replaced by a linear head that
# outputs one number, read at the last token of the answer ([Ouyang et al.
# 2022](https://arxiv.org/abs/2203.02155)). On a CPU we train only the head, on the frozen model's
# final hidden states: one forward pass over the data, then a few hundred cheap steps.
#
# ### Exercise 5 · `last_token_features`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Pick each sequence's hidden state at its last real (non-padding) token.
#
# A reward model reads the whole answer through the last position, the only one that has attended
# to every token. With a padded batch, the last position of the tensor is padding for every row
# but the longest — and reading it is a silent bug: the head then scores the padding.
#
# <details><summary>Hint 1</summary>
#
# The attention mask is 1 on real tokens and 0 on padding. Padding may be on the right or on the
# left; the index of the last 1 in each row handles both.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `T - 1 - mask.flip(-1).argmax(-1)` is the position of the last 1 (argmax returns the first
# maximum). Then index with `hidden[torch.arange(batch), last]`.
#
# </details>

# %%
def last_token_features(hidden: Float[Tensor, "batch T d"],
                        attention_mask: Int[Tensor, "batch T"]) -> Float[Tensor, "batch d"]:
    """hidden[b, t_b] where t_b is the position of the LAST 1 in attention_mask[b].

    Works for right padding (mask 1…10…0), left padding (0…01…1) and no padding. Every row has
    at least one real token. Exact: the values are copied, not computed. Gradients flow into hidden.
    """
    T = attention_mask.shape[1]
    last = T - 1 - attention_mask.flip(-1).argmax(-1)
    return hidden[torch.arange(hidden.shape[0]), last]


# %%
arena_check.check("3.5", "last_token_features", last_token_features)


# %% [markdown]
# ### Exercise 6 · `bradley_terry_loss`
#
# > difficulty 1/5 · importance 5/5 · 5 min
#
# Write the Bradley–Terry loss: the mean of $-\log \sigma(r_w - r_l)$ over the pairs.
#
# It is the loss of every RLHF reward model, and of DPO, which folds the same comparison into the
# policy itself. The two silent bugs are swapping chosen and rejected (the model learns the
# opposite preference — perfectly) and computing `log(sigmoid(…))`, which is $-\infty$ for a pair
# the model gets badly wrong.
#
# <details><summary>Hint</summary>
#
# `-F.logsigmoid(r_chosen - r_rejected).mean()`. `F.logsigmoid` is stable for large negative
# inputs, where `torch.sigmoid` rounds to 0.
#
# </details>

# %%
def bradley_terry_loss(r_chosen: Float[Tensor, " n"], r_rejected: Float[Tensor, " n"]) -> Float[Tensor, ""]:
    """mean_i -log sigmoid(r_chosen[i] - r_rejected[i]), a 0-dim tensor.

    Numerically stable for reward differences of any size (finite even at -1000). Gradients flow
    into both inputs.
    """
    return -F.logsigmoid(r_chosen - r_rejected).mean()


# %%
arena_check.check("3.5", "bradley_terry_loss", bradley_terry_loss)


# %% [markdown]
# ### Exercise 7 · `pairwise_accuracy`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# The fraction of pairs the reward model ranks correctly, with ties counted as half.
#
# Held-out pairwise accuracy is how reward models are reported (InstructGPT's were right on roughly
# 70 % of held-out human comparisons). Counting ties as half makes a constant reward score exactly 0.5 — chance —
# rather than 0 or 1.

# %%
def pairwise_accuracy(r_chosen: Float[Tensor, " n"], r_rejected: Float[Tensor, " n"]) -> float:
    """mean_i of 1 if r_chosen[i] > r_rejected[i], 0.5 if equal, 0 if less; a Python float."""
    right = (r_chosen > r_rejected).float() + 0.5 * (r_chosen == r_rejected).float()
    return right.mean().item()


# %%
arena_check.check("3.5", "pairwise_accuracy", pairwise_accuracy)


# %% [markdown]
# ### Training the reward model
#
# The page generates its own preference data: short answers about everyday things, where the
# chosen answer is usually warm and the rejected one glum (`"Honestly, the morning was delightful."` over
# `"Honestly, the morning was dreary."`). The held-out pairs use adjectives the training pairs
# never contain — several of which are not in Part 3's word list either — so held-out accuracy
# measures whether the head learned *sentiment* from SmolLM2's features or memorised words. One
# training pair in six is flipped, as if its labeller had disagreed: real preference data is noisy.

# %%
def positive_word_reward(texts: list[str], words: frozenset[str], cap: int = 4) -> Float[Tensor, " batch"]:
    """min(n, cap) per text, as a float32 tensor of shape (len(texts),).

    n counts the words of the text that are in `words`: the text is lowercased and split into
    maximal runs of the letters a-z (re.findall(r"[a-z]+", ...)); a word used twice counts twice.
    """
    counts = [sum(w in words for w in re.findall(r"[a-z]+", t.lower())) for t in texts]
    return torch.tensor([min(n, cap) for n in counts], dtype=torch.float32)


# %%
arena_check.check("3.5", "positive_word_reward", positive_word_reward)


# %% [markdown]
# ### Sampling and masks
#
# Generation samples a fixed number of new tokens for every prompt in the batch. An answer that
# ends early emits the end-of-turn token, and everything the model produces after it is
# padding. Those tokens are not part of the answer: they must get no log-probability, no KL and
# no gradient.
#
# ### Exercise 9 · `response_mask`
#
# > difficulty 2/5 · importance 4/5 · 10 min
#
# Mark the response tokens that belong to the answer: everything up to and including the first EOS.
#
# The EOS token itself is an action the policy took (it chose to stop), so it stays in; what
# follows it is not. Off by one either way, the policy is either never credited for stopping or
# trained on padding.
#
# <details><summary>Hint</summary>
#
# `is_eos.cumsum(-1)` counts the EOS tokens up to and including each position; subtract `is_eos`
# to count those strictly before it. A position is kept if that count is 0.
#
# </details>

# %%
def response_mask(response_ids: Int[Tensor, "batch L"], eos_id: int) -> Float[Tensor, "batch L"]:
    """1.0 at every position up to and including the first eos_id of its row, 0.0 after it.

    A row without eos_id is all ones. float32, same shape as response_ids.
    """
    is_eos = (response_ids == eos_id).long()
    eos_before = is_eos.cumsum(-1) - is_eos
    return (eos_before == 0).float()


# %%
arena_check.check("3.5", "response_mask", response_mask)

# %% [markdown]
# The sampling code is given (it is plumbing, not RL): `sample_responses` left-pads the prompts,
# calls `generate` with plain sampling at temperature 1 — no top-k or top-p, so the samples come
# from the very distribution whose log-probabilities we train — and masks everything after the
# first EOS.

# %%
POSITIVE_WORDS = frozenset(
    "good great wonderful amazing awesome excellent fantastic happy joy joyful love lovely beautiful "
    "brilliant delightful perfect best nice pleasant fun glad cheerful bright superb kind warm sunny "
    "exciting excited".split()
)
#: Deliberately dull prompts: a positive answer has to be earned.
RL_PROMPTS = [
    "Describe a rainy Monday morning.", "What happens at a tax office?", "Tell me about doing laundry.",
    "How do you fix a flat tyre?", "What is a traffic jam like?", "Explain how a fridge works.",
    "Describe waiting for a bus.", "What is inside a stapler?",
]
LORA_TARGETS = ["q_proj", "v_proj"]


def chat_prompt(tokenizer: Any, prompt: str, system: str = SYSTEM) -> str:
    """The chat template up to and including the assistant's header: what the model continues."""
    return tokenizer.apply_chat_template(
        [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        tokenize=False, add_generation_prompt=True)


def sample_responses(model: Any, tokenizer: Any, prompts: list[str], max_new_tokens: int,
                     seed: int) -> tuple[Int[Tensor, "batch T"], Int[Tensor, "batch T"], int]:
    """Sample one response per prompt (temperature 1, no top-k/top-p), seeded.

    Returns (ids, attention_mask, P): the left-padded prompts (length P) followed by exactly
    max_new_tokens response tokens; response positions after the first EOS are masked out.
    """
    tokenizer.padding_side = "left"
    enc = tokenizer([chat_prompt(tokenizer, p) for p in prompts], return_tensors="pt",
                    padding=True, add_special_tokens=False)
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=True, top_k=0, top_p=1.0,
                             temperature=1.0, pad_token_id=tokenizer.eos_token_id)
    P = enc.input_ids.shape[1]
    response = F.pad(out[:, P:], (0, max_new_tokens - (out.shape[1] - P)), value=tokenizer.eos_token_id)
    mask = torch.cat([enc.attention_mask, response_mask(response, tokenizer.eos_token_id).long()], 1)
    return torch.cat([enc.input_ids, response], 1), mask, P


def decode_responses(tokenizer: Any, ids: Int[Tensor, "batch T"], mask: Int[Tensor, "batch T"], P: int) -> list[str]:
    """The response text of every row (the tokens after the prompt that the mask keeps)."""
    return [tokenizer.decode(row[P:][m[P:].bool()], skip_special_tokens=True) for row, m in zip(ids, mask)]


# %% [markdown]
# ### Exercise 10 · `reference_log_probs`
#
# > difficulty 2/5 · importance 5/5 · 10 min
#
# Compute the frozen reference model's per-token log-probabilities of a batch, from the policy's
# own network with its LoRA adapter switched off.
#
# Two things must hold. The reference must be the *pretrained* model, not the current policy (then
# the KL is always 0 and the leash is gone). And no gradient may flow through it: the reference is
# a fixed target, and it must not move towards the policy.
#
# <details><summary>Hint</summary>
#
# `with torch.no_grad(), model.disable_adapter():` and inside it
# `token_log_probs(forward_logits(model, input_ids, attention_mask), input_ids)`. The context
# manager switches the adapter back on when the block ends; `disable_adapter_layers()` without
# its counterpart would leave the policy switched off for the rest of training.
#
# </details>

# %%
def reference_log_probs(model: Any, input_ids: Int[Tensor, "batch T"],
                        attention_mask: Int[Tensor, "batch T"]) -> Float[Tensor, "batch T_minus_1"]:
    """token_log_probs of the batch under `model` (a peft PeftModel) with its adapter DISABLED.

    Uses forward_logits (positions from the attention mask). The result has no autograd graph
    (requires_grad False), and the adapter is enabled again when the function returns.
    """
    with torch.no_grad(), model.disable_adapter():
        return token_log_probs(forward_logits(model, input_ids, attention_mask), input_ids)


# %%
arena_check.check("3.5", "reference_log_probs", reference_log_probs)


# %% [markdown]
# ### Exercise 11 · `per_token_kl`
#
# > difficulty 1/5 · importance 5/5 · 5 min
#
# The per-token KL estimate, $\log \pi_\theta(y_t) - \log \pi_\text{ref}(y_t)$, on the answer's
# tokens only.
#
# The sign is the whole exercise. The estimator of $\mathrm{KL}(\pi_\theta \| \pi_\text{ref})$ is
# *policy minus reference*, for tokens sampled from the policy; flipped, the penalty rewards the
# policy for moving away from the reference, and the leash pushes instead of pulls. A single token's
# estimate can be negative (the policy made it less likely than the reference did); the sum over a
# sampled answer is non-negative on average.

# %%
def per_token_kl(logp: Float[Tensor, "batch L"], ref_logp: Float[Tensor, "batch L"],
                 mask: Float[Tensor, "batch L"]) -> Float[Tensor, "batch L"]:
    """(logp - ref_logp) * mask: the policy's minus the reference's log-probability of each
    sampled token, 0 where mask is 0. Same shape and dtype as logp; gradients flow as the
    formula says (detaching is the caller's business)."""
    return (logp - ref_logp) * mask


# %%
arena_check.check("3.5", "per_token_kl", per_token_kl)


# %% [markdown]
# ### Exercise 12 · `MovingBaseline`
#
# > difficulty 1/5 · importance 3/5 · 5 min
#
# An exponential moving average of the batch-mean reward, used as the REINFORCE baseline.
#
# In 3.3 the baseline was a learned value network. Here every episode starts from one of a few
# prompts and ends after one reward, so a single running number does well, and it costs nothing:
# the reinforcement baseline of [Williams (1992)](https://doi.org/10.1007/BF00992696) was such a
# running average, and many simple RLHF implementations use one.

# %%
class MovingBaseline:
    """b <- decay * b + (1 - decay) * mean(rewards), starting from the first batch's mean.

    `value` is None before the first update, then a Python float. `update(rewards)` takes a 1-D
    tensor of rewards, updates `value` and returns it (a float). No autograd graph is kept.
    """

    def __init__(self, decay: float = 0.9):
        self.decay = decay
        self.value: float | None = None

    def update(self, rewards: Float[Tensor, " batch"]) -> float:
        mean = rewards.detach().mean().item()
        self.value = mean if self.value is None else self.decay * self.value + (1 - self.decay) * mean
        return self.value


# %%
arena_check.check("3.5", "MovingBaseline", MovingBaseline)


# %% [markdown]
# ### Exercise 13 · `rlhf_loss`
#
# > difficulty 3/5 · importance 5/5 · 20 min
#
# Put it together: the REINFORCE loss on the KL-penalised reward, with a baseline.
#
# For answer $b$, the KL-penalised return is $\tilde R_b = R_b - \beta \sum_t \mathrm{kl}_{b,t}$ and
# its advantage $A_b = \tilde R_b - \text{baseline}$; the loss is
# $-\frac{1}{B}\sum_b A_b \sum_t m_{b,t} \log \pi_\theta(y_{b,t})$. The advantage is a constant
# weight: gradient flows only through the log-probabilities that multiply it. In particular, none
# flows through the KL inside the advantage — its gradient reaches the policy through the
# score-function term, as every reward does — none through the baseline, and none into the
# reference.
#
# <details><summary>Hint 1</summary>
#
# Compute the KL per sequence from `per_token_kl(...).sum(-1)`, then `.detach()` the whole
# advantage `(scores - beta * kl - baseline)`. `baseline` may be a float or a tensor.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The mask multiplies the log-probabilities too: padding after the EOS is not an action.
#
# </details>

# %%
def rlhf_loss(logp: Float[Tensor, "batch L"], ref_logp: Float[Tensor, "batch L"],
              mask: Float[Tensor, "batch L"], scores: Float[Tensor, " batch"],
              baseline: float | Tensor, beta: float = 0.05) -> Float[Tensor, ""]:
    """-mean_b [A_b * sum_t mask[b,t] * logp[b,t]], with the constant advantage
    A_b = scores[b] - beta * sum_t per_token_kl(logp, ref_logp, mask)[b, t] - baseline.

    Gradients flow only into logp through the sum of log-probabilities; A_b is detached (so no
    gradient reaches scores, the baseline or ref_logp). A 0-dim tensor.
    """
    kl = per_token_kl(logp, ref_logp, mask).sum(-1)
    advantage = (scores - beta * kl - baseline).detach()
    return -(advantage * (logp * mask).sum(-1)).mean()


# %%
arena_check.check("3.5", "rlhf_loss", rlhf_loss)


# %% [markdown]
# One step of the whole loop: sample a batch, score it, compute the policy's and the reference's
# log-probabilities of the answers' tokens, take one gradient step, update the baseline. Note the
# slice `[:, P - 1:]`: the answer's first token sits at position `P`, and its log-probability is
# entry `P - 1` of `token_log_probs` (Exercise 2).

# %%
def rl_step(model: Any, tokenizer: Any, optimizer: torch.optim.Optimizer, baseline: MovingBaseline,
            reward_fn: Any, beta: float, max_new_tokens: int, seed: int) -> dict[str, Any]:
    """One step of KL-regularised REINFORCE on RL_PROMPTS: sample, score, penalise, update."""
    ids, mask, P = sample_responses(model, tokenizer, RL_PROMPTS, max_new_tokens, seed)
    texts = decode_responses(tokenizer, ids, mask, P)
    scores = reward_fn(texts)
    rmask = mask[:, P:].float()
    logp = token_log_probs(forward_logits(model, ids, mask), ids)[:, P - 1:]
    ref_logp = reference_log_probs(model, ids, mask)[:, P - 1:]
    kl = per_token_kl(logp.detach(), ref_logp, rmask).sum(-1)
    b = baseline.value if baseline.value is not None else float((scores - beta * kl).mean())
    loss = rlhf_loss(logp, ref_logp, rmask, scores, b, beta)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    baseline.update(scores - beta * kl)
    return {"score": scores.mean().item(), "kl": kl.mean().item(), "texts": texts}

# %% [markdown]
# ### The run
#
# First, what the unmodified model says to the eight dull prompts, and how both rewards score it.
# Sampling 8 answers of 16 tokens and scoring them takes a few seconds.

# %% [markdown]
# Now a short live run of the loop above: the real thing, with LoRA rank 4 on the query and value
# projections, Adam at learning rate 6e-3, β = 0.05, 8 prompts × 16 new tokens per step. One step
# takes several seconds on one CPU thread (the cell prints its time), so the page runs only two;
# the reward cannot move visibly in two steps.

# %% [markdown]
# ## Summary
#
# - SFT maximises the log-likelihood of the response given the prompt: the prompt's label
#   positions are `-100`, and logits at position $t$ are scored against the token at $t+1$.
# - LoRA adds $\frac{\alpha}{r} B A$ to frozen weights with $B = 0$ at the start; switching the
#   adapter off gives back the pretrained model, which makes it the free reference for RL.
# - A reward model is fit to comparisons with the Bradley–Terry loss $-\log\sigma(r_w - r_l)$ and
#   judged by held-out pairwise accuracy; on this page a linear head on SmolLM2's features reached
#   {glue:text}`rm_test_acc` on pairs with unseen adjectives.
# - KL-regularised REINFORCE: sample, score, subtract $\beta \sum_t (\log\pi_\theta - \log\pi_\text{ref})$,
#   subtract a baseline, detach, and weight the answer's summed log-probability; mask everything
#   after the EOS.
# - A policy optimised hard against a proxy reward games it. The KL coefficient trades reward for
#   closeness to the reference; reading samples is not optional.
#
# ## Further reading
#
# - D. M. Ziegler et al., [Fine-Tuning Language Models from Human Preferences](https://arxiv.org/abs/1909.08593)
#   (2019) — the KL-penalised reward and the RLHF loop on GPT-2.
# - N. Stiennon et al., [Learning to summarize from human feedback](https://arxiv.org/abs/2009.01325)
#   (NeurIPS 2020) — reward models from comparisons, and overoptimisation against them.
# - L. Ouyang et al., [Training language models to follow instructions with human feedback](https://arxiv.org/abs/2203.02155)
#   (2022) — InstructGPT: SFT, reward model, PPO.
# - Y. Bai et al., [Training a Helpful and Harmless Assistant with Reinforcement Learning from Human
#   Feedback](https://arxiv.org/abs/2204.05862) (2022) — iterated online RLHF, and the KL–reward relation.
# - L. Gao, J. Schulman, J. Hilton, [Scaling Laws for Reward Model Overoptimization](https://arxiv.org/abs/2210.10760)
#   (2022) — how the true reward falls as the policy moves away from the reference.
# - E. J. Hu et al., [LoRA: Low-Rank Adaptation of Large Language Models](https://arxiv.org/abs/2106.09685) (2021).
# - R. A. Bradley, M. E. Terry, [Rank Analysis of Incomplete Block Designs: I. The Method of Paired
#   Comparisons](https://doi.org/10.2307/2334029) (Biometrika, 1952).
# - N. Jaques et al., [Sequence Tutor: Conservative Fine-Tuning of Sequence Generation Models with
#   KL-control](https://arxiv.org/abs/1611.02796) (ICML 2017) — the KL penalty to a pretrained prior.
# - R. Rafailov et al., [Direct Preference Optimization](https://arxiv.org/abs/2305.18290) (NeurIPS 2023).
# - A. Ahmadian et al., [Back to Basics: Revisiting REINFORCE Style Optimization for Learning from
#   Human Feedback in LLMs](https://arxiv.org/abs/2402.14740) (2024) — REINFORCE and RLOO as
#   alternatives to PPO for RLHF.
# - V. Krakovna et al., [Specification gaming: the flip side of AI
#   ingenuity](https://deepmind.google/discover/blog/specification-gaming-the-flip-side-of-ai-ingenuity/) (2020).
