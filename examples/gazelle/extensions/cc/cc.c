/* The C language extension of the Gazelle example, written in C with the zerowasm guest
 * kit (guest/c/zerowasm_plugin.h). It implements the LanguageExtension interface of
 * examples/gazelle/gazelle.py: every method is an export that reads a JSON object of
 * named parameters and outputs a JSON result.
 *
 *   name()                  -> "cc"
 *   claims(path)            -> true for *.c and *.h
 *   imports(path, content)  -> {"imports": [quoted #include targets], "main": defines main()}
 *   rules(package, files)   -> a cc_library of the package's headers and non-main sources
 *                              (named after the package directory), and a cc_binary per
 *                              file that defines main() (named after the directory when
 *                              there is one, else after the file)
 */
#include "zerowasm_plugin.h"

#define INPUT_CAP (1 << 20)
static char input_buf[INPUT_CAP];
static char text_buf[INPUT_CAP];
static char out_buf[1 << 18];

static zw_value args(void) { return zw_input_json(input_buf, sizeof input_buf); }

ZW_EXPORT(name) {
    zw_output_str("\"cc\"");
    return 0;
}

ZW_EXPORT(claims) {
    char path[1024];
    int32_t n = zw_json_str(zw_json_get(args(), "path"), path, sizeof path);
    if (n < 0) return zw_error("claims: expected {\"path\": string}");
    zw_output_str(zw_ends_with(path, (size_t)n, ".c") || zw_ends_with(path, (size_t)n, ".h")
                      ? "true" : "false");
    return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

static int starts_with(const char *s, size_t n, const char *prefix) {
    size_t k = zw_strlen(prefix);
    return n >= k && zw_equal(s, k, prefix);
}

ZW_EXPORT(imports) {
    int32_t n = zw_json_str(zw_json_get(args(), "content"), text_buf, sizeof text_buf);
    if (n < 0) return zw_error("imports: expected {\"path\": string, \"content\": string}");
    zw_json w = zw_json_init(out_buf, sizeof out_buf);
    zw_json_object_begin(&w);
    zw_json_key(&w, "imports");
    zw_json_array_begin(&w);
    int has_main = 0;
    size_t i = 0, len = (size_t)n;
    while (i < len) {
        size_t end = i;
        while (end < len && text_buf[end] != '\n') end++;
        size_t p = i;
        while (p < end && is_space(text_buf[p])) p++;
        if (p < end && text_buf[p] == '#') {
            p++;
            while (p < end && is_space(text_buf[p])) p++;
            if (starts_with(text_buf + p, end - p, "include")) {
                p += 7;
                while (p < end && is_space(text_buf[p])) p++;
                if (p < end && text_buf[p] == '"') {
                    size_t q = ++p;
                    while (q < end && text_buf[q] != '"') q++;
                    if (q < end) zw_json_string_n(&w, text_buf + p, q - p);
                }
            }
        } else {
            for (size_t k = p; k + 9 <= end; k++)
                if (starts_with(text_buf + k, end - k, "int main(")) has_main = 1;
        }
        i = end + 1;
    }
    zw_json_array_end(&w);
    zw_json_key(&w, "main");
    zw_json_bool(&w, has_main);
    zw_json_object_end(&w);
    return zw_json_output(&w);
}

/* The package directory's last component (or "root"), for rule names. */
static void package_name(zw_value package, char *out, size_t cap) {
    char pkg[1024];
    int32_t n = zw_json_str(package, pkg, sizeof pkg);
    if (n <= 0) {
        zw_copy(out, "root", 5);
        return;
    }
    int32_t start = n;
    while (start > 0 && pkg[start - 1] != '/') start--;
    zw_concat(out, cap, "", pkg + start, (size_t)(n - start));
}

/* Write the file's path joined to the package ("pkg/file.h"). */
static void json_joined(zw_json *w, zw_value package, zw_value file) {
    char pkg[1024], path[1024], joined[2048];
    int32_t a = zw_json_str(package, pkg, sizeof pkg);
    int32_t b = zw_json_str(file, path, sizeof path);
    if (a < 0 || b < 0) return;
    size_t n = a > 0 ? zw_concat(joined, sizeof joined, pkg, "/", 1) : 0;
    n += zw_concat(joined + n, sizeof joined - n, "", path, (size_t)b);
    zw_json_string_n(w, joined, n);
}

static void json_copy_value(zw_json *w, zw_value v) {
    zw_json_sep(w);
    zw_json_raw(w, v.p, v.n);
    w->need_comma = 1;
}

ZW_EXPORT(rules) {
    zw_value a = args();
    zw_value package = zw_json_get(a, "package");
    zw_value files = zw_json_get(a, "files");
    if (files.kind != '[') return zw_error("rules: expected {\"package\": string, \"files\": [...]}");
    char name[256];
    package_name(package, name, sizeof name);

    zw_json w = zw_json_init(out_buf, sizeof out_buf);
    zw_json_array_begin(&w);

    /* the library: every header and every source without main() */
    int library = 0;
    size_t pos = 0;
    for (zw_value f = zw_json_next(files, &pos); f.kind; f = zw_json_next(files, &pos))
        if (!zw_json_is_true(zw_json_get(f, "main"))) library = 1;
    if (library) {
        zw_json_object_begin(&w);
        zw_json_key(&w, "kind");
        zw_json_string(&w, "cc_library");
        zw_json_key(&w, "name");
        zw_json_string(&w, name);
        const char *lists[3] = {"srcs", "imports", "provides"};
        for (int l = 0; l < 3; l++) {
            zw_json_key(&w, lists[l]);
            zw_json_array_begin(&w);
            pos = 0;
            for (zw_value f = zw_json_next(files, &pos); f.kind; f = zw_json_next(files, &pos)) {
                if (zw_json_is_true(zw_json_get(f, "main"))) continue;
                zw_value path = zw_json_get(f, "path");
                char p[1024];
                int32_t n = zw_json_str(path, p, sizeof p);
                int header = n > 0 && zw_ends_with(p, (size_t)n, ".h");
                if (l == 0 && !header) json_copy_value(&w, path);
                if (l == 2 && header) json_joined(&w, package, path);
                if (l == 1) {
                    zw_value imports = zw_json_get(f, "imports");
                    size_t k = 0;
                    for (zw_value i = zw_json_next(imports, &k); i.kind; i = zw_json_next(imports, &k))
                        json_copy_value(&w, i);
                }
            }
            zw_json_array_end(&w);
        }
        zw_json_key(&w, "attrs");
        zw_json_object_begin(&w);
        zw_json_key(&w, "hdrs");
        zw_json_array_begin(&w);
        pos = 0;
        for (zw_value f = zw_json_next(files, &pos); f.kind; f = zw_json_next(files, &pos)) {
            zw_value path = zw_json_get(f, "path");
            char p[1024];
            int32_t n = zw_json_str(path, p, sizeof p);
            if (n > 0 && zw_ends_with(p, (size_t)n, ".h")) json_copy_value(&w, path);
        }
        zw_json_array_end(&w);
        zw_json_object_end(&w);
        zw_json_object_end(&w);
    }

    /* one binary per file with main() */
    int mains = 0;
    pos = 0;
    for (zw_value f = zw_json_next(files, &pos); f.kind; f = zw_json_next(files, &pos))
        mains += zw_json_is_true(zw_json_get(f, "main"));
    pos = 0;
    for (zw_value f = zw_json_next(files, &pos); f.kind; f = zw_json_next(files, &pos)) {
        if (!zw_json_is_true(zw_json_get(f, "main"))) continue;
        zw_value path = zw_json_get(f, "path");
        char binary[256];
        if (mains == 1 && !library) {
            zw_copy(binary, name, zw_strlen(name) + 1);
        } else {
            char p[1024];
            int32_t n = zw_json_str(path, p, sizeof p);
            if (n < 2) continue;
            zw_concat(binary, sizeof binary, "", p, (size_t)n - 2); /* strip ".c" */
        }
        zw_json_object_begin(&w);
        zw_json_key(&w, "kind");
        zw_json_string(&w, "cc_binary");
        zw_json_key(&w, "name");
        zw_json_string(&w, binary);
        zw_json_key(&w, "srcs");
        zw_json_array_begin(&w);
        json_copy_value(&w, path);
        zw_json_array_end(&w);
        zw_json_key(&w, "imports");
        json_copy_value(&w, zw_json_get(f, "imports"));
        zw_json_object_end(&w);
    }
    zw_json_array_end(&w);
    return zw_json_output(&w);
}
