"""Imported PyTorch/ONNX models run by the reference interpreter equal PyTorch's forward."""

import io
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the PyTorch front end needs torch")
from torch import nn  # noqa: E402

builder = pytest.importorskip("ernn_ir.builder", reason="the IR builder is not available")
reference = pytest.importorskip("ernn_ir.lowering.reference", reason="the reference interpreter is not available")

from ernn_ir.frontend.circulant_torch import CirculantGRU, CirculantLSTM, SequenceClassifier  # noqa: E402
from ernn_ir.frontend.torch_import import spec_from_torch  # noqa: E402

from circulant_models import make_circulant_rnn  # noqa: E402

F64 = torch.float64


def run_ir(spec, x, dtype):
    module = builder.build_module(spec, seq_len=x.shape[0], batch=x.shape[1], dtype=dtype)
    text = builder.module_to_text(module)  # printable
    assert "ernn." in text
    npdt = np.float64 if dtype == "f64" else np.float32
    (y,) = reference.run_module(module, [x.numpy().astype(npdt)])
    return y


MODELS = [
    ("lstm_proj", lambda: nn.LSTM(6, 8, proj_size=4, dtype=F64), 6),
    ("lstm_2layers", lambda: nn.LSTM(6, 8, num_layers=2, dtype=F64), 6),
    ("lstm_bidir", lambda: nn.LSTM(5, 8, bidirectional=True, dtype=F64), 5),
    ("lstm_2l_bidir_proj", lambda: nn.LSTM(5, 8, num_layers=2, bidirectional=True, proj_size=4, dtype=F64), 5),
    ("gru", lambda: nn.GRU(5, 8, dtype=F64), 5),
    ("gru_2l_bidir", lambda: nn.GRU(6, 8, num_layers=2, bidirectional=True, dtype=F64), 6),
    ("lstm_classifier", lambda: SequenceClassifier(nn.LSTM(6, 8, dtype=F64), 3), 6),
]


@pytest.mark.parametrize("dtype,tol", [("f64", 1e-9), ("f32", 1e-5)])
@pytest.mark.parametrize("name,make,n_in", MODELS, ids=[m[0] for m in MODELS])
def test_exactly_circulant_torch_model(name, make, n_in, dtype, tol):
    torch.manual_seed(0)
    model = make()
    make_circulant_rnn(model.rnn if hasattr(model, "rnn") else model, 4)
    spec, rep = spec_from_torch(model, 4, return_report=True)
    assert rep.max_rel_error < 1e-13
    x = torch.randn(6, 2, n_in, dtype=F64)
    with torch.no_grad():
        ref = model(x)
        ref = ref[0] if isinstance(ref, tuple) else ref
    y = run_ir(spec, x, dtype)
    assert y.shape == tuple(ref.shape)
    assert np.max(np.abs(y - ref.numpy())) < tol


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_padded_hidden_units_in_the_ir(kind):
    """H=6 with b=4: the padded units are exactly 0 in the IR reference too."""
    torch.manual_seed(1)
    m = (nn.LSTM if kind == "lstm" else nn.GRU)(5, 6, dtype=F64)
    spec = spec_from_torch(m, 4)
    x = torch.randn(5, 2, 5, dtype=F64)
    y = run_ir(spec, x, "f64")
    assert y.shape == (5, 2, 8)
    assert np.all(y[..., 6:] == 0.0)


