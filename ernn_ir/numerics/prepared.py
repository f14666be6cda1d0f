"""Format-bound forms of the fixed-point primitives, for calls repeated with the same formats.

`requantize` and `quantize` in `fixed.py` are the straightforward statement of
docs/numerics.md: every call validates its formats, converts its modes and
checks every element.  The reference interpreter calls them once per op and
time step with the same formats, on small arrays, where that bookkeeping
costs more than the arithmetic.  The classes here decide everything that
does not depend on the data once (shift, bounds, rounding formula) and keep
each call to a few numpy operations.  They return bit for bit what
`requantize` / `quantize` return, with the same event counts (the property
tests in test/unit/numerics/test_prepared.py compare them on random data,
formats and modes); whenever a fast formula is not provably exact for the
given widths they call the straightforward function.
"""

from __future__ import annotations

import numpy as np

from .fixed import (
    FixedFormat,
    Overflow,
    Rounding,
    _overflow_mode,
    _rounding,
    _wrap,
    quantize,
    requantize,
)

__all__ = ["Requantizer", "Quantizer", "fits_range", "bits_range", "round_shift_int", "clip"]

try:  # the clip ufunc itself: np.clip's Python wrapper costs several times the work on small arrays
    from numpy._core.umath import clip
except ImportError:  # numpy < 2
    from numpy.core.umath import clip


# the reductions themselves: ndarray.min/max add a Python-level wrapper per call
_min, _max = np.minimum.reduce, np.maximum.reduce


def fits_range(raw: np.ndarray, lo: int, hi: int) -> bool:
    """True when every element of `raw` lies in [lo, hi] (an empty array does)."""
    if raw.size == 0:
        return True
    return lo <= _min(raw, None) and _max(raw, None) <= hi


def bits_range(bits: int) -> tuple[int, int]:
    """The raw range of a signed `bits`-bit value."""
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def round_shift_int(v: int, s: int, rounding: Rounding) -> int:
    """The contract's rounding of one Python int by `s > 0` bits (for bounds)."""
    q, r = v >> s, v & ((1 << s) - 1)
    h = 1 << (s - 1)
    if rounding is Rounding.HALF_UP:
        return q + (r >= h)
    return q + (r > h or (r == h and q & 1 == 1))


