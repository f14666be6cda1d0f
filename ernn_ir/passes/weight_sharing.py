"""`ernn-weight-sharing`: weight spectra computed at compile time and stored once, in a module pool.

1. Folding.  Every weight operand of `ernn.spectral_mac` (and the spectrum
   operands of `ernn.cmul`) that derives only from constants, e.g.
   `rfft(reshape(circulant_params(ernn.circulant)))` or an `ernn.concat` of
   such spectra, is evaluated now (float only: a fixed-point FFT keeps its
   rounding in hardware) into a `[p, q, K, 2]` spectrum, K = b/2 + 1 bins.
2. Pooling.  Each distinct folded value (same type, same bytes) becomes one
   module-level `ernn.global`; every user reads it with `ernn.get_global`
   placed at the top of its function, so nothing of it stays in an
   `ernn.scan` body.  `merged(n)` on a global records that n identical
   constants were stored once.
3. Clean-up.  Constant chains left dead (the `ernn.circulant` matrices,
   `circulant_params`, `reshape`, weight `rfft`) and unused globals are
   erased; loop-invariant pure ops of `ernn.scan` bodies (slices of
   peepholes and biases) are hoisted in front of the loop.

Option `report`: "" (default, silent), "-" (a summary on stderr) or a file
path, receiving the number of globals, folded constants, stored and
deduplicated bytes.  `ernn_ir.analysis.op_count` reports the same storage
figures and block-level duplicates from the IR.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from ernn_ir.builder import dense_attr
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.pool_ops import GetGlobalOp, GlobalOp, lookup_global
from ernn_ir.passes.fft_fusion import def_op, erase_dead

_PURE_HOISTABLE = (
    ernn.SliceOp,
    ernn.ConcatOp,
    ernn.ReshapeOp,
    ernn.PadOp,
    ernn.BroadcastOp,
    ernn.CirculantParamsOp,
    ernn.ConstantOp,
    ernn.CirculantOp,
    GetGlobalOp,
)


def _const_value(v: SSAValue, cache: dict[int, np.ndarray | None]) -> np.ndarray | None:
    """The compile-time value of `v` (float array, or raw int64 for a fixed constant), or None."""
    k = id(v)
    if k in cache:
        return cache[k]
    cache[k] = None  # cycles cannot happen in SSA, but keep the recursion safe
    o = def_op(v)
    val: np.ndarray | None = None
    from ernn_ir.lowering.reference.pool import global_value
    from ernn_ir.lowering.reference.structure import constant_value

    if isinstance(o, ernn.ConstantOp | ernn.CirculantOp):
        val = constant_value(o)
    elif isinstance(o, GetGlobalOp):
        g = lookup_global(o)
        val = None if g is None else global_value(g)
    elif o is not None and all(
        isinstance(t, TensorType | ernn.CirculantType) and checks.is_float(t.element_type)
        for t in [*(x.type for x in o.operands), *(r.type for r in o.results)]
    ):
        args = [_const_value(x, cache) for x in o.operands]
        if o.operands and all(a is not None for a in args):
            val = _evaluate(o, args)  # type: ignore[arg-type]
    cache[k] = val
    return val


def _evaluate(o: Operation, args: list[np.ndarray]) -> np.ndarray | None:
    from ernn_ir.numerics import rfft_blocks

    rt = o.results[0].type
    if isinstance(o, ernn.CirculantParamsOp):
        return args[0]
    if isinstance(o, ernn.ReshapeOp):
        return args[0].reshape(tuple(rt.get_shape()))  # type: ignore[attr-defined]
    if isinstance(o, ernn.RfftOp):
        b = 2 * (rt.get_shape()[-2] - 1)  # type: ignore[attr-defined]
        from ernn_ir.lowering.reference.values import float_dtype

        return rfft_blocks(args[0], b).astype(float_dtype(rt), copy=False)
    if isinstance(o, ernn.ConcatOp):
        return np.concatenate(args, axis=o.axis.value.data)
    if isinstance(o, ernn.SliceOp):
        a, off = o.axis.value.data, o.offset.value.data
        size = rt.get_shape()[a]  # type: ignore[attr-defined]
        idx = [slice(None)] * args[0].ndim
        idx[a] = slice(off, off + size)
        return args[0][tuple(idx)]
    if isinstance(o, ernn.PadOp):
        n = rt.get_shape()[-1]  # type: ignore[attr-defined]
        out = np.zeros((*args[0].shape[:-1], n), dtype=args[0].dtype)
        out[..., : args[0].shape[-1]] = args[0]
        return out
    return None


def weight_roots(module: ModuleOp) -> list[SSAValue]:
    """Spectrum operands that hold weights: spectral_mac weights, cmul operands."""
    roots: list[SSAValue] = []
    seen: set[int] = set()
    for o in module.walk():
        if isinstance(o, ernn.SpectralMacOp):
            cands = [o.weight]
        elif isinstance(o, ernn.ComplexMulOp):
            cands = [o.lhs, o.rhs]
        else:
            continue
        for v in cands:
            if id(v) not in seen:
                seen.add(id(v))
                roots.append(v)
    return roots


@dataclass
class SharingStats:
    globals: int = 0
    folded: int = 0
    stored_bytes: int = 0
    deduplicated_bytes: int = 0
    names: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"ernn-weight-sharing: {self.globals} global(s), {self.folded} constant(s) folded or "
            f"pooled, {self.stored_bytes} bytes stored, {self.deduplicated_bytes} bytes deduplicated"
        )


def _nbytes(g: GlobalOp) -> int:
    return len(g.value.data.data)


def _anchor(user: Operation) -> tuple[object, InsertPoint]:
    """Where a get_global for `user` goes: the top of its function (key, insertion point)."""
    o: Operation | None = user
    while o is not None and not isinstance(o, func.FuncOp):
        o = o.parent_op()
    if o is not None and o.body.blocks:
        blk = o.body.blocks[0]
        last = None
        for x in blk.ops:
            if not isinstance(x, GetGlobalOp):
                break
            last = x
        return blk, InsertPoint.at_start(blk) if last is None else InsertPoint.after(last)
    # not in a function: in front of the outermost op below the module
    a = user
    while a.parent_op() is not None and not isinstance(a.parent_op(), ModuleOp):
        a = a.parent_op()  # type: ignore[assignment]
    return a.parent_block(), InsertPoint.before(a)


def hoist_invariants(module: ModuleOp) -> int:
    """Move pure ops of `ernn.scan` bodies whose operands come from outside in front of the loop."""
    n = 0
    for scan in [o for o in module.walk() if isinstance(o, ernn.ScanOp)]:
        body = scan.body.block
        changed = True
        while changed:
            changed = False
            for o in list(body.ops):
                if not isinstance(o, _PURE_HOISTABLE):
                    continue
                if any(getattr(v, "owner", None) is not None and _inside(v, scan) for v in o.operands):
                    continue
                o.detach()
                scan.parent_block().insert_op_before(o, scan)  # type: ignore[union-attr]
                n += 1
                changed = True
    return n


def _inside(v: SSAValue, scan: Operation) -> bool:
    from xdsl.ir import BlockArgument

    if isinstance(v, BlockArgument):
        p = v.block.parent_op()
    else:
        p = v.op
    while p is not None:
        if p is scan:
            return True
        p = p.parent_op()
    return False


def share_weights(module: ModuleOp) -> SharingStats:
    stats = SharingStats()
    pool: dict[tuple[object, bytes], GlobalOp] = {}
    names = set()
    for o in module.ops:
        if isinstance(o, GlobalOp):
            pool.setdefault((o.type, o.value.data.data), o)
            names.add(o.sym_name.data)
    readers: dict[tuple[int, str], SSAValue] = {}
    cache: dict[int, np.ndarray | None] = {}
    counter = 0
    dead: list[Operation] = []
    for v in weight_roots(module):
        d = def_op(v)
        if d is None or isinstance(d, GetGlobalOp):
            continue
        t = v.type
        if not isinstance(t, TensorType):
            continue
        val = _const_value(v, cache)
        if val is None:
            continue
        attr = dense_attr(val, t.element_type)
        key = (t, attr.data.data)
        g = pool.get(key)
        if g is None:
            while f"ws{counter}" in names:
                counter += 1
            name = f"ws{counter}"
            names.add(name)
            g = GlobalOp(name, attr, t)
            # globals go in front of the first function, in creation order
            first = next((o for o in module.ops if not isinstance(o, GlobalOp)), None)
            if first is None:
                module.body.block.add_op(g)
            else:
                module.body.block.insert_op_before(g, first)
            pool[key] = g
        elif g.merged_count >= 1:
            g.merged = IntegerAttr(g.merged_count + 1, 64)
        stats.folded += 1
        for use in list(v.uses):
            user = use.operation
            blk, ip = _anchor(user)
            rk = (id(blk), g.sym_name.data)
            r = readers.get(rk)
            if r is None or r.owner.parent is None:  # type: ignore[union-attr]
                op = GetGlobalOp(g.sym_name.data, t)
                Builder(ip).insert(op)
                op.result.name_hint = g.sym_name.data
                r = readers[rk] = op.result
            user.operands[use.index] = r
        dead.append(d)
    erase_dead(dead)
    # unused globals (left by an earlier run whose users were folded further)
    used = {o.global_name.root_reference.data for o in module.walk() if isinstance(o, GetGlobalOp)}
    for o in list(module.ops):
        if isinstance(o, GlobalOp) and o.sym_name.data not in used:
            o.detach()
            o.erase()
    for o in module.ops:
        if isinstance(o, GlobalOp):
            stats.globals += 1
            stats.names.append(o.sym_name.data)
            stats.stored_bytes += _nbytes(o)
            stats.deduplicated_bytes += (o.merged_count - 1) * _nbytes(o)
    return stats


@dataclass(frozen=True)
class WeightSharingPass(ModulePass):
    """Fold weight spectra at compile time into a module-level pool of `ernn.global` constants."""

    name = "ernn-weight-sharing"

    report: str = ""
    """"" (silent), "-" (stderr) or a file path for the summary line."""

    hoist: bool = True
    """Hoist loop-invariant pure ops out of `ernn.scan` bodies."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        stats = share_weights(op)
        if self.hoist:
            hoist_invariants(op)
        if self.report:
            line = stats.summary() + "\n"
            if self.report == "-":
                sys.stderr.write(line)
            else:
                with open(self.report, "w") as f:
                    f.write(line)
