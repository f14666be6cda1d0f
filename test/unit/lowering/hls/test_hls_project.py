"""The generated project: pragmas from the design, constants as raw integers equal to the IR's, readable
unit functions, a testbench that checks the reference's outputs, the tcl script, and `ernn-opt -t hls`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from hls_cases import CASES, Case, tiled_module

from ernn_ir.dialects.ernn.checks import dense_to_numpy
from ernn_ir.dialects.ernn_hw import EwUnitOp, FftUnitOp, RomOp
from ernn_ir.hardware.constants import OuterConstants
from ernn_ir.hardware.design_view import accelerators, read_design
from ernn_ir.lowering.hls.emit import HlsDesign
from ernn_ir.lowering.hls.project import (
    MARKER,
    golden_vectors,
    project_files,
    write_project,
)
from ernn_ir.numerics import twiddles_fixed
from ernn_ir.tools import ernn_opt

CASE = next(c for c in CASES if c.id == "lstmp_peep_b8_2streams")
SMALL = Case("lstmp_small_b2", "lstm", 3, 4, 2, {"proj_size": 2, "peepholes": True}, {"weight_bits": 8},
             {"rows": 2, "cols": 1}, steps=3, batch=2)


@pytest.fixture(scope="module")
def design_and_files():
    module = tiled_module(CASE)
    acc = accelerators(module)[0]
    view = read_design(acc, OuterConstants(module))
    files = {f: project_files(HlsDesign(view, f)) for f in ("ap", "int")}
    return module, view, files


def _ints(text: str) -> np.ndarray:
    return np.array([int(v) for v in re.findall(r"-?\d+", text)], dtype=np.int64)


def _body(text: str, name: str) -> str:
    """The text of the function `name` (from its signature to the closing brace at column 0)."""
    m = re.search(rf"^(static )?\w[\w:<>, ]* {name}\(.*?^\}}", text, re.DOTALL | re.MULTILINE)
    assert m, f"no function {name}"
    return m.group(0)


def test_pragmas_follow_the_design(design_and_files):
    _, view, files = design_and_files
    d = view.design
    cfg = view.config
    rom = next(o for o in d.body.block.ops if isinstance(o, RomOp))
    ffts = {o.sym_name.data: o for o in d.body.block.ops if isinstance(o, FftUnitOp)}
    ews = [o for o in d.body.block.ops if isinstance(o, EwUnitOp)]
    for fs in files.values():
        cpp = fs["firmware/main_accel.cpp"]
        weights = fs["firmware/weights.h"]
        b = d.block.value.data
        # the ROM as the design banks it, one bank per MAC lane, partitioned by bank ([word][bank][value])
        assert f"WEIGHT_ROM[{rom.depth.value.data}][{rom.banks.value.data}][{b}]" in weights
        assert rom.banks.value.data == cfg.row_lanes * cfg.col_lanes
        # every MAC sweep: one instruction per cycle over rows x cols unrolled lanes
        macs = re.findall(r"^static void (mac_array_\w+)\(", cpp, re.MULTILINE)
        assert len(macs) == len(view.graph.macs)
        for m in macs:
            body = _body(cpp, m)
            assert "#pragma HLS ARRAY_PARTITION variable=WEIGHT_ROM complete dim=2" in body
            sweeps = re.findall(r"part(\d+)_row_lanes: for \(int row = 0; row < (\d+); row\+\+\) \{\n#pragma HLS UNROLL\n"
                                r"\s+part\1_col_lanes: for \(int col = 0; col < (\d+); col\+\+\) \{\n#pragma HLS UNROLL", body)
            assert sweeps and all((int(r), int(c)) == (cfg.row_lanes, cfg.col_lanes) for _, r, c in sweeps)
            assert body.count("#pragma HLS PIPELINE II=1") == len(sweeps)
        # IRFFT engines and input rFFT engines as UNROLL factors
        irffts = re.findall(r"^static void (irfft_\w+)\(", cpp, re.MULTILINE)
        for k, fn in enumerate(irffts):
            engines = ffts[f"irfft{k}"].engines.value.data
            body = _body(cpp, fn)
            assert (f"#pragma HLS UNROLL factor={engines}" in body) == (engines > 1), (fn, engines)
        # element-wise lanes: `lanes` elements per cycle
        for ew in ews:
            s, lanes = ew.stage.value.data, ew.lanes.value.data
            body = _body(cpp, f"ew_stage{s}")
            assert f"elem0 += {lanes}) {{\n#pragma HLS PIPELINE II=1" in body
            assert f"for (int lane = 0; lane < {lanes}; lane++) {{\n#pragma HLS UNROLL" in body
        assert "#pragma HLS DATAFLOW" in _body(cpp, "step")
        top = _body(cpp, "main_accel")
        assert "#pragma HLS INTERFACE axis port=x_t_in" in top and "#pragma HLS INTERFACE axis port=y_out" in top


def test_constants_are_raw_integers_equal_to_the_ir(design_and_files):
    _, view, files = design_and_files
    d = view.design
    rom = next(o for o in d.body.block.ops if isinstance(o, RomOp))
    image = dense_to_numpy(rom.contents).astype(np.int64)
    g = view.graph
    for fs in files.values():
        weights, consts = fs["firmware/weights.h"], fs["firmware/constants.h"]
        for text in (weights, consts):  # initialisers hold integer literals only, never printed floats
            for init in re.findall(r"\] = \{(.*?)\};", text, re.DOTALL):
                assert re.fullmatch(r"[-\d,{}\s]*", re.sub(r"//[^\n]*", "", init)), init[:80]
        rom_text = weights.split("WEIGHT_ROM[", 1)[1].split("= {", 1)[1].split("};", 1)[0]
        rom_text = re.sub(r"//[^\n]*", "", rom_text)
        np.testing.assert_array_equal(_ints(rom_text), image.transpose(1, 0, 2).reshape(-1))

        def array(name: str, consts: str = consts) -> np.ndarray:
            m = re.search(rf"static const \w+ {name}\[(\d+)\] = \{{(.*?)\}};", consts, re.DOTALL)
            assert m, name
            vals = _ints(m.group(2))
            assert vals.size == int(m.group(1))
            return vals

        tw = FixedFormatOf(g.spectra[0].op.twiddle_format)
        re_, im_ = twiddles_fixed(g.block, tw)
        np.testing.assert_array_equal(array(f"TWIDDLE_RE_{g.block}"), re_)
        np.testing.assert_array_equal(array(f"TWIDDLE_IM_{g.block}"), im_)
        np.testing.assert_array_equal(array("BIAS"), g.constants[0])
        for c in g.carries:
            np.testing.assert_array_equal(array(f"INIT_{c.name.upper()}"), c.init)
        pwl = [o for o in view.accelerator.body.block.ops if o.name == "ernn.pwl"]
        slopes = {tuple(dense_to_numpy(o.slopes).astype(np.int64).tolist()) for o in pwl}
        tables = re.findall(r"static const \w+ (PWL_\w+_SLOPES)\[", consts)
        assert {tuple(array(t).tolist()) for t in tables} == slopes


def FixedFormatOf(t):
    from ernn_ir.numerics import FixedFormat

    return FixedFormat(t.width.data, t.frac.data)


def test_the_code_reads_like_the_hardware(design_and_files):
    _, view, files = design_and_files
    b = view.graph.block
    for flavour, fs in files.items():
        cpp = fs["firmware/main_accel.cpp"]
        assert cpp.startswith("// The accelerator main_accel")
        assert "Generated by ernn-ir" in cpp and "from ernn_hw.design @main_accel" in cpp
        for fn in (f"fft_b{b}", f"ifft_b{b}", "rfft_x_t", "rfft_r", "rfft_h", "mac_lane", "mac_array_g",
                   "irfft_g", "ew_stage0", "ew_stage1", "step", "main_accel"):
            assert re.search(rf"^(static )?(inline )?\w+ {fn}\(", cpp, re.MULTILINE), fn
        # the cell update op by op, with the IR's names and formats
        m = re.search(r"// c_next = ernn\.add fc, ig -> fixed<(\d+), (\d+)>, half_up, saturating\n\s+const "
                      r"fx_(\d+)_(\d+) c_next = ", cpp)
        assert m, "the cell update with its IR name and format"
        W, F = int(m.group(1)), int(m.group(2))
        assert (int(m.group(3)), int(m.group(4))) == (W, F)
        t = f"fx_{W}_{F}"
        types = fs["firmware/types.h"]
        if flavour == "ap":
            assert f"typedef ap_fixed<{W}, {W - F}> {t};" in types
            assert f"typedef ap_fixed<{W}, {W - F}, AP_RND, AP_SAT> {t}_rnd_sat;" in types
            assert f"{t}_rnd_sat(fc + ig)" in cpp
        else:
            assert f"typedef int{W}_t {t};" in types
            assert re.search(rf"ernn::add<\d+, \d+, {W}, {F}, ernn::HALF_UP, ernn::SATURATE>\(fc, ig\)", cpp)
            for text in fs.values():  # no HLS header anywhere in the plain-C++ flavour's C simulation
                assert "#include <ap_" not in text and "#include \"ernn_ap.h\"" not in text


def test_generation_is_deterministic(design_and_files):
    module, _, files = design_and_files
    again = project_files(HlsDesign(read_design(accelerators(module)[0], OuterConstants(module)), "ap"))
    assert again == files["ap"]


def test_the_tcl_script_runs_every_vitis_step(design_and_files):
    _, _, files = design_and_files
    tcl = files["ap"]["build_prj.tcl"]
    for step in ("csim_design", "csynth_design", "cosim_design", "export_design -format ip_catalog"):
        assert step in tcl
    assert "set part xcku060-ffva1156-2-e" in tcl
    assert "set clock_ns 5" in tcl  # 200 MHz
    assert "set_top main_accel" in tcl and "add_files -tb tb/tb_data" in tcl
    assert "-DERNN_USE_HLS_STREAM" in files["int"]["build_prj.tcl"]


# ---------------------------------------------------------------------------------- the testbench


@pytest.fixture(scope="module")
def small_project(tmp_path_factory):
    module = tiled_module(SMALL)
    acc = accelerators(module)[0]
    view = read_design(acc, OuterConstants(module))
    root = tmp_path_factory.mktemp("hls_tb")
    paths = {}
    for flavour in ("int", "ap"):
        files = project_files(HlsDesign(view, flavour), golden_vectors(module, acc, seed=2, scale=4.0))
        path = str(root / flavour)
        write_project(path, files)
        paths[flavour] = path
    return module, paths


@pytest.mark.parametrize("flavour", ["int", "ap"])
def test_make_csim_passes_against_the_reference(small_project, flavour):
    _, paths = small_project
    p = subprocess.run(["make", "-s", "-C", paths[flavour], "csim",
                        "CXXFLAGS=-std=c++14 -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas"],
                       capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "PASS: main_accel equals the reference bit for bit (6 frames)" in p.stdout
    assert "warning" not in p.stderr


def test_the_testbench_fails_on_a_wrong_value_and_on_missing_input(small_project, tmp_path):
    _, paths = small_project
    proj = paths["int"]
    exe = os.path.join(proj, "build", "main_accel_tb")
    if not os.path.exists(exe):
        subprocess.run(["make", "-s", "-C", proj, "build/main_accel_tb"], check=True, capture_output=True)
    data = tmp_path / "tb_data"
    data.mkdir()
    src = os.path.join(proj, "tb", "tb_data")
    for n in os.listdir(src):
        shutil.copy(os.path.join(src, n), data / n)
    values = (data / "expected_y.txt").read_text().split()
    values[3] = str(int(values[3]) + 1)
    (data / "expected_y.txt").write_text("\n".join(values) + "\n")
    p = subprocess.run([exe, str(data)], capture_output=True, text=True, check=False)
    assert p.returncode == 1
    assert "FAIL: 1 value(s) differ from the reference" in p.stdout
    assert "y[3]: csim" in p.stderr
    (data / "input_x_t.txt").write_text("1\n2\n")
    p = subprocess.run([exe, str(data)], capture_output=True, text=True, check=False)
    assert p.returncode == 2 and "holds 2 values, 18 expected" in p.stderr


# ---------------------------------------------------------------------------------- ernn-opt -t hls


def _ernn_opt(args, capsys):
    try:
        ernn_opt.main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _write_module(module, path):
    from io import StringIO

    from xdsl.printer import Printer

    s = StringIO()
    Printer(stream=s).print_op(module)
    path.write_text(s.getvalue())


def test_ernn_opt_writes_the_project_directory(tmp_path, capsys):
    module = tiled_module(SMALL)
    src = tmp_path / "small_hw.mlir"
    _write_module(module, src)
    out = tmp_path / "prj"
    code, _, err = _ernn_opt([str(src), "-t", "hls-int", "-o", str(out)], capsys)
    assert code == 0, err
    names = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    assert names == sorted([MARKER, "Makefile", "README.md", "build_prj.tcl", "bridge/main_accel_bridge.cpp",
                            "firmware/constants.h", "firmware/ernn_fixed.h", "firmware/main_accel.cpp",
                            "firmware/main_accel.h", "firmware/types.h", "firmware/weights.h",
                            "tb/main_accel_tb.cpp", "tb/tb_data/expected_y.txt", "tb/tb_data/input_x_t.txt"])
    # again, into the same directory: replaced (it is a project ernn-opt wrote), with the other flavour
    code, _, err = _ernn_opt([str(src), "-t", "hls", "-o", str(out)], capsys)
    assert code == 0, err
    assert os.path.exists(out / "firmware" / "ernn_ap.h") and not os.path.exists(out / "firmware" / "ernn_fixed.h")
    # without -o: every file printed after a marker line
    code, text, _ = _ernn_opt([str(src), "-t", "hls{tb-data=false}"], capsys)
    assert code == 0
    assert "// ----- file: firmware/main_accel.cpp -----" in text and "tb_data" not in text.split("-----")[1]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".ernn-")]  # no temporary left behind


def test_ernn_opt_refuses_without_writing_anything(tmp_path, capsys):
    import contextlib
    import io

    from ernn_ir.builder import build_module
    from ernn_ir.models import random_lstm
    from ernn_ir.passes.pipeline import PipelinePass
    from ernn_ir.registry import make_context

    model = build_module([random_lstm(4, 4, 2, seed=0)], 3)
    quantized = model.clone()
    with contextlib.redirect_stderr(io.StringIO()):
        PipelinePass().apply(make_context(), quantized)
    out = tmp_path / "prj"
    for m, why in ((model, "it has no ernn_hw.accelerator"), (quantized, "its ernn.scan time loops are not tiled yet")):
        src = tmp_path / "untiled.mlir"
        _write_module(m, src)
        code, _, err = _ernn_opt([str(src), "-t", "hls", "-o", str(out)], capsys)
        assert code == 1
        assert f"-t hls writes the C++ of the hardware level, and {why}" in err
        assert "ernn-tile" in err and "Traceback" not in err
        assert not os.path.exists(out) and not [n for n in os.listdir(tmp_path) if n.startswith(".ernn-")]
    # a directory ernn-opt did not write is never replaced
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me")
    tiled = tmp_path / "tiled.mlir"
    _write_module(tiled_module(SMALL), tiled)
    code, _, err = _ernn_opt([str(tiled), "-t", "hls", "-o", str(user)], capsys)
    assert code == 1 and "was not written by ernn-opt" in err
    assert (user / "notes.txt").read_text() == "keep me" and os.listdir(user) == ["notes.txt"]
    code, _, err = _ernn_opt([str(tiled), "-t", "hls{flavour=vhdl}", "-o", str(out)], capsys)
    assert code == 1 and "unknown flavour 'vhdl' (flavours: ap, int)" in err and not os.path.exists(out)
