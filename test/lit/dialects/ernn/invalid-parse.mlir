// Parse errors and generic-form errors, located like verifier errors.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback

// Unknown op (the caret is at the token after the name, as in xDSL).
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Operation ernn.bogus is not registered
  %c = ernn.bogus %x : tensor<2xf32>
  func.return
}

// -----

// Unknown op in generic form.
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Operation ernn.bogus is not registered
  %c = "ernn.bogus"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----

// An operand of the wrong kind: a tensor where the custom format reads a circulant type.
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:3: error: tensor<2xf32> should be of base attribute ernn.circulant
  %c = ernn.circ_matvec %x, %x : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----

// Generic form: a property of the wrong integer type.
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:3: error: 'ernn.slice' op Expected attribute i64 but got i32
  %y = "ernn.slice"(%x) <{axis = 0 : i32, offset = 0 : i64}> : (tensor<2xf32>) -> tensor<1xf32>
  func.return
}

// -----

// Generic form: wrong operand count.
func.func @f(%x: tensor<2xf32>) {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:3: error: 'ernn.sigmoid' op Expected 1 operand, but got 2
  %y = "ernn.sigmoid"(%x, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----

// Custom form: a missing keyword.
func.func @f(%x: tensor<2x12xf32>) {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: Expected '('
  %s = ernn.slice %x dim 1 offset(4) : tensor<2x12xf32> -> tensor<2x8xf32>
  func.return
}

// -----

// Undefined SSA value: reported at its first use (xDSL reports it at the end of the file).
func.func @f() {
// CHECK: invalid-parse.mlir:[[# @LINE + 1]]:21: error: use of undefined value %nope (no definition in this region or an enclosing one; a function sees only its own values)
  %y = ernn.sigmoid %nope : tensor<2xf32> -> tensor<2xf32>
  func.return
}
