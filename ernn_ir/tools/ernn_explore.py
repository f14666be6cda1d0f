"""ernn-explore: E-RNN's Phase I (model) and Phase II (hardware) design-space exploration in one command.

    ernn-explore study.toml [-o DIR] [--workers N] [--storage URL]    run or resume, then write DIR
    ernn-explore init study.toml --storage URL                        create the study only
    ernn-explore worker --storage URL [--study NAME] [--artifacts D]  join a study (any machine)
    ernn-explore report --storage URL [--study NAME] -o DIR           report a finished study

The study lives in its storage (default: the journal file DIR.state/journal.log;
`sqlite:///x.db` for SQLite), so Ctrl-C or a crash loses nothing: run the
same command again to resume.  docs/explore.md describes the config file.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from ernn_ir.tools.common import run_tool

PROG = "ernn-explore"
COMMANDS = ("run", "init", "worker", "report")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run or resume a study to the end and write its report")
    r.add_argument("config")
    r.add_argument("-o", "--output", help="report directory (default: <config stem>-explore next to the config)")
    r.add_argument("--storage", help="Optuna storage: a journal file path or sqlite:///file.db")
    r.add_argument("--artifacts", help="directory of trained models (default: DIR.state/artifacts)")
    r.add_argument("--workers", type=int, default=1, help="worker processes on this machine (default 1)")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    i = sub.add_parser("init", help="create (or check) the study in a storage, for workers to join")
    i.add_argument("config")
    i.add_argument("--storage", required=True)
    w = sub.add_parser("worker", help="join a study and run its trials until it is finished")
    w.add_argument("--storage", required=True)
    w.add_argument("--study", help="study name (needed when the storage holds several)")
    w.add_argument("--artifacts", help="directory of trained models shared by the workers "
                                       "(default: artifacts next to the storage file)")
    w.add_argument("--quiet", action="store_true")
    rp = sub.add_parser("report", help="write the report of a finished study")
    rp.add_argument("--storage", required=True)
    rp.add_argument("--study")
    rp.add_argument("--artifacts")
    rp.add_argument("-o", "--output", required=True)
    return p


def _default_artifacts(storage: str) -> str:
    if "://" in storage:
        if storage.startswith("sqlite:///"):
            return os.path.join(os.path.dirname(os.path.abspath(storage[len("sqlite:///"):])), "artifacts")
        return os.path.abspath("artifacts")
    return os.path.join(os.path.dirname(os.path.abspath(storage)), "artifacts")


def _interrupt_on_signals() -> None:
    """SIGINT and SIGTERM stop the running trial (marked interrupted); signals during that clean-up are ignored,
    so a second Ctrl-C (or the parent forwarding the first) cannot leave a trial half-told."""
    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "run")  # `ernn-explore study.toml` is `ernn-explore run study.toml`
    args = build_parser().parse_args(argv)
    status = {"code": 0}

    def body() -> None:
        from ernn_ir.explore.config import ConfigError
        from ernn_ir.explore.study import StudyError

        _interrupt_on_signals()
        try:
            status["code"] = _dispatch(args)
        except (ConfigError, StudyError) as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            raise SystemExit(1) from None
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted; the finished trials are kept: run the same command again to resume",
                  file=sys.stderr)
            raise SystemExit(130) from None

    run_tool(PROG, body)
    return status["code"]


def _dispatch(args) -> int:
    from ernn_ir.explore.api import explore, work
    from ernn_ir.explore.config import load_config
    from ernn_ir.explore.report import collect, summary_lines, write_report
    from ernn_ir.explore.study import Study, StudyError, open_storage

    if args.command == "run":
        cfg = load_config(args.config)
        out = args.output or os.path.join(cfg.base_dir, f"{cfg.name}-explore")
        res = explore(cfg, out, storage=args.storage, workers=args.workers, artifacts=args.artifacts,
                      progress=not args.quiet)
        for line in summary_lines(res):
            print(line)
        print(f"report: {out}")
        return 1 if res.errors else 0
    if args.command == "init":
        cfg = load_config(args.config)
        st = Study.create_or_resume(open_storage(args.storage), cfg, _default_artifacts(args.storage)).reconcile()
        print(f"study '{cfg.name}' in {args.storage}: {st.phase1_total} Phase I candidates; start workers with "
              f"`{PROG} worker --storage {args.storage}`")
        return 0
    storage = open_storage(args.storage)
    art = args.artifacts or _default_artifacts(args.storage)
    study = Study.join(storage, args.study, art)
    if args.command == "worker":
        from ernn_ir.explore.api import Progress

        bars = Progress(not args.quiet)
        try:
            st = work(study, bars)
        finally:
            bars.close()
        if not args.quiet:
            print(f"study '{study.cfg.name}' finished: {st.phase1_done} Phase I and {st.phase2_done} Phase II "
                  "trials", file=sys.stderr)
        return 0
    st = study.reconcile()
    if not st.finished:
        raise StudyError(f"the study '{study.cfg.name}' is not finished ({st.phase1_done + st.phase1_pruned} of "
                         f"{st.phase1_total} Phase I, {st.phase2_done} of {st.phase2_total} Phase II trials done); "
                         "start workers to finish it")
    res = collect(study)
    write_report(res, args.output)
    for line in summary_lines(res):
        print(line)
    return 1 if res.errors else 0


if __name__ == "__main__":
    sys.exit(main())
