/* Every signwire_* function with hostile arguments, built with AddressSanitizer and
 * UndefinedBehaviorSanitizer (clang) and run again under valgrind by
 * tests/suites/25-sanitizers.sh.
 *
 * Inputs live in heap blocks of exactly their length (no NUL after byte buffers, no slack
 * after output buffers), so a read or write one byte past them is reported: by ASan for
 * the C side and intercepted copies, by valgrind for the uninstrumented Rust library.
 * Covered: NULL for every pointer, output capacities 0, 1, needed-1 and needed, invalid
 * UTF-8 in every text argument, lengths over isize::MAX, oversized and unterminated text
 * (bounded scan), every status name, free(NULL), and a sign/verify round trip with exactly
 * sized buffers. bcrypt/EpinTower (PHP-made hashes; bad, truncated, $2x$, out-of-range cost,
 * oversized) and sealed bodies (a jwcrypto token; every byte flipped, truncated, oversized,
 * seal/open and the query form with exact buffers) get the same treatment.
 * Expected MAC values are from RFC 4231 (test case 2). Ends with "N passed, M failed".
 */
#include <signwire.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond)                                                                        \
            passed++;                                                                    \
        else {                                                                           \
            failed++;                                                                    \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    signwire_last_error_message());                                      \
        }                                                                                \
    } while (0)
#define STATUS_IS(expr, want) CHECK((int)(expr) == (int)(want))

/* A heap copy of exactly len bytes, no terminator. */
static char *exact(const void *data, size_t len) {
    char *p = malloc(len ? len : 1);
    if (!p) abort();
    memcpy(p, data, len);
    return p;
}

/* A heap copy of a string with its NUL and nothing more. */
static char *cstr(const char *s) { return exact(s, strlen(s) + 1); }

static const char INVALID_UTF8[] = {'P', 'O', (char)0xC3, (char)0x28, 0};
static const char NONCE[] = "00112233445566778899aabbccddeeff";
static const char URL[] = "https://api.example.com/v1/pay?b=2&a=1";

