"""The study engine: Optuna storage (journal file or RDB/SQLite) shared by any number of workers.

Each phase is an Optuna study in one storage (`<name>.phase1`,
`<name>.phase2`); the first one also holds the configuration it was created
from (a resumed or joined study must match it).  A trial is an Optuna
trial *enqueued* with its name (`trials.py`) in its user attributes; a
worker takes one with the storage's atomic WAITING -> RUNNING transition
(the same call `Study.ask` makes), so two workers never take the same
trial, on one machine or many.  Nothing here schedules: every worker runs
the same loop,

    reconcile   enqueue the trials that what has finished now calls for,
                fail trials whose worker died, record pruned block sizes;
    take        the lowest-numbered waiting trial;
    run, tell   COMPLETE with the metrics, or FAIL.

Trial names make it idempotent.  A trial is enqueued only if no trial of
that name is waiting, running, complete or pruned; if two workers race and
enqueue a name twice, the one taken later sees the other and is dropped
unrun (FAIL, `duplicate_of`).  A trial interrupted (Ctrl-C, SIGTERM) is
told FAIL (`interrupted`) and one whose worker died (SIGKILL, a crash, a
lost machine) is failed by the next reconcile: on this machine by its
process id, elsewhere when its heartbeat is older than the grace period;
either way the next reconcile enqueues the name again.  So a study resumed
after any stop loses no trial, and a trial that completed never runs again.
A trial that raises is told FAIL with its `error` and not retried.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ernn_ir.explore.config import ConfigError, StudyConfig, config_from_fingerprint
from ernn_ir.explore.trials import (
    FIXED_MODEL_KEY,
    DesignPoint,
    ModelPoint,
    QuantPoint,
    chains,
    combined_point,
    sweep_points,
)

HEARTBEAT_S = 10.0
GRACE_S = 120.0


class StudyError(Exception):
    """A storage or study that cannot be used as asked (the message says why and what to do)."""


def _optuna():
    try:
        import optuna
    except ImportError:
        raise StudyError("ernn-explore needs Optuna: pip install 'ernn-ir[explore]' (optuna, matplotlib, tqdm)") from None

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def open_storage(url: str):
    """`sqlite:///file.db` (or any SQLAlchemy URL): Optuna's RDB storage; anything else: a journal file."""
    optuna = _optuna()
    if "://" in url:
        kw = {"connect_args": {"timeout": 120}} if url.startswith("sqlite") else None
        from sqlalchemy.exc import IntegrityError  # an Optuna dependency

        for attempt in range(3):
            try:
                return optuna.storages.RDBStorage(url, engine_kwargs=kw)
            except Exception as e:  # SQLAlchemy raises many types for a bad URL or an unreachable server
                # two workers creating a new database at once: the second one's schema insert fails
                # on the first one's row; opening it again finds the schema made
                if isinstance(e, IntegrityError) and attempt < 2:
                    continue
                raise StudyError(f"cannot open the storage '{url}': {e}") from None
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    d = os.path.dirname(os.path.abspath(url))
    if not os.path.isdir(d):
        raise StudyError(f"cannot open the journal '{url}': no directory '{d}'")
    # the open(O_EXCL) lock also works on NFS, where workers of several machines share the file
    return optuna.storages.JournalStorage(JournalFileBackend(url, lock_obj=JournalFileOpenLock(url)))


def study_names(storage) -> list[str]:
    optuna = _optuna()
    names = optuna.get_all_study_names(storage)
    return sorted(n[: -len(".phase1")] for n in names if n.endswith(".phase1") and n[:-7] + ".phase2" in names)


@dataclass
class Status:
    phase1_total: int = 0
    phase1_done: int = 0
    phase1_pruned: int = 0
    phase2_total: int = 0
    phase2_done: int = 0
    running: int = 0
    failed: int = 0
    phase1_finished: bool = False
    finished: bool = False
    errors: list[str] = field(default_factory=list)


def _key(t) -> str | None:
    return t.user_attrs.get("key")


