"""SQNR of the quantized Google LSTM against float, at 12- and 16-bit weights.

    python bench/bench_sqnr.py [--frames 20] [--seed 0]

Model: random_lstm(153, 1024, 8, proj_size=512, peepholes=True), standard-normal
input frames.  Other formats: the ernn-quantize defaults (16-bit data path,
32-bit accumulators, 24-bit spectra).  Levels: gate level (after
ernn-expand-cells) and, when registered, the fused frequency level
(ernn-circulant-to-fft, ernn-fft-fusion, ernn-weight-sharing).  Also times the
fixed-point reference against the float reference on the same frames.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np

from ernn_ir.builder import build_module
from ernn_ir.lowering.reference import Reference
from ernn_ir.models import random_lstm
from ernn_ir.passes import PASSES
from ernn_ir.passes.quantize import quantize_module
from ernn_ir.registry import make_context

FUSED = ["ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion", "ernn-weight-sharing"]
LEVELS = {
    "gate": ["ernn-expand-cells"],
    "fft-fused": FUSED,
    # What ernn-pipeline builds: fused, and sigmoid/tanh as 32-segment PWL tables.
    "fused+pwl": [*FUSED, "ernn-approximate-activations"],
}


def lower(spec, frames: int, names: list[str]):
    m = build_module([spec], frames)
    ctx = make_context()
    for n in names:
        PASSES[n]()().apply(ctx, m)
    return m


def timed_run(module, x, reps: int):
    """The result and the median wall time of `reps` runs (after one warm-up run)."""
    ref = Reference(module)
    res = ref.run([x])  # warm (constant decoding)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        res = ref.run([x])
        times.append(time.perf_counter() - t)
    return res, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=5, help="timed runs per model (median)")
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--proj", type=int, default=512)
    args = ap.parse_args()
    spec = random_lstm(153, args.hidden, 8, proj_size=args.proj, peepholes=True, seed=args.seed)
    x = np.random.default_rng(args.seed + 1).standard_normal((args.frames, 1, 153))
    # SQNR is measured against the float model with exact activations.
    exact = Reference(build_module([spec], args.frames)).run([x]).as_float()[0]
    rows = []
    for level, names in LEVELS.items():
        if any(n not in PASSES for n in names):
            print(f"(skipping {level}: {', '.join(n for n in names if n not in PASSES)} not registered)")
            continue
        fm = lower(spec, args.frames, names)
        _, t_float = timed_run(fm, x, args.reps)
        for wb in (16, 12):
            qm = lower(spec, args.frames, names)
            quantize_module(qm, weight_bits=wb)
            qres, t_fixed = timed_run(qm, x, args.reps)
            y = qres.as_float()[0]
            sqnr = 10 * np.log10(np.sum(exact**2) / np.sum((exact - y) ** 2))
            events = sum(n for _, n in qres.events)
            rows.append((level, wb, sqnr, events, t_float, t_fixed))
    print(
        f"Google LSTM 153-{args.hidden}-{args.proj}, b=8, peepholes, {args.frames} frames; "
        f"reference times: median of {args.reps}, one BLAS thread"
    )
    print(f"{'level':<10} {'weights':>7} {'SQNR dB':>8} {'ovf events':>10} {'float s':>8} {'fixed s':>8} {'ratio':>6}")
    print("(SQNR against the float model with exact sigmoid/tanh; times against the float IR of the same level)")
    for level, wb, s, ev, tf, tq in rows:
        print(f"{level:<10} {wb:>5}b  {s:>8.2f} {ev:>10} {tf:>8.3f} {tq:>8.3f} {tq / tf:>6.2f}")


if __name__ == "__main__":
    main()
