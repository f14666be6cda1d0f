"""The MAC array: lanes of exact complex block products, column adder trees, exact accumulators, the drain.

Timing from an instruction's issue in cycle 0 (units.mac_latency): the
weight ROM and spectrum buffers answer in cycle 1; the lane registers its
operands with the pre-adds of the 3-multiply form (cycle 1), its products
(cycle 2; the deep pipeline's cut products, cycles 2 and 3) and the complex
combine; the column lanes' results are summed by a registered adder tree
(ceil(log2 cols) cycles); then the sum is added to the row lane's
accumulator (zero on the first instruction of a row group) and written back
at the end of the cycle, so a drain may read it from the next cycle on.  Accumulators are memories with
asynchronous reads (LUT RAM): one port accumulates, one drains.

Exactness: every product and sum keeps all its bits (docs/numerics.md,
section 7); the one rounding happens in the drain, into the spectral MAC's
result format, before the IRFFT.
"""

from __future__ import annotations

import math

from ernn_ir.hardware import units
from ernn_ir.lowering.verilog.fixed_rtl import popcount, requantize
from ernn_ir.lowering.verilog.mult_rtl import product
from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig
from ernn_ir.numerics import FixedFormat


def product_width(ww: int, wx: int) -> int:
    return ww + wx + 2


