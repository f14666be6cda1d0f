"""Side-by-side measurements of the two public peer designs (docs/peers.md).

    python bench/bench_peers.py --vtr PATH [--clstm PATH] [options]

--vtr   a checkout of verilog-to-routing, or its git directory (the fetched
        mirror): the Koios benchmarks vtr_flow/benchmarks/verilog/koios/
        clstm_like.{small,medium,large}.v are read from it at run time.
--clstm a checkout (or git directory) of shvo/C-LSTM; its google-lstm/device/
        sources are read at run time.

For Koios clstm_like it (1) applies the documented bug fixes to a copy of
each file in a scratch directory (nothing of the peer is stored in this
project), (2) checks the fixed DFT/IDFT against numpy, (3) counts the
multipliers per datapath unit with yosys, (4) runs yosys synth_xilinx
-flatten for 7-series and UltraScale and reads `stat -json`, and (5)
simulates the whole design with a minimal testbench (Verilator, or Icarus)
that loads x_t, pulses start_compute and counts cycles until the design is
ready for the next frame.  For C-LSTM's HLS code (Vitis HLS is not available
here) it derives cycles per frame and multipliers from the loop nests and
pragmas, cites the lines used, and checks that the C++ compiles with g++ and
hls4ml's ap_fixed headers.  It prints one table and optionally writes
JSON (--json) or refreshes bench/peers_data.json (--update-data).

--ours builds the model of Koios clstm_like.small (LSTMP 160-1024-512,
peepholes, b = 16, 18 bits) with ernn-ir at the largest MAC budget whose
cost-model DSP total fits Koios small's DSP count, simulates it with
Verilator (cycles per frame against the cost model, outputs against the
reference interpreter), synthesises it with the same yosys for the same
family, and reports frames/s per DSP and the ratio to Koios.  --doc fills
the generated sections of docs/peers.md (and docs/benchmarks.md) from the
recorded data.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers_data import (
    CLOCK_HZ,
    DATA_FILE,
    format_table,
    frames_per_s,
    table_rows,
    useful_mults,
    utilisation,
)
from peers_data import (
    load as load_data,
)

KOIOS_DIR = "vtr_flow/benchmarks/verilog/koios"
KOIOS_TOP = "C_LSTM_datapath"
SIZES = ("small", "medium", "large")
CLSTM_DIR = "google-lstm/device"
CLSTM_FILES = (
    "lstm_fpga.h", "lstm_fpga.cpp", "compute_gate.cpp", "compute_yt.cpp", "compute_vector.cpp",
    "fft8_fpga.cpp", "ifft8_fpga.cpp", "activation_func.cpp",
)


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- sources


def read_source(root: str, relpath: str) -> tuple[str, str | None]:
    """`relpath` from a work tree or a git directory; returns (text, commit or None)."""
    p = os.path.join(root, relpath)
    commit = None
    if shutil.which("git"):
        for args in (["-C", root], ["--git-dir", root]):
            r = subprocess.run(["git", *args, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
            if r.returncode == 0:
                commit = r.stdout.strip()
                break
    if os.path.isfile(p):
        with open(p, errors="replace") as f:
            return f.read(), commit
    if commit and shutil.which("git"):
        for args in (["-C", root], ["--git-dir", root]):
            r = subprocess.run(["git", *args, "show", f"HEAD:{relpath}"], capture_output=True, text=True, check=False)
            if r.returncode == 0:
                return r.stdout, commit
    hint = "" if shutil.which("git") else "; git is not on PATH, so a git directory cannot be read"
    raise BenchError(f"{relpath} not found in {root} (neither a file there nor in the HEAD commit of a git directory{hint})")


# --------------------------------------------------------------------------- process helpers


def run(cmd: list[str], timeout: float, cwd: str | None = None, nice: bool = True) -> tuple[int | None, str, float]:
    """Run `cmd` (niced) in its own process group; (returncode or None on timeout, combined output, seconds)."""
    if nice and shutil.which("nice"):
        cmd = ["nice", "-n", "10", *cmd]
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
    except OSError as e:
        raise BenchError(f"cannot run {cmd[0]}: {e}") from e
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out, time.monotonic() - t0
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return None, out or "", time.monotonic() - t0
    except KeyboardInterrupt:
        os.killpg(p.pid, signal.SIGKILL)
        raise


def tool_version(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def _cache_key(*parts: str) -> str:
    import hashlib

    h = hashlib.sha256()
    for x in parts:
        h.update(x.encode())
        h.update(b"\0")
    return h.hexdigest()


def cached(d: str, key: str) -> dict | None:
    """The result stored in `d` by an earlier run with the same inputs (`key`), or None."""
    try:
        with open(os.path.join(d, "result.json")) as f:
            r = json.load(f)
    except (OSError, ValueError):
        return None
    return r["result"] if r.get("key") == key and r.get("result", {}).get("status") == "ok" else None


def store(d: str, key: str, res: dict) -> dict:
    with open(os.path.join(d, "result.json"), "w") as f:
        json.dump({"key": key, "result": res}, f, default=str)
    return res


# --------------------------------------------------------------------------- Koios: what the design is


def koios_params(text: str) -> dict:
    """Model dimensions from the generated module names (parameters are baked into them)."""
    def grab(pat: str, what: str) -> tuple[int, ...]:
        m = re.search(pat, text)
        if not m:
            raise BenchError(f"Koios file: cannot find {what} (/{pat}/): not the clstm_like design documented in docs/peers.md")
        return tuple(int(g) for g in m.groups())

    w, frac, n_in, n_proj, par, b, _ = grab(r"module C_LSTM_stage_1_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)_(\d+)\b", "stage 1")
    qcols, blocks1 = grab(r"module stage1_parameter_buffer_\d+_\d+_\d+_(\d+)_(\d+)\b", "the stage-1 parameter buffer")
    qcols3, blocks3 = grab(r"module C_LSTM_stage_3_\d+_\d+_(\d+)_(\d+)_\d+_\d+_\d+\b", "stage 3")
    (rows1,) = grab(r"module stage2_parameter_buffer_\d+_\d+_\d+_(\d+)\b", "the stage-2 parameter buffer")
    cells = rows1 * b
    p = {"width": w, "frac": frac, "input": n_in, "proj": n_proj, "cells": cells, "b": b, "lanes": par,
             "gate_cols": qcols, "gate_blocks": blocks1, "proj_cols": qcols3, "proj_blocks": blocks3,
             "x_blocks": n_in // b}
    if blocks1 != rows1 * qcols or qcols != (n_in + n_proj) // b or blocks3 * b != n_proj * qcols3 or qcols3 * b != cells:
        raise BenchError(f"Koios file: inconsistent dimensions {p}")
    p["blocks"] = 4 * blocks1 + blocks3
    p["peepholes"] = bool(re.search(r"module weight_buffer_\w*_Wic_", text))
    p["model"] = f"LSTMP {n_in}-{cells}-{n_proj}" + (" peep" if p["peepholes"] else "")
    return p


# --------------------------------------------------------------------------- Koios: the fixes

# Each fix: id, kind, module-name regex, list of (old, new) replacements inside
# those modules, and why.  Every replacement must match at least once in
# every size, otherwise the design differs from the one documented and the
# bench stops.  "rate" is not a bug fix: it removes the design's own
# every-other-cycle pacing for the "full-rate" variant.
FIXES = [
    {"id": "K1", "kind": "datapath", "module": r"subfxp_18_1",
         "subs": [("res_0 <= a + b;", "res_0 <= a - b;")],
         "why": "the Spiral butterfly subtractor adds: every DFT/IDFT output except bin 0 is wrong"},
    {"id": "K2", "kind": "datapath", "module": r"dsp_signed_mult_18x18_unit_18_36_0|dsp_signed_mult_18x18_unit_18_18_1",
         "subs": [("reg_resa <= ax * ay;", "reg_resa <= $signed(ax) * $signed(ay);"),
               ("reg_resb <= bx * by;", "reg_resb <= $signed(bx) * $signed(by);"),
               ("reg_resa <= reg_ax * reg_ay;", "reg_resa <= $signed(reg_ax) * $signed(reg_ay);"),
               ("reg_resb <= reg_bx * reg_by;", "reg_resb <= $signed(reg_bx) * $signed(reg_by);")],
         "why": "the 'signed' multipliers have plain [17:0] ports, so `*` is unsigned on two's-complement data "
             "(and an 18x18 unsigned product does not fit one DSP48E1)"},
    {"id": "K3", "kind": "datapath", "module": r"dsp_signed_mult_18x18_unit_18_36_0",
         "subs": [("reg [35:0] reg_resa, reg_resb;", "reg [35:0] reg_resa, reg_resb, reg_resa2, reg_resb2;"),
               ("\t\tvalid_rr <= ena;\n", "\t\tvalid_rr <= ena;\n\t\treg_resa2 <= reg_resa;\n\t\treg_resb2 <= reg_resb;\n"),
               ("assign resulta = reg_resa;", "assign resulta = reg_resa2;"),
               ("assign resultb = reg_resb;", "assign resultb = reg_resb2;")],
         "why": "the twiddle multiplier (inside multfix_alt_dsp_18) has 1 register where the DFT code blocks "
             "expect Spiral's 2 (the untwiddled path is delayed by 3 registers, the twiddled path by "
             "multiplier + adder): twiddled bins mix in the next block's data"},
    {"id": "K4", "kind": "control", "module": r"shiftRegFIFO_2_1",
         "subs": [("assign Y = mem_4;", "assign Y = mem_1;")],
         "why": "the 'next' delay of the second DFT/IDFT code block is 5 registers (mem_4) instead of the 2 "
             "its name and its 3-register data path need: next_out, hence every valid behind a DFT or "
             "IDFT, comes 3 cycles after the data"},
    {"id": "K5", "kind": "control", "module": r"dsp_signed_mult_18x18_unit_18_18_1|dsp_signed_mac_18_13_23_32",
         "subs": [("valid_r <= ena;", "valid_r <= i_valid;")],
         "why": "the spectral/element-wise multipliers and the sigmoid/tanh MACs pass the enable (constant 1), "
             "not i_valid, down the valid chain: the accumulators, stage 2 and stage 3 run free and the "
             "design emits an output every 42/64 cycles whatever the input"},
    {"id": "K6", "kind": "datapath", "module": r"weight_buffer_\d+_9_42_\d+_2688",
         "subs": [("input [10:0] index", "input [11:0] index"),
               ("reg [10:0] addrs_", "reg [11:0] addrs_"),
               ("spram #(.AWIDTH(11), .DWIDTH(162), .NUM_WORDS(1<<11))", "spram #(.AWIDTH(12), .DWIDTH(162), .NUM_WORDS(2688))")],
         "why": "the stage-1 weight buffers hold 2^11 words behind an 11-bit index, but the index runs to "
             "2687 (64 x 42 blocks): blocks 2048-2687 alias blocks 0-639"},
    {"id": "K7", "kind": "datapath", "module": r"ram_18_0_42",
         "subs": [("input [4:0] waddr", "input [5:0] waddr"), ("input [4:0] raddr", "input [5:0] raddr"),
               ("input [17:0] wdata", "input [287:0] wdata"), ("output [17:0] q", "output [287:0] q"),
               ("wire [17:0] rd_dummy_signal;", "wire [287:0] rd_dummy_signal;"),
               ("wire [17:0] wr_dummy_signal;", "wire [287:0] wr_dummy_signal;"),
               ("dpram # (.AWIDTH(5), .DWIDTH(18), .NUM_WORDS(1<<5))", "dpram # (.AWIDTH(6), .DWIDTH(288), .NUM_WORDS(1<<6))")],
         "why": "the x_t / y_(t-1) buffer is 18 bits x 32 words but is written with 288-bit (16 x 18) blocks "
             "at addresses 0-41: only element 0 of a block survives and x blocks (32-41) overwrite y blocks 0-9"},
    {"id": "K8", "kind": "rate", "module": r"stage3_X_Y_buffer_\w+|stage2_mt_buffer_\w+",
         "subs": [("en_output_counter <= (reg_feed_start && ~en_output_counter && ~output_finish);",
                "en_output_counter <= (reg_feed_start && ~output_finish);"),
               ("en_output_counter <= (is_buffer_full && ~en_output_counter && ~is_output_enough);",
                "en_output_counter <= (is_buffer_full && ~is_output_enough);")],
         "why": "not a bug: the x/y buffer (stage-1 feed) and the m_t buffer (stage-3 feed) issue one block "
             "every other cycle; the datapath accepts one per cycle.  Only in the 'full-rate' variant"},
]
FIX_SETS = {"as-is": [], "fixed": ["K1", "K2", "K3", "K4", "K5", "K6", "K7"]}
FIX_SETS["full-rate"] = FIX_SETS["fixed"] + ["K8"]

# Found, documented, not fixed (they change numerics or model semantics, not
# what is measured here).
NOT_FIXED = [
    ("N1", ("sigmoid_core_*/tanh_core_*: mac_az is 13 bits but receives selected_b << 10 (23 bits), and the "
           "saturation value 12'd2048 and `2048 - x_k_plus_b` are Q11 where the MAC result is Q21: "
           "the activations are wrong")),
    ("N2", "output_activation_* (the cell input g) uses sigmoid cores, not tanh"),
    ("N3", "the output-gate peephole multiplies c_(t-1) (reg_Ct_1), not c_t as in the LSTMP model"),
    ("N4", ("large (3 lanes): the x/y buffer replays 21 row groups x 3 = 63 of the 64 block rows "
           "(counter_20_1) while the weight-row counter (counter_63_3) has 22 states, so from the second "
           "frame on weights and rows are misaligned")),
    ("N5", "wdata_stage3 is 162 bits at the top but 288 bits in stage 3 (width mismatch on the weight port)"),
    ("N6", ("not a bug: the DFT is a full complex 16-point transform of a real block (imaginary inputs tied "
           "to 0, bins 9-15 unused) and the IDFT a full complex transform of which only real outputs are "
           "used; and every gate recomputes the input DFT for every block row")),
]


def _modules(text: str, pat: str):
    for m in re.finditer(rf"^module\s+({pat})\s*\(", text, re.MULTILINE):
        yield m.start(), text.find("endmodule", m.end())


def apply_fixes(text: str, ids: list[str]) -> tuple[str, list[dict]]:
    """Apply the fixes `ids` to `text`; returns (fixed text, [{id, old, count, lines}])."""
    applied = []
    for fx in FIXES:
        if fx["id"] not in ids:
            continue
        spans = list(_modules(text, fx["module"]))
        if not spans:
            raise BenchError(f"fix {fx['id']}: no module matches /{fx['module']}/")
        total = 0
        for old, new in fx["subs"]:
            n, lines = 0, []
            pieces, pos = [], 0
            for s, e in spans:
                body = text[s:e]
                k = body.count(old)
                if k:
                    first = s + body.find(old)
                    lines.append(text.count("\n", 0, first) + 1)
                n += k
                pieces += [text[pos:s], body.replace(old, new)]
                pos = e
            pieces.append(text[pos:])
            text = "".join(pieces)
            # module spans move when a replacement changes length
            spans = list(_modules(text, fx["module"]))
            total += n
            applied.append({"id": fx["id"], "old": " ".join(old.split()), "new": " ".join(new.split()), "count": n, "lines": lines})
        if total == 0:
            raise BenchError(f"fix {fx['id']} matched nothing: the design differs from the one docs/peers.md describes")
    return text, applied


def fix_table_lines(applied_by_size: dict[str, list[dict]]) -> list[str]:
    out = []
    for fx in FIXES:
        out.append(f"{fx['id']} ({fx['kind']}) in {fx['module']}: {fx['why']}")
        subs = {}
        for size, applied in applied_by_size.items():
            for a in applied:
                if a["id"] == fx["id"]:
                    subs.setdefault(a["old"], {})[size] = a
        for old, per in subs.items():
            new = next(iter(per.values()))["new"]
            where = ", ".join(f"{s}:{','.join(map(str, a['lines'])) or '-'}" for s, a in per.items())
            out.append(f"    `{old}` -> `{new}`   (line in clstm_like.<size>.v: {where})")
    return out


# --------------------------------------------------------------------------- Koios: DFT check


DFT_MODULES = ["dft_16_top_18", "codeBlock88206_18", "codeBlock89324_18", "idft_16_top_18", "codeBlock98050_18",
               "codeBlock99168_18", "shiftRegFIFO_5_1", "shiftRegFIFO_2_1", "addfxp_18_1", "subfxp_18_1",
               "multfix_alt_dsp_18", "dsp_signed_mult_18x18_unit_18_36_0"]


def _extract_modules(text: str, names: list[str]) -> str:
    parts = []
    for n in names:
        spans = list(_modules(text, re.escape(n)))
        if not spans:
            raise BenchError(f"module {n} not found")
        s, e = spans[0]
        parts.append(text[s:e + len("endmodule")])
    return "\n".join(parts)


def dft_check(text: str, ids: list[str], work: str, nvec: int = 8) -> dict:
    """Stream `nvec` random blocks through dft_16_top_18 and idft_16_top_18; max |error| against numpy
    (in units of the 10-bit LSB) and where the data sit relative to next_out."""
    import numpy as np

    fixed, _ = apply_fixes(text, ids)
    src = _extract_modules(fixed, DFT_MODULES)
    rng = np.random.default_rng(1)
    res = {}
    for top in ("dft_16_top_18", "idft_16_top_18"):
        x = rng.integers(-2048, 2048, size=(nvec, 32))  # Q10, |x| < 2
        if top.startswith("dft"):
            x[:, 1::2] = 0
        L = ["`timescale 1ns/1ps", "module tb; reg clk = 0, reset = 1, next = 0; always #5 clk = ~clk;"]
        L += [f"reg [17:0] X{i};" for i in range(32)] + [f"wire [17:0] Y{i};" for i in range(32)] + ["wire next_out;"]
        L.append(f"{top} dut(.clk(clk), .reset(reset), .next(next), .next_out(next_out), "
                 + ", ".join(f".X{i}(X{i}), .Y{i}(Y{i})" for i in range(32)) + ");")
        L.append("integer c = 0; always @(posedge clk) c <= c + 1;")
        L.append('always @(posedge clk) begin if (next) $display("NEXT %0d", c); if (next_out) $display("NEXTOUT %0d", c); '
                 '$display("OUT %0d ' + " ".join(["%0d"] * 32) + '", c, ' + ", ".join(f"$signed(Y{i})" for i in range(32)) + "); end")
        L.append("initial begin")
        L += [f"X{i} = 0;" for i in range(32)]
        L.append("repeat (4) @(negedge clk); reset = 0; repeat (2) @(negedge clk); next = 1; @(negedge clk); next = 0;")
        for v in range(nvec):
            L += [f"X{i} = 18'd{int(x[v, i]) & 0x3FFFF};" for i in range(32)]
            L.append("@(negedge clk);")
        L += [f"X{i} = 0;" for i in range(32)]
        L.append("repeat (40) @(negedge clk); $finish; end endmodule")
        d = os.path.join(work, f"dftcheck_{top}_{'_'.join(ids) or 'asis'}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "tb.v"), "w") as f:
            f.write("\n".join(L))
        with open(os.path.join(d, "dut.v"), "w") as f:
            f.write(src)
        rc, out, _ = run(["iverilog", "-g2005", "-o", "a.vvp", "tb.v", "dut.v"], 300, cwd=d)
        if rc != 0:
            raise BenchError(f"iverilog failed on the DFT check:\n{out[-2000:]}")
        rc, out, _ = run(["vvp", "-n", "a.vvp"], 300, cwd=d)
        rows, nxt, nxo = {}, None, None
        for line in out.splitlines():
            f_ = line.split()
            if not f_:
                continue
            if f_[0] == "OUT":
                rows[int(f_[1])] = [int(v) if v.lstrip("-").isdigit() else 0 for v in f_[2:]]
            elif f_[0] == "NEXT" and nxt is None:
                nxt = int(f_[1])
            elif f_[0] == "NEXTOUT" and nxo is None:
                nxo = int(f_[1])
        xc = (x[:, 0::2] + 1j * x[:, 1::2]) / 1024
        ref = np.fft.fft(xc, axis=1) if top.startswith("dft") else np.fft.ifft(xc, axis=1) * 16
        errs = {}
        for off in range(-8, 20):
            if nxo is None or any(nxo + off + v not in rows for v in range(nvec)):
                continue
            y = np.array([rows[nxo + off + v] for v in range(nvec)], float) / 1024
            errs[off] = float(np.abs(y[:, 0::2] + 1j * y[:, 1::2] - ref).max()) * 1024
        best = min(errs, key=errs.get) if errs else None
        # a consumer samples the outputs the cycle after next_out (Spiral's convention, and what
        # c_matrix_vec_mult_core and multiple_c_matrix_vec_mult_and_sum do)
        res[top] = {"err_at_consumer_lsb": round(errs[1], 1) if 1 in errs else None,
                        "best_err_lsb": round(errs[best], 1) if errs else None, "best_offset": best,
                        "ref_max_lsb": round(float(np.abs(ref).max()) * 1024),
                        "next_to_next_out": (nxo - nxt) if (nxo is not None and nxt is not None) else None}
    return res


# --------------------------------------------------------------------------- Koios: multipliers


def mult_inventory(fixed: str, p: dict, work: str, timeout: float) -> dict:
    """Live $mul cells (after flatten + opt_clean -purge) per datapath unit, with yosys."""
    lanes = p["lanes"]
    units = {
        "stage1_unit": re.search(rf"module (multiple_c_matrix_vec_mult_and_sum_\w+_{p['gate_cols']})\b", fixed),
        "stage3_unit": re.search(rf"module (multiple_c_matrix_vec_mult_and_sum_\w+_{p['proj_cols']})\b", fixed),
        "stage2": re.search(r"module (C_LSTM_stage_2_\w+)\b", fixed),
        "stage1_addr": re.search(r"module (stage1_parameter_buffer_\w+)\b", fixed),
        "stage3_addr": re.search(r"module (stage3_parameter_buffer_\w+)\b", fixed),
    }
    d = os.path.join(work, f"muls_{p['size']}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "design.v"), "w") as f:
        f.write(fixed)
    script = []
    for key, m in units.items():
        if not m:
            raise BenchError(f"multiplier inventory: unit {key} not found")
        script += ["read_verilog design.v", f"hierarchy -top {m.group(1)}", "proc", "flatten", "opt_clean -purge",
                   f"tee -q -o {key}.txt select -list t:$mul", "design -reset"]
    with open(os.path.join(d, "muls.ys"), "w") as f:
        f.write("\n".join(script) + "\n")
    rc, out, _ = run(["yosys", "-q", "-s", "muls.ys"], timeout, cwd=d)
    if rc != 0:
        raise BenchError(f"yosys failed counting multipliers ({'timeout' if rc is None else rc}):\n{out[-2000:]}")
    inv = {}
    for key in units:
        with open(os.path.join(d, f"{key}.txt")) as f:
            names = [ln for ln in f.read().split() if "$mul" in ln]
        cat = {"dft": 0, "idft": 0, "spectral": 0, "elementwise": 0, "sigmoid/tanh MAC": 0, "address": 0, "other": 0}
        for n in names:
            if key.endswith("addr"):
                cat["address"] += 1
            elif "idft_16" in n:
                cat["idft"] += 1
            elif "dft_16" in n:
                cat["dft"] += 1
            elif "elementwise_mult_core_18_1810" in n:
                cat["spectral"] += 1
            elif "dsp_signed_mac" in n:
                cat["sigmoid/tanh MAC"] += 1
            elif "elementwise_mult_core" in n:
                cat["elementwise"] += 1
            else:
                cat["other"] += 1
        inv[key] = {k: v for k, v in cat.items() if v}
    tot: dict[str, int] = {}
    for key, mult in (("stage1_unit", 4), ("stage3_unit", 1), ("stage2", 1), ("stage1_addr", 1), ("stage3_addr", 1)):
        for k, v in inv[key].items():
            tot[k] = tot.get(k, 0) + mult * v
    inv["total"] = tot
    inv["total_all"] = sum(tot.values())
    inv["lanes"] = lanes
    return inv


# --------------------------------------------------------------------------- Koios: synthesis


def _stat_design(path: str) -> dict:
    """The `design` (or single top module) cell counts of a yosys `stat -json` file (0.23 can emit
    non-JSON hierarchy text in it; only the needed object is parsed)."""
    with open(path) as f:
        txt = f.read()
    try:
        j = json.loads(txt)
        if "design" in j:
            return j["design"]["num_cells_by_type"]
        mods = j["modules"]
        return next(iter(mods.values()))["num_cells_by_type"]
    except (ValueError, KeyError, StopIteration):
        pass
    i = txt.rfind('"design"')
    if i < 0:
        raise BenchError(f"no design section in {path}")
    i = txt.index("{", i)
    depth = 0
    for k in range(i, len(txt)):
        depth += {"{": 1, "}": -1}.get(txt[k], 0)
        if depth == 0:
            return json.loads(txt[i:k + 1])["num_cells_by_type"]
    raise BenchError(f"unreadable stat -json output {path}")


def summarize_cells(cells: dict) -> dict:
    dsp = sum(v for k, v in cells.items() if k.startswith("DSP48"))
    r36 = sum(v for k, v in cells.items() if k.startswith("RAMB36"))
    r18 = sum(v for k, v in cells.items() if k.startswith("RAMB18"))
    lut = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6](_2)?", k))
    ff = sum(v for k, v in cells.items() if re.fullmatch(r"FD[RSCP]E(_1)?", k))
    srl = sum(v for k, v in cells.items() if k.startswith("SRL"))
    lutram = sum(v for k, v in cells.items() if k.startswith("RAM") and not k.startswith("RAMB"))
    carry = sum(v for k, v in cells.items() if k.startswith("CARRY"))
    return {"dsp": dsp, "ramb36": r36, "ramb18": r18, "bram36": r36 + r18 / 2, "lut": lut, "ff": ff, "srl": srl, "lutram": lutram,
                "carry": carry}


def synthesize(fixed: str, size: str, family: str, work: str, timeout: float) -> dict:
    d = os.path.join(work, f"synth_{size}_{family}")
    os.makedirs(d, exist_ok=True)
    cmd = f"read_verilog design.v; synth_xilinx -flatten -family {family} -top {KOIOS_TOP}; tee -q -o stat.json stat -json"
    key = _cache_key(fixed, cmd, tool_version(["yosys", "-V"]))
    if (r := cached(d, key)) is not None:
        log(f"  yosys {family} {size}: unchanged design, result of the earlier run in {d} reused")
        return r | {"reused": True}
    if _same_file(os.path.join(d, "design.v"), fixed) and all(
            os.path.exists(os.path.join(d, f)) for f in ("stat.json", "dsp.txt", "yosys.log")):
        # an earlier run's output without result.json (a version of this bench that did not store it)
        log(f"  yosys {family} {size}: unchanged design, the stat.json of the earlier run in {d} reused")
        return store(d, key, _synth_result(d, family, cmd, None))
    with open(os.path.join(d, "design.v"), "w") as f:
        f.write(fixed)
    log(f"  yosys {family} {size}: {cmd}  (timeout {timeout:.0f} s)")
    for attempt in range(3):
        rc, out, secs = run(["yosys", "-q", "-l", "yosys.log", "-p", cmd + "; tee -q -o dsp.txt select -list t:DSP48*"],
                            timeout, cwd=d)
        if rc is None or rc >= 0:
            break
        # killed by a signal from outside (not our timeout): on a shared machine, try again
        log(f"  yosys {family} {size}: killed by signal {-rc} after {secs:.0f} s, retrying ({attempt + 1}/2)")
    res = {"family": family, "command": f"yosys -p '{cmd}'", "seconds": round(secs)}
    if rc is None:
        res["status"] = f"timeout after {secs:.0f} s"
        return res
    if rc != 0 or not os.path.exists(os.path.join(d, "stat.json")):
        res["status"] = f"yosys exit {rc}: " + " ".join(out.strip().splitlines()[-3:])
        return res
    return store(d, key, _synth_result(d, family, cmd, secs))


def _same_file(path: str, text: str) -> bool:
    try:
        with open(path) as f:
            return f.read() == text
    except OSError:
        return False


def _synth_result(d: str, family: str, cmd: str, secs: float | None) -> dict:
    res = {"family": family, "command": f"yosys -p '{cmd}'", "seconds": round(secs) if secs is not None else None}
    cells = _stat_design(os.path.join(d, "stat.json"))
    res.update(status="ok", cells=cells, **summarize_cells(cells))
    if os.path.exists(os.path.join(d, "dsp.txt")):
        # DSP cells keep the name of the $mul they implement: sort them by datapath unit
        cat: dict[str, int] = {}
        with open(os.path.join(d, "dsp.txt")) as f:
            dsp_names = f.read().split()
        for n in dsp_names:
            if "DSP" in n or "$mul" in n:
                k = dsp_category(n)
                cat[k] = cat.get(k, 0) + 1
        res["dsp_by_unit"] = dict(sorted(cat.items()))
    return res


def dsp_category(name: str) -> str:
    stage = "stage1" if "C_LSTM_stage_1" in name else "stage3" if "C_LSTM_stage_3" in name else "stage2" if "C_LSTM_stage_2" in name else "top"
    kind = ("idft" if "idft_16" in name else "dft" if "dft_16" in name else
            "spectral" if "elementwise_mult_core_18_1810" in name else "sigmoid/tanh MAC" if "dsp_signed_mac" in name else
            "elementwise" if "elementwise_mult_core" in name else "address" if "parameter_buffer" in name else "other")
    return f"{stage} {kind}" if stage != "top" else kind


# --------------------------------------------------------------------------- Koios: simulation


TB = r"""`timescale 1ns/1ps
// Minimal frame-timing testbench for Koios clstm_like (bench/bench_peers.py).
// Weights are not loaded (wen = 0): the control path does not depend on data.
module tb;
  reg clk = 1'b0, reset = 1'b1, i_valid = 1'b0, start = 1'b0;
  always #5 clk = ~clk;
  wire o_valid, o_ready;
  C_LSTM_datapath dut(.clk(clk), .reset(reset), .i_ready(1'b1), .i_valid(i_valid),
                      .start_compute(start), .o_valid(o_valid), .o_ready(o_ready),
                      .wen_stage1(8'd0), .wen_stage2(7'd0), .wen_stage3(2'd0));
  integer cyc = 0;
  always @(posedge clk) cyc <= cyc + 1;
  integer f, k, n, t0, t_first, t_last, prev, timeout;
  initial begin
    prev = -1; timeout = 0;
    repeat (10) @(negedge clk);
    reset = 1'b0;
    for (f = 0; f < `FRAMES && !timeout; f = f + 1) begin
      // the x/y buffer takes a new x_t once it holds all of y_(t-1) (o_ready)
      k = 0;
      while (!o_ready && k < `TIMEOUT) begin @(negedge clk); k = k + 1; end
      if (k >= `TIMEOUT) timeout = 1;
      i_valid = 1'b1;
      repeat (`XBLOCKS) @(negedge clk);
      i_valid = 1'b0; start = 1'b1;
      @(negedge clk);
      start = 1'b0; t0 = cyc; n = 0; t_first = -1; t_last = -1;
      // the frame ends when y_t has been written back and o_ready rises again
      k = 0;
      while ((o_ready || n == 0) && k < `TIMEOUT) begin
        if (o_valid) begin if (t_first < 0) t_first = cyc; t_last = cyc; n = n + 1; end
        @(negedge clk); k = k + 1;
      end
      while (!o_ready && k < `TIMEOUT) begin
        if (o_valid) begin if (t_first < 0) t_first = cyc; t_last = cyc; n = n + 1; end
        @(negedge clk); k = k + 1;
      end
      if (k >= `TIMEOUT) timeout = 1;
      $display("RESULT frame=%0d start=%0d period=%0d first_out=%0d last_out=%0d ready=%0d n_out=%0d timeout=%0d",
               f, t0, (prev < 0) ? -1 : t0 - prev, t_first - t0, t_last - t0, cyc - t0, n, timeout);
      prev = t0;
    end
    $finish;
  end
