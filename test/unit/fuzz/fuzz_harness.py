"""Runs the ernn command-line tools on generated cases and classifies every outcome.

A case is a tool, its argv and the files it reads, created in a fresh
directory.  Cases run in-process in forked worker processes (the tools'
`main(argv)` functions, so start-up costs once per worker, not per case); the
parent gives each case a wall-clock limit and replaces a worker that passes
it, so a hang is seen as a hang even inside a C regex loop.  Exit status,
stdout and stderr are what the console script would produce: an exception
that escapes `main` is what a user would see as a traceback.

Outcomes (the goal is that only the first two ever occur):

- ``ok``: exit 0 where success is allowed, and the case's oracle agrees
- ``diagnostic``: non-zero exit with one clear diagnostic (``error:``)
- ``traceback``: an exception escaped the tool, or a traceback was printed
- ``hang``: the time limit passed
- ``raw-exception``: the message shows a Python exception class instead of a rule
- ``wrong-exit``: exit 0 for an input that must be refused, exit non-zero
  without a diagnostic, or an ``error:`` with exit 0
- ``partial-file``: a run that failed left an output (or a temporary) file
- ``wrong-result``: exit 0, but the oracle found the result wrong (a printed
  module that does not read back as itself, an import that does not compute
  what the model computes)
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.connection
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

OUTCOMES = (
    "ok",
    "diagnostic",
    "traceback",
    "hang",
    "raw-exception",
    "wrong-exit",
    "partial-file",
    "wrong-result",
)
GOOD_OUTCOMES = frozenset({"ok", "diagnostic"})

#: A Python exception class named in a message: what a diagnostic must not show.
_RAW_EXCEPTION = re.compile(
    r"\b(?:[A-Z][A-Za-z0-9]*(?:Error|Exception|Exit|Interrupt)|BadZipFile|StopIteration)\b"
    r"|\bTraceback \(most recent call last\)"
    r"|\bobject has no attribute\b|\bunsupported operand type|\binternal error\b"
)
#: Name prefix of the tools' temporary output files (ernn_ir.outputs.TEMP_PREFIX; spelled
#: out so that the harness also measures versions of the tools without that module).
TEMP_PREFIX = ".ernn-"
#: Words that look like exception names but are part of the tools' own vocabulary.
_ALLOWED_WORDS = ("ErnnError",)


@dataclass
class Case:
    """One run of one tool.

    `files` maps a relative name to its bytes or to a recipe ``(name, kwargs)``
    that `fuzz_generators.materialize` turns into bytes inside the worker (so
    that torch never runs in the parent before it forks).  `expect` is
    ``"fail"`` when a correct tool must refuse the input, ``"ok"`` when it must
    accept it, ``"any"`` otherwise.  `outputs` are the files the tool may write;
    after a failed run none of them may exist.  `oracle` names a check in
    `ORACLES` run on a successful run.
    """

    family: str
    tool: str
    argv: list[str]
    files: dict[str, object] = field(default_factory=dict)
    expect: str = "any"
    outputs: list[str] = field(default_factory=list)
    oracle: str | None = None
    note: str = ""
    expected: str | None = None  # what the oracle compares against (e.g. constant bits, hex)

    def describe(self) -> str:
        names = ", ".join(f"{k} ({len(v) if isinstance(v, bytes) else 'recipe ' + v[0]})"
                          for k, v in self.files.items())
        return (f"[{self.family}] {self.tool} {' '.join(map(repr, self.argv))}"
                + (f"  files: {names}" if names else "") + (f"  ({self.note})" if self.note else ""))


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    escaped: str | None  # traceback text of an exception that left main()
    seconds: float
    leftovers: list[str]  # files in the work directory after the run, minus the inputs
    oracle_problem: str | None = None


def _tool_main(tool: str):
    if tool == "ernn-opt":
        from ernn_ir.tools.ernn_opt import main
    elif tool == "ernn-run":
        from ernn_ir.tools.ernn_run import main
    elif tool == "ernn-model":
        from ernn_ir.tools.ernn_model import main
    elif tool == "ernn-import":
        from ernn_ir.tools.ernn_import import main
    elif tool == "ernn-train":
        from ernn_ir.tools.ernn_train import main
    else:
        raise ValueError(f"unknown tool {tool}")
    return main


def run_tool_in_process(tool: str, argv: list[str]) -> tuple[int, str, str, str | None]:
    """(exit status, stdout, stderr, escaped traceback) of `tool argv`, as its console script."""
    out, err = io.StringIO(), io.StringIO()
    escaped = None
    code = 0
    main = _tool_main(tool)
    argv0 = sys.argv
    sys.argv = [tool, *argv]  # argparse names the program after argv[0], as the script does
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
            code = 0 if rc is None else int(rc)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if not isinstance(e.code, int) and e.code is not None:
                err.write(str(e.code) + "\n")
        except BaseException:  # noqa: BLE001 - this is what a user sees as a traceback
            escaped = traceback.format_exc()
            code = 1
        finally:
            sys.argv = argv0
    return code, out.getvalue(), err.getvalue(), escaped


def _reset_global_state(saved) -> None:
    """Undo what a tool run may change for the whole process."""
    from xdsl.ir import Attribute

    Attribute.__post_init__ = saved["post_init"]  # xdsl-opt's --disable-verify patches it
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def execute(case: Case, workdir: str) -> Result:
    """Run `case` in `workdir` (created files, cwd) and return what happened."""
    from fuzz_generators import materialize

    for name, content in case.files.items():
        data = content if isinstance(content, bytes) else materialize(content)
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    before = set(os.listdir(workdir))
    old = os.getcwd()
    os.chdir(workdir)
    t0 = time.perf_counter()
    try:
        code, out, err, escaped = run_tool_in_process(case.tool, case.argv)
        seconds = time.perf_counter() - t0
        problem = None
        if code == 0 and escaped is None and case.oracle is not None:
            try:
                problem = ORACLES[case.oracle](case, workdir, out, err)
            except BaseException:  # noqa: BLE001 - the oracle's own failure is a finding
                problem = "oracle raised:\n" + traceback.format_exc()
    finally:
        os.chdir(old)
    after = set(os.listdir(workdir))
    leftovers = sorted((after - before) | {n for n in after if n.startswith(TEMP_PREFIX)})
    return Result(code, out, err, escaped, seconds, leftovers, problem)


def classify(case: Case, r: Result) -> tuple[str, str]:
    """(outcome, detail) of a finished run."""
    text = r.stdout + r.stderr
    if r.escaped is not None or "Traceback (most recent call last)" in text:
        return "traceback", r.escaped or r.stderr[-2000:]
    if r.exit_code != 0:
        partial = [n for n in r.leftovers if n in case.outputs or n.startswith(TEMP_PREFIX)]
        if partial:
            return "partial-file", f"left {partial} after exit {r.exit_code}: {r.stderr[-500:]}"
        stripped = r.stderr
        for w in _ALLOWED_WORDS:
            stripped = stripped.replace(w, "")
        m = _RAW_EXCEPTION.search(stripped)
        if m:
            return "raw-exception", r.stderr[-1500:]
        if "error:" not in r.stderr and "error" not in r.stderr.lower():
            return "wrong-exit", f"exit {r.exit_code} without a diagnostic: {r.stderr[-500:]!r}"
        if case.expect == "ok":
            return "wrong-exit", f"refused an input it must accept: {r.stderr[-800:]}"
        return "diagnostic", r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    if case.expect == "fail":
        return "wrong-exit", f"exit 0 for an input that must be refused: {r.stderr[-500:]}"
    if re.search(r"(?m)^\S*:? ?error:|: error:", r.stderr):
        return "wrong-exit", f"an error message with exit 0: {r.stderr[-500:]}"
    if r.oracle_problem:
        return "wrong-result", r.oracle_problem
    return "ok", ""


# ---------------------------------------------------------------------------
# Oracles: what a successful run must satisfy


def _printing_flags(argv: list[str]) -> list[str]:
    keep = ("--print-op-generic", "--print-debuginfo", "--print-no-properties",
            "--split-input-file", "--allow-unregistered-dialect")
    return [a for a in argv if a in keep]


def _oracle_roundtrip(case: Case, workdir: str, out: str, err: str) -> str | None:
    """print(parse(print(x))) == print(x): the printed module reads back as itself."""
    if "-o" not in case.argv:
        return None
    printed_path = os.path.join(workdir, case.argv[case.argv.index("-o") + 1])
    if "-t" in case.argv or not os.path.exists(printed_path):
        return None
    with open(printed_path, encoding="utf-8") as f:
        first = f.read()
    flags = _printing_flags(case.argv)
    code, second, err2, escaped = run_tool_in_process("ernn-opt", [printed_path, *flags])
    if escaped or code != 0:
        return f"the printed module does not read back (exit {code}): {(escaped or err2)[-1500:]}"
    if second != first:
        return "print(parse(print(x))) != print(x):\n" + _first_difference(first, second)
    return None


def _first_difference(a: str, b: str) -> str:
    al, bl = a.splitlines(), b.splitlines()
    for n, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"line {n + 1}:\n- {x[:300]}\n+ {y[:300]}"
    return f"lengths differ: {len(al)} vs {len(bl)} lines"


def _oracle_import_runs(case: Case, workdir: str, out: str, err: str) -> str | None:
    """An importer's output verifies, and the reference computes what the model computes."""
    from fuzz_generators import import_check

    return import_check(case, workdir)


