/* C tests of include/signwire.h, linked against libsignwire.so and run under valgrind.
 *
 *   test_signwire VECTORS_TXT      (required: without it, or when short, the run fails)
 *
 * Every function of the header is called here: success paths, NULL for each pointer
 * argument, invalid UTF-8, short buffers, and each bad-input row of the foundation issue.
 * Expected MACs come from OpenSSL's HMAC() and from the shared vectors (tests/vectors/<name>.json,
 * computed by Python's hmac; flattened by vectors_to_text.py), never from signwire itself;
 * bcrypt signatures from PHP and libcrypt's crypt(), sealed bodies from jwcrypto's tokens and
 * OpenSSL's AES-GCM/RSA-OAEP. Suite 20-c fails when a header function is not called here.
 * After every failing call the thread's error message must be non-empty and must not contain
 * any secret or expected signature the test knows. Ends with "N passed, M failed".
 */
#include <signwire.h>

#include <crypt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
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
#include <unistd.h>

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

/* ------------------------------------------------------------------------------------- */
/* Sealed bodies (JWE compact, dir or RSA-OAEP-256, A256GCM). Expected values: jwcrypto's   */
/* tokens (tests/vectors/seal/jose-vectors.json), and signwire's tokens opened here with     */
/* OpenSSL's AES-256-GCM and RSA-OAEP(SHA-256) as RFC 7516 describes, not by signwire.       */

#ifndef SIGNWIRE_VECTORS_DIR
#error "build with -DSIGNWIRE_VECTORS_DIR='\"path/to/tests/vectors\"' (the Makefile sets it)"
#endif
/* jose-vectors.json's `aes-1` (vectors_to_text.py checks the file still holds it). */
static const char AES_1_HEX[] = "d2517c1bfa20eaba09d4c7533512d13049c301e3dfbd059f56cbc971cb17d0ca";

/* A whole file into a NUL-terminated buffer (caller frees); NULL when unreadable. */
static char *read_file(const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", SIGNWIRE_VECTORS_DIR, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fail_at(__LINE__, "cannot open %s", path);
        return NULL;
    }
    char *buf = malloc(65536);
    size_t n = fread(buf, 1, 65535, fp);
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int b64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Unpadded base64url, as JWE writes it; returns the length, or (size_t)-1 on a bad char. */
static size_t b64url_decode(const char *in, size_t len, unsigned char *out) {
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value(in[i]);
        if (v < 0)
            return (size_t)-1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xffu);
        }
    }
    return o;
}

/* Open a compact JWE with OpenSSL: the content key is `cek` (dir) or unwrapped with `rsa`
 * (RSA-OAEP, SHA-256 and MGF1-SHA-256). Returns the plaintext length, or -1. */
static long openssl_open(const char *token, const unsigned char *cek, EVP_PKEY *rsa, unsigned char *out) {
    const char *dot[4];
    const char *p = token;
    for (int i = 0; i < 4; i++) {
        dot[i] = strchr(p, '.');
        if (!dot[i])
            return -1;
        p = dot[i] + 1;
    }
    size_t tlen = strlen(token);
    unsigned char key[512], iv[64], tag[64], *ct = malloc(tlen);
    unsigned char wrapped[512];
    size_t wlen = b64url_decode(dot[0] + 1, (size_t)(dot[1] - dot[0] - 1), wrapped);
    size_t ivlen = b64url_decode(dot[1] + 1, (size_t)(dot[2] - dot[1] - 1), iv);
    size_t ctlen = b64url_decode(dot[2] + 1, (size_t)(dot[3] - dot[2] - 1), ct);
    size_t taglen = b64url_decode(dot[3] + 1, strlen(dot[3] + 1), tag);
    long result = -1;
    size_t keylen = 32;
    if (wlen == (size_t)-1 || ivlen != 12 || ctlen == (size_t)-1 || taglen != 16)
        goto done;
    if (rsa) {
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(rsa, NULL);
        keylen = sizeof key;
        int ok = pc && EVP_PKEY_decrypt_init(pc) == 1 && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_rsa_oaep_md(pc, EVP_sha256()) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) == 1 &&
                 EVP_PKEY_decrypt(pc, key, &keylen, wrapped, wlen) == 1;
        EVP_PKEY_CTX_free(pc);
        if (!ok || keylen != 32)
            goto done;
    } else {
        if (wlen != 0)
            goto done;
        memcpy(key, cek, 32);
    }
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, n2 = 0;
    /* The additional data is the protected header exactly as sent (its base64url text). */
    int ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 &&
             EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)token, (int)(dot[0] - token)) == 1 &&
             EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 && EVP_DecryptFinal_ex(c, out + n, &n2) == 1;
    EVP_CIPHER_CTX_free(c);
    if (ok)
        result = n + n2;
