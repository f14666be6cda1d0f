// ernn-pipeline: model level to the quantized, fused frequency level in one
// pass, on a small LSTM (N = 6, H = 8, b = 4, T = 2, f64).
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 -o %t.lstm.mlir
// Default: expand, FFT, fusion, weight sharing, PWL activations, fixed point.
// RUN: ernn-opt %t.lstm.mlir -p ernn-pipeline 2>/dev/null | filecheck %s
// The same as the passes spelled out one by one.
// RUN: ernn-opt %t.lstm.mlir -p ernn-pipeline 2>/dev/null > %t.pipe.mlir
// RUN: ernn-opt %t.lstm.mlir -p ernn-expand-cells,ernn-circulant-to-fft,ernn-fft-fusion,ernn-weight-sharing,ernn-approximate-activations,ernn-quantize 2>/dev/null > %t.spelled.mlir
// RUN: diff %t.pipe.mlir %t.spelled.mlir
// Float, exact activations: the fused frequency level in f64.
// RUN: ernn-opt %t.lstm.mlir -p 'ernn-pipeline{quantize=false approximate=false}' | filecheck %s --check-prefix=FLOAT
// No FFT: the quantized gate level.
// RUN: ernn-opt %t.lstm.mlir -p 'ernn-pipeline{fft=false}' 2>/dev/null | filecheck %s --check-prefix=GATE
// Widths reach ernn-quantize.
// RUN: ernn-opt %t.lstm.mlir -p 'ernn-pipeline{weight-bits=12 data-bits=12 acc-bits=24 segments=16}' 2>/dev/null | filecheck %s --check-prefix=WIDTHS
// The op-count report (stdout, before the IR).
// RUN: ernn-opt %t.lstm.mlir -p 'ernn-pipeline{report=true}' 2>/dev/null | filecheck %s --check-prefix=REPORT
// The PWL error report (stderr).
// RUN: ernn-opt %t.lstm.mlir -p ernn-pipeline 2>&1 >/dev/null | filecheck %s --check-prefix=PWL
// Bad options: an error naming the offending value, exit 1, no traceback, no output file.
// RUN: rm -f %t.bad
// RUN: not ernn-opt %t.lstm.mlir -p 'ernn-pipeline{weight-bits=40}' -o %t.bad 2>&1 | filecheck %s --check-prefix=BITS
// RUN: test ! -e %t.bad
// RUN: not ernn-opt %t.lstm.mlir -p 'ernn-pipeline{segments=3}' -o %t.bad 2>&1 | filecheck %s --check-prefix=SEG
// RUN: test ! -e %t.bad
// RUN: not ernn-opt %t.lstm.mlir -p 'ernn-pipeline{acc-bits=80}' 2>&1 | filecheck %s --check-prefix=ACC
// RUN: not ernn-opt %t.lstm.mlir -p 'ernn-pipeline{rounding=nearest}' 2>&1 | filecheck %s --check-prefix=ROUND
// RUN: not ernn-opt %t.lstm.mlir -p 'ernn-pipeline{no-such-option=1}' 2>&1 | filecheck %s --check-prefix=UNKNOWN
// calibrate is a count: true is not one (it used to mean 1 silently).
// RUN: not ernn-opt %t.lstm.mlir -p 'ernn-pipeline{calibrate=true}' 2>&1 | filecheck %s --check-prefix=CALBOOL

