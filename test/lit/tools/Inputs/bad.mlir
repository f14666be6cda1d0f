func.func @main(%x: tensor<3x1x16xf32>) -> tensor<3x1x12xf32> {
  %wx = ernn.circulant dense<0.5> : tensor<6x2x8xf32> -> !ernn.circulant<48x16xf32, block = 8>
  %wh = ernn.circulant dense<0.5> : tensor<6x2x8xf32> -> !ernn.circulant<48x12xf32, block = 8>
  %y, %h, %c = ernn.lstm %x, %wx, %wh : tensor<3x1x16xf32>, !ernn.circulant<48x16xf32, block = 8>, !ernn.circulant<48x12xf32, block = 8> -> tensor<3x1x12xf32>, tensor<1x12xf32>, tensor<1x12xf32>
  func.return %y : tensor<3x1x12xf32>
}
