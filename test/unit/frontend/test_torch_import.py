"""PyTorch -> ModelSpec import."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the PyTorch front end needs torch")
from torch import nn  # noqa: E402

from ernn_ir.frontend.circulant_torch import (  # noqa: E402
    CirculantGRU, CirculantLSTM, DenseLSTM, SequenceClassifier, SpecModel)
from ernn_ir.frontend.projection import expand_circulant  # noqa: E402
from ernn_ir.frontend.torch_import import (  # noqa: E402
    UnsupportedModelError, spec_from_torch)
from ernn_ir.model_spec import BidirectionalSpec, DenseSpec, GruSpec, LstmSpec  # noqa: E402

from circulant_models import make_circulant_rnn  # noqa: E402

F64 = torch.float64


def _layers(spec):
    for l in spec.layers:
        if isinstance(l, BidirectionalSpec):
            yield l.forward
            yield l.backward
        else:
            yield l


@pytest.mark.parametrize("kw", [
    dict(),
    dict(proj_size=4),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, proj_size=4),
    dict(bias=False),
])
def test_circulant_lstm_imports_exactly(kw):
    b, N, H = 4, 6, 8
    m = make_circulant_rnn(nn.LSTM(N, H, dtype=F64, **kw), b)
    spec, rep = spec_from_torch(m, b, return_report=True)
    assert rep.max_rel_error < 1e-13
    first = spec.layers[0].forward if kw.get("bidirectional") else spec.layers[0]
    assert isinstance(first, LstmSpec)
    # parameters equal the circulant parameters the weights were built from
    W = expand_circulant(first.w_x.params, first.w_x.rows, first.w_x.cols)
    assert np.allclose(W, m.weight_ih_l0.detach().numpy(), atol=1e-14, rtol=0)
    if kw.get("bias", True):
        assert np.allclose(first.bias, (m.bias_ih_l0 + m.bias_hh_l0).detach().numpy(), atol=1e-15)
    else:
        assert first.bias is None
    x = torch.randn(5, 3, N, dtype=F64)
    assert torch.allclose(SpecModel(spec)(x), m(x)[0], atol=1e-9, rtol=0)


@pytest.mark.parametrize("kw", [dict(), dict(num_layers=2), dict(bidirectional=True), dict(bias=False)])
def test_circulant_gru_imports_exactly(kw):
    b, N, H = 4, 5, 8
    m = make_circulant_rnn(nn.GRU(N, H, dtype=F64, **kw), b, seed=1)
    spec, rep = spec_from_torch(m, b, return_report=True)
    assert rep.max_rel_error < 1e-13
    for l in _layers(spec):
        assert isinstance(l, GruSpec) and l.reset_after
    first = next(_layers(spec))
    if kw.get("bias", True):
        assert np.array_equal(first.b_x, m.bias_ih_l0.detach().numpy())
        assert np.array_equal(first.b_h, m.bias_hh_l0.detach().numpy())
    W = expand_circulant(first.w_h.params, first.w_h.rows, first.w_h.cols)
    assert np.allclose(W, m.weight_hh_l0.detach().numpy(), atol=1e-14, rtol=0)
    x = torch.randn(4, 2, N, dtype=F64)
    assert torch.allclose(SpecModel(spec)(x), m(x)[0], atol=1e-9, rtol=0)


def test_dense_weights_projected_with_error_reported(caplog):
    torch.manual_seed(0)
    m = nn.LSTM(8, 8, dtype=F64)
    with caplog.at_level("INFO", logger="ernn_ir.frontend"):
        spec, rep = spec_from_torch(m, 4, return_report=True)
    assert len(rep.projections) == 2
    assert all(0.3 < e.rel_error < 1.0 for e in rep.projections)
    assert "projection error" in str(rep)
    assert any("relative error" in r.message for r in caplog.records)


def _expanded_real(cw, rows_idx, cols_idx):
    W = expand_circulant(cw.params, cw.rows, cw.cols)
    return W[np.ix_(rows_idx, cols_idx)]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_padded_hidden_units_stay_exactly_zero(kind):
    """H=6, b=4: units 6, 7 are padding; they stay exactly 0 and the real units
    compute exactly what a PyTorch model with the projected weights computes."""
    torch.manual_seed(5)
    N, H, b = 5, 6, 4
    Hp = 8
    cls = nn.LSTM if kind == "lstm" else nn.GRU
    ng = 4 if kind == "lstm" else 3
    m = cls(N, H, num_layers=2, dtype=F64)
    spec, rep = spec_from_torch(m, b, return_report=True)
    assert all(l.hidden_size == Hp for l in spec.layers)
    assert any("padded" in n for n in rep.notes)
    x = torch.randn(6, 3, N, dtype=F64) * 2
    # the spec's padded units are exactly zero at every step, in both layers
    y1 = SpecModel(type(spec)(layers=spec.layers[:1]))(x)
    y = SpecModel(spec)(x)
    assert y.shape[-1] == Hp
    assert torch.equal(y1[..., H:], torch.zeros_like(y1[..., H:]))
    assert torch.equal(y[..., H:], torch.zeros_like(y[..., H:]))
    # a PyTorch model holding the projected weights on the real units agrees
    rows = np.concatenate([g * Hp + np.arange(H) for g in range(ng)])
    ref = cls(N, H, num_layers=2, dtype=F64)
    with torch.no_grad():
        for k, l in enumerate(spec.layers):
            cols_x = np.arange(N) if k == 0 else np.arange(H)
            getattr(ref, f"weight_ih_l{k}").copy_(torch.as_tensor(_expanded_real(l.w_x, rows, cols_x)))
            getattr(ref, f"weight_hh_l{k}").copy_(torch.as_tensor(_expanded_real(l.w_h, rows, np.arange(H))))
            if kind == "lstm":
                getattr(ref, f"bias_ih_l{k}").copy_(torch.as_tensor(l.bias[rows]))
                getattr(ref, f"bias_hh_l{k}").zero_()
            else:
                getattr(ref, f"bias_ih_l{k}").copy_(torch.as_tensor(l.b_x[rows]))
                getattr(ref, f"bias_hh_l{k}").copy_(torch.as_tensor(l.b_h[rows]))
    assert torch.allclose(y[..., :H], ref(x)[0], atol=1e-9, rtol=0)
    # the layers say which units are real; no bias value is spent on the padding
    for l in spec.layers:
        assert l.units == H
        biases = [l.bias] if kind == "lstm" else [l.b_x, l.b_h]
        for b_ in biases:
            padded = np.concatenate([b_[g * Hp + H:(g + 1) * Hp] for g in range(ng)])
            assert np.all(padded == 0.0)


def test_padding_with_projection_and_bidirectional():
    torch.manual_seed(6)
    m = nn.LSTM(5, 6, proj_size=3, bidirectional=True, num_layers=2, dtype=F64)
    spec = spec_from_torch(m, 4)
    bi = spec.layers[1]
    assert bi.forward.input_size == 6 and bi.forward.w_proj.rows == 3
    x = torch.randn(4, 2, 5, dtype=F64)
    assert SpecModel(spec)(x).shape == (4, 2, 6)


def test_classifier_with_linear_head():
    b = 4
    rnn = make_circulant_rnn(nn.LSTM(6, 8, dtype=F64), b)
    clf = SequenceClassifier(rnn, 10)
    spec = spec_from_torch(clf, b)
    assert isinstance(spec.layers[-1], DenseSpec) and spec.layers[0].return_sequence is False
    x = torch.randn(5, 3, 6, dtype=F64)
    assert torch.allclose(SpecModel(spec)(x), clf(x), atol=1e-9, rtol=0)


def test_circulant_modules_taken_as_stored():
    lstm = CirculantLSTM(6, 8, 4, proj_size=4, peepholes=True, dtype=F64)
    spec, rep = spec_from_torch(lstm, 4, return_report=True)
    assert rep.projections == [] and rep.exact
    assert np.array_equal(spec.layers[0].w_x.params, lstm.w_x.weight.detach().numpy())
    gru = SequenceClassifier(CirculantGRU(6, 8, 4, reset_after=False, dtype=F64), 3)
    spec = spec_from_torch(gru, 4)
    assert spec.layers[0].reset_after is False
    x = torch.randn(3, 2, 6, dtype=F64)
    assert torch.allclose(SpecModel(spec)(x), gru(x), atol=1e-12, rtol=0)


def test_dense_lstm_with_peepholes_projected():
    d = DenseLSTM(6, 8, peepholes=True, dtype=F64)
    spec, rep = spec_from_torch(d, 4, return_report=True)
    assert spec.layers[0].peephole.shape == (3, 8) and len(rep.projections) == 2


def test_batch_first_noted():
    spec, rep = spec_from_torch(nn.GRU(4, 8, batch_first=True), 4, return_report=True)
    assert any("batch_first" in n for n in rep.notes)


class _Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 8)
        self.conv = nn.Conv1d(8, 8, 3)


class _Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 8)
        self.fc = nn.Linear(8, 3)
        self.fc2 = nn.Linear(3, 3)


@pytest.mark.parametrize("model,match", [
    (nn.RNN(4, 8), "RNN"),
    (_Conv(), "'conv' \\(Conv1d\\)"),
    (_Two(), "'fc2'"),
    (nn.Sequential(nn.Linear(4, 4), nn.LSTM(4, 8)), "before any recurrent"),
    ({"weight": 1}, "state_dict"),
    (nn.Sequential(nn.ReLU()), "ReLU"),
])
def test_unsupported(model, match):
    with pytest.raises(UnsupportedModelError, match=match):
        spec_from_torch(model, 4)


# ---------------------------------------------------------------------------
# The importer reads layers; forward is checked on a probe input


class _Head(nn.Module):
    """An LSTM and a head joined by `op` (applied to the last step's output)."""

    def __init__(self, op=None, where="before"):
        super().__init__()
        self.rnn = make_circulant_rnn(nn.LSTM(4, 8, dtype=F64), 4)
        self.head = nn.Linear(8, 3, dtype=F64)
        self.op, self.where = op, where

    def forward(self, x):
        y, _ = self.rnn(x)
        last = y[-1]
        if self.op is not None and self.where == "before":
            last = self.op(last)
        out = self.head(last)
        if self.op is not None and self.where == "after":
            out = self.op(out)
        return out


@pytest.mark.parametrize("op,where", [
    (torch.tanh, "before"),
    (torch.relu, "before"),
    (lambda t: t * 2.0, "before"),
    (lambda t: t + 0.5, "after"),
    (lambda t: torch.softmax(t, -1), "after"),
], ids=["tanh", "relu", "scale", "offset", "softmax"])
def test_functional_op_in_forward_is_refused(op, where):
    """The op would be dropped (E-RNN issue 11: torch.tanh off by 0.13 with exit 0)."""
    with pytest.raises(UnsupportedModelError, match=r"_Head\.forward does not compute 'rnn' -> 'head' "
                                                    r"and nothing else.*a functional op in forward"):
        spec_from_torch(_Head(op, where), 4)


def test_plain_forward_is_accepted_and_the_last_step_detected():
    """No `return_sequence` attribute: the probe finds that the head reads y[-1]."""
    model = _Head()
    spec, rep = spec_from_torch(model, 4, return_report=True)
    assert spec.layers[0].return_sequence is False
    assert any("checked on a probe input" in n for n in rep.notes)
    x = torch.randn(5, 2, 4, dtype=F64)
    with torch.no_grad():
        assert torch.allclose(SpecModel(spec)(x), model(x), atol=1e-9)


class _Reversed(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(4, 8, dtype=F64)

    def forward(self, x):
        return self.rnn(torch.flip(x, [0]))[0]


class _Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(4, 8, dtype=F64)

    def forward(self, x, lengths):
        return self.rnn(x)[0]


class _Wrapped(nn.Module):
    """A custom container: its child is a module whose child is the RNN."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(_Seq(nn.LSTM(4, 8, dtype=F64)))
        self.head = nn.Linear(8, 2, dtype=F64)

    def forward(self, x):
        return self.head(self.body(x))


class _Seq(nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


class _Overridden(nn.LSTM):
    def forward(self, x, hx=None):
        y, state = super().forward(x, hx)
        return torch.tanh(y), state


@pytest.mark.parametrize("model,match", [
    (_Reversed(), r"_Reversed\.forward does not compute 'rnn'"),
    (_Broken(), r"_Broken\.forward fails on a \[T, B, N\] probe input of shape \(5, 16, 4\)"),
    (nn.Sequential(nn.LSTM(4, 8), nn.Linear(8, 2)), r"Sequential\.forward fails"),
    (_Overridden(4, 8, dtype=F64), r"_Overridden\.forward does not compute"),
], ids=["reversed-input", "extra-argument", "sequential-tuple", "overridden-forward"])
def test_forward_that_does_something_else_is_refused(model, match):
    with pytest.raises(UnsupportedModelError, match=match):
        spec_from_torch(model, 4)


def test_nested_containers_are_read_through():
    spec = spec_from_torch(_Wrapped(), 4)
    assert isinstance(spec.layers[0], LstmSpec) and isinstance(spec.layers[-1], DenseSpec)
    assert spec.layers[0].return_sequence is True


def test_probe_leaves_training_flags_alone():
    m = _Wrapped().train()
    m.head.eval()
    spec_from_torch(m, 4)
    assert m.training and m.body.training and not m.head.training


def test_weights_without_data_or_not_finite_are_refused():
    with pytest.raises(UnsupportedModelError, match=r"parameter 'weight_ih_l0' holds no float data \(a meta tensor\)"):
        spec_from_torch(nn.LSTM(4, 8, device="meta"), 4)
    m = nn.GRU(4, 8, dtype=F64)
    with torch.no_grad():
        m.weight_hh_l0[1, 2] = float("nan")
    with pytest.raises(UnsupportedModelError, match=r"layer 'GRU.l0': w_hh holds NaN or infinite values"):
        spec_from_torch(m, 4)
