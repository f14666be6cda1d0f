"""ernn-weight-sharing: spectra folded into a module pool, deduplicated, hoisted; reference preserved."""

from __future__ import annotations

import numpy as np
import pytest
from pass_helpers import apply, assert_outputs_close, random_inputs_for
from xdsl.dialects.builtin import IntegerType

from ernn_ir.analysis import count_ops
from ernn_ir.builder import build_module, module_to_text, parse_module_text
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.lowering.reference import run_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.circulant_to_fft import CirculantToFftPass
from ernn_ir.passes.expand_cells import ExpandCellsPass
from ernn_ir.passes.fft_fusion import FftFusionPass
from ernn_ir.passes.weight_sharing import WeightSharingPass, share_weights

TOL = 1e-9


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
    x = random_inputs_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), *([FftFusionPass()] if fuse else []))
    mid = run_module(m, x)
    apply(m, WeightSharingPass())
    assert_outputs_close(run_module(m, x), mid, TOL)
    assert_outputs_close(run_module(m, x), ref, TOL)
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
    x = random_inputs_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass())
    once = module_to_text(m)
    apply(m, WeightSharingPass())
    assert module_to_text(m) == once
    apply(m, FftFusionPass())
    assert module_to_text(m) == once
    assert_outputs_close(run_module(m, x), ref, TOL)


def test_sharing_before_fusion_then_fusion_refolds():
    """Sharing on the naive form, then fusion (concat of two globals), then sharing again."""
    m = build_module([random_lstm(12, 16, 4)], 3, dtype="f64")
    x = random_inputs_for(m)
    ref = run_module(m, x)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), WeightSharingPass(), FftFusionPass(), WeightSharingPass())
    globals_ = [o for o in m.ops if isinstance(o, ernn.GlobalOp)]
    assert len(globals_) == 1  # the fused [Wx | Wh] spectra; the two partial globals are gone
    assert not [o for o in m.walk() if isinstance(o, ernn.ConcatOp) and o.axis.value.data == 1
                and isinstance(o.inputs[0].owner, ernn.GetGlobalOp)]
    assert_outputs_close(run_module(m, x), ref, TOL)


def _spectral_module(ws: list[np.ndarray], dtype: str = "f64"):
    """@main(x) applying the constant spectra `ws` ([p, q, K, 2], one per spectral_mac) to x."""
    from xdsl.builder import Builder, InsertPoint
    from xdsl.dialects import func
    from xdsl.dialects.builtin import Float32Type, Float64Type, ModuleOp, TensorType

    from ernn_ir.builder import dense_attr

    e = Float64Type() if dtype == "f64" else Float32Type()
    q, K = ws[0].shape[1], ws[0].shape[2]
    xt = TensorType(e, (1, q, K, 2))
    outs = [TensorType(e, (1, w.shape[0], K, 2)) for w in ws]
    f = func.FuncOp("main", ((xt,), tuple(outs)))
    b = Builder(InsertPoint.at_end(f.body.block))
    ys = []
    for w, ot in zip(ws, outs):
        c = b.insert(ernn.ConstantOp(dense_attr(w, e), TensorType(e, w.shape)))
        ys.append(b.insert(ernn.SpectralMacOp(c.result, f.body.block.args[0], ot)).result)
    b.insert(func.ReturnOp(*ys))
    m = ModuleOp([f])
    m.verify()
    return m


def test_identical_spectra_stored_once():
    """Two identical constant spectra: one global, merged(2), one reader."""
    w = np.random.default_rng(3).standard_normal((12, 4, 3, 2))
    m = _spectral_module([w, w.copy()])
    stats = share_weights(m)
    m.verify()
    globals_ = [o for o in m.ops if isinstance(o, ernn.GlobalOp)]
    assert len(globals_) == 1 and globals_[0].merged_count == 2
    wh_bytes = 12 * 4 * 3 * 2 * 8  # p = 12, q = 4, K = 3, f64
    assert stats.deduplicated_bytes == wh_bytes
    assert count_ops(m).storage.deduplicated_bits == 8 * wh_bytes
    readers = [o for o in m.walk() if isinstance(o, ernn.GetGlobalOp)]
    assert len(readers) == 1


def test_report_option(tmp_path):
    w = np.random.default_rng(3).standard_normal((12, 4, 3, 2))
    m = _spectral_module([w, w.copy()])
    out = tmp_path / "ws.txt"
    apply(m, WeightSharingPass(report=str(out)))
    text = out.read_text()
    assert f"{12 * 4 * 3 * 2 * 8} bytes deduplicated" in text
    assert "0 block table(s) for 0 spectra, 0 of 0 blocks shared, 0 bytes saved" in text


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


