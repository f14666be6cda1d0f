"""Interchangeable executors of `ernn_hw.accelerator`: the reference, HLS C simulation, RTL simulation.

The reference interpreter runs every op of a module; with a backend it
hands each accelerator's time loop to the backend instead (the host part
of the function, e.g. quantize and dequantize, still runs in the reference).
Every backend takes the raw fixed-point input frames and returns the raw
step outputs, so the same module and inputs give comparable results:

    from ernn_ir.lowering.backends import run_with_backend
    result = run_with_backend(module, [x], "verilator")   # RunResult, plus result.cycles

Backends (`BACKENDS`): `reference`, `hls` (ap_fixed C++ built with g++),
`hls-int` (plain-integer C++), `verilator`, `iverilog`.
"""

from __future__ import annotations

import os

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


class BackendError(Exception):
    """A backend cannot run (a tool is missing, a build failed): the message says which and why."""


@dataclass
class AcceleratorRun:
    outputs: list[np.ndarray]
    """Raw step outputs [T, batch, n] (int64), one per step output of the accelerator."""
    cycles: int | None = None
    """Cycles the hardware took for the whole batch, when the backend counts them."""
    events: int | None = None
    """Fixed-point overflow events, when the backend counts them."""
    log: str = ""


class AcceleratorBackend:
    """Base of the non-reference backends: builds a design once, then runs batches through it."""

    name = "?"

    def __init__(self, workdir: str | None = None, **options) -> None:
        # absolute: the simulators and compilers run inside it, on paths built from it
        self.workdir = os.path.abspath(workdir) if workdir else None
        self.options = options
        self.runs: list[AcceleratorRun] = []

    def run(self, accelerator, inputs: list[np.ndarray]) -> AcceleratorRun:  # pragma: no cover - interface
        raise NotImplementedError


def _hls(**kw) -> AcceleratorBackend:
    from ernn_ir.lowering.hls.backend import HlsBackend

    return HlsBackend(flavour="ap", **kw)


def _hls_int(**kw) -> AcceleratorBackend:
    from ernn_ir.lowering.hls.backend import HlsBackend

    return HlsBackend(flavour="int", **kw)


def _verilator(**kw) -> AcceleratorBackend:
    from ernn_ir.lowering.verilog.sim import RtlBackend

    return RtlBackend(simulator="verilator", **kw)


def _iverilog(**kw) -> AcceleratorBackend:
    from ernn_ir.lowering.verilog.sim import RtlBackend

    return RtlBackend(simulator="iverilog", **kw)


BACKENDS: dict[str, Callable[..., AcceleratorBackend] | None] = {
    "reference": None,
    "hls": _hls,
    "hls-int": _hls_int,
    "verilator": _verilator,
    "iverilog": _iverilog,
}


def make_backend(name: str, **kw) -> AcceleratorBackend | None:
    if name not in BACKENDS:
        raise BackendError(f"unknown backend '{name}' (backends: {', '.join(BACKENDS)})")
    f = BACKENDS[name]
    return None if f is None else f(**kw)


@dataclass
class BackendResult:
    outputs: list[np.ndarray]
    output_types: list
    events: list = field(default_factory=list)
    runs: list[AcceleratorRun] = field(default_factory=list)

    @property
    def cycles(self) -> int | None:
        c = [r.cycles for r in self.runs]
        return None if not c or any(x is None for x in c) else sum(c)  # type: ignore[misc]


def run_with_backend(module, inputs: list[np.ndarray], backend: str = "reference", entry: str = "main",
                     **options) -> BackendResult:
    """Run `entry` with its accelerators on `backend` (the rest of the function in the reference)."""
    from ernn_ir.lowering.reference import Reference

    be = make_backend(backend, **options)
    ref = Reference(module, accelerator_backend=be)
    r = ref.run(inputs, entry)
    return BackendResult(r.outputs, r.output_types, r.events, [] if be is None else list(be.runs))
