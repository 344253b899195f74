//! Bad input: every row of issue 8's list gets its own status and releases no plaintext.
//! (Interop with independent JOSE implementations is in tests/seal.rs and suite 45-seal.)

use super::*;

const BODY: &[u8] = b"{\"card\":\"4111111111111111\",\"cvv\":\"123\"}";

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/vectors/seal/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn shared_pair() -> (Recipient, OpeningKeys) {
    let key = SharedKey::new(&[0x11; 32]).unwrap();
    let keys = OpeningKeys::new();
    keys.add_shared("aes-1", key.clone()).unwrap();
    (Recipient::shared("aes-1", key).unwrap(), keys)
}

fn rsa_pair() -> (Recipient, OpeningKeys) {
    let private = RsaPrivateKey::parse(&vector("rsa2048-private.pem")).unwrap();
    let public = RsaPublicKey::parse(&vector("rsa2048-public.pem")).unwrap();
    let keys = OpeningKeys::new();
    keys.add_rsa("rsa-1", private).unwrap();
    (Recipient::rsa("rsa-1", public).unwrap(), keys)
}

fn both() -> [(Recipient, OpeningKeys); 2] {
    [shared_pair(), rsa_pair()]
}

fn status(r: Result<Zeroizing<Vec<u8>>>) -> Status {
    match r {
        Ok(p) => panic!("opened to {} bytes of plaintext", p.len()),
        Err(e) => e.status(),
    }
}

fn parts(token: &str) -> Vec<String> {
    token.split('.').map(str::to_string).collect()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn with_header(token: &str, json: &str) -> String {
    let mut p = parts(token);
    p[0] = b64(json.as_bytes());
    p.join(".")
}

/// Flip one bit of the decoded part `i` and re-encode it.
fn flip(token: &str, i: usize, byte: usize) -> String {
    let mut p = parts(token);
    let mut raw = URL_SAFE_NO_PAD.decode(&p[i]).unwrap();
    let at = byte % raw.len();
    raw[at] ^= 0x01;
    p[i] = b64(&raw);
    p.join(".")
}

#[test]
fn round_trip_both_algorithms_and_empty_body() {
    for (to, keys) in both() {
        for body in [BODY, b"", &[0u8; 1000][..]] {
            let token = to.seal(body).unwrap();
            assert_eq!(token.len(), to.sealed_len(body.len()).unwrap());
            assert_eq!(&keys.open(&token).unwrap()[..], body);
        }
        // Fresh IV (and, for RSA, content key) per token.
        assert_ne!(to.seal(BODY).unwrap(), to.seal(BODY).unwrap());
    }
}

#[test]
fn protected_header_is_what_jose_libraries_expect() {
    let (to, _) = rsa_pair();
    let token = to.seal(BODY).unwrap();
    let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts(&token)[0]).unwrap()).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "rsa-1"}));
    let p = parts(&token);
    assert_eq!(URL_SAFE_NO_PAD.decode(&p[1]).unwrap().len(), 256);
    assert_eq!(URL_SAFE_NO_PAD.decode(&p[2]).unwrap().len(), 12);
    assert_eq!(URL_SAFE_NO_PAD.decode(&p[3]).unwrap().len(), BODY.len());
    assert_eq!(URL_SAFE_NO_PAD.decode(&p[4]).unwrap().len(), 16);
    let (to, _) = shared_pair();
    assert_eq!(parts(&to.seal(BODY).unwrap())[1], "", "dir has an empty encrypted key");
}

#[test]
fn truncated_token_never_opens() {
    for (to, keys) in both() {
        let token = to.seal(BODY).unwrap();
        for cut in 0..token.len() {
            let s = status(keys.open(&token[..cut]));
            assert!(
                matches!(s, Status::MalformedToken | Status::DecryptionFailed),
                "prefix of {cut} bytes gave {s:?}"
            );
        }
    }
}

#[test]
fn wrong_number_of_parts() {
    let (to, keys) = shared_pair();
    let p = parts(&to.seal(BODY).unwrap());
    for n in [1, 2, 3, 4] {
        assert_eq!(status(keys.open(p[..n].join("."))), Status::MalformedToken, "{n} parts");
    }
    let six = format!("{}.", p.join("."));
    assert_eq!(status(keys.open(&six)), Status::MalformedToken);
    let three = keys.open(p[..3].join(".")).unwrap_err();
    assert!(three.message().contains("JWS"), "{}", three.message());
}

