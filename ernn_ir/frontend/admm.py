"""Block-circulant training (E-RNN Phase I): ADMM, the projection baseline, dense.

ADMM minimises loss(W) subject to every constrained matrix W (the LSTM/GRU
gate matrices and the LSTM projection; biases, peepholes and the dense
head stay free) lying in the block-circulant set S_b:

    repeat:  a few Adam steps on  loss(W) + rho/2 * sum ||W - Z + U||_F^2
             Z = project(W + U)            (per-diagonal average, projection.py)
             U = U + W - Z
             rho = min(rho * rho_growth, rho_max)

then hard projection of W onto S_b and a short fine-tuning in the circulant
parameterisation (`CirculantLSTM`/`CirculantGRU`, FFT forward pass).  The
baseline projects the trained dense model directly and fine-tunes the same
number of epochs.  All functions return ``(model, history)``.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ernn_ir.frontend.circulant_torch import (
    CirculantGRU,
    CirculantLSTM,
    DenseGRU,
    DenseLSTM,
    SequenceClassifier,
)
from ernn_ir.frontend.projection import expand_circulant, project_to_circulant
from ernn_ir.frontend.tasks import SequenceTask, accuracy

Progress = Callable[[str, int, int, dict], None]


@dataclass
class History:
    method: str
    block: int | None = None
    epochs: list = field(default_factory=list)  # dicts: phase, epoch, loss, train_acc, test_acc, ...
    projection_errors: dict = field(default_factory=dict)  # at the hard projection
    test_acc: float = float("nan")
    wall_s: float = 0.0

    def log(self, **kw):
        self.epochs.append(kw)


def make_classifier(kind: str, n_in: int, hidden: int, n_classes: int, block: int | None = None,
                    peepholes: bool = False, seed: int = 0, proj_size: int | None = None) -> SequenceClassifier:
    """Dense (``block=None``) or block-circulant LSTM/GRU classifier (LSTM: optional projection)."""
    torch.manual_seed(seed)
    if kind == "lstm":
        rnn = (DenseLSTM(n_in, hidden, proj_size=proj_size, peepholes=peepholes) if block is None
               else CirculantLSTM(n_in, hidden, block, proj_size=proj_size, peepholes=peepholes))
    elif kind == "gru":
        if peepholes or proj_size:
            raise ValueError("GRU has no peepholes or projection")
        rnn = DenseGRU(n_in, hidden) if block is None else CirculantGRU(n_in, hidden, block)
    else:
        raise ValueError(f"unknown model kind {kind!r} (lstm or gru)")
    return SequenceClassifier(rnn, n_classes)


def _batches(n: int, batch: int, gen: torch.Generator):
    perm = torch.randperm(n, generator=gen)
    for s in range(0, n, batch):
        yield perm[s:s + batch]


def _epoch(model, task, opt, gen, batch, extra_loss=None, on_step=None):
    model.train()
    lossf = nn.CrossEntropyLoss()
    total, count = 0.0, 0
    for idx in _batches(task.x_train.shape[1], batch, gen):
        opt.zero_grad()
        loss = lossf(model(task.x_train[:, idx]), task.y_train[idx])
        full = loss if extra_loss is None else loss + extra_loss()
        full.backward()
        opt.step()
        total += float(loss.detach()) * len(idx)
        count += len(idx)
        if on_step is not None:
            on_step()
    return total / count


def _report(hist, progress, phase, ep, total, model, task, loss, **extra):
    rec = dict(phase=phase, epoch=ep, loss=loss, test_acc=accuracy(model, task.x_test, task.y_test), **extra)
    hist.log(**rec)
    if progress:
        progress(phase, ep, total, rec)


def train_dense(task: SequenceTask, kind: str = "lstm", hidden: int = 32, epochs: int = 20,
                lr: float = 1e-2, batch: int = 64, seed: int = 0, peepholes: bool = False,
                progress: Progress | None = None, model: SequenceClassifier | None = None):
    """Train a dense LSTM/GRU classifier."""
    t0 = time.perf_counter()
    hist = History("dense")
    if model is None:
        model = make_classifier(kind, task.n_features, hidden, task.n_classes, None, peepholes, seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for ep in range(epochs):
        loss = _epoch(model, task, opt, gen, batch)
        _report(hist, progress, "dense", ep + 1, epochs, model, task, loss)
    hist.test_acc = accuracy(model, task.x_test, task.y_test)
    hist.wall_s = time.perf_counter() - t0
    return model, hist


def _to_circulant(dense: SequenceClassifier, block: int, hist: History) -> SequenceClassifier:
    circ_rnn, errors = dense.rnn.to_circulant(block)
    hist.projection_errors = errors
    m = SequenceClassifier(circ_rnn, dense.head.out_features)
    m.head.load_state_dict(dense.head.state_dict())
    return m


def _finetune(model, task, epochs, lr, batch, seed, hist, progress, phase="finetune"):
    gen = torch.Generator().manual_seed(seed + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    _report(hist, progress, phase, 0, epochs, model, task, float("nan"))
    for ep in range(epochs):
        loss = _epoch(model, task, opt, gen, batch)
        _report(hist, progress, phase, ep + 1, epochs, model, task, loss)


def distance_to_circulant(model: SequenceClassifier, block: int) -> float:
    """Relative Frobenius distance of the constrained matrices to S_b (all together)."""
    num = den = 0.0
    for W in model.rnn.matrices().values():
        pr = project_to_circulant(W.detach().double().numpy(), block, return_error=True)
        num += pr.abs_error ** 2
        den += float(torch.linalg.norm(W.detach().double())) ** 2
    return float(np.sqrt(num / den)) if den else 0.0


def train_projection_baseline(task: SequenceTask, kind: str = "lstm", hidden: int = 32,
                              block: int = 8, epochs: int = 20, finetune_epochs: int = 10,
                              lr: float = 1e-2, finetune_lr: float = 3e-3, batch: int = 64,
                              seed: int = 0, peepholes: bool = False,
                              progress: Progress | None = None,
                              pretrained: SequenceClassifier | None = None):
    """Dense training (or ``pretrained``), hard projection, circulant fine-tuning."""
    t0 = time.perf_counter()
    hist = History("projection", block)
    if pretrained is None:
        dense, dh = train_dense(task, kind, hidden, epochs, lr, batch, seed, peepholes, progress)
        hist.epochs.extend(dh.epochs)
    else:
        dense = copy.deepcopy(pretrained)
    model = _to_circulant(dense, block, hist)
    _finetune(model, task, finetune_epochs, finetune_lr, batch, seed, hist, progress)
    hist.test_acc = accuracy(model, task.x_test, task.y_test)
    hist.wall_s = time.perf_counter() - t0
    return model, hist


def train_admm(task: SequenceTask, kind: str = "lstm", hidden: int = 32, block: int = 8,
               epochs: int = 20, admm_epochs: int = 10, finetune_epochs: int = 10,
               rho: float = 1e-2, rho_growth: float = 1.5, rho_max: float = 10.0,
               steps_per_update: int = 8, lr: float = 1e-2, admm_lr: float = 3e-3,
               finetune_lr: float = 3e-3, batch: int = 64, seed: int = 0,
               peepholes: bool = False, progress: Progress | None = None,
               pretrained: SequenceClassifier | None = None):
    """Dense pre-training (``epochs``, or ``pretrained``), ADMM (``admm_epochs``; Z and U
    are updated every ``steps_per_update`` Adam steps), hard projection, fine-tuning."""
    t0 = time.perf_counter()
    hist = History("admm", block)
    if pretrained is None:
        dense, dh = train_dense(task, kind, hidden, epochs, lr, batch, seed, peepholes, progress)
        hist.epochs.extend(dh.epochs)
    else:
        dense = copy.deepcopy(pretrained)
    mats = dense.rnn.matrices()

    def proj(W):
        p = project_to_circulant(W.detach().double().numpy(), block)
        return torch.as_tensor(expand_circulant(p, *W.shape), dtype=W.dtype)

    Z = {k: proj(W) for k, W in mats.items()}
    U = {k: torch.zeros_like(W) for k, W in mats.items()}
    state = {"rho": rho, "step": 0}

    def penalty():
        return 0.5 * state["rho"] * sum(((W - Z[k] + U[k]) ** 2).sum() for k, W in mats.items())

    def on_step():
        state["step"] += 1
        if state["step"] % steps_per_update:
            return
        with torch.no_grad():
            for k, W in mats.items():
                Z[k] = proj(W + U[k])
                U[k] += W - Z[k]
            new_rho = min(state["rho"] * rho_growth, rho_max)
            for k in U:  # scaled dual variable: U = Y / rho
                U[k] *= state["rho"] / new_rho
            state["rho"] = new_rho

    gen = torch.Generator().manual_seed(seed + 2)
    opt = torch.optim.Adam(dense.parameters(), lr=admm_lr)
    for ep in range(admm_epochs):
        loss = _epoch(dense, task, opt, gen, batch, extra_loss=penalty, on_step=on_step)
        _report(hist, progress, "admm", ep + 1, admm_epochs, dense, task, loss,
                distance=distance_to_circulant(dense, block), rho=state["rho"])
    model = _to_circulant(dense, block, hist)
    _finetune(model, task, finetune_epochs, finetune_lr, batch, seed, hist, progress)
    hist.test_acc = accuracy(model, task.x_test, task.y_test)
    hist.wall_s = time.perf_counter() - t0
    return model, hist
