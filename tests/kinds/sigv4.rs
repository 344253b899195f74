//! AWS SigV4 end to end through the Rust API (a module of tests/verifier.rs): AWS's
//! published test suite, tampering, the window, unknown keys, malformed Authorization
//! headers and payload-hash modes.

use signwire::mac::sha256_hex;
use signwire::scheme::sigv4::{scheme, Options, UNSIGNED_PAYLOAD};
use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &[u8] = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// 20150830T123600Z, the date of AWS's published test suite.
const T: i64 = 1440938160;

fn suite_scheme() -> Scheme {
    Scheme::load("aws-sigv4:us-east-1:service").unwrap()
}

fn sign_suite(method: &str, url: &str, headers: &str, body: &[u8]) -> String {
    let signer = Signer::new(suite_scheme(), AKID, SECRET).unwrap();
    let h = Headers::parse(headers).unwrap();
    let req = Request::new(method, url, body).with_headers(&h);
    signer.sign_at(&req, T, "").unwrap().get("Authorization").unwrap().to_string()
}

fn sig_of(auth: &str) -> &str {
    auth.rsplit_once("Signature=").unwrap().1
}

// Expected signatures: AWS's published SigV4 test suite (aws-sig-v4-test-suite), which
// signwire did not produce. The suite's requests carry Host and X-Amz-Date headers.
#[test]
fn aws_test_suite_vectors() {
    let host = "Host:example.amazonaws.com\r\n";
    let cases: &[(&str, &str, &str, &str, &[u8], &str)] = &[
        ("get-vanilla", "GET", "https://example.amazonaws.com/", "", b"", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", "", b"", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("get-vanilla-empty-query-key", "GET", "https://example.amazonaws.com/?Param1=value1", "", b"", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        ("get-vanilla-query-unreserved", "GET", "https://example.amazonaws.com/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", b"", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        ("get-utf8", "GET", "https://example.amazonaws.com/\u{1234}", "", b"", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        ("get-slash", "GET", "https://example.amazonaws.com//", "", b"", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("get-relative-relative", "GET", "https://example.amazonaws.com/example1/example2/../..", "", b"", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("post-vanilla", "POST", "https://example.amazonaws.com/", "", b"", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        ("post-x-www-form-urlencoded", "POST", "https://example.amazonaws.com/", "Content-Type:application/x-www-form-urlencoded\r\n", b"Param1=value1", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        ("get-header-value-trim", "GET", "https://example.amazonaws.com/", "My-Header1: value1\r\nMy-Header2: \"a   b   c\"\r\n", b"", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ];
    for (name, method, url, extra, body, want) in cases {
        let got = sign_suite(method, url, &format!("{host}X-Amz-Date:20150830T123600Z\r\n{extra}"), body);
        assert_eq!(sig_of(&got), *want, "{name}: {got}");
    }
}


fn verifier() -> Verifier {
    let v = Verifier::new(suite_scheme());
    v.keyring().add_secret(AKID, SECRET).unwrap();
    v
}

fn signed(method: &str, url: &str, headers: &str, body: &[u8]) -> Headers {
    let signer = Signer::new(suite_scheme(), AKID, SECRET).unwrap();
    let mut h = Headers::parse(headers).unwrap();
    let out = signer.sign_at(&Request::new(method, url, body).with_headers(&h), T, "").unwrap();
    for (n, v) in out.iter() {
        h.push(n, v).unwrap();
    }
    h
}

#[test]
fn round_trip_and_tampering() {
    let url = "https://example.amazonaws.com/a%2Bb/~x=y?b=2&a=1";
    let h = signed("POST", url, "Content-Type: application/json\r\nX-Extra:  a   b \r\n", b"{}");
    assert!(verifier().verify_at(&Request::new("POST", url, b"{}").with_headers(&h), T + 5).is_ok());
    let refuse = |m: &str, u: &str, hb: &Headers, b: &[u8]| verifier().verify_at(&Request::new(m, u, b).with_headers(hb), T + 5).unwrap_err().status();
    assert_eq!(refuse("PUT", url, &h, b"{}"), Status::BadSignature);
    assert_eq!(refuse("POST", "https://example.amazonaws.com/a%2Bc/~x=y?b=2&a=1", &h, b"{}"), Status::BadSignature);
    assert_eq!(refuse("POST", "https://example.amazonaws.com/a%2Bb/~x=y?b=2&a=2", &h, b"{}"), Status::BadSignature);
    assert_eq!(refuse("POST", url, &h, b"{ }"), Status::BadSignature);
    let swap = |name: &str, value: &str| {
        let mut t = Headers::new();
        for (n, v) in h.iter() {
            t.push(n, if n.eq_ignore_ascii_case(name) { value } else { v }).unwrap();
        }
        t
    };
    assert_eq!(refuse("POST", url, &swap("Content-Type", "text/plain"), b"{}"), Status::BadSignature);
    assert_eq!(refuse("POST", url, &swap("X-Extra", "a b c"), b"{}"), Status::BadSignature);
    // Whitespace is not part of what is signed: collapsing it is not tampering.
    assert!(verifier().verify_at(&Request::new("POST", url, b"{}").with_headers(&swap("X-Extra", "a b")), T).is_ok());
    assert_eq!(refuse("POST", url, &swap("X-Amz-Date", "20150830T123601Z"), b"{}"), Status::BadSignature);
    assert_eq!(refuse("POST", "https://other.amazonaws.com/a%2Bb/~x=y?b=2&a=1", &h, b"{}"), Status::BadSignature);
}

#[test]
fn window_scope_key_and_replay() {
    let url = "https://example.amazonaws.com/";
    let h = signed("GET", url, "", b"");
    let req = Request::new("GET", url, b"").with_headers(&h);
    let v = verifier();
    assert_eq!(v.verify_at(&req, T + 901).unwrap_err().status(), Status::TimestampTooOld);
    assert_eq!(v.verify_at(&req, T - 901).unwrap_err().status(), Status::TimestampInFuture);
    assert!(v.verify_at(&req, T + 900).is_ok());
    assert_eq!(v.verify_at(&req, T + 900).unwrap_err().status(), Status::NonceReplayed);
    let other = Verifier::new(suite_scheme());
    other.keyring().add_secret("AKIDOTHER", SECRET).unwrap();
    assert_eq!(other.verify_at(&req, T).unwrap_err().status(), Status::UnknownKey);
    let wrong_region = Verifier::new(Scheme::load("aws-sigv4:eu-west-1:service").unwrap());
    wrong_region.keyring().add_secret(AKID, SECRET).unwrap();
    assert_eq!(wrong_region.verify_at(&req, T).unwrap_err().status(), Status::BadSignature);
    let wrong_secret = Verifier::new(suite_scheme());
    wrong_secret.keyring().add_secret(AKID, b"another secret").unwrap();
    assert_eq!(wrong_secret.verify_at(&req, T).unwrap_err().status(), Status::BadSignature);
    // Rotation: the old and the new secret both active.
    wrong_secret.keyring().add_secret(AKID, SECRET).unwrap();
    assert!(wrong_secret.verify_at(&req, T).is_ok());
}

#[test]
fn malformed_authorization_headers() {
    let url = "https://example.amazonaws.com/";
    let h = signed("GET", url, "", b"");
    let auth = h.get("Authorization").unwrap().unwrap().to_string();
    let with_auth = |a: &str, date: &str| {
        let mut t = Headers::new();
        t.push("X-Amz-Date", date).unwrap();
        t.push("Authorization", a).unwrap();
        verifier().verify_at(&Request::new("GET", url, b"").with_headers(&t), T).unwrap_err().status()
    };
    let d = "20150830T123600Z";
    let sig = sig_of(&auth).to_string();
    for bad in [
        auth.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
        auth.replace("aws4_request", "aws5_request"),
        auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date;host"),
        auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"),
        auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=host"),
        auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=Host;x-amz-date"),
        auth.replace(&sig, &sig.to_uppercase()),
        auth.replace(&sig, &sig[..62]),
        format!("{auth}, Signature={sig}"),
        format!("{auth}, Extra=1"),
        auth.replace("/20150830/", "/2015083/"),
        auth.replace("AKIDEXAMPLE/", "AKIDEXAMPLE/x/"),
        "AWS4-HMAC-SHA256".to_string(),
    ] {
        assert_eq!(with_auth(&bad, d), Status::MalformedHeader, "{bad}");
    }
    // The scope's day must be X-Amz-Date's day.
    assert_eq!(with_auth(&auth.replace("/20150830/", "/20150829/"), d), Status::MalformedHeader);
    assert_eq!(with_auth(&auth, "20150830 123600Z"), Status::MalformedHeader);
    let mut t = Headers::new();
    t.push("Authorization", &auth).unwrap();
    assert_eq!(verifier().verify_at(&Request::new("GET", url, b"").with_headers(&t), T).unwrap_err().status(), Status::MissingHeader);
}

#[test]
fn payload_hash_header_and_unsigned_payload() {
    let s3 = |unsigned: bool| {
        let mut o = Options::new("us-east-1", "s3");
        o.unsigned_payload = unsigned;
        scheme(o).unwrap()
    };
    let url = "https://bucket.s3.amazonaws.com/key%20with%20space";
    for unsigned in [false, true] {
        let signer = Signer::new(s3(unsigned), AKID, SECRET).unwrap();
        let out = signer.sign_at(&Request::new("PUT", url, b"data"), T, "").unwrap();
        let want = if unsigned { UNSIGNED_PAYLOAD.to_string() } else { sha256_hex(b"data") };
        assert_eq!(out.get("X-Amz-Content-SHA256"), Some(want.as_str()));
        assert!(out.get("Authorization").unwrap().contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"));
        let h = Headers::parse(&out.to_block()).unwrap();
        let strict = Verifier::new(s3(false));
        strict.keyring().add_secret(AKID, SECRET).unwrap();
        let r = strict.verify_at(&Request::new("PUT", url, b"data").with_headers(&h), T);
        assert_eq!(r.map_err(|e| e.status()).err(), if unsigned { Some(Status::BadSignature) } else { None });
        let lax = Verifier::new(s3(true));
        lax.keyring().add_secret(AKID, SECRET).unwrap();
        // The body is not authenticated under UNSIGNED-PAYLOAD; with a hash it is.
        let r = lax.verify_at(&Request::new("PUT", url, b"other").with_headers(&h), T);
        assert_eq!(r.map_err(|e| e.status()).err(), if unsigned { None } else { Some(Status::BadSignature) });
    }
}
