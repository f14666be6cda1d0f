"""Passes applied in any order, or to IR they do not expect, never crash.

For every ordered pair of registered passes, on small LSTM and GRU models
(starting from model-level, gate-level, naive FFT and fused FFT IR), each pass either

* raises a diagnostic (`DiagnosticException` or `ErnnError`) with a message
  naming the pass, or
* leaves a module that verifies and that the reference still runs: float64
  outputs equal to the original within 1e-9 when no pass that changes the
  numerics (quantize, activation approximation, the pipeline) has run, and
  finite outputs of the original shapes otherwise.

Anything else (an AssertionError, KeyError, ... escaping a pass, a module
that no longer verifies, a reference failure) is a bug.
"""

from __future__ import annotations

import contextlib
import io
import itertools

import numpy as np
import pytest
from xdsl.utils.exceptions import DiagnosticException

from ernn_ir.builder import build_module, module_to_text
from ernn_ir.diagnostics import ErnnError
from ernn_ir.lowering.reference import run_module
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.passes import PASSES
from ernn_ir.registry import make_context

TOL = 1e-9
T = 2

# Passes whose result differs numerically from the float model by design.
NUMERIC = {"ernn-quantize", "ernn-approximate-activations", "ernn-pipeline"}
NAMES = sorted(PASSES)

MODELS = {
    "lstmp": lambda: build_module(
        [random_lstm(6, 8, 4, proj_size=4, peepholes=True, seed=1)], T, dtype="f64"
    ),
    "gru": lambda: build_module([random_gru(6, 8, 4, reset_after=True, seed=2)], T, dtype="f64"),
    "gru_reset_before": lambda: build_module(
        [random_gru(5, 8, 4, reset_after=False, bias=False, seed=3)], T, dtype="f64"
    ),
}


# Where the pairs start: the stages a user's hand-written pipeline can stop at.
STARTS = {
    "model": (),
    "gate": ("ernn-expand-cells",),
    "fft": ("ernn-expand-cells", "ernn-circulant-to-fft"),
    "fused": ("ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion"),
}


def _inputs(module):
    t = module.ops.first.function_type.inputs.data[0]
    return [np.random.default_rng(0).standard_normal(tuple(t.get_shape()))]


def _apply(name, module):
    """Apply pass `name`; True if it ran, False if it gave a diagnostic."""
    p = PASSES[name]()()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            p.apply(make_context(), module)
    except (DiagnosticException, ErnnError) as e:
        msg = str(e)
        assert msg.strip(), f"{name}: empty diagnostic"
        # The message names the pass that refused (or, for the pipeline, its stage).
        assert "ernn-" in msg, f"{name}: diagnostic does not name a pass: {msg!r}"
        return False
    return True


def _check_pair(kind, start, first, second):
    module = MODELS[kind]()
    x = _inputs(module)
    ref = run_module(module, x)
    numeric = False
    for name in STARTS[start]:
        PASSES[name]()().apply(make_context(), module)
    for name in (first, second):
        ok = _apply(name, module)
        if not ok:
            break
        numeric |= name in NUMERIC
        module.verify()
        # The printed module must read back (no half-rewritten IR that only exists in memory).
        assert module_to_text(module)
        outs = run_module(module, x)
        assert len(outs) == len(ref)
        for a, r in zip(outs, ref):
            assert a.shape == r.shape
            assert np.all(np.isfinite(a)), f"{first},{second}: non-finite output"
            if not numeric:
                np.testing.assert_allclose(
                    a, r, rtol=0, atol=TOL, err_msg=f"{kind} {start}: {first},{second} after {name}"
                )


@pytest.mark.parametrize("start", sorted(STARTS))
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_all_ordered_pairs(kind, start):
    failures = []
    for first, second in itertools.product(NAMES, repeat=2):
        try:
            _check_pair(kind, start, first, second)
        except Exception as e:  # noqa: BLE001 -- collect every failing pair, report all at once
            failures.append(f"{first} -> {second}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    assert not failures, f"{kind} from {start} level:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------
# the specific cases of test/lit/passes/pass-order.mlir, from Python


def _module():
    return MODELS["lstmp"]()


def _run(module, *names):
    for n in names:
        PASSES[n]()().apply(make_context(), module)
    module.verify()
    return module


def test_fusion_on_model_level_is_a_no_op():
    m = _module()
    before = module_to_text(m)
    assert module_to_text(_run(m, "ernn-fft-fusion")) == before


def test_circulant_to_fft_before_expand_is_a_no_op():
    m = _module()
    before = module_to_text(m)
    assert module_to_text(_run(m, "ernn-circulant-to-fft", "ernn-weight-sharing")) == before


def test_quantize_before_expand_is_refused():
    with pytest.raises(DiagnosticException, match="run ernn-expand-cells first"):
        _run(_module(), "ernn-quantize")


def test_circulant_to_fft_after_quantize_is_refused():
    with pytest.raises(DiagnosticException, match="fixed point; lower to the FFT before quantizing"):
        _run(_module(), "ernn-expand-cells", "ernn-quantize", "ernn-circulant-to-fft")


def test_fusion_after_quantize_on_naive_form_is_refused():
    m = _run(_module(), "ernn-expand-cells", "ernn-circulant-to-fft", "ernn-quantize")
    before = module_to_text(m)
    with pytest.raises(DiagnosticException, match="already fixed point.*run ernn-fft-fusion before ernn-quantize"):
        _run(m, "ernn-fft-fusion")
    assert module_to_text(m) == before  # refused before touching the IR


def test_fusion_after_quantize_on_fused_form_is_a_no_op():
    m = _run(_module(), "ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion", "ernn-quantize")
    before = module_to_text(m)
    assert module_to_text(_run(m, "ernn-fft-fusion")) == before


def test_pipeline_twice_is_a_no_op():
    m = _module()
    with contextlib.redirect_stderr(io.StringIO()):
        _run(m, "ernn-pipeline")
        once = module_to_text(m)
        _run(m, "ernn-pipeline")
    assert module_to_text(m) == once


MIXED_BLOCKS = """
func.func @main(%x: tensor<1x6xf64>) -> (tensor<1x8xf64>, tensor<1x6xf64>) {
  %w4 = ernn.circulant dense<0.5> : tensor<2x2x4xf64> -> !ernn.circulant<8x6xf64, block = 4>
  %w3 = ernn.circulant dense<0.5> : tensor<2x2x3xf64> -> !ernn.circulant<6x6xf64, block = 3>
  %a = ernn.circ_matvec %w4, %x : !ernn.circulant<8x6xf64, block = 4>, tensor<1x6xf64> -> tensor<1x8xf64>
  %b = ernn.circ_matvec %w3, %x : !ernn.circulant<6x6xf64, block = 3>, tensor<1x6xf64> -> tensor<1x6xf64>
  func.return %a, %b : tensor<1x8xf64>, tensor<1x6xf64>
}
"""


def test_circulant_to_fft_refusal_leaves_the_module_as_it_was():
    """A block size without FFT form anywhere: no matvec is lowered, not even the b = 4 one."""
    from ernn_ir.builder import parse_module_text

    m = parse_module_text(MIXED_BLOCKS)
    before = module_to_text(m)
    with pytest.raises(DiagnosticException, match="block size 3, which is not a power of two"):
        _run(m, "ernn-circulant-to-fft")
    assert module_to_text(m) == before
