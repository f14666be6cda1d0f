"""Both HLS flavours equal the reference bit for bit, frame by frame, built warning-free with -Wall -Wextra.

Each design is generated and compiled once per flavour (-O1, -Werror), then runs several input sets:
ordinary, saturating (x8) and small frames.  The raw step outputs of the accelerator and the function's
outputs must both equal the reference interpreter's.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hls_cases import CASES, INPUT_SETS, assert_frames_equal, frames, tiled_module

from ernn_ir.hardware.design_view import accelerators
from ernn_ir.lowering.hls.backend import HlsBackend
from ernn_ir.lowering.hls.project import golden_vectors
from ernn_ir.lowering.reference import Reference

FLAVOURS = ("int", "ap")


@pytest.fixture(scope="module")
def modules():
    return {c.id: tiled_module(c) for c in CASES}


@pytest.fixture(scope="module")
def builds(modules):
    """One backend per flavour; every design compiled up front, two compilations at a time."""
    backends = {f: HlsBackend(flavour=f, werror=True) for f in FLAVOURS}
    jobs = [(f, cid) for f in FLAVOURS for cid in modules]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {job: pool.submit(backends[job[0]].build, accelerators(modules[job[1]])[0]) for job in jobs}
        built = {job: fut.result() for job, fut in futures.items()}
    return backends, built


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hls_equals_the_reference(case, flavour, modules, builds):
    module = modules[case.id]
    backends, built = builds
    be = backends[flavour]
    acc = accelerators(module)[0]
    # the build was warning-free (-Werror would have failed it; the log must not even mention one)
    assert "warning" not in built[(flavour, case.id)].compile_log
    for seed, scale in INPUT_SETS:
        what = f"{case.id} ({flavour}), seed {seed}, scale {scale}"
        ref = golden_vectors(module, acc, seed=seed, scale=scale)
        x = frames(module, seed, scale)
        runs_before = len(be.runs)
        hls = Reference(module, accelerator_backend=be).run(x)
        assert len(be.runs) == runs_before + 1
        assert_frames_equal(ref.outputs, be.runs[-1].outputs, what)
        expected = Reference(module).run(x)
        for a, b in zip(expected.outputs, hls.outputs):
            np.testing.assert_array_equal(a, b, err_msg=what)
    if case.id == "lstm_b2_w8d8_convergent":
        # saturating inputs do saturate somewhere in this design, so the comparison above covers it
        ref = Reference(module).run(frames(module, 4, 8.0))
        assert sum(n for _, n in ref.events) > 0


def test_every_design_was_compiled_once_per_flavour(builds):
    backends, _ = builds
    for f, be in backends.items():
        assert len(be.builds) == len(CASES), f"{f}: {len(be.builds)} builds for {len(CASES)} designs"
