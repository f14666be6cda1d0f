"""fixed_rtl's requantize in hardware against numerics.requantize, every input, simulated in Icarus.

`round_fit` decides the overflow flag either from the rounded sum or (the
deep pipeline's `early_flag`) from the floor and the round-up bit beside the
carry chain; the latter's corner cases
(q = max rounded up past the range, q = min - 1 rounded up into it, q no
wider than the result) are covered by exhausting small widths in both
rounding and both overflow modes.
"""

from __future__ import annotations

import itertools

import numpy as np

from ernn_ir.lowering.verilog.fixed_rtl import requantize
from ernn_ir.lowering.verilog.harness import run_vectors
from ernn_ir.lowering.verilog.rtl import ModuleBuilder
from ernn_ir.numerics import FixedFormat
from ernn_ir.numerics import requantize as ref_requantize

IN_BITS = 8
# (input width, frac in, output width, frac out): the floor wider than, as wide as and narrower than
# the result; 1-bit results; a left shift (no rounding)
SHAPES = [(8, 3, 4, 0), (8, 4, 4, 0), (6, 3, 4, 0), (8, 1, 7, 0), (5, 1, 4, 0), (8, 2, 1, 0),
          (7, 6, 1, 0), (8, 5, 6, 2), (6, 0, 8, 1), (4, 0, 3, 2)]
MODES = list(itertools.product(("half_up", "convergent"), ("saturate", "wrap")))


def _signed(v: int, w: int) -> int:
    v &= (1 << w) - 1
    return v - (1 << w) if v >> (w - 1) else v


def test_requantize_rtl_equals_reference_on_every_input():
    m = ModuleBuilder("requant_t", "requantize cases")
    x = m.input("x", IN_BITS)
    cases = []
    for (wi, fi, wo, fo), (rnd, ovf), early in itertools.product(SHAPES, MODES, (False, True)):
        n = f"c{len(cases)}"
        q, f = requantize(m, m.extract(x, 0, wi), fi, FixedFormat(wo, fo), rnd, ovf, n, early)
        m.output(f"{n}_q", m.reg(q, f"{n}_q_r"))
        m.output(f"{n}_f", m.reg(f if f is not None else m.const(0, 1), f"{n}_f_r"))
        cases.append((n, wi, fi, FixedFormat(wo, fo), rnd, ovf, early))
    mod = m.finish()
    vecs = [{"en": 1, "x": v} for v in range(1 << IN_BITS)]
    outs = run_vectors([mod], "requant_t", vecs)
    for n, wi, fi, fmt, rnd, ovf, early in cases:
        for v in range(1 << IN_BITS):
            raw = _signed(v, wi)
            want, ev = ref_requantize(np.array([raw]), fi, fmt, rnd, ovf)
            got_q = _signed(outs[v][f"{n}_q"], fmt.width)
            got_f = outs[v][f"{n}_f"]
            assert (got_q, got_f) == (int(want[0]), ev), (n, wi, fi, fmt, rnd, ovf, early, raw)
