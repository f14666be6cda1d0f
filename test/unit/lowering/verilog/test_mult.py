"""The deep pipeline's products (mult_rtl) alone, simulated in Icarus: exact, at units.product_latency.

Operand widths from one slice to cuts of both operands, signs at the edges of
their ranges (the cut's unsigned low parts and signed top part), with the
enable held low in some cycles (a stall must hold every stage).
"""

from __future__ import annotations

import numpy as np
import pytest

from ernn_ir.hardware import units
from ernn_ir.lowering.verilog.harness import run_vectors
from ernn_ir.lowering.verilog.mult_rtl import mult18, product
from ernn_ir.lowering.verilog.rtl import ModuleBuilder

WIDTHS = [(12, 17), (18, 18), (16, 32), (13, 25), (19, 19), (8, 36)]


def _signed(v: int, w: int) -> int:
    v &= (1 << w) - 1
    return v - (1 << w) if v >> (w - 1) else v


@pytest.mark.parametrize("wa,wb", WIDTHS, ids=[f"{a}x{b}" for a, b in WIDTHS])
def test_product_exact_at_its_latency(wa, wb):
    sl = mult18("slice_t")
    m = ModuleBuilder("prod_t", "one deep-pipeline product")
    a, b = m.input("a", wa), m.input("b", wb)
    p, lat = product(m, a, b, wa + wb, "p", sl, deep=True)
    m.output("p", p)
    mod = m.finish()
    assert lat == units.product_latency(wa, wb, True)
    assert lat == units.SLICE_LATENCY + 1 + (max(wa, wb) > units.MULT_BITS)
    rng = np.random.default_rng(wa * 100 + wb)
    edge = [(-(1 << (wa - 1)), -(1 << (wb - 1))), ((1 << (wa - 1)) - 1, -(1 << (wb - 1))),
            (-(1 << (wa - 1)), (1 << (wb - 1)) - 1), (-1, -1), (0, 5)]
    pairs = edge + [(int(rng.integers(-(1 << (wa - 1)), 1 << (wa - 1))),
                     int(rng.integers(-(1 << (wb - 1)), 1 << (wb - 1)))) for _ in range(40)]
    # every third cycle stalls (en = 0) while the inputs change: the pipeline must hold
    vecs, want_at = [], []
    for i, (x, y) in enumerate(pairs):
        vecs.append({"en": 1, "a": x & ((1 << wa) - 1), "b": y & ((1 << wb) - 1)})
        want_at.append(len(vecs) - 1)
        if i % 3 == 2:
            vecs.append({"en": 0, "a": 0, "b": 1})
    vecs += [{"en": 1, "a": 0, "b": 0}] * (lat + 2)
    outs = run_vectors([sl, mod], "prod_t", vecs)
    enabled = [i for i, v in enumerate(vecs) if v["en"]]
    for (x, y), cyc in zip(pairs, want_at):
        k = enabled.index(cyc)
        got = _signed(outs[enabled[k + lat - 1]]["p"], wa + wb)
        assert got == x * y, (x, y, got)
