"""Shared plumbing of the ernn command-line tools: error reporting and safe output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ernn_ir.arrays import ArrayFileError
from ernn_ir.diagnostics import ErnnError
from ernn_ir.limits import SizeLimitError
from ernn_ir.lowering.reference.values import ReferenceError
from ernn_ir.outputs import (
    TEMP_PREFIX,
    OutputError,
    write_atomically,
    write_files_atomically,
)


def fail(tool: str, msg: str) -> None:
    print(f"{tool}: error: {msg}", file=sys.stderr)
    raise SystemExit(1)


#: Errors about the user's files, options, sizes or what the reference can run:
#: printed as "<tool>: error: <message>".
USER_ERRORS = (OutputError, SizeLimitError, ArrayFileError, ReferenceError)


def diagnose(tool: str, body: Callable[[], object]) -> int:
    """Run `body`; return its exit status (0, or 1 after one diagnostic). Never a traceback.

    Errors of the user's input are diagnostics naming the rule; anything else
    is a bug in ernn-ir, reported as an internal error (ERNN_DEBUG=1 shows
    its traceback).
    """
    try:
        body()
        return 0
    except ErnnError as e:
        print(e, file=sys.stderr)
    except USER_ERRORS as e:
        op = getattr(e, "op", None)  # the reference names the op it could not run
        where = f"'{op.name}' op " if op is not None else ""
        print(f"{tool}: error: {where}{e}", file=sys.stderr)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`ernn-model ... | head`): stop quietly.
        _silence_stdout()
    except MemoryError:
        print(f"{tool}: error: out of memory: the input needs more memory than is available "
              "(sizes are checked against ERNN_MEMORY_LIMIT, or the free memory, before "
              "large allocations; this one was not)", file=sys.stderr)
    except Exception as e:
        if os.environ.get("ERNN_DEBUG"):
            raise
        print(f"{tool}: error: internal error (a bug in ernn-ir; please report it with the "
              f"input; ERNN_DEBUG=1 shows where): {type(e).__name__}: {e}", file=sys.stderr)
    return 1


def run_tool(tool: str, body: Callable[[], object]) -> None:
    """Run a tool's body; user errors print one diagnostic and exit 1, never a traceback."""
    code = diagnose(tool, body)
    if code:
        raise SystemExit(code)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def read_input(tool: str, path: str) -> bytes:
    """The bytes of an input file ('-': stdin); the parser decodes them and locates bad UTF-8."""
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        fail(tool, f"cannot read '{path}': {e.strerror}")
        raise AssertionError from None


__all__ = [
    "TEMP_PREFIX", "USER_ERRORS", "OutputError", "diagnose", "fail", "read_input", "run_tool",
    "write_atomically", "write_files_atomically",
]
