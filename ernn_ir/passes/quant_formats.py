"""Which fixed-point format each value gets: widths by class, fraction bits from ranges.

The rule (docs/quantization.md):

* the *width* of a value is its class's (`<class>-bits`, `weight-bits`);
* its *fraction bits* are the option `<class>-frac` when given, otherwise the
  largest that holds the value's range at that width:
  - constants (weights, biases, PWL coefficients, twiddles) from their actual
    largest magnitude;
  - everything computed from the range analysis of the float module
    (`ernn_ir.passes.ranges`): sigmoid in [0, 1], tanh in [-1, 1], a PWL
    table's own extremes, matvecs and FFTs from the weights, the cell state
    from its recurrence, plus a 1/64 margin for fixed-point rounding;
  - assumed ranges where the compiler cannot know one: the function inputs
    (`input-max`) and a recurrent state whose bound only grows with the
    sequence length (the LSTM cell state, capped at `cell-max`, beyond which
    the fixed-point cell saturates); such a range [-M, M) takes
    ceil(log2 M) integer bits;
  - with calibration, the observed largest magnitude with one guard bit,
    never above the analysis bound (which no input within the assumed ranges
    can exceed).

Values that must share one format form a group: a shape op and its operand,
the operands of a concatenation, and a scan carry with its initial value and
the value yielded for it (unless the yielded value is of another class and
is requantized, as the IR already does).  A group's range is the hull of its
members' ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import BlockArgument, SSAValue

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.pool_ops import GatherBlocksOp
from ernn_ir.numerics import FixedFormat
from ernn_ir.passes.calibration import fit_frac
from ernn_ir.passes.quant_classes import DATA_CLASSES, STRUCT_OPS, Classifier
from ernn_ir.passes.ranges import RangeAnalysis, with_margin

CALIBRATION_GUARD = 1
"""Guard bits above the largest calibrated magnitude."""


def calibrated_format_bound(v: SSAValue, observed: dict[SSAValue, float]) -> float:
    """What the format of `v` must hold by the calibration run: its largest magnitude,
    and for an FFT what the op rounds into its result format on the way (the
    requantized input; an IRFFT's butterflies stay below the largest complex
    magnitude of its spectrum, at most sqrt(2) times its largest component)."""
    m = observed[v]
    op = v.owner
    if isinstance(op, ernn.RfftOp):
        m = max(m, observed.get(op.input, 0.0))
    elif isinstance(op, ernn.IrfftOp):
        m = max(m, math.sqrt(2.0) * observed.get(op.input, 0.0))
    return m


def assumed_frac(max_abs: float, width: int) -> int:
    """Fraction bits of the range [-M, M) for an assumed bound M: ceil(log2 M) integer bits."""
    return width - 1 - math.ceil(math.log2(max_abs))


class _Groups:
    """Union-find over SSA values."""

    def __init__(self) -> None:
        self.parent: dict[SSAValue, SSAValue] = {}

    def find(self, v: SSAValue) -> SSAValue:
        self.parent.setdefault(v, v)
        root = v
        while self.parent[root] is not root:
            root = self.parent[root]
        while self.parent[v] is not root:
            self.parent[v], v = root, self.parent[v]
        return root

    def union(self, a: SSAValue, b: SSAValue) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra is not rb:
            self.parent[ra] = rb

    def members(self) -> dict[SSAValue, list[SSAValue]]:
        out: dict[SSAValue, list[SSAValue]] = {}
        for v in list(self.parent):
            out.setdefault(self.find(v), []).append(v)
        return out


def format_groups(module: ModuleOp, classes: dict[SSAValue, str]) -> _Groups:
    g = _Groups()

    def same_class(a: SSAValue, b: SSAValue) -> bool:
        return classes.get(a) == classes.get(b)

    for op in module.walk():
        for r in op.results:
            g.find(r)
        if isinstance(op, STRUCT_OPS + (GatherBlocksOp,)) and op.results:
            g.union(op.results[0], op.operands[0])
        elif isinstance(op, ernn.ConcatOp):
            for x in op.operands:
                if same_class(x, op.results[0]):
                    g.union(x, op.results[0])
        elif isinstance(op, ernn.ScanOp):
            blk = op.body.block
            n_in = len(op.inputs)
            n_out = op.num_step_outputs
            for a, x in zip(blk.args[:n_in], op.inputs):
                g.union(a, x)
            term = blk.last_op
            assert isinstance(term, ernn.YieldOp)
            for k in range(n_out):
                if same_class(term.values[k], op.results[k]):
                    g.union(term.values[k], op.results[k])
            for j, a in enumerate(blk.args[n_in:]):
                init, y = op.inits[j], term.values[n_out + j]
                if same_class(init, a):
                    g.union(init, a)
                if same_class(y, a):
                    g.union(y, a)
                g.union(op.results[n_out + j], a)
        elif isinstance(op, func.FuncOp):
            for a in op.body.block.args:
                g.find(a)
    return g


@dataclass
class ValueFormats:
    """The chosen format of every data value, and where each class's formats came from."""

    formats: dict[SSAValue, FixedFormat] = field(default_factory=dict)
    sources: dict[SSAValue, str] = field(default_factory=dict)
    """'option', 'range analysis', 'assumed range' or 'calibrated'"""
    bounds: dict[SSAValue, float] = field(default_factory=dict)
    """the max |value| each format was fitted to"""
    derived: set[SSAValue] = field(default_factory=set)
    """values whose fraction bits were derived (not given by an option)"""
    shared: set[SSAValue] = field(default_factory=set)
    """values whose format is shared with other values of their group"""


