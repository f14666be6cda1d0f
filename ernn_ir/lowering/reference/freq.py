"""Reference semantics of the frequency-domain ops (docs/numerics.md, FFT and spectral MAC)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ernn_ir.dialects.ernn import (
    ComplexMulOp,
    IrfftOp,
    ReduceSumOp,
    RfftOp,
    SpectralMacOp,
)
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.kernels import (
    Kernel,
    KernelFunctions,
    compiles,
    register_kernels,
)
from ernn_ir.lowering.reference.values import fixed_format, float_dtype, is_fixed, modes
from ernn_ir.numerics import (
    FixedFormat,
    irfft_blocks,
    prepare_circulant,
    requantize,
    rfft_blocks,
    spectral_mac_float,
)
from ernn_ir.numerics.circulant import FixedSpectra
from ernn_ir.numerics.fft import prepared_irfft, prepared_rfft
from ernn_ir.numerics.prepared import Requantizer

_I64_LIMIT = 1 << 63


def _twiddle(op) -> FixedFormat:
    t = op.twiddle_format
    return FixedFormat(t.width.data, t.frac.data)


def _block(spectrum_type) -> int:
    return 2 * (spectrum_type.get_shape()[-2] - 1)


def max_abs(x: np.ndarray) -> int:
    return max(int(x.max()), -int(x.min())) if x.size else 0


class FixedSpectralMac:
    """The kernel of a fixed-point `ernn.spectral_mac`: exact accumulation, one requantize.

    Besides running the op (`run`), it lets the compiled scan split the
    accumulation over the input blocks (`packed`, `finish`): the exact
    integer sum does not depend on how the blocks are grouped, so blocks
    known before the loop can be accumulated for all frames at once.
    """

    def __init__(self, op: SpectralMacOp, log: EventLog, x_type_max: int) -> None:
        self.op = op
        self.log = log
        w_fmt, x_fmt = fixed_format(op.weight.type), fixed_format(op.input.type)
        p, q, K, _ = op.weight.type.get_shape()  # type: ignore[attr-defined]
        self.q, self.K = q, K
        self.x_shape = (q, K, 2)
        # |acc| <= 2q * 2^(Ww-1) * 2^(Wx-1)
        acc_max = 2 * q << (w_fmt.width + x_fmt.width - 2)
        self.requantize = Requantizer(w_fmt.frac + x_fmt.frac, fixed_format(op.result.type),
                                      *modes(op), in_range=(-acc_max, acc_max)).run_range
        self._weights: tuple[Any, FixedSpectra] | None = None
        # max |X| the input's producers allow: with it the 64-bit bound (and the float64
        # path) can often be decided without scanning X
        self.x_type_max = x_type_max
        self._static_max: int | None = None

    def packed(self, W: np.ndarray) -> FixedSpectra:
        """The packed form of the weight value (almost always a constant: kept)."""
        if self._weights is None or self._weights[0] is not W:
            packed = FixedSpectra(W)
            self._weights = (W, packed)
            # below 2^53 for every input of its type: no need to look at the data
            exact = 2 * self.q * packed.max_abs * self.x_type_max < 1 << 53
            self._static_max = self.x_type_max if exact else None
        return self._weights[1]

    @property
    def static_x_max(self) -> int | None:
        """A max |X| valid for every input, when it already decides the exact path."""
        return self._static_max

    def check_bound(self, packed: FixedSpectra, x_max: int) -> None:
        bound = 2 * self.q * packed.max_abs * x_max
        if bound >= _I64_LIMIT:
            raise ValueError(
                f"exact spectral accumulation needs more than 64 bits (bound {bound:#x})")

    def finish(self, acc: np.ndarray) -> tuple[np.ndarray, int, int]:
        """The rounded result and bounds of its raw values (events logged)."""
        out, ev, lo, hi = self.requantize(acc)
        if ev:
            self.log.add(self.op, ev)
        return out, lo, hi

    def run_range(self, args) -> tuple[np.ndarray, int, int]:
        W, X = args
        if X.ndim < 3 or X.shape[-3:] != self.x_shape:
            raise ValueError(f"X_raw must be [..., {self.q}, {self.K}, 2], got {X.shape}")
        packed = self.packed(W)
        lead = X.shape[:-3]
        acc = packed.accumulate(X.reshape(-1, self.q, self.K, 2), self._static_max)
        out, lo, hi = self.finish(acc)
        return out.reshape(lead + acc.shape[1:]), lo, hi

    def run(self, args):
        return (self.run_range(args)[0],)


@register_kernels
class FreqFunctions(KernelFunctions):
    def __init__(self, log: EventLog) -> None:
        super().__init__()
        self.log = log

    def _transform(self, op, b: int, prepared, float_fn) -> Kernel:
        if not is_fixed(op.result.type):
            dt = float_dtype(op.result.type)
            return Kernel(lambda args: (float_fn(args[0], b).astype(dt, copy=False),),
                          time_operands=(0,))
        transform = prepared(b, fixed_format(op.input.type).frac, fixed_format(op.result.type),
                             _twiddle(op), *modes(op))
        log = self.log
        if transform.covers(self.raw_range(op.input)):
            # no input of this type can overflow the butterflies
            planned = transform.planned
            return Kernel(lambda args: (planned(args[0]),), time_operands=(0,),
                          run_bounded=lambda x, x_max: (planned(x),))

        def run_bounded(x, x_max):
            out, ev = transform(x, x_max)
            if ev:
                log.add(op, ev)
            return (out,)

        return Kernel(lambda args: run_bounded(args[0], None), time_operands=(0,),
                      run_bounded=run_bounded)

    @compiles(RfftOp)
    def compile_rfft(self, op: RfftOp) -> Kernel:
        return self._transform(op, _block(op.result.type), prepared_rfft, rfft_blocks)

    @compiles(IrfftOp)
    def compile_irfft(self, op: IrfftOp) -> Kernel:
        return self._transform(op, _block(op.input.type), prepared_irfft, irfft_blocks)

    @compiles(SpectralMacOp)
    def compile_spectral_mac(self, op: SpectralMacOp) -> Kernel:
        if is_fixed(op.result.type):
            lo, hi = self.raw_range(op.input)
            mac = FixedSpectralMac(op, self.log, max(-lo, hi))
            return Kernel(mac.run, time_operands=(1,), mac=mac)
        dt = float_dtype(op.result.type)
        cache: list[Any] = [None, None]

        def run_float(args):
            W, X = args
            # the weight is almost always a constant: keep its packed form
            if cache[0] is not W:
                cache[0], cache[1] = W, prepare_circulant(W, dtype=dt)
            return (spectral_mac_float(W, X, weights=cache[1]),)

        return Kernel(run_float, time_operands=(1,))

    @compiles(ComplexMulOp)
    def compile_cmul(self, op: ComplexMulOp) -> Kernel:
        fixed = is_fixed(op.result.type)
        if fixed:
            frac = fixed_format(op.lhs.type).frac + fixed_format(op.rhs.type).frac
            out_fmt, rnd_ovf = fixed_format(op.result.type), modes(op)
        else:
            dt = float_dtype(op.result.type)
        log = self.log

        def run(args):
            a, b = args
            re = a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1]
            im = a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]
            prod = np.stack([re, im], axis=-1)
            if fixed:
                out, ev = requantize(prod, frac, out_fmt, *rnd_ovf)
                log.add(op, ev)
                return (out,)
            return (prod.astype(dt, copy=False),)

        return Kernel(run, elementwise=True)

    @compiles(ReduceSumOp)
    def compile_reduce_sum(self, op: ReduceSumOp) -> Kernel:
        dim = op.dim.value.data
        log = self.log
        if is_fixed(op.result.type):
            frac, out_fmt, rnd_ovf = fixed_format(op.input.type).frac, fixed_format(op.result.type), modes(op)

            def run_fixed(args):
                out, ev = requantize(np.sum(args[0], axis=dim), frac, out_fmt, *rnd_ovf)
                log.add(op, ev)
                return (out,)

            return Kernel(run_fixed)
        dt = float_dtype(op.result.type)
        return Kernel(lambda args: (np.sum(args[0], axis=dim).astype(dt, copy=False),))
