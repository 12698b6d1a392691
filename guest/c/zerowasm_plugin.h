/*
 * zerowasm_plugin.h -- write Extism-compatible plugins in C. One header, no libc.
 *
 * A plugin is a set of exported functions that take no parameters and return an int32
 * status (0 = success). Data never passes through parameters: the call's input, its
 * output, errors, config values, vars and host-function arguments live in the host's
 * *kernel memory* and are addressed with 64-bit handles. This header wraps that ABI
 * (module "extism:host/env") so a plugin reads its input, writes its output and talks
 * to the host with plain buffers:
 *
 *     #include "zerowasm_plugin.h"
 *
 *     ZW_EXPORT(greet) {
 *         char name[64];
 *         int32_t n = zw_input(name, sizeof name);        // copy the input
 *         if (n <= 0) return zw_error("no name given");   // fail the call with a message
 *         char out[96];
 *         size_t len = zw_concat(out, sizeof out, "Hello, ", name, n);
 *         zw_output(out, len);                            // the call's output
 *         return 0;
 *     }
 *
 * Build (freestanding: no WASI needed):
 *     python -m ziglang cc -target wasm32-freestanding -O2 -nostdlib \
 *         -Wl,--no-entry -Wl,--strip-debug -I guest/c -o plugin.wasm plugin.c
 *
 * Also here: config (zw_config), vars (zw_var_get/zw_var_set), logging (zw_log_*),
 * host functions (zw_block_from/zw_block_read around your own imports), and a small
 * JSON reader/writer for the typed interfaces of zerowasm.plugin (arguments arrive as a
 * JSON object of named parameters; the result is a JSON value).
 *
 * Every function is `static` (ZW_API); include the header in the plugin's one .c file.
 */
#ifndef ZEROWASM_PLUGIN_H
#define ZEROWASM_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t zw_handle; /* an offset in kernel memory; 0 is null */

#define ZW_API static __attribute__((unused))

