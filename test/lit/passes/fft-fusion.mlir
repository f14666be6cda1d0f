// ernn-fft-fusion on a small LSTM step (b = 4): one rFFT per input, x- and
// r-parts accumulated in one spectral MAC, one IRFFT per output block.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion | filecheck %s
// Applied twice: the same IR.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-fft-fusion | filecheck %s
// On model-level IR (nothing in FFT form) it is a no-op.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-fft-fusion | filecheck %s --check-prefix=MODEL
// On gate-level IR too.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-fft-fusion | filecheck %s --check-prefix=GATE

// CHECK-LABEL: func.func @main
// CHECK:         ^bb0(%x_t: tensor<1x6xf64>, %r: tensor<1x4xf64>, %c: tensor<1x8xf64>):
// CHECK-NEXT:      %[[XR:.*]] = ernn.rfft %r : tensor<1x4xf64> -> tensor<1x1x3x2xf64>
// CHECK-NEXT:      %[[XP:.*]] = ernn.pad %x_t : tensor<1x6xf64> -> tensor<1x8xf64>
// CHECK-NEXT:      %[[XX:.*]] = ernn.rfft %[[XP]] : tensor<1x8xf64> -> tensor<1x2x3x2xf64>
// CHECK-NEXT:      %[[WP:.*]] = ernn.circulant_params %w_x : !ernn.circulant<32x6xf64, block = 4> -> tensor<8x2x4xf64>
// CHECK-NEXT:      %[[WR:.*]] = ernn.reshape %[[WP]] : tensor<8x2x4xf64> -> tensor<8x8xf64>
// CHECK-NEXT:      %[[WX:.*]] = ernn.rfft %[[WR]] : tensor<8x8xf64> -> tensor<8x2x3x2xf64>
// CHECK-NEXT:      %[[WP2:.*]] = ernn.circulant_params %w_h : !ernn.circulant<32x4xf64, block = 4> -> tensor<8x1x4xf64>
// CHECK-NEXT:      %[[WR2:.*]] = ernn.reshape %[[WP2]] : tensor<8x1x4xf64> -> tensor<8x4xf64>
// CHECK-NEXT:      %[[WH:.*]] = ernn.rfft %[[WR2]] : tensor<8x4xf64> -> tensor<8x1x3x2xf64>
// CHECK-NEXT:      %[[WC:.*]] = ernn.concat dim(1) %[[WX]], %[[WH]] : tensor<8x2x3x2xf64>, tensor<8x1x3x2xf64> -> tensor<8x3x3x2xf64>
// CHECK-NEXT:      %[[XC:.*]] = ernn.concat dim(1) %[[XX]], %[[XR]] : tensor<1x2x3x2xf64>, tensor<1x1x3x2xf64> -> tensor<1x3x3x2xf64>
// CHECK-NEXT:      %[[Y:.*]] = ernn.spectral_mac %[[WC]], %[[XC]] : tensor<8x3x3x2xf64>, tensor<1x3x3x2xf64> -> tensor<1x8x3x2xf64>
// CHECK-NEXT:      %[[G:.*]] = ernn.irfft %[[Y]] : tensor<1x8x3x2xf64> -> tensor<1x32xf64>
// CHECK-NEXT:      %{{.*}} = ernn.add %[[G]], %bias
// CHECK:           %[[H:.*]] = ernn.mul %o, %tc
// CHECK-NEXT:      %[[XH:.*]] = ernn.rfft %[[H]] : tensor<1x8xf64> -> tensor<1x2x3x2xf64>
// CHECK-NEXT:      %[[PP:.*]] = ernn.circulant_params %proj
// CHECK-NEXT:      %[[PR:.*]] = ernn.reshape %[[PP]]
// CHECK-NEXT:      %[[PW:.*]] = ernn.rfft %[[PR]] : tensor<1x8xf64> -> tensor<1x2x3x2xf64>
// CHECK-NEXT:      %[[YP:.*]] = ernn.spectral_mac %[[PW]], %[[XH]] : tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64> -> tensor<1x1x3x2xf64>
// CHECK-NEXT:      %[[RN:.*]] = ernn.irfft %[[YP]] : tensor<1x1x3x2xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      ernn.yield %[[RN]], %[[RN]], %c_next
// CHECK-NOT:   ernn.cmul
// CHECK-NOT:   ernn.broadcast
// CHECK-NOT:   ernn.reduce_sum

// MODEL: ernn.lstm
// MODEL-NOT: ernn.rfft
// MODEL-NOT: ernn.spectral_mac

// GATE: ernn.scan
// GATE: ernn.circ_matvec %w_x, %x_t
// GATE: ernn.circ_matvec %w_h, %r
// GATE-NOT: ernn.rfft
// GATE-NOT: ernn.spectral_mac
