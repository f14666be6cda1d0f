// Invalid constants, shape ops and scans: every rule of structure_ops.py and checks.storage_matches.
// Each chunk breaks one verifier rule; --verify-diagnostics prints each chunk's
// diagnostic (file:line:col, the source line, a caret) and goes on to the next.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear;
// this filecheck has no --implicit-check-not, hence the CLEAN-NOT prefix.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// ernn.constant: value shape differs from the result's
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op value must have shape 3, got 2
  %c = ernn.constant dense<[1, 2]> : tensor<2xi8> -> tensor<3x!ernn.fixed<8, 0>>
  func.return
}

// -----
// ernn.constant: f32 value stored as f64
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op value is stored as f64 but the value type is f32
  %c = ernn.constant dense<1.0> : tensor<2xf64> -> tensor<2xf32>
  func.return
}

// -----
// ernn.constant: fixed<16, 8> must be stored as i16
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op value of !ernn.fixed<16, 8> must be stored as i16, got i32
  %c = ernn.constant dense<1> : tensor<2xi32> -> tensor<2x!ernn.fixed<16, 8>>
  func.return
}

// -----
// ernn.constant: fixed point stored as float
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op value of !ernn.fixed<8, 4> must be stored as i8, got f32
  %c = ernn.constant dense<1.0> : tensor<2xf32> -> tensor<2x!ernn.fixed<8, 4>>
  func.return
}

// -----
// ernn.constant: raw value above the 12-bit range
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op value holds raw values outside the 12-bit range [-2048, 2047]
  %c = ernn.constant dense<[0, 2048]> : tensor<2xi16> -> tensor<2x!ernn.fixed<12, 4>>
  func.return
}

// -----
// ernn.constant: raw value below the 5-bit range
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op value holds raw values outside the 5-bit range [-16, 15]
  %c = ernn.constant dense<-17> : tensor<3xi8> -> tensor<3x!ernn.fixed<5, 0>>
  func.return
}

// -----
// ernn.constant: integer result elements
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op result element type must be f32, f64 or !ernn.fixed, got i32
  %c = ernn.constant dense<1> : tensor<2xi32> -> tensor<2xi32>
  func.return
}

// -----
// ernn.constant: dynamic shape
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.constant' op result must have a static shape, got tensor<?xf32>
  %c = ernn.constant dense<1.0> : tensor<2xf32> -> tensor<?xf32>
  func.return
}

// -----
// ernn.circulant: params shape must be [p, q, b]
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant' op params of a 64x40 matrix with block size 8 (p = ceil(M/b), q = ceil(N/b)) must have shape 8x5x8, got 8x4x8
  %w = ernn.circulant dense<0.5> : tensor<8x4x8xf32> -> !ernn.circulant<64x40xf32, block = 8>
  func.return
}

// -----
// ernn.circulant: padded shape rounds up
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant' op params of a 9x8 matrix with block size 8 (p = ceil(M/b), q = ceil(N/b)) must have shape 2x1x8, got 1x1x8
  %w = ernn.circulant dense<0.5> : tensor<1x1x8xf32> -> !ernn.circulant<9x8xf32, block = 8>
  func.return
}

// -----
// ernn.circulant: fixed params stored wrongly
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant' op params of !ernn.fixed<16, 14> must be stored as i16, got i8
  %w = ernn.circulant dense<1> : tensor<1x1x4xi8> -> !ernn.circulant<4x4x!ernn.fixed<16, 14>, block = 4>
  func.return
}

// -----
// ernn.circulant: fixed params out of range
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant' op params holds raw values outside the 4-bit range [-8, 7]
  %w = ernn.circulant dense<[[[8, 0, 0, -9]]]> : tensor<1x1x4xi8> -> !ernn.circulant<4x4x!ernn.fixed<4, 2>, block = 4>
  func.return
}

// -----
// ernn.circulant: f64 matrix with f32 params
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant' op params is stored as f32 but the value type is f64
  %w = ernn.circulant dense<0.5> : tensor<1x1x4xf32> -> !ernn.circulant<4x4xf64, block = 4>
  func.return
}

// -----
// ernn.slice: out of bounds
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op slice [6 : 14] is out of bounds for dimension 1 of size 12
  %s = ernn.slice %x dim(1) offset(6) : tensor<2x12xf32> -> tensor<2x8xf32>
  func.return
}

// -----
// ernn.slice: negative offset
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op slice [-1 : 7] is out of bounds for dimension 1 of size 12
  %s = ernn.slice %x dim(1) offset(-1) : tensor<2x12xf32> -> tensor<2x8xf32>
  func.return
}

// -----
// ernn.slice: axis out of range
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op axis 2 is out of range for rank 2
  %s = ernn.slice %x dim(2) offset(0) : tensor<2x12xf32> -> tensor<2x8xf32>
  func.return
}

