"""Conversions between float and fixed point, and between fixed-point formats."""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.gate_ops import FixedResultOp


class ConversionOp(IRDLOperation):
    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def shapes(self) -> tuple[TensorType, TensorType]:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.shape_eq(r.get_shape(), x.get_shape(), "result")
        return x, r


@irdl_op_definition
class QuantizeOp(ConversionOp, FixedResultOp):
    """Float to fixed point: `raw = overflow(round(x * 2^F))`; NaN becomes 0 (an overflow event).

        %q = ernn.quantize %x : tensor<4xf32> -> tensor<4x!ernn.fixed<16, 8>>
    """

    name = "ernn.quantize"
    irdl_options = (ParsePropInAttrDict(),)

    def verify_(self) -> None:
        x, r = self.shapes()
        checks.float_element(x, "input")
        checks.fixed_element(r, "result")


@irdl_op_definition
class DequantizeOp(ConversionOp):
    """Fixed point to float: `x = raw * 2^-F` (exact in f64; rounded to nearest in f32).

        %x = ernn.dequantize %q : tensor<4x!ernn.fixed<16, 8>> -> tensor<4xf32>
    """

    name = "ernn.dequantize"

    def verify_(self) -> None:
        x, r = self.shapes()
        checks.fixed_element(x, "input")
        checks.float_element(r, "result")


@irdl_op_definition
class RequantizeOp(ConversionOp, FixedResultOp):
    """Fixed point to another fixed-point format: shift by F_in - F_out with rounding, then overflow.

        %r = ernn.requantize %q : tensor<4x!ernn.fixed<24, 16>> -> tensor<4x!ernn.fixed<16, 8>>
    """

    name = "ernn.requantize"
    irdl_options = (ParsePropInAttrDict(),)

    def verify_(self) -> None:
        x, r = self.shapes()
        checks.fixed_element(x, "input")
        checks.fixed_element(r, "result")
