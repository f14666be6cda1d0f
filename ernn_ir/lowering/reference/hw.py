"""Reference semantics of the `ernn_hw` step ops: the accelerator's time loop and the ROM-fed matvec.

`ernn_hw.accelerator` runs exactly like `ernn.scan`; `ernn_hw.mac` rebuilds
its weight spectra from the design's banked ROM with the layout
`ernn_hw.mac` documents (`ernn_ir/hardware/rom_layout.py`) and computes
`ernn.spectral_mac`'s numbers from them, so a wrong ROM image or row order
changes the result and translation validation sees it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    ReturnedValues,
    impl,
    impl_terminator,
    register_impls,
)

from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn_hw import AcceleratorOp, MacOp, YieldOp
from ernn_ir.lowering.reference.events import EventLog
from ernn_ir.lowering.reference.structure import run_time_loop
from ernn_ir.lowering.reference.values import ReferenceError, fixed_format, float_dtype, is_fixed, modes
from ernn_ir.numerics import prepare_spectra_fixed, spectral_mac_fixed, spectral_mac_float, prepare_circulant


@register_impls
class HwFunctions(InterpreterFunctions):
    def __init__(self, log: EventLog, backend=None) -> None:
        self.log = log
        self.backend = backend
        self._weights: dict[int, tuple[np.ndarray, Any]] = {}

    @impl(AcceleratorOp)
    def run_accelerator(self, interpreter: Interpreter, op: AcceleratorOp, args: tuple[Any, ...]):
        if self.backend is None:
            return run_time_loop(interpreter, op, args, reverse=False)
        # another backend runs the loop; the final carried values are never read (ernn-tile
        # refuses loops whose final states are used), so they are returned as zeros
        n_in = len(op.inputs)
        run = self.backend.run(op, list(args[:n_in]))
        self.backend.runs.append(run)
        finals = [np.zeros(tuple(r.type.get_shape()), dtype=np.int64) for r in op.results_[op.num_step_outputs:]]
        return (*run.outputs, *finals)

    @impl_terminator(YieldOp)
    def run_yield(self, interpreter: Interpreter, op: YieldOp, args: tuple[Any, ...]):
        return ReturnedValues(args), ()

    def weights(self, op: MacOp) -> tuple[np.ndarray, Any]:
        cached = self._weights.get(id(op))
        if cached is not None:
            return cached
        from ernn_ir.hardware.rom_layout import MacLayout, unpack

        rom = op.rom()
        if rom is None:
            raise ReferenceError(f"ernn_hw.mac reads ROM @{op.weights.root_reference.data}, which its design lacks")
        image = dense_to_numpy(rom.contents).astype(np.int64)
        lay = MacLayout(op.rows.value.data, op.cols.value.data,
                        tuple(int(v) for v in op.row_order.get_values()),
                        tuple(int(v) for v in op.parts.get_values()))
        q = sum(lay.parts)
        W = unpack(image, lay, op.base.value.data, q)
        fixed = is_fixed(op.result.type)
        packed = prepare_spectra_fixed(W) if fixed else prepare_circulant(W, dtype=float_dtype(op.result.type))
        self._weights[id(op)] = (W, packed)
        return W, packed

    @impl(MacOp)
    def run_mac(self, interpreter: Interpreter, op: MacOp, args: tuple[Any, ...]):
        (X,) = args
        W, packed = self.weights(op)
        if is_fixed(op.result.type):
            out, ev = spectral_mac_fixed(
                W, fixed_format(op.weight_type).frac, X, fixed_format(op.input.type).frac,
                fixed_format(op.result.type), *modes(op), weights=packed,
            )
            self.log.add(op, ev)
            return (out,)
        return (spectral_mac_float(W, X, weights=packed),)
