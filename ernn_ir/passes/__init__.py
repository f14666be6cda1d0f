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


def _fft_fusion():
    from ernn_ir.passes.fft_fusion import FftFusionPass

    return FftFusionPass


def _weight_sharing():
    from ernn_ir.passes.weight_sharing import WeightSharingPass

    return WeightSharingPass


def _op_count():
    from ernn_ir.passes.op_count_report import OpCountPass

    return OpCountPass


def _quantize():
    from ernn_ir.passes.quantize import QuantizePass

    return QuantizePass


def _approximate_activations():
    from ernn_ir.passes.approximate_activations import ApproximateActivationsPass

    return ApproximateActivationsPass


def _pipeline():
    from ernn_ir.passes.pipeline import PipelinePass

    return PipelinePass


def _tile():
    from ernn_ir.passes.tile import TilePass

    return TilePass


def _hw_report():
    from ernn_ir.passes.hw_report import HwReportPass

    return HwReportPass


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "ernn-expand-cells": _expand_cells,
    "ernn-circulant-to-fft": _circulant_to_fft,
    "ernn-fft-fusion": _fft_fusion,
    "ernn-weight-sharing": _weight_sharing,
    "ernn-op-count": _op_count,
    "ernn-quantize": _quantize,
    "ernn-approximate-activations": _approximate_activations,
    "ernn-pipeline": _pipeline,
    "ernn-tile": _tile,
    "ernn-hw-report": _hw_report,
}