def choose_formats(
    module: ModuleOp,
    options,
    classes: dict[SSAValue, str],
    observed: dict[SSAValue, float] | None,
) -> tuple[ValueFormats, RangeAnalysis]:
    """Formats of every data-class value (weights, biases and tables are chosen per constant)."""
    calibrating = observed is not None
    obs = observed or {}

    def input_bound(a: BlockArgument) -> float:
        if calibrating and obs.get(a, 0.0) > 0.0:
            return obs[a] * 2.0**CALIBRATION_GUARD
        return float(options.input_max)

    def carry_cap(scan: ernn.ScanOp, j: int) -> float | None:
        if calibrating or Classifier.carry_class(scan, j) != "cell":
            return None
        return float(options.cell_max)

    analysis = RangeAnalysis(module, input_bound, carry_cap)
    capped = {
        scan.body.block.args[len(scan.inputs) + j]
        for scan, clipped in analysis.clipped.items()
        for j in clipped
    }
    out = ValueFormats()
    for root, members in format_groups(module, classes).members().items():
        cls = classes.get(root)
        if cls not in DATA_CLASSES:
            continue
        members = [v for v in members if classes.get(v) == cls]
        width = options.bits(cls)
        explicit = options.frac(cls)
        if explicit is not None:
            fmt, src, bound = FixedFormat(width, explicit), "option", math.nan
        else:
            static = max((analysis.format_bound(v) for v in members if v in analysis.values), default=0.0)
            seen = [calibrated_format_bound(v, obs) for v in members if v in obs]
            is_arg = any(isinstance(v, BlockArgument) and isinstance(v.owner.parent_op(), func.FuncOp)
                         for v in members)
            if calibrating and seen:
                bound = min(static, max(seen) * 2.0**CALIBRATION_GUARD)
                fmt, src = FixedFormat(width, fit_frac(with_margin(bound), width)), "calibrated"
            elif any(v in capped for v in members):
                bound = float(options.cell_max)
                fmt, src = FixedFormat(width, assumed_frac(bound, width)), "assumed range"
            elif is_arg:
                bound = float(options.input_max)
                fmt, src = FixedFormat(width, assumed_frac(bound, width)), "assumed range"
            else:
                bound = static
                fmt, src = FixedFormat(width, fit_frac(with_margin(bound), width)), "range analysis"
        for v in members:
            if len(members) > 1:
                out.shared.add(v)
            out.formats[v] = fmt
            out.sources[v] = src
            out.bounds[v] = bound
            if explicit is None:
                out.derived.add(v)
    return out, analysis
