#!/usr/bin/env bash
# Replay protection and IP policy: Redis store tests against real redis-servers (the Rust
# tests start their own), then the CLI against a redis-server started here, SQLite files
# (shared, locked, read-only) and the IP policy cross-checked with Python's ipaddress.
# The memory-store RSS benchmark runs last and fails above 100 MB for 1,000,000 nonces.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
command -v redis-server >/dev/null || { echo "redis-server missing (scripts/deps/apt-replay.txt)"; exit 1; }

command -v redis-sentinel >/dev/null || { echo "redis-sentinel missing (scripts/deps/apt-replay.txt)"; exit 1; }

# Every ignored test of the file (no name filter that a renamed test could slip out of);
# race_worker_process is the child side of the race test, not a test of its own.
echo "-- Rust: Redis store (race, outage, timeouts, ACL, eviction, TLS, fork, Sentinel, Cluster)"
cargo test --release --quiet --test replay_redis -- --ignored --skip race_worker_process 2>&1

# The load-and-fault harness, short: two verifier processes per topology, one kill each
# (scripts/redis-faults runs the long version that docs/REDIS.md reports). Fails on any
# replay accepted, request accepted twice, unexpected status, unrefused fault or no recovery.
echo "-- Redis load-and-fault run (short): single, TLS, Sentinel, Cluster"
cargo build --release --quiet --example redis_faults
target/release/examples/redis_faults --workers 2 --requests 40000 --rate 200 --faults 1 --bench-seconds 1 single tls sentinel cluster

work=$(mktemp -d)
redis_pid=""
stop_redis() {
    if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; redis_pid=""; fi
}
trap 'stop_redis; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_redis() {
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 100); do
        [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.05
    done
    echo "redis-server did not start"; cat "$work/redis.log"; exit 1
}

checks=tests/replay/cli_checks.py
echo "-- CLI: Redis on port $port"
start_redis
python3 $checks redis-up "$port"
stop_redis
python3 $checks redis-down "$port"
start_redis
python3 $checks redis-back "$port"
stop_redis

echo "-- CLI: SQLite (shared, locked, read-only)"
chmod 755 "$work"
python3 $checks sqlite "$work"

echo "-- CLI: IP allowlist and X-Forwarded-For"
python3 $checks policy

echo "-- benchmark: memory store with 1,000,000 live nonces"
cargo bench --quiet --bench nonce_memory 2>&1
