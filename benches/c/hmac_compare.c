/* signwire vs OpenSSL libcrypto, in one process, interleaved.
 *
 * For HMAC-SHA256 and HMAC-SHA1 at 64 B, 1 KiB, 64 KiB and 1 MiB it times:
 *   sw_oneshot   signwire_hmac_sign()         (keys the HMAC state on every call)
 *   sw_keyed     signwire_hmac_key_sign()     (state keyed once, cloned per call)
 *   ossl_oneshot HMAC()                       (OpenSSL's one-shot)
 *   ossl_reused  EVP_MAC_init(ctx, NULL, ...) (an EVP_MAC_CTX keyed once, re-initialised)
 * signwire writes the tag as lowercase hex, so every OpenSSL reference hex-encodes its raw
 * tag too (a 16-entry table; about 1% of a 64 B one-shot): both sides end with the same text.
 * The raw OpenSSL times are printed as well.
 *
 * And the verify-overhead row: signwire_verifier_verify_at() (header parsing, policy, memory
 * nonce store) against signwire_hmac_key_verify() over the same 1 KiB HopNow payload.
 *
 * Times are the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that time spent
 * waiting for a core on a shared machine is not counted.
 *
 * Method: R rounds; in each round every variant runs a fixed number of calls (calibrated to
 * about `block_ms`), the order alternating from round to round. A ratio is the median over
 * rounds of (signwire time / reference time) within the same round, so that load from other
 * processes, which changes slowly, cancels out.
 *
 * Output: one JSON object per line on stdout (the machine-readable copy scripts/bench reads).
 *
 * Usage:
 *   hmac_compare [--quick]
 *   hmac_compare --callgrind VARIANT ALG SIZE CALLS   run one variant inside measured_loop(),
 *       for `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measured_loop`.
 */
#define _POSIX_C_SOURCE 200809L
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signwire.h"

#define MAX_ROUNDS 31

static const char SECRET[] = "a 32-byte secret for benchmarks!";
#define SECRET_LEN (sizeof SECRET - 1)
static const char *URL = "https://api.example.com/v1/payments?merchant=42";
static const int64_t NOW = 1700000000;

static void die(const char *what, int status) {
    fprintf(stderr, "hmac_compare: %s failed: %s (%s)\n", what, signwire_status_name(status),
            signwire_last_error_message());
    exit(2);
}

/* CPU time of this thread: on a shared machine, time spent descheduled is not counted. */
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void hex(const unsigned char *raw, unsigned len, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[2 * len] = 0;
}

/* ---- the variants ------------------------------------------------------------------ */

struct ctx {
    int alg;               /* SIGNWIRE_HMAC_SHA256 or SIGNWIRE_HMAC_SHA1 */
    const EVP_MD *md;
    const unsigned char *msg;
    size_t len;
    signwire_hmac_key *key;
    EVP_MAC_CTX *mac;
    /* verify-overhead row */
    signwire_verifier *verifier;
    char **blocks;         /* pre-signed header blocks, one fresh nonce each */
    size_t next_block, n_blocks;
    const char *payload;   /* the HopNow payload of the 1 KiB request */
    size_t payload_len;
    const char *signature; /* its hex signature */
    char sink[256];
};

typedef void (*variant_fn)(struct ctx *);

static void sw_oneshot(struct ctx *c) {
    size_t w;
    int s = signwire_hmac_sign(c->alg, SECRET, SECRET_LEN, (const char *)c->msg, c->len,
                               SIGNWIRE_ENCODING_HEX, c->sink, sizeof c->sink, &w);
    if (s) die("signwire_hmac_sign", s);
}

static void sw_keyed(struct ctx *c) {
    size_t w;
    int s = signwire_hmac_key_sign(c->key, (const char *)c->msg, c->len, SIGNWIRE_ENCODING_HEX,
                                   c->sink, sizeof c->sink, &w);
    if (s) die("signwire_hmac_key_sign", s);
}

