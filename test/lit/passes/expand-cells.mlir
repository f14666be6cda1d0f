// ernn-expand-cells: ernn.lstm / ernn.gru into gate-level ops in an ernn.scan
// whose body is one time step.  Hand-written layers below (constant weights
// dense<0.5>/dense<0.25>, so the CHECK lines stay readable), one per chunk.
// RUN: ernn-opt --split-input-file %s -p ernn-expand-cells | filecheck %s
// Applied twice: the same IR (nothing left to expand).
// RUN: ernn-opt --split-input-file %s -p ernn-expand-cells,ernn-expand-cells | filecheck %s
//
// The IR size does not depend on T: the whole output for T = 2 and T = 50 is
// the same once the sequence dimension is renamed (and the scan body is the
// one checked by SCAN for both).
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells > %t.t2.mlir
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 50 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells > %t.t50.mlir
// RUN: filecheck %s --check-prefix=SCAN --input-file %t.t2.mlir
// RUN: filecheck %s --check-prefix=SCAN --input-file %t.t50.mlir
// RUN: sed -E 's/tensor<[0-9]+x1x/tensor<Tx1x/g' %t.t2.mlir > %t.n2.mlir
// RUN: sed -E 's/tensor<[0-9]+x1x/tensor<Tx1x/g' %t.t50.mlir > %t.n50.mlir
// RUN: diff %t.n2.mlir %t.n50.mlir
//
// Gate-level and frequency-level IR pass through unchanged.
// RUN: ernn-opt %t.t2.mlir -p ernn-expand-cells > %t.gate.mlir
// RUN: diff %t.t2.mlir %t.gate.mlir
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft > %t.fft.mlir
// RUN: ernn-opt %t.fft.mlir -p ernn-expand-cells > %t.fft2.mlir
// RUN: diff %t.fft.mlir %t.fft2.mlir
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing > %t.fused.mlir
// RUN: ernn-opt %t.fused.mlir -p ernn-expand-cells > %t.fused2.mlir
// RUN: diff %t.fused.mlir %t.fused2.mlir

// SCAN-LABEL: func.func @main(%x: tensor<{{(2|50)}}x1x6xf64>) -> tensor<{{(2|50)}}x1x8xf64>
// SCAN-NOT:   ernn.lstm
// SCAN:       %y, %{{.*}}, %{{.*}} = ernn.scan(%x : tensor<{{(2|50)}}x1x6xf64>) init(%r0, %c0 : tensor<1x8xf64>, tensor<1x8xf64>) -> tensor<{{(2|50)}}x1x8xf64>, tensor<1x8xf64>, tensor<1x8xf64> {
// SCAN-NEXT:  ^bb0(%x_t: tensor<1x6xf64>, %r: tensor<1x8xf64>, %c: tensor<1x8xf64>):
// SCAN-NEXT:    %gx = ernn.circ_matvec %w_x, %x_t
// SCAN-NEXT:    %gh = ernn.circ_matvec %w_h, %r
// SCAN-NEXT:    %g = ernn.add %gx, %gh
// SCAN-NEXT:    %gb = ernn.add %g, %bias
// SCAN-NEXT:    %i_in = ernn.slice %gb dim(1) offset(0)
// SCAN-NEXT:    %f_in = ernn.slice %gb dim(1) offset(8)
// SCAN-NEXT:    %g_in = ernn.slice %gb dim(1) offset(16)
// SCAN-NEXT:    %o_in = ernn.slice %gb dim(1) offset(24)
// SCAN-NEXT:    %i = ernn.sigmoid %i_in
// SCAN-NEXT:    %f = ernn.sigmoid %f_in
// SCAN-NEXT:    %[[G:.*]] = ernn.tanh %g_in
// SCAN-NEXT:    %fc = ernn.mul %f, %c
// SCAN-NEXT:    %ig = ernn.mul %i, %[[G]]
// SCAN-NEXT:    %c_next = ernn.add %fc, %ig
// SCAN-NEXT:    %o = ernn.sigmoid %o_in
// SCAN-NEXT:    %tc = ernn.tanh %c_next
// SCAN-NEXT:    %h = ernn.mul %o, %tc
// SCAN-NEXT:    ernn.yield %h, %h, %c_next : tensor<1x8xf64>, tensor<1x8xf64>, tensor<1x8xf64>
// SCAN-NEXT:  }
// SCAN-NEXT:  func.return %y : tensor<{{(2|50)}}x1x8xf64>