#define ZW_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(#name)))
#define ZW_EXPORT(name) __attribute__((export_name(#name))) int32_t name(void)
/* Declare a host function the plugin imports (default namespace "extism:host/user"). */
#define ZW_HOST_FUNCTION(name) \
    __attribute__((import_module("extism:host/user"), import_name(#name)))

/* ---- the raw ABI (extism:host/env) ------------------------------------------------- */
ZW_IMPORT(alloc) zw_handle zw_kernel_alloc(uint64_t n);
ZW_IMPORT(free) void zw_kernel_free(zw_handle p);
ZW_IMPORT(length) uint64_t zw_kernel_length(zw_handle p);
ZW_IMPORT(load_u8) uint8_t zw_kernel_load_u8(zw_handle p);
ZW_IMPORT(load_u64) uint64_t zw_kernel_load_u64(zw_handle p);
ZW_IMPORT(store_u8) void zw_kernel_store_u8(zw_handle p, uint8_t x);
ZW_IMPORT(store_u64) void zw_kernel_store_u64(zw_handle p, uint64_t x);
ZW_IMPORT(input_length) uint64_t zw_kernel_input_length(void);
ZW_IMPORT(input_load_u8) uint8_t zw_kernel_input_load_u8(uint64_t i);
ZW_IMPORT(input_load_u64) uint64_t zw_kernel_input_load_u64(uint64_t i);
ZW_IMPORT(output_set) void zw_kernel_output_set(zw_handle p, uint64_t n);
ZW_IMPORT(error_set) void zw_kernel_error_set(zw_handle p);
ZW_IMPORT(config_get) zw_handle zw_kernel_config_get(zw_handle key);
ZW_IMPORT(var_get) zw_handle zw_kernel_var_get(zw_handle key);
ZW_IMPORT(var_set) void zw_kernel_var_set(zw_handle key, zw_handle value);
ZW_IMPORT(log_trace) void zw_kernel_log_trace(zw_handle p);
ZW_IMPORT(log_debug) void zw_kernel_log_debug(zw_handle p);
ZW_IMPORT(log_info) void zw_kernel_log_info(zw_handle p);
ZW_IMPORT(log_warn) void zw_kernel_log_warn(zw_handle p);
ZW_IMPORT(log_error) void zw_kernel_log_error(zw_handle p);
ZW_IMPORT(get_log_level) int32_t zw_kernel_get_log_level(void);

/* ---- strings and bytes --------------------------------------------------------------- */
ZW_API size_t zw_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

ZW_API void zw_copy(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    for (size_t i = 0; i < n; i++) d[i] = s[i];
}

ZW_API int zw_equal(const char *a, size_t a_len, const char *b) {
    size_t i = 0;
    for (; i < a_len; i++)
        if (b[i] == 0 || a[i] != b[i]) return 0;
    return b[i] == 0;
}

ZW_API int zw_ends_with(const char *s, size_t len, const char *suffix) {
    size_t n = zw_strlen(suffix);
    return len >= n && zw_equal(s + len - n, n, suffix);
}

/* out = a + b[0..b_len]; returns the length (truncated to cap - 1, NUL-terminated). */
ZW_API size_t zw_concat(char *out, size_t cap, const char *a, const char *b, size_t b_len) {
    size_t n = 0;
    for (; a[n] && n + 1 < cap; n++) out[n] = a[n];
    for (size_t i = 0; i < b_len && n + 1 < cap; i++) out[n++] = b[i];
    out[n] = 0;
    return n;
}

/* ---- kernel blocks ----------------------------------------------------------------------- */
/* A new kernel block holding data[0..n] (0 for n == 0). */
ZW_API zw_handle zw_block_from(const void *data, size_t n) {
    if (n == 0) return 0;
    zw_handle h = zw_kernel_alloc(n);
    if (h == 0) return 0;
    const unsigned char *bytes = (const unsigned char *)data;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word = 0;
        for (int k = 7; k >= 0; k--) word = (word << 8) | bytes[i + k];
        zw_kernel_store_u64(h + i, word);
    }
    for (; i < n; i++) zw_kernel_store_u8(h + i, bytes[i]);
    return h;
}

ZW_API zw_handle zw_block_from_str(const char *s) { return zw_block_from(s, zw_strlen(s)); }

/* Copy block h into buf (at most cap bytes); returns the block's full length. */
ZW_API size_t zw_block_read(zw_handle h, void *buf, size_t cap) {
    size_t n = (size_t)zw_kernel_length(h);
    size_t m = n < cap ? n : cap;
    unsigned char *out = (unsigned char *)buf;
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        uint64_t word = zw_kernel_load_u64(h + i);
        for (int k = 0; k < 8; k++) out[i + k] = (unsigned char)(word >> (8 * k));
    }
    for (; i < m; i++) out[i] = zw_kernel_load_u8(h + i);
    return n;
}

/* ---- input, output, errors --------------------------------------------------------------- */
ZW_API size_t zw_input_length(void) { return (size_t)zw_kernel_input_length(); }

/* Copy the input into buf (at most cap - 1 bytes, NUL-terminated); returns its length,
 * or -1 if it does not fit. */
ZW_API int32_t zw_input(char *buf, size_t cap) {
    size_t n = zw_input_length();
    if (n + 1 > cap) return -1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word = zw_kernel_input_load_u64(i);
        for (int k = 0; k < 8; k++) buf[i + k] = (char)(word >> (8 * k));
    }
    for (; i < n; i++) buf[i] = (char)zw_kernel_input_load_u8(i);
    buf[n] = 0;
    return (int32_t)n;
}

ZW_API void zw_output(const void *data, size_t n) { zw_kernel_output_set(zw_block_from(data, n), n); }
ZW_API void zw_output_str(const char *s) { zw_output(s, zw_strlen(s)); }

/* Fail the current call with message (returns 1, the status to return). */
ZW_API int32_t zw_error(const char *message) {
    zw_kernel_error_set(zw_block_from_str(message));
    return 1;
}

/* ---- config and vars --------------------------------------------------------------------- */
/* The config value of key copied into buf (NUL-terminated); its length, or -1 if unset
 * (or if it does not fit). */
ZW_API int32_t zw_config(const char *key, char *buf, size_t cap) {
    zw_handle k = zw_block_from_str(key);
    zw_handle v = zw_kernel_config_get(k);
    zw_kernel_free(k);
    if (v == 0) return -1;
    size_t n = zw_block_read(v, buf, cap - 1);
    zw_kernel_free(v);
    if (n + 1 > cap) return -1;
    buf[n] = 0;
    return (int32_t)n;
}

/* The var's bytes copied into buf; its length, or -1 if unset. */
ZW_API int32_t zw_var_get(const char *key, void *buf, size_t cap) {
    zw_handle k = zw_block_from_str(key);
    zw_handle v = zw_kernel_var_get(k);
    zw_kernel_free(k);
    if (v == 0) return -1;
    size_t n = zw_block_read(v, buf, cap);
    zw_kernel_free(v);
    return (int32_t)n;
}

/* Set (n > 0) or delete (n == 0) a var. */
ZW_API void zw_var_set(const char *key, const void *data, size_t n) {
    zw_handle k = zw_block_from_str(key);
    zw_handle v = zw_block_from(data, n);
    zw_kernel_var_set(k, v);
    zw_kernel_free(k);
    if (v) zw_kernel_free(v);
}

