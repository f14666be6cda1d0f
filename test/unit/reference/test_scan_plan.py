"""The compiled `ernn.scan` (scan_plan.py) against op-by-op interpretation of the same IR.

`Reference(module)` runs scans through their compiled plan (kernels,
recurrence-independent ops hoisted over all frames, split spectral
accumulation); `Reference(module, step_plan=False)` interprets every body
op at every step.  Both must give the same integers and the same events
per op, for random models, block sizes, formats, rounding and overflow
modes and inputs that saturate.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from xdsl.dialects import func
from xdsl.interpreter import Interpreter

from ernn_ir.builder import build_module, parse_module_text
from ernn_ir.dialects.ernn import AddOp, IrfftOp, PadOp, RfftOp, ScanOp, SpectralMacOp
from ernn_ir.lowering.reference import Reference
from ernn_ir.lowering.reference.scan_plan import compile_scan
from ernn_ir.model_spec import BidirectionalSpec
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.registry import make_context


def _quantized(spec, T, batch, fft=True, **quant):
    m = build_module(spec if isinstance(spec, list) else [spec], T, batch=batch)
    with contextlib.redirect_stderr(io.StringIO()):
        PipelinePass(fft=fft, **quant).apply(make_context(), m)
    return m


def _inputs(module, scale, seed):
    f = next(op for op in module.ops if isinstance(op, func.FuncOp))
    shape = tuple(f.function_type.inputs.data[0].get_shape())
    return np.random.default_rng(seed).standard_normal(shape) * scale


def _events(res) -> dict[int, int]:
    return {id(op): n for op, n in res.events}


def assert_same_runs(module, x):
    """Compiled and interpreted scans agree bit for bit, events per op included."""
    fast = Reference(module).run([x])
    slow = Reference(module, step_plan=False).run([x])
    assert len(fast.outputs) == len(slow.outputs)
    for a, b in zip(fast.outputs, slow.outputs):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert _events(fast) == _events(slow)
    return fast


def _plans(module) -> list:
    kernels = Reference(module).kernels
    return [compile_scan(op, kernels) for op in module.walk() if isinstance(op, ScanOp)]


MODELS = {
    "lstm b2": lambda: random_lstm(5, 8, 2, seed=1),
    "lstm b4 peepholes": lambda: random_lstm(10, 16, 4, peepholes=True, seed=2),
    "lstmp b8": lambda: random_lstm(20, 32, 8, proj_size=16, peepholes=True, seed=3),
    "lstm b16": lambda: random_lstm(33, 32, 16, seed=4),
    "gru b4": lambda: random_gru(9, 16, 4, seed=5),
    "gru b8 reset before": lambda: random_gru(20, 32, 8, reset_after=False, seed=6),
    "gru b32": lambda: random_gru(40, 64, 32, seed=7),
    "bidirectional lstm b8": lambda: [BidirectionalSpec(random_lstm(12, 16, 8, seed=8),
                                                        random_lstm(12, 16, 8, seed=9))],
}


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("fft", [True, False], ids=["fused", "gate"])
def test_pipeline_models_agree(name, fft):
    module = _quantized(MODELS[name](), T=5, batch=2, fft=fft, weight_bits=12)
    assert_same_runs(module, _inputs(module, 1.0, seed=3))
    # saturating inputs: large values through the quantized data path
    res = assert_same_runs(module, _inputs(module, 40.0, seed=4))
    assert sum(n for _, n in res.events) > 0


@pytest.mark.parametrize("name", ["lstmp b8", "gru b4", "gru b32"])
@pytest.mark.parametrize("fft", [True, False], ids=["fused", "gate"])
@pytest.mark.parametrize("dtype,tol", [("f64", 1e-13), ("f32", 2e-6)])
def test_float_models_agree_to_rounding(name, fft, dtype, tol):
    """Float is not bit-exact by contract: a product over all frames may sum in another
    order than one frame's (BLAS blocking), so results agree to rounding error only."""
    spec = MODELS[name]()
    m = build_module([spec], 6, batch=2, dtype=dtype)
    with contextlib.redirect_stderr(io.StringIO()):
        PipelinePass(fft=fft, quantize=False).apply(make_context(), m)
    x = _inputs(m, 1.0, seed=5)
    (a,) = Reference(m).run([x]).outputs
    (b,) = Reference(m, step_plan=False).run([x]).outputs
    assert a.dtype == b.dtype == (np.float64 if dtype == "f64" else np.float32)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@st.composite
