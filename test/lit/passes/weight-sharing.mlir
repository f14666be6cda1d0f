// ernn-weight-sharing after fusion: weight spectra folded into module-level
// ernn.global constants, read once per function outside the time loop.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing | filecheck %s
// Applied twice: the same IR.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing,ernn-weight-sharing | filecheck %s
// On model-level IR (no spectra) it changes nothing.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-weight-sharing | filecheck %s --check-prefix=MODEL
// The summary option (on the hand-written @main at the end of this file).
// RUN: ernn-opt %s -p 'ernn-weight-sharing{report="-"}' 2>&1 >/dev/null | filecheck %s --check-prefix=REPORT
// Identical constants stored once, repeated blocks stored once (@main below).
// RUN: ernn-opt %s -p ernn-weight-sharing | filecheck %s --check-prefix=BLOCKS
// RUN: ernn-opt %s -p ernn-weight-sharing,ernn-weight-sharing | filecheck %s --check-prefix=BLOCKS
// Block sharing off: whole spectra, identical constants still merged.
// RUN: ernn-opt %s -p 'ernn-weight-sharing{dedup-blocks=false}' | filecheck %s --check-prefix=WHOLE
// The op-count storage section counts the table and index bits.
// RUN: ernn-opt %s -p ernn-weight-sharing,ernn-op-count | filecheck %s --check-prefix=COUNT
// Quantization after block sharing: the table once, the index stays integer.
// RUN: ernn-opt %s -p ernn-weight-sharing,ernn-quantize | filecheck %s --check-prefix=QUANT
// The generic form parses in mlir-opt.
// RUN: ernn-opt %s -p ernn-weight-sharing --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR
// Random weights share no block: no table, no gather (model-level counterpart in the unit tests).
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing | filecheck %s --check-prefix=RANDOM

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

// 3 constants, %w2 == %w0 (merged); blocks A, B, C (f64, 3 bins: 384 bits):
// whole 2 x 4 x 384 = 3072 bits = 384 bytes; table 3 x 384 + index 8 x 8 = 1216 bits = 152 bytes.
// REPORT: ernn-weight-sharing: 3 global(s), 3 constant(s) folded or pooled, 152 bytes stored, 192 bytes deduplicated; 1 block table(s) for 2 spectra, 5 of 8 blocks shared, 232 bytes saved

// BLOCKS:      builtin.module {
// BLOCKS-NEXT:   ernn.global @wt0 dense<{{\[\[\[}}1.000000e+00, 0.000000e+00], [2.000000e+00, 3.000000e+00], [4.000000e+00, 0.000000e+00]], {{\[\[}}5.000000e+00, 0.000000e+00], [6.000000e+00, 7.000000e+00], [8.000000e+00, 0.000000e+00]], {{\[\[}}9.000000e+00, 0.000000e+00], [1.000000e+00, 2.000000e+00], [3.000000e+00, 0.000000e+00]]]> : tensor<3x3x2xf64> -> tensor<3x3x2xf64>
// BLOCKS-NEXT:   ernn.global @ws0_idx dense<{{\[}}[0, 1], [1, 0]]> : tensor<2x2xi8> merged(2) -> tensor<2x2xi8>
// BLOCKS-NEXT:   ernn.global @ws1_idx dense<{{\[}}[0, 0], [1, 2]]> : tensor<2x2xi8> -> tensor<2x2xi8>
// BLOCKS-NEXT:   func.func @main(%x: tensor<1x2x3x2xf64>)
// BLOCKS-NEXT:     %[[T:.*]] = ernn.get_global @wt0 -> tensor<3x3x2xf64>
// BLOCKS-NEXT:     %[[I0:.*]] = ernn.get_global @ws0_idx -> tensor<2x2xi8>
// BLOCKS-NEXT:     %[[W0:.*]] = ernn.gather_blocks %[[T]], %[[I0]] : tensor<3x3x2xf64>, tensor<2x2xi8> -> tensor<2x2x3x2xf64>
// BLOCKS-NEXT:     %[[I1:.*]] = ernn.get_global @ws1_idx -> tensor<2x2xi8>
// BLOCKS-NEXT:     %[[W1:.*]] = ernn.gather_blocks %[[T]], %[[I1]] : tensor<3x3x2xf64>, tensor<2x2xi8> -> tensor<2x2x3x2xf64>
// BLOCKS-NEXT:     %[[Y0:.*]] = ernn.spectral_mac %[[W0]], %x
// BLOCKS-NEXT:     %{{.*}} = ernn.spectral_mac %[[W1]], %x
// BLOCKS-NEXT:     %{{.*}} = ernn.spectral_mac %[[W0]], %[[Y0]]
// BLOCKS-NOT:    ernn.constant
// BLOCKS-NOT:    ernn.global

