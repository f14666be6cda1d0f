"""Block-circulant matrix math (float reference and exact fixed point).

Convention: a circulant block is defined by its FIRST COLUMN ``w``:
``W[r][k] = w[(r - k) mod b]``.  Parameters of an ``m x n`` block-circulant
matrix are stored ``[p, q, b]`` (row-block major) with ``p = ceil(m/b)``,
``q = ceil(n/b)``.

Spectra are real arrays ``[p, q, K, 2]`` (``K = b//2 + 1``, last axis
``(re, im)``), the rfft of every ``w``.  For the hot loop,
:func:`prepare_circulant` packs them once into a contiguous complex
``[K, p, q]`` matrix stack (:class:`CirculantSpectra`) that
:func:`circ_matvec_fft` accepts directly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .fixed import FixedFormat, as_raw, requantize

__all__ = [
    "expand_dense",
    "project_to_circulant",
    "weight_spectra",
    "CirculantSpectra",
    "prepare_circulant",
    "circ_matvec_fft",
    "circ_matvec_dense",
    "spectral_mac_float",
    "spectral_mac_fixed",
    "FixedSpectra",
    "prepare_spectra_fixed",
    "circ_matvec_fixed",
    "exact_int_matmul",
]


def _check_params(params) -> np.ndarray:
    params = np.asarray(params)
    if params.ndim != 3:
        raise ValueError(f"circulant parameters must have shape [p, q, b], got {params.shape}")
    return params


def _circ_index(b: int) -> np.ndarray:
    r = np.arange(b)
    return (r[:, None] - r[None, :]) % b


def expand_dense(params, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    """Dense matrix of block-circulant parameters ``[p, q, b]``: ``[p*b, q*b]``,
    or its top-left ``rows x cols`` corner (the logical matrix).

    Keeps the dtype of ``params`` (works for raw int64 too).
    """
    params = _check_params(params)
    p, q, b = params.shape
    blocks = params[:, :, _circ_index(b)]            # [p, q, b(r), b(k)]
    full = blocks.transpose(0, 2, 1, 3).reshape(p * b, q * b)
    if rows is None and cols is None:
        return full
    return full[: p * b if rows is None else rows, : q * b if cols is None else cols].copy()


def project_to_circulant(W_dense, b: int, valid=None) -> np.ndarray:
    """Frobenius-nearest block-circulant parameters ``[p, q, b]`` of the ``m x n`` matrix ``W_dense``.

    Each block's ``w[k]`` is the mean of its k-th wrapped diagonal
    ``W[(r + k) mod b][r]`` over the entries that exist: inside ``m x n``
    and, when the boolean mask ``valid`` (shape of ``W``) is given, marked
    valid.  That is the exact projection onto the block-circulant matrices
    truncated to ``m x n``; a diagonal with no such entry gets 0.  For ``m``
    and ``n`` multiples of ``b`` and no mask it is the plain mean of all
    ``b`` entries.  The result has ``W``'s float dtype (float64 otherwise).
    """
    W = np.asarray(W_dense)
    if W.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {W.shape}")
    b = int(b)
    if b < 1:
        raise ValueError(f"block size must be >= 1, got {b}")
    dtype = W.dtype if W.dtype.kind == "f" else np.dtype(np.float64)
    m, n = W.shape
    p, q = -(-m // b), -(-n // b)
    M = np.zeros((p * b, q * b))
    if valid is None:
        M[:m, :n] = 1.0
    else:
        valid = np.asarray(valid, dtype=bool)
        if valid.shape != W.shape:
            raise ValueError(f"valid mask shape {valid.shape} != {W.shape}")
        M[:m, :n] = valid
    Wp = np.zeros((p * b, q * b))
    Wp[:m, :n] = W
    Wp *= M
    r = np.arange(b)
    rows = (r[None, :] + r[:, None]) % b                     # [k, c] -> (c + k) mod b
    def diagonals(A: np.ndarray) -> np.ndarray:
        blocks = A.reshape(p, b, q, b).transpose(0, 2, 1, 3)  # [p, q, b(row), b(col)]
        return blocks[:, :, rows, r[None, :]].sum(axis=-1)   # [p, q, k]

    sums, counts = diagonals(Wp), diagonals(M)
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0).astype(dtype)


def weight_spectra(params) -> np.ndarray:
    """rfft of every block vector: ``[p, q, b] -> [p, q, K, 2]`` (float32 stays float32)."""
    params = _check_params(params)
    dt = np.float32 if params.dtype == np.float32 else np.float64
    W = np.fft.rfft(params.astype(dt, copy=False), axis=-1)
    out = np.empty(W.shape + (2,), dtype=dt)
    out[..., 0] = W.real
    out[..., 1] = W.imag
    return out


@dataclass(frozen=True, eq=False)
class CirculantSpectra:
    """Weight spectra packed for :func:`circ_matvec_fft`: complex ``mat[K, p, q]``."""

    mat: np.ndarray
    b: int

    @property
    def p(self) -> int:
        return self.mat.shape[1]

    @property
    def q(self) -> int:
        return self.mat.shape[2]


def _b_from_bins(K: int) -> int:
    return 1 if K == 1 else 2 * (K - 1)


def prepare_circulant(W, b: int | None = None, dtype=None) -> CirculantSpectra:
    """Pack parameters or spectra for the FFT matvec.

    ``W`` may be real parameters ``[p, q, b]`` (ndim 3, real), real spectra
    ``[p, q, K, 2]`` (ndim 4), complex spectra ``[p, q, K]`` (ndim 3,
    complex) or an existing :class:`CirculantSpectra`.  ``b`` is inferred
    from ``K`` as ``2*(K-1)`` (``1`` when ``K == 1``) unless given.
    ``dtype`` is the real precision (float32/float64); by default float32
    when ``W`` is float32/complex64 and float64 otherwise.
    """
    if isinstance(W, CirculantSpectra):
        if dtype is None or W.mat.real.dtype == np.dtype(dtype):
            return W
        return CirculantSpectra(W.mat.astype(_cdtype(dtype)), W.b)
    W = np.asarray(W)
    if dtype is None:
        dtype = np.float32 if W.dtype in (np.float32, np.complex64) else np.float64
    cdt = _cdtype(dtype)
    if W.ndim == 3 and W.dtype.kind != "c":
        bb = W.shape[-1]
        if b is not None and int(b) != bb:
            raise ValueError(f"params have block size {bb}, not {b}")
        Wd = W.astype(dtype, copy=False)
        if bb <= _DFT_MAX_BLOCK:
            spec = (Wd.reshape(-1, bb) @ _dft_matrices(bb, dtype)[0]).reshape(*W.shape[:2], -1)
        else:
            spec = np.fft.rfft(Wd, axis=-1)
        b = bb
    elif W.ndim == 3:
        spec = W
    elif W.ndim == 4 and W.shape[-1] == 2:
        spec = W[..., 0] + 1j * W[..., 1]
    else:
        raise ValueError(
            f"expected params [p,q,b], spectra [p,q,K,2] or complex [p,q,K]; got {W.shape}")
    K = spec.shape[-1]
    if b is None:
        b = _b_from_bins(K)
    b = int(b)
    if b // 2 + 1 != K:
        raise ValueError(f"{K} bins do not match block size {b}")
    mat = np.ascontiguousarray(spec.transpose(2, 0, 1), dtype=cdt)
    return CirculantSpectra(mat, b)


def _cdtype(dtype):
    return np.complex64 if np.dtype(dtype) == np.float32 else np.complex128


_DFT_MAX_BLOCK = 64


@functools.lru_cache(maxsize=64)
def _dft_matrices(b: int, dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(F, Gr, Gi): ``rfft(x) = x @ F`` and ``irfft(Y) = Y.real @ Gr + Y.imag @ Gi``.

    irfft takes the imaginary parts of bins 0 and b/2 as zero, like numpy's.
    """
    K = b // 2 + 1
    n = np.arange(b)
    k = np.arange(K)
    ang = 2.0 * np.pi * np.outer(n, k) / b                     # [b, K]
    F = np.exp(-1j * ang)
    c = np.full(K, 2.0)
    c[0] = 1.0
    if b % 2 == 0:
        c[-1] = 1.0
    Gr = c[:, None] * np.cos(ang.T) / b
    Gi = -c[:, None] * np.sin(ang.T) / b
    Gi[0] = 0.0
    if b % 2 == 0:
        Gi[-1] = 0.0
    cdt = _cdtype(dtype)
    return F.astype(cdt), Gr.astype(dtype), Gi.astype(dtype)


