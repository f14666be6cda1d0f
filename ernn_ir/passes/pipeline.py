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
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.dialects.ernn.types import MAX_FIXED_WIDTH, OverflowMode, RoundingMode


@dataclass(frozen=True)
class PipelinePass(ModulePass):
    """Model level to quantized, fused frequency level in one pass."""

    name = "ernn-pipeline"

    fft: bool = True
    """Lower block-circulant matvecs to the fused FFT form."""
    approximate: bool = True
    """Replace sigmoid/tanh by piecewise-linear tables."""
    segments: int = 32
    """Segments per activation table (a power of two)."""
    quantize: bool = True
    """Convert to fixed point."""
    weight_bits: int = 16
    """Width of every weight class (input, recurrent, projection)."""
    data_bits: int = 16
    """Width of inputs, activations and the cell state."""
    acc_bits: int = 32
    """Width of matvec / spectral accumulators."""
    calibrate: int = 0
    """Random sequences to calibrate fraction bits on (0: the fixed defaults)."""
    calibrate_file: str = ""
    """Sample inputs (.npy / .npz) to calibrate fraction bits on, instead of random ones."""
    rounding: str = "half_up"
    overflow: str = "saturate"
    report: bool = False
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
                    calibrate=self.calibrate,
                    calibrate_file=self.calibrate_file,
                    rounding=self.rounding,
                    overflow=self.overflow,
                )
            )
        if self.report:
            stages.append(OpCountPass())
        return stages

    def check_options(self) -> None:
        """Reject bad options before any stage runs, under the pipeline's own option names."""

        def bad(msg: str) -> None:
            raise DiagnosticException(f"ernn-pipeline: {msg}")

        for name in ("weight_bits", "data_bits", "acc_bits"):
            v = getattr(self, name)
            if not 2 <= v <= MAX_FIXED_WIDTH:
                bad(f"{name.replace('_', '-')} must be in [2, {MAX_FIXED_WIDTH}], got {v}")
        if self.segments < 1 or self.segments & (self.segments - 1):
            bad(f"segments must be a power of two, got {self.segments}")
        if self.rounding not in {m.value for m in RoundingMode}:
            bad(f"rounding must be 'half_up' or 'convergent', got '{self.rounding}'")
        if self.overflow not in {m.value for m in OverflowMode}:
            bad(f"overflow must be 'saturate' or 'wrap', got '{self.overflow}'")
        if self.calibrate < 0:
            bad(f"calibrate must be >= 0, got {self.calibrate}")

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.check_options()
        for stage in self.stages():
            stage.apply(ctx, op)
