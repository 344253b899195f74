//! Property tests of signwire's own consistency: round trips, mutations, grammars, on random
//! input in the normal test suite (case counts kept small so `cargo test` stays fast). They
//! sign and verify with signwire itself; the properties whose expected values come from
//! outside signwire (the `hmac` crate, josekit, the `bcrypt` crate, hand-written grammars)
//! are in tests/oracles.rs, and the fuzz targets' own invariants run over the committed
//! corpus in tests/fuzz_corpus.rs.
//!
//! - a signed request verifies (round trip), for random method, URL, body and headers;
//! - any single mutation of method, URL, body, timestamp, nonce, signature or key id makes it
//!   fail, and does not burn the nonce of the genuine request;
//! - a request signed with a secret the verifier does not hold never verifies;
//! - parsers (header block, timestamp, nonce, URL, query, scheme JSON) never panic on
//!   arbitrary input, and accept exactly their grammar;
//! - canonical_query is idempotent, independent of the order of different names, and keeps
//!   the order of one name's values.

use proptest::prelude::*;
use signwire::canonical::{canonical_query, Request, UrlParts};
use signwire::headers::{check_nonce, parse_timestamp, Headers};
use signwire::mac::{decode_tag, Algorithm, Encoding, Key};
use signwire::{Scheme, Signer, Status, Verifier};

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"property secret";
const OTHER_SECRET: &[u8] = b"another client's secret";

/// Schemes under test: HopNow (no separators, exact URL), one that signs the key id with a
/// separator and SHA-512/base64, and one with a canonical query and a signed header.
fn schemes() -> Vec<Scheme> {
    let strict = r#"{"name":"strict","algorithm":"hmac-sha512","encoding":"base64",
        "components":["method","url","timestamp","nonce","body_sha256","key_id"],"separator":"\n",
        "headers":{"key_id":"K","signature":"S","timestamp":"T","nonce":"N"},"nonce_hex_len":32}"#;
    let sha1 = r#"{"name":"legacy","algorithm":"hmac-sha1","encoding":"hex",
        "components":["method","path","canonical_query","timestamp","nonce","body",{"header":"Content-Type"}],
        "separator":"|","headers":{"key_id":"X-Key","signature":"X-Sig","timestamp":"X-Ts","nonce":"X-Nonce"},
        "nonce_hex_len":32}"#;
    vec![Scheme::load("hopnow").unwrap(), Scheme::from_json(strict).unwrap(), Scheme::from_json(sha1).unwrap()]
}

fn verifier(scheme: &Scheme) -> Verifier {
    let v = Verifier::new(scheme.clone());
    v.keyring().add_secret("client-1", SECRET).unwrap();
    v.keyring().add_secret("client-2", OTHER_SECRET).unwrap();
    v
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        Just("PUT".to_string()),
        Just("DELETE".to_string()),
        "[A-Z][A-Z_-]{0,15}",
    ]
}

fn url() -> impl Strategy<Value = String> {
    let query = "([a-z]{1,4}(=[A-Za-z0-9._~+-]{0,6})?|[a-z]=%[0-9A-F]{2})";
    let re = |r: String| proptest::string::string_regex(&r).unwrap();
    prop_oneof![
        re(format!("https://[a-z]{{1,10}}\\.example(:[0-9]{{1,5}})?(/[A-Za-z0-9._~-]{{0,8}}){{0,4}}(\\?{query}(&{query}){{0,4}})?")),
        re(format!("/[A-Za-z0-9._~-]{{0,12}}(\\?{query}(&{query}){{0,3}})?")),
    ]
}

fn nonce() -> impl Strategy<Value = String> {
    "[0-9a-f]{32}"
}