def circ_matvec_fft(W, x, m: int | None = None, b: int | None = None) -> np.ndarray:
    """``y = W x`` for a block-circulant ``W`` through the FFT.

    ``W``: parameters, spectra or :class:`CirculantSpectra` (see
    :func:`prepare_circulant`); ``x``: ``[..., n]`` with ``n <= q*b`` (zero
    padded to ``q*b``); returns ``[..., m]`` (``m`` defaults to ``p*b``;
    rows beyond ``m`` are dropped).  Per frequency bin the spectra are
    multiplied as a complex matrix product and accumulated over the input
    blocks; one irfft per output block.  Computed in float32 when both ``W``
    and ``x`` are float32, float64 otherwise.
    """
    x = np.asarray(x)
    wdt = None
    if isinstance(W, CirculantSpectra):
        wdt = W.mat.real.dtype
    else:
        wa = np.asarray(W)
        wdt = np.float32 if wa.dtype in (np.float32, np.complex64) else np.float64
        W = wa
    dt = np.float32 if (x.dtype == np.float32 and wdt == np.float32) else np.float64
    cs = prepare_circulant(W, b=b, dtype=dt)
    b = cs.b
    K, p, q = cs.mat.shape
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension")
    n = x.shape[-1]
    if n > q * b:
        raise ValueError(f"input length {n} exceeds q*b = {q * b}")
    if m is None:
        m = p * b
    if not 0 <= m <= p * b:
        raise ValueError(f"output length {m} outside [0, p*b = {p * b}]")
    lead = x.shape[:-1]
    xf = x.astype(dt, copy=False).reshape(-1, n)
    B = xf.shape[0]
    if n != q * b:
        xp = np.zeros((B, q * b), dtype=dt)
        xp[:, :n] = xf
        xf = xp
    if b <= _DFT_MAX_BLOCK:
        # Small blocks: the transforms as products with the DFT matrices cost
        # less than an FFT library call per matvec.
        F, Gr, Gi = _dft_matrices(b, dt)
        X = (xf.reshape(B * q, b) @ F).reshape(B, q, K)       # rfft of each block
        Y = np.matmul(cs.mat, X.transpose(2, 1, 0))            # [K, p, B]
        Yt = Y.transpose(2, 1, 0)                              # [B, p, K]
        y = Yt.real @ Gr + Yt.imag @ Gi                        # irfft of each block
    else:
        X = np.fft.rfft(xf.reshape(B, q, b), axis=-1)          # [B, q, K]
        Y = np.matmul(cs.mat, X.transpose(2, 1, 0))            # [K, p, B]
        y = np.fft.irfft(Y.transpose(2, 1, 0), n=b, axis=-1)   # [B, p, b]
    y = y.reshape(B, p * b)[:, :m].astype(dt, copy=False)
    return y.reshape(lead + (m,))