// -----
// ernn.slice: another dimension changes
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op dimension 0 must be unchanged (2), got 1
  %s = ernn.slice %x dim(1) offset(0) : tensor<2x12xf32> -> tensor<1x8xf32>
  func.return
}

// -----
// ernn.slice: rank changes
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op input and result must have the same rank
  %s = ernn.slice %x dim(1) offset(0) : tensor<2x12xf32> -> tensor<8xf32>
  func.return
}

// -----
// ernn.slice: element type changes
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op input and result element types must match
  %s = ernn.slice %x dim(1) offset(0) : tensor<2x12xf32> -> tensor<2x8xf64>
  func.return
}

// -----
// ernn.concat: sizes do not add up
func.func @f(%a: tensor<1x8xf32>, %b: tensor<1x8xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.concat' op result dimension 1 must be the sum of the inputs' (16), got 15
  %c = ernn.concat dim(1) %a, %b : tensor<1x8xf32>, tensor<1x8xf32> -> tensor<1x15xf32>
  func.return
}

// -----
// ernn.concat: mismatch outside the axis
func.func @f(%a: tensor<1x8xf32>, %b: tensor<2x8xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.concat' op input #1 shape 2x8 does not match the result 1x16 outside axis 1
  %c = ernn.concat dim(1) %a, %b : tensor<1x8xf32>, tensor<2x8xf32> -> tensor<1x16xf32>
  func.return
}

// -----
// ernn.concat: element types differ
func.func @f(%a: tensor<1x8xf32>, %b: tensor<1x8xf64>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.concat' op input #1 element type must match the result's
  %c = ernn.concat dim(1) %a, %b : tensor<1x8xf32>, tensor<1x8xf64> -> tensor<1x16xf32>
  func.return
}

// -----
// ernn.concat: axis out of range
func.func @f(%a: tensor<1x8xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.concat' op axis -1 is out of range for rank 2
  %c = ernn.concat dim(-1) %a : tensor<1x8xf32> -> tensor<1x8xf32>
  func.return
}

// -----
// ernn.concat: no inputs
func.func @f() {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.concat' op needs at least one input
  %c = ernn.concat dim(0) : -> tensor<2xf32>
  func.return
}

// -----
// ernn.pad: shrinking
func.func @f(%x: tensor<1x160xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.pad' op result 1x153 must equal input 1x160 except for a last dimension at least as large
  %p = ernn.pad %x : tensor<1x160xf32> -> tensor<1x153xf32>
  func.return
}

// -----
// ernn.pad: padding a leading dimension
func.func @f(%x: tensor<1x153xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.pad' op result 2x160 must equal input 1x153 except for a last dimension at least as large
  %p = ernn.pad %x : tensor<1x153xf32> -> tensor<2x160xf32>
  func.return
}

// -----
// ernn.pad: scalar
func.func @f(%x: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.pad' op result scalar must equal input scalar except for a last dimension at least as large
  %p = ernn.pad %x : tensor<f32> -> tensor<f32>
  func.return
}

// -----
// ernn.pad: element type changes
func.func @f(%x: tensor<1x153xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.pad' op input and result element types must match
  %p = ernn.pad %x : tensor<1x153xf32> -> tensor<1x160xf64>
  func.return
}

// -----
// ernn.circulant_params: wrong shape
func.func @f(%w: !ernn.circulant<64x40xf32, block = 8>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant_params' op result (the [p, q, b] parameters) must have shape 8x5x8, got 8x40
  %p = ernn.circulant_params %w : !ernn.circulant<64x40xf32, block = 8> -> tensor<8x40xf32>
  func.return
}

// -----
// ernn.circulant_params: wrong element type
func.func @f(%w: !ernn.circulant<64x40xf32, block = 8>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.circulant_params' op result element type must be the matrix's
  %p = ernn.circulant_params %w : !ernn.circulant<64x40xf32, block = 8> -> tensor<8x5x8xf64>
  func.return
}

// -----
// ernn.reshape: element count changes
func.func @f(%x: tensor<8x5x8xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.reshape' op cannot reshape 8x5x8 (320 elements) to 8x41 (328 elements)
  %r = ernn.reshape %x : tensor<8x5x8xf32> -> tensor<8x41xf32>
  func.return
}

// -----
// ernn.reshape: element type changes
func.func @f(%x: tensor<8x5x8xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.reshape' op input and result element types must match
  %r = ernn.reshape %x : tensor<8x5x8xf32> -> tensor<8x40x!ernn.fixed<8, 0>>
  func.return
}

// -----
// ernn.broadcast: result shape is not the input's plus one dimension
func.func @f(%x: tensor<2x40xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.broadcast' op result 2x8x41 without dimension 1 must equal the input 2x40
  %b = ernn.broadcast %x dim(1) : tensor<2x40xf32> -> tensor<2x8x41xf32>
  func.return
}

// -----
// ernn.broadcast: rank not the input's + 1
func.func @f(%x: tensor<2x40xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.broadcast' op dim 0 must index the result, whose rank must be the input's + 1
  %b = ernn.broadcast %x dim(0) : tensor<2x40xf32> -> tensor<2x40xf32>
  func.return
}

