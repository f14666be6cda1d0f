"""Resource estimates of a scheduled design: multipliers, DSP slices, block RAM, LUTs and flip-flops.

How each figure is derived (docs/hardware.md, "Resources"):

- MAC multipliers: lanes x (2 real bins + (b/2 - 1) complex bins x cmul);
  DSP slices per multiply from the operand widths and the device's slice
  (`devices.dsp_per_multiply`, the split yosys' mul2dsp makes).
- Element-wise multipliers: every `ernn.mul` and every PWL slope product of a
  stage, times its lanes.  FFT twiddles are constants, built as shift-add
  networks, so the FFTs use no DSP slices.
- Block RAM: every synchronously read memory (weight ROM banks, spectrum,
  vector, state and frame buffers) maps to 18-Kbit blocks by the aspect
  ratios 512x36, 1Kx18, 2Kx9, 4Kx4, 8Kx2, 16Kx1 (`bram18_for`); memories
  under 1 Kbit stay in LUTs.  Accumulators are LUT RAM (two asynchronous
  read ports: the accumulate and the drain).
- LUTs and FFs: per-unit formulas counted from the generated datapath
  (adders cost one LUT per bit, registers one FF per bit, multiplexers
  width x (inputs - 1) / 4 LUTs, LUT RAM one LUT per 64 x 1 bits per read port);
  docs/hardware.md compares them with yosys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ernn_ir.dialects.ernn import MulOp, PwlOp
from ernn_ir.hardware.devices import Device, dsp_per_multiply
from ernn_ir.hardware.schedule import Schedule, mac_lane_multipliers
from ernn_ir.hardware.stepgraph import StepGraph, fmt_of

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
        if self.kind == "accumulator":
            return 0
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
            mems.append(Memory(f"X{sp.index}_m{k}", "spectrum", f"rfft({spectrum_of(g, sp)})", cfg.col_lanes,
                               pi.chunks * S,
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
                mems.append(Memory(f"v{t.index}_{t.offset}", "vector", f"{matvec_of(g, t.index)}[{t.offset}:]", 1,
                                   st.length // b * S, b * f.width, copies.get(f"v{t.index}", 2)))
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
        ew_mults += len(ms) * cfg.ew_lanes[st.index]
        ew_dsp += sum(dsp_per_multiply(device, a, c) for a, c in ms) * cfg.ew_lanes[st.index]
    mems = memories(s, copies or {})
    bram = sum(m.bram18 for m in mems)

    # ---- LUT / FF by unit (see the module docstring)
    bd: dict[str, dict[str, int]] = {}
    acc_bits = max(acc_width(g, k) for k in range(len(g.macs)))
    n_acc = 2 * (b // 2 + 1)
    acc_depth = max(s.groups[k] * cfg.streams * 2 for k in range(len(g.macs)))
    lutram_per_lane = n_acc * acc_bits * 2 * math.ceil(acc_depth / 64)
    tree = (cfg.col_lanes - 1) * n_acc * acc_bits
    mac_lut = lanes * (b // 2 - 1) * (3 * (wx + 1)) + cfg.row_lanes * (n_acc * acc_bits * 2 + lutram_per_lane) + \
        cfg.row_lanes * tree
    mac_ff = lanes * (b * (wx + ww) + per_lane * (wx + ww + 1)) + cfg.row_lanes * (n_acc * acc_bits * 2)
    bd["mac"] = {"lut": mac_lut, "ff": mac_ff}
    fft_lut = fft_ff = 0
    L = b.bit_length() - 1
    for sp in g.spectra:
        n = (cfg.rfft_engines[sp.index] if cfg.rfft_engines and sp.source.kind == "input" else 1)
        w = sp.out_format.width
        per = L * b * 2 * w + _twiddle_adders(b) * 2 * w
        fft_lut += n * per
        fft_ff += n * (L * 2 + 2) * b * 2 * w // 2
    for k, m in enumerate(g.macs):
        n = cfg.irfft_engines[k]
        w = m.out_format.width
        per = L * b * 2 * w + _twiddle_adders(b) * 2 * w
        fft_lut += n * per + n * (cfg.row_lanes // n) * n_acc * m.result_format.width // 4
        fft_ff += n * (L * 2 + 2) * b * 2 * w // 2
    bd["fft"] = {"lut": fft_lut, "ff": fft_ff}
    ew_lut = ew_ff = 0
    for st in g.stages:
        lanes_e = cfg.ew_lanes[st.index]
        bits = sum(fmt_of(n.op.results[0].type).width for n in st.nodes())
        ew_lut += lanes_e * 2 * bits
        ew_ff += lanes_e * 3 * bits
    bd["ew"] = {"lut": ew_lut, "ff": ew_ff}
    ctl = 40 * (len(g.macs) + len(g.stages) + len(g.spectra)) + 200
    bd["control"] = {"lut": ctl * 2, "ff": ctl}
    lut = sum(v["lut"] for v in bd.values())
    ff = sum(v["ff"] for v in bd.values())
    return Resources(mac_multipliers=mac_mults, ew_multipliers=ew_mults, dsp=mac_dsp + ew_dsp, bram18=bram,
                     lut=lut, ff=ff, memories=mems, breakdown=bd)


def _twiddle_adders(b: int) -> int:
    """Shift-add terms of the non-trivial twiddle products of one b-point FFT (about 4 per product)."""
    L = b.bit_length() - 1
    prods = sum((1 << (s - 1)) * (b >> s) for s in range(3, L + 1))
    return 4 * prods


def unit_of_module(module: str) -> str:
    """The `breakdown` key of a generated module (its name without the design prefix): `rfft2` -> `rfft`."""
    import re

    for pattern, unit in ((r"mac_lane", "mac_lane"), (r"mac_array", "mac_array"), (r"rfft\d+", "rfft"),
                          (r"irfft\d+", "irfft"), (r"drain\d+", "drain"), (r"ew\d+_lane", "ew"),
                          (r"seq_\w+", "control"), (r"top", "top")):
        if re.fullmatch(pattern, module):
            return unit
    return module
