"""Pipeline depths of the hardware units: the one place the scheduler and the RTL generator agree on.

Every unit is fully pipelined (one block, or one instruction, per cycle) with
a fixed latency; the static schedule relies on these numbers and the RTL
generator builds exactly these pipelines, so a test that simulates a unit
alone checks each number against the RTL.

Conventions: an operation issued (or a block entering a unit) in cycle n
has its result written at the end of cycle n + latency - 1, and a consumer
may read it from cycle n + latency on.  Memories read synchronously (an
address in cycle n gives data in cycle n + 1).

Deep pipeline (`TileConfig.deep`, chosen for devices whose DSPs yosys maps
without registers and whose carry chains are slow: ECP5).  Every product goes
through a registered 18 x 18 multiplier slice (`mult18`); a product with an
operand wider than 18 bits is cut into pieces (17-bit unsigned low parts and
a signed top part) whose products are summed one cycle later; an add or
subtract is registered before its requantize, and the PWL clamp gets its own
cycle.  Each of these costs a cycle, counted below; with `deep` off the
numbers are the standard pipeline's.
"""

from __future__ import annotations

import math

from xdsl.ir import Operation

from ernn_ir.dialects.ernn import (
    AddOp,
    MulOp,
    PwlOp,
    RequantizeOp,
    SigmoidOp,
    SliceOp,
    SubOp,
    TanhOp,
)
from ernn_ir.hardware.devices import multiply_in_luts


def log2(b: int) -> int:
    return b.bit_length() - 1


def nontrivial_stage(stage: int, b: int) -> bool:
    """Whether radix-2 stage `stage` (1-based, m = 2^stage) multiplies by a non-trivial twiddle.

    Stage s uses twiddle indices j = k * b / 2^s for k < 2^(s-1); only j = 0
    (1) and j = b/4 (-i) are exact, so stages 1 and 2 never multiply.
    """
    return stage >= 3


def fft_latency(b: int, inverse: bool, deep: bool = False) -> int:
    """Cycles from a block entering an FFT engine to its result being readable.

    1 cycle to requantize the input into the transform's format (the inverse
    also mirrors the conjugate bins in it), then per radix-2 stage 1 cycle for
    the butterfly adds (the inverse's halving in the deep pipeline: 2, the
    exact sum, then its rounding), plus 1 cycle for the twiddle product when
    the stage has non-trivial twiddles, then 1 output register.
    """
    L = log2(b)
    bf = 2 if inverse and deep else 1
    stages = sum(bf + (1 if nontrivial_stage(s, b) else 0) for s in range(1, L + 1))
    return 1 + stages + 1


MULT_BITS = 18
"""Signed operand width of the deep pipeline's multiplier slice (ECP5 MULT18X18D)."""

SLICE_LATENCY = 2
"""Cycles through the deep pipeline's multiplier slice: its operand registers, then its product register
(on ECP5 both are the MULT18X18D's own, so no fabric route ends at the multiplier's combinational input)."""


def product_pieces(wa: int, wb: int) -> tuple[int, int]:
    """Pieces of each operand of a wa x wb signed product cut for 18 x 18 slices (1, 1 when it fits)."""
    def n(w: int) -> int:
        return 1 if w <= MULT_BITS else 1 + math.ceil((w - MULT_BITS) / (MULT_BITS - 1))
    return n(wa), n(wb)


def product_latency(wa: int, wb: int, deep: bool) -> int:
    """Cycles from registered operands to the registered exact product.

    Standard pipeline, or a product small enough to stay in LUTs
    (`devices.multiply_in_luts`): 1.  Deep pipeline: the slice's
    `SLICE_LATENCY`, then a fabric register its output lands in (the route
    from a DSP column gets a cycle of its own), plus 1 when the product is
    cut into pieces (their sum).
    """
    if not deep or multiply_in_luts(wa, wb):
        return 1
    return SLICE_LATENCY + 1 + (1 if product_pieces(wa, wb) != (1, 1) else 0)


