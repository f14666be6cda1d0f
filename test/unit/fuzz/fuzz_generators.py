"""Seeded generators of bad and unusual inputs for the ernn tools.

Every generator takes a `random.Random` and returns one `Case`; a family's
i-th case comes from a generator seeded with (family, i), so a size and a
seed name the same cases on every machine.  Families:

- ``ir-mutation``: valid ernn IR at every level (model, gates, FFT, fused,
  weight-shared, quantized), mutated by token, line, byte and number
  mutations, read by ``ernn-opt`` (with passes and printing flags) and
  ``ernn-run``; a successful ``ernn-opt`` must print IR that reads back as
  itself.
- ``ir-roundtrip``: valid IR with random float constants (all bit patterns:
  NaN, infinities, subnormals, values that need 9 digits) printed with
  every printing flag; the printed module must read back as itself and keep
  the constants' bits.
- ``npy``: bad and odd .npy/.npz files as ``ernn-run`` inputs and
  calibration files.
- ``cli``: option values (negative, zero, huge, not numbers, unicode),
  malformed pass pipelines and targets for every tool.
- ``torch``: PyTorch modules (LSTM/GRU, circulant layers, containers,
  forwards with functional ops) saved with ``torch.save``; an import that
  succeeds must compute what the module computes.
- ``onnx``: ONNX models exported from those modules, then mutated
  (initializers missing, empty, misshapen or of another type, attributes and
  inputs changed, nodes removed or inserted); an import that succeeds must
  verify and run.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import struct
from functools import lru_cache

import numpy as np
from fuzz_harness import Case

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

# ---------------------------------------------------------------------------
# Seed IR


@lru_cache(maxsize=None)
def seed_modules() -> tuple[str, ...]:
    """Small valid modules at every level of the pipeline, as text."""
    from ernn_ir.builder import build_module, module_to_text
    from ernn_ir.models import random_gru, random_lstm
    from ernn_ir.passes import PASSES
    from ernn_ir.registry import make_context

    specs = [
        [random_lstm(6, 8, 4, seed=1)],
        [random_lstm(5, 8, 4, proj_size=4, peepholes=True, seed=2)],
        [random_gru(6, 8, 4, seed=3)],
        [random_gru(4, 4, 4, reset_after=False, bias=False, seed=4)],
        [random_lstm(4, 4, 4, seed=5), random_gru(4, 4, 2, seed=6)],
    ]
    levels = [
        [],
        ["ernn-expand-cells"],
        ["ernn-expand-cells", "ernn-circulant-to-fft"],
        ["ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion"],
        ["ernn-expand-cells", "ernn-circulant-to-fft", "ernn-fft-fusion", "ernn-weight-sharing"],
        ["ernn-pipeline"],
    ]
    out = []
    ctx = make_context()
    for k, layers in enumerate(specs):
        for names in levels:
            if k >= 3 and len(names) not in (0, 2, 5, 1) and names != ["ernn-pipeline"]:
                continue
            module = build_module(layers, seq_len=3, batch=1, dtype="f64" if k == 3 else "f32")
            with contextlib.redirect_stderr(io.StringIO()):  # the passes' reports
                for n in names:
                    PASSES[n]()().apply(ctx, module)
            out.append(module_to_text(module))
    return tuple(out)


@lru_cache(maxsize=None)
def hw_module() -> str:
    """A small module at the hardware level (quantized, fused, tiled): the input of -t verilog/hls and --backend."""
    from ernn_ir.builder import build_module, module_to_text
    from ernn_ir.models import random_lstm
    from ernn_ir.passes import PASSES
    from ernn_ir.registry import make_context

    module = build_module([random_lstm(4, 4, 2, seed=7)], seq_len=3, batch=1)
    ctx = make_context()
    with contextlib.redirect_stderr(io.StringIO()):
        PASSES["ernn-pipeline"]()().apply(ctx, module)
        PASSES["ernn-tile"]()(multipliers=8).apply(ctx, module)
    return module_to_text(module)


@lru_cache(maxsize=None)
def lit_chunks() -> tuple[str, ...]:
    """The split chunks of the lit suite's .mlir files, without their check comments."""
    chunks = []
    root = os.path.join(REPO, "test", "lit")
    for dirpath, _, names in sorted(os.walk(root)):
        if "Output" in dirpath:
            continue
        for n in sorted(names):
            if not n.endswith(".mlir"):
                continue
            with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                text = f.read()
            for piece in re.split(r"(?m)^// -----$", text):
                body = "\n".join(l for l in piece.splitlines() if not l.lstrip().startswith("//"))
                if body.strip():
                    chunks.append(body + "\n")
    return tuple(chunks)


_TOKEN = re.compile(
    rb'%[\w$.-]+|@[\w$.-]+|![\w.]+|#[\w.]+|"(?:[^"\\\n]|\\.)*"|0x[0-9a-fA-F]+'
    rb"|-?\d+\.\d*(?:[eE][+-]?\d+)?|-?\d+|[A-Za-z_][\w.$]*|\S"
)

INTERESTING_TOKENS = [
    b"0", b"-1", b"1", b"3", b"7", b"2147483647", b"2147483648", b"4294967296",
    b"9223372036854775807", b"9223372036854775808", b"18446744073709551616",
    b"1e309", b"-1e309", b"1.0e-320", b"nan", b"inf", b"0x7F800000", b"0x7FC00000",
    b"0xFFFFFFFFFFFFFFFFFF", b"1000001.0", b"0.1", b'"', b'"0x', b'"0xZZ"', b'""',
    b"{", b"}", b"(", b")", b"<", b">", b"[", b"]", b",", b":", b"=", b"->", b"^bb0",
    b"%x", b"%0", b"%undefined", b"@main", b"@missing", b"tensor<0xf32>",
    b"tensor<67108864xf32>", b"tensor<4294967296x4294967296xf32>", b"tensor<?xf32>",
    b"tensor<2x2xf16>", b"tensor<4xi1>", b"tensor<4xbf16>", b"tensor<3xcomplex<f32>>",
    b"!ernn.circulant<4x4xf32, block = 0>", b"!ernn.circulant<8x8xf32, block = 3>",
    b"!ernn.circulant<0x0xf32, block = 4>", b"!ernn.fixed<0, 0>", b"!ernn.fixed<64, 70>",
    b"!ernn.fixed<65, 1>", b"!ernn.fixed<8, -200>", b"f16", b"f64", b"i64", b"index",
    b"ernn.scan", b"ernn.yield", b"ernn.lstm", b"ernn.gru", b"ernn.constant",
    b"ernn.circulant", b"ernn.rfft", b"ernn.irfft", b"ernn.spectral_mac",
    b"ernn.quantize", b"ernn.pwl", b"ernn.global", b"ernn.gather_blocks", b"func.return",
    b"func.func", b"builtin.module", b"reverse", b"loc(unknown)", b'loc("f.mlir":1:1)',
    b"dense<1.0>", b"dense<>", b'dense<"0x00">', b"dense<[1, 2]>", b"\xff", b"\xc3\x28",
    b"\x00", b"\t", "é".encode(), "\u202e".encode(), b"// -----", b"{-#", b"#-}",
]


