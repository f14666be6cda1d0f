"""PyTorch -> `ModelSpec` importer.

Supported: ``nn.LSTM`` (proj_size, num_layers, bidirectional, batch_first,
bias), ``nn.GRU`` (num_layers, bidirectional, batch_first, bias), the
block-circulant and dense layers of `ernn_ir.frontend.circulant_torch`, and
any module (``nn.Sequential`` or custom, nested or not) whose layers are, in
registration order, such recurrent layers followed by at most one final
``nn.Linear`` (``nn.Dropout``/``nn.Identity`` are skipped: the spec is for
inference).

The importer reads layers, not code; so it then runs the module's
``forward`` on a seeded probe input and compares it with those layers
applied in order (their own weights, before any projection).  A forward
that does anything else (``torch.tanh`` between the RNN and the head, a
scaled output, the final state instead of the sequence) is refused with
`UnsupportedModelError`.  When the module does not say (``return_sequence``),
the probe also tells whether the head reads every step or the last one.

Dense gate matrices are projected onto block-circulant form; the relative
Frobenius error of every projected matrix goes into an `ImportReport` (and
to the ``ernn_ir.frontend`` logger).  Circulant layers are taken exactly as
stored.

Hidden sizes that are not multiples of the block size are padded with extra
hidden units, and the layer records its real unit count (``units``).  A
circulant block cannot hold a zero row next to non-zero ones, so those
units could not be switched off with zero weights; instead the IR never
computes them: the gate pre-activations are sliced to the real units and
the state is re-padded with exact zeros where an H-wide vector is read
(docs/frontend.md), in float and in fixed point, with no special bias
values.  Their weight rows and the weight columns that read them are
"don't care" entries, excluded from the projection, which therefore stays
the exact Frobenius projection of the real weights.  Input and projection
sizes need no padding (`CirculantWeight` zero-pads columns and truncates
rows).

This module only imports torch inside `spec_from_torch`, so the ONNX front
end can share the layer builders without torch installed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ernn_ir.frontend.projection import project_to_circulant
from ernn_ir.model_spec import (
    BidirectionalSpec,
    CirculantWeight,
    DenseSpec,
    GruSpec,
    LstmSpec,
    ModelSpec,
)

log = logging.getLogger("ernn_ir.frontend")

class UnsupportedModelError(Exception):
    """The model has a layer or option the E-RNN front ends do not handle."""


@dataclass
class ProjectionEntry:
    layer: str
    matrix: str
    shape: tuple
    rel_error: float


@dataclass
class ImportReport:
    """What the importer did: projection errors per matrix and notes."""

    block: int
    projections: list = field(default_factory=list)
    exact: list = field(default_factory=list)  # matrices taken as stored
    notes: list = field(default_factory=list)

    @property
    def max_rel_error(self) -> float:
        return max((e.rel_error for e in self.projections), default=0.0)

    def add_projection(self, layer, matrix, shape, err):
        self.projections.append(ProjectionEntry(layer, matrix, tuple(shape), float(err)))
        log.info("projected %s.%s %s onto block-circulant (b=%d): relative error %.3e",
                 layer, matrix, tuple(shape), self.block, err)

    def note(self, text: str):
        self.notes.append(text)
        log.info("%s", text)

    def __str__(self) -> str:
        lines = [f"block size {self.block}"]
        for e in self.projections:
            lines.append(f"  {e.layer}.{e.matrix} {e.shape[0]}x{e.shape[1]}: "
                         f"projection error {e.rel_error:.3e}")
        for name in self.exact:
            lines.append(f"  {name}: block-circulant as stored (exact)")
        for n in self.notes:
            lines.append(f"  note: {n}")
        return "\n".join(lines)


def _ceil_to(n: int, b: int) -> int:
    return -(-n // b) * b


# ---------------------------------------------------------------------------
# Layer builders from dense numpy matrices (our gate order), shared with ONNX


@dataclass
class _Layout:
    """How the real features of a tensor sit in the spec's (padded) feature axis."""

    size: int  # spec feature count
    index: np.ndarray  # [real features] -> spec position

    @staticmethod
    def identity(n: int) -> "_Layout":
        return _Layout(n, np.arange(n))


