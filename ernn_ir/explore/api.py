"""The Python API of `ernn-explore`: run a study (locally or as one of many workers) and report it.

    from ernn_ir.explore.api import explore
    result = explore("study.toml", "report_dir", workers=2)   # resumes if interrupted
    result.chosen                                            # the chosen design (dict)

`explore` creates or resumes the study in its storage (by default the journal
file `report_dir.state/journal.log`), runs `workers` worker processes on this
machine (1: in this process), waits for the study to finish and writes the
report directory.  `work` is the loop of one worker (`ernn-explore worker`):
start as many as you like, on any machine that reaches the storage and the
artifact directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

from ernn_ir.explore.config import StudyConfig, load_config
from ernn_ir.explore.study import Status, Study, StudyError, open_storage
from ernn_ir.explore.trials import FIXED_MODEL_KEY, ModelPoint, QuantPoint

_TASKS: dict[str, object] = {}


def task_of(cfg: StudyConfig):
    """The study's task, loaded once per process."""
    from ernn_ir.explore.phase1 import load_task

    fp = cfg.fingerprint()
    if fp not in _TASKS:
        _TASKS[fp] = load_task(cfg)
    return _TASKS[fp]


def artifact_store(path: str):
    from optuna.artifacts import FileSystemArtifactStore

    os.makedirs(path, exist_ok=True)
    return FileSystemArtifactStore(path)


def model_spec(study: Study, model_key: str):
    """The ModelSpec a Phase II trial quantizes: a survivor's trained weights, or the fixed model."""
    import torch
    from optuna.artifacts import download_artifact

    from ernn_ir.explore.phase1 import spec_of_trained
    from ernn_ir.explore.phase2 import fixed_model_spec

    cfg = study.cfg
    if model_key == FIXED_MODEL_KEY:
        return fixed_model_spec(cfg)
    t = study.complete(study.by_key(study.phase1.get_trials(deepcopy=False))[model_key])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.pt")
        download_artifact(artifact_store=artifact_store(study.artifacts), file_path=path,
                          artifact_id=t.user_attrs["metrics"]["model_artifact"])
        state = torch.load(path, weights_only=True)
    return spec_of_trained(cfg, task_of(cfg), ModelPoint(**t.user_attrs["params"]), state)


def best_plan(plans: list[dict]) -> dict | None:
    fitting = [p for p in plans if p["fits"]]
    return max(fitting, key=lambda p: (p["fps"], -p["dsp"])) if fitting else None


def run_one(study: Study, t) -> tuple[dict, list[float]]:
    """Run one trial (either phase): its metrics and its Optuna objective values."""
    import torch
    from optuna.artifacts import upload_artifact

    from ernn_ir.explore.phase1 import run_model_trial
    from ernn_ir.explore.phase2 import eval_data, run_design_trial

    cfg = study.cfg
    params = dict(t.user_attrs["params"])
    torch.set_num_threads(cfg.training.threads)
    if t.user_attrs["key"].startswith("p1:"):
        point = ModelPoint(**params)
        trained = run_model_trial(cfg, point, task_of(cfg), os.path.join(study.artifacts, "dense-cache"))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, f"{point.chain}-b{point.block}.pt")
            torch.save(trained.state_dict, path)
            trained.metrics["model_artifact"] = upload_artifact(
                artifact_store=artifact_store(study.artifacts), file_path=path, study_or_trial=t,
                storage=study.storage)
        m = trained.metrics
        return m, [m["accuracy"], float(m["mults_per_frame"])]
    q = QuantPoint(params["weight_bits"], params["data_bits"], params["acc_bits"], params["segments"])
    spec = model_spec(study, params["model"])
    data = eval_data(cfg, task_of(cfg) if cfg.has_task else None)
    m = run_design_trial(cfg, spec, q, data)
    bp = best_plan(m["plans"])
    quality = m["accuracy"] if "accuracy" in m else m["sqnr_db"]
    return m, [quality, bp["fps"] if bp else 0.0, float(bp["dsp"]) if bp else 0.0]


