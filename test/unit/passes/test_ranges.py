"""The range analysis behind ernn-quantize's formats: sound, and as tight as its rules say."""

from __future__ import annotations

import numpy as np
import pytest
from pass_helpers import lower
from xdsl.dialects import func
from xdsl.interpreter import Interpreter

from ernn_ir.dialects import ernn
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.lowering.reference import Reference
from ernn_ir.passes.ranges import Box, RangeAnalysis, irfft_box, rfft_box

GATE = ["ernn-expand-cells"]
NAIVE = GATE + ["ernn-circulant-to-fft"]
FUSED = NAIVE + ["ernn-fft-fusion", "ernn-weight-sharing"]
PWL = FUSED + ["ernn-approximate-activations"]
LEVELS = {"gate": GATE, "naive-fft": NAIVE, "fused-fft": FUSED, "fused+pwl": PWL}

MODELS = {
    "lstmp-peep": lambda: random_lstm(20, 32, 8, proj_size=16, peepholes=True, seed=3),
    "lstm": lambda: random_lstm(12, 16, 4, seed=8),
    "gru-after": lambda: random_gru(20, 32, 8, reset_after=True, seed=4),
    "gru-before": lambda: random_gru(20, 32, 8, reset_after=False, seed=5),
}
BOUND = 2.0
T = 6


class _ElementRange(Interpreter.Listener):
    """Element-wise min and max of every float op result over all runs and steps."""

    def __init__(self) -> None:
        self.lo: dict = {}
        self.hi: dict = {}

    def did_interpret_op(self, op, results) -> None:
        for r, v in zip(op.results, results):
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                v = v.astype(np.float64)
                self.lo[r] = np.minimum(self.lo.get(r, v), v)
                self.hi[r] = np.maximum(self.hi.get(r, v), v)


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("model", list(MODELS))
def test_every_value_stays_inside_its_box(model, level, capsys):
    """Inputs anywhere in [-2, 2], including the extremes: no element leaves its interval."""
    m = lower(MODELS[model](), T, LEVELS[level])
    capsys.readouterr()
    ra = RangeAnalysis(m, lambda a: BOUND)
    rng = np.random.default_rng(11)
    (main,) = [op for op in m.ops if isinstance(op, func.FuncOp)]
    shape = tuple(main.function_type.inputs.data[0].get_shape())
    sets = [rng.uniform(-BOUND, BOUND, shape) for _ in range(4)]
    sets += [np.full(shape, BOUND), np.full(shape, -BOUND), BOUND * np.sign(rng.standard_normal(shape))]
    ref = Reference(m)
    seen = _ElementRange()
    ref.interpreter.listeners = (*ref.interpreter.listeners, seen)
    for x in sets:
        ref.run([x])
    checked = 0
    for v, lo in seen.lo.items():
        if v not in ra.values:
            continue
        box = ra.box(v)
        # the reference runs in float32: allow its rounding
        slack = 1e-6 * max(box.mag, 1.0)
        assert np.all(lo >= box.lo - slack), (v.owner.name, v.name_hint)
        assert np.all(seen.hi[v] <= box.hi + slack), (v.owner.name, v.name_hint)
        checked += 1
    assert checked > 20


def _values_of(m, cls):
    return [op.results[0] for op in m.walk() if isinstance(op, cls)]


def test_activations_get_their_function_range(capsys):
    m = lower(MODELS["lstmp-peep"](), T, GATE)
    ra = RangeAnalysis(m, lambda a: 8.0)
    sig = _values_of(m, ernn.SigmoidOp)
    tanh = _values_of(m, ernn.TanhOp)
    assert sig and tanh
    for v in sig:
        assert np.all(ra.box(v).lo >= 0.0) and np.all(ra.box(v).hi <= 1.0)
    for v in tanh:
        assert np.all(ra.box(v).lo >= -1.0) and np.all(ra.box(v).hi <= 1.0)
    # PWL tables: their own extremes, sigmoid(-8) .. sigmoid(8) for the default table
    p = lower(MODELS["lstmp-peep"](), T, PWL)
    capsys.readouterr()
    rp = RangeAnalysis(p, lambda a: 8.0)
    pwl = [op for op in p.walk() if isinstance(op, ernn.PwlOp) and op.function.data == "sigmoid"]
    assert pwl
    top = 1.0 / (1.0 + np.exp(-8.0))
    for op in pwl:
        assert rp.box(op.results[0]).hi.max() == pytest.approx(top, abs=1e-12)


