"""The study description (`study.toml`) of `ernn-explore`: schema, defaults and validation.

Every section and field is listed in `SCHEMA`; an unknown or ill-typed field
is refused with `ConfigError` naming the file and the field
(`study.toml: space.blocks[2]: must be a power of two >= 2, got 12`), so a
typo never silently falls back to a default.  docs/explore.md documents the
fields; `load_config` is the only way in, so the CLI and the Python API
check the same things.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field

import tomllib


class ConfigError(Exception):
    """A study description that cannot be run; the message names the file and the field."""


OBJECTIVES = ("fps", "dsp", "bram", "lut", "energy")
"""What the chosen design is ranked by (in the order given): frames/s up, the others down."""


@dataclass(frozen=True)
class TaskConfig:
    kind: str = "digits"
    """'digits' (scikit-learn's bundled digits), 'npz' (the user's sequences) or 'none' (no data: Phase I is skipped)."""
    path: str = ""
    """The .npz file of kind 'npz' (arrays x_train [N, T, F], y_train [N], x_test, y_test), relative to the config."""
    seed: int = 0
    """The digits task's split seed."""


@dataclass(frozen=True)
class SpaceConfig:
    models: tuple[str, ...] = ("lstm", "gru")
    hidden: tuple[int, ...] = (32, 64)
    blocks: tuple[int, ...] = (2, 4, 8, 16)
    projection: tuple[bool, ...] = (False,)
    """LSTM only: a projection layer of hidden/2 outputs (the Google LSTM's LSTMP shape)."""
    methods: tuple[str, ...] = ("admm",)
    """'admm' (E-RNN) and/or 'projection' (hard projection of the dense model, then fine-tuning)."""
    peepholes: bool = False


@dataclass(frozen=True)
class TrainingConfig:
    """The fixed budget of every Phase I trial (docs/frontend.md, "Training")."""

    dense_epochs: int = 8
    admm_epochs: int = 4
    finetune_epochs: int = 4
    """Fine-tuning epochs after the hard projection; the projection method gets admm + finetune epochs."""
    batch: int = 64
    seed: int = 0
    threads: int = 1


@dataclass(frozen=True)
class Phase1Config:
    accuracy_bound: float = 0.9
    """Lowest acceptable test accuracy (a fraction)."""
    prune: bool = True
    """Search block sizes in increasing order and stop at the first one below the bound."""
    survivors: str = "front"
    """Which models meeting the bound go to Phase II: 'front' (Pareto front of accuracy against multiplies) or 'all'."""
    max_survivors: int = 0
    """At most this many survivors, most accurate first (0: no limit)."""


@dataclass(frozen=True)
class Phase2Config:
    weight_bits: tuple[int, ...] = (8, 10, 12, 16)
    data_bits: tuple[int, ...] = (10, 12, 16)
    acc_bits: tuple[int, ...] = (24, 32)
    segments: tuple[int, ...] = (8, 16, 32)
    max_accuracy_drop: float = 0.01
    """Largest accuracy loss of the fixed-point design against the survivor's float model (a fraction)."""
    min_sqnr_db: float = 0.0
    """Lowest acceptable SQNR of the design's outputs against the float model (0: no bound, unless there is no task)."""
    eval_sequences: int = 0
    """Test sequences the bit-exact reference runs (0: the whole test set)."""


@dataclass(frozen=True)
class HardwareConfig:
    device: str = "ku060"
    """A built-in device (ku060, vx690t, vu9p, zu9eg, ecp5-85f) or a .toml/.json description relative to the config."""
    clock_mhz: float = 0.0
    """0: the device's default clock."""
    lanes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128)
    """MAC-lane budgets planned for each design (the fastest plan within lanes x one lane's multipliers); the
    fastest design that fits the device is always planned too."""
    cmul: int = 3
    target_fps: float = 0.0
    """Also plan the fewest multipliers reaching this many frames/s, and choose only designs that reach it (0: none)."""
    objectives: tuple[str, ...] = ("fps", "dsp", "bram", "energy")


