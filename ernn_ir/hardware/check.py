"""An independent check of a schedule: replay every memory read and write of a few time steps.

The scheduler derives its constraints from the step graph; this module does
not use them.  It walks the cycles of `steps` consecutive time steps the way
the hardware does (each unit's items at their offsets, each datapath with
the latencies of `units.py`) and checks, for every read of every block, that
the value for the right time step was written before the read and that no
later step has overwritten that copy of the buffer yet.  It also checks the
first/last flags of the MAC sweeps.  The RTL follows the same rules, so a
schedule that passes here produces the reference's numbers in simulation.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ernn_ir.hardware import units
from ernn_ir.hardware.schedule import Schedule


class ScheduleViolation(Exception):
    pass


def _events(s: Schedule, steps: int):
    """Every memory write and read of `steps` time steps, and every accumulator touch."""
    g, cfg, P, L = s.graph, s.config, s.period, s.latencies
    b = g.block
    ew_dur = {st.index: math.ceil(b / cfg.ew_lanes[st.index]) for st in g.stages}
    R, C = cfg.row_lanes, cfg.col_lanes
    # writes[(buffer, block, stream, step)] = cycle at whose end the value is in the buffer
    writes: dict[tuple, int] = {}
    reads: list[tuple[tuple, int, str]] = []
    acc_touch: dict[tuple, list[tuple[int, bool, bool]]] = defaultdict(list)
    pos_of_row = [{r: i for i, r in enumerate(ro)} for ro in s.row_orders]

    def t_abs(it, t: int) -> int:
        return t * P + it.offset

    for t in range(steps):
        for it in s.items:
            st_ = it.stream
            start = t_abs(it, t)
            if it.kind in ("row", "col"):
                k = it.mac
                pi = s.parts[k][it.part]
                groups = s.groups[k]
                if it.kind == "row":
                    seq = [(it.index, c) for c in range(pi.chunks)]
                else:
                    seq = [(a, it.index) for a in range(groups)]
                for m, (a, c) in enumerate(seq):
                    cyc = start + m
                    for lane_c in range(C):
                        j = c * C + lane_c
                        if j < pi.cols:
                            reads.append(((f"X{pi.spectrum}", j, st_, t), cyc, f"MAC sweep {it.kind} mac {k} part {it.part}"))
                    first = it.first and (it.kind == "col" or m == 0)
                    last = it.last and (it.kind == "col" or m == len(seq) - 1)
                    acc_touch[(k, a, st_, t)].append((cyc, first, last))
            elif it.kind == "drain":
                k = it.mac
                n = cfg.irfft_engines[k]
                for lane in range(R):
                    p = it.index * R + lane
                    if p >= len(s.row_orders[k]):
                        continue
                    cyc = start + lane // n
                    reads.append(((f"acc{k}", it.index, st_, t), cyc, f"drain of matvec {k}"))
                    row = s.row_orders[k][p]
                    writes[(f"v{k}", row, st_, t)] = cyc + L["drain"] + L["irfft"] - 1
            elif it.kind == "ew":
                stg = g.stages[it.stage]
                D = ew_dur[it.stage]
                for tm in stg.terms():
                    blk = tm.offset // b + it.index
                    for m in range(D):
                        cyc = start + m
                        if tm.kind == "irfft":
                            reads.append(((f"v{tm.index}", blk, st_, t), cyc, f"stage {it.stage}"))
                        elif tm.kind == "carry" and t > 0:
                            reads.append(((f"state{tm.index}", blk, st_, t - 1), cyc, f"stage {it.stage}"))
                        elif tm.kind == "stage":
                            sst, so = g.stage_values[tm.index]
                            reads.append(((f"s{sst}_{so}", blk, st_, t), cyc, f"stage {it.stage}"))
                done = start + D - 1 + s.ew_latency[it.stage]  # first cycle all results are readable
                for so, _ in enumerate(stg.outputs):
                    writes[(f"s{it.stage}_{so}", it.index, st_, t)] = done - 1
                for c in g.carries:
                    if c.next.index == it.stage:
                        writes[(f"state{c.index}", it.index, st_, t)] = done - 1
                for sp in g.spectra:
                    src = sp.source
                    if src.kind == "stage" and src.index == it.stage:
                        writes[(f"X{sp.index}", it.index, st_, t)] = done + L["rfft"] - 1
                    elif src.kind == "carry" and g.carries[src.index].next.index == it.stage:
                        writes[(f"X{sp.index}", it.index, st_, t + 1)] = done + L["rfft"] - 1
            elif it.kind == "rfft":
                sp = g.spectra[it.index]
                n = cfg.rfft_engines[sp.index] if cfg.rfft_engines else 1
                for j in range(sp.blocks):
                    writes[(f"X{sp.index}", j, st_, t)] = start + j // n + units.FRAME_READ_LATENCY + L["rfft"] - 1
    return writes, reads, acc_touch


def copy_key(name: str) -> str:
    return name if name.startswith("s") and not name.startswith("state") else name.split("_")[0]


def needed_copies(s: Schedule) -> dict[str, int]:
    """The least rotating copies of every memory for which no step overwrites a value still to be read.

    A value of step t written at the end of cycle w and read in cycle r
    survives until step t + C writes the same copy at the end of cycle
    w + C * P (for accumulators: the first accumulation of step t + C); that
    write must come after the read's cycle (so that a memory with a
    registered read address and one with registered read data agree), so
    C = floor((r - w) / P) + 1.
    """
    P, L = s.period, s.latencies
    writes, reads, acc_touch = _events(s, 3)
    out: dict[str, int] = {}
    for key, cyc, _ in reads:
        name, blk, st_, t = key
        if name.startswith("acc"):
            touches = acc_touch.get((int(name[3:]), blk, st_, t))
            if not touches:
                continue
            w = min(c for c, _, _ in touches) + L["mac"] - 1
        else:
            w = writes.get(key)
            if w is None:
                continue
        c = max(1, (cyc - w) // P + 1)
        k = copy_key(name)
        out[k] = max(out.get(k, 1), c)
    return out


def check_schedule(s: Schedule, steps: int = 4, copies: dict[str, int] | None = None) -> int:
    """Raise ScheduleViolation on the first hazard; return the number of reads checked."""
    g, P, L = s.graph, s.period, s.latencies
    copies = needed_copies(s) if copies is None else copies
    writes, reads, acc_touch = _events(s, steps)
    # accumulators: flags, and the final value's time
    for (k, a, st_, t), touches in acc_touch.items():
        touches.sort()
        if not touches[0][1]:
            raise ScheduleViolation(f"matvec {k} group {a} step {t}: the first sweep does not zero the accumulator")
        if any(f for _, f, _ in touches[1:]):
            raise ScheduleViolation(f"matvec {k} group {a} step {t}: a later sweep zeroes the accumulator again")
        if not touches[-1][2] or any(l_ for _, _, l_ in touches[:-1]):
            raise ScheduleViolation(f"matvec {k} group {a} step {t}: 'last' is not on the final sweep")
        writes[(f"acc{k}", a, st_, t)] = touches[-1][0] + L["mac"] - 1
    # initial states: step 0 reads no carry; spectra of carries for step 0 come from the init ROM
    checked = 0
    for key, cyc, who in reads:
        name, blk, st_, t = key
        if name.startswith("X") and t == 0 and key not in writes:
            sp = g.spectra[int(name[1:])]
            if sp.source.kind == "carry":
                continue  # the initial state's spectrum is a constant
        w = writes.get(key)
        if w is None:
            raise ScheduleViolation(f"{who} reads {name}[{blk}] of step {t} (stream {st_}), which is never written")
        if w > cyc - 1:
            raise ScheduleViolation(
                f"{who} reads {name}[{blk}] of step {t} (stream {st_}) in cycle {cyc}, before it is written "
                f"(end of cycle {w})"
            )
        ncop = copies.get(copy_key(name), 1)
        later = writes.get((name, blk, st_, t + ncop))
        if name.startswith("acc"):
            # the next user of the copy overwrites it with its first accumulation
            nxt = acc_touch.get((int(name[3:]), blk, st_, t + ncop))
            later = None if not nxt else min(c for c, _, _ in nxt) + L["mac"] - 1
        if later is not None and later <= cyc:
            raise ScheduleViolation(
                f"{who} reads {name}[{blk}] of step {t} (stream {st_}) in cycle {cyc}, after step {t + ncop} "
                f"overwrote its copy (end of cycle {later}; {ncop} copies)"
            )
        checked += 1
    return checked
