"""The C++ of one tiled accelerator: a Vitis HLS design that computes the step graph bit for bit.

`HlsDesign(view, flavour)` reads everything from the IR (`read_design`: the
step graph, the MAC array's lanes, the FFT engines, the element-wise lanes,
the banked weight ROM and each matvec's ROM addressing) and renders:

- `firmware/<top>.cpp`: one function per unit (`fft_b8`/`ifft_b8` cores,
  `rfft_<vector>` and `irfft_<vector>` units, `mac_array_<vector>` with its
  `mac_lane`, `ew_stage<N>` with the cell update written op by op), the time
  step (`step`, a DATAFLOW region), and the streaming top function;
- `firmware/types.h`, `firmware/constants.h` (twiddles, biases, peepholes,
  PWL tables, initial states as raw integers), `firmware/weights.h` (the ROM);
- the testbench and the Python bridge (`project.py` assembles the project).

Two flavours: `ap` types every value as `ap_fixed<W, W - F>` and requantizes
by assigning to an `ap_fixed` with AP_RND / AP_RND_CONV and AP_SAT / AP_WRAP
(exactly docs/numerics.md's requantize); `int` holds raw integers and calls
the helpers of `include/ernn_fixed.h`.  Everything the C++ computes is the
body's own ops in docs/numerics.md's order of rounding; the pragmas follow the
design (UNROLL by lanes and engines, ARRAY_PARTITION by ROM bank).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ernn_ir.diagnostics import OpDiagnostic
from ernn_ir.dialects.ernn import (
    AddOp,
    MulOp,
    PwlOp,
    RequantizeOp,
    SigmoidOp,
    SliceOp,
    SubOp,
    TanhOp,
)
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn_hw import MacOp, RomOp
from ernn_ir.hardware.design_view import DesignView
from ernn_ir.hardware.stepgraph import EwNode, EwStage, Term, fmt_of, value_name
from ernn_ir.lowering.hls.names import (
    NameTable,
    fx_type,
    identifier,
    int_type,
    quantizer_type,
)
from ernn_ir.lowering.reference.values import modes
from ernn_ir.numerics import (
    FixedFormat,
    bit_reverse_indices,
    sigmoid_fixed,
    tanh_fixed,
    twiddles_fixed,
)

FLAVOURS = ("ap", "int")

EXACT_TABLE_MAX_BITS = 16
"""Exact sigmoid/tanh become a table over every input; wider inputs need ernn-approximate-activations."""

CPP_ROUNDING = {"half_up": "ernn::HALF_UP", "convergent": "ernn::CONVERGENT"}
CPP_OVERFLOW = {"saturate": "ernn::SATURATE", "wrap": "ernn::WRAP"}
AP_ROUNDING = {"half_up": "AP_RND", "convergent": "AP_RND_CONV"}
AP_OVERFLOW = {"saturate": "AP_SAT", "wrap": "AP_WRAP"}


class HlsError(Exception):
    """The design cannot be written as C++ (the message says why and what to change)."""


def _fmt_str(f: FixedFormat) -> str:
    return f"fixed<{f.width}, {f.frac}>"


def _ints(values, per_line: int = 16, indent: str = "    ") -> str:
    """Integer literals, `per_line` per line."""
    vals = [str(int(v)) for v in np.asarray(values).reshape(-1)]
    lines = [", ".join(vals[i : i + per_line]) for i in range(0, len(vals), per_line)]
    return (",\n" + indent).join(lines)


@dataclass
class Vector:
    """A vector of one time step and the arrays its producer writes, one per consuming unit."""

    key: tuple
    name: str
    fmt: FixedFormat
    length: int
    consumers: list[str] = field(default_factory=list)
    arrays: dict[str, str] = field(default_factory=dict)


@dataclass
class Constant:
    name: str
    ctype: str
    values: np.ndarray
    comment: str


@dataclass
class PwlTableCpp:
    """One PWL activation as a C++ function: its formats, clamp range (raw), segment shift and table names."""

    fn: str
    function: str
    in_fmt: FixedFormat
    coeff: FixedFormat
    out_fmt: FixedFormat
    rounding: str
    overflow: str
    x_min: float
    log2_step: int
    x_min_raw: int
    x_lo: int
    x_hi: int
    shift: int
    segments: int
    slopes: str
    intercepts: str
    key: tuple


@dataclass
class ExactTable:
    fn: str
    kind: str
    in_fmt: FixedFormat
    out_fmt: FixedFormat
    table: str
    key: tuple


class HlsDesign:
    """The generated C++ of one `ernn_hw.accelerator` (see the module docstring)."""

    def __init__(self, view: DesignView, flavour: str = "ap", source: str = "") -> None:
        if flavour not in FLAVOURS:
            raise HlsError(f"unknown HLS flavour '{flavour}' (flavours: {', '.join(FLAVOURS)})")
        self.view = view
        self.flavour = flavour
        self.ap = flavour == "ap"
        self.source = source
        self.g = view.graph
        self.cfg = view.config
        self.design = view.design
        self.acc_op = view.accelerator
        self.b = self.g.block
        self.K = self.b // 2 + 1
        self.names = NameTable()
        self.top = self.names.fresh(self.design.sym_name.data, "accelerator")
        self.formats: dict[FixedFormat, None] = {}
        self.quantizers: dict[tuple[FixedFormat, str, str], None] = {}
        self.constants: list[Constant] = []
        self.pwl_tables: list[PwlTableCpp] = []
        self.exact_tables: list[ExactTable] = []
        self.fft_cores: dict[tuple, str] = {}
        self.fft_code: list[str] = []
        self.mac_lane_fns: dict[tuple, str] = {}
        self.mac_lane_code: list[str] = []
        self.functions: list[str] = []
        self._analyse()

    # ------------------------------------------------------------------------------ types
    def fx(self, fmt: FixedFormat) -> str:
        self.formats.setdefault(fmt, None)
        return fx_type(fmt)

    def quant(self, expr: str, src_frac: int | None, fmt: FixedFormat, rounding: str, overflow: str) -> str:
        """`expr` (an exact value, at `src_frac` fraction bits in the int flavour) requantized into `fmt`."""
        if self.ap:
            self.fx(fmt)
            self.quantizers.setdefault((fmt, rounding, overflow), None)
            return f"{quantizer_type(fmt, rounding, overflow)}({expr})"
        assert src_frac is not None
        return (f"{self.fx(fmt)}(ernn::requantize<{src_frac}, {fmt.width}, {fmt.frac}, "
                f"{CPP_ROUNDING[rounding]}, {CPP_OVERFLOW[overflow]}>({expr}))")

    def raw(self, fmt: FixedFormat, expr: str) -> str:
        """A raw integer (a constant) as a value of `fmt`."""
        if self.ap:
            return f"ernn::from_raw<{self.fx(fmt)}>({expr})"
        return expr

    def zero(self, fmt: FixedFormat) -> str:
        return f"{self.fx(fmt)}(0)"

    def wide(self, fmt: FixedFormat) -> FixedFormat:
        """One bit wider: holds a value of `fmt` and its exact negation."""
        return FixedFormat(fmt.width + 1, fmt.frac)

    def local_t(self, fmt: FixedFormat) -> str:
        """The type of an exact intermediate: `fmt` in ap (it is exact there), int64_t in int."""
        return self.fx(fmt) if self.ap else "int64_t"

    # ------------------------------------------------------------------------------ analysis
    def _fail(self, op, msg: str):
        raise OpDiagnostic(op, f"HLS C++: {msg}")

    def _analyse(self) -> None:
        g = self.g
        nt = self.names
        # Names: ports and vectors are named after the IR's values; functions first, then arrays, each
        # identifier handed out once (a clash gets a suffix).
        ports = NameTable()
        self.input_name = [ports.fresh(i.name, f"x{i.index}") for i in g.inputs]
        self.output_name = [ports.fresh(o.name, f"y{o.index}") for o in g.outputs]
        self.carry_name = [identifier(c.name, f"state{c.index}") for c in g.carries]
        self.mac_name = [identifier(value_name(m.irfft.result, ""), f"v{m.index}") for m in g.macs]
        # an unnamed stage output is named after its op and stage (e.g. sub_s0)
        self.stage_out_name = [[identifier(value_name(v, ""), f"{v.owner.name.split('.')[-1]}_s{st.index}")
                                for v in st.outputs] for st in g.stages]
        src_names = {"input": self.input_name, "carry": self.carry_name}

        def source_name(src) -> str:
            if src.kind == "stage":
                return self.stage_out_name[src.index][src.output]
            return src_names[src.kind][src.index]

        self.rfft_fn = [nt.fresh(f"rfft_{source_name(sp.source)}") for sp in g.spectra]
        self.mac_fn = [nt.fresh(f"mac_array_{n}") for n in self.mac_name]
        self.irfft_fn = [nt.fresh(f"irfft_{n}") for n in self.mac_name]
        self.stage_fn = [nt.fresh(f"ew_stage{st.index}") for st in g.stages]
        nt.taken.add("step")
        self.spectrum_name = [f"X_{source_name(sp.source)}" for sp in g.spectra]
        self.mac_result = [nt.fresh(f"Y_{n}") for n in self.mac_name]

        # consumers of every vector (process keys: rfft:i, mac:k, ew:s; sinks next:c:<consumer>, out:o)
        def stage_reads(kind: str, index: int) -> list[str]:
            out = []
            for st in g.stages:
                for t in st.terms():
                    if t.kind == kind and t.index == index:
                        out.append(f"ew:{st.index}")
                        break
            return out

        self.vectors: dict[tuple, Vector] = {}
        for i, inp in enumerate(g.inputs):
            cons = [f"rfft:{sp.index}" for sp in g.spectra if sp.source.kind == "input" and sp.source.index == i]
            cons += stage_reads("input", i)
            self.vectors[("input", i)] = Vector(("input", i), self.input_name[i], inp.format, inp.length, cons)
        for c in g.carries:
            cons = [f"rfft:{sp.index}" for sp in g.spectra if sp.source.kind == "carry" and sp.source.index == c.index]
            cons += stage_reads("carry", c.index)
            self.vectors[("carry", c.index)] = Vector(("carry", c.index), self.carry_name[c.index], c.format,
                                                      c.length, cons)
        for k, m in enumerate(g.macs):
            cons = stage_reads("irfft", k)
            self.vectors[("irfft", k)] = Vector(("irfft", k), self.mac_name[k], m.out_format, m.rows * self.b, cons)
        stage_value_of = {sv: n for n, sv in enumerate(g.stage_values)}
        for st in g.stages:
            for o, v in enumerate(st.outputs):
                cons = [f"rfft:{sp.index}" for sp in g.spectra
                        if sp.source.kind == "stage" and (sp.source.index, sp.source.output) == (st.index, o)]
                sid = stage_value_of.get((st.index, o))
                if sid is not None:
                    cons += stage_reads("stage", sid)
                for c in g.carries:
                    if (c.next.index, c.next.output) == (st.index, o):
                        cons += [f"next:{c.index}:{x}" for x in self.vectors[("carry", c.index)].consumers]
                for out in g.outputs:
                    if (out.source.index, out.source.output) == (st.index, o):
                        cons.append(f"out:{out.index}")
                self.vectors[("stage", st.index, o)] = Vector(("stage", st.index, o), self.stage_out_name[st.index][o],
                                                              fmt_of(v.type), st.length, cons)
        for sp in g.spectra:
            cons = []
            for k, m in enumerate(g.macs):
                if any(p.spectrum == sp.index for p in m.parts):
                    cons.append(f"mac:{k}")
            self.vectors[("spectrum", sp.index)] = Vector(("spectrum", sp.index), self.spectrum_name[sp.index],
                                                          sp.out_format, sp.blocks, cons)
        for k, m in enumerate(g.macs):
            self.vectors[("mac", k)] = Vector(("mac", k), self.mac_result[k], m.result_format, m.rows, [f"irfft:{k}"])

        # one array per (vector, consumer); a single consumer keeps the vector's name.  The carried state
        # is named first (r, c, h), the next state after it (next_r ...), then the step's own vectors.
        order = ([("carry", c.index) for c in g.carries] + [("input", i) for i in range(len(g.inputs))]
                 + [k for k in self.vectors if k[0] in ("irfft", "stage", "spectrum")])
        for key in order:
            self._name_arrays(self.vectors[key], self.vectors[key].name)
        for out in g.outputs:
            vec = self.vectors[("stage", out.source.index, out.source.output)]
            vec.arrays[f"out:{out.index}"] = nt.fresh(self.output_name[out.index])
        for c in g.carries:
            vec = self.vectors[("stage", c.next.index, c.next.output)]
            reads = self.vectors[("carry", c.index)].consumers
            for x in reads:
                suffix = "" if len(reads) == 1 else f"_for_{self._short(x)}"
                vec.arrays[f"next:{c.index}:{x}"] = nt.fresh(f"next_{self.carry_name[c.index]}{suffix}")
        self.const_names = self._constant_names()
        tws = [sp.op.twiddle_format for sp in g.spectra] + [m.irfft.twiddle_format for m in g.macs]
        self.twiddle_formats = {(t.width.data, t.frac.data) for t in tws}
        self._check_formats()

    def _short(self, consumer: str) -> str:
        kind, idx = consumer.split(":")[0], consumer.split(":")[1]
        return {"rfft": "rfft", "mac": "mac", "ew": "ew", "irfft": "irfft"}[kind] + idx

    def _name_arrays(self, vec: Vector, base: str) -> None:
        real = [c for c in vec.consumers if not c.startswith(("next:", "out:"))]
        for c in real:
            if len(real) == 1:
                vec.arrays[c] = self.names.fresh(base)
            else:
                vec.arrays[c] = self.names.fresh(f"{base}_for_{self._short(c)}")

    def _constant_names(self) -> list[str]:
        """Names of the constant operands of the element-wise stages, after their IR values."""
        names: list[str | None] = [None] * len(self.g.constants)
        for st in self.g.stages:
            for n in st.nodes():
                for x, e in zip(n.op.operands, n.operands):
                    if isinstance(e, Term) and e.kind == "const" and names[e.index] is None:
                        v = x
                        while isinstance(v.owner, SliceOp):
                            v = v.owner.input
                        names[e.index] = value_name(v, f"const{e.index}")
        out = []
        for i, n in enumerate(names):
            out.append(self.names.fresh((n or f"const{i}").upper()))
        return out

    def _check_formats(self) -> None:
        for k, m in enumerate(self.g.macs):
            bits = self.acc_bits(k)
            if not self.ap and bits > 64:
                self._fail(m.op, f"the exact accumulator of this matvec needs {bits} bits, more than int64_t "
                           "holds (use the ap flavour, or fewer weight/spectrum bits)")

    # ------------------------------------------------------------------------------ the MAC's accumulator
    def acc_bits(self, k: int) -> int:
        """Bits of the exact accumulator of matvec k: a bound on |sum_j W_ij X_j| over rows and bins."""
        m = self.g.macs[k]
        W = np.abs(m.weight.astype(object))
        per = (W[..., 0] + W[..., 1]).sum(axis=1)  # [p, K]: sum_j (|wr| + |wi|)
        bound = int(per.max()) * (1 << (m.input_format.width - 1))
        return max(bound.bit_length() + 1, m.weight_format.width + m.input_format.width)

    def acc_fmt(self, k: int) -> FixedFormat:
        m = self.g.macs[k]
        return FixedFormat(self.acc_bits(k), m.weight_format.frac + m.input_format.frac)

    # ------------------------------------------------------------------------------ rendering
    def header_comment(self, what: str) -> str:
        d = self.design
        src = f" of {self.source}" if self.source else ""
        return (
            f"// {what}\n"
            f"// Generated by ernn-ir (ernn_ir/lowering/hls, flavour \"{self.flavour}\") from ernn_hw.design "
            f"@{d.sym_name.data}{src}:\n"
            f"// block {self.b}, {self.g.steps} steps x {self.g.batch} sequence(s), MAC array "
            f"{self.cfg.row_lanes} x {self.cfg.col_lanes} lanes (cmul {self.cfg.cmul}), "
            f"{d.period.value.data} cycles per step at {d.clock_mhz.value.data:g} MHz on {d.device.data}.\n"
            f"// Do not edit: regenerate with ernn-opt -t {'hls' if self.ap else 'hls-int'}.\n"
        )

    def render(self) -> dict[str, str]:
        """Every firmware file: name -> text."""
        body = self._render_kernel()  # first: it registers the types and constants it uses
        files = {
            f"{self.top}.cpp": body,
            f"{self.top}.h": self._render_top_header(),
            "weights.h": self._render_weights(),
            "constants.h": self._render_constants(),
            "types.h": self._render_types(),
        }
        return files

    # ---- types.h
    def _render_types(self) -> str:
        guard = f"{self.top.upper()}_TYPES_H"
        lines = [self.header_comment("Fixed-point types: fx_W_F is !ernn.fixed<W, F> (value = raw * 2^-F)."),
                 f"#ifndef {guard}", f"#define {guard}", ""]
        if self.ap:
            lines += ['#include "ernn_ap.h"', "",
                      "// Storage types: only exact values are assigned to them (truncation and wrap never act).",
                      "// ap_fixed<W, I> has I = W - F integer bits."]
            for f in sorted(self.formats, key=lambda f: (f.width, f.frac)):
                lines.append(f"typedef ap_fixed<{f.width}, {f.width - f.frac}> {fx_type(f)};")
            if self.quantizers:
                lines += ["", "// Requantizers: assigning an exact value rounds once (AP_RND: half_up, AP_RND_CONV:",
                          "// convergent), then saturates (AP_SAT) or wraps (AP_WRAP), as docs/numerics.md section 4."]
                for f, r, o in sorted(self.quantizers, key=lambda q: (q[0].width, q[0].frac, q[1], q[2])):
                    lines.append(f"typedef ap_fixed<{f.width}, {f.width - f.frac}, {AP_ROUNDING[r]}, {AP_OVERFLOW[o]}> "
                                 f"{quantizer_type(f, r, o)};")
        else:
            lines += ['#include "ernn_fixed.h"', "",
                      "// Raw two's-complement integers; arithmetic in int64_t through ernn_fixed.h."]
            for f in sorted(self.formats, key=lambda f: (f.width, f.frac)):
                lines.append(f"typedef {int_type(f.width)} {fx_type(f)};")
        lines += ["", f"#endif  // {guard}", ""]
        return "\n".join(lines)

    # ---- weights.h
    def _rom(self) -> RomOp:
        roms = [o for o in self.design.body.block.ops if isinstance(o, RomOp)]
        assert len(roms) == 1, "a design has one weight ROM"
        return roms[0]

    def _render_weights(self) -> str:
        rom = self._rom()
        image = dense_to_numpy(rom.contents).astype(np.int64)
        banks, depth, b = image.shape
        wbits = max(m.weight_format.width for m in self.g.macs)
        store = int_type(max(wbits, 8))
        guard = f"{self.top.upper()}_WEIGHTS_H"
        lines = [self.header_comment("The weight spectra: the design's banked ROM (ernn_hw.rom @weights)."),
                 f"#ifndef {guard}", f"#define {guard}", "", '#include "types.h"', "",
                 f"// {banks} banks (one per MAC lane: bank r * {self.cfg.col_lanes} + c feeds row lane r, column "
                 f"lane c) x {depth} words;",
                 f"// a word is one {b}-point block's spectrum: re(0), re({b // 2}), re(1), im(1), ..., "
                 f"im({b // 2 - 1}) (bins 0 and {b // 2} are real).",
                 "// Block (i, j) of a matvec is at the word its ernn_hw.mac names (base, row order, parts)."]
        if self.ap:
            lines += [
                "// Synthesis keeps the words at their width; C simulation reads them as plain integers because",
                "// g++ needs minutes and gigabytes to compile hundreds of thousands of ap_int initialisers.",
                "#ifdef __SYNTHESIS__",
                f"typedef ap_int<{wbits}> weight_word_t;",
                "#else",
                f"typedef {store} weight_word_t;",
                "#endif",
            ]
        else:
            lines.append(f"typedef {store} weight_word_t;")
        lines += ["", f"static const int WEIGHT_BANKS = {banks};", f"static const int WEIGHT_DEPTH = {depth};", "",
                  "// Indexed [word][bank][value]: partitioned by bank (dim 2) each bank is its own ROM in synthesis;",
                  "// in C simulation one MAC instruction reads the words of all its lanes from one contiguous row.",
                  f"static const weight_word_t WEIGHT_ROM[{depth}][{banks}][{b}] = {{"]
        for w in range(depth):
            words = ", ".join("{" + ", ".join(str(int(v)) for v in image[bank, w]) + "}" for bank in range(banks))
            lines.append(f"    {{{words}}}" + ("," if w < depth - 1 else "") + f"  // word {w}")
        lines += ["};", "", f"#endif  // {guard}", ""]
        return "\n".join(lines)

    # ---- constants.h
    def _add_const(self, name: str, fmt: FixedFormat | None, values, comment: str) -> str:
        """A constant array of raw values of `fmt` (None: plain indices, `int`)."""
        for c in self.constants:
            if c.name == name:
                return name
        ctype = "int" if fmt is None else int_type(max(fmt.width, 8))
        self.constants.append(Constant(name, ctype, np.asarray(values, dtype=np.int64).reshape(-1), comment))
        return name

    def _render_constants(self) -> str:
        guard = f"{self.top.upper()}_CONSTANTS_H"
        lines = [self.header_comment("Constants as raw integers: twiddles, biases, peepholes, PWL tables, "
                                     "initial states."),
                 f"#ifndef {guard}", f"#define {guard}", "", '#include "types.h"', ""]
        for c in self.constants:
            n = c.values.size
            lines.append(f"// {c.comment}")
            lines.append(f"static const {c.ctype} {c.name}[{n}] = {{\n    {_ints(c.values)}\n}};")
            lines.append("")
        lines += [f"#endif  // {guard}", ""]
        return "\n".join(lines)

    # ---- <top>.h
    def _render_top_header(self) -> str:
        g = self.g
        guard = f"{self.top.upper()}_H"
        stream = "hls::stream" if self.ap else "ernn::stream"
        lines = [self.header_comment(f"Interface of the accelerator {self.top}."),
                 f"#ifndef {guard}", f"#define {guard}", "", '#include "types.h"', "",
                 f"static const int {self.top.upper()}_STEPS = {g.steps};",
                 f"static const int {self.top.upper()}_BATCH = {g.batch};"]
        for i, inp in enumerate(g.inputs):
            lines.append(f"static const int {self.top.upper()}_IN{i}_SIZE = {inp.length};  // {self.input_name[i]}: "
                         f"{_fmt_str(inp.format)}")
        for o, out in enumerate(g.outputs):
            lines.append(f"static const int {self.top.upper()}_OUT{o}_SIZE = {out.length};  // {self.output_name[o]}: "
                         f"{_fmt_str(out.format)}")
        lines += ["", "// Streams, in the order of the time loop's operands: frame t of sequence s, element i, for",
                  "// t = 0 .. STEPS-1, s = 0 .. BATCH-1; outputs in the same order."]
        lines.append(f"void {self.top}({self._top_params(stream)});")
        lines += ["", f"#endif  // {guard}", ""]
        return "\n".join(lines)

    def _top_params(self, stream: str) -> str:
        ps = [f"{stream}<{self.fx(i.format)}>& {self.input_name[i.index]}_in" for i in self.g.inputs]
        ps += [f"{stream}<{self.fx(o.format)}>& {self.output_name[o.index]}_out" for o in self.g.outputs]
        return ", ".join(ps)

    # ------------------------------------------------------------------------------ the kernel
    def _render_kernel(self) -> str:
        units = []
        units.append(self._section("rFFT units: one per transformed vector (docs/numerics.md section 8)"))
        for sp in self.g.spectra:
            units.append(self._rfft_unit(sp))
        units.append(self._section("The MAC array: exact spectral multiply-accumulate from the weight ROM "
                                   "(section 7)"))
        for k in range(len(self.g.macs)):
            units.append(self._mac_unit(k))
        units.append(self._section("IRFFT units: one inverse transform per row block of each matvec"))
        for k in range(len(self.g.macs)):
            units.append(self._irfft_unit(k))
        units.append(self._section("Element-wise stages: biases, peepholes, activations, the cell update"))
        for st in self.g.stages:
            units.append(self._ew_stage(st))
        step = self._step_fn()
        top = self._top_fn()
        helpers = []
        if self.fft_code:
            helpers.append(self._section("FFT cores (radix-2 decimation in time, per-stage rounding and overflow)"))
            helpers += self.fft_code
        if self.mac_lane_code:
            helpers.append(self._section("One MAC lane: a block's spectrum times the input block's, all bins"))
            helpers += self.mac_lane_code
        if self.pwl_tables or self.exact_tables:
            helpers.append(self._section("Activations"))
            helpers += [self._pwl_fn(t) for t in self.pwl_tables]
            helpers += [self._exact_fn(t) for t in self.exact_tables]
        head = [self.header_comment(f"The accelerator {self.top}: units, one time step, the streaming top "
                                    "function."),
                f'#include "{self.top}.h"', '#include "constants.h"', '#include "weights.h"', "",
                "// Loop labels name the loops in Vitis HLS reports; to g++ they are labels nobody jumps to.",
                '#pragma GCC diagnostic ignored "-Wunused-label"', ""]
        return "\n".join(head + helpers + units + [self._section("One time step of one sequence"), step,
                                                   self._section("The top function"), top])

    def _section(self, title: str) -> str:
        return f"// {'-' * 100}\n// {title}\n"

    # ---- FFT cores
    def _twiddles(self, tw: FixedFormat) -> tuple[str, str]:
        re, im = twiddles_fixed(self.b, tw)
        suffix = f"{self.b}" if len(self.twiddle_formats) <= 1 else f"{self.b}_{fx_type(tw)}"
        r = self._add_const(f"TWIDDLE_RE_{suffix}", tw, re,
                            f"cos(-2 pi k / {self.b}), k = 0 .. {self.b // 2 - 1}, in {_fmt_str(tw)} "
                            "(half_up, saturated; entries 0 and b/4 are applied exactly)")
        i = self._add_const(f"TWIDDLE_IM_{suffix}", tw, im, f"sin(-2 pi k / {self.b}) in {_fmt_str(tw)}")
        return r, i

    def _bitrev(self) -> str:
        return self._add_const(f"BIT_REVERSE_{self.b}", None, bit_reverse_indices(self.b),
                               f"position i of the FFT's input holds sample rev(i), the {int(math.log2(self.b))}-bit "
                               "reversal of i")

    def fft_core(self, inverse: bool, fmt: FixedFormat, tw: FixedFormat, rounding: str, overflow: str) -> str:
        key = (inverse, fmt, tw, rounding, overflow)
        if key in self.fft_cores:
            return self.fft_cores[key]
        base = f"{'ifft' if inverse else 'fft'}_b{self.b}"
        name = base if base not in self.names.taken else self.names.fresh(f"{base}_{fx_type(fmt)}")
        self.names.taken.add(name)
        self.fft_cores[key] = name
        b = self.b
        tre, tim = self._twiddles(tw)
        rev = self._bitrev()
        T = self.fx(fmt)
        wide = self.wide(fmt)
        Tw = self.local_t(wide)
        L = self.local_t(fmt)
        prod_frac = fmt.frac + tw.frac
        q = lambda e: self.quant(e, prod_frac, fmt, rounding, overflow)
        # butterfly outputs: the exact sum (inverse: halved, i.e. read at one more fraction bit), one requantize
        if inverse:
            if self.ap:
                out = lambda e: self.quant(f"ernn::exact_half({e})", None, fmt, rounding, overflow)
            else:
                out = lambda e: self.quant(e, fmt.frac + 1, fmt, rounding, overflow)
        else:
            out = lambda e: self.quant(e, fmt.frac, fmt, rounding, overflow)
        w_re = self.raw(tw, f"{tre}[twiddle]")
        w_im = self.raw(tw, f"{tim}[twiddle]")
        Wt = self.local_t(tw)
        if inverse:
            trivial = ["                // +i (the conjugate of -i), exact", "                t_re = -hi_im;",
                       "                t_im = hi_re;"]
            general = [f"                // the conjugate twiddle (w_re, -w_im): exact products, one rounding "
                       f"by {tw.frac} bits",
                       f"                t_re = {q('hi_re * w_re + hi_im * w_im')};",
                       f"                t_im = {q('hi_im * w_re - hi_re * w_im')};"]
            doc = (f"// Inverse complex FFT of one {b}-point block in {_fmt_str(fmt)}, in place: conjugate twiddles "
                   f"in {_fmt_str(tw)},\n// both butterfly outputs halved at every stage (the 1/{b} of the inverse), "
                   f"{rounding} rounding, {overflow} on overflow.")
        else:
            trivial = ["                // -i, exact (the negation is not overflowed: t is one bit wider)",
                       "                t_re = hi_im;", "                t_im = -hi_re;"]
            general = [f"                // exact products, one rounding by {tw.frac} bits, then {overflow}",
                       f"                t_re = {q('hi_re * w_re - hi_im * w_im')};",
                       f"                t_im = {q('hi_re * w_im + hi_im * w_re')};"]
            doc = (f"// Forward complex FFT of one {b}-point block in {_fmt_str(fmt)}, in place: radix-2 decimation "
                   f"in time on the\n// bit-reversed input, twiddles in {_fmt_str(tw)}, {rounding} rounding of "
                   f"every twiddle product, {overflow} on overflow.")
        code = [
            doc,
            f"static inline void {name}({T} re[{b}], {T} im[{b}]) {{",
            "#pragma HLS INLINE",
            f"    {T} a_re[{b}], a_im[{b}];",
            "#pragma HLS ARRAY_PARTITION variable=a_re complete",
            "#pragma HLS ARRAY_PARTITION variable=a_im complete",
            f"    bit_reverse: for (int pos = 0; pos < {b}; pos++) {{",
            f"        a_re[pos] = re[{rev}[pos]];",
            f"        a_im[pos] = im[{rev}[pos]];",
            "    }",
            f"    stages: for (int span = 2; span <= {b}; span *= 2) {{",
            f"        butterflies: for (int pos = 0; pos < {b // 2}; pos++) {{",
            "#pragma HLS UNROLL",
            "            const int half_span = span / 2;",
            "            const int group_start = (pos / half_span) * span;",
            "            const int bin = pos % half_span;",
            f"            const int twiddle = bin * ({b} / span);",
            f"            const {L} lo_re = a_re[group_start + bin], lo_im = a_im[group_start + bin];",
            f"            const {L} hi_re = a_re[group_start + bin + half_span], hi_im = a_im[group_start + bin + half_span];",
            f"            {Tw} t_re, t_im;",
            "            if (twiddle == 0) {",
            "                t_re = hi_re;",
            "                t_im = hi_im;",
            f"            }} else if (twiddle == {b // 4 if b >= 4 else -1}) {{",
            *trivial,
            "            } else {",
            f"                const {Wt} w_re = {w_re}, w_im = {w_im};",
            *general,
            "            }",
            f"            a_re[group_start + bin] = {out('lo_re + t_re')};",
            f"            a_im[group_start + bin] = {out('lo_im + t_im')};",
            f"            a_re[group_start + bin + half_span] = {out('lo_re - t_re')};",
            f"            a_im[group_start + bin + half_span] = {out('lo_im - t_im')};",
            "        }",
            "    }",
            f"    for (int pos = 0; pos < {b}; pos++) {{",
            "        re[pos] = a_re[pos];",
            "        im[pos] = a_im[pos];",
            "    }",
            "}",
            "",
        ]
        self.fft_code.append("\n".join(code))
        return name

    # ---- rFFT units
    def _source_key(self, src) -> tuple:
        if src.kind == "stage":
            return ("stage", src.index, src.output)
        return (src.kind, src.index)

    def _rfft_unit(self, sp) -> str:
        b, K = self.b, self.K
        op = sp.op
        r, o = modes(op)
        tw = FixedFormat(op.twiddle_format.width.data, op.twiddle_format.frac.data)
        core = self.fft_core(False, sp.out_format, tw, r, o)
        src = self.vectors[self._source_key(sp.source)]
        x = src.arrays[f"rfft:{sp.index}"]
        out = self.vectors[("spectrum", sp.index)]
        S = self.fx(sp.out_format)
        Tin = self.fx(sp.in_format)
        engines = self.cfg.rfft_engines[sp.index] if sp.source.kind == "input" else 1
        outs = ", ".join(f"{S} {a}[{sp.blocks}][{K}][2]" for a in out.arrays.values())
        pad = "" if sp.valid == sp.blocks * b else f"; samples {sp.valid} .. {sp.blocks * b - 1} are zero padding"
        lines = [
            f"// rFFT unit of {src.name} (design @rfft{sp.index}, {engines} engine(s)): {sp.blocks} block(s) of {b} "
            f"points{pad}.",
            f"// Each block: requantize {_fmt_str(sp.in_format)} -> {_fmt_str(sp.out_format)}, imaginary parts 0, "
            f"forward FFT, keep bins 0 .. {b // 2}.",
            f"static void {self.rfft_fn[sp.index]}(const {Tin} {x}[{sp.valid}], {outs}) {{",
            f"    blocks: for (int blk = 0; blk < {sp.blocks}; blk++) {{",
            "#pragma HLS PIPELINE II=1",
        ]
        if engines > 1:
            lines.append(f"#pragma HLS UNROLL factor={engines}")
        lines += [
            f"        {S} re[{b}], im[{b}];",
            f"        samples: for (int pos = 0; pos < {b}; pos++) {{",
            f"            const int elem = blk * {b} + pos;",
            f"            re[pos] = {self.zero(sp.out_format)};",
            f"            im[pos] = {self.zero(sp.out_format)};",
            f"            if (elem < {sp.valid}) re[pos] = {self.quant(f'{x}[elem]', sp.in_format.frac, sp.out_format, r, o)};",
            "        }",
            f"        {core}(re, im);",
            f"        bins: for (int bin = 0; bin < {K}; bin++) {{",
        ]
        for a in out.arrays.values():
            lines.append(f"            {a}[blk][bin][0] = re[bin];")
            lines.append(f"            {a}[blk][bin][1] = im[bin];")
        lines += ["        }", "    }", "}", ""]
        return "\n".join(lines)

    # ---- MAC array
    def _mac_lane(self, k: int) -> str:
        m = self.g.macs[k]
        acc = self.acc_fmt(k)
        key = (m.weight_format, m.input_format, acc, self.cfg.cmul)
        if key in self.mac_lane_fns:
            return self.mac_lane_fns[key]
        name = self.names.fresh("mac_lane")
        self.mac_lane_fns[key] = name
        K, b = self.K, self.b
        A = self.fx(acc) if self.ap else "int64_t"
        KT = "auto" if self.ap else "int64_t"  # ap: the exact product's own type
        X = self.fx(m.input_format)
        Wt = self.local_t(m.weight_format)
        w = lambda e: self.raw(m.weight_format, e)
        Lx = self.local_t(m.input_format)
        if self.cfg.cmul == 3:
            prod = [
                "        // 3 real multiplies (cmul 3): k1 = wr (xr + xi), k2 = xi (wr + wi), k3 = xr (wi - wr);",
                "        // re = k1 - k2 = wr xr - wi xi, im = k1 + k3 = wr xi + wi xr, exact",
                f"        const {KT} k1 = wr * (xr + xi);",
                f"        const {KT} k2 = xi * (wr + wi);",
                f"        const {KT} k3 = xr * (wi - wr);",
                "        acc[bin][0] += k1 - k2;",
                "        acc[bin][1] += k1 + k3;",
            ]
        else:
            prod = [
                "        // 4 real multiplies (cmul 4), exact",
                "        acc[bin][0] += wr * xr - wi * xi;",
                "        acc[bin][1] += wr * xi + wi * xr;",
            ]
        code = [
            f"// One MAC lane: acc += W * X over the {K} bins of one {b}-point block, exactly (accumulator "
            f"{_fmt_str(acc)});",
            f"// weights {_fmt_str(m.weight_format)} from one ROM word, spectrum {_fmt_str(m.input_format)}. Bins 0 "
            f"and {b // 2} are real:",
            "// their imaginary parts are zero in an rFFT and dropped by the IRFFT.",
            f"static inline void {name}({A} acc[{K}][2], const weight_word_t word[{b}], const {X} x[{K}][2]) {{",
            "#pragma HLS INLINE",
            f"    const {Wt} w_first = {w('word[0]')}, w_last = {w('word[1]')};",
            f"    const {Lx} x_first = x[0][0], x_last = x[{K - 1}][0];",
            "    acc[0][0] += w_first * x_first;",
            f"    acc[{K - 1}][0] += w_last * x_last;",
            f"    bins: for (int bin = 1; bin < {K - 1}; bin++) {{",
            "#pragma HLS UNROLL",
            f"        const {Wt} wr = {w('word[2 * bin]')}, wi = {w('word[2 * bin + 1]')};",
            f"        const {Lx} xr = x[bin][0], xi = x[bin][1];",
            *prod,
            "    }",
            "}",
            "",
        ]
        self.mac_lane_code.append("\n".join(code))
        return name

    def _lane_call(self, lane: str, P: int, R: int, groups: int, cols: int, C: int, chunks: int, word0: int,
                   arr: str) -> list[str]:
        """One lane's MAC; lanes past the last row block or column block (padding) only where they exist."""
        conds = []
        if groups * R != P:
            conds.append(f"grp * {R} + row < {P}")
        if chunks * C != cols:
            conds.append(f"blk < {cols}")
        call = f"{lane}(acc[grp][row], WEIGHT_ROM[{word0} + grp * {chunks} + chunk][row * {C} + col], {arr}[blk]);"
        if not conds:
            return [f"                    {call}"]
        return [f"                    if ({' && '.join(conds)}) {{  // the last group / chunk is partly padding",
                f"                        {call}", "                    }"]

    def _mac_unit(self, k: int) -> str:
        m = self.g.macs[k]
        op = m.op
        assert isinstance(op, MacOp)
        R, C = self.cfg.row_lanes, self.cfg.col_lanes
        K = self.K
        groups, chunks, part_bases = op.layout()
        base = op.base.value.data
        order = [int(v) for v in op.row_order.get_values()]
        P = len(order)
        lane = self._mac_lane(k)
        acc = self.acc_fmt(k)
        A = self.fx(acc) if self.ap else "int64_t"
        R_ = self.fx(m.result_format)
        r, o = modes(op)
        parts_in = []
        for pi, part in enumerate(m.parts):
            sp = self.g.spectra[part.spectrum]
            arr = self.vectors[("spectrum", sp.index)].arrays[f"mac:{k}"]
            parts_in.append((pi, part, sp, arr))
        params = [f"const {self.fx(sp.out_format)} {arr}[{sp.blocks}][{K}][2]" for _, _, sp, arr in parts_in]
        params.append(f"{R_} {self.mac_result[k]}[{m.rows}][{K}][2]")
        order_name = self._add_const(f"ROW_ORDER_{self.mac_name[k].upper()}", None, order,
                                     f"matvec {self.mac_name[k]}: row block of position a * {R} + r (row group a, "
                                     "row lane r), the order the element-wise stages read them")
        sched = self.view.schedule.parts[k]
        lines = [
            f"// Matvec {self.mac_name[k]}: {m.rows} x {m.cols} blocks of {self.b} points on the MAC array "
            f"({R} row lanes x {C} column lanes,",
            f"// design @mac); {groups} row group(s); ROM words from {base}. Parts (concatenated input spectra): "
            + ", ".join(f"{arr} ({part.cols} column blocks, {chunks[pi]} chunk(s), {sched[pi].order} sweep)"
                        for pi, part, sp, arr in parts_in) + ".",
            f"// Exact accumulation in {_fmt_str(acc)}, then one requantize into {_fmt_str(m.result_format)} "
            f"({r}, {overflow_word(o)}).",
            f"static void {self.mac_fn[k]}({', '.join(params)}) {{",
            f"    {A} acc[{groups}][{R}][{K}][2];",
            "#pragma HLS ARRAY_PARTITION variable=acc complete dim=2",
            "#pragma HLS ARRAY_PARTITION variable=WEIGHT_ROM complete dim=2",
            "#pragma HLS ARRAY_RESHAPE variable=WEIGHT_ROM complete dim=3",
            f"    clear: for (int grp = 0; grp < {groups}; grp++) {{",
            f"        for (int row = 0; row < {R}; row++) {{",
            f"            for (int bin = 0; bin < {K}; bin++) {{",
            "                acc[grp][row][bin][0] = 0;",
            "                acc[grp][row][bin][1] = 0;",
            "            }",
            "        }",
            "    }",
        ]
        for pi, part, sp, arr in parts_in:
            ch = chunks[pi]
            word0 = base + part_bases[pi]
            if sched[pi].order == "row":
                outer, inner = ("grp", groups), ("chunk", ch)
                what = "row sweep: each row group over the part's column chunks"
            else:
                outer, inner = ("chunk", ch), ("grp", groups)
                what = "column sweep: each column chunk over the row groups (its blocks arrive in order)"
            lines += [
                f"    // part {pi}: {arr}, {what}; one instruction ({R} x {C} blocks) per cycle",
                f"    part{pi}: for (int {outer[0]} = 0; {outer[0]} < {outer[1]}; {outer[0]}++) {{",
                f"        for (int {inner[0]} = 0; {inner[0]} < {inner[1]}; {inner[0]}++) {{",
                "#pragma HLS PIPELINE II=1",
                f"            part{pi}_row_lanes: for (int row = 0; row < {R}; row++) {{",
                "#pragma HLS UNROLL",
                f"                part{pi}_col_lanes: for (int col = 0; col < {C}; col++) {{",
                "#pragma HLS UNROLL",
                f"                    const int blk = chunk * {C} + col;  // column block within the part",
                *self._lane_call(lane, P, R, groups, part.cols, C, ch, word0, arr),
                "                }",
                "            }",
                "        }",
                "    }",
            ]
        lines += [
            "    // one requantize per component, back in row-block order",
            f"    result: for (int pos = 0; pos < {P}; pos++) {{",
            f"        const int row = {order_name}[pos];",
            f"        for (int bin = 0; bin < {K}; bin++) {{",
            f"            {self.mac_result[k]}[row][bin][0] = "
            f"{self.quant(f'acc[pos / {R}][pos % {R}][bin][0]', acc.frac, m.result_format, r, o)};",
            f"            {self.mac_result[k]}[row][bin][1] = {self.zero(m.result_format)};",
            f"            if (bin != 0 && bin != {K - 1}) {self.mac_result[k]}[row][bin][1] = "
            f"{self.quant(f'acc[pos / {R}][pos % {R}][bin][1]', acc.frac, m.result_format, r, o)};",
            "        }",
            "    }",
            "}",
            "",
        ]
        return "\n".join(lines)

    # ---- IRFFT units
    def _irfft_unit(self, k: int) -> str:
        m = self.g.macs[k]
        op = m.irfft
        r, o = modes(op)
        tw = FixedFormat(op.twiddle_format.width.data, op.twiddle_format.frac.data)
        fmt = m.out_format
        core = self.fft_core(True, fmt, tw, r, o)
        b, K = self.b, self.K
        T = self.fx(fmt)
        engines = self.cfg.irfft_engines[k]
        vec = self.vectors[("irfft", k)]
        outs = ", ".join(f"{T} {a}[{m.rows * b}]" for a in vec.arrays.values())
        order_name = f"ROW_ORDER_{self.mac_name[k].upper()}"
        rf = m.result_format.frac
        lines = [
            f"// IRFFT unit of matvec {self.mac_name[k]} (design @irfft{k}, {engines} engine(s)): drains the row "
            "blocks in the MAC array's order.",
            f"// Per block: imaginary parts of bins 0 and {b // 2} dropped, requantize {_fmt_str(m.result_format)} -> "
            f"{_fmt_str(fmt)},",
            f"// bins {b // 2 + 1} .. {b - 1} mirrored as conjugates ({overflow_word(o)} on the negation), inverse "
            "FFT, real parts out.",
            f"static void {self.irfft_fn[k]}(const {self.fx(m.result_format)} {self.mac_result[k]}[{m.rows}][{K}][2], "
            f"{outs}) {{",
            f"    drain: for (int pos = 0; pos < {m.rows}; pos++) {{",
            "#pragma HLS PIPELINE II=1",
        ]
        if engines > 1:
            lines.append(f"#pragma HLS UNROLL factor={engines}")
        mirror = self.quant(f"-im[{b} - bin]", fmt.frac, fmt, r, o) if self.ap else \
            self.quant(f"-static_cast<int64_t>(im[{b} - bin])", fmt.frac, fmt, r, o)
        lines += [
            f"        const int row = {order_name}[pos];",
            f"        {T} re[{b}], im[{b}];",
            f"        spectrum: for (int bin = 0; bin < {K}; bin++) {{",
            f"            re[bin] = {self.quant(f'{self.mac_result[k]}[row][bin][0]', rf, fmt, r, o)};",
            f"            im[bin] = {self.zero(fmt)};",
            f"            if (bin != 0 && bin != {K - 1}) im[bin] = "
            f"{self.quant(f'{self.mac_result[k]}[row][bin][1]', rf, fmt, r, o)};",
            "        }",
            f"        mirror: for (int bin = {K}; bin < {b}; bin++) {{",
            f"            re[bin] = re[{b} - bin];",
            f"            im[bin] = {mirror};",
            "        }",
            f"        {core}(re, im);",
            f"        samples: for (int pos2 = 0; pos2 < {b}; pos2++) {{",
        ]
        for a in vec.arrays.values():
            lines.append(f"            {a}[row * {b} + pos2] = re[pos2];")
        lines += ["        }", "    }", "}", ""]
        return "\n".join(lines)

    # ---- element-wise stages
    def _term_source(self, t: Term, st: EwStage) -> tuple[str, FixedFormat, int, bool]:
        """(array or constant name, format, length, is_constant) of a term."""
        consumer = f"ew:{st.index}"
        if t.kind == "const":
            arr = self.g.constants[t.index]
            fmt = self.g.constant_formats[t.index]
            name = self._add_const(self.const_names[t.index], fmt, arr, f"{_fmt_str(fmt)}, {arr.size} values")
            return name, fmt, int(arr.size), True
        if t.kind == "stage":
            s, o = self.g.stage_values[t.index]
            vec = self.vectors[("stage", s, o)]
        elif t.kind == "irfft":
            vec = self.vectors[("irfft", t.index)]
        else:
            vec = self.vectors[(t.kind, t.index)]
        return vec.arrays[consumer], vec.fmt, vec.length, False

    def _ew_stage(self, st: EwStage) -> str:
        b = self.b
        lanes = self.cfg.ew_lanes[st.index]
        reads: dict[tuple, tuple[str, FixedFormat, int, bool]] = {}
        for t in st.terms():
            reads[(t.kind, t.index)] = self._term_source(t, st)
        params = []
        seen = set()
        for name, fmt, length, const in reads.values():
            if not const and name not in seen:
                seen.add(name)
                params.append(f"const {self.fx(fmt)} {name}[{length}]")
        outs: list[tuple[str, FixedFormat, int]] = []
        for o, v in enumerate(st.outputs):
            vec = self.vectors[("stage", st.index, o)]
            for a in vec.arrays.values():
                outs.append((a, vec.fmt, o))
                params.append(f"{self.fx(vec.fmt)} {a}[{st.length}]")
        local = NameTable(set(self.names.taken))
        var_of: dict[tuple[int, int], str] = {}
        body: list[str] = []

        def term_expr(t: Term) -> str:
            name, fmt, length, const = reads[(t.kind, t.index)]
            index = "0" if length == 1 and st.length > 1 else (f"{t.offset} + elem" if t.offset else "elem")
            e = f"{name}[{index}]"
            return self.raw(fmt, e) if const else e

        def operand(e) -> str:
            if isinstance(e, Term):
                return term_expr(e)
            return var_of[(id(e.op), e.offset)]

        position = {id(op): i for i, op in enumerate(self.acc_op.body.block.ops)}
        # in the body's order (a topological order), the slices of one op by offset
        for n in sorted(st.nodes(), key=lambda n: (position[id(n.op)], n.offset)):
            op = n.op
            res = op.results[0]
            fmt = fmt_of(res.type)
            base = value_name(res, op.name.split(".")[-1])
            offsets = {x.offset for x in st.nodes() if x.op is op}
            vname = local.fresh(base if len(offsets) == 1 else f"{base}_{n.offset}")
            var_of[(id(op), n.offset)] = vname
            args = [operand(e) for e in n.operands]
            r, o = modes(op)
            body.append(f"            // {self._describe(op, n, vname, args)}")
            body.append(f"            const {self.fx(fmt)} {vname} = {self._ew_expr(op, args, fmt, r, o)};")
        for o, v in enumerate(st.outputs):
            e = st.exprs[o]
            src = operand(e)
            for a, fmt, oo in outs:
                if oo == o:
                    body.append(f"            {a}[elem] = {src};")
        units = st.length // b
        lines = [
            f"// Element-wise stage {st.index} (after matvec depth {st.depth}; design @ew{st.index}, {lanes} lane(s)): "
            f"{units} unit block(s) of {b}",
            "// elements; every op of the stage per element, in the IR's formats and rounding modes.",
            f"static void {self.stage_fn[st.index]}({', '.join(params)}) {{",
            f"    elements: for (int elem0 = 0; elem0 < {st.length}; elem0 += {lanes}) {{",
            "#pragma HLS PIPELINE II=1",
            f"        lanes: for (int lane = 0; lane < {lanes}; lane++) {{",
            "#pragma HLS UNROLL",
            "            const int elem = elem0 + lane;",
            *body,
            "        }",
            "    }",
            "}",
            "",
        ]
        return "\n".join(lines)

    def _describe(self, op, n: EwNode, var: str, args: list[str]) -> str:
        """`name = op operands -> format, modes` with the IR's names (the C++ names of unnamed values)."""
        res = value_name(op.results[0], var)
        ins = []
        for x, a in zip(op.operands, args):
            v = x
            while isinstance(v.owner, SliceOp):
                v = v.owner.input
            c_name = a.split("[")[0].split("(")[-1]
            ins.append(value_name(v, c_name))
        at = f" (elements {n.offset} + elem)" if n.offset else ""
        r, o = modes(op)
        return (f"{res} = {op.name} {', '.join(ins)}{at} -> {_fmt_str(fmt_of(op.results[0].type))}, {r}, "
                f"{overflow_word(o)}")

    def _ew_expr(self, op, args: list[str], fmt: FixedFormat, r: str, o: str) -> str:
        if isinstance(op, AddOp | SubOp | MulOp):
            fa, fb = fmt_of(op.lhs.type), fmt_of(op.rhs.type)
            if self.ap:
                sym = {AddOp: "+", SubOp: "-", MulOp: "*"}[type(op)]
                return self.quant(f"{args[0]} {sym} {args[1]}", None, fmt, r, o)
            fn = {AddOp: "add", SubOp: "sub", MulOp: "mul"}[type(op)]
            return (f"{self.fx(fmt)}(ernn::{fn}<{fa.frac}, {fb.frac}, {fmt.width}, {fmt.frac}, {CPP_ROUNDING[r]}, "
                    f"{CPP_OVERFLOW[o]}>({args[0]}, {args[1]}))")
        if isinstance(op, RequantizeOp):
            fin = fmt_of(op.input.type)
            return self.quant(args[0], fin.frac, fmt, r, o)
        if isinstance(op, PwlOp):
            return f"{self._pwl_table(op, fmt, r, o).fn}({args[0]})"
        if isinstance(op, SigmoidOp | TanhOp):
            return f"{self._exact_table(op, fmt, r, o).fn}({args[0]})"
        self._fail(op, f"'{op.name}' has no C++ form")  # the step graph admits no other op
        return ""

    # ---- activations
    def _pwl_table(self, op: PwlOp, out: FixedFormat, r: str, o: str) -> PwlTableCpp:
        fin = fmt_of(op.input.type)
        c = op.coeff
        if c is None:
            self._fail(op, "a fixed-point PWL needs its coefficient format (run ernn-quantize)")
        coeff = FixedFormat(c.width.data, c.frac.data)
        slopes = dense_to_numpy(op.slopes).astype(np.int64)
        inter = dense_to_numpy(op.intercepts).astype(np.int64)
        x_min = op.x_min.value.data
        step = op.log2_step.value.data
        x_min_raw = round(x_min * 2.0**fin.frac)  # as the reference reads it
        shift = step + fin.frac
        n = int(slopes.size)
        key = (fin, coeff, out, r, o, x_min_raw, shift, tuple(slopes.tolist()), tuple(inter.tolist()))
        for t in self.pwl_tables:
            if t.key == key:
                return t
        if shift < 0 or shift > 62:
            self._fail(op, f"segment width 2^{step} does not fit the input format {_fmt_str(fin)}")
        top = x_min_raw + n * (1 << shift) - 1
        if top < fin.min_raw or x_min_raw > fin.max_raw:
            self._fail(op, "the table lies outside the input format's range")
        if (coeff.width - 1 + max(fin.frac, 0) > 62) or (coeff.width + fin.width - 2 + max(-fin.frac, 0) > 62):
            self._fail(op, "the aligned PWL accumulator would exceed 64 bits")
        func = op.function.data if op.function is not None else "pwl"
        fn = self.names.fresh(f"pwl_{func}_{len(self.pwl_tables)}")
        up = fn.upper()
        s_name = self._add_const(f"{up}_SLOPES", coeff, slopes, f"{func}: {n} slopes in {_fmt_str(coeff)}")
        i_name = self._add_const(f"{up}_INTERCEPTS", coeff, inter, f"{func}: {n} intercepts (value at x = 0) in "
                                 f"{_fmt_str(coeff)}")
        # the clamp bounds, within the input's range (inputs outside it do not exist)
        t = PwlTableCpp(fn, func, fin, coeff, out, r, o, x_min, step, x_min_raw, max(x_min_raw, fin.min_raw),
                        min(top, fin.max_raw), shift, n, s_name, i_name, key)
        self.pwl_tables.append(t)
        return t

    def _pwl_fn(self, t: PwlTableCpp) -> str:
        fin, coeff, out = t.in_fmt, t.coeff, t.out_fmt
        Ti, To = self.fx(fin), self.fx(out)
        x_min_raw = t.x_min_raw
        lines = [
            f"// Piecewise-linear {t.function}: {t.segments} segments of 2^{t.log2_step} from x = {t.x_min:g} "
            "(docs/numerics.md section 9):",
            f"// clamp the input to the table, segment = (x - x_min) >> {t.shift} lsbs, y = slope * x + intercept "
            f"exactly, one requantize.",
            f"static {To} {t.fn}(const {Ti} x) {{",
            "#pragma HLS INLINE",
        ]
        raw = "ernn::raw_of(x)" if self.ap else "static_cast<int64_t>(x)"
        lines += [
            f"    int64_t xc = {raw};",
            f"    if (xc < INT64_C({t.x_lo})) xc = INT64_C({t.x_lo});",
            f"    if (xc > INT64_C({t.x_hi})) xc = INT64_C({t.x_hi});",
            f"    const int idx = static_cast<int>((xc - INT64_C({x_min_raw})) >> {t.shift});",
        ]
        if self.ap:
            slope = self.raw(coeff, t.slopes + "[idx]")
            intercept = self.raw(coeff, t.intercepts + "[idx]")
            value = self.quant(f"{slope} * xs + {intercept}", None, out, t.rounding, t.overflow)
            lines += [
                f"    const {Ti} xs = ernn::from_raw<{Ti}>(xc);",
                f"    return {value};",
            ]
        else:
            if fin.frac >= 0:
                acc = f"{t.slopes}[idx] * xc + ernn::shift_left({t.intercepts}[idx], {fin.frac})"
                frac = coeff.frac + fin.frac
            else:
                acc = f"ernn::shift_left({t.slopes}[idx] * xc, {-fin.frac}) + {t.intercepts}[idx]"
                frac = coeff.frac
            lines += [f"    const int64_t acc = {acc};  // frac {frac}",
                      f"    return {self.quant('acc', frac, out, t.rounding, t.overflow)};"]
        lines += ["}", ""]
        return "\n".join(lines)

    def _exact_table(self, op, out: FixedFormat, r: str, o: str) -> ExactTable:
        fin = fmt_of(op.input.type)
        kind = "sigmoid" if isinstance(op, SigmoidOp) else "tanh"
        key = (kind, fin, out, r, o)
        for t in self.exact_tables:
            if t.key == key:
                return t
        if fin.width > EXACT_TABLE_MAX_BITS:
            self._fail(op, f"an exact {kind} on a {fin.width}-bit input needs a table of 2^{fin.width} entries; "
                       f"approximate it (ernn-approximate-activations, or ernn-pipeline with approximate=true) or "
                       f"requantize its input to at most {EXACT_TABLE_MAX_BITS} bits")
        xs = np.arange(fin.min_raw, fin.max_raw + 1, dtype=np.int64)
        fn_ = sigmoid_fixed if kind == "sigmoid" else tanh_fixed
        ys, _ = fn_(xs, fin, out, r, o)
        fn = self.names.fresh(f"{kind}_exact_{len(self.exact_tables)}")
        table = self._add_const(f"{fn.upper()}_TABLE", out, ys,
                                f"{kind} of every {_fmt_str(fin)} input (from raw {fin.min_raw}), in {_fmt_str(out)} "
                                "(the reference's values)")
        t = ExactTable(fn, kind, fin, out, table, key)
        self.exact_tables.append(t)
        return t

    def _exact_fn(self, t: ExactTable) -> str:
        raw = "ernn::raw_of(x)" if self.ap else "static_cast<int64_t>(x)"
        return "\n".join([
            f"// Exact {t.kind} (docs/numerics.md section 10), tabulated over all {1 << t.in_fmt.width} inputs.",
            f"static {self.fx(t.out_fmt)} {t.fn}(const {self.fx(t.in_fmt)} x) {{",
            "#pragma HLS INLINE",
            f"    return {self.raw(t.out_fmt, f'{t.table}[{raw} - INT64_C({t.in_fmt.min_raw})]')};",
            "}",
            "",
        ])

    # ---- the step
    def step_arrays(self) -> tuple[list[tuple[str, FixedFormat, int]], list[tuple[str, FixedFormat, int]]]:
        """(inputs, outputs) of `step`: frame copies, state copies; next-state copies, step outputs."""
        g = self.g
        ins, outs = [], []
        for i in range(len(g.inputs)):
            vec = self.vectors[("input", i)]
            for a in vec.arrays.values():
                ins.append((a, vec.fmt, vec.length))
        for c in g.carries:
            vec = self.vectors[("carry", c.index)]
            for a in vec.arrays.values():
                ins.append((a, vec.fmt, vec.length))
        for c in g.carries:
            vec = self.vectors[("stage", c.next.index, c.next.output)]
            for key, a in vec.arrays.items():
                if key.startswith(f"next:{c.index}:"):
                    outs.append((a, vec.fmt, vec.length))
        for out in g.outputs:
            vec = self.vectors[("stage", out.source.index, out.source.output)]
            outs.append((vec.arrays[f"out:{out.index}"], vec.fmt, vec.length))
        return ins, outs

    def _process_order(self) -> list[tuple[str, int]]:
        g = self.g
        order: list[tuple[str, int]] = [("rfft", sp.index) for sp in g.spectra if sp.source.kind != "stage"]
        depths = sorted({m.depth for m in g.macs} | {st.depth for st in g.stages})
        for d in depths:
            for m in g.macs:
                if m.depth == d:
                    order += [("mac", m.index), ("irfft", m.index)]
            for st in g.stages:
                if st.depth == d:
                    order.append(("ew", st.index))
                    order += [("rfft", sp.index) for sp in g.spectra
                              if sp.source.kind == "stage" and sp.source.index == st.index]
        return order

    def _step_fn(self) -> str:
        g = self.g
        K = self.K
        ins, outs = self.step_arrays()
        params = [f"const {self.fx(f)} {a}[{n}]" for a, f, n in ins] + [f"{self.fx(f)} {a}[{n}]" for a, f, n in outs]
        locals_: list[str] = []
        calls: list[str] = []
        for kind, idx in self._process_order():
            if kind == "rfft":
                sp = g.spectra[idx]
                vec = self.vectors[("spectrum", idx)]
                for a in vec.arrays.values():
                    locals_.append(f"    {self.fx(vec.fmt)} {a}[{sp.blocks}][{K}][2];")
                src = self.vectors[self._source_key(sp.source)]
                args = [src.arrays[f"rfft:{idx}"]] + list(vec.arrays.values())
                calls.append(f"    {self.rfft_fn[idx]}({', '.join(args)});")
            elif kind == "mac":
                m = g.macs[idx]
                args = [self.vectors[("spectrum", p.spectrum)].arrays[f"mac:{idx}"] for p in m.parts]
                locals_.append(f"    {self.fx(m.result_format)} {self.mac_result[idx]}[{m.rows}][{K}][2];")
                calls.append(f"    {self.mac_fn[idx]}({', '.join(args + [self.mac_result[idx]])});")
            elif kind == "irfft":
                m = g.macs[idx]
                vec = self.vectors[("irfft", idx)]
                for a in vec.arrays.values():
                    locals_.append(f"    {self.fx(vec.fmt)} {a}[{vec.length}];")
                calls.append(f"    {self.irfft_fn[idx]}({', '.join([self.mac_result[idx]] + list(vec.arrays.values()))});")
            else:
                st = g.stages[idx]
                args = []
                seen = set()
                for t in st.terms():
                    if t.kind == "const":
                        continue
                    name = self._term_source(t, st)[0]
                    if name not in seen:
                        seen.add(name)
                        args.append(name)
                for o in range(len(st.outputs)):
                    vec = self.vectors[("stage", st.index, o)]
                    for c, a in vec.arrays.items():
                        args.append(a)
                        if not c.startswith(("next:", "out:")):
                            locals_.append(f"    {self.fx(vec.fmt)} {a}[{vec.length}];")
                calls.append(f"    {self.stage_fn[idx]}({', '.join(args)});")
        lines = [
            "// One time step of one sequence: the units in dependence order. Every array has one writer and one",
            "// reader, so the step is a DATAFLOW region (the gate matvec, the element-wise stage and the projection",
            "// overlap across the independent sequences of the batch).",
            f"static void step({', '.join(params)}) {{",
            "#pragma HLS DATAFLOW",
            *locals_,
            *calls,
            "}",
            "",
        ]
        return "\n".join(lines)

    def _top_fn(self) -> str:
        g = self.g
        ins, outs = self.step_arrays()
        T, B = g.steps, g.batch
        lines = [
            f"// The accelerator: {T} time steps of {B} independent sequence(s). Frames stream in, step outputs",
            "// stream out; the carried state of every sequence lives here, one copy per unit that reads it.",
            f"void {self.top}({self._top_params('hls::stream' if self.ap else 'ernn::stream')}) {{",
        ]
        for i in g.inputs:
            lines.append(f"#pragma HLS INTERFACE axis port={self.input_name[i.index]}_in")
        for o in g.outputs:
            lines.append(f"#pragma HLS INTERFACE axis port={self.output_name[o.index]}_out")
        lines.append("#pragma HLS INTERFACE ap_ctrl_hs port=return")
        state = []
        for c in g.carries:
            vec = self.vectors[("carry", c.index)]
            init = self._add_const(f"INIT_{self.carry_name[c.index].upper()}", c.format, c.init,
                                   f"initial value of the carried state {self.carry_name[c.index]} "
                                   f"({_fmt_str(c.format)})")
            for a in vec.arrays.values():
                state.append((c, a, f"state_{a}", init))
        for c, a, sname, init in state:
            lines.append(f"    {self.fx(c.format)} {sname}[{B}][{c.length}];")
        if state:
            lines.append(f"    init: for (int seq = 0; seq < {B}; seq++) {{")
            for c, a, sname, init in state:
                lines.append(f"        for (int elem = 0; elem < {c.length}; elem++) {sname}[seq][elem] = "
                             f"{self.raw(c.format, f'{init}[elem]')};")
            lines.append("    }")
        lines += [f"    time_steps: for (int step_index = 0; step_index < {T}; step_index++) {{",
                  f"        sequences: for (int seq = 0; seq < {B}; seq++) {{"]
        for i, inp in enumerate(g.inputs):
            vec = self.vectors[("input", i)]
            for a in vec.arrays.values():
                lines.append(f"            {self.fx(vec.fmt)} {a}[{vec.length}];")
            lines.append(f"            read_{self.input_name[i]}: for (int elem = 0; elem < {vec.length}; elem++) {{")
            lines.append(f"                const {self.fx(vec.fmt)} sample = {self.input_name[i]}_in.read();")
            for a in vec.arrays.values():
                lines.append(f"                {a}[elem] = sample;")
            lines.append("            }")
        for a, f, n in outs:
            lines.append(f"            {self.fx(f)} {a}[{n}];")
        args = []
        for a, f, n in ins:
            args.append(a if not any(a == x[1] for x in state) else f"state_{a}[seq]")
        args += [a for a, f, n in outs]
        lines.append(f"            step({', '.join(args)});")
        for c in g.carries:
            vec = self.vectors[("stage", c.next.index, c.next.output)]
            cvec = self.vectors[("carry", c.index)]
            for x, a in cvec.arrays.items():
                nxt = vec.arrays[f"next:{c.index}:{x}"]
                lines.append(f"            for (int elem = 0; elem < {c.length}; elem++) state_{a}[seq][elem] = "
                             f"{nxt}[elem];")
        for o, out in enumerate(g.outputs):
            vec = self.vectors[("stage", out.source.index, out.source.output)]
            a = vec.arrays[f"out:{o}"]
            lines.append(f"            write_{self.output_name[o]}: for (int elem = 0; elem < {out.length}; elem++) "
                         f"{self.output_name[o]}_out.write({a}[elem]);")
        lines += ["        }", "    }", "}", ""]
        return "\n".join(lines)


def overflow_word(o: str) -> str:
    return "saturating" if o == "saturate" else "wrapping"
