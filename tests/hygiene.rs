//! Secret hygiene: no error message, log line (the CLI's stderr), `Debug` output or explain
//! output contains a secret's bytes, and nothing but the explicit signing-side explain shows
//! the expected signature, through the Rust API, the CLI and the C ABI's
//! `signwire_last_error_message()`.
//!
//! The request and its correct signature come from tests/vectors/hopnow.json (Python's hmac),
//! so "the expected signature" is known independently of signwire.

mod common;
use common::{body, s, vectors};
use signwire::ffi::{mac::*, scheme::*, signer::*, status::signwire_last_error_message, verifier::*};
use signwire::mac::{Algorithm, Key};
use signwire::{Headers, Request, Scheme, Signer, Status, Verifier};
use std::ffi::{c_char, CStr, CString};
use std::process::{Command, Output};

struct Case {
    key_id: String,
    secret: String,
    method: String,
    url: String,
    body: Vec<u8>,
    ts: String,
    nonce: String,
    signature: String,
}

fn case() -> Case {
    let doc = vectors("hopnow.json");
    let v = &doc["vectors"][0];
    Case {
        key_id: s(v, "key_id").into(),
        secret: s(v, "secret").into(),
        method: s(v, "method").into(),
        url: s(v, "url").into(),
        body: body(&v["body"]),
        ts: s(v, "timestamp").into(),
        nonce: s(v, "nonce").into(),
        signature: s(v, "signature").into(),
    }
}

/// Every form in which a secret or the expected signature could leak: raw text, hex,
/// base64, any 12-byte window of the secret (shorter ones occur in the usage text: the test
/// secret contains "-secret-"), any 16-character window of the signature in either case.
fn leaks(text: &str, secret: &[u8], signature_hex: Option<&str>) -> Vec<String> {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut needles: Vec<String> = vec![hex::encode(secret), b64(secret)];
    needles.extend(secret.windows(12).map(|w| String::from_utf8_lossy(w).into_owned()));
    if let Some(sig) = signature_hex {
        needles.push(b64(&hex::decode(sig).unwrap()));
        for w in sig.as_bytes().windows(16) {
            let w = String::from_utf8_lossy(w).into_owned();
            needles.push(w.to_ascii_uppercase());
            needles.push(w);
        }
    }
    needles.into_iter().filter(|n| text.contains(n.as_str())).collect()
}

fn assert_clean(what: &str, text: &str, c: &Case) {
    let found = leaks(text, c.secret.as_bytes(), Some(&c.signature));
    assert!(found.is_empty(), "{what} leaks {found:?}:\n{text}");
}

fn block(key_id: &str, sig: &str, ts: &str, nonce: &str) -> String {
    format!("X-API-Key: {key_id}\r\nX-Signature: {sig}\r\nX-Timestamp: {ts}\r\nX-Nonce: {nonce}\r\n")
}

