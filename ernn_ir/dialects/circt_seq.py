"""CIRCT `seq` ops that xDSL 0.74 lacks, in CIRCT's own textual syntax (the same text parses in CIRCT).

- `seq.compreg.ce`: a register with a clock enable and an optional
  synchronous reset (reset wins over the enable);
- `seq.firmem` and its ports: a memory of `depth` words of `width` bits with
  a read latency (0: combinational read, 1: registered), write latency 1,
  and an optional `$readmemh` init file (`#seq.firmem.init<"file", false, false>`).

The `seq` dialect of `ernn_ir` (SEQ below) is xDSL's `seq` plus these ops,
so IR printed by the Verilog backend reads back into ernn-opt and into CIRCT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    BoolAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    i1,
)
from xdsl.dialects.seq import ClockType
from xdsl.dialects.seq import Seq as XDSL_SEQ
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, SSAValue, TypeAttribute
from xdsl.irdl import (
    AnyAttr,
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException


@irdl_attr_definition
class FirMemType(ParametrizedAttribute, TypeAttribute):
    """`!seq.firmem<depth x width>`: a memory of `depth` words of `width` bits."""

    name = "seq.firmem"

    depth: IntAttr
    width: IntAttr

    def __init__(self, depth: int, width: int):
        super().__init__(IntAttr(depth), IntAttr(width))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        parser.parse_punctuation("<")
        depth = parser.parse_integer()
        parser.parse_shape_delimiter()
        width = parser.parse_integer()
        parser.parse_punctuation(">")
        return (IntAttr(depth), IntAttr(width))

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.depth.data} x {self.width.data}>")


@irdl_attr_definition
class FirMemInitAttr(ParametrizedAttribute):
    """`#seq.firmem.init<"file", is_binary, is_inline>`: initial contents read from a hex file."""

    name = "seq.firmem.init"

    filename: StringAttr
    is_binary: BoolAttr
    is_inline: BoolAttr

    def __init__(self, filename: str):
        super().__init__(StringAttr(filename), BoolAttr.from_bool(False), BoolAttr.from_bool(False))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        parser.parse_punctuation("<")
        name = parser.parse_str_literal()
        parser.parse_punctuation(",")
        b = parser.parse_boolean()
        parser.parse_punctuation(",")
        i = parser.parse_boolean()
        parser.parse_punctuation(">")
        return (StringAttr(name), BoolAttr.from_bool(b), BoolAttr.from_bool(i))

    def print_parameters(self, printer: Printer) -> None:
        b = "true" if self.is_binary.value.data else "false"
        i = "true" if self.is_inline.value.data else "false"
        printer.print_string(f'<"{self.filename.data}", {b}, {i}>')


def _mem_type(parser: Parser) -> FirMemType:
    params = FirMemType.parse_parameters(parser)
    return FirMemType(params[0].data, params[1].data)  # type: ignore[attr-defined]


@irdl_op_definition
class CompRegCeOp(IRDLOperation):
    """`seq.compreg.ce %d, %clk, %ce (reset %rst, %value)?`: loads `d` at a clock edge when `ce` is high.

    With a reset, a high `rst` loads `value` instead, whatever `ce` is.
    """

    name = "seq.compreg.ce"

    T: ClassVar = VarConstraint("T", AnyAttr())
    input = operand_def(T)
    clk = operand_def(ClockType)
    clock_enable = operand_def(i1)
    reset = opt_operand_def(i1)
    reset_value = opt_operand_def(T)
    data = result_def(T)

    irdl_options = (AttrSizedOperandSegments(),)
    assembly_format = (
        "$input `,` $clk `,` $clock_enable (`reset` $reset^ `,` $reset_value)? attr-dict `:` type($input)"
    )

    def __init__(self, d: SSAValue, clk: SSAValue, ce: SSAValue, reset: tuple[SSAValue, SSAValue] | None = None):
        super().__init__(
            operands=[d, clk, ce, reset[0] if reset else None, reset[1] if reset else None],
            result_types=[d.type],
        )

    def verify_(self) -> None:
        if (self.reset is None) != (self.reset_value is None):
            raise VerifyException("reset and its value go together")


@irdl_op_definition
class FirMemOp(IRDLOperation):
    """`seq.firmem <read latency>, <write latency>, undefined, undefined : <depth x width>`: a memory."""

    name = "seq.firmem"

    read_latency = prop_def(IntegerAttr[I64], prop_name="readLatency")
    write_latency = prop_def(IntegerAttr[I64], prop_name="writeLatency")
    init = opt_prop_def(FirMemInitAttr)
    memory = result_def(FirMemType)

    def __init__(self, depth: int, width: int, read_latency: int, init: str | None = None):
        props: dict[str, Attribute] = {
            "readLatency": IntegerAttr(read_latency, 64),
            "writeLatency": IntegerAttr(1, 64),
        }
        if init is not None:
            props["init"] = FirMemInitAttr(init)
        super().__init__(properties=props, result_types=[FirMemType(depth, width)])

    @classmethod
    def parse(cls, parser: Parser) -> FirMemOp:
        rl = parser.parse_integer()
        parser.parse_punctuation(",")
        wl = parser.parse_integer()
        parser.parse_punctuation(",")
        parser.parse_keyword("undefined")
        parser.parse_punctuation(",")
        parser.parse_keyword("undefined")
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = _mem_type(parser)
        op = cls(t.depth.data, t.width.data, rl, None)
        op.write_latency = IntegerAttr(wl, 64)
        if "init" in attrs:
            op.init = attrs.pop("init")  # type: ignore[assignment]
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.read_latency.value.data}, {self.write_latency.value.data}, undefined, undefined")
        if self.init is not None:
            printer.print_string(" {init = ")
            printer.print_attribute(self.init)
            printer.print_string("}")
        t = self.memory.type
        assert isinstance(t, FirMemType)
        printer.print_string(f" : <{t.depth.data} x {t.width.data}>")


@irdl_op_definition
class FirMemReadPortOp(IRDLOperation):
    """`seq.firmem.read_port %mem[%addr], clock %clk (enable %en)?`: the word at `addr`, after the read latency."""

    name = "seq.firmem.read_port"

    memory = operand_def(FirMemType)
    address = operand_def(IntegerType)
    clk = operand_def(ClockType)
    enable = opt_operand_def(i1)
    data = result_def(IntegerType)

    def __init__(self, mem: SSAValue, addr: SSAValue, clk: SSAValue, enable: SSAValue | None = None):
        t = mem.type
        assert isinstance(t, FirMemType)
        super().__init__(operands=[mem, addr, clk, enable], result_types=[IntegerType(t.width.data)])

    @classmethod
    def parse(cls, parser: Parser) -> FirMemReadPortOp:
        mem = parser.parse_operand()
        parser.parse_punctuation("[")
        addr = parser.parse_operand()
        parser.parse_punctuation("]")
        parser.parse_punctuation(",")
        parser.parse_keyword("clock")
        clk = parser.parse_operand()
        en = None
        if parser.parse_optional_keyword("enable"):
            en = parser.parse_operand()
        parser.parse_punctuation(":")
        _mem_type(parser)
        return cls(mem, addr, clk, en)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.memory)
        printer.print_string("[")
        printer.print_ssa_value(self.address)
        printer.print_string("], clock ")
        printer.print_ssa_value(self.clk)
        if self.enable is not None:
            printer.print_string(" enable ")
            printer.print_ssa_value(self.enable)
        t = self.memory.type
        assert isinstance(t, FirMemType)
        printer.print_string(f" : <{t.depth.data} x {t.width.data}>")


@irdl_op_definition
class FirMemWritePortOp(IRDLOperation):
    """`seq.firmem.write_port %mem[%addr] = %data, clock %clk (enable %en)?`: writes at the clock edge."""

    name = "seq.firmem.write_port"

    memory = operand_def(FirMemType)
    address = operand_def(IntegerType)
    data = operand_def(IntegerType)
    clk = operand_def(ClockType)
    enable = opt_operand_def(i1)

    def __init__(self, mem: SSAValue, addr: SSAValue, data: SSAValue, clk: SSAValue, enable: SSAValue | None):
        super().__init__(operands=[mem, addr, data, clk, enable])

    @classmethod
    def parse(cls, parser: Parser) -> FirMemWritePortOp:
        mem = parser.parse_operand()
        parser.parse_punctuation("[")
        addr = parser.parse_operand()
        parser.parse_punctuation("]")
        parser.parse_punctuation("=")
        data = parser.parse_operand()
        parser.parse_punctuation(",")
        parser.parse_keyword("clock")
        clk = parser.parse_operand()
        en = None
        if parser.parse_optional_keyword("enable"):
            en = parser.parse_operand()
        parser.parse_punctuation(":")
        _mem_type(parser)
        return cls(mem, addr, data, clk, en)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.memory)
        printer.print_string("[")
        printer.print_ssa_value(self.address)
        printer.print_string("] = ")
        printer.print_ssa_value(self.data)
        printer.print_string(", clock ")
        printer.print_ssa_value(self.clk)
        if self.enable is not None:
            printer.print_string(" enable ")
            printer.print_ssa_value(self.enable)
        t = self.memory.type
        assert isinstance(t, FirMemType)
        printer.print_string(f" : <{t.depth.data} x {t.width.data}>")


SEQ = Dialect(
    "seq",
    [*XDSL_SEQ.operations, CompRegCeOp, FirMemOp, FirMemReadPortOp, FirMemWritePortOp],
    [*XDSL_SEQ.attributes, FirMemType, FirMemInitAttr],
)
