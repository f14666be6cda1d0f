// The 64-bit exact accumulator of every fixed-point op, checked by the verifier
// from the operand formats (docs/numerics.md), so that a module that verifies
// can never run out of accumulator bits (or wrap) in the reference or in
// hardware.  Each chunk breaks the bound of one op; the MLIR-style
// expectations must match (exit 0), the chunks that fit print their module.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s --check-prefix=FITS
// The full diagnostic: location, source line and the bound spelled out.
// RUN: not ernn-opt %s --split-input-file 2>&1 | filecheck %s --check-prefix=TEXT

// The spectral MAC: 2 * q products of W and X per output component.
// 2 * 2 * 2^30 * 2^31 = 2^63 does not fit a signed 64-bit integer.
func.func @spectral_mac(%w: tensor<4x2x5x2x!ernn.fixed<31, 0>>, %x: tensor<1x2x5x2x!ernn.fixed<32, 0>>) {
  // expected-error @+1 {{'ernn.spectral_mac' op the spectral MAC needs an exact accumulator of 65 bits (2 * 2 products of !ernn.fixed<31, 0> and !ernn.fixed<32, 0> = 2^63.0), more than the 64 bits it has}}
  %y = ernn.spectral_mac %w, %x : tensor<4x2x5x2x!ernn.fixed<31, 0>>, tensor<1x2x5x2x!ernn.fixed<32, 0>> -> tensor<1x4x5x2x!ernn.fixed<32, 0>>
  func.return
}
// TEXT:      invalid-accumulator.mlir:14:3: error: 'ernn.spectral_mac' op the spectral MAC needs an exact accumulator of 65 bits (2 * 2 products of !ernn.fixed<31, 0> and !ernn.fixed<32, 0> = 2^63.0), more than the 64 bits it has; use narrower operand formats
// TEXT-NEXT:   %y = ernn.spectral_mac %w, %x
// TEXT-NEXT: {{^  \^}}

// -----
// One input block fewer fits: 2 * 1 * 2^30 * 2^31 = 2^62.
func.func @spectral_mac_fits(%w: tensor<4x1x5x2x!ernn.fixed<31, 0>>, %x: tensor<1x1x5x2x!ernn.fixed<32, 0>>) {
  %y = ernn.spectral_mac %w, %x : tensor<4x1x5x2x!ernn.fixed<31, 0>>, tensor<1x1x5x2x!ernn.fixed<32, 0>> -> tensor<1x4x5x2x!ernn.fixed<32, 0>>
  func.return
}
// FITS-LABEL: func.func @spectral_mac_fits
// FITS-NEXT:    ernn.spectral_mac

// -----
// The block-circulant matvec: q * b = 8 products per row, 8 * 2^31 * 2^31 = 2^65.
func.func @circ_matvec(%w: !ernn.circulant<8x8x!ernn.fixed<32, 0>, block = 4>, %x: tensor<1x8x!ernn.fixed<32, 0>>) {
  // expected-error @+1 {{the block-circulant matvec needs an exact accumulator of 67 bits (8 products of !ernn.fixed<32, 0> and !ernn.fixed<32, 0> = 2^65.0)}}
  %y = ernn.circ_matvec %w, %x : !ernn.circulant<8x8x!ernn.fixed<32, 0>, block = 4>, tensor<1x8x!ernn.fixed<32, 0>> -> tensor<1x8x!ernn.fixed<32, 0>>
  func.return
}

// -----
// The dense matvec: the products fit (4 * 2^15 * 2^15), but a bias with 48
// fraction bits shifts the sum 48 bits up.
func.func @dense_bias(%w: tensor<2x4x!ernn.fixed<16, 0>>, %x: tensor<1x4x!ernn.fixed<16, 0>>, %b: tensor<2x!ernn.fixed<16, 48>>) {
  // expected-error @+1 {{the dense matvec needs an exact accumulator of 82 bits (4 products of !ernn.fixed<16, 0> and !ernn.fixed<16, 0> plus the bias !ernn.fixed<16, 48>, aligned to 48 fraction bits}}
  %y = ernn.dense_matvec %w, %x bias %b : tensor<2x4x!ernn.fixed<16, 0>>, tensor<1x4x!ernn.fixed<16, 0>>, tensor<2x!ernn.fixed<16, 48>> -> tensor<1x2x!ernn.fixed<32, 0>>
  func.return
}

