"""Bit-exact fixed-point primitives (pure numpy).

A fixed-point tensor is an ``int64`` numpy array of *raw* two's-complement
integers together with a format ``(width W, frac F)``; the real value of an
element is ``raw * 2**-F``.  ``F`` may be negative or larger than ``W``.

Operand formats have ``W <= 32`` so that the product of two operands fits in
an ``int64``; intermediate accumulators may use up to 64 bits.

Every function here is vectorised and exact: rounding and overflow are
defined by integer formulas (see ``docs/numerics.md``) and agree bit for bit
with apytypes (``QuantizationMode.TIES_POS`` / ``TIES_EVEN`` and
``OverflowMode.SAT`` / ``WRAP``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Rounding",
    "Overflow",
    "FixedFormat",
    "MAX_OPERAND_WIDTH",
    "MAX_ACC_WIDTH",
    "as_raw",
    "shift_round",
    "shift_left",
    "overflow",
    "requantize",
    "quantize",
    "dequantize",
    "bound_bits",
    "csd",
]

#: Largest width of an operand format (products of two operands fit int64).
MAX_OPERAND_WIDTH = 32
#: Largest width of an accumulator / intermediate.
MAX_ACC_WIDTH = 64


class Rounding(str, enum.Enum):
    """Rounding applied when fractional bits are dropped.

    ``HALF_UP``: round to nearest, ties toward +infinity (``floor(v + 1/2)``).
    ``CONVERGENT``: round to nearest, ties to even.
    """

    HALF_UP = "half_up"
    CONVERGENT = "convergent"


class Overflow(str, enum.Enum):
    """Overflow handling when a value does not fit the target width."""

    SATURATE = "saturate"
    WRAP = "wrap"


@dataclass(frozen=True)
class FixedFormat:
    """Signed two's-complement fixed-point format ``!ernn.fixed<W, F>``."""

    width: int
    frac: int

    @property
    def min_raw(self) -> int:
        return -(1 << (self.width - 1))

    @property
    def max_raw(self) -> int:
        return (1 << (self.width - 1)) - 1

    @property
    def lsb(self) -> float:
        return 2.0 ** (-self.frac)

    @property
    def max_value(self) -> float:
        return float(np.ldexp(float(self.max_raw), -self.frac))

    @property
    def min_value(self) -> float:
        return float(np.ldexp(float(self.min_raw), -self.frac))

    def validate(self, max_width: int = MAX_ACC_WIDTH) -> "FixedFormat":
        """Raise ``ValueError`` unless the format is well formed.

        ``max_width`` defaults to the accumulator limit (64); operand formats
        are checked with ``max_width=MAX_OPERAND_WIDTH`` (32).
        Returns ``self`` so it can be chained.
        """
        if isinstance(self.width, bool) or not isinstance(self.width, (int, np.integer)):
            raise ValueError(f"fixed-point width must be an int, got {self.width!r}")
        if isinstance(self.frac, bool) or not isinstance(self.frac, (int, np.integer)):
            raise ValueError(f"fixed-point frac must be an int, got {self.frac!r}")
        if not 1 <= self.width <= max_width:
            raise ValueError(
                f"fixed-point width must be in [1, {max_width}], got {self.width}"
            )
        if not -1024 <= self.frac <= 1024:
            raise ValueError(f"fixed-point frac must be in [-1024, 1024], got {self.frac}")
        return self

    def __str__(self) -> str:
        return f"fixed<{self.width}, {self.frac}>"


def _rounding(r) -> Rounding:
    try:
        return Rounding(r)
    except ValueError:
        raise ValueError(f"unknown rounding mode {r!r}; expected one of "
                         f"{[m.value for m in Rounding]}") from None


def _overflow_mode(m) -> Overflow:
    try:
        return Overflow(m)
    except ValueError:
        raise ValueError(f"unknown overflow mode {m!r}; expected one of "
                         f"{[m.value for m in Overflow]}") from None


def as_raw(raw) -> np.ndarray:
    """Convert to an int64 array (raises for non-integer input)."""
    a = np.asarray(raw)
    if a.dtype == np.int64:
        return a
    if a.dtype.kind not in "iub":
        if a.size == 0:
            return a.astype(np.int64)
        raise TypeError(f"raw fixed-point data must be integers, got dtype {a.dtype}")
    if a.dtype == np.uint64 and a.size and int(a.max()) > np.iinfo(np.int64).max:
        raise ValueError("uint64 raw values do not fit int64")
    return a.astype(np.int64)


