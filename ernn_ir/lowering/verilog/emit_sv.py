"""SystemVerilog from hw/comb/seq modules, written to be read: one named wire per op, one module per file.

Rules that make the output clean under `verilator --lint-only -Wall`,
`iverilog -g2012` and yosys:

- every comb op has one width for its operands and result, so no
  expression needs implicit extension; a multiply whose operands are sign
  extensions prints as `W'($signed(a)) * W'($signed(b))` (yosys maps that to
  one DSP slice; CIRCT's concat/replicate form maps to three);
- constants are inlined as sized literals;
- bits a datapath drops on purpose (rounding, sign bits of exact sums) are
  collected into a `_unused_bits` wire, the idiom Verilator documents for
  intentionally unused signals;
- memories are arrays read by `assign` (latency 0) or a clocked read
  (latency 1), initialised by `$readmemh` when they have an init file.
"""

from __future__ import annotations

import re

from xdsl.dialects import comb, hw
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import Block, Operation, SSAValue

from ernn_ir.dialects.circt_seq import (
    CompRegCeOp,
    FirMemOp,
    FirMemReadPortOp,
    FirMemType,
    FirMemWritePortOp,
)

SV_KEYWORDS = {
    "always", "and", "assign", "begin", "buf", "case", "default", "do", "else", "end", "for", "function",
    "if", "initial", "inout", "input", "int", "logic", "module", "nand", "nor", "not", "or", "output",
    "reg", "task", "wire", "xor", "bit", "byte", "final", "type", "var", "event", "edge",
}

_ICMP = {0: "==", 1: "!=", 2: "<", 3: "<=", 4: ">", 5: ">=", 6: "<", 7: "<=", 8: ">", 9: ">="}


def _width(v: SSAValue) -> int:
    t = v.type
    return t.width.data if isinstance(t, IntegerType) else 1


def _lit(value: int, width: int) -> str:
    return f"{width}'h{value & ((1 << width) - 1):x}"


