"""docs/numerics.md in hardware: rounding, overflow, requantize and exact constant products.

Each function builds combinational logic with `ModuleBuilder` and returns
the result and, where the contract counts events, a one-bit flag that is
high when the value was out of range (saturated or wrapped).  Section
numbers refer to docs/numerics.md.
"""

from __future__ import annotations

from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig
from ernn_ir.numerics import FixedFormat
from ernn_ir.numerics.fixed import csd

HALF_UP = "half_up"
CONVERGENT = "convergent"
SATURATE = "saturate"
WRAP = "wrap"


def _floor_and_up(m: ModuleBuilder, v: Sig, s: int, mode: str) -> tuple[Sig, Sig]:
    """Section 2, for s > 0: floor(v / 2^s) and the one-bit round-up that the mode adds to it."""
    v = m.sext(v, max(v.width, s + 1))
    q = m.sra(v, s)  # floor(v / 2^s)
    if mode == HALF_UP:
        return q, m.extract(v, s - 1, 1)
    # convergent: ties to even
    r = m.extract(v, 0, s)
    half = m.const(1 << (s - 1), s + 1)
    r1 = m.zext(r, s + 1)
    gt = m.icmp("ugt", r1, half, signed_ext=False)
    tie = m.icmp("eq", r1, half, signed_ext=False)
    odd = m.extract(q, 0, 1)
    return q, m.or_(gt, m.and_(tie, odd))


def shift_round(m: ModuleBuilder, v: Sig, s: int, mode: str, name: str) -> Sig:
    """Section 2: v / 2^s rounded to an integer (s > 0); exact v * 2^-s for s <= 0."""
    if s <= 0:
        return m.shl(v, -s, name)
    q, up = _floor_and_up(m, v, s, mode)
    return m.add(q, m.zext(up, 2), q.width + 1, name)


def round_fit(m: ModuleBuilder, v: Sig, s: int, mode: str, width: int, ovf: str, name: str,
              early_flag: bool = False) -> tuple[Sig, Sig | None]:
    """Sections 2 and 3 together: `overflow(shift_round(v, s), width)`, for s > 0.

    With `early_flag` (the deep pipeline), the overflow is decided beside the
    rounding's carry chain instead of behind it.  (Not on Xilinx: there abc
    copies that flag's logic into every bit of the saturating mux, several
    hundred LUTs for one 32-bit drain; behind the chain it cannot.)

    The rounded value r = q + up (q = floor(v / 2^s), up one bit) fits in
    `width` bits exactly when q is in [min, max - 1], or q = max and up = 0,
    or q = min - 1 and up = 1.  All three are decided from q's bits and up
    alone, and only r's low `width` bits are added: the saturating mux is
    the one thing after the chain.  When out of range, r has q's sign (r = q + up with up >= 0, and
    q = min - 1 with up = 1 is in range).
    """
    if not early_flag:
        return overflow(m, shift_round(m, v, s, mode, f"{name}_rnd"), width, ovf, name)
    q, up = _floor_and_up(m, v, s, mode)
    if q.width < width:  # r = q + up has at most `width` bits: always fits
        return m.add(q, m.zext(up, 2), width, f"{name}_rnd"), None
    # (up as a 2-bit signed operand, as in shift_round: yosys maps a full-width add onto the carry
    # chain, while an increment by a zero-extended bit it expands into LUTs)
    low = m.add(m.extract(q, 0, width), m.zext(up, 2), width, f"{name}_rnd")
    bw = m.extract(q, width - 1, 1)  # the result's sign position
    ones = m.eq_const(m.extract(q, 0, width - 1), -1) if width > 1 else m.const(1, 1)
    at_max_up = m.and_(ones, up)  # q's low bits are max's (or min - 1's), and the rounding carries out
    if q.width == width:
        ok = m.not_(m.and_(m.not_(bw), at_max_up))
    else:
        hi = m.extract(q, width, q.width - width)
        hi0, hi1 = m.eq_const(hi, 0), m.eq_const(hi, -1)
        ok = m.or_(m.and_(hi0, m.not_(bw), m.not_(at_max_up)),  # q in [0, max]: unless max + 1
                   m.and_(hi1, bw),  # q in [min, -1]
                   m.and_(hi1, m.not_(bw), at_max_up))  # q = min - 1, rounded up to min
    flag = m.not_(ok)
    if ovf == WRAP:
        return low, flag
    neg = m.extract(q, q.width - 1, 1)
    sat = m.mux(neg, m.const(-(1 << (width - 1)), width), m.const((1 << (width - 1)) - 1, width))
    return m.mux(ok, low, sat, name), flag


