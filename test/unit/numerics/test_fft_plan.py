"""The matrix plans of the fixed-point FFTs (numerics/fft_plan.py) against the stage-by-stage FFT.

`rfft_fixed` / `irfft_fixed` run blocks within a plan's `max_input` as exact
float64 matrix products and the others stage by stage; both must give the
integers and events of `rfft_fixed_stagewise` / `irfft_fixed_stagewise`
(which test_fft.py checks against a per-element Python model) for random
formats, modes, block sizes 1..64 and data from tiny to saturating.  The
plan's bound is also checked from the other side: an input at `max_input`
must not overflow anywhere in the stage-by-stage FFT.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ernn_ir.numerics.fft import (
    irfft_fixed,
    irfft_fixed_stagewise,
    prepared_irfft,
    prepared_rfft,
    rfft_fixed,
    rfft_fixed_stagewise,
)
from ernn_ir.numerics.fixed import FixedFormat


@st.composite
def fft_case(draw):
    L = draw(st.integers(0, 6))
    Wo = draw(st.integers(3, 32))
    Wt = draw(st.integers(2, min(32, 63 - Wo)))
    return dict(
        b=1 << L,
        fo=FixedFormat(Wo, draw(st.integers(-4, Wo + 4))),
        ft=FixedFormat(Wt, draw(st.integers(-2, Wt + 2))),
        shift_in=draw(st.integers(-6, 6)),
        rnd=draw(st.sampled_from(["half_up", "convergent"])),
        mode=draw(st.sampled_from(["saturate", "wrap"])),
        seed=draw(st.integers(0, 2**31)),
    )


def _rows(rng, n_cols: int, limit: int, Wo: int) -> np.ndarray:
    """Rows of raw inputs: within the plan bound, exactly at it, and saturating."""
    top = 1 << (Wo + 3)
    rows = []
    for scale in (0, 1, 7, max(limit, 0), max(limit, 0), top):
        rows.append(rng.integers(-scale, scale + 1, size=n_cols))
    if limit >= 0:
        rows.append(np.full(n_cols, limit))          # every value at the bound
        rows.append(np.full(n_cols, -limit))
        at = rng.integers(-limit, limit + 1, size=n_cols)
        at[rng.integers(n_cols)] = limit if rng.random() < 0.5 else -limit
        rows.append(at)
    rows.append(np.full(n_cols, top))                # far beyond: every stage overflows
    return np.array(rows, dtype=np.int64)


@given(fft_case())
@settings(max_examples=300, deadline=None)
def test_rfft_plan_matches_stagewise(c):
    b, fo, ft = c["b"], c["fo"], c["ft"]
    frac_in = fo.frac + c["shift_in"]
    rng = np.random.default_rng(c["seed"])
    limit = prepared_rfft(b, frac_in, fo, ft, c["rnd"], c["mode"]).plan.max_input
    x = _rows(rng, 2 * b, limit, fo.width)
    got, ev = rfft_fixed(x, frac_in, b, fo, ft, c["rnd"], c["mode"])
    exp, eev = rfft_fixed_stagewise(x, frac_in, b, fo, ft, c["rnd"], c["mode"])
    np.testing.assert_array_equal(got, exp)
    assert ev == eev


@given(fft_case())
@settings(max_examples=300, deadline=None)
def test_irfft_plan_matches_stagewise(c):
    b, fo, ft = c["b"], c["fo"], c["ft"]
    K = b // 2 + 1
    frac_in = fo.frac + c["shift_in"]
    rng = np.random.default_rng(c["seed"])
    limit = prepared_irfft(b, frac_in, fo, ft, c["rnd"], c["mode"]).plan.max_input
    S = _rows(rng, 3 * K * 2, limit, fo.width).reshape(-1, 3, K, 2)
    got, ev = irfft_fixed(S, frac_in, b, fo, ft, c["rnd"], c["mode"])
    exp, eev = irfft_fixed_stagewise(S, frac_in, b, fo, ft, c["rnd"], c["mode"])
    np.testing.assert_array_equal(got, exp)
    assert ev == eev


@given(fft_case(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_plan_bound_is_sound(c, inverse):
    """At max_input nothing overflows, and the plan itself (not the fallback) gives the result."""
    b, fo, ft = c["b"], c["fo"], c["ft"]
    frac_in = fo.frac + c["shift_in"]
    prepared = (prepared_irfft if inverse else prepared_rfft)(b, frac_in, fo, ft, c["rnd"], c["mode"])
    limit = prepared.plan.max_input
    if limit < 0:
        return
    rng = np.random.default_rng(c["seed"])
    n_in = 2 * (b // 2 + 1) if inverse else b
    rows = np.concatenate([
        rng.choice([-limit, limit], size=(4, n_in)),
        rng.integers(-limit, limit + 1, size=(4, n_in)),
    ])
    stagewise = irfft_fixed_stagewise if inverse else rfft_fixed_stagewise
    x = rows.reshape(-1, 1, b // 2 + 1, 2) if inverse else rows
    exp, events = stagewise(x, frac_in, b, fo, ft, c["rnd"], c["mode"])
    assert events == 0
    np.testing.assert_array_equal(prepared.plan.run(rows), exp.reshape(rows.shape[0], -1))


@pytest.mark.parametrize("b", [2, 4, 8, 16, 32, 64])
def test_pipeline_formats_are_covered(b):
    """The quantizer's default FFT formats: up to b = 32 every 16-bit activation fits the rfft
    plan (at b = 64 a full-scale DC input really overflows 24 bits: 64 * 2^17 = 2^23), and the
    irfft plan takes spectra far beyond what the 32-bit accumulators hold in practice."""
    fft, tw, acc = FixedFormat(24, 14), FixedFormat(16, 14), FixedFormat(32, 20)
    r = prepared_rfft(b, 12, fft, tw, "half_up", "saturate")
    assert r.covers((-(2**15), 2**15 - 1)) == (b <= 32)
    assert r.plan.max_input >= 2**13
    i = prepared_irfft(b, 20, acc, tw, "half_up", "saturate")
    assert i.plan.max_input >= 2**28


def test_plan_step_counts():
    """b = 8: two products forward (trivial stages merged), four inverse (three halvings
    and the one twiddle stage); the stage-by-stage FFT makes about forty numpy calls per stage."""
    fft, tw, acc = FixedFormat(24, 14), FixedFormat(16, 14), FixedFormat(32, 20)
    assert len(prepared_rfft(8, 12, fft, tw, "half_up", "saturate").plan._program) == 2
    assert len(prepared_irfft(8, 20, acc, tw, "half_up", "saturate").plan._program) == 4
