"""`ernn-expand-cells`: ernn.lstm / ernn.gru into gate-level ops inside an ernn.scan.

The loop body is one time step, so the IR size does not depend on the
sequence length.  The input-to-gate matvec stays inside the body (one
matvec per step on x_t); FFT fusion later shares its transforms.
Gate order and equations: ernn_ir/dialects/ernn/model_ops.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType, UnitAttr
from xdsl.ir import Block, Region, SSAValue

from ernn_ir.builder import dense_attr
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.passes.emit import Emitter, elem, located_builder, shape
from ernn_ir.passes.options import CheckedPass


def _finish_scan(
    b: Builder, x: SSAValue, inits: list[SSAValue], body: Block, reverse: bool, out: SSAValue
) -> ernn.ScanOp:
    T = shape(x)[0]
    props = {"reverse": UnitAttr()} if reverse else {}
    scan = ernn.ScanOp.build(
        operands=[[x], inits],
        properties=props,
        result_types=[[TensorType(elem(out), (T, *shape(out))), *[v.type for v in inits]]],
        regions=[Region(body)],
    )
    b.insert(scan)
    return scan


def expand_lstm(op: ernn.LstmOp) -> None:
    """One LSTM step.  With `units = U < H` only the U real units of each gate
    are computed (slices of the gate pre-activations) and carried; `ernn.pad`
    re-pads them with exact zeros wherever an H-wide vector is read (the
    recurrent or projection matvec, the results), so padded units are zero
    by construction, in float and in fixed point."""
    b = located_builder(InsertPoint.before(op), op)
    e = Emitter(b)
    x = op.input
    T, B, _ = shape(x)
    H = op.hidden_size
    U = op.real_units
    R = shape(op.h_n)[-1]
    et = elem(x)
    proj = op.proj is not None
    Rc = R if proj else U  # the carried recurrent state: r, or h's real units
    r0 = e.zeros((B, Rc), et, "r0") if op.h0 is None else (op.h0 if proj else _real_units(e, op.h0, U, "r0"))
    c0 = e.zeros((B, U), et, "c0") if op.c0 is None else _real_units(e, op.c0, U, "c0")

    step = TensorType(et, shape(x)[1:])
    body = Block(arg_types=[step, r0.type, c0.type])
    xt, r, c = body.args
    xt.name_hint, r.name_hint, c.name_hint = "x_t", "r", "c"
    s = Emitter(located_builder(InsertPoint.at_end(body), op))
    r_in = r if proj else s.pad(r, H, "r_pad")
    g = s.add(s.circ_matvec(op.w_x, xt, name="gx"), s.circ_matvec(op.w_h, r_in, name="gh"), "g")
    if op.bias is not None:
        g = s.add(g, op.bias, "gb")
    gi, gf, gg, go = (s.slice(g, k * H, U, 1, n) for k, n in enumerate(["i_in", "f_in", "g_in", "o_in"]))
    if op.peephole is not None:
        peep = op.peephole if U == H else s.slice(op.peephole, 0, U, 1, "peephole_u")
        p_i, p_f, p_o = (s.slice(peep, k, 1, 0, n) for k, n in enumerate(["p_i", "p_f", "p_o"]))
        gi = s.add(gi, s.mul(p_i, c), "i_pc")
        gf = s.add(gf, s.mul(p_f, c), "f_pc")
    i, f, gc = s.sigmoid(gi, "i"), s.sigmoid(gf, "f"), s.tanh(gg, "g")
    c_new = s.add(s.mul(f, c, "fc"), s.mul(i, gc, "ig"), "c_next")
    if op.peephole is not None:
        go = s.add(go, s.mul(p_o, c_new), "o_pc")
    o = s.sigmoid(go, "o")
    h = s.mul(o, s.tanh(c_new, "tc"), "h")
    r_new = h if not proj else s.circ_matvec(op.proj, s.pad(h, H, "h_pad"), name="r_next")
    s.b.insert(ernn.YieldOp(r_new, r_new, c_new))

    scan = _finish_scan(b, x, [r0, c0], body, op.reverse is not None, r_new)
    ys, r_n, c_n = scan.results
    ys.name_hint = "y"
    if not proj:
        ys, r_n = e.pad(ys, H, "y_pad"), e.pad(r_n, H, "h_n_pad")
    c_n = e.pad(c_n, H, "c_n_pad")
    out = ys if op.return_sequence.value.data else r_n
    op.output.replace_all_uses_with(out)
    op.h_n.replace_all_uses_with(r_n)
    op.c_n.replace_all_uses_with(c_n)
    op.detach()
    op.erase()


def _real_units(e: Emitter, v: SSAValue, U: int, name: str) -> SSAValue:
    """The first U hidden units of a [B, H] state (the padded ones are dropped)."""
    return v if shape(v)[-1] == U else e.slice(v, 0, U, len(shape(v)) - 1, name)


def row_split(w: SSAValue, parts: list[tuple[int, int, int, str]], b: Builder) -> list[SSAValue] | None:
    """Constant row groups of a constant circulant matrix, or None if `w` is not a constant.

    A part is (offset, rows, logical rows, name).  Row offsets and row
    counts are multiples of the block size, so each group is itself a
    block-circulant matrix: its parameters are a slice of the row blocks;
    fewer logical rows leave the group's last rows out of its product.
    """
    src = w.owner
    if not isinstance(src, ernn.CirculantOp):
        return None
    wt = src.result.type
    assert isinstance(wt, ernn.CirculantType)
    blk = wt.block.data
    params = dense_to_numpy(src.params)
    out = []
    for offset, rows, logical, name in parts:
        assert offset % blk == 0 and rows % blk == 0 and 0 < logical <= rows
        sub = np.ascontiguousarray(params[offset // blk : (offset + rows) // blk])
        op = ernn.CirculantOp(
            dense_attr(sub, wt.element_type),
            ernn.CirculantType(logical, wt.cols.data, blk, wt.element_type),
        )
        b.insert(op)
        op.result.name_hint = name
        out.append(op.result)
    return out


def expand_gru(op: ernn.GruOp) -> None:
    """One GRU step; gates r and z read the sum of the x-part and the recurrent
    part of their rows, so FFT fusion can accumulate them in the frequency
    domain (as it does n's two parts without reset_after).  With `units = U
    < H`, only the U real units are computed and carried, re-padded with
    exact zeros (`ernn.pad`) for the recurrent matvecs and the results."""
    b = located_builder(InsertPoint.before(op), op)
    e = Emitter(b)
    x = op.input
    T, B, _ = shape(x)
    H = op.hidden_size
    U = op.real_units
    et = elem(x)
    h0 = e.zeros((B, U), et, "h0") if op.h0 is None else _real_units(e, op.h0, U, "h0")
    one = e.constant(np.ones((U,)), et, "one")
    wx_parts = row_split(op.w_x, [(0, 2 * H, 2 * H, "w_x_rz"), (2 * H, H, U, "w_x_n")], b)
    wh_parts = row_split(op.w_h, [(0, 2 * H, 2 * H, "w_h_rz"), (2 * H, H, U, "w_h_n")], b)

    step = TensorType(et, shape(x)[1:])
    body = Block(arg_types=[step, h0.type])
    xt, h = body.args
    xt.name_hint, h.name_hint = "x_t", "h"
    s = Emitter(located_builder(InsertPoint.at_end(body), op))
    reset_after = op.reset_after.value.data
    h_in = s.pad(h, H, "h_pad")

    def bias(v: SSAValue | None, offset: int, size: int, name: str) -> SSAValue | None:
        return None if v is None else s.slice(v, offset, size, 0, name)

    def plus(a: SSAValue, v: SSAValue | None, name: str) -> SSAValue:
        return a if v is None else s.add(a, v, name)

    if wx_parts is not None and wh_parts is not None:
        (wx_rz, wx_n), (wh_rz, wh_n) = wx_parts, wh_parts
        rz = s.add(s.circ_matvec(wx_rz, xt, name="gx_rz"), s.circ_matvec(wh_rz, h_in, name="gh_rz"), "g_rz")
        rz = plus(rz, bias(op.b_x, 0, 2 * H, "bx_rz"), "g_rz_bx")
        rz = plus(rz, bias(op.b_h, 0, 2 * H, "bh_rz"), "g_rz_b")
        r = s.sigmoid(s.slice(rz, 0, U, 1, "r_in"), "r")
        z = s.sigmoid(s.slice(rz, H, U, 1, "z_in"), "z")
        if reset_after:
            xn = plus(s.circ_matvec(wx_n, xt, name="gx_n"), bias(op.b_x, 2 * H, U, "bx_n"), "xn")
            hn = plus(s.circ_matvec(wh_n, h_in, name="gh_n"), bias(op.b_h, 2 * H, U, "bh_n"), "hn")
            n_in = s.add(xn, s.mul(r, hn), "n_in")
        else:
            rh = s.pad(s.mul(r, h, "rh"), H, "rh_pad")
            n_in = s.add(s.circ_matvec(wx_n, xt, name="gx_n"), s.circ_matvec(wh_n, rh, name="gh_n"), "g_n")
            n_in = plus(plus(n_in, bias(op.b_x, 2 * H, U, "bx_n"), "g_n_bx"), bias(op.b_h, 2 * H, U, "bh_n"), "n_in")
    else:
        # Weights that are not constants: whole-matrix matvecs, sliced by gate.
        gx = plus(s.circ_matvec(op.w_x, xt, name="gx"), op.b_x, "gxb")
        gh = plus(s.circ_matvec(op.w_h, h_in, name="gh"), op.b_h, "ghb")
        xr, xz, xn = (s.slice(gx, k * H, U, 1, n) for k, n in enumerate(["xr", "xz", "xn"]))
        hr, hz = (s.slice(gh, k * H, U, 1, n) for k, n in enumerate(["hr", "hz"]))
        r = s.sigmoid(s.add(xr, hr), "r")
        z = s.sigmoid(s.add(xz, hz), "z")
        if reset_after:
            n_in = s.add(xn, s.mul(r, s.slice(gh, 2 * H, U, 1, "hn")), "n_in")
        else:
            ghr = s.circ_matvec(op.w_h, s.pad(s.mul(r, h, "rh"), H, "rh_pad"), name="ghr")
            hn2 = plus(s.slice(ghr, 2 * H, U, 1, "hn_r"), bias(op.b_h, 2 * H, U, "bhn"), "hn_rb")
            n_in = s.add(xn, hn2, "n_in")
    n = s.tanh(n_in, "n")
    h_new = s.add(s.mul(s.sub(one, z), n), s.mul(z, h), "h_next")
    s.b.insert(ernn.YieldOp(h_new, h_new))

    scan = _finish_scan(b, x, [h0], body, op.reverse is not None, h_new)
    ys, h_n = scan.results
    ys.name_hint = "y"
    ys, h_n = e.pad(ys, H, "y_pad"), e.pad(h_n, H, "h_n_pad")
    out = ys if op.return_sequence.value.data else h_n
    op.output.replace_all_uses_with(out)
    op.h_n.replace_all_uses_with(h_n)
    op.detach()
    op.erase()
    # the weights, once each (a GRU may use one matrix for both: the fuzz suite found it)
    for w in {id(v): v for v in (op.w_x, op.w_h)}.values():
        if not w.uses and isinstance(w.owner, ernn.CirculantOp):
            w.owner.detach()
            w.owner.erase()


@dataclass(frozen=True)
class ExpandCellsPass(CheckedPass):
    """Expand every ernn.lstm and ernn.gru into an ernn.scan over gate-level ops."""

    name = "ernn-expand-cells"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for o in list(op.walk()):
            if isinstance(o, ernn.LstmOp):
                expand_lstm(o)
            elif isinstance(o, ernn.GruOp):
                expand_gru(o)
