"""The step graph: what one time step of a quantized, fused `ernn.scan` computes, as hardware sees it.

Every hardware backend starts here.  The scan body of the frequency level is
cut into four kinds of node:

- `SpectrumNode`: an `ernn.rfft` of a vector (an input frame, a carried
  state, or an element-wise result), one per distinct transformed vector;
- `MacNode`: an `ernn.spectral_mac` with its constant weight spectra, its
  input columns as *parts* (one per concatenated spectrum) and the one
  `ernn.irfft` that consumes it;
- `EwStage`: the element-wise ops between the IRFFTs and the next rFFTs,
  grouped by how many matvecs deep they sit (stage 1 after the first matvec
  of a step, stage 2 after a matvec that needs stage 1, ...), evaluated per
  element on a common index space;
- carries and step outputs: which stage output the step yields.

The graph only describes; `schedule.py` times it and `plan.py` sizes it.
Everything the graph cannot map is refused with a diagnostic on the op.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Block, BlockArgument, Operation, SSAValue

from ernn_ir.diagnostics import OpDiagnostic
from ernn_ir.dialects.ernn import (
    AddOp,
    ConcatOp,
    IrfftOp,
    MulOp,
    PadOp,
    PwlOp,
    RequantizeOp,
    RfftOp,
    ScanOp,
    SigmoidOp,
    SliceOp,
    SpectralMacOp,
    SubOp,
    TanhOp,
    YieldOp,
)
from ernn_ir.dialects.ernn.types import FixedType
from ernn_ir.dialects.ernn_hw import AcceleratorOp, MacOp
from ernn_ir.dialects.ernn_hw import YieldOp as HwYieldOp
from ernn_ir.numerics import FixedFormat

MAC_OPS = (SpectralMacOp, MacOp)
YIELD_OPS = (YieldOp, HwYieldOp)
LoopOp = ScanOp | AcceleratorOp

EW_OPS = (AddOp, SubOp, MulOp, PwlOp, SigmoidOp, TanhOp, RequantizeOp, SliceOp)
"""Element-wise ops an `EwStage` evaluates (slices along the feature axis only)."""


def fmt_of(t) -> FixedFormat:
    e = t.element_type if isinstance(t, TensorType) else t
    assert isinstance(e, FixedType)
    return FixedFormat(e.width.data, e.frac.data)


def value_name(v: SSAValue, fallback: str) -> str:
    return v.name_hint or fallback


@dataclass(frozen=True)
class VectorSource:
    """Where a vector comes from: a sequence input, a carried state, a stage output or a constant."""

    kind: str  # "input" | "carry" | "stage" | "irfft"
    index: int  # input / carry / stage / mac index
    output: int = 0  # stage output number


@dataclass
class SpectrumNode:
    """One `ernn.rfft`: `blocks` spectra of `block`-point blocks of a vector of `valid` samples."""

    index: int
    op: RfftOp
    name: str
    block: int
    blocks: int
    valid: int
    """Samples of the source vector; samples valid..blocks*block-1 are the zeros of an `ernn.pad`."""
    source: VectorSource
    in_format: FixedFormat
    out_format: FixedFormat
    consumers: list[tuple[int, int]] = field(default_factory=list)
    """(mac index, first column) of every matvec part that reads this spectrum."""


@dataclass
class MacPart:
    spectrum: int
    col_offset: int
    cols: int


@dataclass
class MacNode:
    """One `ernn.spectral_mac` and its `ernn.irfft`: p x q weight blocks of K bins."""

    index: int
    op: SpectralMacOp | MacOp
    irfft: IrfftOp
    name: str
    weight: np.ndarray
    """Raw weight spectra [p, q, K, 2] (int64)."""
    weight_format: FixedFormat
    input_format: FixedFormat
    result_format: FixedFormat
    out_format: FixedFormat
    parts: list[MacPart]
    depth: int
    """Matvecs on the longest chain from the step's inputs to this one (1 = first)."""

    @property
    def rows(self) -> int:
        return int(self.weight.shape[0])

    @property
    def cols(self) -> int:
        return int(self.weight.shape[1])

    @property
    def block(self) -> int:
        return 2 * (int(self.weight.shape[2]) - 1)


