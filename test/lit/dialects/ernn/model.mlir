// Round trip of the model-level ops (ernn.lstm, ernn.gru): custom -> generic -> custom.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn.lstm"
// MLIR-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>
// MLIR: "ernn.lstm"
// MLIR-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>
// MLIR-SAME: return_sequence = false
// MLIR-SAME: reverse
// MLIR: "ernn.gru"
// MLIR: "ernn.gru"
// MLIR-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0>, reset_after = false

// CHECK-LABEL: func.func @lstm_minimal(
// CHECK-SAME:    %[[X:.*]]: tensor<3x1x12xf32>) -> tensor<3x1x16xf32> {
// CHECK-NEXT:    %[[WX:.*]] = ernn.circulant dense<5.000000e-01> : tensor<16x3x4xf32> -> !ernn.circulant<64x12xf32, block = 4>
// CHECK-NEXT:    %[[WH:.*]] = ernn.circulant dense<2.500000e-01> : tensor<16x4x4xf32> -> !ernn.circulant<64x16xf32, block = 4>
// CHECK-NEXT:    %[[Y:.*]], %{{.*}}, %{{.*}} = ernn.lstm %[[X]], %[[WX]], %[[WH]] : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
// CHECK-NEXT:    func.return %[[Y]] : tensor<3x1x16xf32>
func.func @lstm_minimal(%x: tensor<3x1x12xf32>) -> tensor<3x1x16xf32> {
  %wx = ernn.circulant dense<0.5> : tensor<16x3x4xf32> -> !ernn.circulant<64x12xf32, block = 4>
  %wh = ernn.circulant dense<0.25> : tensor<16x4x4xf32> -> !ernn.circulant<64x16xf32, block = 4>
  %y, %h, %c = ernn.lstm %x, %wx, %wh : tensor<3x1x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x16xf32, block = 4> -> tensor<3x1x16xf32>, tensor<1x16xf32>, tensor<1x16xf32>
  func.return %y : tensor<3x1x16xf32>
}

// Every optional operand (bias, peephole, proj, h0, c0), reverse and the last step only.
// CHECK-LABEL: func.func @lstm_all_operands(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<3x2x12xf32>, %[[H0:[^:]*]]: tensor<2x8xf32>, %[[C0:[^:]*]]: tensor<2x16xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x16xf32>) {
// CHECK-NEXT:    %[[WX:.*]] = ernn.circulant {{.*}} -> !ernn.circulant<64x12xf32, block = 4>
// CHECK-NEXT:    %[[WH:.*]] = ernn.circulant {{.*}} -> !ernn.circulant<64x8xf32, block = 4>
// CHECK-NEXT:    %[[B:.*]] = ernn.constant dense<1.000000e-01> : tensor<64xf32> -> tensor<64xf32>
// CHECK-NEXT:    %[[P:.*]] = ernn.constant dense<-2.000000e-01> : tensor<3x16xf32> -> tensor<3x16xf32>
// CHECK-NEXT:    %[[PR:.*]] = ernn.circulant dense<1.000000e+00> : tensor<2x4x4xf32> -> !ernn.circulant<8x16xf32, block = 4>
// CHECK-NEXT:    %[[Y:.*]], %[[R:.*]], %[[C:.*]] = ernn.lstm %[[X]], %[[WX]], %[[WH]]
// CHECK-SAME:      bias(%[[B]] : tensor<64xf32>)
// CHECK-SAME:      peephole(%[[P]] : tensor<3x16xf32>)
// CHECK-SAME:      proj(%[[PR]] : !ernn.circulant<8x16xf32, block = 4>)
// CHECK-SAME:      h0(%[[H0]] : tensor<2x8xf32>)
// CHECK-SAME:      c0(%[[C0]] : tensor<2x16xf32>)
// CHECK-SAME:      {reverse, return_sequence = false}
// CHECK-SAME:      : tensor<3x2x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x8xf32, block = 4> -> tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x16xf32>
// CHECK-NEXT:    func.return %[[Y]], %[[R]], %[[C]] : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x16xf32>
func.func @lstm_all_operands(%x: tensor<3x2x12xf32>, %h0: tensor<2x8xf32>, %c0: tensor<2x16xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x16xf32>) {
  %wx = ernn.circulant dense<0.5> : tensor<16x3x4xf32> -> !ernn.circulant<64x12xf32, block = 4>
  %wh = ernn.circulant dense<0.25> : tensor<16x2x4xf32> -> !ernn.circulant<64x8xf32, block = 4>
  %b = ernn.constant dense<0.1> : tensor<64xf32> -> tensor<64xf32>
  %p = ernn.constant dense<-0.2> : tensor<3x16xf32> -> tensor<3x16xf32>
  %pr = ernn.circulant dense<1.0> : tensor<2x4x4xf32> -> !ernn.circulant<8x16xf32, block = 4>
  %y, %r, %c = ernn.lstm %x, %wx, %wh bias(%b : tensor<64xf32>) peephole(%p : tensor<3x16xf32>) proj(%pr : !ernn.circulant<8x16xf32, block = 4>) h0(%h0 : tensor<2x8xf32>) c0(%c0 : tensor<2x16xf32>) {reverse, return_sequence = false} : tensor<3x2x12xf32>, !ernn.circulant<64x12xf32, block = 4>, !ernn.circulant<64x8xf32, block = 4> -> tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x16xf32>
  func.return %y, %r, %c : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x16xf32>
}

