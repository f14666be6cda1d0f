"""ernn-explore end to end on a tiny study: report, pruning, resuming after Ctrl-C and SIGKILL, shared workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest

for _m in ("optuna", "torch", "sklearn", "matplotlib", "tqdm"):
    pytest.importorskip(_m)

from explore_helpers import (
    completed,
    explore_cmd,
    run,
    tool_env,
    wait_for,
    write_config,
)

from ernn_ir.explore.config import load_config
from ernn_ir.explore.study import Study, StudyError, open_storage


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny study run once, uninterrupted, in this process."""
    from ernn_ir.explore.api import explore

    d = tmp_path_factory.mktemp("ref")
    cfg = load_config(write_config(d))
    out = str(d / "report")
    res = explore(cfg, out)
    return {"res": res, "out": out, "storage": out + ".state/journal.log",
            "keys": sorted(completed(out + ".state/journal.log"))}


def test_report_directory(reference):
    res, out = reference["res"], reference["out"]
    names = set(os.listdir(out))
    assert {"report.md", "study.json", "phase1.csv", "phase2.csv", "phase1_front.png", "phase2_front.png",
            "accuracy_vs_block.png", "sqnr_vs_bits.png", "design"} <= names
    for png in ("phase1_front.png", "phase2_front.png", "accuracy_vs_block.png", "sqnr_vs_bits.png"):
        with open(os.path.join(out, png), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(os.path.join(out, "phase1.csv")) as f:
        assert len(f.read().strip().splitlines()) == 1 + len(res.phase1) == 1 + 6
    with open(os.path.join(out, "phase2.csv")) as f:
        assert len(f.read().strip().splitlines()) == 1 + len(res.designs)
    with open(os.path.join(out, "study.json")) as f:
        doc = json.load(f)
    assert doc["counts"] == res.counts()
    assert doc["counts"]["phase1_run"] + doc["counts"]["phase1_pruned"] == 6
    assert not [n for n in os.listdir(os.path.dirname(out)) if n.startswith(".report-")]  # no temporary left


def test_pruning_follows_the_block_order(reference):
    res = reference["res"]
    bound = res.cfg.phase1.accuracy_bound
    for kind in ("lstm", "gru"):
        rows = sorted((r for r in res.phase1 if r["model"] == kind), key=lambda r: r["block"])
        states = [r["state"] for r in rows]
        k = states.index("pruned") if "pruned" in states else len(states)
        assert all(s == "complete" for s in states[:k]) and all(s == "pruned" for s in states[k:])
        trained = rows[:k]
        assert all(r["accuracy"] >= bound for r in trained[:-1])
        if k < len(rows):
            assert trained[-1]["accuracy"] < bound  # the first to break the bound ended the chain


def test_phase2_and_chosen_design(reference):
    from ernn_ir.builder import parse_module_text
    from ernn_ir.dialects.ernn_hw import DesignOp

    res = reference["res"]
    survivors = {r["key"] for r in res.phase1 if r["survivor"]}
    assert survivors and {t["model"] for t in res.phase2_trials} == survivors
    assert all(r["accuracy"] >= res.cfg.phase1.accuracy_bound for r in res.phase1 if r["survivor"])
    for t in res.phase2_trials:
        assert t["plans"] and all(p["period"] > 0 for p in t["plans"])
    ch = res.chosen
    assert ch is not None and ch["eligible"] and ch["fits"]
    # the chosen design is the fastest eligible fitting one (objectives: fps first)
    ok = [d for d in res.designs if d["eligible"] and d["fits"]]
    assert ch["fps"] == max(d["fps"] for d in ok)
    ties = [d for d in ok if (d["fps"], d["dsp"], d["bram18"], d["energy_proxy"]) ==
            (ch["fps"], ch["dsp"], ch["bram18"], ch["energy_proxy"])]
    assert ch["lut"] == min(d["lut"] for d in ties)  # a tie goes to the smaller design
    d = os.path.join(reference["out"], "design")
    stages = sorted(n for n in os.listdir(d) if n.endswith(".mlir"))
    assert stages[0] == "00-model.mlir" and stages[-1] == "07-ernn-tile.mlir" and len(stages) == 8
    with open(os.path.join(d, stages[-1])) as f:
        m = parse_module_text(f.read())
    design = next(o for o in m.walk() if isinstance(o, DesignOp))
    assert design.period.value.data == ch["period"]


def test_resume_needs_the_same_config(tmp_path):
    url = str(tmp_path / "j.log")
    Study.create_or_resume(open_storage(url), load_config(write_config(tmp_path, bound=0.2)), str(tmp_path))
    with pytest.raises(StudyError, match=r"phase1.accuracy_bound was 0.2, now 0.3"):
        Study.create_or_resume(open_storage(url), load_config(write_config(tmp_path, bound=0.3)), str(tmp_path))


def _phase1_complete(url):
    try:
        return len([k for k in completed(url) if k.startswith("p1:")])
    except Exception:  # the study is not created yet
        return 0


def test_interrupt_kill_and_resume_lose_and_repeat_nothing(reference, tmp_path):
    """Ctrl-C, then SIGKILL, then a resume: the completed trials are the uninterrupted run's, each once."""
    cfg = write_config(tmp_path)
    url = f"sqlite:///{tmp_path}/study.db"
    args = ["run", cfg, "-o", str(tmp_path / "rep"), "--storage", url, "--quiet"]
    p = subprocess.Popen(explore_cmd(*args), env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    assert wait_for(lambda: p.poll() is not None or _phase1_complete(url) >= 1, 600)
    assert p.poll() is None, p.communicate()[1]
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not os.path.exists(tmp_path / "rep")  # no report from an unfinished study
    n1 = _phase1_complete(url)
    p = subprocess.Popen(explore_cmd(*args), env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: p.poll() is not None or _phase1_complete(url) >= n1 + 1, 600)
    assert p.poll() is None
    p.kill()  # SIGKILL: the running trial stays RUNNING in the storage until a resume finds its worker dead
    p.wait()
    r = run(args)
    assert r.returncode == 0, r.stderr
    done = completed(url)
    assert sorted(done) == reference["keys"]
    assert all(len(ts) == 1 for ts in done.values())
    import optuna

    failed = [t for ph in ("phase1", "phase2") for t in optuna.load_study(
        study_name=f"tiny.{ph}", storage=open_storage(url)).get_trials() if t.state.name == "FAIL"]
    assert all(("interrupted" in t.user_attrs) or ("stale" in t.user_attrs) or ("duplicate_of" in t.user_attrs)
               for t in failed)
    assert "error" not in {k for t in failed for k in t.user_attrs}
    assert os.path.isfile(tmp_path / "rep" / "report.md")


def test_workers_share_one_study(reference, tmp_path):
    """`init`, three `worker` processes on one journal file, then `report`."""
    cfg = write_config(tmp_path)
    url = str(tmp_path / "shared.log")
    r = run(["init", cfg, "--storage", url])
    assert r.returncode == 0, r.stderr
    procs = [subprocess.Popen(explore_cmd("worker", "--storage", url, "--quiet"), env=tool_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    done = completed(url)
    assert sorted(done) == reference["keys"]
    assert all(len(ts) == 1 for ts in done.values())
    workers = {t.user_attrs["worker"] for ts in done.values() for t in ts}
    assert len(workers) >= 2  # the trials really were shared
    r = run(["report", "--storage", url, "-o", str(tmp_path / "rep")])
    assert r.returncode == 0, r.stderr
    assert "Chosen design:" in r.stdout and os.path.isfile(tmp_path / "rep" / "design" / "07-ernn-tile.mlir")