endmodule
"""


def simulate(fixed: str, size: str, variant: str, p: dict, sim: str, frames: int, work: str, timeout: float) -> dict:
    d = os.path.join(work, f"sim_{size}_{variant}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "design.v"), "w") as f:
        f.write(fixed)
    with open(os.path.join(d, "tb.v"), "w") as f:
        f.write(TB)
    defs = [f"-DFRAMES={frames}", "-DTIMEOUT=200000", f"-DXBLOCKS={p['x_blocks']}"]
    key = _cache_key(fixed, TB, sim, " ".join(defs), tool_version([sim, "--version" if sim == "verilator" else "-V"]))
    if (r := cached(d, key)) is not None:
        log(f"  sim {size} {variant}: unchanged design, result of the earlier run in {d} reused")
        return r | {"reused": True}
    t0 = time.monotonic()
    if sim == "verilator":
        build = ["verilator", "--binary", "--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "tb",
                 "-Mdir", "obj", "-o", "vsim", "-j", "1", *defs, "tb.v", "design.v"]
        rc, out, _ = run(build, timeout, cwd=d)
        if rc != 0:
            return {"status": f"verilator build {'timeout' if rc is None else 'failed'}: {out.strip()[-500:]}"}
        rc, out, _ = run([os.path.join(d, "obj", "vsim")], timeout, cwd=d)
        cmd = " ".join(build)
    else:
        build = ["iverilog", "-g2005", *defs, "-o", "sim.vvp", "tb.v", "design.v"]
        rc, out, _ = run(build, timeout, cwd=d)
        if rc != 0:
            return {"status": f"iverilog failed: {out.strip()[-500:]}"}
        rc, out, _ = run(["vvp", "-n", "sim.vvp"], timeout, cwd=d)
        cmd = " ".join(build) + "; vvp -n sim.vvp"
    secs = time.monotonic() - t0
    results = []
    for line in out.splitlines():
        if line.startswith("RESULT"):
            results.append({k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])})
    res = {"simulator": sim, "command": cmd, "seconds": round(secs), "frames": results, "raw": [ln for ln in out.splitlines() if ln.startswith("RESULT")]}
    if rc is None:
        res["status"] = f"timeout after {secs:.0f} s"
    elif not results or any(r["timeout"] for r in results):
        res["status"] = "no complete frame (testbench timeout): the design did not return to o_ready"
    else:
        last = results[-1]
        res.update(status="ok", cycles_per_frame=last["period"] if last["period"] > 0 else last["ready"] + p["x_blocks"] + 1,
                   latency=last["ready"], outputs_per_frame=last["n_out"], first_out=last["first_out"])
        store(d, key, res)
    return res


# --------------------------------------------------------------------------- C-LSTM: derivation from the code


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _eval_define(expr: str, defs: dict) -> int:
    expr = re.sub(r"//.*", "", expr).strip()
    for _ in range(10):
        new = re.sub(r"\b([A-Z_][A-Z0-9_]*)\b", lambda m: f"({defs[m.group(1)]})" if m.group(1) in defs else m.group(1), expr)
        if new == expr:
            break
        expr = new
    node = ast.parse(expr, mode="eval")
    for n in ast.walk(node):
        if not isinstance(n, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub, ast.Mult,
                              ast.Div, ast.FloorDiv, ast.USub, ast.UAdd)):
            raise TypeError(expr)
    return int(eval(compile(node, "<define>", "eval")))  # arithmetic only (checked above)


def clstm_derive(root: str, depth: int, work: str) -> dict:
    src, commit = {}, None
    for f in CLSTM_FILES:
        src[f], commit = read_source(root, f"{CLSTM_DIR}/{f}")
    cite = {}

    def find(fname: str, pat: str, what: str) -> re.Match:
        m = re.search(pat, src[fname], re.DOTALL)
        if not m:
            raise BenchError(f"C-LSTM {fname}: cannot find {what} (/{pat}/): not the code docs/peers.md describes")
        cite[what] = f"{fname}:{_line_of(src[fname], m.start())}"
        return m

    defs = {}
    for m in re.finditer(r"^#define\s+([A-Z_][A-Z0-9_]*)\s+(.+)$", src["lstm_fpga.h"], re.MULTILINE):
        try:
            defs[m.group(1)] = _eval_define(m.group(2), defs)
            cite[m.group(1)] = f"lstm_fpga.h:{_line_of(src['lstm_fpga.h'], m.start())}"
        except (ValueError, TypeError, SyntaxError, KeyError):
            pass
    for k in ("FFT_SIZE", "BLOCK_NUM_PXR", "BLOCK_NUM_QXR", "BLOCK_NUM_PY", "BLOCK_NUM_QY", "BLOCK_NUM_QX",
              "BLOCK_NUM_QR", "PLP_XR", "PLP_Y", "PLP_V", "FIXED_ADD_LAT"):
        if k not in defs:
            raise BenchError(f"C-LSTM lstm_fpga.h: #define {k} not found")
    fx = find("lstm_fpga.h", r"typedef\s+ap_fixed<(\d+),\s*(\d+)>\s+my_fixed", "number format")
    b = defs["FFT_SIZE"]
    add_lat = defs["FIXED_ADD_LAT"]

    def matvec(fname: str, rows: str, cols: str) -> dict:
        t = src[fname]
        mi = find(fname, r"loop_lstm_i:\s*for\s*\(unsigned i = 0; i < (\w+); i\+=(\w+)\)", f"{fname} loop_lstm_i")
        mj = find(fname, r"loop_lstm_j:\s*for\s*\(unsigned j = 0; j < (\w+); j\+=(\w+)\)\s*\{\s*#pragma HLS PIPELINE II=(\d+)",
                  f"{fname} loop_lstm_j + PIPELINE")
        mp = find(fname, r"loop_mul_plp:\s*for\s*\(unsigned p = 0; p < (\w+); \+\+p\)", f"{fname} loop_mul_plp")
        ms = find(fname, r"loop_sum_p:\s*for\s*\(unsigned i = 0; i < (\w+); \+\+i\)\s*\{\s*#pragma HLS PIPELINE II=(\d+)",
                  f"{fname} loop_sum_p + PIPELINE")
        if (mi.group(1), mj.group(1)) != (rows, cols):
            raise BenchError(f"C-LSTM {fname}: loop bounds {mi.group(1)}, {mj.group(1)} (expected {rows}, {cols})")
        body_j = t[mj.end():ms.start()]
        n_fft = body_j.count("fft8_fixed(")
        body_p = t[mp.end():ms.start()]
        products = len(re.findall(r"\w+\[[^\]]+\]\[[^\]]+\]\s*\*\s*W_(?:real|imag)\[", body_p))
        sum_imag_bins = set(re.findall(r"sum_imag_p\[\d\]\[i\+p\]\[(\d)\]\s*\+=", body_p))
        n_ifft = t[ms.end():].count("ifft8_fixed(")
        R, C = defs[rows], defs[cols]
        step_i, step_j, ii = defs[mi.group(2)], defs[mj.group(2)], int(mj.group(3))
        plp = defs[mp.group(1)]
        trips_i, trips_j = -(-R // step_i), -(-C // step_j)
        ii_sum = int(ms.group(2))
        trips_sum = defs[ms.group(1)]
        # per block: b/2 + 1 = 5 stored bins x 4 real products as written; the imaginary parts of bins 0
        # and b/2 of a real input's FFT are the constant 0 (fft8_fpga.cpp: x1_imag[m] = 0.0000) and fold away
        # `products` is per lane (loop_mul_plp is unrolled by the enclosing pipeline)
        per_block_written = products // step_j
        per_block_folded = per_block_written - 2 * 2
        products *= plp
        return {"rows": R, "cols": C, "trips_i": trips_i, "trips_j": trips_j, "ii": ii, "lanes": plp, "blocks_per_iter": step_j,
                    "ffts_per_iter": n_fft, "products_per_iter": products, "per_block_written": per_block_written,
                    "per_block_folded": per_block_folded, "sum_trips": trips_sum, "sum_ii": ii_sum, "iffts": n_ifft * trips_sum,
                    "imag_bins_accumulated": sorted(int(x) for x in sum_imag_bins),
                    "ii_cycles": trips_i * trips_j * ii + trips_sum * ii_sum,
                    "mults_written": -(-products // ii), "mults_folded": -(-(per_block_folded * plp * step_j) // ii),
                    "ffts": trips_i * trips_j * n_fft}

    gate = matvec("compute_gate.cpp", "BLOCK_NUM_PXR", "BLOCK_NUM_QXR")
    proj = matvec("compute_yt.cpp", "BLOCK_NUM_PY", "BLOCK_NUM_QY")
    mv = find("compute_vector.cpp", r"loop_vector:\s*for\s*\(unsigned i = 0; i < (\w+); \+\+i\)\s*\{\s*for\s*\(unsigned j = 0; "
              r"j < (\w+); j\+=(\w+)\)\s*\{\s*#pragma HLS PIPELINE II=(\d+)", "compute_vector loop_vector + PIPELINE")
    vec_trips = defs[mv.group(1)] * (defs[mv.group(2)] // defs[mv.group(3)])
    vec_ii = int(mv.group(4))
    body_v = src["compute_vector.cpp"][mv.end():]
    vec_lanes = defs[mv.group(3)]
    code_v = [ln.split("//")[0] for ln in body_v.splitlines()]
    vec_products = sum(ln.count("*") for ln in code_v)          # per lane: the r loop is unrolled
    vec_act = sum(1 for ln in code_v if re.match(r"\s*(?:sigmoid|h)\(", ln))
    find("activation_func.cpp", r"out = k_sigmoid\[index\]\*in", "sigmoid multiply")
    mx = find("lstm_fpga.cpp", r"add_yt_to_xyt:\s*for\s*\(unsigned i = 0; i < (\w+); \+\+i\)\s*\{\s*#pragma HLS PIPELINE",
              "update_xyt loop")
    upd_trips = defs[mx.group(1)]
    find("lstm_fpga.cpp", r"main_lstm_loop:\s*for", "main loop (no DATAFLOW pragma)")
    dataflow = "DATAFLOW" in src["lstm_fpga.cpp"]
    calls = re.findall(r"compute_gate\(xyt_buf2_\d", src["lstm_fpga.cpp"])
    # twiddle constants: fft8 multiplies d1_real by t1_real/t1_imag[m] (stage 1); only +-0.7071 (m = 1, 3) are
    # not 0 or +-1; stages 2 and 3 use 0/+-1 only.  ifft8 stage 1 has complex inputs: 4 products per m.
    tw = find("fft8_fpga.cpp", r"my_fixed\s+t1_real\[FFT_SIZE/2\]\s*=\s*\{([^}]*)\}", "fft8 twiddles")
    nontrivial = [float(v) for v in re.sub(r"//[^\n]*", "", tw.group(1)).replace("\n", " ").split(",") if float(v) not in (0.0, 1.0, -1.0)]
    fft_const_mults = 2 * len(nontrivial)          # d1_real * t1_real[m], d1_real * t1_imag[m]
    ifft_const_mults = 4 * len(nontrivial)         # (d1_real, d1_imag) x (t1_real[m], t1_imag[m])
    find("ifft8_fpga.cpp", r"x1_real\[m\+4\] = d1_real \* t1_real\[m\] - d1_imag \* t1_imag\[m\];", "ifft8 stage-1 products")

    D = depth
    lat = {
        "compute_gate": gate["ii_cycles"] + 2 * D,
        "compute_yt": proj["ii_cycles"] + 2 * D,
        "compute_vector": vec_trips * vec_ii + D,
        "update_xyt": upd_trips + D,
    }
    concurrent = max(lat.values())
    sequential = 4 * lat["update_xyt"] + 4 * lat["compute_gate"] + lat["compute_vector"] + lat["compute_yt"]
    spectral = 4 * gate["mults_folded"] + proj["mults_folded"]
    spectral_written = 4 * gate["mults_written"] + proj["mults_written"]
    fftm = 5 * (-(-gate["ffts_per_iter"] * fft_const_mults // gate["ii"]) + ifft_const_mults)
    vec_mults = (vec_products + vec_act) * vec_lanes  # each PWL activation is one multiply (k * in)
    multipliers = spectral + fftm + vec_mults
    blocks = 4 * defs["BLOCK_NUM_PXR"] * defs["BLOCK_NUM_QXR"] + defs["BLOCK_NUM_PY"] * defs["BLOCK_NUM_QY"]
    useful4, useful3 = useful_mults(blocks, b, 4), useful_mults(blocks, b, 3)
    performed = {
        "spectral_written": 4 * gate["trips_i"] * gate["trips_j"] * gate["products_per_iter"]
        + proj["trips_i"] * proj["trips_j"] * proj["products_per_iter"],
        "spectral_folded": blocks * gate["per_block_folded"],
        "fft_twiddle": (4 * gate["ffts"] + proj["ffts"]) * fft_const_mults,
        "ifft_twiddle": (4 * gate["iffts"] + proj["iffts"]) * ifft_const_mults,
        "elementwise": defs["BLOCK_NUM_QY"] * b * (vec_mults // vec_lanes),
    }
    return {
        "commit": commit, "defs": {k: defs[k] for k in sorted(defs)}, "number_format": f"ap_fixed<{fx.group(1)},{fx.group(2)}>",
        "b": b, "blocks": blocks, "gate": gate, "proj": proj, "vector": {"trips": vec_trips, "ii": vec_ii, "lanes": vec_lanes,
        "products": vec_products, "activations": vec_act}, "update_trips": upd_trips, "dataflow_pragma": dataflow,
        "gate_calls": len(calls), "depth": D, "latency": lat, "cycles_concurrent": concurrent, "cycles_sequential": sequential,
        "multipliers": multipliers, "multipliers_spectral": spectral, "multipliers_spectral_written": spectral_written,
        "multipliers_fft": fftm, "multipliers_vector": vec_mults, "useful4": useful4, "useful3": useful3, "performed": performed,
        "ffts_per_frame": 4 * gate["ffts"] + proj["ffts"], "ffts_needed": defs["BLOCK_NUM_QXR"] + defs["BLOCK_NUM_QY"],
        "iffts_per_frame": 4 * gate["iffts"] + proj["iffts"], "twiddles_nontrivial": nontrivial,
        "fft_const_mults": fft_const_mults, "ifft_const_mults": ifft_const_mults, "cite": cite, "add_lat": add_lat,
        "sigmoid_mul_line": cite.get("sigmoid multiply"),
    }


def clstm_compile(root: str, work: str, timeout: float) -> dict:
    """g++ -c lstm_fpga.cpp with the hls4ml wheel's ap_fixed headers (does it build at all?)."""
    import importlib.util

    gxx = shutil.which("g++")
    if not gxx:
        return {"status": "skipped: no g++"}
    spec = importlib.util.find_spec("hls4ml")
    inc = None
    if spec and spec.origin:
        cand = os.path.join(os.path.dirname(spec.origin), "templates", "vivado", "ap_types")
        if os.path.isfile(os.path.join(cand, "ap_fixed.h")):
            inc = cand
    if not inc:
        return {"status": "skipped: hls4ml's ap_fixed.h not found (pip install hls4ml)"}
    d = os.path.join(work, "clstm")
    os.makedirs(d, exist_ok=True)
    for f in CLSTM_FILES:
        text, _ = read_source(root, f"{CLSTM_DIR}/{f}")
        with open(os.path.join(d, f), "w") as fh:
            fh.write(text)
    cmd = [gxx, "-std=c++11", "-O0", "-Wall", "-c", "-I", inc, "lstm_fpga.cpp", "-o", "lstm_fpga.o"]
    rc, out, secs = run(cmd, timeout, cwd=d)
    warnings = len(re.findall(r"warning:", out))
    shown = " ".join("<hls4ml>/templates/vivado/ap_types" if c == inc else os.path.basename(c) if c == gxx else c for c in cmd)
    return {"status": "ok" if rc == 0 else f"failed ({'timeout' if rc is None else rc}): {out.strip()[-400:]}",
                "command": shown, "compiler": tool_version([gxx, "--version"]), "warnings": warnings, "seconds": round(secs, 1),
                "warning_kinds": sorted(set(re.findall(r"warning: .*?\[(-W[\w-]+)\]", out)))}


