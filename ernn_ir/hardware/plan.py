"""Choosing a design: lane counts, engines and stream count for a multiplier budget, a rate or a device.

Modes (`PlanRequest`):

- budget: the fastest design whose MAC array has at most `multipliers` real
  multipliers;
- target: the design with the fewest MAC multipliers that reaches `fps`
  time steps per second at the clock;
- fit: the fastest design that fits the device (DSP, BRAM, LUT, FF);
- explicit: `rows` x `cols` lanes as given (checked, never replaced).

Every candidate is timed by the exact scheduler; cheap lower bounds (the
array's instruction count) pick which candidates to time.  An illegal request
is refused with `PlanError`, naming what it exceeds and the largest legal
choice; nothing is silently replaced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ernn_ir.hardware.devices import Device
from ernn_ir.hardware.resources import Resources, estimate
from ernn_ir.hardware.schedule import (
    Schedule,
    TileConfig,
    buffer_copies,
    build_schedule,
    copyable_stage,
    mac_lane_multipliers,
)
from ernn_ir.hardware.stepgraph import StepGraph


class PlanError(Exception):
    """A plan that cannot be built as asked; the message names the limit and the largest legal choice."""


@dataclass(frozen=True)
class PlanRequest:
    device: Device
    clock_mhz: float
    multipliers: int = 0
    fps: float = 0.0
    rows: int = 0
    cols: int = 0
    cmul: int = 3
    streams: int = 1
    ew_lanes: int = 0
    irfft_engines: int = 0
    rfft_engines: int = 0
    """Most rFFT engines per input spectrum (0: as many as the period needs)."""
    ew_copies: int = 0
    """Copies of every element-wise stage that can have them (`schedule.copyable_stage`); 0: the
    planner's choice (2 on the recurrence in the sizings with `copies`, else 1)."""

    @property
    def mode(self) -> str:
        if self.rows or self.cols:
            return "explicit"
        if self.multipliers:
            return "budget"
        if self.fps:
            return "target"
        return "fit"


@dataclass
class Plan:
    graph: StepGraph
    request: PlanRequest
    schedule: Schedule
    resources: Resources
    copies: dict[str, int]
    candidates: int = 0
    """How many configurations were timed exactly."""
    notes: list[str] = field(default_factory=list)

    @property
    def config(self) -> TileConfig:
        return self.schedule.config

    @property
    def period(self) -> int:
        return self.schedule.period

    @property
    def steps_per_second(self) -> float:
        return self.config.streams * self.request.clock_mhz * 1e6 / self.period


def instructions(g: StepGraph, rows: int, cols: int, streams: int) -> int:
    """MAC instructions per period: a lower bound on the period."""
    n = 0
    for m in g.macs:
        groups = math.ceil(m.rows / rows)
        n += groups * sum(math.ceil(p.cols / cols) for p in m.parts)
    return n * streams


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@dataclass(frozen=True)
class Sizing:
    """How `auto_config` sizes the units around the MAC array: three independent choices.

    Each buys a shorter wait on the recurrence (stages that finish a carried
    state, IRFFTs of matvecs fed inside the step) for resources, and which
    pay depends on the model and the array: with copies of its projection
    stage the Google LSTM at 47 x 5 gains nothing from the fast IRFFTs but
    LUTs, and a small LSTMP gains from full-width lanes but not from more
    IRFFTs. The planner times every distinct config they give.
    """

    fast_irfft: bool = False  # IRFFTs of in-step matvecs: ceil(rows / 2) engines, not ceil(rows / 4)
    fast_lanes: bool = False  # stages on the recurrence at the block's full width, not their average load
    copies: bool = False  # two copies of each stage on the recurrence that can have them


LEAN = Sizing()
FAST = Sizing(fast_irfft=True, fast_lanes=True)
SIZINGS = tuple(Sizing(irfft, lanes, copies)
                for irfft in (False, True) for lanes in (False, True) for copies in (False, True))


