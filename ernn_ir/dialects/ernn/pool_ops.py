"""The module-level constant pool: `ernn.global` (one stored constant) and `ernn.get_global`.

`ernn-weight-sharing` moves weight spectra here: every distinct constant is
stored once, at module level, and every function reads it through
`ernn.get_global`, placed outside the time loop.  On hardware a global is
one ROM/BRAM image; `merged` records how many identical constants of the
input IR it replaced (for the storage report).

    ernn.global @ws0 dense<"0x..."> merged(2) -> tensor<8x4x5x2xf32>
    func.func @main(...) {
      %W = ernn.get_global @ws0 -> tensor<8x4x5x2xf32>
      ...
    }

Block-level sharing: a spectrum whose `[K, 2]` blocks repeat (within one
constant or across several) is stored as a table of its distinct blocks,
shared by every spectrum of that element type and block shape, plus one
integer index table per spectrum; `ernn.gather_blocks` rebuilds the spectrum
where it is read (on hardware: one address indirection in front of the ROM).

    ernn.global @wt0 dense<"0x..."> -> tensor<5x5x2xf32>
    ernn.global @ws0_idx dense<[[0, 1], [1, 2], ...]> : tensor<8x4xi8> -> tensor<8x4xi8>
    func.func @main(...) {
      %wt0 = ernn.get_global @wt0 -> tensor<5x5x2xf32>
      %ws0_idx = ernn.get_global @ws0_idx -> tensor<8x4xi8>
      %W = ernn.gather_blocks %wt0, %ws0_idx : tensor<5x5x2xf32>, tensor<8x4xi8> -> tensor<8x4x5x2xf32>
      ...
    }
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    I64,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
    TensorType,
)
from xdsl.ir import Attribute, Operation, OpResult, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import (
    HasParent,
    Pure,
    SymbolOpInterface,
    SymbolTable,
    SymbolUserOpInterface,
)
from xdsl.utils.exceptions import VerifyException

from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.types import describe


@irdl_op_definition
class GlobalOp(IRDLOperation):
    """A named module-level constant tensor of the constant pool.

    `value` is stored exactly as in `ernn.constant` (floats as themselves,
    `!ernn.fixed<W, F>` as raw integers); `type` is the tensor type readers
    get.  Besides f32, f64 and `!ernn.fixed`, a global may hold a signless
    integer tensor (i8, i16, i32, i64): the index table of a block-shared
    spectrum, read by `ernn.gather_blocks`.  `merged` (default 1) counts the identical constants of the input
    IR this global replaced, so `(merged - 1) * size` bytes were saved.

        ernn.global @ws0 dense<"0x..."> merged(2) -> tensor<8x4x5x2xf32>
    """

    name = "ernn.global"

    sym_name = prop_def(SymbolNameConstraint())
    value = prop_def(DenseIntOrFPElementsAttr)
    type = prop_def(TensorType)
    merged = opt_prop_def(IntegerAttr[I64])

    traits = traits_def(SymbolOpInterface(), HasParent(ModuleOp))
    assembly_format = "$sym_name $value (`merged` `(` $merged^ `)`)? attr-dict `->` $type"

    def __init__(
        self, sym_name: str, value: DenseIntOrFPElementsAttr, type: TensorType, merged: int = 1
    ):
        props: dict[str, Attribute] = {
            "sym_name": StringAttr(sym_name),
            "value": value,
            "type": type,
        }
        if merged != 1:
            props["merged"] = IntegerAttr(merged, 64)
        super().__init__(properties=props)

    @property
    def merged_count(self) -> int:
        return 1 if self.merged is None else self.merged.value.data

    def verify_(self) -> None:
        t = checks.tensor(self.type, "type")
        if is_index_type(t.element_type):
            elem = t.element_type
            checks.shape_eq(self.value.get_shape(), t.get_shape(), "value")
            if self.value.get_element_type() != elem:
                checks.fail(
                    f"value is stored as {describe(self.value.get_element_type())} "
                    f"but the value type is {describe(elem)}"
                )
        else:
            e = t.element_type
            if not (checks.is_float(e) or checks.is_fixed(e)):
                checks.fail(
                    "type element type must be f32, f64, !ernn.fixed or (an index table) "
                    f"a signless i8, i16, i32 or i64, got {describe(e)}"
                )
            elem = e
            checks.shape_eq(self.value.get_shape(), t.get_shape(), "value")
            checks.storage_matches(self.value, elem, "value")
        if self.merged is not None and self.merged.value.data < 1:
            checks.fail(f"merged must be >= 1, got {self.merged.value.data}")


class GetGlobalSymbolUser(SymbolUserOpInterface):
    def verify(self, op: Operation) -> None:
        assert isinstance(op, GetGlobalOp)
        g = lookup_global(op)
        if g is None:
            raise VerifyException(
                f"'{op.name}' refers to @{op.global_name.root_reference.data}, "
                "which is not an ernn.global of the enclosing module"
            )
        if g.type != op.result.type:
            raise VerifyException(
                f"'{op.name}' result type {describe(op.result.type)} must be the type "
                f"{describe(g.type)} of @{g.sym_name.data}"
            )


def lookup_global(op: Operation) -> GlobalOp | None:
    """The `ernn.global` an `ernn.get_global` reads, or None."""
    assert isinstance(op, GetGlobalOp)
    try:
        g = SymbolTable.lookup_symbol(op, op.global_name)
    except ValueError:
        return None
    return g if isinstance(g, GlobalOp) else None


@irdl_op_definition
class GetGlobalOp(IRDLOperation):
    """Reads the constant `ernn.global @name` of the enclosing module (same type).

        %W = ernn.get_global @ws0 -> tensor<8x4x5x2xf32>
    """

    name = "ernn.get_global"

    global_name = prop_def(SymbolRefAttr, prop_name="name")
    result = result_def(TensorType)

    traits = traits_def(Pure(), GetGlobalSymbolUser())
    assembly_format = "$name attr-dict `->` type($result)"

    def __init__(self, name: str | SymbolRefAttr, result_type: Attribute):
        if isinstance(name, str):
            name = SymbolRefAttr(name)
        super().__init__(properties={"name": name}, result_types=[result_type])

    def verify_(self) -> None:
        checks.tensor(self.result.type, "result")


INDEX_WIDTHS = (8, 16, 32, 64)


def is_index_type(e: Attribute) -> bool:
    """A signless i8/i16/i32/i64: the element type of block index tables."""
    return (
        isinstance(e, IntegerType)
        and e.signedness.data == Signedness.SIGNLESS
        and e.width.data in INDEX_WIDTHS
    )


def index_width(n_distinct: int) -> int:
    """The smallest of 8/16/32 (64) bits whose signed range holds indices 0 .. n_distinct - 1."""
    for w in INDEX_WIDTHS:
        if n_distinct - 1 <= (1 << (w - 1)) - 1:
            return w
    raise ValueError(f"{n_distinct} blocks need more than 64-bit indices")


@irdl_op_definition
class GatherBlocksOp(IRDLOperation):
    """Rebuilds a tensor of blocks from a table of distinct blocks and an index table.

    `table` is `[n, B...]`: n distinct blocks of shape `B` (for a weight
    spectrum B = `[K, 2]`).  `index` is an integer tensor of any shape `L`
    (for a spectrum `[p, q]`).  The result, of shape `L ++ B` and the
    table's element type, is

        result[l..., b...] = table[index[l...], b...]

    i.e. every block of the result is an exact copy of the table block its
    index entry names (no arithmetic: float and fixed-point values, including
    -0.0 and NaN payloads, are copied bit for bit).  Every index entry must be
    in [0, n); the verifier checks this when the index is read from a module
    global (`ernn.get_global`), the reference interpreter always.  Index
    entries are signed (i8, i16, i32 or i64); `ernn-weight-sharing` uses the
    smallest of i8/i16/i32 that holds n - 1.

        %W = ernn.gather_blocks %wt0, %ws0_idx : tensor<7x5x2xf32>, tensor<8x4xi8> -> tensor<8x4x5x2xf32>
    """

    name = "ernn.gather_blocks"

    table = operand_def(TensorType)
    index = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = (
        "$table `,` $index attr-dict `:` type($table) `,` type($index) `->` type($result)"
    )

    def __init__(self, table: SSAValue, index: SSAValue, result_type: Attribute):
        super().__init__(operands=[table, index], result_types=[result_type])

    def verify_(self) -> None:
        t = checks.tensor(self.table.type, "table")
        i = checks.tensor(self.index.type, "index")
        r = checks.tensor(self.result.type, "result")
        checks.numeric_element(t, "table")
        ts = t.get_shape()
        if len(ts) < 1:
            checks.fail("table must have rank >= 1 ([blocks, block dims...]), got a scalar tensor")
        if ts[0] < 1:
            checks.fail("table must hold at least one block, got 0")
        if not is_index_type(i.element_type):
            checks.fail(
                f"index element type must be a signless i8, i16, i32 or i64, got {describe(i.element_type)}"
            )
        if r.element_type != t.element_type:
            checks.fail(
                f"result element type {describe(r.element_type)} must be the table's "
                f"{describe(t.element_type)}"
            )
        checks.shape_eq(r.get_shape(), (*i.get_shape(), *ts[1:]), "result (index shape ++ block shape)")
        idx = static_index(self.index)
        if idx is not None and idx.size:
            lo, hi = int(idx.min()), int(idx.max())
            if lo < 0 or hi >= ts[0]:
                bad = lo if lo < 0 else hi
                checks.fail(f"index entry {bad} is out of range for a table of {ts[0]} block(s)")


def static_index(v: SSAValue):
    """The values of an index operand read from a module global (numpy array), or None."""
    if not isinstance(v, OpResult) or not isinstance(v.op, GetGlobalOp):
        return None
    try:
        g = SymbolTable.lookup_symbol(v.op, v.op.global_name)
    except ValueError:
        return None
    if not isinstance(g, GlobalOp) or g.type != v.type:
        return None
    return checks.dense_to_numpy(g.value)


def gather_sources(op: GatherBlocksOp) -> tuple[GlobalOp, GlobalOp] | None:
    """(table global, index global) of a gather whose operands are both `ernn.get_global`s."""
    out = []
    for v in (op.table, op.index):
        if not isinstance(v, OpResult) or not isinstance(v.op, GetGlobalOp):
            return None
        g = lookup_global(v.op)
        if g is None:
            return None
        out.append(g)
    return out[0], out[1]
