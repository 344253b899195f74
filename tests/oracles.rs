//! Property tests whose expected values come from outside signwire: one per fuzz target's
//! invariant (fuzz/invariants/), on random input, in `cargo test`.
//!
//! | fuzz target | oracle here |
//! | --- | --- |
//! | verify | payload written out from the scheme's definition, MAC by the `hmac` crate |
//! | ffi_verify | the same MAC, requests verified and signed through the C ABI functions |
//! | seal_open | josekit (JOSE on OpenSSL) seals and opens the tokens |
//! | bcrypt_hash | sha1 rounds by the `sha1` crate, bcrypt by the `bcrypt` crate's own hash/verify |
//! | diagnostics | the fingerprint line written out from its documented format, SHA-256 by `sha2` |
//! | headers | a `Name: value` line splitter written here from the grammar |
//! | timestamp_nonce | `u64`/`i64` parsing by std and a hex-digit test |
//! | url_query | RFC 3986 decoding and encoding written here, sorted pairs |
//! | scheme_json | a document built from random values with `serde_json`, read back field by field |
//!
//! None of the expected values is computed by signwire: a change to signwire's canonical
//! payload, MAC, JWE or bcrypt input makes these fail even when signing and verifying agree.

use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha2::Digest;
use signwire::canonical::canonical_query;
use signwire::headers::{check_nonce, parse_timestamp, Headers};
use signwire::{Request, Scheme, Signer, Status, Verifier};
use std::ffi::{c_char, CStr, CString};

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"independent oracle secret";

/// HopNow and a scheme with separators, SHA-512, base64, a body hash and the key id.
const STRICT: &str = r#"{"name":"strict","algorithm":"hmac-sha512","encoding":"base64",
    "components":["method","url","timestamp","nonce","body_sha256","key_id"],"separator":"\n",
    "headers":{"key_id":"K","signature":"S","timestamp":"T","nonce":"N"}}"#;

fn scheme(strict: bool) -> Scheme {
    if strict {
        Scheme::from_json(STRICT).unwrap()
    } else {
        Scheme::load("hopnow").unwrap()
    }
}

/// The payload from the schemes' definitions: HopNow is METHOD‖URL‖TIMESTAMP‖NONCE‖BODY
/// with no separator; `strict` joins method, URL, timestamp, nonce, hex SHA-256 of the body
/// and key id with newlines.
fn payload(strict: bool, method: &str, url: &str, ts: &str, nonce: &str, body: &[u8], key_id: &str) -> Vec<u8> {
    if strict {
        let body_hash = hex::encode(sha2::Sha256::digest(body));
        format!("{method}\n{url}\n{ts}\n{nonce}\n{body_hash}\n{key_id}").into_bytes()
    } else {
        [method.as_bytes(), url.as_bytes(), ts.as_bytes(), nonce.as_bytes(), body].concat()
    }
}

/// The signature header's value: lowercase hex HMAC-SHA256 (HopNow) or standard base64
/// HMAC-SHA512 (strict), computed with the RustCrypto crates directly.
fn signature(strict: bool, secret: &[u8], payload: &[u8]) -> String {
    use base64::Engine;
    if strict {
        let mut m = <Hmac<sha2::Sha512> as KeyInit>::new_from_slice(secret).unwrap();
        m.update(payload);
        base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
    } else {
        let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap();
        m.update(payload);
        hex::encode(m.finalize().into_bytes())
    }
}

#[derive(Clone, Debug)]
struct Req {
    strict: bool,
    method: String,
    url: String,
    body: Vec<u8>,
    key_id: String,
    ts: String,
    nonce: String,
}

impl Req {
    fn payload(&self) -> Vec<u8> {
        payload(self.strict, &self.method, &self.url, &self.ts, &self.nonce, &self.body, &self.key_id)
    }

    /// The header block an independent client would send.
    fn block(&self, sig: &str) -> String {
        let n = scheme(self.strict).headers;
        format!(
            "{}: {}\r\n{}: {sig}\r\n{}: {}\r\n{}: {}\r\n",
            n.key_id, self.key_id, n.signature, n.timestamp, self.ts, n.nonce, self.nonce
        )
    }
}

