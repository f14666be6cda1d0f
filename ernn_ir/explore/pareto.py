"""Pareto fronts of records (dicts) over named objectives."""

from __future__ import annotations

from collections.abc import Sequence


def dominates(a: dict, b: dict, maximize: Sequence[str], minimize: Sequence[str]) -> bool:
    """`a` is at least as good as `b` in every objective and better in one."""
    ge = all(a[k] >= b[k] for k in maximize) and all(a[k] <= b[k] for k in minimize)
    gt = any(a[k] > b[k] for k in maximize) or any(a[k] < b[k] for k in minimize)
    return ge and gt


def pareto_front(rows: Sequence[dict], maximize: Sequence[str] = (), minimize: Sequence[str] = ()) -> list[int]:
    """Indices of the rows no other row dominates, in input order (equal rows all stay)."""
    return [i for i, r in enumerate(rows)
            if not any(dominates(o, r, maximize, minimize) for j, o in enumerate(rows) if j != i)]