/// The failures a server can hit on this request, each with the verifier in a state that
/// produces it. Returns (label, error text in every form a server might log).
fn rust_failures(c: &Case) -> Vec<(String, String)> {
    let scheme = Scheme::load("hopnow").unwrap();
    let v = Verifier::new(scheme.clone());
    v.keyring().add_secret(&c.key_id, c.secret.as_bytes()).unwrap();
    let now: i64 = c.ts.parse().unwrap();
    let wrong = "0".repeat(64);
    let almost = format!("{}0", &c.signature[..63]);
    let rows: Vec<(&str, String, &str, i64)> = vec![
        ("bad signature", block(&c.key_id, &wrong, &c.ts, &c.nonce), c.method.as_str(), now),
        ("signature one digit off", block(&c.key_id, &almost, &c.ts, &c.nonce), &c.method, now),
        ("unknown key", block("someone-else", &c.signature, &c.ts, &c.nonce), &c.method, now),
        ("too old", block(&c.key_id, &c.signature, &c.ts, &c.nonce), &c.method, now + 10_000),
        ("in future", block(&c.key_id, &c.signature, &c.ts, &c.nonce), &c.method, now - 10_000),
        ("wrong method", block(&c.key_id, &c.signature, &c.ts, &c.nonce), "PUT", now),
        ("malformed nonce", block(&c.key_id, &c.signature, &c.ts, "xyz"), &c.method, now),
        ("short signature", block(&c.key_id, &c.signature[..40], &c.ts, &c.nonce), &c.method, now),
        ("genuine", block(&c.key_id, &c.signature, &c.ts, &c.nonce), &c.method, now),
        ("replayed", block(&c.key_id, &c.signature, &c.ts, &c.nonce), &c.method, now),
    ];
    let mut out = Vec::new();
    for (label, headers, method, at) in rows {
        let h = Headers::parse(&headers).unwrap();
        match v.verify_at(&Request::new(method, &c.url, &c.body).with_headers(&h), at) {
            Ok(ok) => assert_eq!(label, "genuine", "{label} verified as {ok:?}"),
            Err(e) => out.push((label.to_string(), format!("{e} | {e:?} | {} | {}", e.message(), e.client_message()))),
        }
    }
    assert_eq!(out.last().map(|(l, _)| l.as_str()), Some("replayed"));
    out.push(("verifier debug".into(), format!("{v:?} {:?}", v.keyring())));

    // The server's diagnostic lines (for its log) for the same failures.
    let mut d = Verifier::new(scheme);
    d.set_diagnostics(true);
    d.keyring().add_secret(&c.key_id, c.secret.as_bytes()).unwrap();
    for (label, sig) in [("diagnostic: bad signature", wrong.as_str()), ("diagnostic: one digit off", almost.as_str())] {
        let h = Headers::parse(&block(&c.key_id, sig, &c.ts, &c.nonce)).unwrap();
        let rejected = d.verify_diagnosed(&Request::new(&c.method, &c.url, &c.body).with_headers(&h), now).unwrap_err();
        let line = rejected.diagnostic.expect("diagnostics on").to_line();
        assert!(line.contains("SIGNWIRE_ERR_BAD_SIGNATURE"), "{line}");
        out.push((label.into(), line));
    }
    out
}

#[test]
fn rust_api_errors_and_debug_output_are_clean() {
    let c = case();
    for (label, text) in rust_failures(&c) {
        assert_clean(&label, &text, &c);
    }
    let scheme = Scheme::load("hopnow").unwrap();
    let signer = Signer::new(scheme.clone(), &c.key_id, c.secret.as_bytes()).unwrap();
    assert_clean("signer debug", &format!("{signer:?}"), &c);
    let key = Key::new(Algorithm::Sha256, c.secret.as_bytes()).unwrap();
    let payload = signer.explain(&Request::new(&c.method, &c.url, &c.body), c.ts.parse().unwrap(), &c.nonce).unwrap().payload;
    let tag = key.sign(&payload);
    assert_eq!(tag.encode(signwire::mac::Encoding::Hex), c.signature, "the vector and signwire agree (else this test tests nothing)");
    assert_clean("key and tag debug", &format!("{key:?} {tag:?}"), &c);

    // Misuse that involves the secret: refusals must not quote it.
    let long_secret = format!("{}{}", c.secret, "x".repeat(5000));
    let mut errors = vec![
        Key::new(Algorithm::Sha256, long_secret.as_bytes()).unwrap_err(),
        Signer::new(scheme.clone(), "bad key id", c.secret.as_bytes()).unwrap_err(),
        Signer::new(scheme.clone(), &c.key_id, long_secret.as_bytes()).unwrap_err(),
    ];
    let v = Verifier::new(scheme);
    errors.push(v.keyring().add_secret("", c.secret.as_bytes()).unwrap_err());
    for i in 0..8 {
        v.keyring().add_secret(&c.key_id, format!("{}{i}", c.secret).as_bytes()).unwrap();
    }
    errors.push(v.keyring().add_secret(&c.key_id, c.secret.as_bytes()).unwrap_err());
    for e in errors {
        assert_clean(&format!("{:?}", e.status()), &format!("{e} {e:?}"), &c);
    }
}

#[test]
fn explain_shows_the_payload_and_its_signature_but_never_the_secret() {
    let c = case();
    let signer = Signer::new(Scheme::load("hopnow").unwrap(), &c.key_id, c.secret.as_bytes()).unwrap();
    let e = signer.explain(&Request::new(&c.method, &c.url, &c.body), c.ts.parse().unwrap(), &c.nonce).unwrap();
    let text = format!("{e:?} {}", String::from_utf8_lossy(&e.payload));
    // The signing side's explain exists to show its own signature (the documented debugging
    // path); the secret it never shows.
    assert!(text.contains(&c.signature));
    let found = leaks(&text, c.secret.as_bytes(), None);
    assert!(found.is_empty(), "explain leaks the secret: {found:?}");
}

