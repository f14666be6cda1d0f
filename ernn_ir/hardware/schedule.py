"""The static schedule of one time step: a modulo schedule of unit items, exact in cycles.

The hardware is a set of fully pipelined units that each process *items* in
a fixed cyclic order, one period (`P` cycles) per time step:

- the MAC array: one item is a row group of one matvec part swept over its
  column chunks (row-major, `dur` = chunks) or a column chunk swept over the
  row groups (column-major, `dur` = groups); one instruction per cycle;
- the drain: one item reads a finished row group from the accumulators into
  its matvec's IRFFT engines, `ceil(row_lanes / engines)` cycles (all
  matvecs share the accumulators' read port, so their drains share a unit);
- one element-wise unit per stage: one item is one unit block, `ceil(b / lanes)`
  cycles;
- one input rFFT unit per input spectrum: one item transforms a frame.

The rFFTs of element-wise results run on engines attached to the stage's
output at a fixed latency, so they need no item of their own.  Parts whose
spectrum comes from an input frame are *prefetched*: the array computes them
during the previous period (iteration offset 1), which fills the bubble the
recurrence leaves.

Timing: every item has an offset `o` from the start of its own iteration;
iteration t runs it at t*P + o.  Offsets are the least solution of
difference constraints (data dependences with their pipeline latencies, the
units' fixed orders, and `P`-dependent edges across iterations), found by a
longest-path fixed point; `P` is the smallest period for which one exists
(binary search).  The RTL's sequencers replay exactly these offsets, so the
cycle counts of the cost model and the simulated design are equal by
construction, and latencies are the single source of truth in `units.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ernn_ir.hardware import units
from ernn_ir.hardware.stepgraph import StepGraph


@dataclass(frozen=True)
class TileConfig:
    """The sizes a plan chooses; everything else follows from them and the step graph."""

    row_lanes: int
    col_lanes: int
    cmul: int = 3
    streams: int = 1
    irfft_engines: tuple[int, ...] = ()
    """Per matvec: IRFFT engines (blocks per cycle) draining its accumulators."""
    ew_lanes: tuple[int, ...] = ()
    """Per element-wise stage: elements per cycle (a divisor of the block size)."""
    rfft_engines: tuple[int, ...] = ()
    """Per spectrum: rFFT engines (blocks per cycle) of input-frame spectra (1 for the others)."""
    deep: bool = False
    """The deep pipeline of slow fabrics (`units`, "Deep pipeline"; set from `Device.deep_pipeline`)."""
    ew_copies: tuple[int, ...] = ()
    """Per element-wise stage: copies of its unit (copy c takes the unit blocks u with u mod n = c);
    empty: one each.  Only stages whose results go to spectra and the step output have copies
    (`copyable_stage`): their outputs need no memory that several copies would write.  Stored
    empty when every stage has one, so configs that mean the same compare equal."""

    def __post_init__(self) -> None:
        if all(n == 1 for n in self.ew_copies):
            object.__setattr__(self, "ew_copies", ())

    def copies(self, stage: int) -> int:
        return self.ew_copies[stage] if self.ew_copies else 1


MAC = "mac"


DRAIN = "drain"


def irfft_unit(k: int) -> str:
    """Drains of every matvec share one read port per accumulator memory: one unit for all."""
    return DRAIN


def ew_unit(s: int, copy: int = 0, copies: int = 1) -> str:
    """The unit of stage s's copy `copy` (of `copies`); a stage without copies is one unit, `ew<s>`."""
    return f"ew{s}" if copies == 1 else f"ew{s}c{copy}"


def spectrum_writers(g: StepGraph, cfg: TileConfig, sp) -> int:
    """rFFT engines writing spectrum sp: one per copy of the stage whose output it transforms."""
    if sp.source.kind == "stage":
        return cfg.copies(sp.source.index)
    if sp.source.kind == "carry":
        return cfg.copies(g.carries[sp.source.index].next.index)
    return 1


def drain_engine(s: "Schedule", k: int, row: int) -> int:
    """The IRFFT engine of matvec k that drains `row` (lane position mod engines), hence the
    vector-buffer bank the row is written to."""
    return (s.row_orders[k].index(row) % s.config.row_lanes) % s.config.irfft_engines[k]


def vector_banks(s: "Schedule", k: int, lo: int, blocks: int) -> list[int]:
    """The banks of the vector buffer of matvec k's blocks lo .. lo + blocks - 1: one per engine that
    drains one of them (an engine writes only its own bank, which holds the whole slice)."""
    return sorted({drain_engine(s, k, r) for r in range(lo, lo + blocks)})


