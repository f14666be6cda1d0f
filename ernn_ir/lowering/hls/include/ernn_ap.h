// ernn_ap.h: what the "ap" flavour of the HLS backend adds to Xilinx's ap_fixed types.
// Part of ernn-ir (Apache-2.0); copied verbatim into every generated project.
//
// ap_fixed<W, I, Q, O> already implements the numerics contract (docs/numerics.md): the sum and
// product of two ap_fixed values are exact, and assigning an exact value to a type with
// AP_RND / AP_RND_CONV and AP_SAT / AP_WRAP rounds once, then saturates or wraps, exactly as
// ernn's requantize.  This header only moves raw integers (the constants in weights.h and
// constants.h, and the Python bridge's frames) in and out of ap_fixed without any arithmetic.
#ifndef ERNN_AP_H
#define ERNN_AP_H

// GCC 12 reports -Wuninitialized / -Wmaybe-uninitialized inside the ap_types headers
// (etc/ap_private.h, after inlining, at -O1 and above); they are the headers' and are silenced
// for the headers only: the generated code itself is compiled with -Wall -Wextra.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <ap_fixed.h>
#include <ap_int.h>
#include <hls_stream.h>
#pragma GCC diagnostic pop

#include <cstdint>

namespace ernn {

// The ap_fixed value whose raw bits are `raw` (value = raw * 2^-(W - I)).
template <typename T>
inline T from_raw(int64_t raw) {
    T v;
    v.range() = raw;
    return v;
}

// The raw two's-complement integer of an ap_fixed value.
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
inline int64_t raw_of(const ap_fixed_base<W, I, true, Q, O, N>& v) {
    ap_int<W> bits = v.range();
    return bits.to_int64();
}

// v / 2, exactly: the same bits read with one more fraction bit (the inverse FFT's halving
// then rounds once, when the result is assigned to the stage's type).
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
inline ap_fixed<W, I - 1> exact_half(const ap_fixed_base<W, I, true, Q, O, N>& v) {
    ap_fixed<W, I - 1> r;
    r.range() = v.range();
    return r;
}

}  // namespace ernn

#endif  // ERNN_AP_H