// WHOLE-NOT:   ernn.gather_blocks
// WHOLE:       ernn.global @[[G0:ws[0-9]+]] dense<{{.*}}> merged(2) -> tensor<2x2x3x2xf64>
// WHOLE-NEXT:  ernn.global @[[G1:ws[0-9]+]] dense<{{.*}}> : tensor<2x2x3x2xf64> -> tensor<2x2x3x2xf64>
// WHOLE:       %[[R:.*]] = ernn.get_global @[[G0]]
// WHOLE-NOT:   ernn.get_global @[[G0]]
// WHOLE:       ernn.spectral_mac %[[R]],
// WHOLE:       ernn.spectral_mac %{{.*}},
// WHOLE:       ernn.spectral_mac %[[R]],
// WHOLE-NOT:   ernn.gather_blocks

// COUNT:      // weight spectra {{ +}}1,216 {{ +}}8 {{ +}}5
// COUNT-NEXT: //   undeduplicated (blocks stored whole) {{ +}}3,072
// COUNT-NEXT: //   block tables (distinct blocks) {{ +}}1,152 {{ +}}3
// COUNT-NEXT: //   block index tables {{ +}}64 {{ +}}8
// COUNT-NEXT: //   bits saved / blocks shared by tables {{ +}}1,856 {{ +}}5
// COUNT-NEXT: // other constants {{ +}}0
// COUNT-NEXT: // pool globals / deduplicated bits {{ +}}3 {{ +}}1,536

// QUANT:     ernn.global @wt0 dense<{{.*}}> : tensor<3x3x2xi16> -> tensor<3x3x2x!ernn.fixed<16, [[F:[0-9]+]]>>
// QUANT:     ernn.global @ws0_idx dense<{{\[}}[0, 1], [1, 0]]> : tensor<2x2xi8> merged(2) -> tensor<2x2xi8>
// QUANT:     %[[T:.*]] = ernn.get_global @wt0 -> tensor<3x3x2x!ernn.fixed<16, [[F]]>>
// QUANT:     ernn.gather_blocks %[[T]], %{{.*}} : tensor<3x3x2x!ernn.fixed<16, [[F]]>>, tensor<2x2xi8> -> tensor<2x2x3x2x!ernn.fixed<16, [[F]]>>

// MLIR:      "ernn.global"() <{sym_name = "wt0", type = tensor<3x3x2xf64>
// MLIR:      "ernn.global"() <{merged = 2 : i64, sym_name = "ws0_idx", type = tensor<2x2xi8>, value = dense<{{\[}}[0, 1], [1, 0]]> : tensor<2x2xi8>}>
// MLIR:      %[[T:.*]] = "ernn.get_global"() <{name = @wt0}> : () -> tensor<3x3x2xf64>
// MLIR-NEXT: %[[I:.*]] = "ernn.get_global"() <{name = @ws0_idx}> : () -> tensor<2x2xi8>
// MLIR-NEXT: "ernn.gather_blocks"(%[[T]], %[[I]]) : (tensor<3x3x2xf64>, tensor<2x2xi8>) -> tensor<2x2x3x2xf64>

// RANDOM-NOT: ernn.gather_blocks
// RANDOM-NOT: tensor<{{.*}}xi8>

// Blocks A = [1, 2+3i, 4], B = [5, 6+7i, 8], C = [9, 1+2i, 3]: %w0 = [[A, B], [B, A]],
// %w1 = [[A, A], [B, C]], %w2 = %w0.
func.func @main(%x: tensor<1x2x3x2xf64>) -> (tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64>) {
  %w0 = ernn.constant dense<[[[[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]], [[5.0, 0.0], [6.0, 7.0], [8.0, 0.0]]], [[[5.0, 0.0], [6.0, 7.0], [8.0, 0.0]], [[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]]]]> : tensor<2x2x3x2xf64> -> tensor<2x2x3x2xf64>
  %w1 = ernn.constant dense<[[[[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]], [[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]]], [[[5.0, 0.0], [6.0, 7.0], [8.0, 0.0]], [[9.0, 0.0], [1.0, 2.0], [3.0, 0.0]]]]> : tensor<2x2x3x2xf64> -> tensor<2x2x3x2xf64>
  %w2 = ernn.constant dense<[[[[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]], [[5.0, 0.0], [6.0, 7.0], [8.0, 0.0]]], [[[5.0, 0.0], [6.0, 7.0], [8.0, 0.0]], [[1.0, 0.0], [2.0, 3.0], [4.0, 0.0]]]]> : tensor<2x2x3x2xf64> -> tensor<2x2x3x2xf64>
  %y0 = ernn.spectral_mac %w0, %x : tensor<2x2x3x2xf64>, tensor<1x2x3x2xf64> -> tensor<1x2x3x2xf64>
  %y1 = ernn.spectral_mac %w1, %x : tensor<2x2x3x2xf64>, tensor<1x2x3x2xf64> -> tensor<1x2x3x2xf64>
  %y2 = ernn.spectral_mac %w2, %y0 : tensor<2x2x3x2xf64>, tensor<1x2x3x2xf64> -> tensor<1x2x3x2xf64>
  func.return %y0, %y1, %y2 : tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64>
}
