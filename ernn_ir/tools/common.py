"""Shared plumbing of the ernn command-line tools: error reporting and safe output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ernn_ir.diagnostics import ErnnError


def fail(tool: str, msg: str) -> None:
    print(f"{tool}: error: {msg}", file=sys.stderr)
    raise SystemExit(1)


def run_tool(tool: str, body: Callable[[], None]) -> None:
    """Run a tool's body; user errors print one diagnostic and exit 1, never a traceback."""
    try:
        body()
    except ErnnError as e:
        print(e, file=sys.stderr)
        raise SystemExit(1) from None
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as e:
        if os.environ.get("ERNN_DEBUG"):
            raise
        print(f"{tool}: error: {type(e).__name__}: {e}", file=sys.stderr)
        raise SystemExit(1) from None


def read_text(tool: str, path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path) as f:
            return f.read()
    except OSError as e:
        fail(tool, f"cannot read '{path}': {e.strerror}")
        raise AssertionError from None