def copyable_stage(g: StepGraph, s: int) -> bool:
    """Whether stage s may have several copies: no later stage reads its values and no carry it
    produces is read element-wise (its results leave through rFFTs and the output stream only)."""
    if any(sst == s for sst, _ in g.stage_values):
        return False
    read_elementwise = {t.index for st in g.stages for t in st.terms() if t.kind == "carry"}
    return not any(c.next.index == s and c.index in read_elementwise for c in g.carries)


def rfftx_unit(sp: int) -> str:
    return f"rfft{sp}"


@dataclass
class Item:
    """One unit of work of one stream in one iteration."""

    unit: str
    kind: str
    """'row' | 'col' (MAC sweeps), 'drain', 'ew', 'rfft'."""
    stream: int
    dur: int
    mac: int = -1
    part: int = -1
    index: int = -1
    """row group (row sweep, drain), column chunk (col sweep), unit block (ew), spectrum (rfft)."""
    stage: int = -1
    prefetch: bool = False
    """Runs during the previous iteration's period (iteration offset 1 in its unit's cycle)."""
    first: bool = False
    last: bool = False
    """MAC sweeps: zero-initialise / finish the accumulators they touch."""
    offset: int = 0


@dataclass
class Edge:
    src: int
    dst: int
    lat: int
    dist: int = 0
    """o_dst >= o_src + lat - dist * P."""


@dataclass
class PartInfo:
    mac: int
    part: int
    spectrum: int
    cols: int
    chunks: int
    col_offset: int
    order: str  # "row" | "col"
    prefetch: bool


@dataclass
class Schedule:
    graph: StepGraph
    config: TileConfig
    period: int
    items: list[Item]
    orders: dict[str, list[int]]
    parts: list[list[PartInfo]]
    row_orders: list[list[int]]
    groups: list[int]
    latencies: dict[str, int]
    ew_latency: list[int]
    edges: list[Edge] = field(default_factory=list)

    # ---- derived figures -------------------------------------------------------------
    @property
    def streams(self) -> int:
        return self.config.streams

    def unit_busy(self, unit: str) -> int:
        return sum(self.items[i].dur for i in self.orders[unit])

    @property
    def mac_instructions(self) -> int:
        return self.unit_busy(MAC)

    def item_end(self, it: Item) -> int:
        return it.offset + it.dur

    @property
    def first_cycle(self) -> int:
        """Offset, relative to iteration 0, of the first cycle the design works on a sequence.

        The design starts at the beginning of the period holding the earliest item.
        """
        lo = min(it.offset for it in self.items)
        return math.floor(lo / self.period) * self.period

    @property
    def output_done(self) -> int:
        """Offset, relative to its iteration, after which every step output of an iteration is written."""
        g = self.graph
        ends = []
        for it in self.items:
            if it.kind == "ew" and any(o.source.index == it.stage for o in g.outputs):
                ends.append(self.ew_ready(it) + 1)
        return max(ends)

    def ew_ready(self, it: Item) -> int:
        """First cycle at which every output element of an element-wise item can be read."""
        return it.offset + it.dur - 1 + self.ew_latency[it.stage]

    def sequence_cycles(self, steps: int | None = None) -> int:
        """Cycles from the design's first period to the last step output of a sequence of `steps`."""
        T = self.graph.steps if steps is None else steps
        return (T - 1) * self.period + self.output_done - self.first_cycle


# ----------------------------------------------------------------------------- building