/* ---- logging ---------------------------------------------------------------------------- */
enum { ZW_TRACE = 0, ZW_DEBUG = 1, ZW_INFO = 2, ZW_WARN = 3, ZW_ERROR = 4 };

ZW_API void zw_log(int level, const char *message) {
    if (level < zw_kernel_get_log_level()) return; /* nobody listens at this level */
    zw_handle h = zw_block_from_str(message);
    switch (level) {
    case ZW_TRACE: zw_kernel_log_trace(h); break;
    case ZW_DEBUG: zw_kernel_log_debug(h); break;
    case ZW_INFO: zw_kernel_log_info(h); break;
    case ZW_WARN: zw_kernel_log_warn(h); break;
    default: zw_kernel_log_error(h); break;
    }
    zw_kernel_free(h);
}

/* ---- JSON writing ------------------------------------------------------------------------ */
/* A growable-by-nobody text buffer: writes past cap are dropped and set overflow. */
typedef struct {
    char *data;
    size_t len, cap;
    int overflow;
    int need_comma;
} zw_json;

ZW_API zw_json zw_json_init(char *storage, size_t cap) {
    zw_json w = {storage, 0, cap, 0, 0};
    return w;
}

ZW_API void zw_json_raw(zw_json *w, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (w->len >= w->cap) { w->overflow = 1; return; }
        w->data[w->len++] = s[i];
    }
}

ZW_API void zw_json_sep(zw_json *w) {
    if (w->need_comma) zw_json_raw(w, ",", 1);
    w->need_comma = 0;
}

ZW_API void zw_json_string_n(zw_json *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    zw_json_sep(w);
    zw_json_raw(w, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            zw_json_raw(w, esc, 2);
        } else if (c == '\n') {
            zw_json_raw(w, "\\n", 2);
        } else if (c == '\t') {
            zw_json_raw(w, "\\t", 2);
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            zw_json_raw(w, esc, 6);
        } else {
            zw_json_raw(w, (const char *)&c, 1);
        }
    }
    zw_json_raw(w, "\"", 1);
    w->need_comma = 1;
}

ZW_API void zw_json_string(zw_json *w, const char *s) { zw_json_string_n(w, s, zw_strlen(s)); }

ZW_API void zw_json_int(zw_json *w, int64_t v) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do { digits[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    zw_json_sep(w);
    if (v < 0) zw_json_raw(w, "-", 1);
    while (n) zw_json_raw(w, &digits[--n], 1);
    w->need_comma = 1;
}

ZW_API void zw_json_bool(zw_json *w, int v) {
    zw_json_sep(w);
    zw_json_raw(w, v ? "true" : "false", v ? 4 : 5);
    w->need_comma = 1;
}

ZW_API void zw_json_null(zw_json *w) {
    zw_json_sep(w);
    zw_json_raw(w, "null", 4);
    w->need_comma = 1;
}

ZW_API void zw_json_key(zw_json *w, const char *key) {
    zw_json_string(w, key);
    zw_json_raw(w, ":", 1);
    w->need_comma = 0;
}

ZW_API void zw_json_open(zw_json *w, char bracket) {
    zw_json_sep(w);
    zw_json_raw(w, &bracket, 1);
    w->need_comma = 0;
}

ZW_API void zw_json_close(zw_json *w, char bracket) {
    zw_json_raw(w, &bracket, 1);
    w->need_comma = 1;
}

#define zw_json_object_begin(w) zw_json_open((w), '{')
#define zw_json_object_end(w) zw_json_close((w), '}')
#define zw_json_array_begin(w) zw_json_open((w), '[')
#define zw_json_array_end(w) zw_json_close((w), ']')

/* Make the JSON text the call's output (or fail if it overflowed its buffer). */
ZW_API int32_t zw_json_output(zw_json *w) {
    if (w->overflow) return zw_error("zerowasm_plugin.h: JSON output buffer too small");
    zw_output(w->data, w->len);
    return 0;
}

/* ---- JSON reading -------------------------------------------------------------------------- */
/* A JSON value as a slice of the text; kind is its first character ('"', '{', '[', 't',
 * 'f', 'n', or a digit/'-'); kind 0 means "absent". */
typedef struct {
    const char *p;
    size_t n;
    char kind;
} zw_value;

ZW_API size_t zw_json_skip_ws(const char *s, size_t n, size_t i) {
    while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
    return i;
}

/* The end of the value starting at s[i] (exclusive), or n on malformed input. */
ZW_API size_t zw_json_value_end(const char *s, size_t n, size_t i) {
    if (i >= n) return n;
    if (s[i] == '"') {
        for (i++; i < n; i++) {
            if (s[i] == '\\') i++;
            else if (s[i] == '"') return i + 1;
        }
        return n;
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') { i = zw_json_value_end(s, n, i) - 1; continue; }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') { if (--depth == 0) return i + 1; }
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n'
           && s[i] != '\r' && s[i] != '\t') i++;
    return i;
}

