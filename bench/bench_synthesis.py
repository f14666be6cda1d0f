"""yosys synth_xilinx of generated designs against the cost model, per unit; ECP5 place-and-route timing.

    python bench/bench_synthesis.py [--designs NAME,...] [--family xcup,xc7] [--ecp5 NAME] [--seeds N]
                                    [--json out.json]

For each design (small random models and the Google LSTM at its KU060
plan), generate the SystemVerilog (`-t verilog`), synthesise it with
Debian's yosys 0.23 (`synth_xilinx -family F`, hierarchy kept: every kind of
unit once) and fold the cells into DSP / BRAM18 / LUT / FF
(`ernn_ir.lowering.verilog.synth`).  Printed: per unit, the cost model's
figure (`ernn_ir.hardware.resources.estimate`, its `breakdown`) beside
yosys' (instances x one instance), and per design the totals with their
ratios.  `--ecp5 NAME` also runs synth_ecp5 and nextpnr-ecp5 on ECP5-85F
and prints fmax, the critical path's start and end, and the utilisation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "test", "unit", "hardware"))

from hw_models import quantized, tiled  # noqa: E402

from ernn_ir.hardware.constants import OuterConstants  # noqa: E402
from ernn_ir.hardware.design_view import accelerators, read_design  # noqa: E402
from ernn_ir.hardware.resources import estimate, unit_of_module  # noqa: E402
from ernn_ir.lowering.verilog.gen import generate  # noqa: E402
from ernn_ir.lowering.verilog.synth import ecp5, yosys_xilinx  # noqa: E402
from ernn_ir.lowering.verilog.target import project_files, write_project  # noqa: E402

# name: (kind, inputs, hidden, block, extra, weight bits, data bits, tile options)
DESIGNS = {
    "lstm_b2": ("lstm", 3, 4, 2, {}, 12, 16, {"rows": 2, "cols": 1}),
    "gru_b4": ("gru", 12, 16, 4, {"reset_after": True}, 8, 12, {"multipliers": 24}),
    "lstmp_b8": ("lstm", 16, 32, 8, {"proj_size": 16, "peepholes": True}, 12, 16, {"multipliers": 64}),
    "lstm_b16": ("lstm", 16, 32, 16, {}, 12, 16, {"multipliers": 64}),
    "gru_b8_w16": ("gru", 24, 32, 8, {"reset_after": False}, 16, 16, {"multipliers": 128, "streams": 2}),
    # held out (test/unit/lowering/verilog/test_synthesis.py): not for fitting
    "gru_before_b2": ("gru", 4, 6, 2, {"reset_after": False}, 12, 16, {"rows": 1, "cols": 1}),
    "lstmp_peep_b4": ("lstm", 8, 8, 4, {"proj_size": 4, "peepholes": True}, 12, 16, {"rows": 3, "cols": 2}),
    "google_lstm": ("lstm", 153, 1024, 8, {"proj_size": 512, "peepholes": True}, 12, 16, {}),
}
METRICS = ("dsp", "bram18", "lut", "ff")


def design(name: str, device: str = "ku060"):
    """The design `name` tiled for `device` (ECP5 designs get the deep pipeline: `units`)."""
    kind, I, H, b, extra, wb, db, tile = DESIGNS[name]
    t0 = time.perf_counter()
    m = quantized(kind, I, H, b, extra, T=2, batch=tile.get("streams", 1), weight_bits=wb, data_bits=db)
    t = tiled(m, device=device, **tile)
    view = read_design(accelerators(t)[0], OuterConstants(t))
    rtl = generate(view)
    return view, rtl, time.perf_counter() - t0


def compare(name: str, family: str, workdir: str) -> dict:
    view, rtl, gen_s = design(name)
    d = os.path.join(workdir, f"{name}_{family}")
    files = project_files([(view, rtl)])
    same = os.path.exists(os.path.join(d, f"stat_{family}.json")) and all(
        os.path.exists(os.path.join(d, k)) and open(os.path.join(d, k)).read() == v for k, v in files.items())
    if not same:  # an unchanged design keeps its synthesis (the estimate is what is being calibrated)
        write_project([(view, rtl)], d)
    est = estimate(view.schedule, view.device, view.copies)
    got = yosys_xilinx(d, family, reuse=same)
    units: dict[str, dict[str, int]] = {}
    for mod, (n, counts) in got.modules.items():
        u = unit_of_module(mod[len(rtl.name) + 1:])
        acc = units.setdefault(u, dict.fromkeys((*METRICS, "lutram"), 0))
        for k in (*METRICS, "lutram"):
            acc[k] += n * counts[k]
    return {
        "design": name, "family": family, "config": str(view.config), "generate_s": gen_s,
        "yosys_s": got.seconds, "estimate": {k: getattr(est, k) for k in METRICS},
        "yosys": {k: getattr(got, k) for k in METRICS}, "lutram": got.lutram,
        "units_estimate": est.breakdown, "units_yosys": units,
    }


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else ("-" if not a else "inf")


def print_row(r: dict) -> None:
    print(f"\n== {r['design']} ({r['family']}): {r['config']}")
    print(f"   generate {r['generate_s']:.1f} s, yosys {r['yosys_s']:.0f} s")
    cols = ("lut", "lutram", "ff")
    print(f"   {'unit':10s}" + "".join(f"{m + ' est':>12s}{m + ' yosys':>13s}" for m in cols))
    for u in sorted(set(r["units_estimate"]) | set(r["units_yosys"])):
        e = r["units_estimate"].get(u, {})
        y = r["units_yosys"].get(u, {})
        print(f"   {u:10s}" + "".join(f"{e.get(m, 0):12d}{y.get(m, 0):13d}" for m in cols))
    print(f"   {'total':10s}" + "".join(f"{m:>7s} {r['estimate'][m]:>8d} / {r['yosys'][m]:>8d} = "
                                      f"{ratio(r['estimate'][m], r['yosys'][m]):>5s}" for m in METRICS))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", default="lstm_b2,gru_b4,lstmp_b8,lstm_b16,gru_b8_w16")
    ap.add_argument("--family", default="xcup")
    ap.add_argument("--ecp5", default="", help="a design to place and route on ECP5-85F")
    ap.add_argument("--freq", type=float, default=150.0)
    ap.add_argument("--seeds", type=int, default=1,
                    help="place and route the ECP5 design with seeds 1..N and report each and the median "
                         "(placement moves fmax by several per cent)")
    ap.add_argument("--workdir", default="")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="ernn-synth-")
    os.makedirs(workdir, exist_ok=True)
    results = []
    for name in [n for n in args.designs.split(",") if n]:
        for fam in args.family.split(","):
            r = compare(name, fam, workdir)
            print_row(r)
            results.append(r)
            sys.stdout.flush()
    if results:
        print("\n== summary: estimate / yosys")
        print(f"   {'design':14s}{'family':>7s}" + "".join(f"{m:>16s}" for m in METRICS))
        for r in results:
            print(f"   {r['design']:14s}{r['family']:>7s}" + "".join(
                f"{r['estimate'][m]:>7d}/{r['yosys'][m]:<7d}{ratio(r['estimate'][m], r['yosys'][m]):>2s}"
                for m in METRICS))
    if args.ecp5:
        view, rtl, _ = design(args.ecp5, "ecp5-85f")
        d = os.path.join(workdir, f"{args.ecp5}_ecp5")
        write_project([(view, rtl)], d)
        runs = [ecp5(d, freq_mhz=args.freq, seed=k) for k in range(1, args.seeds + 1)]
        e = runs[0]
        fmaxes = [r.fmax_mhz for r in runs]
        print(f"\n== {args.ecp5} on ECP5-85F (synth_ecp5 {e.synth_seconds:.0f} s, nextpnr {e.pnr_seconds:.0f} s)")
        print(f"   fmax {statistics.median(fmaxes):.1f} MHz median of {len(runs)} seed(s) "
              f"({', '.join(f'{f:.1f}' for f in fmaxes)}; target {args.freq:g})")
        print(f"   period {view.schedule.period} cycles per step: "
              f"{statistics.median(fmaxes) / view.schedule.period:.2f} M steps/s at the median fmax")
        print(f"   LUT4 {e.lut4}, FF {e.ff}, MULT18X18D {e.mult18}, DP16KD {e.dp16kd}")
        for k, (u, a) in sorted(e.utilisation.items()):
            if u:
                print(f"   {k:14s}{u:>8d} / {a:<8d} {100 * u / a:5.1f} %")
        if e.critical_path:
            print(f"   critical path: {e.critical_path[0]} -> {e.critical_path[-1]} ({len(e.critical_path)} nets)")
        results.append({"design": args.ecp5, "family": "ecp5", "fmax_mhz": statistics.median(fmaxes),
                        "fmax_by_seed": fmaxes, "period": view.schedule.period, "lut4": e.lut4, "ff": e.ff,
                        "mult18": e.mult18, "dp16kd": e.dp16kd, "critical_path": e.critical_path,
                        "utilisation": e.utilisation})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