/// Extra request headers, including a Content-Type that one scheme signs.
fn extra_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        proptest::option::of("(application/json|text/plain|[a-z]{1,8}/[a-z]{1,8})"),
        proptest::collection::vec(("X-[A-Za-z]{1,8}", "[ -~]{0,20}"), 0..4),
    )
        .prop_map(|(ct, mut extra)| {
            // Keep auth header names out of the random extras (a duplicate is refused).
            extra.retain(|(n, _)| !["x-key", "x-sig", "x-ts", "x-nonce"].contains(&n.to_ascii_lowercase().as_str()));
            let mut seen = std::collections::HashSet::new();
            extra.retain(|(n, _)| seen.insert(n.to_ascii_lowercase()));
            if let Some(ct) = ct {
                extra.push(("Content-Type".into(), ct));
            }
            extra
        })
}

#[derive(Clone, Debug)]
struct Signed {
    scheme: usize,
    method: String,
    url: String,
    body: Vec<u8>,
    extra: Vec<(String, String)>,
    key_id: String,
    timestamp: String,
    nonce: String,
    signature: String,
}

impl Signed {
    fn block(&self, scheme: &Scheme) -> String {
        let h = &scheme.headers;
        let mut b = String::new();
        for (n, v) in &self.extra {
            b.push_str(&format!("{n}: {v}\r\n"));
        }
        b.push_str(&format!(
            "{}: {}\r\n{}: {}\r\n{}: {}\r\n{}: {}\r\n",
            h.key_id, self.key_id, h.signature, self.signature, h.timestamp, self.timestamp, h.nonce, self.nonce
        ));
        b
    }

    fn verify(&self, v: &Verifier) -> Result<String, Status> {
        let headers = Headers::parse(&self.block(v.scheme())).map_err(|e| e.status())?;
        let req = Request::new(&self.method, &self.url, &self.body).with_headers(&headers);
        v.verify_at(&req, NOW).map(|ok| ok.key_id).map_err(|e| e.status())
    }
}

fn sign(scheme_index: usize, method: String, url: String, body: Vec<u8>, extra: Vec<(String, String)>, age: i64, nonce: String) -> Signed {
    let scheme = &schemes()[scheme_index];
    let signer = Signer::new(scheme.clone(), "client-1", SECRET).unwrap();
    let mut extra_block = Headers::new();
    for (n, v) in &extra {
        extra_block.push(n, v).unwrap();
    }
    let req = Request::new(&method, &url, &body).with_headers(&extra_block);
    let out = signer.sign_at(&req, NOW - age, &nonce).unwrap();
    let h = &scheme.headers;
    Signed {
        scheme: scheme_index,
        key_id: out.get(&h.key_id).unwrap().into(),
        signature: out.get(&h.signature).unwrap().into(),
        timestamp: out.get(&h.timestamp).unwrap().into(),
        nonce: out.get(&h.nonce).unwrap().into(),
        method,
        url,
        body,
        extra,
    }
}

fn signed_request() -> impl Strategy<Value = Signed> {
    (0..3usize, method(), url(), proptest::collection::vec(any::<u8>(), 0..300), extra_headers(), 0..60i64, nonce())
        .prop_map(|(s, m, u, b, e, age, n)| sign(s, m, u, b, e, age, n))
}

/// One change to one signed field.
#[derive(Clone, Debug)]
enum Mutation {
    Method(String),
    UrlByte(usize, u8),
    UrlAppend(u8),
    BodyBit(usize, u8),
    BodyAppend(u8),
    BodyTruncate(usize),
    Timestamp(i64),
    NonceChar(usize, u8),
    SignatureChar(usize, u8),
    KeyId(bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let url_char = (0x21u8..0x7f).prop_filter("not a space", |b| *b != b' ');
    prop_oneof![
        method().prop_map(Mutation::Method),
        (any::<usize>(), url_char.clone()).prop_map(|(i, b)| Mutation::UrlByte(i, b)),
        url_char.prop_map(Mutation::UrlAppend),
        (any::<usize>(), 0u8..8).prop_map(|(i, bit)| Mutation::BodyBit(i, bit)),
        any::<u8>().prop_map(Mutation::BodyAppend),
        any::<usize>().prop_map(Mutation::BodyTruncate),
        (-30i64..30).prop_filter("a change", |d| *d != 0).prop_map(Mutation::Timestamp),
        (any::<usize>(), 0u8..16).prop_map(|(i, d)| Mutation::NonceChar(i, d)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, d)| Mutation::SignatureChar(i, d)),
        any::<bool>().prop_map(Mutation::KeyId),
    ]
}

