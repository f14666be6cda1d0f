"""The rFFT and IRFFT engines: radix-2 decimation in time, one block per cycle, bit-exact to section 8.

Block layouts on the ports (value i at bits [i*W +: W]):
- real block: b samples;
- spectrum: b values re(0), re(b/2), re(1), im(1), ..., re(b/2-1), im(b/2-1)
  (the imaginary parts of bins 0 and b/2 are zero for real signals, and the
  IRFFT ignores them, so they are not carried).

Pipeline (units.fft_latency - 1 register stages; the consumer's memory write
is the last cycle of the latency): input requantize (and, inverse, the
conjugate mirror) -> per stage: twiddle product register when the stage has
non-trivial twiddles, then the butterfly adds (the inverse's halving, in
the deep pipeline, a cycle after its sum) -> output.  Twiddles are
constants, multiplied by shift-add networks, so the engines use no DSP.
Each engine also counts its overflow events (every requantize and overflow
point of the contract) and passes the count along with the block.
"""

from __future__ import annotations

from ernn_ir.hardware import units
from ernn_ir.lowering.verilog.fixed_rtl import (
    mul_const,
    overflow,
    popcount,
    requantize,
    round_fit,
)
from ernn_ir.lowering.verilog.rtl import ModuleBuilder, Sig
from ernn_ir.numerics import FixedFormat, bit_reverse_indices, twiddles_fixed

C = tuple[Sig, Sig]  # (re, im)