def test_lstm_cell_state_grows_by_at_most_one_per_step():
    """|c_t| <= |c_{t-1}| + |i * g| < t: the bound the recurrence allows, step by step."""
    for steps in (2, 5, 9):
        m = lower(random_lstm(6, 8, 4, seed=2), steps, GATE)
        ra = RangeAnalysis(m, lambda a: 8.0)
        (c_next,) = [v for v in _values_of(m, ernn.AddOp) if v.name_hint == "c_next"]
        assert steps - 1 < ra.bound(c_next) < steps
        (scan,) = [op for op in m.walk() if isinstance(op, ernn.ScanOp)]
        assert ra.steps[scan] == steps - 1


def test_cell_cap_clips_the_carry_and_is_reported():
    m = lower(random_lstm(6, 8, 4, seed=2), 40, GATE)
    (scan,) = [op for op in m.walk() if isinstance(op, ernn.ScanOp)]
    ra = RangeAnalysis(m, lambda a: 8.0, lambda s, j: 4.0 if j == 1 else None)
    c = scan.body.block.args[2]
    assert ra.bound(c) == 4.0
    assert ra.clipped == {scan: {1}}
    assert ra.steps[scan] < 39  # a fixed point once the cap holds the state


@pytest.mark.parametrize("model", ["gru-after", "gru-before"])
def test_gru_state_is_a_convex_combination(model):
    """h' = (1 - z) n + z h stays in [-1, 1]: interval arithmetic alone would double it each step."""
    m = lower(MODELS[model](), 30, GATE)
    ra = RangeAnalysis(m, lambda a: 8.0)
    (h_next,) = [v for v in _values_of(m, ernn.AddOp) if v.name_hint == "h_next"]
    assert ra.bound(h_next) <= 1.0
    (scan,) = [op for op in m.walk() if isinstance(op, ernn.ScanOp)]
    assert ra.steps[scan] < 29


def test_irfft_after_spectral_mac_gets_the_row_l1_bound(capsys):
    """The time box through rfft -> spectral_mac -> irfft is |W| |x|, the exact worst case."""
    spec = random_lstm(16, 16, 8, seed=6)
    m = lower(spec, 1, FUSED)
    ra = RangeAnalysis(m, lambda a: 1.0)
    (g,) = [op.results[0] for op in m.walk() if isinstance(op, ernn.IrfftOp)]
    # the first step: r = 0, so the gates see only W_x x with |x| <= 1
    wx = np.abs(spec.w_x.params)
    assert ra.bound(g) == pytest.approx(wx.sum(axis=(1, 2)).max(), rel=1e-6)  # f32 weights
    # the IRFFT's format also holds the spectrum it reads (docs/numerics.md section 8)
    assert ra.format_bound(g) > ra.bound(g)


def test_fft_boxes_are_exact_for_a_point():
    x = np.random.default_rng(0).standard_normal((2, 16))
    S = rfft_box(Box.exact(x), 8)
    ref = np.fft.rfft(x.reshape(2, 2, 8), axis=-1)
    np.testing.assert_allclose(S.lo[..., 0], ref.real, atol=1e-12)
    np.testing.assert_allclose(S.hi[..., 1], ref.imag, atol=1e-12)
    back = irfft_box(S, 8)
    np.testing.assert_allclose(back.lo, x, atol=1e-12)
    np.testing.assert_allclose(back.hi, x, atol=1e-12)
