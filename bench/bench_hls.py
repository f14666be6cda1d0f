"""The HLS C++ backend against hls4ml 1.3, and on the Google LSTM.

    python bench/bench_hls.py [--reps 5] [--no-hls4ml] [--no-google]

(1) The same PyTorch LSTMs (16 -> 32 and 64 -> 128, T = 32, 8 sequences of
    standard-normal frames; weights exactly block-circulant at b = 8 at
    PyTorch's initial scale, so that both tools compile the same function),
    at 16 bits:
    - hls4ml 1.3: `config_from_pytorch_model` (ap_fixed<16,6>, Vivado backend,
      `channels_last_conversion="off"`: its default transposes an RNN's
      (T, n) input), `convert_from_pytorch_model`, `compile()` (its g++
      build), `predict`; dense weights; it returns the last hidden state.
    - ernn-ir: PyTorch import at b = 8 (exact), `ernn-pipeline` at 16-bit
      weights and data, `ernn-tile` (the fastest design that fits a KU060),
      the HLS project of each flavour (ap_fixed; plain integers), g++ -O2,
      C simulation through the Python bridge.
    Convert = everything up to the C++ on disk; g++ = the compile; C-sim
    time per frame = min over `--reps` runs of all 8 x 32 frames, in CPU time
    of this process (the machine is shared: CPU time is what the simulation
    costs; wall time is printed beside it); error = max |y - PyTorch float32|
    over the last hidden state (what hls4ml returns) and over every step.
(2) The Google LSTM (LSTMP 153-1024-512, peepholes, b = 8, 12-bit weights,
    T = 10): ernn-pipeline + ernn-tile time, generation and g++ time per
    flavour, C-sim time per frame, bit-exactness against the reference on the
    10 frames, and the ratio to hls4ml's 45 ms per frame measured on the dense
    model of the same size (the brief, section 5).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from ernn_ir.builder import build_module  # noqa: E402
from ernn_ir.hardware.constants import OuterConstants  # noqa: E402
from ernn_ir.hardware.design_view import accelerators, read_design  # noqa: E402
from ernn_ir.lowering.hls.backend import HlsBackend  # noqa: E402
from ernn_ir.lowering.hls.emit import HlsDesign  # noqa: E402
from ernn_ir.lowering.hls.project import golden_vectors, project_files  # noqa: E402
from ernn_ir.lowering.reference import Reference  # noqa: E402
from ernn_ir.models import random_lstm  # noqa: E402
from ernn_ir.passes.pipeline import PipelinePass  # noqa: E402
from ernn_ir.passes.tile import TilePass  # noqa: E402
from ernn_ir.registry import make_context  # noqa: E402

T, N, BLOCK = 32, 8, 8
HLS4ML_GOOGLE_MS = 45.0  # hls4ml 1.3 C-sim per frame, dense 153 -> 1024 LSTM (brief, section 5)
TORCH_MODELS = [(16, 32), (64, 128)]
GOOGLE_BUILDS = [("int", "-O2", []), ("int", "-O3", []), ("int", "-O3", ["-march=native"]), ("ap", "-O2", [])]


def quiet():
    return contextlib.redirect_stderr(io.StringIO())


def cpu_and_wall(fn, reps: int) -> tuple[float, float]:
    """(min CPU seconds, min wall seconds) of `reps` calls of `fn`."""
    cpu, wall = [], []
    for _ in range(reps):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return min(cpu), min(wall)


# ---------------------------------------------------------------------------------- (1) hls4ml side by side


def circulant_torch_lstm(n: int, h: int, seed: int = 0):
    """nn.LSTM(n, h) (batch first) whose weight matrices are exactly block-circulant at BLOCK, PyTorch's scale."""
    import torch

    from ernn_ir.frontend.projection import expand_circulant

    class Seq(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(n, h, batch_first=True)

        def forward(self, x):
            y, _ = self.rnn(x)
            return y

    model = Seq().eval()
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(h)
    with torch.no_grad():
        for name, p in model.rnn.named_parameters():
            if name.startswith("weight"):
                rows, cols = p.shape
                params = rng.uniform(-k, k, size=(-(-rows // BLOCK), -(-cols // BLOCK), BLOCK))
                p.copy_(torch.as_tensor(expand_circulant(params, rows, cols)))
            else:
                p.copy_(torch.as_tensor(rng.uniform(-k, k, size=p.shape)))
    return model


def run_hls4ml(model, n: int, x: np.ndarray, reps: int, workdir: str) -> dict:
    import hls4ml

    t0 = time.perf_counter()
    cfg = hls4ml.utils.config_from_pytorch_model(model, (T, n), granularity="name", default_precision="ap_fixed<16,6>",
                                                 channels_last_conversion="off")
    with contextlib.redirect_stdout(io.StringIO()):
        hm = hls4ml.converters.convert_from_pytorch_model(model, hls_config=cfg, output_dir=workdir, backend="Vivado")
        hm.write()
        t1 = time.perf_counter()
        hm._compile()  # compile() is write() then this: the g++ build (its build_lib.sh, -O3) and the ctypes load
    t2 = time.perf_counter()
    xc = np.ascontiguousarray(x, dtype=np.float32)
    y = None

    def predict():
        nonlocal y
        with contextlib.redirect_stdout(io.StringIO()):
            y = np.asarray(hm.predict(xc))

    cpu, wall = cpu_and_wall(predict, reps)
    return {"convert": t1 - t0, "compile": t2 - t1, "cpu": cpu / (N * T), "wall": wall / (N * T),
            "last": np.asarray(y).reshape(N, -1), "all": None}


def run_ernn(model, n: int, x: np.ndarray, reps: int, flavour: str, workdir: str) -> dict:
    from ernn_ir.frontend.torch_import import spec_from_torch

    t0 = time.perf_counter()
    spec = spec_from_torch(model.rnn, BLOCK)
    module = build_module(spec, T, batch=N)
    with quiet():
        PipelinePass(weight_bits=16, data_bits=16).apply(make_context(), module)
    TilePass().apply(make_context(), module)
    acc = accelerators(module)[0]
    be = HlsBackend(flavour, workdir=workdir, opt="-O2")
    built = be.build(acc)  # generates the project (timed in generate_seconds), then g++
    convert = time.perf_counter() - t0 - built.build_seconds
    xs = np.ascontiguousarray(np.transpose(x, (1, 0, 2)), dtype=np.float64)  # [T, N, n]
    ref = Reference(module, accelerator_backend=be)
    y = ref.run([xs]).as_float()[0]  # [T, N, h], the accelerator in C simulation
    frames = golden_vectors(module, acc).inputs  # raw frames of the same shape, to time the C++ alone
    cpu, wall = cpu_and_wall(lambda: built.run(frames), reps)
    return {"convert": convert, "compile": built.build_seconds, "cpu": cpu / (N * T), "wall": wall / (N * T),
            "last": y[-1], "all": np.transpose(y, (1, 0, 2))}


def side_by_side(reps: int, with_hls4ml: bool) -> None:
    import torch

    print(f"== (1) the same PyTorch LSTM in hls4ml 1.3 and in ernn-ir's HLS backend, 16 bits, T = {T}, {N} sequences")
    print(f"{'model':<16} {'tool':<28} {'convert s':>9} {'g++ s':>7} {'C-sim us/frame':>14} {'(wall)':>9} "
          f"{'max|err| last':>13} {'all steps':>9}")
    work = tempfile.mkdtemp(prefix="ernn-bench-hls-")
    for n, h in TORCH_MODELS:
        model = circulant_torch_lstm(n, h)
        x = np.random.default_rng(1).standard_normal((N, T, n)).astype(np.float32)
        with torch.no_grad():
            ref = model(torch.as_tensor(x)).numpy()  # [N, T, h] float32
        rows = []
        if with_hls4ml:
            rows.append(("hls4ml 1.3 ap_fixed<16,6>", run_hls4ml(model, n, x, reps, os.path.join(work, f"h_{n}_{h}"))))
        for flavour, label in (("ap", "ernn-ir hls (ap_fixed)"), ("int", "ernn-ir hls-int (integers)")):
            rows.append((label, run_ernn(model, n, x, reps, flavour, os.path.join(work, f"e_{n}_{h}"))))
        for label, r in rows:
            last = np.abs(r["last"] - ref[:, -1, :]).max()
            every = "-" if r["all"] is None else f"{np.abs(r['all'] - ref).max():.4f}"
            print(f"{f'LSTM {n}->{h}':<16} {label:<28} {r['convert']:>9.2f} {r['compile']:>7.1f} "
                  f"{r['cpu'] * 1e6:>14.1f} {r['wall'] * 1e6:>9.1f} {last:>13.4f} {every:>9}")
        if with_hls4ml:
            base = rows[0][1]
            for label, r in rows[1:]:
                print(f"{'':<16} {'  hls4ml / ' + label.split(' (')[0].replace('ernn-ir ', ''):<28} "
                      f"{base['convert'] / r['convert']:>8.1f}x {base['compile'] / r['compile']:>6.1f}x "
                      f"{base['cpu'] / r['cpu']:>13.1f}x")
        dense = 4 * h * (n + h)
        print(f"{'':<16} multiplies per frame: dense {dense:,}, block-circulant b={BLOCK} FFT path "
              f"{_fft_mults(n, h):,} (3-multiply complex products)")
    print("  convert: hls4ml config + convert + write; ernn-ir import + ernn-pipeline + ernn-tile + the C++ project."
          "\n  g++: hls4ml's compile() (its flags); ernn-ir -O2. C-sim: CPU time of the C++ per frame, min over"
          f" {reps} runs of {N} x {T} frames;\n  error: against PyTorch float32 on the same frames (hls4ml returns"
          " the last hidden state only).")


def _fft_mults(n: int, h: int) -> int:
    b = BLOCK
    blocks = (4 * h // b) * (-(-n // b) + -(-h // b))
    return blocks * (2 + 3 * (b // 2 - 1))


# ---------------------------------------------------------------------------------- (2) the Google LSTM


def google(reps: int) -> None:
    steps = 10
    print(f"\n== (2) Google LSTM (LSTMP 153-1024-512, peepholes, b = 8, 12-bit weights), {steps} frames")
    t0 = time.perf_counter()
    module = build_module([random_lstm(153, 1024, 8, proj_size=512, peepholes=True, seed=0)], steps)
    with quiet():
        PipelinePass(weight_bits=12).apply(make_context(), module)
    t1 = time.perf_counter()
    TilePass().apply(make_context(), module)
    t2 = time.perf_counter()
    acc = accelerators(module)[0]
    d = acc.design_op()
    arr = d.mac_array()
    print(f"  ernn-pipeline {t1 - t0:.2f} s, ernn-tile {t2 - t1:.2f} s: MAC array {arr.rows.value.data} x "
          f"{arr.cols.value.data} lanes, {d.period.value.data} cycles per step at {d.clock_mhz.value.data:g} MHz "
          f"on {d.device.data}")
    gold = golden_vectors(module, acc, seed=0)
    print(f"{'flavour':<34} {'generate s':>10} {'g++ s':>7} {'weights.h MB':>12} {'C-sim us/frame':>14} {'(wall)':>9} "
          f"{'vs 45 ms':>9} {'bit-exact':>9}")
    work = tempfile.mkdtemp(prefix="ernn-bench-google-")
    for flavour, opt, extra in GOOGLE_BUILDS:
        t = time.perf_counter()
        files = project_files(HlsDesign(read_design(acc, OuterConstants(module)), flavour))
        gen = time.perf_counter() - t
        be = HlsBackend(flavour, workdir=os.path.join(work, f"{flavour}{opt}"), opt=opt, extra_flags=extra)
        built = be.build(acc)
        out = None

        def run(built=built):
            nonlocal out
            out = built.run(gold.inputs)

        cpu, wall = cpu_and_wall(run, reps)
        exact = all(np.array_equal(a, b) for a, b in zip(out, gold.outputs))
        per = cpu / steps
        label = f"{'hls (ap_fixed)' if flavour == 'ap' else 'hls-int (integers)'} g++ {opt} {' '.join(extra)}"
        print(f"{label:<34} {gen:>10.2f} {built.build_seconds:>7.1f} {len(files['firmware/weights.h']) / 1e6:>12.2f} "
              f"{per * 1e6:>14.1f} {wall / steps * 1e6:>9.1f} {HLS4ML_GOOGLE_MS * 1e-3 / per:>8.0f}x "
              f"{'yes' if exact else 'NO':>9}")
    print("  generate: the step graph, the C++ and the project files from the tiled IR (Python); g++: the shared\n"
          "  library of the Python bridge; C-sim: CPU time per frame, min over"
          f" {reps} runs of the {steps} frames; vs 45 ms: hls4ml's C-sim per frame on the dense model of the same size"
          "\n  (the brief, section 5); bit-exact: every raw output of the 10 frames equals the reference interpreter's.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--no-hls4ml", action="store_true", help="skip hls4ml (ernn-ir rows only)")
    ap.add_argument("--no-torch", action="store_true", help="skip (1), the PyTorch models")
    ap.add_argument("--no-google", action="store_true", help="skip (2), the Google LSTM")
    args = ap.parse_args()
    t = time.perf_counter()
    if not args.no_torch:
        side_by_side(args.reps, not args.no_hls4ml)
    if not args.no_google:
        google(args.reps)
    print(f"\ntotal {time.perf_counter() - t:.0f} s (g++ {_gxx()})")


def _gxx() -> str:
    import subprocess

    try:
        return subprocess.run(["g++", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    except OSError:
        return "not found"


if __name__ == "__main__":
    sys.exit(main())