#[test]
fn bad_base64url_in_every_part() {
    for (to, keys) in both() {
        let token = to.seal(BODY).unwrap();
        for i in 0..5 {
            for bad in ["+", "/", "=", "!", " "] {
                let mut p = parts(&token);
                p[i].push_str(bad);
                assert_eq!(status(keys.open(p.join("."))), Status::MalformedToken, "part {i} with {bad:?}");
            }
            // Padded base64url is not the unpadded form JWE requires.
            let mut p = parts(&token);
            let raw = URL_SAFE_NO_PAD.decode(&p[i]).unwrap();
            if raw.len() % 3 != 0 {
                p[i] = base64::engine::general_purpose::URL_SAFE.encode(&raw);
                assert_eq!(status(keys.open(p.join("."))), Status::MalformedToken, "padded part {i}");
            }
        }
        // Non-canonical trailing bits: "QR" decodes to the same byte as "QQ" in lax decoders.
        let mut p = parts(&token);
        p[3] = "QR".into();
        assert_eq!(status(keys.open(p.join("."))), Status::MalformedToken);
        // Bytes that are not ASCII at all.
        let mut raw = token.clone().into_bytes();
        raw[token.len() / 2] = 0xff;
        assert_eq!(status(keys.open(&raw)), Status::MalformedToken);
    }
}

#[test]
fn altered_header_key_iv_ciphertext_or_tag_fails_decryption() {
    for (to, keys) in both() {
        let token = to.seal(BODY).unwrap();
        let first = if to.algorithm() == Algorithm::Dir { 2 } else { 1 };
        for i in first..5 {
            for byte in [0, 5, 11, 255] {
                assert_eq!(status(keys.open(flip(&token, i, byte))), Status::DecryptionFailed, "part {i} byte {byte}");
            }
        }
        // The same header with different bytes (whitespace) is a different AAD.
        let p = parts(&token);
        let json = String::from_utf8(URL_SAFE_NO_PAD.decode(&p[0]).unwrap()).unwrap();
        let spaced = json.replacen(',', ", ", 1);
        assert_eq!(status(keys.open(with_header(&token, &spaced))), Status::DecryptionFailed);
    }
}

#[test]
fn iv_or_tag_of_the_wrong_length_is_malformed() {
    let (to, keys) = shared_pair();
    let token = to.seal(BODY).unwrap();
    for (i, len) in [(2, 16), (2, 8), (4, 12), (4, 0)] {
        let mut p = parts(&token);
        p[i] = b64(&vec![7u8; len]);
        assert_eq!(status(keys.open(p.join("."))), Status::MalformedToken, "part {i} length {len}");
    }
    // A dir token with an encrypted key is malformed, as is an RSA key of the wrong size.
    let mut p = parts(&token);
    p[1] = b64(&[1u8; 32]);
    assert_eq!(status(keys.open(p.join("."))), Status::MalformedToken);
    let (to, keys) = rsa_pair();
    let mut p = parts(&to.seal(BODY).unwrap());
    p[1] = b64(&[1u8; 255]);
    assert_eq!(status(keys.open(p.join("."))), Status::MalformedToken);
}

#[test]
fn wrong_key_fails_decryption() {
    let (to, _) = shared_pair();
    let other = OpeningKeys::new();
    other.add_shared("aes-1", SharedKey::new(&[0x12; 32]).unwrap()).unwrap();
    assert_eq!(status(other.open(to.seal(BODY).unwrap())), Status::DecryptionFailed);

    let (to, _) = rsa_pair();
    let fresh = aws_lc_rs::rsa::PrivateDecryptingKey::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&fresh).unwrap();
    let other = OpeningKeys::new();
    other.add_rsa("rsa-1", RsaPrivateKey::parse(der.as_ref()).unwrap()).unwrap();
    assert_eq!(status(other.open(to.seal(BODY).unwrap())), Status::DecryptionFailed);
}

#[test]
fn unknown_or_missing_kid() {
    for (to, keys) in both() {
        let token = to.seal(BODY).unwrap();
        let alg = to.algorithm().name();
        let unknown = with_header(&token, &format!("{{\"alg\":\"{alg}\",\"enc\":\"A256GCM\",\"kid\":\"nobody\"}}"));
        assert_eq!(status(keys.open(&unknown)), Status::UnknownKey);
        let missing = with_header(&token, &format!("{{\"alg\":\"{alg}\",\"enc\":\"A256GCM\"}}"));
        assert_eq!(status(keys.open(&missing)), Status::MalformedToken);
        let number = with_header(&token, &format!("{{\"alg\":\"{alg}\",\"enc\":\"A256GCM\",\"kid\":7}}"));
        assert_eq!(status(keys.open(&number)), Status::MalformedToken);
        // Removing a key (rotation) makes its tokens unknown.
        assert!(keys.remove(to.kid()));
        assert_eq!(status(keys.open(&token)), Status::UnknownKey);
    }
}

