"""The HLS backend from Python and from ernn-run: one command and one API with the reference, builds reused
from a work directory, and a clear diagnostic for everything that can be missing or wrong."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hls_cases import Case, frames, tiled_module

from ernn_ir.builder import build_module
from ernn_ir.hardware.design_view import accelerators
from ernn_ir.lowering.backends import BackendError, run_with_backend
from ernn_ir.lowering.hls.backend import HlsBackend
from ernn_ir.lowering.reference import Reference
from ernn_ir.models import random_lstm
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.passes.tile import TilePass
from ernn_ir.registry import make_context
from ernn_ir.tools import ernn_run

SMALL = Case("gru_small_b2", "gru", 3, 4, 2, {"reset_after": True}, {"weight_bits": 8}, {"rows": 2, "cols": 2},
             steps=4, batch=1)


def _write(module, path):
    from xdsl.printer import Printer

    s = io.StringIO()
    Printer(stream=s).print_op(module)
    path.write_text(s.getvalue())


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    module = tiled_module(SMALL)
    path = tmp_path_factory.mktemp("hls_backend") / "gru_hw.mlir"
    _write(module, path)
    return module, path


def _run_tool(args, capsys):
    try:
        ernn_run.main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("backend", ["hls-int", "hls"])
def test_ernn_run_backends_are_interchangeable(small, tmp_path, capsys, backend):
    _, path = small
    outs = {}
    for be in ("reference", backend):
        y = tmp_path / f"y_{be}.npy"
        code, text, err = _run_tool([str(path), "--random", "--seed", "7", "--raw", "--backend", be,
                                     "--workdir", str(tmp_path / "work"), "--output", str(y)], capsys)
        assert code == 0, err
        outs[be] = np.load(y)
        if be != "reference":
            assert f"accelerator #0 on {backend}" in text
    np.testing.assert_array_equal(outs["reference"], outs[backend])
    # the project and the build stay in --workdir
    (proj,) = os.listdir(tmp_path / "work")
    assert os.path.isfile(tmp_path / "work" / proj / "build_prj.tcl")
    assert os.path.isfile(tmp_path / "work" / proj / "libmain_accel.so")


def test_a_workdir_build_is_reused_and_a_stale_one_refused(small, tmp_path):
    module, _ = small
    x = frames(module, 1, 1.0)
    first = HlsBackend("int", workdir=str(tmp_path))
    a = Reference(module, accelerator_backend=first).run(x)
    (built,) = first.builds
    assert built.compile_log == ""
    again = HlsBackend("int", workdir=str(tmp_path))
    b = Reference(module, accelerator_backend=again).run(x)
    assert again.builds[0].path == built.path  # not compiled again
    np.testing.assert_array_equal(a.outputs[0], b.outputs[0])
    # a library of another design at that path is detected, not run
    other = tiled_module(Case("gru_other", "gru", 3, 4, 2, {"reset_after": True}, {"weight_bits": 8},
                              {"rows": 1, "cols": 1}, steps=4, batch=1))
    third = HlsBackend("int", workdir=str(tmp_path / "other"))
    third.build(accelerators(other)[0])
    shutil.copy(third.builds[0].path, built.path + ".other")
    os.replace(built.path + ".other", built.path)
    with pytest.raises(BackendError, match="is a different build"):
        HlsBackend("int", workdir=str(tmp_path)).build(accelerators(module)[0])


def test_frames_of_the_wrong_shape_are_refused(small):
    module, _ = small
    be = HlsBackend("int")
    built = be.build(accelerators(module)[0])
    with pytest.raises(BackendError, match=r"input #0 of main_accel must be raw frames of shape \(4, 1, 3\)"):
        built.run([np.zeros((4, 1, 5), dtype=np.int64)])


def test_a_missing_compiler_is_named(small, tmp_path, monkeypatch, capsys):
    module, path = small
    with pytest.raises(BackendError, match="'no-such-c\\+\\+' is not on PATH"):
        HlsBackend("int", cxx="no-such-c++")
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there
    with pytest.raises(BackendError, match="'g\\+\\+' is not on PATH \\(install g\\+\\+"):
        run_with_backend(module, frames(module, 0, 1.0), "hls-int")
    # the command line: one line, exit 1, no traceback
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
    assert shutil.which("g++") is None
    p = subprocess.run([sys.executable, "-m", "ernn_ir.tools.ernn_run", str(path), "--random", "--backend", "hls-int"],
                       capture_output=True, text=True, env=dict(os.environ), check=False)
    assert p.returncode == 1
    assert "ernn-run: error: the HLS backend compiles its C simulation with a C++ compiler, and 'g++' is not on PATH" \
        in p.stderr
    assert "Traceback" not in p.stderr


def test_missing_ap_types_headers_are_named(tmp_path, monkeypatch):
    with pytest.raises(BackendError, match=rf"ap_include={tmp_path} does not hold them: pip install hls4ml"):
        HlsBackend("ap", ap_include=str(tmp_path))
    monkeypatch.setenv("ERNN_AP_TYPES", str(tmp_path))
    with pytest.raises(BackendError, match=r"ERNN_AP_TYPES=.* does not hold them.*--backend hls-int"):
        HlsBackend("ap")
    HlsBackend("int")  # the plain-integer flavour needs no headers


def test_a_build_error_is_reported_with_its_log(small):
    module, _ = small
    be = HlsBackend("int", extra_flags=["-fno-such-option-exists"])
    with pytest.raises(BackendError, match=r"g\+\+ could not build main_accel \(int flavour; full log in .*build\.log\)"):
        be.build(accelerators(module)[0])


def test_what_the_c_plus_plus_cannot_hold_is_refused_before_compiling(tmp_path, capsys):
    # exact sigmoid/tanh on the 32-bit accumulator (approximate=false) would need 2^32-entry tables
    module = build_module([random_lstm(4, 4, 2, seed=0)], 3)
    with contextlib.redirect_stderr(io.StringIO()):
        PipelinePass(approximate=False).apply(make_context(), module)
    TilePass(multipliers=8).apply(make_context(), module)
    x = frames(module, 0, 1.0)
    with pytest.raises(BackendError, match=r"cannot generate the HLS design: HLS C\+\+: an exact sigmoid on a 32-bit "
                                           r"input needs a table of 2\^32 entries; approximate it"):
        run_with_backend(module, x, "hls-int")
    path = tmp_path / "exact.mlir"
    _write(module, path)
    code, _, err = _run_tool([str(path), "--random", "--backend", "hls-int"], capsys)
    assert code == 1 and "2^32 entries" in err and "Traceback" not in err
    # -t hls says it at the op
    from ernn_ir.tools import ernn_opt

    try:
        ernn_opt.main([str(path), "-t", "hls", "-o", str(tmp_path / "prj")])
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    err = capsys.readouterr().err
    assert code == 1 and re.search(r"exact\.mlir:\d+:\d+: error: 'ernn.sigmoid' op HLS C\+\+: an exact sigmoid", err), err
    assert not os.path.exists(tmp_path / "prj")


def test_ernn_run_refuses_a_module_without_accelerators(tmp_path, capsys):
    path = tmp_path / "model.mlir"
    _write(build_module([random_lstm(4, 4, 2, seed=0)], 3), path)
    code, _, err = _run_tool([str(path), "--random", "--backend", "hls"], capsys)
    assert code == 1 and "--backend hls runs ernn_hw.accelerator loops, and the module has none" in err



