"""C++ identifiers for the generated project: sanitised IR names, unique within one design."""

from __future__ import annotations

import re

from ernn_ir.numerics import FixedFormat

CPP_KEYWORDS = frozenset(
    ["alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char", "char16_t", "char32_t", "class", "compl", "const", "constexpr", "const_cast", "continue", "decltype", "default", "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "main", "int8_t", "int16_t", "int32_t", "int64_t", "uint64_t", "ernn", "hls", "std"]
)
"""C++ keywords and the library names the generated code uses."""

LOCAL_NAMES = frozenset(
    ["step", "seq", "elem", "lane", "blk", "bin", "pos", "grp", "chunk", "col", "idx", "span", "half_span", "group_start", "twiddle", "bank", "word", "lo_re", "lo_im", "hi_re", "hi_im", "t_re", "t_im", "w_re", "w_im", "a_re", "a_im", "spec", "re", "im", "raw", "xc", "k1", "k2", "k3", "wr", "wi", "xr", "xi", "block_in", "spectrum", "samples", "acc", "elem0", "step_index", "sample", "pos2", "xs", "word", "w_first", "w_last", "x_first", "x_last", "row"]
)
"""Names of the generated code's loop variables and locals (IR names never take them)."""


def identifier(name: str, fallback: str = "v") -> str:
    """`name` as a C++ identifier: other characters become `_`; no leading digit or underscore (reserved names).

    `NameTable.fresh` also keeps it clear of keywords and of names already used.
    """
    s = re.sub(r"[^0-9A-Za-z_]", "_", name or "") or fallback
    if s[0].isdigit():
        s = f"v{s}"
    if s.startswith("_"):
        s = "v" + s.lstrip("_")
    return s


class NameTable:
    """Hands out identifiers, each at most once (a clash gets `_1`, `_2`, ...)."""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self.taken: set[str] = set(CPP_KEYWORDS) | set(LOCAL_NAMES) | (reserved or set())

    def fresh(self, name: str, fallback: str = "v") -> str:
        base = identifier(name, fallback)
        out, k = base, 1
        while out in self.taken:
            out, k = f"{base}_{k}", k + 1
        self.taken.add(out)
        return out


def fx_type(fmt: FixedFormat) -> str:
    """Name of the storage type of `!ernn.fixed<W, F>`: `fx_W_F` (`fx_W_mF` for a negative F)."""
    f = f"m{-fmt.frac}" if fmt.frac < 0 else str(fmt.frac)
    return f"fx_{fmt.width}_{f}"


MODE_SUFFIX = {("half_up", "saturate"): "rnd_sat", ("half_up", "wrap"): "rnd_wrap",
               ("convergent", "saturate"): "conv_sat", ("convergent", "wrap"): "conv_wrap"}


def quantizer_type(fmt: FixedFormat, rounding: str, overflow: str) -> str:
    """Name of the ap_fixed type that rounds and overflows into `fmt` on assignment."""
    return f"{fx_type(fmt)}_{MODE_SUFFIX[(rounding, overflow)]}"


def int_type(width: int) -> str:
    """The smallest C integer type holding a signed `width`-bit raw value."""
    for w in (8, 16, 32, 64):
        if width <= w:
            return f"int{w}_t"
    raise ValueError(width)
