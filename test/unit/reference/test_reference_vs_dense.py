"""The reference interpreter's ernn.lstm / ernn.gru against an independent dense numpy model.

The dense model below is written from the equations in the LstmOp / GruOp
docstrings and ernn_ir/model_spec.py only: circulant parameters are expanded
to dense matrices with index arithmetic written here (no ernn_ir.numerics),
and every step is a plain float64 matrix product.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType

from ernn_ir.builder import build_module
from ernn_ir.model_spec import (
    BidirectionalSpec,
    CirculantWeight,
    DenseSpec,
    GruSpec,
    LstmSpec,
    ModelSpec,
)
from ernn_ir.lowering.reference import run_module

RTOL64 = ATOL64 = 1e-9
RTOL32 = ATOL32 = 1e-5


# ---------------------------------------------------------------- dense model


def dense(w: CirculantWeight) -> np.ndarray:
    """Expand [p, q, b] first-column parameters: W[i*b + r, j*b + k] = w_ij[(r - k) mod b]."""
    P = np.asarray(w.params, np.float64)
    p, q, b = P.shape
    idx = (np.arange(b)[:, None] - np.arange(b)[None, :]) % b  # [r, k]
    blocks = P[:, :, idx]  # [p, q, r, k]
    full = blocks.transpose(0, 2, 1, 3).reshape(p * b, q * b)
    return full[: w.rows, : w.cols]


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_dense(s: LstmSpec, x: np.ndarray, reverse: bool = False):
    T, B, _ = x.shape
    H = s.hidden_size
    Wx, Wh = dense(s.w_x), dense(s.w_h)
    Wp = None if s.w_proj is None else dense(s.w_proj)
    R = H if Wp is None else Wp.shape[0]
    bias = np.zeros(4 * H) if s.bias is None else np.asarray(s.bias, np.float64)
    pe = np.zeros((3, H)) if s.peephole is None else np.asarray(s.peephole, np.float64)
    r = np.zeros((B, R)) if s.h0 is None else np.asarray(s.h0, np.float64)
    c = np.zeros((B, H)) if s.c0 is None else np.asarray(s.c0, np.float64)
    ys = np.zeros((T, B, R))
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        a = x[t] @ Wx.T + r @ Wh.T + bias
        i = sig(a[:, :H] + pe[0] * c)
        f = sig(a[:, H : 2 * H] + pe[1] * c)
        g = np.tanh(a[:, 2 * H : 3 * H])
        c = f * c + i * g
        o = sig(a[:, 3 * H :] + pe[2] * c)
        h = o * np.tanh(c)
        r = h if Wp is None else h @ Wp.T
        ys[t] = r
    return (ys if s.return_sequence else r), r, c


def gru_dense(s: GruSpec, x: np.ndarray, reverse: bool = False):
    T, B, _ = x.shape
    H = s.hidden_size
    Wx, Wh = dense(s.w_x), dense(s.w_h)
    bx = np.zeros(3 * H) if s.b_x is None else np.asarray(s.b_x, np.float64)
    bh = np.zeros(3 * H) if s.b_h is None else np.asarray(s.b_h, np.float64)
    h = np.zeros((B, H)) if s.h0 is None else np.asarray(s.h0, np.float64)
    ys = np.zeros((T, B, H))
    Whr, Whz, Whn = Wh[:H], Wh[H : 2 * H], Wh[2 * H :]
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        xa = x[t] @ Wx.T + bx
        r = sig(xa[:, :H] + h @ Whr.T + bh[:H])
        z = sig(xa[:, H : 2 * H] + h @ Whz.T + bh[H : 2 * H])
        if s.reset_after:
            n = np.tanh(xa[:, 2 * H :] + r * (h @ Whn.T + bh[2 * H :]))
        else:
            n = np.tanh(xa[:, 2 * H :] + (r * h) @ Whn.T + bh[2 * H :])
        h = (1 - z) * n + z * h
        ys[t] = h
    return (ys if s.return_sequence else h), h


def layer_dense(layer, x, reverse=False):
    if isinstance(layer, LstmSpec):
        return lstm_dense(layer, x, reverse)[0]
    if isinstance(layer, GruSpec):
        return gru_dense(layer, x, reverse)[0]
    if isinstance(layer, BidirectionalSpec):
        return np.concatenate(
            [layer_dense(layer.forward, x), layer_dense(layer.backward, x, reverse=True)], axis=-1
        )
    if isinstance(layer, DenseSpec):
        y = x @ np.asarray(layer.weight, np.float64).T
        return y if layer.bias is None else y + layer.bias
    raise TypeError(layer)


def model_dense(layers, x):
    for layer in layers:
        x = layer_dense(layer, x)
    return x


# ---------------------------------------------------------------- random specs


def cw(rng, rows, cols, b, scale=0.5):
    return CirculantWeight(rows, cols, rng.uniform(-scale, scale, (-(-rows // b), -(-cols // b), b)))


def make_lstm(rng, N, H, b, B, proj=None, peep=True, bias=True, init=True, seq=True):
    R = proj or H
    k = 1.0 / np.sqrt(H)
    return LstmSpec(
        input_size=N,
        hidden_size=H,
        w_x=cw(rng, 4 * H, N, b, k),
        w_h=cw(rng, 4 * H, R, b, k),
        bias=rng.uniform(-1, 1, 4 * H) if bias else None,
        peephole=rng.uniform(-1, 1, (3, H)) if peep else None,
        w_proj=cw(rng, proj, H, b, k) if proj else None,
        h0=rng.uniform(-1, 1, (B, R)) if init else None,
        c0=rng.uniform(-1, 1, (B, H)) if init else None,
        return_sequence=seq,
    )


def make_gru(rng, N, H, b, B, reset_after=True, bx=True, bh=True, init=True, seq=True):
    k = 1.0 / np.sqrt(H)
    return GruSpec(
        input_size=N,
        hidden_size=H,
        w_x=cw(rng, 3 * H, N, b, k),
        w_h=cw(rng, 3 * H, H, b, k),
        b_x=rng.uniform(-1, 1, 3 * H) if bx else None,
        b_h=rng.uniform(-1, 1, 3 * H) if bh else None,
        reset_after=reset_after,
        h0=rng.uniform(-1, 1, (B, H)) if init else None,
        return_sequence=seq,
    )


def run_all_results(layer, x, dtype="f64", reverse=False):
    """Build a one-layer module, make @main return every result of the layer op, run it."""
    if reverse:
        # A reverse layer is only built as the backward half of a bidirectional layer.
        mod = build_module(ModelSpec([BidirectionalSpec(layer, layer)], dtype), x.shape[0], x.shape[1])
    else:
        mod = build_module(ModelSpec([layer], dtype), x.shape[0], x.shape[1])
    f = next(iter(mod.ops))
    assert isinstance(f, func.FuncOp)
    block = f.body.block
    rnn = [op for op in block.ops if op.name in ("ernn.lstm", "ernn.gru")][-1]
    assert (rnn.properties.get("reverse") is not None) == reverse
    old = block.last_op
    assert old is not None
    block.insert_op_before(func.ReturnOp(*rnn.results), old)
    block.erase_op(old)
    # the concat (if any) is now dead; erase it so the verifier is happy either way
    for op in list(block.ops):
        if op.name == "ernn.concat":
            block.erase_op(op)
    f.function_type = FunctionType.from_lists(
        list(f.function_type.inputs.data), [r.type for r in rnn.results]
    )
    mod.verify()
    return run_module(mod, [x])


def check(got, want, dtype):
    rtol, atol = (RTOL64, ATOL64) if dtype == "f64" else (RTOL32, ATOL32)
    assert got.dtype == (np.float64 if dtype == "f64" else np.float32)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=rtol, atol=atol)


def round32(layer):
    """The layer with every array rounded to float32 (what an f32 module holds)."""
    import copy

    out = copy.deepcopy(layer)
    for k, v in vars(out).items():
        if isinstance(v, np.ndarray):
            setattr(out, k, v.astype(np.float32).astype(np.float64))
        elif isinstance(v, CirculantWeight):
            v.params = v.params.astype(np.float32).astype(np.float64)
    return out


# ---------------------------------------------------------------- LSTM


LSTM_FLAGS = list(itertools.product([False, True], repeat=6))


@pytest.mark.parametrize("peep,proj,bias,init,reverse,seq", LSTM_FLAGS)
def test_lstm_feature_matrix(peep, proj, bias, init, reverse, seq):
    rng = np.random.default_rng(abs(hash((peep, proj, bias, init, reverse, seq))) % 2**32)
    N, H, b, B, T = 11, 12, 4, 2, 5
    s = make_lstm(rng, N, H, b, B, proj=6 if proj else None, peep=peep, bias=bias, init=init, seq=seq)
    x = rng.standard_normal((T, B, N))
    got = run_all_results(s, x, reverse=reverse)
    want = lstm_dense(s, x, reverse)
    assert len(got) == 3
    for g, w in zip(got, want):
        check(g, w, "f64")


@pytest.mark.parametrize("b", range(1, 17))
def test_lstm_block_sizes(b):
    rng = np.random.default_rng(100 + b)
    H = b * (1 + (b % 3))
    N = 3 * b + 1 + (b % 5)  # never a multiple of b (for b > 1)
    B = 1 + b % 3
    proj = None if b % 2 else max(1, H - b // 2)  # projection sizes not multiples of b
    s = make_lstm(rng, N, H, b, B, proj=proj, peep=b % 3 != 0, init=b % 4 != 0)
    x = rng.standard_normal((6, B, N))
    got = run_all_results(s, x)
    for g, w in zip(got, lstm_dense(s, x)):
        check(g, w, "f64")


@pytest.mark.parametrize("N,H,b,P,B,T", [(153, 64, 8, 32, 3, 7), (40, 48, 16, 20, 1, 9), (7, 30, 5, 13, 4, 3)])
def test_lstm_larger_f64_and_f32(N, H, b, P, B, T):
    rng = np.random.default_rng(N * H)
    s = make_lstm(rng, N, H, b, B, proj=P)
    x = rng.standard_normal((T, B, N))
    got = run_module(build_module(ModelSpec([s], "f64"), T, B), [x])[0]
    check(got, lstm_dense(s, x)[0], "f64")
    x32 = x.astype(np.float32)
    got32 = run_module(build_module(ModelSpec([s], "f32"), T, B), [x32])[0]
    check(got32, lstm_dense(round32(s), x32.astype(np.float64))[0], "f32")


# ---------------------------------------------------------------- GRU


GRU_FLAGS = list(itertools.product([False, True], repeat=6))


@pytest.mark.parametrize("reset_after,bx,bh,init,reverse,seq", GRU_FLAGS)
def test_gru_feature_matrix(reset_after, bx, bh, init, reverse, seq):
    rng = np.random.default_rng(abs(hash((reset_after, bx, bh, init, reverse, seq, 1))) % 2**32)
    N, H, b, B, T = 9, 12, 4, 3, 5
    s = make_gru(rng, N, H, b, B, reset_after=reset_after, bx=bx, bh=bh, init=init, seq=seq)
    x = rng.standard_normal((T, B, N))
    got = run_all_results(s, x, reverse=reverse)
    want = gru_dense(s, x, reverse)
    assert len(got) == 2
    for g, w in zip(got, want):
        check(g, w, "f64")


@pytest.mark.parametrize("b", range(1, 17))
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_block_sizes(b, reset_after):
    rng = np.random.default_rng(200 + b + 50 * reset_after)
    H = b * (1 + ((b + 1) % 3))
    N = 2 * b + 1 + (b % 3)
    B = 1 + (b + 1) % 3
    s = make_gru(rng, N, H, b, B, reset_after=reset_after, init=b % 2 == 0)
    x = rng.standard_normal((5, B, N))
    got = run_all_results(s, x)
    for g, w in zip(got, gru_dense(s, x)):
        check(g, w, "f64")


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_f32(reset_after):
    rng = np.random.default_rng(7)
    s = make_gru(rng, 37, 32, 8, 2, reset_after=reset_after)
    x = rng.standard_normal((8, 2, 37)).astype(np.float32)
    got = run_module(build_module(ModelSpec([s], "f32"), 8, 2), [x])[0]
    check(got, gru_dense(round32(s), x.astype(np.float64))[0], "f32")


# ---------------------------------------------------------------- models


def _stacked(rng, B):
    l1 = make_lstm(rng, 13, 16, 4, B, proj=10, init=False)
    l2 = make_gru(rng, 10, 12, 4, B, reset_after=False, init=False)
    l3 = make_lstm(rng, 12, 8, 4, B, peep=False, init=False)
    d = DenseSpec(rng.uniform(-1, 1, (5, 8)), rng.uniform(-1, 1, 5))
    return [l1, l2, l3, d]


def _bidirectional(rng, B):
    fw = make_lstm(rng, 10, 8, 8, B, proj=6, init=False)
    bw = make_lstm(rng, 10, 8, 8, B, proj=6, init=False)
    g_f = make_gru(rng, 12, 16, 8, B, init=False)
    g_b = make_gru(rng, 12, 16, 8, B, reset_after=False, init=False)
    d = DenseSpec(rng.uniform(-1, 1, (3, 32)))
    return [BidirectionalSpec(fw, bw), BidirectionalSpec(g_f, g_b), d]


def _bidirectional_last(rng, B):
    fw = make_gru(rng, 7, 6, 3, B, seq=False)
    bw = make_gru(rng, 7, 6, 3, B, seq=False)
    return [BidirectionalSpec(fw, bw), DenseSpec(rng.uniform(-1, 1, (4, 12)), rng.uniform(-1, 1, 4))]


@pytest.mark.parametrize("maker", [_stacked, _bidirectional, _bidirectional_last])
@pytest.mark.parametrize("B", [1, 3])
def test_models(maker, B):
    rng = np.random.default_rng(B)
    layers = maker(rng, B)
    T = 6
    N = layers[0].forward.input_size if isinstance(layers[0], BidirectionalSpec) else layers[0].input_size
    x = rng.standard_normal((T, B, N))
    want = model_dense(layers, x)
    got = run_module(build_module(ModelSpec(layers, "f64"), T, B), [x])
    assert len(got) == 1
    check(got[0], want, "f64")
    x32 = x.astype(np.float32)
    want32 = model_dense([round32(l) if not isinstance(l, BidirectionalSpec) else
                          BidirectionalSpec(round32(l.forward), round32(l.backward)) for l in layers],
                         x32.astype(np.float64))
    got32 = run_module(build_module(ModelSpec(layers, "f32"), T, B), [x32])
    check(got32[0], want32, "f32")


def test_dtype_argument_overrides_spec():
    rng = np.random.default_rng(3)
    s = make_lstm(rng, 5, 4, 2, 1, init=False)
    x = rng.standard_normal((3, 1, 5))
    got = run_module(build_module(ModelSpec([s], "f32"), 3, 1, dtype="f64"), [x])[0]
    check(got, lstm_dense(s, x)[0], "f64")


def test_dense_expansion_matches_definition():
    """Self-check of the test's own expansion against the first-column convention."""
    rng = np.random.default_rng(0)
    w = cw(rng, 7, 5, 3)
    D = dense(w)
    for i in range(7):
        for j in range(5):
            bi, r = divmod(i, 3)
            bj, k = divmod(j, 3)
            assert D[i, j] == w.params[bi, bj, (r - k) % 3]
