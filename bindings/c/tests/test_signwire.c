/* C tests of include/signwire.h, linked against libsignwire.so and run under valgrind.
 *
 *   test_signwire [VECTORS_TXT]
 *
 * Every function of the header is called here: success paths, NULL for each pointer
 * argument, invalid UTF-8, short buffers, and each bad-input row of the foundation issue.
 * Expected MACs come from OpenSSL's HMAC() and from the shared vectors (tests/vectors/<name>.json,
 * computed by Python's hmac; flattened by vectors_to_text.py), never from signwire itself.
 * After every failing call the thread's error message must be non-empty and must not contain
 * any secret or expected signature the test knows. Ends with "N passed, M failed".
 */
#include <signwire.h>

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef SIGNWIRE_EXPECTED_VERSION
#error "build with -DSIGNWIRE_EXPECTED_VERSION='\"x.y.z\"' (the Makefile reads it from Cargo.toml)"
#endif
/* The ABI these tests were written against; bindings refuse any other. */
#define EXPECTED_ABI 1u

/* ------------------------------------------------------------------------------------- */
/* Assertions                                                                             */

static int passed, failed;
static const char *section = "";

static void fail_at(int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL [%s] line %d: ", section, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failed++;
}

static void check_at(int ok, const char *what, int line) {
    if (ok)
        passed++;
    else
        fail_at(line, "%s", what);
}
#define CHECK(cond) check_at((cond) != 0, #cond, __LINE__)

/* Strings no error message may contain: every secret the tests use and every expected
 * signature of a request they send. */
#define MAX_FORBIDDEN 64
static char *forbidden[MAX_FORBIDDEN];
static size_t forbidden_count;

static void forbid(const char *s, size_t len) {
    if (len < 6 || forbidden_count == MAX_FORBIDDEN)
        return;
    for (size_t i = 0; i < forbidden_count; i++)
        if (strlen(forbidden[i]) == len && memcmp(forbidden[i], s, len) == 0)
            return;
    char *copy = malloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    forbidden[forbidden_count++] = copy;
}

static void expect_status(signwire_status got, signwire_status want, const char *expr, int line) {
    /* Copy the message first: any later signwire call may replace it. */
    const char *raw = signwire_last_error_message();
    char *msg = strdup(raw ? raw : "(NULL)");
    if (got == want)
        passed++;
    else
        fail_at(line, "%s returned %s, expected %s (message: %s)", expr, signwire_status_name((int32_t)got),
                signwire_status_name((int32_t)want), msg);
    if (want == SIGNWIRE_OK) {
        check_at(raw != NULL && raw[0] == '\0', "last error message is empty after a success", line);
    } else if (got == want) {
        check_at(msg[0] != '\0', "last error message is set after a failure", line);
        int clean = 1;
        for (size_t i = 0; i < forbidden_count; i++)
            if (strstr(msg, forbidden[i])) {
                fail_at(line, "error message of %s reveals a secret or signature: %s", expr, msg);
                clean = 0;
            }
        if (clean)
            passed++;
    }
    free(msg);
}
#define EXPECT(want, call) expect_status((call), (want), #call, __LINE__)

/* ------------------------------------------------------------------------------------- */
/* Independent reference: OpenSSL HMAC and hand-built HopNow payloads                       */

static void to_hex(const unsigned char *in, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static const EVP_MD *md_of(int32_t alg) {
    return alg == SIGNWIRE_HMAC_SHA1 ? EVP_sha1() : alg == SIGNWIRE_HMAC_SHA256 ? EVP_sha256() : EVP_sha512();
}

/* HMAC by OpenSSL, encoded as signwire should encode it. `out` holds SIGNWIRE_SIGNATURE_MAX. */
static void openssl_hmac(int32_t alg, const void *key, size_t key_len, const void *msg, size_t msg_len,
                         int32_t encoding, char *out) {
    unsigned char tag[EVP_MAX_MD_SIZE];
    unsigned int tag_len = 0;
    HMAC(md_of(alg), key, (int)key_len, msg, msg_len, tag, &tag_len);
    if (encoding == SIGNWIRE_ENCODING_HEX)
        to_hex(tag, tag_len, out);
    else
        EVP_EncodeBlock((unsigned char *)out, tag, (int)tag_len);
}

/* `{METHOD}{URL}{TIMESTAMP}{NONCE}{BODY}`, as the HopNow documentation states it. */
static char *hopnow_payload(const char *method, const char *url, const char *ts, const char *nonce,
                            const char *body, size_t body_len, size_t *len) {
    size_t head = strlen(method) + strlen(url) + strlen(ts) + strlen(nonce);
    char *p = malloc(head + body_len + 1);
    snprintf(p, head + 1, "%s%s%s%s", method, url, ts, nonce);
    if (body_len)
        memcpy(p + head, body, body_len);
    p[head + body_len] = '\0';
    *len = head + body_len;
    return p;
}

/* The lowercase hex HMAC-SHA256 of that payload. `out` holds 65 bytes. */
static void hopnow_sig(const char *secret, const char *method, const char *url, const char *ts,
                       const char *nonce, const char *body, size_t body_len, char *out) {
    size_t len;
    char *p = hopnow_payload(method, url, ts, nonce, body, body_len, &len);
    openssl_hmac(SIGNWIRE_HMAC_SHA256, secret, strlen(secret), p, len, SIGNWIRE_ENCODING_HEX, out);
    free(p);
}

/* A header block as a client would send it. */
static void block(char *out, size_t cap, const char *key_id, const char *sig, const char *ts, const char *nonce) {
    snprintf(out, cap, "X-API-Key: %s\r\nX-Signature: %s\r\nX-Timestamp: %s\r\nX-Nonce: %s\r\n", key_id, sig, ts,
             nonce);
}

/* The value of a header in a block, if present exactly once. */
static int header_value(const char *blk, const char *name, char *out, size_t cap) {
    int found = 0;
    size_t n = strlen(name);
    for (const char *line = blk; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t vlen = (size_t)(line + len - v);
            if (vlen && v[vlen - 1] == '\r')
                vlen--;
            if (vlen >= cap)
                return 0;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            found++;
        }
        line += len + (end ? 1 : 0);
    }
    return found == 1;
}

static unsigned long long nonce_counter = 0x5eedull;
/* A fresh, valid 32-hex nonce (distinct for the whole run). */
static void fresh_nonce(char out[33]) {
    snprintf(out, 33, "c0ffee00%08llx%016llx", (unsigned long long)time(NULL) & 0xffffffffull, nonce_counter++);
}

/* ------------------------------------------------------------------------------------- */
/* Fixtures                                                                               */

#define KEY_ID "c-client-1"
#define SECRET_A "c-suite-secret-A-5f1e9c"
#define SECRET_B "c-suite-secret-B-77ab20"
#define TS 1700000050
#define TS_TEXT "1700000050"
static const char URL[] = "https://api.example.com/v1/payments?currency=EUR&memo=caf%C3%A9";
/* UTF-8 in a JSON body: "Grüße". */
static const char BODY[] = "{\"amount\":\"12.50\",\"memo\":\"Gr\xc3\xbc\xc3\x9f" "e\"}";
#define BODY_LEN (sizeof BODY - 1)
static const char BAD_UTF8[] = "PO\xc3\x28ST";
static const char BAD_UTF8_URL[] = "https://api.example.com/\xff\xfe";

static signwire_scheme *hopnow(void) {
    signwire_scheme *s = NULL;
    EXPECT(SIGNWIRE_OK, signwire_scheme_new("hopnow", &s));
    return s;
}

static signwire_verifier *verifier_with(const char *key_id, const char *secret) {
    signwire_scheme *s = hopnow();
    signwire_verifier *v = NULL;
    EXPECT(SIGNWIRE_OK, signwire_verifier_new(s, &v));
    signwire_scheme_free(s);
    if (key_id)
        EXPECT(SIGNWIRE_OK, signwire_verifier_add_secret(v, key_id, secret, strlen(secret)));
    return v;
}

static signwire_signer *signer_with(const char *key_id, const char *secret) {
    signwire_scheme *s = hopnow();
    signwire_signer *g = NULL;
    EXPECT(SIGNWIRE_OK, signwire_signer_new(s, key_id, secret, strlen(secret), &g));
    signwire_scheme_free(s);
    return g;
}

/* Verify at a fixed time; the key id is checked by the callers that care. */
static signwire_status verify_at(const signwire_verifier *v, const char *method, const char *url,
                                 const char *body, size_t body_len, const char *headers, int64_t now) {
    char kid[SIGNWIRE_KEY_ID_MAX];
    size_t w = 0;
    return signwire_verifier_verify_at(v, method, url, body, body_len, headers, NULL, now, kid, sizeof kid, &w);
}

