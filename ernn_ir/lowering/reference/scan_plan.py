"""Compiled execution of `ernn.scan`: the step body as a list of kernels, with the
work that does not depend on the carried values done for all frames before the loop.

Interpreting a body op by op costs xDSL's dispatch, an environment scope
and the decoding of each op's attributes, T times over.  A `ScanPlan` does
that once per scan op: every body value gets a slot in a list, every op its
kernel (kernels.py), and the loop only moves arrays between slots.

It also changes the execution order, never the result:

* **Hoisting.**  An op whose operands are the sequence inputs, values from
  outside the body, or results of other hoisted ops does not depend on the
  recurrence.  When its kernel accepts a leading time axis, it runs once on
  all T frames before the loop (e.g. the rfft of x_t, or in a GRU the whole
  input path rfft, spectral MAC, irfft, bias add).  The IR keeps it in the
  body, where a hardware backend wants it.
* **Split accumulation.**  A fixed-point spectral MAC whose input is the
  concatenation (over input blocks) of hoisted spectra and per-step spectra
  (`ernn-fft-fusion`'s x-part and recurrent part) accumulates the hoisted
  blocks for all frames before the loop; each step adds its own blocks'
  products and rounds once.  The accumulator is an exact integer, so the
  grouping does not change it; the 64-bit bound is checked per step on the
  whole input exactly as the op itself checks it.

Events are counted by the same kernels of the same ops, so every op's total
is the one op-by-op interpretation gives.  Fixed-point results are the same
integers; float results agree to rounding error (a product over all frames
may sum in another order than one frame's, as docs/numerics.md allows).  The interpreter falls back to
op-by-op interpretation when a body op has no kernel or has regions, or
when listeners observe the run (calibration reads every op's value per
step).  `FunctionPlan` runs a function's body the same way (one step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.ir import Operation, SSAValue

from ernn_ir.dialects.ernn import ConcatOp, ScanOp, SliceOp, YieldOp
from ernn_ir.lowering.reference.kernels import Kernel, KernelTable

# how a body value depends on time
_CONST, _FRAME, _STEP = 0, 1, 2


def _rank(v: SSAValue) -> int:
    return len(v.type.get_shape())  # type: ignore[attr-defined]


def _frame_max(stacked: np.ndarray) -> np.ndarray:
    """max |raw| of each frame of a [T, ...] array, as int64 [T]."""
    flat = stacked.reshape(stacked.shape[0], -1)
    if flat.shape[1] == 0:
        return np.zeros(stacked.shape[0], dtype=np.int64)
    return np.maximum(flat.max(axis=1), -flat.min(axis=1))


def _max_abs(x: np.ndarray) -> int:
    return max(int(x.max()), -int(x.min())) if x.size else 0


class _Hoisted:
    """An op run once on all frames: operands from slots (constants) or stacked arrays."""

    def __init__(self, op: Operation, kernel: Kernel, operands: list[tuple[bool, int]],
                 results: list[int]) -> None:
        self.op = op
        self.kernel = kernel
        self.operands = operands  # (is_stacked, slot)
        self.results = results

    def run(self, slots: list, stacked: dict[int, np.ndarray]) -> None:
        args = tuple(stacked[s] if is_stacked else slots[s] for is_stacked, s in self.operands)
        for s, v in zip(self.results, self.kernel.run(args)):
            stacked[s] = v


class _SplitMac:
    """A fixed spectral MAC over concat(parts): hoisted parts accumulated before the loop."""

    def __init__(self, mac, weight_slot: int, parts: list[tuple[int, bool, int, int]], axis: int,
                 acc_slot: int, xmax_slot: int) -> None:
        self.mac = mac
        self.weight_slot = weight_slot
        # (slot, hoisted, first block, end block) of every concat operand, in order
        self.parts = parts
        self.axis = axis
        self.acc_slot = acc_slot
        self.xmax_slot = xmax_slot
        self.whole = False  # this run: the op as written (a bound could exceed 64 bits)

    def prepare(self, slots: list, stacked: dict[int, np.ndarray]) -> None:
        mac = self.mac
        packed = mac.packed(slots[self.weight_slot])
        hoisted = [(stacked[s], j0, j1) for s, h, j0, j1 in self.parts if h]
        # a max |X| valid for every input of these types, when it already decides the path
        self.static = mac.static_x_max
        if self.static is None:
            xmax = _frame_max(hoisted[0][0])
            for v, _, _ in hoisted[1:]:
                xmax = np.maximum(xmax, _frame_max(v))
            top = int(xmax.max()) if xmax.size else 0
            # Some frame would exceed the 64-bit accumulator: run the op as written, so
            # that it fails at the same step with the same message.
            self.whole = 2 * mac.q * packed.max_abs * top >= 1 << 63
            if self.whole:
                return
            stacked[self.xmax_slot] = xmax
        else:
            self.whole = False
            top = self.static
        acc = None
        for v, j0, j1 in hoisted:
            lead = v.shape[:-3]
            part = packed.columns(j0, j1).accumulate(v.reshape(-1, j1 - j0, mac.K, 2), top)
            part = part.reshape(lead + part.shape[1:])
            acc = part if acc is None else acc + part
        stacked[self.acc_slot] = acc

    def operand_slots(self) -> list[int]:
        return [self.weight_slot, self.acc_slot, self.xmax_slot] + [s for s, _, _, _ in self.parts]

    def run_range(self, args) -> tuple[np.ndarray, int, int]:
        """The op's result and bounds of its raw values (see FixedSpectralMac.finish)."""
        W, acc, xmax = args[0], args[1], args[2]
        values = args[3:]
        mac = self.mac
        if self.whole:
            return mac.run_range((W, np.concatenate(values, axis=self.axis)))
        packed = mac.packed(W)
        own = [(v, j0, j1) for v, (_, h, j0, j1) in zip(values, self.parts) if not h]
        if self.static is None:
            maxima = [_max_abs(v) for v, _, _ in own]
            mac.check_bound(packed, max([int(xmax), *maxima]))
        else:
            maxima = [self.static] * len(own)
        for (v, j0, j1), m in zip(own, maxima):
            part = packed.columns(j0, j1).accumulate(v.reshape(-1, j1 - j0, mac.K, 2), m)
            acc = acc + part.reshape(acc.shape)
        return mac.finish(acc)

    def run(self, args):
        return (self.run_range(args)[0],)


