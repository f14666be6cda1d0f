// Round trip of the gate-level ops: custom -> generic -> custom.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn.circ_matvec"
// MLIR-SAME: overflow = #ernn.overflow<saturate>, rounding = #ernn.rounding<half_up>
// MLIR: "ernn.dense_matvec"
// MLIR: "ernn.add"
// MLIR: "ernn.sub"
// MLIR: "ernn.mul"
// MLIR: "ernn.sigmoid"
// MLIR: "ernn.tanh"

// CHECK-LABEL: func.func @circ_matvec(
// CHECK-SAME:    %[[W:[^:]*]]: !ernn.circulant<64x40xf32, block = 8>, %[[X:[^:]*]]: tensor<2x40xf32>, %[[XP:[^:]*]]: tensor<3x1x48xf64>, %[[W64:[^:]*]]: !ernn.circulant<60x41xf64, block = 8>,
// CHECK-NEXT:    %{{.*}} = ernn.circ_matvec %[[W]], %[[X]] : !ernn.circulant<64x40xf32, block = 8>, tensor<2x40xf32> -> tensor<2x64xf32>
// CHECK-NEXT:    %{{.*}} = ernn.circ_matvec %[[W64]], %[[XP]] : !ernn.circulant<60x41xf64, block = 8>, tensor<3x1x48xf64> -> tensor<3x1x64xf64>
// CHECK-NEXT:    %{{.*}} = ernn.circ_matvec %[[W64]], %{{.*}} : !ernn.circulant<60x41xf64, block = 8>, tensor<41xf64> -> tensor<60xf64>
func.func @circ_matvec(%w: !ernn.circulant<64x40xf32, block = 8>, %x: tensor<2x40xf32>, %xp: tensor<3x1x48xf64>, %w64: !ernn.circulant<60x41xf64, block = 8>, %v: tensor<41xf64>) {
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<64x40xf32, block = 8>, tensor<2x40xf32> -> tensor<2x64xf32>
  // Padded input (48 = q*b) and padded result (64 = p*b).
  %yp = ernn.circ_matvec %w64, %xp : !ernn.circulant<60x41xf64, block = 8>, tensor<3x1x48xf64> -> tensor<3x1x64xf64>
  %yv = ernn.circ_matvec %w64, %v : !ernn.circulant<60x41xf64, block = 8>, tensor<41xf64> -> tensor<60xf64>
  func.return
}

