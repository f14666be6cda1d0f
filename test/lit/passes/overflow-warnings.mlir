// Overflow found at compile time is a warning on stderr that names the op's
// location (the op it was derived from: ops a pass creates inherit the
// location of the op they replace) and the count; the run still succeeds.
//
// Calibration: the quantized module runs on the calibration inputs.  Here
// input-frac=15 leaves the inputs [-1, 1), which standard-normal calibration
// inputs exceed.
// RUN: ernn-opt %s -p 'ernn-expand-cells,ernn-quantize{calibrate=2 input-frac=15}' -o %t.cal.mlir 2>&1 | filecheck %s --check-prefix=CAL
// RUN: test -s %t.cal.mlir
// Ops inside the time loop point at the ernn.gru they were expanded from;
// here act-frac=16 leaves the activations [-0.5, 0.5).
// RUN: ernn-opt %s -p 'ernn-expand-cells,ernn-quantize{calibrate=1 act-frac=16}' -o /dev/null 2>&1 | filecheck %s --check-prefix=BODY
// Translation validation: the same for every pass of the pipeline, here with
// inputs assumed in [-1, 1) (input-max=1) but standard normal.
// RUN: ernn-opt %s -p 'ernn-pipeline{input-max=1}' --validate -o %t.val.mlir 2>&1 | filecheck %s --check-prefix=VAL
// RUN: test -s %t.val.mlir
// Within the ranges the compiler knows, nothing overflows and nothing is said.
// RUN: ernn-opt %s -p 'ernn-pipeline{data-bits=12 weight-bits=12}' --validate -o /dev/null 2>&1 | filecheck %s --check-prefix=QUIET

// CAL:       ernn-quantize: fixed-point formats
// CAL:       input {{ +}}fixed<16, 15> {{ +}}- {{ +}}option
// CAL:       overflow-warnings.mlir:[[# @LINE + 9]]:1: warning: 'ernn.quantize' op %x_q: {{[1-9][0-9]*}} overflow events on the 2 calibration input sets (values outside the result format, saturated or wrapped)
// CAL-NOT:   error
// VAL:       ernn-pipeline {{.*}} {{[1-9][0-9]*$}}
// VAL-NEXT:  overflow-warnings.mlir:[[# @LINE + 6]]:1: warning: 'ernn.quantize' op %x_q: {{[1-9][0-9]*}} overflow events on the translation-validation inputs (seed 0) after ernn-pipeline
// BODY:      overflow-warnings.mlir:[[# @LINE + 8]]:3: warning: 'ernn.sigmoid' op %r: {{[1-9][0-9]*}} overflow events on the 1 calibration input set
// BODY-NEXT: overflow-warnings.mlir:[[# @LINE + 7]]:3: warning: 'ernn.sigmoid' op %z: {{[1-9][0-9]*}} overflow events
// QUIET:     ernn-pipeline {{.*}} 0{{$}}
// QUIET-NOT: warning

func.func @main(%x: tensor<6x1x4xf32>) -> tensor<6x1x8xf32> {
  %wx = ernn.circulant dense<0.1> : tensor<6x1x4xf32> -> !ernn.circulant<24x4xf32, block = 4>
  %wh = ernn.circulant dense<0.05> : tensor<6x2x4xf32> -> !ernn.circulant<24x8xf32, block = 4>
  %y, %h = ernn.gru %x, %wx, %wh : tensor<6x1x4xf32>, !ernn.circulant<24x4xf32, block = 4>, !ernn.circulant<24x8xf32, block = 4> -> tensor<6x1x8xf32>, tensor<1x8xf32>
  func.return %y : tensor<6x1x8xf32>
}
