"""The cost report of a tiled design: cycles, rate, resources, multiplier utilisation, where cycles go.

Every cycle figure comes from the design's static schedule (exact: the RTL
replays it); resource figures are the estimates of `resources.py`.
"""

from __future__ import annotations

import math

from ernn_ir.hardware.design_view import DesignView
from ernn_ir.hardware.resources import estimate
from ernn_ir.hardware.schedule import MAC, mac_lane_multipliers


def multiplies_per_step(view: DesignView, cmul: int) -> int:
    """Real multiplies of one time step of one sequence (bins 0 and b/2 real, the others complex)."""
    g = view.graph
    return g.total_blocks * mac_lane_multipliers(g.block, cmul)


def design_report(view: DesignView) -> dict:
    g, sch, cfg = view.graph, view.schedule, view.config
    P = sch.period
    S = cfg.streams
    T = g.steps
    res = estimate(sch, view.device, view.copies)
    lanes = cfg.row_lanes * cfg.col_lanes
    mults = res.mac_multipliers
    work = multiplies_per_step(view, cfg.cmul) * S
    work3 = multiplies_per_step(view, 3) * S
    seq = sch.sequence_cycles()
    clock = view.clock_mhz
    steps_per_s = S * clock * 1e6 / P
    dev = view.device
    roofline = math.ceil(work3 / dev.dsp) if dev.dsp else 0
    unit_rows = []
    for u in sorted(sch.orders, key=lambda u: (u != MAC, u)):
        busy = sch.unit_busy(u)
        unit_rows.append({"unit": u, "busy": busy, "wait": P - busy, "busy_fraction": busy / P})
    return {
        "design": view.design.sym_name.data,
        "device": dev.name,
        "clock_mhz": clock,
        "streams": S,
        "steps": T,
        "block": g.block,
        "period_cycles": P,
        "cycles_per_step": P / S,
        "sequence_cycles": seq,
        "fill_drain_cycles": seq - T * P,
        "steps_per_second": steps_per_s,
        "step_latency_cycles": sch.output_done - min(it.offset for it in sch.items),
        "mac": {
            "rows": cfg.row_lanes, "cols": cfg.col_lanes, "lanes": lanes, "cmul": cfg.cmul,
            "multipliers": mults, "instructions_per_period": sch.mac_instructions,
            "multiplies_per_period": work,
            "utilisation": work / (mults * P),
        },
        "physical_limit": {
            "multiplies_per_step_3mult": multiplies_per_step(view, 3),
            "device_dsp": dev.dsp,
            "roofline_cycles_per_period": roofline,
            "fraction_of_roofline": roofline / P if P else 0.0,
        },
        "resources": {
            "dsp": res.dsp,
            "mac_multipliers": res.mac_multipliers, "ew_multipliers": res.ew_multipliers,
            "bram18": res.bram18, "lut": res.lut, "ff": res.ff,
            "device": {"dsp": dev.dsp, "bram18": dev.bram18, "lut": dev.lut, "ff": dev.ff},
            "breakdown": res.breakdown,
            "memories": [
                {"name": m.name, "kind": m.kind, "banks": m.banks, "depth": m.depth, "width": m.width,
                 "copies": m.copies, "bram18": m.bram18}
                for m in res.memories
            ],
        },
        "units": unit_rows,
    }


def format_report(r: dict) -> str:
    m, ph, res = r["mac"], r["physical_limit"], r["resources"]
    dv = res["device"]
    lines = [
        f"ernn-hw-report: @{r['design']} on {r['device']} at {r['clock_mhz']:g} MHz, "
        f"{r['streams']} stream(s), b = {r['block']}",
        f"  period (one step of every stream)  {r['period_cycles']:,} cycles",
        f"  sequence of {r['steps']} steps            {r['sequence_cycles']:,} cycles "
        f"({r['steps']} x {r['period_cycles']:,} + {r['fill_drain_cycles']:,} fill/drain)",
        f"  latency of one step                {r['step_latency_cycles']:,} cycles",
        f"  throughput                         {r['steps_per_second']:,.0f} steps/s",
        f"  MAC array                          {m['rows']} x {m['cols']} lanes, {m['multipliers']:,} "
        f"multipliers (cmul {m['cmul']}), {m['instructions_per_period']:,} instructions per period",
        f"  MAC utilisation                    {100 * m['utilisation']:.1f} % "
        f"({m['multiplies_per_period']:,} multiplies / ({m['multipliers']:,} x {r['period_cycles']:,} cycles))",
        f"  device roofline                    {ph['roofline_cycles_per_period']:,} cycles per period with all "
        f"{ph['device_dsp']:,} DSPs busy ({ph['multiplies_per_step_3mult']:,} multiplies per step, 3-mult); "
        f"this design runs at {100 * ph['fraction_of_roofline']:.1f} % of it",
        f"  DSP {res['dsp']:,}/{dv['dsp']:,} ({res['mac_multipliers']:,} MAC + {res['ew_multipliers']:,} "
        f"element-wise multipliers)   BRAM18 {res['bram18']:,}/{dv['bram18']:,}   "
        f"LUT {res['lut']:,}/{dv['lut']:,}   FF {res['ff']:,}/{dv['ff']:,}",
        "  unit          busy   wait  (cycles per period)",
    ]
    for u in r["units"]:
        lines.append(f"  {u['unit']:<12} {u['busy']:>6} {u['wait']:>6}  {100 * u['busy_fraction']:5.1f} % busy")
    return "\n".join(lines) + "\n"