@dataclass(frozen=True)
class Term:
    """A leaf of an element-wise expression: element `offset + k` of a source, for unit index k."""

    kind: str  # "irfft" | "carry" | "input" | "stage" | "const"
    index: int  # mac / carry / input / stage value id / constant id
    offset: int


@dataclass
class EwNode:
    """An element-wise op evaluated at element `offset + k` of its result (k: the stage's unit index)."""

    op: Operation
    offset: int
    operands: list[EwNode | Term]


@dataclass
class EwStage:
    """The element-wise ops at one matvec depth, evaluated per element on `length` units."""

    index: int
    depth: int
    length: int
    ops: list[Operation]
    outputs: list[SSAValue]
    exprs: list[EwNode | Term]
    """One expression per output."""

    def nodes(self) -> list[EwNode]:
        """Every distinct (op, offset) node, operands before users."""
        seen: dict[tuple[int, int], EwNode] = {}
        order: list[EwNode] = []

        def visit(e: EwNode | Term) -> None:
            if isinstance(e, Term):
                return
            key = (id(e.op), e.offset)
            if key in seen:
                return
            for o in e.operands:
                visit(o)
            seen[key] = e
            order.append(e)

        for e in self.exprs:
            visit(e)
        return order

    def terms(self) -> list[Term]:
        """Every distinct operand term, in the order a depth-first walk of the outputs meets them."""
        memo = self.__dict__.get("_terms")  # (the exprs it was computed from, the terms)
        cached = memo[1] if memo is not None and memo[0] is self.exprs else None
        if cached is None:
            out: dict[Term, None] = {}
            seen: set[tuple[int, int]] = set()

            def visit(e: EwNode | Term) -> None:
                if isinstance(e, Term):
                    out[e] = None
                    return
                key = (id(e.op), e.offset)
                if key in seen:  # a shared subexpression: its terms are already listed
                    return
                seen.add(key)
                for o in e.operands:
                    visit(o)

            for e in self.exprs:
                visit(e)
            cached = list(out)
            self.__dict__["_terms"] = (self.exprs, cached)
        return list(cached)


@dataclass
class Carry:
    index: int
    name: str
    format: FixedFormat
    length: int
    init: np.ndarray
    """Raw initial value [length]."""
    next: VectorSource
    """The stage output the step yields as the next value."""


@dataclass
class StepOutput:
    index: int
    name: str
    format: FixedFormat
    length: int
    source: VectorSource


@dataclass
class StepInput:
    index: int
    name: str
    format: FixedFormat
    length: int


@dataclass
class StepGraph:
    scan: ScanOp | AcceleratorOp
    steps: int
    """T, the scan length."""
    batch: int
    block: int
    inputs: list[StepInput]
    carries: list[Carry]
    outputs: list[StepOutput]
    spectra: list[SpectrumNode]
    macs: list[MacNode]
    stages: list[EwStage]
    constants: list[np.ndarray]
    """Raw values of constant element-wise operands (flattened to the last axis)."""
    constant_formats: list[FixedFormat]
    stage_values: list[tuple[int, int]]
    """Cross-stage values: (stage, output) for every Term of kind "stage"."""

    def stage_output(self, src: VectorSource) -> SSAValue:
        return self.stages[src.index].outputs[src.output]

    @property
    def total_blocks(self) -> int:
        """Weight blocks per step over all matvecs."""
        return sum(m.rows * m.cols for m in self.macs)


# ----------------------------------------------------------------------------- extraction


def _fail(op: Operation, msg: str) -> None:
    raise OpDiagnostic(op, f"ernn-tile: {msg}")


def _last_dim(v: SSAValue) -> int:
    t = v.type
    assert isinstance(t, TensorType)
    return t.get_shape()[-1]


