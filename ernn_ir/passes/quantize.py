"""`ernn-quantize`: float gate-level or frequency-level IR to fixed point.

Every value of a function body gets an `!ernn.fixed<W, F>` element type by
its *class*; the function signature stays float: `ernn.quantize` follows the
entry arguments and `ernn.dequantize` precedes `func.return`.  Constants
become fixed-point constants (raw integers in iN storage), scan carries
become fixed, and `ernn.requantize` is inserted where two formats meet
(scan inits and yields, concatenations).  Arithmetic ops round once into
their result format (docs/numerics.md), so they need no requantize.

Classes (option prefix, default):

| class              | what                                                  | default       |
|--------------------|-------------------------------------------------------|---------------|
| `input`            | the quantized function arguments (x)                  | fixed<16, 11> |
| `input-weight`     | circulant params / weight spectra fed by x            | 16 bits, auto |
| `recurrent-weight` | w_h, projection, dense weights (and their spectra)    | 16 bits, auto |
| `bias`             | biases, peepholes, other constants                    | 16 bits, auto |
| `acc`              | matvec, spectral_mac, cmul, reduce_sum, irfft, gate pre-activation adds | fixed<32, 20> |
| `cell`             | LSTM cell state (a carry that is no step output)      | fixed<16, 11> |
| `act`              | sigmoid/tanh/pwl outputs, h (the output carry)        | fixed<16, 12> |
| `fft`              | rfft results (input spectra)                          | fixed<24, 14> |
| `twiddle`          | the `twiddle` property of rfft/irfft                  | fixed<16, 14> |
| `table`            | the `coeff` format of pwl tables                      | fixed<16, 13> |

"auto" fraction bits are chosen per constant tensor from its largest
magnitude (a power-of-two scale per tensor).  `weight-bits` sets both
weight widths at once.  With `calibrate=N` the float module first runs on N
random standard-normal input sets (`calibrate-seed`), or on the sample
inputs in `calibrate-file` (a .npy: one input set; a .npz: one set per
array), and the fraction bits
of the data classes (input, acc, cell, act, fft) are picked so that the
observed max |value| fits with one guard bit; the chosen formats are printed
to stderr.  `quantize_module(module, ..., calibration_inputs=...)` takes
user input arrays instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from typing import IO

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.pool_ops import GlobalOp, is_index_type
from ernn_ir.dialects.ernn.types import (
    FixedType,
    OverflowMode,
    RoundingMode,
)
from ernn_ir.numerics import FixedFormat
from ernn_ir.passes.calibration import (
    fit_frac,
    normalize_input_sets,
    observe_ranges,
    random_inputs,
    sqnr_db,
)

__all__ = ["QuantizePass", "quantize_module", "sqnr_db", "QuantReport"]

from ernn_ir.passes.quant_classes import (
    ALL_CLASSES,
    DATA_CLASSES,
    WEIGHT_CLASSES,
    _elem,
    _err,
    _functions,
    class_ranges,
    classify_module,
)
from ernn_ir.passes.quant_rewrite import Rewriter


@dataclass
class QuantReport:
    """What `ernn-quantize` chose: one row per class."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(class, format, observed max |value| or '-', source)"""

    def format(self) -> str:
        head = ("class", "format", "max |value|", "source")
        w = [max(len(r[i]) for r in [head, *self.rows]) for i in range(4)]
        lines = ["ernn-quantize: fixed-point formats"]
        for r in [head, *self.rows]:
            lines.append("  " + "  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
        return "\n".join(lines)


@dataclass(frozen=True)
class QuantizePass(ModulePass):
    """Float gate- or frequency-level IR to fixed point (see the module docstring)."""

    name = "ernn-quantize"

    input_bits: int = 16
    input_frac: int = 11
    input_weight_bits: int = 16
    input_weight_frac: int | None = None
    recurrent_weight_bits: int = 16
    recurrent_weight_frac: int | None = None
    weight_bits: int | None = None
    bias_bits: int = 16
    bias_frac: int | None = None
    acc_bits: int = 32
    acc_frac: int = 20
    cell_bits: int = 16
    cell_frac: int = 11
    act_bits: int = 16
    act_frac: int = 12
    fft_bits: int = 24
    fft_frac: int = 14
    twiddle_bits: int = 16
    twiddle_frac: int = 14
    table_bits: int = 16
    table_frac: int = 13
    rounding: str = "half_up"
    overflow: str = "saturate"
    calibrate: int = 0
    calibrate_seed: int = 0
    calibrate_file: str = ""
    report: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        quantize_module(op, self, stream=sys.stderr)

    # -- format helpers -------------------------------------------------
    def bits(self, cls: str) -> int:
        if cls in ("input-weight", "recurrent-weight") and self.weight_bits is not None:
            return self.weight_bits
        return getattr(self, cls.replace("-", "_") + "_bits")

    def frac(self, cls: str) -> int | None:
        return getattr(self, cls.replace("-", "_") + "_frac")


def _check_options(p: QuantizePass) -> None:
    try:
        RoundingMode(p.rounding)
    except ValueError:
        raise _err(f"rounding must be 'half_up' or 'convergent', got '{p.rounding}'") from None
    try:
        OverflowMode(p.overflow)
    except ValueError:
        raise _err(f"overflow must be 'saturate' or 'wrap', got '{p.overflow}'") from None
    for c in ALL_CLASSES:
        b = p.bits(c)
        if not 1 <= b <= 32:
            raise _err(f"{c}-bits must be in [1, 32], got {b}")
        f = p.frac(c)
        if f is not None and abs(f) > 128:
            raise _err(f"{c}-frac must be in [-128, 128], got {f}")
    if p.calibrate < 0:
        raise _err(f"calibrate must be >= 0 (number of random sequences), got {p.calibrate}")



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


# ---------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------


def _class_formats(
    p: QuantizePass, ranges: dict[str, float] | None
) -> tuple[dict[str, FixedFormat], dict[str, str]]:
    fmts: dict[str, FixedFormat] = {}
    src: dict[str, str] = {}
    for c in DATA_CLASSES:
        w = p.bits(c)
        if ranges is not None and c in ranges:
            fmts[c] = FixedFormat(w, fit_frac(ranges[c], w, guard=1))
            src[c] = "calibrated"
        else:
            fmts[c] = FixedFormat(w, p.frac(c))  # type: ignore[arg-type]
            src[c] = "option"
    return fmts, src



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
    override fields of `options` (e.g. `weight_bits=12`).
    """
    p = options or QuantizePass()
    if overrides:
        p = replace(p, **overrides)
    _check_options(p)
    if _state(module) == "fixed":
        if stream is not None:
            print("ernn-quantize: the module is already fixed point; nothing to do", file=stream)
        return None
    classes = classify_module(module)
    ranges: dict[str, float] | None = None
    if calibration_inputs is None and p.calibrate_file:
        calibration_inputs = load_calibration_file(p.calibrate_file)
    if calibration_inputs is None and p.calibrate > 0:
        calibration_inputs = random_inputs(module, p.calibrate, p.calibrate_seed)
    if calibration_inputs is not None:
        observed = observe_ranges(module, normalize_input_sets(calibration_inputs))
        ranges = class_ranges(classes, observed)
        # scan body arguments are not op results: their yields and inits are.
    fmts, src = _class_formats(p, ranges)
    rw = Rewriter(p, classes, fmts)
    rw.globals_(module)
    for f in _functions(module):
        rw.function(f)
    report = QuantReport()
    order = list(ALL_CLASSES) + [c for c in rw.used if c not in ALL_CLASSES]
    for c in order:
        fs = rw.used.get(c)
        if not fs:
            continue
        if c in WEIGHT_CLASSES or c.endswith("spectra"):
            how = "per tensor, auto" if p.frac(c.replace(" spectra", "")) is None else "option"
        else:
            how = src.get(c, "option")
        rng = "-" if ranges is None or c not in ranges else f"{ranges[c]:.4g}"
        report.rows.append((c, ", ".join(str(f) for f in fs), rng, how))
    if stream is not None and (p.report or ranges is not None):
        print(report.format(), file=stream)
    return report
