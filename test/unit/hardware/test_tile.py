"""ernn-tile keeps the numbers: the tiled module equals the quantized one bit for bit, events included."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.diagnostics import OpDiagnostic
from ernn_ir.dialects.ernn_hw import AcceleratorOp, DesignOp, MacOp
from ernn_ir.lowering.reference import Reference

from hw_models import FAMILIES, quantized, random_frames, step_graph, tiled


def run(module, x):
    r = Reference(module).run(x)
    return r.outputs, sorted(n for _, n in r.events)


@pytest.mark.parametrize("family", FAMILIES, ids=[f[0] for f in FAMILIES])
@pytest.mark.parametrize("tile", [{"multipliers": 8}, {"rows": 3, "cols": 2}, {"streams": 2, "multipliers": 64},
                                  {"cmul": 4, "cols": 1, "rows": 1}])
def test_tiled_module_is_bit_exact(family, tile):
    _, kind, I, H, b, extra = family
    q = quantized(kind, I, H, b, extra, T=5, batch=2)
    if "multipliers" in tile:
        per_lane = 2 + (b // 2 - 1) * tile.get("cmul", 3)
        tile = dict(tile, multipliers=max(tile["multipliers"], per_lane))
    g = step_graph(q)
    if "rows" in tile:  # no more lanes than the model has blocks
        tile = dict(tile, rows=min(tile["rows"], max(m.rows for m in g.macs)),
                    cols=min(tile["cols"], max(p.cols for m in g.macs for p in m.parts)))
    t = tiled(q, **tile)
    assert any(isinstance(o, AcceleratorOp) for o in t.walk())
    assert any(isinstance(o, DesignOp) for o in t.ops)
    for scale in (1.0, 8.0):  # 8.0: saturating inputs
        x = random_frames(q, seed=3, scale=scale)
        a, ea = run(q, x)
        c, ec = run(t, x)
        for u, v in zip(a, c):
            np.testing.assert_array_equal(u, v)
        assert ea == ec


def test_a_wrong_rom_word_changes_the_result():
    """The reference reads the ROM, so translation validation sees a layout error."""
    q = quantized("lstm", 6, 8, 4, {"peepholes": True}, T=3)
    t = tiled(q, rows=2, cols=1)
    mac = next(o for o in t.walk() if isinstance(o, MacOp))
    order = [int(v) for v in mac.row_order.get_values()]
    from xdsl.dialects.builtin import DenseArrayBase, i64

    order[0], order[1] = order[1], order[0]  # two rows swapped: a valid permutation, the wrong layout
    mac.row_order = DenseArrayBase.from_list(i64, order)
    x = random_frames(q, seed=1)
    a, _ = run(q, x)
    c, _ = run(t, x)
    assert not np.array_equal(a[0], c[0])


def test_requests_that_cannot_be_met_name_the_limit():
    q = quantized("lstm", 6, 8, 4, {}, T=3)
    with pytest.raises(OpDiagnostic, match=r"rows=9 lanes exceed the 8 row blocks of the largest matvec: "
                                           r"the largest useful choice is 8"):
        tiled(q, rows=9)
    with pytest.raises(OpDiagnostic, match=r"cols=7 lanes exceed the 2 column blocks of the widest matvec part"):
        tiled(q, cols=7)
    with pytest.raises(OpDiagnostic, match=r"ew-lanes=3 must divide the block size 4 \(the largest legal choice is 2\)"):
        tiled(q, ew_lanes=3)
    with pytest.raises(OpDiagnostic, match=r"exceeds ecp5-85f: its 156 DSP slices"):
        tiled(q, device="ecp5-85f", multipliers=100_000)
    with pytest.raises(DiagnosticException, match="unknown device"):
        tiled(q, device="xc9000")
    with pytest.raises(DiagnosticException, match="at most one of multipliers, fps and rows/cols"):
        tiled(q, multipliers=40, fps=1.0)
