"""The static schedule: every read sees the value of its own time step, on random models and tile sizes.

`check_schedule` replays the memories' reads and writes independently of the
constraints the scheduler solved; the design op's verifier checks that no
unit runs two items at once.  Together they are what makes the RTL's cycle
count and numbers follow from the schedule.
"""

from __future__ import annotations

import itertools

import pytest

from ernn_ir.hardware.check import ScheduleViolation, check_schedule
from ernn_ir.hardware.devices import load_device
from ernn_ir.hardware.plan import FAST, LEAN, PlanRequest, Sizing, auto_config, make_plan
from ernn_ir.hardware.schedule import (
    MAC,
    ORDER_RULES,
    buffer_copies,
    build_schedule,
    copyable_stage,
    ew_unit,
    schedule_with_rule,
    time_orders,
)

from hw_models import FAMILIES, column_chunks_reversed, quantized, step_graph

DEV = load_device("ku060")


@pytest.fixture(scope="module", params=FAMILIES, ids=[f[0] for f in FAMILIES])
def graph(request):
    name, kind, I, H, b, extra = request.param
    return step_graph(quantized(kind, I, H, b, extra, T=3, batch=2))


@pytest.mark.parametrize("rows,cols,streams,sizing", [
    (r, c, s, sz) for r, c, s, sz in itertools.product([1, 2, 3, 4], [1, 2, 3], [1, 2], [LEAN, FAST, Sizing(copies=True)])
    if not (r == 4 and c == 3)
])
def test_every_read_sees_its_own_step(graph, rows, cols, streams, sizing):
    req = PlanRequest(DEV, 200.0, streams=streams)
    p = make_plan(graph, auto_config(graph, req, rows, cols, sizing), req)
    assert check_schedule(p.schedule, steps=4, copies=p.copies) > 0
    # no unit busier than the period, and the MAC array issues every instruction
    for unit in p.schedule.orders:
        assert p.schedule.unit_busy(unit) <= p.period
    g = graph
    want = sum(
        streams * -(-m.rows // rows) * sum(-(-pt.cols // cols) for pt in m.parts) for m in g.macs
    )
    assert p.schedule.unit_busy(MAC) == want


def test_checker_catches_an_early_item(graph):
    req = PlanRequest(DEV, 200.0)
    p = make_plan(graph, auto_config(graph, req, 2, 1), req)
    # pull each drain one cycle earlier: either its accumulators are not final yet (the checker
    # sees it) or the previous item of its IRFFT unit still runs (the unit's order binds it)
    sch = p.schedule
    caught = 0
    for i, it in enumerate(sch.items):
        if it.kind != "drain":
            continue
        it.offset -= 1
        try:
            check_schedule(sch, steps=3, copies=p.copies)
        except ScheduleViolation:
            caught += 1
        else:
            order = sch.orders[it.unit]
            prev = sch.items[order[order.index(i) - 1]]
            assert (prev.offset + prev.dur) % sch.period == (it.offset + 1) % sch.period
        it.offset += 1
    assert caught >= 1


def test_too_few_copies_is_caught():
    # a GRU with the reset after the matvec: the input frame's spectrum, transformed during the
    # previous period, is still read by the input-only matvec late in this one
    g = step_graph(quantized("gru", 5, 8, 4, {"reset_after": True}, T=3))
    req = PlanRequest(DEV, 200.0)
    p = make_plan(g, auto_config(g, req, 2, 1, FAST), req)
    check_schedule(p.schedule, steps=4, copies=p.copies)
    # a value read after the next step's write must keep two copies: one copy less overwrites it
    needs_two = {k: v for k, v in p.copies.items() if v >= 2}
    assert needs_two, p.copies
    k = next(iter(needs_two))
    fewer = dict(p.copies, **{k: needs_two[k] - 1})
    with pytest.raises(ScheduleViolation, match="overwrote its copy"):
        check_schedule(p.schedule, steps=4, copies=fewer)


@pytest.mark.parametrize("rows,cols,streams", [(1, 1, 1), (2, 1, 2), (3, 2, 1), (2, 3, 2)])
def test_every_ordering_rule_gives_a_valid_schedule(graph, rows, cols, streams):
    # the planner keeps the shortest of the rules, so each one must be right, not only the winner
    req = PlanRequest(DEV, 200.0, streams=streams)
    cfg = auto_config(graph, req, rows, cols, FAST)
    periods = {}
    for rule in ORDER_RULES:
        sch = schedule_with_rule(graph, cfg, rule)
        assert check_schedule(sch, steps=4, copies=buffer_copies(sch)) > 0
        periods[rule] = sch.period
    # the kept rule's schedule, then prefetched sweeps moved into idle gaps: never longer
    kept = build_schedule(graph, cfg)
    assert kept.period <= min(periods.values()), periods
    assert check_schedule(kept, steps=4, copies=buffer_copies(kept)) > 0


def test_the_critical_path_rule_shortens_a_long_recurrence():
    # LSTMP: the projection's column sweeps need the cell's last blocks; run first, they hold the
    # gates' row sweeps back, so the period is longer than when the longest chain goes first
    g = step_graph(quantized("lstm", 16, 32, 4, {"proj_size": 16, "peepholes": True}))
    cfg = auto_config(g, PlanRequest(DEV, 200.0), 2, 1, FAST)
    first = schedule_with_rule(g, cfg, "in-step-first").period
    crit = schedule_with_rule(g, cfg, "critical-path").period
    assert crit < first
    assert build_schedule(g, cfg).period <= crit


def test_prefetched_sweeps_fill_the_arrays_idle_gaps():
    # the same LSTMP: the projection's last column chunks wait for the cell's last blocks and the
    # array idles; one input-part sweep run in that gap instead of at the end shortens the period
    g = step_graph(quantized("lstm", 16, 32, 4, {"proj_size": 16, "peepholes": True}))
    cfg = auto_config(g, PlanRequest(DEV, 200.0), 2, 1, FAST)
    crit = schedule_with_rule(g, cfg, "critical-path")
    kept = build_schedule(g, cfg)
    assert (crit.period, kept.period) == (171, 163)
    assert check_schedule(kept, steps=4, copies=buffer_copies(kept)) > 0
    mac = kept.orders[MAC]
    pre = [n for n, i in enumerate(mac) if kept.items[i].prefetch]
    assert pre[0] < len(mac) - len(pre), "some prefetched sweep runs between in-step sweeps"
    assert crit.orders[MAC][-len(pre):] == [i for i in crit.orders[MAC] if crit.items[i].prefetch]


def test_column_chunks_may_run_in_any_order():
    # a column-major part whose chunks run last-to-first: the first flag goes to the chunk that runs
    # first and the last flag to the one that runs last, whatever their indices, and the drains wait
    g = step_graph(quantized("lstm", 6, 16, 4, {"proj_size": 8}, T=3))
    cfg = auto_config(g, PlanRequest(DEV, 200.0), 2, 1, FAST)
    base = schedule_with_rule(g, cfg, "in-step-first")
    orders, col = column_chunks_reversed(base)
    assert len(col) >= 3
    order = orders[MAC]
    sch = time_orders(g, cfg, orders)
    check_schedule(sch, steps=4, copies=buffer_copies(sch))
    runs = [sch.items[i] for i in order if i in col]
    assert [it.index for it in runs] == sorted((it.index for it in runs), reverse=True)
    assert runs[0].first and not any(it.first for it in runs[1:])
    assert runs[-1].last and not any(it.last for it in runs[:-1])


def test_unknown_rule_and_bad_orders_are_refused():
    g = step_graph(quantized("lstm", 6, 16, 4, {"proj_size": 8}, T=3))
    cfg = auto_config(g, PlanRequest(DEV, 200.0), 2, 1, FAST)
    with pytest.raises(ValueError, match="unknown ordering rule 'critical_path'"):
        schedule_with_rule(g, cfg, "critical_path")
    base = schedule_with_rule(g, cfg, "in-step-first")
    with pytest.raises(ValueError, match="the order of unit 'mac' must hold each of its"):
        time_orders(g, cfg, dict(base.orders, **{MAC: base.orders[MAC][1:]}))


def test_stage_copies_share_out_the_projection_stage():
    # LSTMP: the projection's stage (r = requantize(IRFFT)) makes one block per cycle and the gates
    # wait for all of it; two copies take the even and the odd blocks, each on a unit of its own
    g = step_graph(quantized("lstm", 8, 32, 4, {"proj_size": 32, "peepholes": True}))
    assert [copyable_stage(g, st.index) for st in g.stages] == [False, True]  # the cell writes c
    req = PlanRequest(DEV, 200.0)
    fast = auto_config(g, req, 8, 2, FAST)
    wide = auto_config(g, req, 8, 2, Sizing(True, True, copies=True))
    assert wide.ew_copies == (1, 2) and fast.ew_copies == ()
    one, two = build_schedule(g, fast), build_schedule(g, wide)
    assert (one.period, two.period) == (79, 75)
    assert check_schedule(two, steps=4, copies=buffer_copies(two)) > 0
    units = {two.items[i].index: u for u in two.orders for i in two.orders[u] if two.items[i].stage == 1}
    assert units == {u: ew_unit(1, u % 2, 2) for u in range(8)}
    # copies never exceed a stage's blocks: a one-block projection keeps one
    g1 = step_graph(quantized("lstm", 8, 8, 4, {"proj_size": 4}))
    assert auto_config(g1, req, 1, 1, Sizing(True, True, copies=True)).ew_copies == ()


def test_gru_and_plain_lstm_stages_cannot_be_copied():
    # their last stage writes a state the next step reads element-wise: copies would share its memory
    for kind, extra in (("gru", {"reset_after": True}), ("gru", {"reset_after": False}), ("lstm", {})):
        g = step_graph(quantized(kind, 8, 8, 4, extra))
        assert not any(copyable_stage(g, st.index) for st in g.stages), kind
        assert auto_config(g, PlanRequest(DEV, 200.0, ew_copies=2), 1, 1, Sizing(True, True, copies=True)).ew_copies == ()