# --------------------------------------------------------------------------- ours: the same model through ernn-ir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS_DEVICE = "vx690t"  # Virtex-7 690T: ernn-ir's xc7 device, the family Koios is synthesised for here
OURS_FAMILY = "xc7"
# the small design whose Verilator simulation checks cost model = simulation when the Koios-size one
# is not simulated (or as a second check): the same structure (LSTMP, peepholes, b = 16, 18 bits)
CHECK_MODEL = {"input": 32, "cells": 64, "proj": 32}


def _ernn():
    """ernn-ir's modules (imported on use: the peers' part of the bench needs only yosys and the simulators)."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "test", "unit", "lowering", "verilog"))
    from rtl_helpers import accelerator_io

    from ernn_ir.builder import build_module
    from ernn_ir.hardware.constants import OuterConstants
    from ernn_ir.hardware.design_view import accelerators, read_design
    from ernn_ir.hardware.report import design_report
    from ernn_ir.lowering.verilog import sim as vsim
    from ernn_ir.lowering.verilog.gen import generate
    from ernn_ir.lowering.verilog.synth import SynthError, yosys_xilinx
    from ernn_ir.lowering.verilog.target import project_files, write_project
    from ernn_ir.models import random_lstm
    from ernn_ir.passes.pipeline import PipelinePass
    from ernn_ir.passes.tile import TilePass
    from ernn_ir.registry import make_context

    return {"accelerator_io": accelerator_io, "build_module": build_module, "OuterConstants": OuterConstants,
                "accelerators": accelerators, "read_design": read_design, "design_report": design_report, "vsim": vsim,
                "generate": generate, "yosys_xilinx": yosys_xilinx, "SynthError": SynthError, "project_files": project_files,
                "write_project": write_project, "random_lstm": random_lstm, "PipelinePass": PipelinePass,
                "TilePass": TilePass, "make_context": make_context}


def ours_model(E, I, H, R, b, bits, steps, seed=0):
    """LSTMP I-H-R with diagonal peepholes, b x b circulant blocks, `bits`-bit weights and data."""
    spec = E["random_lstm"](I, H, b, proj_size=R, peepholes=True, seed=seed)
    m = E["build_module"]([spec], steps)
    # quiet: ernn-pipeline prints its activation-table report
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        E["PipelinePass"](weight_bits=bits, data_bits=bits).apply(E["make_context"](), m)
    return m


def ours_tile(E, module, **tile):
    t = module.clone()
    E["TilePass"](device=OURS_DEVICE, **tile).apply(E["make_context"](), t)
    view = E["read_design"](E["accelerators"](t)[0], E["OuterConstants"](t))
    return t, view, E["design_report"](view)


def ours_budget(E, module, target_dsp: int, cmul: int, b: int) -> tuple[int, list[dict]]:
    """The largest MAC budget (whole lanes) whose cost-model DSP total is at most `target_dsp`."""
    lane = 2 + (b // 2 - 1) * cmul
    tried, best = [], None
    for k in range(1, 200):
        n = k * lane
        _, view, rep = ours_tile(E, module, multipliers=n, cmul=cmul)
        r = rep["resources"]
        tried.append({"multipliers": n, "config": str(view.config), "period": rep["period_cycles"], "dsp": r["dsp"]})
        if r["dsp"] > target_dsp:
            break
        best = n
    if best is None:
        raise BenchError(f"ours: even one MAC lane needs more than {target_dsp} DSPs")
    return best, tried


class TimedSim:
    """ernn_ir.lowering.verilog.sim.RtlSim's Verilator build, run niced with a timeout and one make job
    (the machine is shared); `run` is RtlSim's."""

    def __init__(self, E, rtl, workdir: str, timeout: float):
        vs = E["vsim"]
        self.rtl, self.simulator, self.dir = rtl, "verilator", workdir
        os.makedirs(workdir, exist_ok=True)
        self.srcs = vs.write_design(rtl, workdir)
        tb = os.path.join(workdir, "tb.sv")
        with open(tb, "w") as f:
            f.write(vs.testbench(rtl, 50_000_000))
        cmd = ["verilator", "--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "tb", "-Mdir",
               os.path.join(workdir, "obj"), "-j", "1", "-CFLAGS", "-O1", "--x-assign", "fast", "--x-initial", "fast",
               tb, *self.srcs]
        self.exe = os.path.join(workdir, "obj", "Vtb")
        rc, out, self.build_seconds = run(cmd, timeout, cwd=workdir)
        self.build_log = out
        if rc != 0:
            raise BenchError(f"verilator build {f'timeout after {self.build_seconds:.0f} s' if rc is None else 'failed'}"
                             f": {out.strip()[-300:]}")

    run = None  # set below (RtlSim.run, which reads only the attributes set above)


