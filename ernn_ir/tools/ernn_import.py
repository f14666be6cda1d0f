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

from ernn_ir.tools.common import write_atomically

PROG = "ernn-import"


class _Fail(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a .pt (whole pickled nn.Module) or .onnx file")
    p.add_argument("--block-size", "-b", type=int, required=True, help="block size b")
    p.add_argument("--seq-len", "-T", type=int, default=8, help="sequence length T (default 8)")
    p.add_argument("--batch", "-N", type=int, default=1, help="batch size (default 1)")
    p.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    p.add_argument("--report", action="store_true",
                   help="print the projection error of every matrix to stderr")
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    return p


def load_spec(path: str, block: int):
    """(ModelSpec, ImportReport) of a .pt or .onnx file; raises _Fail with a message."""
    from ernn_ir.frontend.torch_import import UnsupportedModelError

    if not os.path.exists(path):
        raise _Fail(f"no such file: {path}")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".onnx":
            try:
                import onnx  # noqa: F401
            except ImportError:
                raise _Fail("reading .onnx files needs the 'onnx' package (pip install onnx)")
            from ernn_ir.frontend.onnx_import import spec_from_onnx

            return spec_from_onnx(path, block, return_report=True)
        if ext in (".pt", ".pth"):
            try:
                import torch
            except ImportError:
                raise _Fail("reading .pt files needs PyTorch (pip install torch==2.13.0)")
            from ernn_ir.frontend.torch_import import spec_from_torch

            try:
                obj = torch.load(path, map_location="cpu", weights_only=False)
            except Exception as e:
                raise _Fail(f"cannot load {path} with torch.load: {type(e).__name__}: {e}")
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
        raise _Fail(f"unsupported model: {e}")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.block_size < 1 or args.seq_len < 1 or args.batch < 1:
            raise _Fail("--block-size, --seq-len and --batch must be positive")
        spec, report = load_spec(args.model, args.block_size)
        spec.dtype = args.dtype
        try:
            from ernn_ir.builder import build_module, module_to_text
        except ImportError as e:
            raise _Fail(f"the IR builder is not available: {e}")
        try:
            text = module_to_text(build_module(spec, seq_len=args.seq_len, batch=args.batch,
                                               dtype=args.dtype))
        except Exception as e:
            raise _Fail(f"cannot build the IR: {type(e).__name__}: {e}")
        if args.report:
            print(str(report), file=sys.stderr)
        elif report.projections:
            print(f"{PROG}: projected {len(report.projections)} matrices onto block-circulant "
                  f"form (b={args.block_size}), max relative error {report.max_rel_error:.3e} "
                  "(--report for each)", file=sys.stderr)
        if args.output:
            try:
                write_atomically(args.output, text)
            except OSError as e:
                raise _Fail(f"cannot write {args.output}: {e}") from None
        else:
            sys.stdout.write(text)
    except _Fail as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
