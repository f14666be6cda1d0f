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
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    I64,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
    TensorType,
)
from xdsl.ir import Attribute, Operation
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
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
    get.  `merged` (default 1) counts the identical constants of the input
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
        elem = checks.numeric_element(t, "type")
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
