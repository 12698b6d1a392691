/* Guest program for tests/unit/test_simd_programs.py: the same source is built twice,
 * scalar and with -msimd128 (build.sh), and both builds must compute the same results.
 *
 * With -msimd128 clang auto-vectorizes the plain loops (sum, saturating brighten, box
 * blur, threshold count, grayscale) and the functions under __wasm_simd128__ use the
 * wasm_simd128.h intrinsics directly; their scalar twins compute exactly the same thing
 * (float sums keep four partial sums, combined in the same order).
 *
 * Memory: the host writes inputs into the exported buffers (get the addresses with
 * buf_a/buf_b/buf_out) or calls fill(); all functions are freestanding (no libc).
 */
#include <stdint.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define EXPORT __attribute__((visibility("default")))
#define MAX 65536

static uint8_t a_bytes[MAX] __attribute__((aligned(16)));
static uint8_t b_bytes[MAX] __attribute__((aligned(16)));
static uint8_t out_bytes[MAX] __attribute__((aligned(16)));

EXPORT uint8_t *buf_a(void) { return a_bytes; }
EXPORT uint8_t *buf_b(void) { return b_bytes; }
EXPORT uint8_t *buf_out(void) { return out_bytes; }

/* xorshift32 bytes: the same pseudo-random input for both builds */
EXPORT void fill(uint32_t seed) {
    uint32_t x = seed ? seed : 1;
    for (int i = 0; i < MAX; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        a_bytes[i] = (uint8_t)x;
        b_bytes[i] = (uint8_t)(x >> 8);
    }
}

/* FNV-1a over the first n bytes of the output buffer */
EXPORT uint32_t checksum_out(int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) { h ^= out_bytes[i]; h *= 16777619u; }
    return h;
}

/* auto-vectorized: i32x4.add over 32-bit words */
EXPORT uint32_t sum_u32(int n) {
    const uint32_t *p = (const uint32_t *)a_bytes;
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += p[i];
    return s;
}

/* auto-vectorized: widening byte sums */
EXPORT uint32_t sum_bytes(int n) {
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += a_bytes[i];
    return s;
}

/* auto-vectorized: i8x16.add_sat_u */
EXPORT void brighten(int n, int delta) {
    uint8_t d = (uint8_t)delta;
    for (int i = 0; i < n; i++) {
        unsigned v = (unsigned)a_bytes[i] + d;
        out_bytes[i] = v > 255 ? 255 : (uint8_t)v;
    }
}

/* auto-vectorized: comparisons and a reduction */
EXPORT int count_greater(int n, int threshold) {
    const int32_t *p = (const int32_t *)a_bytes;
    int c = 0;
    for (int i = 0; i < n; i++) c += p[i] > threshold;
    return c;
}

/* 3x3 box blur of a w x h grey image in a_bytes into out_bytes (border copied) */
EXPORT void blur3x3(int w, int h) {
    for (int x = 0; x < w; x++) {
        out_bytes[x] = a_bytes[x];
        out_bytes[(h - 1) * w + x] = a_bytes[(h - 1) * w + x];
    }
    for (int y = 1; y < h - 1; y++) {
        const uint8_t *up = a_bytes + (y - 1) * w, *mid = up + w, *down = mid + w;
        uint8_t *o = out_bytes + y * w;
        o[0] = mid[0];
        o[w - 1] = mid[w - 1];
        for (int x = 1; x < w - 1; x++) {
            unsigned s = up[x - 1] + up[x] + up[x + 1] + mid[x - 1] + mid[x] + mid[x + 1]
                       + down[x - 1] + down[x] + down[x + 1];
            o[x] = (uint8_t)((s * 7282u + 32768u) >> 16);   /* ~ s / 9, rounded */
        }
    }
}