done:
    free(ct);
    return result;
}

static EVP_PKEY *rsa_private(void) {
    size_t len = 0;
    char *pem = read_file("seal/rsa2048-private.pem", &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    free(pem);
    CHECK(k != NULL);
    return k;
}

/* Opening keys holding jose-vectors.json's keys: aes-1 and rsa-1. */
static signwire_seal_keys *jose_vector_keys(void) {
    signwire_seal_keys *k = NULL;
    unsigned char aes[32];
    char *raw = NULL;
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_new(0, &k));
    CHECK(unhex(AES_1_HEX, &raw) == 32);
    memcpy(aes, raw, 32);
    free(raw);
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_add_shared(k, "aes-1", (const char *)aes, sizeof aes));
    size_t len = 0;
    char *pem = read_file("seal/rsa2048-private.pem", &len);
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_add_rsa(k, "rsa-1", pem, len));
    free(pem);
    return k;
}

/* jwe <name_hex> <token> <expect> <plaintext_hex|-> */
static void jwe_vector(const signwire_seal_keys *keys, char **f) {
    char *name = NULL, *plain = NULL;
    unhex(f[1], &name);
    size_t plen = unhex(f[4], &plain);
    size_t tlen = strlen(f[2]);
    char *out = malloc(tlen + 1);
    size_t w = 12345;
    signwire_status got = signwire_open(keys, f[2], tlen, out, tlen + 1, &w);
    if (strcmp(f[3], "ok") == 0) {
        EXPECT(SIGNWIRE_OK, got);
        if (got != SIGNWIRE_OK || w != plen || memcmp(out, plain, plen) != 0)
            fail_at(__LINE__, "jwe vector '%s': wrong plaintext", name);
        else
            passed++;
    } else if (strcmp(signwire_status_name((int32_t)got), f[3]) == 0) {
        passed++;
    } else {
        fail_at(__LINE__, "jwe vector '%s': %s, expected %s", name, signwire_status_name((int32_t)got), f[3]);
    }
    free(out);
    free(name);
    free(plain);
}

/* The value of parameter `name` in a query, copied into `out`. */
static int query_param(const char *query, const char *name, char *out, size_t cap) {
    size_t n = strlen(name);
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1;
            size_t len = strcspn(v, "&");
            if (len >= cap)
                return 0;
            memcpy(out, v, len);
            out[len] = '\0';
            return 1;
        }
    }
    return 0;
}

