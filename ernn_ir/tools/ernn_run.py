"""`ernn-run`: run an ernn module with the reference interpreter.

    ernn-run model.mlir --input x.npy [--entry main] [--output y.npy]
    ernn-run hw.mlir --random --backend verilator [--workdir build/]

Inputs are .npy files, one per function argument, in order (`--random` makes
seeded normal inputs instead).  Prints one summary line per output and any
fixed-point overflow events, by op and source position.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

import numpy as np

from ernn_ir.arrays import ArrayFileError, load_arrays, numeric_array
from ernn_ir.diagnostics import ErnnError, error_at_op, parse_located, verify_located
from ernn_ir.lowering.backends import BACKENDS, BackendError, make_backend
from ernn_ir.lowering.reference import Reference, ReferenceError
from ernn_ir.lowering.reference.inputs import random_inputs
from ernn_ir.registry import make_context
from ernn_ir.tools.common import fail, read_input, run_tool, write_files_atomically
from ernn_ir.tools.options import seed

TOOL = "ernn-run"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=TOOL, description=__doc__.splitlines()[0])
    p.add_argument("file", help="the .mlir module ('-' for stdin)")
    p.add_argument("--entry", default="main", help="function to run (default: main)")
    p.add_argument("--input", action="append", default=[], metavar="X.npy",
                   help="an input array; repeat once per function argument")
    p.add_argument("--random", action="store_true", help="seeded standard-normal inputs")
    p.add_argument("--seed", type=seed, default=0, help="seed of --random (0 to 2^63-1)")
    p.add_argument("--output", action="append", default=[], metavar="Y.npy",
                   help="where to save an output; repeat once per output to save")
    p.add_argument("--raw", action="store_true",
                   help="save fixed-point outputs as raw integers (default: dequantized float64)")
    p.add_argument("--backend", default="reference",
                   choices=list(BACKENDS),
                   help="who runs the module's ernn_hw.accelerator time loops: the reference (default), "
                   "HLS C simulation (hls: ap_fixed, hls-int: plain integers) or RTL simulation "
                   "(verilator, iverilog); the rest of the function runs in the reference")
    p.add_argument("--workdir", default=None,
                   help="keep the generated sources and builds of the backend here (default: a temporary "
                   "directory; --backend reference builds nothing and ignores it)")
    return p


def _load(path: str) -> np.ndarray:
    data = load_arrays(path, "input")
    if isinstance(data, dict):
        raise ArrayFileError(f"input '{path}' is an .npz archive; --input takes one .npy file per argument")
    return numeric_array(data, f"input '{path}'")


def _save(path: str, arr: np.ndarray) -> None:
    # Through a file object: given a name, np.save appends ".npy" to it.
    with open(path, "wb") as f:
        np.save(f, arr)


def _located(located, e: Exception) -> ErnnError:
    """The reference's error, at the op's position when it names one."""
    op = getattr(e, "op", None)
    if op is None:
        return ErnnError(f"{TOOL}: error: {e}")
    return error_at_op(located, op, str(e))


def _check_workdir(path: str) -> None:
    """--workdir must be a directory the backend can write (created if missing)."""
    if os.path.exists(path) and not os.path.isdir(path):
        fail(TOOL, f"--workdir '{path}': exists and is not a directory")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        fail(TOOL, f"--workdir '{path}': cannot create it: {e.strerror}")
    if not os.access(path, os.W_OK | os.X_OK):
        fail(TOOL, f"--workdir '{path}': the directory is not writable")


def main(argv: Sequence[str] | None = None) -> None:
    a = parser().parse_args(argv)

    def body() -> None:
        text = read_input(TOOL, a.file)
        located = parse_located(make_context(), text, "<stdin>" if a.file == "-" else a.file)
        verify_located(located)
        backend = None
        if a.backend != "reference":
            from ernn_ir.dialects.ernn_hw import AcceleratorOp

            if not any(isinstance(o, AcceleratorOp) for o in located.module.walk()):
                fail(TOOL, f"--backend {a.backend} runs ernn_hw.accelerator loops, and the module has none "
                     "(run ernn-opt -p 'ernn-pipeline,ernn-tile' first)")
            try:
                # checks the backend's tools (compiler, simulator) before any work
                backend = make_backend(a.backend, workdir=a.workdir)
            except BackendError as e:
                fail(TOOL, str(e))
            if a.workdir is not None:
                _check_workdir(a.workdir)
        ref = Reference(located.module, accelerator_backend=backend)
        try:
            f = ref.function(a.entry)
            ref.check_memory(f)
        except ReferenceError as e:
            raise _located(located, e) from None
        types = f.function_type.inputs.data
        if a.random:
            if a.input:
                fail(TOOL, "--random and --input exclude each other")
            try:
                inputs = random_inputs(f, np.random.default_rng(a.seed))
            except ReferenceError as e:
                fail(TOOL, str(e))
        else:
            if len(a.input) != len(types):
                fail(TOOL, f"@{a.entry} takes {len(types)} input(s); {len(a.input)} --input given")
            inputs = [_load(p) for p in a.input]
        n_out = len(f.function_type.outputs.data)
        if len(a.output) > n_out:
            fail(TOOL, f"@{a.entry} has {n_out} output(s); {len(a.output)} --output given")
        try:
            result = ref.run(inputs, a.entry)
        except ReferenceError as e:
            raise _located(located, e) from None
        except BackendError as e:
            fail(TOOL, f"backend {a.backend}: {e}")
        except OSError as e:
            if backend is None:
                raise
            # the backend's files and tools (a full disk, a workdir that went away)
            where = f" '{e.filename}'" if e.filename else ""
            fail(TOOL, f"backend {a.backend}: cannot use{where}: {e.strerror or e}")
        if backend is not None:
            for n, run in enumerate(backend.runs):
                cyc = "" if run.cycles is None else f", {run.cycles:,} cycles"
                ev = "" if run.events is None else f", {run.events} overflow event(s)"
                print(f"accelerator #{n} on {a.backend}{cyc}{ev}")
        floats = result.as_float()
        for n, (v, t) in enumerate(zip(floats, result.output_types)):
            if not v.size:
                print(f"output #{n}: {t} shape {tuple(v.shape)} (empty)")
                continue
            print(
                f"output #{n}: {t} shape {tuple(v.shape)} min {v.min():.6g} max {v.max():.6g} "
                f"mean {v.mean():.6g} rms {np.sqrt(np.mean(np.square(v))):.6g}"
            )
        if result.events:
            total = sum(n for _, n in result.events)
            print(f"fixed-point overflow: {total} event(s)")
            for op, count in result.events:
                span = located.locate(op)
                where = f" at {span.get_location()}" if span is not None else ""
                print(f"  {count} in '{op.name}'{where}")
        write_files_atomically(
            [
                (path, lambda tmp, arr=(result.outputs[n] if a.raw else floats[n]): _save(tmp, arr))
                for n, path in enumerate(a.output)
            ]
        )

    run_tool(TOOL, body)


if __name__ == "__main__":
    main()
