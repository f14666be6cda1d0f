// Round trip of the frequency-domain ops: custom -> generic -> custom.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn.rfft"
// MLIR: "ernn.irfft"
// MLIR: "ernn.rfft"{{.*}}twiddle = !ernn.fixed<18, 16>
// MLIR: "ernn.irfft"{{.*}}twiddle = !ernn.fixed<16, 14>
// MLIR: "ernn.spectral_mac"
// MLIR: "ernn.cmul"
// MLIR: "ernn.reduce_sum"
// MLIR-SAME: dim = 2 : i64

// CHECK-LABEL: func.func @fft_float(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<1x160xf32>, %[[Y:[^:]*]]: tensor<2x3x16xf64>
// CHECK-NEXT:    %[[F:.*]] = ernn.rfft %[[X]] : tensor<1x160xf32> -> tensor<1x20x5x2xf32>
// CHECK-NEXT:    %{{.*}} = ernn.irfft %[[F]] : tensor<1x20x5x2xf32> -> tensor<1x160xf32>
// CHECK-NEXT:    %[[G:.*]] = ernn.rfft %[[Y]] : tensor<2x3x16xf64> -> tensor<2x3x4x3x2xf64>
// CHECK-NEXT:    %{{.*}} = ernn.irfft %[[G]] : tensor<2x3x4x3x2xf64> -> tensor<2x3x16xf64>
// CHECK-NEXT:    %{{.*}} = ernn.rfft %{{.*}} : tensor<2xf32> -> tensor<1x2x2xf32>
func.func @fft_float(%x: tensor<1x160xf32>, %y: tensor<2x3x16xf64>, %z: tensor<2xf32>) {
  %f = ernn.rfft %x : tensor<1x160xf32> -> tensor<1x20x5x2xf32>
  %r = ernn.irfft %f : tensor<1x20x5x2xf32> -> tensor<1x160xf32>
  // Block size 4 (3 bins), two leading dimensions.
  %g = ernn.rfft %y : tensor<2x3x16xf64> -> tensor<2x3x4x3x2xf64>
  %s = ernn.irfft %g : tensor<2x3x4x3x2xf64> -> tensor<2x3x16xf64>
  // Smallest FFT: block size 2, no leading dimensions.
  %h = ernn.rfft %z : tensor<2xf32> -> tensor<1x2x2xf32>
  func.return
}