def circ_matvec_dense(params, x, m: int | None = None) -> np.ndarray:
    """Reference ``y = W x`` through the dense expansion (float)."""
    params = _check_params(params)
    p, q, b = params.shape
    D = expand_dense(params)
    x = np.asarray(x)
    n = x.shape[-1]
    xp = np.zeros(x.shape[:-1] + (q * b,), dtype=np.result_type(x, D))
    xp[..., :n] = x
    y = xp @ D.T
    return y[..., : (p * b if m is None else m)]


def spectral_mac_float(W_spec, X_spec, weights: CirculantSpectra | None = None) -> np.ndarray:
    """``Y[..., i, k] = sum_j W[i, j, k] * X[..., j, k]`` (complex, per bin).

    ``W_spec``: ``[p, q, K, 2]``; ``X_spec``: ``[..., q, K, 2]``; returns
    ``[..., p, K, 2]`` (float32 when both inputs are float32).  ``weights``
    is :func:`prepare_circulant` of ``W_spec``, when the caller keeps it; the
    product then runs in its precision.
    """
    X = np.asarray(X_spec)
    if weights is None:
        W = np.asarray(W_spec)
        if W.ndim != 4 or W.shape[-1] != 2:
            raise ValueError(f"W_spec must be [p, q, K, 2], got {W.shape}")
        dt = np.float32 if (W.dtype == np.float32 and X.dtype == np.float32) else np.float64
        weights = prepare_circulant(W, dtype=dt)
    dt = weights.mat.real.dtype
    K, p, q = weights.mat.shape
    if X.ndim < 3 or X.shape[-3:] != (q, K, 2):
        raise ValueError(f"X_spec must be [..., {q}, {K}, 2], got {X.shape}")
    lead = X.shape[:-3]
    Xc = (X[..., 0] + 1j * X[..., 1]).reshape(-1, q, K)
    Xt = np.ascontiguousarray(Xc.transpose(2, 1, 0), dtype=weights.mat.dtype)   # [K, q, B]
    Y = np.matmul(weights.mat, Xt).transpose(2, 1, 0)                            # [B, p, K]
    out = np.empty(Y.shape + (2,), dtype=dt)
    out[..., 0] = Y.real
    out[..., 1] = Y.imag
    return out.reshape(lead + (p, K, 2))


