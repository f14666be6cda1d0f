"""Block FFTs for block-circulant matrices: float (numpy.fft) and bit-exact fixed.

Layout
------
A real signal ``[..., N]`` with ``N = q*b`` is cut into ``q`` blocks of
length ``b`` (a power of two).  A spectrum is a real array
``[..., q, K, 2]`` with ``K = b//2 + 1`` bins and the last axis holding
``(re, im)``.

Fixed-point contract (see ``docs/numerics.md``)
------------------------------------------------
Radix-2 decimation-in-time complex FFT on bit-reversed input, ``log2(b)``
stages, every stored value in the output format ``(Wo, Fo)``.  Twiddles
``W_b^k = exp(-2*pi*i*k/b)`` are quantized to ``(Wt, Ft)`` with half-up
rounding and saturation; ``k == 0`` (``1``) and ``k == b/4`` (``-i``) are
applied exactly.  Non-trivial products are computed exactly, rounded by
``Ft`` with the op's rounding mode and overflowed to ``Wo``; the butterfly
sums are overflowed to ``Wo``.  The inverse uses conjugated twiddles and
halves both butterfly outputs at every stage (total scale ``1/b``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .fft_plan import FixedFftPlan
from .fixed import (
    MAX_OPERAND_WIDTH,
    FixedFormat,
    Overflow,
    Rounding,
    _overflow_mode,
    _rounding,
    as_raw,
    overflow,
    quantize,
    requantize,
    shift_round,
)

__all__ = [
    "num_bins",
    "rfft_blocks",
    "irfft_blocks",
    "twiddles_fixed",
    "bit_reverse_indices",
    "rfft_fixed",
    "irfft_fixed",
    "rfft_fixed_stagewise",
    "irfft_fixed_stagewise",
    "fft_fixed",
    "FixedBlockTransform",
    "prepared_rfft",
    "prepared_irfft",
]


def _check_b(b: int) -> int:
    b = int(b)
    if b < 1 or (b & (b - 1)) != 0:
        raise ValueError(f"block size must be a power of two >= 1, got {b}")
    return b


def num_bins(b: int) -> int:
    """Number of distinct bins of a real length-``b`` signal: ``b//2 + 1``."""
    return _check_b(b) // 2 + 1


