"""Batched reply scoring and greedy decoding for chat prompts that share a long beginning.

Evaluating a chat model on many short questions spends most of its compute on the same tokens:
SmolLM2's template puts a 20-token system prompt before every question, and "In which country is
the city of" is common to all of them. Every function here runs the tokens shared by a whole
batch once (batch size 1), copies their key/value cache to every row, and runs only the rest —
exact, and three to four times cheaper on CPU than running each sequence in full.

Two paths:

* :func:`reply_logits` / :func:`reply_token_logprobs` — full sequences (prompt + reply),
  right-padded; differentiable, so training uses them for a loss on the reply tokens only;
* :func:`run_prompts` then :func:`score_candidates` / :func:`greedy_continue` — prompts alone,
  left-padded after the shared prefix, with the cache kept, so that several candidate replies
  can be scored and a reply generated without re-running a prompt (inference only).

Only the Hugging Face Llama interface is assumed (``model.model``, ``model.lm_head``, a 2-D
attention mask over cache + new tokens, explicit ``position_ids`` for rotary embeddings).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from jaxtyping import Float, Int
from torch import Tensor

if TYPE_CHECKING:
    from transformers import LlamaForCausalLM, PreTrainedTokenizerBase


@dataclass(frozen=True)
class Encoded:
    """A prompt + reply as token ids; the reply is ``ids[n_prompt:]`` (what a loss sees)."""

    ids: tuple[int, ...]
    n_prompt: int

    @property
    def reply_ids(self) -> tuple[int, ...]:
        return self.ids[self.n_prompt :]


def encode(tokenizer: PreTrainedTokenizerBase, prompt_text: str, reply_text: str) -> Encoded:
    """Tokenize prompt + reply as one string and find where the reply starts.

    Tokenizing the two separately could split tokens differently at the seam; the check below
    makes sure the prompt's own tokens are a prefix of the whole (true for SmolLM2's template,
    whose prompt ends in a newline that never merges with the next word).
    """
    ids = tokenizer(prompt_text + reply_text, add_special_tokens=False)["input_ids"]
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    if ids[: len(prompt_ids)] != prompt_ids or len(ids) == len(prompt_ids):
        raise ValueError(
            f"the prompt's tokens are not a prefix of prompt + reply for {reply_text!r}"
        )
    return Encoded(tuple(ids), len(prompt_ids))


def causal_lm(model: Any) -> LlamaForCausalLM:
    """The ``LlamaForCausalLM`` in ``model`` (a peft ``PeftModel`` is unwrapped, adapter kept)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def common_prefix_len(rows: Sequence[Sequence[int]], limit: int) -> int:
    """How many leading tokens all rows share, at most ``limit``."""
    first = rows[0]
    n = 0
    while n < limit and all(row[n] == first[n] for row in rows):
        n += 1
    return n


def _cache_arg(lm: LlamaForCausalLM, past: Any) -> dict[str, Any]:
    """The key/value cache as the keyword this transformers version names it.

    transformers 5 renamed ``past_key_values`` to ``cache`` (the old name still works but warns
    on every call, and the warning would show on the book's pages); 4.x knows only the old name.
    """
    params = inspect.signature(lm.model.forward).parameters
    return {"cache" if "cache" in params else "past_key_values": past}


def _prefix_cache(lm: LlamaForCausalLM, prefix: Sequence[int], batch: int) -> Any:
    """The key/value cache of ``prefix`` (run once), repeated for ``batch`` rows."""
    past = lm.model(input_ids=torch.tensor([list(prefix)]), use_cache=True).past_key_values
    past.batch_repeat_interleave(batch)
    return past


def right_pad(rows: Sequence[Sequence[int]], pad_id: int) -> Int[Tensor, "batch pos"]:
    """Stack token rows, padding on the right (harmless under a causal mask: pads come last)."""
    width = max(len(r) for r in rows)
    return torch.tensor([list(r) + [pad_id] * (width - len(r)) for r in rows], dtype=torch.long)


# ---------------------------------------------------------------------- full sequences (training)


def reply_logits(
    model: Any, batch: Sequence[Encoded], pad_id: int, *, share_prefix: bool = True
) -> tuple[Float[Tensor, "tokens d_vocab"], Int[Tensor, " tokens"], Int[Tensor, " tokens"]]:
    """Logits predicting every reply token of ``batch``, with each one's row and target token.

    Rows come in order, and within a row the reply's tokens in order (so a reply's first token is
    the first entry of its row). Gradients flow through the shared prefix's cache. The
    unembedding runs only at positions that predict a reply token. ``share_prefix=False`` runs
    every row in full (the reference the shared version is tested against).
    """
    lm = causal_lm(model)
    limit = min(e.n_prompt for e in batch) - 1  # keep the last prompt token: it predicts the reply
    prefix_len = common_prefix_len([e.ids for e in batch], limit) if share_prefix else 0
    past = _prefix_cache(lm, batch[0].ids[:prefix_len], len(batch)) if prefix_len else None
    suffix: Int[Tensor, "batch pos"] = right_pad([e.ids[prefix_len:] for e in batch], pad_id)
    hidden: Float[Tensor, "batch pos d_model"] = lm.model(
        input_ids=suffix, **_cache_arg(lm, past), use_cache=past is not None
    ).last_hidden_state
    rows, cols, targets = [], [], []
    for row, enc in enumerate(batch):
        for t in range(enc.n_prompt, len(enc.ids)):  # token t is predicted at position t - 1
            rows.append(row)
            cols.append(t - 1 - prefix_len)
            targets.append(enc.ids[t])
    row_index = torch.tensor(rows)
    logits = lm.lm_head(hidden[row_index, torch.tensor(cols)])
    return logits, row_index, torch.tensor(targets)