#[test]
fn alg_none_and_unsupported_alg_or_enc() {
    let (to, keys) = shared_pair();
    let token = to.seal(BODY).unwrap();
    for alg in ["none", "None", "RSA1_5", "RSA-OAEP", "A256KW", "ECDH-ES", "PBES2-HS256+A128KW", "HS256", ""] {
        let t = with_header(&token, &format!("{{\"alg\":\"{alg}\",\"enc\":\"A256GCM\",\"kid\":\"aes-1\"}}"));
        assert_eq!(status(keys.open(&t)), Status::UnsupportedAlgorithm, "alg {alg:?}");
    }
    // alg none with the tail a JWS "none" would have.
    let none = format!("{}.{}.", b64(br#"{"alg":"none","enc":"A256GCM","kid":"aes-1"}"#), b64(BODY));
    assert!(matches!(status(keys.open(&none)), Status::MalformedToken | Status::UnsupportedAlgorithm));
    for enc in ["A128GCM", "A192GCM", "A256CBC-HS512", "A128CBC-HS256", "a256gcm", ""] {
        let t = with_header(&token, &format!("{{\"alg\":\"dir\",\"enc\":\"{enc}\",\"kid\":\"aes-1\"}}"));
        assert_eq!(status(keys.open(&t)), Status::UnsupportedAlgorithm, "enc {enc:?}");
    }
    let zip = with_header(&token, r#"{"alg":"dir","enc":"A256GCM","kid":"aes-1","zip":"DEF"}"#);
    assert_eq!(status(keys.open(&zip)), Status::UnsupportedAlgorithm);
    let crit = with_header(&token, r#"{"alg":"dir","enc":"A256GCM","kid":"aes-1","crit":["exp"],"exp":1}"#);
    assert_eq!(status(keys.open(&crit)), Status::UnsupportedAlgorithm);
    // A kid that names a shared key cannot be used with RSA (and the reverse): no confusion.
    let confused = with_header(&token, r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"aes-1"}"#);
    assert_eq!(status(keys.open(&confused)), Status::UnsupportedAlgorithm);
    let (rto, rkeys) = rsa_pair();
    let confused = with_header(&rto.seal(BODY).unwrap(), r#"{"alg":"dir","enc":"A256GCM","kid":"rsa-1"}"#);
    assert_eq!(status(rkeys.open(&confused)), Status::UnsupportedAlgorithm);
}

#[test]
fn header_that_is_not_one_json_object() {
    let (to, keys) = shared_pair();
    let token = to.seal(BODY).unwrap();
    for json in [
        "",
        "[]",
        "\"dir\"",
        "{",
        r#"{"alg":"dir","enc":"A256GCM","kid":"aes-1"} x"#,
        r#"{"alg":"dir","alg":"none","enc":"A256GCM","kid":"aes-1"}"#,
        r#"{"alg":"dir","enc":"A256GCM","kid":"aes-1","kid":"aes-2"}"#,
        r#"{"alg":["dir"],"enc":"A256GCM","kid":"aes-1"}"#,
    ] {
        assert_eq!(status(keys.open(with_header(&token, json))), Status::MalformedToken, "{json}");
    }
    let p = parts(&token);
    let huge = format!("{}.{}", "A".repeat(MAX_HEADER_LEN + 4), p[1..].join("."));
    assert_eq!(status(keys.open(&huge)), Status::InputTooLarge);
}

#[test]
fn token_over_the_size_limit() {
    let (to, keys) = shared_pair();
    let token = to.seal(&[b'x'; 2000]).unwrap();
    let small = OpeningKeys::new().with_max_token_len(1024).unwrap();
    small.add_shared("aes-1", SharedKey::new(&[0x11; 32]).unwrap()).unwrap();
    assert_eq!(status(small.open(&token)), Status::InputTooLarge);
    assert!(keys.open(&token).is_ok());
    // Checked before any parsing: a giant token of junk is refused for its size.
    assert_eq!(status(keys.open(vec![b'!'; MAX_TOKEN_LEN + 1])), Status::InputTooLarge);
    // The sealing side refuses bodies whose token would not fit, before encrypting.
    assert_eq!(to.sealed_len(MAX_TOKEN_LEN).unwrap_err().status(), Status::InputTooLarge);
    assert!(OpeningKeys::new().with_max_token_len(0).is_err());
    assert!(OpeningKeys::new().with_max_token_len(MAX_TOKEN_LEN + 1).is_err());
}

#[test]
fn weak_rsa_key_is_refused_on_both_sides() {
    assert_eq!(RsaPublicKey::parse(&vector("rsa1024-public.pem")).unwrap_err().status(), Status::WeakKey);
    assert_eq!(RsaPrivateKey::parse(&vector("rsa1024-private.pem")).unwrap_err().status(), Status::WeakKey);
}

#[test]
fn key_ids_are_checked_and_unique() {
    let key = SharedKey::new(&[1; 32]).unwrap();
    assert!(Recipient::shared("", key.clone()).is_err());
    assert!(Recipient::shared("has space", key.clone()).is_err());
    let keys = OpeningKeys::new();
    keys.add_shared("k", key.clone()).unwrap();
    assert_eq!(keys.add_shared("k", key).unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(keys.kids(), vec!["k".to_string()]);
}

#[test]
fn errors_never_carry_key_material_or_plaintext() {
    let (to, keys) = shared_pair();
    let token = to.seal(BODY).unwrap();
    let e = keys.open(flip(&token, 3, 0)).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("4111") && !shown.contains("1111111111"), "{shown}");
    assert_eq!(format!("{to:?}"), "Recipient { kid: \"aes-1\", alg: \"dir\" }");
}

mod query_params {
    use super::*;
    use crate::seal::query::{open_query, open_url, pairs, seal_query, seal_url, DEFAULT_PARAM};

    #[test]
    fn chosen_params_are_sealed_in_place_and_restored() {
        for (to, keys) in both() {
            let q = "a=1&card=4111111111111111&b=2&cvv=123&c";
            let sealed = seal_query(q, &["card", "cvv"], DEFAULT_PARAM, &to).unwrap();
            let p = pairs(&sealed);
            assert_eq!(p.len(), 4);
            assert_eq!((p[0], p[2], p[3]), (("a", "1"), ("b", "2"), ("c", "")));
            assert_eq!(p[1].0, "sealed");
            assert!(!sealed.contains("4111") && !sealed.contains("123"));
            // The value is a plain JWE: open it directly to see exactly what was sealed.
            assert_eq!(&keys.open(p[1].1).unwrap()[..], b"card=4111111111111111&cvv=123");
            assert_eq!(open_query(&sealed, DEFAULT_PARAM, &keys).unwrap().as_str(), "a=1&card=4111111111111111&cvv=123&b=2&c");
        }
    }

    #[test]
    fn urls_keep_everything_but_the_sealed_pairs() {
        let (to, keys) = shared_pair();
        let url = seal_url("https://h.example/p?card=4111&x=%20y#frag", &["card"], "enc", &to).unwrap();
        assert!(url.starts_with("https://h.example/p?enc=") && url.ends_with("&x=%20y#frag"), "{url}");
        assert_eq!(open_url(&url, "enc", &keys).unwrap().as_str(), "https://h.example/p?card=4111&x=%20y#frag");
    }

    #[test]
    fn misuse_and_bad_input() {
        let (to, keys) = shared_pair();
        let inv = |r: Result<String>| r.unwrap_err().status();
        assert_eq!(inv(seal_query("a=1", &["card"], "sealed", &to)), Status::InvalidArgument);
        assert_eq!(inv(seal_query("a=1&sealed=x", &["a"], "sealed", &to)), Status::InvalidArgument);
        assert_eq!(inv(seal_query("a=1", &[], "sealed", &to)), Status::InvalidArgument);
        assert_eq!(inv(seal_query("a=1", &["a"], "bad name", &to)), Status::InvalidArgument);
        assert_eq!(inv(seal_query("a=1#x", &["a"], "sealed", &to)), Status::InvalidArgument);
        assert_eq!(inv(seal_url("https://h/p", &["a"], "sealed", &to)), Status::InvalidArgument);

        let st = |r: Result<Zeroizing<String>>| r.unwrap_err().status();
        assert_eq!(st(open_query("a=1", "sealed", &keys)), Status::MalformedToken);
        let s = seal_query("a=1&b=2", &["a"], "sealed", &to).unwrap();
        assert_eq!(st(open_query(&format!("{s}&{s}"), "sealed", &keys)), Status::MalformedToken);
        assert_eq!(st(open_query("sealed=", "sealed", &keys)), Status::MalformedToken);
        assert_eq!(st(open_query("sealed=a.b.c.d.e", "sealed", &keys)), Status::MalformedToken);
        let tampered = s.replacen("sealed=", "sealed=x", 1);
        assert!(matches!(st(open_query(&tampered, "sealed", &keys)), Status::MalformedToken | Status::DecryptionFailed));
        // A sealed value that authenticates but is not a query is refused, not spliced in.
        for inner in [&b"a=1&&b=2"[..], b"x#y", b"sealed=1", b"", b"\xff"] {
            let t = to.seal(inner).unwrap();
            assert_eq!(st(open_query(&format!("sealed={t}"), "sealed", &keys)), Status::MalformedToken, "{inner:?}");
        }
    }
}

mod encrypt_then_sign {
    use super::*;
    use crate::{Headers, Request, Scheme, Signer, Verifier};

    fn setup() -> (Signer, Verifier, Recipient, OpeningKeys) {
        let scheme = Scheme::load("hopnow").unwrap();
        let signer = Signer::new(scheme.clone(), "client-1", b"hmac-secret").unwrap();
        let verifier = Verifier::new(scheme);
        verifier.keyring().add_secret("client-1", b"hmac-secret").unwrap();
        let (to, keys) = rsa_pair();
        (signer, verifier, to, keys)
    }

    #[test]
    fn signature_covers_the_token_and_is_checked_before_decryption() {
        let (signer, verifier, to, keys) = setup();
        let url = "https://api.example.com/v1/pay";
        let sent = seal_and_sign(&signer, "POST", url, BODY, &to).unwrap();
        let headers = Headers::parse(&sent.headers.to_block()).unwrap();

        // The signature is over the token as transmitted, not the plaintext.
        let over_token = Request::new("POST", url, sent.body.as_bytes()).with_headers(&headers);
        let (who, body) = verify_and_open(&verifier, &over_token, &keys).unwrap();
        assert_eq!((who.key_id.as_str(), &body[..]), ("client-1", BODY));

        // A token altered in transit fails the signature, so it is never decrypted: the
        // error is BAD_SIGNATURE, not DECRYPTION_FAILED.
        let altered = flip(&sent.body, 3, 0);
        let fresh = seal_and_sign(&signer, "POST", url, BODY, &to).unwrap();
        let h2 = Headers::parse(&fresh.headers.to_block()).unwrap();
        let e = verify_and_open(&verifier, &Request::new("POST", url, altered.as_bytes()).with_headers(&h2), &keys).unwrap_err();
        assert_eq!(e.status(), Status::BadSignature);

        // A validly signed request whose token no key opens: verification passes first,
        // then decryption fails (the order is observable through the statuses).
        let empty = OpeningKeys::new();
        let third = seal_and_sign(&signer, "POST", url, BODY, &to).unwrap();
        let h3 = Headers::parse(&third.headers.to_block()).unwrap();
        let e = verify_and_open(&verifier, &Request::new("POST", url, third.body.as_bytes()).with_headers(&h3), &empty).unwrap_err();
        assert_eq!(e.status(), Status::UnknownKey);

        // A replay of the first request is refused by the nonce check before any decryption.
        let e = verify_and_open(&verifier, &over_token, &keys).unwrap_err();
        assert_eq!(e.status(), Status::NonceReplayed);
    }

    #[test]
    fn sealed_query_then_signed_url() {
        let (signer, verifier, to, keys) = setup();
        let url = crate::seal::query::seal_url("https://api.example.com/v1/pay?a=1&card=4111111111111111&b=2", &["card"], "sealed", &to).unwrap();
        let signed = signer.sign(&Request::new("GET", &url, b"")).unwrap();
        let headers = Headers::parse(&signed.to_block()).unwrap();
        verifier.verify(&Request::new("GET", &url, b"").with_headers(&headers)).unwrap();
        let opened = crate::seal::query::open_url(&url, "sealed", &keys).unwrap();
        assert_eq!(opened.as_str(), "https://api.example.com/v1/pay?a=1&card=4111111111111111&b=2");
    }
}
