"""The files of a Vitis HLS project: firmware, testbench, Python bridge, tcl script, Makefile, README.

    files = project_files(HlsDesign(view, "ap"), golden=golden_vectors(module, accelerator))

Layout (paths relative to the project directory):

    build_prj.tcl              vitis_hls -f build_prj.tcl: csim, csynth, cosim, export
    Makefile                   make csim: the testbench with g++, no Vitis needed
    README.md                  what is where, how to run it
    firmware/<top>.cpp .h      the accelerator (emit.py)
    firmware/types.h constants.h weights.h
    firmware/ernn_ap.h | ernn_fixed.h   the flavour's helper header (include/)
    tb/<top>_tb.cpp            reads tb_data/input_*.txt, writes csim_*.txt, compares with expected_*.txt
    tb/tb_data/                raw frames and the reference's raw outputs
    bridge/<top>_bridge.cpp    extern "C" entry the Python backend calls through ctypes
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ernn_ir.lowering.hls.emit import HlsDesign, _fmt_str

MARKER = ".ernn-hls-project"
"""A file every generated project holds, so that `-o DIR` only ever replaces a project it wrote."""


def helper_header(flavour: str) -> tuple[str, str]:
    """(file name, text) of the flavour's hand-written helper header."""
    name = "ernn_ap.h" if flavour == "ap" else "ernn_fixed.h"
    text = resources.files("ernn_ir.lowering.hls").joinpath("include").joinpath(name).read_text()
    return name, text


@dataclass
class GoldenVectors:
    """Raw accelerator inputs and the reference's raw step outputs ([T, batch, n] int64 each)."""

    inputs: list[np.ndarray]
    outputs: list[np.ndarray]
    seed: int


def golden_vectors(module, accelerator, seed: int = 0, scale: float = 1.0) -> GoldenVectors:
    """Run `module`'s entry function on seeded normal inputs; record what `accelerator` reads and yields."""
    from xdsl.dialects import func

    from ernn_ir.hardware.constants import OuterConstants
    from ernn_ir.lowering.backends import AcceleratorBackend, AcceleratorRun
    from ernn_ir.lowering.reference import Reference
    from ernn_ir.lowering.reference.structure import run_time_loop

    consts = OuterConstants(module)
    captured: dict[str, list[np.ndarray]] = {}

    class Capture(AcceleratorBackend):
        name = "capture"

        def run(self, op, inputs):
            inits = [consts(v) for v in op.inits]
            results = run_time_loop(ref.interpreter, op, (*inputs, *inits), reverse=False)
            outs = [np.asarray(r, dtype=np.int64) for r in results[: op.num_step_outputs]]
            if op is accelerator:
                captured["inputs"] = [np.asarray(x, dtype=np.int64) for x in inputs]
                captured["outputs"] = outs
            return AcceleratorRun(outputs=outs)

    ref = Reference(module, accelerator_backend=Capture())
    f = accelerator.parent_op()
    while f is not None and not isinstance(f, func.FuncOp):
        f = f.parent_op()
    assert f is not None
    rng = np.random.default_rng(seed)
    xs = [scale * rng.standard_normal(tuple(t.get_shape())) for t in f.function_type.inputs.data]
    ref.run(xs, f.sym_name.data)
    return GoldenVectors(captured["inputs"], captured["outputs"], seed)


def _raw_text(a: np.ndarray) -> str:
    flat = np.asarray(a, dtype=np.int64).reshape(-1)
    return "\n".join(str(int(v)) for v in flat) + "\n"


