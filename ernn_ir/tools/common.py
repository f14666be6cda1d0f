"""Shared plumbing of the ernn command-line tools: error reporting and safe output."""

from __future__ import annotations

import os
import sys
import tempfile
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
    except BrokenPipeError:
        # The reader went away (`ernn-model ... | head`): stop quietly.
        _silence_stdout()
        raise SystemExit(1) from None
    except Exception as e:
        if os.environ.get("ERNN_DEBUG"):
            raise
        print(f"{tool}: error: {type(e).__name__}: {e}", file=sys.stderr)
        raise SystemExit(1) from None


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def read_text(tool: str, path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path) as f:
            return f.read()
    except OSError as e:
        fail(tool, f"cannot read '{path}': {e.strerror}")
        raise AssertionError from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_files_atomically(writers: list[tuple[str, Callable[[str], None]]]) -> None:
    """Write every file or none: each writer fills a temporary path, renamed only when all succeeded."""
    tmps: list[tuple[str, str]] = []
    try:
        for path, write in writers:
            directory = os.path.dirname(os.path.abspath(path))
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".ernn-", suffix=os.path.splitext(path)[1])
            os.close(fd)
            tmps.append((tmp, path))
            write(tmp)
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, path in tmps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` so that a failure never leaves a partial file."""

    def write(tmp: str) -> None:
        with open(tmp, "w") as f:
            f.write(text)

    write_files_atomically([(path, write)])