def quant_options(draw):
    fft_bits = draw(st.integers(10, 32))
    twiddle_bits = draw(st.integers(4, min(24, 63 - fft_bits)))
    act_bits = draw(st.integers(6, 16))
    return dict(
        weight_bits=draw(st.integers(4, 16)),
        data_bits=act_bits,
        acc_bits=draw(st.integers(12, 32)),
        rounding=draw(st.sampled_from(["half_up", "convergent"])),
        overflow=draw(st.sampled_from(["saturate", "wrap"])),
        segments=draw(st.sampled_from([8, 32])),
    ), dict(fft_bits=fft_bits, fft_frac=draw(st.integers(fft_bits - 14, fft_bits - 4)),
            twiddle_bits=twiddle_bits, twiddle_frac=twiddle_bits - draw(st.integers(1, 3)))


@given(
    kind=st.sampled_from(["lstm", "lstmp", "gru"]),
    L=st.integers(1, 5),
    q=st.integers(1, 3),
    opts=quant_options(),
    scale=st.sampled_from([0.5, 3.0, 50.0]),
    seed=st.integers(0, 10_000),
)
@settings(max_examples=25, deadline=None)
def test_random_models_and_formats_agree(kind, L, q, opts, scale, seed):
    from ernn_ir.passes.pipeline import PipelinePass as Pipeline
    from ernn_ir.passes.quantize import QuantizePass

    b = 1 << L
    H = b * q
    if kind == "gru":
        spec = random_gru(H + 1, H, b, reset_after=seed % 2 == 0, seed=seed)
    else:
        spec = random_lstm(H + 3, H, b, proj_size=b if kind == "lstmp" else None,
                           peepholes=seed % 2 == 0, seed=seed)
    pipe, fft_opts = opts
    m = build_module([spec], 4, batch=2)
    stages = Pipeline(quantize=False, segments=pipe["segments"]).stages()
    quant = QuantizePass(weight_bits=pipe["weight_bits"], input_bits=pipe["data_bits"],
                         cell_bits=pipe["data_bits"], act_bits=pipe["data_bits"],
                         acc_bits=pipe["acc_bits"], rounding=pipe["rounding"],
                         overflow=pipe["overflow"], **fft_opts)
    ctx = make_context()
    with contextlib.redirect_stderr(io.StringIO()):
        for s in [*stages, quant]:
            s.apply(ctx, m)
    assert_same_runs(m, _inputs(m, scale, seed))


def test_fused_lstm_hoists_the_input_path():
    """The fused LSTM: x_t's rfft runs for all frames before the loop and the gate MAC is
    split (x-part accumulated before the loop); the IR is unchanged (rfft in the body)."""
    module = _quantized(random_lstm(20, 32, 8, proj_size=16, seed=3), T=6, batch=1, weight_bits=12)
    (scan,) = [op for op in module.walk() if isinstance(op, ScanOp)]
    assert sum(isinstance(op, RfftOp) for op in scan.body.block.ops) == 3
    (plan,) = _plans(module)
    hoisted = [h.op for h in plan.hoisted]
    assert [type(op) for op in hoisted if not isinstance(op, PadOp)] == [RfftOp]
    assert hoisted[-1].input.type.get_shape()[-1] == 24  # x_t (20 inputs, padded to 3 blocks)
    (split,) = plan.splits
    assert [hoisted for _, hoisted, _, _ in split.parts] == [True, False]  # x-part, recurrent part
    assert_same_runs(module, _inputs(module, 1.0, seed=1))


def test_gru_hoists_the_whole_input_path():
    """A GRU's candidate input path (rfft, spectral MAC, irfft, bias add) depends on x_t only."""
    module = _quantized(random_gru(20, 32, 8, seed=6), T=6, batch=1, weight_bits=12)
    (plan,) = _plans(module)
    hoisted_types = [type(h.op) for h in plan.hoisted]
    assert {RfftOp, SpectralMacOp, IrfftOp, AddOp} <= set(hoisted_types)
    assert hoisted_types.count(RfftOp) == 1 and len(plan.splits) == 1
    assert_same_runs(module, _inputs(module, 1.0, seed=2))