fn cli(args: &[&str], secret_env: &str, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_signwire"))
        .args(args)
        .env("HYGIENE_SECRET", secret_env)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused on its arguments exits before reading the body: a closed pipe here
    // is that exit, not a failure (its output is checked below).
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing the CLI's stdin: {e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn cli_output_is_clean() {
    let c = case();
    let base = |cmd: &'static str| -> Vec<String> {
        [cmd, "--scheme", "hopnow", "--key-id", &c.key_id, "--secret-env", "HYGIENE_SECRET", "--url", &c.url, "--body-file", "-"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let hdr = |name: &str, value: &str| vec!["--header".to_string(), format!("{name}: {value}")];
    let auth = |key_id: &str, sig: &str, ts: &str, nonce: &str| -> Vec<String> {
        [hdr("X-API-Key", key_id), hdr("X-Signature", sig), hdr("X-Timestamp", ts), hdr("X-Nonce", nonce)].concat()
    };
    let now = ["--now".to_string(), c.ts.clone(), "--diagnostics".to_string()];
    let m = |m: &str| vec!["--method".to_string(), m.to_string()];
    let wrong = "0".repeat(64);
    let runs: Vec<(&str, Vec<String>, i32)> = vec![
        ("verify bad signature", [base("verify"), m(&c.method), auth(&c.key_id, &wrong, &c.ts, &c.nonce), now.to_vec()].concat(), 1),
        ("verify unknown key", [base("verify"), m(&c.method), auth("other", &c.signature, &c.ts, &c.nonce), now.to_vec()].concat(), 1),
        ("verify wrong method", [base("verify"), m("PUT"), auth(&c.key_id, &c.signature, &c.ts, &c.nonce), now.to_vec()].concat(), 1),
        ("verify too old", [base("verify"), m(&c.method), auth(&c.key_id, &c.signature, &c.ts, &c.nonce), vec!["--diagnostics".into()]].concat(), 1),
        ("verify lowercase method", [base("verify"), m("post"), auth(&c.key_id, &c.signature, &c.ts, &c.nonce), now.to_vec()].concat(), 2),
        ("sign bad nonce", [base("sign"), m(&c.method), vec!["--nonce".into(), "xyz".into()]].concat(), 2),
        ("sign bad key id", [base("sign"), m(&c.method)].concat().into_iter().map(|a| if a == c.key_id { "bad key".into() } else { a }).collect(), 2),
        ("sign unknown flag", [base("sign"), m(&c.method), vec!["--bogus".into(), "x".into()]].concat(), 2),
    ];
    for (label, args, want) in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cli(&args, &c.secret, &c.body);
        assert_eq!(out.status.code(), Some(want), "{label}: {}", String::from_utf8_lossy(&out.stderr));
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!text.is_empty(), "{label}: says nothing");
        assert_clean(label, &text, &c);
    }
    // A secret over the limit is refused without being echoed.
    let long = format!("{}{}", c.secret, "y".repeat(5000));
    let args = [base("sign"), m(&c.method)].concat();
    let out = cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), &long, b"");
    assert_eq!(out.status.code(), Some(2));
    // sign's stdout holds headers only: the failure's status name is on stderr.
    assert!(out.stdout.is_empty() && String::from_utf8_lossy(&out.stderr).contains("SIGNWIRE_ERR_INPUT_TOO_LARGE"));
    assert_clean("sign oversized secret", &format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)), &c);

    // explain prints its own signature, never the secret.
    let args = [base("explain"), m(&c.method), vec!["--timestamp".into(), c.ts.clone(), "--nonce".into(), c.nonce.clone()]].concat();
    let out = cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), &c.secret, &c.body);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains(&c.signature), "explain shows the signature it computed");
    assert!(leaks(&text, c.secret.as_bytes(), None).is_empty(), "explain leaks the secret:\n{text}");
}

unsafe fn last_error() -> String {
    CStr::from_ptr(signwire_last_error_message()).to_string_lossy().into_owned()
}

