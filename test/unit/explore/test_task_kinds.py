"""The other two task kinds: the user's .npz sequences, and no data (Phase II on a fixed random model)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

for _m in ("optuna", "torch", "sklearn", "matplotlib"):
    pytest.importorskip(_m)

from ernn_ir.explore.config import load_config  # noqa: E402

from explore_helpers import write_config  # noqa: E402


def test_npz_task_trains_a_phase1_trial(tmp_path):
    from ernn_ir.explore.phase1 import load_task, run_model_trial, spec_of_trained
    from ernn_ir.explore.trials import phase1_points

    rng = np.random.default_rng(0)
    # two classes told apart by the sign of the first feature's mean: learnable in one epoch
    y = rng.integers(0, 2, 96)
    x = rng.normal(0, 0.3, (96, 5, 3)) + (2 * y - 1)[:, None, None] * np.array([1.0, 0, 0])
    np.savez(tmp_path / "seq.npz", x_train=x[:64], y_train=y[:64], x_test=x[64:], y_test=y[64:])
    cfg = load_config(write_config(tmp_path, text="[task]\nkind = 'npz'\npath = 'seq.npz'\n[space]\n"
                                              "models = ['gru']\nhidden = [4]\nblocks = [2]\n[training]\n"
                                              "dense_epochs = 3\nadmm_epochs = 1\nfinetune_epochs = 2\nbatch = 16"))
    task = load_task(cfg)
    (point,) = phase1_points(cfg)
    tm = run_model_trial(cfg, point, task)
    m = tm.metrics
    # W_x 12 x 3 and W_h 12 x 4 at b = 2: [6, 2, 2] parameters each (the 3 input columns padded to 4)
    assert m["weights"] == 6 * 2 * 2 + 6 * 2 * 2
    assert m["dense_weights"] == 3 * 4 * (3 + 4)
    assert 0.0 <= m["accuracy"] <= 1.0 and m["mults_per_frame"] > 0
    spec = spec_of_trained(cfg, task, point, tm.state_dict)
    assert spec.layers[0].w_x.block == 2 and spec.layers[-1].weight.shape == (2, 4)


def test_no_task_data_runs_phase2_only(tmp_path):
    from ernn_ir.explore.api import explore

    cfg = load_config(write_config(tmp_path, text="""
[task]
kind = "none"
[model]
kind = "lstm"
input = 6
hidden = 8
proj = 4
peepholes = true
block = 4
seq_len = 3
sequences = 2
[phase2]
weight_bits = [6, 12]
data_bits = [16]
acc_bits = [32]
segments = [32]
min_sqnr_db = 20.0
[hardware]
lanes = [1, 2]
objectives = ["energy", "fps"]
"""))
    out = str(tmp_path / "rep")
    res = explore(cfg, out)
    assert res.phase1 == [] and res.counts()["phase2_run"] >= 2
    sq = {t["weight_bits"]: t["sqnr_db"] for t in res.phase2_trials}
    assert sq[12] > sq[6]  # wider weights, less quantization noise
    assert all(t["accuracy"] is None for t in res.phase2_trials)
    ch = res.chosen
    assert ch is not None and ch["sqnr_db"] >= 20.0
    # energy first: no eligible fitting design holds fewer resource-cycles per frame
    ok = [d for d in res.designs if d["eligible"] and d["fits"]]
    assert ch["energy_proxy"] == min(d["energy_proxy"] for d in ok)
    with open(os.path.join(out, "design", "design.json")) as f:
        info = json.load(f)
    assert info["design"]["key"] == ch["key"] and "head.npz" not in info["files"]
