"""Retype a float32 module to float64, for translation validation at float64 precision.

Every f32 element type (tensors, circulant matrices, the pool's globals,
function signatures, block arguments) becomes f64 and f32 constants are
widened exactly, so a pass's effect can be checked to 1e-9 even when the
user's model is f32.  Fixed-point modules are left alone.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    FunctionType,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Attribute, SSAValue

from ernn_ir.builder import dense_attr
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.types import CirculantType
from ernn_ir.passes.emit import retype

F64 = Float64Type()


def widen(t: Attribute) -> Attribute:
    if isinstance(t, Float32Type):
        return F64
    if isinstance(t, TensorType) and isinstance(t.element_type, Float32Type):
        return TensorType(F64, t.get_shape())
    if isinstance(t, CirculantType) and isinstance(t.element_type, Float32Type):
        return CirculantType(t.rows.data, t.cols.data, t.block.data, F64)
    return t


def _widen_value(v: SSAValue) -> None:
    t = widen(v.type)
    if t is not v.type:
        retype(v, t)


def promote_to_f64(module: ModuleOp) -> ModuleOp:
    """Widen `module` in place (and return it)."""
    for op in module.walk():
        for name, attr in list(op.properties.items()):
            if isinstance(attr, DenseIntOrFPElementsAttr) and isinstance(
                attr.get_element_type(), Float32Type
            ):
                op.properties[name] = dense_attr(dense_to_numpy(attr).astype(np.float64), F64)
            elif isinstance(attr, TensorType | CirculantType):
                op.properties[name] = widen(attr)
            elif isinstance(attr, FunctionType):
                op.properties[name] = FunctionType.from_lists(
                    [widen(t) for t in attr.inputs.data], [widen(t) for t in attr.outputs.data]
                )
        for r in op.results:
            _widen_value(r)
        for region in op.regions:
            for block in region.blocks:
                for a in block.args:
                    _widen_value(a)
    return module


def is_f32(module: ModuleOp) -> bool:
    return any(
        isinstance(op, func.FuncOp)
        and any(widen(t) is not t for t in op.function_type.inputs.data)
        for op in module.ops
    )
