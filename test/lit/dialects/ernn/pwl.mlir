// Round trip of ernn.pwl (float and fixed tables), written as its docstring says:
// `log2_step = 0 : i64`.
//
// (This test was expected to fail while `log2_step` used to be an IntAttr property, which rejected this
// documented spelling and printed `#builtin.int<N>` that mlir-opt cannot read;
// fixed in 53cc7d2 by making it IntegerAttr[I64].)
//
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn.pwl"
// MLIR-SAME: function = "sigmoid"
// MLIR-SAME: log2_step = 2 : i64
// MLIR: "ernn.pwl"
// MLIR: "ernn.pwl"
// MLIR-SAME: coeff = !ernn.fixed<16, 12>

// CHECK-LABEL: func.func @pwl(
// CHECK-NEXT:    %{{.*}} = ernn.pwl %{{.*}} {function = "sigmoid", x_min = -8.000000e+00 : f64, log2_step = 2 : i64, slopes = dense<[0.000000e+00, 1.250000e-01, 1.250000e-01, 0.000000e+00]> : tensor<4xf64>, intercepts = dense<[0.000000e+00, 5.000000e-01, 5.000000e-01, 1.000000e+00]> : tensor<4xf64>} : tensor<1x32xf32> -> tensor<1x32xf32>
// CHECK-NEXT:    %{{.*}} = ernn.pwl %{{.*}} {x_min = -1.000000e+00 : f64, log2_step = -1 : i64, slopes = dense<1.000000e+00> : tensor<4xf64>, intercepts = dense<0.000000e+00> : tensor<4xf64>} : tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:    %{{.*}} = ernn.pwl %{{.*}} {function = "tanh", x_min = -4.000000e+00 : f64, log2_step = 1 : i64, coeff = !ernn.fixed<16, 12>, slopes = dense<[0, 1024, 1024, 0]> : tensor<4xi16>, intercepts = dense<[-4096, 0, 0, 4096]> : tensor<4xi16>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
func.func @pwl(%x: tensor<1x32xf32>, %d: tensor<3xf64>, %q: tensor<4x!ernn.fixed<16, 8>>) {
  %0 = ernn.pwl %x {function = "sigmoid", x_min = -8.0 : f64, log2_step = 2 : i64, slopes = dense<[0.0, 0.125, 0.125, 0.0]> : tensor<4xf64>, intercepts = dense<[0.0, 0.5, 0.5, 1.0]> : tensor<4xf64>} : tensor<1x32xf32> -> tensor<1x32xf32>
  %1 = ernn.pwl %d {x_min = -1.0 : f64, log2_step = -1 : i64, slopes = dense<1.0> : tensor<4xf64>, intercepts = dense<0.0> : tensor<4xf64>} : tensor<3xf64> -> tensor<3xf64>
  %2 = ernn.pwl %q {function = "tanh", x_min = -4.0 : f64, log2_step = 1 : i64, coeff = !ernn.fixed<16, 12>, slopes = dense<[0, 1024, 1024, 0]> : tensor<4xi16>, intercepts = dense<[-4096, 0, 0, 4096]> : tensor<4xi16>} : tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 14>>
  func.return
}
