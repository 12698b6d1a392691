// Workloads for the side-by-side benchmarks (benchmarks/, issue 6).
// Freestanding C: no libc, every buffer is static. Rebuild with `python build.py`.
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

// ---- the boundary --------------------------------------------------------------------

// A trivial call from Python.
EXPORT("add") int32_t add(int32_t a, int32_t b) { return a + b; }

// Imported from the host: returns x + 1.
__attribute__((import_module("env"), import_name("host_inc")))
int32_t host_inc(int32_t x);

// A guest loop calling the host n times (the host call cost is time / n).
EXPORT("call_host") int32_t call_host(int32_t n) {
    int32_t x = 0;
    for (int32_t i = 0; i < n; i++) x = host_inc(x);
    return x;
}

// Python -> Wasm -> Python -> Wasm -> Python: one host call per export call.
EXPORT("round_trip") int32_t round_trip(int32_t x) { return host_inc(x); }

// A string in guest memory the host reads.
static const char message[] =
    "zerowasm reads this string from the guest's linear memory (64 b)";

EXPORT("message_ptr") const char *message_ptr(void) { return message; }
EXPORT("message_len") int32_t message_len(void) { return sizeof(message) - 1; }

// ---- compute -------------------------------------------------------------------------

// Recursive Fibonacci: call-heavy.
EXPORT("fib") int32_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

// Sieve of Eratosthenes: the number of primes <= n (n <= SIEVE_MAX): loads and stores.
#define SIEVE_MAX 1000000
static uint8_t composite[SIEVE_MAX + 1];

EXPORT("sieve") int32_t sieve(int32_t n) {
    if (n < 2) return 0;
    if (n > SIEVE_MAX) n = SIEVE_MAX;
    for (int32_t i = 0; i <= n; i++) composite[i] = 0;
    int32_t count = 0;
    for (int32_t i = 2; i <= n; i++) {
        if (composite[i]) continue;
        count++;
        for (int64_t j = (int64_t)i * i; j <= n; j += i) composite[j] = 1;
    }
    return count;
}

// SHA-256 (FIPS 180-4) of the first len bytes of `input`: 32-bit arithmetic.
#define INPUT_MAX (1 << 20)
static uint8_t input[INPUT_MAX];
static uint8_t digest[32];

EXPORT("input_ptr") uint8_t *input_ptr(void) { return input; }
EXPORT("input_capacity") int32_t input_capacity(void) { return INPUT_MAX; }
EXPORT("digest_ptr") uint8_t *digest_ptr(void) { return digest; }

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void compress(uint32_t h[8], const uint8_t *block) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
               (uint32_t)block[4 * i + 2] << 8 | (uint32_t)block[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

// Hashes input[0:len] into `digest`; returns the digest's address.
EXPORT("sha256") uint8_t *sha256(int32_t len) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint32_t n = (uint32_t)len;
    if (n > INPUT_MAX) n = INPUT_MAX;
    uint32_t full = n & ~63u;
    for (uint32_t off = 0; off < full; off += 64) compress(h, input + off);
    uint8_t tail[128];
    uint32_t rest = n - full;
    for (uint32_t i = 0; i < rest; i++) tail[i] = input[full + i];
    tail[rest] = 0x80;
    uint32_t tail_len = rest + 9 <= 64 ? 64 : 128;
    for (uint32_t i = rest + 1; i < tail_len - 8; i++) tail[i] = 0;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (uint32_t off = 0; off < tail_len; off += 64) compress(h, tail + off);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
    return digest;
}