// (Each chunk of the split input below holds one function: an empty chunk does not parse.)
// An LSTM without peepholes or projection: zero initial state, one matvec
// per operand on x_t and r, bias added once, gates sliced i, f, g, o.

func.func @lstm(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<4x1x4xf64> -> !ernn.circulant<16x4xf64, block = 4>
  %wh = ernn.circulant dense<0.25> : tensor<4x1x4xf64> -> !ernn.circulant<16x4xf64, block = 4>
  %b = ernn.constant dense<0.125> : tensor<16xf64> -> tensor<16xf64>
  %y, %h, %c = ernn.lstm %x, %wx, %wh bias(%b : tensor<16xf64>) : tensor<3x1x4xf64>, !ernn.circulant<16x4xf64, block = 4>, !ernn.circulant<16x4xf64, block = 4> -> tensor<3x1x4xf64>, tensor<1x4xf64>, tensor<1x4xf64>
  func.return %y : tensor<3x1x4xf64>
}

// CHECK-LABEL: func.func @lstm(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
// CHECK-NEXT:    %wx = ernn.circulant dense<5.000000e-01> : tensor<4x1x4xf64> -> !ernn.circulant<16x4xf64, block = 4>
// CHECK-NEXT:    %wh = ernn.circulant dense<2.500000e-01> : tensor<4x1x4xf64> -> !ernn.circulant<16x4xf64, block = 4>
// CHECK-NEXT:    %b = ernn.constant dense<1.250000e-01> : tensor<16xf64> -> tensor<16xf64>
// CHECK-NEXT:    %r0 = ernn.constant dense<0.000000e+00> : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:    %c0 = ernn.constant dense<0.000000e+00> : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:    %[[Y:[a-z0-9_]+]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = ernn.scan(%x : tensor<3x1x4xf64>) init(%r0, %c0 : tensor<1x4xf64>, tensor<1x4xf64>) -> tensor<3x1x4xf64>, tensor<1x4xf64>, tensor<1x4xf64> {
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x4xf64>, %r: tensor<1x4xf64>, %[[C:[a-z0-9_]+]]: tensor<1x4xf64>):
// CHECK-NEXT:      %gx = ernn.circ_matvec %wx, %x_t : !ernn.circulant<16x4xf64, block = 4>, tensor<1x4xf64> -> tensor<1x16xf64>
// CHECK-NEXT:      %gh = ernn.circ_matvec %wh, %r : !ernn.circulant<16x4xf64, block = 4>, tensor<1x4xf64> -> tensor<1x16xf64>
// CHECK-NEXT:      %g = ernn.add %gx, %gh : tensor<1x16xf64>, tensor<1x16xf64> -> tensor<1x16xf64>
// CHECK-NEXT:      %gb = ernn.add %g, %b : tensor<1x16xf64>, tensor<16xf64> -> tensor<1x16xf64>
// CHECK-NEXT:      %i_in = ernn.slice %gb dim(1) offset(0) : tensor<1x16xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %f_in = ernn.slice %gb dim(1) offset(4) : tensor<1x16xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %g_in = ernn.slice %gb dim(1) offset(8) : tensor<1x16xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %o_in = ernn.slice %gb dim(1) offset(12) : tensor<1x16xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %i = ernn.sigmoid %i_in : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %f = ernn.sigmoid %f_in : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %[[G:[a-z0-9_]+]] = ernn.tanh %g_in : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %fc = ernn.mul %f, %[[C]] : tensor<1x4xf64>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %ig = ernn.mul %i, %[[G]] : tensor<1x4xf64>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %c_next = ernn.add %fc, %ig : tensor<1x4xf64>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %o = ernn.sigmoid %o_in : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %tc = ernn.tanh %c_next : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %[[H:[a-z0-9_]+]] = ernn.mul %o, %tc : tensor<1x4xf64>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      ernn.yield %[[H]], %[[H]], %c_next : tensor<1x4xf64>, tensor<1x4xf64>, tensor<1x4xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[Y]] : tensor<3x1x4xf64>
// CHECK-NEXT:  }