// Fixed point: formats may differ between weight, input and result.
// CHECK-LABEL: func.func @circ_matvec_fixed(
// CHECK-NEXT:    %{{.*}} = ernn.circ_matvec %{{.*}}, %{{.*}} : !ernn.circulant<16x16x!ernn.fixed<16, 14>, block = 8>, tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x16x!ernn.fixed<24, 12>>
// CHECK-NEXT:    %{{.*}} = ernn.circ_matvec %{{.*}}, %{{.*}} {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>} : !ernn.circulant<16x16x!ernn.fixed<16, 14>, block = 8>, tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x16x!ernn.fixed<8, 4>>
func.func @circ_matvec_fixed(%w: !ernn.circulant<16x16x!ernn.fixed<16, 14>, block = 8>, %x: tensor<1x16x!ernn.fixed<16, 8>>) {
  %y = ernn.circ_matvec %w, %x {rounding = #ernn.rounding<half_up>, overflow = #ernn.overflow<saturate>} : !ernn.circulant<16x16x!ernn.fixed<16, 14>, block = 8>, tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x16x!ernn.fixed<24, 12>>
  %z = ernn.circ_matvec %w, %x {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>} : !ernn.circulant<16x16x!ernn.fixed<16, 14>, block = 8>, tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x16x!ernn.fixed<8, 4>>
  func.return
}

// CHECK-LABEL: func.func @dense_matvec(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<10x32xf32>, %[[X:[^:]*]]: tensor<1x32xf32>, %[[B:[^:]*]]: tensor<10xf32>
// CHECK-NEXT:    %{{.*}} = ernn.dense_matvec %[[W]], %[[X]] bias %[[B]] : tensor<10x32xf32>, tensor<1x32xf32>, tensor<10xf32> -> tensor<1x10xf32>
// CHECK-NEXT:    %{{.*}} = ernn.dense_matvec %[[W]], %[[X]] : tensor<10x32xf32>, tensor<1x32xf32> -> tensor<1x10xf32>
// CHECK-NEXT:    %{{.*}} = ernn.dense_matvec %{{.*}}, %{{.*}} bias %{{.*}} {overflow = #ernn.overflow<wrap>} : tensor<4x8x!ernn.fixed<8, 6>>, tensor<8x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<16, 10>> -> tensor<4x!ernn.fixed<16, 8>>
func.func @dense_matvec(%w: tensor<10x32xf32>, %x: tensor<1x32xf32>, %b: tensor<10xf32>, %wq: tensor<4x8x!ernn.fixed<8, 6>>, %xq: tensor<8x!ernn.fixed<16, 8>>, %bq: tensor<4x!ernn.fixed<16, 10>>) {
  %y = ernn.dense_matvec %w, %x bias %b : tensor<10x32xf32>, tensor<1x32xf32>, tensor<10xf32> -> tensor<1x10xf32>
  %z = ernn.dense_matvec %w, %x : tensor<10x32xf32>, tensor<1x32xf32> -> tensor<1x10xf32>
  %q = ernn.dense_matvec %wq, %xq bias %bq {overflow = #ernn.overflow<wrap>} : tensor<4x8x!ernn.fixed<8, 6>>, tensor<8x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<16, 10>> -> tensor<4x!ernn.fixed<16, 8>>
  func.return
}

// CHECK-LABEL: func.func @elementwise(
// CHECK-SAME:    %[[A:[^:]*]]: tensor<1x32xf32>, %[[B:[^:]*]]: tensor<32xf32>, %[[C:[^:]*]]: tensor<4x1xf64>, %[[D:[^:]*]]: tensor<3xf64>
// CHECK-NEXT:    %{{.*}} = ernn.add %[[A]], %[[B]] : tensor<1x32xf32>, tensor<32xf32> -> tensor<1x32xf32>
// CHECK-NEXT:    %{{.*}} = ernn.sub %[[B]], %[[A]] : tensor<32xf32>, tensor<1x32xf32> -> tensor<1x32xf32>
// CHECK-NEXT:    %{{.*}} = ernn.mul %[[C]], %[[D]] : tensor<4x1xf64>, tensor<3xf64> -> tensor<4x3xf64>
// CHECK-NEXT:    %{{.*}} = ernn.add %[[A]], %{{.*}} : tensor<1x32xf32>, tensor<f32> -> tensor<1x32xf32>
func.func @elementwise(%a: tensor<1x32xf32>, %b: tensor<32xf32>, %c: tensor<4x1xf64>, %d: tensor<3xf64>, %s: tensor<f32>) {
  %0 = ernn.add %a, %b : tensor<1x32xf32>, tensor<32xf32> -> tensor<1x32xf32>
  %1 = ernn.sub %b, %a : tensor<32xf32>, tensor<1x32xf32> -> tensor<1x32xf32>
  %2 = ernn.mul %c, %d : tensor<4x1xf64>, tensor<3xf64> -> tensor<4x3xf64>
  %3 = ernn.add %a, %s : tensor<1x32xf32>, tensor<f32> -> tensor<1x32xf32>
  func.return
}

// Fixed point with explicit rounding and overflow properties (defaults are not printed).
// CHECK-LABEL: func.func @elementwise_fixed(
// CHECK-NEXT:    %{{.*}} = ernn.add %{{.*}}, %{{.*}} : tensor<2x4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<12, 4>> -> tensor<2x4x!ernn.fixed<16, 8>>
// CHECK-NEXT:    %{{.*}} = ernn.sub %{{.*}}, %{{.*}} {overflow = #ernn.overflow<wrap>} : tensor<2x4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<12, 4>> -> tensor<2x4x!ernn.fixed<8, 0>>
// CHECK-NEXT:    %{{.*}} = ernn.mul %{{.*}}, %{{.*}} {rounding = #ernn.rounding<convergent>} : tensor<2x4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<12, 4>> -> tensor<2x4x!ernn.fixed<16, 10>>
func.func @elementwise_fixed(%a: tensor<2x4x!ernn.fixed<16, 8>>, %b: tensor<4x!ernn.fixed<12, 4>>) {
  %0 = ernn.add %a, %b {rounding = #ernn.rounding<half_up>, overflow = #ernn.overflow<saturate>} : tensor<2x4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<12, 4>> -> tensor<2x4x!ernn.fixed<16, 8>>
  %1 = ernn.sub %a, %b {overflow = #ernn.overflow<wrap>} : tensor<2x4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<12, 4>> -> tensor<2x4x!ernn.fixed<8, 0>>
  %2 = ernn.mul %a, %b {rounding = #ernn.rounding<convergent>} : tensor<2x4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<12, 4>> -> tensor<2x4x!ernn.fixed<16, 10>>
  func.return
}

// CHECK-LABEL: func.func @activations(
// CHECK-NEXT:    %{{.*}} = ernn.sigmoid %{{.*}} : tensor<1x32xf32> -> tensor<1x32xf32>
// CHECK-NEXT:    %{{.*}} = ernn.tanh %{{.*}} : tensor<1x32xf32> -> tensor<1x32xf32>
// CHECK-NEXT:    %{{.*}} = ernn.sigmoid %{{.*}} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 15>>
// CHECK-NEXT:    %{{.*}} = ernn.tanh %{{.*}} {rounding = #ernn.rounding<convergent>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
func.func @activations(%x: tensor<1x32xf32>, %q: tensor<4x!ernn.fixed<16, 8>>) {
  %0 = ernn.sigmoid %x : tensor<1x32xf32> -> tensor<1x32xf32>
  %1 = ernn.tanh %x : tensor<1x32xf32> -> tensor<1x32xf32>
  %2 = ernn.sigmoid %q : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 15>>
  %3 = ernn.tanh %q {rounding = #ernn.rounding<convergent>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}

// ernn.pwl: see pwl.mlir.