def shift_left(raw, shift: int) -> np.ndarray:
    """``raw * 2**shift`` modulo 2**64 (well defined, no UB); ``shift >= 0``."""
    raw = as_raw(raw)
    if shift < 0:
        raise ValueError("shift_left needs shift >= 0")
    if shift == 0:
        return raw.copy()
    if shift >= 64:
        return np.zeros_like(raw)
    u = raw.astype(np.uint64) << np.uint64(shift)
    return np.asarray(u.astype(np.int64))


def shift_round(raw, shift: int, rounding) -> np.ndarray:
    """Return ``round(raw * 2**-shift)`` as int64.

    ``shift <= 0`` is an exact left shift by ``-shift`` (the caller must make
    sure the result fits in int64).  For ``shift > 0``:

    * HALF_UP:    ``floor(raw / 2**s) + bit(raw, s-1)``  == ``floor(v + 1/2)``
    * CONVERGENT: ``q = floor(raw / 2**s)``, ``r = raw - q*2**s``;
      ``q + (r > h or (r == h and q odd))`` with ``h = 2**(s-1)``.
    """
    rounding = _rounding(rounding)
    raw = as_raw(raw)
    shift = int(shift)
    if shift <= 0:
        return shift_left(raw, -shift)
    if shift >= 64:
        # |raw * 2**-shift| <= 1/2; the only tie is -2**63 * 2**-64 = -1/2,
        # which rounds to 0 in both modes.
        return np.zeros_like(raw)
    q = raw >> shift
    if rounding is Rounding.HALF_UP:
        return np.asarray(q + ((raw >> (shift - 1)) & 1), dtype=np.int64)
    ru = raw.astype(np.uint64) & np.uint64((1 << shift) - 1)
    h = np.uint64(1 << (shift - 1))
    up = (ru > h) | ((ru == h) & ((q & 1) == 1))
    return np.asarray(q + up.astype(np.int64), dtype=np.int64)


def _wrap(raw: np.ndarray, width: int) -> np.ndarray:
    if width >= 64:
        return raw.copy()
    s = 64 - width
    u = raw.astype(np.uint64) << np.uint64(s)
    return np.asarray(u.astype(np.int64) >> np.int64(s), dtype=np.int64)


def overflow(raw, width: int, mode) -> tuple[np.ndarray, int]:
    """Fit ``raw`` into ``width`` bits (signed).

    SATURATE clamps to ``[-2**(W-1), 2**(W-1)-1]``; WRAP keeps the low ``W``
    bits and sign-extends (two's complement).  Returns ``(raw, events)`` where
    ``events`` is the number of elements that were out of range.
    """
    mode = _overflow_mode(mode)
    raw = as_raw(raw)
    width = int(width)
    if not 1 <= width <= 64:
        raise ValueError(f"overflow width must be in [1, 64], got {width}")
    if width == 64:
        return raw.copy(), 0
    lo = -(1 << (width - 1))
    hi = (1 << (width - 1)) - 1
    oor = (raw < lo) | (raw > hi)
    events = int(np.count_nonzero(oor))
    if mode is Overflow.SATURATE:
        out = np.clip(raw, lo, hi) if events else raw.copy()
    else:
        out = _wrap(raw, width) if events else raw.copy()
    return out, events


def requantize(raw, frac_in: int, fmt_out: FixedFormat, rounding,
               overflow_mode) -> tuple[np.ndarray, int]:
    """Convert raw values with ``frac_in`` fractional bits to ``fmt_out``.

    Rounds once (``shift_round`` by ``frac_in - fmt_out.frac``) then applies
    the overflow mode.  When fractional bits are *added* the left shift is
    exact; out-of-range detection is done before shifting so that no
    intermediate overflow can happen in int64.
    """
    fmt_out.validate()
    rounding = _rounding(rounding)
    mode = _overflow_mode(overflow_mode)
    raw = as_raw(raw)
    d = int(fmt_out.frac) - int(frac_in)
    if d <= 0:
        return overflow(shift_round(raw, -d, rounding), fmt_out.width, mode)
    # Exact left shift by d: value raw * 2**d.
    W = fmt_out.width
    half = 1 << (W - 1)
    hi_in = (half - 1) >> d          # floor(max_raw / 2**d)
    lo_in = -(half >> d)             # ceil(min_raw / 2**d)
    oor = (raw > hi_in) | (raw < lo_in)
    events = int(np.count_nonzero(oor))
    shifted = shift_left(raw, d)
    if not events:
        return shifted, 0
    if mode is Overflow.SATURATE:
        out = np.where(raw > hi_in, np.int64(half - 1),
                       np.where(raw < lo_in, np.int64(-half), shifted))
        # -half fits int64 only when W <= 64: always true here.
        return out.astype(np.int64), events
    # wrap: result mod 2**W; shift_left is exact mod 2**64 and W <= 64.
    return _wrap(shifted, W), events


