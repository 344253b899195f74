/* A plain C client and server for the cross-language tests: signs or verifies one HopNow
 * request with libsignwire, exactly as a C program would use include/signwire.h.
 *
 *   xlang sign   KEY_ID METHOD URL BODY_FILE            prints the header block
 *   xlang verify KEY_ID METHOD URL BODY_FILE < headers  prints "ok KEY_ID" or the status name
 *
 * The secret is read from the environment variable XLANG_SECRET. Exit: 0 ok, 1 refused,
 * 2 usage or setup error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signwire.h"

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap + 1);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown) { free(buf); buf = NULL; break; }
            buf = grown;
        }
    }
    fclose(f);
    if (buf) { buf[n] = 0; *len = n; }
    return buf;
}

static int fail(signwire_status s, int code) {
    printf("%s\n", signwire_status_name(s));
    fprintf(stderr, "xlang: %s\n", signwire_last_error_message());
    return code;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: xlang sign|verify KEY_ID METHOD URL BODY_FILE\n");
        return 2;
    }
    const char *secret = getenv("XLANG_SECRET");
    size_t body_len = 0;
    char *body = read_file(argv[5], &body_len);
    if (!secret || !body) {
        fprintf(stderr, "xlang: XLANG_SECRET unset or body file unreadable\n");
        return 2;
    }
    if (signwire_abi_version() != 1) {
        fprintf(stderr, "xlang: unexpected ABI %u\n", signwire_abi_version());
        return 2;
    }
    signwire_scheme *scheme = NULL;
    signwire_status s = signwire_scheme_new("hopnow", &scheme);
    if (s != SIGNWIRE_OK) return fail(s, 2);
    int rc = 0;
    if (strcmp(argv[1], "sign") == 0) {
        signwire_signer *signer = NULL;
        s = signwire_signer_new(scheme, argv[2], secret, strlen(secret), &signer);
        if (s != SIGNWIRE_OK) return fail(s, 2);
        char out[SIGNWIRE_SIGNED_HEADERS_MAX];
        size_t written = 0;
        s = signwire_signer_sign(signer, argv[3], argv[4], body, body_len, NULL, out, sizeof out, &written);
        if (s != SIGNWIRE_OK) rc = fail(s, 2);
        else fwrite(out, 1, written, stdout);
        signwire_signer_free(signer);
    } else if (strcmp(argv[1], "verify") == 0) {
        static char headers[65536];
        size_t n = fread(headers, 1, sizeof headers - 1, stdin);
        headers[n] = 0;
        signwire_verifier *verifier = NULL;
        s = signwire_verifier_new(scheme, &verifier);
        if (s == SIGNWIRE_OK) s = signwire_verifier_add_secret(verifier, argv[2], secret, strlen(secret));
        if (s != SIGNWIRE_OK) return fail(s, 2);
        char key_id[SIGNWIRE_KEY_ID_MAX];
        size_t written = 0;
        s = signwire_verifier_verify(verifier, argv[3], argv[4], body, body_len, headers, NULL, key_id, sizeof key_id, &written);
        if (s == SIGNWIRE_OK) printf("ok %s\n", key_id);
        else rc = fail(s, 1);
        signwire_verifier_free(verifier);
    } else {
        fprintf(stderr, "xlang: unknown command %s\n", argv[1]);
        rc = 2;
    }
    signwire_scheme_free(scheme);
    free(body);
    return rc;
}