def lane_products(b: int, ww: int, wx: int, cmul: int) -> list[tuple[int, int]]:
    """Operand widths of a MAC lane's real multipliers (the 3-multiply form widens one operand by a bit)."""
    real = [(ww, wx)] * min(b, 2)
    if cmul == 3:
        return real + [(wx, ww + 1), (ww, wx + 1), (ww, wx + 1)] * (b // 2 - 1)
    return real + [(ww, wx)] * (4 * (b // 2 - 1))


def lane_product_latency(b: int, ww: int, wx: int, cmul: int, deep: bool) -> int:
    """Product latency of a MAC lane: its widest product's (every product of a lane is aligned to it)."""
    return max(product_latency(a, c, deep) for a, c in lane_products(b, ww, wx, cmul))


def mac_latency(col_lanes: int, product: int = 1, deep: bool = False) -> int:
    """Cycles from a MAC instruction's issue to its accumulator value being readable by a drain.

    issue -> weight ROM and spectrum buffer read (1) -> operand registers with
    the 3-multiply pre-adds (1) -> product registers (`product`:
    `product_latency`) -> complex combine (1) -> adder tree
    over the column lanes (ceil(log2 col_lanes)) -> accumulate into the
    accumulator memory (1; deep pipeline: 2, the read registered, then the
    add and write-back, with the sum forwarded to an instruction that reads
    the row just written).
    """
    return (1 + 1 + product + 1 + (math.ceil(math.log2(col_lanes)) if col_lanes > 1 else 0)
            + accumulate_latency(deep))


def accumulate_latency(deep: bool = False) -> int:
    """The accumulate stage at the end of `mac_latency`: the add and write-back (1), after a registered
    accumulator read in the deep pipeline (2)."""
    return 2 if deep else 1


def drain_latency() -> int:
    """Cycles from a drain read of an accumulator to the IRFFT engine input: read (1) + requantize (1)."""
    return 2


def ew_op_latency(op: Operation, deep: bool = False) -> int:
    """Pipeline depth of one element-wise operator (`deep`: the deep pipeline's, module docstring)."""
    if isinstance(op, SliceOp):
        return 0
    if isinstance(op, RequantizeOp):
        return 1
    if isinstance(op, AddOp | SubOp):
        return 2 if deep else 1  # (deep: the exact sum registered, then) the requantize register
    if isinstance(op, MulOp):
        # product register(s), then requantize register
        wa, wb = (_width(v.type) for v in op.operands)
        return product_latency(wa, wb, deep) + 1
    if isinstance(op, PwlOp):
        # clamp (deep: its own cycle) + segment index, table read, slope * x, + intercept, requantize
        if not deep:
            return 5
        return 1 + 1 + 1 + product_latency(pwl_coeff_width(op), pwl_x_width(op), True) + 1 + 1
    if isinstance(op, SigmoidOp | TanhOp):
        return 2  # table ROM read, output register
    raise ValueError(f"no element-wise unit for {op.name}")


def _width(t) -> int:
    from ernn_ir.hardware.stepgraph import fmt_of

    return fmt_of(t).width


def pwl_coeff_width(op: PwlOp) -> int:
    assert op.coeff is not None
    return op.coeff.width.data


def pwl_range(op: PwlOp) -> tuple[int, int, int]:
    """(segment shift, x_min, last x) of a PWL table in raw units of its input: segment i holds
    [x_min + i * 2^shift, x_min + (i + 1) * 2^shift)."""
    from ernn_ir.dialects.ernn.checks import dense_to_numpy
    from ernn_ir.hardware.stepgraph import fmt_of

    fi = fmt_of(op.operands[0].type).frac
    n = dense_to_numpy(op.slopes).size
    sh = op.log2_step.value.data + fi
    x_min = round(op.x_min.value.data * 2.0**fi)
    return sh, x_min, x_min + n * (1 << sh) - 1


def pwl_x_width(op: PwlOp) -> int:
    """Bits of the clamped PWL input: its table's range (`pwl_range`)."""
    _, x_min, top = pwl_range(op)
    return max(2, max(abs(x_min), abs(top)).bit_length() + 1)


FRAME_READ_LATENCY = 1
"""Cycles to read a block of an input frame from the frame buffer into an input rFFT engine."""

EW_READ_LATENCY = 1
"""Cycles to read an element-wise unit's operands from its buffers (synchronous memories)."""
