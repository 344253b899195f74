//! RFC 9421 Appendix B.2 and RFC 9530 examples, reproduced byte for byte.
//!
//! The keys in tests/vectors/httpsig are RFC 9421 Appendix B.1's published test keys
//! (B.1.1 test-key-rsa, B.1.2 test-key-rsa-pss, B.1.3 test-key-ecc-p256, B.1.4
//! test-key-ed25519, B.1.5 test-shared-secret); the request, response, signature bases and
//! signatures below are the RFC's text with its RFC 8792 line wrapping undone.

use signwire::scheme::http_signatures::base::{escape_for_display, signature_base};
use signwire::scheme::http_signatures::components::Message;
use signwire::scheme::http_signatures::digest::{check_content_digest, content_digest, DigestAlgorithm};
use signwire::scheme::http_signatures::keys::{Algorithm, SigningKey, VerifyingKey};
use signwire::scheme::http_signatures::{self as hs, parse_signatures};
use signwire::{Headers, Status};

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/vectors/httpsig/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// RFC 9421 B.2 "test-request" (the body is `{"hello": "world"}`).
const REQUEST_HEADERS: &str = "Host: example.com\r\n\
Date: Tue, 20 Apr 2021 02:07:55 GMT\r\n\
Content-Type: application/json\r\n\
Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\r\n\
Content-Length: 18\r\n";
const REQUEST_BODY: &[u8] = b"{\"hello\": \"world\"}";
const REQUEST_URL: &str = "/foo?param=Value&Pet=dog";

/// RFC 9421 B.2 "test-response".
const RESPONSE_HEADERS: &str = "Date: Tue, 20 Apr 2021 02:07:56 GMT\r\n\
Content-Type: application/json\r\n\
Content-Digest: sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:\r\n\
Content-Length: 23\r\n";
const RESPONSE_BODY: &[u8] = b"{\"message\": \"good dog\"}";

struct Example {
    name: &'static str,
    response: bool,
    signature_input: &'static str,
    signature: &'static str,
    base: &'static str,
    key: &'static str,
    algorithm: Algorithm,
}

const EXAMPLES: &[Example] = &[
    Example {
        name: "B.2.1 minimal signature using rsa-pss-sha512",
        response: false,
        signature_input: r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#,
        signature: "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:",
        base: r#""@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#,
        key: "test-key-rsa-pss",
        algorithm: Algorithm::RsaPssSha512,
    },
    Example {
        name: "B.2.2 selective covered components using rsa-pss-sha512",
        response: false,
        signature_input: r#"sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example""#,
        signature: "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:",
        base: concat!(
            "\"@authority\": example.com\n",
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n",
            "\"@query-param\";name=\"Pet\": dog\n",
            "\"@signature-params\": (\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\""
        ),
        key: "test-key-rsa-pss",
        algorithm: Algorithm::RsaPssSha512,
    },
    Example {
        name: "B.2.3 full coverage using rsa-pss-sha512",
        response: false,
        signature_input: r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
        signature: "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:",
        base: concat!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n",
            "\"@method\": POST\n",
            "\"@path\": /foo\n",
            "\"@query\": ?param=Value&Pet=dog\n",
            "\"@authority\": example.com\n",
            "\"content-type\": application/json\n",
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n",
            "\"content-length\": 18\n",
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\""
        ),
        key: "test-key-rsa-pss",
        algorithm: Algorithm::RsaPssSha512,
    },
    Example {
        name: "B.2.4 signing a response using ecdsa-p256-sha256",
        response: true,
        signature_input: r#"sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256""#,
        signature: "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:",
        base: concat!(
            "\"@status\": 200\n",
            "\"content-type\": application/json\n",
            "\"content-digest\": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:\n",
            "\"content-length\": 23\n",
            "\"@signature-params\": (\"@status\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-ecc-p256\""
        ),
        key: "test-key-ecc-p256",
        algorithm: Algorithm::EcdsaP256Sha256,
    },
    Example {
        name: "B.2.5 signing a request using hmac-sha256",
        response: false,
        signature_input: r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#,
        signature: "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:",
        base: concat!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n",
            "\"@authority\": example.com\n",
            "\"content-type\": application/json\n",
            "\"@signature-params\": (\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\""
        ),
        key: "test-shared-secret",
        algorithm: Algorithm::HmacSha256,
    },
    Example {
        name: "B.2.6 signing a request using ed25519",
        response: false,
        signature_input: r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#,
        signature: "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
        base: concat!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n",
            "\"@method\": POST\n",
            "\"@path\": /foo\n",
            "\"@authority\": example.com\n",
            "\"content-type\": application/json\n",
            "\"content-length\": 18\n",
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
        ),
        key: "test-key-ed25519",
        algorithm: Algorithm::Ed25519,
    },
];

