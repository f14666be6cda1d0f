"""Small builders for gate- and frequency-level ops with inferred result types.

Passes use an `Emitter` positioned at an insertion point; every method
inserts one op and returns its result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects.builtin import TensorType, UnknownLoc
from xdsl.ir import Attribute, Operation, SSAValue

from ernn_ir.builder import dense_attr
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn import checks


def retype(v: SSAValue, t: Attribute) -> None:
    """Give an existing value a new type in place (xDSL has no public retyping of values)."""
    v._type = t  # type: ignore[attr-defined]


def inherit_location(op: Operation, origin: Operation | None) -> None:
    """Give `op` and the ops nested in it that have no location `origin`'s location.

    As in MLIR, an op a rewrite creates carries the location of the op it
    replaces, so a diagnostic about it (an overflow found by calibration or
    translation validation) points at the source line it came from.
    """
    if origin is None or isinstance(origin.location, UnknownLoc):
        return
    for o in op.walk():
        if isinstance(o.location, UnknownLoc):
            o.location = origin.location


def located_builder(ip: InsertPoint, origin: Operation | None) -> Builder:
    """A builder at `ip` whose inserted ops inherit `origin`'s location."""
    b = Builder(ip)
    if origin is not None:
        b.operation_insertion_handler.append(lambda op: inherit_location(op, origin))
    return b


def shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    assert isinstance(t, TensorType), t
    return tuple(t.get_shape())


def elem(v: SSAValue) -> Attribute:
    t = v.type
    assert isinstance(t, TensorType | ernn.CirculantType), t
    return t.element_type


@dataclass
class Emitter:
    b: Builder

    def _ins(self, op, name: str | None = None) -> SSAValue:
        self.b.insert(op)
        r = op.results[0]
        if name:
            r.name_hint = name
        return r

    def constant(self, values: np.ndarray, element: Attribute, name: str | None = None) -> SSAValue:
        return self._ins(
            ernn.ConstantOp(dense_attr(values, element), TensorType(element, values.shape)), name
        )

    def zeros(self, shp: tuple[int, ...], element: Attribute, name: str | None = None) -> SSAValue:
        st = element.storage_type if isinstance(element, ernn.FixedType) else element
        attr = ernn_dense_splat(shp, st)
        return self._ins(ernn.ConstantOp(attr, TensorType(element, shp)), name)

    def slice(self, x: SSAValue, offset: int, size: int, axis: int, name: str | None = None) -> SSAValue:
        return self._ins(ernn.SliceOp(x, offset, size, axis), name)

    def binary(self, cls, a: SSAValue, b: SSAValue, name: str | None = None) -> SSAValue:
        return self._ins(cls(a, b), name)

    def add(self, a, b, name=None):
        return self.binary(ernn.AddOp, a, b, name)

    def sub(self, a, b, name=None):
        return self.binary(ernn.SubOp, a, b, name)

    def mul(self, a, b, name=None):
        return self.binary(ernn.MulOp, a, b, name)

    def sigmoid(self, x, name=None):
        return self._ins(ernn.SigmoidOp(x), name)

    def tanh(self, x, name=None):
        return self._ins(ernn.TanhOp(x), name)

    def circ_matvec(self, w: SSAValue, x: SSAValue, rows: int | None = None, name=None) -> SSAValue:
        wt = w.type
        assert isinstance(wt, ernn.CirculantType)
        m = wt.rows.data if rows is None else rows
        return self._ins(
            ernn.CircMatvecOp(w, x, TensorType(elem(x), (*shape(x)[:-1], m))), name
        )

    def pad(self, x: SSAValue, n: int, name=None) -> SSAValue:
        if shape(x)[-1] == n:
            return x
        op = ernn.PadOp.build(operands=[x], result_types=[TensorType(elem(x), (*shape(x)[:-1], n))])
        return self._ins(op, name)

    def reshape(self, x: SSAValue, shp: tuple[int, ...], name=None) -> SSAValue:
        if shape(x) == tuple(shp):
            return x
        op = ernn.ReshapeOp.build(operands=[x], result_types=[TensorType(elem(x), shp)])
        return self._ins(op, name)

    def rfft(self, x: SSAValue, block: int, name=None) -> SSAValue:
        s = shape(x)
        q = s[-1] // block
        t = TensorType(elem(x), (*s[:-1], q, block // 2 + 1, 2))
        return self._ins(ernn.RfftOp(x, t), name)

    def irfft(self, X: SSAValue, name=None) -> SSAValue:
        s = shape(X)
        b = 2 * (s[-2] - 1)
        return self._ins(ernn.IrfftOp(X, TensorType(elem(X), (*s[:-3], s[-3] * b))), name)

    def spectral_mac(self, W: SSAValue, X: SSAValue, name=None) -> SSAValue:
        p = shape(W)[0]
        s = shape(X)
        t = TensorType(elem(X), (*s[:-3], p, s[-2], 2))
        return self._ins(ernn.SpectralMacOp(W, X, t), name)


def ernn_dense_splat(shp: tuple[int, ...], storage: Attribute):
    from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr

    dt = checks.numpy_dtype(storage)
    return DenseIntOrFPElementsAttr(TensorType(storage, shp), BytesAttr(np.zeros(1, dt).tobytes()))
