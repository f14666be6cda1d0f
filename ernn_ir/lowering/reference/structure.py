"""Reference semantics of constants, shape ops and the `ernn.scan` time loop."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import (
    Interpreter,
    ReturnedValues,
    impl,
    impl_terminator,
)

from ernn_ir.dialects.ernn import (
    BroadcastOp,
    CirculantOp,
    CirculantParamsOp,
    ConcatOp,
    ConstantOp,
    PadOp,
    ReshapeOp,
    ScanOp,
    SliceOp,
    YieldOp,
)
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.lowering.reference.kernels import (
    Kernel,
    KernelFunctions,
    KernelTable,
    compiles,
    register_kernels,
)
from ernn_ir.lowering.reference.scan_plan import ScanPlan, compile_scan
from ernn_ir.lowering.reference.values import CirculantValue, float_dtype, is_fixed


def constant_value(op: ConstantOp | CirculantOp) -> np.ndarray:
    attr = op.value if isinstance(op, ConstantOp) else op.params
    raw = dense_to_numpy(attr)
    if is_fixed(op.result.type):
        return raw.astype(np.int64)
    return np.array(raw, dtype=float_dtype(op.result.type))


@register_kernels
class StructureFunctions(KernelFunctions):
    """Constants, shape ops and `ernn.scan`.

    `kernels` (set by `Reference`) gives the scan the kernels of every
    table, for its compiled plan (scan_plan.py); with `step_plan=False`, or
    without `kernels`, scan bodies are interpreted op by op.
    """

    def __init__(self, step_plan: bool = True) -> None:
        super().__init__()
        self.step_plan = step_plan
        self.kernels: KernelTable | None = None
        self._plans: dict[ScanOp, ScanPlan | None] = {}

    def _constant(self, op, value) -> Kernel:
        cached: list[Any] = []

        def run(args):
            if not cached:
                cached.append(value())  # decoded on first use, once
            return (cached[0],)

        return Kernel(run, counts_events=False)

    @compiles(ConstantOp)
    def compile_constant(self, op: ConstantOp) -> Kernel:
        value = constant_value(op)
        # a fixed constant's exact range lets its consumers skip checks (1 - z, ...)
        exact = (int(value.min()), int(value.max())) if is_fixed(op.result.type) and value.size else None
        return Kernel(lambda args: (value,), counts_events=False, out_range=exact)

    @compiles(CirculantOp)
    def compile_circulant(self, op: CirculantOp) -> Kernel:
        return self._constant(
            op, lambda: CirculantValue(constant_value(op), op.result.type)  # type: ignore[arg-type]
        )

    @compiles(SliceOp)
    def compile_slice(self, op: SliceOp) -> Kernel:
        a, off = op.axis.value.data, op.offset.value.data
        size = op.result.type.get_shape()[a]  # type: ignore[attr-defined]
        index = tuple([slice(None)] * a + [slice(off, off + size)])
        return Kernel(lambda args: (args[0][index],), counts_events=False)

    @compiles(ConcatOp)
    def compile_concat(self, op: ConcatOp) -> Kernel:
        axis = op.axis.value.data
        return Kernel(lambda args: (np.concatenate(args, axis=axis),), counts_events=False)

    @compiles(PadOp)
    def compile_pad(self, op: PadOp) -> Kernel:
        n = op.result.type.get_shape()[-1]  # type: ignore[attr-defined]

        def run(args):
            (x,) = args
            out = np.zeros((*x.shape[:-1], n), dtype=x.dtype)
            out[..., : x.shape[-1]] = x
            return (out,)

        return Kernel(run, time_operands=(0,), counts_events=False)

    @compiles(CirculantParamsOp)
    def compile_circulant_params(self, op: CirculantParamsOp) -> Kernel:
        return Kernel(lambda args: (args[0].params,), counts_events=False)

    @compiles(ReshapeOp)
    def compile_reshape(self, op: ReshapeOp) -> Kernel:
        shape = tuple(op.result.type.get_shape())  # type: ignore[attr-defined]
        return Kernel(lambda args: (args[0].reshape(shape),), counts_events=False)

    @compiles(BroadcastOp)
    def compile_broadcast(self, op: BroadcastOp) -> Kernel:
        shape = tuple(op.result.type.get_shape())  # type: ignore[attr-defined]
        dim = op.dim.value.data
        return Kernel(lambda args: (np.broadcast_to(np.expand_dims(args[0], dim), shape).copy(),),
                      counts_events=False)

    def plan(self, op: ScanOp) -> ScanPlan | None:
        """The compiled plan of a scan (built once), or None when it is interpreted op by op."""
        if op not in self._plans:
            self._plans[op] = None if self.kernels is None else compile_scan(op, self.kernels)
        return self._plans[op]

    @impl(ScanOp)
    def run_scan(self, interpreter: Interpreter, op: ScanOp, args: tuple[Any, ...]):
        n_in = len(op.inputs)
        seqs, carries = list(args[:n_in]), list(args[n_in:])
        if self.step_plan and not interpreter.listeners:
            plan = self.plan(op)
            if plan is not None:
                return plan.run(interpreter.get_values(plan.external), seqs, carries)
        return run_time_loop(interpreter, op, args, reverse=op.reverse is not None)

    @impl_terminator(YieldOp)
    def run_yield(self, interpreter: Interpreter, op: YieldOp, args: tuple[Any, ...]):
        return ReturnedValues(args), ()


def run_time_loop(interpreter: Interpreter, op, args: tuple[Any, ...], reverse: bool):
    """Run a time loop (`ernn.scan` or a loop with its operands, body and results) step by step."""
    n_in = len(op.inputs)
    seqs, carries = list(args[:n_in]), list(args[n_in:])
    T = seqs[0].shape[0]
    n_out = op.num_step_outputs
    steps: list[list[np.ndarray]] = [[None] * T for _ in range(n_out)]  # type: ignore[list-item]
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        yielded = interpreter.run_ssacfg_region(op.body, (*[s[t] for s in seqs], *carries), "scan")
        for k in range(n_out):
            steps[k][t] = yielded[k]
        carries = list(yielded[n_out:])
    return (*[np.stack(s) for s in steps], *carries)