fn req() -> impl Strategy<Value = Req> {
    (
        any::<bool>(),
        "(GET|POST|PUT|DELETE|[A-Z]{1,10})",
        "(https://[a-z]{1,10}\\.example(:[0-9]{2,5})?)?/[A-Za-z0-9._~/-]{0,20}(\\?[a-z]{1,4}=[A-Za-z0-9%._~-]{0,8}(&[a-z]{1,4}=[A-Za-z0-9._~-]{0,8}){0,3})?",
        proptest::collection::vec(any::<u8>(), 0..200),
        "[A-Za-z0-9_-]{1,20}",
        0i64..300,
        "[0-9a-f]{32}",
    )
        .prop_map(|(strict, method, url, body, key_id, age, nonce)| Req {
            strict,
            method,
            url,
            body,
            key_id,
            ts: (NOW - age).to_string(),
            nonce,
        })
}

fn verifier(r: &Req) -> Verifier {
    let v = Verifier::new(scheme(r.strict));
    v.keyring().add_secret(&r.key_id, SECRET).unwrap();
    v
}

fn verify(v: &Verifier, r: &Req, sig: &str) -> Result<String, Status> {
    let h = Headers::parse(&r.block(sig)).unwrap();
    v.verify_at(&Request::new(&r.method, &r.url, &r.body).with_headers(&h), NOW).map(|ok| ok.key_id).map_err(|e| e.status())
}

