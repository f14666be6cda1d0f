"""Fixed-point primitives: exact integer semantics, bit-exact against apytypes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ernn_ir.numerics.fixed import (
    FixedFormat,
    Overflow,
    Rounding,
    dequantize,
    overflow,
    quantize,
    requantize,
    shift_round,
)

apy = pytest.importorskip("apytypes")

APY_Q = {Rounding.HALF_UP: apy.QuantizationMode.TIES_POS,
         Rounding.CONVERGENT: apy.QuantizationMode.TIES_EVEN}
APY_O = {Overflow.SATURATE: apy.OverflowMode.SAT, Overflow.WRAP: apy.OverflowMode.WRAP}


def _from_bits(bits, width):
    """Sign-extend apytypes' unsigned bit patterns (plain python ints)."""
    half = 1 << (width - 1)
    return np.array([int(v) - (1 << width) if int(v) >= half else int(v) for v in bits],
                    dtype=np.int64)


def py_requantize(raw, f_in, fmt, rnd, ovf):
    """Independent per-element model with python ints / Fractions."""
    import math
    from fractions import Fraction
    out = []
    for v in raw.tolist():
        x = Fraction(int(v)) * Fraction(2) ** (fmt.frac - f_in)
        fl = math.floor(x)
        d = x - fl
        if rnd is Rounding.HALF_UP:
            r = fl + (d >= Fraction(1, 2))
        else:
            r = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
        if ovf is Overflow.SATURATE:
            r = min(max(r, fmt.min_raw), fmt.max_raw)
        else:
            r = (r - fmt.min_raw) % (1 << fmt.width) + fmt.min_raw
        out.append(r)
    return np.array(out, dtype=np.int64)


def apy_requantize(raw, w_in, f_in, fmt, rnd, ovf):
    if w_in + max(0, fmt.frac - f_in) > 64:
        # apytypes 0.5.1 mis-saturates when the aligned intermediate exceeds
        # 64 bits (e.g. 2**40 raw shifted left by 40 saturates to 0); use the
        # python-int model there instead.
        return py_requantize(raw, f_in, fmt, rnd, ovf)
    a = apy.APyFixedArray([int(v) for v in raw], bits=w_in, frac_bits=f_in)
    b = a.cast(bits=fmt.width, frac_bits=fmt.frac, quantization=APY_Q[rnd],
               overflow=APY_O[ovf])
    return _from_bits(b.to_bits(), fmt.width)


def apy_quantize(x, fmt, rnd, ovf):
    # exact float64 -> wide fixed (no rounding), then one cast
    a = apy.APyFixedArray.from_float(np.asarray(x, np.float64), int_bits=1100, frac_bits=1100)
    b = a.cast(bits=fmt.width, frac_bits=fmt.frac, quantization=APY_Q[rnd],
               overflow=APY_O[ovf])
    return _from_bits(b.to_bits(), fmt.width)


def rand_raw(rng, width, n):
    return rng.integers(-(1 << (width - 1)), (1 << (width - 1)), size=n, dtype=np.int64,
                        endpoint=False)


ROUNDINGS = list(Rounding)
OVERFLOWS = list(Overflow)


# --------------------------------------------------------------------------- format
def test_format_properties():
    f = FixedFormat(8, 4)
    assert (f.min_raw, f.max_raw) == (-128, 127)
    assert f.lsb == 1 / 16
    assert f.max_value == 127 / 16 and f.min_value == -8.0
    g = FixedFormat(4, -2)
    assert g.lsb == 4.0 and g.max_value == 28.0
    assert FixedFormat(1, 0).max_raw == 0 and FixedFormat(1, 0).min_raw == -1


@pytest.mark.parametrize("w,f", [(0, 0), (65, 0), (8, 2000), (True, 0), (8, 1.5)])
def test_format_validate_rejects(w, f):
    with pytest.raises(ValueError):
        FixedFormat(w, f).validate()


def test_format_validate_operand_width():
    FixedFormat(32, 0).validate(32)
    with pytest.raises(ValueError, match=r"\[1, 32\]"):
        FixedFormat(33, 0).validate(32)


# --------------------------------------------------------------------------- shift_round
def test_shift_round_hand_examples():
    raw = np.array([5, 6, 7, -5, -6, -7, 2, -2, 3, -3])  # /4 -> 1.25 1.5 1.75 ...
    hu = shift_round(raw, 2, Rounding.HALF_UP)
    cv = shift_round(raw, 2, Rounding.CONVERGENT)
    # v: 1.25 1.5 1.75 -1.25 -1.5 -1.75 0.5 -0.5 0.75 -0.75
    assert hu.tolist() == [1, 2, 2, -1, -1, -2, 1, 0, 1, -1]
    assert cv.tolist() == [1, 2, 2, -1, -2, -2, 0, 0, 1, -1]
    assert shift_round(raw, -3, Rounding.HALF_UP).tolist() == (raw * 8).tolist()
    assert shift_round(raw, 0, Rounding.CONVERGENT).tolist() == raw.tolist()