# ---------------------------------------------------------------------------
# Block-level sharing: ernn.gather_blocks of a table of distinct blocks


def tile_blocks(spec, n_pool: int, seed: int = 0):
    """Every circulant weight of `spec` built from one pool of `n_pool` block vectors (tiled)."""
    b = None
    weights = []
    for layer in [spec]:
        for name in ("w_x", "w_h", "w_proj"):
            w = getattr(layer, name, None)
            if w is not None:
                weights.append(w)
                b = w.params.shape[2]
    pool = np.random.default_rng(seed).standard_normal((n_pool, b))
    for k, w in enumerate(weights):
        p, q, _ = w.params.shape
        idx = (np.arange(p * q) + k) % n_pool
        w.params[:] = pool[idx].reshape(p, q, b)
    return spec


REPEATED = [
    ("lstm-proj-peep", lambda: random_lstm(12, 16, 4, proj_size=8, peepholes=True)),
    ("lstm", lambda: random_lstm(20, 32, 8)),
    ("gru-after", lambda: random_gru(12, 16, 4, reset_after=True)),
    ("gru-before", lambda: random_gru(20, 32, 8, reset_after=False)),
]


def gathers(m):
    return [o for o in m.walk() if isinstance(o, ernn.GatherBlocksOp)]


def pipeline(m, fuse=True, **opts):
    return apply(m, ExpandCellsPass(), CirculantToFftPass(), *([FftFusionPass()] if fuse else []),
                 WeightSharingPass(**opts))


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "naive"])
@pytest.mark.parametrize("k", range(len(REPEATED)), ids=[n for n, _ in REPEATED])
def test_block_sharing_exact(k, fuse):
    """Repeated blocks: one table, index tables, gathers; the reference is bit for bit the same."""
    spec = tile_blocks(REPEATED[k][1](), 3)
    m = build_module([spec], 3, dtype="f64")
    x = random_inputs_for(m)
    whole = m.clone()
    pipeline(whole, fuse, dedup_blocks=False)
    ref = run_module(whole, x)
    pipeline(m, fuse)
    out = run_module(m, x)
    for u, v in zip(out, ref):
        assert u.dtype == v.dtype == np.float64
        assert np.array_equal(u, v)  # 0 difference, not a tolerance
    gs = gathers(m)
    assert gs
    tables = {g.table.owner.global_name.root_reference.data for g in gs}
    assert len(tables) == 1  # one table per element type and block size
    table = next(o for o in m.ops if isinstance(o, ernn.GlobalOp) and o.sym_name.data in tables)
    assert table.type.get_shape()[0] == 3  # the pool's three spectra
    for g in gs:
        assert g.index.type.element_type == IntegerType(8)
        assert isinstance(g.index.owner, ernn.GetGlobalOp)
    for scan in [o for o in m.walk() if isinstance(o, ernn.ScanOp)]:
        assert not gathers(scan)
    st, st0 = count_ops(m).storage, count_ops(whole).storage
    assert st.spectra_whole_bits == st0.spectra_bits
    assert st.spectra_bits == st0.spectra_bits - st.block_saved_bits
    assert st.block_saved_bits > 0 and st.blocks_shared == st.blocks_indexed - 3
    assert st.spectra_blocks == st0.spectra_blocks


def test_block_sharing_numbers():
    """The LSTM (peepholes, projection) with a pool of 3 blocks: exact storage figures."""
    spec = tile_blocks(random_lstm(12, 16, 4, proj_size=8, peepholes=True), 3)
    m = build_module([spec], 3, dtype="f32")
    x = random_inputs_for(m)
    whole = m.clone()
    pipeline(whole, dedup_blocks=False)
    pipeline(m)
    assert all(np.array_equal(u, v) for u, v in zip(run_module(m, x), run_module(whole, x)))
    st = count_ops(m).storage
    # W_x 16x3 blocks, W_h 16x2, projection 2x4: 88 blocks of 3 bins x 2 x 32 bits
    assert st.blocks_indexed == 16 * 3 + 16 * 2 + 2 * 4 == 88
    assert st.block_whole_bits == 88 * 3 * 2 * 32 == 16_896
    assert st.block_table_bits == 3 * 3 * 2 * 32 == 576
    assert st.block_index_bits == 88 * 8 == 704
    assert st.block_saved_bits == 16_896 - 576 - 704 == 15_616
    assert st.blocks_shared == 85


