#!/usr/bin/env python3
"""Interop both ways between signwire (driven through its CLI) and two independent JOSE
implementations installed from PyPI, jwcrypto and joserfc, for dir+A256GCM and
RSA-OAEP-256+A256GCM: signwire seals -> the library opens; the library seals -> signwire
opens. Also sealed query parameters, and tokens the libraries make that signwire must
refuse. Keys are fresh: RSA from `openssl genpkey`, AES from the OS generator.
Ends with 'N passed, N failed'."""
import base64, json, os, re, secrets, subprocess, sys, tempfile, traceback

from jwcrypto import jwe as jw_jwe, jwk as jw_jwk
from jwcrypto.common import json_encode
from joserfc import jwe as jf_jwe
from joserfc.jwk import OctKey, RSAKey

SIGNWIRE = os.environ.get("SIGNWIRE_CLI", "signwire")
tmp = tempfile.mkdtemp(prefix="signwire-seal-")
passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   {name}")
    except Exception:
        failed += 1
        print(f"FAIL {name}")
        traceback.print_exc()


def path(name):
    return os.path.join(tmp, name)


def sh(*cmd, stdin=b"", env=None, expect=0):
    r = subprocess.run(cmd, input=stdin, capture_output=True, env=env)
    if r.returncode != expect:
        raise AssertionError(f"{cmd[:3]} exited {r.returncode}, wanted {expect}: {r.stderr.decode()!r} {r.stdout[:200]!r}")
    return r.stdout


# Keys: a fresh 2048-bit RSA key in PKCS#8 and its PKCS#1 form, a 1024-bit one, an AES key.
sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("rsa.pem"))
sh("openssl", "pkey", "-in", path("rsa.pem"), "-pubout", "-out", path("rsa-pub.pem"))
sh("openssl", "pkey", "-in", path("rsa.pem"), "-traditional", "-out", path("rsa-pkcs1.pem"))
sh("openssl", "pkey", "-in", path("rsa.pem"), "-pubout", "-outform", "DER", "-out", path("rsa-pub.der"))
sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", path("weak.pem"))
sh("openssl", "pkey", "-in", path("weak.pem"), "-pubout", "-out", path("weak-pub.pem"))
aes = secrets.token_bytes(32)
with open(path("aes.hex"), "w") as f:
    f.write(aes.hex() + "\n")
aes_b64 = base64.urlsafe_b64encode(aes).rstrip(b"=").decode()
env_b64 = dict(os.environ, SEAL_AES=aes_b64)
env_rsa = dict(os.environ, SEAL_RSA=open(path("rsa-pkcs1.pem")).read())

SEAL_KEY = {"dir": ["--aes-key-file", path("aes.hex")], "RSA-OAEP-256": ["--rsa-key-file", path("rsa-pub.pem")]}
OPEN_KEY = {"dir": ["--aes-key-file", path("aes.hex")], "RSA-OAEP-256": ["--rsa-key-file", path("rsa.pem")]}
KID = {"dir": "aes-2026", "RSA-OAEP-256": "rsa-2026"}
# joserfc refuses an encoded ciphertext over 64 KiB by default, so the large body stays under it.
BODIES = [b"", b'{"card":"4111111111111111","cvv":"123","fiscal_id":"7701234567"}', secrets.token_bytes(40_000)]


def sw_seal(alg, body):
    return sh(SIGNWIRE, "seal", "--kid", KID[alg], *SEAL_KEY[alg], "--body-file", "-", stdin=body).decode()


def sw_open(alg, token, expect=0):
    return sh(SIGNWIRE, "open", "--kid", KID[alg], *OPEN_KEY[alg], stdin=token.encode(), expect=expect)


def refused(*cmd, stdin=b"", expect=1):
    """A command that must fail: stdout stays empty (it is the plaintext or token file), and
    stderr's 'signwire: STATUS: message' names the status, which is returned."""
    r = subprocess.run(cmd, input=stdin, capture_output=True)
    assert r.returncode == expect and r.stdout == b"", (r.returncode, r.stdout[:200], r.stderr)
    m = re.match(rb"signwire: (SIGNWIRE_[A-Z0-9_]+): ", r.stderr)
    assert m, r.stderr
    return m.group(1), r.stderr


