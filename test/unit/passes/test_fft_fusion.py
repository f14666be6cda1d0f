"""ernn-fft-fusion: reference output preserved (1e-9, f64), shared transforms, idempotence, no-ops."""

from __future__ import annotations

import numpy as np
import pytest
from pass_helpers import apply, assert_outputs_close, random_inputs_for

from ernn_ir.analysis import count_ops
from ernn_ir.builder import build_module, module_to_text, parse_module_text
from ernn_ir.dialects import ernn
from ernn_ir.lowering.reference import run_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.circulant_to_fft import CirculantToFftPass
from ernn_ir.passes.expand_cells import ExpandCellsPass
from ernn_ir.passes.fft_fusion import FftFusionPass
from ernn_ir.passes.weight_sharing import WeightSharingPass

TOL = 1e-9
T = 3

LSTMS = [
    # (input, hidden, block, proj, peepholes)
    (12, 16, 4, 8, True),
    (12, 16, 4, None, False),
    (7, 8, 2, None, True),
    (20, 32, 8, 16, False),
    (33, 32, 16, 24, True),
    (5, 16, 16, None, False),
]
GRUS = [
    # (input, hidden, block, reset_after)
    (12, 16, 4, True),
    (12, 16, 4, False),
    (9, 8, 2, True),
    (20, 32, 8, False),
    (17, 32, 16, True),
]


def lstm_module(n, h, b, proj, peep, seed=0):
    return build_module([random_lstm(n, h, b, proj_size=proj, peepholes=peep, seed=seed)], T, dtype="f64")


def gru_module(n, h, b, ra, seed=0):
    return build_module([random_gru(n, h, b, reset_after=ra, seed=seed)], T, dtype="f64")


def models():
    for cfg in LSTMS:
        yield pytest.param(lambda cfg=cfg: lstm_module(*cfg), id=f"lstm{cfg}")
    for cfg in GRUS:
        yield pytest.param(lambda cfg=cfg: gru_module(*cfg), id=f"gru{cfg}")


@pytest.mark.parametrize("make", list(models()))
def test_fusion_preserves_reference(make):
    m = make()
    x = random_inputs_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass())
    naive = run_module(m, x)
    assert_outputs_close(naive, ref, TOL)
    apply(m, FftFusionPass())
    assert_outputs_close(run_module(m, x), naive, TOL)
    assert not [o for o in m.walk() if isinstance(o, ernn.ComplexMulOp | ernn.BroadcastOp | ernn.ReduceSumOp)]
    apply(m, WeightSharingPass())
    assert_outputs_close(run_module(m, x), ref, TOL)


def test_lstm_shares_input_ffts_and_accumulates():
    m = apply(lstm_module(12, 16, 4, 8, True), ExpandCellsPass(), CirculantToFftPass())
    before = count_ops(m).per_step
    assert (before.rfft_input, before.irfft) == (16 * 3 + 16 * 2 + 2 * 4, 16 * 3 + 16 * 2 + 2 * 4)
    apply(m, FftFusionPass())
    after = count_ops(m).per_step
    # x_t: 3 blocks, r: 2, h: 4; gates (16 row blocks, x- and r-part fused) + projection (2)
    assert (after.rfft_input, after.irfft) == (3 + 2 + 4, 16 + 2)
    macs = [o for o in m.walk() if isinstance(o, ernn.SpectralMacOp)]
    assert len(macs) == 2
    assert not [o for o in m.walk() if isinstance(o, ernn.AddOp) and o.lhs.type == o.rhs.type and
                isinstance(o.lhs.owner, ernn.IrfftOp) and isinstance(o.rhs.owner, ernn.IrfftOp)]


def test_options_disable_accumulation():
    m = apply(lstm_module(12, 16, 4, None, False), ExpandCellsPass(), CirculantToFftPass())
    x = random_inputs_for(m)
    ref = run_module(m, x)
    apply(m, FftFusionPass(accumulate=False))
    c = count_ops(m).per_step
    assert c.irfft == 16 + 16
    assert_outputs_close(run_module(m, x), ref, TOL)


