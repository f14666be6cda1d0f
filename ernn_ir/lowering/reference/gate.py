"""Reference semantics of the gate-level ops (docs/numerics.md, sections on each op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ernn_ir.dialects.ernn import (
    AddOp,
    CircMatvecOp,
    DenseMatvecOp,
    MulOp,
    PwlOp,
    SigmoidOp,
    SubOp,
    TanhOp,
)
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.kernels import (
    Kernel,
    KernelFunctions,
    compiles,
    register_kernels,
)
from ernn_ir.lowering.reference.values import (
    CirculantValue,
    fixed_format,
    float_dtype,
    is_fixed,
    modes,
    signed_bits,
)
from ernn_ir.numerics import (
    FixedFormat,
    PwlTable,
    circ_matvec_fft,
    circ_matvec_fixed,
    exact_int_matmul,
    pwl_eval_fixed,
    pwl_eval_float,
    requantize,
    shift_left,
    sigmoid,
    tanh,
)
from ernn_ir.numerics.circulant import IntMatrix
from ernn_ir.numerics.prepared import Quantizer, Requantizer, clip

# Aligned operands up to this many bits are shifted with plain int64 shifts
# (exact); wider alignments keep shift_left's modulo-2^64 statement.
_PLAIN_SHIFT_BITS = 62


@register_kernels
class GateFunctions(KernelFunctions):
    def __init__(self, log: EventLog) -> None:
        super().__init__()
        self.log = log

    @compiles(CircMatvecOp)
    def compile_circ_matvec(self, op: CircMatvecOp) -> Kernel:
        m = op.result.type.get_shape()[-1]  # type: ignore[attr-defined]
        if is_fixed(op.result.type):
            w_fmt, x_fmt = fixed_format(op.weight.type), fixed_format(op.input.type)
            out_fmt, rnd_ovf, log = fixed_format(op.result.type), modes(op), self.log

            def run_fixed(args):
                w, x = args
                assert isinstance(w, CirculantValue)
                out, ev = circ_matvec_fixed(
                    w.params, w_fmt, x, x_fmt, out_fmt, *rnd_ovf, m=m, weights=w.shift_weights()
                )
                log.add(op, ev)
                return (out,)

            return Kernel(run_fixed, time_operands=(1,))
        dt = float_dtype(op.result.type)

        def run_float(args):
            w, x = args
            return (circ_matvec_fft(w.spectra(dt), x.astype(dt, copy=False), m=m).astype(dt, copy=False),)

        return Kernel(run_float, time_operands=(1,))

    @compiles(DenseMatvecOp)
    def compile_dense_matvec(self, op: DenseMatvecOp) -> Kernel:
        if not is_fixed(op.result.type):
            dt = float_dtype(op.result.type)

            def run_float(args):
                w, x = args[0], args[1]
                y = x.astype(dt, copy=False) @ w.astype(dt, copy=False).T
                if len(args) > 2:
                    y = y + args[2]
                return (y.astype(dt, copy=False),)

            return Kernel(run_float, time_operands=(1,))
        fw, fx = fixed_format(op.weight.type), fixed_format(op.input.type)
        fb = fixed_format(op.bias.type) if op.bias is not None else None
        out_fmt, rnd_ovf, log = fixed_format(op.result.type), modes(op), self.log
        packed: list[Any] = [None, None]  # the weight (a constant) as an IntMatrix, built once

        def run_fixed(args):
            w, x = args[0], args[1]
            if packed[0] is not w:
                packed[:] = [w, IntMatrix(np.ascontiguousarray(w.T))]
            f = fw.frac + fx.frac
            lead = x.shape[:-1]
            acc = exact_int_matmul(x.reshape(-1, x.shape[-1]), packed[1])
            acc = acc.reshape((*lead, w.shape[0]))
            if fb is not None:
                if fb.frac > f:
                    acc = shift_left(acc, fb.frac - f)
                    f = fb.frac
                acc = acc + shift_left(args[2], f - fb.frac)
            out, ev = requantize(acc, f, out_fmt, *rnd_ovf)
            log.add(op, ev)
            return (out,)

        return Kernel(run_fixed, time_operands=(1,))

    def _add_sub(self, op, negate: bool) -> Kernel:
        if not is_fixed(op.result.type):
            dt = float_dtype(op.result.type)
            fn = np.subtract if negate else np.add
            return Kernel(lambda args: (fn(args[0], args[1]).astype(dt, copy=False),), elementwise=True)
        fa, fb = fixed_format(op.lhs.type), fixed_format(op.rhs.type)
        out_fmt, rnd_ovf, log = fixed_format(op.result.type), modes(op), self.log
        f = max(fa.frac, fb.frac)
        sa, sb = f - fa.frac, f - fb.frac
        if max(fa.width + sa, fb.width + sb) > _PLAIN_SHIFT_BITS:

            def run_wide(args):
                a2, b2 = shift_left(args[0], sa), shift_left(args[1], sb)
                out, ev = requantize(a2 - b2 if negate else a2 + b2, f, out_fmt, *rnd_ovf)
                log.add(op, ev)
                return (out,)

            return Kernel(run_wide, elementwise=True)
        (alo, ahi), (blo, bhi) = self.raw_range(op.lhs), self.raw_range(op.rhs)
        alo, ahi, blo, bhi = alo << sa, ahi << sa, blo << sb, bhi << sb
        acc = (alo - bhi, ahi - blo) if negate else (alo + blo, ahi + bhi)
        rq = Requantizer(f, out_fmt, *rnd_ovf, in_range=acc)
        requant = rq.run
        sa64, sb64 = np.int64(sa), np.int64(sb)
        # the last aligned operand per side: a constant (a bias) is aligned once
        aligned: list[Any] = [None, None, None, None]

        def align(x, side: int, shift):
            if aligned[2 * side] is not x:
                aligned[2 * side], aligned[2 * side + 1] = x, x << shift
            return aligned[2 * side + 1]

        def run(args):
            a, b = args
            if sa:
                a = align(a, 0, sa64)
            if sb:
                b = align(b, 1, sb64)
            out, ev = requant(a - b if negate else a + b)
            if ev:
                log.add(op, ev)
            return (out,)

        return Kernel(run, elementwise=True, out_range=rq.out_range)

    @compiles(AddOp)
    def compile_add(self, op: AddOp) -> Kernel:
        return self._add_sub(op, negate=False)

    @compiles(SubOp)
    def compile_sub(self, op: SubOp) -> Kernel:
        return self._add_sub(op, negate=True)

    @compiles(MulOp)
    def compile_mul(self, op: MulOp) -> Kernel:
        if not is_fixed(op.result.type):
            dt = float_dtype(op.result.type)
            return Kernel(lambda args: (np.multiply(args[0], args[1]).astype(dt, copy=False),),
                          elementwise=True)
        fa, fb = fixed_format(op.lhs.type), fixed_format(op.rhs.type)
        # operands are at most 32 bits: the product is exact in int64
        (alo, ahi), (blo, bhi) = self.raw_range(op.lhs), self.raw_range(op.rhs)
        corners = [alo * blo, alo * bhi, ahi * blo, ahi * bhi]
        rq = Requantizer(fa.frac + fb.frac, fixed_format(op.result.type), *modes(op),
                         in_range=(min(corners), max(corners)))
        requant, log = rq.run, self.log

        def run(args):
            out, ev = requant(args[0] * args[1])
            if ev:
                log.add(op, ev)
            return (out,)

        return Kernel(run, elementwise=True, out_range=rq.out_range)

    def _activation(self, op, fn) -> Kernel:
        if not is_fixed(op.result.type):
            dt = float_dtype(op.result.type)
            return Kernel(lambda args: (fn(args[0]).astype(dt, copy=False),), elementwise=True)
        # docs/numerics.md section 10: dequantize, evaluate in double, quantize once
        fin = fixed_format(op.input.type)
        fin.validate(32)
        q = Quantizer(fixed_format(op.result.type), *modes(op))
        scale, log = -int(fin.frac), self.log

        def run(args):
            v = np.ldexp(args[0].astype(np.float64), scale)
            with np.errstate(over="ignore"):
                y = fn(v)
            out, ev = q(y)
            if ev:
                log.add(op, ev)
            return (out,)

        return Kernel(run, elementwise=True)

    @compiles(SigmoidOp)
    def compile_sigmoid(self, op: SigmoidOp) -> Kernel:
        return self._activation(op, sigmoid)

    @compiles(TanhOp)
    def compile_tanh(self, op: TanhOp) -> Kernel:
        return self._activation(op, tanh)

    @compiles(PwlOp)
    def compile_pwl(self, op: PwlOp) -> Kernel:
        slopes, intercepts = dense_to_numpy(op.slopes), dense_to_numpy(op.intercepts)
        x_min, step = op.x_min.value.data, op.log2_step.value.data
        if not is_fixed(op.result.type):
            table = PwlTable(x_min, step, slopes, intercepts)
            dt = float_dtype(op.result.type)
            return Kernel(lambda args: (pwl_eval_float(args[0], table).astype(dt, copy=False),),
                          elementwise=True)
        fin = fixed_format(op.input.type)
        c = op.coeff
        assert c is not None
        coeff = FixedFormat(c.width.data, c.frac.data)
        S, C = slopes.astype(np.int64), intercepts.astype(np.int64)
        x_min_raw = int(round(x_min * 2.0**fin.frac))
        out_fmt, rnd_ovf, log = fixed_format(op.result.type), modes(op), self.log
        fast = _pwl_fast(fin, self.raw_range(op.input), coeff, S, C, x_min_raw, step, out_fmt, rnd_ovf)
        if fast is None:
            # unusual tables (and the errors they raise) take the straightforward statement

            def run_general(args):
                out, ev = pwl_eval_fixed(args[0], fin, S, C, coeff, x_min_raw, step, out_fmt, *rnd_ovf)
                log.add(op, ev)
                return (out,)

            return Kernel(run_general, elementwise=True)

        evaluate, out_range, can_overflow = fast

        def run(args):
            out, ev = evaluate(args[0])
            if ev:
                log.add(op, ev)
            return (out,)

        return Kernel(run, elementwise=True, out_range=out_range, counts_events=can_overflow)


def _pwl_fast(fin: FixedFormat, in_range: tuple[int, int], coeff: FixedFormat, S: np.ndarray,
              C: np.ndarray, x_min_raw: int, log2_step: int, out_fmt: FixedFormat, rnd_ovf):
    """`pwl_eval_fixed` with the table bound, as (evaluate, output range, whether it can
    overflow), or None when its
    checks could fail or its accumulator could need more than 62 bits (the straightforward
    function then runs)."""
    sh = int(log2_step) + int(fin.frac)
    n = S.size
    if (S.ndim != 1 or S.shape != C.shape or n == 0 or not 0 <= sh <= 62
            or fin.width > 32 or coeff.width > 32):
        return None
    Fi, Fc = int(fin.frac), int(coeff.frac)
    Wi, Wc = int(fin.width), int(coeff.width)
    if (Wc - 1 + max(Fi, 0) > 62) or (Wc + Wi - 2 + max(-Fi, 0) > 62):
        return None  # pwl_eval_fixed refuses these formats
    top = x_min_raw + n * (1 << sh) - 1
    if max(signed_bits(x_min_raw), signed_bits(top)) > 40:
        return None
    # the clamped inputs each segment sees, and the accumulator's range over them
    xlo, xhi = max(in_range[0], x_min_raw), min(in_range[1], top)
    xlo, xhi = min(xlo, top), max(xhi, x_min_raw)  # an input range outside the table clamps to an end
    mult, frac = (1, Fc + Fi) if Fi >= 0 else (1 << -Fi, Fc)
    shift_c = Fi if Fi >= 0 else 0
    acc_lo = acc_hi = None
    for i, (sl, ic) in enumerate(zip(S.tolist(), C.tolist())):
        seg_lo = max(x_min_raw + (i << sh), xlo)
        seg_hi = min(x_min_raw + ((i + 1) << sh) - 1, xhi)
        if seg_lo > seg_hi:
            continue
        ends = [sl * seg_lo * mult + (ic << shift_c), sl * seg_hi * mult + (ic << shift_c)]
        acc_lo = min(ends) if acc_lo is None else min(acc_lo, *ends)
        acc_hi = max(ends) if acc_hi is None else max(acc_hi, *ends)
    if acc_lo is None or max(-acc_lo, acc_hi).bit_length() > 61:
        return None
    rq = Requantizer(frac, out_fmt, *rnd_ovf, in_range=(acc_lo, acc_hi))
    requant = rq.run_biased
    # the intercepts carry the rounding constant of the final requantize
    C_aligned = (C << np.int64(shift_c)) + np.int64(rq.bias)
    lo, hi = np.int64(x_min_raw), np.int64(top)
    shift, neg_fi = np.int64(sh), np.int64(-Fi if Fi < 0 else 0)
    base = x_min_raw >> sh
    if x_min_raw == base << sh and -n <= base <= 0:
        # Segment i holds xc >> sh == base + i: index tables rotated by base with
        # xc >> sh directly (numpy reads a negative index from the end).
        S_at, C_at = np.roll(S, base), np.roll(C_aligned, base)

        def evaluate(x: np.ndarray):
            xc = clip(x, lo, hi)
            idx = xc >> shift
            acc = S_at[idx] * xc
            if neg_fi:
                acc <<= neg_fi
            acc += C_at[idx]
            return requant(acc)

        return evaluate, rq.out_range, not rq.always_fits

    def evaluate(x: np.ndarray):
        xc = clip(x, lo, hi)
        idx = (xc - lo) >> shift  # in 0 .. n-1: xc <= top
        acc = S[idx] * xc
        if neg_fi:
            acc <<= neg_fi
        acc += C_aligned[idx]
        return requant(acc)

    return evaluate, rq.out_range, not rq.always_fits
