"""Reference semantics of quantize / dequantize / requantize (docs/numerics.md)."""

from __future__ import annotations

import numpy as np

from ernn_ir.dialects.ernn import DequantizeOp, QuantizeOp, RequantizeOp
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.kernels import (
    Kernel,
    KernelFunctions,
    compiles,
    register_kernels,
)
from ernn_ir.lowering.reference.values import fixed_format, float_dtype, modes
from ernn_ir.numerics.prepared import Quantizer, Requantizer


@register_kernels
class QuantFunctions(KernelFunctions):
    def __init__(self, log: EventLog) -> None:
        super().__init__()
        self.log = log

    def _counting(self, op, convert) -> Kernel:
        log = self.log

        def run(args):
            out, ev = convert(args[0])
            if ev:
                log.add(op, ev)
            return (out,)

        return Kernel(run, elementwise=True)

    @compiles(QuantizeOp)
    def compile_quantize(self, op: QuantizeOp) -> Kernel:
        return self._counting(op, Quantizer(fixed_format(op.result.type), *modes(op)).run)

    @compiles(DequantizeOp)
    def compile_dequantize(self, op: DequantizeOp) -> Kernel:
        scale = -int(fixed_format(op.input.type).frac)
        dt = float_dtype(op.result.type)
        return Kernel(lambda args: (np.ldexp(args[0].astype(np.float64), scale).astype(dt, copy=False),),
                      elementwise=True)

    @compiles(RequantizeOp)
    def compile_requantize(self, op: RequantizeOp) -> Kernel:
        fin = fixed_format(op.input.type)
        rq = Requantizer(fin.frac, fixed_format(op.result.type), *modes(op),
                         in_range=self.raw_range(op.input))
        kernel = self._counting(op, rq.run)
        return Kernel(kernel.run, elementwise=True, out_range=rq.out_range)
