"""PWL activation tables (float and bit-exact fixed) and exact fixed activations."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from ernn_ir.numerics.fixed import FixedFormat, Overflow, Rounding, dequantize, quantize
from ernn_ir.numerics.pwl import (
    PwlTable,
    fit_pwl,
    max_abs_error,
    pwl_eval_fixed,
    pwl_eval_float,
    quantize_table,
    sigmoid,
    sigmoid_fixed,
    tanh_fixed,
)


def test_fit_interpolates_segment_ends():
    t = fit_pwl("sigmoid", -8.0, 8.0, 16)
    assert t.log2_step == 0 and t.segments == 16 and t.x_max == 8.0
    ends = np.arange(-8.0, 8.0 + 1, 1.0)
    ref = 1 / (1 + np.exp(-ends))
    # left ends via their own segment, right end of the last segment via clamping
    np.testing.assert_allclose(pwl_eval_float(ends, t), ref, atol=1e-15)


@pytest.mark.parametrize("func,lo,hi,segs,tol", [
    ("sigmoid", -8, 8, 16, 0.012), ("sigmoid", -8, 8, 64, 8e-4),
    ("tanh", -4, 4, 16, 0.03), ("tanh", -4, 4, 64, 2.2e-3), ("tanh", -4, 4, 256, 1.5e-4),
])
def test_max_abs_error(func, lo, hi, segs, tol):
    t = fit_pwl(func, lo, hi, segs)
    e = max_abs_error(t, func)
    assert 0 < e < tol
    # error shrinks ~4x per doubling of segments (second-order interpolation)
    e2 = max_abs_error(fit_pwl(func, lo, hi, 2 * segs), func)
    assert e2 < e / 3


def test_fit_rejects_non_power_of_two():
    with pytest.raises(ValueError):
        fit_pwl("sigmoid", -5, 5, 16)          # step 0.625
    with pytest.raises(ValueError):
        fit_pwl("sigmoid", -8, 8, 12)
    with pytest.raises(ValueError):
        fit_pwl("relu", -8, 8, 16)


def test_float_clamping_and_float32():
    t = PwlTable(-2.0, 0, np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 2.0, 3.0]))
    x = np.array([-5.0, -2.0, -1.5, 0.0, 1.99, 2.0, 100.0])
    # idx:           0      0      0    2     3    3(clamped) 3
    exp = np.array([-2.0, -2.0, -1.5, 2.0, 4 * 1.99 + 3, 11.0, 11.0])
    np.testing.assert_allclose(pwl_eval_float(x, t), exp)
    assert pwl_eval_float(x.astype(np.float32), t).dtype == np.float32


def slow_pwl_fixed(x, in_fmt, S, C, cf, x_min_raw, s, out_fmt, rnd, ovf):
    """Per-element model with Fractions: clamp, index, exact value, one rounding."""
    n = len(S)
    step = Fraction(2) ** s
    lsb = Fraction(2) ** -in_fmt.frac
    xmin = x_min_raw * lsb
    out = []
    for v in x.tolist():
        xv = min(max(v * lsb, xmin), xmin + n * step - lsb)
        idx = min(math.floor((xv - xmin) / step), n - 1)
        y = Fraction(int(S[idx])) * Fraction(2) ** -cf.frac * xv + \
            Fraction(int(C[idx])) * Fraction(2) ** -cf.frac
        z = y * Fraction(2) ** out_fmt.frac
        fl = math.floor(z)
        d = z - fl
        if rnd == "half_up":
            r = fl + (d >= Fraction(1, 2))
        else:
            r = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
        if ovf == "saturate":
            r = min(max(r, out_fmt.min_raw), out_fmt.max_raw)
        else:
            r = (r - out_fmt.min_raw) % (1 << out_fmt.width) + out_fmt.min_raw
        out.append(r)
    return np.array(out, dtype=np.int64)


@pytest.mark.parametrize("func,lo,hi,segs", [("sigmoid", -8, 8, 16), ("tanh", -4, 4, 32)])
@pytest.mark.parametrize("in_fmt,cf,out_fmt", [
    (FixedFormat(16, 12), FixedFormat(16, 14), FixedFormat(16, 15)),
    (FixedFormat(12, 6), FixedFormat(10, 8), FixedFormat(8, 7)),
    (FixedFormat(8, 1), FixedFormat(12, 10), FixedFormat(8, 6)),
    (FixedFormat(10, 2), FixedFormat(12, 9), FixedFormat(9, 2)),
])
@pytest.mark.parametrize("rnd", ["half_up", "convergent"])
def test_pwl_fixed_matches_model(func, lo, hi, segs, in_fmt, cf, out_fmt, rnd):
    t = fit_pwl(func, lo, hi, segs)
    if t.log2_step + in_fmt.frac < 0:
        # A segment narrower than the input lsb is outside the contract: refused.
        with pytest.raises(ValueError):
            S, C, xmr = quantize_table(t, in_fmt, cf)
            pwl_eval_fixed(np.zeros(1, np.int64), in_fmt, S, C, cf, xmr, t.log2_step,
                           out_fmt, rnd, "saturate")
        return
    S, C, xmr = quantize_table(t, in_fmt, cf)
    x = np.arange(in_fmt.min_raw, in_fmt.max_raw + 1, max(1, (1 << in_fmt.width) // 3000))
    for ovf in ("saturate", "wrap"):
        got, ev = pwl_eval_fixed(x, in_fmt, S, C, cf, xmr, t.log2_step, out_fmt, rnd, ovf)
        exp = slow_pwl_fixed(x, in_fmt, S, C, cf, xmr, t.log2_step, out_fmt, rnd, ovf)
        np.testing.assert_array_equal(got, exp)
    # fixed result close to the float table
    got, _ = pwl_eval_fixed(x, in_fmt, S, C, cf, xmr, t.log2_step, out_fmt, rnd, "saturate")
    ref = np.clip(pwl_eval_float(dequantize(x, in_fmt.frac), t), out_fmt.min_value,
                  out_fmt.max_value)
    tol = out_fmt.lsb / 2 + cf.lsb / 2 * (1 + max(abs(in_fmt.min_value), in_fmt.max_value))
    assert np.max(np.abs(dequantize(got, out_fmt.frac) - ref)) <= tol + 1e-12


@given(seed=st.integers(0, 2**31), n_log=st.integers(0, 5), s=st.integers(-3, 2),
       fi=st.integers(-2, 10), fc=st.integers(-2, 14), fo=st.integers(-2, 16),
       rnd=st.sampled_from(["half_up", "convergent"]),
       ovf=st.sampled_from(["saturate", "wrap"]))
@settings(max_examples=60, deadline=None)
def test_pwl_fixed_hypothesis(seed, n_log, s, fi, fc, fo, rnd, ovf):
    assume(s + fi >= 0)
    rng = np.random.default_rng(seed)
    in_fmt, cf, out_fmt = FixedFormat(12, fi), FixedFormat(12, fc), FixedFormat(10, fo)
    n = 1 << n_log
    S = rng.integers(-2048, 2048, size=n)
    C = rng.integers(-2048, 2048, size=n)
    xmr = int(rng.integers(-2048, 0))
    x = rng.integers(-2048, 2048, size=200)
    got, _ = pwl_eval_fixed(x, in_fmt, S, C, cf, xmr, s, out_fmt, rnd, ovf)
    exp = slow_pwl_fixed(x, in_fmt, S, C, cf, xmr, s, out_fmt, rnd, ovf)
    np.testing.assert_array_equal(got, exp)


def test_pwl_fixed_hand_example():
    """Table on [-2, 2) in steps of 1 (log2_step 0), input fixed<8,4>, coeffs fixed<8,4>,
    output fixed<8,4>: x = 0.75 (raw 12) falls in segment 2 (slope 0.25 = raw 4,
    intercept 0.5 = raw 8): 4*12 = 48 at frac 8 plus 8 << 4 = 128 -> 176 / 2**4 = 11
    -> 0.6875 = 0.25*0.75 + 0.5.  x = 5.0 (raw 80) clamps to raw 31 (1.9375): segment 3
    (slope 0.125 = 2, intercept 0.75 = 12): 62 + 192 = 254 -> 254/16 = 15.875 -> 16."""
    fmt = FixedFormat(8, 4)
    S = np.array([1, 2, 4, 2])
    C = np.array([2, 5, 8, 12])
    got, ev = pwl_eval_fixed(np.array([12, 80]), fmt, S, C, fmt, -32, 0, fmt, "half_up",
                             "saturate")
    assert got.tolist() == [11, 16] and ev == 0


def test_pwl_fixed_rejects():
    fmt = FixedFormat(8, 4)
    with pytest.raises(ValueError):    # segment narrower than the lsb
        pwl_eval_fixed(np.array([0]), fmt, np.array([1]), np.array([0]), fmt, 0, -5, fmt,
                       "half_up", "saturate")
    with pytest.raises(ValueError):    # x_min not on the lsb grid
        quantize_table(PwlTable(-0.01, 0, [1.0], [0.0]), fmt, fmt)


@pytest.mark.parametrize("fn,ref", [(sigmoid_fixed, lambda v: 1 / (1 + np.exp(-v))),
                                    (tanh_fixed, np.tanh)])
def test_exact_activations(fn, ref):
    in_fmt, out_fmt = FixedFormat(16, 10), FixedFormat(16, 14)
    x = np.arange(in_fmt.min_raw, in_fmt.max_raw + 1)
    with np.errstate(over="ignore"):
        for rnd in Rounding:
            got, ev = fn(x, in_fmt, out_fmt, rnd, Overflow.SATURATE)
            exp, _ = quantize(ref(dequantize(x, 10)), out_fmt, rnd, Overflow.SATURATE)
            np.testing.assert_array_equal(got, exp)
            assert ev == 0
    # tanh(large) -> 1.0 overflows fixed<8,7> and saturates to 127/128, counted
    got, ev = tanh_fixed(np.array([127]), FixedFormat(8, 3), FixedFormat(8, 7), "half_up",
                         "saturate")
    assert got.tolist() == [127] and ev == 1


def test_sigmoid_stable():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        v = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert v.tolist() == [0.0, 0.5, 1.0]
    assert sigmoid(np.array([1.0], np.float32)).dtype == np.float32
