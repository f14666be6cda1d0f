"""Rewrite passes of ernn-ir, one per module; `PASSES` maps names to lazy factories."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _expand_cells():
    from ernn_ir.passes.expand_cells import ExpandCellsPass

    return ExpandCellsPass


def _circulant_to_fft():
    from ernn_ir.passes.circulant_to_fft import CirculantToFftPass

    return CirculantToFftPass


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "ernn-expand-cells": _expand_cells,
    "ernn-circulant-to-fft": _circulant_to_fft,
}