def sw_refused(alg, token):
    return refused(SIGNWIRE, "open", "--kid", KID[alg], *OPEN_KEY[alg], stdin=token.encode())


# jwcrypto
jw_aes = jw_jwk.JWK(kty="oct", k=jw_jwk.base64url_encode(aes))
jw_rsa = jw_jwk.JWK.from_pem(open(path("rsa.pem"), "rb").read())
jw_rsa_pub = jw_jwk.JWK.from_pem(open(path("rsa-pub.pem"), "rb").read())


def jw_open(alg, token):
    t = jw_jwe.JWE()
    t.deserialize(token, key=jw_aes if alg == "dir" else jw_rsa)
    return t.payload, json.loads(t.objects["protected"])


def jw_seal(alg, body, **extra):
    t = jw_jwe.JWE(body, protected=json_encode({"alg": alg, "enc": "A256GCM", "kid": KID[alg], **extra}))
    t.add_recipient(jw_aes if alg == "dir" else jw_rsa_pub)
    return t.serialize(compact=True)


# joserfc
jf_aes = OctKey.import_key(aes)
jf_rsa = RSAKey.import_key(open(path("rsa.pem"), "rb").read())
jf_rsa_pub = RSAKey.import_key(open(path("rsa-pub.pem"), "rb").read())


def jf_open(alg, token):
    o = jf_jwe.decrypt_compact(token, jf_aes if alg == "dir" else jf_rsa, algorithms=[alg, "A256GCM"])
    return o.plaintext, o.protected


def jf_seal(alg, body, enc="A256GCM"):
    return jf_jwe.encrypt_compact({"alg": alg, "enc": enc, "kid": KID[alg]}, body,
                                  jf_aes if alg == "dir" else jf_rsa_pub, algorithms=[alg, enc])


LIBS = {"jwcrypto": (jw_seal, jw_open), "joserfc": (jf_seal, jf_open)}

for lib, (lib_seal, lib_open) in LIBS.items():
    for alg in ("dir", "RSA-OAEP-256"):
        def signwire_to_lib(alg=alg, lib_open=lib_open):
            for body in BODIES:
                if not body and lib_open is jw_open:
                    continue  # jwcrypto 1.6 reports an empty plaintext as a failed decryption
                token = sw_seal(alg, body)
                plain, header = lib_open(alg, token)
                assert plain == body, (len(plain), len(body))
                assert header == {"alg": alg, "enc": "A256GCM", "kid": KID[alg]}, header

        def lib_to_signwire(alg=alg, lib_seal=lib_seal):
            for body in BODIES:
                assert sw_open(alg, lib_seal(alg, body)) == body

        check(f"signwire seals, {lib} opens ({alg})", signwire_to_lib)
        check(f"{lib} seals, signwire opens ({alg})", lib_to_signwire)


def keys_from_env_and_other_encodings():
    # AES key as base64url in an environment variable; RSA as a PKCS#1 PEM in another; DER public key.
    t = sh(SIGNWIRE, "seal", "--kid", "aes-2026", "--aes-key-env", "SEAL_AES", stdin=b"env", env=env_b64).decode()
    assert jw_open("dir", t)[0] == b"env"
    t = sh(SIGNWIRE, "seal", "--kid", "rsa-2026", "--rsa-key-file", path("rsa-pub.der"), stdin=b"der").decode()
    assert sh(SIGNWIRE, "open", "--kid", "rsa-2026", "--rsa-key-env", "SEAL_RSA", stdin=t.encode(), env=env_rsa) == b"der"
    assert jf_open("RSA-OAEP-256", t)[0] == b"der"


def sealed_query_both_ways():
    q = b"amount=100&card=4111111111111111&cvv=123&currency=EUR"
    for alg in ("dir", "RSA-OAEP-256"):
        sealed = sh(SIGNWIRE, "seal-query", "--kid", KID[alg], *SEAL_KEY[alg], "--params", "card,cvv", stdin=q).decode()
        pairs = [p.split("=", 1) for p in sealed.split("&")]
        assert [p[0] for p in pairs] == ["amount", "sealed", "currency"], sealed
        assert b"4111" not in sealed.encode()
        # The sealed value is a plain JWE that both libraries open.
        assert jw_open(alg, pairs[1][1])[0] == b"card=4111111111111111&cvv=123"
        assert jf_open(alg, pairs[1][1])[0] == b"card=4111111111111111&cvv=123"
        opened = sh(SIGNWIRE, "open-query", "--kid", KID[alg], *OPEN_KEY[alg], stdin=sealed.encode())
        assert opened == q, opened
        # A library-made sealed parameter opens in signwire too.
        lib_made = "amount=100&sealed=" + jf_seal(alg, b"card=5500000000000004") + "&x=1"
        assert sh(SIGNWIRE, "open-query", "--kid", KID[alg], *OPEN_KEY[alg], stdin=lib_made.encode()) == b"amount=100&card=5500000000000004&x=1"


