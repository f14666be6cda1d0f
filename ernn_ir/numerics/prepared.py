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

__all__ = ["Requantizer", "Quantizer", "fits_range", "bits_range", "round_shift_int"]


def fits_range(raw: np.ndarray, lo: int, hi: int) -> bool:
    """True when every element of `raw` lies in [lo, hi] (an empty array does)."""
    if raw.size == 0:
        return True
    return lo <= int(raw.min()) and int(raw.max()) <= hi


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
    can leave the output range; without it nothing is assumed.  Calling
    `run(raw)` (int64) gives `(raw_out, events)`; the result may be `raw`
    itself when nothing changes.  `out_range` bounds the results.
    `run_biased(raw + bias)` gives the same as `run(raw)`, for callers that
    can fold the constant `bias` into a table.
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
        # `run_biased(raw + bias)` == `run(raw)`; only half_up rounding has a nonzero bias
        self.bias = 0
        shift = self.frac_in - int(fmt_out.frac)  # > 0: rounding; < 0: exact left shift

        def general(raw):
            return requantize(raw, self.frac_in, self.fmt, self.rounding, self.mode)

        # the rounded (or shifted) input range, before overflow
        if shift < 0:
            r_lo, r_hi = in_lo << -shift, in_hi << -shift
        elif shift == 0 or shift >= 64:
            r_lo, r_hi = (in_lo, in_hi) if shift == 0 else (0, 0)
        else:
            r_lo = round_shift_int(in_lo, shift, self.rounding)
            r_hi = round_shift_int(in_hi, shift, self.rounding)
        always_fits = lo_out <= r_lo and r_hi <= hi_out
        if always_fits:
            self.out_range = (r_lo, r_hi)
        elif self.mode is Overflow.SATURATE:  # both ends clamped into the format
            self.out_range = (min(max(r_lo, lo_out), hi_out), max(min(r_hi, hi_out), lo_out))
        else:
            self.out_range = (lo_out, hi_out)
        saturate = self.mode is Overflow.SATURATE
        width = int(fmt_out.width)

        def fit(r):
            if fits_range(r, lo_out, hi_out):
                return r, 0
            events = int(np.count_nonzero((r < lo_out) | (r > hi_out)))
            return (np.clip(r, lo_out, hi_out) if saturate else _wrap(r, width)), events

        if shift < 0:
            k = np.int64(-shift)
            if always_fits:
                self.run = lambda raw: (raw << k, 0)
                self.run_biased = self.run
            else:
                # values that fit after the shift cannot wrap int64 while shifting
                top, bottom = hi_out >> -shift, -((-lo_out) >> -shift)

                def run_shift(raw):
                    if fits_range(raw, bottom, top):
                        return raw << k, 0
                    return general(raw)

                self.run = run_shift
            self.run_biased = self.run
            return
        if shift == 0:
            self.run = (lambda raw: (raw, 0)) if always_fits else fit
            self.run_biased = self.run
            return
        if shift >= 64 or max(-in_lo, in_hi) + (1 << (shift - 1)) >= 1 << 62:
            self.run = general  # the constants below could leave int64
            self.run_biased = self.run
            return
        s = np.int64(shift)
        if self.rounding is Rounding.HALF_UP:
            half = np.int64(1 << (shift - 1))

            def rounded(raw):
                # floor(v / 2^s + 1/2)
                r = raw + half
                r >>= s
                return r

            # A caller that can add 2^(s-1) for free (into a table) leaves only the shift.
            self.bias = 1 << (shift - 1)
            self.run_biased = (lambda raw: (raw >> s, 0)) if always_fits else (lambda raw: fit(raw >> s))
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

        if always_fits:
            self.run = lambda raw: (rounded(raw), 0)
        else:
            self.run = lambda raw: fit(rounded(raw))
        if not self.bias:
            self.run_biased = self.run

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
