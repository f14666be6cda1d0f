"""Device descriptions: the built-in parts, user files with a diagnostic per bad field, DSP mapping."""

from __future__ import annotations

import json

import pytest

from ernn_ir.hardware.devices import BUILTIN, DeviceError, dsp_per_multiply, load_device


def test_builtins():
    ku = load_device("ku060")
    assert (ku.dsp, ku.bram18, ku.lut, ku.ff, ku.clock_mhz) == (2760, 2160, 331_680, 663_360, 200.0)
    assert load_device("xcku060") is ku
    assert load_device("vx690t").dsp == 3600
    assert load_device("vu9p").family == "xcup"
    assert load_device("ecp5-85f").dsp == 156
    assert set(BUILTIN) >= {"ku060", "vx690t", "vu9p", "ecp5-85f"}


GOOD = {"name": "my-part", "family": "xc7", "dsp": 100, "dsp_a": 25, "dsp_b": 18, "bram18": 50, "uram": 0,
        "lut": 20000, "ff": 40000, "clock_mhz": 150.0}


def test_user_files(tmp_path):
    j = tmp_path / "d.json"
    j.write_text(json.dumps(GOOD))
    assert load_device(str(j)).dsp == 100
    t = tmp_path / "d.toml"
    t.write_text("\n".join(f"{k} = {json.dumps(v)}" for k, v in GOOD.items()))
    assert load_device(str(t)).name == "my-part"


@pytest.mark.parametrize("change,message", [
    ({"dsp": -1}, "field 'dsp' must be an integer"),
    ({"dsp": "many"}, "field 'dsp' must be an integer"),
    ({"family": "xc9"}, "field 'family' must be one of"),
    ({"clock_mhz": 0}, "field 'clock_mhz' must be a number in"),
    ({"dsp_a": 1}, "field 'dsp_a' must be at least 2"),
    ({"speed": 3}, "unknown field 'speed'"),
    ({"lut": None}, "field 'lut' must be an integer"),
])
def test_bad_fields_are_named(tmp_path, change, message):
    d = dict(GOOD, **change)
    f = tmp_path / "d.json"
    f.write_text(json.dumps(d))
    with pytest.raises(DeviceError, match=message):
        load_device(str(f))


def test_missing_field_and_bad_files(tmp_path):
    d = dict(GOOD)
    del d["bram18"]
    f = tmp_path / "d.json"
    f.write_text(json.dumps(d))
    with pytest.raises(DeviceError, match="missing field 'bram18'"):
        load_device(str(f))
    f.write_text("{not json")
    with pytest.raises(DeviceError, match="not a valid JSON file"):
        load_device(str(f))
    with pytest.raises(DeviceError, match="cannot read device file"):
        load_device(str(tmp_path / "absent.toml"))
    with pytest.raises(DeviceError, match="unknown device 'zz'"):
        load_device("zz")


def test_dsp_per_multiply_matches_yosys_mapping():
    # measured with yosys 0.23 synth_xilinx (brief, section 5)
    xc7, xcu = load_device("vx690t"), load_device("ku060")
    assert dsp_per_multiply(xc7, 16, 16) == 1
    assert dsp_per_multiply(xc7, 25, 18) == 1
    assert dsp_per_multiply(xcu, 27, 18) == 1
    assert dsp_per_multiply(xc7, 27, 18) == 2
    assert dsp_per_multiply(xc7, 32, 32) == 4
    assert dsp_per_multiply(xc7, 4, 4) == 0
