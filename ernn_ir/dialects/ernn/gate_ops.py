"""Gate-level ops: block-circulant and dense matvecs, activations, element-wise math.

Float operands compute in their own precision; fixed-point operands compute
exactly and round once into the result's format, as docs/numerics.md says.
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    I64,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.types import (
    CirculantType,
    FixedType,
    OverflowAttr,
    OverflowMode,
    RoundingAttr,
    RoundingMode,
    describe,
)


class FixedResultOp(IRDLOperation):
    """Base of ops whose fixed-point result is rounded and overflow-handled."""

    rounding = prop_def(RoundingAttr, default_value=RoundingAttr(RoundingMode.HALF_UP))
    overflow = prop_def(OverflowAttr, default_value=OverflowAttr(OverflowMode.SATURATE))


@irdl_op_definition
class CircMatvecOp(FixedResultOp):
    """`y[..., :] = W @ x[..., :]` for a block-circulant W of logical shape M x N.

    The logical M x N matrix is the top-left corner of the p*b x q*b
    block-circulant matrix defined by the parameters.  x's last dimension is
    N (zero-padded to q*b) or q*b (used as it is).  Each block computes a
    circular convolution of its defining vector with the input block; block
    results are summed over j.  y's last dimension is M, or p*b: the full
    block-circulant product, whose rows past M belong to no logical row (they
    are generally not zero).  Fixed point: exact products and sum, one
    rounding into the result format.

        %y = ernn.circ_matvec %w, %x : !ernn.circulant<64x40xf32, block = 8>, tensor<2x40xf32> -> tensor<2x64xf32>
    """

    name = "ernn.circ_matvec"

    weight = operand_def(CirculantType)
    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$weight `,` $input attr-dict `:` type($weight) `,` type($input) `->` type($result)"
    )

    def __init__(self, weight: SSAValue, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[weight, input], result_types=[result_type])

    def verify_(self) -> None:
        w = checks.circulant(self.weight.type, "weight")
        x = checks.tensor(self.input.type, "input")
        y = checks.tensor(self.result.type, "result")
        checks.same_domain(
            [("weight", w.element_type), ("input", x.element_type), ("result", y.element_type)]
        )
        xs, ys = x.get_shape(), y.get_shape()
        if len(xs) < 1 or len(ys) != len(xs) or xs[:-1] != ys[:-1]:
            checks.fail(
                f"input {checks.fmt_shape(xs)} and result {checks.fmt_shape(ys)} must "
                "share their leading dimensions"
            )
        b = w.block.data
        if xs[-1] not in (w.cols.data, w.q * b):
            checks.fail(
                f"input last dimension must be the matrix's {w.cols.data} columns "
                f"(or {w.q * b} padded), got {xs[-1]}"
            )
        if ys[-1] not in (w.rows.data, w.p * b):
            checks.fail(
                f"result last dimension must be the matrix's {w.rows.data} rows "
                f"(or {w.p * b} padded), got {ys[-1]}"
            )
        if checks.is_fixed(w.element_type):
            n = w.q * b  # every row sums one product per (padded) column
            checks.exact_accumulator(
                n * checks.raw_bound(w.element_type) * checks.raw_bound(x.element_type),
                "the block-circulant matvec",
                f"{n} products of {describe(w.element_type)} and {describe(x.element_type)}",
            )


@irdl_op_definition
class DenseMatvecOp(FixedResultOp):
    """`y[..., :] = weight @ x[..., :] + bias` with a dense `[M, N]` weight.

    For layers that stay dense (a final classifier).  Fixed point: exact
    products and sum (bias aligned exactly), one rounding into the result.

        %y = ernn.dense_matvec %w, %x bias %b : tensor<10x32xf32>, tensor<1x32xf32>, tensor<10xf32> -> tensor<1x10xf32>
    """

    name = "ernn.dense_matvec"

    weight = operand_def(TensorType)
    input = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$weight `,` $input (`bias` $bias^)? attr-dict `:` type($weight) `,` "
        "type($input) (`,` type($bias)^)? `->` type($result)"
    )

    def verify_(self) -> None:
        w = checks.tensor(self.weight.type, "weight")
        x = checks.tensor(self.input.type, "input")
        y = checks.tensor(self.result.type, "result")
        elems = [("weight", w.element_type), ("input", x.element_type), ("result", y.element_type)]
        ws, xs, ys = w.get_shape(), x.get_shape(), y.get_shape()
        if len(ws) != 2:
            checks.fail(f"weight must be a matrix, got shape {checks.fmt_shape(ws)}")
        if len(xs) < 1 or xs[-1] != ws[1]:
            checks.fail(f"input last dimension must be {ws[1]}, got shape {checks.fmt_shape(xs)}")
        checks.shape_eq(ys, (*xs[:-1], ws[0]), "result")
        if self.bias is not None:
            bt = checks.tensor(self.bias.type, "bias")
            checks.shape_eq(bt.get_shape(), (ws[0],), "bias")
            elems.append(("bias", bt.element_type))
        for n, e in elems:
            if not (checks.is_float(e) or checks.is_fixed(e)):
                checks.fail(f"{n} element type must be f32, f64 or !ernn.fixed, got {describe(e)}")
        checks.same_domain(elems)
        if checks.is_fixed(w.element_type):
            # products at frac Fw + Fx; a bias with more fraction bits shifts the sum up to its frac
            we, xe = w.element_type, x.element_type
            f = we.frac.data + xe.frac.data  # type: ignore[attr-defined]
            bound = ws[1] * checks.raw_bound(we) * checks.raw_bound(xe)
            terms = f"{ws[1]} products of {describe(we)} and {describe(xe)}"
            if self.bias is not None:
                be = self.bias.type.element_type  # type: ignore[attr-defined]
                fm = max(f, be.frac.data)
                bound = (bound << (fm - f)) + checks.aligned_bound(be, fm)
                terms += f" plus the bias {describe(be)}, aligned to {fm} fraction bits"
            checks.exact_accumulator(bound, "the dense matvec", terms)


class ElementwiseBinaryOp(FixedResultOp):
    """Element-wise binary op with trailing-dimension (numpy) broadcasting."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute | None = None):
        if result_type is None:
            lt, rt = lhs.type, rhs.type
            assert isinstance(lt, TensorType) and isinstance(rt, TensorType)
            shape = checks.broadcast(lt.get_shape(), rt.get_shape())
            assert shape is not None
            result_type = TensorType(lt.element_type, shape)
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        a = checks.tensor(self.lhs.type, "lhs")
        b = checks.tensor(self.rhs.type, "rhs")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("lhs", a), ("rhs", b), ("result", r)])
        checks.broadcast_result(a, b, r)
        if checks.is_fixed(a.element_type):
            self.check_accumulator(a.element_type, b.element_type)

    def check_accumulator(self, ea: Attribute, eb: Attribute) -> None:
        """Add and sub align both operands exactly to the larger frac before summing."""
        fm = max(ea.frac.data, eb.frac.data)  # type: ignore[attr-defined]
        checks.exact_accumulator(
            checks.aligned_bound(ea, fm) + checks.aligned_bound(eb, fm),
            f"'{self.name}'",
            f"{describe(ea)} and {describe(eb)} aligned to {fm} fraction bits",
        )


