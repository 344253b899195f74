"""signwire.epintower against tests/vectors/epintower.json (made by PHP's password_hash,
crypt and sha1), Python's hashlib, and live PHP (password_verify / password_hash)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import pytest

import signwire
from signwire import epintower

from conftest import load_vectors

SPEC = ("BA078F952DA3AA1B08141D22C69E11DA", "b1db2d4759e706079016fe7825e7ae18", "DF6649B8_9D57_53DF_2674_C768FE6DE0CB")
CASES = load_vectors("epintower")["cases"]


def sha1_chain(fields, rounds):
    x = "".join(fields).encode("utf-8")
    out = []
    for _ in range(rounds):
        x = hashlib.sha1(x).hexdigest().encode("ascii")
        out.append(x.decode("ascii"))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_php_vectors(case):
    # The vector's intermediates, recomputed with hashlib: PHP and Python agree first.
    assert sha1_chain(case["fields"], case["sha1_rounds"]) == case["sha1"]
    fields, rounds, sig = case["fields"], case["sha1_rounds"], case["signature"]
    expect = case["expect"]
    if expect == "SIGNWIRE_ERR_UNSUPPORTED_ALGORITHM":
        with pytest.raises(signwire.UnsupportedAlgorithm):
            epintower.verify(*fields, sha1_rounds=rounds, signature=sig)
        return
    want = expect == "ok"
    assert expect in ("ok", "SIGNWIRE_ERR_BAD_SIGNATURE", "SIGNWIRE_ERR_MALFORMED_HEADER")
    assert epintower.verify(*fields, sha1_rounds=rounds, signature=sig) is want
    helper = {1: epintower.verify_request, 2: epintower.verify_response}.get(rounds)
    if helper:
        assert helper(*fields, signature=sig) is want
        assert helper(*fields, signature=sig.encode("ascii")) is want


def test_defaults_and_directions():
    req = epintower.sign_request(*SPEC)
    resp = epintower.sign_response(*SPEC)
    assert req.startswith("$2y$10$") and len(req) == epintower.HASH_LEN == 60
    assert resp.startswith("$2y$10$")
    assert epintower.DEFAULT_COST == 10
    assert epintower.verify_request(*SPEC, signature=req)
    assert epintower.verify_response(*SPEC, signature=resp)
    assert not epintower.verify_response(*SPEC, signature=req)
    assert not epintower.verify_request(*SPEC, signature=resp)
    assert not epintower.verify_request(*SPEC[:2], SPEC[2] + "x", signature=req)
    assert not epintower.verify_request(SPEC[1], SPEC[0], SPEC[2], signature=req)


def test_fields_types_and_bad_arguments():
    sig = epintower.sign_request("order-", 42, b"\x00\xff", bytearray(b"z"), cost=4)
    assert sig.startswith("$2y$04$")
    assert epintower.verify_request("order-42", b"\x00\xffz", signature=sig)
    for bad in (None, True, 1.5):
        with pytest.raises(TypeError):
            epintower.sign_request("a", bad, cost=4)
    with pytest.raises(signwire.InvalidArgument):
        epintower.sign_request("a", cost=3)
    with pytest.raises(signwire.InvalidArgument):
        epintower.sign_request(cost=4)
    with pytest.raises(ValueError):
        epintower.sign_request("a", cost=-1)
    with pytest.raises(TypeError):
        epintower.verify_request("a", signature=None)
    # 0 sha1 rounds bcrypts the data itself: more than 72 bytes is refused, not truncated.
    with pytest.raises(signwire.InputTooLarge):
        epintower.sign("a" * 40, "b" * 33, sha1_rounds=0, cost=4)
    raw = epintower.sign("a" * 40, "b" * 32, sha1_rounds=0, cost=4)
    assert epintower.verify("a" * 40 + "b" * 32, sha1_rounds=0, signature=raw)
    assert not epintower.verify("a" * 72, sha1_rounds=0, signature=raw)


def test_generic_scheme():
    doc = {"name": "acme", "fields": ["merchant", "secret", "order"], "request_sha1_rounds": 1, "response_sha1_rounds": 3, "cost": 4}
    with epintower.BcryptScheme(doc) as s:
        sig = s.sign_response("M", "s", "O")
        assert epintower.verify("M", "s", "O", sha1_rounds=3, signature=sig)
        assert s.verify_response("M", "s", "O", signature=sig)
        assert not s.verify_request("M", "s", "O", signature=sig)
        with pytest.raises(signwire.InvalidArgument):
            s.sign_request("M", "s")
    with pytest.raises(ValueError):
        s.sign_request("M", "s", "O")
    with pytest.raises(signwire.UnsupportedAlgorithm):
        epintower.BcryptScheme({"name": "x", "prefix": "2x"})
    with epintower.BcryptScheme("epintower") as e:
        assert e.sign_request(*SPEC).startswith("$2y$10$")


php = shutil.which("php")


@pytest.mark.skipif(php is None, reason="php-cli is installed by scripts/deps (apt-php.txt)")
def test_live_php_interop_both_ways():
    fields = ("Ünïcødé-客户", "秘密🙂" * 3, "tx-" + hashlib.sha1(b"seed").hexdigest(), "")
    for rounds, sign, verify in ((1, epintower.sign_request, epintower.verify_request), (2, epintower.sign_response, epintower.verify_response)):
        ours = sign(*fields)
        script = (
            "$in = json_decode(stream_get_contents(STDIN), true);"
            "$x = implode('', $in['fields']); for ($i = 0; $i < $in['rounds']; $i++) { $x = sha1($x); }"
            "echo json_encode(['ok' => password_verify($x, $in['sig']), "
            "'h10' => password_hash($x, PASSWORD_BCRYPT), 'h12' => password_hash($x, PASSWORD_BCRYPT, ['cost' => 12])]);"
        )
        out = subprocess.run([php, "-r", script], input=json.dumps({"fields": fields, "rounds": rounds, "sig": ours}),
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out)
        assert r["ok"] is True, "PHP password_verify rejected signwire's signature"
        assert r["h10"].startswith("$2y$10$") and verify(*fields, signature=r["h10"])
        assert r["h12"].startswith("$2y$12$") and verify(*fields, signature=r["h12"])
        assert not verify(fields[1], fields[0], *fields[2:], signature=r["h10"]), "changed order must fail"


def test_cost_31_refused_by_default_and_cap_settable():
    # A PHP-made cost-4 hash with its cost set to 31: a real check would take days, so
    # getting an answer at all shows it was refused before bcrypt ran.
    case = next(c for c in CASES if c["signature"].startswith("$2y$04$") and c["sha1_rounds"] == 1)
    h31 = "$2y$31$" + case["signature"][7:]
    assert epintower.DEFAULT_MAX_VERIFY_COST == 12
    assert epintower.verify_request(*case["fields"], signature=h31) is False
    assert epintower.verify_response(*case["fields"], signature=h31) is False
    assert epintower.verify(*case["fields"], sha1_rounds=1, signature=h31) is False
    # The cap is per call: a cost-12 signature passes by default, not under max_cost=11.
    sig12 = epintower.sign_request(*SPEC, cost=12)
    assert epintower.verify_request(*SPEC, signature=sig12)
    assert epintower.verify_request(*SPEC, signature=sig12, max_cost=11) is False
    assert epintower.verify(*SPEC, sha1_rounds=1, signature=sig12, max_cost=11) is False
    with pytest.raises(signwire.InvalidArgument):
        epintower.verify_request(*SPEC, signature=sig12, max_cost=9)  # below the signing cost
    with pytest.raises(ValueError):
        epintower.verify_request(*SPEC, signature=sig12, max_cost=2**32)
