// End to end: the verifier under attack.
//
// Invariants:
// 1. a request that verifies carries a signature equal to HMAC(secret of the returned key id,
//    payload), the payload rebuilt here by hand from the scheme's definition and the MAC
//    computed with the hmac crate directly (not through signwire's canonicaliser or Key);
// 2. a request signed by signwire verifies exactly once;
// 3. after any single change to a signed request (method, URL, body, timestamp, nonce,
//    signature, key id, or a duplicated auth header) it never verifies, and the attempt does
//    not burn the genuine request's nonce;
// 4. nothing panics, and every refusal is a verification failure or an input error.
use hmac::{Hmac, KeyInit, Mac};
use arbitrary::Arbitrary;
use signwire::mac::{decode_tag, Encoding};
use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};

const NOW: i64 = 1_700_000_000;
const KEYS: [(&str, &[u8]); 2] = [("k1", b"first secret"), ("k2", b"second secret")];
const STRICT: &str = r#"{"name":"strict","algorithm":"hmac-sha512","encoding":"base64",
    "components":["method","url","timestamp","nonce","body_sha256","key_id"],"separator":"\n",
    "headers":{"key_id":"K","signature":"S","timestamp":"T","nonce":"N"}}"#;

#[derive(Arbitrary, Debug)]
pub enum Mutation<'a> {
    Method(&'a str),
    Url(&'a str),
    Body(&'a [u8]),
    Timestamp(&'a str),
    Nonce(&'a str),
    Signature(&'a str),
    KeyId(&'a str),
    DuplicateHeader(u8, &'a str),
}

#[derive(Arbitrary, Debug)]
pub struct Input<'a> {
    strict: bool,
    method: &'a str,
    url: &'a str,
    body: &'a [u8],
    signer: bool,
    age: u16,
    nonce: [u8; 16],
    mutation: Mutation<'a>,
    forged_block: &'a str,
}

fn schemes() -> &'static [Scheme; 2] {
    static S: std::sync::OnceLock<[Scheme; 2]> = std::sync::OnceLock::new();
    S.get_or_init(|| [Scheme::load("hopnow").unwrap(), Scheme::from_json(STRICT).unwrap()])
}

fn verifier(scheme: &Scheme) -> Verifier {
    let v = Verifier::new(scheme.clone());
    for (id, secret) in KEYS {
        v.keyring().add_secret(id, secret).unwrap();
    }
    v
}

/// The scheme's payload, written out by hand from its definition.
fn oracle_payload(strict: bool, method: &str, url: &str, ts: &str, nonce: &str, body: &[u8], key_id: &str) -> Vec<u8> {
    if strict {
        use sha2::Digest;
        let body_hash = hex::encode(sha2::Sha256::digest(body));
        format!("{method}\n{url}\n{ts}\n{nonce}\n{body_hash}\n{key_id}").into_bytes()
    } else {
        [method.as_bytes(), url.as_bytes(), ts.as_bytes(), nonce.as_bytes(), body].concat()
    }
}

fn oracle_mac(strict: bool, secret: &[u8], payload: &[u8]) -> Vec<u8> {
    if strict {
        let mut m = <Hmac<sha2::Sha512> as KeyInit>::new_from_slice(secret).unwrap();
        m.update(payload);
        m.finalize().into_bytes().to_vec()
    } else {
        let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap();
        m.update(payload);
        m.finalize().into_bytes().to_vec()
    }
}

/// Invariant 1 for any verification outcome.
fn check_outcome(strict: bool, scheme: &Scheme, method: &str, url: &str, body: &[u8], headers: &Headers, got: &Result<signwire::Verified, signwire::Error>) {
    match got {
        Ok(ok) => {
            let n = &scheme.headers;
            let get = |name: &str| headers.get(name).unwrap().unwrap();
            let (key_id, sig, ts, nonce) = (get(&n.key_id), get(&n.signature), get(&n.timestamp), get(&n.nonce));
            assert_eq!(ok.key_id, key_id);
            let secret = KEYS.iter().find(|(id, _)| *id == key_id).expect("verified under a known key id").1;
            let decoded = match scheme.encoding {
                Encoding::Hex => hex::decode(sig).expect("accepted signature is hex"),
                Encoding::Base64 => {
                    decode_tag(sig.as_bytes(), Encoding::Base64, 64).expect("accepted signature decodes").as_bytes().to_vec()
                }
            };
            let payload = oracle_payload(strict, method, url, ts, nonce, body, key_id);
            assert_eq!(decoded, oracle_mac(strict, secret, &payload), "accepted a signature that is not the MAC of the request");
            assert!((NOW - scheme.max_age as i64..=NOW + scheme.max_future_skew as i64).contains(&ok.timestamp));
        }
        Err(e) => assert!(
            e.status().is_verification_failure() || matches!(e.status(), Status::InvalidArgument | Status::InputTooLarge),
            "unexpected refusal {e:?}"
        ),
    }
}

/// The target's invariants on one input: panics when one is violated.
pub fn check(input: Input) {
    let scheme = &schemes()[input.strict as usize];
    let v = verifier(scheme);

    // An attacker's own header block: invariant 1.
    if let Ok(h) = Headers::parse(input.forged_block) {
        let got = v.verify_at(&Request::new(input.method, input.url, input.body).with_headers(&h), NOW);
        check_outcome(input.strict, scheme, input.method, input.url, input.body, &h, &got);
    }

    // A genuine request, then one change to it.
    let (key_id, secret) = KEYS[input.signer as usize];
    let signer = Signer::new(scheme.clone(), key_id, secret).unwrap();
    let nonce = hex::encode(input.nonce);
    let ts = NOW - (input.age as i64 % 300);
    let req = Request::new(input.method, input.url, input.body);
    let signed = match signer.sign_at(&req, ts, &nonce) {
        Ok(s) => s,
        Err(e) => {
            assert!(matches!(e.status(), Status::InvalidArgument | Status::InputTooLarge), "{e:?}");
            return;
        }
    };
    let n = &scheme.headers;
    let value = |name: &str| signed.get(name).unwrap().to_string();
    let (mut m, mut u, mut b) = (input.method.to_string(), input.url.to_string(), input.body.to_vec());
    let mut auth = [(n.key_id.clone(), value(&n.key_id)), (n.signature.clone(), value(&n.signature)), (n.timestamp.clone(), value(&n.timestamp)), (n.nonce.clone(), value(&n.nonce))];
    let original = auth.clone();
    let mut duplicate = None;
    let changed = match input.mutation {
        Mutation::Method(x) => { let c = x != m; m = x.into(); c }
        Mutation::Url(x) => { let c = x != u; u = x.into(); c }
        Mutation::Body(x) => { let c = x != b.as_slice(); b = x.into(); c }
        Mutation::KeyId(x) => { let c = x != auth[0].1; auth[0].1 = x.into(); c }
        Mutation::Signature(x) => {
            // Another spelling of the same tag (hex case) is the same signature.
            let len = scheme.algorithm.tag_len();
            let same = decode_tag(x.as_bytes(), scheme.encoding, len).map(|t| t.as_bytes().to_vec())
                == decode_tag(auth[1].1.as_bytes(), scheme.encoding, len).map(|t| t.as_bytes().to_vec());
            auth[1].1 = x.into();
            !same
        }
        Mutation::Timestamp(x) => { let c = x != auth[2].1; auth[2].1 = x.into(); c }
        Mutation::Nonce(x) => { let c = x != auth[3].1; auth[3].1 = x.into(); c }
        Mutation::DuplicateHeader(i, x) => { duplicate = Some((auth[i as usize % 4].0.clone(), x.to_string())); true }
    };
    let mut h = Headers::new();
    let mut pushed = true;
    for (name, val) in auth.iter().chain(duplicate.iter()) {
        pushed &= h.push(name, val).is_ok();
    }
    if changed && pushed {
        let got = v.verify_at(&Request::new(&m, &u, &b).with_headers(&h), NOW);
        assert!(got.is_err(), "a changed request verified: {:?}", input.mutation);
        check_outcome(input.strict, scheme, &m, &u, &b, &h, &got);
    }

    // The genuine request still verifies, exactly once.
    let mut g = Headers::new();
    for (name, val) in &original {
        g.push(name, val).unwrap();
    }
    let genuine = Request::new(input.method, input.url, input.body).with_headers(&g);
    let got = v.verify_at(&genuine, NOW);
    check_outcome(input.strict, scheme, input.method, input.url, input.body, &g, &got);
    assert_eq!(got.map(|ok| ok.key_id).map_err(|e| e.status()), Ok(key_id.to_string()));
    assert_eq!(v.verify_at(&genuine, NOW).unwrap_err().status(), Status::NonceReplayed);
}
