// Round trip of constants, shape manipulation and the time loop: custom -> generic -> custom.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn.constant"() <{value = dense<[1.500000e+00, -2.500000e-01]> : tensor<2xf32>}> : () -> tensor<2xf32>
// MLIR: "ernn.constant"() <{value = dense<[64, -32]> : tensor<2xi16>}> : () -> tensor<2x!ernn.fixed<16, 6>>
// MLIR: "ernn.circulant"()
// MLIR: "ernn.slice"
// MLIR-SAME: <{axis = 1 : i64, offset = 4 : i64}>
// MLIR: "ernn.scan"
// MLIR-SAME: operandSegmentSizes = array<i32: 2, 1>
// MLIR: "ernn.yield"

// CHECK-LABEL: func.func @constants()
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<[1.500000e+00, -2.500000e-01]> : tensor<2xf32> -> tensor<2xf32>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<1.000000e+00> : tensor<2x3xf64> -> tensor<2x3xf64>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<[127, -128, 0]> : tensor<3xi8> -> tensor<3x!ernn.fixed<8, 4>>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<[64, -32]> : tensor<2xi16> -> tensor<2x!ernn.fixed<16, 6>>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<[-2147483648, 2147483647]> : tensor<2xi32> -> tensor<2x!ernn.fixed<32, 16>>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<-1> : tensor<4xi16> -> tensor<4x!ernn.fixed<12, -2>>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32> -> tensor<2xf32>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<[1, -1]> : tensor<2xi8> -> tensor<2x!ernn.fixed<5, 3>>
// CHECK-NEXT:    %{{.*}} = ernn.constant dense<5> : tensor<i8> -> tensor<!ernn.fixed<4, 0>>
// CHECK-NEXT:    func.return
func.func @constants() {
  %f32 = ernn.constant dense<[1.5, -0.25]> : tensor<2xf32> -> tensor<2xf32>
  %f64 = ernn.constant dense<1.0> : tensor<2x3xf64> -> tensor<2x3xf64>
  %i8 = ernn.constant dense<[127, -128, 0]> : tensor<3xi8> -> tensor<3x!ernn.fixed<8, 4>>
  %i16 = ernn.constant dense<[64, -32]> : tensor<2xi16> -> tensor<2x!ernn.fixed<16, 6>>
  %i32 = ernn.constant dense<[-2147483648, 2147483647]> : tensor<2xi32> -> tensor<2x!ernn.fixed<32, 16>>
  %splat = ernn.constant dense<-1> : tensor<4xi16> -> tensor<4x!ernn.fixed<12, -2>>
  // Hex data: little-endian f32 1.0 and 2.0; i8 1 and -1.
  %hexf = ernn.constant dense<"0x0000803F00000040"> : tensor<2xf32> -> tensor<2xf32>
  %hexi = ernn.constant dense<"0x01FF"> : tensor<2xi8> -> tensor<2x!ernn.fixed<5, 3>>
  %scalar = ernn.constant dense<5> : tensor<i8> -> tensor<!ernn.fixed<4, 0>>
  func.return
}

// CHECK-LABEL: func.func @circulants()
// CHECK-NEXT:    %{{.*}} = ernn.circulant dense<[{{\[}}[1.000000e+00, 0.000000e+00], [2.000000e+00, 0.000000e+00]]]> : tensor<1x2x2xf32> -> !ernn.circulant<2x3xf32, block = 2>
// CHECK-NEXT:    %{{.*}} = ernn.circulant dense<2.500000e-01> : tensor<8x5x8xf64> -> !ernn.circulant<64x40xf64, block = 8>
// CHECK-NEXT:    %{{.*}} = ernn.circulant dense<[{{\[}}[16384, -16384, 0, 1]]]> : tensor<1x1x4xi16> -> !ernn.circulant<4x4x!ernn.fixed<16, 14>, block = 4>
// CHECK-NEXT:    %{{.*}} = ernn.circulant dense<3> : tensor<3x3x4xi8> -> !ernn.circulant<9x10x!ernn.fixed<6, 2>, block = 4>
// CHECK-NEXT:    func.return
func.func @circulants() {
  %a = ernn.circulant dense<[[[1.0, 0.0], [2.0, 0.0]]]> : tensor<1x2x2xf32> -> !ernn.circulant<2x3xf32, block = 2>
  %b = ernn.circulant dense<0.25> : tensor<8x5x8xf64> -> !ernn.circulant<64x40xf64, block = 8>
  %c = ernn.circulant dense<[[[16384, -16384, 0, 1]]]> : tensor<1x1x4xi16> -> !ernn.circulant<4x4x!ernn.fixed<16, 14>, block = 4>
  %d = ernn.circulant dense<3> : tensor<3x3x4xi8> -> !ernn.circulant<9x10x!ernn.fixed<6, 2>, block = 4>
  func.return
}

