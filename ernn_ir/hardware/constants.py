"""Compile-time values of the constants a time loop reads (weights, biases, tables, initial states).

A hardware design stores them in ROMs, so their raw integers must be known
when the design is planned.  They are computed with the reference
interpreter's own op implementations, so a ROM holds exactly what the
reference reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.traits import ConstantLike, Pure


class OuterConstants:
    """Evaluates values defined by pure ops with constant operands; None for anything else."""

    def __init__(self, module: ModuleOp) -> None:
        from ernn_ir.lowering.reference import Reference

        self._ref = Reference(module)
        self._cache: dict[int, Any] = {}

    def __call__(self, v: SSAValue) -> np.ndarray | None:
        key = id(v)
        if key in self._cache:
            return self._cache[key]
        out = self._eval(v)
        self._cache[key] = out
        return out

    def _eval(self, v: SSAValue) -> np.ndarray | None:
        if isinstance(v, BlockArgument) or isinstance(v.owner, Block):
            return None
        op = v.owner
        assert isinstance(op, Operation)
        if op.regions or not (op.has_trait(Pure) or op.has_trait(ConstantLike) or op.name == "ernn.get_global"):
            return None
        args = []
        for o in op.operands:
            a = self(o)
            if a is None:
                return None
            args.append(a)
        results = self._ref.interpreter.run_op(op, tuple(args))
        value = results[list(op.results).index(v)]
        params = getattr(value, "params", None)  # a CirculantValue
        return np.asarray(params if params is not None else value)
