"""Piecewise-linear (PWL) activation tables and exact fixed-point activations.

A table covers ``[x_min, x_min + n * 2**s)`` with ``n`` segments of width
``2**s`` (``s = log2_step``).  Segment ``i`` computes
``y = slopes[i] * x + intercepts[i]`` (the intercept is the value at
``x = 0`` of the segment's line, not at the segment start).

Evaluation clamps ``x`` to the table range, picks
``idx = floor((x - x_min) / 2**s)`` (clamped to ``n - 1``) and evaluates
the segment at the *clamped* ``x``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .fixed import (
    MAX_OPERAND_WIDTH,
    FixedFormat,
    Overflow,
    Rounding,
    as_raw,
    dequantize,
    quantize,
    requantize,
    shift_left,
)

__all__ = [
    "PwlTable",
    "ACTIVATIONS",
    "activation",
    "fit_pwl",
    "max_abs_error",
    "pwl_eval_float",
    "quantize_table",
    "pwl_eval_fixed",
    "sigmoid",
    "tanh",
    "sigmoid_fixed",
    "tanh_fixed",
]


def sigmoid(x) -> np.ndarray:
    """Numerically stable logistic function in the input's float precision.

    ``x >= 0``: ``1 / (1 + exp(-x))``; ``x < 0``: ``exp(x) / (1 + exp(x))``.
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def tanh(x) -> np.ndarray:
    """``numpy.tanh`` in the input's float precision."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return np.tanh(x)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh}


def activation(func_name: str):
    try:
        return ACTIVATIONS[func_name]
    except KeyError:
        raise ValueError(f"unknown activation {func_name!r}; expected one of "
                         f"{sorted(ACTIVATIONS)}") from None


@dataclass(eq=False)
class PwlTable:
    """A PWL table: ``n = len(slopes)`` segments of width ``2**log2_step`` from ``x_min``."""

    x_min: float
    log2_step: int
    slopes: np.ndarray = field(repr=False)
    intercepts: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        self.x_min = float(self.x_min)
        self.log2_step = int(self.log2_step)
        self.slopes = np.asarray(self.slopes, dtype=np.float64)
        self.intercepts = np.asarray(self.intercepts, dtype=np.float64)
        if self.slopes.ndim != 1 or self.slopes.shape != self.intercepts.shape:
            raise ValueError("slopes and intercepts must be 1-D arrays of equal length")
        if self.slopes.size == 0:
            raise ValueError("a PWL table needs at least one segment")

    @property
    def segments(self) -> int:
        return int(self.slopes.size)

    @property
    def step(self) -> float:
        return float(2.0 ** self.log2_step)

    @property
    def x_max(self) -> float:
        return self.x_min + self.segments * self.step


def fit_pwl(func_name: str, x_min: float, x_max: float, segments: int) -> PwlTable:
    """Interpolating PWL table of ``sigmoid``/``tanh`` on ``[x_min, x_max]``.

    ``segments`` must be a power of two and ``(x_max - x_min) / segments`` a
    power of two (the segment width ``2**log2_step``).  Each segment is the
    chord through the function values at its two ends.
    """
    f = activation(func_name)
    segments = int(segments)
    if segments < 1 or segments & (segments - 1):
        raise ValueError(f"segments must be a power of two, got {segments}")
    width = float(x_max) - float(x_min)
    if not width > 0:
        raise ValueError(f"need x_max > x_min, got [{x_min}, {x_max}]")
    step = width / segments
    mant, exp = np.frexp(step)
    if mant != 0.5:
        raise ValueError(
            f"segment width (x_max - x_min) / segments = {step} is not a power of two")
    s = int(exp) - 1
    x0 = float(x_min) + np.arange(segments, dtype=np.float64) * step
    x1 = x0 + step
    y0 = f(x0)
    y1 = f(x1)
    slopes = (y1 - y0) / step
    intercepts = y0 - slopes * x0
    return PwlTable(float(x_min), s, slopes, intercepts)


def pwl_eval_float(x, table: PwlTable) -> np.ndarray:
    """Evaluate the table in float (float32 input stays float32)."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    dt = x.dtype
    xc = np.clip(x, dt.type(table.x_min), dt.type(table.x_max))
    idx = np.floor((xc.astype(np.float64) - table.x_min) / table.step).astype(np.int64)
    idx = np.clip(idx, 0, table.segments - 1)
    s = table.slopes.astype(dt)[idx]
    c = table.intercepts.astype(dt)[idx]
    return (s * xc + c).astype(dt, copy=False)


def max_abs_error(table: PwlTable, func_name: str, samples: int = 1 << 16,
                  lo: float | None = None, hi: float | None = None) -> float:
    """Max ``|pwl(x) - f(x)|`` over ``samples`` points evenly spread on ``[lo, hi]``.

    ``lo``/``hi`` default to the table range (pass wider bounds to include
    the clamped tails).
    """
    f = activation(func_name)
    lo = table.x_min if lo is None else float(lo)
    hi = table.x_max if hi is None else float(hi)
    xs = np.linspace(lo, hi, int(samples))
    return float(np.max(np.abs(pwl_eval_float(xs, table) - f(xs))))


