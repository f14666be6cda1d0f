"""The verifier's 64-bit accumulator bound is the reference's: what verifies runs exactly at the
extreme values, one input block (or one fraction bit) more is refused before anything runs."""

from __future__ import annotations

import numpy as np
import pytest
from ernn_ir.builder import parse_module_text
from ernn_ir.diagnostics import ErnnError
from ernn_ir.lowering.reference import Reference


def _spectral_mac(ww: int, wx: int, q: int) -> str:
    w = f"tensor<1x{q}x2x2x!ernn.fixed<{ww}, 0>>"
    x = f"tensor<1x{q}x2x2x!ernn.fixed<{wx}, 0>>"
    y = "tensor<1x1x2x2x!ernn.fixed<32, -32>>"
    return (
        f"func.func @main(%w: {w}, %x: {x}) -> {y} {{\n"
        f"  %y = ernn.spectral_mac %w, %x : {w}, {x} -> {y}\n"
        f"  func.return %y : {y}\n}}\n"
    )


def _add(fb: int) -> str:
    a, b, y = "tensor<2x!ernn.fixed<32, 0>>", f"tensor<2x!ernn.fixed<16, {fb}>>", "tensor<2x!ernn.fixed<32, 0>>"
    return (
        f"func.func @main(%a: {a}, %b: {b}) -> {y} {{\n"
        f"  %y = ernn.add %a, %b : {a}, {b} -> {y}\n"
        f"  func.return %y : {y}\n}}\n"
    )


def test_spectral_mac_at_the_bound_runs_exactly():
    # 2 * 1 block * 2^30 * 2^31 = 2^62: the largest sum fits.
    m = parse_module_text(_spectral_mac(31, 32, 1))
    m.verify()
    w = np.full((1, 1, 2, 2), -(1 << 30), np.int64)
    x = np.full((1, 1, 2, 2), -(1 << 31), np.int64)
    res = Reference(m).run([w, x])
    y = res.outputs[0]
    # re = wr*xr - wi*xi = 0, im = wr*xi + wi*xr = 2^62 = 2^30 lsbs of 2^32
    assert y[..., 0].tolist() == [[[0, 0]]]
    assert y[..., 1].tolist() == [[[1 << 30, 1 << 30]]]
    assert res.events == []


def test_spectral_mac_beyond_the_bound_is_refused_by_the_verifier():
    with pytest.raises(ErnnError, match=r"<string>:2:3: error: 'ernn.spectral_mac' op .* needs an exact accumulator of 65 bits"):
        parse_module_text(_spectral_mac(31, 32, 2))


def test_aligned_add_at_the_bound_runs_exactly():
    # 2^31 + 2^15 * 2^31 < 2^63: both operands aligned to 31 fraction bits fit.
    m = parse_module_text(_add(31))
    m.verify()
    a = np.array([-(1 << 31), (1 << 31) - 1], np.int64)
    b = np.array([-(1 << 15), (1 << 15) - 1], np.int64)
    y = Reference(m).run([a, b]).outputs[0]
    exact = [(int(ai) * 2**31 + int(bi)) / 2**31 for ai, bi in zip(a, b)]
    assert y.tolist() == [int(np.floor(v + 0.5)) for v in exact]


def test_aligned_add_that_would_wrap_is_refused():
    """Aligning 2^31 to 40 fraction bits needs 2^71: the sum used to wrap modulo 2^64."""
    with pytest.raises(ErnnError, match="'ernn.add' needs an exact accumulator of 73 bits"):
        parse_module_text(_add(40))
