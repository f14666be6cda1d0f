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

import math
import sys
from dataclasses import dataclass, field, replace
from typing import IO

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import ConstantLike
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.builder import dense_attr
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.gate_ops import FixedResultOp
from ernn_ir.dialects.ernn.pool_ops import GatherBlocksOp, GetGlobalOp, GlobalOp, is_index_type
from ernn_ir.dialects.ernn.types import (
    CirculantType,
    FixedType,
    OverflowAttr,
    OverflowMode,
    RoundingAttr,
    RoundingMode,
)
from ernn_ir.numerics import FixedFormat, PwlTable, quantize, quantize_table
from ernn_ir.passes.approximate_activations import log2_step_of
from ernn_ir.passes.calibration import fit_frac, normalize_input_sets, observe_ranges, random_inputs, sqnr_db

__all__ = ["QuantizePass", "quantize_module", "sqnr_db", "QuantReport"]

DATA_CLASSES = ("input", "acc", "cell", "act", "fft")
WEIGHT_CLASSES = ("input-weight", "recurrent-weight", "bias")
ALL_CLASSES = DATA_CLASSES + WEIGHT_CLASSES + ("twiddle", "table")

# Ops whose result is the input reinterpreted (same element type).
STRUCT_OPS = (ernn.SliceOp, ernn.ReshapeOp, ernn.PadOp, ernn.BroadcastOp, ernn.CirculantParamsOp)
# Ops that compute a new value and round it once into their result format.
ACC_OPS = (
    ernn.CircMatvecOp,
    ernn.DenseMatvecOp,
    ernn.SpectralMacOp,
    ernn.ComplexMulOp,
    ernn.ReduceSumOp,
    ernn.IrfftOp,
)
ACT_OPS = (ernn.SigmoidOp, ernn.TanhOp, ernn.PwlOp)
ELEMENTWISE = (ernn.AddOp, ernn.SubOp, ernn.MulOp)
CONST_OPS = (ernn.ConstantOp, ernn.CirculantOp, GetGlobalOp)


def _err(msg: str) -> DiagnosticException:
    return DiagnosticException(f"ernn-quantize: {msg}")


def _elem(t: Attribute) -> Attribute:
    return t.element_type if isinstance(t, TensorType | CirculantType) else t  # type: ignore[union-attr]


def _with_elem(t: Attribute, e: Attribute) -> Attribute:
    if isinstance(t, TensorType):
        return TensorType(e, t.get_shape())
    if isinstance(t, CirculantType):
        return CirculantType(t.rows.data, t.cols.data, t.block.data, e)
    raise _err(f"cannot give type {t} a fixed-point element")


def _fx(f: FixedFormat) -> FixedType:
    return FixedType(f.width, f.frac)


def _ff(t: FixedType) -> FixedFormat:
    return FixedFormat(t.width.data, t.frac.data)


def _set_type(v: SSAValue, t: Attribute) -> None:
    v._type = t  # type: ignore[attr-defined]  # xDSL has no public retyping of values


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
# Classification (on the float IR)
# ---------------------------------------------------------------------------


