// ernn_fixed.h: the fixed-point arithmetic of ernn-ir's numerics contract (docs/numerics.md)
// on plain C++ integers, for the "int" flavour of the HLS backend.  No HLS headers: any C++11
// compiler builds it.  Part of ernn-ir (Apache-2.0); copied verbatim into every generated project.
//
// A value of !ernn.fixed<W, F> is its raw two's-complement integer (value = raw * 2^-F), held in
// the smallest of int8_t .. int32_t that fits W bits.  Arithmetic runs in int64_t: every product
// of two operands (W <= 32) and every sum the contract calls exact fits in it.
#ifndef ERNN_FIXED_H
#define ERNN_FIXED_H

#include <cstddef>
#include <cstdint>
#include <deque>

// Vitis HLS synthesis and co-simulation need the real hls::stream at the top function's ports:
// build_prj.tcl defines ERNN_USE_HLS_STREAM.  Everywhere else ernn::stream is a plain FIFO.
#if defined(ERNN_USE_HLS_STREAM) || defined(__SYNTHESIS__)
#include <hls_stream.h>
#endif

namespace ernn {

enum Rounding { HALF_UP, CONVERGENT };  // section 2: ties toward +infinity / ties to even
enum Overflow { SATURATE, WRAP };       // section 3

// v * 2^s modulo 2^64 (s >= 0), without the undefined behaviour of a signed left shift.
inline int64_t shift_left(int64_t v, int s) {
    return s >= 64 ? 0 : static_cast<int64_t>(static_cast<uint64_t>(v) << s);
}

// floor(v / 2^s) for s >= 0 (an arithmetic shift; 0 or -1 once every bit is shifted out).
inline int64_t floor_shift(int64_t v, int s) {
    return s >= 63 ? (v < 0 ? -1 : 0) : (v >> s);
}

// Section 2: round(v / 2^s).  s <= 0 is the exact v * 2^-s.
template <Rounding R>
inline int64_t round_shift(int64_t v, int s) {
    if (s <= 0) return shift_left(v, -s);
    if (s >= 64) return 0;  // |v / 2^s| <= 1/2, and the one tie (-1/2) rounds to 0 in both modes
    const int64_t q = v >> s;
    if (R == HALF_UP) return q + ((v >> (s - 1)) & 1);
    const uint64_t r = static_cast<uint64_t>(v) & ((uint64_t(1) << s) - 1);
    const uint64_t h = uint64_t(1) << (s - 1);
    return q + ((r > h || (r == h && (q & 1) != 0)) ? 1 : 0);
}

// Section 3: fit r into W bits (1 <= W <= 63).
template <int W, Overflow O>
inline int64_t fit(int64_t r) {
    const int64_t hi = (int64_t(1) << (W - 1)) - 1;
    const int64_t lo = -hi - 1;
    if (O == SATURATE) return r < lo ? lo : (r > hi ? hi : r);
    return static_cast<int64_t>(static_cast<uint64_t>(r) << (64 - W)) >> (64 - W);
}

// Section 4: raw v at FIN fraction bits -> fixed<W, F>: one rounding, one overflow step.  When F > FIN
// the left shift is exact and overflow is judged on the exact value (no intermediate wrap).
template <int FIN, int W, int F, Rounding R, Overflow O>
inline int64_t requantize(int64_t v) {
    if (F <= FIN) return fit<W, O>(round_shift<R>(v, FIN - F));
    const int d = F - FIN;
    const int64_t hi_in = floor_shift((int64_t(1) << (W - 1)) - 1, d);  // floor(max_raw / 2^d)
    const int64_t lo_in = -floor_shift(int64_t(1) << (W - 1), d);       // ceil(min_raw / 2^d)
    if (v > hi_in || v < lo_in) {
        if (O == SATURATE) return v > hi_in ? (int64_t(1) << (W - 1)) - 1 : -(int64_t(1) << (W - 1));
        return fit<W, WRAP>(shift_left(v, d));
    }
    return shift_left(v, d);
}

// Section 5: a + b and a - b aligned exactly to max(FA, FB) fraction bits, then one requantize.
template <int FA, int FB, int W, int F, Rounding R, Overflow O>
inline int64_t add(int64_t a, int64_t b) {
    const int FM = FA > FB ? FA : FB;
    const uint64_t sum = static_cast<uint64_t>(shift_left(a, FM - FA)) + static_cast<uint64_t>(shift_left(b, FM - FB));
    return requantize<(FA > FB ? FA : FB), W, F, R, O>(static_cast<int64_t>(sum));
}

template <int FA, int FB, int W, int F, Rounding R, Overflow O>
inline int64_t sub(int64_t a, int64_t b) {
    const int FM = FA > FB ? FA : FB;
    const uint64_t diff = static_cast<uint64_t>(shift_left(a, FM - FA)) - static_cast<uint64_t>(shift_left(b, FM - FB));
    return requantize<(FA > FB ? FA : FB), W, F, R, O>(static_cast<int64_t>(diff));
}

// Section 5: the exact product (frac FA + FB) rounded once.
template <int FA, int FB, int W, int F, Rounding R, Overflow O>
inline int64_t mul(int64_t a, int64_t b) {
    return requantize<FA + FB, W, F, R, O>(a * b);
}

#if defined(ERNN_USE_HLS_STREAM) || defined(__SYNTHESIS__)
template <typename T>
using stream = hls::stream<T>;
#else
// The hls::stream interface (read, write, empty, size) for C++ without the HLS headers.
template <typename T>
class stream {
public:
    explicit stream(const char* name = "") : name_(name) {}
    T read() {
        T v = fifo_.front();
        fifo_.pop_front();
        return v;
    }
    void read(T& v) { v = read(); }
    void write(const T& v) { fifo_.push_back(v); }
    bool empty() const { return fifo_.empty(); }
    std::size_t size() const { return fifo_.size(); }
    const char* name() const { return name_; }

private:
    std::deque<T> fifo_;
    const char* name_;
};
#endif

}  // namespace ernn

#endif  // ERNN_FIXED_H
