"""Reference semantics of the gate-level ops (docs/numerics.md, sections on each op)."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

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
from ernn_ir.lowering.reference.values import (
    CirculantValue,
    fixed_format,
    float_dtype,
    is_fixed,
    modes,
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
    sigmoid_fixed,
    tanh,
    tanh_fixed,
)


def fixed_add(op, a, b, negate: bool, log: EventLog):
    fa, fb = fixed_format(op.lhs.type), fixed_format(op.rhs.type)
    f = max(fa.frac, fb.frac)
    a2 = shift_left(a, f - fa.frac)
    b2 = shift_left(b, f - fb.frac)
    acc = a2 - b2 if negate else a2 + b2
    out, ev = requantize(acc, f, fixed_format(op.result.type), *modes(op))
    log.add(op, ev)
    return out


@register_impls
class GateFunctions(InterpreterFunctions):
    def __init__(self, log: EventLog) -> None:
        self.log = log

    @impl(CircMatvecOp)
    def run_circ_matvec(self, interpreter: Interpreter, op: CircMatvecOp, args: tuple[Any, ...]):
        w, x = args
        assert isinstance(w, CirculantValue)
        m = op.result.type.get_shape()[-1]  # type: ignore[attr-defined]
        if is_fixed(op.result.type):
            out, ev = circ_matvec_fixed(
                w.params, fixed_format(w.type), x, fixed_format(op.input.type),
                fixed_format(op.result.type), *modes(op), m=m, weights=w.shift_weights(),
            )
            self.log.add(op, ev)
            return (out,)
        dt = float_dtype(op.result.type)
        return (circ_matvec_fft(w.spectra(dt), x.astype(dt, copy=False), m=m).astype(dt, copy=False),)

    @impl(DenseMatvecOp)
    def run_dense_matvec(self, interpreter: Interpreter, op: DenseMatvecOp, args: tuple[Any, ...]):
        w, x = args[0], args[1]
        bias = args[2] if len(args) > 2 else None
        if is_fixed(op.result.type):
            fw, fx = fixed_format(op.weight.type), fixed_format(op.input.type)
            f = fw.frac + fx.frac
            lead = x.shape[:-1]
            acc = exact_int_matmul(x.reshape(-1, x.shape[-1]), np.ascontiguousarray(w.T))
            acc = acc.reshape((*lead, w.shape[0]))
            if bias is not None:
                fb = fixed_format(op.bias.type)  # type: ignore[union-attr]
                if fb.frac > f:
                    acc = shift_left(acc, fb.frac - f)
                    f = fb.frac
                acc = acc + shift_left(bias, f - fb.frac)
            out, ev = requantize(acc, f, fixed_format(op.result.type), *modes(op))
            self.log.add(op, ev)
            return (out,)
        dt = float_dtype(op.result.type)
        y = x.astype(dt, copy=False) @ w.astype(dt, copy=False).T
        if bias is not None:
            y = y + bias
        return (y.astype(dt, copy=False),)

    def _binary(self, op, args, float_fn, negate=False, multiply=False):
        a, b = args
        if not is_fixed(op.result.type):
            dt = float_dtype(op.result.type)
            return (float_fn(a, b).astype(dt, copy=False),)
        if multiply:
            fa, fb = fixed_format(op.lhs.type), fixed_format(op.rhs.type)
            out, ev = requantize(
                np.multiply(a, b), fa.frac + fb.frac, fixed_format(op.result.type), *modes(op)
            )
            self.log.add(op, ev)
            return (out,)
        return (fixed_add(op, a, b, negate, self.log),)

    @impl(AddOp)
    def run_add(self, interpreter: Interpreter, op: AddOp, args: tuple[Any, ...]):
        return self._binary(op, args, np.add)

    @impl(SubOp)
    def run_sub(self, interpreter: Interpreter, op: SubOp, args: tuple[Any, ...]):
        return self._binary(op, args, np.subtract, negate=True)

    @impl(MulOp)
    def run_mul(self, interpreter: Interpreter, op: MulOp, args: tuple[Any, ...]):
        return self._binary(op, args, np.multiply, multiply=True)

    def _activation(self, op, x, float_fn, fixed_fn):
        if is_fixed(op.result.type):
            out, ev = fixed_fn(
                x, fixed_format(op.input.type), fixed_format(op.result.type), *modes(op)
            )
            self.log.add(op, ev)
            return (out,)
        return (float_fn(x).astype(float_dtype(op.result.type), copy=False),)

    @impl(SigmoidOp)
    def run_sigmoid(self, interpreter: Interpreter, op: SigmoidOp, args: tuple[Any, ...]):
        return self._activation(op, args[0], sigmoid, sigmoid_fixed)

    @impl(TanhOp)
    def run_tanh(self, interpreter: Interpreter, op: TanhOp, args: tuple[Any, ...]):
        return self._activation(op, args[0], tanh, tanh_fixed)

    @impl(PwlOp)
    def run_pwl(self, interpreter: Interpreter, op: PwlOp, args: tuple[Any, ...]):
        (x,) = args
        slopes, intercepts = dense_to_numpy(op.slopes), dense_to_numpy(op.intercepts)
        x_min, step = op.x_min.value.data, op.log2_step.value.data
        if is_fixed(op.result.type):
            fin = fixed_format(op.input.type)
            c = op.coeff
            assert c is not None
            out, ev = pwl_eval_fixed(
                x, fin, slopes.astype(np.int64), intercepts.astype(np.int64),
                FixedFormat(c.width.data, c.frac.data), int(round(x_min * 2.0**fin.frac)),
                step, fixed_format(op.result.type), *modes(op),
            )
            self.log.add(op, ev)
            return (out,)
        table = PwlTable(x_min, step, slopes, intercepts)
        return (pwl_eval_float(x, table).astype(float_dtype(op.result.type), copy=False),)
