"""Counts of fixed-point overflow (saturation or wrap) events per op during a run."""

from __future__ import annotations

from collections import Counter

from xdsl.ir import Operation


class EventLog:
    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.ops: dict[int, Operation] = {}

    def add(self, op: Operation, n: int) -> None:
        if n:
            self.counts[id(op)] += int(n)
            self.ops[id(op)] = op

    def items(self) -> list[tuple[Operation, int]]:
        return [(self.ops[k], n) for k, n in self.counts.items()]

    @property
    def total(self) -> int:
        return sum(self.counts.values())