class Study:
    """Both phases' Optuna studies of one exploration, in one storage."""

    def __init__(self, storage, cfg: StudyConfig, artifacts: str) -> None:
        self.optuna = _optuna()
        self.storage = storage
        self.cfg = cfg
        self.artifacts = artifacts
        self.phase1 = self.optuna.load_study(study_name=f"{cfg.name}.phase1", storage=storage)
        self.phase2 = self.optuna.load_study(study_name=f"{cfg.name}.phase2", storage=storage)
        self.host = socket.gethostname()

    # ---- creating and joining
    @classmethod
    def create_or_resume(cls, storage, cfg: StudyConfig, artifacts: str) -> Study:
        optuna = _optuna()
        fp = cfg.fingerprint()
        names = optuna.get_all_study_names(storage)
        if f"{cfg.name}.phase1" in names:
            old = optuna.load_study(study_name=f"{cfg.name}.phase1", storage=storage).user_attrs.get("config")
            if old != fp:
                raise StudyError(
                    f"the storage already holds a study '{cfg.name}' made from a different configuration "
                    f"({_first_difference(old, fp)}); use another --output/--storage or [study] name"
                )
        else:
            s1 = optuna.create_study(storage=storage, study_name=f"{cfg.name}.phase1", load_if_exists=True,
                                     directions=["maximize", "minimize"])
            s1.set_user_attr("config", fp)
            s1.set_user_attr("metric_names", ["accuracy", "mults_per_frame"])
            s2 = optuna.create_study(storage=storage, study_name=f"{cfg.name}.phase2", load_if_exists=True,
                                     directions=["maximize", "maximize", "minimize"])
            s2.set_user_attr("metric_names", ["accuracy or SQNR dB", "fps (fastest fitting plan)", "its DSP"])
        return cls(storage, cfg, artifacts)

    @classmethod
    def join(cls, storage, name: str | None, artifacts: str) -> Study:
        names = study_names(storage)
        if name is None:
            if len(names) != 1:
                raise StudyError(f"the storage holds {len(names)} studies ({', '.join(names) or 'none'}): "
                                 "name one with --study")
            name = names[0]
        if name not in names:
            raise StudyError(f"the storage holds no study '{name}' (studies: {', '.join(names) or 'none'})")
        optuna = _optuna()
        fp = optuna.load_study(study_name=f"{name}.phase1", storage=storage).user_attrs["config"]
        d = json.loads(fp)
        d["name"] = name
        return cls(storage, config_from_fingerprint(json.dumps(d)), artifacts)

    # ---- what exists
    def trials(self):
        return (self.phase1.get_trials(deepcopy=False), self.phase2.get_trials(deepcopy=False))

    @staticmethod
    def by_key(trials) -> dict[str, list]:
        out: dict[str, list] = {}
        for t in trials:
            k = _key(t)
            if k is not None:
                out.setdefault(k, []).append(t)
        return out

    def _alive_or_finished(self, ts) -> bool:
        """Some trial of this name is waiting, running, complete, pruned, or failed for good (an error)."""
        S = self.optuna.trial.TrialState
        for t in ts:
            if t.state in (S.WAITING, S.RUNNING, S.COMPLETE, S.PRUNED):
                return True
            if t.state == S.FAIL and "error" in t.user_attrs:
                return True
        return False

    @staticmethod
    def complete(ts):
        return next((t for t in ts if t.state.name == "COMPLETE"), None)

    def _enqueue(self, study, key: str, params: dict) -> None:
        study.enqueue_trial({}, user_attrs={"key": key, "params": params})

    # ---- liveness
    def _stale(self, t, now: float) -> bool:
        w = t.user_attrs.get("worker")
        if not w:
            # claimed but not yet marked (the claiming worker marks it at once): stale only if that never came
            start = t.datetime_start
            return start is not None and (datetime.now() - start).total_seconds() > GRACE_S
        host, pid = w.rsplit(":", 1)
        if host == self.host and not _pid_alive(int(pid)):
            return True
        return now - float(t.user_attrs.get("heartbeat", now)) > GRACE_S

    def _fail_stale(self, trials) -> None:
        S = self.optuna.trial.TrialState
        now = time.time()
        for study, ts in zip((self.phase1, self.phase2), trials):
            for t in ts:
                if t.state == S.RUNNING and self._stale(t, now):
                    try:
                        self.storage.set_trial_user_attr(t._trial_id, "stale", f"worker {t.user_attrs['worker']} "
                                                         "stopped")
                        self.storage.set_trial_state_values(t._trial_id, S.FAIL)
                    except Exception:  # another worker failed it first
                        pass

    # ---- the plan of trials
    def reconcile(self) -> Status:
        """Enqueue what is due, record pruned block sizes; the study's progress."""
        trials = self.trials()
        self._fail_stale(trials)
        trials = self.trials()
        st = Status()
        S = self.optuna.trial.TrialState
        k1 = self.by_key(trials[0])
        survivors: list[str] = []
        if self.cfg.has_task:
            all_done = True
            bound = self.cfg.phase1.accuracy_bound
            for chain in chains(self.cfg).values():
                st.phase1_total += len(chain)
                breaker: str | None = None  # why the chain ended (its larger block sizes are pruned)
                for p in chain:
                    ts = k1.get(p.key, [])
                    if breaker is not None:
                        if not any(t.state == S.PRUNED for t in ts):
                            self._add_pruned(p, breaker)
                        st.phase1_pruned += 1
                        continue
                    if any(t.state == S.PRUNED for t in ts):
                        st.phase1_pruned += 1
                        continue
                    done = self.complete(ts)
                    errored = next((t for t in ts if t.state == S.FAIL and "error" in t.user_attrs), None)
                    if errored is not None and done is None:
                        st.errors.append(f"{p.key}: {errored.user_attrs['error']}")
                        st.phase1_done += 1
                        breaker = f"b={p.block} failed" if self.cfg.phase1.prune else None
                        continue
                    if done is not None:
                        st.phase1_done += 1
                        acc = done.user_attrs["metrics"]["accuracy"]
                        if acc >= bound:
                            survivors.append(p.key)
                        elif self.cfg.phase1.prune:
                            breaker = f"b={p.block} broke the accuracy bound"
                        continue
                    all_done = False
                    if not self._alive_or_finished(ts):
                        self._enqueue(self.phase1, p.key, p.params())
                    if self.cfg.phase1.prune:
                        break  # the next block size waits for this one
            st.phase1_finished = all_done
            if all_done:
                survivors = self.select_survivors(trials[0], survivors)
        else:
            st.phase1_finished = True
            survivors = [FIXED_MODEL_KEY]
        st.running = sum(t.state == S.RUNNING for ts in trials for t in ts)
        st.failed = sum(t.state == S.FAIL and "error" in t.user_attrs for ts in trials for t in ts)
        if not st.phase1_finished:
            return st
        k2 = self.by_key(trials[1])
        finished = True
        for mk in survivors:
            pts = [DesignPoint(mk, q, "sweep") for q in sweep_points(self.cfg)]
            eligible: dict[QuantPoint, bool] = {}
            for d in pts:
                st.phase2_total += 1
                ts = k2.get(d.key, [])
                done = self.complete(ts)
                errored = next((t for t in ts if t.state == S.FAIL and "error" in t.user_attrs), None)
                if done is not None:
                    st.phase2_done += 1
                    eligible[d.quant] = design_eligible(self.cfg, done.user_attrs["metrics"])
                elif errored is not None:
                    st.phase2_done += 1
                    st.errors.append(f"{d.key}: {errored.user_attrs['error']}")
                    eligible[d.quant] = False
                else:
                    finished = False
                    if not self._alive_or_finished(ts):
                        self._enqueue(self.phase2, d.key, d.params())
            if len(eligible) < len(pts):
                st.phase2_total += 1  # the combined point, once the sweep is known
                continue
            q = combined_point(self.cfg, eligible)
            if q in eligible:
                continue  # the combination is a sweep point already measured
            d = DesignPoint(mk, q, "combined")
            st.phase2_total += 1
            ts = k2.get(d.key, [])
            if self.complete(ts) is not None or any(t.state == S.FAIL and "error" in t.user_attrs for t in ts):
                st.phase2_done += 1
            else:
                finished = False
                if not self._alive_or_finished(ts):
                    self._enqueue(self.phase2, d.key, d.params())
        st.finished = finished
        return st

    def select_survivors(self, trials1, meeting: list[str]) -> list[str]:
        """Phase I survivors: models meeting the bound, on the front of accuracy against multiplies."""
        from ernn_ir.explore.pareto import pareto_front

        k1 = self.by_key(trials1)
        rows = [(k, self.complete(k1[k]).user_attrs["metrics"]) for k in meeting]
        if self.cfg.phase1.survivors == "front":
            front = pareto_front([m for _, m in rows], maximize=("accuracy",), minimize=("mults_per_frame",))
            rows = [rows[i] for i in front]
        rows.sort(key=lambda r: (-r[1]["accuracy"], r[1]["mults_per_frame"], r[0]))
        if self.cfg.phase1.max_survivors:
            rows = rows[: self.cfg.phase1.max_survivors]
        return sorted(k for k, _ in rows)

    def _add_pruned(self, p: ModelPoint, reason: str) -> None:
        t = self.optuna.trial.create_trial(
            state=self.optuna.trial.TrialState.PRUNED, user_attrs={"key": p.key, "params": p.params(), "reason": reason})
        self.phase1.add_trial(t)

    # ---- taking and running trials
    def take(self):
        """(study, frozen trial) of a waiting trial this worker now owns, or None."""
        S = self.optuna.trial.TrialState
        for study in (self.phase1, self.phase2):
            waiting = sorted(study.get_trials(deepcopy=False, states=(S.WAITING,)), key=lambda t: t.number)
            for t in waiting:
                try:
                    taken = self.storage.set_trial_state_values(t._trial_id, S.RUNNING)
                except Exception:  # a finished trial, or a database busy with another worker's claim
                    taken = False
                if not taken:
                    continue  # another worker took it
                self.storage.set_trial_user_attr(t._trial_id, "worker", f"{self.host}:{os.getpid()}")
                self.storage.set_trial_user_attr(t._trial_id, "heartbeat", time.time())
                dup = self._duplicate_of(study, t)
                if dup is not None:
                    self.storage.set_trial_user_attr(t._trial_id, "duplicate_of", dup)
                    self.storage.set_trial_state_values(t._trial_id, S.FAIL)
                    continue
                return study, self.storage.get_trial(t._trial_id)
        return None

    def _duplicate_of(self, study, t) -> int | None:
        S = self.optuna.trial.TrialState
        for o in study.get_trials(deepcopy=False):
            if o.number == t.number or _key(o) != _key(t):
                continue
            if o.state in (S.COMPLETE, S.PRUNED) or (o.state == S.FAIL and "error" in o.user_attrs):
                return o.number
            if o.state in (S.RUNNING, S.WAITING) and o.number < t.number:
                return o.number
        return None

    def run_trial(self, study, t, runner: Callable[[Study, object], tuple[dict, list[float]]]) -> None:
        S = self.optuna.trial.TrialState
        tid = t._trial_id
        stop = threading.Event()

        def beat():
            while not stop.wait(HEARTBEAT_S):
                try:
                    self.storage.set_trial_user_attr(tid, "heartbeat", time.time())
                except Exception:
                    return

        hb = threading.Thread(target=beat, daemon=True)
        hb.start()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            metrics, values = runner(self, t)
        except KeyboardInterrupt:
            stop.set()
            hb.join()
            self.storage.set_trial_user_attr(tid, "interrupted", True)
            self.storage.set_trial_state_values(tid, S.FAIL)
            raise
        except Exception as e:  # a trial's own failure: recorded, the study goes on
            stop.set()
            hb.join()
            self.storage.set_trial_user_attr(tid, "error", f"{type(e).__name__}: {e}")
            self.storage.set_trial_state_values(tid, S.FAIL)
            return
        stop.set()
        hb.join()
        metrics["wall_s"] = time.perf_counter() - t0
        metrics["cpu_s"] = time.process_time() - c0  # against wall_s: how much CPU the trial really got
        self.storage.set_trial_user_attr(tid, "metrics", metrics)
        study.tell(t.number, values)


def design_eligible(cfg: StudyConfig, m: dict) -> bool:
    """A design's quality meets the study's bounds (accuracy drop and SQNR)."""
    if cfg.phase2.min_sqnr_db and m["sqnr_db"] < cfg.phase2.min_sqnr_db:
        return False
    if "accuracy" in m:
        if m["float_accuracy"] - m["accuracy"] > cfg.phase2.max_accuracy_drop + 1e-12:
            return False
        if m["accuracy"] < cfg.phase1.accuracy_bound:
            return False
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _first_difference(old: str | None, new: str) -> str:
    if old is None:
        return "it has no recorded configuration"
    a, b = json.loads(old), json.loads(new)
    for sec in sorted(set(a) | set(b)):
        if a.get(sec) != b.get(sec):
            if isinstance(a.get(sec), dict) and isinstance(b.get(sec), dict):
                for k in sorted(set(a[sec]) | set(b[sec])):
                    if a[sec].get(k) != b[sec].get(k):
                        return f"{sec}.{k} was {a[sec].get(k)!r}, now {b[sec].get(k)!r}"
            return f"{sec} differs"
    return "unknown difference"


__all__ = ["ConfigError", "Status", "Study", "StudyError", "design_eligible", "open_storage", "study_names"]
