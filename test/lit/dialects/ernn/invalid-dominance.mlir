// Uses that no definition dominates: xDSL's verifier accepts them and the
// reference could not run them; ernn-opt and ernn-run refuse them at the use.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback

// A use above its definition, in straight-line code.
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
// CHECK: invalid-dominance.mlir:[[# @LINE + 1]]:3: error: 'ernn.add' op operand #1 (%c) is defined later in the same block; a value must be defined before its use, in the same block or an enclosing one
  %y = ernn.add %x, %c : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  %c = ernn.constant dense<1.0> : tensor<2xf32> -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----
// An ernn.scan body that reads a value defined after the scan.
func.func @f(%xs: tensor<3x2xf32>, %h0: tensor<2xf32>) -> tensor<2xf32> {
  %ys, %h = ernn.scan (%xs : tensor<3x2xf32>) init (%h0 : tensor<2xf32>) -> tensor<3x2xf32>, tensor<2xf32> {
  ^bb0(%xt: tensor<2xf32>, %hp: tensor<2xf32>):
// CHECK: invalid-dominance.mlir:[[# @LINE + 1]]:5: error: 'ernn.add' op operand #1 (%late) is defined after the 'ernn.scan' that holds the use; a value must be defined before its use, in the same block or an enclosing one
    %n = ernn.add %xt, %late : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
    ernn.yield %n, %n : tensor<2xf32>, tensor<2xf32>
  }
  %late = ernn.constant dense<1.0> : tensor<2xf32> -> tensor<2xf32>
  func.return %h : tensor<2xf32>
}

// -----
// A scan body that reads a value of another scan's body.
func.func @f(%xs: tensor<3x2xf32>, %h0: tensor<2xf32>) -> tensor<2xf32> {
  %ys, %h = ernn.scan (%xs : tensor<3x2xf32>) init (%h0 : tensor<2xf32>) -> tensor<3x2xf32>, tensor<2xf32> {
  ^bb0(%xt: tensor<2xf32>, %hp: tensor<2xf32>):
    %inner = ernn.add %xt, %hp : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
    ernn.yield %inner, %inner : tensor<2xf32>, tensor<2xf32>
  }
  %ys2, %h2 = ernn.scan (%xs : tensor<3x2xf32>) init (%h0 : tensor<2xf32>) -> tensor<3x2xf32>, tensor<2xf32> {
  ^bb0(%xt: tensor<2xf32>, %hp: tensor<2xf32>):
// The parser sees this one: the name is not visible in the second body.
// CHECK: invalid-dominance.mlir:[[# @LINE + 1]]:24: error: use of undefined value %inner (no definition in this region or an enclosing one; a function sees only its own values)
    %n = ernn.add %xt, %inner : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
    ernn.yield %n, %n : tensor<2xf32>, tensor<2xf32>
  }
  func.return %h2 : tensor<2xf32>
}

// -----
// A function reading a value of another function (func.func is isolated from above).
func.func @g() -> tensor<2xf32> {
  %c = ernn.constant dense<1.0> : tensor<2xf32> -> tensor<2xf32>
  func.return %c : tensor<2xf32>
}
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
// CHECK: invalid-dominance.mlir:[[# @LINE + 1]]:21: error: use of undefined value %c (no definition in this region or an enclosing one; a function sees only its own values)
  %y = ernn.add %x, %c : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
