"""Handwritten digits, offline: scikit-learn's copy of the UCI "Optical Recognition of Handwritten
Digits" test set (1,797 images of 8×8 pixels, 16 grey levels, ten classes; CC BY 4.0), which ships
inside the scikit-learn wheel. Chapter 0 trains its MLPs, CNNs and ResNets on it.

    from arena_check.kit import digits
    train, test = digits.datasets()                       # TensorDatasets: (N, 1, 8, 8) float32, int64
    train_loader, test_loader = digits.loaders(batch_size=64, seed=0)

The split is stratified and fixed by its seed, so every page and every learner sees the same
train and test images. Pixels are scaled to [0, 1]; nothing else is normalised, so that a page can
show the images as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from jaxtyping import Float, Int
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

N_CLASSES = 10
IMAGE_SIZE = 8
LICENCE = "CC BY 4.0 (UCI ML repository, Alpaydin & Kaynak 1998), as shipped in scikit-learn"


@dataclass(frozen=True)
class Split:
    images: Float[Tensor, "n 1 8 8"]
    labels: Int[Tensor, " n"]


def _all() -> Split:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return Split(images, torch.tensor(bunch.target, dtype=torch.int64))


def split(test_fraction: float = 0.25, seed: int = 0) -> tuple[Split, Split]:
    """A stratified train/test split: each class contributes ``test_fraction`` of its images to test."""
    data = _all()
    gen = torch.Generator().manual_seed(seed)
    train_idx, test_idx = [], []
    for c in range(N_CLASSES):
        idx = (data.labels == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        n_test = round(len(idx) * test_fraction)
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    tr, te = torch.cat(train_idx).sort().values, torch.cat(test_idx).sort().values
    return Split(data.images[tr], data.labels[tr]), Split(data.images[te], data.labels[te])


def datasets(test_fraction: float = 0.25, seed: int = 0) -> tuple[TensorDataset, TensorDataset]:
    """Train and test sets as ``TensorDataset``s of ``(image (1, 8, 8), label)``."""
    train, test = split(test_fraction, seed)
    return TensorDataset(train.images, train.labels), TensorDataset(test.images, test.labels)


def loaders(batch_size: int = 64, seed: int = 0, test_fraction: float = 0.25) -> tuple[DataLoader, DataLoader]:
    """A shuffling train loader (its order fixed by ``seed``) and an ordered test loader."""
    train, test = datasets(test_fraction, seed)
    gen = torch.Generator().manual_seed(seed)
    return (
        DataLoader(train, batch_size=batch_size, shuffle=True, generator=gen),
        DataLoader(test, batch_size=512, shuffle=False),
    )
