//! `signwire_signer_sign_fields`: the same headers as `signwire_signer_sign`, as
//! `name\0value\0...` fields, with the output-buffer contract of every other C function.
//! The signature is checked against HMAC-SHA256 computed here from the spec's payload.

use hmac::{Hmac, KeyInit, Mac};
use signwire::ffi::scheme::{signwire_scheme_free, signwire_scheme_new};
use signwire::ffi::signer::{signwire_signer_free, signwire_signer_new, signwire_signer_sign_fields};
use signwire::ffi::signwire_status;
use std::ffi::{c_char, CString};
use std::ptr;

const SECRET: &[u8] = b"fields secret";

unsafe fn signer() -> (*mut signwire::ffi::scheme::signwire_scheme, *mut signwire::ffi::signer::signwire_signer) {
    let mut scheme = ptr::null_mut();
    assert_eq!(signwire_scheme_new(c"hopnow".as_ptr(), &mut scheme), signwire_status::SIGNWIRE_OK);
    let mut signer = ptr::null_mut();
    assert_eq!(signwire_signer_new(scheme, c"k1".as_ptr(), SECRET.as_ptr().cast(), SECRET.len(), &mut signer), signwire_status::SIGNWIRE_OK);
    (scheme, signer)
}

#[test]
fn fields_are_the_signed_headers_in_order() {
    let url = CString::new("https://api.example.com/v1/pay?x=1").unwrap();
    let body = b"{\"amount\":100}";
    unsafe {
        let (scheme, signer) = signer();
        let mut out = [0x55 as c_char; 512];
        let mut written = 0usize;
        let st = signwire_signer_sign_fields(signer, c"POST".as_ptr(), url.as_ptr(), body.as_ptr().cast(), body.len(), ptr::null(), out.as_mut_ptr(), out.len(), &mut written);
        assert_eq!(st, signwire_status::SIGNWIRE_OK);
        assert_eq!(out[written], 0, "terminated");
        let text = std::str::from_utf8(std::slice::from_raw_parts(out.as_ptr().cast::<u8>(), written)).unwrap();
        let f: Vec<&str> = text.split('\0').collect();
        assert_eq!(f.len(), 8, "{text:?}");
        assert_eq!([f[0], f[2], f[4], f[6]], ["X-API-Key", "X-Signature", "X-Timestamp", "X-Nonce"]);
        assert_eq!(f[1], "k1");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
        mac.update(format!("POST{}{}{}", url.to_str().unwrap(), f[5], f[7]).as_bytes());
        mac.update(body);
        assert_eq!(f[3], hex::encode(mac.finalize().into_bytes()));

        // Too small by one: nothing written, the size needed reported.
        let mut small = [0x55 as c_char; 512];
        let mut needed = 0usize;
        let st = signwire_signer_sign_fields(signer, c"POST".as_ptr(), url.as_ptr(), body.as_ptr().cast(), body.len(), ptr::null(), small.as_mut_ptr(), written, &mut needed);
        assert_eq!(st, signwire_status::SIGNWIRE_ERR_BUFFER_TOO_SMALL);
        assert_eq!(needed, written + 1);
        assert!(small.iter().all(|&b| b == 0x55));

        let st = signwire_signer_sign_fields(signer, c"POST".as_ptr(), url.as_ptr(), ptr::null(), 0, ptr::null(), ptr::null_mut(), 512, &mut written);
        assert_eq!(st, signwire_status::SIGNWIRE_ERR_NULL_POINTER);
        let st = signwire_signer_sign_fields(ptr::null(), c"POST".as_ptr(), url.as_ptr(), ptr::null(), 0, ptr::null(), out.as_mut_ptr(), 512, &mut written);
        assert_eq!(st, signwire_status::SIGNWIRE_ERR_NULL_POINTER);
        signwire_signer_free(signer);
        signwire_scheme_free(scheme);
    }
}
