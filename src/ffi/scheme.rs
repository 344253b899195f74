//! Schemes and the canonical payload.

use super::{boundary, bytes, check_handle_out, check_out, free_handle, handle, opt_text, put_handle, signwire_status, text, write_out};
use crate::canonical::{self, Request, SignatureInput};
use crate::error::Error;
use crate::headers::{parse_timestamp, Headers};
use crate::scheme::Scheme;
use std::ffi::c_char;

/// A signature scheme (a preset or a JSON document). Immutable and thread-safe.
pub struct signwire_scheme {
    pub(crate) scheme: Scheme,
}

/// Load a scheme: a preset name ("hopnow"), a path to a JSON document, or the JSON text.
#[no_mangle]
pub unsafe extern "C" fn signwire_scheme_new(name_or_json: *const c_char, out: *mut *mut signwire_scheme) -> signwire_status {
    boundary(|| {
        check_handle_out(out)?;
        put_handle(out, Scheme::load(text(name_or_json, "name_or_json")?).map(|scheme| signwire_scheme { scheme }))
    })
}

/// Release a scheme. NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn signwire_scheme_free(scheme: *mut signwire_scheme) {
    free_handle(scheme)
}

/// Build the exact bytes a scheme signs for a request, to inspect or log them.
/// `headers` (a `Name: value` block) may be NULL when the scheme signs no request header.
/// The payload may contain NUL bytes: use `*written`, not strlen.
#[no_mangle]
pub unsafe extern "C" fn signwire_canonical_payload(
    scheme: *const signwire_scheme,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
    key_id: *const c_char,
    timestamp: *const c_char,
    nonce: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let scheme = &handle(scheme, "scheme")?.scheme;
        let parsed = opt_text(headers, "headers")?.map(Headers::parse).transpose()?;
        let mut request = Request::new(text(method, "method")?, text(url, "url")?, bytes(body, body_len, "body")?);
        request.headers = parsed.as_ref();
        request.validate()?;
        let timestamp = text(timestamp, "timestamp")?;
        parse_timestamp(timestamp).map_err(|e| Error::invalid(e.message().to_string()))?;
        let input = SignatureInput { request: &request, key_id: text(key_id, "key_id")?, timestamp, nonce: text(nonce, "nonce")? };
        let p = canonical::payload(&scheme.components, &scheme.separator, &input)?;
        write_out(&p, out, out_cap, written)
    })
}

/// The scheme as a JSON document (name, algorithm, encoding, components, separator, header
/// names, max age, future skew, nonce length), which `signwire_scheme_new` reads back.
/// Bindings read header names and limits from it instead of repeating them.
#[no_mangle]
pub unsafe extern "C" fn signwire_scheme_to_json(
    scheme: *const signwire_scheme,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let scheme = &handle(scheme, "scheme")?.scheme;
        write_out(scheme.to_json().as_bytes(), out, out_cap, written)
    })
}
