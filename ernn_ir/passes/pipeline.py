"""`ernn-pipeline`: the whole optimizing pipeline as one pass with a few options.

    ernn-opt model.mlir -p 'ernn-pipeline{weight-bits=12}'

runs, in order: ernn-expand-cells, ernn-circulant-to-fft, ernn-fft-fusion,
ernn-weight-sharing, ernn-approximate-activations (unless `approximate` is
false), ernn-quantize (unless `quantize` is false) and, with `report`, the
op-count table.  Each stage is an ordinary pass: spell the list out with
`-p` to stop anywhere or to set options the pipeline does not expose, and
add `--validate` to ernn-opt to check the reference after every stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ernn_ir.dialects.ernn.types import MAX_FIXED_WIDTH
from ernn_ir.passes.options import (
    CheckedPass,
    in_range,
    non_negative,
    one_of,
    option,
    positive,
    power_of_two,
)

WIDTH = in_range(2, MAX_FIXED_WIDTH)


@dataclass(frozen=True)
class PipelinePass(CheckedPass):
    """Model level to quantized, fused frequency level in one pass."""

    name = "ernn-pipeline"

    fft: bool = option(True)
    """Lower block-circulant matvecs to the fused FFT form (block size 1 keeps the
    matvec form: a 1 x 1 circulant block is a dense entry and needs no FFT)."""
    approximate: bool = option(True)
    """Replace sigmoid/tanh by piecewise-linear tables."""
    segments: int = option(32, power_of_two, in_range(1, 1 << 12))
    """Segments per activation table (a power of two)."""
    quantize: bool = option(True)
    """Convert to fixed point."""
    weight_bits: int = option(16, WIDTH)
    """Width of every weight class (input, recurrent, projection)."""
    data_bits: int = option(16, WIDTH)
    """Width of inputs, activations and the cell state."""
    acc_bits: int = option(32, WIDTH)
    """Width of matvec / spectral accumulators."""
    input_max: int | float = option(8.0, positive, doc="the assumed max |input| (a number)")
    """Assumed max |x| of the inputs, which sets the input format without calibration."""
    cell_max: int | float = option(16.0, positive, doc="the assumed max |cell state| (a number)")
    """Cap of the LSTM cell state's range (beyond it the fixed-point cell saturates)."""
    calibrate: int = option(0, non_negative, doc="a count (number of random input sets)")
    """Random sequences to calibrate fraction bits on (0: formats from the range analysis)."""
    calibrate_file: str = option("")
    """Sample inputs (.npy / .npz) to calibrate fraction bits on, instead of random ones."""
    rounding: str = option("half_up", one_of("half_up", "convergent"))
    overflow: str = option("saturate", one_of("saturate", "wrap"))
    report: bool = option(False)
    """Print the op-count and storage table at the end."""

    def stages(self) -> list[ModulePass]:
        from ernn_ir.passes.approximate_activations import ApproximateActivationsPass
        from ernn_ir.passes.circulant_to_fft import CirculantToFftPass
        from ernn_ir.passes.expand_cells import ExpandCellsPass
        from ernn_ir.passes.fft_fusion import FftFusionPass
        from ernn_ir.passes.op_count_report import OpCountPass
        from ernn_ir.passes.quantize import QuantizePass
        from ernn_ir.passes.weight_sharing import WeightSharingPass

        stages: list[ModulePass] = [ExpandCellsPass()]
        if self.fft:
            stages += [CirculantToFftPass(), FftFusionPass(), WeightSharingPass()]
        if self.approximate:
            stages.append(
                ApproximateActivationsPass(sigmoid_segments=self.segments, tanh_segments=self.segments)
            )
        if self.quantize:
            stages.append(
                QuantizePass(
                    weight_bits=self.weight_bits,
                    input_bits=self.data_bits,
                    cell_bits=self.data_bits,
                    act_bits=self.data_bits,
                    acc_bits=self.acc_bits,
                    input_max=self.input_max,
                    cell_max=self.cell_max,
                    calibrate=self.calibrate,
                    calibrate_file=self.calibrate_file,
                    rounding=self.rounding,
                    overflow=self.overflow,
                )
            )
        if self.report:
            stages.append(OpCountPass())
        return stages

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for stage in self.stages():
            stage.apply(ctx, op)
