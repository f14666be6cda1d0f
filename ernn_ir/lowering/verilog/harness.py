"""A vector testbench for one generated module: drive inputs cycle by cycle, record outputs (unit tests).

`run_vectors(modules, top, inputs)` writes the modules' SystemVerilog and a
testbench that reads one line of hex input per cycle (all input ports but
clk, concatenated in port order) and prints the outputs after each rising
edge; it runs in Icarus or Verilator and returns the outputs as integers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from xdsl.dialects import hw

from ernn_ir.lowering.verilog.emit_sv import emit_module


def _ports(mod: hw.HWModuleOp):
    ins, outs = [], []
    for p in mod.module_type.ports.data:
        w = getattr(p.type, "width", None)
        w = 1 if w is None else w.data
        (ins if p.dir.data == hw.Direction.INPUT else outs).append((p.port_name.data, w))
    return ins, outs


def run_vectors(modules: list[hw.HWModuleOp], top: str, vectors: list[dict[str, int]], simulator: str = "iverilog",
                workdir: str | None = None) -> list[dict[str, int]]:
    mod = next(m for m in modules if m.sym_name.data == top)
    ins, outs = _ports(mod)
    drive = [(n, w) for n, w in ins if n != "clk"]
    tmp = workdir or tempfile.mkdtemp(prefix="ernn-vec-")
    files = []
    for m in modules:
        f = os.path.join(tmp, f"{m.sym_name.data}.sv")
        with open(f, "w") as fh:
            fh.write(emit_module(m))
        files.append(f)
    total = sum(w for _, w in drive)
    with open(os.path.join(tmp, "stim.hex"), "w") as fh:
        for vec in vectors:
            word = 0
            for n, w in drive:
                word = (word << w) | (int(vec.get(n, 0)) & ((1 << w) - 1))
            fh.write(f"{word:0{max(1, (total + 3) // 4)}x}\n")
    n = len(vectors)
    lines = [
        "`timescale 1ns/1ps",
        "module tb;",
        "  logic clk = 0;",
        f"  logic [{total - 1}:0] stim [0:{n - 1}];",
    ]
    for nm, w in drive:
        lines.append(f"  logic [{w - 1}:0] {nm};")
    for nm, w in outs:
        lines.append(f"  logic [{w - 1}:0] {nm};")
    conns = ", ".join([".clk(clk)"] + [f".{nm}({nm})" for nm, _ in drive + outs])
    lines.append(f"  {top} dut ({conns});")
    lines.append("  integer i, fd;")
    lines.append("  initial begin")
    lines.append(f'    $readmemh("{os.path.join(tmp, "stim.hex")}", stim);')
    lines.append(f'    fd = $fopen("{os.path.join(tmp, "out.txt")}", "w");')
    lines.append(f"    for (i = 0; i < {n}; i = i + 1) begin")
    off = total
    for nm, w in drive:
        off -= w
        lines.append(f"      {nm} = stim[i][{off + w - 1}:{off}];")
    lines.append("      #1 clk = 1; #1;")
    fmt = " ".join("%h" for _ in outs)
    lines.append(f'      $fwrite(fd, "{fmt}\\n", {", ".join(nm for nm, _ in outs)});')
    lines.append("      clk = 0; #1;")
    lines.append("    end")
    lines.append("    $fclose(fd);")
    lines.append("    $finish;")
    lines.append("  end")
    lines.append("endmodule")
    tb = os.path.join(tmp, "tb.sv")
    with open(tb, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    if simulator == "iverilog":
        subprocess.run(["iverilog", "-g2012", "-o", os.path.join(tmp, "sim"), tb, *files], check=True,
                       capture_output=True, text=True)
        subprocess.run(["vvp", "-n", os.path.join(tmp, "sim")], check=True, capture_output=True, text=True, cwd=tmp)
    else:
        subprocess.run(["verilator", "--binary", "-Wno-fatal", "--top-module", "tb", "-Mdir", os.path.join(tmp, "obj"),
                        tb, *files], check=True, capture_output=True, text=True)
        subprocess.run([os.path.join(tmp, "obj", "Vtb")], check=True, capture_output=True, text=True, cwd=tmp)
    res = []
    with open(os.path.join(tmp, "out.txt")) as fh:
        for line in fh:
            vals = line.split()
            res.append({nm: int(v, 16) if "x" not in v else -1 for (nm, _), v in zip(outs, vals)})
    if workdir is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return res
