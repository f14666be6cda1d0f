"""Resource estimates of a scheduled design: multipliers, DSP slices, block RAM, LUTs and flip-flops.

How each figure is derived (docs/hardware.md, "Resources"):

- MAC multipliers: lanes x (2 real bins + (b/2 - 1) complex bins x cmul);
  DSP slices per multiply from the operand widths and the device's slice
  (`devices.dsp_per_multiply`, the split yosys' mul2dsp makes).
- Element-wise multipliers: every `ernn.mul` and every PWL slope product of a
  stage, times its lanes.  FFT twiddles are constants, built as shift-add
  networks, so the FFTs use no DSP slices.
- Block RAM: every synchronously read memory (the weight ROM, one word of
  all its banks; spectrum, vector, state and frame buffers, bank by bank as
  the RTL builds them) maps to 18-Kbit blocks by the aspect ratios 512x36,
  1Kx18, 2Kx9, 4Kx4, 8Kx2, 16Kx1 (`bram18_for`); memories under 1 Kbit
  stay in LUTs.  Accumulators are LUT RAM (two asynchronous
  read ports: the accumulate and the drain).
- LUTs and FFs: per-unit formulas counted from the generated datapath
  (adders cost one LUT per bit, registers one FF per bit, multiplexers
  width x (inputs - 1) / 4 LUTs, LUT RAM one LUT per 64 x 1 bits per read port);
  docs/hardware.md compares them with yosys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ernn_ir.dialects.ernn import MulOp, PwlOp, SliceOp
from ernn_ir.hardware.devices import Device, dsp_per_multiply
from ernn_ir.hardware.fft_cost import engine_cost
from ernn_ir.hardware.schedule import Schedule, mac_lane_multipliers, spectrum_writers, vector_banks
from ernn_ir.hardware.stepgraph import StepGraph, fmt_of
from ernn_ir.numerics import FixedFormat
from ernn_ir.numerics.fixed import csd

ASPECTS = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
LUTRAM_BITS = 1024


def bram18_for(depth: int, width: int) -> int:
    """18-Kbit blocks for a depth x width memory: the cheapest single aspect ratio, tiled."""
    if depth * width <= LUTRAM_BITS:
        return 0
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in ASPECTS)


@dataclass
class Memory:
    name: str
    kind: str
    of: str
    banks: int
    depth: int
    width: int
    copies: int = 1

    @property
    def bits(self) -> int:
        return self.banks * self.depth * self.copies * self.width

    @property
    def bram18(self) -> int:
        if self.kind == "accumulator" or self.depth * self.copies <= LUTRAM_DEPTH:
            return 0  # LUT RAM / LUT ROM
        if self.kind == "rom":
            # every bank is read at the MAC sequencer's one address: the RTL holds them side by side
            # in one wide word, which synthesis tiles as a whole (less rounding than bank by bank)
            return bram18_for(self.depth * self.copies, self.banks * self.width)
        return self.banks * bram18_for(self.depth * self.copies, self.width)


@dataclass
class Resources:
    mac_multipliers: int
    ew_multipliers: int
    dsp: int
    bram18: int
    lut: int
    ff: int
    memories: list[Memory] = field(default_factory=list)
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)

    def over(self, dev: Device) -> list[tuple[str, int, int]]:
        """(resource, needed, available) for everything the design exceeds on `dev`."""
        out = []
        for name, need, have in (("DSP", self.dsp, dev.dsp), ("BRAM18", self.bram18, dev.bram18),
                                 ("LUT", self.lut, dev.lut), ("FF", self.ff, dev.ff)):
            if need > have:
                out.append((name, need, have))
        return out


def acc_width(g: StepGraph, k: int) -> int:
    """Bits of matvec k's exact accumulators: product width + 1 (complex sum) + log2 of the columns."""
    m = g.macs[k]
    return m.weight_format.width + m.input_format.width + 1 + max(1, math.ceil(math.log2(max(2, m.cols))))


