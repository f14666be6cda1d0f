"""Reference semantics of constants, shape ops and the `ernn.scan` time loop."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    ReturnedValues,
    impl,
    impl_terminator,
    register_impls,
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
from ernn_ir.lowering.reference.values import CirculantValue, float_dtype, is_fixed


def constant_value(op: ConstantOp | CirculantOp) -> np.ndarray:
    attr = op.value if isinstance(op, ConstantOp) else op.params
    raw = dense_to_numpy(attr)
    if is_fixed(op.result.type):
        return raw.astype(np.int64)
    return np.array(raw, dtype=float_dtype(op.result.type))


@register_impls
class StructureFunctions(InterpreterFunctions):
    def __init__(self) -> None:
        self._constants: dict[int, Any] = {}

    @impl(ConstantOp)
    def run_constant(self, interpreter: Interpreter, op: ConstantOp, args: tuple[Any, ...]):
        v = self._constants.get(id(op))
        if v is None:
            v = self._constants[id(op)] = (constant_value(op), op)
        return (v[0],)

    @impl(CirculantOp)
    def run_circulant(self, interpreter: Interpreter, op: CirculantOp, args: tuple[Any, ...]):
        v = self._constants.get(id(op))
        if v is None:
            v = self._constants[id(op)] = (
                CirculantValue(constant_value(op), op.result.type),  # type: ignore[arg-type]
                op,
            )
        return (v[0],)

    @impl(SliceOp)
    def run_slice(self, interpreter: Interpreter, op: SliceOp, args: tuple[Any, ...]):
        (x,) = args
        a, off = op.axis.value.data, op.offset.value.data
        size = op.result.type.get_shape()[a]  # type: ignore[attr-defined]
        index = [slice(None)] * x.ndim
        index[a] = slice(off, off + size)
        return (x[tuple(index)],)

    @impl(ConcatOp)
    def run_concat(self, interpreter: Interpreter, op: ConcatOp, args: tuple[Any, ...]):
        return (np.concatenate(args, axis=op.axis.value.data),)

    @impl(PadOp)
    def run_pad(self, interpreter: Interpreter, op: PadOp, args: tuple[Any, ...]):
        (x,) = args
        n = op.result.type.get_shape()[-1]  # type: ignore[attr-defined]
        out = np.zeros((*x.shape[:-1], n), dtype=x.dtype)
        out[..., : x.shape[-1]] = x
        return (out,)

    @impl(CirculantParamsOp)
    def run_circulant_params(self, interpreter: Interpreter, op: CirculantParamsOp, args: tuple[Any, ...]):
        return (args[0].params,)

    @impl(ReshapeOp)
    def run_reshape(self, interpreter: Interpreter, op: ReshapeOp, args: tuple[Any, ...]):
        return (args[0].reshape(tuple(op.result.type.get_shape())),)  # type: ignore[attr-defined]

    @impl(BroadcastOp)
    def run_broadcast(self, interpreter: Interpreter, op: BroadcastOp, args: tuple[Any, ...]):
        shape = tuple(op.result.type.get_shape())  # type: ignore[attr-defined]
        return (np.broadcast_to(np.expand_dims(args[0], op.dim.value.data), shape).copy(),)

    @impl(ScanOp)
    def run_scan(self, interpreter: Interpreter, op: ScanOp, args: tuple[Any, ...]):
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