def quantize(x_float, fmt: FixedFormat, rounding, overflow_mode) -> tuple[np.ndarray, int]:
    """Quantize float32/float64 values to ``fmt`` exactly.

    The float value ``v`` is scaled exactly (``ldexp``) to ``v * 2**F`` and
    rounded with integer-exact logic; then the overflow mode is applied.
    NaN becomes 0 and counts as one overflow event; +-inf saturate (in both
    overflow modes) and count as events.
    """
    fmt.validate()
    rounding = _rounding(rounding)
    mode = _overflow_mode(overflow_mode)
    x = np.asarray(x_float)
    if x.dtype.kind in "iub":
        x = x.astype(np.float64)
    if x.dtype.kind != "f":
        raise TypeError(f"quantize expects float input, got dtype {x.dtype}")
    x = x.astype(np.float64)
    nan = np.isnan(x)
    posinf = np.isposinf(x)
    neginf = np.isneginf(x)
    special = nan | posinf | neginf
    finite = np.where(special, 0.0, x)
    # Values with |v * 2**F| >= 2**64 are surely out of range of any W <= 64.
    # Clamp the exponent to avoid inf in ldexp; clamped values keep the same
    # sign and remain "out of range"; for wrap we need them mod 2**W, which
    # ldexp handles exactly as long as no overflow to inf happens.
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.ldexp(finite, fmt.frac)
        fl = np.floor(scaled)
        diff = scaled - fl                   # exact, in [0, 1)
    if rounding is Rounding.HALF_UP:
        r = fl + (diff >= 0.5)
    else:
        odd = np.fmod(fl, 2.0) != 0.0
        r = fl + ((diff > 0.5) | ((diff == 0.5) & odd))
    r = np.where(np.isfinite(r), r, 0.0)  # scaled overflowed to inf (handled below)
    big = np.isinf(scaled)
    W = fmt.width
    half = float(2.0 ** (W - 1))
    oor = (r >= half) | (r < -half) | big
    events = int(np.count_nonzero(oor & ~special)) + int(np.count_nonzero(special))
    if mode is Overflow.SATURATE:
        pos = (r >= half) | (big & (scaled > 0))
        neg = (r < -half) | (big & (scaled < 0))
        ri = np.where(pos | neg, 0.0, r).astype(np.int64)
        ri = np.where(pos, np.int64(fmt.max_raw), ri)
        ri = np.where(neg, np.int64(fmt.min_raw), ri)
    else:
        # exact reduction mod 2**64 in float, then wrap to W bits
        two64 = 2.0 ** 64
        m = np.fmod(r, two64)                 # exact; in (-2**64, 2**64)
        m = np.where(m >= 2.0 ** 63, m - two64, m)
        m = np.where(m < -(2.0 ** 63), m + two64, m)
        ri = _wrap(m.astype(np.int64), W)
        # An infinite scaled value means v * 2**F >= 2**1024: a multiple of
        # 2**W, so it wraps to 0.
        ri = np.where(big, np.int64(0), ri)
    ri = np.where(posinf, np.int64(fmt.max_raw), ri)
    ri = np.where(neginf, np.int64(fmt.min_raw), ri)
    ri = np.where(nan, np.int64(0), ri)
    return np.asarray(ri, dtype=np.int64), events


def dequantize(raw, frac: int) -> np.ndarray:
    """Real value ``raw * 2**-frac`` as float64 (exact when |raw| < 2**53)."""
    raw = as_raw(raw)
    return np.ldexp(raw.astype(np.float64), -int(frac))


def bound_bits(max_abs: int) -> int:
    """Number of bits of a non-negative integer bound (``int.bit_length``)."""
    return int(max_abs).bit_length()


def csd(c: int) -> list[tuple[int, int]]:
    """Canonical signed digits of c: [(sign, shift)], fewest non-zero digits.

    A constant product x * c is built as a shift-add network over these digits
    (the FFT engines' twiddles): len(csd(c)) - 1 adders.
    """
    out = []
    k = 0
    while c:
        if c & 1:
            d = 2 - (c & 3)  # +1 or -1
            out.append((d, k))
            c -= d
        c >>= 1
        k += 1
    return out