def _place(W, rows_idx, rows, cols_idx, cols, report, layer, name, block):
    """Scatter dense W into a (rows, cols) frame, project the valid entries."""
    W = np.asarray(W, dtype=np.float64)
    full = np.zeros((rows, cols))
    valid = np.zeros((rows, cols), dtype=bool)
    full[np.ix_(rows_idx, cols_idx)] = W
    valid[np.ix_(rows_idx, cols_idx)] = True
    pr = project_to_circulant(full, block, valid=valid, return_error=True)
    report.add_projection(layer, name, W.shape, pr.rel_error)
    return CirculantWeight(rows, cols, pr.params)


def _check_finite(where: str, **arrays) -> None:
    """Weights must be finite numbers: NaN or infinity would make the projection and every
    output NaN (the IR could hold them, but would compute nothing)."""
    for name, a in arrays.items():
        if a is not None and not np.all(np.isfinite(np.asarray(a, dtype=np.float64))):
            raise UnsupportedModelError(f"{where}: {name} holds NaN or infinite values")


def _gate_rows(ngates: int, H: int, Hp: int) -> np.ndarray:
    return np.concatenate([g * Hp + np.arange(H) for g in range(ngates)])


def lstm_from_dense(w_ih, w_hh, bias, w_hr, peephole, block, in_layout: _Layout,
                    report: ImportReport, layer: str, return_sequence=True):
    """An `LstmSpec` from dense matrices in gate order (i, f, g, o).

    w_ih [4H, N_real], w_hh [4H, R], bias [4H] or None, w_hr [P, H] or None,
    peephole [3, H] (i, f, o) or None.  Returns (spec, output layout).
    """
    _check_finite(f"layer '{layer}'", w_ih=w_ih, w_hh=w_hh, bias=bias, w_hr=w_hr, peephole=peephole)
    H = w_hh.shape[0] // 4
    Hp = _ceil_to(H, block)
    proj = w_hr is not None
    R = w_hr.shape[0] if proj else H
    Rp = R if proj else Hp
    rows = _gate_rows(4, H, Hp)
    w_x = _place(w_ih, rows, 4 * Hp, in_layout.index, in_layout.size, report, layer, "w_x", block)
    w_h = _place(w_hh, rows, 4 * Hp, np.arange(R), Rp, report, layer, "w_h", block)
    w_p = (_place(w_hr, np.arange(R), R, np.arange(H), Hp, report, layer, "w_proj", block)
           if proj else None)
    b = None
    if bias is not None:
        b = np.zeros(4 * Hp)
        b[rows] = bias
    pp = None
    if peephole is not None:
        pp = np.zeros((3, Hp))
        pp[:, :H] = peephole
    if Hp != H:
        report.note(f"{layer}: hidden size {H} padded to {Hp} (units = {H}: the padded units "
                    "are not computed and read as exact zeros)")
    spec = LstmSpec(input_size=in_layout.size, hidden_size=Hp, w_x=w_x, w_h=w_h, bias=b,
                    peephole=pp, w_proj=w_p, return_sequence=return_sequence,
                    units=H if Hp != H else None)
    return spec, _Layout(Rp, np.arange(R))


