//! The shared vectors (tests/vectors/*.json, computed by Python's hmac) against the Rust API.

mod common;
use common::{body, s, vectors};
use signwire::canonical::{payload, Request, SignatureInput};
use signwire::mac::{Algorithm, Backend, Encoding, Key};
use signwire::{Headers, Scheme, Signer, Status, Verifier};

#[test]
fn rfc2202_and_rfc4231_on_every_backend() {
    let mut n = 0;
    for backend in [Backend::RustCrypto, Backend::AwsLc] {
    for file in ["rfc2202.json", "rfc4231.json"] {
        for c in vectors(file)["cases"].as_array().unwrap() {
            let alg = Algorithm::parse(s(c, "algorithm")).unwrap();
            let key = Key::with_backend(alg, &hex::decode(s(c, "key_hex")).unwrap(), backend).unwrap();
            assert_eq!(key.backend(), backend);
            let data = hex::decode(s(c, "data_hex")).unwrap();
            let tag = key.sign(&data);
            assert_eq!(tag.encode(Encoding::Hex), s(c, "hex"), "{file} case {}", c["case"]);
            assert_eq!(tag.encode(Encoding::Base64), s(c, "base64"));
            assert!(key.verify_encoded(&data, s(c, "hex").as_bytes(), Encoding::Hex).is_ok());
            assert!(key.verify_encoded(&data, s(c, "base64").as_bytes(), Encoding::Base64).is_ok());
            // Truncated tags (RFC case 5 prints one) are refused.
            let half = &s(c, "hex")[..32];
            assert_eq!(key.verify_encoded(&data, half.as_bytes(), Encoding::Hex).unwrap_err().status(), Status::BadSignature);
            n += 1;
        }
    }
    }
    assert_eq!(n, 2 * 21);
}

fn check_scheme_vectors(scheme: &Scheme, vs: &[serde_json::Value]) {
    for v in vs {
        let name = s(v, "name");
        let b = body(&v["body"]);
        let mut extra = Headers::new();
        if let Some(h) = v.get("headers").and_then(|h| h.as_object()) {
            for (k, val) in h {
                extra.push(k, val.as_str().unwrap()).unwrap();
            }
        }
        let req = Request::new(s(v, "method"), s(v, "url"), &b).with_headers(&extra);
        let ts: i64 = s(v, "timestamp").parse().unwrap();

        // The canonical payload, byte for byte.
        let input = SignatureInput { request: &req, key_id: s(v, "key_id"), timestamp: s(v, "timestamp"), nonce: s(v, "nonce") };
        let p = payload(&scheme.components, &scheme.separator, &input).unwrap();
        if let Some(ph) = v.get("payload_hex") {
            assert_eq!(hex::encode(&p), ph.as_str().unwrap(), "{name}: payload");
        }
        if let Some(ps) = v.get("payload_sha256") {
            assert_eq!(signwire::mac::sha256_hex(&p), ps.as_str().unwrap(), "{name}: payload sha256");
        }

        // Signing.
        let signer = Signer::new(scheme.clone(), s(v, "key_id"), s(v, "secret").as_bytes()).unwrap();
        let signed = signer.sign_at(&req, ts, s(v, "nonce")).unwrap();
        assert_eq!(signed.get(&scheme.headers.signature), Some(s(v, "signature")), "{name}: signature");

        // Verifying the vector's headers (not our own output) at the vector's time.
        let verifier = Verifier::new(scheme.clone());
        verifier.keyring().add_secret(s(v, "key_id"), s(v, "secret").as_bytes()).unwrap();
        let mut headers = extra.clone();
        headers.push(&scheme.headers.key_id, s(v, "key_id")).unwrap();
        headers.push(&scheme.headers.signature, s(v, "signature")).unwrap();
        headers.push(&scheme.headers.timestamp, s(v, "timestamp")).unwrap();
        headers.push(&scheme.headers.nonce, s(v, "nonce")).unwrap();
        let req = Request::new(s(v, "method"), s(v, "url"), &b).with_headers(&headers);
        assert_eq!(verifier.verify_at(&req, ts + 1).unwrap().key_id, s(v, "key_id"), "{name}: verify");
        assert_eq!(verifier.verify_at(&req, ts + 1).unwrap_err().status(), Status::NonceReplayed, "{name}: replay");
    }
}

#[test]
fn hopnow_vectors() {
    let doc = vectors("hopnow.json");
    let vs = doc["vectors"].as_array().unwrap();
    assert!(vs.len() >= 4);
    assert!(vs.iter().any(|v| body(&v["body"]).len() == 1 << 20), "a 1 MiB body vector");
    check_scheme_vectors(&Scheme::load("hopnow").unwrap(), vs);
}

#[test]
fn generic_scheme_vectors() {
    let doc = vectors("generic.json");
    let scheme = Scheme::from_json(&doc["scheme"].to_string()).unwrap();
    check_scheme_vectors(&scheme, doc["vectors"].as_array().unwrap());
}