def quantize_table(table: PwlTable, in_fmt: FixedFormat, coeff_fmt: FixedFormat,
                   rounding=Rounding.HALF_UP, overflow_mode=Overflow.SATURATE
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """Quantize a table for :func:`pwl_eval_fixed`.

    Returns ``(slopes_raw, intercepts_raw, x_min_raw)``; ``x_min`` must be a
    multiple of ``in_fmt.lsb`` (raises ``ValueError`` otherwise).
    """
    xr = np.ldexp(table.x_min, in_fmt.frac)
    if xr != np.floor(xr):
        raise ValueError(f"x_min = {table.x_min} is not a multiple of the input lsb "
                         f"2**-{in_fmt.frac}")
    s, _ = quantize(table.slopes, coeff_fmt, rounding, overflow_mode)
    c, _ = quantize(table.intercepts, coeff_fmt, rounding, overflow_mode)
    return s, c, int(xr)


def pwl_eval_fixed(x_raw, in_fmt: FixedFormat, slopes_raw, intercepts_raw,
                   coeff_fmt: FixedFormat, x_min_raw: int, log2_step: int,
                   out_fmt: FixedFormat, rounding, overflow_mode) -> tuple[np.ndarray, int]:
    """Bit-exact PWL evaluation.

    With ``Fi = in_fmt.frac``, ``Fc = coeff_fmt.frac`` and the segment width
    in input lsbs ``D = 2**(log2_step + Fi)`` (must be >= 1):

    1. ``xc = clip(x_raw, x_min_raw, x_min_raw + n*D - 1)``
    2. ``idx = (xc - x_min_raw) >> (log2_step + Fi)``
    3. ``acc = slopes_raw[idx] * xc`` (frac ``Fc + Fi``) plus
       ``intercepts_raw[idx]`` aligned exactly to the common frac
       ``max(Fc + Fi, Fc)`` (if ``Fi < 0`` the product is shifted instead)
    4. one :func:`requantize` of ``acc`` to ``out_fmt``.
    """
    in_fmt.validate(MAX_OPERAND_WIDTH)
    coeff_fmt.validate(MAX_OPERAND_WIDTH)
    x = as_raw(x_raw)
    S = as_raw(slopes_raw)
    C = as_raw(intercepts_raw)
    if S.ndim != 1 or S.shape != C.shape or S.size == 0:
        raise ValueError("slopes_raw and intercepts_raw must be equal-length 1-D arrays")
    n = S.size
    sh = int(log2_step) + int(in_fmt.frac)
    if sh < 0:
        raise ValueError(f"segment width 2**{log2_step} is smaller than the input lsb "
                         f"2**-{in_fmt.frac}")
    if sh > 62:
        raise ValueError("segment width too large for the input format")
    x_min_raw = int(x_min_raw)
    top = x_min_raw + n * (1 << sh) - 1
    xc = np.clip(x, max(x_min_raw, -(1 << 63)), min(top, (1 << 63) - 1))
    idx = np.minimum((xc - x_min_raw) >> sh, n - 1)
    prod = S[idx] * xc
    Fi = int(in_fmt.frac)
    Fc = int(coeff_fmt.frac)
    Wi, Wc = int(in_fmt.width), int(coeff_fmt.width)
    if (Wc - 1 + max(Fi, 0) > 62) or (Wc + Wi - 2 + max(-Fi, 0) > 62):
        raise ValueError("aligned PWL accumulator would exceed 64 bits; "
                         f"in={in_fmt}, coeff={coeff_fmt}")
    if Fi >= 0:
        acc = prod + shift_left(C[idx], Fi)
        frac = Fc + Fi
    else:
        acc = shift_left(prod, -Fi) + C[idx]
        frac = Fc
    return requantize(acc, frac, out_fmt, rounding, overflow_mode)


def _exact_activation(func_name: str, x_raw, in_fmt: FixedFormat, out_fmt: FixedFormat,
                      rounding, overflow_mode) -> tuple[np.ndarray, int]:
    in_fmt.validate(MAX_OPERAND_WIDTH)
    v = dequantize(x_raw, in_fmt.frac)
    with np.errstate(over="ignore"):
        y = activation(func_name)(v)
    return quantize(y, out_fmt, rounding, overflow_mode)


def sigmoid_fixed(x_raw, in_fmt: FixedFormat, out_fmt: FixedFormat, rounding,
                  overflow_mode) -> tuple[np.ndarray, int]:
    """``quantize(sigmoid(dequantize(x)))`` with float64 numpy (see docs)."""
    return _exact_activation("sigmoid", x_raw, in_fmt, out_fmt, rounding, overflow_mode)


def tanh_fixed(x_raw, in_fmt: FixedFormat, out_fmt: FixedFormat, rounding,
               overflow_mode) -> tuple[np.ndarray, int]:
    """``quantize(tanh(dequantize(x)))`` with float64 numpy (see docs)."""
    return _exact_activation("tanh", x_raw, in_fmt, out_fmt, rounding, overflow_mode)