// -----
// Addition aligns both operands to the larger frac: 2^31 * 2^40 overflows.
func.func @add_alignment(%a: tensor<4x!ernn.fixed<32, 0>>, %b: tensor<4x!ernn.fixed<16, 40>>) {
  // expected-error @+1 {{'ernn.add' op 'ernn.add' needs an exact accumulator of 73 bits (!ernn.fixed<32, 0> and !ernn.fixed<16, 40> aligned to 40 fraction bits}}
  %y = ernn.add %a, %b : tensor<4x!ernn.fixed<32, 0>>, tensor<4x!ernn.fixed<16, 40>> -> tensor<4x!ernn.fixed<32, 0>>
  func.return
}

// -----
// The complex product: re = ar*br - ai*bi reaches 2 * 2^31 * 2^31 = 2^63.
func.func @cmul(%a: tensor<4x2x!ernn.fixed<32, 0>>, %b: tensor<4x2x!ernn.fixed<32, 0>>) {
  // expected-error @+1 {{the complex product needs an exact accumulator of 65 bits}}
  %y = ernn.cmul %a, %b : tensor<4x2x!ernn.fixed<32, 0>>, tensor<4x2x!ernn.fixed<32, 0>> -> tensor<4x2x!ernn.fixed<32, 0>>
  func.return
}

// -----
// A sum of 2^32 values of 32 bits.
func.func @reduce_sum(%x: tensor<4294967296x!ernn.fixed<32, 0>>) {
  // expected-error @+1 {{the sum needs an exact accumulator of 65 bits (4294967296 values of !ernn.fixed<32, 0> = 2^63.0)}}
  %y = ernn.reduce_sum %x dim(0) : tensor<4294967296x!ernn.fixed<32, 0>> -> tensor<!ernn.fixed<32, 0>>
  func.return
}

// -----
// The FFT butterfly multiplies a result-format value by a twiddle exactly.
func.func @rfft_twiddle(%x: tensor<1x8x!ernn.fixed<32, 16>>) {
  // expected-error @+1 {{the butterfly's twiddle product needs an exact accumulator of 65 bits (2 products of !ernn.fixed<32, 16> and the twiddle !ernn.fixed<32, 30> = 2^63.0)}}
  %y = ernn.rfft %x {twiddle = !ernn.fixed<32, 30>} : tensor<1x8x!ernn.fixed<32, 16>> -> tensor<1x1x5x2x!ernn.fixed<32, 16>>
  func.return
}

// -----
// A PWL table on an input with a negative frac: the product is shifted left by -Fi.
func.func @pwl_accumulator(%x: tensor<4x!ernn.fixed<32, -40>>) {
  // expected-error @+1 {{the table's slope * x + intercept needs an exact accumulator of 104 bits}}
  %y = ernn.pwl %x {x_min = 0.0 : f64, log2_step = 41 : i64, slopes = dense<[1, 2]> : tensor<2xi32>, intercepts = dense<[0, 1]> : tensor<2xi32>, coeff = !ernn.fixed<32, 0>} : tensor<4x!ernn.fixed<32, -40>> -> tensor<4x!ernn.fixed<16, 0>>
  func.return
}

// -----
// A segment must span whole input steps.
func.func @pwl_segment(%x: tensor<4x!ernn.fixed<16, 0>>) {
  // expected-error @+1 {{segment width 2^-1 is finer than the input lsb 2^0: a segment index needs whole input steps}}
  %y = ernn.pwl %x {x_min = -2.0 : f64, log2_step = -1 : i64, slopes = dense<[1, 2]> : tensor<2xi16>, intercepts = dense<[0, 1]> : tensor<2xi16>, coeff = !ernn.fixed<16, 8>} : tensor<4x!ernn.fixed<16, 0>> -> tensor<4x!ernn.fixed<16, 8>>
  func.return
}
