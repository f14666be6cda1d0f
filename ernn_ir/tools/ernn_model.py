"""`ernn-model`: write a complete ernn module with seeded random block-circulant weights.

    ernn-model lstm --input-size 153 --hidden-size 1024 --proj-size 512 --peepholes \
        --block-size 8 --seq-len 100 -o google_lstm.mlir
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ernn_ir.builder import build_module, module_to_text
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.tools.common import fail, run_tool, write_atomically

TOOL = "ernn-model"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=TOOL, description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=["lstm", "gru"])
    p.add_argument("--input-size", type=int, required=True)
    p.add_argument("--hidden-size", type=int, required=True)
    p.add_argument("--proj-size", type=int, default=None, help="LSTM projection size (LSTMP)")
    p.add_argument("--peepholes", action="store_true", help="LSTM diagonal peepholes")
    p.add_argument("--no-bias", action="store_true")
    p.add_argument("--reset-before", action="store_true",
                   help="GRU: apply the reset gate before the recurrent matvec (original GRU)")
    p.add_argument("--layers", type=int, default=1, help="stacked layers")
    p.add_argument("--block-size", type=int, default=8)
    p.add_argument("--seq-len", type=int, default=16)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    p.add_argument("--last-only", action="store_true", help="return only the last step")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", default=None)
    return p


def _positive(name: str, v: int | None) -> None:
    if v is not None and v < 1:
        fail(TOOL, f"{name} must be positive, got {v}")


def main(argv: Sequence[str] | None = None) -> None:
    a = parser().parse_args(argv)

    def body() -> None:
        for n in ("input_size", "hidden_size", "proj_size", "block_size", "seq_len", "batch", "layers"):
            _positive("--" + n.replace("_", "-"), getattr(a, n))
        if a.kind == "gru" and (a.proj_size or a.peepholes):
            fail(TOOL, "--proj-size and --peepholes apply to lstm only")
        if a.kind == "lstm" and a.reset_before:
            fail(TOOL, "--reset-before applies to gru only")
        if a.hidden_size % a.block_size:
            fail(TOOL, f"--hidden-size {a.hidden_size} must be a multiple of --block-size {a.block_size}")
        layers = []
        n_in = a.input_size
        for i in range(a.layers):
            if a.kind == "lstm":
                layer = random_lstm(n_in, a.hidden_size, a.block_size, a.proj_size,
                                    a.peepholes, not a.no_bias, seed=a.seed + i)
            else:
                layer = random_gru(n_in, a.hidden_size, a.block_size,
                                   not a.reset_before, not a.no_bias, seed=a.seed + i)
            layer.return_sequence = not (a.last_only and i == a.layers - 1)
            layers.append(layer)
            n_in = layer.output_size
        text = module_to_text(build_module(layers, a.seq_len, a.batch, a.dtype))
        if a.output is None:
            sys.stdout.write(text)
        else:
            write_atomically(a.output, text)

    run_tool(TOOL, body)


if __name__ == "__main__":
    main()
