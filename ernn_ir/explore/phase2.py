"""Phase II trials: one quantization of a survivor, measured bit-exactly, then planned for the device.

For a (model, quantization) point:

1. `ernn-pipeline` lowers the model (fused FFT form, PWL activations with
   `segments` per table, `weight/data/acc_bits`); the data classes' fraction
   bits are calibrated on training sequences (never on the test set);
2. the bit-exact reference runs the fixed-point module on the evaluation
   sequences: task accuracy, and the SQNR of its outputs against the float
   model with exact activations (`ernn_ir.validation.sqnr_db`);
3. the cost model plans the scan's step graph for the device at every MAC
   lane budget of `hardware.lanes`, plus the fastest design that fits (and
   the fewest multipliers reaching `target_fps`): exact cycles per frame from
   the static schedule, DSP, BRAM18, LUT, FF (`ernn_ir.hardware.plan`).

Energy is not simulated: `energy_proxy` is (DSP slices + BRAM18 blocks) x
cycles per frame, the resource-cycles a frame holds busy.  It ranks designs
that share a device and a clock; it is not joules (docs/explore.md).
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass

import numpy as np

from ernn_ir.explore.config import StudyConfig
from ernn_ir.explore.trials import QuantPoint


@dataclass
class EvalData:
    """What a design is measured on: inputs [T, B, N], labels (None without a task), calibration inputs."""

    x: np.ndarray
    y: np.ndarray | None
    calibration: np.ndarray


def eval_data(cfg: StudyConfig, task=None) -> EvalData:
    if not cfg.has_task:
        m = cfg.model
        rng = np.random.default_rng(m.seed + 1)
        shape = (m.seq_len, m.sequences, m.input)
        return EvalData(rng.standard_normal(shape), None, rng.standard_normal(shape))
    x = task.x_test.numpy().astype(np.float64)
    y = task.y_test.numpy()
    n = cfg.phase2.eval_sequences or x.shape[1]
    x, y = x[:, :n], y[:n]
    xt = task.x_train.numpy().astype(np.float64)
    # calibration needs the module's batch; repeat training sequences if there are fewer
    idx = np.arange(x.shape[1]) % xt.shape[1]
    return EvalData(x, y, xt[:, idx])


def fixed_model_spec(cfg: StudyConfig):
    """The random-weight model of a study without task data (e.g. the Google LSTM)."""
    from ernn_ir.model_spec import ModelSpec
    from ernn_ir.models import random_gru, random_lstm

    m = cfg.model
    if m.kind == "lstm":
        layer = random_lstm(m.input, m.hidden, m.block, proj_size=m.proj or None, peepholes=m.peepholes, seed=m.seed)
    else:
        layer = random_gru(m.input, m.hidden, m.block, seed=m.seed)
    return ModelSpec(layers=[layer])


def float_outputs(spec, data: EvalData) -> np.ndarray:
    from ernn_ir.builder import build_module
    from ernn_ir.lowering.reference import Reference

    T, B, _ = data.x.shape
    return Reference(build_module(spec, seq_len=T, batch=B)).run([data.x]).as_float()[0]


def quantized_module(spec, q: QuantPoint, seq_len: int, batch: int, calibration=None, formats=None):
    """`ernn-pipeline` at `q`; data fractions calibrated on `calibration` or taken from `formats`.

    Returns (module, data formats, list of (stage name, module text) when asked).
    """
    from ernn_ir.builder import build_module
    from ernn_ir.passes.pipeline import PipelinePass
    from ernn_ir.passes.quantize import QuantizePass, quantize_module
    from ernn_ir.registry import make_context

    module = build_module(spec, seq_len=seq_len, batch=batch)
    pipe = PipelinePass(weight_bits=q.weight_bits, data_bits=q.data_bits, acc_bits=q.acc_bits, segments=q.segments)
    ctx = make_context()
    stages = pipe.stages()
    with contextlib.redirect_stderr(io.StringIO()):  # the stages' tables go to the report, not the terminal
        for st in stages:
            if isinstance(st, QuantizePass):
                from dataclasses import replace

                if formats is None:
                    # calibrate a copy, then quantize uniformly per class (QuantReport.data_formats):
                    # the hardware build and the export reproduce exactly this quantization
                    formats = quantize_module(module.clone(), st, calibration_inputs=[[calibration]]).data_formats
                quantize_module(module, replace(st, **{f"{c}_frac": f.frac for c, f in formats.items()}))
            else:
                st.apply(ctx, module)
    return module, formats


def hardware_spec(spec):
    """The part of a model the accelerator runs: its recurrent layer, streaming every step's output.

    A classifier's dense head reads only the last step once per sequence; it stays on the host (its
    10 x H multiplies per sequence are not in the plan), and the accelerator streams the outputs.
    """
    import copy

    from ernn_ir.model_spec import DenseSpec, ModelSpec

    layers = [copy.copy(la) for la in spec.layers if not isinstance(la, DenseSpec)]
    if any(isinstance(la, DenseSpec) for la in spec.layers[:len(layers)]):
        raise ValueError("the explorer plans a recurrent layer optionally followed by a dense head")
    layers[-1].return_sequence = True
    return ModelSpec(layers=layers, dtype=spec.dtype)


def step_graph(module):
    from ernn_ir.dialects.ernn import ScanOp
    from ernn_ir.hardware.constants import OuterConstants
    from ernn_ir.hardware.stepgraph import build_step_graph

    scans = [o for o in module.walk() if isinstance(o, ScanOp)]
    if len(scans) != 1:
        raise ValueError(f"the explorer plans models with one recurrent layer; this one has {len(scans)} time loops")
    return build_step_graph(scans[0], OuterConstants(module))


def plan_record(p, mode: str, spectral_mults: int) -> dict:
    r = p.resources
    cfg = p.config
    return {
        "mode": mode,
        "rows": cfg.row_lanes,
        "cols": cfg.col_lanes,
        "lanes": cfg.row_lanes * cfg.col_lanes,
        "mac_multipliers": r.mac_multipliers,
        "period": p.period,
        "fps": p.steps_per_second,
        "dsp": r.dsp,
        "bram18": r.bram18,
        "lut": r.lut,
        "ff": r.ff,
        "energy_proxy": (r.dsp + r.bram18) * p.period / cfg.streams,
        "mult_utilisation": spectral_mults / (r.mac_multipliers * p.period) if r.mac_multipliers else 0.0,
        "fits": not r.over(p.request.device),
    }


def hardware_plans(cfg: StudyConfig, graph, spectral_mults: int) -> tuple[list[dict], list[str]]:
    """Plans of one design at every lane budget, the fastest that fits, and the rate target."""
    from ernn_ir.hardware.devices import load_device
    from ernn_ir.hardware.plan import PlanError, PlanRequest, plan
    from ernn_ir.hardware.schedule import mac_lane_multipliers

    h = cfg.hardware
    dev = load_device(cfg.resolve(h.device) if h.device.endswith((".toml", ".json")) else h.device)
    clock = h.clock_mhz or dev.clock_mhz
    per_lane = mac_lane_multipliers(graph.block, h.cmul)
    plans, notes, seen = [], [], set()

    def add(mode, req):
        try:
            p = plan(graph, req)
        except PlanError as e:
            notes.append(f"{mode}: {e}")
            return
        rec = plan_record(p, mode, spectral_mults)
        ident = (rec["rows"], rec["cols"], rec["period"], rec["dsp"])
        if ident not in seen:  # a budget past the useful lane count plans the same design again
            seen.add(ident)
            plans.append(rec)

    for lanes in h.lanes:
        add(f"lanes<={lanes}", PlanRequest(dev, clock, multipliers=lanes * per_lane, cmul=h.cmul))
    add("fit", PlanRequest(dev, clock, cmul=h.cmul))
    if h.target_fps:
        add(f"fps>={h.target_fps:g}", PlanRequest(dev, clock, fps=h.target_fps, cmul=h.cmul))
    return plans, notes


def accuracy_of(outputs: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(outputs.argmax(-1) == y))


def run_design_trial(cfg: StudyConfig, spec, q: QuantPoint, data: EvalData) -> dict:
    """Quality (SQNR, accuracy) and hardware plans of `spec` quantized at `q` (see the module docstring)."""
    from ernn_ir.analysis.op_count import count_ops
    from ernn_ir.lowering.reference import Reference
    from ernn_ir.validation import sqnr_db

    T, B, _ = data.x.shape
    ref = float_outputs(spec, data)
    module, formats = quantized_module(spec, q, T, B, calibration=data.calibration)
    res = Reference(module).run([data.x])
    out = res.as_float()[0]
    counts = count_ops(module)
    spectral = counts.per_step.real_mults_3 // B  # the eval module runs B sequences per step
    hw, _ = quantized_module(hardware_spec(spec), q, T, 1, formats=formats)
    plans, notes = hardware_plans(cfg, step_graph(hw), spectral)
    sq = sqnr_db([ref], [out])
    metrics = {
        "sqnr_db": sq if math.isfinite(sq) else 999.0,
        "overflow_events": int(sum(n for _, n in res.events)),
        "weight_storage_bits": int(counts.storage.spectra_bits),
        "formats": {c: [f.width, f.frac] for c, f in formats.items()},
        "spectral_mults_per_frame": spectral,
        "plans": plans,
        "plan_notes": notes,
    }
    if data.y is not None:
        metrics["accuracy"] = accuracy_of(out, data.y)
        metrics["float_accuracy"] = accuracy_of(ref, data.y)
    return metrics
