//! Diagnosing refusals: the server's diagnostic line, the client's fingerprint, their diff.

use super::scheme::signwire_scheme;
use super::verifier::signwire_verifier;
use super::{boundary, bytes, check_out, handle, handle_mut, opt_text, signwire_status, text, write_out};
use crate::canonical::Request;
use crate::diagnostics::{self, Diagnostic};
use crate::headers::Headers;
use std::cell::RefCell;
use std::ffi::c_char;

thread_local! {
    static LAST_DIAGNOSTIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Record the outcome of one verification on this thread (None after a success).
pub(crate) fn set_last_diagnostic(d: Option<&Diagnostic>) {
    LAST_DIAGNOSTIC.with(|l| {
        let mut l = l.borrow_mut();
        l.clear();
        if let Some(d) = d {
            l.push_str(&d.to_line());
        }
    });
}

/// Turn diagnostics on (non-zero) or off (0, the default). When on, every refused
/// verification leaves a diagnostic line for `signwire_last_diagnostic()`: the scheme, the
/// reason, the server time and a fingerprint of each signed component as this server rebuilt
/// it. For the server's log only, never for the client. Call before sharing the verifier.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_set_diagnostics(verifier: *mut signwire_verifier, enabled: i32) -> signwire_status {
    boundary(|| {
        handle_mut(verifier, "verifier")?.verifier.set_diagnostics(enabled != 0);
        Ok(())
    })
}

/// The diagnostic line of the last verification on the calling thread: empty (`*written` 0)
/// after a success, or when that verifier's diagnostics are off.
#[no_mangle]
pub unsafe extern "C" fn signwire_last_diagnostic(out: *mut c_char, out_cap: usize, written: *mut usize) -> signwire_status {
    boundary(|| {
        let line = LAST_DIAGNOSTIC.with(|l| l.borrow().clone());
        write_out(line.as_bytes(), out, out_cap, written)
    })
}

/// The client-side fingerprint line of a signed request (`headers` holds at least the
/// authentication headers it carries): what `signwire diff` compares with the server's
/// diagnostic line. Needs no secret; shows the body only as length + SHA-256 prefix.
#[no_mangle]
pub unsafe extern "C" fn signwire_fingerprint(
    scheme: *const signwire_scheme,
    method: *const c_char,
    url: *const c_char,
    body: *const c_char,
    body_len: usize,
    headers: *const c_char,
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
        write_out(diagnostics::fingerprint(scheme, &request).to_line().as_bytes(), out, out_cap, written)
    })
}

/// Compare a client's fingerprint text with a server's diagnostic text (each may be a whole
/// log; the last `signwire-fp` line of each is used) and write one sentence naming the first
/// component that differs.
#[no_mangle]
pub unsafe extern "C" fn signwire_diagnostic_diff(
    client: *const c_char,
    server: *const c_char,
    out: *mut c_char,
    out_cap: usize,
    written: *mut usize,
) -> signwire_status {
    boundary(|| {
        check_out(out, written)?;
        let d = diagnostics::diff(text(client, "client")?, text(server, "server")?)?;
        write_out(d.summary.as_bytes(), out, out_cap, written)
    })
}
