// A small guest for the zerowasm quick start.
// Build: python -m ziglang cc -target wasm32-freestanding -O2 -nostdlib \
//        -Wl,--no-entry -Wl,--strip-debug -o guest.wasm guest.c
#include <stdint.h>

// Imported from the host: env.log(ptr, len) prints a string from guest memory.
__attribute__((import_module("env"), import_name("log")))
void host_log(const char *ptr, int32_t len);

__attribute__((export_name("fib"))) int32_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static char buffer[256];

// Writes "Hello, <name>!" into a static buffer and returns its address; the length goes
// to *out_len. The host reads the result from memory.
__attribute__((export_name("greet"))) const char *greet(const char *name, int32_t name_len, int32_t *out_len) {
    static const char prefix[] = "Hello, ";
    int32_t n = 0;
    for (int32_t i = 0; prefix[i]; i++) buffer[n++] = prefix[i];
    for (int32_t i = 0; i < name_len && n < 250; i++) buffer[n++] = name[i];
    buffer[n++] = '!';
    *out_len = n;
    host_log(buffer, n);
    return buffer;
}

// A scratch area the host writes input into.
char input[256];
__attribute__((export_name("input_buffer"))) char *input_buffer(void) { return input; }

__attribute__((export_name("sum_bytes"))) uint32_t sum_bytes(const uint8_t *p, int32_t len) {
    uint32_t s = 0;
    for (int32_t i = 0; i < len; i++) s += p[i];
    return s;
}
