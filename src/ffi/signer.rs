//! Signing requests into headers.

use super::scheme::signwire_scheme;
use super::{boundary, bytes, check_capacity, check_handle_out, check_out, free_handle, handle, opt_text, put_handle, signwire_status, text, write_out};
use crate::canonical::Request;
use crate::headers::{generate_nonce_into, Headers, MAX_NONCE_HEX_LEN};
use crate::signer::Signer;
use std::ffi::c_char;

/// Signs requests for one key id. Thread-safe.
pub struct signwire_signer {
    signer: Signer,
}

/// A signer for `key_id` with `secret` under `scheme` (which the signer copies; the scheme
/// may be freed afterwards). An empty secret is refused.
#[no_mangle]
pub unsafe extern "C" fn signwire_signer_new(
    scheme: *const signwire_scheme,
    key_id: *const c_char,
    secret: *const c_char,
    secret_len: usize,
    out: *mut *mut signwire_signer,
) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let scheme = handle(scheme, "scheme")?.scheme.clone();
        let signer = Signer::new(scheme, text(key_id, "key_id")?, bytes(secret, secret_len, "secret")?);
        put_handle(out, signer.map(|signer| signwire_signer { signer }))
    })
}

/// A signer for `key_id` with a private key (PEM or JWK, `key_len` bytes) under an HTTP
/// Message Signatures scheme whose algorithm is asymmetric (`ed25519`, `ecdsa-p256-sha256`,
/// `ecdsa-p384-sha384`, `rsa-pss-sha512`). The key is parsed once and held inside the
/// signer (AWS-LC wipes it when the signer is freed).
#[no_mangle]
pub unsafe extern "C" fn signwire_signer_new_private_key(
    scheme: *const signwire_scheme,
    key_id: *const c_char,
    key: *const c_char,
    key_len: usize,
    out: *mut *mut signwire_signer,
) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        let scheme = handle(scheme, "scheme")?.scheme.clone();
        let signer = Signer::with_private_key(scheme, text(key_id, "key_id")?, bytes(key, key_len, "key")?);
        put_handle(out, signer.map(|signer| signwire_signer { signer }))
    })
}

/// Release a signer (its key state is wiped). NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_signer_free(signer: *mut signwire_signer) {
    free_handle(signer)
}

unsafe fn sign_common(
    signer: *const signwire_signer,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    at: Option<(i64, *const c_char)>,
    layout: Layout,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let signer = &handle(signer, "signer")?.signer;
        let parsed = opt_text(headers, "headers")?.map(Headers::parse).transpose()?;
        let mut request = Request::new(text(method, "method")?, text(url, "url")?, bytes(body, body_len, "body")?);
        request.headers = parsed.as_ref();
        let signed = match at {
            None => signer.sign(&request)?,
            Some((timestamp, nonce)) => match opt_text(nonce, "nonce")? {
                Some(nonce) => signer.sign_at(&request, timestamp, nonce)?,
                // Bindings whose callers fix only the timestamp need not know the nonce format.
                None => signer.sign_at(&request, timestamp, generate_nonce_into(signer.scheme().nonce_hex_len, &mut [0u8; MAX_NONCE_HEX_LEN])?)?,
            },
        };
        match layout {
            Layout::Block => write_out(signed.as_block().as_bytes(), out, out_cap, written),
            Layout::Fields => write_fields(signed.iter(), out, out_cap, written),
        }
    })
}

/// How the headers are written out.
#[derive(Clone, Copy)]
enum Layout {
    /// `Name: value\r\n` lines.
    Block,
    /// `name\0value\0name\0value`, then the terminating NUL.
    Fields,
}

/// Writes (name, value) pairs as NUL-separated fields, with the same contract as
/// [`write_out`]: nothing is written but `*written` (the bytes needed) when `out_cap` is too
/// small, and `*written` excludes the final NUL.
unsafe fn write_fields<'a>(
    fields: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> crate::error::Result<()> {
    check_out(out, written)?;
    // Each name and value is followed by one NUL; the last of them is the terminator.
    let needed: usize = fields.clone().map(|(n, v)| n.len() + v.len() + 2).sum::<usize>().max(1);
    check_capacity(needed, out_cap, written)?;
    let mut at = out as *mut u8;
    for (name, value) in fields {
        for field in [name, value] {
            std::ptr::copy_nonoverlapping(field.as_ptr(), at, field.len());
            at = at.add(field.len());
            *at = 0;
            at = at.add(1);
        }
    }
    if needed == 1 {
        *out = 0;
    }
    *written = needed - 1;
    Ok(())
}

/// Sign a request now, with a fresh random nonce. Writes the authentication headers as a
/// `Name: value\r\n` block (capacity `SIGNWIRE_SIGNED_HEADERS_MAX` always suffices).
/// `headers` may be NULL unless the scheme signs request headers.
#[no_mangle]
pub unsafe extern "C" fn signwire_signer_sign(
    signer: *const signwire_signer,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    sign_common(signer, method, url, body, body_len, headers, None, Layout::Block, out, out_cap, written)
}

/// Like `signwire_signer_sign`, with the headers written as NUL-separated fields,
/// `name\0value\0name\0value` and the terminating NUL (`*written` excludes it): for
/// bindings that build a map, which then split once instead of parsing lines. Names and
/// values never contain NUL. `SIGNWIRE_SIGNED_HEADERS_MAX` always suffices.
///
/// ```c
/// char out[SIGNWIRE_SIGNED_HEADERS_MAX];
/// size_t n;
/// if (signwire_signer_sign_fields(signer, "GET", url, "", 0, NULL, out, sizeof out, &n) == SIGNWIRE_OK)
///     for (const char *f = out; f < out + n; f += strlen(f) + 1) puts(f);  // name, value, name, ...
/// ```
#[no_mangle]
pub unsafe extern "C" fn signwire_signer_sign_fields(
    signer: *const signwire_signer,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    sign_common(signer, method, url, body, body_len, headers, None, Layout::Fields, out, out_cap, written)
}

/// Sign with an explicit timestamp (unix seconds, >= 0) and nonce (hex, the scheme's length).
/// `nonce` may be NULL for a fresh random nonce.
#[no_mangle]
pub unsafe extern "C" fn signwire_signer_sign_at(
    signer: *const signwire_signer,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    timestamp: i64,
    nonce: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    sign_common(signer, method, url, body, body_len, headers, Some((timestamp, nonce)), Layout::Block, out, out_cap, written)
}