def work(study: Study, on_progress=None, poll_s: float = 1.0, runner=None) -> Status:
    """One worker: take and run trials until the study is finished (see study.py).

    `runner(study, trial) -> (metrics, objective values)` runs one trial (default: `run_one`).
    """
    while True:
        st = study.reconcile()
        if on_progress:
            on_progress(st)
        if st.finished:
            return st
        got = study.take()
        if got is None:
            time.sleep(poll_s)  # what is left runs elsewhere, or waits for a trial running elsewhere
            continue
        study.run_trial(*got, runner or run_one)


class Progress:
    """Two progress bars (Phase I, Phase II) on stderr, fed with the study's status."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars = None

    def __call__(self, st: Status) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if self.bars is None:
            self.bars = [tqdm(total=st.phase1_total, desc="Phase I  trials", unit="trial", file=sys.stderr,
                              dynamic_ncols=True, disable=None),
                         tqdm(total=max(1, st.phase2_total), desc="Phase II trials", unit="trial", file=sys.stderr,
                              dynamic_ncols=True, disable=None)]
        b1, b2 = self.bars
        b1.total = st.phase1_total
        b1.n = st.phase1_done + st.phase1_pruned
        b1.set_postfix_str(f"pruned {st.phase1_pruned}, running {st.running}", refresh=False)
        b1.refresh()
        if st.phase1_finished:
            b2.total = max(1, st.phase2_total)
            b2.n = st.phase2_done
            b2.refresh()

    def close(self) -> None:
        if self.bars:
            for b in self.bars:
                b.close()


def state_paths(output: str, storage: str | None, artifacts: str | None) -> tuple[str, str]:
    state = os.path.abspath(output.rstrip("/")) + ".state"
    if storage is None or artifacts is None:
        os.makedirs(state, exist_ok=True)
    return storage or os.path.join(state, "journal.log"), artifacts or os.path.join(state, "artifacts")


def explore(config: str | StudyConfig, output: str, storage: str | None = None, workers: int = 1,
            artifacts: str | None = None, progress: bool = False, report: bool = True):
    """Run (or resume) a study to the end and write its report; returns the report's `StudyResult`."""
    from ernn_ir.explore.report import collect, write_report

    cfg = load_config(config) if isinstance(config, str) else config
    if workers < 1:
        raise StudyError(f"--workers must be >= 1, got {workers}")
    url, art = state_paths(output, storage, artifacts)
    study = Study.create_or_resume(open_storage(url), cfg, art)
    bars = Progress(progress)
    t0 = time.perf_counter()
    try:
        if workers == 1:
            st = work(study, bars)
        else:
            st = _local_workers(study, url, art, workers, bars)
    finally:
        bars.close()
    wall = time.perf_counter() - t0
    if not st.finished:
        raise StudyError("the workers stopped before the study finished; run the same command again to resume")
    result = collect(study)
    result.wall_s = wall
    result.workers = workers
    if report:
        write_report(result, output)
    return result


def worker_command(url: str, name: str, artifacts: str) -> list[str]:
    return [sys.executable, "-m", "ernn_ir.tools.ernn_explore", "worker", "--storage", url, "--study", name,
            "--artifacts", artifacts, "--quiet"]


def _local_workers(study: Study, url: str, art: str, n: int, bars: Progress) -> Status:
    procs = [subprocess.Popen(worker_command(url, study.cfg.name, art)) for _ in range(n)]
    try:
        while any(p.poll() is None for p in procs):
            bars(study.reconcile())
            time.sleep(1.0)
    except KeyboardInterrupt:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        raise
    st = study.reconcile()
    bars(st)
    bad = [p.returncode for p in procs if p.returncode]
    if bad and not st.finished:
        raise StudyError(f"{len(bad)} of {n} workers failed (exit status {bad[0]}); run the same command again "
                         "to resume")
    return st
