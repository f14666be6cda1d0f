"""Every code block of docs/python-api.md runs.

The ```python blocks run in order in one namespace (later blocks use names
from earlier ones), in a temporary directory; the ```sh blocks then run
there with bash (they use the files the Python blocks wrote).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "python-api.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[tuple[int, str]]:
    text = DOC.read_text()
    return [
        (text.count("\n", 0, m.start()) + 1, m.group(2))
        for m in FENCE.finditer(text)
        if m.group(1) == lang
    ]


def test_doc_has_examples():
    assert len(blocks("python")) >= 8
    assert blocks("sh")
    # no other fenced languages slip through untested
    langs = {m.group(1) for m in FENCE.finditer(DOC.read_text())}
    assert langs <= {"python", "sh"}, langs


def test_python_and_shell_blocks_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ns: dict = {"__name__": "__docs__"}
    for line, code in blocks("python"):
        try:
            exec(compile(code, f"{DOC.name}:{line}", "exec"), ns)
        except Exception as e:  # pragma: no cover - the message says which block
            pytest.fail(f"python block at {DOC.name}:{line} failed: {type(e).__name__}: {e}")
    out = capsys.readouterr().out
    assert "ReferenceError:" in out and "ernn.add 2" in out

    if shutil.which("xdsl-opt") is None or shutil.which("ernn-opt") is None:
        pytest.skip("xdsl-opt / ernn-opt not on PATH")
    for line, code in blocks("sh"):
        r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, f"sh block at {DOC.name}:{line} failed:\n{r.stdout}\n{r.stderr}"
    assert (tmp_path / "roundtrip.mlir").stat().st_size > 1_000_000
