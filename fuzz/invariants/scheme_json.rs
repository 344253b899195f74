// Scheme::from_json on arbitrary text: never panics; what it accepts validates, and its
// JSON form reads back to the same scheme.
use signwire::Scheme;

/// The target's invariants on one input: panics when one is violated.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(s) = Scheme::from_json(text) {
        s.validate().expect("an accepted scheme validates");
        assert_eq!(Scheme::from_json(&s.to_json()).expect("to_json reads back"), s);
        // A scheme without replay protection or an unsigned body is never accepted.
        use signwire::canonical::Component;
        assert!(s.components.contains(&Component::Timestamp) && s.components.contains(&Component::Nonce));
        assert!(s.components.iter().any(|c| matches!(c, Component::Body | Component::BodySha256)));
    }
}
