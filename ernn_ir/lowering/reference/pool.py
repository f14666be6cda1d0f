"""Reference semantics of the constant pool.

`ernn.get_global` reads its `ernn.global`; `ernn.gather_blocks` copies, for
every index entry, the table block it names (an exact copy: the spectrum it
rebuilds is bit for bit the one block sharing replaced).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.pool_ops import (
    GatherBlocksOp,
    GetGlobalOp,
    GlobalOp,
    is_index_type,
    lookup_global,
)
from ernn_ir.lowering.reference.kernels import (
    Kernel,
    KernelFunctions,
    compiles,
    register_kernels,
)
from ernn_ir.lowering.reference.values import ReferenceError, float_dtype, is_fixed


def global_value(g: GlobalOp) -> np.ndarray:
    """The value of a global as the interpreter holds it (float dtype, or raw int64)."""
    raw = dense_to_numpy(g.value)
    if is_index_type(g.type.element_type):
        return raw.astype(np.int64)
    if is_fixed(g.type):
        return raw.astype(np.int64)
    return np.array(raw, dtype=float_dtype(g.type))


def gather_blocks(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`result[l..., b...] = table[index[l...], b...]`; raises on an index outside [0, n)."""
    index = np.asarray(index)
    n = table.shape[0]
    if index.size and (index.min() < 0 or index.max() >= n):
        bad = int(index.min()) if index.min() < 0 else int(index.max())
        raise ReferenceError(f"ernn.gather_blocks: index {bad} out of range for a table of {n} block(s)")
    return np.take(table, index.astype(np.intp), axis=0)


@register_kernels
class PoolFunctions(KernelFunctions):
    def __init__(self) -> None:
        super().__init__()
        # decoded once per global (keyed by the op, kept alive with it)
        self._values: dict[int, tuple[np.ndarray, GlobalOp]] = {}

    @compiles(GetGlobalOp)
    def compile_get_global(self, op: GetGlobalOp) -> Kernel:
        found: list[np.ndarray] = []  # the symbol lookup walks the module: once per op

        def run(args):
            if not found:
                g = lookup_global(op)
                if g is None:
                    raise ReferenceError(f"no ernn.global @{op.global_name.root_reference.data}")
                v = self._values.get(id(g))
                if v is None or v[1] is not g:
                    v = self._values[id(g)] = (global_value(g), g)
                found.append(v[0])
            return (found[0],)

        return Kernel(run, counts_events=False)

    @compiles(GatherBlocksOp)
    def compile_gather_blocks(self, op: GatherBlocksOp) -> Kernel:
        # table and index are (almost always) the same decoded globals on every run:
        # gathering them again would also repack the weights of every consumer
        last: list[Any] = [None, None, None]

        def run(args):
            table, index = np.asarray(args[0]), np.asarray(args[1])
            if last[0] is not table or last[1] is not index:
                last[:] = [table, index, gather_blocks(table, index)]
            return (last[2],)

        return Kernel(run, counts_events=False)
