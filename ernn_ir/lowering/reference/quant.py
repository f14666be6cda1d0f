"""Reference semantics of quantize / dequantize / requantize (docs/numerics.md)."""

from __future__ import annotations

from typing import Any

from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from ernn_ir.dialects.ernn import DequantizeOp, QuantizeOp, RequantizeOp
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.values import fixed_format, float_dtype, modes
from ernn_ir.numerics import dequantize, quantize, requantize


@register_impls
class QuantFunctions(InterpreterFunctions):
    def __init__(self, log: EventLog) -> None:
        self.log = log

    @impl(QuantizeOp)
    def run_quantize(self, interpreter: Interpreter, op: QuantizeOp, args: tuple[Any, ...]):
        out, ev = quantize(args[0], fixed_format(op.result.type), *modes(op))
        self.log.add(op, ev)
        return (out,)

    @impl(DequantizeOp)
    def run_dequantize(self, interpreter: Interpreter, op: DequantizeOp, args: tuple[Any, ...]):
        x = dequantize(args[0], fixed_format(op.input.type).frac)
        return (x.astype(float_dtype(op.result.type), copy=False),)

    @impl(RequantizeOp)
    def run_requantize(self, interpreter: Interpreter, op: RequantizeOp, args: tuple[Any, ...]):
        out, ev = requantize(
            args[0], fixed_format(op.input.type).frac, fixed_format(op.result.type), *modes(op)
        )
        self.log.add(op, ev)
        return (out,)