static void ossl_oneshot(struct ctx *c) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len;
    if (!HMAC(c->md, SECRET, SECRET_LEN, c->msg, c->len, md, &md_len)) die("HMAC", -1);
    hex(md, md_len, c->sink);
}

static void ossl_oneshot_raw(struct ctx *c) {
    unsigned md_len;
    if (!HMAC(c->md, SECRET, SECRET_LEN, c->msg, c->len, (unsigned char *)c->sink, &md_len)) die("HMAC", -1);
}

static void ossl_reused(struct ctx *c) {
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t md_len;
    if (!EVP_MAC_init(c->mac, NULL, 0, NULL) || !EVP_MAC_update(c->mac, c->msg, c->len) ||
        !EVP_MAC_final(c->mac, md, &md_len, sizeof md))
        die("EVP_MAC", -1);
    hex(md, (unsigned)md_len, c->sink);
}

static void sw_verify(struct ctx *c) {
    size_t w;
    if (c->next_block >= c->n_blocks) die("verify block supply", -1);
    int s = signwire_verifier_verify_at(c->verifier, "POST", URL, (const char *)c->msg, c->len,
                                        c->blocks[c->next_block++], NULL, NOW, c->sink,
                                        sizeof c->sink, &w);
    if (s) die("signwire_verifier_verify_at", s);
}

static void sw_bare_verify(struct ctx *c) {
    int s = signwire_hmac_key_verify(c->key, c->payload, c->payload_len, c->signature, 64,
                                     SIGNWIRE_ENCODING_HEX);
    if (s) die("signwire_hmac_key_verify", s);
}

static const struct {
    const char *name;
    variant_fn fn;
} VARIANTS[] = {
    {"sw_oneshot", sw_oneshot},     {"sw_keyed", sw_keyed},       {"ossl_oneshot", ossl_oneshot},
    {"ossl_oneshot_raw", ossl_oneshot_raw}, {"ossl_reused", ossl_reused}, {"sw_verify", sw_verify},
    {"sw_bare_verify", sw_bare_verify},
};

/* Kept out of line so that callgrind can toggle collection on exactly this function. */
__attribute__((noinline)) void measured_loop(variant_fn fn, struct ctx *c, long calls) {
    for (long i = 0; i < calls; i++) fn(c);
}

static double time_calls(variant_fn fn, struct ctx *c, long calls) {
    double t0 = now_ns();
    measured_loop(fn, c, calls);
    return (now_ns() - t0) / calls;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    double tmp[MAX_ROUNDS];
    memcpy(tmp, v, n * sizeof *v);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* ---- set-up ------------------------------------------------------------------------ */

static void setup_mac(struct ctx *c, int alg, size_t len) {
    memset(c, 0, sizeof *c);
    c->alg = alg;
    c->md = alg == SIGNWIRE_HMAC_SHA256 ? EVP_sha256() : EVP_sha1();
    unsigned char *m = malloc(len);
    for (size_t i = 0; i < len; i++) m[i] = (unsigned char)(i * 131 + 7);
    c->msg = m;
    c->len = len;
    int s = signwire_hmac_key_new(alg, SECRET, SECRET_LEN, &c->key);
    if (s) die("signwire_hmac_key_new", s);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    c->mac = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         alg == SIGNWIRE_HMAC_SHA256 ? "SHA256" : "SHA1", 0),
        OSSL_PARAM_construct_end()};
    if (!c->mac || !EVP_MAC_init(c->mac, (const unsigned char *)SECRET, SECRET_LEN, params))
        die("EVP_MAC_init", -1);
}

static void teardown_mac(struct ctx *c) {
    free((void *)c->msg);
    signwire_hmac_key_free(c->key);
    EVP_MAC_CTX_free(c->mac);
}

/* Check that signwire and OpenSSL agree before timing anything. */
static void cross_check(struct ctx *c) {
    char a[256];
    sw_keyed(c);
    strcpy(a, c->sink);
    ossl_oneshot(c);
    if (strcmp(a, c->sink)) die("cross-check signwire_hmac_key_sign vs HMAC()", -1);
    sw_oneshot(c);
    if (strcmp(a, c->sink)) die("cross-check signwire_hmac_sign vs HMAC()", -1);
    ossl_reused(c);
    if (strcmp(a, c->sink)) die("cross-check EVP_MAC reuse vs HMAC()", -1);
}

