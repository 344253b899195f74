#!/usr/bin/env python3
"""Does a long call into libsignwire let other Python threads run? (scripts/bench)

A timing property, so a benchmark and not a test: a ticker thread counts how often it runs
while one HMAC over a large buffer is inside the library. With the GIL held for the call,
the ticker could only start after it returned. Prints one line: the call's duration, when the
ticker first ran (as a fraction of the call) and how many ticks happened during it. The
tests check what does not depend on timing: the library is loaded with ctypes.CDLL, which
releases the GIL for every call (bindings/python/tests/test_threads.py).
"""
import hashlib
import hmac
import json
import sys
import threading
import time

import signwire


def main() -> int:
    size = (32 if "--quick" in sys.argv else 192) * 1024 * 1024
    big = b"x" * size
    ticks = []
    stop, started = threading.Event(), threading.Event()

    def ticker():
        started.wait()
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    t0 = time.monotonic()
    started.set()
    tag = signwire.hmac_sign("sha256", b"k", big)
    t1 = time.monotonic()
    stop.set()
    t.join()
    assert tag == hmac.new(b"k", big, hashlib.sha256).hexdigest()
    during = [x for x in ticks if x < t1]
    first = (during[0] - t0) / (t1 - t0) if during else None
    print(json.dumps({"bench": "python_gil_release", "bytes": size, "call_s": round(t1 - t0, 4),
                      "first_tick_fraction": None if first is None else round(first, 3), "ticks_during_call": len(during)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