class Classifier:
    def __init__(self) -> None:
        self.cls: dict[SSAValue, str] = {}

    @staticmethod
    def is_step_input(v: SSAValue) -> bool:
        if not isinstance(v, BlockArgument):
            return False
        parent = v.block.parent_op()
        if isinstance(parent, ernn.ScanOp):
            return v.index < len(parent.inputs)
        return isinstance(parent, func.FuncOp)

    def input_derived(self, v: SSAValue, depth: int = 0) -> bool:
        """Does v trace back (through shape ops and FFTs) to a sequence input x?"""
        if depth > 64:
            return False
        if isinstance(v, BlockArgument):
            return self.is_step_input(v)
        o = v.owner
        if isinstance(o, STRUCT_OPS + (ernn.RfftOp, ernn.ConcatOp, ernn.QuantizeOp, ernn.RequantizeOp)):
            return any(self.input_derived(x, depth + 1) for x in o.operands)
        return False

    def weight_class(self, v: SSAValue) -> str | None:
        """If the constant v is (through shape ops / rfft) a matrix operand: its weight class."""
        todo, seen = [v], set()
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.add(x)
            for use in x.uses:
                u = use.operation
                i = use.index
                if isinstance(u, ernn.CircMatvecOp | ernn.SpectralMacOp) and i == 0:
                    return "input-weight" if self.input_derived(u.operands[1]) else "recurrent-weight"
                if isinstance(u, ernn.DenseMatvecOp) and i == 0:
                    return "input-weight" if self.input_derived(u.operands[1]) else "recurrent-weight"
                if isinstance(u, ernn.ComplexMulOp):
                    other = u.operands[1 - i]
                    return "input-weight" if self.input_derived(other) else "recurrent-weight"
                if isinstance(u, STRUCT_OPS + (ernn.RfftOp,)) or (isinstance(u, GatherBlocksOp) and i == 0):
                    todo.append(u.results[0])
        return None

    @staticmethod
    def carry_class(scan: ernn.ScanOp, j: int) -> str:
        term = scan.body.block.last_op
        assert isinstance(term, ernn.YieldOp)
        n_out = scan.num_step_outputs
        y = term.values[n_out + j]
        return "act" if y in tuple(term.values[:n_out]) else "cell"

    def const_class(self, v: SSAValue) -> str:
        w = self.weight_class(v)
        if w is not None:
            return w
        for use in v.uses:
            u = use.operation
            if isinstance(u, ernn.ScanOp) and use.index >= len(u.inputs):
                return self.carry_class(u, use.index - len(u.inputs))
        return "bias"

    def classify_block(self, block: Block) -> None:
        for op in block.ops:
            self.classify_op(op)

    def classify_op(self, op: Operation) -> None:
        c = self.cls
        if isinstance(op, CONST_OPS):
            c[op.results[0]] = self.const_class(op.results[0])
        elif isinstance(op, STRUCT_OPS + (GatherBlocksOp,)):
            c[op.results[0]] = c.get(op.operands[0], "act")
        elif isinstance(op, ernn.ConcatOp):
            c[op.results[0]] = c.get(op.operands[0], "act")
        elif isinstance(op, ernn.RfftOp):
            src = c.get(op.operands[0], "act")
            c[op.results[0]] = src if src in ("input-weight", "recurrent-weight") else "fft"
        elif isinstance(op, ACC_OPS):
            c[op.results[0]] = "acc"
        elif isinstance(op, ACT_OPS):
            c[op.results[0]] = "act"
        elif isinstance(op, ELEMENTWISE):
            s = {c.get(x, "act") for x in op.operands}
            if s & {"acc", "fft", "input", "input-weight", "recurrent-weight"}:
                k = "acc"
            elif "cell" in s:
                k = "acc" if isinstance(op, ernn.MulOp) and "bias" in s else "cell"
            else:
                k = "act"
            c[op.results[0]] = k
        elif isinstance(op, ernn.ScanOp):
            blk = op.body.block
            for a, x in zip(blk.args, op.inputs):
                c[a] = c.get(x, "input")
            for j, a in enumerate(blk.args[len(op.inputs):]):
                c[a] = self.carry_class(op, j)
            self.classify_block(blk)
            term = blk.last_op
            assert isinstance(term, ernn.YieldOp)
            n_out = op.num_step_outputs
            for k in range(n_out):
                y = term.values[k]
                carried = [j for j, z in enumerate(term.values[n_out:]) if z is y]
                c[op.results[k]] = self.carry_class(op, carried[0]) if carried else c.get(y, "act")
            for j in range(len(op.inits)):
                c[op.results[n_out + j]] = self.carry_class(op, j)
        elif isinstance(op, ernn.YieldOp | func.ReturnOp):
            pass
        else:
            _unknown(op)


def _unknown(op: Operation) -> None:
    if op.has_trait(ConstantLike):
        raise _err(
            f"'{op.name}' is a constant-like op this pass does not know how to quantize; "
            "run ernn-quantize before the pass that introduced it (or teach ernn-quantize "
            "its storage)"
        )
    raise _err(f"'{op.name}' has no quantization rule (supported: the ernn gate- and frequency-level ops)")


# ---------------------------------------------------------------------------
# Checks on the input IR
# ---------------------------------------------------------------------------


def _functions(module: ModuleOp) -> list[func.FuncOp]:
    return [o for o in module.ops if isinstance(o, func.FuncOp)]


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


def _twiddle(p: QuantizePass) -> FixedFormat:
    return FixedFormat(p.bits("twiddle"), p.frac("twiddle"))  # type: ignore[arg-type]


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


def _const_format(p: QuantizePass, cls: str, values: np.ndarray) -> FixedFormat:
    w = p.bits(cls)
    f = p.frac(cls)
    if f is None:
        m = float(np.max(np.abs(values))) if values.size else 0.0
        f = fit_frac(m, w, guard=0) if m > 0 else w - 1
    return FixedFormat(w, f)