fn shared_secret() -> Vec<u8> {
    hs::decode_base64(std::str::from_utf8(&vector("test-shared-secret")).unwrap().trim()).unwrap()
}

fn verifying_key(ex: &Example) -> VerifyingKey {
    match ex.algorithm {
        Algorithm::HmacSha256 => VerifyingKey::hmac(&shared_secret()).unwrap(),
        alg => VerifyingKey::from_pem(alg, &vector(&format!("{}.pub", ex.key))).unwrap(),
    }
}

fn signed_headers(ex: &Example) -> Headers {
    let mut h = Headers::parse(if ex.response { RESPONSE_HEADERS } else { REQUEST_HEADERS }).unwrap();
    h.push("Signature-Input", ex.signature_input).unwrap();
    h.push("Signature", ex.signature).unwrap();
    h
}

fn message<'a>(ex: &Example, headers: &'a Headers) -> Message<'a> {
    Message { method: "POST", url: REQUEST_URL, headers, status: ex.response.then_some(200) }
}

#[test]
fn appendix_b2_signature_bases_byte_for_byte() {
    for ex in EXAMPLES {
        let headers = signed_headers(ex);
        let sigs = parse_signatures(&headers).unwrap();
        assert_eq!(sigs.len(), 1, "{}", ex.name);
        let (label, params, _) = &sigs[0];
        assert_eq!(format!("{label}={}", params.serialize().unwrap()), ex.signature_input, "{}: Signature-Input re-serialised", ex.name);
        let base = signature_base(params, &message(ex, &headers)).unwrap();
        assert_eq!(base, ex.base, "{}: signature base", ex.name);
    }
}

#[test]
fn appendix_b2_published_signatures_verify_with_the_published_keys() {
    for ex in EXAMPLES {
        let headers = signed_headers(ex);
        let (_, params, signature) = parse_signatures(&headers).unwrap().remove(0);
        let base = signature_base(&params, &message(ex, &headers)).unwrap();
        let key = verifying_key(ex);
        assert!(key.verify(base.as_bytes(), &signature), "{}: published signature must verify", ex.name);
        // One changed byte of the base, or of the signature, is refused.
        let mut tampered = base.clone().into_bytes();
        tampered[0] ^= 1;
        assert!(!key.verify(&tampered, &signature), "{}", ex.name);
        let mut bad_sig = signature.clone();
        let last = bad_sig.len() - 1;
        bad_sig[last] ^= 1;
        assert!(!key.verify(base.as_bytes(), &bad_sig), "{}", ex.name);
    }
}

#[test]
fn deterministic_algorithms_reproduce_the_published_signatures() {
    for ex in EXAMPLES.iter().filter(|e| matches!(e.algorithm, Algorithm::HmacSha256 | Algorithm::Ed25519)) {
        let key = match ex.algorithm {
            Algorithm::HmacSha256 => SigningKey::hmac(&shared_secret()).unwrap(),
            alg => SigningKey::from_pem(alg, &vector(&format!("{}.key", ex.key))).unwrap(),
        };
        let sig = key.sign(ex.base.as_bytes()).unwrap();
        let expected = ex.signature.split_once('=').unwrap().1.trim_matches(':');
        assert_eq!(sig, hs::decode_base64(expected).unwrap(), "{}", ex.name);
    }
}

