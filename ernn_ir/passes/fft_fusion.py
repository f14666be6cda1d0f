"""`ernn-fft-fusion`: share input FFTs, accumulate in the frequency domain, one IRFFT per output block.

Starts from the naive per-block form of `ernn-circulant-to-fft` (see that
module's docstring) and applies four rewrites, all float only:

1. Matvec fusion.  The naive chain

       %xr = ernn.broadcast %xp dim(d);  %X = ernn.rfft %xr      [..., p, q, K, 2]
       %P = ernn.cmul %W, %X;  %yb = ernn.irfft %P;  reshape;  reduce_sum;  reshape

   becomes

       %X = ernn.rfft %xp                   [..., q, K, 2]   q transforms, not p*q
       %Y = ernn.spectral_mac %W, %X        [..., p, K, 2]   sum over j in frequency
       %y = ernn.irfft %Y                   [..., p*b]       p transforms, not p*q

2. Input FFT sharing.  One `ernn.rfft` (and one `ernn.pad`) per distinct
   input value and block size, reused by every consumer that it dominates.

3. Frequency-domain accumulation.  `ernn.add` of two such matvec results
   of one shape (the LSTM `gx + gh`) becomes one spectral MAC over the
   concatenation along the block axis (weights `ernn.concat dim(1)`, input
   spectra along the q axis) and one IRFFT.  Chains `a + b + c` fuse fully.

4. Round-trip removal.  `ernn.rfft(ernn.irfft(Y))` is `Y` when the DC and
   Nyquist bins of Y are real, which holds for spectral MACs and
   concatenations of real-signal spectra (rFFT outputs, constants whose
   bins 0 and b/2 have zero imaginary part).

The pass is idempotent and leaves every op it does not recognise as it is
(model-level or gate-level IR passes through unchanged).  A fixed-point
naive FFT form (ernn-quantize ran before this pass) is a diagnostic, not a
silent no-op: run ernn-fft-fusion before ernn-quantize.  Only ops it
detaches, and ops they leave dead, are erased.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.builder import InsertPoint
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn import checks
from ernn_ir.passes.emit import Emitter, elem, located_builder, shape
from ernn_ir.passes.options import CheckedPass

# ---------------------------------------------------------------------------
# helpers shared with ernn-weight-sharing and the op-count analysis


def def_op(v: SSAValue) -> Operation | None:
    return v.op if isinstance(v, OpResult) else None


def single_user(v: SSAValue) -> Operation | None:
    """The only op using `v` (once), or None."""
    uses = list(v.uses)
    if len(uses) != 1:
        return None
    return uses[0].operation


def is_float_tensor(v: SSAValue) -> bool:
    return isinstance(v.type, TensorType) and checks.is_float(v.type.element_type)


def ancestor_in(op: Operation, block: Block) -> Operation | None:
    """`op` or its ancestor whose parent block is `block`, or None."""
    o: Operation | None = op
    while o is not None and o.parent_block() is not block:
        o = o.parent_op()
    return o


def dominates(v: SSAValue, user: Operation) -> bool:
    """Whether `v` is visible at `user` (structured regions: same or enclosing block, earlier)."""
    if isinstance(v, BlockArgument):
        return ancestor_in(user, v.block) is not None
    d = v.op
    blk = d.parent_block()
    if blk is None:
        return False
    a = ancestor_in(user, blk)
    if a is None or a is d:
        return False
    return blk.get_operation_index(d) < blk.get_operation_index(a)


def erase_dead(ops: list[Operation]) -> None:
    """Erase each op of `ops` whose results are unused, then its operands' dead ernn producers."""
    work = list(ops)
    seen: set[int] = set()
    while work:
        o = work.pop()
        if id(o) in seen or o.parent is None:
            continue
        if any(r.uses for r in o.results) or o.regions:
            continue
        if not o.name.startswith("ernn.") or isinstance(o, ernn.YieldOp):
            continue
        seen.add(id(o))
        producers = [def_op(v) for v in o.operands]
        o.detach()
        o.erase()
        work.extend(p for p in producers if p is not None)