// CHECK:       builtin.module {
// CHECK-NEXT:    ernn.global @[[G:ws[0-9]+]] dense<"0x{{[0-9A-F]+}}"> : tensor<8x4x3x2xi16> -> tensor<8x4x3x2x!ernn.fixed<16, {{[0-9]+}}>>
// CHECK-LABEL:   func.func @main(%x: tensor<2x1x6xf64>) -> tensor<2x1x8xf64> {
// CHECK-NEXT:      %[[XQ:.*]] = ernn.quantize %x : tensor<2x1x6xf64> -> tensor<2x1x6x!ernn.fixed<16, {{[0-9]+}}>>
// CHECK-NEXT:      %[[W:.*]] = ernn.get_global @[[G]] -> tensor<8x4x3x2x!ernn.fixed<16, {{[0-9]+}}>>
// CHECK-NOT:       ernn.circulant
// CHECK:           %[[Y:[a-z0-9_]+]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} = ernn.scan(%[[XQ]] : tensor<2x1x6x!ernn.fixed<16, {{[0-9]+}}>>)
// CHECK-NEXT:      ^bb0(%x_t: tensor<1x6x!ernn.fixed<16, {{[0-9]+}}>>, %r: tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>>, %c: tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>>):
// One rFFT per input (r and the padded x_t), one spectral MAC over both, one IRFFT.
// (Fraction bits follow from value ranges; quantize-formats.mlir checks them.)
// CHECK-NEXT:        %[[XR:.*]] = ernn.rfft %r {twiddle = !ernn.fixed<16, {{[0-9]+}}>} : tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>> -> tensor<1x2x3x2x!ernn.fixed<24, [[F:[0-9]+]]>>
// CHECK-NEXT:        %[[XP:.*]] = ernn.pad %x_t
// CHECK-NEXT:        %[[XX:.*]] = ernn.rfft %[[XP]] {twiddle = !ernn.fixed<16, {{[0-9]+}}>}
// CHECK-NEXT:        %[[XC:.*]] = ernn.concat dim(1) %[[XX]], %[[XR]]
// CHECK-NEXT:        %[[S:.*]] = ernn.spectral_mac %[[W]], %[[XC]] : tensor<8x4x3x2x!ernn.fixed<16, {{[0-9]+}}>>, tensor<1x4x3x2x!ernn.fixed<24, [[F]]>> -> tensor<1x8x3x2x!ernn.fixed<32, {{[0-9]+}}>>
// CHECK-NEXT:        %[[GI:.*]] = ernn.irfft %[[S]] {twiddle = !ernn.fixed<16, {{[0-9]+}}>} : tensor<1x8x3x2x!ernn.fixed<32, {{[0-9]+}}>> -> tensor<1x32x!ernn.fixed<32, {{[0-9]+}}>>
// CHECK:             %i = ernn.pwl %i_in {x_min{{.*}}function = "sigmoid"{{.*}} : tensor<1x8x!ernn.fixed<32, {{[0-9]+}}>> -> tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>>
// CHECK:             %tc = ernn.pwl %c_next {x_min{{.*}}function = "tanh"
// CHECK:             ernn.yield
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[OUT:.*]] = ernn.dequantize %[[Y]] : tensor<2x1x8x!ernn.fixed<16, {{[0-9]+}}>> -> tensor<2x1x8xf64>
// CHECK-NEXT:      func.return %[[OUT]] : tensor<2x1x8xf64>
// CHECK-NOT:     ernn.sigmoid
// CHECK-NOT:     ernn.tanh
// CHECK-NOT:     ernn.cmul

// FLOAT:       builtin.module {
// FLOAT-NEXT:    ernn.global @[[G:ws[0-9]+]] dense<"0x{{[0-9A-F]+}}"> : tensor<8x4x3x2xf64> -> tensor<8x4x3x2xf64>
// FLOAT-LABEL:   func.func @main(%x: tensor<2x1x6xf64>) -> tensor<2x1x8xf64> {
// FLOAT-NEXT:      %[[W:.*]] = ernn.get_global @[[G]] -> tensor<8x4x3x2xf64>
// FLOAT-NOT:       ernn.quantize
// FLOAT:           ^bb0(%x_t: tensor<1x6xf64>, %r: tensor<1x8xf64>, %c: tensor<1x8xf64>):
// FLOAT-NEXT:        %[[XR:.*]] = ernn.rfft %r : tensor<1x8xf64> -> tensor<1x2x3x2xf64>
// FLOAT-NEXT:        %[[XP:.*]] = ernn.pad %x_t : tensor<1x6xf64> -> tensor<1x8xf64>
// FLOAT-NEXT:        %[[XX:.*]] = ernn.rfft %[[XP]] : tensor<1x8xf64> -> tensor<1x2x3x2xf64>
// FLOAT-NEXT:        %[[XC:.*]] = ernn.concat dim(1) %[[XX]], %[[XR]] : tensor<1x2x3x2xf64>, tensor<1x2x3x2xf64> -> tensor<1x4x3x2xf64>
// FLOAT-NEXT:        %[[S:.*]] = ernn.spectral_mac %[[W]], %[[XC]] : tensor<8x4x3x2xf64>, tensor<1x4x3x2xf64> -> tensor<1x8x3x2xf64>
// FLOAT-NEXT:        %[[GI:.*]] = ernn.irfft %[[S]] : tensor<1x8x3x2xf64> -> tensor<1x32xf64>
// FLOAT:             %i = ernn.sigmoid %i_in : tensor<1x8xf64> -> tensor<1x8xf64>
// FLOAT:             %tc = ernn.tanh %c_next : tensor<1x8xf64> -> tensor<1x8xf64>
// FLOAT:           func.return %y : tensor<2x1x8xf64>
// FLOAT-NOT:     ernn.fixed
// FLOAT-NOT:     ernn.pwl
// FLOAT-NOT:     ernn.dequantize

