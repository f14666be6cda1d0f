func.func @a(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = ernn.tanh %x : tensor<2xf32> -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
func.func @b(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = ernn.sigmoid %x : tensor<2xf32> -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
