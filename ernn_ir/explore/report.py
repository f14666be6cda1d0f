"""The report of a finished study: tables (CSV, Markdown), JSON, plots (PNG) and the chosen design's IR.

    report_dir/
      report.md            summary, both phases' tables, fronts, the chosen design
      study.json           everything below, machine-readable
      phase1.csv           one row per Phase I trial (trained or pruned)
      phase2.csv           one row per (Phase II trial, hardware plan)
      phase1_front.png     accuracy against multiplies per frame (front marked)
      phase2_front.png     accuracy (or SQNR) against frames/s and against DSP slices
      accuracy_vs_block.png
      sqnr_vs_bits.png
      design/              the chosen design at every stage (00-model.mlir ... 07-ernn-tile.mlir), design.json

The directory is written under a temporary name next to its destination and
renamed into place when complete, so a failed report leaves no half-written
directory (the study itself is in its storage and can be reported again).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field

from ernn_ir.explore.pareto import pareto_front
from ernn_ir.explore.study import Study, design_eligible
from ernn_ir.explore.trials import FIXED_MODEL_KEY, KNOBS, QuantPoint, chains, widest

P1_COLUMNS = ["key", "model", "hidden", "proj", "method", "block", "state", "accuracy", "dense_accuracy",
              "weights", "dense_weights", "spectra_values", "mults_per_frame", "train_s", "wall_s", "survivor",
              "front"]
P2_COLUMNS = ["key", "model", "role", "weight_bits", "data_bits", "acc_bits", "segments", "accuracy",
              "float_accuracy", "sqnr_db", "eligible", "weight_storage_bits", "mode", "rows", "cols",
              "mac_multipliers", "period", "fps", "dsp", "bram18", "lut", "ff", "energy_proxy", "mult_utilisation",
              "fits", "front"]


@dataclass
class StudyResult:
    study: Study
    phase1: list[dict] = field(default_factory=list)
    phase2_trials: list[dict] = field(default_factory=list)
    designs: list[dict] = field(default_factory=list)
    chosen: dict | None = None
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    workers: int = 1

    @property
    def cfg(self):
        return self.study.cfg

    def counts(self) -> dict:
        run = sum(r["state"] == "complete" for r in self.phase1)
        pruned = sum(r["state"] == "pruned" for r in self.phase1)
        return {"phase1_planned": len(self.phase1), "phase1_run": run, "phase1_pruned": pruned,
                "phase1_failed": sum(r["state"] == "error" for r in self.phase1),
                "phase2_run": len(self.phase2_trials), "survivors": sum(bool(r["survivor"]) for r in self.phase1),
                "designs": len(self.designs)}


def collect(study: Study) -> StudyResult:
    """Read a finished study's trials into tables; the fronts and the chosen design."""
    cfg = study.cfg
    res = StudyResult(study)
    S = study.optuna.trial.TrialState
    t1, t2 = study.trials()
    k1, k2 = study.by_key(t1), study.by_key(t2)
    st = study.reconcile()
    res.errors = list(st.errors)
    if cfg.has_task:
        for chain in chains(cfg).values():
            for p in chain:
                ts = k1.get(p.key, [])
                done = study.complete(ts)
                row = {"key": p.key, "model": p.kind, "hidden": p.hidden, "proj": p.proj, "method": p.method,
                       "block": p.block}
                if done is not None:
                    m = done.user_attrs["metrics"]
                    row.update(state="complete", **{k: m[k] for k in (
                        "accuracy", "dense_accuracy", "weights", "dense_weights", "spectra_values",
                        "mults_per_frame", "train_s", "wall_s")})
                elif any(t.state == S.PRUNED for t in ts):
                    row["state"] = "pruned"
                else:
                    row["state"] = "error"
                res.phase1.append(row)
        done_rows = [r for r in res.phase1 if r["state"] == "complete"]
        front = pareto_front(done_rows, maximize=("accuracy",), minimize=("mults_per_frame",))
        for i in front:
            done_rows[i]["front"] = True
    survivors = sorted({t.user_attrs["params"]["model"] for t in t2 if "params" in t.user_attrs})
    for r in res.phase1:
        r.setdefault("front", False)
        r["survivor"] = r["key"] in survivors
    for key in sorted(k2):
        done = study.complete(k2[key])
        if done is None:
            continue
        m = done.user_attrs["metrics"]
        p = done.user_attrs["params"]
        tr = {"key": key, "model": p["model"], "role": p["role"], **{k: p[k] for k in KNOBS},
              "accuracy": m.get("accuracy"), "float_accuracy": m.get("float_accuracy"), "sqnr_db": m["sqnr_db"],
              "eligible": design_eligible(cfg, m), "weight_storage_bits": m["weight_storage_bits"],
              "formats": m["formats"], "overflow_events": m["overflow_events"], "wall_s": m["wall_s"],
              "plans": m["plans"], "plan_notes": m["plan_notes"]}
        res.phase2_trials.append(tr)
        for pl in m["plans"]:
            res.designs.append({**{k: v for k, v in tr.items() if k not in ("plans", "plan_notes", "formats")},
                                **pl})
    qual = "accuracy" if cfg.has_task else "sqnr_db"
    fitting = [d for d in res.designs if d["fits"]]
    for i in pareto_front(fitting, maximize=(qual, "fps"), minimize=("dsp", "bram18")):
        fitting[i]["front"] = True
    for d in res.designs:
        d.setdefault("front", False)
    res.chosen = choose(cfg, res.designs)
    return res


