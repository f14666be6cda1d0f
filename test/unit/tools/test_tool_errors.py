"""Bad files, options and sizes: each a diagnostic naming the rule; no partial output, no traceback."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import numpy as np
import pytest

from ernn_ir.arrays import ArrayFileError, load_arrays
from ernn_ir.limits import SizeLimitError, check_bytes, format_bytes, memory_budget
from ernn_ir.outputs import (
    TEMP_PREFIX,
    OutputError,
    staged_outputs,
    write_files_atomically,
    write_side_output,
)


def npy_bytes(arr, **kw) -> bytes:
    f = io.BytesIO()
    np.save(f, arr, **kw)
    return f.getvalue()


def header_npy(header: str, data: bytes = b"") -> bytes:
    header = header.ljust(117) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def npz_bytes(**arrays) -> bytes:
    f = io.BytesIO()
    np.savez(f, **arrays)
    return f.getvalue()


# ---------------------------------------------------------------------------
# .npy / .npz


BAD_FILES = [
    (b"", "is not a .npy or .npz file (it is empty)"),
    (b"\x00\x01junk", "is not a .npy or .npz file (it starts with"),
    (npy_bytes(np.zeros(8))[:140], "is truncated: its header describes (8,) float64 (64 bytes of data), the file holds 12"),
    (npy_bytes(np.zeros(8))[:100], "has a malformed .npy header"),
    (npy_bytes(np.zeros(8))[:8], "has a malformed .npy header"),
    (npy_bytes(np.array([{}], dtype=object), allow_pickle=True), "holds Python objects (dtype object)"),
    (header_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", bytes(16)),
     "its header describes (1000000000000,) float64 (8000000000000 bytes of data), the file holds 16"),
    (header_npy("{'descr': 'zz', 'fortran_order': False, 'shape': (2,), }"), "has a malformed .npy header"),
    (header_npy("not a dictionary"), "has a malformed .npy header"),
    (header_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"), "has a malformed .npy header"),
    (b"PK\x03\x04 not really a zip", "is not a readable .npz (zip) file"),
]


@pytest.mark.parametrize("data,message", BAD_FILES, ids=range(len(BAD_FILES)))
def test_bad_array_files(tmp_path, data, message):
    p = tmp_path / "x.npy"
    p.write_bytes(data)
    with pytest.raises(ArrayFileError) as e:
        load_arrays(str(p), "input")
    assert str(e.value).startswith(f"input '{p}'") or str(e.value).startswith("cannot read input")
    assert message in str(e.value)


def test_npz_members(tmp_path):
    p = tmp_path / "x.npz"
    p.write_bytes(npz_bytes(b=np.ones(2), a=np.zeros(3)))
    arrays = load_arrays(str(p))
    assert sorted(arrays) == ["a", "b"] and arrays["a"].shape == (3,)
    with zipfile.ZipFile(tmp_path / "y.npz", "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(ArrayFileError, match=r"notes.txt' is not a .npy member"):
        load_arrays(str(tmp_path / "y.npz"))
    with zipfile.ZipFile(tmp_path / "z.npz", "w") as z:
        z.writestr("x.npy", npy_bytes(np.zeros(8))[:140])
    with pytest.raises(ArrayFileError, match=r"z.npz:x.npy' is truncated"):
        load_arrays(str(tmp_path / "z.npz"))


def test_huge_header_is_refused_before_reading(tmp_path, monkeypatch):
    """A header within the file size but beyond the budget: refused by size, not by allocation."""
    monkeypatch.setenv("ERNN_MEMORY_LIMIT", "1K")
    p = tmp_path / "x.npy"
    p.write_bytes(npy_bytes(np.zeros(1000)))
    with pytest.raises(ArrayFileError, match=r"needs 7\.8 KiB, more than the 1\.0 KiB of memory"):
        load_arrays(str(p))


# ---------------------------------------------------------------------------
# The memory budget


@pytest.mark.parametrize("setting,value", [("1024", 1024), ("2K", 2048), ("3M", 3 << 20),
                                           ("1.5G", 3 << 29), ("1GiB", 1 << 30), ("junk", None)])
def test_memory_limit_setting(monkeypatch, setting, value):
    monkeypatch.setenv("ERNN_MEMORY_LIMIT", setting)
    if value is None:  # unreadable: ignored, the free memory counts
        assert memory_budget() > 1 << 20
    else:
        assert memory_budget() <= value
        check_bytes(value // 2, "half")
        with pytest.raises(SizeLimitError, match=r"twice needs .*, more than the .* of memory available"):
            check_bytes(2 * value, "twice")


def test_format_bytes():
    assert [format_bytes(n) for n in (5, 2048, 3 << 30, 1 << 62)] == [
        "5 bytes", "2.0 KiB", "3.0 GiB", "4.0 EiB"]


# ---------------------------------------------------------------------------
# Outputs: all or nothing


def test_failed_writer_leaves_no_file(tmp_path):
    def boom(tmp):
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("the writer failed")

    def fine(tmp):
        with open(tmp, "w") as f:
            f.write("whole")

    with pytest.raises(RuntimeError):
        write_files_atomically([(str(tmp_path / "a.txt"), fine), (str(tmp_path / "b.txt"), boom)])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name,message", [("", "an output file name is empty"),
                                          (".", "it is a directory"),
                                          ("nodir/x.txt", "No such file or directory")])
def test_unwritable_outputs(tmp_path, monkeypatch, name, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=message):
        write_files_atomically([(name, lambda tmp: None)])
    assert not [n for n in os.listdir(tmp_path) if n.startswith(TEMP_PREFIX)]


def test_side_outputs_are_held_inside_a_tool_run(tmp_path):
    path = str(tmp_path / "side.txt")
    with staged_outputs() as held:
        write_side_output(path, "table")
        assert not os.path.exists(path)
    assert held == [(path, "table")]
    write_side_output(path, "now")  # outside a tool run: written at once
    assert open(path).read() == "now"


# ---------------------------------------------------------------------------
# ernn-opt targets and process state


def test_target_list_keeps_the_projects_targets():
    from ernn_ir.registry import all_targets, ernn_opt_targets

    targets = ernn_opt_targets()
    assert "mlir" in targets and set(all_targets()) <= set(targets)
    for other in ("riscv-asm", "llvm", "mps", "x86-asm", "wgsl"):
        assert other not in targets


def test_disable_verify_does_not_outlive_the_call(tmp_path):
    from xdsl.ir import Attribute

    from ernn_ir.tools.ernn_opt import main

    before = Attribute.__post_init__
    src = tmp_path / "m.mlir"
    src.write_text("func.func @f() {\n  func.return\n}\n")
    main([str(src), "--disable-verify", "-o", str(tmp_path / "o.mlir")])
    assert Attribute.__post_init__ is before


# ---------------------------------------------------------------------------
# ernn-model / ernn-run option values (argparse usage errors, exit 2)


@pytest.mark.parametrize("argv,message", [
    (["lstm", "--input-size", "4", "--hidden-size", "4", "--block-size", "4", "--layers", "2147483648"],
     "argument --layers: must be in [1, 1000], got 2147483648"),
    (["lstm", "--input-size", "4", "--hidden-size", "4", "--block-size", "0"],
     "argument --block-size: must be in [1, 65536], got 0"),
    (["gru", "--input-size", "4", "--hidden-size", "4", "--seed", "-1"], "argument --seed: must be in [0,"),
    (["gru", "--input-size", "x", "--hidden-size", "4"], "argument --input-size: must be an integer, got 'x'"),
])
def test_ernn_model_option_ranges(capsys, argv, message):
    from ernn_ir.tools.ernn_model import main

    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_ernn_model_size_refused_before_building(capsys, tmp_path):
    from ernn_ir.tools.ernn_model import main

    out = tmp_path / "m.mlir"
    with pytest.raises(SystemExit) as e:
        main(["lstm", "--input-size", "4000000", "--hidden-size", "4000000", "--block-size", "4",
              "-o", str(out)])
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("ernn-model: error: a model of 32000032000000 weights (1 layer(s)) needs 931.3 TiB")
    assert not out.exists()


def test_ernn_run_function_with_a_circulant_argument(tmp_path, capsys):
    """--random on a non-tensor argument: a diagnostic (was AttributeError: no get_shape)."""
    from ernn_ir.tools.ernn_run import main

    src = tmp_path / "m.mlir"
    src.write_text("func.func @main(%w: !ernn.circulant<4x4xf32, block = 4>) {\n  func.return\n}\n")
    with pytest.raises(SystemExit) as e:
        main([str(src), "--random"])
    assert e.value.code == 1
    assert ("input #0 of @main is !ernn.circulant<4x4xf32, block = 4>; random inputs are made for "
            "tensor arguments only" in capsys.readouterr().err)


def test_scan_dominance_is_checked_by_module_verify():
    """API users who build IR and call verify() get the rule too (the reference needs it)."""
    from xdsl.utils.exceptions import VerifyException

    from ernn_ir.builder import parse_module_text

    module = parse_module_text(
        "func.func @f(%xs: tensor<3x2xf32>, %h0: tensor<2xf32>) -> tensor<2xf32> {\n"
        "  %c = ernn.constant dense<1.0> : tensor<2xf32> -> tensor<2xf32>\n"
        "  %ys, %h = ernn.scan (%xs : tensor<3x2xf32>) init (%h0 : tensor<2xf32>) -> tensor<3x2xf32>, tensor<2xf32> {\n"
        "  ^bb0(%xt: tensor<2xf32>, %hp: tensor<2xf32>):\n"
        "    %n = ernn.add %xt, %c : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>\n"
        "    ernn.yield %n, %n : tensor<2xf32>, tensor<2xf32>\n"
        "  }\n"
        "  func.return %h : tensor<2xf32>\n"
        "}\n")
    func_op = module.ops.first
    block = func_op.body.block
    const, scan = list(block.ops)[:2]
    const.detach()
    block.insert_op_after(const, scan)  # the constant now comes after the scan that reads it
    with pytest.raises(VerifyException, match=r"body op 'ernn.add': operand #1 \(%c\) is defined after the "
                                              r"'ernn.scan' that holds the use"):
        module.verify()
