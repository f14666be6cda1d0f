"""ernn-weight-sharing: spectra folded into a module pool, deduplicated, hoisted; reference preserved."""

from __future__ import annotations

import numpy as np
import pytest

from ernn_ir.analysis import count_ops
from ernn_ir.builder import build_module, module_to_text, parse_module_text
from ernn_ir.dialects import ernn
from ernn_ir.lowering.reference import run_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.circulant_to_fft import CirculantToFftPass
from ernn_ir.passes.expand_cells import ExpandCellsPass
from ernn_ir.passes.fft_fusion import FftFusionPass
from ernn_ir.passes.weight_sharing import WeightSharingPass, share_weights
from ernn_ir.registry import make_context

TOL = 1e-9


def apply(module, *passes):
    ctx = make_context()
    for p in passes:
        p.apply(ctx, module)
    module.verify()
    return module


def x_for(m, seed=1):
    t = m.ops.first.function_type.inputs.data[0]
    return [np.random.default_rng(seed).standard_normal(tuple(t.get_shape()))]


def close(a, b):
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=TOL, atol=TOL)


SPECS = [
    lambda: random_lstm(12, 16, 4, proj_size=8, peepholes=True),
    lambda: random_lstm(10, 8, 2),
    lambda: random_lstm(20, 32, 8, proj_size=16),
    lambda: random_lstm(9, 16, 16, peepholes=True),
    lambda: random_gru(12, 16, 4, reset_after=True),
    lambda: random_gru(12, 16, 4, reset_after=False),
    lambda: random_gru(20, 32, 8, reset_after=False),
]


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "naive"])
@pytest.mark.parametrize("k", range(len(SPECS)))
def test_sharing_preserves_reference(k, fuse):
    m = build_module([SPECS[k]()], 3, dtype="f64")
    x = x_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), *([FftFusionPass()] if fuse else []))
    mid = run_module(m, x)
    apply(m, WeightSharingPass())
    close(run_module(m, x), mid)
    close(run_module(m, x), ref)
    # no weight work left: no circulant matrices, no weight transforms, nothing pooled inside the loop
    assert not [o for o in m.walk() if isinstance(o, ernn.CirculantOp | ernn.CirculantParamsOp)]
    c = count_ops(m)
    assert c.per_step.rfft_weight == 0 and c.per_sequence.rfft_weight == 0
    for scan in [o for o in m.walk() if isinstance(o, ernn.ScanOp)]:
        assert not [o for o in scan.walk() if isinstance(o, ernn.GetGlobalOp | ernn.ConstantOp)]
    globals_ = [o for o in m.ops if isinstance(o, ernn.GlobalOp)]
    assert globals_
    for g in globals_:
        shp = g.type.get_shape()
        assert len(shp) == 4 and shp[-1] == 2  # [p, q, K, 2]


def test_idempotent_and_after_refusion():
    m = build_module([random_lstm(12, 16, 4, proj_size=8, peepholes=True)], 3, dtype="f64")
    x = x_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass())
    once = module_to_text(m)
    apply(m, WeightSharingPass())
    assert module_to_text(m) == once
    apply(m, FftFusionPass())
    assert module_to_text(m) == once
    close(run_module(m, x), ref)


def test_sharing_before_fusion_then_fusion_refolds():
    """Sharing on the naive form, then fusion (concat of two globals), then sharing again."""
    m = build_module([random_lstm(12, 16, 4)], 3, dtype="f64")
    x = x_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), WeightSharingPass(), FftFusionPass(), WeightSharingPass())
    globals_ = [o for o in m.ops if isinstance(o, ernn.GlobalOp)]
    assert len(globals_) == 1  # the fused [Wx | Wh] spectra; the two partial globals are gone
    assert not [o for o in m.walk() if isinstance(o, ernn.ConcatOp) and o.axis.value.data == 1
                and isinstance(o.inputs[0].owner, ernn.GetGlobalOp)]
    close(run_module(m, x), ref)


def test_identical_spectra_stored_once():
    """GRU with the reset before the matvec uses W_h twice: one global, merged(2)."""
    m = build_module([random_gru(12, 16, 4, reset_after=False)], 3, dtype="f64")
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass())
    stats = share_weights(m)
    m.verify()
    globals_ = [o for o in m.ops if isinstance(o, ernn.GlobalOp)]
    merged = [g for g in globals_ if g.merged_count == 2]
    assert len(merged) == 1
    wh_bytes = 12 * 4 * 3 * 2 * 8  # W_h spectra: p = 12, q = 4, K = 3, f64
    assert stats.deduplicated_bytes == wh_bytes
    assert count_ops(m).storage.deduplicated_bits == 8 * wh_bytes
    # both readers use the same get_global
    readers = [o for o in m.walk() if isinstance(o, ernn.GetGlobalOp)
               and o.global_name.root_reference.data == merged[0].sym_name.data]
    assert len(readers) == 1


def test_report_option(tmp_path):
    m = build_module([random_gru(12, 16, 4, reset_after=False)], 2, dtype="f64")
    out = tmp_path / "ws.txt"
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass(report=str(out)))
    text = out.read_text()
    assert "bytes deduplicated" in text and f"{12 * 4 * 3 * 2 * 8} bytes deduplicated" in text


def test_noop_without_spectra():
    m = build_module([random_lstm(12, 16, 4)], 3, dtype="f64")
    text = module_to_text(m)
    apply(m, WeightSharingPass())
    assert module_to_text(m) == text


def test_pool_ops_verify():
    ok = """
builtin.module {
  ernn.global @ws0 dense<[1.0, 2.0]> : tensor<2xf64> merged(2) -> tensor<2xf64>
  func.func @main() -> tensor<2xf64> {
    %a = ernn.get_global @ws0 -> tensor<2xf64>
    func.return %a : tensor<2xf64>
  }
}
"""
    m = parse_module_text(ok)
    assert run_module(m, [])[0].tolist() == [1.0, 2.0]
    for bad, msg in [
        (ok.replace("get_global @ws0", "get_global @nope"), "not an ernn.global"),
        (ok.replace("-> tensor<2xf64>\n    func.return %a : tensor<2xf64>", "-> tensor<2xf32>\n    func.return %a : tensor<2xf32>").replace("() -> tensor<2xf64>", "() -> tensor<2xf32>"), "must be the type"),
        (ok.replace(": tensor<2xf64> merged", ": tensor<2xf32> merged"), "stored as"),
    ]:
        with pytest.raises(Exception, match=msg):
            parse_module_text(bad)
