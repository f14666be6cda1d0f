func.func @a() {
  func.return
}
// a comment // ----- inside
// -----
func.func @b(%x: tensor<2xf32>) -> tensor<3xf32> {
  %y = ernn.tanh %x : tensor<2xf32> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