def reply_token_logprobs(
    model: Any, batch: Sequence[Encoded], pad_id: int, *, share_prefix: bool = True
) -> tuple[Float[Tensor, " tokens"], Int[Tensor, " tokens"]]:
    """Log-probabilities of every reply token of ``batch``, and the row each belongs to."""
    logits, rows, targets = reply_logits(model, batch, pad_id, share_prefix=share_prefix)
    return logits.log_softmax(-1).gather(1, targets[:, None])[:, 0], rows


# ---------------------------------------------------------------------- prompts, then replies


@dataclass
class PromptState:
    """Everything needed to continue a batch of prompts without running them again."""

    past: Any  # transformers DynamicCache over shared prefix + (left-padded) prompt rest
    mask: Int[Tensor, "batch key"]  # 1 for real tokens, 0 for padding
    next_pos: Int[Tensor, " batch"]  # position of each row's next token
    next_logprobs: Float[Tensor, "batch d_vocab"]  # distribution of each reply's first token


@torch.inference_mode()
def run_prompts(model: Any, prompts: Sequence[Sequence[int]], pad_id: int) -> PromptState:
    """Run a batch of prompts (token ids) and keep their cache.

    The rows' differing ends are left-padded *after* the shared prefix, so that every row's last
    token sits in the last column; the padding is masked out and positions skip it.
    """
    lm = causal_lm(model)
    prefix_len = common_prefix_len(prompts, min(len(p) for p in prompts) - 1)
    batch = len(prompts)
    past = _prefix_cache(lm, prompts[0][:prefix_len], batch) if prefix_len else None
    rests = [list(p[prefix_len:]) for p in prompts]
    width = max(len(r) for r in rests)
    ids = torch.tensor([[pad_id] * (width - len(r)) + r for r in rests])
    real: Int[Tensor, "batch width"] = torch.tensor(
        [[0] * (width - len(r)) + [1] * len(r) for r in rests]
    )
    mask = torch.cat([torch.ones(batch, prefix_len, dtype=torch.long), real], dim=1)
    # a real token's position counts only real tokens before it; pads get any valid position
    positions = (prefix_len + real.cumsum(1) - 1).clamp(min=prefix_len)
    hidden = lm.model(
        input_ids=ids,
        attention_mask=mask,
        position_ids=positions,
        **_cache_arg(lm, past),
        use_cache=True,
    )
    last: Float[Tensor, "batch d_model"] = hidden.last_hidden_state[:, -1]
    return PromptState(
        past=hidden.past_key_values,
        mask=mask,
        next_pos=positions[:, -1] + 1,
        next_logprobs=lm.lm_head(last).log_softmax(-1),
    )


@torch.inference_mode()
def score_candidates(
    model: Any, state: PromptState, candidates: Sequence[Sequence[Sequence[int]]], pad_id: int
) -> Float[Tensor, "batch k"]:
    """``log P(candidate | prompt)`` summed over its tokens, for ``k`` candidate replies per prompt.

    ``candidates[i][j]`` is the j-th reply to prompt i as token ids; every prompt has the same
    number of candidates. ``state`` is left untouched (its cache is copied).
    """
    lm = causal_lm(model)
    batch, k = len(candidates), len(candidates[0])
    flat = [list(c) for row in candidates for c in row]
    past = copy.deepcopy(state.past)
    past.batch_repeat_interleave(k)
    first = torch.tensor([c[0] for c in flat])
    # token 0 of each candidate is predicted by the prompt's last position
    scores = state.next_logprobs.repeat_interleave(k, dim=0).gather(1, first[:, None])[:, 0]
    if max(len(c) for c in flat) > 1:
        ids = right_pad([c[:-1] for c in flat], pad_id)  # inputs predicting tokens 1..n-1
        width = ids.shape[1]
        mask = torch.cat(
            [
                state.mask.repeat_interleave(k, dim=0),
                torch.ones(batch * k, width, dtype=torch.long),
            ],
            1,
        )
        positions = state.next_pos.repeat_interleave(k)[:, None] + torch.arange(width)
        hidden = lm.model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            **_cache_arg(lm, past),
            use_cache=True,
        ).last_hidden_state
        rows = [r for r, c in enumerate(flat) for _ in c[1:]]
        cols = [j for c in flat for j in range(len(c) - 1)]
        targets = torch.tensor([t for c in flat for t in c[1:]])
        logits = lm.lm_head(hidden[torch.tensor(rows), torch.tensor(cols)])
        token_lp = logits.log_softmax(-1).gather(1, targets[:, None])[:, 0]
        scores = scores.index_add(0, torch.tensor(rows), token_lp)
    return scores.view(batch, k)


@torch.inference_mode()
def greedy_continue(
    model: Any, state: PromptState, eos_id: int, max_new_tokens: int
) -> list[list[int]]:
    """Greedy replies (token ids, without the end token); consumes ``state``'s cache."""
    lm = causal_lm(model)
    token = state.next_logprobs.argmax(-1)
    done = token == eos_id
    out = [token]
    mask, pos, past = state.mask, state.next_pos, state.past
    for _ in range(max_new_tokens - 1):
        if bool(done.all()):
            break
        mask = torch.cat([mask, torch.ones(len(mask), 1, dtype=torch.long)], dim=1)
        hidden = lm.model(
            input_ids=token[:, None],
            attention_mask=mask,
            position_ids=pos[:, None],
            **_cache_arg(lm, past),
            use_cache=True,
        ).last_hidden_state[:, -1]
        pos = pos + 1
        token = torch.where(done, eos_id, lm.lm_head(hidden).argmax(-1))
        done = done | (token == eos_id)
        out.append(token)
    steps = torch.stack(out, dim=1).tolist()
    return [row[: row.index(eos_id)] if eos_id in row else row for row in steps]
