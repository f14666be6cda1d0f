// Invalid constant-pool ops: every rule of ernn.gather_blocks (pool_ops.py) and
// the index-table rule of ernn.global.  Each chunk breaks one rule.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics | filecheck %s
// A chunk that wrongly verifies would print its module, so none may appear.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback
// ernn.gather_blocks: table with a dynamic dimension
func.func @f(%t: tensor<?x3x2xf64>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op table must have a static shape, got tensor<?x3x2xf64>
  %w = ernn.gather_blocks %t, %i : tensor<?x3x2xf64>, tensor<2x2xi8> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: index with a dynamic dimension
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<?x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op index must have a static shape, got tensor<?x2xi8>
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<?x2xi8> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: result with a dynamic dimension
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op result must have a static shape, got tensor<?x2x3x2xf64>
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xi8> -> tensor<?x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: integer table
func.func @f(%t: tensor<3x3x2xi16>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op table element type must be f32, f64 or !ernn.fixed, got i16
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xi16>, tensor<2x2xi8> -> tensor<2x2x3x2xi16>
  func.return
}

// -----
// ernn.gather_blocks: scalar table
func.func @f(%t: tensor<f64>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op table must have rank >= 1 ([blocks, block dims...]), got a scalar tensor
  %w = ernn.gather_blocks %t, %i : tensor<f64>, tensor<2x2xi8> -> tensor<2x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: empty table
func.func @f(%t: tensor<0x3x2xf64>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op table must hold at least one block, got 0
  %w = ernn.gather_blocks %t, %i : tensor<0x3x2xf64>, tensor<2x2xi8> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: float index
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<2x2xf64>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op index element type must be a signless i8, i16, i32 or i64, got f64
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xf64> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: unsigned index
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<2x2xui8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op index element type must be a signless i8, i16, i32 or i64, got ui8
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xui8> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: index width other than 8/16/32/64
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<2x2xi4>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op index element type must be a signless i8, i16, i32 or i64, got i4
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xi4> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: result element type differs from the table's
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op result element type f32 must be the table's f64
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xi8> -> tensor<2x2x3x2xf32>
  func.return
}

// -----
// ernn.gather_blocks: fixed-point formats must match exactly
func.func @f(%t: tensor<3x3x2x!ernn.fixed<16, 12>>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op result element type !ernn.fixed<16, 13> must be the table's !ernn.fixed<16, 12>
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2x!ernn.fixed<16, 12>>, tensor<2x2xi8> -> tensor<2x2x3x2x!ernn.fixed<16, 13>>
  func.return
}

// -----
// ernn.gather_blocks: result shape is not index shape ++ block shape
func.func @f(%t: tensor<3x3x2xf64>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.gather_blocks' op result (index shape ++ block shape) must have shape 2x2x3x2, got 2x3x3x2
  %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xi8> -> tensor<2x3x3x2xf64>
  func.return
}

// -----
// ernn.gather_blocks: an index entry of a module global past the table
builtin.module {
  ernn.global @t dense<0.0> : tensor<3x3x2xf64> -> tensor<3x3x2xf64>
  ernn.global @i dense<[[0, 1], [2, 3]]> : tensor<2x2xi8> -> tensor<2x2xi8>
  func.func @f() {
    %t = ernn.get_global @t -> tensor<3x3x2xf64>
    %i = ernn.get_global @i -> tensor<2x2xi8>
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:5: error: 'ernn.gather_blocks' op index entry 3 is out of range for a table of 3 block(s)
    %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xi8> -> tensor<2x2x3x2xf64>
    func.return
  }
}

// -----
// ernn.gather_blocks: a negative index entry of a module global
builtin.module {
  ernn.global @t dense<0.0> : tensor<3x3x2xf64> -> tensor<3x3x2xf64>
  ernn.global @i dense<[[0, -1], [2, 1]]> : tensor<2x2xi16> -> tensor<2x2xi16>
  func.func @f() {
    %t = ernn.get_global @t -> tensor<3x3x2xf64>
    %i = ernn.get_global @i -> tensor<2x2xi16>
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:5: error: 'ernn.gather_blocks' op index entry -1 is out of range for a table of 3 block(s)
    %w = ernn.gather_blocks %t, %i : tensor<3x3x2xf64>, tensor<2x2xi16> -> tensor<2x2x3x2xf64>
    func.return
  }
}

// -----
// ernn.gather_blocks: operands must be tensors (IRDL constraint)
func.func @f(%t: !ernn.circulant<8x8xf64, block = 4>, %i: tensor<2x2xi8>) {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: !ernn.circulant<8x8xf64, block = 4> should be of base attribute tensor
  %w = ernn.gather_blocks %t, %i : !ernn.circulant<8x8xf64, block = 4>, tensor<2x2xi8> -> tensor<2x2x3x2xf64>
  func.return
}

// -----
// ernn.global: an index table stored as another integer type
builtin.module {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.global' op value is stored as i16 but the value type is i8
  ernn.global @i dense<[[0, 1], [2, 1]]> : tensor<2x2xi16> -> tensor<2x2xi8>
}

// -----
// ernn.global: integer globals are index tables: signless i8/i16/i32/i64 only
// (i1 is a width xDSL stores, so the rule of ernn.global is what refuses it;
// widths it cannot store, such as i4, are refused by the parser: invalid-dense.mlir)
builtin.module {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:3: error: 'ernn.global' op type element type must be f32, f64, !ernn.fixed or (an index table) a signless i8, i16, i32 or i64, got i1
  ernn.global @i dense<[[false, true], [true, false]]> : tensor<2x2xi1> -> tensor<2x2xi1>
}

// -----
// ernn.global: dense elements of a width xDSL cannot store (i4) are refused where they are written
builtin.module {
// CHECK: invalid-pool.mlir:[[# @LINE + 1]]:44: error: dense elements of i4 are not supported (integer widths 1, 8, 16, 32 and 64 are)
  ernn.global @i dense<[[0, 1], [2, 1]]> : tensor<2x2xi4> -> tensor<2x2xi4>
}
