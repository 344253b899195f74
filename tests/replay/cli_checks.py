"""CLI checks for replay protection and IP policy (suite 40-replay).

Signatures come from Python's hmac (independent of signwire); expected IP decisions from
Python's ipaddress module and a separate implementation of the forwarded-for rule below.
Usage: cli_checks.py MODE [ARGS]; modes are run by tests/suites/40-replay.sh in order.
"""
import hashlib, hmac, ipaddress, os, random, secrets, sqlite3, subprocess, sys, time

KEY_ID, SECRET = "cli-client", "cli secret of a decent length!!"
URL, BODY = "https://api.example.test/v1/orders?x=1", '{"amount":100}'
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def signed(ts=None, nonce=None):
    """HopNow headers: hex HMAC-SHA256 of METHOD+URL+TIMESTAMP+NONCE+BODY."""
    ts = str(ts or int(time.time()))
    nonce = nonce or secrets.token_hex(16)
    sig = hmac.new(SECRET.encode(), ("POST" + URL + ts + nonce + BODY).encode(), hashlib.sha256).hexdigest()
    return [f"X-API-Key: {KEY_ID}", f"X-Signature: {sig}", f"X-Timestamp: {ts}", f"X-Nonce: {nonce}"]


def verify(headers, *extra, user=None):
    cmd = ["signwire", "verify", "--scheme", "hopnow", "--key-id", KEY_ID, "--secret-env", "SW_SECRET",
           "--method", "POST", "--url", URL, "--body-file", "-"]
    for h in headers:
        cmd += ["--header", h]
    cmd += list(extra)
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--"] + cmd
    p = subprocess.run(cmd, input=BODY.encode(), capture_output=True, env=dict(os.environ, SW_SECRET=SECRET))
    return p.returncode, p.stdout.decode().strip(), p.stderr.decode().strip()


def expect(result, code, out, what):
    rc, stdout, stderr = result
    check(rc == code and stdout == out, f"{what}: want ({code}, {out!r}), got ({rc}, {stdout!r}) {stderr}")


def shared_store(url, name):
    """Two CLI processes, one store: the second sees the first's nonce."""
    h = signed()
    expect(verify(h, "--nonce-store", url), 0, f"ok {KEY_ID}", f"{name}: first use")
    expect(verify(h, "--nonce-store", url), 1, "SIGNWIRE_ERR_NONCE_REPLAYED", f"{name}: replay from another process")
    # A forged request with a fresh nonce is refused and does not burn that nonce.
    good = signed()
    forged = [x if not x.startswith("X-Signature") else "X-Signature: " + "0" * 64 for x in good]
    expect(verify(forged, "--nonce-store", url), 1, "SIGNWIRE_ERR_BAD_SIGNATURE", f"{name}: forged")
    expect(verify(good, "--nonce-store", url), 0, f"ok {KEY_ID}", f"{name}: nonce not burnt by the forgery")
    return h


def mode_redis_up(port):
    shared_store(f"redis://127.0.0.1:{port}/0", "redis")
    expect(verify(signed(), "--nonce-store", f"redis://127.0.0.1:{port}/0?bogus=1"), 2, "SIGNWIRE_ERR_INVALID_ARGUMENT", "redis: bad URL option")


def mode_redis_down(port):
    for _ in range(3):
        expect(verify(signed(), "--nonce-store", f"redis://127.0.0.1:{port}/0?connect_timeout_ms=300"),
               1, "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE", "redis stopped: fail closed")


def mode_redis_back(port):
    shared_store(f"redis://127.0.0.1:{port}/0", "redis after restart")


def mode_sqlite(workdir):
    db = os.path.join(workdir, "nonces.db")
    url = f"sqlite://{db}?busy_timeout_ms=200"
    shared_store(url, "sqlite")
    # Independent look into the file: one row per accepted nonce, WAL mode.
    con = sqlite3.connect(db)
    check(con.execute("PRAGMA journal_mode").fetchone()[0] == "wal", "sqlite: WAL mode")
    check(con.execute("SELECT count(*) FROM signwire_nonces").fetchone()[0] == 2, "sqlite: two accepted nonces recorded")
    # Locked by another process (Python's sqlite3 holding an exclusive transaction).
    con.isolation_level = None
    con.execute("BEGIN EXCLUSIVE")
    h = signed()
    expect(verify(h, "--nonce-store", url), 1, "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE", "sqlite locked: fail closed")
    con.execute("ROLLBACK")
    expect(verify(h, "--nonce-store", url), 0, f"ok {KEY_ID}", "sqlite unlocked: the refused request was not recorded")
    con.close()
    # Read-only: the file and its directory belong to root, the verifier runs as nobody.
    # (Root ignores file modes, so a chmod alone would test nothing when run as root.)
    ro_dir = os.path.join(workdir, "ro")
    os.makedirs(ro_dir)
    ro_db = os.path.join(ro_dir, "nonces.db")
    expect(verify(signed(), "--nonce-store", f"sqlite://{ro_db}"), 0, f"ok {KEY_ID}", "sqlite ro: created writable")
    os.chmod(ro_db, 0o444)
    os.chmod(ro_dir, 0o555)
    before = sqlite3.connect(ro_db).execute("SELECT count(*) FROM signwire_nonces").fetchone()[0]
    user = "65534" if os.geteuid() == 0 else None
    for _ in range(2):
        expect(verify(signed(), "--nonce-store", f"sqlite://{ro_db}", user=user), 1,
               "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE", "sqlite read-only: fail closed")
    after = sqlite3.connect(ro_db).execute("SELECT count(*) FROM signwire_nonces").fetchone()[0]
    check(before == after == 1, f"sqlite read-only: nothing recorded ({before} -> {after})")
    os.chmod(ro_dir, 0o755)
    # A directory that does not exist.
    expect(verify(signed(), "--nonce-store", f"sqlite://{workdir}/missing/n.db"), 1,
           "SIGNWIRE_ERR_NONCE_STORE_UNAVAILABLE", "sqlite missing directory")
    expect(verify(signed(), "--nonce-store", "sqlite://relative.db"), 2, "SIGNWIRE_ERR_INVALID_ARGUMENT", "sqlite relative path")


