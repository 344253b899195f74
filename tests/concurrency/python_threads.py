"""One Verifier shared by 8 Python threads, 50,000 verifications each, through the ctypes
binding (which releases the GIL in every call, so the threads really are inside the library
at once). The results must be identical to a single-threaded run of the same submissions.

Like bindings/c/tests/test_threads.c: the main thread signs THREADS * PER_THREAD / 2
requests, each with its own nonce; every 97th is submitted with a tampered body. Thread t
verifies its own share and, interleaved, the share of thread t+1, so every request is
submitted twice, by two threads racing for it: exactly one submission of a genuine request
may pass (the other is NonceReplayed), a tampered one fails twice with BadSignature.

    SIGNWIRE_LIB=target/release/libsignwire.so PYTHONPATH=bindings/python/src \
        python3 tests/concurrency/python_threads.py [per_thread]
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time

import signwire

THREADS = 8
PER_THREAD = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("SIGNWIRE_THREAD_TEST_PER_THREAD", "50000"))
TAMPER_EVERY = 97
URL = "https://api.example.com/v1/orders?page=2"
BODY = b'{"order":42,"items":[1,2,3]}'
TAMPERED = b'{"order":43,"items":[1,2,3]}'
KEY_ID, SECRET = "thread-client", b"python-thread-secret-5e1"
NOW = 1_800_000_000


def outcome(verifier, i, headers):
    body = TAMPERED if i % TAMPER_EVERY == 0 else BODY
    try:
        got = verifier.verify("POST", URL, headers, body, now=NOW)
        return "ok" if got == KEY_ID else f"wrong key id {got!r}"
    except signwire.SignwireError as e:
        return type(e).__name__


def main() -> int:
    assert PER_THREAD % 2 == 0
    share = PER_THREAD // 2  # each thread owns `share` requests and submits 2 * share
    total = THREADS * share
    signer = signwire.Signer("hopnow", key_id=KEY_ID, secret=SECRET)
    t0 = time.monotonic()
    requests = [signer.sign("POST", URL, BODY, timestamp=NOW - (i % 60)) for i in range(total)]
    assert len({h["X-Nonce"] for h in requests}) == total, "nonces must be unique"
    t1 = time.monotonic()

    def order(t):
        """Thread t's submissions: its own share and the next thread's, interleaved."""
        mine = range(t * share, (t + 1) * share)
        nxt = (t + 1) % THREADS
        theirs = range(nxt * share, (nxt + 1) * share)
        for a, b in zip(mine, theirs):
            yield a
            yield b

    shared = signwire.Verifier("hopnow", keys={KEY_ID: SECRET})
    results = [None] * THREADS
    start = threading.Barrier(THREADS)

    def work(t):
        start.wait()
        results[t] = [(i, outcome(shared, i, requests[i])) for i in order(t)]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t2 = time.monotonic()

    per_request = collections.defaultdict(list)
    for r in results:
        for i, status in r:
            per_request[i].append(status)

    failures = []
    for i in range(total):
        got = sorted(per_request[i])
        want = ["BadSignature", "BadSignature"] if i % TAMPER_EVERY == 0 else ["NonceReplayed", "ok"]
        if got != want:
            failures.append((i, got))

    # The same submissions on one thread, thread after thread, on a fresh verifier.
    single = signwire.Verifier("hopnow", keys={KEY_ID: SECRET})
    sequential = collections.Counter(outcome(single, i, requests[i]) for t in range(THREADS) for i in order(t))
    t3 = time.monotonic()
    concurrent = collections.Counter(s for r in results for _, s in r)

    print(f"signed {total} requests in {t1 - t0:.1f} s; {THREADS} threads x {PER_THREAD} verifications in "
          f"{t2 - t1:.1f} s; single-threaded rerun {t3 - t2:.1f} s")
    print(f"concurrent: {dict(concurrent)}")
    print(f"sequential: {dict(sequential)}")
    checks = [
        ("every submission answered", sum(concurrent.values()) == THREADS * PER_THREAD),
        ("each genuine request passed exactly once, tampered ones never", not failures),
        ("identical to the single-threaded run", concurrent == sequential),
    ]
    passed = sum(ok for _, ok in checks)
    for name, ok in checks:
        if not ok:
            print(f"FAIL: {name}" + (f" (first: {failures[:5]})" if failures else ""), file=sys.stderr)
    print(f"{passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
