"""`func.func`, `func.call` and `func.return` for the reference interpreter.

xDSL has these in `xdsl.interpreters.func`, but importing that module
imports the whole `xdsl.interpreters` package (RISC-V, affine, linalg, ...
interpreters: about 0.3 s), which every `ernn-run` and calibration would pay
for three trivial implementations.
"""

from __future__ import annotations

from typing import Any

from xdsl.dialects import func
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    ReturnedValues,
    impl,
    impl_callable,
    impl_terminator,
    register_impls,
)


@register_impls
class CallFunctions(InterpreterFunctions):
    @impl_callable(func.FuncOp)
    def call_func(self, interpreter: Interpreter, op: func.FuncOp, args: tuple[Any, ...]):
        body = op.body.blocks.first
        if body is None or not body.ops:  # a declaration: an external function
            return interpreter.call_external(op.sym_name.data, op, args)
        return interpreter.run_ssacfg_region(op.body, args, op.sym_name.data)

    @impl(func.CallOp)
    def run_call(self, interpreter: Interpreter, op: func.CallOp, args: tuple[Any, ...]):
        return interpreter.call_op(op.callee, args)

    @impl_terminator(func.ReturnOp)
    def run_return(self, interpreter: Interpreter, op: func.ReturnOp, args: tuple[Any, ...]):
        return ReturnedValues(args), ()
