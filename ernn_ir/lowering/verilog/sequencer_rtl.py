"""Unit sequencers: replay one unit's items of the static schedule, cycle for cycle.

A unit's items are a table sorted by start cycle within the period.  The
sequencer knows a cycle ahead that the period's cycle counter will be at the
cycle before the next item's start (a registered flag: its outputs are
registered too), then steps the item's inner
index m = 0 .. duration-1, one per cycle.  Each item belongs to time step
`it = p - shift` (p: the period index); it only acts when 0 <= it < steps,
which the top gives as one flag per shift (`act_port`), the sign bits of
counters it keeps for p - shift and steps - p + shift - 1: no compare and no
subtract on the path to the item's start.
Affine fields follow `base + m * step` (weight and buffer addresses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig

IT_WIDTH = 32


@dataclass
class SeqItem:
    tau: int
    """First cycle of the item within its period (0 .. P-1)."""
    dur: int
    shift: int
    """The item's step is the period index minus `shift`."""
    fields: dict[str, int] = field(default_factory=dict)


@dataclass
class SeqField:
    name: str
    width: int
    affine: bool = False
    """base + m * step; the item gives `name` (base) and `name_step`."""


def bits(n: int) -> int:
    """Bits of an unsigned counter that holds 0 .. n-1 (at least 1)."""
    return max(1, (max(1, n) - 1).bit_length())


def act_port(shift: int) -> str:
    """The sequencer input that says whether step p - shift is one of the job's steps."""
    return f"act_at_shift{shift}" if shift >= 0 else f"act_at_shift_m{-shift}"


def port_shift(name: str) -> int | None:
    """The shift of an `act_port` name (None for other ports)."""
    if not name.startswith("act_at_shift"):
        return None
    v = name[len("act_at_shift"):]
    return -int(v[2:]) if v.startswith("_m") else int(v)


def decision_order(P: int, items: list[SeqItem]) -> list[tuple[int, SeqItem, int]]:
    """(decision cycle, item, shift at decision) in the order the sequencer meets them from a job's start.

    An item starting at tau is picked when cnt == tau - 1; tau = 0 is picked in
    the previous period's last cycle, one period index earlier.  A job starts
    in that last cycle (cnt = P - 1), so those decisions come first.
    """
    ent = []
    for it in items:
        dec = (it.tau - 1) % P
        shift = it.shift - (1 if it.tau == 0 else 0)
        ent.append((dec, it, shift))
    ent.sort(key=lambda e: (e[0] + 1) % P)
    return ent