// f64 LSTM with only c0 (h0 absent: the segment sizes must still line up).
// CHECK-LABEL: func.func @lstm_f64_c0_only(
// CHECK:         %{{.*}}, %{{.*}}, %[[C:.*]] = ernn.lstm %{{[^,]*}}, %{{[^,]*}}, %{{[^ ]*}} c0(%{{.*}} : tensor<1x8xf64>) : tensor<2x1x8xf64>, !ernn.circulant<32x8xf64, block = 8>, !ernn.circulant<32x8xf64, block = 8> -> tensor<2x1x8xf64>, tensor<1x8xf64>, tensor<1x8xf64>
// CHECK-NEXT:    func.return %[[C]] : tensor<1x8xf64>
func.func @lstm_f64_c0_only(%x: tensor<2x1x8xf64>, %c0: tensor<1x8xf64>) -> tensor<1x8xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<4x1x8xf64> -> !ernn.circulant<32x8xf64, block = 8>
  %wh = ernn.circulant dense<0.5> : tensor<4x1x8xf64> -> !ernn.circulant<32x8xf64, block = 8>
  %y, %h, %c = ernn.lstm %x, %wx, %wh c0(%c0 : tensor<1x8xf64>) : tensor<2x1x8xf64>, !ernn.circulant<32x8xf64, block = 8>, !ernn.circulant<32x8xf64, block = 8> -> tensor<2x1x8xf64>, tensor<1x8xf64>, tensor<1x8xf64>
  func.return %c : tensor<1x8xf64>
}

// GRU, reset after the recurrent matvec (the default, not printed), all optional operands.
// CHECK-LABEL: func.func @gru_reset_after(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x1x12xf32>, %[[H0:[^:]*]]: tensor<1x16xf32>)
// CHECK:         %[[BX:.*]] = ernn.constant dense<1.000000e-01> : tensor<48xf32> -> tensor<48xf32>
// CHECK-NEXT:    %[[BH:.*]] = ernn.constant dense<2.000000e-01> : tensor<48xf32> -> tensor<48xf32>
// CHECK-NEXT:    %[[Y:.*]], %[[H:.*]] = ernn.gru %[[X]], %{{[^,]*}}, %{{[^ ]*}} b_x(%[[BX]] : tensor<48xf32>) b_h(%[[BH]] : tensor<48xf32>) h0(%[[H0]] : tensor<1x16xf32>) : tensor<4x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<4x1x16xf32>, tensor<1x16xf32>
// CHECK-NOT:     reset_after
// CHECK-NEXT:    func.return %[[Y]], %[[H]]
func.func @gru_reset_after(%x: tensor<4x1x12xf32>, %h0: tensor<1x16xf32>) -> (tensor<4x1x16xf32>, tensor<1x16xf32>) {
  %wx = ernn.circulant dense<0.5> : tensor<12x3x4xf32> -> !ernn.circulant<48x12xf32, block = 4>
  %wh = ernn.circulant dense<0.5> : tensor<12x4x4xf32> -> !ernn.circulant<48x16xf32, block = 4>
  %bx = ernn.constant dense<0.1> : tensor<48xf32> -> tensor<48xf32>
  %bh = ernn.constant dense<0.2> : tensor<48xf32> -> tensor<48xf32>
  %y, %h = ernn.gru %x, %wx, %wh b_x(%bx : tensor<48xf32>) b_h(%bh : tensor<48xf32>) h0(%h0 : tensor<1x16xf32>) {reset_after = true} : tensor<4x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<4x1x16xf32>, tensor<1x16xf32>
  func.return %y, %h : tensor<4x1x16xf32>, tensor<1x16xf32>
}

// GRU, reset before the recurrent matvec, reverse, last step only, b_h only.
// CHECK-LABEL: func.func @gru_reset_before(
// CHECK:         %[[Y:.*]], %{{.*}} = ernn.gru %{{[^,]*}}, %{{[^,]*}}, %{{[^ ]*}} b_h(%{{.*}} : tensor<48xf32>) {reverse, reset_after = false, return_sequence = false} : tensor<4x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<1x16xf32>, tensor<1x16xf32>
// CHECK-NEXT:    func.return %[[Y]] : tensor<1x16xf32>
func.func @gru_reset_before(%x: tensor<4x1x12xf32>) -> tensor<1x16xf32> {
  %wx = ernn.circulant dense<0.5> : tensor<12x3x4xf32> -> !ernn.circulant<48x12xf32, block = 4>
  %wh = ernn.circulant dense<0.5> : tensor<12x4x4xf32> -> !ernn.circulant<48x16xf32, block = 4>
  %bh = ernn.constant dense<0.2> : tensor<48xf32> -> tensor<48xf32>
  %y, %h = ernn.gru %x, %wx, %wh b_h(%bh : tensor<48xf32>) {reverse, reset_after = false, return_sequence = false} : tensor<4x1x12xf32>, !ernn.circulant<48x12xf32, block = 4>, !ernn.circulant<48x16xf32, block = 4> -> tensor<1x16xf32>, tensor<1x16xf32>
  func.return %y : tensor<1x16xf32>
}
