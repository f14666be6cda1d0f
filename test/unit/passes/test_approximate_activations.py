"""ernn-approximate-activations: PWL tables, reported error bounds, float and fixed IR."""

from __future__ import annotations

import numpy as np
import pytest
from pass_helpers import lower
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.builder import module_to_text
from ernn_ir.dialects import ernn
from ernn_ir.lowering.reference import Reference
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.numerics import (
    FixedFormat,
    fit_pwl,
    pwl_eval_fixed,
    pwl_eval_float,
    quantize_table,
)
from ernn_ir.numerics.pwl import sigmoid, tanh
from ernn_ir.passes.approximate_activations import (
    ApproximateActivationsPass,
    approximate_activations,
    fixed_table_error,
    float_table_error,
)
from ernn_ir.passes.calibration import random_inputs
from ernn_ir.passes.quantize import quantize_module

FN = {"sigmoid": sigmoid, "tanh": tanh}


MODELS = {
    "lstm": lambda: random_lstm(12, 16, 8, proj_size=8, peepholes=True, seed=1),
    "gru_after": lambda: random_gru(12, 16, 8, reset_after=True, seed=2),
    "gru_before": lambda: random_gru(12, 16, 8, reset_after=False, seed=3),
}


@pytest.mark.parametrize("level", [["ernn-expand-cells"], ["ernn-expand-cells", "ernn-circulant-to-fft"]],
                         ids=["gate", "fft"])
@pytest.mark.parametrize("model", list(MODELS))
def test_float_models_within_reported_bound(model, level):
    spec = MODELS[model]()
    f = lower(spec, 5, level)
    a = lower(spec, 5, level)
    reps = approximate_activations(a)
    a.verify()
    assert not any(isinstance(op, ernn.SigmoidOp | ernn.TanhOp) for op in a.walk())
    assert any(isinstance(op, ernn.PwlOp) for op in a.walk())
    assert {r.function for r in reps} == {"sigmoid", "tanh"}
    x = random_inputs(f, 1, seed=0)[0]
    y0 = Reference(f).run(x).as_float()[0]
    y1 = Reference(a).run(x).as_float()[0]
    # errors propagate through a few steps but stay small
    assert np.max(np.abs(y0 - y1)) < 0.1


@pytest.mark.parametrize("fn,lo,hi,n", [("sigmoid", -8, 8, 32), ("tanh", -4, 4, 32), ("sigmoid", -8, 8, 16),
                                        ("tanh", -2, 2, 8)])
def test_float_bound_is_true_max(fn, lo, hi, n):
    t = fit_pwl(fn, lo, hi, n)
    bound = float_table_error(t, fn)
    xs = np.linspace(lo, hi, (1 << 21) + 1)
    dense = float(np.max(np.abs(pwl_eval_float(xs, t) - FN[fn](xs))))
    tails = np.array([lo - 100.0, hi + 100.0])
    tail = float(np.max(np.abs(pwl_eval_float(tails, t) - FN[fn](tails))))
    true = max(dense, tail)
    assert bound >= true - 1e-12
    assert bound <= true * (1 + 1e-6) + 1e-12
    # the pass's per-element error over any input is within the bound
    x = np.random.default_rng(0).normal(0, 5, 100000)
    assert np.max(np.abs(pwl_eval_float(x, t) - FN[fn](x))) <= bound + 1e-15


def test_fixed_bound_is_exhaustive_max():
    fin, fout, coeff = FixedFormat(12, 8), FixedFormat(16, 14), FixedFormat(16, 13)
    t = fit_pwl("tanh", -4, 4, 16)
    s, c, xr = quantize_table(t, fin, coeff)
    bound, method = fixed_table_error("tanh", fin, fout, coeff, s, c, xr, t.log2_step)
    assert method == "exhaustive"
    allx = np.arange(fin.min_raw, fin.max_raw + 1)
    y, _ = pwl_eval_fixed(allx, fin, s, c, coeff, xr, t.log2_step, fout, "half_up", "saturate")
    true = np.max(np.abs(y * 2.0**-fout.frac - np.tanh(allx * 2.0**-fin.frac)))
    assert bound == pytest.approx(true, abs=0)


def test_fixed_ir_tables_and_error():
    spec = MODELS["lstm"]()
    f = lower(spec, 5, ["ernn-expand-cells"])
    q = lower(spec, 5, ["ernn-expand-cells"])
    quantize_module(q, acc_bits=20, acc_frac=12)
    reps = approximate_activations(q)
    q.verify()
    pwl = [op for op in q.walk() if isinstance(op, ernn.PwlOp)]
    assert pwl and all(op.coeff is not None for op in pwl)
    assert all(r.method == "exhaustive" for r in reps)
    for r in reps:
        assert r.max_error < (0.01 if r.function == "tanh" else 0.005)
    x = random_inputs(f, 1, seed=3)[0]
    y0 = Reference(f).run(x).as_float()[0]
    y1 = Reference(q).run(x).as_float()[0]
    assert np.max(np.abs(y0 - y1)) < 0.1


def test_applied_twice_is_noop():
    a = lower(MODELS["gru_after"](), 3, ["ernn-expand-cells"])
    approximate_activations(a)
    before = module_to_text(a)
    assert approximate_activations(a) == []
    assert module_to_text(a) == before


def test_options_and_bad_range():
    a = lower(MODELS["gru_before"](), 3, ["ernn-expand-cells"])
    reps = approximate_activations(a, ApproximateActivationsPass(sigmoid_segments=8, tanh_segments=64,
                                                                 tanh_min=-8, tanh_max=8))
    seg = {r.function: r.segments for r in reps}
    assert seg == {"sigmoid": 8, "tanh": 64}
    b = lower(MODELS["gru_before"](), 3, ["ernn-expand-cells"])
    with pytest.raises(DiagnosticException, match="power of two"):
        approximate_activations(b, ApproximateActivationsPass(sigmoid_segments=10))
    c = lower(MODELS["gru_before"](), 3, ["ernn-expand-cells"])
    quantize_module(c, acc_bits=16, acc_frac=1)
    with pytest.raises(DiagnosticException, match="finer than the input lsb"):
        approximate_activations(c)


def test_more_segments_smaller_error():
    errs = [float_table_error(fit_pwl("sigmoid", -8, 8, n), "sigmoid") for n in (8, 16, 32, 64)]
    assert errs == sorted(errs, reverse=True)
