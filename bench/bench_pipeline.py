"""The optimizing pipeline on the Google LSTM of the brief (153-1024-512, peepholes, b = 8).

    python bench/bench_pipeline.py [--reps 5] [--frames 100]

Prints the time of each pass and of the whole `ernn-pipeline` (model level to
quantized, fused frequency level; median of --reps, in process, one BLAS
thread), then the op-count table before fusion and after the pipeline, with
the ratios the fusion buys.  Target: whole pipeline under 3 s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from ernn_ir.analysis.op_count import count_ops, format_report  # noqa: E402
from ernn_ir.builder import build_module, module_to_text, parse_module_text  # noqa: E402
from ernn_ir.models import random_lstm  # noqa: E402
from ernn_ir.passes.pipeline import PipelinePass  # noqa: E402
from ernn_ir.registry import make_context  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--frames", type=int, default=100)
    a = ap.parse_args()

    text = module_to_text(
        build_module([random_lstm(153, 1024, 8, proj_size=512, peepholes=True)], a.frames)
    )
    ctx = make_context()
    stages = PipelinePass().stages()
    per_stage: dict[str, list[float]] = {s.name: [] for s in stages}
    totals, parse_times = [], []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        module = parse_module_text(text)
        t1 = time.perf_counter()
        parse_times.append(t1 - t0)
        for s in stages:
            t = time.perf_counter()
            with contextlib.redirect_stderr(io.StringIO()):  # the stages' own reports
                s.apply(ctx, module)
            per_stage[s.name].append(time.perf_counter() - t)
        module.verify()
        totals.append(time.perf_counter() - t1)

    print(f"Google LSTM b=8, T={a.frames}: ernn-pipeline, median of {a.reps} (one BLAS thread)")
    print(f"  {'parse + verify (not in the pipeline)':<40} {statistics.median(parse_times) * 1e3:9.1f} ms")
    for name, ts in per_stage.items():
        print(f"  {name:<40} {statistics.median(ts) * 1e3:9.1f} ms")
    med = statistics.median(totals)
    print(f"  {'whole pipeline':<40} {med * 1e3:9.1f} ms   (target < 3000 ms: {'met' if med < 3 else 'NOT met'})")

    naive = parse_module_text(text)
    for s in stages[:2]:  # expand cells, circulant to FFT
        s.apply(ctx, naive)
    before = count_ops(naive)
    after = count_ops(module)
    print()
    print(format_report(before, "before fusion (ernn-expand-cells, ernn-circulant-to-fft)"))
    print()
    print(format_report(after, "after ernn-pipeline"))
    print()
    b, f = before.per_step, after.per_step
    print("fusion ratios per frame")
    print(f"  input rFFTs   {b.rfft_input:>8,} -> {f.rfft_input:>5,}   ({b.rfft_input / max(f.rfft_input, 1):.1f}x fewer)")
    print(f"  IRFFTs        {b.irfft:>8,} -> {f.irfft:>5,}   ({b.irfft / max(f.irfft, 1):.1f}x fewer)")
    print(f"  weight rFFTs  {b.rfft_weight:>8,} -> {f.rfft_weight:>5,}   (precomputed)")


if __name__ == "__main__":
    main()
