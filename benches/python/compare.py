"""signwire's Python binding vs a pure-Python HopNow signer and verifier, interleaved.

The reference is what the HopNow spec's Python users write: ``time``, ``secrets.token_hex``,
the payload concatenated, ``hmac.new(secret, payload, hashlib.sha256).hexdigest()``; and
for verification ``hmac.compare_digest``, the same timestamp window and a dict of seen
nonces with their expiry. Both sides return the same things (a dict of four headers; the
key id) and both are checked against each other before anything is timed.

Method: R rounds; in each round both sides run a fixed number of calls, in alternating
order; the ratio is the median over rounds of (signwire time / reference time).

Prints one JSON object per line (read by scripts/bench). Run with SIGNWIRE_LIB set and the
binding importable (scripts/bench sets PYTHONPATH=bindings/python/src).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import statistics
import sys
import time

import signwire

SECRET = b"a 32-byte secret for benchmarks!"
URL = "https://api.example.com/v1/payments?merchant=42"
SIZES = [(1024, "1KiB"), (1024 * 1024, "1MiB")]


# ---- the reference: HopNow by hand ----------------------------------------------------


def pure_sign(key_id: str, secret: bytes, method: str, url: str, body: bytes) -> dict:
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    payload = method.encode() + url.encode() + timestamp.encode() + nonce.encode() + body
    signature = hmac.new(secret, payload, hashlib.sha256).hexdigest()
    return {"X-API-Key": key_id, "X-Signature": signature, "X-Timestamp": timestamp, "X-Nonce": nonce}


class PureVerifier:
    """HopNow verification as a careful user writes it: same checks as signwire's."""

    def __init__(self, keys: dict, max_age: int = 300, max_future_skew: int = 60) -> None:
        self.keys = keys
        self.max_age = max_age
        self.max_future_skew = max_future_skew
        self.seen: dict = {}

    def verify(self, method: str, url: str, headers: dict, body: bytes) -> str:
        key_id = headers.get("X-API-Key")
        signature = headers.get("X-Signature")
        timestamp = headers.get("X-Timestamp")
        nonce = headers.get("X-Nonce")
        if not key_id or not signature or not timestamp or not nonce:
            raise ValueError("missing header")
        if not timestamp.isdigit() or len(nonce) != 32 or len(signature) != 64:
            raise ValueError("malformed header")
        secret = self.keys.get(key_id)
        if secret is None:
            raise ValueError("unknown key")
        now = int(time.time())
        ts = int(timestamp)
        if ts < now - self.max_age or ts > now + self.max_future_skew:
            raise ValueError("timestamp out of window")
        payload = method.encode() + url.encode() + timestamp.encode() + nonce.encode() + body
        expected = hmac.new(secret, payload, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise ValueError("bad signature")
        seen_key = (key_id, nonce)
        expiry = self.seen.get(seen_key)
        if expiry is not None and expiry > now:
            raise ValueError("replayed nonce")
        self.seen[seen_key] = now + self.max_age + self.max_future_skew
        return key_id


# ---- timing ----------------------------------------------------------------------------


def timed(fn, calls: int) -> float:
    """CPU seconds per call of ``fn(i)`` for i in range(calls).

    Thread CPU time, not wall time: on a shared machine, time spent waiting for a core is
    not counted.
    """
    t0 = time.thread_time()
    for i in range(calls):
        fn(i)
    return (time.thread_time() - t0) / calls


def calibrate(fn, block_s: float) -> int:
    calls = 1
    while True:
        t = timed(fn, calls) * calls
        if t > block_s / 8 or calls > 1 << 20:
            return max(1, int(calls * block_s / max(t, 1e-9)))
        calls *= 4


def compare(row: str, size: str, nbytes: int, sw, ref, rounds: int, block_s: float, prepare=None) -> None:
    """``sw(i)`` and ``ref(i)``; ``prepare(calls)`` (untimed) runs before each timed block."""
    if prepare:
        # Verification consumes one pre-signed request per call: size blocks from 64 calls.
        def fixed(fn) -> int:
            prepare(64)
            return max(1, min(4096, int(block_s / max(timed(fn, 64), 1e-9))))

        calls_sw, calls_ref = fixed(sw), fixed(ref)
    else:
        calls_sw, calls_ref = calibrate(sw, block_s), calibrate(ref, block_s)
    sw_t, ref_t, ratio = [], [], []
    for r in range(rounds):
        if prepare:
            prepare(max(calls_sw, calls_ref))
        if r % 2 == 0:
            a = timed(sw, calls_sw)
            b = timed(ref, calls_ref)
        else:
            b = timed(ref, calls_ref)
            a = timed(sw, calls_sw)
        sw_t.append(a)
        ref_t.append(b)
        ratio.append(a / b)
    print(
        json.dumps(
            {
                "group": "python",
                "row": row,
                "alg": "hmac-sha256",
                "size": size,
                "bytes": nbytes,
                "signwire_ns": round(statistics.median(sw_t) * 1e9, 1),
                "reference_ns": round(statistics.median(ref_t) * 1e9, 1),
                "ratio": round(statistics.median(ratio), 4),
                "rounds": rounds,
            }
        ),
        flush=True,
    )


def main() -> None:
    quick = "--quick" in sys.argv
    rounds, block_s = (5, 0.01) if quick else (11, 0.05)
    print(json.dumps({"group": "meta", "python": sys.version.split()[0], "signwire": signwire.library_version()}), flush=True)
    signer = signwire.Signer("hopnow", key_id="k1", secret=SECRET)
    for nbytes, label in SIZES:
        body = bytes((i * 131 + 7) & 0xFF for i in range(nbytes))

        # Cross-check: the reference's headers verify with signwire, and the other way round.
        ref_headers = pure_sign("k1", SECRET, "POST", URL, body)
        sw_headers = signer.sign("POST", URL, body=body)
        assert signwire.Verifier("hopnow", keys={"k1": SECRET}).verify("POST", URL, ref_headers, body=body) == "k1"
        assert PureVerifier({"k1": SECRET}).verify("POST", URL, sw_headers, body) == "k1"
        assert list(sw_headers) == list(ref_headers)

        compare(
            "sign",
            label,
            nbytes,
            lambda i: signer.sign("POST", URL, body=body),
            lambda i: pure_sign("k1", SECRET, "POST", URL, body),
            rounds,
            block_s,
        )

        verifier = signwire.Verifier("hopnow", keys={"k1": SECRET})
        pure = PureVerifier({"k1": SECRET})
        supply: dict = {}

        def prepare(n: int) -> None:
            # Fresh nonces for every call on both sides, signed outside the timed block.
            supply["sw"] = [signer.sign("POST", URL, body=body) for _ in range(n)]
            supply["ref"] = [signer.sign("POST", URL, body=body) for _ in range(n)]

        compare(
            "verify",
            label,
            nbytes,
            lambda i: verifier.verify("POST", URL, supply["sw"][i], body=body),
            lambda i: pure.verify("POST", URL, supply["ref"][i], body),
            rounds,
            block_s,
            prepare,
        )


if __name__ == "__main__":
    main()
