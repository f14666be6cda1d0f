func.func @ok(%x: tensor<4xf32>) {
  %y = ernn.sigmoid %x : tensor<4xf32> -> tensor<4xf32>
  func.return
}

// -----

func.func @bad(%x: tensor<4xf32>) {
  %y = ernn.sigmoid %x : tensor<4xf32> -> tensor<5xf32>
  func.return
}

// -----

func.func @bad_too(%x: tensor<4xf32>) {
  %y = ernn.tanh %x : tensor<4xf32> -> tensor<6xf32>
  func.return
}
