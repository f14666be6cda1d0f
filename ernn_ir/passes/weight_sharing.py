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
3. Block sharing (option `dedup-blocks`, default true).  Pooled spectrum
   globals `[..., K, 2]` are grouped by element type and bins K.  Within a
   group, the globals whose `[K, 2]` blocks repeat (bytes equal: exact, so
   0.0 and -0.0 stay apart) store one table of the group's distinct blocks,
   `ernn.global @wtN : [n, K, 2]` (first occurrence order), and each an
   index table `@<name>_idx : [...]` of the smallest of i8/i16/i32 that
   holds n - 1; its readers become `ernn.gather_blocks` of the two, which
   rebuilds the spectrum bit for bit.  A global joins the table only if it
   saves bits (its blocks found elsewhere in the group or repeated, minus
   its index table); a group is rewritten only if table + index bits are
   fewer than the spectra stored whole.  Random weights share nothing and
   are left as they are.  Spectra already in block form are not redone
   (the pass is idempotent); spectra refolded after a later pass (e.g. a
   concat of gathers after fusion) are pooled and shared anew.
4. Clean-up.  Constant chains left dead (the `ernn.circulant` matrices,
   `circulant_params`, `reshape`, weight `rfft`) and unused globals are
   erased; loop-invariant pure ops of `ernn.scan` bodies (slices of
   peepholes and biases) are hoisted in front of the loop.

Option `report`: "" (default, silent), "-" (a summary on stderr) or a file
path, receiving the number of globals, folded constants, stored and
deduplicated bytes, and the block tables: blocks shared and bytes saved.
`ernn_ir.analysis.op_count` reports the same storage figures from the IR.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Operation, SSAValue

