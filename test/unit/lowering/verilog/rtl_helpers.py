"""Shared helpers of the Verilog backend tests: designs of random models, reference events inside the loop."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "hardware"))

from hw_models import quantized, random_frames, step_graph, tiled  # noqa: E402

from ernn_ir.dialects.ernn_hw import AcceleratorOp  # noqa: E402
from ernn_ir.hardware.constants import OuterConstants  # noqa: E402
from ernn_ir.hardware.design_view import accelerators, read_design  # noqa: E402
from ernn_ir.lowering.reference import Reference  # noqa: E402

__all__ = ["quantized", "random_frames", "step_graph", "tiled", "reference_run", "design_view", "inside_events",
           "accelerator_io"]


def design_view(module):
    return read_design(accelerators(module)[0], OuterConstants(module))


def _inside(op) -> bool:
    p = op.parent_op()
    while p is not None:
        if isinstance(p, AcceleratorOp):
            return True
        p = p.parent_op()
    return False


def reference_run(module, x):
    return Reference(module).run(x)


def inside_events(result) -> int:
    """Overflow events of the ops inside the accelerator (the host's quantize is not hardware)."""
    return sum(n for op, n in result.events if _inside(op))


class _Recorder:
    """A backend that runs the accelerator in the reference and keeps its raw inputs and outputs."""

    def __init__(self, interpreter_of):
        self.runs = []
        self.io = []
        self.interpreter_of = interpreter_of

    def run(self, acc, inputs):
        import numpy as np

        from ernn_ir.lowering.backends import AcceleratorRun
        from ernn_ir.lowering.reference.structure import run_time_loop

        oc = OuterConstants(acc.parent_op().parent_op())
        inits = [np.asarray(oc(v), dtype=np.int64) for v in acc.inits]
        res = run_time_loop(self.interpreter_of(), acc, (*inputs, *inits), reverse=False)
        self.io.append((inputs[0], res[0]))
        return AcceleratorRun(outputs=list(res[: acc.num_step_outputs]))


def accelerator_io(module, x):
    """(raw frames the accelerator receives, raw stacked step output it must give) for function input x."""
    holder = {}
    rec = _Recorder(lambda: holder["ref"].interpreter)
    ref = Reference(module, accelerator_backend=rec)
    holder["ref"] = ref
    ref.run(x)
    return rec.io[0]