def _blocks(x: np.ndarray, b: int) -> np.ndarray:
    n = x.shape[-1] if x.ndim else 0
    if x.ndim == 0 or n % b:
        raise ValueError(f"last axis ({n}) must be a multiple of the block size {b}")
    return x.reshape(x.shape[:-1] + (n // b, b))


def _float_dtype(a: np.ndarray):
    return np.float32 if a.dtype == np.float32 or a.dtype == np.complex64 else np.float64


# --------------------------------------------------------------------------- float
def rfft_blocks(x, b: int) -> np.ndarray:
    """Real FFT of every length-``b`` block: ``[..., q*b] -> [..., q, K, 2]``.

    float32 input is computed and returned in float32, everything else in
    float64.
    """
    b = _check_b(b)
    x = np.asarray(x)
    dt = _float_dtype(x)
    xb = _blocks(x.astype(dt, copy=False), b)
    X = np.fft.rfft(xb, axis=-1)
    out = np.empty(X.shape + (2,), dtype=dt)
    out[..., 0] = X.real
    out[..., 1] = X.imag
    return out


def irfft_blocks(S, b: int) -> np.ndarray:
    """Inverse of :func:`rfft_blocks`: ``[..., q, K, 2] -> [..., q*b]``.

    The imaginary parts of bins 0 and ``b/2`` are ignored (taken as 0).
    """
    b = _check_b(b)
    S = np.asarray(S)
    dt = _float_dtype(S)
    K = b // 2 + 1
    if S.ndim < 3 or S.shape[-1] != 2 or S.shape[-2] != K:
        raise ValueError(f"spectrum must have shape [..., q, {K}, 2] for b={b}, got {S.shape}")
    S = S.astype(dt, copy=False)
    X = S[..., 0] + 1j * S[..., 1]
    X[..., 0] = X[..., 0].real
    X[..., K - 1] = X[..., K - 1].real
    x = np.fft.irfft(X, n=b, axis=-1).astype(dt, copy=False)
    return x.reshape(x.shape[:-2] + (x.shape[-2] * b,))


# --------------------------------------------------------------------------- fixed
@lru_cache(maxsize=None)
def bit_reverse_indices(b: int) -> np.ndarray:
    """Permutation ``rev`` with ``rev[i]`` = ``i`` with its log2(b) bits reversed."""
    b = _check_b(b)
    L = b.bit_length() - 1
    i = np.arange(b, dtype=np.int64)
    r = np.zeros(b, dtype=np.int64)
    for bit in range(L):  # log2(b) iterations
        r |= ((i >> bit) & 1) << (L - 1 - bit)
    r.setflags(write=False)
    return r


@lru_cache(maxsize=None)
def _twiddles_cached(b: int, width: int, frac: int) -> tuple[np.ndarray, np.ndarray]:
    fmt = FixedFormat(width, frac)
    k = np.arange(b // 2, dtype=np.float64)
    ang = -2.0 * np.pi * k / b
    re, _ = quantize(np.cos(ang), fmt, Rounding.HALF_UP, Overflow.SATURATE)
    im, _ = quantize(np.sin(ang), fmt, Rounding.HALF_UP, Overflow.SATURATE)
    re.setflags(write=False)
    im.setflags(write=False)
    return re, im


def twiddles_fixed(b: int, twiddle_fmt: FixedFormat) -> tuple[np.ndarray, np.ndarray]:
    """Quantized forward twiddles ``W_b^k``, ``k = 0 .. b/2-1``, as raw (re, im).

    ``re[k] = q(cos(-2*pi*k/b))``, ``im[k] = q(sin(-2*pi*k/b))`` with
    ``q`` = half-up rounding + saturation to ``twiddle_fmt`` from float64.
    Entries ``k = 0`` and ``k = b/4`` are listed for completeness but are
    never used: those twiddles are applied exactly (1 and -i).
    """
    b = _check_b(b)
    twiddle_fmt.validate(MAX_OPERAND_WIDTH)
    re, im = _twiddles_cached(b, int(twiddle_fmt.width), int(twiddle_fmt.frac))
    return re.copy(), im.copy()


def _check_fixed_formats(out_fmt: FixedFormat, twiddle_fmt: FixedFormat) -> None:
    out_fmt.validate(MAX_OPERAND_WIDTH)
    twiddle_fmt.validate(MAX_OPERAND_WIDTH)
    if out_fmt.width + twiddle_fmt.width > 63:
        raise ValueError(
            f"fixed FFT needs Wo + Wt <= 63 so that exact complex products fit "
            f"int64; got Wo={out_fmt.width}, Wt={twiddle_fmt.width}")


def fft_fixed(re, im, b: int, out_fmt: FixedFormat, twiddle_fmt: FixedFormat,
              rounding, overflow_mode, inverse: bool = False
              ) -> tuple[np.ndarray, np.ndarray, int]:
    """Complex radix-2 DIT FFT of raw ``(re, im)`` blocks ``[..., b]`` in ``out_fmt``.

    The inputs must already be in ``out_fmt`` (they are not requantized).
    Input is taken in natural order; it is bit-reverse permuted here, and the
    output is in natural order.  ``inverse=True`` uses conjugated twiddles and
    halves both butterfly outputs at each stage.  Returns
    ``(re, im, events)``; events count out-of-range real components at
    every rounding/overflow point.
    """
    b = _check_b(b)
    _check_fixed_formats(out_fmt, twiddle_fmt)
    rounding = _rounding(rounding)
    mode = _overflow_mode(overflow_mode)
    re = as_raw(re)
    im = as_raw(im)
    if re.shape != im.shape or re.ndim == 0 or re.shape[-1] != b:
        raise ValueError(f"re/im must both have shape [..., {b}]")
    lead = re.shape[:-1]
    rev = bit_reverse_indices(b)
    xr = re.reshape(-1, b)[:, rev]
    xi = im.reshape(-1, b)[:, rev]
    B = xr.shape[0]
    Wo = out_fmt.width
    Ft = twiddle_fmt.frac
    tw_re, tw_im = _twiddles_cached(b, int(twiddle_fmt.width), int(Ft))
    events = 0
    m = 2
    while m <= b:  # log2(b) stages
        half = m // 2
        groups = b // m
        vr = xr.reshape(B, groups, 2, half)
        vi = xi.reshape(B, groups, 2, half)
        lo_r, hi_r = vr[:, :, 0, :], vr[:, :, 1, :]
        lo_i, hi_i = vi[:, :, 0, :], vi[:, :, 1, :]
        idx = np.arange(half, dtype=np.int64) * (b // m)  # twiddle index in W_b
        t_r = np.empty_like(hi_r)
        t_i = np.empty_like(hi_i)
        one = idx == 0
        negj = idx == b // 4 if b >= 4 else np.zeros_like(one)
        gen = ~(one | negj)
        # k == 0: t = hi (exact)
        t_r[..., one] = hi_r[..., one]
        t_i[..., one] = hi_i[..., one]
        # k == b/4: forward w = -i -> t = (hi_i, -hi_r); inverse w = +i -> (-hi_i, hi_r)
        if negj.any():
            if inverse:
                t_r[..., negj] = -hi_i[..., negj]
                t_i[..., negj] = hi_r[..., negj]
            else:
                t_r[..., negj] = hi_i[..., negj]
                t_i[..., negj] = -hi_r[..., negj]
        if gen.any():
            wr = tw_re[idx[gen]]
            wi = -tw_im[idx[gen]] if inverse else tw_im[idx[gen]]
            hr = hi_r[..., gen]
            hj = hi_i[..., gen]
            pr = hr * wr - hj * wi
            pi = hr * wi + hj * wr
            pr, e1 = overflow(shift_round(pr, Ft, rounding), Wo, mode)
            pi, e2 = overflow(shift_round(pi, Ft, rounding), Wo, mode)
            events += e1 + e2
            t_r[..., gen] = pr
            t_i[..., gen] = pi
        a_r, b_r = lo_r + t_r, lo_r - t_r
        a_i, b_i = lo_i + t_i, lo_i - t_i
        if inverse:
            a_r = shift_round(a_r, 1, rounding)
            b_r = shift_round(b_r, 1, rounding)
            a_i = shift_round(a_i, 1, rounding)
            b_i = shift_round(b_i, 1, rounding)
        outs = []
        for v in (a_r, b_r, a_i, b_i):
            o, e = overflow(v, Wo, mode)
            events += e
            outs.append(o)
        xr = np.stack([outs[0], outs[1]], axis=2).reshape(B, b)
        xi = np.stack([outs[2], outs[3]], axis=2).reshape(B, b)
        m *= 2
    return xr.reshape(lead + (b,)), xi.reshape(lead + (b,)), events


def rfft_fixed_stagewise(x_raw, frac_in: int, b: int, out_fmt: FixedFormat,
                         twiddle_fmt: FixedFormat, rounding, overflow_mode) -> tuple[np.ndarray, int]:
    """:func:`rfft_fixed` computed stage by stage (:func:`fft_fixed`), for any input.

    The straightforward statement of the contract; :func:`rfft_fixed` gives
    the same integers and events and uses it for blocks its matrix plan
    does not cover.
    """
    b = _check_b(b)
    _check_fixed_formats(out_fmt, twiddle_fmt)
    x = as_raw(x_raw)
    xq, events = requantize(x, frac_in, out_fmt, rounding, overflow_mode)
    xb = _blocks(xq, b)
    re, im, e = fft_fixed(xb, np.zeros_like(xb), b, out_fmt, twiddle_fmt, rounding,
                          overflow_mode, inverse=False)
    K = b // 2 + 1
    out = np.stack([re[..., :K], im[..., :K]], axis=-1)
    return out, events + e


def irfft_fixed_stagewise(S_raw, frac_in: int, b: int, out_fmt: FixedFormat,
                          twiddle_fmt: FixedFormat, rounding, overflow_mode) -> tuple[np.ndarray, int]:
    """:func:`irfft_fixed` computed stage by stage (:func:`fft_fixed`), for any input."""
    b = _check_b(b)
    _check_fixed_formats(out_fmt, twiddle_fmt)
    mode = _overflow_mode(overflow_mode)
    S = _check_spectrum(as_raw(S_raw), b)
    K = b // 2 + 1
    S = S.copy()
    S[..., 0, 1] = 0
    S[..., K - 1, 1] = 0
    Sq, events = requantize(S, frac_in, out_fmt, rounding, mode)
    re_h = Sq[..., 0]
    im_h = Sq[..., 1]
    if b >= 2:
        # k = K .. b-1  ->  b - k = b-K .. 1
        mirror = np.arange(b // 2 - 1, 0, -1, dtype=np.int64)
        neg_im, e = overflow(-im_h[..., mirror], out_fmt.width, mode)
        events += e
        re_full = np.concatenate([re_h, re_h[..., mirror]], axis=-1)
        im_full = np.concatenate([im_h, neg_im], axis=-1)
    else:
        re_full, im_full = re_h, im_h
    xr, _xi, e = fft_fixed(re_full, im_full, b, out_fmt, twiddle_fmt, rounding, mode,
                           inverse=True)
    events += e
    return xr.reshape(xr.shape[:-2] + (xr.shape[-2] * b,)), events


def _check_spectrum(S: np.ndarray, b: int) -> np.ndarray:
    K = b // 2 + 1
    if S.ndim < 3 or S.shape[-1] != 2 or S.shape[-2] != K:
        raise ValueError(f"spectrum must have shape [..., q, {K}, 2] for b={b}, got {S.shape}")
    return S


class FixedBlockTransform:
    """A fixed-point rfft or irfft with block size, formats and modes bound.

    Blocks whose input stays within the matrix plan's bound (all of them in
    practice: the bound is where the butterflies could start to overflow)
    run as a few exact float64 products (:mod:`fft_plan`); the others run
    stage by stage and contribute all the events.
    """

    def __init__(self, inverse: bool, b: int, frac_in: int, out_fmt: FixedFormat,
                 twiddle_fmt: FixedFormat, rounding, overflow_mode) -> None:
        self.inverse = inverse
        self.b = _check_b(b)
        _check_fixed_formats(out_fmt, twiddle_fmt)
        self.frac_in = int(frac_in)
        self.out_fmt = out_fmt
        self.twiddle_fmt = twiddle_fmt
        self.rounding = _rounding(rounding)
        self.mode = _overflow_mode(overflow_mode)
        self.K = self.b // 2 + 1
        tw = _twiddles_cached(self.b, int(twiddle_fmt.width), int(twiddle_fmt.frac))
        self.plan = FixedFftPlan(self.b, inverse, self.frac_in, out_fmt, twiddle_fmt,
                                 self.rounding, tw)

    def _stagewise(self, x: np.ndarray) -> tuple[np.ndarray, int]:
        fn = irfft_fixed_stagewise if self.inverse else rfft_fixed_stagewise
        return fn(x, self.frac_in, self.b, self.out_fmt, self.twiddle_fmt, self.rounding, self.mode)

    def covers(self, in_range: tuple[int, int]) -> bool:
        """True when every input within `in_range` is within the plan (no check per call)."""
        return max(-in_range[0], in_range[1]) <= self.plan.max_input

    def planned(self, x: np.ndarray) -> np.ndarray:
        """The transform of int64 `x` known to be covered by the plan (no events)."""
        if self.inverse:
            return self.plan.run(x.reshape(-1, 2 * self.K)).reshape(x.shape[:-3] + (x.shape[-3] * self.b,))
        return self.plan.run(x.reshape(-1, self.b)).reshape(x.shape[:-1] + (x.shape[-1] // self.b, self.K, 2))

    def __call__(self, x_raw, x_max: int | None = None) -> tuple[np.ndarray, int]:
        """`(raw_out, events)`; `x_max` is max |x| when the caller already knows it."""
        x = as_raw(x_raw)
        b, K = self.b, self.K
        if self.inverse:
            _check_spectrum(x, b)
            lead, n_in, n_out = x.shape[:-3] + (x.shape[-3] * b,), 2 * K, b
        else:
            xb = _blocks(x, b)
            lead, n_in, n_out = xb.shape[:-1] + (K, 2), b, 2 * K
        limit = self.plan.max_input
        rows = x.reshape(-1, n_in)
        if rows.shape[0] == 0 or limit < 0:
            return self._stagewise(x)
        if x_max is None:
            x_max = max(int(rows.max()), -int(rows.min()))
        if x_max <= limit:
            return self.plan.run(rows).reshape(lead), 0
        ok = (rows.max(axis=1) <= limit) & (rows.min(axis=1) >= -limit)
        out = np.empty((rows.shape[0], n_out), dtype=np.int64)
        if ok.any():
            out[ok] = self.plan.run(rows[ok])
        # one block per row: the spectrum rows as [n, 1, K, 2], the signal rows as [n, b]
        slow = rows[~ok].reshape(-1, 1, K, 2) if self.inverse else rows[~ok]
        y, events = self._stagewise(slow)
        out[~ok] = y.reshape(-1, n_out)
        return out.reshape(lead), events


@lru_cache(maxsize=256)
def _prepared(inverse: bool, b: int, frac_in: int, out_fmt: FixedFormat, twiddle_fmt: FixedFormat,
              rounding: Rounding, overflow_mode: Overflow) -> FixedBlockTransform:
    return FixedBlockTransform(inverse, b, frac_in, out_fmt, twiddle_fmt, rounding, overflow_mode)


def prepared_rfft(b: int, frac_in: int, out_fmt: FixedFormat, twiddle_fmt: FixedFormat,
                  rounding, overflow_mode) -> FixedBlockTransform:
    """The :func:`rfft_fixed` of these parameters, built once (cached)."""
    return _prepared(False, _check_b(b), int(frac_in), out_fmt, twiddle_fmt,
                     _rounding(rounding), _overflow_mode(overflow_mode))


def prepared_irfft(b: int, frac_in: int, out_fmt: FixedFormat, twiddle_fmt: FixedFormat,
                   rounding, overflow_mode) -> FixedBlockTransform:
    """The :func:`irfft_fixed` of these parameters, built once (cached)."""
    return _prepared(True, _check_b(b), int(frac_in), out_fmt, twiddle_fmt,
                     _rounding(rounding), _overflow_mode(overflow_mode))


def rfft_fixed(x_raw, frac_in: int, b: int, out_fmt: FixedFormat, twiddle_fmt: FixedFormat,
               rounding, overflow_mode) -> tuple[np.ndarray, int]:
    """Bit-exact block real FFT: raw ``[..., q*b]`` -> raw ``[..., q, K, 2]`` in ``out_fmt``.

    The input is first requantized to ``out_fmt`` (one rounding, counted
    events), the imaginary part is 0, the complex FFT of :func:`fft_fixed`
    runs, and bins ``0 .. b/2`` are kept.  (Computed as matrix products
    where provably equal, see :class:`FixedBlockTransform`.)
    """
    return prepared_rfft(b, frac_in, out_fmt, twiddle_fmt, rounding, overflow_mode)(x_raw)


def irfft_fixed(S_raw, frac_in: int, b: int, out_fmt: FixedFormat, twiddle_fmt: FixedFormat,
                rounding, overflow_mode) -> tuple[np.ndarray, int]:
    """Bit-exact block inverse real FFT: raw ``[..., q, K, 2]`` -> raw ``[..., q*b]``.

    1. the imaginary parts of bins 0 and ``b/2`` are set to 0 (not counted);
    2. the spectrum is requantized to ``out_fmt`` (counted);
    3. bins ``b/2+1 .. b-1`` are mirrored: ``X[k] = conj(X[b-k])``, where the
       negated imaginary part is overflowed to ``Wo`` (negating the most
       negative raw value saturates or wraps, counted);
    4. inverse complex FFT with per-stage halving; the real part is returned.

    (Computed as matrix products where provably equal, see
    :class:`FixedBlockTransform`.)
    """
    return prepared_irfft(b, frac_in, out_fmt, twiddle_fmt, rounding, overflow_mode)(S_raw)