def test_random_models_unchanged():
    """Random weights share no block: the same IR with and without block sharing."""
    for k, make in enumerate(SPECS):
        a = build_module([make()], 2, dtype="f64")
        b = a.clone()
        pipeline(a)
        pipeline(b, dedup_blocks=False)
        assert module_to_text(a) == module_to_text(b), k
        assert not gathers(a)
        sa = count_ops(a).storage
        assert sa.block_tables == 0 and sa.blocks_shared == 0 and sa.spectra_whole_bits == sa.spectra_bits


def test_block_sharing_idempotent_and_refused():
    spec = tile_blocks(random_lstm(12, 16, 4, proj_size=8, peepholes=True), 3)
    m = build_module([spec], 3, dtype="f64")
    x = random_inputs_for(m)
    ref = run_module(m, x)
    pipeline(m)
    once = module_to_text(m)
    apply(m, WeightSharingPass())
    assert module_to_text(m) == once
    mid = run_module(m, x)
    assert_outputs_close(mid, ref, TOL)
    # fusion on the block form, then sharing again: still exact, one table
    apply(m, FftFusionPass(), WeightSharingPass())
    assert all(np.array_equal(u, v) for u, v in zip(run_module(m, x), mid))
    assert len({g.table.owner.global_name.root_reference.data for g in gathers(m)}) == 1
    # unused globals are gone
    used = {o.global_name.root_reference.data for o in m.walk() if isinstance(o, ernn.GetGlobalOp)}
    assert {o.sym_name.data for o in m.ops if isinstance(o, ernn.GlobalOp)} == used


def test_sharing_before_fusion_with_blocks():
    """Block form first, fusion concatenates the gathers, sharing refolds and re-shares them."""
    spec = tile_blocks(random_lstm(12, 16, 4), 2)
    m = build_module([spec], 3, dtype="f64")
    x = random_inputs_for(m)
    whole = m.clone()
    apply(whole, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass(dedup_blocks=False))
    apply(m, ExpandCellsPass(), CirculantToFftPass(), WeightSharingPass(), FftFusionPass(), WeightSharingPass())
    assert all(np.array_equal(u, v) for u, v in zip(run_module(m, x), run_module(whole, x)))
    assert gathers(m)
    assert count_ops(m).storage.spectra_whole_bits == count_ops(whole).storage.spectra_bits


def test_threshold_smaller_only():
    """Stored in block form only when table + index bits are fewer than the spectra whole."""
    rng = np.random.default_rng(5)
    # f32, K = 3: a block is 192 bits; 24 blocks, one repeated: 23 x 192 + 24 x 8 = 192 x 24: a tie
    w = rng.standard_normal((8, 3, 3, 2))
    w[7, 2] = w[0, 0]
    m = _spectral_module([w], "f32")
    apply(m, WeightSharingPass())
    assert not gathers(m)
    # two repeats: 22 x 192 + 24 x 8 < 24 x 192
    w[7, 1] = w[0, 1]
    m = _spectral_module([w], "f32")
    x = [rng.standard_normal((1, 3, 3, 2))]
    ref = run_module(m, x)
    apply(m, WeightSharingPass())
    assert gathers(m)
    assert np.array_equal(run_module(m, x)[0], ref[0])
    st = count_ops(m).storage
    assert (st.block_table_bits, st.block_index_bits, st.block_saved_bits) == (22 * 192, 24 * 8, 2 * 192 - 24 * 8)
    # only the globals that gain join the table: w2 random, shares nothing
    w2 = rng.standard_normal((8, 3, 3, 2))
    m = _spectral_module([w, w2], "f32")
    apply(m, WeightSharingPass())
    gs = gathers(m)
    assert len(gs) == 1 and gs[0].result.type.get_shape() == (8, 3, 3, 2)
    assert len([o for o in m.ops if isinstance(o, ernn.GlobalOp)]) == 3  # table, index, w2 whole


def test_cross_constant_table_and_exact_bytes():
    """Blocks shared across constants: one table; 0.0 and -0.0 blocks are different blocks."""
    rng = np.random.default_rng(7)
    A, B = rng.standard_normal((2, 3, 2))
    Z, NZ = np.zeros((3, 2)), -np.zeros((3, 2))
    w0 = np.stack([np.stack([A, B, Z]), np.stack([B, A, NZ])])
    w1 = np.stack([np.stack([Z, Z, A]), np.stack([B, NZ, B])])
    m = _spectral_module([w0, w1])
    x = [rng.standard_normal((1, 3, 3, 2))]
    ref = run_module(m, x)
    apply(m, WeightSharingPass())
    gs = gathers(m)
    assert len(gs) == 2 and gs[0].table is gs[1].table
    table = gs[0].table.owner
    tg = next(o for o in m.ops if isinstance(o, ernn.GlobalOp) and o.sym_name.data == table.global_name.root_reference.data)
    tab = dense_to_numpy(tg.value)
    assert tab.shape == (4, 3, 2)  # A, B, 0, -0
    assert np.signbit(tab[3]).all() and not np.signbit(tab[2]).any()
    for u, v in zip(run_module(m, x), ref):
        assert np.array_equal(u, v)
    idx = [dense_to_numpy(next(o for o in m.ops if isinstance(o, ernn.GlobalOp)
                               and o.sym_name.data == g.index.owner.global_name.root_reference.data).value) for g in gs]
    assert idx[0].tolist() == [[0, 1, 2], [1, 0, 3]] and idx[1].tolist() == [[2, 2, 0], [1, 3, 1]]


