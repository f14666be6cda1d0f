"""Block FFTs: float layout, bit-exact fixed FFT vs an independent slow model,
error bounds, round trip and overflow event counting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ernn_ir.numerics.fft import (
    bit_reverse_indices,
    irfft_blocks,
    irfft_fixed,
    rfft_blocks,
    rfft_fixed,
    twiddles_fixed,
)
from ernn_ir.numerics.fixed import FixedFormat, dequantize, quantize

B_SIZES = [1, 2, 4, 8, 16, 32]


# --------------------------------------------------------------------------- slow model
def _round_shift(v: int, s: int, rnd: str) -> int:
    """round(v / 2**s) on python ints, written independently of fixed.py."""
    if s <= 0:
        return v << (-s)
    q, r = divmod(v, 1 << s)          # python floor division
    h = 1 << (s - 1)
    if rnd == "half_up":
        return q + (1 if r >= h else 0)
    return q + (1 if (r > h or (r == h and q % 2 == 1)) else 0)


def _ovf(v: int, w: int, mode: str, ev: list) -> int:
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    if lo <= v <= hi:
        return v
    ev[0] += 1
    if mode == "saturate":
        return hi if v > hi else lo
    return (v - lo) % (1 << w) + lo


def _quant_py(v: float, frac: int, w: int, rnd: str, mode: str, ev) -> int:
    from fractions import Fraction
    x = Fraction(v) * Fraction(2) ** frac
    fl = math.floor(x)
    d = x - fl
    if rnd == "half_up":
        r = fl + (d >= Fraction(1, 2))
    else:
        r = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
    return _ovf(int(r), w, mode, ev)


def slow_fft(xr, xi, b, Wo, Wt, Ft, rnd, mode, inverse, ev):
    """Per-element python model of the butterfly spec (one block of length b)."""
    L = b.bit_length() - 1
    rev = [int(format(i, f"0{L}b")[::-1], 2) if L else 0 for i in range(b)]
    ar = [xr[rev[i]] for i in range(b)]
    ai = [xi[rev[i]] for i in range(b)]
    dummy = [0]
    tw = []
    for k in range(b // 2):
        c = _quant_py(math.cos(-2 * math.pi * k / b), Ft, Wt, "half_up", "saturate", dummy)
        s = _quant_py(math.sin(-2 * math.pi * k / b), Ft, Wt, "half_up", "saturate", dummy)
        tw.append((c, -s if inverse else s))
    m = 2
    while m <= b:
        half = m // 2
        for g in range(0, b, m):
            for k in range(half):
                j = k * (b // m)
                lo_r, lo_i = ar[g + k], ai[g + k]
                hr, hi = ar[g + k + half], ai[g + k + half]
                if j == 0:
                    tr, ti = hr, hi
                elif 4 * j == b:
                    tr, ti = (-hi, hr) if inverse else (hi, -hr)
                else:
                    wr, wi = tw[j]
                    tr = _ovf(_round_shift(hr * wr - hi * wi, Ft, rnd), Wo, mode, ev)
                    ti = _ovf(_round_shift(hr * wi + hi * wr, Ft, rnd), Wo, mode, ev)
                outs = [lo_r + tr, lo_i + ti, lo_r - tr, lo_i - ti]
                if inverse:
                    outs = [_round_shift(v, 1, rnd) for v in outs]
                outs = [_ovf(v, Wo, mode, ev) for v in outs]
                ar[g + k], ai[g + k], ar[g + k + half], ai[g + k + half] = outs
        m *= 2
    return ar, ai


def slow_rfft_fixed(x_raw, frac_in, b, fo, ft, rnd, mode):
    ev = [0]
    out = []
    for blk in np.asarray(x_raw).reshape(-1, b).tolist():
        xq = [_ovf(_round_shift(v, frac_in - fo.frac, rnd), fo.width, mode, ev) for v in blk]
        ar, ai = slow_fft(xq, [0] * b, b, fo.width, ft.width, ft.frac, rnd, mode, False, ev)
        out.append([[ar[k], ai[k]] for k in range(b // 2 + 1)])
    return np.array(out, dtype=np.int64), ev[0]


def slow_irfft_fixed(S_raw, frac_in, b, fo, ft, rnd, mode):
    ev = [0]
    K = b // 2 + 1
    out = []
    for spec in np.asarray(S_raw).reshape(-1, K, 2).tolist():
        spec[0][1] = 0
        spec[K - 1][1] = 0
        re = [_ovf(_round_shift(v[0], frac_in - fo.frac, rnd), fo.width, mode, ev) for v in spec]
        im = [_ovf(_round_shift(v[1], frac_in - fo.frac, rnd), fo.width, mode, ev) for v in spec]
        for k in range(K, b):
            re.append(re[b - k])
            im.append(_ovf(-im[b - k], fo.width, mode, ev))
        ar, _ = slow_fft(re, im, b, fo.width, ft.width, ft.frac, rnd, mode, True, ev)
        out.extend(ar)
    return np.array(out, dtype=np.int64), ev[0]


# --------------------------------------------------------------------------- float
@pytest.mark.parametrize("b", B_SIZES)
def test_float_layout_and_roundtrip(b):
    rng = np.random.default_rng(b)
    x = rng.standard_normal((2, 3, 4 * b))
    S = rfft_blocks(x, b)
    assert S.shape == (2, 3, 4, b // 2 + 1, 2) and S.dtype == np.float64
    ref = np.fft.rfft(x.reshape(2, 3, 4, b), axis=-1)
    np.testing.assert_allclose(S[..., 0] + 1j * S[..., 1], ref, atol=1e-12)
    np.testing.assert_allclose(irfft_blocks(S, b), x, atol=1e-12)


def test_float32_stays_float32_and_irfft_ignores_edge_imag():
    x = np.random.default_rng(0).standard_normal((5, 16)).astype(np.float32)
    S = rfft_blocks(x, 8)
    assert S.dtype == np.float32
    S2 = S.copy()
    S2[..., 0, 1] = 7.0
    S2[..., 4, 1] = -3.0
    y = irfft_blocks(S2, 8)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, x, atol=1e-5)


def test_float_bad_shapes():
    with pytest.raises(ValueError):
        rfft_blocks(np.zeros(10), 4)
    with pytest.raises(ValueError):
        rfft_blocks(np.zeros(12), 3)
    with pytest.raises(ValueError):
        irfft_blocks(np.zeros((2, 4, 2)), 8)


# --------------------------------------------------------------------------- twiddles
def test_twiddles_and_bitreverse():
    assert bit_reverse_indices(8).tolist() == [0, 4, 2, 6, 1, 5, 3, 7]
    re, im = twiddles_fixed(8, FixedFormat(16, 14))
    assert re.tolist() == [16384, 11585, 0, -11585]      # 0.70710678 * 2**14 = 11585.2
    assert im.tolist() == [0, -11585, -16384, -11585]
    re, im = twiddles_fixed(8, FixedFormat(16, 15))      # 1.0 saturates (unused entry)
    assert re[0] == 32767 and im[2] == -32768


# --------------------------------------------------------------------------- fixed vs model
CASES = [
    # b, Wo, Fo, Wt, Ft, frac_in
    (2, 16, 10, 16, 14, 12),
    (4, 12, 6, 10, 8, 10),
    (8, 16, 12, 16, 14, 12),
    (8, 8, 4, 6, 5, 6),
    (16, 18, 10, 18, 16, 8),
    (16, 10, 2, 12, 11, 3),
    (32, 20, 14, 16, 15, 16),
    (8, 12, -2, 8, 7, 0),
    (8, 12, 14, 8, 9, 10),
    (1, 8, 3, 8, 7, 5),
]


@pytest.mark.parametrize("b,Wo,Fo,Wt,Ft,fin", CASES)
@pytest.mark.parametrize("rnd", ["half_up", "convergent"])
@pytest.mark.parametrize("mode", ["saturate", "wrap"])
def test_fixed_matches_slow_model(b, Wo, Fo, Wt, Ft, fin, rnd, mode):
    rng = np.random.default_rng(b * 7919 + Wo * 31 + Fo)
    fo, ft = FixedFormat(Wo, Fo), FixedFormat(Wt, Ft)
    win = Wo + 2   # some inputs overflow the output format
    x = rng.integers(-(1 << (win - 1)), 1 << (win - 1), size=(3, 2 * b))
    got, ev = rfft_fixed(x, fin, b, fo, ft, rnd, mode)
    exp, eev = slow_rfft_fixed(x, fin, b, fo, ft, rnd, mode)
    assert got.shape == (3, 2, b // 2 + 1, 2)
    np.testing.assert_array_equal(got.reshape(-1, b // 2 + 1, 2), exp)
    assert ev == eev
    S = rng.integers(-(1 << (Wo - 1)), 1 << (Wo - 1), size=(3, 2, b // 2 + 1, 2))
    got, ev = irfft_fixed(S, Fo + 1, b, fo, ft, rnd, mode)
    exp, eev = slow_irfft_fixed(S, Fo + 1, b, fo, ft, rnd, mode)
    assert got.shape == (3, 2 * b)
    np.testing.assert_array_equal(got.reshape(-1), exp)
    assert ev == eev


@given(L=st.integers(1, 5), Wo=st.integers(4, 24), dF=st.integers(-3, 3),
       Wt=st.integers(3, 20), rnd=st.sampled_from(["half_up", "convergent"]),
       mode=st.sampled_from(["saturate", "wrap"]), seed=st.integers(0, 2**31))
@settings(max_examples=40, deadline=None)
def test_fixed_matches_slow_model_hypothesis(L, Wo, dF, Wt, rnd, mode, seed):
    b = 1 << L
    rng = np.random.default_rng(seed)
    fo = FixedFormat(Wo, Wo - 4 + dF)
    ft = FixedFormat(Wt, Wt - 2)
    x = rng.integers(-(1 << (Wo - 1)), 1 << (Wo - 1), size=(1, b))
    got, ev = rfft_fixed(x, fo.frac + 1, b, fo, ft, rnd, mode)
    exp, eev = slow_rfft_fixed(x, fo.frac + 1, b, fo, ft, rnd, mode)
    np.testing.assert_array_equal(got.reshape(exp.shape), exp)
    assert ev == eev
    got, ev = irfft_fixed(got, fo.frac, b, fo, ft, rnd, mode)
    exp, eev = slow_irfft_fixed(exp, fo.frac, b, fo, ft, rnd, mode)
    np.testing.assert_array_equal(got.reshape(-1), exp)
    assert ev == eev


# --------------------------------------------------------------------------- accuracy
def _fwd_bound(b, x_max, Fo, Ft):
    """Error bound (complex magnitude) of the fixed forward FFT without overflow.

    Input rounding eps_in <= lsb/2 (real).  Stage s (1..L) adds at most
    eps_r = lsb*sqrt(2)/2 (rounding of the two product components) plus
    |hi| * eps_w where |hi| <= 2**(s-1) * x_max and the twiddle error
    |w - w_q| <= sqrt(2)/2 * 2**-Ft; each later stage at most doubles an
    error (|lo +- w*hi| <= |lo| + |hi|), so a stage-s error is amplified by
    2**(L-s).  Twiddle quantization also scales the propagated error by
    (1 + eps_w) per stage; we include that factor.
    """
    L = int(math.log2(b))
    lsb = 2.0 ** -Fo
    eps_w = math.sqrt(2) / 2 * 2.0 ** -Ft
    err = 2 ** L * lsb / 2
    for s in range(1, L + 1):
        err += 2 ** (L - s) * (lsb * math.sqrt(2) / 2 + 2 ** (s - 1) * x_max * eps_w)
    return err * (1 + eps_w) ** L


@pytest.mark.parametrize("b", [2, 4, 8, 16, 32, 64])
def test_forward_error_bound_and_convergence(b):
    rng = np.random.default_rng(100 + b)
    x = rng.uniform(-1, 1, size=(20, 4 * b))
    errs = []
    for Fo in [8, 12, 16, 20, 24]:
        Wo = Fo + int(math.log2(b)) + 2           # no overflow possible
        fo, ft = FixedFormat(Wo, Fo), FixedFormat(Fo + 2, Fo)
        xr, _ = quantize(x, FixedFormat(32, 28), "half_up", "saturate")
        S, ev = rfft_fixed(xr, 28, b, fo, ft, "convergent", "saturate")
        assert ev == 0
        ref = rfft_blocks(dequantize(xr, 28), b)
        d = dequantize(S, Fo) - ref
        err = np.max(np.hypot(d[..., 0], d[..., 1]))
        assert err <= _fwd_bound(b, 1.0, Fo, Fo), (Fo, err)
        errs.append(err)
    assert errs[-1] < errs[0] / 1000 or b <= 4 and errs[-1] <= errs[0]


@pytest.mark.parametrize("b", [2, 4, 8, 16, 32, 64])
def test_roundtrip_error_bound(b):
    """irfft(rfft(x)) with halving: each inverse stage adds at most
    (eps_r + |X| eps_w)/2 + lsb*sqrt(2)/2 (the halving rounding), errors are
    not amplified (doubling then halving), |X| <= b * x_max."""
    rng = np.random.default_rng(200 + b)
    L = int(math.log2(b))
    x = rng.uniform(-1, 1, size=(10, 2 * b))
    for Fo in [10, 16, 22]:
        fo, ft = FixedFormat(Fo + L + 2, Fo), FixedFormat(Fo + 2, Fo)
        xr, _ = quantize(x, fo, "half_up", "saturate")
        S, ev1 = rfft_fixed(xr, Fo, b, fo, ft, "half_up", "saturate")
        y, ev2 = irfft_fixed(S, Fo, b, fo, ft, "half_up", "saturate")
        assert ev1 == ev2 == 0
        lsb = 2.0 ** -Fo
        eps_w = math.sqrt(2) / 2 * 2.0 ** -Ft if (Ft := Fo) else 0
        fwd = _fwd_bound(b, 1.0, Fo, Fo) + lsb / 2 * 2 ** L  # spectrum error
        inv = fwd / b + L * ((lsb * math.sqrt(2) / 2 + b * eps_w) / 2 + lsb * math.sqrt(2) / 2)
        err = np.max(np.abs(dequantize(y, Fo) - dequantize(xr, Fo)))
        assert err <= inv, (Fo, err, inv)


def test_trivial_twiddle_sizes_are_exact():
    """b <= 4 uses only trivial twiddles: the forward FFT is exact (no overflow)."""
    rng = np.random.default_rng(5)
    for b in [1, 2, 4]:
        x = rng.integers(-1000, 1000, size=(50, b))
        S, ev = rfft_fixed(x, 0, b, FixedFormat(16, 0), FixedFormat(2, 0), "half_up", "wrap")
        ref = np.fft.rfft(x.astype(float), axis=-1)
        assert ev == 0
        np.testing.assert_array_equal(S[:, 0, :, 0], np.rint(ref.real).astype(np.int64))
        np.testing.assert_array_equal(S[:, 0, :, 1], np.rint(ref.imag).astype(np.int64))


# --------------------------------------------------------------------------- events
def test_overflow_events_counted():
    b = 8
    fo, ft = FixedFormat(8, 0), FixedFormat(8, 6)
    x = np.full((1, b), 100)                   # DC bin = 800 overflows 8 bits
    S, ev = rfft_fixed(x, 0, b, fo, ft, "half_up", "saturate")
    assert ev > 0 and S[0, 0, 0, 0] == 127
    # stage 1 sums 200 (4 re-components out of range), stage 2 (4 more: +-127+127 -> 254 / 0
    # only the lo+t ones), stage 3 one DC sum: counted exactly by the slow model
    _, eev = slow_rfft_fixed(x, 0, b, fo, ft, "half_up", "saturate")
    assert ev == eev
    S, ev = rfft_fixed(np.full((1, b), 10), 0, b, fo, ft, "half_up", "saturate")
    assert ev == 0 and S[0, 0, 0, 0] == 80
    # input requantization overflow counts as well
    _, ev = rfft_fixed(np.array([[1000, 0]]), 0, 2, fo, ft, "half_up", "wrap")
    assert ev >= 1


def test_irfft_mirror_negation_of_min_counts():
    b = 4
    fo, ft = FixedFormat(8, 0), FixedFormat(8, 6)
    S = np.zeros((1, 3, 2), dtype=np.int64)
    S[0, 1, 1] = -128                          # conj needs +128: saturates to 127
    _, ev = irfft_fixed(S, 0, b, fo, ft, "half_up", "saturate")
    _, eev = slow_irfft_fixed(S, 0, b, fo, ft, "half_up", "saturate")
    assert ev == eev >= 1


def test_width_limits():
    with pytest.raises(ValueError):
        rfft_fixed(np.zeros((1, 8), np.int64), 0, 8, FixedFormat(32, 0), FixedFormat(32, 30),
                   "half_up", "saturate")
    with pytest.raises(ValueError):
        rfft_fixed(np.zeros((1, 8), np.int64), 0, 8, FixedFormat(33, 0), FixedFormat(16, 14),
                   "half_up", "saturate")


def test_doc_worked_examples():
    """docs/numerics.md section 8."""
    f8 = FixedFormat(8, 0)
    for rnd in ("half_up", "convergent"):
        for mode in ("saturate", "wrap"):
            S, ev = rfft_fixed(np.array([1, 2, 3, 4]), 0, 4, f8, f8, rnd, mode)
            assert S[0].tolist() == [[10, 0], [-2, 2], [-2, 0]] and ev == 0
            y, ev = irfft_fixed(S, 0, 4, f8, f8, rnd, mode)
            assert y.tolist() == [1, 2, 3, 4] and ev == 0
    # non-trivial butterfly at b = 8, twiddle j = 1 in fixed<16, 14>, hi = 100 + 0i
    wr, wi = twiddles_fixed(8, FixedFormat(16, 14))
    assert (wr[1], wi[1]) == (11585, -11585)
    assert _round_shift(100 * 11585, 14, "half_up") == 71
    assert _round_shift(-100 * 11585, 14, "half_up") == -71
    # in the FFT: x = delta at n=1 -> X[k] = W_8^k, scaled by 100
    x = np.zeros(8, np.int64)
    x[1] = 100
    S, _ = rfft_fixed(x, 0, 8, FixedFormat(16, 0), FixedFormat(16, 14), "half_up", "saturate")
    assert S[0, 1].tolist() == [71, -71] and S[0, 2].tolist() == [0, -100]
