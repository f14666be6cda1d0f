"""Pipeline depths of the hardware units: the one place the scheduler and the RTL generator agree on.

Every unit is fully pipelined (one block, or one instruction, per cycle) with
a fixed latency; the static schedule relies on these numbers and the RTL
generator builds exactly these pipelines, so a test that simulates a unit
alone checks each number against the RTL.

Conventions: an operation issued (or a block entering a unit) in cycle n
has its result written at the end of cycle n + latency - 1, and a consumer
may read it from cycle n + latency on.  Memories read synchronously (an
address in cycle n gives data in cycle n + 1).
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


def log2(b: int) -> int:
    return b.bit_length() - 1


def nontrivial_stage(stage: int, b: int) -> bool:
    """Whether radix-2 stage `stage` (1-based, m = 2^stage) multiplies by a non-trivial twiddle.

    Stage s uses twiddle indices j = k * b / 2^s for k < 2^(s-1); only j = 0
    (1) and j = b/4 (-i) are exact, so stages 1 and 2 never multiply.
    """
    return stage >= 3


def fft_latency(b: int, inverse: bool) -> int:
    """Cycles from a block entering an FFT engine to its result being readable.

    1 cycle to requantize the input into the transform's format (the inverse
    also mirrors the conjugate bins in it), then per radix-2 stage 1 cycle for
    the butterfly adds, plus 1 cycle for the twiddle product when the stage
    has non-trivial twiddles, then 1 output register.
    """
    L = log2(b)
    stages = sum(2 if nontrivial_stage(s, b) else 1 for s in range(1, L + 1))
    return 1 + stages + 1


def mac_latency(col_lanes: int) -> int:
    """Cycles from a MAC instruction's issue to its accumulator value being readable by a drain.

    issue -> weight ROM and spectrum buffer read (1) -> operand registers with
    the 3-multiply pre-adds (1) -> product registers (1) -> complex combine
    (1) -> adder tree over the column lanes (ceil(log2 col_lanes)) ->
    accumulate into the accumulator memory (1).
    """
    return 1 + 1 + 1 + 1 + math.ceil(math.log2(col_lanes)) + 1 if col_lanes > 1 else 5


def drain_latency() -> int:
    """Cycles from a drain read of an accumulator to the IRFFT engine input: read (1) + requantize (1)."""
    return 2


def ew_op_latency(op: Operation) -> int:
    """Pipeline depth of one element-wise operator."""
    if isinstance(op, SliceOp):
        return 0
    if isinstance(op, AddOp | SubOp | RequantizeOp):
        return 1
    if isinstance(op, MulOp):
        return 2  # product register, then requantize register
    if isinstance(op, PwlOp):
        return 5  # clamp + segment index, table read, slope * x, + intercept, requantize
    if isinstance(op, SigmoidOp | TanhOp):
        return 2  # table ROM read, output register
    raise ValueError(f"no element-wise unit for {op.name}")


FRAME_READ_LATENCY = 1
"""Cycles to read a block of an input frame from the frame buffer into an input rFFT engine."""

EW_READ_LATENCY = 1
"""Cycles to read an element-wise unit's operands from its buffers (synchronous memories)."""
