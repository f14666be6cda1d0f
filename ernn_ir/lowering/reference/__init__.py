"""The reference interpreter: runs ernn IR at any level, bit-exact to docs/numerics.md.

    from ernn_ir.lowering.reference import run_module
    outputs = run_module(module, [x])            # list of numpy arrays
    result = Reference(module).run([x])          # outputs + overflow events

Op semantics live next to each other by level: model.py (ernn.lstm/gru),
gate.py, freq.py, quant.py, structure.py (constants, shapes, ernn.scan).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.interpreter import Interpreter
from xdsl.ir import Operation

from ernn_ir.dialects.ernn.types import describe
from ernn_ir.lowering.reference.calls import CallFunctions
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.freq import FreqFunctions
from ernn_ir.lowering.reference.gate import GateFunctions
from ernn_ir.lowering.reference.hw import HwFunctions
from ernn_ir.lowering.reference.kernels import KernelTable
from ernn_ir.lowering.reference.memory import check_function_memory
from ernn_ir.lowering.reference.model import ModelFunctions
from ernn_ir.lowering.reference.pool import PoolFunctions
from ernn_ir.lowering.reference.quant import QuantFunctions
from ernn_ir.lowering.reference.scan_plan import FunctionPlan, compile_function
from ernn_ir.lowering.reference.structure import StructureFunctions
from ernn_ir.lowering.reference.values import (
    CirculantValue,
    ReferenceError,
    fixed_format,
    float_dtype,
    is_fixed,
)
from ernn_ir.numerics import dequantize, quantize

__all__ = ["Reference", "RunResult", "ReferenceError", "run_module", "CirculantValue"]


@dataclass
class RunResult:
    outputs: list[np.ndarray]
    """Float outputs as arrays of their dtype; fixed-point outputs as raw int64."""
    output_types: list
    events: list[tuple[Operation, int]]
    """(op, count) for every op whose fixed-point results saturated or wrapped."""

    def as_float(self) -> list[np.ndarray]:
        """Outputs as float64 (fixed point dequantized)."""
        return [
            dequantize(v, fixed_format(t).frac) if is_fixed(t) else np.asarray(v, np.float64)
            for v, t in zip(self.outputs, self.output_types)
        ]


class Reference:
    """Runs functions of one module; reuse it to amortise constant decoding.

    With `accelerator_backend` (ernn_ir/lowering/backends.py) the time loops
    of `ernn_hw.accelerator` ops run on that backend instead.

    Each op is compiled to a kernel on its first run (kernels.py).  With
    `step_plan` (the default) functions and `ernn.scan` run compiled plans
    (scan_plan.py: no per-op dispatch, recurrence-independent work hoisted
    out of the loop); `step_plan=False` interprets them op by op through
    xDSL's interpreter, the straightforward schedule the tests compare it
    with, as does a run with interpreter listeners (calibration).  Both
    give the same results and event counts.  Kernels and plans are built
    from the ops as they are at their first run: do not change the module
    while a Reference of it is in use.
    """

    def __init__(self, module: ModuleOp, step_plan: bool = True, accelerator_backend=None) -> None:
        self.module = module
        self.log = EventLog()
        self.interpreter = Interpreter(module)
        structure = StructureFunctions(step_plan=step_plan)
        tables = [
            structure,
            GateFunctions(self.log),
            FreqFunctions(self.log),
            QuantFunctions(self.log),
            ModelFunctions(),
            PoolFunctions(),
            HwFunctions(self.log, accelerator_backend),
        ]
        self.interpreter.register_implementations(CallFunctions())
        for t in tables:
            self.interpreter.register_implementations(t)
        self.kernels = structure.kernels = KernelTable(tables)
        """The kernel of every op of the module (compiled on first use)."""
        self.step_plan = step_plan
        self._structure = structure
        self._function_plans: dict[func.FuncOp, FunctionPlan | None] = {}
        self._memory_checked: set[func.FuncOp] = set()

    def function(self, entry: str) -> func.FuncOp:
        for op in self.module.ops:
            if isinstance(op, func.FuncOp) and op.sym_name.data == entry:
                return op
        names = [op.sym_name.data for op in self.module.ops if isinstance(op, func.FuncOp)]
        raise ReferenceError(
            f"no function @{entry} in the module (functions: {', '.join('@' + n for n in names) or 'none'})"
        )

    def prepare_inputs(self, f: func.FuncOp, inputs: list[np.ndarray]) -> list[np.ndarray]:
        types = f.function_type.inputs.data
        if len(inputs) != len(types):
            raise ReferenceError(
                f"@{f.sym_name.data} takes {len(types)} input(s), {len(inputs)} given"
            )
        out = []
        for n, (x, t) in enumerate(zip(inputs, types)):
            x = np.asarray(x)
            if not isinstance(t, TensorType):
                raise ReferenceError(
                    f"input #{n} of @{f.sym_name.data} is {describe(t)}; the reference takes "
                    "tensor arguments only"
                )
            shape = tuple(t.get_shape())
            if x.shape != shape:
                raise ReferenceError(
                    f"input #{n} of @{f.sym_name.data} must have shape {shape}, got {x.shape}"
                )
            if is_fixed(t):
                if x.dtype.kind in "iu":
                    fmt = fixed_format(t)
                    if x.size and (x.min() < fmt.min_raw or x.max() > fmt.max_raw):
                        raise ReferenceError(
                            f"input #{n}: raw values exceed the {fmt.width}-bit range of {t}"
                        )
                    x = x.astype(np.int64)
                elif x.dtype.kind == "f":
                    x, ev = quantize(x, fixed_format(t), "half_up", "saturate")
                    if ev:
                        raise ReferenceError(
                            f"input #{n}: {ev} value(s) do not fit the fixed-point type {t}"
                        )
                else:
                    raise ReferenceError(f"input #{n} must be numeric, got dtype {x.dtype}")
            else:
                if x.dtype.kind not in "fiu":
                    raise ReferenceError(f"input #{n} must be numeric, got dtype {x.dtype}")
                x = x.astype(float_dtype(t))
            out.append(x)
        return out

    def _plan(self, f: func.FuncOp) -> FunctionPlan | None:
        if f not in self._function_plans:
            self._function_plans[f] = compile_function(f, self.kernels, self._structure.plan)
        return self._function_plans[f]

    def check_memory(self, f: func.FuncOp) -> None:
        """Refuse `f` if a value it computes cannot fit the memory budget (`memory.check_function_memory`).

        The sizes are the types': checked once per function, not per run.
        """
        if f not in self._memory_checked:
            check_function_memory(f)
            self._memory_checked.add(f)

    def run(self, inputs: list[np.ndarray], entry: str = "main") -> RunResult:
        f = self.function(entry)
        self.check_memory(f)
        args = self.prepare_inputs(f, inputs)
        self.log.counts.clear()
        self.log.ops.clear()
        plan = self._plan(f) if self.step_plan and not self.interpreter.listeners else None
        if plan is not None:
            results = plan.run(args)
        else:
            results = self.interpreter.call_op(entry, tuple(args))
        return RunResult(list(results), list(f.function_type.outputs.data), self.log.items())


def run_module(module: ModuleOp, inputs: list[np.ndarray], entry: str = "main") -> list[np.ndarray]:
    """Run `entry` on `inputs`; float outputs keep their dtype, fixed-point outputs are raw int64."""
    return Reference(module).run(inputs, entry).outputs
