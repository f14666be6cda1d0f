func.func @main(%x: tensor<1000000xf32>) -> tensor<1000000xf32> {
  %a = ernn.constant dense<1.0> : tensor<1000000xf32> -> tensor<1000000xf32>
  %y = ernn.add %x, %a : tensor<1000000xf32>, tensor<1000000xf32> -> tensor<1000000xf32>
  func.return %y : tensor<1000000xf32>
}
