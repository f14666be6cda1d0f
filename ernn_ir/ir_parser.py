"""The project's parser front: xDSL's parser with a linear-time lexer and exact dense constants.

Three things of xDSL 0.74's parser do not hold for arbitrary input, and the
tools read arbitrary input:

- String literals are matched with a regex whose nested repetition
  backtracks exponentially when the closing quote is missing (a 165-byte
  file ending inside ``dense<"0x...`` takes minutes).  `ErnnLexer` scans
  strings in one pass.
- In a ``dense<...>`` of float elements a hexadecimal integer literal is, in
  MLIR, the element's bit pattern (``dense<0x7F800000> : tensor<f32>`` is
  +inf); xDSL reads it as the integer's value, and its own printer writes
  such literals for floats that need 9 digits, so printing changed values.
  `ErnnParser` reads them as bits.
- A splat ``dense<1.0> : tensor<67108864xf32>`` was expanded into a Python
  list of 2^26 floats (5 GB).  `ErnnParser` builds the bytes directly, after
  checking the size against the memory budget (`ernn_ir.limits`).

Input bytes that are not UTF-8 are reported at their line and column.
"""

from __future__ import annotations

import re
import struct

from xdsl.context import Context
from xdsl.dialects.builtin import (
    AnyFloat,
    BytesAttr,
    ComplexType,
    DenseIntOrFPElementsAttr,
    IndexType,
    IntegerType,
    Signedness,
)
from xdsl.parser import Parser
from xdsl.parser.generic_parser import ParserState
from xdsl.utils.exceptions import ParseError
from xdsl.utils.lexer import Input, Span
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRTokenKind, StringLiteral, Token

from ernn_ir.limits import SizeLimitError, check_bytes, element_count

#: Longest decimal integer literal read (Python refuses to convert longer ones).
MAX_DECIMAL_DIGITS = 4000


class ErnnLexer(MLIRLexer):
    """MLIR lexer whose string literals and numbers are lexed in time linear in their length."""

    _plain_run = re.compile(r'[^"\\\n\v\f]*')
    _escape = re.compile(r'\\(?:["nt\\]|[0-9A-Fa-f]{2})')

    def _lex_string_literal(self, start_pos: int) -> Token:
        content = self.input.content
        pos = start_pos + 1
        while True:
            pos = self._plain_run.match(content, pos).end()  # type: ignore[union-attr]
            if pos >= len(content):
                raise ParseError(
                    Span(start_pos, min(start_pos + 1, len(content)), self.input),
                    "string literal is not closed before the end of the file",
                )
            ch = content[pos]
            if ch == '"':
                pos += 1
                break
            if ch != "\\":
                raise ParseError(
                    Span(start_pos, start_pos + 1, self.input),
                    "string literal is not closed before the end of its line",
                )
            m = self._escape.match(content, pos)
            if m is None:
                raise ParseError(
                    Span(pos, min(pos + 2, len(content)), self.input),
                    "invalid escape in string literal (use \\n, \\t, \\\\, \\\" or two hex digits)",
                )
            pos = m.end()
        self.pos = pos
        lit = StringLiteral(start_pos, pos, self.input)
        if "\\" not in lit.text or lit.bytes_contents.isascii():
            return Token(MLIRTokenKind.STRING_LIT, lit)
        return Token(MLIRTokenKind.BYTES_LIT, lit)

    def lex(self) -> Token:
        try:
            return super().lex()
        except ParseError as e:
            if e.msg.startswith("Unexpected character: "):
                # show control characters (a NUL, an escape) as what they are
                ch = e.msg[len("Unexpected character: "):]
                raise ParseError(e.span, f"unexpected character {ch!r}") from None
            raise

    def _lex_number(self, start_pos: int) -> Token:
        token = super()._lex_number(start_pos)
        text = token.span.text
        if not text.startswith(("0x", "0X")) and len(text) > MAX_DECIMAL_DIGITS:
            raise ParseError(
                Span(start_pos, start_pos + 1, self.input),
                f"number literal of {len(text)} characters is too long",
            )
        return token


