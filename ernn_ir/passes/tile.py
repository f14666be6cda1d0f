"""`ernn-tile`: map a quantized, fused time loop onto processing elements with a static schedule.

    ernn-opt model_q.mlir -p 'ernn-tile{device=ku060 multipliers=1024}'

Each `ernn.scan` becomes an `ernn_hw.accelerator` running an
`ernn_hw.design`: the MAC array, FFT engines and element-wise units, the
banked weight ROM, the buffers and the schedule of one time step
(docs/hardware.md).  Options:

- `device`: a built-in name (ku060, vx690t, vu9p, zu9eg, ecp5-85f) or a
  .toml/.json description; `clock`: MHz (0: the device's default);
- what to optimise: `multipliers` (the fastest design with at most that
  many MAC multipliers), `fps` (the fewest multipliers reaching that many
  time steps per second), or neither (the fastest design that fits the
  device); `rows` and `cols` fix the MAC array's lanes instead;
- `cmul`: 3 or 4 real multipliers per complex product; `streams`: how many
  independent sequences of the batch are interleaved (1 = batch-1 latency);
- `ew-lanes`, `irfft-engines`: fix those sizes instead of deriving them.

A request that cannot be met is refused with a diagnostic on the loop that
names the limit and the largest legal choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
    f64,
    i16,
    i32,
    i64,
)
from xdsl.ir import Block, Region
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.diagnostics import OpDiagnostic
from ernn_ir.dialects.ernn import GetGlobalOp, GlobalOp, ScanOp, SpectralMacOp, YieldOp
from ernn_ir.dialects.ernn.types import FixedType
from ernn_ir.dialects.ernn_hw import (
    AcceleratorOp,
    BufferOp,
    DesignOp,
    EwUnitOp,
    FftUnitOp,
    MacArrayOp,
    MacOp,
    PhaseOp,
    RomOp,
)
from ernn_ir.dialects.ernn_hw import YieldOp as HwYieldOp
from ernn_ir.passes.options import CheckedPass, non_negative, option, positive


def _i(v: int) -> IntegerAttr:
    return IntegerAttr(v, 64)


def _cmul_rule(v) -> str | None:
    if v not in (3, 4):
        return f"must be 3 or 4 (real multipliers per complex product), got {v}"
    return None


def _one_goal(p) -> str | None:
    if sum(bool(x) for x in (p.multipliers, p.fps, p.rows or p.cols)) > 1:
        return "give at most one of multipliers, fps and rows/cols (what to optimise)"
    return None


@dataclass(frozen=True)
class TilePass(CheckedPass):
    """Quantized fused frequency level to the hardware level (ernn_hw), planned for a device."""

    name = "ernn-tile"
    option_relations = (_one_goal,)

    device: str = option("ku060")
    """A built-in device name or a TOML/JSON device file."""
    clock: float = option(0.0, non_negative)
    """Clock in MHz (0: the device's default)."""
    multipliers: int = option(0, non_negative)
    """MAC multiplier budget (0: no budget)."""
    fps: float = option(0.0, non_negative)
    """Target time steps per second (0: none)."""
    rows: int = option(0, non_negative)
    cols: int = option(0, non_negative)
    """Fixed MAC lanes (0: chosen by the planner)."""
    cmul: int = option(3, _cmul_rule)
    streams: int = option(1, positive)
    ew_lanes: int = option(0, non_negative)
    irfft_engines: int = option(0, non_negative)
    rfft_engines: int = option(0, non_negative)
    """Most rFFT engines per input spectrum (0: the planner's choice; the Verilog backend needs 1)."""
    ew_copies: int = option(0, non_negative)
    """Copies of each element-wise stage that can have them (0: the planner's choice)."""

    def request(self):
        from ernn_ir.hardware.devices import DeviceError, load_device
        from ernn_ir.hardware.plan import PlanRequest

        try:
            dev = load_device(self.device)
        except DeviceError as e:
            raise DiagnosticException(f"ernn-tile: {e}") from None
        return PlanRequest(
            device=dev, clock_mhz=self.clock or dev.clock_mhz, multipliers=self.multipliers, fps=self.fps,
            rows=self.rows, cols=self.cols, cmul=self.cmul, streams=self.streams, ew_lanes=self.ew_lanes,
            irfft_engines=self.irfft_engines, rfft_engines=self.rfft_engines, ew_copies=self.ew_copies,
        )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from ernn_ir.hardware.constants import OuterConstants
        from ernn_ir.hardware.plan import PlanError, plan
        from ernn_ir.hardware.stepgraph import build_step_graph

        req = self.request()
        scans = [s for s in op.walk() if isinstance(s, ScanOp)]
        if not scans:
            raise DiagnosticException("ernn-tile: the module has no ernn.scan time loop to map "
                                      "(run ernn-pipeline first)")
        consts = OuterConstants(op)
        taken = {o.sym_name.data for o in op.ops if hasattr(o, "sym_name")}
        for n, scan in enumerate(scans):
            graph = build_step_graph(scan, consts)
            try:
                p = plan(graph, req)
            except PlanError as e:
                raise OpDiagnostic(scan, f"ernn-tile: {e}") from None
            f = scan.parent_op()
            while f is not None and not isinstance(f, func.FuncOp):
                f = f.parent_op()
            base = f"{f.sym_name.data if f else 'main'}_accel{n if len(scans) > 1 else ''}"
            name, k = base, 1
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            design = emit_design(name, p)
            op.body.block.add_op(design)
            _replace_scan(scan, name, p)
        _drop_dead_globals(op)


def emit_design(name: str, p) -> DesignOp:
    """The `ernn_hw.design` of a plan: units, ROM, buffers and phases."""
    from ernn_ir.hardware.rom_layout import MacLayout, pack

    g, cfg, sch = p.graph, p.config, p.schedule
    ops = []
    m0 = g.macs[0]
    # the lanes' operand widths: the widest weight and input spectrum of every matvec
    wmax = max(m.weight_format.width for m in g.macs)
    xmax = max(m.input_format.width for m in g.macs)
    ops.append(MacArrayOp.create(properties={
        "sym_name": StringAttr("mac"), "rows": _i(cfg.row_lanes), "cols": _i(cfg.col_lanes), "cmul": _i(cfg.cmul),
        "latency": _i(sch.latencies["mac"]),
        "weight": FixedType(wmax, m0.weight_format.frac),
        "input": FixedType(xmax, m0.input_format.frac),
    }))
    for sp in g.spectra:
        n = cfg.rfft_engines[sp.index] if sp.source.kind == "input" else 1
        ops.append(FftUnitOp.create(properties={
            "sym_name": StringAttr(f"rfft{sp.index}"), "node": _i(sp.index), "engines": _i(n),
            "latency": _i(sch.latencies["rfft"])}))
    for k in range(len(g.macs)):
        ops.append(FftUnitOp.create(properties={
            "sym_name": StringAttr(f"irfft{k}"), "inverse": UnitAttr(), "node": _i(k),
            "engines": _i(cfg.irfft_engines[k]), "latency": _i(sch.latencies["irfft"])}))
    for st in g.stages:
        props = {"sym_name": StringAttr(f"ew{st.index}"), "stage": _i(st.index), "lanes": _i(cfg.ew_lanes[st.index]),
                 "latency": _i(sch.ew_latency[st.index])}
        if cfg.copies(st.index) > 1:
            props["copies"] = _i(cfg.copies(st.index))
        ops.append(EwUnitOp.create(properties=props))
    # the weight ROM: every matvec's words, one after the other
    images, base = [], 0
    for k, m in enumerate(g.macs):
        lay = MacLayout(cfg.row_lanes, cfg.col_lanes, tuple(sch.row_orders[k]), tuple(pt.cols for pt in m.parts))
        images.append(pack(m.weight, lay))
        base += lay.words
    image = np.concatenate(images, axis=1)
    wbits = max(m.weight_format.width for m in g.macs)
    et = i16 if wbits <= 16 else i32
    dt = np.dtype(np.int16 if wbits <= 16 else np.int32)
    contents = DenseIntOrFPElementsAttr(
        TensorType(et, list(image.shape)), BytesAttr(np.ascontiguousarray(image.astype(dt).astype(dt.newbyteorder("<"))).tobytes())
    )
    ops.append(RomOp.create(properties={
        "sym_name": StringAttr("weights"), "banks": _i(image.shape[0]), "depth": _i(image.shape[1]),
        "contents": contents}))
    for mem in p.resources.memories:
        if mem.kind == "rom":
            continue
        ops.append(BufferOp.create(properties={
            "sym_name": StringAttr(mem.name), "kind": StringAttr(mem.kind), "of": StringAttr(mem.of),
            "banks": _i(mem.banks), "depth": _i(mem.depth), "width": _i(mem.width), "copies": _i(mem.copies)}))
    # phases: runs of items of one unit with the same role, in time order
    groups: dict[tuple, list] = {}
    for it in sch.items:
        key = (it.unit if it.kind != "drain" else f"drain{it.mac}", it.kind, it.mac, it.part, it.stage, it.stream,
               it.prefetch, it.first, it.last, it.dur)
        groups.setdefault(key, []).append(it)
    for key in sorted(groups, key=lambda k: (k[5], min(i.offset for i in groups[k]), k[0])):
        its = sorted(groups[key], key=lambda i: i.offset)
        _unit, kind, mac, part, stage, stream, pre, first, last, dur = key
        symbol = {"drain": f"irfft{mac}", "ew": f"ew{stage}", "rfft": f"rfft{its[0].index}"}.get(kind, "mac")
        props = {
            "unit": SymbolRefAttr(symbol), "kind": StringAttr(kind), "stream": _i(stream),
            "duration": _i(dur),
            "items": DenseArrayBase.from_list(i64, [i.index for i in its]),
            "offsets": DenseArrayBase.from_list(i64, [i.offset for i in its]),
        }
        if mac >= 0:
            props["mac"] = _i(mac)
        if part >= 0:
            props["part"] = _i(part)
        if stage >= 0:
            props["stage"] = _i(stage)
        for flag, v in (("prefetch", pre), ("first", first), ("last", last)):
            if v:
                props[flag] = UnitAttr()
        ops.append(PhaseOp.create(properties=props))
    req = p.request
    return DesignOp.create(
        properties={
            "sym_name": StringAttr(name), "device": StringAttr(req.device.name),
            "clock_mhz": FloatAttr(req.clock_mhz, f64), "streams": _i(cfg.streams), "period": _i(sch.period),
            "block": _i(g.block),
        },
        regions=[Region(Block(ops))],
    )


def _replace_scan(scan: ScanOp, design: str, p) -> None:
    g, cfg, sch = p.graph, p.config, p.schedule
    body = scan.body.clone()
    block = body.block
    macs = [o for o in block.ops if isinstance(o, SpectralMacOp)]
    base = 0
    for k, m in enumerate(macs):
        node = g.macs[k]
        parts = [pt.cols for pt in node.parts]
        hw = MacOp.create(
            operands=[m.input],
            result_types=[m.result.type],
            properties={
                "weights": SymbolRefAttr("weights"), "base": _i(base), "rows": _i(cfg.row_lanes),
                "cols": _i(cfg.col_lanes), "row_order": DenseArrayBase.from_list(i64, sch.row_orders[k]),
                "parts": DenseArrayBase.from_list(i64, parts), "weight_type": m.weight.type,
            },
        )
        hw.result.name_hint = m.result.name_hint
        Rewriter.replace_op(m, hw)
        groups = math.ceil(node.rows / cfg.row_lanes)
        base += groups * sum(math.ceil(c / cfg.col_lanes) for c in parts)
    y = block.last_op
    assert isinstance(y, YieldOp)
    Rewriter.replace_op(y, HwYieldOp(*y.values))
    acc = AcceleratorOp(
        operands=[list(scan.inputs), list(scan.inits)],
        result_types=[[r.type for r in scan.results_]],
        properties={"design": SymbolRefAttr(design)},
        regions=[body],
    )
    for old, new in zip(scan.results_, acc.results_):
        new.name_hint = old.name_hint
    Rewriter.replace_op(scan, acc)


def _drop_dead_globals(module: ModuleOp) -> None:
    for o in list(module.walk()):
        if isinstance(o, GetGlobalOp) and not o.result.uses:
            o.detach()
            o.erase()
    used = {o.global_name.root_reference.data for o in module.walk() if isinstance(o, GetGlobalOp)}
    for o in list(module.ops):
        if isinstance(o, GlobalOp) and o.sym_name.data not in used:
            o.detach()
            o.erase()
