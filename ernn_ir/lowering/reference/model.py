"""Reference semantics of `ernn.lstm` and `ernn.gru` (float).

The input-to-gate products do not depend on the recurrence, so they are
computed for all T steps in one batched FFT matvec; only the recurrent
matvec runs per step.  Equations: the op docstrings in
ernn_ir/dialects/ernn/model_ops.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ernn_ir.dialects.ernn import GruOp, LstmOp
from ernn_ir.lowering.reference.kernels import (
    Kernel,
    KernelFunctions,
    compiles,
    register_kernels,
)
from ernn_ir.lowering.reference.values import CirculantValue, float_dtype
from ernn_ir.numerics import circ_matvec_fft, tanh


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) as 0.5 + 0.5 tanh(x / 2): one transcendental call.

    Float semantics allow it (docs/numerics.md: float results are within
    rounding of exact math); the absolute error stays at the ulp level.
    """
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def _optional(op, args: tuple[Any, ...], names: list[str]) -> dict[str, Any]:
    """Map the present optional operands to their names, in declaration order."""
    rest = list(args[3:])
    out: dict[str, Any] = {}
    for n in names:
        if getattr(op, n) is not None:
            out[n] = rest.pop(0)
        else:
            out[n] = None
    return out


def _real(v: np.ndarray, U: int) -> np.ndarray:
    """`v` with the padded hidden units U.. (last axis) set to exactly 0."""
    if U == v.shape[-1]:
        return v
    v = v.copy()
    v[..., U:] = 0
    return v


def _steps(op, T: int) -> range:
    return range(T - 1, -1, -1) if op.reverse is not None else range(T)


def run_lstm(op: LstmOp, args: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    x, wx, wh = args[:3]
    assert isinstance(wx, CirculantValue) and isinstance(wh, CirculantValue)
    o = _optional(op, args, ["bias", "peephole", "proj", "h0", "c0"])
    dt = float_dtype(op.output.type)
    T, B, _ = x.shape
    H = op.hidden_size
    proj: CirculantValue | None = o["proj"]
    R = H if proj is None else proj.type.rows.data
    xg = circ_matvec_fft(wx.spectra(dt), x.astype(dt, copy=False), m=4 * H)
    if o["bias"] is not None:
        xg = xg + o["bias"]
    whs = wh.spectra(dt)
    ps = None if proj is None else proj.spectra(dt)
    peep = o["peephole"]
    U = op.real_units
    r = np.zeros((B, R), dt) if o["h0"] is None else o["h0"].astype(dt)
    if proj is None:
        r = _real(r, U)
    c = _real(np.zeros((B, H), dt) if o["c0"] is None else o["c0"].astype(dt), U)
    out = np.empty((T, B, R), dt)
    for t in _steps(op, T):
        g = xg[t] + circ_matvec_fft(whs, r, m=4 * H)
        gi, gf, gg, go = g[:, :H], g[:, H : 2 * H], g[:, 2 * H : 3 * H], g[:, 3 * H :]
        if peep is not None:
            gi = gi + peep[0] * c
            gf = gf + peep[1] * c
        c = _real(sigmoid(gf) * c + sigmoid(gi) * tanh(gg), U)
        if peep is not None:
            go = go + peep[2] * c
        h = _real(sigmoid(go) * tanh(c), U)
        r = h if ps is None else circ_matvec_fft(ps, h, m=R)
        out[t] = r
    y = out if op.return_sequence.value.data else r
    return (y, r, c)


def run_gru(op: GruOp, args: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    x, wx, wh = args[:3]
    assert isinstance(wx, CirculantValue) and isinstance(wh, CirculantValue)
    o = _optional(op, args, ["b_x", "b_h", "h0"])
    dt = float_dtype(op.output.type)
    T, B, _ = x.shape
    H = op.hidden_size
    xg = circ_matvec_fft(wx.spectra(dt), x.astype(dt, copy=False), m=3 * H)
    if o["b_x"] is not None:
        xg = xg + o["b_x"]
    bh = o["b_h"]
    whs = wh.spectra(dt)
    reset_after = op.reset_after.value.data
    U = op.real_units
    h = _real(np.zeros((B, H), dt) if o["h0"] is None else o["h0"].astype(dt), U)
    out = np.empty((T, B, H), dt)
    for t in _steps(op, T):
        xr, xz, xn = xg[t][:, :H], xg[t][:, H : 2 * H], xg[t][:, 2 * H :]
        if reset_after:
            hg = circ_matvec_fft(whs, h, m=3 * H)
            if bh is not None:
                hg = hg + bh
            r = sigmoid(xr + hg[:, :H])
            z = sigmoid(xz + hg[:, H : 2 * H])
            n = tanh(xn + r * hg[:, 2 * H :])
        else:
            # r and z need only the first 2H rows; the n rows see r * h.
            hg = circ_matvec_fft(whs, h, m=3 * H)
            if bh is not None:
                hg = hg + bh
            r = sigmoid(xr + hg[:, :H])
            z = sigmoid(xz + hg[:, H : 2 * H])
            hn = circ_matvec_fft(whs, r * h, m=3 * H)[:, 2 * H :]
            if bh is not None:
                hn = hn + bh[2 * H :]
            n = tanh(xn + hn)
        h = _real((1 - z) * n + z * h, U)
        out[t] = h
    y = out if op.return_sequence.value.data else h
    return (y, h)


@register_kernels
class ModelFunctions(KernelFunctions):
    @compiles(LstmOp)
    def compile_lstm(self, op: LstmOp) -> Kernel:
        return Kernel(lambda args: run_lstm(op, args))

    @compiles(GruOp)
    def compile_gru(self, op: GruOp) -> Kernel:
        return Kernel(lambda args: run_gru(op, args))
