// ernn-approximate-activations: sigmoid / tanh into PWL tables, float and fixed.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-approximate-activations 2>/dev/null | filecheck %s
// Applied twice: the same IR.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-approximate-activations,ernn-approximate-activations 2>/dev/null | filecheck %s
// The error report (stderr).
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | ernn-opt -p 'ernn-expand-cells,ernn-approximate-activations{sigmoid-segments=16 tanh-segments=64 tanh-min=-8.0 tanh-max=8.0}' 2>&1 >/dev/null | filecheck %s --check-prefix=REPORT
// Fixed point: fixed tables with a coeff format.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | ernn-opt -p 'ernn-expand-cells,ernn-quantize{acc-bits=20 acc-frac=12},ernn-approximate-activations' 2>&1 | filecheck %s --check-prefix=FIXED
// A segment width that is not a power of two.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | not ernn-opt -p 'ernn-expand-cells,ernn-approximate-activations{sigmoid-segments=12}' 2>&1 | filecheck %s --check-prefix=BAD
// Options are checked when the pipeline is parsed, whether or not the module
// has a sigmoid or tanh to approximate (this one has none: no cell expanded).
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 -o %t.gru.mlir
// RUN: not ernn-opt %t.gru.mlir -p 'ernn-approximate-activations{sigmoid-segments=0}' 2>&1 | filecheck %s --check-prefix=ZERO
// RUN: not ernn-opt %t.gru.mlir -p 'ernn-approximate-activations{sigmoid-min=8.0 sigmoid-max=-8.0}' 2>&1 | filecheck %s --check-prefix=ORDER
// RUN: not ernn-opt %t.gru.mlir -p 'ernn-approximate-activations{tanh-min=4 tanh-max=4}' 2>&1 | filecheck %s --check-prefix=EQUAL

// CHECK:     ^bb0
// CHECK-NOT: ernn.sigmoid
// CHECK:     %r = ernn.pwl %{{.*}} {x_min = -8.000000e+00 : f64, log2_step = {{(-1 : i64|#builtin.int<-1>)}}, function = "sigmoid", slopes = dense<{{.*}}> : tensor<32xf64>, intercepts = dense<{{.*}}> : tensor<32xf64>} : tensor<1x8xf32> -> tensor<1x8xf32>
// CHECK:     %n = ernn.pwl %n_in {x_min = -4.000000e+00 : f64, log2_step = {{(-2 : i64|#builtin.int<-2>)}}, function = "tanh", {{.*}} : tensor<32xf64>} : tensor<1x8xf32> -> tensor<1x8xf32>
// CHECK-NOT: ernn.tanh

// REPORT:      ernn-approximate-activations: worst-case error per table
// REPORT-NEXT: function
// REPORT-NEXT: sigmoid 16 [-8, 8) f32 -> f32 max |err| = 1.165e-02 (dense sampling)
// REPORT-NEXT: tanh 64 [-8, 8) f32 -> f32 max |err| = {{[0-9.]+}}e-03 (dense sampling)

// The sigmoid output holds [0, 1] (one integer bit and the sign), the coefficients their largest, sigmoid(8) < 1.
// FIXED:      sigmoid 32 [-8, 8) fixed<20, 12> -> fixed<16, 14> max |err| = {{.*}} (exhaustive)
// FIXED:      %r = ernn.pwl %{{.*}} {x_min = -8.000000e+00 : f64, log2_step = {{(-1 : i64|#builtin.int<-1>)}}, function = "sigmoid", slopes = dense<{{.*}}> : tensor<32xi16>, intercepts = dense<{{.*}}> : tensor<32xi16>, coeff = !ernn.fixed<16, 15>} : tensor<1x8x!ernn.fixed<20, 12>> -> tensor<1x8x!ernn.fixed<16, 14>>

// BAD: error: ernn-approximate-activations: sigmoid-segments must be a power of two, got 12
// ZERO:      error: ernn-approximate-activations: sigmoid-segments must be a power of two, got 0
// ZERO-NOT:  Traceback
// ORDER:     error: ernn-approximate-activations: sigmoid-min (8) must be smaller than sigmoid-max (-8)
// EQUAL:     error: ernn-approximate-activations: tanh-min (4) must be smaller than tanh-max (4)
