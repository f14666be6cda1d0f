"""Trial names, Phase I chains, the Phase II sweep and combination, Pareto fronts."""

from __future__ import annotations

from explore_helpers import write_config

from ernn_ir.explore.config import load_config
from ernn_ir.explore.pareto import pareto_front
from ernn_ir.explore.trials import (
    QuantPoint,
    chains,
    combined_point,
    phase1_points,
    sweep_points,
    widest,
)


def test_chains_are_in_block_order_and_named_by_parameters(tmp_path):
    cfg = load_config(write_config(tmp_path, text="[space]\nmodels = ['gru', 'lstm']\nhidden = [8, 12]\n"
                                              "blocks = [8, 2, 4]\nprojection = [false, true]"))
    ch = chains(cfg)
    # GRU has no projection; hidden 12 takes only the block sizes dividing it
    assert sorted(ch) == ["gru-h12-p0-admm", "gru-h8-p0-admm", "lstm-h12-p0-admm", "lstm-h12-p6-admm",
                          "lstm-h8-p0-admm", "lstm-h8-p4-admm"]
    assert [p.block for p in ch["lstm-h12-p6-admm"]] == [2, 4]
    assert [p.block for p in ch["lstm-h8-p0-admm"]] == [2, 4, 8]
    keys = [p.key for p in phase1_points(cfg)]
    assert len(set(keys)) == len(keys)
    assert "p1:lstm-h8-p4-admm-b4" in keys
    again = load_config(str(tmp_path / "tiny.toml"))  # the same file read again: the same names
    assert [p.key for p in phase1_points(again)] == keys


def test_sweep_and_combination(tmp_path):
    cfg = load_config(write_config(tmp_path, text="[phase2]\nweight_bits = [8, 12, 16]\ndata_bits = [12, 16]\n"
                                              "acc_bits = [32]\nsegments = [16, 32]"))
    base = widest(cfg)
    assert base == QuantPoint(16, 16, 32, 32)
    pts = sweep_points(cfg)
    assert len(pts) == 3 + 2 + 1 + 2 - 3 and len(set(pts)) == len(pts)
    assert all(sum(getattr(p, k) != getattr(base, k) for k in ("weight_bits", "data_bits", "acc_bits", "segments"))
               <= 1 for p in pts)
    ok = {p: True for p in pts}
    assert combined_point(cfg, ok) == QuantPoint(8, 12, 32, 16)
    ok[QuantPoint(8, 16, 32, 32)] = False  # 8-bit weights lose too much: 12 is the smallest eligible
    assert combined_point(cfg, ok) == QuantPoint(12, 12, 32, 16)
    none = {p: False for p in pts}
    assert combined_point(cfg, none) == base


def test_pareto_front():
    rows = [{"a": 0.9, "c": 10}, {"a": 0.8, "c": 5}, {"a": 0.8, "c": 12}, {"a": 0.95, "c": 20}, {"a": 0.9, "c": 10}]
    assert pareto_front(rows, maximize=("a",), minimize=("c",)) == [0, 1, 3, 4]
    assert pareto_front([], maximize=("a",)) == []