/// One byte of the request changed: (field, index, new byte).
fn changed(r: &Req, field: u8, at: usize, to: u8) -> Option<Req> {
    let mut t = r.clone();
    let edit = |s: &mut Vec<u8>| {
        if s.is_empty() {
            s.push(to);
        } else {
            let i = at % s.len();
            s[i] = to;
        }
    };
    match field % 5 {
        0 => {
            let mut b = t.method.into_bytes();
            edit(&mut b);
            t.method = String::from_utf8(b).ok()?;
        }
        1 => {
            let mut b = t.url.into_bytes();
            edit(&mut b);
            t.url = String::from_utf8(b).ok()?;
        }
        2 => edit(&mut t.body),
        3 => {
            let mut b = t.nonce.into_bytes();
            edit(&mut b);
            t.nonce = String::from_utf8(b).ok()?;
        }
        _ => t.ts = (t.ts.parse::<i64>().unwrap() - 1 - (at % 30) as i64).to_string(),
    }
    let same = t.method == r.method && t.url == r.url && t.body == r.body && t.nonce == r.nonce && t.ts == r.ts;
    // Header values cannot hold control bytes or spaces: such a change is not a request.
    let sendable = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
    (!same && sendable(&t.method) && sendable(&t.url) && sendable(&t.nonce)).then_some(t)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// verify: signwire's signature is the HMAC of the payload as the scheme defines it, and a
    /// request signed by the independent client verifies exactly once.
    #[test]
    fn verify_agrees_with_hmac_crate(r in req()) {
        let expected = signature(r.strict, SECRET, &r.payload());
        let signer = Signer::new(scheme(r.strict), &r.key_id, SECRET).unwrap();
        let signed = signer.sign_at(&Request::new(&r.method, &r.url, &r.body), r.ts.parse().unwrap(), &r.nonce).unwrap();
        prop_assert_eq!(signed.get(&scheme(r.strict).headers.signature).unwrap(), expected.as_str());

        let v = verifier(&r);
        prop_assert_eq!(verify(&v, &r, &expected), Ok(r.key_id.clone()));
        prop_assert_eq!(verify(&v, &r, &expected), Err(Status::NonceReplayed));
    }

    /// verify: one changed byte of a signed component, or the MAC of the changed request under
    /// another secret, never verifies and leaves the genuine nonce unspent.
    #[test]
    fn verify_refuses_what_the_oracle_did_not_sign(r in req(), field in any::<u8>(), at in any::<usize>(), to in any::<u8>()) {
        let v = verifier(&r);
        let genuine = signature(r.strict, SECRET, &r.payload());
        if let Some(t) = changed(&r, field, at, to) {
            prop_assert!(verify(&v, &t, &genuine).is_err(), "changed request verified: {:?}", t);
            // The changed request properly signed under a secret the verifier does not hold.
            let forged = signature(t.strict, b"not the secret", &t.payload());
            prop_assert!(verify(&v, &t, &forged).is_err());
        }
        prop_assert_eq!(verify(&v, &r, &genuine), Ok(r.key_id.clone()));
    }

    /// ffi_verify: through the C ABI, with a random output capacity: the oracle's request
    /// verifies (or reports the size it needs without spending the nonce), output stays within
    /// the capacity and is NUL-terminated; the C signer's headers carry the oracle's MAC.
    #[test]
    fn ffi_verify_agrees_with_hmac_crate(r in req(), cap in 0usize..40) {
        use signwire::ffi::{scheme::*, signer::*, verifier::*};
        let sig = signature(r.strict, SECRET, &r.payload());
        let c = |s: &str| CString::new(s).unwrap();
        let (m, u, h, k, n) = (c(&r.method), c(&r.url), c(&r.block(&sig)), c(&r.key_id), c(&r.nonce));
        let doc = c(if r.strict { STRICT } else { "hopnow" });
        unsafe {
            let mut s = std::ptr::null_mut();
            prop_assert_eq!(signwire_scheme_new(doc.as_ptr(), &mut s) as i32, 0);
            let mut v = std::ptr::null_mut();
            prop_assert_eq!(signwire_verifier_new(s, &mut v) as i32, 0);
            prop_assert_eq!(signwire_verifier_add_secret(v, k.as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len()) as i32, 0);
            let mut out = vec![0xAAu8; 64];
            let mut written = 0usize;
            let call = |out: &mut Vec<u8>, cap: usize, written: &mut usize| signwire_verifier_verify_at(
                v, m.as_ptr(), u.as_ptr(), r.body.as_ptr() as *const c_char, r.body.len(), h.as_ptr(), std::ptr::null(), NOW,
                out.as_mut_ptr() as *mut c_char, cap, written) as i32;
            let st = call(&mut out, cap, &mut written);
            if cap > r.key_id.len() {
                prop_assert_eq!(st, Status::Ok.code());
                prop_assert_eq!(&out[..written], r.key_id.as_bytes());
                prop_assert_eq!(out[written], 0);
            } else {
                prop_assert_eq!(st, Status::BufferTooSmall.code());
                prop_assert_eq!(written, r.key_id.len() + 1);
                // Nothing verified yet: the retry with the size asked for passes.
                prop_assert_eq!(call(&mut out, written, &mut written), Status::Ok.code());
            }
            prop_assert!(out[cap.max(written + 1)..].iter().all(|&b| b == 0xAA), "wrote past the capacity");
            prop_assert_eq!(call(&mut out, 64, &mut written), Status::NonceReplayed.code());

            let mut signer = std::ptr::null_mut();
            prop_assert_eq!(signwire_signer_new(s, k.as_ptr(), SECRET.as_ptr() as *const c_char, SECRET.len(), &mut signer) as i32, 0);
            let mut block = vec![0u8; 1024];
            prop_assert_eq!(signwire_signer_sign_at(signer, m.as_ptr(), u.as_ptr(), r.body.as_ptr() as *const c_char, r.body.len(),
                std::ptr::null(), r.ts.parse().unwrap(), n.as_ptr(), block.as_mut_ptr() as *mut c_char, block.len(), &mut written) as i32, 0);
            let text = CStr::from_ptr(block.as_ptr() as *const c_char).to_str().unwrap().to_string();
            let name = scheme(r.strict).headers.signature;
            let line = text.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).map(str::to_string);
            prop_assert_eq!(line, Some(sig.clone()), "{}", text);
            signwire_signer_free(signer);
            signwire_verifier_free(v);
            signwire_scheme_free(s);
        }
    }
}

mod seal {
    //! seal_open: josekit, an independent JOSE implementation on OpenSSL.
    use super::*;
    use josekit::jwe::{self, JweHeader};
    use signwire::seal::{OpeningKeys, Recipient, RsaPrivateKey, SharedKey};

