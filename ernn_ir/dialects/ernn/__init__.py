"""The ernn dialect: block-circulant RNNs at model, gate, frequency and fixed-point level.

Where to find things:
- types and attributes: `types.py`; verifier helpers: `checks.py`
- model level (`ernn.lstm`, `ernn.gru`): `model_ops.py`
- gate level (matvecs, activations, element-wise): `gate_ops.py`
- constants, slicing, the time loop (`ernn.scan`): `structure_ops.py`
- frequency level (`ernn.rfft`, `ernn.irfft`, `ernn.spectral_mac`): `freq_ops.py`
- quantization: `quant_ops.py`
- constant pool (`ernn.global`, `ernn.get_global`, `ernn.gather_blocks`): `pool_ops.py`
- reference semantics: `ernn_ir/lowering/reference/` and docs/numerics.md
"""

from xdsl.ir import Dialect

from ernn_ir.dialects.ernn.freq_ops import (
    ComplexMulOp,
    IrfftOp,
    ReduceSumOp,
    RfftOp,
    SpectralMacOp,
)
from ernn_ir.dialects.ernn.gate_ops import (
    AddOp,
    CircMatvecOp,
    DenseMatvecOp,
    MulOp,
    PwlOp,
    SigmoidOp,
    SubOp,
    TanhOp,
)
from ernn_ir.dialects.ernn.model_ops import GruOp, LstmOp
from ernn_ir.dialects.ernn.pool_ops import GatherBlocksOp, GetGlobalOp, GlobalOp
from ernn_ir.dialects.ernn.quant_ops import DequantizeOp, QuantizeOp, RequantizeOp
from ernn_ir.dialects.ernn.structure_ops import (
    BroadcastOp,
    CirculantParamsOp,
    ReshapeOp,
    CirculantOp,
    ConcatOp,
    ConstantOp,
    PadOp,
    ScanOp,
    SliceOp,
    YieldOp,
)
from ernn_ir.dialects.ernn.types import (
    CirculantType,
    FixedType,
    OverflowAttr,
    OverflowMode,
    RoundingAttr,
    RoundingMode,
)

ERNN = Dialect(
    "ernn",
    [
        LstmOp,
        GruOp,
        ConstantOp,
        CirculantOp,
        SliceOp,
        ConcatOp,
        PadOp,
        ScanOp,
        YieldOp,
        CircMatvecOp,
        DenseMatvecOp,
        AddOp,
        SubOp,
        MulOp,
        SigmoidOp,
        TanhOp,
        PwlOp,
        RfftOp,
        IrfftOp,
        SpectralMacOp,
        ComplexMulOp,
        ReduceSumOp,
        CirculantParamsOp,
        ReshapeOp,
        BroadcastOp,
        QuantizeOp,
        DequantizeOp,
        RequantizeOp,
        GlobalOp,
        GetGlobalOp,
        GatherBlocksOp,
    ],
    [FixedType, CirculantType, RoundingAttr, OverflowAttr],
)

__all__ = [
    "ERNN",
    "AddOp",
    "BroadcastOp",
    "CirculantParamsOp",
    "ComplexMulOp",
    "ReduceSumOp",
    "ReshapeOp",
    "CircMatvecOp",
    "CirculantOp",
    "CirculantType",
    "ConcatOp",
    "ConstantOp",
    "DenseMatvecOp",
    "DequantizeOp",
    "FixedType",
    "GatherBlocksOp",
    "GetGlobalOp",
    "GlobalOp",
    "GruOp",
    "IrfftOp",
    "LstmOp",
    "MulOp",
    "OverflowAttr",
    "OverflowMode",
    "PadOp",
    "PwlOp",
    "QuantizeOp",
    "RequantizeOp",
    "RfftOp",
    "RoundingAttr",
    "RoundingMode",
    "ScanOp",
    "SigmoidOp",
    "SliceOp",
    "SpectralMacOp",
    "SubOp",
    "TanhOp",
    "YieldOp",
]