def _oracle_constants(case: Case, workdir: str, out: str, err: str) -> str | None:
    from fuzz_generators import constants_check

    return constants_check(case, workdir)


ORACLES = {
    "roundtrip": _oracle_roundtrip,
    "import": _oracle_import_runs,
    "constants": _oracle_constants,
}


# ---------------------------------------------------------------------------
# Worker processes


def _worker(conn, timeout_hint: float) -> None:
    import resource

    from xdsl.ir import Attribute

    # A safety net only: the tools refuse sizes beyond their memory budget
    # before allocating; this keeps a missed case from taking the machine.
    os.environ.setdefault("ERNN_MEMORY_LIMIT", str(2 << 30))
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = 6 << 30
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    saved = {"post_init": Attribute.__post_init__}
    torch = sys.modules.get("torch")  # preloaded by the forkserver; not imported here
    if torch is not None:
        torch.set_num_threads(1)
    while True:
        try:
            case = conn.recv()
        except EOFError:
            return
        if case is None:
            return
        workdir = tempfile.mkdtemp(prefix="ernn-fuzz-")
        try:
            r = execute(case, workdir)
            outcome = classify(case, r)
            conn.send((outcome, r.seconds))
        except BaseException:  # noqa: BLE001 - report a harness failure, keep the worker
            conn.send((("traceback", "harness: " + traceback.format_exc()), 0.0))
        finally:
            _reset_global_state(saved)
            shutil.rmtree(workdir, ignore_errors=True)


