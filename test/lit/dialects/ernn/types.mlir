// Round trip of the ernn types and attributes: custom -> generic -> custom.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: function_type = (tensor<4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<8, -3>>, tensor<4x!ernn.fixed<4, 12>>
// MLIR-SAME: sym_name = "fixed_types"
// MLIR: !ernn.circulant<64x40x!ernn.fixed<16, 14>, block = 8>
// MLIR-SAME: sym_name = "circulant_types"
// MLIR: {o1 = #ernn.overflow<saturate>, o2 = #ernn.overflow<wrap>, r1 = #ernn.rounding<half_up>, r2 = #ernn.rounding<convergent>}
// MLIR: "ernn.add"
// MLIR-SAME: <{overflow = #ernn.overflow<wrap>, rounding = #ernn.rounding<convergent>}>

// CHECK-LABEL: func.func @fixed_types(
// CHECK-SAME:    %{{.*}}: tensor<4x!ernn.fixed<16, 8>>,
// CHECK-SAME:    %{{.*}}: tensor<4x!ernn.fixed<8, -3>>,
// CHECK-SAME:    %{{.*}}: tensor<4x!ernn.fixed<4, 12>>,
// CHECK-SAME:    %{{.*}}: tensor<!ernn.fixed<1, 0>>,
// CHECK-SAME:    %{{.*}}: tensor<2x!ernn.fixed<32, 31>>,
// CHECK-SAME:    %{{.*}}: tensor<2x!ernn.fixed<32, 128>>,
// CHECK-SAME:    %{{.*}}: tensor<2x!ernn.fixed<12, -128>>) {
func.func @fixed_types(%a: tensor<4x!ernn.fixed<16, 8>>, %b: tensor<4x!ernn.fixed<8, -3>>,
                       %c: tensor<4x!ernn.fixed<4, 12>>, %d: tensor<!ernn.fixed<1, 0>>,
                       %e: tensor<2x!ernn.fixed<32, 31>>, %f: tensor<2x!ernn.fixed<32,128>>,
                       %g: tensor<2x!ernn.fixed< 12 , -128 >>) {
  func.return
}

// CHECK-LABEL: func.func @circulant_types(
// CHECK-SAME:    %{{.*}}: !ernn.circulant<64x40xf32, block = 8>,
// CHECK-SAME:    %{{.*}}: !ernn.circulant<4096x153xf64, block = 16>,
// CHECK-SAME:    %{{.*}}: !ernn.circulant<64x40x!ernn.fixed<16, 14>, block = 8>,
// CHECK-SAME:    %{{.*}}: !ernn.circulant<1x1xf32, block = 1>,
// CHECK-SAME:    %{{.*}}: !ernn.circulant<5x3xf32, block = 4096>) {
func.func @circulant_types(%a: !ernn.circulant<64x40xf32, block = 8>,
                           %b: !ernn.circulant<4096x153xf64, block = 16>,
                           %c: !ernn.circulant<64x40x!ernn.fixed<16, 14>, block = 8>,
                           %d: !ernn.circulant<1x1xf32, block = 1>,
                           %e: !ernn.circulant<5x3xf32, block=4096>) {
  func.return
}

// CHECK-LABEL: func.func @enum_attrs()
// CHECK-SAME:    attributes {r1 = #ernn.rounding<half_up>, r2 = #ernn.rounding<convergent>, o1 = #ernn.overflow<saturate>, o2 = #ernn.overflow<wrap>}
func.func @enum_attrs() attributes {r1 = #ernn.rounding<half_up>, r2 = #ernn.rounding<convergent>, o1 = #ernn.overflow<saturate>, o2 = #ernn.overflow<wrap>} {
  func.return
}

// The attributes in use: rounding and overflow properties of a fixed-point op.
// CHECK-LABEL: func.func @attrs_on_op(
// CHECK-NEXT:    %{{.*}} = ernn.add %{{.*}}, %{{.*}} {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>} : tensor<4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<8, 2>>
func.func @attrs_on_op(%a: tensor<4x!ernn.fixed<16, 8>>) -> tensor<4x!ernn.fixed<8, 2>> {
  %r = ernn.add %a, %a {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>} : tensor<4x!ernn.fixed<16, 8>>, tensor<4x!ernn.fixed<16, 8>> -> tensor<4x!ernn.fixed<8, 2>>
  func.return %r : tensor<4x!ernn.fixed<8, 2>>
}
