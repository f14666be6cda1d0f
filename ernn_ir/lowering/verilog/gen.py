"""From a tiled design to hw/comb/seq modules: every unit, buffer and sequencer, and the top.

`generate(view)` returns an `RtlDesign`: the hw.modules (one per kind of
unit), the ROM images ($readmemh files) and the facts a testbench needs
(ports, widths, cycle count of a sequence).  The timing of every path is the
one the schedule assumed (ernn_ir/hardware/units.py); docs/hardware.md
describes the microarchitecture and the streaming interface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects import hw

from ernn_ir.hardware import units
from ernn_ir.hardware.design_view import DesignView
from ernn_ir.hardware.resources import acc_width
from ernn_ir.hardware.rom_layout import word_of_block
from ernn_ir.hardware.schedule import DRAIN, MAC, drain_engine, ew_unit, rfftx_unit, spectrum_writers, vector_banks
from ernn_ir.hardware.stepgraph import Term, fmt_of
from ernn_ir.lowering.reference.values import modes
from ernn_ir.lowering.verilog.ew_rtl import ew_lane, term_name
from ernn_ir.lowering.verilog.fft_rtl import event_width, irfft_engine, rfft_engine
from ernn_ir.lowering.verilog.fixed_rtl import sum_level
from ernn_ir.lowering.verilog.mac_rtl import (
    drain_unit,
    mac_array,
    mac_lane,
)
from ernn_ir.lowering.verilog.mult_rtl import mult18
from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig
from ernn_ir.lowering.verilog.sequencer_rtl import (
    IT_WIDTH,
    SeqField,
    SeqItem,
    bits,
    port_shift,
    sequencer,
)
from ernn_ir.numerics import FixedFormat, rfft_fixed
from ernn_ir.numerics.fixed import csd


class GenerationError(Exception):
    pass


EVENT_WIDTH = 32


@dataclass
class RtlDesign:
    name: str
    modules: list = field(default_factory=list)
    memfiles: dict[str, str] = field(default_factory=dict)
    """file name -> $readmemh text (one word per line, ending with a newline)."""
    top: str = ""
    block: int = 0
    in_width: int = 0
    out_width: int = 0
    in_blocks: int = 0
    out_blocks: int = 0
    streams: int = 1
    period: int = 0
    in_format: FixedFormat | None = None
    out_format: FixedFormat | None = None
    in_valid: int = 0
    """Samples of an input frame (the rest of its last block is zero padding)."""
    out_len: int = 0
    cycles_per_sequence_base: int = 0
    """sequence cycles = (steps - 1) * period + this."""


def _hexfile(words: list[int], width: int) -> str:
    nd = max(1, (width + 3) // 4)
    mask = (1 << width) - 1
    return "".join(f"{w & mask:0{nd}x}\n" for w in words)


def _sign_bit(m: ModuleBuilder, x: Sig) -> Sig:
    """x < 0: the controller's predicates are sign bits of counters kept at offsets (no compare)."""
    return m.extract(x, x.width - 1, 1)


def _pack(vals, w: int) -> int:
    word = 0
    for i, v in enumerate(vals):
        word |= (int(v) & ((1 << w) - 1)) << (i * w)
    return word


def _tw(op):
    t = op.twiddle_format
    return FixedFormat(t.width.data, t.frac.data)


def generate(view: DesignView, prefix: str | None = None) -> RtlDesign:
    return _Gen(view, prefix or view.design.sym_name.data).run()


