"""The whole ernn-pipeline, stage by stage, under translation validation on random models.

Float stages keep the float64 output to 1e-9; the approximation and
quantization stages report a finite SQNR against float, which must stay
above a floor (32-segment tables, 16-bit data path).
"""

from __future__ import annotations

import pytest

from ernn_ir.builder import build_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.validation import validate_pipeline

MODELS = [
    ("lstm b2", lambda: random_lstm(7, 8, 2, seed=1)),
    ("lstm b4 peep", lambda: random_lstm(10, 16, 4, peepholes=True, seed=2)),
    ("lstmp b8", lambda: random_lstm(20, 32, 8, proj_size=12, peepholes=True, seed=3)),
    ("lstmp b16", lambda: random_lstm(33, 32, 16, proj_size=16, seed=4)),
    ("gru b4", lambda: random_gru(9, 16, 4, seed=5)),
    ("gru b8 reset-before", lambda: random_gru(20, 32, 8, reset_after=False, seed=6)),
    ("gru b16", lambda: random_gru(17, 32, 16, seed=7)),
    # b = 1: dense matrices, which keep the matvec form (no FFT needed)
    ("lstmp b1", lambda: random_lstm(5, 6, 1, proj_size=3, peepholes=True, seed=8)),
    ("gru b1", lambda: random_gru(5, 6, 1, seed=9)),
]
FLOAT_STAGES = {"ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion", "ernn-weight-sharing"}


@pytest.mark.parametrize("name,make", MODELS, ids=[m[0] for m in MODELS])
def test_pipeline_stages_validate(name, make, capsys):
    module = build_module([make()], seq_len=6, batch=2, dtype="f64")
    report = validate_pipeline(module, PipelinePass().stages(), seed=3)
    capsys.readouterr()  # the approximation report
    names = [s.name for s in report.stages]
    assert names == [
        "ernn-expand-cells",
        "ernn-circulant-to-fft",
        "ernn-fft-fusion",
        "ernn-weight-sharing",
        "ernn-approximate-activations",
        "ernn-quantize",
    ]
    for s in report.stages:
        if s.name in FLOAT_STAGES:
            assert s.max_abs_vs_original < 1e-9, report.table()
    final = report.stages[-1]
    assert final.overflow_events == 0, report.table()
    assert 28.0 < final.sqnr_db < 200.0, report.table()


@pytest.mark.parametrize("make", [lambda: random_lstm(5, 6, 1, seed=10), lambda: random_gru(5, 6, 1, seed=11)],
                         ids=["lstm", "gru"])
def test_block_size_1_keeps_the_matvec_form(make, capsys):
    module = build_module([make()], seq_len=4)
    PipelinePass().apply(None, module)  # default fft=true
    capsys.readouterr()
    names = [op.name for op in module.walk()]
    assert "ernn.circ_matvec" in names
    assert not {"ernn.rfft", "ernn.irfft", "ernn.spectral_mac"} & set(names)