@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=20),
       st.integers(1, 70), st.sampled_from(ROUNDINGS))
@settings(max_examples=200, deadline=None)
def test_shift_round_matches_python_ints(vals, s, rnd):
    from fractions import Fraction
    import math
    got = shift_round(np.array(vals, dtype=np.int64), s, rnd).tolist()
    for v, g in zip(vals, got):
        x = Fraction(v, 2**s)
        fl = math.floor(x)
        d = x - fl
        if rnd is Rounding.HALF_UP:
            exp = fl + (d >= Fraction(1, 2))
        else:
            exp = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
        assert g == exp


def test_shift_round_scalar_shape():
    r = shift_round(np.int64(7), 1, Rounding.HALF_UP)
    assert isinstance(r, np.ndarray) and r.shape == () and int(r) == 4


# --------------------------------------------------------------------------- overflow
def test_overflow_hand():
    raw = np.array([-9, -8, 7, 8, 100])
    s, ns = overflow(raw, 4, Overflow.SATURATE)
    w, nw = overflow(raw, 4, "wrap")
    assert s.tolist() == [-8, -8, 7, 7, 7] and ns == 3
    assert w.tolist() == [7, -8, 7, -8, 4] and nw == 3
    same, n = overflow(np.array([-2**63, 2**63 - 1]), 64, Overflow.WRAP)
    assert n == 0 and same.tolist() == [-2**63, 2**63 - 1]


@pytest.mark.parametrize("ovf", OVERFLOWS)
def test_overflow_matches_apytypes(ovf):
    rng = np.random.default_rng(1)
    for w_in, w_out in [(40, 16), (63, 32), (20, 1), (33, 32), (12, 12), (62, 5)]:
        raw = rand_raw(rng, w_in, 2000)
        raw[:3] = [-(1 << (w_in - 1)), (1 << (w_in - 1)) - 1, 0]
        got, n = overflow(raw, w_out, ovf)
        exp = apy_requantize(raw, w_in, 0, FixedFormat(w_out, 0), Rounding.HALF_UP, ovf)
        np.testing.assert_array_equal(got, exp)
        assert n == int(np.count_nonzero((raw < -(1 << (w_out - 1))) | (raw >= (1 << (w_out - 1)))))


# --------------------------------------------------------------------------- requantize
FORMAT_PAIRS = [
    # (w_in, f_in, w_out, f_out)
    (16, 8, 8, 4), (16, 8, 8, 8), (32, 20, 16, 15), (24, 0, 8, -4), (20, -3, 12, 2),
    (12, 14, 8, 20), (32, 31, 16, 15), (8, 2, 16, 12), (40, 30, 10, 40), (16, 4, 4, -6),
    (63, 40, 32, 16), (62, 10, 20, 70), (10, 5, 1, 0), (30, 60, 32, -5), (48, 0, 32, 0),
]


@pytest.mark.parametrize("w_in,f_in,w_out,f_out", FORMAT_PAIRS)
@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
def test_requantize_matches_apytypes(w_in, f_in, w_out, f_out, rnd, ovf):
    rng = np.random.default_rng(hash((w_in, f_in, w_out, f_out)) % 2**32)
    raw = rand_raw(rng, w_in, 1500)
    # include ties and extremes
    small = rng.integers(-64, 64, size=300)
    raw = np.concatenate([raw, small, [-(1 << (w_in - 1)), (1 << (w_in - 1)) - 1]])
    fmt = FixedFormat(w_out, f_out)
    got, n = requantize(raw, f_in, fmt, rnd, ovf)
    exp = apy_requantize(raw, w_in, f_in, fmt, rnd, ovf)
    np.testing.assert_array_equal(got, exp)
    # event count: compare against the exact rounded value with wide saturation
    wide, _ = requantize(raw, f_in, FixedFormat(64, f_out), rnd, ovf) \
        if f_out <= f_in else (None, None)
    if wide is not None:
        assert n == int(np.count_nonzero((wide < fmt.min_raw) | (wide > fmt.max_raw)))


@given(w_in=st.integers(1, 32), f_in=st.integers(-40, 80), w_out=st.integers(1, 32),
       f_out=st.integers(-40, 80), rnd=st.sampled_from(ROUNDINGS),
       ovf=st.sampled_from(OVERFLOWS), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=150, deadline=None)
def test_requantize_hypothesis(w_in, f_in, w_out, f_out, rnd, ovf, seed):
    rng = np.random.default_rng(seed)
    raw = rand_raw(rng, w_in, 64)
    fmt = FixedFormat(w_out, f_out)
    got, n = requantize(raw, f_in, fmt, rnd, ovf)
    np.testing.assert_array_equal(got, apy_requantize(raw, w_in, f_in, fmt, rnd, ovf))
    np.testing.assert_array_equal(got, py_requantize(raw, f_in, fmt, rnd, ovf))
    assert 0 <= n <= raw.size
    assert got.dtype == np.int64
    assert got.min(initial=0) >= fmt.min_raw and got.max(initial=0) <= fmt.max_raw


