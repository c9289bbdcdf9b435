"""GENERATED from book/4_alignment_science/4.2_activation_oracles.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


from collections.abc import Callable, Sequence

import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor

import arena_check
from arena_check.kit import oracles


def last_token_activations(
    hidden: Float[Tensor, "batch seq d_model"], attention_mask: Int[Tensor, "batch seq"]
) -> Float[Tensor, "batch d_model"]:
    """Row b of the result is hidden[b, L_b - 1], where L_b = attention_mask[b].sum() is the
    number of real tokens of row b (the batch is right-padded; every row has at least one real
    token). Values are copied exactly; hidden is not modified."""
    lengths = attention_mask.sum(dim=1)
    return hidden[torch.arange(hidden.shape[0]), lengths - 1]


def norm_matched(
    vectors: Float[Tensor, "batch d_model"], reference: Float[Tensor, "batch d_model"]
) -> Float[Tensor, "batch d_model"]:
    """Row b is vectors[b] · ‖reference[b]‖ / ‖vectors[b]‖ (L2 norms, one per row): the direction
    of vectors[b] with the length of reference[b]. Rows of `vectors` are non-zero."""
    return vectors * (reference.norm(dim=-1, keepdim=True) / vectors.norm(dim=-1, keepdim=True))


def placeholder_positions(input_ids: Int[Tensor, "batch seq"], token_id: int) -> Int[Tensor, " batch"]:
    """The position (int64) of token_id in each row. Raises ValueError if any row contains it
    zero times or more than once."""
    hits = input_ids == token_id
    if not bool((hits.sum(dim=1) == 1).all()):
        raise ValueError(f"every row needs exactly one placeholder; per-row counts {hits.sum(1).tolist()}")
    return hits.long().argmax(dim=1)


def inject(
    hidden: Float[Tensor, "batch seq d_model"],
    vectors: Float[Tensor, "batch d_model"],
    positions: Int[Tensor, " batch"],
) -> Float[Tensor, "batch seq d_model"]:
    """A new tensor equal to hidden, except that at [b, positions[b]] it holds
    hidden[b, positions[b]] + norm_matched(vectors, hidden[rows, positions])[b]. hidden and
    vectors are not modified, and gradients flow back to hidden (the oracle trains through it)."""
    rows = torch.arange(hidden.shape[0])
    delta = torch.zeros_like(hidden)
    delta[rows, positions] = norm_matched(vectors, hidden[rows, positions])
    return hidden + delta


def injection_hook(
    vectors: Float[Tensor, "batch d_model"], positions: Int[Tensor, " batch"]
) -> Callable:
    """A forward hook hook(module, inputs, output) returning `output` with inject(·, vectors,
    positions) applied to the hidden state: to `output` itself if it is a tensor, to output[0] if
    it is a tuple (returning a tuple of the same length, other elements unchanged). It never
    modifies `output` in place."""
    def hook(module, inputs, output):
        if isinstance(output, tuple):
            return (inject(output[0], vectors, positions), *output[1:])
        return inject(output, vectors, positions)
    return hook


def oracle_loss(
    logits: Float[Tensor, "batch d_vocab"], labels: Bool[Tensor, " batch"], yes_id: int, no_id: int
) -> Float[Tensor, ""]:
    """Mean over the batch of −log softmax(logits[b])[target_b], target_b = yes_id if labels[b]
    else no_id. The softmax is over the whole vocabulary. A 0-dimensional tensor."""
    targets = torch.where(labels, torch.tensor(yes_id), torch.tensor(no_id))
    return torch.nn.functional.cross_entropy(logits, targets)


def yes_no_margin(logits: Float[Tensor, "batch d_vocab"], yes_id: int, no_id: int) -> Float[Tensor, " batch"]:
    """logits[:, yes_id] − logits[:, no_id]: positive where the reader prefers " Yes"."""
    return logits[:, yes_id] - logits[:, no_id]


def balanced_accuracy(predictions: Bool[Tensor, " n"], labels: Bool[Tensor, " n"]) -> tuple[float, float]:
    """(balanced accuracy, standard error) as Python floats. Balanced accuracy = (tpr + tnr) / 2
    with tpr = fraction of positive labels predicted True, tnr = fraction of negative labels
    predicted False; se = ½·sqrt(tpr(1 − tpr)/n_pos + tnr(1 − tnr)/n_neg). Raises ValueError if
    either class is empty."""
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("balanced accuracy needs at least one positive and one negative label")
    tpr = float((predictions & labels).sum()) / n_pos
    tnr = float((~predictions & ~labels).sum()) / n_neg
    se = 0.5 * (tpr * (1 - tpr) / n_pos + tnr * (1 - tnr) / n_neg) ** 0.5
    return (tpr + tnr) / 2, se


def paired_bootstrap_gap(
    predictions_a: Bool[Tensor, " n"],
    predictions_b: Bool[Tensor, " n"],
    labels: Bool[Tensor, " n"],
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float, float]:
    """(gap, low, high): gap = balanced accuracy of a − that of b on all records; (low, high) the
    alpha/2 and 1 − alpha/2 quantiles (torch.quantile, float64, linear interpolation) of the gap
    over n_boot resamples. g = torch.Generator().manual_seed(seed); each round draws the
    positives' indices, then the negatives', each with torch.randint(len(group), (len(group),),
    generator=g) — with replacement, within the class — and uses the same indices for a and b.
    Python floats."""
    pos, neg = labels.nonzero().squeeze(1), (~labels).nonzero().squeeze(1)
    g = torch.Generator().manual_seed(seed)
    gaps = []
    for _ in range(n_boot):
        i = torch.cat([pos[torch.randint(len(pos), (len(pos),), generator=g)],
                       neg[torch.randint(len(neg), (len(neg),), generator=g)]])
        gaps.append(balanced_accuracy(predictions_a[i], labels[i])[0]
                    - balanced_accuracy(predictions_b[i], labels[i])[0])
    q = torch.quantile(torch.tensor(gaps, dtype=torch.float64),
                       torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64))
    gap = balanced_accuracy(predictions_a, labels)[0] - balanced_accuracy(predictions_b, labels)[0]
    return gap, float(q[0]), float(q[1])


def question_prior(
    train_questions: Sequence[str], train_labels: Bool[Tensor, " n_train"], test_questions: Sequence[str]
) -> Bool[Tensor, " n_test"]:
    """For each test question, True iff strictly more than half of the training records with the
    identical question string are labelled True. A question absent from training, or a tie,
    gives False."""
    totals: dict[str, int] = {}
    yes: dict[str, int] = {}
    for q, label in zip(train_questions, train_labels.tolist(), strict=True):
        totals[q] = totals.get(q, 0) + 1
        yes[q] = yes.get(q, 0) + int(label)
    return torch.tensor([2 * yes.get(q, 0) > totals.get(q, 0) for q in test_questions], dtype=torch.bool)


def derangement(n: int, seed: int = 0) -> Int[Tensor, " n"]:
    """A permutation p of 0..n-1 (int64) with p[i] != i for every i, from a torch.Generator
    seeded with `seed` (the same seed gives the same p; different seeds usually differ). Raises
    ValueError for n < 2."""
    if n < 2:
        raise ValueError("a derangement needs at least two elements")
    g = torch.Generator().manual_seed(seed)
    while True:
        p = torch.randperm(n, generator=g)
        if not bool((p == torch.arange(n)).any()):
            return p


def last_occurrence_end(ids: Sequence[int], pattern: Sequence[int]) -> int:
    """The index in `ids` of the last element of the last occurrence of `pattern` as a contiguous
    run. Raises ValueError if pattern is empty or does not occur."""
    ids, pattern = list(ids), list(pattern)
    if not pattern:
        raise ValueError("empty pattern")
    for start in range(len(ids) - len(pattern), -1, -1):
        if ids[start : start + len(pattern)] == pattern:
            return start + len(pattern) - 1
    raise ValueError("pattern not found")
