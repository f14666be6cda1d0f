"""SQNR of the Google LSTM through ernn-pipeline at every data and weight width.

    python bench/bench_quant_widths.py [--frames 20] [--data 8,10,12,16] [--weights 8-16] [--digits]

Model: the weights of examples/google_lstm_b8.mlir (LSTMP 153-1024-512,
peepholes, b = 8), run over `--frames` frames (the example's 100 frames
would only make every run slower).  For each data width (ernn-pipeline's
data-bits: inputs, activations, cell state) and weight width (weight-bits),
the float pipeline output (fused FFT form, 32-segment PWL activations) is
quantized twice: from the range analysis alone ("static") and with
calibration on 4 random input sets ("calibrated", the pipeline's
calibrate=4).  The SQNR is measured against the float model with exact
sigmoid/tanh on a separate standard-normal input sequence, with the overflow
events of that run; the first line gives the ceiling the PWL tables set.
Accumulators stay 32 bits, spectra 24 bits (the pipeline's defaults).

`--digits` also prints the test accuracy of the trained digits LSTM and GRU
(examples/digits_*_b8.mlir, 450 test sequences) at each data width, with
weight-bits equal to data-bits, static and calibrated (needs scikit-learn
and PyTorch for the data set; a few minutes).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import contextlib  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from ernn_ir.builder import build_module, parse_module_text  # noqa: E402
from ernn_ir.dialects import ernn  # noqa: E402
from ernn_ir.dialects.ernn.checks import dense_to_numpy  # noqa: E402
from ernn_ir.lowering.reference import Reference  # noqa: E402
from ernn_ir.model_spec import CirculantWeight, LstmSpec  # noqa: E402
from ernn_ir.passes.pipeline import PipelinePass  # noqa: E402
from ernn_ir.registry import make_context  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "google_lstm_b8.mlir"
CALIBRATION_SETS = 4


def example_spec(path: Path) -> LstmSpec:
    """The LSTM layer of the example file, weights as stored (f32 values)."""
    module = parse_module_text(path.read_text(), str(path))
    (op,) = [o for o in module.walk() if isinstance(o, ernn.LstmOp)]

    def values(v):
        src = v.owner
        attr = src.params if isinstance(src, ernn.CirculantOp) else src.value
        return np.asarray(dense_to_numpy(attr), np.float64)

    def circ(v):
        t = v.type
        return CirculantWeight(t.rows.data, t.cols.data, values(v).reshape(t.param_shape))

    return LstmSpec(
        input_size=op.input.type.get_shape()[-1],
        hidden_size=op.hidden_size,
        w_x=circ(op.w_x),
        w_h=circ(op.w_h),
        bias=None if op.bias is None else values(op.bias),
        peephole=None if op.peephole is None else values(op.peephole).reshape(3, -1),
        w_proj=None if op.proj is None else circ(op.proj),
    )


def sqnr(ref: np.ndarray, y: np.ndarray) -> float:
    noise = float(np.sum((ref - y) ** 2))
    return math.inf if noise == 0 else 10 * math.log10(float(np.sum(ref**2)) / noise)


def widths(text: str) -> list[int]:
    if "-" in text:
        lo, hi = (int(t) for t in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(t) for t in text.split(",")]


def digits_accuracy(data_widths: list[int]) -> None:
    from ernn_ir.frontend.tasks import load_digits_task

    task = load_digits_task(seed=0)  # the split the examples were trained on
    X, Y = task.x_test.numpy(), task.y_test.numpy()

    def accuracy(module) -> float:
        ref = Reference(module)
        hits = sum(int(np.argmax(ref.run([X[:, i : i + 1]]).as_float()[0]) == Y[i]) for i in range(X.shape[1]))
        return 100.0 * hits / X.shape[1]

    print(f"\ndigits task, {X.shape[1]} test sequences: accuracy % (weight-bits = data-bits)")
    print(f"{'model':<6} {'float':>7}" + "".join(f"{f'{d} static':>11}{f'{d} calib.':>11}" for d in data_widths))
    for kind in ("lstm", "gru"):
        path = EXAMPLE.parent / f"digits_{kind}_b8.mlir"
        text = path.read_text()
        cells = [f"{accuracy(parse_module_text(text, str(path))):7.1f}"]
        for d in data_widths:
            for calibrate in (0, CALIBRATION_SETS):
                m = parse_module_text(text, str(path))
                with contextlib.redirect_stderr(io.StringIO()):
                    PipelinePass(weight_bits=d, data_bits=d, calibrate=calibrate).apply(make_context(), m)
                cells.append(f"{accuracy(m):11.1f}")
        print(f"{kind:<6} " + "".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--data", default="8,10,12,16", help="data widths, e.g. 8,10,12,16 or 8-16")
    ap.add_argument("--weights", default="8-16", help="weight widths, e.g. 8-16 or 12,16")
    ap.add_argument("--seed", type=int, default=1, help="seed of the evaluation input")
    ap.add_argument("--digits", action="store_true", help="also the digits task's accuracy per data width")
    args = ap.parse_args()
    t_start = time.perf_counter()
    spec = example_spec(EXAMPLE)
    frames = args.frames
    x = np.random.default_rng(args.seed).standard_normal((frames, 1, spec.input_size))
    exact = Reference(build_module([spec], frames)).run([x]).as_float()[0].astype(np.float64)

    # The float stages once; each width quantizes a copy.
    ctx = make_context()
    float_pwl = build_module([spec], frames)
    *float_stages, _ = PipelinePass().stages()
    with contextlib.redirect_stderr(io.StringIO()):
        for stage in float_stages:
            stage.apply(ctx, float_pwl)
    pwl_ceiling = sqnr(exact, Reference(float_pwl).run([x]).as_float()[0].astype(np.float64))

    data_widths, weight_widths = widths(args.data), widths(args.weights)
    rows: dict[tuple[int, str], list[str]] = {}
    quantize_time = 0.0
    for d in data_widths:
        for mode, calibrate in (("static", 0), ("calibrated", CALIBRATION_SETS)):
            cells = []
            for w in weight_widths:
                q = float_pwl.clone()
                stage = PipelinePass(weight_bits=w, data_bits=d, calibrate=calibrate).stages()[-1]
                t = time.perf_counter()
                with contextlib.redirect_stderr(io.StringIO()):
                    stage.apply(ctx, q)
                quantize_time += time.perf_counter() - t
                res = Reference(q).run([x])
                events = sum(n for _, n in res.events)
                cell = f"{sqnr(exact, res.as_float()[0].astype(np.float64)):5.1f}"
                cells.append(cell + (f" ({events})" if events else ""))
            rows[(d, mode)] = cells
    n_runs = len(data_widths) * 2 * len(weight_widths)

    print(
        f"Google LSTM (weights of examples/google_lstm_b8.mlir: LSTMP 153-1024-512, peepholes, b = 8), "
        f"{frames} frames, ernn-pipeline"
    )
    print("SQNR in dB against the float model with exact sigmoid/tanh (overflow events in parentheses, if any)")
    print(f"ceiling set by the 32-segment PWL tables (float): {pwl_ceiling:.1f} dB")
    head = "data bits  formats     " + "".join(f"{f'w={w}':>10}" for w in weight_widths)
    print(head)
    print("-" * len(head))
    for d in data_widths:
        for mode in ("static", "calibrated"):
            print(f"{d:>9}  {mode:<11} " + "".join(f"{c:>10}" for c in rows[(d, mode)]))
    print(
        f"({n_runs} quantizations, {quantize_time / n_runs:.2f} s each on average incl. range analysis "
        f"and calibration; total {time.perf_counter() - t_start:.0f} s, one BLAS thread)"
    )
    if args.digits:
        digits_accuracy(data_widths)


if __name__ == "__main__":
    main()