static signwire_signer *g_signer;
static signwire_scheme *g_scheme;

static void setup_verify(struct ctx *c, size_t len) {
    setup_mac(c, SIGNWIRE_HMAC_SHA256, len);
    int s = signwire_verifier_new(g_scheme, &c->verifier);
    if (s) die("signwire_verifier_new", s);
    if ((s = signwire_verifier_add_secret(c->verifier, "k1", SECRET, SECRET_LEN))) die("add_secret", s);
    /* The bare-HMAC side: the same payload HopNow signs, {METHOD}{URL}{TIMESTAMP}{NONCE}{BODY}. */
    static char sig[SIGNWIRE_SIGNATURE_MAX];
    const char *nonce = "00112233445566778899aabbccddeeff";
    size_t plen = strlen("POST") + strlen(URL) + 10 + 32 + len;
    char *p = malloc(plen);
    int n = sprintf(p, "POST%s%lld%s", URL, (long long)NOW, nonce);
    memcpy(p + n, c->msg, len);
    c->payload = p;
    c->payload_len = plen;
    size_t w;
    if ((s = signwire_hmac_key_sign(c->key, p, plen, SIGNWIRE_ENCODING_HEX, sig, sizeof sig, &w)))
        die("signwire_hmac_key_sign", s);
    c->signature = sig;
}

/* Sign `n` requests, each with its own nonce, for the next timed block of sw_verify. */
static void refill_blocks(struct ctx *c, long n) {
    static unsigned long long counter = 1;
    for (size_t i = 0; i < c->n_blocks; i++) free(c->blocks[i]);
    free(c->blocks);
    c->blocks = calloc(n, sizeof *c->blocks);
    for (long i = 0; i < n; i++) {
        char nonce[33], out[SIGNWIRE_SIGNED_HEADERS_MAX];
        size_t w;
        snprintf(nonce, sizeof nonce, "%032llx", counter++);
        int s = signwire_signer_sign_at(g_signer, "POST", URL, (const char *)c->msg, c->len, NULL, NOW,
                                        nonce, out, sizeof out, &w);
        if (s) die("signwire_signer_sign_at", s);
        c->blocks[i] = strdup(out);
    }
    c->n_blocks = n;
    c->next_block = 0;
}

/* ---- one comparison ---------------------------------------------------------------- */

struct pair {
    const char *row;   /* id in the results */
    variant_fn sw, ref;
};

static int g_rounds = 11;
static double g_block_ns = 20e6;

static long calibrate(variant_fn fn, struct ctx *c, int needs_blocks) {
    long calls = 1;
    for (;;) {
        if (needs_blocks) refill_blocks(c, calls);
        double t = time_calls(fn, c, calls) * calls;
        if (t > g_block_ns / 8 || calls > (1L << 24)) return (long)(calls * g_block_ns / (t > 0 ? t : 1)) + 1;
        calls *= 4;
    }
}

static void compare(const char *group, const char *alg, const char *size, struct ctx *c,
                    const struct pair *p, int verify_side) {
    long calls_sw = calibrate(p->sw, c, verify_side);
    long calls_ref = calibrate(p->ref, c, 0);
    double sw[MAX_ROUNDS], ref[MAX_ROUNDS], ratio[MAX_ROUNDS];
    for (int r = 0; r < g_rounds; r++) {
        if (verify_side) refill_blocks(c, calls_sw);
        if (r % 2 == 0) {
            sw[r] = time_calls(p->sw, c, calls_sw);
            ref[r] = time_calls(p->ref, c, calls_ref);
        } else {
            ref[r] = time_calls(p->ref, c, calls_ref);
            sw[r] = time_calls(p->sw, c, calls_sw);
        }
        ratio[r] = sw[r] / ref[r];
    }
    printf("{\"group\":\"%s\",\"row\":\"%s\",\"alg\":\"%s\",\"size\":\"%s\",\"bytes\":%zu,"
           "\"signwire_ns\":%.1f,\"reference_ns\":%.1f,\"ratio\":%.4f,\"rounds\":%d}\n",
           group, p->row, alg, size, c->len, median(sw, g_rounds), median(ref, g_rounds),
           median(ratio, g_rounds), g_rounds);
    fflush(stdout);
}