def ew_multipliers(g: StepGraph, stage: int) -> list[tuple[int, int]]:
    """(a_bits, b_bits) of every multiplier in one lane of an element-wise stage."""
    out = []
    for n in g.stages[stage].nodes():
        if isinstance(n.op, MulOp):
            out.append((fmt_of(n.op.lhs.type).width, fmt_of(n.op.rhs.type).width))
        elif isinstance(n.op, PwlOp):
            assert n.op.coeff is not None
            xin = fmt_of(n.op.input.type)
            # the clamped input spans the table's range: its magnitude bits
            n_seg = len(n.op.slopes.get_shape()) and n.op.slopes.get_shape()[0]
            span = n_seg * 2.0 ** n.op.log2_step.value.data
            lo = n.op.x_min.value.data
            mag = max(abs(lo), abs(lo + span))
            bits = min(xin.width, max(2, math.ceil(math.log2(mag * 2.0**xin.frac + 1)) + 1))
            out.append((n.op.coeff.width.data, bits))
    return out


def copy_key(name: str) -> str:
    """The schedule's name of the value a buffer holds (`X3_m1` -> `X3`, `v0_64` -> `v0`)."""
    return name if name.startswith("s") and not name.startswith("state") else name.split("_")[0]


def spectrum_of(g: StepGraph, sp) -> str:
    """What a spectrum transforms, for people: 'input x_t', 'state r', 'h'."""
    src = sp.source
    if src.kind == "input":
        return f"input {g.inputs[src.index].name}"
    if src.kind == "carry":
        return f"state {g.carries[src.index].name}"
    v = g.stage_output(src)
    return v.name_hint or f"stage {src.index} output {src.output}"


def matvec_of(g: StepGraph, k: int) -> str:
    return g.macs[k].irfft.result.name_hint or f"matvec {k}"