class _Gen:
    def __init__(self, view: DesignView, prefix: str):
        self.v = view
        self.g = view.graph
        self.s = view.schedule
        self.cfg = view.config
        self.P = self.s.period
        self.pre = prefix
        self.out = RtlDesign(prefix)
        self.mods: dict[str, object] = {}

    def mod(self, m) -> object:
        self.out.modules.append(m)
        return m

    def name(self, n: str) -> str:
        return f"{self.pre}_{n}"

    # ------------------------------------------------------------------------- checks
    def check(self) -> None:
        g = self.g
        if len(g.inputs) != 1:
            raise GenerationError("the Verilog backend streams one input sequence; this loop has "
                                  f"{len(g.inputs)}")
        if len(g.outputs) != 1:
            raise GenerationError(f"the Verilog backend streams one step output; this loop has {len(g.outputs)}")
        for sp in g.spectra:
            if sp.source.kind == "input" and self.cfg.rfft_engines[sp.index] != 1:
                raise GenerationError(
                    f"the plan transforms input spectrum {sp.index} with {self.cfg.rfft_engines[sp.index]} rFFT "
                    "engines; the Verilog backend has one per input spectrum: plan with ernn-tile{rfft-engines=1}")
        for st in g.stages:
            for t in st.terms():
                if t.kind == "input":
                    raise GenerationError("an element-wise operand read straight from the input frame is not "
                                          "supported by the Verilog backend")

    def run(self) -> RtlDesign:
        self.check()
        g, cfg, s = self.g, self.cfg, self.s
        b = g.block
        self.b = b
        self.S = cfg.streams
        self.copies = {k: v for k, v in self.v.copies.items()}
        # the lanes take the widest operands of every matvec; each matvec's own fraction bits
        # only matter where its exact sums are rounded (its drain)
        self.wfmt = FixedFormat(max(m.weight_format.width for m in g.macs), g.macs[0].weight_format.frac)
        self.xfmt = FixedFormat(max(m.input_format.width for m in g.macs), g.macs[0].input_format.frac)
        self.acc_w = max(acc_width(g, k) for k in range(len(g.macs)))
        self.build_units()
        self.build_sequencers()
        self.build_top()
        o = self.out
        o.block = b
        o.streams = self.S
        o.period = self.P
        inp = g.inputs[0]
        o.in_format = inp.format
        o.in_width = inp.format.width
        o.in_blocks = math.ceil(inp.length / b)
        o.in_valid = inp.length
        so = g.outputs[0]
        o.out_format = so.format
        o.out_width = so.format.width
        o.out_blocks = so.length // b
        o.out_len = so.length
        o.cycles_per_sequence_base = s.output_done - s.first_cycle
        return o

    # ------------------------------------------------------------------------- units
    def build_units(self) -> None:
        g, cfg, b = self.g, self.cfg, self.b
        # the deep pipeline's multiplier slice, kept only if some unit instantiates it
        self.slice_mod = mult18(self.name("mult18")) if cfg.deep else None
        self.build_unit_modules()
        if self.slice_mod is not None and any(
                isinstance(op, hw.InstanceOp) and op.module_name.root_reference.data == self.slice_mod.sym_name.data
                for mod in self.out.modules for op in mod.body.block.ops):
            self.out.modules.insert(0, self.slice_mod)

    def build_unit_modules(self) -> None:
        g, cfg, b = self.g, self.cfg, self.b
        self.rfft_mods = {}
        for sp in g.spectra:
            rnd, ovf = modes(sp.op)
            valid = None
            if sp.valid < sp.blocks * b:
                valid = None  # padding is applied per block when the frame is read
            self.rfft_mods[sp.index] = self.mod(
                rfft_engine(self.name(f"rfft{sp.index}"), b, sp.in_format, sp.out_format, _tw(sp.op), rnd, ovf, valid,
                            cfg.deep))
        self.irfft_mods = {}
        self.drain_mods = {}
        for k, mac in enumerate(g.macs):
            rnd, ovf = modes(mac.irfft)
            self.irfft_mods[k] = self.mod(
                irfft_engine(self.name(f"irfft{k}"), b, mac.result_format, mac.out_format, _tw(mac.irfft), rnd, ovf,
                             cfg.deep))
            mrnd, movf = modes(mac.op)
            self.drain_mods[k] = self.mod(drain_unit(
                self.name(f"drain{k}"), b, cfg.row_lanes, cfg.irfft_engines[k], self.acc_w,
                mac.weight_format.frac + mac.input_format.frac, mac.result_format, mrnd, movf, cfg.deep))
        self.lane_mod = self.mod(mac_lane(self.name("mac_lane"), b, self.wfmt.width, self.xfmt.width, cfg.cmul,
                                          cfg.deep, self.slice_mod))
        # accumulator memory: every matvec's row groups, per stream, per copy
        self.acc_groups = [s for s in self.s.groups]
        self.acc_region = [sum(self.acc_groups[:k]) * self.S for k in range(len(g.macs))]
        self.acc_local = sum(self.acc_groups) * self.S
        self.acc_copies = max(self.copies.get(f"acc{k}", 1) for k in range(len(g.macs)))
        self.acc_depth = self.acc_local * self.acc_copies
        self.array_mod = self.mod(mac_array(self.name("mac_array"), self.lane_mod, b, cfg.row_lanes, cfg.col_lanes,
                                            self.wfmt.width, self.xfmt.width, self.acc_w, self.acc_depth, cfg.deep))
        self.ew_mods = {}
        self.ew_depth = {}
        for st in g.stages:
            fmts = {t: self.term_format(t) for t in st.terms()}
            mod, depth = ew_lane(self.name(f"ew{st.index}_lane"), st, fmts, cfg.deep, self.slice_mod)
            want = self.s.ew_latency[st.index] - units.EW_READ_LATENCY - 1
            if depth != want:
                raise GenerationError(f"stage {st.index}: lane depth {depth} != scheduled {want}")
            self.ew_mods[st.index] = self.mod(mod)
            self.ew_depth[st.index] = depth

    def term_format(self, t: Term) -> FixedFormat:
        g = self.g
        if t.kind == "irfft":
            return g.macs[t.index].out_format
        if t.kind == "carry":
            return g.carries[t.index].format
        if t.kind == "const":
            return g.constant_formats[t.index]
        if t.kind == "stage":
            st, o = g.stage_values[t.index]
            return fmt_of(g.stages[st].outputs[o].type)
        return g.inputs[t.index].format

    # ------------------------------------------------------------------------- sequencer tables
    def shift_of(self, it) -> int:
        """Item of step t runs in period t + floor(offset / P): the step is p - shift."""
        return math.floor(it.offset / self.P)

    def tau_of(self, it) -> int:
        return it.offset % self.P

    def build_sequencers(self) -> None:
        g, s, cfg, b = self.g, self.s, self.cfg, self.b
        P, S = self.P, self.S
        self.seq_mods = {}
        # MAC
        self.xbuf_ids: dict[tuple[int, int], int] = {}  # (mac, part) -> id
        for k, infos in enumerate(s.parts):
            for pi in infos:
                self.xbuf_ids[(k, pi.part)] = len(self.xbuf_ids)
        self.nxb = len(self.xbuf_ids)
        items = []
        wbase = 0
        self.rom_base = []
        for k in range(len(g.macs)):
            self.rom_base.append(wbase)
            wbase += s.groups[k] * sum(pi.chunks for pi in s.parts[k])
        self.rom_depth = wbase
        self.part_rom_base = {}
        for k, infos in enumerate(s.parts):
            acc = 0
            for pi in infos:
                self.part_rom_base[(k, pi.part)] = self.rom_base[k] + acc
                acc += s.groups[k] * pi.chunks
        for i in s.orders[MAC]:
            it = s.items[i]
            k, pnum = it.mac, it.part
            pi = s.parts[k][pnum]
            base = self.part_rom_base[(k, pnum)]
            xs = it.stream * pi.chunks
            ab = self.acc_region[k] + it.stream * s.groups[k]
            if it.kind == "row":
                f = {"w": base + it.index * pi.chunks, "w_step": 1, "x": xs, "x_step": 1, "xc": 0, "xc_step": 1,
                     "acc": ab + it.index, "acc_step": 0}
            else:
                f = {"w": base + it.index, "w_step": pi.chunks, "x": xs + it.index, "x_step": 0, "xc": it.index,
                     "xc_step": 0, "acc": ab, "acc_step": 1}
            f.update({"xbuf": self.xbuf_ids[(k, pnum)], "first": 1 if it.first else 0,
                      "row": 1 if it.kind == "row" else 0,
                      "carry": 1 if g.spectra[pi.spectrum].source.kind == "carry" else 0})
            items.append(SeqItem(self.tau_of(it), it.dur, self.shift_of(it), f))
        self.wa = bits(self.rom_depth)
        self.xa = bits(max(pi.chunks for infos in s.parts for pi in infos) * S)
        self.aa = bits(self.acc_local)
        self.seq_mods[MAC] = self.mod(sequencer(
            self.name("seq_mac"), P, items,
            [SeqField("w", self.wa, True), SeqField("x", self.xa, True), SeqField("xc", self.xa, True),
             SeqField("acc", self.aa, True),
             SeqField("xbuf", bits(self.nxb)), SeqField("first", 1), SeqField("row", 1), SeqField("carry", 1)],
            "sequencer of the MAC array: one instruction per cycle of each scheduled sweep"))
        # drain
        items = []
        for i in s.orders.get(DRAIN, []):
            it = s.items[i]
            k = it.mac
            f = {"mac": k, "acc": self.acc_region[k] + it.stream * s.groups[k] + it.index, "group": it.index,
                 "stream": it.stream}
            items.append(SeqItem(self.tau_of(it), it.dur, self.shift_of(it), f))
        self.seq_mods[DRAIN] = self.mod(sequencer(
            self.name("seq_drain"), P, items,
            [SeqField("mac", bits(len(g.macs))), SeqField("acc", self.aa), SeqField("group", bits(max(s.groups))),
             SeqField("stream", bits(S))],
            "sequencer of the drains: row group by row group into the IRFFT engines"))
        # element-wise stages
        for st in g.stages:
            nc = cfg.copies(st.index)
            for copy in range(nc):
                u_name = ew_unit(st.index, copy, nc)
                items = []
                for i in s.orders.get(u_name, []):
                    it = s.items[i]
                    f = {"u": it.index, "stream": it.stream}
                    for n, t in enumerate(st.terms()):
                        if t.kind == "irfft":
                            f[f"bank{n}"] = self.drain_bank(t.index, t.offset // b + it.index)
                    items.append(SeqItem(self.tau_of(it), it.dur, self.shift_of(it), f))
                nblk = st.length // b
                flds = [SeqField("u", bits(nblk)), SeqField("stream", bits(S))]
                for n, t in enumerate(st.terms()):
                    if t.kind == "irfft":
                        flds.append(SeqField(f"bank{n}", bits(cfg.irfft_engines[t.index])))
                which = f"copy {copy} of {nc} (unit blocks u with u mod {nc} = {copy})" if nc > 1 else "unit block by unit block"
                self.seq_mods[u_name] = self.mod(sequencer(
                    self.name(f"seq_{u_name}"), P, items, flds,
                    f"sequencer of element-wise stage {st.index}: {which}"))
        # input rFFTs
        for sp in g.spectra:
            if sp.source.kind != "input":
                continue
            u_name = rfftx_unit(sp.index)
            items = []
            for i in s.orders.get(u_name, []):
                it = s.items[i]
                items.append(SeqItem(self.tau_of(it), it.dur, self.shift_of(it), {"stream": it.stream}))
            self.seq_mods[u_name] = self.mod(sequencer(
                self.name(f"seq_rfft{sp.index}"), P, items, [SeqField("stream", bits(S))],
                f"sequencer of the input rFFT {sp.index}: the blocks of one frame"))

    def drain_bank(self, k: int, row: int) -> int:
        return drain_engine(self.s, k, row)

    # ------------------------------------------------------------------------- top
    def build_top(self) -> None:
        g, s, cfg, b = self.g, self.s, self.cfg, self.b
        P, S = self.P, self.S
        R, Cc = cfg.row_lanes, cfg.col_lanes
        top = ModuleBuilder(self.name("top"), (
            f"ernn-ir accelerator {self.pre}: {len(g.macs)} matvec(s), b = {b}, MAC array {R} x {Cc} lanes, "
            f"{S} stream(s), period {P} cycles.\n"
            "Streaming interface (docs/hardware.md): pulse start with steps = T; send T x streams frames, "
            "step-major, each frame as its blocks (block j carries samples j*b .. j*b+b-1, sample i at bits "
            "[i*W +: W]); outputs come out as blocks tagged with their step, stream and block index."),
            enable_port=False)
        self.top = top
        m = top
        rst = m.input("rst", 1)
        start_port = m.input("start", 1)
        steps_in = m.input("steps", IT_WIDTH)
        inp = g.inputs[0]
        qin = math.ceil(inp.length / b)
        in_data = m.input("in_data", b * inp.format.width)
        in_valid = m.input("in_valid", 1)
        out_ready = m.input("out_ready", 1)

        # ---- controller
        kshift_x = None
        for sp in g.spectra:
            if sp.source.kind == "input":
                for i in s.orders.get(rfftx_unit(sp.index), []):
                    kshift_x = math.floor(s.items[i].offset / P)
        p_first = math.floor(s.first_cycle / P)
        total_base = s.output_done - s.first_cycle
        cw = bits(P)
        busy = m.reg_loop(1, "busy", reset=0, rst=rst)
        # a start is taken only while the busy port is low (a job cannot be cut short, nor its counts
        # lost in the tail): `idle` is that port's inverse, registered from its next value
        idle = m.reg_loop(1, "idle", reset=1, rst=rst)
        start = m.and_(start_port, idle, name="start_taken")
        cnt = m.reg_loop(cw, "cnt", reset=P - 1, rst=rst)
        p = m.reg_loop(IT_WIDTH, "p", reset=0, rst=rst)
        steps = m.reg_loop(IT_WIDTH, "steps_r", reset=0, rst=rst)
        cycles = m.reg_loop(IT_WIDTH, "cycles", reset=0, rst=rst)
        # frames: received (complete steps) and the stall rule.  The rule compares the frame the next
        # period needs with the frames received; it is kept as difference counters (frames ahead of the
        # need, steps left after it, frames still to come) so that the stall and in_ready paths, which
        # fan out to every register's enable, carry no 32-bit subtract or compare (the ECP5 timing limiter).
        frames_in = m.reg_loop(IT_WIDTH, "frames_in", reset=0, rst=rst)
        # cnt == 0 as a register of its own, loaded from its next value (`connect_stall`): the stall
        # decision then reads one flag instead of the counter's compare
        at_start = m.reg_loop(1, "period_start", reset=1 if P == 1 else 0, rst=rst)
        DW = IT_WIDTH + 2
        need0 = (p_first - 1 - kshift_x) if kshift_x is not None else 0
        # each counter is kept at the offsets that make its predicates sign bits (no compare on the
        # stall path): need (+0, +1), steps - need (-1, -2), frames_in - need (0, -1, -2), steps -
        # frames_in (-1); the stall rule reads the predicates of their next values
        need = m.reg_loop(DW, "frame_needed", reset=0, rst=rst)  # p - kshift_x
        need_p1 = m.reg_loop(DW, "frame_needed_p1", reset=1, rst=rst)
        left1 = m.reg_loop(DW, "steps_after_need_m1", reset=-1, rst=rst)
        left2 = m.reg_loop(DW, "steps_after_need_m2", reset=-2, rst=rst)
        ahead0 = m.reg_loop(DW, "frames_ahead", reset=0, rst=rst)
        ahead1 = m.reg_loop(DW, "frames_ahead_m1", reset=-1, rst=rst)
        ahead2 = m.reg_loop(DW, "frames_ahead_m2", reset=-2, rst=rst)
        to_come1 = m.reg_loop(DW, "frames_to_come_m1", reset=-1, rst=rst)
        # one offset further each (-3, -2): in_ready reads the sign bits of its counters' next values,
        # and a counter's -1 is its lower neighbour's sign bit, so no carry chain is on in_ready's path
        ahead3 = m.reg_loop(DW, "frames_ahead_m3", reset=-3, rst=rst)
        to_come2 = m.reg_loop(DW, "frames_to_come_m2", reset=-2, rst=rst)
        fifo_depth = 1 << max(1, (2 * S * (g.outputs[0].length // b) - 1).bit_length())
        fcount = m.reg_loop(bits(fifo_depth + 1) + 1, "fifo_count", reset=0, rst=rst)
        # the enable is a register: the stall is decided a cycle ahead, from the next values of the
        # predicates (connected at the end of build_top).  `en` fans out to every register and DSP
        # slice of the datapath, so its routing is all that is on those paths; the controller reads
        # a copy of its own (`hold`, the inverse, which synthesis cannot merge with it)
        always = m.const(1, 1)  # the enable of what never stalls (the host side, the job's bookkeeping)
        self.always = always
        en = m.reg_loop(1, "en", reset=1, rst=rst, en=always)
        hold = m.reg_loop(1, "hold", reset=0, rst=rst, en=always)
        self.en = en
        m.en = en  # every datapath register and unit below stalls with the design
        # the controller's side (the output FIFO's count, the event terms) works from `hold`: its
        # paths then start at a register placed beside the controller, not at `en`'s die-wide net
        run = m.not_(hold, "running")
        self.run = run
        # busy & running, and the two conditions made of it (a period's end; a counted cycle), are
        # registers loaded from next values (`connect_stall`): they are the clock enables of the
        # controller's counters, which spread over the die, and a register drives them with no LUT
        adv = m.reg_loop(1, "advance", reset=0, rst=rst, en=always)
        self.stall_ctx = (en, hold, at_start, adv, start, busy, need, need_p1, left1, left2, ahead0, ahead1, ahead2,
                          kshift_x, need0, steps_in)
        # the output FIFO has room for a period's outputs while it holds at most this many
        self.fifo_room_k = fifo_depth - S * (g.outputs[0].length // b)
        # cnt == P - 1 as a register of its own (it starts every period: its compare was on the paths
        # of the counters it advances), set from cnt == P - 2 in the cycle before
        wrap = m.reg_loop(1, "period_end", reset=1, rst=rst, en=always)
        before_end = m.eq_const(cnt, P - 2) if P > 1 else m.const(0, 1)
        wrap_next = m.mux(start, m.const(1, 1),
                          m.mux(adv, m.mux(wrap, m.const(1 if P == 1 else 0, 1), before_end), wrap))
        m.connect(wrap, wrap_next)
        self.wrap = wrap
        cnt_inc = m.extract(m.add(m.zext(cnt, cw + 1), m.const(1, cw + 1), cw + 1), 0, cw)
        m.connect(cnt, m.mux(start, m.const(P - 1, cw), m.mux(adv, m.mux(wrap, m.const(0, cw), cnt_inc), cnt)))
        p_inc = m.add(p, m.const(1, IT_WIDTH), IT_WIDTH)
        m.connect(p, m.mux(start, m.const(p_first - 1, IT_WIDTH), m.mux(m.and_(adv, wrap), p_inc, p)))
        next_period = m.reg_loop(1, "next_period", reset=0, rst=rst, en=always)  # adv & wrap
        one = m.const(1, DW)
        for reg_, off in ((need, 0), (need_p1, 1)):
            m.connect(reg_, m.mux(start, m.const(need0 + off, DW), m.mux(next_period, m.add(reg_, one, DW), reg_)))
        for reg_, off in ((left1, 1), (left2, 2)):
            m.connect(reg_, m.mux(start, m.sub(m.sext(steps_in, DW), m.const(need0 + off, DW), DW),
                                  m.mux(next_period, m.sub(reg_, one, DW), reg_)))
        self.flag_ctx = (start, next_period, steps_in, p_first, DW, rst)
        self.step_flags: dict[int, Sig] = {}

        def dconst(v: int) -> Sig:
            return m.const(v, DW)

        m.connect(steps, m.mux(start, steps_in, steps))
        # a job: one warm-up cycle (the last cycle of period p_first - 1), then (T-1) P + base cycles
        # its last counted cycle, (T-1) P + base - 1, from the registered T: the constant product one
        # adder per register stage (as one chain it was the ECP5 limiter); `last` is read only once it
        # is fresh, which is before any job can end (its base - 1 counted cycles)
        steps_m1 = m.reg(m.sub(steps, m.const(1, IT_WIDTH), IT_WIDTH), "steps_minus_1", en=always)
        tp, depth = self.pipelined_mul_const(m, steps_m1, P, "steps_times_period")
        last = m.reg(m.add(tp, m.const(total_base - 1, IT_WIDTH), IT_WIDTH), "last_cycle", en=always)
        DL = IT_WIDTH + 2
        last_m1 = m.reg(m.sub(m.zext(last, DL), m.const(1, DL), DL), "last_cycle_m1", en=always)
        last_m2 = m.reg(m.sub(m.zext(last, DL), m.const(2, DL), DL), "last_cycle_m2", en=always)
        # steps (1), steps - 1 (1), the product (depth), last (1), last - 1 (1), cycles left (1): fresh
        # from cycle start + depth + 5
        if depth + 5 > total_base:
            raise GenerationError(f"a job of {total_base} cycles ends before its length is computed")
        since = m.delay(start, depth + 4, "start", rst=rst, en=always)
        fresh = m.reg_loop(1, "last_fresh", reset=0, rst=rst, en=always)
        m.connect(fresh, m.mux(start, m.const(0, 1), m.mux(since, m.const(1, 1), fresh)))
        # never stalled: it moves only on start or with `advance` (not held), so the enable changes
        # nothing, and `counting` (loaded from warm_next) then needs no rule about starts and stalls
        warm = m.reg_loop(1, "warmup", reset=0, rst=rst, en=always)
        warm_next = m.mux(start, m.const(1, 1), m.mux(adv, m.const(0, 1), warm))
        m.connect(warm, warm_next)
        counting = m.reg_loop(1, "counting", reset=0, rst=rst, en=always)  # adv & !warm
        cyc_inc = m.add(cycles, m.const(1, IT_WIDTH), IT_WIDTH)
        m.connect(cycles, m.mux(start, m.const(0, IT_WIDTH), m.mux(counting, cyc_inc, cycles)))
        # cycles == last as the sign bit of last - 1 - cycles, a down-counter loaded once `last` is fresh
        # (from next cycle's count: this one's + 1 when counting) and moving with the count; cycles
        # never passes last, so the sign bit is the compare, and no 32-bit compare is left on busy's path
        left_m1 = m.reg_loop(DL, "cycles_left_m1", reset=0, rst=rst, en=always)
        # both loads from registers alone, chosen after the carry chains (counting is a late signal)
        cyc = m.zext(cycles, DL)
        loaded = m.mux(counting, m.sub(last_m2, cyc, DL), m.sub(last_m1, cyc, DL))
        m.connect(left_m1, m.mux(since, loaded, m.mux(counting, m.sub(left_m1, m.const(1, DL), DL), left_m1)))
        at_last = m.named(_sign_bit(m, left_m1), "at_last")
        finishing = m.and_(counting, fresh, at_last, name="finishing")
        busy_next = m.mux(start, m.const(1, 1), m.mux(finishing, m.const(0, 1), busy))
        m.connect(busy, busy_next)
        self.advance_ctx = (next_period, counting, busy_next, wrap_next, warm_next)
        self.p, self.cnt, self.steps, self.busy, self.rst = p, cnt, steps, busy, rst

        # ---- input interface: frame buffer, two copies per stream
        fw = b * inp.format.width
        fdepth = 2 * S * qin
        fmem = m.memory("frame_buf", fdepth, fw, 1)
        # the host side never stalls
        in_blk = m.reg_loop(bits(qin), "in_block", reset=0, rst=rst, en=always)
        in_str = m.reg_loop(bits(S), "in_stream", reset=0, rst=rst, en=always)
        # a frame may enter while the one two steps ahead of the need is not held (two copies per stream).
        # in_ready is a register of its own, loaded from the next values of busy and the two predicates
        # (connected below): it gates the frame buffer's write and the input counters, which sit away
        # from the controller, and a register with few loads is placed beside them
        in_ready = m.reg_loop(1, "in_ready", reset=0, rst=rst, en=always)
        take = m.and_(in_ready, in_valid, name="in_take")
        last_blk = m.eq_const(in_blk, qin - 1)
        last_str = m.eq_const(in_str, S - 1)
        blk_inc = m.extract(m.add(m.zext(in_blk, in_blk.width + 1), m.const(1, in_blk.width + 1)), 0, in_blk.width)
        str_inc = m.extract(m.add(m.zext(in_str, in_str.width + 1), m.const(1, in_str.width + 1)), 0, in_str.width)
        m.connect(in_blk, m.mux(start, m.const(0, in_blk.width),
                                m.mux(take, m.mux(last_blk, m.const(0, in_blk.width), blk_inc), in_blk)))
        m.connect(in_str, m.mux(start, m.const(0, in_str.width),
                                m.mux(m.and_(take, last_blk), m.mux(last_str, m.const(0, in_str.width), str_inc), in_str)))
        frame_done = m.and_(take, last_blk, last_str)
        m.connect(frames_in, m.mux(start, m.const(0, IT_WIDTH),
                                   m.mux(frame_done, m.add(frames_in, m.const(1, IT_WIDTH), IT_WIDTH), frames_in)))
        # frames ahead of the need move by (frame done) - (next period); every counter's +1 and -1 are
        # computed from the register alone and chosen after the carry chains (no logic before a chain)
        self.frame_done, self.next_period = frame_done, next_period
        only_got = m.and_(frame_done, m.not_(next_period))
        only_used = m.and_(next_period, m.not_(frame_done))
        for reg_, off in ((ahead0, 0), (ahead1, 1), (ahead2, 2), (ahead3, 3)):
            moved = m.mux(only_got, m.add(reg_, one, DW), m.mux(only_used, m.sub(reg_, one, DW), reg_))
            m.connect(reg_, m.mux(start, dconst(-need0 - off), moved))
        for reg_, off in ((to_come1, 1), (to_come2, 2)):
            m.connect(reg_, m.mux(start, m.sub(m.sext(steps_in, DW), dconst(off), DW),
                                  m.mux(frame_done, m.sub(reg_, one, DW), reg_)))
        # in_ready = busy & frames left (& a frame copy free), of next cycle; each predicate's next
        # value is the sign bit of the counter at the offset it moves to
        left_next = m.not_(m.mux(frame_done, _sign_bit(m, to_come2), _sign_bit(m, to_come1)))
        ready_terms = [left_next]
        if kshift_x is not None:
            ready_terms.append(m.mux(only_got, _sign_bit(m, ahead1),
                                     m.mux(only_used, _sign_bit(m, ahead3), _sign_bit(m, ahead2))))
        # at a start: busy, and frames to come while T >= 1 (a copy is free then unless need0 <= -2)
        start_ready = m.not_(_sign_bit(m, m.sub(m.sext(steps_in, DW), one, DW)))
        if kshift_x is not None and -need0 - 2 >= 0:
            start_ready = m.const(0, 1)
        running_ready = m.and_(m.mux(finishing, m.const(0, 1), busy), *ready_terms)
        m.connect(in_ready, m.mux(start, start_ready, running_ready, "in_ready_next"))
        fcopy = m.extract(frames_in, 0, 1)
        faddr = self.addr3(m, fcopy, 2, in_str, S, in_blk, qin, bits(fdepth), "frame_waddr")
        m.write_port(fmem, faddr, in_data, take)

        # ---- units
        self.events = []
        seqo = {}
        for u, mod in self.seq_mods.items():
            ins = {"cnt": cnt, "p": p, "busy": busy, "rst": rst, "start": start, "en": en}
            for port in mod.module_type.ports.data:
                k = port_shift(port.port_name.data)
                if k is not None:
                    ins[port.port_name.data] = self.step_flag(m, k)
            seqo[u] = m.instance(mod, f"seq_{u}", ins)
        self.seqo = seqo
        self.build_buffers(m, seqo, fmem, qin)
        m.output("in_ready", in_ready)
        # output FIFO
        self.build_output_fifo(m, fcount, fifo_depth, out_ready, start)
        ev = m.reg_loop(EVENT_WIDTH, "events", reset=0, rst=rst)
        # this cycle's events of every unit (zero in a stall cycle: the units hold), registered per term,
        # summed by a balanced tree at the terms' own widths with a register per level, then added
        terms = [m.reg(m.and_(m.replicate(run, e.width), e), f"event_term{n}", reset=0, rst=rst, en=self.always)
                 for n, e in enumerate(self.events)]
        step_ev, levels = self.pipelined_sum(m, terms, "events_sum")
        tot = m.extract(m.add(m.zext(ev, EVENT_WIDTH + 1), m.zext(step_ev, EVENT_WIDTH + 1)), 0, EVENT_WIDTH)
        m.connect(ev, m.mux(start, m.const(0, EVENT_WIDTH), tot))
        # the ports say a job is over when its counts are final: term (1), tree (levels), total (1) later
        event_pipe = 1 + levels + 1
        tail = m.delay_taps(finishing, event_pipe, "finished", rst=rst, en=always)
        m.output("busy", m.or_(busy, *tail[:-1], name="busy_port"))
        # the port's next value: tail[i] takes tail[i - 1] (tail[0] takes `finishing`)
        m.connect(idle, m.not_(m.or_(busy_next, finishing, *tail[:-2])))
        m.output("done", m.named(tail[-1], "done_pulse"))
        m.output("cycles", cycles)
        m.output("events", ev)
        self.connect_stall(m)
        self.out.top = top.name
        self.mod(top.finish())

    def connect_stall(self, m: ModuleBuilder) -> None:
        """The stall of the next cycle: at a period's start, while the frame it needs is not here (and
        still to come) or the output FIFO lacks room for a period's outputs; from sign bits and small
        registered flags only (the next value of each predicate, chosen by how its counter moves)."""
        (en, hold, at_start, adv, start, busy, need, need_p1, left1, left2, ahead0, ahead1, ahead2,
         kshift_x, need0, steps_in) = self.stall_ctx
        P, DW = self.P, need.width
        got, used = self.frame_done, self.next_period
        wrap = self.wrap
        # cnt == 0 next cycle (a job starts at cnt = P - 1)
        at_start_next = m.mux(start, m.const(1 if P == 1 else 0, 1), m.mux(adv, wrap, at_start), "at_start_next")
        m.connect(at_start, at_start_next)
        if kshift_x is not None:
            only_got, only_used = m.and_(got, m.not_(used)), m.and_(used, m.not_(got))
            # frames_in - need > 0 after this cycle's frame (+1) and period (need + 1)
            here = m.not_(m.mux(only_got, _sign_bit(m, ahead0),
                                m.mux(only_used, _sign_bit(m, ahead2), _sign_bit(m, ahead1))))
            beyond = m.or_(m.mux(used, _sign_bit(m, left2), _sign_bit(m, left1)),
                           m.mux(used, _sign_bit(m, need_p1), _sign_bit(m, need)))
            if P == 1:  # a job's first period starts at once: its predicates come from the ports
                beyond0 = m.or_(m.icmp("sle", m.sext(steps_in, DW), m.const(need0, DW)),
                                m.const(1 if need0 < 0 else 0, 1))
                ok = m.mux(start, m.or_(m.const(1 if -need0 > 0 else 0, 1), beyond0), m.or_(here, beyond))
            else:  # the cycle after start is never a period's first: its predicates do not matter
                ok = m.or_(here, beyond)
            frame_ok = m.named(ok, "frame_ok_next")
        else:
            frame_ok = m.const(1, 1)
        room = self.fifo_room
        stall = m.and_(busy, at_start_next, m.not_(m.and_(frame_ok, room)), name="stall_next")
        m.connect(en, m.not_(stall))
        m.connect(hold, stall)
        next_period, counting, busy_next, wrap_next, warm_next = self.advance_ctx
        adv_next = m.and_(busy_next, m.not_(stall), name="advance_next")
        m.connect(adv, adv_next)
        m.connect(next_period, m.and_(adv_next, wrap_next))
        m.connect(counting, m.and_(adv_next, m.not_(warm_next)))

    def step_flag(self, m: ModuleBuilder, k: int) -> Sig:
        """Whether step p - k of the job exists (0 <= p - k < steps), for the sequencers (`act_port`).

        Two counters moving with the period index, p - k and steps - p + k - 1,
        make it the AND of two inverted sign bits: nothing but a register and a
        LUT before the sequencers' item decisions.
        """
        if k in self.step_flags:
            return self.step_flags[k]
        start, next_period, steps_in, p_first, DW, rst = self.flag_ctx
        one = m.const(1, DW)
        tag = f"{k}" if k >= 0 else f"m{-k}"
        pk = m.reg_loop(DW, f"p_minus_{tag}", reset=-1, rst=rst)
        m.connect(pk, m.mux(start, m.const(p_first - 1 - k, DW), m.mux(next_period, m.add(pk, one, DW), pk)))
        rk = m.reg_loop(DW, f"steps_left_at_{tag}", reset=-1, rst=rst)
        m.connect(rk, m.mux(start, m.add(m.sext(steps_in, DW), m.const(k - p_first, DW), DW),
                            m.mux(next_period, m.sub(rk, one, DW), rk)))
        flag = m.and_(m.not_(_sign_bit(m, pk)), m.not_(_sign_bit(m, rk)), name=f"step_at_{tag}")
        self.step_flags[k] = flag
        return flag

    def pipelined_sum(self, m: ModuleBuilder, vals: list[Sig], name: str) -> tuple[Sig, int]:
        """The unsigned sum of `vals` as a balanced tree, each level registered (reset with the job's
        bookkeeping, never stalled); returns it and its levels (at least 1: the sum is registered)."""
        level = 0
        vals = list(vals) or [m.const(0, 1)]
        while True:
            level += 1
            vals = [m.reg(v, f"{name}_l{level}_{i}", reset=0, rst=self.rst, en=self.always)
                    for i, v in enumerate(sum_level(m, vals))]
            if len(vals) == 1:
                return vals[0], level

    def pipelined_mul_const(self, m: ModuleBuilder, x: Sig, c: int, name: str) -> tuple[Sig, int]:
        """x * c modulo 2^width(x), for a constant c >= 0 and an x that holds still: the top signed
        digit's shift, then one digit added per register stage; returns the product and its stages."""
        w = x.width
        digits = sorted(csd(c), key=lambda e: -e[1])
        if not digits:
            return m.const(0, w, name), 0
        assert digits[0][0] > 0  # a positive constant's top digit
        acc = m.extract(m.shl(x, digits[0][1]), 0, w)
        for n, (d, k) in enumerate(digits[1:]):
            t = m.extract(m.shl(x, k), 0, w)
            acc = m.reg(m.extract(m.add(acc, t, w) if d > 0 else m.sub(acc, t, w), 0, w), f"{name}_{n}",
                        en=self.always)
        return m.named(acc, name), len(digits) - 1

    def addr3(self, m: ModuleBuilder, copy: Sig, ncopy: int, stream: Sig, S: int, local: Sig, depth: int,
              width: int, name: str) -> Sig:
        """copy * S * depth + stream * depth + local, for constant S and depth."""
        w = width + 2
        total = m.zext(local, w)
        if S > 1:
            total = m.add(total, m.extract(self.mul_by_const_u(m, m.zext(stream, w), depth), 0, w), w)
        if ncopy > 1:
            total = m.add(total, m.extract(self.mul_by_const_u(m, m.zext(copy, w), S * depth), 0, w), w)
        return m.extract(total, 0, width, name)

    def mul_by_const_u(self, m: ModuleBuilder, x: Sig, c: int) -> Sig:
        from ernn_ir.lowering.verilog.fixed_rtl import mul_const

        return mul_const(m, m.zext(x, x.width + 1), c, "addr_mul")

    # ------------------------------------------------------------------------- buffers and datapath
    def build_buffers(self, m: ModuleBuilder, seqo, fmem: Sig, qin: int) -> None:
        g, s, cfg, b = self.g, self.s, self.cfg, self.b
        S = self.S
        R, Cc = cfg.row_lanes, cfg.col_lanes
        L_fft = units.fft_latency(b, False, self.cfg.deep)
        L_ifft = units.fft_latency(b, True, self.cfg.deep)
        en = self.en

        def copy_bits(it: Sig, n: int, nm: str) -> Sig:
            return m.extract(it, 0, max(1, (n - 1).bit_length()), nm) if n > 1 else m.const(0, 1)

        # ---- spectrum buffers: one per (spectrum, consumer matvec), cols banks
        xbufs: dict[tuple[int, int], dict] = {}
        for (k, pnum), xid in self.xbuf_ids.items():
            pi = s.parts[k][pnum]
            sp = g.spectra[pi.spectrum]
            ncp = self.copies.get(f"X{sp.index}", 1)
            depth = ncp * S * pi.chunks
            nw = spectrum_writers(g, cfg, sp)
            # a bank per column lane; with several writers (copies of a stage) each bank once per writer,
            # so that every memory has one write port: writer w holds the blocks j with j mod nw = w
            if nw == 1:
                banks = [[m.memory(f"X{sp.index}_m{k}_bank{c}", depth, b * sp.out_format.width, 1)] for c in range(Cc)]
            else:
                banks = [[m.memory(f"X{sp.index}_m{k}_bank{c}_w{w}", depth, b * sp.out_format.width, 1)
                          for w in range(nw)] for c in range(Cc)]
            xbufs[(k, pnum)] = {"banks": banks, "copies": ncp, "chunks": pi.chunks, "depth": depth, "sp": sp,
                                "writers": nw}
        self.xbufs = xbufs
        # writers of each spectrum: (valid, block j, stream, step of the data, data)
        writers: dict[int, list[tuple[Sig, Sig, Sig, Sig, Sig]]] = {}

        # ---- input rFFTs: frame buffer -> engine -> spectrum buffers
        for sp in g.spectra:
            if sp.source.kind != "input":
                continue
            so = seqo[rfftx_unit(sp.index)]
            v, mi, it, stream = so["valid"], so["m"], so["it"], so["stream"]
            fcopy = m.extract(it, 0, 1)
            raddr = self.addr3(m, fcopy, 2, stream, S, mi, qin, bits(2 * S * qin), f"frame_raddr{sp.index}")
            data = m.read_port(fmem, raddr, f"frame_rd{sp.index}", enable=en)
            # zero the padding samples of the last block
            valid_samples = sp.valid
            v1 = m.reg(v, f"rfft{sp.index}_v", reset=0, rst=self.rst)
            j1 = m.reg(mi, f"rfft{sp.index}_j")
            if valid_samples % b:
                W = sp.in_format.width
                last = m.eq_const(j1, sp.blocks - 1)
                keep = valid_samples % b
                masked = m.concat([m.const(0, (b - keep) * W), m.extract(data, 0, keep * W)])
                data = m.mux(last, masked, data, f"frame_padded{sp.index}")
            eng = m.instance(self.rfft_mods[sp.index], f"rfft{sp.index}", {"x": data})
            d = L_fft - 1
            ov = m.delay(v1, d, f"rfft{sp.index}_ov", rst=self.rst)
            self.events.append(m.and_(m.replicate(ov, event_width(b)), eng["events"]))
            writers.setdefault(sp.index, []).append((
                ov, m.delay(j1, d, f"rfft{sp.index}_j"), m.delay(m.reg(stream, f"rfft{sp.index}_s"), d, f"rfft{sp.index}_s"),
                m.delay(m.reg(it, f"rfft{sp.index}_it"), d, f"rfft{sp.index}_it"), eng["y"]))

        # ---- element-wise stages (their outputs feed spectra, states, later stages and the output)
        self.stage_out: dict[int, dict] = {}
        # vector buffers first (written by drains, read by stages)
        vbufs: dict[tuple[int, int], dict] = {}
        for st in g.stages:
            for t in st.terms():
                if t.kind == "irfft" and (t.index, t.offset) not in vbufs:
                    k = t.index
                    ncp = self.copies.get(f"v{k}", 1)
                    nb = st.length // b
                    depth = ncp * S * nb
                    w = b * g.macs[k].out_format.width
                    # one bank per IRFFT engine that drains rows of this slice (an engine writes only its bank)
                    lo = t.offset // b
                    users = vector_banks(self.s, k, lo, nb)
                    banks = {e: m.memory(f"v{k}_at{t.offset}_bank{e}", depth, w, 1) for e in users}
                    vbufs[(k, t.offset)] = {"banks": banks, "copies": ncp, "nb": nb, "depth": depth, "lo": lo}
        # state buffers: carries read element-wise
        sbufs = {}
        for c in g.carries:
            if any(t.kind == "carry" and t.index == c.index for st in g.stages for t in st.terms()):
                ncp = self.copies.get(f"state{c.index}", 1)
                nb = c.length // b
                depth = ncp * S * nb
                sbufs[c.index] = {"mem": m.memory(f"state{c.index}", depth, b * c.format.width, 1), "copies": ncp,
                                  "nb": nb, "depth": depth}
        # values passed between stages
        cbufs = {}
        for vid, (sst, so_) in enumerate(g.stage_values):
            fmt = fmt_of(g.stages[sst].outputs[so_].type)
            ncp = self.copies.get(f"s{sst}_{so_}", 1)
            nb = g.stages[sst].length // b
            depth = ncp * S * nb
            cbufs[vid] = {"mem": m.memory(f"stage{sst}_out{so_}", depth, b * fmt.width, 1), "copies": ncp, "nb": nb,
                          "depth": depth, "stage": sst, "out": so_}

        # ---- the MAC array
        so = seqo[MAC]
        v, it = so["valid"], so["it"]
        w_addr = so["w"]
        rom_words = self.weight_rom_words()
        rom_w = R * Cc * b * self.wfmt.width
        self.out.memfiles[f"{self.pre}_weights.hex"] = _hexfile(rom_words, rom_w)
        rom = m.memory("weight_rom", len(rom_words), rom_w, 1, init=f"{self.pre}_weights.hex")
        wword = m.read_port(rom, m.zext(w_addr, bits(len(rom_words))), "weight_word", enable=en)
        # spectrum reads: every buffer at its own copy, the chosen one goes to the array
        xsel_d = m.reg(so["xbuf"], "xbuf_d")
        carry_d = m.reg(so["carry"], "xcarry_d")
        it0_d = m.reg(m.eq_const(it, 0), "x_it0_d")
        choices = []
        init_words = []
        for (k, pnum), xid in sorted(self.xbuf_ids.items(), key=lambda kv: kv[1]):
            xb = xbufs[(k, pnum)]
            cp = copy_bits(it, xb["copies"], f"xcopy{xid}")
            addr = self.addr3(m, cp, xb["copies"], m.const(0, 1), 1, so["x"], S * xb["chunks"], bits(xb["depth"]),
                              f"x{xid}_raddr")
            if xb["writers"] == 1:
                outs = [m.read_port(bank[0], addr, f"x{xid}_rd{c}", enable=en) for c, bank in enumerate(xb["banks"])]
            else:
                # lane c of chunk ch reads block ch * cols + c, held by writer (ch * cols + c) mod writers
                nw = xb["writers"]
                xc_d = m.reg(so["xc"], f"x{xid}_chunk_w")
                need = max(1, (xb["chunks"] - 1).bit_length())
                idx = m.extract(xc_d, 0, need) if xc_d.width > need else xc_d
                outs = []
                for c, bank in enumerate(xb["banks"]):
                    rds = [m.read_port(bk, addr, f"x{xid}_rd{c}_w{w}", enable=en) for w, bk in enumerate(bank)]
                    wsel = m.select(idx, [m.const((ch * Cc + c) % nw, bits(nw)) for ch in range(xb["chunks"])],
                                    f"x{xid}_writer{c}")
                    outs.append(m.select(wsel, rds, f"x{xid}_rd{c}"))
            w_sp = xb["sp"].out_format.width
            if w_sp != self.xfmt.width:  # a narrower spectrum: sign-extend each value to the lanes' width
                outs = [m.concat(list(reversed([m.sext(m.extract(o, i * w_sp, w_sp), self.xfmt.width)
                                                for i in range(b)]))) for o in outs]
            # a part whose columns do not fill its last chunk: the lanes past its end read nothing
            # (their weights are zero; the zero here keeps unwritten words out of the sums)
            cols = s.parts[k][pnum].cols
            if cols % Cc:
                lastc = m.eq_const(m.reg(so["xc"], f"x{xid}_chunk_d"), xb["chunks"] - 1)
                outs = [m.mux(lastc, m.const(0, o.width), o) if c >= cols % Cc else o for c, o in enumerate(outs)]
            choices.append(m.concat(list(reversed(outs))))
            init_words.append(self.init_spectrum(k, pnum))
        xword = m.select(xsel_d, choices, "x_word")
        # the initial state's spectrum replaces the carried one in step 0
        # step 0 reads the initial state's spectrum instead of a carried one (zero for a zero state)
        if any(w is not None for w in init_words):
            init_sel = self.init_select(m, init_words, xsel_d, so)
        else:
            init_sel = m.const(0, xword.width)
        xword = m.mux(m.and_(carry_d, it0_d), init_sel, xword, "x_word_init")
        acc_copy = copy_bits(it, self.acc_copies, "acc_copy")
        acc_addr = self.addr3(m, acc_copy, self.acc_copies, m.const(0, 1), 1, so["acc"], self.acc_local,
                              bits(self.acc_depth), "acc_addr")
        # control enters the array with the data (one cycle after issue, as the memories answer)
        dso = seqo[DRAIN]
        dcopy = copy_bits(dso["it"], self.acc_copies, "drain_copy")
        daddr = self.addr3(m, dcopy, self.acc_copies, m.const(0, 1), 1, dso["acc"], self.acc_local,
                           bits(self.acc_depth), "drain_addr")
        # the accumulate stage ends the array's latency (units.mac_latency); the deep pipeline reads
        # the accumulator a cycle before its add
        T = self.s.latencies["mac"] - units.accumulate_latency(cfg.deep)
        arr = m.instance(self.array_mod, "mac_array", {
            "w": wword, "x": xword,
            "acc_we": m.delay(v, T, "mac_we", rst=self.rst),
            # a row sweep zeroes its group on its first chunk only; a column sweep on every instruction
            "acc_first": m.delay(m.and_(so["first"], m.or_(m.not_(so["row"]), m.eq_const(so["m"], 0))), T,
                                 "mac_first"),
            "acc_addr": m.delay(acc_addr, T, "mac_acc_addr"), "drain_addr": daddr})
        # ---- drains and IRFFT engines
        for k, mac in enumerate(g.macs):
            ne = cfg.irfft_engines[k]
            mine = m.and_(dso["valid"], m.eq_const(dso["mac"], k) if len(g.macs) > 1 else m.const(1, 1),
                          name=f"drain{k}_valid")
            groups = math.ceil(R / ne)
            mw_ = max(1, (groups - 1).bit_length())
            dr = m.instance(self.drain_mods[k], f"drain{k}", {
                "lanes": arr["drain"],
                "m": m.extract(dso["m"], 0, mw_) if dso["m"].width >= mw_ else m.zext(dso["m"], mw_)})
            dvalid = m.delay(mine, 2, f"drain{k}_v", rst=self.rst)
            ovalid = m.delay(dvalid, L_ifft - 1, f"irfft{k}_v", rst=self.rst)
            # where each engine's block goes: row of the lane, its slice, its local block
            d_total = 2 + L_ifft - 1
            g_d = m.delay(dso["group"], d_total, f"drain{k}_group")
            m_d = m.delay(dso["m"], d_total, f"drain{k}_m")
            s_d = m.delay(dso["stream"], d_total, f"drain{k}_stream")
            it_d = m.delay(dso["it"], d_total, f"drain{k}_it")
            g2 = m.delay(dso["group"], 2, f"drain{k}_group_q")
            m2 = m.delay(dso["m"], 2, f"drain{k}_m_q")
            for e in range(ne):
                eng = m.instance(self.irfft_mods[k], f"irfft{k}_e{e}", {"x": dr[f"spec{e}"]})
                # padding lanes of the last row group compute nothing the reference counts
                real_q = self.row_exists(m, k, e, g2, m2)
                real_o = self.row_exists(m, k, e, g_d, m_d)
                self.events.append(m.and_(m.replicate(m.and_(dvalid, real_q), 8), dr[f"events{e}"]))
                self.events.append(m.and_(m.replicate(m.and_(ovalid, real_o), event_width(b)), eng["events"]))
                # the destination of the row this engine drains at (group, m)
                for (kk, off), vb in vbufs.items():
                    if kk != k or e not in vb["banks"]:
                        continue
                    hit, local = self.dest_lookup(m, k, e, off, g_d, m_d, vb["nb"])
                    if hit is None:
                        continue
                    cp = copy_bits(it_d, vb["copies"], f"v{k}_{off}_wcopy{e}")
                    addr = self.addr3(m, cp, vb["copies"], s_d, S, local, vb["nb"], bits(vb["depth"]),
                                      f"v{k}_{off}_waddr{e}")
                    m.write_port(vb["banks"][e], addr, eng["y"], m.and_(ovalid, hit, en))

        # ---- element-wise stages
        self.out_stream_srcs = []
        for st in g.stages:
            nc = cfg.copies(st.index)
            for copy in range(nc):
                self.build_stage(m, st, seqo[ew_unit(st.index, copy, nc)], vbufs, sbufs, cbufs, writers, copy, nc)

        # ---- spectrum buffer writes
        for (k, pnum), xb in xbufs.items():
            sp = xb["sp"]
            mine = writers.get(sp.index, [])
            assert len(mine) == xb["writers"], (sp.index, len(mine), xb["writers"])
            for w, (wv, j, stream, itw, data) in enumerate(mine):
                cp = copy_bits(itw, xb["copies"], f"X{sp.index}_m{k}_wcopy")
                bank_j, local_j = self.bank_local(m, j, Cc)
                addr = self.addr3(m, cp, xb["copies"], stream, S, local_j, xb["chunks"], bits(xb["depth"]),
                                  f"X{sp.index}_m{k}_waddr")
                for c, bank in enumerate(xb["banks"]):
                    m.write_port(bank[w], addr, data, m.and_(wv, m.eq_const(bank_j, c) if Cc > 1 else m.const(1, 1), en))

    def bank_local(self, m: ModuleBuilder, j: Sig, C: int) -> tuple[Sig, Sig]:
        """(j mod C, j div C) of a block index, for the spectrum buffers' column banks."""
        if C == 1:
            return m.const(0, 1), j
        if C & (C - 1) == 0:
            k = C.bit_length() - 1
            return m.extract(j, 0, k), (m.sra(m.zext(j, j.width + 1), k) if j.width > k else m.const(0, 1))
        n = 1 << j.width
        banks = [m.const(i % C, bits(C)) for i in range(n)]
        locs = [m.const(i // C, max(1, bits(n // C + 1))) for i in range(n)]
        return m.select(j, banks), m.select(j, locs)

    def dest_lookup(self, m: ModuleBuilder, k: int, e: int, off: int, group: Sig, mi: Sig, nb: int):
        """Whether the row engine e of matvec k drains at (group, m) lands in the slice at `off`, and where."""
        cfg, b = self.cfg, self.b
        R, ne = cfg.row_lanes, cfg.irfft_engines[k]
        order = self.s.row_orders[k]
        G = self.s.groups[k]
        per = math.ceil(R / ne)
        lo = off // b
        hits, locs = [], []
        any_hit = False
        for a in range(G):
            for mm in range(per):
                lane = e + mm * ne
                pos = a * R + lane
                ok = lane < R and pos < len(order) and lo <= order[pos] < lo + nb
                hits.append(1 if ok else 0)
                locs.append(order[pos] - lo if ok else 0)
                any_hit = any_hit or ok
        if not any_hit:
            return None, None
        idx_w = max(1, (G * per - 1).bit_length())
        gi = m.zext(group, idx_w + 2)
        mw = m.zext(mi, idx_w + 2)
        idx = m.extract(m.add(m.extract(self.mul_by_const_u(m, gi, per), 0, idx_w + 2), mw, idx_w + 2), 0, idx_w)
        hit = m.select(idx, [m.const(h, 1) for h in hits])
        local = m.select(idx, [m.const(x, bits(nb)) for x in locs])
        return m.and_(hit, m.const(1, 1)), local

    def row_exists(self, m: ModuleBuilder, k: int, e: int, group: Sig, mi: Sig) -> Sig:
        """Whether engine e of matvec k drains a real row (not a padding lane) at (group, m)."""
        R, ne = self.cfg.row_lanes, self.cfg.irfft_engines[k]
        order = self.s.row_orders[k]
        G = self.s.groups[k]
        per = math.ceil(R / ne)
        flags = []
        for a in range(G):
            for mm in range(per):
                lane = e + mm * ne
                flags.append(1 if lane < R and a * R + lane < len(order) else 0)
        if all(flags):
            return m.const(1, 1)
        idx_w = max(1, (G * per - 1).bit_length())
        gi = m.zext(group, idx_w + 2)
        idx = m.extract(m.add(m.extract(self.mul_by_const_u(m, gi, per), 0, idx_w + 2), m.zext(mi, idx_w + 2),
                              idx_w + 2), 0, idx_w)
        return m.select(idx, [m.const(f, 1) for f in flags])

    def init_spectrum(self, k: int, pnum: int):
        """The spectrum of the initial state a carried part reads in step 0 (None when it is zero)."""
        g, s = self.g, self.s
        pi = s.parts[k][pnum]
        sp = g.spectra[pi.spectrum]
        if sp.source.kind != "carry":
            return None
        c = g.carries[sp.source.index]
        if not c.init.any():
            return None
        rnd, ovf = modes(sp.op)
        x = np.zeros(sp.blocks * self.b, dtype=np.int64)
        x[: len(c.init)] = c.init
        spec, _ = rfft_fixed(x, sp.in_format.frac, self.b, sp.out_format, _tw(sp.op), rnd, ovf)
        return word_of_block(spec)  # [blocks, b]

    def init_select(self, m: ModuleBuilder, inits, xsel_d: Sig, so) -> Sig:
        """The init spectrum words of the chunk being read (registered like a memory read)."""
        b, Cc = self.b, self.cfg.col_lanes
        words = []
        for (k, pnum), xid in sorted(self.xbuf_ids.items(), key=lambda kv: kv[1]):
            iw = inits[xid]
            pi = self.s.parts[k][pnum]
            W = self.xfmt.width  # the lanes' width: the array reads every spectrum at it
            if not isinstance(iw, np.ndarray):
                words.append([m.const(0, Cc * b * W)] * pi.chunks)
                continue
            cw = []
            for c in range(pi.chunks):
                vals = []
                for lane in range(Cc):
                    j = c * Cc + lane
                    vals.append(_pack(iw[j], W) if j < len(iw) else 0)
                word = 0
                for lane, vv in enumerate(vals):
                    word |= vv << (lane * b * W)
                cw.append(m.const(word, Cc * b * W))
            words.append(cw)
        chunk = m.reg(so["xc"], "x_chunk_d")
        per_buf = [m.select(chunk, ws) for ws in words]
        return m.select(xsel_d, per_buf, "x_init_word")

    def weight_rom_words(self) -> list[int]:
        from ernn_ir.dialects.ernn.checks import dense_to_numpy

        rom = next(o for o in self.v.design.body.block.ops if o.name == "ernn_hw.rom")
        img = dense_to_numpy(rom.contents).astype(np.int64)  # [banks, depth, b]
        W = self.wfmt.width
        words = []
        banks, depth, b = img.shape
        for a in range(depth):
            word = 0
            for lane in range(banks):
                word |= _pack(img[lane, a], W) << (lane * b * W)
            words.append(word)
        return words

    def build_stage(self, m: ModuleBuilder, st, so, vbufs, sbufs, cbufs, writers, copy: int, copies: int) -> None:
        """Copy `copy` of stage st's `copies`: operand reads, lanes, destinations, named after its unit
        (`ew<s>`, or `ew<s>c<copy>` with its own rFFT engines `rfft<sp>c<copy>`)."""
        tag = ew_unit(st.index, copy, copies)
        copy_suffix = f"c{copy}" if copies > 1 else ""
        g, cfg, b, S = self.g, self.cfg, self.b, self.S
        E = cfg.ew_lanes[st.index]
        D_e = b // E
        depth = self.ew_depth[st.index]
        L_fft = units.fft_latency(b, False, self.cfg.deep)
        en = self.en
        v, mi, it, u, stream = so["valid"], so["m"], so["it"], so["u"], so["stream"]

        def copy_of(itv: Sig, n: int) -> Sig:
            return m.extract(itv, 0, max(1, (n - 1).bit_length())) if n > 1 else m.const(0, 1)

        terms = st.terms()
        term_words: dict[Term, Sig] = {}
        it0_d = m.reg(m.eq_const(it, 0), f"{tag}_it0")
        for n, t in enumerate(terms):
            fmt = self.term_format(t)
            if t.kind == "irfft":
                vb = vbufs[(t.index, t.offset)]
                cp = copy_of(it, vb["copies"])
                addr = self.addr3(m, cp, vb["copies"], stream, S, u, vb["nb"], bits(vb["depth"]),
                                  f"{tag}_t{n}_addr")
                rd = {e: m.read_port(bank, addr, f"{tag}_t{n}_rd{e}", enable=en) for e, bank in vb["banks"].items()}
                if len(rd) == 1:
                    term_words[t] = next(iter(rd.values()))
                else:
                    bank_d = m.reg(so[f"bank{n}"], f"{tag}_t{n}_bank")
                    anyb = next(iter(rd.values()))
                    outs = [rd.get(e, anyb) for e in range(max(rd) + 1)]
                    term_words[t] = m.select(bank_d, outs)
            elif t.kind == "carry":
                sb = sbufs[t.index]
                itp = m.sub(it, m.const(1, IT_WIDTH), IT_WIDTH)
                cp = copy_of(itp, sb["copies"])
                local = m.add(m.zext(u, bits(sb["nb"]) + 1), m.const(t.offset // b, bits(sb["nb"]) + 1))
                addr = self.addr3(m, cp, sb["copies"], stream, S, m.extract(local, 0, bits(sb["nb"])), sb["nb"],
                                  bits(sb["depth"]), f"{tag}_t{n}_addr")
                rd = m.read_port(sb["mem"], addr, f"{tag}_t{n}_rd", enable=en)
                c = g.carries[t.index]
                init_blocks = [_pack(c.init[j * b:(j + 1) * b], fmt.width) for j in range(c.length // b)]
                u_d = m.reg(u, f"{tag}_t{n}_u")
                iv = m.select(m.add(m.zext(u_d, u_d.width + 1), m.const(t.offset // b, u_d.width + 1)),
                              [m.const(w, b * fmt.width) for w in init_blocks]) if any(init_blocks) else m.const(0, b * fmt.width)
                term_words[t] = m.mux(it0_d, iv, rd, f"{tag}_t{n}_state")
            elif t.kind == "const":
                arr = g.constants[t.index]
                if arr.size == 1:
                    term_words[t] = m.replicate(m.const(int(arr[0]), fmt.width), b)
                else:
                    nbk = st.length // b
                    blocks = [_pack(arr[t.offset + j * b: t.offset + (j + 1) * b], fmt.width) for j in range(nbk)]
                    u_d = m.reg(u, f"{tag}_t{n}_cu")
                    term_words[t] = m.select(u_d, [m.const(w, b * fmt.width) for w in blocks], f"{tag}_c{n}")
            elif t.kind == "stage":
                cb = cbufs[t.index]
                cp = copy_of(it, cb["copies"])
                local = m.add(m.zext(u, bits(cb["nb"]) + 1), m.const(t.offset // b, bits(cb["nb"]) + 1))
                addr = self.addr3(m, cp, cb["copies"], stream, S, m.extract(local, 0, bits(cb["nb"])), cb["nb"],
                                  bits(cb["depth"]), f"{tag}_t{n}_addr")
                term_words[t] = m.read_port(cb["mem"], addr, f"{tag}_t{n}_rd", enable=en)
        # lanes: group m of the block
        m_d = m.reg(mi, f"{tag}_m")
        v_d = m.reg(v, f"{tag}_v", reset=0, rst=self.rst)
        lane_outs = []
        lane_events = []
        for lane in range(E):
            ins = {}
            for t in terms:
                fmt = self.term_format(t)
                word = term_words[t]
                choices = [m.extract(word, (g_ * E + lane) * fmt.width, fmt.width) for g_ in range(D_e)]
                ins[term_name(t)] = m.select(m_d, choices) if D_e > 1 else choices[0]
            r = m.instance(self.ew_mods[st.index], f"{tag}_lane{lane}", ins)
            lane_outs.append(r)
            lane_events += [v for k, v in r.items() if k.startswith("events")]
        vo = m.delay(v_d, depth, f"{tag}_vo", rst=self.rst)
        mo = m.delay(m_d, depth, f"{tag}_mo")
        itd = m.delay(m.reg(it, f"{tag}_it_d"), depth, f"{tag}_ito")
        ud = m.delay(m.reg(u, f"{tag}_u_d"), depth, f"{tag}_uo")
        sd = m.delay(m.reg(stream, f"{tag}_s_d"), depth, f"{tag}_so")
        for ev in lane_events:
            self.events.append(m.and_(m.replicate(vo, ev.width), ev))
        last_group = m.and_(vo, m.eq_const(mo, D_e - 1) if D_e > 1 else m.const(1, 1), name=f"{tag}_block_done")
        # gather each output's block: groups 0 .. D_e-2 in registers, the last one as it comes
        blocks = []
        for j, outv in enumerate(st.outputs):
            fmt = fmt_of(outv.type)
            W = fmt.width
            groups = []
            for g_ in range(D_e):
                cur = m.concat(list(reversed([lane_outs[lane][f"out{j}"] for lane in range(E)])))
                if g_ < D_e - 1:
                    here = m.and_(vo, m.eq_const(mo, g_) if D_e > 1 else m.const(1, 1))
                    r = m.reg_loop(E * W, f"{tag}_out{j}_g{g_}")
                    m.connect(r, m.mux(here, cur, r))
                    groups.append(r)
                else:
                    groups.append(cur)
            blocks.append(m.concat(list(reversed(groups)), f"{tag}_out{j}_block"))
        # destinations
        for j, outv in enumerate(st.outputs):
            blk = blocks[j]
            for c in g.carries:
                if c.next.index == st.index and c.next.output == j and c.index in sbufs:
                    sb = sbufs[c.index]
                    cp = copy_of(itd, sb["copies"])
                    addr = self.addr3(m, cp, sb["copies"], sd, S, ud, sb["nb"], bits(sb["depth"]), f"state{c.index}_waddr")
                    m.write_port(sb["mem"], addr, blk, m.and_(last_group, en))
            for cb in cbufs.values():
                if cb["stage"] == st.index and cb["out"] == j:
                    cp = copy_of(itd, cb["copies"])
                    addr = self.addr3(m, cp, cb["copies"], sd, S, ud, cb["nb"], bits(cb["depth"]), f"stage{st.index}_{j}_waddr")
                    m.write_port(cb["mem"], addr, blk, m.and_(last_group, en))
            so_out = g.outputs[0].source
            if so_out.kind == "stage" and so_out.index == st.index and so_out.output == j:
                self.out_stream_srcs.append((last_group, blk, itd, sd, ud))
            # attached rFFTs: spectra of this output (in-step) or of a carry it produces (next step)
            for sp in g.spectra:
                src = sp.source
                nxt = False
                if src.kind == "stage" and src.index == st.index and src.output == j:
                    pass
                elif src.kind == "carry" and g.carries[src.index].next.index == st.index and \
                        g.carries[src.index].next.output == j:
                    nxt = True
                else:
                    continue
                # one engine per copy of the stage (writer w of the spectrum writes its blocks u = w mod copies)
                rt = f"rfft{sp.index}{copy_suffix}"
                gathered = m.reg(blk, f"{rt}_in")
                gv = m.reg(last_group, f"{rt}_in_v", reset=0, rst=self.rst)
                eng = m.instance(self.rfft_mods[sp.index], rt, {"x": gathered})
                d = L_fft - 1
                ov = m.delay(gv, d, f"{rt}_ov", rst=self.rst)
                self.events.append(m.and_(m.replicate(ov, event_width(b)), eng["events"]))
                it_w = m.add(itd, m.const(1, IT_WIDTH), IT_WIDTH) if nxt else itd
                writers.setdefault(sp.index, []).append((
                    ov, m.delay(m.reg(ud, f"{rt}_u"), d, f"{rt}_u"),
                    m.delay(m.reg(sd, f"{rt}_s"), d, f"{rt}_s"),
                    m.delay(m.reg(it_w, f"{rt}_it"), d, f"{rt}_it"), eng["y"]))

    def build_output_fifo(self, m: ModuleBuilder, fcount: Sig, depth: int, out_ready: Sig, start: Sig) -> None:
        b = self.b
        g = self.g
        if len(self.out_stream_srcs) > 1:
            return self.build_banked_fifo(m, fcount, depth, out_ready)
        wv, blk, itd, sd, ud = self.out_stream_srcs[0]
        W = g.outputs[0].format.width
        tag_w = IT_WIDTH + bits(self.S) + bits(g.outputs[0].length // b)
        ew = b * W + tag_w
        aw = bits(depth)
        mem = m.memory("out_fifo", depth, ew, 0)
        wp = m.reg_loop(aw, "fifo_wp", reset=0, rst=self.rst, en=self.always)
        rp = m.reg_loop(aw, "fifo_rp", reset=0, rst=self.rst, en=self.always)
        push = m.and_(wv, self.run, name="fifo_push")
        m.write_port(mem, wp, m.concat([itd, sd, ud, blk]), push)
        self._fifo_read_side(m, fcount, out_ready, wp,
                             lambda: m.mux(push, m.extract(m.add(m.zext(wp, aw + 1), m.const(1, aw + 1), aw + 1),
                                                           0, aw), wp),
                             rp, push, lambda: m.read_port(mem, rp, "fifo_head"))

    def _fifo_read_side(self, m: ModuleBuilder, fcount: Sig, out_ready: Sig, wp: Sig, wp_next, rp: Sig,
                        npush: Sig, read_head) -> None:
        """What both output FIFOs share: one pop per cycle when ready, the pointers and the count
        (`npush` elements in, the pop out), and the head word split into the out_* ports.

        The count's compares that the stall reads (empty; room for a period's outputs) are flags
        kept in registers, each loaded from the compare of the count's next value (chosen by how
        the count moves, so no adder sits before it): the stall decision, which fans out to every
        register, then starts at those flags.  `wp_next` and `read_head` build their signals when
        called, after the pop: the order the generated names are numbered in."""
        b, W = self.b, self.g.outputs[0].format.width
        aw = rp.width
        cw = fcount.width
        copies = len(self.out_stream_srcs)
        room_k = self.fifo_room_k

        def at_most(t: int) -> Sig:  # fcount <= t, from the register
            return m.icmp("ule", fcount, m.const(t, cw), signed_ext=False) if t >= 0 else m.const(0, 1)

        # flags fcount <= t: t = 0 (empty) and the room thresholds room_k - d for every move d of a cycle
        moves = range(-1, copies + 1)  # d = pushes - pop
        flags = {t: m.reg_loop(1, f"fifo_at_most_{t}", reset=1, rst=self.rst, en=self.always) if t >= 0
                 else m.const(0, 1) for t in sorted({0} | {room_k - d for d in moves})}
        nonempty = m.not_(flags[0], "fifo_nonempty")
        pop = m.and_(nonempty, out_ready, name="fifo_pop")

        def moved(value_at) -> Sig:  # value_at(d) under this cycle's move d = npush - pop
            if copies == 1:
                return m.mux(m.and_(npush, m.not_(pop)), value_at(1),
                             m.mux(m.and_(pop, m.not_(npush)), value_at(-1), value_at(0)))
            return m.select(npush, [m.mux(pop, value_at(v - 1), value_at(v)) for v in range(copies + 1)])

        for t, flag in flags.items():
            if t >= 0:
                m.connect(flag, moved(lambda d, t=t: at_most(t - d)))
        # room for a period's outputs after this cycle: fcount + d <= room_k
        self.fifo_room = m.named(moved(lambda d: flags[room_k - d]), "fifo_room_next")
        m.connect(wp, wp_next())
        one = m.const(1, aw + 1)
        m.connect(rp, m.mux(pop, m.extract(m.add(m.zext(rp, aw + 1), one, aw + 1), 0, aw), rp))
        inc = m.add(fcount, m.zext(npush, cw), cw + 1)
        dec = m.sub(inc, m.zext(pop, cw + 1), cw + 1)
        m.connect(fcount, m.extract(dec, 0, cw))
        head = read_head()
        nb = bits(self.g.outputs[0].length // b)
        m.output("out_valid", nonempty)
        m.output("out_data", m.extract(head, 0, b * W))
        m.output("out_block", m.extract(head, b * W, nb))
        m.output("out_stream", m.extract(head, b * W + nb, bits(self.S)))
        m.output("out_step", m.extract(head, b * W + nb + bits(self.S), IT_WIDTH))

    def build_banked_fifo(self, m: ModuleBuilder, fcount: Sig, depth: int, out_ready: Sig) -> None:
        """The output FIFO of a stage with copies: up to one push per copy per cycle, one pop.

        Entry n lives in bank n mod k at address n div k (k copies, a power of two dividing the
        depth).  A cycle's pushes take the positions wp, wp + 1, ... in copy order, so each bank gets
        at most one of them: bank i takes position wp + ((i - wp) mod k), from the push whose count
        of earlier pushes is that offset.  Elements leave as from the one-bank FIFO.
        """
        srcs = self.out_stream_srcs
        k = len(srcs)
        if k & (k - 1) or depth % k:
            raise GenerationError(f"the output stage has {k} copies: the output FIFO needs a power of two")
        sh = k.bit_length() - 1
        aw = bits(depth)
        bw = bits(depth // k)
        wp = m.reg_loop(aw, "fifo_wp", reset=0, rst=self.rst, en=self.always)
        rp = m.reg_loop(aw, "fifo_rp", reset=0, rst=self.rst, en=self.always)
        cw_k = bits(k + 1)
        valids = [m.and_(wv, self.run, name=f"fifo_push{i}") for i, (wv, *_rest) in enumerate(srcs)]
        # pushes before copy i this cycle
        before = [m.const(0, cw_k)]
        for i in range(1, k + 1):
            before.append(m.add(before[-1], m.zext(valids[i - 1], cw_k), cw_k))
        npush = m.named(before[k], "fifo_npush")
        words = [m.concat([itd, sd, ud, blk]) for (_wv, blk, itd, sd, ud) in srcs]
        wp_lo = m.extract(wp, 0, sh)
        heads = []
        for i in range(k):
            mem = m.memory(f"out_fifo_bank{i}", depth // k, words[0].width, 0)
            off = m.extract(m.sub(m.const(i, sh + 1), m.zext(wp_lo, sh + 1), sh + 1), 0, sh, f"fifo_off{i}")
            pos = m.extract(m.add(m.zext(wp, aw + 1), m.zext(off, aw + 1), aw + 1), 0, aw)
            addr = m.extract(pos, sh, bw) if aw > sh else m.const(0, bw)
            # the push with `off` earlier pushes writes here
            data, hit = words[-1], m.const(0, 1)
            for j in reversed(range(k)):
                here = m.and_(valids[j], m.icmp("eq", before[j], m.zext(off, cw_k), signed_ext=False))
                data = m.mux(here, words[j], data)
                hit = m.or_(here, hit)
            m.write_port(mem, addr, data, m.named(hit, f"fifo_we{i}"))
            raddr = m.extract(rp, sh, bw) if aw > sh else m.const(0, bw)
            heads.append(m.read_port(mem, raddr, f"fifo_head{i}"))
        self._fifo_read_side(m, fcount, out_ready, wp,
                             lambda: m.extract(m.add(m.zext(wp, aw + 1), m.zext(npush, aw + 1), aw + 1), 0, aw),
                             rp, npush, lambda: m.select(m.extract(rp, 0, sh), heads, "fifo_head"))
