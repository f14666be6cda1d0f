"""`ernn-opt`: xdsl-opt with the ernn dialect, passes and targets, and located diagnostics.

Every xdsl-opt flag keeps its meaning.  Differences, all in the user's
favour: errors name the file, line and column of the offending op and exit
with status 1 without a traceback, and `-o FILE` is written only when the
whole run succeeded.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Sequence
from io import BytesIO, StringIO
from typing import IO

from xdsl.dialects.builtin import ModuleOp
from xdsl.universe import Universe
from xdsl.utils.arg_spec import parse_spec
from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
    VerifyException,
)
from xdsl.xdsl_opt_main import xDSLOptMain

from ernn_ir.diagnostics import (
    ErnnError,
    OpDiagnostic,
    format_parse_error,
    locate_op_diagnostic,
    parse_located,
    verify_located,
)
from ernn_ir.outputs import staged_outputs, text_writer, write_files_atomically
from ernn_ir.registry import all_dialects, all_passes, ernn_opt_targets
from ernn_ir.tools.common import run_tool
from ernn_ir.tools.expected_diagnostics import check, parse_expectations
from ernn_ir.tools.options import seed


@functools.cache
def _multiverse() -> Universe:
    # xDSL scans every installed distribution's entry points on each call (three
    # calls per xDSLOptMain, about 50 ms each); once per process is enough.
    return Universe.get_multiverse()


class ErnnOptMain(xDSLOptMain):
    version_format = "ernn-opt (ernn-ir) built on xdsl {xdsl_version}"

    def register_all_dialects(self) -> None:
        for name, factory in _multiverse().all_dialects.items():
            self.ctx.register_dialect(name, factory)
        for name, factory in all_dialects().items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        for name, factory in _multiverse().all_passes.items():
            self.register_pass(name, factory)
        for name, factory in all_passes().items():
            self.register_pass(name, factory)

    def register_all_targets(self) -> None:
        # xdsl-opt's targets for other dialects (riscv-asm, llvm, ...) cannot
        # work on ernn IR: offer only those that do (registry.ernn_opt_targets)
        # and name the others in the diagnostic when one is asked for.
        self.other_dialect_targets = set(_multiverse().all_targets) | set(self.available_targets)
        self.available_targets = dict(ernn_opt_targets())
        self.other_dialect_targets -= set(self.available_targets)

    def register_all_arguments(self, arg_parser) -> None:
        super().register_all_arguments(arg_parser)
        for action in arg_parser._actions:
            if "--target" in action.option_strings:
                action.type = self._target_argument
        arg_parser.add_argument(
            "--validate",
            action="store_true",
            help="translation validation: run the reference on seeded random inputs "
            "before and after every pass and print the largest output difference "
            "per pass (to stderr)",
        )
        arg_parser.add_argument(
            "--validate-seed", type=seed, default=0, help="seed of the --validate inputs (0 to 2^63-1)"
        )
        arg_parser.add_argument(
            "--validate-f64",
            action="store_true",
            help="like --validate, on a float64 copy of the module (f32 widened exactly), "
            "so float passes can be checked to 1e-9; the output keeps the input's types",
        )

    def _target_argument(self, value: str) -> str:
        """Check `-t` while arguments are parsed: a malformed or inapplicable target is a usage error."""
        import argparse

        choices = ", ".join(self.available_targets)
        try:
            name = parse_spec(value).name
        except ArgSpecParseError as e:
            raise argparse.ArgumentTypeError(
                f"malformed target '{value}' (targets: {choices}): {_spec_error(e)}") from None
        if name in self.available_targets:
            factory = self.available_targets[name]
            if not inspect.signature(factory).parameters:  # a Target class: check its options
                try:
                    factory().from_spec(parse_spec(value))
                except (ValueError, TypeError, DiagnosticException) as e:
                    raise argparse.ArgumentTypeError(f"target '{value}': {e}") from None
            return value
        if name in self.other_dialect_targets:
            raise argparse.ArgumentTypeError(
                f"'{name}' is an xdsl-opt target for other dialects and does not apply to ernn IR "
                f"(targets: {choices})")
        raise argparse.ArgumentTypeError(f"unknown target '{value}' (targets: {choices})")

    def setup_pipeline(self) -> None:
        try:
            super().setup_pipeline()
        except ArgSpecParseError as e:
            # xDSL's error derives from BaseException; report it as the usage error it is.
            raise ErnnError(f"ernn-opt: error: malformed pass pipeline: {_spec_error(e)}") from None

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
        """The `-t` target when it writes a directory of files (`ernn_ir.lowering.directory_target`), else None.

        Its options were checked when the arguments were parsed (`_target_argument`).
        """
        from ernn_ir.lowering.directory_target import DirectoryTarget

        spec = parse_spec(self.args.target)
        factory = self.available_targets.get(spec.name)
        if factory is None or inspect.signature(factory).parameters:
            return None
        cls = factory()
        if not (isinstance(cls, type) and issubclass(cls, DirectoryTarget)):
            return None
        return cls.from_spec(spec)

    def run(self) -> None:
        with staged_outputs() as side_files:
            self._run(side_files)

    def _run(self, side_files: list[tuple[str, str]]) -> None:
        try:
            chunks, file_extension = self.prepare_input()
        except (ValueError, OSError) as e:  # unreadable input, unknown frontend
            raise ErnnError(f"ernn-opt: error: {e}") from None
        output = StringIO()
        failed = False
        directory = self.directory_target()
        if directory is not None and self.args.output_file is not None and len(chunks) > 1:
            raise ErnnError(f"error: -t {directory.name} -o DIR writes one project; --split-input-file gives "
                            f"{len(chunks)} modules")
        project: dict[str, str] | None = None  # the files of a DirectoryTarget with -o DIR
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
                        # written with the side files once the run has succeeded
                        project = directory.files(self.ctx, module)
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
        # Pass side files (ernn-op-count{output=...}) and -o (a file, or the directory
        # of a DirectoryTarget) are written together, and only now that every chunk
        # has succeeded.
        files = [(path, text_writer(t)) for path, t in side_files]
        directories = []
        if project is not None:
            directories.append((self.args.output_file, project, directory.marker))
        elif self.args.output_file is not None and directory is None:
            files.append((self.args.output_file, text_writer(text)))
        write_files_atomically(files, directories)
        if self.args.output_file is None:
            sys.stdout.write(text)


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


def _spec_error(e: ArgSpecParseError) -> str:
    """xDSL's multi-line pipeline/target syntax error as 'column N: message' plus the marked text."""
    text = str(e)
    m = re.search(r"pass-pipeline:(\d+):(\d+)\n(.*)\n( *\^+)\n\s*(.*)", text)
    if m is None:
        return text.replace("Error parsing pass pipeline specification:", "").strip()
    return f"column {m.group(2)}: {m.group(5).strip()}\n  {m.group(3)}\n  {m.group(4)}"


def _run(argv: Sequence[str] | None) -> None:
    try:
        tool = ErnnOptMain(description="ernn-ir modular optimizer driver", args=argv)
    except DiagnosticException as e:
        # a pass option that makes no sense (CheckedPass), found when the pipeline is parsed
        raise ErnnError(f"error: {e}") from None
    except (ValueError, OSError) as e:
        # xDSL's usage errors while it sets up: unknown passes, pass option types
        raise ErnnError(f"ernn-opt: error: {e}") from None
    tool.run()


def main(argv: Sequence[str] | None = None) -> None:
    from xdsl.ir import Attribute

    # --disable-verify replaces Attribute.__post_init__ for the whole process; undo
    # that when main() returns, so that a caller (a test, a fuzzer) keeps verifying.
    post_init = Attribute.__post_init__
    try:
        run_tool("ernn-opt", lambda: _run(argv))
    finally:
        Attribute.__post_init__ = post_init


if __name__ == "__main__":
    main()