/// Apply a mutation; `None` when it would not change anything (e.g. the same method).
fn mutate(s: &Signed, m: &Mutation, encoding: Encoding) -> Option<Signed> {
    let mut t = s.clone();
    match m {
        Mutation::Method(x) => t.method = x.clone(),
        Mutation::UrlByte(i, b) => {
            let mut u = t.url.into_bytes();
            let i = i % u.len();
            u[i] = *b;
            t.url = String::from_utf8(u).ok()?;
        }
        Mutation::UrlAppend(b) => t.url.push(*b as char),
        Mutation::BodyBit(i, bit) => {
            if t.body.is_empty() {
                return None;
            }
            let i = i % t.body.len();
            t.body[i] ^= 1 << bit;
        }
        Mutation::BodyAppend(b) => t.body.push(*b),
        Mutation::BodyTruncate(n) => {
            if t.body.is_empty() {
                return None;
            }
            t.body.truncate(n % t.body.len());
        }
        Mutation::Timestamp(d) => t.timestamp = (t.timestamp.parse::<i64>().unwrap() + d).to_string(),
        Mutation::NonceChar(i, d) => {
            let mut n = t.nonce.into_bytes();
            let i = i % n.len();
            n[i] = b"0123456789abcdef"[*d as usize];
            t.nonce = String::from_utf8(n).unwrap();
        }
        Mutation::SignatureChar(i, d) => {
            // A change of the tag's bytes: another digit of the same alphabet, never a mere
            // change of hex case (uppercase hex is the same tag, accepted by design).
            let alphabet: &[u8] = match encoding {
                Encoding::Hex => b"0123456789abcdef",
                Encoding::Base64 => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            };
            let mut sig = t.signature.into_bytes();
            // Padding stays; a change that only touches base64's unused trailing bits is
            // refused as non-canonical, so every change here must fail one way or the other.
            let data_len = sig.iter().position(|&c| c == b'=').unwrap_or(sig.len());
            let i = i % data_len;
            sig[i] = alphabet[*d as usize % alphabet.len()];
            t.signature = String::from_utf8(sig).unwrap();
        }
        Mutation::KeyId(known) => t.key_id = if *known { "client-2".into() } else { "client-9".into() },
    }
    let same = t.method == s.method
        && t.url == s.url
        && t.body == s.body
        && t.timestamp == s.timestamp
        && t.nonce == s.nonce
        && t.signature == s.signature
        && t.key_id == s.key_id;
    (!same).then_some(t)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn signed_requests_verify_once(s in signed_request()) {
        let scheme = &schemes()[s.scheme];
        let v = verifier(scheme);
        prop_assert_eq!(s.verify(&v), Ok("client-1".to_string()));
        prop_assert_eq!(s.verify(&v), Err(Status::NonceReplayed));
    }

    #[test]
    fn any_single_mutation_fails_and_burns_nothing(s in signed_request(), ms in proptest::collection::vec(mutation(), 1..6)) {
        let scheme = &schemes()[s.scheme];
        let v = verifier(scheme);
        let exact_url = scheme.components.contains(&signwire::canonical::Component::Url);
        for m in &ms {
            // A scheme that signs path and canonical query, not the URL, accepts changes to
            // what it does not sign (host, parameter order): skip URL mutations there.
            if !exact_url && matches!(m, Mutation::UrlByte(..) | Mutation::UrlAppend(_)) {
                continue;
            }
            let Some(t) = mutate(&s, m, scheme.encoding) else { continue };
            let got = t.verify(&v);
            prop_assert!(got.is_err(), "mutation {:?} verified: {:?}", m, t);
            // Well-formed changes of signed bytes are bad signatures, not another error:
            // the verifier did compare the MAC, and refused it.
            match m {
                Mutation::BodyBit(..) | Mutation::BodyAppend(_) | Mutation::BodyTruncate(_) | Mutation::NonceChar(..)
                | Mutation::Timestamp(_) | Mutation::KeyId(true) => prop_assert_eq!(got, Err(Status::BadSignature), "{:?}", m),
                Mutation::KeyId(false) => prop_assert_eq!(got, Err(Status::UnknownKey)),
                _ => {}
            }
        }
        // None of the forgeries recorded the nonce: the genuine request still passes once.
        prop_assert_eq!(s.verify(&v), Ok("client-1".to_string()));
    }

    #[test]
    fn a_secret_the_verifier_does_not_hold_never_verifies(s in signed_request(), secret in proptest::collection::vec(any::<u8>(), 1..64)) {
        prop_assume!(secret != SECRET && secret != OTHER_SECRET);
        let scheme = &schemes()[s.scheme];
        let v = Verifier::new(scheme.clone());
        v.keyring().add_secret("client-1", &secret).unwrap();
        prop_assert_eq!(s.verify(&v), Err(Status::BadSignature));
    }

    #[test]
    fn header_block_parse_never_panics(block in "(?s).{0,400}") {
        if let Ok(h) = Headers::parse(&block) {
            // Whatever parses renders to a block that parses to the same entries.
            prop_assert_eq!(Headers::parse(&h.to_block()).unwrap(), h);
        }
    }

    #[test]
    fn header_block_round_trips(entries in proptest::collection::vec(("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}", "[!-~]([ -~]{0,40}[!-~])?"), 0..20)) {
        let mut h = Headers::new();
        for (n, v) in &entries {
            h.push(n, v).unwrap();
        }
        let back = Headers::parse(&h.to_block()).unwrap();
        let got: Vec<(String, String)> = back.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        prop_assert_eq!(got, entries);
    }

    #[test]
    fn timestamps_are_canonical_decimal_only(n in 0i64..=i64::MAX, junk in "[^0-9]{1,3}", zeros in 1usize..4) {
        let text = n.to_string();
        prop_assert_eq!(parse_timestamp(&text).unwrap(), n);
        let bad = [format!("{}{text}", "0".repeat(zeros)), format!("+{text}"), format!("-{text}"), format!("{junk}{text}"), format!("{text}{junk}")];
        for b in bad {
            prop_assert_eq!(parse_timestamp(&b).unwrap_err().status(), Status::MalformedHeader, "{:?}", b);
        }
    }

    #[test]
    fn timestamp_parse_accepts_exactly_its_grammar(s in "(?s).{0,24}") {
        let grammar = s == "0" || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0'));
        match parse_timestamp(&s) {
            Ok(n) => { prop_assert!(grammar); prop_assert_eq!(n.to_string(), s); }
            Err(e) => {
                prop_assert_eq!(e.status(), Status::MalformedHeader);
                // Only overflow refuses a string of the grammar.
                prop_assert!(!grammar || s.parse::<i64>().is_err());
            }
        }
    }

    #[test]
    fn nonce_check_accepts_exactly_its_grammar(s in "[0-9a-fA-Fg ]{0,40}") {
        let ok = s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
        prop_assert_eq!(check_nonce(&s, 32).is_ok(), ok);
    }

    #[test]
    fn url_split_never_panics_and_reassembles(url in "(?s).{0,80}") {
        let p = UrlParts::split(&url);
        let without_fragment = url.split_once('#').map_or(url.as_str(), |(u, _)| u);
        let mut re = String::new();
        if !p.scheme.is_empty() {
            re.push_str(p.scheme);
            re.push_str("://");
            re.push_str(p.authority);
        }
        re.push_str(p.path);
        if let Some(q) = p.query {
            re.push('?');
            re.push_str(q);
        }
        prop_assert_eq!(re, without_fragment);
    }

    #[test]
    fn canonical_query_is_idempotent_and_keeps_value_order(pairs in proptest::collection::vec(("([a-zA-Z0-9._~+ -]|%[0-9A-Fa-f]{2}){0,6}", "([a-zA-Z0-9._~+/ -]|%[0-9A-Fa-f]{2}){0,6}"), 0..8), seed in any::<u64>()) {
        let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let once = canonical_query(&q.join("&")).unwrap();
        prop_assert_eq!(canonical_query(&once).unwrap(), once.clone());
        // Deterministic shuffle from the seed: the order of different names must not matter,
        // the order of one name's values must (PHP reads the last, Python frameworks the first).
        let mut order: Vec<usize> = (0..q.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let name = |i: usize| canonical_query(&pairs[i].0).unwrap();
        let mut shuffled = vec![String::new(); q.len()];
        let mut slots: Vec<usize> = order.clone();
        for i in 0..q.len() {
            // Give each name's pairs, in their original order, the positions its pairs got.
            let mine: Vec<usize> = (0..q.len()).filter(|&j| name(j) == name(i)).collect();
            let mut at: Vec<usize> = (0..q.len()).filter(|&p| mine.contains(&slots[p])).collect();
            at.sort();
            for (&p, &j) in at.iter().zip(&mine) {
                shuffled[p] = q[j].clone();
                slots[p] = usize::MAX;
            }
        }
        prop_assert_eq!(canonical_query(&shuffled.join("&")).unwrap(), once.clone());
        // Two different values of one name, swapped, must not share a canonical form.
        if let Some(j) = (1..q.len()).find(|&j| name(j) == name(0) && canonical_query(&q[j]).unwrap() != canonical_query(&q[0]).unwrap()) {
            let mut swapped = q.clone();
            swapped.swap(0, j);
            prop_assert_ne!(canonical_query(&swapped.join("&")).unwrap(), once.clone());
        }
        // Only unreserved characters, '%XX' escapes, '=' and '&' remain.
        prop_assert!(once.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%=&".contains(&b)));
    }

    #[test]
    fn canonical_query_never_panics(q in "(?s).{0,120}") {
        if let Ok(c) = canonical_query(&q) {
            prop_assert_eq!(canonical_query(&c).unwrap(), c);
        }
    }

    #[test]
    fn scheme_json_never_panics(text in "(?s).{0,200}") {
        let _ = Scheme::from_json(&text);
    }

    #[test]
    fn scheme_json_round_trips(sep in "[ -~]{0,16}", max_age in 1u64..604_800, skew in 0u64..=3600, half in 8usize..=64,
                               alg in 0usize..3, enc in 0usize..2) {
        let (algorithm, encoding) = (["hmac-sha1", "hmac-sha256", "hmac-sha512"][alg], ["hex", "base64"][enc]);
        let doc = serde_json::json!({
            "name": "p", "algorithm": algorithm, "encoding": encoding,
            "components": ["method", "url", "timestamp", "nonce", "body"], "separator": sep,
            "headers": {"key_id": "A", "signature": "B", "timestamp": "C", "nonce": "D"},
            "max_age": max_age, "max_future_skew": skew, "nonce_hex_len": half * 2,
        });
        let s = Scheme::from_json(&doc.to_string()).unwrap();
        prop_assert_eq!(Scheme::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn tags_round_trip_through_both_encodings(secret in proptest::collection::vec(any::<u8>(), 1..100), msg in proptest::collection::vec(any::<u8>(), 0..100), alg in 0usize..3) {
        let a = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][alg];
        let key = Key::new(a, &secret).unwrap();
        let tag = key.sign(&msg);
        for enc in [Encoding::Hex, Encoding::Base64] {
            let text = tag.encode(enc);
            let decoded = decode_tag(text.as_bytes(), enc, a.tag_len()).unwrap();
            prop_assert_eq!(decoded.as_bytes(), tag.as_bytes());
            prop_assert!(key.verify_encoded(&msg, text.as_bytes(), enc).is_ok());
            // Any shorter prefix (a truncated tag) is refused.
            for cut in [1, text.len() / 2, text.len() - 1] {
                prop_assert_eq!(key.verify_encoded(&msg, &text.as_bytes()[..cut], enc).unwrap_err().status(), Status::BadSignature);
            }
        }
    }
}