// -----
// LSTMP with peepholes, projection, given initial state, reverse and
// return_sequence = false: `ernn.scan reverse`, the carries start at %h0 and
// %c0, the recurrent state is the projection r' = W_proj h, and the layer's
// output is the scan's final carry r, not its sequence.

func.func @lstmp(%x: tensor<3x1x4xf64>, %h0: tensor<1x2xf64>, %c0: tensor<1x4xf64>) -> (tensor<1x2xf64>, tensor<1x2xf64>, tensor<1x4xf64>) {
  %wx = ernn.circulant dense<0.5> : tensor<8x2x2xf64> -> !ernn.circulant<16x4xf64, block = 2>
  %wh = ernn.circulant dense<0.25> : tensor<8x1x2xf64> -> !ernn.circulant<16x2xf64, block = 2>
  %p = ernn.constant dense<0.1> : tensor<3x4xf64> -> tensor<3x4xf64>
  %wp = ernn.circulant dense<0.3> : tensor<1x2x2xf64> -> !ernn.circulant<2x4xf64, block = 2>
  %y, %r, %c = ernn.lstm %x, %wx, %wh peephole(%p : tensor<3x4xf64>) proj(%wp : !ernn.circulant<2x4xf64, block = 2>) h0(%h0 : tensor<1x2xf64>) c0(%c0 : tensor<1x4xf64>) {return_sequence = false, reverse} : tensor<3x1x4xf64>, !ernn.circulant<16x4xf64, block = 2>, !ernn.circulant<16x2xf64, block = 2> -> tensor<1x2xf64>, tensor<1x2xf64>, tensor<1x4xf64>
  func.return %y, %r, %c : tensor<1x2xf64>, tensor<1x2xf64>, tensor<1x4xf64>
}

// CHECK-LABEL: func.func @lstmp(
// CHECK-NOT:     ernn.lstm
// CHECK:         %{{[a-z0-9_]+}}, %[[RN:[a-z0-9_]+]], %[[CN:[a-z0-9_]+]] = ernn.scan reverse(%x : tensor<3x1x4xf64>) init(%h0, %c0 : tensor<1x2xf64>, tensor<1x4xf64>) -> tensor<3x1x2xf64>, tensor<1x2xf64>, tensor<1x4xf64> {
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x4xf64>, %r: tensor<1x2xf64>, %[[C:[a-z0-9_]+]]: tensor<1x4xf64>):
// CHECK-NEXT:      %gx = ernn.circ_matvec %wx, %x_t : !ernn.circulant<16x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x16xf64>
// CHECK-NEXT:      %gh = ernn.circ_matvec %wh, %r : !ernn.circulant<16x2xf64, block = 2>, tensor<1x2xf64> -> tensor<1x16xf64>
// CHECK-NEXT:      %g = ernn.add %gx, %gh
// CHECK-NEXT:      %i_in = ernn.slice %g dim(1) offset(0)
// CHECK-NEXT:      %f_in = ernn.slice %g dim(1) offset(4)
// CHECK-NEXT:      %g_in = ernn.slice %g dim(1) offset(8)
// CHECK-NEXT:      %o_in = ernn.slice %g dim(1) offset(12)
// CHECK-NEXT:      %p_i = ernn.slice %p dim(0) offset(0) : tensor<3x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %p_f = ernn.slice %p dim(0) offset(1) : tensor<3x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %p_o = ernn.slice %p dim(0) offset(2) : tensor<3x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %[[PI:[0-9]+]] = ernn.mul %p_i, %[[C]]
// CHECK-NEXT:      %i_pc = ernn.add %i_in, %[[PI]]
// CHECK-NEXT:      %[[PF:[0-9]+]] = ernn.mul %p_f, %[[C]]
// CHECK-NEXT:      %f_pc = ernn.add %f_in, %[[PF]]
// CHECK-NEXT:      %i = ernn.sigmoid %i_pc
// CHECK-NEXT:      %f = ernn.sigmoid %f_pc
// CHECK-NEXT:      %[[G:[a-z0-9_]+]] = ernn.tanh %g_in
// CHECK-NEXT:      %fc = ernn.mul %f, %[[C]]
// CHECK-NEXT:      %ig = ernn.mul %i, %[[G]]
// CHECK-NEXT:      %c_next = ernn.add %fc, %ig
// The output-gate peephole reads the new cell state.
// CHECK-NEXT:      %[[PO:[0-9]+]] = ernn.mul %p_o, %c_next
// CHECK-NEXT:      %o_pc = ernn.add %o_in, %[[PO]]
// CHECK-NEXT:      %o = ernn.sigmoid %o_pc
// CHECK-NEXT:      %tc = ernn.tanh %c_next
// CHECK-NEXT:      %h = ernn.mul %o, %tc : tensor<1x4xf64>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %r_next = ernn.circ_matvec %wp, %h : !ernn.circulant<2x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x2xf64>
// CHECK-NEXT:      ernn.yield %r_next, %r_next, %c_next : tensor<1x2xf64>, tensor<1x2xf64>, tensor<1x4xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[RN]], %[[RN]], %[[CN]] : tensor<1x2xf64>, tensor<1x2xf64>, tensor<1x4xf64>

