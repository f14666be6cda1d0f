// Invalid gate-level ops: every rule of gate_ops.py (matvecs, element-wise, activations, pwl).
// Each chunk breaks one verifier rule; --verify-diagnostics prints each chunk's
// diagnostic (file:line:col, the source line, a caret) and goes on to the next.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear;
// this filecheck has no --implicit-check-not, hence the CLEAN-NOT prefix.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// ernn.circ_matvec: input columns
func.func @f(%w: !ernn.circulant<64x40xf32, block = 8>, %x: tensor<2x41xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.circ_matvec' op input last dimension must be the matrix's 40 columns (or 40 padded), got 41
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<64x40xf32, block = 8>, tensor<2x41xf32> -> tensor<2x64xf32>
  func.return
}

// -----
// ernn.circ_matvec: input columns, padded case
func.func @f(%w: !ernn.circulant<60x41xf32, block = 8>, %x: tensor<2x40xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.circ_matvec' op input last dimension must be the matrix's 41 columns (or 48 padded), got 40
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<60x41xf32, block = 8>, tensor<2x40xf32> -> tensor<2x60xf32>
  func.return
}

// -----
// ernn.circ_matvec: result rows
func.func @f(%w: !ernn.circulant<60x41xf32, block = 8>, %x: tensor<2x41xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.circ_matvec' op result last dimension must be the matrix's 60 rows (or 64 padded), got 62
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<60x41xf32, block = 8>, tensor<2x41xf32> -> tensor<2x62xf32>
  func.return
}

// -----
// ernn.circ_matvec: leading dimensions differ
func.func @f(%w: !ernn.circulant<64x40xf32, block = 8>, %x: tensor<2x40xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.circ_matvec' op input 2x40 and result 3x64 must share their leading dimensions
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<64x40xf32, block = 8>, tensor<2x40xf32> -> tensor<3x64xf32>
  func.return
}

// -----
// ernn.circ_matvec: mixing float and fixed
func.func @f(%w: !ernn.circulant<64x40xf32, block = 8>, %x: tensor<2x40x!ernn.fixed<16, 8>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.circ_matvec' op cannot mix float and fixed point: weight is f32 but input is !ernn.fixed<16, 8>
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<64x40xf32, block = 8>, tensor<2x40x!ernn.fixed<16, 8>> -> tensor<2x64xf32>
  func.return
}

// -----
// ernn.circ_matvec: f32 weight with f64 input
func.func @f(%w: !ernn.circulant<64x40xf32, block = 8>, %x: tensor<2x40xf64>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.circ_matvec' op float operands and results must share one element type, got weight: f32, input: f64, result: f32
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<64x40xf32, block = 8>, tensor<2x40xf64> -> tensor<2x64xf32>
  func.return
}

// -----
// ernn.dense_matvec: column mismatch
func.func @f(%w: tensor<10x32xf32>, %x: tensor<1x31xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.dense_matvec' op input last dimension must be 32, got shape 1x31
  %y = ernn.dense_matvec %w, %x : tensor<10x32xf32>, tensor<1x31xf32> -> tensor<1x10xf32>
  func.return
}

// -----
// ernn.dense_matvec: weight is not a matrix
func.func @f(%w: tensor<10xf32>, %x: tensor<1x10xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.dense_matvec' op weight must be a matrix, got shape 10
  %y = ernn.dense_matvec %w, %x : tensor<10xf32>, tensor<1x10xf32> -> tensor<1x10xf32>
  func.return
}

// -----
// ernn.dense_matvec: result shape
func.func @f(%w: tensor<10x32xf32>, %x: tensor<1x32xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.dense_matvec' op result must have shape 1x10, got 10
  %y = ernn.dense_matvec %w, %x : tensor<10x32xf32>, tensor<1x32xf32> -> tensor<10xf32>
  func.return
}

// -----
// ernn.dense_matvec: bias shape
func.func @f(%w: tensor<10x32xf32>, %x: tensor<1x32xf32>, %b: tensor<1x10xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.dense_matvec' op bias must have shape 10, got 1x10
  %y = ernn.dense_matvec %w, %x bias %b : tensor<10x32xf32>, tensor<1x32xf32>, tensor<1x10xf32> -> tensor<1x10xf32>
  func.return
}

// -----
// ernn.dense_matvec: integer weight
func.func @f(%w: tensor<10x32xi8>, %x: tensor<1x32xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.dense_matvec' op weight element type must be f32, f64 or !ernn.fixed, got i8
  %y = ernn.dense_matvec %w, %x : tensor<10x32xi8>, tensor<1x32xf32> -> tensor<1x10xf32>
  func.return
}

// -----
// ernn.dense_matvec: fixed bias with float weight
func.func @f(%w: tensor<10x32xf32>, %x: tensor<1x32xf32>, %b: tensor<10x!ernn.fixed<16, 8>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.dense_matvec' op cannot mix float and fixed point: weight is f32 but bias is !ernn.fixed<16, 8>
  %y = ernn.dense_matvec %w, %x bias %b : tensor<10x32xf32>, tensor<1x32xf32>, tensor<10x!ernn.fixed<16, 8>> -> tensor<1x10xf32>
  func.return
}

// -----
// ernn.add: shapes do not broadcast
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.add' op operand shapes 2x3 and 4 do not broadcast
  %c = ernn.add %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  func.return
}

