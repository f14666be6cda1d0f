// ernn-circulant-to-fft: each ernn.circ_matvec into the naive per-block FFT
// form (one input rFFT, one weight rFFT and one IRFFT per block (i, j)).
// RUN: ernn-opt --split-input-file %s -p ernn-circulant-to-fft | filecheck %s
// Applied twice: the same IR (no matvec left).
// RUN: ernn-opt --split-input-file %s -p ernn-circulant-to-fft,ernn-circulant-to-fft | filecheck %s
// The lowering keeps the reference output (f64, rounding-level difference).
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft --validate -o /dev/null 2>&1 | filecheck %s --check-prefix=VALID
//
// Block sizes that are not a power of two have no radix-2 FFT form: an error
// at the op (the ernn.lstm / ernn.gru the matvec came from), exit status 1,
// no output file.
// RUN: rm -f %t.out
// RUN: ernn-model lstm --input-size 5 --hidden-size 6 --seq-len 2 --dtype f64 --block-size 3 -o %t.b3.mlir
// RUN: not ernn-opt %t.b3.mlir -p ernn-expand-cells,ernn-circulant-to-fft -o %t.out 2>&1 | filecheck %s --check-prefix=B3
// RUN: test ! -e %t.out
// RUN: ernn-model gru --input-size 5 --hidden-size 12 --seq-len 2 --dtype f64 --block-size 6 | not ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft 2>&1 | filecheck %s --check-prefix=B6
// Block size 1: a 1 x 1 circulant block is a dense entry, needs no FFT and
// keeps the matvec form, in this pass and in ernn-pipeline (default fft=true).
// RUN: ernn-model gru --input-size 5 --hidden-size 4 --seq-len 2 --dtype f64 --block-size 1 -o %t.b1.mlir
// RUN: ernn-opt %t.b1.mlir -p ernn-expand-cells,ernn-circulant-to-fft | filecheck %s --check-prefix=B1
// RUN: ernn-opt %t.b1.mlir -p ernn-pipeline --validate 2>&1 >/dev/null | filecheck %s --check-prefix=B1PIPE
// A fixed-point matvec (ernn-quantize ran first): lower before quantizing.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | not ernn-opt -p ernn-expand-cells,ernn-quantize,ernn-circulant-to-fft 2>&1 | filecheck %s --check-prefix=FIXED

// B3:      b3.mlir:6:5: error: ernn-circulant-to-fft: 'ernn.circ_matvec' has block size 3, which is not a power of two: the radix-2 FFT form needs one (keep the matvec form: ernn-pipeline{fft=false})
// B3-NOT:  Traceback
// B6:      error: ernn-circulant-to-fft: 'ernn.circ_matvec' has block size 6, which is not a power of two
// B6-NOT:  Traceback
// B1:      ^bb0
// B1-NOT:  ernn.rfft
// B1:      %gx_rz = ernn.circ_matvec %w_x_rz, %x_t : !ernn.circulant<8x5xf64, block = 1>, tensor<1x5xf64> -> tensor<1x8xf64>
// B1PIPE:      ernn-pipeline {{ +}}{{[0-9.e+-]+}} {{ +}}{{[0-9.e+-]+}} {{ +}}{{[3-9][0-9]\.[0-9]}} {{ +}}0
// B1PIPE-NOT:  warning
// B1PIPE-NOT:  error
// FIXED:     error: ernn-circulant-to-fft: 'ernn.circ_matvec' on !ernn.fixed<{{[0-9]+}}, {{-?[0-9]+}}> is fixed point; lower to the FFT before quantizing
// FIXED-NOT: Traceback
// FIXED-NOT: builtin.module

// VALID:      ernn-expand-cells {{ +}}{{([0-9]\.[0-9]{3}e-1[0-9]|0\.000e\+00)}}
// VALID-NEXT: ernn-circulant-to-fft {{ +}}{{([0-9]\.[0-9]{3}e-1[0-9]|0\.000e\+00)}}

// A 6x5 matrix with b = 4: p = 2 row blocks, q = 2 column blocks, K = 3
// bins, a batch dimension in front.  The input is zero-padded to q*b = 8 and
// broadcast over the p row blocks, both operands are transformed block by
// block (p*q = 4 input rFFTs, 4 weight rFFTs), multiplied bin by bin,
// transformed back (4 IRFFTs), summed over j and cut to the M = 6 rows.

func.func @matvec(%x: tensor<2x5xf64>) -> tensor<2x6xf64> {
  %w = ernn.circulant dense<0.5> : tensor<2x2x4xf64> -> !ernn.circulant<6x5xf64, block = 4>
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<6x5xf64, block = 4>, tensor<2x5xf64> -> tensor<2x6xf64>
  func.return %y : tensor<2x6xf64>
}

