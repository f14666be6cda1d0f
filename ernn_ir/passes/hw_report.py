"""`ernn-hw-report`: print the cost report of every tiled design; the IR is unchanged.

    ernn-opt model_q.mlir -p 'ernn-tile{multipliers=1024},ernn-hw-report'
    ernn-opt tiled.mlir -p 'ernn-hw-report{format=json output=cost.json}'

`format`: `text` (default) or `json`; `output`: `-` (stdout, before the IR
ernn-opt prints) or a file, written only when the whole run succeeds.
Figures: ernn_ir/hardware/report.py; what they mean: docs/hardware.md.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.passes.options import CheckedPass, one_of, option


@dataclass(frozen=True)
class HwReportPass(CheckedPass):
    """Cycles, rate, resources and utilisation of each ernn_hw design."""

    name = "ernn-hw-report"

    format: str = option("text", one_of("text", "json"))
    output: str = option("-")
    """Where the report goes: '-' is stdout."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from ernn_ir.hardware.constants import OuterConstants
        from ernn_ir.hardware.design_view import accelerators, read_design
        from ernn_ir.hardware.report import design_report, format_report

        accs = accelerators(op)
        if not accs:
            raise DiagnosticException("ernn-hw-report: the module has no ernn_hw.accelerator (run ernn-tile first)")
        consts = OuterConstants(op)
        reports = [design_report(read_design(a, consts)) for a in accs]
        if self.format == "json":
            text = json.dumps(reports if len(reports) > 1 else reports[0], indent=2) + "\n"
        else:
            text = "".join(format_report(r) for r in reports)
        if self.output == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            from ernn_ir.outputs import write_side_output

            write_side_output(self.output, text)
