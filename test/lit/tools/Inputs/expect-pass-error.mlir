func.func @f(%x: tensor<1x6xf32>) -> tensor<1x6xf32> {
  %w = ernn.circulant dense<1.0> : tensor<2x2x3xf32> -> !ernn.circulant<6x6xf32, block = 3>
  // expected-error @+1 {{'ernn.circ_matvec' has block size 3, which is not a power of two}}
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<6x6xf32, block = 3>, tensor<1x6xf32> -> tensor<1x6xf32>
  func.return %y : tensor<1x6xf32>
}
