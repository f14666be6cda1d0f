"""Exact matrix plans for the fixed-point FFTs of docs/numerics.md section 8.

Between two roundings, everything the contract's radix-2 FFT does is linear
with integer coefficients: the bit-reversal permutation, the trivial
twiddles (1 and -i), the butterfly sums, the mirror of the inverse, a
twiddle product before it is rounded, an exact input shift.  When no value
can overflow, every `ovf` of the contract is the identity and no event
occurs; a whole rfft or irfft of many blocks is then a short chain

    y = round(x @ M1),  y = round(y @ M2),  ...,  out = y @ Mn

of float64 matrix products, one rounding between consecutive ones (for
b = 8: two products forward, four inverse), instead of about forty numpy
calls per butterfly stage.

Exactness.  Each matrix is the integer linear map between two rounding points,
its columns scaled by 2^-s where the contract rounds by s bits.  Every
product and partial sum in `x @ M` is then an integer multiple of 2^-s; below
2^53 in magnitude it is exact in float64 in any summation order (so also in
BLAS), and `floor(v + 1/2)` (half_up) or `rint(v)` (convergent, IEEE round
half to even) of that exact value is the contract's rounding.

Validity.  From the same linear forms the plan bounds, as a function of
A = max |input raw|, every value the contract overflows (requantized input,
mirror negation, rounded twiddle products, butterfly outputs) and every
float partial sum.  `max_input` is the largest A for which all values fit
the output width and all sums stay below 2^52; only blocks within it may use
the plan, the others take the stage-by-stage path (`fft.fft_fixed`), which
also counts their events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fixed import FixedFormat, Rounding

__all__ = ["FixedFftPlan"]

_EXACT_LIMIT = float(2**52)
# A matrix with more rows than this many per nonzero of its fullest column is
# applied as gathered columns rather than a dense product (about where the two
# cost the same here for b = 32; b <= 16 stays dense).
_DENSE_MAX_ROWS_PER_TERM = 16


@dataclass(frozen=True)
class _Step:
    matrix: np.ndarray  # [n_in, n_out], columns already scaled by 2^-shift
    shift: int          # largest rounding shift of the step's columns, 0: no rounding


class _Builder:
    """Collects the matrices and the overflow checks while walking the contract."""

    def __init__(self, n_in: int) -> None:
        self.n_mat = n_in
        self.steps: list[_Step] = []
        # checks[level]: (forms, shift) -- values round(forms^T v, shift) must fit Wo bits,
        # v the vector materialized at that level (level 0: the op's input)
        self.checks: list[list[tuple[np.ndarray, int]]] = [[]]

    def check(self, forms: np.ndarray, shift: int = 0) -> None:
        self.checks[-1].append((np.abs(forms), shift))

    def materialize(self, forms: np.ndarray, shifts: np.ndarray) -> np.ndarray:
        """Emit a step rounding column c of `forms^T v` by shifts[c] bits; return the identity forms."""
        scale = np.ldexp(1.0, -shifts.astype(np.int64))
        self.steps.append(_Step(forms * scale[None, :], int(shifts.max())))
        self.checks.append([])
        self.n_mat = forms.shape[1]
        return np.eye(self.n_mat)

    def finish(self, forms: np.ndarray) -> None:
        """The output: `forms^T v` of the last level, with no rounding."""
        is_selection = (
            self.steps
            and not self.checks[-1]
            and np.all((forms == 0) | (forms == 1))
            and np.all(forms.sum(axis=0) == 1)
        )
        if is_selection:
            # the output is part of the last rounded vector: keep only those columns
            last = self.steps[-1]
            self.steps[-1] = _Step(last.matrix @ forms, last.shift)
            self.checks.pop()
        else:
            self.steps.append(_Step(forms.astype(np.float64), 0))


class FixedFftPlan:
    """One fixed-point rfft or irfft (block size, formats, rounding) as exact matrix products.

    `run(x)` takes the op's raw input rows (`[B, b]` for the rfft, `[B, 2K]`
    with (re, im) interleaved per bin for the irfft) and returns the output
    rows (`[B, 2K]` interleaved, or `[B, b]`); every row must satisfy
    max |raw| <= `max_input` (-1 when no input qualifies).
    """

    def __init__(self, b: int, inverse: bool, frac_in: int, out_fmt: FixedFormat,
                 twiddle_fmt: FixedFormat, rounding: Rounding,
                 twiddles: tuple[np.ndarray, np.ndarray]) -> None:
        self.b = b
        self.inverse = inverse
        self.rounding = rounding
        self._max_raw = (1 << (out_fmt.width - 1)) - 1
        builder = _walk(b, inverse, int(frac_in), int(out_fmt.frac), int(twiddle_fmt.frac), twiddles)
        self._steps = builder.steps
        self._checks = builder.checks
        self._abs = [np.abs(s.matrix) for s in self._steps]
        self.max_input = self._largest_valid_input()
        self._compile()
        self._compile_products()
        self._compile_program()

    # ------------------------------------------------------------------ validity
    def _valid_for(self, A: int) -> bool:
        """True when inputs with max |raw| <= A cannot overflow and every float sum is exact."""
        beta = np.full(self._steps[0].matrix.shape[0], float(A))
        limit = self._max_raw
        for level, checks in enumerate(self._checks):
            for forms, shift in checks:
                v = forms.T @ beta
                if shift > 0:
                    v = v * 2.0**-shift + 1.0  # |round(u / 2^s)| <= |u| / 2^s + 1/2
                if v.size and v.max() * (1 + 2.0**-40) > limit:
                    return False
            if level < len(self._steps):
                step = self._steps[level]
                pre = self._abs[level].T @ beta
                # + 1 covers the half_up constant 1/2
                if pre.size and (pre.max() + 1.0) * 2.0**step.shift > _EXACT_LIMIT:
                    return False
                beta = pre + (1.0 if step.shift else 0.0)
        return True

    def _largest_valid_input(self) -> int:
        if not self._valid_for(0):
            return -1
        lo, hi = 0, 1 << 62
        if self._valid_for(hi):
            return hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._valid_for(mid):
                lo = mid
            else:
                hi = mid
        return lo

    # ------------------------------------------------------------------ running
    def _compile(self) -> None:
        """Matrices as run: with half_up every rounding step also carries a constant-1 column.

        `floor(u + 1/2)` then needs no separate addition: the 1/2 comes from the
        constant row of the next matrix (the first step adds it explicitly).
        """
        steps = self._steps
        self._first_bias: np.ndarray | None = None
        if self.rounding is Rounding.CONVERGENT or all(s.shift == 0 for s in steps):
            self._mats = [s.matrix for s in steps]
            return
        mats = []
        for i, s in enumerate(steps):
            rows, cols = s.matrix.shape
            rounds = s.shift > 0
            carry_in = i > 0  # the previous step was a rounding step with a constant column
            M = np.zeros((rows + carry_in, cols + rounds))
            M[:rows, :cols] = s.matrix
            if rounds:
                bias = np.full(cols + 1, 0.5)
                bias[cols] = 1.5  # the constant column: floor(1.5) = 1
                if carry_in:
                    M[rows] = bias
                else:
                    self._first_bias = bias
            mats.append(M)
        self._mats = mats

    def _compile_products(self) -> None:
        """How each matrix is applied: a BLAS product, or, when its columns are sparse
        next to its height (large b: each output depends on a few inputs), a sum of a few
        gathered columns times coefficients."""
        self._products: list[tuple[np.ndarray, np.ndarray] | None] = []
        for M in self._mats:
            nnz = (M != 0).sum(axis=0)
            r = max(int(nnz.max()), 1)
            if M.shape[0] <= _DENSE_MAX_ROWS_PER_TERM * r:
                self._products.append(None)
                continue
            idx = np.zeros((r, M.shape[1]), dtype=np.intp)
            coef = np.zeros((r, M.shape[1]))
            for c in range(M.shape[1]):
                rows = np.flatnonzero(M[:, c])
                idx[: rows.size, c] = rows
                coef[: rows.size, c] = M[rows, c]
            self._products.append((idx, coef))

    def _compile_program(self) -> None:
        """The steps as run: (matrix, gathered form or None, bias or None, rounds)."""
        self._program = []
        for i, M in enumerate(self._mats):
            bias = self._first_bias if i == 0 else None
            self._program.append((M, self._products[i], bias, self._steps[i].shift > 0))
        # the constant column of a last rounding step is not part of the output
        self._strip = self._first_bias is not None and self._steps[-1].shift > 0
        self._round = np.rint if self.rounding is Rounding.CONVERGENT else np.floor

    def run(self, x: np.ndarray) -> np.ndarray:
        """Output rows (int64) for input rows `x` (int64) within `max_input`."""
        round_ = self._round
        y = x
        for M, sparse, bias, rounds in self._program:
            if sparse is None:
                y = y @ M
            else:
                idx, coef = sparse
                z = y[:, idx[0]] * coef[0]
                for r in range(1, idx.shape[0]):
                    z += y[:, idx[r]] * coef[r]
                y = z
            if bias is not None:
                y += bias
            if rounds:
                round_(y, out=y)
        if self._strip:
            y = y[:, :-1]
        return y.astype(np.int64)


def _walk(b: int, inverse: bool, frac_in: int, Fo: int, Ft: int,
          twiddles: tuple[np.ndarray, np.ndarray]) -> _Builder:
    """The contract's rfft (or irfft) as linear forms, materialized at every rounding."""
    K = b // 2 + 1
    tw_re = [int(v) for v in twiddles[0]]
    tw_im = [int(v) for v in twiddles[1]]
    d = Fo - frac_in
    n_in = 2 * K if inverse else b
    B = _Builder(n_in)

    # requantize the input to the output format (irfft: bins 0 and b/2 lose their imaginary part)
    lin = np.eye(n_in)
    if inverse:
        lin[:, 1] = 0
        lin[:, 2 * (K - 1) + 1] = 0
    if d >= 0:
        vals = lin * 2.0**d
        B.check(vals)
    else:
        B.check(lin, -d)
        vals = B.materialize(lin, np.full(n_in, -d)) @ lin

    # complex state: column c of S is position c (re) or c - b (im), as forms over the level
    S = np.zeros((vals.shape[0], 2 * b))
    if inverse:
        for k in range(b):
            if k < K:
                S[:, k] = vals[:, 2 * k]
                S[:, b + k] = vals[:, 2 * k + 1]
            else:
                S[:, k] = vals[:, 2 * (b - k)]
                S[:, b + k] = -vals[:, 2 * (b - k) + 1]
                B.check(S[:, b + k : b + k + 1])
    else:
        S[:, :b] = vals

    L = b.bit_length() - 1
    rev = [int(format(i, f"0{L}b")[::-1], 2) if L else 0 for i in range(b)]
    S = S[:, rev + [b + r for r in rev]]

    m = 2
    while m <= b:
        h = m // 2
        T = S.copy()
        rounded: list[int] = []
        for g in range(0, b, m):
            for k in range(h):
                hi = g + k + h
                j = k * (b // m)
                hr, hj = S[:, hi], S[:, b + hi]
                if j == 0:
                    continue  # t = hi
                if 4 * j == b:
                    T[:, hi], T[:, b + hi] = (-hj, hr) if inverse else (hj, -hr)
                    continue
                wr = tw_re[j]
                wi = -tw_im[j] if inverse else tw_im[j]
                T[:, hi] = hr * wr - hj * wi
                T[:, b + hi] = hr * wi + hj * wr
                rounded += [hi, b + hi]
        if rounded:
            if Ft > 0:
                B.check(T[:, rounded], Ft)
                shifts = np.zeros(2 * b, dtype=np.int64)
                shifts[rounded] = Ft
                T = B.materialize(T, shifts)
            else:  # no fractional bits dropped: an exact scaling
                T[:, rounded] *= 2.0**-Ft
                B.check(T[:, rounded])
        U = np.empty_like(T)
        for g in range(0, b, m):
            for k in range(h):
                lo, hi = g + k, g + k + h
                for off in (0, b):
                    U[:, off + lo] = T[:, off + lo] + T[:, off + hi]
                    U[:, off + hi] = T[:, off + lo] - T[:, off + hi]
        if inverse:
            B.check(U, 1)
            S = B.materialize(U, np.ones(2 * b, dtype=np.int64))
        else:
            B.check(U)
            S = U
        m *= 2

    if inverse:
        out = S[:, :b]
    else:
        out = np.empty((S.shape[0], 2 * K))
        out[:, 0::2] = S[:, :K]
        out[:, 1::2] = S[:, b : b + K]
    B.finish(out)
    return B