static void test_seal(void) {
    section = "seal";
    static const char PLAIN[] = "{\"card\":\"4111111111111111\",\"cvv\":\"123\"}";
    unsigned char aes[32];
    for (size_t i = 0; i < sizeof aes; i++)
        aes[i] = (unsigned char)(0xA0u + i);
    EVP_PKEY *rsa = rsa_private();
    size_t publen = 0;
    char *pub = read_file("seal/rsa2048-public.pem", &publen);
    signwire_seal_recipient *shared = NULL, *to_rsa = NULL;
    EXPECT(SIGNWIRE_ERR_WEAK_KEY, signwire_seal_recipient_new_shared("c-aes", (const char *)aes, 16, &shared));
    CHECK(shared == NULL);
    EXPECT(SIGNWIRE_OK, signwire_seal_recipient_new_shared("c-aes", (const char *)aes, sizeof aes, &shared));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_seal_recipient_new_rsa("c-rsa", NULL, publen, &to_rsa));
    EXPECT(SIGNWIRE_OK, signwire_seal_recipient_new_rsa("c-rsa", pub, publen, &to_rsa));
    /* 16 MiB, as documented. */
    CHECK(signwire_seal_max_token_len() == 16u * 1024 * 1024);

    char token[4096], back[4096];
    unsigned char opened[4096];
    size_t w = 0, need = 0;
    /* dir: header, empty key, 12-byte IV, ciphertext, 16-byte tag; all base64url. */
    EXPECT(SIGNWIRE_OK, signwire_seal(shared, PLAIN, sizeof PLAIN - 1, token, sizeof token, &w));
    CHECK(w == strlen(token));
    EXPECT(SIGNWIRE_OK, signwire_seal_len(shared, sizeof PLAIN - 1, &need));
    size_t hdr = strcspn(token, ".");
    size_t ct_b64 = ((sizeof PLAIN - 1) * 4 + 2) / 3;
    CHECK(need == hdr + 1 + 0 + 1 + 16 + 1 + ct_b64 + 1 + 22 + 1);
    unsigned char hjson[256];
    size_t hlen = b64url_decode(token, hdr, hjson);
    CHECK(hlen != (size_t)-1 && hlen < sizeof hjson);
    if (hlen < sizeof hjson) {
        hjson[hlen] = '\0';
        CHECK(strstr((char *)hjson, "\"alg\":\"dir\"") && strstr((char *)hjson, "\"enc\":\"A256GCM\"") &&
              strstr((char *)hjson, "\"kid\":\"c-aes\""));
    }
    long n = openssl_open(token, aes, NULL, opened);
    CHECK(n == (long)(sizeof PLAIN - 1) && memcmp(opened, PLAIN, sizeof PLAIN - 1) == 0);
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_seal(shared, PLAIN, sizeof PLAIN - 1, token, 10, &w));
    CHECK(w == need);

    /* RSA-OAEP-256: OpenSSL unwraps the content key with the private key. */
    EXPECT(SIGNWIRE_OK, signwire_seal(to_rsa, PLAIN, sizeof PLAIN - 1, token, sizeof token, &w));
    n = openssl_open(token, NULL, rsa, opened);
    CHECK(n == (long)(sizeof PLAIN - 1) && memcmp(opened, PLAIN, sizeof PLAIN - 1) == 0);
    EXPECT(SIGNWIRE_OK, signwire_seal_len(to_rsa, sizeof PLAIN - 1, &need));
    CHECK(need == w + 1);

    /* signwire opens what it sealed; a removed kid is UNKNOWN_KEY; a small limit is refused. */
    signwire_seal_keys *keys = NULL;
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_new(0, &keys));
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_add_shared(keys, "c-aes", (const char *)aes, sizeof aes));
    size_t len = 0;
    char *pem = read_file("seal/rsa2048-private.pem", &len);
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_add_rsa(keys, "c-rsa", pem, len));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_seal_keys_add_rsa(keys, "c-bad", "not a key", 9));
    free(pem);
    EXPECT(SIGNWIRE_OK, signwire_open(keys, token, w, back, sizeof back, &w));
    CHECK(w == sizeof PLAIN - 1 && memcmp(back, PLAIN, w) == 0);
    EXPECT(SIGNWIRE_OK, signwire_seal(shared, PLAIN, sizeof PLAIN - 1, token, sizeof token, &w));
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_remove(keys, "c-aes"));
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, signwire_open(keys, token, w, back, sizeof back, &w));
    EXPECT(SIGNWIRE_ERR_UNKNOWN_KEY, signwire_seal_keys_remove(keys, "c-aes"));
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_add_shared(keys, "c-aes", (const char *)aes, sizeof aes));
    signwire_seal_keys *small = NULL;
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_new(64, &small));
    EXPECT(SIGNWIRE_OK, signwire_seal_keys_add_shared(small, "c-aes", (const char *)aes, sizeof aes));
    EXPECT(SIGNWIRE_ERR_INPUT_TOO_LARGE, signwire_open(small, token, strlen(token), back, sizeof back, &w));
    signwire_seal_keys_free(small);

    /* Query sealing: the named pairs go into one `sealed` parameter, which OpenSSL opens. */
    char q[4096], tok[4096];
    EXPECT(SIGNWIRE_OK, signwire_seal_query(shared, "a=1&card=4111&b=2", "card", NULL, q, sizeof q, &w));
    CHECK(strncmp(q, "a=1&sealed=", 11) == 0 && strstr(q, "&b=2") != NULL && strstr(q, "card") == NULL);
    CHECK(query_param(q, "sealed", tok, sizeof tok));
    n = openssl_open(tok, aes, NULL, opened);
    CHECK(n == 9 && memcmp(opened, "card=4111", 9) == 0);
    EXPECT(SIGNWIRE_OK, signwire_open_query(keys, q, NULL, back, sizeof back, &w));
    CHECK(strcmp(back, "a=1&card=4111&b=2") == 0);
    EXPECT(SIGNWIRE_ERR_MALFORMED_TOKEN, signwire_open_query(keys, "a=1", NULL, back, sizeof back, &w));

    /* Encrypt-then-sign: the body is the token, the signature OpenSSL's HMAC over it. */
    EXPECT(SIGNWIRE_OK, signwire_seal(shared, PLAIN, sizeof PLAIN - 1, token, sizeof token, &w));
    signwire_verifier *v = verifier_with(KEY_ID, SECRET_A);
    char blk[2048], kid[SIGNWIRE_KEY_ID_MAX];
    size_t kw = 0;
    /* verify_and_open reads the clock: sign at the current time. */
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, now, token, w);
    size_t pw = 0;
    EXPECT(SIGNWIRE_OK, signwire_verify_and_open(v, keys, "POST", URL, token, w, blk, NULL, back, sizeof back, &pw, kid,
                                                 sizeof kid, &kw));
    CHECK(strcmp(kid, KEY_ID) == 0 && kw == strlen(KEY_ID));
    CHECK(pw == sizeof PLAIN - 1 && memcmp(back, PLAIN, pw) == 0);
    signed_block(blk, sizeof blk, KEY_ID, SECRET_B, "POST", URL, now, token, w);
    memset(back, 0x55, sizeof back);
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_verify_and_open(v, keys, "POST", URL, token, w, blk, NULL, back, sizeof back, &pw,
                                                               NULL, 0, NULL));
    CHECK((unsigned char)back[0] == 0x55);
    signwire_verifier_free(v);
    signwire_seal_keys_free(keys);
    signwire_seal_recipient_free(shared);
    signwire_seal_recipient_free(to_rsa);
    free(pub);
    EVP_PKEY_free(rsa);
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
    int count = 0, macs = 0, reqs = 0, jwes = 0, want_macs = -1, want_reqs = -1, want_jwes = -1;
    /* The first line says how many of each follow: a truncated file fails, not shrinks. */
    if (getline(&line, &cap, fp) <= 0 || sscanf(line, "count %d %d %d", &want_macs, &want_reqs, &want_jwes) != 3)
        fail_at(__LINE__, "%s does not start with a 'count MACS REQS JWES' line", path);
    signwire_seal_keys *keys = jose_vector_keys();
    while (getline(&line, &cap, fp) > 0) {
        char *fields[16];
        int n = 0;
        for (char *tok = strtok(line, " \n"); tok && n < 16; tok = strtok(NULL, " \n"))
            fields[n++] = tok;
        if (n == 6 && strcmp(fields[0], "mac") == 0) {
            mac_vector(fields);
            macs++;
        } else if (n == 14 && strcmp(fields[0], "req") == 0) {
            request_vector(fields);
            reqs++;
        } else if (n == 5 && strcmp(fields[0], "jwe") == 0) {
            jwe_vector(keys, fields);
            jwes++;
        } else {
            fail_at(__LINE__, "unreadable vector line with %d fields", n);
            continue;
        }
        count++;
    }
    free(line);
    fclose(fp);
    signwire_seal_keys_free(keys);
    if (macs != want_macs || reqs != want_reqs || jwes != want_jwes)
        fail_at(__LINE__, "%s: read %d MAC, %d request and %d JWE vectors, its count line says %d, %d and %d", path,
                macs, reqs, jwes, want_macs, want_reqs, want_jwes);
    /* RFC 4231 + RFC 2202, the HopNow + generic request files, jwcrypto's tokens: never fewer. */
    CHECK(macs >= 20 && reqs >= 8 && jwes >= 17);
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

