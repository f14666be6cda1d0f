"""Read a tiled design back from the IR: the step graph, the tile sizes and the schedule as written.

The report and the backends work from the IR, never from the planner's
state, so an `ernn_hw` module written to a file and read again (or edited by
hand) gives the same figures and the same hardware.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp

from ernn_ir.diagnostics import OpDiagnostic
from ernn_ir.dialects.ernn_hw import (
    AcceleratorOp,
    BufferOp,
    DesignOp,
    EwUnitOp,
    FftUnitOp,
    MacOp,
)
from ernn_ir.hardware import units
from ernn_ir.hardware.constants import OuterConstants
from ernn_ir.hardware.devices import Device, DeviceError, load_device
from ernn_ir.hardware.resources import copy_key
from ernn_ir.hardware.schedule import (
    MAC,
    Item,
    Schedule,
    TileConfig,
    copyable_stage,
    ew_unit,
    irfft_unit,
    mac_latency,
    part_infos,
    rfftx_unit,
    stage_latency,
)
from ernn_ir.hardware.stepgraph import StepGraph, build_step_graph


@dataclass
class DesignView:
    accelerator: AcceleratorOp
    design: DesignOp
    graph: StepGraph
    schedule: Schedule
    device: Device
    clock_mhz: float
    copies: dict[str, int]

    @property
    def config(self) -> TileConfig:
        return self.schedule.config


def _int(a) -> int:
    return a.value.data


def read_design(acc: AcceleratorOp, consts: OuterConstants) -> DesignView:
    d = acc.design_op()
    if d is None:
        raise OpDiagnostic(acc, f"no ernn_hw.design @{acc.design.root_reference.data} in the module")
    g = build_step_graph(acc, consts)
    arr = d.mac_array()
    ffts = [o for o in d.body.block.ops if isinstance(o, FftUnitOp)]
    ews = {_int(o.stage): o for o in d.body.block.ops if isinstance(o, EwUnitOp)}
    irfft = {_int(o.node): _int(o.engines) for o in ffts if o.inverse is not None}
    rfft = {_int(o.node): _int(o.engines) for o in ffts if o.inverse is None}
    if sorted(irfft) != list(range(len(g.macs))):
        raise OpDiagnostic(d, f"the design needs one inverse fft_unit per matvec (0..{len(g.macs) - 1})")
    if sorted(ews) != list(range(len(g.stages))):
        raise OpDiagnostic(d, f"the design needs one ew_unit per element-wise stage (0..{len(g.stages) - 1})")
    try:
        dev = load_device(d.device.data)
    except DeviceError as e:
        raise OpDiagnostic(d, str(e)) from None
    cfg = TileConfig(
        row_lanes=_int(arr.rows), col_lanes=_int(arr.cols), cmul=_int(arr.cmul), streams=_int(d.streams),
        irfft_engines=tuple(irfft[k] for k in range(len(g.macs))),
        ew_lanes=tuple(_int(ews[s].lanes) for s in range(len(g.stages))),
        rfft_engines=tuple(rfft.get(sp.index, 1) for sp in g.spectra), deep=dev.deep_pipeline,
        ew_copies=tuple(ews[s].copy_count for s in range(len(g.stages))),
    )
    for s, o in ews.items():
        n, blocks = o.copy_count, g.stages[s].length // g.block
        if n & (n - 1) or n > blocks:
            raise OpDiagnostic(o, f"copies({n}) of stage {s} must be a power of two and at most its {blocks} "
                               "unit blocks")
        if n > 1 and not copyable_stage(g, s):
            raise OpDiagnostic(o, f"stage {s} cannot have copies: a later stage or an element-wise carry "
                               "reads its results (only stages feeding spectra and the step output can)")
    # the latencies the design claims must be the ones the hardware is built with
    b = g.block
    checks = [("mac_array", _int(arr.latency), mac_latency(g, cfg), arr)]
    for o in ffts:
        checks.append(("fft_unit", _int(o.latency), units.fft_latency(b, o.inverse is not None, cfg.deep), o))
    for s, o in ews.items():
        checks.append(("ew_unit", _int(o.latency), stage_latency(g.stages[s], cfg.deep), o))
    for what, got, want, op in checks:
        if got != want:
            raise OpDiagnostic(op, f"latency({got}) of this {what} differs from the {want} cycles its "
                               "hardware takes (ernn_ir/hardware/units.py)")
    macs = [o for o in acc.body.block.ops if isinstance(o, MacOp)]
    row_orders = [[int(v) for v in m.row_order.get_values()] for m in macs]
    parts = part_infos(g, cfg)
    items: list[Item] = []
    unit_of = {"mac": MAC}
    for ph in d.phases():
        u = ph.unit.root_reference.data
        kind = ph.kind.data
        mac = _int(ph.mac) if ph.mac is not None else -1
        part = _int(ph.part) if ph.part is not None else -1
        stage = _int(ph.stage) if ph.stage is not None else -1
        for idx, off in zip(ph.items.get_values(), ph.offsets.get_values()):
            unit = unit_of.get(u)
            if unit is None:
                if kind == "drain":
                    unit = irfft_unit(mac)  # one drain unit for every matvec
                elif kind == "ew":
                    n = cfg.copies(stage)
                    unit = ew_unit(stage, int(idx) % n, n)
                else:
                    unit = rfftx_unit(int(idx))
            items.append(Item(unit=unit, kind=kind, stream=_int(ph.stream), dur=_int(ph.duration), mac=mac,
                              part=part, index=int(idx), stage=stage, prefetch=ph.prefetch is not None,
                              first=ph.first is not None, last=ph.last is not None, offset=int(off)))
    orders: dict[str, list[int]] = {}
    P = _int(d.period)
    for i, it in enumerate(items):
        orders.setdefault(it.unit, []).append(i)
    for u, o in orders.items():
        o.sort(key=lambda i: items[i].offset + (P if items[i].prefetch else 0))
    sch = Schedule(
        graph=g, config=cfg, period=P, items=items, orders=orders, parts=parts, row_orders=row_orders,
        groups=[-(-m.rows // cfg.row_lanes) for m in g.macs],
        latencies={"mac": _int(arr.latency), "drain": units.drain_latency(),
                   "rfft": units.fft_latency(b, False, cfg.deep), "irfft": units.fft_latency(b, True, cfg.deep)},
        ew_latency=[_int(ews[s].latency) for s in range(len(g.stages))],
    )
    copies = {}
    for o in d.body.block.ops:
        if isinstance(o, BufferOp):
            k = copy_key(o.sym_name.data)
            copies[k] = max(copies.get(k, 1), _int(o.copies))
    return DesignView(acc, d, g, sch, dev, d.clock_mhz.value.data, copies)


def accelerators(module: ModuleOp) -> list[AcceleratorOp]:
    return [o for o in module.walk() if isinstance(o, AcceleratorOp)]
