"""Files the tools write: all of them or none, never a partial file.

A file is written to a temporary name in its directory and renamed over its
path only when every file of the run has been written.  A directory output
(`ernn-opt -t hls -o DIR`, `ernn_ir.lowering.directory_target`) is built the
same way: in a fresh temporary directory next to DIR, renamed to DIR together
with the files; an existing DIR is replaced only if an earlier run wrote it
(it holds the target's marker file) or it is empty.  Passes that write
side files (`ernn-op-count{output=...}`, `ernn-weight-sharing{report=...}`)
call `write_side_output`: inside a tool run (`staged_outputs`) the text is
held until the tool has succeeded and is then written together with the
main output; a run that fails later writes nothing.  Outside a tool run
(passes applied from Python) the file is written at once, atomically.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence

#: Name prefix of the temporary files an output is written to before it is renamed.
TEMP_PREFIX = ".ernn-"


class OutputError(Exception):
    """An output file cannot be written; the message names the file and the reason."""


_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once, at import: changing the umask later would race with threads creating files

#: A directory output: (path, {relative path: text}, marker file name).
Directory = tuple[str, dict[str, str], str]


def _check_path(path: str) -> None:
    if not path:
        raise OutputError("cannot write '': an output file name is empty")
    if path.endswith(os.sep) or os.path.isdir(path):
        raise OutputError(f"cannot write '{path}': it is a directory")


def _check_directory(path: str, marker: str) -> str:
    """The absolute path of directory output `path`, if it may be (re)placed."""
    if not path:
        raise OutputError("cannot write '': an output directory name is empty")
    full = os.path.abspath(path)
    parent = os.path.dirname(full)
    if os.path.exists(full):
        if not os.path.isdir(full):
            raise OutputError(f"cannot write '{path}': it exists and is not a directory")
        if os.listdir(full) and not os.path.exists(os.path.join(full, marker)):
            raise OutputError(
                f"cannot write '{path}': the directory exists and was not written by ernn-opt "
                f"(no {marker}); remove it or choose another directory"
            )
    if not os.path.isdir(parent):
        raise OutputError(f"cannot write '{path}': the parent directory {parent} does not exist")
    return full


def _stage_directory(path: str, files: dict[str, str], marker: str) -> str:
    """A temporary directory next to `path` holding `files` (and the marker); returns its path."""
    full = _check_directory(path, marker)
    if marker not in files:
        files = dict(files, **{marker: "written by ernn-opt\n"})
    try:
        tmp = tempfile.mkdtemp(dir=os.path.dirname(full), prefix=TEMP_PREFIX)
    except OSError as e:
        raise OutputError(f"cannot write '{path}': {e.strerror}") from None
    try:
        for rel, text in files.items():
            target = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        os.chmod(tmp, 0o777 & ~_UMASK)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write '{path}': {e.strerror or e}") from None
    return tmp


def _commit_directory(tmp: str, path: str) -> None:
    """Rename staged directory `tmp` to `path`; an earlier `path` is removed only once it is replaced."""
    full = os.path.abspath(path)
    old = None
    try:
        if os.path.exists(full):
            old = tempfile.mkdtemp(dir=os.path.dirname(full), prefix=TEMP_PREFIX + "old-")
            os.rmdir(old)
            os.rename(full, old)
        try:
            os.rename(tmp, full)
        except OSError:
            if old is not None:
                os.rename(old, full)  # the earlier output stays as it was
                old = None
            raise
    except OSError as e:
        raise OutputError(f"cannot write '{path}': {e.strerror or e}") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_files_atomically(
    writers: list[tuple[str, Callable[[str], None]]], directories: Sequence[Directory] = ()
) -> None:
    """Write every file and directory or none: each is staged under a temporary name, renamed when all are.

    `writers` fill a temporary file each; `directories` are (path, files,
    marker).  An output that cannot be created raises `OutputError`; an
    exception of a writer propagates.  Either way no output and no temporary
    file remains.
    """
    tmps: list[tuple[str, str]] = []
    tmp_dirs: list[tuple[str, str]] = []
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
            os.chmod(tmp, 0o666 & ~_UMASK)
        for path, files, marker in directories:
            tmp_dirs.append((_stage_directory(path, files, marker), path))
        for tmp, path in tmps:
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise OutputError(f"cannot write '{path}': {e.strerror}") from None
        while tmp_dirs:
            tmp, path = tmp_dirs[0]
            _commit_directory(tmp, path)
            tmp_dirs.pop(0)
    finally:
        for tmp, _ in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for tmp, _ in tmp_dirs:
            shutil.rmtree(tmp, ignore_errors=True)


def write_directory_atomically(path: str, files: dict[str, str], marker: str) -> None:
    """Create directory `path` holding `files`; replace an earlier one (holding `marker`) only on success."""
    write_files_atomically([], [(path, files, marker)])


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
