"""`ernn-opt`: xdsl-opt with the ernn dialect, passes and targets, and located diagnostics.

Every xdsl-opt flag keeps its meaning.  Differences, all in the user's
favour: errors name the file, line and column of the offending op and exit
with status 1 without a traceback, and `-o FILE` is written only when the
whole run succeeded.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Sequence
from io import BytesIO, StringIO
from typing import IO

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException
from xdsl.xdsl_opt_main import xDSLOptMain

from ernn_ir.diagnostics import (
    ErnnError,
    OpDiagnostic,
    format_parse_error,
    locate_op_diagnostic,
    parse_located,
    verify_located,
)
from ernn_ir.registry import all_dialects, all_passes, all_targets
from ernn_ir.tools.common import write_atomically
from ernn_ir.tools.expected_diagnostics import check, parse_expectations


class ErnnOptMain(xDSLOptMain):
    version_format = "ernn-opt (ernn-ir) built on xdsl {xdsl_version}"

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, factory in all_dialects().items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in all_passes().items():
            self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        for name, factory in all_targets().items():
            self.available_targets.setdefault(name, factory)

    def register_all_arguments(self, arg_parser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--validate",
            action="store_true",
            help="translation validation: run the reference on seeded random inputs "
            "before and after every pass and print the largest output difference "
            "per pass (to stderr)",
        )
        arg_parser.add_argument(
            "--validate-seed", type=int, default=0, help="seed of the --validate inputs"
        )
        arg_parser.add_argument(
            "--validate-f64",
            action="store_true",
            help="like --validate, on a float64 copy of the module (f32 widened exactly), "
            "so float passes can be checked to 1e-9; the output keeps the input's types",
        )

    def apply_passes(self, prog: ModuleOp) -> None:
        if not (self.args.validate or self.args.validate_f64):
            return super().apply_passes(prog)
        from ernn_ir.validation import validate_pipeline

        if self.args.validate_f64:
            from ernn_ir.promote import promote_to_f64

            copy = promote_to_f64(prog.clone())
            report = validate_pipeline(
                copy, self.pipeline.passes, self.ctx, seed=self.args.validate_seed
            )
            print("translation validation in float64", file=sys.stderr)
            print(report.table(), file=sys.stderr)
            for w in report.warnings(self.args.validate_seed):
                print(w, file=sys.stderr)
            return super().apply_passes(prog)
        report = validate_pipeline(
            prog, self.pipeline.passes, self.ctx, seed=self.args.validate_seed
        )
        print(report.table(), file=sys.stderr)
        for w in report.warnings(self.args.validate_seed):
            print(w, file=sys.stderr)

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        if not self.args.split_input_file:
            return super().prepare_input()
        # Split only on lines that are the marker, as mlir-opt does (xDSL also
        # splits inside a comment that happens to contain it).
        f, ext = self.get_input_stream()
        data = f.read()
        f.close()
        chunks: list[tuple[IO[bytes], int]] = []
        offset = 0
        for piece in re.split(rb"(?m)^[ \t]*// -----[ \t]*\r?$", data):
            chunks.append((BytesIO(piece), offset))
            offset += piece.count(b"\n")
        if self.args.frontend:
            ext = self.args.frontend
        if ext not in self.available_frontends:
            raise ValueError(f"Unrecognized file extension '{ext}'")
        return chunks, ext

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        # Like mlir-opt, read any file name as MLIR unless a frontend claims its extension.
        f, ext = super().get_input_stream()
        return f, ext if ext in self.available_frontends else "mlir"

    def parse_chunk(self, chunk: IO[bytes], file_extension: str, start_offset: int = 0) -> ModuleOp | None:
        if file_extension != "mlir":
            return super().parse_chunk(chunk, file_extension, start_offset)
        located = parse_located(self.ctx, chunk.read(), self.get_input_name(), start_offset)
        self.located = located  # passes' diagnostics about an op are printed at its position
        if not self.args.disable_verify:
            verify_located(located)
        return located.module

    def directory_target(self):
        """The `-t` target when it writes a directory of files (`ernn_ir.lowering.directory_target`), else None."""
        from xdsl.utils.arg_spec import parse_spec

        from ernn_ir.lowering.directory_target import DirectoryTarget

        spec = parse_spec(self.args.target)
        factory = self.available_targets.get(spec.name)
        if factory is None or inspect.signature(factory).parameters:
            return None
        cls = factory()
        if not (isinstance(cls, type) and issubclass(cls, DirectoryTarget)):
            return None
        try:
            return cls.from_spec(spec)
        except ValueError as e:
            raise DiagnosticException(f"-t {self.args.target}: {e}") from None

    def run(self) -> None:
        chunks, file_extension = self.prepare_input()
        output = StringIO()
        failed = False
        try:
            directory = self.directory_target()
        except DiagnosticException as e:
            print(f"error: {e}", file=sys.stderr)
            raise SystemExit(1) from None
        if directory is not None and self.args.output_file is not None and len(chunks) > 1:
            print(f"error: -t {directory.name} -o DIR writes one project; --split-input-file gives {len(chunks)} "
                  "modules", file=sys.stderr)
            raise SystemExit(1)
        wrote_directory = False
        for i, (chunk, offset) in enumerate(chunks):
            data = chunk.read()
            chunk.close()
            expectations = []
            if self.args.verify_diagnostics and b"expected-error" in data:
                expectations = parse_expectations(data.decode("utf-8", "replace"), offset)
            if i > 0:
                output.write("// -----\n")
            diagnostic = None
            try:
                module = self.parse_chunk(BytesIO(data), file_extension, offset)
                if module is not None:
                    self.apply_passes(module)
                    if not expectations and directory is not None and self.args.output_file is not None:
                        # all files or none: built in a temporary directory, renamed into place
                        directory.write_directory(self.ctx, module, self.args.output_file)
                        wrote_directory = True
                    elif not expectations and directory is not None:
                        text_out = StringIO()
                        directory.emit(self.ctx, module, text_out)
                        output.write(text_out.getvalue())
                    elif not expectations:
                        output.write(self.output_resulting_program(module))
            except (ErnnError, ParseError, VerifyException, DiagnosticException) as e:
                diagnostic = e
            if isinstance(diagnostic, OpDiagnostic):
                diagnostic = locate_op_diagnostic(getattr(self, "located", None), diagnostic)
            if expectations:
                problems = check(
                    self.get_input_name(),
                    expectations,
                    None if diagnostic is None else _line_and_message(diagnostic),
                )
                for p in problems:
                    print(p, file=sys.stderr)
                failed = failed or bool(problems)
            elif diagnostic is not None:
                msg = _message(diagnostic)
                if self.args.verify_diagnostics or (
                    self.args.parsing_diagnostics and isinstance(diagnostic, ParseError)
                ):
                    output.write(msg + "\n")
                else:
                    print(msg, file=sys.stderr)
                    failed = True
                    break
        text = output.getvalue()
        if failed:
            if self.args.verify_diagnostics:
                # The diagnostics of chunks without expectations still go out.
                sys.stdout.write(text)
            raise SystemExit(1)
        if self.args.output_file is None:
            sys.stdout.write(text)
        elif not wrote_directory:
            write_atomically(self.args.output_file, text)


def _line_and_message(e: Exception) -> tuple[int | None, str]:
    if isinstance(e, ErnnError):
        return e.line, e.message
    if isinstance(e, ParseError):
        return e.span.get_location().line, e.msg
    return None, str(e)


def _message(e: Exception) -> str:
    if isinstance(e, ParseError):
        return format_parse_error(e)
    if isinstance(e, ErnnError):
        return str(e)
    return f"error: {e}"


def main(argv: Sequence[str] | None = None) -> None:
    try:
        ErnnOptMain(description="ernn-ir modular optimizer driver", args=argv).run()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except ErnnError as e:
        print(e, file=sys.stderr)
        raise SystemExit(1) from None
    except DiagnosticException as e:
        # a pass option that makes no sense, found when the pipeline is parsed
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(1) from None
    except (ValueError, OSError) as e:
        print(f"ernn-opt: error: {e}", file=sys.stderr)
        raise SystemExit(1) from None
    except Exception as e:  # a pass failure or an internal error: no traceback for users
        if os.environ.get("ERNN_DEBUG"):
            raise
        print(f"ernn-opt: error: {type(e).__name__}: {e}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
