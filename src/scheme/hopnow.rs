//! The HopNow preset, exactly as its documentation states:
//! payload `{METHOD}{URL}{TIMESTAMP}{NONCE}{BODY}` with no separators, the complete URL as
//! sent, lowercase hex HMAC-SHA256, headers `X-API-Key`, `X-Signature`, `X-Timestamp`,
//! `X-Nonce`, a 32-hex-character nonce, and requests older than 5 minutes rejected.

use super::{HeaderNames, Kind, Scheme, DEFAULT_MAX_FUTURE_SKEW};
use crate::canonical::Component;
use crate::mac::{Algorithm, Encoding};

pub(super) fn scheme() -> Scheme {
    Scheme {
        kind: Kind::Generic,
        name: "hopnow".into(),
        algorithm: Algorithm::Sha256,
        encoding: Encoding::Hex,
        components: vec![Component::Method, Component::Url, Component::Timestamp, Component::Nonce, Component::Body],
        separator: String::new(),
        headers: HeaderNames {
            key_id: "X-API-Key".into(),
            signature: "X-Signature".into(),
            timestamp: "X-Timestamp".into(),
            nonce: "X-Nonce".into(),
        },
        max_age: 300,
        max_future_skew: DEFAULT_MAX_FUTURE_SKEW,
        nonce_hex_len: 32,
        aws: None,
        http: None,
    }
}