/* ------------------------------------------------------------------------------------- */
/* bcrypt signatures: bcrypt(sha1ⁿ(field₁‖field₂‖…)), each sha1 round written as 40 lowercase */
/* hex characters. Expected values: PHP's password_hash output (tests/vectors/epintower.json) */
/* and, for what signwire signs, OpenSSL's SHA-1 plus libcrypt's crypt() re-hashing with the  */
/* signature's own salt.                                                                       */

static const char *const EPIN_FIELDS[] = {"BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18",
                                          "DF6649B8_9D57_53DF_2674_C768FE6DE0CB"};
static const size_t EPIN_LENS[] = {32, 32, 36};
/* PHP: password_hash(sha1(implode('', $fields)), PASSWORD_BCRYPT, ['cost' => 4]) as $2a$. */
static const char PHP_REQUEST_2A[] = "$2a$04$9SrX13ekFYIfJafzFiA3q.6eUevv5qNp1N/N4iXmAZQ5UBEoOK8IW";
/* PHP, UTF-8 fields: request (1 round) and response (2 rounds), cost 4. */
static const char *const UTF8_FIELDS[] = {"\xc3\x9cn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9-\xe5\xae\xa2\xe6\x88\xb7",
                                          "\xd1\x81\xd0\xb5\xd0\xba\xd1\x80\xd0\xb5\xd1\x82\xf0\x9f\x99\x82",
                                          "tab\tand spaces"};
