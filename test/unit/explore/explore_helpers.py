"""A tiny study (seconds per trial) and helpers shared by the explore tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time

TINY = """
[study]
name = "tiny"

[space]
models = ["lstm", "gru"]
hidden = [8]
blocks = [2, 4, 8]

[training]
dense_epochs = 1
admm_epochs = 1
finetune_epochs = 1

[phase1]
accuracy_bound = {bound}

[phase2]
weight_bits = [8, 12]
data_bits = [16]
acc_bits = [32]
segments = [16]
max_accuracy_drop = 0.5
eval_sequences = 32

[hardware]
lanes = [1, 4]
"""

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def write_config(d, bound: float = 0.2, text: str | None = None) -> str:
    path = os.path.join(str(d), "tiny.toml")
    with open(path, "w") as f:
        f.write(text if text is not None else TINY.format(bound=bound))
    return path


def tool_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("ERNN_DEBUG", None)
    return env


def explore_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "ernn_ir.tools.ernn_explore", *args]


def completed(storage: str, name: str = "tiny") -> dict[str, list]:
    """key -> the COMPLETE trials of that key, both phases."""
    import optuna

    out: dict[str, list] = {}
    for ph in ("phase1", "phase2"):
        st = optuna.load_study(study_name=f"{name}.{ph}", storage=_storage(storage))
        for t in st.get_trials(deepcopy=False):
            if t.state.name == "COMPLETE":
                out.setdefault(t.user_attrs["key"], []).append(t)
    return out


def _storage(url: str):
    from ernn_ir.explore.study import open_storage

    return open_storage(url)


def wait_for(pred, timeout: float, poll: float = 0.3) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(poll)
    return False


def run(args, timeout=600, **kw):
    return subprocess.run(explore_cmd(*args), env=tool_env(), capture_output=True, text=True, timeout=timeout, **kw)