// -----
// GRU (reset after the recurrent matvec, the default) with constant weights:
// the pass splits each weight into the row groups r|z and n, so that r/z
// read one sum of their x- and recurrent parts (FFT fusion accumulates it in
// frequency) and n reads x_n + r * (W_hn h + b_hn).

func.func @gru(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<6x2x2xf64> -> !ernn.circulant<12x4xf64, block = 2>
  %wh = ernn.circulant dense<0.25> : tensor<6x2x2xf64> -> !ernn.circulant<12x4xf64, block = 2>
  %bx = ernn.constant dense<0.125> : tensor<12xf64> -> tensor<12xf64>
  %bh = ernn.constant dense<0.0625> : tensor<12xf64> -> tensor<12xf64>
  %y, %h = ernn.gru %x, %wx, %wh b_x(%bx : tensor<12xf64>) b_h(%bh : tensor<12xf64>) : tensor<3x1x4xf64>, !ernn.circulant<12x4xf64, block = 2>, !ernn.circulant<12x4xf64, block = 2> -> tensor<3x1x4xf64>, tensor<1x4xf64>
  func.return %y : tensor<3x1x4xf64>
}

// The whole weights are gone once split.
// CHECK-LABEL: func.func @gru(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
// CHECK-NEXT:    %bx = ernn.constant dense<1.250000e-01> : tensor<12xf64> -> tensor<12xf64>
// CHECK-NEXT:    %bh = ernn.constant dense<6.250000e-02> : tensor<12xf64> -> tensor<12xf64>
// CHECK-NEXT:    %h0 = ernn.constant dense<0.000000e+00> : tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:    %one = ernn.constant dense<1.000000e+00> : tensor<4xf64> -> tensor<4xf64>
// CHECK-NEXT:    %w_x_rz = ernn.circulant dense<5.000000e-01> : tensor<4x2x2xf64> -> !ernn.circulant<8x4xf64, block = 2>
// CHECK-NEXT:    %w_x_n = ernn.circulant dense<5.000000e-01> : tensor<2x2x2xf64> -> !ernn.circulant<4x4xf64, block = 2>
// CHECK-NEXT:    %w_h_rz = ernn.circulant dense<2.500000e-01> : tensor<4x2x2xf64> -> !ernn.circulant<8x4xf64, block = 2>
// CHECK-NEXT:    %w_h_n = ernn.circulant dense<2.500000e-01> : tensor<2x2x2xf64> -> !ernn.circulant<4x4xf64, block = 2>
// CHECK-NEXT:    %[[Y:[a-z0-9_]+]], %{{[a-z0-9_]+}} = ernn.scan(%x : tensor<3x1x4xf64>) init(%h0 : tensor<1x4xf64>) -> tensor<3x1x4xf64>, tensor<1x4xf64> {
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x4xf64>, %[[H:[a-z0-9_]+]]: tensor<1x4xf64>):
// CHECK-NEXT:      %gx_rz = ernn.circ_matvec %w_x_rz, %x_t : !ernn.circulant<8x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x8xf64>
// CHECK-NEXT:      %gh_rz = ernn.circ_matvec %w_h_rz, %[[H]] : !ernn.circulant<8x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x8xf64>
// CHECK-NEXT:      %g_rz = ernn.add %gx_rz, %gh_rz : tensor<1x8xf64>, tensor<1x8xf64> -> tensor<1x8xf64>
// CHECK-NEXT:      %bx_rz = ernn.slice %bx dim(0) offset(0) : tensor<12xf64> -> tensor<8xf64>
// CHECK-NEXT:      %g_rz_bx = ernn.add %g_rz, %bx_rz
// CHECK-NEXT:      %bh_rz = ernn.slice %bh dim(0) offset(0) : tensor<12xf64> -> tensor<8xf64>
// CHECK-NEXT:      %g_rz_b = ernn.add %g_rz_bx, %bh_rz
// CHECK-NEXT:      %r_in = ernn.slice %g_rz_b dim(1) offset(0) : tensor<1x8xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %r = ernn.sigmoid %r_in
// CHECK-NEXT:      %z_in = ernn.slice %g_rz_b dim(1) offset(4) : tensor<1x8xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %z = ernn.sigmoid %z_in
// CHECK-NEXT:      %gx_n = ernn.circ_matvec %w_x_n, %x_t : !ernn.circulant<4x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %bx_n = ernn.slice %bx dim(0) offset(8) : tensor<12xf64> -> tensor<4xf64>
// CHECK-NEXT:      %xn = ernn.add %gx_n, %bx_n
// CHECK-NEXT:      %gh_n = ernn.circ_matvec %w_h_n, %[[H]] : !ernn.circulant<4x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %bh_n = ernn.slice %bh dim(0) offset(8) : tensor<12xf64> -> tensor<4xf64>
// CHECK-NEXT:      %hn = ernn.add %gh_n, %bh_n
// CHECK-NEXT:      %[[RHN:[0-9]+]] = ernn.mul %r, %hn
// CHECK-NEXT:      %n_in = ernn.add %xn, %[[RHN]]
// CHECK-NEXT:      %n = ernn.tanh %n_in
// CHECK-NEXT:      %[[OMZ:[0-9]+]] = ernn.sub %one, %z : tensor<4xf64>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %[[A:[0-9]+]] = ernn.mul %[[OMZ]], %n
// CHECK-NEXT:      %[[B:[0-9]+]] = ernn.mul %z, %[[H]]
// CHECK-NEXT:      %h_next = ernn.add %[[A]], %[[B]]
// CHECK-NEXT:      ernn.yield %h_next, %h_next : tensor<1x4xf64>, tensor<1x4xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[Y]] : tensor<3x1x4xf64>