#[test]
fn c_abi_last_error_message_is_clean() {
    let c = case();
    let secret = c.secret.as_bytes();
    let sp = secret.as_ptr() as *const c_char;
    let cs = |s: &str| CString::new(s).unwrap();
    let (method, url, key_id) = (cs(&c.method), cs(&c.url), cs(&c.key_id));
    let now: i64 = c.ts.parse().unwrap();
    let mut messages = Vec::new();
    unsafe {
        let mut scheme = std::ptr::null_mut();
        assert_eq!(signwire_scheme_new(c"hopnow".as_ptr(), &mut scheme) as i32, 0);
        let mut v = std::ptr::null_mut();
        assert_eq!(signwire_verifier_new(scheme, &mut v) as i32, 0);
        assert_eq!(signwire_verifier_add_secret(v, key_id.as_ptr(), sp, secret.len()) as i32, 0);
        assert_eq!(signwire::ffi::diagnostics::signwire_verifier_set_diagnostics(v, 1) as i32, 0);
        let mut out = [0 as c_char; 300];
        let mut written = 0usize;
        let wrong = "0".repeat(64);
        for (label, headers, at, want) in [
            ("bad signature", block(&c.key_id, &wrong, &c.ts, &c.nonce), now, Status::BadSignature),
            ("unknown key", block("other", &c.signature, &c.ts, &c.nonce), now, Status::UnknownKey),
            ("too old", block(&c.key_id, &c.signature, &c.ts, &c.nonce), now + 999, Status::TimestampTooOld),
            ("genuine", block(&c.key_id, &c.signature, &c.ts, &c.nonce), now, Status::Ok),
            ("replayed", block(&c.key_id, &c.signature, &c.ts, &c.nonce), now, Status::NonceReplayed),
        ] {
            let h = cs(&headers);
            let st = signwire_verifier_verify_at(
                v, method.as_ptr(), url.as_ptr(), c.body.as_ptr() as *const c_char, c.body.len(), h.as_ptr(), std::ptr::null(), at,
                out.as_mut_ptr(), out.len(), &mut written,
            );
            assert_eq!(st as i32, want.code(), "{label}: {}", last_error());
            messages.push((label, last_error()));
            if want != Status::Ok {
                let mut diag = vec![0 as c_char; 4096];
                let mut n = 0usize;
                let st = signwire::ffi::diagnostics::signwire_last_diagnostic(diag.as_mut_ptr(), diag.len(), &mut n);
                assert_eq!(st as i32, 0, "{label}: no diagnostic: {}", last_error());
                let line = CStr::from_ptr(diag.as_ptr()).to_string_lossy().into_owned();
                assert!(line.starts_with("signwire-fp "), "{label}: {line}");
                messages.push((label, line));
            }
        }
        let long = format!("{}{}", c.secret, "z".repeat(5000));
        assert_eq!(
            signwire_verifier_add_secret(v, key_id.as_ptr(), long.as_ptr() as *const c_char, long.len()) as i32,
            Status::InputTooLarge.code()
        );
        messages.push(("add oversized secret", last_error()));
        assert_eq!(
            signwire_verifier_retire_secret(v, c"nobody".as_ptr(), sp, secret.len()) as i32,
            Status::UnknownKey.code()
        );
        messages.push(("retire unknown", last_error()));
        let mut signer = std::ptr::null_mut();
        assert_eq!(signwire_signer_new(scheme, c"bad key".as_ptr(), sp, secret.len(), &mut signer) as i32, Status::InvalidArgument.code());
        messages.push(("signer bad key id", last_error()));
        let sig = cs(&wrong);
        assert_eq!(
            signwire_hmac_verify(2, sp, secret.len(), c.body.as_ptr() as *const c_char, c.body.len(), sig.as_ptr(), 64, 1) as i32,
            Status::BadSignature.code()
        );
        messages.push(("hmac verify", last_error()));
        let mut key = std::ptr::null_mut();
        assert_eq!(signwire_hmac_key_new(9, sp, secret.len(), &mut key) as i32, Status::InvalidArgument.code());
        messages.push(("hmac key bad algorithm", last_error()));
        signwire_verifier_free(v);
        signwire_scheme_free(scheme);
    }
    for (label, m) in &messages {
        assert_clean(label, m, &c);
    }
    // Failures say something; success clears the message.
    assert!(messages.iter().filter(|(l, _)| *l != "genuine").all(|(_, m)| !m.is_empty()));
    assert_eq!(messages.iter().find(|(l, _)| *l == "genuine").unwrap().1, "");
}

