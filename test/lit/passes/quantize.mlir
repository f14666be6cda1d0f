// ernn-quantize: gate-level and fused frequency-level IR to fixed point.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --peepholes --seq-len 2 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-quantize | filecheck %s
// Applied twice: a no-op (the same IR).
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --peepholes --seq-len 2 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-quantize,ernn-quantize | filecheck %s
// Options: widths, fraction bits and modes per class.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | ernn-opt -p 'ernn-expand-cells,ernn-quantize{weight-bits=12 act-bits=12 act-frac=10 rounding=convergent}' | filecheck %s --check-prefix=OPTS
// Fused frequency level with the constant pool.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --block-size 4 | ernn-opt -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing,ernn-quantize | filecheck %s --check-prefix=FUSED
// Calibration prints the chosen formats.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | ernn-opt -p 'ernn-expand-cells,ernn-quantize{calibrate=2}' 2>&1 >/dev/null | filecheck %s --check-prefix=CAL
// Model-level IR is refused.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | not ernn-opt -p ernn-quantize 2>&1 | filecheck %s --check-prefix=MODEL
// Bad options.
// RUN: ernn-model gru --input-size 6 --hidden-size 8 --seq-len 2 --block-size 4 | not ernn-opt -p 'ernn-expand-cells,ernn-quantize{overflow=clamp}' 2>&1 | filecheck %s --check-prefix=BADOPT

// Widths by class, fraction bits from ranges (docs/quantization.md):
// x: the assumed |x| < 8 (input-max), 3 integer bits; weights and biases from
// their largest value; sigmoid outputs [0, 1] and tanh of |c| <= 2 (T = 2
// steps) below 1; the cell state |c| <= T = 2; h = o * tanh(c) below 1.
// CHECK-LABEL: func.func @main(%x: tensor<2x1x6xf32>) -> tensor<2x1x4xf32>
// CHECK-NEXT:    %x_q = ernn.quantize %x : tensor<2x1x6xf32> -> tensor<2x1x6x!ernn.fixed<16, 12>>
// CHECK-NEXT:    %w_x = ernn.circulant dense<{{.*}}> : tensor<8x2x4xi16> -> !ernn.circulant<32x6x!ernn.fixed<16, {{[0-9]+}}>, block = 4>
// CHECK:         %bias = ernn.constant dense<{{.*}}> : tensor<32xi16> -> tensor<32x!ernn.fixed<16, 14>>
// CHECK:         %r0 = ernn.constant dense<0> : tensor<1x4xi16> -> tensor<1x4x!ernn.fixed<16, [[R:[0-9]+]]>>
// CHECK-NEXT:    %c0 = ernn.constant dense<0> : tensor<1x8xi16> -> tensor<1x8x!ernn.fixed<16, 13>>
// CHECK-NEXT:    %y, %{{.*}}, %{{.*}} = ernn.scan(%x_q : tensor<2x1x6x!ernn.fixed<16, 12>>) init(%r0, %c0 : tensor<1x4x!ernn.fixed<16, [[R]]>>, tensor<1x8x!ernn.fixed<16, 13>>)
// CHECK-NEXT:    ^bb0(%x_t: tensor<1x6x!ernn.fixed<16, 12>>, %r: tensor<1x4x!ernn.fixed<16, [[R]]>>, %c: tensor<1x8x!ernn.fixed<16, 13>>):
// CHECK-NEXT:      %gx = ernn.circ_matvec %w_x, %x_t : {{.*}} -> tensor<1x32x!ernn.fixed<32, {{[0-9]+}}>>
// CHECK:           %i = ernn.sigmoid %i_pc : tensor<1x8x!ernn.fixed<32, {{[0-9]+}}>> -> tensor<1x8x!ernn.fixed<16, 14>>
// CHECK:           %c_next = ernn.add %fc, %ig : tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>>, tensor<1x8x!ernn.fixed<16, 14>> -> tensor<1x8x!ernn.fixed<16, 13>>
// CHECK:           %tc = ernn.tanh %c_next : tensor<1x8x!ernn.fixed<16, 13>> -> tensor<1x8x!ernn.fixed<16, 15>>
// CHECK-NEXT:      %h = ernn.mul %o, %tc : tensor<1x8x!ernn.fixed<16, 14>>, tensor<1x8x!ernn.fixed<16, 15>> -> tensor<1x8x!ernn.fixed<16, 15>>
// CHECK-NEXT:      %r_next = ernn.circ_matvec %proj, %h : {{.*}} -> tensor<1x4x!ernn.fixed<32, {{[0-9]+}}>>
// CHECK-NEXT:      %r_next_rq = ernn.requantize %r_next : tensor<1x4x!ernn.fixed<32, {{[0-9]+}}>> -> tensor<1x4x!ernn.fixed<16, [[R]]>>
// CHECK-NEXT:      ernn.yield %r_next_rq, %r_next_rq, %c_next
// CHECK:         %[[OUT:.*]] = ernn.dequantize %y : tensor<2x1x4x!ernn.fixed<16, [[R]]>> -> tensor<2x1x4xf32>
// CHECK-NEXT:    func.return %[[OUT]] : tensor<2x1x4xf32>

// OPTS:      %one = ernn.constant dense<16384> : tensor<8xi16> -> tensor<8x!ernn.fixed<16, 14>>
// OPTS-NEXT: %w_x_rz = ernn.circulant dense<{{.*}}> : tensor<4x2x4xi16> -> !ernn.circulant<16x6x!ernn.fixed<12,
// OPTS:      %r = ernn.sigmoid %{{.*}} {rounding = #ernn.rounding<convergent>} : tensor<1x8x!ernn.fixed<32, {{[0-9]+}}>> -> tensor<1x8x!ernn.fixed<12, 10>>

// One spectrum format for the concatenated x and r spectra; b = 4 multiplies
// by no twiddle but W^0 and W^1 = -i, which are exact, so the twiddle format
// takes all fraction bits.
// FUSED:      ernn.global @ws0 dense<{{.*}}> : tensor<8x3x3x2xi16> -> tensor<8x3x3x2x!ernn.fixed<16, {{[0-9]+}}>>
// FUSED:      %ws0 = ernn.get_global @ws0 -> tensor<8x3x3x2x!ernn.fixed<16, {{[0-9]+}}>>
// FUSED:      ernn.rfft %{{.*}} {twiddle = !ernn.fixed<16, 15>} : {{.*}} -> tensor<1x1x3x2x!ernn.fixed<24, [[S:[0-9]+]]>>
// FUSED:      ernn.rfft %{{.*}} {twiddle = !ernn.fixed<16, 15>} : {{.*}} -> tensor<1x2x3x2x!ernn.fixed<24, [[S]]>>
// FUSED:      %Y = ernn.spectral_mac %ws0, %Xc : {{.*}}, tensor<1x3x3x2x!ernn.fixed<24, [[S]]>> -> tensor<1x8x3x2x!ernn.fixed<32, [[A:[0-9]+]]>>
// FUSED-NEXT: %g = ernn.irfft %Y {twiddle = !ernn.fixed<16, 15>} : tensor<1x8x3x2x!ernn.fixed<32, [[A]]>> -> tensor<1x32x!ernn.fixed<32, {{[0-9]+}}>>

// CAL:      ernn-quantize: fixed-point formats
// CAL-NEXT: class
// CAL-NEXT: input {{.*}} calibrated
// CAL-NEXT: acc {{.*}} calibrated

// MODEL: error: ernn-quantize: 'ernn.lstm' is model-level IR; run ernn-expand-cells first

// BADOPT: error: ernn-quantize: overflow must be 'saturate' or 'wrap', got 'clamp'