/* A HopNow request signed independently (OpenSSL) with a fresh nonce: its header block. */
static void signed_block(char *out, size_t cap, const char *key_id, const char *secret, const char *method,
                         const char *url, const char *ts, const char *body, size_t body_len) {
    char nonce[33], sig[SIGNWIRE_SIGNATURE_MAX];
    fresh_nonce(nonce);
    hopnow_sig(secret, method, url, ts, nonce, body, body_len, sig);
    forbid(sig, strlen(sig));
    block(out, cap, key_id, sig, ts, nonce);
}

/* ------------------------------------------------------------------------------------- */

static const char *const STATUS_NAMES[] = {
    "SIGNWIRE_OK",
    "SIGNWIRE_ERR_NULL_POINTER",
    "SIGNWIRE_ERR_INVALID_ARGUMENT",
    "SIGNWIRE_ERR_INVALID_UTF8",
    "SIGNWIRE_ERR_BUFFER_TOO_SMALL",
    "SIGNWIRE_ERR_MISSING_HEADER",
    "SIGNWIRE_ERR_MALFORMED_HEADER",
    "SIGNWIRE_ERR_UNKNOWN_KEY",
    "SIGNWIRE_ERR_BAD_SIGNATURE",
    "SIGNWIRE_ERR_TIMESTAMP_TOO_OLD",
    "SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE",
    "SIGNWIRE_ERR_NONCE_REPLAYED",
    "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE",
    "SIGNWIRE_ERR_IP_NOT_ALLOWED",
    "SIGNWIRE_ERR_INTERNAL",
    "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM",
    "SIGNWIRE_ERR_MALFORMED_TOKEN",
    "SIGNWIRE_ERR_DECRYPTION_FAILED",
    "SIGNWIRE_ERR_WEAK_KEY",
    "SIGNWIRE_ERR_INPUT_TOO_LARGE",
};

static void test_meta(void) {
    section = "meta";
    CHECK(signwire_abi_version() == EXPECTED_ABI);
    CHECK(strcmp(signwire_version(), SIGNWIRE_EXPECTED_VERSION) == 0);
    CHECK(signwire_signature_max() == SIGNWIRE_SIGNATURE_MAX);
    CHECK(SIGNWIRE_SIGNATURE_MAX == 2 * SHA512_DIGEST_LENGTH + 1);
    CHECK(signwire_signed_headers_max() == SIGNWIRE_SIGNED_HEADERS_MAX);
    CHECK(signwire_key_id_max() == SIGNWIRE_KEY_ID_MAX);
    CHECK(signwire_hopnow_signature_len() == SIGNWIRE_HOPNOW_SIGNATURE_LEN);
    CHECK(SIGNWIRE_HOPNOW_SIGNATURE_LEN == 2 * SHA256_DIGEST_LENGTH);

    /* Status numbers are fixed; each has its own name, and unknown numbers a catch-all. */
    size_t n = sizeof STATUS_NAMES / sizeof STATUS_NAMES[0];
    CHECK(n == (size_t)SIGNWIRE_ERR_INPUT_TOO_LARGE + 1);
    for (size_t i = 0; i < n; i++) {
        const char *name = signwire_status_name((int32_t)i);
        if (name && strcmp(name, STATUS_NAMES[i]) == 0)
            passed++;
        else
            fail_at(__LINE__, "status %zu is named %s, expected %s", i, name ? name : "(NULL)", STATUS_NAMES[i]);
    }
    CHECK(SIGNWIRE_ERR_BAD_SIGNATURE == 8 && SIGNWIRE_ERR_NONCE_REPLAYED == 11 && SIGNWIRE_ERR_INTERNAL == 14);
    const int32_t unknown[] = {-1, 1000, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK(strcmp(signwire_status_name(unknown[i]), "SIGNWIRE_ERR_UNKNOWN_STATUS") == 0);
    CHECK(signwire_last_error_message() != NULL);
}

static void test_hmac(void) {
    section = "hmac";
    const int32_t algs[] = {SIGNWIRE_HMAC_SHA1, SIGNWIRE_HMAC_SHA256, SIGNWIRE_HMAC_SHA512};
    const int32_t encs[] = {SIGNWIRE_ENCODING_HEX, SIGNWIRE_ENCODING_BASE64};
    size_t big_len = 1u << 20;
    char *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)(i * 131u + 7u);
    char long_key[200];
    memset(long_key, 'k', sizeof long_key);
    struct {
        const char *key;
        size_t key_len;
        const char *msg;
        size_t msg_len;
    } cases[] = {
        {SECRET_A, strlen(SECRET_A), "The quick brown fox jumps over the lazy dog", 43},
        {SECRET_A, strlen(SECRET_A), "", 0},
        {"k", 1, "nul\0inside\0", 11},
        {long_key, sizeof long_key, BODY, BODY_LEN},
        {SECRET_B, strlen(SECRET_B), big, big_len},
    };
    forbid(SECRET_A, strlen(SECRET_A));
    forbid(SECRET_B, strlen(SECRET_B));

    for (size_t a = 0; a < 3; a++)
        for (size_t e = 0; e < 2; e++)
            for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
                char want[SIGNWIRE_SIGNATURE_MAX], got[SIGNWIRE_SIGNATURE_MAX];
                size_t w = 0;
                openssl_hmac(algs[a], cases[c].key, cases[c].key_len, cases[c].msg, cases[c].msg_len, encs[e], want);
                EXPECT(SIGNWIRE_OK, signwire_hmac_sign(algs[a], cases[c].key, cases[c].key_len, cases[c].msg,
                                                       cases[c].msg_len, encs[e], got, sizeof got, &w));
                CHECK(strcmp(got, want) == 0 && w == strlen(want));
                EXPECT(SIGNWIRE_OK, signwire_hmac_verify(algs[a], cases[c].key, cases[c].key_len, cases[c].msg,
                                                         cases[c].msg_len, want, strlen(want), encs[e]));
                /* The prepared key gives the same tags. */
                signwire_hmac_key *k = NULL;
                EXPECT(SIGNWIRE_OK, signwire_hmac_key_new(algs[a], cases[c].key, cases[c].key_len, &k));
                memset(got, 0, sizeof got);
                EXPECT(SIGNWIRE_OK, signwire_hmac_key_sign(k, cases[c].msg, cases[c].msg_len, encs[e], got,
                                                           sizeof got, &w));
                CHECK(strcmp(got, want) == 0 && w == strlen(want));
                EXPECT(SIGNWIRE_OK, signwire_hmac_key_verify(k, cases[c].msg, cases[c].msg_len, want,
                                                             strlen(want), encs[e]));
                signwire_hmac_key_free(k);
            }
    free(big);

    /* Verification refuses, without crashing, every tag that is not the exact one. */
    const char *msg = "message";
    char tag[SIGNWIRE_SIGNATURE_MAX], bad[SIGNWIRE_SIGNATURE_MAX + 2];
    openssl_hmac(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), msg, 7, SIGNWIRE_ENCODING_HEX, tag);
    forbid(tag, strlen(tag));
    size_t tl = strlen(tag);
#define HV(sig, len) signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), msg, 7, sig, len, SIGNWIRE_ENCODING_HEX)
    EXPECT(SIGNWIRE_OK, HV(tag, tl));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(tag, tl - 1));   /* truncated */
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(tag, tl - 2));   /* truncated by one byte */
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(tag, 0));        /* empty */
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(NULL, 0));       /* absent */
    snprintf(bad, sizeof bad, "%s0", tag);
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(bad, tl + 1));   /* too long */
    memcpy(bad, tag, tl + 1);
    bad[5] = 'g';
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(bad, tl));       /* not hex */
    memcpy(bad, tag, tl + 1);
    bad[tl - 1] = bad[tl - 1] == '0' ? '1' : '0';
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, HV(bad, tl));       /* last digit changed */
    /* Uppercase hex is accepted by design: it denotes the same bytes, so it forges nothing,
     * and refusing it would only produce a baffling "Invalid signature" (src/mac.rs). */
    for (size_t i = 0; i < tl; i++)
        bad[i] = (char)(tag[i] >= 'a' ? tag[i] - 'a' + 'A' : tag[i]);
    EXPECT(SIGNWIRE_OK, HV(bad, tl));
    /* A hex tag handed to a base64 check, and a base64 tag with one character changed. */
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), msg, 7,
                                                            tag, tl, SIGNWIRE_ENCODING_BASE64));
    openssl_hmac(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), msg, 7, SIGNWIRE_ENCODING_BASE64, bad);
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), msg, 7,
                                                            bad, strlen(bad), SIGNWIRE_ENCODING_BASE64));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), "messagE",
                                                            7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, SECRET_B, strlen(SECRET_B), msg, 7,
                                                            tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_hmac_verify(SIGNWIRE_HMAC_SHA512, SECRET_A, strlen(SECRET_A), msg, 7,
                                                            tag, tl, SIGNWIRE_ENCODING_HEX));