// -----
// GRU with the reset before the recurrent matvec (reset_after = false), no
// biases: n reads W_xn x + W_hn (r * h), one add for both parts.

func.func @gru_reset_before(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<6x2x2xf64> -> !ernn.circulant<12x4xf64, block = 2>
  %wh = ernn.circulant dense<0.25> : tensor<6x2x2xf64> -> !ernn.circulant<12x4xf64, block = 2>
  %y, %h = ernn.gru %x, %wx, %wh {reset_after = false} : tensor<3x1x4xf64>, !ernn.circulant<12x4xf64, block = 2>, !ernn.circulant<12x4xf64, block = 2> -> tensor<3x1x4xf64>, tensor<1x4xf64>
  func.return %y : tensor<3x1x4xf64>
}

// CHECK-LABEL: func.func @gru_reset_before(
// CHECK:         %w_x_rz = ernn.circulant
// CHECK-NEXT:    %w_x_n = ernn.circulant
// CHECK-NEXT:    %w_h_rz = ernn.circulant
// CHECK-NEXT:    %w_h_n = ernn.circulant
// CHECK-NEXT:    ernn.scan(%x : tensor<3x1x4xf64>) init(%h0 : tensor<1x4xf64>)
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x4xf64>, %[[H:[a-z0-9_]+]]: tensor<1x4xf64>):
// CHECK-NEXT:      %gx_rz = ernn.circ_matvec %w_x_rz, %x_t
// CHECK-NEXT:      %gh_rz = ernn.circ_matvec %w_h_rz, %[[H]]
// CHECK-NEXT:      %g_rz = ernn.add %gx_rz, %gh_rz
// CHECK-NEXT:      %r_in = ernn.slice %g_rz dim(1) offset(0)
// CHECK-NEXT:      %r = ernn.sigmoid %r_in
// CHECK-NEXT:      %z_in = ernn.slice %g_rz dim(1) offset(4)
// CHECK-NEXT:      %z = ernn.sigmoid %z_in
// CHECK-NEXT:      %rh = ernn.mul %r, %[[H]]
// CHECK-NEXT:      %gx_n = ernn.circ_matvec %w_x_n, %x_t
// CHECK-NEXT:      %gh_n = ernn.circ_matvec %w_h_n, %rh : !ernn.circulant<4x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %g_n = ernn.add %gx_n, %gh_n
// CHECK-NEXT:      %n = ernn.tanh %g_n
// CHECK:           ernn.yield %h_next, %h_next

