"""Value ranges of a float module, known at compile time (interval analysis).

`ernn-quantize` picks every derived fixed-point format from these ranges, so
formats follow from what the compiler knows at any width instead of from
fixed fraction bits (docs/quantization.md).  Every tensor value gets an
element-wise interval `[lo, hi]` (a `Box`), propagated op by op:

* constants (weights, biases, tables): their actual values;
* function arguments: `[-input_bound, input_bound]` (an assumption the
  caller states, or what calibration measured);
* linear ops (matvecs, spectral MACs, FFTs, sums): centre-radius
  arithmetic, `W x` for `x` in `c +- r` lies in `W c +- |W| r`, which is
  exact for a box; a block-circulant `|W|` is block-circulant again (the
  parameters' absolute values), so this costs two float matvecs;
* spectra also remember the box of the real signal they are the rFFT of
  (`Spectrum.time`), so an IRFFT after spectral MACs gets the exact box of
  the time-domain result (the row L1 norms of the block-circulant matrix)
  rather than a bound through the spectrum's magnitudes;
* sigmoid and tanh are monotone: `[f(lo), f(hi)]`; a PWL table gives the
  extremes of its lines on the clamped input interval;
* element-wise add, sub, mul: interval arithmetic, plus one rule interval
  arithmetic cannot see: `(1 - z) * a + z * b` with `z` in `[0, 1]` is a
  convex combination, inside the hull of `a` and `b` (the GRU update);
* `ernn.scan` carries: the hull of the states of steps 0..t, iterated to a
  fixed point or for all T steps (so the LSTM cell state gets the bound
  `T` it can really reach: `|c'| <= |c| + 1`); `carry_cap` may clip a
  carry to an assumed range, which the fixed-point model then enforces by
  saturation.

`format_bound(v)` is what the format of `v` must hold, which for an FFT is
more than its result: the fixed-point rFFT/IRFFT run their butterflies in the
result format (docs/numerics.md section 8), so every stage's partial sums
must fit too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.pool_ops import GatherBlocksOp, GetGlobalOp, lookup_global
from ernn_ir.numerics import (
    CirculantSpectra,
    circ_matvec_fft,
    irfft_blocks,
    prepare_circulant,
    rfft_blocks,
    spectral_mac_float,
)
from ernn_ir.numerics.pwl import activation


@dataclass
class Box:
    """Element-wise bounds `lo <= v <= hi` of a tensor (arrays shaped like the value)."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def exact(v: np.ndarray) -> Box:
        v = np.asarray(v, np.float64)
        return Box(v, v)

    @staticmethod
    def symmetric(shape: tuple[int, ...], m: float) -> Box:
        return Box(np.full(shape, -float(m)), np.full(shape, float(m)))

    @property
    def is_exact(self) -> bool:
        return self.lo is self.hi or bool(np.array_equal(self.lo, self.hi))

    @property
    def center(self) -> np.ndarray:
        return 0.5 * (self.lo + self.hi)

    @property
    def radius(self) -> np.ndarray:
        return 0.5 * (self.hi - self.lo)

    @property
    def absmax(self) -> np.ndarray:
        return np.maximum(np.abs(self.lo), np.abs(self.hi))

    @property
    def mag(self) -> float:
        return float(self.absmax.max()) if self.lo.size else 0.0

    def map(self, f: Callable[[np.ndarray], np.ndarray]) -> Box:
        """A structural op (slice, reshape, pad, ...) applied to both ends."""
        if self.lo is self.hi:
            v = f(self.lo)
            return Box(v, v)
        return Box(f(self.lo), f(self.hi))

    def hull(self, other: Box) -> Box:
        return Box(np.minimum(self.lo, other.lo), np.maximum(self.hi, other.hi))

    def meet(self, other: Box) -> Box:
        """Intersection of two valid bounds of the same value."""
        return Box(np.maximum(self.lo, other.lo), np.minimum(self.hi, other.hi))

    def clip(self, m: float) -> Box:
        return Box(np.clip(self.lo, -m, m), np.clip(self.hi, -m, m))

    def contains(self, other: Box) -> bool:
        return bool(np.all(self.lo <= other.lo) and np.all(self.hi >= other.hi))


