"""An offline sequence-classification task: scikit-learn's handwritten digits.

Each 8x8 image (1,797 of them, 10 classes, pixel values 0..16, shipped with
scikit-learn, no download) is read row by row: a sequence of T = 8 steps of
N = 8 features (pixels / 16).  A fixed-seed stratified split keeps 25 % for
testing.  This is a small, honest stand-in for TIMIT (not available
offline): it shows relative accuracy between dense, ADMM and projection
training, not speech-recognition error rates.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np


@dataclass
class SequenceTask:
    name: str
    x_train: "object"  # torch.Tensor [T, B, N] float32
    y_train: "object"  # torch.Tensor [B] int64
    x_test: "object"
    y_test: "object"
    n_classes: int

    @property
    def seq_len(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[2])


def load_digits_task(seed: int = 0, test_fraction: float = 0.25) -> SequenceTask:
    """The digits task ([T=8, B, N=8] sequences, 10 classes), split with ``seed``."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError(
            "the digits task needs scikit-learn (its bundled, offline digits data set): "
            "pip install scikit-learn") from e
    import torch

    d = load_digits()
    X = (d.images.astype(np.float32) / 16.0)  # [S, 8 rows, 8 cols]
    y = d.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test_idx = []
    for c in range(10):  # stratified split
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test_idx.extend(idx[: int(round(len(idx) * test_fraction))])
    test_mask = np.zeros(len(y), bool)
    test_mask[test_idx] = True

    def seq(a):  # [S, T, N] -> [T, S, N]
        return torch.from_numpy(np.ascontiguousarray(a.transpose(1, 0, 2)))

    return SequenceTask("digits", seq(X[~test_mask]), torch.from_numpy(y[~test_mask]),
                        seq(X[test_mask]), torch.from_numpy(y[test_mask]), 10)


def accuracy(model, x, y, batch: int = 512) -> float:
    """Fraction of correct argmax predictions of ``model`` ([T, B, N] -> [B, C])."""
    import torch

    was = model.training
    model.eval()
    correct = 0
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        for s in range(0, x.shape[1], batch):
            logits = model(x[:, s:s + batch].to(dtype))
            correct += int((logits.argmax(-1) == y[s:s + batch]).sum())
    model.train(was)
    return correct / int(x.shape[1])


def load_npz_task(path: str) -> SequenceTask:
    """A user's task from a .npz: `x_train` [N, T, F], `y_train` [N] (class indices), `x_test`, `y_test`.

    Raises ValueError naming the file and the array that is missing or misshapen.
    """
    import torch

    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read as .npz: {e}") from None
    if not hasattr(data, "files"):
        raise ValueError(f"{path}: a .npy holds one array; the task needs a .npz with x_train, y_train, x_test, y_test")
    with data:
        arrays = {}
        for k in ("x_train", "y_train", "x_test", "y_test"):
            if k not in data.files:
                raise ValueError(f"{path}: missing array '{k}' (has: {', '.join(sorted(data.files)) or 'none'})")
            arrays[k] = data[k]
    xs, ys = [], []
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or not np.issubdtype(x.dtype, np.number):
            raise ValueError(f"{path}: 'x_{part}' must be a numeric [N, T, F] array, got shape {x.shape} {x.dtype}")
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"{path}: 'y_{part}' must be an integer [N] array of class indices, got shape "
                             f"{y.shape} {y.dtype}")
        if len(y) != x.shape[0] or len(y) == 0:
            raise ValueError(f"{path}: 'x_{part}' has {x.shape[0]} sequences but 'y_{part}' has {len(y)} labels")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{path}: 'x_{part}' holds NaN or infinite values")
        if y.min() < 0:
            raise ValueError(f"{path}: 'y_{part}' holds a negative class index")
        xs.append(x)
        ys.append(y)
    if xs[0].shape[1:] != xs[1].shape[1:]:
        raise ValueError(f"{path}: 'x_train' sequences are {xs[0].shape[1:]} (T, F) but 'x_test' ones are "
                         f"{xs[1].shape[1:]}")
    n_classes = int(max(ys[0].max(), ys[1].max())) + 1

    def seq(a):  # [N, T, F] -> [T, N, F]
        return torch.from_numpy(np.ascontiguousarray(a.astype(np.float32).transpose(1, 0, 2)))

    return SequenceTask(os.path.basename(path), seq(xs[0]), torch.from_numpy(ys[0].astype(np.int64)),
                        seq(xs[1]), torch.from_numpy(ys[1].astype(np.int64)), n_classes)