// -----
// Weights that are not constants (function arguments) cannot be split: whole
// matvecs sliced by gate, and with reset_after = false a second recurrent
// matvec on r * h whose n rows are used.

func.func @gru_args(%x: tensor<3x1x4xf64>, %wx: !ernn.circulant<12x4xf64, block = 2>, %wh: !ernn.circulant<12x4xf64, block = 2>) -> tensor<3x1x4xf64> {
  %y, %h = ernn.gru %x, %wx, %wh {reset_after = false} : tensor<3x1x4xf64>, !ernn.circulant<12x4xf64, block = 2>, !ernn.circulant<12x4xf64, block = 2> -> tensor<3x1x4xf64>, tensor<1x4xf64>
  func.return %y : tensor<3x1x4xf64>
}

// CHECK-LABEL: func.func @gru_args(
// CHECK-NOT:     ernn.circulant dense
// CHECK:         ^bb0(%x_t: tensor<1x4xf64>, %[[H:[a-z0-9_]+]]: tensor<1x4xf64>):
// CHECK-NEXT:      %gx = ernn.circ_matvec %wx, %x_t : !ernn.circulant<12x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x12xf64>
// CHECK-NEXT:      %gh = ernn.circ_matvec %wh, %[[H]] : !ernn.circulant<12x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x12xf64>
// CHECK-NEXT:      %xr = ernn.slice %gx dim(1) offset(0)
// CHECK-NEXT:      %xz = ernn.slice %gx dim(1) offset(4)
// CHECK-NEXT:      %xn = ernn.slice %gx dim(1) offset(8)
// CHECK:           %rh = ernn.mul %r, %[[H]]
// CHECK-NEXT:      %ghr = ernn.circ_matvec %wh, %rh : !ernn.circulant<12x4xf64, block = 2>, tensor<1x4xf64> -> tensor<1x12xf64>
// CHECK-NEXT:      %hn_r = ernn.slice %ghr dim(1) offset(8) : tensor<1x12xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      %n_in = ernn.add %xn, %hn_r
// CHECK-NEXT:      %n = ernn.tanh %n_in
// CHECK:           ernn.yield %h_next, %h_next
// CHECK-NOT:     ernn.gru

