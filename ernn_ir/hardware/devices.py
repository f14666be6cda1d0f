"""FPGA device descriptions: what a plan may use, and how its multipliers and memories map.

Built in: Xilinx Kintex UltraScale KU060 (ESE, E-RNN), Virtex-7 690T
(C-LSTM, E-RNN), Virtex UltraScale+ VU9P, Zynq UltraScale+ ZU9EG, and the
Lattice ECP5-85F (the part the open place-and-route flow here can time).
Users pass their own as a small TOML or JSON file with the same fields;
`load_device` names the field that is missing or wrong.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, fields


class DeviceError(Exception):
    """A device name or description the planner cannot use (the message names the field)."""


@dataclass(frozen=True)
class Device:
    name: str
    family: str
    """yosys family / flow: 'xc7', 'xcu' (UltraScale), 'xcup' (UltraScale+) or 'ecp5'."""
    dsp: int
    """Multiplier slices (DSP48E1/E2, MULT18X18D)."""
    dsp_a: int
    dsp_b: int
    """Signed operand widths one slice multiplies (25x18, 27x18, 18x18)."""
    bram18: int
    """18-Kbit block RAMs (a RAMB36 counts as two, an ECP5 EBR as one)."""
    uram: int
    lut: int
    ff: int
    clock_mhz: float
    """Default clock."""
    part: str = ""
    """The part number a vendor tool would take."""

    @property
    def bram_bits(self) -> int:
        return self.bram18 * 18 * 1024

    @property
    def deep_pipeline(self) -> bool:
        """Whether designs for this device use the deep pipeline (`units`, "Deep pipeline").

        ECP5: yosys 0.23 maps products to MULT18X18D without their registers
        and the fabric's carry chains are slow, so the generator registers
        every 18 x 18 piece of a product inside its slice and gives each carry
        chain its own cycle.  On Xilinx, yosys packs the pipeline registers
        into the DSP slices itself.
        """
        return self.family == "ecp5"


BUILTIN: dict[str, Device] = {
    d.name: d
    for d in [
        Device("ku060", "xcu", dsp=2760, dsp_a=27, dsp_b=18, bram18=2160, uram=0, lut=331_680, ff=663_360,
               clock_mhz=200.0, part="xcku060-ffva1156-2-e"),
        Device("vx690t", "xc7", dsp=3600, dsp_a=25, dsp_b=18, bram18=2940, uram=0, lut=433_200, ff=866_400,
               clock_mhz=200.0, part="xc7vx690tffg1761-2"),
        Device("vu9p", "xcup", dsp=6840, dsp_a=27, dsp_b=18, bram18=4320, uram=960, lut=1_182_240,
               ff=2_364_480, clock_mhz=300.0, part="xcvu9p-flga2104-2-e"),
        Device("zu9eg", "xcup", dsp=2520, dsp_a=27, dsp_b=18, bram18=1824, uram=0, lut=274_080, ff=548_160,
               clock_mhz=300.0, part="xczu9eg-ffvb1156-2-e"),
        Device("ecp5-85f", "ecp5", dsp=156, dsp_a=18, dsp_b=18, bram18=208, uram=0, lut=83_640, ff=83_640,
               clock_mhz=100.0, part="LFE5U-85F-6BG381C"),
    ]
}

ALIASES = {
    "xcku060": "ku060", "kintex-ku060": "ku060", "xc7vx690t": "vx690t", "virtex7-690t": "vx690t",
    "xcvu9p": "vu9p", "xczu9eg": "zu9eg", "lfe5u-85f": "ecp5-85f", "ecp5": "ecp5-85f",
}

_INT_FIELDS = ("dsp", "dsp_a", "dsp_b", "bram18", "uram", "lut", "ff")
FAMILIES = ("xc7", "xcu", "xcup", "ecp5")


def device_from_dict(d: dict, where: str) -> Device:
    known = {f.name for f in fields(Device)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise DeviceError(f"{where}: unknown field '{unknown[0]}' (fields: {', '.join(sorted(known))})")
    for k in ("name", "family", *_INT_FIELDS, "clock_mhz"):
        if k not in d:
            raise DeviceError(f"{where}: missing field '{k}'")
    if not isinstance(d["name"], str) or not d["name"]:
        raise DeviceError(f"{where}: field 'name' must be a non-empty string")
    if d["family"] not in FAMILIES:
        raise DeviceError(f"{where}: field 'family' must be one of {', '.join(FAMILIES)}, got {d['family']!r}")
    for k in _INT_FIELDS:
        v = d[k]
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 10**9:
            raise DeviceError(f"{where}: field '{k}' must be an integer in [0, 1e9], got {v!r}")
    for k in ("dsp_a", "dsp_b"):
        if d[k] < 2:
            raise DeviceError(f"{where}: field '{k}' must be at least 2 (a multiplier operand width)")
    c = d["clock_mhz"]
    if not isinstance(c, int | float) or isinstance(c, bool) or not (0 < c < 10_000) or math.isnan(c):
        raise DeviceError(f"{where}: field 'clock_mhz' must be a number in (0, 10000), got {c!r}")
    part = d.get("part", "")
    if not isinstance(part, str):
        raise DeviceError(f"{where}: field 'part' must be a string")
    return Device(name=d["name"], family=d["family"], clock_mhz=float(c), part=part,
                  **{k: int(d[k]) for k in _INT_FIELDS})


def load_device(spec: str) -> Device:
    """A built-in device by name, or a .toml / .json description file."""
    key = spec.strip().lower()
    if key in BUILTIN:
        return BUILTIN[key]
    if key in ALIASES:
        return BUILTIN[ALIASES[key]]
    if spec.endswith((".toml", ".json")) or os.path.sep in spec:
        try:
            with open(spec, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise DeviceError(f"cannot read device file '{spec}': {e.strerror}") from None
        try:
            if spec.endswith(".json"):
                data = json.loads(raw.decode("utf-8"))
            else:
                import tomllib

                data = tomllib.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise DeviceError(f"{spec}: not a valid {'JSON' if spec.endswith('.json') else 'TOML'} file: {e}") from None
        if not isinstance(data, dict):
            raise DeviceError(f"{spec}: a device description must be a table of fields")
        return device_from_dict(data, spec)
    raise DeviceError(
        f"unknown device '{spec}' (built in: {', '.join(sorted(BUILTIN))}; or a .toml/.json file)"
    )


def multiply_in_luts(a_bits: int, b_bits: int) -> bool:
    """Whether yosys keeps a signed a x b multiply in LUTs (narrow products) rather than a slice."""
    return a_bits + b_bits < 9 or min(a_bits, b_bits) < 2


def dsp_per_multiply(device: Device, a_bits: int, b_bits: int) -> int:
    """Slices for one signed a x b multiply, as yosys maps it.

    yosys splits a wide product into slice-sized partial products (its
    mul2dsp pass cuts the operands into chunks of the slice's signed widths
    minus a sign bit after the first); products narrower than about 9 result
    bits stay in LUTs.
    """
    a, b = max(a_bits, b_bits), min(a_bits, b_bits)
    if multiply_in_luts(a_bits, b_bits):
        return 0
    wa, wb = device.dsp_a, device.dsp_b
    if a <= wa and b <= wb:
        return 1
    if b <= wb:
        return math.ceil((a - 1) / (wa - 1))
    return math.ceil((a - 1) / (wa - 1)) * math.ceil((b - 1) / (wb - 1))
