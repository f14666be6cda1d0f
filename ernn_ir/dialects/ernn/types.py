"""Types and attributes of the ernn dialect.

- `!ernn.fixed<W, F>`: a signed two's-complement fixed-point number of W bits
  with F fraction bits (value = raw * 2^-F).  Usable as a tensor element type.
- `!ernn.circulant<MxNxE, block = B>`: a block-circulant matrix of logical shape
  M x N with block size B and element type E (a float type or a fixed type).
  Its parameters are a `[p, q, B]` tensor, p = ceil(M/B), q = ceil(N/B):
  rows M..p*B and columns N..q*B are zero padding.
- `#ernn.rounding<half_up|convergent>`, `#ernn.overflow<saturate|wrap>`.

Numerical semantics: docs/numerics.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    IntAttr,
    IntegerType,
    TensorType,
)
from xdsl.dialects.utils.enum_attribute import EnumAttribute
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

MAX_FIXED_WIDTH = 32
"""Widest fixed-point operand; products of two operands then fit in int64."""

MAX_FIXED_FRAC = 4 * MAX_FIXED_WIDTH
"""Largest |fraction bits| of a fixed-point type."""

MAX_BLOCK = 1 << 12


@irdl_attr_definition
class FixedType(ParametrizedAttribute, TypeAttribute):
    """Signed fixed point: W total bits, F fraction bits, value = raw * 2^-F.

    F may be negative (an lsb coarser than 1) or exceed W (all bits
    fractional); W must lie in [1, 32].
    """

    name = "ernn.fixed"

    width: IntAttr
    frac: IntAttr

    def __init__(self, width: int | IntAttr, frac: int | IntAttr):
        if isinstance(width, int):
            width = IntAttr(width)
        if isinstance(frac, int):
            frac = IntAttr(frac)
        super().__init__(width, frac)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            width = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            frac = parser.parse_integer(allow_boolean=False, allow_negative=True)
        return (IntAttr(width), IntAttr(frac))

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.width.data}, {self.frac.data}>")

    def verify(self) -> None:
        w, f = self.width.data, self.frac.data
        if not 1 <= w <= MAX_FIXED_WIDTH:
            raise VerifyException(
                f"!ernn.fixed width must be in [1, {MAX_FIXED_WIDTH}], got {w}"
            )
        if abs(f) > MAX_FIXED_FRAC:
            raise VerifyException(
                f"!ernn.fixed fraction bits must be in [-{MAX_FIXED_FRAC}, {MAX_FIXED_FRAC}], got {f}"
            )

    @property
    def storage_type(self) -> IntegerType:
        """The builtin integer type used to store raw values in dense attributes."""
        return IntegerType(storage_width(self.width.data))


def storage_width(width: int) -> int:
    for w in (8, 16, 32, 64):
        if width <= w:
            return w
    raise ValueError(width)


@irdl_attr_definition
class CirculantType(ParametrizedAttribute, TypeAttribute):
    """A block-circulant matrix value: logical rows x cols, block size, element type."""

    name = "ernn.circulant"

    rows: IntAttr
    cols: IntAttr
    block: IntAttr
    element_type: Attribute

    def __init__(self, rows: int, cols: int, block: int, element_type: Attribute):
        super().__init__(IntAttr(rows), IntAttr(cols), IntAttr(block), element_type)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            dims, elem = parser.parse_ranked_shape()
            if len(dims) != 2:
                parser.raise_error(
                    "!ernn.circulant expects a two-dimensional shape 'MxNxE'"
                )
            parser.parse_punctuation(",")
            parser.parse_keyword("block")
            parser.parse_punctuation("=")
            block = parser.parse_integer(allow_boolean=False, allow_negative=False)
        return (IntAttr(dims[0]), IntAttr(dims[1]), IntAttr(block), elem)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.rows.data}x{self.cols.data}x")
        printer.print_attribute(self.element_type)
        printer.print_string(f", block = {self.block.data}>")

    def verify(self) -> None:
        m, n, b = self.rows.data, self.cols.data, self.block.data
        if m < 1 or n < 1:
            raise VerifyException(f"!ernn.circulant shape must be positive, got {m}x{n}")
        if not 1 <= b <= MAX_BLOCK:
            raise VerifyException(f"!ernn.circulant block size must be in [1, {MAX_BLOCK}], got {b}")
        if not is_scalar_element(self.element_type):
            raise VerifyException(
                "!ernn.circulant element type must be f32, f64 or !ernn.fixed, got "
                f"{self.element_type}"
            )

    @property
    def p(self) -> int:
        return -(-self.rows.data // self.block.data)

    @property
    def q(self) -> int:
        return -(-self.cols.data // self.block.data)

    @property
    def param_shape(self) -> tuple[int, int, int]:
        return (self.p, self.q, self.block.data)


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    CONVERGENT = "convergent"


class OverflowMode(StrEnum):
    SATURATE = "saturate"
    WRAP = "wrap"


@irdl_attr_definition
class RoundingAttr(EnumAttribute[RoundingMode]):
    """How a fixed-point result drops fraction bits (docs/numerics.md)."""

    name = "ernn.rounding"

    def print_parameter(self, printer: Printer) -> None:
        printer.print_string(f"<{self.data.value}>")

    @classmethod
    def parse_parameter(cls, parser: AttrParser) -> RoundingMode:
        with parser.in_angle_brackets():
            return parser.parse_str_enum(RoundingMode)


@irdl_attr_definition
class OverflowAttr(EnumAttribute[OverflowMode]):
    """What a fixed-point result does when out of range (docs/numerics.md)."""

    name = "ernn.overflow"

    def print_parameter(self, printer: Printer) -> None:
        printer.print_string(f"<{self.data.value}>")

    @classmethod
    def parse_parameter(cls, parser: AttrParser) -> OverflowMode:
        with parser.in_angle_brackets():
            return parser.parse_str_enum(OverflowMode)


FloatType = Float32Type | Float64Type


def is_scalar_element(t: Attribute) -> bool:
    return isinstance(t, Float32Type | Float64Type | FixedType)


def element_of(t: Attribute) -> Attribute:
    if isinstance(t, TensorType):
        return t.element_type
    if isinstance(t, CirculantType):
        return t.element_type
    return t


def shape_of(t: Attribute) -> tuple[int, ...]:
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


def describe(t: Attribute) -> str:
    from io import StringIO

    from xdsl.printer import Printer

    s = StringIO()
    Printer(stream=s).print_attribute(t)
    return s.getvalue()