@irdl_op_definition
class AddOp(ElementwiseBinaryOp):
    """`result = lhs + rhs`, element-wise with broadcasting.

        %s = ernn.add %a, %b : tensor<1x32xf32>, tensor<32xf32> -> tensor<1x32xf32>
    """

    name = "ernn.add"


@irdl_op_definition
class SubOp(ElementwiseBinaryOp):
    """`result = lhs - rhs`, element-wise with broadcasting."""

    name = "ernn.sub"


@irdl_op_definition
class MulOp(ElementwiseBinaryOp):
    """`result = lhs * rhs`, element-wise with broadcasting (fixed: exact product, one rounding)."""

    name = "ernn.mul"

    def check_accumulator(self, ea: Attribute, eb: Attribute) -> None:
        checks.exact_accumulator(
            checks.raw_bound(ea) * checks.raw_bound(eb), "'ernn.mul'", f"{describe(ea)} times {describe(eb)}"
        )


class ActivationOp(FixedResultOp):
    """Element-wise activation; shape kept, element type float->same float or fixed->fixed."""

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, result_type: Attribute | None = None):
        super().__init__(operands=[input], result_types=[result_type or input.type])

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("input", x), ("result", r)])
        checks.shape_eq(r.get_shape(), x.get_shape(), "result")