_F64_EXACT = 1 << 53
_I64_LIMIT = 1 << 63


def _max_abs(a: np.ndarray) -> int:
    if a.size == 0:
        return 0
    return max(abs(int(a.max())), abs(int(a.min())))


class IntMatrix:
    """An int64 matrix kept with its float64 copy and max |entry|, for repeated exact products."""

    def __init__(self, raw) -> None:
        self.raw = np.ascontiguousarray(as_raw(raw))
        self.max_abs = _max_abs(self.raw)
        self._f64: np.ndarray | None = None

    @property
    def f64(self) -> np.ndarray:
        if self._f64 is None:
            self._f64 = self.raw.astype(np.float64)
        return self._f64

    def sliced(self, rows: int, cols: int) -> "IntMatrix":
        if (rows, cols) == self.raw.shape:
            return self
        return IntMatrix(self.raw[:rows, :cols])


def exact_int_matmul(A, B, terms_bound: int | None = None) -> np.ndarray:
    """Exact integer ``A @ B`` for int64 raw arrays.

    If ``terms * max|A| * max|B| < 2**53`` (``terms`` = contraction length,
    or ``terms_bound`` when given) the product is done with float64 BLAS,
    which is then exact since every partial sum is an integer below 2**53;
    otherwise with int64 matmul when the bound is below 2**63.  A larger
    bound raises ``ValueError`` (accumulators are limited to 64 bits).
    """
    A = as_raw(A)
    Bm = B if isinstance(B, IntMatrix) else IntMatrix(B)
    terms = A.shape[-1] if terms_bound is None else int(terms_bound)
    bound = terms * _max_abs(A) * Bm.max_abs
    if bound < _F64_EXACT:
        return np.matmul(A.astype(np.float64), Bm.f64).astype(np.int64)
    if bound < _I64_LIMIT:
        return np.matmul(A, Bm.raw)
    raise ValueError(
        f"exact accumulation needs more than 64 bits (bound {bound:#x}); "
        "reduce operand widths")


# Weight spectra with at most this many complex entries (p*q*K) use the
# real 2x2-block form (one product, no combining pass): 1 MB of float64.
_BLOCK_FORM_MAX = 32768