def test_requantize_events_left_shift():
    fmt = FixedFormat(8, 4)
    got, n = requantize(np.array([7, 8, -8, -9, 100]), 0, fmt, Rounding.HALF_UP, Overflow.SATURATE)
    assert got.tolist() == [112, 127, -128, -128, 127] and n == 3
    got, n = requantize(np.array([7, 8, -8, -9]), 0, fmt, Rounding.HALF_UP, Overflow.WRAP)
    assert got.tolist() == [112, -128, -128, 112] and n == 2


# --------------------------------------------------------------------------- quantize
FORMATS = [FixedFormat(8, 4), FixedFormat(16, 15), FixedFormat(16, 8), FixedFormat(12, -3),
           FixedFormat(6, 10), FixedFormat(32, 16), FixedFormat(1, 0), FixedFormat(32, 40),
           FixedFormat(24, 23)]


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
def test_quantize_matches_apytypes(fmt, rnd, ovf):
    rng = np.random.default_rng(fmt.width * 1000 + fmt.frac + 500)
    span = fmt.max_value * 1.5 + fmt.lsb * 4
    x = rng.uniform(-span, span, size=2000)
    # exact ties and near ties
    ties = (rng.integers(-(1 << (fmt.width)), 1 << fmt.width, size=300) + 0.5) * fmt.lsb
    x = np.concatenate([x, ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf),
                        [0.0, -0.0, fmt.max_value, fmt.min_value]])
    got, n = quantize(x, fmt, rnd, ovf)
    exp = apy_quantize(x, fmt, rnd, ovf)
    np.testing.assert_array_equal(got, exp)


@given(x=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64,
                            min_value=-1e12, max_value=1e12), min_size=1, max_size=30),
       w=st.integers(1, 32), f=st.integers(-20, 60), rnd=st.sampled_from(ROUNDINGS),
       ovf=st.sampled_from(OVERFLOWS))
@settings(max_examples=150, deadline=None)
def test_quantize_hypothesis(x, w, f, rnd, ovf):
    fmt = FixedFormat(w, f)
    got, _ = quantize(np.array(x), fmt, rnd, ovf)
    np.testing.assert_array_equal(got, apy_quantize(np.array(x), fmt, rnd, ovf))


def test_quantize_float32_and_specials():
    fmt = FixedFormat(8, 4)
    x32 = np.array([0.03125, 0.09375, -0.03125, 1e30, np.nan, np.inf, -np.inf], np.float32)
    got, n = quantize(x32, fmt, Rounding.CONVERGENT, Overflow.WRAP)
    # 0.5 lsb -> 0 (even); 1.5 lsb -> 2; -0.5 lsb -> 0; 1e30*16 wraps mod 256
    exp_big = int(np.float64(np.float32(1e30)) * 16) % 256
    exp_big = exp_big - 256 if exp_big >= 128 else exp_big
    assert got.tolist() == [0, 2, 0, exp_big, 0, 127, -128]
    assert n == 4  # 1e30, nan, +inf, -inf
    got, n = quantize(x32, fmt, Rounding.HALF_UP, Overflow.SATURATE)
    assert got.tolist() == [1, 2, 0, 127, 0, 127, -128] and n == 4
    got, n = quantize(np.array([1e308, -1e308]), FixedFormat(16, 1000), "half_up", "saturate")
    assert got.tolist() == [32767, -32768] and n == 2
    got, n = quantize(np.array([1e308]), FixedFormat(16, 1000), "half_up", "wrap")
    assert got.tolist() == [0] and n == 1


def test_dequantize_roundtrip():
    rng = np.random.default_rng(3)
    for fmt in FORMATS:
        raw = rand_raw(rng, fmt.width, 500)
        v = dequantize(raw, fmt.frac)
        assert v.dtype == np.float64
        back, n = quantize(v, fmt, Rounding.HALF_UP, Overflow.SATURATE)
        np.testing.assert_array_equal(back, raw)
        assert n == 0


def test_bad_modes():
    with pytest.raises(ValueError):
        shift_round(np.array([1]), 1, "nearest")
    with pytest.raises(ValueError):
        overflow(np.array([1]), 4, "clip")
    with pytest.raises(TypeError):
        shift_round(np.array([1.5]), 1, "half_up")


def test_doc_worked_example_requantize():
    """docs/numerics.md section 4."""
    fmt = FixedFormat(8, 4)
    raw = np.array([392, -392, 3000])
    assert requantize(raw, 8, fmt, "half_up", "saturate")[0].tolist() == [25, -24, 127]
    assert requantize(raw, 8, fmt, "convergent", "saturate")[0].tolist() == [24, -24, 127]
    got, ev = requantize(raw, 8, fmt, "half_up", "wrap")
    assert got.tolist() == [25, -24, -68] and ev == 1