def ours_simulate(E, tiled, view, steps: int, workdir: str, timeout: float) -> dict:
    """Verilator: a job of `steps` frames (bit-exact against the reference) and one of steps - 1; the
    difference of their cycle counts is the simulated cycles per frame (the period)."""
    import numpy as np

    TimedSim.run = E["vsim"].RtlSim.run
    rtl = E["generate"](view)
    rep = E["design_report"](view)
    os.makedirs(workdir, exist_ok=True)
    files = E["vsim"].design_files(rtl)
    key = _cache_key(*(f"{k}\n{v}" for k, v in sorted(files.items())), E["vsim"].testbench(rtl, 50_000_000),
                     str(steps), tool_version(["verilator", "--version"]))
    if (r := cached(workdir, key)) is not None:
        log(f"  ours: unchanged design, the simulation result of the earlier run in {workdir} reused")
        return r | {"reused": True}
    fn = next(o for o in tiled.ops if o.name == "func.func")
    shape = tuple(fn.function_type.inputs.data[0].get_shape())
    x = np.random.default_rng(1).standard_normal(shape)
    raw_in, raw_out = (np.asarray(v, dtype=np.int64) for v in E["accelerator_io"](tiled, [x]))
    t0 = time.monotonic()
    try:
        sim = TimedSim(E, rtl, workdir, timeout)
    except BenchError as e:
        return {"status": str(e), "seconds": round(time.monotonic() - t0)}
    build = time.monotonic() - t0
    out, cyc, _ = sim.run(raw_in, steps)
    _, cyc1, _ = sim.run(raw_in[: steps - 1], steps - 1)
    P = rtl.period
    return store(workdir, key, {"status": "ok", "simulator": "verilator", "build_seconds": round(build), "steps": steps,
                "cycles": cyc[0], "cycles_short": cyc1[0], "cycles_per_frame": cyc[0] - cyc1[0],
                "cost_model_cycles": (steps - 1) * P + rtl.cycles_per_sequence_base, "cost_model_period": P,
                "report_sequence_cycles": rep["sequence_cycles"], "bit_exact": bool(np.array_equal(out, raw_out))})


