"""A small builder for CIRCT hw/comb/seq modules: signals with widths, signed arithmetic, registers, memories.

Generators describe hardware in Python with `ModuleBuilder`; each call adds
ops to one `hw.module`.  Values are `Sig`s: an SSA value of type `i<W>` read
as a signed two's-complement number (unsigned where a generator says so, e.g.
addresses and flags).  Arithmetic helpers sign-extend their operands to the
result width first, so every comb op's operands and result have one width,
as comb requires; the SystemVerilog emitter turns a multiply of two
sign-extended operands back into `$signed(a) * $signed(b)`.

Every module gets `clk` and `en` inputs; `reg` registers load only when `en`
is high, which is how the whole design stalls (docs/hardware.md, "Streaming
interface").
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import comb, hw
from xdsl.dialects.builtin import (
    ArrayAttr,
    FlatSymbolRefAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    i32,
)
from xdsl.dialects.seq import ClockType
from xdsl.ir import Block, Operation, Region, SSAValue

from ernn_ir.dialects.circt_seq import (
    CompRegCeOp,
    FirMemOp,
    FirMemReadPortOp,
    FirMemWritePortOp,
)

CLOCK = "clock"


@dataclass(frozen=True)
class Sig:
    value: SSAValue
    width: int


class ModuleBuilder:
    """Builds one hw.module; `finish()` returns it."""

    def __init__(self, name: str, doc: str = "", clocked: bool = True, enable_port: bool = True):
        self.name = name
        self.doc = doc
        self.block = Block()
        self.inputs: list[tuple[str, int | str]] = []
        self.outputs: list[tuple[str, Sig]] = []
        self._names: dict[str, int] = {}
        self.clk: Sig | None = None
        self.en: Sig | None = None
        if clocked:
            self.clk = self.input("clk", CLOCK)
            # the top makes its enable itself (the stall logic) and sets `en` once it exists
            self.en = self.input("en", 1) if enable_port else self.const(1, 1, "always")

    # ---- naming -------------------------------------------------------------------------
    def _unique(self, name: str) -> str:
        n = self._names.get(name, 0)
        self._names[name] = n + 1
        return name if n == 0 else f"{name}_{n}"

    def named(self, s: Sig, name: str) -> Sig:
        s.value.name_hint = self._unique(name)
        return s

    def _op(self, op: Operation, name: str | None = None) -> Sig:
        self.block.add_op(op)
        r = op.results[0]
        if name:
            r.name_hint = self._unique(name)
        t = r.type
        return Sig(r, t.width.data if isinstance(t, IntegerType) else 0)

    # ---- ports --------------------------------------------------------------------------
    def input(self, name: str, width: int | str) -> Sig:
        t = ClockType() if width == CLOCK else IntegerType(width)
        arg = self.block.insert_arg(t, len(self.block.args))
        arg.name_hint = name
        self._names[name] = 1
        self.inputs.append((name, width))
        return Sig(arg, 0 if width == CLOCK else int(width))

    def output(self, name: str, s: Sig) -> None:
        self.outputs.append((name, s))

    # ---- constants and bit manipulation ---------------------------------------------------
    def const(self, value: int, width: int, name: str | None = None) -> Sig:
        if width < 1:
            raise ValueError("constants need at least one bit")
        v = value & ((1 << width) - 1)
        if v >= 1 << (width - 1):
            v -= 1 << width  # hw.constant takes the signed reading
        return self._op(hw.ConstantOp(v, width), name)

    def extract(self, a: Sig, low: int, width: int, name: str | None = None) -> Sig:
        if low == 0 and width == a.width:
            return a
        if low < 0 or low + width > a.width or width < 1:
            raise ValueError(f"extract [{low + width - 1}:{low}] of a {a.width}-bit value")
        return self._op(comb.ExtractOp(a.value, IntegerAttr(low, i32), IntegerType(width)), name)

    def concat(self, parts: list[Sig], name: str | None = None) -> Sig:
        """Most significant part first, as in Verilog's {a, b}."""
        parts = [p for p in parts if p.width > 0]
        if len(parts) == 1:
            return parts[0]
        w = sum(p.width for p in parts)
        return self._op(comb.ConcatOp([p.value for p in parts], IntegerType(w)), name)

    def replicate(self, a: Sig, n: int, name: str | None = None) -> Sig:
        if n == 1:
            return a
        return self._op(comb.ReplicateOp(a.value, IntegerType(a.width * n)), name)

    def sext(self, a: Sig, width: int, name: str | None = None) -> Sig:
        """Sign-extend (or truncate) to `width` bits."""
        if width == a.width:
            return a
        if width < a.width:
            return self.extract(a, 0, width, name)
        sign = self.extract(a, a.width - 1, 1)
        return self.concat([self.replicate(sign, width - a.width), a], name)

    def zext(self, a: Sig, width: int, name: str | None = None) -> Sig:
        if width == a.width:
            return a
        if width < a.width:
            return self.extract(a, 0, width, name)
        return self.concat([self.const(0, width - a.width), a], name)

    def shl(self, a: Sig, k: int, name: str | None = None) -> Sig:
        """a * 2^k, exactly (width + k)."""
        if k == 0:
            return a
        return self.concat([a, self.const(0, k)], name)

    def sra(self, a: Sig, k: int, name: str | None = None) -> Sig:
        """floor(a / 2^k): drop the k low bits (width - k), at least the sign bit."""
        if k <= 0:
            return self.shl(a, -k, name)
        if k >= a.width:
            return self.extract(a, a.width - 1, 1, name)
        return self.extract(a, k, a.width - k, name)

    # ---- arithmetic ---------------------------------------------------------------------
    def _bin(self, cls, a: Sig, b: Sig, width: int, name: str | None) -> Sig:
        return self._op(cls([self.sext(a, width).value, self.sext(b, width).value]), name)

    def add(self, a: Sig, b: Sig, width: int | None = None, name: str | None = None) -> Sig:
        """a + b exactly (default width: max + 1)."""
        return self._bin(comb.AddOp, a, b, width or max(a.width, b.width) + 1, name)

    def sub(self, a: Sig, b: Sig, width: int | None = None, name: str | None = None) -> Sig:
        return self._op(comb.SubOp(self.sext(a, width or max(a.width, b.width) + 1).value,
                                   self.sext(b, width or max(a.width, b.width) + 1).value), name)

    def mul(self, a: Sig, b: Sig, width: int | None = None, name: str | None = None) -> Sig:
        """Signed a * b exactly (default width: a + b)."""
        return self._bin(comb.MulOp, a, b, width or a.width + b.width, name)

    def neg(self, a: Sig, width: int | None = None, name: str | None = None) -> Sig:
        w = width or a.width + 1
        return self.sub(self.const(0, w), a, w, name)

    def icmp(self, pred: str, a: Sig, b: Sig, name: str | None = None, signed_ext: bool = True) -> Sig:
        w = max(a.width, b.width)
        ext = self.sext if signed_ext else self.zext
        return self._op(comb.ICmpOp(ext(a, w).value, ext(b, w).value, pred), name)

    def eq_const(self, a: Sig, value: int, name: str | None = None) -> Sig:
        return self.icmp("eq", a, self.const(value, a.width), name, signed_ext=False)

    def mux(self, cond: Sig, t: Sig, f: Sig, name: str | None = None) -> Sig:
        w = max(t.width, f.width)
        return self._op(comb.MuxOp(cond.value, self.sext(t, w).value, self.sext(f, w).value), name)

    def and_(self, *xs: Sig, name: str | None = None) -> Sig:
        xs = tuple(x for x in xs)
        if len(xs) == 1:
            return xs[0]
        return self._op(comb.AndOp([x.value for x in xs]), name)

    def or_(self, *xs: Sig, name: str | None = None) -> Sig:
        if len(xs) == 1:
            return xs[0]
        return self._op(comb.OrOp([x.value for x in xs]), name)

    def xor(self, a: Sig, b: Sig, name: str | None = None) -> Sig:
        return self._op(comb.XorOp([a.value, b.value]), name)

    def not_(self, a: Sig, name: str | None = None) -> Sig:
        return self.xor(a, self.const(-1, a.width), name)

    def select(self, index: Sig, values: list[Sig], name: str | None = None) -> Sig:
        """values[index] (an array read); out-of-range indices give values[-1]."""
        if len(values) == 1:
            return values[0]
        w = max(v.width for v in values)
        n = 1 << max(1, (len(values) - 1).bit_length())
        vals = [self.sext(v, w) for v in values] + [self.sext(values[-1], w)] * (n - len(values))
        idx = self.zext(index, (n - 1).bit_length())
        # hw.array_create lists the highest index first
        arr = self._op(hw.ArrayCreateOp(*[v.value for v in reversed(vals)]))
        r = hw.ArrayGetOp(arr.value, idx.value)
        return self._op(r, name)

    # ---- state --------------------------------------------------------------------------
    def reg(self, d: Sig, name: str, reset: int | None = None, en: Sig | None = None,
            rst: Sig | None = None) -> Sig:
        """A register loading `d` when the enable (default: the module's `en`) is high."""
        assert self.clk is not None and self.en is not None
        ce = en or self.en
        rv = None
        if reset is not None:
            assert rst is not None
            rv = (rst.value, self.const(reset, d.width).value)
        return self._op(CompRegCeOp(d.value, self.clk.value, ce.value, rv), name)

    def reg_loop(self, width: int, name: str, reset: int | None = None, rst: Sig | None = None,
                 en: Sig | None = None) -> Sig:
        """A register whose input is given later with `connect` (state that feeds back into itself)."""
        placeholder = self.const(0, width)
        return self.reg(placeholder, name, reset=reset, en=en, rst=rst)

    def connect(self, r: Sig, d: Sig) -> None:
        op = r.value.owner
        assert isinstance(op, CompRegCeOp)
        if d.width != r.width:
            d = self.sext(d, r.width)
        old = op.input
        ops = list(op.operands)
        ops[0] = d.value
        op.operands = ops
        if isinstance(old.owner, hw.ConstantOp) and not old.uses:
            old.owner.detach()
            old.owner.erase()

    def delay(self, d: Sig, n: int, name: str, rst: Sig | None = None, en: Sig | None = None) -> Sig:
        """d, n cycles later; with `rst`, the stages reset to zero (valid bits must)."""
        return ([d] + self.delay_taps(d, n, name, rst, en))[-1]

    def delay_taps(self, d: Sig, n: int, name: str, rst: Sig | None = None, en: Sig | None = None) -> list[Sig]:
        """Every stage of `delay`: d 1, 2, .. n cycles later (`en`: the stages' enable, default the module's)."""
        taps = []
        for k in range(n):
            d = self.reg(d, f"{name}_d{k + 1}", reset=0 if rst is not None else None, rst=rst, en=en)
            taps.append(d)
        return taps

    def memory(self, name: str, depth: int, width: int, read_latency: int, init: str | None = None) -> Sig:
        op = FirMemOp(depth, width, read_latency, init)
        self.block.add_op(op)
        op.memory.name_hint = self._unique(name)
        return Sig(op.memory, width)

    def read_port(self, mem: Sig, addr: Sig, name: str, enable: Sig | None = None) -> Sig:
        assert self.clk is not None
        return self._op(FirMemReadPortOp(mem.value, addr.value, self.clk.value,
                                         None if enable is None else enable.value), name)

    def write_port(self, mem: Sig, addr: Sig, data: Sig, enable: Sig) -> None:
        assert self.clk is not None
        self.block.add_op(FirMemWritePortOp(mem.value, addr.value, data.value, self.clk.value, enable.value))

    # ---- hierarchy ----------------------------------------------------------------------
    def instance(self, module: hw.HWModuleOp, name: str, inputs: dict[str, Sig]) -> dict[str, Sig]:
        mt = module.module_type
        ins = []
        outs = []
        for port in mt.ports.data:
            pname = port.port_name.data
            if port.dir.data == hw.Direction.INPUT:
                if pname == "clk":
                    assert self.clk is not None
                    ins.append((pname, self.clk.value))
                elif pname == "en" and pname not in inputs:
                    assert self.en is not None
                    ins.append((pname, self.en.value))
                else:
                    if pname not in inputs:
                        raise ValueError(f"instance {name} of {module.sym_name.data}: no value for input {pname}")
                    s = inputs[pname]
                    want = port.type.width.data  # type: ignore[attr-defined]
                    if s.width != want:
                        raise ValueError(f"instance {name}: input {pname} is {s.width} bits, the port {want}")
                    ins.append((pname, s.value))
            else:
                outs.append((pname, port.type))
        op = hw.InstanceOp(self._unique(name), FlatSymbolRefAttr(module.sym_name.data), ins, outs)
        self.block.add_op(op)
        res = {}
        for (pname, t), r in zip(outs, op.results):
            r.name_hint = self._unique(f"{name}_{pname}")
            res[pname] = Sig(r, t.width.data)  # type: ignore[attr-defined]
        return res

    def finish(self) -> hw.HWModuleOp:
        self.block.add_op(hw.OutputOp([s.value for _, s in self.outputs]))
        ports = []
        for n, w in self.inputs:
            t = ClockType() if w == CLOCK else IntegerType(w)
            ports.append(hw.ModulePort(StringAttr(n), t, hw.DirectionAttr(hw.Direction.INPUT)))
        for n, s in self.outputs:
            ports.append(hw.ModulePort(StringAttr(n), s.value.type, hw.DirectionAttr(hw.Direction.OUTPUT)))
        mod = hw.HWModuleOp(StringAttr(self.name), hw.ModuleType(ArrayAttr(ports)), Region(self.block))
        if self.doc:
            mod.attributes["comment"] = StringAttr(self.doc)
        return mod
