//! A verifier's IP allowlist and trusted proxies.

use super::verifier::signwire_verifier;
use super::{boundary, handle_mut, signwire_status, text};
use std::ffi::c_char;

/// Accept requests only from clients in a CIDR range (`10.0.0.0/8`, `2001:db8::/32`, or a
/// single address); call once per range. With any range set, a request verified without a
/// `remote_addr`, or from outside every range, fails with `SIGNWIRE_ERR_IP_NOT_ALLOWED`.
/// IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) count as IPv4. A range with host bits
/// set (`10.0.0.1/8`) is `SIGNWIRE_ERR_INVALID_ARGUMENT`. Call before the verifier is
/// shared between threads.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_allow_ip(verifier: *mut signwire_verifier, cidr: *const c_char) -> signwire_status {
    boundary(|| {
        let v = handle_mut(verifier, "verifier")?;
        v.verifier.allow_ip(text(cidr, "cidr")?)
    })
}

/// Trust proxies in a CIDR range to report the client in `X-Forwarded-For`. When the peer
/// (`remote_addr`) is a trusted proxy, the client is the rightmost `X-Forwarded-For` entry
/// that is not a trusted proxy. Off by default: without trusted proxies the header is never
/// read. Call before the verifier is shared between threads.
#[no_mangle]
pub unsafe extern "C" fn signwire_verifier_trust_proxy(verifier: *mut signwire_verifier, cidr: *const c_char) -> signwire_status {
    boundary(|| {
        let v = handle_mut(verifier, "verifier")?;
        v.verifier.trust_proxy(text(cidr, "cidr")?)
    })
}