def _mutate_ir(rng: random.Random, text: bytes) -> tuple[bytes, str]:
    kind = rng.choice([
        "delete-token", "duplicate-token", "replace-token", "insert-token", "swap-tokens",
        "move-line", "delete-line", "duplicate-line", "truncate", "bytes", "number",
        "ssa", "unterminated-string", "type-dim", "multi",
    ])
    toks = [m.span() for m in _TOKEN.finditer(text)]
    if not toks:
        return text + rng.choice(INTERESTING_TOKENS), "append"

    def tok():
        return toks[rng.randrange(len(toks))]

    if kind == "multi":
        for _ in range(rng.randint(2, 5)):
            text, _k = _mutate_ir(rng, text)
        return text, "multi"
    if kind == "delete-token":
        a, b = tok()
        return text[:a] + text[b:], kind
    if kind == "duplicate-token":
        a, b = tok()
        return text[:b] + b" " + text[a:b] + text[b:], kind
    if kind == "replace-token":
        a, b = tok()
        return text[:a] + rng.choice(INTERESTING_TOKENS) + text[b:], kind
    if kind == "insert-token":
        a, _ = tok()
        return text[:a] + rng.choice(INTERESTING_TOKENS) + b" " + text[a:], kind
    if kind == "swap-tokens":
        (a, b), (c, d) = sorted([tok(), tok()])
        if b > c:
            return text, kind
        return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:], kind
    lines = text.split(b"\n")
    if kind in ("move-line", "delete-line", "duplicate-line") and len(lines) > 2:
        i = rng.randrange(len(lines))
        line = lines.pop(i)
        if kind == "move-line":
            lines.insert(rng.randrange(len(lines) + 1), line)
        elif kind == "duplicate-line":
            lines.insert(i, line)
            lines.insert(i, line)
        return b"\n".join(lines), kind
    if kind == "truncate":
        return text[: rng.randrange(len(text))], kind
    if kind == "bytes":
        i = rng.randrange(len(text))
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        return text[:i] + junk + text[i + rng.randint(0, 2):], kind
    if kind == "number":
        nums = [m.span() for m in re.finditer(rb"(?<![\w.%#])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]
        if not nums:
            return text, kind
        a, b = nums[rng.randrange(len(nums))]
        new = rng.choice([b"0", b"-1", b"1", b"2", b"5", b"9", b"63", b"64", b"65", b"128",
                          b"2147483648", b"99999999999", b"1e40", b"-0.0", b"nan", b"0.5"])
        return text[:a] + new + text[b:], kind
    if kind == "ssa":
        names = [m.group() for m in re.finditer(rb"%[\w$.-]+", text)]
        spans = [m.span() for m in re.finditer(rb"%[\w$.-]+", text)]
        if len(names) < 2:
            return text, kind
        a, b = spans[rng.randrange(len(spans))]
        return text[:a] + rng.choice(names) + text[b:], kind
    if kind == "unterminated-string":
        hexes = [m.start() for m in re.finditer(rb'"0x', text)]
        if hexes:
            i = rng.choice(hexes)
            return text[: i + rng.randint(3, 40)], kind
        return text + b' "0x7de25ebe' + b"0" * rng.randint(10, 200), kind
    if kind == "type-dim":
        dims = [m.span(1) for m in re.finditer(rb"(?:tensor<|!ernn\.circulant<)(\d+)", text)]
        if not dims:
            return text, kind
        a, b = dims[rng.randrange(len(dims))]
        new = rng.choice([b"0", b"1", b"3", b"1000000000", b"67108864", b"4611686018427387904"])
        return text[:a] + new + text[b:], kind
    return text, kind


OPT_PRINT_FLAGS = ["--print-op-generic", "--print-debuginfo", "--print-no-properties"]
VALID_PIPELINES = [
    "ernn-expand-cells",
    "ernn-expand-cells,ernn-circulant-to-fft",
    "ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion",
    "ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing",
    "ernn-pipeline",
    "ernn-pipeline{weight-bits=12}",
    "ernn-pipeline{quantize=false}",
    "ernn-approximate-activations",
    "ernn-quantize",
    "ernn-op-count{output=\"counts.txt\"}",
    "ernn-expand-cells,ernn-op-count{output=\"counts.txt\"},ernn-circulant-to-fft",
]


def gen_ir_mutation(rng: random.Random) -> Case:
    seeds = seed_modules() + lit_chunks()
    text = rng.choice(seeds).encode()
    text, kind = _mutate_ir(rng, text)
    files = {"in.mlir": text}
    r = rng.random()
    if r < 0.55:
        argv = ["in.mlir", "-o", "out.mlir"]
        argv += [f for f in OPT_PRINT_FLAGS if rng.random() < 0.2]
        outputs = ["out.mlir"]
        if rng.random() < 0.4:
            p = rng.choice(VALID_PIPELINES)
            argv += ["-p", p]
            if "counts.txt" in p:
                outputs.append("counts.txt")
        if rng.random() < 0.05:
            argv.append("--validate")
        return Case("ir-mutation", "ernn-opt", argv, files, "any", outputs, "roundtrip", kind)
    if r < 0.65:
        return Case("ir-mutation", "ernn-opt", ["in.mlir", "--split-input-file", "--verify-diagnostics"],
                    files, "any", [], None, kind)
    argv = ["in.mlir", "--random", "--output", "y.npy"]
    return Case("ir-mutation", "ernn-run", argv, files, "any", ["y.npy"], None, kind)


# ---------------------------------------------------------------------------
# Float constants: every bit pattern must survive printing


def _random_float_bits(rng: random.Random, width: int) -> int:
    special32 = [0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFC00001, 0x00000001,
                 0x80000001, 0x007FFFFF, 0x00800000, 0x80000000, 0x49742410, 0x3DCCCCCD,
                 0x7F7FFFFF, 0xFF7FFFFF]
    special64 = [0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
                 0x7FF0000000000001, 0x0000000000000001, 0x8000000000000000,
                 0x3FB999999999999A, 0x412E848200000000, 0x7FEFFFFFFFFFFFFF]
    if rng.random() < 0.3:
        return rng.choice(special32 if width == 32 else special64)
    if rng.random() < 0.5:
        v = rng.choice([1000001.0, 0.1, 1 / 3, 16777217.0, 3.4e38, 1e-40, 123456.789,
                        rng.uniform(-1e7, 1e7), rng.uniform(-1, 1)])
        fmt = "<f" if width == 32 else "<d"
        try:
            return int.from_bytes(struct.pack(fmt, v), "little")
        except OverflowError:
            return 0
    return rng.getrandbits(width)


def _float_literal(bits: int, width: int, rng: random.Random) -> str:
    """How a test writes the constant: as hex bits (MLIR's form) or as a decimal."""
    fmt = "<f" if width == 32 else "<d"
    v = struct.unpack(fmt, bits.to_bytes(width // 8, "little"))[0]
    if v != v or v in (float("inf"), float("-inf")) or rng.random() < 0.4:
        return f"0x{bits:0{width // 4}X}"
    digits = 9 if width == 32 else 17  # enough to name the value exactly
    short = repr(v)  # shortest exact form; MLIR needs a '.' in a float literal
    if "." in short.split("e")[0] and rng.random() < 0.5:
        return short
    return f"{v:.{digits - 1}e}"


def gen_ir_roundtrip(rng: random.Random) -> Case:
    width = rng.choice([32, 64])
    ty = "f32" if width == 32 else "f64"
    form = rng.choice(["splat", "list", "hex-string", "scalar"])
    n = 1 if form == "scalar" else rng.randint(1, 6)
    bits = [_random_float_bits(rng, width) for _ in range(1 if form == "splat" else n)]
    shape = "" if form == "scalar" else f"{n}x"
    if form == "hex-string":
        raw = b"".join(b.to_bytes(width // 8, "little") for b in bits)
        lit = f'"0x{raw.hex().upper()}"'
    elif form == "list" and n > 1:
        lit = "[" + ", ".join(_float_literal(b, width, rng) for b in bits) + "]"
    else:
        lit = _float_literal(bits[0], width, rng)
    t = f"tensor<{shape}{ty}>"
    text = (
        f"func.func @main(%x: {t}) -> {t} {{\n"
        f"  %c = ernn.constant dense<{lit}> : {t} -> {t}\n"
        f"  %y = ernn.add %x, %c : {t}, {t} -> {t}\n"
        f"  func.return %y : {t}\n"
        f"}}\n"
    )
    argv = ["in.mlir", "-o", "out.mlir"] + [f for f in OPT_PRINT_FLAGS if rng.random() < 0.35]
    data = b"".join(b.to_bytes(width // 8, "little") for b in bits)
    if form != "hex-string" and form != "list":
        data = data * (n if form == "splat" else 1)
    return Case("ir-roundtrip", "ernn-opt", argv, {"in.mlir": text.encode()}, "ok",
                ["out.mlir"], "constants", f"{form} {ty} {lit[:60]}", expected=data.hex())


# ---------------------------------------------------------------------------
# .npy / .npz files


def _npy(arr, **kw) -> bytes:
    f = io.BytesIO()
    np.save(f, arr, **kw)
    return f.getvalue()


def _npz(**arrays) -> bytes:
    f = io.BytesIO()
    np.savez(f, **arrays)
    return f.getvalue()


def _bad_npy(rng: random.Random, shape: tuple[int, ...]) -> tuple[bytes, str, bool]:
    """(file bytes, what it is, whether a correct tool accepts it)."""
    x = np.random.default_rng(rng.randrange(1 << 30)).standard_normal(shape)
    kind = rng.choice([
        "valid", "valid-f32", "valid-int", "valid-bigendian", "valid-fortran", "wrong-shape",
        "scalar", "bool", "complex", "string", "object", "structured", "empty-file",
        "garbage", "truncated", "npz", "huge-header", "bad-header", "nan", "float16",
        "datetime", "zero-size", "text",
    ])
    if kind == "valid":
        return _npy(x), kind, True
    if kind == "valid-f32":
        return _npy(x.astype(np.float32)), kind, True
    if kind == "valid-int":
        return _npy(np.rint(x).astype(np.int32)), kind, True
    if kind == "valid-bigendian":
        return _npy(x.astype(">f8")), kind, True
    if kind == "valid-fortran":
        return _npy(np.asfortranarray(x)), kind, True
    if kind == "nan":
        y = x.copy()
        y.flat[0] = np.nan
        return _npy(y), kind, True
    if kind == "float16":
        return _npy(x.astype(np.float16)), kind, True
    if kind == "wrong-shape":
        return _npy(np.zeros(tuple(s + 1 for s in shape))), kind, False
    if kind == "scalar":
        return _npy(np.float64(1.0)), kind, False
    if kind == "bool":
        return _npy(x > 0), kind, False
    if kind == "complex":
        return _npy(x + 1j), kind, False
    if kind == "string":
        return _npy(np.full(shape, "a")), kind, False
    if kind == "object":
        return _npy(np.array([{"a": 1}] * int(np.prod(shape)), dtype=object).reshape(shape),
                    allow_pickle=True), kind, False
    if kind == "structured":
        return _npy(np.zeros(shape, dtype=[("a", "<f4"), ("b", "<i4")])), kind, False
    if kind == "datetime":
        return _npy(np.zeros(shape, dtype="datetime64[s]")), kind, False
    if kind == "zero-size":
        return _npy(np.zeros((0,) + shape[1:])), kind, False
    if kind == "empty-file":
        return b"", kind, False
    if kind == "garbage":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))), kind, False
    if kind == "truncated":
        data = _npy(x)
        return data[: rng.randrange(len(data))], kind, False
    if kind == "npz":
        return _npz(x=x), kind, False
    if kind == "huge-header":
        data = _npy(np.zeros(2))
        header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
        header = header.ljust(118) + "\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data[128:], kind, False
    if kind == "bad-header":
        header = rng.choice(["{'descr': 'zz', 'fortran_order': False, 'shape': (2,), }",
                             "not a dict at all", "{'descr': '<f8'}", "{'descr': '<f8', 'fortran_order': 3, 'shape': (-1,), }",
                             "{'descr': '<f8', 'fortran_order': False, 'shape': ('a',), }"])
        header = header.ljust(118) + "\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 16, kind, False
    if kind == "text":
        return "1.0 2.0\n3.0\n".encode(), kind, False
    raise AssertionError(kind)


def gen_npy(rng: random.Random) -> Case:
    seeds = seed_modules()
    i = rng.randrange(len(seeds))
    text = seeds[i]
    m = re.search(r"func\.func @main\(%\w+: tensor<([0-9x]+)x(f32|f64|!ernn)", text)
    shape = tuple(int(s) for s in m.group(1).split("x")) if m else (3, 1, 6)
    data, kind, accept = _bad_npy(rng, shape)
    if rng.random() < 0.75:
        argv = ["m.mlir", "--input", "x.npy", "--output", "y.npy"]
        return Case("npy", "ernn-run", argv, {"m.mlir": text.encode(), "x.npy": data},
                    "ok" if accept and "pipeline" not in kind else "any", ["y.npy"], None, kind)
    # a calibration file for the quantizer (a model-level module)
    text = seeds[0]
    name = rng.choice(["cal.npy", "cal.npz"])
    argv = ["m.mlir", "-p", f"ernn-pipeline{{calibrate-file={name}}}", "-o", "out.mlir"]
    return Case("npy", "ernn-opt", argv, {"m.mlir": text.encode(), name: data}, "any",
                ["out.mlir"], None, "calibrate " + kind)


# ---------------------------------------------------------------------------
# Command-line options

NUMBERS = ["0", "-1", "1", "2", "3", "4", "8", "16", "-8", "1000", "2147483648",
           "9223372036854775808", "1e3", "0.5", "nan", "inf", "", "x", "é", "0x10", " 4", "--"]


def _pipeline_string(rng: random.Random) -> str:
    base = rng.choice(VALID_PIPELINES + ["ernn-expand-cells{}", "ernn-pipeline{weight-bits=12 data-bits=16}"])
    chars = list(base)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        c = rng.choice(list("{}=, ;\"'\\é\t\x00abc-1,,{{}}") + ["ü", "\u202e", "=}", "{=", " ", "\n"])
        if op < 0.4:
            chars.insert(pos, c)
        elif op < 0.7 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif chars:
            chars[min(pos, len(chars) - 1)] = c
    return "".join(chars)


def gen_cli(rng: random.Random) -> Case:
    tool = rng.choice(["ernn-opt", "ernn-opt", "ernn-opt", "ernn-run", "ernn-model", "ernn-model",
                       "ernn-import", "ernn-train", "ernn-train"])
    model = seed_modules()[0].encode()
    if tool == "ernn-opt":
        kind = rng.choice(["pipeline", "pipeline", "target", "hw-target", "validate-seed", "files", "flags"])
        files = {"m.mlir": model}
        if kind == "hw-target":
            # the hardware targets: directories written all or nothing, never over a directory
            # they did not write (mine/), refused below the hardware level (m.mlir)
            files.update({"hw.mlir": hw_module().encode(), "mine/notes.txt": b"keep me"})
            t = rng.choice(["verilog", "hw", "hls", "hls-int", "hls{flavour=vhdl}", "hls{tb-data=2}",
                            "hls{seed=-1}", "verilog{x=1}", "hls-int{part=\"\"}", "hw{"])
            argv = [rng.choice(["hw.mlir", "hw.mlir", "m.mlir"]), "-t", t, "-o",
                    rng.choice(["prj", "prj", "m.mlir", "nodir/prj", "mine", "."])]
            return Case("cli", tool, argv, files, "any", ["prj"], None, kind)
        if kind == "pipeline":
            argv = ["m.mlir", "-p", _pipeline_string(rng), "-o", "out.mlir"]
        elif kind == "target":
            t = rng.choice(["mlir", "riscv-asm", "llvm", "mps", "arm-asm", "csl", "wat", "wgsl",
                            "x86-asm", "irdl", "nosuch", "mlir{x=1}", "mlir{", "", "é"])
            argv = ["m.mlir", "-t", t, "-o", "out.mlir"]
        elif kind == "validate-seed":
            argv = ["m.mlir", "--validate", "--validate-seed", rng.choice(NUMBERS), "-o", "out.mlir"]
        elif kind == "files":
            argv = [rng.choice(["missing.mlir", ".", "m.mlir", "/dev/null"]), "-o",
                    rng.choice(["out.mlir", "nodir/out.mlir", ".", "m.mlir"])]
        else:
            argv = ["m.mlir", *rng.sample(["--split-input-file", "--verify-diagnostics",
                                            "--parsing-diagnostics", "--disable-verify",
                                            "--allow-unregistered-dialect", "--no-implicit-module",
                                            "--print-op-generic", "--validate-f64", "-f", "mlir"],
                                           rng.randint(1, 4)), "-o", "out.mlir"]
            if argv[-3] == "-f":
                argv.insert(-2, rng.choice(["mlir", "onnx", "x"]))
        return Case("cli", tool, argv, files, "any", ["out.mlir"], None, kind)
    if tool == "ernn-run":
        files = {"m.mlir": model}
        opt = rng.choice(["--seed", "--entry", "--input", "--output", "--backend", "--workdir"])
        if opt == "--backend":
            # below the hardware level every backend but the reference is refused before any build
            val = rng.choice(["reference", "hls", "hls-int", "verilator", "iverilog", "nosuch", "", "HLS"])
            return Case("cli", tool, ["m.mlir", "--random", "--backend", val], files, "any", [], None,
                        f"--backend={val!r}")
        if opt == "--workdir":
            # a --workdir that is not a directory: refused after the tools are found, before any build
            files["hw.mlir"] = hw_module().encode()
            be = rng.choice(["hls", "hls-int", "verilator", "iverilog"])
            wd = rng.choice(["m.mlir", "hw.mlir", "/dev/null"])
            return Case("cli", tool, ["hw.mlir", "--random", "--backend", be, "--workdir", wd], files, "fail",
                        [], None, f"--backend={be} --workdir={wd!r}")
        val = rng.choice(NUMBERS + ["main", "nosuch", "m.mlir", "nodir/y.npy"])
        argv = ["m.mlir", "--random", opt, val]
        if opt == "--input":
            argv.remove("--random")
        return Case("cli", tool, argv, files, "any", ["y.npy", "nodir/y.npy"] if opt == "--output" else [],
                    None, f"{opt}={val!r}")
    if tool == "ernn-model":
        kind = rng.choice(["lstm", "gru"])
        opts = {"--input-size": "4", "--hidden-size": "8", "--block-size": "4", "--seq-len": "2"}
        for name in rng.sample(["--input-size", "--hidden-size", "--block-size", "--seq-len", "--batch",
                                "--layers", "--proj-size", "--seed"], rng.randint(1, 2)):
            opts[name] = rng.choice(NUMBERS + ["4611686018427387904", "100000", "65536"])
        argv = [kind] + [x for kv in opts.items() for x in kv] + ["-o", "out.mlir"]
        if rng.random() < 0.2:
            argv.insert(1, rng.choice(["--peepholes", "--reset-before", "--no-bias", "--last-only"]))
        return Case("cli", tool, argv, {}, "any", ["out.mlir"], None, "")
    if tool == "ernn-import":
        opts = {"--block-size": "4", "--seq-len": "3", "--batch": "1"}
        name = rng.choice(list(opts) + ["--dtype"])
        opts[name] = rng.choice(NUMBERS + ["f16", "f64"])
        src = rng.choice(["m.pt", "m.onnx", "missing.pt", "m.txt", "m.mlir", "."])
        files = {"m.pt": ("torch_model", {"seed": rng.randrange(1000), "variant": "plain"}),
                 "m.onnx": ("onnx_model", {"seed": rng.randrange(1000), "mutation": "none"}),
                 "m.txt": b"hello", "m.mlir": model}
        argv = [src] + [x for kv in opts.items() for x in kv] + ["-o", "out.mlir"]
        return Case("cli", tool, argv, files, "any", ["out.mlir"], None, f"{name}={opts[name]!r}")
    # ernn-train: every case refuses before training, or trains for at most one epoch
    opts = {"--hidden": "8", "--block": "4", "--epochs": "0", "--admm-epochs": "0",
            "--finetune-epochs": "0"}
    name = rng.choice(["--hidden", "--block", "--epochs", "--admm-epochs", "--finetune-epochs",
                       "--rho", "--seed", "--threads", "--model", "--method", "-o"])
    value = rng.choice(NUMBERS + ["4611686018427387904", "100000000", "1000", "gru", "rnn",
                                  "nodir/m.pt", "-1e-3", "1e308"])
    if name in ("--epochs", "--admm-epochs", "--finetune-epochs") and value.strip().lstrip("-").isdigit() \
            and int(value) > 1:
        value = rng.choice(["-1", "-5", "0", "1"])  # a valid run trains one epoch at most
    opts[name] = value
    if name != "--threads":
        opts["--threads"] = "1"  # valid runs stay quick however loaded the machine is
    argv = [x for kv in opts.items() for x in kv]
    if "-o" not in opts:
        argv += ["-o", "m.pt"]
    if rng.random() < 0.3:
        argv += ["--model", "gru", "--peepholes"]
    if rng.random() < 0.3:
        argv += ["--method", rng.choice(["dense", "projection", "admm"])]
    return Case("cli", tool, argv, {}, "any", ["m.pt", "nodir/m.pt"], None, f"{name}={value!r}")


# ---------------------------------------------------------------------------
# PyTorch models (built inside the worker: torch must not run before fork)

TORCH_VARIANTS = [
    "plain", "sequential", "sequential-head", "classifier", "custom-last", "custom-all",
    "tanh-before-head", "relu-before-head", "scale-output", "offset-output", "reversed-input",
    "final-state", "two-heads", "head-then-tanh", "returns-tuple", "circulant", "dense-layer",
    "batch-first", "rnn-cell", "not-a-module", "state-dict", "garbage-file", "dropout",
    "double-rnn-call", "softmax-after-head", "slice-features", "empty-sequential", "linear-first",
]


def _rnn_spec(seed: int):
    r = random.Random(seed)
    return dict(
        kind=r.choice(["lstm", "gru"]),
        n_in=r.choice([3, 4, 5, 8]),
        hidden=r.choice([4, 6, 8]),
        layers=r.choice([1, 1, 2]),
        bidirectional=r.random() < 0.25,
        proj=r.choice([0, 0, 2, 4]),
        bias=r.random() < 0.85,
        classes=r.choice([2, 3]),
    )


def make_torch_model(seed: int, variant: str, exportable: bool = False):
    """A module of the given variant whose weights the importer maps exactly (b = 4).

    `exportable`: no LSTM projection (torch.onnx.export cannot write one).
    """
    import torch
    from torch import nn

    from ernn_ir.frontend.circulant_torch import (
        CirculantGRU,
        CirculantLSTM,
        DenseGRU,
        DenseLSTM,
        SequenceClassifier,
    )

    s = _rnn_spec(seed)
    torch.manual_seed(seed)
    kind, n_in, H = s["kind"], s["n_in"], s["hidden"]
    proj = s["proj"] if kind == "lstm" and s["proj"] < H and not exportable else 0
    batch_first = variant == "batch-first"
    if variant == "circulant":
        rnn = (CirculantLSTM(n_in, 8, 4, proj_size=proj or None, peepholes=s["bias"])
               if kind == "lstm" else CirculantGRU(n_in, 8, 4, reset_after=s["bias"]))
    elif variant == "dense-layer":
        rnn = (DenseLSTM(n_in, H, proj_size=proj or None) if kind == "lstm"
               else DenseGRU(n_in, H))
    elif variant == "rnn-cell":
        rnn = nn.LSTMCell(n_in, H) if kind == "lstm" else nn.RNN(n_in, H)
    else:
        cls = nn.LSTM if kind == "lstm" else nn.GRU
        kw = dict(num_layers=s["layers"], bidirectional=s["bidirectional"], bias=s["bias"],
                  batch_first=batch_first)
        if kind == "lstm" and proj:
            kw["proj_size"] = proj
        rnn = cls(n_in, H, **kw)
    _make_circulant(rnn, 4, seed)
    out_features = _rnn_out(rnn)
    head = nn.Linear(out_features, s["classes"])
    _make_circulant(head, 4, seed + 1, dense=True)
    if variant in ("plain", "circulant", "dense-layer", "rnn-cell", "batch-first"):
        return rnn
    if variant == "sequential":
        return nn.Sequential(rnn)
    if variant == "sequential-head":
        return nn.Sequential(_cls("FirstOutput")(rnn), head)
    if variant == "classifier":
        return SequenceClassifier(rnn, s["classes"]) if not s["bidirectional"] else nn.Sequential(rnn)
    if variant == "not-a-module":
        return {"weights": [1, 2, 3]}
    if variant == "state-dict":
        return rnn.state_dict()
    if variant == "empty-sequential":
        return nn.Sequential()
    if variant == "linear-first":
        return nn.Sequential(nn.Linear(n_in, n_in), rnn)
    return _cls("FuzzNet")(rnn, head, variant)


def _rnn_out(rnn) -> int:
    from torch import nn

    if isinstance(rnn, (nn.LSTM, nn.GRU)):
        dirs = 2 if rnn.bidirectional else 1
        return dirs * (getattr(rnn, "proj_size", 0) or rnn.hidden_size)
    return getattr(rnn, "output_size", None) or getattr(rnn, "hidden_size", 4)


def _circulant_rows(rng, gates: int, rows: int, block: int, col_index, cols_pad: int):
    """A [gates * rows, len(col_index)] matrix that is exactly block-circulant where the
    importer puts it: each gate's rows padded to a multiple of b, its columns at col_index."""
    from ernn_ir.frontend.projection import expand_circulant

    rows_pad = -(-rows // block) * block
    parts = []
    for _ in range(gates):
        params = rng.standard_normal((rows_pad // block, -(-cols_pad // block), block)) * 0.4
        parts.append(expand_circulant(params, rows_pad, cols_pad)[:rows][:, col_index])
    return np.concatenate(parts)


def _feature_index(dirs: int, per_dir: int, padded: bool, block: int):
    """Where the importer puts the real features of a layer's output (padded per direction)."""
    width = -(-per_dir // block) * block if padded else per_dir
    return np.concatenate([d * width + np.arange(per_dir) for d in range(dirs)]), dirs * width


def _make_circulant(mod, block: int, seed: int, dense: bool = False) -> None:
    """Give the weight matrices of `mod` values the importer maps exactly onto block-circulant
    ones (padded hidden units included); biases, peepholes and dense layers random."""
    import torch
    from torch import nn

    from ernn_ir.frontend.circulant_torch import DenseGRU, DenseLSTM

    rng = np.random.default_rng(seed)
    fills = {}
    if isinstance(mod, (nn.LSTM, nn.GRU)):
        gates = 4 if isinstance(mod, nn.LSTM) else 3
        H, P = mod.hidden_size, getattr(mod, "proj_size", 0) or 0
        dirs = 2 if mod.bidirectional else 1
        for k in range(mod.num_layers):
            for sfx in ("", "_reverse")[:dirs]:
                if k == 0:
                    cols = (np.arange(mod.input_size), mod.input_size)
                else:
                    cols = _feature_index(dirs, P or H, not P, block)
                fills[f"weight_ih_l{k}{sfx}"] = (gates, H, cols)
                fills[f"weight_hh_l{k}{sfx}"] = (gates, H, (np.arange(P or H), P or H))
                if P:
                    fills[f"weight_hr_l{k}{sfx}"] = (1, P, (np.arange(H), H))
    elif isinstance(mod, (DenseLSTM, DenseGRU)):
        gates = 4 if isinstance(mod, DenseLSTM) else 3
        H, P = mod.hidden_size, getattr(mod, "proj_size", None) or 0
        fills["w_x"] = (gates, H, (np.arange(mod.input_size), mod.input_size))
        fills["w_h"] = (gates, H, (np.arange(P or H), P or H))
        if P:
            fills["w_proj"] = (1, P, (np.arange(H), H))
    with torch.no_grad():
        for name, p in mod.named_parameters():
            if name in fills and not dense:
                gates, rows, (index, width) = fills[name]
                value = _circulant_rows(rng, gates, rows, block, index, width)
            else:
                value = rng.standard_normal(tuple(p.shape)) * 0.3
            p.copy_(torch.as_tensor(value, dtype=p.dtype))


def _torch_classes():
    import torch
    from torch import nn

    class FirstOutput(nn.Module):
        """Applies an RNN and keeps its output sequence (what nn.Sequential cannot do)."""

        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0]

    class Net(nn.Module):
        """An RNN and a head, joined by the forward of the variant named."""

        def __init__(self, rnn, head, variant):
            super().__init__()
            self.rnn = rnn
            self.head = head
            self.variant = variant
            if variant == "dropout":
                self.drop = nn.Dropout(0.5)  # registered after the head: skipped by the importer
            if variant not in ("custom-last", "double-rnn-call", "dropout"):
                # the others say which steps the head reads; these leave it to the probe
                self.return_sequence = variant not in ("tanh-before-head", "relu-before-head",
                                                       "softmax-after-head", "head-then-tanh",
                                                       "two-heads")

        def forward(self, x):
            v = self.variant
            if v == "reversed-input":
                x = torch.flip(x, dims=[0])
            y, state = self.rnn(x)
            if v == "double-rnn-call":
                y, state = self.rnn(x)
            if v == "final-state":
                return self.head(state[0][-1] if isinstance(state, tuple) else state[-1])
            if v == "custom-all":
                return self.head(y)
            if v == "scale-output":
                return self.head(y) * 2.0
            if v == "offset-output":
                return self.head(y) + 0.5
            if v == "returns-tuple":
                return self.head(y), state
            if v == "slice-features":
                return y[..., : y.shape[-1] // 2]
            last = y[-1]
            if v == "dropout":
                return self.head(self.drop(y)[-1])
            if v == "tanh-before-head":
                return self.head(torch.tanh(last))
            if v == "relu-before-head":
                return self.head(torch.relu(last))
            if v == "head-then-tanh":
                return torch.tanh(self.head(last))
            if v == "softmax-after-head":
                return torch.softmax(self.head(last), dim=-1)
            if v == "two-heads":
                return self.head(last) + self.head(last)
            return self.head(last)  # custom-last

    return FirstOutput, Net


_CLASS_NAMES = ("FirstOutput", "FuzzNet")


def _cls(name: str):
    """The module class `name`, made when torch is first needed, pickled by this module's name."""
    if name not in globals():
        for n, cls in zip(_CLASS_NAMES, _torch_classes()):
            cls.__module__ = __name__
            cls.__qualname__ = cls.__name__ = n
            globals()[n] = cls
    return globals()[name]


def __getattr__(name):
    # torch.load finds the pickled classes here (PEP 562 module attribute).
    if name in _CLASS_NAMES:
        return _cls(name)
    raise AttributeError(name)


def torch_model_bytes(seed: int, variant: str) -> bytes:
    import torch

    if variant == "garbage-file":
        return bytes(random.Random(seed).randrange(256) for _ in range(200))
    obj = make_torch_model(seed, variant)
    f = io.BytesIO()
    torch.save(obj, f)
    return f.getvalue()


def gen_torch(rng: random.Random) -> Case:
    variant = rng.choice(TORCH_VARIANTS)
    seed = rng.randrange(10_000)
    T = rng.choice([1, 3, 5])
    argv = ["m.pt", "--block-size", "4", "--seq-len", str(T), "--batch", str(rng.choice([1, 2])),
            "-o", "out.mlir"]
    if rng.random() < 0.3:
        argv += ["--dtype", "f64"]
    faithful = variant in ("plain", "sequential", "sequential-head", "classifier", "custom-last",
                           "custom-all", "circulant", "dense-layer", "dropout", "double-rnn-call",
                           "returns-tuple")
    refuse = variant in ("tanh-before-head", "relu-before-head", "scale-output", "offset-output",
                         "reversed-input", "final-state", "two-heads", "head-then-tanh",
                         "softmax-after-head", "rnn-cell", "not-a-module", "state-dict",
                         "garbage-file", "slice-features", "empty-sequential", "linear-first")
    if variant in ("custom-last", "classifier", "dropout", "double-rnn-call") and \
            _rnn_spec(seed)["bidirectional"]:
        faithful = False  # the last step of a bidirectional layer cannot be expressed
    expect = "ok" if faithful else "fail" if refuse else "any"
    return Case("torch", "ernn-import", argv,
                {"m.pt": ("torch_model", {"seed": seed, "variant": variant})},
                expect, ["out.mlir"], "import", variant)


# ---------------------------------------------------------------------------
# ONNX models: exported from the torch models, then mutated

ONNX_MUTATIONS = [
    "none", "drop-initializer", "empty-initializer", "reshape-initializer", "retype-initializer",
    "wider-input-weights", "hidden-size-attr", "direction-attr", "activations-attr",
    "drop-attr-type", "truncate-inputs", "blank-input", "unknown-input", "op-type",
    "delete-node", "duplicate-node", "swap-nodes", "drop-output", "extra-input",
    "weights-as-input", "insert-tanh", "garbage", "truncated-file", "constant-value",
    "gemm-attr", "squeeze-axes", "nonzero-initial-state", "raw-data-short",
]


@lru_cache(maxsize=32)
def exported_onnx(seed: int, variant: str) -> bytes:
    import warnings

    import torch

    model = make_torch_model(seed, variant, exportable=True)
    s = _rnn_spec(seed)
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(3, 2, s["n_in"]),), f, dynamo=False)
    return f.getvalue()


def onnx_model_bytes(seed: int, mutation: str, variant: str = "plain", pick: int = 0) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    base = exported_onnx(seed, variant)
    r = random.Random(pick)
    if mutation == "garbage":
        return bytes(r.randrange(256) for _ in range(r.randint(0, 400)))
    if mutation == "truncated-file":
        return base[: r.randrange(len(base))]
    m = onnx.load_from_string(base)
    g = m.graph
    inits = list(g.initializer)
    rnn_nodes = [n for n in g.node if n.op_type in ("LSTM", "GRU")]
    node = r.choice(rnn_nodes) if rnn_nodes else (g.node[0] if g.node else None)
    if mutation == "none":
        pass
    elif mutation == "drop-initializer" and inits:
        g.initializer.remove(r.choice(inits))
    elif mutation == "empty-initializer" and inits:
        t = r.choice(inits)
        t.ClearField("raw_data")
        t.ClearField("float_data")
        del t.dims[:]
        t.dims.extend([0])
    elif mutation == "reshape-initializer" and inits:
        t = r.choice(inits)
        a = numpy_helper.to_array(t)
        new = a.reshape(-1)
        if r.random() < 0.5 and new.size > 1:
            new = new[: new.size - 1]
        t.CopyFrom(numpy_helper.from_array(new, t.name))
    elif mutation == "retype-initializer" and inits:
        t = r.choice(inits)
        a = numpy_helper.to_array(t)
        dt = r.choice([np.int64, np.float16, np.float64, np.bool_, np.int8])
        t.CopyFrom(numpy_helper.from_array(a.astype(dt), t.name))
    elif mutation == "wider-input-weights" and node is not None and len(node.input) > 1:
        for t in inits:
            if t.name == node.input[1]:
                a = numpy_helper.to_array(t)
                extra = r.choice([1, 4, -1])
                shape = list(a.shape)
                shape[-1] = max(1, shape[-1] + extra)
                t.CopyFrom(numpy_helper.from_array(np.zeros(shape, a.dtype), t.name))
    elif mutation == "hidden-size-attr" and node is not None:
        _set_attr(node, "hidden_size", r.choice([0, -1, 1, 3, 1 << 40]))
    elif mutation == "direction-attr" and node is not None:
        _set_attr(node, "direction", r.choice([b"reverse", b"bogus", b"", "é".encode()]))
    elif mutation == "activations-attr" and node is not None:
        _set_attr(node, "activations", r.choice([[b"Relu"], [b""], [b"Sigmoid"] * 9, [b"Tanh", b"Tanh", b"Tanh"]]))
    elif mutation == "drop-attr-type" and node is not None and node.attribute:
        a = r.choice(list(node.attribute))
        v = helper.make_attribute(a.name, r.choice([1.5, "text", [1, 2], [0.5]]))
        node.attribute.remove(a)
        node.attribute.append(v)
    elif mutation == "truncate-inputs" and node is not None:
        del node.input[r.randint(0, max(0, len(node.input) - 1)):]
    elif mutation == "blank-input" and node is not None and node.input:
        node.input[r.randrange(len(node.input))] = ""
    elif mutation == "unknown-input" and node is not None and node.input:
        node.input[r.randrange(len(node.input))] = "no_such_tensor"
    elif mutation == "op-type" and g.node:
        n = r.choice(list(g.node))
        n.op_type = r.choice(["LSTM", "GRU", "RNN", "Tanh", "Gemm", "Squeeze", "Transpose", "Foo"])
    elif mutation == "delete-node" and g.node:
        g.node.remove(r.choice(list(g.node)))
    elif mutation == "duplicate-node" and g.node:
        n = r.choice(list(g.node))
        g.node.insert(list(g.node).index(n), onnx.NodeProto.FromString(n.SerializeToString()))
    elif mutation == "swap-nodes" and len(g.node) > 1:
        i, j = r.sample(range(len(g.node)), 2)
        a, b = onnx.NodeProto(), onnx.NodeProto()
        a.CopyFrom(g.node[i])
        b.CopyFrom(g.node[j])
        g.node[i].CopyFrom(b)
        g.node[j].CopyFrom(a)
    elif mutation == "drop-output" and g.output:
        g.output.remove(g.output[0])
    elif mutation == "extra-input":
        g.input.append(helper.make_tensor_value_info("extra", TensorProto.FLOAT, [1]))
    elif mutation == "weights-as-input" and node is not None and len(node.input) > 1:
        name = node.input[r.choice([1, 2])]
        for t in inits:
            if t.name == name:
                g.initializer.remove(t)
        g.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    elif mutation == "insert-tanh" and node is not None:
        out = node.output[0]
        new = out + "_tanh"
        for n in g.node:
            for k, name in enumerate(n.input):
                if name == out:
                    n.input[k] = new
        for o in g.output:
            if o.name == out:
                o.name = new
        g.node.insert(list(g.node).index(node) + 1, helper.make_node("Tanh", [out], [new]))
    elif mutation == "constant-value":
        consts = [n for n in g.node if n.op_type == "Constant"]
        if consts:
            n = r.choice(consts)
            del n.attribute[:]
            n.attribute.append(helper.make_attribute(
                "value", numpy_helper.from_array(np.array(r.choice([[], [7, 7, 7], [-5]]), np.int64))))
    elif mutation == "gemm-attr":
        for n in g.node:
            if n.op_type == "Gemm":
                _set_attr(n, r.choice(["transB", "transA", "alpha"]), r.choice([0, 1, 2.0]))
    elif mutation == "squeeze-axes":
        for n in g.node:
            if n.op_type == "Squeeze" and len(n.input) > 1:
                for t in inits:
                    if t.name == n.input[1]:
                        t.CopyFrom(numpy_helper.from_array(np.array(r.choice([[0], [2], [1, 1], []]), np.int64), t.name))
    elif mutation == "nonzero-initial-state" and node is not None:
        name = "h0_fuzz"
        g.initializer.append(numpy_helper.from_array(np.ones((1, 1, 1), np.float32), name))
        while len(node.input) < 6:
            node.input.append("")
        node.input[5] = name
    elif mutation == "raw-data-short" and inits:
        t = r.choice(inits)
        a = numpy_helper.to_array(t)
        t.CopyFrom(numpy_helper.from_array(a, t.name))
        if t.raw_data:
            t.raw_data = t.raw_data[: len(t.raw_data) // 2]
    return m.SerializeToString()


def _set_attr(node, name, value) -> None:
    from onnx import helper

    for a in list(node.attribute):
        if a.name == name:
            node.attribute.remove(a)
    node.attribute.append(helper.make_attribute(name, value))


def gen_onnx(rng: random.Random) -> Case:
    mutation = rng.choice(ONNX_MUTATIONS)
    variant = rng.choice(["plain", "plain", "classifier", "custom-all"])
    seed = rng.randrange(24)  # few base models: each export costs a fraction of a second
    argv = ["m.onnx", "--block-size", "4", "--seq-len", "3", "-o", "out.mlir"]
    return Case("onnx", "ernn-import", argv,
                {"m.onnx": ("onnx_model", {"seed": seed, "mutation": mutation, "variant": variant,
                                           "pick": rng.randrange(1 << 20)})},
                "ok" if mutation == "none" else "any", ["out.mlir"], "import", mutation)


# ---------------------------------------------------------------------------
# Recipes, oracles and the families


def materialize(recipe) -> bytes:
    name, kwargs = recipe
    if name == "torch_model":
        return torch_model_bytes(**kwargs)
    if name == "onnx_model":
        return onnx_model_bytes(**kwargs)
    raise ValueError(f"unknown recipe {name}")


def import_check(case: Case, workdir: str) -> str | None:
    """The imported IR verifies, runs, and (for an unmutated model) equals the model's forward."""
    import torch

    from ernn_ir.diagnostics import ErnnError, parse_located, verify_located
    from ernn_ir.lowering.reference import Reference
    from ernn_ir.registry import make_context

    out = os.path.join(workdir, case.argv[case.argv.index("-o") + 1])
    with open(out, encoding="utf-8") as f:
        text = f.read()
    try:
        located = parse_located(make_context(), text, out)
        verify_located(located)
    except ErnnError as e:
        return f"the importer's output does not verify: {e}"
    recipe = case.files[case.argv[0]]
    _, kw = recipe
    if kw.get("mutation", "none") != "none":
        ref = Reference(located.module)
        f = ref.function("main")
        shape = tuple(f.function_type.inputs.data[0].get_shape())
        ref.run([np.zeros(shape)])
        return None
    model = make_torch_model(kw["seed"], kw.get("variant", "plain"),
                             exportable=recipe[0] == "onnx_model").eval()
    ref = Reference(located.module)
    f = ref.function("main")
    shape = tuple(f.function_type.inputs.data[0].get_shape())
    x = np.random.default_rng(0).standard_normal(shape)
    (y,) = ref.run([x]).as_float()
    batch_first = getattr(model, "batch_first", False)
    xt = torch.as_tensor(x, dtype=next(model.parameters()).dtype)
    with torch.no_grad():
        expect = model(xt.transpose(0, 1) if batch_first else xt)
    if isinstance(expect, tuple):
        expect = expect[0]
    expect = expect.double().numpy()
    if batch_first and expect.ndim == 3:
        expect = expect.transpose(1, 0, 2)
    if y.shape != expect.shape:
        real = _drop_padded_units(y, expect.shape, model)
        if real is None:
            return f"the IR's output shape {y.shape} differs from the model's {expect.shape}"
        y = real
    err = float(np.max(np.abs(y - expect))) if y.size else 0.0
    if not err < 1e-3 * max(1.0, float(np.max(np.abs(expect))) if expect.size else 1.0):
        return f"the IR computes something else than the model: max |difference| {err:.3g}"
    return None


def _drop_padded_units(y, shape, model):
    """The IR's sequence output with the padded hidden units removed (H not a multiple of b)."""
    from torch import nn

    rnn = next((m for m in model.modules() if isinstance(m, (nn.LSTM, nn.GRU))), model)
    H = getattr(rnn, "hidden_size", None)
    if H is None or y.shape[:-1] != tuple(shape[:-1]):
        return None
    Hp = -(-H // 4) * 4
    dirs = 2 if getattr(rnn, "bidirectional", False) else 1
    idx = np.concatenate([d * Hp + np.arange(H) for d in range(dirs)])
    if idx.max() >= y.shape[-1] or len(idx) != shape[-1]:
        return None
    return y[..., idx]


def constants_check(case: Case, workdir: str) -> str | None:
    """The printed constant has the bits it was written with, and prints the same again."""
    from fuzz_harness import _oracle_roundtrip

    from ernn_ir.diagnostics import parse_located
    from ernn_ir.registry import make_context

    problem = _oracle_roundtrip(case, workdir, "", "")
    if problem:
        return problem
    with open(os.path.join(workdir, "out.mlir"), encoding="utf-8") as f:
        located = parse_located(make_context(), f.read(), "out.mlir")
    for op in located.module.walk():
        if op.name == "ernn.constant":
            got = op.value.data.data.hex()
            if got != case.expected:
                return f"constant bits changed by printing: wrote {case.expected}, read back {got}"
    return None


GENERATORS = {
    "ir-mutation": gen_ir_mutation,
    "ir-roundtrip": gen_ir_roundtrip,
    "npy": gen_npy,
    "cli": gen_cli,
    "torch": gen_torch,
    "onnx": gen_onnx,
}

#: Share of the cases per family (the rest of a size goes to ir-mutation).
SHARES = {"ir-mutation": 0.40, "ir-roundtrip": 0.12, "npy": 0.12, "cli": 0.18, "torch": 0.10,
          "onnx": 0.08}


def generate(total: int, seed: int = 0) -> list[Case]:
    """`total` cases split over the families by `SHARES`, reproducible from `seed`."""
    cases = []
    counts = {f: int(total * s) for f, s in SHARES.items()}
    counts["ir-mutation"] += total - sum(counts.values())
    for family, n in counts.items():
        for i in range(n):
            rng = random.Random(f"{seed}:{family}:{i}")
            cases.append(GENERATORS[family](rng))
    return cases
