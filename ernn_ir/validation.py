"""Translation validation: run the reference before and after every pass of a pipeline.

    from ernn_ir.validation import validate_pipeline
    report = validate_pipeline(module, "ernn-expand-cells,ernn-circulant-to-fft")
    print(report.table())

The same random inputs (seeded) go through the module as it was before the
first pass and after each pass.  Each row gives the largest absolute
difference of the outputs against the previous stage and against the
original, and the SQNR (dB) against the original: float passes should show
rounding-level differences, quantization a finite SQNR.  `ernn-opt
--validate` prints this table for any `-p` pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass, PassPipeline

from ernn_ir.lowering.reference import Reference


@dataclass
class StageResult:
    name: str
    max_abs_vs_previous: float
    max_abs_vs_original: float
    sqnr_db: float
    overflow_events: int
    overflows: list[tuple[Operation, int]] = field(default_factory=list)
    """The events per op (in the order the reference ran them)."""


@dataclass
class ValidationReport:
    stages: list[StageResult] = field(default_factory=list)

    def table(self) -> str:
        lines = [
            f"{'pass':<32} {'max|d| vs prev':>15} {'max|d| vs input':>15} {'SQNR dB':>9} {'overflows':>9}",
            "-" * 84,
        ]
        for s in self.stages:
            sq = "inf" if math.isinf(s.sqnr_db) else f"{s.sqnr_db:.1f}"
            lines.append(
                f"{s.name:<32} {s.max_abs_vs_previous:>15.3e} {s.max_abs_vs_original:>15.3e} "
                f"{sq:>9} {s.overflow_events:>9}"
            )
        return "\n".join(lines)

    @property
    def worst_float_difference(self) -> float:
        return max((s.max_abs_vs_previous for s in self.stages), default=0.0)

    def warnings(self, seed: int = 0) -> list[str]:
        """One located warning per op that overflowed on the validation inputs, per stage."""
        from ernn_ir.diagnostics import overflow_warnings

        out: list[str] = []
        for s in self.stages:
            out += overflow_warnings(s.overflows, f"on the translation-validation inputs (seed {seed}) after {s.name}")
        return out


def sqnr_db(reference: Sequence[np.ndarray], test: Sequence[np.ndarray]) -> float:
    """Signal-to-quantization-noise ratio of `test` against `reference`, all outputs pooled."""
    sig = sum(float(np.sum(np.square(r.astype(np.float64)))) for r in reference)
    noise = sum(
        float(np.sum(np.square(r.astype(np.float64) - t.astype(np.float64))))
        for r, t in zip(reference, test)
    )
    if noise == 0.0:
        return math.inf
    if sig == 0.0:
        return -math.inf
    return 10.0 * math.log10(sig / noise)


def pick_entry(module: ModuleOp, entry: str) -> str:
    """`entry` if the module defines it, else its only function; a clear error otherwise."""
    from xdsl.dialects import func

    from ernn_ir.diagnostics import ErnnError

    names = [o.sym_name.data for o in module.ops if isinstance(o, func.FuncOp)]
    if entry in names:
        return entry
    if len(names) == 1:
        return names[0]
    raise ErnnError(
        f"error: translation validation runs @{entry}, which the module does not define "
        f"(functions: {', '.join('@' + n for n in names) or 'none'})"
    )


def random_inputs(module: ModuleOp, entry: str = "main", seed: int = 0) -> list[np.ndarray]:
    from ernn_ir.lowering.reference.inputs import random_inputs as function_inputs

    return function_inputs(Reference(module).function(entry), np.random.default_rng(seed))


def _run(module: ModuleOp, inputs: list[np.ndarray], entry: str) -> tuple[list[np.ndarray], list[tuple[Operation, int]]]:
    res = Reference(module).run(inputs, entry)
    return res.as_float(), [(op, n) for op, n in res.events if n]


def validate_pipeline(
    module: ModuleOp,
    passes: str | Sequence[ModulePass],
    ctx: Context | None = None,
    inputs: list[np.ndarray] | None = None,
    entry: str = "main",
    seed: int = 0,
) -> ValidationReport:
    """Apply `passes` to `module` in place, checking the reference output after each one."""
    from ernn_ir.registry import all_passes, make_context

    ctx = ctx or make_context()
    entry = pick_entry(module, entry)
    if isinstance(passes, str):
        passes = PassPipeline.parse_spec(all_passes(), passes).passes
    if inputs is None:
        inputs = random_inputs(module, entry, seed)
    original, _ = _run(module, inputs, entry)
    previous = original
    report = ValidationReport()
    for p in passes:
        p.apply(ctx, module)
        module.verify()
        outs, events = _run(module, inputs, entry)
        report.stages.append(
            StageResult(
                p.name,
                max(float(np.max(np.abs(a - b))) for a, b in zip(outs, previous)),
                max(float(np.max(np.abs(a - b))) for a, b in zip(outs, original)),
                sqnr_db(original, outs),
                sum(n for _, n in events),
                events,
            )
        )
        previous = outs
    return report
