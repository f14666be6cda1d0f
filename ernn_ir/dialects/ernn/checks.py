"""Verifier helpers shared by the ernn op definitions.

Each helper raises `VerifyException` with a message that names the rule,
so diagnostics read the same across ops.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute
from xdsl.utils.exceptions import VerifyException

from ernn_ir.dialects.ernn.types import CirculantType, FixedType, describe


def fail(msg: str) -> None:
    raise VerifyException(msg)


def tensor(t: Attribute, what: str) -> TensorType:
    if not isinstance(t, TensorType):
        fail(f"{what} must be a ranked tensor, got {describe(t)}")
    for d in t.get_shape():
        if d < 0:
            fail(f"{what} must have a static shape, got {describe(t)}")
    return t


def circulant(t: Attribute, what: str) -> CirculantType:
    if not isinstance(t, CirculantType):
        fail(f"{what} must be an !ernn.circulant matrix, got {describe(t)}")
    return t


def is_float(e: Attribute) -> bool:
    return isinstance(e, Float32Type | Float64Type)


def is_fixed(e: Attribute) -> bool:
    return isinstance(e, FixedType)


def numeric_element(t: TensorType, what: str) -> Attribute:
    e = t.element_type
    if not (is_float(e) or is_fixed(e)):
        fail(f"{what} element type must be f32, f64 or !ernn.fixed, got {describe(e)}")
    return e


def float_element(t: TensorType, what: str) -> Attribute:
    e = t.element_type
    if not is_float(e):
        fail(f"{what} element type must be f32 or f64, got {describe(e)}")
    return e


def fixed_element(t: TensorType, what: str) -> FixedType:
    e = t.element_type
    if not is_fixed(e):
        fail(f"{what} element type must be !ernn.fixed, got {describe(e)}")
    return e


def numeric_operands(named: Sequence[tuple[str, TensorType]]) -> None:
    """Every tensor has a numeric element type, and they share one domain (see same_domain)."""
    for n, t in named:
        numeric_element(t, n)
    same_domain([(n, t.element_type) for n, t in named])


def broadcast_result(a: TensorType, b: TensorType, r: TensorType) -> None:
    """The operands broadcast (numpy rules) and the result has the broadcast shape."""
    shape = broadcast(a.get_shape(), b.get_shape())
    if shape is None:
        fail(
            f"operand shapes {fmt_shape(a.get_shape())} and {fmt_shape(b.get_shape())} "
            "do not broadcast"
        )
    shape_eq(r.get_shape(), shape, "result (the broadcast shape)")


def same_domain(elems: Sequence[tuple[str, Attribute]]) -> None:
    """All floats of one type, or all fixed point (formats may differ)."""
    floats = [(n, e) for n, e in elems if is_float(e)]
    fixeds = [(n, e) for n, e in elems if is_fixed(e)]
    if floats and fixeds:
        fail(
            f"cannot mix float and fixed point: {floats[0][0]} is "
            f"{describe(floats[0][1])} but {fixeds[0][0]} is {describe(fixeds[0][1])}"
        )
    if len({e for _, e in floats}) > 1:
        fail(
            "float operands and results must share one element type, got "
            + ", ".join(f"{n}: {describe(e)}" for n, e in floats)
        )


def shape_eq(actual: Sequence[int], expected: Sequence[int], what: str) -> None:
    if tuple(actual) != tuple(expected):
        fail(
            f"{what} must have shape {fmt_shape(expected)}, got {fmt_shape(actual)}"
        )


def fmt_shape(shape: Sequence[int]) -> str:
    return "x".join(str(d) for d in shape) if len(shape) else "scalar"


def power_of_two(b: int, what: str) -> None:
    if b < 2 or b & (b - 1):
        fail(f"{what} must be a power of two >= 2 for the FFT, got {b}")


def broadcast(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...] | None:
    try:
        return tuple(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        return None


ACCUMULATOR_BITS = 64
"""Exact intermediate sums of fixed-point ops live in signed 64-bit integers (docs/numerics.md)."""


def raw_bound(e: Attribute) -> int:
    """Largest |raw| of a fixed-point format: 2^(W-1) (the most negative value)."""
    assert isinstance(e, FixedType)
    return 1 << (e.width.data - 1)


def exact_accumulator(bound: int, what: str, terms: str) -> None:
    """The exact integer sum of a fixed-point op must fit the 64-bit accumulator.

    `bound` is the largest |sum| the operand formats allow (a Python int,
    exact); `terms` spells out how it is made up.  Checking here, from the
    types, means a module that verifies can never fail (or wrap) at run
    time for lack of accumulator bits.
    """
    if bound > (1 << (ACCUMULATOR_BITS - 1)) - 1:
        bits = bound.bit_length() + 1
        fail(
            f"{what} needs an exact accumulator of {bits} bits ({terms} = 2^{math.log2(bound):.1f}), "
            f"more than the {ACCUMULATOR_BITS} bits it has; use narrower operand formats"
        )


def aligned_bound(e: Attribute, frac: int) -> int:
    """Largest |raw| of format `e` aligned exactly to `frac` fraction bits (frac >= its own)."""
    assert isinstance(e, FixedType)
    return raw_bound(e) << max(0, frac - e.frac.data)


def storage_matches(value: DenseIntOrFPElementsAttr, elem: Attribute, what: str) -> None:
    """Check that a dense attribute can hold values of `elem` exactly.

    Float elements are stored as themselves; `!ernn.fixed<W, F>` is stored as
    raw two's-complement integers in the smallest of i8/i16/i32/i64 that
    holds W bits, and every raw value must fit in W bits.
    """
    st = value.get_element_type()
    if is_float(elem):
        if st != elem:
            fail(f"{what} is stored as {describe(st)} but the value type is {describe(elem)}")
        return
    assert isinstance(elem, FixedType)
    if st != elem.storage_type:
        fail(
            f"{what} of {describe(elem)} must be stored as {describe(elem.storage_type)}, "
            f"got {describe(st)}"
        )
    raw = dense_to_numpy(value)
    w = elem.width.data
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    if raw.size and (raw.min() < lo or raw.max() > hi):
        fail(f"{what} holds raw values outside the {w}-bit range [{lo}, {hi}]")


_NP_DTYPES = {
    "f32": np.float32,
    "f64": np.float64,
    "i8": np.int8,
    "i16": np.int16,
    "i32": np.int32,
    "i64": np.int64,
}


def numpy_dtype(elem: Attribute) -> np.dtype:
    if isinstance(elem, Float32Type):
        return np.dtype(np.float32)
    if isinstance(elem, Float64Type):
        return np.dtype(np.float64)
    if isinstance(elem, IntegerType):
        return np.dtype(_NP_DTYPES[f"i{elem.width.data}"])
    raise ValueError(f"no numpy dtype for {describe(elem)}")


def dense_to_numpy(value: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The values of a dense attribute as a numpy array (no Python-level loop)."""
    dt = numpy_dtype(value.get_element_type())
    shape = tuple(value.get_shape())
    arr = np.frombuffer(value.data.data, dtype=dt.newbyteorder("<"))
    n = int(np.prod(shape)) if shape else 1
    if arr.size == 1 and n != 1:
        arr = np.broadcast_to(arr, (n,))
    return arr.reshape(shape)
