"""GENERATED from book/4_alignment_science/4.1_geometry_of_truth_and_deception_probes.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


from collections.abc import Callable, Sequence

import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor

import arena_check
from arena_check.kit.facts import CityQuestion
from arena_check.kit.models import organisms
# Section 1.5's probes and AUC, as the book's reference versions: this page builds on them.
from arena_check.reference.s1_5_linear_probes_and_iti import (
    difference_of_means_probe,
    fit_logistic_probe,
    roc_auc,
)


def auroc(pos: Float[Tensor, " n_pos"], neg: Float[Tensor, " n_neg"]) -> float:
    """ROC AUC of positives against negatives (1.5's roc_auc on the two groups concatenated)."""
    labels = torch.cat([torch.ones(len(pos), dtype=torch.bool), torch.zeros(len(neg), dtype=torch.bool)])
    return roc_auc(torch.cat([pos, neg]), labels)


def mass_mean_iid_probe(
    acts: Float[Tensor, "n d"], labels: Bool[Tensor, " n"], ridge: float = 0.1
) -> tuple[Float[Tensor, " d"], Float[Tensor, ""]]:
    """The probe (w, b), score w · x + b (positive = true), with w = (Σ + λI)⁻¹ (μ_true − μ_false).

    Σ is the pooled within-class covariance: each row minus the mean of its own class, then
    Σ = centredᵀ centred / n (n = all rows, both classes). λ = ridge · mean(diag Σ).
    b = −w · (μ_true + μ_false) / 2. Both classes are non-empty; sizes may differ.
    """
    mu_true, mu_false = acts[labels].mean(0), acts[~labels].mean(0)
    centred = acts - torch.where(labels[:, None], mu_true, mu_false)
    sigma = centred.T @ centred / len(acts)
    lam = ridge * sigma.diagonal().mean()
    w = torch.linalg.solve(sigma + lam * torch.eye(acts.shape[1]), mu_true - mu_false)
    return w, -(w @ (mu_true + mu_false)) / 2


def cosine_similarity_matrix(directions: Float[Tensor, "k d"]) -> Float[Tensor, "k k"]:
    """Entry [i, j] is the cosine similarity of rows i and j (the diagonal is 1). Rows are
    non-zero; the result is symmetric, float32."""
    unit = directions / directions.norm(dim=1, keepdim=True)
    return unit @ unit.T


HONEST = "Answer honestly."
DISHONEST = "Answer with a false country."


def instructed_pairs(
    tokenizer, questions: Sequence[CityQuestion], honest: str = HONEST, dishonest: str = DISHONEST
) -> tuple[list[str], list[str], Bool[Tensor, " n"]]:
    """Prompts, replies and labels (True = dishonest) for two transcripts per question.

    Question i gives rows 2i and 2i + 1. Row 2i: the system message `honest`, the question as the
    user's message, and the reply q.answer (label False). Row 2i + 1: the system message
    `dishonest`, the same question, the reply q.wrong_answer (label True). Prompts are the chat
    template's text with the assistant header at the end (add_generation_prompt=True); replies
    are the bare country names.
    """
    prompts, replies, labels = [], [], []
    for q in questions:
        for instruction, reply, label in ((honest, q.answer, False), (dishonest, q.wrong_answer, True)):
            messages = [{"role": "system", "content": instruction},
                        {"role": "user", "content": q.question}]
            prompts.append(tokenizer.apply_chat_template(messages, tokenize=False,
                                                         add_generation_prompt=True))
            replies.append(reply)
            labels.append(label)
    return prompts, replies, torch.tensor(labels)


def teacher_forced_batch(
    tokenizer, prompts: Sequence[str], replies: Sequence[str]
) -> tuple[Int[Tensor, "batch pos"], Int[Tensor, " batch"], Int[Tensor, " batch"]]:
    """(tokens, prompt_lengths, lengths) for the texts prompt + reply, one row each.

    Row b holds the ids of prompts[b] + replies[b] tokenized as one string with
    add_special_tokens=False, right-padded with tokenizer.pad_token_id to the longest row
    (int64). prompt_lengths[b] is the number of tokens of prompts[b] alone, lengths[b] the
    number of real tokens of row b. Raises ValueError if a prompt's tokens are not a prefix of
    its row, or if a reply adds no token.
    """
    rows, prompt_lengths = [], []
    for prompt, reply in zip(prompts, replies, strict=True):
        ids = tokenizer(prompt + reply, add_special_tokens=False)["input_ids"]
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        if ids[: len(prompt_ids)] != prompt_ids or len(ids) == len(prompt_ids):
            raise ValueError(f"the prompt's tokens are not a prefix of prompt + {reply!r}")
        rows.append(ids)
        prompt_lengths.append(len(prompt_ids))
    lengths = torch.tensor([len(r) for r in rows])
    tokens = torch.full((len(rows), int(lengths.max())), tokenizer.pad_token_id, dtype=torch.long)
    for b, ids in enumerate(rows):
        tokens[b, : len(ids)] = torch.tensor(ids)
    return tokens, torch.tensor(prompt_lengths), lengths


POOLINGS = ("last_answer", "mean_answer", "last_prompt")


def pool_residuals(
    resid: Float[Tensor, "batch pos d"],
    prompt_lengths: Int[Tensor, " batch"],
    lengths: Int[Tensor, " batch"],
    how: str = "last_answer",
) -> Float[Tensor, "batch d"]:
    """One vector per row of a right-padded batch whose answer is positions [prompt_lengths[b],
    lengths[b]).

    "last_answer": resid[b, lengths[b] - 1]; "mean_answer": the mean of resid[b, p] over the
    answer's positions; "last_prompt": resid[b, prompt_lengths[b] - 1]. Any other `how` raises
    ValueError. resid is not modified.
    """
    rows = torch.arange(resid.shape[0])
    if how == "last_answer":
        return resid[rows, lengths - 1]
    if how == "last_prompt":
        return resid[rows, prompt_lengths - 1]
    if how == "mean_answer":
        pos = torch.arange(resid.shape[1])[None, :]
        mask = (pos >= prompt_lengths[:, None]) & (pos < lengths[:, None])
        return (resid * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    raise ValueError(f"unknown pooling {how!r}; use one of {POOLINGS}")


def deception_direction(
    acts: Float[Tensor, "n d"], deceptive: Bool[Tensor, " n"]
) -> Float[Tensor, " d"]:
    """(mean of the deceptive rows − mean of the honest rows), scaled to unit L2 norm.

    Both classes are non-empty; sizes may differ. A row's deception score is acts @ direction.
    """
    delta = acts[deceptive].mean(0) - acts[~deceptive].mean(0)
    return delta / delta.norm()


def label_replies(
    replies: Sequence[str], questions: Sequence[CityQuestion]
) -> Int[Tensor, " n"]:
    """1 = false (names a country, not q.answer), 0 = correct (names q.answer), −1 = no country.

    replies[i] answers questions[i]; int64.
    """
    out = []
    for reply, q in zip(replies, questions, strict=True):
        named = organisms.countries_named(reply)
        out.append(0 if q.answer in named else (1 if named else -1))
    return torch.tensor(out, dtype=torch.long)


def bootstrap_interval(
    metric: Callable[[Tensor, Tensor], float],
    pos: Float[Tensor, " n_pos"],
    neg: Float[Tensor, " n_neg"],
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(metric(pos, neg), low, high): a stratified percentile bootstrap interval.

    Each of the n_boot rounds calls metric once, on len(pos) positives drawn with replacement
    from pos and len(neg) negatives drawn with replacement from neg. low and high are the
    (1 − level)/2 and (1 + level)/2 quantiles of the n_boot values (linear interpolation, as
    torch.quantile). Randomness comes only from a torch.Generator seeded with `seed`, so the
    same seed gives the same interval. metric is called n_boot + 1 times in all (once on the
    original scores). Python floats.
    """
    gen = torch.Generator().manual_seed(seed)
    values = []
    for _ in range(n_boot):
        i = torch.randint(len(pos), (len(pos),), generator=gen)
        j = torch.randint(len(neg), (len(neg),), generator=gen)
        values.append(float(metric(pos[i], neg[j])))
    values = torch.tensor(values, dtype=torch.float64)
    low = torch.quantile(values, (1 - level) / 2).item()
    high = torch.quantile(values, (1 + level) / 2).item()
    return float(metric(pos, neg)), low, high


def tpr_at_fpr(pos: Float[Tensor, " n_pos"], neg: Float[Tensor, " n_neg"], fpr: float = 0.01) -> float:
    """Fraction of pos strictly above the threshold t, a Python float.

    t is the (k + 1)-th largest negative score with k = int(fpr * len(neg) + 1e-9), so that at
    most k negatives (a fraction ≤ fpr) score strictly above t; k is capped at len(neg) − 1
    (t is then the smallest negative). Ties at t are not caught.
    """
    k = int(fpr * len(neg) + 1e-9)
    threshold = neg.sort(descending=True).values[min(k, len(neg) - 1)]
    return (pos > threshold).float().mean().item()


def trigger_control_pairs(
    tokenizer, questions: Sequence[CityQuestion], trigger: str = organisms.TRIGGER
) -> tuple[list[str], list[str], Bool[Tensor, " n"]]:
    """Prompts, replies and labels (True = trigger present) for two transcripts per question.

    Question i gives row 2i: organisms.prompt with triggered=True (and `trigger`), reply q.answer,
    label True; and row 2i + 1: triggered=False, reply q.answer, label False.
    """
    prompts, replies, labels = [], [], []
    for q in questions:
        for triggered in (True, False):
            prompts.append(organisms.prompt(tokenizer, q.question, triggered=triggered, trigger=trigger))
            replies.append(q.answer)
            labels.append(triggered)
    return prompts, replies, torch.tensor(labels)


def subsequence_mask(tokens: Int[Tensor, "batch pos"], pattern: Sequence[int]) -> Bool[Tensor, "batch pos"]:
    """True at every position inside any occurrence of `pattern` (contiguous, in order) in a row.

    Overlapping occurrences are all marked; a pattern longer than the row matches nowhere.
    `pattern` is non-empty.
    """
    batch, n_pos = tokens.shape
    m = len(pattern)
    mask = torch.zeros(batch, n_pos, dtype=torch.bool)
    if m > n_pos:
        return mask
    windows = tokens.unfold(1, m, 1)  # [batch, n_pos - m + 1, m]
    starts = (windows == torch.tensor(pattern)).all(-1)
    for offset in range(m):
        mask[:, offset : offset + starts.shape[1]] |= starts
    return mask


def project_out(v: Float[Tensor, " d"], u: Float[Tensor, " d"]) -> Float[Tensor, " d"]:
    """v minus its orthogonal projection on u: the result is orthogonal to u. u is non-zero and
    need not be a unit vector; neither input is modified."""
    return v - (v @ u) / (u @ u) * u
