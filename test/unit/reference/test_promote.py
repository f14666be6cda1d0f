"""promote_to_f64: an f32 module widened exactly to f64, at every level of the IR."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects.builtin import Float32Type

from ernn_ir.builder import build_module, module_to_text, parse_module_text
from ernn_ir.lowering.reference import run_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes import PASSES
from ernn_ir.promote import promote_to_f64
from ernn_ir.registry import make_context

LEVELS = {
    "model": [],
    "gate": ["ernn-expand-cells"],
    "fused": ["ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion", "ernn-weight-sharing"],
    "pwl": ["ernn-expand-cells", "ernn-approximate-activations"],
}


def _mentions_f32(module) -> bool:
    text = module_to_text(module)
    return "f32" in text or any(
        isinstance(getattr(r.type, "element_type", None), Float32Type)
        for op in module.walk()
        for r in op.results
    )


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize(
    "spec",
    [random_lstm(12, 16, 8, proj_size=8, peepholes=True, seed=1), random_gru(10, 8, 4, seed=2)],
    ids=["lstmp", "gru"],
)
def test_promotion_is_exact(level, spec):
    m = build_module([spec], seq_len=3, batch=2)
    ctx = make_context()
    for name in LEVELS[level]:
        PASSES[name]()().apply(ctx, m)
    x = np.random.default_rng(0).standard_normal((3, 2, spec.input_size)).astype(np.float32)
    y32 = run_module(m, [x])[0]
    wide = promote_to_f64(m.clone())
    wide.verify()
    assert not _mentions_f32(wide)
    wide = parse_module_text(module_to_text(wide))  # still valid text
    y64 = run_module(wide, [x.astype(np.float64)])[0]
    assert y64.dtype == np.float64
    # the same math on the same (exactly widened) weights, without f32 rounding
    np.testing.assert_allclose(y64, y32, rtol=0, atol=2e-6)
    # the original is untouched
    assert run_module(m, [x])[0].dtype == np.float32