@dataclass(frozen=True)
class FixedModelConfig:
    """The model of a study without task data (task.kind = 'none'): random weights, Phase II only."""

    kind: str = "lstm"
    input: int = 153
    hidden: int = 1024
    proj: int = 0
    peepholes: bool = False
    block: int = 8
    seq_len: int = 8
    """Frames per evaluation sequence."""
    sequences: int = 2
    """Random standard-normal evaluation sequences (the SQNR is measured on them)."""
    seed: int = 0


@dataclass(frozen=True)
class StudyConfig:
    name: str
    task: TaskConfig = field(default_factory=TaskConfig)
    space: SpaceConfig = field(default_factory=SpaceConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    phase1: Phase1Config = field(default_factory=Phase1Config)
    phase2: Phase2Config = field(default_factory=Phase2Config)
    hardware: HardwareConfig = field(default_factory=HardwareConfig)
    model: FixedModelConfig = field(default_factory=FixedModelConfig)
    base_dir: str = "."
    """The config file's directory (relative paths are read from there); not part of the fingerprint."""

    @property
    def has_task(self) -> bool:
        return self.task.kind != "none"

    def resolve(self, path: str) -> str:
        return path if os.path.isabs(path) else os.path.join(self.base_dir, path)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("base_dir")
        if self.task.kind == "npz":
            d["task"]["path"] = os.path.abspath(self.resolve(self.task.path))
        if self.hardware.device.endswith((".toml", ".json")):
            d["hardware"]["device"] = os.path.abspath(self.resolve(self.hardware.device))
        return d

    def fingerprint(self) -> str:
        """Canonical JSON of everything that decides the trials' results (a resumed study must match it)."""
        return json.dumps(self.to_dict(), sort_keys=True)


SECTIONS = {
    "task": TaskConfig,
    "space": SpaceConfig,
    "training": TrainingConfig,
    "phase1": Phase1Config,
    "phase2": Phase2Config,
    "hardware": HardwareConfig,
    "model": FixedModelConfig,
}


class _Checker:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, name: str, msg: str) -> None:
        raise ConfigError(f"{self.where}: {name}: {msg}")

    def int_(self, name, v, lo=None, hi=None):
        if not isinstance(v, int) or isinstance(v, bool):
            self.fail(name, f"must be an integer, got {v!r}")
        if lo is not None and v < lo:
            self.fail(name, f"must be >= {lo}, got {v}")
        if hi is not None and v > hi:
            self.fail(name, f"must be <= {hi}, got {v}")
        return v

    def float_(self, name, v, lo=None, hi=None):
        if not isinstance(v, int | float) or isinstance(v, bool) or math.isnan(v) or math.isinf(v):
            self.fail(name, f"must be a number, got {v!r}")
        if lo is not None and v < lo:
            self.fail(name, f"must be >= {lo}, got {v}")
        if hi is not None and v > hi:
            self.fail(name, f"must be <= {hi}, got {v}")
        return float(v)

    def bool_(self, name, v):
        if not isinstance(v, bool):
            self.fail(name, f"must be true or false, got {v!r}")
        return v

    def str_(self, name, v, choices=None):
        if not isinstance(v, str):
            self.fail(name, f"must be a string, got {v!r}")
        if choices is not None and v not in choices:
            self.fail(name, f"must be one of {', '.join(repr(c) for c in choices)}, got {v!r}")
        return v

    def list_(self, name, v, item, unique=True):
        if not isinstance(v, list) or not v:
            self.fail(name, f"must be a non-empty list, got {v!r}")
        out = tuple(item(f"{name}[{i}]", x) for i, x in enumerate(v))
        if unique and len(set(out)) != len(out):
            dup = next(x for x in out if out.count(x) > 1)
            self.fail(name, f"lists {dup!r} twice")
        return out


def _pow2(c: _Checker, name: str, v, lo: int = 2) -> int:
    c.int_(name, v)
    if v < lo or v & (v - 1):
        c.fail(name, f"must be a power of two >= {lo}, got {v}")
    return v


