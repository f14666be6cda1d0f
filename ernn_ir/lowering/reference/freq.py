"""Reference semantics of the frequency-domain ops (docs/numerics.md, FFT and spectral MAC)."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from ernn_ir.dialects.ernn import (
    ComplexMulOp,
    IrfftOp,
    ReduceSumOp,
    RfftOp,
    SpectralMacOp,
)
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.values import fixed_format, float_dtype, is_fixed, modes
from ernn_ir.numerics import (
    FixedFormat,
    irfft_blocks,
    irfft_fixed,
    prepare_circulant,
    prepare_spectra_fixed,
    requantize,
    rfft_blocks,
    rfft_fixed,
    spectral_mac_fixed,
    spectral_mac_float,
)


def _twiddle(op) -> FixedFormat:
    t = op.twiddle_format
    return FixedFormat(t.width.data, t.frac.data)


def _block(spectrum_type) -> int:
    return 2 * (spectrum_type.get_shape()[-2] - 1)


@register_impls
class FreqFunctions(InterpreterFunctions):
    def __init__(self, log: EventLog) -> None:
        self.log = log
        self._weights: dict[int, tuple[np.ndarray, Any]] = {}

    def _transform(self, op, x, b: int, fixed_fn, float_fn):
        if is_fixed(op.result.type):
            out, ev = fixed_fn(
                x, fixed_format(op.input.type).frac, b, fixed_format(op.result.type),
                _twiddle(op), *modes(op),
            )
            self.log.add(op, ev)
            return (out,)
        return (float_fn(x, b).astype(float_dtype(op.result.type), copy=False),)

    @impl(RfftOp)
    def run_rfft(self, interpreter: Interpreter, op: RfftOp, args: tuple[Any, ...]):
        return self._transform(op, args[0], _block(op.result.type), rfft_fixed, rfft_blocks)

    @impl(IrfftOp)
    def run_irfft(self, interpreter: Interpreter, op: IrfftOp, args: tuple[Any, ...]):
        return self._transform(op, args[0], _block(op.input.type), irfft_fixed, irfft_blocks)

    @impl(SpectralMacOp)
    def run_spectral_mac(self, interpreter: Interpreter, op: SpectralMacOp, args: tuple[Any, ...]):
        W, X = args
        fixed = is_fixed(op.result.type)
        # The weight is almost always a constant: keep its packed form.
        cached = self._weights.get(id(op))
        if cached is None or cached[0] is not W:
            packed = (
                prepare_spectra_fixed(W)
                if fixed
                else prepare_circulant(W, dtype=float_dtype(op.result.type))
            )
            cached = self._weights[id(op)] = (W, packed)
        if fixed:
            out, ev = spectral_mac_fixed(
                W, fixed_format(op.weight.type).frac, X, fixed_format(op.input.type).frac,
                fixed_format(op.result.type), *modes(op), weights=cached[1],
            )
            self.log.add(op, ev)
            return (out,)
        return (spectral_mac_float(W, X, weights=cached[1]),)

    @impl(ComplexMulOp)
    def run_cmul(self, interpreter: Interpreter, op: ComplexMulOp, args: tuple[Any, ...]):
        a, b = args
        re = a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1]
        im = a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]
        prod = np.stack([re, im], axis=-1)
        if is_fixed(op.result.type):
            frac = fixed_format(op.lhs.type).frac + fixed_format(op.rhs.type).frac
            out, ev = requantize(prod, frac, fixed_format(op.result.type), *modes(op))
            self.log.add(op, ev)
            return (out,)
        return (prod.astype(float_dtype(op.result.type), copy=False),)

    @impl(ReduceSumOp)
    def run_reduce_sum(self, interpreter: Interpreter, op: ReduceSumOp, args: tuple[Any, ...]):
        s = np.sum(args[0], axis=op.dim.value.data)
        if is_fixed(op.result.type):
            out, ev = requantize(
                s, fixed_format(op.input.type).frac, fixed_format(op.result.type), *modes(op)
            )
            self.log.add(op, ev)
            return (out,)
        return (s.astype(float_dtype(op.result.type), copy=False),)
