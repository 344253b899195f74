//! Regressions found by the C tests (bindings/c/tests), pinned here so `cargo test` sees them.

use signwire::ffi::scheme::{signwire_scheme_free, signwire_scheme_new};
use signwire::ffi::signer::{signwire_signer_free, signwire_signer_new, signwire_signer_sign_at};
use signwire::ffi::signwire_status;
use signwire::ffi::verifier::*;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

/// Regression: a short key id buffer used to be reported only after the nonce was
/// recorded, so the retry with the size asked for failed as NONCE_REPLAYED.
#[test]
fn short_key_id_buffer_does_not_spend_the_nonce() {
    let c = |s: &str| CString::new(s).unwrap();
    let (method, url, key_id, nonce) = (c("POST"), c("/v1/pay"), c("client-7"), c("00112233445566778899aabbccddeeff"));
    unsafe {
        let mut scheme = ptr::null_mut();
        assert_eq!(signwire_scheme_new(c("hopnow").as_ptr(), &mut scheme), signwire_status::SIGNWIRE_OK);
        let mut signer = ptr::null_mut();
        assert_eq!(signwire_signer_new(scheme, key_id.as_ptr(), b"s3cret".as_ptr().cast(), 6, &mut signer), signwire_status::SIGNWIRE_OK);
        let mut verifier = ptr::null_mut();
        assert_eq!(signwire_verifier_new(scheme, &mut verifier), signwire_status::SIGNWIRE_OK);
        assert_eq!(signwire_verifier_add_secret(verifier, key_id.as_ptr(), b"s3cret".as_ptr().cast(), 6), signwire_status::SIGNWIRE_OK);
        let mut block = [0 as c_char; 1024];
        let mut written = 0usize;
        let st = signwire_signer_sign_at(signer, method.as_ptr(), url.as_ptr(), ptr::null(), 0, ptr::null(), 1_700_000_000, nonce.as_ptr(), block.as_mut_ptr(), block.len(), &mut written);
        assert_eq!(st, signwire_status::SIGNWIRE_OK);
        let mut out = [0 as c_char; 8];
        let verify = |cap: usize, written: &mut usize, out: *mut c_char| {
            signwire_verifier_verify_at(verifier, method.as_ptr(), url.as_ptr(), ptr::null(), 0, block.as_ptr(), ptr::null(), 1_700_000_000, out, cap, written)
        };
        assert_eq!(verify(8, &mut written, out.as_mut_ptr()), signwire_status::SIGNWIRE_ERR_BUFFER_TOO_SMALL);
        assert_eq!(written, 9);
        let mut big = [0 as c_char; 9];
        assert_eq!(verify(written, &mut written, big.as_mut_ptr()), signwire_status::SIGNWIRE_OK);
        assert_eq!(CStr::from_ptr(big.as_ptr()).to_str().unwrap(), "client-7");
        assert_eq!(verify(9, &mut written, big.as_mut_ptr()), signwire_status::SIGNWIRE_ERR_NONCE_REPLAYED);
        signwire_verifier_free(verifier);
        signwire_signer_free(signer);
        signwire_scheme_free(scheme);
    }
}

/// Found by fuzz target ffi_verify (fuzz/corpus/ffi_verify/regression-standard-webhooks-secret:
/// the fuzzer spelled "standard-webhooks" as the scheme): that preset's secrets are
/// `whsec_` + base64, so a raw secret is refused with INVALID_ARGUMENT and a message, not
/// taken as key bytes, and the same key in base64 is accepted. Raw-secret schemes take both.
#[test]
fn standard_webhooks_refuses_a_secret_that_is_not_base64() {
    let c = |s: &str| CString::new(s).unwrap();
    unsafe {
        for (scheme_name, raw_ok) in [("standard-webhooks", false), ("hopnow", true)] {
            let mut scheme = ptr::null_mut();
            assert_eq!(signwire_scheme_new(c(scheme_name).as_ptr(), &mut scheme), signwire_status::SIGNWIRE_OK);
            let mut v = ptr::null_mut();
            assert_eq!(signwire_verifier_new(scheme, &mut v), signwire_status::SIGNWIRE_OK);
            let raw = b"fuzz secret";
            let st = signwire_verifier_add_secret(v, c("k1").as_ptr(), raw.as_ptr().cast(), raw.len());
            if raw_ok {
                assert_eq!(st, signwire_status::SIGNWIRE_OK);
            } else {
                assert_eq!(st, signwire_status::SIGNWIRE_ERR_INVALID_ARGUMENT);
                let msg = CStr::from_ptr(signwire::ffi::status::signwire_last_error_message()).to_string_lossy().into_owned();
                assert!(msg.contains("base64") && !msg.contains("fuzz secret"), "{msg}");
            }
            // base64("fuzz secret"), computed by Python's base64.b64encode.
            for b64 in ["ZnV6eiBzZWNyZXQ=", "whsec_ZnV6eiBzZWNyZXQ="] {
                let st = signwire_verifier_add_secret(v, c("k2").as_ptr(), b64.as_ptr().cast(), b64.len());
                assert_eq!(st, signwire_status::SIGNWIRE_OK, "{scheme_name} {b64}");
            }
            signwire_verifier_free(v);
            signwire_scheme_free(scheme);
        }
    }
}