def sequencer(name: str, P: int, items: list[SeqItem], fields: list[SeqField], doc: str) -> object:
    m = ModuleBuilder(name, doc)
    cw = bits(P)
    cnt = m.input("cnt", cw)
    p = m.input("p", IT_WIDTH)
    busy = m.input("busy", 1)
    rst = m.input("rst", 1)
    # a job ends at its last output, which may come before this unit's last item of the period:
    # `start` rewinds the table like the reset does (entry 0 is the first a job meets, from its
    # warm-up cycle on), ahead of the stall enable, as the top's own counters are
    start = m.input("start", 1)
    rewind = m.or_(rst, start, name="rewind")
    ent = decision_order(P, items)
    n = len(ent)
    pw = bits(n)
    mw = bits(max(it.dur for it in items))
    ptr = m.reg_loop(pw, "ptr", reset=0, rst=rewind)

    def col(vals: list[int], w: int, nm: str) -> Sig:
        if all(v == vals[0] for v in vals):
            return m.const(vals[0], w, nm)
        return m.select(ptr, [m.const(v, w) for v in vals], nm)

    def col_sig(vals: list[Sig], nm: str) -> Sig:
        if len(set(id(v) for v in vals)) == 1:
            return m.named(vals[0], nm) if not vals[0].value.name_hint else vals[0]
        return m.select(ptr, vals, nm)

    decs = [e[0] for e in ent]
    # `hit` (cnt == the pointer's decision cycle) starts every item and drives every register's
    # load below: it is a register of its own, `at_decision`, loaded with next cycle's compare.
    # cnt's next value is cnt + 1 mod P whenever this unit's registers load while busy (the top
    # advances cnt with the same enable), so next cycle's compare is cnt == (decision - 1) mod P:
    # two compares of registers, against this entry's and the next entry's decision cycle, chosen
    # by the flag itself.  A rewind puts cnt at P - 1 and the pointer at entry 0, so the flag's
    # reset value is the constant compare of those two.
    def m1(d: int) -> int:
        return (d - 1) % P

    at_dec = m.reg_loop(1, "at_decision", reset=int(decs[0] == P - 1), rst=rewind)
    hit = m.and_(busy, at_dec, name="hit")
    last = m.eq_const(ptr, n - 1) if n > 1 else m.const(1, 1)
    inc = m.extract(m.add(m.zext(ptr, pw + 1), m.const(1, pw + 1), pw + 1), 0, pw)
    m.connect(ptr, m.mux(hit, m.mux(last, m.const(0, pw), inc), ptr, "ptr_next"))
    varying = any(d != decs[0] for d in decs)
    if not varying:
        eq_next = m.icmp("eq", cnt, m.const(m1(decs[0]), cw), signed_ext=False)
    else:
        # the decision cycles, less one, of the pointer's entry and of the one after it, kept in
        # registers loaded when the pointer moves (from the table two entries ahead)
        dec_m1 = m.reg_loop(cw, "decision_m1", reset=m1(decs[0]), rst=rewind)
        fol_m1 = m.reg_loop(cw, "following_decision_m1", reset=m1(decs[1 % n]), rst=rewind)
        after = col([m1(decs[(i + 2) % n]) for i in range(n)], cw, "after_following_m1")
        m.connect(dec_m1, m.mux(hit, fol_m1, dec_m1))
        m.connect(fol_m1, m.mux(hit, after, fol_m1))
        eq_here = m.icmp("eq", cnt, dec_m1, signed_ext=False)
        eq_following = m.icmp("eq", cnt, fol_m1, signed_ext=False)
        eq_next = m.mux(at_dec, eq_following, eq_here)
    m.connect(at_dec, m.mux(busy, eq_next, at_dec, "at_decision_next"))
    dur_col = col([e[1].dur - 1 for e in ent], mw, "next_dur_m1")
    shift_col = col([e[2] for e in ent], IT_WIDTH, "next_shift")
    it_new = m.sub(p, shift_col, IT_WIDTH, "next_it")
    acts = {k: m.input(act_port(k), 1) for k in sorted({e[2] for e in ent})}
    act_new = col_sig([acts[e[2]] for e in ent], "next_act")
    run = m.reg_loop(1, "run", reset=0, rst=rst)
    mcur = m.reg_loop(mw, "m", reset=0, rst=rst)
    durcur = m.reg_loop(mw, "dur_m1")
    finishing = m.icmp("eq", mcur, durcur, signed_ext=False)
    m.connect(run, m.or_(hit, m.and_(run, m.not_(finishing)), name="run_next"))
    m_inc = m.extract(m.add(m.zext(mcur, mw + 1), m.const(1, mw + 1), mw + 1), 0, mw)
    m.connect(mcur, m.mux(hit, m.const(0, mw), m_inc, "m_next"))
    m.connect(durcur, m.mux(hit, dur_col, durcur))
    it_reg = m.reg_loop(IT_WIDTH, "it")
    m.connect(it_reg, m.mux(hit, it_new, it_reg))
    act = m.reg_loop(1, "act", reset=0, rst=rst)
    m.connect(act, m.mux(hit, act_new, act))
    m.output("valid", m.and_(run, act, name="valid"))
    m.output("m", mcur)
    m.output("it", it_reg)
    m.output("first_cycle", m.reg(hit, "first_cycle"))
    for f in fields:
        base = col([e[1].fields.get(f.name, 0) for e in ent], f.width, f"next_{f.name}")
        cur = m.reg_loop(f.width, f.name)
        if f.affine:
            stepv = col([e[1].fields.get(f.name + "_step", 0) for e in ent], f.width, f"next_{f.name}_step")
            stp = m.reg_loop(f.width, f"{f.name}_step")
            m.connect(stp, m.mux(hit, stepv, stp))
            adv = m.extract(m.add(m.zext(cur, f.width + 1), m.zext(stp, f.width + 1), f.width + 1), 0, f.width)
            m.connect(cur, m.mux(hit, base, adv, f"{f.name}_next"))
        else:
            m.connect(cur, m.mux(hit, base, cur))
        m.output(f.name, cur)
    return m.finish()
