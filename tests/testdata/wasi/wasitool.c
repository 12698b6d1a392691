/* wasitool: a small WASI command exercising what real programs do.
 *
 * Built with:  python -m ziglang cc -target wasm32-wasi -Os -s -o wasitool.wasm wasitool.c
 * (see build.sh). Subcommands:
 *   tree DIR            print every path below DIR (sorted), with sizes, "/" after dirs
 *   cat FILE...         copy files to stdout
 *   upper SRC DST       copy SRC to DST upper-casing ASCII letters; print bytes copied
 *   args                print argc and each argument
 *   env [NAME]          print the environment (sorted) or one variable
 *   sleep MS            sleep MS milliseconds; print how long it took (rounded to 10 ms)
 *   time                print the realtime clock (seconds since the epoch)
 *   random N            print N random bytes as hex
 *   stdin               copy stdin to stdout upper-cased
 *   exit CODE           exit with CODE
 *   escape              try to leave the sandbox; print what each attempt gave
 *   mkdirs DIR          create DIR/a/b/c, a file in it, rename and remove things
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int tree(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "opendir %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char *names[1024];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL && count < 1024) {
        if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
            names[count++] = strdup(entry->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], compare);
    int status = 0;
    for (int i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (lstat(path, &st) != 0) {
            printf("%*s%s: %s\n", depth * 2, "", names[i], strerror(errno));
            status = 1;
        } else if (S_ISDIR(st.st_mode)) {
            printf("%*s%s/\n", depth * 2, "", names[i]);
            status |= tree(path, depth + 1);
        } else if (S_ISLNK(st.st_mode)) {
            char target[256];
            ssize_t n = readlink(path, target, sizeof target - 1);
            target[n < 0 ? 0 : n] = 0;
            printf("%*s%s -> %s\n", depth * 2, "", names[i], target);
        } else {
            printf("%*s%s %lld\n", depth * 2, "", names[i], (long long)st.st_size);
        }
        free(names[i]);
    }
    return status;
}

static int cat(int argc, char **argv) {
    char buf[4096];
    for (int i = 0; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    }
    return 0;
}

static int upper(const char *src, const char *dst) {
    FILE *in = fopen(src, "rb");
    if (!in) {
        fprintf(stderr, "%s: %s\n", src, strerror(errno));
        return 1;
    }
    FILE *out = fopen(dst, "wb");
    if (!out) {
        fprintf(stderr, "%s: %s\n", dst, strerror(errno));
        fclose(in);
        return 1;
    }
    long total = 0;
    int c;
    while ((c = fgetc(in)) != EOF) {
        fputc(toupper(c), out);
        total++;
    }
    fclose(in);
    if (fclose(out) != 0) {
        fprintf(stderr, "%s: %s\n", dst, strerror(errno));
        return 1;
    }
    printf("copied %ld bytes\n", total);
    return 0;
}

static int env(const char *name) {
    if (name) {
        const char *value = getenv(name);
        if (!value)
            return 1;
        printf("%s\n", value);
        return 0;
    }
    int count = 0;
    while (environ[count])
        count++;
    char **copy = malloc(sizeof(char *) * (count + 1));
    memcpy(copy, environ, sizeof(char *) * count);
    qsort(copy, count, sizeof copy[0], compare);
    for (int i = 0; i < count; i++)
        printf("%s\n", copy[i]);
    free(copy);
    return 0;
}

static long long now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int do_sleep(int ms) {
    long long start = now_ns(CLOCK_MONOTONIC);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    long long elapsed = now_ns(CLOCK_MONOTONIC) - start;
    printf("slept %s %d ms\n", elapsed >= (long long)ms * 1000000LL ? "at least" : "less than", ms);
    return 0;
}

static int random_bytes(int n) {
    unsigned char buf[256];
    if (n > 256)
        n = 256;
    if (getentropy(buf, n) != 0) {
        perror("getentropy");
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("%02x", buf[i]);
    printf("\n");
    return 0;
}

static void attempt(const char *what, int result) {
    printf("%s: %s\n", what, result >= 0 ? "ALLOWED" : strerror(errno));
}

static int escape(void) {
    attempt("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    attempt("open ../outside", open("../outside", O_RDONLY));
    attempt("open /sandbox/../../etc/passwd", open("/sandbox/../../etc/passwd", O_RDONLY));
    attempt("open /sandbox/escape/secret", open("/sandbox/escape/secret", O_RDONLY));
    attempt("symlink /etc/passwd", symlink("/etc/passwd", "/sandbox/evil"));
    attempt("mkdir /sandbox/escape/new", mkdir("/sandbox/escape/new", 0755));
    return 0;
}

static int mkdirs(const char *dir) {
    char path[4096], other[4096];
    snprintf(path, sizeof path, "%s/a", dir);
    if (mkdir(path, 0755)) { perror(path); return 1; }
    snprintf(path, sizeof path, "%s/a/b", dir);
    if (mkdir(path, 0755)) { perror(path); return 1; }
    snprintf(path, sizeof path, "%s/a/b/file.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return 1; }
    fputs("created by wasitool\n", f);
    fclose(f);
    snprintf(other, sizeof other, "%s/a/renamed.txt", dir);
    if (rename(path, other)) { perror("rename"); return 1; }
    snprintf(path, sizeof path, "%s/a/b", dir);
    if (rmdir(path)) { perror("rmdir"); return 1; }
    snprintf(path, sizeof path, "%s/a", dir);
    if (rmdir(path) == 0 || errno != ENOTEMPTY) { printf("rmdir of a non-empty dir did not fail\n"); return 1; }
    printf("ok\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s COMMAND [ARGS]\n", argv[0]);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "tree") && argc == 3) return tree(argv[2], 0);
    if (!strcmp(cmd, "cat")) return cat(argc - 2, argv + 2);
    if (!strcmp(cmd, "upper") && argc == 4) return upper(argv[2], argv[3]);
    if (!strcmp(cmd, "args")) {
        printf("argc=%d\n", argc);
        for (int i = 0; i < argc; i++)
            printf("argv[%d]=%s\n", i, argv[i]);
        return 0;
    }
    if (!strcmp(cmd, "env")) return env(argc > 2 ? argv[2] : NULL);
    if (!strcmp(cmd, "sleep") && argc == 3) return do_sleep(atoi(argv[2]));
    if (!strcmp(cmd, "time")) {
        printf("%lld\n", now_ns(CLOCK_REALTIME) / 1000000000LL);
        return 0;
    }
    if (!strcmp(cmd, "random") && argc == 3) return random_bytes(atoi(argv[2]));
    if (!strcmp(cmd, "stdin")) {
        int c;
        while ((c = getchar()) != EOF)
            putchar(toupper(c));
        return 0;
    }
    if (!strcmp(cmd, "exit") && argc == 3) exit(atoi(argv[2]));
    if (!strcmp(cmd, "escape")) return escape();
    if (!strcmp(cmd, "mkdirs") && argc == 3) return mkdirs(argv[2]);
    fprintf(stderr, "unknown command %s\n", cmd);
    return 2;
}
