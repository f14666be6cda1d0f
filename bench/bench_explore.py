"""The measurements of issue 10: ernn-explore on the digits task (1 and 2 workers) and the Google LSTM's Phase II.

    nice python bench/bench_explore.py [--out /tmp/ernn-bench-explore] [--skip-google] [--only-google]

1. Digits task, LSTM and GRU, hidden 32/64/128, b = 2..32 (ADMM, a fixed
   budget per trial), accuracy bound below; Phase II on KU060.  The same study
   runs twice from scratch: with 1 worker, then with 2 worker processes
   sharing one journal file.  Prints trials run/pruned, wall times, the
   chosen design, and checks that both runs trained the same trials.
2. The Google LSTM (153-1024-512, peepholes, b = 8, random weights: no
   TIMIT here), Phase I skipped, Phase II with an SQNR bound.

Reports (tables, plots, the chosen design's IR) go to --out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

DIGITS = """
[study]
name = "digits"

[space]
models = ["lstm", "gru"]
hidden = [32, 64, 128]
blocks = [2, 4, 8, 16, 32]
methods = ["admm"]

[training]
dense_epochs = 8
admm_epochs = 4
finetune_epochs = 4
threads = 1

[phase1]
accuracy_bound = {bound}
survivors = "front"

[phase2]
weight_bits = [8, 10, 12, 16]
data_bits = [12, 16]
acc_bits = [24, 32]
segments = [8, 16, 32]
max_accuracy_drop = 0.01

[hardware]
device = "ku060"
lanes = [1, 4, 16, 64, 256]
objectives = ["fps", "dsp", "bram", "energy"]
"""

GOOGLE = """
[study]
name = "google-lstm"

[task]
kind = "none"

[model]
kind = "lstm"
input = 153
hidden = 1024
proj = 512
peepholes = true
block = 8
seq_len = 4
sequences = 1

[phase2]
weight_bits = [8, 10, 12, 16]
data_bits = [12, 16]
acc_bits = [24, 32]
segments = [16, 32]
min_sqnr_db = {sqnr}

[hardware]
device = "ku060"
lanes = [16, 64, 128]
objectives = ["fps", "dsp", "bram", "energy"]
"""


def run(cfg_text: str, out: str, name: str, workers: int):
    from ernn_ir.explore.api import explore
    from ernn_ir.explore.config import load_config

    d = os.path.join(out, f"{name}-w{workers}")
    for p in (d, d + ".state"):
        shutil.rmtree(p, ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    cfg_path = os.path.join(out, f"{name}.toml")
    with open(cfg_path, "w") as f:
        f.write(cfg_text)
    load = os.getloadavg()
    t0 = time.perf_counter()
    res = explore(load_config(cfg_path), d, workers=workers, progress=sys.stderr.isatty())
    return res, time.perf_counter() - t0, d, load


def describe(res, wall: float, d: str, load: tuple) -> None:
    from ernn_ir.explore.report import summary_lines

    c = res.counts()
    # CPU the trials got, against the wall time: on a shared machine this, not the worker count, bounds the speed
    p1 = [t.user_attrs["metrics"] for t in res.study.phase1.get_trials() if t.state.name == "COMPLETE"]
    p2 = [t.user_attrs["metrics"] for t in res.study.phase2.get_trials() if t.state.name == "COMPLETE"]
    cpu = sum(m["cpu_s"] for m in p1 + p2)
    busy = sum(m["wall_s"] for m in p1 + p2)
    print(f"  report: {d}")
    print(f"  wall time {wall:.1f} s; trials: Phase I {c['phase1_run']} run, {c['phase1_pruned']} pruned of "
          f"{c['phase1_planned']}; Phase II {c['phase2_run']} run ({c['designs']} designs)")
    print(f"  trial time: {busy:.1f} s wall in trials (sum over workers), {cpu:.1f} s CPU in trials; "
          f"CPU per wall second {cpu / wall:.2f}; load average before/after {load[0]:.1f}/{os.getloadavg()[0]:.1f}")
    for line in summary_lines(res):
        print("  " + line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/ernn-bench-explore")
    ap.add_argument("--bound", type=float, default=0.85, help="Phase I accuracy bound on the digits task")
    ap.add_argument("--sqnr", type=float, default=25.0, help="SQNR bound (dB) of the Google LSTM's Phase II")
    ap.add_argument("--skip-google", action="store_true")
    ap.add_argument("--only-google", action="store_true")
    a = ap.parse_args()
    if not a.only_google:
        print(f"== digits task, LSTM and GRU, hidden 32/64/128, b = 2..32, accuracy bound {a.bound:g}")
        walls = {}
        keys = {}
        for workers in (1, 2):
            res, wall, d, load = run(DIGITS.format(bound=a.bound), a.out, "digits", workers)
            print(f"-- {workers} worker(s)")
            describe(res, wall, d, load)
            walls[workers] = wall
            keys[workers] = sorted(r["key"] for r in res.phase1 if r["state"] == "complete")
            if res.chosen:
                ch = res.chosen
                print(f"  chosen: {ch['model'][3:]} w{ch['weight_bits']} d{ch['data_bits']} a{ch['acc_bits']} "
                      f"s{ch['segments']}: accuracy {ch['accuracy']:.4f} (float {ch['float_accuracy']:.4f}), "
                      f"{ch['fps']:.6g} frames/s, {ch['dsp']} DSP on KU060")
        print(f"  speed-up with 2 workers: {walls[1] / walls[2]:.2f}x; same Phase I trials trained: "
              f"{keys[1] == keys[2]}")
    if not a.skip_google:
        print(f"== Google LSTM 153-1024-512, peepholes, b = 8 (random weights; Phase I skipped), SQNR >= {a.sqnr:g} dB")
        res, wall, d, load = run(GOOGLE.format(sqnr=a.sqnr), a.out, "google", 1)
        describe(res, wall, d, load)


if __name__ == "__main__":
    main()