def norm(ip):
    ip = ipaddress.ip_address(ip)
    return ip.ipv4_mapped if ip.version == 6 and ip.ipv4_mapped else ip


def member(cidr, ip):
    """Membership per ipaddress, IPv4 taken as IPv4-mapped IPv6 for IPv6 ranges."""
    net = ipaddress.ip_network(cidr, strict=True)
    ip = norm(ip)
    if net.version == 6 and net.subnet_of(ipaddress.ip_network("::ffff:0:0/96")):
        net = ipaddress.ip_network(f"{net.network_address.ipv4_mapped}/{net.prefixlen - 96}")
    if net.version == ip.version:
        return ip in net
    if net.version == 6 and ip.version == 4:
        return ipaddress.ip_address(f"::ffff:{ip}") in net
    return False


def client_for(peer, xff, proxies):
    """The forwarded-for rule, written again from its statement: rightmost untrusted wins."""
    def trusted(a):
        return any(member(p, a) for p in proxies)
    client = norm(peer)
    if not trusted(client):
        return client
    for hop in reversed([h.strip() for h in xff.split(",")] if xff is not None else []):
        client = norm(hop.strip("[]").rsplit("]:", 1)[0] if hop.startswith("[") else hop)
        if not trusted(client):
            break
    return client


def mode_policy():
    rng = random.Random(7)
    v4 = ["10.0.0.0/8", "192.168.16.0/20", "203.0.113.7", "0.0.0.0/0", "100.64.0.0/10", "172.16.0.0/12"]
    v6 = ["2001:db8::/32", "2001:db8:abcd:12::/64", "fe80::/10", "::/0", "::ffff:198.51.100.0/120", "::1/128"]
    addrs = ["10.1.2.3", "11.0.0.1", "192.168.31.255", "192.168.32.0", "203.0.113.7", "203.0.113.8", "100.127.255.255",
             "100.128.0.0", "172.31.0.1", "::ffff:10.9.9.9", "::ffff:198.51.100.77", "198.51.100.77", "2001:db8::1",
             "2001:db9::1", "2001:db8:abcd:12::99", "2001:db8:abcd:13::1", "fe80::1", "fec0::1", "::1", "::2",
             "::10.1.2.3"]
    h = signed()
    cases = 0
    for _ in range(60):
        allow = rng.sample(v4 + v6, rng.randint(1, 3))
        addr = rng.choice(addrs)
        want = any(member(c, addr) for c in allow)
        args = sum((["--allow-ip", c] for c in allow), []) + ["--remote-addr", addr]
        expect(verify(h, *args), 0 if want else 1, f"ok {KEY_ID}" if want else "SIGNWIRE_ERR_IP_NOT_ALLOWED",
               f"allow {allow} remote {addr}")
        cases += 1
    # Forwarded-for: (peer, X-Forwarded-For or None); proxies and allowlist fixed.
    proxies, allow = ["10.0.0.0/8", "fd00::/8"], ["203.0.113.0/24", "2001:db8::/32"]
    rows = [("10.0.0.1", "203.0.113.5"), ("10.0.0.1", "198.51.100.1"), ("10.0.0.1", "203.0.113.5, 10.2.2.2"),
            ("10.0.0.1", "198.51.100.1, 203.0.113.5"), ("10.0.0.1", "203.0.113.5, 198.51.100.1"),
            ("198.51.100.1", "203.0.113.5"), ("fd00::1", "2001:db8::5"), ("::ffff:10.0.0.1", "::ffff:203.0.113.9"),
            ("fd00::1", "[2001:db8::5]:443, fd00::2"), ("10.0.0.1", None), ("203.0.113.5", None)]
    for peer, xff in rows:
        want = any(member(c, client_for(peer, xff, proxies)) for c in allow)
        extra = sum((["--allow-ip", c] for c in allow), []) + sum((["--trusted-proxy", p] for p in proxies), [])
        hh = h + ([f"X-Forwarded-For: {xff}"] if xff is not None else [])
        expect(verify(hh, *extra, "--remote-addr", peer), 0 if want else 1,
               f"ok {KEY_ID}" if want else "SIGNWIRE_ERR_IP_NOT_ALLOWED", f"peer {peer} xff {xff}")
        cases += 1
    # Without --trusted-proxy the header is ignored: the peer decides.
    expect(verify(h + ["X-Forwarded-For: 203.0.113.5"], "--allow-ip", "203.0.113.0/24", "--remote-addr", "10.0.0.1"),
           1, "SIGNWIRE_ERR_IP_NOT_ALLOWED", "forwarded-for off by default")
    expect(verify(h, "--allow-ip", "203.0.113.0/24"), 1, "SIGNWIRE_ERR_IP_NOT_ALLOWED", "no remote address: fail closed")
    expect(verify(h, "--allow-ip", "10.0.0.1/8", "--remote-addr", "10.0.0.1"), 2, "", "host bits set is a usage error")
    print(f"policy: {cases} cases cross-checked against Python ipaddress")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    globals()["mode_" + mode.replace("-", "_")](*args)
    if failures:
        print(f"{mode}: {failures} failed")
        sys.exit(1)
    print(f"{mode}: ok")