def row_order(g: StepGraph, k: int) -> list[int]:
    """Rows of matvec k in the order the element-wise stages consume them (unit block by unit block)."""
    mac = g.macs[k]
    b = g.block
    reads: list[int] = []
    for st in g.stages:
        for t in st.terms():
            if t.kind == "irfft" and t.index == k:
                reads.append(t.offset // b)
    reads = sorted(set(reads))
    order: list[int] = []
    seen: set[int] = set()
    units_n = max((st.length // b for st in g.stages), default=0)
    for u in range(units_n):
        for base in reads:
            r = base + u
            if r < mac.rows and r not in seen:
                seen.add(r)
                order.append(r)
    order += [r for r in range(mac.rows) if r not in seen]
    return order


def part_infos(g: StepGraph, cfg: TileConfig) -> list[list[PartInfo]]:
    out = []
    for mac in g.macs:
        kinds = [g.spectra[p.spectrum].source.kind for p in mac.parts]
        all_input = all(k == "input" for k in kinds)
        infos = []
        for i, p in enumerate(mac.parts):
            kind = kinds[i]
            order = "col" if kind == "stage" else "row"
            infos.append(
                PartInfo(
                    mac=mac.index, part=i, spectrum=p.spectrum, cols=p.cols,
                    chunks=math.ceil(p.cols / cfg.col_lanes), col_offset=p.col_offset, order=order,
                    prefetch=(kind == "input" and not all_input),
                )
            )
        out.append(infos)
    return out


def mac_lane_multipliers(b: int, cmul: int) -> int:
    """Real multipliers of one MAC lane: bins 0 and b/2 are real, the b/2 - 1 others complex."""
    if b == 1:
        return 1
    return 2 + (b // 2 - 1) * cmul


class _ItemBuilder:
    def __init__(self, g: StepGraph, cfg: TileConfig):
        self.g = g
        self.cfg = cfg
        self.b = g.block
        self.parts = part_infos(g, cfg)
        self.row_orders = [row_order(g, k) for k in range(len(g.macs))]
        self.groups = [math.ceil(m.rows / cfg.row_lanes) for m in g.macs]
        self.pos_of_row = [{r: i for i, r in enumerate(ro)} for ro in self.row_orders]
        self.items: list[Item] = []
        self.lat = {
            "mac": mac_latency(g, cfg),
            "drain": units.drain_latency(),
            "rfft": units.fft_latency(self.b, False, cfg.deep),
            "irfft": units.fft_latency(self.b, True, cfg.deep),
        }
        self.ew_lat = [stage_latency(st, cfg.deep) for st in g.stages]
        self.ew_dur = [math.ceil(self.b / cfg.ew_lanes[s]) for s in range(len(g.stages))]
        self.drain_dur = [math.ceil(cfg.row_lanes / cfg.irfft_engines[k]) for k in range(len(g.macs))]
        # index maps per stream
        self.mac_items: list[dict[tuple[int, int, int], int]] = []
        self.drain_items: list[dict[tuple[int, int], int]] = []
        self.ew_items: list[dict[tuple[int, int], int]] = []
        self.rfft_items: list[dict[int, int]] = []

    def add(self, it: Item) -> int:
        self.items.append(it)
        return len(self.items) - 1

    def build(self) -> None:
        g, cfg = self.g, self.cfg
        for s in range(cfg.streams):
            mi: dict[tuple[int, int, int], int] = {}
            for k, infos in enumerate(self.parts):
                for pi in infos:
                    if pi.order == "row":
                        for a in range(self.groups[k]):
                            mi[(k, pi.part, a)] = self.add(Item(MAC, "row", s, pi.chunks, mac=k, part=pi.part,
                                                                 index=a, prefetch=pi.prefetch))
                    else:
                        for c in range(pi.chunks):
                            mi[(k, pi.part, c)] = self.add(Item(MAC, "col", s, self.groups[k], mac=k,
                                                                 part=pi.part, index=c))
            self.mac_items.append(mi)
            di = {}
            for k in range(len(g.macs)):
                for a in range(self.groups[k]):
                    di[(k, a)] = self.add(Item(irfft_unit(k), "drain", s, self.drain_dur[k], mac=k, index=a))
            self.drain_items.append(di)
            ei = {}
            for st in g.stages:
                n = cfg.copies(st.index)
                for u in range(st.length // self.b):
                    ei[(st.index, u)] = self.add(Item(ew_unit(st.index, u % n, n), "ew", s, self.ew_dur[st.index],
                                                      stage=st.index, index=u))
            self.ew_items.append(ei)
            ri = {}
            for sp in g.spectra:
                if sp.source.kind == "input":
                    n = cfg.rfft_engines[sp.index] if cfg.rfft_engines else 1
                    prefetch = any(
                        self.parts[k][p].prefetch
                        for k, m in enumerate(g.macs) for p, part in enumerate(m.parts) if part.spectrum == sp.index
                    )
                    ri[sp.index] = self.add(Item(rfftx_unit(sp.index), "rfft", s, math.ceil(sp.blocks / n),
                                                 index=sp.index, prefetch=prefetch))
            self.rfft_items.append(ri)

    # -- the rows / blocks a MAC item touches
    def ew_done(self, stage: int) -> int:
        """Cycles from an element-wise item's start to its last element being readable."""
        return self.ew_dur[stage] - 1 + self.ew_lat[stage]

    def ew_inputs(self, s: int):
        """(producer item, element-wise item, latency, iteration distance) of stream s's element-wise
        operands: IRFFT outputs through their drain, earlier stages' values, and (distance 1) carries."""
        g, cfg, b, L = self.g, self.cfg, self.b, self.lat
        di, ei = self.drain_items[s], self.ew_items[s]
        for st in g.stages:
            for u in range(st.length // b):
                e = ei[(st.index, u)]
                for t in st.terms():
                    blk = t.offset // b + u
                    if t.kind == "irfft":
                        k = t.index
                        a, lane = divmod(self.pos_of_row[k][blk], cfg.row_lanes)
                        yield di[(k, a)], e, lane // cfg.irfft_engines[k] + L["drain"] + L["irfft"], 0
                    elif t.kind == "stage":
                        sst, _ = g.stage_values[t.index]
                        yield ei[(sst, blk)], e, self.ew_done(sst), 0
                    elif t.kind == "carry":
                        prod = g.carries[t.index].next
                        yield ei[(prod.index, blk)], e, self.ew_done(prod.index), 1

    def chunk_of_block(self, pi: PartInfo, j: int) -> int:
        return j // self.cfg.col_lanes

    def touching(self, s: int, pi: PartInfo, a: int) -> list[tuple[int, int]]:
        """Stream s's sweeps of part pi that touch row group a, each with the index of its instruction
        that last touches the group: the row sweep (its last chunk), or every column chunk (at a)."""
        if pi.order == "row":
            return [(self.mac_items[s][(pi.mac, pi.part, a)], pi.chunks - 1)]
        return [(self.mac_items[s][(pi.mac, pi.part, c)], a) for c in range(pi.chunks)]

    def final_items(self, s: int, k: int, order_pos: dict[int, int]) -> dict[int, tuple[int, int]]:
        """Per row group: (item, instruction position) of the instruction that finishes it.

        The last sweep in the array's order, whatever its index: a column-major
        part's chunks need not run in chunk order.
        """
        out: dict[int, tuple[int, int]] = {}
        for a in range(self.groups[k]):
            best = None
            for pi in self.parts[k]:
                for i, m_last in self.touching(s, pi, a):
                    # prefetched sweeps run a period early: they are never the last
                    cand = ((0 if pi.prefetch else 1, order_pos[i]), i, m_last)
                    if best is None or cand[0] > best[0]:
                        best = cand
            assert best is not None
            out[a] = (best[1], best[2])
        return out


def mac_latency(g: StepGraph, cfg: TileConfig) -> int:
    """The MAC array's latency for this graph's operand widths (`units.mac_latency`)."""
    ww = max(m.weight_format.width for m in g.macs)
    wx = max(m.input_format.width for m in g.macs)
    return units.mac_latency(cfg.col_lanes, units.lane_product_latency(g.block, ww, wx, cfg.cmul, cfg.deep),
                             cfg.deep)


def stage_latency(st, deep: bool = False) -> int:
    """Read, the delay-balanced operator pipeline, and the output register."""
    ready: dict[tuple[int, int], int] = {}
    for n in st.nodes():
        t_in = max(
            (ready[(id(o.op), o.offset)] if not hasattr(o, "kind") else 0 for o in n.operands),
            default=0,
        )
        ready[(id(n.op), n.offset)] = t_in + units.ew_op_latency(n.op, deep)
    depth = max(
        (ready[(id(e.op), e.offset)] if not hasattr(e, "kind") else 0 for e in st.exprs), default=0
    )
    return units.EW_READ_LATENCY + depth + 1


# ----------------------------------------------------------------------------- the solver


class Infeasible(Exception):
    pass


def _round_edges(items: list[Item], edges: list[Edge]) -> tuple[np.ndarray, ...]:
    """Edges on cycle-relative times tau = o + prefetch * P: tau_dst >= tau_src + lat - delta * P."""
    src = np.array([e.src for e in edges], dtype=np.int64)
    dst = np.array([e.dst for e in edges], dtype=np.int64)
    lat = np.array([e.lat for e in edges], dtype=np.int64)
    pre = np.array([1 if it.prefetch else 0 for it in items], dtype=np.int64)
    delta = np.array([e.dist for e in edges], dtype=np.int64) + pre[src] - pre[dst]
    if (delta < 0).any():
        raise Infeasible("an item depends on a later time step")
    return src, dst, lat, delta


def _topo(n: int, src: np.ndarray, dst: np.ndarray, delta: np.ndarray) -> list[int]:
    """A topological order of the edges inside one period (delta == 0)."""
    indeg = np.zeros(n, dtype=np.int64)
    m0 = delta == 0
    np.add.at(indeg, dst[m0], 1)
    out: list[list[int]] = [[] for _ in range(n)]
    for s_, d_ in zip(src[m0].tolist(), dst[m0].tolist()):
        out[s_].append(d_)
    stack = [i for i in range(n) if indeg[i] == 0]
    order = []
    while stack:
        i = stack.pop()
        order.append(i)
        for j in out[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    if len(order) != n:
        raise Infeasible("a dependence cycle inside one time step")
    return order


def _longest(n: int, order: list[int], inc: list[list[tuple[int, int, int]]], P: int,
             init: np.ndarray, max_rounds: int) -> np.ndarray | None:
    """Least tau >= init satisfying every edge at period P (Gauss-Seidel in topological order)."""
    tau = init.astype(np.int64).copy().tolist()
    for _ in range(max_rounds):
        changed = False
        for j in order:
            best = tau[j]
            for (i, lat, d) in inc[j]:
                v = tau[i] + lat - d * P
                best = max(best, v)
            if best != tau[j]:
                tau[j] = best
                changed = True
        if not changed:
            return np.array(tau, dtype=np.int64)
    return None


def _min_period(n: int, items: list[Item], edges: list[Edge]) -> tuple[int, np.ndarray]:
    """The least period P with a schedule, and the earliest cycle-relative start of every item.

    P is the maximum cycle ratio (sum of latencies / sum of period crossings)
    of the constraint graph, found by max-plus power iteration (the growth
    per period of the earliest starts of a run of periods); the offsets are
    then the least solution at that P.
    """
    src, dst, lat, delta = _round_edges(items, edges)
    order = _topo(n, src, dst, delta)
    inc: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for s_, d_, l_, k_ in zip(src.tolist(), dst.tolist(), lat.tolist(), delta.tolist()):
        inc[d_].append((s_, l_, k_))
    if (delta > 1).any():
        raise Infeasible("a dependence that skips a time step")
    # power iteration: tau_k = max(tau_k via delta-0 edges, tau_{k-1} + lat via delta-1 edges);
    # the growth per period of the critical nodes tends to the maximum cycle ratio
    prev = [0] * n
    hist: list[list[int]] = [prev]
    for _ in range(24):
        cur = [0] * n
        for j in order:
            best = 0
            for (i, l_, d_) in inc[j]:
                v = (cur[i] if d_ == 0 else prev[i]) + l_
                best = max(best, v)
            cur[j] = best
        hist.append(cur)
        prev = cur
    est = max(c - p for c, p in zip(hist[-1], hist[-5])) / 4
    units_n = len({it.unit for it in items})
    rounds = 2 * units_n + 8
    init = np.zeros(n, dtype=np.int64)

    def feasible(P: int) -> np.ndarray | None:
        return _longest(n, order, inc, P, init, rounds)

    P = max(1, math.ceil(est))
    sol = feasible(P)
    step = max(1, P // 64)
    while sol is None:
        P += step
        step *= 2
        sol = feasible(P)
    # the least feasible period below it
    lo = max(1, math.floor(est) - 1)
    hi, best = P, sol
    while lo < hi:
        mid = (lo + hi) // 2
        s_mid = feasible(mid)
        if s_mid is None:
            lo = mid + 1
        else:
            hi, best = mid, s_mid
    return hi, best


ORDER_RULES = ("in-step-first", "critical-path", "stream-critical-path")
"""How the array's list scheduler ranks ready sweeps (`_greedy_orders`).  None is best for
every design: on an LSTMP the in-step-first rule lets the projection's column sweeps hold the
gates' row sweeps back, so the array idles at the end of the step; on a GRU, whose gates have no
in-step matvec, ranking by the longest chain of latencies puts sweeps in a worse order than
in-step-first (the Google GRU at b = 8: 385 cycles against 331).  `build_schedule` times each."""


def build_schedule(g: StepGraph, cfg: TileConfig) -> Schedule:
    """The shortest period over the array's ordering rules (the earliest rule on a tie), then with
    prefetched sweeps moved into the array's idle gaps where that shortens it (`_fill_gaps`)."""
    rules = ORDER_RULES if cfg.streams > 1 else ORDER_RULES[:2]  # one stream: the last two are one rule
    best = None
    for rule in rules:
        sch = schedule_with_rule(g, cfg, rule)
        if best is None or sch.period < best.period:
            best = sch
    assert best is not None
    return _fill_gaps(g, cfg, best.orders, best)


def schedule_with_rule(g: StepGraph, cfg: TileConfig, rule: str) -> Schedule:
    """Order every unit's items (a greedy list schedule of one iteration), then time them exactly."""
    if rule not in ORDER_RULES:
        raise ValueError(f"unknown ordering rule '{rule}' (one of {', '.join(ORDER_RULES)})")
    B = _ItemBuilder(g, cfg)
    B.build()
    S = cfg.streams
    # orders: a greedy, data-driven list schedule of one iteration per stream
    est_work = sum(it.dur for it in B.items if it.unit == MAC and not it.prefetch) // max(S, 1)
    orders = _greedy_orders(B, [s * est_work // S for s in range(S)], rule)
    return _time(B, orders)


FILL_ROUNDS = 2
"""Rounds of `_fill_gaps`, each trying the first `FILL_GAPS` idle gaps (bench_order_rules: later
rounds and later gaps never won on the Google models)."""
FILL_GAPS = 1


def _fill_gaps(g: StepGraph, cfg: TileConfig, orders: dict[str, list[int]], sch: Schedule) -> Schedule:
    """Move prefetched sweeps into the array's idle gaps between in-step sweeps, while that shortens the period.

    The list scheduler puts every prefetched sweep (the input-frame parts, free of the recurrence)
    at the end of the array's cycle.  When in-step sweeps wait for their operands (the last column
    chunks of a projection waiting for the cell's last blocks), the array idles there; a prefetched
    sweep run in the gap instead shortens the wait at the end.  Each round tries, at each of the
    first gaps, one or two prefetched sweeps in front of the sweep after the gap, and keeps the
    shortest period (the first on a tie); it stops when no move gains.
    """
    for _ in range(FILL_ROUNDS):
        items, P = sch.items, sch.period
        mac = sch.orders[MAC]
        if sch.mac_instructions >= P:
            break
        pre = [i for i in mac if items[i].prefetch]
        rest = [i for i in mac if not items[i].prefetch]
        if not pre or len(rest) < 2:
            break
        gaps = [n for n in range(1, len(rest))
                if items[rest[n]].offset > items[rest[n - 1]].offset + items[rest[n - 1]].dur][:FILL_GAPS]
        best = sch
        for n in gaps:
            for k in (1, 2):
                if k > len(pre):
                    continue
                trial = dict(orders)
                trial[MAC] = rest[:n] + pre[:k] + rest[n:] + pre[k:]
                cand = time_orders(g, cfg, trial)
                if cand.period < best.period:
                    best, best_orders = cand, trial
        if best is sch:
            break
        sch, orders = best, best_orders
    return sch


def time_orders(g: StepGraph, cfg: TileConfig, orders: dict[str, list[int]]) -> Schedule:
    """The schedule of the items of (g, cfg) run in the given per-unit orders (item indices as in
    `Schedule.items`): the sweeps' first/last flags, then the least period and exact offsets."""
    B = _ItemBuilder(g, cfg)
    B.build()
    for u in {it.unit for it in B.items} | set(orders):
        mine = sorted(i for i, it in enumerate(B.items) if it.unit == u)
        if sorted(orders.get(u, [])) != mine:
            raise ValueError(f"the order of unit '{u}' must hold each of its {len(mine)} items once")
    return _time(B, orders)


def _time(B: _ItemBuilder, orders: dict[str, list[int]]) -> Schedule:
    """The schedule of B's items in `orders`: first/last flags, constraints, least period, offsets."""
    g, cfg, items = B.g, B.cfg, B.items
    edges = _constraints(B, orders)
    n = len(items)
    best_P, tau = _min_period(n, items, edges)
    best = np.array([tau[i] - (best_P if it.prefetch else 0) for i, it in enumerate(items)], dtype=np.int64)
    for i, it in enumerate(items):
        it.offset = int(best[i])
    return Schedule(
        graph=g, config=cfg, period=best_P, items=items, orders=orders, parts=B.parts,
        row_orders=B.row_orders, groups=B.groups, latencies=dict(B.lat), ew_latency=B.ew_lat, edges=edges,
    )


def _constraints(B: _ItemBuilder, orders: dict[str, list[int]]) -> list[Edge]:
    """The first/last flags of the MAC sweeps (set on B's items) and every timing constraint."""
    g, cfg, items, S = B.g, B.cfg, B.items, B.cfg.streams
    pos = {i: n for u in orders for n, i in enumerate(orders[u])}

    # ---- first/last flags of the MAC sweeps
    for s in range(S):
        for k in range(len(g.macs)):
            finals = B.final_items(s, k, pos)
            # first touch: the earliest item in (prefetch, then order) time
            for a in range(B.groups[k]):
                cands = sorted(((0 if items[i].prefetch else 1), pos[i], i)
                               for pi in B.parts[k] for i, _ in B.touching(s, pi, a))
                items[cands[0][2]].first = True
            for a, (i, _) in finals.items():
                items[i].last = True

    # ---- constraints
    edges: list[Edge] = []
    for unit, order in orders.items():
        for x, y in zip(order, order[1:]):
            ix, iy = items[x], items[y]
            edges.append(Edge(x, y, ix.dur, (1 if iy.prefetch else 0) - (1 if ix.prefetch else 0)))
        f, l = order[0], order[-1]
        edges.append(Edge(l, f, items[l].dur, 1 + (1 if items[f].prefetch else 0) - (1 if items[l].prefetch else 0)))

    L = B.lat
    for s in range(S):
        mi, di, ei, ri = B.mac_items[s], B.drain_items[s], B.ew_items[s], B.rfft_items[s]
        for k, mac in enumerate(g.macs):
            for pi in B.parts[k]:
                sp = g.spectra[pi.spectrum]
                sweep = [mi[(k, pi.part, x)] for x in range(B.groups[k] if pi.order == "row" else pi.chunks)]
                if sp.source.kind == "input":
                    first = min(sweep, key=lambda i: pos[i])
                    n = cfg.rfft_engines[sp.index] if cfg.rfft_engines else 1
                    lat = max(j // n + units.FRAME_READ_LATENCY + L["rfft"] - B.chunk_of_block(pi, j)
                              for j in range(pi.cols))
                    edges.append(Edge(ri[sp.index], first, lat, 0))
                elif sp.source.kind == "carry":
                    first = min(sweep, key=lambda i: pos[i])
                    prod = g.carries[sp.source.index].next
                    for j in range(pi.cols):
                        e = ei[(prod.index, j)]
                        lat = B.ew_done(prod.index) + L["rfft"] - B.chunk_of_block(pi, j)
                        edges.append(Edge(e, first, lat, 1))
                else:  # an in-step spectrum: column-major, chunk c waits for its blocks
                    prod = sp.source
                    for c in range(pi.chunks):
                        for j in range(c * cfg.col_lanes, min(pi.cols, (c + 1) * cfg.col_lanes)):
                            e = ei[(prod.index, j)]
                            lat = B.ew_done(prod.index) + L["rfft"]
                            edges.append(Edge(e, mi[(k, pi.part, c)], lat, 0))
            finals = B.final_items(s, k, pos)
            for a, (i, p_in) in finals.items():
                edges.append(Edge(i, di[(k, a)], p_in + L["mac"], 0))
        # element-wise items
        edges.extend(Edge(src, dst, lat, dist) for src, dst, lat, dist in B.ew_inputs(s))
    return edges


def _greedy_orders(B: _ItemBuilder, stream_start: list[int], rule: str) -> dict[str, list[int]]:
    """Per unit, the order in which a greedy list scheduler would run one iteration's items.

    `rule` (one of `ORDER_RULES`) ranks the array's ready sweeps: column sweeps
    first, or the longest chain of latencies to the iteration's end first
    (before or after the stream's age).

    Prefetched MAC sweeps are left out and appended at the end of the array's
    order (they fill the wait for the next iteration's recurrence).
    """
    g, cfg, items = B.g, B.cfg, B.items
    L = B.lat
    n = len(items)
    # dependences inside one iteration: (pred, lat) lists, with "ready at start" for external inputs
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    ext_ready = [0] * n
    for s in range(cfg.streams):
        mi, di, ei = B.mac_items[s], B.drain_items[s], B.ew_items[s]
        for i, it in enumerate(items):
            if it.stream == s:
                ext_ready[i] = stream_start[s]
        for k, mac in enumerate(g.macs):
            for pi in B.parts[k]:
                sp = g.spectra[pi.spectrum]
                if pi.order == "col":
                    for c in range(pi.chunks):
                        for j in range(c * cfg.col_lanes, min(pi.cols, (c + 1) * cfg.col_lanes)):
                            e = ei[(sp.source.index, j)]
                            preds[mi[(k, pi.part, c)]].append(
                                (e, B.ew_done(sp.source.index) + L["rfft"]))
            # drains wait for every own sweep of the group (its final one in any order)
            for a in range(B.groups[k]):
                for pi in B.parts[k]:
                    if pi.prefetch:
                        continue
                    preds[di[(k, a)]].extend((i, m_last + L["mac"]) for i, m_last in B.touching(s, pi, a))
        for src, dst, lat, dist in B.ew_inputs(s):
            if dist == 0:  # within one iteration
                preds[dst].append((src, lat))

    import heapq

    remaining = [len(p) for p in preds]
    succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, p in enumerate(preds):
        for (j, lat) in p:
            succs[j].append((i, lat))
    ready_time = list(ext_ready)
    skip = {i for i, it in enumerate(items) if it.prefetch or it.kind == "rfft"}

    # upward rank (the critical-path rules): the longest chain of latencies from an item's start to
    # the end of its iteration; successors first, in reverse topological order
    rank = [0] * n
    if rule != "in-step-first":
        pred_src = np.array([j for p in preds for (j, _) in p], dtype=np.int64)
        pred_dst = np.array([i for i, p in enumerate(preds) for _ in p], dtype=np.int64)
        for i in reversed(_topo(n, pred_src, pred_dst, np.zeros(len(pred_src), dtype=np.int64))):
            rank[i] = max([items[i].dur] + [lat + rank[j] for (j, lat) in succs[i]])

    def prio(i: int) -> tuple:
        it = items[i]
        if it.unit == MAC:
            if rule == "critical-path":
                return (-rank[i], stream_start[it.stream], it.mac, it.part, it.index)
            if rule == "stream-critical-path":
                return (stream_start[it.stream], -rank[i], it.mac, it.part, it.index)
            # in-step sweeps feed the recurrence: run them first; then the oldest stream
            return (0 if it.kind == "col" else 1, stream_start[it.stream], it.mac, it.part, it.index)
        return (stream_start[it.stream], it.index)

    # per unit: items whose predecessors are all placed, by ready time and by priority
    waiting: dict[str, list] = {}
    ready: dict[str, list] = {}
    free: dict[str, int] = {}

    def push(i: int) -> None:
        heapq.heappush(waiting.setdefault(items[i].unit, []), (ready_time[i], prio(i), i))

    for i in range(n):
        if i not in skip and remaining[i] == 0:
            push(i)
    orders: dict[str, list[int]] = {}
    total = n - len(skip)
    done = 0
    while done < total:
        best = None
        for u in set(waiting) | set(ready):
            w, r = waiting.get(u, []), ready.setdefault(u, [])
            f = free.get(u, -(1 << 60))
            while w and w[0][0] <= f:
                t_, p_, i_ = heapq.heappop(w)
                heapq.heappush(r, (p_, i_))
            if r:
                cand = (f, r[0][0], u)
            elif w:
                cand = (w[0][0], w[0][1], u)
            else:
                continue
            if best is None or cand < best:
                best = cand
        assert best is not None, "dependence cycle inside one iteration"
        t0, _, u = best
        r, w = ready[u], waiting.get(u, [])
        if not r:
            # the unit idles until its earliest item: everything ready by then competes by priority
            while w and w[0][0] <= t0:
                t_, p_, i_ = heapq.heappop(w)
                heapq.heappush(r, (p_, i_))
        _, i = heapq.heappop(r)
        free[u] = t0 + items[i].dur
        orders.setdefault(u, []).append(i)
        done += 1
        for (j, lat) in succs[i]:
            ready_time[j] = max(ready_time[j], t0 + lat)
            remaining[j] -= 1
            if remaining[j] == 0 and j not in skip:
                push(j)
    # prefetched sweeps at the end of the array's cycle, then the input rFFTs
    pre = [i for i, it in enumerate(items) if it.prefetch and it.unit == MAC]
    pre.sort(key=lambda i: (items[i].stream, items[i].mac, items[i].part, items[i].index))
    orders.setdefault(MAC, []).extend(pre)
    for i, it in enumerate(items):
        if it.kind == "rfft":
            orders.setdefault(it.unit, []).append(i)
    return orders


# ----------------------------------------------------------------------------- buffer copies


def buffer_copies(s: Schedule) -> dict[str, int]:
    """Rotating copies every memory between units needs (1 = written and read within one period).

    Names: `X<spectrum>`, `acc<matvec>`, `v<matvec>` (IRFFT results),
    `state<carry>`, `s<stage>_<output>` (values passed between stages).
    Computed by replaying the reads and writes (`check.needed_copies`).
    """
    from ernn_ir.hardware.check import needed_copies

    # powers of two: the copy a step uses is then the low bits of its index
    return {k: 1 << (v - 1).bit_length() for k, v in needed_copies(s).items()}