def test_index_width():
    from ernn_ir.dialects.ernn.pool_ops import index_width

    assert [index_width(n) for n in (1, 128, 129, 32768, 32769, 2**31)] == [8, 8, 16, 16, 32, 32]
    # a table of 200 distinct blocks needs i16 indices
    rng = np.random.default_rng(0)
    pool = rng.standard_normal((200, 3, 2))
    w = pool[np.arange(400) % 200].reshape(20, 20, 3, 2)
    m = _spectral_module([w])
    apply(m, WeightSharingPass())
    (g,) = gathers(m)
    assert g.index.type.element_type == IntegerType(16)
    assert g.table.type.get_shape()[0] == 200


@pytest.mark.parametrize("k", [0, 2, 3], ids=["lstm-proj-peep", "gru-after", "gru-before"])
def test_quantize_after_block_sharing(k):
    """ernn-quantize quantizes the table once, keeps the index integer; same raw outputs as whole."""
    from ernn_ir.lowering.reference import Reference
    from ernn_ir.passes.quantize import QuantizePass, quantize_module

    spec = tile_blocks(REPEATED[k][1](), 3)
    m = build_module([spec], 3, dtype="f32")
    x = random_inputs_for(m)
    whole = m.clone()
    pipeline(whole, dedup_blocks=False)
    pipeline(m)
    assert gathers(m)
    apply(m, QuantizePass())
    apply(whole, QuantizePass())
    tables = [o for o in m.ops if isinstance(o, ernn.GlobalOp) and o.type.get_shape()[0] == 3
              and len(o.type.get_shape()) == 3]
    assert len(tables) == 1 and isinstance(tables[0].type.element_type, ernn.FixedType)
    for g in gathers(m):
        assert g.index.type.element_type == IntegerType(8)
        assert g.result.type.element_type == tables[0].type.element_type
    a, b = Reference(m).run(x), Reference(whole).run(x)
    # every tiled weight holds every pool block, so each global has the table's max |value| and format
    for u, v in zip(a.outputs, b.outputs):
        assert np.array_equal(u, v)
    assert quantize_module(m) is None  # already fixed point (the integer index does not count as float)


def test_gather_blocks_reference_and_verify():
    ok = """
builtin.module {
  ernn.global @t dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf64> -> tensor<2x2xf64>
  ernn.global @i dense<[1, 0, 1]> : tensor<3xi32> -> tensor<3xi32>
  func.func @main() -> tensor<3x2xf64> {
    %t = ernn.get_global @t -> tensor<2x2xf64>
    %i = ernn.get_global @i -> tensor<3xi32>
    %w = ernn.gather_blocks %t, %i : tensor<2x2xf64>, tensor<3xi32> -> tensor<3x2xf64>
    func.return %w : tensor<3x2xf64>
  }
}
"""
    m = parse_module_text(ok)
    assert run_module(m, [])[0].tolist() == [[3.0, 4.0], [1.0, 2.0], [3.0, 4.0]]
    assert parse_module_text(module_to_text(m)) is not None
    for bad, msg in [
        (ok.replace("[1, 0, 1]", "[1, 0, 2]"), "index entry 2 is out of range for a table of 2"),
        (ok.replace("tensor<3x2xf64>", "tensor<3x2xf32>"), "must be the table's"),
        (ok.replace("tensor<3x2xf64>", "tensor<3x3xf64>"), "index shape"),
        (ok.replace("tensor<3xi32>", "tensor<3xf64>").replace("[1, 0, 1]", "[1.0, 0.0, 1.0]"), "index element type"),
    ]:
        with pytest.raises(Exception, match=msg):
            parse_module_text(bad)
    # out-of-range indices from a runtime value: the reference refuses them
    from ernn_ir.lowering.reference import ReferenceError
    from ernn_ir.lowering.reference.pool import gather_blocks

    with pytest.raises(ReferenceError, match="out of range"):
        gather_blocks(np.zeros((2, 3)), np.array([0, 2]))
