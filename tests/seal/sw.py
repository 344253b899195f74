"""Test glue only (not a binding): the few C ABI calls the sealed-body round trip needs,
through ctypes, from the library at $SIGNWIRE_LIB. The real Python binding lives in
bindings/python; this exists so the suite runs whether or not that binding is present."""
import ctypes
import os
from ctypes import POINTER, byref, c_char_p, c_int, c_size_t, c_void_p

lib = ctypes.CDLL(os.environ["SIGNWIRE_LIB"])
_P = c_void_p
_decl = {
    "signwire_status_name": ([c_int], c_char_p),
    "signwire_last_error_message": ([], c_char_p),
    "signwire_scheme_new": ([c_char_p, POINTER(_P)], c_int),
    "signwire_scheme_free": ([_P], None),
    "signwire_signer_new": ([_P, c_char_p, c_char_p, c_size_t, POINTER(_P)], c_int),
    "signwire_signer_free": ([_P], None),
    "signwire_signer_sign": ([_P, c_char_p, c_char_p, c_char_p, c_size_t, c_char_p, c_char_p, c_size_t, POINTER(c_size_t)], c_int),
    "signwire_verifier_new": ([_P, POINTER(_P)], c_int),
    "signwire_verifier_free": ([_P], None),
    "signwire_verifier_add_secret": ([_P, c_char_p, c_char_p, c_size_t], c_int),
    "signwire_seal_recipient_new_rsa": ([c_char_p, c_char_p, c_size_t, POINTER(_P)], c_int),
    "signwire_seal_recipient_new_shared": ([c_char_p, c_char_p, c_size_t, POINTER(_P)], c_int),
    "signwire_seal_recipient_free": ([_P], None),
    "signwire_seal_len": ([_P, c_size_t, POINTER(c_size_t)], c_int),
    "signwire_seal": ([_P, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(c_size_t)], c_int),
    "signwire_seal_keys_new": ([c_size_t, POINTER(_P)], c_int),
    "signwire_seal_keys_free": ([_P], None),
    "signwire_seal_keys_add_rsa": ([_P, c_char_p, c_char_p, c_size_t], c_int),
    "signwire_seal_keys_add_shared": ([_P, c_char_p, c_char_p, c_size_t], c_int),
    "signwire_verify_and_open": ([_P, _P, c_char_p, c_char_p, c_char_p, c_size_t, c_char_p, c_char_p,
                                  c_char_p, c_size_t, POINTER(c_size_t), c_char_p, c_size_t, POINTER(c_size_t)], c_int),
}
for _name, (_args, _res) in _decl.items():
    _f = getattr(lib, _name)
    _f.argtypes, _f.restype = _args, _res


class SignwireError(Exception):
    def __init__(self, status):
        self.status = lib.signwire_status_name(status).decode()
        super().__init__(f"{self.status}: {lib.signwire_last_error_message().decode()}")


def check(status):
    if status != 0:
        raise SignwireError(status)


def _new(fn, *args):
    h = _P()
    check(fn(*args, byref(h)))
    return h


def _out(fn, *args, cap):
    buf = ctypes.create_string_buffer(cap)
    n = c_size_t()
    check(fn(*args, buf, cap, byref(n)))
    return buf.raw[: n.value]


def seal_and_sign(method, url, body, rsa_public_pem, kid, key_id, secret):
    """Client side: seal for the server's RSA key, then sign with the token as the body."""
    scheme = _new(lib.signwire_scheme_new, b"hopnow")
    signer = _new(lib.signwire_signer_new, scheme, key_id.encode(), secret, len(secret))
    rcpt = _new(lib.signwire_seal_recipient_new_rsa, kid.encode(), rsa_public_pem, len(rsa_public_pem))
    try:
        needed = c_size_t()
        check(lib.signwire_seal_len(rcpt, len(body), byref(needed)))
        token = _out(lib.signwire_seal, rcpt, body, len(body), cap=needed.value)
        headers = _out(lib.signwire_signer_sign, signer, method.encode(), url.encode(), token, len(token), None, cap=1024)
        return token, headers.decode()
    finally:
        lib.signwire_seal_recipient_free(rcpt)
        lib.signwire_signer_free(signer)
        lib.signwire_scheme_free(scheme)


class Server:
    """Server side: a hopnow verifier plus RSA opening keys; verify, then open."""

    def __init__(self, key_id, secret, kid, rsa_private_pem):
        scheme = _new(lib.signwire_scheme_new, b"hopnow")
        self.verifier = _new(lib.signwire_verifier_new, scheme)
        lib.signwire_scheme_free(scheme)
        check(lib.signwire_verifier_add_secret(self.verifier, key_id.encode(), secret, len(secret)))
        self.keys = _new(lib.signwire_seal_keys_new, 0)
        check(lib.signwire_seal_keys_add_rsa(self.keys, kid.encode(), rsa_private_pem, len(rsa_private_pem)))

    def verify_and_open(self, method, url, body, header_block):
        out = ctypes.create_string_buffer(len(body) + 1)
        n = c_size_t()
        kid = ctypes.create_string_buffer(257)
        kn = c_size_t()
        check(lib.signwire_verify_and_open(self.verifier, self.keys, method.encode(), url.encode(), body, len(body),
                                           header_block.encode(), None, out, len(out), byref(n), kid, 257, byref(kn)))
        return kid.raw[: kn.value].decode(), out.raw[: n.value]

    def close(self):
        lib.signwire_seal_keys_free(self.keys)
        lib.signwire_verifier_free(self.verifier)