static const char PHP_UTF8_REQUEST[] = "$2y$04$R9bDrbNX9D8MRivI9Jc7n.IUwDbXQy8XxB8yMAl3KREksAl8cakaC";
static const char PHP_UTF8_RESPONSE[] = "$2y$04$rSv9UWtCIlOMnhRZreD4y.IYHKeAhiRO5C5wJk.vBh290VGbvOQ5G";

/* sha1ⁿ of the concatenated fields, as 40 hex characters (n >= 1). */
static void sha1_rounds(const char *const *fields, const size_t *lens, size_t count, int rounds, char out[41]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char d[SHA_DIGEST_LENGTH];
    EVP_DigestInit_ex(c, EVP_sha1(), NULL);
    for (size_t i = 0; i < count; i++)
        EVP_DigestUpdate(c, fields[i], lens[i]);
    EVP_DigestFinal_ex(c, d, NULL);
    EVP_MD_CTX_free(c);
    to_hex(d, sizeof d, out);
    for (int r = 1; r < rounds; r++) {
        SHA1((const unsigned char *)out, 40, d);
        to_hex(d, sizeof d, out);
    }
}

/* crypt() of `password` with `hash` as the setting: equal to `hash` when it matches. */
static int crypt_matches(const char *password, const char *hash) {
    const char *got = crypt(password, hash);
    return got != NULL && strcmp(got, hash) == 0;
}

