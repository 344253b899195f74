// parse_timestamp and check_nonce accept exactly their grammar: canonical decimal seconds
// (no sign, no leading zero, no spaces, fits i64) and exactly N hex digits.
use signwire::headers::{check_nonce, parse_timestamp};

/// The target's invariants on one input: panics when one is violated.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let canonical = digits && (s == "0" || !s.starts_with('0'));
    match parse_timestamp(s) {
        Ok(n) => {
            assert!(canonical, "{s:?} accepted");
            assert!(n >= 0);
            assert_eq!(n.to_string(), s, "accepted text is not the canonical form");
        }
        Err(e) => {
            assert_eq!(e.status(), signwire::Status::MalformedHeader);
            assert!(!canonical || s.parse::<i64>().is_err(), "{s:?} refused");
        }
    }
    for len in [16, 32, 64] {
        let ok = s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
        assert_eq!(check_nonce(s, len).is_ok(), ok, "{s:?} / {len}");
    }
}
