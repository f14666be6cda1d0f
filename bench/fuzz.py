"""The fuzz suite at a chosen size: counts per family and outcome over generated bad inputs.

    python bench/fuzz.py --cases 10000 [--seed 0] [--workers 2] [--timeout 30]

Runs the cases of test/unit/fuzz (mutated IR at every pipeline level, float
constants of every bit pattern, bad .npy/.npz files, nonsense options and
pass pipelines, PyTorch and ONNX models) through the real tools, prints the
Markdown table of outcomes (docs/robustness.md records a run) and every case
whose outcome is not `ok` or `diagnostic`, with what it printed.  Exit status
1 if there is any.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "unit", "fuzz"))

from fuzz_generators import generate  # noqa: E402
from fuzz_harness import GOOD_OUTCOMES, Runner, failures, table  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per case before it is a hang")
    a = ap.parse_args()
    t0 = time.perf_counter()
    cases = generate(a.cases, a.seed)
    results = Runner(workers=a.workers, timeout=a.timeout).run(cases)
    elapsed = time.perf_counter() - t0
    print(table(results))
    slowest = max(results, key=lambda r: r[3])
    print(f"\n{len(results)} cases, seed {a.seed}, {a.workers} workers: {elapsed:.0f} s "
          f"(slowest case {slowest[3]:.1f} s: {slowest[0].describe()[:120]})")
    bad = [r for r in results if r[1] not in GOOD_OUTCOMES]
    if bad:
        print(f"\n{len(bad)} cases failed:\n" + failures(results, limit=len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
