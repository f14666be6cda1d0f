// Invalid ernn_hw step ops (ernn_hw.accelerator, ernn_hw.mac, ernn_hw.yield): every verifier rule of step_ops.py.
// RUN: ernn-opt %s --split-input-file --verify-diagnostics
// RUN: ernn-opt %s --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=CLEAN --allow-empty
// CLEAN-NOT: builtin.module
// CLEAN-NOT: Traceback

// accelerator names a design of the module
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
// expected-error @+1 {{'ernn_hw.accelerator' refers to @nope, which is not an ernn_hw.design of the enclosing module}}
    %y, %h = ernn_hw.accelerator @nope(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// accelerator body ends in ernn_hw.yield
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
// expected-error @+1 {{body must end with ernn_hw.yield}}
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// yield count
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
// expected-error @+1 {{ernn_hw.yield must give 1 step outputs and 1 carried values (2 in all), got 1}}
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v : tensor<1x4x!ernn.fixed<16, 8>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// row_order a permutation
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{row_order must be a permutation of the 2 result rows}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 1] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// parts sum to the input blocks
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{parts must be positive column counts summing to the input's 4 blocks, got [2, 1]}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 1] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// parts positive
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{parts must be positive column counts summing to the input's 4 blocks, got [4, 0]}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [4, 0] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// rows >= 1
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{rows must be >= 1}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(0) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// base >= 0
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{base must be >= 0}}
      %Y = ernn_hw.mac %Xc rom(@w) base(-1) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// lanes are the MAC array's
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{rows(1) cols(1) must be the MAC array's rows(2) cols(1)}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(1) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// words within the ROM
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{words [1, 5) exceed the depth 4 of ROM @w}}
      %Y = ernn_hw.mac %Xc rom(@w) base(1) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// one ROM bank per lane
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{ROM @w has 1 banks for 2 MAC lanes}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(1) depth(4) dense<1> : tensor<1x4x2xi8>
  }
}


// -----

// ROM words hold one block
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{ROM @w words hold 4 values, a 2-point block needs 2}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x4xi8>
  }
}


// -----

// weights type matches
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{weights type must have shape 2x4x2x2, got 2x3x2x2}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x3x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// bins match
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
// expected-error @+1 {{input and result must have the same number of bins, got 2 and 3}}
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x1x3x2x!ernn.fixed<32, 14>> weights tensor<1x4x3x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x1x3x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// mac only in an accelerator
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>, %X0: tensor<1x1x2x2x!ernn.fixed<16, 8>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
// expected-error @+1 {{'ernn_hw.mac' expects parent op 'ernn_hw.accelerator'}}
    %z = ernn_hw.mac %X0 rom(@w) base(0) rows(2) cols(1) row_order [0] parts [1] : tensor<1x1x2x2x!ernn.fixed<16, 8>> -> tensor<1x1x2x2x!ernn.fixed<32, 14>> weights tensor<1x1x2x2x!ernn.fixed<8, 7>>
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}


// -----

// units live in a design
builtin.module {
  func.func @main(%x: tensor<3x1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>> {
    %h0 = ernn.constant dense<0> : tensor<1x4xi8> -> tensor<1x4x!ernn.fixed<8, 6>>
    %y, %h = ernn_hw.accelerator @d(%x : tensor<3x1x4x!ernn.fixed<8, 6>>) init(%h0 : tensor<1x4x!ernn.fixed<8, 6>>) -> tensor<3x1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>> {
    ^bb0(%xt: tensor<1x4x!ernn.fixed<8, 6>>, %hp: tensor<1x4x!ernn.fixed<8, 6>>):
      %X = ernn.rfft %xt : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %H = ernn.rfft %hp : tensor<1x4x!ernn.fixed<8, 6>> -> tensor<1x2x2x2x!ernn.fixed<16, 8>>
      %Xc = ernn.concat dim(1) %X, %H : tensor<1x2x2x2x!ernn.fixed<16, 8>>, tensor<1x2x2x2x!ernn.fixed<16, 8>> -> tensor<1x4x2x2x!ernn.fixed<16, 8>>
      %Y = ernn_hw.mac %Xc rom(@w) base(0) rows(2) cols(1) row_order [1, 0] parts [2, 2] : tensor<1x4x2x2x!ernn.fixed<16, 8>> -> tensor<1x2x2x2x!ernn.fixed<32, 14>> weights tensor<2x4x2x2x!ernn.fixed<8, 7>>
      %v = ernn.irfft %Y : tensor<1x2x2x2x!ernn.fixed<32, 14>> -> tensor<1x4x!ernn.fixed<16, 8>>
      %hn = ernn.requantize %v : tensor<1x4x!ernn.fixed<16, 8>> -> tensor<1x4x!ernn.fixed<8, 6>>
      ernn_hw.yield %v, %hn : tensor<1x4x!ernn.fixed<16, 8>>, tensor<1x4x!ernn.fixed<8, 6>>
    }
// expected-error @+1 {{'ernn_hw.ew_unit' expects parent op 'ernn_hw.design'}}
    ernn_hw.ew_unit @e stage(0) lanes(1) latency(1)
    func.return %y : tensor<3x1x4x!ernn.fixed<16, 8>>
  }
  ernn_hw.design @d device "ku060" clock 2.000000e+02 streams(1) period(12) block(2) {
    ernn_hw.mac_array @mac rows(2) cols(1) cmul(3) latency(5) : !ernn.fixed<8, 7>, !ernn.fixed<16, 8>
    ernn_hw.rom @w banks(2) depth(4) dense<1> : tensor<2x4x2xi8>
  }
}