class FixedSpectra:
    """Raw fixed-point weight spectra ``[p, q, K, 2]`` packed for exact spectral MACs.

    Every complex MAC is real arithmetic on exact integers.  Large weights
    are stacked as ``[K, 2p, q]`` (real parts over imaginary parts) against
    the input as ``[K, q, 2B]`` (real and imaginary parts side by side): the
    weights are read once and the four real products combined afterwards.
    Small weights use the real form of the complex matrix,
    ``[[Wr, -Wi], [Wi, Wr]]`` (``[K, 2p, 2q]``) against ``[K, 2q, B]``, which
    needs no combining pass: fewer numpy calls where calls, not bytes, cost.
    """

    def __init__(self, W_raw) -> None:
        W = as_raw(W_raw)
        if W.ndim != 4 or W.shape[-1] != 2:
            raise ValueError(f"W_raw must be [p, q, K, 2], got {W.shape}")
        self.raw = W
        self.p, self.q, self.K = W.shape[0], W.shape[1], W.shape[2]
        self.max_abs = _max_abs(W)
        Wr, Wi = W[..., 0].transpose(2, 0, 1), W[..., 1].transpose(2, 0, 1)   # [K, p, q]
        self._block_form = self.p * self.q * self.K <= _BLOCK_FORM_MAX
        if self._block_form:
            top = np.concatenate([Wr, -Wi], axis=2)
            bottom = np.concatenate([Wi, Wr], axis=2)
            self._i64 = np.ascontiguousarray(np.concatenate([top, bottom], axis=1))  # [K, 2p, 2q]
        else:
            self._i64 = np.ascontiguousarray(np.concatenate([Wr, Wi], axis=1))  # [K, 2p, q]
        self._f64: np.ndarray | None = None
        self._columns: dict[tuple[int, int], FixedSpectra] = {}

    def columns(self, start: int, stop: int) -> "FixedSpectra":
        """The spectra of input blocks ``start .. stop-1`` (built once)."""
        key = (start, stop)
        if key not in self._columns:
            self._columns[key] = FixedSpectra(self.raw[:, start:stop])
        return self._columns[key]

    def accumulate(self, X: np.ndarray, x_max: int | None = None) -> np.ndarray:
        """Exact ``sum_j W[i, j, k] * X[..., j, k]`` as int64 ``[B, p, K, 2]`` (X: int64 ``[B, q, K, 2]``).

        ``x_max`` is max |X| when the caller has it.  Float64 BLAS when every
        partial sum is an integer below 2**53 (then exact), int64 otherwise;
        beyond 64 bits raises ``ValueError``.
        """
        B = X.shape[0]
        p, q, K = self.p, self.q, self.K
        if x_max is None:
            x_max = _max_abs(X)
        # each output component is a sum of 2q products
        bound = 2 * q * self.max_abs * x_max
        if bound >= _I64_LIMIT:
            raise ValueError(
                f"exact spectral accumulation needs more than 64 bits (bound {bound:#x})")
        if bound < _F64_EXACT:
            if self._f64 is None:
                self._f64 = self._i64.astype(np.float64)
            W, dt = self._f64, np.float64
        else:
            W, dt = self._i64, np.int64
        if self._block_form:
            # [K, 2q, B]: rows 0..q-1 real parts, q..2q-1 imaginary parts
            Xc = np.ascontiguousarray(X.transpose(2, 3, 1, 0), dtype=dt).reshape(K, 2 * q, B)
            P = np.matmul(W, Xc).reshape(K, 2, p, B)      # [k, re/im, i, b]
            return P.transpose(3, 2, 0, 1).astype(np.int64)
        # [K, q, 2B]: columns 0..B-1 real parts, B..2B-1 imaginary parts
        Xc = np.ascontiguousarray(X.transpose(2, 1, 3, 0), dtype=dt).reshape(K, q, 2 * B)
        P = np.matmul(W, Xc).reshape(K, 2, p, 2, B)       # [k, w re/im, i, x re/im, b]
        acc = np.empty((B, p, K, 2), dtype=np.int64)
        acc[..., 0] = (P[:, 0, :, 0] - P[:, 1, :, 1]).transpose(2, 1, 0)
        acc[..., 1] = (P[:, 0, :, 1] + P[:, 1, :, 0]).transpose(2, 1, 0)
        return acc


def prepare_spectra_fixed(W_raw) -> FixedSpectra:
    """Raw weight spectra ``[p, q, K, 2]`` packed for :func:`spectral_mac_fixed`."""
    return FixedSpectra(W_raw)