static void test_bcrypt(void) {
    section = "bcrypt";
    size_t utf8_lens[3];
    for (int i = 0; i < 3; i++)
        utf8_lens[i] = strlen(UTF8_FIELDS[i]);
    /* The bcrypt format's length, 60 characters ($2y$NN$ + 22 salt + 31 hash), and PHP's
     * PASSWORD_BCRYPT default cost (10 before PHP 8.4). */
    CHECK(signwire_bcrypt_hash_len() == 60);
    CHECK(signwire_bcrypt_hash_max() == 61);
    CHECK(signwire_bcrypt_default_cost() == 10);

    /* PHP's signatures verify; each checked in the wrong direction does not. */
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_request(EPIN_FIELDS, EPIN_LENS, 3, PHP_REQUEST_2A, strlen(PHP_REQUEST_2A)));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE,
           signwire_epintower_verify_response(EPIN_FIELDS, EPIN_LENS, 3, PHP_REQUEST_2A, strlen(PHP_REQUEST_2A)));
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_request(UTF8_FIELDS, utf8_lens, 3, PHP_UTF8_REQUEST, 60));
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_response(UTF8_FIELDS, utf8_lens, 3, PHP_UTF8_RESPONSE, 60));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_epintower_verify_request(UTF8_FIELDS, utf8_lens, 3, PHP_UTF8_RESPONSE, 60));
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_rounds(2, UTF8_FIELDS, utf8_lens, 3, PHP_UTF8_RESPONSE, 60));
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, signwire_epintower_verify_request(EPIN_FIELDS, EPIN_LENS, 3, PHP_REQUEST_2A, 59));

    /* What signwire signs, crypt() re-hashes with the same salt to the same string. */
    char sig[SIGNWIRE_BCRYPT_HASH_MAX], pw1[41], pw2[41], pw3[41];
    size_t w = 0;
    sha1_rounds(EPIN_FIELDS, EPIN_LENS, 3, 1, pw1);
    sha1_rounds(EPIN_FIELDS, EPIN_LENS, 3, 2, pw2);
    sha1_rounds(EPIN_FIELDS, EPIN_LENS, 3, 3, pw3);
    CHECK(strcmp(pw1, "74865cd92b89741f2ea1188fac34660e880a2a25") == 0); /* PHP's sha1() in epintower.json */
    EXPECT(SIGNWIRE_OK, signwire_epintower_sign_request(EPIN_FIELDS, EPIN_LENS, 3, 4, sig, sizeof sig, &w));
    CHECK(w == 60 && strncmp(sig, "$2y$04$", 7) == 0 && crypt_matches(pw1, sig) && !crypt_matches(pw2, sig));
    EXPECT(SIGNWIRE_OK, signwire_epintower_sign_response(EPIN_FIELDS, EPIN_LENS, 3, 4, sig, sizeof sig, &w));
    CHECK(crypt_matches(pw2, sig) && !crypt_matches(pw1, sig));
    EXPECT(SIGNWIRE_OK, signwire_epintower_sign_rounds(3, EPIN_FIELDS, EPIN_LENS, 3, 4, sig, sizeof sig, &w));
    CHECK(crypt_matches(pw3, sig));
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_epintower_sign_request(EPIN_FIELDS, EPIN_LENS, 3, 4, sig, 60, &w));
    CHECK(w == 61);
    /* And what crypt() makes from a salt of our own, signwire verifies. */
    const char *made = crypt(pw3, "$2b$04$abcdefghijklmnopqrstuu");
    CHECK(made != NULL && strlen(made) == 60);
    if (made) {
        char copy[61];
        memcpy(copy, made, 61);
        EXPECT(SIGNWIRE_OK, signwire_epintower_verify_rounds(3, EPIN_FIELDS, EPIN_LENS, 3, copy, 60));
        EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_epintower_verify_rounds(2, EPIN_FIELDS, EPIN_LENS, 3, copy, 60));
    }

    /* A verification cost cap, checked before any bcrypt work: 12 by default (the preset's
     * cost 10 + 2); below 10 the cap itself is refused; PHP's cost-12 signature under a cap of
     * 11 is refused without hashing (accepting it would cost seconds under valgrind). */
    static const char PHP_COST12[] = "$2y$12$4o3SOkv5NOMAZrwvymG9IOOGJXOxMfn3eGw2MX7c8pwE5wobkl4tK";
    CHECK(signwire_bcrypt_default_max_verify_cost() == 12);
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_request_capped(EPIN_FIELDS, EPIN_LENS, 3, 10, PHP_REQUEST_2A, 60));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_epintower_verify_request_capped(EPIN_FIELDS, EPIN_LENS, 3, 9, PHP_REQUEST_2A, 60));
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_request_capped(EPIN_FIELDS, EPIN_LENS, 3, 0, PHP_REQUEST_2A, 60));
    EXPECT(SIGNWIRE_ERR_MALFORMED_HEADER, signwire_epintower_verify_request_capped(EPIN_FIELDS, EPIN_LENS, 3, 11, PHP_COST12, 60));
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_response_capped(UTF8_FIELDS, utf8_lens, 3, 10, PHP_UTF8_RESPONSE, 60));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_epintower_verify_response_capped(UTF8_FIELDS, utf8_lens, 3, 10, PHP_UTF8_REQUEST, 60));
    EXPECT(SIGNWIRE_OK, signwire_epintower_verify_rounds_capped(2, UTF8_FIELDS, utf8_lens, 3, 31, PHP_UTF8_RESPONSE, 60));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_epintower_verify_rounds_capped(2, UTF8_FIELDS, utf8_lens, 3, 32, PHP_UTF8_RESPONSE, 60));

    /* Scheme objects: the preset, and a document with its own rounds. */
    signwire_bcrypt_scheme *s = NULL;
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_bcrypt_scheme_new("no-such-scheme", &s));
    CHECK(s == NULL);
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_new("epintower", &s));
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_verify_request(s, UTF8_FIELDS, utf8_lens, 3, PHP_UTF8_REQUEST, 60));
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_verify_response(s, UTF8_FIELDS, utf8_lens, 3, PHP_UTF8_RESPONSE, 60));
    signwire_bcrypt_scheme_free(s);
    s = NULL;
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_new(
                            "{\"name\":\"c-test\",\"request_sha1_rounds\":3,\"response_sha1_rounds\":2,\"cost\":4}", &s));
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_sign_request(s, EPIN_FIELDS, EPIN_LENS, 3, 0, sig, sizeof sig, &w));
    CHECK(strncmp(sig, "$2y$04$", 7) == 0 && crypt_matches(pw3, sig));
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_verify_request(s, EPIN_FIELDS, EPIN_LENS, 3, sig, w));
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, signwire_bcrypt_scheme_verify_response(s, EPIN_FIELDS, EPIN_LENS, 3, sig, w));
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_sign_response(s, EPIN_FIELDS, EPIN_LENS, 3, 5, sig, sizeof sig, &w));
    CHECK(strncmp(sig, "$2y$05$", 7) == 0 && crypt_matches(pw2, sig));
    EXPECT(SIGNWIRE_OK, signwire_bcrypt_scheme_verify_response(s, EPIN_FIELDS, EPIN_LENS, 3, sig, w));
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_bcrypt_scheme_verify_response(NULL, EPIN_FIELDS, EPIN_LENS, 3, sig, w));
    signwire_bcrypt_scheme_free(s);
    signwire_bcrypt_scheme_free(NULL);
}