    const PRIVATE_PEM: &[u8] = include_bytes!("vectors/seal/rsa2048-private.pem");
    const PUBLIC_PEM: &[u8] = include_bytes!("vectors/seal/rsa2048-public.pem");

    fn header(alg: &str, kid: &str) -> JweHeader {
        let mut h = JweHeader::new();
        h.set_content_encryption("A256GCM");
        h.set_key_id(kid);
        h.set_algorithm(alg);
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// signwire's tokens open with josekit to the plaintext; josekit's tokens open with
        /// signwire; one changed byte of a josekit token never opens.
        #[test]
        fn seal_open_agrees_with_josekit(plaintext in proptest::collection::vec(any::<u8>(), 0..300), key in proptest::array::uniform32(any::<u8>()),
                                          rsa in any::<bool>(), at in any::<usize>(), to in any::<u8>()) {
            let keys = OpeningKeys::new();
            keys.add_shared("s1", SharedKey::new(&key).unwrap()).unwrap();
            keys.add_rsa("r1", RsaPrivateKey::parse(PRIVATE_PEM).unwrap()).unwrap();
            let (ours, theirs) = if rsa {
                let to = Recipient::rsa("r1", signwire::seal::RsaPublicKey::parse(PUBLIC_PEM).unwrap()).unwrap();
                let enc = jwe::RSA_OAEP_256.encrypter_from_pem(PUBLIC_PEM).unwrap();
                let dec = jwe::RSA_OAEP_256.decrypter_from_pem(PRIVATE_PEM).unwrap();
                let theirs = jwe::serialize_compact(&plaintext, &header("RSA-OAEP-256", "r1"), &enc).unwrap();
                let ours = to.seal(&plaintext).unwrap();
                let (opened, h) = jwe::deserialize_compact(&ours, &dec).unwrap();
                prop_assert_eq!(h.key_id(), Some("r1"));
                prop_assert_eq!(h.algorithm(), Some("RSA-OAEP-256"));
                (opened, theirs)
            } else {
                let to = Recipient::shared("s1", SharedKey::new(&key).unwrap()).unwrap();
                let enc = jwe::Dir.encrypter_from_bytes(key).unwrap();
                let dec = jwe::Dir.decrypter_from_bytes(key).unwrap();
                let theirs = jwe::serialize_compact(&plaintext, &header("dir", "s1"), &enc).unwrap();
                let ours = to.seal(&plaintext).unwrap();
                let (opened, h) = jwe::deserialize_compact(&ours, &dec).unwrap();
                prop_assert_eq!(h.content_encryption(), Some("A256GCM"));
                (opened, theirs)
            };
            prop_assert_eq!(&ours, &plaintext);
            prop_assert_eq!(&keys.open(&theirs).unwrap()[..], &plaintext[..]);
            let mut altered = theirs.clone().into_bytes();
            let i = at % altered.len();
            if altered[i] != to {
                altered[i] = to;
                prop_assert!(keys.open(&altered).is_err(), "altered token opened (byte {} -> {:#04x})", i, to);
            }
        }
    }
}

mod bcrypt_oracle {
    //! bcrypt_hash: EpinTower-style signatures, bcrypt(sha1ⁿ(field₁‖field₂‖…)) with each sha1
    //! round written as 40 lowercase hex characters, recomputed with the `sha1` and `bcrypt`
    //! crates directly.
    use super::*;
    use signwire::scheme::bcrypt::{parse_hash, BcryptScheme, Direction};

    fn input(fields: &[Vec<u8>], rounds: u32) -> Vec<u8> {
        let mut data = fields.concat();
        for _ in 0..rounds {
            data = hex::encode(sha1::Sha1::digest(&data)).into_bytes();
        }
        data
    }

