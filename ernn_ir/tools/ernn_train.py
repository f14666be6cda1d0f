"""ernn-train: train a block-circulant LSTM/GRU classifier on the digits task.

    ernn-train --model lstm --hidden 64 --block 8 --method admm --epochs 15 -o model.pt

Methods: ``dense`` (no constraint), ``projection`` (dense, hard projection,
fine-tuning) and ``admm`` (dense, ADMM, hard projection, fine-tuning).  The
whole module is saved with ``torch.save`` and can be read by ``ernn-import``.
"""

from __future__ import annotations

import argparse
import sys
import time

from ernn_ir.tools.common import write_files_atomically


class _Bar:
    """A plain-text progress bar on stderr (no tqdm)."""

    def __init__(self, stream=sys.stderr, width=30):
        self.stream, self.width = stream, width
        self.tty = stream.isatty()

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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ernn-train", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--hidden", type=int, default=64, help="hidden size (a multiple of --block)")
    p.add_argument("--block", type=int, default=8, help="block size b")
    p.add_argument("--method", choices=["admm", "projection", "dense"], default="admm")
    p.add_argument("--epochs", type=int, default=15, help="dense (pre-)training epochs")
    p.add_argument("--admm-epochs", type=int, default=10)
    p.add_argument("--finetune-epochs", type=int, default=10,
                   help="circulant fine-tuning epochs (projection gets admm+finetune epochs)")
    p.add_argument("--rho", type=float, default=1e-2, help="initial ADMM penalty")
    p.add_argument("--peepholes", action="store_true", help="LSTM diagonal peepholes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("-o", "--output", required=True, help="output file (torch.save of the module)")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    prog = "ernn-train"
    try:
        import torch
    except ImportError:
        print(f"{prog}: error: PyTorch is required (pip install torch==2.13.0)", file=sys.stderr)
        return 1
    from ernn_ir.frontend.admm import train_admm, train_dense, train_projection_baseline
    from ernn_ir.frontend.tasks import load_digits_task

    if args.method != "dense" and args.hidden % args.block:
        print(f"{prog}: error: --hidden {args.hidden} must be a multiple of --block {args.block}",
              file=sys.stderr)
        return 1
    torch.set_num_threads(args.threads)
    try:
        task = load_digits_task(seed=args.seed)
    except ImportError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
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
    try:
        write_files_atomically([(args.output, lambda tmp: torch.save(model, tmp))])
    except (OSError, RuntimeError) as e:
        print(f"{prog}: error: cannot write {args.output}: {e}", file=sys.stderr)
        return 1
    errs = "".join(f" {k}={v:.3f}" for k, v in hist.projection_errors.items())
    print(f"{prog}: {args.method} {args.model} H={args.hidden}"
          + ("" if args.method == "dense" else f" b={args.block}")
          + f": test accuracy {hist.test_acc:.4f} ({time.perf_counter() - t0:.1f} s)"
          + (f"; projection errors{errs}" if errs else "") + f" -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
