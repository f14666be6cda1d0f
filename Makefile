# ernn-ir: the two entry points of the README.
#   make demo   install, then compile and run the bundled example
#   make test   install everything the tests use, then run the whole suite
PYTHON ?= python3
PIP := $(PYTHON) -m pip

.PHONY: install install-test demo test unit lit

install:
	$(PIP) install -q -e .

# Debian tools the tests use: mlir-opt parses our generic output; g++ and make build the
# HLS backend's C simulation (its ap_fixed headers come from the hls4ml wheel in .[test]);
# Verilator 5.006, Icarus 11 and yosys 0.23 simulate and synthesise the Verilog backend's
# designs (.[hardware] adds CIRCT's Python bindings and nextpnr-ecp5 from PyPI).
# torch 2.13.0 is the CPU wheel this machine image provides.
install-test:
	@command -v mlir-opt >/dev/null 2>&1 || test -x /usr/lib/llvm-22/bin/mlir-opt || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mlir-22-tools) >/dev/null; }
	@{ command -v g++ && command -v make && command -v verilator && command -v iverilog && command -v yosys; } \
	  >/dev/null 2>&1 || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  g++ make verilator iverilog yosys) >/dev/null; }
	$(PIP) install -q -e '.[test,explore,hardware]' torch==2.13.0 onnx scikit-learn

# The Google LSTM of the brief through the whole pipeline (op counts, SQNR
# against float by translation validation), then the bit-exact reference.
demo: install
	ernn-opt examples/google_lstm_b8.mlir -p 'ernn-pipeline{weight-bits=12 report=true}' --validate -o /tmp/ernn-demo-q12.mlir
	ernn-run /tmp/ernn-demo-q12.mlir --random

unit:
	$(PYTHON) -m pytest -q -p no:cacheprovider test/unit

lit:
	lit -sv -j2 test/lit

# ERNN_REQUIRE_ALL: a missing optional dependency or a skipped test fails the run.
test: install-test
	ERNN_REQUIRE_ALL=1 $(PYTHON) -m pytest -q -p no:cacheprovider test/unit
	lit -sv -j2 test/lit
