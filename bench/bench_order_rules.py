"""The MAC array's ordering rules side by side: the period each gives, and the one the scheduler keeps.

    python bench/bench_order_rules.py [--quick]

`schedule.build_schedule` times every rule of `schedule.ORDER_RULES` and
keeps the shortest period (the first rule on a tie).  This prints, for each
design, the period under each rule and the ratio of the kept one to the
first rule's (the only rule before 2026-12-02):

- the Google LSTM and GRU of the brief at b = 4, 8, 16 (12-bit weights,
  16-bit data) at the fastest plan on the KU060 (the planner's array,
  sized by the kept rule), with 1 and 2 streams;
- small random LSTMs, LSTMPs and GRUs (both forms) at b = 2 to 16 on fixed
  arrays, 1 and 2 streams, tallied: how often each rule is the shortest.

Periods are exact (the static schedule; the Verilog simulations equal them).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "test", "unit", "hardware"))

from bench_planning import google  # noqa: E402
from hw_models import quantized, step_graph  # noqa: E402

from ernn_ir.hardware.devices import load_device  # noqa: E402
from ernn_ir.hardware.plan import FAST, PlanRequest, auto_config, plan  # noqa: E402
from ernn_ir.hardware.schedule import ORDER_RULES, schedule_with_rule  # noqa: E402

CLOCK = 200.0


def periods(g, cfg) -> dict[str, int]:
    return {r: schedule_with_rule(g, cfg, r).period for r in ORDER_RULES}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="the b = 8 Google models and fewer small designs")
    a = ap.parse_args()
    dev = load_device("ku060")
    head = "  ".join(f"{r:>21}" for r in ORDER_RULES)
    print(f"== fastest KU060 plan (200 MHz): cycles per period under each rule\n"
          f" model        b  S  lanes   {head}   kept / in-step-first")
    for kind, b, S in itertools.product(("lstm", "gru"), (8,) if a.quick else (4, 8, 16), (1, 2)):
        g = google(kind, b, S)
        t0 = time.perf_counter()
        p = plan(g, PlanRequest(dev, CLOCK, streams=S))
        dt = time.perf_counter() - t0
        per = periods(g, p.config)
        cells = "  ".join(f"{per[r]:>21}" for r in ORDER_RULES)
        c = p.config
        print(f" google_{kind:<5} {b:>2}  {S}  {c.row_lanes:>2}x{c.col_lanes:<3}  {cells}   "
              f"{p.period / per[ORDER_RULES[0]]:.3f}  (planned in {dt:.1f} s)")

    print("\n== small random designs on fixed arrays: which rule is shortest")
    fams = [("lstm", {}), ("lstm", {"peepholes": True}), ("lstmp", {"peepholes": True}),
            ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]
    blocks = (4, 8) if a.quick else (2, 4, 8, 16)
    wins = {r: 0 for r in ORDER_RULES}
    n = better = 0
    gain = []
    for (kind, extra), b, S in itertools.product(fams, blocks, (1, 2)):
        H = max(4 * b, 16)
        ex = dict(extra)
        if kind == "lstmp":
            ex["proj_size"] = H // 2
        g = step_graph(quantized("gru" if kind == "gru" else "lstm", 3 * b + 1, H, b, ex, T=3, batch=S))
        for rows, cols in ((1, 1), (2, 1), (3, 2), (4, 2)):
            per = periods(g, auto_config(g, PlanRequest(dev, CLOCK, streams=S), rows, cols, FAST))
            best = min(per.values())
            for r in ORDER_RULES:
                wins[r] += per[r] == best
            n += 1
            if best < per[ORDER_RULES[0]]:
                better += 1
                gain.append(per[ORDER_RULES[0]] / best)
    print(f"  {n} designs; shortest (ties count for each): " + ", ".join(f"{r} {wins[r]}" for r in ORDER_RULES))
    if gain:
        gain.sort()
        print(f"  shorter than in-step-first alone: {better} of {n}; period ratio in-step-first / kept: "
              f"median {gain[len(gain) // 2]:.3f}, max {gain[-1]:.3f}")
    else:
        print(f"  shorter than in-step-first alone: 0 of {n}")


if __name__ == "__main__":
    main()
