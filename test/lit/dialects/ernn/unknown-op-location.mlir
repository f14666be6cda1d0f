// An unknown op whose name ends its line is reported at the op, not at the
// next token (which xDSL's parser would give: the next line).
// RUN: not ernn-opt %s 2>&1 | filecheck %s

func.func @f() {
// CHECK: unknown-op-location.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: Operation ernn.bogus is not registered
// CHECK-NEXT: %c = ernn.bogus
  %c = ernn.bogus
  func.return
}
