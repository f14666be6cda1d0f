func.func @main(%x: tensor<4xf32>) -> tensor<100000x100000x4xf32> {
  %b = ernn.broadcast %x dim(0) : tensor<4xf32> -> tensor<100000x4xf32>
  %c = ernn.broadcast %b dim(0) : tensor<100000x4xf32> -> tensor<100000x100000x4xf32>
  func.return %c : tensor<100000x100000x4xf32>
}