def _sequence(ops: Sequence[tuple[Callable, Sequence[int], Sequence[int]]]) -> Callable[[list], None]:
    """One function running `(run, operand slots, result slots)` in order on a slot list.

    Generated as straight-line Python (`s[7] = k3((s[2], s[5]))[0]` per op):
    the loop body costs one call per op instead of three (step, operand
    getter, kernel), which is a tenth of a small model's step.
    """
    lines = ["def run_all(s):"]
    names: dict[str, Callable] = {}
    for i, (run, ins, outs) in enumerate(ops):
        names[f"k{i}"] = run
        args = "".join(f"s[{j}], " for j in ins)
        call = f"k{i}(({args}))"
        if len(outs) == 1:
            lines.append(f"    s[{outs[0]}] = {call}[0]")
        else:
            targets = "".join(f"s[{o}], " for o in outs)
            lines.append(f"    ({targets}) = {call}" if outs else f"    {call}")
    if len(lines) == 1:
        lines.append("    pass")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<ernn scan plan>", "exec"), names, namespace)  # noqa: S102
    return namespace["run_all"]


class ScanPlan:
    """One `ernn.scan` op compiled for the reference (see the module docstring)."""

    def __init__(self, scan: ScanOp, kernels: KernelTable) -> None:
        block = scan.body.block
        n_seq = len(scan.inputs)
        self.n_seq = n_seq
        self.reverse = scan.reverse is not None
        self.n_out = scan.num_step_outputs
        slot: dict[SSAValue, int] = {}
        kind: dict[SSAValue, int] = {}
        count = [0]

        def fresh() -> int:
            count[0] += 1
            return count[0] - 1

        def new_slot(v: SSAValue, k: int) -> int:
            slot[v] = fresh()
            kind[v] = k
            return slot[v]

        self.seq_slots = [new_slot(a, _FRAME) for a in block.args[:n_seq]]
        self.carry_slots = [new_slot(a, _STEP) for a in block.args[n_seq:]]
        self.external: list[SSAValue] = []
        stacked_values: set[SSAValue] = set(block.args[:n_seq])
        ops = list(block.ops)
        term = ops[-1]
        if not isinstance(term, YieldOp):
            raise ValueError("scan body must end with ernn.yield")
        self.hoisted: list[_Hoisted] = []
        # ops on constants only that never count events run once, before the loop
        preloop: list[tuple[Callable, list[int], list[int]]] = []
        known: set[SSAValue] = set()  # values known before the loop (besides the stacked ones)
        body: list[tuple[Operation, Kernel]] = []
        for op in ops[:-1]:
            k = kernels.get(op)
            if k is None or op.regions:
                raise _NotCompilable(op)
            for v in op.operands:
                if v not in slot:
                    new_slot(v, _CONST)
                    self.external.append(v)
                    known.add(v)
            op_kind = max((kind[v] for v in op.operands), default=_CONST)
            for r in op.results:
                new_slot(r, op_kind)
            if op_kind == _CONST and not k.counts_events and all(v in known for v in op.operands):
                preloop.append((k.run, [slot[v] for v in op.operands], [slot[r] for r in op.results]))
                known.update(op.results)
                continue
            hoist = op_kind == _FRAME and self._batchable(op, k, kind, stacked_values, known)
            if hoist:
                self.hoisted.append(_Hoisted(
                    op, k, [(v in stacked_values, slot[v]) for v in op.operands], [slot[r] for r in op.results]))
                stacked_values.update(op.results)
            else:
                body.append((op, k))

        # split accumulations, and the concatenations only they read
        self.splits: list[_SplitMac] = []
        split_of: dict[Operation, _SplitMac] = {}
        dropped: set[Operation] = set()
        for op, k in body:
            split = self._split(op, k, slot, stacked_values, known, fresh)
            if split is not None:
                self.splits.append(split)
                split_of[op] = split
                concat = op.operands[1].owner
                if all(use.operation is op for use in concat.results[0].uses):
                    dropped.add(concat)

        # A fixed spectral MAC whose only use is an irfft hands it the range of its
        # results, which it has just checked: the irfft need not scan them again.
        kernel_of = dict(body)
        fused: dict[Operation, Operation] = {}
        for op, k in body:
            if k.mac is None or op in dropped:
                continue
            uses = list(op.results[0].uses)
            user = uses[0].operation if len(uses) == 1 else None
            if user is not None and user in kernel_of and kernel_of[user].run_bounded is not None:
                fused[op] = user
        absorbed = set(fused.values())
        shared = self._shared_evaluations(body, kernel_of, dropped | absorbed)
        for group in shared.values():
            absorbed.update(group[1:])
            for member in group:
                src = member.operands[0].owner
                if len(list(src.results[0].uses)) == 1:
                    dropped.add(src)

        self.steps: list[tuple[Callable, list[int], list[int]]] = []
        read: set[int] = set()
        for op, k in body:
            if op in dropped or op in absorbed:
                continue
            if op in shared:
                group = shared[op]
                value = op.operands[0].owner.operands[0]
                ins = [slot[value]]
                run = self._evaluate_once(k.run, [kernel_of[m.operands[0].owner].run for m in group])
                outs = [slot[m.results[0]] for m in group]
                read.update(ins)
                self.steps.append((run, ins, outs))
                continue
            if op in split_of:
                ins = split_of[op].operand_slots()
                run = split_of[op].run
            else:
                ins = [slot[v] for v in op.operands]
                run = k.run
            outs = [slot[r] for r in op.results]
            if op in fused:
                irfft = fused[op]
                mac_range = split_of[op].run_range if op in split_of else k.mac.run_range
                run = self._fuse(mac_range, kernel_of[irfft].run_bounded)
                outs = [slot[r] for r in irfft.results]
            read.update(ins)
            self.steps.append((run, ins, outs))
        self.run_step = _sequence(self.steps)
        self.run_preloop = _sequence(preloop)
        self.yield_slots = [slot[v] for v in term.operands]
        read.update(self.yield_slots)
        stacked_slots = {slot[v] for v in stacked_values} | {
            s for sp in self.splits for s in (sp.acc_slot, sp.xmax_slot)}
        # stacked values the loop reads: each step gets its frame
        self.feeds = sorted(read & stacked_slots)
        self.n_slots = count[0]
        self.external_slots = [slot[v] for v in self.external]

    @staticmethod
    def _shared_evaluations(body, kernel_of, skip) -> dict[Operation, list[Operation]]:
        """Groups of element-wise ops that cannot report events and apply the same function
        to slices of one value (an LSTM's i, f and o sigmoids of the gate vector, a GRU's r
        and z), keyed by their first member: such a group can run once on the whole value
        and slice the result (no event to attribute; the slices are of exact values)."""
        groups: dict[tuple, list[Operation]] = {}
        for op, k in body:
            if (op in skip or not k.elementwise or k.counts_events
                    or len(op.operands) != 1 or len(op.results) != 1):
                continue
            src = op.operands[0].owner
            if not isinstance(src, SliceOp) or src not in kernel_of or src in skip:
                continue
            key = (type(op), str(op.properties), op.operands[0].type.element_type,  # type: ignore[attr-defined]
                   op.results[0].type.element_type, src.operands[0], src.axis.value.data)  # type: ignore[attr-defined]
            groups.setdefault(key, []).append(op)
        shared = {}
        for key, group in groups.items():
            if len(group) < 2:
                continue
            whole = int(np.prod(key[4].type.get_shape()))  # type: ignore[attr-defined]
            used = sum(int(np.prod(m.operands[0].type.get_shape())) for m in group)  # type: ignore[attr-defined]
            if 2 * used >= whole:  # most of the value is wanted: one call beats several
                shared[group[0]] = group
        return shared

    @staticmethod
    def _evaluate_once(run: Callable, slices: list[Callable]) -> Callable:
        def run_group(args):
            whole = run(args)[0]
            return tuple(cut((whole,))[0] for cut in slices)

        return run_group

    @staticmethod
    def _fuse(mac_range: Callable, run_bounded: Callable) -> Callable:
        def run(args):
            out, lo, hi = mac_range(args)
            return run_bounded(out, max(-lo, hi))

        return run

    @staticmethod
    def _batchable(op: Operation, k: Kernel, kind: dict, stacked: set, known: set) -> bool:
        frame = [i for i, v in enumerate(op.operands) if kind[v] == _FRAME]
        if any(op.operands[i] not in stacked for i in frame):
            return False
        if any(v not in known for v in op.operands if kind[v] != _FRAME):
            return False
        if k.elementwise:
            ranks = {_rank(r) for r in op.results}
            return len(ranks) == 1 and all(_rank(op.operands[i]) in ranks for i in frame)
        return k.time_operands is not None and all(i in k.time_operands for i in frame)

    @staticmethod
    def _split(op, k: Kernel, slot, stacked, known, fresh) -> _SplitMac | None:
        if k.mac is None:
            return None
        W, X = op.operands
        concat = X.owner
        # the weight must be known before the loop
        if W not in known or not isinstance(concat, ConcatOp):
            return None
        axis = concat.axis.value.data
        if axis != _rank(X) - 3:
            return None  # not the input-block axis
        parts, j = [], 0
        for v in concat.operands:
            q = v.type.get_shape()[axis]  # type: ignore[attr-defined]
            parts.append((slot[v], v in stacked, j, j + q))
            j += q
        if not any(h for _, h, _, _ in parts) or all(h for _, h, _, _ in parts):
            return None
        # two slots without an IR value: the hoisted accumulator and its frame maxima
        return _SplitMac(k.mac, slot[W], parts, axis, fresh(), fresh())

    def run(self, external: Sequence[Any], seqs: Sequence[np.ndarray], carries: Sequence[Any]) -> tuple:
        """The scan's results; `external` holds the values of `self.external` (from outside the body)."""
        T = seqs[0].shape[0]
        if T == 0:  # no step: what op-by-op interpretation gives (np.stack refuses no frames)
            return (*[np.stack([]) for _ in range(self.n_out)], *carries)
        slots: list[Any] = [None] * self.n_slots
        for s, v in zip(self.external_slots, external):
            slots[s] = v
        self.run_preloop(slots)
        stacked: dict[int, np.ndarray] = dict(zip(self.seq_slots, seqs))
        for h in self.hoisted:
            h.run(slots, stacked)
        for sp in self.splits:
            sp.prepare(slots, stacked)
        feeds = [(s, stacked.get(s)) for s in self.feeds]
        for s, c in zip(self.carry_slots, carries):
            slots[s] = c
        n_out = self.n_out
        outputs: list[list[Any]] = [[None] * T for _ in range(n_out)]
        run_step, yield_slots, carry_slots = self.run_step, self.yield_slots, self.carry_slots
        for t in (range(T - 1, -1, -1) if self.reverse else range(T)):
            for s, arr in feeds:
                if arr is not None:
                    slots[s] = arr[t]
            run_step(slots)
            yielded = [slots[s] for s in yield_slots]
            for k in range(n_out):
                outputs[k][t] = yielded[k]
            for s, v in zip(carry_slots, yielded[n_out:]):
                slots[s] = v
        return (*[np.stack(o) for o in outputs], *[slots[s] for s in carry_slots])