// CHECK-LABEL: func.func @shapes(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x12xf32>, %[[Y:[^:]*]]: tensor<2x4xf32>, %[[W:[^:]*]]: !ernn.circulant<64x40xf32, block = 8>)
// CHECK-NEXT:    %[[S:.*]] = ernn.slice %[[X]] dim(1) offset(4) : tensor<2x12xf32> -> tensor<2x8xf32>
// CHECK-NEXT:    %[[S0:.*]] = ernn.slice %[[X]] dim(0) offset(1) : tensor<2x12xf32> -> tensor<1x12xf32>
// CHECK-NEXT:    %[[C:.*]] = ernn.concat dim(1) %[[S]], %[[Y]], %[[X]] : tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x12xf32> -> tensor<2x24xf32>
// CHECK-NEXT:    %[[C1:.*]] = ernn.concat dim(0) %[[X]] : tensor<2x12xf32> -> tensor<2x12xf32>
// CHECK-NEXT:    %[[P:.*]] = ernn.pad %[[C]] : tensor<2x24xf32> -> tensor<2x32xf32>
// CHECK-NEXT:    %[[P0:.*]] = ernn.pad %[[Y]] : tensor<2x4xf32> -> tensor<2x4xf32>
// CHECK-NEXT:    %[[CP:.*]] = ernn.circulant_params %[[W]] : !ernn.circulant<64x40xf32, block = 8> -> tensor<8x5x8xf32>
// CHECK-NEXT:    %[[R:.*]] = ernn.reshape %[[CP]] : tensor<8x5x8xf32> -> tensor<8x40xf32>
// CHECK-NEXT:    %[[B:.*]] = ernn.broadcast %[[R]] dim(0) : tensor<8x40xf32> -> tensor<3x8x40xf32>
// CHECK-NEXT:    %[[B2:.*]] = ernn.broadcast %[[Y]] dim(2) : tensor<2x4xf32> -> tensor<2x4x5xf32>
// CHECK-NEXT:    func.return %[[P]], %[[B]]
func.func @shapes(%x: tensor<2x12xf32>, %y: tensor<2x4xf32>, %w: !ernn.circulant<64x40xf32, block = 8>) -> (tensor<2x32xf32>, tensor<3x8x40xf32>) {
  %s = ernn.slice %x dim(1) offset(4) : tensor<2x12xf32> -> tensor<2x8xf32>
  %s0 = ernn.slice %x dim(0) offset(1) : tensor<2x12xf32> -> tensor<1x12xf32>
  %c = ernn.concat dim(1) %s, %y, %x : tensor<2x8xf32>, tensor<2x4xf32>, tensor<2x12xf32> -> tensor<2x24xf32>
  %c1 = ernn.concat dim(0) %x : tensor<2x12xf32> -> tensor<2x12xf32>
  %p = ernn.pad %c : tensor<2x24xf32> -> tensor<2x32xf32>
  %p0 = ernn.pad %y : tensor<2x4xf32> -> tensor<2x4xf32>
  %cp = ernn.circulant_params %w : !ernn.circulant<64x40xf32, block = 8> -> tensor<8x5x8xf32>
  %r = ernn.reshape %cp : tensor<8x5x8xf32> -> tensor<8x40xf32>
  %b = ernn.broadcast %r dim(0) : tensor<8x40xf32> -> tensor<3x8x40xf32>
  %b2 = ernn.broadcast %y dim(2) : tensor<2x4xf32> -> tensor<2x4x5xf32>
  func.return %p, %b : tensor<2x32xf32>, tensor<3x8x40xf32>
}

