"""Phase I trials: train one block-circulant model with a fixed budget and measure what it costs.

A trial starts from the dense model of its chain (trained once per model
shape with the same seed and budget, and cached: every block size and method
of a chain starts from the same weights, as in docs/accuracy.md), trains it
with ADMM or hard projection + fine-tuning (`ernn_ir.frontend.admm`),
imports it exactly (`spec_from_torch`) and counts, on the fused frequency
level of `ernn-pipeline`, the real multiplies per frame and the weight
spectra stored.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from dataclasses import dataclass

from ernn_ir.explore.config import StudyConfig
from ernn_ir.explore.trials import ModelPoint


@dataclass
class TrainedModel:
    metrics: dict
    state_dict: dict


def load_task(cfg: StudyConfig):
    """The study's SequenceTask (torch tensors [T, B, N])."""
    from ernn_ir.frontend.tasks import load_digits_task, load_npz_task

    if cfg.task.kind == "digits":
        return load_digits_task(seed=cfg.task.seed)
    if cfg.task.kind == "npz":
        return load_npz_task(cfg.resolve(cfg.task.path))
    raise ValueError("a study without task data has no Phase I")


def classifier(cfg: StudyConfig, task, point: ModelPoint, block: int | None):
    from ernn_ir.frontend.admm import make_classifier

    return make_classifier(point.kind, task.n_features, point.hidden, task.n_classes, block,
                           cfg.space.peepholes and point.kind == "lstm", cfg.training.seed,
                           proj_size=point.proj or None)


def _dense(cfg: StudyConfig, task, point: ModelPoint, cache_dir: str | None):
    """The chain's dense starting point, from the cache or trained (deterministic: same seed, one thread)."""
    import torch

    from ernn_ir.frontend.admm import train_dense
    from ernn_ir.frontend.tasks import accuracy

    model = classifier(cfg, task, point, None)
    path = None
    if cache_dir:
        path = os.path.join(cache_dir, f"dense-{point.kind}-h{point.hidden}-p{point.proj}.pt")
        if os.path.exists(path):
            model.load_state_dict(torch.load(path, weights_only=True))
            return model, accuracy(model, task.x_test, task.y_test)
    tr = cfg.training
    model, hist = train_dense(task, point.kind, point.hidden, tr.dense_epochs, batch=tr.batch, seed=tr.seed,
                              model=model)
    if path:
        os.makedirs(cache_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        os.close(fd)
        torch.save(model.state_dict(), tmp)
        os.replace(tmp, path)  # atomic: a concurrent worker reads a whole file or none
    return model, hist.test_acc


def model_costs(spec) -> dict:
    """Parameters, weight spectra and multiplies per frame of an imported model (fused frequency level)."""
    from ernn_ir.analysis.op_count import count_ops
    from ernn_ir.builder import build_module
    from ernn_ir.model_spec import BidirectionalSpec, DenseSpec
    from ernn_ir.passes.pipeline import PipelinePass
    from ernn_ir.registry import make_context

    weights = dense_weights = 0
    for layer in spec.layers:
        subs = [layer.forward, layer.backward] if isinstance(layer, BidirectionalSpec) else [layer]
        for s in subs:
            if isinstance(s, DenseSpec):
                continue
            for w in (s.w_x, s.w_h, getattr(s, "w_proj", None)):
                if w is not None:
                    weights += int(w.params.size)
                    dense_weights += w.rows * w.cols
    m = build_module(spec, seq_len=1, batch=1)
    ctx = make_context()
    for stage in PipelinePass(approximate=False, quantize=False).stages():
        stage.apply(ctx, m)
    rep = count_ops(m)
    st = rep.per_step
    spectra_values = rep.storage.spectra_bits // 32  # f32 at this level: real values stored
    return {
        "weights": weights,
        "dense_weights": dense_weights,
        "spectra_values": spectra_values,
        "mults_per_frame": st.real_mults_3 + st.elementwise_mults,
        "spectral_mults_per_frame": st.real_mults_3,
        "rfft_per_frame": st.rfft_input,
        "irfft_per_frame": st.irfft,
    }


def run_model_trial(cfg: StudyConfig, point: ModelPoint, task=None, cache_dir: str | None = None) -> TrainedModel:
    """Train `point` with the study's budget; its metrics and the trained weights."""
    import torch

    from ernn_ir.frontend.admm import train_admm, train_projection_baseline
    from ernn_ir.frontend.torch_import import spec_from_torch

    torch.set_num_threads(cfg.training.threads)
    if task is None:
        task = load_task(cfg)
    tr = cfg.training
    dense, dense_acc = _dense(cfg, task, point, cache_dir)
    with contextlib.redirect_stderr(io.StringIO()):
        if point.method == "admm":
            model, hist = train_admm(task, point.kind, point.hidden, point.block, admm_epochs=tr.admm_epochs,
                                     finetune_epochs=tr.finetune_epochs, batch=tr.batch, seed=tr.seed,
                                     pretrained=dense)
        else:
            model, hist = train_projection_baseline(task, point.kind, point.hidden, point.block,
                                                    finetune_epochs=tr.admm_epochs + tr.finetune_epochs,
                                                    batch=tr.batch, seed=tr.seed, pretrained=dense)
    model.eval()
    spec = spec_from_torch(model, point.block)
    metrics = {
        "accuracy": float(hist.test_acc),
        "dense_accuracy": float(dense_acc),
        "projection_error": float(sum(hist.projection_errors.values()) / max(1, len(hist.projection_errors))),
        "train_s": float(hist.wall_s),
        **model_costs(spec),
    }
    return TrainedModel(metrics, {k: v.detach().clone() for k, v in model.state_dict().items()})


def spec_of_trained(cfg: StudyConfig, task, point: ModelPoint, state_dict: dict):
    """The ModelSpec of a Phase I trial's saved weights (exact: they are block-circulant)."""
    from ernn_ir.frontend.torch_import import spec_from_torch

    model = classifier(cfg, task, point, point.block)
    model.load_state_dict(state_dict)
    model.eval()
    return spec_from_torch(model, point.block)
