"""Framework-neutral description of a recurrent network with block-circulant weights.

This is the hand-off format between front ends (PyTorch, ONNX, training,
random models) and the IR builder (`ernn_ir.builder`).  Everything is numpy;
nothing here imports xDSL or PyTorch.

Conventions (see docs/numerics.md and ../shared/ERNN-BRIEF.md):
- A block-circulant matrix of logical shape (m, n) with block size b is held
  as parameters of shape [p, q, b], p = ceil(m / b), q = ceil(n / b),
  row-block major; each block is defined by its *first column* w, so
  ``W_ij[r][k] = w_ij[(r - k) mod b]``.  Rows m..p*b and columns n..q*b are
  zero padding.
- LSTM gates are stacked in PyTorch order (i, f, g, o); GRU gates (r, z, n).
- The hidden size must be a multiple of the block size so that gate
  boundaries fall on block boundaries.  Front ends pad each gate to a
  multiple and record the real unit count in `units`; the padded units are
  then not computed at all and read as exact zeros (a circulant block
  cannot hold a zero row beside non-zero rows, so zero weights could not
  silence them); see docs/frontend.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class CirculantWeight:
    """A block-circulant matrix: logical shape (rows, cols), params [p, q, b]."""

    rows: int
    cols: int
    params: np.ndarray

    @property
    def block(self) -> int:
        return int(self.params.shape[2])

    def __post_init__(self) -> None:
        p, q, b = self.params.shape
        if p != -(-self.rows // b) or q != -(-self.cols // b):
            raise ValueError(
                f"params shape {self.params.shape} does not match a "
                f"{self.rows}x{self.cols} matrix with block size {b}"
            )


@dataclass
class LstmSpec:
    """One LSTM layer (optionally with peepholes and a projection).

    i = sigmoid(Wx_i x + Wh_i r + p_i * c_prev + b_i)
    f = sigmoid(Wx_f x + Wh_f r + p_f * c_prev + b_f)
    g = tanh(Wx_g x + Wh_g r + b_g)
    c = f * c_prev + i * g
    o = sigmoid(Wx_o x + Wh_o r + p_o * c + b_o)
    h = o * tanh(c);  r = W_proj h if a projection exists, else r = h
    """

    input_size: int
    hidden_size: int
    w_x: CirculantWeight  # (4H, N)
    w_h: CirculantWeight  # (4H, R), R = proj_size or hidden_size
    bias: np.ndarray | None = None  # [4H]  (b_ih + b_hh in PyTorch terms)
    peephole: np.ndarray | None = None  # [3, H]  rows (i, f, o)
    w_proj: CirculantWeight | None = None  # (P, H)
    h0: np.ndarray | None = None  # [B, R]
    c0: np.ndarray | None = None  # [B, H]
    return_sequence: bool = True
    units: int | None = None
    """Real hidden units U <= H (None: all H); units U..H-1 are padding, exactly 0."""

    @property
    def proj_size(self) -> int | None:
        return None if self.w_proj is None else self.w_proj.rows

    @property
    def output_size(self) -> int:
        return self.hidden_size if self.w_proj is None else self.w_proj.rows


@dataclass
class GruSpec:
    """One GRU layer.

    r = sigmoid(Wx_r x + b_xr + Wh_r h + b_hr)
    z = sigmoid(Wx_z x + b_xz + Wh_z h + b_hz)
    reset_after (PyTorch/cuDNN):  n = tanh(Wx_n x + b_xn + r * (Wh_n h + b_hn))
    reset before (original):      n = tanh(Wx_n x + b_xn + Wh_n (r * h) + b_hn)
    h = (1 - z) * n + z * h_prev
    """

    input_size: int
    hidden_size: int
    w_x: CirculantWeight  # (3H, N)
    w_h: CirculantWeight  # (3H, H)
    b_x: np.ndarray | None = None  # [3H]
    b_h: np.ndarray | None = None  # [3H]
    reset_after: bool = True
    h0: np.ndarray | None = None  # [B, H]
    return_sequence: bool = True
    units: int | None = None
    """Real hidden units U <= H (None: all H); units U..H-1 are padding, exactly 0."""

    @property
    def output_size(self) -> int:
        return self.hidden_size


@dataclass
class DenseSpec:
    """A final dense layer y = W x + b (kept dense; W is [out, in])."""

    weight: np.ndarray
    bias: np.ndarray | None = None


@dataclass
class ModelSpec:
    """A stack of layers applied in order to a [T, B, N] sequence.

    A bidirectional layer is two LstmSpec/GruSpec in a `BidirectionalSpec`.
    """

    layers: list = field(default_factory=list)
    dtype: str = "f32"


@dataclass
class BidirectionalSpec:
    """Forward and reverse layers; outputs concatenated on the feature axis."""

    forward: LstmSpec | GruSpec
    backward: LstmSpec | GruSpec
