"""Block-circulant math: expansion, projection, FFT matvec, spectral MACs."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ernn_ir.numerics.circulant import (
    CirculantSpectra,
    circ_matvec_dense,
    circ_matvec_fft,
    circ_matvec_fixed,
    exact_int_matmul,
    expand_dense,
    prepare_circulant,
    project_to_circulant,
    spectral_mac_fixed,
    spectral_mac_float,
    weight_spectra,
)
from ernn_ir.numerics.fft import irfft_blocks, rfft_blocks
from ernn_ir.numerics.fixed import FixedFormat, requantize


def loop_dense(params):
    p, q, b = params.shape
    W = np.zeros((p * b, q * b), dtype=params.dtype)
    for i in range(p):
        for j in range(q):
            for r in range(b):
                for k in range(b):
                    W[i * b + r, j * b + k] = params[i, j, (r - k) % b]
    return W


@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 3, 4), (3, 2, 8), (1, 4, 2), (2, 2, 5)])
def test_expand_dense_matches_loop(shape):
    params = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_array_equal(expand_dense(params), loop_dense(params))
    ip = np.arange(np.prod(shape), dtype=np.int64).reshape(shape)
    np.testing.assert_array_equal(expand_dense(ip), loop_dense(ip))
    assert expand_dense(ip).dtype == np.int64


def test_first_column_convention():
    w = np.array([[[1.0, 2.0, 3.0]]])
    W = expand_dense(w)
    np.testing.assert_array_equal(W[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(W, [[1, 3, 2], [2, 1, 3], [3, 2, 1]])


@pytest.mark.parametrize("m,n,b", [(8, 8, 4), (7, 10, 4), (5, 3, 8), (6, 6, 1), (9, 16, 2)])
def test_projection_idempotent_and_nearest(m, n, b):
    rng = np.random.default_rng(m * n + b)
    W = rng.standard_normal((m, n))
    P = project_to_circulant(W, b)
    p, q = -(-m // b), -(-n // b)
    assert P.shape == (p, q, b)
    np.testing.assert_allclose(project_to_circulant(expand_dense(P), b), P, atol=1e-12)
    np.testing.assert_allclose(project_to_circulant(expand_dense(P, m, n), b), P, atol=1e-12)
    # Frobenius-nearest over the m x n logical entries: least squares over the
    # circulant parameters (min-norm: a diagonal no entry constrains is 0)
    basis = np.zeros((p * q * b, m * n))
    for t in range(p * q * b):
        e = np.zeros(p * q * b)
        e[t] = 1
        basis[t] = expand_dense(e.reshape(p, q, b), m, n).ravel()
    sol, *_ = np.linalg.lstsq(basis.T, W.ravel(), rcond=None)
    np.testing.assert_allclose(P.ravel(), sol, atol=1e-10)


def test_weight_spectra():
    params = np.random.default_rng(1).standard_normal((3, 2, 8))
    S = weight_spectra(params)
    assert S.shape == (3, 2, 5, 2)
    ref = np.fft.rfft(params, axis=-1)
    np.testing.assert_allclose(S[..., 0] + 1j * S[..., 1], ref)
    assert weight_spectra(params.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(irfft_blocks(S, 8).reshape(params.shape), params, atol=1e-12)


@given(b=st.sampled_from([1, 2, 4, 8, 16]), m=st.integers(1, 40), n=st.integers(1, 40),
       batch=st.sampled_from([(), (1,), (3,), (2, 2)]), seed=st.integers(0, 2**31))
@settings(max_examples=120, deadline=None)
def test_circ_matvec_fft_vs_dense(b, m, n, batch, seed):
    rng = np.random.default_rng(seed)
    p, q = -(-m // b), -(-n // b)
    params = rng.standard_normal((p, q, b))
    x = rng.standard_normal(batch + (n,))
    y = circ_matvec_fft(params, x, m)
    D = expand_dense(params)[:m, :n]
    ref = x @ D.T
    assert y.shape == batch + (m,) and y.dtype == np.float64
    np.testing.assert_allclose(y, ref, atol=1e-9, rtol=1e-9)
    # same via real spectra, complex spectra and packed spectra
    S = weight_spectra(params)
    np.testing.assert_allclose(circ_matvec_fft(S, x, m, b=b), ref, atol=1e-9)
    np.testing.assert_allclose(circ_matvec_fft(S[..., 0] + 1j * S[..., 1], x, m, b=b), ref,
                               atol=1e-9)
    np.testing.assert_allclose(circ_matvec_fft(prepare_circulant(params), x, m), ref, atol=1e-9)
    np.testing.assert_allclose(circ_matvec_dense(params, x, m), ref, atol=1e-12)


def test_circ_matvec_fft_float32_and_default_m():
    rng = np.random.default_rng(2)
    params = rng.standard_normal((4, 3, 8)).astype(np.float32)
    x = rng.standard_normal((5, 24)).astype(np.float32)
    y = circ_matvec_fft(params, x)
    assert y.dtype == np.float32 and y.shape == (5, 32)
    ref = x.astype(np.float64) @ expand_dense(params.astype(np.float64)).T
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    cs = prepare_circulant(params)
    assert isinstance(cs, CirculantSpectra) and cs.mat.dtype == np.complex64
    assert circ_matvec_fft(cs, x).dtype == np.float32
    # float64 x with float32 weights computes in float64
    assert circ_matvec_fft(params, x.astype(np.float64)).dtype == np.float64


def test_circ_matvec_fft_errors():
    params = np.zeros((2, 2, 4))
    with pytest.raises(ValueError):
        circ_matvec_fft(params, np.zeros(9))
    with pytest.raises(ValueError):
        circ_matvec_fft(params, np.zeros(8), m=9)


def test_circ_matvec_fft_is_fast():
    """Google-LSTM-sized gate matvec (4*1024 x 672, b=8), single frame."""
    rng = np.random.default_rng(3)
    params = rng.standard_normal((512, 84, 8)).astype(np.float32)
    cs = prepare_circulant(params)
    x = rng.standard_normal(672).astype(np.float32)
    circ_matvec_fft(cs, x)
    t = time.perf_counter()
    for _ in range(5):
        circ_matvec_fft(cs, x)
    assert (time.perf_counter() - t) / 5 < 0.2


def test_spectral_mac_float_matches_fft_path():
    rng = np.random.default_rng(4)
    p, q, b = 3, 4, 8
    params = rng.standard_normal((p, q, b))
    x = rng.standard_normal((2, q * b))
    Y = spectral_mac_float(weight_spectra(params), rfft_blocks(x, b))
    assert Y.shape == (2, p, b // 2 + 1, 2)
    np.testing.assert_allclose(irfft_blocks(Y, b), x @ expand_dense(params).T, atol=1e-10)
    Y32 = spectral_mac_float(weight_spectra(params).astype(np.float32),
                             rfft_blocks(x.astype(np.float32), b))
    assert Y32.dtype == np.float32


def _slow_spectral_mac(W, X):
    p, q, K, _ = W.shape
    out = np.zeros(X.shape[:-3] + (p, K, 2), dtype=object)
    Xf = X.reshape(-1, q, K, 2)
    of = out.reshape(-1, p, K, 2)
    for bi in range(Xf.shape[0]):
        for i in range(p):
            for k in range(K):
                re = im = 0
                for j in range(q):
                    wr, wi = int(W[i, j, k, 0]), int(W[i, j, k, 1])
                    xr, xi = int(Xf[bi, j, k, 0]), int(Xf[bi, j, k, 1])
                    re += wr * xr - wi * xi
                    im += wr * xi + wi * xr
                of[bi, i, k] = [re, im]
    return of.reshape(out.shape)


@pytest.mark.parametrize("ww,wx,q", [(12, 16, 4), (16, 16, 8), (26, 26, 4), (30, 31, 5)])
def test_spectral_mac_fixed_exact(ww, wx, q):
    """(26, 26, q=4) and (30, 31) take the int64 path; the others the float64-BLAS path."""
    rng = np.random.default_rng(ww + wx + q)
    p, K = 3, 5
    W = rng.integers(-(1 << (ww - 1)), 1 << (ww - 1), size=(p, q, K, 2))
    X = rng.integers(-(1 << (wx - 1)), 1 << (wx - 1), size=(2, q, K, 2))
    W[0, 0, 0] = -(1 << (ww - 1))
    X[0, 0, 0] = -(1 << (wx - 1))
    exact = _slow_spectral_mac(W, X)
    out_fmt = FixedFormat(20, 8)
    for rnd in ("half_up", "convergent"):
        for ovf in ("saturate", "wrap"):
            got, ev = spectral_mac_fixed(W, 5, X, 7, out_fmt, rnd, ovf)
            # exact sums fit int64 here: compare against one requantize of the exact value
            exp, eev = requantize(exact.astype(np.int64), 12, out_fmt, rnd, ovf)
            np.testing.assert_array_equal(got, exp)
            assert ev == eev and got.shape == (2, p, K, 2)


@given(p=st.integers(1, 6), q=st.integers(1, 9), K=st.sampled_from([2, 3, 5, 9]),
       B=st.integers(0, 3), ww=st.integers(2, 32), wx=st.integers(2, 32),
       large=st.booleans(), seed=st.integers(0, 2**31))
@settings(max_examples=150, deadline=None)
def test_fixed_spectra_accumulate_and_split(p, q, K, B, ww, wx, large, seed):
    """Both packings (the 2x2-block form of small weights, the stacked form of large ones)
    give the exact sums, on the float64 and the int64 path, and splitting the input blocks
    into column groups sums to the same integers (what the compiled scan relies on)."""
    import ernn_ir.numerics.circulant as circ

    rng = np.random.default_rng(seed)
    W = rng.integers(-(1 << (ww - 1)), 1 << (ww - 1), size=(p, q, K, 2))
    X = rng.integers(-(1 << (wx - 1)), 1 << (wx - 1), size=(B, q, K, 2))
    bound = 2 * q * (1 << (ww - 1)) * (1 << (wx - 1))
    old = circ._BLOCK_FORM_MAX
    circ._BLOCK_FORM_MAX = 0 if large else old
    try:
        packed = circ.FixedSpectra(W)
        if bound >= 2**63:
            X[...] = 0
        exact = _slow_spectral_mac(W, X).astype(np.int64)
        np.testing.assert_array_equal(packed.accumulate(X), exact)
        cut = int(rng.integers(0, q + 1))
        parts = [packed.columns(0, cut).accumulate(X[:, :cut]), packed.columns(cut, q).accumulate(X[:, cut:])]
        np.testing.assert_array_equal(parts[0] + parts[1], exact)
    finally:
        circ._BLOCK_FORM_MAX = old


def test_spectral_mac_fixed_too_wide():
    W = np.full((1, 2, 1, 2), 2**31 - 1)
    X = np.full((1, 2, 1, 2), 2**31 - 1)
    with pytest.raises(ValueError, match="64 bits"):
        spectral_mac_fixed(W, 0, X, 0, FixedFormat(32, 0), "half_up", "saturate")


def test_exact_int_matmul_paths():
    rng = np.random.default_rng(6)
    A = rng.integers(-2**20, 2**20, size=(4, 50))
    B = rng.integers(-2**20, 2**20, size=(50, 3))
    ref = (A.astype(object) @ B.astype(object)).astype(np.int64)
    np.testing.assert_array_equal(exact_int_matmul(A, B), ref)     # float path
    A2 = A * 2**10
    ref2 = (A2.astype(object) @ B.astype(object)).astype(np.int64)
    np.testing.assert_array_equal(exact_int_matmul(A2, B), ref2)   # int64 path


@pytest.mark.parametrize("m,n,b", [(8, 8, 4), (7, 10, 4), (5, 3, 8), (3, 5, 1)])
def test_circ_matvec_fixed(m, n, b):
    rng = np.random.default_rng(m + 10 * n + b)
    p, q = -(-m // b), -(-n // b)
    wf, xf, of = FixedFormat(12, 10), FixedFormat(16, 12), FixedFormat(16, 8)
    P = rng.integers(-2048, 2048, size=(p, q, b))
    x = rng.integers(-32768, 32768, size=(3, n))
    got, ev = circ_matvec_fixed(P, wf, x, xf, of, "convergent", "saturate", m=m)
    acc = (x.astype(object) @ loop_dense(P)[:m, :n].T.astype(object)).astype(np.int64)
    exp, eev = requantize(acc, 22, of, "convergent", "saturate")
    np.testing.assert_array_equal(got, exp)
    assert ev == eev and got.shape == (3, m)
    # agrees with the float FFT path up to the single rounding
    yf = circ_matvec_fft(P * 2.0**-10, x * 2.0**-12, m)
    sat = (got == of.max_raw) | (got == of.min_raw)
    assert np.all(np.abs(got * 2.0**-8 - yf)[~sat] <= 2.0**-9 + 1e-9)
