"""Block-circulant PyTorch layers == dense computation with the expanded matrices."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the PyTorch front end needs torch")

from ernn_ir.frontend.circulant_torch import (  # noqa: E402
    CirculantGRU, CirculantLinear, CirculantLSTM, DenseGRU, DenseLSTM, expand_circulant_torch)
from ernn_ir.frontend.projection import expand_circulant  # noqa: E402

TOL = 1e-9


def _rand_params(module, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.5)


@pytest.mark.parametrize("m,n,b", [(8, 8, 4), (12, 8, 4), (10, 7, 4), (5, 3, 8), (16, 16, 16), (6, 6, 1)])
def test_linear_matches_dense(m, n, b):
    torch.manual_seed(0)
    lin = CirculantLinear(n, m, b, bias=True, dtype=torch.float64)
    x = torch.randn(3, 2, n, dtype=torch.float64)
    W = torch.as_tensor(expand_circulant(lin.weight.detach().numpy(), m, n))
    ref = x @ W.T + lin.bias
    assert torch.allclose(lin(x), ref, atol=TOL, rtol=0)
    # the first-column convention: W_ij[r][k] = w_ij[(r - k) mod b]
    w = lin.weight.detach().numpy()
    Wd = lin.dense_weight().detach().numpy()
    if b > 1 and n > 1:
        assert Wd[1, 0] == w[0, 0, 1]
        assert Wd[0, 1] == w[0, 0, b - 1]


def test_expand_torch_matches_numpy():
    p = torch.randn(3, 2, 4, dtype=torch.float64)
    assert np.array_equal(expand_circulant_torch(p, 10, 7).numpy(), expand_circulant(p.numpy(), 10, 7))


def _dense_lstm_from(circ):
    d = DenseLSTM(circ.input_size, circ.hidden_size, proj_size=circ.proj_size,
                  peepholes=circ.peepholes, bias=circ.bias is not None, dtype=torch.float64)
    with torch.no_grad():
        for name, W in circ.dense_matrices().items():
            getattr(d, name).copy_(W)
        if d.bias is not None:
            d.bias.copy_(circ.bias)
        if d.peephole is not None:
            d.peephole.copy_(circ.peephole)
    return d


def _manual_lstm(x, Wx, Wh, bias, peep, Wp, H):
    T, B, _ = x.shape
    R = Wh.shape[1]
    r = torch.zeros(B, R, dtype=x.dtype)
    c = torch.zeros(B, H, dtype=x.dtype)
    ys = []
    for t in range(T):
        g = x[t] @ Wx.T + r @ Wh.T + (0 if bias is None else bias)
        gi, gf, gg, go = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
        if peep is not None:
            gi, gf = gi + peep[0] * c, gf + peep[1] * c
        c = torch.sigmoid(gf) * c + torch.sigmoid(gi) * torch.tanh(gg)
        if peep is not None:
            go = go + peep[2] * c
        h = torch.sigmoid(go) * torch.tanh(c)
        r = h if Wp is None else h @ Wp.T
        ys.append(r)
    return torch.stack(ys)


@pytest.mark.parametrize("N,H,b,proj,peep,bias", [
    (8, 8, 4, None, False, True),
    (7, 8, 4, None, True, True),
    (10, 16, 8, 6, True, True),
    (12, 16, 4, 8, False, False),
])
def test_lstm_matches_dense(N, H, b, proj, peep, bias):
    torch.manual_seed(1)
    m = CirculantLSTM(N, H, b, proj_size=proj, peepholes=peep, bias=bias, dtype=torch.float64)
    _rand_params(m)
    x = torch.randn(5, 3, N, dtype=torch.float64)
    y, (r, c) = m(x)
    mats = m.dense_matrices()
    ref = _manual_lstm(x, mats["w_x"], mats["w_h"], m.bias, m.peephole, mats.get("w_proj"), H)
    assert torch.allclose(y, ref, atol=TOL, rtol=0)
    assert torch.allclose(y[-1], r)
    d = _dense_lstm_from(m)
    assert torch.allclose(d(x)[0], ref, atol=TOL, rtol=0)


def test_lstm_no_peephole_matches_torch_lstm():
    """Without peepholes our equations are PyTorch's nn.LSTM (incl. proj_size)."""
    torch.manual_seed(2)
    m = CirculantLSTM(6, 8, 4, proj_size=4, dtype=torch.float64)
    _rand_params(m)
    ref = torch.nn.LSTM(6, 8, proj_size=4, dtype=torch.float64)
    mats = m.dense_matrices()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(mats["w_x"])
        ref.weight_hh_l0.copy_(mats["w_h"])
        ref.weight_hr_l0.copy_(mats["w_proj"])
        ref.bias_ih_l0.copy_(m.bias)
        ref.bias_hh_l0.zero_()
    x = torch.randn(4, 2, 6, dtype=torch.float64)
    assert torch.allclose(m(x)[0], ref(x)[0], atol=TOL, rtol=0)