def overflow(m: ModuleBuilder, r: Sig, width: int, mode: str, name: str) -> tuple[Sig, Sig | None]:
    """Section 3: fit r into `width` bits; the flag is high when r was outside the range."""
    if r.width <= width:
        return m.sext(r, width, name), None
    top = m.extract(r, width - 1, r.width - width + 1)
    all1 = m.eq_const(top, -1)
    all0 = m.eq_const(top, 0)
    ok = m.or_(all0, all1)
    flag = m.not_(ok)
    low = m.extract(r, 0, width)
    if mode == WRAP:
        return m.named(low, name) if not low.value.name_hint else low, flag
    neg = m.extract(r, r.width - 1, 1)
    sat = m.mux(neg, m.const(-(1 << (width - 1)), width), m.const((1 << (width - 1)) - 1, width))
    return m.mux(ok, low, sat, name), flag


def requantize(m: ModuleBuilder, v: Sig, f_in: int, fmt: FixedFormat, rounding: str, ovf: str,
               name: str, early_flag: bool = False) -> tuple[Sig, Sig | None]:
    """Section 4: raw v at frac f_in to fixed<W, F>: one rounding, one overflow (`round_fit`)."""
    s = f_in - fmt.frac
    if s >= 64:
        return overflow(m, m.const(0, 1), fmt.width, ovf, name)
    if s > 0:
        return round_fit(m, v, s, rounding, fmt.width, ovf, name, early_flag)
    return overflow(m, m.shl(v, -s), fmt.width, ovf, name)


def mul_const(m: ModuleBuilder, x: Sig, c: int, name: str) -> Sig:
    """x * c exactly, as a shift-add network (no multiplier: c is a compile-time twiddle)."""
    width = x.width + max(1, abs(c).bit_length()) + 1
    if c == 0:
        return m.const(0, width, name)
    terms = []
    for d, k in csd(c):
        t = m.shl(m.sext(x, x.width), k)
        terms.append((d, t))
    acc = None
    for d, t in terms:
        if acc is None:
            acc = m.sext(t, width) if d > 0 else m.neg(t, width)
        else:
            acc = m.add(acc, t, width) if d > 0 else m.sub(acc, t, width)
    assert acc is not None
    return m.named(acc, name)


def popcount(m: ModuleBuilder, flags: list[Sig], name: str) -> Sig:
    """How many of the one-bit flags are high (an adder tree)."""
    return sum_tree(m, [m.zext(f, 2) for f in flags], name)


def sum_level(m: ModuleBuilder, vals: list[Sig]) -> list[Sig]:
    """One level of an unsigned adder tree: neighbours summed in pairs one bit wider, an odd one passed on."""
    nxt = []
    for i in range(0, len(vals) - 1, 2):
        w = max(vals[i].width, vals[i + 1].width) + 1
        nxt.append(m.add(m.zext(vals[i], w), m.zext(vals[i + 1], w), w))
    if len(vals) % 2:
        nxt.append(vals[-1])
    return nxt


def sum_tree(m: ModuleBuilder, vals: list[Sig], name: str) -> Sig:
    """The unsigned sum of `vals`, as a balanced tree of adders one bit wider per level (short paths)."""
    if not vals:
        return m.const(0, 1, name)
    while len(vals) > 1:
        vals = sum_level(m, vals)
    return m.named(vals[0], name)
