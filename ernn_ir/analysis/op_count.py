"""Operation counts and weight storage of ernn IR, per time step and per sequence.

Ops inside an `ernn.scan` body run once per time step ("per step"); ops
outside run once per sequence ("per sequence").  Model-level `ernn.lstm` /
`ernn.gru` count their matvecs per step.  What is counted:

- rFFT transforms: an `ernn.rfft` on `[..., q*b]` performs prod(leading
  dims) * q transforms; "weight" transforms are those whose operand derives
  only from constants (compile-time work once folded), "input" the rest.
- IRFFT transforms: prod(leading dims) * p for an `ernn.irfft` of `[..., p, K, 2]`.
- complex MACs: one per (output block, input block, bin, batch row) of an
  `ernn.spectral_mac`; complex multiplies of an `ernn.cmul`.
- real multiplies of those: bins 0 and b/2 of a real signal are real (one
  real multiply each), the other K-2 bins complex: per block
  2 + 4(K-2) with 4-multiply complex products (b = 8: 14), 2 + 3(K-2) with
  3-multiply products (b = 8: 11).
- element-wise real multiplies (`ernn.mul`).
- `circ_matvec` level: circulant blocks and dense-equivalent MACs (M*N per row).
- storage in bits from the element types (f32: 32, f64: 64, fixed<W,F>: W,
  iN: N): circulant parameters, weight spectra (pool globals and constant
  spectrum weights), other constants; distinct vs total blocks.
- block sharing (`ernn.gather_blocks` of a block table and an index table,
  made by `ernn-weight-sharing`): the weight-spectra bits count what is
  stored (table + index bits); the report also gives the bits of the same
  spectra stored whole (undeduplicated), the table and index bits, and how
  many blocks the tables share (index entries minus table blocks).  A
  spectrum's blocks and distinct blocks are counted through its index.

    from ernn_ir.analysis import count_ops, format_report
    print(format_report(count_ops(module)))
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    IntegerType,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Attribute, BlockArgument, Operation, SSAValue

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.pool_ops import (
    GatherBlocksOp,
    GetGlobalOp,
    GlobalOp,
    gather_sources,
)

COMPUTE_KEYS = [
    ("rfft_input", "rFFT transforms (input)"),
    ("rfft_weight", "rFFT transforms (weight, constant operand)"),
    ("irfft", "IRFFT transforms"),
    ("complex_macs", "complex MACs (spectral_mac)"),
    ("cmul_products", "complex multiplies (cmul)"),
    ("real_mults_4", "real mults in frequency (4-mult complex)"),
    ("real_mults_3", "real mults in frequency (3-mult complex)"),
    ("elementwise_mults", "element-wise real mults (ernn.mul)"),
    ("circ_blocks", "circulant blocks (circ_matvec level)"),
    ("dense_macs", "dense-equivalent MACs (circ_matvec level)"),
]


@dataclass
class Counts:
    rfft_input: int = 0
    rfft_weight: int = 0
    irfft: int = 0
    complex_macs: int = 0
    cmul_products: int = 0
    real_mults_4: int = 0
    real_mults_3: int = 0
    elementwise_mults: int = 0
    circ_blocks: int = 0
    dense_macs: int = 0

    @property
    def rfft(self) -> int:
        return self.rfft_input + self.rfft_weight


@dataclass
class Storage:
    param_bits: int = 0
    spectra_bits: int = 0
    other_bits: int = 0
    param_blocks: int = 0
    param_blocks_distinct: int = 0
    spectra_blocks: int = 0
    spectra_blocks_distinct: int = 0
    globals: int = 0
    deduplicated_bits: int = 0
    """identical constants merged (`merged(n)`): (n - 1) x the bits of the value, stored whole"""
    block_tables: int = 0
    block_table_bits: int = 0
    block_index_bits: int = 0
    blocks_stored: int = 0
    """blocks held by the block tables"""
    blocks_indexed: int = 0
    """blocks of the spectra stored as indexes (index entries)"""
    block_whole_bits: int = 0
    """bits of those spectra stored whole"""

    @property
    def blocks_shared(self) -> int:
        """Blocks not stored thanks to block tables (index entries - table blocks)."""
        return self.blocks_indexed - self.blocks_stored

    @property
    def block_saved_bits(self) -> int:
        return self.block_whole_bits - self.block_table_bits - self.block_index_bits

    @property
    def spectra_whole_bits(self) -> int:
        """Weight-spectra bits with every spectrum stored whole (no block tables)."""
        return self.spectra_bits + self.block_saved_bits


@dataclass
class OpCountReport:
    per_step: Counts = field(default_factory=Counts)
    per_sequence: Counts = field(default_factory=Counts)
    storage: Storage = field(default_factory=Storage)


def element_bits(t: Attribute) -> int:
    e = t.element_type if isinstance(t, TensorType | ernn.CirculantType) else t
    if isinstance(e, Float32Type):
        return 32
    if isinstance(e, Float64Type):
        return 64
    if isinstance(e, ernn.FixedType):
        return e.width.data
    if isinstance(e, IntegerType):
        return e.width.data
    return 0


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


def _in_scan(op: Operation) -> bool:
    p = op.parent_op()
    while p is not None:
        if isinstance(p, ernn.ScanOp):
            return True
        p = p.parent_op()
    return False


class _ConstDerived:
    def __init__(self) -> None:
        self.memo: dict[int, bool] = {}

    def __call__(self, v: SSAValue) -> bool:
        k = id(v)
        if k in self.memo:
            return self.memo[k]
        if isinstance(v, BlockArgument):
            r = False
        else:
            o = v.op
            if isinstance(o, ernn.ConstantOp | ernn.CirculantOp | GetGlobalOp):
                r = True
            elif o.regions or not o.operands:
                r = False
            else:
                r = all(self(x) for x in o.operands)
        self.memo[k] = r
        return r


def _freq_mults(blocks: int, K: int) -> tuple[int, int]:
    """Real multiplies for `blocks` blocks of K bins: (4-mult complex, 3-mult complex)."""
    if K <= 1:
        return blocks * K, blocks * K
    real = 2 if K >= 2 else 1
    cplx = max(K - 2, 0)
    return blocks * (real + 4 * cplx), blocks * (real + 3 * cplx)


def _matvec(c: Counts, w: ernn.CirculantType, rows: int) -> None:
    c.circ_blocks += rows * w.p * w.q
    c.dense_macs += rows * w.rows.data * w.cols.data


def _distinct_blocks(arr: np.ndarray, block_ndim: int) -> tuple[int, int]:
    if arr.ndim < block_ndim:
        return 0, 0
    flat = np.ascontiguousarray(arr).reshape(-1, int(np.prod(arr.shape[arr.ndim - block_ndim :])))
    if flat.shape[0] == 0:
        return 0, 0
    distinct = np.unique(flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))))
    return flat.shape[0], len(distinct)


def count_ops(module: ModuleOp) -> OpCountReport:
    rep = OpCountReport()
    const = _ConstDerived()
    weight_roots: set[int] = set()
    for o in module.walk():
        if isinstance(o, ernn.SpectralMacOp):
            weight_roots.add(id(o.weight))
        elif isinstance(o, ernn.ComplexMulOp):
            for v in (o.lhs, o.rhs):
                if const(v):
                    weight_roots.add(id(v))
    st = rep.storage
    tables: dict[str, GlobalOp] = {}
    index_of: dict[str, GlobalOp] = {}  # index global -> its table
    for o in module.walk():
        if isinstance(o, GatherBlocksOp):
            src = gather_sources(o)
            if src is not None:
                tables[src[0].sym_name.data] = src[0]
                index_of[src[1].sym_name.data] = src[0]
    for o in module.walk():
        c = rep.per_step if _in_scan(o) else rep.per_sequence
        if isinstance(o, ernn.RfftOp):
            n = math.prod(_shape(o.result)[:-2])
            if const(o.input):
                c.rfft_weight += n
            else:
                c.rfft_input += n
        elif isinstance(o, ernn.IrfftOp):
            c.irfft += math.prod(_shape(o.input)[:-2])
        elif isinstance(o, ernn.SpectralMacOp):
            p, q, K, _ = _shape(o.weight)
            lead = math.prod(_shape(o.input)[:-3])
            blocks = lead * p * q
            c.complex_macs += blocks * K
            m4, m3 = _freq_mults(blocks, K)
            c.real_mults_4 += m4
            c.real_mults_3 += m3
        elif isinstance(o, ernn.ComplexMulOp):
            s = _shape(o.result)
            c.cmul_products += math.prod(s[:-1])
            if len(s) >= 2:
                m4, m3 = _freq_mults(math.prod(s[:-2]), s[-2])
                c.real_mults_4 += m4
                c.real_mults_3 += m3
        elif isinstance(o, ernn.MulOp):
            c.elementwise_mults += math.prod(_shape(o.result))
        elif isinstance(o, ernn.CircMatvecOp):
            w = o.weight.type
            assert isinstance(w, ernn.CirculantType)
            _matvec(c, w, math.prod(_shape(o.input)[:-1]))
        elif isinstance(o, ernn.LstmOp | ernn.GruOp):
            B = _shape(o.input)[1]
            ws = [o.w_x.type, o.w_h.type]
            if isinstance(o, ernn.LstmOp) and o.proj is not None:
                ws.append(o.proj.type)
            if isinstance(o, ernn.GruOp) and not o.reset_after.value.data:
                ws.append(o.w_h.type)
            for w in ws:
                _matvec(rep.per_step, w, B)  # type: ignore[arg-type]
        # storage
        if isinstance(o, ernn.CirculantOp):
            t = o.result.type
            assert isinstance(t, ernn.CirculantType)
            st.param_bits += math.prod(t.param_shape) * element_bits(t)
            n, d = _distinct_blocks(dense_to_numpy(o.params), 1)
            st.param_blocks += n
            st.param_blocks_distinct += d
        elif isinstance(o, GlobalOp):
            name = o.sym_name.data
            bits = math.prod(o.type.get_shape()) * element_bits(o.type)
            st.spectra_bits += bits
            st.globals += 1
            if name in tables:
                st.block_tables += 1
                st.block_table_bits += bits
                st.blocks_stored += o.type.get_shape()[0]
                continue
            if name in index_of:
                tab = index_of[name].type
                n = math.prod(o.type.get_shape())
                whole = n * math.prod(tab.get_shape()[1:]) * element_bits(tab)
                st.block_index_bits += bits
                st.blocks_indexed += n
                st.block_whole_bits += whole
                st.deduplicated_bits += (o.merged_count - 1) * whole
                st.spectra_blocks += n
                st.spectra_blocks_distinct += len(np.unique(dense_to_numpy(o.value)))
                continue
            st.deduplicated_bits += (o.merged_count - 1) * bits
            n, d = _distinct_blocks(dense_to_numpy(o.value), 2)
            st.spectra_blocks += n
            st.spectra_blocks_distinct += d
        elif isinstance(o, ernn.ConstantOp):
            bits = math.prod(_shape(o.result)) * element_bits(o.result.type)
            if id(o.result) in weight_roots:
                st.spectra_bits += bits
                n, d = _distinct_blocks(dense_to_numpy(o.value), 2)
                st.spectra_blocks += n
                st.spectra_blocks_distinct += d
            else:
                st.other_bits += bits
    return rep


def format_report(rep: OpCountReport, title: str = "ernn op count") -> str:
    w = max(len(label) for _, label in COMPUTE_KEYS)
    lines = [f"// {title}", f"// {'metric':<{w}} {'per step':>14} {'per sequence':>14}"]
    rows = [(label, getattr(rep.per_step, k), getattr(rep.per_sequence, k)) for k, label in COMPUTE_KEYS]
    rows.insert(2, ("rFFT transforms (total)", rep.per_step.rfft, rep.per_sequence.rfft))
    for label, a, b in rows:
        lines.append(f"// {label:<{w}} {a:>14,} {b:>14,}")
    s = rep.storage
    lines.append(f"// {'storage':<{w}} {'bits':>14} {'blocks':>14} {'distinct':>9}")
    lines.append(f"// {'circulant parameters':<{w}} {s.param_bits:>14,} {s.param_blocks:>14,} {s.param_blocks_distinct:>9,}")
    lines.append(f"// {'weight spectra':<{w}} {s.spectra_bits:>14,} {s.spectra_blocks:>14,} {s.spectra_blocks_distinct:>9,}")
    if s.block_tables:
        lines.append(f"// {'  undeduplicated (blocks stored whole)':<{w}} {s.spectra_whole_bits:>14,}")
        lines.append(f"// {'  block tables (distinct blocks)':<{w}} {s.block_table_bits:>14,} {s.blocks_stored:>14,}")
        lines.append(f"// {'  block index tables':<{w}} {s.block_index_bits:>14,} {s.blocks_indexed:>14,}")
        lines.append(f"// {'  bits saved / blocks shared by tables':<{w}} {s.block_saved_bits:>14,} {s.blocks_shared:>14,}")
    lines.append(f"// {'other constants':<{w}} {s.other_bits:>14,}")
    lines.append(f"// {'pool globals / deduplicated bits':<{w}} {s.globals:>14,} {s.deduplicated_bits:>14,}")
    return "\n".join(lines) + "\n"


def block_duplicates(rep: OpCountReport) -> Counter:
    """Duplicate block counts (total - distinct) of parameters and spectra, and blocks shared by tables."""
    s = rep.storage
    return Counter(
        params=s.param_blocks - s.param_blocks_distinct,
        spectra=s.spectra_blocks - s.spectra_blocks_distinct,
        shared=s.blocks_shared,
    )
