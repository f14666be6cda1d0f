"""ONNX -> `ModelSpec` importer (LSTM and GRU nodes, as torch.onnx.export writes them).

The graph is walked in order, following the data that flows from the graph
input: ``LSTM``/``GRU`` nodes become layers (ONNX gate order iofc / zrh is
reordered to ours, ifgo / rzn; LSTM ``B`` = Wb + Rb is summed, GRU keeps
Wb and Rb apart; ``linear_before_reset`` selects the GRU formulation), the
layout plumbing PyTorch emits between layers (``Transpose``, ``Reshape``,
``Squeeze``) is checked and absorbed, a ``Gather``/``Slice`` of the last time
step sets ``return_sequence=False``, and a final ``Gemm`` or
``MatMul``+``Add`` becomes a `DenseSpec`.  Nodes that only compute shapes
or constants (initial states must be zero) are skipped.  Anything else on
the data path raises `UnsupportedModelError` naming the node and attribute.

The layer builders are those of the PyTorch importer, so the same model
gives the same spec (same arrays) through either path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ernn_ir.frontend.torch_import import (
    ImportReport,
    UnsupportedModelError,
    _Layout,
    bidir_layout,
    dense_from_linear,
    gru_from_dense,
    lstm_from_dense,
    set_last_return_sequence,
)
from ernn_ir.model_spec import BidirectionalSpec, ModelSpec

_LSTM_ORDER = [0, 2, 3, 1]  # ours (i, f, g, o) from ONNX (i, o, f, c)
_GRU_ORDER = [1, 0, 2]  # ours (r, z, n) from ONNX (z, r, h)
_PEEP_ORDER = [0, 2, 1]  # ours (i, f, o) from ONNX P (i, o, f)


def _load(path_or_model):
    try:
        import onnx
    except ImportError as e:  # pragma: no cover
        raise UnsupportedModelError("reading ONNX models needs the 'onnx' package "
                                    "(pip install onnx)") from e
    if isinstance(path_or_model, onnx.ModelProto):
        return path_or_model
    if isinstance(path_or_model, (bytes, bytearray)):
        return onnx.load_from_string(bytes(path_or_model))
    try:
        return onnx.load(str(path_or_model))
    except Exception as e:  # DecodeError, OSError, ...
        raise UnsupportedModelError(f"cannot read ONNX model '{path_or_model}': {e}") from e


@dataclass
class _Val:
    kind: str  # seq | rnn4 | rnn4t | last | state | dense | matmul
    layout: _Layout | None = None
    dirs: int = 1
    extra: object = None


def _reorder(W, order, H):
    return np.concatenate([W[g * H:(g + 1) * H] for g in order], axis=0)


class _Graph:
    def __init__(self, model):
        from onnx import numpy_helper

        self.g = model.graph
        self.nh = numpy_helper
        self.init = {t.name: t for t in self.g.initializer}
        self.producer = {}
        for n in self.g.node:
            for o in n.output:
                self.producer[o] = n

    def tensor(self, t, where: str) -> np.ndarray:
        """The numeric array of a TensorProto; a malformed one raises UnsupportedModelError."""
        try:
            a = self.nh.to_array(t)
        except Exception as e:  # onnx raises ValueError/TypeError/KeyError for bad protos
            raise UnsupportedModelError(
                f"{where}: tensor '{t.name}' is malformed (its data does not match its "
                f"type and shape {list(t.dims)}: {_first_line(e)})") from None
        if a.dtype.kind not in "biuf":
            raise UnsupportedModelError(
                f"{where}: tensor '{t.name}' holds {a.dtype} data, not numbers")
        return a

    def const(self, name, where: str = "ONNX graph"):
        """Value of a constant tensor (initializer or Constant node), else None."""
        if not name:
            return None
        if name in self.init:
            return self.tensor(self.init[name], where)
        n = self.producer.get(name)
        if n is not None and n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    return self.tensor(a.t, where)
                if a.name in ("value_int", "value_float"):
                    return np.array(a.i if a.name == "value_int" else a.f)
                if a.name in ("value_ints", "value_floats"):
                    return np.array(list(a.ints) or list(a.floats))
        return None

    def is_zero(self, name) -> bool:
        """True if the tensor is provably all zeros (for initial states)."""
        c = self.const(name)
        if c is not None:
            return not np.any(c)
        n = self.producer.get(name)
        if n is None:
            return False
        if n.op_type == "ConstantOfShape":
            for a in n.attribute:
                if a.name == "value":
                    return not np.any(self.tensor(a.t, f"ONNX node '{n.name or '?'}' (ConstantOfShape)"))
            return True
        if n.op_type in ("Expand", "Identity", "Cast", "Reshape", "Unsqueeze", "Tile"):
            return self.is_zero(n.input[0])
        return False


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else "unreadable"


def _attrs(node):
    from onnx import helper

    out = {}
    for a in node.attribute:
        try:
            out[a.name] = helper.get_attribute_value(a)
        except Exception as e:  # an attribute of an unknown or unset type
            raise _bad(node, f"attribute '{a.name}' cannot be read ({_first_line(e)})") from None
    return out


def _bad(node, what):
    return UnsupportedModelError(f"ONNX node '{node.name or '?'}' ({node.op_type}): {what}")


def _input(node, k: int) -> str:
    """Name of input `k` of `node` ('' when it is absent, as ONNX writes optional inputs)."""
    return node.input[k] if k < len(node.input) else ""


_ATTR_KINDS = {
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "str": (lambda v: isinstance(v, (str, bytes)), "a string"),
    "ints": (lambda v: isinstance(v, (list, tuple)) and all(isinstance(x, int) for x in v),
             "a list of integers"),
    "strs": (lambda v: isinstance(v, (list, tuple)) and all(isinstance(x, (str, bytes)) for x in v),
             "a list of strings"),
}


def _attr(node, at: dict, name: str, kind: str, default=None):
    """Attribute `name` of the ONNX `kind` the operator defines, else UnsupportedModelError."""
    if name not in at:
        return default
    v = at[name]
    ok, what = _ATTR_KINDS[kind]
    if not ok(v):
        raise _bad(node, f"attribute '{name}' must be {what}, got {v!r}")
    if kind == "str":
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else v
    if kind == "strs":
        return [x.decode("utf-8", "replace") if isinstance(x, bytes) else x for x in v]
    return list(v) if kind == "ints" else v


def _expect_shape(node, name: str, a: np.ndarray, shape: tuple, meaning: str) -> None:
    if tuple(a.shape) != tuple(shape):
        raise _bad(node, f"input '{name}' has shape {list(a.shape)}; {meaning} needs {list(shape)}")


def _rnn(node, G: _Graph, x: _Val, block, report, layers, idx):
    kind = node.op_type
    where = f"ONNX node '{node.name or '?'}' ({kind})"
    at = _attrs(node)
    allowed = {"hidden_size", "direction", "activations", "layout", "input_forget",
               "linear_before_reset"}
    for name in at:
        if name not in allowed:
            raise _bad(node, f"attribute '{name}' is not supported")
    direction = _attr(node, at, "direction", "str", "forward")
    if direction not in ("forward", "bidirectional"):
        raise _bad(node, f"attribute 'direction'={direction} is not supported "
                   "(forward or bidirectional)")
    dirs = 2 if direction == "bidirectional" else 1
    acts = _attr(node, at, "activations", "strs", [])
    default = (["Sigmoid", "Tanh", "Tanh"] if kind == "LSTM" else ["Sigmoid", "Tanh"]) * dirs
    if acts and acts != default:
        raise _bad(node, f"attribute 'activations'={acts} is not supported (only {default[:3 if kind == 'LSTM' else 2]})")
    if _attr(node, at, "layout", "int", 0) != 0:
        raise _bad(node, "attribute 'layout'=1 (batch-major) is not supported")
    if _attr(node, at, "input_forget", "int", 0) != 0:
        raise _bad(node, "attribute 'input_forget'=1 (coupled gates) is not supported")
    if kind == "LSTM" and "linear_before_reset" in at:
        raise _bad(node, "attribute 'linear_before_reset' is not an LSTM attribute")
    linear_before_reset = _attr(node, at, "linear_before_reset", "int", 0)
    ins = [_input(node, k) for k in range(8)]
    W, R = G.const(ins[1], where), G.const(ins[2], where)
    B = G.const(ins[3], where)
    if W is None or R is None:
        raise _bad(node, "inputs 'W'/'R' must be constant initializers")
    if ins[3] and B is None:
        raise _bad(node, "input 'B' must be a constant initializer")
    if ins[4]:
        raise _bad(node, "input 'sequence_lens' is not supported")
    init_names = ["initial_h"] + (["initial_c"] if kind == "LSTM" else [])
    for k, nm in enumerate(init_names):
        if ins[5 + k] and not G.is_zero(ins[5 + k]):
            raise _bad(node, f"input '{nm}' must be zero (non-zero initial states are not supported)")
    P = None
    if kind == "LSTM" and ins[7]:
        P = G.const(ins[7], where)
        if P is None:
            raise _bad(node, "input 'P' must be a constant initializer")
    gates = 4 if kind == "LSTM" else 3
    if R.ndim != 3 or R.shape[-1] < 1:
        raise _bad(node, f"input 'R' has shape {list(R.shape)}; it must be [num_directions, "
                   f"{gates}*hidden_size, hidden_size]")
    H = int(R.shape[-1])
    hidden_size = _attr(node, at, "hidden_size", "int", H)
    if hidden_size != H:
        raise _bad(node, f"attribute 'hidden_size'={hidden_size} does not match input 'R' "
                   f"(shape {list(R.shape)}, hidden size {H})")
    _expect_shape(node, "R", R, (dirs, gates * H, H), f"direction '{direction}' with hidden size {H}")
    if W.ndim != 3 or W.shape[2] < 1:
        raise _bad(node, f"input 'W' has shape {list(W.shape)}; it must be [num_directions, "
                   f"{gates}*hidden_size, input_size]")
    if x.layout is None:
        x.layout = _Layout.identity(int(W.shape[2]))
    if W.shape[2] != len(x.layout.index):
        raise _bad(node, f"input size {W.shape[2]} does not match the {len(x.layout.index)} "
                   "features produced before it")
    _expect_shape(node, "W", W, (dirs, gates * H, W.shape[2]), f"direction '{direction}' with hidden size {H}")
    if B is not None:
        _expect_shape(node, "B", B, (dirs, 2 * gates * H), f"hidden size {H}")
    if P is not None:
        _expect_shape(node, "P", P, (dirs, 3 * H), f"hidden size {H}")
    W, R = W.astype(np.float64), R.astype(np.float64)
    B = None if B is None else B.astype(np.float64)
    outs = []
    for d in range(dirs):
        lname = f"{node.name or kind}" + (".reverse" if d else "")
        if kind == "LSTM":
            order = _LSTM_ORDER
            b = None if B is None else _reorder(B[d, :4 * H] + B[d, 4 * H:], order, H)
            pp = None
            if P is not None:
                pp = P[d].astype(np.float64).reshape(3, H)[_PEEP_ORDER]
            spec, out = lstm_from_dense(_reorder(W[d], order, H), _reorder(R[d], order, H), b,
                                        None, pp, block, x.layout, report, lname)
        else:
            order = _GRU_ORDER
            bx = None if B is None else _reorder(B[d, :3 * H], order, H)
            bh = None if B is None else _reorder(B[d, 3 * H:], order, H)
            spec, out = gru_from_dense(_reorder(W[d], order, H), _reorder(R[d], order, H), bx, bh,
                                       bool(linear_before_reset), block, x.layout, report, lname)
        outs.append((spec, out))
    if dirs == 2:
        layers.append(BidirectionalSpec(outs[0][0], outs[1][0]))
        layout = bidir_layout(outs[0][1], outs[1][1])
    else:
        layers.append(outs[0][0])
        layout = outs[0][1]
    return _Val("rnn4", layout, dirs)


def _declared_features(value_info) -> _Layout | None:
    """The feature count the graph input declares ([T, B, N] with N static), if it does."""
    t = value_info.type
    if not t.HasField("tensor_type") or not t.tensor_type.HasField("shape"):
        return None
    dims = t.tensor_type.shape.dim
    if len(dims) != 3 or not dims[2].HasField("dim_value") or dims[2].dim_value < 1:
        return None
    return _Layout.identity(int(dims[2].dim_value))


def _where(node) -> str:
    return f"ONNX node '{node.name or '?'}' ({node.op_type})"


def _dense(node, W: np.ndarray, bias, layout: _Layout):
    """A `DenseSpec` of W [out, in] (+ bias), checked against the features that reach it."""
    where = "the final MatMul" if node is None else _where(node)
    if W.shape[1] != len(layout.index):
        raise UnsupportedModelError(
            f"{where}: the weight has {W.shape[1]} input features; {len(layout.index)} are "
            "produced before it")
    b = None
    if bias is not None:
        b = np.asarray(bias, np.float64).reshape(-1)
        if b.size == 1:
            b = np.full(W.shape[0], b[0])
        elif b.size != W.shape[0]:
            raise UnsupportedModelError(
                f"{where}: the bias has {b.size} values; the layer has {W.shape[0]} outputs")
    return dense_from_linear(W, b, layout, where)


def spec_from_onnx(path_or_model, block: int, *, return_report: bool = False):
    """Build a `ModelSpec` from an ONNX file, bytes or ``onnx.ModelProto``.

    Returns the spec, or ``(spec, report)`` when ``return_report`` is true.
    """
    if not isinstance(block, int) or block < 1:
        raise UnsupportedModelError(f"block size must be a positive integer, got {block!r}")
    model = _load(path_or_model)
    G = _Graph(model)
    report = ImportReport(block)
    data_inputs = [i for i in G.g.input if i.name not in G.init]
    if len(data_inputs) != 1:
        raise UnsupportedModelError(
            f"ONNX graph has {len(data_inputs)} inputs {[i.name for i in data_inputs]}; "
            "exactly one (the [T, B, N] sequence) is supported")
    vals: dict[str, _Val] = {data_inputs[0].name: _Val("seq", _declared_features(data_inputs[0]))}
    layers: list = []
    finished = False
    # The layers are read as one chain: each data value feeds one node.  A value
    # read by two nodes (a duplicated layer, a skip connection) is a graph the
    # chain of layers would compute differently.
    reader: dict[str, str] = {}
    for idx, node in enumerate(G.g.node):
        data = [vals[i] for i in node.input if i in vals]
        if not data:
            continue  # shape / constant computation
        op = node.op_type
        if op in ("Shape", "Size"):
            continue  # shape computations (e.g. the batch size of zero initial states)
        for name in node.input:
            if name in vals and vals[name].kind != "state":
                if name in reader:
                    raise _bad(node, f"reads '{name}', which node '{reader[name]}' reads too; only a "
                               "chain of layers (each output feeding one node) is supported")
                reader[name] = node.name or op
        x = data[0]
        if finished and x.kind not in ("state",):
            raise _bad(node, "operations after the final dense layer are not supported")
        if x.kind == "state":
            if op == "Concat":  # torch concatenates the final states of stacked layers
                for o in node.output:
                    vals[o] = _Val("state")
                continue
            raise _bad(node, "uses the final hidden/cell state; only the output sequence is supported")
        if op in ("LSTM", "GRU"):
            if _input(node, 0) not in vals or x.kind != "seq":
                raise _bad(node, "its input is not a [T, B, N] sequence")
            v = _rnn(node, G, x, block, report, layers, idx)
            vals[node.output[0]] = v
            for o in node.output[1:]:
                if o:
                    vals[o] = _Val("state")
        elif op == "Squeeze" and x.kind == "rnn4":
            axes = (G.const(_input(node, 1), _where(node)) if _input(node, 1)
                    else _attr(node, _attrs(node), "axes", "ints"))
            if x.dirs != 1 or axes is None or list(np.atleast_1d(axes).reshape(-1)) != [1]:
                raise _bad(node, f"attribute 'axes'={axes} on an RNN output is not supported")
            vals[node.output[0]] = _Val("seq", x.layout)
        elif op == "Transpose" and x.kind == "rnn4":
            perm = _attr(node, _attrs(node), "perm", "ints", [])
            if perm != [0, 2, 1, 3]:
                raise _bad(node, f"attribute 'perm'={perm} on an RNN output is not supported")
            vals[node.output[0]] = _Val("rnn4t", x.layout, x.dirs)
        elif op == "Reshape" and x.kind == "rnn4t":
            shape = G.const(_input(node, 1), _where(node))
            if shape is None or shape.ndim != 1 or len(shape) != 3 or shape[2] not in (-1, x.layout.size):
                raise _bad(node, f"input 'shape'={shape} on an RNN output is not supported")
            vals[node.output[0]] = _Val("seq", x.layout)
        elif op in ("Identity", "Dropout") and x.kind in ("seq", "last", "dense"):
            vals[node.output[0]] = x
        elif op == "Gather" and x.kind == "seq":
            axis = _attr(node, _attrs(node), "axis", "int", 0)
            ind = G.const(_input(node, 1), _where(node))
            if (axis != 0 or ind is None or np.ndim(ind) != 0 or ind.dtype.kind not in "iu"
                    or int(ind) != -1):
                raise _bad(node, f"attribute 'axis'={axis} / indices={ind}: only the last time "
                           "step (axis 0, index -1) is supported")
            vals[node.output[0]] = _Val("last", x.layout)
        elif op == "Slice" and x.kind == "seq":
            st = G.const(_input(node, 1), _where(node))
            en = G.const(_input(node, 2), _where(node))
            ax = G.const(_input(node, 3), _where(node)) if _input(node, 3) else np.array([0])
            if not (st is not None and en is not None and st.size == 1 and en.size == 1
                    and st.dtype.kind in "iu" and en.dtype.kind in "iu"
                    and list(np.atleast_1d(ax).reshape(-1)) == [0]
                    and int(st.reshape(-1)[0]) == -1 and int(en.reshape(-1)[0]) >= 2 ** 31 - 1):
                raise _bad(node, "only slicing the last time step (x[-1:]) is supported")
            raise _bad(node, "x[-1:] keeps a time axis; index the last step (x[-1]) instead")
        elif op == "Gemm" and x.kind in ("last", "seq"):
            at = _attrs(node)
            alpha = _attr(node, at, "alpha", "float", 1.0)
            beta = _attr(node, at, "beta", "float", 1.0)
            trans_a = _attr(node, at, "transA", "int", 0)
            trans_b = _attr(node, at, "transB", "int", 0)
            if alpha != 1.0 or beta != 1.0 or trans_a:
                raise _bad(node, f"attributes {at} are not supported (alpha=beta=1, transA=0)")
            Wt = G.const(_input(node, 1), _where(node))
            if Wt is None or _input(node, 0) not in vals:
                raise _bad(node, "input 'B' must be a constant initializer")
            if Wt.ndim != 2:
                raise _bad(node, f"input 'B' has shape {list(Wt.shape)}; Gemm needs a 2-D matrix")
            Wt = Wt.astype(np.float64)
            Wt = Wt if trans_b else Wt.T
            bias = G.const(_input(node, 2), _where(node)) if _input(node, 2) else None
            layers.append(_dense(node, Wt, bias, x.layout))
            if x.kind == "last":
                set_last_return_sequence(layers, False, f"the RNN read by ONNX node '{node.name}'")
            vals[node.output[0]] = _Val("dense")
            finished = True
        elif op == "MatMul" and x.kind in ("last", "seq") and _input(node, 0) in vals:
            Wm = G.const(_input(node, 1), _where(node))
            if Wm is None or Wm.ndim != 2:
                raise _bad(node, "input 'B' must be a constant 2-D initializer")
            vals[node.output[0]] = _Val("matmul", x.layout, extra=(Wm.astype(np.float64).T, x.kind))
        elif op == "Add" and x.kind == "matmul":
            other = [i for i in node.input if i not in vals]
            bias = G.const(other[0], _where(node)) if other else None
            if bias is None:
                raise _bad(node, "only a constant bias may be added after MatMul")
            Wm, src = x.extra
            layers.append(_dense(node, Wm, bias, x.layout))
            if src == "last":
                set_last_return_sequence(layers, False, f"the RNN read by ONNX node '{node.name}'")
            vals[node.output[0]] = _Val("dense")
            finished = True
        else:
            raise _bad(node, f"operation {op} on {x.kind} data is not supported")
    # a MatMul without Add
    if not G.g.output:
        raise UnsupportedModelError("ONNX graph has no output")
    out_name = G.g.output[0].name
    out = vals.get(out_name)
    if out is not None and out.kind in ("rnn4", "rnn4t"):
        report.note(f"graph output '{out_name}' is a raw RNN "
                    "output [T, dirs, B, H]; modelled as the [T, B, dirs*H] sequence")
        out = _Val("seq", out.layout)
    if out is None or out.kind not in ("seq", "last", "dense", "matmul"):
        raise UnsupportedModelError(
            f"ONNX graph output '{out_name}' is not the output sequence of an LSTM/GRU stack "
            f"({'final state' if out is not None and out.kind == 'state' else 'not derived from the input'})")
    if out.kind == "matmul":
        layers.append(_dense(None, out.extra[0], None, out.layout))
        if out.extra[1] == "last":
            set_last_return_sequence(layers, False, "the RNN feeding the graph output")
    elif out.kind == "last":
        set_last_return_sequence(layers, False, "the RNN feeding the graph output")
    if not layers:
        raise UnsupportedModelError("ONNX graph has no LSTM/GRU node")
    for o in G.g.output[1:]:
        report.note(f"graph output '{o.name}' ignored (only the first output is modelled)")
    spec = ModelSpec(layers=layers, dtype="f32")
    return (spec, report) if return_report else spec