// -----
// ernn.sub: result is not the broadcast shape
func.func @f(%a: tensor<2x1xf32>, %b: tensor<3xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.sub' op result (the broadcast shape) must have shape 2x3, got 2x1
  %c = ernn.sub %a, %b : tensor<2x1xf32>, tensor<3xf32> -> tensor<2x1xf32>
  func.return
}

// -----
// ernn.mul: mixing float and fixed
func.func @f(%a: tensor<4xf32>, %b: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.mul' op cannot mix float and fixed point: lhs is f32 but rhs is !ernn.fixed<16, 8>
  %c = ernn.mul %a, %b : tensor<4xf32>, tensor<4x!ernn.fixed<16, 8>> -> tensor<4xf32>
  func.return
}

// -----
// ernn.add: f32 with f64
func.func @f(%a: tensor<4xf32>, %b: tensor<4xf64>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.add' op float operands and results must share one element type, got lhs: f32, rhs: f64, result: f64
  %c = ernn.add %a, %b : tensor<4xf32>, tensor<4xf64> -> tensor<4xf64>
  func.return
}

// -----
// ernn.add: integer operands
func.func @f(%a: tensor<4xi32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.add' op lhs element type must be f32, f64 or !ernn.fixed, got i32
  %c = ernn.add %a, %a : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  func.return
}

// -----
// ernn.sigmoid: shape changes
func.func @f(%x: tensor<1x32xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.sigmoid' op result must have shape 1x32, got 32
  %y = ernn.sigmoid %x : tensor<1x32xf32> -> tensor<32xf32>
  func.return
}

// -----
// ernn.tanh: float to fixed
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.tanh' op cannot mix float and fixed point: input is f32 but result is !ernn.fixed<16, 14>
  %y = ernn.tanh %x : tensor<4xf32> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}

// -----
// ernn.tanh: f32 to f64
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.tanh' op float operands and results must share one element type, got input: f32, result: f64
  %y = ernn.tanh %x : tensor<4xf32> -> tensor<4xf64>
  func.return
}

// -----
// ernn.sigmoid: integer input
func.func @f(%x: tensor<4xi16>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.sigmoid' op input element type must be f32, f64 or !ernn.fixed, got i16
  %y = ernn.sigmoid %x : tensor<4xi16> -> tensor<4xi16>
  func.return
}

// -----
// ernn.pwl: table lengths differ
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op slopes and intercepts must be one-dimensional tables of the same length >= 1, got 4 and 3
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<0.0> : tensor<4xf64>, intercepts = dense<0.0> : tensor<3xf64>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----
// ernn.pwl: two-dimensional table
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op slopes and intercepts must be one-dimensional tables of the same length >= 1, got 2x2 and 2x2
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<0.0> : tensor<2x2xf64>, intercepts = dense<0.0> : tensor<2x2xf64>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----
// ernn.pwl: empty table
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op slopes and intercepts must be one-dimensional tables of the same length >= 1, got 0 and 0
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<> : tensor<0xf64>, intercepts = dense<> : tensor<0xf64>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----
// ernn.pwl: fixed table without coeff
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op a fixed-point table needs a 'coeff' fixed-point format
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<0> : tensor<4xi16>, intercepts = dense<0> : tensor<4xi16>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}

// -----
// ernn.pwl: fixed slopes in the wrong storage
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op slopes of !ernn.fixed<16, 12> must be stored as i16, got i32
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, coeff = !ernn.fixed<16, 12>, slopes = dense<0> : tensor<4xi32>, intercepts = dense<0> : tensor<4xi16>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}

// -----
// ernn.pwl: fixed intercepts out of the coeff range
func.func @f(%x: tensor<4x!ernn.fixed<16, 8>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op intercepts holds raw values outside the 10-bit range [-512, 511]
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, coeff = !ernn.fixed<10, 8>, slopes = dense<0> : tensor<4xi16>, intercepts = dense<[0, 0, 0, 512]> : tensor<4xi16>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}

// -----
// ernn.pwl: x_min not a multiple of the input lsb
func.func @f(%x: tensor<4x!ernn.fixed<8, 2>>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op x_min -0.125 is not a multiple of the input lsb 2^-2
  %y = ernn.pwl %x {x_min = -0.125 : f64, log2_step = 2 : i64, coeff = !ernn.fixed<16, 12>, slopes = dense<0> : tensor<4xi16>, intercepts = dense<0> : tensor<4xi16>} : tensor<4x!ernn.fixed<8, 2>> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}

// -----
// ernn.pwl: float table with a coeff format
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op a float table takes no 'coeff' format
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, coeff = !ernn.fixed<16, 12>, slopes = dense<0.0> : tensor<4xf64>, intercepts = dense<0.0> : tensor<4xf64>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----
// ernn.pwl: float table stored as f32
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op slopes of a float table must be f64
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<0.0> : tensor<4xf32>, intercepts = dense<0.0> : tensor<4xf64>} : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----
// ernn.pwl: float input, fixed result
func.func @f(%x: tensor<4xf32>) {
// CHECK: invalid-gate.mlir:[[# @LINE + 1]]:3: error: 'ernn.pwl' op cannot mix float and fixed point: input is f32 but result is !ernn.fixed<16, 14>
  %y = ernn.pwl %x {x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<0.0> : tensor<4xf64>, intercepts = dense<0.0> : tensor<4xf64>} : tensor<4xf32> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}
