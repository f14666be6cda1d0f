"""`ernn-approximate-activations`: ernn.sigmoid / ernn.tanh into ernn.pwl tables.

Options (per function): `sigmoid-segments` (power of two, default 32),
`sigmoid-min`/`sigmoid-max` (default -8/8), `tanh-segments` (32),
`tanh-min`/`tanh-max` (-4/4); (max - min) / segments must be a power of two.
Fixed-point IR also uses `coeff-bits` (default 16) and `coeff-frac` (default:
the most fraction bits that hold the table's largest coefficient) for the
table's slopes and intercepts; x_min must then be a multiple of the input
lsb.  Each table interpolates the function at the segment ends
(`ernn_ir.numerics.fit_pwl`).

The worst-case error |pwl(x) - f(x)| of every table is printed to stderr
(`report=false` silences it):
- float IR: the table domain is sampled densely (4096 points per segment,
  refined around each segment's maximum) and the clamped tails contribute
  their limit error (|f(+-inf) - pwl(x_max / x_min)|);
- fixed IR: every representable input of the input format is evaluated
  bit-exactly (the clamped tails at their extremes), against f in float64.
Applying the pass twice is a no-op (no sigmoid/tanh remain).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    Float64Type,
    FloatAttr,
    IntAttr,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Operation
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.builder import dense_attr
from ernn_ir.diagnostics import op_error
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.types import MAX_FIXED_FRAC, MAX_FIXED_WIDTH, FixedType
from ernn_ir.numerics import (
    FixedFormat,
    PwlTable,
    fit_pwl,
    pwl_eval_fixed,
    pwl_eval_float,
    quantize_table,
)
from ernn_ir.numerics.pwl import activation
from ernn_ir.passes.options import (
    CheckedPass,
    in_range,
    option,
    ordered,
    power_of_two,
)

LIMITS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
MAX_SEGMENTS = 1 << 12
"""Largest table (a ROM of slopes and intercepts) the options accept."""
MAX_EXHAUSTIVE = 1 << 24
"""Inputs evaluated one by one; beyond this the table domain is strided (still incl. segment ends)."""


def _err(msg: str) -> DiagnosticException:
    return DiagnosticException(f"ernn-approximate-activations: {msg}")


@dataclass(frozen=True)
class ActivationReport:
    function: str
    segments: int
    x_min: float
    x_max: float
    input: str
    """'f32'/'f64' or the fixed input format"""
    output: str
    max_error: float
    method: str

    def line(self) -> str:
        return (
            f"  {self.function:<8} {self.segments:>8}  [{self.x_min:g}, {self.x_max:g})  "
            f"{self.input} -> {self.output}  max |err| = {self.max_error:.3e} ({self.method})"
        )


def float_table_error(table: PwlTable, func_name: str, per_segment: int = 4096) -> float:
    """Worst-case |pwl(x) - f(x)| over the real line (f64 evaluation of the table)."""
    f = activation(func_name)
    n = table.segments
    step = table.step
    worst = 0.0
    xs = table.x_min + np.arange(n * per_segment + 1, dtype=np.float64) * (step / per_segment)
    err = np.abs(pwl_eval_float(xs, table) - f(xs))
    worst = float(err.max())
    # refine around each segment's sampled maximum (the chord error is smooth)
    e2 = err[:-1].reshape(n, per_segment)
    arg = e2.argmax(axis=1)
    h = step / per_segment
    for i in range(n):
        c = table.x_min + i * step + arg[i] * h
        lo, hi = max(c - h, table.x_min + i * step), min(c + h, table.x_min + (i + 1) * step)
        fine = np.linspace(lo, hi, 257)
        fine = fine[fine < table.x_min + (i + 1) * step] if i < n - 1 else fine
        if fine.size:
            worst = max(worst, float(np.abs(pwl_eval_float(fine, table) - f(fine)).max()))
    lo_lim, hi_lim = LIMITS[func_name]
    ends = pwl_eval_float(np.array([table.x_min, table.x_max]), table)
    worst = max(worst, abs(float(ends[0]) - lo_lim), abs(float(ends[1]) - hi_lim))
    return worst


def fixed_table_error(
    func_name: str,
    in_fmt: FixedFormat,
    out_fmt: FixedFormat,
    coeff: FixedFormat,
    slopes_raw: np.ndarray,
    intercepts_raw: np.ndarray,
    x_min_raw: int,
    log2_step: int,
    rounding: str = "half_up",
    overflow: str = "saturate",
) -> tuple[float, str]:
    """Max |pwl_fixed(x) - f(x)| over every input of `in_fmt` (tails at their extremes)."""
    f = activation(func_name)
    n = slopes_raw.size
    sh = log2_step + in_fmt.frac
    top = x_min_raw + n * (1 << sh) - 1
    lo = max(x_min_raw, in_fmt.min_raw)
    hi = min(top, in_fmt.max_raw)
    count = hi - lo + 1
    stride = 1
    method = "exhaustive"
    if count > MAX_EXHAUSTIVE:
        stride = -(-count // MAX_EXHAUSTIVE)
        method = f"every {stride}th input + segment ends"
    worst = 0.0

    def ev(x: np.ndarray) -> float:
        y, _ = pwl_eval_fixed(x, in_fmt, slopes_raw, intercepts_raw, coeff, x_min_raw, log2_step,
                              out_fmt, rounding, overflow)
        return float(np.max(np.abs(np.ldexp(y.astype(np.float64), -out_fmt.frac)
                                   - f(np.ldexp(x.astype(np.float64), -in_fmt.frac)))))

    chunk = 1 << 20
    start = lo
    while start <= hi:
        stop = min(hi, start + chunk * stride - 1)
        worst = max(worst, ev(np.arange(start, stop + 1, stride, dtype=np.int64)))
        start = stop + 1
    # segment ends and neighbours, the format's extremes (clamped tails), the table ends
    ends = x_min_raw + np.arange(n + 1, dtype=np.int64) * (1 << sh)
    extra = np.concatenate([ends - 1, ends, ends + 1, [in_fmt.min_raw, in_fmt.max_raw]])
    extra = np.clip(extra, in_fmt.min_raw, in_fmt.max_raw)
    worst = max(worst, ev(extra))
    return worst, method


def _table_grid(func_name: str):
    """(max - min) / segments must be a power of two: the segment index is a shift."""

    def relation(p) -> str | None:
        lo = getattr(p, f"{func_name}_min")
        hi = getattr(p, f"{func_name}_max")
        seg = getattr(p, f"{func_name}_segments")
        if not hi > lo:
            return None  # reported by the ordering rule
        step = (hi - lo) / seg
        mant, _ = math.frexp(step)
        if mant != 0.5:
            return (
                f"{func_name} table: ({func_name}-max - {func_name}-min) / {func_name}-segments = "
                f"({hi:g} - {lo:g}) / {seg} = {step:g} must be a power of two (the segment width)"
            )
        return None

    return relation


@dataclass(frozen=True)
class ApproximateActivationsPass(CheckedPass):
    """Replace ernn.sigmoid / ernn.tanh with piecewise-linear ernn.pwl tables."""

    name = "ernn-approximate-activations"

    sigmoid_segments: int = option(32, power_of_two, in_range(1, MAX_SEGMENTS))
    sigmoid_min: int | float = option(-8.0)
    sigmoid_max: int | float = option(8.0)
    tanh_segments: int = option(32, power_of_two, in_range(1, MAX_SEGMENTS))
    tanh_min: int | float = option(-4.0)
    tanh_max: int | float = option(4.0)
    coeff_bits: int = option(16, in_range(2, MAX_FIXED_WIDTH))
    coeff_frac: int | None = option(None, in_range(-MAX_FIXED_FRAC, MAX_FIXED_FRAC))
    """Fraction bits of a fixed table's coefficients; by default the most that hold
    the table's largest slope or intercept at `coeff-bits`."""
    report: bool = option(True)

    option_relations = (
        ordered("sigmoid_min", "sigmoid_max"),
        ordered("tanh_min", "tanh_max"),
        _table_grid("sigmoid"),
        _table_grid("tanh"),
    )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        reports = approximate_activations(op, self)
        if self.report and reports:
            print(format_reports(reports), file=sys.stderr)

    def table(self, func_name: str) -> PwlTable:
        seg = getattr(self, f"{func_name}_segments")
        lo = float(getattr(self, f"{func_name}_min"))
        hi = float(getattr(self, f"{func_name}_max"))
        try:
            return fit_pwl(func_name, lo, hi, seg)
        except ValueError as e:
            raise _err(f"{func_name} table ({seg} segments on [{lo:g}, {hi:g}]): {e}") from None