def spectrum_slots(b: int) -> list[tuple[int, int]]:
    """(bin, 0 = re / 1 = im) of each of the b values of a spectrum word."""
    out = [(0, 0), (b // 2, 0)] if b >= 2 else [(0, 0)]
    for k in range(1, b // 2):
        out += [(k, 0), (k, 1)]
    return out


def _split(m: ModuleBuilder, x: Sig, n: int, w: int, name: str) -> list[Sig]:
    return [m.extract(x, i * w, w, f"{name}{i}") for i in range(n)]


def _join(m: ModuleBuilder, xs: list[Sig], name: str) -> Sig:
    return m.concat(list(reversed(xs)), name)


class _Flags:
    def __init__(self) -> None:
        self.flags: list[Sig] = []

    def add(self, f: Sig | None) -> None:
        if f is not None:
            self.flags.append(f)


def _stages(m: ModuleBuilder, a: list[C], b: int, fmt: FixedFormat, tw: FixedFormat, rnd: str, ovf: str,
            inverse: bool, count: Sig, count_w: int, deep: bool = False) -> tuple[list[C], Sig]:
    """The L radix-2 stages on bit-reversed input `a` (registered), with the running event count."""
    L = b.bit_length() - 1
    wr_t, wi_t = twiddles_fixed(b, tw)
    W = fmt.width
    s = 1
    while s <= L:
        mm = 1 << s
        half = mm // 2
        nontrivial = units.nontrivial_stage(s, b)
        fl = _Flags()
        t: list[C | None] = [None] * b
        for g in range(0, b, mm):
            for k in range(half):
                hi = a[g + k + half]
                j = k * (b // mm)
                if j == 0:
                    t[g + k] = hi
                elif b >= 4 and j == b // 4:
                    # exact: forward -i -> (hi.im, -hi.re); inverse +i -> (-hi.im, hi.re)
                    if inverse:
                        t[g + k] = (m.neg(hi[1], W + 1), m.sext(hi[0], W + 1))
                    else:
                        t[g + k] = (m.sext(hi[1], W + 1), m.neg(hi[0], W + 1))
                else:
                    wr = int(wr_t[j])
                    wi = -int(wi_t[j]) if inverse else int(wi_t[j])
                    nm = f"s{s}_t{g + k}"
                    pr = m.sub(mul_const(m, hi[0], wr, f"{nm}_a"), mul_const(m, hi[1], wi, f"{nm}_b"),
                               W + tw.width + 3)
                    pi = m.add(mul_const(m, hi[0], wi, f"{nm}_c"), mul_const(m, hi[1], wr, f"{nm}_d"),
                               W + tw.width + 3)
                    rr, f1 = round_fit(m, pr, tw.frac, rnd, W, ovf, f"{nm}_re", deep)
                    ri, f2 = round_fit(m, pi, tw.frac, rnd, W, ovf, f"{nm}_im", deep)
                    fl.add(f1)
                    fl.add(f2)
                    t[g + k] = (rr, ri)
        if nontrivial:
            # the twiddle products get a cycle of their own
            cnt = m.add(m.zext(count, count_w + 1), m.zext(popcount(m, fl.flags, f"s{s}_pf"), count_w + 1),
                        count_w + 1)
            count = m.reg(m.extract(cnt, 0, count_w), f"s{s}_cnt_t")
            fl = _Flags()
            t = [None if x is None else (m.reg(x[0], f"s{s}_t{i}_re"), m.reg(x[1], f"s{s}_t{i}_im"))
                 for i, x in enumerate(t)]
            a = [(m.reg(v[0], f"s{s}_lo{i}_re"), m.reg(v[1], f"s{s}_lo{i}_im")) if t[i] is not None else v
                 for i, v in enumerate(a)]
        out: list[C] = [None] * b  # type: ignore[list-item]
        for g in range(0, b, mm):
            for k in range(half):
                lo = a[g + k]
                tt = t[g + k]
                assert tt is not None
                res = []
                for sign in (1, -1):
                    comp = []
                    for c in range(2):
                        v = m.add(lo[c], tt[c], W + 2) if sign > 0 else m.sub(lo[c], tt[c], W + 2)
                        if inverse and deep:  # the exact sum, then its halving, a cycle each
                            v = m.reg(v, f"s{s}_{'a' if sign > 0 else 'b'}{g + k}_{'ri'[c]}_sum")
                        nm = f"s{s}_{'a' if sign > 0 else 'b'}{g + k}_{'ri'[c]}"
                        o, f = round_fit(m, v, 1, rnd, W, ovf, nm, deep) if inverse else overflow(m, v, W, ovf, nm)
                        fl.add(f)
                        comp.append(o)
                    res.append((comp[0], comp[1]))
                out[g + k] = res[0]
                out[g + k + half] = res[1]
        if inverse and deep:
            count = m.reg(count, f"s{s}_cnt_sum")
        cnt = m.add(m.zext(count, count_w + 1), m.zext(popcount(m, fl.flags, f"s{s}_bf"), count_w + 1),
                    count_w + 1)
        count = m.reg(m.extract(cnt, 0, count_w), f"s{s}_cnt")
        a = [(m.reg(v[0], f"s{s}_x{i}_re"), m.reg(v[1], f"s{s}_x{i}_im")) for i, v in enumerate(out)]
        s += 1
    return a, count


def event_width(b: int) -> int:
    """Bits of an engine's per-block event count (every point of every stage can overflow)."""
    L = b.bit_length() - 1
    return (8 * b * (L + 1)).bit_length()


def rfft_engine(name: str, b: int, in_fmt: FixedFormat, fmt: FixedFormat, tw: FixedFormat, rnd: str,
                ovf: str, valid: int | None = None, deep: bool = False) -> object:
    """Block rFFT: b samples at `in_fmt` -> spectrum word at `fmt`; `valid` samples, the rest zero."""
    m = ModuleBuilder(name, f"rFFT engine, b = {b}: raw fixed<{in_fmt.width}, {in_fmt.frac}> samples -> "
                      f"spectrum in fixed<{fmt.width}, {fmt.frac}>, twiddles fixed<{tw.width}, {tw.frac}>, "
                      f"{rnd}, {ovf}; one block per cycle, latency {units.fft_latency(b, False)} cycles "
                      "(docs/numerics.md section 8)")
    x = m.input("x", b * in_fmt.width)
    cw = event_width(b)
    xs = _split(m, x, b, in_fmt.width, "x")
    fl = _Flags()
    q = []
    for i, xi in enumerate(xs):
        if valid is not None and i >= valid:
            q.append(m.const(0, fmt.width))
            continue
        v, f = requantize(m, xi, in_fmt.frac, fmt, rnd, ovf, f"q{i}", deep)
        fl.add(f)
        q.append(v)
    rev = bit_reverse_indices(b)
    zero = m.const(0, fmt.width)
    a0 = [(m.reg(q[int(rev[i])], f"in{i}_re"), zero) for i in range(b)]
    count = m.reg(m.zext(popcount(m, fl.flags, "in_ev"), cw), "in_cnt")
    a, count = _stages(m, a0, b, fmt, tw, rnd, ovf, False, count, cw, deep)
    slots = spectrum_slots(b)
    y = [a[k][c] for k, c in slots]
    m.output("y", _join(m, y, "y"))
    m.output("events", count)
    return m.finish()


def irfft_engine(name: str, b: int, in_fmt: FixedFormat, fmt: FixedFormat, tw: FixedFormat, rnd: str,
                 ovf: str, deep: bool = False) -> object:
    """Block IRFFT: spectrum word (values at `in_fmt`) -> b samples at `fmt`, per-stage halving."""
    m = ModuleBuilder(name, f"IRFFT engine, b = {b}: spectrum in raw fixed<{in_fmt.width}, {in_fmt.frac}> -> "
                      f"samples in fixed<{fmt.width}, {fmt.frac}>, twiddles fixed<{tw.width}, {tw.frac}>, "
                      f"{rnd}, {ovf}; one block per cycle, latency {units.fft_latency(b, True, deep)} cycles "
                      "(docs/numerics.md section 8)")
    x = m.input("x", b * in_fmt.width)
    cw = event_width(b)
    vals = _split(m, x, b, in_fmt.width, "x")
    K = b // 2 + 1
    fl = _Flags()
    zero = m.const(0, fmt.width)
    re = [zero] * K
    im = [zero] * K
    for (k, c), v in zip(spectrum_slots(b), vals):
        qv, f = requantize(m, v, in_fmt.frac, fmt, rnd, ovf, f"q{k}{'ri'[c]}", deep)
        fl.add(f)
        (re if c == 0 else im)[k] = qv
    full: list[C] = [(re[k], im[k]) for k in range(K)]
    for k in range(K, b):
        src = b - k
        ni, f = overflow(m, m.neg(im[src], fmt.width + 1), fmt.width, ovf, f"mirror{k}_im")
        fl.add(f)
        full.append((re[src], ni))
    rev = bit_reverse_indices(b)
    a0 = [(m.reg(full[int(rev[i])][0], f"in{i}_re"), m.reg(full[int(rev[i])][1], f"in{i}_im")) for i in range(b)]
    count = m.reg(m.zext(popcount(m, fl.flags, "in_ev"), cw), "in_cnt")
    a, count = _stages(m, a0, b, fmt, tw, rnd, ovf, True, count, cw, deep)
    m.output("y", _join(m, [a[i][0] for i in range(b)], "y"))
    m.output("events", count)
    return m.finish()