def decode_utf8(data: bytes, name: str) -> str:
    """`data` as text; invalid UTF-8 raises a ParseError at the offending byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        good = data[: e.start].decode("utf-8")
        text = good + data[e.start :].decode("utf-8", "replace")
        at = len(good)
        raise ParseError(
            Span(at, at + 1, Input(text, name)),
            f"invalid UTF-8 byte 0x{data[e.start]:02x} (IR files are UTF-8 text)",
        ) from None


class ErnnParser(Parser):
    """xDSL's MLIR parser with `ErnnLexer` and exact, budgeted dense constants."""

    def __init__(self, ctx: Context, input: str | bytes, name: str = "<unknown>"):
        text = decode_utf8(input, name) if isinstance(input, bytes) else input
        # xDSL's constructor lexes the first token with its own lexer: give it
        # an empty input, then start over on the real one with ours.
        super().__init__(ctx, "", name)
        self._parser_state = ParserState(ErnnLexer(Input(text, name)))
        self._forward_use: dict[str, Span] = {}  # name -> where its forward reference was made

    def resolve_operand(self, operand, type):
        name = operand.operand_name
        if name not in self.ssa_values and name not in self.forward_ssa_references:
            self._forward_use[name] = operand.span
        return super().resolve_operand(operand, type)

    def parse_module(self, allow_implicit_module: bool = True):
        try:
            return super().parse_module(allow_implicit_module)
        except ParseError as e:
            # xDSL reports values never defined at the end of the file; point at the use.
            if e.msg.startswith("values used but not defined") and self.forward_ssa_references:
                name = next(iter(self.forward_ssa_references))
                span = self._forward_use.get(name)
                if span is not None:
                    raise ParseError(span, f"use of undefined value %{name} (no definition in this "
                                     "region or an enclosing one; a function sees only its own "
                                     "values)") from None
            raise

    def parse_dense_int_or_fp_elements_attr(self, type) -> DenseIntOrFPElementsAttr:
        self.parse_punctuation("<", " in dense attribute")
        contents: str | tuple[list, list[int]] | None = None
        if self.parse_optional_punctuation(">") is None:
            hex_string = self.parse_optional_str_literal()
            contents = hex_string if hex_string is not None else self._parse_tensor_literal()
            self.parse_punctuation(">", " in dense attribute")
        type_start = self.pos
        if type is None:
            self.parse_punctuation(":", " in dense attribute")
            type_start = self.pos
            type = self._parse_dense_literal_type()
        text = self.lexer.input.content
        type_end = type_start + len(text[type_start : self.pos].rstrip())
        type_span = Span(type_start, max(type_end, type_start + 1), self.lexer.input)
        elem = type.element_type
        _check_storable(self, elem, type_span)
        shape = list(type.get_shape())
        n = element_count(shape)
        size = elem.compile_time_size
        try:
            check_bytes(n * size, f"dense<...> : {_type_text(type)} ({n} elements)")
        except SizeLimitError as e:
            raise ParseError(type_span, str(e)) from None
        if contents is None:
            if n != 0:
                self.raise_error(f"dense<> is empty but its type holds {n} elements", type_span)
            return DenseIntOrFPElementsAttr(type, BytesAttr(b""))
        if isinstance(contents, str):
            if not contents.startswith(("0x", "0X")):
                self.raise_error("a dense hex string must start with 0x", type_span)
            try:
                data = bytes.fromhex(contents[2:])
            except ValueError:
                self.raise_error("the dense hex string holds characters that are not hex digits", type_span)
            if len(data) == size and n != 1:
                data *= n  # a splat given in hex
            if len(data) != n * size:
                self.raise_error(
                    f"the dense hex string holds {len(data)} bytes; {_type_text(type)} needs "
                    f"{n * size} ({n} elements of {size} byte{'s' if size != 1 else ''})",
                    type_span,
                )
            return DenseIntOrFPElementsAttr(type, BytesAttr(data))
        elements, literal_shape = contents
        if literal_shape and literal_shape != shape:
            self.raise_error(
                f"the dense literal has shape {literal_shape}, its type {_type_text(type)} has {shape}",
                type_span,
            )
        encoded = b"".join(self._encode_element(e, elem) for e in elements)
        if not literal_shape:  # splat: one element repeated
            encoded *= n
        return DenseIntOrFPElementsAttr(type, BytesAttr(encoded))

    def _encode_element(self, e, elem) -> bytes:
        """The storage bytes of one literal element (little-endian, as xDSL keeps them)."""
        value = e.value
        if isinstance(elem, AnyFloat):
            if isinstance(value, tuple):
                self.raise_error("a complex value cannot initialize a float element", e.span)
            text = e.span.text.lstrip("-").lstrip()
            if isinstance(value, int) and not isinstance(value, bool) and text[:2] in ("0x", "0X"):
                return self._float_bits(e, int(text, 16), elem)
            try:
                v = float(value)
            except OverflowError:
                self.raise_error(f"{e.span.text} is out of the range of {_type_text(elem)}", e.span)
            return self._pack_float(e, v, elem)
        if isinstance(elem, ComplexType):
            if not isinstance(value, tuple):
                self.raise_error("a complex element needs a (real, imaginary) pair", e.span)
            return elem.pack([e.to_complex(self, elem)])
        if isinstance(elem, IntegerType):
            v = e.to_int(self, elem.signedness.data != Signedness.UNSIGNED, elem.width.data == 1)
            w = elem.width.data
            lo = 0 if elem.signedness.data == Signedness.UNSIGNED else -(1 << (w - 1))
            hi = (1 << (w - 1)) - 1 if elem.signedness.data == Signedness.SIGNED else (1 << w) - 1
            if not lo <= v <= hi:
                self.raise_error(f"integer {v} does not fit {_type_text(elem)} (range {lo} to {hi})",
                                 e.span)
            return elem.pack([elem.get_normalized_value(v)])
        if isinstance(elem, IndexType):
            v = e.to_int(self, allow_negative=True, allow_booleans=False)
            if not -(1 << 63) <= v < (1 << 63):
                self.raise_error(f"index {v} does not fit 64 bits", e.span)
            return elem.pack([v])
        self.raise_error(f"dense elements of type {_type_text(elem)} are not supported", e.span)

    def _float_bits(self, e, bits: int, elem) -> bytes:
        size = elem.compile_time_size
        width = elem.bitwidth
        if e.is_negative:
            self.raise_error("a hexadecimal float literal is a bit pattern and cannot be negative", e.span)
        if width != 8 * size:
            self.raise_error(f"hexadecimal float literals are not supported for {_type_text(elem)}",
                             e.span)
        if bits >> width:
            self.raise_error(f"hexadecimal float literal {e.span.text} has more than the {width} bits "
                             f"of {_type_text(elem)}", e.span)
        return bits.to_bytes(size, "little")

    def _pack_float(self, e, v: float, elem) -> bytes:
        try:
            return elem.pack([v])
        except (OverflowError, struct.error):
            self.raise_error(f"{e.span.text} is out of the range of {_type_text(elem)} (write an "
                             "infinity as its bits in hex, e.g. 0x7F800000 for f32)", e.span)


def _check_storable(parser: ErnnParser, elem, span: Span) -> None:
    """xDSL stores dense elements of these widths only; anything else cannot be held."""
    if isinstance(elem, ComplexType):
        return _check_storable(parser, elem.element_type, span)
    if isinstance(elem, IntegerType) and elem.width.data not in (1, 8, 16, 32, 64):
        parser.raise_error(f"dense elements of {_type_text(elem)} are not supported "
                           "(integer widths 1, 8, 16, 32 and 64 are)", span)
    if isinstance(elem, AnyFloat):
        try:
            elem.compile_time_size  # noqa: B018 - raises for float types without storage
        except NotImplementedError:
            parser.raise_error(f"dense elements of {_type_text(elem)} are not supported", span)


def _type_text(t) -> str:
    from ernn_ir.dialects.ernn.types import describe

    return describe(t)
