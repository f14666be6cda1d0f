"""Build ernn IR from numpy: the Python API behind ernn-model and the front ends.

    from ernn_ir.builder import build_module, module_to_text
    module = build_module(spec, seq_len=100, batch=1)   # spec: ernn_ir.model_spec.ModelSpec
    text = module_to_text(module)

Weights become `ernn.circulant` / `ernn.constant` ops whose data is stored as
raw bytes (printed as hex), so a 400k-parameter model prints and parses in a
fraction of a second.
"""

from __future__ import annotations

from io import StringIO

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    BoolAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    IntegerAttr,
    ModuleOp,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, Block, Region, SSAValue

from ernn_ir.dialects.ernn import (
    CirculantOp,
    CirculantType,
    ConcatOp,
    ConstantOp,
    DenseMatvecOp,
    FixedType,
    GruOp,
    LstmOp,
)
from ernn_ir.ir_printer import ErnnPrinter
from ernn_ir.model_spec import (
    BidirectionalSpec,
    CirculantWeight,
    DenseSpec,
    GruSpec,
    LstmSpec,
    ModelSpec,
)

_FLOATS = {"f32": (Float32Type(), np.float32), "f64": (Float64Type(), np.float64)}


def float_type(dtype: str) -> tuple[Attribute, type]:
    try:
        return _FLOATS[dtype]
    except KeyError:
        raise ValueError(f"dtype must be 'f32' or 'f64', got {dtype!r}") from None


def dense_attr(values: np.ndarray, element: Attribute) -> DenseIntOrFPElementsAttr:
    """A dense attribute holding `values` as `element` (a float type or a fixed type's storage)."""
    if isinstance(element, FixedType):
        st = element.storage_type
        arr = np.ascontiguousarray(values, dtype=f"<i{st.width.data // 8}")
        storage: Attribute = st
    elif isinstance(element, Float32Type):
        arr, storage = np.ascontiguousarray(values, dtype="<f4"), element
    elif isinstance(element, Float64Type):
        arr, storage = np.ascontiguousarray(values, dtype="<f8"), element
    else:
        raise ValueError(f"cannot store values of {element}")
    t = TensorType(storage, arr.shape)
    return DenseIntOrFPElementsAttr(t, BytesAttr(arr.tobytes()))


def constant(b: Builder, values: np.ndarray, element: Attribute, name: str | None = None) -> SSAValue:
    op = b.insert(ConstantOp(dense_attr(values, element), TensorType(element, values.shape)))
    op.result.name_hint = name
    return op.result


def circulant(b: Builder, w: CirculantWeight, element: Attribute, name: str | None = None) -> SSAValue:
    op = b.insert(
        CirculantOp(
            dense_attr(w.params, element),
            CirculantType(w.rows, w.cols, w.block, element),
        )
    )
    op.result.name_hint = name
    return op.result