ZW_API zw_value zw_json_parse(const char *s, size_t n) {
    size_t i = zw_json_skip_ws(s, n, 0);
    zw_value v = {s + i, 0, 0};
    if (i < n) {
        v.n = zw_json_value_end(s, n, i) - i;
        v.kind = s[i];
    }
    return v;
}

/* The member `key` of an object value (kind 0 if absent). */
ZW_API zw_value zw_json_get(zw_value obj, const char *key) {
    zw_value none = {0, 0, 0};
    if (obj.kind != '{') return none;
    const char *s = obj.p;
    size_t n = obj.n, i = 1;
    for (;;) {
        i = zw_json_skip_ws(s, n, i);
        if (i >= n || s[i] != '"') return none;
        size_t key_end = zw_json_value_end(s, n, i);
        int match = zw_equal(s + i + 1, key_end - i - 2, key);
        i = zw_json_skip_ws(s, n, key_end);
        if (i >= n || s[i] != ':') return none;
        i = zw_json_skip_ws(s, n, i + 1);
        size_t end = zw_json_value_end(s, n, i);
        if (match) {
            zw_value v = {s + i, end - i, s[i]};
            return v;
        }
        i = zw_json_skip_ws(s, n, end);
        if (i >= n || s[i] != ',') return none;
        i++;
    }
}

/* Iterate an array: start with *pos = 0; each call gives the next element (kind 0 at
 * the end). */
ZW_API zw_value zw_json_next(zw_value array, size_t *pos) {
    zw_value none = {0, 0, 0};
    if (array.kind != '[') return none;
    const char *s = array.p;
    size_t n = array.n, i = *pos ? *pos : 1;
    i = zw_json_skip_ws(s, n, i);
    if (i < n && s[i] == ',') i = zw_json_skip_ws(s, n, i + 1);
    if (i >= n || s[i] == ']') return none;
    size_t end = zw_json_value_end(s, n, i);
    zw_value v = {s + i, end - i, s[i]};
    *pos = end;
    return v;
}

ZW_API int zw_hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode a string value into out (UTF-8, NUL-terminated); its length, or -1. */
ZW_API int32_t zw_json_str(zw_value v, char *out, size_t cap) {
    if (v.kind != '"' || v.n < 2 || cap == 0) return -1;
    size_t o = 0;
    for (size_t i = 1; i + 1 < v.n; i++) {
        unsigned c = (unsigned char)v.p[i];
        if (c == '\\' && i + 2 < v.n) {
            char e = v.p[++i];
            if (e == 'n') c = '\n';
            else if (e == 't') c = '\t';
            else if (e == 'r') c = '\r';
            else if (e == 'b') c = '\b';
            else if (e == 'f') c = '\f';
            else if (e == 'u' && i + 4 < v.n) {
                c = 0;
                for (int k = 1; k <= 4; k++) c = (c << 4) | (unsigned)zw_hexval(v.p[i + k]);
                i += 4;
                if (c >= 0x80) { /* encode as UTF-8 (BMP only) */
                    unsigned char tmp[3];
                    size_t m = 0;
                    if (c < 0x800) {
                        tmp[m++] = (unsigned char)(0xC0 | (c >> 6));
                    } else {
                        tmp[m++] = (unsigned char)(0xE0 | (c >> 12));
                        tmp[m++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
                    }
                    tmp[m++] = (unsigned char)(0x80 | (c & 0x3F));
                    for (size_t k = 0; k < m; k++) {
                        if (o + 1 >= cap) return -1;
                        out[o++] = (char)tmp[k];
                    }
                    continue;
                }
            } else c = (unsigned char)e;
        }
        if (o + 1 >= cap) return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return (int32_t)o;
}

ZW_API int64_t zw_json_i64(zw_value v) {
    int64_t r = 0;
    size_t i = 0;
    int neg = v.n > 0 && v.p[0] == '-';
    for (i = neg ? 1 : 0; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++) r = r * 10 + (v.p[i] - '0');
    return neg ? -r : r;
}

ZW_API int zw_json_is_true(zw_value v) { return v.kind == 't'; }

/* The input parsed as JSON, read into buf (kind 0 if it does not fit or is empty). */
ZW_API zw_value zw_input_json(char *buf, size_t cap) {
    int32_t n = zw_input(buf, cap);
    if (n < 0) {
        zw_value none = {0, 0, 0};
        return none;
    }
    return zw_json_parse(buf, (size_t)n);
}

#endif /* ZEROWASM_PLUGIN_H */
