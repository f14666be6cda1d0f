"""Speed of the bit-exact fixed-point reference: against float, against its old code, against hls4ml.

    python bench/bench_reference_speed.py [--baseline REV] [--reps R] [--no-hls4ml] [--quick]

(1) Per frame (time step), min over R runs of one sequence, one thread:
    the float reference (the model as written: `ernn.lstm` / `ernn.gru` in
    f32), the same model after `ernn-pipeline{quantize=false}` (float at the
    fused frequency level) and after `ernn-pipeline{weight-bits=W}` (the
    fixed-point reference users run once hardware exists), for LSTM 16->32
    and 64->128 and GRU 16->32 (PyTorch, imported at b = 8, W = 16), the digits
    models, lstm_small and the Google LSTM/GRU of examples/ (W = 12).
    `--baseline REV` (default: the merge base with main) also runs the
    fixed-point reference of the code at REV on the same IR text, in a
    subprocess on `git archive REV` (the before figure).
(2) hls4ml 1.3's C simulation (`hls_model.compile()`, g++ -O3, then
    `predict`) of the same PyTorch LSTMs and GRU (ap_fixed<16,6>, Vivado backend),
    per frame over a batch of sequences of the same length, next to the
    ernn-ir fixed-point reference of the imported model.
(3) Start-up of `ernn-opt` (median of R runs): `--help`, a parse and print,
    and `-p 'ernn-pipeline{weight-bits=12}'`, this tree against REV.
(4) One fixed-point rfft / irfft call (the pipeline's formats) on 4 to 512
    blocks of b = 8, 16, 64: the matrix plan against the stage-by-stage FFT.

Everything is measured in one run, so the ratios compare like with like on
whatever machine runs it.  Times are the CPU time of the timed (single-threaded)
work, which other load on a shared machine disturbs far less than wall time;
`--wall` measures wall-clock time instead.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The clock of every per-run figure: this process's CPU time by default.  On a
# shared machine wall time also counts the other processes' time slices; all
# timed work here is single-threaded (BLAS pinned to one thread), so CPU time is
# the run's own cost.  --wall switches to wall-clock time (ERNN_BENCH_WALL=1 in workers).
clock = time.perf_counter if os.environ.get("ERNN_BENCH_WALL") == "1" else time.process_time
EXAMPLES = ROOT / "examples"
TORCH_T = 32  # sequence length of the PyTorch models, here and in hls4ml


# ---------------------------------------------------------------- runs
def _entry_shape(module) -> tuple[int, ...]:
    from xdsl.dialects import func

    f = next(op for op in module.ops if isinstance(op, func.FuncOp))
    return tuple(f.function_type.inputs.data[0].get_shape())


class Runner:
    """One model at one level, ready to run (only APIs the baseline code has too)."""

    def __init__(self, path: str, weight_bits: int, level: str) -> None:
        from xdsl.parser import Parser

        from ernn_ir.lowering.reference import Reference
        from ernn_ir.passes.pipeline import PipelinePass
        from ernn_ir.registry import make_context

        module = Parser(make_context(), Path(path).read_text()).parse_module()
        if level != "float":
            with contextlib.redirect_stderr(io.StringIO()):  # the table-error report
                PipelinePass(weight_bits=weight_bits, quantize=level == "fixed").apply(make_context(), module)
        shape = _entry_shape(module)
        self.frames = shape[0] * shape[1]  # time steps of every sequence of the batch
        self.x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        self.ref = Reference(module)
        res = self.ref.run([self.x])  # compiles kernels, decodes constants
        self.events = sum(n for _, n in res.events)
        self.checksum = float(np.sum(np.abs(res.as_float()[0]), dtype=np.float64))

    def time_once(self) -> float:
        t = clock()
        self.ref.run([self.x])
        return clock() - t

    def time_best(self, n: int = 3) -> float:
        """Min of n consecutive runs: the first after other work runs with cold caches,
        which is most of a short run's time."""
        return min(self.time_once() for _ in range(n))


def serve() -> None:
    """Worker mode: JSON commands on stdin (load, time), answers on stdout."""
    runners: dict[str, Runner] = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "load":
            r = runners[cmd["key"]] = Runner(cmd["path"], cmd["weight_bits"], cmd["level"])
            reply = {"frames": r.frames, "events": r.events, "checksum": r.checksum}
        else:
            reply = {"t": runners[cmd["key"]].time_best()}
        print(json.dumps(reply), flush=True)