    fn scheme() -> BcryptScheme {
        BcryptScheme::from_json(r#"{"name":"oracle","request_sha1_rounds":1,"response_sha1_rounds":2,"cost":4}"#).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn bcrypt_hash_agrees_with_bcrypt_crate(fields in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..4),
                                                 response in any::<bool>(), salt in proptest::array::uniform16(any::<u8>())) {
            let (dir, rounds, other) = if response { (Direction::Response, 2, 1) } else { (Direction::Request, 1, 2) };
            let s = scheme();
            let ours = s.sign(dir, &fields).unwrap();
            prop_assert!(bcrypt::verify(input(&fields, rounds), &ours).unwrap(), "bcrypt crate refuses signwire's {}", ours);
            prop_assert!(!bcrypt::verify(input(&fields, other), &ours).unwrap());
            let theirs = bcrypt::hash_with_salt(input(&fields, rounds), 4, salt).unwrap().format_for_version(bcrypt::Version::TwoA);
            prop_assert!(s.verify(dir, &fields, &theirs).is_ok(), "signwire refuses the bcrypt crate's {}", theirs);
            let flip = if response { Direction::Request } else { Direction::Response };
            prop_assert_eq!(s.verify(flip, &fields, &theirs).unwrap_err().status(), Status::BadSignature);
        }

        /// parse_hash accepts exactly `$2[aby]$NN$` + 53 characters of bcrypt's base64, NN 4..=31.
        #[test]
        fn bcrypt_parse_hash_accepts_exactly_its_grammar(variant in "[a-z]", cost in "[0-9]{2}|[0-9a-z]{1,3}", rest in "[./A-Za-z0-9]{53}|[ -~]{50,56}") {
            let h = format!("$2{variant}${cost}${rest}");
            let cost_ok = cost.len() == 2 && cost.bytes().all(|b| b.is_ascii_digit()) && (4..=31).contains(&cost.parse::<u32>().unwrap());
            let rest_ok = rest.len() == 53 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
            let grammar = ["a", "b", "y"].contains(&variant.as_str()) && cost_ok && rest_ok;
            prop_assert_eq!(parse_hash(h.as_bytes()).is_ok(), grammar, "{}", h);
        }
    }
}

mod diagnostics {
    //! diagnostics: the fingerprint line as documented, `signwire-fp scheme=hopnow key_id=…
    //! method=… url=… timestamp=… nonce=… body=len:N,sha256:<first 16 hex>`, and the entry
    //! that `diff` names when one side differs.
    use super::*;
    use signwire::diagnostics::{diff, fingerprint, Fingerprint};

    fn line(r: &Req) -> String {
        let h = hex::encode(sha2::Sha256::digest(&r.body));
        format!(
            "signwire-fp scheme=hopnow key_id={} method={} url={} timestamp={} nonce={} body=len:{},sha256:{}",
            r.key_id,
            r.method,
            r.url,
            r.ts,
            r.nonce,
            r.body.len(),
            &h[..16]
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn diagnostics_agree_with_the_documented_line(r in req(), field in any::<u8>(), at in any::<usize>(), to in any::<u8>()) {
            let r = Req { strict: false, ..r };
            let h = Headers::parse(&r.block("00")).unwrap();
            let fp = fingerprint(&scheme(false), &Request::new(&r.method, &r.url, &r.body).with_headers(&h));
            prop_assert_eq!(fp.to_line(), line(&r));
            prop_assert_eq!(Fingerprint::parse(&format!("log prefix: {}\n", line(&r))).unwrap(), fp);
            if let Some(t) = changed(&r, field, at, to) {
                let label = ["method", "url", "body", "nonce", "timestamp"][field as usize % 5];
                let d = diff(&line(&r), &line(&t)).unwrap();
                prop_assert_eq!(d.label.as_deref(), Some(label), "{}", d.summary);
            }
            prop_assert_eq!(diff(&line(&r), &line(&r)).unwrap().label, None);
        }
    }
}

mod parsers {
    //! headers, timestamp_nonce, url_query and scheme_json against oracles written here.
    use super::*;

    /// RFC 3986 unreserved characters stay, every other byte is %XX in uppercase hex.
    fn encode(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|&b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    }

