"""ernn-expand-cells and ernn-circulant-to-fft preserve the reference output (float64, 1e-9)."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.context import Context

from ernn_ir.builder import build_module, module_to_text, parse_module_text
from ernn_ir.dialects import ernn
from ernn_ir.lowering.reference import run_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.circulant_to_fft import CirculantToFftPass
from ernn_ir.passes.expand_cells import ExpandCellsPass
from ernn_ir.validation import validate_pipeline

CASES = [
    ("lstm", dict(input_size=12, hidden_size=16, block=8)),
    ("lstm", dict(input_size=10, hidden_size=8, block=4, peepholes=True)),
    ("lstm", dict(input_size=9, hidden_size=16, block=2, proj_size=6, peepholes=True)),
    ("lstm", dict(input_size=20, hidden_size=32, block=16, proj_size=16, bias=False)),
    ("gru", dict(input_size=12, hidden_size=16, block=8)),
    ("gru", dict(input_size=7, hidden_size=8, block=4, reset_after=False)),
    ("gru", dict(input_size=33, hidden_size=32, block=16, bias=False)),
]


def _model(kind, kw, seq=5, batch=2, seed=3, **layer):
    spec = (random_lstm if kind == "lstm" else random_gru)(**kw, seed=seed)
    for k, v in layer.items():
        setattr(spec, k, v)
    return build_module([spec], seq_len=seq, batch=batch, dtype="f64"), spec


@pytest.mark.parametrize("kind,kw", CASES)
@pytest.mark.parametrize("reverse", [False, True])
def test_passes_preserve_output(kind, kw, reverse):
    module, _ = _model(kind, kw)
    if reverse:
        layer = next(o for o in module.walk() if isinstance(o, ernn.LstmOp | ernn.GruOp))
        from xdsl.dialects.builtin import UnitAttr

        layer.properties["reverse"] = UnitAttr()
    report = validate_pipeline(module, "ernn-expand-cells,ernn-circulant-to-fft", seed=1)
    for stage in report.stages:
        assert stage.max_abs_vs_original < 1e-9, report.table()
    names = {o.name for o in module.walk()}
    assert "ernn.lstm" not in names and "ernn.gru" not in names
    assert "ernn.circ_matvec" not in names
    assert {"ernn.rfft", "ernn.irfft", "ernn.cmul", "ernn.scan"} <= names


def test_last_step_and_initial_state():
    module, spec = _model("lstm", CASES[2][1], return_sequence=False)
    x = np.random.default_rng(0).standard_normal((5, 2, 9))
    before = run_module(module, [x])[0]
    ExpandCellsPass().apply(Context(), module)
    module.verify()
    after = run_module(module, [x])[0]
    assert before.shape == (2, 6)
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-12)


def test_ir_size_independent_of_sequence_length():
    sizes = []
    for T in (2, 50):
        module, _ = _model("lstm", CASES[1][1], seq=T)
        ExpandCellsPass().apply(Context(), module)
        CirculantToFftPass().apply(Context(), module)
        sizes.append(sum(1 for _ in module.walk()))
    assert sizes[0] == sizes[1]


def test_expand_is_idempotent_and_round_trips():
    module, _ = _model("gru", CASES[5][1])
    ExpandCellsPass().apply(Context(), module)
    once = module_to_text(module)
    ExpandCellsPass().apply(Context(), module)
    assert module_to_text(module) == once
    assert module_to_text(parse_module_text(once)) == once


def test_circulant_to_fft_counts_per_block():
    """The naive form transforms every block: p*q input, weight and inverse transforms."""
    module, spec = _model("lstm", dict(input_size=24, hidden_size=16, block=8))
    ExpandCellsPass().apply(Context(), module)
    CirculantToFftPass().apply(Context(), module)
    ffts = [o for o in module.walk() if isinstance(o, ernn.RfftOp)]
    shapes = sorted(tuple(o.result.type.get_shape()) for o in ffts)
    # w_x: p = 64/8 = 8, q = 3; w_h: p = 8, q = 2 (input and weight transforms each)
    assert shapes == sorted([(2, 8, 3, 5, 2), (8, 3, 5, 2), (2, 8, 2, 5, 2), (8, 2, 5, 2)])


def test_circulant_to_fft_rejects_non_power_of_two_block():
    from xdsl.utils.exceptions import DiagnosticException

    module, _ = _model("lstm", dict(input_size=6, hidden_size=6, block=3))
    ExpandCellsPass().apply(Context(), module)
    with pytest.raises(DiagnosticException, match="not a power of two"):
        CirculantToFftPass().apply(Context(), module)