def _section(c: _Checker, sec: str, raw: dict) -> dict:
    """Checked field values of one section (only the fields given)."""
    cls = SECTIONS[sec]
    known = [f for f in cls.__dataclass_fields__]
    if not isinstance(raw, dict):
        c.fail(sec, "must be a table ([" + sec + "])")
    for k in raw:
        if k not in known:
            c.fail(f"{sec}.{k}", f"unknown field (fields of [{sec}]: {', '.join(known)})")
    out = {}
    for k, v in raw.items():
        n = f"{sec}.{k}"
        out[k] = _field(c, sec, k, n, v)
    return out


def _field(c: _Checker, sec: str, k: str, n: str, v):
    from ernn_ir.dialects.ernn.types import MAX_FIXED_WIDTH

    if sec == "task":
        if k == "kind":
            return c.str_(n, v, ("digits", "npz", "none"))
        if k == "path":
            return c.str_(n, v)
        return c.int_(n, v, 0)
    if sec == "space":
        if k == "models":
            return c.list_(n, v, lambda m, x: c.str_(m, x, ("lstm", "gru")))
        if k == "hidden":
            return c.list_(n, v, lambda m, x: c.int_(m, x, 2, 4096))
        if k == "blocks":
            return tuple(sorted(c.list_(n, v, lambda m, x: _pow2(c, m, x))))
        if k == "projection":
            return c.list_(n, v, c.bool_)
        if k == "methods":
            return c.list_(n, v, lambda m, x: c.str_(m, x, ("admm", "projection")))
        return c.bool_(n, v)
    if sec == "training":
        if k == "threads":
            return c.int_(n, v, 1, 64)
        if k == "batch":
            return c.int_(n, v, 1)
        if k == "seed":
            return c.int_(n, v, 0)
        return c.int_(n, v, 0, 10_000)
    if sec == "phase1":
        if k == "accuracy_bound":
            return c.float_(n, v, 0.0, 1.0)
        if k == "prune":
            return c.bool_(n, v)
        if k == "survivors":
            return c.str_(n, v, ("front", "all"))
        return c.int_(n, v, 0)
    if sec == "phase2":
        if k in ("weight_bits", "data_bits", "acc_bits"):
            return tuple(sorted(c.list_(n, v, lambda m, x: c.int_(m, x, 2, MAX_FIXED_WIDTH))))
        if k == "segments":
            return tuple(sorted(c.list_(n, v, lambda m, x: _pow2(c, m, x, 1))))
        if k == "max_accuracy_drop":
            return c.float_(n, v, 0.0, 1.0)
        if k == "min_sqnr_db":
            return c.float_(n, v, 0.0, 300.0)
        return c.int_(n, v, 0)
    if sec == "hardware":
        if k == "device":
            return c.str_(n, v)
        if k == "clock_mhz":
            return c.float_(n, v, 0.0, 10_000.0)
        if k == "lanes":
            return tuple(sorted(c.list_(n, v, lambda m, x: c.int_(m, x, 1, 1 << 20))))
        if k == "cmul":
            c.int_(n, v)
            if v not in (3, 4):
                c.fail(n, f"must be 3 or 4 (real multipliers per complex product), got {v}")
            return v
        if k == "target_fps":
            return c.float_(n, v, 0.0)
        return c.list_(n, v, lambda m, x: c.str_(m, x, OBJECTIVES))
    if sec == "model":
        if k == "kind":
            return c.str_(n, v, ("lstm", "gru"))
        if k == "peepholes":
            return c.bool_(n, v)
        if k == "block":
            return _pow2(c, n, v)
        if k in ("input", "hidden"):
            return c.int_(n, v, 1, 1 << 16)
        if k == "proj":
            return c.int_(n, v, 0, 1 << 16)
        if k in ("seq_len", "sequences"):
            return c.int_(n, v, 1, 10_000)
        return c.int_(n, v, 0)
    raise AssertionError(sec)


