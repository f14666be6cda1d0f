"""Foundation benchmark: IR text round trip and the reference interpreter vs PyTorch.

    python bench/bench_foundation.py [--frames N] [--reps R] [--quick]

Measures, side by side in one process, medians over R repetitions of
(1) ernn-opt-equivalent parse + verify + print of the Google LSTM at b = 8
    (153 inputs, 1024 cells, 512 projection, peepholes), and the real
    `ernn-opt file.mlir -o /dev/null` CLI (with Python start-up);
(2) the reference run of that model on N frames in float32, one thread,
    against PyTorch's dense `nn.LSTM(153, 1024, proj_size=512)` on the same
    frames (target: ernn-ir >= 2x faster), with multiply counts per frame;
(3) `bench_lowered()`: the reference on cell-expanded, FFT-lowered IR, when
    the passes `ernn-expand-cells` and `ernn-circulant-to-fft` exist.

Everything runs on one thread: the thread-count variables are set before
numpy is imported.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

try:
    from threadpoolctl import threadpool_limits  # noqa: E402

    _POOL = threadpool_limits(1)
except ImportError:  # pragma: no cover
    _POOL = None

from ernn_ir.builder import build_module, module_to_text  # noqa: E402
from ernn_ir.diagnostics import parse_located, verify_located  # noqa: E402
from ernn_ir.lowering.reference import Reference  # noqa: E402
from ernn_ir.model_spec import LstmSpec  # noqa: E402
from ernn_ir.models import random_lstm  # noqa: E402
from ernn_ir.registry import make_context  # noqa: E402

N_IN, HIDDEN, PROJ, BLOCK = 153, 1024, 512, 8


def median_time(fn, reps: int) -> float:
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def fmt_s(t: float) -> str:
    if t >= 1.0:
        return f"{t:8.3f} s "
    return f"{t * 1e3:8.2f} ms"


def table(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n== {title}")
    w = max(len(r[0]) for r in rows)
    for name, val in rows:
        print(f"  {name:<{w}}  {val}")


# ---------------------------------------------------------------- (1) text round trip


def bench_text(spec: LstmSpec, frames: int, reps: int, cli_reps: int) -> None:
    module = build_module([spec], seq_len=frames, batch=1)
    text = module_to_text(module)

    def parse_verify():
        located = parse_located(make_context(), text, "google_lstm.mlir")
        verify_located(located)
        return located.module

    parsed = parse_verify()
    assert module_to_text(parsed) == text, "print(parse(text)) must reproduce the text"

    t_parse, t_print, t_both = [], [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        m = parse_verify()
        t1 = time.perf_counter()
        module_to_text(m)
        t2 = time.perf_counter()
        t_parse.append(t1 - t0)
        t_print.append(t2 - t1)
        t_both.append(t2 - t0)
    rows = [
        ("IR text size", f"{len(text) / 1e6:.2f} MB ({spec.w_x.params.size + spec.w_h.params.size + spec.w_proj.params.size:,} circulant parameters)"),
        ("parse + verify (parse_located + verify_located)", fmt_s(statistics.median(t_parse))),
        ("print (module_to_text)", fmt_s(statistics.median(t_print))),
        ("parse + verify + print", fmt_s(statistics.median(t_both))),
    ]
    exe = shutil.which("ernn-opt")
    if exe is None:
        rows.append(("ernn-opt CLI", "not on PATH"))
    else:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "google_lstm.mlir")
            with open(path, "w") as f:
                f.write(text)

            def cli():
                subprocess.run([exe, path, "-o", os.devnull], check=True)

            def startup():
                subprocess.run([exe, "--help"], check=True, stdout=subprocess.DEVNULL)

            t_cli = median_time(cli, cli_reps)
            t_start = median_time(startup, cli_reps)
        rows.append((f"ernn-opt file.mlir -o /dev/null (CLI, {cli_reps} reps)", fmt_s(t_cli)))
        rows.append(("ernn-opt --help (start-up only)", fmt_s(t_start)))
        rows.append(("CLI minus start-up", fmt_s(t_cli - t_start)))
    table(f"(1) Google LSTM b={BLOCK} IR text round trip (T={frames}), median of {reps}", rows)


# ---------------------------------------------------------------- (2) reference vs PyTorch


def multiply_counts(spec: LstmSpec) -> dict[str, int]:
    """Real multiplies per frame for the matvecs (element-wise work excluded)."""
    H, N, R, b = spec.hidden_size, spec.input_size, spec.output_size, spec.w_x.block
    P = spec.proj_size or 0
    dense = 4 * H * N + 4 * H * R + P * H
    blocks = spec.w_x.params.shape[0] * spec.w_x.params.shape[1] + spec.w_h.params.shape[0] * spec.w_h.params.shape[1]
    if spec.w_proj is not None:
        blocks += spec.w_proj.params.shape[0] * spec.w_proj.params.shape[1]
    K = b // 2 + 1
    real_bins = 2 if b > 1 else 1
    cplx_bins = K - real_bins
    return {
        "dense": dense,
        "blocks": blocks,
        "fft_4mult": blocks * (real_bins + 4 * cplx_bins),
        "fft_3mult": blocks * (real_bins + 3 * cplx_bins),
        "reference_complex_matmul": blocks * K * 4,  # the reference multiplies all K bins as complex
        "rffts": spec.w_x.params.shape[1] + spec.w_h.params.shape[1] + (spec.w_proj.params.shape[1] if spec.w_proj is not None else 0),
        "irffts": spec.w_h.params.shape[0] + (spec.w_proj.params.shape[0] if spec.w_proj is not None else 0),
    }


def bench_reference(spec: LstmSpec, frames: int, reps: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((frames, 1, N_IN)).astype(np.float32)
    module = build_module([spec], seq_len=frames, batch=1, dtype="f32")
    ref = Reference(module)
    y = ref.run([x]).outputs[0]
    assert y.shape == (frames, 1, PROJ) and y.dtype == np.float32 and np.all(np.isfinite(y))

    try:
        import torch
    except ImportError:
        torch = None
    t_warm, t_cold, t_torch = [], [], []
    if torch is not None:
        torch.set_num_threads(1)
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(N_IN, HIDDEN, proj_size=PROJ).eval()
        xt = torch.from_numpy(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "LSTM with projections is not supported with oneDNN"
            with torch.no_grad():
                lstm(xt)  # warm-up
    for _ in range(reps):  # interleaved, side by side
        t0 = time.perf_counter()
        ref.run([x])
        t_warm.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        Reference(module).run([x])  # decodes constants and weight spectra again
        t_cold.append(time.perf_counter() - t0)
        if torch is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with torch.no_grad():
                    t0 = time.perf_counter()
                    lstm(xt)
                    t_torch.append(time.perf_counter() - t0)
    warm, cold = statistics.median(t_warm), statistics.median(t_cold)
    rows = [
        ("ernn-ir reference, ernn.lstm (Reference reused)", f"{fmt_s(warm)}  ({warm / frames * 1e6:7.1f} us/frame)"),
        ("ernn-ir reference, fresh Reference (incl. spectra)", f"{fmt_s(cold)}  ({cold / frames * 1e6:7.1f} us/frame)"),
    ]
    if torch is not None:
        tt = statistics.median(t_torch)
        rows += [
            (f"PyTorch {torch.__version__} nn.LSTM(153, 1024, proj_size=512), dense", f"{fmt_s(tt)}  ({tt / frames * 1e6:7.1f} us/frame)"),
            ("ratio torch / ernn-ir (reused)  [target >= 2]", f"{tt / warm:6.2f}x"),
            ("ratio torch / ernn-ir (fresh)", f"{tt / cold:6.2f}x"),
        ]
    else:
        rows.append(("PyTorch", "not installed (pip install torch==2.13.0)"))
    table(f"(2) Google LSTM b={BLOCK}, {frames} frames, float32, one thread, median of {reps}", rows)

    c = multiply_counts(spec)
    rows = [
        ("dense matvec MACs (4H*N + 4H*R + P*H)", f"{c['dense']:>10,}"),
        (f"circulant blocks (b={BLOCK})", f"{c['blocks']:>10,}"),
        ("FFT path, 2 real + 3 complex bins, 4-mult complex", f"{c['fft_4mult']:>10,}  (dense / this = {c['dense'] / c['fft_4mult']:.2f}x)"),
        ("FFT path, 3-mult complex (the physical limit)", f"{c['fft_3mult']:>10,}  (dense / this = {c['dense'] / c['fft_3mult']:.2f}x)"),
        ("reference as run: all 5 bins as complex (4 mult)", f"{c['reference_complex_matmul']:>10,}  (dense / this = {c['dense'] / c['reference_complex_matmul']:.2f}x)"),
        ("rFFTs / IRFFTs per frame (after fusion)", f"{c['rffts']} / {c['irffts']}"),
    ]
    table("multiplies per frame (matvecs only)", rows)
    print(
        "  note: the reference computes the input-to-gate products of all frames in one batched\n"
        "  matmul (per bin, complex), so only the recurrent and projection products run per step;\n"
        "  PyTorch also batches the input products. The dense/FFT multiply ratio bounds the speed-up\n"
        "  the FFT path can give; FFTs, complex packing and per-step Python overhead eat into it."
    )


# ---------------------------------------------------------------- (3) lowered IR


LOWERING = ["ernn-expand-cells", "ernn-circulant-to-fft"]
FUSED = [*LOWERING, "ernn-fft-fusion", "ernn-weight-sharing"]


def bench_lowered(spec: LstmSpec, frames: int, reps: int) -> None:
    """The reference on lowered IR against the model-level op, same frames, same run.

    Two lowerings: the naive per-block FFT form (ernn-expand-cells,
    ernn-circulant-to-fft) and the fully lowered frequency level
    (+ ernn-fft-fusion, ernn-weight-sharing).
    """
    from ernn_ir.passes import PASSES

    rng = np.random.default_rng(1)
    x = rng.standard_normal((frames, 1, N_IN)).astype(np.float32)
    model = build_module([spec], seq_len=frames, batch=1, dtype="f32")
    ref_m = Reference(model)
    y_m = ref_m.run([x]).outputs[0].astype(np.float64)
    t_m = median_time(lambda: ref_m.run([x]), reps)
    rows = [("model-level ernn.lstm", fmt_s(t_m))]
    for label, names in (("naive FFT form", LOWERING), ("fused frequency level", FUSED)):
        lowered = build_module([spec], seq_len=frames, batch=1, dtype="f32")
        ctx = make_context()
        t0 = time.perf_counter()
        for name in names:
            PASSES[name]()().apply(ctx, lowered)
        lowered.verify()
        t_passes = time.perf_counter() - t0
        ref_l = Reference(lowered)
        err = float(np.max(np.abs(y_m - ref_l.run([x]).outputs[0].astype(np.float64))))
        t_l = median_time(lambda: ref_l.run([x]), reps)
        rows += [
            (f"{label}: passes", fmt_s(t_passes)),
            (f"{label}: reference", fmt_s(t_l)),
            (f"{label}: slowdown vs model level", f"{t_l / t_m:6.1f}x"),
            (f"{label}: max |difference| of outputs", f"{err:.2e}"),
        ]
    table(f"(3) lowered IR, {frames} frames, median of {reps}", rows)


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=100, help="time steps of the reference run (default 100)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per measurement (default 5)")
    ap.add_argument("--quick", action="store_true", help="fewer frames and CLI runs (< 30 s)")
    args = ap.parse_args(argv)
    frames, reps = args.frames, max(1, args.reps)
    cli_reps = reps
    lowered_frames = 10
    if args.quick:
        frames, cli_reps, lowered_frames = min(frames, 20), min(reps, 2), 3

    t_start = time.perf_counter()
    try:
        import torch

        torch.set_num_threads(1)
        tv = torch.__version__
    except ImportError:
        tv = "not installed"
    print(f"ernn-ir foundation benchmark  (python {platform.python_version()}, numpy {np.__version__}, torch {tv})")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPU cores visible; ONE thread used "
        f"(OMP/OPENBLAS/MKL_NUM_THREADS=1{', threadpoolctl' if _POOL is not None else ''}, torch.set_num_threads(1))"
    )
    spec = random_lstm(N_IN, HIDDEN, BLOCK, proj_size=PROJ, peepholes=True)
    bench_text(spec, 100, reps, cli_reps)
    bench_reference(spec, frames, reps)
    bench_lowered(spec, lowered_frames, reps)
    print(f"\ntotal {time.perf_counter() - t_start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
