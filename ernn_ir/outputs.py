"""Files the tools write: all of them or none, never a partial file.

A file is written to a temporary name in its directory and renamed over its
path only when every file of the run has been written.  Passes that write
side files (`ernn-op-count{output=...}`, `ernn-weight-sharing{report=...}`)
call `write_side_output`: inside a tool run (`staged_outputs`) the text is
held until the tool has succeeded and is then written together with the
main output; a run that fails later writes nothing.  Outside a tool run
(passes applied from Python) the file is written at once, atomically.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator

#: Name prefix of the temporary files an output is written to before it is renamed.
TEMP_PREFIX = ".ernn-"


class OutputError(Exception):
    """An output file cannot be written; the message names the file and the reason."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_path(path: str) -> None:
    if not path:
        raise OutputError("cannot write '': an output file name is empty")
    if path.endswith(os.sep) or os.path.isdir(path):
        raise OutputError(f"cannot write '{path}': it is a directory")


def write_files_atomically(writers: list[tuple[str, Callable[[str], None]]]) -> None:
    """Write every file or none: each writer fills a temporary path, renamed only when all succeeded.

    A file that cannot be created raises `OutputError`; an exception of a
    writer propagates.  Either way no output and no temporary file remains.
    """
    tmps: list[tuple[str, str]] = []
    try:
        for path, write in writers:
            _check_path(path)
            directory = os.path.dirname(os.path.abspath(path))
            try:
                fd, tmp = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX,
                                           suffix=os.path.splitext(path)[1])
            except OSError as e:
                raise OutputError(f"cannot write '{path}': {e.strerror}") from None
            os.close(fd)
            tmps.append((tmp, path))
            try:
                write(tmp)
            except OSError as e:
                raise OutputError(f"cannot write '{path}': {e.strerror or e}") from None
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, path in tmps:
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise OutputError(f"cannot write '{path}': {e.strerror}") from None
    finally:
        for tmp, _ in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def text_writer(text: str) -> Callable[[str], None]:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    return write


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` so that a failure never leaves a partial file."""
    write_files_atomically([(path, text_writer(text))])


_staged: list[list[tuple[str, str]]] = []


def write_side_output(path: str, text: str) -> None:
    """A pass's side file: held until the tool run succeeds, or written now outside one."""
    if _staged:
        _check_path(path)
        _staged[-1].append((path, text))
    else:
        write_atomically(path, text)


@contextlib.contextmanager
def staged_outputs() -> Iterator[list[tuple[str, str]]]:
    """Collect side outputs of the passes run inside; the caller writes them on success."""
    files: list[tuple[str, str]] = []
    _staged.append(files)
    try:
        yield files
    finally:
        _staged.pop()
