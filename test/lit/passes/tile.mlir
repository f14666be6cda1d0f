// ernn-tile: the hardware level of a quantized LSTMP (4 inputs, 4 cells, 2
// projections, b = 2) and of a GRU with the reset before the matvec, and the
// diagnostics of requests that cannot be met.
// RUN: ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline{weight-bits=8},ernn-tile{rows=2 cols=1}' 2>/dev/null | filecheck %s
// RUN: ernn-opt %S/Inputs/gru_tiny.mlir -p 'ernn-pipeline,ernn-tile{multipliers=8 streams=1}' 2>/dev/null | filecheck %s --check-prefix=GRU
// Translation validation covers the tiling: the ROM layout is read back by the reference.
// RUN: ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline{weight-bits=8},ernn-tile{rows=2}' --validate -o /dev/null 2>&1 | filecheck %s --check-prefix=VALIDATE
// RUN: ernn-opt %S/Inputs/gru_tiny.mlir -p 'ernn-pipeline,ernn-tile{cols=2}' --validate -o /dev/null 2>&1 | filecheck %s --check-prefix=VALIDATE

// The time loop becomes an accelerator; weights move into the design's ROM.
// CHECK-LABEL: func.func @main(
// CHECK-NOT:     ernn.get_global
// CHECK:         ernn_hw.accelerator @main_accel(
// CHECK:           ernn_hw.mac %{{.*}} rom(@weights) base(0) rows(2) cols(1) row_order [0, 2, 4, 6, 1, 3, 5, 7] parts [2, 1]
// CHECK:           ernn_hw.mac %{{.*}} rom(@weights) base(12) rows(2) cols(1) row_order [0] parts [2]
// CHECK:           ernn_hw.yield
// CHECK-NOT:   ernn.global
// CHECK-LABEL: ernn_hw.design @main_accel device "ku060" clock 2.000000e+02 streams(1) period(51) block(2) {
// CHECK-NEXT:    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, {{[0-9]+}}>, !ernn.fixed<{{[0-9]+}}, {{[0-9]+}}>
// One forward unit per spectrum (state r, input x_t, h), one inverse unit per matvec, one element-wise unit per stage.
// CHECK-NEXT:    ernn_hw.fft_unit @rfft0 node(0) engines(1) latency(3)
// CHECK-NEXT:    ernn_hw.fft_unit @rfft1 node(1) engines(1) latency(3)
// CHECK-NEXT:    ernn_hw.fft_unit @rfft2 node(2) engines(1) latency(3)
// CHECK-NEXT:    ernn_hw.fft_unit @irfft0 inverse node(0) engines(2) latency(3)
// CHECK-NEXT:    ernn_hw.fft_unit @irfft1 inverse node(1) engines(1) latency(3)
// CHECK-NEXT:    ernn_hw.ew_unit @ew0 stage(0) lanes(1) latency(18)
// CHECK-NEXT:    ernn_hw.ew_unit @ew1 stage(1) lanes(2) latency(3)
// 14 words per bank: gates 4 groups x (2 + 1) chunks, projection 1 group x 2 chunks.
// CHECK-NEXT:    ernn_hw.rom @weights banks(2) depth(14) dense<
// CHECK-NEXT:    ernn_hw.buffer @X0_m0 "spectrum" of "rfft(state r)" banks(1) depth(1) width({{[0-9]+}}) copies(1)
// CHECK-NEXT:    ernn_hw.buffer @X1_m0 "spectrum" of "rfft(input x_t)" banks(1) depth(2)
// CHECK-NEXT:    ernn_hw.buffer @X2_m1 "spectrum" of "rfft(h)" banks(1) depth(2)
// CHECK-NEXT:    ernn_hw.buffer @acc0 "accumulator" of "g" banks(2) depth(4)
// CHECK-NEXT:    ernn_hw.buffer @acc1 "accumulator" of "r_next" banks(2) depth(1)
// CHECK:         ernn_hw.buffer @state1 "state" of "c" banks(1) depth(2)
// CHECK-NEXT:    ernn_hw.buffer @frame0 "frame" of "x_t" banks(1) depth(2)
// The schedule: the input's part of the gate matvec is prefetched in the previous period.
// CHECK-NEXT:    ernn_hw.phase on @rfft1 "rfft" stream(0) prefetch duration(2) items [1] offsets [-51]
// CHECK-NEXT:    ernn_hw.phase on @mac "row" mac(0) part(0) stream(0) prefetch first duration(2) items [0, 1, 2, 3] offsets [-15, -13, -11, -9]
// CHECK-NEXT:    ernn_hw.phase on @mac "row" mac(0) part(1) stream(0) last duration(1) items [0, 1, 2, 3] offsets [0, 1, 2, 3]
// CHECK-NEXT:    ernn_hw.phase on @irfft0 "drain" mac(0) stream(0) duration(1) items [0, 1, 2, 3] offsets [5, 6, 7, 8]
// CHECK-NEXT:    ernn_hw.phase on @ew0 "ew" stage(0) stream(0) duration(2) items [0, 1] offsets [11, 13]
// The projection sweeps columns as h's blocks arrive.
// CHECK-NEXT:    ernn_hw.phase on @mac "col" mac(1) part(0) stream(0) first duration(1) items [0] offsets [33]
// CHECK-NEXT:    ernn_hw.phase on @mac "col" mac(1) part(0) stream(0) last duration(1) items [1] offsets [35]
// CHECK-NEXT:    ernn_hw.phase on @irfft1 "drain" mac(1) stream(0) duration(2) items [0] offsets [40]
// CHECK-NEXT:    ernn_hw.phase on @ew1 "ew" stage(1) stream(0) duration(1) items [0] offsets [45]
// CHECK-NEXT:  }

