"""study.toml: defaults, and every kind of bad field named with the file and the field."""

from __future__ import annotations

import numpy as np
import pytest
from explore_helpers import write_config

from ernn_ir.explore.config import ConfigError, config_from_fingerprint, load_config


def test_tiny_config_reads(tmp_path):
    cfg = load_config(write_config(tmp_path))
    assert cfg.name == "tiny"
    assert cfg.space.blocks == (2, 4, 8)
    assert cfg.phase2.weight_bits == (8, 12)
    assert cfg.hardware.device == "ku060"
    # the fingerprint round-trips (workers rebuild the config from the study)
    again = config_from_fingerprint(cfg.fingerprint())
    assert again.fingerprint() == cfg.fingerprint()


def test_defaults_without_sections(tmp_path):
    p = tmp_path / "my study.toml"
    p.write_text("")
    cfg = load_config(str(p))
    assert cfg.name == "my-study" and cfg.task.kind == "digits"


@pytest.mark.parametrize("text, field, why", [
    ("[space]\nblocks = [2, 12]", "space.blocks[1]", "power of two"),
    ("[space]\nmodels = ['lstm', 'rnn']", "space.models[1]", "'lstm', 'gru'"),
    ("[space]\nhidden = []", "space.hidden", "non-empty list"),
    ("[space]\nhidden = [12]\nblocks = [8]", "space.hidden[0]", "multiple of no block size"),
    ("[space]\nblock = [8]", "space.block", "unknown field"),
    ("[spaces]\nblocks = [8]", "spaces", "unknown section"),
    ("[phase1]\naccuracy_bound = 1.5", "phase1.accuracy_bound", "<= 1.0"),
    ("[phase1]\naccuracy_bound = 'high'", "phase1.accuracy_bound", "must be a number"),
    ("[phase2]\nweight_bits = [8, 8]", "phase2.weight_bits", "twice"),
    ("[phase2]\nsegments = [12]", "phase2.segments[0]", "power of two"),
    ("[phase2]\nacc_bits = [1]", "phase2.acc_bits[0]", ">= 2"),
    ("[hardware]\ndevice = 'ku061'", "hardware.device", "unknown device 'ku061'"),
    ("[hardware]\ncmul = 5", "hardware.cmul", "3 or 4"),
    ("[hardware]\nobjectives = ['speed']", "hardware.objectives[0]", "'fps'"),
    ("[training]\nthreads = 0", "training.threads", ">= 1"),
    ("[training]\ndense_epochs = 0", "training.dense_epochs", "dense model"),
    ("[task]\nkind = 'npz'", "task.path", "is required"),
    ("[task]\nkind = 'npz'\npath = 'nope.npz'", "task.path", "no such file"),
    ("[task]\nkind = 'none'", "phase2.min_sqnr_db", "required without task data"),
    ("[task]\nkind = 'none'\n[phase2]\nmin_sqnr_db = 20.0\n[space]\nhidden = [8]", "space", "no effect"),
    ("[model]\nhidden = 64", "model", "only read without task data"),
    ("[study]\nname = 'a b'", "study.name", "without spaces"),
    ("[study]\ntitle = 'x'", "study.title", "unknown field"),
])
def test_bad_field_is_named(tmp_path, text, field, why):
    path = write_config(tmp_path, text=text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: {field}: "), msg
    assert why in msg, msg


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not a valid TOML file"):
        load_config(write_config(tmp_path, text="[space\n"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(str(tmp_path / "none.toml"))


def test_npz_task_checked(tmp_path):
    from ernn_ir.frontend.tasks import load_npz_task

    good = tmp_path / "seq.npz"
    rng = np.random.default_rng(0)
    np.savez(good, x_train=rng.random((20, 5, 3)), y_train=rng.integers(0, 3, 20),
             x_test=rng.random((6, 5, 3)), y_test=rng.integers(0, 3, 6))
    t = load_npz_task(str(good))
    assert (t.seq_len, t.n_features, tuple(t.x_train.shape)) == (5, 3, (5, 20, 3))
    bad = tmp_path / "bad.npz"
    np.savez(bad, x_train=rng.random((20, 5, 3)), y_train=rng.integers(0, 3, 19),
             x_test=rng.random((6, 5, 3)), y_test=rng.integers(0, 3, 6))
    with pytest.raises(ValueError, match="'x_train' has 20 sequences but 'y_train' has 19 labels"):
        load_npz_task(str(bad))
    np.savez(bad, x_train=rng.random((20, 5, 3)), y_train=rng.integers(0, 3, 20))
    with pytest.raises(ValueError, match="missing array 'x_test'"):
        load_npz_task(str(bad))
    cfg = load_config(write_config(tmp_path, text=f"[task]\nkind = 'npz'\npath = '{good.name}'"))
    assert cfg.task.path == "seq.npz" and cfg.resolve(cfg.task.path) == str(good)
