"""Element-wise lanes: one stage's expression DAG for one element per cycle, pipelined and delay-balanced.

A lane takes one element of every term of the stage (IRFFT outputs, states,
constants, values of earlier stages) and gives one element of every stage
output `depth` cycles later.  Operators (docs/numerics.md sections 5 and 9):

- add / sub: operands aligned exactly to the larger fraction, one
  requantize (1 cycle; deep pipeline: the exact sum, then the requantize);
- mul: exact product (1 cycle; deep pipeline: cut products 2), one
  requantize (1 cycle);
- requantize (1 cycle);
- pwl: clamp and segment index (1; deep: 2), slope and intercept table
  read (1), slope * x (1; deep: `units.product_latency`), + intercept
  exactly (1), one requantize (1).

The depths are the ones `units.ew_op_latency` states; the lane counts the
overflow events of its requantizes, one `events<j>` port per cycle in which
some are counted, each aligned to the lane's output.
"""

from __future__ import annotations

from ernn_ir.dialects.ernn import (
    AddOp,
    MulOp,
    PwlOp,
    RequantizeOp,
    SigmoidOp,
    SubOp,
    TanhOp,
)
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.hardware import units
from ernn_ir.hardware.stepgraph import EwStage, Term, fmt_of
from ernn_ir.lowering.reference.values import modes
from ernn_ir.lowering.verilog.fixed_rtl import popcount, requantize
from ernn_ir.lowering.verilog.mult_rtl import product
from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig
from ernn_ir.numerics import FixedFormat


class UnsupportedError(Exception):
    pass


def term_name(t: Term) -> str:
    return f"{t.kind}{t.index}_at{t.offset}"


