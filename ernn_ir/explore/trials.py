"""The trials of a study and their identity.

A trial is named by its parameters alone (`p1:lstm-h64-p0-admm-b8`,
`p2:lstm-h64-p0-admm-b8:w12-d16-a32-s32`), so a restarted or a second
worker computes the same names: the study engine then never loses a trial
nor runs one twice (`study.py`).  What is run follows from what has
finished:

- Phase I: one *chain* per (model, hidden size, projection, method), its
  block sizes in increasing order.  E-RNN reports that accuracy falls as b
  grows, so with pruning only the first block size of a chain runs at first;
  each completed trial that meets the bound releases the next, and the first
  that breaks it ends the chain: the larger block sizes are recorded as
  pruned, not trained.
- Phase II, once Phase I is over: for each survivor, a coordinate sweep of
  the quantization (weight, data and accumulator widths, PWL segments: each
  knob over its values with the others at their widest) and then the
  *combined* point, the smallest eligible value of every knob together.
"""

from __future__ import annotations

from dataclasses import dataclass

from ernn_ir.explore.config import StudyConfig


@dataclass(frozen=True, order=True)
class ModelPoint:
    """One Phase I candidate: a block-circulant model and how it is trained."""

    kind: str
    hidden: int
    proj: int
    """Projection outputs (0: none)."""
    method: str
    block: int

    @property
    def chain(self) -> str:
        return f"{self.kind}-h{self.hidden}-p{self.proj}-{self.method}"

    @property
    def key(self) -> str:
        return f"p1:{self.chain}-b{self.block}"

    def params(self) -> dict:
        return {"kind": self.kind, "hidden": self.hidden, "proj": self.proj, "method": self.method,
                "block": self.block}


@dataclass(frozen=True, order=True)
class QuantPoint:
    weight_bits: int
    data_bits: int
    acc_bits: int
    segments: int

    @property
    def tag(self) -> str:
        return f"w{self.weight_bits}-d{self.data_bits}-a{self.acc_bits}-s{self.segments}"

    def params(self) -> dict:
        return {"weight_bits": self.weight_bits, "data_bits": self.data_bits, "acc_bits": self.acc_bits,
                "segments": self.segments}


KNOBS = ("weight_bits", "data_bits", "acc_bits", "segments")


@dataclass(frozen=True)
class DesignPoint:
    """One Phase II trial: a survivor's model with one quantization."""

    model_key: str
    quant: QuantPoint
    role: str
    """'sweep' (a coordinate-sweep point) or 'combined'."""

    @property
    def key(self) -> str:
        return f"p2:{self.model_key[3:]}:{self.quant.tag}"

    def params(self) -> dict:
        return {"model": self.model_key, **self.quant.params(), "role": self.role}


FIXED_MODEL_KEY = "p1:fixed"
"""The model of a study without task data (no Phase I trial; Phase II runs on it directly)."""


def chains(cfg: StudyConfig) -> dict[str, list[ModelPoint]]:
    """Phase I chains, each in increasing block size; (hidden, block) pairs that do not divide are left out."""
    out: dict[str, list[ModelPoint]] = {}
    s = cfg.space
    for kind in s.models:
        for h in s.hidden:
            for proj_on in s.projection:
                if proj_on and kind != "lstm":
                    continue  # GRU has no projection
                proj = h // 2 if proj_on else 0
                for method in s.methods:
                    pts = [ModelPoint(kind, h, proj, method, b) for b in s.blocks if h % b == 0]
                    if pts:
                        out[pts[0].chain] = pts
    return out


def phase1_points(cfg: StudyConfig) -> list[ModelPoint]:
    return [p for ch in chains(cfg).values() for p in ch]


def widest(cfg: StudyConfig) -> QuantPoint:
    p = cfg.phase2
    return QuantPoint(max(p.weight_bits), max(p.data_bits), max(p.acc_bits), max(p.segments))


def sweep_points(cfg: StudyConfig) -> list[QuantPoint]:
    """The coordinate sweep: each knob over its values, the others at their widest (the widest point once)."""
    base = widest(cfg)
    seen: dict[QuantPoint, None] = {}
    for knob in KNOBS:
        for v in getattr(cfg.phase2, knob):
            seen[QuantPoint(**{**base.params(), knob: v})] = None
    return list(seen)


def combined_point(cfg: StudyConfig, eligible: dict[QuantPoint, bool]) -> QuantPoint:
    """The smallest eligible value of every knob, taken together (a knob with none eligible stays widest)."""
    base = widest(cfg)
    vals = {}
    for knob in KNOBS:
        ok = [getattr(q, knob) for q, good in eligible.items() if good and all(
            getattr(q, k) == getattr(base, k) for k in KNOBS if k != knob)]
        vals[knob] = min(ok) if ok else getattr(base, knob)
    return QuantPoint(**vals)
