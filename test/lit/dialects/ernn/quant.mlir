// Round trip of the conversions: custom -> generic -> custom.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn.quantize"
// MLIR-SAME: overflow = #ernn.overflow<saturate>, rounding = #ernn.rounding<half_up>
// MLIR: "ernn.quantize"
// MLIR-SAME: overflow = #ernn.overflow<wrap>, rounding = #ernn.rounding<convergent>
// MLIR: "ernn.dequantize"(%{{.*}}) : (tensor<4x!ernn.fixed<16, 8>>) -> tensor<4xf32>
// MLIR: "ernn.requantize"

// CHECK-LABEL: func.func @conversions(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4xf32>, %[[D:[^:]*]]: tensor<2x3xf64>
// CHECK-NEXT:    %[[Q:.*]] = ernn.quantize %[[X]] : tensor<4xf32> -> tensor<4x!ernn.fixed<16, 8>>
// CHECK-NEXT:    %[[Q2:.*]] = ernn.quantize %[[D]] {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>} : tensor<2x3xf64> -> tensor<2x3x!ernn.fixed<8, -2>>
// CHECK-NEXT:    %[[F:.*]] = ernn.dequantize %[[Q]] : tensor<4x!ernn.fixed<16, 8>> -> tensor<4xf32>
// CHECK-NEXT:    %{{.*}} = ernn.dequantize %[[Q2]] : tensor<2x3x!ernn.fixed<8, -2>> -> tensor<2x3xf64>
// CHECK-NEXT:    %[[W:.*]] = ernn.requantize %[[Q]] : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<24, 16>>
// CHECK-NEXT:    %{{.*}} = ernn.requantize %[[W]] {overflow = #ernn.overflow<wrap>} : tensor<4x!ernn.fixed<24, 16>> -> tensor<4x!ernn.fixed<4, 20>>
// CHECK-NEXT:    func.return %[[F]] : tensor<4xf32>
func.func @conversions(%x: tensor<4xf32>, %d: tensor<2x3xf64>) -> tensor<4xf32> {
  %q = ernn.quantize %x : tensor<4xf32> -> tensor<4x!ernn.fixed<16, 8>>
  %q2 = ernn.quantize %d {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>} : tensor<2x3xf64> -> tensor<2x3x!ernn.fixed<8, -2>>
  %f = ernn.dequantize %q : tensor<4x!ernn.fixed<16, 8>> -> tensor<4xf32>
  %f2 = ernn.dequantize %q2 : tensor<2x3x!ernn.fixed<8, -2>> -> tensor<2x3xf64>
  %w = ernn.requantize %q : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<24, 16>>
  %n = ernn.requantize %w {overflow = #ernn.overflow<wrap>} : tensor<4x!ernn.fixed<24, 16>> -> tensor<4x!ernn.fixed<4, 20>>
  func.return %f : tensor<4xf32>
}