def source_hash(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(b"\0")
        h.update(files[name].encode())
        h.update(b"\0")
    return h.hexdigest()


def firmware_hash(files: dict[str, str]) -> str:
    """The hash the bridge reports: of the firmware alone (what the library is built from)."""
    return source_hash({k: v for k, v in files.items() if k.startswith("firmware/")})


def project_files(d: HlsDesign, golden: GoldenVectors | None = None, part: str = "") -> dict[str, str]:
    """Every file of the project, relative path -> text."""
    fw = d.render()
    helper, helper_text = helper_header(d.flavour)
    files = {f"firmware/{k}": v for k, v in fw.items()}
    files[f"firmware/{helper}"] = helper_text
    files[f"bridge/{d.top}_bridge.cpp"] = bridge(d, firmware_hash(files))
    files[f"tb/{d.top}_tb.cpp"] = testbench(d)
    if golden is not None:
        for i, x in enumerate(golden.inputs):
            files[f"tb/tb_data/input_{d.input_name[i]}.txt"] = _raw_text(x)
        for o, y in enumerate(golden.outputs):
            files[f"tb/tb_data/expected_{d.output_name[o]}.txt"] = _raw_text(y)
    device = d.design.device.data
    files["build_prj.tcl"] = tcl_script(d, part)
    files["Makefile"] = makefile(d)
    files["README.md"] = readme(d, golden, part or device)
    files[MARKER] = f"ernn-ir HLS project of @{d.design.sym_name.data} ({d.flavour} flavour)\n"
    return files


# ---------------------------------------------------------------------------------- testbench


def _stream_t(d: HlsDesign) -> str:
    return "hls::stream" if d.ap else "ernn::stream"


def _to_value(d: HlsDesign, fmt, expr: str) -> str:
    return f"ernn::from_raw<{d.fx(fmt)}>({expr})" if d.ap else f"static_cast<{d.fx(fmt)}>({expr})"


def _to_raw(d: HlsDesign, expr: str) -> str:
    return f"ernn::raw_of({expr})" if d.ap else f"static_cast<long long>({expr})"


def _output_streams_and_call(d, g, stream: str, top: str) -> list[str]:
    """Declare the output streams and call the top on the input and output streams (testbench and bridge)."""
    lines = [f'    {stream}<{d.fx(out.format)}> {d.output_name[o]}_out("{d.output_name[o]}_out");'
             for o, out in enumerate(g.outputs)]
    args = [f"{d.input_name[i]}_in" for i in range(len(g.inputs))] + [f"{d.output_name[o]}_out"
                                                                      for o in range(len(g.outputs))]
    return [*lines, f"    {top}({', '.join(args)});"]


def testbench(d: HlsDesign) -> str:
    g = d.g
    top = d.top
    U = top.upper()
    lines = [
        d.header_comment(f"Testbench of {top}: raw frames in, raw step outputs out, compared with the reference."),
        "// Usage: <tb> [DATA_DIR]  (default tb_data). Reads DATA_DIR/input_<name>.txt (one raw integer per line,",
        "// frame t of sequence s, element i, in that order), writes DATA_DIR/csim_<name>.txt and, when",
        "// DATA_DIR/expected_<name>.txt exists (the reference interpreter's outputs), compares them bit for bit.",
        "// Exit status: 0 all equal, 1 a mismatch, 2 a missing or short input file.",
        "#include <cstdio>",
        "#include <string>",
        "#include <vector>",
        "",
        f'#include "{top}.h"',
        "",
        "static bool read_raw(const std::string& path, std::vector<long long>& values, size_t count) {",
        '    FILE* f = std::fopen(path.c_str(), "r");',
        "    if (!f) {",
        '        std::fprintf(stderr, "cannot open %s\\n", path.c_str());',
        "        return false;",
        "    }",
        "    long long v = 0;",
        '    while (values.size() < count && std::fscanf(f, "%lld", &v) == 1) values.push_back(v);',
        "    std::fclose(f);",
        "    if (values.size() != count) {",
        '        std::fprintf(stderr, "%s holds %zu values, %zu expected\\n", path.c_str(), values.size(), count);',
        "        return false;",
        "    }",
        "    return true;",
        "}",
        "",
        "static void write_raw(const std::string& path, const std::vector<long long>& values) {",
        '    FILE* f = std::fopen(path.c_str(), "w");',
        "    if (!f) return;",
        '    for (size_t i = 0; i < values.size(); i++) std::fprintf(f, "%lld\\n", values[i]);',
        "    std::fclose(f);",
        "}",
        "",
        "// Mismatches of `got` against DATA_DIR/expected_<name>.txt; -1 when there is no expected file.",
        "static long compare(const std::string& path, const std::vector<long long>& got, const char* name) {",
        '    FILE* f = std::fopen(path.c_str(), "r");',
        "    if (!f) return -1;",
        "    std::fclose(f);",
        "    std::vector<long long> want;",
        "    if (!read_raw(path, want, got.size())) return static_cast<long>(got.size());",
        "    long bad = 0;",
        "    for (size_t i = 0; i < got.size(); i++) {",
        "        if (got[i] != want[i]) {",
        "            if (bad < 10) {",
        '                std::fprintf(stderr, "%s[%zu]: csim %lld, reference %lld\\n", name, i, got[i], want[i]);',
        "            }",
        "            bad++;",
        "        }",
        "    }",
        "    return bad;",
        "}",
        "",
        "int main(int argc, char** argv) {",
        '    const std::string dir = argc > 1 ? argv[1] : "tb_data";',
        f"    const size_t frames = static_cast<size_t>({U}_STEPS) * {U}_BATCH;",
    ]
    stream = _stream_t(d)
    for i, inp in enumerate(g.inputs):
        n = d.input_name[i]
        lines += [
            f"    std::vector<long long> {n}_raw;",
            f'    if (!read_raw(dir + "/input_{n}.txt", {n}_raw, frames * {U}_IN{i}_SIZE)) return 2;',
            f'    {stream}<{d.fx(inp.format)}> {n}_in("{n}_in");',
            f"    for (size_t i = 0; i < {n}_raw.size(); i++) {n}_in.write({_to_value(d, inp.format, f'{n}_raw[i]')});",
        ]
    lines += _output_streams_and_call(d, g, stream, top)
    lines.append("    long mismatches = 0;")
    lines.append("    bool compared = false;")
    for o, out in enumerate(g.outputs):
        n = d.output_name[o]
        lines += [
            f"    std::vector<long long> {n}_raw;",
            f"    while (!{n}_out.empty()) {n}_raw.push_back({_to_raw(d, f'{n}_out.read()')});",
            f"    if ({n}_raw.size() != frames * {U}_OUT{o}_SIZE) {{",
            f'        std::fprintf(stderr, "{n}: %zu values out, %zu expected\\n", {n}_raw.size(), frames * {U}_OUT{o}_SIZE);',
            "        return 1;",
            "    }",
            f'    write_raw(dir + "/csim_{n}.txt", {n}_raw);',
            f'    const long bad_{n} = compare(dir + "/expected_{n}.txt", {n}_raw, "{n}");',
            f"    if (bad_{n} >= 0) {{",
            "        compared = true;",
            f"        mismatches += bad_{n};",
            "    }",
        ]
    lines += [
        "    if (!compared) {",
        '        std::printf("no expected_*.txt in %s: outputs written, nothing compared\\n", dir.c_str());',
        "        return 0;",
        "    }",
        "    if (mismatches) {",
        '        std::printf("FAIL: %ld value(s) differ from the reference\\n", mismatches);',
        "        return 1;",
        "    }",
        f'    std::printf("PASS: {top} equals the reference bit for bit (%zu frames)\\n", frames);',
        "    return 0;",
        "}",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- Python bridge


def bridge_signature(d: HlsDesign, sources_hash: str) -> str:
    g = d.g
    ins = ",".join(str(i.length) for i in g.inputs)
    outs = ",".join(str(o.length) for o in g.outputs)
    return (f"{d.top} flavour={d.flavour} steps={g.steps} batch={g.batch} inputs={ins} outputs={outs} "
            f"sources={sources_hash[:16]}")


def bridge(d: HlsDesign, sources_hash: str) -> str:
    g = d.g
    top = d.top
    U = top.upper()
    stream = _stream_t(d)
    lines = [
        d.header_comment(f"C entry points of {top} for the Python backend (ctypes): raw int64 frames in and out."),
        "#include <cstdint>",
        "",
        "// The whole design is one translation unit with the bridge: the firmware's units stay static and g++",
        "// parses the headers once.",
        f'#include "{top}.cpp"',
        "",
        'extern "C" {',
        "",
        "// Which design this library is (the Python side refuses a stale build).",
        f'const char* ernn_hls_describe(void) {{ return "{bridge_signature(d, sources_hash)}"; }}',
        "",
        "// inputs[i]: [STEPS][BATCH][IN<i>_SIZE] raw values; outputs[o]: [STEPS][BATCH][OUT<o>_SIZE], filled.",
        "// Returns 0, or 1 when the accelerator left input unread, 2 when it wrote the wrong number of outputs.",
        "int ernn_hls_run(const int64_t* const* inputs, int64_t* const* outputs) {",
        f"    const long frames = static_cast<long>({U}_STEPS) * {U}_BATCH;",
    ]
    for i, inp in enumerate(g.inputs):
        n = d.input_name[i]
        lines += [
            f'    {stream}<{d.fx(inp.format)}> {n}_in("{n}_in");',
            f"    for (long v = 0; v < frames * {U}_IN{i}_SIZE; v++) {n}_in.write({_to_value(d, inp.format, f'inputs[{i}][v]')});",
        ]
    lines += _output_streams_and_call(d, g, stream, top)
    for i in range(len(g.inputs)):
        lines.append(f"    if (!{d.input_name[i]}_in.empty()) return 1;")
    for o, out in enumerate(g.outputs):
        n = d.output_name[o]
        lines += [
            f"    for (long v = 0; v < frames * {U}_OUT{o}_SIZE; v++) {{",
            f"        if ({n}_out.empty()) return 2;",
            f"        outputs[{o}][v] = {_to_raw(d, f'{n}_out.read()')};",
            "    }",
            f"    if (!{n}_out.empty()) return 2;",
        ]
    lines += ["    return 0;", "}", "", '}  // extern "C"', ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- tcl, Makefile, README


def tcl_script(d: HlsDesign, part: str = "") -> str:
    from ernn_ir.hardware.devices import DeviceError, load_device

    try:
        dev = load_device(d.design.device.data)
        part = part or dev.part
    except DeviceError:
        pass
    part = part or "xcku060-ffva1156-2-e"
    clock_ns = 1000.0 / d.design.clock_mhz.value.data
    top = d.top
    cflags = "-std=c++14 -Ifirmware" + ("" if d.ap else " -DERNN_USE_HLS_STREAM")
    tb_flags = "-std=c++14 -Ifirmware -Wno-unknown-pragmas" + ("" if d.ap else " -DERNN_USE_HLS_STREAM")
    return f"""# Vitis HLS script of the accelerator {top} (ernn-ir, {d.flavour} flavour; design @{d.design.sym_name.data}).
#   vitis_hls -f build_prj.tcl                         C simulation, synthesis, co-simulation, IP export
#   vitis_hls -f build_prj.tcl -tclargs "cosim=0 export=0"   any step off
# The testbench compares the C simulation with the reference interpreter's outputs (tb/tb_data).
array set steps {{csim 1 synth 1 cosim 1 export 1}}
foreach arg $argv {{
    foreach {{key value}} [split $arg =] {{ set steps($key) $value }}
}}

set part {part}
set clock_ns {clock_ns:.4g}

open_project -reset {top}_prj
set_top {top}
add_files firmware/{top}.cpp -cflags "{cflags}"
add_files -tb tb/{top}_tb.cpp -cflags "{tb_flags}"
add_files -tb tb/tb_data
open_solution -reset solution1 -flow_target vivado
set_part $part
create_clock -period $clock_ns -name default

if {{$steps(csim)}} {{ csim_design }}
if {{$steps(synth)}} {{ csynth_design }}
if {{$steps(cosim)}} {{ cosim_design }}
if {{$steps(export)}} {{ export_design -format ip_catalog }}
exit
"""


def makefile(d: HlsDesign) -> str:
    top = d.top
    inc = ""
    if d.ap:
        inc = ("# the ap_types headers: the hls4ml wheel's templates/vivado/ap_types, or Vitis HLS's include/\n"
               "AP_TYPES ?= $(shell python3 -c \"import importlib.util, os; s = importlib.util.find_spec('hls4ml'); "
               "print(os.path.join(os.path.dirname(s.origin), 'templates', 'vivado', 'ap_types') if s else '')\")\n")
    isys = " -isystem $(AP_TYPES)" if d.ap else ""
    return f"""# C simulation of {top} with g++ (no Vitis needed): make csim
CXX ?= g++
CXXFLAGS ?= -std=c++14 -O2 -Wall -Wextra -Wno-unknown-pragmas
{inc}
build/{top}_tb: tb/{top}_tb.cpp firmware/*.cpp firmware/*.h
\tmkdir -p build
\t$(CXX) $(CXXFLAGS) -Ifirmware{isys} tb/{top}_tb.cpp firmware/{top}.cpp -o $@

csim: build/{top}_tb
\t./build/{top}_tb tb/tb_data

clean:
\trm -rf build

.PHONY: csim clean
"""


def readme(d: HlsDesign, golden: GoldenVectors | None, part: str) -> str:
    g, cfg = d.g, d.cfg
    top = d.top
    ins = "\n".join(f"| `{d.input_name[i]}_in` | in | `{d.fx(x.format)}` ({_fmt_str(x.format)}) | {x.length} per frame |"
                    for i, x in enumerate(g.inputs))
    outs = "\n".join(f"| `{d.output_name[o]}_out` | out | `{d.fx(y.format)}` ({_fmt_str(y.format)}) | {y.length} per "
                     "frame |" for o, y in enumerate(g.outputs))
    flavour = ("`ap_fixed`/`ap_int` types (Xilinx's ap_types; the hls4ml wheel carries the open-source headers)"
               if d.ap else "plain C++ integers with ernn-ir's rounding and saturation helpers (`ernn_fixed.h`), no "
               "HLS headers")
    tb = (f"`tb/tb_data/` holds {g.steps} x {g.batch} seeded random frames (seed {golden.seed}) and the reference "
          "interpreter's outputs for them." if golden is not None else
          "No `tb_data` was generated: put raw frames in `tb/tb_data/input_<name>.txt`.")
    return f"""# {top}: an ernn-ir accelerator as a Vitis HLS project

Generated by `ernn-opt -t {'hls' if d.ap else 'hls-int'}` from `ernn_hw.design @{d.design.sym_name.data}`:
block size {d.b}, {g.steps} time steps of {g.batch} sequence(s), MAC array {cfg.row_lanes} x {cfg.col_lanes}
lanes, {d.design.period.value.data} cycles per step in the ernn-ir schedule at
{d.design.clock_mhz.value.data:g} MHz ({d.design.device.data}, part `{part}`).  Arithmetic: {flavour}.
The C++ computes exactly what the reference interpreter computes (docs/numerics.md of ernn-ir): the
testbench checks it bit for bit.

| port | dir | type | elements |
| --- | --- | --- | --- |
{ins}
{outs}

Frames stream in time-step order, the sequences of the batch interleaved: frame t of sequence s
is elements `(t * {g.batch} + s) * n .. + n - 1`.

## Run

    make csim                    # g++ C simulation against tb/tb_data (no Vitis needed)
    vitis_hls -f build_prj.tcl   # csim, csynth, cosim, export (Vitis HLS)

{tb}

## Files

- `firmware/{top}.cpp`: the FFT cores (`fft_b{d.b}`, `ifft_b{d.b}`), the rFFT units (`rfft_*`), the MAC
  array (`mac_array_*`, one `mac_lane` per block), the IRFFT units (`irfft_*`), the element-wise stages
  (`ew_stage*`: biases, peepholes, activations, the cell update, op by op with the IR's names), one time
  step (`step`, a DATAFLOW region) and the streaming top function `{top}`.
- `firmware/weights.h`: the weight spectra, {len(g.macs)} matvec(s) in the design's banked ROM (one
  bank per MAC lane, `ARRAY_PARTITION` by bank).
- `firmware/constants.h`: twiddles, biases, peepholes, PWL tables and initial states as raw integers.
- `firmware/types.h`: `fx_W_F` is `!ernn.fixed<W, F>` (value = raw * 2^-F).
- `tb/{top}_tb.cpp`: the testbench; `bridge/{top}_bridge.cpp`: the C entry the Python backend calls.
"""


def write_project(path: str, files: dict[str, str]) -> None:
    """Write `files` under `path` atomically (see `ernn_ir.outputs`)."""
    from ernn_ir.outputs import write_directory_atomically

    write_directory_atomically(path, files, marker=MARKER)