/* RGBA pixels in a_bytes -> grey bytes in out_bytes (BT.601 weights in 8.8 fixed point) */
EXPORT void grayscale(int pixels) {
    for (int i = 0; i < pixels; i++) {
        const uint8_t *p = a_bytes + 4 * i;
        out_bytes[i] = (uint8_t)((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
    }
}

/* float dot product of the a and b buffers viewed as floats made from bytes:
 * four partial sums, lane i takes elements i, i+4, i+8, ... (same order in both builds) */
EXPORT float dot_f32(int n) {
    float xs[4], ys[4];
    float acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
#ifdef __wasm_simd128__
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (int i = 0; i + 4 <= n; i += 4) {
        v128_t x = wasm_f32x4_convert_u32x4(wasm_u32x4_load16x4(a_bytes + 2 * i));
        v128_t y = wasm_f32x4_convert_u32x4(wasm_u32x4_load16x4(b_bytes + 2 * i));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_sub(x, wasm_f32x4_splat(32768.0f)),
                                                 wasm_f32x4_div(y, wasm_f32x4_splat(65536.0f))));
    }
    acc0 = wasm_f32x4_extract_lane(acc, 0);
    acc1 = wasm_f32x4_extract_lane(acc, 1);
    acc2 = wasm_f32x4_extract_lane(acc, 2);
    acc3 = wasm_f32x4_extract_lane(acc, 3);
    (void)xs; (void)ys;
#else
    const uint16_t *a16 = (const uint16_t *)a_bytes, *b16 = (const uint16_t *)b_bytes;
    for (int i = 0; i + 4 <= n; i += 4) {
        for (int k = 0; k < 4; k++) {
            xs[k] = (float)a16[i + k];
            ys[k] = (float)b16[i + k];
        }
        acc0 = acc0 + (xs[0] - 32768.0f) * (ys[0] / 65536.0f);
        acc1 = acc1 + (xs[1] - 32768.0f) * (ys[1] / 65536.0f);
        acc2 = acc2 + (xs[2] - 32768.0f) * (ys[2] / 65536.0f);
        acc3 = acc3 + (xs[3] - 32768.0f) * (ys[3] / 65536.0f);
    }
#endif
    return (acc0 + acc1) + (acc2 + acc3);
}

/* a mix of intrinsics: per 16 bytes of a and b, write
 * min_u, max_u, avgr_u, abs-difference and a byte reversal (shuffle) into out_bytes */
EXPORT void mix_bytes(int n) {
    for (int i = 0; i + 16 <= n; i += 16) {
#ifdef __wasm_simd128__
        v128_t a = wasm_v128_load(a_bytes + i), b = wasm_v128_load(b_bytes + i);
        v128_t lo = wasm_u8x16_min(a, b), hi = wasm_u8x16_max(a, b);
        v128_t avg = wasm_u8x16_avgr(a, b);
        v128_t diff = wasm_i8x16_sub(hi, lo);
        v128_t rev = wasm_i8x16_shuffle(a, b, 15, 14, 13, 12, 11, 10, 9, 8, 23, 22, 21, 20,
                                        19, 18, 17, 16);
        v128_t q = wasm_i16x8_q15mulr_sat(wasm_i16x8_sub(a, b), wasm_i16x8_add(a, b));
        v128_t mixed = wasm_v128_xor(wasm_v128_xor(avg, diff), wasm_v128_xor(rev, q));
        wasm_v128_store(out_bytes + i, mixed);
#else
        const uint8_t *a = a_bytes + i, *b = b_bytes + i;
        uint8_t rev[16];
        int16_t q[8];
        for (int k = 0; k < 8; k++) { rev[k] = a[15 - k]; rev[8 + k] = b[7 - k]; }
        for (int k = 0; k < 8; k++) {
            int16_t x = (int16_t)(a[2 * k] | a[2 * k + 1] << 8);
            int16_t y = (int16_t)(b[2 * k] | b[2 * k + 1] << 8);
            int16_t d = (int16_t)(uint16_t)(x - y), s = (int16_t)(uint16_t)(x + y);
            int32_t r = ((int32_t)d * s + 16384) >> 15;
            q[k] = (int16_t)(r > 32767 ? 32767 : r);
        }
        for (int k = 0; k < 16; k++) {
            uint8_t lo = a[k] < b[k] ? a[k] : b[k], hi = a[k] < b[k] ? b[k] : a[k];
            uint8_t avg = (uint8_t)((a[k] + b[k] + 1) >> 1);
            uint8_t qb = (uint8_t)((uint16_t)q[k / 2] >> (8 * (k & 1)));
            out_bytes[i + k] = (uint8_t)(avg ^ (uint8_t)(hi - lo) ^ rev[k] ^ qb);
        }
#endif
    }
}