// -----
// An LSTM with a projection and units = 6 of H = 8 (b = 4): the gates are
// sliced to the 6 real units, the cell is carried at 6, h is re-padded with
// zeros for the projection matvec, and c_n is re-padded after the scan.

func.func @lstm_units(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<8x1x4xf64> -> !ernn.circulant<32x4xf64, block = 4>
  %wh = ernn.circulant dense<0.25> : tensor<8x1x4xf64> -> !ernn.circulant<32x4xf64, block = 4>
  %p = ernn.circulant dense<0.5> : tensor<1x2x4xf64> -> !ernn.circulant<4x8xf64, block = 4>
  %y, %rn, %cn = ernn.lstm %x, %wx, %wh proj(%p : !ernn.circulant<4x8xf64, block = 4>) {units = 6 : i64} : tensor<3x1x4xf64>, !ernn.circulant<32x4xf64, block = 4>, !ernn.circulant<32x4xf64, block = 4> -> tensor<3x1x4xf64>, tensor<1x4xf64>, tensor<1x8xf64>
  func.return %y : tensor<3x1x4xf64>
}

// CHECK-LABEL: func.func @lstm_units(
// CHECK:         %c0 = ernn.constant dense<0.000000e+00> : tensor<1x6xf64> -> tensor<1x6xf64>
// CHECK-NEXT:    %y, %{{.*}}, %[[CN:[a-z0-9_]+]] = ernn.scan(%x : tensor<3x1x4xf64>) init(%r0, %c0 : tensor<1x4xf64>, tensor<1x6xf64>) -> tensor<3x1x4xf64>, tensor<1x4xf64>, tensor<1x6xf64> {
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x4xf64>, %r: tensor<1x4xf64>, %c: tensor<1x6xf64>):
// CHECK-NEXT:      %gx = ernn.circ_matvec %wx, %x_t : {{.*}} -> tensor<1x32xf64>
// CHECK-NEXT:      %gh = ernn.circ_matvec %wh, %r : {{.*}} -> tensor<1x32xf64>
// CHECK-NEXT:      %g = ernn.add %gx, %gh
// CHECK-NEXT:      %i_in = ernn.slice %g dim(1) offset(0) : tensor<1x32xf64> -> tensor<1x6xf64>
// CHECK-NEXT:      %f_in = ernn.slice %g dim(1) offset(8) : tensor<1x32xf64> -> tensor<1x6xf64>
// CHECK-NEXT:      %g_in = ernn.slice %g dim(1) offset(16) : tensor<1x32xf64> -> tensor<1x6xf64>
// CHECK-NEXT:      %o_in = ernn.slice %g dim(1) offset(24) : tensor<1x32xf64> -> tensor<1x6xf64>
// CHECK:           %h = ernn.mul %o, %tc : tensor<1x6xf64>, tensor<1x6xf64> -> tensor<1x6xf64>
// CHECK-NEXT:      %h_pad = ernn.pad %h : tensor<1x6xf64> -> tensor<1x8xf64>
// CHECK-NEXT:      %r_next = ernn.circ_matvec %p, %h_pad : !ernn.circulant<4x8xf64, block = 4>, tensor<1x8xf64> -> tensor<1x4xf64>
// CHECK-NEXT:      ernn.yield %r_next, %r_next, %c_next : tensor<1x4xf64>, tensor<1x4xf64>, tensor<1x6xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    %c_n_pad = ernn.pad %[[CN]] : tensor<1x6xf64> -> tensor<1x8xf64>
// CHECK-NEXT:    func.return %y : tensor<3x1x4xf64>

// -----
// A GRU with units = 6 of H = 8: h is carried at 6 and padded for the
// recurrent matvecs; the n-part matrices keep 6 logical rows; the outputs
// are padded after the scan.

