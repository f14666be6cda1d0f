// Dense constants that cannot be read: each is a located parse error, none a
// traceback; sizes beyond the memory budget are refused before anything is allocated.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback

func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:38: error: a dense hex string must start with 0x
  %a = ernn.constant dense<"1234"> : tensor<2xi8> -> tensor<2x!ernn.fixed<8, 0>>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:40: error: the dense hex string holds 2 bytes; tensor<4xi8> needs 4 (4 elements of 1 byte)
  %a = ernn.constant dense<"0x0102"> : tensor<4xi8> -> tensor<4x!ernn.fixed<8, 0>>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:38: error: the dense hex string holds characters that are not hex digits
  %a = ernn.constant dense<"0xZZ"> : tensor<1xi8> -> tensor<1x!ernn.fixed<8, 0>>
  func.return
}

// -----
// A hexadecimal literal in a float dense is the element's bit pattern (MLIR's rule).
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:28: error: a hexadecimal float literal is a bit pattern and cannot be negative
  %a = ernn.constant dense<-0x3F800000> : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:28: error: hexadecimal float literal 0x1FFFFFFFF has more than the 32 bits of f32
  %a = ernn.constant dense<0x1FFFFFFFF> : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:34: error: 1.0e39 is out of the range of f32 (write an infinity as its bits in hex, e.g. 0x7F800000 for f32)
  %a = ernn.constant dense<[1.0, 1.0e39]> : tensor<2xf32> -> tensor<2xf32>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:32: error: integer 256 does not fit i8 (range -128 to 255)
  %a = ernn.constant dense<[1, 256]> : tensor<2xi8> -> tensor<2x!ernn.fixed<8, 0>>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:42: error: the dense literal has shape [2], its type tensor<3xf32> has [3]
  %a = ernn.constant dense<[1.0, 2.0]> : tensor<3xf32> -> tensor<3xf32>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:32: error: dense<> is empty but its type holds 3 elements
  %a = ernn.constant dense<> : tensor<3xf32> -> tensor<3xf32>
  func.return
}

// -----
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:33: error: invalid escape in string literal (use \n, \t, \\, \" or two hex digits)
  %a = ernn.constant dense<"0x00\q"> : tensor<3xf32> -> tensor<3xf32>
  func.return
}

// -----
// xDSL stores dense elements of these integer widths only.
func.func @f() {
// CHECK: invalid-dense.mlir:[[# @LINE + 1]]:40: error: dense elements of i83 are not supported (integer widths 1, 8, 16, 32 and 64 are)
  %a = ernn.constant dense<"0x0102"> : tensor<4xi83> -> tensor<4x!ernn.fixed<8, 0>>
  func.return
}