# ---------------------------------------------------------------------------
# Rewriting
# ---------------------------------------------------------------------------


class Rewriter:
    def __init__(self, p: QuantizePass, classes: dict[SSAValue, str], fmts: dict[str, FixedFormat]):
        self.p = p
        self.cls = classes
        self.fmts = fmts
        self.used: dict[str, list[FixedFormat]] = {}
        self.global_types: dict[str, Attribute] = {}
        self.rounding = RoundingAttr(RoundingMode(p.rounding))
        self.overflow = OverflowAttr(OverflowMode(p.overflow))

    def note(self, cls: str, f: FixedFormat) -> None:
        self.used.setdefault(cls, [])
        if f not in self.used[cls]:
            self.used[cls].append(f)

    def fmt_of(self, v: SSAValue) -> FixedFormat:
        e = _elem(v.type)
        assert isinstance(e, FixedType), (v, e)
        return _ff(e)

    def class_fmt(self, v: SSAValue) -> FixedFormat:
        c = self.cls.get(v, "act")
        f = self.fmts.get(c)
        if f is None:  # a runtime value in a weight class (weight rfft chain)
            raise _err(f"internal: no format for class {c}")
        self.note(c, f)
        return f

    def requant(self, v: SSAValue, f: FixedFormat, before: Operation) -> SSAValue:
        if self.fmt_of(v) == f:
            return v
        t = _with_elem(v.type, _fx(f))
        op = ernn.RequantizeOp(v, t)
        self._modes(op)
        Builder(InsertPoint.before(before)).insert(op)
        if v.name_hint:
            op.results[0].name_hint = v.name_hint + "_rq"
        return op.results[0]

    def _modes(self, op: Operation) -> None:
        if isinstance(op, FixedResultOp):
            if self.p.rounding != "half_up":
                op.properties["rounding"] = self.rounding
            if self.p.overflow != "saturate":
                op.properties["overflow"] = self.overflow

    def set_result(self, op: Operation, f: FixedFormat) -> None:
        r = op.results[0]
        _set_type(r, _with_elem(r.type, _fx(f)))
        self._modes(op)

    # -- per op ------------------------------------------------------------
    def block(self, block: Block) -> None:
        for op in list(block.ops):
            self.op(op)

    def op(self, op: Operation) -> None:
        if isinstance(op, ernn.ConstantOp):
            self.constant(op)
        elif isinstance(op, ernn.CirculantOp):
            self.circulant(op)
        elif isinstance(op, GetGlobalOp):
            name = op.global_name.root_reference.data
            if name not in self.global_types:
                raise _err(f"'ernn.get_global' reads @{name}, which is not an ernn.global of the module")
            _set_type(op.results[0], self.global_types[name])
        elif isinstance(op, STRUCT_OPS + (GatherBlocksOp,)):
            self.set_result(op, self.fmt_of(op.operands[0]))
        elif isinstance(op, ernn.ConcatOp):
            fs = [self.fmt_of(x) for x in op.operands]
            target = min(fs, key=lambda f: (f.frac - f.width, -f.width))
            for i, x in enumerate(list(op.operands)):
                op.operands[i] = self.requant(x, target, op)
            self.set_result(op, target)
        elif isinstance(op, ernn.RfftOp):
            c = self.cls.get(op.results[0])
            if c in ("input-weight", "recurrent-weight"):
                # Runtime transform of weights (naive FFT IR): the spectrum grows by up to b.
                fin = self.fmt_of(op.operands[0])
                b = 2 * (op.results[0].type.get_shape()[-2] - 1)  # type: ignore[attr-defined]
                f = FixedFormat(fin.width, fin.frac - int(math.log2(b)))
                self.note(c + " spectra", f)
            else:
                f = self.class_fmt(op.results[0])
            self.fft(op, f)
        elif isinstance(op, ernn.IrfftOp):
            self.fft(op, self.class_fmt(op.results[0]))
        elif isinstance(op, ACC_OPS + ELEMENTWISE + (ernn.SigmoidOp, ernn.TanhOp)):
            self.set_result(op, self.class_fmt(op.results[0]))
        elif isinstance(op, ernn.PwlOp):
            self.pwl(op)
        elif isinstance(op, ernn.ScanOp):
            self.scan(op)
        elif isinstance(op, ernn.YieldOp):
            pass  # handled by scan
        elif isinstance(op, func.ReturnOp):
            self.ret(op)
        else:
            _unknown(op)

    def fft(self, op: Operation, f: FixedFormat) -> None:
        tw = _twiddle(self.p)
        if f.width > 32 or f.width + tw.width > 63:
            raise _err(
                f"'{op.name}' result {f} with twiddles {tw}: fixed-point FFTs need a result of "
                "at most 32 bits and result + twiddle widths <= 63"
            )
        self.note("twiddle", tw)
        self.set_result(op, f)
        op.properties["twiddle"] = _fx(tw)

    def constant(self, op: ernn.ConstantOp) -> None:
        v = op.results[0]
        vals = np.asarray(dense_to_numpy(op.value), np.float64).reshape(v.type.get_shape())  # type: ignore[attr-defined]
        c = self.cls.get(v, "bias")
        if c in WEIGHT_CLASSES:
            f = _const_format(self.p, c, vals)
        else:
            f = self.fmts[c]
        self.note(c, f)
        raw, _ = quantize(vals, f, self.p.rounding, self.p.overflow)
        fx = _fx(f)
        new = ernn.ConstantOp(dense_attr(raw, fx), TensorType(fx, vals.shape))
        self._replace(op, new)

    def circulant(self, op: ernn.CirculantOp) -> None:
        v = op.results[0]
        t = v.type
        assert isinstance(t, CirculantType)
        vals = np.asarray(dense_to_numpy(op.params), np.float64).reshape(t.param_shape)
        c = self.cls.get(v, "recurrent-weight")
        if c not in WEIGHT_CLASSES:
            c = "recurrent-weight"
        f = _const_format(self.p, c, vals)
        self.note(c, f)
        raw, _ = quantize(vals, f, self.p.rounding, self.p.overflow)
        fx = _fx(f)
        new = ernn.CirculantOp(dense_attr(raw, fx), CirculantType(t.rows.data, t.cols.data, t.block.data, fx))
        self._replace(op, new)

    def globals_(self, module: ModuleOp) -> None:
        """Quantize the constant pool: one format per global, from its readers' class."""
        readers: dict[str, set[str]] = {}
        for o in module.walk():
            if isinstance(o, GetGlobalOp):
                readers.setdefault(o.global_name.root_reference.data, set()).add(
                    self.cls.get(o.results[0], "bias")
                )
        for g in list(module.ops):
            if not isinstance(g, GlobalOp):
                continue
            name = g.sym_name.data
            if is_index_type(_elem(g.type)):
                self.global_types[name] = g.type  # a block index table stays integer
                continue
            cs = readers.get(name, {"bias"})
            c = next(iter(cs)) if len(cs) == 1 else "recurrent-weight"
            if c not in WEIGHT_CLASSES:
                c = "bias"
            t = g.type
            vals = np.asarray(dense_to_numpy(g.value), np.float64).reshape(t.get_shape())
            f = _const_format(self.p, c, vals)
            self.note(c, f)
            raw, _ = quantize(vals, f, self.p.rounding, self.p.overflow)
            fx = _fx(f)
            g.properties["value"] = dense_attr(raw, fx)
            g.properties["type"] = TensorType(fx, vals.shape)
            self.global_types[name] = g.properties["type"]

    def _replace(self, op: Operation, new: Operation) -> None:
        Builder(InsertPoint.before(op)).insert(new)
        new.results[0].name_hint = op.results[0].name_hint
        self.cls[new.results[0]] = self.cls.get(op.results[0], "bias")
        op.results[0].replace_all_uses_with(new.results[0])
        op.detach()
        op.erase()

    def pwl(self, op: ernn.PwlOp) -> None:
        fin = self.fmt_of(op.operands[0])
        fout = self.class_fmt(op.results[0])
        coeff = FixedFormat(self.p.bits("table"), self.p.frac("table"))  # type: ignore[arg-type]
        self.note("table", coeff)
        table = PwlTable(
            op.x_min.value.data,
            log2_step_of(op),
            dense_to_numpy(op.slopes).astype(np.float64),
            dense_to_numpy(op.intercepts).astype(np.float64),
        )
        if log2_step_of(op) + fin.frac < 0:
            raise _err(
                f"'ernn.pwl' segment width 2^{log2_step_of(op)} is finer than the input lsb "
                f"2^-{fin.frac} of {fin}; use fewer segments or a wider range"
            )
        try:
            s, c, _ = quantize_table(table, fin, coeff, self.p.rounding, self.p.overflow)
        except ValueError as e:
            raise _err(f"'ernn.pwl' table cannot be quantized for input {fin}: {e}") from None
        fx = _fx(coeff)
        op.properties["slopes"] = dense_attr(s, fx)
        op.properties["intercepts"] = dense_attr(c, fx)
        op.properties["coeff"] = fx
        self.set_result(op, fout)

    def scan(self, op: ernn.ScanOp) -> None:
        blk = op.body.block
        n_in = len(op.inputs)
        n_out = op.num_step_outputs
        # step arguments follow the (already fixed) input sequences
        for a, x in zip(blk.args[:n_in], op.inputs):
            t = x.type
            assert isinstance(t, TensorType)
            _set_type(a, TensorType(t.element_type, t.get_shape()[1:]))
        carry_fmts = []
        for j, a in enumerate(blk.args[n_in:]):
            f = self.class_fmt(a)
            carry_fmts.append(f)
            init = op.operands[n_in + j]
            op.operands[n_in + j] = self.requant(init, f, op)
            _set_type(a, _with_elem(a.type, _fx(f)))
        self.block(blk)
        term = blk.last_op
        assert isinstance(term, ernn.YieldOp)
        vals = list(term.values)
        fixed_carry: dict[SSAValue, SSAValue] = {}
        for j, f in enumerate(carry_fmts):
            y = vals[n_out + j]
            nv = self.requant(y, f, term)
            fixed_carry.setdefault(y, nv)
            term.operands[n_out + j] = nv
        for k in range(n_out):
            y = vals[k]
            if y in fixed_carry:
                term.operands[k] = fixed_carry[y]
        T = op.inputs[0].type.get_shape()[0]  # type: ignore[attr-defined]
        for k in range(n_out):
            y = term.operands[k]
            yt = y.type
            assert isinstance(yt, TensorType)
            _set_type(op.results[k], TensorType(yt.element_type, (T, *yt.get_shape())))
        for j in range(len(op.inits)):
            _set_type(op.results[n_out + j], op.operands[n_in + j].type)

    def ret(self, op: func.ReturnOp) -> None:
        f = op.parent_op()
        assert isinstance(f, func.FuncOp)
        outs = f.function_type.outputs.data
        for i, (v, t) in enumerate(zip(list(op.operands), outs)):
            if isinstance(_elem(v.type), FixedType):
                d = ernn.DequantizeOp(v, t)
                Builder(InsertPoint.before(op)).insert(d)
                op.operands[i] = d.results[0]

    def function(self, f: func.FuncOp) -> None:
        body = f.body.block
        b = Builder(InsertPoint.at_start(body))
        for a in body.args:
            if not a.uses:
                continue
            c = self.cls.get(a, "input")
            fmt = self.fmts[c]
            self.note(c, fmt)
            uses = list(a.uses)
            q = ernn.QuantizeOp(a, _with_elem(a.type, _fx(fmt)))
            self._modes(q)
            b.insert(q)
            q.results[0].name_hint = (a.name_hint or "arg") + "_q"
            self.cls[q.results[0]] = c
            for u in uses:
                u.operation.operands[u.index] = q.results[0]
        for op in list(body.ops):
            if isinstance(op, ernn.QuantizeOp) and op.operands[0] in body.args:
                continue
            self.op(op)


def _arg_classes(f: func.FuncOp, cls: dict[SSAValue, str]) -> None:
    for a in f.body.block.args:
        cls[a] = "input"


def classify_module(module: ModuleOp) -> dict[SSAValue, str]:
    cl = Classifier()
    for f in _functions(module):
        _arg_classes(f, cl.cls)
        cl.classify_block(f.body.block)
    return cl.cls


def class_ranges(classes: dict[SSAValue, str], ranges: dict[SSAValue, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v, m in ranges.items():
        c = classes.get(v)
        if c in DATA_CLASSES:
            out[c] = max(out.get(c, 0.0), m)
    return out


def load_calibration_file(path: str) -> list[list[np.ndarray]]:
    """Sample inputs for calibration: a .npy is one input set (one array per
    function argument, so a single-argument function); each array of a .npz,
    in name order, is one input set of a single-argument function."""
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise _err(f"cannot read calibration inputs '{path}': {e}") from None
    if isinstance(data, np.ndarray):
        return [[data]]
    with data:
        return [[data[k]] for k in sorted(data.files)]


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