def _insert_after_def(v: SSAValue) -> InsertPoint:
    if isinstance(v, BlockArgument):
        return InsertPoint.at_start(v.block)
    return InsertPoint.after(v.op)


# ---------------------------------------------------------------------------
# 1 + 2: matvec fusion with shared input transforms


@dataclass
class _Shared:
    """Shared pads and input rFFTs, keyed by (input value, result type)."""

    pads: dict[tuple[int, object], list[SSAValue]]
    rffts: dict[tuple[int, object], list[SSAValue]]

    @staticmethod
    def collect(module: ModuleOp) -> _Shared:
        s = _Shared({}, {})
        for o in module.walk():
            if isinstance(o, ernn.PadOp):
                s.pads.setdefault((id(o.input), o.result.type), []).append(o.result)
            elif isinstance(o, ernn.RfftOp) and not isinstance(def_op(o.input), ernn.BroadcastOp):
                s.rffts.setdefault((id(o.input), o.result.type), []).append(o.result)
        return s

    def _find(self, table, key, user: Operation) -> SSAValue | None:
        for v in table.get(key, []):
            if v.owner.parent is not None and dominates(v, user):  # type: ignore[union-attr]
                return v
        return None

    def pad(self, xp: SSAValue, user: Operation) -> SSAValue:
        p = def_op(xp)
        if not isinstance(p, ernn.PadOp):
            return xp
        found = self._find(self.pads, (id(p.input), p.result.type), user)
        return found if found is not None else xp

    def rfft(self, xp: SSAValue, b: int, user: Operation) -> SSAValue:
        s = shape(xp)
        t = TensorType(elem(xp), (*s[:-1], s[-1] // b, b // 2 + 1, 2))
        key = (id(xp), t)
        found = self._find(self.rffts, key, user)
        if found is not None:
            return found
        X = Emitter(located_builder(_insert_after_def(xp), user)).rfft(xp, b, "X")
        self.rffts.setdefault(key, []).append(X)
        return X


def _match_naive(P: ernn.ComplexMulOp, float_only: bool = True):
    """The ops of a naive matvec chain ending at `P`, or None.

    With `float_only=False` the chain may be fixed point (used to diagnose
    fusion requested after ernn-quantize; the rewrite itself is float only).
    """
    W, X = P.lhs, P.rhs
    rf = def_op(X)
    if not isinstance(rf, ernn.RfftOp):
        return None
    br = def_op(rf.input)
    if not isinstance(br, ernn.BroadcastOp):
        return None
    xp = br.input
    if not all(isinstance(v.type, TensorType) for v in (xp, W, P.result)):
        return None
    if float_only and not (is_float_tensor(xp) and is_float_tensor(W) and is_float_tensor(P.result)):
        return None
    lead = shape(xp)[:-1]
    d = len(lead)
    if br.dim.value.data != d:
        return None
    ws = shape(W)
    if len(ws) != 4:
        return None
    p, q, K, _ = ws
    b = 2 * (K - 1)
    if shape(xp)[-1] != q * b or shape(X) != (*lead, p, q, K, 2) or shape(P.result) != shape(X):
        return None
    ir = single_user(P.result)
    if not isinstance(ir, ernn.IrfftOp):
        return None
    r3 = single_user(ir.result)
    if not isinstance(r3, ernn.ReshapeOp) or shape(r3.result) != (*lead, p, q, b):
        return None
    rs = single_user(r3.result)
    if not isinstance(rs, ernn.ReduceSumOp) or rs.dim.value.data != d + 1:
        return None
    ry = single_user(rs.result)
    if not isinstance(ry, ernn.ReshapeOp) or shape(ry.result) != (*lead, p * b):
        return None
    return xp, W, b, [ry, rs, r3, ir, P, rf, br]


def fuse_matvecs(module: ModuleOp, shared: _Shared) -> int:
    n = 0
    for P in [o for o in module.walk() if isinstance(o, ernn.ComplexMulOp)]:
        m = _match_naive(P)
        if m is None:
            continue
        xp, W, b, chain = m
        ry = chain[0]
        xp0 = xp
        xp = shared.pad(xp, P)
        X = shared.rfft(xp, b, P)
        e = Emitter(located_builder(InsertPoint.before(ry), ry))
        Y = e.spectral_mac(W, X, "Y")
        y = e.irfft(Y, ry.result.name_hint or "y")
        ry.result.replace_all_uses_with(y)
        for o in chain:
            if not any(r.uses for r in o.results):
                o.detach()
                o.erase()
        if (d0 := def_op(xp0)) is not None:
            erase_dead([d0])
        n += 1
    return n


def share_input_ffts(module: ModuleOp) -> int:
    """CSE of pads and rFFTs that compute the same thing (the first dominating one is kept)."""
    n = 0
    for cls in (ernn.PadOp, ernn.RfftOp):
        seen: dict[tuple[int, object], list[SSAValue]] = {}
        for o in [o for o in module.walk() if isinstance(o, cls)]:
            key = (id(o.input), o.result.type)
            for v in seen.get(key, []):
                if dominates(v, o):
                    o.result.replace_all_uses_with(v)
                    o.detach()
                    o.erase()
                    n += 1
                    break
            else:
                seen.setdefault(key, []).append(o.result)
    return n


# ---------------------------------------------------------------------------
# 3: frequency-domain accumulation


def _spectral_term(v: SSAValue, float_only: bool = True) -> tuple[ernn.IrfftOp, ernn.SpectralMacOp] | None:
    ir = def_op(v)
    if not isinstance(ir, ernn.IrfftOp) or len(list(v.uses)) != 1:
        return None
    mac = def_op(ir.input)
    if not isinstance(mac, ernn.SpectralMacOp) or single_user(mac.result) is not ir:
        return None
    if float_only and not is_float_tensor(mac.result):
        return None
    return ir, mac


def _concat_parts(v: SSAValue, axis: int) -> list[SSAValue]:
    """Flatten a single-use concatenation along `axis` into its parts."""
    c = def_op(v)
    if isinstance(c, ernn.ConcatOp) and c.axis.value.data == axis and len(list(v.uses)) == 1:
        return list(c.inputs)
    return [v]


def accumulate_adds(module: ModuleOp) -> int:
    n = 0
    changed = True
    while changed:
        changed = False
        for add in [o for o in module.walk() if isinstance(o, ernn.AddOp)]:
            if add.parent is None:
                continue
            if not (add.lhs.type == add.rhs.type == add.result.type):
                continue
            a, b = _spectral_term(add.lhs), _spectral_term(add.rhs)
            if a is None or b is None or a[0] is b[0]:
                continue
            (ira, maca), (irb, macb) = a, b
            if maca.result.type != macb.result.type or elem(maca.weight) != elem(macb.weight):
                continue
            d = len(shape(maca.input)) - 3
            if shape(maca.input)[:d] != shape(macb.input)[:d]:
                continue
            e = Emitter(located_builder(InsertPoint.before(add), add))
            ws = _concat_parts(maca.weight, 1) + _concat_parts(macb.weight, 1)
            xs = _concat_parts(maca.input, d) + _concat_parts(macb.input, d)
            Wc = e._ins(ernn.ConcatOp(ws, 1), "Wc")
            Xc = e._ins(ernn.ConcatOp(xs, d), "Xc")
            Y = e.spectral_mac(Wc, Xc, "Y")
            y = e.irfft(Y, add.result.name_hint or "y")
            add.result.replace_all_uses_with(y)
            add.detach()
            add.erase()
            erase_dead([ira, irb])
            n += 1
            changed = True
    return n


# ---------------------------------------------------------------------------
# 4: irfft -> rfft round trips


def real_signal_spectrum(v: SSAValue, depth: int = 0) -> bool:
    """Whether the spectrum `v` [..., K, 2] has real DC and Nyquist bins by construction."""
    if depth > 64:
        return False
    o = def_op(v)
    if isinstance(o, ernn.RfftOp):
        return True
    if isinstance(o, ernn.SpectralMacOp | ernn.ComplexMulOp):
        return all(real_signal_spectrum(x, depth + 1) for x in o.operands)
    if isinstance(o, ernn.ConcatOp):
        nd = len(shape(o.result))
        return o.axis.value.data < nd - 2 and all(real_signal_spectrum(x, depth + 1) for x in o.inputs)
    if isinstance(o, ernn.SliceOp):
        return o.axis.value.data < len(shape(o.result)) - 2 and real_signal_spectrum(o.input, depth + 1)
    if isinstance(o, ernn.ConstantOp | ernn.GetGlobalOp):
        if isinstance(o, ernn.ConstantOp):
            val = o.value
        else:
            g = ernn.pool_ops.lookup_global(o)
            if g is None:
                return False
            val = g.value
        if not checks.is_float(val.get_element_type()):
            return False
        a = checks.dense_to_numpy(val)
        if a.ndim < 2 or a.shape[-1] != 2:
            return False
        return bool(np.all(a[..., 0, 1] == 0) and np.all(a[..., -1, 1] == 0))
    return False


def remove_round_trips(module: ModuleOp) -> int:
    n = 0
    for rf in [o for o in module.walk() if isinstance(o, ernn.RfftOp)]:
        ir = def_op(rf.input)
        if not isinstance(ir, ernn.IrfftOp):
            continue
        Y = ir.input
        if rf.result.type != Y.type or not is_float_tensor(Y) or not real_signal_spectrum(Y):
            continue
        rf.result.replace_all_uses_with(Y)
        rf.detach()
        rf.erase()
        erase_dead([ir])
        n += 1
    return n


# ---------------------------------------------------------------------------
# fixed-point FFT forms: diagnosed, not rewritten


def fixed_point_leftover(module: ModuleOp, accumulate: bool = True) -> Operation | None:
    """A fixed-point op that the float rewrites would have fused, or None.

    A naive matvec chain (`ernn.cmul` of a broadcast input's rFFT) or, with
    `accumulate`, an `ernn.add` of two IRFFT(spectral MAC) terms whose
    values are fixed point: fusion after ernn-quantize cannot rewrite them
    (the fixed-point formats of the naive form do not carry over to the
    fused one), so the pass reports them instead of passing them through.
    Round trips (irfft -> rfft) are left alone silently: in fixed point
    they round, so keeping them is exact to the IR as written.
    """
    for o in module.walk():
        if isinstance(o, ernn.ComplexMulOp):
            if not is_float_tensor(o.result) and _match_naive(o, float_only=False) is not None:
                return o
        elif accumulate and isinstance(o, ernn.AddOp):
            if is_float_tensor(o.result):
                continue
            a, b = _spectral_term(o.lhs, False), _spectral_term(o.rhs, False)
            if a is not None and b is not None and a[0] is not b[0]:
                return o
    return None


@dataclass(frozen=True)
class FftFusionPass(CheckedPass):
    """Share input rFFTs, fuse matvecs into spectral MACs, accumulate in frequency, drop round trips.

    Options: `accumulate` (frequency-domain accumulation of added matvecs,
    default true), `round_trips` (remove exact irfft -> rfft round trips,
    default true).
    """

    name = "ernn-fft-fusion"

    accumulate: bool = True
    round_trips: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        fixed = fixed_point_leftover(op, self.accumulate)
        if fixed is not None:
            t = fixed.results[0].type
            et = t.element_type if isinstance(t, TensorType) else t
            raise DiagnosticException(
                f"ernn-fft-fusion: the FFT form is already fixed point ('{fixed.name}' on {et}); "
                "run ernn-fft-fusion before ernn-quantize"
            )
        share_input_ffts(op)
        fuse_matvecs(op, _Shared.collect(op))
        if self.accumulate:
            accumulate_adds(op)
        if self.round_trips:
            remove_round_trips(op)
        share_input_ffts(op)
