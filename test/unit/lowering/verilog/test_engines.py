"""The rFFT/IRFFT engines alone, simulated in Icarus: bit-exact to docs/numerics.md section 8, at the latency units.py states."""

from __future__ import annotations

import numpy as np
import pytest

from ernn_ir.hardware import units
from ernn_ir.lowering.verilog.fft_rtl import irfft_engine, rfft_engine, spectrum_slots
from ernn_ir.lowering.verilog.harness import run_vectors
from ernn_ir.numerics import FixedFormat, irfft_fixed, rfft_fixed


def pack(vals, w):
    word = 0
    for i, v in enumerate(vals):
        word |= (int(v) & ((1 << w) - 1)) << (i * w)
    return word


def unpack(word, n, w):
    out = []
    for i in range(n):
        v = (word >> (i * w)) & ((1 << w) - 1)
        out.append(v - (1 << w) if v >= 1 << (w - 1) else v)
    return out


CASES = [
    (2, "half_up", "saturate", 16, 11, 24, 14),
    (4, "convergent", "wrap", 16, 11, 16, 12),
    (8, "half_up", "saturate", 16, 11, 24, 14),
    (8, "convergent", "saturate", 12, 9, 10, 8),  # narrow output: saturates
    (16, "half_up", "wrap", 16, 12, 12, 10),      # wraps
    (16, "convergent", "saturate", 16, 11, 20, 14),
]


@pytest.mark.parametrize("b,rnd,ovf,wi,fi,wo,fo", CASES)
def test_engines_bit_exact_and_timed(b, rnd, ovf, wi, fi, wo, fo):
    fin, fmt, tw = FixedFormat(wi, fi), FixedFormat(wo, fo), FixedFormat(16, 14)
    rng = np.random.default_rng(b + wo)
    N = 12
    X = rng.integers(-(1 << (wi - 1)), 1 << (wi - 1), size=(N, b))
    ref, ev = rfft_fixed(X, fi, b, fmt, tw, rnd, ovf)
    L = units.fft_latency(b, False) - 1  # registers; the consumer's write is the last cycle
    mod = rfft_engine("rfft_t", b, fin, fmt, tw, rnd, ovf)
    outs = run_vectors([mod], "rfft_t", [{"en": 1, "x": pack(X[i], wi) if i < N else 0} for i in range(N + L)])
    slots = spectrum_slots(b)
    got = [unpack(outs[i + L - 1]["y"], b, wo) for i in range(N)]
    assert got == [[int(ref[i, 0, k, c]) for k, c in slots] for i in range(N)]
    assert sum(outs[i + L - 1]["events"] for i in range(N)) == ev

    fin2 = FixedFormat(32, 20)
    S = rng.integers(-(1 << 31), 1 << 31, size=(N, 1, b // 2 + 1, 2))
    ref2, ev2 = irfft_fixed(S, 20, b, fmt, tw, rnd, ovf)
    for deep in (False, True):  # the deep pipeline (ECP5) halves a cycle after each inverse butterfly
        L2 = units.fft_latency(b, True, deep) - 1
        mod2 = irfft_engine("irfft_t", b, fin2, fmt, tw, rnd, ovf, deep)
        outs = run_vectors([mod2], "irfft_t",
                           [{"en": 1, "x": pack([S[i, 0, k, c] for k, c in slots], 32) if i < N else 0}
                            for i in range(N + L2)])
        got = [unpack(outs[i + L2 - 1]["y"], b, wo) for i in range(N)]
        assert got == [list(map(int, ref2[i])) for i in range(N)], deep
        assert sum(outs[i + L2 - 1]["events"] for i in range(N)) == ev2, deep


def test_engine_holds_when_stalled():
    """With en low the pipeline keeps its contents (the design stalls as a whole)."""
    b, fin, fmt, tw = 8, FixedFormat(16, 11), FixedFormat(24, 14), FixedFormat(16, 14)
    X = np.random.default_rng(0).integers(-30000, 30000, size=(1, b))
    ref, _ = rfft_fixed(X, 11, b, fmt, tw, "half_up", "saturate")
    L = units.fft_latency(b, False) - 1
    mod = rfft_engine("rfft_s", b, fin, fmt, tw, "half_up", "saturate")
    vecs = [{"en": 1, "x": pack(X[0], 16)}] + [{"en": 0}] * 5 + [{"en": 1}] * L
    outs = run_vectors([mod], "rfft_s", vecs)
    slots = spectrum_slots(b)
    assert unpack(outs[L - 1 + 5]["y"], b, 24) == [int(ref[0, 0, k, c]) for k, c in slots]
