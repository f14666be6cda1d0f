// ernn-weight-sharing after fusion: weight spectra folded into module-level
// ernn.global constants, read once per function outside the time loop.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing | filecheck %s
// Applied twice: the same IR.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing,ernn-weight-sharing | filecheck %s
// On model-level IR (no spectra) it changes nothing.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-weight-sharing | filecheck %s --check-prefix=MODEL
// The summary option.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --reset-before --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p 'ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing{report="-"}' 2>&1 >/dev/null | filecheck %s --check-prefix=REPORT
// GRU with the reset before the matvec: W_h spectra used twice, stored once.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --reset-before --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing | filecheck %s --check-prefix=GRU

// CHECK:       builtin.module {
// CHECK-NEXT:    ernn.global @[[G0:ws[0-9]+]] dense<{{.*}}> : tensor<8x3x3x2xf64> -> tensor<8x3x3x2xf64>
// CHECK-NEXT:    ernn.global @[[G1:ws[0-9]+]] dense<{{.*}}> : tensor<1x2x3x2xf64> -> tensor<1x2x3x2xf64>
// CHECK-LABEL:   func.func @main
// CHECK-NEXT:      %[[W0:.*]] = ernn.get_global @[[G0]] -> tensor<8x3x3x2xf64>
// CHECK-NEXT:      %[[W1:.*]] = ernn.get_global @[[G1]] -> tensor<1x2x3x2xf64>
// CHECK-NOT:       ernn.circulant
// CHECK:           ernn.scan
// CHECK:           %[[XC:.*]] = ernn.concat dim(1)
// CHECK-NEXT:      %[[Y:.*]] = ernn.spectral_mac %[[W0]], %[[XC]] : tensor<8x3x3x2xf64>, tensor<1x3x3x2xf64> -> tensor<1x8x3x2xf64>
// CHECK:           %[[XH:.*]] = ernn.rfft %h
// CHECK-NEXT:      %{{.*}} = ernn.spectral_mac %[[W1]], %[[XH]]
// CHECK-NOT:       ernn.get_global
// CHECK-NOT:       ernn.circulant_params

// MODEL-NOT: ernn.global
// MODEL: ernn.circulant
// MODEL: ernn.lstm

// REPORT: ernn-weight-sharing: 2 global(s), 3 constant(s) folded or pooled, 1152 bytes stored, 576 bytes deduplicated

// GRU:     ernn.global @{{ws[0-9]+}} dense<{{.*}}> : tensor<6x2x3x2xf64> -> tensor<6x2x3x2xf64>
// GRU:     ernn.global @[[WH:ws[0-9]+]] dense<{{.*}}> merged(2) -> tensor<6x2x3x2xf64>
// GRU:     %[[R:.*]] = ernn.get_global @[[WH]]
// GRU-NOT: ernn.get_global @[[WH]]
// GRU:     ernn.spectral_mac %[[R]],
// GRU:     ernn.spectral_mac %[[R]],
