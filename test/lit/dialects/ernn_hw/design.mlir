// Round trip of the ernn_hw design ops: custom -> generic -> custom, and the
// generic form parsed by MLIR's mlir-opt.
// RUN: ernn-opt %s | ernn-opt --print-op-generic | ernn-opt | filecheck %s
// RUN: ernn-opt %s --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=MLIR

// MLIR: "ernn_hw.design"() <{block = 4 : i64, clock_mhz = 2.000000e+02 : f64, device = "ku060", period = 12 : i64, streams = 2 : i64, sym_name = "d"}>
// MLIR: "ernn_hw.mac_array"() <{cmul = 4 : i64, cols = 1 : i64, input = !ernn.fixed<24, 14>, latency = 5 : i64, rows = 2 : i64, sym_name = "mac", weight = !ernn.fixed<8, 7>}>
// MLIR: "ernn_hw.ew_unit"() <{copies = 2 : i64, lanes = 2 : i64, latency = 3 : i64, stage = 1 : i64, sym_name = "ew1"}>
// MLIR: "ernn_hw.phase"() <{duration = 3 : i64, first, items = array<i64: 0, 1>, kind = "row", last, mac = 0 : i64, offsets = array<i64: 0, 3>, part = 0 : i64, stream = 1 : i64, unit = @mac}>

// CHECK-LABEL: ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(2) period(12) block(4) {
// CHECK-NEXT:    ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
// CHECK-NEXT:    ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
// CHECK-NEXT:    ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
// CHECK-NEXT:    ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
// CHECK-NEXT:    ernn_hw.ew_unit @ew1 stage(1) lanes(2) copies(2) latency(3)
// CHECK-NEXT:    ernn_hw.rom @w banks(2) depth(3) dense<{{.*}}> : tensor<2x3x4xi8>
// CHECK-NEXT:    ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
// CHECK-NEXT:    ernn_hw.phase on @rfft0 "rfft" stream(0) prefetch duration(3) items [0] offsets [-12]
// CHECK-NEXT:    ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [-6, -3]
// CHECK-NEXT:    ernn_hw.phase on @mac "row" mac(0) part(0) stream(1) first last duration(3) items [0, 1] offsets [0, 3]
// CHECK-NEXT:    ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
// CHECK-NEXT:    ernn_hw.phase on @ew0 "ew" stage(0) stream(0) duration(2) items [0] offsets [10]
// CHECK-NEXT:    ernn_hw.phase on @ew1 "ew" stage(1) stream(0) duration(1) items [0, 1] offsets [11, 11]
// CHECK-NEXT:  }
ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(2) period(12) block(4) {
  ernn_hw.mac_array @mac rows(2) cols(1) cmul(4) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<24, 14>
  ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(4)
  ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(4)
  ernn_hw.ew_unit @ew0 stage(0) lanes(2) latency(9)
  ernn_hw.ew_unit @ew1 stage(1) lanes(2) copies(2) latency(3)
  ernn_hw.rom @w banks(2) depth(3) dense<[[[1, 2, 3, 4], [0, 0, 0, 0], [5, 6, 7, 8]], [[-1, -2, -3, -4], [0, 0, 0, 0], [9, 10, 11, 12]]]> : tensor<2x3x4xi8>
  ernn_hw.buffer @X0 "spectrum" of "x" banks(1) depth(3) width(96) copies(2)
  // Stream 1's sweeps fill the wait of stream 0 (and the other way round).
  ernn_hw.phase on @rfft0 "rfft" stream(0) prefetch duration(3) items [0] offsets [-12]
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) first last duration(3) items [0, 1] offsets [-6, -3]
  ernn_hw.phase on @mac "row" mac(0) part(0) stream(1) first last duration(3) items [0, 1] offsets [0, 3]
  ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1] offsets [5, 8]
  ernn_hw.phase on @ew0 "ew" stage(0) stream(0) duration(2) items [0] offsets [10]
  // Two copies: blocks 0 and 1 run in the same cycle, one on each.
  ernn_hw.phase on @ew1 "ew" stage(1) stream(0) duration(1) items [0, 1] offsets [11, 11]
}