from ernn_ir.builder import dense_attr
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.pool_ops import (
    GatherBlocksOp,
    GetGlobalOp,
    GlobalOp,
    gather_sources,
    index_width,
    lookup_global,
)
from ernn_ir.outputs import write_side_output
from ernn_ir.passes.fft_fusion import def_op, erase_dead
from ernn_ir.passes.options import CheckedPass

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
    GatherBlocksOp,
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
    elif isinstance(o, GatherBlocksOp):
        from ernn_ir.lowering.reference.pool import gather_blocks

        tab, idx = _const_value(o.table, cache), _const_value(o.index, cache)
        if tab is not None and idx is not None:
            val = gather_blocks(tab, idx)
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
    block_tables: int = 0
    """block tables (`ernn.global` of distinct blocks) in the module"""
    block_spectra: int = 0
    """spectra stored as index tables into a block table"""
    blocks_indexed: int = 0
    """blocks those spectra hold (sum of the index table sizes)"""
    blocks_distinct: int = 0
    """blocks stored in the tables"""
    block_saved_bytes: int = 0
    """bytes of those spectra stored whole, minus table and index bytes"""

    @property
    def blocks_shared(self) -> int:
        return self.blocks_indexed - self.blocks_distinct

    def summary(self) -> str:
        return (
            f"ernn-weight-sharing: {self.globals} global(s), {self.folded} constant(s) folded or "
            f"pooled, {self.stored_bytes} bytes stored, {self.deduplicated_bytes} bytes deduplicated; "
            f"{self.block_tables} block table(s) for {self.block_spectra} spectra, "
            f"{self.blocks_shared} of {self.blocks_indexed} blocks shared, "
            f"{self.block_saved_bytes} bytes saved"
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


# ---------------------------------------------------------------------------
# Block sharing


def _spectrum_bins(t: TensorType) -> int | None:
    """K of a `[..., K, 2]` spectrum type with a leading block axis (b = 2(K-1) a power of two)."""
    sh = t.get_shape()
    if len(sh) < 3 or sh[-1] != 2 or sh[-2] < 2:
        return None
    b = 2 * (sh[-2] - 1)
    if b & (b - 1):
        return None
    e = t.element_type
    if not (checks.is_float(e) or checks.is_fixed(e)):
        return None
    return sh[-2]


def _elem_bits(t: TensorType) -> int:
    e = t.element_type
    if isinstance(e, ernn.FixedType):
        return e.width.data
    return e.bitwidth  # type: ignore[attr-defined]


def _readers(module: ModuleOp) -> dict[str, list[GetGlobalOp]]:
    out: dict[str, list[GetGlobalOp]] = {}
    for o in module.walk():
        if isinstance(o, GetGlobalOp):
            out.setdefault(o.global_name.root_reference.data, []).append(o)
    return out


@dataclass
class _Member:
    g: GlobalOp
    rows: np.ndarray  # [n_blocks, K*2] storage values
    keys: list[bytes]

    @property
    def n(self) -> int:
        return len(self.keys)


def _select(members: list[_Member], block_bits: int) -> tuple[list[_Member], int]:
    """The members worth indexing into one shared table, and the table size.

    A member's benefit: its blocks stored whole, minus the blocks only it
    brings to the table, minus its index table.  The worst member goes while
    some benefit is <= 0 (the table and the index width change each time).
    """
    members = list(members)
    while members:
        owners: dict[bytes, int] = {}
        for m in members:
            for k in set(m.keys):
                owners[k] = owners.get(k, 0) + 1
        iw = index_width(len(owners))
        worst, worst_gain = None, 0
        for m in members:
            own = sum(1 for k in set(m.keys) if owners[k] == 1)
            gain = (m.n - own) * block_bits - m.n * iw
            if gain <= worst_gain:
                worst, worst_gain = m, gain
        if worst is None:
            return members, len(owners)
        members.remove(worst)
    return [], 0


def _unique_name(base: str, names: set[str]) -> str:
    name, k = base, 0
    while name in names:
        k += 1
        name = f"{base}_{k}"
    names.add(name)
    return name


def share_blocks(module: ModuleOp) -> int:
    """Store repeated blocks of pooled spectra once (see the module docstring); returns tables made."""
    readers = _readers(module)
    tables_now = set()
    for o in module.walk():
        if isinstance(o, GatherBlocksOp):
            src = gather_sources(o)
            if src is not None:
                tables_now.add(src[0].sym_name.data)
    groups: dict[tuple[object, int], list[_Member]] = {}
    names: set[str] = set()
    for g in module.ops:
        if not isinstance(g, GlobalOp):
            continue
        name = g.sym_name.data
        names.add(name)
        K = _spectrum_bins(g.type)
        if K is None or name in tables_now or not readers.get(name):
            continue
        if any(isinstance(u.operation, GatherBlocksOp) for r in readers[name] for u in r.result.uses):
            continue  # read as a table or an index by a gather of another kind
        rows = np.ascontiguousarray(dense_to_numpy(g.value)).reshape(-1, 2 * K)
        keys = [r.tobytes() for r in rows]
        groups.setdefault((g.type.element_type, K), []).append(_Member(g, rows, keys))
    made = 0
    wt = 0
    for (elem, K), members in groups.items():
        bits = _elem_bits(members[0].g.type)
        block_bits = 2 * K * bits
        chosen, n_distinct = _select(members, block_bits)
        if not chosen:
            continue
        iw = index_width(n_distinct)
        whole = sum(m.n for m in chosen) * block_bits
        shared = n_distinct * block_bits + sum(m.n for m in chosen) * iw
        if shared >= whole:
            continue
        # the table: distinct blocks in order of first occurrence
        pos: dict[bytes, int] = {}
        table_rows: list[np.ndarray] = []
        for m in chosen:
            for k, r in zip(m.keys, m.rows):
                if k not in pos:
                    pos[k] = len(table_rows)
                    table_rows.append(r)
        storage = chosen[0].g.value.get_element_type()
        table = np.stack(table_rows)
        tname = f"wt{wt}"
        while tname in names:
            wt += 1
            tname = f"wt{wt}"
        names.add(tname)
        wt += 1
        ttype = TensorType(elem, (len(table_rows), K, 2))
        tattr = DenseIntOrFPElementsAttr(
            TensorType(storage, (len(table_rows), K, 2)), BytesAttr(table.tobytes())
        )
        tglobal = GlobalOp(tname, tattr, ttype)
        module.body.block.insert_op_before(tglobal, chosen[0].g)
        itype_e = IntegerType(iw)
        table_readers: dict[int, SSAValue] = {}
        for m in chosen:
            g = m.g
            lead = tuple(g.type.get_shape()[:-2])
            idx = np.array([pos[k] for k in m.keys], dtype=f"<i{iw // 8}").reshape(lead)
            itype = TensorType(itype_e, lead)
            iname = _unique_name(g.sym_name.data + "_idx", names)
            iglobal = GlobalOp(
                iname, DenseIntOrFPElementsAttr(itype, BytesAttr(idx.tobytes())), itype, g.merged_count
            )
            module.body.block.insert_op_before(iglobal, g)
            for r in readers[g.sym_name.data]:
                blk = r.parent_block()
                assert blk is not None
                t = table_readers.get(id(blk))
                if t is None:
                    tr = GetGlobalOp(tname, ttype)
                    blk.insert_op_before(tr, r)
                    tr.result.name_hint = tname
                    t = table_readers[id(blk)] = tr.result
                ir = GetGlobalOp(iname, itype)
                blk.insert_op_before(ir, r)
                ir.result.name_hint = iname
                gather = GatherBlocksOp(t, ir.result, g.type)
                blk.insert_op_before(gather, r)
                gather.result.name_hint = r.result.name_hint
                r.result.replace_all_uses_with(gather.result)
                r.detach()
                r.erase()
            g.detach()
            g.erase()
        made += 1
    return made


def _block_stats(module: ModuleOp, stats: SharingStats) -> dict[str, int]:
    """Fill the block-table figures of `stats`; returns index global -> bytes of its spectrum whole."""
    tables: set[str] = set()
    indexes: dict[str, tuple[GlobalOp, GlobalOp]] = {}
    for o in module.walk():
        if isinstance(o, GatherBlocksOp):
            src = gather_sources(o)
            if src is not None:
                tables.add(src[0].sym_name.data)
                indexes.setdefault(src[1].sym_name.data, src)
    table_bytes = {g.sym_name.data: _nbytes(g) for g in module.ops if isinstance(g, GlobalOp)}
    stats.block_tables = len(tables)
    stats.block_spectra = len(indexes)
    saved = 0
    whole: dict[str, int] = {}
    for tg, ig in indexes.values():
        n = math.prod(ig.type.get_shape())
        stats.blocks_indexed += n
        whole[ig.sym_name.data] = n * (_nbytes(tg) // max(tg.type.get_shape()[0], 1))
        saved += whole[ig.sym_name.data] - _nbytes(ig)
    for t in tables:
        stats.blocks_distinct += _global(module, t).type.get_shape()[0]
        saved -= table_bytes[t]
    stats.block_saved_bytes = saved
    return whole


def _global(module: ModuleOp, name: str) -> GlobalOp:
    for o in module.ops:
        if isinstance(o, GlobalOp) and o.sym_name.data == name:
            return o
    raise KeyError(name)


def share_weights(module: ModuleOp, dedup_blocks: bool = True) -> SharingStats:
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
        if isinstance(d, GatherBlocksOp) and gather_sources(d) is not None:
            continue  # already pooled, in block form
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
    if dedup_blocks:
        share_blocks(module)
    whole = _block_stats(module, stats)
    for o in module.ops:
        if isinstance(o, GlobalOp):
            stats.globals += 1
            stats.names.append(o.sym_name.data)
            stats.stored_bytes += _nbytes(o)
            # identical constants merged: counted at the size of the value they stand for
            stats.deduplicated_bytes += (o.merged_count - 1) * whole.get(o.sym_name.data, _nbytes(o))
    return stats


@dataclass(frozen=True)
class WeightSharingPass(CheckedPass):
    """Fold weight spectra at compile time into a module-level pool of `ernn.global` constants."""

    name = "ernn-weight-sharing"

    report: str = ""
    """"" (silent), "-" (stderr) or a file path for the summary line."""

    hoist: bool = True
    """Hoist loop-invariant pure ops out of `ernn.scan` bodies."""

    dedup_blocks: bool = True
    """Store repeated `[K, 2]` blocks of pooled spectra once (a table of distinct blocks per
    element type and K, an index table per spectrum, `ernn.gather_blocks` at the readers),
    where that takes fewer bits than the spectra stored whole."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        stats = share_weights(op, self.dedup_blocks)
        if self.hoist:
            hoist_invariants(op)
        if self.report:
            line = stats.summary() + "\n"
            if self.report == "-":
                sys.stderr.write(line)
            else:
                write_side_output(self.report, line)
