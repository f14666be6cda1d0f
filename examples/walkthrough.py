"""From a PyTorch model to the reference output, end to end.

    python examples/walkthrough.py [--kind lstm|gru] [--block 8] [--epochs 8]

1. train a block-circulant classifier on the digits task (ADMM, E-RNN Phase I);
2. import it into the ernn dialect (exact: its weights are block-circulant);
3. print the IR, lower it with ernn-pipeline's float stages, and run every
   stage with the reference on the test set, next to PyTorch's forward pass;
4. quantize it and report the SQNR and the accuracy of the fixed-point model.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from ernn_ir.builder import build_module, module_to_text
from ernn_ir.frontend.admm import train_admm
from ernn_ir.frontend.tasks import load_digits_task
from ernn_ir.frontend.torch_import import spec_from_torch
from ernn_ir.lowering.reference import Reference
from ernn_ir.passes.pipeline import PipelinePass
from ernn_ir.registry import make_context
from ernn_ir.validation import sqnr_db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=["lstm", "gru"], default="lstm")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--block", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=8)
    a = ap.parse_args()
    torch.manual_seed(0)

    task = load_digits_task(seed=0)
    model, hist = train_admm(task, a.kind, a.hidden, a.block, epochs=a.epochs,
                             admm_epochs=a.epochs // 2, finetune_epochs=a.epochs // 2)
    model.eval()
    print(f"1. trained {a.kind} (b = {a.block}): PyTorch test accuracy {hist.test_acc:.3f}")

    spec, report = spec_from_torch(model, a.block, return_report=True)
    x = task.x_test.numpy()  # [T, B, N]
    T, B, _ = x.shape
    module = build_module(spec, seq_len=T, batch=B)
    print(f"2. imported: {len(module_to_text(module)):,} characters of IR; {report}")

    with torch.no_grad():
        logits_torch = model(task.x_test).numpy()
    (logits,) = Reference(module).run([x]).outputs
    print(f"3. model level: max |reference - PyTorch| = {np.abs(logits - logits_torch).max():.2e}")

    ctx = make_context()
    float_stages = PipelinePass(approximate=False, quantize=False).stages()
    for stage in float_stages:
        stage.apply(ctx, module)
        (y,) = Reference(module).run([x]).outputs
        print(f"   after {stage.name:<24} max |d| vs PyTorch = {np.abs(y - logits_torch).max():.2e}")

    fixed = build_module(spec, seq_len=T, batch=B)
    PipelinePass(weight_bits=12).apply(ctx, fixed)
    (yq,) = Reference(fixed).run([x]).as_float()
    acc = float(np.mean(yq.argmax(-1) == task.y_test.numpy()))
    print(f"4. ernn-pipeline (12-bit weights, 16-bit data, PWL activations): "
          f"SQNR {sqnr_db([logits], [yq]):.1f} dB, fixed-point accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
