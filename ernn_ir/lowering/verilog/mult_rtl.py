"""Exact signed products for the deep pipeline: registered 18 x 18 slices, pieces summed a cycle later.

yosys 0.23 maps a product onto ECP5 MULT18X18D cells without their
registers, and splits a product wider than 18 x 18 bits into several cells
whose partial products it adds with a carry chain in the same cycle.  With
`TileConfig.deep`, every product the datapath needs goes instead through
`mult18`, a unit of its own (one signed 18 x 18 product with its operand
and product registers), which ECP5 synthesis replaces by the MULT18X18D
primitive with its input and output registers on (`synth.ecp5_library`); a
product wider than a slice is cut into pieces, 17-bit unsigned low parts and
a signed top part, whose products are summed exactly, shifted into place, in
the cycle after they land in fabric registers
(`units.product_latency`).  Simulation runs the same unit as behavioural
RTL, so the arithmetic of the cut is what the bit-exact suites check.
"""

from __future__ import annotations

from ernn_ir.hardware import units
from ernn_ir.hardware.devices import multiply_in_luts
from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig

B = units.MULT_BITS


def mult18(name: str):
    """The slice: p = a * b, signed 18 x 18 bits, operands and product registered (`units.SLICE_LATENCY`)."""
    assert units.SLICE_LATENCY == 2
    m = ModuleBuilder(name, f"multiplier slice of the deep pipeline: one signed {B} x {B} product, "
                      "operands and product registered (ECP5: a MULT18X18D with its input and output "
                      "registers, synth.py)")
    a = m.reg(m.input("a", B), "a_r")
    b = m.reg(m.input("b", B), "b_r")
    m.output("p", m.reg(m.mul(a, b, 2 * B), "p"))
    return m.finish()


def _pieces(m: ModuleBuilder, x: Sig, name: str) -> list[tuple[Sig, int]]:
    """x as slice operands and their shifts: 17-bit unsigned parts from the bottom, a signed top part."""
    n = units.product_pieces(x.width, 1)[0]
    out = []
    for i in range(n):
        lo = i * (B - 1)
        if i < n - 1:
            out.append((m.zext(m.extract(x, lo, B - 1), B, f"{name}{i}"), lo))
        else:
            out.append((m.sext(m.extract(x, lo, x.width - lo), B, f"{name}{i}"), lo))
    return out


def product(m: ModuleBuilder, a: Sig, b: Sig, width: int, name: str, slice_mod, deep: bool) -> tuple[Sig, int]:
    """The exact product a * b in `width` bits, registered; returns it and its latency from the operands.

    Standard pipeline: one multiply and its register.  Deep pipeline: slices
    (`units.SLICE_LATENCY`), their outputs' landing registers, then (when
    cut) the sum of the pieces' products in a register of its own; the
    latency is `units.product_latency`'s.
    """
    if not deep or multiply_in_luts(a.width, b.width):
        return m.reg(m.mul(a, b, width), name), 1
    assert slice_mod is not None
    pa, pb = _pieces(m, a, f"{name}_a"), _pieces(m, b, f"{name}_b")
    parts = []
    for i, (xa, sa) in enumerate(pa):
        for j, (xb, sb) in enumerate(pb):
            tag = f"_{i}{j}" if len(pa) * len(pb) > 1 else ""
            p = m.instance(slice_mod, f"{name}_mult{tag}", {"a": xa, "b": xb})["p"]
            # the slice's output lands in a fabric register before any logic reads it
            parts.append((m.reg(p, f"{name}_land{tag}"), sa + sb))
    if len(parts) == 1:
        p, _ = parts[0]
        return m.sext(m.extract(p, 0, min(p.width, a.width + b.width)), width, name), units.SLICE_LATENCY + 1
    acc = None
    for p, s in parts:
        t = m.shl(m.sext(p, width), s) if s else m.sext(p, width)
        t = m.extract(t, 0, width)
        acc = t if acc is None else m.add(acc, t, width)
    assert acc is not None
    return m.reg(acc, name), units.SLICE_LATENCY + 2
