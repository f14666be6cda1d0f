"""The rewriting half of `ernn-quantize`: retypes a classified float module to fixed point."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from xdsl.builder import InsertPoint
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue

from ernn_ir.builder import dense_attr
from ernn_ir.diagnostics import op_error
from ernn_ir.dialects import ernn
from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn.gate_ops import FixedResultOp
from ernn_ir.dialects.ernn.pool_ops import (
    GatherBlocksOp,
    GetGlobalOp,
    GlobalOp,
    is_index_type,
)
from ernn_ir.dialects.ernn.types import (
    CirculantType,
    FixedType,
    OverflowAttr,
    OverflowMode,
    RoundingAttr,
    RoundingMode,
)
from ernn_ir.numerics import FixedFormat, PwlTable, quantize, quantize_table
from ernn_ir.passes.approximate_activations import coefficient_format, log2_step_of
from ernn_ir.passes.calibration import fit_frac
from ernn_ir.passes.emit import located_builder, retype
from ernn_ir.passes.quant_classes import (
    ACC_OPS,
    ELEMENTWISE,
    STRUCT_OPS,
    WEIGHT_CLASSES,
    _elem,
    _err,
    _unknown,
)

if TYPE_CHECKING:
    from ernn_ir.passes.quant_formats import ValueFormats
    from ernn_ir.passes.quantize import QuantizePass


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



def twiddle_format(p, b: int) -> FixedFormat:
    """The twiddle format of a b-point FFT: `twiddle-frac`, or the largest that holds
    every twiddle the butterflies multiply by (W^0 = 1 and W^(b/4) = -i are exact
    swaps and never multiplied, so for b = 8 the largest is cos(pi/4))."""
    w = p.bits("twiddle")
    f = p.frac("twiddle")
    if f is None:
        k = np.array([j for j in range(1, b // 2) if 4 * j != b], dtype=np.float64)
        ang = 2.0 * np.pi * k / b
        m = float(np.max(np.abs(np.concatenate([np.cos(ang), np.sin(ang)])))) if k.size else 0.0
        f = fit_frac(m, w)
    return FixedFormat(w, f)


def _const_format(p, cls: str, values: np.ndarray) -> FixedFormat:
    """A constant's format: the class width; fraction bits from its largest magnitude
    (the value is known exactly, so no margin) unless `<class>-frac` is given."""
    w = p.bits(cls)
    f = p.frac(cls)
    if f is None:
        m = float(np.max(np.abs(values))) if values.size else 0.0
        f = fit_frac(m, w, guard=0) if m > 0 else w - 1
    return FixedFormat(w, f)


def exact_frac(op: Operation, fmt_of) -> int | None:
    """Fraction bits of the exact (unrounded) result of `op` from its fixed operands.

    A derived result format never needs more: every result is a multiple of
    that lsb.  None when the op has no such bound (functions, FFTs)."""
    fr = [fmt_of(x).frac for x in op.operands if isinstance(_elem(x.type), FixedType)]
    if isinstance(op, ernn.MulOp | ernn.ComplexMulOp):
        return fr[0] + fr[1]
    if isinstance(op, ernn.AddOp | ernn.SubOp):
        return max(fr)
    if isinstance(op, ernn.CircMatvecOp | ernn.SpectralMacOp):
        return fr[0] + fr[1]
    if isinstance(op, ernn.DenseMatvecOp):
        return max(fr[0] + fr[1], *fr[2:])
    if isinstance(op, ernn.ReduceSumOp):
        return fr[0]
    return None


# ---------------------------------------------------------------------------
# Rewriting
# ---------------------------------------------------------------------------


class Rewriter:
    def __init__(self, p: QuantizePass, classes: dict[SSAValue, str], formats: ValueFormats):
        self.p = p
        self.cls = classes
        self.cls_of_original = dict(classes)
        self.formats = formats
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
        f = self.formats.formats.get(v)
        if f is None:
            raise _err(f"internal: no format chosen for a value of class {c}")
        self.note(c, f)
        return f

    def result_fmt(self, op: Operation) -> FixedFormat:
        """The chosen format of `op`'s result; a derived one no finer than the exact result."""
        v = op.results[0]
        f = self.formats.formats.get(v)
        if f is None:
            raise _err(f"internal: no format chosen for the result of '{op.name}'")
        if v in self.formats.derived and v not in self.formats.shared:
            cap = exact_frac(op, self.fmt_of)
            if cap is not None and f.frac > cap:
                f = FixedFormat(f.width, cap)
        self.note(self.cls.get(v, "act"), f)
        return f

    def requant(self, v: SSAValue, f: FixedFormat, before: Operation) -> SSAValue:
        if self.fmt_of(v) == f:
            return v
        t = _with_elem(v.type, _fx(f))
        op = ernn.RequantizeOp(v, t)
        self._modes(op)
        located_builder(InsertPoint.before(before), before).insert(op)
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
        retype(r, _with_elem(r.type, _fx(f)))
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
            retype(op.results[0], self.global_types[name])
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
            self.set_result(op, self.result_fmt(op))
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
        spectrum = op.results[0] if isinstance(op, ernn.RfftOp) else op.operands[0]
        tw = twiddle_format(self.p, 2 * (spectrum.type.get_shape()[-2] - 1))  # type: ignore[attr-defined]
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
            f = self.class_fmt(v)
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
        located_builder(InsertPoint.before(op), op).insert(new)
        new.results[0].name_hint = op.results[0].name_hint
        self.cls[new.results[0]] = self.cls.get(op.results[0], "bias")
        op.results[0].replace_all_uses_with(new.results[0])
        op.detach()
        op.erase()

    def pwl(self, op: ernn.PwlOp) -> None:
        fin = self.fmt_of(op.operands[0])
        fout = self.result_fmt(op)
        table = PwlTable(
            op.x_min.value.data,
            log2_step_of(op),
            dense_to_numpy(op.slopes).astype(np.float64),
            dense_to_numpy(op.intercepts).astype(np.float64),
        )
        coeff = coefficient_format(table, self.p.bits("table"), self.p.frac("table"))
        self.note("table", coeff)
        if log2_step_of(op) + fin.frac < 0:
            name = f" %{op.results[0].name_hint}" if op.results[0].name_hint else ""
            raise op_error(
                op,
                f"ernn-quantize: 'ernn.pwl'{name}: the table's segments (2^{log2_step_of(op)} wide) are "
                f"finer than the lsb 2^{-fin.frac} of its input format {fin}, which holds the input's "
                "range at this width; use fewer segments or a wider table, more bits for the input's "
                "class, or a smaller assumed range (input-max, cell-max)",
            )
        try:
            s, c, _ = quantize_table(table, fin, coeff, self.p.rounding, self.p.overflow)
        except ValueError as e:
            raise op_error(op, f"ernn-quantize: 'ernn.pwl' table cannot be quantized for input {fin}: {e}") from None
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
            retype(a, TensorType(t.element_type, t.get_shape()[1:]))
        carry_fmts = []
        for j, a in enumerate(blk.args[n_in:]):
            f = self.class_fmt(a)
            carry_fmts.append(f)
            init = op.operands[n_in + j]
            op.operands[n_in + j] = self.requant(init, f, op)
            retype(a, _with_elem(a.type, _fx(f)))
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
            retype(op.results[k], TensorType(yt.element_type, (T, *yt.get_shape())))
        for j in range(len(op.inits)):
            retype(op.results[n_out + j], op.operands[n_in + j].type)

    def ret(self, op: func.ReturnOp) -> None:
        f = op.parent_op()
        assert isinstance(f, func.FuncOp)
        outs = f.function_type.outputs.data
        for i, (v, t) in enumerate(zip(list(op.operands), outs)):
            if isinstance(_elem(v.type), FixedType):
                d = ernn.DequantizeOp(v, t)
                located_builder(InsertPoint.before(op), op).insert(d)
                op.operands[i] = d.results[0]

    def function(self, f: func.FuncOp) -> None:
        body = f.body.block
        b = located_builder(InsertPoint.at_start(body), f)
        for a in body.args:
            if not a.uses:
                continue
            c = self.cls.get(a, "input")
            fmt = self.class_fmt(a)
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


