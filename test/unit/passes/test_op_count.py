"""Op counts and storage: the Google LSTM at b = 8 before and after fusion, small models, the pass."""

from __future__ import annotations

import pytest
from pass_helpers import apply

from ernn_ir.analysis import block_duplicates, count_ops, format_report
from ernn_ir.builder import build_module, module_to_text
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.circulant_to_fft import CirculantToFftPass
from ernn_ir.passes.expand_cells import ExpandCellsPass
from ernn_ir.passes.fft_fusion import FftFusionPass
from ernn_ir.passes.op_count_report import OpCountPass
from ernn_ir.passes.weight_sharing import WeightSharingPass


@pytest.fixture(scope="module")
def google():
    """The Google LSTM of the brief (153 -> 1024 cells -> 512 projection, peepholes), b = 8, T = 2."""
    spec = random_lstm(153, 1024, 8, proj_size=512, peepholes=True, seed=0)
    m = build_module([spec], 2, dtype="f32")
    model = count_ops(m)
    apply(m, ExpandCellsPass(), CirculantToFftPass())
    naive = count_ops(m)
    apply(m, FftFusionPass(), WeightSharingPass())
    fused = count_ops(m)
    return model, naive, fused


def test_google_model_level(google):
    model, _, _ = google
    assert model.per_step.circ_blocks == 51_200
    # dense-equivalent: 4096 x 153 + 4096 x 512 + 512 x 1024
    assert model.per_step.dense_macs == 4096 * 153 + 4096 * 512 + 512 * 1024
    assert model.storage.param_bits == 409_600 * 32


def test_google_before_fusion(google):
    _, naive, _ = google
    s = naive.per_step
    assert s.rfft_input == 51_200
    assert s.irfft == 51_200
    assert s.rfft_weight == 51_200  # weight spectra still computed in the loop
    assert s.cmul_products == 256_000
    assert s.complex_macs == 0


def test_google_after_fusion_and_sharing(google):
    _, _, fused = google
    s = fused.per_step
    assert s.rfft == 212 and s.rfft_input == 212 and s.rfft_weight == 0
    assert s.irfft == 576
    assert s.complex_macs == 256_000  # 51,200 blocks x 5 bins
    assert s.real_mults_4 == 716_800  # 51,200 x (2 real + 3 complex x 4)
    assert s.real_mults_3 == 563_200
    assert s.cmul_products == 0
    st = fused.storage
    assert st.param_bits == 0
    assert st.spectra_bits == 51_200 * 5 * 2 * 32
    assert st.spectra_blocks == 51_200
    assert block_duplicates(fused)["spectra"] == st.spectra_blocks - st.spectra_blocks_distinct
    # nothing per sequence but the pool
    assert fused.per_sequence.rfft == fused.per_sequence.irfft == 0


def test_small_gru_counts():
    m = build_module([random_gru(12, 16, 4, reset_after=False)], 2, dtype="f64")
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass())
    c = count_ops(m)
    # x_t: 3 blocks, h: 4, r*h: 4.  r and z (8 row blocks) accumulate x- and
    # h-parts in one spectral MAC, so does n (4 row blocks): one IRFFT per row block.
    assert c.per_step.rfft_input == 3 + 4 + 4
    assert c.per_step.irfft == 8 + 4
    assert c.per_step.complex_macs == (8 * (3 + 4) + 4 * (3 + 4)) * 3


def test_duplicate_blocks_counted():
    spec = random_lstm(8, 8, 4)
    spec.w_x.params[:] = 0.25  # every block of W_x identical
    m = build_module([spec], 2, dtype="f64")
    rep = count_ops(m)
    p, q = spec.w_x.params.shape[:2]
    assert rep.storage.param_blocks_distinct == rep.storage.param_blocks - (p * q - 1)
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass())
    rep = count_ops(m)
    assert block_duplicates(rep)["spectra"] == p * q - 1


def test_pass_prints_and_leaves_ir(tmp_path, capsys):
    m = build_module([random_lstm(12, 16, 4, proj_size=8)], 2, dtype="f64")
    apply(m, ExpandCellsPass(), CirculantToFftPass())
    before = module_to_text(m)
    apply(m, OpCountPass())
    assert "IRFFT transforms" in capsys.readouterr().out
    out = tmp_path / "c.txt"
    apply(m, OpCountPass(output=str(out), title="naive"))
    assert module_to_text(m) == before
    text = out.read_text()
    assert text.startswith("// naive") and text == format_report(count_ops(m), "naive")


def test_block_tables_counted():
    """Block sharing: stored bits = table + index bits; the undeduplicated bits and shared blocks are reported."""
    import numpy as np

    spec = random_lstm(12, 16, 4, proj_size=8)
    pool = np.random.default_rng(0).standard_normal((2, 4))
    for w in (spec.w_x, spec.w_h, spec.w_proj):
        p, q, b = w.params.shape
        w.params[:] = pool[np.arange(p * q) % 2].reshape(p, q, b)
    m = build_module([spec], 2, dtype="f64")
    whole = build_module([spec], 2, dtype="f64")
    apply(m, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass())
    apply(whole, ExpandCellsPass(), CirculantToFftPass(), FftFusionPass(), WeightSharingPass(dedup_blocks=False))
    st, st0 = count_ops(m).storage, count_ops(whole).storage
    blocks = 16 * 3 + 16 * 2 + 2 * 4  # W_x, W_h (R = 8), projection
    block_bits = 3 * 2 * 64
    assert st0.block_tables == 0 and st0.spectra_bits == blocks * block_bits
    assert st.block_tables == 1 and st.blocks_stored == 2 and st.blocks_indexed == blocks
    assert st.block_table_bits == 2 * block_bits and st.block_index_bits == blocks * 8
    assert st.spectra_bits == 2 * block_bits + blocks * 8
    assert st.spectra_whole_bits == st0.spectra_bits
    assert st.block_saved_bits == (blocks - 2) * block_bits - blocks * 8
    assert block_duplicates(count_ops(m))["shared"] == blocks - 2
    assert st.spectra_blocks == st0.spectra_blocks and st.spectra_blocks_distinct == st0.spectra_blocks_distinct
    text = format_report(count_ops(m))
    assert "undeduplicated (blocks stored whole)" in text and f"{st0.spectra_bits:,}" in text
    assert "block index tables" in text and f"{blocks - 2:>14,}" in text
    assert "block tables" not in format_report(count_ops(whole))