def ours_synthesize(E, view, workdir: str, timeout: float) -> dict:
    rtl = E["generate"](view)
    files = E["project_files"]([(view, rtl)])
    same = os.path.exists(os.path.join(workdir, f"stat_{OURS_FAMILY}.json")) and all(
        _same_file(os.path.join(workdir, k), v) for k, v in files.items())
    if not same:
        E["write_project"]([(view, rtl)], workdir)
    log(f"  ours: yosys synth_xilinx -family {OURS_FAMILY} (hierarchy kept){' (unchanged: reused)' if same else ''} "
        f"in {workdir}, timeout {timeout:.0f} s")
    try:
        got = E["yosys_xilinx"](workdir, OURS_FAMILY, timeout=timeout, reuse=same)
    except E["SynthError"] as e:  # a failure, or the timeout
        return {"status": f"{type(e).__name__}: {str(e)[-300:]}"}
    return {"status": "ok", "family": OURS_FAMILY, "dsp": got.dsp, "bram18": got.bram18, "bram36": got.bram18 / 2, "lut": got.lut,
                "ff": got.ff, "lutram": got.lutram, "seconds": None if same else round(got.seconds), "reused": same,
                "command": f"yosys: read_verilog -sv <sources>; synth_xilinx -family {OURS_FAMILY} -top {rtl.name}_top; "
                        "stat -json"}


def koios_reference(result: dict) -> dict | None:
    """Koios clstm_like.small's measured figures: this run's, else the recorded ones (peers_data.json)."""
    rows = {d["design"]: d for d in result["designs"]}
    try:
        with open(DATA_FILE) as f:
            rec = {d["design"]: d for d in json.load(f).get("designs", [])}
    except (OSError, ValueError):
        rec = {}
    out = {}
    for v in ("fixed", "full-rate"):
        name = f"Koios clstm_like.small ({v})"
        d = rows.get(name) if rows.get(name, {}).get("dsp") else rec.get(name)
        if d and d.get("dsp") and d.get("cycles_per_frame"):
            out[v] = d
    return out or None