static int run_callgrind(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: hmac_compare --callgrind VARIANT sha256|sha1 BYTES CALLS\n");
        return 2;
    }
    variant_fn fn = NULL;
    for (size_t i = 0; i < sizeof VARIANTS / sizeof *VARIANTS; i++)
        if (!strcmp(VARIANTS[i].name, argv[2])) fn = VARIANTS[i].fn;
    if (!fn) {
        fprintf(stderr, "hmac_compare: unknown variant %s\n", argv[2]);
        return 2;
    }
    int alg = !strcmp(argv[3], "sha1") ? SIGNWIRE_HMAC_SHA1 : SIGNWIRE_HMAC_SHA256;
    size_t len = strtoul(argv[4], NULL, 10);
    long calls = strtol(argv[5], NULL, 10);
    struct ctx c;
    if (fn == sw_verify || fn == sw_bare_verify) {
        setup_verify(&c, len);
        refill_blocks(&c, calls + 1);
    } else {
        setup_mac(&c, alg, len);
    }
    fn(&c); /* first call outside the measurement: lazy initialisation is not per-call cost */
    measured_loop(fn, &c, calls);
    return 0;
}

int main(int argc, char **argv) {
    if (signwire_abi_version() != 1) {
        fprintf(stderr, "hmac_compare: built for signwire ABI 1, library has %u\n", signwire_abi_version());
        return 2;
    }
    int s = signwire_scheme_new("hopnow", &g_scheme);
    if (s) die("signwire_scheme_new", s);
    if ((s = signwire_signer_new(g_scheme, "k1", SECRET, SECRET_LEN, &g_signer))) die("signwire_signer_new", s);
    if (argc > 1 && !strcmp(argv[1], "--callgrind")) return run_callgrind(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "--quick")) {
        g_rounds = 5;
        g_block_ns = 4e6;
    }

    printf("{\"group\":\"meta\",\"openssl\":\"%s\",\"signwire\":\"%s\"}\n", OpenSSL_version(OPENSSL_VERSION),
           signwire_version());

    static const struct {
        size_t bytes;
        const char *label;
    } SIZES[] = {{64, "64B"}, {1024, "1KiB"}, {65536, "64KiB"}, {1048576, "1MiB"}};
    static const struct pair PAIRS[] = {
        {"keyed_vs_oneshot", sw_keyed, ossl_oneshot},
        {"keyed_vs_reused", sw_keyed, ossl_reused},
        {"oneshot_vs_oneshot", sw_oneshot, ossl_oneshot},
        {"keyed_vs_oneshot_raw", sw_keyed, ossl_oneshot_raw},
    };
    for (int a = 0; a < 2; a++) {
        int alg = a == 0 ? SIGNWIRE_HMAC_SHA256 : SIGNWIRE_HMAC_SHA1;
        const char *alg_name = a == 0 ? "hmac-sha256" : "hmac-sha1";
        for (size_t i = 0; i < sizeof SIZES / sizeof *SIZES; i++) {
            struct ctx c;
            setup_mac(&c, alg, SIZES[i].bytes);
            cross_check(&c);
            for (size_t p = 0; p < sizeof PAIRS / sizeof *PAIRS; p++)
                compare("c-hmac", alg_name, SIZES[i].label, &c, &PAIRS[p], 0);
            teardown_mac(&c);
        }
    }

    struct ctx v;
    setup_verify(&v, 1024);
    static const struct pair VERIFY = {"verify_vs_bare_hmac", sw_verify, sw_bare_verify};
    compare("c-verify", "hmac-sha256", "1KiB", &v, &VERIFY, 1);
    return 0;
}