def auto_config(g: StepGraph, req: PlanRequest, rows: int, cols: int, sizing: Sizing = LEAN) -> TileConfig:
    """Engines and element-wise lanes for the array's rate (rules in docs/hardware.md).

    Every unit is sized for its average load per period, except where
    `sizing` widens the units on the recurrence so the wait for the next
    step is shorter: more IRFFT engines, full-width lanes, or two copies of
    a stage (an LSTMP's projection stage: one block per cycle is its whole
    width, and the gates wait for all of its blocks).
    """
    S = req.streams
    I = max(1, instructions(g, rows, cols, S))
    b = g.block
    irfft = []
    for m in g.macs:
        groups = math.ceil(m.rows / rows)
        if req.irfft_engines:
            n = min(rows, req.irfft_engines)
        else:
            # drains must fit in half a period; matvecs fed inside the step (column sweeps) finish
            # all their rows at once, on the recurrence: drain them faster
            n = max(1, math.ceil(rows * groups * S / (0.5 * I)))
            if any(g.spectra[p.spectrum].source.kind == "stage" for p in m.parts):
                n = max(n, math.ceil(rows / (2 if sizing.fast_irfft else 4)))
            n = min(rows, n)
        irfft.append(n)
    ew = []
    for st in g.stages:
        if req.ew_lanes:
            ew.append(req.ew_lanes)
            continue
        blocks = st.length // b * S
        lanes = b
        critical = _on_recurrence(g, st.index)
        if sizing.fast_lanes and critical:
            ew.append(b)
            continue
        for d in _divisors(b):
            if blocks * (b // d) <= 0.5 * I:
                lanes = d
                break
        ew.append(lanes)
    rfft = []
    for sp in g.spectra:
        if sp.source.kind == "input":
            n = max(1, min(sp.blocks, math.ceil(sp.blocks * S / (0.5 * I))))
            rfft.append(min(n, req.rfft_engines) if req.rfft_engines else n)
        else:
            rfft.append(1)
    copies = tuple(_stage_copies(g, req, st.index, sizing.copies) for st in g.stages)
    return TileConfig(rows, cols, req.cmul, S, tuple(irfft), tuple(ew), tuple(rfft), deep=req.device.deep_pipeline,
                      ew_copies=copies)


def _on_recurrence(g: StepGraph, s: int) -> bool:
    """Whether stage s finishes a carried state that a spectrum transforms (the next step's matvecs wait)."""
    return any(c.next.index == s and any(sp.source.kind == "carry" and sp.source.index == c.index
                                         for sp in g.spectra) for c in g.carries)


def _stage_copies(g: StepGraph, req: PlanRequest, s: int, copies: bool) -> int:
    """Copies of stage s: up to `ew_copies` (or 2 with `copies` where s is on the recurrence), at most its blocks."""
    if not copyable_stage(g, s):
        return 1
    want = req.ew_copies or (2 if copies and _on_recurrence(g, s) else 1)
    blocks = g.stages[s].length // g.block
    while want > blocks:
        want //= 2
    return max(1, want)


def max_rows(g: StepGraph) -> int:
    return max(m.rows for m in g.macs)


def max_cols(g: StepGraph) -> int:
    return max(p.cols for m in g.macs for p in m.parts)


def make_plan(g: StepGraph, cfg: TileConfig, req: PlanRequest, candidates: int = 1) -> Plan:
    sch = build_schedule(g, cfg)
    copies = buffer_copies(sch)
    res = estimate(sch, req.device, copies)
    return Plan(g, req, sch, res, copies, candidates)


def _check_request(g: StepGraph, req: PlanRequest) -> None:
    b = g.block
    per_lane = mac_lane_multipliers(b, req.cmul)
    if req.cmul not in (3, 4):
        raise PlanError(f"cmul must be 3 or 4 (real multipliers per complex product), got {req.cmul}")
    if req.streams < 1:
        raise PlanError(f"streams must be >= 1, got {req.streams}")
    if req.streams > g.batch:
        raise PlanError(
            f"streams={req.streams} interleaves more sequences than the batch of {g.batch}: "
            f"the largest legal choice is {g.batch}"
        )
    if g.batch % req.streams:
        legal = max(d for d in _divisors(g.batch) if d <= req.streams)
        raise PlanError(
            f"streams={req.streams} does not divide the batch of {g.batch} sequences "
            f"(the largest legal choice is {legal})"
        )
    if req.ew_lanes and (req.ew_lanes < 1 or b % req.ew_lanes):
        legal = max(d for d in _divisors(b) if d <= max(1, req.ew_lanes))
        raise PlanError(
            f"ew-lanes={req.ew_lanes} must divide the block size {b} (the largest legal choice is {legal})"
        )
    if req.multipliers and req.multipliers < per_lane:
        raise PlanError(
            f"multipliers={req.multipliers} is less than one MAC lane needs ({per_lane} for b={b}, "
            f"cmul={req.cmul}): the smallest legal budget is {per_lane}"
        )
    if req.ew_copies < 0 or req.ew_copies & (req.ew_copies - 1):
        raise PlanError(f"ew-copies must be 0 (the planner's choice) or a power of two (the output FIFO has "
                        f"a bank per copy), got {req.ew_copies}")
    if req.fps < 0 or req.multipliers < 0:
        raise PlanError("multipliers and fps must be >= 0")


def _fits(p: Plan) -> list[tuple[str, int, int]]:
    return p.resources.over(p.request.device)


def plan(g: StepGraph, req: PlanRequest, shortlist: int = 4) -> Plan:
    """The design the request asks for (see the module docstring)."""
    _check_request(g, req)
    b = g.block
    per_lane = mac_lane_multipliers(b, req.cmul)
    mr, mc = max_rows(g), max_cols(g)
    if req.mode == "explicit":
        rows, cols = req.rows or 1, req.cols or 1
        if rows > mr:
            raise PlanError(f"rows={rows} lanes exceed the {mr} row blocks of the largest matvec: "
                            f"the largest useful choice is {mr}")
        if cols > mc:
            raise PlanError(f"cols={cols} lanes exceed the {mc} column blocks of the widest matvec part: "
                            f"the largest useful choice is {mc}")
        p = _best_sizing(g, req, rows, cols)
        _refuse_if_over(p, g)
        return p

    max_lanes_dev = req.device.dsp // max(1, _lane_dsp(g, req))
    if req.mode == "budget":
        lane_cap = req.multipliers // per_lane
    else:
        lane_cap = max(1, max_lanes_dev)
    lane_cap = min(lane_cap, mr * mc)
    if req.mode == "budget" and req.multipliers // per_lane > max_lanes_dev:
        raise PlanError(
            f"multipliers={req.multipliers} exceeds {req.device.name}: its {req.device.dsp} DSP slices hold at "
            f"most {max_lanes_dev} MAC lanes of {_lane_dsp(g, req)} slices each, so the largest legal budget is "
            f"{max_lanes_dev * per_lane}"
        )
    # every (rows, cols) shape within the cap, ranked by the array's instruction count
    shapes = []
    for r in range(1, min(mr, lane_cap) + 1):
        c_max = min(mc, lane_cap // r)
        for c in range(1, c_max + 1):
            shapes.append((instructions(g, r, c, req.streams), r * c, r, c))
    if req.mode == "target":
        need = req.streams * req.clock_mhz * 1e6 / req.fps  # largest period that meets the rate
        ok = sorted((lanes, ins, r, c) for ins, lanes, r, c in shapes if ins <= need)
        tried = 0
        best = None
        for lanes, ins, r, c in ok:
            p = _best_sizing(g, req, r, c)
            tried += 1
            if p.period <= need and not _fits(p):
                if best is None or p.resources.mac_multipliers < best.resources.mac_multipliers:
                    best = p
                    break
            if tried >= 64:
                break
        if best is None:
            fastest = plan(g, replace(req, fps=0.0), shortlist)
            raise PlanError(
                f"no design reaches {req.fps:.6g} steps/s at {req.clock_mhz:g} MHz on {req.device.name}: "
                f"the fastest legal design runs {fastest.steps_per_second:.6g} steps/s "
                f"({fastest.period} cycles per period, {fastest.resources.mac_multipliers} MAC multipliers)"
            )
        best.candidates = tried
        return best
    shapes.sort(key=lambda t: (t[0], t[1]))
    best = None
    tried = fitting = 0
    fewest_lanes: dict[int, int] = {}  # instruction count -> the fewest lanes timed with it
    for ins, lanes, r, c in shapes:
        if best is not None and ins > best.period:
            break  # the instruction count bounds the period: no later shape can be faster
        if fewest_lanes.setdefault(ins, lanes) < lanes:
            continue  # every shape with the fewest lanes for its instruction count is timed (R x C and
            # C x R differ in their recurrence); one with more lanes can be faster, but is not timed
        p = _best_sizing(g, req, r, c)
        tried += 1
        over = _fits(p)
        if not over:
            fitting += 1
            if best is None or (p.period, p.resources.mac_multipliers) < (best.period, best.resources.mac_multipliers):
                best = p
        # the shortlist counts designs that fit: the fewest instructions often need more DSPs than
        # the device has, and timing only those would stop before the first real choice
        if fitting >= shortlist or tried >= 64:
            break
    if best is None:
        p1 = make_plan(g, auto_config(g, req, 1, 1), req)
        _refuse_if_over(p1, g)
        best = p1
    best.candidates = tried
    return best


def _best_sizing(g: StepGraph, req: PlanRequest, rows: int, cols: int) -> Plan:
    """Every sizing of `auto_config` for one array shape: the fastest that fits, else the smallest.

    Sizings that come out as the same config (lanes already full, no stage that can be copied)
    are timed once."""
    configs = list(dict.fromkeys(auto_config(g, req, rows, cols, sz) for sz in SIZINGS))
    plans = [make_plan(g, cfg, req) for cfg in configs]
    fitting = [p for p in plans if not _fits(p)]
    pool = fitting or plans
    return min(pool, key=lambda p: (p.period, p.resources.dsp, p.resources.lut))


def _lane_dsp(g: StepGraph, req: PlanRequest) -> int:
    from ernn_ir.hardware.devices import dsp_per_multiply

    b = g.block
    wx = max(m.input_format.width for m in g.macs)
    ww = max(m.weight_format.width for m in g.macs)
    if req.cmul == 3:
        return 2 * dsp_per_multiply(req.device, wx, ww) + (b // 2 - 1) * (
            dsp_per_multiply(req.device, wx, ww + 1) + 2 * dsp_per_multiply(req.device, ww, wx + 1))
    return (2 + 4 * (b // 2 - 1)) * dsp_per_multiply(req.device, wx, ww)


def _refuse_if_over(p: Plan, g: StepGraph) -> None:
    over = _fits(p)
    if not over:
        return
    name, need, have = over[0]
    cfg = p.config
    # the largest legal array: shrink the lane count until it fits
    legal = None
    lanes = cfg.row_lanes * cfg.col_lanes
    for n in range(lanes - 1, 0, -1):
        r = min(cfg.row_lanes, n)
        c = max(1, n // r)
        q = make_plan(g, auto_config(g, p.request, r, c), p.request)
        if not _fits(q):
            legal = (r, c, q.resources.mac_multipliers)
            break
    hint = (f"the largest legal array here is rows={legal[0]} cols={legal[1]} ({legal[2]} MAC multipliers)"
            if legal else "no array of this model fits the device")
    raise PlanError(
        f"rows={cfg.row_lanes} cols={cfg.col_lanes} needs {need} {name} but {p.request.device.name} has {have}; {hint}"
    )
