//! Verification order and the bad-input table, through the Rust API. Expected signatures
//! come from tests/vectors/hopnow.json (Python's hmac).

mod common;
use common::{body, s, vectors};
use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};

struct Case {
    method: String,
    url: String,
    body: Vec<u8>,
    key_id: String,
    secret: String,
    ts: i64,
    nonce: String,
    signature: String,
}

fn case() -> Case {
    let doc = vectors("hopnow.json");
    let v = &doc["vectors"][0];
    Case {
        method: s(v, "method").into(),
        url: s(v, "url").into(),
        body: body(&v["body"]),
        key_id: s(v, "key_id").into(),
        secret: s(v, "secret").into(),
        ts: s(v, "timestamp").parse().unwrap(),
        nonce: s(v, "nonce").into(),
        signature: s(v, "signature").into(),
    }
}

fn verifier(c: &Case) -> Verifier {
    let v = Verifier::new(Scheme::load("hopnow").unwrap());
    v.keyring().add_secret(&c.key_id, c.secret.as_bytes()).unwrap();
    v
}

fn block(c: &Case, ts: &str, nonce: &str, sig: &str) -> String {
    format!("X-API-Key: {}\r\nX-Signature: {sig}\r\nX-Timestamp: {ts}\r\nX-Nonce: {nonce}\r\n", c.key_id)
}

fn run(v: &Verifier, method: &str, url: &str, body: &[u8], headers: &str, now: i64) -> Result<String, Status> {
    let h = Headers::parse(headers).map_err(|e| e.status())?;
    v.verify_at(&Request::new(method, url, body).with_headers(&h), now).map(|ok| ok.key_id).map_err(|e| e.status())
}

#[test]
fn valid_then_replayed() {
    let c = case();
    let v = verifier(&c);
    let h = block(&c, &c.ts.to_string(), &c.nonce, &c.signature);
    assert_eq!(run(&v, &c.method, &c.url, &c.body, &h, c.ts), Ok(c.key_id.clone()));
    assert_eq!(run(&v, &c.method, &c.url, &c.body, &h, c.ts), Err(Status::NonceReplayed));
}

#[test]
fn one_changed_byte_anywhere_is_a_bad_signature() {
    let c = case();
    let ts = c.ts.to_string();
    let flip = |s: &str, i: usize| {
        let mut b = s.as_bytes().to_vec();
        b[i] = if b[i] == b'1' { b'2' } else { b'1' };
        String::from_utf8(b).unwrap()
    };
    let v = verifier(&c);
    let h = block(&c, &ts, &c.nonce, &c.signature);
    assert_eq!(run(&v, "PUT", &c.url, &c.body, &h, c.ts), Err(Status::BadSignature));
    for i in [0, 10, c.url.len() - 1] {
        assert_eq!(run(&v, &c.method, &flip(&c.url, i), &c.body, &h, c.ts), Err(Status::BadSignature), "url byte {i}");
    }
    let mut b = c.body.clone();
    b[3] ^= 1;
    assert_eq!(run(&v, &c.method, &c.url, &b, &h, c.ts), Err(Status::BadSignature));
    assert_eq!(run(&v, &c.method, &c.url, &c.body[..c.body.len() - 1], &h, c.ts), Err(Status::BadSignature));
    let h_ts = block(&c, &(c.ts + 1).to_string(), &c.nonce, &c.signature);
    assert_eq!(run(&v, &c.method, &c.url, &c.body, &h_ts, c.ts), Err(Status::BadSignature));
    let h_nonce = block(&c, &ts, &flip(&c.nonce, 0), &c.signature);
    assert_eq!(run(&v, &c.method, &c.url, &c.body, &h_nonce, c.ts), Err(Status::BadSignature));
    let h_sig = block(&c, &ts, &c.nonce, &flip(&c.signature, 5));
    assert_eq!(run(&v, &c.method, &c.url, &c.body, &h_sig, c.ts), Err(Status::BadSignature));
    // None of those burned the nonce: the genuine request still passes.
    assert_eq!(run(&v, &c.method, &c.url, &c.body, &h, c.ts), Ok(c.key_id.clone()));
}

