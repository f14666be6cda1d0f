"""Every gate / frequency / quantization / structure op through the reference interpreter.

Modules are parsed from IR text (`parse_module_text`) and run with
`Reference(module).run(...)`.  Float results are checked against numpy
formulas; fixed-point results bit for bit against apytypes (rounding and
saturation) or exact Python integers, together with the overflow event
counts reported in `RunResult.events`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from ernn_ir.builder import parse_module_text
from ernn_ir.diagnostics import ErnnError
from ernn_ir.lowering.reference import Reference, ReferenceError, RunResult, run_module

apy = pytest.importorskip("apytypes")

ROUNDINGS = ["half_up", "convergent"]
OVERFLOWS = ["saturate", "wrap"]
APY_Q = {"half_up": apy.QuantizationMode.TIES_POS, "convergent": apy.QuantizationMode.TIES_EVEN}
APY_O = {"saturate": apy.OverflowMode.SAT, "wrap": apy.OverflowMode.WRAP}


# ---------------------------------------------------------------- helpers


def fx(w: int, f: int) -> str:
    return f"!ernn.fixed<{w}, {f}>"


def tt(shape, elem: str) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def modes(rounding: str | None, overflow: str | None) -> str:
    parts = []
    if rounding:
        parts.append(f"rounding = #ernn.rounding<{rounding}>")
    if overflow:
        parts.append(f"overflow = #ernn.overflow<{overflow}>")
    return "{" + ", ".join(parts) + "}" if parts else ""


def module(args: list[str], results: list[str], body: str, ret: list[str]):
    sig = ", ".join(f"%a{i}: {t}" for i, t in enumerate(args))
    res = ", ".join(results)
    text = (
        f"func.func @main({sig}) -> ({res}) {{\n{body}\n"
        f"  func.return {', '.join(ret)} : {res}\n}}\n"
    )
    return parse_module_text(text)


def run(mod, *inputs) -> RunResult:
    return Reference(mod).run(list(inputs))


def events(res: RunResult) -> dict[str, int]:
    out: dict[str, int] = {}
    for op, n in res.events:
        out[op.name] = out.get(op.name, 0) + n
    return out


def rand_raw(rng, w, shape):
    return rng.integers(-(1 << (w - 1)), 1 << (w - 1), size=shape, dtype=np.int64)


def from_bits(bits, width):
    half = 1 << (width - 1)
    return np.array([int(v) - (1 << width) if int(v) >= half else int(v) for v in bits], np.int64)


def apy_cast(a, w, f, rnd, ovf) -> np.ndarray:
    b = a.cast(bits=w, frac_bits=f, quantization=APY_Q[rnd], overflow=APY_O[ovf])
    return from_bits(np.asarray(b.to_bits()).ravel(), w)


def apy_arr(raw, w, f):
    return apy.APyFixedArray([int(v) for v in np.ravel(raw)], bits=w, frac_bits=f)


def py_round(num, frac_in: int, w: int, f: int, rnd: str, ovf: str) -> tuple[int, bool]:
    """Exact value num * 2^-frac_in (int or Fraction) to raw of fixed<w, f>: one rounding, then overflow."""
    v = Fraction(num) * Fraction(2) ** (f - frac_in)
    fl = math.floor(v)
    d = v - fl
    if rnd == "half_up":
        r = fl + (d >= Fraction(1, 2))
    else:
        r = fl + (d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2 == 1))
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    if lo <= r <= hi:
        return r, False
    if ovf == "saturate":
        return min(max(r, lo), hi), True
    return (r - lo) % (1 << w) + lo, True


def py_round_all(values, frac_in, w, f, rnd, ovf):
    out, ev = [], 0
    for v in values:
        r, e = py_round(v, frac_in, w, f, rnd, ovf)
        out.append(r)
        ev += e
    return np.array(out, np.int64), ev


# ---------------------------------------------------------------- element-wise float


@pytest.mark.parametrize("opname,fn", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply)])
@pytest.mark.parametrize("dt", ["f32", "f64"])
def test_binary_float_broadcast(opname, fn, dt):
    rng = np.random.default_rng(1)
    a_t, b_t, r_t = tt((2, 3, 4), dt), tt((4,), dt), tt((2, 3, 4), dt)
    mod = module(
        [a_t, b_t], [r_t],
        f"  %r = ernn.{opname} %a0, %a1 : {a_t}, {b_t} -> {r_t}", ["%r"],
    )
    npdt = np.float32 if dt == "f32" else np.float64
    a, b = rng.standard_normal((2, 3, 4)).astype(npdt), rng.standard_normal(4).astype(npdt)
    res = run(mod, a, b)
    assert res.outputs[0].dtype == npdt
    np.testing.assert_array_equal(res.outputs[0], fn(a, b).astype(npdt))
    assert res.events == []


@pytest.mark.parametrize("opname,fn", [("sigmoid", lambda x: 1 / (1 + np.exp(-x))), ("tanh", np.tanh)])
def test_activation_float(opname, fn):
    x = np.linspace(-30, 30, 61)
    t = tt((61,), "f64")
    mod = module([t], [t], f"  %r = ernn.{opname} %a0 : {t} -> {t}", ["%r"])
    np.testing.assert_allclose(run(mod, x).outputs[0], fn(x), rtol=1e-14, atol=1e-300)


# ---------------------------------------------------------------- element-wise fixed


FMT_CASES = [
    # (lhs fmt, rhs fmt, result fmt)
    ((8, 4), (8, 4), (8, 4)),
    ((12, 6), (10, 2), (8, 3)),
    ((16, 8), (6, 6), (12, 10)),
    ((8, -2), (8, 5), (10, 0)),
    ((6, 8), (7, 10), (5, 2)),
]


@pytest.mark.parametrize("fa,fb,fo", FMT_CASES)
@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
@pytest.mark.parametrize("opname", ["add", "sub", "mul"])
def test_binary_fixed_vs_apytypes(opname, fa, fb, fo, rnd, ovf):
    rng = np.random.default_rng(hash((opname, fa, fb, fo, rnd, ovf)) % 2**32)
    a_t, b_t, r_t = tt((3, 40), fx(*fa)), tt((40,), fx(*fb)), tt((3, 40), fx(*fo))
    mod = module(
        [a_t, b_t], [r_t],
        f"  %r = ernn.{opname} %a0, %a1 {modes(rnd, ovf)} : {a_t}, {b_t} -> {r_t}", ["%r"],
    )
    a, b = rand_raw(rng, fa[0], (3, 40)), rand_raw(rng, fb[0], (40,))
    res = run(mod, a, b)
    A, B = np.broadcast_arrays(a, b)
    xa, xb = apy_arr(A, *fa), apy_arr(B, *fb)
    exact = {"add": xa + xb, "sub": xa - xb, "mul": xa * xb}[opname]
    want = apy_cast(exact, *fo, rnd, ovf).reshape(3, 40)
    np.testing.assert_array_equal(res.outputs[0], want)
    # events: elements whose rounded value left the range (python model)
    fr = {"add": max(fa[1], fb[1]), "sub": max(fa[1], fb[1]), "mul": fa[1] + fb[1]}[opname]
    ex = []
    for u, v in zip(A.ravel().tolist(), B.ravel().tolist()):
        if opname == "mul":
            ex.append(u * v)
        else:
            uu, vv = u << (fr - fa[1]), v << (fr - fb[1])
            ex.append(uu + vv if opname == "add" else uu - vv)
    py, ev = py_round_all(ex, fr, *fo, rnd, ovf)
    np.testing.assert_array_equal(py.reshape(3, 40), want)
    assert events(res).get(f"ernn.{opname}", 0) == ev


def test_binary_fixed_default_modes_are_half_up_saturate():
    t8, t4 = tt((4,), fx(8, 4)), tt((4,), fx(4, 0))
    mod = module([t8, t8], [t4], f"  %r = ernn.add %a0, %a1 : {t8}, {t8} -> {t4}", ["%r"])
    # 0.5 + 0 -> tie -> half_up 1; -0.5 -> 0; 100/16 + 100/16 = 12.5 -> 13 -> saturates to 7
    res = run(mod, np.array([8, -8, 100, -128]), np.array([0, 0, 100, -128]))
    assert res.outputs[0].tolist() == [1, 0, 7, -8]
    assert events(res) == {"ernn.add": 2}


@pytest.mark.parametrize("opname", ["sigmoid", "tanh"])
@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
@pytest.mark.parametrize("fin,fout", [((12, 8), (8, 7)), ((8, 4), (16, 14)), ((10, 5), (6, 3))])
def test_activation_fixed_vs_apytypes(opname, rnd, ovf, fin, fout):
    raw = np.arange(-(1 << (fin[0] - 1)), 1 << (fin[0] - 1), dtype=np.int64)  # every input
    ti, to = tt((raw.size,), fx(*fin)), tt((raw.size,), fx(*fout))
    mod = module([ti], [to], f"  %r = ernn.{opname} %a0 {modes(rnd, ovf)} : {ti} -> {to}", ["%r"])
    res = run(mod, raw)
    x = np.ldexp(raw.astype(np.float64), -fin[1])
    if opname == "tanh":
        y = np.tanh(x)
    else:
        ex = np.exp(-np.abs(x))
        y = np.where(x >= 0, 1.0 / (1.0 + ex), ex / (1.0 + ex))
    exact = apy.APyFixedArray.from_float(y, int_bits=1100, frac_bits=1100)
    want = apy_cast(exact, *fout, rnd, ovf)
    np.testing.assert_array_equal(res.outputs[0], want)
    lo, hi = -(1 << (fout[0] - 1)), (1 << (fout[0] - 1)) - 1
    # events: rounded value out of range (python model, exact from the f64 value)
    n_ev = sum(py_round(Fraction(float(v)), 0, 64, fout[1], rnd, "saturate")[0] not in range(lo, hi + 1) for v in y)
    assert events(res).get(f"ernn.{opname}", 0) == n_ev


def test_tanh_fixed_saturation_example():
    """docs/numerics.md section 10: tanh -> 1.0 does not fit fixed<8, 7>."""
    ti, to = tt((2,), fx(16, 8)), tt((2,), fx(8, 7))
    mod = module([ti], [to], f"  %r = ernn.tanh %a0 : {ti} -> {to}", ["%r"])
    res = run(mod, np.array([30 * 256, -30 * 256]))
    assert res.outputs[0].tolist() == [127, -128]
    assert events(res) == {"ernn.tanh": 1}  # -1.0 is representable


# ---------------------------------------------------------------- PWL


def test_pwl_float():
    slopes = np.array([0.1, 0.2, 0.3, 0.1])
    inter = np.array([0.3, 0.5, 0.5, 0.7])
    t = tt((50,), "f64")
    sl = ", ".join(repr(float(v)) for v in slopes)
    it = ", ".join(repr(float(v)) for v in inter)
    mod = module(
        [t], [t],
        f"  %r = ernn.pwl %a0 {{x_min = -2.0 : f64, log2_step = 0 : i64, "
        f"slopes = dense<[{sl}]> : tensor<4xf64>, intercepts = dense<[{it}]> : tensor<4xf64>}} : {t} -> {t}",
        ["%r"],
    )
    x = np.linspace(-5, 5, 50)
    xc = np.clip(x, -2.0, 2.0)
    idx = np.minimum(np.floor((xc + 2.0) / 1.0).astype(int), 3)
    np.testing.assert_allclose(run(mod, x).outputs[0], slopes[idx] * xc + inter[idx], rtol=1e-15, atol=1e-15)


def _pwl_fixed_module(n, rnd=None, ovf=None, fin=(8, 4), fc=(8, 4), fout=(8, 4), x_min=-2.0, step=0,
                      slopes=(1, 2, 4, 2), inter=(2, 5, 8, 12)):
    ti, to = tt((n,), fx(*fin)), tt((n,), fx(*fout))
    st = "i8" if fc[0] <= 8 else "i16"
    attrs = (
        f"x_min = {x_min!r} : f64, log2_step = {step} : i64, coeff = {fx(*fc)}, "
        f"slopes = dense<[{', '.join(map(str, slopes))}]> : tensor<{len(slopes)}x{st}>, "
        f"intercepts = dense<[{', '.join(map(str, inter))}]> : tensor<{len(inter)}x{st}>"
    )
    m = modes(rnd, ovf)
    if m:
        attrs += ", " + m[1:-1]
    return module([ti], [to], f"  %r = ernn.pwl %a0 {{{attrs}}} : {ti} -> {to}", ["%r"])


def test_pwl_fixed_worked_example():
    """docs/numerics.md section 9 worked example."""
    mod = _pwl_fixed_module(2)
    assert run(mod, np.array([12, 80])).outputs[0].tolist() == [11, 16]


@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
def test_pwl_fixed_random(rnd, ovf):
    rng = np.random.default_rng(5)
    fin, fc, fout = (10, 5), (12, 6), (6, 3)
    n, step = 8, -1  # 8 segments of width 1/2 from x_min = -2
    slopes = rand_raw(rng, 12, n)
    inter = rand_raw(rng, 12, n)
    mod = _pwl_fixed_module(300, rnd, ovf, fin, fc, fout, -2.0, step, slopes.tolist(), inter.tolist())
    x = rand_raw(rng, 10, 300)
    res = run(mod, x)
    xmin_raw, D = -2 * 2**fin[1], 2 ** (step + fin[1])
    accs = []
    for v in x.tolist():
        xc = min(max(v, xmin_raw), xmin_raw + n * D - 1)
        i = (xc - xmin_raw) >> (step + fin[1])
        accs.append(int(slopes[i]) * xc + int(inter[i]) * 2 ** fin[1])
    want, ev = py_round_all(accs, fc[1] + fin[1], *fout, rnd, ovf)
    np.testing.assert_array_equal(res.outputs[0], want)
    assert ev > 0
    assert events(res) == {"ernn.pwl": ev}


# ---------------------------------------------------------------- matvecs


def test_dense_matvec_float():
    rng = np.random.default_rng(2)
    w, x, b = rng.standard_normal((5, 7)), rng.standard_normal((3, 2, 7)), rng.standard_normal(5)
    tw, tx, tb, ty = tt((5, 7), "f64"), tt((3, 2, 7), "f64"), tt((5,), "f64"), tt((3, 2, 5), "f64")
    mod = module(
        [tw, tx, tb], [ty, ty],
        f"  %y = ernn.dense_matvec %a0, %a1 bias %a2 : {tw}, {tx}, {tb} -> {ty}\n"
        f"  %z = ernn.dense_matvec %a0, %a1 : {tw}, {tx} -> {ty}",
        ["%y", "%z"],
    )
    y, z = run(mod, w, x, b).outputs
    np.testing.assert_allclose(y, x @ w.T + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(z, x @ w.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
@pytest.mark.parametrize("fb", [(12, 3), (16, 14)])  # bias frac below / above Fw + Fx
def test_dense_matvec_fixed(rnd, ovf, fb):
    rng = np.random.default_rng(3)
    fw, fxx, fo = (8, 5), (8, 4), (8, 3)
    tw, tx, tb, ty = tt((6, 9), fx(*fw)), tt((4, 9), fx(*fxx)), tt((6,), fx(*fb)), tt((4, 6), fx(*fo))
    mod = module(
        [tw, tx, tb], [ty],
        f"  %y = ernn.dense_matvec %a0, %a1 bias %a2 {modes(rnd, ovf)} : {tw}, {tx}, {tb} -> {ty}",
        ["%y"],
    )
    w, x, b = rand_raw(rng, 8, (6, 9)), rand_raw(rng, 8, (4, 9)), rand_raw(rng, fb[0], 6)
    res = run(mod, w, x, b)
    exact = [
        Fraction(sum(int(w[i, k]) * int(x[r, k]) for k in range(9)), 2 ** (fw[1] + fxx[1]))
        + Fraction(int(b[i]), 2 ** fb[1])
        for r in range(4) for i in range(6)
    ]
    want, ev = py_round_all(exact, 0, *fo, rnd, ovf)
    np.testing.assert_array_equal(res.outputs[0], want.reshape(4, 6))
    assert events(res).get("ernn.dense_matvec", 0) == ev


def test_circ_matvec_text_form():
    """The docstring example of ernn.circ_matvec, parsed and run (the dense expansion in test_circulant_matvec)."""
    rng = np.random.default_rng(4)
    params = rng.standard_normal((8, 5, 8))
    hexdata = "0x" + params.astype("<f8").tobytes().hex().upper()
    tw = "!ernn.circulant<64x40xf64, block = 8>"
    tx, ty = tt((2, 40), "f64"), tt((2, 64), "f64")
    mod = module(
        [tx], [ty],
        f'  %w = ernn.circulant dense<"{hexdata}"> : tensor<8x5x8xf64> -> {tw}\n'
        f"  %y = ernn.circ_matvec %w, %a0 : {tw}, {tx} -> {ty}",
        ["%y"],
    )
    x = rng.standard_normal((2, 40))
    idx = (np.arange(8)[:, None] - np.arange(8)[None, :]) % 8
    W = params[:, :, idx].transpose(0, 2, 1, 3).reshape(64, 40)
    np.testing.assert_allclose(run(mod, x).outputs[0], x @ W.T, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- frequency domain


@pytest.mark.parametrize("b", [2, 4, 8, 16])  # b = 1 has K = 1 bin, which the spectrum type reads as b = 0
def test_rfft_irfft_float(b):
    rng = np.random.default_rng(b)
    q, K = 3, b // 2 + 1
    tx, ts = tt((2, q * b), "f64"), tt((2, q, K, 2), "f64")
    mod = module(
        [tx, ts], [ts, tx],
        f"  %X = ernn.rfft %a0 : {tx} -> {ts}\n  %y = ernn.irfft %a1 : {ts} -> {tx}",
        ["%X", "%y"],
    )
    x = rng.standard_normal((2, q * b))
    S = rng.standard_normal((2, q, K, 2))
    X, y = run(mod, x, S).outputs
    F = np.fft.rfft(x.reshape(2, q, b), axis=-1)
    np.testing.assert_allclose(X[..., 0] + 1j * X[..., 1], F, rtol=1e-12, atol=1e-12)
    Sc = S[..., 0] + 1j * S[..., 1]
    Sc[..., 0] = Sc[..., 0].real  # imaginary parts of bins 0 and b/2 are ignored
    Sc[..., -1] = Sc[..., -1].real
    want = np.fft.irfft(Sc, n=b, axis=-1).reshape(2, q * b)
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)


def test_fft_fixed_worked_example():
    """docs/numerics.md section 8: b = 4, fixed<8, 0> everywhere."""
    f8 = fx(8, 0)
    tx, ts = tt((4,), f8), tt((1, 3, 2), f8)
    mod = module(
        [tx], [ts, tx],
        f"  %X = ernn.rfft %a0 : {tx} -> {ts}\n  %y = ernn.irfft %X : {ts} -> {tx}",
        ["%X", "%y"],
    )
    res = run(mod, np.array([1, 2, 3, 4]))
    X, y = res.outputs
    assert X.tolist() == [[[10, 0], [-2, 2], [-2, 0]]]
    assert y.tolist() == [1, 2, 3, 4]
    assert res.events == []


@pytest.mark.parametrize("rnd", ROUNDINGS)
def test_fft_fixed_close_to_float(rnd):
    """Wide fixed FFTs stay within a few lsb of the float FFT; no events."""
    rng = np.random.default_rng(6)
    b, q = 16, 4
    fi, fo = fx(12, 8), fx(24, 12)
    tx, ts, ty = tt((3, q * b), fi), tt((3, q, 9, 2), fo), tt((3, q * b), fo)
    mod = module(
        [tx], [ts, ty],
        f"  %X = ernn.rfft %a0 {{rounding = #ernn.rounding<{rnd}>, twiddle = {fx(20, 18)}}} : {tx} -> {ts}\n"
        f"  %y = ernn.irfft %X {{rounding = #ernn.rounding<{rnd}>}} : {ts} -> {ty}",
        ["%X", "%y"],
    )
    x = rand_raw(rng, 12, (3, q * b))
    res = run(mod, x)
    X, y = res.as_float()
    F = np.fft.rfft(np.ldexp(x.astype(float), -8).reshape(3, q, b), axis=-1)
    assert np.max(np.abs(X[..., 0] + 1j * X[..., 1] - F)) < 0.01
    assert np.max(np.abs(y - np.ldexp(x.astype(float), -8))) < 0.01
    assert res.events == []


@pytest.mark.parametrize("ovf", OVERFLOWS)
def test_fft_fixed_overflow_events(ovf):
    f8 = fx(8, 0)
    tx, ts = tt((8,), f8), tt((1, 5, 2), f8)
    mod = module([tx], [ts], f"  %X = ernn.rfft %a0 {{overflow = #ernn.overflow<{ovf}>}} : {tx} -> {ts}", ["%X"])
    res = run(mod, np.full(8, 100))
    # stage 1: 100 + 100 = 200 > 127 on 4 butterflies (the sums), then more downstream
    assert events(res)["ernn.rfft"] >= 4
    if ovf == "saturate":
        assert res.outputs[0][0, 0, 0] == 127


def test_spectral_mac_and_cmul_float():
    rng = np.random.default_rng(7)
    p, q, K = 3, 4, 5
    tw, tx, ty = tt((p, q, K, 2), "f64"), tt((2, q, K, 2), "f64"), tt((2, p, K, 2), "f64")
    tb, tp, tr = tt((2, 1, q, K, 2), "f64"), tt((2, p, q, K, 2), "f64"), tt((2, p, K, 2), "f64")
    mod = module(
        [tw, tx, tb], [ty, tp, tr],
        f"  %Y = ernn.spectral_mac %a0, %a1 : {tw}, {tx} -> {ty}\n"
        f"  %P = ernn.cmul %a0, %a2 : {tw}, {tb} -> {tp}\n"
        f"  %R = ernn.reduce_sum %P dim(2) : {tp} -> {tr}",
        ["%Y", "%P", "%R"],
    )
    W, X = rng.standard_normal((p, q, K, 2)), rng.standard_normal((2, q, K, 2))
    Y, P, R = run(mod, W, X, X[:, None]).outputs
    Wc, Xc = W[..., 0] + 1j * W[..., 1], X[..., 0] + 1j * X[..., 1]
    want = np.einsum("ijk,bjk->bik", Wc, Xc)
    np.testing.assert_allclose(Y[..., 0] + 1j * Y[..., 1], want, rtol=1e-12, atol=1e-12)
    prod = Wc[None] * Xc[:, None]
    np.testing.assert_allclose(P[..., 0] + 1j * P[..., 1], prod, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(R, Y, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
def test_spectral_mac_cmul_reduce_fixed(rnd, ovf):
    rng = np.random.default_rng(8)
    p, q, K = 2, 3, 3
    fw, fxx, fo, fs = (10, 6), (10, 4), (10, 6), (8, 2)
    tw, tx, ty = tt((p, q, K, 2), fx(*fw)), tt((q, K, 2), fx(*fxx)), tt((p, K, 2), fx(*fo))
    tp = tt((p, q, K, 2), fx(*fo))
    tr = tt((p, K, 2), fx(*fs))
    m = modes(rnd, ovf)
    mod = module(
        [tw, tx], [ty, tp, tr],
        f"  %Y = ernn.spectral_mac %a0, %a1 {m} : {tw}, {tx} -> {ty}\n"
        f"  %P = ernn.cmul %a0, %a1 {m} : {tw}, {tx} -> {tp}\n"
        f"  %R = ernn.reduce_sum %P dim(1) {m} : {tp} -> {tr}",
        ["%Y", "%P", "%R"],
    )
    W, X = rand_raw(rng, 10, (p, q, K, 2)), rand_raw(rng, 10, (q, K, 2))
    res = run(mod, W, X)
    Y, P, R = res.outputs
    f_acc = fw[1] + fxx[1]
    prods = np.zeros((p, q, K, 2), dtype=object)
    for i in range(p):
        for j in range(q):
            for k in range(K):
                wr, wi = int(W[i, j, k, 0]), int(W[i, j, k, 1])
                xr, xi = int(X[j, k, 0]), int(X[j, k, 1])
                prods[i, j, k] = (wr * xr - wi * xi, wr * xi + wi * xr)
    mac = prods.sum(axis=1)  # exact python ints
    wantY, evY = py_round_all(mac.ravel().tolist(), f_acc, *fo, rnd, ovf)
    np.testing.assert_array_equal(Y, wantY.reshape(p, K, 2))
    wantP, evP = py_round_all(prods.ravel().tolist(), f_acc, *fo, rnd, ovf)
    np.testing.assert_array_equal(P, wantP.reshape(p, q, K, 2))
    wantR, evR = py_round_all(wantP.reshape(p, q, K, 2).sum(axis=1).ravel().tolist(), fo[1], *fs, rnd, ovf)
    np.testing.assert_array_equal(R, wantR.reshape(p, K, 2))
    assert evY + evP + evR > 0
    assert events(res) == {
        k: v for k, v in
        {"ernn.spectral_mac": evY, "ernn.cmul": evP, "ernn.reduce_sum": evR}.items() if v
    }


# ---------------------------------------------------------------- quantization


@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
@pytest.mark.parametrize("fmt", [(8, 4), (16, 14), (5, -2), (6, 9)])
@pytest.mark.parametrize("dt", ["f32", "f64"])
def test_quantize_vs_apytypes(rnd, ovf, fmt, dt):
    rng = np.random.default_rng(9)
    npdt = np.float32 if dt == "f32" else np.float64
    scale = 2.0 ** (fmt[0] - 1 - fmt[1])
    x = (rng.uniform(-1.5, 1.5, 200) * scale).astype(npdt)
    x[:20] = (np.round(x[:20] * 2.0 ** (fmt[1] + 1)) / 2.0 ** (fmt[1] + 1)).astype(npdt)  # exact ties
    ti, to = tt((200,), dt), tt((200,), fx(*fmt))
    mod = module([ti], [to], f"  %q = ernn.quantize %a0 {modes(rnd, ovf)} : {ti} -> {to}", ["%q"])
    res = run(mod, x)
    exact = apy.APyFixedArray.from_float(x.astype(np.float64), int_bits=1100, frac_bits=1100)
    want = apy_cast(exact, *fmt, rnd, ovf)
    np.testing.assert_array_equal(res.outputs[0], want)
    _, ev = py_round_all([Fraction(float(v)) for v in x], 0, *fmt, rnd, ovf)
    assert events(res).get("ernn.quantize", 0) == ev
    assert ev > 0


def test_quantize_special_values_events():
    ti, to = tt((5,), "f64"), tt((5,), fx(8, 4))
    mod = module([ti], [to], f"  %q = ernn.quantize %a0 {{overflow = #ernn.overflow<wrap>}} : {ti} -> {to}", ["%q"])
    res = run(mod, np.array([np.nan, np.inf, -np.inf, 1.0, 0.03125]))
    assert res.outputs[0].tolist() == [0, 127, -128, 16, 1]  # 0.5 lsb tie -> half_up
    assert events(res) == {"ernn.quantize": 3}


@pytest.mark.parametrize("rnd", ROUNDINGS)
@pytest.mark.parametrize("ovf", OVERFLOWS)
@pytest.mark.parametrize("fin,fout", [((16, 8), (8, 4)), ((12, 3), (16, 10)), ((20, 10), (6, 0)), ((8, 0), (8, -3))])
def test_requantize_vs_apytypes(rnd, ovf, fin, fout):
    rng = np.random.default_rng(10)
    raw = rand_raw(rng, fin[0], 500)
    ti, to = tt((500,), fx(*fin)), tt((500,), fx(*fout))
    mod = module([ti], [to], f"  %r = ernn.requantize %a0 {modes(rnd, ovf)} : {ti} -> {to}", ["%r"])
    res = run(mod, raw)
    want = apy_cast(apy_arr(raw, *fin), *fout, rnd, ovf)
    np.testing.assert_array_equal(res.outputs[0], want)
    _, ev = py_round_all(raw.tolist(), fin[1], *fout, rnd, ovf)
    assert events(res).get("ernn.requantize", 0) == ev


def test_requantize_worked_example():
    """docs/numerics.md section 4."""
    ti, to = tt((3,), fx(16, 8)), tt((3,), fx(8, 4))
    x = np.array([392, -392, 3000])
    for rnd, ovf, want in [
        ("half_up", "saturate", [25, -24, 127]),
        ("convergent", "saturate", [24, -24, 127]),
        ("half_up", "wrap", [25, -24, -68]),
    ]:
        mod = module([ti], [to], f"  %r = ernn.requantize %a0 {modes(rnd, ovf)} : {ti} -> {to}", ["%r"])
        res = run(mod, x)
        assert res.outputs[0].tolist() == want
        assert events(res) == {"ernn.requantize": 1}


def test_dequantize():
    ti, t32, t64 = tt((4,), fx(16, 10)), tt((4,), "f32"), tt((4,), "f64")
    mod = module(
        [ti], [t32, t64],
        f"  %a = ernn.dequantize %a0 : {ti} -> {t32}\n  %b = ernn.dequantize %a0 : {ti} -> {t64}",
        ["%a", "%b"],
    )
    raw = np.array([1, -1, 32767, -32768])
    res = run(mod, raw)
    assert res.outputs[0].dtype == np.float32 and res.outputs[1].dtype == np.float64
    np.testing.assert_array_equal(res.outputs[1], raw / 1024.0)
    np.testing.assert_array_equal(res.outputs[0], (raw / 1024.0).astype(np.float32))
    np.testing.assert_array_equal(res.as_float()[1], raw / 1024.0)


def test_fixed_output_as_float():
    ti = tt((2,), fx(8, 3))
    mod = module([ti], [ti], "", ["%a0"])
    res = run(mod, np.array([5, -9]))
    assert res.outputs[0].dtype == np.int64
    np.testing.assert_array_equal(res.as_float()[0], [0.625, -1.125])


# ---------------------------------------------------------------- structure


def test_constants_float_and_fixed():
    tf, tq = tt((2, 2), "f32"), tt((3,), fx(12, 6))
    mod = module(
        [], [tf, tq],
        f"  %c = ernn.constant dense<[[1.5, -2.0], [0.25, 3.0]]> : tensor<2x2xf32> -> {tf}\n"
        f"  %q = ernn.constant dense<[64, -32, 2047]> : tensor<3xi16> -> {tq}",
        ["%c", "%q"],
    )
    res = run(mod)
    assert res.outputs[0].dtype == np.float32
    np.testing.assert_array_equal(res.outputs[0], [[1.5, -2.0], [0.25, 3.0]])
    assert res.outputs[1].tolist() == [64, -32, 2047]
    np.testing.assert_array_equal(res.as_float()[1], [1.0, -0.5, 2047 / 64])


def test_shape_ops():
    rng = np.random.default_rng(11)
    t0 = tt((2, 3, 5), "f64")
    t_sl, t_cat, t_pad = tt((2, 2, 5), "f64"), tt((2, 3, 10), "f64"), tt((2, 3, 8), "f64")
    t_rs, t_bc = tt((6, 5), "f64"), tt((2, 4, 3, 5), "f64")
    mod = module(
        [t0], [t_sl, t_cat, t_pad, t_rs, t_bc],
        f"  %s = ernn.slice %a0 dim(1) offset(1) : {t0} -> {t_sl}\n"
        f"  %c = ernn.concat dim(2) %a0, %a0 : {t0}, {t0} -> {t_cat}\n"
        f"  %p = ernn.pad %a0 : {t0} -> {t_pad}\n"
        f"  %r = ernn.reshape %a0 : {t0} -> {t_rs}\n"
        f"  %b = ernn.broadcast %a0 dim(1) : {t0} -> {t_bc}",
        ["%s", "%c", "%p", "%r", "%b"],
    )
    x = rng.standard_normal((2, 3, 5))
    s, c, p, r, b = run(mod, x).outputs
    np.testing.assert_array_equal(s, x[:, 1:3])
    np.testing.assert_array_equal(c, np.concatenate([x, x], axis=2))
    np.testing.assert_array_equal(p[..., :5], x)
    np.testing.assert_array_equal(p[..., 5:], 0)
    np.testing.assert_array_equal(r, x.reshape(6, 5))
    np.testing.assert_array_equal(b, np.broadcast_to(x[:, None], (2, 4, 3, 5)))


def test_circulant_params_fixed():
    tw = f"!ernn.circulant<3x5x{fx(8, 2)}, block = 2>"
    tp = tt((2, 3, 2), fx(8, 2))
    mod = module(
        [], [tp],
        f"  %w = ernn.circulant dense<[[[1, 2], [3, 4], [5, 6]], [[-1, -2], [-3, -4], [-5, -6]]]> "
        f": tensor<2x3x2xi8> -> {tw}\n"
        f"  %p = ernn.circulant_params %w : {tw} -> {tp}",
        ["%p"],
    )
    assert run(mod).outputs[0].tolist() == [[[1, 2], [3, 4], [5, 6]], [[-1, -2], [-3, -4], [-5, -6]]]


SCAN_BODY = """
  %c = ernn.constant dense<[0.5, -0.25]> : tensor<2xf64> -> tensor<2xf64>
  %ys, %zs, %h = ernn.scan {rev}(%a0 : tensor<5x2xf64>) init(%a1 : tensor<2xf64>) -> tensor<5x2xf64>, tensor<5x2xf64>, tensor<2xf64> {{
  ^bb0(%xt: tensor<2xf64>, %hp: tensor<2xf64>):
    %m = ernn.mul %hp, %c : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
    %s = ernn.add %xt, %m : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
    %t = ernn.tanh %s : tensor<2xf64> -> tensor<2xf64>
    %d = ernn.sub %t, %xt : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
    ernn.yield %t, %d, %t : tensor<2xf64>, tensor<2xf64>, tensor<2xf64>
  }}"""


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_against_python_loop(reverse):
    rng = np.random.default_rng(12)
    t5, t2 = tt((5, 2), "f64"), tt((2,), "f64")
    mod = module([t5, t2], [t5, t5, t2], SCAN_BODY.format(rev="reverse " if reverse else ""), ["%ys", "%zs", "%h"])
    x, h0 = rng.standard_normal((5, 2)), rng.standard_normal(2)
    ys, zs, h = run(mod, x, h0).outputs
    c = np.array([0.5, -0.25])
    wy, wz = np.zeros((5, 2)), np.zeros((5, 2))
    hh = h0
    for t in (range(4, -1, -1) if reverse else range(5)):
        hh = np.tanh(x[t] + hh * c)
        wy[t], wz[t] = hh, hh - x[t]
    np.testing.assert_allclose(ys, wy, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(zs, wz, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(h, hh, rtol=1e-15, atol=1e-15)


def test_scan_fixed_events_accumulate_over_steps():
    q = fx(8, 4)
    t4, t1 = tt((4, 1), q), tt((1,), q)
    mod = module(
        [t4, t1], [t4, t1],
        f"  %ys, %h = ernn.scan (%a0 : {t4}) init(%a1 : {t1}) -> {t4}, {t1} {{\n"
        f"  ^bb0(%xt: {t1}, %hp: {t1}):\n"
        f"    %s = ernn.add %xt, %hp : {t1}, {t1} -> {t1}\n"
        f"    ernn.yield %s, %s : {t1}, {t1}\n  }}",
        ["%ys", "%h"],
    )
    res = run(mod, np.array([[100], [100], [-50], [10]]), np.array([0]))
    # running sum saturating at 127: 100, 127 (event), 77, 87
    assert res.outputs[0].ravel().tolist() == [100, 127, 77, 87]
    assert events(res) == {"ernn.add": 1}
    # events are reset between runs
    res2 = run(mod, np.zeros((4, 1), np.int64), np.array([0]))
    assert res2.events == []


def test_scan_without_carried_values():
    t3 = tt((3, 2), "f64")
    t2 = tt((2,), "f64")
    mod = module(
        [t3], [t3],
        f"  %ys = ernn.scan (%a0 : {t3}) init() -> {t3} {{\n"
        f"  ^bb0(%xt: {t2}):\n    %s = ernn.mul %xt, %xt : {t2}, {t2} -> {t2}\n"
        f"    ernn.yield %s : {t2}\n  }}",
        ["%ys"],
    )
    x = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(run(mod, x).outputs[0], x * x)


def test_reference_object_reused_resets_events():
    ti, to = tt((2,), fx(8, 0)), tt((2,), fx(4, 0))
    mod = module([ti], [to], f"  %r = ernn.requantize %a0 : {ti} -> {to}", ["%r"])
    ref = Reference(mod)
    assert sum(n for _, n in ref.run([np.array([100, 100])]).events) == 2
    assert ref.run([np.array([1, 2])]).events == []


# ---------------------------------------------------------------- input validation


def _valid_fixed_module():
    ti, tf = tt((2, 3), fx(8, 4)), tt((3,), "f32")
    return module([ti, tf], [ti], "", ["%a0"])


@pytest.mark.parametrize(
    "inputs,match",
    [
        ([np.zeros((2, 3), np.int64)], r"takes 2 input\(s\), 1 given"),
        ([np.zeros((2, 3), np.int64), np.zeros(3), np.zeros(3)], r"takes 2 input\(s\), 3 given"),
        ([np.zeros((3, 2), np.int64), np.zeros(3)], r"input #0 .* shape \(2, 3\), got \(3, 2\)"),
        ([np.zeros((2, 3), np.int64), np.zeros((1, 3))], r"input #1 .* shape \(3,\)"),
        ([np.full((2, 3), 128), np.zeros(3)], r"input #0: raw values exceed the 8-bit range"),
        ([np.full((2, 3), -129), np.zeros(3)], r"input #0: raw values exceed the 8-bit range"),
        ([np.full((2, 3), 8.0), np.zeros(3)], r"input #0: 6 value\(s\) do not fit"),
        ([np.full((2, 3), "a"), np.zeros(3)], r"input #0 must be numeric"),
        ([np.zeros((2, 3), np.int64), np.array(["x", "y", "z"])], r"input #1 must be numeric"),
    ],
)
def test_input_validation(inputs, match):
    with pytest.raises(ReferenceError, match=match):
        run(_valid_fixed_module(), *inputs)


def test_input_conversion():
    mod = _valid_fixed_module()
    res = run(mod, np.full((2, 3), 0.03125), np.zeros(3))  # half an lsb: half_up -> 1
    assert res.outputs[0].tolist() == [[1] * 3] * 2
    res = run(mod, np.full((2, 3), -128, np.int8), np.zeros(3))
    assert res.outputs[0].dtype == np.int64 and res.outputs[0].min() == -128


def test_missing_entry():
    with pytest.raises(ReferenceError, match=r"no function @nope .*@main"):
        Reference(_valid_fixed_module()).run([], entry="nope")


def test_run_module_returns_outputs():
    t = tt((2,), "f64")
    mod = module([t], [t], f"  %r = ernn.add %a0, %a0 : {t}, {t} -> {t}", ["%r"])
    (y,) = run_module(mod, [np.array([1.0, 2.0])])
    np.testing.assert_array_equal(y, [2.0, 4.0])


def test_parse_error_in_property_is_located_ernn_error():
    t = tt((4,), "f64")
    text = (
        f"func.func @main(%x: {t}) -> {t} {{\n"
        f"  %y = ernn.pwl %x {{x_min = -2.0 : f64, log2_step = 1.5 : f64, "
        f"slopes = dense<[1.0]> : tensor<1xf64>, intercepts = dense<[0.0]> : tensor<1xf64>}} : {t} -> {t}\n"
        f"  func.return %y : {t}\n}}\n"
    )
    with pytest.raises(ErnnError, match=r"<string>:2:"):
        parse_module_text(text)
