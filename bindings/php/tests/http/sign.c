/* A C client for the PHP tests: signs one HopNow request with libsignwire and prints the
 * header block. usage: c-sign KEY_ID METHOD URL BODY_FILE (secret in $SIGNWIRE_TEST_SECRET) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signwire.h"

static int fail(const char *what, signwire_status st) {
    fprintf(stderr, "%s: %s: %s\n", what, signwire_status_name(st), signwire_last_error_message());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: c-sign KEY_ID METHOD URL BODY_FILE\n");
        return 2;
    }
    const char *secret = getenv("SIGNWIRE_TEST_SECRET");
    if (!secret) {
        fprintf(stderr, "SIGNWIRE_TEST_SECRET is not set\n");
        return 2;
    }
    FILE *f = fopen(argv[4], "rb");
    if (!f) {
        perror(argv[4]);
        return 2;
    }
    static char body[1 << 20];
    size_t body_len = fread(body, 1, sizeof body, f);
    fclose(f);

    signwire_scheme *scheme = NULL;
    signwire_signer *signer = NULL;
    signwire_status st = signwire_scheme_new("hopnow", &scheme);
    if (st != SIGNWIRE_OK) return fail("scheme", st);
    st = signwire_signer_new(scheme, argv[1], secret, strlen(secret), &signer);
    signwire_scheme_free(scheme);
    if (st != SIGNWIRE_OK) return fail("signer", st);

    char out[SIGNWIRE_SIGNED_HEADERS_MAX];
    size_t written = 0;
    st = signwire_signer_sign(signer, argv[2], argv[3], body, body_len, NULL, out, sizeof out, &written);
    signwire_signer_free(signer);
    if (st != SIGNWIRE_OK) return fail("sign", st);
    fwrite(out, 1, written, stdout);
    return 0;
}
