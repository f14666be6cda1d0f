// Invalid ernn_hw design ops: every verifier rule of design_ops.py, one chunk each.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN --allow-empty
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback

// clock must be positive
// expected-error @+1 {{clock must be > 0 MHz, got 0.0}}
ernn_hw.design @d device "ku060" clock 0.000000e+00 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// streams >= 1
// expected-error @+1 {{streams must be >= 1, got 0}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(0) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// period >= 1
// expected-error @+1 {{period must be >= 1, got 0}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(0) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// block a power of two
// expected-error @+1 {{block must be a power of two >= 2 for the FFT, got 6}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(6) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// no other ops in a design
// expected-error @+1 {{'test.op' cannot appear in a design (units, memories and phases only)}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  "test.op"() : () -> ()
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// unique symbols
// expected-error @+1 {{Redefinition of symbol "irfft0"}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @irfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// element-wise lanes divide the block
// expected-error @+1 {{@ew0 has 3 lanes, which do not divide the block size 4}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(3) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// exactly one MAC array
// expected-error @+1 {{needs exactly one ernn_hw.mac_array, got 2}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.mac_array @mac2 rows(1) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase on a missing unit
// expected-error @+1 {{phase on @nothing, which is not a unit of this design}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @nothing "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase kind fits the unit
// expected-error @+1 {{a 'drain' phase cannot run on @rfft0 (a fft_forward unit runs 'rfft' phases)}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @rfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase stream within the design
// expected-error @+1 {{phase on @irfft0 is for stream 3, but the design has 1 stream(s)}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(3) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// unit busier than the period
// expected-error @+1 {{@mac is busy 14 cycles per time step, more than the period 12}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(7) items [0, 1] offsets [0, 7]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// two items in one cycle
// expected-error @+1 {{@mac runs two items in cycle 2 of the period (row of matvec 0 part 0 (stream 0) and row of matvec 0 part 0 (stream 0))}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 2]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// two items in one cycle, across the period boundary
// expected-error @+1 {{@mac runs two items in cycle 0 of the period (row of matvec 0 part 0 (stream 0) and row of matvec 0 part 0 (stream 0))}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 10]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// mac rows >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
// expected-error @+1 {{rows must be >= 1, got 0}}
  ernn_hw.mac_array @mac rows(0) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// mac cols >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
// expected-error @+1 {{cols must be >= 1, got 0}}
  ernn_hw.mac_array @mac rows(2) cols(0) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// mac latency >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
// expected-error @+1 {{latency must be >= 1, got 0}}
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(0) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// mac cmul 3 or 4
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
// expected-error @+1 {{cmul (real multipliers per complex product) must be 3 or 4, got 2}}
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(2) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// mac formats fixed point
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
// expected-error @+1 {{the weight format must be an !ernn.fixed type, got f32}}
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : f32, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// fft node >= 0
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
// expected-error @+1 {{node must be >= 0, got -1}}
  ernn_hw.fft_unit @rfft0 node(-1) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// fft engines >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
// expected-error @+1 {{engines must be >= 1, got 0}}
  ernn_hw.fft_unit @rfft0 node(0) engines(0) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// fft latency >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
// expected-error @+1 {{latency must be >= 1, got 0}}
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(0)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// ew stage >= 0
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
// expected-error @+1 {{stage must be >= 0, got -2}}
  ernn_hw.ew_unit @ew0 stage(-2) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// ew lanes >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
// expected-error @+1 {{lanes must be >= 1, got 0}}
  ernn_hw.ew_unit @ew0 stage(0) lanes(0) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// ew latency >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
// expected-error @+1 {{latency must be >= 1, got 0}}
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(0)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// rom banks >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
// expected-error @+1 {{banks must be >= 1, got 0}}
  ernn_hw.rom @w banks(0) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// rom depth >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
// expected-error @+1 {{depth must be >= 1, got 0}}
  ernn_hw.rom @w banks(2) depth(0) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// rom contents shape
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
// expected-error @+1 {{contents must be [banks, depth, words] = [2, 3, block], got 2x4x4}}
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x4x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// buffer kind
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
// expected-error @+1 {{kind must be one of spectrum, vector, state, accumulator, frame, got 'scratch'}}
  ernn_hw.buffer @X0 "scratch" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// buffer copies >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
// expected-error @+1 {{copies must be >= 1, got 0}}
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(0)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// buffer width >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
// expected-error @+1 {{width must be >= 1, got 0}}
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(0) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase kind
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// expected-error @+1 {{kind must be one of row, col, drain, ew, rfft, got 'diagonal'}}
  ernn_hw.phase on @mac "diagonal" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase duration >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// expected-error @+1 {{duration must be >= 1, got 0}}
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(0) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase items and offsets of one length
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// expected-error @+1 {{items and offsets must be non-empty and of one length, got 2 and 1}}
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// phase items >= 0
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// expected-error @+1 {{items must be >= 0}}
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, -1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// a sweep needs its matvec
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// expected-error @+1 {{a 'row' phase needs mac(...)}}
  ernn_hw.phase on @mac "row" part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// a sweep needs its part
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// expected-error @+1 {{a 'row' phase needs part(...)}}
  ernn_hw.phase on @mac "row" mac(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
}

// -----

// first/last on sweeps only
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
// expected-error @+1 {{first and last apply to MAC sweeps (row and col phases) only}}
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) first duration(1) items [0, 1] offsets [5, 8]
}

// -----

// prefetch on sweeps and rfft only
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.rom @w banks(2) depth(3) dense<0> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [0, 3]
// expected-error @+1 {{only MAC sweeps and input rFFTs are prefetched}}
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) prefetch duration(1) items [0, 1] offsets [5, 8]
}

// -----

// copies >= 1
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  // expected-error @+1 {{copies must be >= 1, got 0}}
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) copies(0) latency(9)
}

// -----

// a copy of an element-wise unit runs one item at a time: blocks 0 and 2 both go to copy 0
// expected-error @+1 {{@ew0 (copy 0) runs two items in cycle 10 of the period}}
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.ew_unit @ew0 stage(0) lanes(4) copies(2) latency(9)
  ernn_hw.phase on @ew0 "ew" stage(0) stream(0) duration(1) items [0, 1, 2] offsets [10, 10, 10]
}