_SENSE = {"fps": -1, "dsp": 1, "bram": 1, "lut": 1, "energy": 1}
_FIELD = {"fps": "fps", "dsp": "dsp", "bram": "bram18", "lut": "lut", "energy": "energy_proxy"}


def choose(cfg, designs: list[dict]) -> dict | None:
    """The eligible design that fits (and reaches target_fps) ranked first by the objectives, in order.

    Designs that tie on every objective (narrower widths often plan to the same cycles and DSPs) go to
    the smaller one: fewer LUTs, then fewer weight bits stored, then the better quality.
    """
    ok = [d for d in designs if d["eligible"] and d["fits"] and d["fps"] >= cfg.hardware.target_fps]
    if not ok:
        return None
    qual = "accuracy" if cfg.has_task else "sqnr_db"
    return min(ok, key=lambda d: tuple(_SENSE[o] * d[_FIELD[o]] for o in cfg.hardware.objectives)
               + (d["lut"], d["weight_storage_bits"], -d[qual], d["key"], d["mode"]))


# ---------------------------------------------------------------------------- writing


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, float):
        if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
            return f"{v:.4g}"
        return f"{v:.4f}".rstrip("0").rstrip(".") if not v.is_integer() else str(int(v))
    return str(v)


def _csv(rows: list[dict], cols: list[str]) -> str:
    s = io.StringIO()
    w = csv.writer(s, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    return s.getvalue()


def _md(rows: list[dict], cols: list[str]) -> str:
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |")
    return "\n".join(out) + "\n"


def summary_lines(res: StudyResult) -> list[str]:
    cfg = res.cfg
    c = res.counts()
    lines = []
    if cfg.has_task:
        lines.append(f"Phase I: {c['phase1_planned']} candidate models, {c['phase1_run']} trained, "
                     f"{c['phase1_pruned']} pruned by the block-size order (trials saved), {c['phase1_failed']} failed; "
                     f"{c['survivors']} survivors (accuracy >= {cfg.phase1.accuracy_bound:g}, "
                     f"{'Pareto front' if cfg.phase1.survivors == 'front' else 'all'}).")
    else:
        lines.append("Phase I: skipped (no task data): the fixed model with random weights, quality bound = SQNR "
                     f">= {cfg.phase2.min_sqnr_db:g} dB.")
    lines.append(f"Phase II: {c['phase2_run']} quantization trials, {c['designs']} (quantization, plan) designs "
                 f"on {cfg.hardware.device}.")
    if res.wall_s:
        lines.append(f"Wall time: {res.wall_s:.1f} s with {res.workers} worker(s).")
    ch = res.chosen
    if ch:
        acc = f"accuracy {ch['accuracy']:.4f}, " if ch.get("accuracy") is not None else ""
        lines.append(f"Chosen design: {ch['key']} ({ch['mode']}: {ch['rows']}x{ch['cols']} MAC lanes): {acc}"
                     f"SQNR {ch['sqnr_db']:.1f} dB, {ch['fps']:.6g} frames/s ({ch['period']} cycles/frame), "
                     f"{ch['dsp']} DSP, {ch['bram18']} BRAM18, {ch['lut']} LUT, energy proxy "
                     f"{ch['energy_proxy']:.6g}.")
    else:
        lines.append("Chosen design: none meets the bounds and fits the device.")
    for e in res.errors:
        lines.append(f"Failed trial: {e}")
    return lines


def write_report(res: StudyResult, output: str) -> None:
    """Write the report directory `output` atomically (temporary directory, then rename)."""
    output = os.path.abspath(output.rstrip("/"))
    parent = os.path.dirname(output)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}-", dir=parent)
    try:
        _write_into(res, tmp)
        if os.path.isdir(output):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}-old-", dir=parent)
            os.rename(output, os.path.join(old, "r"))
            os.rename(tmp, output)
            shutil.rmtree(old)
        else:
            os.rename(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_into(res: StudyResult, d: str) -> None:
    cfg = res.cfg
    with open(os.path.join(d, "phase1.csv"), "w") as f:
        f.write(_csv(res.phase1, P1_COLUMNS))
    with open(os.path.join(d, "phase2.csv"), "w") as f:
        f.write(_csv(res.designs, P2_COLUMNS))
    doc = {"config": json.loads(cfg.fingerprint()), "counts": res.counts(), "wall_s": res.wall_s,
           "workers": res.workers, "phase1": res.phase1, "phase2": res.phase2_trials, "chosen": res.chosen,
           "errors": res.errors,
           "energy_proxy": "(DSP slices + BRAM18 blocks) x cycles per frame: resource-cycles, not joules"}
    with open(os.path.join(d, "study.json"), "w") as f:
        json.dump(doc, f, indent=1, default=_json_default)
        f.write("\n")
    plots(res, d)
    if res.chosen:
        export_design(res, os.path.join(d, "design"))
    md = [f"# ernn-explore: {cfg.name}", "", *[f"- {x}" for x in summary_lines(res)], ""]
    if cfg.has_task:
        md += ["## Phase I: models", "", _md(res.phase1, P1_COLUMNS[1:]), ""]
    short = ["model", "role", "weight_bits", "data_bits", "acc_bits", "segments", "accuracy", "float_accuracy",
             "sqnr_db", "eligible", "weight_storage_bits"]
    md += ["## Phase II: quantization trials", "", _md(res.phase2_trials, short), ""]
    front = [x for x in res.designs if x["front"]]
    cols = ["model", "weight_bits", "data_bits", "acc_bits", "segments", "accuracy", "sqnr_db", "mode", "rows",
            "cols", "period", "fps", "dsp", "bram18", "lut", "energy_proxy", "mult_utilisation", "eligible"]
    md += [f"## Phase II: Pareto front ({len(front)} of {len(res.designs)} designs; every design: phase2.csv)", "",
           _md(sorted(front, key=lambda x: -x["fps"]), cols), "",
           ("Energy proxy: (DSP slices + BRAM18 blocks) x cycles per frame (resource-cycles a frame holds busy; "
            "a ranking within one device and clock, not joules)."), ""]
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write("\n".join(md))


def _json_default(o):
    if isinstance(o, float) and not math.isfinite(o):
        return str(o)
    raise TypeError(type(o).__name__)


# ---------------------------------------------------------------------------- plots


def plots(res: StudyResult, d: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = res.cfg
    qual = "accuracy" if cfg.has_task else "sqnr_db"
    qlabel = "test accuracy (bit-exact reference)" if cfg.has_task else "SQNR dB against float"
    # Phase I front
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    if cfg.has_task:
        done = [r for r in res.phase1 if r["state"] == "complete"]
        for kind, mark in (("lstm", "o"), ("gru", "s")):
            pts = [r for r in done if r["model"] == kind]
            if pts:
                ax.scatter([r["mults_per_frame"] for r in pts], [r["accuracy"] for r in pts], marker=mark,
                           alpha=0.5, label=kind.upper())
        fr = sorted((r for r in done if r["front"]), key=lambda r: r["mults_per_frame"])
        ax.plot([r["mults_per_frame"] for r in fr], [r["accuracy"] for r in fr], "k-", lw=1, label="Pareto front")
        ax.axhline(cfg.phase1.accuracy_bound, color="r", ls="--", lw=1, label="accuracy bound")
        ax.set_xscale("log")
        ax.set_xlabel("real multiplies per frame (fused FFT form)")
        ax.set_ylabel("test accuracy")
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "Phase I skipped (no task data)", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title(f"{cfg.name}: Phase I")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "phase1_front.png"), dpi=110)
    plt.close(fig)
    # Phase II fronts
    fig, axs = plt.subplots(1, 2, figsize=(10, 4.2))
    fit = [x for x in res.designs if x["fits"]]
    for ax, xk, xl in ((axs[0], "fps", "frames/s"), (axs[1], "dsp", "DSP slices")):
        ax.scatter([x[xk] for x in fit], [x[qual] for x in fit], s=12, alpha=0.35, label="designs")
        fr = [x for x in fit if x["front"]]
        ax.scatter([x[xk] for x in fr], [x[qual] for x in fr], s=22, c="k", label="Pareto front")
        if res.chosen:
            ax.scatter([res.chosen[xk]], [res.chosen[qual]], s=90, marker="*", c="r", label="chosen")
        if not fit:
            ax.text(0.5, 0.5, "no design fits the device", ha="center", va="center", transform=ax.transAxes)
            continue
        ax.set_xscale("log")
        ax.set_xlabel(xl)
        ax.set_ylabel(qlabel)
        ax.legend(fontsize=8)
    fig.suptitle(f"{cfg.name}: Phase II on {cfg.hardware.device}")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "phase2_front.png"), dpi=110)
    plt.close(fig)
    # accuracy against block size
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    if cfg.has_task:
        for name, chain in chains(cfg).items():
            rows = [r for r in res.phase1 if r["key"] in {p.key for p in chain}]
            done = [r for r in rows if r["state"] == "complete"]
            line = ax.plot([r["block"] for r in done], [r["accuracy"] for r in done], "o-", lw=1, ms=4,
                           label=name)[0]
            pr = [r["block"] for r in rows if r["state"] == "pruned"]
            if pr:
                ax.scatter(pr, [cfg.phase1.accuracy_bound] * len(pr), marker="x", color=line.get_color())
        ax.axhline(cfg.phase1.accuracy_bound, color="r", ls="--", lw=1)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("block size b (x: pruned, not trained)")
        ax.set_ylabel("test accuracy")
        ax.legend(fontsize=7, ncol=2)
    else:
        ax.text(0.5, 0.5, "Phase I skipped (no task data)", ha="center", va="center")
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(os.path.join(d, "accuracy_vs_block.png"), dpi=110)
    plt.close(fig)
    # SQNR against bit width (coordinate sweep)
    fig, axs = plt.subplots(1, 4, figsize=(13, 3.6), sharey=True)
    base = widest(cfg)
    for ax, knob in zip(axs, KNOBS):
        for model in sorted({t["model"] for t in res.phase2_trials}):
            pts = sorted((t[knob], t["sqnr_db"]) for t in res.phase2_trials if t["model"] == model and all(
                t[k] == getattr(base, k) for k in KNOBS if k != knob))
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", ms=4, lw=1,
                    label=model[3:] if model != FIXED_MODEL_KEY else cfg.model.kind)
        ax.set_xlabel(knob.replace("_", " "))
    axs[0].set_ylabel("SQNR dB against float")
    axs[-1].legend(fontsize=6)
    fig.suptitle("SQNR of one knob at a time (the others at their widest)")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "sqnr_vs_bits.png"), dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------- the chosen design


