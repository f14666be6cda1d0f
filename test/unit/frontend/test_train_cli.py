"""ernn-train: trains on the digits task, saves a module that ernn-import reads exactly."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="ernn-train needs PyTorch (pip install torch==2.13.0)")
pytest.importorskip("sklearn", reason="the digits task needs scikit-learn")

from ernn_ir.builder import parse_module_text  # noqa: E402
from ernn_ir.frontend.tasks import load_digits_task  # noqa: E402
from ernn_ir.lowering.reference import run_module  # noqa: E402
from ernn_ir.tools import ernn_import, ernn_train  # noqa: E402


@pytest.mark.parametrize("kind,method", [("lstm", "admm"), ("gru", "projection")])
def test_train_then_import(tmp_path, capsys, kind, method):
    pt = tmp_path / f"{kind}.pt"
    rc = ernn_train.main([
        "--model", kind, "--hidden", "16", "--block", "4", "--method", method,
        "--epochs", "1", "--admm-epochs", "1", "--finetune-epochs", "1", "--threads", "1",
        "-o", str(pt),
    ])
    assert rc == 0
    err = capsys.readouterr().err
    assert f"{method} {kind} H=16 b=4: test accuracy" in err
    model = torch.load(pt, weights_only=False).eval()

    mlir = tmp_path / f"{kind}.mlir"
    assert ernn_import.main([str(pt), "--block-size", "4", "--seq-len", "8", "--batch", "5",
                             "--dtype", "f64", "-o", str(mlir)]) == 0
    module = parse_module_text(mlir.read_text())
    x = load_digits_task(seed=0).x_test[:, :5].double()
    with torch.no_grad():
        expected = model.double()(x).numpy()
    (got,) = run_module(module, [x.numpy()])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_bad_hidden_size_writes_nothing(tmp_path, capsys):
    out = tmp_path / "m.pt"
    assert ernn_train.main(["--hidden", "30", "--block", "8", "-o", str(out)]) == 1
    assert "--hidden 30 must be a multiple of --block 8" in capsys.readouterr().err
    assert not out.exists()