// GRU, reset before the matvec: two matvecs, two stages, a value (z) passed between the stages.
// GRU-LABEL: ernn_hw.design @main_accel
// GRU:         ernn_hw.mac_array @mac rows(2) cols(2)
// GRU:         ernn_hw.ew_unit @ew0 stage(0)
// GRU-NEXT:    ernn_hw.ew_unit @ew1 stage(1)
// GRU:         ernn_hw.phase on @mac "col" mac(1) part(1)

// VALIDATE: ernn-tile {{ +}}0.000e+00

// -----
// Requests that cannot be met name the limit and the largest legal choice; nothing is replaced.
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{rows=9}' 2>&1 | filecheck %s --check-prefix=ROWS
// ROWS: lstmp_tiny.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'ernn.scan' op ernn-tile: rows=9 lanes exceed the 8 row blocks of the largest matvec: the largest useful choice is 8
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{ew-copies=3}' 2>&1 | filecheck %s --check-prefix=COPIES
// COPIES: lstmp_tiny.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'ernn.scan' op ernn-tile: ew-copies must be 0 (the planner's choice) or a power of two (the output FIFO has a bank per copy), got 3
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{ew-lanes=3}' 2>&1 | filecheck %s --check-prefix=LANES
// LANES: error: 'ernn.scan' op ernn-tile: ew-lanes=3 must divide the block size 2 (the largest legal choice is 2)
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{device=ecp5-85f multipliers=5000}' 2>&1 | filecheck %s --check-prefix=DSP
// DSP: error: 'ernn.scan' op ernn-tile: multipliers=5000 exceeds ecp5-85f: its 156 DSP slices hold at most {{[0-9]+}} MAC lanes of {{[0-9]+}} slices each, so the largest legal budget is {{[0-9]+}}
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{multipliers=1}' 2>&1 | filecheck %s --check-prefix=SMALL
// SMALL: error: 'ernn.scan' op ernn-tile: multipliers=1 is less than one MAC lane needs (2 for b=2, cmul=3): the smallest legal budget is 2
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{fps=1000000000.0}' 2>&1 | filecheck %s --check-prefix=FPS
// FPS: error: 'ernn.scan' op ernn-tile: no design reaches 1e+09 steps/s at 200 MHz on ku060: the fastest legal design runs {{.*}} steps/s
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{streams=2}' 2>&1 | filecheck %s --check-prefix=STREAMS
// STREAMS: error: 'ernn.scan' op ernn-tile: streams=2 interleaves more sequences than the batch of 1: the largest legal choice is 1
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{device=nope}' 2>&1 | filecheck %s --check-prefix=DEVICE
// DEVICE: error: ernn-tile: unknown device 'nope' (built in: ecp5-85f, ku060, vu9p, vx690t, zu9eg; or a .toml/.json file)
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline,ernn-tile{multipliers=8 rows=2}' 2>&1 | filecheck %s --check-prefix=BOTH
// BOTH: error: ernn-tile: give at most one of multipliers, fps and rows/cols (what to optimise)
// The hardware level needs the quantized, fused frequency level.
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-tile' 2>&1 | filecheck %s --check-prefix=LEVEL
// LEVEL: error: ernn-tile: the module has no ernn.scan time loop to map (run ernn-pipeline first)
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline{quantize=false},ernn-tile' 2>&1 | filecheck %s --check-prefix=FLOAT
// FLOAT: error: 'ernn.scan' op ernn-tile: the time loop's inputs must be fixed point (run ernn-quantize first)
