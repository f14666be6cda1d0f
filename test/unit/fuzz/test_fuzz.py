"""The fuzz / property suite: generated bad and unusual inputs through the real tools.

Every outcome must be `ok` or `diagnostic` (see fuzz_harness for the
classes).  `make test` runs ERNN_FUZZ_CASES cases (default 1500, about a
minute on two cores); `python bench/fuzz.py --cases 10000` runs the large
size and prints the counts per family and outcome.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from fuzz_generators import GENERATORS, generate, materialize
from fuzz_harness import (
    GOOD_OUTCOMES,
    Case,
    Result,
    Runner,
    classify,
    failures,
    table,
)

CASES = int(os.environ.get("ERNN_FUZZ_CASES", "1500"))
SEED = int(os.environ.get("ERNN_FUZZ_SEED", "0"))
#: Wall-clock limit per case: the tools answer in well under a second on these inputs.
TIMEOUT = float(os.environ.get("ERNN_FUZZ_TIMEOUT", "30"))


def test_generated_inputs_get_ok_or_a_diagnostic():
    cases = generate(CASES, SEED)
    results = Runner(workers=2, timeout=TIMEOUT).run(cases)
    print("\n" + table(results))
    assert len(results) == CASES
    bad = [r for r in results if r[1] not in GOOD_OUTCOMES]
    assert not bad, f"{len(bad)} of {CASES} cases failed:\n" + failures(results)
    # every family produced both accepted and refused inputs: the generators are not vacuous
    for family in GENERATORS:
        outcomes = {o for c, o, *_ in results if c.family == family}
        assert outcomes, family
        if family != "ir-roundtrip":  # those inputs are all valid
            assert "diagnostic" in outcomes, family


# ---------------------------------------------------------------------------
# The harness itself must see what it is meant to see


def _result(code=1, out="", err="", escaped=None, leftovers=(), problem=None):
    return Result(code, out, err, escaped, 0.01, list(leftovers), problem)


CASE = Case("self-test", "ernn-opt", ["in.mlir", "-o", "out.mlir"], outputs=["out.mlir"])


@pytest.mark.parametrize("result,case,outcome", [
    (_result(0), CASE, "ok"),
    (_result(1, err="in.mlir:1:1: error: bad"), CASE, "diagnostic"),
    (_result(1, escaped="Traceback (most recent call last):\n  KeyError: 'x'"), CASE, "traceback"),
    (_result(1, err="Traceback (most recent call last):\n"), CASE, "traceback"),
    (_result(1, err="ernn-opt: error: KeyError: 'x'"), CASE, "raw-exception"),
    (_result(1, err="error: 'CirculantType' object has no attribute 'get_shape'"), CASE, "raw-exception"),
    (_result(1, err="ernn-opt: error: internal error (a bug ...): boom"), CASE, "raw-exception"),
    (_result(1, err="ernn-opt: error: bad", leftovers=["out.mlir"]), CASE, "partial-file"),
    (_result(1, err="ernn-opt: error: bad", leftovers=[".ernn-abc.mlir"]), CASE, "partial-file"),
    (_result(1, err=""), CASE, "wrong-exit"),
    (_result(0), Case("s", "ernn-opt", [], expect="fail"), "wrong-exit"),
    (_result(1, err="x: error: no"), Case("s", "ernn-opt", [], expect="ok"), "wrong-exit"),
    (_result(0, err="ernn-opt: error: but exit 0"), CASE, "wrong-exit"),
    (_result(0, problem="print(parse(print(x))) != print(x)"), CASE, "wrong-result"),
])
def test_classification(result, case, outcome):
    assert classify(case, result)[0] == outcome


def _sleeping_tool(argv):
    import time

    time.sleep(60)


def _crashing_tool(argv):
    raise KeyError("boom")


def test_runner_sees_hangs_and_escaped_exceptions(monkeypatch):
    """A case that never answers is a hang, even in C code; its worker is replaced."""
    import fuzz_harness

    tools = {"sleep": _sleeping_tool, "crash": _crashing_tool}
    original = fuzz_harness._tool_main
    monkeypatch.setattr(fuzz_harness, "_tool_main", lambda t: tools.get(t) or original(t))
    cases = [Case("self-test", "sleep", []), Case("self-test", "crash", []),
             Case("self-test", "ernn-model", ["lstm", "--input-size", "4", "--hidden-size", "4",
                                              "--block-size", "4", "--seq-len", "1"])]
    results = Runner(workers=2, timeout=2.0, start_method="fork").run(cases)
    assert [r[1] for r in results] == ["hang", "traceback", "ok"]


# ---------------------------------------------------------------------------
# In-process runs are what the console scripts do


TOOLS_DIR = os.path.dirname(sys.executable)


@pytest.mark.parametrize("family,index", [("ir-mutation", 3), ("ir-mutation", 11), ("npy", 0),
                                          ("npy", 5), ("cli", 1), ("cli", 7), ("torch", 2)])
def test_subprocess_agrees_with_in_process(family, index):
    """Exit status, first diagnostic line and files left: the same through the real scripts."""
    import random

    from fuzz_harness import execute

    case = GENERATORS[family](random.Random(f"{SEED}:{family}:{index}"))
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        inside = execute(case, a)
        for name, content in case.files.items():
            path = os.path.join(b, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content if isinstance(content, bytes) else materialize(content))
        before = set(os.listdir(b))
        script = os.path.join(TOOLS_DIR, case.tool)
        cmd = [script] if os.path.exists(script) else [sys.executable, "-m",
                                                        f"ernn_ir.tools.{case.tool.replace('-', '_')}"]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        p = subprocess.run(cmd + case.argv, cwd=b, capture_output=True, text=True, env=env, timeout=120)
        left = sorted(set(os.listdir(b)) - before)
    assert (p.returncode == 0) == (inside.exit_code == 0), (p.stderr, inside.stderr)
    assert "Traceback" not in p.stderr
    first = lambda t: next((l for l in t.splitlines() if "error" in l), "")  # noqa: E731
    assert first(p.stderr).replace(b, "") == first(inside.stderr).replace(a, "")
    assert left == inside.leftovers


def test_harness_knows_the_temporary_prefix():
    import fuzz_harness

    from ernn_ir.outputs import TEMP_PREFIX

    assert fuzz_harness.TEMP_PREFIX == TEMP_PREFIX
