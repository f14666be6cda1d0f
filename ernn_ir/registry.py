"""One list of what ernn-ir provides: dialects, passes and output targets.

Factories are lazy so that `xdsl-opt` start-up does not import numpy-heavy
modules it does not use.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.context import Context
from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.utils.target import Target


def _ernn() -> Dialect:
    from ernn_ir.dialects.ernn import ERNN

    return ERNN


def _ernn_hw() -> Dialect:
    from ernn_ir.dialects.ernn_hw import ERNN_HW

    return ERNN_HW


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    return {"ernn": _ernn, "ernn_hw": _ernn_hw}


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    from ernn_ir.passes import PASSES

    return dict(PASSES)


def _verilog() -> type[Target]:
    from ernn_ir.lowering.verilog.target import VerilogTarget

    return VerilogTarget


def _hw() -> type[Target]:
    from ernn_ir.lowering.verilog.target import HwTarget

    return HwTarget


def _hls_target() -> type[Target]:
    from ernn_ir.lowering.hls.target import HlsTarget

    return HlsTarget


def _hls_int_target() -> type[Target]:
    from ernn_ir.lowering.hls.target import HlsIntTarget

    return HlsIntTarget


def all_targets() -> dict[str, Callable[[], type[Target]]]:
    """The project's output targets of the hardware level (each writes a directory with -o DIR but `hw`):
    `verilog` (a SystemVerilog project), `hw` (its hw/comb/seq IR as text), `hls` and `hls-int` (Vitis HLS
    C++ projects, ap_fixed or plain-integer flavour)."""
    return {"verilog": _verilog, "hw": _hw, "hls": _hls_target, "hls-int": _hls_int_target}


def _mlir_target() -> type[Target]:
    from ernn_ir.ir_printer import ErnnMLIRTarget

    return ErnnMLIRTarget


def generic_targets() -> dict[str, Callable[[], type[Target]]]:
    """xdsl-opt targets that print any IR, so they apply to ernn IR too.

    xdsl-opt also offers targets for other dialects (riscv-asm, llvm, mps,
    ...); on ernn IR they fail or produce nothing, so `ernn-opt` offers only
    these and `all_targets()`.  `mlir` prints with `ErnnPrinter`, which keeps
    the exact bits of dense constants.
    """
    return {"mlir": _mlir_target}


def ernn_opt_targets() -> dict[str, Callable[[], type[Target]]]:
    """The `-t` choices of `ernn-opt`: the generic printing targets, then the project's own."""
    targets = dict(generic_targets())
    for name, factory in all_targets().items():
        targets.setdefault(name, factory)
    return targets


def register_ernn(ctx: Context) -> None:
    """Load the ernn dialect (and the builtin dialects its IR uses) into an xDSL context."""
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func

    for d in (Builtin, Func):
        if d.name not in ctx.registered_dialect_names:
            ctx.load_dialect(d)
    if "ernn" not in ctx.registered_dialect_names:
        ctx.load_dialect(_ernn())
    if "ernn_hw" not in ctx.registered_dialect_names:
        ctx.load_dialect(_ernn_hw())


def make_context() -> Context:
    ctx = Context()
    register_ernn(ctx)
    return ctx