def coefficient_format(table: PwlTable, bits: int, frac: int | None) -> FixedFormat:
    """The coefficient format of a table: `frac`, or the most fraction bits that
    hold every slope and intercept at `bits` (the table is known exactly)."""
    if frac is None:
        from ernn_ir.passes.calibration import fit_frac

        m = float(max(np.abs(table.slopes).max(), np.abs(table.intercepts).max()))
        frac = fit_frac(m, bits)
    return FixedFormat(bits, frac)


def format_reports(reports: list[ActivationReport]) -> str:
    head = "ernn-approximate-activations: worst-case error per table\n  function segments  range  input -> output  error"
    uniq = list(dict.fromkeys(reports))
    return "\n".join([head, *(r.line() for r in uniq)])


def _log2_step_attr(s: int):
    """The pwl op's `log2_step` attribute (an i64 IntegerAttr; older dialect versions: IntAttr)."""
    from xdsl.dialects.builtin import IntegerAttr

    from ernn_ir.dialects.ernn.gate_ops import PwlOp

    constr = str(PwlOp.get_irdl_definition().properties["log2_step"].constr)
    return IntegerAttr(s, 64) if "IntegerAttr" in constr or "integer" in constr else IntAttr(s)


def log2_step_of(op) -> int:
    a = op.log2_step
    return int(a.value.data) if hasattr(a, "value") else int(a.data)