def memories(s: Schedule, copies: dict[str, int]) -> list[Memory]:
    g, cfg = s.graph, s.config
    b = g.block
    S = cfg.streams
    mems: list[Memory] = []
    depth = sum(s.groups[k] * sum(p.chunks for p in s.parts[k]) for k in range(len(g.macs)))
    wbits = max(m.weight_format.width for m in g.macs)
    mems.append(Memory("weights", "rom", "weights", cfg.row_lanes * cfg.col_lanes, depth, b * wbits))
    for sp in g.spectra:
        for (k, _off) in sp.consumers:
            pi = next(p for p in s.parts[k] if p.spectrum == sp.index)
            # a bank per column lane, each once per writing rFFT engine (a copy of the stage: gen.py)
            mems.append(Memory(f"X{sp.index}_m{k}", "spectrum", f"rfft({spectrum_of(g, sp)})",
                               cfg.col_lanes * spectrum_writers(g, cfg, sp), pi.chunks * S,
                               b * sp.out_format.width, copies.get(f"X{sp.index}", 2)))
    for k, m in enumerate(g.macs):
        mems.append(Memory(f"acc{k}", "accumulator", matvec_of(g, k), cfg.row_lanes, s.groups[k] * S,
                           2 * (b // 2 + 1) * acc_width(g, k), copies.get(f"acc{k}", 2)))
    for st in g.stages:
        seen = set()
        for t in st.terms():
            if t.kind == "irfft" and (t.index, t.offset) not in seen:
                seen.add((t.index, t.offset))
                f = g.macs[t.index].out_format
                # a bank per IRFFT engine draining the slice, each read by every copy of the stage
                # (synthesis builds one memory per read port)
                writers = len(vector_banks(s, t.index, t.offset // b, st.length // b))
                mems.append(Memory(f"v{t.index}_{t.offset}", "vector", f"{matvec_of(g, t.index)}[{t.offset}:]",
                                   writers * cfg.copies(st.index), st.length // b * S, b * f.width,
                                   copies.get(f"v{t.index}", 2)))
    for c in g.carries:
        readers = any(t.kind == "carry" and t.index == c.index for st in g.stages for t in st.terms())
        if readers:
            mems.append(Memory(f"state{c.index}", "state", c.name, 1, c.length // b * S, b * c.format.width,
                               copies.get(f"state{c.index}", 2)))
    for i in g.inputs:
        mems.append(Memory(f"frame{i.index}", "frame", i.name, 1, math.ceil(i.length / b) * S,
                           b * i.format.width, 2))
    return mems


def estimate(s: Schedule, device: Device, copies: dict[str, int] | None = None) -> Resources:
    g, cfg = s.graph, s.config
    b = g.block
    lanes = cfg.row_lanes * cfg.col_lanes
    per_lane = mac_lane_multipliers(b, cfg.cmul)
    mac_mults = lanes * per_lane
    wx = max(m.input_format.width for m in g.macs)
    ww = max(m.weight_format.width for m in g.macs)
    if cfg.cmul == 3:
        lane_dsp = 2 * dsp_per_multiply(device, wx, ww) + (b // 2 - 1) * (
            dsp_per_multiply(device, wx, ww + 1) + 2 * dsp_per_multiply(device, ww, wx + 1))
    else:
        lane_dsp = (2 + 4 * (b // 2 - 1)) * dsp_per_multiply(device, wx, ww)
    mac_dsp = lanes * lane_dsp
    ew_mults = 0
    ew_dsp = 0
    for st in g.stages:
        ms = ew_multipliers(g, st.index)
        lanes_e = cfg.ew_lanes[st.index] * cfg.copies(st.index)
        ew_mults += len(ms) * lanes_e
        ew_dsp += sum(dsp_per_multiply(device, a, c) for a, c in ms) * lanes_e
    mems = memories(s, copies or {})
    bram = sum(m.bram18 for m in mems)

    bd = _logic(s, copies or {}, mems)
    lut = sum(v["lut"] for v in bd.values())
    ff = sum(v["ff"] for v in bd.values())
    return Resources(mac_multipliers=mac_mults, ew_multipliers=ew_mults, dsp=mac_dsp + ew_dsp, bram18=bram,
                     lut=lut, ff=ff, memories=mems, breakdown=bd)


# Factors fitted to yosys 0.23 synth_xilinx (bench/bench_synthesis.py; docs/hardware.md, "Resources"):
# LUTs per adder bit and per multiplexer bit of the FFT engines (LUT6_2 packing shares some of them),
# FFs per counted register bit (synthesis merges a few duplicates).
FFT_LUT_PER_ADDER_BIT = 0.68
FFT_LUT_PER_MUX_BIT = 0.53
FFT_FF_PER_REG_BIT = 0.9
# element-wise lane, per bit of an add/sub/requantize result, per PWL unit, per bit of a product
EW_LUT_PER_ADD_BIT, EW_LUT_PER_PWL = 2.8, 135
EW_FF_PER_ADD_BIT, EW_FF_PER_PWL, EW_FF_PER_MUL_BIT = 0.58, 168, 2.47
LUTRAM_DEPTH = 64  # memories up to this deep are LUT RAM / LUT ROM (yosys' xilinx memory mapping)


def _lutram_luts(depth: int, width: int) -> int:
    """LUTs of a depth x width simple dual-port LUT RAM: RAM32M16 cells, 14 bits x 32 words in 8 LUTs."""
    return 8 * math.ceil(width / 14) * math.ceil(depth / 32)


def _adder_tree(cols: int, product: int, acc: int) -> tuple[int, int]:
    """(adder bits, register bits) per bin of a column adder tree (`mac_rtl.adder_tree`).

    The RTL adds at the accumulator's width; synthesis narrows each add to what its sign-extended
    operands need (one bit per level above the product), and keeps every level's registers whole
    (pass-throughs of an odd level included)."""
    widths, adds, regs = [product] * cols, 0, 0
    while len(widths) > 1:
        nxt = [min(acc, max(a, c) + 1) for a, c in zip(widths[0::2], widths[1::2])]
        adds += sum(nxt)
        if len(widths) % 2:
            nxt.append(widths[-1])
        regs += acc * len(nxt)
        widths = nxt
    return adds, regs


def _logic(s: Schedule, copies: dict[str, int], mems: list[Memory]) -> dict[str, dict[str, int]]:
    """LUTs and FFs per generated unit (the keys `unit_of_module` gives the Verilog modules)."""
    g, cfg = s.graph, s.config
    b = g.block
    K = b // 2 - 1  # complex bins per block
    wx = max(m.input_format.width for m in g.macs)
    ww = max(m.weight_format.width for m in g.macs)
    P = ww + wx + 2
    lanes = cfg.row_lanes * cfg.col_lanes
    bd: dict[str, dict[str, int]] = {}
    # MAC lane: operand, pre-add, product and combine registers (mac_rtl.mac_lane)
    if cfg.cmul == 3:
        lane_ff = 2 * (ww + wx) + K * (3 * ww + 3 * wx + 3) + 2 * (ww + wx) + K * 3 * (ww + wx + 1) + b * P
        lane_lut = K * ((ww + 1) + 2 * (wx + 1) + 2 * P)
    else:
        lane_ff = 2 * (ww + wx) + K * 4 * (ww + wx) + 2 * (ww + wx) + K * 4 * (ww + wx) + b * P
        lane_lut = K * 2 * P
    bd["mac_lane"] = {"lut": lanes * lane_lut, "ff": lanes * lane_ff}
    # MAC array (mac_rtl.mac_array), per row lane: the column adder tree, the accumulate (the
    # zero-or-old mux and the adder; the deep pipeline muxes the zero and the forwarded sum in front
    # of a read register, and registers the tree's sums), the accumulator LUT RAM
    acc_bits = max(acc_width(g, k) for k in range(len(g.macs)))
    acc_depth = sum(s.groups[k] for k in range(len(g.macs))) * cfg.streams
    word = b * acc_bits
    tree_lut, tree_regs = _adder_tree(cfg.col_lanes, P, acc_bits)
    tree, tree_ff = b * tree_lut, b * tree_regs
    acc_ram = cfg.row_lanes * word * math.ceil(acc_depth / 32)  # two read ports: about 1 LUT per bit
    accumulate = (3 if cfg.deep else 2) * word
    bd["mac_array"] = {"lut": cfg.row_lanes * (tree + accumulate) + acc_ram,
                       "ff": cfg.row_lanes * (tree_ff + (2 * word if cfg.deep else 0)), "lutram": acc_ram}
    # FFT engines
    for unit, engines in (("rfft", [(_rfft_engines(g, cfg, sp), sp.in_format,
                                     sp.out_format, _twiddle_format(sp.op), False) for sp in g.spectra]),
                          ("irfft", [(cfg.irfft_engines[k], m.result_format, m.out_format,
                                      _twiddle_format(m.irfft), True) for k, m in enumerate(g.macs)])):
        lut = ff = 0
        for n, fin, fout, tw, inverse in engines:
            c = engine_cost(b, fin, fout, tw, inverse)
            lut += n * round(FFT_LUT_PER_ADDER_BIT * c.adder_bits + FFT_LUT_PER_MUX_BIT * (c.mux_bits + c.flags))
            ff += n * round(FFT_FF_PER_REG_BIT * c.reg_bits)
        bd[unit] = {"lut": lut, "ff": ff}
    # drains: row-lane select, one requantize per value, registers (mac_rtl.drain_unit).  A value's
    # requantize is its overflow check and saturating mux (about res_w + 2 LUTs) and, when it drops
    # fraction bits, the rounding's carry chain, as wide as the result (fixed_rtl.round_fit): without
    # that chain the drains of lstm_b2, gru_before_b2 and lstmp_peep_b4 came out at 0.52-0.72 of yosys
    # (2026-12-03), with it at 1.00-1.03; gru_b4, which drops none, stays at 1.02
    lut = ff = 0
    for k, m in enumerate(g.macs):
        e = cfg.irfft_engines[k]
        groups = math.ceil(cfg.row_lanes / e)
        res_w = m.result_format.width
        mux = 0 if groups == 1 else math.ceil(groups / 4)
        rounds = m.weight_format.frac + m.input_format.frac > m.result_format.frac
        lut += e * (word * mux + b * (res_w + 2 + (res_w if rounds else 0)))
        ff += e * (word + b * res_w + 8)
    bd["drain"] = {"lut": lut, "ff": ff}
    # element-wise lanes: fitted per operator kind (the requantizes, PWL tables and delay lines)
    lut = ff = 0
    for st in g.stages:
        add_bits = mul_bits = pwl = 0
        for n in st.nodes():
            w = fmt_of(n.op.results[0].type).width
            if isinstance(n.op, MulOp):
                mul_bits += w
            elif isinstance(n.op, PwlOp):
                pwl += 1
            else:
                add_bits += w
        lanes_e = cfg.ew_lanes[st.index] * cfg.copies(st.index)
        lut += lanes_e * round(EW_LUT_PER_ADD_BIT * add_bits + EW_LUT_PER_PWL * pwl)
        ff += lanes_e * round(EW_FF_PER_ADD_BIT * add_bits + EW_FF_PER_PWL * pwl + EW_FF_PER_MUL_BIT * mul_bits)
    bd["ew"] = {"lut": lut, "ff": ff}
    # sequencers: the MAC and drain sequencers and one per element-wise stage
    n_seq = 2 + sum(cfg.copies(st.index) for st in g.stages)
    # (each keeps its decision flag and two decision cycles in registers: +4 FF each under yosys on
    # lstm_b2 and gru_b4, 2026-12-03)
    bd["control"] = {"lut": 90 + 40 * n_seq, "ff": 50 + 42 * n_seq}
    # top: the small buffers (LUT RAM) and ROMs (LUT ROM), their read registers and the datapath's
    # alignment registers (about 1.25 FF per bit of those words)
    small = [m for m in mems if m.kind != "accumulator" and m.depth * m.copies <= LUTRAM_DEPTH]
    words = sum(m.banks * m.width for m in small)
    rom = sum(m.banks * m.width * math.ceil(m.depth * m.copies / 64) for m in small if m.kind == "rom")
    ram = sum(m.banks * _lutram_luts(m.depth * m.copies, m.width) for m in small if m.kind != "rom")
    # + the frame and step counters, their predicates and the event-count pipeline; the controller
    # keeps seven more 34-bit registers than it once did (predicates as sign bits; the job's end as
    # the sign bit of a down-counter loaded from last - 1 and last - 2; in_ready's counters at one
    # offset further) and two per distinct step shift of the sequencers' items (their step flags:
    # gen.step_flag), and three enable flags.  The down-counter's loads added 44 and -2 LUTs to the
    # top of lstm_b2 and gru_b4 under yosys (2026-12-03): +20 below; the further offsets and the
    # flags 65 and 67: +66 more
    P = s.period
    shifts = {math.floor(it.offset / P) - (1 if it.offset % P == 0 else 0) for it in s.items}
    counters_ff = 34 * (7 + 2 * len(shifts)) + 3
    # the event count's terms, each registered, and its adder tree, a register per level (about as
    # many bits again): an FFT engine's count, a drain engine's 8 bits, an element-wise lane's count
    # per requantizing operator (a few bits each)
    engine_ev = (8 * b * (int(math.log2(b)) + 1)).bit_length()
    n_engines = sum(_rfft_engines(g, cfg, sp) for sp in g.spectra)
    n_engines += sum(cfg.irfft_engines)
    ew_ev = sum(cfg.ew_lanes[st.index] * cfg.copies(st.index) * 3 * sum(1 for n in st.nodes() if not isinstance(n.op, SliceOp))
                for st in g.stages)
    event_ff = 2 * (n_engines * engine_ev + 8 * sum(cfg.irfft_engines) + ew_ev)
    # the job's length, (T - 1) P + base, one signed digit of P per register stage (gen.py)
    digits = len(csd(P))
    job_ff = 32 * (digits + 1) + digits + 8
    bd["top"] = {"lut": rom + ram + round(0.4 * words) + 736,
                 "ff": round(1.25 * words) + 350 + counters_ff + event_ff + job_ff, "lutram": ram}
    return bd


def _rfft_engines(g: StepGraph, cfg, sp) -> int:
    """Forward engines of a spectrum: the input's planned count, or one per copy of the stage it transforms."""
    if sp.source.kind == "input":
        return cfg.rfft_engines[sp.index] if cfg.rfft_engines else 1
    return spectrum_writers(g, cfg, sp)


def _twiddle_format(op) -> FixedFormat:
    t = op.twiddle_format
    return FixedFormat(t.width.data, t.frac.data)


def unit_of_module(module: str) -> str:
    """The `breakdown` key of a generated module (its name without the design prefix): `rfft2` -> `rfft`."""
    import re

    for pattern, unit in ((r"mac_lane", "mac_lane"), (r"mac_array", "mac_array"), (r"rfft\d+", "rfft"),
                          (r"irfft\d+", "irfft"), (r"drain\d+", "drain"), (r"ew\d+_lane", "ew"),
                          (r"seq_\w+", "control"), (r"top", "top")):
        if re.fullmatch(pattern, module):
            return unit
    return module
