"""argparse value types with ranges: a nonsense option value is a usage error naming the range.

    p.add_argument("--epochs", type=int_in(0, 10_000), default=15)

`argparse` then prints ``tool: error: argument --epochs: must be in [0, 10000], got -1``
and exits with status 2, before any work starts.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

#: Largest seed accepted (numpy and torch both take seeds of 64 bits).
MAX_SEED = 2**63 - 1
#: Largest block size accepted: far above the 4..64 of E-RNN / C-LSTM designs, and
#: small enough that every size derived from it stays a machine integer.
MAX_BLOCK = 1 << 16


def int_in(lo: int, hi: int | None = None, what: str = "") -> Callable[[str], int]:
    """An integer in [lo, hi] (no upper bound if hi is None)."""

    def parse(text: str) -> int:
        try:
            v = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got '{text}'") from None
        if v < lo or (hi is not None and v > hi):
            rng = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
            raise argparse.ArgumentTypeError(f"must be {rng}, got {v}" + (f" ({what})" if what else ""))
        return v

    parse.__name__ = "integer"
    return parse


def float_in(lo: float, hi: float, lo_open: bool = False, what: str = "") -> Callable[[str], float]:
    """A finite float in [lo, hi] ((lo, hi] with lo_open)."""

    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got '{text}'") from None
        if not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo):
            rng = f"({lo:g}, {hi:g}]" if lo_open else f"[{lo:g}, {hi:g}]"
            raise argparse.ArgumentTypeError(f"must be in {rng}, got {text}" + (f" ({what})" if what else ""))
        return v

    parse.__name__ = "number"
    return parse


seed = int_in(0, MAX_SEED)
positive = int_in(1)
block_size = int_in(1, MAX_BLOCK)
