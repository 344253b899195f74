// Headers::parse on arbitrary text: never panics, refuses what it must, and what it accepts
// renders to a block that parses back to the same entries.
use signwire::headers::{Headers, MAX_HEADER_BLOCK_LEN, MAX_HEADER_COUNT, MAX_HEADER_VALUE_LEN};

/// The target's invariants on one input: panics when one is violated.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Headers::parse(text) {
        Ok(h) => {
            assert!(text.len() <= MAX_HEADER_BLOCK_LEN);
            assert!(h.len() <= MAX_HEADER_COUNT);
            for (name, value) in h.iter() {
                assert!(!name.is_empty() && !name.contains(':'));
                assert!(value.len() <= MAX_HEADER_VALUE_LEN);
                assert!(!value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f), "control byte accepted");
                assert!(!value.starts_with([' ', '\t']) && !value.ends_with([' ', '\t']));
                // Lookup by any case either finds one value or reports a duplicate.
                match h.get(&name.to_ascii_uppercase()) {
                    Ok(v) => assert!(v.is_some()),
                    Err(e) => assert_eq!(e.status(), signwire::Status::MalformedHeader),
                }
            }
            assert_eq!(Headers::parse(&h.to_block()).expect("rendered block parses"), h);
        }
        Err(e) => assert!(matches!(e.status(), signwire::Status::MalformedHeader | signwire::Status::InputTooLarge)),
    }
}