#: Modules a worker imports before its first case (the forkserver imports them once).
PRELOAD = ["fuzz_harness", "fuzz_generators", "numpy", "torch", "onnx", "ernn_ir.tools.ernn_opt",
           "ernn_ir.tools.ernn_run", "ernn_ir.tools.ernn_model", "ernn_ir.tools.ernn_import",
           "ernn_ir.tools.ernn_train", "ernn_ir.frontend.onnx_import", "ernn_ir.frontend.torch_import",
           "ernn_ir.lowering.reference"]


class Runner:
    """A small pool of worker processes with a per-case wall-clock limit.

    Workers come from a forkserver by default: a fresh process that imported
    `PRELOAD` and never ran torch, so that forking is safe (OpenMP thread
    pools do not survive a fork) and each worker starts in milliseconds.
    """

    def __init__(self, workers: int = 2, timeout: float = 20.0, start_method: str = "forkserver"):
        self.ctx = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self.ctx.set_forkserver_preload(PRELOAD)
        self.timeout = timeout
        self.n = workers

    def _spawn(self):
        parent, child = self.ctx.Pipe()
        p = self.ctx.Process(target=_worker, args=(child, self.timeout), daemon=True)
        p.start()
        child.close()
        return p, parent

    def run(self, cases: list[Case], progress=None) -> list[tuple[Case, str, str, float]]:
        """Each case with (outcome, detail, seconds), in the order given.

        `progress(done, total)` is called after every finished case.
        """
        results: list = [None] * len(cases)
        workers = [self._spawn() for _ in range(min(self.n, max(1, len(cases))))]
        busy: dict[int, tuple[int, float]] = {}  # worker slot -> (case index, start time)
        pending = list(range(len(cases)))[::-1]
        try:
            while pending or busy:
                for slot, (p, conn) in enumerate(workers):
                    if slot not in busy and pending:
                        i = pending.pop()
                        conn.send(cases[i])
                        busy[slot] = (i, time.monotonic())
                ready = multiprocessing.connection.wait(
                    [workers[s][1] for s in busy], timeout=0.2)
                now = time.monotonic()
                for slot in list(busy):
                    p, conn = workers[slot]
                    i, started = busy[slot]
                    if conn in ready:
                        try:
                            (outcome, detail), seconds = conn.recv()
                        except (EOFError, OSError):
                            outcome, detail, seconds = "traceback", "the worker process died", now - started
                            workers[slot] = self._replace(p)
                        results[i] = (cases[i], outcome, detail, seconds)
                        del busy[slot]
                        if progress is not None:
                            progress(sum(r is not None for r in results), len(cases))
                    elif now - started > self.timeout:
                        results[i] = (cases[i], "hang", f"no answer within {self.timeout:.0f} s", now - started)
                        workers[slot] = self._replace(p)
                        del busy[slot]
                    elif not p.is_alive():
                        results[i] = (cases[i], "traceback", f"the worker died (exit {p.exitcode})", now - started)
                        workers[slot] = self._replace(p)
                        del busy[slot]
        finally:
            for p, conn in workers:
                with contextlib.suppress(OSError):
                    conn.send(None)
            for p, _ in workers:
                p.join(timeout=5)
                if p.is_alive():
                    p.kill()
        return results

    def _replace(self, p):
        if p.is_alive():
            p.kill()
        p.join(timeout=5)
        return self._spawn()


def table(results) -> str:
    """Counts per family and outcome, as a Markdown table."""
    families = sorted({c.family for c, *_ in results})
    counts = Counter((c.family, o) for c, o, *_ in results)
    head = "| family | cases | " + " | ".join(OUTCOMES) + " |"
    rule = "| --- | ---: | " + " | ".join("---:" for _ in OUTCOMES) + " |"
    lines = [head, rule]
    for fam in families + ["all"]:
        row = [counts[(fam, o)] if fam != "all" else sum(counts[(f, o)] for f in families)
               for o in OUTCOMES]
        lines.append(f"| {fam} | {sum(row)} | " + " | ".join(str(x) for x in row) + " |")
    return "\n".join(lines)


def failures(results, limit: int = 20) -> str:
    bad = [(c, o, d) for c, o, d, _ in results if o not in GOOD_OUTCOMES]
    parts = []
    for c, o, d in bad[:limit]:
        parts.append(f"{o}: {c.describe()}\n    {d.strip()[:1500]}")
    return "\n".join(parts)
