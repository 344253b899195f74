/* Helpers shared by the two examples: argument parsing and reading files. Not part of the
 * signwire API; a real program has its own. */
#ifndef SIGNWIRE_EXAMPLE_COMMON_H
#define SIGNWIRE_EXAMPLE_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a whole file ("-" is stdin) into a malloc'd buffer with a NUL after the data. */
static char *read_all(const char *path, size_t *len_out) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - 1 - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf)
        return NULL;
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* The secret from --secret-env VAR or --secret-file PATH (one trailing newline dropped),
 * never from the command line, where `ps` and shell history would show it. */
static char *read_secret(const char *env_name, const char *file, size_t *len_out) {
    if ((env_name == NULL) == (file == NULL)) {
        fprintf(stderr, "give exactly one of --secret-env VAR or --secret-file PATH\n");
        return NULL;
    }
    if (env_name) {
        const char *v = getenv(env_name);
        if (!v) {
            fprintf(stderr, "environment variable %s is not set\n", env_name);
            return NULL;
        }
        *len_out = strlen(v);
        char *copy = malloc(*len_out + 1);
        if (copy)
            memcpy(copy, v, *len_out + 1);
        return copy;
    }
    char *s = read_all(file, len_out);
    if (s && *len_out > 0 && s[*len_out - 1] == '\n') {
        s[--*len_out] = '\0';
        if (*len_out > 0 && s[*len_out - 1] == '\r')
            s[--*len_out] = '\0';
    }
    return s;
}

/* Overwrite a secret before freeing it; volatile so the stores are not optimised away. */
static void free_secret(char *s, size_t len) {
    if (!s)
        return;
    volatile char *p = s;
    for (size_t i = 0; i < len; i++)
        p[i] = 0;
    free(s);
}

/* Unix seconds as signwire writes them: digits only, no sign, no leading zeros. */
static int parse_seconds(const char *s, int64_t *out) {
    if (!s[0] || (s[0] == '0' && s[1]))
        return -1;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (INT64_MAX - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

#endif
