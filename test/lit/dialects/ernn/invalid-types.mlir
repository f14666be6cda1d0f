// Invalid ernn types and attributes: every rule of types.py, and parse errors.
// Each chunk breaks one verifier rule; --verify-diagnostics prints each chunk's
// diagnostic (file:line:col, the source line, a caret) and goes on to the next.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear;
// this filecheck has no --implicit-check-not, hence the CLEAN-NOT prefix.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// !ernn.fixed width 0
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.fixed width must be in [1, 32], got 0
func.func @f(%x: tensor<4x!ernn.fixed<0, 0>>) {
  func.return
}

// -----
// !ernn.fixed width 33
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.fixed width must be in [1, 32], got 33
func.func @f(%x: tensor<4x!ernn.fixed<33, 0>>) {
  func.return
}

// -----
// !ernn.fixed fraction bits beyond +128
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.fixed fraction bits must be in [-128, 128], got 129
func.func @f(%x: tensor<4x!ernn.fixed<16, 129>>) {
  func.return
}

// -----
// !ernn.fixed fraction bits beyond -128
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.fixed fraction bits must be in [-128, 128], got -129
func.func @f(%x: tensor<4x!ernn.fixed<16, -129>>) {
  func.return
}

// -----
// !ernn.fixed negative width: a parse error
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Expected integer literal
func.func @f(%x: tensor<4x!ernn.fixed<-8, 2>>) {
  func.return
}

// -----
// !ernn.fixed missing the fraction bits
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Expected ','
func.func @f(%x: tensor<4x!ernn.fixed<8>>) {
  func.return
}

// -----
// !ernn.circulant block 0
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.circulant block size must be in [1, 4096], got 0
func.func @f(%x: !ernn.circulant<8x8xf32, block = 0>) {
  func.return
}

// -----
// !ernn.circulant block above 4096
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.circulant block size must be in [1, 4096], got 4097
func.func @f(%x: !ernn.circulant<8x8xf32, block = 4097>) {
  func.return
}

// -----
// !ernn.circulant empty shape
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.circulant shape must be positive, got 0x8
func.func @f(%x: !ernn.circulant<0x8xf32, block = 8>) {
  func.return
}

// -----
// !ernn.circulant integer elements
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.circulant element type must be f32, f64 or !ernn.fixed, got i16
func.func @f(%x: !ernn.circulant<8x8xi16, block = 8>) {
  func.return
}

// -----
// !ernn.circulant with an invalid fixed element
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.fixed width must be in [1, 32], got 40
func.func @f(%x: !ernn.circulant<8x8x!ernn.fixed<40, 2>, block = 8>) {
  func.return
}

// -----
// !ernn.circulant three-dimensional shape
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: !ernn.circulant expects a two-dimensional shape 'MxNxE'
func.func @f(%x: !ernn.circulant<4x4x4xf32, block = 2>) {
  func.return
}

// -----
// !ernn.circulant without the block size
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Expected ','
func.func @f(%x: !ernn.circulant<8x8xf32>) {
  func.return
}

// -----
// #ernn.rounding unknown mode
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Expected `half_up`, or `convergent`.
  %y = ernn.add %x, %x {rounding = #ernn.rounding<nearest>} : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----
// #ernn.overflow unknown mode
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Expected `saturate`, or `wrap`.
  %y = ernn.add %x, %x {overflow = #ernn.overflow<clamp>} : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----
// unknown ernn type
// CHECK: invalid-types.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: 'ernn.complex' is not registered
func.func @f(%x: !ernn.complex<f32>) {
  func.return
}