def ew_lane(name: str, st: EwStage, term_formats: dict[Term, FixedFormat], deep: bool = False,
            slice_mod=None) -> tuple[object, int]:
    """The lane module of stage `st` and its operator depth (`deep`: the deep pipeline, `units`)."""
    m = ModuleBuilder(name, f"element-wise lane of stage {st.index} (matvec depth {st.depth}): "
                      f"{len(st.nodes())} operators, one element per cycle"
                      + (" (deep pipeline)" if deep else ""))
    inputs: dict[Term, Sig] = {}
    for t in st.terms():
        inputs[t] = m.input(term_name(t), term_formats[t].width)
    ready: dict[tuple[int, int], tuple[Sig, int, FixedFormat]] = {}
    flags_at: list[tuple[Sig, int]] = []

    def value(e) -> tuple[Sig, int, FixedFormat]:
        if isinstance(e, Term):
            return inputs[e], 0, term_formats[e]
        return ready[(id(e.op), e.offset)]

    def align(s: Sig, t: int, to: int, nm: str) -> Sig:
        return m.delay(s, to - t, nm) if to > t else s

    for n in st.nodes():
        op = n.op
        rnd, ovf = modes(op)
        out_fmt = fmt_of(op.results[0].type)
        ins = [value(o) for o in n.operands]
        t0 = max((t for _, t, _ in ins), default=0)
        nm = f"{op.results[0].name_hint or op.name.split('.')[-1]}_{n.offset}"
        vals = [align(s, t, t0, f"{nm}_in{i}") for i, (s, t, _) in enumerate(ins)]
        fmts = [f for _, _, f in ins]
        lat = units.ew_op_latency(op, deep)
        if isinstance(op, AddOp | SubOp):
            fm = max(fmts[0].frac, fmts[1].frac)
            a = m.shl(vals[0], fm - fmts[0].frac)
            c = m.shl(vals[1], fm - fmts[1].frac)
            w = max(a.width, c.width) + 1
            s = m.add(a, c, w) if isinstance(op, AddOp) else m.sub(a, c, w)
            if deep:  # one carry chain per cycle: the exact sum, then its rounding
                s = m.reg(s, f"{nm}_sum")
            q, f = requantize(m, s, fm, out_fmt, rnd, ovf, nm, deep)
            res = m.reg(q, nm)
            if f is not None:
                flags_at.append((f, t0 + lat - 1))
        elif isinstance(op, MulOp):
            p, _ = product(m, vals[0], vals[1], vals[0].width + vals[1].width, f"{nm}_prod", slice_mod, deep)
            q, f = requantize(m, p, fmts[0].frac + fmts[1].frac, out_fmt, rnd, ovf, nm, deep)
            res = m.reg(q, nm)
            if f is not None:
                flags_at.append((f, t0 + lat - 1))
        elif isinstance(op, RequantizeOp):
            q, f = requantize(m, vals[0], fmts[0].frac, out_fmt, rnd, ovf, nm, deep)
            res = m.reg(q, nm)
            if f is not None:
                flags_at.append((f, t0))
        elif isinstance(op, PwlOp):
            res, f, ft = _pwl(m, op, vals[0], fmts[0], out_fmt, rnd, ovf, nm, t0, deep, slice_mod)
            if f is not None:
                flags_at.append((f, ft))
        elif isinstance(op, SigmoidOp | TanhOp):
            raise UnsupportedError(
                f"'{op.name}' on fixed point needs a table of every input (2^{fmts[0].width} entries); "
                "approximate it with ernn-approximate-activations (ernn-pipeline does by default)"
            )
        else:
            raise UnsupportedError(f"no element-wise operator for '{op.name}'")
        ready[(id(op), n.offset)] = (res, t0 + lat, out_fmt)
    depth = max((value(e)[1] for e in st.exprs), default=0)
    for j, e in enumerate(st.exprs):
        s, t, _ = value(e)
        m.output(f"out{j}", align(s, t, depth, f"out{j}"))
    # events: each flag is counted when its operator's result is written; delay counts to the end
    cw = max(1, len(flags_at)).bit_length() + 1
    by_t: dict[int, list[Sig]] = {}
    for f, t in flags_at:
        by_t.setdefault(t, []).append(f)
    # one port per count: the top registers each before its sum tree (an adder tree here would end
    # in the top's event register in the same cycle)
    for j, t in enumerate(sorted(by_t)):
        count = m.reg(m.zext(popcount(m, by_t[t], f"ev_t{t}"), cw), f"ev_t{t}_r")
        m.output(f"events{j}", m.delay(count, depth - t - 1, f"ev_t{t}"))
    return m.finish(), depth