def _manual_gru(x, Wx, Wh, bx, bh, reset_after, H):
    T, B, _ = x.shape
    h = torch.zeros(B, H, dtype=x.dtype)
    ys = []
    for t in range(T):
        gx = x[t] @ Wx.T + bx
        r = torch.sigmoid(gx[:, :H] + h @ Wh[:H].T + bh[:H])
        z = torch.sigmoid(gx[:, H:2 * H] + h @ Wh[H:2 * H].T + bh[H:2 * H])
        if reset_after:
            n = torch.tanh(gx[:, 2 * H:] + r * (h @ Wh[2 * H:].T + bh[2 * H:]))
        else:
            n = torch.tanh(gx[:, 2 * H:] + (r * h) @ Wh[2 * H:].T + bh[2 * H:])
        h = (1 - z) * n + z * h
        ys.append(h)
    return torch.stack(ys)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("N,H,b", [(8, 8, 4), (5, 16, 8)])
def test_gru_matches_dense(reset_after, N, H, b):
    torch.manual_seed(3)
    m = CirculantGRU(N, H, b, reset_after=reset_after, dtype=torch.float64)
    _rand_params(m)
    x = torch.randn(6, 2, N, dtype=torch.float64)
    mats = m.dense_matrices()
    ref = _manual_gru(x, mats["w_x"], mats["w_h"], m.b_x, m.b_h, reset_after, H)
    y, h = m(x)
    assert torch.allclose(y, ref, atol=TOL, rtol=0)
    d = DenseGRU(N, H, reset_after=reset_after, dtype=torch.float64)
    with torch.no_grad():
        d.w_x.copy_(mats["w_x"]); d.w_h.copy_(mats["w_h"]); d.b_x.copy_(m.b_x); d.b_h.copy_(m.b_h)
    assert torch.allclose(d(x)[0], ref, atol=TOL, rtol=0)


def test_gru_reset_after_matches_torch_gru():
    torch.manual_seed(4)
    m = CirculantGRU(4, 8, 4, dtype=torch.float64)
    _rand_params(m)
    ref = torch.nn.GRU(4, 8, dtype=torch.float64)
    mats = m.dense_matrices()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(mats["w_x"]); ref.weight_hh_l0.copy_(mats["w_h"])
        ref.bias_ih_l0.copy_(m.b_x); ref.bias_hh_l0.copy_(m.b_h)
    x = torch.randn(5, 3, 4, dtype=torch.float64)
    assert torch.allclose(m(x)[0], ref(x)[0], atol=TOL, rtol=0)


def test_to_spec_roundtrip_exact():
    m = CirculantLSTM(6, 8, 4, proj_size=4, peepholes=True, dtype=torch.float64)
    spec = m.to_spec()
    assert spec.w_x.params.shape == (8, 2, 4) and spec.w_h.params.shape == (8, 1, 4)
    assert spec.w_proj.rows == 4 and spec.peephole.shape == (3, 8)
    assert np.array_equal(spec.w_x.params, m.w_x.weight.detach().numpy())
    m2 = CirculantLSTM.from_spec(spec)
    x = torch.randn(3, 2, 6, dtype=torch.float64)
    assert torch.equal(m(x)[0], m2(x)[0])
    g = CirculantGRU(6, 8, 4, reset_after=False, dtype=torch.float64)
    gs = g.to_spec()
    assert gs.reset_after is False and gs.b_x.shape == (24,)
    assert torch.equal(g(x)[0], CirculantGRU.from_spec(gs)(x)[0])


def test_hidden_must_be_multiple():
    with pytest.raises(ValueError, match="multiple of the block size"):
        CirculantLSTM(4, 6, 4)


def test_gradients_flow():
    m = CirculantLSTM(4, 8, 4, peepholes=True)
    y, _ = m(torch.randn(3, 2, 4))
    y.sum().backward()
    assert m.w_x.weight.grad is not None and torch.isfinite(m.w_h.weight.grad).all()