def linear_box(x: Box, apply: Callable[[np.ndarray], np.ndarray],
               apply_abs: Callable[[np.ndarray], np.ndarray]) -> Box:
    """The exact box of a linear map `A` over a box: `A c +- |A| r`."""
    c = apply(x.center)
    r = apply_abs(x.radius)
    return Box(c - r, c + r)


@dataclass
class Spectrum:
    """Bounds of a spectrum `[..., q, K, 2]`: its components, and (when known)
    the box of the real signal `[..., q*b]` whose block rFFT it is."""

    comp: Box
    time: Box | None
    b: int


Value = Box | Spectrum


# ---------------------------------------------------------------------------
# Spectra of boxes
# ---------------------------------------------------------------------------


def _dft(b: int) -> tuple[np.ndarray, np.ndarray]:
    n = np.arange(b)
    k = np.arange(b // 2 + 1)
    ang = 2.0 * np.pi * np.outer(n, k) / b
    return np.cos(ang), -np.sin(ang)          # [b, K]: re and im of rfft


def rfft_box(x: Box, b: int) -> Box:
    """Exact component box of the block rFFT of a box `[..., q*b] -> [..., q, K, 2]`."""
    cos, sin = _dft(b)
    lead = x.lo.shape[:-1]
    q = x.lo.shape[-1] // b
    c = x.center.reshape(*lead, q, b)
    r = x.radius.reshape(*lead, q, b)
    re_c, im_c = c @ cos, c @ sin
    re_r, im_r = r @ np.abs(cos), r @ np.abs(sin)
    return Box(np.stack([re_c - re_r, im_c - im_r], -1), np.stack([re_c + re_r, im_c + im_r], -1))


def irfft_box(S: Box, b: int) -> Box:
    """Exact time box of the block IRFFT of a component box (imaginary parts of
    bins 0 and b/2 ignored, as the op does)."""
    K = b // 2 + 1
    n = np.arange(b)
    k = np.arange(K)
    ang = 2.0 * np.pi * np.outer(k, n) / b                 # [K, b]
    w = np.full(K, 2.0)
    w[0] = 1.0
    w[-1] = 1.0
    gr = w[:, None] * np.cos(ang) / b
    gi = -w[:, None] * np.sin(ang) / b
    gi[0] = 0.0
    gi[-1] = 0.0
    c, r = S.center, S.radius
    yc = c[..., 0] @ gr + c[..., 1] @ gi                  # [..., q, b]
    yr = r[..., 0] @ np.abs(gr) + r[..., 1] @ np.abs(gi)
    lead = yc.shape[:-2]
    shape = (*lead, yc.shape[-2] * b)
    return Box((yc - yr).reshape(shape), (yc + yr).reshape(shape))


def complex_magnitude(S: Box) -> float:
    """Largest complex magnitude of a component box (bins' re and im bounds combined)."""
    a = S.absmax
    return float(np.sqrt(a[..., 0] ** 2 + a[..., 1] ** 2).max()) if a.size else 0.0


def block_l1(x: Box, b: int) -> float:
    """Largest sum of |x| over one block: every partial DFT sum of the block is below it."""
    a = x.absmax
    return float(a.reshape(*a.shape[:-1], -1, b).sum(axis=-1).max()) if a.size else 0.0


def params_of_spectra(W: np.ndarray, b: int) -> np.ndarray:
    """Time-domain block vectors `[p, q, b]` of real weight spectra `[p, q, K, 2]`."""
    p, q = W.shape[:2]
    return irfft_blocks(W.reshape(p * q, 1, *W.shape[2:]), b).reshape(p, q, b)


# ---------------------------------------------------------------------------
# The analysis
# ---------------------------------------------------------------------------


def _err(msg: str) -> DiagnosticException:
    return DiagnosticException(f"ernn-quantize: range analysis: {msg}")


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    if isinstance(t, TensorType):
        return tuple(t.get_shape())
    if isinstance(t, ernn.CirculantType):
        return t.param_shape
    raise _err(f"value of type {t} has no shape")


def _block_of_spectrum(v: SSAValue) -> int:
    return 2 * (_shape(v)[-2] - 1)


CarryCap = Callable[[ernn.ScanOp, int], "float | None"]


class RangeAnalysis:
    """Element-wise bounds of every value of a float module (see the module docstring).

    `input_bound(arg)` gives the assumed max |value| of a function argument;
    `carry_cap(scan, j)` an optional assumed max |value| of carry `j`.
    """

    def __init__(self, module: ModuleOp, input_bound: Callable[[BlockArgument], float],
                 carry_cap: CarryCap | None = None) -> None:
        self.module = module
        self.input_bound = input_bound
        self.carry_cap = carry_cap or (lambda scan, j: None)
        self.values: dict[SSAValue, Value] = {}
        self._format: dict[SSAValue, float] = {}
        self._weights: dict[int, tuple] = {}
        self.steps: dict[ernn.ScanOp, int] = {}
        """Iterations each scan's carries needed (T - 1 when they grow all the way)."""
        self.clipped: dict[ernn.ScanOp, set[int]] = {}
        """Carries whose bound `carry_cap` reduced (the cap, not the recurrence, bounds them)."""
        for f in module.ops:
            if isinstance(f, func.FuncOp):
                for a in f.body.block.args:
                    self.values[a] = Box.symmetric(_shape(a), input_bound(a))
                self.block(f.body.block)

    # -- queries -----------------------------------------------------------
    def bound(self, v: SSAValue) -> float:
        """max |value| of `v` (a spectrum: of its components)."""
        a = self.values[v]
        return a.comp.mag if isinstance(a, Spectrum) else a.mag

    def format_bound(self, v: SSAValue) -> float:
        """max |value| the format of `v` must hold (FFT results: every butterfly stage)."""
        return max(self.bound(v), self._format.get(v, 0.0))

    def box(self, v: SSAValue) -> Box:
        a = self.values[v]
        return a.comp if isinstance(a, Spectrum) else a

    # -- walking -------------------------------------------------------------
    def block(self, block: Block) -> None:
        for op in block.ops:
            self.op(op)

    def op(self, op: Operation) -> None:
        if isinstance(op, ernn.ScanOp):
            self.scan(op)
            return
        if isinstance(op, ernn.YieldOp | func.ReturnOp):
            return
        out = self.transfer(op)
        self.values[op.results[0]] = out

    def scan(self, op: ernn.ScanOp) -> None:
        blk = op.body.block
        n_in = len(op.inputs)
        n_out = op.num_step_outputs
        for a, x in zip(blk.args[:n_in], op.inputs):
            seq = self.box(x)  # one step sees one time slice: the hull over time
            self.values[a] = Box(seq.lo.min(axis=0), seq.hi.max(axis=0))
        carries = [self._as_box(self.values[v]) for v in op.inits]
        carries = [self._cap(op, j, c) for j, c in enumerate(carries)]
        T = _shape(op.inputs[0])[0] if op.inputs else 1
        steps = 0
        while True:
            for a, c in zip(blk.args[n_in:], carries):
                self.values[a] = c
            self.block(blk)
            if steps >= T - 1:
                break  # the body has seen the states of steps 0 .. T-1
            term = blk.last_op
            assert isinstance(term, ernn.YieldOp)
            nxt = [
                self._cap(op, j, c.hull(self._as_box(self.values[y])))
                for j, (c, y) in enumerate(zip(carries, term.values[n_out:]))
            ]
            steps += 1
            if all(c.contains(n) for c, n in zip(carries, nxt)):
                break  # a fixed point: no later step leaves these boxes
            carries = nxt
        self.steps[op] = steps
        term = blk.last_op
        assert isinstance(term, ernn.YieldOp)
        for k in range(n_out):
            y = self._as_box(self.values[term.values[k]])
            self.values[op.results[k]] = Box(np.broadcast_to(y.lo, (T, *y.lo.shape)),
                                             np.broadcast_to(y.hi, (T, *y.hi.shape)))
        for j, c in enumerate(carries):
            self.values[op.results[n_out + j]] = c.hull(self._as_box(self.values[term.values[n_out + j]]))

    def _cap(self, op: ernn.ScanOp, j: int, c: Box) -> Box:
        m = self.carry_cap(op, j)
        if m is None or c.mag <= m:
            return c
        self.clipped.setdefault(op, set()).add(j)
        return c.clip(m)

    @staticmethod
    def _as_box(v: Value) -> Box:
        return v.comp if isinstance(v, Spectrum) else v

    # -- transfer functions ---------------------------------------------------
    def transfer(self, op: Operation) -> Value:
        args = [self.values[x] for x in op.operands]
        r = op.results[0]
        if isinstance(op, ernn.ConstantOp):
            return Box.exact(np.asarray(dense_to_numpy(op.value), np.float64).reshape(_shape(r)))
        if isinstance(op, ernn.CirculantOp):
            return Box.exact(np.asarray(dense_to_numpy(op.params), np.float64).reshape(_shape(r)))
        if isinstance(op, GetGlobalOp):
            g = lookup_global(op)
            if g is None:
                raise _err(f"'ernn.get_global' reads @{op.global_name.root_reference.data}, "
                           "which is not an ernn.global of the module")
            return Box.exact(np.asarray(dense_to_numpy(g.value), np.float64).reshape(_shape(r)))
        if isinstance(op, GatherBlocksOp):
            table, index = args
            idx = np.asarray(self._exact(index, op, "index"), np.int64)
            return table.map(lambda a: a[idx])  # type: ignore[union-attr]
        if isinstance(op, ernn.CirculantParamsOp):
            return args[0]
        if isinstance(op, ernn.SliceOp):
            return self.slice(op, args[0])
        if isinstance(op, ernn.ReshapeOp):
            shp = _shape(r)
            if isinstance(args[0], Spectrum):
                return Spectrum(args[0].comp.map(lambda a: a.reshape(shp)), None, args[0].b)
            return args[0].map(lambda a: a.reshape(shp))
        if isinstance(op, ernn.PadOp):
            n = _shape(r)[-1]
            return args[0].map(  # type: ignore[union-attr]
                lambda a: np.concatenate([a, np.zeros((*a.shape[:-1], n - a.shape[-1]))], -1)
            )
        if isinstance(op, ernn.BroadcastOp):
            return self.broadcast(op, args[0])
        if isinstance(op, ernn.ConcatOp):
            return self.concat(op, args)
        if isinstance(op, ernn.RfftOp):
            x = self._as_box(args[0])
            b = _block_of_spectrum(r)
            self._format[r] = block_l1(x, b)
            return Spectrum(rfft_box(x, b), x, b)
        if isinstance(op, ernn.IrfftOp):
            S = self._as_spectrum(op.operands[0], args[0])
            out = irfft_box(S.comp, S.b)
            if S.time is not None:
                out = out.meet(S.time)
            # The spectrum is requantized into the result format and every
            # halving butterfly stays below the largest complex magnitude.
            self._format[r] = complex_magnitude(S.comp)
            return out
        if isinstance(op, ernn.SpectralMacOp):
            return self.spectral_mac(op, args[0], self._as_spectrum(op.operands[1], args[1]))
        if isinstance(op, ernn.ComplexMulOp):
            return self.cmul(op, args[0], args[1])
        if isinstance(op, ernn.ReduceSumOp):
            d = op.dim.value.data
            x = self._as_box(args[0])
            return Box(x.lo.sum(axis=d), x.hi.sum(axis=d))
        if isinstance(op, ernn.CircMatvecOp):
            return self.circ_matvec(op, args[0], args[1])
        if isinstance(op, ernn.DenseMatvecOp):
            return self.dense_matvec(op, args)
        if isinstance(op, ernn.AddOp | ernn.SubOp):
            return self.add_sub(op, args[0], args[1])
        if isinstance(op, ernn.MulOp):
            a, b = self._as_box(args[0]), self._as_box(args[1])
            prods = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
            return Box(np.minimum.reduce(prods), np.maximum.reduce(prods))
        if isinstance(op, ernn.SigmoidOp | ernn.TanhOp):
            f = activation("sigmoid" if isinstance(op, ernn.SigmoidOp) else "tanh")
            x = self._as_box(args[0])
            return Box(f(x.lo), f(x.hi))
        if isinstance(op, ernn.PwlOp):
            return self.pwl(op, self._as_box(args[0]))
        raise _err(f"'{op.name}' has no range rule (supported: the ernn gate- and frequency-level ops)")

    @staticmethod
    def _as_spectrum(v: SSAValue, a: Value) -> Spectrum:
        """A spectrum-shaped value (a function argument or constant may be a plain box)."""
        if isinstance(a, Spectrum):
            return a
        return Spectrum(a, None, _block_of_spectrum(v))

    def _exact(self, v: Value, op: Operation, what: str) -> np.ndarray:
        b = self._as_box(v)
        if not b.is_exact:
            raise _err(f"'{op.name}' {what} must be a constant")
        return b.lo

    def slice(self, op: ernn.SliceOp, x: Value) -> Value:
        ax, off = op.axis.value.data, op.offset.value.data
        size = _shape(op.results[0])[ax]

        def cut(a: np.ndarray, axis: int, lo: int, n: int) -> np.ndarray:
            idx = [slice(None)] * a.ndim
            idx[axis] = slice(lo, lo + n)
            return a[tuple(idx)]

        if isinstance(x, Spectrum):
            rank = x.comp.lo.ndim
            time = None
            if x.time is not None and ax == rank - 3:
                time = x.time.map(lambda a: cut(a, -1, off * x.b, size * x.b))
            elif x.time is not None and ax < rank - 3:
                time = x.time.map(lambda a: cut(a, ax, off, size))
            return Spectrum(x.comp.map(lambda a: cut(a, ax, off, size)), time, x.b)
        return x.map(lambda a: cut(a, ax, off, size))

    def broadcast(self, op: ernn.BroadcastOp, x: Value) -> Value:
        d = op.dim.value.data
        shp = _shape(op.results[0])

        def bc(a: np.ndarray, full: tuple[int, ...]) -> np.ndarray:
            return np.broadcast_to(np.expand_dims(a, d), full)

        if isinstance(x, Spectrum):
            time = None
            if x.time is not None:
                tshape = (*shp[:-3], shp[-3] * x.b)
                time = x.time.map(lambda a: bc(a, tshape))
            return Spectrum(x.comp.map(lambda a: bc(a, shp)), time, x.b)
        return x.map(lambda a: bc(a, shp))

    def concat(self, op: ernn.ConcatOp, xs: list[Value]) -> Value:
        ax = op.axis.value.data
        if all(isinstance(x, Spectrum) for x in xs):
            specs: list[Spectrum] = xs  # type: ignore[assignment]
            rank = specs[0].comp.lo.ndim
            comp = Box(np.concatenate([s.comp.lo for s in specs], ax),
                       np.concatenate([s.comp.hi for s in specs], ax))
            time = None
            if all(s.time is not None for s in specs) and ax <= rank - 3:
                tax = -1 if ax == rank - 3 else ax
                time = Box(np.concatenate([s.time.lo for s in specs], tax),  # type: ignore[union-attr]
                           np.concatenate([s.time.hi for s in specs], tax))  # type: ignore[union-attr]
            return Spectrum(comp, time, specs[0].b)
        boxes = [self._as_box(x) for x in xs]
        return Box(np.concatenate([b.lo for b in boxes], ax), np.concatenate([b.hi for b in boxes], ax))

    def _spectral_weights(self, op: Operation, W: Box, b: int) -> _SpectralWeights:
        """A constant weight spectrum packed once per op for the three products a box needs."""
        cached = self._weights.get(id(op))
        if cached is not None and cached[0] is W.lo:
            return cached[1]
        params = params_of_spectra(W.lo, b)
        ar = np.abs(W.lo[..., 0]).transpose(2, 0, 1)  # [K, p, q]
        ai = np.abs(W.lo[..., 1]).transpose(2, 0, 1)
        packed = _SpectralWeights(
            prepare_circulant(W.lo, dtype=np.float64),
            # |W| of a block-circulant matrix is block-circulant with the absolute
            # values of the block vectors: its spectra bound a time box's radius.
            prepare_circulant(np.abs(params), dtype=np.float64),
            np.ascontiguousarray(ar + ai),
            np.ascontiguousarray(ar - ai),
        )
        self._weights[id(op)] = (W.lo, packed)
        return packed

    def _circulant_weights(self, op: Operation, W: Box) -> tuple[CirculantSpectra, CirculantSpectra]:
        """Constant block vectors `[p, q, b]` and their absolute values, packed once per op."""
        cached = self._weights.get(id(op))
        if cached is not None and cached[0] is W.lo:
            return cached[1], cached[2]
        packed = prepare_circulant(W.lo, dtype=np.float64)
        packed_abs = prepare_circulant(np.abs(W.lo), dtype=np.float64)
        self._weights[id(op)] = (W.lo, packed, packed_abs)
        return packed, packed_abs

    def spectral_mac(self, op: ernn.SpectralMacOp, Wv: Value, X: Value) -> Value:
        W = self._as_box(Wv)
        b = X.b
        xc, xr = X.comp.center, X.comp.radius
        if W.is_exact:
            sw = self._spectral_weights(op, W, b)
            c = spectral_mac_float(W.lo, xc, weights=sw.spectra)
            # re = wr*xr - wi*xi, im = wr*xi + wi*xr, summed over the q input blocks:
            # the radius is rad_re = |wr| r_re + |wi| r_im, rad_im = |wr| r_im + |wi| r_re,
            # i.e. (|wr| + |wi|)(r_re + r_im) = rad_re + rad_im and
            # (|wr| - |wi|)(r_re - r_im) = rad_re - rad_im: two real products per bin.
            lead = xr.shape[:-3]
            q, K = xr.shape[-3], xr.shape[-2]
            rr = xr.reshape(-1, q, K, 2).transpose(2, 1, 0, 3)  # [K, q, B, 2]
            total = np.matmul(sw.abs_sum, np.ascontiguousarray(rr[..., 0] + rr[..., 1]))
            diff = np.matmul(sw.abs_diff, np.ascontiguousarray(rr[..., 0] - rr[..., 1]))
            rad = np.stack([(total + diff) / 2, (total - diff) / 2], -1)  # [K, p, B, 2]
            rad = rad.transpose(2, 1, 0, 3).reshape(*lead, -1, K, 2)
            comp = Box(c - rad, c + rad)
            time = None
            if X.time is not None:
                tc = circ_matvec_fft(sw.spectra, X.time.center)
                tr = circ_matvec_fft(sw.abs_params, X.time.radius)
                time = Box(tc - tr, tc + tr)
            return Spectrum(comp, time, b)
        # A weight that is not a constant: bound by magnitudes.
        wm = W.absmax
        xm = X.comp.absmax
        s = np.einsum("pqk,...qk->...pk", wm[..., 0] + wm[..., 1], np.maximum(xm[..., 0], xm[..., 1]))
        return Spectrum(Box(np.stack([-s, -s], -1), np.stack([s, s], -1)), None, b)

    def cmul(self, op: ernn.ComplexMulOp, A: Value, B: Value) -> Value:
        a, bb = self._as_box(A), self._as_box(B)
        spec = B if isinstance(B, Spectrum) else A if isinstance(A, Spectrum) else None
        if not a.is_exact and bb.is_exact:
            a, bb = bb, a
            A, B = B, A
        if a.is_exact:
            wr, wi = a.lo[..., 0], a.lo[..., 1]
            xc, xr = bb.center, bb.radius
            cre = wr * xc[..., 0] - wi * xc[..., 1]
            cim = wr * xc[..., 1] + wi * xc[..., 0]
            rre = np.abs(wr) * xr[..., 0] + np.abs(wi) * xr[..., 1]
            rim = np.abs(wr) * xr[..., 1] + np.abs(wi) * xr[..., 0]
            comp = Box(np.stack([cre - rre, cim - rim], -1), np.stack([cre + rre, cim + rim], -1))
            time = None
            b = spec.b if spec is not None else 2 * (a.lo.shape[-2] - 1)
            if isinstance(B, Spectrum) and B.time is not None:
                # each block product is a circular convolution of w_ij with x_j
                params = params_of_spectra(a.lo.reshape(-1, 1, *a.lo.shape[-2:]), b)
                abs_spec = rfft_blocks(np.abs(params), b).reshape(a.lo.shape)
                tc = irfft_blocks(_cmul(a.lo, rfft_blocks(B.time.center, b)), b)
                tr = irfft_blocks(_cmul(abs_spec, rfft_blocks(B.time.radius, b)), b)
                time = Box(tc - tr, tc + tr)
            return Spectrum(comp, time, b)
        am, bm = a.absmax, bb.absmax
        s = (am[..., 0] + am[..., 1]) * np.maximum(bm[..., 0], bm[..., 1])
        b = spec.b if spec is not None else 2 * (am.shape[-2] - 1)
        return Spectrum(Box(np.stack([-s, -s], -1), np.stack([s, s], -1)), None, b)

    def circ_matvec(self, op: ernn.CircMatvecOp, Wv: Value, xv: Value) -> Value:
        W, x = self._as_box(Wv), self._as_box(xv)
        m = _shape(op.results[0])[-1]
        if W.is_exact:
            packed, packed_abs = self._circulant_weights(op, W)
            return linear_box(x, lambda v: circ_matvec_fft(packed, v, m=m),
                              lambda v: circ_matvec_fft(packed_abs, v, m=m))
        p, q, b = W.lo.shape
        s = float(W.mag) * q * b * x.mag
        return Box.symmetric((*x.lo.shape[:-1], m), s)

    def dense_matvec(self, op: ernn.DenseMatvecOp, args: list[Value]) -> Value:
        W, x = self._as_box(args[0]), self._as_box(args[1])
        if W.is_exact:
            M = W.lo
            y = linear_box(x, lambda v: v @ M.T, lambda v: v @ np.abs(M).T)
        else:
            s = float(W.mag) * W.lo.shape[1] * x.mag
            y = Box.symmetric((*x.lo.shape[:-1], W.lo.shape[0]), s)
        if len(args) > 2:
            bias = self._as_box(args[2])
            y = Box(y.lo + bias.lo, y.hi + bias.hi)
        return y

    def add_sub(self, op: Operation, A: Value, B: Value) -> Value:
        if isinstance(A, Spectrum) and isinstance(B, Spectrum):
            # rfft is linear: the spectrum of a sum is the sum of the spectra
            comp = self._add_box(op, A.comp, B.comp)
            time = None
            if A.time is not None and B.time is not None:
                time = self._add_box(op, A.time, B.time)
            return Spectrum(comp, time, A.b)
        a, b = self._as_box(A), self._as_box(B)
        out = self._add_box(op, a, b)
        if isinstance(op, ernn.AddOp):
            hull = self.convex_combination(op)
            if hull is not None:
                out = out.meet(Box(np.broadcast_to(hull.lo, out.lo.shape), np.broadcast_to(hull.hi, out.hi.shape)))
        return out

    @staticmethod
    def _add_box(op: Operation, a: Box, b: Box) -> Box:
        if isinstance(op, ernn.SubOp):
            return Box(a.lo - b.hi, a.hi - b.lo)
        return Box(a.lo + b.lo, a.hi + b.hi)

    def convex_combination(self, op: ernn.AddOp) -> Box | None:
        """The hull of `a` and `b` if `op` is `(1 - z) * a + z * b` with `z` in [0, 1]."""
        terms = [_mul_operands(v) for v in op.operands]
        if any(t is None for t in terms):
            return None
        (p1, p2), (q1, q2) = terms  # type: ignore[misc]
        for one_minus, a in ((p1, p2), (p2, p1)):
            sub = one_minus.owner
            if not isinstance(sub, ernn.SubOp):
                continue
            one = self._as_box(self.values[sub.lhs])
            if not (one.is_exact and np.all(one.lo == 1.0)):
                continue
            z = sub.rhs
            zb = self._as_box(self.values[z])
            if not (np.all(zb.lo >= 0.0) and np.all(zb.hi <= 1.0)):
                continue
            for zz, b in ((q1, q2), (q2, q1)):
                if zz is z:
                    ab, bb = self._as_box(self.values[a]), self._as_box(self.values[b])
                    return Box(np.minimum(ab.lo, bb.lo), np.maximum(ab.hi, bb.hi))
        return None

    def pwl(self, op: ernn.PwlOp, x: Box) -> Box:
        slopes = np.asarray(dense_to_numpy(op.slopes), np.float64)
        icpt = np.asarray(dense_to_numpy(op.intercepts), np.float64)
        n = slopes.size
        x0 = op.x_min.value.data
        step = 2.0 ** op.log2_step.value.data
        ends = x0 + np.arange(n + 1) * step
        lo = np.clip(x.lo, ends[0], ends[-1]).reshape(-1, 1)
        hi = np.clip(x.hi, ends[0], ends[-1]).reshape(-1, 1)
        a = np.maximum(lo, ends[:-1])           # [E, n]: the part of each segment inside [lo, hi]
        z = np.minimum(hi, ends[1:])
        inside = a <= z
        ya, yz = slopes * a + icpt, slopes * z + icpt
        big = np.where(inside, np.maximum(ya, yz), -np.inf).max(axis=1)
        small = np.where(inside, np.minimum(ya, yz), np.inf).min(axis=1)
        return Box(small.reshape(x.lo.shape), big.reshape(x.lo.shape))


@dataclass(frozen=True)
class _SpectralWeights:
    spectra: CirculantSpectra
    """the weight spectra, for box centres"""
    abs_params: CirculantSpectra
    """the spectra of |block vectors|: |W| in the time domain"""
    abs_sum: np.ndarray
    """|Re W| + |Im W| as [K, p, q]"""
    abs_diff: np.ndarray
    """|Re W| - |Im W| as [K, p, q]"""


def _cmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    re = a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1]
    im = a[..., 0] * b[..., 1] + a[..., 1] * b[..., 0]
    return np.stack([re, im], -1)


def _mul_operands(v: SSAValue) -> tuple[SSAValue, SSAValue] | None:
    o = v.owner
    if isinstance(o, ernn.MulOp):
        return o.lhs, o.rhs
    return None


MARGIN = 2.0**-6
"""Relative headroom for fixed-point rounding: the float model's bound plus 1/64."""


def with_margin(bound: float) -> float:
    return bound * (1.0 + MARGIN) if math.isfinite(bound) else bound