#[test]
fn epintower_secret_fields_stay_out_of_errors_and_cli_output() {
    use signwire::scheme::epintower;
    // The spec's sample: client id, secret key, transaction id.
    let secret = "b1db2d4759e706079016fe7825e7ae18";
    let fields = ["BA078F952DA3AA1B08141D22C69E11DA", secret, "DF6649B8_9D57_53DF_2674_C768FE6DE0CB"];
    let scheme = epintower::scheme().with_cost(4).unwrap();
    let sig = scheme.sign(signwire::scheme::bcrypt::Direction::Request, &fields).unwrap();
    let wrong = ["BA078F952DA3AA1B08141D22C69E11DA", secret, "other"];
    let mut texts = vec![
        format!("{:?}", scheme.verify(signwire::scheme::bcrypt::Direction::Request, &wrong, &sig).unwrap_err()),
        format!("{:?}", epintower::verify_request(&fields, "$2y$04$short").unwrap_err()),
        format!("{:?}", epintower::verify_response(&fields, &sig).unwrap_err()),
    ];
    let env_run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_signwire")).args(args).env("EPIN_SECRET", secret).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let explain = env_run(&["epintower", "explain", fields[0], "--field-env", "EPIN_SECRET", fields[2]]);
    assert!(explain.contains("not shown"), "{explain}");
    texts.push(explain);
    texts.push(env_run(&["epintower", "verify", "--signature", &sig, fields[0], "--field-env", "EPIN_SECRET", "other"]));
    texts.push(env_run(&["epintower", "verify", "--signature", "$2x$04$abc", fields[0], "--field-env", "EPIN_SECRET", "x"]));
    for t in texts {
        assert!(!t.contains(secret) && !t.contains(&secret[..12]), "the secret field leaks: {t}");
    }
}