// CHECK-LABEL: func.func @matvec(%x: tensor<2x5xf64>) -> tensor<2x6xf64> {
// CHECK-NEXT:    %w = ernn.circulant dense<5.000000e-01> : tensor<2x2x4xf64> -> !ernn.circulant<6x5xf64, block = 4>
// CHECK-NEXT:    %[[XP:.*]] = ernn.pad %x : tensor<2x5xf64> -> tensor<2x8xf64>
// CHECK-NEXT:    %[[XR:.*]] = ernn.broadcast %[[XP]] dim(1) : tensor<2x8xf64> -> tensor<2x2x8xf64>
// CHECK-NEXT:    %[[X:.*]] = ernn.rfft %[[XR]] : tensor<2x2x8xf64> -> tensor<2x2x2x3x2xf64>
// CHECK-NEXT:    %[[WP:.*]] = ernn.circulant_params %w : !ernn.circulant<6x5xf64, block = 4> -> tensor<2x2x4xf64>
// CHECK-NEXT:    %[[WR:.*]] = ernn.reshape %[[WP]] : tensor<2x2x4xf64> -> tensor<2x8xf64>
// CHECK-NEXT:    %[[W:.*]] = ernn.rfft %[[WR]] : tensor<2x8xf64> -> tensor<2x2x3x2xf64>
// CHECK-NEXT:    %[[P:.*]] = ernn.cmul %[[W]], %[[X]] : tensor<2x2x3x2xf64>, tensor<2x2x2x3x2xf64> -> tensor<2x2x2x3x2xf64>
// CHECK-NEXT:    %[[YB:.*]] = ernn.irfft %[[P]] : tensor<2x2x2x3x2xf64> -> tensor<2x2x8xf64>
// CHECK-NEXT:    %[[Y3:.*]] = ernn.reshape %[[YB]] : tensor<2x2x8xf64> -> tensor<2x2x2x4xf64>
// CHECK-NEXT:    %[[YS:.*]] = ernn.reduce_sum %[[Y3]] dim(2) : tensor<2x2x2x4xf64> -> tensor<2x2x4xf64>
// CHECK-NEXT:    %[[Y:.*]] = ernn.reshape %[[YS]] : tensor<2x2x4xf64> -> tensor<2x8xf64>
// CHECK-NEXT:    %[[ROWS:.*]] = ernn.slice %[[Y]] dim(1) offset(0) : tensor<2x8xf64> -> tensor<2x6xf64>
// CHECK-NEXT:    func.return %[[ROWS]] : tensor<2x6xf64>
// CHECK-NEXT:  }

// -----
// A square 8x8 f32 matrix (b = 4) that is a function argument, a vector
// without batch dimension: no padding (N = q*b), no slice (M = p*b), the
// broadcast and the sum over j at dimensions 0 and 1.

func.func @square(%x: tensor<8xf32>, %w: !ernn.circulant<8x8xf32, block = 4>) -> tensor<8xf32> {
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<8x8xf32, block = 4>, tensor<8xf32> -> tensor<8xf32>
  func.return %y : tensor<8xf32>
}

// CHECK-LABEL: func.func @square(%x: tensor<8xf32>, %w: !ernn.circulant<8x8xf32, block = 4>) -> tensor<8xf32> {
// CHECK-NEXT:    %[[XR:.*]] = ernn.broadcast %x dim(0) : tensor<8xf32> -> tensor<2x8xf32>
// CHECK-NEXT:    %[[X:.*]] = ernn.rfft %[[XR]] : tensor<2x8xf32> -> tensor<2x2x3x2xf32>
// CHECK-NEXT:    %[[WP:.*]] = ernn.circulant_params %w : !ernn.circulant<8x8xf32, block = 4> -> tensor<2x2x4xf32>
// CHECK-NEXT:    %[[WR:.*]] = ernn.reshape %[[WP]] : tensor<2x2x4xf32> -> tensor<2x8xf32>
// CHECK-NEXT:    %[[W:.*]] = ernn.rfft %[[WR]] : tensor<2x8xf32> -> tensor<2x2x3x2xf32>
// CHECK-NEXT:    %[[P:.*]] = ernn.cmul %[[W]], %[[X]] : tensor<2x2x3x2xf32>, tensor<2x2x3x2xf32> -> tensor<2x2x3x2xf32>
// CHECK-NEXT:    %[[YB:.*]] = ernn.irfft %[[P]] : tensor<2x2x3x2xf32> -> tensor<2x8xf32>
// CHECK-NEXT:    %[[Y3:.*]] = ernn.reshape %[[YB]] : tensor<2x8xf32> -> tensor<2x2x4xf32>
// CHECK-NEXT:    %[[YS:.*]] = ernn.reduce_sum %[[Y3]] dim(1) : tensor<2x2x4xf32> -> tensor<2x4xf32>
// CHECK-NEXT:    %[[Y:.*]] = ernn.reshape %[[YS]] : tensor<2x4xf32> -> tensor<8xf32>
// CHECK-NEXT:    func.return %[[Y]] : tensor<8xf32>
// CHECK-NEXT:  }

// -----
// Model-level IR has no ernn.circ_matvec: nothing to lower.

func.func @model(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<4x1x4xf64> -> !ernn.circulant<16x4xf64, block = 4>
  %wh = ernn.circulant dense<0.25> : tensor<4x1x4xf64> -> !ernn.circulant<16x4xf64, block = 4>
  %y, %h, %c = ernn.lstm %x, %wx, %wh : tensor<3x1x4xf64>, !ernn.circulant<16x4xf64, block = 4>, !ernn.circulant<16x4xf64, block = 4> -> tensor<3x1x4xf64>, tensor<1x4xf64>, tensor<1x4xf64>
  func.return %y : tensor<3x1x4xf64>
}

// CHECK-LABEL: func.func @model(
// CHECK-NEXT:    %wx = ernn.circulant
// CHECK-NEXT:    %wh = ernn.circulant
// CHECK-NEXT:    %y, %h, %c = ernn.lstm %x, %wx, %wh
// CHECK-NEXT:    func.return %y
