"""Model-level ops: whole LSTM and GRU layers over a `[T, B, N]` sequence.

Weights are `!ernn.circulant` values with the gates stacked on the rows in
PyTorch order: LSTM (i, f, g, o), GRU (r, z, n).  The hidden size H must be
a multiple of the block size, so gate boundaries fall on block boundaries.
A layer with fewer real hidden units pads each gate to H and says so with
`units = U`: the units U..H-1 are padding, exactly zero in every output and
state, whatever the weights' padded rows or h0/c0 hold there.
Stacked layers are chained ops; a bidirectional layer is a forward and a
`reverse` op whose outputs are concatenated.  Model-level ops are float;
quantization happens after cell expansion.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import I64, BoolAttr, IntegerAttr, TensorType, UnitAttr
from xdsl.ir import Attribute
from xdsl.irdl import (
    AttrSizedOperandSegments,
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
from ernn_ir.dialects.ernn.types import CirculantType, describe


class RecurrentLayerOp(IRDLOperation):
    """Shared rules of ernn.lstm and ernn.gru.

    IRDL orders operands and results subclass-first, so each subclass
    declares all of its own operands and results; only properties live here.
    """

    reverse = opt_prop_def(UnitAttr)
    return_sequence = prop_def(BoolAttr, default_value=BoolAttr.from_bool(True))
    units = opt_prop_def(IntegerAttr[I64])
    """Real hidden units U <= H; units U..H-1 of every gate are padding, held at exactly 0."""

    GATES: ClassVar[int] = 0

    @property
    def real_units(self) -> int:
        """U: the hidden units that are not padding (H without `units`)."""
        return self.hidden_size if self.units is None else self.units.value.data  # type: ignore[attr-defined]

    def check_units(self, H: int) -> None:
        if self.units is not None and not 1 <= self.units.value.data <= H:
            checks.fail(f"units must be in [1, {H}] (the real hidden units), got {self.units.value.data}")

    def common_checks(self) -> tuple[int, int, int, int, Attribute]:
        """Returns (T, B, H, block, element type) after the shared rules."""
        x = checks.tensor(self.input.type, "input")
        if len(x.get_shape()) != 3:
            checks.fail(f"input must be a [T, B, N] sequence, got {checks.fmt_shape(x.get_shape())}")
        T, B, N = x.get_shape()
        elem = checks.float_element(x, "input")
        wx = checks.circulant(self.w_x.type, "w_x")
        wh = checks.circulant(self.w_h.type, "w_h")
        for n, w in (("w_x", wx), ("w_h", wh)):
            if w.element_type != elem:
                checks.fail(f"{n} element type {describe(w.element_type)} must match the input's {describe(elem)}")
        b = wx.block.data
        if wh.block.data != b:
            checks.fail(f"w_x and w_h must share one block size, got {b} and {wh.block.data}")
        g = self.GATES
        if wx.rows.data % g:
            checks.fail(f"w_x rows must be {g} stacked gates of H rows, got {wx.rows.data}")
        H = wx.rows.data // g
        if H % b:
            checks.fail(
                f"hidden size {H} must be a multiple of the block size {b} "
                "(pad every gate to a multiple and mark the real units with `units`; docs/frontend.md)"
            )
        if wx.cols.data != N:
            checks.fail(f"w_x must have the input's {N} columns, got {wx.cols.data}")
        if wh.rows.data != g * H:
            checks.fail(f"w_h must have {g} * {H} = {g * H} rows, got {wh.rows.data}")
        self.check_units(H)
        return T, B, H, b, elem

    def vector(self, v, shape: tuple[int, ...], elem: Attribute, what: str) -> None:
        if v is None:
            return
        t = checks.tensor(v.type, what)
        checks.shape_eq(t.get_shape(), shape, what)
        if t.element_type != elem:
            checks.fail(f"{what} element type must be {describe(elem)}")

    def result_checks(self, T: int, B: int, R: int, elem: Attribute) -> None:
        seq = self.return_sequence.value.data
        expect = (T, B, R) if seq else (B, R)
        out = checks.tensor(self.output.type, "output")
        checks.shape_eq(
            out.get_shape(), expect,
            "output" + (" (the whole sequence)" if seq else " (the last step, return_sequence = false)"),
        )
        if out.element_type != elem:
            checks.fail(f"output element type must be {describe(elem)}")


@irdl_op_definition
class LstmOp(RecurrentLayerOp):
    """An LSTM layer, optionally with diagonal peepholes and a projection.

    Per step t (from T-1 down to 0 with `reverse`), with r the recurrent
    state (the projection output, or h without projection):

        i = sigmoid(Wx_i x_t + Wh_i r + p_i * c + b_i)
        f = sigmoid(Wx_f x_t + Wh_f r + p_f * c + b_f)
        g = tanh(Wx_g x_t + Wh_g r + b_g)
        c' = f * c + i * g
        o = sigmoid(Wx_o x_t + Wh_o r + p_o * c' + b_o)
        h = o * tanh(c');   r' = W_proj h  (or r' = h)

    With `units = U`, units U..H-1 of every gate are padding: c and h are
    exactly 0 there at every step (their entries in c0 and, without a
    projection, h0 are ignored), so the padded rows of the weights and bias
    and the columns of w_h and proj that read them contribute nothing.

    Operands: input [T, B, N]; w_x (4H x N); w_h (4H x R); optional bias [4H],
    peephole [3, H] (rows i, f, o), proj (P x H), h0 [B, R], c0 [B, H]
    (zero when absent).  Results: output [T, B, R] (or [B, R] when
    `return_sequence = false`), final r [B, R] and final c [B, H].

        %y, %r, %c = ernn.lstm %x, %wx, %wh bias(%b : tensor<128xf32>) : tensor<8x1x16xf32>,
              !ernn.circulant<128x16xf32, block = 8>, !ernn.circulant<128x32xf32, block = 8>
              -> tensor<8x1x32xf32>, tensor<1x32xf32>, tensor<1x32xf32>
    """

    name = "ernn.lstm"
    GATES: ClassVar[int] = 4

    input = operand_def(TensorType)
    w_x = operand_def(CirculantType)
    w_h = operand_def(CirculantType)
    bias = opt_operand_def(TensorType)
    peephole = opt_operand_def(TensorType)
    proj = opt_operand_def(CirculantType)
    h0 = opt_operand_def(TensorType)
    c0 = opt_operand_def(TensorType)

    output = result_def(TensorType)
    h_n = result_def(TensorType)
    c_n = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (AttrSizedOperandSegments(as_property=True), ParsePropInAttrDict())
    assembly_format = (
        "$input `,` $w_x `,` $w_h "
        "(`bias` `(` $bias^ `:` type($bias) `)`)? "
        "(`peephole` `(` $peephole^ `:` type($peephole) `)`)? "
        "(`proj` `(` $proj^ `:` type($proj) `)`)? "
        "(`h0` `(` $h0^ `:` type($h0) `)`)? "
        "(`c0` `(` $c0^ `:` type($c0) `)`)? attr-dict "
        "`:` type($input) `,` type($w_x) `,` type($w_h) "
        "`->` type($output) `,` type($h_n) `,` type($c_n)"
    )

    def verify_(self) -> None:
        T, B, H, b, elem = self.common_checks()
        R = H
        if self.proj is not None:
            pt = checks.circulant(self.proj.type, "proj")
            if pt.element_type != elem:
                checks.fail(f"proj element type must be {describe(elem)}")
            if pt.cols.data != H:
                checks.fail(f"proj must have the hidden size {H} as columns, got {pt.cols.data}")
            R = pt.rows.data
        wh = self.w_h.type
        assert isinstance(wh, CirculantType)
        if wh.cols.data != R:
            checks.fail(
                f"w_h must have {R} columns (the {'projection' if self.proj else 'hidden'} size), got {wh.cols.data}"
            )
        self.vector(self.bias, (4 * H,), elem, "bias")
        self.vector(self.peephole, (3, H), elem, "peephole")
        self.vector(self.h0, (B, R), elem, "h0")
        self.vector(self.c0, (B, H), elem, "c0")
        self.result_checks(T, B, R, elem)
        checks.shape_eq(checks.tensor(self.h_n.type, "h_n").get_shape(), (B, R), "h_n")
        checks.shape_eq(checks.tensor(self.c_n.type, "c_n").get_shape(), (B, H), "c_n")

    @property
    def hidden_size(self) -> int:
        return self.w_x.type.rows.data // 4  # type: ignore[attr-defined]


@irdl_op_definition
class GruOp(RecurrentLayerOp):
    """A GRU layer; the reset gate applies after (default) or before the recurrent matvec.

        r = sigmoid(Wx_r x_t + bx_r + Wh_r h + bh_r)
        z = sigmoid(Wx_z x_t + bx_z + Wh_z h + bh_z)
        reset_after:  n = tanh(Wx_n x_t + bx_n + r * (Wh_n h + bh_n))
        otherwise:    n = tanh(Wx_n x_t + bx_n + Wh_n (r * h) + bh_n)
        h' = (1 - z) * n + z * h

    With `units = U`, units U..H-1 of every gate are padding: h is exactly
    0 there at every step (h0's entries there are ignored).

    Operands: input [T, B, N]; w_x (3H x N); w_h (3H x H); optional b_x [3H],
    b_h [3H], h0 [B, H].  Results: output [T, B, H] (or [B, H]) and final h.

        %y, %h = ernn.gru %x, %wx, %wh b_x(%bx : tensor<96xf32>) : tensor<8x1x16xf32>,
              !ernn.circulant<96x16xf32, block = 8>, !ernn.circulant<96x32xf32, block = 8>
              -> tensor<8x1x32xf32>, tensor<1x32xf32>
    """

    name = "ernn.gru"
    GATES: ClassVar[int] = 3

    input = operand_def(TensorType)
    w_x = operand_def(CirculantType)
    w_h = operand_def(CirculantType)
    b_x = opt_operand_def(TensorType)
    b_h = opt_operand_def(TensorType)
    h0 = opt_operand_def(TensorType)
    reset_after = prop_def(BoolAttr, default_value=BoolAttr.from_bool(True))

    output = result_def(TensorType)
    h_n = result_def(TensorType)

    traits = traits_def(Pure())
    irdl_options = (AttrSizedOperandSegments(as_property=True), ParsePropInAttrDict())
    assembly_format = (
        "$input `,` $w_x `,` $w_h "
        "(`b_x` `(` $b_x^ `:` type($b_x) `)`)? "
        "(`b_h` `(` $b_h^ `:` type($b_h) `)`)? "
        "(`h0` `(` $h0^ `:` type($h0) `)`)? attr-dict "
        "`:` type($input) `,` type($w_x) `,` type($w_h) `->` type($output) `,` type($h_n)"
    )

    def verify_(self) -> None:
        T, B, H, b, elem = self.common_checks()
        wh = self.w_h.type
        assert isinstance(wh, CirculantType)
        if wh.cols.data != H:
            checks.fail(f"w_h must have the hidden size {H} as columns, got {wh.cols.data}")
        self.vector(self.b_x, (3 * H,), elem, "b_x")
        self.vector(self.b_h, (3 * H,), elem, "b_h")
        self.vector(self.h0, (B, H), elem, "h0")
        self.result_checks(T, B, H, elem)
        checks.shape_eq(checks.tensor(self.h_n.type, "h_n").get_shape(), (B, H), "h_n")

    @property
    def hidden_size(self) -> int:
        return self.w_x.type.rows.data // 3  # type: ignore[attr-defined]
