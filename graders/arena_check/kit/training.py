"""A small, plain training loop and the plots chapter 0 shares.

Section 0.1 has learners write these loops themselves; later sections use this reference copy so
that each page's code is about its own subject. Nothing here hides what happens: one epoch is a
loop over batches with ``zero_grad``, forward, loss, ``backward`` and ``step``.

    from arena_check.kit import digits, training
    history = training.fit(model, *digits.loaders(seed=0), epochs=10,
                           optimizer=torch.optim.Adam(model.parameters(), lr=1e-3))
    training.plot_history(history)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from jaxtyping import Int
from torch import Tensor, nn


@dataclass
class History:
    """Per-epoch records of a run: mean training loss, test loss and test accuracy."""

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)  # every optimisation step's loss


def train_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Tensor, Tensor], Tensor] = nn.functional.cross_entropy,
    step_losses: list[float] | None = None,
) -> float:
    """One pass over ``loader``; returns the mean loss per example."""
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if step_losses is not None:
            step_losses.append(loss.item())
        total += loss.item() * len(y)
        count += len(y)
    return total / max(count, 1)


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor] = nn.functional.cross_entropy,
) -> tuple[float, float]:
    """(mean loss, accuracy) over ``loader``, in eval mode (dropout off, batch-norm statistics fixed)."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += loss_fn(logits, y, reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
        count += len(y)
    return total_loss / max(count, 1), correct / max(count, 1)


def fit(
    model: nn.Module,
    train_loader: Iterable[tuple[Tensor, Tensor]],
    test_loader: Iterable[tuple[Tensor, Tensor]],
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    scheduler: Any | None = None,
) -> History:
    """Train for ``epochs``, evaluating on ``test_loader`` after each; ``scheduler.step()`` per epoch."""
    history = History()
    for _ in range(epochs):
        history.train_loss.append(train_epoch(model, train_loader, optimizer, step_losses=history.step_loss))
        if scheduler is not None:
            scheduler.step()
        loss, acc = evaluate(model, test_loader)
        history.test_loss.append(loss)
        history.test_accuracy.append(acc)
    return history


@torch.no_grad()
def confusion_matrix(
    model: nn.Module, loader: Iterable[tuple[Tensor, Tensor]], n_classes: int
) -> Int[Tensor, "true predicted"]:
    """Counts of (true class, predicted class) over ``loader``."""
    model.eval()
    matrix = torch.zeros(n_classes, n_classes, dtype=torch.int64)
    for x, y in loader:
        pred = model(x).argmax(-1)
        matrix += torch.bincount(y * n_classes + pred, minlength=n_classes * n_classes).view(n_classes, n_classes)
    return matrix


def plot_history(history: History, title: str = ""):
    """Loss (train and test) and test accuracy per epoch, side by side; returns the figure."""
    import matplotlib.pyplot as plt

    epochs = range(1, len(history.train_loss) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 2.8))
    ax_loss.plot(epochs, history.train_loss, label="train")
    ax_loss.plot(epochs, history.test_loss, label="test")
    ax_loss.set_xlabel("epoch"), ax_loss.set_ylabel("loss"), ax_loss.legend()
    ax_acc.plot(epochs, history.test_accuracy, color="C2")
    ax_acc.set_xlabel("epoch"), ax_acc.set_ylabel("test accuracy")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion(matrix: Tensor, title: str = "confusion matrix"):
    """A confusion matrix as an image with its counts written in; returns the figure."""
    import matplotlib.pyplot as plt

    n = matrix.shape[0]
    fig, ax = plt.subplots(figsize=(4, 3.6))
    ax.imshow(matrix, cmap="Blues")
    for i in range(n):
        for j in range(n):
            value = int(matrix[i, j])
            if value:
                colour = "white" if value > matrix.max() / 2 else "black"
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted"), ax.set_ylabel("true"), ax.set_title(title)
    ax.set_xticks(range(n)), ax.set_yticks(range(n))
    fig.tight_layout()
    return fig
