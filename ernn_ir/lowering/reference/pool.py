"""Reference semantics of the constant pool: `ernn.get_global` reads its `ernn.global`."""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.pool_ops import GetGlobalOp, GlobalOp, lookup_global
from ernn_ir.lowering.reference.values import ReferenceError, float_dtype, is_fixed


def global_value(g: GlobalOp) -> np.ndarray:
    """The value of a global as the interpreter holds it (float dtype, or raw int64)."""
    raw = dense_to_numpy(g.value)
    if is_fixed(g.type):
        return raw.astype(np.int64)
    return np.array(raw, dtype=float_dtype(g.type))


@register_impls
class PoolFunctions(InterpreterFunctions):
    def __init__(self) -> None:
        # decoded once per global (keyed by the op, kept alive with it)
        self._values: dict[int, tuple[np.ndarray, GlobalOp]] = {}

    @impl(GetGlobalOp)
    def run_get_global(self, interpreter: Interpreter, op: GetGlobalOp, args: tuple[Any, ...]):
        g = lookup_global(op)
        if g is None:
            raise ReferenceError(f"no ernn.global @{op.global_name.root_reference.data}")
        v = self._values.get(id(g))
        if v is None or v[1] is not g:
            v = self._values[id(g)] = (global_value(g), g)
        return (v[0],)
