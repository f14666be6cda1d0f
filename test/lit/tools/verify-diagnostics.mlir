// MLIR-style expectations: with --verify-diagnostics a chunk whose
// expected-error comments all match its diagnostic passes silently (exit 0).
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s --check-prefix=QUIET
// QUIET-NOT: error
// A pass failure is located at the op it is about.
// RUN: ernn-opt %S/Inputs/expect-pass-error.mlir -p ernn-circulant-to-fft --verify-diagnostics
// Mismatches fail with both sides named.
// RUN: not ernn-opt %S/Inputs/expect-mismatch.mlir --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=MISMATCH
// MISMATCH: expect-mismatch.mlir:4: error: unexpected error: 'ernn.sigmoid' op result must have shape 2, got 3
// MISMATCH: expect-mismatch.mlir:3: error: expected error "shape 2, got 4" was not produced at line 4
// MISMATCH: expect-mismatch.mlir:9: error: expected error "never reported" was not produced at line 10

func.func @result_shape(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'ernn.sigmoid' op result must have shape 2, got 3}}
  %y = ernn.sigmoid %x : tensor<2xf32> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}

// -----

func.func @same_line(%x: tensor<4xf32>) -> tensor<4x!ernn.fixed<8, 4>> {
  %y = ernn.quantize %x : tensor<4xf32> -> tensor<4xf32> // expected-error {{result element type must be !ernn.fixed}}
  func.return %y : tensor<4xf32>
}

// -----

func.func @parse_error(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @below {{Operation ernn.frob is not registered}}
  %y = ernn.frob %x : tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

// expected-error @+1 {{!ernn.fixed width must be in [1, 32], got 40}}
func.func @bad_type(%x: tensor<2x!ernn.fixed<40, 8>>) {
  func.return
}
