// The step level: a tiled LSTMP (4 inputs, 4 cells, 2 projections, b = 2) as
// ernn-tile writes it, its round trip, and MLIR's parse of the generic form.
// RUN: ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline{weight-bits=8},ernn-tile{rows=2}' > %t.mlir
// RUN: ernn-opt %t.mlir | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %t.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn_hw.accelerator"(%{{.*}}, %{{.*}}, %{{.*}}) <{design = @main_accel, operandSegmentSizes = array<i32: 1, 2>}>
// MLIR: "ernn_hw.mac"(%{{.*}}) <{base = 0 : i64, cols = 1 : i64, parts = array<i64: 2, 1>, row_order = array<i64: 0, 2, 4, 6, 1, 3, 5, 7>, rows = 2 : i64, weight_type = tensor<8x3x2x2x!ernn.fixed<8, {{[0-9]+}}>>, weights = @weights}>
// MLIR: "ernn_hw.yield"

// CHECK-LABEL: func.func @main(
// CHECK:         %[[Y:[^,]*]], %{{[^,]*}}, %{{[^ ]*}} = ernn_hw.accelerator @main_accel(%[[XQ:[^ ]*]] : tensor<3x1x4x!ernn.fixed<{{.*}}>>) init(%[[R0:[^,]*]], %[[C0:[^ ]*]] : tensor<1x2x!ernn.fixed<{{[^>]*}}>>, tensor<1x4x!ernn.fixed<{{[^>]*}}>>)
// CHECK-NEXT:    ^bb0(%[[XT:[^:]*]]: tensor<1x4x!ernn.fixed<{{[^>]*}}>>, %[[R:[^:]*]]: tensor<1x2x!ernn.fixed<{{[^>]*}}>>, %[[C:[^:]*]]: tensor<1x4x!ernn.fixed<{{[^>]*}}>>):
// CHECK-NEXT:      %[[X:[^ ]*]] = ernn.rfft %[[R]]
// CHECK-NEXT:      %[[X1:[^ ]*]] = ernn.rfft %[[XT]]
// CHECK-NEXT:      %[[XC:[^ ]*]] = ernn.concat dim(1) %[[X1]], %[[X]]
// The gate matvec reads its spectra from the ROM; rows in unit-block order (i, f, g, o of block 0, then block 1).
// CHECK-NEXT:      %[[G:[^ ]*]] = ernn_hw.mac %[[XC]] rom(@weights) base(0) rows(2) cols(1) row_order [0, 2, 4, 6, 1, 3, 5, 7] parts [2, 1]
// CHECK-SAME:        : tensor<1x3x2x2x!ernn.fixed<{{[^>]*}}>> -> tensor<1x8x2x2x!ernn.fixed<{{[^>]*}}>> weights tensor<8x3x2x2x!ernn.fixed<8, {{[0-9]+}}>>
// CHECK-NEXT:      %{{.*}} = ernn.irfft %[[G]]
// CHECK:           %[[P:[^ ]*]] = ernn_hw.mac %{{[^ ]*}} rom(@weights) base(12) rows(2) cols(1) row_order [0] parts [2]
// CHECK:           ernn_hw.yield %[[RN:[^,]*]], %[[RN]], %{{[^ ]*}} :
// CHECK-NEXT:    }
// CHECK-NEXT:    %{{.*}} = ernn.dequantize %[[Y]]
// CHECK-LABEL: ernn_hw.design @main_accel device "ku060" clock 2.000000e+02 streams(1) period({{[0-9]+}}) block(2) {
// CHECK-NEXT:    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, {{[0-9]+}}>, !ernn.fixed<{{[0-9]+}}, {{[0-9]+}}>
// CHECK:         ernn_hw.rom @weights banks(2) depth(14)
