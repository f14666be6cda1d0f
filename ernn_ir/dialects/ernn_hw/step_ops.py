"""The step level of `ernn_hw`: the time loop a design runs and the matvec that reads the weight ROM.

`ernn_hw.accelerator` is an `ernn.scan` whose step runs on the design it
names: the body keeps the quantized computation op for op (so the reference
interpreter runs it, and translation validation covers the planning pass),
except that each `ernn.spectral_mac` becomes an `ernn_hw.mac` reading its
weight spectra from the design's banked ROM in the MAC array's layout.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    IntegerAttr,
    ModuleOp,
    SymbolRefAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import (
    HasParent,
    IsTerminator,
    NoMemoryEffect,
    Pure,
    RecursiveMemoryEffect,
    SymbolUserOpInterface,
)
from xdsl.utils.exceptions import VerifyException

from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.freq_ops import spectrum_shape
from ernn_ir.dialects.ernn.structure_ops import verify_time_loop
from ernn_ir.dialects.ernn_hw.design_ops import DesignOp, MacArrayOp, RomOp


def lookup_design(op: Operation, name: str) -> DesignOp | None:
    module = op
    while module is not None and not isinstance(module, ModuleOp):
        module = module.parent_op()  # type: ignore[assignment]
    if module is None:
        return None
    for d in module.ops:
        if isinstance(d, DesignOp) and d.sym_name.data == name:
            return d
    return None


class _DesignUser(SymbolUserOpInterface):
    def verify(self, op: Operation) -> None:
        assert isinstance(op, AcceleratorOp)
        if op.design_op() is None:
            raise VerifyException(
                f"'{op.name}' refers to @{op.design.root_reference.data}, which is not an "
                "ernn_hw.design of the enclosing module"
            )


@irdl_op_definition
class AcceleratorOp(IRDLOperation):
    """A time loop run by the accelerator `design`: same operands, body and results as `ernn.scan`.

    Step t binds the body's arguments to `inputs[i][t]` and the carried
    values (initially `inits`); the body ends in `ernn_hw.yield` of the step
    outputs and the next carried values; the results are the stacked step
    outputs and the final carried values.  The numbers are those of the same
    body in an `ernn.scan`; the design says how many cycles they take.

        %y, %r, %c = ernn_hw.accelerator @lstm (%x_q : tensor<16x1x40x!ernn.fixed<16, 11>>) init(%r0, %c0 : ...) -> ... {
        ^bb0(%x_t: ..., %r: ..., %c: ...):
          ...
          ernn_hw.yield %r_next, %r_next, %c_next : ...
        }
    """

    name = "ernn_hw.accelerator"

    design = prop_def(SymbolRefAttr)
    inputs = var_operand_def(TensorType)
    inits = var_operand_def(TensorType)
    results_ = var_result_def(TensorType)
    body = region_def("single_block")

    traits = traits_def(RecursiveMemoryEffect(), _DesignUser())
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    assembly_format = (
        "$design `(` $inputs `:` type($inputs) `)` "
        "`init` `(` ($inits^ `:` type($inits))? `)` attr-dict `->` type($results_) $body"
    )

    @property
    def num_step_outputs(self) -> int:
        return len(self.results_) - len(self.inits)

    def design_op(self) -> DesignOp | None:
        return lookup_design(self, self.design.root_reference.data)

    def verify_(self) -> None:
        verify_time_loop(self, YieldOp, "ernn_hw.yield")


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends an `ernn_hw.accelerator` step: step outputs, then the next carried values."""

    name = "ernn_hw.yield"

    values = var_operand_def(TensorType)

    traits = traits_def(IsTerminator(), HasParent(AcceleratorOp), NoMemoryEffect())
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])