// -----
// ernn.broadcast: dim out of range
func.func @f(%x: tensor<2x40xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.broadcast' op dim 3 must index the result, whose rank must be the input's + 1
  %b = ernn.broadcast %x dim(3) : tensor<2x40xf32> -> tensor<2x40x3xf32>
  func.return
}

// -----
// ernn.broadcast: element type changes
func.func @f(%x: tensor<2x40xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.broadcast' op input and result element types must match
  %b = ernn.broadcast %x dim(0) : tensor<2x40xf32> -> tensor<3x2x40xf64>
  func.return
}

// -----
// ernn.scan: body arguments do not match one step + carried values
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op body arguments must be one step of each input followed by the carried values: expected (tensor<1x4xf32>, tensor<1x4xf32>), got (tensor<5x1x4xf32>, tensor<1x4xf32>)
  %r:2 = ernn.scan (%x : tensor<5x1x4xf32>) init (%h0 : tensor<1x4xf32>) -> tensor<5x1x4xf32>, tensor<1x4xf32> {
  ^bb0(%xt: tensor<5x1x4xf32>, %h: tensor<1x4xf32>):
    ernn.yield %h, %h : tensor<1x4xf32>, tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: a carried value's argument is missing
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op body arguments must be one step of each input followed by the carried values: expected (tensor<1x4xf32>, tensor<1x4xf32>), got (tensor<1x4xf32>)
  %r:2 = ernn.scan (%x : tensor<5x1x4xf32>) init (%h0 : tensor<1x4xf32>) -> tensor<5x1x4xf32>, tensor<1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>):
    ernn.yield %xt, %xt : tensor<1x4xf32>, tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: yield count does not match the results
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op ernn.yield must give 1 step outputs and 1 carried values (2 in all), got 1
  %r:2 = ernn.scan (%x : tensor<5x1x4xf32>) init (%h0 : tensor<1x4xf32>) -> tensor<5x1x4xf32>, tensor<1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>, %h: tensor<1x4xf32>):
    ernn.yield %h : tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: fewer results than carried values
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op has 1 results but 2 carried values; results are the stacked step outputs followed by one per carried value
  %r:1 = ernn.scan (%x : tensor<5x1x4xf32>) init (%h0, %h0 : tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>, %h: tensor<1x4xf32>, %g: tensor<1x4xf32>):
    ernn.yield %h : tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: input sequences of different lengths
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op input sequences must share the time length 5, #1 has 4
  %r:1 = ernn.scan (%x, %u : tensor<5x1x4xf32>, tensor<4x2xf32>) init () -> tensor<5x1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>, %ut: tensor<2xf32>):
    ernn.yield %xt : tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: a scalar input sequence has no time dimension
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op input sequence #0 needs a leading time dimension
  %r:1 = ernn.scan (%s : tensor<f32>) init () -> tensor<5x1x4xf32> {
  ^bb0(%st: tensor<f32>):
    ernn.yield %st : tensor<f32>
  }
  func.return
}

// -----
// ernn.scan: stacked output has the wrong type
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op result #0 must be the stacked step output tensor<5x1x4xf32>, got tensor<4x1x4xf32>
  %r:1 = ernn.scan reverse (%x : tensor<5x1x4xf32>) init () -> tensor<4x1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>):
    ernn.yield %xt : tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: carried value changes type
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op carried value #0 must keep its type tensor<1x4xf32> (yielded tensor<1x4xf32>, result tensor<1x4xf64>)
  %r:2 = ernn.scan (%x : tensor<5x1x4xf32>) init (%h0 : tensor<1x4xf32>) -> tensor<5x1x4xf32>, tensor<1x4xf64> {
  ^bb0(%xt: tensor<1x4xf32>, %h: tensor<1x4xf32>):
    ernn.yield %xt, %h : tensor<1x4xf32>, tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: no input sequence
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op needs at least one input sequence
  %r:1 = ernn.scan ( : ) init (%h0 : tensor<1x4xf32>) -> tensor<1x4xf32> {
  ^bb0(%h: tensor<1x4xf32>):
    ernn.yield %h : tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.scan: body without ernn.yield
func.func @f(%x: tensor<5x1x4xf32>, %u: tensor<4x2xf32>, %h0: tensor<1x4xf32>, %s: tensor<f32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.scan' op body must end with ernn.yield
  %r:1 = ernn.scan (%x : tensor<5x1x4xf32>) init () -> tensor<5x1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>):
    %t = ernn.tanh %xt : tensor<1x4xf32> -> tensor<1x4xf32>
  }
  func.return
}

// -----
// ernn.yield outside ernn.scan
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-structure.mlir:[[# @LINE + 1]]:3: error: 'ernn.yield' op 'ernn.yield' expects parent op 'ernn.scan'
  ernn.yield %x : tensor<2xf32>
}
