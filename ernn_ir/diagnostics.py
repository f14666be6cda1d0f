"""Located, MLIR-style diagnostics for the command-line tools.

xDSL reports verifier failures without a file position; the tools here parse
with `LocatingParser`, which remembers where each op starts, and verify op by
op so that a failure reads `file.mlir:12:5: error: 'ernn.lstm' op ...`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException
from xdsl.utils.lexer import Span

from ernn_ir.ir_parser import ErnnParser


class ErnnError(Exception):
    """A user-facing error: the tools print it and exit with status 1.

    `line` (1-based, in the user's file) and `message` (the text without the
    location and source excerpt) serve `--verify-diagnostics` expectations.
    """

    def __init__(self, text: str, line: int | None = None, message: str | None = None):
        super().__init__(text)
        self.line = line
        self.message = text if message is None else message


def format_span(span: Span, msg: str, severity: str = "error") -> str:
    loc = span.get_location()
    content = span.input.content
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    start = span.input.get_start_of_line(span.start)
    end = span.input.get_end_of_line(span.start)
    line = content[start:end].rstrip("\r")
    col = span.start - start
    width = max(1, min(span.end, end) - span.start)
    return (
        f"{loc}: {severity}: {msg}\n"
        f"{line}\n{' ' * col}{'^' * width}"
    )


def format_parse_error(e: ParseError) -> str:
    return format_span(e.span, e.msg)


class LocatingParser(ErnnParser):
    """The project's parser (`ErnnParser`), recording the source span where each op starts."""

    def __init__(self, ctx: Context, input: str | bytes, name: str = "<unknown>", line_offset: int = 0):
        super().__init__(ctx, input, name)
        self.op_spans: dict[int, Span] = {}
        self._ops: list[Operation] = []
        self._line_offset = line_offset

    def _parse_dialect_type_or_attribute_body(self, attr_name, is_type, is_opaque, starting_opaque_pos):
        # Parameter verifiers run while parsing: report their failure at the
        # type or attribute, like any other parse error.
        start = self._current_token.span.start
        try:
            return super()._parse_dialect_type_or_attribute_body(
                attr_name, is_type, is_opaque, starting_opaque_pos
            )
        except VerifyException as e:
            end = max(self._current_token.span.start, start + 1)
            raise ParseError(Span(start, end, self._current_token.span.input), str(e)) from None

    def parse_operation(self) -> Operation:
        span = self._current_token.span
        try:
            op = super().parse_operation()
        except VerifyException as e:
            # A property that fails its constraint while the custom format is read.
            raise ParseError(span, str(e)) from None
        except ParseError as e:
            # xDSL points past the name of an unknown op (possibly on the next
            # line); point at the op itself, as MLIR does.
            if (
                e.msg.startswith("Operation ")
                and e.msg.endswith(" is not registered")
                and not getattr(e, "ernn_located", False)
            ):
                located = ParseError(span, e.msg)
                located.ernn_located = True  # type: ignore[attr-defined]
                raise located from None
            raise
        if self._line_offset:
            from dataclasses import replace

            span = replace(span, line_offset=self._line_offset)
        self.op_spans[id(op)] = span
        self._ops.append(op)  # keeps ids unique while the map lives
        return op


@dataclass
class LocatedModule:
    module: ModuleOp
    spans: dict[int, Span]

    def locate(self, op: Operation) -> Span | None:
        while op is not None:
            if id(op) in self.spans:
                return self.spans[id(op)]
            op = op.parent_op()  # type: ignore[assignment]
        return None


def verify_located(located: LocatedModule) -> None:
    """Verify op by op (defs before uses, outer before inner).

    Raises ErnnError naming the first op that breaks a rule, at its position.
    Dominance (every operand defined before its use) is checked first, at the
    use: xDSL's verifier does not check it and the reference needs it.
    """
    from ernn_ir.dialects.ernn.dominance import check_op

    found = check_op(located.module)
    if found is not None:
        op, _, msg = found
        span = located.locate(op)
        raise ErnnError(
            _op_message(located, op, msg),
            None if span is None else span.get_location().line,
            f"'{op.name}' op {msg}",
        )
    for op in located.module.walk():
        try:
            op.verify_()
        except VerifyException as e:
            span = located.locate(op)
            raise ErnnError(
                _op_message(located, op, str(e)),
                None if span is None else span.get_location().line,
                f"'{op.name}' op {e}",
            ) from None
    try:
        located.module.verify()
    except (VerifyException, DiagnosticException) as e:
        raise ErnnError(f"error: {e}") from None


def _op_message(located: LocatedModule, op: Operation, msg: str) -> str:
    span = located.locate(op)
    text = f"'{op.name}' op {msg}"
    if span is None:
        return f"error: {text}"
    return format_span(span, text)


def _only_comments(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return all(not line.strip() or line.lstrip().startswith("//") for line in text.splitlines())


def parse_located(ctx: Context, text: str | bytes, name: str, line_offset: int = 0) -> LocatedModule:
    """Parse a module; any problem with the input raises ErnnError at its file, line and column."""
    parser = None
    try:
        parser = LocatingParser(ctx, text, name, line_offset)
        if _only_comments(text):
            # An empty input (or a split chunk holding only comments) is an empty module.
            return LocatedModule(ModuleOp([]), {})
        module = parser.parse_module()
    except ParseError as e:
        if line_offset:
            from dataclasses import replace

            e.span = replace(e.span, line_offset=line_offset)
        raise ErnnError(format_parse_error(e), e.span.get_location().line, e.msg) from None
    except RecursionError:
        # The parser is recursive: `((((...` deeper than Python's stack is refused here.
        raise _error_at_token(parser, name, line_offset, "the input nests too deeply") from None
    except (VerifyException, DiagnosticException) as e:
        raise _error_at_token(parser, name, line_offset, str(e)) from None
    except Exception as e:  # a parser bug: still a located message, not a traceback
        raise _error_at_token(
            parser, name, line_offset,
            f"internal error in the parser (please report): {type(e).__name__}: {e}",
        ) from None
    return LocatedModule(module, parser.op_spans)


def _error_at_token(parser, name: str, line_offset: int, msg: str) -> ErnnError:
    from dataclasses import replace

    if parser is None:
        return ErnnError(f"{name}: error: {msg}", None, msg)
    span = parser._current_token.span
    if line_offset:
        span = replace(span, line_offset=line_offset)
    return ErnnError(format_span(span, msg), span.get_location().line, msg)
