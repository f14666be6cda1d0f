// Passes out of order, or on IR they do not expect: each case leaves the IR
// unchanged (and valid), or stops with a diagnostic that says what to run
// first (exit 1, no traceback).  test/unit/passes/test_pass_order.py runs
// every ordered pair of passes through the reference.
//
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 -o %t.model.mlir
// RUN: ernn-opt %t.model.mlir -o %t.model.printed.mlir
// RUN: ernn-opt %t.model.mlir -p ernn-expand-cells -o %t.gate.mlir
// RUN: ernn-opt %t.model.mlir -p ernn-expand-cells,ernn-circulant-to-fft -o %t.naive.mlir
//
// ernn-fft-fusion on model-level IR: unchanged.
// RUN: ernn-opt %t.model.mlir -p ernn-fft-fusion -o %t.1.mlir
// RUN: diff %t.model.printed.mlir %t.1.mlir
// ... and on gate-level IR: unchanged.
// RUN: ernn-opt %t.gate.mlir -p ernn-fft-fusion -o %t.2.mlir
// RUN: diff %t.gate.mlir %t.2.mlir
//
// ernn-circulant-to-fft before ernn-expand-cells: nothing to lower at model
// level (the matvecs appear only once the cells are expanded), unchanged,
// and the usual order still works afterwards.
// RUN: ernn-opt %t.model.mlir -p ernn-circulant-to-fft -o %t.3.mlir
// RUN: diff %t.model.printed.mlir %t.3.mlir
// RUN: ernn-opt %t.model.mlir -p ernn-circulant-to-fft,ernn-expand-cells,ernn-circulant-to-fft -o %t.4.mlir
// RUN: diff %t.naive.mlir %t.4.mlir
//
// ernn-weight-sharing before ernn-circulant-to-fft (model and gate level):
// no spectra to share, unchanged.
// RUN: ernn-opt %t.model.mlir -p ernn-weight-sharing -o %t.5.mlir
// RUN: diff %t.model.printed.mlir %t.5.mlir
// RUN: ernn-opt %t.gate.mlir -p ernn-weight-sharing -o %t.6.mlir
// RUN: diff %t.gate.mlir %t.6.mlir
//
// ernn-quantize before ernn-expand-cells: refused.
// RUN: not ernn-opt %t.model.mlir -p ernn-quantize 2>&1 | filecheck %s --check-prefix=QMODEL
// QMODEL:     error: ernn-quantize: 'ernn.lstm' is model-level IR; run ernn-expand-cells first
// QMODEL-NOT: Traceback
//
// ernn-circulant-to-fft after ernn-quantize: refused.
// RUN: not ernn-opt %t.gate.mlir -p ernn-quantize,ernn-circulant-to-fft 2>&1 | filecheck %s --check-prefix=C2F
// C2F:     error: ernn-circulant-to-fft: 'ernn.circ_matvec' on !ernn.fixed<{{.*}}> is fixed point; lower to the FFT before quantizing
// C2F-NOT: Traceback
// ... and so is the pipeline on quantized gate-level IR (its FFT stage refuses).
// RUN: not ernn-opt %t.gate.mlir -p ernn-quantize,ernn-pipeline 2>&1 | filecheck %s --check-prefix=C2F
//
// ernn-fft-fusion after ernn-quantize on the naive FFT form: the fixed-point
// chain cannot be fused any more; refused rather than silently left alone.
// RUN: rm -f %t.7.mlir
// RUN: not ernn-opt %t.naive.mlir -p ernn-quantize,ernn-fft-fusion -o %t.7.mlir 2>&1 | filecheck %s --check-prefix=FUSEQ
// FUSEQ:     error: ernn-fft-fusion: the FFT form is already fixed point ('ernn.cmul' on !ernn.fixed<{{[0-9]+}}, {{-?[0-9]+}}>); run ernn-fft-fusion before ernn-quantize
// FUSEQ-NOT: Traceback
// RUN: test ! -e %t.7.mlir
// The same for the additions that accumulation would have fused.
// RUN: not ernn-opt %t.naive.mlir -p 'ernn-fft-fusion{accumulate=false},ernn-quantize,ernn-fft-fusion' 2>&1 | filecheck %s --check-prefix=ACCQ
// ACCQ:     error: ernn-fft-fusion: the FFT form is already fixed point ('ernn.add' on !ernn.fixed<{{[0-9]+}}, {{-?[0-9]+}}>); run ernn-fft-fusion before ernn-quantize
// ... while the fused form, quantized, is left as it is (nothing to fuse).
// RUN: ernn-opt %t.naive.mlir -p ernn-fft-fusion,ernn-quantize -o %t.8.mlir
// RUN: ernn-opt %t.8.mlir -p ernn-fft-fusion -o %t.9.mlir
// RUN: diff %t.8.mlir %t.9.mlir
//
// ernn-approximate-activations twice: the second finds no sigmoid/tanh and
// changes nothing (and reports no table).
// RUN: ernn-opt %t.gate.mlir -p ernn-approximate-activations -o %t.10.mlir 2>/dev/null
// RUN: ernn-opt %t.10.mlir -p ernn-approximate-activations -o %t.11.mlir 2>%t.11.err
// RUN: diff %t.10.mlir %t.11.mlir
// RUN: not test -s %t.11.err
//
// ernn-pipeline twice: the second run is a no-op (ernn-quantize notes that
// the module is already fixed point).
// RUN: ernn-opt %t.model.mlir -p ernn-pipeline -o %t.12.mlir 2>/dev/null
// RUN: ernn-opt %t.12.mlir -p ernn-pipeline -o %t.13.mlir 2>&1 | filecheck %s --check-prefix=TWICE
// RUN: diff %t.12.mlir %t.13.mlir
// TWICE-NOT: error
// TWICE-NOT: ernn-approximate-activations: worst-case error
// TWICE:     ernn-quantize: the module is already fixed point; nothing to do
// ... and so is the pipeline in one ernn-opt run, twice.
// RUN: ernn-opt %t.model.mlir -p ernn-pipeline,ernn-pipeline -o %t.14.mlir 2>/dev/null
// RUN: diff %t.12.mlir %t.14.mlir
//
// Every other stage on the pipeline's output is a no-op as well (no cell,
// matvec, naive FFT chain or sigmoid/tanh is left to rewrite).
// RUN: ernn-opt %t.12.mlir -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing,ernn-approximate-activations -o %t.15.mlir
// RUN: diff %t.12.mlir %t.15.mlir
