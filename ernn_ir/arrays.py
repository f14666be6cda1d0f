"""Reading .npy / .npz files given by users (inputs of `ernn-run`, calibration sets).

`np.load` reports a bad file with whatever the failing layer raised
(`EOFError`, `BadZipFile`, `UnicodeDecodeError`, a `MemoryError` for a header
that claims 10^12 elements, a `ValueError` about pickles).  `load_arrays`
checks the file itself first, header before data, and raises
`ArrayFileError` saying which rule the file breaks; the data is read only
when the header's size matches the file and fits the memory budget.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from ernn_ir.limits import SizeLimitError, check_bytes, element_count

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


class ArrayFileError(Exception):
    """A .npy/.npz file that cannot be used; the message names the file and the rule."""


def _header(fp, label: str) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, data offset) of the .npy stream `fp` (at its start)."""
    try:
        major, minor = np.lib.format.read_magic(fp)
    except ValueError as e:
        raise ArrayFileError(f"{label} is not a .npy file: {e}") from None
    try:
        if (major, minor) == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif (major, minor) in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ArrayFileError(f"{label}: .npy format version {major}.{minor} is not supported")
    except (ValueError, SyntaxError, TypeError, UnicodeDecodeError, EOFError) as e:
        raise ArrayFileError(f"{label} has a malformed .npy header ({_first_line(e)})") from None
    return tuple(shape), bool(fortran), dtype, fp.tell()


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else "unreadable"


def _check_header(label: str, shape, dtype: np.dtype, available: int) -> int:
    """Bytes of the array data; raises unless the data is there and can be held."""
    if any(not isinstance(d, int) or d < 0 for d in shape):
        raise ArrayFileError(f"{label} has a malformed .npy header (shape {shape})")
    if dtype.hasobject:
        raise ArrayFileError(
            f"{label} holds Python objects (dtype {dtype}); only numeric arrays are read "
            "(pickled data is never loaded)")
    nbytes = element_count(shape) * dtype.itemsize
    if nbytes > available:
        raise ArrayFileError(
            f"{label} is truncated: its header describes {shape} {dtype} ({nbytes} bytes of "
            f"data), the file holds {max(available, 0)}")
    try:
        check_bytes(nbytes, f"the array in {label} ({shape} {dtype})")
    except SizeLimitError as e:
        raise ArrayFileError(str(e)) from None
    return nbytes


def _load_npy(path: str, label: str) -> np.ndarray:
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        shape, _, dtype, offset = _header(f, label)
        _check_header(label, shape, dtype, size - offset)
        f.seek(0)
        try:
            return np.load(f, allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise ArrayFileError(f"cannot read {label}: {_first_line(e)}") from None


def _load_npz(path: str, label: str) -> dict[str, np.ndarray]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise ArrayFileError(f"{label} is not a readable .npz (zip) file: {_first_line(e)}") from None
    arrays: dict[str, np.ndarray] = {}
    total = 0
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            member = f"{label[:-1]}:{info.filename}'"
            if not info.filename.endswith(".npy"):
                raise ArrayFileError(f"{member} is not a .npy member (an .npz holds only .npy files)")
            try:
                with zf.open(info) as fp:
                    shape, _, dtype, offset = _header(fp, member)
                    total += _check_header(member, shape, dtype, info.file_size - offset)
                    check_bytes(total, f"the arrays of {label}")
                with zf.open(info) as fp:
                    arrays[info.filename[: -len(".npy")]] = np.lib.format.read_array(
                        fp, allow_pickle=False)
            except SizeLimitError as e:
                raise ArrayFileError(str(e)) from None
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
                    RuntimeError) as e:
                # RuntimeError/NotImplementedError: encrypted or unknown-compression members.
                raise ArrayFileError(f"cannot read '{member}': {_first_line(e)}") from None
    if not arrays:
        raise ArrayFileError(f"{label} holds no arrays")
    return arrays


def load_arrays(path: str, what: str = "array file") -> np.ndarray | dict[str, np.ndarray]:
    """The array of a .npy file, or the arrays of a .npz file by name (chosen by content).

    `what` names the file's role in messages ("input", "calibration inputs").
    """
    label = f"{what} '{path}'"
    try:
        with open(path, "rb") as f:
            head = f.read(6)
    except OSError as e:
        raise ArrayFileError(f"cannot read {label}: {e.strerror}") from None
    if head.startswith(_NPY_MAGIC):
        return _load_npy(path, label)
    if head[:4] in _ZIP_MAGICS:
        return _load_npz(path, label)
    found = "it is empty" if not head else f"it starts with {head!r}"
    raise ArrayFileError(f"{label} is not a .npy or .npz file ({found})")


def numeric_array(arr: np.ndarray, where: str) -> np.ndarray:
    """`arr` if its dtype is a real number type (bool, complex, text, dates are refused)."""
    if arr.dtype.kind not in "iuf" or arr.dtype.fields is not None:
        raise ArrayFileError(f"{where} must hold real numbers, got dtype {arr.dtype}")
    return arr


__all__ = ["ArrayFileError", "load_arrays", "numeric_array"]
