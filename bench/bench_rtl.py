"""The Google LSTM in RTL simulation: generation, Verilator build, simulation speed, bit-exactness.

    python bench/bench_rtl.py [--frames 10] [--simulator verilator] [--streams 1] [--workdir DIR]

The Google LSTM of the brief (LSTMP 153-1024-512, peepholes, b = 8) through
`ernn-pipeline{weight-bits=12}` (16-bit data) and `ernn-tile{device=ku060}`
(the fastest plan that fits the KU060: the planning issue's choice), then:

- generation: the hw/comb/seq IR and its SystemVerilog (wall time);
- the Verilator (or Icarus) build of the design and its testbench;
- the simulation of `--frames` frames: wall time, simulated cycles, cycles/s,
  and the cycles per frame against the cost model's period (must be equal);
- the outputs and overflow events against the bit-exact reference.

With `--streams 2` the model has a batch of 2 sequences, interleaved.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "test", "unit", "lowering", "verilog"))

from rtl_helpers import accelerator_io, inside_events, reference_run  # noqa: E402

from ernn_ir.builder import build_module  # noqa: E402
from ernn_ir.hardware.constants import OuterConstants  # noqa: E402
from ernn_ir.hardware.design_view import accelerators, read_design  # noqa: E402
from ernn_ir.hardware.report import design_report  # noqa: E402
from ernn_ir.lowering.verilog.gen import generate  # noqa: E402
from ernn_ir.lowering.verilog.sim import RtlSim, design_files  # noqa: E402
from ernn_ir.models import random_lstm  # noqa: E402
from ernn_ir.passes.pipeline import PipelinePass  # noqa: E402
from ernn_ir.passes.tile import TilePass  # noqa: E402
from ernn_ir.registry import make_context  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--simulator", default="verilator", choices=("verilator", "iverilog"))
    ap.add_argument("--streams", type=int, default=1)
    ap.add_argument("--device", default="ku060")
    ap.add_argument("--workdir", default="")
    ap.add_argument("--size", default="153,1024,512", help="inputs,cells,projection (default: the Google LSTM)")
    args = ap.parse_args()
    T, S = args.frames, args.streams

    t0 = time.perf_counter()
    n_in, cells, proj = (int(v) for v in args.size.split(","))
    spec = random_lstm(n_in, cells, 8, proj_size=proj, peepholes=True, seed=0)
    module = build_module([spec], T, batch=S)
    ctx = make_context()
    PipelinePass(weight_bits=12, data_bits=16).apply(ctx, module)
    t1 = time.perf_counter()
    TilePass(device=args.device, streams=S, rfft_engines=1).apply(ctx, module)
    t2 = time.perf_counter()
    view = read_design(accelerators(module)[0], OuterConstants(module))
    rep = design_report(view)
    rtl = generate(view)
    t3 = time.perf_counter()
    files = design_files(rtl)
    t4 = time.perf_counter()
    print(f"LSTMP {n_in}-{cells}-{proj} b=8, w12/d16, {T} frames x {S} stream(s), {args.device}: {view.config}")
    print(f"  pipeline {t1 - t0:.1f} s, ernn-tile {t2 - t1:.2f} s, RTL generation {t3 - t2:.1f} s, "
          f"SystemVerilog {t4 - t3:.1f} s ({sum(len(v) for v in files.values()) / 1e6:.1f} MB in {len(files)} files)")
    per = "per step" if S == 1 else f"per period (one step of each of {S} streams)"
    print(f"  cost model: period {rep['period_cycles']} cycles {per}, {rep['sequence_cycles']:,} cycles per "
          f"sequence of {T}, MAC utilisation {100 * rep['mac']['utilisation']:.1f} % "
          f"({rep['mac']['multipliers']:,} multipliers), {rep['steps_per_second']:,.0f} steps/s at "
          f"{rep['clock_mhz']:g} MHz")

    x = np.random.default_rng(1).standard_normal((T, S, n_in))
    t5 = time.perf_counter()
    ref_result = reference_run(module, [x])
    raw_in, raw_out = accelerator_io(module, [x])
    t6 = time.perf_counter()
    workdir = args.workdir or tempfile.mkdtemp(prefix="ernn-bench-rtl-")
    sim = RtlSim(rtl, args.simulator, os.path.join(workdir, args.simulator))
    t7 = time.perf_counter()
    out, cycles, events = sim.run(np.asarray(raw_in, dtype=np.int64), T)
    t8 = time.perf_counter()
    total = sum(cycles)
    expect = (T - 1) * rtl.period + rtl.cycles_per_sequence_base
    same = np.array_equal(out, np.asarray(raw_out, dtype=np.int64))
    ref_events = inside_events(ref_result)
    print(f"  reference (run twice: outputs, then the accelerator's raw I/O): {t6 - t5:.1f} s for {T} frames")
    print(f"  {args.simulator} build {t7 - t6:.0f} s; simulation {t8 - t7:.1f} s wall, {total:,} cycles "
          f"= {total / (t8 - t7):,.0f} cycles/s")
    print(f"  cycles per sequence: simulated {total:,}, cost model {expect:,} "
          f"({'equal' if total == expect else 'DIFFERENT'}); period {rtl.period} cycles {per}")
    print(f"  outputs: {out.size:,} values, {'bit-exact' if same else 'DIFFERENT'} against the reference; "
          f"overflow events {sum(events)} (reference {ref_events})")
    if total != rep["sequence_cycles"]:
        print(f"  the report's sequence cycles {rep['sequence_cycles']:,} differ from the simulation")
        raise SystemExit(1)
    if not same or total != expect or sum(events) != ref_events:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