#[test]
fn non_deterministic_algorithms_sign_what_the_published_keys_verify() {
    for ex in EXAMPLES.iter().filter(|e| matches!(e.algorithm, Algorithm::RsaPssSha512 | Algorithm::EcdsaP256Sha256)) {
        let signing = SigningKey::from_pem(ex.algorithm, &vector(&format!("{}.key", ex.key))).unwrap();
        let sig = signing.sign(ex.base.as_bytes()).unwrap();
        assert!(verifying_key(ex).verify(ex.base.as_bytes(), &sig), "{}", ex.name);
    }
}

/// RFC 9421 section 4.3: the proxy's rsa-v1_5-sha256 signature (B.1.1 test-key-rsa) over
/// the forwarded request.
#[test]
fn section_4_3_rsa_v1_5_proxy_signature_verifies() {
    let mut headers = Headers::parse(REQUEST_HEADERS).unwrap();
    headers.push("Forwarded", "for=192.0.2.123;host=example.com;proto=https").unwrap();
    headers.push("Signature-Input", r#"proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540"#).unwrap();
    headers.push("Signature", "proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:").unwrap();
    let msg = Message { method: "POST", url: "https://origin.host.internal.example/foo?param=Value&Pet=dog", headers: &headers, status: None };
    let (_, params, signature) = parse_signatures(&headers).unwrap().remove(0);
    let base = signature_base(&params, &msg).unwrap();
    let key = VerifyingKey::from_pem(Algorithm::RsaV15Sha256, &vector("test-key-rsa.pub")).unwrap();
    assert!(key.verify(base.as_bytes(), &signature));
    // Verification only: signwire does not sign with PKCS#1 v1.5.
    let e = SigningKey::from_pem(Algorithm::RsaV15Sha256, &vector("test-key-rsa.key")).unwrap_err();
    assert_eq!(e.status(), Status::UnsupportedAlgorithm);
}

#[test]
fn rfc9530_content_digest_examples() {
    // RFC 9530's examples: `{"hello": "world"}` with and without the final line feed, and
    // empty content; RFC 9421's test messages carry the sha-512 forms.
    let cases: [(&[u8], DigestAlgorithm, &str); 6] = [
        (b"{\"hello\": \"world\"}", DigestAlgorithm::Sha256, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"),
        (b"{\"hello\": \"world\"}", DigestAlgorithm::Sha512, "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"),
        (b"{\"hello\": \"world\"}\n", DigestAlgorithm::Sha256, "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"),
        (b"{\"hello\": \"world\"}\n", DigestAlgorithm::Sha512, "sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:"),
        (b"", DigestAlgorithm::Sha256, "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"),
        (RESPONSE_BODY, DigestAlgorithm::Sha512, "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"),
    ];
    for (body, alg, expected) in cases {
        assert_eq!(content_digest(alg, body), expected);
        assert_eq!(check_content_digest(expected, body).unwrap(), alg);
        assert_eq!(check_content_digest(expected, b"tampered").unwrap_err().status(), Status::BadSignature);
    }
    // Both algorithms in one field: both must match; unknown ones are ignored but do not count.
    let both = "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:, sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:";
    assert!(check_content_digest(both, b"{\"hello\": \"world\"}\n").is_ok());
    let one_wrong = "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:, sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
    assert!(check_content_digest(one_wrong, b"{\"hello\": \"world\"}\n").is_err());
    assert_eq!(check_content_digest("md5=:AAAA:, unixsum=:AAAA:", b"").unwrap_err().status(), Status::UnsupportedAlgorithm);
    assert_eq!(check_content_digest("sha-256=\"x\"", b"").unwrap_err().status(), Status::MalformedHeader);
}

#[test]
fn request_body_matches_the_rfc_test_request_digest() {
    let h = Headers::parse(REQUEST_HEADERS).unwrap();
    assert!(check_content_digest(h.get("content-digest").unwrap().unwrap(), REQUEST_BODY).is_ok());
}

#[test]
fn jwk_keys_equal_their_pem_forms() {
    // RFC 9421 B.1.4's JWK form of test-key-ed25519 and B.1.3's of test-key-ecc-p256.
    let ed = br#"{"kty":"OKP","crv":"Ed25519","kid":"test-key-ed25519","d":"n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}"#;
    let ex = &EXAMPLES[5];
    let sig = SigningKey::from_jwk(ed, Some(Algorithm::Ed25519)).unwrap().sign(ex.base.as_bytes()).unwrap();
    assert_eq!(sig, hs::decode_base64(ex.signature.split_once('=').unwrap().1.trim_matches(':')).unwrap());
    let public = VerifyingKey::from_jwk(br#"{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}"#, None).unwrap();
    assert!(public.verify(ex.base.as_bytes(), &sig));
    let ec = br#"{"kty":"EC","crv":"P-256","kid":"test-key-ecc-p256","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0","d":"UpuF81l-kOxbjf7T4mNSv0r5tN67Gim7rnf6EFpcYDs"}"#;
    let b24 = &EXAMPLES[3];
    let headers = signed_headers(b24);
    let (_, _, published) = parse_signatures(&headers).unwrap().remove(0);
    assert!(VerifyingKey::from_jwk(ec, Some(Algorithm::EcdsaP256Sha256)).unwrap().verify(b24.base.as_bytes(), &published));
    let mine = SigningKey::from_jwk(ec, Some(Algorithm::EcdsaP256Sha256)).unwrap().sign(b24.base.as_bytes()).unwrap();
    assert!(VerifyingKey::from_pem(Algorithm::EcdsaP256Sha256, &vector("test-key-ecc-p256.pub")).unwrap().verify(b24.base.as_bytes(), &mine));
    // A JWK of the wrong type for the algorithm is refused, not coerced.
    assert!(VerifyingKey::from_jwk(ec, Some(Algorithm::Ed25519)).is_err());
}

#[test]
fn keys_of_the_wrong_kind_or_size_are_refused() {
    assert!(VerifyingKey::from_pem(Algorithm::Ed25519, &vector("test-key-rsa-pss.pub")).is_err());
    assert!(VerifyingKey::from_pem(Algorithm::EcdsaP384Sha384, &vector("test-key-ecc-p256.pub")).is_err());
    assert!(SigningKey::from_pem(Algorithm::Ed25519, &vector("test-key-ed25519.pub")).is_err());
    assert!(SigningKey::hmac(b"").is_err());
    let p384 = SigningKey::from_pem(Algorithm::EcdsaP384Sha384, &vector("test-key-ecc-p384.key")).unwrap();
    let sig = p384.sign(b"base").unwrap();
    assert_eq!(sig.len(), 96);
    assert!(VerifyingKey::from_pem(Algorithm::EcdsaP384Sha384, &vector("test-key-ecc-p384.pub")).unwrap().verify(b"base", &sig));
}

#[test]
fn explain_escapes_invisible_bytes() {
    assert_eq!(escape_for_display("\"a\": x\t \n\"b\": \u{e9}"), "\"a\": x\\x09\\x20\\n\n\"b\": \\xc3\\xa9");
}

// --- the kind through Scheme, Signer and Verifier (the shared policy) ---

use signwire::{Request, Scheme, Signer, Verifier};

fn scheme(alg: &str, extra: &str) -> Scheme {
    Scheme::load(&format!(
        r#"{{"kind": "http-message-signatures", "name": "acme", "algorithm": "{alg}",
            "components": ["@method", "@target-uri", "content-digest", "content-type"], "tag": "acme"{extra}}}"#
    ))
    .unwrap()
}

const URL: &str = "https://api.example.com/v1/pay?x=1";
const BODY: &[u8] = b"{\"amount\":100}";

fn sign_headers(signer: &Signer, created: i64, nonce: &str) -> Headers {
    let base = Headers::parse("Content-Type: application/json\r\n").unwrap();
    let signed = signer.sign_at(&Request::new("POST", URL, BODY).with_headers(&base), created, nonce).unwrap();
    Headers::parse(&format!("{}{}", base.to_block(), signed.to_block())).unwrap()
}

#[test]
fn scheme_documents_round_trip() {
    let s = scheme("ed25519", r#", "expires_in": 60, "label": "acme-sig""#);
    assert_eq!(Scheme::from_json(&s.to_json()).unwrap(), s);
    for bad in [
        r#"{"kind": "http-message-signatures", "algorithm": "rsa-sha1", "components": ["@method"]}"#,
        r#"{"kind": "http-message-signatures", "algorithm": "ed25519", "components": ["Content-Type"]}"#,
        r#"{"kind": "http-message-signatures", "algorithm": "ed25519", "components": ["@method"], "content_digest": "sha-256"}"#,
        r#"{"kind": "http-message-signatures", "algorithm": "ed25519", "components": ["@method"], "label": "Bad"}"#,
        r#"{"kind": "http-message-signatures", "algorithm": "ed25519", "components": ["@method"], "surprise": 1}"#,
    ] {
        assert!(Scheme::load(bad).is_err(), "{bad}");
    }
}

#[test]
fn every_algorithm_signs_and_verifies_through_the_pipeline() {
    let now = 1_700_000_000;
    for (alg, private, public) in [
        ("ed25519", "test-key-ed25519.key", "test-key-ed25519.pub"),
        ("ecdsa-p256-sha256", "test-key-ecc-p256.key", "test-key-ecc-p256.pub"),
        ("ecdsa-p384-sha384", "test-key-ecc-p384.key", "test-key-ecc-p384.pub"),
        ("rsa-pss-sha512", "test-key-rsa-pss.key", "test-key-rsa-pss.pub"),
    ] {
        let s = scheme(alg, "");
        let signer = Signer::with_private_key(s.clone(), "k1", &vector(private)).unwrap();
        let verifier = Verifier::new(s);
        verifier.add_public_key("k1", &vector(public)).unwrap();
        let h = sign_headers(&signer, now, "00112233445566778899aabbccddeeff");
        let input = h.get("signature-input").unwrap().unwrap();
        assert!(input.contains(&format!("alg=\"{alg}\"")) && input.contains("tag=\"acme\""), "{input}");
        let ok = verifier.verify_at(&Request::new("POST", URL, BODY).with_headers(&h), now).unwrap();
        assert_eq!((ok.key_id.as_str(), ok.timestamp), ("k1", now), "{alg}");
        // Replay, tampered body, tampered method: refused.
        let again = verifier.verify_at(&Request::new("POST", URL, BODY).with_headers(&h), now).unwrap_err();
        assert_eq!(again.status(), Status::NonceReplayed, "{alg}");
        let h2 = sign_headers(&signer, now, "00112233445566778899aabbccddeef0");
        let e = verifier.verify_at(&Request::new("POST", URL, b"{\"amount\":999}").with_headers(&h2), now).unwrap_err();
        assert_eq!(e.status(), Status::BadSignature, "{alg}: body");
        let e = verifier.verify_at(&Request::new("PUT", URL, BODY).with_headers(&h2), now).unwrap_err();
        assert_eq!(e.status(), Status::BadSignature, "{alg}: method");
        // The forged attempts burnt no nonce: the genuine request still passes.
        assert!(verifier.verify_at(&Request::new("POST", URL, BODY).with_headers(&h2), now).is_ok(), "{alg}");
    }
}

#[test]
fn hmac_uses_the_keyring_and_its_rotation() {
    let s = scheme("hmac-sha256", "");
    let now = 1_700_000_000;
    let old = Signer::new(s.clone(), "k1", b"old secret of thirty-two bytes!!").unwrap();
    let new = Signer::new(s.clone(), "k1", b"new secret of thirty-two bytes!!").unwrap();
    let verifier = Verifier::new(s.clone());
    verifier.keyring().add_secret("k1", b"old secret of thirty-two bytes!!").unwrap();
    verifier.keyring().add_secret("k1", b"new secret of thirty-two bytes!!").unwrap();
    for (i, signer) in [old, new].iter().enumerate() {
        let h = sign_headers(signer, now, &format!("{i:032x}"));
        assert!(verifier.verify_at(&Request::new("POST", URL, BODY).with_headers(&h), now).is_ok());
    }
    // A private-key constructor is refused for an HMAC scheme's asymmetric twin and vice versa.
    assert!(Signer::new(scheme("ed25519", ""), "k1", b"secret").is_err());
    assert!(Verifier::new(Scheme::load("hopnow").unwrap()).add_public_key("k1", &vector("test-key-ed25519.pub")).is_err());
}

#[test]
fn policy_window_expiry_unknown_key_ip_and_required_components() {
    let s = scheme("ed25519", r#", "expires_in": 30"#);
    let signer = Signer::with_private_key(s.clone(), "k1", &vector("test-key-ed25519.key")).unwrap();
    let mut verifier = Verifier::new(s.clone());
    verifier.add_public_key("k1", &vector("test-key-ed25519.pub")).unwrap();
    let now = 1_700_000_000;
    let req = |h| Request::new("POST", URL, BODY).with_headers(h);
    let h = sign_headers(&signer, now - 1000, "a0112233445566778899aabbccddeeff");
    assert_eq!(verifier.verify_at(&req(&h), now).unwrap_err().status(), Status::TimestampTooOld);
    let h = sign_headers(&signer, now + 1000, "b0112233445566778899aabbccddeeff");
    assert_eq!(verifier.verify_at(&req(&h), now).unwrap_err().status(), Status::TimestampInFuture);
    let h = sign_headers(&signer, now - 40, "c0112233445566778899aabbccddeeff");
    assert_eq!(verifier.verify_at(&req(&h), now).unwrap_err().status(), Status::TimestampTooOld, "expires");
    let other = Signer::with_private_key(s.clone(), "k2", &vector("test-key-ed25519.key")).unwrap();
    let h = sign_headers(&other, now, "d0112233445566778899aabbccddeeff");
    assert_eq!(verifier.verify_at(&req(&h), now).unwrap_err().status(), Status::UnknownKey);
    verifier.allow_ip("10.0.0.0/8").unwrap();
    let h = sign_headers(&signer, now, "e0112233445566778899aabbccddeeff");
    let e = verifier.verify_at(&req(&h).with_remote_addr(Some("192.0.2.1")), now).unwrap_err();
    assert_eq!(e.status(), Status::IpNotAllowed);
    assert!(verifier.verify_at(&req(&h).with_remote_addr(Some("10.1.2.3")), now).is_ok());

    // A signature that leaves out a required component is refused, even if valid.
    let narrow = Scheme::load(r#"{"kind": "http-message-signatures", "name": "acme", "algorithm": "ed25519", "components": ["@method"], "tag": "acme"}"#).unwrap();
    let narrow_signer = Signer::with_private_key(narrow, "k1", &vector("test-key-ed25519.key")).unwrap();
    let h = sign_headers(&narrow_signer, now, "f0112233445566778899aabbccddeeff");
    let e = verifier.verify_at(&req(&h).with_remote_addr(Some("10.1.2.3")), now).unwrap_err();
    assert_eq!(e.status(), Status::MalformedHeader);
    assert!(e.message().contains("@target-uri"), "{}", e.message());
}

#[test]
fn label_and_tag_select_one_signature_among_several() {
    let now = 1_700_000_000;
    let s = scheme("ed25519", "");
    let signer = Signer::with_private_key(s.clone(), "k1", &vector("test-key-ed25519.key")).unwrap();
    let verifier = Verifier::new(s);
    verifier.add_public_key("k1", &vector("test-key-ed25519.pub")).unwrap();
    let mut h = sign_headers(&signer, now, "00112233445566778899aabbccddeeff");
    // A second, foreign signature with another tag beside ours: ours is chosen by tag.
    h.push("Signature-Input", r#"proxy=("@method");created=1700000000;keyid="p";tag="other""#).unwrap();
    h.push("Signature", "proxy=:AAAA:").unwrap();
    assert!(verifier.verify_at(&Request::new("POST", URL, BODY).with_headers(&h), now).is_ok());
}