def _pwl(m: ModuleBuilder, op: PwlOp, x: Sig, fin: FixedFormat, out_fmt: FixedFormat, rnd: str, ovf: str,
         nm: str, t0: int, deep: bool, slice_mod) -> tuple[Sig, Sig | None, int]:
    slopes = [int(v) for v in dense_to_numpy(op.slopes).reshape(-1)]
    inters = [int(v) for v in dense_to_numpy(op.intercepts).reshape(-1)]
    assert op.coeff is not None
    fc = FixedFormat(op.coeff.width.data, op.coeff.frac.data)
    n = len(slopes)
    fi = fin.frac
    sh, x_min, top = units.pwl_range(op)
    w = max(x.width, x_min.bit_length() + 1, top.bit_length() + 1, abs(x_min).bit_length() + 1) + 1
    xe = m.sext(x, w)
    lo_c, hi_c = m.const(x_min, w), m.const(top, w)
    ib = max(1, (n - 1).bit_length())

    def segment(off: Sig) -> Sig:
        return m.extract(m.sra(off, sh), 0, ib) if sh < off.width else m.const(0, ib)

    if deep:
        # the clamp's compares in a cycle of their own, cut into pieces of short carry chains, with
        # the offset from the table's start beside them; the next cycle combines the pieces and
        # picks the clamped input and its segment with muxes alone
        below, above, x_d = _split_compares(m, xe, x_min, top, nm)
        off_d = m.reg(m.sub(xe, lo_c, w + 1), f"{nm}_off")
        xc = m.mux(below, lo_c, m.mux(above, hi_c, x_d))
        top_seg = ((top - x_min) >> sh) & ((1 << ib) - 1) if sh < w + 1 else 0
        idx = m.mux(below, m.const(0, ib), m.mux(above, m.const(top_seg, ib), segment(off_d)))
    else:
        below = m.icmp("slt", xe, lo_c)
        above = m.icmp("sgt", xe, hi_c)
        xc = m.mux(below, lo_c, m.mux(above, hi_c, xe))
        idx = segment(m.sub(xc, lo_c, w + 1))
    # the clamped input needs no more bits than the table's range
    xw = units.pwl_x_width(op)
    xc_r = m.reg(m.sext(xc, xw), f"{nm}_xc")
    idx_r = m.reg(idx, f"{nm}_seg")
    # table read, product and sum each get a cycle: a multiplier between a table and an adder in one
    # cycle was the design's longest path (ECP5 MULT18X18D are combinational as yosys maps them)
    sl = m.reg(m.select(idx_r, [m.const(v, fc.width) for v in slopes]), f"{nm}_slope")
    ic = m.reg(m.select(idx_r, [m.const(v, fc.width) for v in inters]), f"{nm}_intercept")
    xc_d = m.reg(xc_r, f"{nm}_xc_d")
    prod, pl = product(m, sl, xc_d, sl.width + xc_d.width, f"{nm}_prod", slice_mod, deep)
    ic_d = m.delay(ic, pl, f"{nm}_intercept") if pl > 1 else m.reg(ic, f"{nm}_intercept_d")
    if fi >= 0:
        acc = m.add(prod, m.shl(ic_d, fi))
        frac = fc.frac + fi
    else:
        acc = m.add(m.shl(prod, -fi), ic_d)
        frac = fc.frac
    acc_r = m.reg(acc, f"{nm}_acc")
    q, f = requantize(m, acc_r, frac, out_fmt, rnd, ovf, nm, deep)
    return m.reg(q, nm), f, t0 + units.ew_op_latency(op, deep) - 1


COMPARE_PIECE = 9
"""Bits per piece of the deep pipeline's clamp compares (a carry chain short enough for the cycle)."""


def _split_compares(m: ModuleBuilder, x: Sig, lo: int, hi: int, nm: str) -> tuple[Sig, Sig, Sig]:
    """x < lo and x > hi (signed constants) over two cycles: each piece's compare and equality with
    the constant's piece registered, then combined from the top piece down (x < c when a piece is
    less and every piece above it equal; the top piece signed, the others unsigned); also returns x
    delayed to match."""
    w = x.width
    pieces = [(c, min(COMPARE_PIECE, w - c)) for c in range(0, w, COMPARE_PIECE)]

    def compare(c: int, pred: str, tag: str) -> Sig:
        decided = None  # the comparison decided by the pieces below the current one (None: never)
        for i, (lo_bit, pw) in enumerate(pieces):
            xp = m.extract(x, lo_bit, pw)
            cp = (c >> lo_bit) & ((1 << pw) - 1)
            top_piece = i == len(pieces) - 1
            if top_piece:
                p = m.reg(m.icmp(pred, xp, m.const(cp, pw)), f"{nm}_{tag}_p{i}")
            elif cp == (0 if pred == "slt" else (1 << pw) - 1):
                p = None  # unsigned x < 0 or x > max: never
            else:
                p = m.reg(m.icmp("u" + pred[1:], xp, m.const(cp, pw), signed_ext=False), f"{nm}_{tag}_p{i}")
            if decided is not None:
                eq = m.reg(m.eq_const(xp, cp), f"{nm}_{tag}_eq{i}")
                by_lower = m.and_(eq, decided)  # this piece equal, a lower one decides
                decided = by_lower if p is None else m.or_(p, by_lower)
            else:
                decided = p
        assert decided is not None  # the top piece always decides
        return m.named(decided, f"{nm}_{tag}")

    below = compare(lo, "slt", "below")
    above = compare(hi, "sgt", "above")
    return below, above, m.reg(x, f"{nm}_x")