// Fixed-point elements go through the shape ops unchanged.
// CHECK-LABEL: func.func @shapes_fixed(
// CHECK-NEXT:    ernn.slice %{{.*}} dim(0) offset(2) : tensor<6x!ernn.fixed<16, 8>> -> tensor<3x!ernn.fixed<16, 8>>
// CHECK-NEXT:    ernn.pad %{{.*}} : tensor<3x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 8>>
// CHECK-NEXT:    ernn.circulant_params %{{.*}} : !ernn.circulant<8x8x!ernn.fixed<16, 14>, block = 8> -> tensor<1x1x8x!ernn.fixed<16, 14>>
func.func @shapes_fixed(%x: tensor<6x!ernn.fixed<16, 8>>, %w: !ernn.circulant<8x8x!ernn.fixed<16, 14>, block = 8>) -> tensor<4x!ernn.fixed<16, 8>> {
  %s = ernn.slice %x dim(0) offset(2) : tensor<6x!ernn.fixed<16, 8>> -> tensor<3x!ernn.fixed<16, 8>>
  %p = ernn.pad %s : tensor<3x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<16, 8>>
  %cp = ernn.circulant_params %w : !ernn.circulant<8x8x!ernn.fixed<16, 14>, block = 8> -> tensor<1x1x8x!ernn.fixed<16, 14>>
  func.return %p : tensor<4x!ernn.fixed<16, 8>>
}

// A scan with two input sequences, one carried value and one step output.
// CHECK-LABEL: func.func @scan(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<5x1x4xf32>, %[[U:[^:]*]]: tensor<5x2xf32>, %[[H0:[^:]*]]: tensor<1x4xf32>)
// CHECK-NEXT:    %[[YS:.*]], %[[H:.*]] = ernn.scan(%[[X]], %[[U]] : tensor<5x1x4xf32>, tensor<5x2xf32>) init(%[[H0]] : tensor<1x4xf32>) -> tensor<5x1x4xf32>, tensor<1x4xf32> {
// CHECK-NEXT:    ^{{.*}}(%[[XT:.*]]: tensor<1x4xf32>, %[[UT:.*]]: tensor<2xf32>, %[[HT:.*]]: tensor<1x4xf32>):
// CHECK-NEXT:      %[[S:.*]] = ernn.add %[[XT]], %[[HT]] : tensor<1x4xf32>, tensor<1x4xf32> -> tensor<1x4xf32>
// CHECK-NEXT:      %[[T:.*]] = ernn.tanh %[[S]] : tensor<1x4xf32> -> tensor<1x4xf32>
// CHECK-NEXT:      ernn.yield %[[S]], %[[T]] : tensor<1x4xf32>, tensor<1x4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[YS]], %[[H]]
func.func @scan(%x: tensor<5x1x4xf32>, %u: tensor<5x2xf32>, %h0: tensor<1x4xf32>) -> (tensor<5x1x4xf32>, tensor<1x4xf32>) {
  %ys, %h = ernn.scan (%x, %u : tensor<5x1x4xf32>, tensor<5x2xf32>) init (%h0 : tensor<1x4xf32>) -> tensor<5x1x4xf32>, tensor<1x4xf32> {
  ^bb0(%xt: tensor<1x4xf32>, %ut: tensor<2xf32>, %ht: tensor<1x4xf32>):
    %s = ernn.add %xt, %ht : tensor<1x4xf32>, tensor<1x4xf32> -> tensor<1x4xf32>
    %t = ernn.tanh %s : tensor<1x4xf32> -> tensor<1x4xf32>
    ernn.yield %s, %t : tensor<1x4xf32>, tensor<1x4xf32>
  }
  func.return %ys, %h : tensor<5x1x4xf32>, tensor<1x4xf32>
}

// A reverse scan with no carried values (empty init).
// CHECK-LABEL: func.func @scan_reverse_no_carry(
// CHECK-NEXT:    %[[YS:.*]] = ernn.scan reverse(%{{.*}} : tensor<3x2xf32>) init() -> tensor<3x2xf32> {
// CHECK-NEXT:    ^{{.*}}(%[[XT:.*]]: tensor<2xf32>):
// CHECK-NEXT:      %[[S:.*]] = ernn.sigmoid %[[XT]] : tensor<2xf32> -> tensor<2xf32>
// CHECK-NEXT:      ernn.yield %[[S]] : tensor<2xf32>
// CHECK-NEXT:    }
func.func @scan_reverse_no_carry(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %ys = ernn.scan reverse (%x : tensor<3x2xf32>) init () -> tensor<3x2xf32> {
  ^bb0(%xt: tensor<2xf32>):
    %s = ernn.sigmoid %xt : tensor<2xf32> -> tensor<2xf32>
    ernn.yield %s : tensor<2xf32>
  }
  func.return %ys : tensor<3x2xf32>
}