class Worker:
    """A `serve()` process running the code of another tree."""

    def __init__(self, tree: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(tree))
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=tempfile.gettempdir())

    def ask(self, **cmd) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def measure_model(path: str, weight_bits: int, reps: int, baseline: Worker | None) -> dict:
    """Seconds per frame (min over reps), the runs of all levels and trees interleaved."""
    runners = {level: Runner(path, weight_bits, level) for level in ("float", "float-fused", "fixed")}
    out = {"frames": runners["fixed"].frames, "events": runners["fixed"].events}
    timers = {level: r.time_best for level, r in runners.items()}
    if baseline is not None:
        info = baseline.ask(cmd="load", key=path, path=path, weight_bits=weight_bits, level="fixed")
        if info["checksum"] != runners["fixed"].checksum or info["events"] != out["events"]:
            raise SystemExit(f"{path}: the fixed-point outputs differ from the baseline's")
        baseline.ask(cmd="load", key=path + "#float", path=path, weight_bits=weight_bits, level="float")
        timers["before"] = lambda: baseline.ask(cmd="time", key=path)["t"]
        timers["float-before"] = lambda: baseline.ask(cmd="time", key=path + "#float")["t"]
    best = {k: float("inf") for k in timers}
    for _ in range(reps):
        for k, fn in timers.items():
            best[k] = min(best[k], fn())
    out.update({k: v / out["frames"] for k, v in best.items()})
    return out


