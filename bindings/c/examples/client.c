/* Sign a request and print its authentication headers, one `Name: value` line each.
 *
 *   SECRET=... client --key-id ID --secret-env SECRET --method POST --url URL
 *                     [--body-file PATH|-] [--timestamp T [--nonce N]] [--scheme hopnow|PATH]
 *
 * Without --timestamp the request is signed now with a fresh random nonce (what a real
 * client does); --timestamp alone fixes the time (the nonce is still random), and with
 * --nonce too the output is reproducible (tests, documentation).
 * Exit status: 0 signed, 1 signwire refused the request (the reason is on stderr), 2 usage.
 */
#include "common.h"
#include <signwire.h>

static const char usage[] =
    "usage: client --key-id ID (--secret-env VAR | --secret-file PATH) --method M --url URL\n"
    "              [--body-file PATH|-] [--timestamp T [--nonce N]] [--scheme hopnow|PATH]\n";

int main(int argc, char **argv) {
    const char *scheme_name = "hopnow", *key_id = NULL, *secret_env = NULL, *secret_file = NULL;
    const char *method = NULL, *url = NULL, *body_file = NULL, *timestamp = NULL, *nonce = NULL;
    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = !strcmp(opt, "--scheme")        ? &scheme_name
                            : !strcmp(opt, "--key-id")      ? &key_id
                            : !strcmp(opt, "--secret-env")  ? &secret_env
                            : !strcmp(opt, "--secret-file") ? &secret_file
                            : !strcmp(opt, "--method")      ? &method
                            : !strcmp(opt, "--url")         ? &url
                            : !strcmp(opt, "--body-file")   ? &body_file
                            : !strcmp(opt, "--timestamp")   ? &timestamp
                            : !strcmp(opt, "--nonce")       ? &nonce
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
    int64_t ts = 0;
    if ((nonce && !timestamp) || (timestamp && parse_seconds(timestamp, &ts) != 0)) {
        fprintf(stderr, "--timestamp takes unix seconds; --nonce needs --timestamp\n%s", usage);
        return 2;
    }

    size_t secret_len = 0, body_len = 0;
    char *secret = read_secret(secret_env, secret_file, &secret_len);
    if (!secret)
        return 2;
    char *body = body_file ? read_all(body_file, &body_len) : NULL;
    if (body_file && !body) {
        free_secret(secret, secret_len);
        return 2;
    }

    int rc = 1;
    signwire_scheme *scheme = NULL;
    signwire_signer *signer = NULL;
    char headers[SIGNWIRE_SIGNED_HEADERS_MAX];
    size_t written = 0;
    signwire_status st = signwire_scheme_new(scheme_name, &scheme);
    if (st == SIGNWIRE_OK)
        st = signwire_signer_new(scheme, key_id, secret, secret_len, &signer);
    if (st == SIGNWIRE_OK && timestamp)
        st = signwire_signer_sign_at(signer, method, url, body, body_len, NULL, ts, nonce, headers,
                                     sizeof headers, &written);
    else if (st == SIGNWIRE_OK)
        st = signwire_signer_sign(signer, method, url, body, body_len, NULL, headers, sizeof headers,
                                  &written);
    if (st == SIGNWIRE_OK) {
        /* The block is `Name: value\r\n` lines (what goes on the wire); print plain lines so a
         * shell can read them one by one. */
        for (char *line = headers, *end; *line; line = end + 1) {
            end = strchr(line, '\n');
            if (!end)
                break;
            int n = (int)(end - line);
            if (n > 0 && line[n - 1] == '\r')
                n--;
            printf("%.*s\n", n, line);
        }
        rc = 0;
    } else {
        fprintf(stderr, "%s: %s\n", signwire_status_name(st), signwire_last_error_message());
    }
    signwire_signer_free(signer);
    signwire_scheme_free(scheme);
    free_secret(secret, secret_len);
    free(body);
    return rc;
}
