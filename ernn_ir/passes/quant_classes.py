"""Value classes of `ernn-quantize`: which format class each SSA value of a float module gets.

The classes and their defaults are listed in `ernn_ir/passes/quantize.py`.
"""

from __future__ import annotations

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.traits import ConstantLike
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.pool_ops import GatherBlocksOp, GetGlobalOp
from ernn_ir.dialects.ernn.types import (
    CirculantType,
)

DATA_CLASSES = ("input", "acc", "cell", "act", "fft")
WEIGHT_CLASSES = ("input-weight", "recurrent-weight", "bias")
ALL_CLASSES = DATA_CLASSES + WEIGHT_CLASSES + ("twiddle", "table")

# Ops whose result is the input reinterpreted (same element type).
STRUCT_OPS = (ernn.SliceOp, ernn.ReshapeOp, ernn.PadOp, ernn.BroadcastOp, ernn.CirculantParamsOp)
# Ops that compute a new value and round it once into their result format.
ACC_OPS = (
    ernn.CircMatvecOp,
    ernn.DenseMatvecOp,
    ernn.SpectralMacOp,
    ernn.ComplexMulOp,
    ernn.ReduceSumOp,
    ernn.IrfftOp,
)
ACT_OPS = (ernn.SigmoidOp, ernn.TanhOp, ernn.PwlOp)
ELEMENTWISE = (ernn.AddOp, ernn.SubOp, ernn.MulOp)
CONST_OPS = (ernn.ConstantOp, ernn.CirculantOp, GetGlobalOp)



def _err(msg: str) -> DiagnosticException:
    return DiagnosticException(f"ernn-quantize: {msg}")



def _functions(module: ModuleOp) -> list[func.FuncOp]:
    return [o for o in module.ops if isinstance(o, func.FuncOp)]


def _elem(t: Attribute) -> Attribute:
    return t.element_type if isinstance(t, TensorType | CirculantType) else t  # type: ignore[union-attr]


# ---------------------------------------------------------------------------
# Classification (on the float IR)
# ---------------------------------------------------------------------------


