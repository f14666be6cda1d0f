// Float constants keep their bits through printing.  A hexadecimal literal in a
// float dense is the element's bit pattern, as in MLIR; values that need more
// digits than the short form are printed that way, infinities and NaNs always.
// RUN: ernn-opt %s | filecheck %s
// print(parse(print(x))) == print(x):
// RUN: ernn-opt %s -o %t.1.mlir
// RUN: ernn-opt %t.1.mlir -o %t.2.mlir
// RUN: cmp %t.1.mlir %t.2.mlir
// mlir-opt reads the printed constants as the same bits:
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR
// and the reference computes with the values, not with the integers the hex digits spell:
// RUN: ernn-opt %s -o %t.3.mlir
// RUN: ernn-run %t.3.mlir --entry main --output %t.y.npy
// RUN: %python -c "import numpy; print(numpy.load('%t.y.npy').tolist())" | filecheck %s --check-prefix=VALUE

// CHECK-LABEL: func.func @constants()
// CHECK-NEXT:    ernn.constant dense<0x49742410> : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    ernn.constant dense<0x7F800000> : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    ernn.constant dense<[1.000000e+00, 0x7FC00000, -0.000000e+00, 0xFF800000]> : tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    ernn.constant dense<[0.000000e+00, -0.000000e+00]> : tensor<2xf32> -> tensor<2xf32>
// CHECK-NEXT:    ernn.constant dense<0x7F800001> : tensor<2xf32> -> tensor<2xf32>
// CHECK-NEXT:    ernn.constant dense<[1.000000e-01, 0x4170000010000000]> : tensor<2xf64> -> tensor<2xf64>
// CHECK-NEXT:    ernn.constant dense<0x7FF0000000000000> : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return
// MLIR:      dense<0x49742410> : tensor<4xf32>
// MLIR-NEXT: dense<0x7F800000> : tensor<f32>
// MLIR-NEXT: dense<[1.000000e+00, 0x7FC00000, -0.000000e+00, 0xFF800000]> : tensor<4xf32>
// MLIR-NEXT: dense<[0.000000e+00, -0.000000e+00]> : tensor<2xf32>
// MLIR-NEXT: dense<0x7F800001> : tensor<2xf32>
// MLIR-NEXT: dense<[1.000000e-01, 0x4170000010000000]> : tensor<2xf64>
// MLIR-NEXT: dense<0x7FF0000000000000> : tensor<f64>
func.func @constants() {
  %a = ernn.constant dense<1000001.0> : tensor<4xf32> -> tensor<4xf32>
  %b = ernn.constant dense<0x7F800000> : tensor<f32> -> tensor<f32>
  %c = ernn.constant dense<[1.0, 0x7FC00000, -0.0, 0xFF800000]> : tensor<4xf32> -> tensor<4xf32>
  %d = ernn.constant dense<[0.0, -0.0]> : tensor<2xf32> -> tensor<2xf32>
  %e = ernn.constant dense<0x7F800001> : tensor<2xf32> -> tensor<2xf32>
  %f = ernn.constant dense<[0.1, 16777217.0]> : tensor<2xf64> -> tensor<2xf64>
  %g = ernn.constant dense<0x7FF0000000000000> : tensor<f64> -> tensor<f64>
  func.return
}

// VALUE: [1000001.0, 1000001.0, 1000001.0, 1000001.0]
func.func @main() -> tensor<4xf32> {
  %a = ernn.constant dense<1000001.0> : tensor<4xf32> -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
