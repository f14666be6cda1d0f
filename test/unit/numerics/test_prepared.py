"""The format-bound primitives (numerics/prepared.py) against the straightforward ones.

`Requantizer` and `Quantizer` must return exactly what `requantize` and
`quantize` return, events included, for any formats, modes, declared input
ranges and data (inside the range, at its ends, and far outside the output
format so that everything saturates or wraps).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from ernn_ir.numerics.fixed import FixedFormat, Rounding, quantize, requantize
from ernn_ir.numerics.prepared import Quantizer, Requantizer, bits_range, round_shift_int

ROUNDINGS = st.sampled_from(["half_up", "convergent"])
OVERFLOWS = st.sampled_from(["saturate", "wrap"])


def _data(rng, lo: int, hi: int, n: int = 300) -> np.ndarray:
    """Values in [lo, hi]: both ends, zero when inside, ties of every shift, uniform ones."""
    ends = [lo, hi, lo + 1, hi - 1] + ([0] if lo <= 0 <= hi else [])
    span = hi - lo
    if span < 2**62:
        uni = [lo + int(v) for v in rng.integers(0, span + 1, size=n, dtype=np.uint64)]
    else:
        uni = [int(v) for v in rng.integers(max(lo, -(2**62)), min(hi, 2**62), size=n)]
    # multiples of powers of two plus a half step: the rounding ties
    ties = [v for s in range(1, 40) for v in ((1 << s) * 3 + (1 << (s - 1)), -(1 << s) * 5 - (1 << (s - 1)))
            if lo <= v <= hi]
    return np.array([v for v in ends + uni + ties if lo <= v <= hi], dtype=np.int64)


@given(
    width=st.integers(1, 64),
    frac_out=st.integers(-20, 40),
    shift=st.integers(-20, 66),
    in_bits=st.integers(1, 64),
    narrow=st.booleans(),
    rnd=ROUNDINGS,
    ovf=OVERFLOWS,
    seed=st.integers(0, 2**31),
)
@settings(max_examples=400, deadline=None)
def test_requantizer_matches_requantize(width, frac_out, shift, in_bits, narrow, rnd, ovf, seed):
    rng = np.random.default_rng(seed)
    fmt = FixedFormat(width, frac_out)
    frac_in = frac_out + shift
    lo, hi = bits_range(in_bits)
    if narrow:  # a declared range tighter than the input's width (a table's outputs)
        a, b = sorted(int(v) for v in rng.integers(lo, hi, size=2, endpoint=True))
        lo, hi = a, b
    x = _data(rng, lo, hi)
    rq = Requantizer(frac_in, fmt, rnd, ovf, in_range=(lo, hi))
    got, ev = rq(x)
    exp, eev = requantize(x, frac_in, fmt, rnd, ovf)
    np.testing.assert_array_equal(got, exp)
    assert ev == eev
    # the declared output range holds every result, and so does each call's range
    out, ev_r, lo_r, hi_r = rq.run_range(x)
    np.testing.assert_array_equal(out, exp)
    assert ev_r == eev
    if got.size:
        assert rq.out_range[0] <= got.min() and got.max() <= rq.out_range[1]
        assert lo_r <= got.min() and got.max() <= hi_r
    # the biased entry point: the caller adds the bias first
    if rq.bias:
        got_b, ev_b = rq.run_biased(x + rq.bias)
        np.testing.assert_array_equal(got_b, exp)
        assert ev_b == eev


@given(
    width=st.integers(2, 40), frac_out=st.integers(-8, 30), shift=st.integers(1, 30),
    rnd=ROUNDINGS, ovf=OVERFLOWS, seed=st.integers(0, 2**31),
)
@settings(max_examples=100, deadline=None)
def test_requantizer_without_range_assumes_nothing(width, frac_out, shift, rnd, ovf, seed):
    """With no declared range every int64 input is handled as requantize does."""
    rng = np.random.default_rng(seed)
    fmt = FixedFormat(width, frac_out)
    x = np.concatenate([rng.integers(-(2**63), 2**63 - 1, size=50, dtype=np.int64),
                        np.array([-(2**63), 2**63 - 1, 0, 1, -1], dtype=np.int64)])
    got, ev = Requantizer(frac_out + shift, fmt, rnd, ovf)(x)
    exp, eev = requantize(x, frac_out + shift, fmt, rnd, ovf)
    np.testing.assert_array_equal(got, exp)
    assert ev == eev


@given(v=st.integers(-(2**70), 2**70), s=st.integers(1, 70), rnd=ROUNDINGS)
def test_round_shift_int_is_the_contract_rounding(v, s, rnd):
    x = Fraction(v, 1 << s)
    fl = math.floor(x)
    d = x - fl
    if rnd == "half_up":
        exp = fl + (d >= Fraction(1, 2))
    else:
        exp = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
    assert round_shift_int(v, s, Rounding(rnd)) == exp


FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(-1e6, 1e6),
    st.integers(-(2**20), 2**20).map(lambda k: k / 8 + 1 / 16),  # ties at frac 3
)


@given(xs=st.lists(FLOATS, min_size=1, max_size=40), width=st.integers(1, 64),
       frac=st.integers(-10, 60), rnd=ROUNDINGS, ovf=OVERFLOWS, f32=st.booleans())
@settings(max_examples=300, deadline=None)
def test_quantizer_matches_quantize(xs, width, frac, rnd, ovf, f32):
    x = np.array(xs, dtype=np.float32 if f32 else np.float64)
    fmt = FixedFormat(width, frac)
    with np.errstate(all="ignore"):
        got, ev = Quantizer(fmt, rnd, ovf)(x)
        exp, eev = quantize(x, fmt, rnd, ovf)
    np.testing.assert_array_equal(got, exp)
    assert ev == eev


def test_quantizer_in_range_values_take_no_general_path(monkeypatch):
    """In-range finite data must not need the general function (the fast path exists)."""
    import ernn_ir.numerics.prepared as prepared

    def fail(*a, **k):
        raise AssertionError("general quantize called")

    q = Quantizer(FixedFormat(16, 12), "half_up", "saturate")
    monkeypatch.setattr(prepared, "quantize", fail)
    out, ev = q(np.array([0.5, -1.25, 7.99, -8.0, 2.0**-13]))
    assert out.tolist() == [2048, -5120, 32727, -32768, 1] and ev == 0


def test_quantizer_format_edges():
    """The largest raw value of a 64-bit format is not a float64: 2^63 must saturate."""
    for width in (64, 63, 53, 32, 1):
        fmt = FixedFormat(width, 0)
        top = 2.0 ** (width - 1)
        x = np.array([top, top - 1 if width <= 53 else top / 2, -top, -top - 2 ** max(width - 53, 0) * 2, 0.5, -0.5])
        for rnd in ("half_up", "convergent"):
            for ovf in ("saturate", "wrap"):
                got, ev = Quantizer(fmt, rnd, ovf)(x)
                exp, eev = quantize(x, fmt, rnd, ovf)
                np.testing.assert_array_equal(got, exp)
                assert ev == eev
