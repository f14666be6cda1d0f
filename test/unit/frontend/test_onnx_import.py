"""ONNX -> ModelSpec import; the ONNX path gives the same spec as the PyTorch path."""

import io
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="exporting test models needs torch")
onnx = pytest.importorskip("onnx", reason="the ONNX front end needs onnx")
from torch import nn  # noqa: E402
from onnx import helper, TensorProto  # noqa: E402

from ernn_ir.frontend.circulant_torch import SequenceClassifier, SpecModel  # noqa: E402
from ernn_ir.frontend.onnx_import import spec_from_onnx  # noqa: E402
from ernn_ir.frontend.torch_import import UnsupportedModelError, spec_from_torch  # noqa: E402
from ernn_ir.model_spec import BidirectionalSpec, DenseSpec  # noqa: E402


def export(model, n_in, T=4, B=2):
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(T, B, n_in),), f, dynamo=False)
    return onnx.load_from_string(f.getvalue())


def _flat(spec):
    """All arrays of a spec, in order, with their field names."""
    out = []
    for k, layer in enumerate(spec.layers):
        subs = [("f", layer.forward), ("b", layer.backward)] if isinstance(layer, BidirectionalSpec) else [("", layer)]
        for tag, l in subs:
            for name, v in vars(l).items():
                if hasattr(v, "params"):
                    out.append((f"{k}{tag}.{name}", v.params, (v.rows, v.cols)))
                elif isinstance(v, np.ndarray) or v is None or isinstance(v, (bool, int)):
                    out.append((f"{k}{tag}.{name}", v, None))
    return out


def assert_same_spec(a, b):
    fa, fb = _flat(a), _flat(b)
    assert [x[0] for x in fa] == [x[0] for x in fb]
    for (name, va, sa), (_, vb, sb) in zip(fa, fb):
        assert sa == sb, name
        if isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            assert va is not None and vb is not None, name
            assert va.shape == vb.shape and np.array_equal(va, vb), name
        else:
            assert va == vb, name


MODELS = [
    ("lstm", lambda: nn.LSTM(5, 8), 5),
    ("lstm_2l_bi", lambda: nn.LSTM(6, 8, num_layers=2, bidirectional=True), 6),
    ("lstm_pad", lambda: nn.LSTM(5, 6, num_layers=2), 5),
    ("lstm_nobias", lambda: nn.LSTM(5, 8, bias=False), 5),
    ("gru", lambda: nn.GRU(5, 8), 5),
    ("gru_2l_bi_pad", lambda: nn.GRU(5, 6, num_layers=2, bidirectional=True), 5),
    ("lstm_clf", lambda: SequenceClassifier(nn.LSTM(5, 8), 3), 5),
]


@pytest.mark.parametrize("name,make,n_in", MODELS, ids=[m[0] for m in MODELS])
def test_onnx_equals_torch_path(name, make, n_in):
    torch.manual_seed(0)
    model = make()
    for block in (4,):
        st, rt = spec_from_torch(model, block, return_report=True)
        so, ro = spec_from_onnx(export(model, n_in), block, return_report=True)
        assert_same_spec(st, so)
        assert [e.rel_error for e in rt.projections] == [e.rel_error for e in ro.projections]
    if name.endswith("clf"):
        assert isinstance(so.layers[-1], DenseSpec)
        x = torch.randn(5, 2, n_in, dtype=torch.float64)
        assert SpecModel(so)(x).shape == (2, model.head.out_features)