def export_design(res: StudyResult, d: str) -> None:
    """The chosen design's accelerator (its recurrent layer) at every stage, down to ernn-tile's hardware level."""
    import numpy as np

    from ernn_ir.builder import build_module, module_to_text
    from ernn_ir.explore.api import model_spec
    from ernn_ir.explore.phase2 import hardware_spec, step_graph
    from ernn_ir.hardware.devices import load_device
    from ernn_ir.hardware.plan import PlanRequest, plan
    from ernn_ir.model_spec import DenseSpec
    from ernn_ir.numerics import FixedFormat
    from ernn_ir.passes.pipeline import PipelinePass
    from ernn_ir.passes.quantize import QuantizePass, quantize_module
    from ernn_ir.passes.tile import TilePass
    from ernn_ir.registry import make_context

    cfg, ch = res.cfg, res.chosen
    os.makedirs(d)
    spec = model_spec(res.study, ch["model"])
    hw_spec = hardware_spec(spec)
    trial = next(t for t in res.phase2_trials if t["key"] == ch["key"])
    formats = {c: FixedFormat(w, f) for c, (w, f) in trial["formats"].items()}
    q = QuantPoint(ch["weight_bits"], ch["data_bits"], ch["acc_bits"], ch["segments"])
    if cfg.has_task:
        from ernn_ir.explore.api import task_of

        T = task_of(cfg).seq_len
    else:
        T = cfg.model.seq_len
    module = build_module(hw_spec, seq_len=T, batch=1)
    files = [("00-model.mlir", module_to_text(module))]
    ctx = make_context()
    pipe = PipelinePass(weight_bits=q.weight_bits, data_bits=q.data_bits, acc_bits=q.acc_bits, segments=q.segments)
    import contextlib

    with contextlib.redirect_stderr(io.StringIO()):
        for i, st in enumerate(pipe.stages(), 1):
            if isinstance(st, QuantizePass):
                from dataclasses import replace

                quantize_module(module, replace(st, **{f"{c}_frac": f.frac for c, f in formats.items()}))
            else:
                st.apply(ctx, module)
            files.append((f"{i:02d}-{st.name}.mlir", module_to_text(module)))
    dev = load_device(cfg.resolve(cfg.hardware.device) if cfg.hardware.device.endswith((".toml", ".json"))
                      else cfg.hardware.device)
    clock = cfg.hardware.clock_mhz or dev.clock_mhz
    again = plan(step_graph(module), PlanRequest(dev, clock, rows=ch["rows"], cols=ch["cols"], cmul=cfg.hardware.cmul))
    if again.period != ch["period"] or again.resources.dsp != ch["dsp"]:
        raise RuntimeError(f"the exported design plans to {again.period} cycles / {again.resources.dsp} DSP, "
                           f"not the {ch['period']} / {ch['dsp']} measured in the study")
    tile = TilePass(device=dev.name if not cfg.hardware.device.endswith((".toml", ".json"))
                    else cfg.resolve(cfg.hardware.device), clock=clock, rows=ch["rows"], cols=ch["cols"],
                    cmul=cfg.hardware.cmul)
    tile.apply(ctx, module)
    module.verify()
    files.append((f"{len(files):02d}-ernn-tile.mlir", module_to_text(module)))
    for name, text in files:
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    heads = [la for la in spec.layers if isinstance(la, DenseSpec)]
    if heads:
        np.savez(os.path.join(d, "head.npz"), weight=heads[0].weight,
                 bias=heads[0].bias if heads[0].bias is not None else np.zeros(heads[0].weight.shape[0]))
    info = {"design": ch, "formats": trial["formats"], "seq_len": T,
            "tile_options": f"ernn-tile{{device={tile.device} clock={clock:g} rows={ch['rows']} cols={ch['cols']} "
                            f"cmul={cfg.hardware.cmul}}}",
            "files": [n for n, _ in files] + (["head.npz"] if heads else []),
            "note": "the accelerator runs the recurrent layer and streams every step's output; a classifier's "
                    "dense head (head.npz) reads the last step on the host"}
    with open(os.path.join(d, "design.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