def gru_from_dense(w_ih, w_hh, b_ih, b_hh, reset_after, block, in_layout: _Layout,
                   report: ImportReport, layer: str, return_sequence=True):
    """A `GruSpec` from dense matrices in gate order (r, z, n)."""
    _check_finite(f"layer '{layer}'", w_ih=w_ih, w_hh=w_hh, b_ih=b_ih, b_hh=b_hh)
    H = w_hh.shape[1]
    Hp = _ceil_to(H, block)
    rows = _gate_rows(3, H, Hp)
    w_x = _place(w_ih, rows, 3 * Hp, in_layout.index, in_layout.size, report, layer, "w_x", block)
    w_h = _place(w_hh, rows, 3 * Hp, np.arange(H), Hp, report, layer, "w_h", block)
    bx = bh = None
    if b_ih is not None or b_hh is not None:
        bx, bh = np.zeros(3 * Hp), np.zeros(3 * Hp)
        if b_ih is not None:
            bx[rows] = b_ih
        if b_hh is not None:
            bh[rows] = b_hh
    if Hp != H:
        report.note(f"{layer}: hidden size {H} padded to {Hp} (units = {H}: the padded units "
                    "are not computed and read as exact zeros)")
    spec = GruSpec(input_size=in_layout.size, hidden_size=Hp, w_x=w_x, w_h=w_h, b_x=bx,
                   b_h=bh, reset_after=reset_after, return_sequence=return_sequence,
                   units=H if Hp != H else None)
    return spec, _Layout(Hp, np.arange(H))


def bidir_layout(fwd: _Layout, bwd: _Layout) -> _Layout:
    return _Layout(fwd.size + bwd.size, np.concatenate([fwd.index, fwd.size + bwd.index]))


def dense_from_linear(weight, bias, in_layout: _Layout, where: str = "the final dense layer") -> DenseSpec:
    _check_finite(where, weight=weight, bias=bias)
    W = np.asarray(weight, dtype=np.float64)
    full = np.zeros((W.shape[0], in_layout.size))
    full[:, in_layout.index] = W
    return DenseSpec(weight=full, bias=None if bias is None else np.asarray(bias, np.float64))


def set_last_return_sequence(layers: list, value: bool, where: str = "") -> None:
    for layer in reversed(layers):
        if isinstance(layer, BidirectionalSpec):
            if not value:
                raise UnsupportedModelError(
                    f"{where or 'the last recurrent layer'} is bidirectional and only its last "
                    "time step is used (y[-1]): for the backward direction that is its first "
                    "step, which a spec layer with return_sequence=False cannot express; "
                    "use the whole sequence")
            layer.forward.return_sequence = value
            layer.backward.return_sequence = value
            return
        if isinstance(layer, (LstmSpec, GruSpec)):
            layer.return_sequence = value
            return


# ---------------------------------------------------------------------------
# PyTorch


def _np(t):
    return None if t is None else t.detach().cpu().double().numpy()


