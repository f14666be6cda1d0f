"""Located, MLIR-style diagnostics for the command-line tools.

xDSL reports verifier failures without a file position; the tools here parse
with `LocatingParser`, which remembers where each op starts, and verify op by
op so that a failure reads `file.mlir:12:5: error: 'ernn.lstm' op ...`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import (
    FileLineColLoc,
    IntAttr,
    ModuleOp,
    StringAttr,
    UnknownLoc,
)
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


class OpDiagnostic(DiagnosticException):
    """A pass's refusal that names the op it is about; the tools print it at the op's position."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op
        self.message = message


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
        self._name = name
        # (position, 1-based line) of the last op start: ops are parsed in
        # order, so counting newlines from there keeps locating linear in
        # the file size (a weight constant can be megabytes on one line).
        self._line_cursor = (0, 1)
        # Locations written in the text (`loc(...)`, `loc(unknown)` included), by id; the
        # objects are kept so that the ids stay unique.  Those are never replaced.
        self._written_locations: dict[int, object] = {}

    def parse_optional_location(self):
        loc = super().parse_optional_location()
        if loc is not None:
            self._written_locations[id(loc)] = loc
        return loc

    def _location_of(self, span: Span) -> FileLineColLoc:
        content = span.input.content
        newline = "\n" if isinstance(content, str) else b"\n"
        pos, line = self._line_cursor
        if span.start < pos:
            pos, line = 0, 1
        line += content.count(newline, pos, span.start)  # type: ignore[arg-type]
        self._line_cursor = (span.start, line)
        col = span.start - span.input.get_start_of_line(span.start) + 1
        return FileLineColLoc(StringAttr(self._name), IntAttr(line + self._line_offset), IntAttr(col))

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
        if isinstance(op.location, UnknownLoc) and id(op.location) not in self._written_locations:
            # The op's source position travels with it: passes copy it to the
            # ops they create from it (ernn_ir.passes.emit.inherit_location).
            # A location the text gives (even `loc(unknown)`) is kept, so that
            # printed IR reads back as it was.
            op.location = self._location_of(span)
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


def error_at_op(located: LocatedModule | None, op: Operation, message: str) -> ErnnError:
    """An error about `op`, at its position in the input when it has one: `file:line:col: error: 'op' op ...`."""
    text = f"'{op.name}' op {message}"
    span = None if located is None else located.locate(op)
    if span is None:
        return ErnnError(f"error: {text}", None, text)
    return ErnnError(format_span(span, text), span.get_location().line, text)


def locate_op_diagnostic(located: LocatedModule | None, e: OpDiagnostic) -> Exception:
    """A pass's diagnostic about an op, at the op's position in the input (as ErnnError)."""
    return error_at_op(located, e.op, e.message)


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


# ---------------------------------------------------------------------------
# Warnings about ops of a transformed module
# ---------------------------------------------------------------------------


def location_text(op: Operation) -> str | None:
    """`file:line:col` of `op` (or of the nearest enclosing op that has one)."""
    o: Operation | None = op
    while o is not None:
        loc = o.location
        if isinstance(loc, FileLineColLoc):
            return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}"
        o = o.parent_op()
    return None


def op_description(op: Operation) -> str:
    """`'ernn.pwl' op %i` (the result's name when it has one)."""
    names = [r.name_hint for r in op.results if r.name_hint]
    return f"'{op.name}' op" + (f" %{names[0]}" if names else "")


class PassError(ErnnError, DiagnosticException):
    """A pass's error about an op, located at it; still a DiagnosticException for API callers."""


def op_error(op: Operation, msg: str) -> PassError:
    """A pass's error about `op`, located like a verifier error: `file:line:col: error: ...`."""
    where = location_text(op)
    text = f"error: {msg}" if where is None else f"{where}: error: {msg}"
    loc = op.location
    line = loc.line.data if isinstance(loc, FileLineColLoc) else None
    return PassError(text, line, msg)


def format_warning(op: Operation, msg: str) -> str:
    """An MLIR-style warning about `op`: `file:line:col: warning: 'op' op %name: msg`."""
    where = location_text(op)
    text = f"warning: {op_description(op)}: {msg}"
    return text if where is None else f"{where}: {text}"


def overflow_warnings(events, when: str) -> list[str]:
    """One warning per op with overflow (saturation or wrap) events, in the order given.

    `events` is a list of (op, count); `when` says on which inputs they occurred.
    """
    out = []
    for op, n in events:
        if not n:
            continue
        plural = "s" if n != 1 else ""
        out.append(format_warning(op, f"{n} overflow event{plural} {when} (values outside the "
                                      "result format, saturated or wrapped)"))
    return out
