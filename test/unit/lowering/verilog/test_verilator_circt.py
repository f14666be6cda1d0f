"""Verilator runs the same designs bit-exactly; CIRCT parses the same hw/comb/seq IR and its
ExportVerilog output simulates to the same numbers and cycles as the project's own emitter."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from ernn_ir.lowering.verilog.gen import generate
from ernn_ir.lowering.verilog.sim import RtlBackend, RtlSim
from ernn_ir.lowering.verilog.sim import testbench as make_testbench
from ernn_ir.lowering.verilog.target import hw_module_text

from rtl_helpers import accelerator_io, design_view, inside_events, quantized, random_frames, reference_run, tiled

DESIGNS = [
    ("lstmp_peep_b8", "lstm", 10, 16, 8, {"proj_size": 8, "peepholes": True}, dict(weight_bits=12, data_bits=16),
     dict(rows=2, cols=2)),
    ("gru_before_b4_s2", "gru", 8, 8, 4, {"reset_after": False}, dict(weight_bits=8, data_bits=8, acc_bits=12),
     dict(rows=2, cols=1, streams=2)),
]


@pytest.fixture(scope="module")
def verilator_backend(tmp_path_factory):
    return RtlBackend("verilator", workdir=str(tmp_path_factory.mktemp("verilator")))


@pytest.mark.parametrize("design", DESIGNS, ids=[d[0] for d in DESIGNS])
def test_verilator_equals_reference(design, verilator_backend):
    _, kind, I, H, b, extra, widths, tile = design
    q = quantized(kind, I, H, b, extra, T=5, batch=2, seed=5, **widths)
    t = tiled(q, **tile)
    view = design_view(t)
    acc = next(o for o in t.walk() if o.name == "ernn_hw.accelerator")
    for seed, scale in ((1, 1.0), (2, 30.0), (3, 4.0)):
        x = random_frames(q, seed=seed, scale=scale)
        frames, want = accelerator_io(t, x)
        run = verilator_backend.run(acc, [frames])
        np.testing.assert_array_equal(run.outputs[0], want)
        assert run.cycles == (2 // view.config.streams) * view.schedule.sequence_cycles(5)
        assert run.events == inside_events(reference_run(t, x))


CIRCT_PIPELINE = ("builtin.module(lower-seq-firmem,lower-seq-to-sv,hw-memory-sim{read-enable-mode=ignore},"
                  "export-split-verilog{dir-name=%s})")
MACROS = ["RANDOM", "ENABLE_INITIAL_MEM_", "ENABLE_INITIAL_REG_", "RANDOMIZE_MEM_INIT", "RANDOMIZE_REG_INIT",
          "INIT_RANDOM_PROLOG_", "SYNTHESIS"]


def circt_export(text: str, outdir: str) -> list[str]:
    """CIRCT's own Verilog for our hw/comb/seq text (memories: CIRCT's lowering, $readmemh in bind files)."""
    import circt
    from circt.ir import Context, Module
    from circt.passmanager import PassManager

    decls = "\n".join(f"sv.macro.decl @{n}" for n in MACROS)
    text = text.replace("builtin.module {", "builtin.module {\n" + decls, 1)
    with Context() as ctx:
        circt.register_dialects(ctx)
        mod = Module.parse(text)
        PassManager.parse(CIRCT_PIPELINE % outdir).run(mod.operation)
    with open(os.path.join(outdir, "filelist.f")) as f:
        return [os.path.join(outdir, ln.strip()) for ln in f if ln.strip()]


CIRCT_DESIGNS = [
    ("lstmp_peep_b8", dict(proj_size=8), dict(rows=2, cols=1)),
    # two copies of the projection's stage: memories read by two copies, a spectrum bank per
    # writer, the output FIFO's two banks
    ("lstmp_peep_b8_copies", dict(proj_size=16), dict(rows=2, cols=2, ew_copies=2)),
]


@pytest.mark.parametrize("design", CIRCT_DESIGNS, ids=[d[0] for d in CIRCT_DESIGNS])
def test_circt_export_simulates_like_our_emitter(design, tmp_path):
    _, kind, I, H, b, extra, widths, _tile = DESIGNS[0]
    q = quantized(kind, I, H, b, dict(extra, **design[1]), T=4, batch=1, seed=7, **widths)
    t = tiled(q, **design[2])
    view = design_view(t)
    assert view.config.ew_copies == ((1, 2) if "ew_copies" in design[2] else ())
    rtl = generate(view)
    x = random_frames(q, seed=4, scale=3.0)
    frames, want = accelerator_io(t, x)
    ours = RtlSim(rtl, "verilator", str(tmp_path / "ours"))
    out_a, cyc_a, ev_a = ours.run(frames, frames.shape[0])
    np.testing.assert_array_equal(out_a, want)
    # CIRCT: parse the same IR text, export, simulate with the same testbench
    cdir = str(tmp_path / "circt")
    os.makedirs(cdir)
    files = circt_export(hw_module_text(rtl), cdir)
    for name, text in rtl.memfiles.items():
        with open(os.path.join(cdir, name), "w") as f:
            f.write(text)
    with open(os.path.join(cdir, "tb.sv"), "w") as f:
        f.write(make_testbench(rtl, 10_000_000))
    cmd = ["verilator", "--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "+define+ENABLE_INITIAL_MEM_",
           "+define+INIT_RANDOM_PROLOG_=", "+define+RANDOM=$random", "--top-module", "tb", "-Mdir",
           os.path.join(cdir, "obj"), "-CFLAGS", "-O1", os.path.join(cdir, "tb.sv"), *files]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cdir)
    assert r.returncode == 0, r.stderr[-2000:]
    # reuse the runner: same stimulus, same parsing
    sim = RtlSim.__new__(RtlSim)
    sim.rtl, sim.simulator, sim.dir, sim.exe = rtl, "verilator", cdir, os.path.join(cdir, "obj", "Vtb")
    sim.max_cycles = 10_000_000  # the limit its testbench was generated with
    out_b, cyc_b, ev_b = sim.run(frames, frames.shape[0])
    np.testing.assert_array_equal(out_b, out_a)
    assert cyc_b == cyc_a == [view.schedule.sequence_cycles(4)]
    assert ev_b == ev_a
    shutil.rmtree(os.path.join(cdir, "obj"), ignore_errors=True)