def ours(a, work, result) -> None:
    E = _ernn()
    I, H, R, b, bits = 160, 1024, 512, 16, a.ours_bits
    ref = koios_reference(result)
    print(f"\n== ernn-ir: the Koios clstm_like model (LSTMP {I}-{H}-{R}, diagonal peepholes, b = {b}, block-circulant "
          f"projection) with {bits}-bit weights and data, ernn-tile{{device={OURS_DEVICE}}} ({OURS_FAMILY})")
    t0 = time.monotonic()
    m = ours_model(E, I, H, R, b, bits, a.ours_steps)
    if a.ours_multipliers:
        budget, tried = a.ours_multipliers, []
        target = None
    else:
        if not ref:
            raise BenchError("ours: no measured Koios clstm_like.small DSP count (run the Koios part first, or give "
                             "--ours-multipliers N)")
        target = ref["fixed"]["dsp"] if "fixed" in ref else next(iter(ref.values()))["dsp"]
        budget, tried = ours_budget(E, m, target, a.ours_cmul, b)
        print(f"  budget: the largest whole-lane MAC array whose cost-model DSP total is at most Koios small's {target} "
              f"DSP48E1: multipliers={budget} (tried: " + ", ".join(f"{t['multipliers']} -> {t['dsp']} DSP" for t in tried) + ")")
    tiled, view, rep = ours_tile(E, m, multipliers=budget, cmul=a.ours_cmul)
    res = rep["resources"]
    print(f"  ernn-pipeline{{weight-bits={bits} data-bits={bits}}}, ernn-tile{{device={OURS_DEVICE} multipliers={budget} "
          f"cmul={a.ours_cmul}}}: {view.config} ({time.monotonic() - t0:.1f} s)")
    print(f"  cost model: period {rep['period_cycles']} cycles per frame, latency of a step {rep.get('step_latency_cycles', '?')}, "
          f"{rep['mac']['multipliers']} MAC multipliers + {res['ew_multipliers']} element-wise, MAC utilisation "
          f"{100 * rep['mac']['utilisation']:.1f} % (3-multiply products); estimate DSP {res['dsp']}, BRAM18 "
          f"{res['bram18']}, LUT {res['lut']:,}, FF {res['ff']:,}")
    row = {"design": f"ernn-ir LSTMP b16 ({budget} MAC mults)", "model": f"LSTMP {I}-{H}-{R} peep", "b": b,
               "config": str(view.config), "cost_model_cycles": rep["period_cycles"], "cycles_per_frame": rep["period_cycles"],
               "multipliers": rep["mac"]["multipliers"] + res["ew_multipliers"], "mac_multipliers": rep["mac"]["multipliers"],
               "estimate": {k: res[k] for k in ("dsp", "bram18", "lut", "ff")}, "budget_target_dsp": target,
               "budget_tried": tried, "bits": bits, "cmul": a.ours_cmul, "device": OURS_DEVICE}
    blocks = 4 * (H // b) * ((I + R) // b) + (R // b) * (H // b)
    row["useful_mults_per_frame"] = useful_mults(blocks, b, 4)
    row["useful_mults_per_frame_3mult"] = useful_mults(blocks, b, 3)
    notes = ["cycles/frame: the cost model's period (steady state, frames back to back)"]

    # simulation: the Koios-size design if it builds in time, and always the small check design
    sims = {}
    if a.ours_sim in ("full", "both"):
        log(f"  ours: Verilator build of the Koios-size design (timeout {a.ours_sim_timeout:.0f} s) ...")
        sims["full"] = ours_simulate(E, tiled, view, a.ours_steps, os.path.join(work, "ours_sim_full"), a.ours_sim_timeout)
    if a.ours_sim in ("check", "both") or (a.ours_sim == "full" and sims["full"]["status"] != "ok"):
        c = CHECK_MODEL
        mc = ours_model(E, c["input"], c["cells"], c["proj"], b, bits, a.ours_steps)
        lane = 2 + (b // 2 - 1) * a.ours_cmul
        tc, vc, _rc = ours_tile(E, mc, multipliers=2 * lane, cmul=a.ours_cmul)
        log(f"  ours: Verilator build of the check design LSTMP {c['input']}-{c['cells']}-{c['proj']} ...")
        sims["check"] = ours_simulate(E, tc, vc, a.ours_steps, os.path.join(work, "ours_sim_check"), a.ours_sim_timeout)
        sims["check"].update(model=f"LSTMP {c['input']}-{c['cells']}-{c['proj']} peep, b = {b}, {bits} bits",
                             config=str(vc.config))
    for k, s_ in sims.items():
        what = "Koios-size design" if k == "full" else f"check design {s_.get('model')}, {s_.get('config')}"
        if s_["status"] == "ok":
            eq = s_["cycles"] == s_["cost_model_cycles"] == s_["report_sequence_cycles"]
            print(f"  verilator, {what}: build {s_['build_seconds']} s; {s_['steps']} frames {s_['cycles']:,} cycles, "
                  f"{s_['steps'] - 1} frames {s_['cycles_short']:,}: {s_['cycles_per_frame']:,} cycles per frame; cost "
                  f"model {s_['cost_model_cycles']:,} = ({s_['steps']} - 1) x {s_['cost_model_period']} + span "
                  f"({'equal' if eq and s_['cycles_per_frame'] == s_['cost_model_period'] else 'DIFFERENT'}); outputs "
                  f"{'bit-exact' if s_['bit_exact'] else 'DIFFERENT'} against the reference interpreter")
        else:
            print(f"  verilator, {what}: {s_['status']}")
    full = sims.get("full", {})
    if full.get("status") == "ok":
        row["sim_cycles_per_frame"] = full["cycles_per_frame"]
        notes.append("simulated (Verilator) equal" if full["cycles_per_frame"] == rep["period_cycles"] else
                     f"SIMULATED {full['cycles_per_frame']}")
    else:
        notes.append("the Koios-size design not simulated here (" + (full.get("status") or "not attempted")
                     + "); cost model = Verilator checked on a smaller design of the same structure")
    row["sim"] = sims

    if not a.no_synth:
        syn = ours_synthesize(E, view, os.path.join(work, "ours_synth"), a.synth_timeout)
        row["synth"] = {OURS_FAMILY: syn}
        if syn["status"] == "ok":
            print(f"  yosys {OURS_FAMILY}: DSP {syn['dsp']}, BRAM36-eq {syn['bram36']:g} (BRAM18 {syn['bram18']}), "
                  f"LUT {syn['lut']:,} (LUTRAM {syn['lutram']:,}), FF {syn['ff']:,}  "
                  f"({'reused' if syn['reused'] else str(syn['seconds']) + ' s'})")
            row.update(dsp=syn["dsp"], lut=syn["lut"], ff=syn["ff"], bram36=syn["bram36"], synth_family=OURS_FAMILY)
        else:
            print(f"  yosys {OURS_FAMILY}: {syn['status']}")
            notes.append(f"synthesis: {syn['status']}")
    cyc = row["cycles_per_frame"]
    dsp = row.get("dsp")
    row["utilisation"] = utilisation(row["useful_mults_per_frame"], dsp or row["multipliers"], cyc)
    row["fps_200mhz"] = frames_per_s(cyc)
    row["fps_per_dsp"] = frames_per_s(cyc) / dsp if dsp else None
    if ref and row["fps_per_dsp"]:
        row["ratio_vs_koios"] = {v: row["fps_per_dsp"] / d["fps_per_dsp"] for v, d in ref.items()}
        print("  frames/s per DSP: ours {:,.1f}; ".format(row["fps_per_dsp"]) + "; ".join(
            f"Koios small ({v}) {d['fps_per_dsp']:,.1f}: ratio {row['ratio_vs_koios'][v]:.2f}x" for v, d in ref.items()))
    row["note"] = "; ".join(notes)
    result["designs"] = [d for d in result["designs"] if not d["design"].startswith("ernn-ir")] + [row]


# --------------------------------------------------------------------------- docs/peers.md


def _f(v, fmt="{:,}"):
    return "-" if v is None else fmt.format(v)


def doc_sections(data: dict) -> dict[str, str]:
    """The generated parts of docs/peers.md, from the recorded data (never typed by hand)."""
    rows = {d["design"]: d for d in data.get("designs", [])}
    sec = {}
    table = format_table(table_rows(data))
    notes = [f"* {d['design']}: {d['note']}" for d in data.get("designs", []) if d.get("note")]
    sec["TABLE"] = f"Recorded {data.get('generated')} ({', '.join(data.get('tools', {}).values())}):\n\n```\n{table}\n```\n\n" \
        + "\n".join(notes)
    ks = rows.get("Koios clstm_like.small (fixed)", {})
    kf = rows.get("Koios clstm_like.small (full-rate)", {})
    sec["SMALLDSP"] = _f(ks.get("dsp"))
    sec["SMALLUTIL"] = (f"{_f(ks.get('utilisation'), '{:.1%}')} as designed and {_f(kf.get('utilisation'), '{:.1%}')} "
                        f"full-rate ({_f(ks.get('dsp'))} DSP48E1)")
    # synthesis per size
    lines = [("| design (fixes K1-K7) | family | DSP48E1 | LUT | FF | BRAM36 (RAMB36 + RAMB18/2) | CARRY4 | SRL | "
             "LUTRAM | DSPs by unit | yosys time |"), "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size in SIZES:
        d = rows.get(f"Koios clstm_like.{size} (fixed)")
        for fam, y in sorted(((d or {}).get("synth") or {}).items()):
            if y.get("status") != "ok":
                lines.append(f"| clstm_like.{size} | {fam} | {y.get('status')} | | | | | | | | |")
                continue
            units = ", ".join(f"{k} {v}" for k, v in (y.get("dsp_by_unit") or {}).items())
            lines.append(f"| clstm_like.{size} | {fam} | {y['dsp']:,} | {y['lut']:,} | {y['ff']:,} | {y['bram36']:g} | "
                         f"{y['carry']:,} | {y['srl']:,} | {y['lutram']:,} | {units} | "
                         f"{_f(y.get('seconds'), '{:,} s')} |")
    not_run = [s_ for s_ in SIZES if not ((rows.get(f"Koios clstm_like.{s_} (fixed)") or {}).get("synth"))]
    sec["DSP"] = "yosys 0.23 `synth_xilinx -flatten -family F -top C_LSTM_datapath` of the fixed design:\n\n" + "\n".join(lines) \
        + (f"\n\nNot synthesised in the recorded run: {', '.join(not_run)} (time budget of a shared 2-core machine)."
           if not_run else "")
    lines = [("| design | simulator | cycles per frame | output blocks per frame | first output | ready again | "
             "sim time |"), "| --- | --- | --- | --- | --- | --- | --- |"]
    for size in SIZES:
        for v in FIX_SETS:
            d = rows.get(f"Koios clstm_like.{size} ({v})")
            r = (d or {}).get("sim") or {}
            if not r:
                continue
            if r.get("status") == "ok":
                lines.append(f"| clstm_like.{size} ({v}) | {r.get('simulator')} | {r['cycles_per_frame']:,} | "
                             f"{r.get('outputs_per_frame')} | +{r.get('first_out')} | +{r.get('latency')} | "
                             f"{_f(r.get('seconds'), '{} s')} |")
            else:
                est = d.get("cycles_estimate")
                lines.append(f"| clstm_like.{size} ({v}) | {r.get('simulator')} | none: {r.get('status')}"
                             + (f" (feed-step estimate {est:,})" if est else "") + " | | | | "
                             f"{_f(r.get('seconds'), '{} s')} |")
    sec["SIM"] = "\n".join(lines)
    # the side-by-side table
    o = next((d for d in data.get("designs", []) if d["design"].startswith("ernn-ir")), None)
    side = [("| design | DSP48E1 | LUT | FF | BRAM36 | cycles per frame | frames/s at 200 MHz | frames/s per DSP | "
             "ernn-ir's frames/s per DSP / this | frames/s per 1k LUT |"),
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in ("Koios clstm_like.small (fixed)", "Koios clstm_like.small (full-rate)",
                 "Koios clstm_like.medium (fixed)", "Koios clstm_like.medium (full-rate)"):
        d = rows.get(name)
        if not d or not d.get("dsp") or not d.get("cycles_per_frame"):
            continue
        ratio = (f"**{o['fps_per_dsp'] / d['fps_per_dsp']:.2f}x**" if o and o.get("fps_per_dsp") else "-")
        side.append(f"| {name} | {d['dsp']:,} | {d['lut']:,} | {d['ff']:,} | {d['bram36']:g} | {d['cycles_per_frame']:,} "
                    f"(Verilator) | {d['fps_200mhz']:,.0f} | {d['fps_per_dsp']:,.2f} | {ratio} | "
                    f"{1000 * d['fps_200mhz'] / d['lut']:,.0f} |")
    if o:
        how = ("cost model = Verilator" if o.get("sim_cycles_per_frame") == o["cost_model_cycles"]
               else "cost model; = Verilator on a smaller design")
        side.append(f"| {o['design']} | {_f(o.get('dsp'))} | {_f(o.get('lut'))} | {_f(o.get('ff'))} | "
                    f"{_f(o.get('bram36'), '{:g}')} | {o['cycles_per_frame']:,} ({how}) | {o['fps_200mhz']:,.0f} | "
                    f"{_f(o.get('fps_per_dsp'), '{:,.2f}')} | 1 | "
                    f"{_f(1000 * o['fps_200mhz'] / o['lut'] if o.get('lut') else None, '{:,.0f}')} |")
    sec["SIDE"] = "\n".join(side)
    if o and o.get("fps_per_dsp") and ks.get("fps_per_dsp"):
        r1 = o["fps_per_dsp"] / ks["fps_per_dsp"]
        r2 = o["fps_per_dsp"] / kf["fps_per_dsp"] if kf.get("fps_per_dsp") else None
        sec["RATIO"] = (f"**{r1:.2f}x** against the design as written (fixes K1-K7, a block every other cycle)"
                        + (f" and **{r2:.2f}x** against its full-rate variant (K8 too)" if r2 else "")
                        + f"; the goal of 2.5x is {'met' if min(r1, r2 or r1) >= 2.5 else 'NOT met'}"
                        + ("" if o.get("sim_cycles_per_frame") else " (ernn-ir's cycles from the cost model, which "
                           "Verilator matches exactly on the check design)"))
        if o.get("lut") and ks.get("lut"):
            lr = [o["fps_200mhz"] / o["lut"] / (d["fps_200mhz"] / d["lut"]) for d in (ks, kf) if d.get("lut")]
            sec["RATIO"] += (f".  Per LUT the picture differs: ernn-ir maps {o['lut'] / ks['lut']:.1f}x Koios small's "
                             "LUTs (by the cost model's breakdown mostly the FFT engines, whose twiddles are shift-add "
                             "networks rather than DSPs, and the MAC array's adders and LUT-RAM accumulators), so its "
                             "frames/s per LUT is "
                             + " and ".join(f"{r:.2f}x" for r in lr) + " Koios' (as written, full-rate)")
    else:
        sec["RATIO"] = "not measured in the recorded run"
    if o:
        L = [(f"* configuration: `ernn-pipeline{{weight-bits={o.get('bits')} data-bits={o.get('bits')}}}`, "
             f"`ernn-tile{{device={o.get('device')} multipliers={o.get('mac_multipliers')} cmul={o.get('cmul')}}}` -> "
             f"`{o.get('config')}`")]
        if o.get("budget_target_dsp"):
            L.append(f"* budget: the largest whole-lane MAC budget whose cost-model DSP total is at most Koios small's "
                     f"{o['budget_target_dsp']} DSP48E1; tried: " + ", ".join(
                         f"{t['multipliers']} -> {t['dsp']} DSP ({t['period']} cycles)" for t in o.get("budget_tried", [])))
        e = o.get("estimate") or {}
        L.append(f"* cost model: {o['cost_model_cycles']:,} cycles per frame; {o.get('mac_multipliers')} MAC + "
                 f"{o['multipliers'] - o.get('mac_multipliers', 0)} element-wise multipliers; estimated DSP "
                 f"{_f(e.get('dsp'))}, BRAM18 {_f(e.get('bram18'))}, LUT {_f(e.get('lut'))}, FF {_f(e.get('ff'))}")
        y = (o.get("synth") or {}).get(OURS_FAMILY) or {}
        if y.get("status") == "ok":
            L.append(f"* yosys 0.23 `synth_xilinx -family {OURS_FAMILY}` (hierarchy kept): DSP {y['dsp']:,}, BRAM18 "
                     f"{y['bram18']:,} ({y['bram36']:g} BRAM36-eq), LUT {y['lut']:,} (of which LUTRAM {y['lutram']:,}), "
                     f"FF {y['ff']:,}" + (f", {y['seconds']:,} s" if y.get("seconds") else ""))
        elif y:
            L.append(f"* yosys: {y.get('status')}")
        for k, r in (o.get("sim") or {}).items():
            what = "the Koios-size design" if k == "full" else f"check design {r.get('model')}, `{r.get('config')}`"
            if r.get("status") == "ok":
                L.append(f"* Verilator, {what}: {r['steps']} frames {r['cycles']:,} cycles, {r['steps'] - 1} frames "
                         f"{r['cycles_short']:,}: **{r['cycles_per_frame']:,} cycles per frame**, cost-model period "
                         f"{r['cost_model_period']:,}, cost-model job {r['cost_model_cycles']:,} cycles "
                         f"({'equal' if r['cycles'] == r['cost_model_cycles'] else 'DIFFERENT'}); outputs "
                         f"{'bit-exact' if r['bit_exact'] else 'DIFFERENT'} against the reference interpreter; "
                         f"build {r['build_seconds']:,} s")
            else:
                L.append(f"* Verilator, {what}: {r.get('status')}")
        sec["OURS"] = "\n".join(L)
    else:
        sec["OURS"] = "(not measured in the recorded run)"
    raw = []
    logs = data.get("raw") or {}

    def covered(k: str) -> bool:  # a Koios run whose sizes a later, larger run repeated
        if not k.startswith("Koios "):
            return False
        mine = set(k.split()[1].split(","))
        return any(o != k and o.startswith("Koios ") and mine < set(o.split()[1].split(",")) for o in logs)

    for k, v in logs.items():
        if covered(k):
            continue
        raw += [f"### {k}", "", "```", *v, "```", ""]
    sec["RAW"] = "\n".join(raw).rstrip()
    return sec


def fill_doc(path: str, data: dict) -> None:
    with open(path) as f:
        text = f.read()
    for name, body in doc_sections(data).items():
        inline = "\n" not in body
        new = f"<!-- bench:{name} -->{body}<!-- /bench:{name} -->" if inline else \
            f"<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->"
        pat = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.DOTALL)
        if pat.search(text):
            text = pat.sub(lambda _m, new=new: new, text)
        else:
            text = text.replace(f"@@{name}@@", new)
    with open(path, "w") as f:
        f.write(text)


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--vtr", help="verilog-to-routing checkout or git directory (Koios clstm_like)")
    ap.add_argument("--clstm", help="shvo/C-LSTM checkout or git directory")
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--families", default="xc7,xcu", help="yosys synth_xilinx families (xc7, xcu, xcup)")
    ap.add_argument("--synth-timeout", type=float, default=1800, help="seconds per yosys synth_xilinx run (default 1800)")
    ap.add_argument("--no-synth", action="store_true")
    ap.add_argument("--sim", choices=("auto", "verilator", "iverilog", "none"), default="auto")
    ap.add_argument("--sim-timeout", type=float, default=3600)
    ap.add_argument("--variants", default="fixed,full-rate", help="simulated fix sets: fixed, full-rate, as-is")
    ap.add_argument("--frames", type=int, default=3, help="frames per simulation (the last one's period is reported)")
    ap.add_argument("--hls-depth", type=int, default=16, help="assumed pipeline depth of each HLS loop (C-LSTM)")
    ap.add_argument("--workdir", help="keep scratch files here (default: a temporary directory, removed)")
    ap.add_argument("--json", help="write all measurements to this JSON file")
    ap.add_argument("--update-data", action="store_true", help=f"rewrite {os.path.relpath(DATA_FILE)} from this run")
    ap.add_argument("--ours", action="store_true", help="also build the Koios model with ernn-ir (side by side)")
    ap.add_argument("--ours-multipliers", type=int, default=0,
                    help="MAC multiplier budget (default: the largest whose estimated DSP total fits Koios small's DSPs)")
    ap.add_argument("--ours-bits", type=int, default=18, help="weight and data bits (default 18, as Koios)")
    ap.add_argument("--ours-cmul", type=int, default=3, choices=(3, 4), help="real multipliers per complex product")
    ap.add_argument("--ours-steps", type=int, default=3, help="frames per simulated job")
    ap.add_argument("--ours-sim", choices=("full", "check", "both", "none"), default="both",
                    help="Verilator: the Koios-size design, a small check design, both, or none")
    ap.add_argument("--ours-sim-timeout", type=float, default=1800, help="seconds for a Verilator build of ours")
    ap.add_argument("--doc", help="refill the generated sections of these pages (comma-separated: docs/peers.md,"
                                  "docs/benchmarks.md) from the data file (needs --update-data)")
    a = ap.parse_args()

    if not a.vtr and not a.clstm and not a.ours:
        if a.doc:  # only refill the pages from the recorded data
            for path in a.doc.split(","):
                fill_doc(path, load_data())
                log(f"refilled the generated sections of {path} from {DATA_FILE}")
            return 0
        raise BenchError("give --vtr PATH (Koios clstm_like) and/or --clstm PATH (C-LSTM) and/or --ours")
    if a.doc and not a.update_data:
        raise BenchError("--doc fills the page from the data file: give --update-data too (or --doc alone)")
    for flag, path in (("--vtr", a.vtr), ("--clstm", a.clstm)):
        if path and not os.path.isdir(path):
            raise BenchError(f"{flag} {path}: no such directory")
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    if bad := [s for s in sizes if s not in SIZES]:
        raise BenchError(f"--sizes: unknown {bad} (choose from {SIZES})")
    families = [f.strip() for f in a.families.split(",") if f.strip()]
    variants = [v.strip() for v in a.variants.split(",") if v.strip()]
    if bad := [v for v in variants if v not in FIX_SETS]:
        raise BenchError(f"--variants: unknown {bad} (choose from {list(FIX_SETS)})")
    sim = a.sim
    if a.vtr:
        need = ["yosys", "iverilog", "vvp"]
        if sim == "verilator":
            need.append("verilator")
        if missing := [t for t in need if not shutil.which(t)]:
            raise BenchError(f"missing tools for Koios: {missing} (Debian: apt-get install yosys iverilog verilator)")
        if sim == "auto":
            sim = "verilator" if shutil.which("verilator") else "iverilog"
    work = a.workdir or tempfile.mkdtemp(prefix="bench-peers-")
    os.makedirs(work, exist_ok=True)
    result = {"generated": datetime.date.today().isoformat(), "clock_hz": CLOCK_HZ, "tools": {}, "designs": []}

    def save(res: dict) -> None:
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=1, default=str)
        if a.update_data:
            update_data(res)

    def section(name: str, fn, *args) -> None:
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(Tee(sys.stdout, buf)):
                fn(*args)
        finally:
            result.setdefault("raw", {})[name] = buf.getvalue().splitlines()
            save(result)

    try:
        if a.clstm:
            section("C-LSTM", clstm, a, work, result)
        if a.vtr:
            section(f"Koios {','.join(sizes)}", koios, a, sizes, families, variants, sim, work, result, save)
        if a.ours:
            section("ernn-ir", ours, a, work, result)
    finally:
        if not a.workdir:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("== peers side by side (cycles/frame from simulation or from the code; DSP/LUT/FF/BRAM36: yosys "
          "synth_xilinx -flatten -family xc7; utilisation = useful mults / (multipliers x cycles))")
    print(format_table([{k: d.get(k) for k in d} for d in result["designs"]]))
    for d in result["designs"]:
        if d.get("note"):
            print(f"  {d['design']}: {d['note']}")
    if a.update_data:
        update_data(result)
        log(f"wrote {DATA_FILE}")
    if a.doc:
        for path in a.doc.split(","):
            fill_doc(path, load_data())
            log(f"refilled the generated sections of {path}")
    return 0


class Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for st in self.streams:
            st.write(text)
        return len(text)

    def flush(self):
        for st in self.streams:
            st.flush()


KEEP = ("design", "model", "b", "cycles_per_frame", "cycles_estimate", "multipliers", "rtl_multipliers", "dsp",
        "synth_family", "lut", "ff", "bram36", "useful_mults_per_frame", "useful_mults_per_frame_3mult",
        "performed_mults_per_frame", "feed_cycles", "utilisation", "fps_200mhz", "fps_per_dsp", "note", "source",
        "synth", "sim", "config", "cost_model_cycles", "sim_cycles_per_frame", "mac_multipliers", "estimate",
        "budget_target_dsp", "budget_tried", "bits", "cmul", "device", "ratio_vs_koios", "synth_family")


def update_data(result: dict) -> None:
    """Merge this run's rows into bench/peers_data.json (rows of designs not measured now are kept)."""
    try:
        with open(DATA_FILE) as f:
            old = json.load(f)
    except (OSError, ValueError):
        old = {"designs": []}
    new = {d["design"]: {k: d[k] for k in KEEP if k in d} | {"measured": result["generated"]} for d in result["designs"]}
    rows = []
    if any(k.startswith("ernn-ir") for k in new):  # ours: this run's design replaces the recorded one
        old["designs"] = [d for d in old.get("designs", []) if not d["design"].startswith("ernn-ir")]
    for d in old.get("designs", []):
        n = new.pop(d["design"], None)
        if n is not None and not d["design"].startswith("Koios"):
            rows.append(n)
            continue
        if n is None:
            rows.append(d)
            continue
        # a partial run (e.g. one family, or no simulation) keeps what it did not measure
        merged = d | {k: v for k, v in n.items() if v is not None and k not in ("synth", "sim")}
        merged["synth"] = (d.get("synth") or {}) | (n.get("synth") or {})
        merged["sim"] = n["sim"] if n.get("sim") else d.get("sim", {})
        if not n.get("sim") and d.get("cycles_per_frame"):
            merged["cycles_per_frame"] = d["cycles_per_frame"]
        rows.append(finalize_row(merged) if merged["design"].startswith("Koios") else merged)
    rows += list(new.values())
    tools = old.get("tools", {}) | result["tools"]
    data = {"generated": result["generated"], "clock_hz": CLOCK_HZ, "tools": tools, "designs": rows,
                "raw": old.get("raw", {}) | result.get("raw", {})}
    tmp = DATA_FILE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, default=str)
        f.write("\n")
    os.replace(tmp, DATA_FILE)


def koios(a, sizes, families, variants, sim, work, result, save) -> None:
    result["tools"]["yosys"] = tool_version(["yosys", "-V"])
    result["tools"]["iverilog"] = tool_version(["iverilog", "-V"])
    if sim == "verilator":
        result["tools"]["verilator"] = tool_version(["verilator", "--version"])
    texts, commit = {}, None
    for s in sizes:
        texts[s], commit = read_source(a.vtr, f"{KOIOS_DIR}/clstm_like.{s}.v")
    result["koios_commit"] = commit
    print(f"== Koios clstm_like (verilog-to-routing {commit or '?'}, {KOIOS_DIR})")
    applied = {}
    for s in sizes:
        _, applied[s] = apply_fixes(texts[s], FIX_SETS["full-rate"])
    print("fixes applied at run time (docs/peers.md):")
    for line in fix_table_lines(applied):
        print("  " + line)
    print("found and not fixed:")
    for nid, why in NOT_FIXED:
        print(f"  {nid}: {why}")

    s0 = sizes[0]
    steps = [[], ["K1"], ["K1", "K2"], ["K1", "K2", "K3"], ["K1", "K2", "K3", "K4"]]
    chk = {("+".join(ids) or "as-is"): dft_check(texts[s0], ids, work) for ids in steps}
    result["koios_dft_check"] = chk
    print("DFT/IDFT check (8 random blocks streamed back to back, against numpy; errors in LSBs of the 10-bit fraction):")
    for k, v in chk.items():
        for top, r in v.items():
            print(f"  {k:<11} {top:<14} max |error| where the consumer reads (next_out+1): {r['err_at_consumer_lsb']:>8} LSB; "
                  f"best alignment next_out{r['best_offset']:+d}: {r['best_err_lsb']} LSB (max |value| {r['ref_max_lsb']} LSB); "
                  f"next -> next_out {r['next_to_next_out']} cycles")

    params, invs, sims, synth = {}, {}, {}, {}
    for s in sizes:
        p = koios_params(texts[s])
        p["size"] = s
        params[s] = p
        fixed = apply_fixes(texts[s], FIX_SETS["fixed"])[0]
        print(f"\n-- clstm_like.{s}: {p['model']}, b = {p['b']}, {p['width']}-bit data with {p['frac']} fraction bits, "
              f"{p['lanes']} block row(s) per gate in parallel; gate matrices 4 x {p['gate_blocks']} blocks, "
              f"projection {p['proj_blocks']}")
        inv = invs[s] = mult_inventory(fixed, p, work, a.synth_timeout)
        print(f"  multipliers as written (yosys flatten + opt_clean -purge per unit, before cross-unit optimisation): "
              f"stage-1 unit {inv['stage1_unit']} x 4 gates, stage-3 unit {inv['stage3_unit']}, stage 2 {inv['stage2']}, "
              f"address {inv['stage1_addr']}+{inv['stage3_addr']}: {inv['total_all']}")
    if sim != "none":
        for s in sizes:
            sims[s] = {}
            for v in variants:
                fx = apply_fixes(texts[s], FIX_SETS[v])[0]
                log(f"  simulating {s} ({v}) with {sim} ...")
                r = sims[s][v] = simulate(fx, s, v, params[s], sim, a.frames, work, a.sim_timeout)
                if r["status"] == "ok":
                    print(f"  sim {s} {v:<9} ({sim}, {r['seconds']} s): {r['cycles_per_frame']:,} cycles/frame (start to start), "
                          f"{r['outputs_per_frame']} output blocks, first at +{r['first_out']}, ready at +{r['latency']}")
                else:
                    print(f"  sim {s} {v:<9} ({sim}): {r['status']}")
                for line in r.get("raw", []):
                    print(f"    {line}")
                _koios_rows(result, sizes, variants, families, params, invs, sims, synth, commit)
                save(result)
    if not a.no_synth:
        for fam in families:
            for s in sizes:
                fixed = apply_fixes(texts[s], FIX_SETS["fixed"])[0]
                r = synth.setdefault(s, {})[fam] = synthesize(fixed, s, fam, work, a.synth_timeout)
                if r["status"] == "ok":
                    print(f"  yosys {fam} {s}: DSP {r['dsp']}, BRAM36-eq {r['bram36']:g} (RAMB36 {r['ramb36']}, RAMB18 {r['ramb18']}), "
                          f"LUT {r['lut']:,}, FF {r['ff']:,}, LUTRAM {r['lutram']}, SRL {r['srl']}, CARRY {r['carry']}  ({r['seconds']} s)")
                    print(f"    DSPs by unit: {r.get('dsp_by_unit')}")
                    print(f"    cells: {json.dumps(r['cells'], sort_keys=True)}")
                else:
                    print(f"  yosys {fam} {s}: {r['status']}")
                _koios_rows(result, sizes, variants, families, params, invs, sims, synth, commit)
                save(result)
    _koios_rows(result, sizes, variants, families, params, invs, sims, synth, commit)


def _koios_rows(result, sizes, variants, families, params, invs, sims, synth, commit) -> None:
    """(Re)build the Koios rows of `result` from what has been measured so far."""
    result["designs"] = [d for d in result["designs"] if not d["design"].startswith("Koios")]
    for s in sizes:
        p, inv = params[s], invs[s]
        blocks = p["blocks"]
        useful4, useful3 = useful_mults(blocks, p["b"], 4), useful_mults(blocks, p["b"], 3)
        lanes = p["lanes"]
        s1_steps = -(-p["gate_blocks"] // (p["gate_cols"] * lanes)) * p["gate_cols"]
        s3_steps = -(-p["proj_blocks"] // (p["proj_cols"] * lanes)) * p["proj_cols"]
        u1, u3 = inv["stage1_unit"], inv["stage3_unit"]
        performed = {
            "spectral": u1.get("spectral", 0) // lanes * blocks,
            "dft": 4 * s1_steps * u1.get("dft", 0) + s3_steps * u3.get("dft", 0),
            "idft": (4 * p["gate_blocks"] // p["gate_cols"] + p["proj_blocks"] // p["proj_cols"]) * u1.get("idft", 0) // lanes,
            "elementwise": p["cells"] * sum(inv["stage2"].values()) // (16 * lanes),
        }
        syn = synth.get(s, {})
        for v in variants:
            r = sims.get(s, {}).get(v)
            cycles = r.get("cycles_per_frame") if r and r.get("status") == "ok" else None
            rate = 2 if v == "fixed" else 1
            feed = rate * (s1_steps + s3_steps)
            row = {
                "design": f"Koios clstm_like.{s} ({v})", "model": p["model"], "b": p["b"], "cycles_per_frame": cycles,
                "rtl_multipliers": inv["total_all"], "useful_mults_per_frame": useful4,
                "useful_mults_per_frame_3mult": useful3, "performed_mults_per_frame": performed, "feed_cycles": feed,
                "note": ("fixes K1-K7; the design's own pacing (a block every other cycle)" if v == "fixed" else
                      "fixes K1-K7 + K8 (one block per cycle)" if v == "full-rate" else
                      "unmodified (its valid chain free-runs: not a frame time)")
                + ("" if cycles or not r else f"; simulation: {r.get('status')}"),
                "source": {"file": f"{KOIOS_DIR}/clstm_like.{s}.v", "commit": commit, "fixes": FIX_SETS[v]},
                "synth": {k: {kk: vv for kk, vv in y.items() if kk != "cells"} for k, y in syn.items()},
                "sim": {kk: vv for kk, vv in (r or {}).items() if kk != "raw"},
                "inventory": inv, "params": p,
            }
            result["designs"].append(finalize_row(row))
    # a size whose simulation never completes a frame (large, N4): estimate from the feed-cycle model
    # cycles = rate x (stage-1 feed steps + stage-3 feed steps) + overhead, with the overhead measured on the
    # sizes that did complete, and the row groups rounded up (ceil(64/lanes), ceil(32/lanes))
    for v in variants:
        rows = [d for d in result["designs"] if d["design"].startswith("Koios") and d["design"].endswith(f"({v})")]
        over = [d["cycles_per_frame"] - d["feed_cycles"] for d in rows if d.get("cycles_per_frame")]
        for d in rows:
            if not d.get("cycles_per_frame") and over and d.get("sim"):
                d["cycles_estimate"] = d["feed_cycles"] + round(sum(over) / len(over))
                d["note"] += (f"; estimate {d['cycles_estimate']:,} cycles/frame = feed steps x rate + the overhead "
                              f"measured on the other sizes (not in the table)")


def finalize_row(row: dict) -> dict:
    """Derived columns of a Koios row from its synthesis (first family: xc7) and simulation results."""
    syn = row.get("synth") or {}
    x = syn.get("xc7") or next(iter(syn.values()), None)
    ok = bool(x and x.get("status") == "ok")
    row.update(dsp=x["dsp"] if ok else None, lut=x["lut"] if ok else None, ff=x["ff"] if ok else None,
               bram36=x["bram36"] if ok else None, synth_family=x.get("family") if ok else None)
    row["multipliers"] = row["dsp"] if ok else row.get("rtl_multipliers")
    cycles = row.get("cycles_per_frame")
    row["utilisation"] = utilisation(row["useful_mults_per_frame"], row["multipliers"], cycles) if cycles else None
    row["fps_200mhz"] = frames_per_s(cycles) if cycles else None
    row["fps_per_dsp"] = frames_per_s(cycles) / row["dsp"] if (cycles and row["dsp"]) else None
    if not ok and "multipliers: RTL count" not in row["note"]:
        row["note"] += "; multipliers: RTL count (no synthesis result)"
    return row


def clstm(a, work, result) -> None:
    c = clstm_derive(a.clstm, a.hls_depth, work)
    comp = clstm_compile(a.clstm, work, 600)
    result["clstm"] = c | {"compile": comp}
    g, pj = c["gate"], c["proj"]
    print(f"\n== C-LSTM released HLS code (shvo/C-LSTM {c['commit'] or '?'}, {CLSTM_DIR}); Vitis/Vivado HLS is not "
          "available here: figures derived from the loop nests and pragmas")
    print(f"  model: Google LSTMP {c['defs']['BLOCK_NUM_QX'] * c['b']}(153 padded)-{c['defs']['BLOCK_NUM_PXR'] * c['b']}-"
          f"{c['defs']['BLOCK_NUM_QR'] * c['b']}, peepholes, b = {c['b']}, {c['number_format']}; {c['blocks']:,} blocks")
    for name, m in (("compute_gate", g), ("compute_yt", pj)):
        print(f"  {name} ({c['cite'][name + '.cpp loop_lstm_i']}, {c['cite'][name + '.cpp loop_lstm_j + PIPELINE']}): "
              f"loop_lstm_i {m['rows']}/{m['lanes']} = {m['trips_i']} row groups x loop_lstm_j {m['cols']}/{m['blocks_per_iter']} = "
              f"{m['trips_j']} at II={m['ii']} (perfect nest, flattened) = {m['trips_i'] * m['trips_j'] * m['ii']} cycles; "
              f"loop_sum_p {m['sum_trips']} at II={m['sum_ii']} ({c['cite'][name + '.cpp loop_sum_p + PIPELINE']}) "
              f"-> {m['ii_cycles']} + 2 x depth")
        print(f"    per iteration: {m['ffts_per_iter']} fft8 + {m['lanes']} rows x {m['blocks_per_iter']} blocks x 5 bins: "
              f"{m['products_per_iter']} real products written ({m['per_block_written']}/block; {m['per_block_folded']}/block "
              f"after the structurally-zero imaginary parts of bins 0 and 4 fold) -> at II={m['ii']}: "
              f"{m['mults_written']} ({m['mults_folded']}) multipliers; FFTs per call {m['ffts']} (each input block "
              f"re-transformed for every one of the {m['trips_i']} row groups); sum_imag accumulated only for bins "
              f"{m['imag_bins_accumulated']} (bins 1-4 add their imaginary parts into sum_real)")
    v = c["vector"]
    print(f"  compute_vector ({c['cite']['compute_vector loop_vector + PIPELINE']}): {v['trips']} iterations at II={v['ii']}, "
          f"{v['lanes']} lanes, {v['products']} products + {v['activations']} PWL activations (1 multiply each, "
          f"{c['sigmoid_mul_line']}) per iteration")
    print(f"  update_xyt ({c['cite']['update_xyt loop']}): {c['update_trips']} iterations, II=1")
    print(f"  main_lstm_loop ({c['cite']['main loop (no DATAFLOW pragma)']}): DATAFLOW pragma: {c['dataflow_pragma']}; "
          f"the calls of one iteration touch disjoint ping-pong buffers ({c['gate_calls']} compute_gate calls on xyt_buf2_*), "
          "so HLS can run them concurrently (one RTL instance per call site)")
    lat = c["latency"]
    print(f"  latency with depth D = {c['depth']} (assumed) per pipelined loop: " + ", ".join(f"{k} {v:,}" for k, v in lat.items()))
    print(f"  cycles/frame: concurrent calls (max) {c['cycles_concurrent']:,}; if HLS ran them one after another "
          f"{c['cycles_sequential']:,}")
    print(f"  multipliers: spectral {c['multipliers_spectral']:,} ({c['multipliers_spectral_written']:,} as written), "
          f"FFT/IFFT twiddles {c['multipliers_fft']} (constants {c['twiddles_nontrivial']}: {c['fft_const_mults']} per fft8, "
          f"{c['ifft_const_mults']} per ifft8), compute_vector {c['multipliers_vector']} -> {c['multipliers']:,}")
    print(f"  FFTs per frame {c['ffts_per_frame']:,} (needed after fusion: {c['ffts_needed']}), IFFTs {c['iffts_per_frame']}")
    print(f"  real multiplies per frame performed: {json.dumps(c['performed'])}; useful {c['useful4']:,} "
          f"(3-mult: {c['useful3']:,})")
    print(f"  g++ build check: {comp.get('status')}" + (f" ({comp['compiler']}: {comp['command']}; {comp['warnings']} warnings "
          f"{comp['warning_kinds']})" if comp.get("command") else ""))
    cycles = c["cycles_concurrent"]
    for variant, cyc in (("concurrent stages", c["cycles_concurrent"]), ("sequential stages", c["cycles_sequential"])):
        result["designs"].append({
            "design": f"C-LSTM HLS code ({variant})", "model": "LSTMP 160-1024-512 peep", "b": c["b"], "cycles_per_frame": cyc,
            "multipliers": c["multipliers"], "dsp": None, "lut": None, "ff": None, "bram36": None,
            "useful_mults_per_frame": c["useful4"], "useful_mults_per_frame_3mult": c["useful3"],
            "performed_mults_per_frame": c["performed"], "utilisation": utilisation(c["useful4"], c["multipliers"], cyc),
            "fps_200mhz": frames_per_s(cyc), "fps_per_dsp": frames_per_s(cyc) / c["multipliers"],
            "note": (f"derived from the code, pipeline depth {c['depth']} assumed; frames/s/DSP counts one DSP per multiplier"
                  if cyc == cycles else "if HLS does not overlap the independent calls"),
            "source": {"repo": "shvo/C-LSTM", "commit": c["commit"], "cite": c["cite"]},
        })


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench_peers: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench_peers: interrupted", file=sys.stderr)
        sys.exit(130)
