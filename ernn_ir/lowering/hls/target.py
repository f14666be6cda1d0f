"""`ernn-opt -t hls` / `-t hls-int`: the Vitis HLS project of every accelerator of a tiled module.

    ernn-opt model_q.mlir -p 'ernn-tile{multipliers=64}' -t hls -o prj        # write the project
    ernn-opt model_q.mlir -p 'ernn-tile{multipliers=64}' -t hls               # print its files
    ernn-opt ... -t 'hls{flavour=int tb-data=false seed=3 part=xcvu9p-flga2104-2-e}'

Options: `flavour` (`ap`: ap_fixed, the default of `hls`; `int`: plain C++
integers, the default of `hls-int`), `tb-data` (write seeded random frames
and the reference's outputs for the testbench, default true), `seed`, and
`part` (the FPGA part in build_prj.tcl; default: the design's device).
A module with several accelerators gets one project per accelerator, in a
subdirectory named after its design.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.lowering.directory_target import DirectoryTarget
from ernn_ir.lowering.hls.project import MARKER
from ernn_ir.passes.options import check_options, in_range, option
from ernn_ir.tools.options import MAX_SEED


@dataclass(frozen=True)
class HlsTarget(DirectoryTarget):
    """The Vitis HLS project of every `ernn_hw.accelerator` (see the module docstring)."""

    name = "hls"
    marker = MARKER

    flavour: str = "ap"
    tb_data: bool = True
    seed: int = option(0, in_range(0, MAX_SEED))
    part: str = ""

    def __post_init__(self) -> None:
        # types and ranges when the target is built (`-t` is parsed); an unknown
        # flavour is refused when the files are made (`files`)
        check_options(self, f"-t {self.name}")

    def files(self, ctx: Context, module: ModuleOp) -> dict[str, str]:
        from ernn_ir.dialects.ernn import ScanOp
        from ernn_ir.hardware.constants import OuterConstants
        from ernn_ir.hardware.design_view import accelerators, read_design
        from ernn_ir.lowering.hls.emit import FLAVOURS, HlsDesign, HlsError
        from ernn_ir.lowering.hls.project import golden_vectors, project_files

        if self.flavour not in FLAVOURS:
            raise DiagnosticException(f"-t {self.name}: unknown flavour '{self.flavour}' "
                                      f"(flavours: {', '.join(FLAVOURS)})")
        accs = accelerators(module)
        if not accs:
            scans = any(isinstance(o, ScanOp) for o in module.walk())
            what = ("its ernn.scan time loops are not tiled yet" if scans
                    else "it has no ernn_hw.accelerator")
            raise DiagnosticException(
                f"-t {self.name} writes the C++ of the hardware level, and {what}: run "
                "ernn-opt -p 'ernn-pipeline{weight-bits=12},ernn-tile{multipliers=64}' (quantized, fused, tiled) first"
            )
        consts = OuterConstants(module)
        out: dict[str, str] = {}
        tops = []
        for acc in accs:
            view = read_design(acc, consts)
            try:
                design = HlsDesign(view, self.flavour)
            except HlsError as e:
                raise DiagnosticException(f"-t {self.name}: {e}") from None
            golden = golden_vectors(module, acc, self.seed) if self.tb_data else None
            files = project_files(design, golden, self.part)
            prefix = "" if len(accs) == 1 else f"{design.top}/"
            tops.append(design.top)
            out.update({prefix + k: v for k, v in files.items()})
        if len(accs) > 1:
            out["README.md"] = ("# ernn-ir HLS projects\n\nOne Vitis HLS project per accelerator of the module: "
                                + ", ".join(f"`{t}/`" for t in tops) + ". Each has its own README.md.\n")
        return out


@dataclass(frozen=True)
class HlsIntTarget(HlsTarget):
    """`-t hls` with plain C++ integers (no HLS headers) by default."""

    name = "hls-int"

    flavour: str = "int"
