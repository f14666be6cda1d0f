"""Test helper shared by the front-end tests: PyTorch RNNs with exactly block-circulant weights."""

from __future__ import annotations

import numpy as np
import torch

from ernn_ir.frontend.projection import expand_circulant


def make_circulant_rnn(mod, block, seed=0):
    """Overwrite every weight matrix of an nn.LSTM/GRU with an expanded block-circulant one."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in mod.named_parameters():
            if name.startswith("weight"):
                m, n = p.shape
                params = rng.standard_normal((-(-m // block), -(-n // block), block)) * 0.4
                p.copy_(torch.as_tensor(expand_circulant(params, m, n)))
            else:
                p.copy_(torch.as_tensor(rng.standard_normal(p.shape) * 0.3))
    return mod