def library_tokens_signwire_refuses():
    # joserfc: A256KW and RSA-OAEP (SHA-1), A256CBC-HS512: valid JWE that signwire does not accept.
    kw = jf_jwe.encrypt_compact({"alg": "A256KW", "enc": "A256GCM", "kid": "aes-2026"}, b"card", jf_aes, algorithms=["A256KW", "A256GCM"])
    oaep1 = jf_jwe.encrypt_compact({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": "rsa-2026"}, b"card", jf_rsa_pub,
                                   algorithms=["RSA-OAEP", "A256GCM"])
    cbc = jf_jwe.encrypt_compact({"alg": "dir", "enc": "A128CBC-HS256", "kid": "aes-2026"}, b"card", jf_aes,
                                 algorithms=["dir", "A128CBC-HS256"])
    for alg, token in (("dir", kw), ("RSA-OAEP-256", oaep1), ("dir", cbc)):
        name, err = sw_refused(alg, token)
        assert name == b"SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM", err
    # Wrong key: jwcrypto seals with another AES key under the same kid.
    other = jw_jwk.JWK(kty="oct", k=jw_jwk.base64url_encode(secrets.token_bytes(32)))
    t = jw_jwe.JWE(b"card", protected=json_encode({"alg": "dir", "enc": "A256GCM", "kid": "aes-2026"}))
    t.add_recipient(other)
    assert sw_refused("dir", t.serialize(compact=True))[0] == b"SIGNWIRE_ERR_DECRYPTION_FAILED"
    # Tampered ciphertext of a library token.
    good = jw_seal("RSA-OAEP-256", b"card=4111111111111111").split(".")
    ct = bytearray(base64.urlsafe_b64decode(good[3] + "=" * (-len(good[3]) % 4)))
    ct[0] ^= 1
    good[3] = base64.urlsafe_b64encode(bytes(ct)).rstrip(b"=").decode()
    name, err = sw_refused("RSA-OAEP-256", ".".join(good))
    assert name == b"SIGNWIRE_ERR_DECRYPTION_FAILED" and b"4111" not in err


def weak_rsa_key_refused():
    name, err = refused(SIGNWIRE, "seal", "--kid", "w", "--rsa-key-file", path("weak-pub.pem"), stdin=b"x", expect=2)
    assert name == b"SIGNWIRE_ERR_WEAK_KEY", err
    name, err = refused(SIGNWIRE, "open", "--kid", "w", "--rsa-key-file", path("weak.pem"), stdin=b"a.b.c.d.e", expect=2)
    assert name == b"SIGNWIRE_ERR_WEAK_KEY", err


def token_over_limit_refused():
    token = sw_seal("dir", b"x" * 5000)
    out = sw_open("dir", token)
    assert out == b"x" * 5000
    name, err = refused(SIGNWIRE, "open", "--kid", "aes-2026", *OPEN_KEY["dir"], "--max-token-len", "4096", stdin=token.encode())
    assert name == b"SIGNWIRE_ERR_INPUT_TOO_LARGE", err


def keys_never_on_the_command_line():
    r = subprocess.run([SIGNWIRE, "seal", "--kid", "k", "--key", aes.hex()], capture_output=True)
    assert r.returncode == 2 and b"not accepted" in r.stderr


check("keys from env, PKCS#1 PEM and DER", keys_from_env_and_other_encodings)
check("sealed query parameters, both ways", sealed_query_both_ways)
check("library-made tokens signwire refuses", library_tokens_signwire_refuses)
check("RSA keys under 2048 bits refused", weak_rsa_key_refused)
check("token over the size limit refused", token_over_limit_refused)
check("keys never on the command line", keys_never_on_the_command_line)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
