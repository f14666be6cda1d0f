// ernn-hw-report: cycles, rate, utilisation and resources of a tiled design, as text and JSON.
// RUN: ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline{weight-bits=8},ernn-tile{rows=2 cols=1},ernn-hw-report' -o /dev/null 2>/dev/null | filecheck %s
// The report is computed from the IR: a design written to a file and read back reports the same.
// RUN: ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-pipeline{weight-bits=8},ernn-tile{rows=2 cols=1}' -o %t.mlir 2>/dev/null
// RUN: ernn-opt %t.mlir -p 'ernn-hw-report' -o /dev/null | filecheck %s
// RUN: ernn-opt %t.mlir -p 'ernn-hw-report{format=json output="%t.json"}' -o /dev/null
// RUN: filecheck %s --check-prefix=JSON < %t.json
// RUN: not ernn-opt %t.mlir -p 'ernn-hw-report{format=yaml}' 2>&1 | filecheck %s --check-prefix=BAD
// RUN: not ernn-opt %S/Inputs/lstmp_tiny.mlir -p 'ernn-hw-report' 2>&1 | filecheck %s --check-prefix=NONE

// CHECK-LABEL: ernn-hw-report: @main_accel on ku060 at 200 MHz, 1 stream(s), b = 2
// CHECK-NEXT:    period (one step of every stream)  51 cycles
// CHECK-NEXT:    sequence of 3 steps {{ +}}{{[0-9,]+}} cycles (3 x 51 + {{[0-9,]+}} fill/drain)
// CHECK-NEXT:    latency of one step {{ +}}{{[0-9,]+}} cycles
// CHECK-NEXT:    throughput {{ +}}3,921,569 steps/s
// CHECK-NEXT:    MAC array {{ +}}2 x 1 lanes, 4 multipliers (cmul 3), 14 instructions per period
// 52 multiplies per step: 26 weight blocks (gates 8 x 3, projection 1 x 2) of 2 real bins.
// CHECK-NEXT:    MAC utilisation {{ +}}25.5 % (52 multiplies / (4 x 51 cycles))
// CHECK-NEXT:    device roofline {{ +}}1 cycles per period with all 2,760 DSPs busy (52 multiplies per step, 3-mult); this design runs at 2.0 % of it
// CHECK-NEXT:    DSP {{[0-9,]+}}/2,760 (4 MAC + {{[0-9]+}} element-wise multipliers)   BRAM18 {{[0-9,]+}}/2,160   LUT {{[0-9,]+}}/331,680   FF {{[0-9,]+}}/663,360
// CHECK-NEXT:    unit          busy   wait  (cycles per period)
// CHECK-NEXT:    mac {{ +}}14 {{ +}}37  27.5 % busy

// JSON: "design": "main_accel",
// JSON: "period_cycles": 51,
// JSON: "mac": {
// JSON-NEXT: "rows": 2,
// JSON-NEXT: "cols": 1,
// JSON-NEXT: "lanes": 2,
// JSON-NEXT: "cmul": 3,
// JSON-NEXT: "multipliers": 4,
// JSON-NEXT: "instructions_per_period": 14,
// JSON-NEXT: "multiplies_per_period": 52,

// BAD: error: ernn-hw-report: format must be 'text' or 'json', got 'yaml'
// NONE: error: ernn-hw-report: the module has no ernn_hw.accelerator (run ernn-tile first)