def _fmt(t) -> FixedFormat:
    return FixedFormat(t.width.data, t.frac.data)


def approximate_activations(
    module: ModuleOp, options: ApproximateActivationsPass | None = None
) -> list[ActivationReport]:
    """Rewrite `module` in place; returns one report per distinct (function, formats) table."""
    p = options or ApproximateActivationsPass()
    tables: dict[str, PwlTable] = {}
    reports: list[ActivationReport] = []
    cache: dict[tuple, ActivationReport] = {}
    for op in list(module.walk()):
        if isinstance(op, ernn.SigmoidOp):
            fn = "sigmoid"
        elif isinstance(op, ernn.TanhOp):
            fn = "tanh"
        else:
            continue
        if fn not in tables:
            tables[fn] = p.table(fn)
        reports.append(_rewrite(op, fn, tables[fn], p, cache))
    return reports


def _rewrite(op: Operation, fn: str, table: PwlTable, p: ApproximateActivationsPass, cache) -> ActivationReport:
    x, r = op.operands[0], op.results[0]
    xt, rt = x.type, r.type
    assert isinstance(xt, TensorType) and isinstance(rt, TensorType)
    props: dict = {
        "x_min": FloatAttr(table.x_min, Float64Type()),
        "log2_step": _log2_step_attr(table.log2_step),
        "function": StringAttr(fn),
    }
    for k in ("rounding", "overflow"):
        if k in op.properties:
            props[k] = op.properties[k]
    if isinstance(xt.element_type, FixedType):
        fin, fout = _fmt(xt.element_type), _fmt(rt.element_type)
        coeff = coefficient_format(table, p.coeff_bits, p.coeff_frac)
        if table.log2_step + fin.frac < 0:
            raise op_error(
                op,
                f"ernn-approximate-activations: {fn}: segment width 2^{table.log2_step} is finer than "
                f"the input lsb 2^{-fin.frac} of {fin}; use fewer segments or a wider range",
            )
        try:
            s, c, xr = quantize_table(table, fin, coeff)
        except ValueError as e:
            raise op_error(op, f"ernn-approximate-activations: {fn}: {e}") from None
        fx = FixedType(coeff.width, coeff.frac)
        props.update(slopes=dense_attr(s, fx), intercepts=dense_attr(c, fx), coeff=fx)
        key = (fn, fin, fout, coeff, op.properties.get("rounding"), op.properties.get("overflow"))
        if key not in cache:
            from ernn_ir.lowering.reference.values import modes

            err, method = fixed_table_error(fn, fin, fout, coeff, s, c, xr, table.log2_step, *modes(op))
            cache[key] = ActivationReport(fn, table.segments, table.x_min, table.x_max, str(fin), str(fout), err, method)
        rep = cache[key]
    else:
        f64 = Float64Type()
        props.update(slopes=dense_attr(table.slopes, f64), intercepts=dense_attr(table.intercepts, f64))
        key = (fn, "float")
        if key not in cache:
            err = float_table_error(table, fn)
            name = "f32" if "32" in str(xt.element_type) else "f64"
            cache[key] = ActivationReport(fn, table.segments, table.x_min, table.x_max, name, name, err, "dense sampling")
        rep = cache[key]
    new = ernn.PwlOp.build(operands=[x], properties=props, result_types=[rt])
    from xdsl.builder import Builder, InsertPoint

    new.location = op.location
    Builder(InsertPoint.before(op)).insert(new)
    new.results[0].name_hint = r.name_hint
    r.replace_all_uses_with(new.results[0])
    op.detach()
    op.erase()
    return rep