def test_onnx_gru_reset_before_and_peepholes(tmp_path):
    """Hand-built ONNX nodes: linear_before_reset=0 and LSTM peepholes (P)."""
    rng = np.random.default_rng(0)
    H, N = 4, 3
    W = rng.standard_normal((1, 3 * H, N)).astype(np.float32)
    R = rng.standard_normal((1, 3 * H, H)).astype(np.float32)
    B = rng.standard_normal((1, 6 * H)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("GRU", ["X", "W", "R", "B"], ["Y"], name="gru0", hidden_size=H)],
        "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [5, 1, N])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        [onnx.numpy_helper.from_array(a, n) for a, n in ((W, "W"), (R, "R"), (B, "B"))])
    p = tmp_path / "gru.onnx"
    onnx.save(helper.make_model(g), p)
    spec = spec_from_onnx(str(p), 4)
    l = spec.layers[0]
    assert l.reset_after is False
    # ONNX z r h -> ours r z n
    assert np.allclose(l.b_x[:H], B[0, H:2 * H]) and np.allclose(l.b_x[H:2 * H], B[0, :H])
    assert np.allclose(l.b_h[2 * H:], B[0, 5 * H:])
    # LSTM with peepholes P = (i, o, f)
    W = rng.standard_normal((1, 4 * H, N)).astype(np.float32)
    R = rng.standard_normal((1, 4 * H, H)).astype(np.float32)
    P = rng.standard_normal((1, 3 * H)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("LSTM", ["X", "W", "R", "", "", "", "", "P"], ["Y"], name="lstm0", hidden_size=H)],
        "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [5, 1, N])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        [onnx.numpy_helper.from_array(a, n) for a, n in ((W, "W"), (R, "R"), (P, "P"))])
    spec = spec_from_onnx(helper.make_model(g), 4)
    l = spec.layers[0]
    assert np.allclose(l.peephole[0], P[0, :H]) and np.allclose(l.peephole[1], P[0, 2 * H:])
    assert np.allclose(l.peephole[2], P[0, H:2 * H])
    assert l.bias is None


def _lstm_graph(**attrs):
    H, N = 4, 3
    W = np.zeros((1, 4 * H, N), np.float32)
    R = np.zeros((1, 4 * H, H), np.float32)
    nodes = [helper.make_node("LSTM", ["X", "W", "R"], ["Y"], name="lstm0", hidden_size=H, **attrs)]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [5, 1, N])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
                          [onnx.numpy_helper.from_array(W, "W"), onnx.numpy_helper.from_array(R, "R")])
    return helper.make_model(g)


@pytest.mark.parametrize("attrs,match", [
    (dict(clip=1.0), "'lstm0'.*attribute 'clip'"),
    (dict(direction="reverse"), "attribute 'direction'=reverse"),
    (dict(input_forget=1), "attribute 'input_forget'"),
    (dict(layout=1), "attribute 'layout'"),
    (dict(activations=["Relu", "Tanh", "Tanh"]), "attribute 'activations'"),
])
def test_unsupported_attributes(attrs, match):
    with pytest.raises(UnsupportedModelError, match=match):
        spec_from_onnx(_lstm_graph(**attrs), 4)


def test_unsupported_nodes():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(4, 8)

        def forward(self, x):
            return torch.relu(self.rnn(x)[0])

    with pytest.raises(UnsupportedModelError, match=r"\(Relu\)"):
        spec_from_onnx(export(M(), 4), 4)
    with pytest.raises(UnsupportedModelError, match="RNN|no LSTM/GRU"):
        spec_from_onnx(export(nn.RNN(4, 8), 4), 4)


def test_bidirectional_last_step_rejected():
    m = SequenceClassifier(nn.GRU(5, 8, bidirectional=True), 4)
    with pytest.raises(UnsupportedModelError, match="bidirectional"):
        spec_from_onnx(export(m, 5), 4)
    with pytest.raises(UnsupportedModelError, match="bidirectional"):
        spec_from_torch(m, 4)


def test_final_state_output_rejected():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(4, 8)

        def forward(self, x):
            return self.rnn(x)[1]

    with pytest.raises(UnsupportedModelError, match="final"):
        spec_from_onnx(export(M(), 4), 4)


def test_bad_file(tmp_path):
    p = tmp_path / "x.onnx"
    p.write_bytes(b"not a model")
    with pytest.raises(UnsupportedModelError, match="cannot read"):
        spec_from_onnx(str(p), 4)
