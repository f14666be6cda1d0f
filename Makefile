# ernn-ir: the two entry points of the README.
#   make demo   install, then compile and run the bundled example
#   make test   install everything the tests use, then run the whole suite
PYTHON ?= python3
PIP := $(PYTHON) -m pip

.PHONY: install install-test install-demo demo test unit lit

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

# The demo needs Verilator for its last step (the RTL simulation).
install-demo: install
	@command -v verilator >/dev/null 2>&1 || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq g++ make verilator) >/dev/null; }

# 1. The Google LSTM of the brief through the whole pipeline (op counts, SQNR against float
#    by translation validation), then its hardware plan for a KU060 (cycles, DSP, BRAM, LUT, FF).
# 2. A small LSTMP down to SystemVerilog, simulated in Verilator: bit-exact to the reference,
#    in exactly the cycles the cost model states.
DEMO := /tmp/ernn-demo
demo: install-demo
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	ernn-opt examples/google_lstm_b8.mlir -p 'ernn-pipeline{weight-bits=12 report=true}' --validate -o $(DEMO)/google_q12.mlir
	ernn-opt $(DEMO)/google_q12.mlir -p 'ernn-tile{device=ku060},ernn-hw-report' -o $(DEMO)/google_hw.mlir
	ernn-opt examples/lstm_small.mlir -p 'ernn-pipeline{weight-bits=12},ernn-tile{multipliers=32},ernn-hw-report' \
	  -o $(DEMO)/small_hw.mlir
	ernn-opt $(DEMO)/small_hw.mlir -t verilog -o $(DEMO)/small_rtl
	ernn-run $(DEMO)/small_hw.mlir --random --raw --output $(DEMO)/y_reference.npy
	ernn-run $(DEMO)/small_hw.mlir --random --raw --output $(DEMO)/y_verilator.npy --backend verilator \
	  --workdir $(DEMO)/verilator
	cmp $(DEMO)/y_reference.npy $(DEMO)/y_verilator.npy && echo "RTL simulation == reference, bit for bit"

unit:
	$(PYTHON) -m pytest -q -p no:cacheprovider test/unit

lit:
	lit -sv -j2 test/lit

# ERNN_REQUIRE_ALL: a missing optional dependency or a skipped test fails the run.
test: install-test
	ERNN_REQUIRE_ALL=1 $(PYTHON) -m pytest -q -p no:cacheprovider test/unit
	lit -sv -j2 test/lit
