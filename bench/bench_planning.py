"""Hardware planning of the Google LSTM and GRU: cycles, rate, resources and multiplier utilisation.

    python bench/bench_planning.py [--quick] [--plot docs/planning_utilisation.png]

For each model (the Google LSTM / GRU of the brief at b = 4, 8, 16; 12-bit
weights, 16-bit data, ernn-pipeline's defaults otherwise) and each MAC
multiplier budget from 64 to the whole KU060, with one stream and with
interleaved streams, the planner's design is timed by the exact static
schedule.  Printed per design: lanes, cycles per step, steps/s at 200 MHz,
DSP and BRAM18 (estimates), and two utilisations:

- MAC utilisation: real multiplies per step / (MAC multipliers x cycles);
- physical efficiency: the brief's bound (3-multiply complex products, every
  DSP busy: 563,200 multiplies per step at b = 8 / 2,760 DSPs = 205 cycles
  at b = 8) over the design's cycles per step.

Then the peers side by side (bench/peers_data.py: Koios clstm_like measured
with yosys and simulation, C-LSTM's released code derived from its loops)
and the planning time of the Google LSTM (median of 5).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from ernn_ir.builder import build_module  # noqa: E402
from ernn_ir.dialects.ernn import ScanOp  # noqa: E402
from ernn_ir.hardware.constants import OuterConstants  # noqa: E402
from ernn_ir.hardware.devices import load_device  # noqa: E402
from ernn_ir.hardware.plan import PlanError, PlanRequest, plan  # noqa: E402
from ernn_ir.hardware.schedule import mac_lane_multipliers  # noqa: E402
from ernn_ir.hardware.stepgraph import build_step_graph  # noqa: E402
from ernn_ir.models import random_gru, random_lstm  # noqa: E402
from ernn_ir.passes.pipeline import PipelinePass  # noqa: E402
from ernn_ir.registry import make_context  # noqa: E402

CLOCK = 200.0


def google(kind: str, b: int, batch: int):
    if kind == "lstm":
        spec = random_lstm(153, 1024, b, proj_size=512, peepholes=True, seed=0)
    else:
        spec = random_gru(153, 1024, b, seed=0)
    m = build_module([spec], 4, batch=batch)
    PipelinePass(weight_bits=12, data_bits=16).apply(make_context(), m)
    scan = next(o for o in m.walk() if isinstance(o, ScanOp))
    return build_step_graph(scan, OuterConstants(m))


def row(g, p, dev):
    c = p.config
    b = g.block
    lanes = c.row_lanes * c.col_lanes
    mults = p.resources.mac_multipliers
    work = g.total_blocks * mac_lane_multipliers(b, c.cmul) * c.streams
    work3 = g.total_blocks * mac_lane_multipliers(b, 3)
    per_step = p.period / c.streams
    limit = work3 / dev.dsp
    return {
        "lanes": f"{c.row_lanes}x{c.col_lanes}", "mults": mults, "period": p.period, "cycles_per_step": per_step,
        "steps_per_s": p.steps_per_second, "dsp": p.resources.dsp, "bram18": p.resources.bram18,
        "util": work / (mults * p.period), "phys": limit / per_step, "streams": c.streams, "lanes_n": lanes,
    }


def sweep(g, dev, budgets, streams):
    out = []
    for M in budgets:
        try:
            p = plan(g, PlanRequest(dev, CLOCK, multipliers=M, streams=streams))
        except PlanError as e:
            out.append((M, None, str(e)))
            continue
        out.append((M, row(g, p, dev), ""))
    return out


def budgets_for(g, dev, quick: bool):
    per_lane = mac_lane_multipliers(g.block, 3)
    top = dev.dsp
    base = [64, 128, 256, 512, 768, 1024]
    if not quick:
        base += [1536, 2048]
    return [m for m in base if m >= per_lane and m <= top]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="b = 8 only, fewer budgets")
    ap.add_argument("--plot", default=os.path.join(ROOT, "docs", "planning_utilisation.png"))
    a = ap.parse_args()
    dev = load_device("ku060")
    rows_for_plot = {}
    blocks = [8] if a.quick else [4, 8, 16]
    print(f"device {dev.name}: {dev.dsp} DSP, {dev.bram18} BRAM18; clock {CLOCK:g} MHz; 12-bit weights, 16-bit data")
    for kind in ("lstm", "gru"):
        for b in blocks:
            g = google(kind, b, batch=4)
            work3 = g.total_blocks * mac_lane_multipliers(b, 3)
            print(f"\n== Google {kind.upper()} b={b}: {g.total_blocks:,} weight blocks, {work3:,} multiplies per step "
                  f"(3-mult), physical bound {work3 / dev.dsp:.0f} cycles per step on {dev.dsp} DSPs")
            print(f"{'budget':>7} {'S':>2} {'lanes':>7} {'mults':>6} {'cyc/step':>9} {'steps/s':>12} {'DSP':>6} "
                  f"{'BRAM18':>7} {'MAC util':>9} {'of bound':>9}")
            for S in (1, 2, 4):
                for M, r, err in sweep(g, dev, budgets_for(g, dev, a.quick), S):
                    if r is None:
                        print(f"{M:>7} {S:>2}  refused: {err[:90]}")
                        continue
                    print(f"{M:>7} {S:>2} {r['lanes']:>7} {r['mults']:>6} {r['cycles_per_step']:>9.1f} "
                          f"{r['steps_per_s']:>12,.0f} {r['dsp']:>6} {r['bram18']:>7} {100 * r['util']:>8.1f}% "
                          f"{100 * r['phys']:>8.1f}%")
                    rows_for_plot.setdefault((kind, b, S), []).append((r["mults"], r["util"]))
                # the fastest design that fits the device
                try:
                    p = plan(g, PlanRequest(dev, CLOCK, streams=S))
                    r = row(g, p, dev)
                    print(f"{'device':>7} {S:>2} {r['lanes']:>7} {r['mults']:>6} {r['cycles_per_step']:>9.1f} "
                          f"{r['steps_per_s']:>12,.0f} {r['dsp']:>6} {r['bram18']:>7} {100 * r['util']:>8.1f}% "
                          f"{100 * r['phys']:>8.1f}%")
                    rows_for_plot.setdefault((kind, b, S), []).append((r["mults"], r["util"]))
                except PlanError as e:
                    print(f"{'device':>7} {S:>2}  refused: {str(e)[:90]}")
    # peers
    print("\n== peers (bench/peers_data.py)")
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import peers_data  # type: ignore

        print(f"  recorded {peers_data.PEERS.get('generated')} by bench/bench_peers.py (docs/peers.md)")
        print("  " + peers_data.format_table(peers_data.table_rows()).replace("\n", "\n  "))
    except ImportError:
        print("  bench/peers_data.py not found (run bench/bench_peers.py)")
    # planning time
    g8 = google("lstm", 8, batch=1)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        plan(g8, PlanRequest(dev, CLOCK))
        times.append(time.perf_counter() - t0)
    t_graph = []
    for _ in range(3):
        t0 = time.perf_counter()
        google("lstm", 8, batch=1)
        t_graph.append(time.perf_counter() - t0)
    print(f"\nplanning time, Google LSTM b=8, fastest design on the KU060: median {statistics.median(times):.3f} s "
          f"(of 5); the pipeline to the quantized IR before it: {statistics.median(t_graph):.2f} s")
    # CLI: ernn-opt ... ernn-tile on the bundled example
    ex = os.path.join(ROOT, "examples", "google_lstm_b8.mlir")
    if os.path.exists(ex):
        t0 = time.perf_counter()
        r = subprocess.run(["ernn-opt", ex, "-p", "ernn-pipeline{weight-bits=12},ernn-tile{device=ku060},ernn-hw-report",
                            "-o", os.devnull], capture_output=True, text=True)
        dt = time.perf_counter() - t0
        head = r.stdout.splitlines()[:3]
        print(f"ernn-opt examples/google_lstm_b8.mlir -p 'ernn-pipeline{{weight-bits=12}},ernn-tile,ernn-hw-report': "
              f"{dt:.2f} s wall (parse, pipeline, plan, report)")
        for ln in head:
            print("   ", ln)
    if a.plot:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no plot")
            return
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
        for ax, kind in zip(axes, ("lstm", "gru")):
            for (k, b, S), pts in sorted(rows_for_plot.items()):
                if k != kind:
                    continue
                pts = sorted(pts)
                ax.plot([p[0] for p in pts], [100 * p[1] for p in pts], marker="o",
                        label=f"b={b}, {S} stream{'s' if S > 1 else ''}", linestyle="-" if S == 1 else "--")
            ax.axhline(90, color="grey", linewidth=0.8)
            ax.axvline(1024, color="grey", linewidth=0.8, linestyle=":")
            ax.set_xscale("log", base=2)
            ax.set_xlabel("MAC multipliers")
            ax.set_title(f"Google {kind.upper()}, KU060 at {CLOCK:g} MHz")
            ax.grid(True, alpha=0.3)
        axes[0].set_ylabel("MAC multiplier utilisation (%)")
        axes[1].legend(fontsize=7, loc="lower left")
        fig.tight_layout()
        fig.savefig(a.plot, dpi=110)
        print(f"plot: {os.path.relpath(a.plot, ROOT)}")


if __name__ == "__main__":
    main()
