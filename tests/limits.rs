//! Size limits on every input, checked before any work: one row per input path, just over its
//! limit, refused with a specific status (README, Hardening: the limits table).

use signwire::canonical::{MAX_BODY_LEN, MAX_METHOD_LEN, MAX_URL_LEN};
use signwire::headers::{parse_timestamp, Headers, MAX_HEADER_BLOCK_LEN, MAX_HEADER_COUNT, MAX_HEADER_VALUE_LEN};
use signwire::keyring::MAX_KEY_ID_LEN;
use signwire::mac::{Algorithm, Key, MAX_SECRET_LEN};
use signwire::scheme::MAX_SCHEME_DOCUMENT_LEN;
use signwire::seal::{OpeningKeys, MAX_HEADER_LEN as MAX_JWE_HEADER_LEN};
use signwire::{Request, Scheme, Signer, Status, Verifier};

const NONCE: &str = "00112233445566778899aabbccddeeff";

fn status<T: std::fmt::Debug>(r: signwire::Result<T>) -> Status {
    r.expect_err("over the limit, yet accepted").status()
}

#[test]
fn every_input_has_a_limit() {
    let hopnow = Scheme::load("hopnow").unwrap();
    let signer = Signer::new(hopnow.clone(), "k1", b"secret").unwrap();
    let verifier = Verifier::new(hopnow.clone());
    verifier.keyring().add_secret("k1", b"secret").unwrap();
    let big_secret = vec![b's'; MAX_SECRET_LEN + 1];
    let big_key_id = "k".repeat(MAX_KEY_ID_LEN + 1);
    let big_url = format!("https://h/{}", "a".repeat(MAX_URL_LEN));
    let big_method = "P".repeat(MAX_METHOD_LEN + 1);
    let big_body = vec![0u8; MAX_BODY_LEN + 1];
    let big_block = format!("X-Pad: {}\r\n", "a".repeat(MAX_HEADER_BLOCK_LEN));
    let many_headers: String = (0..=MAX_HEADER_COUNT).map(|i| format!("X-H{i}: 1\r\n")).collect();
    let big_value = format!("X-Pad: {}\r\n", "a".repeat(MAX_HEADER_VALUE_LEN + 1));
    let big_scheme = format!("{{\"name\":\"{}\"}}", " ".repeat(MAX_SCHEME_DOCUMENT_LEN));
    let signed = |key_id: &str| format!("X-API-Key: {key_id}\r\nX-Signature: {}\r\nX-Timestamp: 1\r\nX-Nonce: {NONCE}\r\n", "0".repeat(64));
    let verify = |block: &str| -> Status {
        let h = Headers::parse(block).unwrap();
        status(verifier.verify_at(&Request::new("GET", "/", b"").with_headers(&h), 1))
    };

    let rows: Vec<(&str, Status, Status)> = vec![
        ("secret: Key::new", status(Key::new(Algorithm::Sha256, &big_secret)), Status::InputTooLarge),
        ("secret: Signer::new", status(Signer::new(hopnow.clone(), "k1", &big_secret)), Status::InputTooLarge),
        ("secret: add_secret", status(verifier.keyring().add_secret("k1", &big_secret)), Status::InputTooLarge),
        ("secret: retire_secret", status(verifier.keyring().retire_secret("k1", &big_secret)), Status::InputTooLarge),
        ("key id: Signer::new", status(Signer::new(hopnow.clone(), &big_key_id, b"s")), Status::InputTooLarge),
        ("key id: add_secret", status(verifier.keyring().add_secret(&big_key_id, b"s")), Status::InputTooLarge),
        ("key id: header", verify(&signed(&big_key_id)), Status::MalformedHeader),
        ("url: sign", status(signer.sign(&Request::new("GET", &big_url, b""))), Status::InputTooLarge),
        ("url: verify", status(verifier.verify(&Request::new("GET", &big_url, b""))), Status::InputTooLarge),
        ("method: sign", status(signer.sign(&Request::new(&big_method, "/", b""))), Status::InputTooLarge),
        ("body: sign", status(signer.sign(&Request::new("POST", "/", &big_body))), Status::InputTooLarge),
        ("body: verify", status(verifier.verify(&Request::new("POST", "/", &big_body))), Status::InputTooLarge),
        ("header block", status(Headers::parse(&big_block)), Status::InputTooLarge),
        ("header count", status(Headers::parse(&many_headers)), Status::InputTooLarge),
        ("header value", status(Headers::parse(&big_value)), Status::MalformedHeader),
        ("timestamp digits", status(parse_timestamp(&"9".repeat(MAX_HEADER_VALUE_LEN))), Status::MalformedHeader),
        ("nonce length", verify(&signed("k1").replace(NONCE, &"0".repeat(1000))), Status::MalformedHeader),
        ("signature length", verify(&signed("k1").replace(&"0".repeat(64), &"0".repeat(5000))), Status::MalformedHeader),
        ("scheme document", status(Scheme::from_json(&big_scheme)), Status::InputTooLarge),
        // A device that never ends: a bounded read, not a hang.
        ("scheme file /dev/zero", status(Scheme::load("/dev/zero")), Status::InputTooLarge),
        ("sealed token", status(OpeningKeys::new().with_max_token_len(64).unwrap().open([b'a'; 65])), Status::InputTooLarge),
        (
            "sealed token header",
            status(OpeningKeys::new().open(format!("{}....", "e".repeat(MAX_JWE_HEADER_LEN + 1)))),
            Status::InputTooLarge,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, got, want) in &rows {
        if got != want {
            wrong.push(format!("{name}: {got:?}, expected {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn limits_are_inclusive() {
    // Exactly at the limit is accepted: the limits are documented maxima, not off by one.
    assert!(Key::new(Algorithm::Sha256, &vec![b's'; MAX_SECRET_LEN]).is_ok());
    assert!(signwire::keyring::check_key_id(&"k".repeat(MAX_KEY_ID_LEN)).is_ok());
    let url = format!("https://h/{}", "a".repeat(MAX_URL_LEN - "https://h/".len()));
    assert!(signwire::canonical::check_url(&url).is_ok());
    assert!(Headers::parse(&format!("X-Pad: {}", "a".repeat(MAX_HEADER_VALUE_LEN))).is_ok());
    let many: String = (0..MAX_HEADER_COUNT).map(|i| format!("X-H{i}: 1\r\n")).collect();
    assert_eq!(Headers::parse(&many).unwrap().len(), MAX_HEADER_COUNT);
}
