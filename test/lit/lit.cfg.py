# lit configuration of the ernn-ir FileCheck suite.  Run: lit -v test/lit
import os
import shutil
import sys

import lit.formats

config.name = "ernn-ir"
# lit >= 23 refuses ShTest(True) (the external shell) unless forced, and only
# its internal shell provides the builtin `not` the tests rely on, so RUN lines
# run in lit's internal shell (pipefail on, `not`, redirections, && and ||).
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")
config.excludes = ["Output", "lit.cfg.py", "Inputs"]

# The tools are console scripts of the installed (editable) package; keep the
# caller's PATH so that they, filecheck and python resolve as in the shell.
path = os.environ.get("PATH", "")
# Prefer the console scripts installed next to the Python running lit: they
# skip version-manager shims (pyenv's cost ~0.1 s per process, and the suite
# starts a few hundred processes).
bindir = os.path.dirname(sys.executable)
if os.path.isfile(os.path.join(bindir, "ernn-opt")):
    path = bindir + os.pathsep + path
config.environment["PATH"] = path
for var in ("HOME", "PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV", "PYTHONPATH", "TMPDIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
# Tracebacks must never reach users; make sure a debug switch in the caller's
# environment does not turn error paths into tracebacks in the tests.
config.environment.pop("ERNN_DEBUG", None)

config.substitutions.append(("%python", sys.executable))

# lit runs its `diff` and `cat` builtins as `python .../builtin_commands/diff.py`
# and, to do so, sets PYTHONPATH to lit's own directory in the test's shell
# environment, for every later RUN line of the same test (lit 23,
# TestRunner._executeShCmd).  The tools would then import the installed
# ernn_ir instead of the one the caller's PYTHONPATH names, and every RUN
# line after a `diff` would silently test other code.  Under `env` the
# builtin gets a copy of the environment.
for builtin in ("diff", "cat"):
    config.substitutions.append((rf"(?<![\w./%-])(?<!env ){builtin}(?=\s)", f"env {builtin}"))


def find_mlir_opt():
    found = shutil.which("mlir-opt", path=path)
    if found:
        return found
    for d in ("/usr/lib/llvm-22/bin", "/usr/lib/llvm-19/bin"):
        cand = os.path.join(d, "mlir-opt")
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


mlir_opt = find_mlir_opt()
if mlir_opt is None:
    # Never skip silently: every test that uses %mlir-opt fails with this message.
    lit_config.warning("mlir-opt not found; tests that use %mlir-opt will fail")
    mlir_opt = (
        "sh -c 'echo \"mlir-opt not found: apt-get install mlir-22-tools\" >&2; exit 1' --"
    )
config.substitutions.append(("%mlir-opt", mlir_opt))

for tool in ("ernn-opt", "ernn-run", "ernn-model", "filecheck", "xdsl-opt"):
    if shutil.which(tool, path=path) is None:
        lit_config.warning(f"{tool} not found on PATH; run 'pip install -e .'")