func.func @gru_units(%x: tensor<3x1x4xf64>) -> tensor<3x1x8xf64> {
  %wx = ernn.circulant dense<0.5> : tensor<6x1x4xf64> -> !ernn.circulant<24x4xf64, block = 4>
  %wh = ernn.circulant dense<0.25> : tensor<6x2x4xf64> -> !ernn.circulant<24x8xf64, block = 4>
  %y, %hn = ernn.gru %x, %wx, %wh {units = 6 : i64} : tensor<3x1x4xf64>, !ernn.circulant<24x4xf64, block = 4>, !ernn.circulant<24x8xf64, block = 4> -> tensor<3x1x8xf64>, tensor<1x8xf64>
  func.return %y : tensor<3x1x8xf64>
}

// CHECK-LABEL: func.func @gru_units(
// CHECK:         %h0 = ernn.constant dense<0.000000e+00> : tensor<1x6xf64> -> tensor<1x6xf64>
// CHECK-NEXT:    %one = ernn.constant dense<1.000000e+00> : tensor<6xf64> -> tensor<6xf64>
// CHECK:         %w_x_n = ernn.circulant dense<5.000000e-01> : tensor<2x1x4xf64> -> !ernn.circulant<6x4xf64, block = 4>
// CHECK:         %w_h_n = ernn.circulant dense<2.500000e-01> : tensor<2x2x4xf64> -> !ernn.circulant<6x8xf64, block = 4>
// CHECK-NEXT:    %[[Y:[a-z0-9_]+]], %{{.*}} = ernn.scan(%x : tensor<3x1x4xf64>) init(%h0 : tensor<1x6xf64>) -> tensor<3x1x6xf64>, tensor<1x6xf64> {
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x4xf64>, %h: tensor<1x6xf64>):
// CHECK-NEXT:      %h_pad = ernn.pad %h : tensor<1x6xf64> -> tensor<1x8xf64>
// CHECK-NEXT:      %gx_rz = ernn.circ_matvec %w_x_rz, %x_t
// CHECK-NEXT:      %gh_rz = ernn.circ_matvec %w_h_rz, %h_pad
// CHECK-NEXT:      %g_rz = ernn.add %gx_rz, %gh_rz
// CHECK-NEXT:      %r_in = ernn.slice %g_rz dim(1) offset(0) : tensor<1x16xf64> -> tensor<1x6xf64>
// CHECK:           %z_in = ernn.slice %g_rz dim(1) offset(8) : tensor<1x16xf64> -> tensor<1x6xf64>
// CHECK:           %gh_n = ernn.circ_matvec %w_h_n, %h_pad : !ernn.circulant<6x8xf64, block = 4>, tensor<1x8xf64> -> tensor<1x6xf64>
// CHECK:           ernn.yield %h_next, %h_next : tensor<1x6xf64>, tensor<1x6xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    %y_pad = ernn.pad %[[Y]] : tensor<3x1x6xf64> -> tensor<3x1x8xf64>
// CHECK-NEXT:    %h_n_pad = ernn.pad
// CHECK-NEXT:    func.return %y_pad : tensor<3x1x8xf64>

// -----
// One matrix for both matvecs (w_x = w_h): it is sliced per gate for each use and then erased once
// (erasing it per use was an internal error, found by the fuzz suite).
// CHECK-LABEL: func.func @gru_shared_weights(
// CHECK:         %w_x_rz = ernn.circulant dense<5.000000e-01> : tensor<4x2x2xf64>
// CHECK:         %w_h_rz = ernn.circulant dense<5.000000e-01> : tensor<4x2x2xf64>
// CHECK-NOT:     ernn.circulant dense<5.000000e-01> : tensor<6x2x2xf64>
// CHECK:         ernn.scan
func.func @gru_shared_weights(%x: tensor<3x1x4xf64>) -> tensor<3x1x4xf64> {
  %w = ernn.circulant dense<0.5> : tensor<6x2x2xf64> -> !ernn.circulant<12x4xf64, block = 2>
  %y, %h = ernn.gru %x, %w, %w : tensor<3x1x4xf64>, !ernn.circulant<12x4xf64, block = 2>, !ernn.circulant<12x4xf64, block = 2> -> tensor<3x1x4xf64>, tensor<1x4xf64>
  func.return %y : tensor<3x1x4xf64>
}
