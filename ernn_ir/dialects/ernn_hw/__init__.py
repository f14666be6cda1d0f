"""The ernn_hw dialect: the hardware level between the quantized frequency level and the RTL / HLS backends.

Where to find things:
- the design (units, memories, the static schedule): `design_ops.py`
- the time loop a design runs, and the matvec reading the banked weight ROM: `step_ops.py`
- reference semantics: `ernn_ir/lowering/reference/hw.py`; the exact cycle
  and resource model: `ernn_ir/hardware/`; docs/hardware.md explains the
  microarchitecture, docs/dialect.md lists every op
- produced by the `ernn-tile` pass (`ernn_ir/passes/tile.py`); lowered by
  `ernn_ir/lowering/verilog/` and `ernn_ir/lowering/hls/`
"""

from xdsl.ir import Dialect

from ernn_ir.dialects.ernn_hw.design_ops import (
    BufferOp,
    DesignOp,
    EwUnitOp,
    FftUnitOp,
    MacArrayOp,
    PhaseOp,
    RomOp,
)
from ernn_ir.dialects.ernn_hw.step_ops import AcceleratorOp, MacOp, YieldOp

ERNN_HW = Dialect(
    "ernn_hw",
    [DesignOp, MacArrayOp, FftUnitOp, EwUnitOp, RomOp, BufferOp, PhaseOp, AcceleratorOp, YieldOp, MacOp],
    [],
)

__all__ = [
    "ERNN_HW",
    "AcceleratorOp",
    "BufferOp",
    "DesignOp",
    "EwUnitOp",
    "FftUnitOp",
    "MacArrayOp",
    "MacOp",
    "PhaseOp",
    "RomOp",
    "YieldOp",
]
