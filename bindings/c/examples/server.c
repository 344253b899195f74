/* Verify a request the way a server does, and print `ok KEY_ID` or the status name.
 *
 *   SECRET=... server --key-id ID --secret-env SECRET --method POST --url URL
 *                     [--headers-file PATH|-] [--body-file PATH|-] [--now T] [--scheme S]
 *
 * The headers block is the request's `Name: value` lines (CRLF or LF), e.g. what `client`
 * prints; by default it is read from stdin. Verification uses one verifier, as a server
 * would share one across requests: its nonce store remembers each nonce for max age + skew.
 * Exit status: 0 verified, 1 refused (status name on stdout, detail for the log on stderr),
 * 2 usage.
 */
#include "common.h"
#include <signwire.h>

static const char usage[] =
    "usage: server --key-id ID (--secret-env VAR | --secret-file PATH) --method M --url URL\n"
    "              [--headers-file PATH|-] [--body-file PATH|-] [--now T] [--scheme S]\n";

int main(int argc, char **argv) {
    const char *scheme_name = "hopnow", *key_id = NULL, *secret_env = NULL, *secret_file = NULL;
    const char *method = NULL, *url = NULL, *headers_file = "-", *body_file = NULL, *now_text = NULL;
    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = !strcmp(opt, "--scheme")         ? &scheme_name
                            : !strcmp(opt, "--key-id")       ? &key_id
                            : !strcmp(opt, "--secret-env")   ? &secret_env
                            : !strcmp(opt, "--secret-file")  ? &secret_file
                            : !strcmp(opt, "--method")       ? &method
                            : !strcmp(opt, "--url")          ? &url
                            : !strcmp(opt, "--headers-file") ? &headers_file
                            : !strcmp(opt, "--body-file")    ? &body_file
                            : !strcmp(opt, "--now")          ? &now_text
                                                             : NULL;
        if (!slot || !val) {
            fprintf(stderr, "%s: %s\n%s", opt, slot ? "needs a value" : "unknown option", usage);
            return 2;
        }
        *slot = val;
    }
    if (!key_id || !method || !url) {
        fprintf(stderr, "--key-id, --method and --url are required\n%s", usage);
        return 2;
    }
    if (body_file && !strcmp(body_file, "-") && !strcmp(headers_file, "-")) {
        fprintf(stderr, "headers and body cannot both come from stdin\n%s", usage);
        return 2;
    }
    int64_t now = 0;
    if (now_text && parse_seconds(now_text, &now) != 0) {
        fprintf(stderr, "--now must be unix seconds\n%s", usage);
        return 2;
    }

    size_t secret_len = 0, headers_len = 0, body_len = 0;
    char *secret = read_secret(secret_env, secret_file, &secret_len);
    char *headers = secret ? read_all(headers_file, &headers_len) : NULL;
    char *body = headers && body_file ? read_all(body_file, &body_len) : NULL;
    if (!secret || !headers || (body_file && !body)) {
        free_secret(secret, secret_len);
        free(headers);
        return 2;
    }

    int rc = 2;
    signwire_scheme *scheme = NULL;
    signwire_verifier *verifier = NULL;
    char verified_key[SIGNWIRE_KEY_ID_MAX];
    size_t written = 0;
    signwire_status st = signwire_scheme_new(scheme_name, &scheme);
    if (st == SIGNWIRE_OK)
        st = signwire_verifier_new(scheme, &verifier);
    if (st == SIGNWIRE_OK)
        st = signwire_verifier_add_secret(verifier, key_id, secret, secret_len);
    if (st != SIGNWIRE_OK) {
        fprintf(stderr, "setup failed: %s: %s\n", signwire_status_name(st), signwire_last_error_message());
    } else {
        if (now_text)
            st = signwire_verifier_verify_at(verifier, method, url, body, body_len, headers, NULL, now,
                                             verified_key, sizeof verified_key, &written);
        else
            st = signwire_verifier_verify(verifier, method, url, body, body_len, headers, NULL,
                                          verified_key, sizeof verified_key, &written);
        if (st == SIGNWIRE_OK) {
            printf("ok %s\n", verified_key);
            rc = 0;
        } else {
            /* The status goes to the caller; the detail is for the server's log only. A real
             * server answers the client with a generic "authentication failed". */
            printf("%s\n", signwire_status_name(st));
            fprintf(stderr, "signwire: %s\n", signwire_last_error_message());
            rc = 1;
        }
    }
    signwire_verifier_free(verifier);
    signwire_scheme_free(scheme);
    free_secret(secret, secret_len);
    free(headers);
    free(body);
    return rc;
}