#undef HV

    /* Bad arguments. */
    char out[SIGNWIRE_SIGNATURE_MAX];
    size_t w = 0;
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(0, "k", 1, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(4, "k", 1, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, "k", 1, msg, 7, 0, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, "k", 1, msg, 7, 3, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_verify(9, "k", 1, msg, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, "k", 1, msg, 7, tag, tl, 7));
    /* Empty secret: refused, not silently keyed with nothing. */
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, "", 0, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, NULL, 0, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, "", 0, msg, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    char *huge_secret = calloc(1, 4097);
    memset(huge_secret, 's', 4097);
    EXPECT(SIGNWIRE_ERR_INPUT_TOO_LARGE, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, huge_secret, 4097, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    free(huge_secret);
    /* NULL for every pointer argument. */
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, NULL, 1, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, "k", 1, NULL, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, "k", 1, msg, 7, SIGNWIRE_ENCODING_HEX, NULL, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, "k", 1, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, NULL));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, NULL, 1, msg, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, "k", 1, NULL, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_verify(SIGNWIRE_HMAC_SHA256, "k", 1, msg, 7, NULL, tl, SIGNWIRE_ENCODING_HEX));
    /* NULL with length 0 is the empty message. */
    char empty_want[SIGNWIRE_SIGNATURE_MAX];
    openssl_hmac(SIGNWIRE_HMAC_SHA1, "k", 1, "", 0, SIGNWIRE_ENCODING_HEX, empty_want);
    EXPECT(SIGNWIRE_OK, signwire_hmac_sign(SIGNWIRE_HMAC_SHA1, "k", 1, NULL, 0, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    CHECK(strcmp(out, empty_want) == 0);

    signwire_hmac_key *k = NULL, *sentinel = (signwire_hmac_key *)&w;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, "k", 1, NULL));
    k = sentinel;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, NULL, 1, &k));
    CHECK(k == NULL); /* *out is cleared on failure */
    k = sentinel;
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, "", 0, &k));
    CHECK(k == NULL);
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_key_new(42, "k", 1, &k));
    CHECK(k == NULL);
    EXPECT(SIGNWIRE_OK, signwire_hmac_key_new(SIGNWIRE_HMAC_SHA256, SECRET_A, strlen(SECRET_A), &k));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_sign(NULL, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_sign(k, NULL, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_sign(k, msg, 7, SIGNWIRE_ENCODING_HEX, NULL, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_sign(k, msg, 7, SIGNWIRE_ENCODING_HEX, out, sizeof out, NULL));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_key_sign(k, msg, 7, 99, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_verify(NULL, msg, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_verify(k, NULL, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_hmac_key_verify(k, msg, 7, NULL, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_key_verify(k, msg, 7, tag, tl, -1));
    EXPECT(SIGNWIRE_OK, signwire_hmac_key_verify(k, msg, 7, tag, tl, SIGNWIRE_ENCODING_HEX));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_hmac_key_verify(k, msg, 6, tag, tl, SIGNWIRE_ENCODING_HEX));

    /* Short buffers: BUFFER_TOO_SMALL with the size needed (NUL included), nothing written,
     * then success with exactly that size. */
    const size_t enc_len[2][3] = {{40, 64, 128}, {28, 44, 88}};
    for (size_t e = 0; e < 2; e++)
        for (size_t a = 0; a < 3; a++) {
            char buf[SIGNWIRE_SIGNATURE_MAX + 16];
            size_t need = enc_len[e][a] + 1;
            memset(buf, 'Z', sizeof buf);
            w = 12345;
            signwire_hmac_key *ka = NULL;
            EXPECT(SIGNWIRE_OK, signwire_hmac_key_new(algs[a], SECRET_A, strlen(SECRET_A), &ka));
            EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_hmac_key_sign(ka, msg, 7, encs[e], buf, need - 1, &w));
            CHECK(w == need);
            int untouched = 1;
            for (size_t i = 0; i < sizeof buf; i++)
                untouched &= buf[i] == 'Z';
            CHECK(untouched);
            EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_hmac_sign(algs[a], SECRET_A, strlen(SECRET_A), msg, 7, encs[e], buf, 0, &w));
            CHECK(w == need);
            EXPECT(SIGNWIRE_OK, signwire_hmac_key_sign(ka, msg, 7, encs[e], buf, need, &w));
            CHECK(w == need - 1 && buf[need - 1] == '\0' && buf[need] == 'Z');
            char want[SIGNWIRE_SIGNATURE_MAX];
            openssl_hmac(algs[a], SECRET_A, strlen(SECRET_A), msg, 7, encs[e], want);
            CHECK(strcmp(buf, want) == 0);
            signwire_hmac_key_free(ka);
        }
    signwire_hmac_key_free(k);
    signwire_hmac_key_free(NULL);
}

static void test_scheme_and_payload(void) {
    section = "scheme+payload";
    signwire_scheme *s = NULL, *sentinel = (signwire_scheme *)&s;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_scheme_new(NULL, &s));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_scheme_new("hopnow", NULL));
    s = sentinel;
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_scheme_new("no-such-scheme", &s));
    CHECK(s == NULL);
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, signwire_scheme_new("hop\xffnow", &s));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_scheme_new("{\"name\": ", &s));
    signwire_scheme_free(NULL);
    s = hopnow();

    /* The scheme as JSON: what bindings read header names and limits from. It loads back
     * into a scheme that signs the same bytes. */
    char json[4096];
    size_t jw = 0;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_scheme_to_json(NULL, json, sizeof json, &jw));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_scheme_to_json(s, NULL, sizeof json, &jw));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_scheme_to_json(s, json, sizeof json, NULL));
    memset(json, 'Z', sizeof json);
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_scheme_to_json(s, json, 8, &jw));
    CHECK(jw > 8 && jw < sizeof json && json[0] == 'Z');
    size_t jneed = jw;
    EXPECT(SIGNWIRE_OK, signwire_scheme_to_json(s, json, jneed, &jw));
    CHECK(jw == jneed - 1 && json[jw] == '\0' && strlen(json) == jw);
    CHECK(strstr(json, "\"X-API-Key\"") && strstr(json, "\"X-Signature\"") && strstr(json, "\"X-Timestamp\"") &&
          strstr(json, "\"X-Nonce\"") && strstr(json, "hmac-sha256") && strstr(json, "300"));
    signwire_scheme *back = NULL;
    EXPECT(SIGNWIRE_OK, signwire_scheme_new(json, &back));
    signwire_signer *g1 = NULL, *g2 = NULL;
    char b1[SIGNWIRE_SIGNED_HEADERS_MAX], b2[SIGNWIRE_SIGNED_HEADERS_MAX];
    size_t bw = 0;
    EXPECT(SIGNWIRE_OK, signwire_signer_new(s, KEY_ID, SECRET_A, strlen(SECRET_A), &g1));
    EXPECT(SIGNWIRE_OK, signwire_signer_new(back, KEY_ID, SECRET_A, strlen(SECRET_A), &g2));
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g1, "POST", URL, BODY, BODY_LEN, NULL, TS, "0123456789abcdef0123456789abcdef", b1, sizeof b1, &bw));
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g2, "POST", URL, BODY, BODY_LEN, NULL, TS, "0123456789abcdef0123456789abcdef", b2, sizeof b2, &bw));
    CHECK(strcmp(b1, b2) == 0);
    signwire_signer_free(g1);
    signwire_signer_free(g2);
    signwire_scheme_free(back);

    char out[4096];
    size_t w = 0, want_len = 0;
    char *want = hopnow_payload("POST", URL, TS_TEXT, "0123456789abcdef0123456789abcdef", BODY, BODY_LEN, &want_len);