class _Builder:
    def __init__(self, scan, constant_of):
        self.scan = scan
        self.constant_of = constant_of
        self.block: Block = scan.body.block
        self.n_in = len(scan.inputs)
        self.n_out = scan.num_step_outputs
        self.const_ids: dict[int, int] = {}
        self.constants: list[np.ndarray] = []
        self.constant_formats: list[FixedFormat] = []

    # -- classification -------------------------------------------------------------
    def arg_kind(self, a: BlockArgument) -> tuple[str, int]:
        if a.index < self.n_in:
            return "input", a.index
        return "carry", a.index - self.n_in

    def const_term(self, v: SSAValue, offset: int, user: Operation) -> Term:
        key = id(v)
        if key not in self.const_ids:
            arr = self.constant_of(v)
            if arr is None:
                _fail(user, f"operand {value_name(v, '')} is defined outside the time loop but is not a constant")
            t = v.type
            assert isinstance(t, TensorType)
            if not isinstance(t.element_type, FixedType):
                _fail(user, "hardware needs fixed-point operands (run ernn-quantize first)")
            arr = np.asarray(arr, dtype=np.int64)
            if arr.ndim > 1:
                if any(d != 1 for d in arr.shape[:-1]):
                    _fail(user, f"a constant operand must be a vector, got shape {arr.shape}")
                arr = arr.reshape(-1)
            self.const_ids[key] = len(self.constants)
            self.constants.append(arr)
            self.constant_formats.append(fmt_of(t))
        return Term("const", self.const_ids[key], offset)


def _is_spectrum(v: SSAValue) -> bool:
    t = v.type
    return isinstance(t, TensorType) and len(t.get_shape()) >= 3 and t.get_shape()[-1] == 2 and isinstance(
        v.owner, RfftOp | ConcatOp | SpectralMacOp
    ) and not (isinstance(v.owner, ConcatOp) and not all(_is_spectrum(o) for o in v.owner.inputs))