def mac_lane(name: str, b: int, ww: int, wx: int, cmul: int, deep: bool = False, slice_mod=None):
    """One lane: weight word x spectrum word -> b exact products (re(0), re(b/2), re(1), im(1), ...).

    With `deep`, the products go through the deep pipeline's slices (`mult_rtl`);
    every product of the lane is aligned to the slowest one.
    """
    pl = units.lane_product_latency(b, ww, wx, cmul, deep)
    m = ModuleBuilder(name, f"MAC lane, b = {b}: one weight block times one input spectrum block, "
                      f"{2 + (b // 2 - 1) * cmul} real multipliers ({cmul}-multiply complex products), "
                      f"exact {product_width(ww, wx)}-bit results after {2 + pl} cycles"
                      + (" (deep pipeline)" if deep else ""))

    def prod(u: Sig, v: Sig, width: int, nm: str) -> Sig:
        p, lat = product(m, u, v, width, nm, slice_mod, deep)
        return m.delay(p, pl - lat, nm) if lat < pl else p

    w = m.input("w", b * ww)
    x = m.input("x", b * wx)
    ws = [m.extract(w, i * ww, ww, f"w{i}") for i in range(b)]
    xs = [m.extract(x, i * wx, wx, f"x{i}") for i in range(b)]
    P = product_width(ww, wx)
    out: list[Sig] = []
    # real bins 0 and b/2: one product each
    stage1 = []
    for i in (0, 1):
        stage1.append((m.reg(ws[i], f"wr{i}"), m.reg(xs[i], f"xr{i}")))
    cplx = []
    for k in range(1, b // 2):
        wr, wi, xr, xi = ws[2 * k], ws[2 * k + 1], xs[2 * k], xs[2 * k + 1]
        if cmul == 3:
            # Gauss: k1 = xr (wr + wi), k2 = wr (xi - xr), k3 = wi (xr + xi); re = k1 - k3, im = k1 + k2
            a = m.reg(m.add(wr, wi, ww + 1), f"b{k}_wsum")
            d = m.reg(m.sub(xi, xr, wx + 1), f"b{k}_xdiff")
            s = m.reg(m.add(xr, xi, wx + 1), f"b{k}_xsum")
            cplx.append(("3", k, (m.reg(wr, f"b{k}_wr"), m.reg(wi, f"b{k}_wi"), m.reg(xr, f"b{k}_xr"), a, d, s)))
        else:
            cplx.append(("4", k, tuple(m.reg(v, f"b{k}_{n}") for v, n in ((wr, "wr"), (wi, "wi"), (xr, "xr"), (xi, "xi")))))
    # products
    prods_real = [prod(wv, xv, ww + wx, f"p{i}") for i, (wv, xv) in enumerate(stage1)]
    prods_c = []
    for kind, k, ops in cplx:
        if kind == "3":
            wr, wi, xr, a, d, s = ops
            k1 = prod(xr, a, ww + wx + 1, f"b{k}_k1")
            k2 = prod(wr, d, ww + wx + 1, f"b{k}_k2")
            k3 = prod(wi, s, ww + wx + 1, f"b{k}_k3")
            prods_c.append((kind, k, (k1, k2, k3)))
        else:
            wr, wi, xr, xi = ops
            prods_c.append((kind, k, tuple(prod(u, v, ww + wx, f"b{k}_{n}")
                                         for u, v, n in ((wr, xr, "rr"), (wi, xi, "ii"), (wr, xi, "ri"), (wi, xr, "ir")))))
    # combine
    out.append(m.reg(m.sext(prods_real[0], P), "y0"))
    out.append(m.reg(m.sext(prods_real[1], P), "y1"))
    for kind, k, ps in prods_c:
        if kind == "3":
            k1, k2, k3 = ps
            out.append(m.reg(m.sub(k1, k3, P), f"y{2 * k}"))
            out.append(m.reg(m.add(k1, k2, P), f"y{2 * k + 1}"))
        else:
            rr, ii, ri, ir = ps
            out.append(m.reg(m.sub(rr, ii, P), f"y{2 * k}"))
            out.append(m.reg(m.add(ri, ir, P), f"y{2 * k + 1}"))
    m.output("y", m.concat(list(reversed(out)), "y"))
    return m.finish()


def adder_tree(m: ModuleBuilder, vecs: list[list[Sig]], width: int, name: str) -> list[Sig]:
    """Sum the column lanes' products value by value, one registered level per halving."""
    level = 0
    while len(vecs) > 1:
        nxt = []
        for i in range(0, len(vecs) - 1, 2):
            nxt.append([m.add(a, c, width) for a, c in zip(vecs[i], vecs[i + 1])])
        if len(vecs) % 2:
            nxt.append([m.sext(v, width) for v in vecs[-1]])
        vecs = [[m.reg(v, f"{name}_l{level}_{j}_{n}") for n, v in enumerate(vs)] for j, vs in enumerate(nxt)]
        level += 1
    return [m.sext(v, width) for v in vecs[0]]


def tree_levels(cols: int) -> int:
    return math.ceil(math.log2(cols)) if cols > 1 else 0


def mac_array(name: str, lane_mod, b: int, rows: int, cols: int, ww: int, wx: int, acc_w: int, acc_depth: int,
              deep: bool = False):
    """rows x cols lanes, the trees, one accumulator memory per row lane with its drain read port."""
    m = ModuleBuilder(name, f"MAC array: {rows} row lanes x {cols} column lanes of b = {b} blocks; "
                      f"{acc_w}-bit exact accumulators, {acc_depth} per row lane (docs/hardware.md, 'MAC array')")
    w = m.input("w", rows * cols * b * ww)
    xin = m.input("x", cols * b * wx)
    # the accumulate stage's control, already aligned by the caller: cycle 4 + tree levels after issue
    v_d = m.input("acc_we", 1)
    f_d = m.input("acc_first", 1)
    aw = max(1, (acc_depth - 1).bit_length())
    a_d = m.input("acc_addr", aw)
    drain_addr = m.input("drain_addr", aw)
    P = product_width(ww, wx)
    xb = [m.extract(xin, c * b * wx, b * wx, f"x_col{c}") for c in range(cols)]
    if deep:  # the write stage's control, a cycle after the read's
        wstage = (m.reg(v_d, "acc_we_w"), m.reg(a_d, "acc_addr_w"))
        fwd = m.icmp("eq", a_d, wstage[1], signed_ext=False)
    drains = []
    for r in range(rows):
        prods = []
        for c in range(cols):
            lane = r * cols + c
            wl = m.extract(w, lane * b * ww, b * ww, f"w_lane{lane}")
            y = m.instance(lane_mod, f"lane_r{r}_c{c}", {"w": wl, "x": xb[c]})["y"]
            prods.append([m.extract(y, i * P, P) for i in range(b)])
        summed = adder_tree(m, prods, acc_w, f"tree_r{r}")
        mem = m.memory(f"acc_r{r}", acc_depth, b * acc_w, 0)
        old = m.read_port(mem, a_d, f"acc_r{r}_old")
        if deep:
            # the read registered, then the add and write-back a cycle later; an instruction reading
            # the row the previous one is writing takes that sum instead (forwarded), and a first
            # term's zero is loaded into the read register (no mux between it and the add)
            we_w, addr_w = wstage
            new_loop = m.reg_loop(b * acc_w, f"acc_r{r}_old_q")
            summed = [m.reg(v, f"tree_r{r}_sum{i}") for i, v in enumerate(summed)]
            old_src = new_loop
        else:
            we_w, addr_w = v_d, a_d
            old_src = m.mux(f_d, m.const(0, b * acc_w), old)
        new = []
        for i in range(b):
            o = m.extract(old_src, i * acc_w, acc_w)
            new.append(m.extract(m.add(o, summed[i], acc_w + 1), 0, acc_w))
        new_word = m.concat(list(reversed(new)), f"acc_r{r}_new")
        if deep:
            m.connect(new_loop, m.mux(f_d, m.const(0, b * acc_w), m.mux(m.and_(fwd, we_w), new_word, old)))
        # a stalled cycle must not write: the accumulate is not idempotent (en holds every register)
        m.write_port(mem, addr_w, new_word, m.and_(we_w, m.en))
        drains.append(m.read_port(mem, drain_addr, f"acc_r{r}_drain"))
    m.output("drain", m.concat(list(reversed(drains)), "drain"))
    return m.finish()


def drain_unit(name: str, b: int, rows: int, engines: int, acc_w: int, acc_frac: int, res: FixedFormat,
               rnd: str, ovf: str, deep: bool = False):
    """Selects row lane e + m*engines for engine e, registers it, rounds once into the MAC result format."""
    m = ModuleBuilder(name, f"drain of one matvec: {rows} row lanes into {engines} IRFFT engines, "
                      f"one rounding from the exact accumulator (frac {acc_frac}) into "
                      f"fixed<{res.width}, {res.frac}>, latency 2")
    lanes = m.input("lanes", rows * b * acc_w)
    mi = m.input("m", max(1, (math.ceil(rows / engines) - 1).bit_length()))
    groups = math.ceil(rows / engines)
    lane_vals = [m.extract(lanes, r * b * acc_w, b * acc_w) for r in range(rows)]
    outs, counts = [], []
    for e in range(engines):
        choices = [lane_vals[e + g * engines] if e + g * engines < rows else lane_vals[e] for g in range(groups)]
        sel = m.reg(m.select(mi, choices), f"e{e}_acc")
        q, flags = [], []
        for i in range(b):
            v = m.extract(sel, i * acc_w, acc_w)
            qv, f = requantize(m, v, acc_frac, res, rnd, ovf, f"e{e}_q{i}", deep)
            q.append(qv)
            if f is not None:
                flags.append(f)
        outs.append(m.reg(m.concat(list(reversed(q))), f"e{e}_spec"))
        # the flags are registered beside the values and counted after the register: counting them
        # in the rounding's cycle put an adder behind the rounding's carry chain
        flags_r = []
        if flags:
            fr = m.reg(m.concat(list(reversed(flags))), f"e{e}_flags")
            flags_r = [m.extract(fr, i, 1) for i in range(len(flags))]
        counts.append(m.zext(popcount(m, flags_r, f"e{e}_ev"), 8, f"e{e}_events"))
    for e in range(engines):
        m.output(f"spec{e}", outs[e])
        m.output(f"events{e}", counts[e])
    return m.finish()
