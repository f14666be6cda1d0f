"""Random quantized models and their tiled designs, shared by the hardware tests (and the RTL/HLS suites)."""

from __future__ import annotations

import numpy as np

from ernn_ir.builder import build_module
from ernn_ir.dialects.ernn import ScanOp
from ernn_ir.hardware.constants import OuterConstants
from ernn_ir.hardware.stepgraph import build_step_graph
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.passes.tile import TilePass
from ernn_ir.registry import make_context

# (name, kind, input, hidden, block, extra): the families the hardware must map
FAMILIES = [
    ("lstm_b2", "lstm", 3, 4, 2, {}),
    ("lstm_peep_b4", "lstm", 6, 8, 4, {"peepholes": True}),
    ("lstmp_b4", "lstm", 8, 8, 4, {"proj_size": 4}),
    ("lstmp_peep_b8", "lstm", 10, 16, 8, {"proj_size": 8, "peepholes": True}),
    ("lstm_nobias_b16", "lstm", 16, 16, 16, {"bias": False}),
    ("gru_after_b4", "gru", 5, 8, 4, {"reset_after": True}),
    ("gru_before_b4", "gru", 8, 8, 4, {"reset_after": False}),
    ("gru_after_b8", "gru", 12, 16, 8, {"reset_after": True}),
    ("gru_before_b2", "gru", 4, 6, 2, {"reset_after": False}),
]


def spec_of(kind: str, I: int, H: int, b: int, extra: dict, seed: int = 0):
    if kind == "lstm":
        return random_lstm(I, H, b, seed=seed, **extra)
    return random_gru(I, H, b, seed=seed, **extra)


def quantized(kind, I, H, b, extra, T=4, batch=1, seed=0, weight_bits=12, data_bits=16, acc_bits=32):
    module = build_module([spec_of(kind, I, H, b, extra, seed)], T, batch=batch)
    PipelinePass(weight_bits=weight_bits, data_bits=data_bits, acc_bits=acc_bits).apply(make_context(), module)
    module.verify()
    return module


def tiled(module, **tile):
    m = module.clone()
    TilePass(**tile).apply(make_context(), m)
    m.verify()
    return m


def step_graph(module):
    scan = next(o for o in module.walk() if isinstance(o, ScanOp))
    return build_step_graph(scan, OuterConstants(module))


def random_frames(module, seed=0, scale=1.0):
    from xdsl.dialects import func

    f = next(o for o in module.ops if isinstance(o, func.FuncOp))
    t = f.function_type.inputs.data[0]
    return [scale * np.random.default_rng(seed).standard_normal(tuple(t.get_shape()))]


def column_chunks_reversed(sch):
    """The schedule's unit orders with the MAC array's column sweeps run last-to-first in their slots."""
    from ernn_ir.hardware.schedule import MAC

    col = [i for i in sch.orders[MAC] if sch.items[i].kind == "col"]
    slots = [n for n, i in enumerate(sch.orders[MAC]) if sch.items[i].kind == "col"]
    order = list(sch.orders[MAC])
    for n, i in zip(slots, reversed(col)):
        order[n] = i
    return dict(sch.orders, **{MAC: order}), col
