"""`ernn-model`: write a complete ernn module with seeded random block-circulant weights.

    ernn-model lstm --input-size 153 --hidden-size 1024 --proj-size 512 --peepholes \
        --block-size 8 --seq-len 100 -o google_lstm.mlir
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ernn_ir.builder import build_module, module_to_text
from ernn_ir.limits import check_bytes
from ernn_ir.models import random_gru, random_lstm
from ernn_ir.tools.common import fail, run_tool, write_atomically
from ernn_ir.tools.options import MAX_SEED, block_size, int_in

TOOL = "ernn-model"

#: Stacked layers at most: a bound on the tool's time (each layer is built and
#: printed), far above the few layers of real recurrent models.
MAX_LAYERS = 1000


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=TOOL, description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=["lstm", "gru"])
    p.add_argument("--input-size", type=int_in(1), required=True)
    p.add_argument("--hidden-size", type=int_in(1), required=True)
    p.add_argument("--proj-size", type=int_in(1), default=None, help="LSTM projection size (LSTMP)")
    p.add_argument("--peepholes", action="store_true", help="LSTM diagonal peepholes")
    p.add_argument("--no-bias", action="store_true")
    p.add_argument("--reset-before", action="store_true",
                   help="GRU: apply the reset gate before the recurrent matvec (original GRU)")
    p.add_argument("--layers", type=int_in(1, MAX_LAYERS), default=1,
                   help=f"stacked layers (1 to {MAX_LAYERS})")
    p.add_argument("--block-size", type=block_size, default=8)
    p.add_argument("--seq-len", type=int_in(1), default=16)
    p.add_argument("--batch", type=int_in(1), default=1)
    p.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    p.add_argument("--last-only", action="store_true", help="return only the last step")
    p.add_argument("--seed", type=int_in(0, MAX_SEED - (1 << 32)), default=0,
                   help="seed of layer 0; layer i uses seed + i")
    p.add_argument("-o", "--output", default=None)
    return p


#: Bytes per weight while a model is built and printed: numpy float64, the IR's
#: copy, and two hex characters per byte of text.
_BYTES_PER_WEIGHT = 8 + 8 + 16


def _weights(a) -> int:
    """Weights of the model the options describe (block-circulant: b per b x b block)."""
    b = a.block_size
    blocks = lambda m, n: -(-m // b) * -(-n // b)  # noqa: E731
    total, n_in, H = 0, a.input_size, a.hidden_size
    gates = 4 if a.kind == "lstm" else 3
    R = a.proj_size or H
    for _ in range(min(a.layers, 2)):  # layers after the second repeat the second's size
        total_layer = b * (blocks(gates * H, n_in) + blocks(gates * H, R)) + 2 * gates * H
        if a.proj_size:
            total_layer += b * blocks(a.proj_size, H)
        total += total_layer
        n_in = R
    if a.layers > 2:
        total += (a.layers - 2) * total_layer
    return total


def main(argv: Sequence[str] | None = None) -> None:
    a = parser().parse_args(argv)

    def body() -> None:
        if a.kind == "gru" and (a.proj_size or a.peepholes):
            fail(TOOL, "--proj-size and --peepholes apply to lstm only")
        if a.kind == "lstm" and a.reset_before:
            fail(TOOL, "--reset-before applies to gru only")
        if a.hidden_size % a.block_size:
            fail(TOOL, f"--hidden-size {a.hidden_size} must be a multiple of --block-size {a.block_size}")
        w = _weights(a)
        check_bytes(w * _BYTES_PER_WEIGHT, f"a model of {w} weights ({a.layers} layer(s))")
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