def build_step_graph(scan: ScanOp | AcceleratorOp, constant_of) -> StepGraph:
    """Analyse `scan`; `constant_of(value)` returns the raw numpy value of an outer constant or None."""
    b = _Builder(scan, constant_of)
    block = b.block
    yield_op = block.last_op
    assert isinstance(yield_op, YIELD_OPS)
    if getattr(scan, "reverse", None) is not None:
        _fail(scan, "reverse (backward) time loops are not supported by the hardware planner yet")

    seq_t = scan.inputs[0].type
    assert isinstance(seq_t, TensorType)
    steps = seq_t.get_shape()[0]
    for v in scan.inputs:
        t = v.type
        assert isinstance(t, TensorType)
        if not isinstance(t.element_type, FixedType):
            _fail(scan, "the time loop's inputs must be fixed point (run ernn-quantize first)")
        if len(t.get_shape()) != 3:
            _fail(scan, f"input sequences must be [T, batch, features], got {t}")
    batch = seq_t.get_shape()[1]

    # ---- levels (matvec depth) of every body value
    level: dict[int, int] = {}
    for a in block.args:
        level[id(a)] = 0

    def lv(v: SSAValue) -> int:
        return level.get(id(v), 0)

    for op in block.ops:
        if isinstance(op, YIELD_OPS):
            continue
        for r in op.results:
            t = r.type
            if not isinstance(t, TensorType) or not isinstance(t.element_type, FixedType):
                _fail(op, "hardware needs fixed-point values in the time loop (run ernn-quantize first)")
        if isinstance(op, MAC_OPS):
            level[id(op.result)] = lv(op.input) + 1
        elif isinstance(op, IrfftOp | RfftOp):
            level[id(op.result)] = lv(op.input)
        else:
            ins = [lv(o) for o in op.operands if o.owner is not None and _inside(o, block)]
            for r in op.results:
                level[id(r)] = max(ins, default=0)

    # ---- spectra, matvecs
    spectra: list[SpectrumNode] = []
    spectrum_of: dict[int, int] = {}
    macs: list[MacNode] = []
    mac_of_irfft: dict[int, int] = {}
    block_size = None
    for op in block.ops:
        if isinstance(op, RfftOp):
            src_v = op.input
            valid = _last_dim(src_v)
            if isinstance(src_v.owner, PadOp) and _inside(src_v, block):
                valid = _last_dim(src_v.owner.input)
                src_v = src_v.owner.input
            rt = op.result.type
            assert isinstance(rt, TensorType)
            sh = rt.get_shape()
            if len(sh) != 4 or sh[0] != batch:
                _fail(op, f"spectra must be [batch, q, K, 2] = [{batch}, q, K, 2], got {rt}")
            bsz = 2 * (sh[2] - 1)
            if block_size is None:
                block_size = bsz
            elif bsz != block_size:
                _fail(op, f"all blocks of a design must have one size; {bsz} here, {block_size} before")
            spectrum_of[id(op.result)] = len(spectra)
            spectra.append(
                SpectrumNode(
                    index=len(spectra), op=op, name=value_name(op.result, f"X{len(spectra)}"),
                    block=bsz, blocks=sh[1], valid=valid, source=VectorSource("pending", -1),
                    in_format=fmt_of(op.input.type), out_format=fmt_of(rt),
                )
            )
            spectra[-1]._src_value = src_v  # type: ignore[attr-defined]
        elif isinstance(op, MAC_OPS):
            W = _mac_weight(op, b.constant_of)
            if W is None:
                _fail(op, "the weight spectra of a matvec must be a constant (run ernn-weight-sharing first)")
            W = np.asarray(W, dtype=np.int64)
            users = [u.operation for u in op.result.uses]
            if len(users) != 1 or not isinstance(users[0], IrfftOp):
                _fail(op, "each spectral MAC must feed exactly one ernn.irfft (run ernn-fft-fusion first)")
            ir = users[0]
            parts = _mac_parts(op, op.input, spectrum_of, block)
            K = W.shape[2]
            if 2 * (K - 1) != block_size:
                _fail(op, f"block size {2 * (K - 1)} differs from the design's {block_size}")
            bad = np.any(W[:, :, [0, K - 1], 1] != 0)
            if bad:
                _fail(op, "weight spectra must have zero imaginary parts at bins 0 and b/2 "
                      "(the spectra of real weights)")
            mac_of_irfft[id(ir.result)] = len(macs)
            macs.append(
                MacNode(
                    index=len(macs), op=op, irfft=ir, name=value_name(op.result, f"Y{len(macs)}"),
                    weight=W, weight_format=fmt_of(op.weight_type if isinstance(op, MacOp) else op.weight.type),
                    input_format=fmt_of(op.input.type),
                    result_format=fmt_of(op.result.type), out_format=fmt_of(ir.result.type),
                    parts=parts, depth=lv(op.result),
                )
            )
            for p in parts:
                spectra[p.spectrum].consumers.append((len(macs) - 1, p.col_offset))
        elif isinstance(op, (ConcatOp, PadOp, IrfftOp, *YIELD_OPS)):
            continue
        elif isinstance(op, EW_OPS):
            if isinstance(op, SliceOp):
                t = op.input.type
                assert isinstance(t, TensorType)
                if op.axis.value.data != len(t.get_shape()) - 1:
                    _fail(op, "element-wise slices must cut the feature (last) axis")
            continue
        else:
            _fail(op, f"'{op.name}' has no hardware unit (supported in the time loop: rfft, "
                  "spectral_mac, irfft, concat of spectra, pad before rfft, add, sub, mul, pwl, "
                  "sigmoid, tanh, requantize, slice)")
    if block_size is None or not macs:
        _fail(scan, "the time loop has no FFT-domain matvec (run ernn-pipeline with fft=true)")
    assert block_size is not None
    for s in spectra:
        if not s.consumers:
            _fail(s.op, "this rfft feeds no spectral MAC")

    # ---- stages: element-wise ops grouped by matvec depth
    ew_ops = [op for op in block.ops if isinstance(op, EW_OPS)]
    stage_depth: dict[int, int] = {}
    for op in reversed(ew_ops):
        d = lv(op.results[0])
        if d == 0:
            # No matvec behind it (it reads carries or constants only): evaluate it
            # with its earliest consumer, so it needs no buffer of its own.
            cons = []
            for u in op.results[0].uses:
                uo = u.operation
                if id(uo) in stage_depth:
                    cons.append(stage_depth[id(uo)])
                elif isinstance(uo, (*YIELD_OPS, RfftOp, PadOp)):
                    cons.append(1)
            d = min(cons, default=1)
        stage_depth[id(op)] = d
    depths = sorted({stage_depth[id(op)] for op in ew_ops} | {m.depth for m in macs})

    # Values a stage must output: read by an rfft, yielded, or read by a later stage.
    n_out = scan.num_step_outputs
    yielded = list(yield_op.values)

    def producer_depth(v: SSAValue) -> int | None:
        o = v.owner
        if isinstance(o, Operation) and id(o) in stage_depth:
            return stage_depth[id(o)]
        if isinstance(o, IrfftOp):
            return macs[mac_of_irfft[id(v)]].depth
        return None

    stage_index = {d: i for i, d in enumerate(depths)}
    stage_ops: list[list[Operation]] = [[] for _ in depths]
    for op in ew_ops:
        stage_ops[stage_index[stage_depth[id(op)]]].append(op)
    stage_outputs: list[list[SSAValue]] = [[] for _ in depths]

    def need_output(v: SSAValue) -> VectorSource:
        d = producer_depth(v)
        if d is None:
            # A carry or input yielded unchanged, or an outer value: not produced in the step.
            _fail(yield_op, f"value {value_name(v, '')} is not computed in the step; hardware needs "
                  "every yielded or transformed vector to come from an element-wise stage")
        si = stage_index[d]
        for k, w in enumerate(stage_outputs[si]):
            if w is v:
                return VectorSource("stage", si, k)
        stage_outputs[si].append(v)
        return VectorSource("stage", si, len(stage_outputs[si]) - 1)

    for s in spectra:
        src_v: SSAValue = s._src_value  # type: ignore[attr-defined]
        if isinstance(src_v, BlockArgument) and src_v.owner is block:
            kind, idx = b.arg_kind(src_v)
            s.source = VectorSource(kind, idx)
        elif not _inside(src_v, block):
            _fail(s.op, "the rfft of a constant belongs outside the time loop")
        else:
            s.source = need_output(src_v)
    out_sources = [need_output(v) for v in yielded]
    for op in ew_ops:
        d = stage_depth[id(op)]
        for u in op.results[0].uses:
            uo = u.operation
            if id(uo) in stage_depth and stage_depth[id(uo)] > d:
                need_output(op.results[0])

    # irfft outputs read directly by a later-depth stage go through that stage as terms
    stage_values: list[tuple[int, int]] = []
    stage_value_ids: dict[tuple[int, int], int] = {}

    def build_expr(v: SSAValue, offset: int, stage_d: int, user: Operation) -> EwNode | Term:
        if isinstance(v, BlockArgument):
            if v.owner is not block:
                _fail(user, "operand from an enclosing region is not supported")
            kind, idx = b.arg_kind(v)
            return Term(kind, idx, offset)
        if not _inside(v, block):
            return b.const_term(v, offset, user)
        o = v.owner
        assert isinstance(o, Operation)
        if isinstance(o, IrfftOp):
            return Term("irfft", mac_of_irfft[id(v)], offset)
        if id(o) not in stage_depth:
            _fail(user, f"operand {value_name(v, '')} ('{o.name}') cannot feed an element-wise unit")
        d = stage_depth[id(o)]
        if d != stage_d:
            src = need_output(v)
            key = (src.index, src.output)
            if key not in stage_value_ids:
                stage_value_ids[key] = len(stage_values)
                stage_values.append(key)
            return Term("stage", stage_value_ids[key], offset)
        if isinstance(o, SliceOp):
            return build_expr(o.input, offset + o.offset.value.data, stage_d, o)
        ops: list[EwNode | Term] = []
        out_len = _last_dim(v)
        for x in o.operands:
            xl = _last_dim(x)
            if xl == out_len:
                ops.append(build_expr(x, offset, stage_d, o))
            elif xl == 1:
                ops.append(build_expr(x, 0, stage_d, o))
            else:
                _fail(o, f"operand of length {xl} does not broadcast element-wise to {out_len}")
        return EwNode(o, offset, ops)

    stages: list[EwStage] = []
    for si, d in enumerate(depths):
        outs = stage_outputs[si]
        if not outs:
            continue
        lengths = {_last_dim(v) for v in outs}
        if len(lengths) != 1:
            _fail(scan, f"element-wise stage {si} (matvec depth {d}) outputs vectors of different "
                  f"lengths {sorted(lengths)}; hardware evaluates a stage on one index space")
        stages.append(EwStage(si, d, lengths.pop(), stage_ops[si], outs, []))
    # renumber: stage index = position in `stages`
    renum = {s.index: i for i, s in enumerate(stages)}
    for i, s in enumerate(stages):
        s.index = i

    def fix(src: VectorSource) -> VectorSource:
        if src.kind == "stage":
            return VectorSource("stage", renum[src.index], src.output)
        return src

    for s in spectra:
        s.source = fix(s.source)
    out_sources = [fix(x) for x in out_sources]
    for st in stages:
        st.exprs = [build_expr(v, 0, st.depth, v.owner) for v in st.outputs]  # type: ignore[arg-type]
    stage_values = [(renum[a], k) for a, k in stage_values]
    for st in stages:
        if st.length % block_size:
            _fail(scan, f"element-wise stage {st.index} works on {st.length} elements, not a multiple "
                  f"of the block size {block_size}")
        for t in st.terms():
            if t.kind in ("irfft", "carry", "input", "stage") and t.offset % block_size:
                _fail(scan, f"element-wise stage {st.index} reads a vector at offset {t.offset}, not a "
                      f"multiple of the block size {block_size}")

    # ---- carries, outputs, inputs
    carries: list[Carry] = []
    for i, init in enumerate(scan.inits):
        arr = b.constant_of(init)
        if arr is None:
            _fail(scan, f"initial state #{i} must be a constant for hardware")
        arr = np.asarray(arr, dtype=np.int64)
        t = init.type
        assert isinstance(t, TensorType)
        if len(t.get_shape()) != 2 or t.get_shape()[0] != batch:
            _fail(scan, f"carried state #{i} must be [batch, n] = [{batch}, n], got {t}")
        arr = arr.reshape(batch, -1)
        if not (arr == arr[:1]).all():
            _fail(scan, f"initial state #{i} differs between the sequences of the batch; the hardware "
                  "starts every sequence from one initial state")
        arr = arr[0]
        src = out_sources[n_out + i]
        carries.append(Carry(i, value_name(block.args[len(scan.inputs) + i], f"state{i}"), fmt_of(t),
                             t.get_shape()[-1], arr.reshape(-1), src))
    outputs: list[StepOutput] = []
    for i in range(n_out):
        v = yielded[i]
        outputs.append(StepOutput(i, value_name(scan.results_[i], f"y{i}"), fmt_of(v.type), _last_dim(v),
                                  out_sources[i]))
    inputs = []
    for i, v in enumerate(scan.inputs):
        t = v.type
        assert isinstance(t, TensorType)
        inputs.append(StepInput(i, value_name(block.args[i], f"x{i}"), fmt_of(t), t.get_shape()[-1]))
    for i, r in enumerate(scan.results_[n_out:]):
        if r.uses:
            _fail(scan, f"the final value of carried state #{i} is used after the loop; the hardware "
                  "streams step outputs only")
    return StepGraph(
        scan=scan, steps=steps, batch=batch, block=block_size, inputs=inputs, carries=carries,
        outputs=outputs, spectra=spectra, macs=macs, stages=stages, constants=b.constants,
        constant_formats=b.constant_formats, stage_values=stage_values,
    )