/* ------------------------------------------------------------------------------------- */
/* Nonce stores, IP policy and field-wise signing                                          */

struct store_log {
    int calls;
    char key_id[64];
    char nonce[64];
    uint64_t ttl;
    int32_t answer;
};

static int32_t store_callback(void *user_data, const char *key_id, const char *nonce, uint64_t ttl_seconds) {
    struct store_log *log = user_data;
    log->calls++;
    snprintf(log->key_id, sizeof log->key_id, "%s", key_id);
    snprintf(log->nonce, sizeof log->nonce, "%s", nonce);
    log->ttl = ttl_seconds;
    return log->answer;
}

static signwire_status verify_from(const signwire_verifier *v, const char *headers, const char *remote) {
    char kid[SIGNWIRE_KEY_ID_MAX];
    size_t w = 0;
    return signwire_verifier_verify_at(v, "POST", URL, BODY, BODY_LEN, headers, remote, TS, kid, sizeof kid, &w);
}

static void test_stores_and_policy(void) {
    section = "stores";
    char blk[2048], nonce[64];
    /* Store URLs: a bad one is refused and the previous store kept. */
    signwire_verifier *v = verifier_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_nonce_store(v, "memory://?max_entries=100"));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_set_nonce_store(v, "bogus://nowhere"));
    EXPECT(SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE, signwire_verifier_set_nonce_store(v, "sqlite:///nonexistent-dir/x/nonces.db"));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_OK, verify_from(v, blk, NULL));
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, verify_from(v, blk, NULL));
    signwire_verifier_free(v);

    /* One SQLite file shared by two verifiers: a nonce one accepted, the other refuses. */
    char dir[] = "/tmp/signwire-c-test-XXXXXX", url[300], file[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/nonces.db", dir);
    snprintf(url, sizeof url, "sqlite://%s", file);
    signwire_verifier *a = verifier_with(KEY_ID, SECRET_A), *b = verifier_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_nonce_store(a, url));
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_nonce_store(b, url));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_OK, verify_from(a, blk, NULL));
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, verify_from(b, blk, NULL));
    signwire_verifier_free(a);
    signwire_verifier_free(b);
    remove(file);
    rmdir(dir);

    /* A callback store: asked once per valid signature, with the scheme (the replay scope) and nonce sent. */
    struct store_log log = {0, "", "", 0, SIGNWIRE_NONCE_FRESH};
    v = verifier_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_ERR_NULL_POINTER, signwire_verifier_set_nonce_store_callback(v, NULL, &log));
    EXPECT(SIGNWIRE_OK, signwire_verifier_set_nonce_store_callback(v, store_callback, &log));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    CHECK(header_value(blk, "X-Nonce", nonce, sizeof nonce));
    EXPECT(SIGNWIRE_OK, verify_from(v, blk, NULL));
    CHECK(log.calls == 1 && strcmp(log.key_id, "hopnow") == 0 && strcmp(log.nonce, nonce) == 0 && log.ttl >= 300);
    log.answer = SIGNWIRE_NONCE_REPLAYED;
    EXPECT(SIGNWIRE_ERR_NONCE_REPLAYED, verify_from(v, blk, NULL));
    log.answer = 0; /* what a failed FFI callback returns */
    EXPECT(SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE, verify_from(v, blk, NULL));
    CHECK(log.calls == 3);
    signed_block(blk, sizeof blk, KEY_ID, SECRET_B, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    EXPECT(SIGNWIRE_ERR_BAD_SIGNATURE, verify_from(v, blk, NULL));
    CHECK(log.calls == 3); /* a forgery never reaches the store */
    signwire_verifier_free(v);

    section = "ip policy";
    v = verifier_with(KEY_ID, SECRET_A);
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_allow_ip(v, "10.0.0.1/8"));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_allow_ip(v, "not-an-address"));
    EXPECT(SIGNWIRE_OK, signwire_verifier_allow_ip(v, "10.0.0.0/8"));
    EXPECT(SIGNWIRE_OK, signwire_verifier_allow_ip(v, "2001:db8::/32"));
    const char *inside[] = {"10.1.2.3", "::ffff:10.1.2.3", "2001:db8::7"};
    for (int i = 0; i < 3; i++) {
        signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
        EXPECT(SIGNWIRE_OK, verify_from(v, blk, inside[i]));
    }
    const char *outside[] = {"11.0.0.1", "192.168.1.1", "2001:db9::1", NULL};
    for (int i = 0; i < 4; i++) {
        signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
        EXPECT(SIGNWIRE_ERR_IP_NOT_ALLOWED, verify_from(v, blk, outside[i]));
    }
    /* X-Forwarded-For counts only from a trusted proxy, rightmost untrusted entry first. */
    char fwd[2200];
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    snprintf(fwd, sizeof fwd, "X-Forwarded-For: 10.9.9.9\r\n%s", blk);
    EXPECT(SIGNWIRE_ERR_IP_NOT_ALLOWED, verify_from(v, fwd, "192.168.1.1"));
    EXPECT(SIGNWIRE_ERR_INVALID_ARGUMENT, signwire_verifier_trust_proxy(v, "192.168.1.0/16"));
    EXPECT(SIGNWIRE_OK, signwire_verifier_trust_proxy(v, "192.168.0.0/16"));
    EXPECT(SIGNWIRE_OK, verify_from(v, fwd, "192.168.1.1"));
    signed_block(blk, sizeof blk, KEY_ID, SECRET_A, "POST", URL, TS_TEXT, BODY, BODY_LEN);
    snprintf(fwd, sizeof fwd, "X-Forwarded-For: 10.9.9.9, 172.16.0.1\r\n%s", blk);
    EXPECT(SIGNWIRE_ERR_IP_NOT_ALLOWED, verify_from(v, fwd, "192.168.1.1"));
    signwire_verifier_free(v);

    section = "sign fields";
    /* name\0value\0... with the signature OpenSSL computes from the timestamp and nonce sent. */
    signwire_signer *g = signer_with(KEY_ID, SECRET_A);
    char out[SIGNWIRE_SIGNED_HEADERS_MAX], expected[SIGNWIRE_SIGNATURE_MAX];
    const char *names[4] = {0}, *values[4] = {0};
    size_t n = 0;
    int count = 0;
    EXPECT(SIGNWIRE_OK, signwire_signer_sign_fields(g, "POST", URL, BODY, BODY_LEN, NULL, out, sizeof out, &n));
    CHECK(out[n] == '\0');
    for (const char *f = out; f < out + n && count < 4; count++) {
        names[count] = f;
        f += strlen(f) + 1;
        values[count] = f;
        f += strlen(f) + 1;
    }
    CHECK(count == 4);
    const char *get[4] = {"X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"};
    const char *found[4] = {0};
    for (int i = 0; i < count; i++)
        for (int j = 0; j < 4; j++)
            if (names[i] && strcmp(names[i], get[j]) == 0)
                found[j] = values[i];
    CHECK(found[0] && found[1] && found[2] && found[3]);
    if (found[0] && found[1] && found[2] && found[3]) {
        CHECK(strcmp(found[0], KEY_ID) == 0);
        hopnow_sig(SECRET_A, "POST", URL, found[2], found[3], BODY, BODY_LEN, expected);
        CHECK(strcmp(found[1], expected) == 0);
    }
    EXPECT(SIGNWIRE_ERR_BUFFER_TOO_SMALL, signwire_signer_sign_fields(g, "POST", URL, BODY, BODY_LEN, NULL, out, 8, &n));
    CHECK(n > 8);
    signwire_signer_free(g);
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
    test_bcrypt();
    test_seal();
    test_stores_and_policy();
    int vectors = 0;
    if (argc > 1) {
        vectors = test_vectors(argv[1]);
    } else {
        section = "vectors";
        fail_at(__LINE__, "no vectors file given (make test passes build/vectors.txt)");
    }
    for (size_t i = 0; i < forbidden_count; i++)
        free(forbidden[i]);
    fprintf(stderr, "%d shared vectors checked\n", vectors);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