@pytest.mark.parametrize("make", [lambda: lstm_module(12, 16, 4, 8, True), lambda: gru_module(12, 16, 4, False)])
def test_idempotent(make):
    m = apply(make(), ExpandCellsPass(), CirculantToFftPass(), FftFusionPass())
    once = module_to_text(m)
    apply(m, FftFusionPass())
    assert module_to_text(m) == once


def test_noop_on_model_and_gate_level():
    for passes in ([], [ExpandCellsPass()]):
        m = apply(lstm_module(12, 16, 4, 8, True), *passes)
        text = module_to_text(m)
        apply(m, FftFusionPass())
        assert module_to_text(m) == text


def test_shared_rfft_across_consumers():
    """At most one rFFT per (input value, block size) after fusion."""
    m = apply(gru_module(12, 16, 4, True), ExpandCellsPass(), CirculantToFftPass())
    apply(m, FftFusionPass())
    rffts = [o for o in m.walk() if isinstance(o, ernn.RfftOp)]
    keys = [(id(o.input), o.result.type) for o in rffts]
    assert len(keys) == len(set(keys))


def test_round_trip_removed():
    text = """
builtin.module {
  func.func @main(%x: tensor<1x8xf64>) -> tensor<1x2x3x2xf64> {
    %X = ernn.rfft %x : tensor<1x8xf64> -> tensor<1x2x3x2xf64>
    %W = ernn.constant dense<[[[[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]], [[1.0, 0.0], [0.5, -1.0], [2.0, 0.0]]]]> : tensor<1x2x3x2xf64> -> tensor<1x2x3x2xf64>
    %Y = ernn.spectral_mac %W, %X : tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64> -> tensor<1x1x3x2xf64>
    %y = ernn.irfft %Y : tensor<1x1x3x2xf64> -> tensor<1x4xf64>
    %Z = ernn.rfft %y : tensor<1x4xf64> -> tensor<1x1x3x2xf64>
    %c = ernn.concat dim(1) %Z, %Z : tensor<1x1x3x2xf64>, tensor<1x1x3x2xf64> -> tensor<1x2x3x2xf64>
    func.return %c : tensor<1x2x3x2xf64>
  }
}
"""
    m = parse_module_text(text)
    x = [np.random.default_rng(0).standard_normal((1, 8))]
    ref = run_module(m, x)
    apply(m, FftFusionPass())
    assert not [o for o in m.walk() if isinstance(o, ernn.IrfftOp)]
    assert len([o for o in m.walk() if isinstance(o, ernn.RfftOp)]) == 1
    assert_outputs_close(run_module(m, x), ref, TOL)


def test_round_trip_kept_when_not_exact():
    """A spectrum with an imaginary DC bin is not a real signal's: the round trip stays."""
    text = """
builtin.module {
  func.func @main(%x: tensor<1x4xf64>) -> tensor<1x1x3x2xf64> {
    %X = ernn.rfft %x : tensor<1x4xf64> -> tensor<1x1x3x2xf64>
    %W = ernn.constant dense<[[[[1.0, 1.0], [2.0, 3.0], [4.0, 0.0]]]]> : tensor<1x1x3x2xf64> -> tensor<1x1x3x2xf64>
    %Y = ernn.spectral_mac %W, %X : tensor<1x1x3x2xf64>, tensor<1x1x3x2xf64> -> tensor<1x1x3x2xf64>
    %y = ernn.irfft %Y : tensor<1x1x3x2xf64> -> tensor<1x4xf64>
    %Z = ernn.rfft %y : tensor<1x4xf64> -> tensor<1x1x3x2xf64>
    func.return %Z : tensor<1x1x3x2xf64>
  }
}
"""
    m = parse_module_text(text)
    before = module_to_text(m)
    apply(m, FftFusionPass())
    assert module_to_text(m) == before