static void test_static_getters(void) {
    CHECK(signwire_abi_version() >= 1);
    CHECK(strlen(signwire_version()) > 0);
    for (int32_t code = -3; code < 64; code++) {
        const char *n = signwire_status_name(code);
        CHECK(n != NULL && strncmp(n, "SIGNWIRE_", 9) == 0);
    }
    CHECK(strcmp(signwire_status_name(INT32_MIN), "SIGNWIRE_ERR_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(signwire_status_name(SIGNWIRE_ERR_BAD_SIGNATURE), "SIGNWIRE_ERR_BAD_SIGNATURE") == 0);
    CHECK(signwire_signature_max() == SIGNWIRE_SIGNATURE_MAX);
    CHECK(signwire_signed_headers_max() == SIGNWIRE_SIGNED_HEADERS_MAX);
    CHECK(signwire_key_id_max() == SIGNWIRE_KEY_ID_MAX);
    CHECK(signwire_hopnow_signature_len() == SIGNWIRE_HOPNOW_SIGNATURE_LEN);
    signwire_hmac_key_free(NULL);
    signwire_scheme_free(NULL);
    signwire_signer_free(NULL);
    signwire_verifier_free(NULL);
}

static void test_hmac(void) {
    /* RFC 4231 test case 2. */
    const char *want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    char *key = exact("Jefe", 4);
    char *msg = exact("what do ya want for nothing?", 28);
    size_t written = 12345;

    /* Capacities 0 .. needed: too small reports the need and writes nothing past cap. */
    for (size_t cap = 0; cap <= 65; cap++) {
        char *out = malloc(cap ? cap : 1);
        written = 999;
        signwire_status st = signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, SIGNWIRE_ENCODING_HEX,
                                                out, cap, &written);
        if (cap < 65) {
            STATUS_IS(st, SIGNWIRE_ERR_BUFFER_TOO_SMALL);
            CHECK(written == 65);
        } else {
            STATUS_IS(st, SIGNWIRE_OK);
            CHECK(written == 64 && strcmp(out, want) == 0);
        }
        free(out);
    }
    char *sig = exact(want, 64);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX), SIGNWIRE_OK);
    CHECK(strcmp(signwire_last_error_message(), "") == 0);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, sig, 63, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_BAD_SIGNATURE);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, msg, 27, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_BAD_SIGNATURE);
    CHECK(strlen(signwire_last_error_message()) > 0);
    /* NULL with a length, NULL with zero length, lengths beyond isize::MAX. */
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, NULL, 4, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, NULL, 28, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, NULL, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, NULL, 0, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_BAD_SIGNATURE);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, SIZE_MAX, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_INPUT_TOO_LARGE);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, msg, SIZE_MAX, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_INPUT_TOO_LARGE);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 0, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_hmac_verify(42, key, 4, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, sig, 64, -1), SIGNWIRE_ERR_INVALID_ARGUMENT);
    char out[SIGNWIRE_SIGNATURE_MAX];
    STATUS_IS(signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, SIGNWIRE_ENCODING_HEX, NULL, 10, &written),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, key, 4, msg, 28, SIGNWIRE_ENCODING_HEX, out, sizeof out, NULL),
              SIGNWIRE_ERR_NULL_POINTER);
    /* Oversized secret (limit 4096). */
    char *big = calloc(1, 5000);
    STATUS_IS(signwire_hmac_sign(SIGNWIRE_HMAC_SHA512, big, 5000, msg, 28, SIGNWIRE_ENCODING_BASE64, out, sizeof out, &written),
              SIGNWIRE_ERR_INPUT_TOO_LARGE);
    free(big);

    /* Prepared keys. */
    signwire_hmac_key *k = (signwire_hmac_key *)1;
    STATUS_IS(signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, NULL, 4, &k), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(k == NULL);
    STATUS_IS(signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, key, 4, NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, key, 4, &k), SIGNWIRE_OK);
    char *exact_out = malloc(65);
    STATUS_IS(signwire_hmac_key_sign(k, msg, 28, SIGNWIRE_ENCODING_HEX, exact_out, 65, &written), SIGNWIRE_OK);
    CHECK(strcmp(exact_out, want) == 0);
    STATUS_IS(signwire_hmac_key_sign(k, msg, 28, SIGNWIRE_ENCODING_HEX, exact_out, 64, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_hmac_key_sign(NULL, msg, 28, SIGNWIRE_ENCODING_HEX, exact_out, 65, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_key_verify(k, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX), SIGNWIRE_OK);
    STATUS_IS(signwire_hmac_key_verify(NULL, msg, 28, sig, 64, SIGNWIRE_ENCODING_HEX), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_hmac_key_verify(k, msg, 28, sig, 64, SIGNWIRE_ENCODING_BASE64), SIGNWIRE_ERR_BAD_SIGNATURE);
    signwire_hmac_key_free(k);
    free(exact_out);
    free(sig);
    free(key);
    free(msg);
}

static void test_schemes(void) {
    signwire_scheme *s = (signwire_scheme *)1;
    STATUS_IS(signwire_scheme_new(NULL, &s), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(s == NULL);
    STATUS_IS(signwire_scheme_new("hopnow", NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_scheme_new(INVALID_UTF8, &s), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_scheme_new("nope", &s), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_scheme_new("{\"name\":", &s), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_scheme_new("/nonexistent/scheme.json", &s), SIGNWIRE_ERR_INVALID_ARGUMENT);
    CHECK(s == NULL);
    /* A document over the 64 KiB limit. */
    size_t n = 70 * 1024;
    char *doc = malloc(n + 1);
    memset(doc, ' ', n);
    doc[0] = '{';
    doc[n - 1] = '}';
    doc[n] = 0;
    STATUS_IS(signwire_scheme_new(doc, &s), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    free(doc);
    /* A text argument over the C ABI's 1 MiB scan bound, with no terminator at all: the
     * library stops looking for the NUL at the bound (ASan checks it reads no further). */
    size_t unterminated_len = 1024 * 1024 + 1;
    char *unterminated = malloc(unterminated_len);
    memset(unterminated, '{', unterminated_len);
    STATUS_IS(signwire_scheme_new(unterminated, &s), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    CHECK(s == NULL);
    free(unterminated);

    STATUS_IS(signwire_scheme_new("hopnow", &s), SIGNWIRE_OK);
    size_t written = 0;
    STATUS_IS(signwire_scheme_to_json(s, NULL, 0, &written), SIGNWIRE_ERR_NULL_POINTER);
    char one[1];
    STATUS_IS(signwire_scheme_to_json(s, one, sizeof one, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    size_t need = written;
    CHECK(need > 100);
    char *json = malloc(need);
    STATUS_IS(signwire_scheme_to_json(s, json, need, &written), SIGNWIRE_OK);
    CHECK(written == need - 1 && json[written] == 0);
    STATUS_IS(signwire_scheme_to_json(NULL, json, need, &written), SIGNWIRE_ERR_NULL_POINTER);
    signwire_scheme *back = NULL;
    STATUS_IS(signwire_scheme_new(json, &back), SIGNWIRE_OK);
    signwire_scheme_free(back);
    free(json);

    /* canonical payload: NULLs, invalid UTF-8, exact buffer. */
    char *body = exact("{}", 2);
    char *out = malloc(200);
    const char *args[5] = {"POST", URL, "k1", "1700000000", NONCE};
    STATUS_IS(signwire_canonical_payload(s, args[0], args[1], body, 2, NULL, args[2], args[3], args[4], out, 200, &written),
              SIGNWIRE_OK);
    const char *want = "POSThttps://api.example.com/v1/pay?b=2&a=1170000000000112233445566778899aabbccddeeff{}";
    CHECK(written == strlen(want) && memcmp(out, want, written) == 0);
    for (int i = 0; i < 5; i++) {
        const char *a[5];
        memcpy(a, args, sizeof a);
        a[i] = NULL;
        STATUS_IS(signwire_canonical_payload(s, a[0], a[1], body, 2, NULL, a[2], a[3], a[4], out, 200, &written),
                  SIGNWIRE_ERR_NULL_POINTER);
        a[i] = INVALID_UTF8;
        STATUS_IS(signwire_canonical_payload(s, a[0], a[1], body, 2, NULL, a[2], a[3], a[4], out, 200, &written),
                  SIGNWIRE_ERR_INVALID_UTF8);
    }
    STATUS_IS(signwire_canonical_payload(s, "POST", URL, body, 2, INVALID_UTF8, "k1", "1700000000", NONCE, out, 200, &written),
              SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_canonical_payload(s, "POST", URL, body, 2, NULL, "k1", "01700000000", NONCE, out, 200, &written),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_canonical_payload(s, "POST", URL, NULL, 2, NULL, "k1", "1700000000", NONCE, out, 200, &written),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_canonical_payload(NULL, "POST", URL, body, 2, NULL, "k1", "1700000000", NONCE, out, 200, &written),
              SIGNWIRE_ERR_NULL_POINTER);
    free(out);
    out = malloc(strlen(want) + 1);
    STATUS_IS(signwire_canonical_payload(s, "POST", URL, body, 2, NULL, "k1", "1700000000", NONCE, out, strlen(want), &written),
              SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    CHECK(written == strlen(want) + 1);
    STATUS_IS(signwire_canonical_payload(s, "POST", URL, body, 2, NULL, "k1", "1700000000", NONCE, out, written, &written),
              SIGNWIRE_OK);
    free(out);
    free(body);
    signwire_scheme_free(s);
}

static void test_sign_and_verify(void) {
    signwire_scheme *s = NULL;
    STATUS_IS(signwire_scheme_new("hopnow", &s), SIGNWIRE_OK);
    char *secret = exact("c-sanitize secret", 17);
    char *kid = cstr("k1");
    char *body = exact("{\"amount\":1}", 12);

    signwire_signer *signer = (signwire_signer *)1;
    STATUS_IS(signwire_signer_new(NULL, kid, secret, 17, &signer), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(signer == NULL);
    STATUS_IS(signwire_signer_new(s, NULL, secret, 17, &signer), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_new(s, kid, NULL, 17, &signer), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_new(s, kid, secret, 0, &signer), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_signer_new(s, INVALID_UTF8, secret, 17, &signer), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_signer_new(s, "a b", secret, 17, &signer), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_signer_new(s, kid, secret, 17, NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_new(s, kid, secret, 17, &signer), SIGNWIRE_OK);

    size_t written = 0;
    char probe[1];
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, 12, NULL, 1700000000, NONCE, probe, 0, &written),
              SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    size_t need = written;
    CHECK(need > 100 && need <= SIGNWIRE_SIGNED_HEADERS_MAX);
    char *block = malloc(need);
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, 12, NULL, 1700000000, NONCE, block, need - 1, &written),
              SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, 12, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_OK);
    CHECK(written == need - 1 && block[written] == 0);
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, 12, NULL, -1, NONCE, block, need, &written),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, 12, NULL, 1700000000, "xyz", block, need, &written),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_signer_sign_at(signer, "post", URL, body, 12, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_signer_sign_at(signer, INVALID_UTF8, URL, body, 12, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_signer_sign_at(signer, "POST", INVALID_UTF8, body, 12, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_signer_sign_at(NULL, "POST", URL, body, 12, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, SIZE_MAX, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_ERR_INPUT_TOO_LARGE);
    char fresh[SIGNWIRE_SIGNED_HEADERS_MAX];
    STATUS_IS(signwire_signer_sign(signer, "GET", URL, NULL, 0, NULL, fresh, sizeof fresh, &written), SIGNWIRE_OK);
    STATUS_IS(signwire_signer_sign(signer, "GET", URL, NULL, 0, NULL, fresh, sizeof fresh, NULL), SIGNWIRE_ERR_NULL_POINTER);
    /* The fields layout: fitted fit, one byte short, zero capacity, NULLs, bad input. */
    size_t fields_len = 0;
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, NULL, 0, NULL, fresh, sizeof fresh, &fields_len), SIGNWIRE_OK);
    CHECK(fields_len > 0 && fresh[fields_len] == '\0' && strlen(fresh) < fields_len);
    char *fitted = malloc(fields_len + 1);
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, NULL, 0, NULL, fitted, fields_len + 1, &written), SIGNWIRE_OK);
    CHECK(written == fields_len && fitted[written] == '\0');
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, NULL, 0, NULL, fitted, fields_len, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    CHECK(written == fields_len + 1);
    free(fitted);
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, NULL, 0, NULL, probe, 0, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, NULL, 0, NULL, NULL, sizeof fresh, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, NULL, 0, NULL, fresh, sizeof fresh, NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_sign_fields(NULL, "GET", URL, NULL, 0, NULL, fresh, sizeof fresh, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_signer_sign_fields(signer, INVALID_UTF8, URL, NULL, 0, NULL, fresh, sizeof fresh, &written), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_signer_sign_fields(signer, "GET", URL, body, SIZE_MAX, NULL, fresh, sizeof fresh, &written), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    /* Restore the good block (the failed calls above must not have written it). */
    STATUS_IS(signwire_signer_sign_at(signer, "POST", URL, body, 12, NULL, 1700000000, NONCE, block, need, &written),
              SIGNWIRE_OK);

    signwire_verifier *v = (signwire_verifier *)1;
    STATUS_IS(signwire_verifier_new(NULL, &v), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(v == NULL);
    STATUS_IS(signwire_verifier_new(s, NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_new(s, &v), SIGNWIRE_OK);
    STATUS_IS(signwire_verifier_add_secret(NULL, kid, secret, 17), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_add_secret(v, NULL, secret, 17), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_add_secret(v, INVALID_UTF8, secret, 17), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_verifier_add_secret(v, kid, NULL, 17), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_add_secret(v, kid, secret, SIZE_MAX), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    STATUS_IS(signwire_verifier_add_secret(v, kid, secret, 17), SIGNWIRE_OK);
    STATUS_IS(signwire_verifier_set_max_age(NULL, 10), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_set_max_age(v, 0), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_verifier_set_max_future_skew(v, UINT64_MAX), SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_verifier_set_max_future_skew(NULL, 1), SIGNWIRE_ERR_NULL_POINTER);

    char *kid_out = malloc(3);
    int64_t now = 1700000000;
    /* NULL in each pointer argument. */
    STATUS_IS(signwire_verifier_verify_at(NULL, "POST", URL, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_verify_at(v, NULL, URL, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", NULL, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, NULL, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, NULL, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, block, NULL, now, NULL, 3, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, block, NULL, now, kid_out, 3, NULL), SIGNWIRE_ERR_NULL_POINTER);
    /* Invalid UTF-8 in each text argument. */
    STATUS_IS(signwire_verifier_verify_at(v, INVALID_UTF8, URL, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", INVALID_UTF8, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, INVALID_UTF8, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, block, INVALID_UTF8, now, kid_out, 3, &written), SIGNWIRE_ERR_INVALID_UTF8);
    /* A tampered body, a short body length, an oversized header block: refused, nonce kept. */
    char *tampered = exact("{\"amount\":9}", 12);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, tampered, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_BAD_SIGNATURE);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 11, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_BAD_SIGNATURE);
    size_t huge_len = 300 * 1024;
    char *huge = malloc(huge_len + 1);
    memset(huge, 'a', huge_len);
    memcpy(huge, "X-Pad: ", 7);
    huge[huge_len] = 0;
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, huge, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    free(huge);
    /* A key id buffer too small for the key id in the request is reported before any
     * verification, so the nonce is not spent: the same request then passes once. */
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, block, NULL, now, kid_out, 2, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    CHECK(written == 3);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_OK);
    CHECK(written == 2 && strcmp(kid_out, "k1") == 0);
    CHECK(strcmp(signwire_last_error_message(), "") == 0);
    STATUS_IS(signwire_verifier_verify_at(v, "POST", URL, body, 12, block, NULL, now, kid_out, 3, &written), SIGNWIRE_ERR_NONCE_REPLAYED);
    STATUS_IS(signwire_verifier_verify(v, "POST", URL, body, 12, block, NULL, kid_out, 3, &written), SIGNWIRE_ERR_TIMESTAMP_TOO_OLD);

    STATUS_IS(signwire_verifier_retire_secret(v, kid, secret, 17), SIGNWIRE_OK);
    STATUS_IS(signwire_verifier_retire_secret(v, kid, secret, 17), SIGNWIRE_ERR_UNKNOWN_KEY);
    STATUS_IS(signwire_verifier_retire_secret(NULL, kid, secret, 17), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_retire_secret(v, NULL, secret, 17), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_retire_secret(v, kid, NULL, 17), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_verifier_retire_secret(v, kid, secret, SIZE_MAX), SIGNWIRE_ERR_INPUT_TOO_LARGE);

    free(tampered);
    free(kid_out);
    free(block);
    signwire_verifier_free(v);
    signwire_signer_free(signer);
    signwire_scheme_free(s);
    free(body);
    free(kid);
    free(secret);
}

/* bcrypt(sha1(fields)): EpinTower and bcrypt scheme documents. Expected signatures were made
 * by PHP 8.2 (password_hash, tests/vectors/epintower.json); costs stay at 4 so the
 * sanitized run is quick. */
static const char *SPEC_FIELDS[] = {"BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18",
                                    "DF6649B8_9D57_53DF_2674_C768FE6DE0CB"};
static const char PHP_REQUEST_2A_04[] = "$2a$04$9SrX13ekFYIfJafzFiA3q.6eUevv5qNp1N/N4iXmAZQ5UBEoOK8IW";
static const char PHP_RAW72_2Y_04[] = "$2y$04$HFjxvPYTA7dZhwezWj.bK.XuofpuZZqffNLQZN8aoa8UaC8wAkYde";

static void test_bcrypt(void) {
    /* Fields in exact-size heap blocks, no terminators. */
    char *f[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++) {
        lens[i] = strlen(SPEC_FIELDS[i]);
        f[i] = exact(SPEC_FIELDS[i], lens[i]);
    }
    const char *const *fields = (const char *const *)f;
    size_t siglen = strlen(PHP_REQUEST_2A_04);
    char *sig = exact(PHP_REQUEST_2A_04, siglen);

    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, sig, siglen), SIGNWIRE_OK);
    STATUS_IS(signwire_epintower_verify_response(fields, lens, 3, sig, siglen), SIGNWIRE_ERR_BAD_SIGNATURE);
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 2, sig, siglen), SIGNWIRE_ERR_BAD_SIGNATURE);
    /* Bad: one character changed, $2x$, truncated, cost out of range, oversized, not bcrypt. */
    char *bad = exact(PHP_REQUEST_2A_04, siglen);
    bad[30] = bad[30] == 'a' ? 'b' : 'a'; /* mid-hash: the last character carries padding bits */
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, bad, siglen), SIGNWIRE_ERR_BAD_SIGNATURE);
    memcpy(bad, PHP_REQUEST_2A_04, siglen);
    bad[2] = 'x';
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, bad, siglen), SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM);
    memcpy(bad, PHP_REQUEST_2A_04, siglen);
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, bad, siglen - 1), SIGNWIRE_ERR_MALFORMED_HEADER);
    bad[5] = '3';
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, bad, siglen), SIGNWIRE_ERR_MALFORMED_HEADER);
    bad[4] = '3';
    bad[5] = '2';
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, bad, siglen), SIGNWIRE_ERR_MALFORMED_HEADER);
    free(bad);
    size_t big_len = 1 << 20;
    char *big = malloc(big_len);
    memset(big, '$', big_len);
    CHECK(signwire_epintower_verify_request(fields, lens, 3, big, big_len) == SIGNWIRE_ERR_MALFORMED_HEADER);
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, big, SIZE_MAX), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    /* NULL: fields, lengths, one field with a length, the signature. A NULL field of length
     * 0 is an empty field. */
    STATUS_IS(signwire_epintower_verify_request(NULL, lens, 3, sig, siglen), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_epintower_verify_request(fields, NULL, 3, sig, siglen), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, NULL, siglen), SIGNWIRE_ERR_NULL_POINTER);
    const char *with_null[3] = {f[0], NULL, f[2]};
    STATUS_IS(signwire_epintower_verify_request(with_null, lens, 3, sig, siglen), SIGNWIRE_ERR_NULL_POINTER);
    size_t zero_mid[3] = {lens[0], 0, lens[2]};
    STATUS_IS(signwire_epintower_verify_request(with_null, zero_mid, 3, sig, siglen), SIGNWIRE_ERR_BAD_SIGNATURE);
    size_t huge[3] = {lens[0], SIZE_MAX, lens[2]};
    STATUS_IS(signwire_epintower_verify_request(fields, huge, 3, sig, siglen), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    STATUS_IS(signwire_epintower_verify_request(fields, lens, SIZE_MAX, sig, siglen), SIGNWIRE_ERR_INPUT_TOO_LARGE);

    /* 0 sha1 rounds: the 72 bytes are the bcrypt password (PHP vector); 73 are refused, not
     * truncated. 17 rounds is out of range. */
    char *raw[2] = {exact("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 40), exact("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 33)};
    size_t raw_lens[2] = {40, 32};
    char *raw_sig = exact(PHP_RAW72_2Y_04, 60);
    STATUS_IS(signwire_epintower_verify_rounds(0, (const char *const *)raw, raw_lens, 2, raw_sig, 60), SIGNWIRE_OK);
    raw_lens[1] = 33;
    CHECK(signwire_epintower_verify_rounds(0, (const char *const *)raw, raw_lens, 2, raw_sig, 60) != SIGNWIRE_OK);
    STATUS_IS(signwire_epintower_verify_rounds(17, fields, lens, 3, sig, siglen), SIGNWIRE_ERR_INVALID_ARGUMENT);

    /* Signing into capacities 0, 60 (no room for the NUL) and exactly 61; costs 3 and 32 are
     * refused before any work. */
    size_t written = 999;
    char *out = malloc(SIGNWIRE_BCRYPT_HASH_MAX);
    STATUS_IS(signwire_epintower_sign_request(fields, lens, 3, 4, out, 0, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    CHECK(written == SIGNWIRE_BCRYPT_HASH_MAX);
    STATUS_IS(signwire_epintower_sign_request(fields, lens, 3, 4, out, SIGNWIRE_BCRYPT_HASH_LEN, &written),
              SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_epintower_sign_request(fields, lens, 3, 3, out, SIGNWIRE_BCRYPT_HASH_MAX, &written),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_epintower_sign_request(fields, lens, 3, 32, out, SIGNWIRE_BCRYPT_HASH_MAX, &written),
              SIGNWIRE_ERR_INVALID_ARGUMENT);
    STATUS_IS(signwire_epintower_sign_request(fields, lens, 3, 4, NULL, SIGNWIRE_BCRYPT_HASH_MAX, &written),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_epintower_sign_request(fields, lens, 3, 4, out, SIGNWIRE_BCRYPT_HASH_MAX, NULL),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_epintower_sign_response(fields, lens, 3, 4, out, SIGNWIRE_BCRYPT_HASH_MAX, &written), SIGNWIRE_OK);
    CHECK(written == SIGNWIRE_BCRYPT_HASH_LEN && out[written] == 0 && strncmp(out, "$2y$04$", 7) == 0);
    STATUS_IS(signwire_epintower_verify_response(fields, lens, 3, out, written), SIGNWIRE_OK);
    STATUS_IS(signwire_epintower_verify_request(fields, lens, 3, out, written), SIGNWIRE_ERR_BAD_SIGNATURE);

    /* Scheme documents: NULL, invalid UTF-8, bad JSON, a cost over its own max; then one at
     * cost 4 round trips with exact buffers. */
    signwire_bcrypt_scheme *bs = (signwire_bcrypt_scheme *)1;
    STATUS_IS(signwire_bcrypt_scheme_new(NULL, &bs), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(bs == NULL);
    STATUS_IS(signwire_bcrypt_scheme_new("epintower", NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_bcrypt_scheme_new(INVALID_UTF8, &bs), SIGNWIRE_ERR_INVALID_UTF8);
    CHECK(signwire_bcrypt_scheme_new("{\"name\":", &bs) != SIGNWIRE_OK && bs == NULL);
    CHECK(signwire_bcrypt_scheme_new("{\"name\":\"x\",\"cost\":12,\"max_verify_cost\":4}", &bs) != SIGNWIRE_OK);
    char *doc = cstr("{\"name\":\"c-san\",\"request_sha1_rounds\":1,\"response_sha1_rounds\":2,\"cost\":4,\"max_verify_cost\":5}");
    STATUS_IS(signwire_bcrypt_scheme_new(doc, &bs), SIGNWIRE_OK);
    STATUS_IS(signwire_bcrypt_scheme_sign_request(bs, fields, lens, 3, 0, out, SIGNWIRE_BCRYPT_HASH_MAX, &written),
              SIGNWIRE_OK);
    char *mine = exact(out, written);
    STATUS_IS(signwire_bcrypt_scheme_verify_request(bs, fields, lens, 3, mine, written), SIGNWIRE_OK);
    STATUS_IS(signwire_bcrypt_scheme_verify_response(bs, fields, lens, 3, mine, written), SIGNWIRE_ERR_BAD_SIGNATURE);
    /* PHP's hash verifies under the document (same rounds as EpinTower requests). */
    STATUS_IS(signwire_bcrypt_scheme_verify_request(bs, fields, lens, 3, sig, siglen), SIGNWIRE_OK);
    /* A cost-10 hash from the network is refused before any bcrypt work (max_verify_cost 5). */
    STATUS_IS(signwire_bcrypt_scheme_verify_request(bs, fields, lens, 3,
                                                    "$2y$10$xtNcPXKgc8DLyFO3E4MbruLVdBYv0qgx27HYfAsrX9YTipeNrxDce", 60),
              SIGNWIRE_ERR_MALFORMED_HEADER);
    STATUS_IS(signwire_bcrypt_scheme_sign_response(bs, fields, lens, 3, 0, out, SIGNWIRE_BCRYPT_HASH_LEN, &written),
              SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_bcrypt_scheme_sign_response(NULL, fields, lens, 3, 0, out, SIGNWIRE_BCRYPT_HASH_MAX, &written),
              SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_bcrypt_scheme_verify_request(NULL, fields, lens, 3, sig, siglen), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(signwire_bcrypt_hash_len() == SIGNWIRE_BCRYPT_HASH_LEN && signwire_bcrypt_hash_max() == SIGNWIRE_BCRYPT_HASH_MAX);
    CHECK(signwire_bcrypt_default_cost() == SIGNWIRE_BCRYPT_DEFAULT_COST);
    signwire_bcrypt_scheme_free(bs);
    signwire_bcrypt_scheme_free(NULL);

    free(mine);
    free(doc);
    free(out);
    free(raw[0]);
    free(raw[1]);
    free(raw_sig);
    free(big);
    free(sig);
    for (int i = 0; i < 3; i++) free(f[i]);
}

/* Sealed bodies (JWE dir + A256GCM). The expected plaintext comes from a token sealed by
 * jwcrypto (tests/vectors/seal/jose-vectors.json, "dir body 1"). */
static const char JWCRYPTO_TOKEN[] =
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiYWVzLTEifQ..3B5c-oGrPdr91eoY."
    "EflCuZ37CIa4jj5JiRLAvc7qP1pLZQv8D4xyEYrHXcm2RSgaPoe2.lsZohMvjBX8bSmW2-8GagQ";
static const char JWCRYPTO_PLAIN[] = "{\"card\":\"4111111111111111\",\"cvv\":\"123\"}";
static const unsigned char AES_1[32] = {0xd2, 0x51, 0x7c, 0x1b, 0xfa, 0x20, 0xea, 0xba, 0x09, 0xd4, 0xc7,
                                        0x53, 0x35, 0x12, 0xd1, 0x30, 0x49, 0xc3, 0x01, 0xe3, 0xdf, 0xbd,
                                        0x05, 0x9f, 0x56, 0xcb, 0xc9, 0x71, 0xcb, 0x17, 0xd0, 0xca};

static void test_seal(void) {
    char *key = exact(AES_1, 32);
    char *kid = cstr("aes-1");
    signwire_seal_keys *keys = (signwire_seal_keys *)1;
    STATUS_IS(signwire_seal_keys_new(0, NULL), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal_keys_new(0, &keys), SIGNWIRE_OK);
    STATUS_IS(signwire_seal_keys_add_shared(NULL, kid, key, 32), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal_keys_add_shared(keys, NULL, key, 32), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal_keys_add_shared(keys, kid, NULL, 32), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal_keys_add_shared(keys, kid, key, 31), SIGNWIRE_ERR_WEAK_KEY);
    STATUS_IS(signwire_seal_keys_add_shared(keys, INVALID_UTF8, key, 32), SIGNWIRE_ERR_INVALID_UTF8);
    STATUS_IS(signwire_seal_keys_add_shared(keys, kid, key, 32), SIGNWIRE_OK);
    char junk[] = "not a key";
    CHECK(signwire_seal_keys_add_rsa(keys, "r", junk, sizeof junk - 1) != SIGNWIRE_OK);
    STATUS_IS(signwire_seal_keys_add_rsa(keys, "r", NULL, 10), SIGNWIRE_ERR_NULL_POINTER);

    /* Good: the jwcrypto token, no terminator, into capacities needed-1 and exactly needed. */
    size_t tlen = strlen(JWCRYPTO_TOKEN), plen = strlen(JWCRYPTO_PLAIN), written = 0;
    char *token = exact(JWCRYPTO_TOKEN, tlen);
    char *out = malloc(plen + 1);
    STATUS_IS(signwire_open(keys, token, tlen, out, plen, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_open(keys, token, tlen, out, plen + 1, &written), SIGNWIRE_OK);
    CHECK(written == plen && memcmp(out, JWCRYPTO_PLAIN, plen) == 0 && out[plen] == 0);
    free(out);
    out = malloc(tlen + 1);
    /* Bad: every byte changed in turn never opens (and never crashes). */
    int opened = 0;
    for (size_t i = 0; i < tlen; i++) {
        char *t = exact(JWCRYPTO_TOKEN, tlen);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        signwire_status st = signwire_open(keys, t, tlen, out, tlen + 1, &written);
        opened += st == SIGNWIRE_OK;
        CHECK(st == SIGNWIRE_ERR_MALFORMED_TOKEN || st == SIGNWIRE_ERR_DECRYPTION_FAILED || st == SIGNWIRE_ERR_UNKNOWN_KEY ||
              st == SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM);
        free(t);
    }
    CHECK(opened == 0);
    STATUS_IS(signwire_open(keys, token, tlen - 1, out, tlen + 1, &written), SIGNWIRE_ERR_MALFORMED_TOKEN);
    STATUS_IS(signwire_open(keys, token, 10, out, tlen + 1, &written), SIGNWIRE_ERR_MALFORMED_TOKEN);
    STATUS_IS(signwire_open(keys, token, 0, out, tlen + 1, &written), SIGNWIRE_ERR_MALFORMED_TOKEN);
    /* NULL everywhere. */
    STATUS_IS(signwire_open(NULL, token, tlen, out, tlen + 1, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_open(keys, NULL, tlen, out, tlen + 1, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_open(keys, token, tlen, NULL, tlen + 1, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_open(keys, token, tlen, out, tlen + 1, NULL), SIGNWIRE_ERR_NULL_POINTER);
    /* Oversized: over the keys' own limit, and a length no allocation can have. */
    signwire_seal_keys *small = NULL;
    STATUS_IS(signwire_seal_keys_new(64, &small), SIGNWIRE_OK);
    STATUS_IS(signwire_seal_keys_add_shared(small, kid, key, 32), SIGNWIRE_OK);
    STATUS_IS(signwire_open(small, token, tlen, out, tlen + 1, &written), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    STATUS_IS(signwire_open(keys, token, SIZE_MAX, out, tlen + 1, &written), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    signwire_seal_keys_free(small);

    /* Seal: recipients (NULL, weak, invalid UTF-8), exact capacity from signwire_seal_len,
     * then open what was sealed; rotation forgets the key. */
    signwire_seal_recipient *r = (signwire_seal_recipient *)1;
    STATUS_IS(signwire_seal_recipient_new_shared(kid, key, 16, &r), SIGNWIRE_ERR_WEAK_KEY);
    CHECK(r == NULL);
    STATUS_IS(signwire_seal_recipient_new_shared(NULL, key, 32, &r), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal_recipient_new_shared(kid, key, 32, NULL), SIGNWIRE_ERR_NULL_POINTER);
    CHECK(signwire_seal_recipient_new_rsa(kid, junk, sizeof junk - 1, &r) != SIGNWIRE_OK && r == NULL);
    STATUS_IS(signwire_seal_recipient_new_shared(kid, key, 32, &r), SIGNWIRE_OK);
    char *body = exact(JWCRYPTO_PLAIN, plen);
    size_t need = 0;
    STATUS_IS(signwire_seal_len(r, plen, &need), SIGNWIRE_OK);
    STATUS_IS(signwire_seal_len(NULL, plen, &need), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal_len(r, SIZE_MAX, &need), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    STATUS_IS(signwire_seal_len(r, plen, &need), SIGNWIRE_OK);
    char *sealed = malloc(need);
    STATUS_IS(signwire_seal(r, body, plen, sealed, need - 1, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    STATUS_IS(signwire_seal(r, body, plen, sealed, need, &written), SIGNWIRE_OK);
    CHECK(written == need - 1 && sealed[written] == 0);
    STATUS_IS(signwire_seal(r, NULL, plen, sealed, need, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_seal(r, body, SIZE_MAX, sealed, need, &written), SIGNWIRE_ERR_INPUT_TOO_LARGE);
    char *mine = exact(sealed, need - 1);
    char *opened_body = malloc(need);
    STATUS_IS(signwire_open(keys, mine, need - 1, opened_body, need, &written), SIGNWIRE_OK);
    CHECK(written == plen && memcmp(opened_body, JWCRYPTO_PLAIN, plen) == 0);

    /* Query form: seal two pairs into one parameter, open it back, with exact buffers. */
    char *query = cstr("card=4111111111111111&amount=10&cvv=123");
    char probe[1];
    STATUS_IS(signwire_seal_query(r, query, "card,cvv", NULL, probe, 0, &written), SIGNWIRE_ERR_BUFFER_TOO_SMALL);
    size_t qneed = written;
    char *sq = malloc(qneed);
    STATUS_IS(signwire_seal_query(r, query, "card,cvv", NULL, sq, qneed, &written), SIGNWIRE_OK);
    CHECK(strstr(sq, "4111") == NULL && strstr(sq, "amount=10") != NULL);
    char *back = malloc(strlen(sq) + 1);
    STATUS_IS(signwire_open_query(keys, sq, NULL, back, strlen(sq) + 1, &written), SIGNWIRE_OK);
    CHECK(strstr(back, "card=4111111111111111") != NULL && strstr(back, "cvv=123") != NULL);
    STATUS_IS(signwire_open_query(keys, NULL, NULL, back, strlen(sq) + 1, &written), SIGNWIRE_ERR_NULL_POINTER);
    STATUS_IS(signwire_open_query(keys, INVALID_UTF8, NULL, back, strlen(sq) + 1, &written), SIGNWIRE_ERR_INVALID_UTF8);

    STATUS_IS(signwire_seal_keys_remove(keys, kid), SIGNWIRE_OK);
    STATUS_IS(signwire_seal_keys_remove(keys, kid), SIGNWIRE_ERR_UNKNOWN_KEY);
    STATUS_IS(signwire_open(keys, mine, need - 1, opened_body, need, &written), SIGNWIRE_ERR_UNKNOWN_KEY);
    CHECK(signwire_seal_max_token_len() == 16u * 1024 * 1024);
    signwire_seal_recipient_free(r);
    signwire_seal_recipient_free(NULL);
    signwire_seal_keys_free(keys);
    signwire_seal_keys_free(NULL);
    free(back);
    free(sq);
    free(query);
    free(opened_body);
    free(mine);
    free(sealed);
    free(body);
    free(out);
    free(token);
    free(kid);
    free(key);
}

int main(void) {
    test_static_getters();
    test_hmac();
    test_schemes();
    test_sign_and_verify();
    test_bcrypt();
    test_seal();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
