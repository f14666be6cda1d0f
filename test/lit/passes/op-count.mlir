// ernn-op-count prints the table and leaves the IR unchanged.
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --proj-size 4 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p 'ernn-expand-cells,ernn-circulant-to-fft,ernn-op-count{title="naive"},ernn-fft-fusion,ernn-weight-sharing,ernn-op-count{title="fused"}' | filecheck %s
// RUN: ernn-model lstm --input-size 6 --hidden-size 8 --seq-len 2 --dtype f64 --block-size 4 | ernn-opt -p ernn-op-count | filecheck %s --check-prefix=MODEL

// naive: input rFFTs 8*2 + 8*1 + 1*2 = 26; weight rFFTs the same; IRFFTs the same
// CHECK-LABEL: // naive
// CHECK:       // rFFT transforms (input) {{ +}}26 {{ +}}0
// CHECK-NEXT:  // rFFT transforms (weight, constant operand) {{ +}}26 {{ +}}0
// CHECK-NEXT:  // rFFT transforms (total) {{ +}}52 {{ +}}0
// CHECK-NEXT:  // IRFFT transforms {{ +}}26 {{ +}}0
// fused: x_t 2 + r 1 + h 2 = 5 rFFTs; 8 + 1 IRFFTs; 26 blocks x 3 bins
// CHECK-LABEL: // fused
// CHECK:       // rFFT transforms (input) {{ +}}5 {{ +}}0
// CHECK-NEXT:  // rFFT transforms (weight, constant operand) {{ +}}0 {{ +}}0
// CHECK-NEXT:  // rFFT transforms (total) {{ +}}5 {{ +}}0
// CHECK-NEXT:  // IRFFT transforms {{ +}}9 {{ +}}0
// CHECK-NEXT:  // complex MACs (spectral_mac) {{ +}}78 {{ +}}0
// CHECK:       // weight spectra {{ +}}{{[0-9,]+}} {{ +}}26
// Random weights share no block: no block-table rows.
// CHECK-NEXT:  // other constants
// CHECK:       builtin.module
// CHECK:       ernn.spectral_mac

// MODEL:      // circulant blocks (circ_matvec level) {{ +}}32 {{ +}}0
// MODEL-NEXT: // dense-equivalent MACs (circ_matvec level) {{ +}}448 {{ +}}0
// MODEL:      ernn.lstm
