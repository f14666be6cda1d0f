"""Helpers shared by the pass tests."""

from __future__ import annotations

import numpy as np

from ernn_ir.builder import build_module
from ernn_ir.passes import PASSES
from ernn_ir.registry import make_context


def apply(module, *passes):
    """Apply pass instances in order; the module must verify afterwards."""
    ctx = make_context()
    for p in passes:
        p.apply(ctx, module)
    module.verify()
    return module


def lower(spec, T, names):
    """A module of `spec` over T steps with the named passes applied."""
    return apply(build_module([spec], T), *(PASSES[n]()() for n in names))


def random_inputs_for(module, seed=1):
    """Standard-normal inputs for the first function's first argument."""
    t = module.ops.first.function_type.inputs.data[0]
    return [np.random.default_rng(seed).standard_normal(tuple(t.get_shape()))]


def assert_outputs_close(a, b, tol):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)