def _torch_rnn(mod, kind, block, layout, report, name, layers):
    from torch import nn  # noqa: F401

    for opt in ("dropout",):
        if getattr(mod, opt, 0) and mod.training:
            report.note(f"{name}: {opt}={getattr(mod, opt)} ignored (inference)")
    if mod.batch_first:
        report.note(f"{name}: batch_first=True; the spec takes [T, B, N] sequences")
    dirs = 2 if mod.bidirectional else 1
    proj = getattr(mod, "proj_size", 0) or 0
    for k in range(mod.num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            lname = f"{name}.l{k}" + (".reverse" if d else "")
            g = lambda p: _np(getattr(mod, p + sfx)) if hasattr(mod, p + sfx) else None  # noqa: E731
            if kind == "lstm":
                b = None
                if mod.bias:
                    b = g("bias_ih") + g("bias_hh")
                spec, out = lstm_from_dense(g("weight_ih"), g("weight_hh"), b,
                                            g("weight_hr") if proj else None, None,
                                            block, layout, report, lname)
            else:
                spec, out = gru_from_dense(g("weight_ih"), g("weight_hh"),
                                           g("bias_ih") if mod.bias else None,
                                           g("bias_hh") if mod.bias else None,
                                           True, block, layout, report, lname)
            outs.append((spec, out))
        if dirs == 2:
            layers.append(BidirectionalSpec(outs[0][0], outs[1][0]))
            layout = bidir_layout(outs[0][1], outs[1][1])
        else:
            layers.append(outs[0][0])
            layout = outs[0][1]
    return layout


def _circulant_layer(mod, block, layout, report, name, layers):
    if layout.size != len(layout.index) or not np.array_equal(layout.index, np.arange(layout.size)):
        raise UnsupportedModelError(
            f"layer '{name}' ({type(mod).__name__}): its input comes from a padded layer; "
            "a block-circulant layer cannot be re-laid out exactly (use hidden sizes that "
            "are multiples of the block size upstream)")
    if layout.size != mod.input_size:
        raise UnsupportedModelError(
            f"layer '{name}' ({type(mod).__name__}): input_size {mod.input_size} does not "
            f"match the {layout.size} features produced before it")
    if mod.block != block:
        report.note(f"{name}: keeps its own block size {mod.block} (requested {block})")
    _check_finite(f"layer '{name}'", **{n: _np(p) for n, p in mod.named_parameters()})
    layers.append(mod.to_spec())
    report.exact.append(name)
    return _Layout.identity(mod.output_size)


def _dense_layer(mod, block, layout, report, name, layers):
    from ernn_ir.frontend.circulant_torch import DenseLSTM

    if isinstance(mod, DenseLSTM):
        b = _np(mod.bias)
        spec, out = lstm_from_dense(_np(mod.w_x), _np(mod.w_h), b,
                                    _np(mod.w_proj) if mod.w_proj is not None else None,
                                    _np(mod.peephole) if mod.peephole is not None else None,
                                    block, layout, report, name)
    else:
        spec, out = gru_from_dense(_np(mod.w_x), _np(mod.w_h), _np(mod.b_x), _np(mod.b_h),
                                   mod.reset_after, block, layout, report, name)
    layers.append(spec)
    return out


def _leaf_types():
    from torch import nn

    from ernn_ir.frontend.circulant_torch import (
        CirculantGRU,
        CirculantLSTM,
        DenseGRU,
        DenseLSTM,
    )

    rnn = (nn.LSTM, nn.GRU, CirculantLSTM, CirculantGRU, DenseLSTM, DenseGRU)
    return rnn, rnn + (nn.Linear, nn.Dropout, nn.Identity, nn.RNNBase, nn.RNNCellBase)


def _flatten(module, prefix=""):
    """The layers under `module`, in registration order, through any container.

    Containers (nn.Sequential or custom modules with children) are read
    through; whether their forward applies the layers in this order and
    nothing else is checked afterwards on a probe input (`_check_forward`).
    """
    _, leaves = _leaf_types()
    for name, child in module.named_children():
        full = f"{prefix}{name}"
        if not isinstance(child, leaves) and any(True for _ in child.children()):
            yield from _flatten(child, full + ".")
        else:
            yield full, child


#: Probe input of the forward check: T steps, B sequences, standard deviation. Many
#: sequences of large inputs drive every unit through both signs and saturation, so
#: that an op that is the identity on part of its range (relu, clamp) shows.
_PROBE_T, _PROBE_B, _PROBE_SCALE = 5, 16, 3.0


def _stock_forward(mod, x):
    """`mod`'s output as its library class computes it (a subclass's own forward is ignored)."""
    rnn_types, _ = _leaf_types()
    for base in rnn_types:
        if isinstance(mod, base):
            return base.forward(mod, x)
    raise AssertionError(type(mod))


def _composition(items, x, return_sequence: bool):
    """What the spec computes, in PyTorch and with the modules' own (unprojected) weights.

    `x` is time-major [T, B, N]; recurrent layers run in their own layout.
    """
    from torch import nn

    rnn_types, _ = _leaf_types()
    h = x
    for _, mod in items:
        if isinstance(mod, rnn_types):
            bf = bool(getattr(mod, "batch_first", False))
            y = _stock_forward(mod, h.transpose(0, 1) if bf else h)[0]
            h = y.transpose(0, 1) if bf else y
        elif isinstance(mod, nn.Linear):
            if not return_sequence:
                h = h[-1]
            h = nn.functional.linear(h, mod.weight, mod.bias)
            return h
    return h if return_sequence else h[-1]


def _check_forward(module, items, readings: list[bool], report: ImportReport) -> bool:
    """Prove on a probe input that `module(x)` is the layers applied in order; return the reading.

    The importer reads child modules only, so a functional op in `forward`
    (``torch.tanh(y)`` before the head, ``y * 2``, reversing the sequence,
    using the final state) would otherwise be dropped silently.  `readings`
    are the `return_sequence` values to try (the head on every step, or on
    the last step only).  Raises `UnsupportedModelError` if none matches.
    """
    import torch

    rnn_types, _ = _leaf_types()
    rnns = [m for _, m in items if isinstance(m, rnn_types)]
    first_bf = bool(getattr(rnns[0], "batch_first", False))
    last_bf = bool(getattr(rnns[-1], "batch_first", False))
    params = list(module.parameters())
    dtype = params[0].dtype if params else torch.float32
    n_in = rnns[0].input_size
    gen = torch.Generator().manual_seed(0)
    x = _PROBE_SCALE * torch.randn(_PROBE_T, _PROBE_B, n_in, generator=gen, dtype=dtype)
    modes = [(m, m.training) for m in module.modules()]
    name = type(module).__name__
    shape = "[B, T, N]" if first_bf else "[T, B, N]"
    try:
        module.eval()
        with torch.no_grad():
            try:
                out = module(x.transpose(0, 1) if first_bf else x)
            except Exception as e:  # the user's forward: any failure means it cannot be checked
                raise UnsupportedModelError(
                    f"{name}.forward fails on a {shape} probe input of shape "
                    f"{tuple(x.transpose(0, 1).shape if first_bf else x.shape)}: {e}; the importer "
                    "must run forward to check that it applies the layers it reads") from None
            while isinstance(out, (tuple, list)) and out:
                out = out[0]
            if not isinstance(out, torch.Tensor):
                raise UnsupportedModelError(
                    f"{name}.forward returns a {type(out).__name__}, not a tensor (or a tuple "
                    "starting with one)")
            tol = {torch.float64: 1e-9, torch.float32: 1e-4}.get(out.dtype, 1e-2)
            tried = []
            for rs in readings:
                want = _composition(items, x, rs)
                got = out.transpose(0, 1) if (rs and last_bf and out.dim() == 3) else out
                how = "every step" if rs else "the last step"
                if got.shape != want.shape:
                    tried.append(f"{how}: shape {tuple(want.shape)}")
                    continue
                scale = max(1.0, float(want.abs().max())) if want.numel() else 1.0
                err = float((got.double() - want.double()).abs().max()) if want.numel() else 0.0
                if err <= tol * scale:
                    report.note(f"{name}.forward checked on a probe input: it applies the layers "
                                f"read (max difference {err:.1e})")
                    return rs
                tried.append(f"{how}: max difference {err:.3g}")
    finally:
        for m, training in modes:
            m.training = training
    layers = " -> ".join(f"'{n}'" for n, m in items if isinstance(m, rnn_types + (torch.nn.Linear,)))
    raise UnsupportedModelError(
        f"{name}.forward does not compute {layers} and nothing else: on a probe input its output "
        f"(shape {tuple(out.shape)}) differs from those layers' ({'; '.join(tried)}). "
        "The importer reads the child modules, so "
        "a functional op in forward (for example torch.tanh between the RNN and the nn.Linear) "
        "would be lost; only the layers themselves can be imported")


def spec_from_torch(module, block: int, *, input_size: int | None = None,
                    return_report: bool = False):
    """Build a `ModelSpec` from a PyTorch module (see the module docstring).

    Returns the spec, or ``(spec, report)`` when ``return_report`` is true.
    Raises `UnsupportedModelError` naming the layer and option otherwise.
    """
    import torch
    from torch import nn

    from ernn_ir.frontend.circulant_torch import (
        CirculantGRU,
        CirculantLSTM,
        DenseGRU,
        DenseLSTM,
    )

    if not isinstance(block, int) or block < 1:
        raise UnsupportedModelError(f"block size must be a positive integer, got {block!r}")
    if not isinstance(module, nn.Module):
        raise UnsupportedModelError(
            f"expected a torch.nn.Module, got {type(module).__name__} (a state_dict does not "
            "describe the architecture; save the whole module)")
    if isinstance(module, torch.jit.ScriptModule):
        raise UnsupportedModelError("TorchScript modules are not supported; save the nn.Module")
    for pname, p in module.named_parameters():
        if p.is_meta or not p.is_floating_point() or p.is_sparse:
            raise UnsupportedModelError(
                f"parameter '{pname}' holds no float data ({'a meta tensor' if p.is_meta else p.dtype}); "
                "load the model's weights before importing it")
    report = ImportReport(block)
    rnn_types = (nn.LSTM, nn.GRU, CirculantLSTM, CirculantGRU, DenseLSTM, DenseGRU)
    if isinstance(module, rnn_types):
        items = [(type(module).__name__, module)]
        return_sequence = True
    else:
        items = list(_flatten(module))
        return_sequence = bool(getattr(module, "return_sequence", True))
    layers: list = []
    layout = None
    head_seen = None
    for name, mod in items:
        if isinstance(mod, (nn.Dropout, nn.Identity)):
            continue
        if head_seen is not None:
            raise UnsupportedModelError(
                f"layer '{name}' ({type(mod).__name__}) follows the final nn.Linear "
                f"'{head_seen}'; only one dense layer at the end is supported")
        if layout is None:
            n_in = getattr(mod, "input_size", None) or getattr(mod, "in_features", None) or input_size
            if n_in is None:
                raise UnsupportedModelError(f"layer '{name}' ({type(mod).__name__}): cannot tell the input size")
            layout = _Layout.identity(int(n_in))
        if isinstance(mod, (nn.LSTM, nn.GRU)):
            if isinstance(mod, nn.GRU) and getattr(mod, "proj_size", 0):
                raise UnsupportedModelError(f"layer '{name}' (GRU): option proj_size is not supported")
            if layout.size and len(layout.index) != mod.input_size:
                raise UnsupportedModelError(
                    f"layer '{name}' ({type(mod).__name__}): input_size {mod.input_size} does not "
                    f"match the {len(layout.index)} features produced before it")
            layout = _torch_rnn(mod, "lstm" if isinstance(mod, nn.LSTM) else "gru",
                                block, layout, report, name, layers)
        elif isinstance(mod, (CirculantLSTM, CirculantGRU)):
            layout = _circulant_layer(mod, block, layout, report, name, layers)
        elif isinstance(mod, (DenseLSTM, DenseGRU)):
            layout = _dense_layer(mod, block, layout, report, name, layers)
        elif isinstance(mod, nn.Linear):
            if not layers:
                raise UnsupportedModelError(
                    f"layer '{name}' (Linear): a dense layer before any recurrent layer is not supported")
            if len(layout.index) != mod.in_features:
                raise UnsupportedModelError(
                    f"layer '{name}' (Linear): in_features {mod.in_features} does not match the "
                    f"{len(layout.index)} features produced before it")
            layers.append(dense_from_linear(_np(mod.weight), _np(mod.bias), layout, f"layer '{name}'"))
            head_seen = name
        elif isinstance(mod, (nn.RNN, nn.LSTMCell, nn.GRUCell, nn.RNNCell)):
            raise UnsupportedModelError(
                f"layer '{name}' ({type(mod).__name__}) is not supported (only LSTM and GRU)")
        else:
            raise UnsupportedModelError(f"layer '{name}' ({type(mod).__name__}) is not supported")
    if not any(isinstance(l, (LstmSpec, GruSpec, BidirectionalSpec)) for l in layers):
        raise UnsupportedModelError(f"module {type(module).__name__} has no LSTM/GRU layer")
    items = [(n, m) for n, m in items if not isinstance(m, (nn.Dropout, nn.Identity))]
    readings = [return_sequence]
    if not hasattr(module, "return_sequence"):
        readings.append(False)  # forward may use the last step only (y[-1])
    return_sequence = _check_forward(module, items, readings, report)
    if not return_sequence:
        set_last_return_sequence(layers, False, f"{type(module).__name__} (return_sequence=False)")
    spec = ModelSpec(layers=layers, dtype="f32")
    return (spec, report) if return_report else spec
