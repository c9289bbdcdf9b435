"""GENERATED from book/3_rl/3.5_rlhf.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


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


def token_log_probs(logits: Float[Tensor, "batch T vocab"],
                    input_ids: Int[Tensor, "batch T"]) -> Float[Tensor, "batch T_minus_1"]:
    """out[b, t] = log softmax(logits[b, t])[input_ids[b, t + 1]], for t = 0 .. T-2.

    Entry t is the log-probability of token t+1 given tokens 0..t. Shape (batch, T-1), the
    logits' dtype; numerically stable for logits of any scale. Gradients flow into `logits`.
    """
    log_probs = logits[:, :-1].log_softmax(dim=-1)
    return log_probs.gather(-1, input_ids[:, 1:, None]).squeeze(-1)


def sft_loss(logits: Float[Tensor, "batch T vocab"], labels: Int[Tensor, "batch T"]) -> Float[Tensor, ""]:
    """Mean over all target positions of -log p(labels[b, t+1] | tokens <= t).

    logits[b, t] predicts labels[b, t+1]; positions whose label is IGNORE (-100) are skipped, and
    the mean is over the remaining targets of the whole batch, pooled. A 0-dim tensor.
    """
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=IGNORE)


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


def last_token_features(hidden: Float[Tensor, "batch T d"],
                        attention_mask: Int[Tensor, "batch T"]) -> Float[Tensor, "batch d"]:
    """hidden[b, t_b] where t_b is the position of the LAST 1 in attention_mask[b].

    Works for right padding (mask 1…10…0), left padding (0…01…1) and no padding. Every row has
    at least one real token. Exact: the values are copied, not computed. Gradients flow into hidden.
    """
    T = attention_mask.shape[1]
    last = T - 1 - attention_mask.flip(-1).argmax(-1)
    return hidden[torch.arange(hidden.shape[0]), last]


def bradley_terry_loss(r_chosen: Float[Tensor, " n"], r_rejected: Float[Tensor, " n"]) -> Float[Tensor, ""]:
    """mean_i -log sigmoid(r_chosen[i] - r_rejected[i]), a 0-dim tensor.

    Numerically stable for reward differences of any size (finite even at -1000). Gradients flow
    into both inputs.
    """
    return -F.logsigmoid(r_chosen - r_rejected).mean()


def pairwise_accuracy(r_chosen: Float[Tensor, " n"], r_rejected: Float[Tensor, " n"]) -> float:
    """mean_i of 1 if r_chosen[i] > r_rejected[i], 0.5 if equal, 0 if less; a Python float."""
    right = (r_chosen > r_rejected).float() + 0.5 * (r_chosen == r_rejected).float()
    return right.mean().item()


def positive_word_reward(texts: list[str], words: frozenset[str], cap: int = 4) -> Float[Tensor, " batch"]:
    """min(n, cap) per text, as a float32 tensor of shape (len(texts),).

    n counts the words of the text that are in `words`: the text is lowercased and split into
    maximal runs of the letters a-z (re.findall(r"[a-z]+", ...)); a word used twice counts twice.
    """
    counts = [sum(w in words for w in re.findall(r"[a-z]+", t.lower())) for t in texts]
    return torch.tensor([min(n, cap) for n in counts], dtype=torch.float32)


def response_mask(response_ids: Int[Tensor, "batch L"], eos_id: int) -> Float[Tensor, "batch L"]:
    """1.0 at every position up to and including the first eos_id of its row, 0.0 after it.

    A row without eos_id is all ones. float32, same shape as response_ids.
    """
    is_eos = (response_ids == eos_id).long()
    eos_before = is_eos.cumsum(-1) - is_eos
    return (eos_before == 0).float()


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


def reference_log_probs(model: Any, input_ids: Int[Tensor, "batch T"],
                        attention_mask: Int[Tensor, "batch T"]) -> Float[Tensor, "batch T_minus_1"]:
    """token_log_probs of the batch under `model` (a peft PeftModel) with its adapter DISABLED.

    Uses forward_logits (positions from the attention mask). The result has no autograd graph
    (requires_grad False), and the adapter is enabled again when the function returns.
    """
    with torch.no_grad(), model.disable_adapter():
        return token_log_probs(forward_logits(model, input_ids, attention_mask), input_ids)


def per_token_kl(logp: Float[Tensor, "batch L"], ref_logp: Float[Tensor, "batch L"],
                 mask: Float[Tensor, "batch L"]) -> Float[Tensor, "batch L"]:
    """(logp - ref_logp) * mask: the policy's minus the reference's log-probability of each
    sampled token, 0 where mask is 0. Same shape and dtype as logp; gradients flow as the
    formula says (detaching is the caller's business)."""
    return (logp - ref_logp) * mask


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
