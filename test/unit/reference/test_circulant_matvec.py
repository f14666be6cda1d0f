"""`ernn.circ_matvec` through the reference interpreter, property-based.

Float: against a dense expansion (index arithmetic written here), float64 to
1e-9.  Fixed point: against exact Python integers with one rounding
(Fraction), bit for bit, with the overflow event count.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects import func
from xdsl.dialects.builtin import Float32Type, Float64Type, ModuleOp, TensorType
from xdsl.ir import Block, Region

from ernn_ir.builder import circulant
from ernn_ir.dialects.ernn import (
    CircMatvecOp,
    FixedType,
    OverflowAttr,
    OverflowMode,
    RoundingAttr,
    RoundingMode,
)
from ernn_ir.lowering.reference import Reference, run_module
from ernn_ir.model_spec import CirculantWeight

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BLOCKS = st.sampled_from([1, 2, 4, 8, 16])


def expand(params: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """W[i*b + r, j*b + k] = params[i, j, (r - k) mod b], truncated to rows x cols."""
    p, q, b = params.shape
    idx = (np.arange(b)[:, None] - np.arange(b)[None, :]) % b
    full = params[:, :, idx].transpose(0, 2, 1, 3).reshape(p * b, q * b)
    return full[:rows, :cols]


def matvec_module(params, rows, cols, elem, lead, x_last, y_last, rounding=None, overflow=None) -> ModuleOp:
    in_t = TensorType(elem, (*lead, x_last))
    out_t = TensorType(elem, (*lead, y_last))
    block = Block(arg_types=[in_t])
    b = Builder(InsertPoint.at_end(block))
    w = circulant(b, CirculantWeight(rows, cols, params), elem, "w")
    op = CircMatvecOp(w, block.args[0], out_t)
    if rounding is not None:
        op.properties["rounding"] = RoundingAttr(RoundingMode(rounding))
    if overflow is not None:
        op.properties["overflow"] = OverflowAttr(OverflowMode(overflow))
    b.insert(op)
    b.insert(func.ReturnOp(op.result))
    mod = ModuleOp([func.FuncOp("main", ([in_t], [out_t]), Region(block))])
    mod.verify()
    return mod


@st.composite
def float_case(draw):
    b = draw(BLOCKS)
    m = draw(st.integers(1, 40))
    n = draw(st.integers(1, 40))
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    padded_in = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return b, m, n, lead, padded_in, seed


@SETTINGS
@given(float_case())
def test_float64_against_dense(case):
    b, m, n, lead, padded_in, seed = case
    rng = np.random.default_rng(seed)
    p, q = -(-m // b), -(-n // b)
    params = rng.standard_normal((p, q, b))
    x = rng.standard_normal((*lead, n))
    x_last = q * b if padded_in else n
    xin = np.zeros((*lead, x_last))
    xin[..., :n] = x
    mod = matvec_module(params, m, n, Float64Type(), lead, x_last, m)
    (y,) = run_module(mod, [xin])
    want = x @ expand(params, m, n).T
    assert y.dtype == np.float64 and y.shape == (*lead, m)
    np.testing.assert_allclose(y, want, rtol=1e-9, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(float_case())
def test_float32_against_dense(case):
    b, m, n, lead, padded_in, seed = case
    rng = np.random.default_rng(seed)
    p, q = -(-m // b), -(-n // b)
    params = rng.standard_normal((p, q, b)).astype(np.float32)
    x = rng.standard_normal((*lead, n)).astype(np.float32)
    mod = matvec_module(params, m, n, Float32Type(), lead, n, m)
    (y,) = run_module(mod, [x])
    assert y.dtype == np.float32
    want = x.astype(np.float64) @ expand(params.astype(np.float64), m, n).T
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5 * max(1, np.sqrt(n)))


# ---------------------------------------------------------------- fixed point


def py_round_overflow(num: int, shift: int, width: int, rounding: str, overflow: str) -> tuple[int, bool]:
    """Round the exact value num * 2^-shift to an integer once, then fit `width` bits."""
    v = Fraction(num) / Fraction(2) ** shift
    fl = math.floor(v)
    d = v - fl
    if rounding == "half_up":
        r = fl + (d >= Fraction(1, 2))
    else:
        r = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    if lo <= r <= hi:
        return r, False
    if overflow == "saturate":
        return min(max(r, lo), hi), True
    return (r - lo) % (1 << width) + lo, True


@st.composite
def fixed_case(draw):
    b = draw(BLOCKS)
    m = draw(st.integers(1, 24))
    n = draw(st.integers(1, 24))
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    ww = draw(st.integers(2, 16))
    fw = draw(st.integers(-4, 20))
    wx = draw(st.integers(2, 16))
    fx = draw(st.integers(-4, 20))
    wo = draw(st.integers(2, 32))
    fo = draw(st.integers(-8, 40))
    rounding = draw(st.sampled_from(["half_up", "convergent"]))
    overflow = draw(st.sampled_from(["saturate", "wrap"]))
    padded_in = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return b, m, n, lead, (ww, fw), (wx, fx), (wo, fo), rounding, overflow, padded_in, seed


@SETTINGS
@given(fixed_case())
def test_fixed_against_exact_integers(case):
    b, m, n, lead, (ww, fw), (wx, fx), (wo, fo), rounding, overflow, padded_in, seed = case
    rng = np.random.default_rng(seed)
    p, q = -(-m // b), -(-n // b)
    params = rng.integers(-(1 << (ww - 1)), 1 << (ww - 1), size=(p, q, b))
    x = rng.integers(-(1 << (wx - 1)), 1 << (wx - 1), size=(*lead, n))
    x_last = q * b if padded_in else n
    xin = np.zeros((*lead, x_last), dtype=np.int64)
    xin[..., :n] = x
    # one weight type, one input type, one result type: ernn.circ_matvec wants one domain (fixed)
    mod = _fixed_module(params, m, n, (ww, fw), (wx, fx), (wo, fo), lead, x_last, rounding, overflow)
    res = Reference(mod).run([xin])
    (y,) = res.outputs
    assert y.dtype == np.int64 and y.shape == (*lead, m)

    D = expand(params, m, n)
    shift = fw + fx - fo
    want = np.zeros((*lead, m), dtype=object)
    events = 0
    for idx in np.ndindex(*lead):
        xv = [int(v) for v in x[idx]]
        for r in range(m):
            acc = sum(int(D[r, k]) * xv[k] for k in range(n))
            want[idx + (r,)], ev = py_round_overflow(acc, shift, wo, rounding, overflow)
            events += ev
    assert y.tolist() == want.tolist()
    got_events = sum(c for _, c in res.events)
    assert got_events == events
    if events:
        (op, c), = res.events
        assert op.name == "ernn.circ_matvec"


def _fixed_module(params, m, n, wfmt, xfmt, ofmt, lead, x_last, rounding, overflow, y_last=None):
    wt, xt, ot = FixedType(*wfmt), FixedType(*xfmt), FixedType(*ofmt)
    in_t = TensorType(xt, (*lead, x_last))
    out_t = TensorType(ot, (*lead, m if y_last is None else y_last))
    block = Block(arg_types=[in_t])
    bld = Builder(InsertPoint.at_end(block))
    w = circulant(bld, CirculantWeight(m, n, params), wt, "w")
    op = CircMatvecOp(w, block.args[0], out_t)
    op.properties["rounding"] = RoundingAttr(RoundingMode(rounding))
    op.properties["overflow"] = OverflowAttr(OverflowMode(overflow))
    bld.insert(op)
    bld.insert(func.ReturnOp(op.result))
    mod = ModuleOp([func.FuncOp("main", ([in_t], [out_t]), Region(block))])
    mod.verify()
    return mod


def test_fixed_tie_rounds_once():
    """A sum whose exact value is a tie must round once (double rounding would differ)."""
    # 1x2 matrix, b = 2: W = [[w0, w1]] (first row of circ([w0, w1])), x = [x0, x1]
    params = np.array([[[1, 3]]])  # W row 0 = [w[0], w[(0 - 1) mod 2]] = [1, 3]
    # w and x at frac 1, so the exact sum has frac 2; the result (frac 0) drops 2 bits
    mod = _fixed_module(params, 1, 2, (8, 1), (8, 1), (8, 0), (), 2, "half_up", "saturate")
    # acc = 1*3 + 3*1 = 6 at frac 2 -> 1.5 -> half_up 2
    (y,) = Reference(mod).run([np.array([3, 1])]).outputs
    assert y.tolist() == [2]
    mod = _fixed_module(params, 1, 2, (8, 1), (8, 1), (8, 0), (), 2, "convergent", "saturate")
    (y,) = Reference(mod).run([np.array([3, 1])]).outputs
    assert y.tolist() == [2]
    (y,) = Reference(mod).run([np.array([1, 1])]).outputs  # acc 4 -> 1.0
    assert y.tolist() == [1]
    (y,) = Reference(mod).run([np.array([-1, 1])]).outputs  # -1 + 3 = 2 -> 0.5 -> 0 (even)
    assert y.tolist() == [0]


# ---------------------------------------------------------------- padding contract


@pytest.mark.parametrize("fixed", [False, True])
def test_padded_result_rows_are_the_full_circulant_product(fixed):
    """A p*b-long result is the product with the whole block-circulant matrix (gate_ops.CircMatvecOp)."""
    params = np.arange(1, 9).reshape(2, 1, 4)  # 5x3 matrix, b = 4: p = 2, q = 1
    if fixed:
        mod = _fixed_module(params, 5, 3, (8, 0), (8, 0), (16, 0), (), 3, "half_up", "saturate", y_last=8)
        x = np.array([1, 0, 0])
    else:
        mod = matvec_module(params.astype(np.float64), 5, 3, Float64Type(), (), 3, 8)
        x = np.array([1.0, 0.0, 0.0])
    mod.verify()
    (y,) = run_module(mod, [x])
    assert y.shape == (8,)
    np.testing.assert_allclose(y, [1, 2, 3, 4, 5, 6, 7, 8], rtol=0, atol=0 if fixed else 1e-12)