def test_gate_sigmoids_run_once_on_the_gate_vector():
    """Without peepholes an LSTM's i, f and o sigmoids (one table, no possible overflow) read
    slices of one vector: the plan evaluates the table once and slices; a GRU's r and z too."""
    lstm = _quantized(random_lstm(12, 16, 8, seed=2), T=4, batch=1, weight_bits=12)
    gru = _quantized(random_gru(12, 16, 8, seed=3), T=4, batch=1, weight_bits=12)
    for module, n in ((lstm, 3), (gru, 2)):
        (plan,) = _plans(module)
        assert sorted(len(outs) for _, _, outs in plan.steps)[-1] == n
        assert_same_runs(module, _inputs(module, 1.0, seed=4))
        assert_same_runs(module, _inputs(module, 30.0, seed=5))


def test_listeners_see_every_body_op_at_every_step():
    """With a listener (calibration observes every value) scans are interpreted op by op."""
    module = _quantized(random_lstm(6, 8, 4, seed=1), T=3, batch=1, quantize=False)
    (scan,) = [op for op in module.walk() if isinstance(op, ScanOp)]
    body_ops = set(scan.body.block.ops)

    class Count(Interpreter.Listener):
        def __init__(self):
            self.n = 0

        def did_interpret_op(self, op, results):
            self.n += op in body_ops

    ref = Reference(module)
    count = Count()
    ref.interpreter.listeners = (count,)
    ref.run([_inputs(module, 1.0, seed=0)])
    assert count.n == 3 * len(body_ops)


def _wide_mac_module(T: int, width: int = 29):
    """x-part and recurrent part of one spectral MAC with 32-bit weights (1.0 at frac 31)
    and `width`-bit spectra: the exact accumulator needs float64 or int64 depending on the
    data; the carried value keeps the magnitude of the input.  (32-bit spectra would need
    more than 64 bits; the verifier refuses those.)"""
    fx0, fx_4 = f"!ernn.fixed<{width}, 0>", f"!ernn.fixed<{width}, -4>"
    x_t, h_t = f"tensor<1x8x{fx0}>", f"tensor<1x8x{fx_4}>"
    X, Y = f"tensor<1x1x5x2x{fx0}>", f"tensor<1x1x5x2x{fx_4}>"
    Xc, Wt = f"tensor<1x2x5x2x{fx0}>", "tensor<1x2x5x2x!ernn.fixed<32, 31>>"
    xs, hs = f"tensor<{T}x1x8x{fx0}>", f"tensor<{T}x1x8x{fx_4}>"
    tw = "{twiddle = !ernn.fixed<16, 14>}"
    text = f"""
func.func @main(%x: {xs}) -> {hs} {{
  %w = ernn.constant dense<2147483647> : tensor<1x2x5x2xi32> -> {Wt}
  %h0 = ernn.constant dense<0> : tensor<1x8xi32> -> {h_t}
  %y, %h = ernn.scan(%x : {xs}) init(%h0 : {h_t}) -> {hs}, {h_t} {{
  ^bb0(%xt: {x_t}, %hp: {h_t}):
    %X1 = ernn.rfft %xt {tw} : {x_t} -> {X}
    %X2 = ernn.rfft %hp {tw} : {h_t} -> {X}
    %Xc = ernn.concat dim(1) %X1, %X2 : {X}, {X} -> {Xc}
    %Y = ernn.spectral_mac %w, %Xc : {Wt}, {Xc} -> {Y}
    %g = ernn.irfft %Y {tw} : {Y} -> {h_t}
    ernn.yield %g, %g : {h_t}, {h_t}
  }}
  func.return %y : {hs}
}}
"""
    return parse_module_text(text)


@pytest.mark.parametrize("magnitude", [2**8, 2**20, 2**27])
def test_split_accumulation_keeps_the_64_bit_bound(magnitude):
    """Small data: the float64 path; larger: the int64 path; both schedules agree exactly."""
    module = _wide_mac_module(T=4)
    x = np.random.default_rng(0).integers(-magnitude, magnitude, size=(4, 1, 8))
    (plan,) = _plans(module)
    assert len(plan.splits) == 1
    assert_same_runs(module, x)


def test_accumulators_beyond_64_bits_are_refused_by_the_verifier():
    from ernn_ir.diagnostics import ErnnError

    with pytest.raises(ErnnError, match="needs an exact accumulator of 66 bits"):
        _wide_mac_module(T=4, width=32)
