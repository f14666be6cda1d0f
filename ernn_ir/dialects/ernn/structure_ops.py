"""Constants, shape manipulation and the time loop of the ernn dialect."""

from __future__ import annotations

from xdsl.dialects.builtin import (
    I64,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import (
    ConstantLike,
    HasParent,
    IsTerminator,
    NoMemoryEffect,
    Pure,
    RecursiveMemoryEffect,
)

from ernn_ir.dialects.ernn import checks, dominance
from ernn_ir.dialects.ernn.types import CirculantType, describe


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A constant tensor.

    `value` holds the data in a builtin dense attribute; the result type says
    how to read it.  A float result is stored as itself; a result of
    `!ernn.fixed<W, F>` elements is stored as raw two's-complement integers
    (i8/i16/i32/i64, the smallest that holds W bits), value = raw * 2^-F.

        %c = ernn.constant dense<[64, -32]> : tensor<2xi16> -> tensor<2x!ernn.fixed<16, 6>>
    """

    name = "ernn.constant"

    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)

    traits = traits_def(ConstantLike(), Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$value attr-dict `->` type($result)"

    def __init__(self, value: DenseIntOrFPElementsAttr, result_type: Attribute):
        super().__init__(properties={"value": value}, result_types=[result_type])

    def verify_(self) -> None:
        rt = checks.tensor(self.result.type, "result")
        elem = checks.numeric_element(rt, "result")
        checks.shape_eq(self.value.get_shape(), rt.get_shape(), "value")
        checks.storage_matches(self.value, elem, "value")


@irdl_op_definition
class CirculantOp(IRDLOperation):
    """A constant block-circulant matrix.

    `params` is a `[p, q, b]` tensor: block (i, j) of the matrix is the
    circulant matrix whose first column is `params[i, j]`, so
    `W[i*b + r][j*b + k] = params[i, j, (r - k) mod b]`.  The result type
    gives the logical shape M x N, the top-left corner of that p*b x q*b
    matrix: an input of N values is zero-padded to q*b, and rows M..p*b are
    dropped unless a consumer asks for the padded p*b rows.  Storage follows
    `ernn.constant`.

        %w = ernn.circulant dense<"0x..."> : tensor<128x20x8xf32> -> !ernn.circulant<1024x153xf32, block = 8>
    """

    name = "ernn.circulant"

    params = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(CirculantType)

    traits = traits_def(ConstantLike(), Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$params attr-dict `->` type($result)"

    def __init__(self, params: DenseIntOrFPElementsAttr, result_type: CirculantType):
        super().__init__(properties={"params": params}, result_types=[result_type])

    def verify_(self) -> None:
        ct = self.result.type
        assert isinstance(ct, CirculantType)
        checks.shape_eq(
            self.params.get_shape(),
            ct.param_shape,
            f"params of a {ct.rows.data}x{ct.cols.data} matrix with block size "
            f"{ct.block.data} (p = ceil(M/b), q = ceil(N/b))",
        )
        checks.storage_matches(self.params, ct.element_type, "params")


@irdl_op_definition
class SliceOp(IRDLOperation):
    """`result = input[..., offset : offset + size, ...]` along `axis`; size is the result's.

        %f = ernn.slice %gates dim(1) offset(32) : tensor<1x128xf32> -> tensor<1x32xf32>
    """

    name = "ernn.slice"

    input = operand_def(TensorType)
    offset = prop_def(IntegerAttr[I64])
    axis = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = (
        "$input `dim` `(` $axis `)` `offset` `(` $offset `)` attr-dict `:` type($input) `->` type($result)"
    )

    def __init__(self, input: SSAValue, offset: int, size: int, axis: int):
        it = input.type
        assert isinstance(it, TensorType)
        shape = list(it.get_shape())
        shape[axis] = size
        super().__init__(
            operands=[input],
            properties={"offset": IntegerAttr(offset, 64), "axis": IntegerAttr(axis, 64)},
            result_types=[TensorType(it.element_type, shape)],
        )

    def verify_(self) -> None:
        it = checks.tensor(self.input.type, "input")
        rt = checks.tensor(self.result.type, "result")
        if it.element_type != rt.element_type:
            checks.fail("input and result element types must match")
        a, off = self.axis.value.data, self.offset.value.data
        ish, rsh = it.get_shape(), rt.get_shape()
        if len(ish) != len(rsh):
            checks.fail("input and result must have the same rank")
        if not 0 <= a < len(ish):
            checks.fail(f"axis {a} is out of range for rank {len(ish)}")
        for d, (x, y) in enumerate(zip(ish, rsh)):
            if d != a and x != y:
                checks.fail(f"dimension {d} must be unchanged ({x}), got {y}")
        if off < 0 or off + rsh[a] > ish[a]:
            checks.fail(
                f"slice [{off} : {off + rsh[a]}] is out of bounds for dimension {a} of size {ish[a]}"
            )


@irdl_op_definition
class ConcatOp(IRDLOperation):
    """Concatenation of tensors along `axis`.

        %x = ernn.concat dim(1) %a, %b : tensor<1x8xf32>, tensor<1x8xf32> -> tensor<1x16xf32>
    """

    name = "ernn.concat"

    inputs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = (
        "`dim` `(` $axis `)` $inputs attr-dict `:` type($inputs) `->` type($result)"
    )

    def __init__(self, inputs: list[SSAValue], axis: int):
        ts = [i.type for i in inputs]
        shape = list(ts[0].get_shape())  # type: ignore[attr-defined]
        shape[axis] = sum(t.get_shape()[axis] for t in ts)  # type: ignore[attr-defined]
        super().__init__(
            operands=[inputs],
            properties={"axis": IntegerAttr(axis, 64)},
            result_types=[TensorType(ts[0].element_type, shape)],  # type: ignore[attr-defined]
        )

    def verify_(self) -> None:
        if not self.inputs:
            checks.fail("needs at least one input")
        rt = checks.tensor(self.result.type, "result")
        a = self.axis.value.data
        rsh = rt.get_shape()
        if not 0 <= a < len(rsh):
            checks.fail(f"axis {a} is out of range for rank {len(rsh)}")
        total = 0
        for n, v in enumerate(self.inputs):
            t = checks.tensor(v.type, f"input #{n}")
            if t.element_type != rt.element_type:
                checks.fail(f"input #{n} element type must match the result's")
            sh = t.get_shape()
            if len(sh) != len(rsh) or any(
                x != y for d, (x, y) in enumerate(zip(sh, rsh)) if d != a
            ):
                checks.fail(
                    f"input #{n} shape {checks.fmt_shape(sh)} does not match the result "
                    f"{checks.fmt_shape(rsh)} outside axis {a}"
                )
            total += sh[a]
        if total != rsh[a]:
            checks.fail(f"result dimension {a} must be the sum of the inputs' ({total}), got {rsh[a]}")


@irdl_op_definition
class PadOp(IRDLOperation):
    """Zero padding at the end of the last dimension, up to the result's size.

    Makes block padding explicit before an FFT: a 153-wide input becomes 160
    wide for block size 8.

        %p = ernn.pad %x : tensor<1x153xf32> -> tensor<1x160xf32>
    """

    name = "ernn.pad"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def verify_(self) -> None:
        it = checks.tensor(self.input.type, "input")
        rt = checks.tensor(self.result.type, "result")
        if it.element_type != rt.element_type:
            checks.fail("input and result element types must match")
        ish, rsh = it.get_shape(), rt.get_shape()
        if len(ish) != len(rsh) or len(ish) == 0 or ish[:-1] != rsh[:-1] or rsh[-1] < ish[-1]:
            checks.fail(
                f"result {checks.fmt_shape(rsh)} must equal input {checks.fmt_shape(ish)} "
                "except for a last dimension at least as large"
            )


@irdl_op_definition
class ScanOp(IRDLOperation):
    """A loop over the leading (time) dimension of `inputs`.

    Step t binds the body's block arguments to `inputs[i][t]` (one per
    sequence, leading dimension dropped) followed by the current carried
    values, initially `inits`.  The body ends in `ernn.yield` of the step
    outputs followed by the next carried values.  Results: each step output
    stacked over time (`tensor<T x ...>`), then the final carried values.
    With `reverse`, steps run from t = T-1 down to 0 and the stacked outputs
    keep the input's time order.  The IR is the same size for any T.

        %ys, %h = ernn.scan (%x : tensor<8x1x4xf32>) init (%h0 : tensor<1x4xf32>) -> tensor<8x1x4xf32>, tensor<1x4xf32> {
        ^bb0(%xt: tensor<1x4xf32>, %h: tensor<1x4xf32>):
          ...
          ernn.yield %y, %hn : tensor<1x4xf32>, tensor<1x4xf32>
        }
    """

    name = "ernn.scan"

    inputs = var_operand_def(TensorType)
    inits = var_operand_def(TensorType)
    reverse = opt_prop_def(UnitAttr)
    results_ = var_result_def(TensorType)
    body = region_def("single_block")

    traits = traits_def(RecursiveMemoryEffect())
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    assembly_format = (
        "(`reverse` $reverse^)? `(` $inputs `:` type($inputs) `)` "
        "`init` `(` ($inits^ `:` type($inits))? `)` attr-dict `->` type($results_) $body"
    )

    @property
    def num_step_outputs(self) -> int:
        return len(self.results_) - len(self.inits)

    def verify_(self) -> None:
        verify_time_loop(self, YieldOp)


def verify_time_loop(self, yield_type: type, yield_name: str = "ernn.yield") -> None:
    """The rules of a time loop (`ernn.scan` and loops built like it): sequences, carries, yield."""
    if not self.inputs:
        checks.fail("needs at least one input sequence")
    T = None
    step_types: list[Attribute] = []
    for n, v in enumerate(self.inputs):
        t = checks.tensor(v.type, f"input sequence #{n}")
        sh = t.get_shape()
        if len(sh) < 1:
            checks.fail(f"input sequence #{n} needs a leading time dimension")
        if T is None:
            T = sh[0]
        elif sh[0] != T:
            checks.fail(f"input sequences must share the time length {T}, #{n} has {sh[0]}")
        step_types.append(TensorType(t.element_type, sh[1:]))
    block = self.body.block
    expected = step_types + [v.type for v in self.inits]
    got = [a.type for a in block.args]
    if got != expected:
        checks.fail(
            "body arguments must be one step of each input followed by the carried "
            f"values: expected ({', '.join(describe(t) for t in expected)}), "
            f"got ({', '.join(describe(t) for t in got)})"
        )
    term = block.last_op
    if not isinstance(term, yield_type):
        checks.fail(f"body must end with {yield_name}")
    n_out = len(self.results_) - len(self.inits)
    if n_out < 0:
        checks.fail(
            f"has {len(self.results_)} results but {len(self.inits)} carried values; "
            "results are the stacked step outputs followed by one per carried value"
        )
    if len(term.values) != len(self.results_):
        checks.fail(
            f"{yield_name} must give {len(self.results_) - len(self.inits)} step "
            f"outputs and {len(self.inits)} carried values ({len(self.results_)} in all), "
            f"got {len(term.values)}"
        )
    for n, (y, r) in enumerate(zip(term.values[:n_out], self.results_[:n_out])):
        yt = checks.tensor(y.type, f"yielded step output #{n}")
        expect = TensorType(yt.element_type, [T, *yt.get_shape()])
        if r.type != expect:
            checks.fail(
                f"result #{n} must be the stacked step output {describe(expect)}, got {describe(r.type)}"
            )
    for n, (y, i, r) in enumerate(
        zip(term.values[n_out:], self.inits, self.results_[n_out:])
    ):
        if y.type != i.type or r.type != i.type:
            checks.fail(
                f"carried value #{n} must keep its type {describe(i.type)} "
                f"(yielded {describe(y.type)}, result {describe(r.type)})"
            )
    # The reference runs the body in a scope that sees what dominates the loop.
    found = dominance.check_op(self)
    if found is not None:
        op, _, msg = found
        checks.fail(f"body op '{op.name}': {msg}")


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends an `ernn.scan` step: step outputs, then the next carried values."""

    name = "ernn.yield"

    values = var_operand_def(TensorType)

    traits = traits_def(IsTerminator(), HasParent(ScanOp), NoMemoryEffect())
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])


