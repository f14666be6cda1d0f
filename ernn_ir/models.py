"""Seeded random block-circulant models: the Google LSTM of the brief, its GRU counterpart, small test models.

Weights are drawn as PyTorch initialises (and trained recurrent networks
keep the same scale): uniform in [-1/sqrt(H), 1/sqrt(H)], with the forget
gate bias at +1.  Each circulant block's defining vector holds exactly the
entries of the dense block, so the dense matrix has that same distribution.
"""

from __future__ import annotations

import numpy as np

from ernn_ir.model_spec import CirculantWeight, GruSpec, LstmSpec


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def random_circulant(rng: np.random.Generator, rows: int, cols: int, block: int, scale: float) -> CirculantWeight:
    params = rng.uniform(-scale, scale, size=(_ceil(rows, block), _ceil(cols, block), block))
    return CirculantWeight(rows, cols, params)


def random_lstm(
    input_size: int,
    hidden_size: int,
    block: int,
    proj_size: int | None = None,
    peepholes: bool = False,
    bias: bool = True,
    seed: int = 0,
) -> LstmSpec:
    if hidden_size % block:
        raise ValueError(f"--hidden-size {hidden_size} must be a multiple of --block-size {block}")
    rng = np.random.default_rng(seed)
    H = hidden_size
    R = proj_size or H
    k = 1.0 / np.sqrt(H)
    b = None
    if bias:
        b = rng.uniform(-k, k, size=4 * H)
        b[H : 2 * H] += 1.0
    return LstmSpec(
        input_size=input_size,
        hidden_size=H,
        w_x=random_circulant(rng, 4 * H, input_size, block, k),
        w_h=random_circulant(rng, 4 * H, R, block, k),
        bias=b,
        peephole=rng.uniform(-k, k, size=(3, H)) if peepholes else None,
        w_proj=random_circulant(rng, proj_size, H, block, k) if proj_size else None,
    )


def random_gru(
    input_size: int,
    hidden_size: int,
    block: int,
    reset_after: bool = True,
    bias: bool = True,
    seed: int = 0,
) -> GruSpec:
    if hidden_size % block:
        raise ValueError(f"--hidden-size {hidden_size} must be a multiple of --block-size {block}")
    rng = np.random.default_rng(seed)
    H = hidden_size
    k = 1.0 / np.sqrt(H)
    return GruSpec(
        input_size=input_size,
        hidden_size=H,
        w_x=random_circulant(rng, 3 * H, input_size, block, k),
        w_h=random_circulant(rng, 3 * H, H, block, k),
        b_x=rng.uniform(-k, k, size=3 * H) if bias else None,
        b_h=rng.uniform(-k, k, size=3 * H) if bias else None,
        reset_after=reset_after,
    )