def config_from_dict(raw: dict, where: str, name: str, base_dir: str = ".") -> StudyConfig:
    c = _Checker(where)
    top = dict(raw)
    study = top.pop("study", {})
    if not isinstance(study, dict):
        c.fail("study", "must be a table ([study])")
    for k in study:
        if k != "name":
            c.fail(f"study.{k}", "unknown field (fields of [study]: name)")
    if "name" in study:
        name = c.str_("study.name", study["name"])
        if not name or any(ch in name for ch in "/\\ \t\n"):
            c.fail("study.name", f"must be a non-empty name without spaces or slashes, got {name!r}")
    for k in top:
        if k not in SECTIONS:
            c.fail(k, f"unknown section (sections: study, {', '.join(SECTIONS)})")
    parts = {sec: SECTIONS[sec](**_section(c, sec, top.get(sec, {}))) for sec in SECTIONS}
    cfg = StudyConfig(name=name, base_dir=base_dir, **parts)
    _cross_checks(c, cfg, top)
    return cfg


def _cross_checks(c: _Checker, cfg: StudyConfig, raw: dict) -> None:
    from ernn_ir.hardware.devices import DeviceError, load_device

    t = cfg.task
    if t.kind == "npz":
        if not t.path:
            c.fail("task.path", "is required with kind = 'npz' (the .npz file of sequences and labels)")
        if not os.path.isfile(cfg.resolve(t.path)):
            c.fail("task.path", f"no such file: '{cfg.resolve(t.path)}'")
    elif t.path:
        c.fail("task.path", f"is only read with kind = 'npz' (kind is {t.kind!r})")
    if t.kind == "none":
        if "space" in raw or "training" in raw or "phase1" in raw:
            sec = next(s for s in ("space", "training", "phase1") if s in raw)
            c.fail(sec, "has no effect without task data (task.kind = 'none' skips Phase I); remove it")
        if cfg.phase2.min_sqnr_db <= 0:
            c.fail("phase2.min_sqnr_db", "is required without task data (it is then the only quality bound)")
        m = cfg.model
        if m.hidden % m.block:
            c.fail("model.hidden", f"{m.hidden} must be a multiple of model.block ({m.block})")
        if m.kind == "gru" and (m.proj or m.peepholes):
            c.fail("model.proj" if m.proj else "model.peepholes", "GRU has no projection or peepholes")
    else:
        if "model" in raw:
            c.fail("model", "is only read without task data (task.kind = 'none'); the model space is [space]")
        s = cfg.space
        for i, h in enumerate(s.hidden):
            bad = [b for b in s.blocks if h % b]
            if len(bad) == len(s.blocks):
                c.fail(f"space.hidden[{i}]", f"{h} is a multiple of no block size in space.blocks {list(s.blocks)}")
        if s.peepholes and s.models == ("gru",):
            c.fail("space.peepholes", "GRU has no peepholes")
        if True in s.projection and "lstm" not in s.models:
            c.fail("space.projection", "a projection exists for LSTM only, and space.models has no 'lstm'")
        tr = cfg.training
        if tr.dense_epochs == 0:
            c.fail("training.dense_epochs", "must be >= 1 (ADMM and projection start from a trained dense model)")
    dev = cfg.hardware.device
    try:
        load_device(cfg.resolve(dev) if dev.endswith((".toml", ".json")) else dev)
    except DeviceError as e:
        c.fail("hardware.device", str(e))
    if not cfg.hardware.objectives:
        c.fail("hardware.objectives", "must name at least one objective")


def load_config(path: str) -> StudyConfig:
    """Read and check a study description; `ConfigError` names the file and the field."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"cannot read '{path}': {e.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not a valid TOML file: {e}") from None
    stem = os.path.splitext(os.path.basename(path))[0]
    name = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem) or "study"
    return config_from_dict(data, path, name, os.path.dirname(os.path.abspath(path)))


def config_from_fingerprint(text: str) -> StudyConfig:
    """The configuration a study was created from (workers read it from the study, not from a file)."""
    d = json.loads(text)
    parts = {}
    for sec, cls in SECTIONS.items():
        vals = {k: tuple(v) if isinstance(v, list) else v for k, v in d[sec].items()}
        parts[sec] = cls(**vals)
    return StudyConfig(name=d["name"], **parts)
