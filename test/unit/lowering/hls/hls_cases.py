"""Random tiled LSTM/GRU designs for the HLS tests: the hardware families at 8 to 16 bits, both rounding
and both overflow modes, exact and piecewise-linear activations, several MAC array shapes."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects import func

from ernn_ir.builder import build_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.passes.tile import TilePass
from ernn_ir.registry import make_context


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    inputs: int
    hidden: int
    block: int
    model: dict = field(default_factory=dict)
    pipeline: dict = field(default_factory=dict)
    tile: dict = field(default_factory=dict)
    steps: int = 5
    batch: int = 2


CASES = [
    Case("lstm_b2_w8d8_convergent", "lstm", 3, 4, 2, {},
         {"weight_bits": 8, "data_bits": 8, "rounding": "convergent"}, {"multipliers": 8}),
    Case("lstm_peep_b4_w12", "lstm", 6, 8, 4, {"peepholes": True}, {"weight_bits": 12}, {"rows": 3, "cols": 2}),
    Case("lstmp_b4_w16_wrap", "lstm", 8, 8, 4, {"proj_size": 4},
         {"weight_bits": 16, "data_bits": 16, "overflow": "wrap"}, {"multipliers": 64}),
    Case("lstmp_peep_b8_2streams", "lstm", 10, 16, 8, {"proj_size": 8, "peepholes": True}, {"weight_bits": 12},
         {"multipliers": 64, "streams": 2}),
    Case("lstm_nobias_b16_cmul4", "lstm", 16, 16, 16, {"bias": False}, {"weight_bits": 12},
         {"cmul": 4, "rows": 1, "cols": 1}),
    Case("lstm_exact_activations_b4", "lstm", 6, 8, 4, {"peepholes": True},
         {"approximate": False, "acc_bits": 16}, {"multipliers": 16}),
    Case("gru_after_b4_w8d8", "gru", 5, 8, 4, {"reset_after": True}, {"weight_bits": 8, "data_bits": 8},
         {"rows": 2, "cols": 2}),
    Case("gru_before_b4_convergent_wrap", "gru", 8, 8, 4, {"reset_after": False},
         {"weight_bits": 12, "rounding": "convergent", "overflow": "wrap"}, {"multipliers": 64}),
    Case("gru_after_b8_w16", "gru", 12, 16, 8, {"reset_after": True}, {"weight_bits": 16, "data_bits": 16},
         {"multipliers": 64}),
    Case("gru_before_b2_w10d12", "gru", 4, 6, 2, {"reset_after": False}, {"weight_bits": 10, "data_bits": 12},
         {"rows": 3, "cols": 2}),
]

INPUT_SETS = [(3, 1.0), (4, 8.0), (5, 0.25)]
"""(seed, scale) of the input frames each design runs: ordinary, saturating (x8), small."""


def tiled_module(case: Case, seed: int = 0):
    if case.kind == "lstm":
        spec = random_lstm(case.inputs, case.hidden, case.block, seed=seed, **case.model)
    else:
        spec = random_gru(case.inputs, case.hidden, case.block, seed=seed, **case.model)
    module = build_module([spec], case.steps, batch=case.batch)
    with contextlib.redirect_stderr(io.StringIO()):  # the activation fits' report
        PipelinePass(**case.pipeline).apply(make_context(), module)
    TilePass(**case.tile).apply(make_context(), module)
    module.verify()
    return module


def frames(module, seed: int, scale: float) -> list[np.ndarray]:
    f = next(o for o in module.ops if isinstance(o, func.FuncOp))
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(tuple(t.get_shape())) for t in f.function_type.inputs.data]


def assert_frames_equal(reference: list[np.ndarray], got: list[np.ndarray], what: str) -> None:
    """Bit-exact, frame by frame ([T, batch, n] arrays): names the first frame and element that differ."""
    assert len(reference) == len(got), f"{what}: {len(got)} outputs, the reference has {len(reference)}"
    for k, (a, b) in enumerate(zip(reference, got)):
        assert a.shape == b.shape, f"{what}: output #{k} has shape {b.shape}, the reference {a.shape}"
        for t in range(a.shape[0]):
            bad = np.argwhere(a[t] != b[t])
            if bad.size:
                where = tuple(int(v) for v in bad[0])
                raise AssertionError(f"{what}: output #{k} frame {t} differs at {where}: reference {a[t][where]}, "
                                     f"HLS {b[t][where]} ({len(bad)} value(s) differ in this frame)")