def _layer(b: Builder, layer, x: SSAValue, elem: Attribute, dt, reverse: bool = False) -> SSAValue:
    xt = x.type
    assert isinstance(xt, TensorType)
    T, B, _ = xt.get_shape()
    props: dict[str, Attribute] = {"return_sequence": BoolAttr.from_bool(layer.return_sequence)}
    if reverse:
        props["reverse"] = UnitAttr()
    if layer.units is not None and layer.units != layer.hidden_size:
        props["units"] = IntegerAttr(layer.units, 64)

    def vec(a, name):
        return None if a is None else constant(b, np.asarray(a, dtype=dt), elem, name)

    w_x = circulant(b, layer.w_x, elem, "w_x")
    w_h = circulant(b, layer.w_h, elem, "w_h")
    if isinstance(layer, LstmSpec):
        H, R = layer.hidden_size, layer.output_size
        opt = [
            vec(layer.bias, "bias"),
            vec(layer.peephole, "peephole"),
            None if layer.w_proj is None else circulant(b, layer.w_proj, elem, "proj"),
            vec(layer.h0, "h0"),
            vec(layer.c0, "c0"),
        ]
        out_shape = (T, B, R) if layer.return_sequence else (B, R)
        op = LstmOp.build(
            operands=[
                x,
                w_x,
                w_h,
                *[[] if v is None else [v] for v in opt],
            ],
            properties=props,
            result_types=[
                TensorType(elem, out_shape),
                TensorType(elem, (B, R)),
                TensorType(elem, (B, H)),
            ],
        )
    elif isinstance(layer, GruSpec):
        H = layer.hidden_size
        props["reset_after"] = BoolAttr.from_bool(layer.reset_after)
        opt = [vec(layer.b_x, "b_x"), vec(layer.b_h, "b_h"), vec(layer.h0, "h0")]
        out_shape = (T, B, H) if layer.return_sequence else (B, H)
        op = GruOp.build(
            operands=[
                x,
                w_x,
                w_h,
                *[[] if v is None else [v] for v in opt],
            ],
            properties=props,
            result_types=[TensorType(elem, out_shape), TensorType(elem, (B, H))],
        )
    else:
        raise TypeError(f"not a recurrent layer: {type(layer).__name__}")
    b.insert(op)
    op.results[0].name_hint = "y"
    return op.results[0]


def build_module(
    spec: ModelSpec | list, seq_len: int, batch: int = 1, dtype: str | None = None
) -> ModuleOp:
    """A module with `func.func @main(%x: tensor<T x B x N>)` running the layers in order."""
    if isinstance(spec, list):
        spec = ModelSpec(layers=spec)
    if not spec.layers:
        raise ValueError("a model needs at least one layer")
    elem, dt = float_type(dtype or spec.dtype)
    first = spec.layers[0]
    if isinstance(first, BidirectionalSpec):
        first = first.forward
    if isinstance(first, DenseSpec):
        n_in = first.weight.shape[1]
    else:
        n_in = first.input_size
    in_type = TensorType(elem, (seq_len, batch, n_in))
    block = Block(arg_types=[in_type])
    block.args[0].name_hint = "x"
    b = Builder(InsertPoint.at_end(block))
    v: SSAValue = block.args[0]
    for layer in spec.layers:
        if isinstance(layer, BidirectionalSpec):
            fwd = _layer(b, layer.forward, v, elem, dt)
            bwd = _layer(b, layer.backward, v, elem, dt, reverse=True)
            v = b.insert(ConcatOp([fwd, bwd], axis=len(fwd.type.get_shape()) - 1)).result  # type: ignore[attr-defined]
        elif isinstance(layer, DenseSpec):
            w = constant(b, np.asarray(layer.weight, dtype=dt), elem, "dense_w")
            bias = None if layer.bias is None else constant(b, np.asarray(layer.bias, dtype=dt), elem, "dense_b")
            vt = v.type
            assert isinstance(vt, TensorType)
            out = TensorType(elem, (*vt.get_shape()[:-1], layer.weight.shape[0]))
            op = DenseMatvecOp.build(
                operands=[w, v, [] if bias is None else [bias]], result_types=[out]
            )
            v = b.insert(op).result
        else:
            v = _layer(b, layer, v, elem, dt)
    b.insert(func.ReturnOp(v))
    f = func.FuncOp("main", ([in_type], [v.type]), Region(block))
    return ModuleOp([f])


def module_to_text(module: ModuleOp, generic: bool = False) -> str:
    s = StringIO()
    ErnnPrinter(stream=s, print_generic_format=generic).print_op(module)
    s.write("\n")
    return s.getvalue()


def parse_module_text(text: str, name: str = "<string>") -> ModuleOp:
    """Parse and verify IR text; raises `ernn_ir.diagnostics.ErnnError` with a located message."""
    from ernn_ir.diagnostics import parse_located, verify_located
    from ernn_ir.registry import make_context

    located = parse_located(make_context(), text, name)
    verify_located(located)
    return located.module
