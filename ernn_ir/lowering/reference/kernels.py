"""Op kernels: the semantics of each op, compiled once per op and run per call.

A kernel is built from one op: its types, formats, modes and tables are
decoded once (`fixed_format(op.result.type)`, rounding shifts, FFT plans,
packed weights), and what remains per call is the numpy work on the
operand values.  The xDSL interpreter reaches every op through the `@impl`
that `register_kernels` generates from its kernel, and the compiled scan
(`scan_plan.py`) calls the same kernels directly, so there is one statement
of each op's semantics.

Kernels rely on the interpreter's value model (values.py): a fixed-point
value is an int64 array whose raw values lie inside its type's width, as
the verifier guarantees for constants and `Reference.prepare_inputs` for
inputs; they never modify their operands in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls
from xdsl.ir import Operation, SSAValue

from ernn_ir.lowering.reference.values import fixed_format

Run = Callable[[Sequence[Any]], tuple[Any, ...]]


@dataclass(frozen=True)
class Kernel:
    """An op compiled for repeated calls.

    `run(args)` takes the operand values and returns the result values.
    `time_operands` are the operand positions that may carry an extra
    leading (time) axis, so that `run` computes many frames in one call:
    operands of ops that work on the trailing axes (FFTs, matvecs, spectral
    MACs).  For element-wise ops (`elementwise`) any operand may carry it
    provided its per-frame rank equals the result's (numpy broadcasting then
    keeps the time axis in front).  `None`: one frame at a time only.
    `out_range` bounds the raw values of the (first) result when the op
    guarantees more than its type (a table's outputs, a product of bounded
    operands); consumers use it to skip overflow checks that cannot fire.
    `counts_events` is False for ops that never report overflow events
    (constants, shape ops): the compiled scan may run those once instead of
    once per step.  `mac` is set for a fixed-point spectral MAC (a
    `freq.FixedSpectralMac`), whose exact accumulation the compiled scan may
    split over input blocks.
    """

    run: Run
    time_operands: tuple[int, ...] | None = None
    elementwise: bool = False
    counts_events: bool = True
    mac: Any = None
    out_range: tuple[int, int] | None = None
    run_bounded: Callable[[Any, int], tuple[Any, ...]] | None = None


def compiles(*op_types: type[Operation]):
    """Marks `def compile_x(self, op) -> Kernel` as the kernel factory of `op_types`."""

    def mark(fn):
        fn._compiles = op_types
        return fn

    return mark


class KernelFunctions(InterpreterFunctions):
    """An xDSL function table whose ops are implemented by compiled kernels (one per op)."""

    _compilers: ClassVar[dict[type[Operation], str]] = {}

    def __init__(self) -> None:
        self._kernels: dict[Operation, Kernel] = {}
        self.table: KernelTable | None = None

    def raw_range(self, value: SSAValue) -> tuple[int, int]:
        """Bounds of the raw values of a fixed-point value: its producer's `out_range`, else its type's."""
        if self.table is not None:
            return self.table.raw_range(value)
        return type_range(value)

    def compiles_op(self, op: Operation) -> bool:
        return type(op) in self._compilers

    def kernel(self, op: Operation) -> Kernel:
        k = self._kernels.get(op)
        if k is None:
            k = self._kernels[op] = getattr(self, self._compilers[type(op)])(op)
        return k


def _run_kernel(self: KernelFunctions, interpreter: Interpreter, op: Operation, args: tuple[Any, ...]):
    return self.kernel(op).run(args)


def register_kernels(cls: type[KernelFunctions]) -> type[KernelFunctions]:
    """Class decorator: an interpreter `@impl` for every `@compiles` factory, then `register_impls`."""
    compilers: dict[type[Operation], str] = {}
    for klass in reversed(cls.mro()):
        for name, val in vars(klass).items():
            for t in getattr(val, "_compiles", ()):
                compilers[t] = name
    cls._compilers = compilers
    for t in compilers:
        setattr(cls, f"_impl_{t.__name__}", impl(t)(_run_kernel))
    return register_impls(cls)


def type_range(value: SSAValue) -> tuple[int, int]:
    fmt = fixed_format(value.type)
    return fmt.min_raw, fmt.max_raw


class KernelTable:
    """The kernel of any op, from whichever function table compiles its type."""

    def __init__(self, tables: Sequence[InterpreterFunctions]) -> None:
        self._by_type: dict[type[Operation], KernelFunctions] = {}
        for t in tables:
            if isinstance(t, KernelFunctions):
                t.table = self
                for op_type in t._compilers:
                    self._by_type[op_type] = t

    def get(self, op: Operation) -> Kernel | None:
        table = self._by_type.get(type(op))
        return None if table is None else table.kernel(op)

    def raw_range(self, value: SSAValue) -> tuple[int, int]:
        lo, hi = type_range(value)
        owner = value.owner
        if isinstance(owner, Operation) and value is owner.results[0]:
            k = self.get(owner)
            if k is not None and k.out_range is not None:
                return max(lo, k.out_range[0]), min(hi, k.out_range[1])
        return lo, hi
