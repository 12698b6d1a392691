/* The "greet" example plugin, in C (the same plugin exists in Zig and Go).
 *
 * export greet: input = a name; output = "<greeting>, <name>! (call #N)" where
 *   <greeting> is config "greeting" (default "Hello") passed through the host function
 *   extism:host/user::decorate, and N counts the calls in the var "count".
 *   An empty name fails the call with the error "no name given".
 * export count_json: input = JSON {"text": "..."}; output = JSON {"length": n, "vowels": v}
 *   (a typed-interface method: zerowasm.plugin.load_interface).
 *
 * Build: python guest/build.py   (or see the command in zerowasm_plugin.h)
 */
#include "zerowasm_plugin.h"

ZW_HOST_FUNCTION(decorate) zw_handle decorate(zw_handle text);

ZW_EXPORT(greet) {
    char name[256];
    int32_t n = zw_input(name, sizeof name);
    if (n < 0) return zw_error("name too long");
    if (n == 0) return zw_error("no name given");

    char greeting[128];
    if (zw_config("greeting", greeting, sizeof greeting) < 0) zw_copy(greeting, "Hello", 6);

    /* the host decorates the greeting */
    zw_handle decorated = decorate(zw_block_from_str(greeting));
    char fancy[256];
    size_t fancy_len = zw_block_read(decorated, fancy, sizeof fancy - 1);
    if (fancy_len > sizeof fancy - 1) fancy_len = sizeof fancy - 1;
    fancy[fancy_len] = 0;

    /* count calls in a var (8 bytes, little endian) */
    uint64_t count = 0;
    if (zw_var_get("count", &count, sizeof count) != (int32_t)sizeof count) count = 0;
    count++;
    zw_var_set("count", &count, sizeof count);

    char out[640];
    size_t len = zw_concat(out, sizeof out, fancy, ", ", 2);
    len += zw_concat(out + len, sizeof out - len, "", name, (size_t)n);
    len += zw_concat(out + len, sizeof out - len, "! (call #", "", 0);
    char digits[24];
    int d = 0;
    do { digits[d++] = (char)('0' + count % 10); count /= 10; } while (count);
    while (d && len + 2 < sizeof out) out[len++] = digits[--d];
    out[len++] = ')';
    zw_log(ZW_INFO, "greeted someone");
    zw_output(out, len);
    return 0;
}

ZW_EXPORT(count_json) {
    static char input[4096];
    zw_value args = zw_input_json(input, sizeof input);
    zw_value text = zw_json_get(args, "text");
    static char buf[4096];
    int32_t n = zw_json_str(text, buf, sizeof buf);
    if (n < 0) return zw_error("count_json: expected {\"text\": string}");
    int64_t vowels = 0;
    for (int32_t i = 0; i < n; i++) {
        char c = buf[i] | 0x20;
        vowels += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    }
    char out[128];
    zw_json w = zw_json_init(out, sizeof out);
    zw_json_object_begin(&w);
    zw_json_key(&w, "length");
    zw_json_int(&w, n);
    zw_json_key(&w, "vowels");
    zw_json_int(&w, vowels);
    zw_json_object_end(&w);
    return zw_json_output(&w);
}
