// The C ABI with hostile arguments: arbitrary bytes (invalid UTF-8 included) as the text
// arguments, arbitrary output capacities. Every call returns a known status, writes within
// the capacity it was given, NUL-terminates what it writes, and never verifies a request
// it did not see signed.
use arbitrary::Arbitrary;
use signwire::ffi::{scheme::*, signer::*, status::*, verifier::*};
use signwire::Status;
use std::ffi::{c_char, CString};

#[derive(Arbitrary, Debug)]
pub struct Input<'a> {
    method: &'a [u8],
    url: &'a [u8],
    body: &'a [u8],
    headers: &'a [u8],
    key_id: &'a [u8],
    nonce: &'a [u8],
    timestamp: &'a [u8],
    scheme: &'a [u8],
    cap: u16,
    now: i64,
    at: i64,
}

const SECRET: &[u8] = b"ZnV6eiBzZWNyZXQ=";

/// Arbitrary bytes as a C string: cut at the first NUL, as C would see it.
fn c(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

unsafe fn check_call(status: signwire_status, out: &[u8], cap: usize, written: usize) -> Status {
    let s = Status::from_code(status as i32).expect("a known status");
    let msg = std::ffi::CStr::from_ptr(signwire_last_error_message());
    match s {
        Status::Ok => {
            assert!(written < cap, "wrote {written} + NUL into {cap}");
            assert_eq!(out[written], 0, "output not NUL-terminated");
            assert!(msg.to_bytes().is_empty());
        }
        Status::BufferTooSmall => {
            assert!(written > cap, "needed size {written} not over the capacity {cap}");
            assert!(!msg.to_bytes().is_empty());
        }
        _ => assert!(!msg.to_bytes().is_empty(), "{s:?} without a message"),
    }
    // Bytes beyond the capacity are never touched.
    assert!(out[cap..].iter().all(|&b| b == 0xAA), "wrote past the capacity");
    s
}

/// The target's invariants on one input: panics when one is violated.
pub fn check(i: Input) {
    let cap = (i.cap as usize) % 2048;
    let mut out = vec![0xAAu8; 2048 + 1];
    let mut written = usize::MAX;
    let (m, u, h, k, n, t) = (c(i.method), c(i.url), c(i.headers), c(i.key_id), c(i.nonce), c(i.timestamp));
    unsafe {
        let mut scheme = std::ptr::null_mut();
        let st = signwire_scheme_new(c(i.scheme).as_ptr(), &mut scheme);
        if st as i32 != 0 {
            assert!(scheme.is_null(), "failed constructor left a handle");
            assert_eq!(signwire_scheme_new(c"hopnow".as_ptr(), &mut scheme) as i32, 0);
        }
        let mut v = std::ptr::null_mut();
        assert_eq!(signwire_verifier_new(scheme, &mut v) as i32, 0);
        // A secret every scheme accepts: raw bytes, and valid base64 for the whsec_ presets
        // (standard-webhooks refuses a non-base64 secret: fuzz/corpus/ffi_verify/regression-*).
        assert_eq!(signwire_verifier_add_secret(v, c"k1".as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len()) as i32, 0);
        let _ = signwire_verifier_add_secret(v, k.as_ptr(), i.body.as_ptr() as *const c_char, i.body.len());

        let st = signwire_verifier_verify_at(
            v, m.as_ptr(), u.as_ptr(), i.body.as_ptr() as *const c_char, i.body.len(), h.as_ptr(), std::ptr::null(), i.now,
            out.as_mut_ptr() as *mut c_char, cap, &mut written,
        );
        let s = check_call(st, &out, cap, written);
        // Passing would take an HMAC under SECRET (k1) or under the body (the fuzzed
        // key id) of a payload that contains that body: out of a fuzzer's reach.
        assert_ne!(s, Status::Ok, "verified a request nobody signed");

        let mut signer = std::ptr::null_mut();
        if signwire_signer_new(scheme, k.as_ptr(), i.body.as_ptr() as *const c_char, i.body.len(), &mut signer) as i32 == 0 {
            out.fill(0xAA);
            let st = signwire_signer_sign_at(
                signer, m.as_ptr(), u.as_ptr(), i.body.as_ptr() as *const c_char, i.body.len(), h.as_ptr(), i.at, n.as_ptr(),
                out.as_mut_ptr() as *mut c_char, cap, &mut written,
            );
            check_call(st, &out, cap, written);
            signwire_signer_free(signer);
        } else {
            assert!(signer.is_null());
        }

        out.fill(0xAA);
        let st = signwire_canonical_payload(
            scheme, m.as_ptr(), u.as_ptr(), i.body.as_ptr() as *const c_char, i.body.len(), h.as_ptr(), k.as_ptr(), t.as_ptr(),
            n.as_ptr(), out.as_mut_ptr() as *mut c_char, cap, &mut written,
        );
        check_call(st, &out, cap, written);

        // NULL everywhere a pointer goes.
        let st = signwire_verifier_verify_at(
            std::ptr::null(), std::ptr::null(), std::ptr::null(), std::ptr::null(), 5, std::ptr::null(), std::ptr::null(), 0,
            std::ptr::null_mut(), 0, std::ptr::null_mut(),
        );
        assert_eq!(st as i32, Status::NullPointer.code());
        signwire_verifier_free(v);
        signwire_scheme_free(scheme);
    }
}
