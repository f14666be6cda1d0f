// Hand-written fixed-point modules with known results.
// RUN: ernn-run %s --entry quantize --output %t.q.npy | filecheck %s --check-prefix=QUANT
// RUN: %python -c "import numpy as np; print(np.load('%t.q.npy').tolist())" | filecheck %s --check-prefix=QVALS
// RUN: ernn-run %s --entry quantize --raw --output %t.raw.npy
// RUN: %python -c "import numpy as np; a = np.load('%t.raw.npy'); print(a.dtype.kind, a.tolist())" | filecheck %s --check-prefix=QRAW
// RUN: ernn-run %s --entry saturate | filecheck %s --check-prefix=SAT
// RUN: ernn-run %s --entry gate | filecheck %s --check-prefix=GATE

// 0.3 * 16 = 4.8 -> 5; -1.03125 * 16 = -16.5 -> half_up -16; 100 saturates to 127;
// -100 to -128.  fixed<8, 4>: value = raw / 16.
// QUANT: output #0: tensor<4x!ernn.fixed<8, 4>> shape (4,) min -8 max 7.9375
// QUANT-NEXT: fixed-point overflow: 2 event(s)
// QUANT-NEXT: 2 in 'ernn.quantize' at {{.*}}fixed.mlir:[[# @LINE + 5]]:3
// QVALS: [0.3125, -1.0, 7.9375, -8.0]
// QRAW: i [5, -16, 127, -128]
func.func @quantize() -> tensor<4x!ernn.fixed<8, 4>> {
  %c = ernn.constant dense<[0.3, -1.03125, 100.0, -100.0]> : tensor<4xf32> -> tensor<4xf32>
  %q = ernn.quantize %c : tensor<4xf32> -> tensor<4x!ernn.fixed<8, 4>>
  func.return %q : tensor<4x!ernn.fixed<8, 4>>
}

// 7 + 7 = 14 and -8 + -8 = -16 saturate in fixed<4, 0> to 7 and -8; 1 + 2 = 3 fits.
// SAT: output #0: tensor<3x!ernn.fixed<4, 0>> shape (3,) min -8 max 7
// SAT-NEXT: fixed-point overflow: 2 event(s)
// SAT-NEXT: 2 in 'ernn.add' at {{.*}}fixed.mlir:[[# @LINE + 4]]:3
func.func @saturate() -> tensor<3x!ernn.fixed<4, 0>> {
  %a = ernn.constant dense<[7, -8, 1]> : tensor<3xi8> -> tensor<3x!ernn.fixed<4, 0>>
  %b = ernn.constant dense<[7, -8, 2]> : tensor<3xi8> -> tensor<3x!ernn.fixed<4, 0>>
  %s = ernn.add %a, %b : tensor<3x!ernn.fixed<4, 0>>, tensor<3x!ernn.fixed<4, 0>> -> tensor<3x!ernn.fixed<4, 0>>
  func.return %s : tensor<3x!ernn.fixed<4, 0>>
}

// Gate level, float: sigmoid(0) = 0.5, tanh(0) = 0, and their sum and product.
// GATE: output #0: tensor<2xf64> shape (2,) min 0.5 max 0.5 mean 0.5 rms 0.5
// GATE-NEXT: output #1: tensor<2xf64> shape (2,) min 0 max 0 mean 0 rms 0
// GATE-NOT: overflow
func.func @gate() -> (tensor<2xf64>, tensor<2xf64>) {
  %z = ernn.constant dense<0.0> : tensor<2xf64> -> tensor<2xf64>
  %s = ernn.sigmoid %z : tensor<2xf64> -> tensor<2xf64>
  %t = ernn.tanh %z : tensor<2xf64> -> tensor<2xf64>
  %a = ernn.add %s, %t : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
  %m = ernn.mul %s, %t : tensor<2xf64>, tensor<2xf64> -> tensor<2xf64>
  func.return %a, %m : tensor<2xf64>, tensor<2xf64>
}
