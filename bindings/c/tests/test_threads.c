/* One verifier handle shared by 8 threads: the results must equal a single-threaded run.
 *
 *   SIGNWIRE_THREAD_TEST_PER_THREAD=N test_threads      (default 50000)
 *
 * The main thread signs THREADS x N requests, each with its own random nonce; every 97th is
 * sent with a tampered body. Each thread then verifies its own share and, interleaved, the
 * share of the next thread: every request is submitted twice, by two threads that race for
 * it. Exactly one submission of each genuine request may succeed, the other must be
 * NONCE_REPLAYED; tampered ones fail twice as BAD_SIGNATURE without spending their nonce.
 * The same submissions run again single-threaded on a second verifier, and the status
 * counts must be identical. Also: the last error message is per thread.
 * Ends with "N passed, M failed".
 */
#include <signwire.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS 8
#define STATUS_SLOTS 32
#define TAMPER_EVERY 97

static int passed, failed;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond)                                                                    \
            passed++;                                                                \
        else {                                                                       \
            failed++;                                                                \
            fprintf(stderr, "FAIL line %d: %s\n", __LINE__, #cond);                  \
        }                                                                            \
    } while (0)

static const char KEY_ID[] = "thread-client";
static const char SECRET[] = "thread-test-secret-93ab1";
static const char URL[] = "https://api.example.com/v1/orders?page=2";
static const char BODY[] = "{\"order\":42,\"items\":[1,2,3]}";
static const char TAMPERED[] = "{\"order\":43,\"items\":[1,2,3]}";

static size_t per_thread;
static char **blocks;          /* header block of request i */
static int64_t now_at_verify;  /* one clock for every verification */

struct outcome {
    long counts[STATUS_SLOTS];  /* by status code */
    long other;                 /* status codes beyond STATUS_SLOTS */
};

/* 0 or 1 successes per request, counted across threads. */
static int *successes;
static pthread_mutex_t successes_lock = PTHREAD_MUTEX_INITIALIZER;

static signwire_status submit(const signwire_verifier *v, size_t i, struct outcome *o) {
    const char *body = i % TAMPER_EVERY == 0 ? TAMPERED : BODY;
    char kid[SIGNWIRE_KEY_ID_MAX];
    size_t w = 0;
    signwire_status st = signwire_verifier_verify_at(v, "POST", URL, body, strlen(body), blocks[i], NULL,
                                                     now_at_verify, kid, sizeof kid, &w);
    if ((int)st >= 0 && (int)st < STATUS_SLOTS)
        o->counts[st]++;
    else
        o->other++;
    if (st == SIGNWIRE_OK && strcmp(kid, KEY_ID) != 0)
        o->other++;
    return st;
}

struct job {
    const signwire_verifier *v;
    size_t thread;
    struct outcome out;
};

static void *worker(void *arg) {
    struct job *j = arg;
    size_t own = j->thread * per_thread, next = ((j->thread + 1) % THREADS) * per_thread;
    for (size_t k = 0; k < per_thread; k++) {
        size_t ids[2] = {own + k, next + k};
        for (int r = 0; r < 2; r++)
            if (submit(j->v, ids[r], &j->out) == SIGNWIRE_OK) {
                pthread_mutex_lock(&successes_lock);
                successes[ids[r]]++;
                pthread_mutex_unlock(&successes_lock);
            }
    }
    return NULL;
}

static signwire_verifier *make_verifier(void) {
    signwire_scheme *s = NULL;
    signwire_verifier *v = NULL;
    CHECK(signwire_scheme_new("hopnow", &s) == SIGNWIRE_OK);
    CHECK(signwire_verifier_new(s, &v) == SIGNWIRE_OK);
    CHECK(signwire_verifier_add_secret(v, KEY_ID, SECRET, strlen(SECRET)) == SIGNWIRE_OK);
    signwire_scheme_free(s);
    return v;
}

/* The thread-local error message: a failure on another thread does not change ours. */
static void *fail_once(void *arg) {
    (void)arg;
    signwire_verifier_new(NULL, NULL);
    return strstr(signwire_last_error_message(), "NULL") ? (void *)1 : NULL;
}

static void test_error_message_is_per_thread(void) {
    signwire_scheme *s = NULL;
    CHECK(signwire_scheme_new("no-such-preset", &s) == SIGNWIRE_ERR_INVALID_ARGUMENT);
    const char *mine = signwire_last_error_message();
    char *before = malloc(strlen(mine) + 1);
    strcpy(before, mine);
    pthread_t t;
    void *ret = NULL;
    CHECK(pthread_create(&t, NULL, fail_once, NULL) == 0);
    CHECK(pthread_join(t, &ret) == 0);
    CHECK(ret == (void *)1);
    CHECK(strcmp(signwire_last_error_message(), before) == 0 && before[0] != '\0');
    free(before);
}