#[test]
fn bad_input_table() {
    let c = case();
    let v = verifier(&c);
    let ts = c.ts.to_string();
    let good = block(&c, &ts, &c.nonce, &c.signature);
    let m = &c.method;
    let u = &c.url;
    let b = &c.body;
    let rows: Vec<(&str, Result<String, Status>)> = vec![
        ("lowercase method", run(&v, "post", u, b, &good, c.ts)),
        ("empty method", run(&v, "", u, b, &good, c.ts)),
        ("empty url", run(&v, m, "", b, &good, c.ts)),
        ("signature too short", run(&v, m, u, b, &block(&c, &ts, &c.nonce, &c.signature[..63]), c.ts)),
        ("signature non-hex", run(&v, m, u, b, &block(&c, &ts, &c.nonce, &format!("zz{}", &c.signature[2..])), c.ts)),
        ("timestamp non-numeric", run(&v, m, u, b, &block(&c, "17e8", &c.nonce, &c.signature), c.ts)),
        ("timestamp negative", run(&v, m, u, b, &block(&c, "-1700000000", &c.nonce, &c.signature), c.ts)),
        ("timestamp leading zero", run(&v, m, u, b, &block(&c, &format!("0{ts}"), &c.nonce, &c.signature), c.ts)),
        ("timestamp overflowing", run(&v, m, u, b, &block(&c, "99999999999999999999", &c.nonce, &c.signature), c.ts)),
        ("timestamp beyond now + skew", run(&v, m, u, b, &good, c.ts - 61)),
        ("timestamp older than max age", run(&v, m, u, b, &good, c.ts + 301)),
        ("nonce too short", run(&v, m, u, b, &block(&c, &ts, &c.nonce[..31], &c.signature), c.ts)),
        ("nonce not hex", run(&v, m, u, b, &block(&c, &ts, &format!("{}g", &c.nonce[..31]), &c.signature), c.ts)),
        ("unknown key id", run(&v, m, u, b, &good.replace(&c.key_id, "nobody"), c.ts)),
        ("missing X-Nonce", run(&v, m, u, b, &good.lines().filter(|l| !l.starts_with("X-Nonce")).collect::<Vec<_>>().join("\n"), c.ts)),
        ("missing X-Signature", run(&v, m, u, b, &good.lines().filter(|l| !l.starts_with("X-Signature")).collect::<Vec<_>>().join("\n"), c.ts)),
        ("duplicated X-Signature", run(&v, m, u, b, &format!("{good}x-signature: {}\r\n", c.signature), c.ts)),
        ("header over 8 KiB", run(&v, m, u, b, &format!("{good}X-Other: {}\r\n", "a".repeat(8 * 1024 + 1)), c.ts)),
        ("header line without colon", run(&v, m, u, b, &format!("{good}garbage\r\n"), c.ts)),
    ];
    let expected = [
        Status::InvalidArgument, Status::InvalidArgument, Status::InvalidArgument, Status::MalformedHeader, Status::MalformedHeader, Status::MalformedHeader,
        Status::MalformedHeader, Status::MalformedHeader, Status::MalformedHeader, Status::TimestampInFuture, Status::TimestampTooOld, Status::MalformedHeader,
        Status::MalformedHeader, Status::UnknownKey, Status::MissingHeader, Status::MissingHeader, Status::MalformedHeader, Status::MalformedHeader, Status::MalformedHeader,
    ];
    assert_eq!(rows.len(), expected.len());
    for ((name, got), want) in rows.iter().zip(expected) {
        assert_eq!(*got, Err(want), "{name}");
    }
    // Edges of the window are inclusive.
    assert_eq!(run(&v, m, u, b, &good, c.ts + 300), Ok(c.key_id.clone()));
    // Uppercase hex is accepted by design (same MAC bytes; see src/mac.rs).
    let v2 = verifier(&c);
    assert_eq!(run(&v2, m, u, b, &block(&c, &ts, &c.nonce, &c.signature.to_uppercase()), c.ts - 60), Ok(c.key_id.clone()));
}

#[test]
fn empty_secret_and_bad_key_ids_are_refused() {
    let scheme = Scheme::load("hopnow").unwrap();
    assert_eq!(Signer::new(scheme.clone(), "k1", b"").unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(Signer::new(scheme.clone(), "", b"s").unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(Signer::new(scheme.clone(), "a b", b"s").unwrap_err().status(), Status::InvalidArgument);
    let v = Verifier::new(scheme);
    assert_eq!(v.keyring().add_secret("k1", b"").unwrap_err().status(), Status::InvalidArgument);
}

#[test]
fn rotation_accepts_every_active_secret() {
    let c = case();
    let v = verifier(&c);
    v.keyring().add_secret(&c.key_id, b"the-new-secret").unwrap();
    let scheme = Scheme::load("hopnow").unwrap();
    let old = Signer::new(scheme.clone(), &c.key_id, c.secret.as_bytes()).unwrap();
    let new = Signer::new(scheme, &c.key_id, b"the-new-secret").unwrap();
    let verify = |signer: &Signer, nonce: &str| {
        let h = Headers::parse(&signer.sign_at(&Request::new("GET", "https://a/", b""), c.ts, nonce).unwrap().to_block()).unwrap();
        v.verify_at(&Request::new("GET", "https://a/", b"").with_headers(&h), c.ts).map_err(|e| e.status())
    };
    assert!(verify(&old, "11111111111111111111111111111111").is_ok());
    assert!(verify(&new, "22222222222222222222222222222222").is_ok());
    assert!(v.keyring().retire_secret(&c.key_id, c.secret.as_bytes()).unwrap());
    assert_eq!(verify(&old, "33333333333333333333333333333333"), Err(Status::BadSignature));
    assert!(verify(&new, "44444444444444444444444444444444").is_ok());
}

#[test]
fn errors_never_contain_the_secret_or_expected_signature() {
    let c = case();
    let v = verifier(&c);
    let wrong = "0".repeat(64);
    let h = Headers::parse(&block(&c, &c.ts.to_string(), &c.nonce, &wrong)).unwrap();
    let e = v.verify_at(&Request::new(&c.method, &c.url, &c.body).with_headers(&h), c.ts).unwrap_err();
    assert_eq!(e.status(), Status::BadSignature);
    let text = format!("{e} {e:?} {v:?}");
    assert!(!text.contains(&c.secret));
    assert!(!text.contains(&c.signature));
    assert_eq!(e.client_message(), "authentication failed");
}

#[path = "kinds/matrix.rs"]
mod matrix;
#[path = "kinds/sigv4.rs"]
mod sigv4;
