"""arena_check.kit.digits and arena_check.kit.training: the data and loop chapter 0 shares."""

from __future__ import annotations

import torch
from torch import nn

from arena_check.kit import digits, training


def test_split_is_stratified_disjoint_and_fixed_by_seed():
    train, test = digits.split(seed=0)
    assert train.images.shape[1:] == (1, 8, 8) and train.images.dtype == torch.float32
    assert len(train.labels) + len(test.labels) == 1797
    assert 0.0 <= float(train.images.min()) and float(train.images.max()) <= 1.0
    share = test.labels.bincount(minlength=10) / (train.labels.bincount(minlength=10) + test.labels.bincount(minlength=10))
    assert ((share - 0.25).abs() < 0.01).all(), share
    again, _ = digits.split(seed=0)
    other, _ = digits.split(seed=1)
    assert torch.equal(train.labels, again.labels) and torch.equal(train.images, again.images)
    assert not torch.equal(train.images, other.images)


def test_fit_trains_a_small_cnn_above_95_percent():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 10),
    )
    train_loader, test_loader = digits.loaders(batch_size=64, seed=0)
    history = training.fit(model, train_loader, test_loader, epochs=15,
                           optimizer=torch.optim.Adam(model.parameters(), lr=3e-3))
    assert history.test_accuracy[-1] >= 0.95, history.test_accuracy
    assert history.train_loss[-1] < history.train_loss[0]
    matrix = training.confusion_matrix(model, test_loader, 10)
    assert int(matrix.sum()) == 450 and int(matrix.trace()) / 450 == history.test_accuracy[-1]


def test_evaluate_restores_nothing_but_reports_eval_mode_accuracy():
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    nn.init.zeros_(model[1].weight), nn.init.zeros_(model[1].bias)
    _, test_loader = digits.loaders()
    loss, acc = training.evaluate(model, test_loader)
    assert abs(loss - torch.log(torch.tensor(10.0)).item()) < 1e-5  # uniform logits
    assert not model.training