class _ModuleEmitter:
    def __init__(self, mod: hw.HWModuleOp):
        self.mod = mod
        self.names: dict[SSAValue, str] = {}
        self.taken: set[str] = set()
        self.consts: dict[SSAValue, tuple[int, int]] = {}
        self.used: dict[SSAValue, set[int]] = {}
        self.decls: list[str] = []
        self.body: list[str] = []
        self.clock = "clk"

    # -- names
    def _clean(self, s: str) -> str:
        s = re.sub(r"[^A-Za-z0-9_]", "_", s) or "v"
        if s[0].isdigit():
            s = "v" + s
        if s in SV_KEYWORDS:
            s += "_"
        return s

    def name(self, v: SSAValue) -> str:
        n = self.names.get(v)
        if n is None:
            base = self._clean(v.name_hint or "t")
            n, k = base, 1
            while n in self.taken:
                n, k = f"{base}_{k}", k + 1
            self.taken.add(n)
            self.names[v] = n
        return n

    def use(self, v: SSAValue, lo: int | None = None, hi: int | None = None) -> None:
        if v in self.consts:
            return
        w = _width(v)
        bits = self.used.setdefault(v, set())
        bits.update(range(0 if lo is None else lo, w if hi is None else hi + 1))

    def ref(self, v: SSAValue) -> str:
        """An operand: a literal for constants, else the value's name (all bits used)."""
        if v in self.consts:
            val, w = self.consts[v]
            return _lit(val, w)
        self.use(v)
        return self.name(v)

    def decl(self, v: SSAValue, kind: str = "logic") -> str:
        w = _width(v)
        n = self.name(v)
        rng = f" [{w - 1}:0]" if w > 1 else ""
        self.decls.append(f"  {kind}{rng} {n};")
        return n

    # -- sign extension recognised for $signed multiplies
    def _sext_source(self, v: SSAValue) -> SSAValue | None:
        op = v.owner
        if not isinstance(op, comb.ConcatOp) or len(op.inputs) != 2:
            return None
        rep, x = op.inputs
        r = rep.owner
        if isinstance(r, comb.ReplicateOp):
            e = r.input.owner
        else:
            e = r
        if isinstance(e, comb.ExtractOp) and e.input is x and e.low_bit.value.data == _width(x) - 1 and _width(e.result) == 1:
            return x
        return None

    def emit(self) -> str:
        mod = self.mod
        block: Block = mod.body.block
        ports_in = []
        for arg, port in zip(block.args, [p for p in mod.module_type.ports.data if p.dir.data == hw.Direction.INPUT]):
            self.names[arg] = port.port_name.data
            self.taken.add(port.port_name.data)
            w = _width(arg)
            ports_in.append((port.port_name.data, w, arg))
        outs = [p for p in mod.module_type.ports.data if p.dir.data == hw.Direction.OUTPUT]
        for p in outs:
            self.taken.add(p.port_name.data)
        for op in block.ops:
            if isinstance(op, hw.ConstantOp):
                self.consts[op.result] = (op.value.value.data, _width(op.result))
        for op in block.ops:
            self.emit_op(op, outs)
        lines = []
        doc = mod.attributes.get("comment")
        if doc is not None:
            for ln in doc.data.splitlines():  # type: ignore[attr-defined]
                lines.append(f"// {ln}".rstrip())
        lines.append(f"module {mod.sym_name.data} (")
        plines = []
        for n, w, _ in ports_in:
            rng = f" [{w - 1}:0]" if w > 1 else ""
            plines.append(f"  input  logic{rng} {n}")
        for p in outs:
            w = p.type.width.data  # type: ignore[attr-defined]
            rng = f" [{w - 1}:0]" if w > 1 else ""
            plines.append(f"  output logic{rng} {p.port_name.data}")
        lines.append(",\n".join(plines))
        lines.append(");")
        lines.extend(self.decls)
        if self.decls:
            lines.append("")
        lines.extend(self.body)
        unused = []
        for v in list(self.names):
            if v in self.consts:
                continue
            w = _width(v)
            if isinstance(v.type, FirMemType):
                continue
            used = self.used.get(v, set())
            if len(used) == w:
                continue
            # contiguous unused ranges
            k = 0
            while k < w:
                if k in used:
                    k += 1
                    continue
                j = k
                while j + 1 < w and j + 1 not in used:
                    j += 1
                n = self.names[v]
                unused.append(f"{n}[{j}:{k}]" if w > 1 else n)
                k = j + 1
        if unused:
            lines.append("")
            lines.append("  // bits dropped on purpose (rounding, exact sums' sign bits, unused ports)")
            lines.append(f"  wire _unused_bits = &{{1'b0, {', '.join(unused)}}};")
        lines.append("endmodule")
        return "\n".join(lines) + "\n"

    def emit_op(self, op: Operation, outs) -> None:
        b = self.body
        if isinstance(op, hw.ConstantOp):
            return
        if isinstance(op, hw.OutputOp):
            for p, v in zip(outs, op.inputs):
                b.append(f"  assign {p.port_name.data} = {self.ref(v)};")
            return
        if isinstance(op, comb.ExtractOp):
            src = op.input
            lo = op.low_bit.value.data
            w = _width(op.result)
            n = self.decl(op.result)
            if src in self.consts:
                val, sw = self.consts[src]
                b.append(f"  assign {n} = {_lit((val & ((1 << sw) - 1)) >> lo, w)};")
                return
            self.use(src, lo, lo + w - 1)
            sel = f"[{lo}]" if w == 1 else f"[{lo + w - 1}:{lo}]"
            if _width(src) == 1:
                sel = ""
            b.append(f"  assign {n} = {self.name(src)}{sel};")
            return
        if isinstance(op, comb.ConcatOp):
            n = self.decl(op.result)
            b.append(f"  assign {n} = {{{', '.join(self.ref(v) for v in op.inputs)}}};")
            return
        if isinstance(op, comb.ReplicateOp):
            n = self.decl(op.result)
            k = _width(op.result) // _width(op.input)
            b.append(f"  assign {n} = {{{k}{{{self.ref(op.input)}}}}};")
            return
        if isinstance(op, comb.MulOp):
            n = self.decl(op.result)
            w = _width(op.result)
            terms = []
            for v in op.inputs:
                x = self._sext_source(v)
                if x is not None:
                    terms.append(f"{w}'($signed({self.ref(x)}))")
                else:
                    terms.append(self.ref(v))
            b.append(f"  assign {n} = {' * '.join(terms)};")
            return
        binops = {comb.AddOp: "+", comb.SubOp: "-", comb.AndOp: "&", comb.OrOp: "|", comb.XorOp: "^"}
        for cls, sym in binops.items():
            if isinstance(op, cls):
                n = self.decl(op.result)
                b.append(f"  assign {n} = {f' {sym} '.join(self.ref(v) for v in op.operands)};")
                return
        if isinstance(op, comb.ICmpOp):
            n = self.decl(op.result)
            p = op.predicate.value.data
            lhs, rhs = self.ref(op.lhs), self.ref(op.rhs)
            if 2 <= p <= 5:
                lhs, rhs = f"$signed({lhs})", f"$signed({rhs})"
            b.append(f"  assign {n} = {lhs} {_ICMP[p]} {rhs};")
            return
        if isinstance(op, comb.MuxOp):
            n = self.decl(op.result)
            b.append(f"  assign {n} = {self.ref(op.cond)} ? {self.ref(op.true_value)} : {self.ref(op.false_value)};")
            return
        if isinstance(op, hw.ArrayCreateOp):
            n = self.name(op.result)
            vals = list(op.inputs)
            w = _width(vals[0])
            rng = f" [{w - 1}:0]" if w > 1 else ""
            # a net array: continuous assignments to its words are accepted by every tool
            self.decls.append(f"  wire{rng} {n} [0:{len(vals) - 1}];")
            for i, v in enumerate(reversed(vals)):
                b.append(f"  assign {n}[{i}] = {self.ref(v)};")
            self.used[op.result] = set(range(1))
            return
        if isinstance(op, hw.ArrayGetOp):
            n = self.decl(op.result)
            b.append(f"  assign {n} = {self.name(op.input)}[{self.ref(op.index)}];")
            return
        if isinstance(op, CompRegCeOp):
            n = self.decl(op.data)
            d, ce = self.ref(op.input), self.ref(op.clock_enable)
            if op.reset is not None:
                b.append(f"  always_ff @(posedge {self.clock}) begin")
                b.append(f"    if ({self.ref(op.reset)}) {n} <= {self.ref(op.reset_value)};")
                b.append(f"    else if ({ce}) {n} <= {d};")
                b.append("  end")
            else:
                b.append(f"  always_ff @(posedge {self.clock}) if ({ce}) {n} <= {d};")
            return
        if isinstance(op, FirMemOp):
            t = op.memory.type
            assert isinstance(t, FirMemType)
            n = self.name(op.memory)
            w = t.width.data
            rng = f" [{w - 1}:0]" if w > 1 else ""
            self.decls.append(f"  logic{rng} {n} [0:{t.depth.data - 1}];")
            if op.init is not None:
                b.append(f'  initial $readmemh("{op.init.filename.data}", {n});')
            return
        if isinstance(op, FirMemReadPortOp):
            t = op.memory.type
            assert isinstance(t, FirMemType)
            mem = self.name(op.memory)
            lat = op.memory.owner.read_latency.value.data  # type: ignore[union-attr]
            n = self.decl(op.data)
            addr = self.ref(op.address)
            if lat == 0:
                b.append(f"  assign {n} = {mem}[{addr}];")
            else:
                en = f"if ({self.ref(op.enable)}) " if op.enable is not None else ""
                b.append(f"  always_ff @(posedge {self.clock}) {en}{n} <= {mem}[{addr}];")
            return
        if isinstance(op, FirMemWritePortOp):
            mem = self.name(op.memory)
            en = self.ref(op.enable) if op.enable is not None else "1'b1"
            b.append(f"  always_ff @(posedge {self.clock}) if ({en}) {mem}[{self.ref(op.address)}] <= {self.ref(op.data)};")
            return
        if isinstance(op, hw.InstanceOp):
            target = op.module_name.root_reference.data  # type: ignore[attr-defined]
            conns = []
            for pn, v in zip(op.arg_names.data, op.inputs):
                conns.append(f"    .{pn.data}({self.ref(v)})")
            for pn, r in zip(op.result_names.data, op.results):
                self.decl(r)
                conns.append(f"    .{pn.data}({self.name(r)})")
            b.append(f"  {target} {self._clean(op.instance_name.data)} (")
            b.append(",\n".join(conns))
            b.append("  );")
            return
        raise NotImplementedError(f"no SystemVerilog for {op.name}")


def emit_module(mod: hw.HWModuleOp) -> str:
    return _ModuleEmitter(mod).emit()