class Classifier:
    def __init__(self) -> None:
        self.cls: dict[SSAValue, str] = {}

    @staticmethod
    def is_step_input(v: SSAValue) -> bool:
        if not isinstance(v, BlockArgument):
            return False
        parent = v.block.parent_op()
        if isinstance(parent, ernn.ScanOp):
            return v.index < len(parent.inputs)
        return isinstance(parent, func.FuncOp)

    def input_derived(self, v: SSAValue, depth: int = 0) -> bool:
        """Does v trace back (through shape ops and FFTs) to a sequence input x?"""
        if depth > 64:
            return False
        if isinstance(v, BlockArgument):
            return self.is_step_input(v)
        o = v.owner
        if isinstance(o, STRUCT_OPS + (ernn.RfftOp, ernn.ConcatOp, ernn.QuantizeOp, ernn.RequantizeOp)):
            return any(self.input_derived(x, depth + 1) for x in o.operands)
        return False

    def weight_class(self, v: SSAValue) -> str | None:
        """If the constant v is (through shape ops / rfft) a matrix operand: its weight class."""
        todo, seen = [v], set()
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.add(x)
            for use in x.uses:
                u = use.operation
                i = use.index
                if isinstance(u, ernn.CircMatvecOp | ernn.SpectralMacOp) and i == 0:
                    return "input-weight" if self.input_derived(u.operands[1]) else "recurrent-weight"
                if isinstance(u, ernn.DenseMatvecOp) and i == 0:
                    return "input-weight" if self.input_derived(u.operands[1]) else "recurrent-weight"
                if isinstance(u, ernn.ComplexMulOp):
                    other = u.operands[1 - i]
                    return "input-weight" if self.input_derived(other) else "recurrent-weight"
                if isinstance(u, STRUCT_OPS + (ernn.RfftOp,)) or (isinstance(u, GatherBlocksOp) and i == 0):
                    todo.append(u.results[0])
        return None

    @staticmethod
    def carry_class(scan: ernn.ScanOp, j: int) -> str:
        term = scan.body.block.last_op
        assert isinstance(term, ernn.YieldOp)
        n_out = scan.num_step_outputs
        y = term.values[n_out + j]
        return "act" if y in tuple(term.values[:n_out]) else "cell"

    def const_class(self, v: SSAValue) -> str:
        w = self.weight_class(v)
        if w is not None:
            return w
        for use in v.uses:
            u = use.operation
            if isinstance(u, ernn.ScanOp) and use.index >= len(u.inputs):
                return self.carry_class(u, use.index - len(u.inputs))
        return "bias"

    def classify_block(self, block: Block) -> None:
        for op in block.ops:
            self.classify_op(op)

    def classify_op(self, op: Operation) -> None:
        c = self.cls
        if isinstance(op, CONST_OPS):
            c[op.results[0]] = self.const_class(op.results[0])
        elif isinstance(op, STRUCT_OPS + (GatherBlocksOp,)) or isinstance(op, ernn.ConcatOp):
            c[op.results[0]] = c.get(op.operands[0], "act")
        elif isinstance(op, ernn.RfftOp):
            src = c.get(op.operands[0], "act")
            c[op.results[0]] = src if src in ("input-weight", "recurrent-weight") else "fft"
        elif isinstance(op, ACC_OPS):
            c[op.results[0]] = "acc"
        elif isinstance(op, ACT_OPS):
            c[op.results[0]] = "act"
        elif isinstance(op, ELEMENTWISE):
            s = {c.get(x, "act") for x in op.operands}
            if s & {"acc", "fft", "input", "input-weight", "recurrent-weight"}:
                k = "acc"
            elif "cell" in s:
                k = "acc" if isinstance(op, ernn.MulOp) and "bias" in s else "cell"
            else:
                k = "act"
            c[op.results[0]] = k
        elif isinstance(op, ernn.ScanOp):
            blk = op.body.block
            for a, x in zip(blk.args, op.inputs):
                c[a] = c.get(x, "input")
            for j, a in enumerate(blk.args[len(op.inputs):]):
                c[a] = self.carry_class(op, j)
            self.classify_block(blk)
            term = blk.last_op
            assert isinstance(term, ernn.YieldOp)
            n_out = op.num_step_outputs
            for k in range(n_out):
                y = term.values[k]
                carried = [j for j, z in enumerate(term.values[n_out:]) if z is y]
                c[op.results[k]] = self.carry_class(op, carried[0]) if carried else c.get(y, "act")
            for j in range(len(op.inits)):
                c[op.results[n_out + j]] = self.carry_class(op, j)
        elif isinstance(op, ernn.YieldOp | func.ReturnOp):
            pass
        else:
            _unknown(op)


def _unknown(op: Operation) -> None:
    if op.has_trait(ConstantLike):
        raise _err(
            f"'{op.name}' is a constant-like op this pass does not know how to quantize; "
            "run ernn-quantize before the pass that introduced it (or teach ernn-quantize "
            "its storage)"
        )
    raise _err(f"'{op.name}' has no quantization rule (supported: the ernn gate- and frequency-level ops)")



def _arg_classes(f: func.FuncOp, cls: dict[SSAValue, str]) -> None:
    for a in f.body.block.args:
        cls[a] = "input"


def classify_module(module: ModuleOp) -> dict[SSAValue, str]:
    cl = Classifier()
    for f in _functions(module):
        _arg_classes(f, cl.cls)
        cl.classify_block(f.body.block)
    return cl.cls


def class_ranges(classes: dict[SSAValue, str], ranges: dict[SSAValue, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v, m in ranges.items():
        c = classes.get(v)
        if c in DATA_CLASSES:
            out[c] = max(out.get(c, 0.0), m)
    return out

