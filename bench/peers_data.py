"""The two public peer designs' figures, as measured by ``bench/bench_peers.py``.

    from peers_data import PEERS, table_rows, format_table   # with bench/ on sys.path
    print(format_table(table_rows()))

``bench/peers_data.json`` holds the numbers of the last recorded run (written
by ``python bench/bench_peers.py --vtr ... --clstm ... --update-data``); each
entry says how every figure was obtained (tool, version, command, or the
source lines it was derived from).  ``docs/peers.md`` explains the designs,
the bug fixes the measurements needed and the raw tool output.

The helpers below are the formulas both this module and the bench use, so a
hardware-planning bench can put its own designs in the same table:
``useful_mults(blocks, b)`` is the real multiplies per frame a block-circulant
model needs in the frequency domain (per block: bins 0 and b/2 are real, 1
multiply each; b/2 - 1 complex bins, 4 or 3 real multiplies each), and
``utilisation = useful / (multipliers * cycles_per_frame)``.
"""

from __future__ import annotations

import json
import os

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers_data.json")

CLOCK_HZ = 200e6  # the papers' clock (ESE verified; C-LSTM / E-RNN unverified)


def useful_mults(blocks: int, b: int, complex_mults: int = 4) -> int:
    """Real multiplies per frame of the frequency-domain products of `blocks` b x b circulant blocks."""
    return blocks * (2 + (b // 2 - 1) * complex_mults)


def utilisation(useful: float, multipliers: float, cycles: float) -> float:
    return useful / (multipliers * cycles)


def frames_per_s(cycles: float, clock_hz: float = CLOCK_HZ) -> float:
    return clock_hz / cycles


def load(path: str = DATA_FILE) -> dict:
    """The recorded run: {"generated": ..., "designs": [ {...}, ... ]}; empty if the file is missing."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"generated": None, "designs": []}


PEERS = load()

COLUMNS = [
    ("design", "design", "{}"),
    ("model", "model", "{}"),
    ("b", "b", "{}"),
    ("cycles_per_frame", "cycles/frame", "{:,}"),
    ("multipliers", "mults", "{:,}"),
    ("dsp", "DSP", "{:,}"),
    ("lut", "LUT", "{:,}"),
    ("ff", "FF", "{:,}"),
    ("bram36", "BRAM36", "{:g}"),
    ("useful_mults_per_frame", "useful mults/frame", "{:,}"),
    ("utilisation", "util", "{:.1%}"),
    ("fps_200mhz", "frames/s @200MHz", "{:,.0f}"),
    ("fps_per_dsp", "frames/s/DSP", "{:,.1f}"),
]


def table_rows(data: dict | None = None) -> list[dict]:
    """One dict per design variant with the COLUMNS keys (None where a figure does not exist)."""
    data = PEERS if data is None else data
    return [{k: d.get(k) for k, _, _ in COLUMNS} | {"note": d.get("note", "")} for d in data.get("designs", [])]


def format_table(rows: list[dict]) -> str:
    def cell(v, fmt):
        if v is None:
            return "-"
        if isinstance(v, str):
            return v
        try:
            return fmt.format(v)
        except (ValueError, TypeError):
            return str(v)

    head = [h for _, h, _ in COLUMNS]
    body = [[cell(r.get(k), fmt) for k, _, fmt in COLUMNS] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths, strict=True)))]
    for r in body:
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(lines)


if __name__ == "__main__":
    print(f"peer figures recorded {PEERS.get('generated')} ({DATA_FILE})")
    print(format_table(table_rows()))