def _inside(v: SSAValue, block: Block) -> bool:
    o = v.owner
    if isinstance(o, Block):
        return o is block
    assert isinstance(o, Operation)
    return o.parent_block() is block


def _mac_weight(op, constant_of):
    if isinstance(op, MacOp):
        from ernn_ir.dialects.ernn.checks import dense_to_numpy
        from ernn_ir.hardware.rom_layout import MacLayout, unpack

        rom = op.rom()
        if rom is None:
            return None
        lay = MacLayout(op.rows.value.data, op.cols.value.data,
                        tuple(int(v) for v in op.row_order.get_values()),
                        tuple(int(v) for v in op.parts.get_values()))
        return unpack(dense_to_numpy(rom.contents).astype(np.int64), lay, op.base.value.data, sum(lay.parts))
    return constant_of(op.weight)


def _mac_parts(op, x: SSAValue, spectrum_of: dict[int, int], block: Block) -> list[MacPart]:
    parts: list[MacPart] = []

    def visit(v: SSAValue, off: int) -> int:
        o = v.owner
        if isinstance(o, RfftOp) and id(v) in spectrum_of:
            t = v.type
            assert isinstance(t, TensorType)
            q = t.get_shape()[1]
            parts.append(MacPart(spectrum_of[id(v)], off, q))
            return off + q
        if isinstance(o, ConcatOp) and _inside(v, block):
            if o.axis.value.data != 1:
                _fail(o, "spectra must be concatenated along the block axis")
            for w in o.inputs:
                off = visit(w, off)
            return off
        _fail(op, "the input spectrum of a spectral MAC must be rffts of the step (or their concatenation)")
        return off

    visit(x, 0)
    return parts
