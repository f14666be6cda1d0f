"""`ernn-circulant-to-fft`: each block-circulant matvec into rFFT, spectrum product and IRFFT.

The naive form, one transform of each kind per block (i, j), exactly the
math of the brief with nothing shared:

    %xp = ernn.pad %x                          [..., q*b]       (zero padding)
    %xr = ernn.broadcast %xp dim(d)            [..., p, q*b]    (x_j once per output block i)
    %X  = ernn.rfft %xr                        [..., p, q, K, 2]   p*q input transforms
    %wp = ernn.circulant_params %w             [p, q, b]
    %wr = ernn.reshape %wp                     [p, q*b]
    %W  = ernn.rfft %wr                        [p, q, K, 2]        p*q weight transforms
    %P  = ernn.cmul %W, %X                     [..., p, q, K, 2]
    %yb = ernn.irfft %P                        [..., p, q*b]       p*q inverse transforms
    %y3 = ernn.reshape %yb                     [..., p, q, b]
    %ys = ernn.reduce_sum %y3 dim(d+1)         [..., p, b]       (sum over j)
    %y  = ernn.reshape %ys                     [..., p*b]
    (ernn.slice to the matrix's M rows when the result is not padded)

`ernn-fft-fusion` and `ernn-weight-sharing` then remove the redundancy.
Float IR only: quantize after this pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.builder import InsertPoint
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType
from xdsl.ir import SSAValue

from ernn_ir.diagnostics import op_error
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn import checks
from ernn_ir.passes.emit import Emitter, elem, located_builder, shape
from ernn_ir.passes.options import CheckedPass


def has_fft_form(op: ernn.CircMatvecOp) -> bool:
    """Whether the matvec is lowered: block size 1 stays a matvec.

    A 1 x 1 circulant block is one dense entry: the matrix is dense, an FFT
    of one point is the identity, and `ernn.circ_matvec` computes it exactly
    (docs/numerics.md), so the matvec form is the right form for it.
    """
    w = op.weight.type
    assert isinstance(w, ernn.CirculantType)
    return w.block.data != 1


def check_matvec(op: ernn.CircMatvecOp) -> None:
    """Raise the located diagnostic for a matvec that has no FFT form here."""
    w = op.weight.type
    assert isinstance(w, ernn.CirculantType)
    if not checks.is_float(w.element_type):
        raise op_error(
            op,
            f"ernn-circulant-to-fft: '{op.name}' on {w.element_type} is fixed point; "
            "lower to the FFT before quantizing",
        )
    b = w.param_shape[2]
    if b & (b - 1):
        raise op_error(
            op,
            f"ernn-circulant-to-fft: '{op.name}' has block size {b}, which is not a power of two: "
            "the radix-2 FFT form needs one (keep the matvec form: ernn-pipeline{fft=false})",
        )


def lower_matvec(op: ernn.CircMatvecOp) -> None:
    check_matvec(op)
    w = op.weight.type
    assert isinstance(w, ernn.CirculantType)
    p, q, b = w.param_shape
    e = Emitter(located_builder(InsertPoint.before(op), op))
    x = op.input
    lead = shape(x)[:-1]
    d = len(lead)
    et = elem(x)
    xp = e.pad(x, q * b, "xp")
    xr = e._ins(
        ernn.BroadcastOp.build(
            operands=[xp],
            properties={"dim": IntegerAttr(d, 64)},
            result_types=[TensorType(et, (*lead, p, q * b))],
        ),
        "xr",
    )
    X = e.rfft(xr, b, "X")
    wp = e._ins(
        ernn.CirculantParamsOp.build(operands=[op.weight], result_types=[TensorType(et, (p, q, b))]),
        "wp",
    )
    W = e.rfft(e.reshape(wp, (p, q * b), "wr"), b, "W")
    P = e._ins(ernn.ComplexMulOp(W, X, TensorType(et, (*lead, p, q, b // 2 + 1, 2))), "P")
    yb = e.irfft(P, "yb")
    y3 = e.reshape(yb, (*lead, p, q, b), "y3")
    ys = e._ins(
        ernn.ReduceSumOp.build(
            operands=[y3],
            properties={"dim": IntegerAttr(d + 1, 64)},
            result_types=[TensorType(et, (*lead, p, b))],
        ),
        "ys",
    )
    y: SSAValue = e.reshape(ys, (*lead, p * b), "y")
    m = shape(op.result)[-1]
    if m != p * b:
        y = e.slice(y, 0, m, d, "y_rows")
    y.name_hint = op.result.name_hint or y.name_hint
    op.result.replace_all_uses_with(y)
    op.detach()
    op.erase()


@dataclass(frozen=True)
class CirculantToFftPass(CheckedPass):
    """Lower every ernn.circ_matvec to the naive per-block FFT form."""

    name = "ernn-circulant-to-fft"

    # Matvecs with block size 1 keep the matvec form (see has_fft_form).

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        matvecs = [o for o in op.walk() if isinstance(o, ernn.CircMatvecOp) and has_fft_form(o)]
        # Diagnose every matvec before rewriting any: a refused module is left as it was.
        for o in matvecs:
            check_matvec(o)
        for o in matvecs:
            lower_matvec(o)
