"""GENERATED from book/1_transformer_interp/1.5_linear_probes_and_iti.md by tools/build_exercises.py — do not edit by hand.
Reference solutions imported by the checks in arena_check.sections."""


# ruff: noqa


from collections.abc import Callable, Sequence

import torch
from jaxtyping import Bool, Float, Int
from torch import Tensor
from transformer_lens.hook_points import HookPoint

import arena_check


def difference_of_means_probe(
    acts: Float[Tensor, "n d"], labels: Bool[Tensor, " n"]
) -> tuple[Float[Tensor, " d"], Float[Tensor, ""]]:
    """The probe (w, b) with w = mean of the true rows - mean of the false rows.

    b places the boundary at the midpoint of the two class means: w · (mu_true + mu_false)/2 + b
    is 0, so a row is scored w · x + b (positive = true). `labels` is a bool tensor with at least
    one True and one False; the classes may have different sizes. w is not normalised.
    """
    mu_true, mu_false = acts[labels].mean(dim=0), acts[~labels].mean(dim=0)
    w = mu_true - mu_false
    return w, -(w @ (mu_true + mu_false)) / 2


def fit_logistic_probe(
    acts: Float[Tensor, "n d"],
    labels: Bool[Tensor, " n"],
    train_mask: Bool[Tensor, " n"],
    steps: int = 200,
    lr: float = 0.01,
    weight_decay: float = 1e-3,
) -> tuple[Float[Tensor, " d"], Float[Tensor, ""]]:
    """A logistic probe (w, b), score w · x + b (positive = true), fitted on the masked rows only.

    Minimises mean binary cross-entropy of sigmoid(x · w + b) against the labels, plus
    weight_decay * ||w||², with `steps` full-batch Adam steps of learning rate `lr` from w = 0,
    b = 0. Rows where train_mask is False must not influence the result in any way. Works
    whether or not gradients are enabled by the caller; returns detached float tensors.
    """
    x, y = acts[train_mask], labels[train_mask].float()
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    optimiser = torch.optim.Adam([w, b], lr=lr)
    with torch.enable_grad():
        for _ in range(steps):
            optimiser.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
            (loss + weight_decay * (w**2).sum()).backward()
            optimiser.step()
    return w.detach(), b.detach()


def probe_accuracy(scores: Float[Tensor, " n"], labels: Bool[Tensor, " n"]) -> float:
    """Fraction of rows with (score > 0) == label, as a Python float in [0, 1]."""
    return ((scores > 0) == labels).float().mean().item()


def roc_auc(scores: Float[Tensor, " n"], labels: Bool[Tensor, " n"]) -> float:
    """P(score of a random true row > score of a random false row), ties counted as 1/2.

    A Python float in [0, 1]. `labels` holds at least one True and one False.
    """
    pos, neg = scores[labels], scores[~labels]
    wins = (pos[:, None] > neg[None, :]).float() + 0.5 * (pos[:, None] == neg[None, :]).float()
    return wins.mean().item()


def transfer_matrix(
    train: dict[str, tuple[Float[Tensor, "n d"], Bool[Tensor, " n"]]],
    test: dict[str, tuple[Float[Tensor, "m d"], Bool[Tensor, " m"]]],
    fit: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]],
) -> Float[Tensor, "n_train n_test"]:
    """Entry [i, j]: accuracy on the j-th test set of the probe fitted on the i-th train set.

    Rows follow the order of `train`, columns the order of `test`. `fit(acts, labels)` returns
    (w, b); a row is predicted true when acts @ w + b > 0. float32.
    """
    probes = [fit(acts, y) for acts, y in train.values()]
    return torch.tensor(
        [[((acts @ w + b > 0) == y).float().mean().item() for acts, y in test.values()]
         for w, b in probes]
    )


def format_prompt(statement: str, shots: Sequence[tuple[str, bool]] = ()) -> str:
    """The prompt whose next token should be " True" or " False".

    Each shot (s, label) becomes "Statement: {s}\\nAnswer: {True|False}\\n\\n", in the given
    order; then "Statement: {statement}\\nAnswer:" with no trailing space. Exact.
    """
    blocks = [f"Statement: {s}\nAnswer: {'True' if label else 'False'}\n\n" for s, label in shots]
    return "".join(blocks) + f"Statement: {statement}\nAnswer:"


def answer_logit_diff(
    logits: Float[Tensor, "batch pos vocab"],
    lengths: Int[Tensor, " batch"],
    true_id: int,
    false_id: int,
) -> Float[Tensor, " batch"]:
    """logits[b, lengths[b] - 1, true_id] - logits[b, lengths[b] - 1, false_id] for each row b.

    Rows are right-padded: lengths[b] is the number of real tokens of row b (≥ 1).
    """
    last = logits[torch.arange(logits.shape[0]), lengths - 1]
    return last[:, true_id] - last[:, false_id]


