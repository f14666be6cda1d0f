"""HLS C simulation from Python: generate the project, build it with g++ into a shared library, call it.

    from ernn_ir.lowering.backends import run_with_backend
    result = run_with_backend(module, [x], "hls")        # ap_fixed flavour
    result = run_with_backend(module, [x], "hls-int")    # plain-integer flavour
    ernn-run model_hw.mlir --random --backend hls

`HlsBackend.run(accelerator, inputs)` writes the accelerator's project (the
same files as `ernn-opt -t hls`), compiles `firmware/<top>.cpp` and
`bridge/<top>_bridge.cpp` once per design (cached by a hash of the sources,
the compiler and the flags), loads the library with ctypes and streams the
raw frames through it.  Options (keyword arguments, `ernn-run --workdir`):

- `workdir`: keep the projects and builds there (default: a temporary directory);
- `cxx`: the compiler (default `$CXX`, else `g++`);
- `ap_include`: the directory holding `ap_fixed.h` and `hls_stream.h` (default
  `$ERNN_AP_TYPES`, else the hls4ml wheel's `templates/vivado/ap_types`, else
  `$XILINX_HLS/include`);
- `opt`: the optimisation flag (`-O1`); `werror`: turn warnings into errors;
- `extra_flags`: more compiler flags (e.g. `["-march=native"]`), after those of
  `$ERNN_HLS_CXXFLAGS` (how `ernn-run --backend hls` takes them).

Everything a user can get wrong (no compiler, no headers, a build error, IR
that is not at the tiled level) is a `BackendError` naming the fix.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

import numpy as np

from ernn_ir.lowering.backends import AcceleratorBackend, AcceleratorRun, BackendError

WARNING_FLAGS = ["-Wall", "-Wextra", "-Wno-unknown-pragmas"]
"""g++ does not know `#pragma HLS` (and GCC 12 cannot silence that inside a file); nothing else is off."""


def find_compiler(cxx: str | None = None) -> str:
    name = cxx or os.environ.get("CXX") or "g++"
    path = shutil.which(name)
    if path is None:
        raise BackendError(
            f"the HLS backend compiles its C simulation with a C++ compiler, and '{name}' is not on PATH "
            "(install g++, e.g. apt-get install g++, or name another compiler with CXX=... or cxx=...)"
        )
    return path


def hls4ml_ap_types() -> str | None:
    """The ap_types directory of the installed hls4ml wheel (found without importing hls4ml)."""
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.origin:
        return None
    d = os.path.join(os.path.dirname(spec.origin), "templates", "vivado", "ap_types")
    return d if os.path.isdir(d) else None


def _has_ap_types(d: str) -> bool:
    return all(os.path.isfile(os.path.join(d, h)) for h in ("ap_fixed.h", "ap_int.h", "hls_stream.h"))


def find_ap_types(ap_include: str | None = None) -> str:
    """The directory with `ap_fixed.h`, `ap_int.h` and `hls_stream.h`.

    An explicit choice (`ap_include`, else `$ERNN_AP_TYPES`) must hold them; otherwise the hls4ml wheel's
    copy, then `$XILINX_HLS/include`, is used.
    """
    missing = ("the ap flavour of the HLS backend needs Xilinx's ap_types headers (ap_fixed.h, ap_int.h, "
               "hls_stream.h)")
    fixes = ("pip install hls4ml (its wheel carries the open-source headers), or point ERNN_AP_TYPES at a "
             "directory holding them, or use the plain-integer flavour (--backend hls-int)")
    for what, d in (("ap_include", ap_include), ("ERNN_AP_TYPES", os.environ.get("ERNN_AP_TYPES"))):
        if d:
            if _has_ap_types(d):
                return d
            raise BackendError(f"{missing}, and {what}={d} does not hold them: {fixes}")
    tried = []
    xil = os.environ.get("XILINX_HLS")
    for what, d in (("the hls4ml wheel", hls4ml_ap_types()), ("XILINX_HLS", os.path.join(xil, "include") if xil else None)):
        if d and _has_ap_types(d):
            return d
        if d:
            tried.append(f"{what}: {d}")
    where = f" (looked in {'; '.join(tried)})" if tried else " (hls4ml is not installed and XILINX_HLS is not set)"
    raise BackendError(f"{missing} and none were found{where}: {fixes}")


@dataclass
class BuiltDesign:
    """A compiled accelerator: its library, entry point and the shapes it streams."""

    path: str
    top: str
    signature: str
    steps: int
    batch: int
    input_sizes: list[int]
    output_sizes: list[int]
    build_seconds: float
    generate_seconds: float
    compile_log: str
    project_dir: str

    def __post_init__(self) -> None:
        # The library names its design in a string; read it from the file before loading, because the
        # dynamic loader hands back an already loaded library of the same path unseen.
        with open(self.path, "rb") as f:
            if self.signature.encode() not in f.read():
                raise BackendError(f"{self.path} is a different build than {self.signature}: delete it to rebuild")
        self.lib = ctypes.CDLL(self.path)
        self.lib.ernn_hls_describe.restype = ctypes.c_char_p
        self.lib.ernn_hls_describe.argtypes = []
        got = self.lib.ernn_hls_describe().decode()
        if got != self.signature:
            raise BackendError(f"{self.path} is a different build ({got}); expected {self.signature}")
        p64 = ctypes.POINTER(ctypes.c_int64)
        self.lib.ernn_hls_run.restype = ctypes.c_int
        self.lib.ernn_hls_run.argtypes = [ctypes.POINTER(p64), ctypes.POINTER(p64)]

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        T, B = self.steps, self.batch
        if len(inputs) != len(self.input_sizes):
            raise BackendError(f"{self.top} takes {len(self.input_sizes)} input sequence(s), {len(inputs)} given")
        xs = []
        for i, (x, n) in enumerate(zip(inputs, self.input_sizes)):
            a = np.ascontiguousarray(np.asarray(x), dtype=np.int64)
            if a.shape != (T, B, n):
                raise BackendError(f"input #{i} of {self.top} must be raw frames of shape {(T, B, n)}, got {a.shape}")
            xs.append(a)
        ys = [np.zeros((T, B, n), dtype=np.int64) for n in self.output_sizes]
        p64 = ctypes.POINTER(ctypes.c_int64)
        in_ptrs = (p64 * max(1, len(xs)))(*[a.ctypes.data_as(p64) for a in xs])
        out_ptrs = (p64 * max(1, len(ys)))(*[a.ctypes.data_as(p64) for a in ys])
        rc = self.lib.ernn_hls_run(in_ptrs, out_ptrs)
        if rc == 1:
            raise BackendError(f"{self.top} left input frames unread (the C++ reads fewer frames than it was given)")
        if rc == 2:
            raise BackendError(f"{self.top} wrote the wrong number of output values")
        if rc != 0:
            raise BackendError(f"{self.top} returned {rc}")
        return ys


def _accelerator_module(op):
    from xdsl.dialects.builtin import ModuleOp

    m = op
    while m is not None and not isinstance(m, ModuleOp):
        m = m.parent_op()
    if m is None:
        raise BackendError("the accelerator is not inside a module")
    return m


class HlsBackend(AcceleratorBackend):
    """Runs `ernn_hw.accelerator` loops as HLS C simulation (see the module docstring)."""

    def __init__(self, flavour: str = "ap", workdir: str | None = None, cxx: str | None = None,
                 ap_include: str | None = None, opt: str = "-O1", werror: bool = False,
                 extra_flags: list[str] | None = None, **options) -> None:
        from ernn_ir.lowering.hls.emit import FLAVOURS

        super().__init__(workdir=workdir, **options)
        if flavour not in FLAVOURS:
            raise BackendError(f"unknown HLS flavour '{flavour}' (flavours: {', '.join(FLAVOURS)})")
        self.flavour = flavour
        self.name = "hls" if flavour == "ap" else "hls-int"
        # the toolchain is checked up front, so a missing compiler is reported before any work
        self.cxx = find_compiler(cxx)
        self.ap_include = find_ap_types(ap_include) if flavour == "ap" else None
        self.opt = opt
        self.werror = werror
        self.extra_flags = os.environ.get("ERNN_HLS_CXXFLAGS", "").split() + list(extra_flags or [])
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._lock = threading.Lock()
        self._built: dict[int, tuple[object, BuiltDesign]] = {}
        self.builds: list[BuiltDesign] = []

    # ---- where builds go
    def _root(self) -> str:
        with self._lock:  # builds may run in threads: one temporary directory per backend
            if self.workdir:
                os.makedirs(self.workdir, exist_ok=True)
                return self.workdir
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="ernn-hls-")
            return self._tmp.name

    def flags(self) -> list[str]:
        f = ["-std=c++14", self.opt, *WARNING_FLAGS, "-fPIC", "-shared"]
        if self.werror:
            f.append("-Werror")
        return f + self.extra_flags

    # ---- build
    def build(self, accelerator) -> BuiltDesign:
        """The compiled design of `accelerator` (generated and compiled on first use, then cached)."""
        cached = self._built.get(id(accelerator))
        if cached is not None and cached[0] is accelerator:
            return cached[1]
        from ernn_ir.diagnostics import OpDiagnostic
        from ernn_ir.hardware.constants import OuterConstants
        from ernn_ir.hardware.design_view import read_design
        from ernn_ir.lowering.hls.emit import HlsDesign, HlsError
        from ernn_ir.lowering.hls.project import (
            bridge_signature,
            firmware_hash,
            project_files,
        )

        t0 = time.perf_counter()
        module = _accelerator_module(accelerator)
        try:
            view = read_design(accelerator, OuterConstants(module))
            design = HlsDesign(view, self.flavour)
            files = project_files(design)
        except (OpDiagnostic, HlsError) as e:
            raise BackendError(f"cannot generate the HLS design: {e}") from None
        gen = time.perf_counter() - t0
        signature = bridge_signature(design, firmware_hash(files))
        key = hashlib.sha256("\0".join([signature, self.cxx, *self.flags(), self.ap_include or ""]).encode())
        tag = f"{design.top}-{self.flavour}-{key.hexdigest()[:12]}"
        root = self._root()
        proj = os.path.join(root, tag)
        lib = os.path.join(proj, f"lib{design.top}.so")
        log_path = os.path.join(proj, "build.log")
        t1 = time.perf_counter()
        log = ""
        if not os.path.isfile(lib):
            from ernn_ir.lowering.hls.project import write_project

            write_project(proj, files)
            cmd = [self.cxx, *self.flags(), "-I", os.path.join(proj, "firmware")]
            if self.ap_include:
                cmd += ["-isystem", self.ap_include]
            tmp_lib = lib + ".tmp"
            cmd += [os.path.join(proj, "bridge", f"{design.top}_bridge.cpp"), "-o", tmp_lib]
            p = subprocess.run(cmd, capture_output=True, text=True, check=False)
            log = p.stdout + p.stderr
            with open(log_path, "w") as f:
                f.write(" ".join(cmd) + "\n" + log)
            if p.returncode != 0:
                head = "\n".join(log.strip().splitlines()[:12])
                raise BackendError(f"{os.path.basename(self.cxx)} could not build {design.top} ({self.flavour} flavour; "
                                   f"full log in {log_path}):\n{head}")
            os.replace(tmp_lib, lib)
        elif os.path.isfile(log_path):
            with open(log_path) as f:
                log = f.read().split("\n", 1)[-1]
        built = BuiltDesign(
            path=lib, top=design.top, signature=signature, steps=design.g.steps, batch=design.g.batch,
            input_sizes=[i.length for i in design.g.inputs], output_sizes=[o.length for o in design.g.outputs],
            build_seconds=time.perf_counter() - t1, generate_seconds=gen, compile_log=log, project_dir=proj,
        )
        with self._lock:
            self._built[id(accelerator)] = (accelerator, built)
            self.builds.append(built)
        return built

    def run(self, accelerator, inputs: list[np.ndarray]) -> AcceleratorRun:
        built = self.build(accelerator)
        t0 = time.perf_counter()
        outputs = built.run(inputs)
        dt = time.perf_counter() - t0
        return AcceleratorRun(outputs=outputs, cycles=None, events=None,
                              log=f"{built.top}: C simulation {dt * 1e3:.3f} ms ({self.flavour} flavour, "
                                  f"{built.path})")
