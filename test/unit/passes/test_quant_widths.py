"""ernn-pipeline at every data and weight width: formats from ranges, nothing saturates.

Before formats followed from ranges, `data-bits=12` kept the 16-bit fraction
bits: sigmoid/tanh outputs became fixed<12, 12> (max 0.4998) and the
pipeline's output collapsed to a few dB with thousands of overflow events.
"""

from __future__ import annotations

import numpy as np
import pytest

from ernn_ir.builder import build_module, parse_module_text
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.types import FixedType
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.numerics import FixedFormat
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.validation import validate_pipeline

MODELS = {
    "lstmp-peep": lambda: random_lstm(20, 32, 8, proj_size=16, peepholes=True, seed=3),
    "lstm": lambda: random_lstm(12, 16, 4, seed=8),
    "gru-after": lambda: random_gru(20, 32, 8, reset_after=True, seed=4),
    "gru-before": lambda: random_gru(20, 32, 8, reset_after=False, seed=5),
}
# SQNR floors (dB, against the exact float model) by width; measured values are
# 2 to 6 dB above them; 32-segment PWL tables cap every width near 35-42 dB.
FLOOR = {8: 10.0, 10: 20.0, 12: 28.0, 14: 30.0, 16: 30.0}


def _fmt(v) -> FixedFormat:
    e = v.type.element_type
    assert isinstance(e, FixedType)
    return FixedFormat(e.width.data, e.frac.data)


def _run(spec, width: int, **options):
    m = build_module([spec], seq_len=12, batch=2)
    report = validate_pipeline(m, PipelinePass(weight_bits=width, data_bits=width, **options).stages(), seed=4)
    return m, report.stages[-1]


@pytest.mark.parametrize("width", sorted(FLOOR))
@pytest.mark.parametrize("model", list(MODELS))
def test_every_width_keeps_activations_unsaturated(model, width, capsys):
    m, final = _run(MODELS[model](), width)
    capsys.readouterr()
    assert final.overflow_events == 0, final
    assert final.sqnr_db >= FLOOR[width], final
    tables = [op for op in m.walk() if isinstance(op, ernn.PwlOp)]
    assert tables
    for op in tables:
        out = _fmt(op.results[0])
        assert out.width == width
        # the format holds every value the table can produce, with room to spare
        slopes = np.asarray(op.slopes.get_values(), np.float64) * 2.0**-op.coeff.frac.data
        icpt = np.asarray(op.intercepts.get_values(), np.float64) * 2.0**-op.coeff.frac.data
        x0 = op.x_min.value.data
        ends = x0 + np.arange(slopes.size + 1) * 2.0**op.log2_step.value.data
        values = np.concatenate([slopes * ends[:-1] + icpt, slopes * ends[1:] + icpt])
        assert out.max_value >= values.max() and out.min_value <= values.min()
        # ... and no more than one spare integer bit: sigmoid/tanh take 1 integer bit
        assert out.max_value < 2.0


@pytest.mark.parametrize("width", [8, 10, 12])
def test_cell_state_format_follows_its_recurrence_bound(width, capsys):
    """|c| < T = 12 steps: 4 integer bits (the cap cell-max = 16 does not bind)."""
    m, final = _run(MODELS["lstm"](), width)
    capsys.readouterr()
    (c_next,) = [op.results[0] for op in m.walk() if isinstance(op, ernn.AddOp) and op.results[0].name_hint == "c_next"]
    f = _fmt(c_next)
    assert f.width == width and 11.0 < f.max_value < 32.0, f


def test_calibration_tightens_the_projection_state(capsys):
    """The static bound of r = W_proj h is the row L1 norm of W_proj (|h| <= 1); calibration
    measures the real range, which at 8 bits buys several dB."""
    spec = MODELS["lstmp-peep"]()
    _, static = _run(spec, 8)
    _, calibrated = _run(spec, 8, calibrate=4)
    capsys.readouterr()
    assert calibrated.sqnr_db >= static.sqnr_db + 5.0, (static, calibrated)
    assert calibrated.overflow_events == 0


def test_lstm_small_12_bit_pipeline(capsys):
    """The issue's reproduction: examples/lstm_small.mlir with weight-bits=12 data-bits=12."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "examples" / "lstm_small.mlir"
    m = parse_module_text(path.read_text(), str(path))
    report = validate_pipeline(m, PipelinePass(weight_bits=12, data_bits=12).stages())
    capsys.readouterr()
    final = report.stages[-1]
    assert final.overflow_events == 0, report.table()
    assert final.sqnr_db > 25.0, report.table()  # 27.4 dB measured; it was 3.9 dB
    sig = [op for op in m.walk() if isinstance(op, ernn.PwlOp) and op.function.data == "sigmoid"]
    assert sig and all(_fmt(op.results[0]) == FixedFormat(12, 10) for op in sig)


def test_input_range_is_an_option(capsys):
    """Inputs beyond the assumed input-max saturate and are counted; a wider range takes them."""
    spec = MODELS["gru-after"]()
    m = build_module([spec], seq_len=12, batch=2)
    x = np.random.default_rng(1).standard_normal((12, 2, 20)) * 3.0  # |x| up to about 10
    report = validate_pipeline(m, PipelinePass(data_bits=12, input_max=1.0).stages(), inputs=[x])
    capsys.readouterr()
    assert report.stages[-1].overflow_events > 0
    (q,) = [op for op, n in report.stages[-1].overflows if isinstance(op, ernn.QuantizeOp)]
    assert _fmt(q.results[0]) == FixedFormat(12, 11)  # [-1, 1): no integer bit
    m = build_module([spec], seq_len=12, batch=2)
    report = validate_pipeline(m, PipelinePass(data_bits=12, input_max=16.0).stages(), inputs=[x])
    capsys.readouterr()
    assert report.stages[-1].overflow_events == 0


def test_a_table_finer_than_its_input_format_is_a_located_error(capsys):
    """6-bit data: the cell state's range |c| < 16 leaves lsb 1, coarser than the tanh table's
    2^-2 segments; the error names the op (at the ernn.lstm it came from) and the ways out."""
    from pathlib import Path

    from ernn_ir.diagnostics import PassError

    path = Path(__file__).resolve().parents[3] / "examples" / "lstm_small.mlir"
    m = parse_module_text(path.read_text(), str(path))
    with pytest.raises(PassError, match=r"lstm_small.mlir:8:5: error: ernn-quantize: 'ernn.pwl' %tc: .*"
                                        r"finer than the lsb 2\^0 of its input format fixed<6, 0>.*cell-max"):
        PipelinePass(data_bits=6).apply(None, m)
    capsys.readouterr()
    m = parse_module_text(path.read_text(), str(path))
    PipelinePass(data_bits=6, cell_max=2.0).apply(None, m)  # a range the table can index at 6 bits
    capsys.readouterr()
