// Invalid conversions: every rule of quant_ops.py.
// Each chunk breaks one verifier rule; --verify-diagnostics prints each chunk's
// diagnostic (file:line:col, the source line, a caret) and goes on to the next.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear;
// this filecheck has no --implicit-check-not, hence the CLEAN-NOT prefix.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// ernn.quantize from fixed point
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.quantize' op input element type must be f32 or f64, got !ernn.fixed<16, 8>
  %q = ernn.quantize %x : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<8, 4>>
  func.return
}

// -----
// ernn.quantize to float
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.quantize' op result element type must be !ernn.fixed, got f64
  %q = ernn.quantize %x : tensor<4xf32> -> tensor<4xf64>
  func.return
}

// -----
// ernn.quantize changes the shape
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.quantize' op result must have shape 4, got 2x2
  %q = ernn.quantize %x : tensor<4xf32> -> tensor<2x2x!ernn.fixed<8, 4>>
  func.return
}

// -----
// ernn.dequantize to fixed point
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.dequantize' op result element type must be f32 or f64, got !ernn.fixed<16, 8>
  %f = ernn.dequantize %x : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 8>>
  func.return
}

// -----
// ernn.dequantize from float
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.dequantize' op input element type must be !ernn.fixed, got f32
  %f = ernn.dequantize %x : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----
// ernn.requantize from float
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.requantize' op input element type must be !ernn.fixed, got f32
  %r = ernn.requantize %x : tensor<4xf32> -> tensor<4x!ernn.fixed<8, 4>>
  func.return
}

// -----
// ernn.requantize to float
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.requantize' op result element type must be !ernn.fixed, got f32
  %r = ernn.requantize %x : tensor<4x!ernn.fixed<16, 8>> -> tensor<4xf32>
  func.return
}

// -----
// ernn.requantize changes the shape
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-quant.mlir:[[# @LINE + 1]]:3: error: 'ernn.requantize' op result must have shape 4, got 5
  %r = ernn.requantize %x : tensor<4x!ernn.fixed<16, 8>> -> tensor<5x!ernn.fixed<8, 4>>
  func.return
}
