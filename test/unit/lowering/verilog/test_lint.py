"""Generated SystemVerilog is clean: verilator --lint-only -Wall, iverilog -g2012, yosys (no latches, no undriven nets)."""

from __future__ import annotations

import subprocess

import pytest

from ernn_ir.lowering.verilog.gen import generate
from ernn_ir.lowering.verilog.sim import write_design

from rtl_helpers import design_view, quantized, tiled

DESIGNS = [
    ("lstmp_peep_b4", "lstm", 8, 8, 4, {"proj_size": 4, "peepholes": True}, dict(rows=3, cols=2)),
    ("gru_after_b8", "gru", 12, 16, 8, {"reset_after": True}, dict(rows=2, cols=2, streams=2)),
    ("gru_before_b2", "gru", 4, 6, 2, {"reset_after": False}, dict(rows=1, cols=1)),
    # two copies of the projection's stage: shared read memories, per-writer spectrum banks, banked FIFO
    ("lstmp_b4_copies", "lstm", 8, 16, 4, {"proj_size": 16}, dict(rows=2, cols=3, ew_copies=2)),
    # the deep pipeline (ECP5): multiplier slices, split compares, registered sums
    ("lstmp_peep_b8_deep", "lstm", 10, 16, 8, {"proj_size": 8, "peepholes": True},
     dict(rows=2, cols=1, device="ecp5-85f")),
]


@pytest.fixture(scope="module", params=DESIGNS, ids=[d[0] for d in DESIGNS])
def project(request, tmp_path_factory):
    _, kind, I, H, b, extra, tile = request.param
    q = quantized(kind, I, H, b, extra, T=3, batch=2)
    rtl = generate(design_view(tiled(q, **tile)))
    d = tmp_path_factory.mktemp(request.param[0])
    return rtl, write_design(rtl, str(d)), str(d)


def test_verilator_lint_wall_is_clean(project):
    rtl, files, d = project
    r = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", rtl.top, *files],
                       capture_output=True, text=True, cwd=d)
    assert r.returncode == 0 and "%Warning" not in r.stderr, r.stderr[:3000]


def test_iverilog_accepts(project):
    rtl, files, d = project
    r = subprocess.run(["iverilog", "-g2012", "-o", "/dev/null", "-s", rtl.top, *files], capture_output=True,
                       text=True, cwd=d)
    assert r.returncode == 0, r.stderr[:3000]


def test_yosys_no_latches_no_undriven(project):
    rtl, files, d = project
    script = (f"read_verilog -sv {' '.join(files)}; hierarchy -top {rtl.top}; proc; opt_clean; "
              "check -assert; select -assert-none t:$dlatch t:$sr t:$dlatchsr")
    r = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True, cwd=d)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert "Warning" not in r.stdout + r.stderr, (r.stdout + r.stderr)[-3000:]


def test_rom_images_end_with_a_newline(project):
    rtl, _, _ = project
    for name, text in rtl.memfiles.items():
        assert text.endswith("\n"), name  # Verilator 5.006 drops an unterminated last word
