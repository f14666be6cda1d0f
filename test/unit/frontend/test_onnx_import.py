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


# ---------------------------------------------------------------------------
# Malformed models: every one is an UnsupportedModelError naming the node and
# the rule (never an IndexError/ValueError from inside the importer), and any
# model that imports builds IR that verifies.


def _graph(W_shape=(1, 16, 3), R_shape=(1, 16, 4), B_shape=None, inputs=("X", "W", "R"),
           attrs=None, extra_init=(), outputs=("Y",), dtype=np.float32, nodes=None):
    rng = np.random.default_rng(0)
    init = [onnx.numpy_helper.from_array(rng.standard_normal(W_shape).astype(dtype), "W"),
            onnx.numpy_helper.from_array(rng.standard_normal(R_shape).astype(dtype), "R")]
    if B_shape is not None:
        init.append(onnx.numpy_helper.from_array(rng.standard_normal(B_shape).astype(dtype), "B"))
    init += list(extra_init)
    attrs = {"hidden_size": 4} if attrs is None else attrs
    if nodes is None:
        nodes = [helper.make_node("LSTM", list(inputs), ["Y"], name="lstm0", **attrs)]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [5, 1, 3])],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
                          init)
    return helper.make_model(g)


def _short_raw_data():
    m = _graph()
    t = m.graph.initializer[0]
    t.raw_data = t.raw_data[: len(t.raw_data) // 2]
    return m


def _string_initializer():
    m = _graph()
    m.graph.initializer[0].CopyFrom(helper.make_tensor("W", TensorProto.STRING, [1], [b"x"]))
    return m


def _empty_initializer():
    m = _graph()
    t = m.graph.initializer[1]
    t.ClearField("raw_data")
    del t.dims[:]
    t.dims.extend([0])
    return m


def _duplicated_node():
    m = _graph()
    n = m.graph.node[0]
    dup = onnx.NodeProto()
    dup.CopyFrom(n)
    dup.name = "lstm1"
    dup.output[0] = "Y2"
    m.graph.node.append(dup)
    return m


@pytest.mark.parametrize("make,match", [
    (lambda: _graph(W_shape=(1, 16, 7)), r"'lstm0' \(LSTM\): input size 7 does not match the 3 features produced before it"),
    (lambda: _graph(W_shape=(1, 12, 3)), r"input 'W' has shape \[1, 12, 3\]; direction 'forward' with hidden size 4 needs \[1, 16, 3\]"),
    (lambda: _graph(R_shape=(16, 4)), r"input 'R' has shape \[16, 4\]; it must be \[num_directions, 4\*hidden_size, hidden_size\]"),
    (lambda: _graph(R_shape=(2, 16, 4)), r"input 'R' has shape \[2, 16, 4\]; direction 'forward'"),
    (lambda: _graph(B_shape=(1, 7), inputs=("X", "W", "R", "B")), r"input 'B' has shape \[1, 7\]; hidden size 4 needs \[1, 32\]"),
    (lambda: _graph(attrs={"hidden_size": 5}), r"attribute 'hidden_size'=5 does not match input 'R'"),
    (lambda: _graph(attrs={"hidden_size": 4.5}), r"attribute 'hidden_size' must be an integer, got 4.5"),
    (lambda: _graph(attrs={"hidden_size": 4, "direction": 3}), r"attribute 'direction' must be a string"),
    (lambda: _graph(inputs=("X",)), r"inputs 'W'/'R' must be constant initializers"),
    (lambda: _graph(inputs=("X", "W", "missing")), r"inputs 'W'/'R' must be constant initializers"),
    (lambda: _graph(outputs=()), r"ONNX graph has no output"),
    (_short_raw_data, r"tensor 'W' is malformed \(its data does not match its type and shape \[1, 16, 3\]"),
    (_string_initializer, r"tensor 'W' holds object data, not numbers"),
    (_empty_initializer, r"input 'R' has shape \[0\]"),
    (_duplicated_node, r"'lstm1' \(LSTM\): reads 'X', which node 'lstm0' reads too; only a chain of layers"),
], ids=["W-columns", "W-rows", "R-rank", "R-directions", "B-length", "hidden-size-mismatch",
        "hidden-size-type", "direction-type", "missing-inputs", "unknown-input", "no-output",
        "short-raw-data", "string-tensor", "empty-tensor", "fan-out"])
def test_malformed_models_are_refused_by_rule(make, match):
    with pytest.raises(UnsupportedModelError, match=match):
        spec_from_onnx(make(), 4)


def test_gemm_weight_must_fit_the_features():
    """A head whose weight reads more features than the RNN produces (IR that would not verify)."""
    torch.manual_seed(0)
    m = onnx.load_from_string(_export_bytes(SequenceClassifier(nn.LSTM(5, 8), 3), 5))
    for t in m.graph.initializer:
        if list(t.dims) == [3, 8]:
            t.CopyFrom(onnx.numpy_helper.from_array(np.zeros((3, 12), np.float32), t.name))
    with pytest.raises(UnsupportedModelError, match=r"\(Gemm\): the weight has 12 input features; 8 are produced"):
        spec_from_onnx(m, 4)


def _export_bytes(model, n_in):
    return export(model, n_in).SerializeToString()


def test_ernn_import_output_always_verifies(tmp_path):
    """The CLI verifies what it built before writing it."""
    from ernn_ir.builder import parse_module_text
    from ernn_ir.tools.ernn_import import main

    p = tmp_path / "m.onnx"
    onnx.save(_graph(), p)
    out = tmp_path / "m.mlir"
    assert main([str(p), "--block-size", "4", "-o", str(out)]) == 0
    parse_module_text(out.read_text())
    bad = tmp_path / "bad.onnx"
    onnx.save(_graph(W_shape=(1, 16, 7)), bad)
    assert main([str(bad), "--block-size", "4", "-o", str(tmp_path / "bad.mlir")]) == 1
    assert not (tmp_path / "bad.mlir").exists()


def test_non_finite_weights_are_refused():
    m = _graph()
    a = onnx.numpy_helper.to_array(m.graph.initializer[1]).copy()
    a[0, 0, 0] = np.inf
    m.graph.initializer[1].CopyFrom(onnx.numpy_helper.from_array(a, "R"))
    with pytest.raises(UnsupportedModelError, match=r"layer 'lstm0': w_hh holds NaN or infinite values"):
        spec_from_onnx(m, 4)