class FunctionPlan:
    """A `func.func` body compiled like a scan body, without the per-op xDSL dispatch.

    Its ops run in order as kernels over slots; an `ernn.scan` runs its plan.
    A model's function has a dozen ops around its scans, but interpreting them
    costs as much as several time steps of a short sequence.
    """

    def __init__(self, f: func.FuncOp, kernels: KernelTable,
                 scan_plan: Callable[[ScanOp], ScanPlan | None]) -> None:
        block = f.body.block
        slot: dict[SSAValue, int] = {v: i for i, v in enumerate(block.args)}
        self.n_args = len(block.args)
        steps: list[tuple[Callable, list[int], list[int]]] = []
        self.return_slots: list[int] = []
        for op in block.ops:
            for v in op.operands:
                if v not in slot:
                    raise _NotCompilable(op)
            if isinstance(op, func.ReturnOp):
                self.return_slots = [slot[v] for v in op.operands]
                break
            ins = [slot[v] for v in op.operands]
            if isinstance(op, ScanOp):
                plan = scan_plan(op)
                if plan is None or any(v not in slot for v in plan.external):
                    raise _NotCompilable(op)
                run = self._scan_step(plan, len(op.inputs))
                ins += [slot[v] for v in plan.external]
            else:
                k = kernels.get(op)
                if k is None or op.regions:
                    raise _NotCompilable(op)
                run = k.run
            for r in op.results:
                slot[r] = len(slot)
            steps.append((run, ins, [slot[r] for r in op.results]))
        else:
            raise _NotCompilable(f)
        self.n_slots = len(slot)
        self.run_all = _sequence(steps)

    @staticmethod
    def _scan_step(plan: ScanPlan, n_seq: int) -> Callable:
        n_ops = n_seq + len(plan.carry_slots)

        def run(args):
            return plan.run(args[n_ops:], args[:n_seq], args[n_seq:n_ops])

        return run

    def run(self, args: Sequence[Any]) -> list[Any]:
        slots: list[Any] = [None] * self.n_slots
        slots[: self.n_args] = args
        self.run_all(slots)
        return [slots[s] for s in self.return_slots]


class _NotCompilable(Exception):
    """A body the plans cannot run (an op without a kernel, with regions, or a call)."""


def compile_scan(scan: ScanOp, kernels: KernelTable) -> ScanPlan | None:
    """The plan of a scan op, or None when its body must be interpreted op by op."""
    try:
        return ScanPlan(scan, kernels)
    except _NotCompilable:
        return None


def compile_function(f: func.FuncOp, kernels: KernelTable,
                     scan_plan: Callable[[ScanOp], ScanPlan | None]) -> FunctionPlan | None:
    """The plan of a function, or None when it must be interpreted (calls, unknown ops)."""
    try:
        return FunctionPlan(f, kernels, scan_plan)
    except _NotCompilable:
        return None