def spectral_mac_fixed(W_raw, w_frac: int, X_raw, x_frac: int, out_fmt: FixedFormat,
                       rounding, overflow_mode,
                       weights: FixedSpectra | None = None) -> tuple[np.ndarray, int]:
    """Exact fixed-point spectral MAC, rounded once to ``out_fmt``.

    ``re = sum_j (wr*xr - wi*xi)``, ``im = sum_j (wr*xi + wi*xr)`` computed
    exactly with frac ``w_frac + x_frac``, then one :func:`requantize`.
    ``weights`` is :func:`prepare_spectra_fixed` of ``W_raw``, when the
    caller keeps it.  Returns ``(raw [..., p, K, 2], events)``.
    """
    packed = prepare_spectra_fixed(W_raw) if weights is None else weights
    X = as_raw(X_raw)
    p, q, K = packed.p, packed.q, packed.K
    if X.ndim < 3 or X.shape[-3:] != (q, K, 2):
        raise ValueError(f"X_raw must be [..., {q}, {K}, 2], got {X.shape}")
    lead = X.shape[:-3]
    acc = packed.accumulate(X.reshape(-1, q, K, 2))
    out, events = requantize(acc, int(w_frac) + int(x_frac), out_fmt, rounding, overflow_mode)
    return out.reshape(lead + (p, K, 2)), events


def shift_weights(params_raw) -> IntMatrix:
    """Parameters as a ``[q*b, p]`` matrix indexed by (input block j, shift s), for :func:`circ_matvec_fixed`."""
    P = as_raw(_check_params(params_raw))
    p, q, b = P.shape
    return IntMatrix(P.reshape(p, q * b).T)


def circ_matvec_fixed(params_raw, w_fmt: FixedFormat, x_raw, x_fmt: FixedFormat,
                      out_fmt: FixedFormat, rounding, overflow_mode,
                      m: int | None = None,
                      weights: IntMatrix | None = None) -> tuple[np.ndarray, int]:
    """Exact fixed-point block-circulant matvec, rounded once to ``out_fmt``.

    ``x_raw [..., n]`` is zero padded to ``q*b``; the integer product (frac
    ``w_fmt.frac + x_fmt.frac``) is exact; rows beyond ``m`` (default
    ``p*b``) are dropped before the single requantize.  ``weights`` is
    :func:`shift_weights` of the params, when the caller keeps it.
    Returns ``(raw [..., m], events)``.
    """
    P = _check_params(params_raw)
    P = as_raw(P)
    p, q, b = P.shape
    x = as_raw(x_raw)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension")
    n = x.shape[-1]
    if n > q * b:
        raise ValueError(f"input length {n} exceeds q*b = {q * b}")
    if m is None:
        m = p * b
    if not 0 <= m <= p * b:
        raise ValueError(f"output length {m} outside [0, p*b = {p * b}]")
    # y_i[r] = sum_j sum_s w_ij[s] * x_j[(r - s) mod b]: one exact product of the
    # b shifted copies of each input block with the [q*b, p] parameter matrix,
    # so the dense p*b x q*b expansion is never formed.
    if weights is None:
        weights = shift_weights(P)
    lead = x.shape[:-1]
    xf = x.reshape(-1, n)
    B = xf.shape[0]
    if n != q * b:
        xp = np.zeros((B, q * b), dtype=np.int64)
        xp[:, :n] = xf
        xf = xp
    shifts = (np.arange(b)[:, None] - np.arange(b)[None, :]) % b        # [r, s]
    xs = xf.reshape(B, q, b)[:, :, shifts]                              # [B, q, r, s]
    xs = np.ascontiguousarray(xs.transpose(0, 2, 1, 3)).reshape(B * b, q * b)
    acc = exact_int_matmul(xs, weights)                                 # [(B, r), p]
    acc = acc.reshape(B, b, p).transpose(0, 2, 1).reshape(B, p * b)[:, :m]
    out, events = requantize(acc, int(w_fmt.frac) + int(x_fmt.frac), out_fmt, rounding,
                             overflow_mode)
    return out.reshape(lead + (m,)), events