def median_residual_norm(
    resid: Float[Tensor, "batch pos d_model"], mask: Bool[Tensor, "batch pos"]
) -> float:
    """Median over the selected positions of ||resid[b, p]||_2, as a Python float.

    Uses torch.median (the lower middle value when the count is even).
    """
    return resid[mask].norm(dim=-1).median().item()


def steering_vector(
    direction: Float[Tensor, " d_model"], median_norm: float, alpha: float
) -> Float[Tensor, " d_model"]:
    """alpha * median_norm * direction / ||direction||_2 (direction is not modified)."""
    return alpha * median_norm * direction / direction.norm()


def steering_mask(
    starts: Int[Tensor, " batch"], lengths: Int[Tensor, " batch"], n_pos: int
) -> Bool[Tensor, "batch n_pos"]:
    """mask[b, p] is True iff starts[b] <= p < lengths[b].

    starts[b] is the statement's first token, lengths[b] the number of real tokens of row b (so
    the last steered position is the last real token, where the answer is read).
    """
    pos = torch.arange(n_pos)[None, :]
    return (pos >= starts[:, None]) & (pos < lengths[:, None])


def add_steering(
    resid: Float[Tensor, "batch pos d_model"],
    hook: HookPoint | None,
    vector: Float[Tensor, "batch d_model"] | Float[Tensor, " d_model"],
    mask: Bool[Tensor, "batch pos"],
) -> Float[Tensor, "batch pos d_model"]:
    """resid + vector at every position where mask is True, resid unchanged elsewhere.

    `vector` is one vector for all rows ([d_model]) or one per row ([batch, d_model]). Returns a
    new tensor; resid is not modified. `hook` is unused (TransformerLens passes it).
    """
    if vector.dim() == 1:
        vector = vector.expand(resid.shape[0], -1)
    return resid + mask[:, :, None].to(resid.dtype) * vector[:, None, :]


def flip_rate(
    base: Float[Tensor, " n"], steered: Float[Tensor, " n"], toward_true: bool
) -> float:
    """Fraction of eligible rows whose answer moved to the pushed side.

    Answers: "True" iff the logit difference is > 0. Pushing toward True, the eligible rows are
    those with base <= 0, and a row flips if steered > 0; toward False, eligible rows have
    base > 0 and flip if steered <= 0. A Python float; nan if no row is eligible.
    """
    base_true, steered_true = base > 0, steered > 0
    eligible = ~base_true if toward_true else base_true
    if not eligible.any():
        return float("nan")
    flipped = steered_true if toward_true else ~steered_true
    return flipped[eligible].float().mean().item()


def head_probe_accuracies(
    z_train: Float[Tensor, "n layers heads d_head"],
    y_train: Bool[Tensor, " n"],
    z_val: Float[Tensor, "m layers heads d_head"],
    y_val: Bool[Tensor, " m"],
) -> tuple[Float[Tensor, "layers heads"], Float[Tensor, "layers heads d_head"]]:
    """A difference-of-means probe for every head at once, and its accuracy on the validation rows.

    For each (layer, head): w = mean of the true training rows - mean of the false ones, the bias
    at the midpoint of the two means (as in difference_of_means_probe); a validation row is
    predicted true iff w · z + b > 0. Returns (accuracy [layers, heads], w [layers, heads,
    d_head]). Only the training rows shape w and b.
    """
    mu_true, mu_false = z_train[y_train].mean(0), z_train[~y_train].mean(0)
    w = mu_true - mu_false
    b = -(w * (mu_true + mu_false)).sum(-1) / 2
    scores = torch.einsum("mlhd,lhd->mlh", z_val, w) + b
    return ((scores > 0) == y_val[:, None, None]).float().mean(0), w


def iti_shifts(
    directions: Float[Tensor, "layers heads d_head"],
    z_train: Float[Tensor, "n layers heads d_head"],
    heads: Sequence[tuple[int, int]],
    alpha: float,
) -> Float[Tensor, "layers heads d_head"]:
    """alpha * sigma * unit direction for each selected head, zeros for all others.

    For a selected (layer, head), the unit direction is directions[layer, head] divided by its L2
    norm, and sigma is the standard deviation (torch.std, unbiased) over the training rows of
    z_train[:, layer, head] projected onto it. `heads` lists (layer, head) pairs. The inputs
    are not modified.
    """
    shifts = torch.zeros_like(directions)
    for layer, head in heads:
        unit = directions[layer, head] / directions[layer, head].norm()
        sigma = (z_train[:, layer, head] @ unit).std()
        shifts[layer, head] = alpha * sigma * unit
    return shifts


def iti_hook(
    z: Float[Tensor, "batch pos heads d_head"],
    hook: HookPoint | None,
    shift: Float[Tensor, "heads d_head"],
    mask: Bool[Tensor, "batch pos"],
) -> Float[Tensor, "batch pos heads d_head"]:
    """z + shift (the same for every row and position) where mask is True, z elsewhere.

    `shift` is one layer's slice of iti_shifts (zero rows for heads left alone). Returns a new
    tensor; z is not modified. `hook` is unused (TransformerLens passes it).
    """
    return z + mask[:, :, None, None].to(z.dtype) * shift