#define CP(method, url, body, blen, hdrs, kid, ts, nonce, o, cap, wr) \
    signwire_canonical_payload(s, method, url, body, blen, hdrs, kid, ts, nonce, o, cap, wr)
    const char *N = "0123456789abcdef0123456789abcdef";
    EXPECT(SIGNWIRE_OK, CP("POST", URL, BODY, BODY_LEN, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    CHECK(w == want_len && memcmp(out, want, want_len) == 0 && out[w] == '\0');
    /* Short buffer: the exact size needed, nothing written, then success with it. */
    memset(out, 'Z', sizeof out);
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, CP("POST", URL, BODY, BODY_LEN, NULL, KEY_ID, TS_TEXT, N, out, want_len, &w));
    CHECK(w == want_len + 1 && out[0] == 'Z' && out[want_len] == 'Z');
    EXPECT(SIGNWIRE_OK, CP("POST", URL, BODY, BODY_LEN, NULL, KEY_ID, TS_TEXT, N, out, w, &w));
    CHECK(w == want_len && memcmp(out, want, want_len) == 0 && out[want_len] == '\0' && out[want_len + 1] == 'Z');
    free(want);
    /* NUL bytes in a body are data: the length tells, not strlen. */
    const char nul_body[] = "a\0b\r\n\0";
    want = hopnow_payload("PUT", "/x", "0", N, nul_body, 6, &want_len);
    EXPECT(SIGNWIRE_OK, CP("PUT", "/x", nul_body, 6, NULL, KEY_ID, "0", N, out, sizeof out, &w));
    CHECK(w == want_len && memcmp(out, want, want_len) == 0);
    free(want);
    /* Empty body given as NULL. */
    want = hopnow_payload("GET", URL, TS_TEXT, N, "", 0, &want_len);
    EXPECT(SIGNWIRE_OK, CP("GET", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    CHECK(w == want_len && memcmp(out, want, want_len) == 0);
    free(want);

    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_canonical_payload(NULL, "POST", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP(NULL, URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", NULL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", URL, NULL, 3, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", URL, NULL, 0, NULL, NULL, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", URL, NULL, 0, NULL, KEY_ID, NULL, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, NULL, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, CP("POST", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, NULL));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, CP(BAD_UTF8, URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, CP("POST", BAD_UTF8_URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, CP("POST", URL, NULL, 0, "X-A: \xc3\x28", KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, CP("post", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, CP("", URL, NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, CP("POST", "", NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, CP("POST", "https://a b/", NULL, 0, NULL, KEY_ID, TS_TEXT, N, out, sizeof out, &w));
    const char *bad_ts[] = {"", "abc", "-1", "+1", "017", "1.5", "9223372036854775808"};
    for (size_t i = 0; i < sizeof bad_ts / sizeof bad_ts[0]; i++)
        EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, CP("POST", URL, NULL, 0, NULL, KEY_ID, bad_ts[i], N, out, sizeof out, &w));
#undef CP
    signwire_scheme_free(s);
}

static void test_signer(void) {
    section = "signer";
    signwire_scheme *s = hopnow();
    signwire_signer *g = NULL, *sentinel = (signwire_signer *)&s;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_new(NULL, KEY_ID, SECRET_A, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_new(s, NULL, SECRET_A, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_new(s, KEY_ID, NULL, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_new(s, KEY_ID, SECRET_A, strlen(SECRET_A), NULL));
    g = sentinel;
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new(s, KEY_ID, "", 0, &g)); /* empty secret */
    CHECK(g == NULL);
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new(s, KEY_ID, NULL, 0, &g));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new(s, "", SECRET_A, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new(s, "key id", SECRET_A, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, signwire_signer_new(s, "k\xff", SECRET_A, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_OK, signwire_signer_new(s, KEY_ID, SECRET_A, strlen(SECRET_A), &g));
    signwire_scheme_free(s); /* the signer keeps its own copy */

    const char *N = "0123456789abcdef0123456789abcdef";
    char out[SIGNWIRE_SIGNED_HEADERS_MAX], want_sig[SIGNWIRE_SIGNATURE_MAX], v[128];
    size_t w = 0;
    hopnow_sig(SECRET_A, "POST", URL, TS_TEXT, N, BODY, BODY_LEN, want_sig);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "POST", URL, BODY, BODY_LEN, NULL, TS, N, out, sizeof out, &w));
    char want_block[SIGNWIRE_SIGNED_HEADERS_MAX];
    block(want_block, sizeof want_block, KEY_ID, want_sig, TS_TEXT, N);
    CHECK(strcmp(out, want_block) == 0);
    CHECK(w == strlen(out));
    CHECK(header_value(out, "X-Signature", v, sizeof v) && strcmp(v, want_sig) == 0);

    /* Short buffer. */
    size_t need = strlen(want_block) + 1;
    memset(out, 'Z', sizeof out);
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_signer_sign_at(g, "POST", URL, BODY, BODY_LEN, NULL, TS, N, out, need - 1, &w));
    CHECK(w == need && out[0] == 'Z');
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_signer_sign(g, "POST", URL, BODY, BODY_LEN, NULL, out, 10, &w));
    CHECK(w == need && out[0] == 'Z');
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "POST", URL, BODY, BODY_LEN, NULL, TS, N, out, need, &w));
    CHECK(strcmp(out, want_block) == 0 && out[need] == 'Z');

    /* Empty body as NULL; GET. */
    hopnow_sig(SECRET_A, "GET", URL, "0", N, "", 0, want_sig);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "GET", URL, NULL, 0, NULL, 0, N, out, sizeof out, &w));
    CHECK(header_value(out, "X-Signature", v, sizeof v) && strcmp(v, want_sig) == 0);

    /* Signing now: a fresh lowercase 32-hex nonce each time, the current time, and the
     * signature over exactly those. */
    char nonce1[64] = "", nonce2[64] = "", ts[32] = "";
    time_t before = time(NULL);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign(g, "PATCH", URL, BODY, BODY_LEN, NULL, out, sizeof out, &w));
    time_t after = time(NULL);
    CHECK(header_value(out, "X-Nonce", nonce1, sizeof nonce1) && strlen(nonce1) == 32 &&
          strspn(nonce1, "0123456789abcdef") == 32);
    CHECK(header_value(out, "X-Timestamp", ts, sizeof ts));
    long long t = strtoll(ts, NULL, 10);
    CHECK(t >= (long long)before && t <= (long long)after);
    hopnow_sig(SECRET_A, "PATCH", URL, ts, nonce1, BODY, BODY_LEN, want_sig);
    CHECK(header_value(out, "X-Signature", v, sizeof v) && strcmp(v, want_sig) == 0);
    CHECK(header_value(out, "X-API-Key", v, sizeof v) && strcmp(v, KEY_ID) == 0);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign(g, "PATCH", URL, BODY, BODY_LEN, NULL, out, sizeof out, &w));
    CHECK(header_value(out, "X-Nonce", nonce2, sizeof nonce2) && strcmp(nonce1, nonce2) != 0);

    /* A fixed timestamp with a NULL nonce: a fresh random one. */
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "PATCH", URL, BODY, BODY_LEN, NULL, TS, NULL, out, sizeof out, &w));
    CHECK(header_value(out, "X-Nonce", nonce1, sizeof nonce1) && strlen(nonce1) == 32 &&
          strspn(nonce1, "0123456789abcdef") == 32 && strcmp(nonce1, nonce2) != 0);
    CHECK(header_value(out, "X-Timestamp", ts, sizeof ts) && strcmp(ts, TS_TEXT) == 0);
    hopnow_sig(SECRET_A, "PATCH", URL, TS_TEXT, nonce1, BODY, BODY_LEN, want_sig);
    CHECK(header_value(out, "X-Signature", v, sizeof v) && strcmp(v, want_sig) == 0);

    /* Bad input. */
