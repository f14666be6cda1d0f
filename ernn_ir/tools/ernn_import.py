"""ernn-import: a PyTorch (.pt) or ONNX (.onnx) model -> ernn IR text.

    ernn-import model.pt --block-size 8 --seq-len 8 --batch 1 -o model.mlir

``.pt`` files must hold a whole pickled ``nn.Module`` (``torch.save(model)``;
a state_dict does not describe the architecture, TorchScript is not
supported); they are read with ``torch.load(weights_only=False)``, so only
open files you trust.  Dense weights are projected onto block-circulant form
(the per-matrix projection error goes to stderr with ``--report``).
"""

from __future__ import annotations

import argparse
import os
import sys

from ernn_ir.diagnostics import ErnnError
from ernn_ir.tools.common import diagnose, write_atomically
from ernn_ir.tools.options import block_size, int_in

PROG = "ernn-import"


class _Fail(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a .pt (whole pickled nn.Module) or .onnx file")
    p.add_argument("--block-size", "-b", type=block_size, required=True, help="block size b")
    p.add_argument("--seq-len", "-T", type=int_in(1), default=8, help="sequence length T (default 8)")
    p.add_argument("--batch", "-N", type=int_in(1), default=1, help="batch size (default 1)")
    p.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    p.add_argument("--report", action="store_true",
                   help="print the projection error of every matrix to stderr")
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    return p


def _describe_load_error(e: BaseException) -> str:
    """What torch.load's failure means for the user (its exceptions name pickle internals)."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if isinstance(e, (EOFError,)) or "EOF" in type(e).__name__:
        return "the file is empty or truncated"
    if isinstance(e, (AttributeError, ModuleNotFoundError)):
        return f"it refers to a class that cannot be found ({text}); import its module first"
    return f"it is not a file written by torch.save ({text})"


def load_spec(path: str, block: int):
    """(ModelSpec, ImportReport) of a .pt or .onnx file; raises _Fail with a message."""
    from ernn_ir.frontend.torch_import import UnsupportedModelError

    if not os.path.exists(path):
        raise _Fail(f"no such file: {path}")
    if os.path.isdir(path):
        raise _Fail(f"{path} is a directory, not a model file")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".onnx":
            try:
                import onnx  # noqa: F401
            except ImportError:
                raise _Fail("reading .onnx files needs the 'onnx' package (pip install onnx)") from None
            from ernn_ir.frontend.onnx_import import spec_from_onnx

            return spec_from_onnx(path, block, return_report=True)
        if ext in (".pt", ".pth"):
            try:
                import torch
            except ImportError:
                raise _Fail("reading .pt files needs PyTorch (pip install torch==2.13.0)") from None
            from ernn_ir.frontend.torch_import import spec_from_torch

            try:
                obj = torch.load(path, map_location="cpu", weights_only=False)
            except Exception as e:  # unpickling runs arbitrary code; any failure is "cannot load"
                raise _Fail(f"cannot load {path} with torch.load: {_describe_load_error(e)}") from None
            if isinstance(obj, dict):
                raise _Fail(f"{path} holds a state_dict, which does not describe the "
                            "architecture; save the whole module with torch.save(model)")
            if isinstance(obj, torch.jit.ScriptModule):
                raise _Fail(f"{path} is a TorchScript module, which is not supported")
            if not isinstance(obj, torch.nn.Module):
                raise _Fail(f"{path} holds a {type(obj).__name__}, not a torch.nn.Module")
            return spec_from_torch(obj.eval(), block, return_report=True)
        raise _Fail(f"unknown model file type '{ext or path}' (expected .pt or .onnx)")
    except UnsupportedModelError as e:
        raise _Fail(f"unsupported model: {e}") from None


def build_verified(spec, seq_len: int, batch: int, dtype: str):
    """The module of `spec`, verified: an importer's output always verifies."""
    from xdsl.utils.exceptions import DiagnosticException, VerifyException

    from ernn_ir.builder import build_module

    try:
        module = build_module(spec, seq_len=seq_len, batch=batch, dtype=dtype)
        module.verify()
    except (VerifyException, DiagnosticException, ValueError) as e:
        # The front ends check every shape in the model's own terms first; reaching
        # here means one check is missing.
        raise _Fail(f"internal error (a bug in the importer, please report it with the model): "
                    f"the imported model does not form valid ernn IR: {e}") from None
    return module


def _import(args) -> None:
    from ernn_ir.builder import module_to_text

    spec, report = load_spec(args.model, args.block_size)
    spec.dtype = args.dtype
    text = module_to_text(build_verified(spec, args.seq_len, args.batch, args.dtype))
    if args.report:
        print(str(report), file=sys.stderr)
    elif report.projections:
        print(f"{PROG}: projected {len(report.projections)} matrices onto block-circulant "
              f"form (b={args.block_size}), max relative error {report.max_rel_error:.3e} "
              "(--report for each)", file=sys.stderr)
    if args.output:
        write_atomically(args.output, text)
    else:
        sys.stdout.write(text)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        try:
            _import(args)
        except _Fail as e:
            raise ErnnError(f"{PROG}: error: {e}") from None

    return diagnose(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
