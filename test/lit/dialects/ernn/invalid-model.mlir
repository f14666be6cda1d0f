// Invalid model-level ops: every rule of model_ops.py (ernn.lstm, ernn.gru).
// Each chunk breaks one verifier rule; --verify-diagnostics prints each chunk's
// diagnostic (file:line:col, the source line, a caret) and goes on to the next.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear;
// this filecheck has no --implicit-check-not, hence the CLEAN-NOT prefix.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// lstm: hidden size not a multiple of the block size
func.func @f(%x: tensor<3x1x16xf32>, %wx: !ernn.circulant<48x16xf32, block = 8>, %wh: !ernn.circulant<48x12xf32, block = 8>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op hidden size 12 must be a multiple of the block size 8 (pad every gate to a multiple and mark the real units with `units`; docs/frontend.md)
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x16xf32>, !ernn.circulant<48x16xf32, block = 8>, !ernn.circulant<48x12xf32, block = 8> -> tensor<3x1x12xf32>, tensor<1x12xf32>, tensor<1x12xf32>
  func.return
}

// -----
// lstm: w_x rows are not 4 stacked gates
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<62x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_x rows must be 4 stacked gates of H rows, got 62
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<62x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: w_x columns differ from the input size
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x16xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_x must have the input's 12 columns, got 16
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x16xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: w_h rows
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<32x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_h must have 4 * 16 = 64 rows, got 32
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<32x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: w_h columns (hidden size)
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x8xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_h must have 16 columns (the hidden size), got 8
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x8xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: w_h columns (projection size)
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %p: !ernn.circulant<8x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_h must have 8 columns (the projection size), got 16
  %y:3 = ernn.lstm %x, %wx, %wh proj(%p : !ernn.circulant<8x16xf32, block = 4>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x8xf32>, tensor<1x8xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: block sizes differ
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 8>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_x and w_h must share one block size, got 4 and 8
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 8> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: input is not [T, B, N]
func.func @f(%x: tensor<3x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op input must be a [T, B, N] sequence, got 3x12
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: fixed-point input (model-level ops are float)
func.func @f(%x: tensor<3x1x12x!ernn.fixed<16, 8>>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op input element type must be f32 or f64, got !ernn.fixed<16, 8>
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12x!ernn.fixed<16, 8>>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: w_x element type differs from the input's
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf64, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op w_x element type f64 must match the input's f32
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf64, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: proj element type
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %p: !ernn.circulant<16x16xf64, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op proj element type must be f32
  %y:3 = ernn.lstm %x, %wx, %wh proj(%p : !ernn.circulant<16x16xf64, block = 4>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: proj columns must be the hidden size
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %p: !ernn.circulant<16x8xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op proj must have the hidden size 16 as columns, got 8
  %y:3 = ernn.lstm %x, %wx, %wh proj(%p : !ernn.circulant<16x8xf32, block = 4>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: bias shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %b: tensor<16xf32>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op bias must have shape 64, got 16
  %y:3 = ernn.lstm %x, %wx, %wh bias(%b : tensor<16xf32>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: bias element type
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %b: tensor<64xf64>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op bias element type must be f32
  %y:3 = ernn.lstm %x, %wx, %wh bias(%b : tensor<64xf64>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: peephole shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %p: tensor<4x16xf32>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op peephole must have shape 3x16, got 4x16
  %y:3 = ernn.lstm %x, %wx, %wh peephole(%p : tensor<4x16xf32>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: h0 shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>, %h: tensor<2x16xf32>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op h0 must have shape 1x16, got 2x16
  %y:3 = ernn.lstm %x, %wx, %wh h0(%h : tensor<2x16xf32>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: c0 shape (hidden, not projection, size)
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x8xf32, block = 4>, %p: !ernn.circulant<8x16xf32, block = 4>, %c: tensor<1x8xf32>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op c0 must have shape 1x16, got 1x8
  %y:3 = ernn.lstm %x, %wx, %wh proj(%p : !ernn.circulant<8x16xf32, block = 4>) c0(%c : tensor<1x8xf32>) : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x8xf32, block = 4> -> tensor<3x1x8xf32>, tensor<1x8xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: output shape with return_sequence
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op output (the whole sequence) must have shape 3x1x16, got 1x16
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: output shape without return_sequence
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op output (the last step, return_sequence = false) must have shape 1x16, got 3x1x16
  %y:3 = ernn.lstm %x, %wx, %wh {return_sequence = false} : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: output element type
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op output element type must be f32
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf64>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: h_n shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op h_n must have shape 1x16, got 3x1x16
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// lstm: c_n shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op c_n must have shape 1x16, got 16
  %y:3 = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<16xf32>
  func.return
}

// -----
// gru: hidden size not a multiple of the block size
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<36x12xf32, block = 8>, %wh: !ernn.circulant<36x12xf32, block = 8>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op hidden size 12 must be a multiple of the block size 8 (pad every gate to a multiple and mark the real units with `units`; docs/frontend.md)
  %y:2 = ernn.gru %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<36x12xf32, block = 8>, !ernn.circulant<36x12xf32, block = 8> -> tensor<3x1x12xf32>, tensor<1x12xf32>
  func.return
}

// -----
// gru: w_x rows are not 3 stacked gates
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op w_x rows must be 3 stacked gates of H rows, got 64
  %y:2 = ernn.gru %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: w_h rows
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op w_h must have 3 * 16 = 48 rows, got 64
  %y:2 = ernn.gru %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: w_h columns
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x12xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op w_h must have the hidden size 16 as columns, got 12
  %y:2 = ernn.gru %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x12xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: b_x shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>, %b: tensor<64xf32>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op b_x must have shape 48, got 64
  %y:2 = ernn.gru %x, %wx, %wh b_x(%b : tensor<64xf32>) : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: b_h element type
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>, %b: tensor<48xf64>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op b_h element type must be f32
  %y:2 = ernn.gru %x, %wx, %wh b_h(%b : tensor<48xf64>) : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: h0 shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>, %h: tensor<16xf32>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op h0 must have shape 1x16, got 16
  %y:2 = ernn.gru %x, %wx, %wh h0(%h : tensor<16xf32>) : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: output shape without return_sequence
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op output (the last step, return_sequence = false) must have shape 1x16, got 3x1x16
  %y:2 = ernn.gru %x, %wx, %wh {return_sequence = false} : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// gru: h_n shape
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op h_n must have shape 1x16, got 1x8
  %y:2 = ernn.gru %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x8xf32>
  func.return
}

// -----
// gru: f64 input with f32 weights
func.func @f(%x: tensor<3x1x12xf64>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op w_x element type f32 must match the input's f64
  %y:2 = ernn.gru %x, %wx, %wh : tensor<3x1x12xf64>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf64>, tensor<1x16xf64>
  func.return
}

// -----
// units: more real units than the hidden size
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<48x12xf32, block = 4>, %wh: !ernn.circulant<48x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.gru' op units must be in [1, 16] (the real hidden units), got 17
  %y:2 = ernn.gru %x, %wx, %wh {units = 17 : i64} : tensor<3x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>
  func.return
}

// -----
// units: none
func.func @f(%x: tensor<3x1x12xf32>, %wx: !ernn.circulant<64x12xf32, block = 4>, %wh: !ernn.circulant<64x16xf32, block = 4>) {
// CHECK: invalid-model.mlir:[[# @LINE + 1]]:3: error: 'ernn.lstm' op units must be in [1, 16] (the real hidden units), got 0
  %y:3 = ernn.lstm %x, %wx, %wh {units = 0 : i64} : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return
}