#define SA(method, url, body, blen, hdrs, ts_, nonce, o, cap, wr) \
    signwire_signer_sign_at(g, method, url, body, blen, hdrs, ts_, nonce, o, cap, wr)
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign_at(NULL, "POST", URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, SA(NULL, URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, SA("POST", NULL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, SA("POST", URL, NULL, 5, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, SA("POST", URL, NULL, 0, NULL, TS, N, NULL, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, SA("POST", URL, NULL, 0, NULL, TS, N, out, sizeof out, NULL));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, SA(BAD_UTF8, URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, SA("POST", BAD_UTF8_URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, SA("POST", URL, NULL, 0, "X-A: \xff", TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, SA("POST", URL, NULL, 0, NULL, TS, "0123456789abcdef0123456789abcde\xff", out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("post", URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("Post", URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("", URL, NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("POST", "", NULL, 0, NULL, TS, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("POST", URL, NULL, 0, NULL, -1, N, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("POST", URL, NULL, 0, NULL, INT64_MIN, N, out, sizeof out, &w));
    const char *bad_nonces[] = {"", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
                                "0123456789abcdef0123456789abcdeg", "0123456789abcdef 123456789abcdef"};
    for (size_t i = 0; i < sizeof bad_nonces / sizeof bad_nonces[0]; i++)
        EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, SA("POST", URL, NULL, 0, NULL, TS, bad_nonces[i], out, sizeof out, &w));
#undef SA
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign(NULL, "POST", URL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign(g, NULL, URL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign(g, "POST", NULL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign(g, "POST", URL, NULL, 1, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign(g, "POST", URL, NULL, 0, NULL, NULL, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_sign(g, "POST", URL, NULL, 0, NULL, out, sizeof out, NULL));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, signwire_signer_sign(g, BAD_UTF8, URL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, signwire_signer_sign(g, "POST", BAD_UTF8_URL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_sign(g, "get", URL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_sign(g, "", URL, NULL, 0, NULL, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_sign(g, "GET", "", NULL, 0, NULL, out, sizeof out, &w));
    signwire_signer_free(g);
    signwire_signer_free(NULL);
}

/* Change one byte of one part of a signed request: every such change must fail as
 * BAD_SIGNATURE, and none of those forgeries may burn the genuine request's nonce. */
static void test_tampering(void) {
    section = "tampering";
    signwire_verifier *v = verifier_with(KEY_ID, SECRET_A);
    signwire_signer *g = signer_with(KEY_ID, SECRET_A);
    char nonce[33], hdrs[SIGNWIRE_SIGNED_HEADERS_MAX], sig[SIGNWIRE_SIGNATURE_MAX], ts[32];
    char method[8] = "POST", url[sizeof URL], body[BODY_LEN], blk[SIGNWIRE_SIGNED_HEADERS_MAX + 64];
    size_t w = 0;
    fresh_nonce(nonce);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "POST", URL, BODY, BODY_LEN, NULL, TS, nonce, hdrs, sizeof hdrs, &w));
    CHECK(header_value(hdrs, "X-Signature", sig, sizeof sig));
    forbid(sig, strlen(sig));
    memcpy(url, URL, sizeof URL);
    memcpy(body, BODY, BODY_LEN);
    int bad_method = 0, bad_url = 0, bad_ts = 0, bad_nonce = 0, bad_body = 0, bad_sig = 0;

    for (size_t i = 0; i < 4; i++) {
        char c = method[i];
        method[i] = (char)('A' + (c - 'A' + 1) % 26);
        bad_method += verify_at(v, method, URL, BODY, BODY_LEN, hdrs, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
        method[i] = c;
    }
    for (size_t i = 0; i < sizeof URL - 1; i++) {
        char c = url[i];
        url[i] = c == 'a' ? 'b' : 'a';
        bad_url += verify_at(v, "POST", url, BODY, BODY_LEN, hdrs, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
        url[i] = c;
    }
    for (size_t i = 0; i < BODY_LEN; i++) {
        body[i] ^= 0x01;
        bad_body += verify_at(v, "POST", URL, body, BODY_LEN, hdrs, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
        body[i] ^= 0x01;
    }
    /* Body one byte longer or shorter. */
    bad_body += verify_at(v, "POST", URL, BODY, BODY_LEN - 1, hdrs, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
    bad_body += verify_at(v, "POST", URL, BODY, BODY_LEN + 1, hdrs, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
    /* The timestamp's last two digits, every other value: all inside the accepted window
     * (TS +- 50 around now = TS), so only the signature can catch them. */
    for (size_t pos = 8; pos < 10; pos++)
        for (char d = '0'; d <= '9'; d++) {
            snprintf(ts, sizeof ts, "%s", TS_TEXT);
            if (ts[pos] == d)
                continue;
            ts[pos] = d;
            block(blk, sizeof blk, KEY_ID, sig, ts, nonce);
            bad_ts += verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
        }
    for (size_t i = 0; i < 32; i++) {
        char n2[33];
        memcpy(n2, nonce, 33);
        n2[i] = n2[i] == 'f' ? '0' : n2[i] == '9' ? 'a' : (char)(n2[i] + 1);
        block(blk, sizeof blk, KEY_ID, sig, TS_TEXT, n2);
        bad_nonce += verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
    }
    for (size_t i = 0; i < 64; i++) {
        char s2[SIGNWIRE_SIGNATURE_MAX];
        memcpy(s2, sig, sizeof s2);
        s2[i] = s2[i] == 'f' ? '0' : s2[i] == '9' ? 'a' : (char)(s2[i] + 1);
        block(blk, sizeof blk, KEY_ID, s2, TS_TEXT, nonce);
        bad_sig += verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS) == SIGNWIRE_ERR_BAD_SIGNATURE;
    }
    CHECK(bad_method == 4);
    CHECK(bad_url == (int)(sizeof URL - 1));
    CHECK(bad_body == (int)BODY_LEN + 2);
    CHECK(bad_ts == 18);
    CHECK(bad_nonce == 32);
    CHECK(bad_sig == 64);
    /* One more of each through EXPECT, so the status and the log message are checked too. */
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, verify_at(v, "PUT", URL, BODY, BODY_LEN, hdrs, TS));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, verify_at(v, "POST", "https://api.example.com/v1/payments", BODY, BODY_LEN, hdrs, TS));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, verify_at(v, "POST", URL, "{}", 2, hdrs, TS));
    /* Another key id's secret cannot sign for this one. */
    char other[SIGNWIRE_SIGNATURE_MAX];
    hopnow_sig(SECRET_B, "POST", URL, TS_TEXT, nonce, BODY, BODY_LEN, other);
    block(blk, sizeof blk, KEY_ID, other, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    /* None of those burned the nonce: the genuine request passes, once. */
    char kid[SIGNWIRE_KEY_ID_MAX];
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, hdrs, NULL, TS, kid, sizeof kid, &w));
    CHECK(strcmp(kid, KEY_ID) == 0 && w == strlen(KEY_ID));
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, verify_at(v, "POST", URL, BODY, BODY_LEN, hdrs, TS));
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, verify_at(v, "POST", URL, BODY, BODY_LEN, hdrs, TS + 100));
    /* The same nonce on a different, correctly signed request is a replay as well. */
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "DELETE", "/v1/x", NULL, 0, NULL, TS, nonce, hdrs, sizeof hdrs, &w));
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, verify_at(v, "DELETE", "/v1/x", NULL, 0, hdrs, TS));
    /* A second verifier has its own store (memory stores are per process / per verifier). */
    signwire_verifier *v2 = verifier_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_OK, verify_at(v2, "DELETE", "/v1/x", NULL, 0, hdrs, TS));
    signwire_verifier_free(v2);
    signwire_signer_free(g);
    signwire_verifier_free(v);
}

static void test_verifier(void) {
    section = "verifier";
    signwire_scheme *s = hopnow();
    signwire_verifier *v = NULL, *sentinel = (signwire_verifier *)&s;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_new(NULL, &v));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_new(s, NULL));
    v = sentinel;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_new(NULL, &v));
    CHECK(v == NULL);
    EXPECT(SIGNWIRE_OK, signwire_verifier_new(s, &v));
    signwire_scheme_free(s);
    signwire_verifier_free(NULL);

    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_add_secret(NULL, KEY_ID, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_add_secret(v, NULL, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_add_secret(v, KEY_ID, NULL, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_secret(v, KEY_ID, "", 0));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_secret(v, KEY_ID, NULL, 0));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_secret(v, "", SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_secret(v, "a key", SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, signwire_verifier_add_secret(v, "k\xc3", SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_OK, signwire_verifier_add_secret(v, KEY_ID, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_OK, signwire_verifier_add_secret(v, KEY_ID, SECRET_A, strlen(SECRET_A))); /* no-op */

    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_set_max_age(NULL, 300));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_set_max_age(v, 0));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_set_max_age(v, 7 * 86400 + 1));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_set_max_age(v, UINT64_MAX));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_set_max_future_skew(NULL, 0));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_set_max_future_skew(v, 3601));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_set_max_future_skew(v, UINT64_MAX));

    char blk[32 * 1024], kid[SIGNWIRE_KEY_ID_MAX], nonce[33], sig[SIGNWIRE_SIGNATURE_MAX], line[16 * 1024];
    size_t w = 0;

    /* A request signed by an independent client (OpenSSL) verifies, and reports its key id. */
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    memset(kid, 'Z', sizeof kid);
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, blk, NULL, TS, kid, sizeof kid, &w));
    CHECK(strcmp(kid, KEY_ID) == 0 && w == strlen(KEY_ID));

    /* At the current time, with signwire_verifier_verify and a signer's fresh request. */
    signwire_signer *g = signer_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign(g, "POST", URL, BODY, BODY_LEN, NULL, blk, sizeof blk, &w));
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify(v, "POST", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    CHECK(strcmp(kid, KEY_ID) == 0);
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, signwire_verifier_verify(v, "POST", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    /* A fresh request stamped now is refused by a clock set far in the past or future. */
    EXPECT(SIGNWIRE_OK, signwire_signer_sign(g, "POST", URL, BODY, BODY_LEN, NULL, blk, sizeof blk, &w));
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    /* Header blocks as frameworks produce them: LF line ends, any case, other headers. */
    fresh_nonce(nonce);
    hopnow_sig(SECRET_A, "GET", URL, TS_TEXT, nonce, "", 0, sig);
    snprintf(blk, sizeof blk, "Host: api.example.com\nx-api-key: %s\nX-SIGNATURE: %s\nx-Timestamp:%s\nX-Nonce:   %s  \nAccept: */*\n",
             KEY_ID, sig, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_OK, verify_at(v, "GET", URL, NULL, 0, blk, TS));

    /* Key id output: short buffer gives the size needed and does not consume the nonce, so
     * the retry with that size succeeds. */
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    memset(kid, 'Z', sizeof kid);
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, blk, NULL, TS, kid, strlen(KEY_ID), &w));
    CHECK(w == strlen(KEY_ID) + 1 && kid[0] == 'Z');
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, blk, NULL, TS, kid, 0, &w));
    CHECK(w == strlen(KEY_ID) + 1);
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, blk, NULL, TS, kid, w, &w));
    CHECK(strcmp(kid, KEY_ID) == 0 && kid[strlen(KEY_ID) + 1] == 'Z');

    /* NULL for every pointer argument (body and remote_addr may be NULL when empty/unused). */
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
#define VA(vv, m, u, b, bl, h, ra, o, cap, wr) signwire_verifier_verify_at(vv, m, u, b, bl, h, ra, TS, o, cap, wr)
#define VN(vv, m, u, b, bl, h, ra, o, cap, wr) signwire_verifier_verify(vv, m, u, b, bl, h, ra, o, cap, wr)
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(NULL, "POST", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(v, NULL, URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(v, "POST", NULL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(v, "POST", URL, NULL, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(v, "POST", URL, BODY, BODY_LEN, NULL, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(v, "POST", URL, BODY, BODY_LEN, blk, NULL, NULL, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VA(v, "POST", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, NULL));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(NULL, "POST", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(v, NULL, URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(v, "POST", NULL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(v, "POST", URL, NULL, 1, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(v, "POST", URL, BODY, BODY_LEN, NULL, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(v, "POST", URL, BODY, BODY_LEN, blk, NULL, NULL, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, VN(v, "POST", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, NULL));
    /* Invalid UTF-8, lowercase or empty method, empty URL. */
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, VA(v, BAD_UTF8, URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, VA(v, "POST", BAD_UTF8_URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, VA(v, "POST", URL, BODY, BODY_LEN, "X-API-Key: \xff\xff", NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, VA(v, "POST", URL, BODY, BODY_LEN, blk, "10.0.0.\xff", kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, VN(v, BAD_UTF8, URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, VN(v, "POST", BAD_UTF8_URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, VA(v, "post", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, VA(v, "", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, VA(v, "POST", "", BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, VN(v, "post", URL, BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, VN(v, "POST", "", BODY, BODY_LEN, blk, NULL, kid, sizeof kid, &w));
#undef VA
#undef VN
    /* ...and that request, refused for its arguments every time, is still good. */
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    /* Required headers missing or duplicated. */
    fresh_nonce(nonce);
    hopnow_sig(SECRET_A, "POST", URL, TS_TEXT, nonce, BODY, BODY_LEN, sig);
    char lines[4][192];
    snprintf(lines[0], sizeof lines[0], "X-API-Key: %s\r\n", KEY_ID);
    snprintf(lines[1], sizeof lines[1], "X-Signature: %s\r\n", sig);
    snprintf(lines[2], sizeof lines[2], "X-Timestamp: %s\r\n", TS_TEXT);
    snprintf(lines[3], sizeof lines[3], "X-Nonce: %s\r\n", nonce);
    for (int drop = 0; drop < 4; drop++) {
        blk[0] = '\0';
        for (int i = 0; i < 4; i++)
            if (i != drop)
                strcat(blk, lines[i]);
        EXPECT(SIGNWIRE_ERR_MISSING_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    }
    EXPECT(SIGNWIRE_ERR_MISSING_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, "", TS));
    for (int dup = 0; dup < 4; dup++) {
        blk[0] = '\0';
        for (int i = 0; i < 4; i++) {
            strcat(blk, lines[i]);
            if (i == dup)
                strcat(blk, lines[i]);
        }
        EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    }
    /* A header value over 8 KiB (an unrelated header, and a signed one); 8 KiB exactly is fine. */
    block(blk, sizeof blk, KEY_ID, sig, TS_TEXT, nonce);
    memset(line, 'v', 8193);
    line[8193] = '\0';
    size_t base = strlen(blk);
    snprintf(blk + base, sizeof blk - base, "X-Padding: %s\r\n", line);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    block(blk, sizeof blk, line, sig, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    block(blk, sizeof blk, KEY_ID, sig, TS_TEXT, nonce);
    line[8192] = '\0';
    snprintf(blk + base, sizeof blk - base, "X-Padding: %s\r\n", line);
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    /* A whole block over 256 KiB is refused before it is parsed. */
    size_t huge_len = 300 * 1024;
    char *huge = malloc(huge_len + 1);
    for (size_t i = 0; i < huge_len; i += 100) { /* 3072 lines "X-Filler: aaa...\r\n" */
        memset(huge + i, 'a', 100);
        memcpy(huge + i, "X-Filler: ", 10);
        memcpy(huge + i + 98, "\r\n", 2);
    }
    huge[huge_len] = '\0';
    EXPECT(SIGNWIRE_ERR_INPUT_TOO_LARGE, verify_at(v, "POST", URL, BODY, BODY_LEN, huge, TS));
    free(huge);
    /* Lines that are not headers. */
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, "X-API-Key c-client-1\r\n", TS));
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, "X API Key: c\r\n", TS));

    /* Signature of the wrong length or not hex: malformed header (the request never reaches
     * the MAC). Uppercase hex is the same bytes and is accepted by design (src/mac.rs). */
    fresh_nonce(nonce);
    hopnow_sig(SECRET_A, "POST", URL, TS_TEXT, nonce, BODY, BODY_LEN, sig);
    forbid(sig, strlen(sig));
    char s2[SIGNWIRE_SIGNATURE_MAX + 2];
    memcpy(s2, sig, 63);
    s2[63] = '\0';
    block(blk, sizeof blk, KEY_ID, s2, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    snprintf(s2, sizeof s2, "%s0", sig);
    block(blk, sizeof blk, KEY_ID, s2, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    block(blk, sizeof blk, KEY_ID, "", TS_TEXT, nonce);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    memcpy(s2, sig, 65);
    s2[10] = 'x';
    block(blk, sizeof blk, KEY_ID, s2, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    for (size_t i = 0; i < 64; i++)
        s2[i] = (char)(sig[i] >= 'a' ? sig[i] - 'a' + 'A' : sig[i]);
    block(blk, sizeof blk, KEY_ID, s2, TS_TEXT, nonce);
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    /* Timestamps: only canonical decimal seconds (the payload has no separators, so "0170"
     * and "170" must not both be accepted); overflow is malformed, not wrapped. */
    const char *bad_ts[] = {"abc", "-5", "+1700000050", "01700000050", "1700000050.0", "1.7e9", " 1700000050x",
                            "9223372036854775808", "99999999999999999999999999", "0x65"};
    for (size_t i = 0; i < sizeof bad_ts / sizeof bad_ts[0]; i++) {
        fresh_nonce(nonce);
        hopnow_sig(SECRET_A, "POST", URL, bad_ts[i], nonce, BODY, BODY_LEN, sig);
        block(blk, sizeof blk, KEY_ID, sig, bad_ts[i], nonce);
        EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    }
    block(blk, sizeof blk, KEY_ID, sig, "", nonce);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    /* The window: HopNow's 300 s max age and the default 60 s future skew, inclusive. */
    struct {
        int64_t now_offset;
        signwire_status want;
    } window[] = {{300, SIGNWIRE_OK},
                  {301, SIGNWIRE_ERR_TIMESTAMP_TOO_OLD},
                  {86400, SIGNWIRE_ERR_TIMESTAMP_TOO_OLD},
                  {-60, SIGNWIRE_OK},
                  {-61, SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE},
                  {-TS, SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE}};
    for (size_t i = 0; i < sizeof window / sizeof window[0]; i++) {
        signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
        EXPECT(window[i].want, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS + window[i].now_offset));
    }
    /* Extreme clocks and timestamps do not overflow into acceptance (or panic). */
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_TOO_OLD, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, INT64_MAX));
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, INT64_MIN));
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, -1));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, "9223372036854775807", BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, INT64_MAX - 61));
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, INT64_MAX));
    /* Tighter policy. */
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_max_age(v, 10));
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_max_future_skew(v, 0));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_TOO_OLD, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS + 11));
    EXPECT(SIGNWIRE_ERR_TIMESTAMP_IN_FUTURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS - 1));
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS + 10));
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_max_age(v, 300));
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_max_future_skew(v, 60));

    /* Nonces: exactly 32 hex characters. */
    const char *bad_nonces[] = {"0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
                                "0123456789abcdef0123456789abcdez", "0123456789abcdef-123456789abcdef", ""};
    for (size_t i = 0; i < sizeof bad_nonces / sizeof bad_nonces[0]; i++) {
        hopnow_sig(SECRET_A, "POST", URL, TS_TEXT, bad_nonces[i], BODY, BODY_LEN, sig);
        block(blk, sizeof blk, KEY_ID, sig, TS_TEXT, bad_nonces[i]);
        EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    }

    /* Unknown key id; a key id that cannot be one. */
    signed_block(blk, sizeof blk, "c-client-2", SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    signed_block(blk, sizeof blk, "c client", SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    signwire_signer_free(g);
    signwire_verifier_free(v);
}

/* A key id with two secrets during a rotation, then the old one retired. */
static void test_rotation(void) {
    section = "rotation";
    const char *kid = "rotating-key";
    signwire_verifier *v = verifier_with(kid, SECRET_A);
    char blk[1024];
    EXPECT(SIGNWIRE_OK, signwire_verifier_add_secret(v, kid, SECRET_B, strlen(SECRET_B)));
    signed_block(blk, sizeof blk, kid, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    signed_block(blk, sizeof blk, kid, SECRET_B, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_retire_secret(NULL, kid, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_retire_secret(v, NULL, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_retire_secret(v, kid, NULL, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_INVALID_UTF8, signwire_verifier_retire_secret(v, "\xfe", SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_OK, signwire_verifier_retire_secret(v, kid, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, signwire_verifier_retire_secret(v, kid, SECRET_A, strlen(SECRET_A)));
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, signwire_verifier_retire_secret(v, "never-added", SECRET_A, strlen(SECRET_A)));

    signed_block(blk, sizeof blk, kid, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));
    signed_block(blk, sizeof blk, kid, SECRET_B, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_OK, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    /* With its last secret retired the key id is gone. */
    EXPECT(SIGNWIRE_OK, signwire_verifier_retire_secret(v, kid, SECRET_B, strlen(SECRET_B)));
    signed_block(blk, sizeof blk, kid, SECRET_B, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, verify_at(v, "POST", URL, BODY, BODY_LEN, blk, TS));

    /* A key id holds at most 8 secrets at once. */
    char secret[32];
    for (int i = 0; i < 8; i++) {
        snprintf(secret, sizeof secret, "rotation-secret-%d", i);
        EXPECT(SIGNWIRE_OK, signwire_verifier_add_secret(v, "many", secret, strlen(secret)));
    }
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_secret(v, "many", "one too many", 12));
    signed_block(blk, sizeof blk, "many", "rotation-secret-7", "GET", URL, TS_TEXT, "", 0);
    EXPECT(SIGNWIRE_OK, verify_at(v, "GET", URL, "", 0, blk, TS));
    signwire_verifier_free(v);
}

/* ------------------------------------------------------------------------------------- */
/* Shared vectors                                                                          */

static int nibble(char c) {
    return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
}

static size_t unhex(const char *hex, char **out) {
    if (strcmp(hex, "-") == 0) {
        *out = calloc(1, 1);
        return 0;
    }
    size_t n = strlen(hex) / 2;
    char *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    b[n] = '\0';
    *out = b;
    return n;
}

static int32_t alg_code(const char *name) {
    return !strcmp(name, "sha1") ? SIGNWIRE_HMAC_SHA1 : !strcmp(name, "sha256") ? SIGNWIRE_HMAC_SHA256
                                                      : !strcmp(name, "sha512") ? SIGNWIRE_HMAC_SHA512 : 0;
}

static void mac_vector(char **f) {
    char *key, *data, out[SIGNWIRE_SIGNATURE_MAX];
    size_t klen = unhex(f[2], &key), dlen = unhex(f[3], &data), w = 0;
    int32_t alg = alg_code(f[1]);
    CHECK(alg != 0);
    if (klen == 0) {
        /* signwire refuses empty secrets by design, even where a vector has one. */
        EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_hmac_sign(alg, key, klen, data, dlen, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
    } else {
        EXPECT(SIGNWIRE_OK, signwire_hmac_sign(alg, key, klen, data, dlen, SIGNWIRE_ENCODING_HEX, out, sizeof out, &w));
        CHECK(strcmp(out, f[4]) == 0);
        EXPECT(SIGNWIRE_OK, signwire_hmac_sign(alg, key, klen, data, dlen, SIGNWIRE_ENCODING_BASE64, out, sizeof out, &w));
        CHECK(strcmp(out, f[5]) == 0);
        EXPECT(SIGNWIRE_OK, signwire_hmac_verify(alg, key, klen, data, dlen, f[4], strlen(f[4]), SIGNWIRE_ENCODING_HEX));
        EXPECT(SIGNWIRE_OK, signwire_hmac_verify(alg, key, klen, data, dlen, f[5], strlen(f[5]), SIGNWIRE_ENCODING_BASE64));
    }
    free(key);
    free(data);
}

static void request_vector(char **f) {
    char *name, *scheme_text, *key_id, *secret, *url, *body, *headers, *payload, *sigtext;
    unhex(f[1], &name);
    unhex(f[2], &scheme_text);
    unhex(f[3], &key_id);
    size_t secret_len = unhex(f[4], &secret);
    const char *method = f[5];
    unhex(f[6], &url);
    const char *ts = f[7], *nonce = f[8];
    size_t body_len = unhex(f[9], &body);
    size_t headers_len = unhex(f[10], &headers);
    size_t payload_len = unhex(f[11], &payload);
    const char *payload_sha256 = f[12];
    unhex(f[13], &sigtext);
    forbid(secret, secret_len);
    forbid(sigtext, strlen(sigtext));
    const char *hdrs = headers_len ? headers : NULL;
    fprintf(stderr, "  vector: %s\n", name);

    signwire_scheme *s = NULL;
    EXPECT(SIGNWIRE_OK, signwire_scheme_new(scheme_text, &s));
    /* The canonical payload, byte for byte (or by its SHA-256 for the 1 MiB body). */
    size_t cap = body_len + strlen(url) + 4096, w = 0;
    char *out = malloc(cap);
    EXPECT(SIGNWIRE_OK, signwire_canonical_payload(s, method, url, body, body_len, hdrs, key_id, ts, nonce, out, cap, &w));
    if (strcmp(f[11], "-") != 0)
        CHECK(w == payload_len && memcmp(out, payload, w) == 0);
    if (strcmp(payload_sha256, "-") != 0) {
        unsigned char d[SHA256_DIGEST_LENGTH];
        char dh[2 * SHA256_DIGEST_LENGTH + 1];
        SHA256((const unsigned char *)out, w, d);
        to_hex(d, sizeof d, dh);
        CHECK(strcmp(dh, payload_sha256) == 0);
    }
    /* The signature a signer writes. */
    signwire_signer *g = NULL;
    char hb[SIGNWIRE_SIGNED_HEADERS_MAX];
    EXPECT(SIGNWIRE_OK, signwire_signer_new(s, key_id, secret, secret_len, &g));
    char *end = NULL;
    long long t = strtoll(ts, &end, 10);
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, method, url, body, body_len, hdrs, (int64_t)t, nonce, hb, sizeof hb, &w));
    int sig_found = 0;
    for (const char *p = hb; *p;) { /* the signature header's name depends on the scheme */
        const char *colon = strstr(p, ": "), *eol = strstr(p, "\r\n");
        if (!colon || !eol)
            break;
        size_t vl = (size_t)(eol - colon - 2);
        if (vl == strlen(sigtext) && memcmp(colon + 2, sigtext, vl) == 0)
            sig_found = 1;
        p = eol + 2;
    }
    CHECK(sig_found);
    /* And a verifier accepts the vector's request with the vector's signature. */
    signwire_verifier *ver = NULL;
    EXPECT(SIGNWIRE_OK, signwire_verifier_new(s, &ver));
    EXPECT(SIGNWIRE_OK, signwire_verifier_add_secret(ver, key_id, secret, secret_len));
    size_t all_len = strlen(hb) + headers_len + 1;
    char *all = malloc(all_len);
    snprintf(all, all_len, "%s%s", headers, hb);
    char kid[SIGNWIRE_KEY_ID_MAX];
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify_at(ver, method, url, body, body_len, all, NULL, (int64_t)t, kid, sizeof kid, &w));
    CHECK(strcmp(kid, key_id) == 0);
    /* Raw HMAC over the payload gives the same signature for hex schemes. */
    if (strspn(sigtext, "0123456789abcdef") == strlen(sigtext) && strcmp(scheme_text, "hopnow") == 0) {
        char raw[SIGNWIRE_SIGNATURE_MAX];
        size_t plen = 0;
        char *ind = hopnow_payload(method, url, ts, nonce, body, body_len, &plen);
        EXPECT(SIGNWIRE_OK, signwire_hmac_sign(SIGNWIRE_HMAC_SHA256, secret, secret_len, ind, plen, SIGNWIRE_ENCODING_HEX, raw, sizeof raw, &w));
        CHECK(strcmp(raw, sigtext) == 0);
        free(ind);
    }
    free(all);
    signwire_verifier_free(ver);
    signwire_signer_free(g);
    signwire_scheme_free(s);
    free(out);
    free(name);
    free(scheme_text);
    free(key_id);
    free(secret);
    free(url);
    free(body);
    free(headers);
    free(payload);
    free(sigtext);
}

static int test_vectors(const char *path) {
    section = "vectors";
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fail_at(__LINE__, "cannot open %s", path);
        return 0;
    }
    char *line = NULL;
    size_t cap = 0;
    int count = 0;
    while (getline(&line, &cap, fp) > 0) {
        char *fields[16];
        int n = 0;
        for (char *tok = strtok(line, " \n"); tok && n < 16; tok = strtok(NULL, " \n"))
            fields[n++] = tok;
        if (n == 6 && strcmp(fields[0], "mac") == 0)
            mac_vector(fields);
        else if (n == 14 && strcmp(fields[0], "req") == 0)
            request_vector(fields);
        else {
            fail_at(__LINE__, "unreadable vector line with %d fields", n);
            continue;
        }
        count++;
    }
    free(line);
    fclose(fp);
    CHECK(count > 0);
    return count;
}

/* Diagnostics: a request signed (by OpenSSL) for the public URL and verified at the internal
 * one leaves a diagnostic line naming the internal URL; the client's fingerprint names the
 * public one; the diff sentence names both. Nothing of the secret or signature appears. */
static void test_diagnostics(void) {
    section = "diagnostics";
    const char *internal = "http://10.0.0.5:8080/v1/pay?b=2&a=1";
    char blk[4096], line[8192], sig[SIGNWIRE_SIGNATURE_MAX], kid[SIGNWIRE_KEY_ID_MAX];
    size_t w = 0;
    signwire_verifier *v = verifier_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_set_diagnostics(NULL, 1));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    CHECK(header_value(blk, "X-Signature", sig, sizeof sig));
    /* Off by default: a refusal leaves no line. */
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_verifier_verify_at(v, "POST", internal, BODY, BODY_LEN, blk, NULL, TS, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_OK, signwire_last_diagnostic(line, sizeof line, &w));
    CHECK(w == 0 && line[0] == 0);
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_diagnostics(v, 1));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_verifier_verify_at(v, "POST", internal, BODY, BODY_LEN, blk, NULL, TS, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_last_diagnostic(NULL, sizeof line, &w));
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_last_diagnostic(line, 4, &w));
    CHECK(w > 4);
    EXPECT(SIGNWIRE_OK, signwire_last_diagnostic(line, sizeof line, &w));
    CHECK(strstr(line, "signwire-fp scheme=hopnow reason=SIGNWIRE_ERR_BAD_SIGNATURE server_time=1700000050 ") == line);
    CHECK(strstr(line, "url=http://10.0.0.5:8080/v1/pay?b=2&a=1 ") != NULL);
    CHECK(strstr(line, SECRET_A) == NULL && strstr(line, sig) == NULL);
    char server[8192];
    memcpy(server, line, w + 1);

    signwire_scheme *s = hopnow();
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_fingerprint(NULL, "POST", URL, BODY, BODY_LEN, blk, line, sizeof line, &w));
    EXPECT(SIGNWIRE_OK, signwire_fingerprint(s, "POST", URL, BODY, BODY_LEN, blk, line, sizeof line, &w));
    /* The body as length + SHA-256 prefix (OpenSSL's digest). */
    unsigned char d[SHA256_DIGEST_LENGTH];
    char dhex[2 * SHA256_DIGEST_LENGTH + 1], want[128];
    SHA256((const unsigned char *)BODY, BODY_LEN, d);
    to_hex(d, sizeof d, dhex);
    snprintf(want, sizeof want, " body=len:%zu,sha256:%.16s", (size_t)BODY_LEN, dhex);
    CHECK(strstr(line, want) != NULL);
    CHECK(strstr(line, "reason=") == NULL);
    char expected[1024], out[1024];
    snprintf(expected, sizeof expected, "URL: client signed %s, server rebuilt %s", URL, internal);
    EXPECT(SIGNWIRE_OK, signwire_diagnostic_diff(line, server, out, sizeof out, &w));
    CHECK(strcmp(out, expected) == 0);
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_diagnostic_diff("nothing here", server, out, sizeof out, &w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_diagnostic_diff(line, NULL, out, sizeof out, &w));
    /* A success clears the thread's line. */
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, blk, NULL, TS, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_OK, signwire_last_diagnostic(line, sizeof line, &w));
    CHECK(w == 0);
    signwire_scheme_free(s);
    signwire_verifier_free(v);
}

