"""Frequency-domain ops: block rFFT, block IRFFT and the spectrum multiply-accumulate.

A spectrum is a real tensor `[..., q, K, 2]`: q blocks, K = b/2 + 1 bins,
and (real, imaginary) on the last axis, so that float and fixed-point spectra
share one layout (the hardware keeps real and imaginary parts apart too).
"""

from __future__ import annotations

from xdsl.dialects.builtin import I64, IntegerAttr, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.gate_ops import FixedResultOp
from ernn_ir.dialects.ernn.types import FixedType, describe

DEFAULT_TWIDDLE = FixedType(16, 14)


def spectrum_shape(t: TensorType, what: str) -> tuple[tuple[int, ...], int, int]:
    """(leading dims, blocks, block size) of a `[..., q, K, 2]` spectrum type."""
    sh = t.get_shape()
    if len(sh) < 3 or sh[-1] != 2:
        checks.fail(f"{what} must be a spectrum [..., blocks, bins, 2], got {checks.fmt_shape(sh)}")
    b = 2 * (sh[-2] - 1)
    checks.power_of_two(b, f"{what} block size 2*(bins-1)")
    return tuple(sh[:-3]), sh[-3], b


class TwiddleOp(FixedResultOp):
    """Base of the FFTs: `twiddle` is the fixed-point twiddle format (fixed point only)."""

    twiddle = opt_prop_def(FixedType)

    def check_twiddle(self, fixed: bool) -> None:
        if self.twiddle is not None and not fixed:
            checks.fail("'twiddle' applies to fixed-point FFTs only")
        if fixed:
            out = self.results[0].type.element_type  # type: ignore[attr-defined]
            tw = self.twiddle_format
            checks.exact_accumulator(
                2 * checks.raw_bound(out) * checks.raw_bound(tw),
                "the butterfly's twiddle product",
                f"2 products of {describe(out)} and the twiddle {describe(tw)}",
            )

    @property
    def twiddle_format(self) -> FixedType:
        return self.twiddle or DEFAULT_TWIDDLE


@irdl_op_definition
class RfftOp(TwiddleOp):
    """Block real FFT: `result[..., j, k] = sum_n x[..., j*b + n] exp(-2 pi i k n / b)`, k < K.

    The input's last dimension must be q*b (pad first with `ernn.pad`); b is
    read from the result's K = b/2 + 1 and must be a power of two.  Fixed
    point: radix-2 decimation-in-time in the result format with `twiddle`
    twiddles (default !ernn.fixed<16, 14>), docs/numerics.md.

        %X = ernn.rfft %x : tensor<1x160xf32> -> tensor<1x20x5x2xf32>
    """

    name = "ernn.rfft"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("input", x), ("result", r)])
        lead, q, b = spectrum_shape(r, "result")
        xs = x.get_shape()
        if len(xs) < 1 or tuple(xs[:-1]) != lead:
            checks.fail("input and result must share their leading dimensions")
        if xs[-1] != q * b:
            checks.fail(
                f"input last dimension must be blocks * block size = {q} * {b} = {q * b}, got {xs[-1]}"
            )
        self.check_twiddle(checks.is_fixed(x.element_type))


@irdl_op_definition
class IrfftOp(TwiddleOp):
    """Block inverse real FFT, one per block: `result[..., j*b + n] = (1/b) sum_k X[j,k] e^{2 pi i k n/b}`.

    The full spectrum of each block is rebuilt by conjugate symmetry; the
    imaginary parts of bins 0 and b/2 are taken as zero.  Fixed point: every
    butterfly stage halves its outputs (total 1/b), docs/numerics.md.

        %y = ernn.irfft %Y : tensor<1x128x5x2xf32> -> tensor<1x1024xf32>
    """

    name = "ernn.irfft"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("input", x), ("result", r)])
        lead, p, b = spectrum_shape(x, "input")
        checks.shape_eq(r.get_shape(), (*lead, p * b), "result")
        self.check_twiddle(checks.is_fixed(x.element_type))


