"""200,000 sign+verify cycles in one process keep RSS flat: nothing leaks across the FFI.

Verifiers are replaced every 10,000 cycles: a verifier's in-memory nonce store legitimately
grows with every accepted nonce (for max_age + skew), and freeing it is part of what is
checked. Errors (the exception path, last-error messages) are exercised too.
"""

from __future__ import annotations

import gc

from conftest import Rss

import signwire

URL = "https://api.example.com/v1/items?page=2"
SECRET = b"memory-test-secret"
CYCLES = 200_000
GENERATION = 10_000
# A leak of one small allocation (>= 24 bytes) per cycle would add more than this.
MAX_GROWTH_KIB = 4 * 1024


def run(cycles, start):
    body = b'{"item":"' + b"z" * 200 + b'"}'
    ok = failed = 0
    signer = None
    verifier = None
    for i in range(start, start + cycles):
        if i % GENERATION == 0:
            if verifier is not None:
                verifier.close()
                signer.close()
            signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
            verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
        ts = 1_800_000_000 + i // 100
        headers = signer.sign("POST", URL, body, timestamp=ts)
        if i % 10 == 0:
            try:
                verifier.verify("POST", URL, headers, body + b"!", now=ts)
            except signwire.BadSignature:
                failed += 1
        assert verifier.verify("POST", URL, headers, body, now=ts) == "k1"
        ok += 1
    verifier.close()
    signer.close()
    return ok, failed


def test_rss_is_flat_over_200k_cycles():
    run(2 * GENERATION, 0)  # warm up: allocator arenas, caches, a few generations
    gc.collect()
    before = Rss.kib()
    ok, failed = run(CYCLES, 2 * GENERATION)
    gc.collect()
    after = Rss.kib()
    assert ok == CYCLES and failed == CYCLES // 10
    growth = after - before
    print(f"RSS before {before} KiB, after {after} KiB, growth {growth} KiB over {CYCLES} cycles")
    assert growth < MAX_GROWTH_KIB, f"RSS grew {growth} KiB over {CYCLES} sign+verify cycles"
