"""Output targets that write a directory of files (`ernn-opt -t hls -o DIR`), all or nothing.

A `DirectoryTarget` produces `files(ctx, module) -> {relative path: text}`.
`ernn-opt -t NAME -o DIR` writes them with the tools' one output mechanism
(`ernn_ir.outputs`): the files go into a fresh temporary directory next to
DIR, which is renamed to DIR only when every output of the run (pass side
files included) is written, so a failure never leaves a half-written
project.  Without `-o` (and under the stock `xdsl-opt`) `emit` prints every
file after a `// ----- file: PATH -----` line, which is what the lit tests read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target

from ernn_ir.outputs import write_directory_atomically

FILE_MARKER = "// ----- file: {} -----"


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
        """Write the files to directory `path`, all or nothing (`ernn_ir.outputs`)."""
        write_directory_atomically(path, self.files(ctx, module), self.marker)
