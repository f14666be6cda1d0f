"""Runtime values of the reference interpreter and conversions from IR types.

A float tensor is a numpy array of its element type's dtype; a fixed-point
tensor is an int64 numpy array of raw values (its format is read from the IR
type); a circulant matrix is a `CirculantValue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import Float32Type, Float64Type, TensorType
from xdsl.ir import Attribute, Operation

from ernn_ir.dialects.ernn.types import CirculantType, FixedType
from ernn_ir.numerics import CirculantSpectra, FixedFormat, prepare_circulant
from ernn_ir.numerics.circulant import IntMatrix, shift_weights


class ReferenceError(Exception):
    """A run-time error of the reference (bad inputs, unsupported widths)."""


def element(t: Attribute) -> Attribute:
    if isinstance(t, TensorType | CirculantType):
        return t.element_type
    return t


def fixed_format(t: Attribute) -> FixedFormat:
    e = element(t)
    assert isinstance(e, FixedType), e
    return FixedFormat(e.width.data, e.frac.data)


def is_fixed(t: Attribute) -> bool:
    return isinstance(element(t), FixedType)


def float_dtype(t: Attribute) -> type:
    e = element(t)
    if isinstance(e, Float32Type):
        return np.float32
    if isinstance(e, Float64Type):
        return np.float64
    raise ReferenceError(f"not a float type: {e}")


def signed_bits(v: int) -> int:
    """Bits of the smallest two's-complement width holding +-|v|."""
    return abs(int(v)).bit_length() + 1


def modes(op: Operation) -> tuple[str, str]:
    """(rounding, overflow) of an op with fixed-point result handling."""
    r = op.properties.get("rounding")
    o = op.properties.get("overflow")
    return (
        "half_up" if r is None else r.data.value,  # type: ignore[attr-defined]
        "saturate" if o is None else o.data.value,  # type: ignore[attr-defined]
    )


@dataclass(eq=False)
class CirculantValue:
    """A block-circulant matrix: params [p, q, b] (float, or raw int64 for fixed point)."""

    params: np.ndarray
    type: CirculantType
    _derived: dict = field(default_factory=dict)  # spectra and matrices, built on first use

    def shift_weights(self) -> IntMatrix:
        """Fixed-point params in the layout of `circ_matvec_fixed`, built once."""
        if "shift_weights" not in self._derived:
            self._derived["shift_weights"] = shift_weights(self.params)
        return self._derived["shift_weights"]

    def spectra(self, dtype) -> CirculantSpectra:
        key = np.dtype(dtype).name
        if key not in self._derived:
            self._derived[key] = prepare_circulant(self.params.astype(dtype), dtype=dtype)
        return self._derived[key]