// GATE-LABEL: func.func @main(%x: tensor<2x1x6xf64>) -> tensor<2x1x8xf64> {
// GATE-NEXT:    %x_q = ernn.quantize %x : tensor<2x1x6xf64> -> tensor<2x1x6x!ernn.fixed<16, {{[0-9]+}}>>
// GATE-NEXT:    %w_x = ernn.circulant dense<{{.*}}> : tensor<8x2x4xi16> -> !ernn.circulant<32x6x!ernn.fixed<16, {{[0-9]+}}>, block = 4>
// GATE-NEXT:    %w_h = ernn.circulant dense<{{.*}}> : tensor<8x2x4xi16> -> !ernn.circulant<32x8x!ernn.fixed<16, {{[0-9]+}}>, block = 4>
// GATE-NOT:     ernn.global
// GATE:         ^bb0(%x_t: tensor<1x6x!ernn.fixed<16, {{[0-9]+}}>>, %r: tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>>, %c: tensor<1x8x!ernn.fixed<16, {{[0-9]+}}>>):
// GATE-NEXT:      %gx = ernn.circ_matvec %w_x, %x_t : {{.*}} -> tensor<1x32x!ernn.fixed<32, {{[0-9]+}}>>
// GATE-NEXT:      %gh = ernn.circ_matvec %w_h, %r : {{.*}} -> tensor<1x32x!ernn.fixed<32, {{[0-9]+}}>>
// GATE:           %i = ernn.pwl %i_in {x_min{{.*}}function = "sigmoid"
// GATE:         ernn.dequantize %y
// GATE-NOT:     ernn.rfft
// GATE-NOT:     ernn.spectral_mac

// WIDTHS:      ernn.global @{{ws[0-9]+}} dense<"0x{{[0-9A-F]+}}"> : tensor<8x4x3x2xi16> -> tensor<8x4x3x2x!ernn.fixed<12, {{[0-9]+}}>>
// WIDTHS:      %x_q = ernn.quantize %x : tensor<2x1x6xf64> -> tensor<2x1x6x!ernn.fixed<12, {{[0-9]+}}>>
// WIDTHS:      ernn.spectral_mac {{.*}} -> tensor<1x8x3x2x!ernn.fixed<24, {{[0-9]+}}>>
// WIDTHS:      %i = ernn.pwl %i_in {x_min{{.*}}function = "sigmoid"{{.*}} : tensor<1x8x!ernn.fixed<24, {{[0-9]+}}>> -> tensor<1x8x!ernn.fixed<12, {{[0-9]+}}>>
// WIDTHS:      ernn.dequantize

// Counts per time step, by hand.  w_x is 32x6 (p = 8, q = 2 after padding 6
// to 8), w_h is 32x8 (p = 8, q = 2), b = 4, K = b/2 + 1 = 3 bins.
//   input rFFTs:  x_t 2 blocks + r 2 blocks                  = 4
//   weight rFFTs: 0 (spectra are ernn.global constants)
//   IRFFTs:       one per output block of the fused MAC, p   = 8
//   complex MACs: p * (q_x + q_h) * K = 8 * 4 * 3            = 96
//   real mults, 4-mult complex: per block DC and Nyquist are real (1 each),
//     one complex bin (4): 6 * 32 blocks                     = 192
//   real mults, 3-mult complex: (1 + 1 + 3) * 32             = 160
//   ernn.mul: f*c, i*g, o*tanh(c'), 8 each                   = 24
//   weight spectra: 32 blocks * 3 bins * 2 * 16 bits         = 3,072
//   other constants: bias 32 + r0 8 + c0 8 values * 16 bits  = 768
// REPORT:      // ernn op count
// REPORT:      // rFFT transforms (input) {{ +}}4 {{ +}}0
// REPORT-NEXT: // rFFT transforms (weight, constant operand) {{ +}}0 {{ +}}0
// REPORT-NEXT: // rFFT transforms (total) {{ +}}4 {{ +}}0
// REPORT-NEXT: // IRFFT transforms {{ +}}8 {{ +}}0
// REPORT-NEXT: // complex MACs (spectral_mac) {{ +}}96 {{ +}}0
// REPORT-NEXT: // complex multiplies (cmul) {{ +}}0 {{ +}}0
// REPORT-NEXT: // real mults in frequency (4-mult complex) {{ +}}192 {{ +}}0
// REPORT-NEXT: // real mults in frequency (3-mult complex) {{ +}}160 {{ +}}0
// REPORT-NEXT: // element-wise real mults (ernn.mul) {{ +}}24 {{ +}}0
// REPORT:      // weight spectra {{ +}}3,072 {{ +}}32
// REPORT:      // other constants {{ +}}768
// REPORT:      builtin.module {
// REPORT:      ernn.spectral_mac

// PWL:      ernn-approximate-activations: worst-case error per table
// PWL:      sigmoid {{ +}}32 {{ +}}[-8, 8) {{ +}}f64 -> f64
// PWL-NEXT: tanh {{ +}}32 {{ +}}[-4, 4) {{ +}}f64 -> f64

// BITS:     error: ernn-pipeline: weight-bits must be in [2, 32], got 40
// BITS-NOT: Traceback
// SEG:      error: ernn-pipeline: segments must be a power of two, got 3
// SEG-NOT:  Traceback
// ACC:      error: ernn-pipeline: acc-bits must be in [2, 32], got 80
// ROUND:    error: ernn-pipeline: rounding must be 'half_up' or 'convergent', got 'nearest'
// UNKNOWN:     ernn-opt: error: {{.*}}no_such_option
// UNKNOWN-NOT: Traceback
// CALBOOL:     error: ernn-pipeline: calibrate is a count (number of random input sets), got true
// CALBOOL-NOT: Traceback
