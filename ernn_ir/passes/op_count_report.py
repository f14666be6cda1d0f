"""`ernn-op-count`: print the op-count and storage table of the module; the IR is unchanged.

    ernn-opt -p 'ernn-op-count{output="counts.txt"}' model.mlir

`output`: "-" (default) prints the table to stdout, before the IR that
ernn-opt prints; any other value is a file path (written only if the whole run succeeds, see
`ernn_ir.outputs`).  `title` heads the table.
The counts are those of `ernn_ir.analysis.op_count` (per time step for ops
in an `ernn.scan` body, per sequence for the others).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from ernn_ir.analysis.op_count import count_ops, format_report
from ernn_ir.outputs import write_side_output
from ernn_ir.passes.options import CheckedPass


@dataclass(frozen=True)
class OpCountPass(CheckedPass):
    """Print rFFT/IRFFT/MAC/multiply counts and weight storage; leaves the IR unchanged."""

    name = "ernn-op-count"

    output: str = "-"
    title: str = "ernn op count"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        text = format_report(count_ops(op), self.title)
        if self.output == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_side_output(self.output, text)