int main(void) {
    const char *env = getenv("SIGNWIRE_THREAD_TEST_PER_THREAD");
    per_thread = env ? strtoul(env, NULL, 10) : 50000;
    if (per_thread == 0)
        per_thread = 1;
    size_t total = per_thread * THREADS;
    test_error_message_is_per_thread();

    /* Sign everything up front, on this thread, with fresh random nonces. */
    signwire_scheme *s = NULL;
    signwire_signer *g = NULL;
    CHECK(signwire_scheme_new("hopnow", &s) == SIGNWIRE_OK);
    CHECK(signwire_signer_new(s, KEY_ID, SECRET, strlen(SECRET), &g) == SIGNWIRE_OK);
    signwire_scheme_free(s);
    blocks = calloc(total, sizeof *blocks);
    successes = calloc(total, sizeof *successes);
    long sign_failures = 0;
    for (size_t i = 0; i < total; i++) {
        char buf[SIGNWIRE_SIGNED_HEADERS_MAX];
        size_t w = 0;
        if (signwire_signer_sign(g, "POST", URL, BODY, strlen(BODY), NULL, buf, sizeof buf, &w) != SIGNWIRE_OK) {
            sign_failures++;
            buf[0] = '\0';
            w = 0;
        }
        blocks[i] = malloc(w + 1);
        memcpy(blocks[i], buf, w + 1);
    }
    signwire_signer_free(g);
    CHECK(sign_failures == 0);
    now_at_verify = (int64_t)time(NULL);

    long tampered = 0;
    for (size_t i = 0; i < total; i++)
        tampered += i % TAMPER_EVERY == 0;
    long genuine = (long)total - tampered;

    /* Eight threads, one handle. */
    signwire_verifier *shared = make_verifier();
    struct job jobs[THREADS];
    pthread_t threads[THREADS];
    memset(jobs, 0, sizeof jobs);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t t = 0; t < THREADS; t++) {
        jobs[t].v = shared;
        jobs[t].thread = t;
        CHECK(pthread_create(&threads[t], NULL, worker, &jobs[t]) == 0);
    }
    struct outcome mt;
    memset(&mt, 0, sizeof mt);
    for (size_t t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        for (int c = 0; c < STATUS_SLOTS; c++)
            mt.counts[c] += jobs[t].out.counts[c];
        mt.other += jobs[t].out.other;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    signwire_verifier_free(shared);

    /* The same submissions in the same order per request, on one thread. */
    signwire_verifier *single = make_verifier();
    struct outcome st;
    memset(&st, 0, sizeof st);
    for (size_t t = 0; t < THREADS; t++) {
        size_t own = t * per_thread, next = ((t + 1) % THREADS) * per_thread;
        for (size_t k = 0; k < per_thread; k++) {
            submit(single, own + k, &st);
            submit(single, next + k, &st);
        }
    }
    signwire_verifier_free(single);

    CHECK(memcmp(mt.counts, st.counts, sizeof mt.counts) == 0);
    CHECK(mt.other == 0 && st.other == 0);
    CHECK(mt.counts[SIGNWIRE_OK] == genuine);
    CHECK(mt.counts[SIGNWIRE_ERR_NONCE_REPLAYED] == genuine);
    CHECK(mt.counts[SIGNWIRE_ERR_BAD_SIGNATURE] == 2 * tampered);
    CHECK(mt.counts[SIGNWIRE_OK] + mt.counts[SIGNWIRE_ERR_NONCE_REPLAYED] + mt.counts[SIGNWIRE_ERR_BAD_SIGNATURE] ==
          2 * (long)total);
    long exactly_once = 0, never = 0;
    for (size_t i = 0; i < total; i++) {
        if (i % TAMPER_EVERY == 0)
            never += successes[i] == 0;
        else
            exactly_once += successes[i] == 1;
    }
    CHECK(exactly_once == genuine);
    CHECK(never == tampered);

    fprintf(stderr, "%d threads x %zu requests x 2 submissions: %ld ok, %ld replayed, %ld bad signature "
                    "(single-threaded: %ld, %ld, %ld); %.0f verifications/s on %d threads\n",
            THREADS, per_thread, mt.counts[SIGNWIRE_OK], mt.counts[SIGNWIRE_ERR_NONCE_REPLAYED],
            mt.counts[SIGNWIRE_ERR_BAD_SIGNATURE], st.counts[SIGNWIRE_OK], st.counts[SIGNWIRE_ERR_NONCE_REPLAYED],
            st.counts[SIGNWIRE_ERR_BAD_SIGNATURE], 2.0 * (double)total / secs, THREADS);
    for (size_t i = 0; i < total; i++)
        free(blocks[i]);
    free(blocks);
    free(successes);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