@irdl_op_definition
class SpectralMacOp(FixedResultOp):
    """Spectrum multiply-accumulate: `Y[..., i, k] = sum_j W[i, j, k] * X[..., j, k]` (complex).

    W `[p, q, K, 2]` holds the weight spectra (usually a constant); X
    `[..., q, K, 2]` the input spectra; Y `[..., p, K, 2]`.  Fixed point:
    products and sums exact, one rounding into the result format.

        %Y = ernn.spectral_mac %W, %X : tensor<8x4x5x2xf32>, tensor<1x4x5x2xf32> -> tensor<1x8x5x2xf32>
    """

    name = "ernn.spectral_mac"

    weight = operand_def(TensorType)
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
        w = checks.tensor(self.weight.type, "weight")
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("weight", w), ("input", x), ("result", r)])
        wl, q, bw = spectrum_shape(w, "weight")
        if len(wl) != 1:
            checks.fail(f"weight must be [p, q, K, 2], got {checks.fmt_shape(w.get_shape())}")
        p = wl[0]
        xl, qx, bx = spectrum_shape(x, "input")
        if bx != bw:
            checks.fail(f"weight and input must have the same number of bins, got {bw // 2 + 1} and {bx // 2 + 1}")
        if qx != q:
            checks.fail(f"input must have the weight's {q} column blocks, got {qx}")
        checks.shape_eq(r.get_shape(), (*xl, p, bw // 2 + 1, 2), "result")
        if checks.is_fixed(w.element_type):
            # each output component sums 2 real products per input block
            checks.exact_accumulator(
                2 * q * checks.raw_bound(w.element_type) * checks.raw_bound(x.element_type),
                "the spectral MAC",
                f"2 * {q} products of {describe(w.element_type)} and {describe(x.element_type)}",
            )


@irdl_op_definition
class ComplexMulOp(FixedResultOp):
    """Element-wise complex product of spectra `[..., 2]` with broadcasting of leading dimensions.

    `(ar + i ai)(br + i bi)`.  Fixed point: each component exact (frac
    Fa + Fb), one rounding into the result format.

        %P = ernn.cmul %W, %X : tensor<8x5x5x2xf32>, tensor<1x8x5x5x2xf32> -> tensor<1x8x5x5x2xf32>
    """

    name = "ernn.cmul"

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        a = checks.tensor(self.lhs.type, "lhs")
        b = checks.tensor(self.rhs.type, "rhs")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("lhs", a), ("rhs", b), ("result", r)])
        for n, t in (("lhs", a), ("rhs", b), ("result", r)):
            if not t.get_shape() or t.get_shape()[-1] != 2:
                checks.fail(f"{n} must be complex values [..., 2], got {checks.fmt_shape(t.get_shape())}")
        checks.broadcast_result(a, b, r)
        if checks.is_fixed(a.element_type):
            checks.exact_accumulator(
                2 * checks.raw_bound(a.element_type) * checks.raw_bound(b.element_type),
                "the complex product",
                f"2 products of {describe(a.element_type)} and {describe(b.element_type)}",
            )


@irdl_op_definition
class ReduceSumOp(FixedResultOp):
    """Sum over dimension `dim`, which the result drops.

    Fixed point: exact sum, one rounding into the result format.

        %y = ernn.reduce_sum %P dim(2) : tensor<1x8x5x8xf32> -> tensor<1x8x8xf32>
    """

    name = "ernn.reduce_sum"

    input = operand_def(TensorType)
    dim = prop_def(IntegerAttr[I64])
    result = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input `dim` `(` $dim `)` attr-dict `:` type($input) `->` type($result)"

    def verify_(self) -> None:
        x = checks.tensor(self.input.type, "input")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_operands([("input", x), ("result", r)])
        d = self.dim.value.data
        xs = list(x.get_shape())
        if not 0 <= d < len(xs):
            checks.fail(f"dim {d} is out of range for rank {len(xs)}")
        checks.shape_eq(r.get_shape(), xs[:d] + xs[d + 1 :], f"result (the input without dimension {d})")
        if checks.is_fixed(x.element_type):
            checks.exact_accumulator(
                xs[d] * checks.raw_bound(x.element_type), "the sum",
                f"{xs[d]} values of {describe(x.element_type)}",
            )