// CHECK-LABEL: func.func @fft_fixed(
// CHECK-NEXT:    %[[F:.*]] = ernn.rfft %{{.*}} {twiddle = !ernn.fixed<18, 16>} : tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x2x5x2x!ernn.fixed<20, 8>>
// CHECK-NEXT:    %{{.*}} = ernn.irfft %[[F]] {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>, twiddle = !ernn.fixed<16, 14>} : tensor<1x2x5x2x!ernn.fixed<20, 8>> -> tensor<1x16x!ernn.fixed<16, 8>>
// CHECK-NEXT:    %{{.*}} = ernn.rfft %{{.*}} : tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x2x5x2x!ernn.fixed<16, 8>>
func.func @fft_fixed(%x: tensor<1x16x!ernn.fixed<16, 8>>) {
  %f = ernn.rfft %x {twiddle = !ernn.fixed<18, 16>} : tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x2x5x2x!ernn.fixed<20, 8>>
  %r = ernn.irfft %f {rounding = #ernn.rounding<convergent>, overflow = #ernn.overflow<wrap>, twiddle = !ernn.fixed<16, 14>} : tensor<1x2x5x2x!ernn.fixed<20, 8>> -> tensor<1x16x!ernn.fixed<16, 8>>
  %d = ernn.rfft %x : tensor<1x16x!ernn.fixed<16, 8>> -> tensor<1x2x5x2x!ernn.fixed<16, 8>>
  func.return
}

// CHECK-LABEL: func.func @mac(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<8x4x5x2xf32>, %[[X:[^:]*]]: tensor<1x4x5x2xf32>
// CHECK-NEXT:    %{{.*}} = ernn.spectral_mac %[[W]], %[[X]] : tensor<8x4x5x2xf32>, tensor<1x4x5x2xf32> -> tensor<1x8x5x2xf32>
// CHECK-NEXT:    %{{.*}} = ernn.spectral_mac %{{.*}}, %{{.*}} {overflow = #ernn.overflow<wrap>} : tensor<2x1x3x2x!ernn.fixed<16, 12>>, tensor<1x3x2x!ernn.fixed<16, 8>> -> tensor<2x3x2x!ernn.fixed<24, 12>>
// CHECK-NEXT:    %{{.*}} = ernn.cmul %[[W]], %{{.*}} : tensor<8x4x5x2xf32>, tensor<1x8x4x5x2xf32> -> tensor<1x8x4x5x2xf32>
// CHECK:         %{{.*}} = ernn.cmul %{{.*}}, %{{.*}} {rounding = #ernn.rounding<convergent>} : tensor<3x2x!ernn.fixed<16, 12>>, tensor<3x2x!ernn.fixed<16, 8>> -> tensor<3x2x!ernn.fixed<16, 10>>
// CHECK-NEXT:    %{{.*}} = ernn.reduce_sum %{{.*}} dim(2) : tensor<1x8x4x5x2xf32> -> tensor<1x8x5x2xf32>
// CHECK-NEXT:    %{{.*}} = ernn.reduce_sum %{{.*}} dim(0) : tensor<3x2x!ernn.fixed<16, 10>> -> tensor<2x!ernn.fixed<20, 10>>
func.func @mac(%w: tensor<8x4x5x2xf32>, %x: tensor<1x4x5x2xf32>, %wq: tensor<2x1x3x2x!ernn.fixed<16, 12>>, %xq: tensor<1x3x2x!ernn.fixed<16, 8>>, %xb: tensor<1x8x4x5x2xf32>) {
  %y = ernn.spectral_mac %w, %x : tensor<8x4x5x2xf32>, tensor<1x4x5x2xf32> -> tensor<1x8x5x2xf32>
  // Fixed point, block size 4, no leading dimensions on the result side.
  %yq = ernn.spectral_mac %wq, %xq {overflow = #ernn.overflow<wrap>} : tensor<2x1x3x2x!ernn.fixed<16, 12>>, tensor<1x3x2x!ernn.fixed<16, 8>> -> tensor<2x3x2x!ernn.fixed<24, 12>>
  %p = ernn.cmul %w, %xb : tensor<8x4x5x2xf32>, tensor<1x8x4x5x2xf32> -> tensor<1x8x4x5x2xf32>
  %a = ernn.reshape %wq : tensor<2x1x3x2x!ernn.fixed<16, 12>> -> tensor<3x2x2x!ernn.fixed<16, 12>>
  %a0 = ernn.slice %a dim(2) offset(0) : tensor<3x2x2x!ernn.fixed<16, 12>> -> tensor<3x2x1x!ernn.fixed<16, 12>>
  %a1 = ernn.reshape %a0 : tensor<3x2x1x!ernn.fixed<16, 12>> -> tensor<3x2x!ernn.fixed<16, 12>>
  %b1 = ernn.reshape %xq : tensor<1x3x2x!ernn.fixed<16, 8>> -> tensor<3x2x!ernn.fixed<16, 8>>
  %pq = ernn.cmul %a1, %b1 {rounding = #ernn.rounding<convergent>} : tensor<3x2x!ernn.fixed<16, 12>>, tensor<3x2x!ernn.fixed<16, 8>> -> tensor<3x2x!ernn.fixed<16, 10>>
  %s = ernn.reduce_sum %p dim(2) : tensor<1x8x4x5x2xf32> -> tensor<1x8x5x2xf32>
  %sq = ernn.reduce_sum %pq dim(0) : tensor<3x2x!ernn.fixed<16, 10>> -> tensor<2x!ernn.fixed<20, 10>>
  func.return
}
