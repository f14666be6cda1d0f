"""ernn-quantize: fixed-point rewriting, calibration, SQNR, diagnostics."""

from __future__ import annotations

import numpy as np
import pytest
from pass_helpers import lower
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.builder import build_module, module_to_text
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.types import FixedType
from ernn_ir.lowering.reference import Reference
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.calibration import fit_frac, random_inputs, sqnr_db
from ernn_ir.passes.quantize import QuantizePass, quantize_module

GATE = ["ernn-expand-cells"]
NAIVE = ["ernn-expand-cells", "ernn-circulant-to-fft"]
FUSED = ["ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion", "ernn-weight-sharing"]

MODELS = {
    "lstm": lambda: random_lstm(20, 32, 8, proj_size=16, peepholes=True, seed=3),
    "gru_after": lambda: random_gru(20, 32, 8, reset_after=True, seed=4),
    "gru_before": lambda: random_gru(20, 32, 8, reset_after=False, seed=5),
}


def fixed_values(module):
    for op in module.walk():
        for r in op.results:
            e = getattr(r.type, "element_type", None)
            if e is not None and not isinstance(op, ernn.DequantizeOp):
                yield op, e


@pytest.mark.parametrize("level", [GATE, NAIVE, FUSED], ids=["gate", "naive-fft", "fused-fft"])
@pytest.mark.parametrize("model", list(MODELS))
def test_quantize_models(model, level):
    spec = MODELS[model]()
    f = lower(spec, 6, level)
    q = lower(spec, 6, level)
    quantize_module(q)
    q.verify()
    # everything inside is fixed point, the boundary is float
    for op, e in fixed_values(q):
        if op.name in ("func.func",):
            continue
        assert isinstance(e, FixedType), (op.name, e)
    names = [op.name for op in q.walk()]
    assert names.count("ernn.quantize") == 1 and names.count("ernn.dequantize") == 1
    ins = random_inputs(f, 2, seed=7)
    s = sqnr_db(f, q, ins)
    assert s >= 30.0, s
    # bit-exact and deterministic
    r1 = Reference(q).run(ins[0])
    r2 = Reference(q).run(ins[0])
    assert r1.outputs[0].dtype == np.float32
    np.testing.assert_array_equal(r1.outputs[0], r2.outputs[0])


@pytest.mark.parametrize("bits", [16, 12])
def test_sqnr_lstm_weight_bits(bits):
    spec = random_lstm(40, 64, 8, proj_size=32, peepholes=True)
    f = lower(spec, 8, GATE)
    q = lower(spec, 8, GATE)
    rep = quantize_module(q, weight_bits=bits)
    assert any(r[0] == "input-weight" and f"fixed<{bits}," in r[1] for r in rep.rows)
    assert sqnr_db(f, q, random_inputs(f, 2, seed=1)) >= 30.0


def test_refuses_model_level():
    m = build_module([MODELS["lstm"]()], 4)
    with pytest.raises(DiagnosticException, match="run ernn-expand-cells first"):
        quantize_module(m)


def test_applied_twice_is_noop():
    q = lower(MODELS["gru_after"](), 4, GATE)
    quantize_module(q)
    from ernn_ir.builder import module_to_text

    before = module_to_text(q)
    assert quantize_module(q) is None
    assert module_to_text(q) == before


def test_cli_options_and_modes():
    spec = MODELS["lstm"]()
    q = lower(spec, 4, GATE)
    quantize_module(q, QuantizePass(act_bits=12, act_frac=9, rounding="convergent", overflow="wrap"))
    q.verify()
    sig = [op for op in q.walk() if isinstance(op, ernn.SigmoidOp)]
    assert sig and all(op.result.type.element_type == FixedType(12, 9) for op in sig)
    assert all(op.properties["rounding"].data.value == "convergent" for op in sig)
    with pytest.raises(DiagnosticException, match="rounding"):
        quantize_module(lower(spec, 4, GATE), rounding="nearest")


def test_fft_twiddle_format():
    q = lower(MODELS["gru_after"](), 4, NAIVE)
    quantize_module(q, twiddle_bits=18, twiddle_frac=16)
    ffts = [op for op in q.walk() if isinstance(op, ernn.RfftOp | ernn.IrfftOp)]
    assert ffts and all(op.twiddle == FixedType(18, 16) for op in ffts)


def test_calibration_picks_wider_formats_for_larger_ranges():
    spec = MODELS["lstm"]()
    f = lower(spec, 5, GATE)
    small = random_inputs(f, 2, seed=0, scale=1.0)
    large = random_inputs(f, 2, seed=0, scale=16.0)
    r1 = quantize_module(lower(spec, 5, GATE), calibration_inputs=small)
    r2 = quantize_module(lower(spec, 5, GATE), calibration_inputs=large)

    def frac(rep, cls):
        row = next(r for r in rep.rows if r[0] == cls)
        assert row[3] == "calibrated"
        return int(row[1].split(",")[1].rstrip(">"))

    assert frac(r2, "input") <= frac(r1, "input") - 3
    assert frac(r2, "acc") < frac(r1, "acc")
    # the calibrated module still meets the SQNR target
    q = lower(spec, 5, GATE)
    quantize_module(q, calibrate=3, calibrate_seed=1)
    assert sqnr_db(f, q, random_inputs(f, 2, seed=9)) >= 30.0


def test_calibration_file_matches_the_python_api(tmp_path):
    """`calibrate-file` (.npy: one set, .npz: one set per array) calibrates like arrays passed in Python."""
    spec = MODELS["gru_after"]()
    sets = random_inputs(lower(spec, 4, GATE), 2, seed=4, scale=8.0)
    np.save(tmp_path / "one.npy", sets[0][0])
    np.savez(tmp_path / "two.npz", a=sets[0][0], b=sets[1][0])
    cases = [("one.npy", sets[:1]), ("two.npz", sets)]
    for name, arrays in cases:
        from_file = lower(spec, 4, GATE)
        quantize_module(from_file, calibrate_file=str(tmp_path / name))
        from_api = lower(spec, 4, GATE)
        quantize_module(from_api, calibration_inputs=arrays)
        assert module_to_text(from_file) == module_to_text(from_api)
    with pytest.raises(DiagnosticException, match="cannot read calibration inputs"):
        quantize_module(lower(spec, 4, GATE), calibrate_file=str(tmp_path / "missing.npy"))


def test_fit_frac():
    assert fit_frac(1.0, 16) == 14
    assert fit_frac(1.0, 16, guard=1) == 13
    assert fit_frac(0.9, 8) == 7
    assert fit_frac(100.0, 16) == 8
    assert fit_frac(0.0, 16) == 15


def test_approximated_then_quantized():
    from ernn_ir.passes.approximate_activations import approximate_activations

    spec = MODELS["lstm"]()
    f = lower(spec, 5, GATE)
    q = lower(spec, 5, GATE)
    approximate_activations(q)
    quantize_module(q)
    q.verify()
    pwl = [op for op in q.walk() if isinstance(op, ernn.PwlOp)]
    assert pwl and all(op.coeff is not None for op in pwl)
    assert sqnr_db(f, q, random_inputs(f, 2, seed=2)) >= 25.0