@irdl_op_definition
class MacOp(IRDLOperation):
    """`ernn.spectral_mac` with its weight spectra read from the ROM `weights` of the design.

    `Y[0, i, k] = sum_j W[i, j, k] * X[0, j, k]` with the numerics of
    `ernn.spectral_mac` (exact products and sums, one rounding into the
    result format).  W is not an operand: block (i, j) is word
    `base + partbase(p) + a * chunks(p) + c` of ROM bank `r * cols + l`, where
    `a*rows + r` is i's position in `row_order`, column j is column
    `c*cols + l` of part p (`parts` lists the columns of each concatenated
    input spectrum, `chunks(p) = ceil(parts[p] / cols)`,
    `partbase(p) = groups * sum_{p' < p} chunks(p')`, `groups = ceil(P / rows)`),
    and `rows`, `cols` are the MAC array's lanes.  Words for rows past the
    end of `row_order` and columns past a part's end are zero.

        %Y = ernn_hw.mac %Xc rom(@weights) base(0) rows(4) cols(1) row_order [0, 8, 16, 24, ...] parts [5, 4]
               : tensor<1x9x5x2x!ernn.fixed<24, 14>> -> tensor<1x32x5x2x!ernn.fixed<32, 20>>
    """

    name = "ernn_hw.mac"

    input = operand_def(TensorType)
    weights = prop_def(SymbolRefAttr)
    base = prop_def(IntegerAttr[I64])
    rows = prop_def(IntegerAttr[I64])
    cols = prop_def(IntegerAttr[I64])
    row_order = prop_def(DenseArrayBase.constr(i64))
    parts = prop_def(DenseArrayBase.constr(i64))
    weight_type = prop_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure(), HasParent(AcceleratorOp))
    assembly_format = (
        "$input `rom` `(` $weights `)` `base` `(` $base `)` `rows` `(` $rows `)` `cols` `(` $cols `)` "
        "`row_order` $row_order `parts` $parts attr-dict `:` type($input) `->` type($result) "
        "`weights` $weight_type"
    )

    def rom(self) -> RomOp | None:
        acc = self.parent_op()
        while acc is not None and not isinstance(acc, AcceleratorOp):
            acc = acc.parent_op()
        if acc is None:
            return None
        d = acc.design_op()
        if d is None:
            return None
        r = d.lookup(self.weights.root_reference.data)
        return r if isinstance(r, RomOp) else None

    def mac_array(self) -> MacArrayOp | None:
        acc = self.parent_op()
        while acc is not None and not isinstance(acc, AcceleratorOp):
            acc = acc.parent_op()
        d = None if acc is None else acc.design_op()
        return None if d is None else d.mac_array()

    def layout(self) -> tuple[int, list[int], list[int]]:
        """(groups, chunks per part, first ROM word of each part relative to `base`)."""
        rows = self.rows.value.data
        cols = self.cols.value.data
        p = len(self.row_order.get_values())
        groups = math.ceil(p / rows)
        chunks = [math.ceil(int(q) / cols) for q in self.parts.get_values()]
        bases, acc = [], 0
        for c in chunks:
            bases.append(acc)
            acc += groups * c
        return groups, chunks, bases

    def words(self) -> int:
        g, chunks, _ = self.layout()
        return g * sum(chunks)

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        w = checks.tensor(self.weight_type, "weights type")
        checks.numeric_operands([("input", x), ("result", r), ("weights", w)])
        xl, q, bx = spectrum_shape(x, "input")
        rl, p, br = spectrum_shape(r, "result")
        if bx != br:
            checks.fail(f"input and result must have the same number of bins, got {bx // 2 + 1} and {br // 2 + 1}")
        if xl != rl:
            checks.fail("input and result must share their leading dimensions")
        checks.shape_eq(w.get_shape(), (p, q, bx // 2 + 1, 2), "weights type")
        for n in ("base",):
            if getattr(self, n).value.data < 0:
                checks.fail(f"{n} must be >= 0")
        for n in ("rows", "cols"):
            if getattr(self, n).value.data < 1:
                checks.fail(f"{n} must be >= 1")
        order = [int(v) for v in self.row_order.get_values()]
        if sorted(order) != list(range(p)):
            checks.fail(f"row_order must be a permutation of the {p} result rows")
        parts = [int(v) for v in self.parts.get_values()]
        if any(v < 1 for v in parts) or sum(parts) != q:
            checks.fail(f"parts must be positive column counts summing to the input's {q} blocks, got {parts}")
        arr = self.mac_array()
        if arr is not None and (arr.rows.value.data, arr.cols.value.data) != (
            self.rows.value.data, self.cols.value.data
        ):
            checks.fail(
                f"rows({self.rows.value.data}) cols({self.cols.value.data}) must be the MAC array's "
                f"rows({arr.rows.value.data}) cols({arr.cols.value.data})"
            )
        rom = self.rom()
        if rom is not None:
            banks = rom.banks.value.data
            lanes = self.rows.value.data * self.cols.value.data
            if banks != lanes:
                checks.fail(f"ROM @{rom.sym_name.data} has {banks} banks for {lanes} MAC lanes")
            if self.base.value.data + self.words() > rom.depth.value.data:
                checks.fail(
                    f"words [{self.base.value.data}, {self.base.value.data + self.words()}) exceed the "
                    f"depth {rom.depth.value.data} of ROM @{rom.sym_name.data}"
                )
            if rom.contents.get_shape()[2] != bx:
                checks.fail(f"ROM @{rom.sym_name.data} words hold {rom.contents.get_shape()[2]} values, "
                            f"a {bx}-point block needs {bx}")


def as_attr(v: int) -> Attribute:
    return IntegerAttr(v, 64)
