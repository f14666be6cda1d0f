"""SSA dominance: every operand is defined before its use, in its block or an enclosing one.

xDSL's parser accepts forward references and its verifier does not check
dominance, so `%a = ernn.add %b, %b` above the definition of `%b`, or an
`ernn.scan` body using a value defined after the scan or inside another
region, verify; the reference interpreter then fails looking the value up.
This is the rule the reference (and MLIR) needs, for single-block regions
as all of ernn's are: a use sees the arguments of its own and every
enclosing block, and the results of the ops before it (or before its
enclosing op) there; an op that is `IsolatedFromAbove` (func.func) sees
nothing outside itself.  Values of other blocks of a multi-block region do
not count as visible.
"""

from __future__ import annotations

from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.traits import IsolatedFromAbove


def _name(v: SSAValue) -> str:
    return f"%{v.name_hint}" if v.name_hint else ("a block argument" if isinstance(v, BlockArgument)
                                                  else f"result #{v.index} of '{v.op.name}'")


def _where(v: SSAValue, use: Operation) -> str:
    if isinstance(v, OpResult):
        d = v.op
        if d.parent_block() is use.parent_block():
            return "later in the same block"
        if d.is_ancestor(use):
            return "by an op that encloses the use"
        node = use.parent_op()
        while node is not None:
            if node.parent_block() is d.parent_block():
                return f"after the '{node.name}' that holds the use"
            node = node.parent_op()
        return "in a region that does not enclose the use"
    return "as an argument of a block that does not enclose the use"


def visible_at(op: Operation) -> set[SSAValue]:
    """The values `op` may use that are defined outside it."""
    seen: set[SSAValue] = set()
    node: Operation | None = op
    while node is not None:
        block = node.parent_block()
        if block is None:
            break
        seen.update(block.args)
        for before in block.ops:
            if before is node:
                break
            seen.update(before.results)
        parent = block.parent_op()
        if parent is None or parent.has_trait(IsolatedFromAbove):
            break
        node = parent
    return seen


def first_violation(block: Block, visible: set[SSAValue]) -> tuple[Operation, int, str] | None:
    """(op, operand index, message) of the first use in `block` (and nested) that is not dominated."""
    local = set(block.args)
    for op in block.ops:
        for i, v in enumerate(op.operands):
            if v not in local and v not in visible:
                return op, i, (f"operand #{i} ({_name(v)}) is defined {_where(v, op)}; a value "
                               "must be defined before its use, in the same block or an enclosing one")
        if op.regions:
            inner = set() if op.has_trait(IsolatedFromAbove) else visible | local
            for region in op.regions:
                for b in region.blocks:
                    found = first_violation(b, inner)
                    if found is not None:
                        return found
        local.update(op.results)
    return None


def check_op(op: Operation) -> tuple[Operation, int, str] | None:
    """The first dominance violation inside `op`'s regions (values around `op` as they are at it)."""
    outer = set() if op.has_trait(IsolatedFromAbove) else visible_at(op)
    for region in op.regions:
        for b in region.blocks:
            found = first_violation(b, outer)
            if found is not None:
                return found
    return None