/* RFC 9421 (HTTP Message Signatures) with an Ed25519 key OpenSSL generated: signwire signs,
 * the test rebuilds the signature base by hand and checks the signature with OpenSSL's
 * EVP_DigestVerify; signwire verifies with the public key; one changed byte is refused. */
static void test_http_signatures(void) {
    section = "http_signatures";
    const char *doc = "{\"kind\": \"http-message-signatures\", \"name\": \"acme\", \"algorithm\": \"ed25519\","
                      " \"components\": [\"@method\", \"@target-uri\"]}";
    signwire_scheme *s = NULL;
    EXPECT(SIGNWIRE_OK, signwire_scheme_new(doc, &s));

    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    CHECK(kctx && EVP_PKEY_keygen_init(kctx) == 1 && EVP_PKEY_keygen(kctx, &pkey) == 1);
    EVP_PKEY_CTX_free(kctx);
    BIO *priv_bio = BIO_new(BIO_s_mem()), *pub_bio = BIO_new(BIO_s_mem());
    CHECK(PEM_write_bio_PrivateKey(priv_bio, pkey, NULL, NULL, 0, NULL, NULL) == 1);
    CHECK(PEM_write_bio_PUBKEY(pub_bio, pkey) == 1);
    char *priv = NULL, *pub = NULL;
    long priv_len = BIO_get_mem_data(priv_bio, &priv), pub_len = BIO_get_mem_data(pub_bio, &pub);

    signwire_signer *g = NULL;
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_new_private_key(s, KEY_ID, NULL, 10, &g));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_signer_new_private_key(NULL, KEY_ID, priv, (size_t)priv_len, &g));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new_private_key(s, KEY_ID, "not a key", 9, &g));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new_private_key(s, KEY_ID, pub, (size_t)pub_len, &g));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_signer_new(s, KEY_ID, SECRET_A, strlen(SECRET_A), &g));
    EXPECT(SIGNWIRE_OK, signwire_signer_new_private_key(s, KEY_ID, priv, (size_t)priv_len, &g));

    const char *N = "0123456789abcdef0123456789abcdef";
    char out[SIGNWIRE_SIGNED_HEADERS_MAX], input[512], sig_field[256];
    size_t w = 0;
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_at(g, "POST", URL, BODY, BODY_LEN, NULL, TS, N, out, sizeof out, &w));
    CHECK(header_value(out, "Signature-Input", input, sizeof input));
    CHECK(header_value(out, "Signature", sig_field, sizeof sig_field));
    char want_input[512];
    snprintf(want_input, sizeof want_input,
             "sig1=(\"@method\" \"@target-uri\");created=%s;keyid=\"%s\";alg=\"ed25519\";nonce=\"%s\"", TS_TEXT, KEY_ID, N);
    CHECK(strcmp(input, want_input) == 0);

    /* The base by hand (RFC 9421 section 2.5), the signature checked by OpenSSL. */
    char base[1024];
    snprintf(base, sizeof base, "\"@method\": POST\n\"@target-uri\": %s\n\"@signature-params\": %s", URL, input + strlen("sig1="));
    CHECK(strncmp(sig_field, "sig1=:", 6) == 0 && sig_field[strlen(sig_field) - 1] == ':');
    unsigned char sig[128];
    const char *b64 = sig_field + 6;
    int b64_len = (int)strlen(b64) - 1;
    CHECK(b64_len == 88);
    CHECK(EVP_DecodeBlock(sig, (const unsigned char *)b64, b64_len) == 66); /* 64 bytes + 2 pad */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    CHECK(EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1);
    CHECK(EVP_DigestVerify(md, sig, 64, (const unsigned char *)base, strlen(base)) == 1);
    EVP_MD_CTX_free(md);

    signwire_verifier *v = NULL;
    EXPECT(SIGNWIRE_OK, signwire_verifier_new(s, &v));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_add_public_key(v, KEY_ID, NULL, 5));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_public_key(v, KEY_ID, "junk", 4));
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, signwire_verifier_remove_public_key(v, KEY_ID));
    EXPECT(SIGNWIRE_OK, signwire_verifier_add_public_key(v, KEY_ID, pub, (size_t)pub_len));
    char kid[SIGNWIRE_KEY_ID_MAX];
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_verifier_verify_at(v, "PUT", URL, BODY, BODY_LEN, out, NULL, TS, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_OK, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, out, NULL, TS, kid, sizeof kid, &w));
    CHECK(strcmp(kid, KEY_ID) == 0);
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, out, NULL, TS, kid, sizeof kid, &w));
    EXPECT(SIGNWIRE_OK, signwire_verifier_remove_public_key(v, KEY_ID));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_remove_public_key(NULL, KEY_ID));

    /* A public key on an HMAC scheme's verifier is a usage error. */
    signwire_scheme *h = hopnow();
    signwire_verifier *hv = NULL;
    EXPECT(SIGNWIRE_OK, signwire_verifier_new(h, &hv));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_add_public_key(hv, KEY_ID, pub, (size_t)pub_len));
    signwire_verifier_free(hv);
    signwire_scheme_free(h);

    signwire_verifier_free(v);
    signwire_signer_free(g);
    signwire_scheme_free(s);
    BIO_free(priv_bio);
    BIO_free(pub_bio);
    EVP_PKEY_free(pkey);
}

int main(int argc, char **argv) {
    test_meta();
    test_hmac();
    test_scheme_and_payload();
    test_signer();
    test_tampering();
    test_verifier();
    test_rotation();
    test_diagnostics();
    test_http_signatures();
    int vectors = 0;
    if (argc > 1)
        vectors = test_vectors(argv[1]);
    else
        fprintf(stderr, "note: no vectors file given; shared vectors not checked\n");
    for (size_t i = 0; i < forbidden_count; i++)
        free(forbidden[i]);
    fprintf(stderr, "%d shared vectors checked\n", vectors);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
