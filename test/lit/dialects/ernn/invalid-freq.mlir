// Invalid frequency-domain ops: every rule of freq_ops.py.
// Each chunk breaks one verifier rule; --verify-diagnostics prints each chunk's
// diagnostic (file:line:col, the source line, a caret) and goes on to the next.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear;
// this filecheck has no --implicit-check-not, hence the CLEAN-NOT prefix.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// ernn.rfft: block size 6 is not a power of two
func.func @f(%x: tensor<1x12xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op result block size 2*(bins-1) must be a power of two >= 2 for the FFT, got 6
  %f = ernn.rfft %x : tensor<1x12xf32> -> tensor<1x2x4x2xf32>
  func.return
}

// -----
// ernn.rfft: one bin (block size 0)
func.func @f(%x: tensor<1x4xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op result block size 2*(bins-1) must be a power of two >= 2 for the FFT, got 0
  %f = ernn.rfft %x : tensor<1x4xf32> -> tensor<1x4x1x2xf32>
  func.return
}

// -----
// ernn.rfft: input length is not blocks * block size
func.func @f(%x: tensor<1x153xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op input last dimension must be blocks * block size = 20 * 8 = 160, got 153
  %f = ernn.rfft %x : tensor<1x153xf32> -> tensor<1x20x5x2xf32>
  func.return
}

// -----
// ernn.rfft: result is not a spectrum
func.func @f(%x: tensor<1x160xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op result must be a spectrum [..., blocks, bins, 2], got 1x20x5x3
  %f = ernn.rfft %x : tensor<1x160xf32> -> tensor<1x20x5x3xf32>
  func.return
}

// -----
// ernn.rfft: leading dimensions differ
func.func @f(%x: tensor<2x160xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op input and result must share their leading dimensions
  %f = ernn.rfft %x : tensor<2x160xf32> -> tensor<1x20x5x2xf32>
  func.return
}

// -----
// ernn.rfft: twiddle on a float FFT
func.func @f(%x: tensor<1x160xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op 'twiddle' applies to fixed-point FFTs only
  %f = ernn.rfft %x {twiddle = !ernn.fixed<16, 14>} : tensor<1x160xf32> -> tensor<1x20x5x2xf32>
  func.return
}

// -----
// ernn.rfft: float input, fixed spectrum
func.func @f(%x: tensor<1x16xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.rfft' op cannot mix float and fixed point: input is f32 but result is !ernn.fixed<16, 8>
  %f = ernn.rfft %x : tensor<1x16xf32> -> tensor<1x2x5x2x!ernn.fixed<16, 8>>
  func.return
}

// -----
// ernn.irfft: result length
func.func @f(%x: tensor<1x20x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.irfft' op result must have shape 1x160, got 1x153
  %y = ernn.irfft %x : tensor<1x20x5x2xf32> -> tensor<1x153xf32>
  func.return
}

// -----
// ernn.irfft: twiddle on a float FFT
func.func @f(%x: tensor<1x20x5x2xf64>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.irfft' op 'twiddle' applies to fixed-point FFTs only
  %y = ernn.irfft %x {twiddle = !ernn.fixed<16, 14>} : tensor<1x20x5x2xf64> -> tensor<1x160xf64>
  func.return
}

// -----
// ernn.irfft: input is not a spectrum
func.func @f(%x: tensor<5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.irfft' op input must be a spectrum [..., blocks, bins, 2], got 5x2
  %y = ernn.irfft %x : tensor<5x2xf32> -> tensor<8xf32>
  func.return
}

// -----
// ernn.spectral_mac: bin count mismatch
func.func @f(%w: tensor<8x4x5x2xf32>, %x: tensor<1x4x9x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.spectral_mac' op weight and input must have the same number of bins, got 5 and 9
  %y = ernn.spectral_mac %w, %x : tensor<8x4x5x2xf32>, tensor<1x4x9x2xf32> -> tensor<1x8x5x2xf32>
  func.return
}

// -----
// ernn.spectral_mac: column-block mismatch
func.func @f(%w: tensor<8x4x5x2xf32>, %x: tensor<1x5x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.spectral_mac' op input must have the weight's 4 column blocks, got 5
  %y = ernn.spectral_mac %w, %x : tensor<8x4x5x2xf32>, tensor<1x5x5x2xf32> -> tensor<1x8x5x2xf32>
  func.return
}

// -----
// ernn.spectral_mac: result must have p row blocks
func.func @f(%w: tensor<8x4x5x2xf32>, %x: tensor<1x4x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.spectral_mac' op result must have shape 1x8x5x2, got 1x4x5x2
  %y = ernn.spectral_mac %w, %x : tensor<8x4x5x2xf32>, tensor<1x4x5x2xf32> -> tensor<1x4x5x2xf32>
  func.return
}

// -----
// ernn.spectral_mac: weight with a leading batch dimension
func.func @f(%w: tensor<1x8x4x5x2xf32>, %x: tensor<1x4x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.spectral_mac' op weight must be [p, q, K, 2], got 1x8x4x5x2
  %y = ernn.spectral_mac %w, %x : tensor<1x8x4x5x2xf32>, tensor<1x4x5x2xf32> -> tensor<1x8x5x2xf32>
  func.return
}

// -----
// ernn.spectral_mac: block size mismatch between weight bins and a non-power-of-two input
func.func @f(%w: tensor<8x4x5x2xf32>, %x: tensor<1x4x4x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.spectral_mac' op input block size 2*(bins-1) must be a power of two >= 2 for the FFT, got 6
  %y = ernn.spectral_mac %w, %x : tensor<8x4x5x2xf32>, tensor<1x4x4x2xf32> -> tensor<1x8x5x2xf32>
  func.return
}

// -----
// ernn.cmul: not complex
func.func @f(%a: tensor<4x5x3xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.cmul' op lhs must be complex values [..., 2], got 4x5x3
  %p = ernn.cmul %a, %a : tensor<4x5x3xf32>, tensor<4x5x3xf32> -> tensor<4x5x3xf32>
  func.return
}

// -----
// ernn.cmul: shapes do not broadcast
func.func @f(%a: tensor<4x5x2xf32>, %b: tensor<3x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.cmul' op operand shapes 4x5x2 and 3x5x2 do not broadcast
  %p = ernn.cmul %a, %b : tensor<4x5x2xf32>, tensor<3x5x2xf32> -> tensor<4x5x2xf32>
  func.return
}

// -----
// ernn.cmul: result is not the broadcast shape
func.func @f(%a: tensor<4x5x2xf32>, %b: tensor<5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.cmul' op result (the broadcast shape) must have shape 4x5x2, got 5x2
  %p = ernn.cmul %a, %b : tensor<4x5x2xf32>, tensor<5x2xf32> -> tensor<5x2xf32>
  func.return
}

// -----
// ernn.reduce_sum: dim out of range
func.func @f(%a: tensor<4x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.reduce_sum' op dim 3 is out of range for rank 3
  %s = ernn.reduce_sum %a dim(3) : tensor<4x5x2xf32> -> tensor<4x5xf32>
  func.return
}

// -----
// ernn.reduce_sum: result keeps the dimension
func.func @f(%a: tensor<4x5x2xf32>) {
// CHECK: invalid-freq.mlir:[[# @LINE + 1]]:3: error: 'ernn.reduce_sum' op result (the input without dimension 1) must have shape 4x2, got 4x1x2
  %s = ernn.reduce_sum %a dim(1) : tensor<4x5x2xf32> -> tensor<4x1x2xf32>
  func.return
}