# ---------------------------------------------------------------- models
def torch_rnn(kind: str, n: int, h: int, seed: int = 0):
    """nn.LSTM / nn.GRU (batch first) returning the output sequence, as hls4ml's converter takes it."""
    import torch

    class Seq(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = getattr(torch.nn, kind)(n, h, batch_first=True)

        def forward(self, x):
            return self.rnn(x)[0]

    torch.manual_seed(seed)
    return Seq().eval()


# The PyTorch models both ernn-ir and hls4ml run: (kind, inputs, hidden).
TORCH_MODELS = [("LSTM", 16, 32), ("LSTM", 64, 128), ("GRU", 16, 32)]


def torch_model_ir(model, T: int, batch: int = 1) -> str:
    """The ernn-import of a PyTorch model (b = 8), as IR text."""
    from ernn_ir.builder import build_module, module_to_text
    from ernn_ir.frontend.torch_import import spec_from_torch

    return module_to_text(build_module(spec_from_torch(model, 8), T, batch=batch))


def models(quick: bool) -> list[tuple[str, str, int]]:
    """(name, IR file, weight bits)."""
    tmp = Path(tempfile.mkdtemp(prefix="ernn-bench-"))
    out = []
    for kind, n, h in TORCH_MODELS:
        p = tmp / f"{kind.lower()}_{n}_{h}.mlir"
        p.write_text(torch_model_ir(torch_rnn(kind, n, h), TORCH_T))
        out.append((f"{kind} {n}->{h} (torch)", str(p), 16))
    names = ["digits_lstm_b8", "digits_gru_b8", "lstm_small"]
    if not quick:
        names += ["google_lstm_b8", "google_gru_b8"]
    out += [(n, str(EXAMPLES / f"{n}.mlir"), 12) for n in names]
    return out


def export_tree(rev: str) -> Path:
    tree = Path(tempfile.mkdtemp(prefix="ernn-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


# ---------------------------------------------------------------- hls4ml
def hls4ml_vs_ernn(kind: str, n: int, h: int, batch: int, reps: int,
                   workdir: Path) -> tuple[float, float, float, float]:
    """Seconds per frame of hls4ml's C-sim on `batch` sequences (one C call each), of the
    ernn-ir fixed-point reference on one sequence and on the `batch` sequences in one
    run, and hls4ml's compile seconds; the runs interleaved."""
    import hls4ml

    model = torch_rnn(kind, n, h)
    cfg = hls4ml.utils.config_from_pytorch_model(
        model, (TORCH_T, n), granularity="name", default_precision="ap_fixed<16,6>")
    with contextlib.redirect_stdout(io.StringIO()):
        hm = hls4ml.converters.convert_from_pytorch_model(
            model, hls_config=cfg, output_dir=str(workdir), backend="Vivado")
        t = time.perf_counter()
        hm.compile()
        compile_s = time.perf_counter() - t
    x = np.random.default_rng(1).standard_normal((batch, TORCH_T, n)).astype(np.float32)
    hm.predict(x)
    ernn = []
    for b in (1, batch):
        path = workdir / f"ernn_batch{b}.mlir"
        path.write_text(torch_model_ir(model, TORCH_T, batch=b))
        ernn.append(Runner(str(path), 16, "fixed"))
    best = [float("inf")] * 3
    for _ in range(reps):
        for _ in range(3):  # as Runner.time_best
            t = clock()
            hm.predict(x)
            best[0] = min(best[0], clock() - t)
        for i, r in enumerate(ernn):
            best[i + 1] = min(best[i + 1], r.time_best())
    return (best[0] / (batch * TORCH_T), best[1] / ernn[0].frames, best[2] / ernn[1].frames,
            compile_s)


# ---------------------------------------------------------------- start-up
def startup(trees: list[Path], reps: int) -> list[dict[str, float]]:
    """Median wall time of ernn-opt commands per tree (runs of the trees interleaved,
    after one warm-up run each, which also writes the trees' .pyc files)."""
    small = str(EXAMPLES / "lstm_small.mlir")
    cases = {
        "ernn-opt --help": ["--help"],
        "ernn-opt lstm_small.mlir": [small, "-o", os.devnull],
        "ernn-opt lstm_small.mlir -p ernn-pipeline{weight-bits=12}":
            [small, "-p", "ernn-pipeline{weight-bits=12}", "-o", os.devnull],
    }

    def once(tree: Path, args: list[str]) -> float:
        """The command's CPU time (user + system), or its wall time with --wall."""
        before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([sys.executable, "-m", "ernn_ir.tools.ernn_opt", *args],
                       env=dict(os.environ, PYTHONPATH=str(tree)), cwd=tempfile.gettempdir(),
                       check=True, capture_output=True)
        if clock is time.perf_counter:
            return time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    out: list[dict[str, float]] = [{} for _ in trees]
    for name, args in cases.items():
        times: list[list[float]] = [[] for _ in trees]
        for tree in trees:
            once(tree, args)
        for _ in range(reps):
            for i, tree in enumerate(trees):
                times[i].append(once(tree, args))
        for i in range(len(trees)):
            out[i][name] = statistics.median(times[i])
    return out


# ---------------------------------------------------------------- FFT calls
def fft_calls(reps: int) -> list[tuple[int, int, float, float, float, float]]:
    """(b, blocks, rfft plan s, rfft stagewise s, irfft plan s, irfft stagewise s) per call."""
    from ernn_ir.numerics import FixedFormat
    from ernn_ir.numerics.fft import (
        irfft_fixed,
        irfft_fixed_stagewise,
        rfft_fixed,
        rfft_fixed_stagewise,
    )

    fft, tw, acc = FixedFormat(24, 14), FixedFormat(16, 14), FixedFormat(32, 20)
    rng = np.random.default_rng(0)
    out = []
    for b in (8, 16, 64):
        for blocks in (4, 64, 512):
            x = rng.integers(-(2**13), 2**13, size=(1, blocks * b))  # 16-bit activations
            S = rng.integers(-(2**24), 2**24, size=(1, blocks, b // 2 + 1, 2))
            calls = [lambda: rfft_fixed(x, 12, b, fft, tw, "half_up", "saturate"),
                     lambda: rfft_fixed_stagewise(x, 12, b, fft, tw, "half_up", "saturate"),
                     lambda: irfft_fixed(S, 20, b, acc, tw, "half_up", "saturate"),
                     lambda: irfft_fixed_stagewise(S, 20, b, acc, tw, "half_up", "saturate")]
            best = [float("inf")] * 4
            for fn in calls:
                fn()
            for _ in range(reps):
                for i, fn in enumerate(calls):
                    t = clock()
                    fn()
                    best[i] = min(best[i], clock() - t)
            out.append((b, blocks, *best))
    return out


# ---------------------------------------------------------------- main
def us(t: float) -> str:
    return f"{t * 1e6:9.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--baseline", default=None, help="git revision of the before figures "
                    "(default: merge base with main); 'none' skips them")
    ap.add_argument("--no-hls4ml", action="store_true")
    ap.add_argument("--quick", action="store_true", help="skip the Google models")
    ap.add_argument("--wall", action="store_true",
                    help="time with the wall clock instead of this process's CPU time")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    global clock
    if args.wall:
        os.environ["ERNN_BENCH_WALL"] = "1"  # the baseline worker reads it
        clock = time.perf_counter
    if args.serve:  # worker mode, under the baseline's code
        serve()
        return

    rev = args.baseline
    if rev is None:
        rev = subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                             capture_output=True, text=True, check=True).stdout.strip()
    tree = None if rev == "none" else export_tree(rev)
    here = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()

    rows = []
    worker = Worker(tree) if tree else None
    models_list = models(args.quick)
    for name, path, wb in models_list:
        now = measure_model(path, wb, args.reps, worker)
        rows.append((name, wb, now, now if tree else None))
        print(f"  measured {name}", file=sys.stderr, flush=True)
    if worker:
        worker.close()

    what = "wall time" if args.wall else "CPU time"
    print(f"(1) Per frame (us of {what}), min over {args.reps} rounds of 3 runs each, interleaved, one thread; this tree {here}"
          + (f", before = {rev[:10]} (git archive, in a subprocess)" if tree else ""))
    head = (f"{'model':<22} {'W':>2} {'T':>4} {'float':>9} {'float IR':>9} {'fixed':>9} "
            f"{'fixed/float':>11}")
    if tree:
        head += f" {'before':>9} {'speed-up':>8} {'float before':>12} {'before/float':>12}"
    print(head)
    print("  float: the model as written (ernn.lstm/gru, f32); float IR: ernn-pipeline{quantize=false};")
    print("  fixed: ernn-pipeline{weight-bits=W}, bit-exact; outputs and events equal before/after;")
    print("  before: the fixed and float references of the baseline code on the same IR")
    for name, wb, now, before in rows:
        line = (f"{name:<22} {wb:>2} {now['frames']:>4} {us(now['float'])} {us(now['float-fused'])} "
                f"{us(now['fixed'])} {now['fixed'] / now['float']:>10.2f}x")
        if before:
            line += (f" {us(before['before'])} {before['before'] / now['fixed']:>7.1f}x"
                     f" {us(before['float-before']):>12} {before['before'] / before['float-before']:>11.1f}x")
        print(line)
    worst = max(now["fixed"] / now["float"] for _, _, now, _ in rows)
    print(f"  worst fixed/float: {worst:.2f}x  [goal <= 5x: {'met' if worst <= 5 else 'NOT met'}]")

    if not args.no_hls4ml:
        print(f"\n(2) hls4ml 1.3 C simulation vs the ernn-ir fixed-point reference, per frame (us of {what}),"
              f" T = {TORCH_T}, min over {args.reps} rounds of 3 runs each, interleaved")
        print(f"{'model':<22} {'hls4ml C-sim':>12} {'ernn 1 seq':>10} {'hls4ml/ernn':>11}"
              f" {'ernn 8 seqs':>11} {'hls4ml/ernn':>11} {'(hls4ml compile s)':>18}")
        work = Path(tempfile.mkdtemp(prefix="ernn-hls4ml-"))
        for kind, n, h in TORCH_MODELS:
            workdir = work / f"{kind.lower()}_{n}_{h}"
            workdir.mkdir()
            with contextlib.redirect_stderr(io.StringIO()):
                t_hls, t_one, t_batch, t_compile = hls4ml_vs_ernn(kind, n, h, 8, args.reps, workdir)
            print(f"{kind + f' {n}->{h} (torch)':<22} {us(t_hls):>12} {us(t_one):>10} {t_hls / t_one:>10.2f}x"
                  f" {us(t_batch):>11} {t_hls / t_batch:>10.1f}x {t_compile:>18.1f}")
        print("  hls4ml: ap_fixed<16,6>, Vivado backend, predict on 8 sequences of 32 frames (one C call"
              " each; its PyTorch converter returns the last state only);")
        print("  ernn-ir: the same PyTorch model imported at b = 8 (projected onto block-circulant),"
              " weight-bits = 16: one sequence per run, or the 8 as one batch (ernn-import --batch 8)")

    print(f"\n(3) ernn-opt start-up, median of {args.reps} runs (s of {what} of the command)")
    found = startup([ROOT, tree] if tree else [ROOT], args.reps)
    now_s, before_s = found[0], (found[1] if tree else None)
    for k, v in now_s.items():
        line = f"  {k:<58} {v:6.3f}"
        if before_s:
            line += f"   before {before_s[k]:6.3f}   saved {before_s[k] - v:+6.3f}"
        print(line)

    print(f"\n(4) One fixed-point FFT call (us of {what}), min of {args.reps}: matrix plan vs stage by stage"
          " (rfft fixed<16,12> -> fixed<24,14>, irfft fixed<32,20>, twiddles fixed<16,14>)")
    print(f"  {'b':>3} {'blocks':>6} {'rfft plan':>10} {'stagewise':>10} {'ratio':>6}"
          f" {'irfft plan':>10} {'stagewise':>10} {'ratio':>6}")
    for b, blocks, rp, rs, ip, is_ in fft_calls(args.reps):
        print(f"  {b:>3} {blocks:>6} {us(rp):>10} {us(rs):>10} {rs / rp:>5.1f}x"
              f" {us(ip):>10} {us(is_):>10} {is_ / ip:>5.1f}x")


if __name__ == "__main__":
    main()
