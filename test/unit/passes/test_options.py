"""Every option of every pass is checked when the pass is built, by one mechanism."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from xdsl.passes import PassPipeline

from ernn_ir.passes import PASSES
from ernn_ir.passes.options import CheckedPass, OptionError
from ernn_ir.registry import all_passes

PASS_CLASSES = {name: factory() for name, factory in PASSES.items()}


def _options(cls):
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.init and f.name != "name"]


def _accepts(annotation, t) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    return t in args


def test_every_pass_checks_its_options():
    for name, cls in PASS_CLASSES.items():
        assert issubclass(cls, CheckedPass), name


@pytest.mark.parametrize("name", list(PASS_CLASSES))
def test_type_confusions_are_refused(name):
    """true/false is no count, a number is no flag; both name the option as spelled on the command line."""
    cls = PASS_CLASSES[name]
    for field, annotation in _options(cls):
        spelled = field.replace("_", "-")
        if _accepts(annotation, bool):
            with pytest.raises(OptionError, match=f"{name}: {spelled} is a flag"):
                cls(**{field: 1})
        elif _accepts(annotation, int) or _accepts(annotation, float):
            with pytest.raises(OptionError, match=f"{name}: {spelled} is "):
                cls(**{field: True})


def test_float_options_take_integers():
    p = PASS_CLASSES["ernn-approximate-activations"](sigmoid_min=-4, sigmoid_max=4)
    assert p.sigmoid_min == -4.0 and isinstance(p.sigmoid_min, float)
    p = PASS_CLASSES["ernn-pipeline"](input_max=4)
    assert p.input_max == 4.0 and isinstance(p.input_max, float)


@pytest.mark.parametrize(
    "spec,message",
    [
        ("ernn-approximate-activations{sigmoid-segments=0}", "sigmoid-segments must be a power of two, got 0"),
        ("ernn-approximate-activations{sigmoid-segments=100}", "sigmoid-segments must be a power of two, got 100"),
        ("ernn-approximate-activations{sigmoid-min=8.0 sigmoid-max=-8.0}",
         r"sigmoid-min \(8\) must be smaller than sigmoid-max \(-8\)"),
        ("ernn-approximate-activations{tanh-min=2 tanh-max=2}", r"tanh-min \(2\) must be smaller than tanh-max \(2\)"),
        ("ernn-approximate-activations{tanh-min=-3 tanh-max=3}", r"\(3 - -3\) / 32 = 0.1875 must be a power of two"),
        ("ernn-approximate-activations{coeff-bits=40}", r"coeff-bits must be in \[2, 32\], got 40"),
        ("ernn-quantize{calibrate=true}", "calibrate is a count"),
        ("ernn-quantize{calibrate=-1}", "calibrate must be >= 0, got -1"),
        ("ernn-quantize{calibrate-seed=-1}", "calibrate-seed must be >= 0, got -1"),
        ("ernn-quantize{act-bits=1}", r"act-bits must be in \[2, 32\], got 1"),
        ("ernn-quantize{fft-frac=200}", r"fft-frac must be in \[-128, 128\], got 200"),
        ("ernn-quantize{input-max=0}", "input-max must be > 0, got 0"),
        ("ernn-quantize{overflow=clamp}", "overflow must be 'saturate' or 'wrap', got 'clamp'"),
        ("ernn-pipeline{calibrate=true}", "calibrate is a count"),
        ("ernn-pipeline{segments=48}", "segments must be a power of two, got 48"),
        ("ernn-pipeline{cell-max=-1}", "cell-max must be > 0"),
    ],
)
def test_senseless_options_fail_when_the_pipeline_is_parsed(spec, message):
    with pytest.raises(OptionError, match=message):
        PassPipeline.parse_spec(all_passes(), spec)


def test_numbers_for_flags_are_refused_by_the_parser_already():
    """xDSL's option parser itself refuses an int for a bool option (the reverse it accepts)."""
    with pytest.raises(ValueError, match="Incompatible types"):
        PassPipeline.parse_spec(all_passes(), "ernn-fft-fusion{accumulate=1}")


def test_sensible_options_pass():
    for spec in (
        "ernn-approximate-activations{sigmoid-segments=16 sigmoid-min=-8 sigmoid-max=8 tanh-segments=64 "
        "tanh-min=-8.0 tanh-max=8.0 coeff-bits=18}",
        "ernn-quantize{calibrate=3 weight-bits=12 act-frac=10 input-max=2.5 rounding=convergent}",
        "ernn-pipeline{weight-bits=8 data-bits=10 segments=64 calibrate=2 input-max=16}",
    ):
        PassPipeline.parse_spec(all_passes(), spec)