@pytest.mark.parametrize("width", [8, 12, 16])
@pytest.mark.parametrize("kind", ["lstm", "lstm_proj", "gru"])
def test_padded_hidden_units_stay_zero_in_fixed_point(kind, width, capsys):
    """Through ernn-pipeline at every width the padded units are exactly 0, and the
    biases keep the format their real values need (no saturating pad bias)."""
    from ernn_ir.dialects import ernn
    from ernn_ir.passes.pipeline import PipelinePass

    torch.manual_seed(2)
    m = nn.GRU(5, 6, dtype=F64) if kind == "gru" else nn.LSTM(5, 6, proj_size=3 if kind == "lstm_proj" else 0, dtype=F64)
    spec = spec_from_torch(m, 4)
    module = builder.build_module(spec, seq_len=6, batch=2)
    PipelinePass(weight_bits=width, data_bits=width).apply(None, module)
    capsys.readouterr()
    x = torch.randn(6, 2, 5, dtype=F64).numpy() * 2
    res = reference.Reference(module).run([x])
    assert res.events == []
    (y,) = res.as_float()
    if kind != "lstm_proj":
        assert y.shape == (6, 2, 8) and np.all(y[..., 6:] == 0.0)
    biases = [op for op in module.walk() if isinstance(op, ernn.ConstantOp) and op.results[0].name_hint in
              ("bias", "b_x", "b_h")]
    assert biases
    for op in biases:
        e = op.results[0].type.element_type
        real = np.abs(m.bias_ih_l0.detach().numpy()).max() + (
            0.0 if kind == "gru" else np.abs(m.bias_hh_l0.detach().numpy()).max())
        # the format's range is at most 4x the real biases' (a power of two above them)
        assert (2 ** (e.width.data - 1) - 1) * 2.0 ** -e.frac.data < 4 * real


@pytest.mark.parametrize("peep,reset_after", [(True, True), (False, False)])
def test_circulant_modules(peep, reset_after):
    lstm = CirculantLSTM(6, 8, 4, proj_size=4, peepholes=peep, dtype=F64)
    gru = CirculantGRU(6, 8, 4, reset_after=reset_after, dtype=F64)
    x = torch.randn(4, 3, 6, dtype=F64)
    for mod in (lstm, gru):
        with torch.no_grad():
            ref = mod(x)[0].numpy()
        assert np.max(np.abs(run_ir(spec_from_torch(mod, 4), x, "f64") - ref)) < 1e-9


def test_onnx_path_runs_the_same():
    onnx = pytest.importorskip("onnx", reason="the ONNX front end needs onnx")
    from ernn_ir.frontend.onnx_import import spec_from_onnx

    model = make_circulant_rnn(nn.GRU(5, 8, num_layers=2, bidirectional=True), 4)
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(4, 2, 5),), f, dynamo=False)
    spec = spec_from_onnx(onnx.load_from_string(f.getvalue()), 4)
    x = torch.randn(4, 2, 5)
    with torch.no_grad():
        ref = model(x)[0].double().numpy()
    assert np.max(np.abs(run_ir(spec, x.double(), "f64") - ref)) < 1e-6  # weights are float32


def test_ernn_import_cli(tmp_path, capsys):
    from ernn_ir.tools.ernn_import import main

    model = SequenceClassifier(make_circulant_rnn(nn.LSTM(8, 8), 4), 10)
    pt = tmp_path / "m.pt"
    torch.save(model, pt)
    out = tmp_path / "m.mlir"
    assert main([str(pt), "--block-size", "4", "--seq-len", "8", "-o", str(out)]) == 0
    text = out.read_text()
    assert "ernn.lstm" in text and "func.func @main" in text
    # errors: message, exit 1, no traceback, no output file
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    bad = tmp_path / "bad.mlir"
    for args, msg in [([str(tmp_path / "sd.pt")], "state_dict"),
                      ([str(tmp_path / "missing.pt")], "no such file"),
                      ([str(tmp_path / "m.txt")], "no such file")]:
        capsys.readouterr()
        assert main(args + ["--block-size", "4", "-o", str(bad)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("ernn-import: error:") and msg in err and "Traceback" not in err
        assert not bad.exists()
    # a nonsense option value is a usage error (argparse, exit 2) before anything is read
    with pytest.raises(SystemExit) as exit_info:
        main([str(pt), "--seq-len", "0", "--block-size", "4", "-o", str(bad)])
    assert exit_info.value.code == 2
    assert "argument --seq-len/-T: must be >= 1, got 0" in capsys.readouterr().err
    assert not bad.exists()
    rnn = tmp_path / "rnn.pt"
    torch.save(nn.RNN(4, 8), rnn)
    assert main([str(rnn), "--block-size", "4"]) == 1
    assert "unsupported model" in capsys.readouterr().err
