"""The parser front and the printer: printed IR means what it meant, and any input is read in linear time."""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ernn_ir.builder import module_to_text
from ernn_ir.diagnostics import ErnnError, parse_located
from ernn_ir.ir_printer import ErnnPrinter, is_splat_bytes
from ernn_ir.registry import make_context


def parse(text, name="t.mlir"):
    return parse_located(make_context(), text, name).module


def constant_bits(module) -> bytes:
    ops = [op for op in module.walk() if op.name == "ernn.constant"]
    assert len(ops) == 1
    return ops[0].value.data.data


def print_with(module, **flags) -> str:
    from io import StringIO

    s = StringIO()
    ErnnPrinter(stream=s, **flags).print_op(module)
    return s.getvalue()


def constant_module(literal: str, ty: str) -> str:
    return (f"func.func @f() {{\n  %c = ernn.constant dense<{literal}> : {ty} -> {ty}\n"
            "  func.return\n}\n")


WIDTH = {"f32": 32, "f64": 64}


def hex_literal(bits: int, width: int) -> str:
    return f"0x{bits:0{width // 4}X}"


@settings(max_examples=150, deadline=None)
@given(ty=st.sampled_from(["f32", "f64"]), data=st.data(),
       form=st.sampled_from(["splat", "list", "hex-string"]),
       flags=st.sampled_from([{}, {"print_generic_format": True},
                              {"print_properties_as_attributes": True, "print_generic_format": True},
                              {"print_debuginfo": True}]))
def test_float_constants_keep_their_bits(ty, data, form, flags):
    """Any bit pattern, written as MLIR writes it, reads as those bits and prints stably."""
    width = WIDTH[ty]
    n = 1 if form == "splat" else data.draw(st.integers(2, 6))
    bits = data.draw(st.lists(st.integers(0, 2**width - 1), min_size=n, max_size=n))
    raw = b"".join(b.to_bytes(width // 8, "little") for b in bits)
    if form == "hex-string":
        literal = f'"0x{raw.hex()}"'
    elif form == "list":
        literal = "[" + ", ".join(hex_literal(b, width) for b in bits) + "]"
    else:
        literal = hex_literal(bits[0], width)
    shape = "3x" if form == "splat" else f"{n}x"
    module = parse(constant_module(literal, f"tensor<{shape}{ty}>"))
    want = raw * 3 if form == "splat" else raw
    assert constant_bits(module) == want
    printed = print_with(module, **flags)
    again = parse(printed)
    assert constant_bits(again) == want
    assert print_with(again, **flags) == printed


@pytest.mark.parametrize("value", [1000001.0, 16777217.0, 0.1, 3.4028234663852886e38, 1e-45, -0.0])
def test_decimal_literals_that_need_more_digits(value):
    """xDSL prints such f32 values as hex bits; they must read back as the value, not as an integer."""
    module = parse(constant_module(repr(value) if "." in repr(value) else f"{value:.8e}",
                                   "tensor<2xf32>"))
    want = struct.pack("<f", value) * 2
    assert constant_bits(module) == want
    assert constant_bits(parse(module_to_text(module))) == want


def test_mlir_hex_infinity_is_infinity():
    module = parse(constant_module("0x7F800000", "tensor<f32>"))
    assert np.frombuffer(constant_bits(module), "<f4")[0] == np.inf


def test_signed_zero_and_nan_payload_printed_exactly():
    text = module_to_text(parse(constant_module("[0.0, -0.0]", "tensor<2xf32>")))
    assert "dense<[0.000000e+00, -0.000000e+00]>" in text  # not the splat 0.0
    text = module_to_text(parse(constant_module("0x7F800001", "tensor<2xf32>")))
    assert "dense<0x7F800001>" in text  # a signalling NaN is not quieted


def test_splat_detection_on_bytes():
    assert is_splat_bytes(b"\x01\x02" * 1000, 2)
    assert not is_splat_bytes(b"\x01\x02" * 999 + b"\x01\x03", 2)
    assert is_splat_bytes(b"", 4) and is_splat_bytes(b"abcd", 4)


def test_large_splat_is_cheap():
    """2^25 elements: xDSL expanded a Python list of 32 M floats (seconds, gigabytes)."""
    text = constant_module("1.5", "tensor<33554432xf32>")
    t0 = time.perf_counter()
    module = parse(text)
    printed = module_to_text(module)
    assert time.perf_counter() - t0 < 3.0
    assert "dense<1.500000e+00> : tensor<33554432xf32>" in printed


def test_memory_budget_refuses_before_allocating(monkeypatch):
    monkeypatch.setenv("ERNN_MEMORY_LIMIT", "1G")
    with pytest.raises(ErnnError, match=r"t.mlir:2:35: error: dense<\.\.\.> : tensor<1099511627776xf32> "
                                        r"\(1099511627776 elements\) needs 4\.0 TiB, more than the 1\.0 GiB"):
        parse(constant_module("1.0", "tensor<1099511627776xf32>"))


@pytest.mark.parametrize("size", [165, 20_000, 2_000_000])
def test_unterminated_string_is_rejected_in_linear_time(size):
    """xDSL's string regex backtracks exponentially without a closing quote (minutes at 165 bytes)."""
    head = 'ernn.global @ws0 dense<"0x7de25ebe'
    text = head + "0" * (size - len(head))
    t0 = time.perf_counter()
    with pytest.raises(ErnnError, match="string literal is not closed before the end of the file"):
        parse(text)
    assert time.perf_counter() - t0 < 2.0


def test_long_hex_string_still_parses_fast():
    """The one-pass lexer keeps a 1.6 M-parameter weight constant (12.8 MB of hex) quick."""
    n = 1_600_000
    raw = np.arange(n, dtype="<f4").tobytes()
    text = constant_module(f'"0x{raw.hex()}"', f"tensor<{n}xf32>")
    t0 = time.perf_counter()
    assert constant_bits(parse(text)) == raw
    assert time.perf_counter() - t0 < 5.0


@pytest.mark.parametrize("text,where,message", [
    (b"func.func @f() {\n  \xff\n}", "t.mlir:2:3", "invalid UTF-8 byte 0xff"),
    ("func.func @f(%x: " + "tensor<" * 3000 + "f32" + ">" * 3000 + ") {}", "t.mlir:1:", "nests too deeply"),
    ("builtin.module attributes {a = " + "9" * 5000 + " : i64} {}", "t.mlir:1:32", "number literal of 5000 characters is too long"),
    ('func.func @f() {\n  %c = ernn.constant dense<"0x0\n', "t.mlir:2:28", "not closed before the end of its line"),
    ("builtin.module {\x00}", "t.mlir:1:17", "unexpected character '\\x00'"),
])
def test_bad_text_is_a_located_diagnostic(text, where, message):
    with pytest.raises(ErnnError) as e:
        parse(text)
    first = str(e.value).splitlines()[0]
    assert first.startswith(where) and message in first, first


def test_properties_as_attributes_print_stably():
    """--print-no-properties: the dictionary reads back split differently; it prints the same."""
    from ernn_ir.builder import build_module
    from ernn_ir.models import random_gru

    module = build_module([random_gru(4, 4, 4, seed=0)], seq_len=2)
    flags = {"print_generic_format": True, "print_properties_as_attributes": True}
    first = print_with(module, **flags)
    assert print_with(parse(first), **flags) == first