/// The "why did it fail" path end to end: the client's fingerprint (Rust, C ABI, CLI
/// explain), the server's diagnostic line and every form of `diff` (Rust, C ABI, CLI) for a
/// request whose URL a proxy rewrote and for one signed with another secret. None of them
/// may show the secret or a signature the server expected: neither the vector's (made by
/// Python's hmac) nor the one over the URL the server rebuilt.
#[test]
fn diagnostics_fingerprints_and_diff_never_show_the_secret_or_expected_signature() {
    let c = case();
    let scheme = Scheme::load("hopnow").unwrap();
    let now: i64 = c.ts.parse().unwrap();
    let path = &c.url[c.url[8..].find('/').unwrap() + 8..];
    let server_url = format!("http://10.0.0.5:8080{path}");
    let signer = Signer::new(scheme.clone(), &c.key_id, c.secret.as_bytes()).unwrap();
    // What the server computes over the URL it rebuilt: a needle that must not appear.
    let server_expected = signer.explain(&Request::new(&c.method, &server_url, &c.body), now, &c.nonce).unwrap().signature;
    assert_ne!(server_expected, c.signature);
    let other_secret = format!("{}-rotated", c.secret);
    let other_sig = Signer::new(scheme.clone(), &c.key_id, other_secret.as_bytes())
        .unwrap()
        .explain(&Request::new(&c.method, &c.url, &c.body), now, &c.nonce)
        .unwrap()
        .signature;
    let check = |what: &str, text: &str| {
        assert!(!text.trim().is_empty(), "{what}: empty");
        for sig in [&c.signature, &server_expected] {
            let found = leaks(text, c.secret.as_bytes(), Some(sig));
            assert!(found.is_empty(), "{what} leaks {found:?}:\n{text}");
        }
    };

    let mut v = Verifier::new(scheme.clone());
    v.set_diagnostics(true);
    v.keyring().add_secret(&c.key_id, c.secret.as_bytes()).unwrap();
    // (label, URL the server saw, signature sent, the component diff must name)
    let cases = [("proxy rewrote the URL", server_url.as_str(), c.signature.as_str(), Some("url")), ("another secret", c.url.as_str(), other_sig.as_str(), None)];
    for (i, (label, seen_url, sent, differs)) in cases.into_iter().enumerate() {
        let nonce = format!("{:032x}", i + 1);
        let h = Headers::parse(&block(&c.key_id, sent, &c.ts, &nonce)).unwrap();
        let client_fp = signwire::diagnostics::fingerprint(&scheme, &Request::new(&c.method, &c.url, &c.body).with_headers(&h)).to_line();
        check(&format!("{label}: client fingerprint"), &client_fp);
        let rejected = v.verify_diagnosed(&Request::new(&c.method, seen_url, &c.body).with_headers(&h), now).unwrap_err();
        assert_eq!(rejected.error.status(), Status::BadSignature, "{label}");
        let server_line = rejected.diagnostic.expect("diagnostics on").to_line();
        check(&format!("{label}: server diagnostic"), &server_line);
        let d = signwire::diagnostics::diff(&client_fp, &server_line).unwrap();
        assert_eq!(d.label.as_deref(), differs, "{label}: {}", d.summary);
        check(&format!("{label}: diff"), &format!("{} {d:?}", d.summary));

        // The same through the C ABI.
        unsafe {
            use signwire::ffi::diagnostics::{signwire_diagnostic_diff, signwire_fingerprint};
            let cs = |s: &str| CString::new(s).unwrap();
            let mut sch = std::ptr::null_mut();
            assert_eq!(signwire_scheme_new(c"hopnow".as_ptr(), &mut sch) as i32, 0);
            let (m, u, hb) = (cs(&c.method), cs(&c.url), cs(&block(&c.key_id, sent, &c.ts, &nonce)));
            let mut out = vec![0 as c_char; 8192];
            let mut n = 0usize;
            let st = signwire_fingerprint(sch, m.as_ptr(), u.as_ptr(), c.body.as_ptr() as *const c_char, c.body.len(), hb.as_ptr(), out.as_mut_ptr(), out.len(), &mut n);
            assert_eq!(st as i32, 0, "{}", last_error());
            let c_fp = CStr::from_ptr(out.as_ptr()).to_string_lossy().into_owned();
            assert_eq!(c_fp, client_fp);
            let (cf, sl) = (cs(&c_fp), cs(&server_line));
            assert_eq!(signwire_diagnostic_diff(cf.as_ptr(), sl.as_ptr(), out.as_mut_ptr(), out.len(), &mut n) as i32, 0);
            let c_diff = CStr::from_ptr(out.as_ptr()).to_string_lossy().into_owned();
            assert_eq!(c_diff, d.summary);
            // A malformed side: the refusal must not quote the other side's content.
            let junk = cs(&format!("signwire-fp {}", c.secret));
            let st = signwire_diagnostic_diff(junk.as_ptr(), sl.as_ptr(), out.as_mut_ptr(), out.len(), &mut n);
            if st as i32 != 0 {
                check(&format!("{label}: C diff refusal"), &last_error());
            }
            signwire_scheme_free(sch);
        }

        // The CLI: explain (client side, with its fingerprint) and diff of two files.
        let dir = std::env::temp_dir().join(format!("signwire-hygiene-{}-{i}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cfile, sfile) = (dir.join("client.txt"), dir.join("server.log"));
        std::fs::write(&cfile, format!("{client_fp}\n")).unwrap();
        std::fs::write(&sfile, format!("2026-11-23T22:00:00Z verify failed\n{server_line}\n")).unwrap();
        let out = cli(&["diff", cfile.to_str().unwrap(), sfile.to_str().unwrap()], "", b"");
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.code().is_some(), "{label}: CLI diff crashed");
        check(&format!("{label}: CLI diff"), &text);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // The CLI's explain on the client side, signed with another secret: it shows its own
    // signature (by design), never the secret, nor what the server expects.
    let out = cli(
        &["explain", "--scheme", "hopnow", "--key-id", &c.key_id, "--secret-env", "HYGIENE_SECRET", "--url", &c.url, "--body-file", "-", "--method", &c.method, "--timestamp", &c.ts, "--nonce", &c.nonce],
        &other_secret,
        &c.body,
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains(&other_sig) && text.contains("signwire-fp"), "{text}");
    check("CLI explain (other secret)", &text);
    assert!(leaks(&text, other_secret.as_bytes(), None).is_empty(), "explain leaks its own secret:\n{text}");
}
