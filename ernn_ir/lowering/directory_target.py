"""Output targets that write a directory of files (`ernn-opt -t hls -o DIR`), all or nothing.

A `DirectoryTarget` produces `files(ctx, module) -> {relative path: text}`.
`ernn-opt -t NAME -o DIR` writes them with `write_directory_atomically`: the
files go into a fresh temporary directory next to DIR, which is renamed to
DIR only when every file is written, so a failure never leaves a half-written
project.  Without `-o` (and under the stock `xdsl-opt`) `emit` prints every
file after a `// ----- file: PATH -----` line, which is what the lit tests read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException
from xdsl.utils.target import Target

FILE_MARKER = "// ----- file: {} -----"

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once, at import: changing the umask later would race with threads creating files


@dataclass(frozen=True)
class DirectoryTarget(Target):
    """A target whose output is a set of files (see the module docstring)."""

    marker = ".ernn-project"
    """A file every written directory holds: DIR is only ever replaced if it holds it (or is empty)."""

    def files(self, ctx: Context, module: ModuleOp) -> dict[str, str]:  # pragma: no cover - interface
        raise NotImplementedError

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        for path, text in sorted(self.files(ctx, module).items()):
            output.write(FILE_MARKER.format(path) + "\n")
            output.write(text if text.endswith("\n") else text + "\n")

    def write_directory(self, ctx: Context, module: ModuleOp, path: str) -> None:
        write_directory_atomically(path, self.files(ctx, module), self.marker)


def write_directory_atomically(path: str, files: dict[str, str], marker: str) -> None:
    """Create directory `path` holding `files`; replace an earlier one (holding `marker`) only on success."""
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise DiagnosticException(f"-o {path}: exists and is not a directory")
        if os.listdir(path) and not os.path.exists(os.path.join(path, marker)):
            raise DiagnosticException(
                f"-o {path}: the directory exists and was not written by ernn-opt (no {marker}); "
                "remove it or choose another directory"
            )
    if not os.path.isdir(parent):
        raise DiagnosticException(f"-o {path}: the parent directory {parent} does not exist")
    if marker not in files:
        files = dict(files, **{marker: "written by ernn-opt\n"})
    tmp = tempfile.mkdtemp(dir=parent, prefix=".ernn-")
    old = None
    try:
        for rel, text in files.items():
            full = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
        os.chmod(tmp, 0o777 & ~_UMASK)
        if os.path.exists(path):
            old = tempfile.mkdtemp(dir=parent, prefix=".ernn-old-")
            os.rmdir(old)
            os.rename(path, old)
        try:
            os.rename(tmp, path)
        except OSError:
            if old is not None:
                os.rename(old, path)  # the earlier project stays as it was
                old = None
            raise
        tmp = None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
