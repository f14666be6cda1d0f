"""Seeded random inputs for a function: one definition for ernn-run, --validate and calibration."""

from __future__ import annotations

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import TensorType

from ernn_ir.dialects.ernn.types import describe
from ernn_ir.lowering.reference.values import ReferenceError, fixed_format, is_fixed


def random_inputs(f: func.FuncOp, rng: np.random.Generator, scale: float = 1.0) -> list[np.ndarray]:
    """One standard-normal array (times `scale`) per argument of `f`, in order.

    Fixed-point arguments are clipped to their range (values outside it would
    not be inputs of that type); an argument that is not a tensor raises
    ReferenceError, naming it.
    """
    out = []
    for n, t in enumerate(f.function_type.inputs.data):
        if not isinstance(t, TensorType):
            raise ReferenceError(f"input #{n} of @{f.sym_name.data} is {describe(t)}; random inputs "
                                 "are made for tensor arguments only")
        x = scale * rng.standard_normal(tuple(t.get_shape()))
        if is_fixed(t):
            fmt = fixed_format(t)
            x = np.clip(x, fmt.min_raw * 2.0 ** -fmt.frac, fmt.max_raw * 2.0 ** -fmt.frac)
        out.append(x)
    return out
