"""Range calibration and error measurement for `ernn-quantize`.

- `random_inputs(module, n, seed)`: n standard-normal input sets for @main.
- `observe_ranges(module, input_sets)`: runs the float module through the
  reference interpreter and records max |value| of every op result.
- `fit_frac(max_abs, width, guard)`: the largest fraction-bit count for which
  `max_abs * 2^guard` still fits a signed `width`-bit number.
- `sqnr_db(float_module, fixed_module, inputs)`: signal-to-quantization-noise
  ratio, in dB, of the fixed-point module's outputs against the float ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

# The reference interpreter is imported where a function runs it: ernn-quantize
# without calibration (and every other pass) never does.
if TYPE_CHECKING:
    from ernn_ir.lowering.reference import Reference

MAX_FRAC = 128


def entry_function(module: ModuleOp, entry: str = "main") -> func.FuncOp:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == entry:
            return op
    raise ValueError(f"no function @{entry} in the module")


def random_inputs(
    module: ModuleOp, n: int, seed: int = 0, entry: str = "main", scale: float = 1.0
) -> list[list[np.ndarray]]:
    """`n` input sets of standard-normal values (times `scale`) shaped like @entry's arguments."""
    from ernn_ir.lowering.reference.inputs import random_inputs as function_inputs

    f = entry_function(module, entry)
    rng = np.random.default_rng(seed)
    return [function_inputs(f, rng, scale) for _ in range(n)]


def normalize_input_sets(inputs) -> list[list[np.ndarray]]:
    """Accept one input set (a list of arrays), several sets, or a bare array."""
    if isinstance(inputs, np.ndarray):
        return [[inputs]]
    inputs = list(inputs)
    if inputs and isinstance(inputs[0], np.ndarray):
        return [inputs]
    return [list(s) if not isinstance(s, np.ndarray) else [s] for s in inputs]


def _range_listener():
    """An interpreter listener recording max |value| of every float op result."""
    from xdsl.interpreter import Interpreter

    class RangeListener(Interpreter.Listener):
        def __init__(self) -> None:
            self.max_abs: dict[SSAValue, float] = {}

        def did_interpret_op(self, op, results) -> None:
            for r, v in zip(op.results, results):
                if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.size:
                    m = float(np.max(np.abs(v)))
                    if not math.isfinite(m):
                        m = float(np.max(np.abs(v[np.isfinite(v)]), initial=0.0))
                    if m > self.max_abs.get(r, 0.0):
                        self.max_abs[r] = m
                elif r not in self.max_abs:
                    self.max_abs[r] = 0.0

    return RangeListener()


def _reference(module: ModuleOp) -> Reference:
    from ernn_ir.lowering.reference import Reference

    return Reference(module)


def observe_ranges(
    module: ModuleOp, input_sets: Sequence[Sequence[np.ndarray]], entry: str = "main"
) -> dict[SSAValue, float]:
    """max |value| of every float op result over all runs (scan bodies: over all steps)."""
    ref = _reference(module)
    listener = _range_listener()
    ref.interpreter.listeners = (*ref.interpreter.listeners, listener)
    args = entry_function(module, entry).body.block.args
    m = listener.max_abs
    for inputs in input_sets:
        ref.run(list(inputs), entry)
        for a, x in zip(args, inputs):
            x = np.asarray(x, np.float64)
            if x.size:
                m[a] = max(m.get(a, 0.0), float(np.max(np.abs(x))))
    return m


def fit_frac(max_abs: float, width: int, guard: int = 0) -> int:
    """Largest F with round(max_abs * 2^guard * 2^F) <= 2^(width-1) - 1 (clamped to +-128)."""
    top = (1 << (width - 1)) - 1
    m = float(max_abs) * (2.0**guard)
    if not m > 0 or not math.isfinite(m):
        return min(width - 1, MAX_FRAC)
    f = math.floor(math.log2(top / m))
    # guard against floating error in log2 and the rounding of the top value
    while f > -MAX_FRAC and math.floor(m * 2.0**f + 0.5) > top:
        f -= 1
    while f < MAX_FRAC and math.floor(m * 2.0 ** (f + 1) + 0.5) <= top:
        f += 1
    return max(-MAX_FRAC, min(MAX_FRAC, f))


def run_float(module: ModuleOp, input_sets, entry: str = "main") -> list[list[np.ndarray]]:
    ref = _reference(module)
    return [ref.run(list(s), entry).as_float() for s in normalize_input_sets(input_sets)]


def sqnr_db(float_module: ModuleOp, fixed_module: ModuleOp, inputs, entry: str = "main") -> float:
    """SQNR (dB) of the fixed module's outputs vs the float module's, over all outputs and input sets.

    `inputs` is one input set (a list of arrays, one per argument of @entry)
    or a list of such sets.  Returns +inf when the outputs agree exactly.
    """
    sets = normalize_input_sets(inputs)
    ref_f, ref_q = _reference(float_module), _reference(fixed_module)
    sig = noise = 0.0
    for s in sets:
        a = ref_f.run(list(s), entry).as_float()
        b = ref_q.run(list(s), entry).as_float()
        for x, y in zip(a, b):
            x = np.asarray(x, np.float64)
            y = np.asarray(y, np.float64)
            sig += float(np.sum(x * x))
            noise += float(np.sum((x - y) ** 2))
    if noise == 0.0:
        return math.inf
    if sig == 0.0:
        return -math.inf
    return 10.0 * math.log10(sig / noise)
