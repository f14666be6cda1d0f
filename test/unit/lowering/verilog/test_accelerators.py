"""Whole accelerators in RTL simulation: every output of every step equals the reference, bit for bit;
the simulated cycle count equals the cost model's; the overflow events equal the reference's.

The families of the issue: LSTM with and without peepholes and projection, both GRU forms, b = 2 to 16,
8 to 16-bit weights and data, several multiplier budgets and stream counts, saturating inputs, the deep
pipeline of ECP5, and a host that offers input and takes output only now and then.  Each design is
built once (Icarus here; test_verilator.py runs Verilator) and fed several inputs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ernn_ir.hardware.check import check_schedule
from ernn_ir.hardware.schedule import buffer_copies, schedule_with_rule, time_orders
from ernn_ir.lowering.verilog.gen import generate
from ernn_ir.lowering.verilog.sim import RtlBackend, RtlSim

from rtl_helpers import accelerator_io, design_view, inside_events, quantized, random_frames, reference_run, tiled

from hw_models import column_chunks_reversed  # noqa: E402  (on the path once rtl_helpers is imported)

# (id, kind, I, H, b, model extra, widths, tile)
DESIGNS = [
    ("lstm_b2_w8", "lstm", 3, 4, 2, {}, dict(weight_bits=8, data_bits=8), dict(rows=1, cols=1)),
    ("lstm_peep_b4", "lstm", 6, 8, 4, {"peepholes": True}, dict(weight_bits=12, data_bits=16), dict(rows=2, cols=1)),
    ("lstmp_b4_w10", "lstm", 8, 8, 4, {"proj_size": 4}, dict(weight_bits=10, data_bits=12), dict(rows=3, cols=2)),
    ("lstmp_peep_b8", "lstm", 10, 16, 8, {"proj_size": 8, "peepholes": True}, dict(weight_bits=12, data_bits=16),
     dict(multipliers=33)),
    ("lstm_nobias_b16", "lstm", 16, 16, 16, {"bias": False}, dict(weight_bits=16, data_bits=16), dict(rows=1, cols=1)),
    ("gru_after_b4_w8", "gru", 5, 8, 4, {"reset_after": True}, dict(weight_bits=8, data_bits=8), dict(rows=2, cols=2)),
    ("gru_before_b4", "gru", 8, 8, 4, {"reset_after": False}, dict(weight_bits=12, data_bits=16), dict(rows=2, cols=1)),
    ("gru_after_b8_s2", "gru", 12, 16, 8, {"reset_after": True}, dict(weight_bits=12, data_bits=14),
     dict(rows=2, cols=2, streams=2)),
    ("gru_before_b2_s2", "gru", 4, 6, 2, {"reset_after": False}, dict(weight_bits=16, data_bits=10),
     dict(multipliers=8, streams=2)),
    ("lstm_b8_cmul4", "lstm", 8, 8, 8, {}, dict(weight_bits=12, data_bits=16), dict(rows=1, cols=1, cmul=4)),
    # the first job ends while the MAC's sequencer is still in its period's table (its prefetch
    # sweeps come after the last output): the next job must start from the table's first entry
    ("lstm_b4_ends_mid_table", "lstm", 16, 16, 4, {}, dict(weight_bits=12, data_bits=16), dict(rows=1, cols=1)),
    # the array's order from the critical-path rule (`schedule.ORDER_RULES`), then a prefetched sweep
    # moved into an idle gap: 163 cycles, not 171 or 175 (test_schedule)
    ("lstmp_peep_b4_critical", "lstm", 16, 32, 4, {"proj_size": 16, "peepholes": True},
     dict(weight_bits=12, data_bits=16), dict(rows=2, cols=1)),
    # copies of the projection's stage (`TileConfig.ew_copies`): the planner's own choice (75 cycles
    # against 79: test_schedule), four copies over 3 x 3 lanes with two streams and 8-bit data, and
    # the deep pipeline
    ("lstmp_peep_b4_copies", "lstm", 8, 32, 4, {"proj_size": 32, "peepholes": True},
     dict(weight_bits=12, data_bits=16), dict(rows=8, cols=2)),
    ("lstmp_b4_copies4_s2_w8", "lstm", 6, 16, 4, {"proj_size": 16}, dict(weight_bits=8, data_bits=8),
     dict(rows=3, cols=3, ew_copies=4, streams=2)),
    ("lstmp_peep_b8_copies_deep", "lstm", 10, 16, 8, {"proj_size": 16, "peepholes": True},
     dict(weight_bits=12, data_bits=16), dict(rows=2, cols=1, ew_copies=2, device="ecp5-85f")),
    # narrow accumulators and saturating inputs: overflow inside the MAC, the IRFFT and the cell
    ("lstm_overflow", "lstm", 6, 8, 4, {"peepholes": True}, dict(weight_bits=8, data_bits=8, acc_bits=12),
     dict(rows=2, cols=1)),
    ("gru_overflow", "gru", 8, 8, 4, {"reset_after": False}, dict(weight_bits=8, data_bits=8, acc_bits=12),
     dict(rows=2, cols=1)),
    # the deep pipeline (ECP5): products cut into 18 x 18 slices, sums and clamps in cycles of their own
    ("lstmp_peep_b8_deep", "lstm", 10, 16, 8, {"proj_size": 8, "peepholes": True},
     dict(weight_bits=12, data_bits=16), dict(rows=2, cols=1, device="ecp5-85f")),
    ("gru_after_b4_deep_s2", "gru", 5, 8, 4, {"reset_after": True}, dict(weight_bits=16, data_bits=16),
     dict(rows=1, cols=2, streams=2, device="ecp5-85f")),
    ("lstm_overflow_deep", "lstm", 6, 8, 4, {"peepholes": True}, dict(weight_bits=8, data_bits=8, acc_bits=12),
     dict(rows=2, cols=1, device="ecp5-85f")),
]


@pytest.fixture(scope="module")
def iverilog_backend(tmp_path_factory):
    return RtlBackend("iverilog", workdir=str(tmp_path_factory.mktemp("iverilog")))


@pytest.mark.parametrize("design", DESIGNS, ids=[d[0] for d in DESIGNS])
def test_rtl_equals_reference(design, iverilog_backend):
    _, kind, I, H, b, extra, widths, tile = design
    T, batch = 5, 2
    q = quantized(kind, I, H, b, extra, T=T, batch=batch, seed=3, **widths)
    t = tiled(q, **tile)
    view = design_view(t)
    if "copies" in design[0]:
        assert view.config.copies(1) == tile.get("ew_copies", 2)
    acc = next(o for o in t.walk() if o.name == "ernn_hw.accelerator")
    jobs = batch // view.config.streams
    for seed, scale in ((1, 1.0), (2, 30.0)):  # 30: saturating inputs
        x = random_frames(q, seed=seed, scale=scale)
        ref = reference_run(t, x)
        frames, want = accelerator_io(t, x)
        run = iverilog_backend.run(acc, [frames])
        np.testing.assert_array_equal(run.outputs[0], want)
        assert run.cycles == jobs * view.schedule.sequence_cycles(T)
        assert run.events == inside_events(ref)
    # a slow host (input offered and output taken in about one cycle in 16) that also pulses start
    # every 3rd cycle of a job still waiting for input: the design stalls and ignores those starts,
    # and neither its results nor its own cycle count change
    sim = iverilog_backend.sim_for(acc)
    prompt = sim.wall[-1]  # the clock at the end of the prompt host's run above
    out, cycles, events = sim.run(np.asarray(frames, dtype=np.int64), T, pace=16, restart=3)
    np.testing.assert_array_equal(out, want)
    assert sum(cycles) == jobs * view.schedule.sequence_cycles(T)
    assert sum(events) == inside_events(ref)
    assert sim.wall[-1] > prompt, "the paced host must make the design wait"
    if jobs > 1:
        # a host that holds start high (with the next job's steps) from a job's last input on: the
        # design ignores it through the job's tail, while its counts settle, and takes it exactly as
        # busy falls, so the jobs run back to back with each job's own counts (those of the paced
        # run above: a job's counts do not depend on the host)
        out, held_cycles, held_events = sim.run(np.asarray(frames, dtype=np.int64), T, hold_start=True)
        np.testing.assert_array_equal(out, want)
        assert (held_cycles, held_events) == (cycles, events)
        assert sim.wall[-1] < prompt, "a held start must start the next job sooner"


def test_column_chunks_out_of_order_in_rtl(tmp_path):
    # the RTL replays whatever order the schedule gives: the projection's column chunks run
    # last-to-first (first/last flags on the chunks that run first/last) and every output, cycle
    # and event still equals the reference
    T = 4
    q = quantized("lstm", 6, 16, 4, {"proj_size": 8}, T=T, batch=1, seed=5)
    t = tiled(q, rows=2, cols=1)
    view = design_view(t)
    # item indices of a fresh build (not the IR's): the RTL is generated from the view, bypassing the
    # IR round trip, which test_tile and the designs above cover
    sch = schedule_with_rule(view.graph, view.config, "in-step-first")
    orders, col = column_chunks_reversed(sch)
    assert len(col) >= 3
    new = time_orders(view.graph, view.config, orders)
    check_schedule(new, steps=T, copies=buffer_copies(new))
    view2 = replace(view, schedule=new, copies=buffer_copies(new))
    x = random_frames(q, seed=1, scale=1.0)
    ref = reference_run(t, x)
    frames, want = accelerator_io(t, x)
    sim = RtlSim(generate(view2), "iverilog", str(tmp_path))
    out, cycles, events = sim.run(np.asarray(frames, dtype=np.int64), T)
    np.testing.assert_array_equal(out, np.asarray(want, dtype=np.int64))
    assert sum(cycles) == new.sequence_cycles(T)
    assert sum(events) == inside_events(ref)
