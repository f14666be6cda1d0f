"""The design level of `ernn_hw`: units, memories and the static schedule of one time step.

An `ernn_hw.design` is a symbol table holding what one accelerator is made
of.  Its `period` is the number of cycles between the starts of two time
steps; every `ernn_hw.phase` places items of one unit at fixed offsets from
the start of their time step, so the design's cycle count is known exactly
before any RTL exists (docs/hardware.md, "The schedule").

Numbering: matvecs, element-wise stages and spectra are numbered in the
order their ops appear in the accelerator's step body (the numbering of
`ernn_ir.hardware.stepgraph`).
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    I64,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    SymbolNameConstraint,
    SymbolRefAttr,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
)
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    NoTerminator,
    SymbolOpInterface,
    SymbolTable,
)

from ernn_ir.dialects.ernn import checks
from ernn_ir.dialects.ernn.types import FixedType


def _int(a: IntegerAttr) -> int:
    return a.value.data


def _positive(a: IntegerAttr, what: str) -> None:
    if _int(a) < 1:
        checks.fail(f"{what} must be >= 1, got {_int(a)}")


def _array(a: DenseArrayBase) -> list[int]:
    return [int(x) for x in a.get_values()]


UNIT_KINDS = {"mac_array": ("row", "col"), "fft_forward": ("rfft",), "fft_inverse": ("drain",), "ew": ("ew",)}


@irdl_op_definition
class DesignOp(IRDLOperation):
    """One accelerator: its units, memories and static schedule, for a device and a clock.

    `period` is the number of cycles from the start of time step t to the start
    of step t + 1 (all `streams` interleaved sequences advance one step per
    period); `block` is the circulant block size.  The body holds
    `ernn_hw.mac_array` (exactly one), `ernn_hw.fft_unit`, `ernn_hw.ew_unit`,
    `ernn_hw.rom`, `ernn_hw.buffer` and `ernn_hw.phase` ops.  The verifier
    checks the schedule: no unit runs two items in the same cycle (modulo the
    period), and no unit is busier than the period.

        ernn_hw.design @lstm_small device "xcku060" clock 2.000000e+02 streams(1) period(111) block(8) {
          ernn_hw.mac_array @mac rows(4) cols(1) cmul(3) latency(5) : !ernn.fixed<12, 11>, !ernn.fixed<24, 14>
          ...
        }
    """

    name = "ernn_hw.design"

    sym_name = prop_def(SymbolNameConstraint())
    device = prop_def(StringAttr)
    clock_mhz = prop_def(FloatAttr[Float64Type])
    streams = prop_def(IntegerAttr[I64])
    period = prop_def(IntegerAttr[I64])
    block = prop_def(IntegerAttr[I64])
    body = region_def("single_block")

    traits = traits_def(
        SymbolOpInterface(), SymbolTable(), NoTerminator(), IsolatedFromAbove(), HasParent(ModuleOp)
    )
    assembly_format = (
        "$sym_name `device` $device `clock` $clock_mhz `streams` `(` $streams `)` "
        "`period` `(` $period `)` `block` `(` $block `)` attr-dict-with-keyword $body"
    )

    def units(self) -> dict[str, IRDLOperation]:
        return {
            op.sym_name.data: op  # type: ignore[attr-defined]
            for op in self.body.block.ops
            if isinstance(op, MacArrayOp | FftUnitOp | EwUnitOp)
        }

    def lookup(self, name: str) -> IRDLOperation | None:
        for op in self.body.block.ops:
            sym = getattr(op, "sym_name", None)
            if isinstance(sym, StringAttr) and sym.data == name:
                return op  # type: ignore[return-value]
        return None

    def mac_array(self) -> MacArrayOp:
        return next(op for op in self.body.block.ops if isinstance(op, MacArrayOp))

    def phases(self) -> list[PhaseOp]:
        return [op for op in self.body.block.ops if isinstance(op, PhaseOp)]

    def verify_(self) -> None:
        if self.clock_mhz.value.data <= 0:
            checks.fail(f"clock must be > 0 MHz, got {self.clock_mhz.value.data}")
        _positive(self.streams, "streams")
        _positive(self.period, "period")
        checks.power_of_two(_int(self.block), "block")
        names: set[str] = set()
        macs = 0
        for op in self.body.block.ops:
            if not isinstance(op, MacArrayOp | FftUnitOp | EwUnitOp | RomOp | BufferOp | PhaseOp):
                checks.fail(f"'{op.name}' cannot appear in a design (units, memories and phases only)")
            sym = getattr(op, "sym_name", None)
            if isinstance(sym, StringAttr):
                if sym.data in names:
                    checks.fail(f"symbol @{sym.data} is defined twice")
                names.add(sym.data)
            if isinstance(op, MacArrayOp):
                macs += 1
            if isinstance(op, EwUnitOp) and _int(op.lanes) >= 1 and _int(self.block) % _int(op.lanes):
                checks.fail(
                    f"@{op.sym_name.data} has {_int(op.lanes)} lanes, which do not divide the block size "
                    f"{_int(self.block)}"
                )
        if macs != 1:
            checks.fail(f"needs exactly one ernn_hw.mac_array, got {macs}")
        self._verify_schedule()

    def _verify_schedule(self) -> None:
        P = _int(self.period)
        units = self.units()
        busy: dict[str, list[tuple[int, int, str]]] = {}
        for ph in self.phases():
            if ph.kind.data not in PHASE_KINDS or _int(ph.duration) < 1:
                continue  # the phase's own verifier reports it
            uname = ph.unit.root_reference.data
            unit = units.get(uname)
            if unit is None:
                checks.fail(f"phase on @{uname}, which is not a unit of this design")
            assert unit is not None
            allowed = UNIT_KINDS[unit_kind(unit)]
            if ph.kind.data not in allowed:
                checks.fail(
                    f"a '{ph.kind.data}' phase cannot run on @{uname} (a {unit_kind(unit)} unit runs "
                    f"{' or '.join(repr(a) for a in allowed)} phases)"
                )
            if _int(ph.stream) >= _int(self.streams):
                checks.fail(f"phase on @{uname} is for stream {_int(ph.stream)}, but the design has "
                            f"{_int(self.streams)} stream(s)")
            d = _int(ph.duration)
            shift = P if ph.prefetch is not None else 0
            # every drain reads the accumulators through their one drain port: one resource
            res = "the accumulators' drain port" if ph.kind.data == "drain" else f"@{uname}"
            n_copies = unit.copy_count if isinstance(unit, EwUnitOp) else 1
            for i, o in zip(_array(ph.items), _array(ph.offsets)):
                # copy c of an element-wise unit runs the unit blocks i with i mod copies = c
                r = res if n_copies == 1 else f"{res} (copy {i % n_copies})"
                busy.setdefault(r, []).append(((o + shift) % P, d, ph.label()))
        for uname, spans in busy.items():
            total = sum(d for _, d, _ in spans)
            if total > P:
                checks.fail(f"{uname} is busy {total} cycles per time step, more than the period {P}")
            spans.sort()
            # each item must end before the next one starts, the last one before the first
            # one of the next period
            nxt = spans[1:] + [(spans[0][0] + P, 0, spans[0][2])]
            for (s0, d0, n0), (s1, _, n1) in zip(spans, nxt):
                if s1 < s0 + d0:
                    checks.fail(
                        f"{uname} runs two items in cycle {s1 % P} of the period ({n0} and {n1})"
                    )


def unit_kind(op: IRDLOperation) -> str:
    if isinstance(op, MacArrayOp):
        return "mac_array"
    if isinstance(op, FftUnitOp):
        return "fft_inverse" if op.inverse is not None else "fft_forward"
    return "ew"


@irdl_op_definition
class MacArrayOp(IRDLOperation):
    """The spectral multiply-accumulate array: `rows` x `cols` lanes, one weight block each per cycle.

    Every cycle the array executes one instruction: row lane r and column
    lane c multiply the weight block of row `row_order[a*rows + r]` and column
    `part_offset + chunk*cols + c` by the input spectrum block of that column
    (all K bins: bins 0 and b/2 with one real multiplier, the others with a
    `cmul`-multiplier complex product: 3 = Gauss's form with the weight sums
    precomputed, 4 = the textbook form; both give the same exact integers),
    sums the column lanes exactly and accumulates into row lane r's exact
    accumulator for group a.  `latency` is the cycles from an instruction's
    issue to its accumulator value being readable (ernn_ir/hardware/units.py).
    The operand formats are the weight spectra's and the input spectra's.

        ernn_hw.mac_array @mac rows(16) cols(4) cmul(3) latency(7) : !ernn.fixed<12, 11>, !ernn.fixed<24, 14>
    """

    name = "ernn_hw.mac_array"

    sym_name = prop_def(SymbolNameConstraint())
    rows = prop_def(IntegerAttr[I64])
    cols = prop_def(IntegerAttr[I64])
    cmul = prop_def(IntegerAttr[I64])
    latency = prop_def(IntegerAttr[I64])
    weight = prop_def(Attribute)
    input = prop_def(Attribute)
    """Formats of the weight spectra and of the input spectra (`!ernn.fixed`)."""

    traits = traits_def(SymbolOpInterface(), HasParent(DesignOp))
    assembly_format = (
        "$sym_name `rows` `(` $rows `)` `cols` `(` $cols `)` `cmul` `(` $cmul `)` "
        "`latency` `(` $latency `)` attr-dict `:` $weight `,` $input"
    )

    @property
    def lanes(self) -> int:
        return _int(self.rows) * _int(self.cols)

    def verify_(self) -> None:
        _positive(self.rows, "rows")
        _positive(self.cols, "cols")
        _positive(self.latency, "latency")
        for n in ("weight", "input"):
            if not isinstance(getattr(self, n), FixedType):
                checks.fail(f"the {n} format must be an !ernn.fixed type, got {getattr(self, n)}")
        if _int(self.cmul) not in (3, 4):
            checks.fail(f"cmul (real multipliers per complex product) must be 3 or 4, got {_int(self.cmul)}")


@irdl_op_definition
class FftUnitOp(IRDLOperation):
    """A bank of `engines` radix-2 FFT engines for `block`-point blocks, each one block per cycle.

    Forward (rFFT) units transform the spectrum `node` of the step (an input
    frame, a carried state or an element-wise result); `inverse` units are
    the IRFFT of matvec `node`, fed by drains of its accumulators.  The
    numerics are those of `ernn.rfft` / `ernn.irfft` (docs/numerics.md,
    section 8); `latency` is the cycles from a block entering an engine to
    its result being readable.

        ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(7)
    """

    name = "ernn_hw.fft_unit"

    sym_name = prop_def(SymbolNameConstraint())
    inverse = opt_prop_def(UnitAttr)
    node = prop_def(IntegerAttr[I64])
    engines = prop_def(IntegerAttr[I64])
    latency = prop_def(IntegerAttr[I64])

    traits = traits_def(SymbolOpInterface(), HasParent(DesignOp))
    assembly_format = (
        "$sym_name (`inverse` $inverse^)? `node` `(` $node `)` `engines` `(` $engines `)` "
        "`latency` `(` $latency `)` attr-dict"
    )

    def verify_(self) -> None:
        if _int(self.node) < 0:
            checks.fail(f"node must be >= 0, got {_int(self.node)}")
        _positive(self.engines, "engines")
        _positive(self.latency, "latency")


@irdl_op_definition
class EwUnitOp(IRDLOperation):
    """The element-wise unit of stage `stage`: `lanes` elements per cycle through one pipeline.

    It evaluates the stage's element-wise ops (docs/numerics.md, sections 5,
    9 and 10) for `lanes` consecutive elements of one unit block per cycle, so
    a block takes block/lanes cycles; `latency` is the cycles from a block's
    operand read to its results being readable.  With `copies(n)` the unit
    is n such pipelines, each with its own item order: copy c evaluates the
    unit blocks u with u mod n = c (its `ew` phases list only those).

        ernn_hw.ew_unit @ew0 stage(0) lanes(8) latency(16)
        ernn_hw.ew_unit @ew1 stage(1) lanes(8) copies(2) latency(5)
    """

    name = "ernn_hw.ew_unit"

    sym_name = prop_def(SymbolNameConstraint())
    stage = prop_def(IntegerAttr[I64])
    lanes = prop_def(IntegerAttr[I64])
    copies = opt_prop_def(IntegerAttr[I64])
    latency = prop_def(IntegerAttr[I64])

    traits = traits_def(SymbolOpInterface(), HasParent(DesignOp))
    assembly_format = (
        "$sym_name `stage` `(` $stage `)` `lanes` `(` $lanes `)` (`copies` `(` $copies^ `)`)? "
        "`latency` `(` $latency `)` attr-dict"
    )

    @property
    def copy_count(self) -> int:
        return 1 if self.copies is None else _int(self.copies)

    def verify_(self) -> None:
        if _int(self.stage) < 0:
            checks.fail(f"stage must be >= 0, got {_int(self.stage)}")
        _positive(self.lanes, "lanes")
        if self.copies is not None:
            _positive(self.copies, "copies")
        _positive(self.latency, "latency")


@irdl_op_definition
class RomOp(IRDLOperation):
    """A weight ROM: `banks` memories of `depth` words; word w of bank n is `contents[n, w, :]`.

    Bank `r*cols + c` feeds MAC lane (r, c).  A word is one weight block's
    spectrum as `block` raw integers of the weight format, in the order
    re(0), re(b/2), re(1), im(1), ..., re(b/2-1), im(b/2-1) (the imaginary
    parts of bins 0 and b/2 are zero and not stored).  `ernn_hw.mac` says
    which word holds which block.

        ernn_hw.rom @weights banks(4) depth(80) dense<"0x..."> : tensor<4x80x8xi16>
    """

    name = "ernn_hw.rom"

    sym_name = prop_def(SymbolNameConstraint())
    banks = prop_def(IntegerAttr[I64])
    depth = prop_def(IntegerAttr[I64])
    contents = prop_def(DenseIntOrFPElementsAttr)

    traits = traits_def(SymbolOpInterface(), HasParent(DesignOp))
    assembly_format = "$sym_name `banks` `(` $banks `)` `depth` `(` $depth `)` $contents attr-dict"

    def verify_(self) -> None:
        _positive(self.banks, "banks")
        _positive(self.depth, "depth")
        sh = self.contents.get_shape()
        if len(sh) != 3 or sh[0] != _int(self.banks) or sh[1] != _int(self.depth):
            checks.fail(
                f"contents must be [banks, depth, words] = [{_int(self.banks)}, {_int(self.depth)}, block], "
                f"got {checks.fmt_shape(sh)}"
            )


BUFFER_KINDS = ("spectrum", "vector", "state", "accumulator", "frame")


@irdl_op_definition
class BufferOp(IRDLOperation):
    """A memory between units: `banks` x `depth` words of `width` bits, in `copies` rotating copies.

    `kind` says what it holds: `spectrum` (rFFT results read by the MAC
    array, banked by column lane), `vector` (IRFFT results read by an
    element-wise unit), `state` (a carried state), `accumulator` (exact MAC
    partial sums, one bank per row lane), `frame` (input frames).  Time step t
    uses copy t mod `copies`, per stream; `copies` is the least number for
    which no step overwrites a copy an earlier step still reads (two is the
    ping-pong buffer).  `of` names the step value it holds.

        ernn_hw.buffer @X1 spectrum of "X_1" banks(4) depth(5) width(192) copies(2)
    """

    name = "ernn_hw.buffer"

    sym_name = prop_def(SymbolNameConstraint())
    kind = prop_def(StringAttr)
    of = prop_def(StringAttr)
    banks = prop_def(IntegerAttr[I64])
    depth = prop_def(IntegerAttr[I64])
    width = prop_def(IntegerAttr[I64])
    copies = prop_def(IntegerAttr[I64])

    traits = traits_def(SymbolOpInterface(), HasParent(DesignOp))
    assembly_format = (
        "$sym_name $kind `of` $of `banks` `(` $banks `)` `depth` `(` $depth `)` `width` `(` $width `)` "
        "`copies` `(` $copies `)` attr-dict"
    )

    def verify_(self) -> None:
        if self.kind.data not in BUFFER_KINDS:
            checks.fail(f"kind must be one of {', '.join(BUFFER_KINDS)}, got '{self.kind.data}'")
        for n in ("banks", "depth", "width", "copies"):
            _positive(getattr(self, n), n)


PHASE_KINDS = ("row", "col", "drain", "ew", "rfft")


@irdl_op_definition
class PhaseOp(IRDLOperation):
    """Items of one unit for one stream, at fixed offsets from the start of their time step.

    Item n is `items[n]` and starts at cycle `offsets[n]` of its step (t *
    period + offset in absolute cycles); each takes `duration` cycles at one
    instruction (or block) per cycle.  Kinds:

    - `row` (MAC array): sweep row group `items[n]` of matvec `mac`, part
      `part`, over the part's column chunks, one chunk per cycle;
    - `col` (MAC array): sweep column chunk `items[n]` over the row groups;
    - `drain` (inverse FFT unit): read row group `items[n]`'s finished
      accumulators into the IRFFT engines, `engines` lanes per cycle;
    - `ew` (element-wise unit): unit block `items[n]`;
    - `rfft` (forward FFT unit): the whole input spectrum.

    `prefetch` items run in the period before their own step (the array
    computes the input-frame part of a matvec while the recurrence of the
    previous step finishes).  On MAC sweeps, `first` starts the
    accumulators at zero and `last` finishes them (a drain follows).

        ernn_hw.phase on @mac row mac(0) part(1) stream(0) last duration(4) items [0, 1] offsets [0, 4]
    """

    name = "ernn_hw.phase"

    unit = prop_def(SymbolRefAttr)
    kind = prop_def(StringAttr)
    mac = opt_prop_def(IntegerAttr[I64])
    part = opt_prop_def(IntegerAttr[I64])
    stage = opt_prop_def(IntegerAttr[I64])
    stream = prop_def(IntegerAttr[I64])
    prefetch = opt_prop_def(UnitAttr)
    first = opt_prop_def(UnitAttr)
    last = opt_prop_def(UnitAttr)
    duration = prop_def(IntegerAttr[I64])
    items = prop_def(DenseArrayBase.constr(i64))
    offsets = prop_def(DenseArrayBase.constr(i64))

    traits = traits_def(HasParent(DesignOp))
    assembly_format = (
        "`on` $unit $kind (`mac` `(` $mac^ `)`)? (`part` `(` $part^ `)`)? (`stage` `(` $stage^ `)`)? "
        "`stream` `(` $stream `)` (`prefetch` $prefetch^)? (`first` $first^)? (`last` $last^)? "
        "`duration` `(` $duration `)` `items` $items `offsets` $offsets attr-dict"
    )

    def label(self) -> str:
        what = self.kind.data
        if self.mac is not None:
            what += f" of matvec {_int(self.mac)}"
        if self.part is not None:
            what += f" part {_int(self.part)}"
        if self.stage is not None:
            what += f" of stage {_int(self.stage)}"
        return f"{what} (stream {_int(self.stream)})"

    def verify_(self) -> None:
        k = self.kind.data
        if k not in PHASE_KINDS:
            checks.fail(f"kind must be one of {', '.join(PHASE_KINDS)}, got '{k}'")
        _positive(self.duration, "duration")
        if _int(self.stream) < 0:
            checks.fail(f"stream must be >= 0, got {_int(self.stream)}")
        items, offs = _array(self.items), _array(self.offsets)
        if not items or len(items) != len(offs):
            checks.fail(f"items and offsets must be non-empty and of one length, got {len(items)} and {len(offs)}")
        if any(i < 0 for i in items):
            checks.fail("items must be >= 0")
        needs_mac = k in ("row", "col", "drain")
        if needs_mac and self.mac is None:
            checks.fail(f"a '{k}' phase needs mac(...)")
        if k in ("row", "col") and self.part is None:
            checks.fail(f"a '{k}' phase needs part(...)")
        if k == "ew" and self.stage is None:
            checks.fail("an 'ew' phase needs stage(...)")
        if (self.first is not None or self.last is not None) and k not in ("row", "col"):
            checks.fail("first and last apply to MAC sweeps (row and col phases) only")
        if self.prefetch is not None and k not in ("row", "col", "rfft"):
            checks.fail("only MAC sweeps and input rFFTs are prefetched")


def attr_int(v: int) -> Attribute:
    return IntegerAttr(v, 64)


def symbol(name: str) -> SymbolRefAttr:
    return SymbolRefAttr(name)