    /// Percent-decoding; `None` for a `%` not followed by two hex digits.
    fn decode(s: &str) -> Option<Vec<u8>> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok().filter(|_| h.bytes().all(|c| c.is_ascii_hexdigit()))?);
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        Some(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// url_query: pairs split on `&` and the first `=`, each side percent-decoded and
        /// re-encoded, sorted by name (one name's values in the order sent), joined with `=`
        /// and `&`.
        #[test]
        fn url_query_agrees_with_rfc3986_oracle(pairs in proptest::collection::vec(("([a-zA-Z0-9._~!*'()-]|%[0-9A-Fa-f]{2}){0,6}", "([a-zA-Z0-9._~/?:@!$*'()=-]|%[0-9A-Fa-f]{2}|%.?){0,6}"), 0..6)) {
            let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let q = q.join("&");
            let mut expected = Vec::new();
            let mut bad = false;
            for part in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                match (decode(k), decode(v)) {
                    (Some(k), Some(v)) => expected.push((encode(&k), encode(&v))),
                    _ => bad = true,
                }
            }
            // Names sorted, a repeated name's values kept in the order sent (stable sort).
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            let expected: Vec<String> = expected.iter().map(|(k, v)| format!("{k}={v}")).collect();
            match canonical_query(&q) {
                Ok(c) => { prop_assert!(!bad, "accepted a broken escape in {:?}", q); prop_assert_eq!(c, expected.join("&")); }
                Err(e) => { prop_assert!(bad, "{:?}: {:?}", q, e); prop_assert_eq!(e.status(), Status::InvalidArgument); }
            }
        }

        /// headers: `Name: value` lines (CRLF or LF), value trimmed of spaces and tabs.
        #[test]
        fn headers_agree_with_line_splitter(entries in proptest::collection::vec(("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}", "[ \t]{0,2}[!-~]([ -~]{0,20}[!-~])?[ \t]{0,2}"), 0..8), lf in any::<bool>()) {
            let eol = if lf { "\n" } else { "\r\n" };
            let block: String = entries.iter().map(|(n, v)| format!("{n}:{v}{eol}")).collect();
            let h = Headers::parse(&block).unwrap();
            let got: Vec<(String, String)> = h.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            let want: Vec<(String, String)> = entries.iter().map(|(n, v)| (n.clone(), v.trim_matches([' ', '\t']).to_string())).collect();
            prop_assert_eq!(got, want);
        }

        /// timestamp_nonce: decimal seconds as std parses them, with no sign or leading zero;
        /// nonces of exactly N hex digits.
        #[test]
        fn timestamp_nonce_agree_with_std(s in "[0-9+ -]{0,21}|[0-9a-fA-F]{14,66}", len in prop_oneof![Just(16usize), Just(32), Just(64)]) {
            let std_ok = s.parse::<u64>().ok().filter(|n| *n <= i64::MAX as u64 && n.to_string() == s);
            prop_assert_eq!(parse_timestamp(&s).ok().map(|n| n as u64), std_ok, "{:?}", s);
            prop_assert_eq!(check_nonce(&s, len).is_ok(), s.len() == len && u128::from_str_radix(&s[..len.min(s.len()).min(32)], 16).is_ok() && s.bytes().all(|b| b.is_ascii_hexdigit()));
        }

        /// scheme_json: a document built with serde_json reads back to the same fields.
        #[test]
        fn scheme_json_agrees_with_document(alg in 0usize..3, enc in 0usize..2, sep in "[ -~]{0,4}", max_age in 1u64..86_400, half in 8usize..=32) {
            let (algorithm, encoding) = (["hmac-sha1", "hmac-sha256", "hmac-sha512"][alg], ["hex", "base64"][enc]);
            let doc = serde_json::json!({
                "name": "o", "algorithm": algorithm, "encoding": encoding,
                "components": ["method", "url", "timestamp", "nonce", "body"], "separator": sep,
                "headers": {"key_id": "A", "signature": "B", "timestamp": "C", "nonce": "D"},
                "max_age": max_age, "nonce_hex_len": half * 2,
            });
            let s = Scheme::from_json(&doc.to_string()).unwrap();
            let back: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
            for k in ["algorithm", "encoding", "separator", "max_age", "nonce_hex_len", "components", "headers"] {
                prop_assert_eq!(&back[k], &doc[k], "{}", k);
            }
            prop_assert_eq!(s.algorithm.tag_len(), [20, 32, 64][alg]);
        }
    }
}
