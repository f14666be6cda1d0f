"""The memory budget: sizes that cannot fit are refused before anything is allocated.

A 150-byte file can describe a tensor of 2^60 elements; every place that
turns a size written by a user (a type in the IR, a .npy header, a command
line option) into memory asks `check_bytes` first, so the tool stops with a
diagnostic naming the size instead of dying in the allocator or swapping
for minutes.

The budget is the memory the system reports as available (Linux
``MemAvailable``), or ``ERNN_MEMORY_LIMIT`` bytes when that is set (a plain
number, or with a K/M/G/T suffix, powers of 1024), whichever is smaller.
"""

from __future__ import annotations

import os

_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class SizeLimitError(Exception):
    """A size that does not fit the memory budget; the message names the size and the budget."""


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if n < 1024 or unit == "EiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError


def _env_limit() -> int | None:
    text = os.environ.get("ERNN_MEMORY_LIMIT", "").strip().upper().removesuffix("B").removesuffix("I")
    if not text:
        return None
    suffix = text[-1] if text[-1] in _SUFFIXES else ""
    number = text[: len(text) - len(suffix)]
    try:
        return int(float(number) * _SUFFIXES[suffix])
    except ValueError:
        return None  # an unreadable setting is ignored, not a reason to refuse work


def _available() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_budget() -> int:
    """Bytes one allocation (or a set of them made together) may take."""
    candidates = [v for v in (_env_limit(), _available()) if v is not None]
    return min(candidates) if candidates else 1 << 40


def check_bytes(nbytes: int, what: str) -> None:
    """Raise `SizeLimitError` if `nbytes` for `what` does not fit the budget."""
    budget = memory_budget()
    if nbytes > budget:
        raise SizeLimitError(
            f"{what} needs {format_bytes(nbytes)}, more than the {format_bytes(budget)} of memory "
            "available (ERNN_MEMORY_LIMIT sets the budget)"
        )


def element_count(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n
