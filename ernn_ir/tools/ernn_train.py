"""ernn-train: train a block-circulant LSTM/GRU classifier on the digits task.

    ernn-train --model lstm --hidden 64 --block 8 --method admm --epochs 15 -o model.pt

Methods: ``dense`` (no constraint), ``projection`` (dense, hard projection,
fine-tuning) and ``admm`` (dense, ADMM, hard projection, fine-tuning).  The
whole module is saved with ``torch.save`` and can be read by ``ernn-import``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ernn_ir.diagnostics import ErnnError
from ernn_ir.limits import check_bytes
from ernn_ir.tools.common import diagnose, write_files_atomically
from ernn_ir.tools.options import block_size, float_in, int_in


class _Bar:
    """A plain-text progress bar on stderr (no tqdm)."""

    def __init__(self, stream=None, width=30):
        # sys.stderr looked up now, not at import: a caller may have redirected it
        self.stream, self.width = stream or sys.stderr, width
        self.tty = self.stream.isatty()

    def __call__(self, phase, ep, total, rec):
        frac = ep / max(total, 1)
        filled = int(round(self.width * frac))
        extra = "".join(f" {k}={rec[k]:.3f}" for k in ("distance",) if k in rec)
        loss = rec.get("loss", float("nan"))
        line = (f"{phase:>9} [{'#' * filled}{'.' * (self.width - filled)}] {ep}/{total} "
                f"loss={loss:.4f} test_acc={rec['test_acc']:.4f}{extra}")
        if self.tty:
            self.stream.write("\r" + line + ("\n" if ep == total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


#: Bytes of training state per weight: the weight, its gradient, Adam's two moments and,
#: for ADMM, Z and U, in float32, with headroom for activations.
_BYTES_PER_WEIGHT = 64


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ernn-train", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--hidden", type=int_in(1), default=64, help="hidden size (a multiple of --block)")
    p.add_argument("--block", type=block_size, default=8, help="block size b")
    p.add_argument("--method", choices=["admm", "projection", "dense"], default="admm")
    p.add_argument("--epochs", type=int_in(0), default=15, help="dense (pre-)training epochs")
    p.add_argument("--admm-epochs", type=int_in(0), default=10)
    p.add_argument("--finetune-epochs", type=int_in(0), default=10,
                   help="circulant fine-tuning epochs (projection gets admm+finetune epochs)")
    p.add_argument("--rho", type=float_in(0.0, 1e6, lo_open=True), default=1e-2,
                   help="initial ADMM penalty (> 0)")
    p.add_argument("--peepholes", action="store_true", help="LSTM diagonal peepholes")
    p.add_argument("--seed", type=int_in(0, 2**32 - 1), default=0)
    cpus = os.cpu_count() or 1
    p.add_argument("--threads", type=int_in(1, cpus, f"this machine has {cpus} CPUs"),
                   default=min(2, cpus), help=f"PyTorch threads (1 to {cpus})")
    p.add_argument("-o", "--output", required=True, help="output file (torch.save of the module)")
    return p


def check_options(args) -> None:
    """Combinations argparse cannot see: raise ErnnError naming the options."""
    prog = "ernn-train"
    if args.peepholes and args.model == "gru":
        raise ErnnError(f"{prog}: error: --peepholes applies to --model lstm only")
    if args.method != "dense" and args.hidden % args.block:
        raise ErnnError(f"{prog}: error: --hidden {args.hidden} must be a multiple of --block {args.block}")
    if args.method != "dense" and args.block > args.hidden:
        raise ErnnError(f"{prog}: error: --block {args.block} is larger than --hidden {args.hidden}")
    gates = 4 if args.model == "lstm" else 3
    n_features = 8  # the digits task: 8 pixels per time step
    weights = gates * args.hidden * (n_features + args.hidden)
    check_bytes(weights * _BYTES_PER_WEIGHT, f"training --hidden {args.hidden} ({weights} weights)")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return diagnose("ernn-train", lambda: _train(args))


def _train(args) -> None:
    prog = "ernn-train"
    check_options(args)
    try:
        import torch
    except ImportError:
        raise ErnnError(f"{prog}: error: PyTorch is required (pip install torch==2.13.0)") from None
    from ernn_ir.frontend.admm import train_admm, train_dense, train_projection_baseline
    from ernn_ir.frontend.tasks import load_digits_task

    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        try:
            task = load_digits_task(seed=args.seed)
        except ImportError as e:
            raise ErnnError(f"{prog}: error: {e}") from None
        bar = _Bar()
        t0 = time.perf_counter()
        common = dict(kind=args.model, hidden=args.hidden, seed=args.seed, peepholes=args.peepholes,
                      progress=bar)
        if args.method == "dense":
            model, hist = train_dense(task, epochs=args.epochs, **common)
        elif args.method == "projection":
            model, hist = train_projection_baseline(
                task, block=args.block, epochs=args.epochs,
                finetune_epochs=args.admm_epochs + args.finetune_epochs, **common)
        else:
            model, hist = train_admm(task, block=args.block, epochs=args.epochs,
                                     admm_epochs=args.admm_epochs,
                                     finetune_epochs=args.finetune_epochs, rho=args.rho, **common)
        def save(tmp: str) -> None:
            # Through a file object: torch.save derives an archive name from a path's
            # stem, and the temporary file's (".ernn-...") is empty.
            with open(tmp, "wb") as f:
                torch.save(model, f)

        write_files_atomically([(args.output, save)])
    finally:
        torch.set_num_threads(threads)
    errs = "".join(f" {k}={v:.3f}" for k, v in hist.projection_errors.items())
    print(f"{prog}: {args.method} {args.model} H={args.hidden}"
          + ("" if args.method == "dense" else f" b={args.block}")
          + f": test accuracy {hist.test_acc:.4f} ({time.perf_counter() - t0:.1f} s)"
          + (f"; projection errors{errs}" if errs else "") + f" -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
