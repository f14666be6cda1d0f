"""Memory the reference needs for a run, checked before the run starts.

Types say how large every value is; a function whose arguments or results
(or one step of an `ernn.scan`, stacked over time) cannot fit the memory
budget (`ernn_ir.limits`) is refused before anything is allocated, naming
the op and the size, instead of failing in numpy after minutes.  The check
is per value (each must fit on its own), a lower bound of what a run takes.
"""

from __future__ import annotations

from xdsl.dialects import func
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, Operation

from ernn_ir.dialects.ernn.types import CirculantType, describe
from ernn_ir.limits import SizeLimitError, check_bytes, element_count
from ernn_ir.lowering.reference.values import ReferenceError

#: Bytes per element the reference holds: float64 / int64 at most, complex128 for spectra.
_BYTES_PER_ELEMENT = 16


class ReferenceSizeError(ReferenceError):
    """A value of `op` (None: a function argument) does not fit the memory budget."""

    def __init__(self, msg: str, op: Operation | None = None):
        super().__init__(msg)
        self.op = op


def value_bytes(t: Attribute) -> int:
    if isinstance(t, TensorType):
        return element_count(t.get_shape()) * _BYTES_PER_ELEMENT
    if isinstance(t, CirculantType):
        return element_count(t.param_shape) * _BYTES_PER_ELEMENT
    return 0


def check_function_memory(f: func.FuncOp) -> None:
    """Raise ReferenceSizeError at the first argument or op result that cannot fit."""
    for n, t in enumerate(f.function_type.inputs.data):
        try:
            check_bytes(value_bytes(t), f"input #{n} of @{f.sym_name.data} ({describe(t)})")
        except SizeLimitError as e:
            raise ReferenceSizeError(str(e)) from None
    for op in f.walk():
        for r in op.results:
            try:
                check_bytes(value_bytes(r.type), f"result #{r.index} ({describe(r.type)})")
            except SizeLimitError as e:
                raise ReferenceSizeError(str(e), op) from None