@irdl_op_definition
class CirculantParamsOp(IRDLOperation):
    """The defining vectors of a block-circulant matrix as a `[p, q, b]` tensor.

        %p = ernn.circulant_params %w : !ernn.circulant<64x40xf32, block = 8> -> tensor<8x5x8xf32>
    """

    name = "ernn.circulant_params"

    input = operand_def(CirculantType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def verify_(self) -> None:
        w = checks.circulant(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.shape_eq(r.get_shape(), w.param_shape, "result (the [p, q, b] parameters)")
        if r.element_type != w.element_type:
            checks.fail("result element type must be the matrix's")


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Row-major reshape to the result's shape (same number of elements).

        %r = ernn.reshape %x : tensor<8x5x8xf32> -> tensor<8x40xf32>
    """

    name = "ernn.reshape"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        if x.element_type != r.element_type:
            checks.fail("input and result element types must match")
        import math

        if math.prod(x.get_shape()) != math.prod(r.get_shape()):
            checks.fail(
                f"cannot reshape {checks.fmt_shape(x.get_shape())} "
                f"({math.prod(x.get_shape())} elements) to {checks.fmt_shape(r.get_shape())} "
                f"({math.prod(r.get_shape())} elements)"
            )


@irdl_op_definition
class BroadcastOp(IRDLOperation):
    """Inserts dimension `dim` and repeats the input along it, to the result's size.

        %t = ernn.broadcast %x dim(1) : tensor<2x40xf32> -> tensor<2x8x40xf32>
    """

    name = "ernn.broadcast"

    input = operand_def(TensorType)
    dim = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input `dim` `(` $dim `)` attr-dict `:` type($input) `->` type($result)"

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        if x.element_type != r.element_type:
            checks.fail("input and result element types must match")
        d = self.dim.value.data
        xs, rs = list(x.get_shape()), list(r.get_shape())
        if not 0 <= d < len(rs) or len(rs) != len(xs) + 1:
            checks.fail(f"dim {d} must index the result, whose rank must be the input's + 1")
        if rs[:d] + rs[d + 1 :] != xs:
            checks.fail(
                f"result {checks.fmt_shape(rs)} without dimension {d} must equal the input "
                f"{checks.fmt_shape(xs)}"
            )