class Requantizer:
    """`requantize(raw, frac_in, fmt_out, rounding, overflow_mode)` with the formats bound.

    `in_range = (lo, hi)` bounds every input raw value; the caller knows it
    from the operand types (a `fixed<W, F>` operand: `bits_range(W)`, a
    product of two operands: `bits_range(Wa + Wb)`) or tighter from a table.
    It decides whether the rounding may add its constant without leaving
    int64 and whether the overflow check can be skipped because no input
    can leave the output range; without it nothing is assumed.

    `run(raw)` (int64) gives `(raw_out, events)`; the result may be `raw`
    itself when nothing changes.  `run_range(raw)` also gives bounds
    `lo, hi` of this call's results (observed, or `out_range` when no check
    was needed), for a consumer that would otherwise scan them again.
    `run_biased(raw + bias)` gives the same as `run(raw)`, for callers that
    can fold the constant `bias` into a table (only half_up rounding has a
    nonzero one).  `out_range` bounds the results of every call.
    """

    def __init__(self, frac_in: int, fmt_out: FixedFormat, rounding, overflow_mode,
                 in_range: tuple[int, int] | None = None) -> None:
        fmt_out.validate()
        self.frac_in = int(frac_in)
        self.fmt = fmt_out
        self.rounding = _rounding(rounding)
        self.mode = _overflow_mode(overflow_mode)
        lo_out, hi_out = bits_range(int(fmt_out.width))
        in_lo, in_hi = in_range if in_range is not None else bits_range(64)
        shift = self.frac_in - int(fmt_out.frac)  # > 0: rounding; < 0: exact left shift
        saturate = self.mode is Overflow.SATURATE
        width = int(fmt_out.width)

        # the rounded (or shifted) input range, before overflow
        if shift < 0:
            r_lo, r_hi = in_lo << -shift, in_hi << -shift
        elif shift == 0 or shift >= 64:
            r_lo, r_hi = (in_lo, in_hi) if shift == 0 else (0, 0)
        else:
            r_lo = round_shift_int(in_lo, shift, self.rounding)
            r_hi = round_shift_int(in_hi, shift, self.rounding)
        always_fits = lo_out <= r_lo and r_hi <= hi_out
        self.always_fits = always_fits
        """No input in `in_range` can overflow: the requantize never reports an event."""
        if always_fits:
            self.out_range = (r_lo, r_hi)
        elif saturate:  # both ends clamped into the format
            self.out_range = (min(max(r_lo, lo_out), hi_out), max(min(r_hi, hi_out), lo_out))
        else:
            self.out_range = (lo_out, hi_out)
        static = self.out_range

        def general(raw):
            out, ev = requantize(raw, self.frac_in, self.fmt, self.rounding, self.mode)
            return out, ev, static[0], static[1]

        def checked(r):
            """Overflow of rounded values `r`, with the observed range."""
            if r.size == 0:
                return r, 0, static[0], static[1]
            lo, hi = int(_min(r, None)), int(_max(r, None))
            if lo_out <= lo and hi <= hi_out:
                return r, 0, lo, hi
            events = int(np.count_nonzero((r < lo_out) | (r > hi_out)))
            if saturate:
                return (clip(r, lo_out, hi_out), events,
                        min(max(lo, lo_out), hi_out), max(min(hi, hi_out), lo_out))
            return _wrap(r, width), events, lo_out, hi_out

        self.bias = 0
        if shift < 0:
            k = np.int64(-shift)
            if always_fits:
                run_range = lambda raw: (raw << k, 0, static[0], static[1])  # noqa: E731
            else:
                # values that fit after the shift cannot wrap int64 while shifting
                top, bottom = hi_out >> -shift, -((-lo_out) >> -shift)

                def run_range(raw):
                    if fits_range(raw, bottom, top):
                        return checked(raw << k)
                    return general(raw)

            run_biased_range = run_range
        elif shift == 0:
            run_range = (lambda raw: (raw, 0, static[0], static[1])) if always_fits else checked
            run_biased_range = run_range
        elif shift >= 64 or max(-in_lo, in_hi) + (1 << (shift - 1)) >= 1 << 62:
            run_range = run_biased_range = general  # the constants below could leave int64
        else:
            s = np.int64(shift)
            if self.rounding is Rounding.HALF_UP:
                half = np.int64(1 << (shift - 1))

                def rounded(raw):
                    # floor(v / 2^s + 1/2)
                    r = raw + half
                    r >>= s
                    return r

                self.bias = 1 << (shift - 1)
                biased = lambda raw: raw >> s  # noqa: E731
            else:
                half_m1 = np.int64((1 << (shift - 1)) - 1)

                def rounded(raw):
                    # ties to even: floor((v + 2^(s-1) - 1 + bit(v, s)) / 2^s)
                    r = raw >> s
                    r &= 1
                    r += raw
                    r += half_m1
                    r >>= s
                    return r

                biased = rounded
            if always_fits:
                run_range = lambda raw: (rounded(raw), 0, static[0], static[1])  # noqa: E731
                run_biased_range = lambda raw: (biased(raw), 0, static[0], static[1])  # noqa: E731
            else:
                run_range = lambda raw: checked(rounded(raw))  # noqa: E731
                run_biased_range = lambda raw: checked(biased(raw))  # noqa: E731
        self.run_range = run_range
        self.run = lambda raw: run_range(raw)[:2]
        self.run_biased = lambda raw: run_biased_range(raw)[:2]
        # The common cases, called on every element-wise op of every step: one flat
        # function each (the composed ones above cost a few calls more per op).
        if self.bias and not always_fits:
            def run_half_up(raw):
                r = raw + half
                r >>= s
                if r.size == 0 or (lo_out <= _min(r, None) and _max(r, None) <= hi_out):
                    return r, 0
                return checked(r)[:2]

            def run_biased_half_up(raw):
                r = raw >> s
                if r.size == 0 or (lo_out <= _min(r, None) and _max(r, None) <= hi_out):
                    return r, 0
                return checked(r)[:2]

            self.run, self.run_biased = run_half_up, run_biased_half_up
        elif shift == 0 and not always_fits:
            def run_exact(raw):
                if raw.size == 0 or (lo_out <= _min(raw, None) and _max(raw, None) <= hi_out):
                    return raw, 0
                return checked(raw)[:2]

            self.run = self.run_biased = run_exact

    def __call__(self, raw: np.ndarray) -> tuple[np.ndarray, int]:
        return self.run(raw)


class Quantizer:
    """`quantize(x, fmt, rounding, overflow_mode)` with the format bound.

    Fast when every value is finite and lands inside the format (then the
    overflow mode does not matter and no event occurs); anything else goes
    to `quantize`.
    """

    __slots__ = ("fmt", "rounding", "mode", "_frac", "_lo", "_top")

    def __init__(self, fmt: FixedFormat, rounding, overflow_mode) -> None:
        fmt.validate()
        self.fmt = fmt
        self.rounding = _rounding(rounding)
        self.mode = _overflow_mode(overflow_mode)
        self._frac = int(fmt.frac)
        # integers in float64: r <= max_raw  <=>  r < 2^(W-1), exact even for W = 64
        self._lo = -(2.0 ** (fmt.width - 1))
        self._top = 2.0 ** (fmt.width - 1)

    def run(self, x: np.ndarray) -> tuple[np.ndarray, int]:
        x = np.asarray(x)
        if x.dtype.kind != "f" or x.size == 0:
            return quantize(x, self.fmt, self.rounding, self.mode)
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = np.ldexp(x.astype(np.float64, copy=False), self._frac)
            if self.rounding is Rounding.CONVERGENT:
                r = np.rint(scaled)  # IEEE round-half-even of an exact value
            else:
                r = np.floor(scaled)
                r += (scaled - r) >= 0.5  # the difference is exact
        # NaN fails both comparisons, infinities fail one: they take the slow path
        lo, hi = float(r.min()), float(r.max())
        if not (self._lo <= lo and hi < self._top):
            return quantize(x, self.fmt, self.rounding, self.mode)
        return r.astype(np.int64), 0

    __call__ = run
