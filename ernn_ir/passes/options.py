"""Checked pass options: every ernn pass validates all of its options when it is built.

xDSL parses `-p 'pass{opt=value}'` by the field's annotation but only checks
the Python type loosely: `bool` is an `int`, so `calibrate=true` silently
means one calibration run, and ranges, powers of two, enumerations and
relations between options (`sigmoid-min < sigmoid-max`) are not checked at
all.  Passes derive from `CheckedPass` and declare their options with
`option(default, *rules)`; the checks run in `__post_init__`, so a bad option
fails when the pipeline is parsed (or the pass is constructed from Python),
before any IR is touched, with one message naming the option as it is
spelled on the command line:

    error: ernn-quantize: calibrate is a count (number of input sets), got true

Rules are functions `value -> message | None`; cross-option rules are
`CheckedPass.option_relations`, functions `pass -> message | None`.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Any, ClassVar

from xdsl.passes import ModulePass
from xdsl.utils.exceptions import DiagnosticException

Rule = Callable[[Any], "str | None"]
Relation = Callable[[Any], "str | None"]


class OptionError(DiagnosticException):
    """A pass option that makes no sense; raised when the pass is built."""


def option(default: Any, *rules: Rule, doc: str = "") -> Any:
    """A pass option field with its default and the rules its value must meet."""
    return dataclasses.field(default=default, metadata={"rules": rules, "doc": doc})


def spelled(name: str) -> str:
    """The command-line spelling of a field name (`sigmoid_min` -> `sigmoid-min`)."""
    return name.replace("_", "-")


# -- rules ---------------------------------------------------------------------


def in_range(lo: float, hi: float) -> Rule:
    def rule(v):
        if v is not None and not lo <= v <= hi:
            return f"must be in [{_show(lo)}, {_show(hi)}], got {_show(v)}"
        return None

    return rule


def positive(v) -> str | None:
    if v is not None and not v > 0:
        return f"must be > 0, got {_show(v)}"
    return None


def non_negative(v) -> str | None:
    if v is not None and v < 0:
        return f"must be >= 0, got {_show(v)}"
    return None


def power_of_two(v) -> str | None:
    if v is not None and (v < 1 or v & (v - 1)):
        return f"must be a power of two, got {_show(v)}"
    return None


def one_of(*choices: str) -> Rule:
    def rule(v):
        if v not in choices:
            listed = " or ".join(f"'{c}'" for c in choices)
            return f"must be {listed}, got '{v}'"
        return None

    return rule


def ordered(low: str, high: str) -> Relation:
    """Option `low` must be smaller than option `high`."""

    def relation(p):
        a, b = getattr(p, low), getattr(p, high)
        if not a < b:
            return f"{spelled(low)} ({_show(a)}) must be smaller than {spelled(high)} ({_show(b)})"
        return None

    return relation


def _show(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


# -- type checks -----------------------------------------------------------------


def _accepted(annotation) -> tuple[type, ...]:
    """The scalar types an option annotation admits (None included for `X | None`)."""
    if typing.get_origin(annotation) in (UnionType, typing.Union):
        out: tuple[type, ...] = ()
        for a in typing.get_args(annotation):
            out += _accepted(a)
        return out
    return (annotation,)


def _type_problem(value, accepted: Sequence[type], doc: str) -> str | None:
    if value is None:
        return None if NoneType in accepted else "needs a value"
    if bool in accepted:
        if isinstance(value, bool):
            return None
        return f"is a flag (true or false), got {_show(value)}"
    if isinstance(value, bool):
        # A bool is an int to Python and to xDSL's option parser.
        what = doc or ("a number" if float in accepted else "an integer")
        return f"is {what}, got {_show(value)}"
    if int in accepted and isinstance(value, int):
        return None
    if float in accepted and isinstance(value, int | float):
        if not math.isfinite(value):
            return f"must be finite, got {_show(value)}"
        return None
    if str in accepted and isinstance(value, str):
        return None
    names = " or ".join("none" if t is NoneType else t.__name__ for t in accepted)
    return f"must be {names}, got {_show(value)}"


def check_options(obj, label: str) -> None:
    """Check every option field of dataclass `obj` (types, `option` rules, `option_relations`).

    Raises one OptionError naming `label` (the pass, or the `-t` target) and
    every bad option; an int given for a float option becomes that float.
    Passes call it through `CheckedPass`; targets with options call it in
    their `__post_init__`.
    """
    hints = typing.get_type_hints(type(obj))
    problems: list[str] = []
    for f in dataclasses.fields(obj):
        if not f.init or f.name == "name":
            continue
        value = getattr(obj, f.name)
        accepted = _accepted(hints[f.name])
        doc = f.metadata.get("doc", "")
        msg = _type_problem(value, accepted, doc)
        if msg is None and float in accepted and isinstance(value, int):
            # `sigmoid-min=-6` is parsed as an int: the option is the number -6.0.
            object.__setattr__(obj, f.name, float(value))
            value = float(value)
        if msg is None:
            for rule in f.metadata.get("rules", ()):
                msg = rule(value)
                if msg is not None:
                    break
        if msg is not None:
            problems.append(f"{spelled(f.name)} {msg}")
    if not problems:
        for relation in getattr(type(obj), "option_relations", ()):
            msg = relation(obj)
            if msg is not None:
                problems.append(msg)
    if problems:
        raise OptionError(f"{label}: " + "; ".join(problems))


@dataclass(frozen=True)
class CheckedPass(ModulePass):
    """A pass whose options are checked when it is built (see the module docstring)."""

    option_relations: ClassVar[tuple[Relation, ...]] = ()

    def __post_init__(self) -> None:
        check_options(self, self.name)
