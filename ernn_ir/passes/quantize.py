"""`ernn-quantize`: float gate-level or frequency-level IR to fixed point.

Every value of a function body gets an `!ernn.fixed<W, F>` element type; the
function signature stays float: `ernn.quantize` follows the entry arguments
and `ernn.dequantize` precedes `func.return`.  Constants become fixed-point
constants (raw integers in iN storage), scan carries become fixed, and
`ernn.requantize` is inserted where two classes meet (scan inits and yields,
concatenations).  Arithmetic ops round once into their result format
(docs/numerics.md), so they need no requantize.

The width of a value is set by its *class*; its fraction bits by its range
at that width (`ernn_ir.passes.quant_formats`, docs/quantization.md), unless
`<class>-frac` fixes them:

| class              | what                                                  | width | fraction bits from |
|--------------------|-------------------------------------------------------|-------|--------------------|
| `input`            | the quantized function arguments (x)                  | 16    | `input-max` (assumed range, default 8) |
| `input-weight`     | circulant params / weight spectra fed by x            | 16    | largest magnitude per tensor |
| `recurrent-weight` | w_h, projection, dense weights (and their spectra)    | 16    | largest magnitude per tensor |
| `bias`             | biases, peepholes, other constants                    | 16    | largest magnitude per tensor |
| `acc`              | matvec, spectral_mac, cmul, reduce_sum, irfft, gate pre-activation adds | 32 | range analysis |
| `cell`             | LSTM cell state (a carry that is no step output)      | 16    | range analysis, capped at `cell-max` (default 16) |
| `act`              | sigmoid/tanh/pwl outputs, h (the output carry)        | 16    | range analysis (sigmoid [0, 1], tanh [-1, 1], ...) |
| `fft`              | rfft results (input spectra)                          | 24    | range analysis |
| `twiddle`          | the `twiddle` property of rfft/irfft                  | 16    | the block size's largest non-trivial twiddle |
| `table`            | the `coeff` format of pwl tables                      | 16    | largest coefficient per table |

`weight-bits` sets both weight widths at once.  With `calibrate=N` the float
module first runs on N random standard-normal input sets (`calibrate-seed`),
or on the sample inputs in `calibrate-file` (a .npy: one input set; a .npz:
one set per array); the data classes then take the observed max |value| of
each value with one guard bit (never above the range analysis bound), the
chosen formats are printed to stderr, and the quantized module is run on
the same inputs: every op that overflows there is reported as a warning
with its location and count.  `quantize_module(module, ...,
calibration_inputs=...)` takes user input arrays instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from typing import IO

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.pool_ops import GlobalOp, is_index_type
from ernn_ir.dialects.ernn.types import MAX_FIXED_FRAC, MAX_FIXED_WIDTH, FixedType
from ernn_ir.passes.calibration import (
    normalize_input_sets,
    observe_ranges,
    random_inputs,
    sqnr_db,
)
from ernn_ir.passes.options import (
    CheckedPass,
    in_range,
    non_negative,
    one_of,
    option,
    positive,
)
from ernn_ir.passes.quant_classes import (
    ALL_CLASSES,
    DATA_CLASSES,
    WEIGHT_CLASSES,
    _elem,
    _err,
    _functions,
    classify_module,
)
from ernn_ir.passes.quant_formats import choose_formats
from ernn_ir.passes.quant_rewrite import Rewriter

__all__ = ["QuantReport", "QuantizePass", "quantize_module", "sqnr_db"]

WIDTH = in_range(2, MAX_FIXED_WIDTH)
FRAC = in_range(-MAX_FIXED_FRAC, MAX_FIXED_FRAC)
ROUNDING = one_of("half_up", "convergent")
OVERFLOW = one_of("saturate", "wrap")
COUNT = "a count (number of random input sets)"


@dataclass
class QuantReport:
    """What `ernn-quantize` chose: one row per class."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(class, formats, largest max |value| the formats were fitted to or '-', source)"""

    overflow_events: list[tuple[Operation, int]] = field(default_factory=list)
    """Per op, the overflow events of the quantized module on the calibration inputs."""
    data_formats: dict[str, FixedFormat] = field(default_factory=dict)
    """Per data class (input, acc, cell, act, fft), its coarsest format (fewest fraction bits).  Passed
    as `<class>-frac` options they quantize another build of the model (another batch, the hardware's
    layer alone) uniformly per class with no value given less range than here; ernn-explore evaluates
    and exports exactly that uniform quantization."""

    def format(self) -> str:
        head = ("class", "format", "max |value|", "source")
        w = [max(len(r[i]) for r in [head, *self.rows]) for i in range(4)]
        lines = ["ernn-quantize: fixed-point formats"]
        for r in [head, *self.rows]:
            lines.append("  " + "  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
        return "\n".join(lines)


@dataclass(frozen=True)
class QuantizePass(CheckedPass):
    """Float gate- or frequency-level IR to fixed point (see the module docstring)."""

    name = "ernn-quantize"

    input_bits: int = option(16, WIDTH)
    input_frac: int | None = option(None, FRAC)
    input_max: int | float = option(8.0, positive, doc="the assumed max |input| (a number)")
    """Assumed max |x| of the function inputs (without calibration)."""
    input_weight_bits: int = option(16, WIDTH)
    input_weight_frac: int | None = option(None, FRAC)
    recurrent_weight_bits: int = option(16, WIDTH)
    recurrent_weight_frac: int | None = option(None, FRAC)
    weight_bits: int | None = option(None, WIDTH)
    bias_bits: int = option(16, WIDTH)
    bias_frac: int | None = option(None, FRAC)
    acc_bits: int = option(32, WIDTH)
    acc_frac: int | None = option(None, FRAC)
    cell_bits: int = option(16, WIDTH)
    cell_frac: int | None = option(None, FRAC)
    cell_max: int | float = option(16.0, positive, doc="the assumed max |cell state| (a number)")
    """Cap of the LSTM cell state's range, which the recurrence only bounds by the sequence length."""
    act_bits: int = option(16, WIDTH)
    act_frac: int | None = option(None, FRAC)
    fft_bits: int = option(24, WIDTH)
    fft_frac: int | None = option(None, FRAC)
    twiddle_bits: int = option(16, WIDTH)
    twiddle_frac: int | None = option(None, FRAC)
    table_bits: int = option(16, WIDTH)
    table_frac: int | None = option(None, FRAC)
    rounding: str = option("half_up", ROUNDING)
    overflow: str = option("saturate", OVERFLOW)
    calibrate: int = option(0, non_negative, doc=COUNT)
    calibrate_seed: int = option(0, non_negative)
    calibrate_file: str = option("")
    report: bool = option(False)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        quantize_module(op, self, stream=sys.stderr)

    # -- format helpers -------------------------------------------------
    def bits(self, cls: str) -> int:
        if cls in ("input-weight", "recurrent-weight") and self.weight_bits is not None:
            return self.weight_bits
        return getattr(self, cls.replace("-", "_") + "_bits")

    def frac(self, cls: str) -> int | None:
        return getattr(self, cls.replace("-", "_") + "_frac")


# ---------------------------------------------------------------------------
# Checks on the input IR
# ---------------------------------------------------------------------------


def _state(module: ModuleOp) -> str:
    """'float', 'fixed' (already quantized) or raises on model-level / mixed IR."""
    has_fixed = has_float = False
    for op in module.walk():
        if isinstance(op, ernn.LstmOp | ernn.GruOp):
            raise _err(
                f"'{op.name}' is model-level IR; run ernn-expand-cells first "
                "(e.g. ernn-opt -p ernn-expand-cells,ernn-quantize)"
            )
        if isinstance(op, ernn.QuantizeOp | ernn.DequantizeOp | ernn.RequantizeOp):
            has_fixed = True
            continue
        if isinstance(op, GlobalOp):
            if is_index_type(_elem(op.type)):
                continue  # block index tables stay integer
            if isinstance(_elem(op.type), FixedType):
                has_fixed = True
            else:
                has_float = True
            continue
        if isinstance(op, func.FuncOp | func.ReturnOp | ModuleOp):
            continue
        for r in op.results:
            e = _elem(r.type)
            if is_index_type(e):
                continue
            if isinstance(e, FixedType):
                has_fixed = True
            else:
                has_float = True
    if has_fixed and has_float:
        raise _err("the module mixes float and fixed-point ops; quantize a float module")
    return "fixed" if has_fixed else "float"


def load_calibration_file(path: str) -> list[list[np.ndarray]]:
    """Sample inputs for calibration: a .npy is one input set (one array per
    function argument, so a single-argument function); each array of a .npz,
    in name order, is one input set of a single-argument function."""
    from ernn_ir.arrays import ArrayFileError, load_arrays, numeric_array

    try:
        data = load_arrays(path, "calibration inputs")
        if isinstance(data, np.ndarray):
            return [[numeric_array(data, f"calibration inputs '{path}'")]]
        return [[numeric_array(data[k], f"calibration set '{k}' of '{path}'")] for k in sorted(data)]
    except ArrayFileError as e:
        raise _err(str(e)) from None


def _report(rw: Rewriter, formats, p: QuantizePass) -> QuantReport:
    report = QuantReport()
    bounds: dict[str, float] = {}
    sources: dict[str, list[str]] = {}
    for v, c in rw.cls_of_original.items():
        if v in formats.formats:
            b = formats.bounds[v]
            if b == b:  # not NaN (an option)
                bounds[c] = max(bounds.get(c, 0.0), b)
            s = sources.setdefault(c, [])
            if formats.sources[v] not in s:
                s.append(formats.sources[v])
    order = list(ALL_CLASSES) + [c for c in rw.used if c not in ALL_CLASSES]
    for c in order:
        fs = rw.used.get(c)
        if not fs:
            continue
        if c in WEIGHT_CLASSES or c.endswith("spectra"):
            how = "max |value| per tensor" if p.frac(c.replace(" spectra", "")) is None else "option"
        elif c == "twiddle":
            how = "block size" if p.twiddle_frac is None else "option"
        elif c == "table":
            how = "max |coefficient| per table" if p.table_frac is None else "option"
        else:
            how = ", ".join(sources.get(c, ["option"]))
        rng = f"{bounds[c]:.4g}" if c in bounds else "-"
        report.rows.append((c, ", ".join(str(f) for f in fs), rng, how))
        if c in DATA_CLASSES:
            report.data_formats[c] = min(fs, key=lambda f: f.frac)
    return report


def quantize_module(
    module: ModuleOp,
    options: QuantizePass | None = None,
    calibration_inputs=None,
    stream: IO[str] | None = None,
    **overrides,
) -> QuantReport | None:
    """Quantize `module` in place; returns the report (None when it was already fixed point).

    `calibration_inputs`: input sets (see `calibration.normalize_input_sets`)
    to calibrate the data classes on; with `options.calibrate = N > 0` and no
    arrays, N random standard-normal sets are used.  Keyword arguments
    override fields of `options` (e.g. `weight_bits=12`).  With calibration,
    `stream` also gets one located warning per op that overflows on the
    calibration inputs after quantization.
    """
    p = options or QuantizePass()
    if overrides:
        p = replace(p, **overrides)
    if _state(module) == "fixed":
        if stream is not None:
            print("ernn-quantize: the module is already fixed point; nothing to do", file=stream)
        return None
    classes = classify_module(module)
    if calibration_inputs is None and p.calibrate_file:
        calibration_inputs = load_calibration_file(p.calibrate_file)
    if calibration_inputs is None and p.calibrate > 0:
        calibration_inputs = random_inputs(module, p.calibrate, p.calibrate_seed)
    observed = None
    sets = None
    if calibration_inputs is not None:
        sets = normalize_input_sets(calibration_inputs)
        observed = observe_ranges(module, sets)
    formats, _ = choose_formats(module, p, classes, observed)
    rw = Rewriter(p, classes, formats)
    rw.globals_(module)
    for f in _functions(module):
        rw.function(f)
    report = _report(rw, formats, p)
    if sets is not None:
        report.overflow_events = calibration_overflows(module, sets)
    if stream is not None and (p.report or sets is not None):
        print(report.format(), file=stream)
    if stream is not None and report.overflow_events:
        from ernn_ir.diagnostics import overflow_warnings

        where = f"on the {len(sets)} calibration input set{'s' if len(sets) != 1 else ''}"  # type: ignore[arg-type]
        for line in overflow_warnings(report.overflow_events, where):
            print(line, file=stream)
    return report


def calibration_overflows(module: ModuleOp, sets) -> list[tuple[Operation, int]]:
    """Overflow events per op of the (quantized) module over the calibration input sets."""
    from ernn_ir.lowering.reference import Reference

    ref = Reference(module)
    counts: dict[int, list] = {}
    for s in sets:
        for op, n in ref.run(list(s)).events:
            counts.setdefault(id(op), [op, 0])[1] += n
    return [(op, n) for op, n in counts.values() if n]
