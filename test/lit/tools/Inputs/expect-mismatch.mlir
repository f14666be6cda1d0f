// Used by ../verify-diagnostics.mlir: the line numbers are checked there.
func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{shape 2, got 4}}
  %y = ernn.sigmoid %x : tensor<2xf32> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// -----
func.func @g(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{never reported}}
  %y = ernn.tanh %x : tensor<2xf32> -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