@irdl_op_definition
class SigmoidOp(ActivationOp):
    """`result = 1 / (1 + exp(-input))`, exact (fixed: evaluated in float64, rounded once).

        %s = ernn.sigmoid %x : tensor<1x32xf32> -> tensor<1x32xf32>
    """

    name = "ernn.sigmoid"


@irdl_op_definition
class TanhOp(ActivationOp):
    """`result = tanh(input)`, exact (fixed: evaluated in float64, rounded once)."""

    name = "ernn.tanh"


@irdl_op_definition
class PwlOp(ActivationOp):
    """A piecewise-linear function given by a table of n uniform segments.

    Segment i covers `[x_min + i*2^log2_step, x_min + (i+1)*2^log2_step)`.
    The input is clamped to the table's range, then
    `result = slopes[i] * x + intercepts[i]` for the segment i holding x.
    Float tables store slopes/intercepts as f64; fixed tables store raw
    integers read in the `coeff` format, with x_min a multiple of the input
    lsb.  `function` names what the table approximates (for reports).

        %y = ernn.pwl %x {function = "sigmoid", x_min = -8.0 : f64, log2_step = 0 : i64,
                          slopes = dense<...> : tensor<16xf64>, intercepts = dense<...> : tensor<16xf64>}
               : tensor<1x32xf32> -> tensor<1x32xf32>
    """

    name = "ernn.pwl"

    x_min = prop_def(FloatAttr)
    log2_step = prop_def(IntegerAttr[I64])
    slopes = prop_def(DenseIntOrFPElementsAttr)
    intercepts = prop_def(DenseIntOrFPElementsAttr)
    coeff = opt_prop_def(FixedType)
    function = opt_prop_def(StringAttr)

    def verify_(self) -> None:
        super().verify_()
        x = self.input.type
        assert isinstance(x, TensorType)
        ns, ni = self.slopes.get_shape(), self.intercepts.get_shape()
        if len(ns) != 1 or ns != ni or ns[0] < 1:
            checks.fail(
                "slopes and intercepts must be one-dimensional tables of the same "
                f"length >= 1, got {checks.fmt_shape(ns)} and {checks.fmt_shape(ni)}"
            )
        if checks.is_fixed(x.element_type):
            if self.coeff is None:
                checks.fail("a fixed-point table needs a 'coeff' fixed-point format")
            assert self.coeff is not None
            checks.storage_matches(self.slopes, self.coeff, "slopes")
            checks.storage_matches(self.intercepts, self.coeff, "intercepts")
            f_in = x.element_type.frac.data  # type: ignore[attr-defined]
            scaled = self.x_min.value.data * 2.0**f_in
            if scaled != int(scaled):
                checks.fail(
                    f"x_min {self.x_min.value.data} is not a multiple of the input lsb 2^-{f_in}"
                )
            shift = self.log2_step.value.data + f_in
            if shift < 0:
                checks.fail(
                    f"segment width 2^{self.log2_step.value.data} is finer than the input lsb 2^{-f_in}: "
                    "a segment index needs whole input steps"
                )
            if shift > 62:
                checks.fail(f"segment width 2^{self.log2_step.value.data} is {shift} input bits wide, more than 62")
            # slope * x at frac Fc + Fi plus the intercept aligned to it (Fi < 0: the product is shifted)
            c = self.coeff
            bound = (checks.raw_bound(c) * checks.raw_bound(x.element_type) << max(0, -f_in)) + (
                checks.raw_bound(c) << max(0, f_in)
            )
            checks.exact_accumulator(
                bound, "the table's slope * x + intercept",
                f"{describe(c)} times {describe(x.element_type)} plus an aligned intercept",
            )
        else:
            if self.coeff is not None:
                checks.fail("a float table takes no 'coeff' format")
            from xdsl.dialects.builtin import Float64Type

            for n, a in (("slopes", self.slopes), ("intercepts", self.intercepts)):
                if not isinstance(a.get_element_type(), Float64Type):
                    checks.fail(f"{n} of a float table must be f64")
