"""The project's printer: xDSL's, with dense constants printed from their bytes.

xDSL 0.74 prints a `dense<...>` by unpacking every element into a Python
float first: a splat of 2^26 elements costs gigabytes and seconds before one
character is written, `[0.0, -0.0]` counts as a splat of `0.0` (the sign of
the zero is lost), and a signalling NaN is quieted on its way through a
Python float (its bits change).  `ErnnPrinter` decides splats on the bytes
and prints non-finite elements as their bit pattern (MLIR's form,
``0x7FC00000``), so that the printed text reads back to the same bytes
(`ernn_ir.ir_parser`).  With properties printed as attributes
(``--print-no-properties``) the dictionary is printed sorted by name, so that
it prints the same after it is read back.  Everything else is printed exactly
as xDSL prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import AnyFloat, DenseIntOrFPElementsAttr, ModuleOp
from xdsl.ir import Attribute, Operation
from xdsl.printer import Printer
from xdsl.targets.mlir import MLIRTarget
from xdsl.utils.exceptions import DiagnosticException

#: Above this many elements a non-splat constant is printed as one hex string (as xDSL does).
HEX_ABOVE = 100
_SPLAT_CHUNK = 1 << 20


def is_splat_bytes(data: bytes, size: int) -> bool:
    """All `size`-byte elements of `data` are identical (compared in chunks, no big copies)."""
    n = len(data) // size
    if n <= 1:
        return True
    first = data[:size]
    per_chunk = max(1, _SPLAT_CHUNK // size)
    pattern = first * per_chunk
    view = memoryview(data)
    for start in range(0, n, per_chunk):
        count = min(per_chunk, n - start)
        if view[start * size : (start + count) * size] != pattern[: count * size]:
            return False
    return True


class ErnnPrinter(Printer):
    def print_op_with_default_format(self, op: Operation) -> None:
        if not self.print_properties_as_attributes:
            return super().print_op_with_default_format(op)
        # Properties printed as attributes: after reading the text back, xDSL splits
        # the one dictionary into properties and attributes differently, so print it
        # in one order that does not depend on the split (by name, as MLIR does).
        clashing = sorted(op.properties.keys() & op.attributes.keys())
        if clashing:
            raise DiagnosticException(
                f"'{op.name}' op has a property and an attribute both named "
                f"{', '.join(clashing)}; --print-no-properties cannot print them in one dictionary")
        self.print_operands(op.operands)
        self.print_successors(op.successors)
        self.print_regions(op.regions)
        self.print_op_attributes(dict(sorted((op.attributes | op.properties).items())))
        self.print_string(" : ")
        self.print_operation_type(op)

    def print_attribute(self, attribute: Attribute) -> None:
        if isinstance(attribute, DenseIntOrFPElementsAttr):
            self.print_dense(attribute)
            self.print_string(" : ")
            self.print_attribute(attribute.get_type())
            return
        super().print_attribute(attribute)

    def print_dense(self, attr: DenseIntOrFPElementsAttr) -> None:
        """`dense<...>` without the type: splat, hex string (large) or nested list."""
        elem = attr.get_element_type()
        size = elem.compile_time_size
        data = attr.data.data
        n = len(data) // size
        self.print_string("dense<")
        if n == 0:
            pass
        elif is_splat_bytes(data, size):
            self._print_elements(attr, data[:size], 1, ())
        elif n > HEX_ABOVE:
            self.print_string(f'"0x{data.hex().upper()}"')
        else:
            shape = attr.get_shape() if attr.shape_is_complete else (n,)
            self._print_elements(attr, data, n, tuple(shape))
        self.print_string(">")

    def _print_elements(self, attr, data: bytes, n: int, shape: tuple[int, ...]) -> None:
        elem = attr.get_element_type()
        if not isinstance(elem, AnyFloat):
            values = elem.unpack(data, n)
        else:
            size = elem.compile_time_size
            values = [data[i * size : (i + 1) * size] for i in range(n)]
        self._print_nested(attr, values, shape)

    def _print_nested(self, attr, values, shape) -> None:
        if not shape:
            self._print_one(attr, values[0])
            return
        self.print_string("[")
        if len(shape) > 1:
            k = len(values) // shape[0] if shape[0] else 0
            self.print_list(
                (values[i : i + k] for i in range(0, len(values), k or 1)),
                lambda sub: self._print_nested(attr, sub, shape[1:]),
            )
        else:
            self.print_list(values, lambda v: self._print_one(attr, v))
        self.print_string("]")

    def _print_one(self, attr, value) -> None:
        elem = attr.get_element_type()
        if isinstance(elem, AnyFloat):
            raw: bytes = value
            v = elem.unpack(raw, 1)[0]
            if math.isnan(v) or math.isinf(v):
                self.print_string(f"0x{int.from_bytes(raw, 'little'):0{2 * len(raw)}X}")
            else:
                self.print_float(v, elem)
            return
        attr._print_one_elem(value, self)


@dataclass(frozen=True)
class ErnnMLIRTarget(MLIRTarget):
    """xdsl-opt's `mlir` target, printing with `ErnnPrinter`."""

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        if self.syntax_highlight:
            return super().emit(ctx, module, output)
        printer = ErnnPrinter(
            stream=output,
            print_generic_format=self.print_generic_format,
            print_properties_as_attributes=self.print_properties_as_attributes,
            print_debuginfo=self.print_debuginfo,
        )
        printer.print_op(module)
        printer.print_metadata(ctx.loaded_dialects)
        print("\n", file=output)
